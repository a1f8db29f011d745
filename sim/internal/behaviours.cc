#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <string>
#include <variant>

#include "sim/internal/trig.h"
#include "sim/internal/world.h"

// The behaviours and their triggers: when each behaviour of the other actors starts and ends, and the
// commands they give for the next step.

namespace gauntlet::sim::internal {
namespace {

double CrossRemaining(const Actor& a) { return a.cross_distance_m - (a.travelled_m - a.cross_start_m); }

}  // namespace

bool World::TriggerHolds(const Actor& self, const ResolvedTrigger& r, double t) const {
  const Trigger& trigger = *r.trigger;
  const double eps = 1e-9 * dt_;
  if (trigger.time_s && t + eps < *trigger.time_s) return false;
  if (r.event_actor >= 0) {
    const Actor& who = actors_[static_cast<size_t>(r.event_actor)];
    const size_t b = static_cast<size_t>(r.event_behaviour);
    if (std::isnan(r.event_end ? who.ended_at[b] : who.started_at[b])) return false;
  }
  if (trigger.distance_m || trigger.headway_s || trigger.ttc_s) {
    const Actor& other = actors_[static_cast<size_t>(r.other)];
    const Pair p = Relate(other, self);
    if (trigger.distance_m && p.distance > *trigger.distance_m) return false;
    if (trigger.ttc_s && p.ttc > *trigger.ttc_s) return false;
    if (trigger.headway_s && !(other.body.speed_mps > 0.0 && p.gap / other.body.speed_mps <= *trigger.headway_s)) {
      return false;
    }
  }
  return true;
}

void World::EndLong(Actor& a, double t, double hold_speed_mps) {
  if (a.long_behaviour >= 0 && std::isnan(a.ended_at[static_cast<size_t>(a.long_behaviour)])) {
    a.ended_at[static_cast<size_t>(a.long_behaviour)] = t;
  }
  a.long_behaviour = -1;
  a.long_mode = LongMode::kHold;
  a.hold_speed_mps = hold_speed_mps;
  a.cross_distance_m = -1.0;
}

void World::StartLaneChange(Actor& a, LaneId target, double duration_s, LaneChangeShape shape, int behaviour,
                            double t) {
  // project the actor onto the target lane (a few Newton steps on s)
  double s = a.s_m;
  double offset = 0.0;
  for (int iteration = 0; iteration < 8; ++iteration) {
    const Pose2 pose = road_.PoseAt(target, s, 0.0);
    const double dx = a.body.x_m - pose.x_m;
    const double dy = a.body.y_m - pose.y_m;
    const double c = std::cos(pose.heading_rad);
    const double sn = std::sin(pose.heading_rad);
    const double along = dx * c + dy * sn;
    offset = -dx * sn + dy * c;
    s += along / std::max(0.1, 1.0 - pose.curvature_1pm * offset);
  }
  a.lane = target;
  a.s_m = s;
  a.offset_m = offset;
  a.lane_change = {true, t, duration_s, offset, shape, behaviour};
}

void World::Start(Actor& a, size_t k, double t) {
  a.started_at[k] = t;
  const double v = a.body.speed_mps;
  auto start_long = [&](LongMode mode) {
    EndLong(a, t, v);
    a.long_behaviour = static_cast<int>(k);
    a.long_mode = mode;
    a.long_start_time_s = t;
    a.long_start_speed_mps = v;
  };
  auto neighbour = [&](Side side) {
    return side == Side::kLeft ? road_.LeftNeighbour(a.lane) : road_.RightNeighbour(a.lane);
  };
  auto need_lane = [&](std::string_view what) {
    if (a.motion != Motion::kLane) {
      throw EpisodeFailure(TimeText(t) + ": " + Who(a) + " cannot " + std::string(what) + ": it is not on a lane");
    }
  };
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, KeepSpeed>) {
          start_long(LongMode::kHold);
          a.hold_speed_mps = b.speed_mps.value_or(v);
        } else if constexpr (std::is_same_v<T, FollowLaneIdm>) {
          need_lane("follow its lane");
          start_long(LongMode::kIdm);
        } else if constexpr (std::is_same_v<T, SpeedProfile>) {
          start_long(LongMode::kProfile);
        } else if constexpr (std::is_same_v<T, BrakeToStop>) {
          start_long(LongMode::kBrake);
        } else if constexpr (std::is_same_v<T, CrossRoad>) {
          start_long(LongMode::kHold);
          a.hold_speed_mps = b.speed_mps;
          a.cross_start_m = a.travelled_m;
          a.cross_distance_m = b.distance_m;
          double heading = 0.0;
          if (b.heading_rad) {
            heading = *b.heading_rad;
          } else {
            const double lane_heading = a.body.heading_rad - a.where.heading_error_rad;
            heading = lane_heading + (b.side == Side::kLeft ? 0.5 : -0.5) * std::numbers::pi;
          }
          a.body.heading_rad = WrapAngle(heading);
          if (a.lane_change.active && a.lane_change.behaviour >= 0) {
            a.ended_at[static_cast<size_t>(a.lane_change.behaviour)] = t;
          }
          a.lane_change.active = false;
          if (a.route_behaviour >= 0) a.ended_at[static_cast<size_t>(a.route_behaviour)] = t;
          a.route_behaviour = -1;
          a.motion = Motion::kFree;
          a.offset_rate_mps = 0.0;
        } else if constexpr (std::is_same_v<T, LaneChange>) {
          need_lane("change lanes");
          const std::optional<LaneId> next = neighbour(b.side);
          if (!next) {
            throw EpisodeFailure(TimeText(t) + ": " + Who(a) + " cannot change lanes: lane '" + road_.LaneName(a.lane) +
                                 "' has no " + (b.side == Side::kLeft ? "left" : "right") + " neighbour");
          }
          StartLaneChange(a, *next, b.duration_s, b.shape, static_cast<int>(k), t);
        } else if constexpr (std::is_same_v<T, CutIn>) {
          need_lane("cut in");
          const Actor& target = actors_[static_cast<size_t>(b.target.empty() ? ego_ : [&] {
            for (size_t i = 0; i < actors_.size(); ++i)
              if (actors_[i].spec->name == b.target) return static_cast<int>(i);
            return ego_;
          }())];
          const LaneId goal = target.where.lane;
          if (goal != road_.LeftNeighbour(a.lane).value_or(-2) && goal != road_.RightNeighbour(a.lane).value_or(-2)) {
            throw EpisodeFailure(TimeText(t) + ": " + Who(a) + " cannot cut in: the lane of '" + target.spec->name +
                                 "' (" + (goal >= 0 ? road_.LaneName(goal) : std::string("none")) +
                                 ") is not next to lane '" + road_.LaneName(a.lane) + "'");
          }
          StartLaneChange(a, goal, b.duration_s, b.shape, static_cast<int>(k), t);
        } else if constexpr (std::is_same_v<T, CutOut>) {
          need_lane("cut out");
          std::optional<LaneId> next = b.side ? neighbour(*b.side) : neighbour(Side::kLeft);
          if (!b.side && !next) next = neighbour(Side::kRight);
          if (!next) {
            throw EpisodeFailure(TimeText(t) + ": " + Who(a) + " cannot cut out: lane '" + road_.LaneName(a.lane) +
                                 "' has no neighbour on that side");
          }
          StartLaneChange(a, *next, b.duration_s, b.shape, static_cast<int>(k), t);
        } else if constexpr (std::is_same_v<T, FollowRoute>) {
          need_lane("follow a route");
          const LaneId to = *road_.FindLane(b.to);
          const LaneId from = a.lane;
          std::optional<std::vector<LaneId>> route = road_.Route(from, to);
          if (!route) {
            throw EpisodeFailure(TimeText(t) + ": " + Who(a) + " has no route from lane '" + road_.LaneName(from) +
                                 "' to lane '" + b.to + "'");
          }
          if (a.route_behaviour >= 0) a.ended_at[static_cast<size_t>(a.route_behaviour)] = t;
          a.route = std::move(*route);
          a.route_pos = 0;
          a.route_behaviour = static_cast<int>(k);
        }
      },
      a.spec->behaviours[k]);
}

// cross_road stops where it says: the commanded acceleration while the actor can still stop within the
// remaining distance after this step, else the constant deceleration that stops it exactly there.
double World::PlanCrossingStop(const Actor& a, double accel_mps2) const {
  const double remaining = CrossRemaining(a);
  const double v = a.body.speed_mps;
  const double max_brake = -LimitAccel(-kNoFrictionLimit, a.dims.max_accel_mps2, a.dims.max_decel_mps2, Friction(a));
  const Travel travel = TravelStep(v, accel_mps2, dt_);
  if (remaining - travel.distance_m >= travel.speed_mps * travel.speed_mps / (2.0 * max_brake)) return accel_mps2;
  if (remaining <= 0.0) return -max_brake;
  return -std::min(max_brake, v * v / (2.0 * remaining));
}

void World::EndNaturally(Actor& a, double t) {
  const double eps = 1e-9 * dt_;
  if (a.long_behaviour >= 0) {
    const Behaviour& b = a.spec->behaviours[static_cast<size_t>(a.long_behaviour)];
    const double elapsed = t - a.long_start_time_s;
    bool ended = false;
    double hold = a.body.speed_mps;
    if (const auto* keep = std::get_if<KeepSpeed>(&b)) {
      ended = keep->duration_s && elapsed + eps >= *keep->duration_s;
    } else if (const auto* idm = std::get_if<FollowLaneIdm>(&b)) {
      ended = idm->duration_s && elapsed + eps >= *idm->duration_s;
    } else if (const auto* profile = std::get_if<SpeedProfile>(&b)) {
      ended = elapsed + eps >= profile->points.back().time_s;
      if (ended) hold = profile->points.back().speed_mps;
    } else if (std::holds_alternative<BrakeToStop>(b)) {
      ended = a.body.speed_mps == 0.0;
      hold = 0.0;
    } else if (std::holds_alternative<CrossRoad>(b)) {
      ended = CrossRemaining(a) <= 1e-9 * std::max(1.0, a.cross_distance_m);
      hold = 0.0;
    }
    if (ended) EndLong(a, t, hold);
  }
  if (a.lane_change.active && t - a.lane_change.start_time_s + eps >= a.lane_change.duration_s) {
    a.lane_change.active = false;
    a.offset_m = 0.0;
    if (a.lane_change.behaviour >= 0) a.ended_at[static_cast<size_t>(a.lane_change.behaviour)] = t;
  }
  if (a.route_behaviour >= 0 && !a.lane_change.active) {
    // a lane change the route asks for
    if (a.route_pos + 1 < a.route.size()) {
      const LaneId next = a.route[a.route_pos + 1];
      if (next == road_.LeftNeighbour(a.lane) || next == road_.RightNeighbour(a.lane)) {
        const auto& route = std::get<FollowRoute>(a.spec->behaviours[static_cast<size_t>(a.route_behaviour)]);
        StartLaneChange(a, next, route.lane_change_duration_s, LaneChangeShape::kSinusoidal, -1, t);
        ++a.route_pos;
      }
    } else if (a.lane == a.route.back()) {
      a.ended_at[static_cast<size_t>(a.route_behaviour)] = t;
      a.route_behaviour = -1;
    }
  }
}

double World::LongitudinalCommand(const Actor& a, double t, size_t index) const {
  const double v = a.body.speed_mps;
  switch (a.long_mode) {
    case LongMode::kHold:
      return (a.hold_speed_mps - v) / dt_;
    case LongMode::kBrake:
      return -std::get<BrakeToStop>(a.spec->behaviours[static_cast<size_t>(a.long_behaviour)]).decel_mps2;
    case LongMode::kProfile: {
      const auto& points = std::get<SpeedProfile>(a.spec->behaviours[static_cast<size_t>(a.long_behaviour)]).points;
      const double tau = t + dt_ - a.long_start_time_s;
      double target = points.back().speed_mps;
      double t0 = 0.0;
      double v0 = a.long_start_speed_mps;
      for (const SpeedPoint& p : points) {
        if (tau <= p.time_s) {
          target = p.time_s > t0 ? v0 + (p.speed_mps - v0) * (tau - t0) / (p.time_s - t0) : p.speed_mps;
          break;
        }
        t0 = p.time_s;
        v0 = p.speed_mps;
      }
      return (target - v) / dt_;
    }
    case LongMode::kIdm: {
      const auto& idm = std::get<FollowLaneIdm>(a.spec->behaviours[static_cast<size_t>(a.long_behaviour)]);
      const double accel = a.dims.max_accel_mps2;
      const double free_road = 1.0 - std::pow(v / idm.desired_speed_mps, idm.exponent);
      // the nearest actor ahead whose body reaches into this lane
      double best_gap = std::numeric_limits<double>::infinity();
      double lead_speed = 0.0;
      for (size_t j = 0; j < actors_.size(); ++j) {
        if (j == index) continue;
        const Actor& b = actors_[j];
        if (b.where.lane < 0) continue;
        double ds = 0.0;
        if (b.where.lane == a.lane) {
          ds = b.where.s_m - a.s_m;
        } else {
          const auto& next = road_.Successors(a.lane);
          if (std::find(next.begin(), next.end(), b.where.lane) == next.end()) continue;
          ds = road_.LaneLength(a.lane) - a.s_m + b.where.s_m;
        }
        if (ds <= 0.0) continue;
        if (std::abs(b.where.lateral_offset_m) > 0.5 * (road_.LaneWidth(b.where.lane) + b.dims.width_m)) continue;
        const double gap = ds - 0.5 * (a.dims.length_m + b.dims.length_m);
        if (gap < best_gap) {
          best_gap = gap;
          lead_speed = b.body.speed_mps * Cos(b.where.heading_error_rad);
        }
      }
      if (!std::isfinite(best_gap)) return accel * free_road;
      const double gap = std::max(best_gap, 0.01);
      const double desired_gap =
          idm.min_gap_m + std::max(0.0, v * idm.time_headway_s +
                                            v * (v - lead_speed) / (2.0 * std::sqrt(accel * idm.comfort_decel_mps2)));
      return accel * (free_road - (desired_gap / gap) * (desired_gap / gap));
    }
  }
  return 0.0;
}

void World::UpdateBehaviours(double t) {
  const double eps = 1e-9 * dt_;
  for (size_t i = 0; i < actors_.size(); ++i) {
    Actor& a = actors_[i];
    if (static_cast<int>(i) == ego_ || a.motion == Motion::kStatic || a.scripted) continue;
    EndNaturally(a, t);
    const auto& behaviours = a.spec->behaviours;
    while (a.next < behaviours.size()) {
      const size_t n = a.next;
      bool go = false;
      if (a.triggers[n].trigger != nullptr) {
        if (!a.trigger_since && TriggerHolds(a, a.triggers[n], t)) a.trigger_since = t;
        go = a.trigger_since && t + eps >= *a.trigger_since + a.triggers[n].trigger->delay_s;
      } else {
        go = n == 0 || !std::isnan(a.ended_at[n - 1]);
      }
      const std::string_view kind = BehaviourKindName(behaviours[n]);
      const bool lateral = kind == LaneChange::kName || kind == CutIn::kName || kind == CutOut::kName;
      if (lateral && a.lane_change.active) go = false;
      if (!go) break;
      Start(a, n, t);
      ++a.next;
      a.trigger_since.reset();
      EndNaturally(a, t);
    }
    const double command = LongitudinalCommand(a, t, i);
    a.accel_cmd_mps2 = LimitAccel(command, a.dims.max_accel_mps2, a.dims.max_decel_mps2, Friction(a));
    if (a.cross_distance_m >= 0.0) a.accel_cmd_mps2 = PlanCrossingStop(a, a.accel_cmd_mps2);
  }
}

}  // namespace gauntlet::sim::internal
