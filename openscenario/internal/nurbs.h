#pragma once
// Private to openscenario/: a NURBS trajectory shape (non-uniform rational B-spline), evaluated with de
// Boor's algorithm in homogeneous coordinates. Times follow esmini's NurbsShape: a control point's time
// belongs to the parameter where its B-spline basis function peaks (found on a grid of `grid` + 1
// parameters), and times are linear in the parameter between those peaks.
//
//   // a quarter of the unit circle: a quadratic with the middle weight sqrt(2)/2
//   const std::vector<NurbsControl> c = {{1, 0, 0, 1}, {1, 1, 0.5, M_SQRT1_2}, {0, 1, 1, 1}};
//   const NurbsValue p = EvaluateNurbs(c, {0, 0, 0, 1, 1, 1}, 3, 0.5);   // on the circle

#include <string>
#include <vector>

namespace gauntlet::openscenario::internal {

/// A control point: place, time (0 when the shape has no times) and weight (> 0).
struct NurbsControl {
  double x = 0.0, y = 0.0, time = 0.0, weight = 1.0;
};

/// A point of the curve.
struct NurbsValue {
  double x = 0.0, y = 0.0, time = 0.0;
};

/// What is wrong with a NURBS of `points` control points, `knots` and `order` (degree + 1), or "" when
/// it is well formed: 2 <= order <= points, points + order knots, nondecreasing, with a nonempty span.
[[nodiscard]] std::string CheckNurbs(size_t points, const std::vector<double>& knots, int order);

/// The curve at parameter u, clamped to [knots[order - 1], knots[points]] (a well-formed NURBS); its
/// time is 0 (SampleNurbs gives times).
[[nodiscard]] NurbsValue EvaluateNurbs(const std::vector<NurbsControl>& control, const std::vector<double>& knots,
                                       int order, double u);

/// For each control point, the parameter where its basis function is largest among `grid` + 1 evenly
/// spaced parameters over the domain (the first such parameter).
[[nodiscard]] std::vector<double> BasisPeaks(size_t points, const std::vector<double>& knots, int order, int grid);

/// The curve at `count` + 1 parameters spaced evenly over its domain, its first and last point included,
/// each with its time from the control points' times at their basis peaks (BasisPeaks on `grid`).
[[nodiscard]] std::vector<NurbsValue> SampleNurbs(const std::vector<NurbsControl>& control,
                                                  const std::vector<double>& knots, int order, int count, int grid);

}  // namespace gauntlet::openscenario::internal
