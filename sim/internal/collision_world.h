#pragma once
// CollisionWorld: the actors' boxes in a Bullet btCollisionWorld (no rigid-body stepping).
//
// Private to sim/. One world per episode, never reset. Boxes stand on the ground (z from 0 to
// their height). The world serves the sensors' rays, which hit every box; contacts between actors
// come from footprint_geometry.h (one geometric truth), not from Bullet's pair tests (never run).
//
//   CollisionWorld world(/*expected_boxes=*/2);
//   const int ego = world.AddBox(2.25, 0.9, 0.75, CollisionWorld::Role::kEgo);
//   world.SetPose(ego, x, y, heading);
//   world.UpdateBounds();
//   const auto hit = world.CastRay(from, to, /*ignore=*/ego);

#include <cstdint>
#include <memory>
#include <vector>

namespace gauntlet::sim::internal {

class CollisionWorld {
 public:
  enum class Role { kEgo, kMoving, kStatic };
  struct Point3 {
    double x = 0.0, y = 0.0, z = 0.0;
  };
  struct RayHit {
    int box = -1;           ///< -1 when nothing is hit
    double fraction = 1.0;  ///< of the way from `from` to `to`
  };

  /// A world sized for about `expected_boxes` boxes (more may be added).
  explicit CollisionWorld(int expected_boxes);
  ~CollisionWorld();
  CollisionWorld(const CollisionWorld&) = delete;
  CollisionWorld& operator=(const CollisionWorld&) = delete;

  /// Adds a box with the given half extents (m); returns its index (0, 1, ...).
  int AddBox(double half_length_m, double half_width_m, double half_height_m, Role role);
  /// Places box `box`: centre (x, y) on the plane, yaw `heading_rad`.
  void SetPose(int box, double x_m, double y_m, double heading_rad);
  /// Refreshes the bounding boxes of the moved boxes for CastRay (after SetPose, before casting).
  void UpdateBounds();
  /// The first box the segment from..to meets, ignoring box `ignore`.
  [[nodiscard]] RayHit CastRay(const Point3& from, const Point3& to, int ignore) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gauntlet::sim::internal
