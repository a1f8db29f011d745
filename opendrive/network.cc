#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <tuple>
#include <numbers>
#include <queue>
#include <unordered_map>
#include <utility>

#include "core/input_file.h"
#include "opendrive/internal/curve.h"
#include "opendrive/internal/parse.h"
#include "opendrive/opendrive.h"

namespace gauntlet::opendrive {
namespace {

using internal::WrapAngle;
constexpr double kPi = std::numbers::pi;
// Locate's coarse search samples every reference line at most this far apart (m).
constexpr double kSampleStep = 2.0;

// The record in effect at `ds` (the last whose s <= ds; the first before them all).
const CubicRecord* RecordAt(const std::vector<CubicRecord>& records, double ds) {
  if (records.size() <= 1) {
    return records.empty() ? nullptr : &records.front();
  }
  const auto it = std::upper_bound(records.begin(), records.end(), ds,
                                   [](double v, const CubicRecord& r) { return v < r.s; });
  return it == records.begin() ? &records.front() : &*(it - 1);
}

// Value and slope of a record list at ds (0 without records).
std::pair<double, double> EvalRecords(const std::vector<CubicRecord>& records, double ds) {
  const CubicRecord* r = RecordAt(records, ds);
  if (r == nullptr) {
    return {0.0, 0.0};
  }
  return {r->poly.Value(ds - r->s), r->poly.Slope(ds - r->s)};
}

// A lane's borders at s: t of the inner and outer border and their slopes dt/ds (always set in full).
struct Edges {
  double inner;
  double outer;
  double d_inner;
  double d_outer;
};

// Where a lane continues: the lane stretch entered and the direction of travel along its s.
struct Next {
  RoadIndex road = -1;
  int section = 0;
  int lane = 0;
  double s = 0.0;
  int dir = 1;  // +1 travelling along +s
};

}  // namespace

const Lane* LaneSection::FindLane(int id) const {
  // lanes are sorted by id, descending
  const auto it = std::lower_bound(lanes.begin(), lanes.end(), id, [](const Lane& l, int v) { return l.id > v; });
  return it != lanes.end() && it->id == id ? &*it : nullptr;
}

struct Network::Impl {
  internal::ParsedNetwork data;
  std::unordered_map<std::string, RoadIndex> road_ids;
  std::unordered_map<std::string, JunctionIndex> junction_ids;
  std::vector<std::vector<internal::Curve>> curves;  // per road, per geometry
  struct Sample {
    double s, x, y;
  };
  std::vector<std::vector<Sample>> samples;  // per road, reference line
  /// A run of consecutive segments of the sampled reference line (segment k joins samples k and k + 1)
  /// inside a disc: every point of them is within `radius` of (cx, cy).
  struct Block {
    double cx, cy, radius;
    size_t begin, end;     // segments [begin, end)
    double longest = 0.0;  // the longest of its segments (chord length)
  };
  std::vector<std::vector<Block>> blocks;  // per road, in order
  /// Per road: square cells over its blocks' discs, each listing (in order) the blocks whose disc's
  /// bounding square, grown by kGridMargin, meets the cell: every block with a point within some
  /// distance of a point is listed in a cell that the square of that half-size around the point meets.
  struct Grid {
    double x0 = 0.0, y0 = 0.0, cell = 1.0;
    int64_t nx = 0, ny = 0;
    std::vector<uint32_t> start;  // per cell (row after row), its first entry in `items`; one more at the end
    std::vector<uint32_t> items;  // block indices
  };
  static constexpr double kGridMargin = 1e-3;  // m, far above any rounding of the discs
  std::vector<Grid> grids;
  struct Box {
    double x0, y0, x1, y1;
  };
  std::vector<Box> boxes;  // per road, reference samples grown by the road's widest extent

  explicit Impl(internal::ParsedNetwork parsed) : data(std::move(parsed)) {
    for (size_t i = 0; i < data.roads.size(); ++i) {
      road_ids.emplace(data.roads[i].id, static_cast<RoadIndex>(i));
      std::vector<internal::Curve> c;
      c.reserve(data.roads[i].geometry.size());
      for (const Geometry& g : data.roads[i].geometry) {
        c.emplace_back(g);
      }
      curves.push_back(std::move(c));
    }
    for (size_t i = 0; i < data.junctions.size(); ++i) {
      junction_ids.emplace(data.junctions[i].id, static_cast<JunctionIndex>(i));
    }
    BuildIndex();
  }

  [[nodiscard]] const Road& road(RoadIndex r) const { return data.roads[static_cast<size_t>(r)]; }

  [[nodiscard]] Pose Reference(RoadIndex r, double s) const {
    const Road& rd = road(r);
    if (rd.geometry.empty()) {
      return {};
    }
    const size_t gi = GeometryAt(r, s);
    const Geometry& g = rd.geometry[gi];
    const double ds = s - g.s;
    Pose p = curves[static_cast<size_t>(r)][gi].At(ds);
    if (ds > g.length) {  // the road runs past its last record: straight on
      p.x += (ds - g.length) * std::cos(p.heading);
      p.y += (ds - g.length) * std::sin(p.heading);
      p.curvature = 0.0;
    }
    return p;
  }

  // Metres of curve per metre of s at s: 1 except on a poly3/paramPoly3 record whose length
  // attribute differs from its curve's arc length.
  [[nodiscard]] double SpeedAt(RoadIndex r, double s) const {
    const size_t gi = GeometryAt(r, s);
    return gi < road(r).geometry.size() ? curves[static_cast<size_t>(r)][gi].speed() : 1.0;
  }

  // The planView record containing s (the last whose s <= s; the first before them all).
  [[nodiscard]] size_t GeometryAt(RoadIndex r, double s) const {
    const auto& geoms = road(r).geometry;
    const auto it = std::upper_bound(geoms.begin(), geoms.end(), s, [](double v, const Geometry& g) { return v < g.s; });
    return it == geoms.begin() ? 0 : static_cast<size_t>(it - geoms.begin()) - 1;
  }

  [[nodiscard]] int SectionAt(RoadIndex r, double s) const {
    const auto& secs = road(r).sections;
    const auto it = std::upper_bound(secs.begin(), secs.end(), s, [](double v, const LaneSection& x) { return v < x.s; });
    return it == secs.begin() ? 0 : static_cast<int>(it - secs.begin()) - 1;
  }

  [[nodiscard]] bool AlongS(RoadIndex r, int lane) const {
    return road(r).left_hand_traffic ? lane >= 0 : lane <= 0;
  }

  [[nodiscard]] Edges LaneEdges(RoadIndex r, int section, int lane, double s) const {
    const Road& rd = road(r);
    const auto [offset, d_offset] = EvalRecords(rd.lane_offsets, s);
    Edges e{offset, offset, d_offset, d_offset};
    if (lane == 0 || rd.sections.empty()) {
      return e;
    }
    const LaneSection& sec = rd.sections[static_cast<size_t>(section)];
    const double ds = s - sec.s;
    const int sign = lane > 0 ? 1 : -1;
    double t = offset;
    double dt = d_offset;
    for (int id = sign; id != lane + sign; id += sign) {
      e.inner = t;
      e.d_inner = dt;
      const Lane* l = sec.FindLane(id);
      if (l == nullptr) {
        continue;  // a lane the section lacks has no width
      }
      CrossLane(*l, sign, ds, offset, d_offset, &t, &dt);
    }
    e.outer = t;
    e.d_outer = dt;
    return e;
  }

  // From a lane's inner border (t, dt/ds at ds into its section) to its outer border; `sign` is its side.
  static void CrossLane(const Lane& l, int sign, double ds, double offset, double d_offset, double* t, double* dt) {
    if (!l.widths.empty()) {
      const auto [w, dw] = EvalRecords(l.widths, ds);
      *t += sign * w;
      *dt += sign * dw;
    } else {
      const auto [b, db] = EvalRecords(l.borders, ds);
      *t = offset + sign * b;
      *dt = d_offset + sign * db;
    }
  }

  // LaneEdges of every lane of the section (out[i] for its lanes[i]) in one walk outwards on each side:
  // the same sums in the same order, so the same values bit for bit (lane ids run 1, 2, ... and -1,
  // -2, ... from the centre, the parser checks it).
  void SectionEdges(RoadIndex r, int section, double s, Edges* out) const {
    const Road& rd = road(r);
    const auto [offset, d_offset] = EvalRecords(rd.lane_offsets, s);
    const LaneSection& sec = rd.sections[static_cast<size_t>(section)];
    const double ds = s - sec.s;
    const auto n = static_cast<std::ptrdiff_t>(sec.lanes.size());
    std::ptrdiff_t centre = 0;  // the first lane with id <= 0 (lanes are sorted by id, descending)
    while (centre < n && sec.lanes[static_cast<size_t>(centre)].id > 0) ++centre;
    const auto walk = [&](std::ptrdiff_t from, std::ptrdiff_t step, int sign) {
      double t = offset;
      double dt = d_offset;
      for (std::ptrdiff_t i = from; i >= 0 && i < n; i += step) {
        const Lane& l = sec.lanes[static_cast<size_t>(i)];
        if (l.id == 0) {
          out[i] = {offset, offset, d_offset, d_offset};
          continue;
        }
        Edges& e = out[i];
        e.inner = t;
        e.d_inner = dt;
        CrossLane(l, sign, ds, offset, d_offset, &t, &dt);
        e.outer = t;
        e.d_outer = dt;
      }
    };
    walk(centre - 1, -1, 1);
    walk(centre, 1, -1);
  }

  [[nodiscard]] Pose RoadPose(RoadIndex r, double s, double t) const {
    Pose p = Reference(r, s);
    p.x -= t * std::sin(p.heading);
    p.y += t * std::cos(p.heading);
    const double denom = 1.0 - p.curvature * t;
    p.curvature = std::abs(denom) > 1e-12 ? p.curvature / denom : 0.0;
    return p;
  }

  void BuildIndex();
  static void BuildGrid(const std::vector<Block>& blk, Grid* g);
  // The cell index of coordinate v on an axis from v0 in cells of `cell`, clamped to [0, n - 1].
  static int64_t CellOf(double v, double v0, double cell, int64_t n) {
    const double c = (v - v0) / cell;  // truncated below: the floor of a positive number
    if (!(c > 0.0)) return 0;
    return c >= static_cast<double>(n - 1) ? n - 1 : static_cast<int64_t>(c);
  }
  [[nodiscard]] std::optional<LaneCoord> LocateOn(RoadIndex r, double x, double y, double heading,
                                                  bool full_scan = false) const;
  [[nodiscard]] double NearestS(RoadIndex r, double x, double y, bool full_scan) const;
  [[nodiscard]] std::vector<Next> Transitions(RoadIndex r, int section, int lane, int dir) const;
  [[nodiscard]] size_t Choose(const std::vector<Next>& options, RoadIndex from, const MovePreference& pref) const;
  [[nodiscard]] MoveResult Move(const LanePos& from, double distance, bool scale, const MovePreference& pref) const;
};

void Network::Impl::BuildIndex() {
  samples.resize(data.roads.size());
  blocks.resize(data.roads.size());
  grids.resize(data.roads.size());
  boxes.resize(data.roads.size());
  for (size_t i = 0; i < data.roads.size(); ++i) {
    const auto r = static_cast<RoadIndex>(i);
    const Road& rd = data.roads[i];
    std::vector<double> ss;
    for (const Geometry& g : rd.geometry) {
      const int n = static_cast<int>(std::ceil(g.length / kSampleStep));
      for (int k = 0; k < std::max(n, 1); ++k) {
        ss.push_back(std::min(g.s + g.length * k / std::max(n, 1), rd.length));
      }
    }
    ss.push_back(rd.length);
    std::sort(ss.begin(), ss.end());
    ss.erase(std::unique(ss.begin(), ss.end()), ss.end());
    double extent = 0.0;
    Box box{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
            -std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    for (const double s : ss) {
      const Pose p = Reference(r, s);
      samples[i].push_back({s, p.x, p.y});
      const int sec = SectionAt(r, s);
      if (!rd.sections.empty()) {
        const LaneSection& ls = rd.sections[static_cast<size_t>(sec)];
        extent = std::max(extent, std::abs(LaneEdges(r, sec, ls.lanes.front().id, s).outer));
        extent = std::max(extent, std::abs(LaneEdges(r, sec, ls.lanes.back().id, s).outer));
      }
      box.x0 = std::min(box.x0, p.x);
      box.y0 = std::min(box.y0, p.y);
      box.x1 = std::max(box.x1, p.x);
      box.y1 = std::max(box.y1, p.y);
    }
    const double grow = extent + kSampleStep + 1.0;
    boxes[i] = {box.x0 - grow, box.y0 - grow, box.x1 + grow, box.y1 + grow};
    // blocks of kBlock segments: the disc around their endpoints' bounding box centre holds the
    // endpoints, and so the segments (a disc is convex)
    constexpr size_t kBlock = 8;
    const std::vector<Sample>& smp = samples[i];
    for (size_t b = 0; b + 1 < smp.size(); b += kBlock) {
      const size_t e = std::min(b + kBlock, smp.size() - 1);
      double x0 = smp[b].x, x1 = smp[b].x, y0 = smp[b].y, y1 = smp[b].y;
      for (size_t k = b; k <= e; ++k) {
        x0 = std::min(x0, smp[k].x);
        x1 = std::max(x1, smp[k].x);
        y0 = std::min(y0, smp[k].y);
        y1 = std::max(y1, smp[k].y);
      }
      Block block{0.5 * (x0 + x1), 0.5 * (y0 + y1), 0.0, b, e};
      for (size_t k = b; k <= e; ++k)
        block.radius = std::max(block.radius, std::hypot(smp[k].x - block.cx, smp[k].y - block.cy));
      for (size_t k = b; k < e; ++k)
        block.longest = std::max(block.longest, std::hypot(smp[k + 1].x - smp[k].x, smp[k + 1].y - smp[k].y));
      blocks[i].push_back(block);
    }
    BuildGrid(blocks[i], &grids[i]);
  }
}

void Network::Impl::BuildGrid(const std::vector<Block>& blk, Grid* g) {
  if (blk.empty()) return;
  double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
  for (const Block& b : blk) {
    x0 = std::min(x0, b.cx - b.radius - kGridMargin);
    y0 = std::min(y0, b.cy - b.radius - kGridMargin);
    x1 = std::max(x1, b.cx + b.radius + kGridMargin);
    y1 = std::max(y1, b.cy + b.radius + kGridMargin);
  }
  if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) || !std::isfinite(y1)) return;
  // cells of 8 m (a block spans about 16 m), coarser for a road spread over a large area (at most 2^16 cells)
  g->cell = std::max(8.0, std::sqrt((x1 - x0) * (y1 - y0) / 65536.0));
  g->x0 = x0;
  g->y0 = y0;
  g->nx = static_cast<int64_t>((x1 - x0) / g->cell) + 1;
  g->ny = static_cast<int64_t>((y1 - y0) / g->cell) + 1;
  if (g->nx * g->ny > (1 << 20)) {  // a degenerate spread: no grid, the search visits every block
    g->nx = g->ny = 0;
    return;
  }
  std::vector<std::vector<uint32_t>> cells(static_cast<size_t>(g->nx * g->ny));
  for (size_t k = 0; k < blk.size(); ++k) {
    const Block& b = blk[k];
    const int64_t i0 = CellOf(b.cx - b.radius - kGridMargin, g->x0, g->cell, g->nx);
    const int64_t i1 = CellOf(b.cx + b.radius + kGridMargin, g->x0, g->cell, g->nx);
    const int64_t j0 = CellOf(b.cy - b.radius - kGridMargin, g->y0, g->cell, g->ny);
    const int64_t j1 = CellOf(b.cy + b.radius + kGridMargin, g->y0, g->cell, g->ny);
    for (int64_t j = j0; j <= j1; ++j)
      for (int64_t i = i0; i <= i1; ++i) cells[static_cast<size_t>(j * g->nx + i)].push_back(static_cast<uint32_t>(k));
  }
  g->start.push_back(0);
  for (const std::vector<uint32_t>& c : cells) {
    g->items.insert(g->items.end(), c.begin(), c.end());
    g->start.push_back(static_cast<uint32_t>(g->items.size()));
  }
}

// The s of the sampled reference line's point nearest to (x, y) (the search LocateOn starts from).
double Network::Impl::NearestS(RoadIndex r, double x, double y, bool full_scan) const {
  const auto& smp = samples[static_cast<size_t>(r)];
  // Coarse: the nearest point of the sampled reference polyline, the first segment in order whose
  // distance (hypot) is the least, exactly as a full scan of every segment finds it. The pruning below
  // only skips segments that provably lie farther than one already measured, so the result is the full
  // scan's bit for bit (the margins make it more cautious against rounding):
  // - the samples of a block near the point (the one whose centre is nearest among those the grid lists
  //   at the point) give a first bound u: some segment is no farther than its nearest sample;
  // - a block whose centre is farther than u plus its radius, or a segment whose start is farther than
  //   u plus its length, is farther than that segment and skipped; the grid lists the blocks that can
  //   come within u of the point, so the others are not even looked at;
  // - a segment's squared distance d2 (cheap, no hypot) is within a few ulps of the square of its
  //   hypot, so one whose d2 exceeds another's (or a sample's) by the factor 1 + 1e-12 has the larger
  //   hypot and cannot be the first nearest: its hypot is not computed.
  const std::vector<Block>& blk = blocks[static_cast<size_t>(r)];
  const auto offset_to = [&](size_t k, double* f) {  // the point minus segment k's nearest point
    const double ax = smp[k].x, ay = smp[k].y;
    const double bx = smp[k + 1].x - ax, by = smp[k + 1].y - ay;
    const double len2 = bx * bx + by * by;
    *f = len2 > 0.0 ? std::clamp(((x - ax) * bx + (y - ay) * by) / len2, 0.0, 1.0) : 0.0;
    return std::pair<double, double>{x - ax - *f * bx, y - ay - *f * by};
  };
  const auto squared = [](const std::pair<double, double>& e) { return e.first * e.first + e.second * e.second; };
  double m2 = std::numeric_limits<double>::infinity();  // the least d2 measured so far (never NaN)
  double u = std::numeric_limits<double>::infinity();
  // The blocks to visit, in order: all of them (full_scan, or no grid to narrow them), or those listed
  // in the grid cells that the square of half-size u (grown by the margins) around the point meets.
  const Grid& grid = grids[static_cast<size_t>(r)];
  const bool gridded = !full_scan && grid.nx > 0 && std::isfinite(x) && std::isfinite(y) && x >= grid.x0 &&
                       y >= grid.y0 && x < grid.x0 + static_cast<double>(grid.nx) * grid.cell &&
                       y < grid.y0 + static_cast<double>(grid.ny) * grid.cell;
  const auto cell_items = [&](int64_t i, int64_t j) {
    const size_t c = static_cast<size_t>(j * grid.nx + i);
    return std::pair<const uint32_t*, const uint32_t*>{grid.items.data() + grid.start[c],
                                                       grid.items.data() + grid.start[c + 1]};
  };
  if (!full_scan) {
    const Block* nearest = nullptr;
    double nearest2 = std::numeric_limits<double>::infinity();
    const auto consider = [&](const Block& b) {
      const double d2 = (x - b.cx) * (x - b.cx) + (y - b.cy) * (y - b.cy);
      if (d2 < nearest2) {
        nearest2 = d2;
        nearest = &b;
      }
    };
    if (gridded) {  // a block near the point: one listed in its cell
      const auto [first, last] = cell_items(CellOf(x, grid.x0, grid.cell, grid.nx), CellOf(y, grid.y0, grid.cell, grid.ny));
      for (const uint32_t* it = first; it != last; ++it) consider(blk[*it]);
    }
    if (nearest == nullptr) {
      for (const Block& b : blk) consider(b);
    }
    if (nearest != nullptr) {  // a segment is no farther than either of its ends: the block's nearest sample
      for (size_t k = nearest->begin; k <= nearest->end; ++k)
        m2 = std::min(m2, (x - smp[k].x) * (x - smp[k].x) + (y - smp[k].y) * (y - smp[k].y));
      u = std::sqrt(m2);
    }
  }
  constexpr size_t kListed = 48;
  std::array<uint32_t, kListed> listed;  // the candidate blocks, in order
  size_t n_listed = 0;
  bool narrowed = false;
  if (gridded && std::isfinite(u)) {
    const double half = u * (1.0 + 1e-9) + 1e-9 + kGridMargin;
    const int64_t i0 = CellOf(x - half, grid.x0, grid.cell, grid.nx), i1 = CellOf(x + half, grid.x0, grid.cell, grid.nx);
    const int64_t j0 = CellOf(y - half, grid.y0, grid.cell, grid.ny), j1 = CellOf(y + half, grid.y0, grid.cell, grid.ny);
    narrowed = (i1 - i0 + 1) * (j1 - j0 + 1) <= 16;
    for (int64_t j = j0; narrowed && j <= j1; ++j) {
      for (int64_t i = i0; narrowed && i <= i1; ++i) {
        const auto [first, last] = cell_items(i, j);
        for (const uint32_t* it = first; it != last; ++it) {
          if (std::find(listed.begin(), listed.begin() + static_cast<std::ptrdiff_t>(n_listed), *it) !=
              listed.begin() + static_cast<std::ptrdiff_t>(n_listed)) {
            continue;
          }
          if (n_listed == kListed) {
            narrowed = false;  // too many: visit every block
            break;
          }
          listed[n_listed++] = *it;
        }
      }
    }
    std::sort(listed.begin(), listed.begin() + static_cast<std::ptrdiff_t>(n_listed));
  }
  double best = std::numeric_limits<double>::infinity();
  double s = 0.0;
  const size_t n_visit = narrowed ? n_listed : blk.size();
  for (size_t v = 0; v < n_visit; ++v) {
    const Block& b = blk[narrowed ? listed[v] : v];
    const double reach = (u + b.radius) * (1.0 + 1e-9) + 1e-9;
    if (!full_scan && (x - b.cx) * (x - b.cx) + (y - b.cy) * (y - b.cy) > reach * reach) continue;
    // a segment whose start is farther than u plus its length is farther than u (no division needed)
    const double start_reach = (u + b.longest) * (1.0 + 1e-9) + 1e-9;
    for (size_t k = b.begin; k < b.end; ++k) {
      if (!full_scan &&
          (x - smp[k].x) * (x - smp[k].x) + (y - smp[k].y) * (y - smp[k].y) > start_reach * start_reach) {
        continue;
      }
      double f = 0.0;
      const std::pair<double, double> e = offset_to(k, &f);
      if (!full_scan) {
        const double d2 = squared(e);
        if (d2 > m2 * (1.0 + 1e-12) + 1e-300 && d2 <= std::numeric_limits<double>::max()) continue;
        m2 = std::min(m2, d2);
      }
      const double d = std::hypot(e.first, e.second);
      if (d < best) {
        best = d;
        s = smp[k].s + f * (smp[k + 1].s - smp[k].s);
      }
    }
  }
  return s;
}

std::optional<LaneCoord> Network::Impl::LocateOn(RoadIndex r, double x, double y, double heading,
                                                 bool full_scan) const {
  const Road& rd = road(r);
  const auto& smp = samples[static_cast<size_t>(r)];
  if (smp.empty() || rd.sections.empty()) {
    return std::nullopt;
  }
  double s = NearestS(r, x, y, full_scan);
  if (smp.size() == 1) {
    s = smp[0].s;
  }
  // std::cos and std::sin of the reference heading p at s (a line's computed once)
  const auto trig = [&](double at, const Pose& p) {
    const std::vector<internal::Curve>& cv = curves[static_cast<size_t>(r)];
    if (!cv.empty() && cv[GeometryAt(r, at)].straight()) {
      const internal::Curve& line = cv[GeometryAt(r, at)];
      return std::pair<double, double>{line.heading_cos(), line.heading_sin()};
    }
    return std::pair<double, double>{std::cos(p.heading), std::sin(p.heading)};
  };
  // Fine: Newton on the tangential component of the distance.
  for (int it = 0; it < 20; ++it) {
    const Pose p = Reference(r, s);
    const auto [c, sn] = trig(s, p);
    const double along = (x - p.x) * c + (y - p.y) * sn;
    const double across = -(x - p.x) * sn + (y - p.y) * c;
    const double denom = std::max(0.1, 1.0 - p.curvature * across) * SpeedAt(r, s);
    const double next = std::clamp(s + along / denom, 0.0, rd.length);
    const bool done = std::abs(next - s) < 1e-10;
    s = next;
    if (done) {
      break;
    }
  }
  const Pose p = Reference(r, s);
  const auto [c, sn] = trig(s, p);
  const double along = (x - p.x) * c + (y - p.y) * sn;  // != 0 only beyond the road's ends
  const double t = -(x - p.x) * sn + (y - p.y) * c;
  const int sec = SectionAt(r, s);
  const LaneSection& ls = rd.sections[static_cast<size_t>(sec)];
  LaneCoord out;
  out.road = r;
  out.s = s;
  out.t = t;
  // Every lane's borders at s, in one walk out from the centre (LaneEdges lane by lane with full_scan,
  // or for a section of many lanes).
  constexpr size_t kFew = 16;
  std::array<Edges, kFew> few;
  const bool walked = !full_scan && ls.lanes.size() <= kFew;
  if (walked) {
    SectionEdges(r, sec, s, few.data());
  }
  const auto edges = [&](size_t i) { return walked ? few[i] : LaneEdges(r, sec, ls.lanes[i].id, s); };
  // The lane containing t; else the lane whose centre is nearest.
  int lane = 0;
  size_t lane_index = 0;
  bool inside = false;
  double nearest = std::numeric_limits<double>::infinity();
  double outside = 0.0;
  for (size_t i = 0; i < ls.lanes.size(); ++i) {
    const Lane& l = ls.lanes[i];
    if (l.id == 0) {
      continue;
    }
    const Edges e = edges(i);
    const double lo = std::min(e.inner, e.outer), hi = std::max(e.inner, e.outer);
    if (t >= lo && t <= hi && hi > lo) {
      lane = l.id;
      lane_index = i;
      inside = true;
      break;
    }
    const double gap = t < lo ? lo - t : t - hi;
    const double centre = std::abs(t - 0.5 * (lo + hi));
    if (centre < nearest) {
      nearest = centre;
      lane = l.id;
      lane_index = i;
      outside = gap;
    }
  }
  if (lane == 0) {
    return std::nullopt;  // a section with only the centre lane
  }
  const Edges e = edges(lane_index);
  out.lane = lane;
  out.offset = t - 0.5 * (e.inner + e.outer);
  const double slope = 0.5 * (e.d_inner + e.d_outer);
  const double lane_heading = p.heading + std::atan(slope) + (AlongS(r, lane) ? 0.0 : kPi);
  out.heading_relative = WrapAngle(heading - lane_heading);
  const double beyond = std::abs(along) > 1e-6 ? std::abs(along) : 0.0;
  out.on_road = inside && beyond == 0.0;
  out.distance = inside ? beyond : std::hypot(beyond, outside);
  return out;
}

std::vector<Next> Network::Impl::Transitions(RoadIndex r, int section, int lane, int dir) const {
  std::vector<Next> out;
  const Road& rd = road(r);
  const LaneSection& sec = rd.sections[static_cast<size_t>(section)];
  const Lane* l = sec.FindLane(lane);
  if (l == nullptr) {
    return out;
  }
  const std::optional<int> link = dir > 0 ? l->successor : l->predecessor;
  // Within the road: the next (or previous) lane section.
  const int next_section = section + dir;
  if (next_section >= 0 && next_section < static_cast<int>(rd.sections.size())) {
    const int id = link.value_or(lane);
    const LaneSection& ns = rd.sections[static_cast<size_t>(next_section)];
    if (id != 0 && ns.FindLane(id) != nullptr) {
      out.push_back({r, next_section, id, dir > 0 ? ns.s : ns.s_end, dir});
    }
    return out;
  }
  // Entering a road at its start or end.
  const auto enter = [&](RoadIndex to, ContactPoint contact, std::optional<int> id) {
    const Road& tr = road(to);
    if (tr.sections.empty()) {
      return;
    }
    const int to_dir = contact == ContactPoint::kEnd ? -1 : 1;
    const int to_section = to_dir > 0 ? 0 : static_cast<int>(tr.sections.size()) - 1;
    const int to_lane = id.value_or(lane * dir * to_dir);
    const LaneSection& ts = tr.sections[static_cast<size_t>(to_section)];
    if (to_lane != 0 && ts.FindLane(to_lane) != nullptr) {
      out.push_back({to, to_section, to_lane, to_dir > 0 ? 0.0 : tr.length, to_dir});
    }
  };
  const RoadLink& rl = dir > 0 ? rd.successor : rd.predecessor;
  if (rl.kind == RoadLink::Kind::kRoad && rl.road >= 0) {
    enter(rl.road, rl.contact, link);
  } else if (rl.kind == RoadLink::Kind::kJunction && rl.junction >= 0) {
    const Junction& j = data.junctions[static_cast<size_t>(rl.junction)];
    for (const Connection& c : j.connections) {
      if (c.incoming != r || c.connecting < 0) {
        continue;
      }
      if (c.lane_links.empty()) {
        enter(c.connecting, c.contact, std::nullopt);
      }
      for (const JunctionLaneLink& ll : c.lane_links) {
        if (ll.from == lane) {
          enter(c.connecting, c.contact, ll.to);
        }
      }
    }
    if (out.empty()) {
      // No connection lists this road as incoming (leaving the junction's outgoing road backwards,
      // or a file listing one direction only): the junction's roads whose link reaches this end of
      // this road, entering each lane linked to this lane.
      const ContactPoint here = dir > 0 ? ContactPoint::kEnd : ContactPoint::kStart;
      for (size_t ci = 0; ci < data.roads.size(); ++ci) {
        const Road& c = data.roads[ci];
        if (c.junction != rl.junction || c.sections.empty()) {
          continue;
        }
        for (const bool at_start : {true, false}) {
          const RoadLink& back = at_start ? c.predecessor : c.successor;
          if (back.kind != RoadLink::Kind::kRoad || back.road != r || back.contact != here) {
            continue;
          }
          const LaneSection& cs = at_start ? c.sections.front() : c.sections.back();
          for (const Lane& cl : cs.lanes) {
            if (cl.id != 0 && (at_start ? cl.predecessor : cl.successor) == std::optional<int>(lane)) {
              enter(static_cast<RoadIndex>(ci), at_start ? ContactPoint::kStart : ContactPoint::kEnd, cl.id);
            }
          }
        }
      }
    }
  }
  return out;
}

size_t Network::Impl::Choose(const std::vector<Next>& options, RoadIndex from, const MovePreference& pref) const {
  if (options.size() <= 1) {
    return 0;
  }
  if (!pref.route.empty()) {
    const auto here = std::find(pref.route.begin(), pref.route.end(), from);
    const auto begin = here == pref.route.end() ? pref.route.begin() : here + 1;
    for (auto it = begin; it != pref.route.end(); ++it) {
      for (size_t i = 0; i < options.size(); ++i) {
        if (options[i].road == *it) {
          return i;
        }
      }
    }
  }
  if (pref.fallback == MovePreference::Fallback::kFirst) {
    return 0;
  }
  // Straight: the least heading change over the road entered.
  size_t best = 0;
  double best_turn = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < options.size(); ++i) {
    const Next& n = options[i];
    const double exit_s = n.dir > 0 ? road(n.road).length : 0.0;
    const double turn = std::abs(WrapAngle(Reference(n.road, exit_s).heading - Reference(n.road, n.s).heading));
    if (turn < best_turn - 1e-9) {
      best_turn = turn;
      best = i;
    }
  }
  return best;
}

MoveResult Network::Impl::Move(const LanePos& from, double distance, bool scale, const MovePreference& pref) const {
  MoveResult out;
  out.position = from;
  if (from.road < 0 || static_cast<size_t>(from.road) >= data.roads.size() || road(from.road).sections.empty()) {
    out.end_of_network = true;
    return out;
  }
  RoadIndex r = from.road;
  int lane = from.lane;
  double s = std::clamp(from.s, 0.0, road(r).length);
  double offset = from.offset;
  int section = SectionAt(r, s);
  const bool forward = distance >= 0.0;
  int dir = (AlongS(r, lane) == forward) ? 1 : -1;
  double remaining = std::abs(distance);
  double moved = 0.0;
  // Metres travelled per metre of s, where the move starts, for the whole move (esmini's DistanceToDS).
  double factor = 1.0;
  if (scale) {
    const Edges e = LaneEdges(r, section, lane, s);
    const double t = 0.5 * (e.inner + e.outer) + offset;
    factor = std::clamp(1.0 - Reference(r, s).curvature * t, 0.05, 20.0);
  }
  for (int crossings = 0; crossings < 10000; ++crossings) {
    const LaneSection& sec = road(r).sections[static_cast<size_t>(section)];
    const double target = s + dir * remaining / factor;
    const double bound = dir > 0 ? sec.s_end : sec.s;
    const bool interior = dir > 0 && section + 1 < static_cast<int>(road(r).sections.size());
    const bool stays = dir > 0 ? (target < bound || (target == bound && !interior)) : target >= bound;
    if (stays) {
      moved += remaining;
      s = target;
      break;
    }
    const double used = std::abs(bound - s) * factor;
    moved += used;
    remaining = std::max(0.0, remaining - used);
    s = bound;
    const std::vector<Next> options = Transitions(r, section, lane, dir);
    if (options.empty()) {
      out.end_of_network = remaining > 0.0 || interior;
      if (interior) {
        // the lane ends where the next section starts: stay (just) in this section
        s = std::nextafter(bound, -std::numeric_limits<double>::infinity());
      }
      break;
    }
    const Next& n = options[Choose(options, r, pref)];
    offset = offset * dir * n.dir;
    r = n.road;
    section = n.section;
    lane = n.lane;
    s = n.s;
    dir = n.dir;
    ++out.links_crossed;
  }
  out.position = {r, lane, s, offset};
  out.moved = forward ? moved : -moved;
  return out;
}

Network::Network() : impl_(std::make_shared<const Impl>(internal::ParsedNetwork{})) {}
Network::Network(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Network Network::Load(const std::string& path) {
  const std::string text = core::ReadInputFile(path, core::InputKind::kXml);
  return LoadString(text, path);
}

Network Network::LoadString(std::string_view xml, const std::string& name) {
  return Network(std::make_shared<const Impl>(internal::ParseOpenDrive(xml, name)));
}

const Header& Network::header() const { return impl_->data.header; }
const std::vector<Road>& Network::roads() const { return impl_->data.roads; }
const std::vector<Junction>& Network::junctions() const { return impl_->data.junctions; }
const std::vector<std::pair<core::SourcePos, std::string>>& Network::warnings() const {
  return impl_->data.warnings;
}

std::optional<RoadIndex> Network::FindRoad(std::string_view id) const {
  const auto it = impl_->road_ids.find(std::string(id));
  return it == impl_->road_ids.end() ? std::nullopt : std::optional<RoadIndex>(it->second);
}

std::optional<JunctionIndex> Network::FindJunction(std::string_view id) const {
  const auto it = impl_->junction_ids.find(std::string(id));
  return it == impl_->junction_ids.end() ? std::nullopt : std::optional<JunctionIndex>(it->second);
}

int Network::SectionAt(RoadIndex road, double s) const { return impl_->SectionAt(road, s); }

const Lane* Network::LaneAt(RoadIndex road, int lane, double s) const {
  const Road& rd = impl_->road(road);
  if (rd.sections.empty()) {
    return nullptr;
  }
  return rd.sections[static_cast<size_t>(impl_->SectionAt(road, s))].FindLane(lane);
}

bool Network::DrivesAlongS(RoadIndex road, int lane) const { return impl_->AlongS(road, lane); }

Pose Network::RoadToWorld(RoadIndex road, double s, double t) const {
  return impl_->RoadPose(road, std::clamp(s, 0.0, impl_->road(road).length), t);
}

double Network::LaneOffset(RoadIndex road, double s) const {
  return EvalRecords(impl_->road(road).lane_offsets, s).first;
}

double Network::LaneWidth(RoadIndex road, int lane, double s) const {
  const auto [inner, outer] = LaneBordersT(road, lane, s);
  return std::abs(outer - inner);
}

double Network::LaneCentreT(RoadIndex road, int lane, double s) const {
  const auto [inner, outer] = LaneBordersT(road, lane, s);
  return 0.5 * (inner + outer);
}

std::pair<double, double> Network::LaneBordersT(RoadIndex road, int lane, double s) const {
  s = std::clamp(s, 0.0, impl_->road(road).length);
  const Edges e = impl_->LaneEdges(road, impl_->SectionAt(road, s), lane, s);
  return {e.inner, e.outer};
}

Pose Network::LaneToWorld(const LanePos& p) const {
  const double s = std::clamp(p.s, 0.0, impl_->road(p.road).length);
  const Edges e = impl_->LaneEdges(p.road, impl_->SectionAt(p.road, s), p.lane, s);
  Pose pose = impl_->RoadPose(p.road, s, 0.5 * (e.inner + e.outer) + p.offset);
  pose.heading += std::atan(0.5 * (e.d_inner + e.d_outer));
  if (!impl_->AlongS(p.road, p.lane)) {
    pose.heading += kPi;
    pose.curvature = -pose.curvature;
  }
  pose.heading = WrapAngle(pose.heading);
  return pose;
}

double Network::LaneHeading(RoadIndex road, int lane, double s) const {
  s = std::clamp(s, 0.0, impl_->road(road).length);
  const Edges e = impl_->LaneEdges(road, impl_->SectionAt(road, s), lane, s);
  const double h = impl_->Reference(road, s).heading + std::atan(0.5 * (e.d_inner + e.d_outer));
  return WrapAngle(impl_->AlongS(road, lane) ? h : h + kPi);
}

std::optional<LaneCoord> Network::LocateOnRoad(RoadIndex road, double x, double y, double heading) const {
  if (road < 0 || static_cast<size_t>(road) >= impl_->data.roads.size()) {
    return std::nullopt;
  }
  return impl_->LocateOn(road, x, y, heading);
}

std::optional<LaneCoord> Network::LocateOnRoadByFullScan(RoadIndex road, double x, double y, double heading) const {
  if (road < 0 || static_cast<size_t>(road) >= impl_->data.roads.size()) {
    return std::nullopt;
  }
  return impl_->LocateOn(road, x, y, heading, true);
}

std::optional<LaneCoord> Network::Locate(double x, double y, double heading, std::optional<LanePos> hint) const {
  const auto& roads = impl_->data.roads;
  // Roads related to the hint: its own, its linked roads and, through junctions, their connecting roads.
  std::vector<RoadIndex> related;
  if (hint && hint->road >= 0 && static_cast<size_t>(hint->road) < roads.size()) {
    related.push_back(hint->road);
    for (const RoadLink* link : {&roads[static_cast<size_t>(hint->road)].predecessor,
                                 &roads[static_cast<size_t>(hint->road)].successor}) {
      if (link->kind == RoadLink::Kind::kRoad && link->road >= 0) {
        related.push_back(link->road);
      } else if (link->kind == RoadLink::Kind::kJunction && link->junction >= 0) {
        for (const Connection& c : impl_->data.junctions[static_cast<size_t>(link->junction)].connections) {
          if (c.incoming == hint->road) {
            related.push_back(c.connecting);
          }
        }
      }
    }
  }
  std::optional<LaneCoord> best_on;     // on a road, best by heading
  std::optional<LaneCoord> best_hint;   // on a road related to the hint
  std::optional<LaneCoord> best_near;   // nearest, for points off every road
  const auto better_heading = [](const LaneCoord& a, const std::optional<LaneCoord>& b) {
    if (!b) {
      return true;
    }
    const double ha = std::abs(a.heading_relative), hb = std::abs(b->heading_relative);
    if (std::abs(ha - hb) > 1e-9) {
      return ha < hb;
    }
    return std::abs(a.offset) < std::abs(b->offset) - 1e-12;
  };
  // Pass 0: the roads whose box holds the point; pass 1 (only if none contains it): the others, unless
  // their box is farther than the nearest road found (the box holds the whole road).
  for (int pass = 0; pass < 2 && !best_on; ++pass) {
    for (size_t i = 0; i < roads.size(); ++i) {
      const Impl::Box& b = impl_->boxes[i];
      const double gap_x = std::max({b.x0 - x, 0.0, x - b.x1}), gap_y = std::max({b.y0 - y, 0.0, y - b.y1});
      const bool inside = gap_x == 0.0 && gap_y == 0.0;  // hypot(gap_x, gap_y) == 0, without the hypot
      if ((pass == 0) != inside || (pass == 1 && best_near && std::hypot(gap_x, gap_y) >= best_near->distance)) {
        continue;
      }
      const std::optional<LaneCoord> c = impl_->LocateOn(static_cast<RoadIndex>(i), x, y, heading);
      if (!c) {
        continue;
      }
      if (c->on_road) {
        if (better_heading(*c, best_on)) {
          best_on = c;
        }
        if (std::find(related.begin(), related.end(), c->road) != related.end()) {
          const bool own = c->road == related.front();
          if (!best_hint || (own && best_hint->road != related.front()) ||
              (own == (best_hint->road == related.front()) && better_heading(*c, best_hint))) {
            best_hint = c;
          }
        }
      } else if (!best_near || c->distance < best_near->distance) {
        best_near = c;
      }
    }
  }
  if (best_hint) {
    return best_hint;
  }
  if (best_on) {
    return best_on;
  }
  return best_near;
}

MoveResult Network::MoveAlong(const LanePos& from, double distance, const MovePreference& preference) const {
  return impl_->Move(from, distance, true, preference);
}

MoveResult Network::MoveAlongS(const LanePos& from, double ds, const MovePreference& preference) const {
  return impl_->Move(from, ds, false, preference);
}

std::vector<LanePos> Network::Successors(RoadIndex road, int lane, double s) const {
  std::vector<LanePos> out;
  const int section = impl_->SectionAt(road, std::clamp(s, 0.0, impl_->road(road).length));
  for (const Next& n : impl_->Transitions(road, section, lane, impl_->AlongS(road, lane) ? 1 : -1)) {
    out.push_back({n.road, n.lane, n.s, 0.0});
  }
  return out;
}

std::vector<LanePos> Network::Predecessors(RoadIndex road, int lane, double s) const {
  std::vector<LanePos> out;
  const int section = impl_->SectionAt(road, std::clamp(s, 0.0, impl_->road(road).length));
  for (const Next& n : impl_->Transitions(road, section, lane, impl_->AlongS(road, lane) ? -1 : 1)) {
    out.push_back({n.road, n.lane, n.s, 0.0});
  }
  return out;
}

std::optional<std::vector<RouteStep>> Network::Route(const LanePos& from, const LanePos& to,
                                                     double lane_change_cost) const {
  const Impl& im = *impl_;
  const auto valid = [&](const LanePos& p) {
    return p.road >= 0 && static_cast<size_t>(p.road) < im.data.roads.size() && p.lane != 0 &&
           LaneAt(p.road, p.lane, p.s) != nullptr;
  };
  if (!valid(from) || !valid(to)) {
    return std::nullopt;
  }
  // Lane stretches (road, section, lane) are the graph's nodes; state 0 is the start, at from.s.
  std::vector<RouteStep> nodes{RouteStep{}};
  std::map<std::tuple<RoadIndex, int, int>, int> index;
  const auto node_of = [&](RoadIndex r, int section, int lane) {
    const auto [it, added] = index.emplace(std::make_tuple(r, section, lane), static_cast<int>(nodes.size()));
    if (added) {
      nodes.push_back({r, section, lane});
    }
    return it->second;
  };
  const int from_section = im.SectionAt(from.road, std::clamp(from.s, 0.0, im.road(from.road).length));
  const int to_section = im.SectionAt(to.road, std::clamp(to.s, 0.0, im.road(to.road).length));
  nodes[0] = {from.road, from_section, from.lane};
  const int target = node_of(to.road, to_section, to.lane);
  std::vector<double> dist{0.0, std::numeric_limits<double>::infinity()};
  std::vector<double> entry{from.s, 0.0};
  std::vector<int> prev{-1, -1};
  const auto grow = [&] {
    dist.resize(nodes.size(), std::numeric_limits<double>::infinity());
    entry.resize(nodes.size(), 0.0);
    prev.resize(nodes.size(), -1);
  };
  grow();
  // (cost, state); state -1 is the target reached, entered from `target_prev`.
  using Item = std::pair<double, int>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
  queue.push({0.0, 0});
  double target_cost = std::numeric_limits<double>::infinity();
  int target_prev = -1;
  const auto relax = [&](int from_state, int to_state, double cost, double at) {
    grow();
    if (cost < dist[static_cast<size_t>(to_state)] - 1e-12) {
      dist[static_cast<size_t>(to_state)] = cost;
      entry[static_cast<size_t>(to_state)] = at;
      prev[static_cast<size_t>(to_state)] = from_state;
      queue.push({cost, to_state});
    }
  };
  while (!queue.empty()) {
    const auto [cost, state] = queue.top();
    queue.pop();
    if (state == -1) {
      break;
    }
    if (cost > dist[static_cast<size_t>(state)]) {
      continue;
    }
    const RouteStep here = nodes[static_cast<size_t>(state)];
    const double at = entry[static_cast<size_t>(state)];
    const int dir = im.AlongS(here.road, here.lane) ? 1 : -1;
    const LaneSection& sec = im.road(here.road).sections[static_cast<size_t>(here.section)];
    if ((state == target || (state == 0 && nodes[0] == nodes[static_cast<size_t>(target)])) &&
        dir * (to.s - at) >= -1e-9 && cost + std::abs(to.s - at) < target_cost) {
      target_cost = cost + std::abs(to.s - at);
      target_prev = state;
      queue.push({target_cost, -1});
    }
    const double leg = std::abs((dir > 0 ? sec.s_end : sec.s) - at);
    for (const Next& n : im.Transitions(here.road, here.section, here.lane, dir)) {
      if ((n.dir > 0) == im.AlongS(n.road, n.lane)) {  // only along the lanes' driving direction
        relax(state, node_of(n.road, n.section, n.lane), cost + leg, n.s);
      }
    }
    const Lane* lane = sec.FindLane(here.lane);
    for (const int side : {1, -1}) {
      const int id = here.lane + side;
      const Lane* other = sec.FindLane(id);
      if (id == 0 || other == nullptr || im.AlongS(here.road, id) != (dir > 0)) {
        continue;
      }
      if (IsDrivable(lane->type) ? IsDrivable(other->type) : other->type == lane->type) {
        relax(state, node_of(here.road, here.section, id), cost + lane_change_cost, at);
      }
    }
  }
  if (target_prev < 0) {
    return std::nullopt;
  }
  std::vector<RouteStep> route;
  for (int st = target_prev; st >= 0; st = prev[static_cast<size_t>(st)]) {
    route.push_back(nodes[static_cast<size_t>(st)]);
  }
  std::reverse(route.begin(), route.end());
  return route;
}

double Network::RouteLength(const std::vector<RouteStep>& route, const LanePos& from, const LanePos& to) const {
  const Impl& im = *impl_;
  double length = 0.0;
  double at = from.s;
  for (size_t i = 0; i < route.size(); ++i) {
    const RouteStep& step = route[i];
    if (i + 1 == route.size()) {
      length += std::abs(to.s - at);
      break;
    }
    const RouteStep& next = route[i + 1];
    if (next.road == step.road && next.section == step.section) {
      continue;  // a lane change: no length, same s
    }
    const LaneSection& sec = im.road(step.road).sections[static_cast<size_t>(step.section)];
    const bool along = im.AlongS(step.road, step.lane);
    length += std::abs((along ? sec.s_end : sec.s) - at);
    const LaneSection& ns = im.road(next.road).sections[static_cast<size_t>(next.section)];
    at = im.AlongS(next.road, next.lane) ? ns.s : ns.s_end;
  }
  return length;
}

std::vector<Point> Network::ReferenceLine(RoadIndex road, double step) const {
  std::vector<Point> out;
  const Road& rd = impl_->road(road);
  step = std::max(step, 1e-3);
  for (const Geometry& g : rd.geometry) {
    const int n = std::max(1, static_cast<int>(std::ceil(g.length / step)));
    for (int k = 0; k < n; ++k) {
      const Pose p = impl_->Reference(road, g.s + g.length * k / n);
      out.push_back({p.x, p.y});
    }
  }
  const Pose end = impl_->Reference(road, rd.length);
  out.push_back({end.x, end.y});
  return out;
}

std::vector<LaneOutline> Network::LaneOutlines(double step) const {
  std::vector<LaneOutline> out;
  step = std::max(step, 1e-3);
  for (size_t ri = 0; ri < impl_->data.roads.size(); ++ri) {
    const auto r = static_cast<RoadIndex>(ri);
    const Road& rd = impl_->data.roads[ri];
    for (size_t si = 0; si < rd.sections.size(); ++si) {
      const LaneSection& sec = rd.sections[si];
      const int n = std::max(1, static_cast<int>(std::ceil((sec.s_end - sec.s) / step)));
      for (const Lane& lane : sec.lanes) {
        if (lane.id == 0) {
          continue;
        }
        LaneOutline o{r, static_cast<int>(si), lane.id, lane.type, {}, {}};
        for (int k = 0; k <= n; ++k) {
          const double s = sec.s + (sec.s_end - sec.s) * k / n;
          const Edges e = impl_->LaneEdges(r, static_cast<int>(si), lane.id, s);
          const Pose a = impl_->RoadPose(r, s, e.inner);
          const Pose b = impl_->RoadPose(r, s, e.outer);
          o.inner.push_back({a.x, a.y});
          o.outer.push_back({b.x, b.y});
        }
        out.push_back(std::move(o));
      }
    }
  }
  return out;
}

}  // namespace gauntlet::opendrive
