#include "scenarios/generators/samplers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace gauntlet::scenarios {
namespace {

using Kind = Parameter::Kind;

ParameterSpace MixedSpace() {
  ParameterSpace space;
  space.parameters = {
      {.name = "gap_m", .kind = Kind::kUniform, .lo = 10, .hi = 60},
      {.name = "noise", .kind = Kind::kNormal, .lo = -1, .hi = 1, .mean = 0, .stddev = 0.5, .perturbation = true},
      {.name = "lanes", .kind = Kind::kChoice, .choices = {2, 3, 4}},
      {.name = "fixed", .kind = Kind::kConstant, .nominal = 7},
      {.name = "speed", .kind = Kind::kRange, .lo = 10, .hi = 30, .step = 5},
  };
  return space;
}

ParameterSpace UnitCube(size_t k) {
  ParameterSpace space;
  for (size_t i = 0; i < k; ++i) {
    space.parameters.push_back({.name = "x" + std::to_string(i), .kind = Kind::kUniform, .lo = 0, .hi = 1});
  }
  return space;
}

TEST(SamplersTest, SameSeedSamePointsOtherSeedOtherPoints) {
  const ParameterSpace space = MixedSpace();
  EXPECT_EQ(UniformPoints(space, 50, 3), UniformPoints(space, 50, 3));
  EXPECT_EQ(SobolPoints(space, 50, 3), SobolPoints(space, 50, 3));
  EXPECT_EQ(LatinHypercubePoints(space, 50, 3), LatinHypercubePoints(space, 50, 3));
  EXPECT_NE(UniformPoints(space, 50, 3), UniformPoints(space, 50, 4));
  EXPECT_NE(SobolPoints(space, 50, 3), SobolPoints(space, 50, 4));
  EXPECT_NE(LatinHypercubePoints(space, 50, 3), LatinHypercubePoints(space, 50, 4));
  // a prefix of a longer run is the shorter run
  const auto long_run = SobolPoints(space, 80, 3);
  EXPECT_EQ(std::vector<PlannedPoint>(long_run.begin(), long_run.begin() + 50), SobolPoints(space, 50, 3));
}

TEST(SamplersTest, PointsStayInTheSpaceAndConstantsStayPut) {
  const ParameterSpace space = MixedSpace();
  for (const auto& points :
       {UniformPoints(space, 200, 1), SobolPoints(space, 200, 1), LatinHypercubePoints(space, 200, 1)}) {
    for (const PlannedPoint& p : points) {
      ASSERT_EQ(p.values.size(), 5u);
      EXPECT_GE(p.values[0], 10);
      EXPECT_LE(p.values[0], 60);
      EXPECT_GE(p.values[1], -1);
      EXPECT_LE(p.values[1], 1);
      EXPECT_TRUE(p.values[2] == 2 || p.values[2] == 3 || p.values[2] == 4);
      EXPECT_EQ(p.values[3], 7);
      EXPECT_EQ(std::fmod(p.values[4], 5.0), 0.0);
    }
  }
}

TEST(SamplersTest, LatinHypercubeHasOnePointPerStratum) {
  for (size_t n : {1u, 7u, 100u, 1000u}) {
    const ParameterSpace space = UnitCube(6);
    const auto points = LatinHypercubePoints(space, n, n * 31);
    for (size_t d = 0; d < 6; ++d) {
      std::vector<int> hits(n, 0);
      for (const PlannedPoint& p : points)
        ++hits[static_cast<size_t>(std::floor(p.values[d] * static_cast<double>(n)))];
      EXPECT_EQ(std::count(hits.begin(), hits.end(), 1), static_cast<long>(n)) << "n " << n << " dim " << d;
    }
  }
}

TEST(SamplersTest, SobolPointsAreStratifiedInValueSpace) {
  const ParameterSpace space = UnitCube(5);
  const auto points = SobolPoints(space, 128, 17);
  for (size_t d = 0; d < 5; ++d) {
    std::set<size_t> strata;
    for (const PlannedPoint& p : points) strata.insert(static_cast<size_t>(p.values[d] * 128));
    EXPECT_EQ(strata.size(), 128u);
  }
  EXPECT_EQ(points[0].label, "sobol");
}

TEST(SamplersTest, GridEnumeratesFirstParameterSlowest) {
  ParameterSpace space;
  space.parameters = {{.name = "a", .kind = Kind::kUniform, .lo = 0, .hi = 1},
                      {.name = "b", .kind = Kind::kChoice, .choices = {5, 6}},
                      {.name = "c", .kind = Kind::kConstant, .nominal = 1}};
  const auto grid = GridPoints(space, 3, 100);
  ASSERT_EQ(grid.size(), 6u);
  const std::vector<std::vector<double>> expected = {{0, 5, 1},   {0, 6, 1}, {0.5, 5, 1},
                                                     {0.5, 6, 1}, {1, 5, 1}, {1, 6, 1}};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(grid[i].values, expected[i]);
    EXPECT_EQ(grid[i].label, "grid");
  }
  try {
    (void)GridPoints(space, 100, 150, {"suite.yaml", 12, 9});
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_STREQ(e.what(),
                 "suite.yaml:12:9: error: a grid of 200 points is more than the limit of 150 "
                 "(lower 'levels' or raise 'count')");
  }
}

bool HasPoint(const std::vector<PlannedPoint>& points, const std::vector<double>& values, const std::string& label) {
  return std::any_of(points.begin(), points.end(),
                     [&](const PlannedPoint& p) { return p.values == values && p.label == label; });
}

TEST(EdgeCasesTest, BoundsJustInsideAndNominal) {
  const ParameterSpace space = MixedSpace();
  const auto points = EdgeCasePoints(space, {.inside_fraction = 0.01, .corner_budget = 64});
  const std::vector<double> nominal = {35, 0, 2, 7, 10};
  EXPECT_EQ(points[0].values, nominal);
  EXPECT_EQ(points[0].label, "nominal");
  auto with = [&](size_t i, double v) {
    std::vector<double> p = nominal;
    p[i] = v;
    return p;
  };
  EXPECT_TRUE(HasPoint(points, with(0, 10), "edge:gap_m=lo"));
  EXPECT_TRUE(HasPoint(points, with(0, 10.5), "edge:gap_m=lo+"));
  EXPECT_TRUE(HasPoint(points, with(0, 59.5), "edge:gap_m=hi-"));
  EXPECT_TRUE(HasPoint(points, with(0, 60), "edge:gap_m=hi"));
  EXPECT_TRUE(HasPoint(points, with(1, -1), "edge:noise=lo"));
  EXPECT_TRUE(HasPoint(points, with(1, 1), "edge:noise=hi"));
  EXPECT_TRUE(HasPoint(points, with(2, 2), "edge:lanes=lo"));
  EXPECT_TRUE(HasPoint(points, with(2, 3), "edge:lanes=lo+"));
  EXPECT_TRUE(HasPoint(points, with(2, 4), "edge:lanes=hi"));
  EXPECT_FALSE(HasPoint(points, with(2, 3), "edge:lanes=hi-"));  // a repeat of lo+
  EXPECT_TRUE(HasPoint(points, with(4, 10), "edge:speed=lo"));
  EXPECT_TRUE(HasPoint(points, with(4, 15), "edge:speed=lo+"));
  EXPECT_TRUE(HasPoint(points, with(4, 25), "edge:speed=hi-"));
  EXPECT_TRUE(HasPoint(points, with(4, 30), "edge:speed=hi"));
  for (const PlannedPoint& p : points) EXPECT_EQ(p.values[3], 7);
  // 4 free parameters: all 16 corners
  EXPECT_EQ(std::count_if(points.begin(), points.end(), [](const PlannedPoint& p) { return p.label == "corner"; }), 16);
  EXPECT_TRUE(HasPoint(points, {10, -1, 2, 7, 10}, "corner"));
  EXPECT_TRUE(HasPoint(points, {60, 1, 4, 7, 30}, "corner"));
  EXPECT_TRUE(HasPoint(points, {60, -1, 4, 7, 10}, "corner"));
}

TEST(EdgeCasesTest, UnboundedNormalUsesThreeSigma) {
  ParameterSpace space;
  space.parameters = {{.name = "n", .kind = Kind::kNormal, .lo = -INFINITY, .hi = INFINITY, .mean = 1, .stddev = 2}};
  const auto points = EdgeCasePoints(space, {});
  EXPECT_TRUE(HasPoint(points, {-5}, "edge:n=lo"));
  EXPECT_TRUE(HasPoint(points, {7}, "edge:n=hi"));
}

TEST(EdgeCasesTest, ManyParametersGetACoveringDesign) {
  const size_t k = 20;
  const ParameterSpace space = UnitCube(k);
  const auto points = EdgeCasePoints(space, {.corner_budget = 64});
  std::vector<std::vector<double>> corners;
  for (const PlannedPoint& p : points) {
    if (p.label == "corner:cover") corners.push_back(p.values);
    EXPECT_NE(p.label, "corner");
  }
  EXPECT_EQ(corners.size(), 8u);  // C(7, 4) = 35 >= 20 > C(6, 4)
  for (size_t a = 0; a < k; ++a) {
    for (size_t b = a + 1; b < k; ++b) {
      std::set<std::pair<double, double>> seen;
      for (const auto& c : corners) seen.insert({c[a], c[b]});
      EXPECT_EQ(seen, (std::set<std::pair<double, double>>{{0, 0}, {0, 1}, {1, 0}, {1, 1}})) << a << "," << b;
    }
  }
  EXPECT_EQ(points.size(), 1 + 4 * k + 8);
}

}  // namespace
}  // namespace gauntlet::scenarios
