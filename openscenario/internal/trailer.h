#pragma once
// Private to openscenario/: trailers towed as esmini tows them (docs/openscenario.md, "Trailers").
//
// A trailer is an entity of its own. Which entity tows which changes with TrailerActions (Couplings).
// Each step, once every towing entity has moved, each trailer is pulled along a rigid bar by the hitch
// of the entity in front of it (PullTrailer, esmini's ScenarioEngine::step): its reference point goes
// to the point at the coupler distance from the hitch on the line from the hitch to where it was, and
// it heads towards the hitch; chains are pulled from the front. A teleported tow aligns its trailers
// straight behind it (AlignTrailer, esmini's Vehicle::AlignTrailers).
//
//   Couplings c(scenario.entities);
//   const PlanePose hitch = HitchPoint(tow_pose, *tow.hitch);
//   const PlanePose next = PullTrailer(hitch, {trailer_x, trailer_y, trailer_heading}, *trailer.coupler);

#include <vector>

#include "openscenario/internal/lateral_distance.h"
#include "openscenario/scenario.h"

namespace gauntlet::openscenario::internal {

/// The hitch point of an entity at `pose` whose TrailerHitch is `dx` ahead of its reference point; its
/// heading is the entity's.
[[nodiscard]] PlanePose HitchPoint(const PlanePose& pose, double dx);

/// One step of a towed trailer: `trailer` is where it was, `coupler` its TrailerCoupler dx (> 0). Its
/// reference point goes to the point at distance `coupler` from `hitch` on the ray from the hitch
/// through the trailer's previous reference point, its heading points from there to the hitch (in
/// (-pi, pi]). A trailer exactly at the hitch (no ray) is put straight behind the hitch's heading.
[[nodiscard]] PlanePose PullTrailer(const PlanePose& hitch, const PlanePose& trailer, double coupler);

/// A trailer straight behind its hitch: the coupler `coupler` metres behind it on the hitch's heading.
[[nodiscard]] PlanePose AlignTrailer(const PlanePose& hitch, double coupler);

/// Which entity tows which (indices into Scenario::entities): a chain per front vehicle.
class Couplings {
 public:
  Couplings() = default;
  /// The couplings at the start: each Entity::trailer.
  explicit Couplings(const std::vector<Entity>& entities);
  /// The entity towing `e`, -1 if none.
  [[nodiscard]] int tow(int e) const { return tow_[static_cast<size_t>(e)]; }
  /// The trailer `e` tows, -1 if none.
  [[nodiscard]] int trailer(int e) const { return trailer_[static_cast<size_t>(e)]; }
  /// Whether `a` tows `b` or `b` tows `a` (the boxes of a coupled pair overlap at the hitch by design).
  [[nodiscard]] bool Coupled(int a, int b) const { return tow(a) == b || tow(b) == a; }
  /// ConnectTrailerAction: `tow` tows `trailer` from now on; what `tow` towed and what towed `trailer`
  /// are uncoupled first. False (nothing changes) when `trailer` is `tow` or tows it through its chain.
  bool Connect(int tow, int trailer);
  /// DisconnectTrailerAction: `tow` tows nothing from now on (its trailer rolls on by itself).
  void Disconnect(int tow);
  /// The front vehicles (towed by nobody, towing something), in index order.
  [[nodiscard]] std::vector<int> Fronts() const;

 private:
  std::vector<int> tow_, trailer_;
};

}  // namespace gauntlet::openscenario::internal
