// Where Gauntlet's player follows esmini's source (docs/openscenario.md, "Semantics"): each test plays
// a small scenario whose truth is worked out by hand from the esmini function named above it. Steps
// of 0.05 s; an event whose trigger holds at T starts at T, its action acts in the step from T.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/error.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

constexpr double kPi = std::numbers::pi;

/// A car like Car() whose Performance limits acceleration to `max_acc` and deceleration to `max_dec`.
std::string LimitedCar(const std::string& name, double max_acc, double max_dec) {
  return "<ScenarioObject name=\"" + name +
         "\"><Vehicle name=\"car\" vehicleCategory=\"car\"><BoundingBox><Center x=\"1.3\" y=\"0\" z=\"0.75\"/>"
         "<Dimensions width=\"1.8\" length=\"4.3\" height=\"1.5\"/></BoundingBox><Performance maxSpeed=\"70\" "
         "maxAcceleration=\"" + openscenario::FormatNumber(max_acc) + "\" maxDeceleration=\"" +
         openscenario::FormatNumber(max_dec) + "\"/><Axles><FrontAxle maxSteering=\"0.5\" wheelDiameter=\"0.6\" "
         "trackWidth=\"1.8\" positionX=\"2.8\" positionZ=\"0.3\"/><RearAxle maxSteering=\"0\" wheelDiameter=\"0.6\" "
         "trackWidth=\"1.8\" positionX=\"0\" positionZ=\"0.3\"/></Axles><Properties/></Vehicle></ScenarioObject>";
}

/// A private LateralAction: `<open>` (an element name with its attributes) holding `content`.
std::string Lateral(const std::string& open, const std::string& content) {
  const std::string name = open.substr(0, open.find(' '));
  return "<PrivateAction><LateralAction><" + open + ">" + content + "</" + name + "></LateralAction></PrivateAction>";
}

/// A Story of two maneuver groups: `lead_events` for Lead, `ego_events` for Ego.
std::string TwoActorStory(const std::string& lead_events, const std::string& ego_events) {
  auto group = [](const std::string& name, const std::string& actor, const std::string& events) {
    return "<ManeuverGroup name=\"" + name + "\" maximumExecutionCount=\"1\"><Actors selectTriggeringEntities=\"false\">"
           "<EntityRef entityRef=\"" + actor + "\"/></Actors><Maneuver name=\"m_" + name + "\">" + events +
           "</Maneuver></ManeuverGroup>";
  };
  return "<Story name=\"s\"><Act name=\"a\">" + (lead_events.empty() ? "" : group("lead", "Lead", lead_events)) +
         group("ego", "Ego", ego_events) + Trigger(TimeCondition(0.0)) + "</Act></Story>";
}

std::string Polyline(const std::vector<std::pair<std::string, std::string>>& vertices, const std::string& timing) {
  std::string out = "<PrivateAction><RoutingAction><FollowTrajectoryAction><TrajectoryRef><Trajectory name=\"t\" "
                    "closed=\"false\"><Shape><Polyline>";
  for (const auto& [time, position] : vertices)
    out += "<Vertex" + (time.empty() ? std::string() : " time=\"" + time + "\"") + "><Position>" + position +
           "</Position></Vertex>";
  out += "</Polyline></Shape></Trajectory></TrajectoryRef><TimeReference>" +
         (timing.empty() ? std::string("<None/>") : timing) +
         "</TimeReference><TrajectoryFollowingMode followingMode=\"position\"/></FollowTrajectoryAction></RoutingAction>"
         "</PrivateAction>";
  return out;
}

// FollowTrajectoryAction::Step: the step that passes the end of a trajectory without timing moves the
// rest of its length (|v| dt minus what was left) on along the last heading. At 7 m/s from (0, 0)
// along (0, 0) -> (0, 10) the end is passed in the step ending at 1.45 (y = 10.15, not 10), and the
// entity then goes on off the roads along pi/2: y(T) = 7 T.
TEST(EsminiSemanticsTest, TrajectoryEndKeepsTheRestOfTheStep) {
  const PlayResult r =
      PlayEgo("traj_end", World(0, 0), 7.0,
              Event("follow", Polyline({{"", World(0, 0)}, {"", World(0, 10)}}, ""), Trigger(TimeCondition(0.0))), 3.0, "");
  for (const double t : {1.0, 1.45, 1.5, 2.0, 3.0}) {
    EXPECT_NEAR(r.At(t)[0].x, 0.0, 1e-9) << t;
    EXPECT_NEAR(r.At(t)[0].y, 7.0 * t, 1e-9) << t;
  }
  EXPECT_NEAR(r.At(1.45)[0].heading, kPi / 2, 1e-12);
}

// FollowTrajectoryAction started at a negative speed (Euro NCAP's reversing CPRA cases): esmini drives
// the entity backwards along the trajectory, from its start towards its end, facing against it. At
// -1 m/s along (100, 0) -> (90, 0) (heading pi): x(T) = 100 - T, heading pi + pi = 0, until the end at
// T = 10; the step passing it goes on along the trajectory's last heading (x(10.5) = 89.5).
TEST(EsminiSemanticsTest, ANegativeSpeedReversesAlongTheTrajectory) {
  const PlayResult r = PlayEgo(
      "traj_reverse", World(100, 0), -1.0,
      Event("follow", Polyline({{"", World(100, 0)}, {"", World(90, 0)}}, ""), Trigger(TimeCondition(0.0))), 10.5, "");
  for (const double t : {1.0, 4.2, 8.05, 9.95}) {
    EXPECT_NEAR(r.At(t)[0].x, 100.0 - t, 1e-9) << t;
    EXPECT_NEAR(r.At(t)[0].y, 0.0, 1e-9) << t;
    EXPECT_NEAR(std::cos(r.At(t)[0].heading), 1.0, 1e-12) << t;
    EXPECT_DOUBLE_EQ(r.At(t)[0].speed, -1.0) << t;
  }
  EXPECT_NEAR(r.At(10.5)[0].x, 89.5, 1e-9);
}

// With Timing, the step that ends past the last vertex time keeps the speed of the step before and
// moves (T - t_end) v past the last vertex (FollowTrajectoryAction::Move/Step). Vertices (0, 0) at 0 s
// and (10, 0) at 1.02 s (relative to the start at t = 0): v = 10 / 1.02 m/s, x(T) = v T for T <= 1.0,
// then x(T) = 10 + (T - 1.02) v.
TEST(EsminiSemanticsTest, TimedTrajectoryEndKeepsTheSpeed) {
  const std::string timing = "<Timing domainAbsoluteRelative=\"relative\" scale=\"1\" offset=\"0\"/>";
  const PlayResult r = PlayEgo(
      "traj_timed_end", World(0, 0), 0.0,
      Event("follow", Polyline({{"0", World(0, 0)}, {"1.02", World(10, 0)}}, timing), Trigger(TimeCondition(0.0))), 3.0, "");
  const double v = 10.0 / 1.02;
  EXPECT_NEAR(r.At(1.0)[0].x, v * 1.0, 1e-9);
  for (const double t : {1.05, 1.5, 3.0}) {
    EXPECT_NEAR(r.At(t)[0].x, 10.0 + (t - 1.02) * v, 1e-9) << t;
    EXPECT_NEAR(r.At(t)[0].speed, v, 1e-9) << t;
  }
}

// LongSpeedAction with a step over a time > 0: the speed jumps at the start, but the action runs on for
// the time stretched by SetMaxRate (a step's peak acceleration is esmini's 1e10, the Performance allows
// 100 m/s^2: 1e8 times longer), so its event does not end in the run and a relative target keeps being
// followed; with a time of 0 the action ends in its first step.
TEST(EsminiSemanticsTest, StepSpeedWithATimeRunsOn) {
  const PlayResult r = PlayEgo("step_runs_on", LanePos(-1, 10), 10.0,
                               Event("jump", SpeedTo(20.0, "step", "time", 1.0), Trigger(TimeCondition(1.0))) +
                                   Event("now", SpeedTo(20.0, "step", "time", 0.0), Trigger(TimeCondition(0.5)),
                                         "priority=\"parallel\""),
                               4.0);
  EXPECT_TRUE(r.Printed("0.500: event now end"));
  EXPECT_TRUE(r.Printed("1.000: event jump start"));
  for (const auto& l : r.lines) EXPECT_EQ(l.find("event jump end"), std::string::npos) << l;
  EXPECT_NEAR(r.At(1.05)[0].speed, 20.0, 1e-12);
}

// LatLaneOffsetAction without maxLateralAcc: esmini's ScenarioReader takes 0.5 m/s^2. Cubic over 1 m:
// T = sqrt(6 * 1 / 0.5) = sqrt(12) s; the offset lags one step (LatLaneOffsetAction::Step).
TEST(EsminiSemanticsTest, LaneOffsetDefaultLateralAcceleration) {
  const PlayResult r = PlayEgo("laneoffset_default", LanePos(-1, 10), 10.0,
                               Event("offset", Lateral("LaneOffsetAction continuous=\"false\"", "<LaneOffsetActionDynamics "
                                                       "dynamicsShape=\"cubic\"/><LaneOffsetTarget><AbsoluteTargetLaneOffset "
                                                       "value=\"1\"/></LaneOffsetTarget>"),
                                     Trigger(TimeCondition(1.0))),
                               6.0);
  const double T = std::sqrt(12.0);
  for (const double t : {1.5, 2.5, 3.5, 4.0}) {
    const double f = (t - 1.05) / T;
    EXPECT_NEAR(r.At(t)[0].y, -1.535 + f * f * (3.0 - 2.0 * f), 1e-9) << t;
  }
  EXPECT_NEAR(r.At(5.5)[0].y, -1.535 + 1.0, 1e-12);
}

// LongSpeedAction::Start over a distance when the speed changes sign: the two parts on either side of
// the stop split the distance as v0^2 : v1^2. 10 -> -5 m/s over 20 m: d0 = 16, T = 2 * 16 / 10 +
// 2 * 4 / 5 = 4.8 s, linear: v(T) = 10 - 15 (T - 1) / 4.8 from t = 1.
TEST(EsminiSemanticsTest, SpeedOverDistanceThroughAStop) {
  const PlayResult r = PlayEgo("speed_through_stop", LanePos(-1, 100), 10.0,
                               Event("reverse", SpeedTo(-5.0, "linear", "distance", 20.0), Trigger(TimeCondition(1.0))), 8.0);
  for (const double t : {1.5, 3.0, 4.2, 5.75}) EXPECT_NEAR(r.At(t)[0].speed, 10.0 - 15.0 * (t - 1.0) / 4.8, 1e-9) << t;
  EXPECT_NEAR(r.At(7.0)[0].speed, -5.0, 1e-12);
}

// LongSpeedAction::Step after the transition of a continuous relative target: the speed goes to the
// target no faster than the Performance allows. The lead steps from 10 to 20 m/s at t = 2; the ego
// (maxAcceleration 2) follows at 2 m/s^2 from that step: v(T) = 10 + 2 (T - 2) until 20 at T = 7.
TEST(EsminiSemanticsTest, ContinuousRelativeSpeedIsLimitedByPerformance) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Lead") + LimitedCar("Ego", 2.0, 5.0);
  p.init = Place("Lead", LanePos(-1, 100), 10.0) + Place("Ego", LanePos(-1, 10), 10.0);
  const std::string follow = RelativeSpeedTo("Lead", 0.0, "delta", true);
  p.stories = TwoActorStory(Event("jump", SpeedTo(20.0, "step", "time", 0.0), Trigger(TimeCondition(2.0))),
                            Event("follow", follow, Trigger(TimeCondition(0.0))));
  const PlayResult r = PlayFile(WriteXosc("relspeed_limited", Xosc(p)), 0.05, 9.0);
  EXPECT_NEAR(r.At(2.0)[1].speed, 10.0, 1e-12);
  for (const double t : {2.05, 3.0, 4.5, 6.0}) EXPECT_NEAR(r.At(t)[1].speed, 10.0 + 2.0 * (t - 2.0), 1e-9) << t;
  EXPECT_NEAR(r.At(8.0)[1].speed, 20.0, 1e-12);
}

// LatLaneChangeAction::Step: when the lateral motion a step asks for exceeds the travel |v| dt, the
// whole travel goes sideways and the transition advances linearly by |v| dt of offset. At 1 m/s a
// linear change over 0.5 s of 3.07 m asks 0.307 m a step: the entity moves 0.05 m sideways per step
// and stands still along the lane (x = 11 from t = 1).
TEST(EsminiSemanticsTest, LaneChangeFasterThanTheTravelGoesSideways) {
  const std::string dynamics = "<LaneChangeActionDynamics dynamicsShape=\"linear\" value=\"0.5\" dynamicsDimension=\"time\"/>";
  const PlayResult r = PlayEgo(
      "lc_sideways", LanePos(-1, 10), 1.0,
      Event("change", Lateral("LaneChangeAction", dynamics + "<LaneChangeTarget><AbsoluteTargetLane value=\"1\"/></LaneChangeTarget>"),
            Trigger(TimeCondition(1.0))),
      3.0);
  for (const int k : {1, 10, 20, 40}) {
    const double t = 1.0 + 0.05 * k;
    EXPECT_NEAR(r.At(t)[0].y, -1.535 + 0.05 * k, 1e-9) << t;
    EXPECT_NEAR(r.At(t)[0].x, 11.0, 1e-9) << t;
  }
}

// OSCPositionRoad: a RoadPosition's heading is the road's +s direction plus the Orientation's relative
// heading, whatever lane it lands in (unlike a LanePosition, which faces the lane's driving direction).
// On lane 1 (t = 1.535, driving against s) the entity faces +x and drives along +s: x(T) = 100 + 10 T.
TEST(EsminiSemanticsTest, RoadPositionHeadsAlongTheRoad) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Ego") + Car("Turned");
  p.init = Place("Ego", "<RoadPosition roadId=\"1\" s=\"100\" t=\"1.535\"/>", 10.0) +
           Place("Turned", "<RoadPosition roadId=\"1\" s=\"50\" t=\"-1.535\"><Orientation type=\"relative\" h=\"3.14159265358979\"/>"
                           "</RoadPosition>", 10.0);
  const PlayResult r = PlayFile(WriteXosc("roadpos_heading", Xosc(p)), 0.05, 2.0);
  EXPECT_NEAR(r.At(0.0)[0].heading, 0.0, 1e-12);
  for (const double t : {0.0, 1.0, 2.0}) {
    EXPECT_NEAR(r.At(t)[0].x, 100.0 + 10.0 * t, 1e-9) << t;
    EXPECT_NEAR(r.At(t)[0].y, 1.535, 1e-9) << t;
    EXPECT_NEAR(r.At(t)[1].x, 50.0 - 10.0 * t, 1e-9) << t;  // turned by the relative heading: along -s
  }
}

/// Ego at s = 10 and Lead at s = 100 on lane -1 of the straight road, both at `speed`; at t = 1 the
/// ego starts `action`.
PlayResult DistanceRun(const std::string& name, const std::string& action, double ego_speed = 5.0,
                       double duration = 4.0) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Lead") + Car("Ego");
  p.init = Place("Lead", LanePos(-1, 100), 10.0) + Place("Ego", LanePos(-1, 10), ego_speed);
  p.stories = TwoActorStory("", Event("keep", action, Trigger(TimeCondition(1.0))));
  return PlayFile(WriteXosc(name, Xosc(p)), 0.05, duration);
}
std::string KeepDistance(const std::string& attributes, const std::string& constraints = "") {
  return "<PrivateAction><LongitudinalAction><LongitudinalDistanceAction entityRef=\"Lead\" " + attributes + ">" +
         constraints + "</LongitudinalDistanceAction></LongitudinalAction></PrivateAction>";
}

// LongDistanceAction::Step without DynamicConstraints: the entity is put at the requested distance
// (reference points, along its heading) and takes the lead's speed, then both move: from t = 1 the
// ego is 20 m behind the lead (x_lead(T) = 100 + 10 T).
TEST(EsminiSemanticsTest, LongitudinalDistanceKeptExactly) {
  const PlayResult r = DistanceRun("ld_exact", KeepDistance("distance=\"20\" freespace=\"false\" continuous=\"true\""));
  EXPECT_NEAR(r.At(1.0)[1].x, 10.0 + 5.0, 1e-9);
  for (const double t : {1.05, 2.0, 4.0}) {
    EXPECT_NEAR(r.At(t)[1].x, 100.0 + 10.0 * t - 20.0, 1e-9) << t;
    EXPECT_NEAR(r.At(t)[1].speed, 10.0, 1e-12) << t;
    EXPECT_NEAR(r.At(t)[1].y, -1.535, 1e-12) << t;
  }
}

// A time gap between the boxes (freespace): 1.5 s at 10 m/s is 15 m between the lead's rear (0.85 m
// behind its reference point) and the ego's front (3.45 m ahead of its own): x_ego = x_lead - 19.3.
TEST(EsminiSemanticsTest, LongitudinalTimeGapWithFreespace) {
  const PlayResult r =
      DistanceRun("ld_gap", KeepDistance("timeGap=\"1.5\" freespace=\"true\" continuous=\"true\""));
  for (const double t : {1.05, 3.0}) EXPECT_NEAR(r.At(t)[1].x, 100.0 + 10.0 * t - 19.3, 1e-9) << t;
}

// displacement leadingReferencedEntity: the ego keeps 20 m ahead of the lead.
TEST(EsminiSemanticsTest, LongitudinalDistanceLeading) {
  const PlayResult r = DistanceRun(
      "ld_lead", KeepDistance("distance=\"20\" freespace=\"false\" continuous=\"true\" displacement=\"leadingReferencedEntity\""));
  for (const double t : {1.05, 3.0}) EXPECT_NEAR(r.At(t)[1].x, 100.0 + 10.0 * t + 20.0, 1e-9) << t;
}

// A non-continuous action ends in the first step that finds the distance reached (within 0.1 m,
// checked before the step's move): the move at t = 1 reaches it, the step at 1.05 ends the action; the
// ego then keeps the lead's speed.
TEST(EsminiSemanticsTest, LongitudinalDistanceEndsWhenReached) {
  const PlayResult r = DistanceRun("ld_end", KeepDistance("distance=\"20\" freespace=\"false\" continuous=\"false\""));
  EXPECT_TRUE(r.Printed("1.000: event keep start"));
  EXPECT_TRUE(r.Printed("1.050: event keep end"));
  EXPECT_NEAR(r.At(4.0)[1].x, 100.0 + 40.0 - 20.0, 1e-9);
}

// With DynamicConstraints the damped spring's acceleration is limited to maxAcceleration; the step
// that starts the action has no time since its start (esmini's dt = simTime - sim_time_ = 0), so the
// speed changes from the next step: 30 m too far behind, the ego (10 m/s, lead 10 m/s) accelerates
// at 2 m/s^2 from T = 1.05: v(T) = 10 + 2 (T - 1.05) while the spring asks for more.
TEST(EsminiSemanticsTest, LongitudinalDistanceWithConstraintsAccelerates) {
  const PlayResult r = DistanceRun(
      "ld_spring", KeepDistance("distance=\"20\" freespace=\"false\" continuous=\"true\"",
                                "<DynamicConstraints maxAcceleration=\"2\" maxDeceleration=\"5\" maxSpeed=\"40\"/>"),
      10.0, 3.0);
  EXPECT_NEAR(r.At(1.05)[1].speed, 10.0, 1e-12);
  for (const double t : {1.1, 1.5, 2.0}) EXPECT_NEAR(r.At(t)[1].speed, 10.0 + 2.0 * (t - 1.05), 1e-9) << t;
}

// OpenSCENARIO 1.1 and later take the side from displacement; a missing distance and time gap is an
// error at the element.
TEST(EsminiSemanticsTest, LongitudinalDistanceNeedsDistanceOrTimeGap) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Car("Lead") + Car("Ego");
  p.init = Place("Lead", LanePos(-1, 100), 10.0) + Place("Ego", LanePos(-1, 10), 5.0);
  p.stories = TwoActorStory("", Event("keep", KeepDistance("freespace=\"false\" continuous=\"true\""),
                                      Trigger(TimeCondition(1.0))));
  try {
    (void)openscenario::LoadScenario(WriteXosc("ld_bad", Xosc(p)));
    FAIL() << "loaded";
  } catch (const core::InputError& e) {
    EXPECT_NE(e.diagnostics().front().Format().find("needs exactly one of distance and timeGap"), std::string::npos);
  }
}

// TrigByStandStill: the time standing must exceed the duration. The ego (10 m/s) stops in the step from
// t = 1 and stands from 1.05; with duration 0 the condition first holds at the evaluation after that
// (1.10), not at 1.05.
TEST(EsminiSemanticsTest, StandStillDurationIsExceeded) {
  const std::string still =
      "<Condition name=\"still\" delay=\"0\" conditionEdge=\"none\"><ByEntityCondition><TriggeringEntities "
      "triggeringEntitiesRule=\"any\"><EntityRef entityRef=\"Ego\"/></TriggeringEntities><EntityCondition>"
      "<StandStillCondition duration=\"0\"/></EntityCondition></ByEntityCondition></Condition>";
  const PlayResult r =
      PlayEgo("standstill_strict", LanePos(-1, 10), 10.0,
              Event("stop", SpeedTo(0.0, "step", "time", 0.0), Trigger(TimeCondition(1.0))) +
                  Event("still", SpeedTo(0.0, "step", "time", 0.0), Trigger(still), "priority=\"parallel\""),
              2.0);
  EXPECT_TRUE(r.Printed("1.100: event still start"));
}

/// When event "off" (an OffroadCondition of duration 0.2 on the ego placed at `position`, 10 m/s along the
/// road) starts on shoulder_and_none.xodr, or "never".
std::string OffroadStart(const std::string& name, const std::string& position) {
  const std::string off =
      "<Condition name=\"off\" delay=\"0\" conditionEdge=\"none\"><ByEntityCondition><TriggeringEntities "
      "triggeringEntitiesRule=\"any\"><EntityRef entityRef=\"Ego\"/></TriggeringEntities><EntityCondition>"
      "<OffroadCondition duration=\"0.2\"/></EntityCondition></ByEntityCondition></Condition>";
  const PlayResult r = PlayEgo(name, position, 10.0, Event("off", SpeedTo(10.0, "step", "time", 0.0), Trigger(off)),
                               1.0, std::string(GAUNTLET_SOURCE_DIR) + "/tests/openscenario/testdata/shoulder_and_none.xodr");
  for (const auto& l : r.lines)
    if (l.ends_with("event off start")) return l.substr(0, l.find(':'));
  return "never";
}

// esmini's Position::IsOffRoad: off road is |t| beyond the outer border of the outermost lane on that side
// whose type is not none. A shoulder is road; a lane of type none is not, even inside its borders; beyond
// the last lane is off road. Off from the start, the state is stamped at the first step (0.05 s: esmini's
// timestamp 0 means "not in the state"), so the time off road first exceeds 0.2 s at 0.30 s.
TEST(EsminiSemanticsTest, OffroadIsBeyondTheLastLaneWhoseTypeIsNotNone) {
  EXPECT_EQ(OffroadStart("offroad_driving", LanePos(-1, 10)), "never");
  EXPECT_EQ(OffroadStart("offroad_shoulder", LanePos(-2, 10)), "never");
  EXPECT_EQ(OffroadStart("offroad_shoulder_edge", LanePos(-2, 10, -0.49)), "never");  // t = -4.49 of -4.5
  EXPECT_EQ(OffroadStart("offroad_none_right", LanePos(-3, 10)), "0.300");
  EXPECT_EQ(OffroadStart("offroad_shoulder_out", LanePos(-2, 10, -0.51)), "0.300");  // t = -4.51
  EXPECT_EQ(OffroadStart("offroad_none_left", LanePos(2, 10)), "0.300");
  EXPECT_EQ(OffroadStart("offroad_left_in", LanePos(1, 10, 1.7)), "never");  // lane 1 drives against s: t = 0.05
}

/// The ego in lane -2 at s = 100 (10 m/s) and A standing in lane -1 at s = 130 on a three-lane road; event
/// "clear" starts when `clearance` (a RelativeClearanceCondition of the ego) holds.
PlayResult ClearanceRun(const std::string& name, const std::string& clearance) {
  XoscParts p;
  p.road = std::string(GAUNTLET_SOURCE_DIR) + "/tests/openscenario/testdata/three_lanes.xodr";
  p.entities = Car("Ego") + Car("A") + Car("B");
  p.init = Place("Ego", LanePos(-2, 100), 10.0) + Place("A", LanePos(-1, 130), 0.0) + Place("B", LanePos(1, 400), 0.0);
  const std::string condition =
      "<Condition name=\"free\" delay=\"0\" conditionEdge=\"none\"><ByEntityCondition><TriggeringEntities "
      "triggeringEntitiesRule=\"any\"><EntityRef entityRef=\"Ego\"/></TriggeringEntities><EntityCondition>" +
      clearance + "</EntityCondition></ByEntityCondition></Condition>";
  p.stories = Story("Ego", Event("clear", SpeedTo(10.0, "step", "time", 0.0), Trigger(condition)));
  return PlayFile(WriteXosc(name, Xosc(p)), 0.05, 8.0);
}
std::string StartOf(const PlayResult& r, const std::string& event) {
  for (const auto& l : r.lines)
    if (l.ends_with("event " + event + " start")) return l.substr(0, l.find(':'));
  return "never";
}

// TrigByRelativeClearance: the lane to the left (from = to = 1) is clear when nobody is in it between
// 19.75 m behind and 40 m ahead. A is 30 - 10 t ahead of the ego: it leaves the range when
// 30 - 10 t < -19.75, at the first evaluation after t = 4.975.
TEST(EsminiSemanticsTest, RelativeClearanceOfTheLeftLane) {
  const std::string c = "<RelativeClearanceCondition distanceForward=\"40\" distanceBackward=\"19.75\" "
                        "freeSpace=\"false\" oppositeLanes=\"false\"><RelativeLaneRange from=\"1\" to=\"1\"/>";
  EXPECT_EQ(StartOf(ClearanceRun("clearance", c + "</RelativeClearanceCondition>"), "clear"), "5.000");
  // only the listed entities count: B is far away, so the lane is clear at once
  EXPECT_EQ(StartOf(ClearanceRun("clearance_ref", c + "<EntityRef entityRef=\"B\"/></RelativeClearanceCondition>"), "clear"),
            "0.000");
  // with freeSpace the gap between the boxes counts: A's front (3.45 m ahead of its reference point) passes
  // 19.75 m behind the ego's rear (0.85 m behind) when 30 - 10 t + 4.3 < -19.75, after t = 5.405
  EXPECT_EQ(StartOf(ClearanceRun("clearance_free", "<RelativeClearanceCondition distanceForward=\"40\" "
                                                   "distanceBackward=\"19.75\" freeSpace=\"true\" oppositeLanes=\"false\">"
                                                   "<RelativeLaneRange from=\"1\" to=\"1\"/></RelativeClearanceCondition>"),
                    "clear"),
            "5.450");
  // lane -2 + 2 = 0 is no lane: never clear
  EXPECT_EQ(StartOf(ClearanceRun("clearance_none", "<RelativeClearanceCondition distanceForward=\"40\" "
                                                   "distanceBackward=\"20\" freeSpace=\"false\" oppositeLanes=\"true\">"
                                                   "<RelativeLaneRange from=\"2\" to=\"2\"/></RelativeClearanceCondition>"),
                    "clear"),
            "never");
}

/// Ego standing at s = 10 on lane -1 starts a SpeedProfileAction at t = 1.
PlayResult SpeedProfileRun(const std::string& name, const std::string& mode, const std::string& entries,
                           const std::string& constraints = "") {
  const std::string action = "<PrivateAction><LongitudinalAction><SpeedProfileAction followingMode=\"" + mode + "\">" +
                             constraints + entries + "</SpeedProfileAction></LongitudinalAction></PrivateAction>";
  return PlayEgo(name, LanePos(-1, 10), 0.0, Event("profile", action, Trigger(TimeCondition(1.0))), 14.0);
}

// LongSpeedProfileAction, followingMode position: straight lines between the entries (times after the
// previous entry): 0 m/s at 1 s, 10 at 5, 4 at 9, 8 at 11, then the action ends.
TEST(EsminiSemanticsTest, SpeedProfileFollowsItsEntriesLinearly) {
  const PlayResult r = SpeedProfileRun("profile_position", "position",
                                       "<SpeedProfileEntry time=\"0\" speed=\"0\"/><SpeedProfileEntry time=\"4\" "
                                       "speed=\"10\"/><SpeedProfileEntry time=\"4\" speed=\"4\"/><SpeedProfileEntry "
                                       "time=\"2\" speed=\"8\"/>");
  auto expected = [](double t) {
    if (t <= 5.0) return 2.5 * (t - 1.0);
    if (t <= 9.0) return 10.0 - 1.5 * (t - 5.0);
    if (t <= 11.0) return 4.0 + 2.0 * (t - 9.0);
    return 8.0;
  };
  for (const double t : {1.05, 3.0, 5.0, 7.5, 9.0, 10.3, 11.0, 13.0}) EXPECT_NEAR(r.At(t)[0].speed, expected(t), 1e-9) << t;
  EXPECT_TRUE(r.Printed("10.950: event profile end"));
}

// followingMode follow to one target (10 m/s 4 s after the start) with jerk limits 4 (up) and 3
// (down): the acceleration rises at 4 m/s^3 to k, is held, and falls at 3 m/s^3 to 0 on 10 m/s at
// 4 s; the speed gained is k (4 - (k/4 + k/3) / 2) = 10, so 7/24 k^2 - 4 k + 10 = 0.
TEST(EsminiSemanticsTest, SpeedProfileFollowWithJerkLimits) {
  const PlayResult r = SpeedProfileRun(
      "profile_follow", "follow", "<SpeedProfileEntry time=\"4\" speed=\"10\"/>",
      "<DynamicConstraints maxAcceleration=\"5\" maxDeceleration=\"10\" maxAccelerationRate=\"4\" "
      "maxDecelerationRate=\"3\" maxSpeed=\"50\"/>");
  const double a = 7.0 / 24.0;
  const double k = (4.0 - std::sqrt(16.0 - 40.0 * a)) / (2.0 * a);
  auto expected = [&](double u) {  // u: time since the start
    if (u <= k / 4.0) return 2.0 * u * u;
    if (u <= 4.0 - k / 3.0) return k * k / 8.0 + k * (u - k / 4.0);
    if (u <= 4.0) return 10.0 - 1.5 * (4.0 - u) * (4.0 - u);
    return 10.0;
  };
  for (const double t : {1.05, 1.5, 2.0, 3.0, 4.0, 4.5, 4.9, 5.0, 6.0}) EXPECT_NEAR(r.At(t)[0].speed, expected(t - 1.0), 1e-9) << t;
  EXPECT_TRUE(r.Printed("4.950: event profile end"));
}

}  // namespace
}  // namespace gauntlet::test
