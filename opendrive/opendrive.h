#pragma once
// OpenDRIVE 1.4-1.8 road networks: loading, road and lane coordinates, moving along lanes, routes.
//
// Network::Load reads an `.xodr` file (pugixml) into an immutable network in the file's inertial
// frame (x, y as the file defines them; the header's geoReference and offset are kept as data, not
// applied). Every problem of the file is reported at once as a core::InputError whose diagnostics
// read `file.xodr:line:col: error: ...`. Supported: planView `line`, `arc`, `spiral` (clothoid),
// `poly3`, `paramPoly3` (pRange arcLength and normalized); `laneOffset`; lane sections (singleSide
// too); lanes with `width` (or `border`) records, every lane type, lane links; road links to roads
// and junctions with contact points; junctions with connections and lane links; the road's `rule`
// (RHT/LHT). Ignored on purpose (docs/opendrive.md): elevation, superelevation and the rest of the
// lateral profile (the network is flat), signals, objects, road marks, surface, lane speed/material/
// access/height/rule, road type, userData, controllers, junction groups. Anything else is an error
// naming the element and listing what is supported at its place.
//
// Coordinates (OpenDRIVE): s is the arc length along a road's reference line, t the lateral
// coordinate, positive to the left of the reference line's direction. Lane ids are OpenDRIVE's: 0 is
// the centre lane (width 0, on the reference line shifted by laneOffset), positive ids to the left,
// negative to the right. In right-hand traffic (the default) negative lanes drive along +s and
// positive lanes against it; a road with rule="LHT" swaps this. A lane offset (as in OpenSCENARIO's
// LanePosition, and as esmini stores it) is measured along +t from the lane centre, whatever the
// lane's driving direction.
//
//   const opendrive::Network net = opendrive::Network::Load("data/openscenario/xodr/e6mini.xodr");
//   const opendrive::RoadIndex road = *net.FindRoad("0");
//   const opendrive::Pose pose = net.LaneToWorld({.road = road, .lane = -2, .s = 50.0});
//   const opendrive::LaneCoord where = *net.Locate(pose.x, pose.y, pose.heading);
//   opendrive::MoveResult next = net.MoveAlong(where.Position(), 30.0);  // 30 m ahead, across links
//   if (next.end_of_network) { /* OpenSCENARIO EndOfRoad */ }
//   const auto route = net.Route(where.Position(), next.position);   // lanes on the shortest path
//
// Every const method is thread-safe; copies share the immutable data and are cheap.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace gauntlet::opendrive {

/// Index of a road in Network::roads() (file order). -1 means none.
using RoadIndex = int32_t;
/// Index of a junction in Network::junctions() (file order). -1 means none.
using JunctionIndex = int32_t;

/// A pose on the plane: inertial x, y (m), heading (rad, counter-clockwise from +x, in (-pi, pi]),
/// and the curvature of the path there (1/m, positive turning left in the heading's direction).
struct Pose {
  double x = 0.0;
  double y = 0.0;
  double heading = 0.0;
  double curvature = 0.0;
};

/// A point on the plane (for drawing).
struct Point {
  double x = 0.0;
  double y = 0.0;
  friend bool operator==(const Point&, const Point&) = default;
};

/// a + b ds + c ds^2 + d ds^3: OpenDRIVE's cubic records (widths, lane offsets, poly3).
struct Cubic {
  double a = 0.0;
  double b = 0.0;
  double c = 0.0;
  double d = 0.0;

  /// The value at ds.
  [[nodiscard]] double Value(double ds) const { return a + ds * (b + ds * (c + ds * d)); }
  /// The derivative at ds.
  [[nodiscard]] double Slope(double ds) const { return b + ds * (2.0 * c + ds * 3.0 * d); }
};

/// A cubic that starts at `s` (relative to what owns it: the road for laneOffset, the lane
/// section for widths and borders) and holds until the next record's `s`.
struct CubicRecord {
  double s = 0.0;
  Cubic poly;
};

/// One planView record. `s`, (x, y, heading) and `length` are the record's; the kind's parameters
/// follow. Spiral: curvature goes linearly from `curv_start` to `curv_end`. Poly3: v(u) = `v` in
/// the local frame (u along the start heading). ParamPoly3: u(p) = `u`, v(p) = `v` with p in
/// [0, length] (`normalized` false, pRange arcLength) or [0, 1] (`normalized` true).
struct Geometry {
  enum class Kind { kLine, kArc, kSpiral, kPoly3, kParamPoly3 };
  Kind kind = Kind::kLine;
  double s = 0.0;
  double x = 0.0;
  double y = 0.0;
  double heading = 0.0;
  double length = 0.0;
  double curvature = 0.0;   ///< arc
  double curv_start = 0.0;  ///< spiral
  double curv_end = 0.0;    ///< spiral
  Cubic u;                  ///< paramPoly3
  Cubic v;                  ///< poly3 and paramPoly3
  bool normalized = true;   ///< paramPoly3 pRange
  core::SourcePos pos;
};

/// OpenDRIVE lane types (1.4-1.8); a type outside this list is an error when a file is read.
enum class LaneType {
  kNone, kDriving, kStop, kShoulder, kBiking, kSidewalk, kWalking, kBorder, kRestricted, kParking,
  kBidirectional, kMedian, kCurb, kEntry, kExit, kOnRamp, kOffRamp, kConnectingRamp, kSlipLane,
  kMwyEntry, kMwyExit, kBus, kTaxi, kHov, kTram, kRail, kRoadWorks, kSpecial1, kSpecial2, kSpecial3,
};
/// The type's name as written in OpenDRIVE ("driving", "onRamp", "HOV", ...).
[[nodiscard]] std::string_view LaneTypeName(LaneType type);
/// The type of an OpenDRIVE name (case-insensitive, as esmini reads them), if it is one.
[[nodiscard]] std::optional<LaneType> ParseLaneType(std::string_view name);
/// Lanes that motor vehicles drive on: driving, bidirectional, entry, exit, onRamp, offRamp,
/// connectingRamp, slipLane, mwyEntry, mwyExit, bus, taxi, HOV (esmini's "any driving").
[[nodiscard]] bool IsDrivable(LaneType type);

/// One lane of a lane section. Its lateral extent is given either by `widths` (the usual case; the
/// lane's width at ds from the record's s) or, when `widths` is empty, by `borders` (the lane's
/// outer border's |t| measured from the centre lane).
struct Lane {
  int id = 0;
  LaneType type = LaneType::kNone;
  std::vector<CubicRecord> widths;   ///< s relative to the lane section
  std::vector<CubicRecord> borders;  ///< s relative to the lane section
  std::optional<int> predecessor;    ///< lane id in the previous section or linked road
  std::optional<int> successor;      ///< lane id in the next section or linked road
  core::SourcePos pos;
};

/// Lanes from `s` to the next section's `s` (or the road's end). `lanes` are ordered by id from the
/// leftmost (largest id) to the rightmost; the centre lane 0 is included.
struct LaneSection {
  double s = 0.0;
  double s_end = 0.0;
  bool single_side = false;
  std::vector<Lane> lanes;
  core::SourcePos pos;

  /// The lane with OpenDRIVE id `id`, if the section has it.
  [[nodiscard]] const Lane* FindLane(int id) const;
};

/// Where a road's start or end is connected.
enum class ContactPoint { kNone, kStart, kEnd };

/// A road's predecessor or successor: another road (with the contact point on it) or a junction.
struct RoadLink {
  enum class Kind { kNone, kRoad, kJunction };
  Kind kind = Kind::kNone;
  std::string element_id;
  RoadIndex road = -1;               ///< when kind is kRoad
  JunctionIndex junction = -1;       ///< when kind is kJunction
  ContactPoint contact = ContactPoint::kNone;  ///< on the linked road (kRoad only)
};

/// One road.
struct Road {
  std::string id;
  std::string name;
  double length = 0.0;
  std::string junction_id = "-1";   ///< the junction this road belongs to, "-1" for none
  JunctionIndex junction = -1;
  bool left_hand_traffic = false;   ///< rule="LHT"
  RoadLink predecessor;
  RoadLink successor;
  std::vector<Geometry> geometry;      ///< planView, in s order
  std::vector<CubicRecord> lane_offsets;  ///< s relative to the road
  std::vector<LaneSection> sections;   ///< in s order, the first at s = 0
  core::SourcePos pos;
};

/// A lane link of a junction connection: lane `from` of the incoming road continues into lane `to`
/// of the connecting road.
struct JunctionLaneLink {
  int from = 0;
  int to = 0;
};

/// A junction connection: traffic from `incoming` enters `connecting` at its `contact` end.
struct Connection {
  std::string id;
  RoadIndex incoming = -1;
  RoadIndex connecting = -1;
  ContactPoint contact = ContactPoint::kStart;
  std::vector<JunctionLaneLink> lane_links;
  core::SourcePos pos;
};

/// A junction.
struct Junction {
  std::string id;
  std::string name;
  std::vector<Connection> connections;
  core::SourcePos pos;
};

/// The file's header: revision and the inertial frame's description (informational only).
struct Header {
  int rev_major = 1;
  int rev_minor = 4;
  std::string name;
  std::string geo_reference;  ///< the PROJ string, as written
  double offset_x = 0.0;      ///< header <offset> (not applied to positions)
  double offset_y = 0.0;
  double offset_z = 0.0;
  double offset_heading = 0.0;
};

/// A position in lane coordinates: `offset` (m) along +t from the lane centre at `s`.
struct LanePos {
  RoadIndex road = -1;
  int lane = 0;   ///< OpenDRIVE lane id, never 0 for a position on a lane
  double s = 0.0;
  double offset = 0.0;
  friend bool operator==(const LanePos&, const LanePos&) = default;
};

/// What Locate finds for a point.
struct LaneCoord {
  RoadIndex road = -1;
  int lane = 0;                  ///< lane containing the point (nearest lane centre if off the road)
  double s = 0.0;                ///< along the road, clamped to [0, length]
  double t = 0.0;                ///< lateral road coordinate of the point
  double offset = 0.0;           ///< t minus the lane centre's t
  double heading_relative = 0.0; ///< point heading minus the lane's driving heading, in (-pi, pi]
  double distance = 0.0;         ///< how far the point lies outside the road's outer borders and ends (0 on the road)
  bool on_road = false;          ///< inside the road's outer lane borders, between its ends

  /// The lane position (road, lane, s, offset) of the point.
  [[nodiscard]] LanePos Position() const { return {road, lane, s, offset}; }
};

/// Which successor to take where a lane continues into several lanes (a junction).
struct MovePreference {
  /// Roads in the order they should be driven (an OpenSCENARIO route): at a fork the successor on
  /// the next road of this list after the current one wins.
  std::vector<RoadIndex> route;
  /// Otherwise (or when the route does not decide): the successor whose heading changes least
  /// ("straight"), else the first in file order.
  enum class Fallback { kStraight, kFirst };
  Fallback fallback = Fallback::kStraight;
};

/// The result of MoveAlong.
struct MoveResult {
  LanePos position;             ///< where the move ended (the network's last point if it ended early)
  double moved = 0.0;           ///< distance actually travelled (|moved| < |distance| only at the network's end)
  bool end_of_network = false;  ///< no successor (or predecessor) lane was left to continue into
  int links_crossed = 0;        ///< road or lane-section boundaries crossed
};

/// One step of a route: a stretch of one lane of one lane section, driven in the lane's direction.
struct RouteStep {
  RoadIndex road = -1;
  int section = 0;  ///< index into Road::sections
  int lane = 0;
  friend bool operator==(const RouteStep&, const RouteStep&) = default;
};

/// A lane's border lines for drawing (inner: towards the centre lane; outer: away from it).
struct LaneOutline {
  RoadIndex road = -1;
  int section = 0;
  int lane = 0;
  LaneType type = LaneType::kNone;
  std::vector<Point> inner;
  std::vector<Point> outer;
};

/// An immutable OpenDRIVE road network.
class Network {
 public:
  /// An empty network (no roads).
  Network();

  /// Reads an `.xodr` file. Throws core::InputError with every problem of the file
  /// (`path:line:col: error: ...`), or at `path` when it cannot be read.
  [[nodiscard]] static Network Load(const std::string& path);
  /// Parses OpenDRIVE text; `name` is the file name used in diagnostics.
  [[nodiscard]] static Network LoadString(std::string_view xml, const std::string& name = "<string>");

  // The file's content.
  /// The header (revision, geoReference, offset).
  [[nodiscard]] const Header& header() const;
  /// Every road in file order; RoadIndex indexes this vector.
  [[nodiscard]] const std::vector<Road>& roads() const;
  /// Every junction in file order; JunctionIndex indexes this vector.
  [[nodiscard]] const std::vector<Junction>& junctions() const;
  /// Problems of the file that do not stop it from being played (position, message), e.g. a junction
  /// laneLink naming a lane that does not exist (the link is left out).
  [[nodiscard]] const std::vector<std::pair<core::SourcePos, std::string>>& warnings() const;
  /// The index of the road with OpenDRIVE id `id`, if there is one.
  [[nodiscard]] std::optional<RoadIndex> FindRoad(std::string_view id) const;
  /// The index of the junction with OpenDRIVE id `id`, if there is one.
  [[nodiscard]] std::optional<JunctionIndex> FindJunction(std::string_view id) const;
  /// The index of the lane section of `road` containing `s` (the last one whose s <= s; clamped).
  [[nodiscard]] int SectionAt(RoadIndex road, double s) const;
  /// The lane `lane` at `s`, nullptr when the section there has no such lane.
  [[nodiscard]] const Lane* LaneAt(RoadIndex road, int lane, double s) const;
  /// Whether lane `lane` of `road` drives along +s (negative ids in RHT, positive in LHT).
  [[nodiscard]] bool DrivesAlongS(RoadIndex road, int lane) const;

  // Road coordinates. s is clamped to [0, length]. Every RoadIndex argument must be valid
  // (0 <= road < roads().size()); lane ids that the section at s lacks count as width 0.
  /// The reference-line pose at (s, t): heading and curvature of the reference line at s (the
  /// curvature of the parallel curve at t).
  [[nodiscard]] Pose RoadToWorld(RoadIndex road, double s, double t = 0.0) const;
  /// The laneOffset at s (t of the centre lane).
  [[nodiscard]] double LaneOffset(RoadIndex road, double s) const;
  /// The width of lane `lane` at s (0 for the centre lane or a lane the section there lacks).
  [[nodiscard]] double LaneWidth(RoadIndex road, int lane, double s) const;
  /// The t of the lane's centre line at s, lane offset included (t of the reference-line centre lane
  /// for lane 0).
  [[nodiscard]] double LaneCentreT(RoadIndex road, int lane, double s) const;
  /// The t of the lane's inner and outer borders at s, lane offset included.
  [[nodiscard]] std::pair<double, double> LaneBordersT(RoadIndex road, int lane, double s) const;

  // Lane coordinates.
  /// The pose at `p` (lane centre + offset along t). The heading is the lane centre line's tangent
  /// (reference heading + atan(d t_centre / ds), as esmini), turned by pi for lanes driving against
  /// s: the driving direction.
  [[nodiscard]] Pose LaneToWorld(const LanePos& p) const;
  /// The lane's driving heading at s (as LaneToWorld) without computing the position.
  [[nodiscard]] double LaneHeading(RoadIndex road, int lane, double s) const;

  /// The road/lane coordinates of an inertial point. Among roads that contain the point, the one
  /// whose lane heading is closest to `heading` wins (roads overlap in junctions); if none contains
  /// it, the road nearest to it. With `hint`, a road containing the point is kept when it is the
  /// hint's road or one linked to it (successor/predecessor roads, through junctions), so an entity
  /// keeps its road through a junction. nullopt only when the network has no roads.
  [[nodiscard]] std::optional<LaneCoord> Locate(double x, double y, double heading = 0.0,
                                                std::optional<LanePos> hint = std::nullopt) const;
  /// Locate restricted to one road (nullopt when `road` is not valid).
  [[nodiscard]] std::optional<LaneCoord> LocateOnRoad(RoadIndex road, double x, double y, double heading = 0.0) const;
  /// LocateOnRoad measuring every segment of the sampled reference line (no pruning): the reference the
  /// tests hold LocateOnRoad to, bit for bit.
  [[nodiscard]] std::optional<LaneCoord> LocateOnRoadByFullScan(RoadIndex road, double x, double y,
                                                                double heading = 0.0) const;

  /// Moves `distance` metres along the lane in its driving direction (negative: backwards), keeping
  /// the offset along t (relative to the lane centre). Crosses lane sections and road links (roads
  /// and junctions), choosing among several successor lanes by `preference`. The distance is
  /// travelled at the position's lateral place: s advances by distance / (1 - curvature * t), with
  /// the reference curvature and the lateral coordinate t where the move starts, for the whole move
  /// (esmini's DistanceToDS). When no lane continues, the move stops at the network's end and
  /// `end_of_network` is set.
  [[nodiscard]] MoveResult MoveAlong(const LanePos& from, double distance,
                                     const MovePreference& preference = {}) const;
  /// The same, with `distance` measured along s of the reference line (no curvature scaling).
  [[nodiscard]] MoveResult MoveAlongS(const LanePos& from, double ds, const MovePreference& preference = {}) const;

  /// The lanes that lane `lane` of `road` continues into at its driving end (the next section, a
  /// linked road, or a junction's connecting roads) with the s where each is entered.
  [[nodiscard]] std::vector<LanePos> Successors(RoadIndex road, int lane, double s) const;
  /// The lanes that lead into lane `lane` of `road` at its driving start.
  [[nodiscard]] std::vector<LanePos> Predecessors(RoadIndex road, int lane, double s) const;

  /// The shortest route by length from `from` to `to` over the lane graph (following lanes into
  /// their successors, or changing to a neighbouring drivable lane of the same direction at a cost
  /// of `lane_change_cost` metres), as the lane stretches in driving order, first containing
  /// `from`, last containing `to`. nullopt when `to` cannot be reached.
  [[nodiscard]] std::optional<std::vector<RouteStep>> Route(const LanePos& from, const LanePos& to,
                                                            double lane_change_cost = 25.0) const;
  /// The length (m) of driving `route` from `from` to `to`, measured along s of each road (lane
  /// changes count 0): what Route minimises, less the lane-change costs.
  [[nodiscard]] double RouteLength(const std::vector<RouteStep>& route, const LanePos& from, const LanePos& to) const;

  // Drawing.
  /// The reference line of `road`, sampled every `step` metres at most (and at every geometry start).
  [[nodiscard]] std::vector<Point> ReferenceLine(RoadIndex road, double step = 1.0) const;
  /// Every lane's borders (lane 0 excluded), sampled every `step` metres at most.
  [[nodiscard]] std::vector<LaneOutline> LaneOutlines(double step = 1.0) const;

 private:
  struct Impl;
  explicit Network(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace gauntlet::opendrive
