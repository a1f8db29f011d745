#pragma once
// World: the state of one running episode and the stages of its step (RunEpisode in episode.cc drives
// them): Measure the row at t, UpdateBehaviours (the other actors' commands), Integrate to t + dt.
//
// Private to sim/. Split by stage, as MuJoCo splits its engine: the world step (construction,
// integration, lane placement: world.cc), the measurement of the row (the actors' blocks, the pairs
// relative to the ego, contacts: measure.cc), the behaviours and their triggers (behaviours.cc), the
// sensors (sensors.h). Every column is written at the offset its signal table gives (signal_table.h).
//
//   World world(spec, road);
//   world.Measure(row);                 // t = k * dt
//   world.UpdateBehaviours(t);
//   world.Integrate(command, t + dt);

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/episode.h"
#include "sim/internal/actor.h"
#include "sim/internal/collision_world.h"
#include "sim/internal/footprint_geometry.h"
#include "sim/internal/sensors.h"
#include "sim/road_network.h"
#include "sim/world_spec.h"

namespace gauntlet::sim::internal {

/// One other actor seen from an actor (Relate): the pair signals before contact is decided.
struct Pair {
  double clearance = 0.0;  // SignedClearance of the footprints
  double gap = 0.0;
  double rel_speed = 0.0;
  double ttc = kTtcCap_s;
  double distance = 0.0;
  double bearing = 0.0;
  double rel_heading = 0.0;
};

/// The ego's contact with one other actor, carried from step to step.
struct ContactState {
  double clearance = 0.0;  // at the previous row
  bool touching = false;   // at the previous row
  double since_s = -1.0;   // the time the current contact began; -1 out of contact
};

/// One episode's world: its actors, their contacts with the ego and its sensors. The stages of a step
/// are in their own files: the world step (world.cc), the measurement (measure.cc), the behaviours
/// and their triggers (behaviours.cc), the sensors (sensors.cc).
class World {
 public:
  /// `locator` (may be null) gives the actors' lane signals instead of `road` (LaneLocator).
  World(const WorldSpec& spec, const RoadNetwork& road, LaneLocator* locator = nullptr);

  [[nodiscard]] size_t signal_count() const { return signal_count_; }
  /// Measures the state at the current time into row[0, signal_count).
  void Measure(std::span<double> row);
  [[nodiscard]] bool ego_collided() const { return ego_collided_; }
  /// Fires behaviours and computes the other actors' commands for the step from t.
  void UpdateBehaviours(double t);
  /// Whether any actor is scripted (the episode then needs an ActorScript).
  [[nodiscard]] bool has_scripted() const { return has_scripted_; }
  /// Calls `script` with every actor's pose at t; the scripted actors' poses at t + dt are kept for
  /// Integrate. Returns the script's answer (false: the episode ends at t).
  bool AdvanceScript(ActorScript& script, double t);
  /// Moves every actor from t to t + dt (a scripted actor to the pose AdvanceScript got).
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
  void MeasureLanes(std::span<double> row);
  void PlaceOnLane(Actor& a);
  [[nodiscard]] std::string Who(const Actor& a) const { return "actor '" + a.spec->name + "'"; }

  const WorldSpec& spec_;
  const RoadNetwork& road_;
  LaneLocator* locator_ = nullptr;  // gives the lane signals when set
  double dt_;
  std::vector<Actor> actors_;
  int ego_ = -1;
  std::optional<CollisionWorld> collision_;  // the boxes for the sensors' rays (a world with sensors only)
  std::vector<ContactState> contacts_;      // per actor (the ego's entry unused)
  std::vector<Footprint> last_footprints_;  // at the previous row
  size_t measured_ = 0;                     // rows measured so far
  bool ego_collided_ = false;
  bool has_scripted_ = false;
  std::vector<ActorPose> script_now_;   // per actor, reserved once: no allocation per step
  std::vector<ActorPose> script_next_;
  Sensors sensors_;
  size_t signal_count_ = 0;
  size_t pair_column_ = 0;
};

}  // namespace gauntlet::sim::internal
