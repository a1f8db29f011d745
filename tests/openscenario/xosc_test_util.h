#pragma once
// Small OpenSCENARIO files for the tests: a scenario text from its parts, written to a scratch folder,
// loaded and played to the end with its output lines and per-step states.
//
//   const std::string path = WriteXosc("brake", Xosc({.init = ..., .story = ...}));
//   const PlayResult r = PlayFile(path, 0.05, 10.0);
//   EXPECT_NEAR(r.At(2.0)[0].x, 60.0, 1e-9);

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "openscenario/expression.h"
#include "openscenario/player.h"
#include "openscenario/scenario.h"
#include "tests/test_files.h"

namespace gauntlet::test {

/// The road of most tests: esmini's straight_500m (one road "1", along +x from the origin, lanes 1 and -1
/// 3.07 m wide, so lane -1's centre is at y = -1.535).
inline std::string StraightRoad() { return std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xodr/straight_500m.xodr"; }

/// A WorldPosition.
inline std::string World(double x, double y, double h = 0.0) {
  using openscenario::FormatNumber;
  return "<WorldPosition x=\"" + FormatNumber(x) + "\" y=\"" + FormatNumber(y) + "\" h=\"" + FormatNumber(h) + "\"/>";
}
/// A LanePosition on road "1".
inline std::string LanePos(int lane, double s, double offset = 0.0) {
  return "<LanePosition roadId=\"1\" laneId=\"" + std::to_string(lane) + "\" s=\"" + std::to_string(s) + "\" offset=\"" +
         std::to_string(offset) + "\"/>";
}

/// A vehicle ScenarioObject with a 4.3 x 1.8 m box whose centre is 1.3 m ahead of the reference point.
inline std::string Car(const std::string& name, const std::string& extra = "") {
  return "<ScenarioObject name=\"" + name +
         "\"><Vehicle name=\"car\" vehicleCategory=\"car\"><BoundingBox><Center x=\"1.3\" y=\"0\" z=\"0.75\"/>"
         "<Dimensions width=\"1.8\" length=\"4.3\" height=\"1.5\"/></BoundingBox>" +
         extra + "<Performance maxSpeed=\"70\" maxAcceleration=\"100\" maxDeceleration=\"100\"/><Axles>"
                 "<FrontAxle maxSteering=\"0.5\" wheelDiameter=\"0.6\" trackWidth=\"1.8\" positionX=\"2.8\" positionZ=\"0.3\"/>"
                 "<RearAxle maxSteering=\"0\" wheelDiameter=\"0.6\" trackWidth=\"1.8\" positionX=\"0\" positionZ=\"0.3\"/>"
                 "</Axles><Properties/></Vehicle></ScenarioObject>";
}

/// Init actions of one entity: a teleport to `position` (a Position's child) and a step to `speed`.
inline std::string Place(const std::string& entity, const std::string& position, double speed) {
  return "<Private entityRef=\"" + entity + "\"><PrivateAction><TeleportAction><Position>" + position +
         "</Position></TeleportAction></PrivateAction><PrivateAction><LongitudinalAction><SpeedAction>"
         "<SpeedActionDynamics dynamicsShape=\"step\" value=\"0\" dynamicsDimension=\"time\"/><SpeedActionTarget>"
         "<AbsoluteTargetSpeed value=\"" +
         std::to_string(speed) + "\"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction></Private>";
}

/// A SimulationTimeCondition.
inline std::string TimeCondition(double t, const std::string& rule = "greaterOrEqual", const std::string& edge = "none",
                                 double delay = 0.0) {
  return "<Condition name=\"at" + std::to_string(t) + "\" delay=\"" + std::to_string(delay) + "\" conditionEdge=\"" +
         edge + "\"><ByValueCondition><SimulationTimeCondition value=\"" + std::to_string(t) + "\" rule=\"" + rule +
         "\"/></ByValueCondition></Condition>";
}

/// A one-group trigger element (`StartTrigger` or `StopTrigger`) of `conditions`.
inline std::string Trigger(const std::string& conditions, const std::string& element = "StartTrigger") {
  return "<" + element + "><ConditionGroup>" + conditions + "</ConditionGroup></" + element + ">";
}

/// An Event with one action.
inline std::string Event(const std::string& name, const std::string& action, const std::string& start_trigger,
                         const std::string& attributes = "priority=\"override\"") {
  return "<Event name=\"" + name + "\" " + attributes + "><Action name=\"" + name + "_action\">" + action + "</Action>" +
         start_trigger + "</Event>";
}

/// A Story with one Act (started at once) and one ManeuverGroup of `actor` holding `events`.
inline std::string Story(const std::string& actor, const std::string& events, const std::string& mg_attributes = "") {
  return "<Story name=\"story\"><Act name=\"act\"><ManeuverGroup name=\"mg\" maximumExecutionCount=\"1\" " +
         mg_attributes + "><Actors selectTriggeringEntities=\"false\"><EntityRef entityRef=\"" + actor +
         "\"/></Actors><Maneuver name=\"maneuver\">" + events + "</Maneuver></ManeuverGroup>" +
         Trigger(TimeCondition(0.0)) + "</Act></Story>";
}

/// A private SpeedAction.
inline std::string SpeedTo(double target, const std::string& shape, const std::string& dimension, double value) {
  return "<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape=\"" + shape +
         "\" value=\"" + std::to_string(value) + "\" dynamicsDimension=\"" + dimension +
         "\"/><SpeedActionTarget><AbsoluteTargetSpeed value=\"" + std::to_string(target) +
         "\"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction>";
}

/// A private SpeedAction to a RelativeTargetSpeed of `entity` (`type` delta or factor) with a step.
inline std::string RelativeSpeedTo(const std::string& entity, double value, const std::string& type, bool continuous) {
  return "<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape=\"step\" value=\"0\" "
         "dynamicsDimension=\"time\"/><SpeedActionTarget><RelativeTargetSpeed entityRef=\"" + entity + "\" value=\"" +
         std::to_string(value) + "\" speedTargetValueType=\"" + type + "\" continuous=\"" +
         (continuous ? "true" : "false") + "\"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction>";
}

/// The parts of a scenario file.
struct XoscParts {
  std::string parameters;  ///< ParameterDeclaration elements
  std::string road;        ///< LogicFile path ("" = no road network)
  std::string entities;    ///< ScenarioObject elements
  std::string init;        ///< Init Actions content
  std::string stories;     ///< Story elements
  std::string stop = Trigger(TimeCondition(30.0, "greaterOrEqual"), "StopTrigger");
  std::string catalogs;    ///< CatalogLocations content
};

inline std::string Xosc(const XoscParts& p) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OpenSCENARIO>\n"
         "<FileHeader revMajor=\"1\" revMinor=\"2\" date=\"2024-01-01T00:00:00\" description=\"test\" author=\"test\"/>\n"
         "<ParameterDeclarations>" +
         p.parameters + "</ParameterDeclarations>\n<CatalogLocations>" + p.catalogs +
         "</CatalogLocations>\n<RoadNetwork>" +
         (p.road.empty() ? "" : "<LogicFile filepath=\"" + p.road + "\"/>") + "</RoadNetwork>\n<Entities>" +
         p.entities + "</Entities>\n<Storyboard>\n<Init><Actions>" + p.init + "</Actions></Init>\n" + p.stories +
         "\n" + p.stop + "\n</Storyboard>\n</OpenSCENARIO>\n";
}

/// Writes `text` to `<scratch>/<name>.xosc` and returns the path.
inline std::string WriteXosc(const std::string& name, const std::string& text) {
  const std::string dir = FreshDir("osc_" + name);
  const std::string path = dir + "/" + name + ".xosc";
  std::ofstream(path) << text;
  return path;
}

/// Every error loading `path` gives (`file:line:col: error: ...` lines), "" if it loads.
inline std::string LoadErrors(const std::string& path) {
  try {
    (void)openscenario::LoadScenario(path);
  } catch (const core::InputError& e) {
    std::string all;
    for (const auto& d : e.diagnostics()) all += d.Format() + "\n";
    return all;
  }
  return "";
}

/// Everything a play produced.
struct PlayResult {
  double step = 0.05;
  std::vector<std::string> lines;
  std::vector<double> times;
  std::vector<std::vector<openscenario::EntityState>> states;  ///< per step, per entity
  bool collided = false;

  /// The states at time `t` (the step nearest to it).
  [[nodiscard]] const std::vector<openscenario::EntityState>& At(double t) const {
    const size_t k = static_cast<size_t>(std::llround(t / step));
    return states.at(k);
  }
  /// Whether `line` was printed.
  [[nodiscard]] bool Printed(const std::string& line) const {
    for (const auto& l : lines)
      if (l == line) return true;
    return false;
  }
};

/// Plays a loaded scenario to its StopTrigger or `duration`.
inline PlayResult Play(const openscenario::Scenario& sc, double step = 0.05, double duration = 30.0) {
  PlayResult r;
  r.step = step;
  openscenario::Player player(sc, {.time_step = step});
  player.Start();
  auto record = [&] {
    for (auto& l : player.TakeLines()) r.lines.push_back(l);
    r.times.push_back(player.time());
    r.states.push_back(player.States());
  };
  record();
  while (!player.finished() && player.time() < duration - step * 1e-6) {
    player.Step();
    if (player.finished()) {
      for (auto& l : player.TakeLines()) r.lines.push_back(l);
      break;
    }
    record();
  }
  r.collided = player.collided();
  return r;
}

/// Plays a scenario `name` of one car "Ego" placed at `position` (a Position's child) with `speed` on
/// `road` ("" = none), its maneuver holding `events`, for `duration` s.
inline PlayResult PlayEgo(const std::string& name, const std::string& position, double speed,
                          const std::string& events, double duration, const std::string& road = StraightRoad());

/// Loads and plays a file.
inline PlayResult PlayFile(const std::string& path, double step = 0.05, double duration = 30.0,
                           const std::vector<std::pair<std::string, std::string>>& params = {}) {
  const openscenario::Scenario sc = openscenario::LoadScenario(path, params);
  return Play(sc, step, duration);
}

inline PlayResult PlayEgo(const std::string& name, const std::string& position, double speed,
                          const std::string& events, double duration, const std::string& road) {
  XoscParts p;
  p.road = road;
  p.entities = Car("Ego");
  p.init = Place("Ego", position, speed);
  p.stories = Story("Ego", events);
  return PlayFile(WriteXosc(name, Xosc(p)), 0.05, duration);
}

}  // namespace gauntlet::test
