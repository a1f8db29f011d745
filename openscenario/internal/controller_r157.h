#pragma once
// esmini's ALKS_R157SM_Controller with its Regulation model (UN R157, the ALKS regulation's
// minimum performance), as the player simulates it (docs/openscenario.md, "Controllers").
//
// Each step it scans the entities ahead within 46 m (reference point to reference point along the
// road) on its own or a neighbour lane, or pedestrians on any lane, and measures each in road
// coordinates: the freespace gaps between the boxes along s (dist_long) and across (dist_lat), the
// relative speeds along and across the road (dv_s > 0: closing in), TTC = dist_long / dv_s. An entity
// on its own lane is a threat (deceleration scenario); one on a neighbour lane is a threat once the
// corner of its box at its front axle, on the side facing the ego, is more than 0.3 m inside the ego's
// lane (cut-in). The nearest threat is in focus. The situation is critical when
//   TTC < dv_s / (2 * 6) + 0.35 + 0.1
// (with fullStop, once critical it stays so): the ego then brakes at 6 m/s^2 down to standstill.
// Otherwise, with cruise on, it drives: without a target at +-2 m/s^2 to the set speed (its speed when
// activated); behind a target (TTC > dv_s / 12 + 0.35) with a = -2 dv_s + (dist_long - d_min) limited to
// [-4, 3] m/s^2, d_min = max(2, v * (1 + 3.6 v / 100)) (v >= 10 km/h, else 1 + (max(2, v) - 2) / 7.8 s);
// the speed within [0, set speed]. With cruise off (or a target closer than that) it keeps its speed.
//
//   R157Controller c(spec);
//   c.Activate(speed);
//   const double v = c.Step(input, dt);

#include <string>

#include "openscenario/internal/controller.h"

namespace gauntlet::openscenario::internal {

/// What the R157 model measures of another entity (esmini's ControllerALKS_R157SM::Model::ObjectInfo).
struct R157Sight {
  bool valid = false;      ///< ahead within the range, on the own or a neighbour lane (or a pedestrian)
  int d_lane = 0;          ///< its lane minus the own one (-1, 0, 1 across the centre lane)
  double dist_long = 0.0;  ///< freespace gap along the road, m (0 when the boxes overlap along it)
  double dist_lat = 0.0;   ///< freespace gap across the road, m (0 when they overlap across it)
  double dv_s = 0.0;       ///< own speed minus its speed along the road, in the own direction, m/s
  double dv_t = 0.0;       ///< lateral closing speed, m/s (> 0: they approach)
  double ttc = 0.0;        ///< dist_long / dv_s, or a large number when not closing in
  bool cut_in = false;     ///< its front corner facing the ego is more than 0.3 m inside the ego's lane
};

/// What `self` sees of `other` (esmini's Model::Process and Regulation::CheckSafety), `range` m ahead.
[[nodiscard]] R157Sight R157Measure(const opendrive::Network& roads, const Body& self, const Body& other, double range);

/// esmini's ALKS_R157SM_Controller with the Regulation model.
class R157Controller : public Controller {
 public:
  explicit R157Controller(const ControllerSpec& spec);
  /// The set speed is the speed at activation.
  void Activate(double speed) override;
  double Step(const ControllerInput& in, double dt) override;
  [[nodiscard]] bool override_mode() const override { return spec_.override_mode; }
  /// Whether the last step found the situation critical (braking at 6 m/s^2).
  [[nodiscard]] bool critical() const { return critical_; }

 private:
  ControllerSpec spec_;
  double set_speed_ = 0.0;
  bool critical_ = false;
};

}  // namespace gauntlet::openscenario::internal
