#pragma once
// Dynamics models integrated by Gauntlet at a fixed step (Bullet only places and tests shapes).
//
// Every mover is a point with a heading and a speed that never goes negative: a braking body stops,
// it does not reverse. Within one step the acceleration and the path curvature (or the turn rate)
// are constant and the motion is integrated exactly: the distance is v dt + a dt^2 / 2 (cut at the
// stop), the point moves along the circular arc of that length.
//
//   VehicleLimits limits{.max_accel_mps2 = 3, .max_decel_mps2 = 9, .max_steer_rad = 0.6, .wheelbase_m = 2.7};
//   const VehicleCommand cmd = LimitVehicleCommand(state.speed_mps, -12.0, 0.0, limits, /*friction=*/0.3);
//   state = AdvanceOnCurvature(state, cmd.accel_mps2, cmd.curvature_1pm, 0.01);   // braking at 0.3 g
//
// Vehicles follow the kinematic bicycle model without slip, with the body centre as reference point:
// path curvature tan(steer) / wheelbase. Tyre friction bounds the total acceleration by
// friction * g (a friction circle with priority to the longitudinal part: braking first, then as
// much lateral acceleration v^2 * curvature as is left; a car that asks for more understeers).

#include "sim/world_spec.h"

namespace gauntlet::sim {

/// The planar state of a moving body.
struct BodyState {
  double x_m = 0.0;
  double y_m = 0.0;
  double heading_rad = 0.0;
  double speed_mps = 0.0;
};

/// Actuator limits of a vehicle.
struct VehicleLimits {
  double max_accel_mps2 = 3.0;
  double max_decel_mps2 = 9.0;  ///< positive
  double max_steer_rad = 0.6;
  double wheelbase_m = 2.7;
};

/// A vehicle command after the actuator and friction limits.
struct VehicleCommand {
  double accel_mps2 = 0.0;
  double curvature_1pm = 0.0;
};

/// Clips a commanded acceleration and steering angle to the actuator limits and to the friction
/// limit `friction * kGravity_mps2` at speed `speed_mps`.
[[nodiscard]] VehicleCommand LimitVehicleCommand(double speed_mps, double accel_mps2, double steer_rad,
                                                 const VehicleLimits& limits, double friction);

/// Clips an acceleration to [-max_decel, max_accel] and, when friction > 0, to +-friction * g.
[[nodiscard]] double LimitAccel(double accel_mps2, double max_accel_mps2, double max_decel_mps2, double friction);

/// The distance covered and the speed reached in `dt_s` from `speed_mps` at constant `accel_mps2`,
/// stopping at zero speed (a negative acceleration never makes the speed negative).
struct Travel {
  double distance_m = 0.0;
  double speed_mps = 0.0;
};
[[nodiscard]] Travel TravelStep(double speed_mps, double accel_mps2, double dt_s);

/// One step along an arc of constant curvature (1/m, positive left) at constant acceleration.
[[nodiscard]] BodyState AdvanceOnCurvature(const BodyState& state, double accel_mps2, double curvature_1pm,
                                           double dt_s);

/// One step at a constant turn rate (rad/s, positive left) and acceleration: the heading turns
/// `turn_rate * dt` whatever the speed (a walker turns on the spot; an aircraft flies an arc).
[[nodiscard]] BodyState AdvanceOnTurnRate(const BodyState& state, double accel_mps2, double turn_rate_radps,
                                          double dt_s);

/// An angle wrapped to (-pi, pi].
[[nodiscard]] double WrapAngle(double angle_rad);

}  // namespace gauntlet::sim
