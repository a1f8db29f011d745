#include "sim/road_network.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numbers>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

#include "core/check.h"
#include "core/format.h"
#include "core/suggest.h"
#include "sim/internal/trig.h"

namespace gauntlet::sim {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Wraps an angle to (-pi, pi].
double WrapAngle(double a) {
  if (a > -kPi && a <= kPi) return a;
  a = std::remainder(a, 2.0 * kPi);  // in [-pi, pi]
  if (a <= -kPi) a += 2.0 * kPi;
  return a;
}

/// sin(x) / x, accurate near 0.
double Sinc(double x) {
  if (std::abs(x) < 1e-4) return 1.0 - x * x / 6.0;
  return std::sin(x) / x;
}

/// A computed quantity in a message: three significant digits.
std::string Short(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", value);
  return buffer;
}

/// An axis-aligned box, for skipping far segments and roads.
struct Box {
  double x0 = std::numeric_limits<double>::infinity();
  double y0 = std::numeric_limits<double>::infinity();
  double x1 = -std::numeric_limits<double>::infinity();
  double y1 = -std::numeric_limits<double>::infinity();

  void Grow(double x, double y) {
    x0 = std::min(x0, x);
    y0 = std::min(y0, y);
    x1 = std::max(x1, x);
    y1 = std::max(y1, y);
  }
  void Grow(const Box& b) {
    Grow(b.x0, b.y0);
    Grow(b.x1, b.y1);
  }
  [[nodiscard]] Box Expanded(double margin) const { return {x0 - margin, y0 - margin, x1 + margin, y1 + margin}; }
  /// Squared distance from a point to the box (0 inside): a lower bound for anything inside.
  [[nodiscard]] double Distance2(double x, double y) const {
    const double dx = std::max({0.0, x0 - x, x - x1});
    const double dy = std::max({0.0, y0 - y, y - y1});
    return dx * dx + dy * dy;
  }
};

struct RefPose {
  double x = 0.0;
  double y = 0.0;
  double h = 0.0;
};

/// The pose `t` metres along a path of constant curvature `k` starting at `p` (exact chord form).
RefPose Advance(const RefPose& p, double k, double t) {
  const double half = 0.5 * k * t;
  const double chord = t * Sinc(half);
  const double a = p.h + half;
  const internal::SinCos h = internal::SinCosOf(a);
  return {p.x + chord * h.cos, p.y + chord * h.sin, p.h + k * t};
}

}  // namespace

struct RoadNetwork::Impl {
  struct Segment {
    double s0 = 0.0;        // start along the reference line
    double length = 0.0;    // along the reference line
    double k = 0.0;         // reference curvature
    RefPose start;          // reference pose at the start (heading unwrapped)
    double friction = 1.0;
    double cos_h = 1.0;     // of start.h
    double sin_h = 0.0;
    double cx = 0.0;        // centre of the arc (k != 0)
    double cy = 0.0;
    Box box;                // holds the reference line of the segment
  };
  struct Road {
    std::string id;
    int lanes = 1;
    double width = 3.5;
    std::vector<Segment> segments;
    double length = 0.0;    // reference length
    RefPose end;            // reference pose at the end
    LaneId first_lane = 0;
    Box area;               // holds the road between its edges
  };
  struct Lane {
    size_t road = 0;
    int index = 0;
    double offset = 0.0;               // left of the reference line
    std::vector<double> segment_s;     // lane arc length at each segment start, then the total
    double length = 0.0;
    std::string name;
    std::vector<LaneId> successors;
    std::vector<LaneId> predecessors;
  };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                                      boost::property<boost::edge_weight_t, double>>;

  std::vector<Road> roads;
  std::vector<Lane> lanes;
  std::map<std::string, LaneId, std::less<>> lane_by_name;
  double lane_change_cost = 25.0;
  Graph graph;

  // Geometry helpers.
  /// Segment index of lane arc length s (clamped to the lane).
  size_t SegmentOfLaneS(const Lane& lane, double s) const {
    const auto& ss = lane.segment_s;
    const size_t n = ss.size() - 1;
    const auto it = std::upper_bound(ss.begin(), ss.begin() + static_cast<std::ptrdiff_t>(n), s);
    if (it == ss.begin()) return 0;
    return static_cast<size_t>(it - ss.begin()) - 1;
  }

  /// Projection of a point on one road's reference line (with its straight extensions).
  struct Projection {
    double u = 0.0;           // reference arc length, < 0 or > length on the extensions
    double d = 0.0;           // signed offset to the left of the reference line
    double heading = 0.0;     // reference heading at the foot
    double k = 0.0;           // reference curvature at the foot (0 on the extensions)
    size_t segment = 0;
    double distance2 = kInf;
  };

  Projection Project(const Road& road, double px, double py) const {
    Projection best;
    auto consider = [&](size_t segment, double u, const RefPose& foot, double k) {
      const double dx = px - foot.x;
      const double dy = py - foot.y;
      const double d2 = dx * dx + dy * dy;
      if (d2 < best.distance2) {
        best.distance2 = d2;
        best.u = u;
        const internal::SinCos h = internal::SinCosOf(foot.h);
        best.d = -h.sin * dx + h.cos * dy;
        best.heading = foot.h;
        best.k = k;
        best.segment = segment;
      }
    };
    const size_t n = road.segments.size();
    // the straight extensions before the start and after the end
    {
      const Segment& first = road.segments[0];
      const double t = first.cos_h * (px - first.start.x) + first.sin_h * (py - first.start.y);
      if (t < 0.0) consider(0, t, Advance(first.start, 0.0, t), 0.0);
      const RefPose& pe = road.end;
      const internal::SinCos he = internal::SinCosOf(pe.h);
      const double te = he.cos * (px - pe.x) + he.sin * (py - pe.y);
      if (te > 0.0) consider(n - 1, road.length + te, Advance(pe, 0.0, te), 0.0);
    }
    auto project_segment = [&](size_t j) {
      const Segment& seg = road.segments[j];
      double t = 0.0;
      if (seg.k == 0.0) {
        t = seg.cos_h * (px - seg.start.x) + seg.sin_h * (py - seg.start.y);
        t = std::clamp(t, 0.0, seg.length);
      } else {
        const double vx = px - seg.cx;
        const double vy = py - seg.cy;
        if (vx == 0.0 && vy == 0.0) {
          t = 0.0;  // the centre: every point of the arc is as near
        } else {
          const double h = seg.k > 0.0 ? std::atan2(vx, -vy) : std::atan2(-vx, vy);
          double a = std::fmod((seg.k > 0.0 ? 1.0 : -1.0) * (h - seg.start.h), 2.0 * kPi);
          if (a < 0.0) a += 2.0 * kPi;
          t = a / std::abs(seg.k);
          if (t > seg.length) {
            // in the gap of the circle: the nearer end
            const RefPose end = Advance(seg.start, seg.k, seg.length);
            const double d0 = std::hypot(px - seg.start.x, py - seg.start.y);
            const double d1 = std::hypot(px - end.x, py - end.y);
            t = d0 <= d1 ? 0.0 : seg.length;
          }
        }
      }
      consider(j, seg.s0 + t, Advance(seg.start, seg.k, t), seg.k);
    };
    // the segment whose box is nearest first, then only those whose box may hold a nearer point
    size_t nearest = 0;
    double nearest_bound = kInf;
    for (size_t j = 0; j < n; ++j) {
      const double bound = road.segments[j].box.Distance2(px, py);
      if (bound < nearest_bound) {
        nearest_bound = bound;
        nearest = j;
      }
    }
    project_segment(nearest);
    for (size_t j = 0; j < n; ++j) {
      if (j != nearest && road.segments[j].box.Distance2(px, py) <= best.distance2) project_segment(j);
    }
    return best;
  }

  /// Lane arc length on `lane` of the reference arc length u (segment known).
  double LaneS(const Road& road, const Lane& lane, const Projection& p) const {
    if (p.u < 0.0) return p.u;
    if (p.u > road.length) return lane.length + (p.u - road.length);
    const Segment& seg = road.segments[p.segment];
    return lane.segment_s[p.segment] + (p.u - seg.s0) * (1.0 - seg.k * lane.offset);
  }

  /// How far a projected point lies outside the road's area (0 inside).
  static double OutsideDistance(const Road& road, const Projection& p) {
    const double along = std::max({0.0, -p.u, p.u - road.length});
    const double half = 0.5 * road.width;
    const double across = std::max({0.0, -half - p.d, p.d - ((road.lanes - 1) * road.width + half)});
    return internal::Hypot(along, across);
  }

  LanePosition PositionOn(const Road& road, const Projection& p, double heading) const {
    const int index = std::clamp(static_cast<int>(std::lround(p.d / road.width)), 0, road.lanes - 1);
    const LaneId id = road.first_lane + index;
    const Lane& lane = lanes[static_cast<size_t>(id)];
    LanePosition out;
    out.lane = id;
    out.s_m = LaneS(road, lane, p);
    out.lateral_offset_m = p.d - lane.offset;
    out.heading_error_rad = WrapAngle(heading - p.heading);
    out.on_road = OutsideDistance(road, p) == 0.0;
    return out;
  }
};

RoadNetwork::RoadNetwork() : impl_(std::make_shared<const Impl>()) {}

RoadNetwork::RoadNetwork(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

// RoadNetwork::Build's state, one method per section: each road's fields and segments, the lane
// names, the geometry and lanes of the valid roads, the connections, the lane graph.
struct RoadNetwork::Builder {
  struct LaneRef {
    size_t road = 0;
    int index = 0;
  };

  Builder(const RoadNetworkSpec& spec, std::vector<core::FieldError>* errors, std::string_view path)
      : spec(spec), errors(errors), path(path), roads_path(core::JoinPath(path, "roads")),
        road_valid(spec.roads.size(), true), road_named(spec.roads.size(), true), road_slot(spec.roads.size()) {}

  void Error(std::string field_path, std::string message) {
    errors->push_back({std::move(field_path), std::move(message)});
  }

  /// Checks every field of road `i`, marking it unusable for geometry (and for names) as it goes.
  void CheckRoad(size_t i) {
    const RoadSpec& road = spec.roads[i];
    const std::string rp = core::IndexPath(roads_path, i);
    auto invalid = [&](std::string field, std::string message) {
      Error(core::JoinPath(rp, field), std::move(message));
      road_valid[i] = false;
    };
    if (road.id.empty()) {
      invalid("id", "road id must not be empty");
      road_named[i] = false;
    } else if (road.id.find(':') != std::string::npos) {
      invalid("id", "road id '" + road.id + "' must not contain ':'");
      road_named[i] = false;
    } else if (const auto it = road_by_id.find(road.id); it != road_by_id.end()) {
      invalid("id", "duplicate road id '" + road.id + "' (also " +
                        core::JoinPath(core::IndexPath(roads_path, it->second), "id") + ")");
      road_named[i] = false;
    } else {
      road_by_id.emplace(road.id, i);
    }
    const std::pair<const char*, double> coordinates[] = {
        {"x_m", road.x_m}, {"y_m", road.y_m}, {"heading_rad", road.heading_rad}};
    for (const auto& [name, value] : coordinates) {
      if (!std::isfinite(value)) invalid(name, std::string(name) + " must be finite, got " + core::FormatDouble(value));
    }
    if (road.lanes < 1) {
      invalid("lanes", "lanes must be at least 1, got " + std::to_string(road.lanes));
      road_named[i] = false;
    } else if (road.lanes > kMaxLanes) {
      invalid("lanes", "lanes must be at most " + std::to_string(kMaxLanes) + ", got " + std::to_string(road.lanes));
      road_named[i] = false;
    }
    const bool width_ok =
        std::isfinite(road.lane_width_m) && road.lane_width_m > 0.0 && road.lane_width_m <= kMaxLaneWidth_m;
    if (!(std::isfinite(road.lane_width_m) && road.lane_width_m > 0.0)) {
      invalid("lane_width_m", "lane_width_m must be positive, got " + core::FormatDouble(road.lane_width_m));
    } else if (!width_ok) {
      invalid("lane_width_m", "lane_width_m must be at most " + core::FormatDouble(kMaxLaneWidth_m) + ", got " +
                                  core::FormatDouble(road.lane_width_m));
    }
    if (!(std::isfinite(road.friction) && road.friction > 0.0)) {
      invalid("friction", "friction must be positive, got " + core::FormatDouble(road.friction));
    }
    if (road.segments.empty()) invalid("segments", "a road needs at least one segment");
    for (size_t j = 0; j < road.segments.size(); ++j) CheckSegment(i, j, width_ok);
  }

  /// Checks segment `j` of road `i` (`width_ok`: the road's lane width is usable).
  void CheckSegment(size_t i, size_t j, bool width_ok) {
    const RoadSpec& road = spec.roads[i];
    const RoadSegmentSpec& seg = road.segments[j];
    const std::string sp = core::IndexPath(core::JoinPath(core::IndexPath(roads_path, i), "segments"), j);
    auto invalid_segment = [&](std::string field, std::string message) {
      Error(core::JoinPath(sp, field), std::move(message));
      road_valid[i] = false;
    };
    if (!(std::isfinite(seg.length_m) && seg.length_m > 0.0)) {
      invalid_segment("length_m", "length_m must be positive, got " + core::FormatDouble(seg.length_m));
    } else if (seg.length_m > kMaxSegmentLength_m) {
      invalid_segment("length_m", "length_m must be at most " + std::to_string(static_cast<int64_t>(kMaxSegmentLength_m)) +
                                      ", got " + core::FormatDouble(seg.length_m));
    }
    if (seg.friction && !(std::isfinite(*seg.friction) && *seg.friction > 0.0)) {
      invalid_segment("friction", "friction must be positive, got " + core::FormatDouble(*seg.friction));
    }
    const double k = seg.curvature_1pm;
    if (!std::isfinite(k)) {
      invalid_segment("curvature_1pm", "curvature_1pm must be finite, got " + core::FormatDouble(k));
    } else if (k != 0.0 && road.lanes >= 1 && width_ok) {
      // every lane edge keeps a positive radius: 1 - k * d > 0 on [-w/2, (lanes - 1/2) w]
      const double w = road.lane_width_m;
      const bool left = k > 0.0;
      const double inner = left ? (road.lanes - 0.5) * w : -0.5 * w;
      if (1.0 - k * inner <= 0.0) {
        const double radius = 1.0 / std::abs(k) - std::abs(inner);
        const double limit = 1.0 / std::abs(inner);
        const std::string edge =
            left ? "left edge of lane " + std::to_string(road.lanes - 1) : std::string("right edge of lane 0");
        invalid_segment("curvature_1pm",
                        "curvature_1pm " + core::FormatDouble(k) + " gives the " + edge + " a radius of " +
                            Short(radius) + " m; every lane edge needs a positive radius, so |curvature_1pm| " +
                            "must be below " + Short(limit) + " for a " + (left ? "left" : "right") +
                            " turn with " + std::to_string(road.lanes) + " lane" + (road.lanes == 1 ? "" : "s") +
                            " " + core::FormatDouble(w) + " m wide");
      }
    }
  }

  /// The lane names of every road with a usable id and lane count, so that connections can be checked
  /// even when another field of the road is wrong.
  void NameLanes() {
    for (size_t i = 0; i < spec.roads.size(); ++i) {
      if (!road_named[i]) continue;
      for (int lane = 0; lane < spec.roads[i].lanes; ++lane) {
        all_lane_names.push_back(spec.roads[i].id + ":" + std::to_string(lane));
      }
    }
  }

  /// Lays out the geometry and the lanes of valid road `i`.
  void LayOutRoad(size_t i) {
    const RoadSpec& rs = spec.roads[i];
    Impl::Road road;
    road.id = rs.id;
    road.lanes = rs.lanes;
    road.width = rs.lane_width_m;
    road.first_lane = static_cast<LaneId>(impl->lanes.size());
    RefPose pose{rs.x_m, rs.y_m, rs.heading_rad};
    double s0 = 0.0;
    const double reach = std::max(0.5, rs.lanes - 0.5) * rs.lane_width_m;  // farthest edge from the reference
    for (const RoadSegmentSpec& seg_spec : rs.segments) {
      Impl::Segment seg;
      seg.s0 = s0;
      seg.length = seg_spec.length_m;
      seg.k = seg_spec.curvature_1pm;
      seg.start = pose;
      seg.friction = seg_spec.friction.value_or(rs.friction);
      seg.cos_h = std::cos(pose.h);
      seg.sin_h = std::sin(pose.h);
      if (seg.k != 0.0) {
        seg.cx = pose.x - seg.sin_h / seg.k;
        seg.cy = pose.y + seg.cos_h / seg.k;
      }
      // the box of the reference line: samples, grown by the largest sagitta between them
      constexpr int kPieces = 32;
      for (int i = 0; i <= kPieces; ++i) {
        const RefPose p = Advance(pose, seg.k, seg.length * i / kPieces);
        seg.box.Grow(p.x, p.y);
      }
      if (seg.k != 0.0) {
        const double step = std::min(std::abs(seg.k) * seg.length / kPieces, kPi);
        seg.box = seg.box.Expanded((1.0 - std::cos(0.5 * step)) / std::abs(seg.k) + 1e-9);
      }
      road.area.Grow(seg.box.Expanded(reach));
      road.segments.push_back(seg);
      pose = Advance(pose, seg.k, seg.length);
      s0 += seg.length;
    }
    road.length = s0;
    road.end = pose;
    for (int index = 0; index < rs.lanes; ++index) {
      Impl::Lane lane;
      lane.road = impl->roads.size();
      lane.index = index;
      lane.offset = index * rs.lane_width_m;
      lane.name = rs.id + ":" + std::to_string(index);
      double s = 0.0;
      for (const Impl::Segment& seg : road.segments) {
        lane.segment_s.push_back(s);
        s += seg.length * (1.0 - seg.k * lane.offset);
      }
      lane.segment_s.push_back(s);
      lane.length = s;
      impl->lane_by_name.emplace(lane.name, static_cast<LaneId>(impl->lanes.size()));
      impl->lanes.push_back(std::move(lane));
    }
    road_slot[i] = impl->roads.size();
    impl->roads.push_back(std::move(road));
  }

  /// The road and lane index of lane `name` ("road_id:lane_index"), or nullopt after an error at
  /// `field_path`.
  std::optional<LaneRef> ResolveLane(const std::string& name, const std::string& field_path) {
    const size_t colon = name.rfind(':');
    int index = -1;
    bool parsed = false;
    if (colon != std::string::npos && colon + 1 < name.size()) {
      const char* first = name.data() + colon + 1;
      const char* last = name.data() + name.size();
      const auto result = std::from_chars(first, last, index);
      parsed = result.ec == std::errc() && result.ptr == last;
    }
    if (!parsed) {
      const auto road = road_by_id.find(name);
      const std::string hint = road != road_by_id.end() && road_named[road->second]
                                   ? " (did you mean '" + name + ":0'?)"
                                   : core::DidYouMean(name, all_lane_names);
      Error(field_path, "lane '" + name + "' must be written 'road_id:lane_index'" + hint);
      return std::nullopt;
    }
    const std::string road_id = name.substr(0, colon);
    const auto it = road_by_id.find(road_id);
    if (it == road_by_id.end() || !road_named[it->second]) {
      Error(field_path, "unknown lane '" + name + "'" + core::DidYouMean(name, all_lane_names));
      return std::nullopt;
    }
    const int lanes = spec.roads[it->second].lanes;
    if (index < 0 || index >= lanes) {
      Error(field_path, "unknown lane '" + name + "': road '" + road_id + "' has " +
                            (lanes == 1 ? std::string("only lane 0") : "lanes 0 to " + std::to_string(lanes - 1)));
      return std::nullopt;
    }
    return LaneRef{it->second, index};
  }

  /// Checks connection `c` and, when the end of its first lane meets the start of its second, links them.
  void Connect(size_t c) {
    const std::string connections_path = core::JoinPath(path, "connections");
    const ConnectionSpec& conn = spec.connections[c];
    const std::string cp = core::IndexPath(connections_path, c);
    const auto from = ResolveLane(conn.from, core::JoinPath(cp, "from"));
    const auto to = ResolveLane(conn.to, core::JoinPath(cp, "to"));
    if (!from || !to || !road_slot[from->road] || !road_slot[to->road]) return;
    const LaneId a = impl->roads[*road_slot[from->road]].first_lane + from->index;
    const LaneId b = impl->roads[*road_slot[to->road]].first_lane + to->index;
    if (const auto it = seen_connections.find({a, b}); it != seen_connections.end()) {
      Error(cp, "duplicate connection '" + conn.from + "' -> '" + conn.to + "' (also " +
                    core::IndexPath(connections_path, it->second) + ")");
      return;
    }
    seen_connections.emplace(std::pair{a, b}, c);
    // the end of a must meet the start of b
    const Impl::Lane& la = impl->lanes[static_cast<size_t>(a)];
    const Impl::Lane& lb = impl->lanes[static_cast<size_t>(b)];
    const Impl::Road& ra = impl->roads[la.road];
    const Impl::Road& rb = impl->roads[lb.road];
    const RefPose end = ra.end;
    const RefPose start = rb.segments[0].start;
    const double ex = end.x - la.offset * std::sin(end.h);
    const double ey = end.y + la.offset * std::cos(end.h);
    const double sx = start.x - lb.offset * std::sin(start.h);
    const double sy = start.y + lb.offset * std::cos(start.h);
    const double gap = std::hypot(sx - ex, sy - ey);
    const double turn = std::abs(WrapAngle(start.h - end.h));
    bool ok = true;
    if (gap > kMaxConnectionGap_m) {
      Error(cp, "lane '" + conn.from + "' ends " + Short(gap) + " m from the start of lane '" + conn.to +
                    "' (at most " + core::FormatDouble(kMaxConnectionGap_m) + " m allowed)");
      ok = false;
    }
    if (turn > kMaxConnectionHeadingJump_rad) {
      Error(cp, "lane '" + conn.from + "' ends heading " + Short(turn * 180.0 / kPi) +
                    " deg away from the start of lane '" + conn.to + "' (at most " +
                    Short(kMaxConnectionHeadingJump_rad * 180.0 / kPi) + " deg allowed)");
      ok = false;
    }
    if (!ok) return;
    impl->lanes[static_cast<size_t>(a)].successors.push_back(b);
    impl->lanes[static_cast<size_t>(b)].predecessors.push_back(a);
  }

  /// The lane graph: successor edges cost the lane's length, lane changes a fixed cost.
  void BuildLaneGraph() {
    impl->lane_change_cost = spec.lane_change_cost_m;
    for (size_t id = 0; id < impl->lanes.size(); ++id) boost::add_vertex(impl->graph);
    for (size_t id = 0; id < impl->lanes.size(); ++id) {
      const Impl::Lane& lane = impl->lanes[id];
      for (const LaneId next : lane.successors) {
        boost::add_edge(id, static_cast<size_t>(next), lane.length, impl->graph);
      }
      const Impl::Road& road = impl->roads[lane.road];
      if (lane.index > 0) boost::add_edge(id, id - 1, impl->lane_change_cost, impl->graph);
      if (lane.index + 1 < road.lanes) boost::add_edge(id, id + 1, impl->lane_change_cost, impl->graph);
    }
  }

  const RoadNetworkSpec& spec;
  std::vector<core::FieldError>* errors;
  std::string_view path;
  std::string roads_path;
  std::shared_ptr<Impl> impl = std::make_shared<Impl>();
  std::vector<bool> road_valid;  // geometry usable
  std::vector<bool> road_named;  // id and lane count usable
  std::map<std::string, size_t, std::less<>> road_by_id;
  std::vector<std::string> all_lane_names;
  std::vector<std::optional<size_t>> road_slot;  // index in impl->roads
  std::map<std::pair<LaneId, LaneId>, size_t> seen_connections;
};

RoadNetwork RoadNetwork::Build(const RoadNetworkSpec& spec, std::vector<core::FieldError>* errors,
                               std::string_view path) {
  GAUNTLET_CHECK(errors != nullptr);
  const size_t errors_before = errors->size();
  Builder builder(spec, errors, path);
  // roads: check every field, then lay out the geometry of the valid ones
  for (size_t i = 0; i < spec.roads.size(); ++i) builder.CheckRoad(i);
  if (!(std::isfinite(spec.lane_change_cost_m) && spec.lane_change_cost_m >= 0.0)) {
    builder.Error(core::JoinPath(path, "lane_change_cost_m"),
                  "lane_change_cost_m must be non-negative, got " + core::FormatDouble(spec.lane_change_cost_m));
  }
  builder.NameLanes();
  for (size_t i = 0; i < spec.roads.size(); ++i) {
    if (builder.road_valid[i]) builder.LayOutRoad(i);
  }
  for (size_t c = 0; c < spec.connections.size(); ++c) builder.Connect(c);
  if (errors->size() != errors_before) return RoadNetwork();
  builder.BuildLaneGraph();
  return RoadNetwork(std::move(builder.impl));
}

size_t RoadNetwork::lane_count() const { return impl_->lanes.size(); }

std::optional<LaneId> RoadNetwork::FindLane(std::string_view name) const {
  const auto it = impl_->lane_by_name.find(name);
  if (it == impl_->lane_by_name.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> RoadNetwork::LaneNames() const {
  std::vector<std::string> names;
  names.reserve(impl_->lanes.size());
  for (const auto& lane : impl_->lanes) names.push_back(lane.name);
  return names;
}

namespace {
template <typename Lanes>
const auto& LaneAt(const Lanes& lanes, LaneId lane) {
  GAUNTLET_CHECK_MSG(lane >= 0 && static_cast<size_t>(lane) < lanes.size(), "lane id out of range");
  return lanes[static_cast<size_t>(lane)];
}
}  // namespace

std::string RoadNetwork::LaneName(LaneId lane) const { return LaneAt(impl_->lanes, lane).name; }
double RoadNetwork::LaneLength(LaneId lane) const { return LaneAt(impl_->lanes, lane).length; }
double RoadNetwork::LaneWidth(LaneId lane) const {
  return impl_->roads[LaneAt(impl_->lanes, lane).road].width;
}
double RoadNetwork::MaxCurvature(LaneId lane) const {
  const Impl::Lane& l = LaneAt(impl_->lanes, lane);
  double most = 0.0;
  for (const Impl::Segment& seg : impl_->roads[l.road].segments) {
    most = std::max(most, std::abs(seg.k / (1.0 - seg.k * l.offset)));
  }
  return most;
}
size_t RoadNetwork::LaneRoad(LaneId lane) const { return LaneAt(impl_->lanes, lane).road; }
int RoadNetwork::LaneIndex(LaneId lane) const { return LaneAt(impl_->lanes, lane).index; }

Pose2 RoadNetwork::PoseAt(LaneId lane_id, double s_m, double lateral_offset_m) const {
  const Impl::Lane& lane = LaneAt(impl_->lanes, lane_id);
  const Impl::Road& road = impl_->roads[lane.road];
  RefPose ref;
  double k = 0.0;
  if (s_m < 0.0) {
    ref = Advance(road.segments.front().start, 0.0, s_m);
  } else if (s_m > lane.length) {
    ref = Advance(road.end, 0.0, s_m - lane.length);
  } else {
    const size_t j = impl_->SegmentOfLaneS(lane, s_m);
    const Impl::Segment& seg = road.segments[j];
    const double t = (s_m - lane.segment_s[j]) / (1.0 - seg.k * lane.offset);
    ref = Advance(seg.start, seg.k, std::min(t, seg.length));
    k = seg.k;
  }
  const double d = lane.offset + lateral_offset_m;
  Pose2 pose;
  const internal::SinCos h = internal::SinCosOf(ref.h);
  pose.x_m = ref.x - d * h.sin;
  pose.y_m = ref.y + d * h.cos;
  pose.heading_rad = WrapAngle(ref.h);
  if (k != 0.0) {
    const double scale = 1.0 - k * d;
    pose.curvature_1pm = scale > 0.0 ? k / scale : std::copysign(kInf, k);
  }
  return pose;
}

LanePosition RoadNetwork::Locate(double x_m, double y_m, double heading_rad, LaneId hint) const {
  const Impl& impl = *impl_;
  if (impl.roads.empty()) return LanePosition{};
  // the hint's road, then the roads it continues into or comes from
  if (hint >= 0 && static_cast<size_t>(hint) < impl.lanes.size()) {
    const Impl::Lane& lane = impl.lanes[static_cast<size_t>(hint)];
    auto try_road = [&](size_t r) -> std::optional<LanePosition> {
      const Impl::Road& road = impl.roads[r];
      const Impl::Projection p = impl.Project(road, x_m, y_m);
      if (Impl::OutsideDistance(road, p) > 0.0) return std::nullopt;
      return impl.PositionOn(road, p, heading_rad);
    };
    if (auto pos = try_road(lane.road)) return *pos;
    for (const LaneId next : lane.successors) {
      if (auto pos = try_road(impl.lanes[static_cast<size_t>(next)].road)) return *pos;
    }
    for (const LaneId prev : lane.predecessors) {
      if (auto pos = try_road(impl.lanes[static_cast<size_t>(prev)].road)) return *pos;
    }
  }
  // every road: the nearest area first, then the closest driving direction, then spec order. Roads
  // whose box holds the point go first, so a point on a road skips every road not around it.
  size_t best_road = 0;
  Impl::Projection best;
  double best_outside = kInf;
  double best_heading = kInf;
  auto consider = [&](size_t r) {
    const Impl::Road& road = impl.roads[r];
    const Impl::Projection p = impl.Project(road, x_m, y_m);
    const double outside = Impl::OutsideDistance(road, p);
    const double heading = std::abs(WrapAngle(heading_rad - p.heading));
    if (outside < best_outside ||
        (outside == best_outside && (heading < best_heading || (heading == best_heading && r < best_road)))) {
      best_road = r;
      best = p;
      best_outside = outside;
      best_heading = heading;
    }
  };
  for (size_t r = 0; r < impl.roads.size(); ++r) {
    if (impl.roads[r].area.Distance2(x_m, y_m) == 0.0) consider(r);
  }
  for (size_t r = 0; r < impl.roads.size(); ++r) {
    // the box distance is a lower bound of the outside distance
    const double bound = impl.roads[r].area.Distance2(x_m, y_m);
    if (bound > 0.0 && !(bound > best_outside * best_outside)) consider(r);
  }
  return impl.PositionOn(impl.roads[best_road], best, heading_rad);
}

double RoadNetwork::FrictionAt(LaneId lane_id, double s_m) const {
  const Impl::Lane& lane = LaneAt(impl_->lanes, lane_id);
  return impl_->roads[lane.road].segments[impl_->SegmentOfLaneS(lane, s_m)].friction;
}

double RoadNetwork::lane_change_cost_m() const { return impl_->lane_change_cost; }

std::optional<std::vector<LaneId>> RoadNetwork::Route(LaneId from, LaneId to) const {
  const Impl& impl = *impl_;
  LaneAt(impl.lanes, from);
  LaneAt(impl.lanes, to);
  const size_t n = impl.lanes.size();
  std::vector<size_t> predecessor(n);
  std::vector<double> distance(n, kInf);
  boost::dijkstra_shortest_paths(
      impl.graph, static_cast<size_t>(from),
      boost::predecessor_map(boost::make_iterator_property_map(predecessor.begin(),
                                                               boost::get(boost::vertex_index, impl.graph)))
          .distance_map(boost::make_iterator_property_map(distance.begin(),
                                                          boost::get(boost::vertex_index, impl.graph)))
          .distance_inf(kInf));
  if (distance[static_cast<size_t>(to)] == kInf) return std::nullopt;
  std::vector<LaneId> route;
  for (size_t v = static_cast<size_t>(to);; v = predecessor[v]) {
    route.push_back(static_cast<LaneId>(v));
    if (v == static_cast<size_t>(from)) break;
    GAUNTLET_CHECK(predecessor[v] != v);
  }
  std::reverse(route.begin(), route.end());
  return route;
}

double RoadNetwork::RouteCost(const std::vector<LaneId>& route) const {
  double cost = 0.0;
  for (size_t i = 0; i + 1 < route.size(); ++i) {
    const Impl::Lane& lane = LaneAt(impl_->lanes, route[i]);
    const LaneId next = route[i + 1];
    double step = kInf;
    if (std::find(lane.successors.begin(), lane.successors.end(), next) != lane.successors.end()) {
      step = lane.length;
    }
    if (LeftNeighbour(route[i]) == next || RightNeighbour(route[i]) == next) {
      step = std::min(step, impl_->lane_change_cost);
    }
    cost += step;
  }
  return cost;
}

std::optional<LaneId> RoadNetwork::LeftNeighbour(LaneId lane_id) const {
  const Impl::Lane& lane = LaneAt(impl_->lanes, lane_id);
  if (lane.index + 1 >= impl_->roads[lane.road].lanes) return std::nullopt;
  return lane_id + 1;
}

std::optional<LaneId> RoadNetwork::RightNeighbour(LaneId lane_id) const {
  const Impl::Lane& lane = LaneAt(impl_->lanes, lane_id);
  if (lane.index == 0) return std::nullopt;
  return lane_id - 1;
}

const std::vector<LaneId>& RoadNetwork::Successors(LaneId lane) const {
  return LaneAt(impl_->lanes, lane).successors;
}

const std::vector<LaneId>& RoadNetwork::Predecessors(LaneId lane) const {
  return LaneAt(impl_->lanes, lane).predecessors;
}

size_t RoadNetwork::road_count() const { return impl_->roads.size(); }

int RoadNetwork::RoadLaneCount(size_t road) const {
  GAUNTLET_CHECK(road < impl_->roads.size());
  return impl_->roads[road].lanes;
}

namespace {
/// Points along the parallel of a road's reference line at offset d.
template <typename Road>
std::vector<Point2> SampleParallel(const Road& road, double d, double tolerance_m) {
  GAUNTLET_CHECK(tolerance_m > 0.0);
  std::vector<Point2> points;
  auto add = [&](const RefPose& ref) {
    points.push_back({ref.x - d * std::sin(ref.h), ref.y + d * std::cos(ref.h)});
  };
  for (const auto& seg : road.segments) {
    int pieces = 1;
    if (seg.k != 0.0) {
      // sagitta of a chord spanning angle a on radius R: R (1 - cos(a / 2)) <= tolerance
      const double radius = std::abs(1.0 / seg.k - d);
      const double span = std::abs(seg.k) * seg.length;
      const double step = radius <= tolerance_m ? kPi : 2.0 * std::acos(1.0 - tolerance_m / radius);
      pieces = static_cast<int>(std::clamp(std::ceil(span / step), 1.0, 100000.0));
    }
    for (int i = 0; i < pieces; ++i) add(Advance(seg.start, seg.k, seg.length * i / pieces));
  }
  add(road.end);
  return points;
}
}  // namespace

std::vector<Point2> RoadNetwork::RoadBoundary(size_t road, int boundary, double tolerance_m) const {
  GAUNTLET_CHECK(road < impl_->roads.size());
  const Impl::Road& r = impl_->roads[road];
  GAUNTLET_CHECK(boundary >= 0 && boundary <= r.lanes);
  return SampleParallel(r, (boundary - 0.5) * r.width, tolerance_m);
}

std::vector<Point2> RoadNetwork::RoadOutline(size_t road, double tolerance_m) const {
  std::vector<Point2> outline = RoadBoundary(road, 0, tolerance_m);
  std::vector<Point2> left = RoadBoundary(road, impl_->roads[road].lanes, tolerance_m);
  outline.insert(outline.end(), left.rbegin(), left.rend());
  return outline;
}

std::vector<Point2> RoadNetwork::LaneCentreLine(LaneId lane_id, double tolerance_m) const {
  const Impl::Lane& lane = LaneAt(impl_->lanes, lane_id);
  return SampleParallel(impl_->roads[lane.road], lane.offset, tolerance_m);
}

}  // namespace gauntlet::sim
