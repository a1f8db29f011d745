// Trajectory shapes sampled by the player (Clothoid, ClothoidSpline, Nurbs) against closed forms: a
// straight is a line, a constant curvature a circle, a clothoid's end its integral; played shapes pass
// through the points the geometry gives.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "openscenario/internal/nurbs.h"
#include "openscenario/internal/shapes.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

using openscenario::internal::CheckNurbs;
using openscenario::internal::EvaluateNurbs;
using openscenario::internal::NurbsControl;
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

/// A scenario of a car "Ego" at the origin heading +x at 10 m/s without roads, following `shape` (a
/// Shape's child) with `time_reference` from t = 0.
std::string ShapeScenario(const std::string& shape, const std::string& time_reference = "<None/>") {
  XoscParts p;
  p.entities = Car("Ego");
  p.init = Place("Ego", World(0.0, 0.0, 0.0), 10.0);
  p.stories = Story("Ego", Event("follow",
                                 "<PrivateAction><RoutingAction><FollowTrajectoryAction><TrajectoryRef><Trajectory "
                                 "name=\"t\" closed=\"false\"><Shape>" +
                                     shape + "</Shape></Trajectory></TrajectoryRef><TimeReference>" + time_reference +
                                     "</TimeReference><TrajectoryFollowingMode followingMode=\"position\"/>"
                                     "</FollowTrajectoryAction></RoutingAction></PrivateAction>",
                                 Trigger(TimeCondition(0.0))));
  return Xosc(p);
}
PlayResult PlayShape(const std::string& name, const std::string& shape, double duration,
                     const std::string& time_reference = "<None/>") {
  return PlayFile(WriteXosc(name, ShapeScenario(shape, time_reference)), 0.05, duration);
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
  const std::string all = LoadErrors(WriteXosc(
      "spline_bad", ShapeScenario("<ClothoidSpline><ClothoidSplineSegment curvatureStart=\"0\" curvatureEnd=\"0\" "
                                  "length=\"0\" timeStart=\"1\"/></ClothoidSpline>")));
  EXPECT_NE(all.find("ClothoidSplineSegment: length must be positive"), std::string::npos) << all;
  EXPECT_NE(all.find("give timeStart on every segment and timeEnd"), std::string::npos) << all;
}

TEST(NurbsTest, DegreeOneIsThePolyline) {
  const std::vector<NurbsControl> c = {{0, 0, 0, 1}, {3, 4, 2, 1}, {3, 10, 5, 1}};
  const std::vector<double> knots = {0, 0, 1, 2, 2};
  ASSERT_EQ(CheckNurbs(c.size(), knots, 2), "");
  // each degree-1 basis function peaks at its control point's knot: times are linear along each segment
  const std::vector<double> peaks = openscenario::internal::BasisPeaks(c.size(), knots, 2, 16);
  EXPECT_EQ(peaks, (std::vector<double>{0.0, 1.0, 2.0}));
  const auto samples = openscenario::internal::SampleNurbs(c, knots, 2, 16, 16);
  ASSERT_EQ(samples.size(), 17u);
  for (size_t i = 0; i < samples.size(); ++i) {
    const double u = 0.125 * static_cast<double>(i);
    const double f = u <= 1.0 ? u : u - 1.0;
    const NurbsControl& a = c[u <= 1.0 ? 0 : 1];
    const NurbsControl& b = c[u <= 1.0 ? 1 : 2];
    EXPECT_NEAR(samples[i].x, a.x + f * (b.x - a.x), 1e-14) << u;
    EXPECT_NEAR(samples[i].y, a.y + f * (b.y - a.y), 1e-14) << u;
    EXPECT_NEAR(samples[i].time, a.time + f * (b.time - a.time), 1e-14) << u;
  }
  // unequal weights keep a degree-1 curve on its segments
  const std::vector<NurbsControl> w = {{0, 0, 0, 1}, {3, 4, 0, 5}, {3, 10, 0, 0.5}};
  const auto v = EvaluateNurbs(w, knots, 2, 0.3);
  EXPECT_NEAR(v.x * 4.0 - v.y * 3.0, 0.0, 1e-13);
}

TEST(NurbsTest, BasisPeaksOfAClampedCubic) {
  // a uniform clamped cubic of 5 points (knots 0 0 0 0 1/2 1 1 1 1): the end functions peak at the ends,
  // the middle one (symmetric) at 1/2, the others symmetric about it
  const std::vector<double> knots = {0, 0, 0, 0, 0.5, 1, 1, 1, 1};
  const std::vector<double> p = openscenario::internal::BasisPeaks(5, knots, 4, 1000);
  EXPECT_EQ(p.front(), 0.0);
  EXPECT_EQ(p.back(), 1.0);
  EXPECT_NEAR(p[2], 0.5, 1e-12);
  EXPECT_NEAR(p[1] + p[3], 1.0, 2e-3);
}

TEST(NurbsTest, QuadraticsWithCircleWeightsLieOnTheCircle) {
  const double r = std::sqrt(0.5);
  // a quarter: (1, 0), (1, 1), (0, 1)
  const std::vector<NurbsControl> quarter = {{1, 0, 0, 1}, {1, 1, 0, r}, {0, 1, 0, 1}};
  for (int i = 0; i <= 100; ++i) {
    const auto v = EvaluateNurbs(quarter, {0, 0, 0, 1, 1, 1}, 3, i / 100.0);
    EXPECT_NEAR(std::hypot(v.x, v.y), 1.0, 1e-14) << i;
  }
  EXPECT_NEAR(EvaluateNurbs(quarter, {0, 0, 0, 1, 1, 1}, 3, 0.5).x, r, 1e-15);
  // the whole circle of radius 2 about (5, -1): nine points, four spans of two knots each
  const double px[9] = {1, 1, 0, -1, -1, -1, 0, 1, 1}, py[9] = {0, 1, 1, 1, 0, -1, -1, -1, 0};
  std::vector<NurbsControl> circle;
  for (int i = 0; i < 9; ++i) circle.push_back({5 + 2 * px[i], -1 + 2 * py[i], 0, i % 2 == 1 ? r : 1.0});
  const std::vector<double> knots = {0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
  ASSERT_EQ(CheckNurbs(circle.size(), knots, 3), "");
  for (int i = 0; i <= 400; ++i) {
    const auto v = EvaluateNurbs(circle, knots, 3, i / 100.0);
    EXPECT_NEAR(std::hypot(v.x - 5, v.y + 1), 2.0, 1e-13) << i;
  }
}

TEST(NurbsTest, MalformedShapesAreNamed) {
  EXPECT_EQ(CheckNurbs(3, {0, 0, 0, 1, 1, 1}, 3), "");
  EXPECT_NE(CheckNurbs(3, {0, 0, 0, 1, 1}, 3).find("needs control points + order = 6 knots, has 5"), std::string::npos);
  EXPECT_NE(CheckNurbs(3, {0, 0, 1, 0.5, 1, 1}, 3).find("must not decrease"), std::string::npos);
  EXPECT_NE(CheckNurbs(2, {0, 0, 0, 1, 1}, 3).find("at least order (3) control points"), std::string::npos);
  EXPECT_NE(CheckNurbs(3, {0, 0, 0, 0, 0, 0}, 3).find("no parameter range"), std::string::npos);
  EXPECT_NE(CheckNurbs(3, {0, 1, 2}, 1).find("order must be at least 2"), std::string::npos);
}

// a quarter circle of radius 20 about (0, 20) from the origin to (20, 20), the middle point's time 2.5
const std::string kNurbsQuarter =
    "<Nurbs order=\"3\"><ControlPoint time=\"0\" weight=\"1\"><Position><WorldPosition x=\"0\" y=\"0\"/>"
    "</Position></ControlPoint><ControlPoint time=\"2.5\" weight=\"" +
    openscenario::FormatNumber(std::sqrt(0.5)) +
    "\"><Position><WorldPosition x=\"20\" y=\"0\"/></Position></ControlPoint><ControlPoint time=\"5\" "
    "weight=\"1\"><Position><WorldPosition x=\"20\" y=\"20\"/></Position></ControlPoint><Knot value=\"0\"/>"
    "<Knot value=\"0\"/><Knot value=\"0\"/><Knot value=\"1\"/><Knot value=\"1\"/><Knot value=\"1\"/></Nurbs>";

TEST(NurbsTest, PlayedCurveIsTheCircleAndTimesFollowTheBasisPeaks) {
  const PlayResult r =
      PlayShape("nurbs_timed", kNurbsQuarter, 6.0, "<Timing domainAbsoluteRelative=\"absolute\" scale=\"1\" offset=\"0\"/>");
  for (double t = 0.05; t < 5.0; t += 0.25) {
    const auto& s = r.At(t)[0];
    EXPECT_NEAR(std::hypot(s.x, s.y - 20.0), 20.0, 1e-4) << t;
  }
  // the middle point's basis 2u(1 - u) peaks at u = 1/2; on esmini's grid of int(1 + 40 m) = 41 steps the
  // first largest value is at u = 20/41, which gets the time 2.5: the rational quadratic's point there
  const double um = 20.0 / 41.0, w = std::sqrt(0.5);
  const double b0 = (1 - um) * (1 - um), b1 = 2 * um * (1 - um) * w, b2 = um * um;
  EXPECT_NEAR(r.At(2.5)[0].x, 20.0 * (b1 + b2) / (b0 + b1 + b2), 1e-3);
  EXPECT_NEAR(r.At(2.5)[0].y, 20.0 * b2 / (b0 + b1 + b2), 1e-3);
  EXPECT_NEAR(r.At(5.5)[0].x, 20.0, 0.01);  // past the end: on along the last heading (+y)
  // without timing the car drives the arc at its 10 m/s: pi / 4 * 20 m at t = 1.5708
  const PlayResult u = PlayShape("nurbs_untimed", kNurbsQuarter, 3.0);
  const auto& s = u.At(1.55)[0];
  EXPECT_NEAR(std::atan2(s.y - 20.0, s.x) + kPi / 2, 15.5 / 20.0, 1e-3);
}

TEST(NurbsTest, BadNurbsAreErrorsAtTheElement) {
  const std::string all = LoadErrors(WriteXosc(
      "nurbs_bad", ShapeScenario("<Nurbs order=\"3\"><ControlPoint time=\"1\" weight=\"0\"><Position><WorldPosition "
                                 "x=\"0\" y=\"0\"/></Position></ControlPoint><ControlPoint><Position><WorldPosition "
                                 "x=\"1\" y=\"0\"/></Position></ControlPoint><Knot value=\"0\"/></Nurbs>")));
  EXPECT_NE(all.find("ControlPoint: weight must be positive"), std::string::npos) << all;
  EXPECT_NE(all.find("give a time on every ControlPoint or on none"), std::string::npos) << all;
  EXPECT_NE(all.find("Nurbs: needs at least order (3) control points, has 2"), std::string::npos) << all;
}

}  // namespace
}  // namespace gauntlet::test
