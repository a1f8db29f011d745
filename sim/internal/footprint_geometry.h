#pragma once
// Footprint geometry: the one geometric truth for contact and clearance between actors.
//
// Private to sim/. An actor's footprint is its box seen from above: a rectangle centred on the actor's
// position, its length along the heading. Every contact (`collision`, `<o>.collision`) and every
// clearance (`<o>.gap`) an episode reports comes from SignedClearance, so the two cannot disagree:
// footprints touch exactly when SignedClearance <= 0.
//
//   const Footprint ego{0.0, 0.0, 0.0, 2.25, 0.9};
//   const Footprint post{10.0, 0.0, 0.0, 0.1, 0.1};
//   SignedClearance(ego, post);                     // 7.65: the bumper is 7.65 m from the post
//   const Sweep s = SweepContact(ego, ego_next, post, post);   // first touch within the step
//
// Motion within a step (SweepContact, a time of impact by conservative advancement) interpolates
// each footprint's centre linearly and its heading linearly along the shorter way round.

#include <optional>

namespace gauntlet::sim::internal {

/// An oriented rectangle on the plane.
struct Footprint {
  double x_m = 0.0;
  double y_m = 0.0;
  double heading_rad = 0.0;
  double half_length_m = 0.0;  ///< along the heading
  double half_width_m = 0.0;
  /// Radius() of these half sizes when known (WithRadius), else negative: a footprint of an actor is
  /// made every step, its sizes never change, and hypot is not free.
  double radius_m = -1.0;

  /// The distance from the centre to a corner (the bounding circle's radius).
  [[nodiscard]] double Radius() const;
  /// This footprint with its radius computed once (copies keep it; the sizes must not change).
  [[nodiscard]] Footprint WithRadius() const;
};

/// The signed clearance between two footprints: when they are apart, the exact minimum distance
/// between them (> 0); when they touch or overlap, minus the penetration depth (<= 0), the length of
/// the shortest translation that separates them.
[[nodiscard]] double SignedClearance(const Footprint& a, const Footprint& b);

/// A footprint moved a fraction `u` in [0, 1] of the way from `from` to `to` (centre linearly, heading
/// linearly along the shorter way round; the sizes of `from`).
[[nodiscard]] Footprint Interpolate(const Footprint& from, const Footprint& to, double u);

/// The first contact of two moving footprints within one step.
struct Sweep {
  double fraction = 0.0;   ///< of the step at which the footprints first touch
  double clearance = 0.0;  ///< <= 0: the deepest SignedClearance found while they touch
};

/// The first time the footprints touch while `a` moves from `a0` to `a1` and `b` from `b0` to `b1`
/// (Interpolate), found by conservative advancement; nullopt when they never touch within the step.
/// `a0` and `b0` must be apart (SignedClearance > 0).
[[nodiscard]] std::optional<Sweep> SweepContact(const Footprint& a0, const Footprint& a1, const Footprint& b0,
                                                const Footprint& b1);

}  // namespace gauntlet::sim::internal
