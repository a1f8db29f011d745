#include "scenarios/generators/sobol_sequence.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace gauntlet::scenarios {
namespace {

// The number of primitive polynomials of degree d is phi(2^d - 1) / d.
TEST(SobolSequenceTest, PrimitivePolynomialsAreTheKnownOnes) {
  const std::vector<uint32_t> polys = PrimitivePolynomials(160);
  EXPECT_EQ(std::vector<uint32_t>(polys.begin(), polys.begin() + 6),
            (std::vector<uint32_t>{0b11, 0b111, 0b1011, 0b1101, 0b10011, 0b11001}));
  std::map<int, int> by_degree;
  for (uint32_t p : polys) by_degree[31 - __builtin_clz(p)]++;
  EXPECT_EQ(by_degree,
            (std::map<int, int>{{1, 1}, {2, 1}, {3, 2}, {4, 2}, {5, 6}, {6, 6}, {7, 18}, {8, 16}, {9, 48}, {10, 60}}));
}

// Each coordinate of each aligned block of 2^m points is a (0, m, 1)-net: one point per stratum.
TEST(SobolSequenceTest, EveryCoordinateIsStratified) {
  const size_t dims = 40;
  const SobolSequence sobol(dims, 99);
  const int m = 8;
  const size_t n = size_t{1} << m;
  for (size_t block = 0; block < 3; ++block) {
    std::vector<std::vector<int>> hits(dims, std::vector<int>(n, 0));
    for (size_t i = block * n; i < (block + 1) * n; ++i) {
      const std::vector<double> u = sobol.Point(i);
      for (size_t d = 0; d < dims; ++d) {
        ASSERT_GE(u[d], 0.0);
        ASSERT_LT(u[d], 1.0);
        ++hits[d][static_cast<size_t>(u[d] * static_cast<double>(n))];
      }
    }
    for (size_t d = 0; d < dims; ++d) {
      for (size_t s = 0; s < n; ++s) ASSERT_EQ(hits[d][s], 1) << "dim " << d << " stratum " << s;
    }
  }
}

// Pairs of the first dimensions have t <= 8, so 4096 points put exactly 256 in each 4 x 4 cell;
// the first two (t = 0) put exactly one point in each of 64 x 64 cells.
TEST(SobolSequenceTest, PairsAreStratified) {
  const size_t dims = 12;
  const SobolSequence sobol(dims, 5);
  std::vector<std::vector<double>> points;
  for (size_t i = 0; i < 4096; ++i) points.push_back(sobol.Point(i));
  for (size_t a = 0; a < dims; ++a) {
    for (size_t b = a + 1; b < dims; ++b) {
      std::vector<int> cells(16, 0);
      for (const auto& u : points) ++cells[static_cast<size_t>(u[a] * 4) * 4 + static_cast<size_t>(u[b] * 4)];
      for (int c : cells) ASSERT_EQ(c, 256) << a << "," << b;
    }
  }
  std::vector<int> fine(4096, 0);
  for (const auto& u : points) ++fine[static_cast<size_t>(u[0] * 64) * 64 + static_cast<size_t>(u[1] * 64)];
  for (int c : fine) ASSERT_EQ(c, 1);
}

TEST(SobolSequenceTest, DeterministicAndSeeded) {
  const SobolSequence a(33, 1), b(33, 1), c(33, 2);
  EXPECT_EQ(a.Point(123), b.Point(123));
  EXPECT_NE(a.Point(123), c.Point(123));
  // the unscrambled first dimension is the van der Corput sequence
  EXPECT_EQ(a.RawCoordinate(1, 0), 0x80000000u);
  EXPECT_EQ(a.RawCoordinate(2, 0), 0x40000000u);
  EXPECT_EQ(a.RawCoordinate(3, 0), 0xc0000000u);
}

// A scrambled Sobol estimate of a smooth integral is far better than its point count's Monte Carlo error.
TEST(SobolSequenceTest, IntegratesASmoothFunctionAccurately) {
  const size_t dims = 8;
  const SobolSequence sobol(dims, 11);
  double sum = 0.0;
  const size_t n = 1 << 12;
  for (size_t i = 0; i < n; ++i) {
    const std::vector<double> u = sobol.Point(i);
    double f = 1.0;
    for (double x : u) f *= 1.0 + 0.5 * (x - 0.5);  // integral 1
    sum += f;
  }
  EXPECT_NEAR(sum / n, 1.0, 2e-4);  // Monte Carlo's standard error here is about 1.2e-3
}

}  // namespace
}  // namespace gauntlet::scenarios
