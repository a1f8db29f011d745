#include "core/rng.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace gauntlet::core {
namespace {

TEST(RngTest, StreamsAreReproducibleAndDistinct) {
  Rng a = Rng::ForInstance(42, "lead_brake", 7);
  Rng b = Rng::ForInstance(42, "lead_brake", 7);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.NextU64(), b.NextU64());
  std::set<uint64_t> seeds;
  for (uint64_t i = 0; i < 1000; ++i) seeds.insert(Rng::InstanceSeed(42, "lead_brake", i));
  seeds.insert(Rng::InstanceSeed(43, "lead_brake", 0));
  seeds.insert(Rng::InstanceSeed(42, "cut_in", 0));
  EXPECT_EQ(seeds.size(), 1002u);
}

TEST(RngTest, KnownValuesPinTheGeneratorAcrossPlatforms) {
  // Pinned: results files record seeds, so a change here changes every recorded run.
  // (values computed by an independent Python implementation of FNV-1a, SplitMix64 and xoshiro256**)
  EXPECT_EQ(StableHash("lead_brake"), 0x3a5d07814e76c8c1ULL);
  Rng rng(1);
  EXPECT_EQ(rng.NextU64(), 0xc5883e370b0926c3ULL);
  EXPECT_EQ(rng.NextU64(), 0x021b74b80f71f81cULL);
}

TEST(RngTest, UniformAndNormalMoments) {
  Rng rng(123);
  double sum = 0, sum2 = 0, nsum = 0, nsum2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = rng.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum2 += u * u;
    const double z = rng.Normal();
    nsum += z;
    nsum2 += z * z;
  }
  EXPECT_NEAR(sum / n, 0.5, 0.005);
  EXPECT_NEAR(sum2 / n - 0.25, 1.0 / 12.0, 0.003);
  EXPECT_NEAR(nsum / n, 0.0, 0.01);
  EXPECT_NEAR(nsum2 / n, 1.0, 0.01);
}

TEST(RngTest, UniformIntIsInRangeAndCoversIt) {
  Rng rng(5);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 7000; ++i) ++counts[rng.UniformInt(7)];
  for (int c : counts) EXPECT_GT(c, 800);
}

TEST(RngTest, ForkDependsOnPurposeNotPosition) {
  Rng a(9);
  Rng b(9);
  b.NextU64();
  EXPECT_EQ(a.Fork("noise").NextU64(), b.Fork("noise").NextU64());
  EXPECT_NE(a.Fork("noise").NextU64(), a.Fork("dropout").NextU64());
}

}  // namespace
}  // namespace gauntlet::core
