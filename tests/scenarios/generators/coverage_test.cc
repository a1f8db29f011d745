#include "scenarios/generators/coverage.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/normal.h"
#include "core/rng.h"
#include "scenarios/generators/samplers.h"

namespace gauntlet::scenarios {
namespace {

using Kind = Parameter::Kind;

ParameterSpace Space() {
  ParameterSpace space;
  space.parameters = {{.name = "a", .kind = Kind::kUniform, .lo = 0, .hi = 10},
                      {.name = "k", .kind = Kind::kConstant, .nominal = 2},
                      {.name = "c", .kind = Kind::kChoice, .choices = {4, 8, 6}},
                      {.name = "n", .kind = Kind::kNormal, .lo = -INFINITY, .hi = INFINITY, .mean = 0, .stddev = 1},
                      {.name = "r", .kind = Kind::kRange, .lo = 0, .hi = 1, .step = 0.25}};
  return space;
}

// Naive reference: the cell of each parameter by direct arithmetic, sets of hit cells.
TEST(CoverageTest, MatchesANaiveCount) {
  const ParameterSpace space = Space();
  core::Rng rng(3);
  for (int trial = 0; trial < 50; ++trial) {
    const size_t n = rng.UniformInt(60);
    const auto points = UniformPoints(space, n, rng.NextU64());
    CoverageTracker tracker(space);
    auto naive_cell = [](size_t free, const std::vector<double>& v) -> size_t {
      switch (free) {
        case 0:
          return std::min<size_t>(static_cast<size_t>(v[0]), 9);  // 10 bins of width 1
        case 1:
          return v[2] == 4 ? 0 : v[2] == 8 ? 1 : 2;  // by position in the list
        case 2:
          return std::min<size_t>(static_cast<size_t>(10 * core::NormalCdf(v[3])), 9);  // equal probability
        default:
          return static_cast<size_t>(std::lround(v[4] * 4));
      }
    };
    const size_t cells[4] = {10, 3, 10, 5};
    std::vector<std::set<size_t>> single(4);
    std::vector<std::set<std::pair<size_t, size_t>>> pairs(6);
    for (const PlannedPoint& p : points) {
      tracker.Add(p.values);
      size_t k = 0;
      for (size_t a = 0; a < 4; ++a) {
        single[a].insert(naive_cell(a, p.values));
        for (size_t b = a + 1; b < 4; ++b) pairs[k++].insert({naive_cell(a, p.values), naive_cell(b, p.values)});
      }
    }
    const CoverageReport report = tracker.Report();
    ASSERT_EQ(report.parameters.size(), 4u);
    ASSERT_EQ(report.pairs.size(), 6u);
    size_t hit = 0, total = 0;
    for (size_t a = 0; a < 4; ++a) {
      EXPECT_EQ(report.parameters[a].cells, cells[a]);
      EXPECT_EQ(report.parameters[a].hit, single[a].size());
      hit += single[a].size();
      total += cells[a];
    }
    EXPECT_DOUBLE_EQ(report.single_fraction, static_cast<double>(hit) / static_cast<double>(total));
    hit = total = 0;
    size_t k = 0;
    for (size_t a = 0; a < 4; ++a) {
      for (size_t b = a + 1; b < 4; ++b, ++k) {
        EXPECT_EQ(report.pairs[k].cells, cells[a] * cells[b]);
        EXPECT_EQ(report.pairs[k].hit, pairs[k].size());
        hit += pairs[k].size();
        total += cells[a] * cells[b];
      }
    }
    EXPECT_DOUBLE_EQ(report.pairwise_fraction, static_cast<double>(hit) / static_cast<double>(total));
    EXPECT_EQ(report.points, n);
  }
}

TEST(CoverageTest, MergeEqualsAddingEverything) {
  const ParameterSpace space = Space();
  const auto points = SobolPoints(space, 100, 1);
  CoverageTracker all(space), first(space), second(space);
  for (size_t i = 0; i < points.size(); ++i) {
    all.Add(points[i].values);
    (i < 37 ? first : second).Add(points[i].values);
  }
  second.Merge(first);
  const CoverageReport a = all.Report(), b = second.Report();
  EXPECT_EQ(a.single_fraction, b.single_fraction);
  EXPECT_EQ(a.pairwise_fraction, b.pairwise_fraction);
  EXPECT_EQ(a.points, b.points);
}

TEST(CoverageTest, LatinHypercubeOfTenCoversEverySingleBin) {
  ParameterSpace space;
  for (int i = 0; i < 3; ++i) space.parameters.push_back({.name = "x" + std::to_string(i), .lo = 0, .hi = 1});
  CoverageTracker tracker(space);
  for (const auto& p : LatinHypercubePoints(space, 10, 5)) tracker.Add(p.values);
  const CoverageReport report = tracker.Report();
  EXPECT_EQ(report.single_fraction, 1.0);
  EXPECT_DOUBLE_EQ(report.pairwise_fraction, 0.1);  // 10 points hit 10 of 100 cells per pair
  EXPECT_EQ(CoverageTracker(space).Report().single_fraction, 0.0);
}

}  // namespace
}  // namespace gauntlet::scenarios
