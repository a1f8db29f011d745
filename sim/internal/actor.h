#pragma once
// The state of one episode's actors, shared by its stages (world.h): the world step, the measurement,
// the behaviours and the sensors.
//
// Private to sim/. An Actor is the spec of one actor (ActorSpec, not copied) plus what moves during the
// episode: its body, its lane coordinates, and the progress of its behaviours.
//
//   const Actor& a = actors[i];
//   const Footprint f = FootprintOf(a);   // its box seen from above (footprint_geometry.h)

#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/dynamics.h"
#include "sim/internal/footprint_geometry.h"
#include "sim/road_network.h"
#include "sim/world_spec.h"

namespace gauntlet::sim::internal {

/// No friction limit (an actor without wheels).
inline constexpr double kNoFrictionLimit = std::numeric_limits<double>::infinity();

/// A problem that ends the episode with status kError (bad numbers, an impossible manoeuvre).
class EpisodeFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// "t=<t> s", for messages.
[[nodiscard]] std::string TimeText(double t);

/// How an actor moves: along its lane (lane coordinates), freely (a body model), or not at all.
enum class Motion { kLane, kFree, kStatic };
/// What commands an actor's speed: holding a speed, IDM, a speed profile, braking to a stop.
enum class LongMode { kHold, kIdm, kProfile, kBrake };

/// A lane change in progress (of a behaviour, or of a route).
struct LaneChangeState {
  bool active = false;
  double start_time_s = 0.0;
  double duration_s = 1.0;
  double from_offset_m = 0.0;
  LaneChangeShape shape = LaneChangeShape::kSinusoidal;
  int behaviour = -1;  ///< -1: a lane change of a route
};

/// A trigger with its names resolved to indices.
struct ResolvedTrigger {
  const Trigger* trigger = nullptr;
  int other = -1;
  int event_actor = -1;
  int event_behaviour = -1;
  bool event_end = false;
};

/// One actor of a running episode.
struct Actor {
  const ActorSpec* spec = nullptr;
  ActorDefaults dims{};
  Footprint shape;  ///< the footprint's sizes (and radius) at the origin: FootprintOf places it
  VehicleLimits limits{};
  int box = -1;
  bool wheeled = false;  // friction limits its acceleration
  bool scripted = false;  // moved by the episode's ActorScript

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


/// The actor's footprint now.
[[nodiscard]] Footprint FootprintOf(const Actor& a);

/// The index of the actor called `name` in `spec` ("" is the ego, whose index is `ego`); the name must
/// be known (a validated world).
[[nodiscard]] int ActorIndex(const WorldSpec& spec, int ego, const std::string& name);

}  // namespace gauntlet::sim::internal
