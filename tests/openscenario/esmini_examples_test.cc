// Every esmini example scenario in data/openscenario/xosc either plays (to its StopTrigger or 60 s) or
// is refused with a positioned error that names the element (`file:line:col: error: X is not supported`
// or another positioned error), never a crash or an unpositioned message.

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "openscenario/distribution.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Examples() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xosc"))
    if (e.path().extension() == ".xosc") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(EsminiExamplesTest, EveryExamplePlaysOrIsRefusedAtAPosition) {
  const std::vector<std::string> files = Examples();
  ASSERT_GE(files.size(), 60u) << "the esmini examples are missing from data/openscenario/xosc";
  int played = 0, refused = 0;
  const std::regex positioned(R"(^[^:]+\.(xosc|xodr):[0-9]+:[0-9]+: error: .+)");
  for (const std::string& f : files) {
    SCOPED_TRACE(f);
    try {
      if (openscenario::IsParameterDistribution(f)) {
        const openscenario::ParameterDistribution d = openscenario::LoadParameterDistribution(f);
        for (const auto& set : d.Combinations()) (void)Play(openscenario::LoadScenario(d.scenario_path, set), 0.05, 60.0);
      } else {
        (void)Play(openscenario::LoadScenario(f), 0.05, 60.0);
      }
      ++played;
    } catch (const core::InputError& e) {
      ++refused;
      ASSERT_FALSE(e.diagnostics().empty());
      const std::string first = e.diagnostics().front().Format();
      EXPECT_TRUE(std::regex_match(first, positioned)) << first;
    }
  }
  std::cout << "esmini examples: " << played << " played, " << refused << " refused\n";
  EXPECT_GE(played, 20);
}

TEST(EsminiExamplesTest, KnownExamplesPlay) {
  // scenarios of the supported subset: lane changes, trajectories, synchronisation, left-hand traffic
  for (const std::string name : {"cut-in.xosc", "cut-in_simple.xosc", "lane_change_simple.xosc", "velodrome.xosc",
                                 "left-hand-traffic_by_heading.xosc", "lane-change_clothoid_based_trajectory.xosc",
                                 "straight_500m.xosc", "slow-lead-vehicle.xosc"}) {
    SCOPED_TRACE(name);
    const std::string path = std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xosc/" + name;
    EXPECT_NO_THROW((void)PlayFile(path, 0.05, 60.0));
  }
}

TEST(EsminiExamplesTest, RefusalsNameTheElement) {
  const std::string dir = std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xosc/";
  auto error = [&](const std::string& name) {
    try {
      (void)openscenario::LoadScenario(dir + name);
    } catch (const core::InputError& e) {
      return e.diagnostics().front().Format();
    }
    return std::string("loaded");
  };
  EXPECT_NE(error("speed-profile.xosc").find("SpeedProfileAction is not supported in LongitudinalAction"), std::string::npos);
  EXPECT_NE(error("trajectory-test.xosc").find("Nurbs is not supported in Shape"), std::string::npos);
  EXPECT_NE(error("acc-test.xosc").find("ActivateControllerAction: controller 'ACCController' of 'Ego' is not supported"),
            std::string::npos);
}

}  // namespace
}  // namespace gauntlet::test
