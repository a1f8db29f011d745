#include "openscenario/internal/controller_r157.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "opendrive/internal/curve.h"

namespace gauntlet::openscenario::internal {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kLarge = 1e10;
constexpr double kSmall = 1e-10;
// the Regulation model (esmini's Regulation: Model(Regulation, 0.35, 6.0, 46.0))
constexpr double kReactionTime = 0.35;
constexpr double kMaxDec = 6.0;
constexpr double kRange = 46.0;
constexpr double kCruiseComfort = 2.0;  // m/s^2 towards the set speed without a target
constexpr double kCruiseMaxAcc = 3.0, kCruiseMaxDec = 4.0;

using opendrive::internal::WrapAngle;
double Sign(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); }

/// The s and t spans of an entity's box on `road`.
struct RoadSpan {
  double s0 = kLarge, s1 = -kLarge, t0 = kLarge, t1 = -kLarge;
  bool ok = true;
};
RoadSpan SpanOf(const opendrive::Network& roads, opendrive::RoadIndex road, const Body& b) {
  const double c = std::cos(b.state.heading), sn = std::sin(b.state.heading);
  RoadSpan out;
  for (const double lx : {b.box.center_x - b.box.length / 2, b.box.center_x + b.box.length / 2})
    for (const double ly : {b.box.center_y - b.box.width / 2, b.box.center_y + b.box.width / 2}) {
      const auto at = roads.LocateOnRoad(road, b.state.x + c * lx - sn * ly, b.state.y + sn * lx + c * ly);
      if (!at) {
        out.ok = false;
        continue;
      }
      out.s0 = std::min(out.s0, at->s);
      out.s1 = std::max(out.s1, at->s);
      out.t0 = std::min(out.t0, at->t);
      out.t1 = std::max(out.t1, at->t);
    }
  return out;
}

}  // namespace

R157Sight R157Measure(const opendrive::Network& roads, const Body& self, const Body& other, double range) {
  R157Sight out;
  if (!self.lane || !other.lane || self.lane->road != other.lane->road) return out;
  const opendrive::RoadIndex road = self.lane->road;
  const double road_h_self = roads.RoadToWorld(road, self.lane->s).heading;
  const double road_h_other = roads.RoadToWorld(road, other.lane->s).heading;
  const double h_rel_self = WrapAngle(self.state.heading - road_h_self);
  const double dir = std::fabs(h_rel_self) > kPi / 2 ? -1.0 : 1.0;  // the own direction along s
  const double ds = dir * (other.lane->s - self.lane->s);
  if (ds <= kSmall || ds > range) return out;
  // the lanes that contain the reference points; across the centre lane the neighbour is one lane away
  const auto where_self = roads.LocateOnRoad(road, self.state.x, self.state.y);
  const auto where_other = roads.LocateOnRoad(road, other.state.x, other.state.y);
  if (!where_self || !where_other) return out;
  int d_lane = where_other->lane - where_self->lane;
  if (d_lane == 2 && where_other->lane == 1 && where_self->lane == -1) d_lane = 1;
  if (d_lane == -2 && where_other->lane == -1 && where_self->lane == 1) d_lane = -1;
  if (!other.pedestrian && (d_lane < -1 || d_lane > 1)) return out;
  const RoadSpan a = SpanOf(roads, road, self), b = SpanOf(roads, road, other);
  if (!a.ok || !b.ok) return out;
  out.valid = true;
  out.d_lane = d_lane;
  out.dist_long = dir > 0 ? IntervalGap(a.s0, a.s1, b.s0, b.s1) : IntervalGap(-a.s1, -a.s0, -b.s1, -b.s0);
  out.dist_lat = std::fabs(IntervalGap(a.t0, a.t1, b.t0, b.t1));
  // velocities along the heading, split along and across the road
  const auto split = [](const Body& body, double road_h, double* vs, double* vt) {
    const double rel = body.state.heading - road_h;
    *vs = body.state.speed * std::cos(rel);
    *vt = body.state.speed * std::sin(rel);
  };
  double vs_self = 0, vt_self = 0, vs_other = 0, vt_other = 0;
  split(self, road_h_self, &vs_self, &vt_self);
  split(other, road_h_other, &vs_other, &vt_other);
  out.dv_s = (vs_self - vs_other) * dir;
  out.dv_t = (vt_self - vt_other) * Sign(where_other->t - where_self->t);
  out.ttc = out.dv_s > 0.0 ? out.dist_long / out.dv_s : kLarge;
  // a cut-in: the box corner at the front axle on the side facing the ego, beyond 0.3 m inside its lane
  if (d_lane != 0) {
    const double width = roads.LaneWidth(road, where_other->lane, where_other->s);
    const double x = other.pedestrian ? other.box.length / 2 : other.front_axle_x;
    const double y = -Sign(d_lane) * other.box.width / 2;
    const double rel = WrapAngle(other.state.heading - road_h_other);
    const double yr = x * std::sin(rel) + y * std::cos(rel);
    const double offset = -Sign(d_lane) * (where_other->offset + yr);
    out.cut_in = offset > width / 2 + 0.3;
  }
  return out;
}

R157Controller::R157Controller(const ControllerSpec& spec) : spec_(spec) {}

void R157Controller::Activate(double speed) {
  set_speed_ = speed;
  critical_ = false;
}

double R157Controller::Step(const ControllerInput& in, double dt) {
  const Body& self = in.bodies[in.self];
  const double v = self.state.speed;
  // the nearest threat ahead: on the own lane, or cutting in
  R157Sight focus;
  for (size_t j = 0; j < in.bodies.size(); ++j) {
    if (j == in.self) continue;
    const R157Sight s = R157Measure(in.roads, self, in.bodies[j], kRange);
    if (!s.valid || (s.d_lane != 0 && !s.cut_in)) continue;
    if (!focus.valid || s.dist_long < focus.dist_long) focus = s;
  }
  if (!focus.valid) {
    critical_ = false;
  } else if (!(critical_ && spec_.full_stop)) {
    critical_ = focus.dv_s > 0.0 && focus.dist_long > 0 && focus.ttc < focus.dv_s / (2 * kMaxDec) + kReactionTime + 0.1;
  }
  if (critical_) return std::max(0.0, v - kMaxDec * dt);
  if (!spec_.cruise) return v;
  if (!focus.valid) {
    const double acc = std::fabs(v - set_speed_) < kSmall ? 0.0 : (v > set_speed_ ? -kCruiseComfort : kCruiseComfort);
    return std::clamp(v + acc * dt, 0.0, set_speed_);
  }
  if (focus.dist_long > 0 && focus.ttc > focus.dv_s / 12.0 + kReactionTime) {
    // a simple car following model: the same speed, a distance the regulation's minimum time gap gives
    const double time_gap = v * 3.6 < 10.0 ? 1.0 + (std::max(2.0, v) - 2.0) / 7.8 : 1.0 + v * 3.6 / 100.0;
    const double min_dist = std::max(v * time_gap, 2.0);
    const double acc = std::fabs(v) < kSmall
                           ? 0.0
                           : std::clamp(-2.0 * focus.dv_s + (focus.dist_long - min_dist), -kCruiseMaxDec, kCruiseMaxAcc);
    return std::clamp(v + acc * dt, 0.0, set_speed_);
  }
  return v;
}

}  // namespace gauntlet::openscenario::internal
