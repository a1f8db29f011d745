#include "sim/internal/trig.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace gauntlet::sim::internal {
namespace {

// Bit for bit, so that -0 and +0 (and NaN payloads) count as different.
void ExpectSame(double expected, double got, double x, double y) {
  EXPECT_EQ(std::bit_cast<uint64_t>(expected), std::bit_cast<uint64_t>(got)) << "x=" << x << " y=" << y;
}

std::vector<double> Arguments() {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> xs = {0.0,  -0.0, 1.0,  -1.0, 1e-320, -1e-320, 1e-300, kInf, -kInf,
                            std::numeric_limits<double>::quiet_NaN(), 3.141592653589793, -1.5707963267948966};
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> wide(-1e6, 1e6), narrow(-4.0, 4.0);
  for (int i = 0; i < 20000; ++i) xs.push_back(i % 2 == 0 ? wide(rng) : narrow(rng));
  return xs;
}

TEST(TrigTest, EveryShortcutEqualsItsLibmFunctionBitForBit) {
  const std::vector<double> xs = Arguments();
  for (const double x : xs) {
    const SinCos h = SinCosOf(x);
    ExpectSame(std::sin(x), h.sin, x, 0.0);
    ExpectSame(std::cos(x), h.cos, x, 0.0);
    ExpectSame(std::cos(x), Cos(x), x, 0.0);
    ExpectSame(std::tan(x), Tan(x), x, 0.0);
    ExpectSame(std::atan(x), Atan(x), x, 0.0);
  }
  // pairs: every special value against every other, and random pairs with zeros mixed in
  std::vector<double> ys(xs.begin(), xs.begin() + 12);
  std::mt19937_64 rng(5);
  for (size_t i = 0; i < xs.size(); ++i) {
    const double x = xs[i];
    for (const double y : {ys[rng() % ys.size()], xs[(i * 7919) % xs.size()], 0.0, -0.0}) {
      ExpectSame(std::atan2(y, x), Atan2(y, x), x, y);
      ExpectSame(std::atan2(x, y), Atan2(x, y), y, x);
      ExpectSame(std::hypot(x, y), Hypot(x, y), x, y);
      ExpectSame(std::hypot(y, x), Hypot(y, x), y, x);
    }
  }
}

}  // namespace
}  // namespace gauntlet::sim::internal
