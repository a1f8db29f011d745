#include "opendrive/internal/curve.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace gauntlet::opendrive::internal {
namespace {

// 10-point Gauss-Legendre nodes and weights on [-1, 1] (the positive half).
constexpr double kNodes[5] = {0.1488743389816312, 0.4333953941292472, 0.6794095682990244, 0.8650633666889845,
                              0.9739065285171717};
constexpr double kWeights[5] = {0.2955242247147529, 0.2692667193099963, 0.2190863625159820,
                                0.1494513491505806, 0.0666713443086881};

// Integral of f over [a, b] by 10-point Gauss-Legendre.
template <class F>
double Gauss(double a, double b, F&& f) {
  const double mid = 0.5 * (a + b);
  const double half = 0.5 * (b - a);
  double sum = 0.0;
  for (int i = 0; i < 5; ++i) {
    sum += kWeights[i] * (f(mid - half * kNodes[i]) + f(mid + half * kNodes[i]));
  }
  return sum * half;
}

// sin(x) / x, accurate near 0.
double Sinc(double x) {
  if (std::abs(x) < 1e-4) {
    return 1.0 - x * x / 6.0;
  }
  return std::sin(x) / x;
}

}  // namespace

double WrapAngle(double a) {
  constexpr double kPi = std::numbers::pi;
  if (a > -kPi && a <= kPi) {
    return a;
  }
  a = std::remainder(a, 2.0 * kPi);  // in [-pi, pi]
  return a <= -kPi ? a + 2.0 * kPi : a;
}

void ClothoidDisplacement(double heading, double k0, double c, double length, double* dx, double* dy) {
  // Total turning bounds the heading change on each piece; 0.25 rad per piece keeps the 10-point
  // rule's error near machine precision.
  const double turning = std::abs(k0) * length + 0.5 * std::abs(c) * length * length;
  const int pieces = static_cast<int>(std::clamp(std::ceil(turning / 0.25), 1.0, 100000.0));
  const double step = length / pieces;
  double sx = 0.0;
  double sy = 0.0;
  for (int i = 0; i < pieces; ++i) {
    const double a = i * step;
    const double b = (i + 1 == pieces) ? length : a + step;
    sx += Gauss(a, b, [&](double u) { return std::cos(heading + u * (k0 + 0.5 * c * u)); });
    sy += Gauss(a, b, [&](double u) { return std::sin(heading + u * (k0 + 0.5 * c * u)); });
  }
  *dx = sx;
  *dy = sy;
}

Curve::Curve(const Geometry& g)
    : g_(g),
      cos0_(std::cos(g.heading)),
      sin0_(std::sin(g.heading)),
      wrapped_cos_(std::cos(WrapAngle(g.heading))),
      wrapped_sin_(std::sin(WrapAngle(g.heading))) {
  if (g_.kind != Geometry::Kind::kPoly3 && g_.kind != Geometry::Kind::kParamPoly3) {
    curve_length_ = g_.length;
    return;
  }
  if (g_.kind == Geometry::Kind::kParamPoly3) {
    p_end_ = g_.normalized ? 1.0 : g_.length;
  } else {
    // poly3: u runs from 0 to the u where the arc length reaches the record's length (u <= length).
    double p = g_.length;
    for (int i = 0; i < 50; ++i) {
      const double f = ArcLength(0.0, p) - g_.length;
      const double speed = Speed(p);
      const double next = std::clamp(p - f / std::max(speed, 1e-9), 0.0, g_.length);
      if (std::abs(next - p) < 1e-13 * std::max(1.0, g_.length)) {
        p = next;
        break;
      }
      p = next;
    }
    p_end_ = p;
  }
  const int intervals = static_cast<int>(std::clamp(std::ceil(g_.length), 8.0, 4096.0));
  knot_p_.resize(intervals + 1);
  knot_arc_.resize(intervals + 1);
  knot_p_[0] = 0.0;
  knot_arc_[0] = 0.0;
  for (int i = 1; i <= intervals; ++i) {
    knot_p_[i] = p_end_ * i / intervals;
    knot_arc_[i] = knot_arc_[i - 1] + ArcLength(knot_p_[i - 1], knot_p_[i]);
  }
  curve_length_ = knot_arc_.back();
}

Curve::Local Curve::LocalAt(double p) const {
  if (g_.kind == Geometry::Kind::kPoly3) {
    return {p, g_.v.Value(p), 1.0, g_.v.Slope(p), 0.0, 2.0 * g_.v.c + 6.0 * g_.v.d * p};
  }
  return {g_.u.Value(p), g_.v.Value(p), g_.u.Slope(p), g_.v.Slope(p), 2.0 * g_.u.c + 6.0 * g_.u.d * p,
          2.0 * g_.v.c + 6.0 * g_.v.d * p};
}

double Curve::Speed(double p) const {
  const Local l = LocalAt(p);
  return std::hypot(l.du, l.dv);
}

double Curve::ArcLength(double p0, double p1) const {
  // Pieces of at most 1 parameter metre (poly3 / paramPoly3 arcLength) or 1/64 (normalized).
  const double unit = (g_.kind == Geometry::Kind::kParamPoly3 && g_.normalized) ? 1.0 / 64.0 : 1.0;
  if (!std::isfinite(p1 - p0)) {  // an overflowed polynomial or a caller's NaN point: NaN, as IEEE would
    return std::numeric_limits<double>::quiet_NaN();
  }
  const int pieces = static_cast<int>(std::clamp(std::ceil(std::abs(p1 - p0) / unit), 1.0, 100000.0));
  const double step = (p1 - p0) / pieces;
  double sum = 0.0;
  for (int i = 0; i < pieces; ++i) {
    const double a = p0 + i * step;
    const double b = (i + 1 == pieces) ? p1 : a + step;
    sum += Gauss(a, b, [&](double p) { return Speed(p); });
  }
  return sum;
}

double Curve::ParamAtArc(double arc) const {
  if (arc <= 0.0) {
    return 0.0;
  }
  if (arc >= curve_length_) {
    return p_end_;
  }
  const auto it = std::upper_bound(knot_arc_.begin(), knot_arc_.end(), arc);
  const size_t i = static_cast<size_t>(std::max<std::ptrdiff_t>(1, it - knot_arc_.begin())) - 1;
  const double p_lo = knot_p_[i];
  const double p_hi = knot_p_[std::min(i + 1, knot_p_.size() - 1)];
  const double arc_lo = knot_arc_[i];
  const double arc_hi = knot_arc_[std::min(i + 1, knot_arc_.size() - 1)];
  double p = arc_hi > arc_lo ? p_lo + (p_hi - p_lo) * (arc - arc_lo) / (arc_hi - arc_lo) : p_lo;
  for (int k = 0; k < 4; ++k) {
    const double f = arc_lo + ArcLength(p_lo, p) - arc;
    const double speed = Speed(p);
    if (speed < 1e-12) {
      break;
    }
    const double next = std::clamp(p - f / speed, p_lo, p_hi);
    const bool done = std::abs(next - p) < 1e-14 * std::max(1.0, std::abs(p_end_));
    p = next;
    if (done) {
      break;
    }
  }
  return p;
}

Pose Curve::At(double ds) const {
  ds = std::clamp(ds, 0.0, g_.length);
  const double c0 = cos0_;
  const double s0 = sin0_;
  switch (g_.kind) {
    case Geometry::Kind::kLine:
      return {g_.x + ds * c0, g_.y + ds * s0, WrapAngle(g_.heading), 0.0};
    case Geometry::Kind::kArc: {
      const double k = g_.curvature;
      const double chord = ds * Sinc(0.5 * k * ds);
      const double mid = g_.heading + 0.5 * k * ds;
      return {g_.x + chord * std::cos(mid), g_.y + chord * std::sin(mid), WrapAngle(g_.heading + k * ds), k};
    }
    case Geometry::Kind::kSpiral: {
      const double c = g_.length > 0.0 ? (g_.curv_end - g_.curv_start) / g_.length : 0.0;
      double dx = 0.0;
      double dy = 0.0;
      ClothoidDisplacement(g_.heading, g_.curv_start, c, ds, &dx, &dy);
      return {g_.x + dx, g_.y + dy, WrapAngle(g_.heading + ds * (g_.curv_start + 0.5 * c * ds)),
              g_.curv_start + c * ds};
    }
    case Geometry::Kind::kPoly3:
    case Geometry::Kind::kParamPoly3: {
      const double arc = g_.length > 0.0 ? ds * curve_length_ / g_.length : 0.0;
      const Local l = LocalAt(ParamAtArc(arc));
      const double speed = std::hypot(l.du, l.dv);
      const double local_heading = speed > 0.0 ? std::atan2(l.dv, l.du) : 0.0;
      const double curvature = speed > 1e-12 ? (l.du * l.ddv - l.dv * l.ddu) / (speed * speed * speed) : 0.0;
      return {g_.x + l.u * c0 - l.v * s0, g_.y + l.u * s0 + l.v * c0, WrapAngle(g_.heading + local_heading),
              curvature};
    }
  }
  return {};
}

}  // namespace gauntlet::opendrive::internal
