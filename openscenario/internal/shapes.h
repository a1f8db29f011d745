#pragma once
// Private to openscenario/: trajectory shapes sampled into the points the player follows (Clothoid,
// ClothoidSpline; docs/openscenario.md, "FollowTrajectoryAction").
//
//   std::vector<ShapePoint> pts;
//   const PlanePose end = SampleClothoid({0, 0, 0}, 0.1, 0.0, 10.0, &pts);   // a 10 m arc of radius 10

#include <vector>

#include "openscenario/internal/lateral_distance.h"

namespace gauntlet::openscenario::internal {

/// A sampled point of a shape: its place and its arc length from the shape's start point.
struct ShapePoint {
  double x = 0.0, y = 0.0;
  double s = 0.0;
};

/// The metres between samples of a curved shape (the polyline's chord error at curvature k is about
/// k * 0.1^2 / 8, 0.1 mm at k = 0.1).
inline constexpr double kSampleStep = 0.1;

/// Appends the points of the clothoid that starts at `start` with curvature `k0` changing by `c` per
/// metre over `length` metres: ceil(length / kSampleStep) equal steps (2 to 10^6), the start point not
/// included, `s` counted from the clothoid's start. Each step is integrated exactly (opendrive's
/// Gauss-Legendre clothoid); a straight or an arc is therefore exact to rounding. Returns the end pose.
PlanePose SampleClothoid(const PlanePose& start, double k0, double c, double length, std::vector<ShapePoint>* out);

}  // namespace gauntlet::openscenario::internal
