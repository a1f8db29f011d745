// Variation files as Gauntlet parameters (scenarios/openscenario_parameters.h): the parameters, the
// way back to .xosc overrides, the laws the player draws from, and the refusals.

#include "scenarios/openscenario_parameters.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "core/rng.h"
#include "openscenario/expression.h"
#include "tests/test_files.h"

namespace gauntlet::test {
namespace {

using openscenario::ParameterSet;
using scenarios::FromParameterDistribution;
using scenarios::OpenScenarioParameters;
using scenarios::Parameter;
using scenarios::ParameterSpace;

/// A variation file in a scratch folder: lines 1-4 the header, `body` from line 5.
std::string Variation(const std::string& name, const std::string& body) {
  const std::string path = FreshDir("osc_params_" + name) + "/" + name + ".xosc";
  std::ofstream(path) << "<?xml version=\"1.0\"?>\n<OpenSCENARIO>\n<ParameterValueDistribution>\n"
                         "<ScenarioFile filepath=\"s.xosc\"/>\n"
                      << body << "</ParameterValueDistribution>\n</OpenSCENARIO>\n";
  return path;
}

OpenScenarioParameters Convert(const std::string& path) {
  return FromParameterDistribution(openscenario::LoadParameterDistribution(path));
}

/// Sorted copy (override order within one set does not matter to a scenario).
ParameterSet Sorted(ParameterSet s) {
  std::sort(s.begin(), s.end());
  return s;
}

TEST(OpenScenarioParametersTest, DeterministicGridReproducesEveryCombination) {
  const std::string path = std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xosc/cut-in_parameter_set.xosc";
  const openscenario::ParameterDistribution d = openscenario::LoadParameterDistribution(path);
  const OpenScenarioParameters p = FromParameterDistribution(d);
  EXPECT_EQ(p.scenario_path, d.scenario_path);
  ASSERT_EQ(p.parameters.size(), 3u);
  EXPECT_EQ(p.parameters[0].name, "value_set_1");
  EXPECT_EQ(p.parameters[0].kind, Parameter::Kind::kChoice);
  EXPECT_EQ(p.parameters[0].choices, (std::vector<double>{0, 1}));
  EXPECT_EQ(p.parameters[1].name, "EgoSpeed");
  EXPECT_EQ(p.parameters[1].kind, Parameter::Kind::kChoice);
  EXPECT_EQ(p.parameters[1].choices, (std::vector<double>{70, 110}));
  EXPECT_EQ(p.parameters[2].name, "TargetSpeedFactor");
  EXPECT_EQ(p.parameters[2].kind, Parameter::Kind::kRange);
  EXPECT_EQ(p.parameters[2].lo, 1.1);
  EXPECT_EQ(p.parameters[2].hi, 1.5);
  EXPECT_EQ(p.parameters[2].step, 0.2);
  EXPECT_EQ(p.parameters[1].pos.line, 18);  // the DeterministicSingleParameterDistribution element
  const ParameterSpace space{p.parameters};
  space.Validate();
  // the full grid, last parameter fastest, is Combinations() in order, values as written
  const std::vector<ParameterSet> combos = d.Combinations();
  size_t k = 0;
  for (double a : space.GridValues(0, 1))
    for (double b : space.GridValues(1, 1))
      for (double c : space.GridValues(2, 1)) {
        ASSERT_LT(k, combos.size());
        EXPECT_EQ(Sorted(p.Overrides({a, b, c})), Sorted(combos[k])) << k;
        ++k;
      }
  EXPECT_EQ(k, combos.size());
  // unit points map onto the same sets (the generators' view)
  EXPECT_EQ(Sorted(p.Overrides(space.FromUnit({0.99, 0.0, 0.5}))),
            Sorted(ParameterSet{{"TargetVehicle", "van_red"}, {"EgoSpeed", "70.0"}, {"TargetSpeedFactor", "1.3"}}));
}

TEST(OpenScenarioParametersTest, TextValuesBecomeAChoiceOfIndices) {
  const OpenScenarioParameters p = Convert(Variation(
      "text", "<Deterministic>\n<DeterministicSingleParameterDistribution parameterName=\"Vehicle\"><DistributionSet>"
              "<Element value=\"car_red\"/><Element value=\"van_red\"/><Element value=\"3\"/></DistributionSet>"
              "</DeterministicSingleParameterDistribution>\n</Deterministic>\n"));
  ASSERT_EQ(p.parameters.size(), 1u);
  EXPECT_EQ(p.parameters[0].choices, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(p.Overrides({0}), (ParameterSet{{"Vehicle", "car_red"}}));
  EXPECT_EQ(p.Overrides({1}), (ParameterSet{{"Vehicle", "van_red"}}));
  EXPECT_EQ(p.Overrides({2}), (ParameterSet{{"Vehicle", "3"}}));
  EXPECT_EQ(p.Overrides({1.4}), (ParameterSet{{"Vehicle", "van_red"}}));  // off the list: the nearest
}

TEST(OpenScenarioParametersTest, StochasticUniformAndNormalDrawWhatThePlayerDraws) {
  const std::string path = Variation(
      "stochastic",
      "<Stochastic numberOfTestRuns=\"10\" randomSeed=\"3\">\n"
      "<StochasticDistribution parameterName=\"u\"><UniformDistribution><Range lowerLimit=\"-2\" upperLimit=\"5\"/>"
      "</UniformDistribution></StochasticDistribution>\n"
      "<StochasticDistribution parameterName=\"n\"><NormalDistribution expectedValue=\"30\" variance=\"16\"/>"
      "</StochasticDistribution>\n"
      "<StochasticDistribution parameterName=\"nt\"><NormalDistribution expectedValue=\"30\" variance=\"16\">"
      "<Range lowerLimit=\"31\" upperLimit=\"40\"/></NormalDistribution></StochasticDistribution>\n"
      "<StochasticDistribution parameterName=\"s\"><ProbabilityDistributionSet><Element value=\"4\" weight=\"2\"/>"
      "<Element value=\"9\" weight=\"2\"/></ProbabilityDistributionSet></StochasticDistribution>\n"
      "<StochasticDistribution parameterName=\"h\"><Histogram><HistogramBin weight=\"2\"><Range lowerLimit=\"1\" "
      "upperLimit=\"3\"/></HistogramBin><HistogramBin weight=\"1\"><Range lowerLimit=\"0\" upperLimit=\"1\"/>"
      "</HistogramBin></Histogram></StochasticDistribution>\n"
      "</Stochastic>\n");
  const openscenario::ParameterDistribution d = openscenario::LoadParameterDistribution(path);
  const OpenScenarioParameters p = FromParameterDistribution(d);
  ASSERT_EQ(p.parameters.size(), 5u);
  EXPECT_EQ(p.parameters[0].kind, Parameter::Kind::kUniform);
  EXPECT_EQ(p.parameters[0].lo, -2.0);
  EXPECT_EQ(p.parameters[0].hi, 5.0);
  EXPECT_EQ(p.parameters[1].kind, Parameter::Kind::kNormal);
  EXPECT_EQ(p.parameters[1].mean, 30.0);
  EXPECT_EQ(p.parameters[1].stddev, 4.0);
  EXPECT_TRUE(std::isinf(p.parameters[1].lo) && std::isinf(p.parameters[1].hi));
  EXPECT_EQ(p.parameters[2].lo, 31.0);
  EXPECT_EQ(p.parameters[2].hi, 40.0);
  EXPECT_EQ(p.parameters[3].kind, Parameter::Kind::kChoice);
  EXPECT_EQ(p.parameters[3].choices, (std::vector<double>{4, 9}));
  EXPECT_EQ(p.parameters[4].kind, Parameter::Kind::kUniform);  // density 1 on [0, 3]
  EXPECT_EQ(p.parameters[4].lo, 0.0);
  EXPECT_EQ(p.parameters[4].hi, 3.0);
  ParameterSpace{p.parameters}.Validate();
  // the same unit number gives the same value through the Gauntlet parameter and the player's draw
  core::Rng rng(11);
  for (int k = 0; k < 2000; ++k) {
    const double u = rng.Uniform();
    for (size_t i = 0; i < 3; ++i)
      ASSERT_EQ(openscenario::FormatNumber(p.parameters[i].FromUnit(u)), d.stochastic->parameters[i].Sample(u))
          << i << " at u = " << u;
  }
  // stochastic sets are points of the space, and back
  for (const ParameterSet& set : d.Samples()) {
    std::vector<double> point;
    for (size_t i = 0; i < set.size(); ++i) point.push_back(std::stod(set[i].second));
    EXPECT_EQ(p.Overrides(point), set);
  }
}

/// Expects the call to throw a core::InputError holding each of `expected`.
void ExpectErrors(const std::string& path, const std::vector<std::string>& expected) {
  const std::string what = InputErrors([&] { (void)Convert(path); });
  for (const auto& x : expected) EXPECT_NE(what.find(x), std::string::npos) << "missing: " << x << "\nin:\n" << what;
}

TEST(OpenScenarioParametersTest, LogNormalPoissonWeightedSetsAndHistogramsBecomeTheirKinds) {
  const std::string path = Variation(
      "kinds",
      "<Stochastic numberOfTestRuns=\"2000\" randomSeed=\"5\">\n"                                          // 5
      "<StochasticDistribution parameterName=\"a\"><LogNormalDistribution expectedValue=\"3\" variance=\"1\">"
      "<Range lowerLimit=\"1\" upperLimit=\"6\"/></LogNormalDistribution></StochasticDistribution>\n"        // 6
      "<StochasticDistribution parameterName=\"b\"><PoissonDistribution expectedValue=\"3\"/>"
      "</StochasticDistribution>\n"                                                                       // 7
      "<StochasticDistribution parameterName=\"c\"><ProbabilityDistributionSet><Element value=\"1\" "
      "weight=\"1\"/><Element value=\"7\" weight=\"0\"/><Element value=\"2\" weight=\"3\"/>"
      "</ProbabilityDistributionSet></StochasticDistribution>\n"                                          // 8
      "<StochasticDistribution parameterName=\"d\"><Histogram><HistogramBin weight=\"3\"><Range lowerLimit=\"1\" "
      "upperLimit=\"2\"/></HistogramBin><HistogramBin weight=\"1\"><Range lowerLimit=\"0\" upperLimit=\"1\"/>"
      "</HistogramBin></Histogram></StochasticDistribution>\n"                                           // 9
      "<StochasticDistribution parameterName=\"e\"><Histogram><HistogramBin weight=\"1\"><Range lowerLimit=\"0\" "
      "upperLimit=\"1\"/></HistogramBin><HistogramBin weight=\"1\"><Range lowerLimit=\"2\" upperLimit=\"3\"/>"
      "</HistogramBin></Histogram></StochasticDistribution>\n"                                           // 10
      "<StochasticDistribution parameterName=\"f\"><ProbabilityDistributionSet><Element value=\"car\" "
      "weight=\"1\"/><Element value=\"van\" weight=\"4\"/></ProbabilityDistributionSet></StochasticDistribution>\n"  // 11
      "<StochasticDistribution parameterName=\"g\"><PoissonDistribution expectedValue=\"50000\">"
      "<Range lowerLimit=\"49000.5\" upperLimit=\"60000\"/></PoissonDistribution></StochasticDistribution>\n"  // 12
      "</Stochastic>\n");
  const openscenario::ParameterDistribution d = openscenario::LoadParameterDistribution(path);
  const OpenScenarioParameters p = FromParameterDistribution(d);
  ASSERT_EQ(p.parameters.size(), 7u);
  const Parameter& a = p.parameters[0];
  EXPECT_EQ(a.kind, Parameter::Kind::kLogNormal);
  EXPECT_EQ(a.mean, 3.0);
  EXPECT_EQ(a.stddev, 1.0);
  EXPECT_EQ(a.lo, 1.0);
  EXPECT_EQ(a.hi, 6.0);
  EXPECT_EQ(a.pos.line, 6);
  EXPECT_EQ(p.parameters[1].kind, Parameter::Kind::kPoisson);
  EXPECT_EQ(p.parameters[1].mean, 3.0);
  EXPECT_TRUE(std::isinf(p.parameters[1].lo) && std::isinf(p.parameters[1].hi));
  EXPECT_EQ(p.parameters[2].kind, Parameter::Kind::kChoice);
  EXPECT_EQ(p.parameters[2].choices, (std::vector<double>{1, 7, 2}));
  EXPECT_EQ(p.parameters[2].weights, (std::vector<double>{1, 0, 3}));
  EXPECT_EQ(p.parameters[3].kind, Parameter::Kind::kHistogram);
  EXPECT_EQ(p.parameters[3].edges, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(p.parameters[3].weights, (std::vector<double>{1, 3}));
  EXPECT_EQ(p.parameters[4].kind, Parameter::Kind::kHistogram);  // a gap: a zero weight
  EXPECT_EQ(p.parameters[4].edges, (std::vector<double>{0, 1, 2, 3}));
  EXPECT_EQ(p.parameters[4].weights, (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(p.parameters[5].choices, (std::vector<double>{0, 1}));  // text: indices, with the weights
  EXPECT_EQ(p.parameters[5].weights, (std::vector<double>{1, 4}));
  EXPECT_EQ(p.parameters[6].kind, Parameter::Kind::kPoisson);
  const ParameterSpace space{p.parameters};
  space.Validate();
  // the same unit number gives the same value through the Gauntlet parameter and the player's draw
  core::Rng rng(12);
  for (int k = 0; k < 2000; ++k) {
    const double u = rng.Uniform();
    for (size_t i = 0; i < 4; ++i)
      ASSERT_EQ(openscenario::FormatNumber(p.parameters[i].FromUnit(u)), d.stochastic->parameters[i].Sample(u))
          << i << " at u = " << u;
    ASSERT_EQ(p.Overrides({0, 0, 0, 0, 0, p.parameters[5].FromUnit(u), 49001}).at(5).second,
              d.stochastic->parameters[5].Sample(u));
    ASSERT_EQ(p.parameters[6].FromUnit(u), d.stochastic->parameters[6].SampleNumber(u));
    // and the gap of 'e' is never drawn
    const double e = p.parameters[4].FromUnit(u);
    ASSERT_TRUE(e <= 1.0 || e >= 2.0) << e;
  }
  // the player's sets are points of the space, and back
  for (const ParameterSet& set : d.Samples()) {
    std::vector<double> point;
    for (size_t i = 0; i < set.size(); ++i)
      point.push_back(i == 5 ? (set[i].second == "car" ? 0.0 : 1.0) : std::stod(set[i].second));
    EXPECT_EQ(p.Overrides(point), set);
    EXPECT_NE(set[2].second, "7");  // weight 0
    EXPECT_GE(std::stod(set[6].second), 49001.0);
  }
}

TEST(OpenScenarioParametersTest, AParameterVariedTwiceIsRefusedAtItsElement) {
  ExpectErrors(Variation("twice",
                         "<Deterministic>\n"  // 5
                         "<DeterministicMultiParameterDistribution><ValueSetDistribution><ParameterValueSet>"
                         "<ParameterAssignment parameterRef=\"speed\" value=\"3\"/></ParameterValueSet></ValueSetDistribution>"
                         "</DeterministicMultiParameterDistribution>\n"  // 6
                         "<DeterministicSingleParameterDistribution parameterName=\"speed\"><DistributionSet>"
                         "<Element value=\"4\"/></DistributionSet></DeterministicSingleParameterDistribution>\n"  // 7
                         "</Deterministic>\n"),
               {"twice.xosc:7:1: error: parameter 'speed' is varied twice (also at ", "twice.xosc:6:1)"});
}

}  // namespace
}  // namespace gauntlet::test
