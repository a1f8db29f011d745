#include "sim/dynamics.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "sim/internal/trig.h"

namespace gauntlet::sim {
namespace {

// sin(x) / x, accurate near 0.
double Sinc(double x) {
  if (std::abs(x) < 1e-4) return 1.0 - x * x / 6.0;
  return std::sin(x) / x;
}

// Moves along an arc of length `distance_m` that turns by `turn_rad` in total (exact chord).
BodyState MoveAlongArc(const BodyState& state, double distance_m, double turn_rad, double new_speed_mps) {
  const double chord = distance_m * Sinc(0.5 * turn_rad);
  const double mid_heading = state.heading_rad + 0.5 * turn_rad;
  BodyState next;
  const internal::SinCos mid = internal::SinCosOf(mid_heading);
  next.x_m = state.x_m + chord * mid.cos;
  next.y_m = state.y_m + chord * mid.sin;
  next.heading_rad = WrapAngle(state.heading_rad + turn_rad);
  next.speed_mps = new_speed_mps;
  return next;
}

}  // namespace

double WrapAngle(double angle_rad) {
  constexpr double kPi = std::numbers::pi;
  if (angle_rad > -kPi && angle_rad <= kPi) return angle_rad;
  double wrapped = std::remainder(angle_rad, 2.0 * kPi);  // in [-pi, pi]
  if (wrapped <= -kPi) wrapped += 2.0 * kPi;
  return wrapped;
}

double LimitAccel(double accel_mps2, double max_accel_mps2, double max_decel_mps2, double friction) {
  double a = std::clamp(accel_mps2, -max_decel_mps2, max_accel_mps2);
  if (friction > 0.0) {
    const double grip = friction * kGravity_mps2;
    a = std::clamp(a, -grip, grip);
  }
  return a;
}

VehicleCommand LimitVehicleCommand(double speed_mps, double accel_mps2, double steer_rad, const VehicleLimits& limits,
                                   double friction) {
  VehicleCommand out;
  const double grip = std::max(0.0, friction) * kGravity_mps2;
  // longitudinal first: actuators, then the friction circle's full radius
  out.accel_mps2 = std::clamp(accel_mps2, -limits.max_decel_mps2, limits.max_accel_mps2);
  out.accel_mps2 = std::clamp(out.accel_mps2, -grip, grip);
  // lateral: what the friction circle leaves
  const double steer = std::clamp(steer_rad, -limits.max_steer_rad, limits.max_steer_rad);
  out.curvature_1pm = internal::Tan(steer) / limits.wheelbase_m;
  const double lateral_left = std::sqrt(std::max(0.0, grip * grip - out.accel_mps2 * out.accel_mps2));
  const double v2 = speed_mps * speed_mps;
  if (v2 * std::abs(out.curvature_1pm) > lateral_left) {
    out.curvature_1pm = std::copysign(lateral_left / v2, out.curvature_1pm);
  }
  return out;
}

Travel TravelStep(double speed_mps, double accel_mps2, double dt_s) {
  Travel out;
  const double v_end = speed_mps + accel_mps2 * dt_s;
  if (v_end >= 0.0) {
    out.distance_m = speed_mps * dt_s + 0.5 * accel_mps2 * dt_s * dt_s;
    out.speed_mps = v_end;
  } else {
    // stops within the step: covers v^2 / (2 |a|), then stands
    out.distance_m = accel_mps2 < 0.0 ? speed_mps * speed_mps / (-2.0 * accel_mps2) : 0.0;
    out.speed_mps = 0.0;
  }
  return out;
}

BodyState AdvanceOnCurvature(const BodyState& state, double accel_mps2, double curvature_1pm, double dt_s) {
  const Travel travel = TravelStep(state.speed_mps, accel_mps2, dt_s);
  return MoveAlongArc(state, travel.distance_m, curvature_1pm * travel.distance_m, travel.speed_mps);
}

BodyState AdvanceOnTurnRate(const BodyState& state, double accel_mps2, double turn_rate_radps, double dt_s) {
  const Travel travel = TravelStep(state.speed_mps, accel_mps2, dt_s);
  return MoveAlongArc(state, travel.distance_m, turn_rate_radps * dt_s, travel.speed_mps);
}

}  // namespace gauntlet::sim
