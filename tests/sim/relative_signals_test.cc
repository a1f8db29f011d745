// The relative signals `<o>.gap`, `.collision`, `.contact_time`, `.rel_speed`, `.ttc` against the
// footprints: `always (<o>.gap > 0)` holds exactly when the footprints never touch.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/rng.h"
#include "sim/episode.h"
#include "sim/internal/footprint_geometry.h"
#include "tests/sim/test_worlds.h"

namespace gauntlet::sim {
namespace {

using namespace testing_worlds;

constexpr double kPi = std::numbers::pi;

ActorSpec EgoOnLane(double s_m, double speed_mps) {
  ActorSpec ego;
  ego.name = "ego";
  ego.ego = true;
  ego.lane = "main:0";
  ego.s_m = s_m;
  ego.speed_mps = speed_mps;
  return ego;
}

EpisodeResult Drive(const WorldSpec& w, double accel = 0.0, double steer = 0.0) {
  LambdaController controller([=](double, std::span<const double>, std::span<double>, EgoCommand* c) {
    c->accel_mps2 = accel;
    c->steer_rad = steer;
  });
  EpisodeResult r = RunEpisode(w, controller);
  EXPECT_NE(r.status, EpisodeStatus::kError) << r.error;
  return r;
}

internal::Footprint FootprintAt(const core::Trace& trace, const std::string& actor, size_t row, double length,
                                double width) {
  return {At(trace, actor + ".x", row), At(trace, actor + ".y", row), At(trace, actor + ".heading", row),
          0.5 * length, 0.5 * width};
}

// Every row: gap <= 0 exactly when collision; collision when the footprints touch; a contact while
// the footprints are apart only when it began within the step before.
void ExpectConsistent(const core::Trace& trace, const std::string& other, double length, double width,
                      double dt, int* contacts) {
  for (size_t k = 0; k < trace.size(); ++k) {
    const double gap = At(trace, other + ".gap", k);
    const bool collision = At(trace, other + ".collision", k) == 1.0;
    ASSERT_EQ(gap <= 0.0, collision) << other << " row " << k << " gap " << gap;
    const double clearance = internal::SignedClearance(FootprintAt(trace, "ego", k, 4.5, 1.8),
                                                       FootprintAt(trace, other, k, length, width));
    if (clearance <= 0.0) {
      ASSERT_TRUE(collision) << other << " row " << k;
      ASSERT_EQ(gap, clearance) << other << " row " << k;
    } else if (collision) {
      ASSERT_GT(At(trace, other + ".contact_time", k), trace.time()[k] - dt - 1e-12) << other << " row " << k;
    } else {
      ASSERT_GT(gap, 0.0) << other << " row " << k;
    }
    if (collision) ++*contacts;
  }
}

TEST(RelativeSignalsTest, ACarParkedAtAnAngleInTheLaneIsTouchedOnlyWithGapAtMostZero) {
  // its rear corner sticks out 0.165 m beyond its aligned box towards the ego
  WorldSpec w;
  w.time_step_s = 0.01;
  w.duration_s = 5.0;
  w.road.roads.push_back({.id = "main", .lanes = 2, .segments = {{.length_m = 500.0}}});
  w.actors = {EgoOnLane(10.0, 8.0), Free("parked", ActorKind::kStatic, 40.0, 0.0, 0.3, 0.0)};
  const EpisodeResult r = Drive(w);
  int contacts = 0;
  ExpectConsistent(r.trace, "parked", 4.5, 1.8, w.time_step_s, &contacts);
  EXPECT_GT(contacts, 0);
  // before contact the gap is the free distance to that corner (40 - 2.25 cos 0.3 - 0.9 sin 0.3)
  const double corner = 40.0 - 2.25 * std::cos(0.3) - 0.9 * std::sin(0.3);
  EXPECT_NEAR(At(r.trace, "parked.gap", 0), corner - 12.25, 1e-6);
}

TEST(RelativeSignalsTest, OnATightCurveTheGapFollowsTheFootprints) {
  // R = 20 m: the chord between two cars on the lane is shorter than the arc between them
  for (const double dt : {0.1, 0.01}) {
    WorldSpec w;
    w.time_step_s = dt;
    w.duration_s = 4.0;
    w.road.roads.push_back(
        {.id = "main", .lanes = 1, .segments = {{.length_m = 10.0}, {.length_m = 60.0, .curvature_1pm = 0.05}}});
    ActorSpec parked;
    parked.name = "parked";
    parked.kind = ActorKind::kStatic;
    parked.lane = "main:0";
    parked.s_m = 35.0;
    w.actors = {EgoOnLane(10.0, 6.0), parked};
    const EpisodeResult r = Drive(w, 0.0, std::atan(2.7 * 0.05));  // steers along the curve
    int contacts = 0;
    ExpectConsistent(r.trace, "parked", 4.5, 1.8, dt, &contacts);
    EXPECT_GT(contacts, 0);
  }
}

TEST(RelativeSignalsTest, APedestrianBesideThePathIsNeverAtNegativeGap) {
  // a pedestrian in the ego's lane 1.4 m left of its centre: the boxes pass 0.25 m apart
  WorldSpec w;
  w.time_step_s = 0.05;
  w.duration_s = 5.0;
  w.road.roads.push_back({.id = "main", .lanes = 2, .segments = {{.length_m = 500.0}}});
  w.actors = {EgoOnLane(10.0, 10.0), Free("ped", ActorKind::kPedestrian, 30.0, 1.4, kPi / 2, 0.0)};
  const EpisodeResult r = Drive(w);
  for (size_t k = 0; k < r.trace.size(); ++k) {
    ASSERT_GE(At(r.trace, "ped.gap", k), 0.25 - 1e-9) << k;
    ASSERT_EQ(At(r.trace, "ped.collision", k), 0.0);
  }
  int contacts = 0;
  ExpectConsistent(r.trace, "ped", 0.5, 0.5, w.time_step_s, &contacts);
  EXPECT_EQ(contacts, 0);
}

TEST(RelativeSignalsTest, GapAndCollisionAgreeWithTheFootprintsInRandomScenes) {
  core::Rng rng(1404);
  int contacts = 0;
  for (int trial = 0; trial < 60; ++trial) {
    WorldSpec w;
    w.time_step_s = trial % 3 == 0 ? 0.1 : (trial % 3 == 1 ? 0.05 : 0.01);
    w.duration_s = 4.0;
    const double curvature = trial % 2 == 0 ? 0.0 : rng.Uniform(-0.05, 0.05);
    w.road.roads.push_back({.id = "main",
                            .lanes = 2,
                            .segments = {{.length_m = 20.0}, {.length_m = 80.0, .curvature_1pm = curvature}}});
    w.actors.push_back(EgoOnLane(5.0, rng.Uniform(3.0, 25.0)));
    const int n = 1 + static_cast<int>(rng.UniformInt(4));
    for (int i = 0; i < n; ++i) {
      const std::string name = "o" + std::to_string(i);
      const bool ped = rng.Uniform() < 0.4;
      const double x = rng.Uniform(15.0, 60.0);
      const double y = rng.Uniform(-4.0, 4.0);
      if (ped) {
        w.actors.push_back(Free(name, ActorKind::kPedestrian, x, y, rng.Uniform(-4.0, 4.0), rng.Uniform(0.0, 3.0)));
      } else {
        w.actors.push_back(Free(name, ActorKind::kStatic, x, y, rng.Uniform(-4.0, 4.0), 0.0));
      }
    }
    if (!Validate(w).empty()) continue;  // actors overlapping at the start
    const EpisodeResult r = Drive(w, 0.0, std::atan(2.7 * curvature));
    for (int i = 0; i < n; ++i) {
      const bool ped = w.actors[static_cast<size_t>(i) + 1].kind == ActorKind::kPedestrian;
      ExpectConsistent(r.trace, "o" + std::to_string(i), ped ? 0.5 : 4.5, ped ? 0.5 : 1.8, w.time_step_s, &contacts);
    }
  }
  EXPECT_GT(contacts, 20);
}

}  // namespace
}  // namespace gauntlet::sim
