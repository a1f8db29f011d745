#pragma once
// Exact shortcuts of the libm functions the episode calls every step, for arguments of zero.
//
// Private to sim/. Each function returns what its std:: counterpart returns, bit for bit, for every
// argument (NaN and infinities included); at the zero arguments the C standard fixes exactly (C11 Annex
// F: sin(+-0) = +-0, cos(+-0) = 1, tan(+-0) = +-0, atan(+-0) = +-0, atan2(+-0, x > 0) = +-0,
// hypot(x, +-0) = |x|) it answers without the call. Headings along the x axis, zero steering and zero
// lateral motion are common (every straight road built along x), and each libm trigonometric call
// saves and restores the rounding mode, which costs more than the answer.
//
//   const SinCos h = SinCosOf(heading);      // h.sin == std::sin(heading), h.cos == std::cos(heading)

#include <cmath>

namespace gauntlet::sim::internal {

/// sin and cos of one angle.
struct SinCos {
  double sin = 0.0;
  double cos = 1.0;
};

/// {std::sin(x), std::cos(x)}.
[[nodiscard]] inline SinCos SinCosOf(double x) {
  if (x == 0.0) return {x, 1.0};
  return {std::sin(x), std::cos(x)};
}

/// std::cos(x).
[[nodiscard]] inline double Cos(double x) { return x == 0.0 ? 1.0 : std::cos(x); }

/// std::tan(x).
[[nodiscard]] inline double Tan(double x) { return x == 0.0 ? x : std::tan(x); }

/// std::atan(x).
[[nodiscard]] inline double Atan(double x) { return x == 0.0 ? x : std::atan(x); }

/// std::atan2(y, x).
[[nodiscard]] inline double Atan2(double y, double x) { return y == 0.0 && x > 0.0 ? y : std::atan2(y, x); }

/// std::hypot(x, y).
[[nodiscard]] inline double Hypot(double x, double y) {
  if (y == 0.0) return std::fabs(x);
  if (x == 0.0) return std::fabs(y);
  return std::hypot(x, y);
}

}  // namespace gauntlet::sim::internal
