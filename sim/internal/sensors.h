#pragma once
// Sensors: the ray sensors (RaySensorSpec) and detectors (DetectorSpec) of an episode, the last block
// of its signal row.
//
// Private to sim/. Built once per episode from the spec; Measure casts their rays in the episode's
// CollisionWorld (whose poses the caller has brought up to date) and writes their columns, in sensor
// order: a ray sensor one column per ray (`<s>.r<i>`), a detector kSignalsPerDetection per target
// (signal_table.h).
//
//   Sensors sensors(spec, ego, /*first_column=*/pair_end);
//   const size_t signal_count = sensors.end_column();
//   sensors.Measure(actors, collision, row);

#include <cstddef>
#include <span>
#include <vector>

#include "sim/internal/actor.h"
#include "sim/internal/collision_world.h"
#include "sim/world_spec.h"

namespace gauntlet::sim::internal {

class Sensors {
 public:
  Sensors() = default;
  /// The sensors of `spec` (a validated world whose ego is actor `ego`), their columns from `first_column`.
  Sensors(const WorldSpec& spec, int ego, size_t first_column);

  /// True when the world has no sensor (no rays to cast).
  [[nodiscard]] bool empty() const { return rays_.empty() && detectors_.empty(); }
  /// One past the last column the sensors write.
  [[nodiscard]] size_t end_column() const { return end_column_; }
  /// Writes every sensor's columns of `row` from the actors' current state; `collision` holds their
  /// current poses (CollisionWorld::UpdateBounds done).
  void Measure(const std::vector<Actor>& actors, const CollisionWorld& collision, std::span<double> row) const;

 private:
  struct RaySensor {
    int host = 0;
    double range_m = 0.0;
    double height_m = 0.0;
    std::vector<double> angles_rad;
    size_t column = 0;
  };
  struct Detector {
    int host = 0;
    double range_m = 0.0;
    double half_fov_rad = 0.0;
    double height_m = 0.0;
    std::vector<int> targets;
    size_t column = 0;
  };

  std::vector<RaySensor> rays_;
  std::vector<Detector> detectors_;
  size_t end_column_ = 0;
};

}  // namespace gauntlet::sim::internal
