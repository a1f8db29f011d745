#include "sim/road_network.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "core/rng.h"

namespace gauntlet::sim {
namespace {

constexpr double kPi = std::numbers::pi;

double Wrap(double a) {
  a = std::remainder(a, 2.0 * kPi);
  if (a <= -kPi) a += 2.0 * kPi;
  return a;
}

RoadNetwork BuildOk(const RoadNetworkSpec& spec) {
  std::vector<core::FieldError> errors;
  RoadNetwork net = RoadNetwork::Build(spec, &errors);
  for (const auto& e : errors) ADD_FAILURE() << e.path << ": " << e.message;
  return net;
}

std::vector<std::string> Messages(const RoadNetworkSpec& spec) {
  std::vector<core::FieldError> errors;
  const RoadNetwork net = RoadNetwork::Build(spec, &errors);
  EXPECT_EQ(net.lane_count(), 0u);
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.path + ": " + e.message);
  return out;
}

RoadSpec Straight(std::string id, double length_m, int lanes = 1) {
  RoadSpec road;
  road.id = std::move(id);
  road.lanes = lanes;
  road.segments = {{.length_m = length_m}};
  return road;
}

TEST(RoadNetworkTest, ArcLengthsOfLanesOnACurve) {
  // a quarter circle of radius 100 m to the left, three lanes 3.5 m wide
  RoadNetworkSpec spec;
  RoadSpec road;
  road.id = "bend";
  road.lanes = 3;
  road.segments = {{.length_m = 50.0 * kPi, .curvature_1pm = 0.01}};
  spec.roads.push_back(road);
  const RoadNetwork net = BuildOk(spec);
  ASSERT_EQ(net.lane_count(), 3u);
  for (int i = 0; i < 3; ++i) {
    const LaneId lane = *net.FindLane("bend:" + std::to_string(i));
    const double radius = 100.0 - 3.5 * i;
    EXPECT_NEAR(net.LaneLength(lane), 0.5 * kPi * radius, 1e-9);
    // the end is a quarter turn on the lane's own circle about (0, 100)
    const Pose2 end = net.PoseAt(lane, net.LaneLength(lane));
    EXPECT_NEAR(end.x_m, radius, 1e-9);
    EXPECT_NEAR(end.y_m, 100.0, 1e-9);
    EXPECT_NEAR(end.heading_rad, 0.5 * kPi, 1e-12);
    EXPECT_NEAR(end.curvature_1pm, 1.0 / radius, 1e-12);
  }
  // the left lane of a left curve is shorter
  EXPECT_LT(net.LaneLength(2), net.LaneLength(1));
  EXPECT_LT(net.LaneLength(1), net.LaneLength(0));
}

TEST(RoadNetworkTest, RightCurveMakesTheLeftLaneLonger) {
  RoadNetworkSpec spec;
  RoadSpec road = Straight("r", 1.0, 2);
  road.segments = {{.length_m = 80.0, .curvature_1pm = -0.02}};
  spec.roads.push_back(road);
  const RoadNetwork net = BuildOk(spec);
  EXPECT_NEAR(net.LaneLength(0), 80.0, 1e-12);
  EXPECT_NEAR(net.LaneLength(1), 80.0 * (1.0 + 0.02 * 3.5), 1e-12);
  EXPECT_NEAR(net.PoseAt(1, 10.0).curvature_1pm, -1.0 / 53.5, 1e-12);
}

TEST(RoadNetworkTest, ConstantSpeedOnACurvedLaneTurnsAtSpeedTimesCurvature) {
  RoadNetworkSpec spec;
  RoadSpec road = Straight("c", 1.0, 2);
  road.segments = {{.length_m = 300.0, .curvature_1pm = 1.0 / 60.0}};
  spec.roads.push_back(road);
  const RoadNetwork net = BuildOk(spec);
  const double speed_mps = 17.0;
  const double dt_s = 0.01;
  for (LaneId lane = 0; lane < 2; ++lane) {
    const double kappa = 1.0 / (60.0 - 3.5 * lane);
    double max_rate_error = 0.0;
    double max_speed_error = 0.0;
    for (int step = 0; (step + 1) * dt_s * speed_mps < net.LaneLength(lane); ++step) {
      const Pose2 a = net.PoseAt(lane, step * dt_s * speed_mps);
      const Pose2 b = net.PoseAt(lane, (step + 1) * dt_s * speed_mps);
      const double rate = Wrap(b.heading_rad - a.heading_rad) / dt_s;
      max_rate_error = std::max(max_rate_error, std::abs(rate - speed_mps * kappa));
      // chord of angle v dt kappa on radius 1/kappa
      const double chord = 2.0 / kappa * std::sin(0.5 * speed_mps * dt_s * kappa);
      max_speed_error = std::max(max_speed_error, std::abs(std::hypot(b.x_m - a.x_m, b.y_m - a.y_m) - chord));
      EXPECT_NEAR(a.curvature_1pm, kappa, 1e-12);
    }
    EXPECT_LT(max_rate_error, 1e-9);
    EXPECT_LT(max_speed_error, 1e-9);
  }
}

TEST(RoadNetworkTest, PosesAreContinuousAcrossSegments) {
  core::Rng rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    RoadNetworkSpec spec;
    RoadSpec road = Straight("r", 1.0, 3);
    road.x_m = rng.Uniform(-100, 100);
    road.y_m = rng.Uniform(-100, 100);
    road.heading_rad = rng.Uniform(-kPi, kPi);
    road.segments.clear();
    const int segments = 1 + static_cast<int>(rng.UniformInt(6));
    for (int j = 0; j < segments; ++j) {
      const double k = rng.Uniform() < 0.3 ? 0.0 : rng.Uniform(-0.05, 0.05);
      road.segments.push_back({.length_m = rng.Uniform(1.0, 80.0), .curvature_1pm = k});
    }
    spec.roads.push_back(road);
    const RoadNetwork net = BuildOk(spec);
    for (LaneId lane = 0; lane < 3; ++lane) {
      // sampled chords add up to the lane length, and neighbouring samples are close in pose
      const int samples = 4000;
      const double length = net.LaneLength(lane);
      double sum = 0.0;
      Pose2 prev = net.PoseAt(lane, 0.0);
      for (int i = 1; i <= samples; ++i) {
        const Pose2 p = net.PoseAt(lane, length * i / samples);
        const double step = std::hypot(p.x_m - prev.x_m, p.y_m - prev.y_m);
        EXPECT_NEAR(step, length / samples, 1e-6 * length);
        EXPECT_LT(std::abs(Wrap(p.heading_rad - prev.heading_rad)), 0.08 * length / samples + 1e-12);
        sum += step;
        prev = p;
      }
      // chords fall short of the arc by at most L step^2 kappa^2 / 24
      const double step = length / samples;
      EXPECT_LE(sum, length + 1e-9);
      EXPECT_GE(sum, length - length * step * step * 0.08 * 0.08 / 24.0 - 1e-9);
    }
  }
}

TEST(RoadNetworkTest, PosesExtrapolateStraightBeyondTheEnds) {
  RoadNetworkSpec spec;
  RoadSpec road = Straight("r", 1.0, 2);
  road.heading_rad = 0.3;
  road.segments = {{.length_m = 40.0, .curvature_1pm = 0.02}};
  spec.roads.push_back(road);
  const RoadNetwork net = BuildOk(spec);
  const Pose2 start = net.PoseAt(1, 0.0, 0.5);
  const Pose2 before = net.PoseAt(1, -10.0, 0.5);
  EXPECT_NEAR(before.x_m, start.x_m - 10.0 * std::cos(0.3), 1e-12);
  EXPECT_NEAR(before.y_m, start.y_m - 10.0 * std::sin(0.3), 1e-12);
  EXPECT_EQ(before.curvature_1pm, 0.0);
  const double length = net.LaneLength(1);
  const Pose2 end = net.PoseAt(1, length);
  const Pose2 after = net.PoseAt(1, length + 7.0);
  EXPECT_NEAR(after.x_m, end.x_m + 7.0 * std::cos(end.heading_rad), 1e-12);
  EXPECT_NEAR(after.y_m, end.y_m + 7.0 * std::sin(end.heading_rad), 1e-12);
  EXPECT_NEAR(after.heading_rad, 0.3 + 0.8, 1e-12);
}

TEST(RoadNetworkTest, LateralOffsetsMoveToTheLeft) {
  RoadNetworkSpec spec;
  spec.roads.push_back(Straight("r", 100.0, 2));
  spec.roads[0].heading_rad = 0.5 * kPi;  // driving north: left is west
  const RoadNetwork net = BuildOk(spec);
  const Pose2 p = net.PoseAt(1, 20.0, 1.0);
  EXPECT_NEAR(p.x_m, -4.5, 1e-12);
  EXPECT_NEAR(p.y_m, 20.0, 1e-12);
}

/// A network of roads far apart, each with random segments that turn less than half a turn in all.
RoadNetworkSpec RandomSeparateRoads(core::Rng& rng, int roads) {
  RoadNetworkSpec spec;
  for (int r = 0; r < roads; ++r) {
    RoadSpec road;
    road.id = "road" + std::to_string(r);
    road.x_m = 2000.0 * r;
    road.y_m = rng.Uniform(-50, 50);
    road.heading_rad = rng.Uniform(-kPi, kPi);
    road.lanes = 1 + static_cast<int>(rng.UniformInt(4));
    road.lane_width_m = rng.Uniform(2.5, 4.5);
    double turn = 0.0;
    const int segments = 1 + static_cast<int>(rng.UniformInt(5));
    for (int j = 0; j < segments; ++j) {
      const double length = rng.Uniform(5.0, 120.0);
      double k = rng.Uniform() < 0.3 ? 0.0 : rng.Uniform(-0.03, 0.03);
      if (std::abs(turn + k * length) > 0.45 * kPi) k = 0.0;
      turn += k * length;
      road.segments.push_back({.length_m = length, .curvature_1pm = k});
    }
    spec.roads.push_back(road);
  }
  return spec;
}

TEST(RoadNetworkTest, LocateRoundTripsPoseAt) {
  core::Rng rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const RoadNetwork net = BuildOk(RandomSeparateRoads(rng, 4));
    for (int i = 0; i < 300; ++i) {
      const LaneId lane = static_cast<LaneId>(rng.UniformInt(net.lane_count()));
      const double s = rng.Uniform(0.0, net.LaneLength(lane));
      const double lateral = rng.Uniform(-0.45, 0.45) * net.LaneWidth(lane);
      const double heading = rng.Uniform(-kPi, kPi);
      const Pose2 pose = net.PoseAt(lane, s, lateral);
      for (const LaneId hint : {LaneId{-1}, lane}) {
        const LanePosition where = net.Locate(pose.x_m, pose.y_m, heading, hint);
        ASSERT_EQ(where.lane, lane) << net.LaneName(lane) << " s " << s << " lateral " << lateral;
        EXPECT_NEAR(where.s_m, s, 1e-7);
        EXPECT_NEAR(where.lateral_offset_m, lateral, 1e-7);
        EXPECT_NEAR(where.heading_error_rad, Wrap(heading - pose.heading_rad), 1e-9);
        EXPECT_TRUE(where.on_road);
      }
    }
  }
}

TEST(RoadNetworkTest, LocateMatchesABruteForceNearestPointSearch) {
  core::Rng rng(12);
  int compared = 0;
  for (int trial = 0; trial < 6; ++trial) {
    const RoadNetwork net = BuildOk(RandomSeparateRoads(rng, 2));
    // dense samples of every lane centre line, with 30 m of the straight extensions at both ends
    struct Sample {
      LaneId lane;
      double s, x, y;
    };
    std::vector<Sample> samples;
    const double spacing = 0.05;
    for (LaneId lane = 0; lane < static_cast<LaneId>(net.lane_count()); ++lane) {
      for (double s = -30.0; s < net.LaneLength(lane) + 30.0; s += spacing) {
        const Pose2 p = net.PoseAt(lane, s);
        samples.push_back({lane, s, p.x_m, p.y_m});
      }
    }
    for (int i = 0; i < 250; ++i) {
      // points on and around the roads, also beyond the edges and the ends
      const LaneId lane = static_cast<LaneId>(rng.UniformInt(net.lane_count()));
      const double s = rng.Uniform(-20.0, net.LaneLength(lane) + 20.0);
      const double lateral = rng.Uniform(-1.2, 1.2) * net.LaneWidth(lane);
      const Pose2 pose = net.PoseAt(lane, s, lateral);
      const LanePosition where = net.Locate(pose.x_m, pose.y_m, 0.0);
      double best = std::numeric_limits<double>::infinity();
      double second = best;  // nearest on another lane
      const Sample* nearest = nullptr;
      for (const Sample& sample : samples) {
        const double d = std::hypot(sample.x - pose.x_m, sample.y - pose.y_m);
        if (d < best) {
          if (nearest && nearest->lane != sample.lane) second = best;
          best = d;
          nearest = &sample;
        } else if (d < second && sample.lane != nearest->lane) {
          second = d;
        }
      }
      if (second - best < 0.01) continue;  // a tie between lanes: either answer is right
      ++compared;
      ASSERT_EQ(where.lane, nearest->lane);
      EXPECT_NEAR(where.s_m, nearest->s, spacing);
      // the nearest sample is at most half a spacing along the lane from the foot point (a full
      // spacing bounds it on the outside of curves too)
      EXPECT_LE(std::abs(where.lateral_offset_m), best + 1e-9);
      EXPECT_GE(std::hypot(where.lateral_offset_m, spacing), best);
    }
  }
  EXPECT_GT(compared, 1000);
}

TEST(RoadNetworkTest, CrossingRoadsAreToldApartByHeadingAndHint) {
  RoadNetworkSpec spec;
  RoadSpec east = Straight("east", 200.0, 2);
  east.x_m = -100.0;
  RoadSpec north = Straight("north", 200.0, 2);
  north.y_m = -100.0;
  north.heading_rad = 0.5 * kPi;
  spec.roads = {east, north};
  const RoadNetwork net = BuildOk(spec);
  // the junction area: both roads contain (1, 1)
  EXPECT_EQ(net.LaneName(net.Locate(1.0, 1.0, 0.1).lane), "east:0");
  EXPECT_EQ(net.LaneName(net.Locate(1.0, 1.0, 1.4).lane), "north:0");
  // an actor on east keeps its road while turning north inside the junction
  const LanePosition turning = net.Locate(1.0, 1.0, 1.4, *net.FindLane("east:1"));
  EXPECT_EQ(net.LaneName(turning.lane), "east:0");
  EXPECT_NEAR(turning.s_m, 101.0, 1e-12);
  EXPECT_NEAR(turning.lateral_offset_m, 1.0, 1e-12);
  EXPECT_NEAR(turning.heading_error_rad, 1.4, 1e-12);
  // off both roads: the nearer one
  const LanePosition off = net.Locate(50.0, 20.0, 0.5 * kPi);
  EXPECT_EQ(net.LaneName(off.lane), "east:1");
  EXPECT_FALSE(off.on_road);
  EXPECT_NEAR(off.lateral_offset_m, 16.5, 1e-12);
}

TEST(RoadNetworkTest, AnEmptyNetworkLocatesNothing) {
  const RoadNetwork net;
  EXPECT_EQ(net.lane_count(), 0u);
  const LanePosition where = net.Locate(1.0, 2.0, 0.0);
  EXPECT_EQ(where.lane, -1);
  EXPECT_FALSE(where.on_road);
  EXPECT_FALSE(net.FindLane("main:0"));
}

TEST(RoadNetworkTest, FrictionFollowsTheSegments) {
  RoadNetworkSpec spec;
  RoadSpec road = Straight("r", 1.0, 2);
  road.friction = 0.9;
  road.segments = {{.length_m = 50.0}, {.length_m = 30.0, .friction = 0.2}, {.length_m = 40.0, .curvature_1pm = 0.01}};
  spec.roads.push_back(road);
  const RoadNetwork net = BuildOk(spec);
  EXPECT_EQ(net.FrictionAt(0, -5.0), 0.9);
  EXPECT_EQ(net.FrictionAt(0, 49.9), 0.9);
  EXPECT_EQ(net.FrictionAt(0, 50.1), 0.2);
  EXPECT_EQ(net.FrictionAt(1, 79.9), 0.2);
  EXPECT_EQ(net.FrictionAt(1, 80.1), 0.9);
  EXPECT_EQ(net.FrictionAt(1, 500.0), 0.9);
}

TEST(RoadNetworkTest, LanesNamesAndNeighbours) {
  RoadNetworkSpec spec;
  spec.roads = {Straight("a", 100.0, 3), Straight("b", 50.0, 1)};
  spec.roads[1].x_m = 100.0;
  spec.connections = {{"a:0", "b:0"}};
  const RoadNetwork net = BuildOk(spec);
  EXPECT_EQ(net.LaneNames(), (std::vector<std::string>{"a:0", "a:1", "a:2", "b:0"}));
  const LaneId a1 = *net.FindLane("a:1");
  EXPECT_EQ(net.LaneName(*net.LeftNeighbour(a1)), "a:2");
  EXPECT_EQ(net.LaneName(*net.RightNeighbour(a1)), "a:0");
  EXPECT_FALSE(net.LeftNeighbour(*net.FindLane("a:2")));
  EXPECT_FALSE(net.RightNeighbour(*net.FindLane("a:0")));
  EXPECT_EQ(net.Successors(*net.FindLane("a:0")), std::vector<LaneId>{*net.FindLane("b:0")});
  EXPECT_EQ(net.Predecessors(*net.FindLane("b:0")), std::vector<LaneId>{*net.FindLane("a:0")});
  EXPECT_TRUE(net.Successors(a1).empty());
  EXPECT_FALSE(net.FindLane("a:3"));
  EXPECT_FALSE(net.FindLane("a"));
  EXPECT_EQ(net.LaneRoad(*net.FindLane("b:0")), 1u);
  EXPECT_EQ(net.LaneIndex(*net.FindLane("a:2")), 2);
  // from a:2 to b:0: two lane changes then the length of a:0
  const auto route = net.Route(*net.FindLane("a:2"), *net.FindLane("b:0"));
  ASSERT_TRUE(route);
  std::vector<std::string> names;
  for (const LaneId lane : *route) names.push_back(net.LaneName(lane));
  EXPECT_EQ(names, (std::vector<std::string>{"a:2", "a:1", "a:0", "b:0"}));
  EXPECT_EQ(net.RouteCost(*route), 2 * 25.0 + 100.0);
  EXPECT_FALSE(net.Route(*net.FindLane("b:0"), *net.FindLane("a:0")));
  EXPECT_EQ(net.Route(a1, a1), std::vector<LaneId>{a1});
}

TEST(RoadNetworkTest, RoutesAreShortestOnRandomGraphs) {
  // Roads are full circles through the origin (heading 0 at both ends), so lane i of any road may
  // continue into lane i of any other: random graphs with valid geometry.
  core::Rng rng(21);
  int reachable = 0;
  int unreachable = 0;
  for (int trial = 0; trial < 200; ++trial) {
    RoadNetworkSpec spec;
    spec.lane_change_cost_m = rng.Uniform(0.0, 300.0);
    const int roads = 2 + static_cast<int>(rng.UniformInt(5));
    std::vector<double> curvature;
    std::vector<int> lanes;
    for (int r = 0; r < roads; ++r) {
      const double radius = rng.Uniform(20.0, 120.0);
      const double k = rng.Uniform() < 0.5 ? 1.0 / radius : -1.0 / radius;
      RoadSpec road;
      road.id = "loop" + std::to_string(r);
      road.lanes = 1 + static_cast<int>(rng.UniformInt(2));
      road.segments = {{.length_m = 2.0 * kPi * radius, .curvature_1pm = k}};
      curvature.push_back(k);
      lanes.push_back(road.lanes);
      spec.roads.push_back(road);
    }
    // the reference: lane lengths in closed form, edges listed by hand
    std::vector<int> first(roads + 1, 0);
    for (int r = 0; r < roads; ++r) first[r + 1] = first[r] + lanes[r];
    const int n = first[roads];
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<std::vector<double>> dist(n, std::vector<double>(n, inf));
    std::vector<double> length(n);
    for (int r = 0; r < roads; ++r) {
      for (int i = 0; i < lanes[r]; ++i) {
        length[first[r] + i] = 2.0 * kPi / std::abs(curvature[r]) * (1.0 - curvature[r] * 3.5 * i);
      }
      if (lanes[r] == 2) {
        dist[first[r]][first[r] + 1] = dist[first[r] + 1][first[r]] = spec.lane_change_cost_m;
      }
    }
    const int connections = static_cast<int>(rng.UniformInt(static_cast<uint64_t>(2 * roads)));
    for (int c = 0; c < connections; ++c) {
      const int a = static_cast<int>(rng.UniformInt(roads));
      const int b = static_cast<int>(rng.UniformInt(roads));
      const int i = static_cast<int>(rng.UniformInt(std::min(lanes[a], lanes[b])));
      const ConnectionSpec conn{"loop" + std::to_string(a) + ":" + std::to_string(i),
                                "loop" + std::to_string(b) + ":" + std::to_string(i)};
      bool duplicate = false;
      for (const auto& existing : spec.connections) duplicate |= existing.from == conn.from && existing.to == conn.to;
      if (duplicate) continue;
      spec.connections.push_back(conn);
      const int u = first[a] + i;
      const int v = first[b] + i;
      dist[u][v] = std::min(dist[u][v], length[u]);
    }
    for (int i = 0; i < n; ++i) dist[i][i] = 0.0;
    for (int k = 0; k < n; ++k)
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) dist[i][j] = std::min(dist[i][j], dist[i][k] + dist[k][j]);

    const RoadNetwork net = BuildOk(spec);
    ASSERT_EQ(static_cast<int>(net.lane_count()), n);
    for (int i = 0; i < n; ++i) EXPECT_NEAR(net.LaneLength(i), length[i], 1e-9);
    for (int from = 0; from < n; ++from) {
      for (int to = 0; to < n; ++to) {
        const auto route = net.Route(from, to);
        if (dist[from][to] == inf) {
          EXPECT_FALSE(route);
          ++unreachable;
          continue;
        }
        ++reachable;
        ASSERT_TRUE(route);
        EXPECT_EQ(route->front(), from);
        EXPECT_EQ(route->back(), to);
        EXPECT_NEAR(net.RouteCost(*route), dist[from][to], 1e-9 * (1.0 + dist[from][to]));
      }
    }
  }
  EXPECT_GT(reachable, 1000);
  EXPECT_GT(unreachable, 100);
}

TEST(RoadNetworkTest, BoundariesLieOnTheLaneEdges) {
  RoadNetworkSpec spec;
  RoadSpec road = Straight("r", 1.0, 3);
  road.segments = {{.length_m = 30.0}, {.length_m = 60.0, .curvature_1pm = 0.03}, {.length_m = 20.0, .curvature_1pm = -0.01}};
  spec.roads.push_back(road);
  const RoadNetwork net = BuildOk(spec);
  for (int b = 0; b <= 3; ++b) {
    const std::vector<Point2> line = net.RoadBoundary(0, b, 0.02);
    EXPECT_GT(line.size(), 10u);
    for (size_t i = 0; i < line.size(); ++i) {
      const LanePosition where = net.Locate(line[i].x_m, line[i].y_m, 0.0);
      const double offset = 3.5 * net.LaneIndex(where.lane) + where.lateral_offset_m;
      EXPECT_NEAR(offset, 3.5 * (b - 0.5), 1e-9);
      if (i > 0) {  // the chord midpoint stays within the tolerance of the edge
        const Point2 mid{0.5 * (line[i - 1].x_m + line[i].x_m), 0.5 * (line[i - 1].y_m + line[i].y_m)};
        const LanePosition m = net.Locate(mid.x_m, mid.y_m, 0.0);
        EXPECT_LE(std::abs(3.5 * net.LaneIndex(m.lane) + m.lateral_offset_m - 3.5 * (b - 0.5)), 0.02 + 1e-9);
      }
    }
  }
  EXPECT_EQ(net.RoadOutline(0).size(), net.RoadBoundary(0, 0).size() + net.RoadBoundary(0, 3).size());
  const std::vector<Point2> centre = net.LaneCentreLine(1);
  EXPECT_NEAR(centre.front().y_m, 3.5, 1e-12);
  EXPECT_EQ(net.RoadBoundary(0, 0, 1.0).size() < net.RoadBoundary(0, 0, 0.01).size(), true);
}

TEST(RoadNetworkTest, ReportsEveryProblemAtOnce) {
  RoadNetworkSpec spec;
  RoadSpec a = Straight("main", 100.0, 2);
  RoadSpec b = Straight("main", -5.0, 0);
  b.lane_width_m = 0.0;
  b.friction = -0.5;
  b.segments.push_back({.length_m = 10.0, .curvature_1pm = std::numeric_limits<double>::infinity(), .friction = 0.0});
  RoadSpec c = Straight("", 10.0);
  RoadSpec d = Straight("x:y", 10.0);
  RoadSpec e;
  e.id = "empty";
  e.x_m = std::numeric_limits<double>::quiet_NaN();
  RoadSpec huge = Straight("huge", 2e6, 65);
  huge.lane_width_m = 150.0;
  spec.roads = {a, b, c, d, e, huge};
  spec.lane_change_cost_m = -1.0;
  EXPECT_EQ(Messages(spec), (std::vector<std::string>{
                                "road.roads[1].id: duplicate road id 'main' (also road.roads[0].id)",
                                "road.roads[1].lanes: lanes must be at least 1, got 0",
                                "road.roads[1].lane_width_m: lane_width_m must be positive, got 0",
                                "road.roads[1].friction: friction must be positive, got -0.5",
                                "road.roads[1].segments[0].length_m: length_m must be positive, got -5",
                                "road.roads[1].segments[1].friction: friction must be positive, got 0",
                                "road.roads[1].segments[1].curvature_1pm: curvature_1pm must be finite, got inf",
                                "road.roads[2].id: road id must not be empty",
                                "road.roads[3].id: road id 'x:y' must not contain ':'",
                                "road.roads[4].x_m: x_m must be finite, got nan",
                                "road.roads[4].segments: a road needs at least one segment",
                                "road.roads[5].lanes: lanes must be at most 64, got 65",
                                "road.roads[5].lane_width_m: lane_width_m must be at most 100, got 150",
                                "road.roads[5].segments[0].length_m: length_m must be at most 1000000, got 2e+06",
                                "road.lane_change_cost_m: lane_change_cost_m must be non-negative, got -1",
                            }));
}

TEST(RoadNetworkTest, RejectsCurvesTooTightForTheLanes) {
  RoadNetworkSpec spec;
  RoadSpec left = Straight("left", 1.0, 3);
  left.segments = {{.length_m = 10.0}, {.length_m = 10.0, .curvature_1pm = 0.2}};
  RoadSpec right = Straight("right", 1.0, 1);
  right.segments = {{.length_m = 10.0, .curvature_1pm = -0.6}};
  RoadSpec fine = Straight("fine", 1.0, 3);
  fine.segments = {{.length_m = 10.0, .curvature_1pm = 0.11}, {.length_m = 10.0, .curvature_1pm = -0.57}};
  spec.roads = {left, right, fine};
  EXPECT_EQ(Messages(spec),
            (std::vector<std::string>{
                "road.roads[0].segments[1].curvature_1pm: curvature_1pm 0.2 gives the left edge of lane 2 a radius of "
                "-3.75 m; every lane edge needs a positive radius, so |curvature_1pm| must be below 0.114 for a left "
                "turn with 3 lanes 3.5 m wide",
                "road.roads[1].segments[0].curvature_1pm: curvature_1pm -0.6 gives the right edge of lane 0 a radius "
                "of -0.0833 m; every lane edge needs a positive radius, so |curvature_1pm| must be below 0.571 for a "
                "right turn with 1 lane 3.5 m wide",
            }));
}

TEST(RoadNetworkTest, ReportsBadConnections) {
  RoadNetworkSpec spec;
  RoadSpec a = Straight("main", 100.0, 2);
  RoadSpec b = Straight("exit", 50.0, 1);
  b.x_m = 100.0;
  RoadSpec far = Straight("far", 50.0, 1);
  far.x_m = 112.5;
  RoadSpec back = Straight("back", 50.0, 1);
  back.x_m = 100.0;
  back.heading_rad = kPi;
  RoadSpec broken = Straight("broken", -1.0, 1);
  spec.roads = {a, b, far, back, broken};
  spec.connections = {
      {"main:0", "exit:0"},   // fine
      {"mian:0", "exit:0"},   // misspelt road
      {"main:2", "exit"},     // no such lane; no lane index
      {"main:0", "far:0"},    // a gap
      {"main:0", "back:0"},   // turns round
      {"main:0", "exit:0"},   // again
      {"main:1", "broken:0"}, // a road with errors: only its own errors
      {"exit:0", "exti:0"},
  };
  EXPECT_EQ(Messages(spec),
            (std::vector<std::string>{
                "road.roads[4].segments[0].length_m: length_m must be positive, got -1",
                "road.connections[1].from: unknown lane 'mian:0' (did you mean 'main:0'?)",
                "road.connections[2].from: unknown lane 'main:2': road 'main' has lanes 0 to 1",
                "road.connections[2].to: lane 'exit' must be written 'road_id:lane_index' (did you mean 'exit:0'?)",
                "road.connections[3]: lane 'main:0' ends 12.5 m from the start of lane 'far:0' (at most 0.5 m "
                "allowed)",
                "road.connections[4]: lane 'main:0' ends heading 180 deg away from the start of lane 'back:0' (at "
                "most 45 deg allowed)",
                "road.connections[5]: duplicate connection 'main:0' -> 'exit:0' (also road.connections[0])",
                "road.connections[7].to: unknown lane 'exti:0' (did you mean 'exit:0'?)",
            }));
}

TEST(RoadNetworkTest, ErrorPathsFollowTheGivenPrefix) {
  RoadNetworkSpec spec;
  spec.roads = {Straight("a", 0.0)};
  std::vector<core::FieldError> errors;
  (void)RoadNetwork::Build(spec, &errors, "worlds[2].road");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "worlds[2].road.roads[0].segments[0].length_m");
}

}  // namespace
}  // namespace gauntlet::sim
