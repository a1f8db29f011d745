#pragma once
// An OpenSCENARIO XML 1.0-1.3 scenario, read and checked (docs/openscenario.md).
//
// LoadScenario reads a `.xosc` file with its catalogs and road network, resolves every parameter
// reference and expression (with `--param` overrides), and builds the storyboard: entities with
// bounding boxes, Init actions, the Story/Act/ManeuverGroup/Maneuver/Event/Action tree with start and
// stop triggers, conditions and actions. Anything it does not support is an error at its place
// (`file:line:col: error: <Element> is not supported here; supported: ...`); elements the standard lets
// a player ignore (environment, visual and light elements, controllers of appearance) are kept as
// warnings. All errors of a file are reported at once as one core::InputError.
//
//   const Scenario s = LoadScenario("cut-in.xosc", {{"EgoSpeed", "30"}});
//   for (const auto& w : s.warnings) std::cerr << w.Format() << '\n';   // "... warning: ..."
//   Player player(s, {.time_step = 0.05});                              // openscenario/player.h

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/error.h"
#include "opendrive/opendrive.h"

namespace gauntlet::openscenario {

/// A comparison of a condition (`rule` attribute).
enum class Rule { kGreaterThan, kGreaterOrEqual, kLessThan, kLessOrEqual, kEqualTo, kNotEqualTo };
/// When a condition's value counts (`conditionEdge`).
enum class Edge { kNone, kRising, kFalling, kRisingOrFalling };
/// TransitionDynamics `dynamicsShape`.
enum class Shape { kStep, kLinear, kCubic, kSinusoidal };
/// TransitionDynamics `dynamicsDimension`.
enum class Dimension { kRate, kTime, kDistance };

/// A transition: how a value moves from its start to its target.
struct Dynamics {
  Shape shape = Shape::kStep;
  Dimension dimension = Dimension::kTime;
  double value = 0.0;
};

/// An entity's bounding box in its own frame (reference point at the origin, x forward, y left).
struct BoundingBox {
  double center_x = 0.0;
  double center_y = 0.0;
  double center_z = 0.0;
  double length = 0.0;
  double width = 0.0;
  double height = 0.0;
};

/// A ScenarioObject: a vehicle, pedestrian or misc object.
struct Entity {
  std::string name;
  std::string category;  ///< "Vehicle", "Pedestrian" or "MiscObject"
  BoundingBox box;
  double max_speed = 1e300;         ///< Performance maxSpeed (vehicles), m/s
  double max_acceleration = 1e300;  ///< Performance maxAcceleration, m/s^2 (limits speed transitions)
  double max_deceleration = 1e300;  ///< Performance maxDeceleration, m/s^2
  /// TrailerHitch dx: the point a trailer is towed by, m ahead of the reference point along x.
  std::optional<double> hitch;
  /// TrailerCoupler dx: the point the entity is towed at (it is a trailer), m ahead of its reference point.
  std::optional<double> coupler;
  /// The trailer attached at the start (its Trailer element), an index into Scenario::entities; -1 none.
  /// An inline trailer (Trailer/Trailer) is an entity of its own, named as esmini names it: the towing
  /// entity's name with "+" appended, declared right after it.
  int trailer = -1;
  int controller = -1;  ///< its ObjectController: index into Scenario::controllers (-1: esmini's default one)
  double front_axle_x = 0.0;  ///< Axles FrontAxle positionX (vehicles; else half the box length), m
  core::SourcePos pos;
};

/// A Position element of any supported kind.
struct FollowTrajectoryAction;

struct Position {
  enum class Kind { kWorld, kRelativeWorld, kRelativeObject, kLane, kRelativeLane, kRoad, kRelativeRoad, kRoute,
                    kTrajectory };
  Kind kind = Kind::kWorld;
  double x = 0.0, y = 0.0, z = 0.0;  ///< World: x, y; relative kinds: dx, dy
  std::optional<double> h;           ///< World heading (rad)
  std::string entity;                ///< relative kinds: the reference entity
  std::string road;                  ///< Lane, Road: roadId
  int lane = 0;                      ///< Lane: laneId; RelativeLane: dLane
  double s = 0.0;                    ///< Lane, Road: s; RelativeLane: ds or dsLane; RelativeRoad: ds
  double offset = 0.0;               ///< Lane, RelativeLane: offset from the lane centre
  double t = 0.0;                    ///< Road: t; RelativeRoad: dt
  bool ds_lane = false;              ///< RelativeLane given with dsLane
  /// Route: the route's waypoints; `s` is pathS along the route from the first waypoint, `lane` and
  /// `offset` the lane (FromLaneCoordinates), or `t` the lateral road coordinate (FromRoadCoordinates,
  /// `route_t` true).
  /// Trajectory: the Polyline's vertex positions in `route`; `s` the length along it from the first
  /// vertex, `t` the lateral offset (positive to the left of the segment's heading).
  std::vector<Position> route;
  bool route_t = false;
  /// Trajectory on a Clothoid, ClothoidSpline or Nurbs shape: the trajectory (sampled by the player as
  /// the FollowTrajectoryAction's path); `route` is empty then.
  std::shared_ptr<const FollowTrajectoryAction> trajectory;
  /// Orientation child: heading absolute, or relative to the road/reference entity.
  std::optional<double> orientation_h;
  bool orientation_relative = false;
  core::SourcePos pos;
};

/// SpeedAction.
struct SpeedAction {
  Dynamics dynamics;
  bool relative = false;
  double value = 0.0;       ///< absolute speed, or the relative value
  std::string entity;       ///< relative target's entity
  bool factor = false;      ///< relative valueType factor (else delta)
  bool continuous = false;  ///< relative target followed continuously
};

/// LaneChangeAction (targetLaneOffset: the offset from the target lane's centre).
struct LaneChangeAction {
  Dynamics dynamics;
  bool relative = false;
  int value = 0;         ///< absolute lane id or relative number of lanes (positive: to the left)
  std::string entity;    ///< relative target's entity
  double target_offset = 0.0;
};

/// LaneOffsetAction.
struct LaneOffsetAction {
  Shape shape = Shape::kStep;
  double max_lateral_acc = 0.5;  ///< m/s^2; esmini's default 0.5 when not given
  bool continuous = false;
  bool relative = false;
  double value = 0.0;
  std::string entity;
};

/// TeleportAction.
struct TeleportAction {
  Position position;
};

/// A trajectory vertex: a position and an optional time.
struct Vertex {
  std::optional<double> time;
  Position position;
};

/// FollowTrajectoryAction with a Polyline, Clothoid, ClothoidSpline or Nurbs shape (the player samples
/// the curved ones into a polyline).
struct FollowTrajectoryAction {
  std::string name;
  std::vector<Vertex> vertices;       ///< Clothoid: sampled points, times absent
  bool timing = false;                ///< TimeReference Timing (else None)
  bool timing_absolute = true;        ///< domainAbsoluteRelative
  double timing_scale = 1.0;
  double timing_offset = 0.0;
  double initial_distance_offset = 0.0;
  /// A Clothoid shape: starts at vertices[0] (its Position and startTime) and is sampled by the player.
  struct Clothoid {
    double curvature = 0.0;
    double curvature_prime = 0.0;
    double length = 0.0;
    std::optional<double> stop_time;
  };
  std::optional<Clothoid> clothoid;
  /// A ClothoidSpline shape (OpenSCENARIO 1.3): clothoid segments one after the other, sampled by the
  /// player; a segment starts at its PositionStart, else where the previous one ends (the first: where
  /// the entity is), its heading turned by hOffset.
  struct ClothoidSegment {
    double curvature_start = 0.0;
    double curvature_end = 0.0;
    double length = 0.0;
    double h_offset = 0.0;
    std::optional<Position> start;
    std::optional<double> time_start;  ///< given on every segment or none (then time_end too)
  };
  std::vector<ClothoidSegment> spline;
  std::optional<double> spline_time_end;
  /// A Nurbs shape: `order` (degree + 1), control points (positions resolved when the action starts;
  /// times on all or none) and knots, sampled by the player.
  struct NurbsPoint {
    Position position;
    double weight = 1.0;
    std::optional<double> time;
  };
  int nurbs_order = 0;
  std::vector<NurbsPoint> nurbs;
  std::vector<double> knots;
};

/// SynchronizeAction: arrive at `target` when `master` arrives at `master_target`.
struct SynchronizeAction {
  std::string master;
  Position master_target;
  Position target;
  std::optional<double> final_speed;           ///< AbsoluteSpeed
  std::optional<double> final_speed_relative;  ///< RelativeSpeedToMaster: delta, or factor if `final_speed_factor`
  bool final_speed_factor = false;             ///< RelativeSpeedToMaster speedTargetValueType="factor"
  std::optional<double> steady_distance;       ///< TargetDistanceSteadyState
  std::optional<double> steady_time;           ///< TargetTimeSteadyState
  std::optional<Position> steady_position;     ///< TargetPositionSteadyState: steady from there to `target`
  double tolerance = 0.0;                      ///< targetTolerance (m), esmini's default 0
  double tolerance_master = 0.0;               ///< targetToleranceMaster (m), esmini's default 0
};

/// Coordinate system of distance conditions (`coordinateSystem`).
enum class CoordinateSystem { kEntity, kLane, kRoad, kTrajectory };
/// Which component of a relative distance (`relativeDistanceType`).
enum class DistanceType { kLongitudinal, kLateral, kEuclidean };

/// DynamicConstraints as written (an absent attribute is not given); the player limits them by the
/// entity's Performance as esmini does.
struct DynamicConstraints {
  std::optional<double> max_acceleration, max_deceleration, max_speed, max_acceleration_rate, max_deceleration_rate;
};

/// LongitudinalDistanceAction: keep a distance (m) or time gap (s) to another entity.
struct LongitudinalDistanceAction {
  std::string entity;
  double value = 0.0;     ///< distance or timeGap; signed only with displacement kNone (OpenSCENARIO 1.0)
  bool time_gap = false;  ///< `value` is a time gap
  bool freespace = false;
  bool continuous = false;
  /// Where the entity keeps itself: behind the other (trailing), ahead (leading), on the side it is on
  /// when the action starts (any), or as the sign of `value` says (none: OpenSCENARIO 1.0).
  enum class Displacement { kNone, kTrailing, kLeading, kAny } displacement = Displacement::kTrailing;
  CoordinateSystem coordinate_system = CoordinateSystem::kEntity;
  std::optional<DynamicConstraints> constraints;  ///< absent: the distance is kept exactly
};

/// SpeedProfileAction (OpenSCENARIO 1.2): speeds to reach, each after a time (or as fast as the
/// constraints allow when the time is absent), followed linearly (followingMode position) or with the
/// constraints' jerk limits (follow), as esmini's LongSpeedProfileAction.
struct SpeedProfileAction {
  struct Entry {
    std::optional<double> time;  ///< s after the previous entry
    double speed = 0.0;
  };
  std::vector<Entry> entries;  ///< at least one
  bool follow = false;
  std::string entity;  ///< EntityRef: speeds are relative to its speed at the start; "" = absolute
  DynamicConstraints constraints;
};

/// LateralDistanceAction: keep a lateral distance to another entity (esmini's LatDistanceAction).
struct LateralDistanceAction {
  std::string entity;
  std::optional<double> distance;  ///< m; absent: the lateral distance when the action starts
  bool freespace = false;          ///< between the sides of the boxes (the half widths added)
  bool continuous = false;
  /// The side of the referenced entity (its left in its direction of travel) the entity keeps to; any:
  /// the side it is on when the action starts.
  enum class Displacement { kLeft, kRight, kAny } displacement = Displacement::kAny;
  CoordinateSystem coordinate_system = CoordinateSystem::kEntity;  ///< entity, road or lane (lane as road)
  std::optional<DynamicConstraints> constraints;                   ///< absent: the distance is kept exactly
};

/// AssignRouteAction: the waypoints' roads become the entity's route preference at junctions.
struct AssignRouteAction {
  std::vector<Position> waypoints;
};

/// AcquirePositionAction: a route from the current position to `position`.
struct AcquirePositionAction {
  Position position;
};

/// ParameterSetAction / ParameterModifyAction / VariableSetAction / VariableModifyAction.
struct SetValueAction {
  bool variable = false;
  std::string name;
  enum class Op { kSet, kAdd, kMultiply } op = Op::kSet;
  std::string value;
};

/// TrafficSignalStateAction (`signal` set to `state`) or TrafficSignalControllerAction (`controller`
/// jumps to its phase `phase`, which starts now).
struct TrafficSignalAction {
  std::string signal;  ///< StateAction: the signal's id in the road network
  std::string state;
  int controller = -1;  ///< ControllerAction: index into Scenario::signal_controllers (-1: a StateAction)
  int phase = -1;       ///< ControllerAction: index into the controller's phases
};

/// TrailerAction: ConnectTrailerAction (attach `trailer` to the actor's hitch, detaching what was there)
/// or DisconnectTrailerAction (`trailer` empty: detach the actor's trailer, which rolls on by itself).
struct TrailerAction {
  std::string trailer;
};

/// An esmini controller the player simulates (docs/openscenario.md, "Controllers"): ACCController and
/// ALKSController (esmini's ALKS controller is its ACC controller), ALKS_R157SM_Controller with its
/// Regulation model, with their properties.
struct ControllerSpec {
  std::string type;            ///< "ACCController", "ALKSController" or "ALKS_R157SM_Controller"
  bool override_mode = false;  ///< property mode: override (the controller moves the entity), else additive
  double time_gap = 1.5;       ///< property timeGap, s
  std::optional<double> set_speed;  ///< property setSpeed, m/s (absent: the speed when activated)
  double lateral_dist = 5.0;   ///< property lateralDist: how far to the side an entity ahead counts, m
  bool cruise = true;          ///< ALKS_R157SM property cruise: drive to the set speed / follow when not critical
  bool full_stop = false;      ///< ALKS_R157SM property fullStop: once critical, brake to a stop
  core::SourcePos pos;
};

/// ActivateControllerAction, or an AssignControllerAction (which may activate what it assigns): the
/// entity's controller becomes active (or inactive) on the domains given; an absent domain is unchanged.
struct ControllerAction {
  int assign = -1;  ///< AssignControllerAction: index into Scenario::controllers; -1: none
  std::optional<bool> longitudinal, lateral;
};

/// An action the player does not simulate because the standard allows it to be ignored (visibility,
/// lights, environment): it completes when it starts; loading warned about it.
struct IgnoredAction {
  std::string element;
};

/// A RoadNetwork TrafficSignalController: its phases run in order, over and over, from
/// `start` (the controller's first phase begins at t = start; before it the cycle runs as if it had
/// been going on, so the phase at any t is fixed by (t - start) modulo the cycle time).
struct TrafficSignalController {
  std::string name;
  double delay = 0.0;     ///< s after the reference's first phase
  std::string reference;  ///< "" = none
  double start = 0.0;     ///< the sum of the delays along the reference chain
  struct Phase {
    std::string name;
    double duration = 0.0;  ///< s
    std::vector<std::pair<std::string, std::string>> states;  ///< TrafficSignalState: signal id, state
  };
  std::vector<Phase> phases;  ///< at least one, with a positive total duration
  core::SourcePos pos;
};

/// A storyboard or Init action.
struct Action {
  std::string name;
  std::variant<SpeedAction, LaneChangeAction, LaneOffsetAction, TeleportAction, FollowTrajectoryAction,
               SynchronizeAction, AssignRouteAction, AcquirePositionAction, SetValueAction, IgnoredAction,
               LongitudinalDistanceAction, SpeedProfileAction, TrafficSignalAction, LateralDistanceAction,
               TrailerAction, ControllerAction>
      body;
  core::SourcePos pos;
  /// Whether it acts on entities (private action) or on the world (parameters, variables).
  [[nodiscard]] bool IsPrivate() const {
    return !std::holds_alternative<SetValueAction>(body) && !std::holds_alternative<IgnoredAction>(body) &&
           !std::holds_alternative<TrafficSignalAction>(body);
  }
};

/// Storyboard element kinds, outermost first.
enum class ElementType { kStory, kAct, kManeuverGroup, kManeuver, kEvent, kAction };
/// A StoryboardElementStateCondition `state`.
enum class ElementState {
  kStandby, kRunning, kComplete, kStartTransition, kEndTransition, kStopTransition, kSkipTransition
};

/// One condition of a trigger.
struct Condition {
  enum class Kind {
    kSimulationTime, kStoryboardElementState, kParameter, kVariable,       // by value
    kTraveledDistance, kRelativeDistance, kTimeHeadway, kTimeToCollision, kReachPosition, kDistance,
    kSpeed, kRelativeSpeed, kAcceleration, kCollision, kEndOfRoad, kStandStill, kOffroad,  // by entity
    kRelativeClearance,
    kTrafficSignal, kTrafficSignalController,  // by value: `entity` the signal id / controller, `text_value` the state / phase
  };
  std::string name;
  double delay = 0.0;
  Edge edge = Edge::kNone;
  Kind kind = Kind::kSimulationTime;
  core::SourcePos pos;

  std::vector<std::string> triggering;  ///< TriggeringEntities
  bool all = false;                     ///< triggeringEntitiesRule all (else any)
  Rule rule = Rule::kGreaterThan;
  double value = 0.0;
  std::string text_value;               ///< Parameter/Variable conditions
  std::string entity;                   ///< the other entity, if any
  std::optional<Position> position;     ///< ReachPosition, Distance, TimeToCollision to a position
  bool freespace = false;
  CoordinateSystem coordinate_system = CoordinateSystem::kEntity;
  DistanceType distance_type = DistanceType::kEuclidean;
  std::string collision_type;           ///< CollisionCondition ByType objectType
  ElementType element_type = ElementType::kAct;  ///< StoryboardElementState
  std::string element_ref;
  ElementState state = ElementState::kComplete;
  std::string direction;                ///< Speed/Acceleration `direction`, "" = not given
  /// RelativeClearanceCondition: the distances ahead and behind, the lane range (lane ids relative to
  /// the triggering entity's, unbounded when absent), whether lanes of the other direction count, and
  /// the entities to look for (all others when empty).
  double forward = 0.0, backward = 0.0;
  int lane_from = -1000, lane_to = 1000;
  bool opposite_lanes = false;
  std::vector<std::string> refs;
};

/// A Trigger: OR over groups, AND within a group. Indices into Scenario::conditions.
struct Trigger {
  std::vector<std::vector<int>> groups;
  [[nodiscard]] bool empty() const { return groups.empty(); }
};

/// Event priority (`priority`; override = overwrite, as esmini).
enum class Priority { kOverride, kSkip, kParallel };

/// A storyboard element. The tree is stored flat in Scenario::elements.
struct Element {
  ElementType type = ElementType::kStory;
  std::string name;
  int parent = -1;
  std::vector<int> children;
  std::optional<Trigger> start_trigger;
  std::optional<Trigger> stop_trigger;
  int max_executions = 1;                  ///< ManeuverGroup, Event; -1 = unbounded
  Priority priority = Priority::kOverride;  ///< Event
  std::vector<int> actors;                 ///< ManeuverGroup: entity indices
  int action = -1;                         ///< Action element: index into Scenario::actions
  core::SourcePos pos;
};

/// An Init action of one entity (or a global one: entity -1).
struct InitAction {
  int entity = -1;
  int action = -1;
};

/// A problem that does not stop the run (an element the player ignores as the standard allows).
struct Warning {
  core::SourcePos pos;
  std::string message;
  /// `file:line:col: warning: message`.
  [[nodiscard]] std::string Format() const;
};

/// A loaded, checked scenario.
struct Scenario {
  std::string path;
  std::vector<std::pair<std::string, std::string>> parameters;  ///< declared globals, resolved
  std::vector<std::pair<std::string, std::string>> variables;   ///< declared variables
  std::shared_ptr<const opendrive::Network> roads;              ///< empty network without LogicFile
  std::string road_file;                                        ///< resolved path, "" if none
  std::vector<std::string> catalog_files;  ///< every catalog file read, in the order read (paths)
  std::vector<Entity> entities;
  std::vector<ControllerSpec> controllers;  ///< the controllers the player simulates (Entity::controller)
  std::vector<Action> actions;
  std::vector<InitAction> init;
  std::vector<TrafficSignalController> signal_controllers;  ///< RoadNetwork TrafficSignals
  std::vector<Condition> conditions;
  std::vector<Element> elements;
  std::vector<int> stories;  ///< top-level elements
  Trigger stop_trigger;
  std::vector<Warning> warnings;

  /// Index of the entity named `name`, -1 if none.
  [[nodiscard]] int FindEntity(const std::string& name) const;
};

/// `a rule b` on numbers, with esmini's tolerance of 1e-10 (`greaterThan` is a > b + 1e-10).
[[nodiscard]] bool CompareNumbers(double a, double b, Rule rule);
/// A parameter value as a number ("true" is 1, "false" 0), if it is one.
[[nodiscard]] std::optional<double> ParseValue(const std::string& text);
/// `a rule b` on parameter values: as numbers when both are, else by string order.
[[nodiscard]] bool CompareValues(const std::string& a, const std::string& b, Rule rule);

/// How a scenario is read.
struct LoadOptions {
  /// Every controller action (ActivateControllerAction, AssignControllerAction,
  /// OverrideControllerValueAction) is ignored with a warning, whatever the controller, as esmini's
  /// `--disable_controllers` does: each entity moves as its actions say.
  bool disable_controllers = false;
};

/// Reads `path` (and the catalogs and road network it names), with `overrides` replacing the
/// values of declared global parameters (an undeclared name is an error). Throws core::InputError.
[[nodiscard]] Scenario LoadScenario(const std::string& path,
                                    const std::vector<std::pair<std::string, std::string>>& overrides = {});
/// LoadScenario with `options`.
[[nodiscard]] Scenario LoadScenario(const std::string& path,
                                    const std::vector<std::pair<std::string, std::string>>& overrides,
                                    const LoadOptions& options);

}  // namespace gauntlet::openscenario
