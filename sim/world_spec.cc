#include "sim/world_spec.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numbers>

#include "core/format.h"
#include "core/suggest.h"
#include "sim/internal/footprint_geometry.h"

namespace gauntlet::sim {
namespace {

constexpr std::array<core::EnumName<ActorKind>, 5> kActorKindNames{{
    {ActorKind::kVehicle, "vehicle"},
    {ActorKind::kPedestrian, "pedestrian"},
    {ActorKind::kCyclist, "cyclist"},
    {ActorKind::kAircraft, "aircraft"},
    {ActorKind::kStatic, "static"},
}};
constexpr std::array<core::EnumName<Side>, 2> kSideNames{{{Side::kLeft, "left"}, {Side::kRight, "right"}}};
constexpr std::array<core::EnumName<LaneChangeShape>, 3> kShapeNames{{
    {LaneChangeShape::kLinear, "linear"},
    {LaneChangeShape::kSinusoidal, "sinusoidal"},
    {LaneChangeShape::kCubic, "cubic"},
}};

std::string Num(double value) { return core::FormatDouble(value); }

// A count: whole numbers without an exponent ("100000000"), others as Num.
std::string Count(double value) {
  if (value == std::floor(value) && std::abs(value) < 1e15) return std::to_string(static_cast<long long>(value));
  return Num(value);
}

bool IsIdentifier(std::string_view name) {
  if (name.empty()) return false;
  if (std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string_view KindName(ActorKind kind) {
  for (const auto& n : kActorKindNames)
    if (n.value == kind) return n.name;
  return "?";
}

// Collects problems with their paths.
class Problems {
 public:
  void Add(std::string path, std::string message) { items_.push_back({std::move(path), std::move(message)}); }
  // "<field> must be positive (got x)" for a value <= 0 or not finite.
  void Positive(const std::string& parent, std::string_view field, double value) {
    if (std::isinf(value)) {
      Finite(parent, field, value);
    } else if (!(value > 0.0)) {
      Add(core::JoinPath(parent, field), std::string(field) + " must be positive (got " + Num(value) + ")");
    }
  }
  void Positive(const std::string& parent, std::string_view field, const std::optional<double>& value) {
    if (value) Positive(parent, field, *value);
  }
  void NotNegative(const std::string& parent, std::string_view field, double value) {
    if (std::isinf(value)) {
      Finite(parent, field, value);
    } else if (!(value >= 0.0)) {
      Add(core::JoinPath(parent, field), std::string(field) + " must not be negative (got " + Num(value) + ")");
    }
  }
  void Finite(const std::string& parent, std::string_view field, double value) {
    if (!std::isfinite(value)) {
      Add(core::JoinPath(parent, field), std::string(field) + " must be a finite number (got " + Num(value) + ")");
    }
  }
  std::vector<core::FieldError> Take() { return std::move(items_); }

 private:
  std::vector<core::FieldError> items_;
};

struct ActorInfo {
  std::string name;
  size_t index;
};

}  // namespace

std::span<const core::EnumName<ActorKind>> EnumNames(ActorKind) { return kActorKindNames; }
std::span<const core::EnumName<Side>> EnumNames(Side) { return kSideNames; }
std::span<const core::EnumName<LaneChangeShape>> EnumNames(LaneChangeShape) { return kShapeNames; }

std::string_view BehaviourKindName(const Behaviour& behaviour) {
  return std::visit([](const auto& b) { return std::decay_t<decltype(b)>::kName; }, behaviour);
}

const BehaviourBase& BaseOf(const Behaviour& behaviour) {
  return std::visit([](const auto& b) -> const BehaviourBase& { return b; }, behaviour);
}

ActorDefaults ResolveActor(const ActorSpec& actor) {
  ActorDefaults d{};
  switch (actor.kind) {
    case ActorKind::kVehicle:
    case ActorKind::kStatic:
      d = {4.5, 1.8, 1.5, 3.0, 9.0, 0.6, 2.7, 0.0};
      break;
    case ActorKind::kPedestrian:
      d = {0.5, 0.5, 1.8, 1.5, 3.0, 0.0, 0.0, 2.0};
      break;
    case ActorKind::kCyclist:
      d = {1.8, 0.6, 1.7, 2.0, 4.0, 0.0, 0.0, 1.0};
      break;
    case ActorKind::kAircraft:
      d = {20.0, 20.0, 5.0, 0.0, 0.0, 0.0, 0.0, 3.0 * std::numbers::pi / 180.0};
      break;
  }
  d.length_m = actor.length_m.value_or(d.length_m);
  d.width_m = actor.width_m.value_or(d.width_m);
  d.height_m = actor.height_m.value_or(d.height_m);
  d.max_accel_mps2 = actor.max_accel_mps2.value_or(d.max_accel_mps2);
  d.max_decel_mps2 = actor.max_decel_mps2.value_or(d.max_decel_mps2);
  d.max_steer_rad = actor.max_steer_rad.value_or(d.max_steer_rad);
  d.wheelbase_m = actor.wheelbase_m.value_or(d.wheelbase_m);
  d.max_turn_rate_radps = actor.max_turn_rate_radps.value_or(d.max_turn_rate_radps);
  return d;
}

size_t StepCount(const WorldSpec& spec) {
  const double steps = std::round(spec.duration_s / spec.time_step_s);
  if (!(steps >= 0.0) || steps > kMaxSteps) return 0;
  return static_cast<size_t>(steps);
}

std::vector<core::FieldError> Validate(const WorldSpec& spec) {
  std::vector<core::FieldError> errors;
  const RoadNetwork road = RoadNetwork::Build(spec.road, &errors, "road");
  std::vector<core::FieldError> more = Validate(spec, road);
  errors.insert(errors.end(), more.begin(), more.end());
  return errors;
}

namespace {

/// Checks a WorldSpec section by section (time, actors, placement, overlaps, behaviours, triggers,
/// sensors, memory); the sections after the actor names use what those found.
class Validator {
 public:
  Validator(const WorldSpec& spec, const RoadNetwork& road)
      : spec_(spec), road_(road), lane_names_(road.LaneNames()),
        start_(spec.actors.size()), start_lane_(spec.actors.size()) {}

  std::vector<core::FieldError> Run() {
    CheckTime();
    if (spec_.actors.size() > kMaxActors) {
      problems_.Add("actors", "too many actors: " + std::to_string(spec_.actors.size()) + " (at most " +
                                  std::to_string(kMaxActors) + ")");
      return problems_.Take();
    }
    CheckActorNames();
    for (size_t i = 0; i < spec_.actors.size(); ++i) CheckPlacement(i);
    CheckOverlaps();
    for (size_t i = 0; i < spec_.actors.size(); ++i) CheckBehaviours(i);
    CheckSensors();
    CheckMemory();
    return problems_.Take();
  }

 private:
  void CheckTime();
  void CheckActorNames();
  void CheckPlacement(size_t i);
  void CheckOverlaps();
  void CheckBehaviours(size_t i);
  void CheckBehaviour(size_t i, size_t k, std::vector<std::string>* behaviour_names, std::optional<LaneId>* lane,
                      bool* on_lane);
  void CheckLateral(const std::string& path, std::optional<Side> side, double duration_s, std::optional<LaneId>* lane);
  void CheckTrigger(size_t i, size_t k);
  void CheckTriggerEvent(const std::string& path, const std::string& event);
  void CheckSensors();
  void CheckMemory();
  bool CheckActorName(const std::string& path, const std::string& name) {
    if (actor_index_.contains(name)) return true;
    problems_.Add(path, "unknown actor '" + name + "'" + core::DidYouMean(name, actor_names_));
    return false;
  }

  const WorldSpec& spec_;
  const RoadNetwork& road_;
  Problems problems_;
  std::vector<std::string> actor_names_;
  std::map<std::string, size_t, std::less<>> actor_index_;
  std::optional<size_t> ego_;
  const std::vector<std::string> lane_names_;
  std::vector<std::optional<internal::Footprint>> start_;  // each actor's footprint at start, where known
  std::vector<std::optional<LaneId>> start_lane_;   // each actor's lane at start, where known
};

// time
void Validator::CheckTime() {
  problems_.Positive("", "time_step_s", spec_.time_step_s);
  problems_.Positive("", "duration_s", spec_.duration_s);
  if (spec_.time_step_s > 0.0 && spec_.duration_s > 0.0 && std::isfinite(spec_.duration_s) &&
      spec_.duration_s / spec_.time_step_s > kMaxSteps) {
    problems_.Add("duration_s", "too many steps: duration_s / time_step_s = " +
                                    Count(spec_.duration_s / spec_.time_step_s) + " (at most " + Count(kMaxSteps) + ")");
  }
  if (spec_.time_step_s > 0.0 && std::isfinite(spec_.time_step_s) && spec_.duration_s > 0.0 &&
      std::isfinite(spec_.duration_s) && spec_.time_step_s > spec_.duration_s) {
    problems_.Add("time_step_s", "time_step_s = " + Num(spec_.time_step_s) + " s is longer than duration_s = " +
                                     Num(spec_.duration_s) + " s: not one step fits (shorten time_step_s)");
  }
  problems_.NotNegative("", "off_road_friction", spec_.off_road_friction);
}

// actor names and the ego
void Validator::CheckActorNames() {
  for (size_t i = 0; i < spec_.actors.size(); ++i) {
    const ActorSpec& actor = spec_.actors[i];
    const std::string path = core::IndexPath("actors", i);
    if (!IsIdentifier(actor.name)) {
      problems_.Add(core::JoinPath(path, "name"), "actor name '" + actor.name +
                                                      "' must be an identifier (letters, digits and '_', "
                                                      "not starting with a digit)");
    } else if (actor.name == "time" || actor.name == "collision") {
      problems_.Add(core::JoinPath(path, "name"), "actor name '" + actor.name + "' is reserved");
    } else if (const auto it = actor_index_.find(actor.name); it != actor_index_.end()) {
      problems_.Add(core::JoinPath(path, "name"),
                    "duplicate actor name '" + actor.name + "' (also actors[" + std::to_string(it->second) + "])");
    } else {
      actor_index_.emplace(actor.name, i);
      actor_names_.push_back(actor.name);
    }
    if (actor.ego) {
      if (ego_) {
        problems_.Add(core::JoinPath(path, "ego"),
                      "more than one ego: '" + spec_.actors[*ego_].name + "' and '" + actor.name + "'");
      } else {
        ego_ = i;
      }
    }
  }
  if (!ego_ && !spec_.actors.empty()) {
    problems_.Add("actors", "no actor has ego: true (exactly one is needed)");
  }
  if (spec_.actors.empty()) problems_.Add("actors", "no actors (one of them must be the ego)");
}

// placement, sizes, limits of actors[i]
void Validator::CheckPlacement(size_t i) {
  const ActorSpec& actor = spec_.actors[i];
  const std::string path = core::IndexPath("actors", i);
  const ActorDefaults d = ResolveActor(actor);
  problems_.Positive(path, "length_m", d.length_m);
  problems_.Positive(path, "width_m", d.width_m);
  problems_.Positive(path, "height_m", d.height_m);
  if (actor.scripted) {
    problems_.Finite(path, "speed_mps", actor.speed_mps);  // a script may reverse
    if (actor.ego) problems_.Add(core::JoinPath(path, "scripted"), "the ego is driven by the controller, not scripted");
    if (actor.kind == ActorKind::kStatic)
      problems_.Add(core::JoinPath(path, "scripted"), "a static actor never moves: it cannot be scripted");
    if (!actor.lane.empty())
      problems_.Add(core::JoinPath(path, "scripted"), "a scripted actor is placed free (x_m, y_m), not on a lane");
  } else {
    problems_.NotNegative(path, "speed_mps", actor.speed_mps);
  }
  problems_.Finite(path, "heading_rad", actor.heading_rad);
  if (actor.kind == ActorKind::kVehicle) {
    problems_.Positive(path, "max_accel_mps2", d.max_accel_mps2);
    problems_.Positive(path, "max_decel_mps2", d.max_decel_mps2);
    problems_.Positive(path, "max_steer_rad", d.max_steer_rad);
    problems_.Positive(path, "wheelbase_m", d.wheelbase_m);
  } else if (actor.kind == ActorKind::kPedestrian || actor.kind == ActorKind::kCyclist) {
    problems_.Positive(path, "max_accel_mps2", d.max_accel_mps2);
    problems_.Positive(path, "max_decel_mps2", d.max_decel_mps2);
    problems_.NotNegative(path, "max_turn_rate_radps", d.max_turn_rate_radps);
  } else if (actor.kind == ActorKind::kAircraft) {
    problems_.NotNegative(path, "max_turn_rate_radps", d.max_turn_rate_radps);
  }
  if (actor.kind == ActorKind::kStatic && actor.speed_mps != 0.0) {
    problems_.Add(core::JoinPath(path, "speed_mps"), "a static actor has no speed (got " + Num(actor.speed_mps) + ")");
  }

  const bool has_lane = !actor.lane.empty();
  const bool has_xy = actor.x_m.has_value() || actor.y_m.has_value();
  std::optional<Pose2> pose;
  if (has_lane && has_xy) {
    problems_.Add(path, "actor '" + actor.name + "' is placed twice: give either lane or x_m/y_m, not both");
  } else if (has_lane) {
    const std::optional<LaneId> lane = road_.FindLane(actor.lane);
    if (!lane) {
      problems_.Add(core::JoinPath(path, "lane"),
                    "unknown lane '" + actor.lane + "'" + core::DidYouMean(actor.lane, lane_names_));
    } else if (!(actor.s_m >= 0.0) || actor.s_m > road_.LaneLength(*lane)) {
      problems_.Add(core::JoinPath(path, "s_m"), "s_m = " + Num(actor.s_m) + " is not on lane '" + actor.lane +
                                                     "' (length " + Num(road_.LaneLength(*lane)) + " m)");
    } else {
      problems_.Finite(path, "lateral_offset_m", actor.lateral_offset_m);
      if (!actor.ego && actor.kind != ActorKind::kStatic && actor.heading_rad != 0.0) {
        problems_.Add(core::JoinPath(path, "heading_rad"), "actor '" + actor.name + "' follows lane '" + actor.lane +
                                                               "': heading_rad must be 0 (got " +
                                                               Num(actor.heading_rad) + ")");
      }
      start_lane_[i] = lane;
      pose = road_.PoseAt(*lane, actor.s_m, actor.lateral_offset_m);
      pose->heading_rad += actor.heading_rad;
    }
  } else if (actor.x_m && actor.y_m) {
    problems_.Finite(path, "x_m", *actor.x_m);
    problems_.Finite(path, "y_m", *actor.y_m);
    pose = Pose2{*actor.x_m, *actor.y_m, actor.heading_rad, 0.0};
  } else if (has_xy) {
    problems_.Add(path, std::string("actor '") + actor.name + "' needs both x_m and y_m");
  } else {
    problems_.Add(path, "actor '" + actor.name + "' has no placement: give lane (and s_m) or x_m and y_m");
  }
  if (pose && std::isfinite(pose->x_m) && std::isfinite(pose->y_m) && d.length_m > 0 && d.width_m > 0) {
    start_[i] = internal::Footprint{pose->x_m, pose->y_m, pose->heading_rad, 0.5 * d.length_m, 0.5 * d.width_m};
  }
}

// overlaps (or touches) at start, by SignedClearance as contact in an episode (a bounding-circle prefilter
// on x keeps this fast for many actors)
void Validator::CheckOverlaps() {
  std::vector<size_t> order;
  std::vector<double> radius(spec_.actors.size(), 0.0);
  for (size_t i = 0; i < start_.size(); ++i) {
    if (!start_[i]) continue;
    order.push_back(i);
    radius[i] = start_[i]->Radius();
  }
  double max_radius = 0.0;
  for (double r : radius) max_radius = std::max(max_radius, r);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) {
              return start_[a]->x_m != start_[b]->x_m ? start_[a]->x_m < start_[b]->x_m : a < b;
            });
  std::vector<std::pair<size_t, size_t>> overlaps;
  for (size_t u = 0; u < order.size(); ++u) {
    for (size_t v = u + 1; v < order.size(); ++v) {
      const internal::Footprint& a = *start_[order[u]];
      const internal::Footprint& b = *start_[order[v]];
      if (b.x_m - a.x_m > 2.0 * max_radius) break;
      if (std::hypot(b.x_m - a.x_m, b.y_m - a.y_m) > radius[order[u]] + radius[order[v]]) continue;
      // footprints that touch count, as contact does in an episode (footprint_geometry.h)
      if (internal::SignedClearance(a, b) <= 0.0) {
        overlaps.emplace_back(std::min(order[u], order[v]), std::max(order[u], order[v]));
      }
    }
  }
  std::sort(overlaps.begin(), overlaps.end());
  for (const auto& [a, b] : overlaps) {
    problems_.Add(core::IndexPath("actors", b),
                  "actors '" + spec_.actors[a].name + "' and '" + spec_.actors[b].name + "' overlap at start");
  }
}

// behaviours of actors[i], then their triggers (after the names of every behaviour are known)
void Validator::CheckBehaviours(size_t i) {
  const ActorSpec& actor = spec_.actors[i];
  const std::string actor_path = core::IndexPath("actors", i);
  if (actor.behaviours.empty()) return;
  if (actor.scripted) {
    problems_.Add(core::JoinPath(actor_path, "behaviours"),
                  "actor '" + actor.name + "' is scripted (moved by the episode's script) and has no behaviours");
    return;
  }
  if (actor.ego) {
    problems_.Add(core::JoinPath(actor_path, "behaviours"),
                  "the ego '" + actor.name + "' is driven by the controller and has no behaviours");
    return;
  }
  if (actor.kind == ActorKind::kStatic || actor.kind == ActorKind::kAircraft) {
    problems_.Add(core::JoinPath(actor_path, "behaviours"),
                  "a " + std::string(KindName(actor.kind)) + " actor has no behaviours");
    return;
  }
  std::vector<std::string> behaviour_names;
  std::optional<LaneId> lane = start_lane_[i];  // the lane the actor is on, while it is known
  bool on_lane = !actor.lane.empty();
  for (size_t k = 0; k < actor.behaviours.size(); ++k) CheckBehaviour(i, k, &behaviour_names, &lane, &on_lane);
  for (size_t k = 0; k < actor.behaviours.size(); ++k) CheckTrigger(i, k);
}

// a lane change to `side` (or either side): the lane the actor is on must have that neighbour
void Validator::CheckLateral(const std::string& path, std::optional<Side> side, double duration_s,
                             std::optional<LaneId>* lane) {
  problems_.Positive(path, "duration_s", duration_s);
  if (!*lane) return;
  std::optional<LaneId> next;
  Side used = side.value_or(Side::kLeft);
  if (side) {
    next = *side == Side::kLeft ? road_.LeftNeighbour(**lane) : road_.RightNeighbour(**lane);
  } else {
    next = road_.LeftNeighbour(**lane);
    if (!next) {
      next = road_.RightNeighbour(**lane);
      used = Side::kRight;
    }
  }
  if (!next) {
    problems_.Add(side ? core::JoinPath(path, "side") : path,
                  "lane '" + road_.LaneName(**lane) + "' has no " +
                      (side ? std::string(used == Side::kLeft ? "left" : "right") + " neighbour"
                            : std::string("neighbour")) +
                      " to change to");
  }
  *lane = next;
}

// actors[i].behaviours[k]: its name and fields, and the lane it leaves the actor on
void Validator::CheckBehaviour(size_t i, size_t k, std::vector<std::string>* behaviour_names,
                               std::optional<LaneId>* lane, bool* on_lane) {
  const ActorSpec& actor = spec_.actors[i];
  const std::string actor_path = core::IndexPath("actors", i);
  const ActorDefaults d = ResolveActor(actor);
  const Behaviour& behaviour = actor.behaviours[k];
  const BehaviourBase& base = BaseOf(behaviour);
  const std::string path =
      core::JoinPath(core::IndexPath(core::JoinPath(actor_path, "behaviours"), k), BehaviourKindName(behaviour));
  if (!base.name.empty()) {
    if (!IsIdentifier(base.name)) {
      problems_.Add(core::JoinPath(path, "name"), "behaviour name '" + base.name + "' must be an identifier");
    } else if (std::find(behaviour_names->begin(), behaviour_names->end(), base.name) != behaviour_names->end()) {
      problems_.Add(core::JoinPath(path, "name"),
                    "duplicate behaviour name '" + base.name + "' of actor '" + actor.name + "'");
    } else {
      behaviour_names->push_back(base.name);
    }
  }
  const std::string_view kind = BehaviourKindName(behaviour);
  const bool needs_lane = kind == FollowLaneIdm::kName || kind == LaneChange::kName || kind == CutIn::kName ||
                          kind == CutOut::kName || kind == FollowRoute::kName;
  if (needs_lane && !*on_lane) {
    problems_.Add(path, std::string(kind) + " needs an actor on a lane ('" + actor.name +
                            "' is placed by x_m/y_m or has left its lane)");
  }
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, KeepSpeed>) {
          if (b.speed_mps) problems_.NotNegative(path, "speed_mps", *b.speed_mps);
          problems_.Positive(path, "duration_s", b.duration_s);
        } else if constexpr (std::is_same_v<T, FollowLaneIdm>) {
          problems_.Positive(path, "desired_speed_mps", b.desired_speed_mps);
          problems_.NotNegative(path, "time_headway_s", b.time_headway_s);
          problems_.NotNegative(path, "min_gap_m", b.min_gap_m);
          problems_.Positive(path, "comfort_decel_mps2", b.comfort_decel_mps2);
          problems_.Positive(path, "exponent", b.exponent);
          problems_.Positive(path, "duration_s", b.duration_s);
          if (!(d.max_accel_mps2 > 0.0)) problems_.Add(path, "follow_lane_idm needs max_accel_mps2 > 0");
        } else if constexpr (std::is_same_v<T, SpeedProfile>) {
          if (b.points.empty()) problems_.Add(core::JoinPath(path, "points"), "speed_profile needs at least one point");
          for (size_t p = 0; p < b.points.size(); ++p) {
            const std::string point_path = core::IndexPath(core::JoinPath(path, "points"), p);
            problems_.NotNegative(point_path, "time_s", b.points[p].time_s);
            problems_.NotNegative(point_path, "speed_mps", b.points[p].speed_mps);
            if (p > 0 && !(b.points[p].time_s > b.points[p - 1].time_s)) {
              problems_.Add(core::JoinPath(point_path, "time_s"), "speed_profile times must increase (" +
                                                                      Num(b.points[p].time_s) + " after " +
                                                                      Num(b.points[p - 1].time_s) + ")");
            }
          }
        } else if constexpr (std::is_same_v<T, LaneChange>) {
          CheckLateral(path, b.side, b.duration_s, lane);
        } else if constexpr (std::is_same_v<T, CutIn>) {
          problems_.Positive(path, "duration_s", b.duration_s);
          if (!b.target.empty()) {
            if (CheckActorName(core::JoinPath(path, "target"), b.target) && b.target == actor.name) {
              problems_.Add(core::JoinPath(path, "target"), "actor '" + actor.name + "' cannot cut in on itself");
            }
          }
          lane->reset();  // depends on where the target is then
        } else if constexpr (std::is_same_v<T, CutOut>) {
          CheckLateral(path, b.side, b.duration_s, lane);
        } else if constexpr (std::is_same_v<T, BrakeToStop>) {
          problems_.Positive(path, "decel_mps2", b.decel_mps2);
        } else if constexpr (std::is_same_v<T, CrossRoad>) {
          problems_.Positive(path, "speed_mps", b.speed_mps);
          problems_.Positive(path, "distance_m", b.distance_m);
          if (b.heading_rad) problems_.Finite(path, "heading_rad", *b.heading_rad);
          *on_lane = false;
          lane->reset();
        } else if constexpr (std::is_same_v<T, FollowRoute>) {
          problems_.Positive(path, "lane_change_duration_s", b.lane_change_duration_s);
          const std::optional<LaneId> to = road_.FindLane(b.to);
          if (!to) {
            problems_.Add(core::JoinPath(path, "to"), "unknown lane '" + b.to + "'" + core::DidYouMean(b.to, lane_names_));
          } else if (*lane && !road_.Route(**lane, *to)) {
            problems_.Add(core::JoinPath(path, "to"),
                          "no route from lane '" + road_.LaneName(**lane) + "' to lane '" + b.to + "'");
          }
          *lane = to;
        }
      },
      behaviour);
}

// the trigger of actors[i].behaviours[k]
void Validator::CheckTrigger(size_t i, size_t k) {
  const ActorSpec& actor = spec_.actors[i];
  const Behaviour& behaviour = actor.behaviours[k];
  const BehaviourBase& base = BaseOf(behaviour);
  if (!base.trigger) return;
  const Trigger& trigger = *base.trigger;
  const std::string actor_path = core::IndexPath("actors", i);
  const std::string path = core::JoinPath(
      core::JoinPath(core::IndexPath(core::JoinPath(actor_path, "behaviours"), k), BehaviourKindName(behaviour)),
      "trigger");
  if (trigger.time_s) problems_.NotNegative(path, "time_s", *trigger.time_s);
  problems_.NotNegative(path, "delay_s", trigger.delay_s);
  if (trigger.distance_m) problems_.NotNegative(path, "distance_m", *trigger.distance_m);
  if (trigger.headway_s) problems_.NotNegative(path, "headway_s", *trigger.headway_s);
  if (trigger.ttc_s) problems_.NotNegative(path, "ttc_s", *trigger.ttc_s);
  const bool pairwise = trigger.distance_m || trigger.headway_s || trigger.ttc_s;
  if (!trigger.actor.empty()) {
    if (CheckActorName(core::JoinPath(path, "actor"), trigger.actor) && trigger.actor == actor.name) {
      problems_.Add(core::JoinPath(path, "actor"), "a trigger of actor '" + actor.name + "' cannot refer to itself");
    }
    if (!pairwise) {
      problems_.Add(core::JoinPath(path, "actor"),
                    "actor is used only with distance_m, headway_s or ttc_s, and none is given");
    }
  }
  if (!trigger.event.empty()) CheckTriggerEvent(core::JoinPath(path, "event"), trigger.event);
}

// a trigger's event: '<actor>.<behaviour>.start' or '.end' of a named behaviour
void Validator::CheckTriggerEvent(const std::string& event_path, const std::string& event) {
  const size_t first = event.find('.');
  const size_t last = event.rfind('.');
  const std::string edge = last == std::string::npos ? "" : event.substr(last + 1);
  if (first == std::string::npos || first == last || (edge != "start" && edge != "end")) {
    problems_.Add(event_path, "event '" + event + "' must be '<actor>.<behaviour>.start' or '<actor>.<behaviour>.end'");
    return;
  }
  const std::string who = event.substr(0, first);
  const std::string what = event.substr(first + 1, last - first - 1);
  const auto it = actor_index_.find(who);
  if (it == actor_index_.end()) {
    problems_.Add(event_path,
                  "unknown actor '" + who + "' in event '" + event + "'" + core::DidYouMean(who, actor_names_));
    return;
  }
  std::vector<std::string> names;
  for (const Behaviour& other : spec_.actors[it->second].behaviours) {
    if (!BaseOf(other).name.empty()) names.push_back(BaseOf(other).name);
  }
  if (std::find(names.begin(), names.end(), what) == names.end()) {
    problems_.Add(event_path, "actor '" + who + "' has no behaviour named '" + what + "' (event '" + event + "')" +
                                  core::DidYouMean(what, names));
  }
}

// sensors
void Validator::CheckSensors() {
  std::map<std::string, size_t, std::less<>> sensor_index;
  for (size_t i = 0; i < spec_.sensors.size(); ++i) {
    std::visit(
        [&](const auto& sensor) {
          using T = std::decay_t<decltype(sensor)>;
          const std::string path = core::JoinPath(core::IndexPath("sensors", i), T::kName);
          if (!IsIdentifier(sensor.name)) {
            problems_.Add(core::JoinPath(path, "name"), "sensor name '" + sensor.name + "' must be an identifier");
          } else if (actor_index_.contains(sensor.name) || sensor.name == "time" || sensor.name == "collision") {
            problems_.Add(core::JoinPath(path, "name"),
                          "sensor name '" + sensor.name + "' is already used by an actor or a signal");
          } else if (const auto it = sensor_index.find(sensor.name); it != sensor_index.end()) {
            problems_.Add(core::JoinPath(path, "name"), "duplicate sensor name '" + sensor.name + "' (also sensors[" +
                                                            std::to_string(it->second) + "])");
          } else {
            sensor_index.emplace(sensor.name, i);
          }
          if (!sensor.host.empty()) CheckActorName(core::JoinPath(path, "host"), sensor.host);
          problems_.Positive(path, "range_m", sensor.range_m);
          problems_.NotNegative(path, "fov_rad", sensor.fov_rad);
          problems_.NotNegative(path, "mount_height_m", sensor.mount_height_m);
          if constexpr (std::is_same_v<T, RaySensorSpec>) {
            if (sensor.count < 1 || sensor.count > kMaxRaysPerSensor) {
              problems_.Add(core::JoinPath(path, "count"), "count must be between 1 and " +
                                                               std::to_string(kMaxRaysPerSensor) + " (got " +
                                                               std::to_string(sensor.count) + ")");
            }
          } else {
            for (size_t t = 0; t < sensor.targets.size(); ++t) {
              const std::string target_path = core::IndexPath(core::JoinPath(path, "targets"), t);
              if (CheckActorName(target_path, sensor.targets[t])) {
                const std::string host = sensor.host.empty() && ego_ ? spec_.actors[*ego_].name : sensor.host;
                if (sensor.targets[t] == host) {
                  problems_.Add(target_path, "a detector does not detect its own host '" + host + "'");
                }
              }
            }
          }
        },
        spec_.sensors[i]);
  }
}

// memory: an episode keeps its whole trace (requirements are checked on it)
void Validator::CheckMemory() {
  if (spec_.time_step_s > 0.0 && spec_.duration_s > 0.0 && std::isfinite(spec_.duration_s) &&
      spec_.duration_s / spec_.time_step_s <= kMaxSteps) {
    const double rows = std::round(spec_.duration_s / spec_.time_step_s) + 1.0;
    const double signals = static_cast<double>(SignalNames(spec_).size());
    if (rows * signals > kMaxTraceValues) {
      problems_.Add("duration_s", "the trace would hold " + Count(rows * signals) + " values (" + Count(rows) +
                                      " steps x " + Count(signals) + " signals; at most " + Count(kMaxTraceValues) +
                                      ", 1 GiB): shorten duration_s, lengthen time_step_s or use fewer actors");
    }
  }
}

}  // namespace

std::vector<core::FieldError> Validate(const WorldSpec& spec, const RoadNetwork& road) {
  return Validator(spec, road).Run();
}

std::vector<std::string> SignalNames(const WorldSpec& spec) {
  std::vector<std::string> names;
  auto add_block = [&names](const std::string& prefix, const auto& table) {
    for (const auto& column : table) names.push_back(prefix + "." + std::string(column.name));
  };
  for (const ActorSpec& actor : spec.actors) add_block(actor.name, kActorSignals);
  names.emplace_back("collision");
  for (const ActorSpec& actor : spec.actors) {
    if (!actor.ego) add_block(actor.name, kPairSignals);
  }
  const std::string ego_name = [&] {
    for (const ActorSpec& actor : spec.actors)
      if (actor.ego) return actor.name;
    return std::string();
  }();
  for (const SensorSpec& sensor : spec.sensors) {
    if (const auto* rays = std::get_if<RaySensorSpec>(&sensor)) {
      for (int i = 0; i < rays->count; ++i) names.push_back(rays->name + ".r" + std::to_string(i));
    } else {
      const auto& detector = std::get<DetectorSpec>(sensor);
      const std::string host = detector.host.empty() ? ego_name : detector.host;
      auto add = [&](const std::string& target) { add_block(detector.name + "." + target, kDetectorSignals); };
      if (detector.targets.empty()) {
        for (const ActorSpec& actor : spec.actors)
          if (actor.name != host) add(actor.name);
      } else {
        for (const std::string& target : detector.targets) add(target);
      }
    }
  }
  return names;
}

}  // namespace gauntlet::sim
