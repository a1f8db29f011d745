// The OpenSCENARIO player: storyboard state machine, conditions, actions and entity motion (see
// player.h and docs/openscenario.md for the semantics and where they follow esmini).

#include "openscenario/player.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <stdexcept>

#include "core/format.h"
#include "openscenario/expression.h"
#include "openscenario/internal/controller.h"
#include "openscenario/internal/lateral_distance.h"
#include "openscenario/internal/nurbs.h"
#include "openscenario/internal/path_projection.h"
#include "openscenario/internal/shapes.h"
#include "openscenario/internal/trailer.h"
#include "sim/internal/footprint_geometry.h"

namespace gauntlet::openscenario {
namespace {

constexpr double kSmall = 1e-10;      // esmini's SMALL_NUMBER: tolerance of comparisons
constexpr double kStandStill = 1e-3;  // m/s: below it an entity stands still (esmini)
constexpr double kLarge = 1e10;       // esmini's LARGE_NUMBER: an unbounded time
constexpr double kPi = std::numbers::pi;

double WrapAngle(double a) {
  a = std::remainder(a, 2.0 * kPi);
  if (a <= -kPi) a += 2.0 * kPi;
  return a;
}

/// The shape's progress at fraction f in [0, 1] (0 -> 0, 1 -> 1) and its derivative d/df.
double ShapeValue(Shape shape, double f) {
  f = std::clamp(f, 0.0, 1.0);
  switch (shape) {
    case Shape::kStep: return 1.0;
    case Shape::kLinear: return f;
    case Shape::kCubic: return f * f * (3.0 - 2.0 * f);
    case Shape::kSinusoidal: return 0.5 * (1.0 - std::cos(kPi * f));
  }
  return f;
}
double ShapeSlope(Shape shape, double f) {
  if (f < 0.0 || f > 1.0) return 0.0;
  switch (shape) {
    case Shape::kStep: return 0.0;
    case Shape::kLinear: return 1.0;
    case Shape::kCubic: return 6.0 * f * (1.0 - f);
    case Shape::kSinusoidal: return 0.5 * kPi * std::sin(kPi * f);
  }
  return 1.0;
}
/// Peak of ShapeSlope: a rate-dimension transition of `delta` at `rate` lasts peak * |delta| / rate.
double ShapePeak(Shape shape) {
  switch (shape) {
    case Shape::kCubic: return 1.5;
    case Shape::kSinusoidal: return 0.5 * kPi;
    default: return 1.0;
  }
}

struct Vec {
  double x = 0.0, y = 0.0;
};

/// The corners of an entity's bounding box in the inertial frame (counter-clockwise).
std::array<Vec, 4> Corners(const EntityState& s, const BoundingBox& b) {
  const double c = std::cos(s.heading), sn = std::sin(s.heading);
  const double cx = s.x + c * b.center_x - sn * b.center_y;
  const double cy = s.y + sn * b.center_x + c * b.center_y;
  const double hl = b.length / 2, hw = b.width / 2;
  std::array<Vec, 4> out;
  const double lx[4] = {hl, -hl, -hl, hl}, ly[4] = {hw, hw, -hw, -hw};
  for (int i = 0; i < 4; ++i) out[static_cast<size_t>(i)] = {cx + c * lx[i] - sn * ly[i], cy + sn * lx[i] + c * ly[i]};
  return out;
}

/// The entity's bounding box seen from above, as sim's footprint geometry takes it.
sim::internal::Footprint FootprintOf(const EntityState& s, const BoundingBox& b) {
  const double c = std::cos(s.heading), sn = std::sin(s.heading);
  return {s.x + c * b.center_x - sn * b.center_y, s.y + sn * b.center_x + c * b.center_y, s.heading, b.length / 2,
          b.width / 2};
}

/// The extent [min, max] of `corners` along `axis`.
std::pair<double, double> Extent(const std::array<Vec, 4>& corners, Vec axis) {
  double lo = 1e300, hi = -1e300;
  for (const Vec& v : corners) {
    const double d = v.x * axis.x + v.y * axis.y;
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  return {lo, hi};
}

/// A piece of a SpeedProfileAction's speed: from time t, v + k (T - t) + j (T - t)^2 / 2.
struct SpeedSegment {
  double t = 0.0, v = 0.0, k = 0.0, j = 0.0;
};
/// A SpeedProfileAction's constraints as esmini applies them (unbounded: kLarge).
struct ProfileLimits {
  double max_acc, max_dec, max_speed, acc_rate, dec_rate;
};

/// A SpeedProfileAction vertex: a speed at a time and the slope k (with v = k t + m) to the next.
struct ProfileVertex {
  double t = 0.0, v = 0.0, k = 0.0, m = 0.0;
  void SetK(double slope) {
    k = slope;
    m = v - k * t;
  }
  static ProfileVertex WithK(double t, double v, double k) { return {t, v, k, v - k * t}; }
};

/// The first half of esmini's LongSpeedProfileAction::Start: the entries become vertices. Times add up
/// from `now` (an entry without one takes as long as the constraints' acceleration needs); a first
/// entry at time 0 gives the current speed (follow) or its own (position); vertices on one line merge.
std::vector<ProfileVertex> ProfileVertices(const SpeedProfileAction& sp, const ProfileLimits& c, double now, double v_now,
                                           double a_now, double offset) {
  const auto& entries = sp.entries;
  const size_t n = entries.size();
  auto time_of = [&](size_t i) { return entries[i].time.value_or(-1.0); };
  std::vector<ProfileVertex> vx;
  size_t index = 0;
  if (time_of(0) > kSmall || time_of(0) < -kSmall) {
    vx.push_back({now, v_now});
  } else if (sp.follow) {
    vx.push_back({now, v_now});
    index = 1;
  } else {
    vx.push_back({now, entries[0].speed});  // esmini: without the reference's offset
  }
  double time = now;
  for (; index < n; ++index) {
    const double target = entries[index].speed + offset;
    if (time_of(index) < -kSmall) {
      // no time: as fast as the constraints allow
      if (std::fabs(target - vx.back().v) < kSmall) continue;
      const double dv = target - vx.back().v;
      const double acc = dv < 0 ? std::min(-kSmall, -c.max_dec) : std::max(kSmall, c.max_acc);
      vx.back().t = time;
      time += dv / acc;
    } else {
      time += time_of(index);
    }
    const double dt = time - vx.back().t;
    if (dt < kSmall) {  // esmini divides by it on the last entry; replacing keeps the speeds finite
      vx.back() = ProfileVertex{time, target};
      continue;
    }
    vx.back().SetK((target - vx.back().v) / dt);
    const double dk = index > 1 ? vx.back().k - vx[vx.size() - 2].k : vx.back().k - a_now;
    if (std::fabs(dk) < kSmall && index > 1) {
      const ProfileVertex& before = vx[vx.size() - 2];
      vx.back() = ProfileVertex::WithK(time, target, (target - before.v) / (time - before.t));
      continue;
    }
    vx.push_back(index + 1 == n ? ProfileVertex::WithK(time, target, 0.0) : ProfileVertex{time, target});
  }
  return vx;
}

/// Collects a profile's segments; in follow mode a segment that breaks a constraint switches to
/// position mode for the rest (esmini's AddSpeedSegment and its Check* functions).
struct ProfileSegments {
  const ProfileLimits& c;
  bool follow;
  std::vector<SpeedSegment> out;
  void Add(double t, double v, double k, double j) {
    if (follow && (std::fabs(v) > c.max_speed + kSmall || k > c.max_acc + kSmall || k < -c.max_dec - kSmall ||
                   j > c.acc_rate + kSmall || j < -c.dec_rate - kSmall))
      follow = false;
    out.push_back({t, v, k, j});
  }
  [[nodiscard]] bool InSpan(double k) const { return k >= -c.max_dec && k <= c.max_acc; }
};

/// followingMode follow to one target (vx[0] -> vx[1]): a jerk to an acceleration k1, held, and a jerk
/// back to 0 on the target speed at its time; when k1 breaks the acceleration limits it is held at the
/// limit and the target is reached later.
void OneTargetSegments(const std::vector<ProfileVertex>& vx, double k0, double a_now, ProfileSegments& seg) {
  const ProfileLimits& c = seg.c;
  auto root = [](double x) { return std::sqrt(std::max(0.0, x)); };
  const double j0 = vx[0].k - k0 < 0 ? -c.dec_rate : c.acc_rate;
  seg.Add(vx[0].t, vx[0].v, k0, j0);
  const double j1 = vx[0].k < 0 ? c.acc_rate : -c.dec_rate;
  const double t0 = vx[0].t, v0 = vx[0].v, v3 = vx[1].v;
  double t3 = vx[1].t, k1 = 0.0, t1 = 0.0, t2 = 0.0, v1 = 0.0, v2 = 0.0;
  if (std::fabs(j1 - j0) < kSmall) {
    if (std::fabs(t0 - t3) > kSmall && std::fabs(j1 * (t0 - t3) - k0) > kSmall) {
      t1 = (2 * j1 * (v0 + t0 * j1 * (t0 - t3) - v3) + k0 * k0 + 2 * k0 * j1 * (t3 - 2 * t0)) /
           (2 * j1 * (j1 * (t0 - t3) - k0));
      if (t1 >= 0) {
        v1 = v0 + k0 * (t1 - t0) + j0 * 0.5 * (t1 - t0) * (t1 - t0);
        k1 = k0 + j0 * (t1 - t0);
        t2 = k1 / j1 + t3;
        if (t2 >= 0) {
          v2 = v1 + k1 * (t2 - t1);
          if (k1 < c.max_acc && k1 > -c.max_dec) seg.Add(t1, v1, k1, 0.0);
        }
      }
    }
  } else {
    const double factor = j0 * j1 *
                          (2 * v0 * (j1 - j0) + k0 * k0 + 2 * k0 * j1 * (t3 - t0) + j0 * j1 * (t0 - t3) * (t0 - t3) +
                           2 * v3 * (j0 - j1));
    if (factor < 0.0) {  // no time for a constant acceleration: the two jerks meet
      t2 = (root(j1 * (j1 - j0) * (j0 * (2 * v3 - 2 * v0) + k0 * k0)) + (j0 - j1) * (t0 * j0 - k0)) / (j0 * (j0 - j1));
      v2 = v0 + k0 * (t2 - t0) + j0 * 0.5 * (t2 - t0) * (t2 - t0);
      k1 = k0 + j0 * (t2 - t0);
      t3 = t2 - k1 / j1;
    } else {
      t1 = (-root(factor) - j0 * (k0 + t3 * j1) + t0 * j0 * j0) / (j0 * (j0 - j1));
      v1 = v0 + k0 * (t1 - t0) + j0 * 0.5 * (t1 - t0) * (t1 - t0);
      k1 = a_now + j0 * (t1 - t0);
      t2 = k1 / j1 + t3;
      v2 = v1 + k1 * (t2 - t1);
      if (seg.InSpan(k1)) seg.Add(t1, v1, k1, 0.0);
    }
  }
  if (!seg.InSpan(k1)) {
    // the acceleration is limited: hold the limit, reaching the target later
    k1 = std::clamp(k1, -c.max_dec, c.max_acc);
    t1 = t0 + (k1 - k0) / j0;
    v1 = v0 + k0 * (t1 - t0) + 0.5 * j0 * (t1 - t0) * (t1 - t0);
    t2 = (v3 - v1) / k1 + t1 + k1 / (2 * j1);
    v2 = v3 + k1 * k1 / (2 * j1);
    t3 = -v1 / k1 + v3 / k1 + t1 - k1 / (2 * j1);
    seg.Add(t1, v1, k1, 0.0);
  }
  seg.Add(t2, v2, k1, j1);
  seg.Add(t3, v3, 0.0, 0.0);
}

/// esmini's LongSpeedProfileAction::Start, written anew: the vertices (ProfileVertices); followingMode
/// position follows them linearly; follow joins their slopes by jerk segments of the constraints' rates
/// (one target: OneTargetSegments), falling back to position as soon as a segment breaks a constraint
/// (as esmini does, the segments already made stay).
std::vector<SpeedSegment> SpeedProfileSegments(const SpeedProfileAction& sp, const ProfileLimits& c, double now,
                                               double v_now, double a_now, double offset) {
  const std::vector<ProfileVertex> vx = ProfileVertices(sp, c, now, v_now, a_now, offset);
  ProfileSegments seg{c, sp.follow, {}};
  double k0 = a_now;
  if (vx.size() == 1) {
    seg.Add(vx[0].t, vx[0].v, 0.0, 0.0);
    return seg.out;
  }
  if (seg.follow && vx.size() == 2) {
    OneTargetSegments(vx, k0, a_now, seg);
    return seg.out;
  }
  double k1 = 0.0, t3 = vx[0].t, v3 = 0.0, m1 = 0.0, j = 0.0;
  if (seg.follow) {
    const ProfileVertex& v = vx[0];
    if (std::fabs(v.k) > kSmall) {
      j = v.k - k0 < 0 ? -c.dec_rate : c.acc_rate;
      seg.Add(v.t, v.v, k0, j);
      t3 = v.t + (std::fabs(j) > kSmall ? (v.k - k0) / j : 0.0);
    }
    v3 = v.v + k0 * (t3 - now) + 0.5 * j * (t3 - now) * (t3 - now);
    k1 = v.k;
    m1 = v3 - k1 * t3;
    seg.Add(t3, v3, k1, 0.0);
  }
  for (size_t i = 0; i < vx.size(); ++i) {
    if (!seg.follow) {
      seg.Add(vx[i].t, vx[i].v, vx[i].k, 0.0);
      continue;
    }
    if (i + 1 == vx.size()) continue;
    k0 = k1;
    const ProfileVertex& v = vx[i + 1];
    const double t0 = t3, v0 = v3, m0 = m1;
    k1 = v.k;
    m1 = v.m;
    j = v.k - k0 < 0 ? -c.dec_rate : c.acc_rate;
    if (std::fabs(k0 - k1) >= kSmall) {
      // the jerk segment from slope k0 to k1 that joins the lines v = k0 t + m0 and v = k1 t + m1
      const double t1 = (k0 * k0 - 2 * k0 * k1 + k1 * k1 - 2 * j * (m0 - m1)) / (2 * j * (k0 - k1));
      if (t1 < t0) {
        seg.follow = false;
        continue;
      }
      const double v1 = v0 + k0 * (t1 - t0);
      t3 = t1 + (v.k - k0) / j;
      v3 = v1 + k0 * (t3 - t1) + 0.5 * j * (t3 - t1) * (t3 - t1);
      seg.Add(t1, v1, k0, j);
    }
    seg.Add(t3, v3, v.k, 0.0);
  }
  return seg.out;
}

enum class State { kInit, kStandby, kRunning, kComplete };
enum class Transition { kNone, kStart, kEnd, kStop, kSkip };

/// Action domains (an action that starts ends the running actions of the same entity and domain).
constexpr unsigned kLongitudinal = 1, kLateral = 2;

}  // namespace

struct Player::Impl {
  const Scenario& sc;
  PlayOptions options;
  const opendrive::Network& roads;
  bool has_roads;
  // an OffroadCondition in the scenario: only then is the off-road state (lane borders each step) kept
  bool reads_offroad = false;
  std::vector<sim::internal::Footprint> footprints;  // DetectCollisions' scratch: each entity's box, this step
  long long frame = 0;
  double time = 0.0;
  bool finished = false;
  bool any_collision = false;
  std::vector<std::string> lines;
  int external = -1;                   // PlayOptions::external's index
  bool external_set = false;           // SetExternalState was called once
  std::set<int> external_warned;       // actions warned about
  std::vector<Warning> warnings;
  std::map<std::string, std::string> parameters;
  std::map<std::string, std::string> variables;

  struct Ent {
    EntityState s;
    std::optional<opendrive::LanePos> lane;  // on the roads
    double heading_offset = 0.0;             // heading relative to the lane's driving direction
    double odometer = 0.0;                   // esmini's: the straight distance moved in each step, summed
    double odometer_x = 0.0, odometer_y = 0.0;  // where the last step ended
    bool teleported = false;                 // placed this step: no distance (esmini's reset_)
    double prev_speed = 0.0;
    double acceleration = 0.0;
    double lateral_speed = 0.0;
    bool moved = false;                      // an action set the position this step
    std::optional<double> standstill_since, end_of_road_since, offroad_since;
    bool end_of_road = false;
    opendrive::MovePreference preference;
  };
  std::vector<Ent> ents;
  std::set<std::pair<int, int>> touching;

  // storyboard runtime
  struct ElementRt {
    State state = State::kInit;
    int executions = 0;
    std::vector<std::pair<State, Transition>> changes;  // every change, in order
  };
  std::vector<ElementRt> els;
  struct CondRt {
    bool last = false;
    bool evaluated = false;
    bool value = false;
    std::vector<std::pair<double, bool>> history;
    size_t seen = 0;  // StoryboardElementState: changes seen
    std::pair<State, Transition> latest{State::kInit, Transition::kNone};
    bool has_latest = false;
  };
  std::vector<CondRt> conds;
  std::vector<int> element_of_condition;  // StoryboardElementState: the element, else -1

  // traffic signals: each signal's state ("" until set), each controller's cycle origin and phase
  std::map<std::string, std::string> signal_states;
  struct ControllerRt {
    double origin = 0.0;  // when its first phase (virtually) began
    long long tick = std::numeric_limits<long long>::min();  // cycles * phases + phase, of the phase applied
    int phase = -1;
  };
  std::vector<ControllerRt> controllers;
  std::vector<int> controller_of_condition;  // TrafficSignalControllerCondition: the controller, else -1

  // action instances
  struct Inst {
    int action = -1;
    int entity = -1;
    int element = -1;   // owning Action element, -1 for Init actions
    bool running = false;
    unsigned domains = 0;
    double elapsed = 0.0;      // s since start
    double travelled = 0.0;    // m since start
    double start_value = 0.0;  // speed or lateral t at the start
    double target_value = 0.0;
    double duration = 0.0;     // of the transition (time, or distance for lane changes over distance)
    bool over_distance = false;
    bool reached = false;
    int target_lane = 0;
    double target_t = 0.0;
    std::vector<std::pair<Vec, double>> path;  // trajectory: points with arc length
    std::vector<double> times;                 // trajectory: vertex times (timing)
    double along = 0.0;
    bool reverse = false;  // trajectory: at a negative speed in its first step (esmini: driven backwards)
    bool first_step = true;  // trajectory: not stepped yet
    // SynchronizeAction: the phase of its speed plan, the master's last distance, the steady-state distance
    enum class SyncPhase { kPlan, kLinear, kTwoPhase, kStopped, kBraking, kWaiting, kSteady } sync_phase = SyncPhase::kPlan;
    bool sync_rush = false;  // two phases: accelerate then decelerate (else decelerate then accelerate)
    double last_master = 0.0;
    double steady_distance = -1.0;  // < 0: no steady state
    double scale = 1.0;             // speed transitions: the Performance's stretch of the duration
    // LongitudinalDistanceAction: the time of its last step, its acceleration, the side it keeps
    double last_time = 0.0;
    double acceleration = 0.0;
    LongitudinalDistanceAction::Displacement displacement = LongitudinalDistanceAction::Displacement::kTrailing;
    std::vector<SpeedSegment> segments;  // SpeedProfileAction: its speed over time
    size_t segment = 0;
    // LateralDistanceAction: the lateral place kept (left of the reference positive), whether its
    // first step is done, its lateral motion, the position at the end of its last step
    double lateral_target = 0.0;
    bool lateral_started = false;
    internal::LateralRoadState lateral;
    Vec last_pos;
  };
  std::vector<Inst> insts;
  /// Per entity: its simulated controller (internal/controller.h) and whether it is active on the
  /// longitudinal domain.
  std::vector<std::unique_ptr<internal::Controller>> drivers;
  std::vector<bool> driver_active;
  std::vector<internal::Body> bodies;  // StepControllers' scratch: what the controllers see, this step
  /// The sampled paths of TrajectoryPositions on Clothoid, ClothoidSpline and Nurbs trajectories whose
  /// positions are absolute (World, Lane, Road), built at their first use (TrajectoryPlace).
  mutable std::map<const FollowTrajectoryAction*, Inst> trajectory_paths;
  std::vector<std::vector<int>> insts_of_element;  // Action element -> instances
  std::vector<int> init_insts;
  bool stepping_triggers = false;  // Step is evaluating the triggers (actions done at once end later)
  internal::Couplings couplings;   // which entity tows which (trailers)

  Impl(const Scenario& s, PlayOptions o)
      : sc(s), options(o), roads(*s.roads), has_roads(!s.roads->roads().empty()) {
    for (const auto& [k, v] : sc.parameters) parameters[k] = v;
    for (const auto& [k, v] : sc.variables) variables[k] = v;
    ents.resize(sc.entities.size());
    drivers.resize(sc.entities.size());
    driver_active.assign(sc.entities.size(), false);
    for (size_t i = 0; i < sc.entities.size(); ++i)
      if (sc.entities[i].controller >= 0)
        drivers[i] = internal::MakeController(sc.controllers[static_cast<size_t>(sc.entities[i].controller)]);
    els.resize(sc.elements.size());
    conds.resize(sc.conditions.size());
    reads_offroad = std::any_of(sc.conditions.begin(), sc.conditions.end(),
                                [](const Condition& c) { return c.kind == Condition::Kind::kOffroad; });
    element_of_condition.assign(sc.conditions.size(), -1);
    for (size_t c = 0; c < sc.conditions.size(); ++c) {
      const Condition& cd = sc.conditions[c];
      if (cd.kind != Condition::Kind::kStoryboardElementState) continue;
      for (size_t e = 0; e < sc.elements.size(); ++e) {
        const Element& el = sc.elements[e];
        if (el.type == cd.element_type && (el.name == cd.element_ref || cd.element_ref.ends_with("::" + el.name))) {
          element_of_condition[c] = static_cast<int>(e);
          break;
        }
      }
    }
    controllers.resize(sc.signal_controllers.size());
    for (size_t i = 0; i < controllers.size(); ++i) controllers[i].origin = sc.signal_controllers[i].start;
    controller_of_condition.assign(sc.conditions.size(), -1);
    for (size_t c = 0; c < sc.conditions.size(); ++c) {
      if (sc.conditions[c].kind != Condition::Kind::kTrafficSignalController) continue;
      for (size_t i = 0; i < sc.signal_controllers.size(); ++i)
        if (sc.signal_controllers[i].name == sc.conditions[c].entity) controller_of_condition[c] = static_cast<int>(i);
    }
    insts_of_element.resize(sc.elements.size());
    for (size_t e = 0; e < sc.elements.size(); ++e) {
      const Element& el = sc.elements[e];
      if (el.type != ElementType::kAction || el.action < 0) continue;
      const Action& a = sc.actions[static_cast<size_t>(el.action)];
      if (!a.IsPrivate()) {
        insts_of_element[e].push_back(NewInst(el.action, -1, static_cast<int>(e)));
        continue;
      }
      // a private action acts on every actor of its maneuver group
      int mg = el.parent;
      while (mg >= 0 && sc.elements[static_cast<size_t>(mg)].type != ElementType::kManeuverGroup)
        mg = sc.elements[static_cast<size_t>(mg)].parent;
      if (mg < 0) continue;
      for (int actor : sc.elements[static_cast<size_t>(mg)].actors)
        insts_of_element[e].push_back(NewInst(el.action, actor, static_cast<int>(e)));
    }
    for (const InitAction& ia : sc.init) init_insts.push_back(NewInst(ia.action, ia.entity, -1));
    couplings = internal::Couplings(sc.entities);
    if (!options.external.empty()) {
      external = sc.FindEntity(options.external);
      if (external < 0) throw core::InputError({sc.path, 1, 1}, "no entity '" + options.external + "' to drive");
    }
  }
  /// A storyboard action on the external entity is not applied: a warning at the action, once.
  void NotApplied(const Action& a) {
    if (!external_warned.insert(static_cast<int>(&a - sc.actions.data())).second) return;
    warnings.push_back({a.pos, "action '" + a.name + "' on '" + sc.entities[static_cast<size_t>(external)].name +
                                   "' is not applied: the entity is driven externally (by the model)"});
  }
  int NewInst(int action, int entity, int element) {
    Inst in;
    in.action = action;
    in.entity = entity;
    in.element = element;
    insts.push_back(in);
    return static_cast<int>(insts.size()) - 1;
  }

  [[noreturn]] void Fail(const core::SourcePos& pos, const std::string& message) const {
    throw core::InputError(pos, message + " (at t = " + core::FormatFixed(time, 3) + " s)");
  }
  std::string Stamp() const { return core::FormatFixed(time, 3) + ": "; }

  // ---- traffic signals ----------------------------------------------------------------------------
  /// Brings controller i to the phase it is in at the current time (phase boundaries count as reached
  /// 1e-9 s early, so that the accumulated step times meet them); a phase that begins sets its states.
  void AdvanceController(size_t i) {
    const TrafficSignalController& tc = sc.signal_controllers[i];
    ControllerRt& rt = controllers[i];
    double cycle = 0.0;
    for (const auto& p : tc.phases) cycle += p.duration;
    const double e = time - rt.origin + 1e-9;
    const double k = std::floor(e / cycle);
    const double r = e - k * cycle;
    size_t phase = tc.phases.size() - 1;
    double end = 0.0;
    for (size_t p = 0; p < tc.phases.size(); ++p) {
      end += tc.phases[p].duration;
      if (r < end) {
        phase = p;
        break;
      }
    }
    const long long tick = static_cast<long long>(k) * static_cast<long long>(tc.phases.size()) + static_cast<long long>(phase);
    if (tick == rt.tick) return;
    rt.tick = tick;
    rt.phase = static_cast<int>(phase);
    for (const auto& [id, state] : tc.phases[phase].states) signal_states[id] = state;
  }
  void AdvanceSignals() {
    for (size_t i = 0; i < controllers.size(); ++i) AdvanceController(i);
  }
  /// TrafficSignalControllerAction: the phase starts now, the cycle goes on from it.
  void SetPhase(int controller, int phase) {
    const TrafficSignalController& tc = sc.signal_controllers[static_cast<size_t>(controller)];
    double before = 0.0;
    for (int p = 0; p < phase; ++p) before += tc.phases[static_cast<size_t>(p)].duration;
    ControllerRt& rt = controllers[static_cast<size_t>(controller)];
    rt.origin = time - before;
    rt.tick = std::numeric_limits<long long>::min();
    AdvanceController(static_cast<size_t>(controller));
  }

  // ---- positions ----------------------------------------------------------------------------------
  struct Placed {
    EntityState pose;
    std::optional<opendrive::LanePos> lane;
  };
  const Ent& Ref(const Position& p) const {
    const int i = sc.FindEntity(p.entity);
    return ents[static_cast<size_t>(i)];
  }
  opendrive::LanePos NeedLane(const Position& p, const Ent& e) const {
    if (!e.lane) Fail(p.pos, "entity '" + p.entity + "' is not on a road, so a road-relative position cannot refer to it");
    return *e.lane;
  }
  /// Lane id `lane` moved by `d` lanes (skipping the centre lane 0).
  static int ShiftLane(int lane, int d) {
    int out = lane + d;
    if (lane < 0 && out >= 0) out += 1;
    if (lane > 0 && out <= 0) out -= 1;
    return out;
  }
  Placed OnLane(const Position& p, opendrive::LanePos lp) const {
    const opendrive::Road& road = roads.roads()[static_cast<size_t>(lp.road)];
    if (lp.s < -1e-9 || lp.s > road.length + 1e-9)
      Fail(p.pos, "s = " + core::FormatDouble(lp.s) + " is off road '" + road.id + "' (length " +
                      core::FormatDouble(road.length) + ")");
    if (!roads.LaneAt(lp.road, lp.lane, lp.s))
      Fail(p.pos, "road '" + road.id + "' has no lane " + std::to_string(lp.lane) + " at s = " + core::FormatDouble(lp.s));
    const opendrive::Pose pose = roads.LaneToWorld(lp);
    Placed out{{pose.x, pose.y, pose.heading, 0.0}, lp};
    if (p.orientation_h) out.pose.heading = p.orientation_relative ? pose.heading + *p.orientation_h : *p.orientation_h;
    out.pose.heading = WrapAngle(out.pose.heading);
    return out;
  }
  Placed Locate(EntityState pose) const {
    Placed out{pose, std::nullopt};
    if (!has_roads) return out;
    const auto where = roads.Locate(pose.x, pose.y, pose.heading);
    if (where && where->on_road) out.lane = where->Position();
    return out;
  }
  /// The roads of a route in driving order, each with its direction of travel (+1 along s).
  std::vector<std::pair<opendrive::RoadIndex, double>> RouteRoads(const Position& p, opendrive::LanePos* start) const {
    std::vector<std::pair<opendrive::RoadIndex, double>> out;
    std::optional<opendrive::LanePos> prev;
    for (const Position& w : p.route) {
      const Placed at = Resolve(w);
      if (!at.lane) Fail(w.pos, "a route waypoint must be on a road");
      if (!prev) {
        *start = *at.lane;
        out.emplace_back(at.lane->road, roads.DrivesAlongS(at.lane->road, at.lane->lane) ? 1.0 : -1.0);
      } else {
        const auto steps = roads.Route(*prev, *at.lane);
        if (!steps) Fail(w.pos, "no route leads from the previous waypoint to this one");
        for (const opendrive::RouteStep& st : *steps) {
          const double dir = roads.DrivesAlongS(st.road, st.lane) ? 1.0 : -1.0;
          if (out.back().first != st.road) out.emplace_back(st.road, dir);
        }
      }
      prev = at.lane;
    }
    return out;
  }
  /// A RoutePosition: pathS metres along the route's roads from its first waypoint.
  Placed RoutePlace(const Position& p) const {
    opendrive::LanePos start;
    const auto seq = RouteRoads(p, &start);
    double s = start.s, left = p.s;
    for (size_t k = 0; k < seq.size(); ++k) {
      const auto [road, dir] = seq[k];
      const double length = roads.roads()[static_cast<size_t>(road)].length;
      const double room = dir > 0 ? length - s : s;
      if (left <= room || k + 1 == seq.size()) {
        s += dir * std::min(left, room);
        // With PlayOptions::align_route_positions (esmini's --align_routepositions, which its Euro NCAP
        // suite uses) laneId, laneOffset and t count in the route's direction: on a road the route drives
        // against s their signs flip.
        const double sign = options.align_route_positions && dir < 0 ? -1.0 : 1.0;
        if (p.route_t) {
          const opendrive::Pose pose = roads.RoadToWorld(road, s, sign * p.t);
          const auto where = roads.LocateOnRoad(road, pose.x, pose.y, pose.heading);
          if (!where) Fail(p.pos, "the route position is not on a lane");
          return OnLane(p, where->Position());
        }
        return OnLane(p, {road, static_cast<int>(sign) * p.lane, s, sign * p.offset});
      }
      left -= room;
      s = seq[k + 1].second > 0 ? 0.0 : roads.roads()[static_cast<size_t>(seq[k + 1].first)].length;
    }
    return {};
  }

  /// A TrajectoryPosition: `s` metres along the polyline through the vertices (clamped to its ends),
  /// `t` to the left of that segment's heading; the heading is the segment's, turned by the Orientation.
  Placed TrajectoryPlace(const Position& p) const {
    if (p.trajectory) {
      // a Clothoid, ClothoidSpline or Nurbs shape: its path as FollowTrajectoryAction samples it
      const FollowTrajectoryAction& f = *p.trajectory;
      if (!f.spline.empty() && !f.spline.front().start)
        Fail(p.pos, "a TrajectoryPosition on a ClothoidSpline needs its first segment's PositionStart");
      // the sampled path, built once when its positions do not move (a SynchronizeAction resolves its
      // target every step), else again at each call
      auto fixed = [](const Position& q) {
        return q.kind == Position::Kind::kWorld || q.kind == Position::Kind::kLane || q.kind == Position::Kind::kRoad;
      };
      bool absolute = std::all_of(f.vertices.begin(), f.vertices.end(), [&](const Vertex& v) { return fixed(v.position); });
      for (const auto& seg : f.spline) absolute = absolute && (!seg.start || fixed(*seg.start));
      for (const auto& c : f.nurbs) absolute = absolute && fixed(c.position);
      Inst built;
      const auto cached = trajectory_paths.find(&f);
      if (!absolute || cached == trajectory_paths.end()) {
        built.entity = -1;
        BuildPath(built, f);
        if (built.path.size() < 2) Fail(p.pos, "a TrajectoryPosition needs a trajectory of some length");
      }
      const Inst& tmp = absolute && cached != trajectory_paths.end()
                            ? cached->second
                            : (absolute ? trajectory_paths.emplace(&f, std::move(built)).first->second : built);
      const double s = std::clamp(p.s, 0.0, tmp.path.back().second);
      const auto [pt, h] = PathAt(tmp, s);
      double heading = h;
      if (p.orientation_h) heading = p.orientation_relative ? h + *p.orientation_h : *p.orientation_h;
      return Locate({pt.x - p.t * std::sin(h), pt.y + p.t * std::cos(h), WrapAngle(heading), 0.0});
    }
    std::vector<EntityState> v;
    for (const Position& w : p.route) v.push_back(Resolve(w).pose);
    if (v.size() < 2) Fail(p.pos, "a TrajectoryPosition needs a trajectory of at least two vertices");
    double left = std::max(0.0, p.s);
    size_t k = 0;
    for (; k + 2 < v.size(); ++k) {
      const double len = std::hypot(v[k + 1].x - v[k].x, v[k + 1].y - v[k].y);
      if (left <= len) break;
      left -= len;
    }
    const double dx = v[k + 1].x - v[k].x, dy = v[k + 1].y - v[k].y, len = std::hypot(dx, dy);
    const double h = len > 0.0 ? std::atan2(dy, dx) : v[k].heading;
    const double along = std::min(left, len);
    double heading = h;
    if (p.orientation_h) heading = p.orientation_relative ? h + *p.orientation_h : *p.orientation_h;
    return Locate({v[k].x + along * std::cos(h) - p.t * std::sin(h), v[k].y + along * std::sin(h) + p.t * std::cos(h),
                   WrapAngle(heading), 0.0});
  }

  Placed Resolve(const Position& p) const {
    switch (p.kind) {
      case Position::Kind::kRoute: return RoutePlace(p);
      case Position::Kind::kTrajectory: return TrajectoryPlace(p);
      case Position::Kind::kWorld: {
        return Locate({p.x, p.y, WrapAngle(p.h.value_or(0.0)), 0.0});
      }
      case Position::Kind::kRelativeWorld: {
        const Ent& r = Ref(p);
        double h = r.s.heading;
        if (p.orientation_h) h = p.orientation_relative ? r.s.heading + *p.orientation_h : *p.orientation_h;
        return Locate({r.s.x + p.x, r.s.y + p.y, WrapAngle(h), 0.0});
      }
      case Position::Kind::kRelativeObject: {
        const Ent& r = Ref(p);
        const double c = std::cos(r.s.heading), s = std::sin(r.s.heading);
        double h = r.s.heading;
        if (p.orientation_h) h = p.orientation_relative ? r.s.heading + *p.orientation_h : *p.orientation_h;
        return Locate({r.s.x + c * p.x - s * p.y, r.s.y + s * p.x + c * p.y, WrapAngle(h), 0.0});
      }
      case Position::Kind::kLane: {
        const auto road = roads.FindRoad(p.road);
        if (!road) Fail(p.pos, "no road '" + p.road + "'");
        return OnLane(p, {*road, p.lane, p.s, p.offset});
      }
      case Position::Kind::kRoad:
      case Position::Kind::kRelativeRoad: {
        opendrive::RoadIndex road = -1;
        double s = p.s, t = p.t;
        if (p.kind == Position::Kind::kRoad) {
          const auto r = roads.FindRoad(p.road);
          if (!r) Fail(p.pos, "no road '" + p.road + "'");
          road = *r;
        } else {
          const Ent& r = Ref(p);
          const opendrive::LanePos lp = NeedLane(p, r);
          road = lp.road;
          s = lp.s + p.s;
          t = roads.LaneCentreT(lp.road, lp.lane, lp.s) + lp.offset + p.t;
        }
        const opendrive::Pose pose = roads.RoadToWorld(road, s, t);
        const auto where = roads.LocateOnRoad(road, pose.x, pose.y, pose.heading);
        Placed out{{pose.x, pose.y, pose.heading, 0.0}, std::nullopt};
        if (where) {
          out.lane = where->Position();
          // esmini's OSCPositionRoad: a RoadPosition heads along the road's reference line (+s) on
          // every lane; a relative one along the lane it lands in
          if (p.kind == Position::Kind::kRelativeRoad) out.pose.heading = roads.LaneHeading(road, where->lane, where->s);
        }
        if (p.orientation_h) out.pose.heading = p.orientation_relative ? out.pose.heading + *p.orientation_h : *p.orientation_h;
        out.pose.heading = WrapAngle(out.pose.heading);
        return out;
      }
      case Position::Kind::kRelativeLane: {
        const Ent& r = Ref(p);
        opendrive::LanePos lp = NeedLane(p, r);
        // dLane counts lanes along +t (lane ids, skipping 0); ds is along s, dsLane along the lane's
        // driving direction
        const bool along = roads.DrivesAlongS(lp.road, lp.lane);
        lp.lane = ShiftLane(lp.lane, p.lane);
        lp.s += p.ds_lane ? (along ? p.s : -p.s) : p.s;
        lp.offset = p.offset;
        Placed out = OnLane(p, lp);
        // the reference's heading relative to its lane's driving direction carries over: beside an entity
        // that faces against its lane, the entity faces against its own (esmini's
        // left-hand-traffic_by_heading, smoke_test reference)
        if (!p.orientation_h || p.orientation_relative) out.pose.heading = WrapAngle(out.pose.heading + r.heading_offset);
        return out;
      }
    }
    return {};
  }
  void Place(int e, const Placed& p) {
    Ent& en = ents[static_cast<size_t>(e)];
    const double speed = en.s.speed;
    en.s = p.pose;
    en.s.speed = speed;
    en.teleported = true;
    en.lane = p.lane;
    en.heading_offset = en.lane ? WrapAngle(en.s.heading - roads.LaneHeading(en.lane->road, en.lane->lane, en.lane->s)) : 0.0;
    if (std::fabs(en.heading_offset) > kPi / 2 && en.lane) {
      // facing against the lane: drive it the other way by keeping the offset (MoveAlong backwards)
    }
  }
  /// Updates x, y, heading from the lane position.
  void SyncFromLane(Ent& en) {
    const opendrive::Pose pose = roads.LaneToWorld(*en.lane);
    en.s.x = pose.x;
    en.s.y = pose.y;
    en.s.heading = WrapAngle(pose.heading + en.heading_offset);
  }

  // ---- storyboard state machine (esmini's StoryBoardElement) --------------------------------------
  void SetState(int e, State s, Transition t) {
    ElementRt& rt = els[static_cast<size_t>(e)];
    if (rt.state == s && t == Transition::kNone) return;
    const Element& el = sc.elements[static_cast<size_t>(e)];
    if (el.type == ElementType::kEvent && rt.state != s) {
      if (s == State::kRunning) lines.push_back(Stamp() + "event " + el.name + " start");
      if (t == Transition::kEnd && rt.state == State::kRunning) lines.push_back(Stamp() + "event " + el.name + " end");
      if (t == Transition::kStop && rt.state == State::kRunning) lines.push_back(Stamp() + "event " + el.name + " stop");
    }
    if (rt.state != s) rt.changes.emplace_back(s, t);
    rt.state = s;
  }
  State St(int e) const { return els[static_cast<size_t>(e)].state; }
  const Element& El(int e) const { return sc.elements[static_cast<size_t>(e)]; }

  void StartElement(int e) {
    const Element& el = El(e);
    ElementRt& rt = els[static_cast<size_t>(e)];
    if (rt.state == State::kInit && el.start_trigger) {
      SetState(e, State::kStandby, Transition::kNone);
    } else if (rt.state == State::kInit || rt.state == State::kStandby || rt.executions > 0) {
      SetState(e, State::kRunning, Transition::kStart);
      ++rt.executions;
    }
    if (rt.state != State::kRunning) return;
    if (el.type == ElementType::kAction) {
      StartAction(e);
      return;
    }
    if (el.type == ElementType::kEvent) {
      if (el.children.empty()) {
        EndElement(e);
        return;
      }
      for (int c : el.children) {
        if (St(c) == State::kComplete) continue;
        StartElement(c);
      }
      return;
    }
    for (int c : el.children) StartElement(c);
  }
  /// Event start with its priority (esmini's Event::Start).
  void StartEvent(int e) {
    const Element& ev = El(e);
    const Element& maneuver = El(ev.parent);
    auto any_running = [&] {
      return std::any_of(maneuver.children.begin(), maneuver.children.end(),
                         [&](int c) { return St(c) == State::kRunning; });
    };
    if (ev.priority == Priority::kOverride) {
      if (St(e) == State::kRunning) return;
      for (int other : maneuver.children)
        if (other != e && St(other) == State::kRunning) EndElement(other);
    } else if (ev.priority == Priority::kSkip) {
      if (any_running()) return;
    } else {
      if (St(e) == State::kRunning) return;
    }
    StartElement(e);
  }
  void ResetElement(int e) {
    for (int c : El(e).children) ResetElement(c);
    els[static_cast<size_t>(e)].state = State::kInit;
    if (El(e).type == ElementType::kAction)
      for (int i : insts_of_element[static_cast<size_t>(e)]) insts[static_cast<size_t>(i)].running = false;
  }
  void ResetTrigger(const std::optional<Trigger>& t) {
    if (!t) return;
    for (const auto& g : t->groups)
      for (int c : g) {
        conds[static_cast<size_t>(c)].history.clear();
        conds[static_cast<size_t>(c)].value = false;
      }
  }
  void EndElement(int e) {
    if (St(e) == State::kComplete) return;
    const Element& el = El(e);
    for (int c : el.children)
      if (St(c) == State::kRunning) EndElement(c);
    if (St(e) == State::kComplete) return;
    if (St(e) == State::kRunning || St(e) == State::kStandby) {
      if (el.type == ElementType::kAction)
        for (int i : insts_of_element[static_cast<size_t>(e)]) insts[static_cast<size_t>(i)].running = false;
      ElementRt& rt = els[static_cast<size_t>(e)];
      if ((el.type == ElementType::kManeuverGroup || el.type == ElementType::kEvent) &&
          (el.max_executions < 0 || rt.executions < el.max_executions)) {
        ResetTrigger(el.start_trigger);
        ResetTrigger(el.stop_trigger);
        SetState(e, State::kStandby, Transition::kEnd);
        for (int c : el.children) ResetElement(c);
      } else {
        SetState(e, State::kComplete, Transition::kEnd);
      }
    }
    if (el.parent >= 0) Propagate(el.parent);
  }
  void StopElement(int e) {
    const Element& el = El(e);
    for (int c : el.children) StopElement(c);
    if (St(e) == State::kComplete) return;
    if (St(e) == State::kStandby || St(e) == State::kRunning) {
      if (el.type == ElementType::kAction)
        for (int i : insts_of_element[static_cast<size_t>(e)]) insts[static_cast<size_t>(i)].running = false;
      SetState(e, State::kComplete, Transition::kStop);
    }
    if (el.parent >= 0) Propagate(el.parent);
  }
  void Propagate(int e) {
    if (St(e) == State::kComplete) return;
    const Element& el = El(e);
    if (std::all_of(el.children.begin(), el.children.end(), [&](int c) { return St(c) == State::kComplete; }))
      EndElement(e);
  }
  void EvalTriggers(int e) {
    const Element& el = El(e);
    if (St(e) == State::kRunning && el.stop_trigger && EvalTrigger(*el.stop_trigger, false)) StopElement(e);
    if (St(e) == State::kStandby) {
      if (!el.start_trigger || EvalTrigger(*el.start_trigger, true)) {
        if (el.type == ElementType::kEvent) StartEvent(e);
        else StartElement(e);
      }
    }
    if (St(e) == State::kRunning)
      for (int c : el.children) EvalTriggers(c);
  }

  // ---- conditions ---------------------------------------------------------------------------------
  bool EvalTrigger(const Trigger& t, bool default_value) {
    if (t.groups.empty()) return default_value;
    bool result = false;
    for (const auto& g : t.groups) {
      if (g.empty()) continue;
      bool all = true;
      for (int c : g)
        if (all || sc.conditions[static_cast<size_t>(c)].delay > 0.0) all = EvalCondition(c) && all;
      result = result || all;
    }
    if (result)
      for (const auto& g : t.groups)
        for (int c : g) conds[static_cast<size_t>(c)].evaluated = false;
    return result;
  }
  bool EvalCondition(int index) {
    const Condition& c = sc.conditions[static_cast<size_t>(index)];
    CondRt& rt = conds[static_cast<size_t>(index)];
    const bool now = Check(index);
    bool edge = now;
    if (c.edge != Edge::kNone) {
      edge = false;
      if (rt.evaluated) {
        if (c.edge == Edge::kRising) edge = now && !rt.last;
        else if (c.edge == Edge::kFalling) edge = !now && rt.last;
        else edge = now != rt.last;
      }
    }
    rt.last = now;
    rt.evaluated = true;
    if (rt.history.empty() || rt.history.back().second != edge) rt.history.emplace_back(time, edge);
    bool value = false;
    const double at = time - c.delay + 1e-9;
    for (const auto& [t, v] : rt.history) {
      if (t > at) break;
      value = v;
    }
    rt.value = value;
    return value;
  }
  int EntityIndex(const std::string& name) const { return sc.FindEntity(name); }

  /// Signed longitudinal/lateral/euclidean distance from entity `a` to `b` (or to a point).
  double Distance(int a, const EntityState& b, const BoundingBox* b_box, const std::optional<opendrive::LanePos>& b_lane,
                  const Condition& c) const {
    const Ent& ea = ents[static_cast<size_t>(a)];
    const BoundingBox& abox = sc.entities[static_cast<size_t>(a)].box;
    if ((c.coordinate_system == CoordinateSystem::kRoad || c.coordinate_system == CoordinateSystem::kLane) && ea.lane &&
        b_lane && b_lane->road == ea.lane->road) {
      const double dir = roads.DrivesAlongS(ea.lane->road, ea.lane->lane) ? 1.0 : -1.0;
      double ds = (b_lane->s - ea.lane->s) * dir;
      const double ta = roads.LaneCentreT(ea.lane->road, ea.lane->lane, ea.lane->s) + ea.lane->offset;
      const double tb = roads.LaneCentreT(b_lane->road, b_lane->lane, b_lane->s) + b_lane->offset;
      double dt = (tb - ta) * dir;
      if (c.freespace) {
        const double a_front = abox.center_x + abox.length / 2, a_rear = abox.length / 2 - abox.center_x;
        const double b_front = b_box ? b_box->center_x + b_box->length / 2 : 0.0;
        const double b_rear = b_box ? b_box->length / 2 - b_box->center_x : 0.0;
        if (ds >= 0) ds = std::max(0.0, ds - a_front - b_rear);
        else ds = std::min(0.0, ds + a_rear + b_front);
        const double aw = abox.width / 2, bw = b_box ? b_box->width / 2 : 0.0;
        if (dt >= 0) dt = std::max(0.0, dt - aw - bw);
        else dt = std::min(0.0, dt + aw + bw);
      }
      if (c.distance_type == DistanceType::kLongitudinal) return ds;
      if (c.distance_type == DistanceType::kLateral) return dt;
      return std::hypot(ds, dt);
    }
    // entity coordinate system (of `a`)
    const double ch = std::cos(ea.s.heading), sh = std::sin(ea.s.heading);
    if (!c.freespace) {
      const double dx = b.x - ea.s.x, dy = b.y - ea.s.y;
      const double lon = ch * dx + sh * dy, lat = -sh * dx + ch * dy;
      if (c.distance_type == DistanceType::kLongitudinal) return lon;
      if (c.distance_type == DistanceType::kLateral) return lat;
      return std::hypot(dx, dy);
    }
    if (c.distance_type == DistanceType::kEuclidean) {
      // the shortest distance between the boxes (a point for a position), 0 when they touch
      const sim::internal::Footprint fb =
          b_box ? FootprintOf(b, *b_box) : sim::internal::Footprint{b.x, b.y, 0.0, 0.0, 0.0};
      return std::max(0.0, sim::internal::SignedClearance(FootprintOf(ea.s, abox), fb));
    }
    const std::array<Vec, 4> ca = Corners(ea.s, abox);
    std::array<Vec, 4> cb{};
    if (b_box) cb = Corners(b, *b_box);
    else cb.fill({b.x, b.y});
    const Vec axis = c.distance_type == DistanceType::kLongitudinal ? Vec{ch, sh} : Vec{-sh, ch};
    const auto [amin, amax] = Extent(ca, axis);
    const auto [bmin, bmax] = Extent(cb, axis);
    if (bmin > amax) return bmin - amax;
    if (bmax < amin) return bmax - amin;
    return 0.0;
  }
  double EntityDistance(int a, int b, const Condition& c) const {
    const Ent& eb = ents[static_cast<size_t>(b)];
    return Distance(a, eb.s, &sc.entities[static_cast<size_t>(b)].box, eb.lane, c);
  }
  /// esmini's TrigByRelativeClearance: no other entity (or none of the listed ones) on the same road
  /// within [-distanceBackward, distanceForward] along the entity's direction of travel (s, or the gap
  /// between the boxes with freeSpace) in a lane whose id differs by `from`..`to` (counting lanes, the
  /// centre lane skipped; lanes of the other direction only with oppositeLanes), and a driving lane with
  /// an id in [lane + from, lane + to] (of the same direction unless oppositeLanes) exists at the entity.
  bool Clear(int t, const Condition& c) const {
    const Ent& e = ents[static_cast<size_t>(t)];
    if (!e.lane) return false;
    const double dir = SDir(e);
    const BoundingBox& box = sc.entities[static_cast<size_t>(t)].box;
    for (size_t o = 0; o < ents.size(); ++o) {
      if (static_cast<int>(o) == t) continue;
      if (!c.refs.empty() && std::find(c.refs.begin(), c.refs.end(), sc.entities[o].name) == c.refs.end()) continue;
      const Ent& other = ents[o];
      if (!other.lane || other.lane->road != e.lane->road) continue;
      double ds = (other.lane->s - e.lane->s) * dir;
      if (c.freespace) {
        const BoundingBox& ob = sc.entities[o].box;
        const double front = box.center_x + box.length / 2, rear = box.length / 2 - box.center_x;
        if (ds >= 0) ds = std::max(0.0, ds - front - (ob.length / 2 - ob.center_x));
        else ds = std::min(0.0, ds + rear + (ob.center_x + ob.length / 2));
      }
      if (ds < -c.backward || ds > c.forward) continue;
      int d_lane = other.lane->lane - e.lane->lane;
      if ((other.lane->lane > 0) != (e.lane->lane > 0)) d_lane -= d_lane > 0 ? 1 : -1;
      const bool opposite = roads.DrivesAlongS(other.lane->road, other.lane->lane) != roads.DrivesAlongS(e.lane->road, e.lane->lane);
      if (d_lane >= c.lane_from && d_lane <= c.lane_to && (c.opposite_lanes || !opposite)) return false;
    }
    const bool along = roads.DrivesAlongS(e.lane->road, e.lane->lane);
    for (int lane = e.lane->lane + c.lane_from; lane <= e.lane->lane + c.lane_to; ++lane) {
      const opendrive::Lane* l = lane == 0 ? nullptr : roads.LaneAt(e.lane->road, lane, e.lane->s);
      if (!l || !opendrive::IsDrivable(l->type)) continue;
      if (c.opposite_lanes || roads.DrivesAlongS(e.lane->road, lane) == along) return true;
    }
    return false;
  }
  /// Whether the boxes `fa` and `fb` of entities `a` and `b` touch or overlap (esmini's bounding-box
  /// overlap). Boxes whose circumscribed circles are clearly apart are rejected without the box test.
  bool Collide(int a, int b, const sim::internal::Footprint& fa, const sim::internal::Footprint& fb) const {
    if (couplings.Coupled(a, b)) return false;  // a vehicle and its trailer overlap at the hitch by design
    const double dx = fa.x_m - fb.x_m, dy = fa.y_m - fb.y_m;
    const double reach = fa.Radius() + fb.Radius();
    if (dx * dx + dy * dy > reach * reach * (1.0 + 1e-9) + 1e-9) return false;
    return sim::internal::SignedClearance(fa, fb) <= 0.0;
  }
  bool Collide(int a, int b) const {
    const auto at = static_cast<size_t>(a), bt = static_cast<size_t>(b);
    return Collide(a, b, FootprintOf(ents[at].s, sc.entities[at].box), FootprintOf(ents[bt].s, sc.entities[bt].box));
  }

  bool Check(int index) {
    const Condition& c = sc.conditions[static_cast<size_t>(index)];
    switch (c.kind) {
      case Condition::Kind::kSimulationTime: return CompareNumbers(time, c.value, c.rule);
      case Condition::Kind::kParameter:
      case Condition::Kind::kVariable: {
        const auto& table = c.kind == Condition::Kind::kParameter ? parameters : variables;
        const auto it = table.find(c.entity);
        if (it == table.end()) return false;
        return CompareValues(it->second, c.text_value, c.rule);
      }
      case Condition::Kind::kTrafficSignal: {
        const auto it = signal_states.find(c.entity);
        return it != signal_states.end() && it->second == c.text_value;
      }
      case Condition::Kind::kTrafficSignalController: {
        const int i = controller_of_condition[static_cast<size_t>(index)];
        if (i < 0 || controllers[static_cast<size_t>(i)].phase < 0) return false;
        const auto& tc = sc.signal_controllers[static_cast<size_t>(i)];
        return tc.phases[static_cast<size_t>(controllers[static_cast<size_t>(i)].phase)].name == c.text_value;
      }
      case Condition::Kind::kStoryboardElementState: {
        CondRt& rt = conds[static_cast<size_t>(index)];
        const int e = element_of_condition[static_cast<size_t>(index)];
        if (e < 0) return false;
        const auto& changes = els[static_cast<size_t>(e)].changes;
        auto matches = [&](const std::pair<State, Transition>& ch) {
          switch (c.state) {
            case ElementState::kStandby: return ch.first == State::kStandby;
            case ElementState::kRunning: return ch.first == State::kRunning;
            case ElementState::kComplete: return ch.first == State::kComplete;
            case ElementState::kStartTransition: return ch.second == Transition::kStart;
            case ElementState::kEndTransition: return ch.second == Transition::kEnd;
            case ElementState::kStopTransition: return ch.second == Transition::kStop;
            case ElementState::kSkipTransition: return ch.second == Transition::kSkip;
          }
          return false;
        };
        bool result = false;
        if (rt.seen < changes.size()) {
          for (size_t i = rt.seen; i < changes.size(); ++i) result = result || matches(changes[i]);
          rt.latest = changes.back();
          rt.has_latest = true;
          rt.seen = changes.size();
        } else if (rt.has_latest) {
          rt.latest.second = Transition::kNone;  // transitions count for one evaluation only
          result = matches(rt.latest);
        }
        return result;
      }
      default: break;
    }
    // by entity: any / all of the triggering entities
    bool result = false;
    for (const std::string& name : c.triggering) {
      const int t = EntityIndex(name);
      result = t >= 0 && CheckEntity(c, t);
      if (result && !c.all) return true;
      if (!result && c.all) return false;
    }
    return result;
  }
  bool CheckEntity(const Condition& c, int t) {
    const Ent& e = ents[static_cast<size_t>(t)];
    switch (c.kind) {
      case Condition::Kind::kTraveledDistance: return e.odometer >= c.value;
      case Condition::Kind::kSpeed: {
        const double v = c.direction == "lateral" ? e.lateral_speed : c.direction == "vertical" ? 0.0 : e.s.speed;
        return CompareNumbers(v, c.value, c.rule);
      }
      case Condition::Kind::kAcceleration:
        return CompareNumbers(c.direction == "lateral" || c.direction == "vertical" ? 0.0 : e.acceleration, c.value, c.rule);
      case Condition::Kind::kRelativeSpeed: {
        const int o = EntityIndex(c.entity);
        return CompareNumbers(e.s.speed - ents[static_cast<size_t>(o)].s.speed, c.value, c.rule);
      }
      // esmini's TrigByStandStill/EndOfRoad/OffRoad: the time in the state must exceed the duration
      // (strictly: with duration 0 the state must already have held at an earlier step)
      case Condition::Kind::kStandStill: return Held(e.standstill_since) > c.value;
      case Condition::Kind::kEndOfRoad:  // esmini's TrigByEndOfRoad: duration > value - SMALL_NUMBER
        return e.end_of_road_since && *e.end_of_road_since > kSmall && Held(e.end_of_road_since) > c.value - 1e-10;
      case Condition::Kind::kOffroad: return Held(e.offroad_since) > c.value;
      case Condition::Kind::kRelativeClearance: return Clear(t, c);
      case Condition::Kind::kCollision: {
        if (!c.entity.empty()) {
          const int o = EntityIndex(c.entity);
          return o != t && Collide(t, o);
        }
        for (size_t o = 0; o < ents.size(); ++o)
          if (static_cast<int>(o) != t && sc.entities[o].category == c.collision_type && Collide(t, static_cast<int>(o)))
            return true;
        return false;
      }
      case Condition::Kind::kReachPosition: {
        const Placed p = Resolve(*c.position);
        return std::hypot(e.s.x - p.pose.x, e.s.y - p.pose.y) < c.value;
      }
      case Condition::Kind::kDistance: {
        const Placed p = Resolve(*c.position);
        return CompareNumbers(std::fabs(Distance(t, p.pose, nullptr, p.lane, c)), c.value, c.rule);
      }
      case Condition::Kind::kRelativeDistance: {
        const int o = EntityIndex(c.entity);
        return CompareNumbers(std::fabs(EntityDistance(t, o, c)), c.value, c.rule);
      }
      case Condition::Kind::kTimeHeadway: {
        const int o = EntityIndex(c.entity);
        const double d = EntityDistance(t, o, c);
        if (d < 0 || e.s.speed < kSmall) return false;
        return CompareNumbers(std::fabs(d / e.s.speed), c.value, c.rule);
      }
      case Condition::Kind::kTimeToCollision: {
        double dist = 0.0, rel = e.s.speed;
        if (!c.entity.empty()) {
          const int o = EntityIndex(c.entity);
          const Ent& eo = ents[static_cast<size_t>(o)];
          dist = EntityDistance(t, o, c);
          const double ovx = eo.s.speed * std::cos(eo.s.heading), ovy = eo.s.speed * std::sin(eo.s.heading);
          if (std::fabs(ovx) < kSmall && std::fabs(ovy) < kSmall) {
            rel = e.s.speed;
          } else {
            const double tvx = e.s.speed * std::cos(e.s.heading), tvy = e.s.speed * std::sin(e.s.heading);
            const double proj = (tvx * ovx + tvy * ovy) / std::hypot(ovx, ovy);
            rel = (e.s.speed < 0 ? -1.0 : 1.0) * (proj < 0 ? -1.0 : 1.0) * (proj - std::fabs(eo.s.speed));
          }
        } else {
          const Placed p = Resolve(*c.position);
          dist = Distance(t, p.pose, nullptr, p.lane, c);
        }
        if (std::fabs(dist) < kSmall || std::fabs(rel) < kSmall) return false;
        const double ttc = dist / rel;
        return ttc >= 0.0 && CompareNumbers(ttc, c.value, c.rule);
      }
      default: return false;
    }
  }

  // ---- actions ------------------------------------------------------------------------------------
  const Action& Act(const Inst& in) const { return sc.actions[static_cast<size_t>(in.action)]; }
  void StartAction(int element) {
    for (int i : insts_of_element[static_cast<size_t>(element)]) StartInst(i);
    // started by a trigger in a step, an action done at once (a teleport) still ends only when the
    // actions are stepped, after every trigger of the step was evaluated (esmini's actions end in their
    // Step, e.g. TeleportAction::Step): a state condition sees the end in the next step
    if (stepping_triggers) return;
    if (std::none_of(insts_of_element[static_cast<size_t>(element)].begin(),
                     insts_of_element[static_cast<size_t>(element)].end(),
                     [&](int i) { return insts[static_cast<size_t>(i)].running; }))
      EndElement(element);
  }
  static unsigned Domains(const Action& a) {
    if (std::holds_alternative<SpeedAction>(a.body) || std::holds_alternative<SynchronizeAction>(a.body) ||
        std::holds_alternative<LongitudinalDistanceAction>(a.body) || std::holds_alternative<SpeedProfileAction>(a.body))
      return kLongitudinal;
    if (std::holds_alternative<LaneChangeAction>(a.body) || std::holds_alternative<LaneOffsetAction>(a.body) ||
        std::holds_alternative<LateralDistanceAction>(a.body))
      return kLateral;
    // a trajectory without timing leaves the speed to speed actions (esmini: lateral domain only)
    if (const auto* f = std::get_if<FollowTrajectoryAction>(&a.body)) return f->timing ? kLongitudinal | kLateral : kLateral;
    return 0;
  }
  /// Ends the running actions on the same entity and domain as instance `i` (esmini).
  void EndConflicting(int i) {
    const Inst& in = insts[static_cast<size_t>(i)];
    const unsigned d = Domains(Act(in));
    if (d == 0 || in.entity < 0) return;
    for (size_t j = 0; j < insts.size(); ++j) {
      Inst& other = insts[j];
      if (static_cast<int>(j) == i || !other.running || other.entity != in.entity) continue;
      if ((Domains(Act(other)) & d) == 0) continue;
      other.running = false;
      if (other.element >= 0) {
        const auto& all = insts_of_element[static_cast<size_t>(other.element)];
        if (std::none_of(all.begin(), all.end(), [&](int k) { return insts[static_cast<size_t>(k)].running; }))
          EndElement(other.element);
      }
    }
  }
  double SpeedTarget(const Inst& in, const SpeedAction& s) const {
    double v = s.value;
    if (s.relative) {
      const double ref = ents[static_cast<size_t>(EntityIndex(s.entity))].s.speed;
      v = s.factor ? ref * s.value : ref + s.value;
    }
    const double max = sc.entities[static_cast<size_t>(in.entity)].max_speed;
    return std::clamp(v, -max, max);
  }
  double LateralT(const Ent& e) const {
    return roads.LaneCentreT(e.lane->road, e.lane->lane, e.lane->s) + e.lane->offset;
  }
  /// esmini's Position::IsOffRoad: |t| beyond the road's width on its side of the reference line, the
  /// outer border of the outermost lane there whose type is not `none`, measured from the centre lane
  /// (Road::GetWidth with every type but none; 0 when that side has no such lane). A lane of type none
  /// is off road; an entity that no road holds is off road.
  bool OffRoad(const Ent& e) const {
    if (!e.lane) return true;
    const opendrive::RoadIndex road = e.lane->road;
    const double s = e.lane->s;
    const auto& lanes = roads.roads()[static_cast<size_t>(road)].sections[static_cast<size_t>(roads.SectionAt(road, s))].lanes;
    const double t = LateralT(e);
    int outermost = 0;  // lanes run from the leftmost (largest id) to the rightmost
    if (t < 0) {
      for (auto it = lanes.rbegin(); it != lanes.rend() && it->id < 0 && outermost == 0; ++it)
        if (it->type != opendrive::LaneType::kNone) outermost = it->id;
    } else {
      for (auto it = lanes.begin(); it != lanes.end() && it->id > 0 && outermost == 0; ++it)
        if (it->type != opendrive::LaneType::kNone) outermost = it->id;
    }
    const double width =
        outermost == 0 ? 0.0 : std::fabs(roads.LaneBordersT(road, outermost, s).second - roads.LaneOffset(road, s));
    return std::fabs(t) > width;
  }
  /// Starts a SpeedAction: the target, and the transition's duration.
  void StartSpeed(Inst& in, const SpeedAction& s) {
    Ent& e = ents[static_cast<size_t>(in.entity)];
    in.start_value = e.s.speed;
    const double target = SpeedTarget(in, s);
    in.target_value = target;
    const double delta = target - in.start_value;
    const double v0 = in.start_value, v1 = target, dist = s.dynamics.value;
    switch (s.dynamics.dimension) {
      case Dimension::kTime: in.duration = s.dynamics.value; break;
      case Dimension::kRate: in.duration = s.dynamics.shape == Shape::kStep ? 0.0 : RateDuration(s, delta); break;
      case Dimension::kDistance:
        // the time a linear change covers the distance in (esmini's LongSpeedAction::Start); when the
        // speed changes sign, the two parts on either side of the stop, split as v0^2 : v1^2
        if (std::fabs(delta) < kSmall) {
          in.duration = 0.0;
        } else if (std::fabs(v0) > kSmall && std::fabs(v1) > kSmall && (v0 < 0) != (v1 < 0)) {
          const double d0 = dist * v0 * v0 / (v0 * v0 + v1 * v1);
          in.duration = 2.0 * d0 / std::fabs(v0) + 2.0 * (dist - d0) / std::fabs(v1);
        } else {
          in.duration = 2.0 * dist / std::fabs(v0 + v1);
        }
        break;
    }
    // the entity's Performance limits the peak acceleration (esmini's SetMaxRate): the transition is
    // stretched by the factor the peak exceeds it; a step's peak is esmini's LARGE_NUMBER
    const Entity& ent = sc.entities[static_cast<size_t>(in.entity)];
    const double limit = target > in.start_value ? ent.max_acceleration : ent.max_deceleration;
    double peak = s.dynamics.dimension == Dimension::kRate
                      ? s.dynamics.value
                      : (in.duration > 0 ? ShapePeak(s.dynamics.shape) * std::fabs(delta) / in.duration : 0.0);
    if (s.dynamics.shape == Shape::kStep) peak = kLarge;
    in.scale = peak > limit ? peak / limit : 1.0;
    in.duration *= in.scale;
    if (s.dynamics.shape == Shape::kStep) {
      // the speed jumps now; esmini's action runs on for its (stretched) duration, ending at once only
      // when that is 0: with a finite Performance limit a step with a time or distance runs until
      // another action ends it
      e.s.speed = target;
      in.reached = in.duration < kSmall;
      in.running = !in.reached || (s.relative && s.continuous);
    }
  }
  /// A rate-dimension speed transition's duration: the peak acceleration is the rate.
  static double RateDuration(const SpeedAction& s, double delta) {
    return s.dynamics.value > 0 ? ShapePeak(s.dynamics.shape) * std::fabs(delta) / s.dynamics.value : 0.0;
  }
  /// Starts a LaneChangeAction: the target lane and the lateral transition.
  void StartLaneChange(Inst& in, const Action& a, const LaneChangeAction& l) {
    Ent& e = ents[static_cast<size_t>(in.entity)];
    if (!e.lane) Fail(a.pos, "LaneChangeAction: entity '" + sc.entities[static_cast<size_t>(in.entity)].name + "' is not on a road");
    int lane = l.value;
    if (l.relative) {
      // relative to the reference entity's lane, counted towards its left in its travel direction (esmini)
      const Ent& r = ents[static_cast<size_t>(EntityIndex(l.entity))];
      if (!r.lane) Fail(a.pos, "LaneChangeAction: entity '" + l.entity + "' is not on a road");
      const double dir = SDir(r);
      lane = ShiftLane(r.lane->lane, dir > 0 ? l.value : -l.value);
    }
    if (!roads.LaneAt(e.lane->road, lane, e.lane->s))
      Fail(a.pos, "LaneChangeAction: road '" + roads.roads()[static_cast<size_t>(e.lane->road)].id + "' has no lane " +
                      std::to_string(lane) + " at s = " + core::FormatDouble(e.lane->s));
    // esmini: the entity belongs to the target lane from the start; its offset from that lane's
    // centre goes from where it is to targetLaneOffset
    const double sdir = SDir(e);
    const double t = LateralT(e);
    e.lane->lane = lane;
    e.lane->offset = t - roads.LaneCentreT(e.lane->road, lane, e.lane->s);
    SetHeadingFromS(e, sdir > 0 ? 0.0 : kPi);
    SyncFromLane(e);
    in.target_lane = lane;
    in.start_value = e.lane->offset;
    in.target_value = l.target_offset;
    in.over_distance = l.dynamics.dimension == Dimension::kDistance;
    in.duration = l.dynamics.value;
    if (l.dynamics.dimension == Dimension::kRate)  // the peak lateral speed: a duration (esmini)
      in.duration = l.dynamics.value > 0
                        ? ShapePeak(l.dynamics.shape) * std::fabs(in.target_value - in.start_value) / l.dynamics.value
                        : 0.0;
    if (l.dynamics.shape == Shape::kStep || in.duration <= 0) {
      e.lane->offset = in.target_value;
      SyncFromLane(e);
      in.running = false;
    }
  }
  /// Starts a LaneOffsetAction: the target offset and the duration.
  void StartLaneOffset(Inst& in, const Action& a, const LaneOffsetAction& o) {
    Ent& e = ents[static_cast<size_t>(in.entity)];
    if (!e.lane) Fail(a.pos, "LaneOffsetAction: entity '" + sc.entities[static_cast<size_t>(in.entity)].name + "' is not on a road");
    in.start_value = e.lane->offset;
    double target = o.value;
    if (o.relative) {
      // esmini: the reference's lateral place plus the value towards its left, as an offset from
      // this entity's lane centre
      const Ent& r = ents[static_cast<size_t>(EntityIndex(o.entity))];
      if (!r.lane || r.lane->road != e.lane->road)
        Fail(a.pos, "LaneOffsetAction: entity '" + o.entity + "' is not on the same road");
      target = LateralT(r) + o.value * SDir(r) - roads.LaneCentreT(e.lane->road, e.lane->lane, e.lane->s);
    }
    in.target_value = target;
    const double delta = std::fabs(target - in.start_value);
    if (o.shape == Shape::kStep || o.max_lateral_acc <= 0 || delta < kSmall) {
      e.lane->offset = target;
      SyncFromLane(e);
      in.running = o.continuous;
      return;
    }
    // the duration whose peak lateral acceleration is maxLateralAcc
    const double a_max = o.max_lateral_acc;
    switch (o.shape) {
      case Shape::kCubic: in.duration = std::sqrt(6.0 * delta / a_max); break;
      case Shape::kSinusoidal: in.duration = kPi * std::sqrt(delta / (2.0 * a_max)); break;
      default: in.duration = 2.0 * std::sqrt(delta / a_max); break;
    }
  }
  void StartInst(int i) {
    Inst& in = insts[static_cast<size_t>(i)];
    const Action& a = Act(in);
    if (in.entity >= 0 && in.entity == external && in.element >= 0) {
      NotApplied(a);
      in.running = false;
      return;
    }
    EndConflicting(i);
    in.running = true;
    in.elapsed = 0.0;
    in.travelled = 0.0;
    in.reached = false;
    if (const auto* s = std::get_if<SpeedAction>(&a.body)) return StartSpeed(in, *s);
    if (const auto* l = std::get_if<LaneChangeAction>(&a.body)) return StartLaneChange(in, a, *l);
    if (const auto* o = std::get_if<LaneOffsetAction>(&a.body)) return StartLaneOffset(in, a, *o);
    if (const auto* t = std::get_if<TeleportAction>(&a.body)) {
      if (couplings.tow(in.entity) >= 0) {  // esmini: a towed trailer is where its tow puts it
        in.running = false;
        return;
      }
      Place(in.entity, Resolve(t->position));
      AlignTrailers(in.entity);
      if (t->position.kind == Position::Kind::kRoute) {
        // esmini: an entity teleported onto a route follows it
        opendrive::LanePos start;
        Ent& e = ents[static_cast<size_t>(in.entity)];
        e.preference.route.clear();
        for (const auto& [road, dir] : RouteRoads(t->position, &start)) e.preference.route.push_back(road);
      }
      // the teleport is this step's motion (esmini: dirty bits keep the default controller off)
      ents[static_cast<size_t>(in.entity)].moved = true;
      in.running = false;
      return;
    }
    if (const auto* f = std::get_if<FollowTrajectoryAction>(&a.body)) {
      StartTrajectory(in, *f);
      return;
    }
    if (const auto* r = std::get_if<AssignRouteAction>(&a.body)) {
      Ent& e = ents[static_cast<size_t>(in.entity)];
      e.preference.route.clear();
      for (const Position& w : r->waypoints) {
        const Placed p = Resolve(w);
        if (p.lane && (e.preference.route.empty() || e.preference.route.back() != p.lane->road))
          e.preference.route.push_back(p.lane->road);
      }
      in.running = false;
      return;
    }
    if (const auto* q = std::get_if<AcquirePositionAction>(&a.body)) {
      Ent& e = ents[static_cast<size_t>(in.entity)];
      const Placed p = Resolve(q->position);
      e.preference.route.clear();
      if (e.lane && p.lane) {
        if (const auto route = roads.Route(*e.lane, *p.lane))
          for (const opendrive::RouteStep& st : *route)
            if (e.preference.route.empty() || e.preference.route.back() != st.road) e.preference.route.push_back(st.road);
      }
      in.running = false;
      return;
    }
    if (const auto* v = std::get_if<SetValueAction>(&a.body)) {
      auto& table = v->variable ? variables : parameters;
      std::string& cur = table[v->name];
      if (v->op == SetValueAction::Op::kSet) {
        cur = v->value;
      } else {
        const auto a0 = ParseValue(cur), b0 = ParseValue(v->value);
        if (!a0 || !b0) Fail(a.pos, "cannot do arithmetic on '" + cur + "' and '" + v->value + "'");
        cur = FormatNumber(v->op == SetValueAction::Op::kAdd ? *a0 + *b0 : *a0 * *b0);
      }
      in.running = false;
      return;
    }
    if (const auto* ts = std::get_if<TrafficSignalAction>(&a.body)) {
      if (ts->controller >= 0) SetPhase(ts->controller, ts->phase);
      else signal_states[ts->signal] = ts->state;
      in.running = false;
      return;
    }
    if (const auto* y = std::get_if<SynchronizeAction>(&a.body)) return StartSynchronize(in, *y);
    if (const auto* d = std::get_if<LongitudinalDistanceAction>(&a.body)) return StartLongitudinalDistance(in, *d);
    if (const auto* sp = std::get_if<SpeedProfileAction>(&a.body)) return StartSpeedProfile(in, *sp);
    if (const auto* ld = std::get_if<LateralDistanceAction>(&a.body)) return StartLateralDistance(in, a, *ld);
    if (const auto* c = std::get_if<ControllerAction>(&a.body)) return StartController(in, *c);
    if (const auto* tr = std::get_if<TrailerAction>(&a.body)) {
      if (tr->trailer.empty()) couplings.Disconnect(in.entity);
      else if (!couplings.Connect(in.entity, EntityIndex(tr->trailer)))
        Fail(a.pos, "ConnectTrailerAction: '" + tr->trailer + "' tows '" + sc.entities[static_cast<size_t>(in.entity)].name + "'");
    }
    in.running = false;  // IgnoredAction, TrailerAction
  }
  /// +1 when the entity moves towards +s of its road, -1 towards -s.
  double SDir(const Ent& e) const {
    const bool along = roads.DrivesAlongS(e.lane->road, e.lane->lane);
    const bool reversed = std::fabs(e.heading_offset) > kPi / 2;
    return along != reversed ? 1.0 : -1.0;
  }
  /// Sets the heading from an angle relative to the road's +s direction.
  void SetHeadingFromS(Ent& e, double relative_to_s) const {
    e.heading_offset = WrapAngle(relative_to_s - (roads.DrivesAlongS(e.lane->road, e.lane->lane) ? 0.0 : kPi));
  }
  /// One step of a lane change (esmini's LatLaneChangeAction): the offset follows the shape over time
  /// or distance, the heading follows the lateral motion, and the step's travel speed * dt is split
  /// into its lateral and longitudinal parts, the entity moving along the lane by the latter.
  void StepLaneChange(Inst& in, const LaneChangeAction& l, double dt) {
    Ent& e = ents[static_cast<size_t>(in.entity)];
    e.moved = true;
    if (!e.lane || std::fabs(e.s.speed) < kSmall) return;
    const double delta = in.target_value - in.start_value;
    const double step_len = std::fabs(e.s.speed) * dt;
    double along = step_len;
    double lateral_per_metre = 0.0;
    Shape shape = l.dynamics.shape;
    if (!in.over_distance) {
      const double rate = delta * ShapeSlope(l.dynamics.shape, in.elapsed / in.duration) / in.duration;  // m/s
      const double dlat = dt * std::fabs(rate);
      if (dlat < step_len + kSmall) {
        along = std::sqrt(step_len * step_len - std::min(dlat, step_len) * std::min(dlat, step_len));
        in.elapsed += dt;
        lateral_per_metre = along > kSmall ? (rate < 0 ? -dlat : dlat) / along : 0.0;
      } else {
        // esmini: a lateral motion faster than the travel takes the whole step sideways, linearly
        along = 0.0;
        in.elapsed += step_len * in.duration / std::fabs(delta);
        shape = Shape::kLinear;
        lateral_per_metre = (rate < 0 ? -1.0 : 1.0) / kSmall;
      }
    } else {
      const double rate = delta * ShapeSlope(l.dynamics.shape, in.travelled / in.duration) / in.duration;  // m/m
      along = step_len / std::sqrt(1.0 + rate * rate);
      in.travelled += along;
      lateral_per_metre = rate;
    }
    const double progress = in.over_distance ? in.travelled / in.duration : in.elapsed / in.duration;
    const double offset = in.start_value + delta * ShapeValue(shape, progress);
    const double sdir = SDir(e);
    const double sign = std::fabs(e.heading_offset) > kPi / 2 ? -1.0 : 1.0;
    const opendrive::MoveResult r = roads.MoveAlong(*e.lane, sign * (e.s.speed < 0 ? -along : along), e.preference);
    e.lane = r.position;
    e.lane->offset = offset;
    NoteEndOfRoad(e, r.end_of_network);
    if (progress >= 1.0 - kSmall || std::fabs(offset - in.target_value) < kSmall) {
      e.lane->offset = in.target_value;
      SetHeadingFromS(e, sdir > 0 ? 0.0 : kPi);
      e.lateral_speed = 0.0;
      in.running = false;
    } else {
      // the lateral change is along +t; seen along the travel direction it is sdir * dt
      SetHeadingFromS(e, std::atan2(lateral_per_metre, sdir));
      e.lateral_speed = along > 0.0 || in.over_distance ? lateral_per_metre * std::fabs(e.s.speed)
                                                          : (lateral_per_metre < 0 ? -1.0 : 1.0) * std::fabs(e.s.speed);
    }
    SyncFromLane(e);
  }
  /// Whether the last move ended at the end of the network; UpdateStates stamps the time (esmini
  /// notes it after the step's time advance).
  /// At the end of the road network the entity stops when `stop` (esmini's lane change sets the speed
  /// to 0 on ERROR_END_OF_ROAD; its default controller only when the move fails, see MoveBy).
  static void NoteEndOfRoad(Ent& e, bool end, bool stop = true) {
    e.end_of_road = end;
    if (end && stop) e.s.speed = 0.0;
  }

  void StartTrajectory(Inst& in, const FollowTrajectoryAction& f) {
    BuildPath(in, f);
    if (f.timing && in.times.size() != in.path.size())
      Fail(Act(in).pos, "FollowTrajectoryAction: Timing needs a time on every vertex");
    for (double& t : in.times) t = t * f.timing_scale + f.timing_offset + (f.timing_absolute ? 0.0 : time);
    in.along = f.initial_distance_offset;
    in.first_step = true;
  }
  /// The trajectory's path (points with their arc length) into in.path, and the vertex times as written
  /// into in.times (a ClothoidSpline without a first PositionStart starts at in.entity).
  void BuildPath(Inst& in, const FollowTrajectoryAction& f) const {
    in.path.clear();
    in.times.clear();
    if (f.clothoid) {
      const Placed start = Resolve(f.vertices.front().position);
      const auto& cl = *f.clothoid;
      std::vector<internal::ShapePoint> pts;
      (void)internal::SampleClothoid({start.pose.x, start.pose.y, start.pose.heading}, cl.curvature, cl.curvature_prime,
                                     cl.length, &pts);
      in.path.push_back({{start.pose.x, start.pose.y}, 0.0});
      for (const internal::ShapePoint& q : pts) in.path.push_back({{q.x, q.y}, q.s});
      const size_t n = pts.size();
      if (f.timing && f.vertices.front().time && cl.stop_time) {
        for (size_t k = 0; k <= n; ++k)
          in.times.push_back(*f.vertices.front().time +
                             (*cl.stop_time - *f.vertices.front().time) * static_cast<double>(k) / static_cast<double>(n));
      }
    } else if (!f.spline.empty()) {
      SplinePath(in, f);
    } else if (!f.nurbs.empty()) {
      NurbsPath(in, f);
    } else {
      double along = 0.0;
      for (size_t k = 0; k < f.vertices.size(); ++k) {
        const Placed p = Resolve(f.vertices[k].position);
        if (!in.path.empty())
          along += std::hypot(p.pose.x - in.path.back().first.x, p.pose.y - in.path.back().first.y);
        in.path.push_back({{p.pose.x, p.pose.y}, along});
      }
      if (f.timing) {
        for (const Vertex& v : f.vertices) {
          if (!v.time) {
            in.times.clear();
            break;
          }
          in.times.push_back(*v.time);
        }
      }
    }
  }
  /// A Nurbs shape's path: the control points placed now, the curve sampled at evenly spaced parameters,
  /// as many pieces as the control polygon is long in internal::kSampleStep (at least 2 per control
  /// point), each point with its time (internal::SampleNurbs; the basis peaks on esmini's grid of one
  /// parameter step per metre of the control polygon, plus one).
  void NurbsPath(Inst& in, const FollowTrajectoryAction& f) const {
    std::vector<internal::NurbsControl> control;
    double polygon = 0.0;
    for (const auto& c : f.nurbs) {
      const Placed p = Resolve(c.position);
      if (!control.empty()) polygon += std::hypot(p.pose.x - control.back().x, p.pose.y - control.back().y);
      control.push_back({p.pose.x, p.pose.y, c.time.value_or(0.0), c.weight});
    }
    const int count = static_cast<int>(
        std::min(std::max(std::ceil(polygon / internal::kSampleStep), 2.0 * static_cast<double>(control.size())), 1e6));
    double along = 0.0;
    const int grid = static_cast<int>(std::min(1.0 + polygon, 1e6));  // esmini's int(1 + length / 1 m)
    for (const internal::NurbsValue& v : internal::SampleNurbs(control, f.knots, f.nurbs_order, count, grid)) {
      if (!in.path.empty()) along += std::hypot(v.x - in.path.back().first.x, v.y - in.path.back().first.y);
      in.path.push_back({{v.x, v.y}, along});
      if (f.timing && f.nurbs.front().time) in.times.push_back(v.time);
    }
  }
  /// A ClothoidSpline's path: each segment from its PositionStart (else from where the previous one ends,
  /// the first from the entity), its heading turned by hOffset, sampled by internal::SampleClothoid; a
  /// jump to a PositionStart is a straight piece. With times, a segment runs from its timeStart to the
  /// next one's (the last to timeEnd), linearly in its arc length.
  void SplinePath(Inst& in, const FollowTrajectoryAction& f) const {
    internal::PlanePose at{0.0, 0.0, 0.0};
    if (in.entity >= 0) {
      const Ent& e = ents[static_cast<size_t>(in.entity)];
      at = {e.s.x, e.s.y, e.s.heading};
    }
    double along = 0.0;
    const bool timed = f.timing && f.spline_time_end;
    for (size_t i = 0; i < f.spline.size(); ++i) {
      const auto& seg = f.spline[i];
      if (seg.start) {
        const Placed p = Resolve(*seg.start);
        at = {p.pose.x, p.pose.y, p.pose.heading};
      }
      at.heading += seg.h_offset;
      const double t0 = timed ? *seg.time_start : 0.0;
      const double t1 = timed ? (i + 1 < f.spline.size() ? *f.spline[i + 1].time_start : *f.spline_time_end) : 0.0;
      if (in.path.empty() || std::hypot(at.x - in.path.back().first.x, at.y - in.path.back().first.y) > 0.0 ||
          (timed && t0 != in.times.back())) {
        if (!in.path.empty()) along += std::hypot(at.x - in.path.back().first.x, at.y - in.path.back().first.y);
        in.path.push_back({{at.x, at.y}, along});
        if (timed) in.times.push_back(t0);
      }
      std::vector<internal::ShapePoint> pts;
      at = internal::SampleClothoid(at, seg.curvature_start, (seg.curvature_end - seg.curvature_start) / seg.length,
                                    seg.length, &pts);
      for (const internal::ShapePoint& q : pts) {
        in.path.push_back({{q.x, q.y}, along + q.s});
        if (timed) in.times.push_back(t0 + (t1 - t0) * q.s / seg.length);
      }
      along += seg.length;
    }
  }
  /// The point and heading at arc length `s` of the path.
  static std::pair<Vec, double> PathAt(const Inst& in, double s) {
    const auto& p = in.path;
    size_t k = 1;
    while (k + 1 < p.size() && p[k].second < s) ++k;
    const Vec a = p[k - 1].first, b = p[k].first;
    const double len = p[k].second - p[k - 1].second;
    const double f = len > 0 ? std::clamp((s - p[k - 1].second) / len, 0.0, 1.0) : 1.0;
    return {{a.x + f * (b.x - a.x), a.y + f * (b.y - a.y)}, std::atan2(b.y - a.y, b.x - a.x)};
  }
  void StepTrajectory(Inst& in, double dt) {
    Ent& e = ents[static_cast<size_t>(in.entity)];
    if (in.first_step) {
      // esmini's FollowTrajectoryAction: an entity at a negative speed when it starts following reverses
      // along the trajectory, from its start to its end, facing against it. esmini reads the speed when
      // the action starts, after the Init SpeedActions before it have set theirs; here that is the first
      // step, which the speed actions of the same step precede
      in.reverse = e.s.speed < 0.0;
      in.first_step = false;
    }
    const double end = in.path.back().second;
    const double before = in.along;
    bool done = false;
    double beyond = 0.0;  // the distance left over past the end in this step
    if (!in.times.empty()) {
      const double t = time + dt;  // the position at the end of this step
      if (t > in.times.back() + kSmall) {
        // esmini's FollowTrajectoryAction::Step: past the last vertex time the speed is kept and the
        // rest of the step goes on along the last heading
        in.along = end;
        beyond = (t - in.times.back()) * e.s.speed;
        done = true;
      } else if (t >= in.times.back() - kSmall) {
        in.along = end;
        done = true;
      } else {
        size_t k = 1;
        while (k + 1 < in.times.size() && in.times[k] < t) ++k;
        const double span = in.times[k] - in.times[k - 1];
        const double f = span > 0 ? std::clamp((t - in.times[k - 1]) / span, 0.0, 1.0) : 1.0;
        in.along = in.path[k - 1].second + f * (in.path[k].second - in.path[k - 1].second);
      }
      if (beyond == 0.0) e.s.speed = dt > 0 ? (in.along - before) / dt : e.s.speed;
    } else {
      in.along += (in.reverse ? -1.0 : 1.0) * e.s.speed * dt;
      if (in.along >= end - kSmall) {
        beyond = std::max(0.0, in.along - end);  // esmini: the rest of the step along the last heading
        in.along = end;
        done = true;
      }
    }
    const auto [pt, h] = PathAt(in, in.along);
    e.s.x = pt.x + beyond * std::cos(h);
    e.s.y = pt.y + beyond * std::sin(h);
    e.s.heading = WrapAngle(in.reverse ? h + kPi : h);
    e.moved = true;
    const Placed p = Locate(e.s);
    e.lane = p.lane;
    e.heading_offset = e.lane ? WrapAngle(e.s.heading - roads.LaneHeading(e.lane->road, e.lane->lane, e.lane->s)) : 0.0;
    if (done) in.running = false;
  }

  /// One step of a running instance; clears `running` when it completes.
  void StepInst(Inst& in, double dt) {
    const Action& a = Act(in);
    if (const auto* s = std::get_if<SpeedAction>(&a.body)) {
      // esmini's LongSpeedAction::Step: a relative target follows the reference during the transition
      // too (a rate transition's duration with it); after the transition (continuous) the speed goes
      // to the target as fast as the Performance allows
      Ent& e = ents[static_cast<size_t>(in.entity)];
      const double target = s->relative ? SpeedTarget(in, *s) : in.target_value;
      if (s->relative && !in.reached && s->dynamics.dimension == Dimension::kRate)
        in.duration = in.scale * RateDuration(*s, target - in.start_value);
      if (in.reached) {
        const Entity& ent = sc.entities[static_cast<size_t>(in.entity)];
        const double need = dt > kSmall ? (target - e.s.speed) / dt : 0.0;
        const double acc = std::clamp(need, -ent.max_deceleration, ent.max_acceleration);
        e.s.speed = std::clamp(acc == need ? target : e.s.speed + acc * dt, -ent.max_speed, ent.max_speed);
      } else {
        in.elapsed += dt;
        double f = in.duration > 0 ? in.elapsed / in.duration : 1.0;
        double v = in.start_value + (target - in.start_value) * ShapeValue(s->dynamics.shape, f);
        // a step needing more than the Performance allows (a relative target that moved) is limited,
        // and the transition's time is taken back by the share not done (esmini)
        const Entity& ent = sc.entities[static_cast<size_t>(in.entity)];
        const double need = dt > kSmall ? (v - e.s.speed) / dt : 0.0;
        if (need > ent.max_acceleration + kSmall || need < -(ent.max_deceleration + kSmall)) {
          const double limited = std::clamp(
              e.s.speed + std::clamp(need, -ent.max_deceleration, ent.max_acceleration) * dt, -ent.max_speed, ent.max_speed);
          in.elapsed -= dt - (limited - e.s.speed) / need;
          f = in.duration > 0 ? in.elapsed / in.duration : 1.0;
          v = limited;
        }
        if (f > 1.0 - kSmall && std::fabs(v - target) < kSmall) {
          in.reached = true;
          v = target;
        }
        e.s.speed = v;
      }
      if (in.reached && !(s->relative && s->continuous)) in.running = false;
      return;
    }
    if (const auto* l = std::get_if<LaneChangeAction>(&a.body)) {
      StepLaneChange(in, *l, dt);
      return;
    }
    if (const auto* o = std::get_if<LaneOffsetAction>(&a.body)) {
      // esmini's LatLaneOffsetAction: the offset at the transition's current time, then time advances
      Ent& e = ents[static_cast<size_t>(in.entity)];
      if (!e.lane) {
        in.running = false;
        return;
      }
      const Shape shape = o->shape == Shape::kStep ? Shape::kLinear : o->shape;
      const double f = in.duration > 0 ? in.elapsed / in.duration : 1.0;
      const double delta = in.target_value - in.start_value;
      if (f >= 1.0 - kSmall) {
        e.lane->offset = in.target_value;
        SetHeadingFromS(e, SDir(e) > 0 ? 0.0 : kPi);
        e.lateral_speed = 0.0;
        if (!o->continuous) in.running = false;
      } else {
        e.lane->offset = in.start_value + delta * ShapeValue(shape, f);
        const double rate = delta * ShapeSlope(shape, f) / in.duration;
        const double sdir = SDir(e);
        SetHeadingFromS(e, std::atan2(std::fabs(e.s.speed) > kSmall ? rate / std::fabs(e.s.speed) : 0.0, sdir));
        e.lateral_speed = rate;
      }
      SyncFromLane(e);
      in.elapsed += dt;
      return;
    }
    if (std::holds_alternative<FollowTrajectoryAction>(a.body)) {
      StepTrajectory(in, dt);
      return;
    }
    if (const auto* y = std::get_if<SynchronizeAction>(&a.body)) {
      StepSynchronize(in, *y, dt);
      return;
    }
    if (const auto* d = std::get_if<LongitudinalDistanceAction>(&a.body)) {
      StepLongitudinalDistance(in, *d);
      return;
    }
    if (const auto* sp = std::get_if<SpeedProfileAction>(&a.body)) {
      StepSpeedProfile(in, *sp, dt);
      return;
    }
    if (const auto* ld = std::get_if<LateralDistanceAction>(&a.body)) {
      StepLateralDistance(in, a, *ld, dt);
      return;
    }
    in.running = false;
  }

  void StartSpeedProfile(Inst& in, const SpeedProfileAction& sp) {
    const Ent& e = ents[static_cast<size_t>(in.entity)];
    const Entity& ent = sc.entities[static_cast<size_t>(in.entity)];
    const DynamicConstraints& c = sp.constraints;
    const ProfileLimits limits{Constraint(c.max_acceleration, 5.0, ent.max_acceleration),
                               Constraint(c.max_deceleration, 10.0, ent.max_deceleration),
                               Constraint(c.max_speed, 250.0 / 3.6, ent.max_speed),
                               Constraint(c.max_acceleration_rate, kLarge, kLarge),
                               Constraint(c.max_deceleration_rate, kLarge, kLarge)};
    const double offset = sp.entity.empty() ? 0.0 : ents[static_cast<size_t>(EntityIndex(sp.entity))].s.speed;
    in.segments = SpeedProfileSegments(sp, limits, time, e.s.speed, e.acceleration, offset);
    in.segment = 0;
    in.start_value = e.s.speed;  // the profile's current speed
  }
  /// esmini's LongSpeedProfileAction::Step: the speed of the segment the end of this step falls in; the
  /// action ends on the last entry's speed (segments are followed at most 10 s past the last one).
  void StepSpeedProfile(Inst& in, const SpeedProfileAction& sp, double dt) {
    const double t = time + dt;
    const SpeedSegment& last = in.segments.back();
    double& v = in.start_value;
    if (t < last.t + 10.0 && !(t > last.t && std::fabs(v - last.v) < kSmall)) {
      while (in.segment + 1 < in.segments.size() && t > in.segments[in.segment + 1].t - kSmall) ++in.segment;
      const SpeedSegment& g = in.segments[in.segment];
      const double u = t - g.t;
      v = g.v + g.k * u + 0.5 * g.j * u * u;
      if (std::fabs(v) < kSmall) v = 0.0;
    }
    if (in.segment + 1 >= sp.entries.size() && std::fabs(v - last.v) < kSmall) {
      v = last.v;
      in.running = false;
    }
    ents[static_cast<size_t>(in.entity)].s.speed = v;
  }

  /// The longitudinal distance from entity `a` to entity `b` as a LongitudinalDistanceAction measures
  /// it (positive when `b` is ahead): freespace is the gap between the boxes along `a`'s heading.
  double LongitudinalGap(int a, int b, bool freespace, CoordinateSystem cs) const {
    Condition c;
    c.freespace = freespace;
    c.coordinate_system = freespace ? CoordinateSystem::kEntity : cs;
    c.distance_type = DistanceType::kLongitudinal;
    return EntityDistance(a, b, c);
  }
  /// A DynamicConstraints value as esmini uses it: absent is unbounded (kLarge); below kSmall, the
  /// smaller of esmini's default and the Performance; above the Performance, the Performance.
  static double Constraint(const std::optional<double>& given, double fallback, double performance) {
    if (!given) return kLarge;
    if (*given < kSmall) return std::min(fallback, performance);
    return std::min(*given, performance);
  }
  void StartLongitudinalDistance(Inst& in, const LongitudinalDistanceAction& d) {
    using D = LongitudinalDistanceAction::Displacement;
    in.last_time = time;
    in.acceleration = 0.0;
    in.displacement = d.displacement;
    if (d.displacement == D::kAny) {
      // esmini: the side the entity is on now (the other one ahead: trailing)
      const int o = EntityIndex(d.entity);
      in.displacement = LongitudinalGap(in.entity, o, d.freespace, CoordinateSystem::kEntity) < 0.0 ? D::kLeading : D::kTrailing;
    }
  }
  /// esmini's LongDistanceAction::Step. Without DynamicConstraints (or with neither an acceleration
  /// nor a deceleration limit) the entity is moved along its lane to the requested distance and takes
  /// the other's speed; otherwise a critically damped spring (stiffness 0.4 times the limit, towards
  /// the side it pulls) gives the acceleration, limited by the constraints and their rates, applied
  /// over the time since the last step. The entity then moves with its speed as usual.
  void StepLongitudinalDistance(Inst& in, const LongitudinalDistanceAction& d) {
    using D = LongitudinalDistanceAction::Displacement;
    Ent& e = ents[static_cast<size_t>(in.entity)];
    const int o = EntityIndex(d.entity);
    const Ent& other = ents[static_cast<size_t>(o)];
    const double dt = time - in.last_time;
    in.last_time = time;
    const double distance = LongitudinalGap(in.entity, o, d.freespace, d.coordinate_system);
    double requested = d.time_gap ? std::fabs(other.s.speed) * d.value : d.value;
    if (in.displacement == D::kTrailing) requested = std::fabs(requested);
    if (in.displacement == D::kLeading) requested = -std::fabs(requested);
    const double diff = distance - requested;
    if (!d.continuous && std::fabs(diff) < 0.1) in.running = false;  // esmini's LONGITUDINAL_DISTANCE_THRESHOLD
    const Entity& ent = sc.entities[static_cast<size_t>(in.entity)];
    const DynamicConstraints c = d.constraints.value_or(DynamicConstraints{});
    const double max_acc = Constraint(c.max_acceleration, 5.0, ent.max_acceleration);
    const double max_dec = Constraint(c.max_deceleration, 10.0, ent.max_deceleration);
    if (max_acc >= kLarge && max_dec >= kLarge) {
      MoveBy(e, diff);
      e.s.speed = other.s.speed;
      return;
    }
    const double max_speed = Constraint(c.max_speed, 250.0 / 3.6, ent.max_speed);
    const double acc_rate = Constraint(c.max_acceleration_rate, kLarge, kLarge);
    const double dec_rate = Constraint(c.max_deceleration_rate, kLarge, kLarge);
    const double k = 0.4 * (diff < 0.0 ? max_acc : max_dec);
    double acc = diff * k - (e.s.speed - other.s.speed) * 2.0 * std::sqrt(k);
    const double jerk = acc < 0.0 ? -dec_rate : acc_rate;
    acc = std::clamp(acc, -max_dec, max_acc);
    if (jerk < 0.0 && acc < in.acceleration) acc = std::max(in.acceleration + jerk * dt, acc);
    else if (jerk > 0.0 && acc > in.acceleration) acc = std::min(in.acceleration + jerk * dt, acc);
    in.acceleration = acc;
    e.s.speed = std::clamp(e.s.speed + acc * dt, -max_speed, max_speed);
  }
  /// A LateralDistanceAction's measure: the lateral place of entity `a` relative to entity `o` (m, left
  /// of `o`'s direction of travel positive; road coordinates: along the road of `a`, centre to centre),
  /// and in road coordinates the direction of `o` along s (+1 / -1; entity coordinates: 1).
  std::pair<double, double> LateralPlace(int a, int o, const Action& act, const LateralDistanceAction& d) const {
    const Ent& e = ents[static_cast<size_t>(a)];
    const Ent& r = ents[static_cast<size_t>(o)];
    if (d.coordinate_system == CoordinateSystem::kEntity)
      return {internal::LateralOffsetFrom({r.s.x, r.s.y, r.s.heading}, e.s.x, e.s.y), 1.0};
    if (!e.lane) Fail(act.pos, "LateralDistanceAction: entity '" + sc.entities[static_cast<size_t>(a)].name + "' is not on a road");
    double tr = 0.0, dir = 1.0;
    if (r.lane && r.lane->road == e.lane->road) {
      tr = LateralT(r);
      dir = SDir(r);
    } else {
      const auto w = roads.LocateOnRoad(e.lane->road, r.s.x, r.s.y, r.s.heading);
      if (!w) Fail(act.pos, "LateralDistanceAction: entity '" + d.entity + "' is not beside the road of '" +
                                sc.entities[static_cast<size_t>(a)].name + "'");
      tr = w->t;
      dir = roads.DrivesAlongS(e.lane->road, w->lane) != (std::fabs(w->heading_relative) > kPi / 2) ? 1.0 : -1.0;
    }
    return {(LateralT(e) - tr) * dir, dir};
  }
  void StartLateralDistance(Inst& in, const Action& a, const LateralDistanceAction& d) {
    using D = LateralDistanceAction::Displacement;
    const Ent& e = ents[static_cast<size_t>(in.entity)];
    const int o = EntityIndex(d.entity);
    in.lateral = {};
    in.lateral_started = false;
    in.last_pos = {e.s.x, e.s.y};
    const double now = LateralPlace(in.entity, o, a, d).first;
    const double half = d.freespace ? (sc.entities[static_cast<size_t>(in.entity)].box.width +
                                       sc.entities[static_cast<size_t>(o)].box.width) / 2
                                    : 0.0;
    const double side = d.displacement == D::kLeft ? 1.0 : d.displacement == D::kRight ? -1.0 : now < 0.0 ? -1.0 : 1.0;
    in.lateral_target = side * (d.distance ? *d.distance + half : std::fabs(now));
  }
  /// esmini's LatDistanceAction::Step (docs/openscenario.md): entity coordinates steer towards the line
  /// at the distance (internal::LateralEntityStep); road coordinates wait one step, then either move the
  /// entity sideways onto the distance (no constraints; its lane moves it on as usual) or give it the
  /// lateral speed of internal::LateralRoadStep, the rest of its speed along the lane.
  void StepLateralDistance(Inst& in, const Action& a, const LateralDistanceAction& d, double dt) {
    Ent& e = ents[static_cast<size_t>(in.entity)];
    const int o = EntityIndex(d.entity);
    const Ent& r = ents[static_cast<size_t>(o)];
    const Entity& ent = sc.entities[static_cast<size_t>(in.entity)];
    const DynamicConstraints c = d.constraints.value_or(DynamicConstraints{});
    const double max_acc = Constraint(c.max_acceleration, 5.0, ent.max_acceleration);
    const double max_dec = Constraint(c.max_deceleration, 10.0, ent.max_deceleration);
    const double max_speed = Constraint(c.max_speed, 250.0 / 3.6, ent.max_speed);
    if (d.coordinate_system == CoordinateSystem::kEntity) {
      const internal::PlanePose ref{r.s.x, r.s.y, r.s.heading};
      const internal::PlanePose next =
          internal::LateralEntityStep({e.s.x, e.s.y, e.s.heading}, e.s.speed, ref, in.lateral_target, max_acc, dt);
      e.odometer += std::hypot(next.x - e.s.x, next.y - e.s.y);
      e.s.x = next.x;
      e.s.y = next.y;
      e.s.heading = WrapAngle(next.heading);
      e.moved = true;
      const Placed p = Locate(e.s);
      e.lane = p.lane;
      e.heading_offset = e.lane ? WrapAngle(e.s.heading - roads.LaneHeading(e.lane->road, e.lane->lane, e.lane->s)) : 0.0;
      if (!d.continuous && std::fabs(internal::LateralOffsetFrom(ref, e.s.x, e.s.y) - in.lateral_target) < 0.01)
        in.running = false;
      return;
    }
    if (!in.lateral_started) {  // esmini: the first step only initialises; the entity moves as usual
      in.lateral_started = true;
      return;
    }
    const auto [place, dir] = LateralPlace(in.entity, o, a, d);
    const double error = (in.lateral_target - place) * dir;  // along +t
    if (max_acc >= kLarge && max_dec >= kLarge && max_speed >= kLarge) {
      // sideways onto the distance; the heading stays, the lane moves it on (Move)
      e.lane->offset += error;
      SyncFromLane(e);
      if (const auto w = roads.LocateOnRoad(e.lane->road, e.s.x, e.s.y, e.s.heading); w && w->on_road) {
        const double h = e.s.heading;
        e.lane = w->Position();
        e.heading_offset = WrapAngle(h - roads.LaneHeading(e.lane->road, e.lane->lane, e.lane->s));
      }
      e.lateral_speed = dt > 0.0 ? error / dt : 0.0;
      if (!d.continuous && std::fabs(error) < 0.01) {
        in.running = false;
        e.lateral_speed = 0.0;
      }
      return;
    }
    bool reached = false;
    const internal::LateralLimits limits{max_acc, max_speed, Constraint(c.max_acceleration_rate, kLarge, kLarge)};
    const double step = internal::LateralRoadStep(error, r.lateral_speed, e.s.speed, limits, dt, &in.lateral, &reached);
    const double v = e.s.speed, lv = in.lateral.lateral_speed;
    MoveBy(e, (v < 0.0 ? -1.0 : 1.0) * std::sqrt(std::max(0.0, v * v - lv * lv)) * dt);
    e.lane->offset += step;
    SyncFromLane(e);
    // the heading of this step's motion (esmini)
    const double dx = e.s.x - in.last_pos.x, dy = e.s.y - in.last_pos.y;
    if (v > 0.0 && std::hypot(dx, dy) > 1e-9) {
      e.s.heading = WrapAngle(std::atan2(dy, dx));
      e.heading_offset = WrapAngle(e.s.heading - roads.LaneHeading(e.lane->road, e.lane->lane, e.lane->s));
    }
    in.last_pos = {e.s.x, e.s.y};
    e.lateral_speed = lv;
    e.moved = true;
    if (reached && !d.continuous) {
      in.running = false;
      e.lateral_speed = 0.0;
    }
  }
  void StartSynchronize(Inst& in, const SynchronizeAction& y) {
    in.along = in.last_master = kLarge;
    in.sync_phase = Inst::SyncPhase::kPlan;
    in.sync_rush = false;
    in.steady_distance = -1.0;
    // a steady state by time becomes a distance at the final speed of the start (esmini)
    if (const auto v = SyncFinalSpeed(y)) {
      if (y.steady_distance) in.steady_distance = *y.steady_distance;
      else if (y.steady_time) in.steady_distance = *y.steady_time * *v;
      else if (y.steady_position) in.steady_distance = PlacedDistance(Resolve(*y.steady_position), Resolve(y.target));
    }
  }
  /// The final speed of a SynchronizeAction now (a relative one follows the master), if it has one.
  std::optional<double> SyncFinalSpeed(const SynchronizeAction& y) const {
    const double vm = ents[static_cast<size_t>(EntityIndex(y.master))].s.speed;
    if (y.final_speed) return *y.final_speed;
    if (y.final_speed_relative) return y.final_speed_factor ? vm * *y.final_speed_relative : vm + *y.final_speed_relative;
    return std::nullopt;
  }
  /// The running FollowTrajectoryAction of entity `index`, if it follows one.
  const Inst* TrajectoryOf(int index) const {
    const auto it = std::find_if(insts.begin(), insts.end(), [&](const Inst& in) {
      return in.running && in.entity == index && std::holds_alternative<FollowTrajectoryAction>(Act(in).body);
    });
    return it == insts.end() ? nullptr : &*it;
  }
  /// The distance of entity `index` to `target` as esmini measures it for synchronisation: on a
  /// trajectory, along it (internal::ClosestAlongPath: the target's closest point on the path less the
  /// entity's arc length; negative once passed); else along the roads (PlacedDistance), else the straight
  /// line.
  double SyncDistance(int index, const Placed& target) const {
    const Ent& e = ents[static_cast<size_t>(index)];
    if (const Inst* in = TrajectoryOf(index))
      return internal::ClosestAlongPath(in->path, Vec{target.pose.x, target.pose.y}) - in->along;
    return PlacedDistance({e.s, e.lane}, target);
  }
  /// Along the roads when both places are on roads joined by a route, else the straight line. On one
  /// road it is |delta s| whatever the lanes and their directions (esmini's RoadPath on the same road: a
  /// target in the opposite lane, or behind an entity facing against its lane, is still |delta s| away).
  double PlacedDistance(const Placed& from, const Placed& to) const {
    if (from.lane && to.lane && from.lane->road == to.lane->road) return std::fabs(to.lane->s - from.lane->s);
    if (from.lane && to.lane)
      if (const auto route = roads.Route(*from.lane, *to.lane)) return roads.RouteLength(*route, *from.lane, *to.lane);
    return std::hypot(to.pose.x - from.pose.x, to.pose.y - from.pose.y);
  }
  /// esmini's synchronisation. Each step: the distances of both to their targets (SyncDistance); the
  /// action ends (taking the final speed) when either is within its tolerance, either distance grows, or
  /// the master arrives within this step. Without a final speed the entity accelerates uniformly so
  /// that its mean speed covers its distance in the master's time left. With one the speed follows a plan:
  /// a steady state (by distance, or by time at the final speed) is cut off the distance and the time
  /// and driven at the final speed; the rest is either linear (one constant acceleration ending at the
  /// final speed) or two phases of opposite constant accelerations meeting at an apex speed vx, after
  /// which it is linear; if vx would be negative the entity brakes to a stop, waits, and restarts
  /// linearly when 2 d / v_final exceeds the master's time left. While the master stands the plan
  /// assumes an unbounded time.
  void StepSynchronize(Inst& in, const SynchronizeAction& y, double dt) {
    using Phase = Inst::SyncPhase;
    constexpr double kMaxDeceleration = -8.0;  // m/s^2, esmini's braking to a stop
    Ent& e = ents[static_cast<size_t>(in.entity)];
    const Ent& m = ents[static_cast<size_t>(EntityIndex(y.master))];
    const Placed mt = Resolve(y.master_target);
    const Placed tt = Resolve(y.target);
    double dm = SyncDistance(EntityIndex(y.master), mt);
    double d = SyncDistance(in.entity, tt);
    bool done = d < y.tolerance + kSmall || dm < y.tolerance_master + kSmall || d > in.along || dm > in.last_master;
    in.along = d;
    in.last_master = dm;
    in.elapsed += dt;
    d = std::max(d - y.tolerance, kSmall);
    dm = std::max(dm - y.tolerance_master, kSmall);
    double t = kLarge;  // the master's time to its target
    // on a trajectory the master closes its distance along it at |v|, reversing or not (esmini)
    const double vm = TrajectoryOf(EntityIndex(y.master)) ? std::fabs(m.s.speed) : m.s.speed;
    if (vm > kSmall) {
      t = dm / vm;
      if (t < dt) done = true;
    }
    const std::optional<double> vf = SyncFinalSpeed(y);
    if (done) {
      if (vf) e.s.speed = *vf;
      in.running = false;
      return;
    }
    double& v = e.s.speed;
    if (!vf) {  // reach the mean speed d / t halfway: end at 2 d / t - v
      v += (2.0 * d / t - 2.0 * v) / t * dt;
      return;
    }
    const double v1 = *vf;
    if (in.steady_distance >= 0 && in.sync_phase != Phase::kSteady) {
      const double t_steady = in.steady_distance / v1;
      if (d - in.steady_distance < kSmall || t - t_steady < kSmall) {
        in.sync_phase = Phase::kSteady;
      } else {
        d -= in.steady_distance;
        t -= t_steady;
      }
    }
    switch (in.sync_phase) {
      case Phase::kSteady:
        v = v1;
        return;
      case Phase::kWaiting:
        if (t >= kLarge) return;
        in.sync_phase = Phase::kPlan;
        break;
      case Phase::kBraking:
        v += kMaxDeceleration * dt;
        if (v < 0) {
          v = 0;
          in.sync_phase = Phase::kWaiting;
        }
        return;
      case Phase::kStopped:
        if (t < 2.0 * d / v1) {
          in.sync_phase = Phase::kLinear;
          break;
        }
        v = 0;
        return;
      default:
        break;
    }
    if (in.sync_phase == Phase::kLinear) {
      // the speed now from which a constant acceleration covers d in t ending at v1
      const double v_end = std::max(0.0, v1);
      v = t > kLarge - 1 || t < 1e-3 || d < 1e-3 ? 0.0 : std::max(0.0, 2.0 * d / t - v_end);
      return;
    }
    if (in.sync_phase == Phase::kTwoPhase && t < kLarge && std::fabs(v - (2.0 * d / t - v1)) < 0.1) {
      in.sync_phase = Phase::kLinear;  // on the linear profile now: keep the speed this step
      return;
    }
    if (in.sync_phase == Phase::kPlan) {
      in.sync_phase = Phase::kTwoPhase;
      in.sync_rush = (v1 + v) / 2 < d / t;
    }
    // two phases of durations x and t - x, accelerations a and -a', meeting at vx:
    //   d = x (v + vx) / 2 + (t - x) (vx + v1) / 2,  (vx - v) / x = (vx - v1) / (t - x)
    const double v0 = v;
    double vx = 0.0;
    double acc = 0.0;
    if (std::fabs(v1 - v0) < kSmall) {
      vx = 2.0 * d / t - v0;
      acc = (vx - v0) / (t / 2);
    } else {
      const double root = std::sqrt(2.0 * ((d - v0 * t) * (d - v0 * t) + (d - v1 * t) * (d - v1 * t)));
      for (const double sign : {1.0, -1.0}) {  // the root whose first phase ends within (0, t)
        const double x = (2.0 * v1 * t - 2.0 * d - sign * root) / (2.0 * (v1 - v0));
        if (x > 0 && x < t) {
          vx = (2.0 * d - sign * root) / (2.0 * t);
          acc = (vx - v0) / x;
          break;
        }
      }
    }
    if (in.sync_phase == Phase::kTwoPhase && (in.sync_rush ? acc < 0 : acc > 0)) {
      in.sync_phase = Phase::kLinear;  // past the apex: keep the speed this step
      acc = 0.0;
    }
    if (in.sync_phase == Phase::kTwoPhase && vx < 0) {
      // the apex would be a negative speed: brake to a stop over the share v0^2 / (v0^2 + v1^2) of d
      const double t1 = 2.0 * v0 * d / (v0 * v0 + v1 * v1);
      acc = std::fabs(t1) > kSmall ? -v0 / t1 : 0.0;
      if (t1 * v0 / 2 > d / 2) {  // it needs more than half the distance: brake hard now
        acc = kMaxDeceleration;
        in.sync_phase = Phase::kBraking;
      }
      if (v0 + acc * dt < 0) {
        v = 0;
        in.sync_phase = Phase::kStopped;
        return;
      }
    }
    v += acc * dt;
  }

  // ---- controllers (internal/controller.h) ---------------------------------------------------------
  /// A ControllerAction: an assigned controller replaces the entity's (inactive until activated), then
  /// the longitudinal domain is activated or deactivated as given.
  void StartController(Inst& in, const ControllerAction& c) {
    const auto e = static_cast<size_t>(in.entity);
    if (c.assign >= 0) {
      drivers[e] = internal::MakeController(sc.controllers[static_cast<size_t>(c.assign)]);
      driver_active[e] = false;
    }
    if (c.longitudinal && drivers[e]) {
      driver_active[e] = *c.longitudinal;
      if (*c.longitudinal) drivers[e]->Activate(ents[e].s.speed);
    }
    in.running = false;
  }
  /// Whether entity i's speed and motion are its controller's (mode override).
  bool DrivenByController(size_t i) const { return driver_active[i] && drivers[i]->override_mode(); }
  /// Steps the active controllers after the default motion, in declaration order (esmini steps its
  /// controllers after its default controller): each sees the others where they are now.
  void StepControllers(double dt) {
    bool seen = false;  // `bodies` holds this step's entities
    for (size_t i = 0; i < ents.size(); ++i) {
      if (!driver_active[i] || static_cast<int>(i) == external) continue;
      if (!seen) {
        seen = true;
        bodies.clear();
        for (size_t j = 0; j < ents.size(); ++j)
          bodies.push_back({ents[j].s, ents[j].lane, sc.entities[j].box, sc.entities[j].category == "Pedestrian",
                            sc.entities[j].front_axle_x});
      }
      Ent& e = ents[i];
      const Entity& ent = sc.entities[i];
      const double v = drivers[i]->Step({roads, bodies, i, ent.max_acceleration, ent.max_deceleration}, dt);
      e.s.speed = v;
      if (drivers[i]->override_mode() && !e.moved && std::fabs(v) >= kSmall) MoveBy(e, v * dt);
      bodies[i].state = e.s;
      bodies[i].lane = e.lane;
    }
  }

  // ---- motion -------------------------------------------------------------------------------------
  void Move(int index, double dt) {
    Ent& e = ents[static_cast<size_t>(index)];
    if (e.moved || index == external || couplings.tow(index) >= 0 || std::fabs(e.s.speed) < kSmall ||
        DrivenByController(static_cast<size_t>(index)))
      return;
    MoveBy(e, e.s.speed * dt);
  }
  // ---- trailers (internal/trailer.h) ---------------------------------------------------------------
  /// Puts trailer `j` at `pose` (lane located), moving at its tow's speed.
  void PlaceTrailer(int j, const internal::PlanePose& pose, double speed) {
    Ent& t = ents[static_cast<size_t>(j)];
    t.s.x = pose.x;
    t.s.y = pose.y;
    t.s.heading = pose.heading;
    t.s.speed = speed;
    t.lane = Locate(t.s).lane;
    t.heading_offset = t.lane ? WrapAngle(t.s.heading - roads.LaneHeading(t.lane->road, t.lane->lane, t.lane->s)) : 0.0;
  }
  /// The hitch point of entity `k`.
  internal::PlanePose Hitch(int k) const {
    const EntityState& s = ents[static_cast<size_t>(k)].s;
    return internal::HitchPoint({s.x, s.y, s.heading}, *sc.entities[static_cast<size_t>(k)].hitch);
  }
  /// esmini's Vehicle::AlignTrailers: the trailers of `front` straight behind it, at its speed.
  void AlignTrailers(int front) {
    for (int k = front, j = couplings.trailer(k); j >= 0 && j != external; k = j, j = couplings.trailer(j)) {
      internal::PlanePose hitch = Hitch(k);
      hitch.heading = ents[static_cast<size_t>(front)].s.heading;
      PlaceTrailer(j, internal::AlignTrailer(hitch, *sc.entities[static_cast<size_t>(j)].coupler),
                   ents[static_cast<size_t>(front)].s.speed);
    }
  }
  /// esmini's trailer step: every chain pulled from its front vehicle, after all moved (`only` >= 0:
  /// the chain of that front alone).
  void TowTrailers(int only = -1) {
    for (int front : couplings.Fronts()) {
      if (only >= 0 && front != only) continue;
      for (int k = front, j = couplings.trailer(k); j >= 0 && j != external; k = j, j = couplings.trailer(j)) {
        const EntityState& t = ents[static_cast<size_t>(j)].s;
        PlaceTrailer(j, internal::PullTrailer(Hitch(k), {t.x, t.y, t.heading}, *sc.entities[static_cast<size_t>(j)].coupler),
                     ents[static_cast<size_t>(k)].s.speed);
      }
    }
  }
  /// Moves `d` metres forward (along its lane in its direction of travel, or along its heading).
  void MoveBy(Ent& e, double d) {
    if (e.lane) {
      // facing against the lane: moving forward is moving backwards along it
      const double sign = std::fabs(e.heading_offset) > kPi / 2 ? -1.0 : 1.0;
      const opendrive::MoveResult r = roads.MoveAlong(*e.lane, sign * d, e.preference);
      e.lane = r.position;
      // esmini's default controller stops an entity only when it cannot move at all: a move cut short
      // at the end keeps the speed (the entity is at the end, end of road noted), the next one stops it
      NoteEndOfRoad(e, r.end_of_network, std::fabs(r.moved) < kSmall);
      SyncFromLane(e);
    } else {
      e.s.x += d * std::cos(e.s.heading);
      e.s.y += d * std::sin(e.s.heading);
    }
  }
  /// Notes when a state (standing still, at the end of the road, off the roads) began. As esmini's
  /// Object timestamps, a stamp of time 0 counts as none: a state held from the start is stamped at the
  /// first step's end.
  void Stamp(std::optional<double>& since, bool holds) const {
    if (!holds) since.reset();
    else if (!since || *since <= kSmall) since = time;
  }
  /// How long a state stamped by Stamp has held (esmini's IsStandStill() ? t - timestamp : 0).
  double Held(const std::optional<double>& since) const { return since && *since > kSmall ? time - *since : 0.0; }
  /// `only` >= 0: that entity alone; else every entity but the external one.
  void UpdateStates(double dt, int only = -1) {
    for (size_t i = 0; i < ents.size(); ++i) {
      if (only >= 0 ? static_cast<int>(i) != only : static_cast<int>(i) == external) continue;
      Ent& e = ents[i];
      // esmini's odometer: the straight distance between the step's start and end (a chord on a curve),
      // nothing for a teleport
      if (!e.teleported) e.odometer += std::hypot(e.s.x - e.odometer_x, e.s.y - e.odometer_y);
      e.teleported = false;
      e.odometer_x = e.s.x;
      e.odometer_y = e.s.y;
      e.acceleration = dt > 0 ? (e.s.speed - e.prev_speed) / dt : 0.0;
      e.prev_speed = e.s.speed;
      Stamp(e.standstill_since, std::fabs(e.s.speed) < kStandStill);
      Stamp(e.end_of_road_since, e.end_of_road);
      if (has_roads && reads_offroad) Stamp(e.offroad_since, OffRoad(e));
    }
  }
  /// `only` >= 0: the pairs with the external entity; else the pairs without it.
  void DetectCollisions(int only = -1) {
    footprints.resize(ents.size());
    for (size_t a = 0; a < ents.size(); ++a) footprints[a] = FootprintOf(ents[a].s, sc.entities[a].box).WithRadius();
    for (size_t a = 0; a < ents.size(); ++a)
      for (size_t b = a + 1; b < ents.size(); ++b) {
        if (external >= 0 && (only >= 0) != (static_cast<int>(a) == external || static_cast<int>(b) == external)) continue;
        const bool hit = Collide(static_cast<int>(a), static_cast<int>(b), footprints[a], footprints[b]);
        const std::pair<int, int> key{static_cast<int>(a), static_cast<int>(b)};
        if (hit && !touching.contains(key)) {
          lines.push_back(Stamp() + "collision " + sc.entities[a].name + " " + sc.entities[b].name);
          any_collision = true;
          touching.insert(key);
        } else if (!hit) {
          touching.erase(key);
        }
      }
  }

  /// The entity a teleport's position refers to (-1 if none or not a teleport).
  int TeleportReference(int inst) const {
    const auto* t = std::get_if<TeleportAction>(&Act(insts[static_cast<size_t>(inst)]).body);
    return t && !t->position.entity.empty() ? EntityIndex(t->position.entity) : -1;
  }
  bool IsTeleportOf(int inst, int entity) const {
    return insts[static_cast<size_t>(inst)].entity == entity &&
           std::holds_alternative<TeleportAction>(Act(insts[static_cast<size_t>(inst)]).body);
  }
  void Start() {
    for (int front : couplings.Fronts()) AlignTrailers(front);  // esmini aligns them when it loads
    AdvanceSignals();  // the controllers' phases at t = 0, then the Init actions (they may set signals)
    // Init actions in file order, except that a teleport relative to an entity waits for that entity's
    // own teleport (esmini orders them so)
    std::vector<int> pending = init_insts;
    while (!pending.empty()) {
      size_t pick = 0;
      for (size_t k = 0; k < pending.size(); ++k) {
        const int ref = TeleportReference(pending[k]);
        const bool waits = ref >= 0 && std::any_of(pending.begin(), pending.end(), [&](int other) {
          return other != pending[k] && IsTeleportOf(other, ref);
        });
        if (!waits) {
          pick = k;
          break;
        }
      }
      const int i = pending[pick];
      pending.erase(pending.begin() + static_cast<long>(pick));
      StartInst(i);
    }
    // esmini steps the Init actions once by 0 s at t = 0: a trajectory puts its entity on its start
    for (int i : init_insts) {
      Inst& in = insts[static_cast<size_t>(i)];
      if (in.running && in.entity != external && std::holds_alternative<FollowTrajectoryAction>(Act(in).body)) {
        StepTrajectory(in, 0.0);
        ents[static_cast<size_t>(in.entity)].teleported = true;
      }
    }
    TowTrailers();  // esmini's first step (0 s) ends with the trailer step too
    for (int s : sc.stories) StartElement(s);
    for (size_t i = 0; i < ents.size(); ++i) ents[i].prev_speed = ents[i].s.speed;
    for (int i : init_insts) {  // an Init transition of the external entity would move it on: not applied
      Inst& in = insts[static_cast<size_t>(i)];
      if (in.running && in.entity == external) {
        NotApplied(Act(in));
        in.running = false;
      }
    }
    UpdateStates(0.0);
    DetectCollisions();
  }
  void SetExternal(const EntityState& state) {
    Ent& e = ents[static_cast<size_t>(external)];
    e.s = state;
    e.s.heading = WrapAngle(state.heading);
    const Placed p = Locate(e.s);
    e.lane = p.lane;
    e.heading_offset = e.lane ? WrapAngle(e.s.heading - roads.LaneHeading(e.lane->road, e.lane->lane, e.lane->s)) : 0.0;
    TowTrailers(external);
    UpdateStates(external_set ? options.time_step : 0.0, external);
    external_set = true;
    DetectCollisions(external);
  }
  void Step() {
    if (finished) return;
    const double dt = options.time_step;
    for (Ent& e : ents) e.moved = false;
    AdvanceSignals();  // the phases at t, before any condition reads them
    // the storyboard's stop trigger, then the stories (esmini's StoryBoard::Step)
    if (EvalTrigger(sc.stop_trigger, false)) {
      for (int s : sc.stories) StopElement(s);
      lines.push_back(Stamp() + "storyboard stop");
      finished = true;
      return;
    }
    stepping_triggers = true;
    for (int s : sc.stories) EvalTriggers(s);
    stepping_triggers = false;
    for (int i : init_insts)
      if (insts[static_cast<size_t>(i)].running) StepInst(insts[static_cast<size_t>(i)], dt);
    for (int s : sc.stories) StepElement(s, dt);
    ++frame;
    time += dt;  // accumulated, as esmini's simulationTime_ (strict comparisons see the same rounding)
    for (size_t i = 0; i < ents.size(); ++i) Move(static_cast<int>(i), dt);
    StepControllers(dt);
    TowTrailers();
    UpdateStates(dt);
    DetectCollisions();
  }
  void StepElement(int e, double dt) {
    if (St(e) != State::kRunning) return;
    const Element& el = El(e);
    if (el.type == ElementType::kAction) {
      bool any = false;
      for (int i : insts_of_element[static_cast<size_t>(e)]) {
        Inst& in = insts[static_cast<size_t>(i)];
        if (in.running) StepInst(in, dt);
        any = any || in.running;
      }
      if (!any) EndElement(e);
      return;
    }
    for (int c : el.children) StepElement(c, dt);  // the scenario's (immutable) elements: no copy
  }
};

Player::Player(const Scenario& scenario, PlayOptions options) : impl_(std::make_unique<Impl>(scenario, options)) {}
Player::~Player() = default;
void Player::Start() { impl_->Start(); }
void Player::Step() { impl_->Step(); }
bool Player::finished() const { return impl_->finished; }
double Player::time() const { return impl_->time; }
bool Player::collided() const { return impl_->any_collision; }
std::vector<EntityState> Player::States() const {
  std::vector<EntityState> out;
  out.reserve(impl_->ents.size());
  for (const auto& e : impl_->ents) out.push_back(e.s);
  return out;
}
EntityState Player::EntityStateOf(size_t index) const { return impl_->ents.at(index).s; }
void Player::SetExternalState(const EntityState& state) {
  if (impl_->external < 0) throw std::logic_error("SetExternalState: the player has no external entity");
  impl_->SetExternal(state);
}
std::vector<Warning> Player::TakeWarnings() {
  std::vector<Warning> out;
  out.swap(impl_->warnings);
  return out;
}
std::vector<std::string> Player::TakeLines() {
  std::vector<std::string> out;
  out.swap(impl_->lines);
  return out;
}

}  // namespace gauntlet::openscenario
