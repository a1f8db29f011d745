// LateralDistanceAction: the step functions against closed forms, and whole plays on a straight road
// where the places are known in closed form (road "1" along +x, lane -1's centre at y = -1.535).

#include <gtest/gtest.h>

#include <cmath>

#include "openscenario/internal/lateral_distance.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

using openscenario::internal::LateralEntityStep;
using openscenario::internal::LateralLimits;
using openscenario::internal::LateralOffsetFrom;
using openscenario::internal::LateralRoadState;
using openscenario::internal::LateralRoadStep;
using openscenario::internal::PlanePose;

TEST(LateralDistanceStepTest, SpeedLimitedMotionStopsExactlyOnTheTarget) {
  // 1 m to go at 2 m/s with 0.05 s steps: ten steps of 0.1 m (less 5e-12 each), the eleventh ends it
  LateralRoadState st;
  LateralLimits limits;
  limits.max_speed = 2.0;
  double error = 1.0;
  int steps = 0;
  bool reached = false;
  while (!reached && steps < 100) {
    const double step = LateralRoadStep(error, 0.0, 20.0, limits, 0.05, &st, &reached);
    if (!reached) {
      EXPECT_NEAR(step, 0.1, 1e-11);
    }
    error -= step;
    ++steps;
  }
  EXPECT_EQ(steps, 11);
  EXPECT_NEAR(error, 0.0, 1e-15);
  // the entity's own speed caps the lateral speed
  LateralRoadState slow;
  bool r = false;
  EXPECT_NEAR(LateralRoadStep(-5.0, 0.0, 1.0, limits, 0.1, &slow, &r), -0.1, 1e-10);
}

TEST(LateralDistanceStepTest, SpringFollowsTheCriticallyDampedClosedForm) {
  // k = 0.4 * 5 = 2: e(t) = e0 (1 + w t) exp(-w t), w = sqrt(2), while the acceleration stays below 5
  LateralRoadState st;
  LateralLimits limits;
  limits.max_acceleration = 5.0;
  const double dt = 1e-4, e0 = 1.0, w = std::sqrt(2.0);
  double place = 0.0;
  bool reached = false;
  for (int k = 1; k <= 30000; ++k) {
    place += LateralRoadStep(e0 - place, 0.0, 30.0, limits, dt, &st, &reached);
    if (k % 5000 == 0) {
      const double t = k * dt;
      EXPECT_NEAR(e0 - place, e0 * (1 + w * t) * std::exp(-w * t), 2e-3) << t;
    }
  }
  EXPECT_LT(std::fabs(st.acceleration), 5.0);
}

TEST(LateralDistanceStepTest, SpringRespectsTheAccelerationAndItsRate) {
  LateralRoadState st;
  LateralLimits limits;
  limits.max_acceleration = 1.0;
  limits.max_acceleration_rate = 2.0;
  bool reached = false;
  double previous = 0.0;
  for (int k = 0; k < 100; ++k) {
    (void)LateralRoadStep(10.0, 0.0, 30.0, limits, 0.05, &st, &reached);
    EXPECT_LE(std::fabs(st.acceleration), 1.0 + 1e-12);
    EXPECT_LE(std::fabs(st.acceleration - previous), 2.0 * 0.05 + 1e-12);
    previous = st.acceleration;
  }
}

TEST(LateralDistanceStepTest, EntityCoordinatesWithoutConstraintsJumpOntoTheLine) {
  const PlanePose ref{0.0, 0.0, 0.0};
  // far from the line: onto the projection (0, 2)
  PlanePose p = LateralEntityStep({0.0, -5.0, 0.3}, 10.0, ref, 2.0, 1e10, 0.1);
  EXPECT_NEAR(p.x, 0.0, 1e-12);
  EXPECT_NEAR(p.y, 2.0, 1e-12);
  EXPECT_NEAR(p.heading, 0.0, 1e-12);
  // 0.5 m from it with 1 m to travel: the other 0.5 m along the line
  p = LateralEntityStep({3.0, 1.5, 0.0}, 10.0, ref, 2.0, 1e10, 0.1);
  EXPECT_NEAR(p.x, 3.5, 1e-12);
  EXPECT_NEAR(p.y, 2.0, 1e-12);
  // a rotated reference: its left is +y rotated by the heading
  const PlanePose turned{10.0, 10.0, std::numbers::pi / 2};
  p = LateralEntityStep({0.0, 12.0, std::numbers::pi / 2}, 0.0, turned, 3.0, 1e10, 0.1);
  EXPECT_NEAR(p.x, 7.0, 1e-12);
  EXPECT_NEAR(p.y, 12.0, 1e-12);
  EXPECT_NEAR(LateralOffsetFrom(turned, p.x, p.y), 3.0, 1e-12);
}

TEST(LateralDistanceStepTest, EntityCoordinatesWithAnAccelerationSteerOntoTheLine) {
  const PlanePose ref{0.0, 0.0, 0.0};
  PlanePose p{0.0, -6.0, 0.0};
  const double v = 15.0, dt = 0.05;
  double last_offset = 1e9;
  for (int k = 0; k < 400; ++k) {
    const PlanePose next = LateralEntityStep(p, v, ref, 0.0, 4.0, dt);
    EXPECT_NEAR(std::hypot(next.x - p.x, next.y - p.y), v * dt, 1e-9);  // it drives at its speed
    EXPECT_LE(std::fabs(next.heading - p.heading), 1.5 * v / (1.5 * v * v / 4.0) * dt + 1e-9);
    p = next;
    if (k > 100) {
      EXPECT_LE(std::fabs(LateralOffsetFrom(ref, p.x, p.y)), last_offset + 1e-9);
    }
    last_offset = std::fabs(LateralOffsetFrom(ref, p.x, p.y));
  }
  EXPECT_LT(last_offset, 0.01);
  EXPECT_NEAR(p.heading, 0.0, 0.01);
}

/// Two cars in lane -1 of straight_500m: "Ref" at s = 30 and "Ego" at s = 10, both at 10 m/s; Ego
/// runs `action` (a LateralDistanceAction element) from t = 1.
PlayResult PlayLateral(const std::string& name, const std::string& action, double duration = 6.0) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Ego") + Car("Ref");
  p.init = Place("Ego", LanePos(-1, 10.0), 10.0) + Place("Ref", LanePos(-1, 30.0), 10.0);
  p.stories = Story("Ego", Event("keep", "<PrivateAction><LateralAction>" + action + "</LateralAction></PrivateAction>",
                                 Trigger(TimeCondition(1.0))));
  return PlayFile(WriteXosc(name, Xosc(p)), 0.05, duration);
}

TEST(LateralDistanceActionTest, RoadCoordinatesWithoutConstraintsMoveSidewaysAtOnce) {
  // the event starts at t = 1.0; its first step (to 1.05) only initialises, the second (to 1.10) moves
  // Ego onto y = -1.535 + 2, the third finds the distance and ends the action
  const PlayResult r = PlayLateral(
      "lat_rigid", "<LateralDistanceAction entityRef=\"Ref\" distance=\"2\" freespace=\"false\" continuous=\"false\" "
                   "coordinateSystem=\"road\" displacement=\"leftToReferencedEntity\"/>");
  EXPECT_NEAR(r.At(1.05)[0].y, -1.535, 1e-9);
  for (double t : {1.1, 2.0, 5.0}) {
    EXPECT_NEAR(r.At(t)[0].y, -1.535 + 2.0, 1e-9) << t;
    EXPECT_NEAR(r.At(t)[0].x, 10.0 + 10.0 * t, 1e-9) << t;  // the lane moves it on as usual
  }
  EXPECT_TRUE(r.Printed("1.100: event keep end"));
}

TEST(LateralDistanceActionTest, RightWithFreespaceAddsTheHalfWidths) {
  const PlayResult r = PlayLateral(
      "lat_right", "<LateralDistanceAction entityRef=\"Ref\" distance=\"0.5\" freespace=\"true\" continuous=\"true\" "
                   "coordinateSystem=\"lane\" displacement=\"rightToReferencedEntity\"/>");
  EXPECT_NEAR(r.At(3.0)[0].y, -1.535 - (0.5 + 1.8), 1e-9);
  EXPECT_NEAR(r.At(3.0)[1].y, -1.535, 1e-9);
}

TEST(LateralDistanceActionTest, RoadCoordinatesWithAMaxSpeedMoveAtThatLateralSpeed) {
  // from t = 1.05 the lateral speed is 1 m/s (less 1e-10) and the rest of the 10 m/s is along the lane:
  // at t = 2.05, 1 m to the left and x = 10 + 10 * 1.05 + sqrt(99) * 1.0
  const PlayResult r = PlayLateral(
      "lat_speed", "<LateralDistanceAction entityRef=\"Ref\" distance=\"2\" freespace=\"false\" continuous=\"false\" "
                   "coordinateSystem=\"road\" displacement=\"leftToReferencedEntity\"><DynamicConstraints maxSpeed=\"1\"/>"
                   "</LateralDistanceAction>");
  EXPECT_NEAR(r.At(2.05)[0].y, -1.535 + 1.0, 1e-7);
  EXPECT_NEAR(r.At(2.05)[0].x, 10.0 + 10.5 + std::sqrt(99.0), 1e-7);
  EXPECT_NEAR(r.At(2.05)[0].heading, std::atan2(1.0, std::sqrt(99.0)), 1e-7);
  EXPECT_NEAR(r.At(4.0)[0].y, -1.535 + 2.0, 1e-9);  // reached at 3.05, then on along the lane
  EXPECT_NEAR(r.At(4.0)[0].heading, 0.0, 1e-9);
  EXPECT_TRUE(r.Printed("3.050: event keep end"));
}

TEST(LateralDistanceActionTest, AnyKeepsTheSideAndAMissingDistanceKeepsTheCurrentOne) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Ego") + Car("Ref");
  // Ego starts 3 m to the right of Ref (t difference), Ref changes lane offset by +1 m at t = 1
  p.init = Place("Ego", LanePos(-1, 10.0, -1.0), 10.0) + Place("Ref", LanePos(-1, 30.0, 2.0), 10.0);
  p.stories =
      Story("Ego", Event("keep",
                         "<PrivateAction><LateralAction><LateralDistanceAction entityRef=\"Ref\" freespace=\"false\" "
                         "continuous=\"true\" coordinateSystem=\"road\" displacement=\"any\"/></LateralAction></PrivateAction>",
                         Trigger(TimeCondition(0.0)))) +
      "<Story name=\"ref\"><Act name=\"ra\"><ManeuverGroup name=\"rmg\" maximumExecutionCount=\"1\"><Actors "
      "selectTriggeringEntities=\"false\"><EntityRef entityRef=\"Ref\"/></Actors><Maneuver name=\"rm\">" +
      Event("shift",
            "<PrivateAction><LateralAction><LaneOffsetAction continuous=\"false\"><LaneOffsetActionDynamics "
            "dynamicsShape=\"step\"/><LaneOffsetTarget><AbsoluteTargetLaneOffset value=\"3\"/></LaneOffsetTarget>"
            "</LaneOffsetAction></LateralAction></PrivateAction>",
            Trigger(TimeCondition(1.0))) +
      "</Maneuver></ManeuverGroup>" + Trigger(TimeCondition(0.0)) + "</Act></Story>";
  const PlayResult r = PlayFile(WriteXosc("lat_any", Xosc(p)), 0.05, 4.0);
  EXPECT_NEAR(r.At(3.0)[1].y, -1.535 + 3.0, 1e-9);
  EXPECT_NEAR(r.At(3.0)[0].y - r.At(3.0)[1].y, -3.0, 1e-9);
}

TEST(LateralDistanceActionTest, EntityCoordinatesPlayAndConverge) {
  const PlayResult r = PlayLateral(
      "lat_entity", "<LateralDistanceAction entityRef=\"Ref\" distance=\"3\" freespace=\"false\" continuous=\"true\" "
                    "displacement=\"leftToReferencedEntity\"><DynamicConstraints maxAcceleration=\"3\"/></LateralDistanceAction>",
      12.0);
  for (const auto& s : r.states) {
    ASSERT_TRUE(std::isfinite(s[0].x) && std::isfinite(s[0].y));
  }
  EXPECT_NEAR(r.At(11.0)[0].y, -1.535 + 3.0, 0.01);
  EXPECT_NEAR(r.At(11.0)[0].heading, 0.0, 0.01);
}

TEST(LateralDistanceActionTest, BadAttributesAreErrorsAtTheElement) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Ego") + Car("Ref");
  p.init = Place("Ego", LanePos(-1, 10.0), 10.0) + Place("Ref", LanePos(-1, 30.0), 10.0);
  p.stories = Story("Ego", Event("keep",
                                 "<PrivateAction><LateralAction><LateralDistanceAction entityRef=\"Ref\" distance=\"-1\" "
                                 "continuous=\"true\" coordinateSystem=\"trajectory\" displacement=\"up\"/>"
                                 "</LateralAction></PrivateAction>",
                                 Trigger(TimeCondition(1.0))));
  const std::string all = LoadErrors(WriteXosc("lat_bad", Xosc(p)));
  EXPECT_NE(all.find("distance must not be negative"), std::string::npos) << all;
  EXPECT_NE(all.find("needs the attribute 'freespace'"), std::string::npos) << all;
  EXPECT_NE(all.find("coordinateSystem 'trajectory' is not supported"), std::string::npos) << all;
  EXPECT_NE(all.find("displacement = 'up' is not supported"), std::string::npos) << all;
}

}  // namespace
}  // namespace gauntlet::test
