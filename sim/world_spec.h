#pragma once
// WorldSpec: the plain-data description of one simulated world (roads, actors, behaviours, sensors).
//
// A world spec is what a scenario instance resolves to: every parameter substituted, every unit
// converted to SI. Each struct lists its fields once in Serialize (core/fields.h); the YAML key of a
// field is its C++ name. Validate() finds every semantic problem at once, with field paths;
// SignalNames() lists, before running, every signal an episode of the world records.
//
//   time_step_s: 0.01
//   duration_s: 10
//   road: {roads: [{id: main, lanes: 2, segments: [{length_m: 500}]}]}
//   actors:
//     - {name: ego, ego: true, lane: "main:0", s_m: 10, speed_mps: 20}
//     - name: lead
//       lane: "main:0"
//       s_m: 50
//       speed_mps: 20
//       behaviours:
//         - follow_lane_idm: {desired_speed_mps: 20}
//         - brake_to_stop: {name: brake, decel_mps2: 6, trigger: {time_s: 3}}
//   sensors:
//     - detector: {name: cam, range_m: 80}
//
// Behaviours run in sequence. Behaviour i+1 is armed once behaviour i has started; with a trigger it
// starts as soon as its trigger holds (taking over from behaviour i), without one it starts when
// behaviour i ends. A lane manoeuvre (lane_change, cut_in, cut_out) always completes its lateral
// motion, even when the next behaviour takes over the speed. Before the first behaviour starts and
// after the last one ends the actor keeps its speed (cross_road ends by stopping).
//
// Coordinates: x east, y north, heading counter-clockwise from +x (road_network.h). An actor's
// position is the centre of its box; its box stands on the ground (z from 0 to height_m).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/fields.h"
#include "sim/road_network.h"
#include "sim/signal_table.h"

namespace gauntlet::sim {

/// Standard gravity (m/s^2): the friction limit of a tyre is friction * kGravity_mps2.
inline constexpr double kGravity_mps2 = 9.80665;
/// `<other>.ttc` when the two are not closing (a finite cap so requirements stay numeric).
inline constexpr double kTtcCap_s = 1000.0;
/// Absurd-size limits Validate enforces.
inline constexpr size_t kMaxActors = 10000;
inline constexpr double kMaxSteps = 1e7;
/// The most values an episode's trace may hold, (steps + 1) x signals: 2^27 doubles = 1 GiB.
inline constexpr double kMaxTraceValues = 134217728.0;
inline constexpr int kMaxRaysPerSensor = 1024;

/// How an actor moves.
enum class ActorKind {
  kVehicle,     ///< kinematic bicycle model: commanded acceleration and steering
  kPedestrian,  ///< kinematic walker: acceleration and turn rate
  kCyclist,     ///< kinematic, as a pedestrian with a bicycle's size and limits
  kAircraft,    ///< planar, constant speed, commanded turn rate
  kStatic,      ///< never moves
};
std::span<const core::EnumName<ActorKind>> EnumNames(ActorKind);

/// A side, seen in the actor's driving direction.
enum class Side { kLeft, kRight };
std::span<const core::EnumName<Side>> EnumNames(Side);

/// The lateral profile of a lane change: offset fraction as a function of time fraction u in [0, 1].
enum class LaneChangeShape {
  kLinear,      ///< u
  kSinusoidal,  ///< (1 - cos(pi u)) / 2
  kCubic,       ///< 3u^2 - 2u^3
};
std::span<const core::EnumName<LaneChangeShape>> EnumNames(LaneChangeShape);

/// When a behaviour starts. Every condition given must hold (and); no condition holds at once.
/// Conditions about another actor compare this actor with `actor` (the ego when empty), using the
/// same gap and time-to-collision as the `<other>.gap` / `<other>.ttc` signals.
struct Trigger {
  std::optional<double> time_s{};      ///< simulation time >= time_s
  std::string actor{};                 ///< the other actor of the conditions below ("" = the ego)
  std::optional<double> distance_m{};  ///< centre-to-centre distance to `actor` <= distance_m
  std::optional<double> headway_s{};   ///< gap / speed of `actor` <= headway_s (never when `actor` stands)
  std::optional<double> ttc_s{};       ///< time-to-collision with `actor` <= ttc_s
  std::string event{};                 ///< "<actor>.<behaviour name>.start" or ".end" has happened
  double delay_s = 0.0;                ///< start this long after the conditions first held

  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("time_s", &time_s);
    a->Visit("actor", &actor);
    a->Visit("distance_m", &distance_m);
    a->Visit("headway_s", &headway_s);
    a->Visit("ttc_s", &ttc_s);
    a->Visit("event", &event);
    a->Visit("delay_s", &delay_s);
  }
};

/// Fields every behaviour has.
struct BehaviourBase {
  std::string name{};                ///< optional; names the events "<actor>.<name>.start" / ".end"
  std::optional<Trigger> trigger{};  ///< see the header comment for the sequencing rule

  template <class Archive>
  void SerializeBase(Archive* a) {
    a->Visit("name", &name);
    a->Visit("trigger", &trigger);
  }
};

/// Drive towards `speed_mps` (the speed at start when absent) within the actor's limits.
/// Ends after `duration_s` if given.
struct KeepSpeed : BehaviourBase {
  static constexpr std::string_view kName = "keep_speed";
  std::optional<double> speed_mps{};
  std::optional<double> duration_s{};
  template <class Archive>
  void Serialize(Archive* a) {
    SerializeBase(a);
    a->Visit("speed_mps", &speed_mps);
    a->Visit("duration_s", &duration_s);
  }
};

/// Follow the lane with the Intelligent Driver Model behind the nearest actor ahead in the same lane
/// (or its successors). The actor's max_accel_mps2 is IDM's a. Ends after `duration_s` if given.
struct FollowLaneIdm : BehaviourBase {
  static constexpr std::string_view kName = "follow_lane_idm";
  double desired_speed_mps = 0.0;   ///< v0
  double time_headway_s = 1.5;      ///< T
  double min_gap_m = 2.0;           ///< s0
  double comfort_decel_mps2 = 2.0;  ///< b
  double exponent = 4.0;            ///< delta
  std::optional<double> duration_s{};
  template <class Archive>
  void Serialize(Archive* a) {
    SerializeBase(a);
    a->Visit("desired_speed_mps", &desired_speed_mps, core::kRequired);
    a->Visit("time_headway_s", &time_headway_s);
    a->Visit("min_gap_m", &min_gap_m);
    a->Visit("comfort_decel_mps2", &comfort_decel_mps2);
    a->Visit("exponent", &exponent);
    a->Visit("duration_s", &duration_s);
  }
};

/// One point of a speed profile; time is measured from the behaviour's start.
struct SpeedPoint {
  double time_s = 0.0;
  double speed_mps = 0.0;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("time_s", &time_s, core::kRequired);
    a->Visit("speed_mps", &speed_mps, core::kRequired);
  }
};

/// Follow a piecewise-linear speed over time (within the actor's limits); ends at the last point.
struct SpeedProfile : BehaviourBase {
  static constexpr std::string_view kName = "speed_profile";
  std::vector<SpeedPoint> points{};  ///< strictly increasing times, at least one point
  template <class Archive>
  void Serialize(Archive* a) {
    SerializeBase(a);
    a->Visit("points", &points, core::kRequired);
  }
};

/// Move to the neighbour lane on `side` over `duration_s`, ending on its centre line. Keeps the
/// current speed control.
struct LaneChange : BehaviourBase {
  static constexpr std::string_view kName = "lane_change";
  Side side = Side::kLeft;
  double duration_s = 0.0;
  LaneChangeShape shape = LaneChangeShape::kSinusoidal;
  template <class Archive>
  void Serialize(Archive* a) {
    SerializeBase(a);
    a->Visit("side", &side, core::kRequired);
    a->Visit("duration_s", &duration_s, core::kRequired);
    a->Visit("shape", &shape);
  }
};

/// A lane change into the lane of `target` (the ego when empty), which must be a neighbour lane
/// when the cut-in starts.
struct CutIn : BehaviourBase {
  static constexpr std::string_view kName = "cut_in";
  std::string target{};
  double duration_s = 0.0;
  LaneChangeShape shape = LaneChangeShape::kSinusoidal;
  template <class Archive>
  void Serialize(Archive* a) {
    SerializeBase(a);
    a->Visit("target", &target);
    a->Visit("duration_s", &duration_s, core::kRequired);
    a->Visit("shape", &shape);
  }
};

/// A lane change out of the current lane: to `side`, or when absent to the left neighbour if there is
/// one, else the right.
struct CutOut : BehaviourBase {
  static constexpr std::string_view kName = "cut_out";
  std::optional<Side> side{};
  double duration_s = 0.0;
  LaneChangeShape shape = LaneChangeShape::kSinusoidal;
  template <class Archive>
  void Serialize(Archive* a) {
    SerializeBase(a);
    a->Visit("side", &side);
    a->Visit("duration_s", &duration_s, core::kRequired);
    a->Visit("shape", &shape);
  }
};

/// Brake at `decel_mps2` (within the actor's limits) until standing; ends when stopped.
struct BrakeToStop : BehaviourBase {
  static constexpr std::string_view kName = "brake_to_stop";
  double decel_mps2 = 0.0;
  template <class Archive>
  void Serialize(Archive* a) {
    SerializeBase(a);
    a->Visit("decel_mps2", &decel_mps2, core::kRequired);
  }
};

/// Leave the lane and walk (or ride) straight at `speed_mps`, heading perpendicular to the nearest
/// lane towards `side` (`heading_rad`, absolute, when given instead), for `distance_m`, then stop.
struct CrossRoad : BehaviourBase {
  static constexpr std::string_view kName = "cross_road";
  double speed_mps = 0.0;
  double distance_m = 0.0;
  Side side = Side::kLeft;
  std::optional<double> heading_rad{};
  template <class Archive>
  void Serialize(Archive* a) {
    SerializeBase(a);
    a->Visit("speed_mps", &speed_mps, core::kRequired);
    a->Visit("distance_m", &distance_m, core::kRequired);
    a->Visit("side", &side);
    a->Visit("heading_rad", &heading_rad);
  }
};

/// Follow the shortest route in the lane graph from the current lane to lane `to`, changing lanes
/// over `lane_change_duration_s` where the route does; ends on reaching `to`.
struct FollowRoute : BehaviourBase {
  static constexpr std::string_view kName = "follow_route";
  std::string to{};  ///< "road_id:lane_index"
  double lane_change_duration_s = 3.0;
  template <class Archive>
  void Serialize(Archive* a) {
    SerializeBase(a);
    a->Visit("to", &to, core::kRequired);
    a->Visit("lane_change_duration_s", &lane_change_duration_s);
  }
};

using Behaviour = std::variant<KeepSpeed, FollowLaneIdm, SpeedProfile, LaneChange, CutIn, CutOut, BrakeToStop,
                               CrossRoad, FollowRoute>;

/// The name of a behaviour's alternative ("brake_to_stop").
[[nodiscard]] std::string_view BehaviourKindName(const Behaviour& behaviour);
/// The common fields of any behaviour.
[[nodiscard]] const BehaviourBase& BaseOf(const Behaviour& behaviour);

/// One actor. Placement: either on a lane (`lane`, `s_m`, `lateral_offset_m`; heading along the lane
/// plus `heading_rad`, which only the ego and static actors may set: the others follow the lane) or
/// free (`x_m`, `y_m`, `heading_rad` absolute; the actor moves straight on unless it is the ego).
/// Sizes and limits left out take the defaults of the kind (ActorDefaults).
struct ActorSpec {
  std::string name{};  ///< an identifier: letters, digits, '_'; not "time" or "collision"
  ActorKind kind = ActorKind::kVehicle;
  bool ego = false;  ///< exactly one actor is the ego, driven by the controller
  std::string lane{};
  double s_m = 0.0;
  double lateral_offset_m = 0.0;
  std::optional<double> x_m{};
  std::optional<double> y_m{};
  double heading_rad = 0.0;
  double speed_mps = 0.0;
  std::optional<double> length_m{};
  std::optional<double> width_m{};
  std::optional<double> height_m{};
  std::optional<double> max_accel_mps2{};
  std::optional<double> max_decel_mps2{};
  std::optional<double> max_steer_rad{};        ///< vehicles
  std::optional<double> wheelbase_m{};          ///< vehicles
  std::optional<double> max_turn_rate_radps{};  ///< pedestrians, cyclists, aircraft
  std::vector<Behaviour> behaviours{};          ///< not for the ego, static actors or aircraft
  /// Moved by the episode's ActorScript (sim/episode.h) instead of behaviours: placed free (x_m, y_m),
  /// never the ego, without behaviours; its speed may be negative (reversing).
  bool scripted = false;

  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("name", &name, core::kRequired);
    a->Visit("kind", &kind);
    a->Visit("ego", &ego);
    a->Visit("scripted", &scripted);
    a->Visit("lane", &lane);
    a->Visit("s_m", &s_m);
    a->Visit("lateral_offset_m", &lateral_offset_m);
    a->Visit("x_m", &x_m);
    a->Visit("y_m", &y_m);
    a->Visit("heading_rad", &heading_rad);
    a->Visit("speed_mps", &speed_mps);
    a->Visit("length_m", &length_m);
    a->Visit("width_m", &width_m);
    a->Visit("height_m", &height_m);
    a->Visit("max_accel_mps2", &max_accel_mps2);
    a->Visit("max_decel_mps2", &max_decel_mps2);
    a->Visit("max_steer_rad", &max_steer_rad);
    a->Visit("wheelbase_m", &wheelbase_m);
    a->Visit("max_turn_rate_radps", &max_turn_rate_radps);
    a->Visit("behaviours", &behaviours);
  }
};

/// Sizes and limits with every default filled in.
struct ActorDefaults {
  double length_m{};
  double width_m{};
  double height_m{};
  double max_accel_mps2{};
  double max_decel_mps2{};
  double max_steer_rad{};
  double wheelbase_m{};
  double max_turn_rate_radps{};
};
/// The spec's values, the kind's defaults where left out. Vehicle: 4.5 x 1.8 x 1.5 m, 3 / 9 m/s^2,
/// 0.6 rad, wheelbase 2.7 m. Pedestrian: 0.5 x 0.5 x 1.8 m, 1.5 / 3 m/s^2, 2 rad/s. Cyclist:
/// 1.8 x 0.6 x 1.7 m, 2 / 4 m/s^2, 1 rad/s. Aircraft: 20 x 20 x 5 m, 3 deg/s. Static: 4.5 x 1.8 x 1.5 m.
[[nodiscard]] ActorDefaults ResolveActor(const ActorSpec& actor);

/// Lidar-like rays from `host`: `count` rays spread evenly over `fov_rad` around the host's heading
/// (one ray: straight ahead), horizontal, from the front of the host at `mount_height_m`. Signals
/// `<name>.r<i>`: distance to the first actor hit, `range_m` when none (the host is never hit).
/// Rays are numbered from the rightmost (i = 0) to the leftmost.
struct RaySensorSpec {
  static constexpr std::string_view kName = "rays";
  std::string name{};
  std::string host{};  ///< "" = the ego
  int count = 1;
  double fov_rad = 0.0;
  double range_m = 100.0;
  double mount_height_m = 0.5;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("name", &name, core::kRequired);
    a->Visit("host", &host);
    a->Visit("count", &count);
    a->Visit("fov_rad", &fov_rad);
    a->Visit("range_m", &range_m);
    a->Visit("mount_height_m", &mount_height_m);
  }
};

/// An object detector on `host` that respects occlusion: a target is visible when it is within
/// `range_m` and `fov_rad` (centred on the host's heading) and at least one of five lines of sight
/// (to its centre and near its four corners, at half its height) reaches it before any other actor.
/// Signals per target: `<name>.<target>.visible` (0/1), `.range` (centre distance; range_m when not
/// visible), `.bearing` (rad, relative to the host's heading; 0 when not visible).
struct DetectorSpec {
  static constexpr std::string_view kName = "detector";
  std::string name{};
  std::string host{};                  ///< "" = the ego
  std::vector<std::string> targets{};  ///< empty = every other actor
  double range_m = 100.0;
  double fov_rad = 6.283185307179586;
  double mount_height_m = 1.2;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("name", &name, core::kRequired);
    a->Visit("host", &host);
    a->Visit("targets", &targets);
    a->Visit("range_m", &range_m);
    a->Visit("fov_rad", &fov_rad);
    a->Visit("mount_height_m", &mount_height_m);
  }
};

using SensorSpec = std::variant<RaySensorSpec, DetectorSpec>;

/// One world: a fixed step, a duration, roads, actors and sensors.
struct WorldSpec {
  double time_step_s = 0.01;
  double duration_s = 0.0;
  RoadNetworkSpec road{};
  std::vector<ActorSpec> actors{};
  std::vector<SensorSpec> sensors{};
  double off_road_friction = 0.8;  ///< friction where an actor is not on a road

  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("time_step_s", &time_step_s);
    a->Visit("duration_s", &duration_s, core::kRequired);
    a->Visit("road", &road);
    a->Visit("actors", &actors, core::kRequired);
    a->Visit("sensors", &sensors);
    a->Visit("off_road_friction", &off_road_friction);
  }
};

/// The number of steps of an episode: round(duration_s / time_step_s). Rows recorded: steps + 1
/// (t = 0 included).
[[nodiscard]] size_t StepCount(const WorldSpec& spec);

/// Every semantic problem of `spec` at once, with field paths (core/fields.h; a variant alternative
/// adds its name: "actors[1].behaviours[0].brake_to_stop.decel_mps2"). Builds the road network.
[[nodiscard]] std::vector<core::FieldError> Validate(const WorldSpec& spec);
/// The same, with the network already built from spec.road.
[[nodiscard]] std::vector<core::FieldError> Validate(const WorldSpec& spec, const RoadNetwork& road);

/// Every signal an episode of `spec` records, in the order of the trace's columns (the time column
/// `time` is not a signal). Per actor, in actor order: `<a>.x`, `.y`, `.heading`, `.speed`, `.accel`
/// (mean over the last step; 0 at t = 0), `.yaw_rate` (likewise), `.lane` (numeric LaneId of the
/// nearest lane; for an actor changing lanes, the lane it is moving into), `.s`, `.lateral_offset`
/// (from that lane's centre), `.heading_error`. Then `collision` (1 when `<o>.collision` is 1 for any
/// other actor). Then per other actor, relative to the ego (footprint: the box seen from above;
/// clearance: the exact distance between the footprints, minus the penetration depth when they
/// overlap): `<o>.gap` (<= 0 exactly at rows with contact: the clearance, for a contact found only
/// between steps the deepest clearance of the sweep, at most 0; without contact > 0: the free
/// distance along the ego's lane (and its successors, at the ego's offset and heading error) until the
/// ego's footprint would touch `<o>`'s when `<o>` is in that path, else the clearance), `.rel_speed`
/// (rate of change of the gap: negative when closing; in the path the difference of the speeds along
/// the lane, else of the clearance at constant velocities), `.ttc` (gap / closing speed; 0 when the
/// gap is <= 0; kTtcCap_s when not closing), `.distance` (centre to centre), `.bearing` (direction of
/// the other relative to the ego's heading), `.rel_heading`, `.collision` (1 when the footprints touch
/// at the row's time or a contact began within the step before it), `.contact_time` (while
/// `.collision` is 1, the time the contact began; -1 otherwise). Then the sensors' signals, in sensor
/// order (RaySensorSpec, DetectorSpec). docs/scenario-format.md has the full definitions.
[[nodiscard]] std::vector<std::string> SignalNames(const WorldSpec& spec);

}  // namespace gauntlet::sim
