// The evaluator's tanh (models/internal/tanh.h) against a long double reference on millions of
// arguments: relative error within 4 * 2^-53 everywhere, exact at the special values.

#include "models/internal/tanh.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "core/rng.h"

namespace gauntlet::models::internal {
namespace {

constexpr double kU = 0x1.0p-53;

double RelativeError(double x) {
  const long double exact = std::tanh(static_cast<long double>(x));
  const long double got = Tanh(x);
  if (exact == 0.0L) return got == 0.0L ? 0.0 : std::numeric_limits<double>::infinity();
  return static_cast<double>(std::fabs((got - exact) / exact));
}

TEST(TanhTest, WithinFourUnitsOfRoundoffOfALongDoubleReference) {
  core::Rng rng(2026);
  double worst = 0.0, worst_x = 0.0;
  auto check = [&](double x) {
    const double e = RelativeError(x);
    if (e > worst) {
      worst = e;
      worst_x = x;
    }
  };
  // dense around the branch point and over the range where tanh is not +-1
  for (int i = 0; i < 1'000'000; ++i) check(rng.Uniform(-20.0, 20.0));
  for (int i = 0; i < 500'000; ++i) check(rng.Uniform(-0.7, 0.7));
  for (int i = 0; i < 100'000; ++i) check(0.625 + rng.Uniform(-1e-6, 1e-6));
  // log-uniform magnitudes from subnormal to huge, both signs
  for (int i = 0; i < 500'000; ++i) {
    const double x = std::ldexp(1.0 + rng.Uniform(), static_cast<int>(rng.UniformInt(2100)) - 1075);
    check(rng.Uniform() < 0.5 ? -x : x);
  }
  EXPECT_LE(worst, 4.0 * kU) << "worst at x = " << worst_x << " (" << worst / kU << " * 2^-53)";
  std::printf("worst relative error %.2f * 2^-53 at x = %.17g\n", worst / kU, worst_x);
}

TEST(TanhTest, OddAndExactAtSpecialValues) {
  EXPECT_EQ(Tanh(0.0), 0.0);
  EXPECT_TRUE(std::signbit(Tanh(-0.0)));
  EXPECT_EQ(Tanh(std::numeric_limits<double>::infinity()), 1.0);
  EXPECT_EQ(Tanh(-std::numeric_limits<double>::infinity()), -1.0);
  EXPECT_TRUE(std::isnan(Tanh(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_EQ(Tanh(std::numeric_limits<double>::denorm_min()), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(Tanh(1e300), 1.0);
  EXPECT_EQ(Tanh(-710.0), -1.0);  // exp(1420) overflows to inf
  core::Rng rng(7);
  for (int i = 0; i < 10'000; ++i) {
    const double x = rng.Uniform(-30.0, 30.0);
    EXPECT_EQ(Tanh(-x), -Tanh(x));
    EXPECT_LE(std::fabs(Tanh(x)), 1.0);
  }
}

TEST(TanhTest, ArrayEqualsTheScalarFormBitForBit) {
  // values on both sides of 0.625, the special values, lengths across the 64-value chunks
  core::Rng rng(17);
  std::vector<double> in;
  for (int i = 0; i < 1000; ++i) in.push_back(rng.Uniform(-3.0, 3.0));
  for (double v : {0.0, -0.0, 0.625, -0.625, std::nextafter(0.625, 0.0), std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(), 1e300,
                   std::numeric_limits<double>::denorm_min()}) {
    in.insert(in.begin() + static_cast<long>(in.size() / 2), v);
  }
  for (const size_t n : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{65}, in.size()}) {
    std::vector<double> out(n, 7.0);
    TanhArray(in.data(), static_cast<long>(n), out.data());
    for (size_t i = 0; i < n; ++i) {
      const double want = Tanh(in[i]);
      EXPECT_EQ(std::memcmp(&want, &out[i], sizeof want), 0) << "x=" << in[i] << " n=" << n;
    }
  }
}

}  // namespace
}  // namespace gauntlet::models::internal
