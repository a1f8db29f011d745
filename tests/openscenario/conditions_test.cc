// Every condition kind on a small scenario whose trigger time is worked out by hand: the Ego drives
// lane -1 of a straight road (x = s) at 10 m/s from x = 0, the Lead stands at x = 100. Both boxes are
// 4.3 m long with their centre 1.3 m ahead of the reference point: the Ego's front is at x + 3.45,
// the Lead's rear at 99.15, so the free space between them is 95.7 - 10 t.

#include <gtest/gtest.h>

#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

std::string LanePos(double s) {
  return "<LanePosition roadId=\"1\" laneId=\"-1\" s=\"" + std::to_string(s) + "\" offset=\"0\"/>";
}

std::string ByEntity(const std::string& entity_condition, const std::string& edge = "none") {
  return "<Condition name=\"c\" delay=\"0\" conditionEdge=\"" + edge +
         "\"><ByEntityCondition><TriggeringEntities triggeringEntitiesRule=\"any\"><EntityRef entityRef=\"Ego\"/>"
         "</TriggeringEntities><EntityCondition>" +
         entity_condition + "</EntityCondition></ByEntityCondition></Condition>";
}

const std::string kNoop =
    "<GlobalAction><ParameterAction parameterRef=\"Dummy\"><SetAction value=\"1\"/></ParameterAction></GlobalAction>";

/// The lines of a run where event "hit" starts when `condition` holds; `before` are events listed first.
PlayResult RunHit(const std::string& name, const std::string& condition, const std::string& before = "",
               double ego_s = 0.0, double duration = 12.0) {
  XoscParts p;
  p.parameters = "<ParameterDeclaration name=\"Dummy\" parameterType=\"integer\" value=\"0\"/>"
                 "<ParameterDeclaration name=\"Flag\" parameterType=\"integer\" value=\"0\"/>";
  p.road = StraightRoad();
  p.entities = Car("Ego") + Car("Lead");
  p.init = Place("Ego", LanePos(ego_s), 10.0) + Place("Lead", LanePos(100), 0.0);
  p.stories = Story("Ego", before + Event("hit", kNoop, Trigger(condition)));
  std::string text = Xosc(p);
  const size_t at = text.find("<CatalogLocations>");
  text.insert(at, "<VariableDeclarations><VariableDeclaration name=\"Var\" variableType=\"integer\" value=\"0\"/>"
                  "</VariableDeclarations>\n");
  return PlayFile(WriteXosc(name, text), 0.05, duration);
}

std::string HitStart(const PlayResult& r) {
  for (const auto& l : r.lines)
    if (l.ends_with("event hit start")) return l.substr(0, l.find(':'));
  return "never";
}

TEST(ConditionsTest, TraveledDistance) {
  EXPECT_EQ(HitStart(RunHit("traveled", ByEntity("<TraveledDistanceCondition value=\"25\"/>"))), "2.500");
}

TEST(ConditionsTest, ReachPosition) {
  // |x - 60| < 1 first at x = 59.5
  EXPECT_EQ(HitStart(RunHit("reach", ByEntity("<ReachPositionCondition tolerance=\"1\"><Position>" + LanePos(60) +
                                           "</Position></ReachPositionCondition>"))),
            "5.950");
}

TEST(ConditionsTest, DistanceToAPosition) {
  // 100 - 10 t < 20 from t = 8.05
  EXPECT_EQ(HitStart(RunHit("distance", ByEntity("<DistanceCondition value=\"20\" freespace=\"false\" rule=\"lessThan\" "
                                              "relativeDistanceType=\"cartesianDistance\" coordinateSystem=\"entity\">"
                                              "<Position>" + LanePos(100) + "</Position></DistanceCondition>"))),
            "8.050");
}

TEST(ConditionsTest, RelativeDistanceFreespaceAndCoordinateSystems) {
  auto rel = [](const std::string& cs, const std::string& freespace, const std::string& type) {
    return ByEntity("<RelativeDistanceCondition entityRef=\"Lead\" value=\"10\" freespace=\"" + freespace +
                    "\" rule=\"lessThan\" relativeDistanceType=\"" + type + "\" coordinateSystem=\"" + cs + "\"/>");
  };
  // free space 95.7 - 10 t < 10 from t = 8.6; between reference points 100 - 10 t < 10 from t = 9.05
  EXPECT_EQ(HitStart(RunHit("rel_entity_free", rel("entity", "true", "longitudinal"))), "8.600");
  EXPECT_EQ(HitStart(RunHit("rel_road_free", rel("road", "true", "longitudinal"))), "8.600");
  EXPECT_EQ(HitStart(RunHit("rel_lane_free", rel("lane", "true", "longitudinal"))), "8.600");
  EXPECT_EQ(HitStart(RunHit("rel_entity", rel("entity", "false", "longitudinal"))), "9.050");
  EXPECT_EQ(HitStart(RunHit("rel_euclid_free", rel("entity", "true", "euclideanDistance"))), "8.600");
  // laterally they are 0 apart (the same lane): lateral < 10 from the start
  EXPECT_EQ(HitStart(RunHit("rel_lateral", rel("entity", "false", "lateral"))), "0.000");
}

TEST(ConditionsTest, TimeHeadwayAndTimeToCollision) {
  // headway (95.7 - 10 t) / 10 < 2 from t = 7.6
  EXPECT_EQ(HitStart(RunHit("headway", ByEntity("<TimeHeadwayCondition entityRef=\"Lead\" value=\"2\" freespace=\"true\" "
                                             "rule=\"lessThan\" coordinateSystem=\"entity\" "
                                             "relativeDistanceType=\"longitudinal\"/>"))),
            "7.600");
  // the Lead stands: time to collision (95.7 - 10 t) / 10 < 3 from t = 6.6
  EXPECT_EQ(HitStart(RunHit("ttc", ByEntity("<TimeToCollisionCondition value=\"3\" freespace=\"true\" rule=\"lessThan\" "
                                         "relativeDistanceType=\"longitudinal\" coordinateSystem=\"entity\">"
                                         "<TimeToCollisionConditionTarget><EntityRef entityRef=\"Lead\"/>"
                                         "</TimeToCollisionConditionTarget></TimeToCollisionCondition>"))),
            "6.600");
}

const std::string kAccelerate =
    Event("accelerate", SpeedTo(20.0, "linear", "time", 2.0), Trigger(TimeCondition(1.0)));

TEST(ConditionsTest, SpeedRelativeSpeedAndAcceleration) {
  // from t = 1 the speed is 10 + 5 (t - 1): > 15 from t = 2.05; minus the Lead's 0 > 12 from t = 1.45
  EXPECT_EQ(HitStart(RunHit("speed", ByEntity("<SpeedCondition value=\"15\" rule=\"greaterThan\"/>"), kAccelerate)), "2.050");
  EXPECT_EQ(HitStart(RunHit("relspeed", ByEntity("<RelativeSpeedCondition entityRef=\"Lead\" value=\"12\" rule=\"greaterThan\"/>"),
                         kAccelerate)),
            "1.450");
  // the acceleration (5 m/s^2) shows after the first step of the transition
  EXPECT_EQ(HitStart(RunHit("accel", ByEntity("<AccelerationCondition value=\"4\" rule=\"greaterThan\"/>"), kAccelerate)),
            "1.050");
}

TEST(ConditionsTest, Collision) {
  // the boxes touch when x + 3.45 >= 99.15: x = 96 at t = 9.6
  const PlayResult r = RunHit("collision", ByEntity("<CollisionCondition><EntityRef entityRef=\"Lead\"/></CollisionCondition>"));
  EXPECT_TRUE(r.Printed("9.600: collision Ego Lead"));
  EXPECT_EQ(HitStart(r), "9.600");
  EXPECT_EQ(HitStart(RunHit("collision_type", ByEntity("<CollisionCondition><ByType objectType=\"vehicle\"/></CollisionCondition>"))),
            "9.600");
}

TEST(ConditionsTest, ParameterAndVariable) {
  const std::string set = Event("set",
                                "<GlobalAction><ParameterAction parameterRef=\"Flag\"><SetAction value=\"3\"/>"
                                "</ParameterAction></GlobalAction>",
                                Trigger(TimeCondition(1.0)));
  const std::string param =
      "<Condition name=\"p\" delay=\"0\" conditionEdge=\"none\"><ByValueCondition><ParameterCondition "
      "parameterRef=\"Flag\" value=\"3\" rule=\"equalTo\"/></ByValueCondition></Condition>";
  EXPECT_EQ(HitStart(RunHit("param", param, set)), "1.000");  // set earlier in the same evaluation
  const std::string add = Event("add",
                                "<GlobalAction><VariableAction variableRef=\"Var\"><ModifyAction><Rule><AddValue "
                                "value=\"2\"/></Rule></ModifyAction></VariableAction></GlobalAction>",
                                Trigger(TimeCondition(2.0)));
  const std::string var =
      "<Condition name=\"v\" delay=\"0\" conditionEdge=\"none\"><ByValueCondition><VariableCondition "
      "variableRef=\"Var\" value=\"1.5\" rule=\"greaterThan\"/></ByValueCondition></Condition>";
  EXPECT_EQ(HitStart(RunHit("variable", var, add)), "2.000");
}

TEST(ConditionsTest, StandStillAndEndOfRoad) {
  auto lead = [](const std::string& c) {
    return "<Condition name=\"c\" delay=\"0\" conditionEdge=\"none\"><ByEntityCondition><TriggeringEntities "
           "triggeringEntitiesRule=\"any\"><EntityRef entityRef=\"Lead\"/></TriggeringEntities><EntityCondition>" +
           c + "</EntityCondition></ByEntityCondition></Condition>";
  };
  // the Lead stands from the start: as esmini (a timestamp of 0 counts as none) its standstill is
  // stamped at the first step's end, 0.05; the accumulated time 2.05 is 2.000000000000001 past it > 2
  EXPECT_EQ(HitStart(RunHit("standstill", lead("<StandStillCondition duration=\"2\"/>"))), "2.050");
  // the Ego starts 10 m before the road's end (s = 500): it is there at t = 1 and cannot go on
  const PlayResult r = RunHit("endofroad", ByEntity("<EndOfRoadCondition duration=\"0.5\"/>"), "", 490.0, 3.0);
  EXPECT_EQ(HitStart(r), "1.550");
}

TEST(ConditionsTest, StoryboardElementState) {
  // A ends in the step to 2.0 (1 s from t = 1); its completion is seen at the next evaluation
  const std::string a = Event("A", SpeedTo(20.0, "linear", "time", 1.0), Trigger(TimeCondition(1.0)));
  auto state = [](const std::string& s) {
    return "<Condition name=\"s\" delay=\"0\" conditionEdge=\"none\"><ByValueCondition><StoryboardElementStateCondition "
           "storyboardElementType=\"event\" storyboardElementRef=\"A\" state=\"" +
           s + "\"/></ByValueCondition></Condition>";
  };
  EXPECT_EQ(HitStart(RunHit("state_complete", state("completeState"), a)), "2.000");
  EXPECT_EQ(HitStart(RunHit("state_end", state("endTransition"), a)), "2.000");
  EXPECT_EQ(HitStart(RunHit("state_running", state("runningState"), a)), "1.000");
  EXPECT_EQ(HitStart(RunHit("state_start", state("startTransition"), a)), "1.000");
}

TEST(ConditionsTest, StoryboardElementStateOfAnActionDoneAtOnce) {
  // A teleports at t = 1: done at once, it still ends only when the actions are stepped, after every
  // trigger of the step (esmini's TeleportAction ends in its Step), so its completion is seen at the next
  // evaluation, 1.05, even by a trigger evaluated after A's; its start in the same evaluation
  const std::string teleport =
      "<PrivateAction><TeleportAction><Position>" + LanePos(200.0) + "</Position></TeleportAction></PrivateAction>";
  const std::string a = Event("A", teleport, Trigger(TimeCondition(1.0)));
  auto state = [](const std::string& s) {
    return "<Condition name=\"s\" delay=\"0\" conditionEdge=\"none\"><ByValueCondition><StoryboardElementStateCondition "
           "storyboardElementType=\"event\" storyboardElementRef=\"A\" state=\"" +
           s + "\"/></ByValueCondition></Condition>";
  };
  EXPECT_EQ(HitStart(RunHit("instant_complete", state("completeState"), a)), "1.050");
  EXPECT_EQ(HitStart(RunHit("instant_end", state("endTransition"), a)), "1.050");
  EXPECT_EQ(HitStart(RunHit("instant_start", state("startTransition"), a)), "1.000");
  const PlayResult r = RunHit("instant_lines", state("completeState"), a);
  EXPECT_TRUE(r.Printed("1.000: event A end")) << ::testing::PrintToString(r.lines);
}

TEST(ConditionsTest, AllTriggeringEntitiesAndGroups) {
  // rule all: the Lead never travels, so "all traveled 25 m" never holds; a second group ORs
  const std::string all =
      "<Condition name=\"c\" delay=\"0\" conditionEdge=\"none\"><ByEntityCondition><TriggeringEntities "
      "triggeringEntitiesRule=\"all\"><EntityRef entityRef=\"Ego\"/><EntityRef entityRef=\"Lead\"/></TriggeringEntities>"
      "<EntityCondition><TraveledDistanceCondition value=\"25\"/></EntityCondition></ByEntityCondition></Condition>";
  EXPECT_EQ(HitStart(RunHit("all", all)), "never");
  XoscParts p;
  const PlayResult r = RunHit("groups", all + "</ConditionGroup><ConditionGroup>" + TimeCondition(3.0));
  EXPECT_EQ(HitStart(r), "3.000");
}

}  // namespace
}  // namespace gauntlet::test
