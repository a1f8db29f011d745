#pragma once
// Evaluating one planView record at a distance along it (private to opendrive/).
//
// Lines and arcs are closed forms. A spiral (clothoid, curvature linear in s) is integrated with
// composite 10-point Gauss-Legendre quadrature on pieces over which the heading turns by at most
// 0.25 rad: the error is far below 1e-9 m for any record (tests/opendrive compare it with a fine
// numeric integration). poly3 and paramPoly3 are explicit in their parameter p; their arc length
// s(p) is tabulated at construction (Gauss-Legendre per interval) and inverted by Newton's method,
// so s is the true arc length. When a record's `length` differs from the arc length of its curve
// (a file rounding its lengths), s is scaled so the record's end is the curve's end.
//
//   const Curve curve(geometry);
//   const Pose pose = curve.At(12.5);   // 12.5 m along the record

#include <vector>

#include "opendrive/opendrive.h"

namespace gauntlet::opendrive::internal {

/// One planView record ready for evaluation.
class Curve {
 public:
  explicit Curve(const Geometry& g);

  /// The pose `ds` metres along the record (clamped to [0, length]).
  [[nodiscard]] Pose At(double ds) const;
  /// The arc length of the record's curve (poly3/paramPoly3: of the polynomial curve).
  [[nodiscard]] double curve_length() const { return curve_length_; }
  /// Metres along the curve per metre of s (curve_length / length; 1 for a consistent record).
  [[nodiscard]] double speed() const { return g_.length > 0.0 ? curve_length_ / g_.length : 1.0; }
  /// Whether the record is a line: every pose along it has the heading WrapAngle(start heading), whose
  /// std::cos and std::sin are heading_cos() and heading_sin() (computed once).
  [[nodiscard]] bool straight() const { return g_.kind == Geometry::Kind::kLine; }
  [[nodiscard]] double heading_cos() const { return wrapped_cos_; }
  [[nodiscard]] double heading_sin() const { return wrapped_sin_; }

 private:
  // Local-frame point, derivative and second derivative at parameter p (poly3, paramPoly3).
  struct Local {
    double u, v, du, dv, ddu, ddv;
  };
  [[nodiscard]] Local LocalAt(double p) const;
  [[nodiscard]] double Speed(double p) const;
  [[nodiscard]] double ArcLength(double p0, double p1) const;  // Gauss-Legendre
  [[nodiscard]] double ParamAtArc(double arc) const;

  Geometry g_;
  double cos0_ = 0.0, sin0_ = 0.0;                 // std::cos, std::sin of the start heading
  double wrapped_cos_ = 0.0, wrapped_sin_ = 0.0;   // of WrapAngle(start heading)
  double p_end_ = 0.0;         // parameter at the record's end
  double curve_length_ = 0.0;  // arc length of the curve
  std::vector<double> knot_p_, knot_arc_;
};

/// The integral over [0, length] of (cos, sin)(heading + k0 u + c u^2 / 2) du: the clothoid's end
/// relative to its start, as (dx, dy).
void ClothoidDisplacement(double heading, double k0, double c, double length, double* dx, double* dy);

/// Wraps an angle to (-pi, pi].
[[nodiscard]] double WrapAngle(double a);

}  // namespace gauntlet::opendrive::internal
