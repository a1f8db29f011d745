// esmini's SynchronizeAction, the choices the Euro NCAP scenarios of Vector's OSC-NCAP-scenarios depend on
// (found by comparing `gauntlet play` with esmini's test/ncap_suite.py values, docs/openscenario.md,
// "SynchronizeAction"). Every expected value is worked out by hand in the comment above it.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "openscenario/internal/path_projection.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

/// A LanePosition on road "1" with an absolute heading.
std::string LaneHeading(int lane, double s, double heading) {
  return "<LanePosition roadId=\"1\" laneId=\"" + std::to_string(lane) + "\" s=\"" + std::to_string(s) +
         "\" offset=\"0\"><Orientation h=\"" + std::to_string(heading) + "\" type=\"absolute\"/></LanePosition>";
}

// On one road the distance to a target is |delta s|, whatever the lanes (esmini's RoadPath on the same
// road), also for an entity facing against its lane (Euro NCAP CCFhol's GVT: lane -1 facing -x, its target
// in lane 1). The master drives lane -1 from s = 0 at 10 m/s to s = 100: 10 s. The Ego starts at s = 300
// in lane -1 facing -x at 5 m/s, its target s = 250 in lane 1 (3.07 m to the side, y = +1.535), final
// speed 5 m/s: 50 m in 10 s at 5 m/s, mean = (v0 + v1) / 2, so the plan keeps 5 m/s at every step and the
// Ego is at x = 300 - 5 t. (The straight line to the target, sqrt(50^2 + 3.07^2) = 50.094 m, would make
// it speed up.)
TEST(SyncSemanticsTest, DistanceOnOneRoadIsDeltaSWhateverTheLanes) {
  for (const double heading : {3.141592653589793, 0.0}) {
    SCOPED_TRACE(heading);
    XoscParts p;
    p.road = StraightRoad();
    p.entities = Car("Master") + Car("Ego");
    // heading 0: the Ego at s = 200 drives +x to s = 250 (x = 200 + 5 t)
    const double start = heading > 0 ? 300.0 : 200.0;
    p.init = Place("Master", LanePos(-1, 0), 10.0) + Place("Ego", LaneHeading(-1, start, heading), 5.0);
    const std::string sync = "<PrivateAction><SynchronizeAction masterEntityRef=\"Master\"><TargetPositionMaster>" +
                             LanePos(-1, 100) + "</TargetPositionMaster><TargetPosition>" + LanePos(1, 250) +
                             "</TargetPosition><FinalSpeed><AbsoluteSpeed value=\"5\"/></FinalSpeed>"
                             "</SynchronizeAction></PrivateAction>";
    p.stories = Story("Ego", Event("sync", sync, Trigger(TimeCondition(0.0))));
    const PlayResult r = PlayFile(WriteXosc("sync_one_road", Xosc(p)), 0.05, 12.0);
    const double dir = heading > 0 ? -1.0 : 1.0;
    for (const double t : {0.05, 2.0, 5.0, 9.0}) {
      EXPECT_NEAR(r.At(t)[1].speed, 5.0, 1e-9) << t;
      EXPECT_NEAR(r.At(t)[1].x, start + dir * 5.0 * t, 1e-6) << t;
    }
    EXPECT_TRUE(r.Printed("10.000: event sync end"));
  }
}

/// An Init FollowTrajectoryAction (TimeReference None, position mode) along a polyline of world points.
std::string FollowPolyline(const std::vector<std::pair<double, double>>& points) {
  std::string vertices;
  for (const auto& [x, y] : points) vertices += "<Vertex><Position>" + World(x, y) + "</Position></Vertex>";
  return "<PrivateAction><RoutingAction><FollowTrajectoryAction><TrajectoryRef><Trajectory name=\"t\" closed=\"false\">"
         "<Shape><Polyline>" + vertices + "</Polyline></Shape></Trajectory></TrajectoryRef><TimeReference><None/>"
         "</TimeReference><TrajectoryFollowingMode followingMode=\"position\"/></FollowTrajectoryAction></RoutingAction>"
         "</PrivateAction>";
}

// On a trajectory the distance is measured along it: the target's closest point on the path less the
// entity's arc length (esmini's trajectory coordinate system; Euro NCAP CCFtap's master turns left on a
// clothoid, where the straight line is 0.065 m shorter). Two layouts, each with one bent path (100 m or 50 m
// along, 70.7 m or 35.4 m straight):
//   master (0, 0) -> (50, 0) -> (50, 50), Ego (0, -20) -> (50, -20);
//   master (0, 0) -> (100, 0),            Ego (0, 20) -> (25, 20) -> (25, 45).
// The master follows its path at |v| = 10 m/s to its end (100 m along), the Ego its path at 5 m/s to its
// end (50 m along), final speed 5 m/s. Both move in their trajectory actions before the synchronisation
// reads them, so at step k the Ego's mean speed needed is (50 - 0.25 (k + 1)) / (10 - 0.05 (k + 1)) = 5 =
// (v0 + v1) / 2: it keeps 5 m/s exactly (straight-line distances would make it speed up or slow down).
// The master's distance reaches 0 in its 200th step: the action ends in the step from 9.95 s. A master
// reversing along its trajectory (speed -10 m/s: it follows the path facing backwards) closes the distance
// at |v| too (Euro NCAP CPRA_Cm's Ego backs towards the pedestrian).
TEST(SyncSemanticsTest, OnATrajectoryTheDistanceIsAlongItAndClosedAtTheAbsoluteSpeed) {
  struct Layout {
    std::vector<std::pair<double, double>> master, ego;
    double x6, y6;  // the Ego at 6 s: 30 m along
  };
  const std::vector<Layout> layouts = {{{{0, 0}, {50, 0}, {50, 50}}, {{0, -20}, {50, -20}}, 30, -20},
                                       {{{0, 0}, {100, 0}}, {{0, 20}, {25, 20}, {25, 45}}, 25, 25}};
  for (const Layout& l : layouts) {
    for (const double master_speed : {10.0, -10.0}) {
      SCOPED_TRACE(master_speed);
      SCOPED_TRACE(l.x6);
      XoscParts p;
      p.entities = Car("Master") + Car("Ego");
      p.init = Place("Master", World(0, 0), master_speed) + Place("Ego", World(l.ego[0].first, l.ego[0].second), 5.0);
      p.init.insert(p.init.find("</Private>"), FollowPolyline(l.master));
      p.init.insert(p.init.rfind("</Private>"), FollowPolyline(l.ego));
      const std::string sync = "<PrivateAction><SynchronizeAction masterEntityRef=\"Master\"><TargetPositionMaster>" +
                               World(l.master.back().first, l.master.back().second) +
                               "</TargetPositionMaster><TargetPosition>" + World(l.ego.back().first, l.ego.back().second) +
                               "</TargetPosition><FinalSpeed><AbsoluteSpeed value=\"5\"/></FinalSpeed>"
                               "</SynchronizeAction></PrivateAction>";
      p.stories = Story("Ego", Event("sync", sync, Trigger(TimeCondition(0.0))));
      const PlayResult r = PlayFile(WriteXosc("sync_trajectory", Xosc(p)), 0.05, 11.0);
      for (const double t : {0.05, 3.0, 6.0, 9.9}) EXPECT_NEAR(r.At(t)[1].speed, 5.0, 1e-9) << t;
      EXPECT_NEAR(r.At(6.0)[1].x, l.x6, 1e-9);
      EXPECT_NEAR(r.At(6.0)[1].y, l.y6, 1e-9);
      EXPECT_TRUE(r.Printed("9.950: event sync end"));
    }
  }
}

// ClosestAlongPath against a naive search: random polylines and points, each segment sampled at 2000
// points; the closest point found is within 1e-9 of the sampled minimum distance (never farther than it
// beyond the sampling's resolution), and its arc length lies in the path's range.
TEST(SyncSemanticsTest, ClosestAlongPathMatchesANaiveSearch) {
  struct P {
    double x, y;
  };
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-50.0, 50.0);
  for (int c = 0; c < 300; ++c) {
    std::vector<std::pair<P, double>> path;
    const int n = 1 + static_cast<int>(rng() % 6);
    double along = 0.0;
    for (int k = 0; k < n; ++k) {
      const P q{u(rng), u(rng)};
      if (!path.empty()) along += std::hypot(q.x - path.back().first.x, q.y - path.back().first.y);
      path.push_back({q, along});
    }
    const P point{u(rng), u(rng)};
    const double s = openscenario::internal::ClosestAlongPath(path, point);
    ASSERT_GE(s, 0.0);
    ASSERT_LE(s, along + 1e-9);
    // the point at arc length s, and the naive minimum
    auto at = [&](double arc) {
      if (path.size() == 1) return path.front().first;
      size_t k = 1;
      while (k + 1 < path.size() && path[k].second < arc) ++k;
      const double len = path[k].second - path[k - 1].second;
      const double f = len > 0 ? (arc - path[k - 1].second) / len : 0.0;
      return P{path[k - 1].first.x + f * (path[k].first.x - path[k - 1].first.x),
               path[k - 1].first.y + f * (path[k].first.y - path[k - 1].first.y)};
    };
    const P found = at(s);
    const double d = std::hypot(point.x - found.x, point.y - found.y);
    double naive = std::hypot(point.x - path.front().first.x, point.y - path.front().first.y);
    double step = 0.0;
    for (size_t k = 1; k < path.size(); ++k) {
      const double len = path[k].second - path[k - 1].second;
      step = std::max(step, len / 2000.0);
      for (int i = 0; i <= 2000; ++i) {
        const P q = at(path[k - 1].second + len * i / 2000.0);
        naive = std::min(naive, std::hypot(point.x - q.x, point.y - q.y));
      }
    }
    EXPECT_LE(d, naive + 1e-9) << c;
    EXPECT_GE(d, naive - step - 1e-9) << c;
  }
  // the example of the header: (12, 3) projects onto the second segment 3 m up, s = 13
  const std::vector<std::pair<P, double>> l = {{{0, 0}, 0.0}, {{10, 0}, 10.0}, {{10, 5}, 15.0}};
  EXPECT_DOUBLE_EQ(openscenario::internal::ClosestAlongPath(l, P{12, 3}), 13.0);
}

}  // namespace
}  // namespace gauntlet::test
