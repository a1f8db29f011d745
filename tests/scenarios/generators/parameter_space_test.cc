#include "scenarios/parameter_space.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "core/normal.h"
#include "core/rng.h"
#include "scenarios/generators/coverage.h"
#include "scenarios/generators/samplers.h"

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

namespace gauntlet::scenarios {
namespace {

/// One parameter of each new kind (and a weighted choice with a zero weight).
std::vector<Parameter> NewKinds() {
  return {
      {.name = "ln", .kind = Kind::kLogNormal, .lo = -kInf, .hi = kInf, .mean = 2.0, .stddev = 1.5},
      {.name = "lnt", .kind = Kind::kLogNormal, .lo = 1.0, .hi = 4.0, .mean = 2.0, .stddev = 1.5},
      {.name = "po", .kind = Kind::kPoisson, .lo = -kInf, .hi = kInf, .mean = 4.5},
      {.name = "pot", .kind = Kind::kPoisson, .lo = 2.0, .hi = 9.0, .mean = 30.0},
      {.name = "big", .kind = Kind::kPoisson, .lo = -kInf, .hi = kInf, .mean = 1e4},
      {.name = "wc", .kind = Kind::kChoice, .choices = {5, 1, 9, 2}, .weights = {1, 0, 3, 0.5}},
      {.name = "h", .kind = Kind::kHistogram, .weights = {1, 0, 3, 0.25}, .edges = {-1, 0, 2, 3, 7}},
  };
}

TEST(NewParameterKindsTest, UnitRoundTripsAndBounds) {
  core::Rng rng(31);
  for (const Parameter& p : NewKinds()) {
    ParameterSpace{{p}}.Validate();
    for (int i = 0; i < 3000; ++i) {
      const double u = rng.Uniform();
      const double v = p.FromUnit(u);
      ASSERT_GE(v, p.Min()) << p.name;
      ASSERT_LE(v, p.Max()) << p.name;
      ASSERT_EQ(p.Nearest(v), v) << p.name << " " << v;  // a value the parameter takes
      if (p.IsContinuous() && p.kind != Kind::kPoisson) {
        EXPECT_NEAR(p.ToUnit(v), u, 1e-9) << p.name;  // u -> value -> u
      } else {
        EXPECT_EQ(p.FromUnit(p.ToUnit(v)), v) << p.name;  // value -> u -> value: the cell's centre
        const double c = p.ToUnit(v);
        EXPECT_EQ(p.FromUnit(c), p.FromUnit(p.ToUnit(p.FromUnit(c)))) << p.name;
      }
    }
    EXPECT_EQ(p.FromUnit(-1.0), p.FromUnit(0.0)) << p.name;  // clamped
    EXPECT_EQ(p.FromUnit(2.0), p.FromUnit(1.0)) << p.name;
    EXPECT_EQ(p.FromUnit(std::nan("")), p.FromUnit(0.0)) << p.name;
  }
}

TEST(NewParameterKindsTest, NominalValuesBoundsAndEdges) {
  const std::vector<Parameter> p = NewKinds();
  const double mu = std::log(2.0) - 0.5 * std::log1p(1.5 * 1.5 / 4.0);
  EXPECT_NEAR(p[0].Nominal(), std::exp(mu), 1e-12);   // the median
  EXPECT_NEAR(p[0].EdgeLo(), std::exp(mu - 3.0 * std::sqrt(std::log1p(1.5 * 1.5 / 4.0))), 1e-9);
  EXPECT_EQ(p[0].Min(), 0.0);
  EXPECT_EQ(p[0].Max(), kInf);
  EXPECT_EQ(p[1].Nominal(), std::exp(mu) < 1.0 ? 1.0 : std::exp(mu));  // clamped into its bounds
  EXPECT_EQ(p[1].EdgeLo(), 1.0);
  EXPECT_EQ(p[1].EdgeHi(), 4.0);
  EXPECT_EQ(p[2].Nominal(), 4.0);  // the Poisson(4.5) median: P(X <= 3) = 0.342, P(X <= 4) = 0.532
  EXPECT_EQ(p[2].Min(), 0.0);
  EXPECT_EQ(p[2].EdgeLo(), 0.0);
  EXPECT_EQ(p[2].EdgeHi(), p[2].FromUnit(core::NormalCdf(3.0)));
  EXPECT_EQ(p[3].Nominal(), 9.0);  // the median 30 clamped
  EXPECT_EQ(p[3].Min(), 2.0);
  EXPECT_EQ(p[3].Max(), 9.0);
  EXPECT_EQ(p[3].FromUnit(0.0), 2.0);
  EXPECT_EQ(p[3].FromUnit(0.5), 9.0);  // mass piles up at the top: P(9) / P(8) = 30 / 9
  EXPECT_NEAR(p[4].Nominal(), 1e4, 1.0);
  EXPECT_EQ(p[5].Nominal(), 9.0);  // the most likely choice
  EXPECT_EQ(p[5].Min(), 2.0);      // 1 has weight 0: not a value
  EXPECT_EQ(p[5].Max(), 9.0);
  EXPECT_EQ(p[5].DiscreteCount(), 3u);
  EXPECT_EQ(p[5].DiscreteValues(), (std::vector<double>{5, 9, 2}));
  EXPECT_EQ(p[5].Nearest(1.2), 2.0);
  EXPECT_EQ(p[6].Min(), -1.0);
  EXPECT_EQ(p[6].Max(), 7.0);
  EXPECT_EQ(p[6].Nearest(1.0), 0.0);  // in the gap [0, 2): the nearest point of a weighted bin
  EXPECT_EQ(p[6].Nearest(1.5), 2.0);
  // the histogram's median: total 4.25, half 2.125 = 1 (bin 1) + 1.125 of 3 in [2, 3)
  EXPECT_NEAR(p[6].Nominal(), 2.0 + 1.125 / 3.0, 1e-12);
  // a single bin is a uniform; a weighted choice with equal weights draws as a plain choice
  const Parameter one{.kind = Kind::kHistogram, .weights = {2}, .edges = {3, 5}};
  const Parameter uniform{.kind = Kind::kUniform, .lo = 3, .hi = 5};
  const Parameter equal{.kind = Kind::kChoice, .choices = {4, 8, 6}, .weights = {2, 2, 2}};
  const Parameter plain{.kind = Kind::kChoice, .choices = {4, 8, 6}};
  core::Rng rng(4);
  for (int i = 0; i < 1000; ++i) {
    const double u = rng.Uniform();
    EXPECT_NEAR(one.FromUnit(u), uniform.FromUnit(u), 1e-12);
    if (std::fabs(u * 3.0 - std::round(u * 3.0)) > 1e-9) {
      EXPECT_EQ(equal.FromUnit(u), plain.FromUnit(u));
    }
  }
  EXPECT_EQ(one.Nominal(), 4.0);
  EXPECT_EQ(equal.Nominal(), 4.0);  // the first of equals
}

TEST(NewParameterKindsTest, DrawsFollowTheLaw) {
  // uniform unit draws through FromUnit (what the random generators do): moments and frequencies
  core::Rng rng(77);
  const std::vector<Parameter> p = NewKinds();
  const int n = 40000;
  std::vector<double> sum(p.size()), sum2(p.size());
  std::vector<int> choice_hits(10), gap_hits(1);
  for (int i = 0; i < n; ++i) {
    for (size_t k = 0; k < p.size(); ++k) {
      const double v = p[k].FromUnit(rng.Uniform());
      sum[k] += v;
      sum2[k] += v * v;
      if (k == 5) ++choice_hits[static_cast<size_t>(v)];
      if (k == 6 && v > 0.0 && v < 2.0) ++gap_hits[0];
    }
  }
  auto mean = [&](size_t k) { return sum[k] / n; };
  auto var = [&](size_t k) { return sum2[k] / n - mean(k) * mean(k); };
  EXPECT_NEAR(mean(0), 2.0, 5.0 * 1.5 / std::sqrt(n));
  EXPECT_NEAR(std::sqrt(var(0)), 1.5, 0.08 * 1.5);
  EXPECT_NEAR(mean(2), 4.5, 5.0 * std::sqrt(4.5 / n));
  EXPECT_NEAR(var(2), 4.5, 0.05 * 4.5);
  EXPECT_NEAR(mean(4), 1e4, 5.0 * std::sqrt(1e4 / n));
  EXPECT_NEAR(var(4), 1e4, 0.05 * 1e4);
  // truncated Poisson on {2..9}: renormalised masses, summed term by term
  double mass = 0.0, m1 = 0.0;
  for (int k = 2; k <= 9; ++k) {
    const double q = std::exp(-30.0 + k * std::log(30.0) - std::lgamma(k + 1.0));
    mass += q;
    m1 += k * q;
  }
  EXPECT_NEAR(mean(3), m1 / mass, 5.0 * 2.0 / std::sqrt(n));
  // weighted choice {5: 1, 1: 0, 9: 3, 2: 0.5} of 4.5
  EXPECT_EQ(choice_hits[1], 0);
  for (const auto& [value, weight] : std::vector<std::pair<int, double>>{{5, 1.0}, {9, 3.0}, {2, 0.5}}) {
    const double q = weight / 4.5;
    EXPECT_NEAR(choice_hits[static_cast<size_t>(value)] / static_cast<double>(n), q, 5.0 * std::sqrt(q * (1 - q) / n));
  }
  // histogram: weight 1 on [-1, 0), gap, 3 on [2, 3), 0.25 on [3, 7): mean of the mixture
  EXPECT_EQ(gap_hits[0], 0);
  const double hm = (1.0 * -0.5 + 3.0 * 2.5 + 0.25 * 5.0) / 4.25;
  EXPECT_NEAR(mean(6), hm, 5.0 * 2.5 / std::sqrt(n));
}

TEST(NewParameterKindsTest, GeneratorsSeeTheRightValues) {
  ParameterSpace space;
  space.parameters = NewKinds();
  // grid: the continuous kinds at `levels` quantiles (a Poisson's integers once), the choice's values
  EXPECT_EQ(space.GridValues(5, 7), (std::vector<double>{5, 9, 2}));
  const std::vector<double> small_poisson = space.GridValues(3, 50);
  // P(X <= 5) = 0.003 < 0.01 (the first midpoint) < P(X <= 6) = 0.016
  EXPECT_EQ(small_poisson, (std::vector<double>{6, 7, 8, 9}));
  EXPECT_EQ(space.GridValues(0, 4).size(), 4u);
  for (double v : space.GridValues(6, 9)) EXPECT_TRUE(v <= 0.0 || v >= 2.0) << v;
  EXPECT_EQ(space.FreeIndices().size(), 7u);
  // edge cases: a Poisson's are integers one apart, a histogram's inside its bins of positive weight
  ParameterSpace edges;
  edges.parameters = {space.parameters[3], space.parameters[6]};
  std::map<std::string, double> at;
  for (const PlannedPoint& point : EdgeCasePoints(edges, {.inside_fraction = 0.2}))
    if (point.label.starts_with("edge:")) at[point.label.substr(5)] = point.values[point.label[5] == 'p' ? 0 : 1];
  EXPECT_EQ(at["pot=lo"], 2.0);
  EXPECT_EQ(at["pot=lo+"], 3.0);
  EXPECT_EQ(at["pot=hi-"], 8.0);
  EXPECT_EQ(at["pot=hi"], 9.0);
  EXPECT_EQ(at["h=lo"], -1.0);
  EXPECT_EQ(at["h=lo+"], 0.0);   // -1 + 0.2 * 8 = 0.6 lies in the gap [0, 2): its nearest value
  EXPECT_EQ(at["h=hi-"], 5.4);
  EXPECT_EQ(at["h=hi"], 7.0);
  // coverage: one cell per value of a weighted choice, whatever its weight
  ParameterSpace choice;
  choice.parameters = {space.parameters[5]};
  CoverageTracker coverage(choice);
  for (double v : {5.0, 9.0}) coverage.Add({v});
  EXPECT_NEAR(coverage.Report().single_fraction, 2.0 / 3.0, 1e-12);
  coverage.Add({2.0});
  EXPECT_EQ(coverage.Report().single_fraction, 1.0);
  ParameterSpace fixed;
  fixed.parameters = {{.name = "one", .kind = Kind::kPoisson, .lo = 2.5, .hi = 3.5, .mean = 8.0},
                      {.name = "w", .kind = Kind::kChoice, .choices = {1, 2}, .weights = {0, 1}}};
  EXPECT_TRUE(fixed.FreeIndices().empty());
  EXPECT_EQ(fixed.NominalPoint(), (std::vector<double>{3, 2}));
}

TEST(NewParameterKindsTest, CheckNamesEveryProblem) {
  ParameterSpace bad;
  const core::SourcePos at{"s.yaml", 3, 5};
  bad.parameters = {
      {.name = "a", .kind = Kind::kLogNormal, .lo = -kInf, .hi = kInf, .mean = -1, .stddev = 1, .pos = at},
      {.name = "b", .kind = Kind::kLogNormal, .lo = -5, .hi = -1, .mean = 1, .stddev = 1, .pos = at},
      {.name = "c", .kind = Kind::kPoisson, .lo = -kInf, .hi = kInf, .mean = 0, .pos = at},
      {.name = "d", .kind = Kind::kPoisson, .lo = 2.2, .hi = 2.8, .mean = 3, .pos = at},
      {.name = "e", .kind = Kind::kChoice, .choices = {1, 2}, .weights = {1}, .pos = at},
      {.name = "f", .kind = Kind::kChoice, .choices = {1, 2}, .weights = {0, 0}, .pos = at},
      {.name = "g", .kind = Kind::kHistogram, .weights = {1, 1}, .edges = {0, 2, 1}, .pos = at},
      {.name = "h", .kind = Kind::kHistogram, .weights = {1, -1}, .edges = {0, 1, 2}, .pos = at},
      {.name = "i", .kind = Kind::kUniform, .lo = 0, .hi = 1, .weights = {1}, .pos = at},
      {.name = "j", .kind = Kind::kPoisson, .lo = 0, .hi = 9, .mean = 3, .nominal = 2.5, .pos = at},
      {.name = "k", .kind = Kind::kChoice, .choices = {1, 2}, .weights = {0, 1}, .nominal = 1, .pos = at},
      {.name = "l", .kind = Kind::kHistogram, .weights = {1, 0, 1}, .edges = {0, 1, 2, 3}, .nominal = 1.5, .pos = at},
      {.name = "m", .kind = Kind::kPoisson, .lo = -kInf, .hi = kInf, .mean = 2e9, .pos = at},
  };
  std::string all;
  for (const core::Diagnostic& d : bad.Check()) all += d.pos.ToString() + ": " + d.message + "\n";
  for (const char* expected :
       {"s.yaml:3:5: parameter 'a': lognormal needs a finite mean > 0 and stddev > 0",
        "parameter 'b': lognormal truncation bounds must satisfy min < max, max > 0",
        "parameter 'c': poisson needs 0 < mean <= 1e9 (got 0)",
        "parameter 'd': poisson bounds must satisfy min <= max and hold an integer",
        "parameter 'e': a weighted choice needs one weight per choice (2), got 1",
        "parameter 'f': a weighted choice needs a positive weight",
        "parameter 'g': a histogram needs at least two finite edges, increasing",
        "parameter 'h': a histogram weights must be finite numbers >= 0 (got -1)",
        "parameter 'i': only a choice or a histogram has weights",
        "parameter 'j': nominal value 2.5 is not one of its values",
        "parameter 'k': nominal value 1 is not one of its values",
        "parameter 'l': nominal value 1.5 is not one of its values",
        "parameter 'm': poisson needs 0 < mean <= 1e9 (got 2e+09)"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << "missing: " << expected << "\nin:\n" << all;
  }
  // and nothing crashes on them
  for (const Parameter& p : bad.parameters) {
    (void)p.FromUnit(0.3);
    (void)p.ToUnit(1.0);
    (void)p.Nominal();
    (void)p.Min();
    (void)p.Max();
  }
}

}  // namespace
}  // namespace gauntlet::scenarios
