#include "scenarios/generators/statistics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.h"

namespace gauntlet::scenarios {
namespace {

TEST(StatisticsTest, LogGammaKnownValues) {
  EXPECT_NEAR(LogGamma(1.0), 0.0, 1e-14);
  EXPECT_NEAR(LogGamma(2.0), 0.0, 1e-14);
  EXPECT_NEAR(LogGamma(0.5), 0.5 * std::log(M_PI), 1e-14);
  double log_factorial = 0.0;
  for (int n = 1; n < 170; ++n) {
    EXPECT_NEAR(LogGamma(n + 1.0), log_factorial + std::log(static_cast<double>(n)),
                1e-13 * std::max(1.0, log_factorial));
    log_factorial += std::log(static_cast<double>(n));
  }
  EXPECT_NEAR(LogGamma(1e-8), -std::log(1e-8) - 0.5772156649015329 * 1e-8, 1e-12);
}

TEST(StatisticsTest, IncompleteBetaClosedForms) {
  core::Rng rng(4);
  for (int i = 0; i < 2000; ++i) {
    const double x = rng.Uniform();
    const double b = rng.Uniform(0.1, 50.0);
    EXPECT_NEAR(RegularizedIncompleteBeta(1.0, b, x), 1.0 - std::pow(1.0 - x, b), 1e-13);
    EXPECT_NEAR(RegularizedIncompleteBeta(b, 1.0, x), std::pow(x, b), 1e-13);
    EXPECT_NEAR(RegularizedIncompleteBeta(0.5, 0.5, x), 2.0 / M_PI * std::asin(std::sqrt(x)), 1e-13);
  }
}

// For integer a, b: I_x(a, b) = P(Binomial(a + b - 1, x) >= a), summed naively in long double.
TEST(StatisticsTest, IncompleteBetaMatchesTheBinomialTail) {
  core::Rng rng(8);
  for (int i = 0; i < 3000; ++i) {
    const int a = 1 + static_cast<int>(rng.UniformInt(60));
    const int b = 1 + static_cast<int>(rng.UniformInt(60));
    const double x = rng.Uniform();
    const int n = a + b - 1;
    long double tail = 0.0L;
    for (int j = a; j <= n; ++j) {
      const long double log_choose = std::lgamma(n + 1.0L) - std::lgamma(j + 1.0L) - std::lgamma(n - j + 1.0L);
      tail += std::exp(log_choose + j * std::log(static_cast<long double>(x)) +
                       (n - j) * std::log1p(-static_cast<long double>(x)));
    }
    EXPECT_NEAR(RegularizedIncompleteBeta(a, b, x), static_cast<double>(tail), 1e-12) << a << " " << b << " " << x;
  }
}

TEST(StatisticsTest, ClopperPearsonKnownValues) {
  Interval ci = ClopperPearson(0, 10);
  EXPECT_EQ(ci.lo, 0.0);
  EXPECT_NEAR(ci.hi, 0.308497, 1e-6);
  EXPECT_NEAR(ci.hi, 1.0 - std::pow(0.025, 0.1), 1e-14);
  ci = ClopperPearson(5, 10);
  EXPECT_NEAR(ci.lo, 0.187086, 1e-6);
  EXPECT_NEAR(ci.hi, 0.812914, 1e-6);
  ci = ClopperPearson(10, 10);
  EXPECT_NEAR(ci.lo, std::pow(0.025, 0.1), 1e-14);
  EXPECT_EQ(ci.hi, 1.0);
  ci = ClopperPearson(1, 100);  // R: binom.test(1, 100)$conf.int
  EXPECT_NEAR(ci.lo, 0.0002531460, 1e-9);
  EXPECT_NEAR(ci.hi, 0.0544593854, 1e-9);
  ci = ClopperPearson(0, 0);
  EXPECT_EQ(ci.lo, 0.0);
  EXPECT_EQ(ci.hi, 1.0);
}

// The bounds are where the binomial tails equal alpha/2, and k and n - k mirror each other.
TEST(StatisticsTest, ClopperPearsonDefiningProperty) {
  core::Rng rng(2);
  for (int i = 0; i < 300; ++i) {
    const size_t n = 1 + rng.UniformInt(2000);
    const size_t k = rng.UniformInt(n + 1);
    const Interval ci = ClopperPearson(k, n);
    const Interval mirror = ClopperPearson(n - k, n);
    EXPECT_NEAR(ci.lo, 1.0 - mirror.hi, 1e-12);
    EXPECT_LE(ci.lo, static_cast<double>(k) / static_cast<double>(n));
    EXPECT_GE(ci.hi, static_cast<double>(k) / static_cast<double>(n));
    // P(X >= k | p = lo) = alpha/2 and P(X <= k | p = hi) = alpha/2
    if (k > 0) {
      EXPECT_NEAR(RegularizedIncompleteBeta(k, n - k + 1.0, ci.lo), 0.025, 1e-10);
    }
    if (k < n) {
      EXPECT_NEAR(1.0 - RegularizedIncompleteBeta(k + 1.0, n - k, ci.hi), 0.025, 1e-10);
    }
  }
}

TEST(StatisticsTest, StoppingRule) {
  const StoppingRule rule{.target_upper = 0.01, .stop_on_failure = true, .min_trials = 10};
  const size_t needed = TrialsForUpperBound(0.01);
  EXPECT_LT(ClopperPearson(0, needed).hi, 0.01);
  EXPECT_GE(ClopperPearson(0, needed - 1).hi, 0.01);
  EXPECT_EQ(needed, 368u);  // ln(0.025) / ln(0.99) = 367.04
  EXPECT_EQ(Decide(rule, 0, needed - 1), StopDecision::kContinue);
  EXPECT_EQ(Decide(rule, 0, needed), StopDecision::kUpperBoundBelowTarget);
  EXPECT_EQ(Decide(rule, 1, 3), StopDecision::kFailureFound);
  EXPECT_EQ(Decide({.target_upper = 0.5, .min_trials = 10}, 0, 9), StopDecision::kContinue);
  EXPECT_EQ(Decide({}, 5, 1000), StopDecision::kContinue);
}

}  // namespace
}  // namespace gauntlet::scenarios
