#include "scenarios/generators/statistics.h"

#include <cmath>
#include <limits>

#include "core/check.h"

namespace gauntlet::scenarios {
namespace {

// The continued fraction of I_x(a, b) (without its prefactor), by the modified Lentz method; it
// converges fast for x < (a + 1) / (a + b + 2).
double BetaContinuedFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-16;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 100000; ++m) {
    const double md = m;
    // even step: d_2m = m (b - m) x / ((a + 2m - 1)(a + 2m))
    double num = md * (b - md) * x / ((a + 2.0 * md - 1.0) * (a + 2.0 * md));
    d = 1.0 + num * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + num / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    // odd step: d_2m+1 = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
    num = -(a + md) * (a + b + md) * x / ((a + 2.0 * md) * (a + 2.0 * md + 1.0));
    d = 1.0 + num * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + num / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < kEps) break;
  }
  return h;
}

}  // namespace

double LogGamma(double x) {
  GAUNTLET_CHECK(x > 0.0);
  // shift to x >= 15 with Γ(x) = Γ(x + n) / (x (x + 1) ... (x + n - 1)), then Stirling's series
  double shift = 0.0;
  double product = 1.0;
  while (x < 15.0) {
    product *= x;
    x += 1.0;
    if (product > 1e250) {
      shift += std::log(product);
      product = 1.0;
    }
  }
  shift += std::log(product);
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  const double series =
      inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0 - inv2 * (1.0 / 1188.0)))));
  return (x - 0.5) * std::log(x) - x + 0.5 * std::log(2.0 * M_PI) + series - shift;
}

double RegularizedIncompleteBeta(double a, double b, double x) {
  GAUNTLET_CHECK(a > 0.0 && b > 0.0);
  if (!(x > 0.0)) return 0.0;
  if (!(x < 1.0)) return 1.0;
  const double log_front = a * std::log(x) + b * std::log1p(-x) - (LogGamma(a) + LogGamma(b) - LogGamma(a + b));
  if (x < (a + 1.0) / (a + b + 2.0)) return std::exp(log_front) * BetaContinuedFraction(a, b, x) / a;
  return 1.0 - std::exp(log_front) * BetaContinuedFraction(b, a, 1.0 - x) / b;
}

double BetaQuantile(double p, double a, double b) {
  if (!(p > 0.0)) return 0.0;
  if (!(p < 1.0)) return 1.0;
  double lo = 0.0, hi = 1.0;
  for (int i = 0; i < 1100; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (RegularizedIncompleteBeta(a, b, mid) < p) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

Interval ClopperPearson(size_t failures, size_t trials, double confidence) {
  GAUNTLET_CHECK(failures <= trials && confidence > 0.0 && confidence < 1.0);
  if (trials == 0) return {0.0, 1.0};
  const double alpha = 1.0 - confidence;
  const double k = static_cast<double>(failures);
  const double n = static_cast<double>(trials);
  Interval interval;
  interval.lo = failures == 0 ? 0.0 : BetaQuantile(alpha / 2.0, k, n - k + 1.0);
  interval.hi = failures == trials ? 1.0 : BetaQuantile(1.0 - alpha / 2.0, k + 1.0, n - k);
  return interval;
}

StopDecision Decide(const StoppingRule& rule, size_t failures, size_t trials) {
  if (rule.stop_on_failure && failures > 0) return StopDecision::kFailureFound;
  if (rule.target_upper > 0.0 && trials >= rule.min_trials && trials > 0 &&
      ClopperPearson(failures, trials, rule.confidence).hi < rule.target_upper) {
    return StopDecision::kUpperBoundBelowTarget;
  }
  return StopDecision::kContinue;
}

size_t TrialsForUpperBound(double target_upper, double confidence) {
  GAUNTLET_CHECK(target_upper > 0.0 && target_upper < 1.0 && confidence > 0.0 && confidence < 1.0);
  // with no failure the upper bound is 1 - (alpha/2)^(1/n)
  const double alpha = 1.0 - confidence;
  double estimate = std::floor(std::log(alpha / 2.0) / std::log1p(-target_upper));
  auto n = static_cast<size_t>(std::max(1.0, estimate - 2.0));
  while (ClopperPearson(0, n, confidence).hi >= target_upper) ++n;
  while (n > 1 && ClopperPearson(0, n - 1, confidence).hi < target_upper) --n;
  return n;
}

}  // namespace gauntlet::scenarios
