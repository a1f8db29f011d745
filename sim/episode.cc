#include "sim/episode.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <stdexcept>

#include "core/check.h"
#include "core/format.h"
#include "sim/dynamics.h"
#include "sim/internal/collision_world.h"
#include "sim/internal/footprint_geometry.h"

namespace gauntlet::sim {
namespace {

using internal::CollisionWorld;
using internal::Footprint;

constexpr double kNoFrictionLimit = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A problem that ends the episode with status kError (bad numbers, an impossible manoeuvre).
class EpisodeFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string TimeText(double t) { return "t=" + core::FormatDouble(t) + " s"; }

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

enum class Motion { kLane, kFree, kStatic };
enum class LongMode { kHold, kIdm, kProfile, kBrake };

struct LaneChangeState {
  bool active = false;
  double start_time_s = 0.0;
  double duration_s = 1.0;
  double from_offset_m = 0.0;
  LaneChangeShape shape = LaneChangeShape::kSinusoidal;
  int behaviour = -1;  // -1: a lane change of a route
};

// A trigger with its names resolved to indices.
struct ResolvedTrigger {
  const Trigger* trigger = nullptr;
  int other = -1;
  int event_actor = -1;
  int event_behaviour = -1;
  bool event_end = false;
};

struct Actor {
  const ActorSpec* spec = nullptr;
  ActorDefaults dims{};
  VehicleLimits limits{};
  int box = -1;
  bool wheeled = false;  // friction limits its acceleration

  BodyState body;
  Motion motion = Motion::kFree;
  LaneId lane = -1;  // lane motion: the lane followed
  double s_m = 0.0;
  double offset_m = 0.0;
  double offset_rate_mps = 0.0;
  LanePosition where;  // measured lane position
  double accel_mps2 = 0.0;
  double yaw_rate_radps = 0.0;
  double travelled_m = 0.0;

  // behaviours
  std::vector<ResolvedTrigger> triggers;
  std::vector<double> started_at;
  std::vector<double> ended_at;
  size_t next = 0;
  std::optional<double> trigger_since;
  int long_behaviour = -1;
  LongMode long_mode = LongMode::kHold;
  double hold_speed_mps = 0.0;
  double long_start_time_s = 0.0;
  double long_start_speed_mps = 0.0;
  double cross_start_m = 0.0;
  double cross_distance_m = -1.0;
  LaneChangeState lane_change;
  int route_behaviour = -1;
  std::vector<LaneId> route;
  size_t route_pos = 0;
  double accel_cmd_mps2 = 0.0;
};

struct Pair {
  double clearance = 0.0;  // SignedClearance of the footprints
  double gap = 0.0;
  double rel_speed = 0.0;
  double ttc = kTtcCap_s;
  double distance = 0.0;
  double bearing = 0.0;
  double rel_heading = 0.0;
};

struct RaySensor {
  int host = 0;
  double range_m = 0.0;
  double height_m = 0.0;
  std::vector<double> angles_rad;
  size_t column = 0;
};

struct Detector {
  int host = 0;
  double range_m = 0.0;
  double half_fov_rad = 0.0;
  double height_m = 0.0;
  std::vector<int> targets;
  size_t column = 0;
};

// The ego's contact with one other actor, carried from step to step.
struct ContactState {
  double clearance = 0.0;  // at the previous row
  bool touching = false;   // at the previous row
  double since_s = -1.0;   // the time the current contact began; -1 out of contact
};

class World {
 public:
  World(const WorldSpec& spec, const RoadNetwork& road);

  [[nodiscard]] size_t signal_count() const { return signal_count_; }
  /// Measures the state at the current time into row[0, signal_count).
  void Measure(std::span<double> row);
  [[nodiscard]] bool ego_collided() const { return ego_collided_; }
  /// Fires behaviours and computes the other actors' commands for the step from t.
  void UpdateBehaviours(double t);
  /// Moves every actor from t to t + dt.
  void Integrate(const EgoCommand& command, double t_next);
  /// Throws EpisodeFailure when an actor's state is not finite.
  void CheckFinite(double t) const;

 private:
  [[nodiscard]] Pair Relate(const Actor& a, const Actor& b) const;
  [[nodiscard]] std::optional<double> PathGap(const Actor& a, const Actor& b, const Footprint& fa,
                                              const Footprint& fb, double clearance) const;
  [[nodiscard]] double Friction(const Actor& a) const;
  [[nodiscard]] bool TriggerHolds(const Actor& self, const ResolvedTrigger& trigger, double t) const;
  [[nodiscard]] double LongitudinalCommand(const Actor& a, double t, size_t index) const;
  [[nodiscard]] double PlanCrossingStop(const Actor& a, double accel_mps2) const;
  void EndNaturally(Actor& a, double t);
  void Start(Actor& a, size_t behaviour, double t);
  void EndLong(Actor& a, double t, double hold_speed_mps);
  void StartLaneChange(Actor& a, LaneId target, double duration_s, LaneChangeShape shape, int behaviour, double t);
  void LocateFree(Actor& a);
  void PlaceOnLane(Actor& a);
  [[nodiscard]] std::string Who(const Actor& a) const { return "actor '" + a.spec->name + "'"; }

  const WorldSpec& spec_;
  const RoadNetwork& road_;
  double dt_;
  std::vector<Actor> actors_;
  int ego_ = -1;
  CollisionWorld collision_;
  std::vector<ContactState> contacts_;      // per actor (the ego's entry unused)
  std::vector<Footprint> last_footprints_;  // at the previous row
  size_t measured_ = 0;                     // rows measured so far
  bool ego_collided_ = false;
  std::vector<RaySensor> rays_;
  std::vector<Detector> detectors_;
  size_t signal_count_ = 0;
  size_t pair_column_ = 0;
};

World::World(const WorldSpec& spec, const RoadNetwork& road)
    : spec_(spec), road_(road), dt_(spec.time_step_s), collision_(static_cast<int>(spec.actors.size())) {
  // actors and their shapes
  actors_.resize(spec.actors.size());
  for (size_t i = 0; i < spec.actors.size(); ++i) {
    const ActorSpec& s = spec.actors[i];
    Actor& a = actors_[i];
    a.spec = &s;
    a.dims = ResolveActor(s);
    a.limits = {a.dims.max_accel_mps2, a.dims.max_decel_mps2, a.dims.max_steer_rad, a.dims.wheelbase_m};
    a.wheeled = s.kind == ActorKind::kVehicle || s.kind == ActorKind::kCyclist;
    if (s.ego) ego_ = static_cast<int>(i);
    const CollisionWorld::Role role = s.ego                          ? CollisionWorld::Role::kEgo
                                      : s.kind == ActorKind::kStatic ? CollisionWorld::Role::kStatic
                                                                     : CollisionWorld::Role::kMoving;
    a.box = collision_.AddBox(0.5 * a.dims.length_m, 0.5 * a.dims.width_m, 0.5 * a.dims.height_m, role);
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
    collision_.SetPose(a.box, a.body.x_m, a.body.y_m, a.body.heading_rad);
    a.started_at.assign(s.behaviours.size(), kNaN);
    a.ended_at.assign(s.behaviours.size(), kNaN);
  }
  GAUNTLET_CHECK_MSG(ego_ >= 0, "a validated world has an ego");
  contacts_.resize(actors_.size());
  last_footprints_.resize(actors_.size());

  // triggers, resolved
  auto actor_index = [&](const std::string& name) -> int {
    if (name.empty()) return ego_;
    for (size_t i = 0; i < spec.actors.size(); ++i)
      if (spec.actors[i].name == name) return static_cast<int>(i);
    GAUNTLET_CHECK_MSG(false, "a validated world names known actors");
    return -1;
  };
  for (Actor& a : actors_) {
    a.triggers.resize(a.spec->behaviours.size());
    for (size_t k = 0; k < a.spec->behaviours.size(); ++k) {
      const BehaviourBase& base = BaseOf(a.spec->behaviours[k]);
      if (!base.trigger) continue;
      ResolvedTrigger& r = a.triggers[k];
      r.trigger = &*base.trigger;
      r.other = actor_index(base.trigger->actor);
      const std::string& event = base.trigger->event;
      if (!event.empty()) {
        const size_t first = event.find('.');
        const size_t last = event.rfind('.');
        r.event_actor = actor_index(event.substr(0, first));
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
  for (const SensorSpec& sensor : spec.sensors) {
    if (const auto* r = std::get_if<RaySensorSpec>(&sensor)) {
      RaySensor ray;
      ray.host = actor_index(r->host);
      ray.range_m = r->range_m;
      ray.height_m = r->mount_height_m;
      for (int i = 0; i < r->count; ++i) {
        ray.angles_rad.push_back(r->count == 1 ? 0.0 : -0.5 * r->fov_rad + r->fov_rad * i / (r->count - 1));
      }
      ray.column = column;
      column += ray.angles_rad.size();
      rays_.push_back(std::move(ray));
    } else {
      const auto& d = std::get<DetectorSpec>(sensor);
      Detector det;
      det.host = actor_index(d.host);
      det.range_m = d.range_m;
      det.half_fov_rad = 0.5 * d.fov_rad;
      det.height_m = d.mount_height_m;
      if (d.targets.empty()) {
        for (size_t i = 0; i < actors_.size(); ++i)
          if (static_cast<int>(i) != det.host) det.targets.push_back(static_cast<int>(i));
      } else {
        for (const std::string& t : d.targets) det.targets.push_back(actor_index(t));
      }
      det.column = column;
      column += 3 * det.targets.size();
      detectors_.push_back(std::move(det));
    }
  }
  signal_count_ = column;
}

void World::LocateFree(Actor& a) { a.where = road_.Locate(a.body.x_m, a.body.y_m, a.body.heading_rad, a.where.lane); }

Footprint FootprintOf(const Actor& a) {
  return {a.body.x_m, a.body.y_m, a.body.heading_rad, 0.5 * a.dims.length_m, 0.5 * a.dims.width_m};
}

// A footprint moved on at its speed and yaw rate for `h` seconds (straight, for a rate of change).
Footprint Ahead(const Actor& a, double h) {
  Footprint f = FootprintOf(a);
  f.x_m += h * a.body.speed_mps * std::cos(a.body.heading_rad);
  f.y_m += h * a.body.speed_mps * std::sin(a.body.heading_rad);
  f.heading_rad += h * a.yaw_rate_radps;
  return f;
}

// Footprints this close count as touching when `a` is slid along its path (PathGap).
constexpr double kPathTouch_m = 1e-6;
constexpr int kPathIterations = 1000;

std::optional<double> World::PathGap(const Actor& a, const Actor& b, const Footprint& fa, const Footprint& fb,
                                     double clearance) const {
  // b must be on a's lane or on one of its successors, not behind a, and laterally within reach
  if (clearance <= 0.0 || a.where.lane < 0 || b.where.lane < 0) return std::nullopt;
  const LaneId lane = a.where.lane;
  LaneId next = -1;
  double ds = b.where.s_m - a.where.s_m;
  if (b.where.lane != lane) {
    const auto& successors = road_.Successors(lane);
    if (std::find(successors.begin(), successors.end(), b.where.lane) == successors.end()) return std::nullopt;
    next = b.where.lane;
    ds = road_.LaneLength(lane) - a.where.s_m + b.where.s_m;
  }
  const double ra = fa.Radius();
  const double reach = ra + fb.Radius();
  if (ds + reach <= 0.0 || std::abs(b.where.lateral_offset_m - a.where.lateral_offset_m) > reach) {
    return std::nullopt;
  }
  // slide a's footprint along the lane (its offset and heading error kept) until it touches b:
  // conservative advancement, no point of the footprint moves faster than `rate` per metre of lane
  const double offset = a.where.lateral_offset_m;
  double kappa = road_.MaxCurvature(lane);
  if (next >= 0) kappa = std::max(kappa, road_.MaxCurvature(next));
  const double rate = 1.0 + kappa * (std::abs(offset) + ra);
  const double length = road_.LaneLength(lane);
  auto pose_at = [&](double s) {
    return next >= 0 && s > length ? road_.PoseAt(next, s - length, offset) : road_.PoseAt(lane, s, offset);
  };
  const Pose2 origin = pose_at(a.where.s_m);
  const double horizon = ds + reach;
  double sigma = 0.0;
  double c = clearance;
  for (int i = 0; i < kPathIterations; ++i) {
    sigma += c / rate;
    if (sigma > horizon) return std::nullopt;
    const Pose2 pose = pose_at(a.where.s_m + sigma);
    Footprint moved = fa;
    moved.x_m += pose.x_m - origin.x_m;
    moved.y_m += pose.y_m - origin.y_m;
    moved.heading_rad += WrapAngle(pose.heading_rad - origin.heading_rad);
    c = internal::SignedClearance(moved, fb);
    if (c <= kPathTouch_m) return sigma;
  }
  return std::nullopt;  // grazes the path without resolving: not in the path
}

Pair World::Relate(const Actor& a, const Actor& b) const {
  Pair p;
  const double dx = b.body.x_m - a.body.x_m;
  const double dy = b.body.y_m - a.body.y_m;
  p.distance = std::hypot(dx, dy);
  const double direction = std::atan2(dy, dx);
  p.bearing = WrapAngle(direction - a.body.heading_rad);
  p.rel_heading = WrapAngle(b.body.heading_rad - a.body.heading_rad);
  const Footprint fa = FootprintOf(a);
  const Footprint fb = FootprintOf(b);
  p.clearance = internal::SignedClearance(fa, fb);
  const std::optional<double> along = PathGap(a, b, fa, fb, p.clearance);
  p.gap = along.value_or(p.clearance);
  if (along) {
    // along the path: the difference of the speeds along the lane
    const double va = a.body.speed_mps * std::cos(a.where.heading_error_rad);
    const double vb = b.body.speed_mps * std::cos(b.where.heading_error_rad);
    p.rel_speed = vb - va;
  } else {
    // the rate of change of the clearance at constant speeds and yaw rates
    constexpr double h = 1e-3;
    p.rel_speed = (internal::SignedClearance(Ahead(a, h), Ahead(b, h)) - p.clearance) / h;
  }
  if (p.gap <= 0.0) {
    p.ttc = 0.0;
  } else if (p.rel_speed < 0.0) {
    p.ttc = std::min(kTtcCap_s, p.gap / -p.rel_speed);
  }
  return p;
}

double World::Friction(const Actor& a) const {
  if (!a.wheeled) return kNoFrictionLimit;
  if (a.where.lane < 0 || !a.where.on_road) return spec_.off_road_friction;
  return road_.FrictionAt(a.where.lane, std::clamp(a.where.s_m, 0.0, road_.LaneLength(a.where.lane)));
}

void World::Measure(std::span<double> row) {
  // shapes to Bullet, for the sensors' rays
  const bool sensing = !rays_.empty() || !detectors_.empty();
  if (sensing) {
    for (const Actor& a : actors_) {
      if (a.motion != Motion::kStatic) collision_.SetPose(a.box, a.body.x_m, a.body.y_m, a.body.heading_rad);
    }
    collision_.UpdateBounds();
  }
  const double t = static_cast<double>(measured_) * dt_;
  const bool first = measured_ == 0;
  ++measured_;

  // per actor
  double* out = row.data();
  for (const Actor& a : actors_) {
    out[0] = a.body.x_m;
    out[1] = a.body.y_m;
    out[2] = a.body.heading_rad;
    out[3] = a.body.speed_mps;
    out[4] = a.accel_mps2;
    out[5] = a.yaw_rate_radps;
    out[6] = static_cast<double>(a.where.lane);
    out[7] = a.where.s_m;
    out[8] = a.where.lateral_offset_m;
    out[9] = a.where.heading_error_rad;
    out += kSignalsPerActor;
  }

  // relative to the ego
  const Actor& ego = actors_[static_cast<size_t>(ego_)];
  ego_collided_ = false;
  double* pair = row.data() + pair_column_;
  for (size_t i = 0; i < actors_.size(); ++i) {
    if (static_cast<int>(i) == ego_) continue;
    const Actor& other = actors_[i];
    Pair p = Relate(ego, other);
    // contact: the footprints touch now, or touched within the step from the previous row (swept)
    ContactState& contact = contacts_[i];
    bool touching = p.clearance <= 0.0;
    double began = t;
    if (!first && contact.clearance > 0.0) {
      const std::optional<internal::Sweep> sweep = internal::SweepContact(
          last_footprints_[static_cast<size_t>(ego_)], FootprintOf(ego), last_footprints_[i], FootprintOf(other));
      if (sweep) {
        began = t - dt_ + sweep->fraction * dt_;
        if (!touching) {
          // a contact that began and ended within the step: reported at this row
          touching = true;
          p.gap = std::min(p.gap, std::min(sweep->clearance, p.clearance));
          if (p.gap > 0.0) p.gap = 0.0;
          p.ttc = 0.0;
        }
      }
    }
    contact.clearance = p.clearance;
    if (touching && !contact.touching) contact.since_s = began;
    if (!touching) contact.since_s = -1.0;
    contact.touching = touching;
    ego_collided_ = ego_collided_ || touching;
    pair[0] = p.gap;
    pair[1] = p.rel_speed;
    pair[2] = p.ttc;
    pair[3] = p.distance;
    pair[4] = p.bearing;
    pair[5] = p.rel_heading;
    pair[6] = touching ? 1.0 : 0.0;
    pair[7] = contact.since_s;
    pair += kSignalsPerPair;
  }
  for (size_t i = 0; i < actors_.size(); ++i) last_footprints_[i] = FootprintOf(actors_[i]);
  row[actors_.size() * kSignalsPerActor] = ego_collided_ ? 1.0 : 0.0;

  // sensors
  for (const RaySensor& sensor : rays_) {
    const Actor& host = actors_[static_cast<size_t>(sensor.host)];
    const double c = std::cos(host.body.heading_rad);
    const double s = std::sin(host.body.heading_rad);
    const CollisionWorld::Point3 from{host.body.x_m + 0.5 * host.dims.length_m * c,
                                      host.body.y_m + 0.5 * host.dims.length_m * s, sensor.height_m};
    for (size_t i = 0; i < sensor.angles_rad.size(); ++i) {
      const double angle = host.body.heading_rad + sensor.angles_rad[i];
      const CollisionWorld::Point3 to{from.x + sensor.range_m * std::cos(angle),
                                      from.y + sensor.range_m * std::sin(angle), from.z};
      const CollisionWorld::RayHit hit = collision_.CastRay(from, to, host.box);
      row[sensor.column + i] = hit.box >= 0 ? hit.fraction * sensor.range_m : sensor.range_m;
    }
  }
  for (const Detector& det : detectors_) {
    const Actor& host = actors_[static_cast<size_t>(det.host)];
    const CollisionWorld::Point3 from{host.body.x_m, host.body.y_m, det.height_m};
    for (size_t k = 0; k < det.targets.size(); ++k) {
      const Actor& target = actors_[static_cast<size_t>(det.targets[k])];
      const double dx = target.body.x_m - host.body.x_m;
      const double dy = target.body.y_m - host.body.y_m;
      const double range = std::hypot(dx, dy);
      const double bearing = WrapAngle(std::atan2(dy, dx) - host.body.heading_rad);
      bool visible = false;
      if (range <= det.range_m && std::abs(bearing) <= det.half_fov_rad) {
        const double c = std::cos(target.body.heading_rad);
        const double s = std::sin(target.body.heading_rad);
        const double hl = 0.45 * target.dims.length_m;
        const double hw = 0.45 * target.dims.width_m;
        static constexpr double kCorners[5][2] = {{0, 0}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
        for (const auto& corner : kCorners) {
          const double lx = corner[0] * hl;
          const double ly = corner[1] * hw;
          const CollisionWorld::Point3 to{target.body.x_m + lx * c - ly * s, target.body.y_m + lx * s + ly * c,
                                          0.5 * target.dims.height_m};
          if (collision_.CastRay(from, to, host.box).box == target.box) {
            visible = true;
            break;
          }
        }
      }
      row[det.column + 3 * k] = visible ? 1.0 : 0.0;
      row[det.column + 3 * k + 1] = visible ? range : det.range_m;
      row[det.column + 3 * k + 2] = visible ? bearing : 0.0;
    }
  }
}

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

double CrossRemaining(const Actor& a) { return a.cross_distance_m - (a.travelled_m - a.cross_start_m); }

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
          lead_speed = b.body.speed_mps * std::cos(b.where.heading_error_rad);
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
    if (static_cast<int>(i) == ego_ || a.motion == Motion::kStatic) continue;
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
  const double heading_error = std::atan(a.offset_rate_mps / std::max(a.body.speed_mps, 1.0));
  a.body.x_m = pose.x_m;
  a.body.y_m = pose.y_m;
  a.body.heading_rad = WrapAngle(pose.heading_rad + heading_error);
  a.where = {a.lane, a.s_m, a.offset_m, heading_error, a.s_m >= 0.0 && a.s_m <= road_.LaneLength(a.lane)};
}

void World::Integrate(const EgoCommand& command, double t_next) {
  for (size_t i = 0; i < actors_.size(); ++i) {
    Actor& a = actors_[i];
    if (a.motion == Motion::kStatic) continue;
    const BodyState before = a.body;
    if (static_cast<int>(i) == ego_) {
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
      a.travelled_m += std::hypot(a.body.x_m - before.x_m, a.body.y_m - before.y_m);
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
      a.travelled_m += std::hypot(a.body.x_m - before.x_m, a.body.y_m - before.y_m);
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

std::string JoinErrors(const std::vector<core::FieldError>& errors) {
  std::string out = "invalid world:";
  for (const core::FieldError& e : errors) out += "\n" + (e.path.empty() ? std::string() : e.path + ": ") + e.message;
  return out;
}

}  // namespace

EpisodeResult RunEpisode(const WorldSpec& spec, const RoadNetwork& road, Controller& controller,
                         const EpisodeOptions& options) {
  EpisodeResult result;
  auto fail = [&](std::string message) {
    result.status = EpisodeStatus::kError;
    result.error = std::move(message);
    return std::move(result);
  };

  // checks before anything runs
  if (const std::vector<core::FieldError> errors = Validate(spec, road); !errors.empty()) {
    return fail(JoinErrors(errors));
  }
  if (options.control_period_steps < 1) {
    return fail("control_period_steps must be at least 1 (got " + std::to_string(options.control_period_steps) + ")");
  }
  std::vector<std::string> names = SignalNames(spec);
  const size_t world_signals = names.size();
  {
    std::vector<std::string> sorted = names;
    sorted.insert(sorted.end(), options.extra_signals.begin(), options.extra_signals.end());
    std::sort(sorted.begin(), sorted.end());
    const auto duplicate = std::adjacent_find(sorted.begin(), sorted.end());
    if (duplicate != sorted.end()) return fail("extra signal '" + *duplicate + "' is already a signal");
  }
  names.insert(names.end(), options.extra_signals.begin(), options.extra_signals.end());

  try {
    World world(spec, road);
    GAUNTLET_CHECK(world.signal_count() == world_signals);
    const size_t steps = StepCount(spec);
    const double dt = spec.time_step_s;
    if (options.record_trace) {
      result.trace = core::Trace(names);
      result.trace.SetFixedStep(dt);  // time is a step count: windows in whole steps
      // rows for up to a minute at 100 Hz up front; a longer trace grows as it goes (a run that stops
      // early, by its budget or a violation, never pays for the full horizon)
      result.trace.Reserve(std::min<size_t>(steps + 1, 8192));
    }
    std::vector<double> row(names.size(), 0.0);
    const std::span<const double> signals(row.data(), world_signals);
    const std::span<double> extra(row.data() + world_signals, options.extra_signals.size());
    EgoCommand command;
    const size_t period = static_cast<size_t>(options.control_period_steps);

    for (size_t k = 0;; ++k) {
      const double t = static_cast<double>(k) * dt;
      // measure, control, record
      world.Measure(row);
      world.CheckFinite(t);
      if (k % period == 0) {
        try {
          controller.Act(t, signals, extra, &command);
        } catch (const std::exception& e) {
          throw EpisodeFailure("the controller failed at " + TimeText(t) + ": " + e.what());
        }
        if (!std::isfinite(command.accel_mps2) || !std::isfinite(command.steer_rad) ||
            !std::isfinite(command.turn_rate_radps)) {
          throw EpisodeFailure(TimeText(t) + ": the controller returned a non-finite command (accel_mps2=" +
                               core::FormatDouble(command.accel_mps2) +
                               ", steer_rad=" + core::FormatDouble(command.steer_rad) +
                               ", turn_rate_radps=" + core::FormatDouble(command.turn_rate_radps) + ")");
        }
      }
      if (options.record_trace) result.trace.Append(t, row);
      ++result.steps;
      const bool keep_going = !options.observer || options.observer(t, row);
      if (!keep_going || (options.stop_on_collision && world.ego_collided())) {
        result.status = EpisodeStatus::kStoppedEarly;
        break;
      }
      if (k == steps) break;
      // act and move
      world.UpdateBehaviours(t);
      world.Integrate(command, static_cast<double>(k + 1) * dt);
    }
  } catch (const EpisodeFailure& failure) {
    return fail(failure.what());
  }
  return result;
}

EpisodeResult RunEpisode(const WorldSpec& spec, Controller& controller, const EpisodeOptions& options) {
  std::vector<core::FieldError> errors;
  const RoadNetwork road = RoadNetwork::Build(spec.road, &errors, "road");
  if (!errors.empty()) {
    EpisodeResult result;
    result.status = EpisodeStatus::kError;
    result.error = JoinErrors(errors);
    return result;
  }
  return RunEpisode(spec, road, controller, options);
}

}  // namespace gauntlet::sim
