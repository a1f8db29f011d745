// What the Euro NCAP scenarios of Vector's OSC-NCAP-scenarios need beyond the esmini examples (found by
// comparing `gauntlet play` with esmini's test/ncap_suite.py values): the constant `pi` in expressions,
// TrajectoryPosition, and esmini's reading of a RoutePosition whose Orientation comes after its
// InRoutePosition. Every expected value is worked out by hand in the comment above it.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <optional>

#include "core/error.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

constexpr double kPi = std::numbers::pi;

std::string Fixture(const std::string& name) {
  return std::string(GAUNTLET_SOURCE_DIR) + "/tests/openscenario/testdata/" + name;
}

// `pi` is a constant of the expression language (as esmini reads Vector's `${$orientation*pi/2}`); a
// parameter named pi is still written $pi, and `pi(` is a call of an unknown function.
TEST(NcapSemanticsTest, PiIsAConstant) {
  const openscenario::ParameterLookup none = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  EXPECT_DOUBLE_EQ(openscenario::EvaluateExpression("pi", none), kPi);
  EXPECT_DOUBLE_EQ(openscenario::EvaluateExpression("-1*pi/2", none), -kPi / 2);
  EXPECT_THROW((void)openscenario::EvaluateExpression("pi(1)", none), std::exception);
  EXPECT_THROW((void)openscenario::EvaluateExpression("pie", none), std::exception);
}

// The catalog trajectory "Cross" with S = 40 runs (40, -4) -> (40, 0) -> (44, 0) (lane -1's centre is
// y = -1.535, offsets -2.465 and 1.535 from it): 4 m north, then 4 m east.
//   s = 3, t = 0.5: 3 m up the first segment, (40, -1), and 0.5 m to its left (-x): (39.5, -1), heading pi/2.
//   s = 6: 2 m along the second segment, (42, 0), 0.5 m to its left (+y): (42, 0.5), heading 0.
//   s = 100 is clamped to the end (44, 0) -> (44, 0.5); s = -1 to the start (40, -4) -> (39.5, -4).
TEST(NcapSemanticsTest, TrajectoryPositionFromACatalog) {
  struct Case {
    std::string along;
    double x, y, h;
  };
  for (const Case& c : {Case{"3", 39.5, -1.0, kPi / 2}, Case{"6", 42.0, 0.5, 0.0}, Case{"100", 44.0, 0.5, 0.0},
                        Case{"-1", 39.5, -4.0, kPi / 2}}) {
    SCOPED_TRACE("s = " + c.along);
    const PlayResult r = PlayFile(Fixture("ncap_trajectory_position.xosc"), 0.05, 1.0, {{"Along", c.along}});
    ASSERT_FALSE(r.states.empty());
    EXPECT_NEAR(r.At(0.0)[0].x, c.x, 1e-9);
    EXPECT_NEAR(r.At(0.0)[0].y, c.y, 1e-9);
    EXPECT_NEAR(r.At(0.0)[0].heading, c.h, 1e-9);
    EXPECT_NEAR(r.At(0.5)[0].x, c.x, 1e-9);  // standing still (speed 0)
  }
}

// An inline Trajectory, an absolute Orientation, and TrajectoryPositions on the other shapes.
//   Polyline (0, -1.535) -> (10, -1.535): s = 4, t = 0 is (4, -1.535); Orientation absolute h = 1 sets
//   the heading to 1.
TEST(NcapSemanticsTest, TrajectoryPositionInlineAndOnOtherShapes) {
  const std::string traj =
      "<TrajectoryRef><Trajectory name=\"t\" closed=\"false\"><Shape><Polyline><Vertex><Position>" + World(0, -1.535) +
      "</Position></Vertex><Vertex><Position>" + World(10, -1.535) +
      "</Position></Vertex></Polyline></Shape></Trajectory></TrajectoryRef>";
  const PlayResult r = PlayEgo("ncap_traj_inline",
                               "<TrajectoryPosition s=\"4\">" + traj + "<Orientation h=\"1\" type=\"absolute\"/></TrajectoryPosition>",
                               0.0, "", 0.2);
  EXPECT_NEAR(r.At(0.0)[0].x, 4.0, 1e-9);
  EXPECT_NEAR(r.At(0.0)[0].y, -1.535, 1e-9);
  EXPECT_NEAR(r.At(0.0)[0].heading, 1.0, 1e-9);

  // a Clothoid of constant curvature 0.1 from (0, 0) heading 0 is the circle of radius 10 about (0, 10):
  // s = 1 is (10 sin 0.1, 10 (1 - cos 0.1)); the heading is the sampled path's (0.1 within its 0.1 m step)
  auto trajectory = [](const std::string& shape) {
    return "<TrajectoryRef><Trajectory name=\"c\" closed=\"false\"><Shape>" + shape +
           "</Shape></Trajectory></TrajectoryRef>";
  };
  const PlayResult c = PlayEgo("ncap_traj_clothoid",
                               "<TrajectoryPosition s=\"1\">" +
                                   trajectory("<Clothoid curvature=\"0.1\" curvaturePrime=\"0\" length=\"5\"><Position>" +
                                              World(0, 0) + "</Position></Clothoid>") +
                                   "</TrajectoryPosition>",
                               0.0, "", 0.2);
  EXPECT_NEAR(c.At(0.0)[0].x, 10 * std::sin(0.1), 1e-6);
  EXPECT_NEAR(c.At(0.0)[0].y, 10 * (1 - std::cos(0.1)), 1e-6);
  EXPECT_NEAR(c.At(0.0)[0].heading, 0.1, 0.01);

  // a ClothoidSpline (Euro NCAP's turning trajectories): a straight segment of 20 m from (10, 5)
  // heading 0, then a quarter circle of radius 10 (length 5 pi) to the left about (30, 15): s = 7, t = 1
  // is (17, 6); s = 20 + 5 pi, t = -1 is the arc's end (40, 15) moved 1 m to the right of heading pi/2:
  // (41, 15), within what the path's 0.1 m chords give (their heading is up to 0.1 * 0.1 / 2 rad off)
  const std::string spline =
      "<ClothoidSpline><ClothoidSplineSegment curvatureStart=\"0\" curvatureEnd=\"0\" length=\"20\"><PositionStart>" +
      World(10, 5) + "</PositionStart></ClothoidSplineSegment><ClothoidSplineSegment curvatureStart=\"0.1\" "
      "curvatureEnd=\"0.1\" length=\"" + openscenario::FormatNumber(5 * std::numbers::pi) + "\"/></ClothoidSpline>";
  const PlayResult sp = PlayEgo("ncap_traj_spline",
                                "<TrajectoryPosition s=\"7\" t=\"1\">" + trajectory(spline) + "</TrajectoryPosition>",
                                0.0, "", 0.2);
  EXPECT_NEAR(sp.At(0.0)[0].x, 17.0, 1e-9);
  EXPECT_NEAR(sp.At(0.0)[0].y, 6.0, 1e-9);
  EXPECT_NEAR(sp.At(0.0)[0].heading, 0.0, 1e-9);
  const PlayResult end = PlayEgo("ncap_traj_spline_end",
                                 "<TrajectoryPosition s=\"" + openscenario::FormatNumber(20 + 5 * std::numbers::pi) +
                                     "\" t=\"-1\">" + trajectory(spline) + "</TrajectoryPosition>",
                                 0.0, "", 0.2);
  EXPECT_NEAR(end.At(0.0)[0].x, 41.0, 1e-3);
  EXPECT_NEAR(end.At(0.0)[0].y, 15.0, 0.006);

  // without a PositionStart the spline would start at the entity that follows it: refused at the position
  std::string unanchored = spline;
  unanchored.erase(unanchored.find("<PositionStart>"), unanchored.find("</PositionStart>") + 16 - unanchored.find("<PositionStart>"));
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Ego");
  p.init = Place("Ego", "<TrajectoryPosition s=\"1\">" + trajectory(unanchored) + "</TrajectoryPosition>", 0.0);
  try {
    (void)Play(openscenario::LoadScenario(WriteXosc("ncap_traj_unanchored", Xosc(p))), 0.05, 0.2);
    ADD_FAILURE() << "a TrajectoryPosition on a spline without its start must be refused";
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("needs its first segment's PositionStart"), std::string::npos) << e.what();
  }
}

// esmini (ScenarioReader, RoutePosition) reads the children in order and places the entity at
// InRoutePosition, so an Orientation after it does not turn the entity (Vector's CBFA obstruction
// vehicle: esmini reports heading 4.712, the road's, not 4.712 + pi). Route on road 1 from s = 0 to
// s = 100 in lane -1 (driving +x), pathS 50: (50, -1.535); Orientation h = pi relative:
//   before InRoutePosition: heading pi; after it: heading 0 and a warning at the Orientation.
TEST(NcapSemanticsTest, RouteOrientationAfterInRoutePositionIsIgnored) {
  const std::string route = "<RouteRef><Route name=\"r\" closed=\"false\"><Waypoint routeStrategy=\"shortest\"><Position>" +
                            LanePos(-1, 0) + "</Position></Waypoint><Waypoint routeStrategy=\"shortest\"><Position>" +
                            LanePos(-1, 100) + "</Position></Waypoint></Route></RouteRef>";
  const std::string in = "<InRoutePosition><FromLaneCoordinates pathS=\"50\" laneId=\"-1\"/></InRoutePosition>";
  const std::string orientation = "<Orientation h=\"3.14159\" type=\"relative\"/>";
  for (const bool after : {false, true}) {
    SCOPED_TRACE(after ? "after" : "before");
    XoscParts p;
    p.road = StraightRoad();
    p.entities = Car("Ego");
    p.init = Place("Ego", "<RoutePosition>" + route + (after ? in + orientation : orientation + in) + "</RoutePosition>", 0.0);
    const openscenario::Scenario sc = openscenario::LoadScenario(WriteXosc("ncap_route_orientation", Xosc(p)));
    size_t warnings = 0;
    for (const auto& w : sc.warnings)
      if (w.message.find("an Orientation after InRoutePosition is ignored") != std::string::npos) ++warnings;
    EXPECT_EQ(warnings, after ? 1u : 0u);
    const PlayResult r = Play(sc, 0.05, 0.2);
    EXPECT_NEAR(r.At(0.0)[0].x, 50.0, 1e-9);
    EXPECT_NEAR(r.At(0.0)[0].y, -1.535, 1e-9);
    EXPECT_NEAR(std::abs(std::remainder(r.At(0.0)[0].heading - (after ? 0.0 : 3.14159), 2 * kPi)), 0.0, 1e-9);
  }
}


// PlayOptions::align_route_positions (esmini's --align_routepositions): two_roads.xodr, road 1 x 0..100,
// road 2 x 100..200, lanes 1 (y = 1.75, driving -x) and -1 (y = -1.75, driving +x). The route runs
// from road 2 lane 1 at s = 100 (x = 200) to road 1 lane 1 at s = 0, against s on both roads; pathS
// 150 is 50 m into road 1: x = 50.
//   FromLaneCoordinates laneId -1, laneOffset 0.5: as written lane -1, y = -1.75 + 0.5 = -1.25, heading 0;
//   aligned lane 1, offset -0.5: y = 1.75 - 0.5 = 1.25, heading pi.
//   FromRoadCoordinates t = 1: as written y = 1; aligned y = -1.
TEST(NcapSemanticsTest, AlignRoutePositionsFlipsLaneAndOffsetAgainstS) {
  const std::string road = std::string(GAUNTLET_SOURCE_DIR) + "/tests/openscenario/testdata/two_roads.xodr";
  const auto lane_pos = [](const std::string& r, int lane, double s) {
    return "<LanePosition roadId=\"" + r + "\" laneId=\"" + std::to_string(lane) + "\" s=\"" + std::to_string(s) + "\"/>";
  };
  const std::string route = "<RouteRef><Route name=\"back\" closed=\"false\"><Waypoint routeStrategy=\"shortest\"><Position>" +
                            lane_pos("2", 1, 100) + "</Position></Waypoint><Waypoint routeStrategy=\"shortest\"><Position>" +
                            lane_pos("1", 1, 0) + "</Position></Waypoint></Route></RouteRef>";
  struct Case {
    std::string in;
    bool align;
    double y;
    std::optional<double> h;
  };
  const std::string lane_in = "<FromLaneCoordinates pathS=\"150\" laneId=\"-1\" laneOffset=\"0.5\"/>";
  const std::string road_in = "<FromRoadCoordinates pathS=\"150\" t=\"1\"/>";
  for (const Case& c : {Case{lane_in, false, -1.25, 0.0}, Case{lane_in, true, 1.25, kPi}, Case{road_in, false, 1.0, {}},
                        Case{road_in, true, -1.0, {}}}) {
    SCOPED_TRACE(c.in + (c.align ? " aligned" : " as written"));
    XoscParts p;
    p.road = road;
    p.entities = Car("Ego");
    p.init = Place("Ego", "<RoutePosition>" + route + "<InRoutePosition>" + c.in + "</InRoutePosition></RoutePosition>", 0.0);
    const openscenario::Scenario sc = openscenario::LoadScenario(WriteXosc("ncap_align", Xosc(p)));
    openscenario::Player player(sc, {.time_step = 0.05, .align_route_positions = c.align});
    player.Start();
    const openscenario::EntityState e = player.States()[0];
    EXPECT_NEAR(e.x, 50.0, 1e-9);
    EXPECT_NEAR(e.y, c.y, 1e-9);
    if (c.h) {
      EXPECT_NEAR(std::abs(std::remainder(e.heading - *c.h, 2 * kPi)), 0.0, 1e-9);
    }
  }
}

}  // namespace
}  // namespace gauntlet::test
