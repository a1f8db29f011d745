#include "sim/internal/footprint_geometry.h"

#include <algorithm>
#include <cmath>

#include "sim/dynamics.h"
#include "sim/internal/trig.h"

namespace gauntlet::sim::internal {
namespace {

// A sweep counts footprints this close as touching (conservative advancement approaches a contact
// from outside and never reaches it exactly).
constexpr double kTouch_m = 1e-6;
constexpr int kMaxIterations = 100000;

// The squared distance from (x, y) to the axis-aligned box [-hx, hx] x [-hy, hy] (0 inside).
double PointBoxDistance2(double x, double y, double hx, double hy) {
  const double dx = std::max(std::abs(x) - hx, 0.0);
  const double dy = std::max(std::abs(y) - hy, 0.0);
  return dx * dx + dy * dy;
}

// The smallest squared distance from a corner of a box (centre (px, py), axes rotated by (c, s),
// half sizes hl, hw) to the axis-aligned box [-hx, hx] x [-hy, hy].
double CornersToBox2(double px, double py, double c, double s, double hl, double hw, double hx, double hy) {
  double best = PointBoxDistance2(px + hl * c - hw * s, py + hl * s + hw * c, hx, hy);
  best = std::min(best, PointBoxDistance2(px + hl * c + hw * s, py + hl * s - hw * c, hx, hy));
  best = std::min(best, PointBoxDistance2(px - hl * c - hw * s, py - hl * s + hw * c, hx, hy));
  best = std::min(best, PointBoxDistance2(px - hl * c + hw * s, py - hl * s - hw * c, hx, hy));
  return best;
}

// First fraction in (from, to] (moving from `from` towards `to`, either direction) at which the
// footprints come within kTouch_m; nullopt when they stay apart.
std::optional<double> Advance(const Footprint& a0, const Footprint& a1, const Footprint& b0, const Footprint& b1,
                              double from, double to, double rate) {
  const double direction = to > from ? 1.0 : -1.0;
  double u = from;
  double clearance = SignedClearance(Interpolate(a0, a1, u), Interpolate(b0, b1, u));
  for (int i = 0; i < kMaxIterations; ++i) {
    if (clearance <= kTouch_m) return u;
    u += direction * clearance / rate;
    if ((to - u) * direction < 0.0) return std::nullopt;
    clearance = SignedClearance(Interpolate(a0, a1, u), Interpolate(b0, b1, u));
  }
  return u;  // still approaching after every iteration: within a hair, count it as touching
}

}  // namespace

double Footprint::Radius() const { return radius_m >= 0.0 ? radius_m : std::hypot(half_length_m, half_width_m); }

Footprint Footprint::WithRadius() const {
  Footprint f = *this;
  f.radius_m = std::hypot(half_length_m, half_width_m);
  return f;
}

double SignedClearance(const Footprint& a, const Footprint& b) {
  // b in a's frame
  const SinCos ha = SinCosOf(a.heading_rad);
  const double ca = ha.cos;
  const double sa = ha.sin;
  const double wx = b.x_m - a.x_m;
  const double wy = b.y_m - a.y_m;
  const double px = wx * ca + wy * sa;
  const double py = -wx * sa + wy * ca;
  const double phi = b.heading_rad - a.heading_rad;
  const SinCos hphi = SinCosOf(phi);
  const double c = hphi.cos;
  const double s = hphi.sin;
  const double ac = std::abs(c);
  const double as = std::abs(s);
  const double hla = a.half_length_m;
  const double hwa = a.half_width_m;
  const double hlb = b.half_length_m;
  const double hwb = b.half_width_m;

  // separating axes: the overlap of the projections on each of the four edge normals
  const double o1 = hla + hlb * ac + hwb * as - std::abs(px);
  const double o2 = hwa + hlb * as + hwb * ac - std::abs(py);
  const double o3 = hla * ac + hwa * as + hlb - std::abs(px * c + py * s);
  const double o4 = hla * as + hwa * ac + hwb - std::abs(-px * s + py * c);
  const double overlap = std::min({o1, o2, o3, o4});
  if (overlap >= 0.0) return overlap == 0.0 ? 0.0 : -overlap;  // the minimum translation distance

  // apart: the closest pair has a corner of one box on the other's boundary
  const double qx = -(px * c + py * s);  // a's centre in b's frame
  const double qy = -(-px * s + py * c);
  const double d2 = std::min(CornersToBox2(px, py, c, s, hlb, hwb, hla, hwa),
                             CornersToBox2(qx, qy, c, -s, hla, hwa, hlb, hwb));
  return std::sqrt(d2);
}

Footprint Interpolate(const Footprint& from, const Footprint& to, double u) {
  Footprint f = from;
  f.x_m = from.x_m + u * (to.x_m - from.x_m);
  f.y_m = from.y_m + u * (to.y_m - from.y_m);
  f.heading_rad = from.heading_rad + u * WrapAngle(to.heading_rad - from.heading_rad);
  return f;
}

std::optional<Sweep> SweepContact(const Footprint& a0, const Footprint& a1, const Footprint& b0,
                                  const Footprint& b1) {
  // relative motion of the centres, and a bound on how fast any two points of the footprints close
  const double px = b0.x_m - a0.x_m;
  const double py = b0.y_m - a0.y_m;
  const double vx = (b1.x_m - b0.x_m) - (a1.x_m - a0.x_m);
  const double vy = (b1.y_m - b0.y_m) - (a1.y_m - a0.y_m);
  const double ra = a0.Radius();
  const double rb = b0.Radius();
  const double rate = std::hypot(vx, vy) + std::abs(WrapAngle(a1.heading_rad - a0.heading_rad)) * ra +
                      std::abs(WrapAngle(b1.heading_rad - b0.heading_rad)) * rb;
  if (!(rate > 0.0)) return std::nullopt;
  // bounding circles: the closest approach of the centres within the step
  const double v2 = vx * vx + vy * vy;
  const double u_closest = v2 > 0.0 ? std::clamp(-(px * vx + py * vy) / v2, 0.0, 1.0) : 0.0;
  const double reach = ra + rb;
  if (std::hypot(px + u_closest * vx, py + u_closest * vy) > reach) return std::nullopt;

  const std::optional<double> enter = Advance(a0, a1, b0, b1, 0.0, 1.0, rate);
  if (!enter) return std::nullopt;
  // the last touch (from the end backwards) and the middle of the contact, for its depth
  const double leave = Advance(a0, a1, b0, b1, 1.0, *enter, rate).value_or(*enter);
  Sweep sweep;
  sweep.fraction = *enter;
  for (const double u : {*enter, 0.5 * (*enter + leave), leave}) {
    sweep.clearance = std::min(sweep.clearance, SignedClearance(Interpolate(a0, a1, u), Interpolate(b0, b1, u)));
  }
  return sweep;
}

}  // namespace gauntlet::sim::internal
