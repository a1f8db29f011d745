// gauntlet import: an OpenSCENARIO scenario written as a Gauntlet scenario that `gauntlet check`
// accepts and whose other actors move as `gauntlet play` moves them; every esmini example either
// imports or is refused with positioned reasons.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "openscenario/import.h"
#include "scenarios/scenario.h"
#include "scenarios/yaml_writer.h"
#include "sim/episode.h"
#include "tests/app/command_runner.h"
#include "tests/test_files.h"

namespace gauntlet::test {
namespace {

const std::string kFixtures = std::string(GAUNTLET_SOURCE_DIR) + "/tests/openscenario/testdata/import/";

/// A CSV trace's columns by name.
std::map<std::string, std::vector<double>> ReadCsv(const std::string& path) {
  std::istringstream in(ReadFile(path));
  std::string line;
  std::getline(in, line);
  std::vector<std::string> names;
  for (std::istringstream h(line); std::getline(h, line, ',');) names.push_back(line);
  std::map<std::string, std::vector<double>> out;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    for (size_t i = 0; std::getline(row, line, ','); ++i) out[names.at(i)].push_back(std::stod(line));
  }
  return out;
}

struct Expectation {
  std::string actor;
  double center_x = 0.0;   ///< the box centre ahead of the reference point (the fixture's vehicles: 1.3)
  double tolerance = 0.0;  ///< m
  double lane_change_from = 0.0;  ///< while a lane change runs (from, to), `lane_change_extra` more
  double lane_change_to = 0.0;
  double lane_change_extra = 0.0;
  double after_lane_change = 0.0;  ///< from its start on, this much more (the player's shorter way along the lane)
};

/// How much less a player's entity advances along its lane during a sinusoidal lane change of `d`
/// metres over `duration` at `speed` (m/s) with step `dt`: the player moves speed * dt along its path
/// each step, so of the step's way sqrt((speed dt)^2 - dy^2) goes along the lane (dy the step's
/// lateral move); sim keeps the whole speed along the lane.
double LaneChangeShortfall(double d, double duration, double speed, double dt) {
  double out = 0.0;
  auto profile = [&](double t) { return d * (1.0 - std::cos(M_PI * std::clamp(t / duration, 0.0, 1.0))) / 2.0; };
  for (double t = dt; t < duration + 0.5 * dt; t += dt) {
    const double dy = profile(t) - profile(t - dt);
    out += speed * dt - std::sqrt(speed * dt * speed * dt - dy * dy);
  }
  return out;
}

/// Imports `name`.xosc, checks the file, plays the scenario as written and runs the written world
/// with the ego at a constant command; every other actor's box centre must agree within its tolerance
/// at every step.
void ExpectImportReproducesPlay(const std::string& name, const std::vector<Expectation>& actors) {
  const std::string dir = FreshDir("import_" + name);
  const std::string yaml = dir + "/" + name + ".yaml";
  ASSERT_EQ(RunGauntlet({"import", kFixtures + name + ".xosc", "--out", yaml}, dir), 0) << ReadFile(dir + "/stderr.txt");
  ASSERT_EQ(RunGauntlet({"check", yaml}, dir), 0) << ReadFile(dir + "/stdout.txt") << ReadFile(dir + "/stderr.txt");
  RunGauntlet({"play", kFixtures + name + ".xosc", "--trace", dir + "/play.csv"}, dir);
  const auto play = ReadCsv(dir + "/play.csv");

  const std::shared_ptr<const scenarios::Scenario> scenario = scenarios::LoadScenario(yaml);
  // the file reads back to the world the import made (scenarios/yaml_writer.h round trip)
  EXPECT_EQ(scenarios::ToYamlFields(scenario->world), scenarios::ToYamlFields(openscenario::ImportScenario(kFixtures + name + ".xosc").world));
  sim::LambdaController still([](double, std::span<const double>, std::span<double>, sim::EgoCommand* c) {
    c->accel_mps2 = 0.0;
    c->steer_rad = 0.0;
  });
  const sim::EpisodeResult run = sim::RunEpisode(scenario->world, still);
  ASSERT_EQ(run.status, sim::EpisodeStatus::kCompleted) << run.error;
  const std::vector<double>& time = play.at("time");
  ASSERT_EQ(run.trace.time().size(), time.size());
  for (const Expectation& e : actors) {
    const auto& px = play.at(e.actor + ".x");
    const auto& py = play.at(e.actor + ".y");
    const auto& ph = play.at(e.actor + ".heading");
    const auto sx = run.trace.column(e.actor + ".x");
    const auto sy = run.trace.column(e.actor + ".y");
    double worst = 0.0;
    for (size_t k = 0; k < time.size(); ++k) {
      ASSERT_NEAR(run.trace.time()[k], time[k], 1e-9);
      const double cx = px[k] + e.center_x * std::cos(ph[k]);
      const double cy = py[k] + e.center_x * std::sin(ph[k]);
      const bool changing = time[k] > e.lane_change_from + 1e-9 && time[k] < e.lane_change_to - 1e-9;
      const bool after = e.lane_change_to > 0.0 && time[k] > e.lane_change_from + 1e-9;
      worst = std::max(worst, std::hypot(sx[k] - cx, sy[k] - cy));
      ASSERT_LE(std::hypot(sx[k] - cx, sy[k] - cy),
                e.tolerance + (changing ? e.lane_change_extra : 0.0) + (after ? e.after_lane_change : 0.0))
          << e.actor << " at t = " << time[k];
    }
    std::cout << name << ": " << e.actor << " deviates at most " << worst << " m (tolerance " << e.tolerance << ")\n";
  }
}

// Tolerances. Along the lane: the player moves an entity by its speed at the end of the step times the
// step; sim integrates a constant acceleration within the step (the mean of the speeds at its ends),
// so each speed change of |dv| leaves sim 0.5 |dv| dt behind or ahead (dt = 0.05 s). On a curve: the
// player's box centre is center_x ahead on the tangent at the reference point, sim's on the lane's arc:
// center_x^2 k / 2 apart sideways (k the lane's curvature). During a lane change: sim moves the box
// centre along the lateral profile, the player the reference point, the centre following center_x
// ahead along the heading: center_x sin(heading error) <= center_x v_lateral / v apart sideways, the
// sinusoidal profile's peak lateral speed being pi d / (2 T); and the player moves the entity its
// speed along its path, which leaves it LaneChangeShortfall behind along the lane for good (sim keeps
// the speed along the lane: the import warns). Plus 1e-6 m of rounding.
constexpr double kDt = 0.05;

TEST(ImportCommandTest, StraightRoadReproducesPlayedPositions) {
  // the lead changes lanes (3.5 m in 2 s, sinusoidal) from t = 6 at 10 m/s
  const double lateral = 1.3 * (M_PI * 3.5 / (2.0 * 2.0)) / 10.0;
  const double shortfall = LaneChangeShortfall(3.5, 2.0, 10.0, kDt);
  EXPECT_NEAR(shortfall, M_PI * M_PI * 3.5 * 3.5 / (16.0 * 10.0 * 2.0), 0.02);  // the small-angle closed form
  ExpectImportReproducesPlay("straight", {{"Lead", 1.3, 0.5 * kDt * (10.0 + 0.4) + 1e-6, 6.0, 8.0, lateral, shortfall},
                                          {"Oncoming", 1.3, 0.5 * kDt * 4.0 + 1e-6},
                                          {"Walker", 0.0, 1e-6}});
}

TEST(ImportCommandTest, ArcRoadReproducesPlayedPositions) {
  // lane -1's centre is 1.75 m outside the reference line of the left bend: k = 0.01 / (1 + 0.01 * 1.75);
  // lane -2's at 5.25 m has a smaller one
  const double bend = 1.3 * 1.3 * (0.01 / 1.0175) / 2.0;
  ExpectImportReproducesPlay("arc", {{"Leader", 1.3, 0.5 * kDt * 4.0 + bend + 1e-6}, {"Follower", 1.3, bend + 1e-6}});
}

TEST(ImportCommandTest, TheWrittenFileSaysWhatWasGenerated) {
  const std::string dir = FreshDir("import_text");
  ASSERT_EQ(RunGauntlet({"import", kFixtures + "straight.xosc", "--out", dir + "/s.yaml"}, dir), 0);
  const std::string text = ReadFile(dir + "/s.yaml");
  EXPECT_TRUE(text.starts_with("# Generated by `gauntlet import` from ")) << text;
  EXPECT_NE(text.find("  slot: acc\n"), std::string::npos);
  EXPECT_NE(text.find("    - {name: gap_m, expr: Lead.gap}\n"), std::string::npos) << text;
  EXPECT_NE(text.find("formula: always (Walker.gap > 0)"), std::string::npos);
  EXPECT_NE(text.find("event: \"Lead.change.end\""), std::string::npos) << text;
  const std::string err = ReadFile(dir + "/stderr.txt");
  // the ego's own event is a warning at its place
  EXPECT_NE(err.find("straight.xosc:127:13: warning: Event 'ego_brake' acts on the ego 'Ego'"), std::string::npos) << err;
  // --ego picks another entity: its events are then the ones left out
  ASSERT_EQ(RunGauntlet({"import", kFixtures + "straight.xosc", "--out", dir + "/o.yaml", "--ego", "Oncoming"}, dir), 0)
      << ReadFile(dir + "/stderr.txt");
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("Event 'oncoming_slow' acts on the ego 'Oncoming'"), std::string::npos);
  EXPECT_EQ(RunGauntlet({"import", kFixtures + "straight.xosc", "--out", dir + "/x.yaml", "--ego", "Nobody"}, dir), 2);
  EXPECT_EQ(RunGauntlet({"import", kFixtures + "straight.xosc"}, dir), 2);
  EXPECT_NE(ReadFile(dir + "/stderr.txt").find("usage: gauntlet import"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir + "/x.yaml"));
}

TEST(ImportCommandTest, EveryEsminiExampleImportsOrIsRefusedAtItsElements) {
  const std::string dir = FreshDir("import_esmini");
  size_t imported = 0, refused = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xosc")) {
    if (entry.path().extension() != ".xosc") continue;
    const std::string out = dir + "/" + entry.path().stem().string() + ".yaml";
    const int rc = RunGauntlet({"import", entry.path().string(), "--out", out}, dir);
    const std::string err = ReadFile(dir + "/stderr.txt");
    if (rc == 0) {
      ++imported;
      EXPECT_EQ(RunGauntlet({"check", out}, dir), 0) << entry.path() << ReadFile(dir + "/stdout.txt");
      continue;
    }
    ++refused;
    ASSERT_EQ(rc, 2) << entry.path() << ": " << err;  // never a crash
    EXPECT_FALSE(std::filesystem::exists(out)) << entry.path();
    // every error line is positioned: file:line:col: error:
    std::istringstream lines(err);
    size_t errors = 0;
    for (std::string line; std::getline(lines, line);) {
      if (line.find(" error: ") == std::string::npos) continue;
      ++errors;
      const size_t at = line.find(": error: ");
      const std::string where = line.substr(0, at);
      const size_t c2 = where.rfind(':'), c1 = where.rfind(':', c2 - 1);
      EXPECT_TRUE(c1 != std::string::npos && std::isdigit(static_cast<unsigned char>(where[c1 + 1])) &&
                  std::isdigit(static_cast<unsigned char>(where[c2 + 1])))
          << entry.path() << ": unpositioned: " << line;
    }
    EXPECT_GT(errors, 0u) << entry.path() << ": " << err;
  }
  EXPECT_GT(imported, 0u);
  EXPECT_GT(refused, 0u);
  std::cout << imported << " esmini examples imported, " << refused << " refused\n";
}

}  // namespace
}  // namespace gauntlet::test
