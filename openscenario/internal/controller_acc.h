#pragma once
// esmini's ACCController (and ALKSController, which is the same controller in esmini) as the player
// simulates it (docs/openscenario.md, "Controllers").
//
// The controller owns the entity's speed on the longitudinal domain. Each step it looks for the nearest
// entity ahead: on the same lane (the lane that contains the other's reference point), less than
// `lateralDist` to the side, within the lookahead max(50, 2 * 3 + v^2 / maxDeceleration) along the road;
// or any entity whose box is just in front of its own box. The gap is the distance between the
// reference points along the road minus the boxes' extents ahead of and behind them. With an entity
// ahead it accelerates by
//   a = 2.5 f - f (v - v_set) - (1 - f) (v - min(v_set, v_lead)),  f = min(1, (gap - d) / d),
//   d = 3 + timeGap * max(v, v_lead),
// limited by the entity's Performance, the speed kept within [0, v_set] (a gap under 1 m stops it at
// once); without one it goes to v_set at 0.7 * maxAcceleration per m/s of difference (at most 0.7 *
// maxAcceleration). In steady following behind a lead at constant speed v_lead <= v_set, a = 0 needs
// f = 0, so the gap settles at d = 3 + timeGap * v_lead.
//
//   AccController acc(spec);
//   acc.Activate(speed);
//   const double v = acc.Command(speed, {AccMeasure(roads, self, other)}, max_acc, max_dec, dt);

#include <optional>
#include <vector>

#include "openscenario/internal/controller.h"

namespace gauntlet::openscenario::internal {

/// What an ACC measures of another entity.
struct AccSight {
  bool on_path = false;      ///< on the same road, ahead or behind along it (ds and dt are valid)
  bool same_lane = false;    ///< the other's reference point lies in the lane of the own one
  double ds = 0.0;           ///< reference point to reference point along the road, positive ahead, m
  double dt = 0.0;           ///< lateral road distance between the reference points, m
  double gap = 0.0;          ///< ds minus the boxes' extents (front of own box to back of the other's), m
  double free_x = 0.0;       ///< freespace longitudinal gap in the own frame (> 0: the other's box ahead), m
  double free_y = 0.0;       ///< freespace lateral gap in the own frame (0: overlapping, > 0: to the left), m
  double other_length = 0.0;
  double other_speed = 0.0;
};

/// What `self` sees of `other` on `roads` (esmini's Position::Delta and FreeSpaceDistance).
[[nodiscard]] AccSight AccMeasure(const opendrive::Network& roads, const Body& self, const Body& other);

/// One ACC: its set speed and the speed it commands.
class AccController : public Controller {
 public:
  explicit AccController(const ControllerSpec& spec);
  /// esmini's ControllerACC::Activate: the set speed is the speed now unless override mode gives one.
  void Activate(double speed) override;
  /// Measures every other entity (AccMeasure) and steps (Command).
  double Step(const ControllerInput& in, double dt) override;
  /// One step: `speed` is the entity's speed now (a change from the last command, by an action in
  /// additive mode, becomes the set speed), `sights` what it sees of every other entity. Returns the
  /// speed for this step.
  double Command(double speed, const std::vector<AccSight>& sights, double max_acceleration, double max_deceleration,
                 double dt);
  [[nodiscard]] bool override_mode() const override { return spec_.override_mode; }
  /// The set speed, m/s.
  [[nodiscard]] double set_speed() const { return set_speed_; }

 private:
  ControllerSpec spec_;
  double current_ = 0.0;
  std::vector<AccSight> sights_;  // Step's scratch: what it sees this step
  double set_speed_ = 0.0;
};

}  // namespace gauntlet::openscenario::internal
