// Trajectory shapes sampled by the player (Clothoid, ClothoidSpline, Nurbs) against closed forms: a
// straight is a line, a constant curvature a circle, a clothoid's end its integral; played shapes pass
// through the points the geometry gives.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "openscenario/internal/shapes.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

using openscenario::internal::PlanePose;
using openscenario::internal::SampleClothoid;
using openscenario::internal::ShapePoint;
constexpr double kPi = std::numbers::pi;

TEST(ClothoidSampleTest, ZeroCurvatureIsAStraightLine) {
  std::vector<ShapePoint> pts;
  const PlanePose end = SampleClothoid({1.0, 2.0, 0.3}, 0.0, 0.0, 10.0, &pts);
  ASSERT_EQ(pts.size(), 100u);
  for (const ShapePoint& p : pts) {
    EXPECT_NEAR(p.x, 1.0 + p.s * std::cos(0.3), 1e-12);
    EXPECT_NEAR(p.y, 2.0 + p.s * std::sin(0.3), 1e-12);
  }
  EXPECT_NEAR(pts.back().s, 10.0, 1e-12);
  EXPECT_NEAR(end.heading, 0.3, 1e-15);
}

TEST(ClothoidSampleTest, ConstantCurvatureIsACircle) {
  // radius 10 turning left from (0, 0) heading 0: centre (0, 10); a quarter circle ends at (10, 10)
  std::vector<ShapePoint> pts;
  const double length = kPi / 2 * 10.0;
  const PlanePose end = SampleClothoid({0.0, 0.0, 0.0}, 0.1, 0.0, length, &pts);
  for (const ShapePoint& p : pts) {
    EXPECT_NEAR(std::hypot(p.x, p.y - 10.0), 10.0, 1e-10);
    EXPECT_NEAR(std::atan2(p.y - 10.0, p.x), -kPi / 2 + p.s / 10.0, 1e-10);
  }
  EXPECT_NEAR(end.x, 10.0, 1e-10);
  EXPECT_NEAR(end.y, 10.0, 1e-10);
  EXPECT_NEAR(end.heading, kPi / 2, 1e-12);
}

TEST(ClothoidSampleTest, ClothoidEndsWhereItsIntegralSays) {
  // curvature from -0.08 to 0.12 over 10.5 m: the end is the integral of (cos, sin)(h0 + k0 s + c s^2/2),
  // compared with a midpoint rule of 10^6 pieces (error about 1e-11)
  const double h0 = 0.7, k0 = -0.08, c = 0.2 / 10.5, length = 10.5;
  std::vector<ShapePoint> pts;
  const PlanePose end = SampleClothoid({3.0, -1.0, h0}, k0, c, length, &pts);
  double x = 3.0, y = -1.0;
  const int n = 1000000;
  for (int i = 0; i < n; ++i) {
    const double s = (i + 0.5) * length / n;
    const double h = h0 + k0 * s + 0.5 * c * s * s;
    x += std::cos(h) * length / n;
    y += std::sin(h) * length / n;
  }
  EXPECT_NEAR(end.x, x, 1e-9);
  EXPECT_NEAR(end.y, y, 1e-9);
  EXPECT_NEAR(pts.back().x, x, 1e-9);
  EXPECT_NEAR(end.heading, h0 + k0 * length + 0.5 * c * length * length, 1e-12);
}

/// A car "Ego" at the origin heading +x at 10 m/s without roads, following `shape` (a Shape's child)
/// with `time_reference` from t = 0.
PlayResult PlayShape(const std::string& name, const std::string& shape, double duration,
                     const std::string& time_reference = "<None/>", const std::string& more_entities = "",
                     const std::string& more_init = "") {
  XoscParts p;
  p.entities = Car("Ego") + more_entities;
  p.init = Place("Ego", World(0.0, 0.0, 0.0), 10.0) + more_init;
  p.stories = Story("Ego", Event("follow",
                                 "<PrivateAction><RoutingAction><FollowTrajectoryAction><TrajectoryRef><Trajectory "
                                 "name=\"t\" closed=\"false\"><Shape>" +
                                     shape + "</Shape></Trajectory></TrajectoryRef><TimeReference>" + time_reference +
                                     "</TimeReference><TrajectoryFollowingMode followingMode=\"position\"/>"
                                     "</FollowTrajectoryAction></RoutingAction></PrivateAction>",
                                 Trigger(TimeCondition(0.0))));
  return PlayFile(WriteXosc(name, Xosc(p)), 0.05, duration);
}

// a quarter circle of radius 10 to the left, then 10 m straight on
const std::string kArcThenLine =
    "<ClothoidSpline><ClothoidSplineSegment curvatureStart=\"0.1\" curvatureEnd=\"0.1\" length=\"" +
    openscenario::FormatNumber(kPi * 5.0) +
    "\"/><ClothoidSplineSegment curvatureStart=\"0\" curvatureEnd=\"0\" length=\"10\"/></ClothoidSpline>";

TEST(ClothoidSplineTest, SegmentsFollowOneAnother) {
  const PlayResult r = PlayShape("spline_arc_line", kArcThenLine, 4.0);
  // at 10 m/s the arc (15.708 m) ends at t = 1.5708; at t = 2 the car is 4.292 m up the straight
  const double up = 20.0 - kPi * 5.0;
  EXPECT_NEAR(r.At(2.0)[0].x, 10.0, 1e-9);
  EXPECT_NEAR(r.At(2.0)[0].y, 10.0 + up, 1e-9);
  EXPECT_NEAR(r.At(2.0)[0].heading, kPi / 2, 1e-9);
  // on the arc: within the chord error of 0.1 m samples (0.1^2 / 8 / 10 m = 0.125 mm) of the circle
  const auto& a = r.At(1.0)[0];
  EXPECT_NEAR(std::hypot(a.x, a.y - 10.0), 10.0, 2e-4);
  EXPECT_NEAR(std::atan2(a.y - 10.0, a.x), -kPi / 2 + 1.0, 1e-3);
  // past the end (25.708 m, t = 2.5708) it drives on along the last heading
  EXPECT_NEAR(r.At(3.0)[0].x, 10.0, 1e-9);
  EXPECT_NEAR(r.At(3.0)[0].y, 10.0 + 10.0 + (30.0 - (kPi * 5.0 + 10.0)), 1e-9);
}

TEST(ClothoidSplineTest, TimesRunEachSegmentFromItsTimeStart) {
  // the arc from t = 0 to 1, the straight from 1 to 3: halfway up the straight at t = 2
  const std::string shape =
      "<ClothoidSpline timeEnd=\"3\"><ClothoidSplineSegment curvatureStart=\"0.1\" curvatureEnd=\"0.1\" length=\"" +
      openscenario::FormatNumber(kPi * 5.0) +
      "\" timeStart=\"0\"/><ClothoidSplineSegment curvatureStart=\"0\" curvatureEnd=\"0\" length=\"10\" "
      "timeStart=\"1\"/></ClothoidSpline>";
  const PlayResult r =
      PlayShape("spline_timed", shape, 2.5, "<Timing domainAbsoluteRelative=\"absolute\" scale=\"1\" offset=\"0\"/>");
  EXPECT_NEAR(r.At(2.0)[0].x, 10.0, 1e-9);
  EXPECT_NEAR(r.At(2.0)[0].y, 15.0, 1e-9);
  EXPECT_NEAR(r.At(2.0)[0].speed, 5.0, 1e-9);  // 10 m in 2 s
}

TEST(ClothoidSplineTest, PositionStartAndHOffsetStartASegmentAnew) {
  // the second segment starts at (50, 5) heading 0 + hOffset 0.5 (a jump: a straight piece to it)
  const std::string shape =
      "<ClothoidSpline><ClothoidSplineSegment curvatureStart=\"0\" curvatureEnd=\"0\" length=\"10\"/>"
      "<ClothoidSplineSegment curvatureStart=\"0\" curvatureEnd=\"0\" length=\"20\" hOffset=\"0.5\"><PositionStart>"
      "<WorldPosition x=\"50\" y=\"5\" h=\"0\"/></PositionStart></ClothoidSplineSegment></ClothoidSpline>";
  const PlayResult r = PlayShape("spline_jump", shape, 12.0);
  const double jump = std::hypot(40.0, 5.0);
  // 10 m + the jump, then 5 m along heading 0.5 from (50, 5)
  const double t = (10.0 + jump + 5.0) / 10.0;
  const auto& k = r.states.at(static_cast<size_t>(std::llround(t / 0.05)));
  const double extra = (std::llround(t / 0.05) * 0.05 - t) * 10.0;  // the step grid's remainder
  EXPECT_NEAR(k[0].x, 50.0 + (5.0 + extra) * std::cos(0.5), 1e-6);
  EXPECT_NEAR(k[0].y, 5.0 + (5.0 + extra) * std::sin(0.5), 1e-6);
  EXPECT_NEAR(k[0].heading, 0.5, 1e-9);
}

TEST(ClothoidSplineTest, BadSplinesAreErrorsAtTheElement) {
  XoscParts p;
  p.entities = Car("Ego");
  p.init = Place("Ego", World(0.0, 0.0, 0.0), 10.0);
  p.stories = Story(
      "Ego", Event("follow",
                   "<PrivateAction><RoutingAction><FollowTrajectoryAction><TrajectoryRef><Trajectory name=\"t\" "
                   "closed=\"false\"><Shape><ClothoidSpline><ClothoidSplineSegment curvatureStart=\"0\" "
                   "curvatureEnd=\"0\" length=\"0\" timeStart=\"1\"/></ClothoidSpline></Shape></Trajectory>"
                   "</TrajectoryRef><TimeReference><None/></TimeReference></FollowTrajectoryAction></RoutingAction>"
                   "</PrivateAction>",
                   Trigger(TimeCondition(0.0))));
  const std::string all = LoadErrors(WriteXosc("spline_bad", Xosc(p)));
  EXPECT_NE(all.find("ClothoidSplineSegment: length must be positive"), std::string::npos) << all;
  EXPECT_NE(all.find("give timeStart on every segment and timeEnd"), std::string::npos) << all;
}

}  // namespace
}  // namespace gauntlet::test
