// Parameter variation files: the deterministic sets they define (openscenario/distribution.h).

#include "openscenario/distribution.h"

#include <gtest/gtest.h>

#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

using openscenario::LoadParameterDistribution;
using openscenario::ParameterSet;

TEST(DistributionTest, EsminiParameterSetFile) {
  const std::string path = std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xosc/cut-in_parameter_set.xosc";
  ASSERT_TRUE(openscenario::IsParameterDistribution(path));
  const openscenario::ParameterDistribution d = LoadParameterDistribution(path);
  EXPECT_EQ(d.scenario_path, std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xosc/cut-in.xosc");
  const std::vector<ParameterSet> sets = d.Combinations();
  // 2 value sets x 2 speeds x 3 factors (1.1, 1.3, 1.5 by 0.2)
  ASSERT_EQ(sets.size(), 12u);
  EXPECT_EQ(sets[0], (ParameterSet{{"HostVehicle", "car_blue"}, {"TargetVehicle", "car_yellow"}, {"EgoSpeed", "70.0"},
                                   {"TargetSpeedFactor", "1.1"}}));
  EXPECT_EQ(sets[1].back(), (std::pair<std::string, std::string>{"TargetSpeedFactor", "1.3"}));
  EXPECT_EQ(sets[2].back(), (std::pair<std::string, std::string>{"TargetSpeedFactor", "1.5"}));
  EXPECT_EQ(sets[11], (ParameterSet{{"TargetVehicle", "van_red"}, {"EgoSpeed", "110.0"}, {"TargetSpeedFactor", "1.5"}}));
  EXPECT_FALSE(openscenario::IsParameterDistribution(std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xosc/cut-in.xosc"));
}

TEST(DistributionTest, UnknownElementsAreErrors) {
  const std::string path = WriteXosc(
      "unknown_pvd",
      "<?xml version=\"1.0\"?>\n<OpenSCENARIO>\n<FileHeader revMajor=\"1\" revMinor=\"2\" date=\"x\" description=\"\" "
      "author=\"\"/>\n<ParameterValueDistribution>\n<ScenarioFile filepath=\"s.xosc\"/>\n<Random "
      "numberOfTestRuns=\"5\"/>\n</ParameterValueDistribution>\n</OpenSCENARIO>\n");
  try {
    (void)LoadParameterDistribution(path);
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("unknown_pvd.xosc:6:1: error: Random is not supported in ParameterValueDistribution; supported: "
                        "ScenarioFile, Deterministic, Stochastic"),
              std::string::npos)
        << what;
  }
}

}  // namespace
}  // namespace gauntlet::test
