// Every esmini road network in data/openscenario/xodr loads (or is refused with a positioned error
// naming the unsupported element), and known geometry of some of them holds.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include <cmath>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include "opendrive/opendrive.h"

namespace gauntlet {
namespace opendrive {
namespace {

const std::string kDir = std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xodr/";

std::vector<std::string> XodrFiles() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
    if (entry.path().extension() == ".xodr") {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(EsminiFiles, EveryFileLoads) {
  const std::vector<std::string> files = XodrFiles();
  ASSERT_EQ(files.size(), 20u) << "data/openscenario/xodr must hold esmini's 20 road networks";
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    try {
      const Network net = Network::Load(file);
      EXPECT_FALSE(net.roads().empty());
    } catch (const core::InputError& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

TEST(EsminiFiles, Straight500mIs500mLong) {
  const Network net = Network::Load(kDir + "straight_500m.xodr");
  ASSERT_EQ(net.roads().size(), 1u);
  EXPECT_EQ(net.roads()[0].length, 500.0);
  const Pose end = net.RoadToWorld(0, 500.0);
  EXPECT_NEAR(end.x, 500.0, 1e-9);
  EXPECT_NEAR(end.y, 0.0, 1e-9);
  EXPECT_EQ(net.header().rev_minor, 4);
  EXPECT_THAT(net.header().geo_reference, ::testing::StartsWith("+proj=utm"));
}

// The radius of the circle through three points.
double Circumradius(const Pose& a, const Pose& b, const Pose& c) {
  const double ab = std::hypot(a.x - b.x, a.y - b.y), bc = std::hypot(b.x - c.x, b.y - c.y);
  const double ca = std::hypot(c.x - a.x, c.y - a.y);
  const double area2 = std::abs((b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y));
  return ab * bc * ca / (2.0 * area2);
}

TEST(EsminiFiles, CurveR100HasRadius100) {
  const Network net = Network::Load(kDir + "curve_r100.xodr");
  const RoadIndex r = *net.FindRoad("0");
  EXPECT_NEAR(Circumradius(net.RoadToWorld(r, 510), net.RoadToWorld(r, 570), net.RoadToWorld(r, 650)), 100.0, 1e-6);
  const Pose end = net.RoadToWorld(r, net.roads()[r].length);
  EXPECT_NEAR(end.x, 600.0, 1e-6);
  EXPECT_NEAR(end.y, 200.0, 1e-6);
  EXPECT_NEAR(end.heading, std::numbers::pi / 2, 1e-9);
  EXPECT_NEAR(net.RoadToWorld(r, 600).curvature, 0.01, 1e-12);
}

TEST(EsminiFiles, Circle300mClosesOnItself) {
  const Network net = Network::Load(kDir + "circle_300m.xodr");
  const Pose start = net.RoadToWorld(0, 0.0), end = net.RoadToWorld(0, 300.0);
  EXPECT_NEAR(end.x, start.x, 1e-5);
  EXPECT_NEAR(end.y, start.y, 1e-5);
  EXPECT_NEAR(std::remainder(end.heading - start.heading, 2 * std::numbers::pi), 0.0, 1e-7);
  // the radius: 300 / (2 pi)
  EXPECT_NEAR(Circumradius(net.RoadToWorld(0, 10), net.RoadToWorld(0, 100), net.RoadToWorld(0, 200)),
              300.0 / (2 * std::numbers::pi), 1e-6);
}

TEST(EsminiFiles, LeftHandTrafficVariantOfE6mini) {
  const Network rht = Network::Load(kDir + "e6mini.xodr");
  const Network lht = Network::Load(kDir + "e6mini-lht.xodr");
  ASSERT_FALSE(lht.roads().empty());
  EXPECT_FALSE(rht.roads()[0].left_hand_traffic);
  EXPECT_TRUE(lht.roads()[0].left_hand_traffic);
  EXPECT_TRUE(lht.DrivesAlongS(0, 1));
}

// Random points on every driving lane of every file: LaneToWorld then Locate (with the lane as
// hint) gives the lane position back.
TEST(EsminiFiles, LocateInvertsLaneToWorld) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  for (const std::string& file : XodrFiles()) {
    SCOPED_TRACE(file);
    const Network net = Network::Load(file);
    for (int k = 0; k < 200; ++k) {
      const auto r = static_cast<RoadIndex>(u01(rng) * net.roads().size());
      const Road& road = net.roads()[r];
      const double s = road.length * (0.02 + 0.96 * u01(rng));
      const LaneSection& sec = road.sections[net.SectionAt(r, s)];
      const Lane& lane = sec.lanes[static_cast<size_t>(u01(rng) * sec.lanes.size())];
      const double w = net.LaneWidth(r, lane.id, s);
      if (lane.id == 0 || w < 0.5) {
        continue;
      }
      const double offset = (w / 2 - 0.1) * (2 * u01(rng) - 1);
      const LanePos pos{r, lane.id, s, offset};
      const Pose p = net.LaneToWorld(pos);
      const auto where = net.Locate(p.x, p.y, p.heading, pos);
      ASSERT_TRUE(where);
      EXPECT_EQ(where->road, r) << "road " << road.id << " s " << s;
      if (where->road == r) {
        EXPECT_EQ(where->lane, lane.id);
        EXPECT_NEAR(where->s, s, 1e-6);
        EXPECT_NEAR(where->offset, offset, 1e-6);
        EXPECT_TRUE(where->on_road);
      }
    }
  }
}

// The pruned nearest-segment search of LocateOnRoad returns exactly what measuring every segment does
// (the same floating-point numbers), on every road of every network, for points on, near and far from
// the road (anywhere in a box around the network, and within a few metres of the reference line).
/// Whether LocateOnRoad finds a location at (x, y) (the full scan must agree), expecting every field to
/// equal LocateOnRoadByFullScan's bit for bit.
bool LocatesAsTheFullScan(const Network& net, RoadIndex road, double x, double y, double heading) {
  const auto fast = net.LocateOnRoad(road, x, y, heading);
  const auto full = net.LocateOnRoadByFullScan(road, x, y, heading);
  EXPECT_EQ(fast.has_value(), full.has_value());
  if (!fast || !full) return false;
  EXPECT_EQ(fast->s, full->s) << "road " << net.roads()[static_cast<size_t>(road)].id << " at " << x << ", " << y;
  EXPECT_EQ(fast->t, full->t);
  EXPECT_EQ(fast->lane, full->lane);
  EXPECT_EQ(fast->offset, full->offset);
  EXPECT_EQ(fast->heading_relative, full->heading_relative);
  EXPECT_EQ(fast->distance, full->distance);
  EXPECT_EQ(fast->on_road, full->on_road);
  return true;
}

TEST(EsminiFiles, LocateOnRoadEqualsTheFullScanBitForBit) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  size_t compared = 0;
  for (const std::string& file : XodrFiles()) {
    SCOPED_TRACE(file);
    const Network net = Network::Load(file);
    double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
    for (size_t r = 0; r < net.roads().size(); ++r) {
      for (double f : {0.0, 0.25, 0.5, 0.75, 1.0}) {
        const Pose p = net.RoadToWorld(static_cast<RoadIndex>(r), f * net.roads()[r].length, 0.0);
        x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
      }
    }
    for (size_t r = 0; r < net.roads().size(); ++r) {
      const auto road = static_cast<RoadIndex>(r);
      for (int k = 0; k < 40; ++k) {
        double x, y;
        if (k % 2 == 0) {  // anywhere around the network
          x = x0 - 50 + (x1 - x0 + 100) * u01(rng);
          y = y0 - 50 + (y1 - y0 + 100) * u01(rng);
        } else {  // near the road, at a random s
          const Pose p = net.RoadToWorld(road, net.roads()[r].length * u01(rng), 12 * u01(rng) - 6);
          x = p.x + 0.5 * u01(rng);
          y = p.y + 0.5 * u01(rng);
        }
        const double heading = 2 * std::numbers::pi * u01(rng);
        if (LocatesAsTheFullScan(net, road, x, y, heading)) ++compared;
      }
    }
  }
  EXPECT_GT(compared, 1000u);
}

// The same along trajectories, as a co-simulation locates its entities step after step: every lane of
// every road driven in small steps with a drifting lateral offset and heading, and the points where the
// nearest reference-line segment ties (the sampled vertices, 2 m apart, and the road's ends), which the
// pruned search must break as the full scan does (the first segment in order).
TEST(EsminiFiles, LocateOnRoadEqualsTheFullScanAlongTrajectoriesAndAtTies) {
  std::mt19937_64 rng(23);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  size_t compared = 0, off_road = 0;
  const auto same = [&](const Network& net, RoadIndex road, double x, double y, double heading) {
    if (!LocatesAsTheFullScan(net, road, x, y, heading)) return;
    ++compared;
    off_road += net.LocateOnRoad(road, x, y, heading)->on_road ? 0 : 1;
  };
  for (const std::string& file : XodrFiles()) {
    SCOPED_TRACE(file);
    const Network net = Network::Load(file);
    for (size_t r = 0; r < net.roads().size(); ++r) {
      const auto road = static_cast<RoadIndex>(r);
      const double length = net.roads()[r].length;
      for (double s = 0.0; s <= length; s += 2.0) {  // on the sampled vertices (every planView record's too)
        const Pose p = net.RoadToWorld(road, s, 0.0);
        same(net, road, p.x, p.y, p.heading);
      }
      for (const double s : {0.0, length}) {  // beyond the ends, straight on and sideways
        const Pose p = net.RoadToWorld(road, s, 0.0);
        const double out = s == 0.0 ? -3.0 : 3.0;
        same(net, road, p.x + out * std::cos(p.heading), p.y + out * std::sin(p.heading), p.heading);
        same(net, road, p.x + out * std::cos(p.heading) - 2.0 * std::sin(p.heading),
             p.y + out * std::sin(p.heading) + 2.0 * std::cos(p.heading), 0.0);
      }
      for (const Lane& lane : net.roads()[r].sections.front().lanes) {
        if (lane.id == 0) continue;
        double offset = 0.0, heading = 0.0;
        for (double s = 0.0; s <= length; s += 0.1 + 0.9 * u01(rng)) {  // trajectories drifting across lanes
          offset += 0.3 * (u01(rng) - 0.5);
          heading += 0.05 * (u01(rng) - 0.5);
          if (net.LaneAt(road, lane.id, s) == nullptr) break;
          const Pose p = net.LaneToWorld({.road = road, .lane = lane.id, .s = s, .offset = offset});
          same(net, road, p.x, p.y, p.heading + heading);
        }
      }
    }
  }
  EXPECT_GT(compared, 20000u);
  EXPECT_GT(off_road, 100u);  // the trajectories leave the roads too
}

// Driving every drivable lane of the NCAP-sized networks in 1 m steps: consecutive positions are
// 1 m apart (no jump at a lane section, road link or junction) until the network ends.
TEST(EsminiFiles, MoveAlongDrivesThroughLinksWithoutJumps) {
  int links = 0;
  for (const char* name : {"e6mini.xodr", "fabriksgatan.xodr", "jolengatan.xodr", "soderleden.xodr",
                           "multi_intersections.xodr", "curves.xodr"}) {
    SCOPED_TRACE(name);
    const Network net = Network::Load(kDir + name);
    for (size_t r = 0; r < net.roads().size(); ++r) {
      for (const Lane& lane : net.roads()[r].sections.front().lanes) {
        if (!IsDrivable(lane.type)) {
          continue;
        }
        const double s0 = net.DrivesAlongS(static_cast<RoadIndex>(r), lane.id) ? 0.0 : net.roads()[r].length;
        LanePos pos{static_cast<RoadIndex>(r), lane.id, s0, 0.0};
        Pose prev = net.LaneToWorld(pos);
        for (int step = 0; step < 400; ++step) {
          const MoveResult m = net.MoveAlong(pos, 1.0);
          const Pose p = net.LaneToWorld(m.position);
          const double jump = std::hypot(p.x - prev.x, p.y - prev.y);
          links += m.links_crossed;
          if (m.end_of_network) {
            EXPECT_LE(jump, 1.0 + 1e-6);
            break;
          }
          EXPECT_NEAR(m.moved, 1.0, 1e-12);
          // A jump at a link would be metres. The step itself is 1 m only roughly: MoveAlong scales
          // s by the curvature where the step starts (as esmini does), so a step into or out of a
          // tight curve (radius 8 m at the lane centre in multi_intersections' junctions) travels
          // up to a quarter more or less. A lane that narrows
          // to nothing merges into its successor, which is a lane width away.
          if (net.LaneWidth(pos.road, pos.lane, pos.s) < 0.5) {
            break;
          }
          ASSERT_NEAR(jump, 1.0, 0.3) << "road " << net.roads()[pos.road].id << " lane " << pos.lane << " s "
                                       << pos.s << " -> road " << net.roads()[m.position.road].id << " lane "
                                       << m.position.lane << " s " << m.position.s;
          pos = m.position;
          prev = p;
        }
      }
    }
  }
  EXPECT_GT(links, 50);
}


}  // namespace
}  // namespace opendrive
}  // namespace gauntlet
