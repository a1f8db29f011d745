// esmini's ACCController and ALKSController as the player simulates them
// (openscenario/internal/controller_acc.h), on small scenarios whose values are worked out by hand.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "openscenario/player.h"
#include "openscenario/scenario.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

/// A car (box 4.3 x 1.8 m, centre 1.3 m ahead of the reference point; maxAcceleration 5, maxDeceleration
/// 10 m/s^2) with `controller` (a Controller element, "" = none) as its ObjectController.
std::string AccCar(const std::string& name, const std::string& controller) {
  return "<ScenarioObject name=\"" + name +
         "\"><Vehicle name=\"car\" vehicleCategory=\"car\"><BoundingBox><Center x=\"1.3\" y=\"0\" z=\"0.75\"/>"
         "<Dimensions width=\"1.8\" length=\"4.3\" height=\"1.5\"/></BoundingBox>"
         "<Performance maxSpeed=\"70\" maxAcceleration=\"5\" maxDeceleration=\"10\"/><Axles>"
         "<FrontAxle maxSteering=\"0.5\" wheelDiameter=\"0.6\" trackWidth=\"1.8\" positionX=\"2.8\" positionZ=\"0.3\"/>"
         "<RearAxle maxSteering=\"0\" wheelDiameter=\"0.6\" trackWidth=\"1.8\" positionX=\"0\" positionZ=\"0.3\"/>"
         "</Axles><Properties/></Vehicle>" +
         (controller.empty() ? "" : "<ObjectController>" + controller + "</ObjectController>") + "</ScenarioObject>";
}

/// A Controller element of `type` with `properties` (Property elements).
std::string Controller(const std::string& type, const std::string& properties) {
  return "<Controller name=\"" + type + "\"><Properties>" + properties + "</Properties></Controller>";
}
std::string Property(const std::string& name, const std::string& value) {
  return "<Property name=\"" + name + "\" value=\"" + value + "\"/>";
}
/// Init: activates the controller of `entity` on the longitudinal domain.
std::string Activate(const std::string& entity, const std::string& lateral = "false") {
  return "<Private entityRef=\"" + entity + "\"><PrivateAction><ActivateControllerAction longitudinal=\"true\" lateral=\"" +
         lateral + "\"/></PrivateAction></Private>";
}

/// Ego with `controller` at s = `ego_s` and `ego_v` on lane -1 of the straight road, activated; a Lead at
/// `lead_s` with `lead_v` when lead_s >= 0; the Ego's maneuver holding `events`.
std::string Scene(const std::string& name, const std::string& controller, double ego_s, double ego_v, double lead_s,
                  double lead_v, const std::string& events = "", const std::string& lateral = "false") {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = AccCar("Ego", controller) + (lead_s >= 0 ? AccCar("Lead", "") : "");
  p.init = Place("Ego", LanePos(-1, ego_s), ego_v) + Activate("Ego", lateral) +
           (lead_s >= 0 ? Place("Lead", LanePos(-1, lead_s), lead_v) : "");
  if (!events.empty()) p.stories = Story("Ego", events);
  p.stop = Trigger(TimeCondition(70.0, "greaterOrEqual"), "StopTrigger");
  return WriteXosc(name, Xosc(p));
}

TEST(ControllerAccTest, FreeRoadGoesToTheSetSpeedAtSevenTenthsOfMaxAcceleration) {
  // no one ahead: a = min(0.7 * 5, 0.7 * 5 (30 - v)) = 3.5 m/s^2 while v <= 29, so v = 20 + 3.5 t; the
  // controller moves the entity its new speed * dt each step (override): after n steps of 0.05 s the
  // reference point moved sum_k (20 + 0.175 k) 0.05 = n + 0.175 * 0.05 n (n + 1) / 2
  const std::string acc = Controller("ACCController", Property("mode", "override") + Property("setSpeed", "30"));
  const PlayResult r = PlayFile(Scene("acc_free", acc, 10.0, 20.0, -1, 0), 0.05, 20.0);
  EXPECT_NEAR(r.At(1.0)[0].speed, 23.5, 1e-9);
  EXPECT_NEAR(r.At(1.0)[0].x, 10.0 + 20.0 + 0.175 * 0.05 * 20 * 21 / 2, 1e-9);
  EXPECT_NEAR(r.At(2.5)[0].speed, 28.75, 1e-9);
  // above 29 m/s the rest shrinks by 1 - 0.175 each step: 30 m/s within a micrometre per second after 10 s
  EXPECT_NEAR(r.At(12.0)[0].speed, 30.0, 1e-6);
}

TEST(ControllerAccTest, SteadyFollowingKeepsMinDistancePlusTimeGap) {
  // behind a lead at a steady 5 m/s (below the set speed 30) the acceleration is 0 only with f = 0 and
  // v = 5: the gap the controller measures settles at 3 + timeGap * 5 = 10.5 m (timeGap 1.5). It measures
  // after the lead moved in the step and before it moves the Ego (esmini steps its controllers after
  // the default motion), so at the end of a step the gap is 5 * 0.05 = 0.25 m less
  const std::string acc = Controller("ACCController", Property("mode", "override") + Property("setSpeed", "30") +
                                                          Property("timeGap", "1.5"));
  const PlayResult r = PlayFile(Scene("acc_follow", acc, 10.0, 5.0, 60.0, 5.0), 0.05, 60.0);
  const auto& s = r.At(60.0);
  const double gap = (s[1].x - s[0].x) - (2.15 + 1.3) - (2.15 - 1.3);
  EXPECT_NEAR(gap, 10.5 - 0.25, 0.05);
  EXPECT_NEAR(s[0].speed, 5.0, 0.01);
  // a time gap of 1 (esmini's acc-test) settles at 3 + 5 = 8 m (ALKSController is the same controller)
  const std::string acc1 = Controller("ALKSController", Property("mode", "override") + Property("setSpeed", "30") +
                                                            Property("timeGap", "1"));
  const PlayResult r1 = PlayFile(Scene("alks_follow", acc1, 10.0, 5.0, 60.0, 5.0), 0.05, 60.0);
  const auto& s1 = r1.At(60.0);
  EXPECT_NEAR((s1[1].x - s1[0].x) - 4.3, 8.0 - 0.25, 0.05);
  EXPECT_NEAR(s1[0].speed, 5.0, 0.01);
}

TEST(ControllerAccTest, AGapUnderOneMetreStopsAtOnce) {
  // the lead's back is 0.5 m ahead of the Ego's front: the speed drops to 0 in the first step
  const std::string acc = Controller("ACCController", Property("mode", "override"));
  const PlayResult r = PlayFile(Scene("acc_close", acc, 10.0, 10.0, 10.0 + 3.45 + 0.85 + 0.5, 0.0), 0.05, 1.0);
  EXPECT_EQ(r.At(0.05)[0].speed, 0.0);
  EXPECT_NEAR(r.At(1.0)[0].x, 10.0, 1e-9);
  EXPECT_TRUE(r.lines.empty() || r.lines.back().find("collision") == std::string::npos);
}

TEST(ControllerAccTest, AdditiveTakesActionSpeedsAsTheSetSpeedOverrideKeepsItsOwn) {
  // a step to 20 m/s at t = 1 (started in the step from 1.0): additive (ACC's default mode) makes it the
  // set speed and climbs from 10 at 3.5 m/s^2 (the default controller moves the entity its speed of the
  // step before); override writes its own speed over the action's and stays at 10 (no setSpeed: the
  // speed when activated)
  const std::string event = Event("go", SpeedTo(20.0, "step", "time", 0.0), Trigger(TimeCondition(1.0)));
  const PlayResult add = PlayFile(Scene("acc_add", Controller("ACCController", ""), 10.0, 10.0, -1, 0, event), 0.05, 3.0);
  EXPECT_NEAR(add.At(1.0)[0].speed, 10.0, 1e-9);
  EXPECT_NEAR(add.At(1.05)[0].speed, 10.175, 1e-9);
  EXPECT_NEAR(add.At(2.0)[0].speed, 10.0 + 0.175 * 20, 1e-9);
  const PlayResult over = PlayFile(
      Scene("acc_over", Controller("ACCController", Property("mode", "override")), 10.0, 10.0, -1, 0, event), 0.05, 3.0);
  EXPECT_NEAR(over.At(2.0)[0].speed, 10.0, 1e-12);
  EXPECT_NEAR(over.At(2.0)[0].x, 30.0, 1e-9);
}

TEST(ControllerAccTest, DeactivationLeavesTheEntityToItsActions) {
  // the controller is switched off at t = 1 at 13.5 m/s (3.5 m/s^2 from 10 towards 30): the entity keeps
  // that speed and moves as its actions say
  const std::string off =
      Event("off", "<PrivateAction><ActivateControllerAction longitudinal=\"false\"/></PrivateAction>",
            Trigger(TimeCondition(1.0)));
  const std::string acc = Controller("ACCController", Property("mode", "override") + Property("setSpeed", "30"));
  const PlayResult r = PlayFile(Scene("acc_off", acc, 10.0, 10.0, -1, 0, off), 0.05, 3.0);
  EXPECT_NEAR(r.At(1.0)[0].speed, 13.5, 1e-9);
  EXPECT_NEAR(r.At(3.0)[0].speed, 13.5, 1e-9);
  EXPECT_NEAR(r.At(3.0)[0].x - r.At(2.0)[0].x, 13.5, 1e-9);
}

TEST(ControllerAccTest, PropertiesNotSimulatedAreReportedAtTheirPlace) {
  // an unknown property is a warning (esmini does not read it); `virtual` true and an unknown mode are
  // errors; activating the lateral domain warns (ACC drives the longitudinal one only)
  const std::string unknown = Scene("acc_unknown", Controller("ACCController", Property("logLevel", "2")), 10, 10, -1, 0);
  const openscenario::Scenario sc = openscenario::LoadScenario(unknown);
  ASSERT_EQ(sc.warnings.size(), 1u);
  EXPECT_EQ(sc.warnings[0].pos.file, unknown);
  EXPECT_GT(sc.warnings[0].pos.line, 1);
  EXPECT_NE(sc.warnings[0].message.find("property 'logLevel' is ignored"), std::string::npos);
  EXPECT_NE(LoadErrors(Scene("acc_virtual", Controller("ACCController", Property("virtual", "true")), 10, 10, -1, 0))
                .find("property 'virtual' = true is not supported"),
            std::string::npos);
  EXPECT_NE(LoadErrors(Scene("acc_mode", Controller("ACCController", Property("mode", "fast")), 10, 10, -1, 0))
                .find("'fast'"),
            std::string::npos);
  const openscenario::Scenario lat = openscenario::LoadScenario(
      Scene("acc_lat", Controller("ALKSController", Property("mode", "override")), 10, 10, -1, 0, "", "true"));
  ASSERT_EQ(lat.warnings.size(), 1u);
  EXPECT_NE(lat.warnings[0].message.find("the lateral domain is not activated"), std::string::npos);
  // with controllers disabled (esmini's --disable_controllers) the activation is ignored
  const openscenario::Scenario disabled = openscenario::LoadScenario(
      Scene("acc_disabled", Controller("ACCController", ""), 10, 10, -1, 0), {}, {.disable_controllers = true});
  ASSERT_EQ(disabled.warnings.size(), 1u);
  EXPECT_NE(disabled.warnings[0].message.find("controllers are disabled"), std::string::npos);
}

TEST(ControllerAccTest, AssignControllerActionReplacesAndActivates) {
  // an AssignControllerAction at t = 1 gives the Ego an ACC (override, setSpeed 30) and activates it: from
  // 10 m/s it climbs at 3.5 m/s^2
  const std::string assign =
      Event("assign",
            "<PrivateAction><ControllerAction><AssignControllerAction activateLongitudinal=\"true\">" +
                Controller("ACCController", Property("mode", "override") + Property("setSpeed", "30")) +
                "</AssignControllerAction></ControllerAction></PrivateAction>",
            Trigger(TimeCondition(1.0)));
  XoscParts p;
  p.road = StraightRoad();
  p.entities = AccCar("Ego", "");
  p.init = Place("Ego", LanePos(-1, 10.0), 10.0);
  p.stories = Story("Ego", assign);
  const PlayResult r = PlayFile(WriteXosc("acc_assign", Xosc(p)), 0.05, 3.0);
  EXPECT_NEAR(r.At(1.0)[0].speed, 10.0, 1e-12);
  EXPECT_NEAR(r.At(2.0)[0].speed, 10.0 + 0.175 * 20, 1e-9);
}

}  // namespace
}  // namespace gauntlet::test
