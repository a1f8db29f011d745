#include "openscenario/internal/controller_acc.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gauntlet::openscenario::internal {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kMinDist = 3.0;             // m kept to the lead at standstill (esmini's minDist)
constexpr double kAccelerationFactor = 0.7;  // share of maxAcceleration used to reach the set speed
constexpr double kLarge = 1e10;

/// The absolute difference of two angles, in [0, pi].
double AngleBetween(double a, double b) {
  const double d = std::fmod(std::fabs(a - b), 2 * kPi);
  return d > kPi ? 2 * kPi - d : d;
}

/// [min, max] of the box's corners along the own frame's x and y (the frame of `self` at its reference point).
struct Span {
  double x0 = kLarge, x1 = -kLarge, y0 = kLarge, y1 = -kLarge;
};
Span BoxIn(const EntityState& self, const EntityState& s, const BoundingBox& b) {
  const double c = std::cos(s.heading), sn = std::sin(s.heading);
  const double cs = std::cos(self.heading), ss = std::sin(self.heading);
  Span out;
  for (const double lx : {b.center_x - b.length / 2, b.center_x + b.length / 2})
    for (const double ly : {b.center_y - b.width / 2, b.center_y + b.width / 2}) {
      const double wx = s.x + c * lx - sn * ly - self.x, wy = s.y + sn * lx + c * ly - self.y;
      const double x = cs * wx + ss * wy, y = -ss * wx + cs * wy;
      out.x0 = std::min(out.x0, x);
      out.x1 = std::max(out.x1, x);
      out.y0 = std::min(out.y0, y);
      out.y1 = std::max(out.y1, y);
    }
  return out;
}

}  // namespace

AccSight AccMeasure(const opendrive::Network& roads, const Body& self, const Body& other) {
  AccSight out;
  out.other_length = other.box.length;
  out.other_speed = other.state.speed;
  const Span own = BoxIn(self.state, self.state, self.box);
  const Span theirs = BoxIn(self.state, other.state, other.box);
  out.free_x = IntervalGap(own.x0, own.x1, theirs.x0, theirs.x1);
  out.free_y = IntervalGap(own.y0, own.y1, theirs.y0, theirs.y1);
  if (!self.lane || !other.lane || self.lane->road != other.lane->road) return out;
  const opendrive::RoadIndex road = self.lane->road;
  // the direction the entity drives along the road: +1 towards +s
  const double dir = std::cos(self.state.heading - roads.RoadToWorld(road, self.lane->s).heading) >= 0 ? 1.0 : -1.0;
  const auto t_of = [&](const opendrive::LanePos& p) { return roads.LaneCentreT(road, p.lane, p.s) + p.offset; };
  out.on_path = true;
  out.ds = dir * (other.lane->s - self.lane->s);
  out.dt = t_of(*other.lane) - t_of(*self.lane);
  // the lanes that contain the reference points (during a lane change the entity belongs to its target
  // lane from the start; esmini's lane id is where the point is)
  const auto where_self = roads.LocateOnRoad(road, self.state.x, self.state.y, self.state.heading);
  const auto where_other = roads.LocateOnRoad(road, other.state.x, other.state.y, other.state.heading);
  out.same_lane = where_self && where_other && where_self->lane == where_other->lane;
  const double front = self.box.length / 2 + self.box.center_x;
  const bool aligned = AngleBetween(self.state.heading, other.state.heading) < kPi / 2;
  out.gap = out.ds - front - (other.box.length / 2 + (aligned ? -other.box.center_x : other.box.center_x));
  return out;
}

AccController::AccController(const ControllerSpec& spec) : spec_(spec) {}

void AccController::Activate(double speed) {
  current_ = speed;
  if (!spec_.override_mode || !spec_.set_speed) set_speed_ = speed;
  else set_speed_ = *spec_.set_speed;
}

double AccController::Step(const ControllerInput& in, double dt) {
  const Body& self = in.bodies[in.self];
  sights_.clear();
  for (size_t j = 0; j < in.bodies.size(); ++j)
    if (j != in.self) sights_.push_back(AccMeasure(in.roads, self, in.bodies[j]));
  return Command(self.state.speed, sights_, in.max_acceleration, in.max_deceleration, dt);
}

double AccController::Command(double speed, const std::vector<AccSight>& sights, double max_acceleration,
                              double max_deceleration, double dt) {
  // a speed set by an action (additive mode) becomes the set speed; in override mode the controller's
  // own command is the entity's speed (esmini writes it over any action's)
  if (!spec_.override_mode && std::fabs(speed - current_) > 1e-3) set_speed_ = speed;
  const double lookahead = std::max(50.0, 2 * kMinDist + current_ * current_ / max_deceleration);
  double min_gap = kLarge;
  int lead = -1;
  for (size_t i = 0; i < sights.size(); ++i) {
    const AccSight& o = sights[i];
    if (o.on_path && std::fabs(o.ds) <= lookahead && o.same_lane && o.gap > 0 && o.gap < min_gap &&
        std::fabs(o.dt) < spec_.lateral_dist) {
      min_gap = o.gap;
      lead = static_cast<int>(i);
    }
    // a box just in front counts whatever its lane (esmini yields a little more to the right)
    if (lead != static_cast<int>(i) && o.free_x > 0 &&
        o.free_x < 1.0 + o.other_length + 0.5 * std::max(0.0, current_ - o.other_speed) && o.free_y < 0.2 &&
        o.free_y > -0.5) {
      min_gap = o.free_x;
      lead = static_cast<int>(i);
    }
  }
  if (lead >= 0) {
    if (min_gap < 1.0) {
      current_ = 0.0;
    } else {
      const double v_lead = sights[static_cast<size_t>(lead)].other_speed;
      const double follow = kMinDist + spec_.time_gap * std::fabs(std::max(current_, v_lead));
      const double f = std::min(1.0, (min_gap - follow) / follow);
      const double dv_min = current_ - std::min(set_speed_, v_lead);
      const double dv_set = current_ - set_speed_;
      const double acc = std::clamp(2.5 * f - f * dv_set - (1 - f) * dv_min, -max_deceleration, max_acceleration);
      current_ = std::min(std::max(0.0, current_ + acc * dt), set_speed_);
    }
  } else {
    const double acc = std::clamp((set_speed_ - current_) * kAccelerationFactor * max_acceleration, -max_deceleration,
                                  kAccelerationFactor * max_acceleration);
    const double next = current_ + acc * dt;
    current_ = std::fabs(next - set_speed_) > std::fabs(current_ - set_speed_) ? set_speed_ : next;
  }
  return current_;
}

}  // namespace gauntlet::openscenario::internal
