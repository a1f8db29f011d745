#pragma once
// RoadNetwork: road and lane geometry, friction, and the lane graph.
//
// A network is built once per scenario instance from a RoadNetworkSpec (plain data, loaded from
// YAML by scenarios/) and is immutable afterwards. Roads are chains of straight and
// constant-curvature segments with several parallel lanes; junctions connect the end of one road's
// lanes to the start of another's. The lane graph (Boost.Graph) answers routes by shortest path.
//
// Coordinates: world frame x east, y north, heading counter-clockwise from +x, metres and radians.
// Along a lane, `s_m` is the arc length from the lane's start; the lateral offset is positive to the
// left of the lane's centre line. Lane ids are stable strings "road_id:lane_index" in the signals,
// small integers inside (LaneId).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/fields.h"

namespace gauntlet::sim {

using LaneId = int32_t;

/// A pose on the plane, with the curvature of the path at that point (1/m, positive to the left).
struct Pose2 {
  double x_m = 0.0;
  double y_m = 0.0;
  double heading_rad = 0.0;
  double curvature_1pm = 0.0;
};

/// Where a point lies relative to the lane network.
struct LanePosition {
  LaneId lane = -1;                 ///< -1 when off every lane
  double s_m = 0.0;                 ///< arc length along the lane
  double lateral_offset_m = 0.0;    ///< signed distance from the lane centre, positive left
  double heading_error_rad = 0.0;   ///< heading minus the lane's heading there, wrapped to (-pi, pi]
  bool on_road = false;             ///< inside the road's outer edges
};

}  // namespace gauntlet::sim
