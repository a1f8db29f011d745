// Every esmini example scenario in data/openscenario/xosc either plays (to its StopTrigger or 60 s) or
// is refused with a positioned error that names the element (`file:line:col: error: X is not supported`
// or another positioned error), never a crash or an unpositioned message.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
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

// The examples refused, each with what its first error names (esmini's own controllers,
// traffic, and files that name
// catalogs or roads which are not there); every other example plays.
const std::map<std::string, std::string>& Refused() {
  static const std::map<std::string, std::string> refused = {
      {"acc-toggle.xosc", "ActivateControllerAction: controller 'InteractiveController'"},
      {"alks_cut-out.xosc", "ALKS_R157SM_Controller: model 'ReferenceDriver' is not supported"},
      {"alks_decelerate.xosc", "ALKS_R157SM_Controller: model 'ReferenceDriver' is not supported"},
      {"alks_pedestrian.xosc", "ALKS_R157SM_Controller: model 'ReferenceDriver' is not supported"},
      {"auto_light.xosc", "CatalogReference: no catalog named 'VehicleCa"},
      {"car_walk.xosc", "LogicFile: the road network 'c:/eknabe1/GIT/e"},
      {"controller_test.xosc", "ActivateControllerAction: controller 'SloppyDriverController'"},
      {"cut-in_external.xosc", "ActivateControllerAction: controller 'ExternalController'"},
      {"cut-in_interactive.xosc", "ActivateControllerAction: controller 'InteractiveController'"},
      {"cut-in_sloppy.xosc", "ActivateControllerAction: controller 'SloppyDriverController'"},
      {"distance_test.xosc", "ActivateControllerAction: controller 'InteractiveController'"},
      {"drive_when_close.xosc", "ActivateControllerAction: controller 'InteractiveController'"},
      {"follow_ghost.xosc", "ActivateControllerAction: controller 'FollowGhostController'"},
      {"follow_reference.xosc", "ActivateControllerAction: controller 'FollowReferenceController'"},
      {"follow_reference_interactive.xosc", "ActivateControllerAction: controller 'InteractiveController'"},
      {"highway_driver.xosc", "ActivateControllerAction: controller 'NaturalDriver'"},
      {"highway_merge_advanced.xosc", "ActivateControllerAction: controller 'InteractiveController'"},
      {"light_state.xosc", "CatalogReference: no catalog named 'MiscObjec"},
      {"ltap-od-relative-speed.xosc", "ActivateControllerAction: controller 'InteractiveController'"},
      {"ltap-od.xosc", "ActivateControllerAction: controller 'InteractiveController'"},
      {"offroad_follower.xosc", "ActivateControllerAction: controller 'InteractiveController'"},
      {"parking_demo.xosc", "Trajectory: closed=\"true\" is not supported"},
      {"parking_lot.xosc", "ActivateControllerAction: controller 'InteractiveController'"},
      {"swarm.xosc", "TrafficAction is not supported"},
      {"synchronize.xosc", "ActivateControllerAction: controller 'InteractiveController'"},
  };
  return refused;
}

TEST(EsminiExamplesTest, EveryExamplePlaysOrIsRefusedAtAPosition) {
  const std::vector<std::string> files = Examples();
  ASSERT_EQ(files.size(), 69u) << "the esmini examples are missing from data/openscenario/xosc";
  int played = 0, refused = 0;
  const std::regex positioned(R"(^[^:]+\.(xosc|xodr):[0-9]+:[0-9]+: error: .+)");
  for (const std::string& f : files) {
    SCOPED_TRACE(f);
    const std::string name = fs::path(f).filename().string();
    const auto expected = Refused().find(name);
    try {
      if (openscenario::IsParameterDistribution(f)) {
        const openscenario::ParameterDistribution d = openscenario::LoadParameterDistribution(f);
        for (const auto& set : d.Combinations()) (void)Play(openscenario::LoadScenario(d.scenario_path, set), 0.05, 60.0);
      } else {
        (void)Play(openscenario::LoadScenario(f), 0.05, 60.0);
      }
      ++played;
      EXPECT_EQ(expected, Refused().end()) << name << " played but should be refused: " << expected->second;
    } catch (const core::InputError& e) {
      ++refused;
      ASSERT_FALSE(e.diagnostics().empty());
      const std::string first = e.diagnostics().front().Format();
      EXPECT_TRUE(std::regex_match(first, positioned)) << first;
      ASSERT_NE(expected, Refused().end()) << name << " is refused: " << first;
      EXPECT_NE(first.find(expected->second), std::string::npos) << first;
    }
  }
  std::cout << "esmini examples: " << played << " played, " << refused << " refused\n";
  EXPECT_EQ(played, 44);
  EXPECT_EQ(refused, static_cast<int>(Refused().size()));
}

TEST(EsminiExamplesTest, KnownExamplesPlay) {
  // scenarios of the supported subset: lane changes, trajectories, synchronisation, left-hand traffic,
  // speed profiles, longitudinal distances, relative clearance, traffic signals
  for (const std::string name : {"cut-in.xosc", "cut-in_simple.xosc", "lane_change_simple.xosc", "velodrome.xosc",
                                 "left-hand-traffic_by_heading.xosc", "lane-change_clothoid_based_trajectory.xosc",
                                 "straight_500m.xosc", "slow-lead-vehicle.xosc", "speed-profile.xosc", "drop-bike.xosc",
                                 "highway_merge.xosc", "long_dist_action_with_jerk.xosc", "two_plus_one_road.xosc",
                                 "traffic_lights.xosc", "keep_lateral_distance.xosc"}) {
    SCOPED_TRACE(name);
    const std::string path = std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xosc/" + name;
    EXPECT_NO_THROW((void)PlayFile(path, 0.05, 60.0));
  }
}

// Examples that play since the elements they use are supported: twice alike (deterministic), every
// position finite, no entity jumping more than 60 m/s * step between steps, and their events as esmini
// runs them.
TEST(EsminiExamplesTest, NewlySupportedExamplesPlaySanely) {
  const std::map<std::string, std::vector<std::string>> cases = {
      {"keep_lateral_distance.xosc",
       {"18.050: event LateralDistanceMaxAccEvent start", "24.150: event LateralDistanceMaxAccEvent end",
        "29.200: storyboard stop"}},
      {"lane-change_clothoid_spline_based_trajectory.xosc",
       {"6.200: event LaneChangeEvent end", "10.100: event SingleClothoidEvent end",
        "14.650: event DiscontinuousHeadingEvent end", "26.650: event TrajectoryWithTimestamps end",
        "29.700: storyboard stop"}},
      {"trajectory-test.xosc",
       {"12.000: event FollowTrajectoryNurbsEvent start", "24.150: event FollowTrajectoryNurbsEvent end",
        "29.200: storyboard stop"}},
  };
  for (const auto& [name, lines] : cases) {
    SCOPED_TRACE(name);
    const std::string path = std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xosc/" + name;
    const PlayResult a = PlayFile(path, 0.05, 60.0);
    const PlayResult b = PlayFile(path, 0.05, 60.0);
    EXPECT_EQ(a.lines, b.lines);
    ASSERT_EQ(a.states.size(), b.states.size());
    for (size_t k = 0; k < a.states.size(); ++k)
      for (size_t e = 0; e < a.states[k].size(); ++e) {
        const auto& s = a.states[k][e];
        ASSERT_TRUE(std::isfinite(s.x) && std::isfinite(s.y) && std::isfinite(s.heading) && std::isfinite(s.speed));
        EXPECT_EQ(s.x, b.states[k][e].x);
        EXPECT_EQ(s.y, b.states[k][e].y);
        if (k > 0) {
          EXPECT_LE(std::hypot(s.x - a.states[k - 1][e].x, s.y - a.states[k - 1][e].y), 60.0 * 0.05) << k;
        }
      }
    for (const std::string& l : lines) EXPECT_TRUE(a.Printed(l)) << l;
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
  EXPECT_NE(error("cut-in_sloppy.xosc")
                .find("ActivateControllerAction: controller 'SloppyDriverController' of 'OverTaker' is not supported"),
            std::string::npos);
}

}  // namespace
}  // namespace gauntlet::test
