#include "sim/episode.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <thread>

#include "core/rng.h"
#include "tests/sim/test_worlds.h"

namespace gauntlet::sim {
namespace {

using namespace testing_worlds;

constexpr double kPi = std::numbers::pi;

// A straight two-lane road "main" (lane 0 along the x axis) and an ego car on lane 0.
WorldSpec Straight(double ego_speed_mps, double duration_s, double friction = 1.0) {
  WorldSpec w;
  w.duration_s = duration_s;
  w.road.roads.push_back({.id = "main", .lanes = 2, .friction = friction, .segments = {{.length_m = 1000.0}}});
  ActorSpec ego = Car("ego", "main:0", 10.0, ego_speed_mps);
  ego.ego = true;
  w.actors.push_back(ego);
  return w;
}

LambdaController Constant(double accel_mps2, double steer_rad = 0.0) {
  return LambdaController([=](double, std::span<const double>, std::span<double>, EgoCommand* c) {
    c->accel_mps2 = accel_mps2;
    c->steer_rad = steer_rad;
  });
}

EpisodeResult Simulate(const WorldSpec& w, Controller& controller, const EpisodeOptions& options = {}) {
  std::vector<core::FieldError> errors;
  const RoadNetwork road = RoadNetwork::Build(w.road, &errors);
  EXPECT_TRUE(errors.empty());
  EpisodeResult result = RunEpisode(w, road, controller, options);
  EXPECT_NE(result.status, EpisodeStatus::kError) << result.error;
  return result;
}

TEST(EpisodeTest, ConstantSpeedHitsAStationaryObstacleAtDOverV) {
  for (const double d : {5.0, 23.7, 61.3}) {
    for (const double v : {7.0, 13.9, 30.0}) {
      WorldSpec w = Straight(v, d / v + 1.0);
      ActorSpec wall = Car("wall", "main:0", 10.0 + 4.5 + d, 0.0);
      wall.kind = ActorKind::kStatic;
      w.actors.push_back(wall);
      LambdaController keep = Constant(0.0);
      const EpisodeResult r = Simulate(w, keep);
      const size_t row = FirstRow(r.trace, "collision", 1.0);
      ASSERT_LT(row, r.trace.size());
      EXPECT_NEAR(r.trace.time()[row], d / v, w.time_step_s + 1e-9) << d << " " << v;
      EXPECT_EQ(At(r.trace, "wall.collision", row), 1.0);
      EXPECT_EQ(At(r.trace, "wall.collision", row - 1), 0.0);
      EXPECT_NEAR(At(r.trace, "wall.gap", row - 1), d - v * r.trace.time()[row - 1], 1e-9);
    }
  }
}

TEST(EpisodeTest, BrakingFromVStopsAfterVSquaredOverTwoA) {
  for (const double v : {10.0, 20.0, 35.0}) {
    for (const double a : {2.0, 6.0, 8.5}) {
      const WorldSpec w = Straight(v, v / a + 1.0);
      LambdaController brake = Constant(-a);
      const EpisodeResult r = Simulate(w, brake);
      const double travelled = r.trace.column("ego.x").back() - r.trace.column("ego.x").front();
      EXPECT_NEAR(travelled, v * v / (2 * a), 0.01 * v * v / (2 * a));
      EXPECT_EQ(r.trace.column("ego.speed").back(), 0.0);
      for (double speed : r.trace.column("ego.speed")) ASSERT_GE(speed, 0.0);
    }
  }
}

TEST(EpisodeTest, FrictionCapsTheAchievableDeceleration) {
  for (const double mu : {0.1, 0.3, 0.7}) {
    const WorldSpec w = Straight(25.0, 10.0, mu);
    LambdaController brake = Constant(-9.0);
    const EpisodeResult r = Simulate(w, brake);
    const double achieved = -At(r.trace, "ego.accel", 10);
    EXPECT_NEAR(achieved, std::min(9.0, mu * kGravity_mps2), 1e-9);
    const double travelled = r.trace.column("ego.x").back() - r.trace.column("ego.x").front();
    const double expected = 25.0 * 25.0 / (2 * std::min(9.0, mu * kGravity_mps2));
    if (mu * kGravity_mps2 * 10.0 > 25.0) {
      EXPECT_NEAR(travelled, expected, 0.01 * expected);
    }
  }
}

TEST(EpisodeTest, LaneChangeEndsOnTheNextLanesCentre) {
  for (const LaneChangeShape shape :
       {LaneChangeShape::kLinear, LaneChangeShape::kSinusoidal, LaneChangeShape::kCubic}) {
    WorldSpec w = Straight(0.0, 8.0);
    w.road.roads[0].segments = {{.length_m = 100.0}, {.length_m = 400.0, .curvature_1pm = 0.004}};
    ActorSpec lead = Car("lead", "main:0", 60.0, 20.0);
    LaneChange change;
    change.name = "change";
    change.side = Side::kLeft;
    change.duration_s = 4.0;
    change.shape = shape;
    change.trigger = Trigger{.time_s = 1.0};
    lead.behaviours.push_back(change);
    BrakeToStop brake;
    brake.decel_mps2 = 3.0;
    brake.trigger = Trigger{.event = "lead.change.end"};
    lead.behaviours.push_back(brake);
    w.actors.push_back(lead);
    LambdaController stand = Constant(0.0);
    const EpisodeResult r = Simulate(w, stand);
    std::vector<core::FieldError> errors;
    const RoadNetwork road = RoadNetwork::Build(w.road, &errors);
    const LaneId left = *road.FindLane("main:1");
    const size_t mid = 300;  // t = 3 s: half way
    const size_t end = 500;  // t = 5 s
    EXPECT_EQ(At(r.trace, "lead.lane", 50), 0.0);
    EXPECT_GT(std::abs(At(r.trace, "lead.lateral_offset", mid)), 0.5);
    const LanePosition where =
        road.Locate(At(r.trace, "lead.x", end), At(r.trace, "lead.y", end), At(r.trace, "lead.heading", end), left);
    EXPECT_EQ(where.lane, left);
    EXPECT_NEAR(where.lateral_offset_m, 0.0, 1e-6);
    EXPECT_NEAR(where.heading_error_rad, 0.0, 1e-6);
    EXPECT_EQ(At(r.trace, "lead.lane", end), static_cast<double>(left));
    // the brake follows the end of the lane change
    EXPECT_NEAR(At(r.trace, "lead.accel", end + 1), -3.0, 1e-9);
    EXPECT_NEAR(At(r.trace, "lead.accel", end), 0.0, 1e-9);
  }
}

// Does the 2-D segment a-b cross the oriented rectangle (centre c, heading h, half sizes grown by g)?
bool SegmentHitsBox(double ax, double ay, double bx, double by, double cx, double cy, double h, double hl, double hw,
                    double g) {
  const double c = std::cos(h), s = std::sin(h);
  auto local = [&](double x, double y, double* u, double* v) {
    *u = (x - cx) * c + (y - cy) * s;
    *v = -(x - cx) * s + (y - cy) * c;
  };
  double u0, v0, u1, v1;
  local(ax, ay, &u0, &v0);
  local(bx, by, &u1, &v1);
  double t0 = 0.0, t1 = 1.0;
  const double p[4] = {-(u1 - u0), u1 - u0, -(v1 - v0), v1 - v0};
  const double q[4] = {u0 + hl + g, hl + g - u0, v0 + hw + g, hw + g - v0};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0.0) {
      if (q[i] < 0.0) return false;
    } else {
      const double t = q[i] / p[i];
      if (p[i] < 0.0)
        t0 = std::max(t0, t);
      else
        t1 = std::min(t1, t);
    }
  }
  return t0 <= t1;
}

TEST(EpisodeTest, OccludedPedestrianIsSeenOnlyWhenTheLineOfSightClears) {
  WorldSpec w = Straight(0.0, 10.0);
  ActorSpec parked;
  parked.name = "parked";
  parked.kind = ActorKind::kStatic;
  parked.x_m = 35.0;
  parked.y_m = -2.8;
  w.actors.push_back(parked);
  ActorSpec ped;
  ped.name = "ped";
  ped.kind = ActorKind::kPedestrian;
  ped.x_m = 45.0;
  ped.y_m = -4.0;
  ped.heading_rad = kPi / 2;
  CrossRoad cross;
  cross.speed_mps = 1.4;
  cross.distance_m = 10.0;
  cross.trigger = Trigger{.time_s = 1.0};
  ped.behaviours.push_back(cross);
  w.actors.push_back(ped);
  w.sensors.push_back(DetectorSpec{.name = "cam", .targets = {"ped"}, .range_m = 80.0});
  LambdaController stand = Constant(0.0);
  const EpisodeResult r = Simulate(w, stand);
  const auto visible = r.trace.column("cam.ped.visible");
  EXPECT_EQ(visible.front(), 0.0);
  EXPECT_EQ(visible.back(), 1.0);
  // naive reference: 2-D lines of sight against the parked car (all rays run below its roof)
  size_t checked = 0;
  for (size_t i = 0; i < r.trace.size(); ++i) {
    const double ex = At(r.trace, "ego.x", i), ey = At(r.trace, "ego.y", i);
    const double px = At(r.trace, "ped.x", i), py = At(r.trace, "ped.y", i), ph = At(r.trace, "ped.heading", i);
    bool clear_grown = false, clear_shrunk = false;
    const double corners[5][2] = {{0, 0}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
    for (const auto& k : corners) {
      const double lx = k[0] * 0.45 * 0.5, ly = k[1] * 0.45 * 0.5;
      const double tx = px + lx * std::cos(ph) - ly * std::sin(ph);
      const double ty = py + lx * std::sin(ph) + ly * std::cos(ph);
      clear_grown = clear_grown || !SegmentHitsBox(ex, ey, tx, ty, 35.0, -2.8, 0.0, 2.25, 0.9, 0.01);
      clear_shrunk = clear_shrunk || !SegmentHitsBox(ex, ey, tx, ty, 35.0, -2.8, 0.0, 2.25, 0.9, -0.01);
    }
    if (clear_grown == clear_shrunk) {
      ASSERT_EQ(visible[i], clear_grown ? 1.0 : 0.0) << "t=" << r.trace.time()[i];
      ++checked;
    }
    if (visible[i] == 1.0) {
      EXPECT_NEAR(At(r.trace, "cam.ped.range", i), std::hypot(px - ex, py - ey), 1e-9);
    } else {
      EXPECT_EQ(At(r.trace, "cam.ped.range", i), 80.0);
    }
  }
  EXPECT_GT(checked, r.trace.size() - 5);
}

TEST(EpisodeTest, RaysMeasureTheDistanceToTheFirstActor) {
  WorldSpec w = Straight(0.0, 0.1);
  w.actors.push_back(Car("lead", "main:0", 40.0, 0.0));
  w.sensors.push_back(RaySensorSpec{.name = "lidar", .count = 3, .fov_rad = kPi / 2, .range_m = 60.0});
  LambdaController stand = Constant(0.0);
  const EpisodeResult r = Simulate(w, stand);
  EXPECT_NEAR(At(r.trace, "lidar.r1", 0), 40.0 - 10.0 - 4.5, 1e-6);
  EXPECT_EQ(At(r.trace, "lidar.r0", 0), 60.0);
  EXPECT_EQ(At(r.trace, "lidar.r2", 0), 60.0);
}

TEST(EpisodeTest, ConstantCurvatureAtConstantSpeedGivesVSquaredOverR) {
  const double radius = 100.0;
  const double v = 15.0;
  WorldSpec w = Straight(v, 12.0);
  w.road.roads[0].segments = {{.length_m = 20.0}, {.length_m = 500.0, .curvature_1pm = 1.0 / radius}};
  w.actors[0].s_m = 30.0;
  const double wheelbase = 2.7;
  LambdaController keep_lane([&](double, std::span<const double> row, std::span<double>, EgoCommand* c) {
    const double offset = row[8], heading_error = row[9];
    c->accel_mps2 = 0.0;
    c->steer_rad = std::atan(wheelbase / radius) - 0.05 * offset - 0.5 * heading_error;
  });
  const EpisodeResult r = Simulate(w, keep_lane);
  // curvature of the circle through three recorded positions 1 s apart
  const auto x = r.trace.column("ego.x");
  const auto y = r.trace.column("ego.y");
  for (size_t i = 200; i + 200 < r.trace.size(); i += 300) {
    const double ax = x[i - 100], ay = y[i - 100], bx = x[i], by = y[i], cx = x[i + 100], cy = y[i + 100];
    const double cross = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    const double r_measured = std::hypot(bx - ax, by - ay) * std::hypot(cx - bx, cy - by) *
                              std::hypot(cx - ax, cy - ay) / (2.0 * std::abs(cross));
    EXPECT_NEAR(v * v / r_measured, v * v / radius, 0.01 * v * v / radius);
    EXPECT_NEAR(At(r.trace, "ego.yaw_rate", i) * At(r.trace, "ego.speed", i), v * v / radius, 0.01 * v * v / radius);
    EXPECT_NEAR(At(r.trace, "ego.lateral_offset", i), 0.0, 0.05);
  }
}

TEST(EpisodeTest, PairSignalsOnOneLaneMatchTheClosedForms) {
  WorldSpec w = Straight(20.0, 3.0);
  w.actors.push_back(Car("lead", "main:0", 60.0, 15.0));
  LambdaController keep = Constant(0.0);
  const EpisodeResult r = Simulate(w, keep);
  for (size_t i = 0; i < r.trace.size(); i += 37) {
    const double gap = At(r.trace, "lead.x", i) - At(r.trace, "ego.x", i) - 4.5;
    EXPECT_NEAR(At(r.trace, "lead.gap", i), gap, 1e-9);
    EXPECT_NEAR(At(r.trace, "lead.rel_speed", i), -5.0, 1e-12);
    EXPECT_NEAR(At(r.trace, "lead.ttc", i), gap / 5.0, 1e-9);
    EXPECT_NEAR(At(r.trace, "lead.distance", i), gap + 4.5, 1e-9);
  }
  EXPECT_NEAR(At(r.trace, "lead.gap", 0), 45.5, 1e-12);
}

// A busy world: IDM traffic, a cut-in on a headway trigger, a braking lead, a crossing pedestrian.
WorldSpec Busy() {
  WorldSpec w = Straight(22.0, 12.0);
  ActorSpec lead = Car("lead", "main:0", 60.0, 20.0);
  FollowLaneIdm idm;
  idm.desired_speed_mps = 20.0;
  lead.behaviours.push_back(idm);
  BrakeToStop brake;
  brake.name = "brake";
  brake.decel_mps2 = 4.0;
  brake.trigger = Trigger{.time_s = 6.0};
  lead.behaviours.push_back(brake);
  w.actors.push_back(lead);
  ActorSpec cutter = Car("cutter", "main:1", 30.0, 21.0);
  CutIn cut;
  cut.name = "cut";
  cut.duration_s = 2.5;
  cut.trigger = Trigger{.actor = "ego", .headway_s = 1.0};
  cutter.behaviours.push_back(cut);
  w.actors.push_back(cutter);
  ActorSpec ped;
  ped.name = "ped";
  ped.kind = ActorKind::kPedestrian;
  ped.x_m = 200.0;
  ped.y_m = -5.0;
  CrossRoad cross;
  cross.speed_mps = 1.5;
  cross.distance_m = 12.0;
  cross.trigger = Trigger{.event = "lead.brake.start", .delay_s = 0.5};
  ped.behaviours.push_back(cross);
  w.actors.push_back(ped);
  w.sensors.push_back(RaySensorSpec{.name = "lidar", .count = 5, .fov_rad = 1.0});
  w.sensors.push_back(DetectorSpec{.name = "cam"});
  return w;
}

// A simple IDM ego reading its own signal row.
LambdaController IdmEgo(const WorldSpec& w) {
  const std::vector<std::string> names = SignalNames(w);
  const size_t speed = std::find(names.begin(), names.end(), "ego.speed") - names.begin();
  const size_t gap = std::find(names.begin(), names.end(), "lead.gap") - names.begin();
  const size_t rel = std::find(names.begin(), names.end(), "lead.rel_speed") - names.begin();
  return LambdaController([=](double, std::span<const double> row, std::span<double> extra, EgoCommand* c) {
    const double v = row[speed];
    const double s_star = 2.0 + std::max(0.0, v * 1.5 - v * row[rel] / (2 * std::sqrt(1.5 * 2.0)));
    c->accel_mps2 = 1.5 * (1 - std::pow(v / 25.0, 4) - std::pow(s_star / std::max(row[gap], 0.1), 2));
    if (!extra.empty()) extra[0] = c->accel_mps2;
  });
}

TEST(EpisodeTest, SameInputsGiveBitIdenticalTracesAlsoInParallel) {
  const WorldSpec w = Busy();
  LambdaController c1 = IdmEgo(w);
  const EpisodeResult first = Simulate(w, c1, {.extra_signals = {"model.accel"}});
  ASSERT_EQ(first.status, EpisodeStatus::kCompleted);
  EXPECT_EQ(first.trace.size(), 1201u);
  EXPECT_EQ(first.steps, 1201u);
  std::vector<EpisodeResult> parallel(2);
  std::vector<std::thread> threads;
  for (auto& slot : parallel) {
    threads.emplace_back([&w, &slot] {
      LambdaController c = IdmEgo(w);
      std::vector<core::FieldError> errors;
      const RoadNetwork road = RoadNetwork::Build(w.road, &errors);
      slot = RunEpisode(w, road, c, {.extra_signals = {"model.accel"}});
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& result : parallel) EXPECT_TRUE(result.trace == first.trace);
  // the scenario did what it says
  EXPECT_EQ(At(first.trace, "cutter.lane", 1200), 0.0);
  EXPECT_EQ(first.trace.column("lead.speed").back(), 0.0);
  EXPECT_GT(At(first.trace, "ped.y", 1200), 0.0);
  EXPECT_NEAR(first.trace.column("model.accel")[5], At(first.trace, "ego.accel", 6), 1e-9);
}

TEST(EpisodeTest, IdmFollowerDoesNotHitABrakingLead) {
  WorldSpec w = Straight(0.0, 20.0);
  w.actors[0].s_m = 500.0;  // the ego stands far ahead
  ActorSpec lead = Car("lead", "main:0", 100.0, 20.0);
  BrakeToStop brake;
  brake.decel_mps2 = 4.0;
  brake.trigger = Trigger{.time_s = 3.0};
  lead.behaviours.push_back(brake);
  ActorSpec follower = Car("follower", "main:0", 60.0, 20.0);
  FollowLaneIdm idm;
  idm.desired_speed_mps = 25.0;
  follower.behaviours.push_back(idm);
  w.actors.push_back(lead);
  w.actors.push_back(follower);
  LambdaController stand = Constant(0.0);
  const EpisodeResult r = Simulate(w, stand);
  const auto lx = r.trace.column("lead.x");
  const auto fx = r.trace.column("follower.x");
  double min_gap = 1e9;
  for (size_t i = 0; i < lx.size(); ++i) min_gap = std::min(min_gap, lx[i] - fx[i] - 4.5);
  EXPECT_GT(min_gap, 1.0);
  EXPECT_LT(r.trace.column("follower.speed").back(), 0.1);
}

TEST(EpisodeTest, RouteLeadsThroughALaneChangeAndAConnection) {
  WorldSpec w = Straight(0.0, 12.0);
  w.road.roads[0].segments = {{.length_m = 150.0}};
  w.road.roads.push_back({.id = "exit", .x_m = 150.0, .segments = {{.length_m = 300.0}}});
  w.road.connections.push_back({.from = "main:0", .to = "exit:0"});
  ActorSpec car = Car("car", "main:1", 20.0, 15.0);
  FollowRoute route;
  route.name = "go";
  route.to = "exit:0";
  car.behaviours.push_back(route);
  w.actors.push_back(car);
  LambdaController stand = Constant(0.0);
  const EpisodeResult r = Simulate(w, stand);
  std::vector<core::FieldError> errors;
  const RoadNetwork road = RoadNetwork::Build(w.road, &errors);
  EXPECT_EQ(At(r.trace, "car.lane", r.trace.size() - 1), static_cast<double>(*road.FindLane("exit:0")));
  EXPECT_NEAR(At(r.trace, "car.y", r.trace.size() - 1), 0.0, 1e-9);
  EXPECT_NEAR(At(r.trace, "car.x", r.trace.size() - 1), 20.0 + 15.0 * 12.0, 1.0);
}

TEST(EpisodeTest, SpeedProfileIsFollowed) {
  WorldSpec w = Straight(0.0, 6.0);
  ActorSpec car = Car("car", "main:1", 20.0, 20.0);
  SpeedProfile profile;
  profile.points = {{2.0, 10.0}, {4.0, 10.0}, {5.0, 12.0}};
  car.behaviours.push_back(profile);
  w.actors.push_back(car);
  LambdaController stand = Constant(0.0);
  const EpisodeResult r = Simulate(w, stand);
  EXPECT_NEAR(At(r.trace, "car.speed", 100), 15.0, 1e-9);
  EXPECT_NEAR(At(r.trace, "car.accel", 100), -5.0, 1e-9);
  EXPECT_NEAR(At(r.trace, "car.speed", 300), 10.0, 1e-9);
  EXPECT_NEAR(At(r.trace, "car.speed", 450), 11.0, 1e-9);
  EXPECT_NEAR(At(r.trace, "car.speed", 600), 12.0, 1e-9);  // held after the last point
}

TEST(EpisodeTest, TtcTriggerFiresOnTheFirstStepBelowTheThreshold) {
  WorldSpec w = Straight(20.0, 5.0);
  ActorSpec lead = Car("lead", "main:0", 80.0, 0.0);
  KeepSpeed go;
  go.speed_mps = 10.0;
  go.trigger = Trigger{.ttc_s = 2.0};
  lead.behaviours.push_back(go);
  w.actors.push_back(lead);
  LambdaController keep = Constant(0.0);
  const EpisodeResult r = Simulate(w, keep);
  const size_t moving = FirstRow(r.trace, "lead.speed", 1e-12);
  ASSERT_LT(moving, r.trace.size());
  EXPECT_LE(At(r.trace, "lead.ttc", moving - 1), 2.0);
  EXPECT_GT(At(r.trace, "lead.ttc", moving - 2), 2.0);
  EXPECT_NEAR(At(r.trace, "lead.accel", moving), 3.0, 1e-12);  // the actor's max_accel_mps2
}

TEST(EpisodeTest, ImpossibleCutInIsAnErrorOfTheEpisode) {
  WorldSpec w = Straight(20.0, 5.0);
  w.road.roads[0].lanes = 3;
  ActorSpec cutter = Car("cutter", "main:2", 30.0, 20.0);
  CutIn cut;
  cut.duration_s = 2.0;
  cutter.behaviours.push_back(cut);
  w.actors.push_back(cutter);
  LambdaController keep = Constant(0.0);
  const EpisodeResult r = RunEpisode(w, keep);
  EXPECT_EQ(r.status, EpisodeStatus::kError);
  EXPECT_EQ(r.error, "t=0 s: actor 'cutter' cannot cut in: the lane of 'ego' (main:0) is not next to lane 'main:2'");
}

// Random worlds with random behaviours and a random controller: never a crash; valid worlds run to
// the end with finite, non-negative speeds, time = step * dt exactly, and the same trace twice.
TEST(EpisodeTest, RandomWorldsRunCleanlyAndReproducibly) {
  core::Rng rng(2024);
  const std::vector<std::string> lanes = {"main:0", "main:1", "main:2", "side:0"};
  int valid = 0;
  int completed = 0;
  for (int trial = 0; trial < 150; ++trial) {
    WorldSpec w;
    w.time_step_s = rng.Uniform() < 0.5 ? 0.01 : 0.05;
    w.duration_s = 2.0;
    w.road.roads.push_back(
        {.id = "main",
         .lanes = 3,
         .friction = rng.Uniform(0.1, 1.0),
         .segments = {{.length_m = 100.0}, {.length_m = 100.0, .curvature_1pm = rng.Uniform(-0.01, 0.01)}}});
    w.road.roads.push_back(
        {.id = "side", .x_m = 100.0, .y_m = 30.0, .heading_rad = 1.0, .segments = {{.length_m = 80.0}}});
    const int count = 2 + static_cast<int>(rng.UniformInt(5));
    for (int i = 0; i < count; ++i) {
      ActorSpec a;
      a.name = "a" + std::to_string(i);
      a.ego = i == 0;
      a.kind = static_cast<ActorKind>(rng.UniformInt(i == 0 ? 4 : 5));
      if (a.kind == ActorKind::kAircraft || rng.Uniform() < 0.3) {
        a.x_m = rng.Uniform(-20, 220);
        a.y_m = rng.Uniform(-20, 40);
        a.heading_rad = rng.Uniform(-4, 4);
      } else {
        a.lane = lanes[rng.UniformInt(lanes.size())];
        a.s_m = rng.Uniform(0, 80);
      }
      if (a.kind != ActorKind::kStatic) a.speed_mps = rng.Uniform(0, 25);
      if (!a.ego && a.kind != ActorKind::kStatic && a.kind != ActorKind::kAircraft) {
        for (int k = 0; k < static_cast<int>(rng.UniformInt(4)); ++k) {
          Trigger trigger{.time_s = rng.Uniform(0, 2)};
          if (rng.Uniform() < 0.3) trigger = Trigger{.distance_m = rng.Uniform(0, 50)};
          if (rng.Uniform() < 0.2) trigger = Trigger{.ttc_s = rng.Uniform(0, 5)};
          switch (rng.UniformInt(8)) {
            case 0: {
              KeepSpeed b;
              b.speed_mps = rng.Uniform(0, 30);
              b.trigger = trigger;
              a.behaviours.push_back(b);
              break;
            }
            case 1: {
              FollowLaneIdm b;
              b.desired_speed_mps = rng.Uniform(1, 30);
              a.behaviours.push_back(b);
              break;
            }
            case 2: {
              BrakeToStop b;
              b.decel_mps2 = rng.Uniform(1, 10);
              b.trigger = trigger;
              a.behaviours.push_back(b);
              break;
            }
            case 3: {
              LaneChange b;
              b.side = rng.Uniform() < 0.5 ? Side::kLeft : Side::kRight;
              b.duration_s = rng.Uniform(0.5, 3);
              b.trigger = trigger;
              a.behaviours.push_back(b);
              break;
            }
            case 4: {
              CutOut b;
              b.duration_s = rng.Uniform(0.5, 3);
              b.trigger = trigger;
              a.behaviours.push_back(b);
              break;
            }
            case 5: {
              CrossRoad b;
              b.speed_mps = rng.Uniform(0.5, 3);
              b.distance_m = rng.Uniform(1, 10);
              b.trigger = trigger;
              a.behaviours.push_back(b);
              break;
            }
            case 6: {
              SpeedProfile b;
              b.points = {{rng.Uniform(0.1, 1), rng.Uniform(0, 20)}};
              a.behaviours.push_back(b);
              break;
            }
            default: {
              FollowRoute b;
              b.to = lanes[rng.UniformInt(lanes.size())];
              b.trigger = trigger;
              a.behaviours.push_back(b);
              break;
            }
          }
        }
      }
      w.actors.push_back(a);
    }
    if (rng.Uniform() < 0.5) w.sensors.push_back(DetectorSpec{.name = "cam"});
    if (rng.Uniform() < 0.5) w.sensors.push_back(RaySensorSpec{.name = "lidar", .count = 7, .fov_rad = 2.0});
    std::vector<core::FieldError> errors;
    const RoadNetwork road = RoadNetwork::Build(w.road, &errors);
    ASSERT_TRUE(errors.empty());
    const bool is_valid = Validate(w, road).empty();
    const uint64_t seed = rng.NextU64();
    auto make_controller = [seed] {
      return LambdaController(
          [rng = core::Rng(seed)](double, std::span<const double>, std::span<double>, EgoCommand* c) mutable {
            c->accel_mps2 = rng.Uniform(-20, 10);
            c->steer_rad = rng.Uniform(-1, 1);
            c->turn_rate_radps = rng.Uniform(-1, 1);
          });
    };
    LambdaController c1 = make_controller();
    const EpisodeResult first = RunEpisode(w, road, c1);
    if (!is_valid) {
      EXPECT_EQ(first.status, EpisodeStatus::kError);
      EXPECT_EQ(first.error.rfind("invalid world:", 0), 0u);
      continue;
    }
    ++valid;
    LambdaController c2 = make_controller();
    const EpisodeResult second = RunEpisode(w, road, c2);
    ASSERT_TRUE(first.trace == second.trace) << trial;
    EXPECT_EQ(first.error, second.error);
    if (first.status == EpisodeStatus::kError) {
      // only scenario logic may fail at run time (a manoeuvre with no lane to go to)
      EXPECT_THAT(first.error, testing::AnyOf(testing::HasSubstr("cannot"), testing::HasSubstr("no route")))
          << first.error;
      continue;
    }
    ++completed;
    ASSERT_EQ(first.trace.size(), StepCount(w) + 1);
    for (size_t k = 0; k < first.trace.size(); ++k) {
      ASSERT_EQ(first.trace.time()[k], static_cast<double>(k) * w.time_step_s);
    }
    for (const ActorSpec& a : w.actors) {
      for (double v : first.trace.column(a.name + ".speed")) ASSERT_TRUE(v >= 0.0 && std::isfinite(v));
    }
  }
  EXPECT_GT(valid, 30);
  EXPECT_GT(completed, 20);
}

TEST(EpisodeTest, NonFiniteCommandIsAnErrorWithTheTime) {
  const WorldSpec w = Straight(10.0, 2.0);
  LambdaController bad([](double t, std::span<const double>, std::span<double>, EgoCommand* c) {
    c->accel_mps2 = t >= 0.5 ? std::nan("") : 0.0;
  });
  std::vector<core::FieldError> errors;
  const RoadNetwork road = RoadNetwork::Build(w.road, &errors);
  const EpisodeResult r = RunEpisode(w, road, bad);
  EXPECT_EQ(r.status, EpisodeStatus::kError);
  EXPECT_EQ(r.error,
            "t=0.5 s: the controller returned a non-finite command (accel_mps2=nan, steer_rad=0, turn_rate_radps=0)");
  EXPECT_EQ(r.trace.size(), 50u);
}

TEST(EpisodeTest, ControllerExceptionIsAnErrorWithTheTime) {
  const WorldSpec w = Straight(10.0, 2.0);
  LambdaController bad([](double t, std::span<const double>, std::span<double>, EgoCommand*) {
    if (t >= 1.0) throw std::runtime_error("model output 0 is nan");
  });
  const EpisodeResult r = RunEpisode(w, bad);
  EXPECT_EQ(r.status, EpisodeStatus::kError);
  EXPECT_EQ(r.error, "the controller failed at t=1 s: model output 0 is nan");
  EXPECT_EQ(r.trace.size(), 100u);
}

TEST(EpisodeTest, InvalidWorldIsAnErrorNotACrash) {
  WorldSpec w = Straight(10.0, 2.0);
  w.time_step_s = -1.0;
  LambdaController keep = Constant(0.0);
  const EpisodeResult r = RunEpisode(w, keep);
  EXPECT_EQ(r.status, EpisodeStatus::kError);
  EXPECT_EQ(r.error, "invalid world:\ntime_step_s: time_step_s must be positive (got -1)");
  const EpisodeResult dup = RunEpisode(Straight(1.0, 1.0), keep, {.extra_signals = {"ego.x"}});
  EXPECT_EQ(dup.error, "extra signal 'ego.x' is already a signal");
}

TEST(EpisodeTest, ControlPeriodObserverAndNoTrace) {
  WorldSpec w = Straight(10.0, 1.0);
  w.actors.push_back(Car("lead", "main:0", 30.0, 0.0));
  int calls = 0;
  LambdaController count([&](double t, std::span<const double>, std::span<double> extra, EgoCommand*) {
    ++calls;
    extra[0] = t;
  });
  std::vector<double> seen;
  EpisodeOptions options;
  options.control_period_steps = 10;
  options.extra_signals = {"last_call"};
  options.record_trace = false;
  options.observer = [&](double t, std::span<const double> row) {
    seen.push_back(row.back());
    return t < 0.445;
  };
  const EpisodeResult r = Simulate(w, count, options);
  EXPECT_EQ(r.status, EpisodeStatus::kStoppedEarly);
  EXPECT_TRUE(r.trace.empty());
  EXPECT_EQ(r.steps, 46u);
  EXPECT_EQ(calls, 5);
  EXPECT_EQ(seen[19], 0.1);
  EXPECT_EQ(seen[20], 0.2);
}

TEST(EpisodeTest, StopOnCollision) {
  WorldSpec w = Straight(10.0, 10.0);
  ActorSpec wall = Car("wall", "main:0", 30.0, 0.0);
  wall.kind = ActorKind::kStatic;
  w.actors.push_back(wall);
  LambdaController keep = Constant(0.0);
  const EpisodeResult go_on = Simulate(w, keep);
  EXPECT_EQ(go_on.status, EpisodeStatus::kCompleted);
  const EpisodeResult stop = Simulate(w, keep, {.stop_on_collision = true});
  EXPECT_EQ(stop.status, EpisodeStatus::kStoppedEarly);
  EXPECT_EQ(stop.trace.column("collision").back(), 1.0);
  EXPECT_NEAR(stop.trace.time().back(), 15.5 / 10.0, 0.01 + 1e-9);
}

TEST(EpisodeTest, AircraftTurnAtTheCommandedRate) {
  WorldSpec w;
  w.duration_s = 10.0;
  ActorSpec own;
  own.name = "own";
  own.ego = true;
  own.kind = ActorKind::kAircraft;
  own.x_m = 0.0;
  own.y_m = 0.0;
  own.speed_mps = 200.0;
  own.max_turn_rate_radps = 3.0 * kPi / 180;
  w.actors.push_back(own);
  ActorSpec intruder = own;
  intruder.name = "intruder";
  intruder.ego = false;
  intruder.x_m = 5000.0;
  intruder.heading_rad = kPi;
  w.actors.push_back(intruder);
  LambdaController turn([](double, std::span<const double>, std::span<double>, EgoCommand* c) {
    c->turn_rate_radps = 1.0;  // clipped to 3 deg/s
  });
  const EpisodeResult r = Simulate(w, turn);
  EXPECT_NEAR(r.trace.column("own.heading").back(), 30.0 * kPi / 180, 1e-9);
  EXPECT_NEAR(r.trace.column("own.speed").back(), 200.0, 1e-12);
  EXPECT_NEAR(r.trace.column("intruder.x").back(), 3000.0, 1e-6);
  EXPECT_NEAR(At(r.trace, "intruder.rel_heading", 0), kPi, 1e-12);
}

}  // namespace
}  // namespace gauntlet::sim
