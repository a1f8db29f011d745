// Playing small scenarios whose truth is a closed form worked out by hand (docs/openscenario.md).
// Steps of 0.05 s; an event whose trigger holds at time T starts at T and its action takes effect in
// the step from T to T + 0.05 (esmini's order: triggers, actions, time, motion).

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/error.h"
#include "openscenario/expression.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

using openscenario::LoadScenario;

constexpr double kPi = std::numbers::pi;

// Euro NCAP car-to-car rear stationary at 20 km/h (the README's golden values): the boxes (4.3 m
// long, centre 1.3 m ahead of the reference point) touch when the reference points are 4.3 m apart;
// at t = 4.20 they are 77.778 - 73.333 = 4.444 m apart, at t = 4.25 4.167 m: contact at 4.250 with
// the ego at 50 + 4.25 * 20 / 3.6 = 73.611.
TEST(PlayerTest, NcapRearStationaryCollisionTime) {
  XoscParts p;
  p.parameters = "<ParameterDeclaration name=\"EgoSpeed\" parameterType=\"double\" value=\"${20 / 3.6}\"/>";
  p.entities = Car("Ego") + Car("Target");
  p.init = "<Private entityRef=\"Ego\"><PrivateAction><TeleportAction><Position>" + World(50, -14) +
           "</Position></TeleportAction></PrivateAction><PrivateAction><LongitudinalAction><SpeedAction>"
           "<SpeedActionDynamics dynamicsShape=\"step\" value=\"0\" dynamicsDimension=\"time\"/><SpeedActionTarget>"
           "<AbsoluteTargetSpeed value=\"$EgoSpeed\"/></SpeedActionTarget></SpeedAction></LongitudinalAction>"
           "</PrivateAction></Private>" +
           Place("Target", World(77.778, -14), 0.0);
  p.stop = Trigger(TimeCondition(8.0), "StopTrigger");
  const PlayResult r = PlayFile(WriteXosc("ncap", Xosc(p)));
  ASSERT_TRUE(r.collided);
  ASSERT_FALSE(r.lines.empty());
  EXPECT_EQ(r.lines.front(), "4.250: collision Ego Target");
  EXPECT_NEAR(r.At(4.25)[0].x, 73.611, 1e-3);
  EXPECT_NEAR(r.At(4.25)[0].x, 50.0 + 4.25 * 20.0 / 3.6, 1e-9);
  EXPECT_DOUBLE_EQ(r.At(4.25)[0].y, -14.0);
  // one line per contact, not per step
  EXPECT_EQ(std::count_if(r.lines.begin(), r.lines.end(), [](const std::string& l) { return l.find("collision") != std::string::npos; }), 1);
}

TEST(PlayerTest, ConstantSpeedAlongTheLane) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Ego");
  p.init = Place("Ego", LanePos(-1, 10), 15.0);
  const PlayResult r = PlayFile(WriteXosc("constant", Xosc(p)), 0.05, 10.0);
  for (double t : {0.0, 0.05, 1.0, 7.35, 10.0}) {
    EXPECT_NEAR(r.At(t)[0].x, 10.0 + 15.0 * t, 1e-9) << t;
    EXPECT_NEAR(r.At(t)[0].y, -1.535, 1e-12) << t;
    EXPECT_NEAR(r.At(t)[0].heading, 0.0, 1e-12) << t;
    EXPECT_DOUBLE_EQ(r.At(t)[0].speed, 15.0) << t;
  }
}

TEST(PlayerTest, WorldPositionOffRoadMovesAlongTheHeading) {
  XoscParts p;
  p.entities = Car("Ego");
  p.init = Place("Ego", World(1, 2, kPi / 6), 10.0);
  const PlayResult r = PlayFile(WriteXosc("offroad", Xosc(p)), 0.1, 3.0);
  EXPECT_NEAR(r.At(3.0)[0].x, 1.0 + 30.0 * std::cos(kPi / 6), 1e-6);
  EXPECT_NEAR(r.At(3.0)[0].y, 2.0 + 30.0 * std::sin(kPi / 6), 1e-6);
}

/// v0 = 10 until t = 1, then a SpeedAction to 20 of `shape` over `dimension` `value`.
PlayResult SpeedChange(const std::string& name, const std::string& shape, const std::string& dimension, double value) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Ego");
  p.init = Place("Ego", LanePos(-1, 10), 10.0);
  p.stories = Story("Ego", Event("speed", SpeedTo(20.0, shape, dimension, value), Trigger(TimeCondition(1.0))));
  return PlayFile(WriteXosc(name, Xosc(p)), 0.05, 8.0);
}

double Shape(const std::string& shape, double f) {
  f = std::clamp(f, 0.0, 1.0);
  if (shape == "linear") return f;
  if (shape == "cubic") return 3 * f * f - 2 * f * f * f;
  if (shape == "sinusoidal") return (1 - std::cos(kPi * f)) / 2;
  return 1.0;
}

TEST(PlayerTest, SpeedTransitionShapesOverTime) {
  for (const std::string shape : {"linear", "cubic", "sinusoidal"}) {
    const PlayResult r = SpeedChange("speed_" + shape, shape, "time", 2.0);
    double x = 10.0;
    for (size_t k = 1; k < r.times.size(); ++k) {
      const double t = r.times[k];
      const double expected = t <= 1.0 + 1e-9 ? 10.0 : 10.0 + 10.0 * Shape(shape, (t - 1.0) / 2.0);
      ASSERT_NEAR(r.states[k][0].speed, expected, 1e-9) << shape << " t=" << t;
      x += expected * 0.05;  // the step to t moves at the speed set for it
      ASSERT_NEAR(r.states[k][0].x, x, 1e-9) << shape << " t=" << t;
    }
    EXPECT_TRUE(r.Printed("1.000: event speed start")) << shape;
    EXPECT_TRUE(r.Printed("2.950: event speed end")) << shape;  // the step to 3.0 reaches the target
  }
}

TEST(PlayerTest, SpeedTransitionOverRateAndDistance) {
  // linear at 5 m/s^2: 2 s; cubic at a peak rate of 5 m/s^2: 1.5 * 10 / 5 = 3 s; sinusoidal: pi/2 * 10 / 5
  const std::vector<std::tuple<std::string, std::string, double, double>> cases = {
      {"linear", "rate", 5.0, 2.0},
      {"cubic", "rate", 5.0, 3.0},
      {"sinusoidal", "rate", 5.0, kPi},
      {"linear", "distance", 30.0, 2.0},  // 2 * 30 / (10 + 20)
      {"cubic", "distance", 45.0, 3.0},
  };
  for (const auto& [shape, dimension, value, duration] : cases) {
    const PlayResult r = SpeedChange("speed_" + shape + dimension, shape, dimension, value);
    for (double t : {1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 5.0}) {
      const double expected = t <= 1.0 ? 10.0 : 10.0 + 10.0 * Shape(shape, (t - 1.0) / duration);
      EXPECT_NEAR(r.At(t)[0].speed, expected, 1e-9) << shape << " " << dimension << " t=" << t;
    }
  }
  // a distance transition covers its distance (trapezoid sum of the per-step speeds)
  const PlayResult r = SpeedChange("speed_distance_cover", "linear", "distance", 30.0);
  EXPECT_NEAR(r.At(3.0)[0].x - r.At(1.0)[0].x, 30.0 + 10 * 0.05 / 2, 1e-9);
}

TEST(PlayerTest, StepSpeedAndRelativeTarget) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Ego") + Car("Lead");
  p.init = Place("Ego", LanePos(-1, 10), 10.0) + Place("Lead", LanePos(-1, 100), 12.0);
  const std::string relative = RelativeSpeedTo("Lead", 1.5, "factor", false);
  p.stories = Story("Ego", Event("rel", relative, Trigger(TimeCondition(2.0))));
  const PlayResult r = PlayFile(WriteXosc("relspeed", Xosc(p)), 0.05, 4.0);
  EXPECT_DOUBLE_EQ(r.At(2.0)[0].speed, 10.0);
  EXPECT_DOUBLE_EQ(r.At(2.05)[0].speed, 18.0);
  EXPECT_NEAR(r.At(4.0)[0].x, 10.0 + 10.0 * 2.0 + 18.0 * 2.0, 1e-9);
}

/// From lane -1 (y = -1.535) to lane 1 (y = 1.535) at 20 m/s, starting at t = 1.
PlayResult LaneChange(const std::string& name, const std::string& shape, const std::string& dimension, double value) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Ego");
  p.init = Place("Ego", LanePos(-1, 10), 20.0);
  const std::string action = "<PrivateAction><LateralAction><LaneChangeAction><LaneChangeActionDynamics dynamicsShape=\"" +
                             shape + "\" value=\"" + std::to_string(value) + "\" dynamicsDimension=\"" + dimension +
                             "\"/><LaneChangeTarget><RelativeTargetLane entityRef=\"Ego\" value=\"1\"/>"
                             "</LaneChangeTarget></LaneChangeAction></LateralAction></PrivateAction>";
  p.stories = Story("Ego", Event("change", action, Trigger(TimeCondition(1.0))));
  return PlayFile(WriteXosc(name, Xosc(p)), 0.05, 8.0);
}

TEST(PlayerTest, LaneChangeShapesOverTime) {
  for (const std::string shape : {"linear", "cubic", "sinusoidal"}) {
    const PlayResult r = LaneChange("lc_" + shape, shape, "time", 4.0);
    for (size_t k = 0; k < r.times.size(); ++k) {
      const double t = r.times[k];
      const double expected = -1.535 + 3.07 * (t <= 1.0 + 1e-9 ? 0.0 : Shape(shape, (t - 1.0) / 4.0));
      ASSERT_NEAR(r.states[k][0].y, expected, 1e-9) << shape << " t=" << t;
    }
    // the heading follows the lateral motion, and is the road's again at the end
    EXPECT_GT(r.At(3.0)[0].heading, 0.0) << shape;
    EXPECT_NEAR(r.At(6.0)[0].heading, 0.0, 1e-12) << shape;
    // each step travels speed * dt in the plane while the lane changes
    for (size_t k = 21; k < 100; ++k) {
      const double d = std::hypot(r.states[k][0].x - r.states[k - 1][0].x, r.states[k][0].y - r.states[k - 1][0].y);
      ASSERT_NEAR(d, 1.0, 0.01) << shape << " k=" << k;
      ASSERT_LE(r.states[k][0].x - r.states[k - 1][0].x, 1.0 + 1e-12);
    }
  }
}

TEST(PlayerTest, LaneChangeOverDistance) {
  const PlayResult r = LaneChange("lc_distance", "sinusoidal", "distance", 60.0);
  const double x0 = r.At(1.0)[0].x;
  for (size_t k = 0; k < r.times.size(); ++k) {
    const double along = r.states[k][0].x - x0;
    const double expected = -1.535 + 3.07 * (along <= 0 ? 0.0 : Shape("sinusoidal", along / 60.0));
    ASSERT_NEAR(r.states[k][0].y, expected, 1e-9) << "t=" << r.times[k];
  }
}

TEST(PlayerTest, LaneOffsetReachesItsTarget) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Ego");
  p.init = Place("Ego", LanePos(-1, 10), 10.0);
  const std::string action =
      "<PrivateAction><LateralAction><LaneOffsetAction continuous=\"false\"><LaneOffsetActionDynamics "
      "dynamicsShape=\"sinusoidal\" maxLateralAcc=\"0.5\"/><LaneOffsetTarget><AbsoluteTargetLaneOffset value=\"1\"/>"
      "</LaneOffsetTarget></LaneOffsetAction></LateralAction></PrivateAction>";
  p.stories = Story("Ego", Event("offset", action, Trigger(TimeCondition(1.0))));
  const PlayResult r = PlayFile(WriteXosc("laneoffset", Xosc(p)), 0.05, 8.0);
  // peak lateral acceleration pi^2 * 1 / (2 T^2) = 0.5 -> T = pi; the offset lags one step (esmini)
  const double T = kPi;
  for (double t : {1.0, 1.5, 2.5, 3.5, 4.0}) {
    const double f = std::max(0.0, t - 1.0 - 0.05) / T;
    EXPECT_NEAR(r.At(t)[0].y, -1.535 + Shape("sinusoidal", f), 1e-9) << t;
  }
  EXPECT_NEAR(r.At(6.0)[0].y, -1.535 + 1.0, 1e-12);
}

TEST(PlayerTest, RelativePositions) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Ego") + Car("A") + Car("B") + Car("C") + Car("D");
  p.init = Place("Ego", LanePos(-1, 100, 0.25), 0.0) +
           Place("A", "<RelativeObjectPosition entityRef=\"Ego\" dx=\"10\" dy=\"2\"/>", 0.0) +
           Place("B", "<RelativeLanePosition entityRef=\"Ego\" dLane=\"1\" ds=\"20\" offset=\"0\"/>", 0.0) +
           Place("C", "<RelativeRoadPosition entityRef=\"Ego\" ds=\"-20\" dt=\"3.1\"/>", 0.0) +
           Place("D", "<RelativeWorldPosition entityRef=\"Ego\" dx=\"-5\" dy=\"-1\"/>", 0.0);
  const PlayResult r = PlayFile(WriteXosc("relative", Xosc(p)), 0.05, 0.1);
  const auto& s = r.At(0.0);
  EXPECT_NEAR(s[0].x, 100.0, 1e-12);
  EXPECT_NEAR(s[0].y, -1.535 + 0.25, 1e-12);
  EXPECT_NEAR(s[1].x, 110.0, 1e-9);
  EXPECT_NEAR(s[1].y, -1.285 + 2.0, 1e-9);
  EXPECT_NEAR(s[2].x, 120.0, 1e-9);
  EXPECT_NEAR(s[2].y, 1.535, 1e-9);
  EXPECT_NEAR(std::fabs(s[2].heading), kPi, 1e-9);  // lane 1 drives against s
  EXPECT_NEAR(s[3].x, 80.0, 1e-9);
  EXPECT_NEAR(s[3].y, -1.285 + 3.1, 1e-9);
  EXPECT_NEAR(s[4].x, 95.0, 1e-9);
  EXPECT_NEAR(s[4].y, -2.285, 1e-9);
}

TEST(PlayerTest, RelativeObjectPositionTurnsWithTheReference) {
  XoscParts p;
  p.entities = Car("Ego") + Car("A");
  p.init = Place("Ego", World(0, 0, kPi / 2), 0.0) +
           Place("A", "<RelativeObjectPosition entityRef=\"Ego\" dx=\"10\" dy=\"2\"/>", 0.0);
  const PlayResult r = PlayFile(WriteXosc("relobj", Xosc(p)), 0.05, 0.1);
  EXPECT_NEAR(r.At(0.0)[1].x, -2.0, 1e-9);
  EXPECT_NEAR(r.At(0.0)[1].y, 10.0, 1e-9);
  EXPECT_NEAR(r.At(0.0)[1].heading, kPi / 2, 1e-9);
}

std::string Teleport(double x) {
  return "<PrivateAction><TeleportAction><Position>" + World(x, 0) + "</Position></TeleportAction></PrivateAction>";
}

TEST(PlayerTest, DelayAndEdges) {
  XoscParts p;
  p.entities = Car("Ego");
  p.init = Place("Ego", World(0, 0), 10.0);
  p.stories = Story("Ego", Event("delayed", Teleport(1), Trigger(TimeCondition(2.0, "greaterOrEqual", "none", 0.5))) +
                               Event("falling", Teleport(2), Trigger(TimeCondition(3.0, "lessThan", "falling"))) +
                               Event("never", Teleport(3), Trigger(TimeCondition(0.0, "greaterOrEqual", "rising"))) +
                               Event("rising", Teleport(4), Trigger(TimeCondition(4.0, "greaterThan", "rising"))),
                   "");
  const PlayResult r = PlayFile(WriteXosc("edges", Xosc(p)), 0.05, 6.0);
  EXPECT_TRUE(r.Printed("2.500: event delayed start"));
  EXPECT_TRUE(r.Printed("3.000: event falling start"));
  EXPECT_TRUE(r.Printed("4.050: event rising start"));  // 4.0 > 4.0 is false; 4.05 is the rise
  for (const auto& l : r.lines) EXPECT_EQ(l.find("never"), std::string::npos) << l;
}

TEST(PlayerTest, EventPriorities) {
  // B sets the speed (the longitudinal domain, like A) or, with `global`, a parameter (no domain)
  auto run = [](const std::string& priority, bool global = false) {
    XoscParts p;
    p.parameters = "<ParameterDeclaration name=\"P\" parameterType=\"integer\" value=\"0\"/>";
    p.entities = Car("Ego");
    p.init = Place("Ego", World(0, 0), 10.0);
    const std::string b = global ? "<GlobalAction><ParameterAction parameterRef=\"P\"><SetAction value=\"1\"/>"
                                   "</ParameterAction></GlobalAction>"
                                 : SpeedTo(5, "step", "time", 0.0);
    p.stories = Story("Ego", Event("A", SpeedTo(20, "linear", "time", 10.0), Trigger(TimeCondition(1.0))) +
                                 Event("B", b, Trigger(TimeCondition(2.0)), "priority=\"" + priority + "\""));
    return PlayFile(WriteXosc("prio_" + priority + (global ? "_global" : ""), Xosc(p)), 0.05, 12.0);
  };
  const PlayResult overwrite = run("override");
  EXPECT_TRUE(overwrite.Printed("2.000: event A end"));
  EXPECT_TRUE(overwrite.Printed("2.000: event B start"));
  EXPECT_DOUBLE_EQ(overwrite.At(2.05)[0].speed, 5.0);
  EXPECT_DOUBLE_EQ(overwrite.At(5.0)[0].speed, 5.0);
  const PlayResult skip = run("skip");
  EXPECT_TRUE(skip.Printed("10.950: event A end"));
  EXPECT_TRUE(skip.Printed("11.000: event B start"));
  // parallel: A goes on (B acts on no entity) ...
  const PlayResult parallel = run("parallel", true);
  EXPECT_TRUE(parallel.Printed("2.000: event B start"));
  EXPECT_FALSE(parallel.Printed("2.000: event A end"));
  EXPECT_NEAR(parallel.At(5.0)[0].speed, 14.0, 1e-9);
  // ... unless B acts on the same entity and domain: the later action takes it over (esmini), A ends
  const PlayResult conflict = run("parallel");
  EXPECT_TRUE(conflict.Printed("2.000: event B start"));
  EXPECT_TRUE(conflict.Printed("2.000: event A end"));
  EXPECT_DOUBLE_EQ(conflict.At(5.0)[0].speed, 5.0);
}

TEST(PlayerTest, MaximumExecutionCount) {
  XoscParts p;
  p.entities = Car("Ego");
  p.init = Place("Ego", World(0, 0), 10.0);
  p.stories = Story("Ego", Event("again", Teleport(0), Trigger(TimeCondition(1.0)), "priority=\"override\" maximumExecutionCount=\"3\""));
  const PlayResult r = PlayFile(WriteXosc("maxexec", Xosc(p)), 0.05, 3.0);
  std::vector<std::string> starts;
  for (const auto& l : r.lines)
    if (l.find("start") != std::string::npos) starts.push_back(l);
  EXPECT_EQ(starts, (std::vector<std::string>{"1.000: event again start", "1.050: event again start",
                                               "1.100: event again start"}));
  // each teleport put it back to x = 0 and took the place of that step's motion; then it moved on
  EXPECT_NEAR(r.At(1.15)[0].x, 0.0, 1e-12);
  EXPECT_NEAR(r.At(3.0)[0].x, 10.0 * (3.0 - 1.15), 1e-9);
}

TEST(PlayerTest, TraceIsDeterministic) {
  const PlayResult a = LaneChange("det_a", "cubic", "time", 3.0);
  const PlayResult b = LaneChange("det_b", "cubic", "time", 3.0);
  ASSERT_EQ(a.states.size(), b.states.size());
  for (size_t k = 0; k < a.states.size(); ++k) {
    ASSERT_EQ(a.states[k][0].x, b.states[k][0].x);
    ASSERT_EQ(a.states[k][0].y, b.states[k][0].y);
    ASSERT_EQ(a.states[k][0].heading, b.states[k][0].heading);
  }
  EXPECT_EQ(a.lines, b.lines);
}

TEST(PlayerTest, FollowTrajectoryWithTiming) {
  XoscParts p;
  p.entities = Car("Ego");
  p.init = Place("Ego", World(0, 0), 0.0);
  const std::string traj =
      "<PrivateAction><RoutingAction><FollowTrajectoryAction><TrajectoryRef><Trajectory name=\"t\" closed=\"false\"><Shape>"
      "<Polyline><Vertex time=\"0\"><Position>" + World(0, 0) + "</Position></Vertex><Vertex time=\"2\"><Position>" +
      World(20, 0) + "</Position></Vertex><Vertex time=\"4\"><Position>" + World(20, 10) +
      "</Position></Vertex></Polyline></Shape></Trajectory></TrajectoryRef><TimeReference><Timing "
      "domainAbsoluteRelative=\"relative\" scale=\"1\" offset=\"0\"/></TimeReference><TrajectoryFollowingMode "
      "followingMode=\"position\"/></FollowTrajectoryAction></RoutingAction></PrivateAction>";
  p.stories = Story("Ego", Event("follow", traj, Trigger(TimeCondition(1.0))));
  const PlayResult r = PlayFile(WriteXosc("trajectory", Xosc(p)), 0.05, 6.0);
  EXPECT_NEAR(r.At(2.0)[0].x, 10.0, 1e-9);  // relative timing: 1 s into the first 2 s leg
  EXPECT_NEAR(r.At(3.0)[0].x, 20.0, 1e-9);
  EXPECT_NEAR(r.At(4.0)[0].y, 5.0, 1e-9);
  EXPECT_NEAR(r.At(4.0)[0].heading, kPi / 2, 1e-9);
  EXPECT_NEAR(r.At(2.0)[0].speed, 10.0, 1e-9);
  EXPECT_NEAR(r.At(5.0)[0].y, 10.0, 1e-9);
}


std::string TwoRoads() { return std::string(GAUNTLET_SOURCE_DIR) + "/tests/openscenario/testdata/two_roads.xodr"; }

// The route starts on road 1 at s = 30 and ends on road 2; pathS = 120 is 70 m along road 1 and
// 50 m into road 2: x = 150, lane -1's centre y = -1.75.
TEST(PlayerTest, RoutePositionAcrossRoads) {
  XoscParts p;
  p.road = TwoRoads();
  p.entities = Car("Ego");
  const std::string route =
      "<RoutePosition><RouteRef><Route name=\"r\" closed=\"false\"><Waypoint routeStrategy=\"shortest\"><Position>"
      "<LanePosition roadId=\"1\" laneId=\"-1\" s=\"30\" offset=\"0\"/></Position></Waypoint><Waypoint "
      "routeStrategy=\"shortest\"><Position><LanePosition roadId=\"2\" laneId=\"-1\" s=\"90\" offset=\"0\"/></Position>"
      "</Waypoint></Route></RouteRef><InRoutePosition><FromLaneCoordinates pathS=\"120\" laneId=\"-1\" laneOffset=\"0.5\"/>"
      "</InRoutePosition></RoutePosition>";
  p.init = Place("Ego", route, 10.0);
  const PlayResult r = PlayFile(WriteXosc("route", Xosc(p)), 0.05, 2.0);
  EXPECT_NEAR(r.At(0.0)[0].x, 150.0, 1e-9);
  EXPECT_NEAR(r.At(0.0)[0].y, -1.75 + 0.5, 1e-9);
  EXPECT_NEAR(r.At(2.0)[0].x, 170.0, 1e-9);
}

TEST(PlayerTest, MotionCrossesRoadLinksAndStopsAtTheEnd) {
  XoscParts p;
  p.road = TwoRoads();
  p.entities = Car("Ego");
  p.init = Place("Ego", LanePos(-1, 90), 20.0);
  const PlayResult r = PlayFile(WriteXosc("links", Xosc(p)), 0.05, 8.0);
  EXPECT_NEAR(r.At(1.0)[0].x, 110.0, 1e-9);   // on road 2 now
  EXPECT_NEAR(r.At(1.0)[0].y, -1.75, 1e-9);
  EXPECT_NEAR(r.At(6.0)[0].x, 200.0, 1e-9);  // the network ends at x = 200
}


// Synchronisation scenarios: the master starts at (0, 0) with `master_speed` towards its target at
// (100, 0); the Ego starts at (0, 20) with `ego_speed` towards its target at (`ego_target`, 20).
PlayResult PlaySync(const std::string& name, double master_speed, double ego_speed, double ego_target,
                    const std::string& final_speed, double seconds = 12.0) {
  XoscParts p;
  p.entities = Car("Master") + Car("Ego");
  p.init = Place("Master", World(0, 0), master_speed) + Place("Ego", World(0, 20), ego_speed);
  const std::string sync = "<PrivateAction><SynchronizeAction masterEntityRef=\"Master\"><TargetPositionMaster>" +
                           World(100, 0) + "</TargetPositionMaster><TargetPosition>" + World(ego_target, 20) +
                           "</TargetPosition>" + final_speed + "</SynchronizeAction></PrivateAction>";
  p.stories = Story("Ego", Event("sync", sync, Trigger(TimeCondition(0.0))));
  return PlayFile(WriteXosc(name, Xosc(p)), 0.05, seconds);
}

// Without a final speed the Ego accelerates uniformly so that its mean speed covers its 50 m in the
// master's 10 s: a = 2 * 50 / 10^2 = 1 m/s^2 (a plan that stays the same as time passes), x = t^2 / 2.
// Each step's speed is set before the move, so the Ego runs ahead by a * dt * t / 2 at most.
TEST(PlayerTest, SynchronizeWithoutFinalSpeedAcceleratesUniformly) {
  const PlayResult r = PlaySync("sync_uniform", 10.0, 0.0, 50.0, "");
  EXPECT_NEAR(r.At(0.05)[1].speed, 0.05, 1e-9);  // first step: 2 (50 / 10 - 0) / 10 * 0.05
  EXPECT_NEAR(r.At(4.0)[1].speed, 4.0, 0.05);
  EXPECT_NEAR(r.At(5.0)[1].x, 12.5, 0.15);
  EXPECT_NEAR(r.At(9.0)[1].x, 40.5, 0.3);
  EXPECT_TRUE(r.Printed("10.000: event sync end"));
  EXPECT_NEAR(r.At(10.0)[1].x, 50.0, 0.5);
  // no final speed: it keeps its last speed, near 2 * 5 m/s (the last steps brake off the lead)
  EXPECT_NEAR(r.At(12.0)[1].speed, 10.0, 0.5);
  EXPECT_DOUBLE_EQ(r.At(12.0)[1].speed, r.At(10.5)[1].speed);
}

// Mean speed 5 m/s = (3 + 7) / 2: one linear profile from 3 to 7 m/s, a = 0.4 m/s^2, x = 3 t + 0.2 t^2
// (the first step keeps the speed while the plan finds it is on the line).
TEST(PlayerTest, SynchronizeLinearProfileArrivesAtTheFinalSpeed) {
  const PlayResult r = PlaySync("sync_linear", 10.0, 3.0, 50.0, "<FinalSpeed><AbsoluteSpeed value=\"7\"/></FinalSpeed>");
  EXPECT_NEAR(r.At(0.05)[1].speed, 3.0, 1e-12);
  EXPECT_NEAR(r.At(5.0)[1].speed, 5.0, 0.05);
  EXPECT_NEAR(r.At(5.0)[1].x, 20.0, 0.1);
  EXPECT_NEAR(r.At(9.0)[1].speed, 6.6, 0.05);
  EXPECT_NEAR(r.At(9.0)[1].x, 43.2, 0.1);
  EXPECT_NEAR(r.At(10.0)[1].x, 50.0, 0.1);
  EXPECT_TRUE(r.Printed("10.000: event sync end"));
  EXPECT_NEAR(r.At(12.0)[1].speed, 7.0, 1e-12);
  EXPECT_NEAR(r.At(12.0)[1].x, r.At(10.0)[1].x + 14.0, 0.05);
}

// From standing, 50 m in 10 s ending at 7 m/s: mean 5 > (0 + 7) / 2, so it rushes: accelerate at a to
// vx, then decelerate at a' to 7. With (vx - 0) / x = (vx - 7) / (10 - x) and
// 50 = x vx / 2 + (10 - x) (vx + 7) / 2: vx = (100 + sqrt(5800)) / 20 = 8.808, x = 10 vx / (2 vx - 7) =
// 8.297, a = vx / x = 1.0616.
TEST(PlayerTest, SynchronizeRushesThenArrivesAtTheFinalSpeed) {
  const PlayResult r = PlaySync("sync_rush", 10.0, 0.0, 50.0, "<FinalSpeed><AbsoluteSpeed value=\"7\"/></FinalSpeed>");
  const double vx = (100.0 + std::sqrt(5800.0)) / 20.0;
  const double x = 10.0 * vx / (2.0 * vx - 7.0);
  const double a = vx / x;
  EXPECT_NEAR(r.At(0.05)[1].speed, a * 0.05, 1e-9);
  EXPECT_NEAR(r.At(4.0)[1].speed, a * 4.0, 0.05);
  EXPECT_NEAR(r.At(5.0)[1].x, a * 25.0 / 2.0, 0.15);
  double top = 0.0;
  for (double t = 0.0; t < 10.0; t += 0.05) top = std::max(top, r.At(t)[1].speed);
  EXPECT_NEAR(top, vx, 0.1);
  EXPECT_NEAR(r.At(10.0)[1].x, 50.0, 0.15);
  EXPECT_TRUE(r.Printed("10.000: event sync end"));
  EXPECT_NEAR(r.At(12.0)[1].speed, 7.0, 1e-12);
}

// The steady state (20 m at the final speed 10 m/s: by distance, by time 2 s, by the position 20 m before
// the target) is cut off the plan: 50 m
// in 8 s from 2.5 m/s ending at 10 m/s is linear (mean 6.25 = (2.5 + 10) / 2): a = 7.5 / 8, then 10 m/s
// from 50 m at t = 8 to 70 m at t = 10.
TEST(PlayerTest, SynchronizeSteadyStateByDistanceAndByTime) {
  for (const std::string& steady :
       {std::string("<TargetDistanceSteadyState distance=\"20\"/>"), std::string("<TargetTimeSteadyState time=\"2\"/>"),
        "<TargetPositionSteadyState><Position>" + World(50, 20) + "</Position></TargetPositionSteadyState>"}) {
    SCOPED_TRACE(steady);
    const PlayResult r = PlaySync("sync_steady", 10.0, 2.5, 70.0,
                                  "<FinalSpeed><AbsoluteSpeed value=\"10\"><SteadyState>" + steady +
                                      "</SteadyState></AbsoluteSpeed></FinalSpeed>");
    EXPECT_NEAR(r.At(4.0)[1].speed, 2.5 + 7.5 / 8.0 * 4.0, 0.05);
    EXPECT_NEAR(r.At(4.0)[1].x, 2.5 * 4.0 + 7.5 / 16.0 * 16.0, 0.1);
    EXPECT_NEAR(r.At(8.0)[1].x, 50.0, 0.6);
    EXPECT_NEAR(r.At(8.5)[1].speed, 10.0, 1e-12);  // steady
    EXPECT_NEAR(r.At(9.5)[1].speed, 10.0, 1e-12);
    EXPECT_NEAR(r.At(10.0)[1].x, 70.0, 0.6);
    EXPECT_TRUE(r.Printed("10.000: event sync end"));
  }
}

TEST(PlayerTest, SynchronizeSteadyStateErrors) {
  XoscParts p;
  p.entities = Car("Master") + Car("Ego");
  p.init = Place("Master", World(0, 0), 10.0) + Place("Ego", World(0, 20), 0.0);
  for (const std::string& speed : {std::string("<AbsoluteSpeed value=\"0\"><TargetTimeSteadyState time=\"2\"/></AbsoluteSpeed>"),
                                   std::string("<AbsoluteSpeed value=\"5\"><SteadyState><Nope/></SteadyState></AbsoluteSpeed>")}) {
    p.stories = Story("Ego", Event("sync",
                                   "<PrivateAction><SynchronizeAction masterEntityRef=\"Master\"><TargetPositionMaster>" +
                                       World(100, 0) + "</TargetPositionMaster><TargetPosition>" + World(50, 20) +
                                       "</TargetPosition><FinalSpeed>" + speed + "</FinalSpeed></SynchronizeAction></PrivateAction>",
                                   Trigger(TimeCondition(0.0))));
    EXPECT_THROW((void)LoadScenario(WriteXosc("sync_bad", Xosc(p))), core::InputError) << speed;
  }
}

// A final speed relative to the master (factor 0.5 of 10 m/s), and a master already past its target
// (its distance grows): the action ends at its second step with the final speed.
TEST(PlayerTest, SynchronizeEndsWhenTheMasterHasPassed) {
  XoscParts p;
  p.entities = Car("Master") + Car("Ego");
  p.init = Place("Master", World(110, 0), 10.0) + Place("Ego", World(0, 20), 3.0);
  const std::string sync =
      "<PrivateAction><SynchronizeAction masterEntityRef=\"Master\"><TargetPositionMaster>" + World(100, 0) +
      "</TargetPositionMaster><TargetPosition>" + World(50, 20) +
      "</TargetPosition><FinalSpeed><RelativeSpeedToMaster value=\"0.5\" speedTargetValueType=\"factor\"/>"
      "</FinalSpeed></SynchronizeAction></PrivateAction>";
  p.stories = Story("Ego", Event("sync", sync, Trigger(TimeCondition(0.0))));
  const PlayResult r = PlayFile(WriteXosc("sync_passed", Xosc(p)), 0.05, 2.0);
  EXPECT_TRUE(r.Printed("0.050: event sync end"));
  EXPECT_NEAR(r.At(1.0)[1].speed, 5.0, 1e-12);
}

// While the master stands there is no time to plan with: without a final speed the Ego keeps its speed.
TEST(PlayerTest, SynchronizeKeepsTheSpeedWhileTheMasterStands) {
  const PlayResult r = PlaySync("sync_stand", 0.0, 4.0, 50.0, "", 5.0);
  EXPECT_NEAR(r.At(5.0)[1].speed, 4.0, 1e-6);
  EXPECT_NEAR(r.At(5.0)[1].x, 20.0, 1e-5);
}

// With a final speed the plan's apex speed is negative while the master stands: the Ego brakes to a
// stop short of its target (at first -v0 / t1 with t1 = 2 v0 d / (v0^2 + v1^2) = 10 s: -0.5 m/s^2) and waits.
TEST(PlayerTest, SynchronizeWithFinalSpeedStopsWhileTheMasterStands) {
  const PlayResult r = PlaySync("sync_stop", 0.0, 5.0, 50.0, "<FinalSpeed><AbsoluteSpeed value=\"5\"/></FinalSpeed>", 20.0);
  EXPECT_NEAR(r.At(0.05)[1].speed, 5.0 - 0.5 * 0.05, 1e-9);
  for (double t = 0.05; t < 20.0; t += 0.05) EXPECT_LE(r.At(t + 0.05)[1].speed, r.At(t)[1].speed + 1e-12) << t;
  EXPECT_EQ(r.At(20.0)[1].speed, 0.0);
  EXPECT_GT(r.At(20.0)[1].x, 10.0);
  EXPECT_LT(r.At(20.0)[1].x, 50.0);
}


// Relative to an entity in lane 1 (centre y = 1.535, driving towards -x): 0.5 m to its left is
// y = 1.035; the Ego in lane -1 moves there at once (step shape).
TEST(PlayerTest, RelativeLaneOffsetFollowsTheReferenceDirection) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Ego") + Car("Ref");
  p.init = Place("Ego", LanePos(-1, 10), 10.0) + Place("Ref", LanePos(1, 300), 10.0);
  const std::string action =
      "<PrivateAction><LateralAction><LaneOffsetAction continuous=\"false\"><LaneOffsetActionDynamics "
      "dynamicsShape=\"step\"/><LaneOffsetTarget><RelativeTargetLaneOffset entityRef=\"Ref\" value=\"0.5\"/>"
      "</LaneOffsetTarget></LaneOffsetAction></LateralAction></PrivateAction>";
  p.stories = Story("Ego", Event("offset", action, Trigger(TimeCondition(1.0))));
  const PlayResult r = PlayFile(WriteXosc("reloffset", Xosc(p)), 0.05, 2.0);
  EXPECT_NEAR(r.At(0.95)[0].y, -1.535, 1e-12);
  EXPECT_NEAR(r.At(1.05)[0].y, 1.035, 1e-9);
  EXPECT_NEAR(r.At(2.0)[1].x, 280.0, 1e-9);  // the reference drives towards -x
}


// The Lead speeds up 1 m/s per second from t = 0; at t = 1 (Lead at 11 m/s) the Ego goes to the Lead's
// speed over 2 s: a target sampled once (11), or followed (continuous: the Lead's speed when it ends).
// esmini's LongSpeedAction::Step re-reads a relative target every step, also during the transition: the
// lead speeds up 10 -> 20 m/s linearly over 10 s from t = 0 (v_L(T) = 10 + T); the ego's linear 2 s
// transition from 10 m/s started at t = 1 towards v_L has v_E(T) = 10 + (v_L(T) - 10) (T - 1) / 2 =
// 10 + T (T - 1) / 2 for T in [1, 3] (the lead's action steps first, in storyboard order), so 11 at
// T = 2 and 13 at T = 3, where a non-continuous action ends; a continuous one keeps v_E = v_L.
TEST(PlayerTest, RelativeSpeedTargetFollowedDuringTheTransition) {
  auto run = [](bool continuous) {
    XoscParts p;
    p.road = StraightRoad();
    p.entities = Car("Ego") + Car("Lead");
    p.init = Place("Ego", LanePos(-1, 10), 10.0) + Place("Lead", LanePos(-1, 100), 10.0);
    const std::string relative =
        std::string("<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape=\"linear\" "
                    "value=\"2\" dynamicsDimension=\"time\"/><SpeedActionTarget><RelativeTargetSpeed entityRef=\"Lead\" "
                    "value=\"0\" speedTargetValueType=\"delta\" continuous=\"") +
        (continuous ? "true" : "false") + "\"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction>";
    p.stories = "<Story name=\"s\"><Act name=\"a\">"
                "<ManeuverGroup name=\"lead\" maximumExecutionCount=\"1\"><Actors selectTriggeringEntities=\"false\">"
                "<EntityRef entityRef=\"Lead\"/></Actors><Maneuver name=\"m1\">" +
                Event("speedup", SpeedTo(20.0, "linear", "time", 10.0), Trigger(TimeCondition(0.0))) +
                "</Maneuver></ManeuverGroup>"
                "<ManeuverGroup name=\"ego\" maximumExecutionCount=\"1\"><Actors selectTriggeringEntities=\"false\">"
                "<EntityRef entityRef=\"Ego\"/></Actors><Maneuver name=\"m2\">" +
                Event("follow", relative, Trigger(TimeCondition(1.0))) + "</Maneuver></ManeuverGroup>" +
                Trigger(TimeCondition(0.0)) + "</Act></Story>";
    return PlayFile(WriteXosc(continuous ? "relspeed_cont" : "relspeed_once", Xosc(p)), 0.05, 5.0);
  };
  const PlayResult once = run(false);
  EXPECT_NEAR(once.At(1.0)[1].speed, 11.0, 1e-9);
  for (const double t : {1.5, 2.0, 2.5}) EXPECT_NEAR(once.At(t)[0].speed, 10.0 + t * (t - 1.0) / 2.0, 1e-9) << t;
  EXPECT_NEAR(once.At(3.0)[0].speed, 13.0, 1e-9);
  EXPECT_NEAR(once.At(4.0)[0].speed, 13.0, 1e-9);
  const PlayResult followed = run(true);
  EXPECT_NEAR(followed.At(4.0)[0].speed, followed.At(4.0)[1].speed, 1e-9);
  EXPECT_NEAR(followed.At(4.0)[0].speed, 14.0, 1e-9);
}


// rate 1.2 m/s of peak lateral speed over 3.07 m, sinusoidal: pi / 2 * 3.07 / 1.2 s
TEST(PlayerTest, LaneChangeOverRate) {
  const PlayResult r = LaneChange("lc_rate", "sinusoidal", "rate", 1.2);
  const double duration = kPi / 2 * 3.07 / 1.2;
  for (double t : {1.0, 2.0, 3.0, 4.0, 6.0}) {
    const double f = (t - 1.0) / duration;
    EXPECT_NEAR(r.At(t)[0].y, -1.535 + 3.07 * Shape("sinusoidal", f), 1e-9) << t;
  }
}

}  // namespace
}  // namespace gauntlet::test
