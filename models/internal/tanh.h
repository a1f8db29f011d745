#pragma once
// Internal: the hyperbolic tangent the evaluator uses, about twice as fast as glibc's std::tanh at
// the same accuracy (tests/models/tanh_test.cc: within 4 * 2^-53 relative of a long double reference
// on millions of arguments; exact at +-0, +-inf, NaN, subnormals).
//
//   |x| <  0.625:  x * P(x^2) / Q(x^2), Lambert's continued fraction
//                  tanh x = x / (1 + x^2 / (3 + x^2 / (5 + ... x^2 / 17))) multiplied out; its
//                  truncation error is below 1e-19 there, what is left is rounding (~3 * 2^-53).
//   |x| >= 0.625:  1 - 2 / (exp(2|x|) + 1) with the sign of x: no cancellation, since the result is
//                  at least tanh(0.625) = 0.55; exp(2|x|) = inf gives 1 exactly; NaN stays NaN.
//
// The coefficients are the continued fraction's (P and Q scaled so Q(0) = 1), from the recurrence
// num' = (2k+1) num + y den, den' = num for k = 7 .. 0 starting at num = 17, den = 1 (then P = den,
// Q = num), in exact rational arithmetic.

#include <cmath>

namespace gauntlet::models::internal {

/// The rational form, for |x| < 0.625.
[[nodiscard]] inline double TanhSmall(double x) {
  const double y = x * x;
  // the continued fraction of depth 8 multiplied out: P = 1 + 7/51 y + 1/255 y^2 + 2/69615 y^3 +
  // 1/34459425 y^4, Q = 1 + 8/17 y + 7/255 y^2 + 4/9945 y^3 + 1/765765 y^4 (exact rationals)
  constexpr double p1 = 7.0 / 51.0, p2 = 1.0 / 255.0, p3 = 2.0 / 69615.0, p4 = 1.0 / 34459425.0;
  constexpr double q1 = 8.0 / 17.0, q2 = 7.0 / 255.0, q3 = 4.0 / 9945.0, q4 = 1.0 / 765765.0;
  const double p = 1.0 + y * (p1 + y * (p2 + y * (p3 + y * p4)));
  const double q = 1.0 + y * (q1 + y * (q2 + y * (q3 + y * q4)));
  return x * p / q;
}

/// The exponential form, for |x| >= 0.625 (and NaN).
[[nodiscard]] inline double TanhLarge(double x) {
  return std::copysign(1.0 - 2.0 / (std::exp(2.0 * std::fabs(x)) + 1.0), x);
}

[[nodiscard]] inline double Tanh(double x) { return std::fabs(x) < 0.625 ? TanhSmall(x) : TanhLarge(x); }

/// out[i] = Tanh(in[i]) for i < n, bit for bit, without a branch on each value (a layer's values fall
/// on both sides of 0.625 at random, and the mispredicted branch cost more than the arithmetic): the
/// rational form for every value (vectorisable), then the exponential form for the values it does not
/// cover. `out` must not alias `in`.
inline void TanhArray(const double* in, long n, double* out) {
  constexpr long kChunk = 64;
  for (long base = 0; base < n; base += kChunk) {
    const long m = n - base < kChunk ? n - base : kChunk;
    const double* x = in + base;
    double* y = out + base;
    for (long i = 0; i < m; ++i) y[i] = TanhSmall(x[i]);
    long large[kChunk];
    long count = 0;
    for (long i = 0; i < m; ++i) {
      large[count] = i;
      count += !(std::fabs(x[i]) < 0.625);
    }
    for (long k = 0; k < count; ++k) y[large[k]] = TanhLarge(x[large[k]]);
  }
}

}  // namespace gauntlet::models::internal
