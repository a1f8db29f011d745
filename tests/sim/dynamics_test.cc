#include "sim/dynamics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/rng.h"

namespace gauntlet::sim {
namespace {

// Naive reference: many tiny explicit steps of the same constant-accel, constant-curvature motion.
BodyState FineIntegrate(BodyState s, double accel, double curvature, double dt, int substeps) {
  const double h = dt / substeps;
  for (int i = 0; i < substeps; ++i) {
    const double v_end = std::max(0.0, s.speed_mps + accel * h);
    const double ds = 0.5 * (s.speed_mps + v_end) * h;
    const double mid = s.heading_rad + 0.5 * curvature * ds;
    s.x_m += ds * std::cos(mid);
    s.y_m += ds * std::sin(mid);
    s.heading_rad += curvature * ds;
    s.speed_mps = v_end;
  }
  return s;
}

TEST(DynamicsTest, ExactArcStepMatchesFineIntegrationOnRandomCases) {
  core::Rng rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    BodyState s{rng.Uniform(-100, 100), rng.Uniform(-100, 100), rng.Uniform(-3, 3), rng.Uniform(0, 40)};
    const double accel = rng.Uniform(-10, 4);
    const double curvature = trial % 5 == 0 ? 0.0 : rng.Uniform(-0.2, 0.2);
    const double dt = rng.Uniform(0.001, 0.2);
    const BodyState fast = AdvanceOnCurvature(s, accel, curvature, dt);
    const BodyState slow = FineIntegrate(s, accel, curvature, dt, 4000);
    ASSERT_NEAR(fast.x_m, slow.x_m, 1e-6) << trial;
    ASSERT_NEAR(fast.y_m, slow.y_m, 1e-6) << trial;
    ASSERT_NEAR(WrapAngle(fast.heading_rad - slow.heading_rad), 0.0, 1e-9) << trial;
    ASSERT_NEAR(fast.speed_mps, slow.speed_mps, 1e-9) << trial;
    ASSERT_GE(fast.speed_mps, 0.0);
  }
}

TEST(DynamicsTest, BrakingNeverReversesAndStopsAtTheClosedFormDistance) {
  BodyState s{0, 0, 0, 20.0};
  for (int i = 0; i < 1000; ++i) s = AdvanceOnCurvature(s, -6.0, 0.0, 0.01);
  EXPECT_EQ(s.speed_mps, 0.0);
  EXPECT_NEAR(s.x_m, 20.0 * 20.0 / (2 * 6.0), 1e-9);
}

TEST(DynamicsTest, FrictionCapsTheDeceleration) {
  const VehicleLimits limits{3.0, 12.0, 0.6, 2.7};
  const VehicleCommand c = LimitVehicleCommand(20.0, -12.0, 0.0, limits, 0.3);
  EXPECT_DOUBLE_EQ(c.accel_mps2, -0.3 * kGravity_mps2);
  EXPECT_DOUBLE_EQ(LimitVehicleCommand(20.0, -12.0, 0.0, limits, 1.5).accel_mps2, -12.0);
  EXPECT_DOUBLE_EQ(LimitVehicleCommand(20.0, 5.0, 0.0, limits, 1.0).accel_mps2, 3.0);
}

TEST(DynamicsTest, FrictionCircleLeavesTheRestForCornering) {
  const VehicleLimits limits{3.0, 12.0, 0.6, 2.7};
  core::Rng rng(11);
  for (int trial = 0; trial < 1000; ++trial) {
    const double v = rng.Uniform(0, 40);
    const double mu = rng.Uniform(0.05, 1.2);
    const VehicleCommand c = LimitVehicleCommand(v, rng.Uniform(-15, 5), rng.Uniform(-1, 1), limits, mu);
    const double lateral = v * v * c.curvature_1pm;
    ASSERT_LE(std::hypot(c.accel_mps2, lateral), mu * kGravity_mps2 * (1 + 1e-12) + 1e-12);
    ASSERT_LE(std::abs(c.curvature_1pm), std::tan(0.6) / 2.7 + 1e-15);
  }
}

TEST(DynamicsTest, TurnRateStepTurnsOnTheSpot) {
  const BodyState s = AdvanceOnTurnRate({1, 2, 0, 0}, 0.0, 0.5, 0.1);
  EXPECT_DOUBLE_EQ(s.x_m, 1.0);
  EXPECT_DOUBLE_EQ(s.y_m, 2.0);
  EXPECT_DOUBLE_EQ(s.heading_rad, 0.05);
}

TEST(DynamicsTest, WrapAngleMatchesNaiveReference) {
  core::Rng rng(3);
  for (int trial = 0; trial < 10000; ++trial) {
    const double a = rng.Uniform(-50, 50);
    double naive = a;
    while (naive > std::numbers::pi) naive -= 2 * std::numbers::pi;
    while (naive <= -std::numbers::pi) naive += 2 * std::numbers::pi;
    const double w = WrapAngle(a);
    ASSERT_GT(w, -std::numbers::pi);
    ASSERT_LE(w, std::numbers::pi);
    ASSERT_NEAR(w, naive, 1e-12);
  }
  EXPECT_EQ(WrapAngle(-std::numbers::pi), std::numbers::pi);
}

}  // namespace
}  // namespace gauntlet::sim
