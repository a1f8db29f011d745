#pragma once
// Playing a loaded OpenSCENARIO scenario with a fixed time step, as esmini does with --fixed_timestep
// (docs/openscenario.md, "Semantics").
//
// One Step: the storyboard's triggers are evaluated at the current time (stop triggers first, then
// start triggers, outermost element first, cascading within the step), running actions are stepped
// (Init actions first), the time advances by the step, every entity that no action moved this step
// moves speed * step along its lane (or along its heading off the roads), an activated controller
// (ACCController, ALKSController, ALKS_R157SM_Controller) commands its entity after that motion, towed
// trailers are pulled after their tows (openscenario/internal/trailer.h), and bounding-box overlaps are
// checked. Entities have no dynamics: speed and position are exactly what the actions (or controllers) say.
//
//   Player player(scenario, {.time_step = 0.05});
//   player.Start();                                  // Init actions, collisions at t = 0
//   while (!player.finished() && player.time() < 30.0) player.Step();
//   for (const std::string& line : player.TakeLines()) std::cout << line << '\n';

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "openscenario/scenario.h"

namespace gauntlet::openscenario {

/// How a scenario is played.
struct PlayOptions {
  double time_step = 0.05;  ///< seconds, > 0
  /// The entity driven from outside (a model: Player::SetExternalState) instead of by its storyboard,
  /// as esmini's ExternalController overrides the default one; "" = none. Its Init actions still set
  /// its start; a storyboard action that would act on it is not applied (it completes at once, with a
  /// warning at the action, once: TakeWarnings).
  std::string external{};
  /// RoutePosition FromLaneCoordinates / FromRoadCoordinates: laneId, laneOffset and t count in the
  /// route's direction, their signs flipped on a road the route drives against s (esmini's
  /// `--align_routepositions`, used by its Euro NCAP suite); false: as written for the road.
  bool align_route_positions = false;
};

/// One entity's state in the inertial frame.
struct EntityState {
  double x = 0.0;        ///< reference point, m
  double y = 0.0;
  double heading = 0.0;  ///< rad, in (-pi, pi]
  double speed = 0.0;    ///< m/s along the heading (negative: reversing)
};

/// Plays one scenario. Not copyable (it refers to the scenario).
class Player {
 public:
  /// `scenario` must outlive the player. Throws core::InputError when a position of an Init action
  /// cannot be resolved (Start) or at run time (Step) (an entity leaves the roads a position refers to).
  Player(const Scenario& scenario, PlayOptions options);
  ~Player();
  Player(const Player&) = delete;
  Player& operator=(const Player&) = delete;

  /// Applies the Init actions and starts the storyboard at t = 0.
  void Start();
  /// Advances one time step (see the header comment). Does nothing once finished().
  void Step();
  /// Whether the storyboard's StopTrigger fired.
  [[nodiscard]] bool finished() const;
  /// Simulation time, s.
  [[nodiscard]] double time() const;
  /// The state of every entity, in declaration order.
  [[nodiscard]] std::vector<EntityState> States() const;
  /// The state of entity `index` (declaration order) without copying the others.
  [[nodiscard]] EntityState EntityStateOf(size_t index) const;
  /// Whether any two bounding boxes have overlapped so far.
  [[nodiscard]] bool collided() const;
  /// Sets the state of the external entity (PlayOptions::external) at the current time(): call it once
  /// after Start() and once before every Step(). The storyboard's conditions then see this state, and
  /// its collisions are checked here (collisions of the others in Step). Throws std::logic_error
  /// without an external entity.
  void SetExternalState(const EntityState& state);
  /// The warnings produced while playing since the last call (a storyboard action on the external
  /// entity that is not applied: once per action).
  [[nodiscard]] std::vector<Warning> TakeWarnings();
  /// The output lines produced since the last call: `T: event NAME start|end|stop`,
  /// `T: collision A B`, `T: storyboard stop` (T with 3 decimals).
  [[nodiscard]] std::vector<std::string> TakeLines();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gauntlet::openscenario
