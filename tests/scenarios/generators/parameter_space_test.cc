#include "scenarios/parameter_space.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/normal.h"
#include "core/rng.h"

namespace gauntlet::scenarios {
namespace {

using Kind = Parameter::Kind;
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ParameterTest, NominalDefaults) {
  EXPECT_EQ((Parameter{.kind = Kind::kUniform, .lo = 2, .hi = 6}).Nominal(), 4.0);
  EXPECT_EQ((Parameter{.kind = Kind::kNormal, .lo = -kInf, .hi = kInf, .mean = 3, .stddev = 1}).Nominal(), 3.0);
  EXPECT_EQ((Parameter{.kind = Kind::kNormal, .lo = 5, .hi = kInf, .mean = 3, .stddev = 1}).Nominal(), 5.0);
  EXPECT_EQ((Parameter{.kind = Kind::kChoice, .choices = {7, 1, 3}}).Nominal(), 7.0);
  EXPECT_EQ((Parameter{.kind = Kind::kRange, .lo = 10, .hi = 20, .step = 5}).Nominal(), 10.0);
  EXPECT_EQ((Parameter{.kind = Kind::kUniform, .lo = 2, .hi = 6, .nominal = 2.5}).Nominal(), 2.5);
}

TEST(ParameterTest, RangeIncludesAStopOnTheStep) {
  EXPECT_EQ((Parameter{.kind = Kind::kRange, .lo = 0, .hi = 1, .step = 0.1}).DiscreteCount(), 11u);
  EXPECT_EQ((Parameter{.kind = Kind::kRange, .lo = 0, .hi = 1, .step = 0.3}).DiscreteCount(), 4u);
  const Parameter p{.kind = Kind::kRange, .lo = 0, .hi = 1, .step = 0.3};
  EXPECT_DOUBLE_EQ(p.Max(), 0.9);
  EXPECT_EQ(p.FromUnit(0.0), 0.0);
  EXPECT_DOUBLE_EQ(p.FromUnit(0.99), 0.9);
  EXPECT_DOUBLE_EQ(p.FromUnit(0.26), 0.3);
}

TEST(ParameterTest, ChoiceFloorsTheUnitCoordinate) {
  const Parameter p{.kind = Kind::kChoice, .choices = {5, 1, 9}};
  EXPECT_EQ(p.FromUnit(0.0), 5.0);
  EXPECT_EQ(p.FromUnit(0.34), 1.0);
  EXPECT_EQ(p.FromUnit(0.999999), 9.0);
  EXPECT_EQ(p.FromUnit(1.0), 9.0);  // clamped
  EXPECT_EQ(p.Min(), 1.0);
  EXPECT_EQ(p.Max(), 9.0);
}

// The map and its inverse agree on every kind, for thousands of random unit points.
TEST(ParameterTest, UnitRoundTrip) {
  const std::vector<Parameter> params = {
      {.kind = Kind::kUniform, .lo = -3, .hi = 17},
      {.kind = Kind::kNormal, .lo = -kInf, .hi = kInf, .mean = 1, .stddev = 2},
      {.kind = Kind::kNormal, .lo = 0, .hi = 1, .mean = 0.3, .stddev = 0.2},
      {.kind = Kind::kNormal, .lo = 4, .hi = 6, .mean = 0, .stddev = 1},  // deep upper tail
      {.kind = Kind::kNormal, .lo = -kInf, .hi = -2, .mean = 0, .stddev = 1},
  };
  core::Rng rng(7);
  for (const Parameter& p : params) {
    for (int i = 0; i < 3000; ++i) {
      const double u = rng.Uniform();
      const double v = p.FromUnit(u);
      ASSERT_GE(v, p.Min());
      ASSERT_LE(v, p.Max());
      EXPECT_NEAR(p.ToUnit(v), u, 1e-9) << v;
      if (p.kind == Kind::kNormal) {  // naive reference: the truncated CDF of v is u
        const double a = core::NormalCdf((p.lo - p.mean) / p.stddev), b = core::NormalCdf((p.hi - p.mean) / p.stddev);
        if (b - a > 1e-3) {
          EXPECT_NEAR((core::NormalCdf((v - p.mean) / p.stddev) - a) / (b - a), u, 1e-9);
        }
      }
    }
  }
  const Parameter choice{.kind = Kind::kChoice, .choices = {5, 1, 9, 2}};
  const Parameter range{.kind = Kind::kRange, .lo = -1, .hi = 2, .step = 0.25};
  for (int i = 0; i < 3000; ++i) {
    const double u = rng.Uniform();
    EXPECT_EQ(choice.FromUnit(choice.ToUnit(choice.FromUnit(u))), choice.FromUnit(u));
    EXPECT_EQ(range.FromUnit(range.ToUnit(range.FromUnit(u))), range.FromUnit(u));
  }
}

TEST(ParameterSpaceTest, GridValuesAndHelpers) {
  ParameterSpace space;
  space.parameters = {{.name = "a", .kind = Kind::kUniform, .lo = 0, .hi = 10},
                      {.name = "b", .kind = Kind::kChoice, .choices = {3, 4}},
                      {.name = "c", .kind = Kind::kConstant, .nominal = 9},
                      {.name = "d", .kind = Kind::kRange, .lo = 1, .hi = 3, .step = 1}};
  EXPECT_EQ(space.GridValues(0, 3), (std::vector<double>{0, 5, 10}));
  EXPECT_EQ(space.GridValues(0, 1), (std::vector<double>{5}));
  EXPECT_EQ(space.GridValues(1, 3), (std::vector<double>{3, 4}));
  EXPECT_EQ(space.GridValues(2, 3), (std::vector<double>{9}));
  EXPECT_EQ(space.GridValues(3, 3), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(space.GridLevels(3, 7), 3u);
  EXPECT_EQ(space.FreeIndices(), (std::vector<size_t>{0, 1, 3}));
  EXPECT_EQ(space.NominalPoint(), (std::vector<double>{5, 3, 9, 1}));
  EXPECT_EQ(space.LowerBounds(), (std::vector<double>{0, 3, 9, 1}));
  EXPECT_EQ(space.UpperBounds(), (std::vector<double>{10, 4, 9, 3}));
  EXPECT_EQ(space.IndexOf("d"), 3u);
  EXPECT_EQ(space.IndexOf("e"), 4u);
  EXPECT_EQ(space.FromUnit({0.5, 0.5, 0.5, 0.0}), (std::vector<double>{5, 4, 9, 1}));
}

TEST(ParameterSpaceTest, ValidateListsEveryProblem) {
  ParameterSpace space;
  space.parameters = {
      {.name = "gap", .kind = Kind::kUniform, .lo = 5, .hi = 1, .pos = {"s.yaml", 3, 5}},
      {.name = "gap", .kind = Kind::kChoice, .pos = {"s.yaml", 4, 5}},
      {.name = "noise",
       .kind = Kind::kNormal,
       .lo = -kInf,
       .hi = kInf,
       .mean = 0,
       .stddev = 0,
       .pos = {"s.yaml", 5, 5}},
      {.name = "lanes", .kind = Kind::kRange, .lo = 1, .hi = 3, .step = 1, .nominal = 2.5, .pos = {"s.yaml", 6, 5}},
      {.name = "speed", .kind = Kind::kUniform, .lo = 0, .hi = 1, .nominal = 2, .pos = {"s.yaml", 7, 5}},
  };
  try {
    space.Validate();
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    EXPECT_STREQ(e.what(),
                 "s.yaml:3:5: error: parameter 'gap': uniform bounds must be finite with lo <= hi (got 5, 1)\n"
                 "s.yaml:4:5: error: duplicate parameter 'gap'\n"
                 "s.yaml:4:5: error: parameter 'gap': a choice needs at least one value\n"
                 "s.yaml:5:5: error: parameter 'noise': normal needs a finite mean and stddev > 0 (got stddev 0)\n"
                 "s.yaml:6:5: error: parameter 'lanes': nominal value 2.5 is not one of its values\n"
                 "s.yaml:7:5: error: parameter 'speed': nominal value 2 is not one of its values");
  }
  ParameterSpace good;
  good.parameters = {{.name = "x", .kind = Kind::kRange, .lo = 0, .hi = 1, .step = 0.1, .nominal = 0.3}};
  EXPECT_TRUE(good.Check().empty());
}

}  // namespace
}  // namespace gauntlet::scenarios
