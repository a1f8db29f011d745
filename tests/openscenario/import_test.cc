// openscenario::ImportScenario: what becomes a sim world, and every refusal at its element.

#include "openscenario/import.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

using openscenario::ImportScenario;

/// Expects the call to throw a core::InputError holding each of `expected`.
void ExpectRefused(const std::string& path, const std::vector<std::string>& expected) {
  const std::string what = InputErrors([&] { (void)ImportScenario(path); });
  for (const auto& x : expected) EXPECT_NE(what.find(x), std::string::npos) << "missing: " << x << "\nin:\n" << what;
}

std::string Lanes(const std::string& right) {
  return "<lanes><laneSection s=\"0\"><center><lane id=\"0\" type=\"none\"/></center><right>\n" + right +
         "</right></laneSection></lanes>\n";
}
std::string Lane(int id, const std::string& width, const std::string& type = "driving") {
  return "<lane id=\"" + std::to_string(id) + "\" type=\"" + type + "\"><width sOffset=\"0\" " + width + "/></lane>\n";
}

TEST(ImportTest, RoadsThatSimCannotHoldAreRefusedAtTheirElements) {
  const std::string dir = FreshDir("import_roads");
  std::ofstream(dir + "/roads.xodr")
      << "<?xml version=\"1.0\"?>\n<OpenDRIVE>\n<header revMajor=\"1\" revMinor=\"6\"/>\n"                          // 1-3
         "<road id=\"a\" length=\"20\" junction=\"-1\"><planView>\n"                                                    // 4
         "<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><line/></geometry>\n"                                 // 5
         "<geometry s=\"10\" x=\"10\" y=\"0\" hdg=\"0\" length=\"10\"><spiral curvStart=\"0\" curvEnd=\"0.01\"/></geometry>\n"  // 6
         "</planView>\n" + Lanes(Lane(-1, "a=\"3\" b=\"0\" c=\"0\" d=\"0\"")) +                                         // 7-10
         "</road>\n"                                                                                                     // 11
         "<road id=\"b\" length=\"20\" junction=\"-1\"><planView>\n"                                                    // 12
         "<geometry s=\"0\" x=\"0\" y=\"100\" hdg=\"0\" length=\"20\"><line/></geometry>\n"                               // 13
         "</planView>\n" + Lanes(Lane(-1, "a=\"3\" b=\"0.1\" c=\"0\" d=\"0\"")) +                                       // 14-17 (lane at 16)
         "</road>\n"                                                                                                     // 18
         "<road id=\"c\" length=\"20\" junction=\"-1\"><planView>\n"                                                    // 19
         "<geometry s=\"0\" x=\"0\" y=\"200\" hdg=\"0\" length=\"20\"><line/></geometry>\n"                               // 20
         "</planView>\n" + Lanes(Lane(-1, "a=\"3.5\" b=\"0\" c=\"0\" d=\"0\"") + Lane(-2, "a=\"3\" b=\"0\" c=\"0\" d=\"0\"")) +  // 21-25 (-2 at 24)
         "</road>\n"                                                                                                     // 26
         "<road id=\"d\" length=\"20\" junction=\"-1\"><planView>\n"                                                    // 27
         "<geometry s=\"0\" x=\"0\" y=\"300\" hdg=\"0\" length=\"10\"><line/></geometry>\n"                               // 28
         "<geometry s=\"10\" x=\"10\" y=\"301\" hdg=\"0\" length=\"10\"><line/></geometry>\n"                              // 29
         "</planView>\n" + Lanes(Lane(-1, "a=\"3\" b=\"0\" c=\"0\" d=\"0\"")) +                                         // 30-33
         "</road>\n"                                                                                                     // 34
         "<road id=\"e\" length=\"20\" junction=\"-1\"><planView>\n"                                                    // 35
         "<geometry s=\"0\" x=\"0\" y=\"400\" hdg=\"0\" length=\"20\"><line/></geometry>\n"                               // 36
         "</planView>\n" + Lanes(Lane(-1, "a=\"3\" b=\"0\" c=\"0\" d=\"0\"") + Lane(-2, "a=\"1\" b=\"0\" c=\"0\" d=\"0\"", "shoulder") +
                                 Lane(-3, "a=\"3\" b=\"0\" c=\"0\" d=\"0\"")) +                                        // 37-42 (-3 at 41)
         "</road>\n</OpenDRIVE>\n";
  const std::string xosc = dir + "/s.xosc";
  std::ofstream(xosc) << Xosc({.road = "roads.xodr",
                               .entities = Car("Ego") + Car("Other"),
                               .init = Place("Ego", "<WorldPosition x=\"0\" y=\"-50\" h=\"0\"/>", 0) +
                                       Place("Other", "<WorldPosition x=\"20\" y=\"-50\" h=\"0\"/>", 0)});
  ExpectRefused(xosc, {"roads.xodr:6:1: error: spiral geometry of road 'a' cannot be expressed",
                       "roads.xodr:16:1: error: lane -1 of road 'b' has a varying width",
                       "roads.xodr:24:1: error: lane -2 of road 'c' is 3 m wide, lane -1 3.5 m",
                       "roads.xodr:29:1: error: geometry at s = 10 of road 'd' does not start where the previous one ends",
                       "roads.xodr:41:1: error: lane -3 of road 'e' is separated from the driving lanes"});
}

/// A scenario on esmini's straight road: `ego` (10 m/s) at s = 10 and Target (`target_speed`) at s = 60,
/// both on lane -1, with `stories`.
std::string OnStraightRoad(const std::string& name, const std::string& ego, double target_speed, const std::string& stories,
                           const std::string& stop = Trigger(TimeCondition(30.0, "greaterOrEqual"), "StopTrigger")) {
  return WriteXosc(name, Xosc({.road = StraightRoad(),
                               .entities = Car(ego) + Car("Target"),
                               .init = Place(ego, "<LanePosition roadId=\"1\" laneId=\"-1\" s=\"10\" offset=\"0\"/>", 10) +
                                       Place("Target", "<LanePosition roadId=\"1\" laneId=\"-1\" s=\"60\" offset=\"0\"/>",
                                             target_speed),
                               .stories = stories,
                               .stop = stop}));
}

TEST(ImportTest, EventsSimCannotExpressAreRefusedAllAtOnce) {
  const std::string relative =
      "<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape=\"step\" value=\"0\" "
      "dynamicsDimension=\"time\"/><SpeedActionTarget><RelativeTargetSpeed entityRef=\"Ego\" value=\"1\" "
      "speedTargetValueType=\"delta\" continuous=\"false\"/></SpeedActionTarget></SpeedAction></LongitudinalAction>"
      "</PrivateAction>";
  const std::string close =
      "<StartTrigger><ConditionGroup><Condition name=\"close\" delay=\"0\" conditionEdge=\"none\"><ByEntityCondition>"
      "<TriggeringEntities triggeringEntitiesRule=\"any\"><EntityRef entityRef=\"Ego\"/></TriggeringEntities>"
      "<EntityCondition><RelativeDistanceCondition entityRef=\"Target\" value=\"20\" freespace=\"false\" "
      "rule=\"lessThan\" relativeDistanceType=\"cartesianDistance\" coordinateSystem=\"entity\"/></EntityCondition>"
      "</ByEntityCondition></Condition></ConditionGroup></StartTrigger>";
  const std::string path = OnStraightRoad(
      "import_events", "Ego", 10,
      Story("Target", Event("rel", relative, Trigger(TimeCondition(1.0))) +
                          Event("cubic", SpeedTo(5, "cubic", "time", 2), Trigger(TimeCondition(2.0))) +
                          Event("near", SpeedTo(5, "linear", "time", 2), close) +
                          Event("again", SpeedTo(5, "linear", "time", 2), Trigger(TimeCondition(3.0)),
                                "priority=\"override\" maximumExecutionCount=\"2\"")));
  ExpectRefused(path, {"a SpeedAction relative to another entity cannot be expressed",
                       "a SpeedAction with a cubic or sinusoidal shape cannot be expressed",
                       "RelativeDistance between 'Target' and 'Ego' cannot be expressed: the player measures between "
                       "reference points, sim between box centres",
                       "Event 'again' may run more than once"});
  try {
    (void)ImportScenario(path);
  } catch (const core::InputError& e) {
    for (const core::Diagnostic& d : e.diagnostics()) {
      EXPECT_NE(d.pos.file.find("import_events.xosc"), std::string::npos) << d.Format();
      EXPECT_GT(d.pos.line, 0) << d.Format();
      EXPECT_GT(d.pos.col, 0) << d.Format();
    }
  }
}

TEST(ImportTest, SpeedEventsBecomeBehavioursWithTheirTriggers) {
  const std::string path =
      OnStraightRoad("import_ok", "hero", 12,
                     Story("Target", Event("slow", SpeedTo(5, "linear", "time", 2), Trigger(TimeCondition(1.0))) +
                                         Event("stop", SpeedTo(0, "step", "time", 0), Trigger(TimeCondition(4.0, "greaterThan")))),
                     Trigger(TimeCondition(9.0, "greaterThan"), "StopTrigger"));
  const openscenario::ImportResult r = ImportScenario(path);
  EXPECT_EQ(r.ego, "hero");  // no entity named Ego or ego: hero
  EXPECT_EQ(r.others, std::vector<std::string>{"Target"});
  ASSERT_EQ(r.world.actors.size(), 2u);
  EXPECT_DOUBLE_EQ(r.world.duration_s, 9.05);  // the first step after 9 s
  EXPECT_EQ(r.world.time_step_s, 0.05);
  const sim::ActorSpec& t = r.world.actors[1];
  EXPECT_EQ(t.lane, "road1_fwd:0");
  EXPECT_NEAR(t.s_m, 61.3, 1e-9);  // the reference point at s = 60, the box centre 1.3 m ahead
  EXPECT_EQ(t.speed_mps, 12.0);
  ASSERT_EQ(t.behaviours.size(), 2u);
  const auto& slow = std::get<sim::SpeedProfile>(t.behaviours[0]);
  EXPECT_EQ(slow.name, "slow");
  ASSERT_EQ(slow.points.size(), 1u);
  EXPECT_EQ(slow.points[0].time_s, 2.0);
  EXPECT_EQ(slow.points[0].speed_mps, 5.0);
  EXPECT_EQ(slow.trigger->time_s, 1.0);
  const auto& stop = std::get<sim::KeepSpeed>(t.behaviours[1]);
  EXPECT_EQ(stop.speed_mps, 0.0);
  EXPECT_EQ(stop.trigger->time_s, 4.025);  // greaterThan a step time: the first step after it
  EXPECT_TRUE(sim::Validate(r.world).empty());
  // --ego and the time step
  const openscenario::ImportResult other = ImportScenario(path, {.ego = "Target", .time_step = 0.1, .duration = 3.0});
  EXPECT_EQ(other.ego, "Target");
  EXPECT_TRUE(other.world.actors[1].ego);
  EXPECT_TRUE(other.world.actors[1].behaviours.empty());
  EXPECT_EQ(other.world.duration_s, 3.0);
  bool warned = false;
  for (const auto& w : other.warnings) warned = warned || w.message.find("Event 'slow' acts on the ego 'Target'") == 0;
  EXPECT_TRUE(warned);
}

TEST(ImportTest, ActorNames) {
  EXPECT_EQ(openscenario::ActorName("Ego"), "Ego");
  EXPECT_EQ(openscenario::ActorName("Over Taker-1"), "Over_Taker_1");
  EXPECT_EQ(openscenario::ActorName("1st"), "_1st");
  EXPECT_EQ(openscenario::ActorName(""), "_");
}

}  // namespace
}  // namespace gauntlet::test
