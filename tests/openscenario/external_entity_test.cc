// An entity driven from outside (PlayOptions::external, as esmini's ExternalController): the storyboard's
// conditions see the state set with SetExternalState, collisions with it are found at the time it is
// set, and the storyboard's actions on it are not applied (a warning at the action, once).

#include <gtest/gtest.h>

#include <stdexcept>

#include "core/error.h"
#include "openscenario/expression.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

using openscenario::EntityState;
using openscenario::LoadScenario;
using openscenario::Player;

std::string World(double x, double y) {
  return "<WorldPosition x=\"" + openscenario::FormatNumber(x) + "\" y=\"" + openscenario::FormatNumber(y) + "\" h=\"0\"/>";
}

std::string SpeedCondition(const std::string& entity, double value) {
  return "<Condition name=\"fast\" delay=\"0\" conditionEdge=\"rising\"><ByEntityCondition><TriggeringEntities "
         "triggeringEntitiesRule=\"any\"><EntityRef entityRef=\"" +
         entity + "\"/></TriggeringEntities><EntityCondition><SpeedCondition value=\"" +
         openscenario::FormatNumber(value) + "\" rule=\"greaterThan\"/></EntityCondition></ByEntityCondition></Condition>";
}

// The Ego (external) speeds up at 2 m/s^2 from x = 0; the Target, 100 m ahead, starts driving at 10 m/s
// when the Ego is faster than 5 m/s (2 t > 5: the first step is t = 2.55); the Ego's own storyboard
// brakes it at t = 1, which is not applied.
XoscParts Chase() {
  XoscParts p;
  p.entities = Car("Ego") + Car("Target");
  p.init = Place("Ego", World(0, 0), 0.0) + Place("Target", World(100, 0), 0.0);
  p.stories = "<Story name=\"target_story\"><Act name=\"go_act\"><ManeuverGroup name=\"tg\" maximumExecutionCount=\"1\">"
              "<Actors selectTriggeringEntities=\"false\"><EntityRef entityRef=\"Target\"/></Actors><Maneuver name=\"tm\">" +
              Event("go", SpeedTo(10.0, "step", "time", 0.0), Trigger(SpeedCondition("Ego", 5.0))) +
              "</Maneuver></ManeuverGroup>" + Trigger(TimeCondition(0.0)) + "</Act></Story>" +
              Story("Ego", Event("brake", SpeedTo(0.0, "linear", "time", 2.0), Trigger(TimeCondition(1.0))));
  p.stop = Trigger(TimeCondition(6.0), "StopTrigger");
  return p;
}

EntityState Driven(double t) { return {t * t, 0.0, 0.0, 2.0 * t}; }

TEST(ExternalEntityTest, ConditionsSeeTheSetStateAndActionsOnItAreNotApplied) {
  const XoscParts parts = Chase();
  const std::string path = WriteXosc("external_chase", Xosc(parts));
  const openscenario::Scenario sc = LoadScenario(path);
  Player player(sc, {.time_step = 0.05, .external = "Ego"});
  player.Start();
  std::vector<std::string> lines;
  std::vector<openscenario::Warning> warnings;
  for (int k = 0; k <= 200 && !player.finished(); ++k) {
    const double t = player.time();
    player.SetExternalState(Driven(t));
    EXPECT_EQ(player.States()[0].x, Driven(t).x);  // the set state is the entity's state
    EXPECT_EQ(player.States()[0].speed, Driven(t).speed);
    player.Step();
    for (auto& l : player.TakeLines()) lines.push_back(l);
    for (auto& w : player.TakeWarnings()) warnings.push_back(w);
    if (!player.finished()) {
      // the Target starts moving in the step after its event starts at 2.55
      const double target_x = 100.0 + 10.0 * std::max(0.0, player.time() - 2.55);
      EXPECT_NEAR(player.States()[1].x, target_x, 1e-9) << player.time();
    }
  }
  const std::vector<std::string> expected = {"1.000: event brake start", "1.000: event brake end",
                                             "2.550: event go start", "2.550: event go end", "6.000: storyboard stop"};
  EXPECT_EQ(lines, expected);
  // the Ego's brake is not applied: one warning, at the action
  ASSERT_EQ(warnings.size(), 1u);
  const std::string stories = parts.stories;
  const size_t col = stories.find("<SpeedAction", stories.find("<Action name=\"brake_action\"")) + 1;  // the action's element
  EXPECT_EQ(warnings[0].Format(), path + ":10:" + std::to_string(col) +
                                      ": warning: action 'brake_action' on 'Ego' is not applied: the entity is driven "
                                      "externally (by the model)");
  EXPECT_FALSE(player.collided());
}

TEST(ExternalEntityTest, CollisionsWithTheExternalEntityAreFoundWhenItsStateIsSet) {
  // NCAP CCRs (player_test's golden): the Ego at 50 + 20/3.6 t reaches the stationary Target's box at 4.250 s
  XoscParts p;
  p.entities = Car("Ego") + Car("Target");
  p.init = Place("Ego", World(50, -14), 20.0 / 3.6) + Place("Target", World(77.778, -14), 0.0);
  p.stop = Trigger(TimeCondition(8.0), "StopTrigger");
  const openscenario::Scenario sc = LoadScenario(WriteXosc("external_ccrs", Xosc(p)));
  Player player(sc, {.time_step = 0.05, .external = "Ego"});
  player.Start();
  std::vector<std::string> lines;
  while (!player.finished()) {
    const double t = player.time();
    player.SetExternalState({50.0 + t * 20.0 / 3.6, -14.0, 0.0, 20.0 / 3.6});
    for (auto& l : player.TakeLines()) lines.push_back(l);
    player.Step();
    for (auto& l : player.TakeLines()) lines.push_back(l);
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "4.250: collision Ego Target");
  EXPECT_EQ(lines[1], "8.000: storyboard stop");
  EXPECT_TRUE(player.collided());
}

TEST(ExternalEntityTest, AnInitTransitionOfTheExternalEntityIsNotAppliedAndUnknownNamesAreRefused) {
  XoscParts p;
  p.entities = Car("Ego") + Car("Target");
  p.init = Place("Ego", World(0, 0), 10.0) + Place("Target", World(50, 0), 0.0) +
           "<Private entityRef=\"Ego\">" + SpeedTo(0.0, "linear", "time", 3.0) + "</Private>";
  const std::string path = WriteXosc("external_init", Xosc(p));
  const openscenario::Scenario sc = LoadScenario(path);
  Player player(sc, {.time_step = 0.05, .external = "Ego"});
  player.Start();
  EXPECT_EQ(player.States()[0].speed, 10.0);  // the Init teleport and step speed set its start
  const auto warnings = player.TakeWarnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].message.find("is not applied"), std::string::npos);
  player.SetExternalState({0.0, 0.0, 0.0, 10.0});
  player.Step();
  EXPECT_EQ(player.States()[0].speed, 10.0);  // not braked by the Init transition
  EXPECT_THROW(Player(sc, {.time_step = 0.05, .external = "Nobody"}), core::InputError);
  Player plain(sc, {.time_step = 0.05});
  EXPECT_THROW(plain.SetExternalState({}), std::logic_error);
}

}  // namespace
}  // namespace gauntlet::test
