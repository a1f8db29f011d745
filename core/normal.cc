#include "core/normal.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gauntlet::core {
namespace {

constexpr double kUnitMax = 1.0 - 0x1.0p-53;  // the largest double below 1
constexpr double kUnitMin = 0x1.0p-53;

}  // namespace

double NormalUpperTail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double NormalQuantile(double p) {
  if (std::isnan(p)) return p;
  if (p <= 0.0) return -std::numeric_limits<double>::infinity();
  if (p >= 1.0) return std::numeric_limits<double>::infinity();
  if (p > 0.5) return -NormalQuantile(1.0 - p);
  // rational approximation (Acklam), lower half
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  // two Halley steps on Φ(x) - p
  for (int i = 0; i < 2; ++i) {
    const double e = NormalCdf(x) - p;
    const double u = e * std::sqrt(2.0 * M_PI) * std::exp(0.5 * x * x);
    x = x - u / (1.0 + 0.5 * x * u);
  }
  return x;
}

double TruncatedNormalQuantile(double u, double mean, double stddev, double lo, double hi) {
  u = u >= 0.0 ? std::min(u, kUnitMax) : 0.0;  // also NaN
  const double a = (lo - mean) / stddev;
  const double b = (hi - mean) / stddev;
  if (std::isinf(a) || std::isinf(b)) u = std::max(u, kUnitMin);
  double z;
  if (a > 0.0) {  // both bounds in the upper tail: work with Q for precision
    const double qa = NormalUpperTail(a);
    const double qb = NormalUpperTail(b);
    z = -NormalQuantile(qa - u * (qa - qb));
  } else {
    const double pa = NormalCdf(a);
    const double pb = NormalCdf(b);
    z = NormalQuantile(pa + u * (pb - pa));
  }
  return std::clamp(mean + stddev * z, lo, hi);
}

double TruncatedNormalCdf(double value, double mean, double stddev, double lo, double hi) {
  value = std::clamp(value, lo, hi);
  const double a = (lo - mean) / stddev;
  const double b = (hi - mean) / stddev;
  const double z = (value - mean) / stddev;
  if (a > 0.0) {
    const double qa = NormalUpperTail(a);
    const double qb = NormalUpperTail(b);
    return (qa - NormalUpperTail(z)) / (qa - qb);
  }
  const double pa = NormalCdf(a);
  const double pb = NormalCdf(b);
  return (NormalCdf(z) - pa) / (pb - pa);
}

}  // namespace gauntlet::core
