// A real episode drawn from above: the renderer against the simulator's own trace.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "reports/top_view.h"
#include "sim/episode.h"

namespace gauntlet::reports {
namespace {

/// Ego closes in on a slow lead on a two-lane road that bends left, steering to hold its lane.
sim::WorldSpec RearEndOnABend() {
  sim::WorldSpec world;
  world.time_step_s = 0.01;
  world.duration_s = 8.0;
  sim::RoadSpec road;
  road.id = "main";
  road.lanes = 2;
  road.segments = {{.length_m = 40.0}, {.length_m = 120.0, .curvature_1pm = 1.0 / 80.0}};
  world.road.roads.push_back(road);
  world.actors.resize(2);
  world.actors[0].name = "ego";
  world.actors[0].ego = true;
  world.actors[0].lane = "main:0";
  world.actors[0].s_m = 5.0;
  world.actors[0].speed_mps = 16.0;
  world.actors[1].name = "lead";
  world.actors[1].lane = "main:0";
  world.actors[1].s_m = 45.0;
  world.actors[1].speed_mps = 6.0;
  return world;
}

TEST(TopViewEpisodeTest, DrawsARealRearEndCollision) {
  const sim::WorldSpec world = RearEndOnABend();
  std::vector<core::FieldError> errors;
  const sim::RoadNetwork road = sim::RoadNetwork::Build(world.road, &errors);
  ASSERT_TRUE(errors.empty());
  const std::vector<std::string> names = sim::SignalNames(world);
  const auto index = [&](const std::string& name) {
    return static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  const size_t lateral = index("ego.lateral_offset");
  const size_t heading_error = index("ego.heading_error");
  ASSERT_LT(heading_error, names.size());
  sim::LambdaController controller([&](double, std::span<const double> row, std::span<double>, sim::EgoCommand* cmd) {
    cmd->accel_mps2 = 0.0;
    cmd->steer_rad = 2.7 / 80.0 - 0.8 * row[heading_error] - 0.1 * row[lateral];
  });
  const sim::EpisodeResult result = sim::RunEpisode(world, road, controller, {});
  ASSERT_EQ(result.status, sim::EpisodeStatus::kCompleted) << result.error;
  const auto collision = result.trace.column("collision");
  const auto first = std::find(collision.begin(), collision.end(), 1.0);
  ASSERT_NE(first, collision.end()) << "the ego should run into the lead";
  const double collision_time = result.trace.time()[static_cast<size_t>(first - collision.begin())];

  TopViewOptions options;
  options.title = "rear end on a bend";
  options.subtitle = "ego 16 m/s, lead 6 m/s, 40 m apart";
  options.highlight_time_s = collision_time - 1.0;
  const std::string svg = RenderTopViewSvg(road, result.trace, TopViewActorsOf(world), options);
  EXPECT_NE(svg.find("class=\"collision\""), std::string::npos);
  char expected[64];
  std::snprintf(expected, sizeof expected, ">collision, t = %.2f s</text>", collision_time);
  EXPECT_NE(svg.find(expected), std::string::npos);
  EXPECT_LT(svg.size(), 30000u);
  const std::string path = testing::TempDir() + "/rear_end_on_a_bend.svg";
  std::ofstream(path) << svg;
  if (std::system("command -v xmllint > /dev/null 2>&1") == 0) {
    EXPECT_EQ(std::system(("xmllint --noout '" + path + "'").c_str()), 0) << path;
  }
}

}  // namespace
}  // namespace gauntlet::reports
