#include "core/normal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/rng.h"

namespace gauntlet::core {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(NormalQuantileTest, KnownValues) {
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-14);
  EXPECT_NEAR(NormalQuantile(0.5), 0.0, 1e-16);
  EXPECT_NEAR(NormalQuantile(0.001), -3.090232306167813, 1e-13);
  EXPECT_EQ(NormalQuantile(0.0), -kInf);
  EXPECT_EQ(NormalQuantile(1.0), kInf);
}

TEST(NormalQuantileTest, InvertsTheCdfOverManyDecades) {
  core::Rng rng(1);
  for (int i = 0; i < 5000; ++i) {
    const double p = std::pow(10.0, -rng.Uniform(0.0, 300.0));
    const double z = NormalQuantile(p);
    EXPECT_NEAR(NormalCdf(z) / p, 1.0, 1e-12) << p;
    if (p > 1e-8) {
      EXPECT_NEAR(NormalQuantile(1.0 - p), -z, 1e-6);
    }
  }
}

TEST(TruncatedNormalQuantileTest, MatchesTheClosedFormAndStaysInItsBounds) {
  // untruncated: the plain quantile; the median of a one-sided truncation at the mean is the 75% point
  EXPECT_NEAR(TruncatedNormalQuantile(0.975, 3.0, 2.0, -kInf, kInf), 3.0 + 2.0 * 1.959963984540054, 1e-13);
  EXPECT_NEAR(TruncatedNormalQuantile(0.5, 10.0, 2.0, 10.0, kInf), 10.0 + 2.0 * NormalQuantile(0.75), 1e-12);
  // both bounds far in the upper tail (Φ rounds to 1 there): still inside, and increasing
  double last = -kInf;
  for (double u = 0.0; u < 1.0; u += 0.125) {
    const double v = TruncatedNormalQuantile(u, 0.0, 1.0, 12.0, 13.0);
    EXPECT_GE(v, 12.0);
    EXPECT_LE(v, 13.0);
    EXPECT_GT(v, last);
    last = v;
  }
  // out-of-range and NaN coordinates clamp
  EXPECT_EQ(TruncatedNormalQuantile(-1.0, 0.0, 1.0, -1.0, 1.0), -1.0);
  EXPECT_EQ(TruncatedNormalQuantile(std::nan(""), 0.0, 1.0, -1.0, 1.0), -1.0);
  EXPECT_LE(TruncatedNormalQuantile(2.0, 0.0, 1.0, -1.0, 1.0), 1.0);
}

}  // namespace
}  // namespace gauntlet::core
