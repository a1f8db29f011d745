#include "sim/internal/world.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <variant>

#include "core/check.h"
#include "core/format.h"
#include "sim/dynamics.h"
#include "sim/internal/trig.h"

// The world step: the world's construction, the actors' integration from t to t + dt, lane placement.

namespace gauntlet::sim::internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ShapeValue(LaneChangeShape shape, double u) {
  switch (shape) {
    case LaneChangeShape::kLinear:
      return u;
    case LaneChangeShape::kSinusoidal:
      return 0.5 * (1.0 - std::cos(std::numbers::pi * u));
    case LaneChangeShape::kCubic:
      return u * u * (3.0 - 2.0 * u);
  }
  return u;
}

double ShapeSlope(LaneChangeShape shape, double u) {
  switch (shape) {
    case LaneChangeShape::kLinear:
      return 1.0;
    case LaneChangeShape::kSinusoidal:
      return 0.5 * std::numbers::pi * std::sin(std::numbers::pi * u);
    case LaneChangeShape::kCubic:
      return 6.0 * u * (1.0 - u);
  }
  return 1.0;
}

}  // namespace

std::string TimeText(double t) { return "t=" + core::FormatDouble(t) + " s"; }

int ActorIndex(const WorldSpec& spec, int ego, const std::string& name) {
  if (name.empty()) return ego;
  for (size_t i = 0; i < spec.actors.size(); ++i)
    if (spec.actors[i].name == name) return static_cast<int>(i);
  GAUNTLET_CHECK_MSG(false, "a validated world names known actors");
  return -1;
}

Footprint FootprintOf(const Actor& a) {
  Footprint f = a.shape;
  f.x_m = a.body.x_m;
  f.y_m = a.body.y_m;
  f.heading_rad = a.body.heading_rad;
  return f;
}

World::World(const WorldSpec& spec, const RoadNetwork& road, LaneLocator* locator)
    : spec_(spec), road_(road), locator_(locator), dt_(spec.time_step_s) {
  if (!spec.sensors.empty()) collision_.emplace(static_cast<int>(spec.actors.size()));
  // actors and their shapes
  actors_.resize(spec.actors.size());
  for (size_t i = 0; i < spec.actors.size(); ++i) {
    const ActorSpec& s = spec.actors[i];
    Actor& a = actors_[i];
    a.spec = &s;
    a.dims = ResolveActor(s);
    a.shape = Footprint{0.0, 0.0, 0.0, 0.5 * a.dims.length_m, 0.5 * a.dims.width_m}.WithRadius();
    a.limits = {a.dims.max_accel_mps2, a.dims.max_decel_mps2, a.dims.max_steer_rad, a.dims.wheelbase_m};
    a.wheeled = s.kind == ActorKind::kVehicle || s.kind == ActorKind::kCyclist;
    a.scripted = s.scripted;
    has_scripted_ = has_scripted_ || s.scripted;
    if (s.ego) ego_ = static_cast<int>(i);
    const CollisionWorld::Role role = s.ego                          ? CollisionWorld::Role::kEgo
                                      : s.kind == ActorKind::kStatic ? CollisionWorld::Role::kStatic
                                                                     : CollisionWorld::Role::kMoving;
    if (collision_) {
      a.box = collision_->AddBox(0.5 * a.dims.length_m, 0.5 * a.dims.width_m, 0.5 * a.dims.height_m, role);
    }
    a.body.speed_mps = s.kind == ActorKind::kStatic ? 0.0 : s.speed_mps;
    a.hold_speed_mps = a.body.speed_mps;
    if (!s.lane.empty()) {
      a.lane = *road.FindLane(s.lane);
      a.s_m = s.s_m;
      a.offset_m = s.lateral_offset_m;
      const Pose2 pose = road.PoseAt(a.lane, a.s_m, a.offset_m);
      a.body.x_m = pose.x_m;
      a.body.y_m = pose.y_m;
      a.body.heading_rad = WrapAngle(pose.heading_rad + s.heading_rad);
      a.motion = s.ego ? Motion::kFree : Motion::kLane;
    } else {
      a.body.x_m = *s.x_m;
      a.body.y_m = *s.y_m;
      a.body.heading_rad = WrapAngle(s.heading_rad);
      a.motion = Motion::kFree;
    }
    if (s.kind == ActorKind::kStatic) a.motion = Motion::kStatic;
    if (a.motion == Motion::kLane) {
      a.where = {a.lane, a.s_m, a.offset_m, WrapAngle(s.heading_rad), true};
    } else {
      LocateFree(a);
    }
    if (collision_) collision_->SetPose(a.box, a.body.x_m, a.body.y_m, a.body.heading_rad);
    a.started_at.assign(s.behaviours.size(), kNaN);
    a.ended_at.assign(s.behaviours.size(), kNaN);
  }
  GAUNTLET_CHECK_MSG(ego_ >= 0, "a validated world has an ego");
  if (has_scripted_) {
    script_now_.resize(actors_.size());
    script_next_.resize(actors_.size());
  }
  contacts_.resize(actors_.size());
  last_footprints_.resize(actors_.size());

  // triggers, resolved
  for (Actor& a : actors_) {
    a.triggers.resize(a.spec->behaviours.size());
    for (size_t k = 0; k < a.spec->behaviours.size(); ++k) {
      const BehaviourBase& base = BaseOf(a.spec->behaviours[k]);
      if (!base.trigger) continue;
      ResolvedTrigger& r = a.triggers[k];
      r.trigger = &*base.trigger;
      r.other = ActorIndex(spec, ego_, base.trigger->actor);
      const std::string& event = base.trigger->event;
      if (!event.empty()) {
        const size_t first = event.find('.');
        const size_t last = event.rfind('.');
        r.event_actor = ActorIndex(spec, ego_, event.substr(0, first));
        const std::string what = event.substr(first + 1, last - first - 1);
        const auto& others = spec.actors[static_cast<size_t>(r.event_actor)].behaviours;
        for (size_t j = 0; j < others.size(); ++j)
          if (BaseOf(others[j]).name == what) r.event_behaviour = static_cast<int>(j);
        r.event_end = event.substr(last + 1) == "end";
      }
    }
  }

  // signal layout
  size_t column = actors_.size() * kSignalsPerActor + 1;
  pair_column_ = column;
  column += (actors_.size() - 1) * kSignalsPerPair;
  sensors_ = Sensors(spec, ego_, column);
  column = sensors_.end_column();
  signal_count_ = column;
}

void World::LocateFree(Actor& a) { a.where = road_.Locate(a.body.x_m, a.body.y_m, a.body.heading_rad, a.where.lane); }

double World::Friction(const Actor& a) const {
  if (!a.wheeled) return kNoFrictionLimit;
  if (a.where.lane < 0 || !a.where.on_road) return spec_.off_road_friction;
  return road_.FrictionAt(a.where.lane, std::clamp(a.where.s_m, 0.0, road_.LaneLength(a.where.lane)));
}

void World::PlaceOnLane(Actor& a) {
  // into the next lane past the end (the route's, else the first successor)
  while (a.s_m > road_.LaneLength(a.lane)) {
    const auto& next = road_.Successors(a.lane);
    LaneId to = -1;
    if (a.route_behaviour >= 0 && a.route_pos + 1 < a.route.size() &&
        std::find(next.begin(), next.end(), a.route[a.route_pos + 1]) != next.end()) {
      to = a.route[++a.route_pos];
    } else if (!next.empty()) {
      to = next.front();
    }
    if (to < 0) break;  // the lane ends: PoseAt extrapolates straight on
    a.s_m -= road_.LaneLength(a.lane);
    a.lane = to;
  }
  const Pose2 pose = road_.PoseAt(a.lane, a.s_m, a.offset_m);
  const double heading_error = Atan(a.offset_rate_mps / std::max(a.body.speed_mps, 1.0));
  a.body.x_m = pose.x_m;
  a.body.y_m = pose.y_m;
  a.body.heading_rad = WrapAngle(pose.heading_rad + heading_error);
  a.where = {a.lane, a.s_m, a.offset_m, heading_error, a.s_m >= 0.0 && a.s_m <= road_.LaneLength(a.lane)};
}

bool World::AdvanceScript(ActorScript& script, double t) {
  for (size_t i = 0; i < actors_.size(); ++i) {
    const BodyState& b = actors_[i].body;
    script_now_[i] = {b.x_m, b.y_m, b.heading_rad, b.speed_mps};
  }
  script_next_ = script_now_;  // same size: copies, never allocates
  try {
    return script.Advance(t, script_now_, script_next_);
  } catch (const std::exception& e) {
    throw EpisodeFailure("the actor script failed at " + TimeText(t) + ": " + e.what());
  }
}

void World::Integrate(const EgoCommand& command, double t_next) {
  for (size_t i = 0; i < actors_.size(); ++i) {
    Actor& a = actors_[i];
    const BodyState before = a.body;
    if (a.scripted) {
      const ActorPose& p = script_next_[i];
      a.body.x_m = p.x_m;
      a.body.y_m = p.y_m;
      a.body.heading_rad = WrapAngle(p.heading_rad);
      a.body.speed_mps = p.speed_mps;
      a.travelled_m += Hypot(a.body.x_m - before.x_m, a.body.y_m - before.y_m);
      LocateFree(a);
    } else if (a.motion == Motion::kStatic) {
      continue;
    } else if (static_cast<int>(i) == ego_) {
      switch (a.spec->kind) {
        case ActorKind::kVehicle: {
          const VehicleCommand c =
              LimitVehicleCommand(a.body.speed_mps, command.accel_mps2, command.steer_rad, a.limits, Friction(a));
          a.body = AdvanceOnCurvature(a.body, c.accel_mps2, c.curvature_1pm, dt_);
          break;
        }
        case ActorKind::kPedestrian:
        case ActorKind::kCyclist: {
          const double accel =
              LimitAccel(command.accel_mps2, a.dims.max_accel_mps2, a.dims.max_decel_mps2, Friction(a));
          const double turn =
              std::clamp(command.turn_rate_radps, -a.dims.max_turn_rate_radps, a.dims.max_turn_rate_radps);
          a.body = AdvanceOnTurnRate(a.body, accel, turn, dt_);
          break;
        }
        case ActorKind::kAircraft: {
          const double turn =
              std::clamp(command.turn_rate_radps, -a.dims.max_turn_rate_radps, a.dims.max_turn_rate_radps);
          a.body = AdvanceOnTurnRate(a.body, 0.0, turn, dt_);
          break;
        }
        case ActorKind::kStatic:
          break;
      }
      a.travelled_m += Hypot(a.body.x_m - before.x_m, a.body.y_m - before.y_m);
      LocateFree(a);
    } else if (a.motion == Motion::kLane) {
      const Travel travel = TravelStep(a.body.speed_mps, a.accel_cmd_mps2, dt_);
      a.s_m += travel.distance_m;
      a.travelled_m += travel.distance_m;
      a.body.speed_mps = travel.speed_mps;
      if (a.lane_change.active) {
        const double u = std::clamp((t_next - a.lane_change.start_time_s) / a.lane_change.duration_s, 0.0, 1.0);
        a.offset_m = a.lane_change.from_offset_m * (1.0 - ShapeValue(a.lane_change.shape, u));
        a.offset_rate_mps =
            u < 1.0 ? -a.lane_change.from_offset_m * ShapeSlope(a.lane_change.shape, u) / a.lane_change.duration_s
                    : 0.0;
      } else {
        a.offset_rate_mps = 0.0;
      }
      PlaceOnLane(a);
    } else {
      a.body = AdvanceOnTurnRate(a.body, a.accel_cmd_mps2, 0.0, dt_);
      a.travelled_m += Hypot(a.body.x_m - before.x_m, a.body.y_m - before.y_m);
      LocateFree(a);
    }
    a.accel_mps2 = (a.body.speed_mps - before.speed_mps) / dt_;
    a.yaw_rate_radps = WrapAngle(a.body.heading_rad - before.heading_rad) / dt_;
  }
}

void World::CheckFinite(double t) const {
  for (const Actor& a : actors_) {
    if (!std::isfinite(a.body.x_m) || !std::isfinite(a.body.y_m) || !std::isfinite(a.body.heading_rad) ||
        !std::isfinite(a.body.speed_mps)) {
      throw EpisodeFailure(
          TimeText(t) + ": the state of " + Who(a) + " is not finite (x=" + core::FormatDouble(a.body.x_m) +
          ", y=" + core::FormatDouble(a.body.y_m) + ", heading=" + core::FormatDouble(a.body.heading_rad) +
          ", speed=" + core::FormatDouble(a.body.speed_mps) + ")");
    }
  }
}

}  // namespace gauntlet::sim::internal
