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
//
// Road geometry. A road's reference line is the centre line of its lane 0, the rightmost lane in the
// driving direction; it starts at (x_m, y_m) with heading heading_rad, and its segments follow one
// another with continuous position and heading (the curvature may jump). Lane i runs parallel to the
// reference line, i * lane_width_m to its left, so its curvature on a segment of reference curvature
// k is k / (1 - k * i * w) and its length is the segment's length times (1 - k * i * w): the left
// lane of a left curve is shorter. Every lane edge must keep a positive radius.
//
// Junctions. Roads that cross simply overlap; the lane graph comes from `connections` (the end of
// lane "a:0" continues into the start of lane "b:1"; the two points must be within
// kMaxConnectionGap_m, the headings within kMaxConnectionHeadingJump_rad) and from lane changes
// between neighbouring lanes of one road (cost `lane_change_cost_m` in routes).
//
//   RoadNetworkSpec spec;
//   spec.roads.push_back({.id = "main", .lanes = 2, .segments = {{.length_m = 200.0},
//                                                                  {.length_m = 100.0, .curvature_1pm = 0.01}}});
//   std::vector<core::FieldError> errors;
//   const RoadNetwork net = RoadNetwork::Build(spec, &errors);    // errors: every problem at once
//   const LaneId lane = *net.FindLane("main:1");
//   const Pose2 pose = net.PoseAt(lane, 250.0, 0.0);              // on the curve, lane 1 centre
//   const LanePosition where = net.Locate(pose.x_m, pose.y_m, pose.heading_rad, lane);
//
// Caveats: no clothoids (curvature jumps between segments); no elevation; lanes of one road all
// drive the same way (model a two-way street as two roads). Every const method is thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

/// A point on the plane (for drawing).
struct Point2 {
  double x_m = 0.0;
  double y_m = 0.0;
  friend bool operator==(const Point2&, const Point2&) = default;
};

/// Where a point lies relative to the lane network.
struct LanePosition {
  LaneId lane = -1;                 ///< the nearest lane; -1 only when the network has no lanes
  double s_m = 0.0;                 ///< arc length along the lane (< 0 before its start, > length after its end)
  double lateral_offset_m = 0.0;    ///< signed distance from the lane centre, positive left
  double heading_error_rad = 0.0;   ///< heading minus the lane's heading there, wrapped to (-pi, pi]
  bool on_road = false;             ///< inside the road's outer edges and between its ends
};

/// One piece of a road: straight (curvature 0) or a circular arc. Curvature is that of the road's
/// reference line (lane 0's centre), positive turning left.
struct RoadSegmentSpec {
  double length_m = 0.0;                 ///< along the reference line
  double curvature_1pm = 0.0;
  std::optional<double> friction = std::nullopt;  ///< overrides the road's friction on this segment

  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("length_m", &length_m, core::kRequired);
    a->Visit("curvature_1pm", &curvature_1pm);
    a->Visit("friction", &friction);
  }
};

/// One road: parallel lanes along a chain of segments. Lane 0 is the rightmost in the driving
/// direction; (x_m, y_m, heading_rad) is the start of lane 0's centre line.
struct RoadSpec {
  std::string id;                        ///< unique, no ':'
  double x_m = 0.0;
  double y_m = 0.0;
  double heading_rad = 0.0;
  int lanes = 1;
  double lane_width_m = 3.5;
  double friction = 1.0;                 ///< tyre-road friction coefficient
  std::vector<RoadSegmentSpec> segments;

  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("id", &id, core::kRequired);
    a->Visit("x_m", &x_m);
    a->Visit("y_m", &y_m);
    a->Visit("heading_rad", &heading_rad);
    a->Visit("lanes", &lanes);
    a->Visit("lane_width_m", &lane_width_m);
    a->Visit("friction", &friction);
    a->Visit("segments", &segments, core::kRequired);
  }
};

/// The end of lane `from` ("road_id:lane_index") continues into the start of lane `to`.
struct ConnectionSpec {
  std::string from;
  std::string to;

  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("from", &from, core::kRequired);
    a->Visit("to", &to, core::kRequired);
  }
};

/// A whole road network (the `road` field of a world spec).
struct RoadNetworkSpec {
  std::vector<RoadSpec> roads;
  std::vector<ConnectionSpec> connections;
  double lane_change_cost_m = 25.0;      ///< what one lane change adds to a route's length

  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("roads", &roads);
    a->Visit("connections", &connections);
    a->Visit("lane_change_cost_m", &lane_change_cost_m);
  }
};

/// An immutable road network. Cheap to query; every const method is thread-safe.
class RoadNetwork {
 public:
  /// Limits on absurd input.
  static constexpr int kMaxLanes = 64;
  static constexpr double kMaxLaneWidth_m = 100.0;
  static constexpr double kMaxSegmentLength_m = 1e6;
  /// Largest allowed distance between a connected lane end and lane start.
  static constexpr double kMaxConnectionGap_m = 0.5;
  /// Largest allowed heading jump across a connection (45 degrees).
  static constexpr double kMaxConnectionHeadingJump_rad = 0.7853981633974483;

  /// An empty network (no roads): Locate gives lane -1, Route gives nothing. Copies share the
  /// immutable geometry, so copying is cheap.
  RoadNetwork();

  /// Builds a network, appending every problem of `spec` to `*errors` (not null) with field paths
  /// under `path` ("road.roads[1].segments[0].length_m"). When any problem is found the returned
  /// network is empty.
  [[nodiscard]] static RoadNetwork Build(const RoadNetworkSpec& spec, std::vector<core::FieldError>* errors,
                                         std::string_view path = "road");

  // Lanes.
  [[nodiscard]] size_t lane_count() const;
  /// The lane named "road_id:lane_index", if it exists.
  [[nodiscard]] std::optional<LaneId> FindLane(std::string_view name) const;
  /// Every lane name, in LaneId order (roads in spec order, lanes from right to left).
  [[nodiscard]] std::vector<std::string> LaneNames() const;
  [[nodiscard]] std::string LaneName(LaneId lane) const;
  [[nodiscard]] double LaneLength(LaneId lane) const;
  [[nodiscard]] double LaneWidth(LaneId lane) const;
  /// Index of the lane's road in the spec, and the lane's index on that road (0 = rightmost).
  [[nodiscard]] size_t LaneRoad(LaneId lane) const;
  [[nodiscard]] int LaneIndex(LaneId lane) const;

  /// The pose `s_m` along `lane`, `lateral_offset_m` to the left of its centre. Beyond the lane's
  /// ends the pose is extrapolated along the straight tangent there (curvature 0).
  [[nodiscard]] Pose2 PoseAt(LaneId lane, double s_m, double lateral_offset_m = 0.0) const;
  /// The largest |curvature| (1/m) of the lane's centre line over its whole length.
  [[nodiscard]] double MaxCurvature(LaneId lane) const;

  /// The lane position of a point. Among roads containing the point, the one whose driving direction
  /// is closest to `heading_rad` wins (crossing roads overlap at junctions); if none contains it, the
  /// nearest road. When `hint` (usually the actor's lane at the previous step) is given and the
  /// point is on the hint's road or on the road of one of its successors, that road is used without
  /// a search, so an actor keeps its road through a junction.
  [[nodiscard]] LanePosition Locate(double x_m, double y_m, double heading_rad, LaneId hint = -1) const;

  /// Friction coefficient at `s_m` along `lane` (the segment's override, else the road's).
  [[nodiscard]] double FrictionAt(LaneId lane, double s_m) const;

  // Lane graph.
  [[nodiscard]] double lane_change_cost_m() const;
  /// Shortest route from `from` to `to` (both included) by length: following a lane into a
  /// successor costs the lane's length, a change to a neighbour lane costs lane_change_cost_m.
  /// nullopt when `to` cannot be reached. Route(a, a) is {a}.
  [[nodiscard]] std::optional<std::vector<LaneId>> Route(LaneId from, LaneId to) const;
  /// The cost of a route as Route measures it (for checks; each step must be an edge of the graph).
  [[nodiscard]] double RouteCost(const std::vector<LaneId>& route) const;
  [[nodiscard]] std::optional<LaneId> LeftNeighbour(LaneId lane) const;
  [[nodiscard]] std::optional<LaneId> RightNeighbour(LaneId lane) const;
  /// Lanes the end of `lane` continues into (from the connections), in spec order.
  [[nodiscard]] const std::vector<LaneId>& Successors(LaneId lane) const;
  [[nodiscard]] const std::vector<LaneId>& Predecessors(LaneId lane) const;

  // Geometry for drawing. Straight pieces give their two ends; arcs are sampled so that the chord
  // deviates from the arc by at most `tolerance_m`.
  [[nodiscard]] size_t road_count() const;
  [[nodiscard]] int RoadLaneCount(size_t road) const;
  /// Boundary `b` of road `road`: 0 is the right edge, RoadLaneCount(road) the left edge, the others
  /// separate lane b-1 from lane b.
  [[nodiscard]] std::vector<Point2> RoadBoundary(size_t road, int boundary, double tolerance_m = 0.05) const;
  /// The road's outline as a closed polygon (right edge forward, left edge backward).
  [[nodiscard]] std::vector<Point2> RoadOutline(size_t road, double tolerance_m = 0.05) const;
  /// A lane's centre line.
  [[nodiscard]] std::vector<Point2> LaneCentreLine(LaneId lane, double tolerance_m = 0.05) const;

 private:
  struct Impl;
  struct Builder;  // Build's sections (road_network.cc)
  explicit RoadNetwork(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace gauntlet::sim
