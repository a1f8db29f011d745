// A scenario file whose world is an OpenSCENARIO file (`openscenario:`): loading, errors at their
// positions, parameters overriding the .xosc's, and runs in which the model drives the ego while the
// other entities follow the storyboard (docs/openscenario.md, "Driving the ego with a model").

#include "scenarios/openscenario_world.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/error.h"
#include "scenarios/campaign.h"
#include "scenarios/scenario.h"
#include "scenarios/scenario_env.h"
#include "scenarios/suite.h"
#include "tests/test_files.h"

namespace gauntlet::scenarios {
namespace {

namespace fs = std::filesystem;

const std::string kCcrs = std::string(GAUNTLET_SOURCE_DIR) + "/tests/openscenario/testdata/ncap_ccrs.xosc";
constexpr double kEgoSpeed = 20.0 / 3.6;  // the .xosc's default EgoSpeed

/// The Euro NCAP CCRs case (tests/openscenario/testdata/ncap_ccrs.xosc): the Ego at x = 50 (reference
/// point, box centre 1.3 m ahead), the stationary Target at 77.778, both 4.3 m long: 23.478 m apart.
std::string ScenarioText(const std::string& parameters = "  EgoSpeed: {uniform: [4 m/s, 9 m/s], nominal: 5.555555555555555}\n",
                         const std::string& section = "openscenario: {file: ncap_ccrs.xosc, ego: Ego, time_step_s: 0.05, duration_s: 10}\n",
                         const std::string& accel = "{output: 0}") {
  return "scenario: ccrs\nparameters:\n" + parameters + section +
         "model:\n  slot: acc\n  observation:\n    - {name: gap_m, expr: Target.gap}\n"
         "    - {name: speed_mps, expr: Ego.speed}\n    - {name: closing_speed_mps, expr: Ego.speed - Target.speed}\n"
         "  accel_mps2: " + accel + "\nrequirements:\n  - {name: no_collision, formula: always (Target.gap > 0)}\n"
         "metrics:\n  - {name: min_gap_m, expr: Target.gap, reduce: min}\ngenerators:\n  - {kind: uniform, count: 6}\n";
}

/// Writes `text` as `<dir>/ccrs.yaml` beside a copy of the CCRs .xosc (`xosc` replaces its text when given).
std::string Write(const std::string& name, const std::string& text, const std::string& xosc = "") {
  const std::string dir = test::FreshDir("osc_world_" + name);
  if (xosc.empty()) {
    fs::copy_file(kCcrs, dir + "/ncap_ccrs.xosc");
  } else {
    std::ofstream(dir + "/ncap_ccrs.xosc") << xosc;
  }
  std::ofstream(dir + "/ccrs.yaml") << text;
  return dir + "/ccrs.yaml";
}

/// The message of loading `path`, "" if it loads.
std::string LoadError(const std::string& path) {
  try {
    (void)LoadScenario(path);
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "";
}

/// `path:line:col` of the first `needle` in the file (1-based).
std::string PosOf(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (const size_t at = line.find(needle); at != std::string::npos)
      return path + ":" + std::to_string(n) + ":" + std::to_string(at + 1);
  }
  return path + ":?";
}

TEST(OpenScenarioWorldTest, OneActorPerEntityAtItsBoxCentre) {
  const std::string path = Write("load", ScenarioText());
  const auto s = LoadScenario(path);
  ASSERT_TRUE(s->openscenario.has_value());
  EXPECT_EQ(s->openscenario->parameters, std::vector<std::string>{"EgoSpeed"});
  const sim::WorldSpec& w = s->world;
  EXPECT_EQ(w.time_step_s, 0.05);
  EXPECT_EQ(w.duration_s, 10.0);
  EXPECT_TRUE(w.road.roads.empty());
  ASSERT_EQ(w.actors.size(), 2u);
  const sim::ActorSpec& ego = w.actors[0];
  const sim::ActorSpec& target = w.actors[1];
  EXPECT_EQ(ego.name, "Ego");
  EXPECT_TRUE(ego.ego);
  EXPECT_FALSE(ego.scripted);
  EXPECT_DOUBLE_EQ(*ego.x_m, 50.0 + 1.3);  // the box centre, 1.3 m ahead of the reference point
  EXPECT_DOUBLE_EQ(*ego.y_m, -14.0);
  EXPECT_DOUBLE_EQ(ego.speed_mps, kEgoSpeed);
  EXPECT_EQ(*ego.length_m, 4.3);
  EXPECT_EQ(*ego.width_m, 1.8);
  EXPECT_EQ(*ego.max_decel_mps2, 10.0);  // the entity's Performance
  EXPECT_EQ(target.name, "Target");
  EXPECT_TRUE(target.scripted);
  EXPECT_DOUBLE_EQ(*target.x_m, 77.778 + 1.3);
  EXPECT_EQ(target.speed_mps, 0.0);
  // the suite's fingerprint follows the .xosc
  EXPECT_NE(std::find(s->included_files.begin(), s->included_files.end(), fs::path(path).parent_path().string() + "/ncap_ccrs.xosc"),
            s->included_files.end());
}

TEST(OpenScenarioWorldTest, GauntletParametersOverrideTheXoscParameters) {
  const auto s = LoadScenario(Write("params", ScenarioText()));
  for (const double v : {4.0, 7.25, 9.0}) {
    const ResolvedInstance inst = s->Resolve({v});
    EXPECT_EQ(inst.world.actors[0].speed_mps, v);
    EXPECT_NE(inst.script, nullptr);
  }
}

TEST(OpenScenarioWorldTest, ActorNamesAreIdentifiers) {
  EXPECT_EQ(CoSimulation::ActorName("Ego"), "Ego");
  EXPECT_EQ(CoSimulation::ActorName("car 1"), "car_1");
  EXPECT_EQ(CoSimulation::ActorName("1st-car"), "_1st_car");
  EXPECT_EQ(CoSimulation::ActorName("time"), "time_");
  EXPECT_EQ(CoSimulation::ActorName(""), "_");
  // two entities that become the same actor name are refused at the second one
  std::string xosc = test::ReadFile(kCcrs);
  xosc.replace(xosc.find("<ScenarioObject name=\"Target\">"), 30, "<ScenarioObject name=\"E-go\">  ");
  xosc.replace(xosc.find("<ScenarioObject name=\"Ego\">"), 27, "<ScenarioObject name=\"E_go\">");
  auto rename = [&](const std::string& from, const std::string& to) {
    for (size_t at = xosc.find(from); at != std::string::npos; at = xosc.find(from, at + to.size())) xosc.replace(at, from.size(), to);
  };
  rename("entityRef=\"Target\"", "entityRef=\"E-go\"");
  rename("entityRef=\"Ego\"", "entityRef=\"E_go\"");
  const std::string path = Write("collide", ScenarioText("  EgoSpeed: 5\n", "openscenario: {file: ncap_ccrs.xosc, ego: E_go, duration_s: 10}\n"), xosc);
  const std::string message = LoadError(path);
  EXPECT_NE(message.find("entities 'E_go' and 'E-go' both become the actor name 'E_go'"), std::string::npos) << message;
  EXPECT_NE(message.find("ncap_ccrs.xosc:"), std::string::npos) << message;
}

TEST(OpenScenarioWorldTest, BadInputIsAnErrorAtItsPosition) {
  {  // a missing file: at the file name
    const std::string path = Write("missing", ScenarioText("  EgoSpeed: 5\n", "openscenario: {file: nope.xosc, ego: Ego, duration_s: 10}\n"));
    const std::string message = LoadError(path);
    EXPECT_EQ(message.rfind(PosOf(path, "nope.xosc") + ": error: OpenSCENARIO file 'nope.xosc' does not exist", 0), 0u) << message;
  }
  {  // an unknown ego: at the name, with the entities
    const std::string path = Write("ego", ScenarioText("  EgoSpeed: 5\n", "openscenario: {file: ncap_ccrs.xosc, ego: Eg0, duration_s: 10}\n"));
    const std::string message = LoadError(path);
    EXPECT_EQ(message.rfind(PosOf(path, "Eg0") + ": error: no entity 'Eg0' to drive", 0), 0u) << message;
    EXPECT_NE(message.find("'Ego', 'Target'"), std::string::npos) << message;
  }
  {  // a parameter the .xosc does not declare: at the parameter, with a suggestion
    const std::string path = Write("param", ScenarioText("  EgoSped: {uniform: [4, 9]}\n"));
    const std::string message = LoadError(path);
    EXPECT_EQ(message.rfind(PosOf(path, "EgoSped") + ": error: parameter 'EgoSped' is not declared by ncap_ccrs.xosc", 0), 0u)
        << message;
    EXPECT_NE(message.find("'EgoSpeed'"), std::string::npos) << message;
  }
  {  // both world and openscenario
    const std::string path = Write("both", ScenarioText("  EgoSpeed: 5\n", "world: {duration_s: 1, actors: []}\nopenscenario: {file: ncap_ccrs.xosc, ego: Ego, duration_s: 10}\n"));
    const std::string message = LoadError(path);
    EXPECT_NE(message.find("give either 'world' or 'openscenario', not both"), std::string::npos) << message;
  }
  {  // a scripted actor in a world of its own: nothing would move it
    const std::string path = Write("scripted", "scenario: s\nworld:\n  duration_s: 1\n  actors:\n"
                                               "    - {name: ego, ego: true, x_m: 0, y_m: 0}\n"
                                               "    - {name: car, x_m: 20, y_m: 0, scripted: true}\n"
                                               "model: {slot: acc, observation: [{name: g, expr: car.gap}], accel_mps2: {output: 0}}\n"
                                               "requirements: [{name: r, formula: always (car.gap > 0)}]\n");
    const std::string message = LoadError(path);
    EXPECT_EQ(message.rfind(PosOf(path, "true}") + ": error: 'scripted' actors are moved by an OpenSCENARIO storyboard", 0), 0u)
        << message;
  }
  {  // an element the player does not support: at its place in the .xosc
    std::string xosc = test::ReadFile(kCcrs);
    const std::string target = "<WorldPosition x=\"77.778\" y=\"-14\" h=\"0\"/>";
    ASSERT_NE(xosc.find(target), std::string::npos);
    xosc.replace(xosc.find(target), target.size(), "<GeoPosition latitude=\"0\" longitude=\"0\"/>");
    const std::string path = Write("geo", ScenarioText("  EgoSpeed: 5\n"), xosc);
    const std::string message = LoadError(path);
    const std::string xosc_path = fs::path(path).parent_path().string() + "/ncap_ccrs.xosc";
    EXPECT_EQ(message.rfind(PosOf(xosc_path, "<GeoPosition"), 0), 0u) << message;
    EXPECT_NE(message.find("GeoPosition"), std::string::npos) << message;
  }
}

/// Runs the suite of one scenario file with acc_good.onnx; every result.
CampaignOutcome RunWith(const std::string& scenario_path, int threads, const std::string& out_dir = "") {
  const std::string dir = fs::path(scenario_path).parent_path().string();
  std::ofstream(dir + "/suite.yaml") << "suite: ccrs\nseed: 5\nmodels: {acc: {path: " << GAUNTLET_SOURCE_DIR
                                     << "/zoo/acc_good.onnx}}\nscenarios: [{scenario: ccrs.yaml}]\n";
  return RunCampaign(LoadSuite(dir + "/suite.yaml"), {.threads = threads, .out_dir = out_dir});
}

TEST(OpenScenarioWorldTest, AModelThatBrakesPassesOneThatDoesNotCollidesAtTheClosedFormTime) {
  const CampaignOutcome braking = RunWith(Write("brakes", ScenarioText()), 2);
  ASSERT_EQ(braking.results.size(), 6u);
  for (const InstanceResult& r : braking.results) {
    ASSERT_EQ(r.status, InstanceStatus::kCompleted) << r.error;
    EXPECT_TRUE(r.requirements.at(0).satisfied) << r.id;
    EXPECT_GT(r.metrics.at(0).second, 1.0) << r.id;
    EXPECT_NEAR(r.end_time_s, 8.05, 1e-9);  // the StopTrigger (time > 8) ends the episode
  }
  // the model's output scaled by 0: the ego coasts into the Target, 23.478 m ahead at its speed v;
  // the episode stops at the first row in contact, t = ceil(23.478 / v / 0.05) * 0.05, gap 23.478 - v t
  const CampaignOutcome coasting = RunWith(Write("coasts", ScenarioText("  EgoSpeed: {uniform: [4 m/s, 9 m/s]}\n",
                                                                          "openscenario: {file: ncap_ccrs.xosc, ego: Ego, time_step_s: 0.05, duration_s: 10}\n",
                                                                          "{output: 0, scale: 0}")),
                                           1);
  ASSERT_EQ(coasting.results.size(), 6u);
  for (const InstanceResult& r : coasting.results) {
    ASSERT_EQ(r.status, InstanceStatus::kCompleted) << r.error;
    const double v = r.parameters.at(0).second;
    const double contact = std::ceil((77.778 - 50.0 - 4.3) / v / 0.05 - 1e-9) * 0.05;
    EXPECT_FALSE(r.requirements.at(0).satisfied) << r.id;
    EXPECT_NEAR(r.end_time_s, contact, 1e-9) << r.id;
    EXPECT_NEAR(r.metrics.at(0).second, 77.778 - 50.0 - 4.3 - v * contact, 1e-9) << r.id;
  }
}

/// A variation file of the CCRs .xosc: EgoSpeed from the set {4, 6, 8} m/s (`scenario_file` and
/// `parameter` replace its ScenarioFile and parameter name when given).
std::string VariationText(const std::string& scenario_file = "ncap_ccrs.xosc", const std::string& parameter = "EgoSpeed") {
  return "<?xml version=\"1.0\"?>\n<OpenSCENARIO>\n"
         "  <FileHeader revMajor=\"1\" revMinor=\"2\" date=\"2026-12-06T12:00:00\" description=\"v\" author=\"t\"/>\n"
         "  <ParameterValueDistribution>\n    <ScenarioFile filepath=\"" + scenario_file + "\"/>\n"
         "    <Deterministic>\n      <DeterministicSingleParameterDistribution parameterName=\"" + parameter + "\">\n"
         "        <DistributionSet><Element value=\"4\"/><Element value=\"6\"/><Element value=\"8\"/></DistributionSet>\n"
         "      </DeterministicSingleParameterDistribution>\n    </Deterministic>\n"
         "  </ParameterValueDistribution>\n</OpenSCENARIO>\n";
}

TEST(OpenScenarioWorldTest, AVariationFileGivesParametersThatOverrideTheXosc) {
  const std::string section =
      "openscenario: {file: ncap_ccrs.xosc, variation: ccrs_speeds.xosc, ego: Ego, time_step_s: 0.05, duration_s: 10}\n";
  const std::string path = Write("variation", ScenarioText("  {}\n", section, "{output: 0, scale: 0}"));
  std::ofstream(fs::path(path).parent_path() / "ccrs_speeds.xosc") << VariationText();
  const auto s = LoadScenario(path);
  ASSERT_EQ(s->parameters.parameters.size(), 1u);
  EXPECT_EQ(s->parameters.parameters[0].name, "EgoSpeed");
  EXPECT_EQ(s->parameters.parameters[0].kind, Parameter::Kind::kChoice);
  for (const double v : {4.0, 6.0, 8.0}) EXPECT_EQ(s->Resolve({v}).world.actors[0].speed_mps, v);
  // every instance coasts into the Target at the closed-form time of its speed, which is one of the set's
  const CampaignOutcome coasting = RunWith(path, 2);
  ASSERT_EQ(coasting.results.size(), 6u);
  std::set<double> speeds;
  for (const InstanceResult& r : coasting.results) {
    ASSERT_EQ(r.status, InstanceStatus::kCompleted) << r.error;
    const double v = r.parameters.at(0).second;
    speeds.insert(v);
    EXPECT_TRUE(v == 4.0 || v == 6.0 || v == 8.0) << v;
    EXPECT_FALSE(r.requirements.at(0).satisfied) << r.id;
    EXPECT_NEAR(r.end_time_s, std::ceil((77.778 - 50.0 - 4.3) / v / 0.05 - 1e-9) * 0.05, 1e-9) << r.id;
  }
  EXPECT_GT(speeds.size(), 1u);
}

TEST(OpenScenarioWorldTest, AVariationFileThatDoesNotFitIsAnErrorAtItsName) {
  auto error = [](const std::string& name, const std::string& parameters, const std::string& variation) {
    const std::string section =
        "openscenario: {file: ncap_ccrs.xosc, variation: v.xosc, ego: Ego, time_step_s: 0.05, duration_s: 10}\n";
    const std::string path = Write(name, ScenarioText(parameters, section));
    if (!variation.empty()) std::ofstream(fs::path(path).parent_path() / "v.xosc") << variation;
    return std::make_pair(path, LoadError(path));
  };
  {  // missing
    const auto [path, message] = error("var_missing", "  {}\n", "");
    EXPECT_EQ(message.rfind(PosOf(path, "v.xosc") + ": error: variation file 'v.xosc' does not exist", 0), 0u) << message;
  }
  {  // a parameter with two distributions
    const auto [path, message] = error("var_twice", "  EgoSpeed: {uniform: [4, 9]}\n", VariationText());
    EXPECT_EQ(message.rfind(PosOf(path, "v.xosc") + ": error: the variation file's parameter 'EgoSpeed' is also declared", 0), 0u)
        << message;
  }
  {  // another scenario's variation
    const auto [path, message] = error("var_other", "  {}\n", VariationText("other.xosc"));
    EXPECT_EQ(message.rfind(PosOf(path, "v.xosc") + ": error: the variation file varies ", 0), 0u) << message;
  }
  {  // a parameter the .xosc does not declare
    const auto [path, message] = error("var_undeclared", "  {}\n", VariationText("ncap_ccrs.xosc", "EgoSped"));
    EXPECT_EQ(message.rfind(PosOf(path, "v.xosc") + ": error: the variation file sets 'EgoSped', which", 0), 0u) << message;
    EXPECT_NE(message.find("'EgoSpeed'"), std::string::npos) << message;
  }
}

TEST(OpenScenarioWorldTest, ResultsAreIdenticalForOneAndTwoThreads) {
  const std::string path = Write("threads", ScenarioText());
  const std::string one = test::FreshDir("osc_world_threads_1"), two = test::FreshDir("osc_world_threads_2");
  (void)RunWith(path, 1, one);
  (void)RunWith(path, 2, two);
  const std::string a = test::ReadFile(one + "/results.jsonl");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, test::ReadFile(two + "/results.jsonl"));
}

TEST(OpenScenarioWorldTest, AScenarioEnvStepsTheCoSimulation) {
  // an agent that coasts: the storyboard's Target stands, the contact comes at the closed-form row
  ScenarioEnv env(LoadScenario(Write("env", ScenarioText())));
  env.Reset({kEgoSpeed}, 3);
  const double coast = 0.0;
  while (!env.done()) env.Step(std::span<const double>(&coast, 1));
  EXPECT_TRUE(env.terminated());  // stop_on_collision
  EXPECT_NEAR(env.time_s(), std::ceil((77.778 - 50.0 - 4.3) / kEgoSpeed / 0.05) * 0.05, 1e-9);
  EXPECT_FALSE(env.result().requirements.at(0).satisfied);
}

TEST(OpenScenarioWorldTest, TheBundledExampleRunsWithItsModelStoppingShort) {
  // configs/openscenario.yaml: acc_good.onnx drives the Ego of the NCAP CCRs .xosc over 10-50 km/h
  const Suite suite = LoadSuite(std::string(GAUNTLET_SOURCE_DIR) + "/configs/openscenario.yaml");
  ASSERT_EQ(suite.families.size(), 1u);
  ASSERT_TRUE(suite.families[0].scenario->openscenario.has_value());
  const std::string one = test::FreshDir("osc_world_example_1"), two = test::FreshDir("osc_world_example_2");
  const CampaignOutcome outcome = RunCampaign(suite, {.threads = 1, .out_dir = one});
  (void)RunCampaign(suite, {.threads = 2, .out_dir = two});
  EXPECT_EQ(test::ReadFile(one + "/results.jsonl"), test::ReadFile(two + "/results.jsonl"));
  ASSERT_GT(outcome.results.size(), 20u);
  for (const InstanceResult& r : outcome.results) {
    ASSERT_EQ(r.status, InstanceStatus::kCompleted) << r.id << ": " << r.error;
    EXPECT_TRUE(r.Passed()) << r.id;  // no contact, and a stop more than 1 m short of the Target
    EXPECT_NEAR(r.end_time_s, 8.05, 1e-9) << r.id;  // the StopTrigger: time > 8
  }
}

}  // namespace
}  // namespace gauntlet::scenarios
