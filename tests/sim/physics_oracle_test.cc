// Closed-form "physics oracle" tests: every expected value is derived by hand from the motion the
// integrator defines (constant acceleration and curvature within a step, time = k * dt), never copied
// from the tool's output. Each case runs at several steps.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "sim/episode.h"
#include "tests/sim/test_worlds.h"

namespace gauntlet::sim {
namespace {

using namespace testing_worlds;

constexpr double kPi = std::numbers::pi;
const double kSteps[] = {0.1, 0.05, 0.01};

// A straight road "main" along the x axis (lane 0 centred on y = 0, lane 1 on y = 3.5).
WorldSpec Straight(double dt, double duration_s, double friction = 1.0) {
  WorldSpec w;
  w.time_step_s = dt;
  w.duration_s = duration_s;
  w.road.roads.push_back({.id = "main", .lanes = 2, .friction = friction, .segments = {{.length_m = 2000.0}}});
  return w;
}

ActorSpec Ego(double s_m, double speed_mps) {
  ActorSpec ego = Car("ego", "main:0", s_m, speed_mps);
  ego.ego = true;
  return ego;
}

LambdaController Constant(double accel_mps2, double steer_rad = 0.0) {
  return LambdaController([=](double, std::span<const double>, std::span<double>, EgoCommand* c) {
    c->accel_mps2 = accel_mps2;
    c->steer_rad = steer_rad;
  });
}

EpisodeResult Simulate(const WorldSpec& w, double accel = 0.0, double steer = 0.0, EpisodeOptions options = {}) {
  LambdaController controller = Constant(accel, steer);
  EpisodeResult result = RunEpisode(w, controller, options);
  EXPECT_NE(result.status, EpisodeStatus::kError) << result.error;
  return result;
}

// The step k whose interval (t_{k-1}, t_k] holds time t.
size_t StepOf(double t, double dt) { return static_cast<size_t>(std::ceil(t / dt - 1e-9)); }

// ---- contact time of constant speeds: d / v, lengths included ----

TEST(PhysicsOracleTest, ContactOfConstantSpeedsAtDOverVWithLengths) {
  for (const double dt : kSteps) {
    for (const double v : {7.3, 19.0, 80.0}) {
      for (const bool obstacle_first : {false, true}) {
        // ego 3.7 m long at s = 10, an obstacle 0.6 m long: the free distance is d
        const double d = 23.71;
        WorldSpec w = Straight(dt, d / v + 0.5);
        ActorSpec ego = Ego(10.0, v);
        ego.length_m = 3.7;
        ActorSpec post = Car("post", "main:0", 10.0 + 0.5 * (3.7 + 0.6) + d, 0.0);
        post.kind = ActorKind::kStatic;
        post.length_m = 0.6;
        post.width_m = 0.6;
        if (obstacle_first) {
          w.actors = {post, ego};
        } else {
          w.actors = {ego, post};
        }
        const EpisodeResult r = Simulate(w);
        const size_t row = FirstRow(r.trace, "collision", 1.0);
        ASSERT_EQ(row, StepOf(d / v, dt)) << dt << " " << v;
        EXPECT_EQ(At(r.trace, "post.collision", row), 1.0);
        EXPECT_LT(At(r.trace, "post.gap", row), 0.0) << dt << " " << v;
        EXPECT_NEAR(At(r.trace, "post.contact_time", row), d / v, 2e-6 / v) << dt << " " << v;
        // before contact the gap is the free distance, exactly
        for (size_t k = 0; k < row; ++k) {
          ASSERT_NEAR(At(r.trace, "post.gap", k), d - v * k * dt, 1e-9) << dt << " " << v << " " << k;
          ASSERT_EQ(At(r.trace, "post.collision", k), 0.0);
          ASSERT_EQ(At(r.trace, "post.contact_time", k), -1.0);
        }
      }
    }
  }
}

TEST(PhysicsOracleTest, TunnellingPostIsReportedAtTheStepThatHoldsTheContact) {
  // 80 m/s, a 0.2 m post: at dt 0.1 the car moves 8 m per step, more than car and post together
  for (const double dt : kSteps) {
    for (const bool stop : {false, true}) {
      const double d = 41.65;  // from the bumper to the post's face
      WorldSpec w = Straight(dt, 1.5);
      ActorSpec post = Car("post", "main:0", 10.0 + 2.25 + 0.1 + d, 0.0);
      post.kind = ActorKind::kStatic;
      post.length_m = 0.2;
      post.width_m = 0.2;
      w.actors = {Ego(10.0, 80.0), post};
      EpisodeOptions options;
      options.stop_on_collision = stop;
      const EpisodeResult r = Simulate(w, 0.0, 0.0, options);
      const size_t row = FirstRow(r.trace, "collision", 1.0);
      ASSERT_EQ(row, StepOf(d / 80.0, dt)) << dt;
      EXPECT_LT(At(r.trace, "post.gap", row), 0.0);
      EXPECT_EQ(At(r.trace, "post.ttc", row), 0.0);
      EXPECT_NEAR(At(r.trace, "post.contact_time", row), d / 80.0, 1e-7);
      const auto gaps = r.trace.column("post.gap");
      EXPECT_LT(*std::min_element(gaps.begin(), gaps.end()), 0.0);  // always (post.gap > 0) fails
      if (stop) {
        EXPECT_EQ(r.status, EpisodeStatus::kStoppedEarly);
        EXPECT_EQ(r.trace.size(), row + 1);
      }
    }
  }
}

TEST(PhysicsOracleTest, AThinFastActorCrossingAStandingEgoIsReported) {
  // a 0.3 m x 0.1 m body at 100 m/s crosses the ego's front half; both orders of actors
  for (const double dt : kSteps) {
    for (const bool ego_first : {true, false}) {
      WorldSpec w = Straight(dt, 0.3);
      ActorSpec dart = Free("dart", ActorKind::kVehicle, 11.0, -5.3, kPi / 2, 100.0);
      dart.length_m = 0.3;
      dart.width_m = 0.1;
      const ActorSpec ego = Ego(10.0, 0.0);
      w.actors = ego_first ? std::vector<ActorSpec>{ego, dart} : std::vector<ActorSpec>{dart, ego};
      const EpisodeResult r = Simulate(w);
      // contact when the dart's nose (y + 0.15) reaches the ego's side (y = -0.9)
      const double t = (5.3 - 0.9 - 0.15) / 100.0;
      const size_t row = FirstRow(r.trace, "dart.collision", 1.0);
      ASSERT_EQ(row, StepOf(t, dt)) << dt;
      EXPECT_LT(At(r.trace, "dart.gap", row), 0.0);
      EXPECT_NEAR(At(r.trace, "dart.contact_time", row), t, 1e-7);
    }
  }
}

TEST(PhysicsOracleTest, AnActorRunningIntoTheEgoFromBehind) {
  for (const double dt : kSteps) {
    WorldSpec w = Straight(dt, 3.0);
    ActorSpec chaser = Car("chaser", "main:0", 100.0 - 4.5 - 30.0, 25.0);  // 30 m behind a standing ego
    w.actors = {chaser, Ego(100.0, 0.0)};
    const EpisodeResult r = Simulate(w);
    const size_t row = FirstRow(r.trace, "chaser.collision", 1.0);
    ASSERT_EQ(row, StepOf(30.0 / 25.0, dt)) << dt;
    EXPECT_NEAR(At(r.trace, "chaser.contact_time", row), 1.2, 1e-7);
    EXPECT_LE(At(r.trace, "chaser.gap", row), 0.0);
    EXPECT_NEAR(At(r.trace, "chaser.gap", row - 1), 30.0 - 25.0 * (row - 1) * dt, 1e-9);
  }
}

// ---- stopping distance v^2 / 2a and time v / a, the friction cap mu * g ----

TEST(PhysicsOracleTest, StoppingDistanceAndTimeWithTheFrictionCap) {
  for (const double dt : kSteps) {
    for (const double mu : {0.25, 1.0}) {
      const double v = 27.0;
      const double a = std::min({8.0, 9.0, mu * kGravity_mps2});  // asked 8, vehicle limit 9, road mu * g
      WorldSpec w = Straight(dt, v / a + 1.0, mu);
      w.actors = {Ego(10.0, v)};
      const EpisodeResult r = Simulate(w, -8.0);
      const auto speed = r.trace.column("ego.speed");
      // speed v - a k dt until it would go negative: zero from step ceil(v / (a dt))
      const size_t stop = static_cast<size_t>(std::ceil(v / (a * dt)));
      for (size_t k = 0; k < stop; ++k) ASSERT_NEAR(speed[k], v - a * k * dt, 1e-9) << dt << " " << k;
      EXPECT_EQ(speed[stop], 0.0);
      EXPECT_NEAR(At(r.trace, "ego.x", r.trace.size() - 1) - At(r.trace, "ego.x", 0), v * v / (2 * a), 1e-9);
    }
  }
}

// ---- arc motion at a constant steering angle ----

TEST(PhysicsOracleTest, ConstantSteeringFollowsTheCircle) {
  for (const double dt : kSteps) {
    const double v = 10.0;
    const double steer = 0.1;
    const double kappa = std::tan(steer) / 2.7;  // v^2 kappa = 3.7 m/s^2, within the friction circle
    WorldSpec w = Straight(dt, 4.0);
    w.actors = {Ego(10.0, v)};
    const EpisodeResult r = Simulate(w, 0.0, steer);
    for (size_t k = 0; k < r.trace.size(); k += 7) {
      const double s = v * k * dt;
      ASSERT_NEAR(At(r.trace, "ego.x", k) - 10.0, std::sin(kappa * s) / kappa, 1e-9) << dt << " " << k;
      ASSERT_NEAR(At(r.trace, "ego.y", k), (1.0 - std::cos(kappa * s)) / kappa, 1e-9) << dt << " " << k;
    }
  }
}

// ---- lane change: the offset profile and its end ----

TEST(PhysicsOracleTest, LaneChangeFollowsItsShapeAndEndsOnTheCentreLine) {
  for (const double dt : kSteps) {
    WorldSpec w = Straight(dt, 5.0);
    ActorSpec car = Car("car", "main:0", 50.0, 10.0);
    car.behaviours.push_back(LaneChange{{.trigger = Trigger{.time_s = 0.5}}, Side::kLeft, 2.3});
    w.actors = {Ego(10.0, 0.0), car};
    const EpisodeResult r = Simulate(w);
    for (size_t k = 0; k < r.trace.size(); ++k) {
      // started at the first step t >= 0.5, the offset reached at t_k is that of u = (t_k - start) / 2.3
      const double start = static_cast<double>(StepOf(0.5, dt)) * dt;
      const double u = std::clamp((k * dt - start) / 2.3, 0.0, 1.0);
      ASSERT_NEAR(At(r.trace, "car.y", k), 3.5 * 0.5 * (1.0 - std::cos(kPi * u)), 1e-9) << dt << " " << k;
    }
    EXPECT_EQ(At(r.trace, "car.lateral_offset", r.trace.size() - 1), 0.0);
  }
}

// ---- closest approach of constant-velocity bodies ----

TEST(PhysicsOracleTest, ClosestApproachOfConstantVelocityBodies) {
  for (const double dt : kSteps) {
    // ego along +x at 12 m/s from (10, 0); a cyclist from (60, -20) heading 120 degrees at 6 m/s
    WorldSpec w = Straight(dt, 6.0);
    const double h = 2.0 * kPi / 3.0;
    w.actors = {Ego(10.0, 12.0), Free("bike", ActorKind::kCyclist, 60.0, -20.0, h, 6.0)};
    const EpisodeResult r = Simulate(w);
    const double px = 50.0, py = -20.0, vx = 6.0 * std::cos(h) - 12.0, vy = 6.0 * std::sin(h);
    double best = 1e300;
    size_t best_k = 0;
    for (size_t k = 0; k < r.trace.size(); ++k) {
      const double t = k * dt;
      const double expected = std::hypot(px + vx * t, py + vy * t);
      ASSERT_NEAR(At(r.trace, "bike.distance", k), expected, 1e-9) << dt << " " << k;
      if (expected < best) best = expected, best_k = k;
    }
    // the continuous closest approach lies within half a step of the sampled one
    const double t_star = -(px * vx + py * vy) / (vx * vx + vy * vy);
    EXPECT_NEAR(best_k * dt, t_star, 0.5 * dt + 1e-12);
    const auto distance = r.trace.column("bike.distance");
    EXPECT_EQ(std::min_element(distance.begin(), distance.end()) - distance.begin(), static_cast<long>(best_k));
  }
}

TEST(PhysicsOracleTest, ClearanceOfPassingAlignedBoxes) {
  for (const double dt : kSteps) {
    // an oncoming car 2.5 m to the left: aligned boxes, clearance from the two axis gaps
    WorldSpec w = Straight(dt, 4.0);
    w.actors = {Ego(10.0, 10.0), Free("car", ActorKind::kVehicle, 80.0, 2.5, kPi, 15.0)};
    const EpisodeResult r = Simulate(w);
    for (size_t k = 0; k < r.trace.size(); ++k) {
      const double dx = std::abs(70.0 - 25.0 * k * dt) - 4.5;
      const double dy = 2.5 - 1.8;
      const double expected = dx > 0.0 ? std::hypot(dx, dy) : dy;
      ASSERT_NEAR(At(r.trace, "car.gap", k), expected, 1e-9) << dt << " " << k;
      ASSERT_EQ(At(r.trace, "car.collision", k), 0.0);
    }
  }
}

// ---- occlusion: the time a pedestrian steps out of a parked van's shadow ----

TEST(PhysicsOracleTest, OcclusionSwitchTime) {
  for (const double dt : kSteps) {
    WorldSpec w = Straight(dt, 5.0);
    ActorSpec van = Free("van", ActorKind::kStatic, 15.0, 0.0, 0.0, 0.0);
    van.length_m = 1.0;
    van.width_m = 4.0;
    van.height_m = 2.0;
    ActorSpec ped = Free("ped", ActorKind::kPedestrian, 30.0, 0.0, kPi / 2, 1.3);
    ActorSpec ego = Free("ego", ActorKind::kVehicle, 0.0, 0.0, 0.0, 0.0);
    ego.ego = true;
    w.actors = {ego, van, ped};
    w.sensors.push_back(DetectorSpec{.name = "cam", .targets = {"ped"}, .range_m = 80.0});
    const EpisodeResult r = Simulate(w);
    // the sight line to the pedestrian's near left sample point (30 - 0.225, y + 0.225) clears the
    // van's near far corner (14.5, 2) once (y + 0.225) / 29.775 > 2 / 14.5
    const double y_star = 2.0 * 29.775 / 14.5 - 0.225;
    const size_t expected = static_cast<size_t>(std::floor(y_star / (1.3 * dt))) + 1;
    EXPECT_EQ(FirstRow(r.trace, "cam.ped.visible", 1.0), expected) << dt;
  }
}

// ---- behaviours end where they say ----

TEST(PhysicsOracleTest, CrossRoadStopsAtItsDistance) {
  for (const double dt : kSteps) {
    for (const double distance : {3.0, 7.5, 0.4}) {
      WorldSpec w = Straight(dt, 12.0);
      ActorSpec ped = Free("ped", ActorKind::kPedestrian, 40.0, -5.0, kPi / 2, 0.0);
      CrossRoad cross;
      cross.speed_mps = 1.5;
      cross.distance_m = distance;
      cross.heading_rad = kPi / 2;
      ped.behaviours.push_back(cross);
      w.actors = {Ego(10.0, 0.0), ped};
      const EpisodeResult r = Simulate(w);
      const auto y = r.trace.column("ped.y");
      EXPECT_NEAR(y.back() - y.front(), distance, 1e-9) << dt << " " << distance;
      EXPECT_EQ(r.trace.column("ped.speed").back(), 0.0);
      for (const double v : y) ASSERT_LE(v - y.front(), distance + 1e-9);
    }
  }
}

TEST(PhysicsOracleTest, TimedBehavioursEndWithinOneStep) {
  for (const double dt : kSteps) {
    WorldSpec w = Straight(dt, 6.0);
    ActorSpec car = Car("car", "main:0", 50.0, 10.0);
    KeepSpeed keep;
    keep.speed_mps = 20.0;
    keep.duration_s = 1.37;
    car.behaviours.push_back(keep);
    BrakeToStop brake;
    brake.decel_mps2 = 5.0;
    car.behaviours.push_back(brake);  // starts when keep_speed ends
    w.actors = {Ego(10.0, 0.0), car};
    const EpisodeResult r = Simulate(w);
    const auto speed = r.trace.column("car.speed");
    const size_t end = StepOf(1.37, dt);  // the first step at or after 1.37 s
    for (size_t k = 0; k < end; ++k) ASSERT_NEAR(speed[k + 1] - speed[k], 3.0 * dt, 1e-9) << dt << " " << k;
    // braking from the end: v_end - 5 k dt down to zero after v_end^2 / 10 m
    const double v_end = 10.0 + 3.0 * end * dt;
    EXPECT_NEAR(speed[end + 1], v_end - 5.0 * dt, 1e-9);
    EXPECT_EQ(speed.back(), 0.0);
    const size_t stop = end + static_cast<size_t>(std::ceil(v_end / (5.0 * dt) - 1e-9));
    EXPECT_EQ(speed[stop], 0.0);
    EXPECT_GT(speed[stop - 1], 0.0);
    const auto s = r.trace.column("car.s");
    EXPECT_NEAR(s.back() - s[end], v_end * v_end / 10.0, 1e-9);
  }
}

TEST(PhysicsOracleTest, SpeedProfileEndsAtItsLastPoint) {
  for (const double dt : kSteps) {
    WorldSpec w = Straight(dt, 4.0);
    ActorSpec car = Car("car", "main:0", 50.0, 10.0);
    car.behaviours.push_back(SpeedProfile{{}, {{.time_s = 2.0, .speed_mps = 14.0}}});
    w.actors = {Ego(10.0, 0.0), car};
    const EpisodeResult r = Simulate(w);
    for (size_t k = 0; k < r.trace.size(); ++k) {
      ASSERT_NEAR(At(r.trace, "car.speed", k), std::min(14.0, 10.0 + 2.0 * k * dt), 1e-9) << dt << " " << k;
    }
  }
}

TEST(PhysicsOracleTest, RouteAndCutOutEndOnTheirLanes) {
  for (const double dt : kSteps) {
    WorldSpec w = Straight(dt, 5.0);
    ActorSpec route = Car("route", "main:0", 50.0, 10.0);
    route.behaviours.push_back(FollowRoute{{}, "main:1", 2.0});
    ActorSpec out = Car("out", "main:1", 100.0, 10.0);
    out.behaviours.push_back(CutOut{{}, Side::kRight, 1.5});
    w.actors = {Ego(10.0, 0.0), route, out};
    const EpisodeResult r = Simulate(w);
    const size_t route_end = StepOf(2.0, dt);
    const size_t out_end = StepOf(1.5, dt);
    EXPECT_EQ(At(r.trace, "route.y", route_end), 3.5);
    EXPECT_LT(At(r.trace, "route.y", route_end - 1), 3.5);
    EXPECT_EQ(At(r.trace, "out.y", out_end), 0.0);
    EXPECT_GT(At(r.trace, "out.y", out_end - 1), 0.0);
  }
}

}  // namespace
}  // namespace gauntlet::sim
