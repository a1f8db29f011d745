#pragma once
// The esmini controllers the player simulates (docs/openscenario.md, "Controllers"): one interface, so
// that the player steps whichever an entity has.
//
//   std::unique_ptr<Controller> c = MakeController(spec);
//   c->Activate(speed);                                  // ActivateControllerAction longitudinal="true"
//   const double v = c->Step({roads, bodies, self, max_acc, max_dec}, dt);   // the entity's new speed

#include <memory>
#include <optional>
#include <vector>

#include "opendrive/opendrive.h"
#include "openscenario/player.h"
#include "openscenario/scenario.h"

namespace gauntlet::openscenario::internal {

/// An entity as a controller sees it: its state, its lane position (on the roads), its box, whether it
/// is a pedestrian, and its front axle's distance ahead of the reference point (vehicles).
struct Body {
  EntityState state;
  std::optional<opendrive::LanePos> lane;
  BoundingBox box;
  bool pedestrian = false;
  double front_axle_x = 0.0;
};

/// What a controller is stepped with: every entity (its own at `self`) and its Performance limits.
struct ControllerInput {
  const opendrive::Network& roads;
  const std::vector<Body>& bodies;
  size_t self = 0;
  double max_acceleration = 1e300;
  double max_deceleration = 1e300;
};

/// A controller that drives an entity on the longitudinal domain.
class Controller {
 public:
  virtual ~Controller() = default;
  /// Activation on the longitudinal domain at the entity's `speed`.
  virtual void Activate(double speed) = 0;
  /// One step, after the default motion of the step: the entity's speed for the step.
  virtual double Step(const ControllerInput& in, double dt) = 0;
  /// Whether the controller moves the entity itself (mode override: esmini writes its speed over any
  /// action's) rather than only setting the speed the default motion uses (additive).
  [[nodiscard]] virtual bool override_mode() const = 0;
};

/// The gap from the interval [a0, a1] to [b0, b1] along their axis: positive when b lies beyond a,
/// negative when before it, 0 when they overlap.
[[nodiscard]] double IntervalGap(double a0, double a1, double b0, double b1);

/// The controller `spec` describes.
[[nodiscard]] std::unique_ptr<Controller> MakeController(const ControllerSpec& spec);

}  // namespace gauntlet::openscenario::internal
