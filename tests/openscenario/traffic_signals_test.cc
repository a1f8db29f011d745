// Traffic signals: RoadNetwork TrafficSignalControllers with their phases, TrafficSignalCondition,
// TrafficSignalControllerCondition, TrafficSignalStateAction and TrafficSignalControllerAction. The
// times of the events are worked out by hand from the phase durations (docs/openscenario.md).

#include <gtest/gtest.h>

#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

/// esmini's straight road with signs: signals with ids "0" to "18" on road "1".
std::string SignRoad() { return std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xodr/straight_500m_signs.xodr"; }

/// Controller C: phase "go" (3 s, signal 1 green), phase "stop" (2 s, signal 1 red); controller D is
/// delayed 1.5 s to C with the same phases on signal 2.
const std::string kControllers =
    "<TrafficSignals>"
    "<TrafficSignalController name=\"C\">"
    "<Phase name=\"go\" duration=\"3\"><TrafficSignalState trafficSignalId=\"1\" state=\"green\"/></Phase>"
    "<Phase name=\"stop\" duration=\"2\"><TrafficSignalState trafficSignalId=\"1\" state=\"red\"/></Phase>"
    "</TrafficSignalController>"
    "<TrafficSignalController name=\"D\" delay=\"1.5\" reference=\"C\">"
    "<Phase name=\"go\" duration=\"3\"><TrafficSignalState trafficSignalId=\"2\" state=\"green\"/></Phase>"
    "<Phase name=\"stop\" duration=\"2\"><TrafficSignalState trafficSignalId=\"2\" state=\"red\"/></Phase>"
    "</TrafficSignalController>"
    "</TrafficSignals>";

const std::string kNoop =
    "<GlobalAction><ParameterAction parameterRef=\"Dummy\"><SetAction value=\"1\"/></ParameterAction></GlobalAction>";

std::string SignalIs(const std::string& id, const std::string& state, const std::string& edge = "none") {
  return "<Condition name=\"sig\" delay=\"0\" conditionEdge=\"" + edge +
         "\"><ByValueCondition><TrafficSignalCondition name=\"" + id + "\" state=\"" + state +
         "\"/></ByValueCondition></Condition>";
}
std::string PhaseIs(const std::string& controller, const std::string& phase, const std::string& edge = "none") {
  return "<Condition name=\"ph\" delay=\"0\" conditionEdge=\"" + edge +
         "\"><ByValueCondition><TrafficSignalControllerCondition trafficSignalControllerRef=\"" + controller +
         "\" phase=\"" + phase + "\"/></ByValueCondition></Condition>";
}
std::string SetSignal(const std::string& id, const std::string& state) {
  return "<GlobalAction><InfrastructureAction><TrafficSignalAction><TrafficSignalStateAction name=\"" + id +
         "\" state=\"" + state + "\"/></TrafficSignalAction></InfrastructureAction></GlobalAction>";
}
std::string SetPhase(const std::string& controller, const std::string& phase) {
  return "<GlobalAction><InfrastructureAction><TrafficSignalAction><TrafficSignalControllerAction "
         "trafficSignalControllerRef=\"" + controller + "\" phase=\"" + phase +
         "\"/></TrafficSignalAction></InfrastructureAction></GlobalAction>";
}

std::string Text(const std::string& events, const std::string& init = "", const std::string& controllers = kControllers) {
  XoscParts p;
  p.parameters = "<ParameterDeclaration name=\"Dummy\" parameterType=\"integer\" value=\"0\"/>";
  p.road = SignRoad();
  p.entities = Car("Ego");
  p.init = Place("Ego", World(0, -1.535), 0.0) + init;
  p.stories = Story("Ego", events);
  std::string text = Xosc(p);
  const size_t at = text.find("</RoadNetwork>");
  text.insert(at, controllers);
  return text;
}

PlayResult RunSignals(const std::string& name, const std::string& events, const std::string& init = "",
               double duration = 15.0) {
  return PlayFile(WriteXosc(name, Text(events, init)), 0.05, duration);
}

/// The times (3 decimals) at which event `name` started.
std::vector<std::string> Starts(const PlayResult& r, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& l : r.lines)
    if (l.ends_with("event " + name + " start")) out.push_back(l.substr(0, l.find(':')));
  return out;
}

const std::string kThrice = "priority=\"parallel\" maximumExecutionCount=\"3\"";

TEST(TrafficSignalsTest, PhasesCycleFromTimeZero) {
  // C: go [0, 3), stop [3, 5), go [5, 8), stop [8, 10), ...; each rising edge of "stop" starts the event
  const PlayResult r = RunSignals("cycle", Event("stop", kNoop, Trigger(PhaseIs("C", "stop", "rising")), kThrice) +
                                        Event("red", kNoop, Trigger(SignalIs("1", "red", "rising")), kThrice) +
                                        Event("green", kNoop, Trigger(SignalIs("1", "green", "rising")), kThrice));
  EXPECT_EQ(Starts(r, "stop"), (std::vector<std::string>{"3.000", "8.000", "13.000"}));
  EXPECT_EQ(Starts(r, "red"), (std::vector<std::string>{"3.000", "8.000", "13.000"}));
  // green from t = 0: its rising edges are the returns to "go"
  EXPECT_EQ(Starts(r, "green"), (std::vector<std::string>{"5.000", "10.000"}));
}

TEST(TrafficSignalsTest, DelayShiftsTheCycleOfTheReferringController) {
  // D's first phase starts at 1.5: go [1.5, 4.5), stop [4.5, 6.5), go [6.5, 9.5), ...; before it the
  // cycle runs as if it had been going on: at t = 0 it is 3.5 s into a cycle, in phase stop [-0.5, 1.5)
  const PlayResult r = RunSignals("delay", Event("d_stop", kNoop, Trigger(PhaseIs("D", "stop")), kThrice) +
                                        Event("d_go", kNoop, Trigger(PhaseIs("D", "go", "rising")), kThrice) +
                                        Event("d_red", kNoop, Trigger(SignalIs("2", "red", "rising")), kThrice));
  ASSERT_FALSE(Starts(r, "d_stop").empty());
  EXPECT_EQ(Starts(r, "d_stop").front(), "0.000");
  EXPECT_EQ(Starts(r, "d_go"), (std::vector<std::string>{"1.500", "6.500", "11.500"}));
  // signal 2 is red from the start (the phase in force at t = 0 sets it), so its first rising edge is 4.5
  EXPECT_EQ(Starts(r, "d_red"), (std::vector<std::string>{"4.500", "9.500", "14.500"}));
}

TEST(TrafficSignalsTest, ControllerActionRestartsTheCycleAtItsPhase) {
  // at t = 1 C jumps to "stop" (until 3), then go [3, 6), stop [6, 8), go [8, 11)
  const PlayResult r =
      RunSignals("jump", Event("jump", SetPhase("C", "stop"), Trigger(TimeCondition(1.0))) +
                      Event("go", kNoop, Trigger(PhaseIs("C", "go", "rising")), kThrice) +
                      Event("red", kNoop, Trigger(SignalIs("1", "red", "rising")), kThrice),
          "", 12.0);
  EXPECT_EQ(Starts(r, "jump"), (std::vector<std::string>{"1.000"}));
  EXPECT_EQ(Starts(r, "go"), (std::vector<std::string>{"3.000", "8.000"}));
  // red from the jump on (set when the action starts at 1.0, seen by the later events of that pass), again at 6
  EXPECT_EQ(Starts(r, "red"), (std::vector<std::string>{"1.000", "6.000", "11.000"}));
}

TEST(TrafficSignalsTest, StateActionSetsASignalUntilAPhaseSetsItAgain) {
  // Init: signal 1 "off" (after the phase at t = 0 set it green); at t = 1 "flash"; C's phase stop sets
  // it red at 3
  const PlayResult r = RunSignals("state",
                           Event("flash", SetSignal("1", "flash"), Trigger(TimeCondition(1.0))) +
                               Event("off", kNoop, Trigger(SignalIs("1", "off"))) +
                               Event("seen", kNoop, Trigger(SignalIs("1", "flash"))) +
                               Event("red", kNoop, Trigger(SignalIs("1", "red"))) +
                               Event("signal5", kNoop, Trigger(SignalIs("5", "on"))),
                           SetSignal("1", "off") + SetSignal("5", "on"), 6.0);
  EXPECT_EQ(Starts(r, "off"), (std::vector<std::string>{"0.000"}));
  EXPECT_EQ(Starts(r, "seen"), (std::vector<std::string>{"1.000"}));  // a later event of the same pass sees it
  EXPECT_EQ(Starts(r, "red"), (std::vector<std::string>{"3.000"}));
  EXPECT_EQ(Starts(r, "signal5"), (std::vector<std::string>{"0.000"}));  // no controller touches signal 5
}

TEST(TrafficSignalsTest, TheEsminiTrafficLightsExamplePlays) {
  // esmini's traffic_lights.xosc: the Ego comes within 50 m of the light at s = 109 (from s = 10 at
  // 13.889 m/s: 109 - 50 - 10 = 49 m, t = 3.528 -> 3.55); yellow 3 s later switches it red
  const std::string path = std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xosc/traffic_lights.xosc";
  const PlayResult r = PlayFile(path, 0.05, 30.0);
  EXPECT_EQ(Starts(r, "StopLightEvent"), (std::vector<std::string>{"3.550"}));
  EXPECT_EQ(Starts(r, "StopOnRedEvent"), (std::vector<std::string>{"3.550"}));
  EXPECT_EQ(Starts(r, "StopLightEvent2"), (std::vector<std::string>{"6.550"}));
}

std::string ErrorsOf(const std::string& name, const std::string& text) {
  try {
    (void)openscenario::LoadScenario(WriteXosc(name, text));
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "";
}

TEST(TrafficSignalsTest, MalformedSignalsAreErrorsAtTheirPlace) {
  const std::string bad =
      "<TrafficSignals>"
      "<TrafficSignalController name=\"A\" delay=\"2\">"
      "<Phase name=\"p\" duration=\"0\"><TrafficSignalState trafficSignalId=\"99\" state=\"x\"/></Phase>"
      "</TrafficSignalController>"
      "<TrafficSignalController name=\"B\" reference=\"Q\"><Phase name=\"p\" duration=\"-1\"/></TrafficSignalController>"
      "<TrafficSignalController name=\"E\" reference=\"F\"><Phase name=\"p\" duration=\"1\"/></TrafficSignalController>"
      "<TrafficSignalController name=\"F\" reference=\"E\"><Phase name=\"p\" duration=\"1\"/>"
      "<Phase name=\"p\" duration=\"1\"/></TrafficSignalController>"
      "<TrafficSignalController name=\"G\"/>"
      "</TrafficSignals>";
  const std::string e = ErrorsOf("bad_signals", Text("", "", bad));
  for (const char* expected : {
           "TrafficSignalController: a delay needs a reference",
           "TrafficSignalState: the road network has no signal '99' (did you mean '9'?)",
           "TrafficSignalController: the durations of its phases add up to 0",
           "Phase: duration must not be negative",
           "TrafficSignalController: no controller named 'Q' to refer to",
           "the references of 'E' go round in a circle",
           "Phase: a second phase named 'p' in controller 'F'",
           "TrafficSignalController needs at least one Phase",
       })
    EXPECT_NE(e.find(expected), std::string::npos) << expected << "\n" << e;
  // references from the storyboard (with valid controllers)
  const std::string events = Event("a", SetPhase("C", "q"), Trigger(SignalIs("77", "on"))) +
                             Event("b", SetPhase("Z", "go"), Trigger(PhaseIs("C", "nope"))) +
                             Event("c", SetSignal("123", "on"), Trigger(PhaseIs("Y", "go")));
  const std::string e2 = ErrorsOf("bad_signal_refs", Text(events));
  for (const char* expected : {
           "TrafficSignalControllerAction: controller 'C' has no phase 'q'",
           "TrafficSignalCondition: the road network has no signal '77'",
           "TrafficSignalControllerAction: no TrafficSignalController named 'Z'",
           "TrafficSignalControllerCondition: controller 'C' has no phase 'nope'",
           "TrafficSignalStateAction: the road network has no signal '123'",
           "TrafficSignalControllerCondition: no TrafficSignalController named 'Y'",
       })
    EXPECT_NE(e2.find(expected), std::string::npos) << expected << "\n" << e2;
  EXPECT_NE(e.find("bad_signals.xosc:"), std::string::npos);
  // a signal without a road network
  XoscParts p;
  p.parameters = "<ParameterDeclaration name=\"Dummy\" parameterType=\"integer\" value=\"0\"/>";
  p.entities = Car("Ego");
  p.init = Place("Ego", World(0, 0), 0.0);
  p.stories = Story("Ego", Event("a", kNoop, Trigger(SignalIs("1", "on"))));
  EXPECT_NE(ErrorsOf("no_road_signal", Xosc(p)).find("TrafficSignalCondition: traffic signal '1' needs a road network"),
            std::string::npos);
}

}  // namespace
}  // namespace gauntlet::test
