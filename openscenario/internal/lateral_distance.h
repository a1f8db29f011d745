#pragma once
// Private to openscenario/: one step of a LateralDistanceAction, written after esmini's
// LatDistanceAction (docs/openscenario.md, "LateralDistanceAction").
//
// Road (or lane) coordinates: the error is the lateral distance still to go, along +t of the road.
// Without constraints the player moves the entity onto the requested distance at once; with them
// LateralRoadStep gives the lateral speed of this step. Entity coordinates: LateralEntityStep moves the
// entity towards the line parallel to the referenced entity's heading at the requested distance.
//
//   LateralRoadState st;
//   const double d_offset = LateralRoadStep(error, ref_lateral_speed, speed, limits, 0.05, &st);

namespace gauntlet::openscenario::internal {

/// A pose on the plane: x, y (m) and heading (rad).
struct PlanePose {
  double x = 0.0, y = 0.0, heading = 0.0;
};

/// The lateral constraints of a LateralDistanceAction in road coordinates (unbounded: 1e10).
struct LateralLimits {
  double max_acceleration = 1e10;       ///< m/s^2
  double max_speed = 1e10;              ///< m/s, the lateral speed
  double max_acceleration_rate = 1e10;  ///< m/s^3
};

/// What a road-coordinate LateralDistanceAction carries from step to step.
struct LateralRoadState {
  double lateral_speed = 0.0;  ///< m/s along +t
  double acceleration = 0.0;   ///< m/s^2 along +t
};

/// One step in road coordinates (constraints given). `error` is the requested minus the current
/// lateral place along +t (m), `ref_lateral_speed` the referenced entity's lateral speed along +t,
/// `speed` the entity's speed. With a finite max_acceleration a critically damped spring of stiffness
/// 0.4 max_acceleration pulls the lateral speed (its acceleration limited by max_acceleration and its
/// change by max_acceleration_rate * dt); without one the lateral speed is the limit towards the
/// target, cut so as not to pass it. The lateral speed never exceeds min(max_speed, speed) (less
/// 1e-10, keeping some forward motion). Returns the lateral displacement of this step (m along +t);
/// `*reached` tells whether the target is reached (|error| < 0.01 m, or passed within this step).
double LateralRoadStep(double error, double ref_lateral_speed, double speed, const LateralLimits& limits, double dt,
                       LateralRoadState* state, bool* reached);

/// One step in entity coordinates: the target line runs along the referenced entity's heading at the
/// lateral `distance` (m, positive to its left). Without an acceleration limit (max_acceleration >=
/// 1e10) the entity is placed on the line (moving along it by what is left of speed * dt) with the
/// referenced entity's heading; with one it steers towards the line with a turning radius of
/// max(0.5, 1.5 v^2 / min(max_acceleration, 1000)) m, as esmini does. Returns the new pose.
PlanePose LateralEntityStep(const PlanePose& actor, double speed, const PlanePose& ref, double distance,
                            double max_acceleration, double dt);

/// The signed lateral distance of `p` from the line through `ref` along its heading (m, left positive).
double LateralOffsetFrom(const PlanePose& ref, double x, double y);

}  // namespace gauntlet::openscenario::internal
