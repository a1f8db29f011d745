// A scenario file whose world is an OpenSCENARIO file (`openscenario:`): loading, errors at their
// positions, parameters overriding the .xosc's, and runs in which the model drives the ego while the
// other entities follow the storyboard (docs/openscenario.md, "Driving the ego with a model").

#include "scenarios/openscenario_world.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>
#include <set>

#include "core/error.h"
#include "core/format.h"
#include "scenarios/campaign.h"
#include "scenarios/scenario.h"
#include "scenarios/scenario_env.h"
#include "scenarios/suite.h"
#include "tests/test_files.h"
#include "verifier/stl/expression.h"

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

TEST(OpenScenarioWorldTest, TheFingerprintFollowsTheCatalogsOfTheXosc) {
  std::string xosc = test::ReadFile(kCcrs);
  xosc.insert(xosc.find("  <Entities>"),
              "  <CatalogLocations><VehicleCatalog><Directory path=\"cat\"/></VehicleCatalog></CatalogLocations>\n");
  const std::string path = Write("catalogs", ScenarioText(), xosc);
  const std::string dir = fs::path(path).parent_path().string();
  fs::create_directories(dir + "/cat");
  const std::string catalog = dir + "/cat/cars.xosc";
  auto write_catalog = [&](const std::string& length) {
    std::ofstream(catalog) << "<?xml version=\"1.0\"?>\n<OpenSCENARIO><FileHeader revMajor=\"1\" revMinor=\"0\" "
                              "date=\"x\" description=\"\" author=\"\"/><Catalog name=\"Cars\"><Vehicle name=\"box\" "
                              "vehicleCategory=\"car\"><BoundingBox><Center x=\"1\" y=\"0\" z=\"0\"/><Dimensions "
                              "width=\"2\" length=\"" << length << "\" height=\"1.5\"/></BoundingBox><Performance "
                              "maxSpeed=\"50\" maxAcceleration=\"5\" maxDeceleration=\"5\"/><Axles/><Properties/>"
                              "</Vehicle></Catalog></OpenSCENARIO>\n";
  };
  write_catalog("4");
  const auto s = LoadScenario(path);
  EXPECT_NE(std::find(s->included_files.begin(), s->included_files.end(), catalog), s->included_files.end());
  // a suite naming the scenario gets another fingerprint when only the catalog changes
  std::ofstream(dir + "/suite.yaml") << "suite: ccrs\nseed: 5\nmodels: {acc: {path: " << GAUNTLET_SOURCE_DIR
                                     << "/zoo/acc_good.onnx}}\nscenarios: [{scenario: ccrs.yaml}]\n";
  const std::string before = LoadSuite(dir + "/suite.yaml").fingerprint;
  write_catalog("5");
  EXPECT_NE(LoadSuite(dir + "/suite.yaml").fingerprint, before);
}

TEST(OpenScenarioWorldTest, WarningsOfTheXoscReachCheckAndTheSuite) {
  std::string xosc = test::ReadFile(kCcrs);
  xosc.insert(xosc.find("  <Entities>"),
              "  <CatalogLocations><VehicleCatalog><Directory path=\"missing\"/></VehicleCatalog></CatalogLocations>\n");
  const std::string path = Write("warnings", ScenarioText(), xosc);
  const std::string xosc_path = fs::path(path).parent_path().string() + "/ncap_ccrs.xosc";
  const std::string expected = PosOf(xosc_path, "<Directory") + ": warning: catalog directory";
  const auto s = LoadScenario(path);
  ASSERT_EQ(s->warnings.size(), 1u);
  EXPECT_EQ(s->warnings[0].rfind(expected, 0), 0u) << s->warnings[0];
  const std::vector<std::string> checked = CheckFile(path);
  ASSERT_EQ(checked.size(), 1u);
  EXPECT_EQ(checked[0], s->warnings[0]);
  // and the suite's
  const std::string dir = fs::path(path).parent_path().string();
  std::ofstream(dir + "/suite.yaml") << "suite: ccrs\nseed: 5\nmodels: {acc: {path: " << GAUNTLET_SOURCE_DIR
                                     << "/zoo/acc_good.onnx}}\nscenarios: [{scenario: ccrs.yaml}]\n";
  EXPECT_EQ(LoadSuite(dir + "/suite.yaml").warnings, s->warnings);
  // the bundled scenario has none
  EXPECT_TRUE(LoadScenario(Write("no_warnings", ScenarioText()))->warnings.empty());
}

TEST(OpenScenarioWorldTest, GauntletParametersOverrideTheXoscParameters) {
  const auto s = LoadScenario(Write("params", ScenarioText()));
  for (const double v : {4.0, 7.25, 9.0}) {
    const ResolvedInstance inst = s->Resolve({v});
    EXPECT_EQ(inst.world.actors[0].speed_mps, v);
    EXPECT_NE(inst.script, nullptr);
  }
}

// Instances with the same parameter values share one resolved .xosc; other values, another file or
// another load of the scenario file never get an entry resolved for something else.
TEST(OpenScenarioWorldTest, TheXoscIsResolvedOncePerParameterValues) {
  const std::string path = Write("resolved", ScenarioText());
  const auto s = LoadScenario(path);
  const ResolvedInstance a = s->Resolve({7.25}), b = s->Resolve({7.25}), c = s->Resolve({8.0});
  const auto scenario_of = [](const ResolvedInstance& i) {
    return &std::dynamic_pointer_cast<CoSimulation>(i.script)->scenario();
  };
  EXPECT_EQ(scenario_of(a), scenario_of(b));
  EXPECT_NE(scenario_of(a), scenario_of(c));
  EXPECT_EQ(c.world.actors[0].speed_mps, 8.0);
  EXPECT_NE(std::dynamic_pointer_cast<CoSimulation>(a.script), std::dynamic_pointer_cast<CoSimulation>(b.script));
  // the file changed and loaded again: a new world, resolved from the new text
  std::string xosc = test::ReadFile(fs::path(path).parent_path().string() + "/ncap_ccrs.xosc");
  const size_t at = xosc.find("77.778");
  ASSERT_NE(at, std::string::npos);
  xosc.replace(at, 6, "88.888");
  std::ofstream(fs::path(path).parent_path().string() + "/ncap_ccrs.xosc") << xosc;
  const auto reloaded = LoadScenario(path);
  const ResolvedInstance d = reloaded->Resolve({7.25});
  EXPECT_NE(scenario_of(d), scenario_of(a));
  EXPECT_NE(d.world.actors[1].x_m, a.world.actors[1].x_m);
  // the direct cache: the same path and overrides only, at most kCapacity kept
  ResolvedScenarios cache;
  const std::string xosc_path = fs::path(path).parent_path().string() + "/ncap_ccrs.xosc";
  const auto e = cache.Get(xosc_path, {{"EgoSpeed", "5"}});
  EXPECT_EQ(cache.Get(xosc_path, {{"EgoSpeed", "5"}}), e);
  EXPECT_NE(cache.Get(xosc_path, {{"EgoSpeed", "5.0"}}), e);
  EXPECT_NE(cache.Get(kCcrs, {{"EgoSpeed", "5"}}), e);
  for (size_t i = 0; i < ResolvedScenarios::kCapacity; ++i) (void)cache.Get(xosc_path, {{"EgoSpeed", std::to_string(6 + i)}});
  EXPECT_NE(cache.Get(xosc_path, {{"EgoSpeed", "5"}}), e);  // evicted, resolved again
  EXPECT_THROW((void)cache.Get(xosc_path, {{"EgoSpeed", "fast"}}), core::InputError);
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

/// A stochastic variation file of the CCRs .xosc drawing EgoSpeed from `distribution`.
std::string StochasticVariationText(const std::string& distribution) {
  return "<?xml version=\"1.0\"?>\n<OpenSCENARIO>\n"
         "  <FileHeader revMajor=\"1\" revMinor=\"2\" date=\"2026-12-06T12:00:00\" description=\"v\" author=\"t\"/>\n"
         "  <ParameterValueDistribution>\n    <ScenarioFile filepath=\"ncap_ccrs.xosc\"/>\n"
         "    <Stochastic numberOfTestRuns=\"10\" randomSeed=\"1\">\n"
         "      <StochasticDistribution parameterName=\"EgoSpeed\">" + distribution + "</StochasticDistribution>\n"
         "    </Stochastic>\n  </ParameterValueDistribution>\n</OpenSCENARIO>\n";
}

TEST(OpenScenarioWorldTest, StochasticVariationFilesRunAndTheirInstancesFollowTheLaw) {
  // EgoSpeed (m/s) from each law a variation file may give; the ego coasts into the Target, so each
  // instance's end time is the closed form of the speed it was given
  struct Case {
    std::string name, distribution;
    double mean, variance;  // of the law (truncated where the file says so)
    std::function<bool(double)> takes;  // a value the law takes
  };
  double pm = 0.0, p1 = 0.0, p2 = 0.0;  // Poisson(6) on {3, ..., 12}, term by term
  for (int k = 3; k <= 12; ++k) {
    const double q = std::exp(-6.0 + k * std::log(6.0) - std::lgamma(k + 1.0));
    pm += q;
    p1 += k * q;
    p2 += k * k * q;
  }
  const double h2 = 0.25 * (4.5 * 4.5 + 1.0 / 12.0) + 0.75 * (64.0 + 4.0 / 12.0);  // E[X^2] of the histogram
  const std::vector<Case> cases = {
      {"lognormal", "<LogNormalDistribution expectedValue=\"6\" variance=\"1\"/>", 6.0, 1.0,
       [](double v) { return v > 0.0; }},
      {"poisson", "<PoissonDistribution expectedValue=\"6\"><Range lowerLimit=\"3\" upperLimit=\"12\"/></PoissonDistribution>",
       p1 / pm, p2 / pm - (p1 / pm) * (p1 / pm), [](double v) { return v == std::floor(v) && v >= 3.0 && v <= 12.0; }},
      {"set", "<ProbabilityDistributionSet><Element value=\"4\" weight=\"1\"/><Element value=\"6\" weight=\"0\"/>"
              "<Element value=\"8\" weight=\"3\"/></ProbabilityDistributionSet>",
       7.0, 0.75 * 64.0 + 0.25 * 16.0 - 49.0, [](double v) { return v == 4.0 || v == 8.0; }},
      {"histogram", "<Histogram><HistogramBin weight=\"3\"><Range lowerLimit=\"7\" upperLimit=\"9\"/></HistogramBin>"
                    "<HistogramBin weight=\"1\"><Range lowerLimit=\"4\" upperLimit=\"5\"/></HistogramBin></Histogram>",
       7.125, h2 - 7.125 * 7.125, [](double v) { return (v >= 4.0 && v <= 5.0) || (v >= 7.0 && v <= 9.0); }},
  };
  for (const Case& c : cases) {
    std::string text = ScenarioText("  {}\n",
                                    "openscenario: {file: ncap_ccrs.xosc, variation: v.xosc, ego: Ego, time_step_s: 0.05, "
                                    "duration_s: 10}\n",
                                    "{output: 0, scale: 0}");
    text.replace(text.find("{kind: uniform, count: 6}"), 25, "{kind: uniform, count: 400}");
    const std::string path = Write("stochastic_" + c.name, text);
    std::ofstream(fs::path(path).parent_path() / "v.xosc") << StochasticVariationText(c.distribution);
    const CampaignOutcome outcome = RunWith(path, 2);
    ASSERT_EQ(outcome.results.size(), 400u) << c.name;
    double sum = 0.0, sum2 = 0.0;
    for (const InstanceResult& r : outcome.results) {
      ASSERT_EQ(r.status, InstanceStatus::kCompleted) << c.name << ": " << r.error;
      const double v = r.parameters.at(0).second;
      ASSERT_TRUE(c.takes(v)) << c.name << ": " << v;
      sum += v;
      sum2 += v * v;
      if (v > 2.5) {
        EXPECT_NEAR(r.end_time_s, std::ceil((77.778 - 50.0 - 4.3) / v / 0.05 - 1e-9) * 0.05, 1e-9) << c.name << " " << v;
      }
    }
    const double n = 400.0, mean = sum / n, variance = sum2 / n - mean * mean;
    EXPECT_NEAR(mean, c.mean, 5.0 * std::sqrt(c.variance / n)) << c.name;
    EXPECT_NEAR(variance, c.variance, 0.35 * c.variance) << c.name;
  }
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

/// A left-turning arc (radius 100 m, 300 m long) from the origin along +x: lane 1 against s and lane
/// -1 along s, 3.5 m each.
const char* const kArcXodr = R"(<?xml version="1.0" encoding="UTF-8"?>
<OpenDRIVE>
  <header revMajor="1" revMinor="6" name="arc"/>
  <road name="arc" length="300" id="7" junction="-1" rule="RHT">
    <link/>
    <planView><geometry s="0" x="0" y="0" hdg="0" length="300"><arc curvature="0.01"/></geometry></planView>
    <lanes>
      <laneSection s="0">
        <left><lane id="1" type="driving"><width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></left>
        <center><lane id="0" type="none"/></center>
        <right><lane id="-1" type="driving"><width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></right>
      </laneSection>
    </lanes>
  </road>
</OpenDRIVE>
)";

/// An entity of LaneXosc: its name and its reference point (its box centre: the box's Center is 0).
struct Placed {
  std::string name;
  double x = 0.0;
  double y = 0.0;
  double h = 0.0;
};

/// An .xosc on `xodr`: `ego` at EgoSpeed (default 10 m/s), the `others` standing, 4 x 2 m boxes; the
/// StopTrigger at t > 8 s.
std::string LaneXosc(const std::string& xodr, const Placed& ego, const std::vector<Placed>& others) {
  auto entity = [](const std::string& name) {
    return "    <ScenarioObject name=\"" + name + "\"><Vehicle name=\"car\" vehicleCategory=\"car\">\n"
           "      <BoundingBox><Center x=\"0\" y=\"0\" z=\"0.75\"/><Dimensions width=\"2\" length=\"4\" height=\"1.5\"/></BoundingBox>\n"
           "      <Performance maxSpeed=\"70\" maxAcceleration=\"10\" maxDeceleration=\"10\"/>\n"
           "      <Axles><FrontAxle maxSteering=\"0.5\" wheelDiameter=\"0.6\" trackWidth=\"1.8\" positionX=\"2.8\" positionZ=\"0.3\"/>\n"
           "        <RearAxle maxSteering=\"0\" wheelDiameter=\"0.6\" trackWidth=\"1.8\" positionX=\"0\" positionZ=\"0.3\"/></Axles>\n"
           "      <Properties/></Vehicle></ScenarioObject>\n";
  };
  auto teleport = [](const Placed& p) {
    return "          <PrivateAction><TeleportAction><Position><WorldPosition x=\"" + core::FormatDouble(p.x) + "\" y=\"" +
           core::FormatDouble(p.y) + "\" h=\"" + core::FormatDouble(p.h) + "\"/></Position></TeleportAction></PrivateAction>\n";
  };
  std::string text =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OpenSCENARIO>\n"
      "  <FileHeader revMajor=\"1\" revMinor=\"1\" date=\"2026-12-06T00:00:00\" description=\"lanes\" author=\"gauntlet\"/>\n"
      "  <ParameterDeclarations><ParameterDeclaration name=\"EgoSpeed\" parameterType=\"double\" value=\"10\"/></ParameterDeclarations>\n"
      "  <RoadNetwork><LogicFile filepath=\"" + xodr + "\"/></RoadNetwork>\n  <Entities>\n" + entity(ego.name);
  for (const Placed& o : others) text += entity(o.name);
  text += "  </Entities>\n  <Storyboard>\n    <Init><Actions>\n        <Private entityRef=\"" + ego.name + "\">\n" + teleport(ego) +
          "          <PrivateAction><LongitudinalAction><SpeedAction>\n"
          "            <SpeedActionDynamics dynamicsShape=\"step\" value=\"0\" dynamicsDimension=\"time\"/>\n"
          "            <SpeedActionTarget><AbsoluteTargetSpeed value=\"$EgoSpeed\"/></SpeedActionTarget>\n"
          "          </SpeedAction></LongitudinalAction></PrivateAction>\n        </Private>\n";
  for (const Placed& o : others) text += "        <Private entityRef=\"" + o.name + "\">\n" + teleport(o) + "        </Private>\n";
  text += "    </Actions></Init>\n    <StopTrigger><ConditionGroup><Condition name=\"end\" delay=\"0\" conditionEdge=\"none\">\n"
          "      <ByValueCondition><SimulationTimeCondition value=\"8\" rule=\"greaterThan\"/></ByValueCondition>\n"
          "    </Condition></ConditionGroup></StopTrigger>\n  </Storyboard>\n</OpenSCENARIO>\n";
  return text;
}

/// An entity at road coordinates (s, t) of kArcXodr, heading `h` from the reference line's direction.
Placed OnArc(const std::string& name, double s, double t, double h) {
  const double a = s / 100.0;
  return Placed{name, (100.0 - t) * std::sin(a), 100.0 - (100.0 - t) * std::cos(a), a + h};
}

const std::string kStraightXodr = std::string(GAUNTLET_SOURCE_DIR) + "/tests/openscenario/testdata/three_lanes.xodr";

/// Runs `xosc` (written to a fresh folder, beside kArcXodr as arc.xodr) with the ego coasting (accel
/// and steering 0): the trace.
core::Trace Coast(const std::string& name, const std::string& xosc, std::vector<std::string>* lanes = nullptr) {
  const std::string dir = test::FreshDir("osc_lanes_" + name);
  std::ofstream(dir + "/arc.xodr") << kArcXodr;
  std::ofstream(dir + "/s.xosc") << xosc;
  auto sc = std::make_shared<const openscenario::Scenario>(openscenario::LoadScenario(dir + "/s.xosc"));
  CoSimulation cosim(sc, "Ego", 0.05, 3.0);
  if (lanes != nullptr) *lanes = cosim.lane_names();
  sim::LambdaController coast([](double, std::span<const double>, std::span<double>, sim::EgoCommand*) {});
  sim::EpisodeOptions options;
  options.script = &cosim;
  sim::EpisodeResult r = sim::RunEpisode(cosim.world(), coast, options);
  EXPECT_EQ(r.status, sim::EpisodeStatus::kCompleted) << r.error;
  return std::move(r.trace);
}

TEST(OpenScenarioWorldLanesTest, LaneSignalsOnAStraightRoadAreTheClosedForm) {
  // three_lanes.xodr: road "1" along +x, lane 1 (t in [0, 3.5], against s), -1 ([-3.5, 0]), -2
  std::vector<std::string> lanes;
  const core::Trace trace = Coast("straight", LaneXosc(kStraightXodr, {"Ego", 50.0, -1.55, 0.0}, {{"Lead", 80.0, 2.05, 3.2}}), &lanes);
  EXPECT_EQ(lanes, (std::vector<std::string>{"1:1", "1:-1", "1:-2"}));
  ASSERT_EQ(trace.size(), 61u);
  for (size_t k = 0; k < trace.size(); ++k) {
    const double t = 0.05 * static_cast<double>(k);
    // the ego, 0.2 m left of lane -1's centre (t = -1.75), drives along s at 10 m/s
    EXPECT_EQ(trace.column("Ego.lane")[k], 1.0);
    EXPECT_NEAR(trace.column("Ego.s")[k], 50.0 + 10.0 * t, 1e-9);
    EXPECT_NEAR(trace.column("Ego.lateral_offset")[k], 0.2, 1e-9);
    EXPECT_NEAR(trace.column("Ego.heading_error")[k], 0.0, 1e-12);
    // the scripted Lead stands in lane 1 (driving against s, towards -x) 0.3 m right of its centre
    // (t = 2.05 against 1.75), heading 3.2 rad against the lane's pi
    EXPECT_EQ(trace.column("Lead.lane")[k], 0.0);
    EXPECT_NEAR(trace.column("Lead.s")[k], 500.0 - 80.0, 1e-9);
    EXPECT_NEAR(trace.column("Lead.lateral_offset")[k], -0.3, 1e-9);
    EXPECT_NEAR(trace.column("Lead.heading_error")[k], 3.2 - std::numbers::pi, 1e-12);
  }
}

// An actor asked about the pose of its last call (standing still) gets the answer of that call without
// a search: the same answer a CoSimulation that never sees a pose twice in a row finds, for poses that
// differ in one coordinate only, by the sign of a zero, or leave the road and come back.
TEST(OpenScenarioWorldLanesTest, AStandingActorIsLocatedAsAMovingOne) {
  const std::string dir = test::FreshDir("osc_lanes_standing");
  std::ofstream(dir + "/s.xosc") << LaneXosc(kStraightXodr, {"Ego", 50.0, -1.55, 0.0}, {{"Lead", 80.0, 2.05, 3.2}});
  auto sc = std::make_shared<const openscenario::Scenario>(openscenario::LoadScenario(dir + "/s.xosc"));
  const std::vector<sim::ActorPose> poses = {
      {50.0, -1.55, 0.0, 10.0}, {50.0, -1.55, -0.0, 10.0}, {50.0, -1.55, 0.1, 10.0}, {50.0, 1.2, 0.1, 10.0},
      {50.5, 1.2, 0.1, 10.0},   {50.5, 30.0, 0.1, 10.0},   {50.5, -1.55, 0.1, 10.0}, {0.0, -0.0, 0.0, 0.0},
      {-0.0, -0.0, 0.0, 0.0},   {520.0, -5.0, 3.0, 0.0},   {400.0, -5.0, 3.0, 0.0},
  };
  CoSimulation standing(sc, "Ego", 0.05, 3.0), moving(sc, "Ego", 0.05, 3.0);
  size_t compared = 0;
  for (const sim::ActorPose& pose : poses) {
    const sim::LanePosition want = moving.Locate(0, pose);
    for (int again = 0; again < 3; ++again) {
      const sim::LanePosition got = standing.Locate(0, pose);
      EXPECT_EQ(got.lane, want.lane);
      EXPECT_EQ(std::bit_cast<uint64_t>(got.s_m), std::bit_cast<uint64_t>(want.s_m));
      EXPECT_EQ(std::bit_cast<uint64_t>(got.lateral_offset_m), std::bit_cast<uint64_t>(want.lateral_offset_m));
      EXPECT_EQ(std::bit_cast<uint64_t>(got.heading_error_rad), std::bit_cast<uint64_t>(want.heading_error_rad));
      EXPECT_EQ(got.on_road, want.on_road);
      ++compared;
    }
  }
  EXPECT_EQ(compared, 3 * poses.size());
  EXPECT_FALSE(standing.Locate(0, poses[5]).on_road);  // 30 m beside the road
}

TEST(OpenScenarioWorldLanesTest, LaneSignalsOnACurvedRoadAreTheClosedForm) {
  // the arc's centre is (0, 100); lane -1's centre has radius 101.75. The ego starts on it heading +x
  // and drives straight on: at d = 10 t it is sqrt(d^2 + 101.75^2) from the centre, at the angle
  // phi = atan(d / 101.75), where the lane heads phi
  std::vector<std::string> lanes;
  const core::Trace trace =
      Coast("arc", LaneXosc("arc.xodr", {"Ego", 0.0, -1.75, 0.0}, {OnArc("Other", 50.0, 1.0, std::numbers::pi)}), &lanes);
  EXPECT_EQ(lanes, (std::vector<std::string>{"7:1", "7:-1"}));
  for (size_t k = 0; k < trace.size(); ++k) {
    const double d = 0.5 * static_cast<double>(k);
    const double phi = std::atan2(d, 101.75);
    EXPECT_EQ(trace.column("Ego.lane")[k], 1.0);
    EXPECT_NEAR(trace.column("Ego.s")[k], 100.0 * phi, 1e-6) << k;
    EXPECT_NEAR(trace.column("Ego.lateral_offset")[k], 101.75 - std::hypot(d, 101.75), 1e-6) << k;
    EXPECT_NEAR(trace.column("Ego.heading_error")[k], -phi, 1e-6) << k;
    // Other stands at s = 50 (angle 0.5), t = 1 (0.75 right of lane 1's centre in its direction),
    // heading along lane 1's direction
    EXPECT_EQ(trace.column("Other.lane")[k], 0.0);
    EXPECT_NEAR(trace.column("Other.s")[k], 300.0 - 50.0, 1e-6);
    EXPECT_NEAR(trace.column("Other.lateral_offset")[k], 0.75, 1e-6);
    EXPECT_NEAR(trace.column("Other.heading_error")[k], 0.0, 1e-6);
  }
}

/// A scenario file (ccrs.yaml) on `xosc` (as lanes.xosc) whose model coasts, with the ALKS-like
/// requirement `always (abs(Ego.lateral_offset) < 0.5)`; EgoSpeed from 8 to 12 m/s.
std::string AlksScenario(const std::string& name, const std::string& xosc) {
  const std::string dir = test::FreshDir("osc_alks_" + name);
  std::ofstream(dir + "/arc.xodr") << kArcXodr;
  std::ofstream(dir + "/lanes.xosc") << xosc;
  std::ofstream(dir + "/ccrs.yaml")
      << "scenario: alks\nparameters:\n  EgoSpeed: {uniform: [8 m/s, 12 m/s]}\n"
         "openscenario: {file: lanes.xosc, ego: Ego, time_step_s: 0.05, duration_s: 5}\n"
         "model:\n  slot: acc\n  observation:\n    - {name: gap_m, expr: '150'}\n"
         "    - {name: speed_mps, expr: Ego.speed}\n    - {name: closing_speed_mps, expr: '0'}\n"
         "  accel_mps2: {output: 0, scale: 0}\nrequirements:\n"
         "  - {name: keeps_lane, formula: always (abs(Ego.lateral_offset) < 0.5)}\n"
         "generators:\n  - {kind: uniform, count: 4}\n";
  return dir + "/ccrs.yaml";
}

TEST(OpenScenarioWorldLanesTest, AnAlksRequirementPassesOnAStraightRoadAndFailsOnACurveAtTheClosedFormTime) {
  const CampaignOutcome straight = RunWith(AlksScenario("straight", LaneXosc(kStraightXodr, {"Ego", 50.0, -1.75, 0.0}, {})), 1);
  ASSERT_EQ(straight.results.size(), 4u);
  for (const InstanceResult& r : straight.results) {
    ASSERT_EQ(r.status, InstanceStatus::kCompleted) << r.error;
    EXPECT_TRUE(r.requirements.at(0).satisfied) << r.id;
  }
  // on the arc the coasting ego leaves the lane centre: |offset| reaches 0.5 when
  // d = sqrt(101.75^2 + ... ) - i.e. d^2 = 102.25^2 - 101.75^2, at the first row with v t >= d
  const std::string curved = AlksScenario("arc", LaneXosc("arc.xodr", {"Ego", 0.0, -1.75, 0.0}, {}));
  const CampaignOutcome one = RunWith(curved, 1);
  const CampaignOutcome two = RunWith(curved, 2);
  ASSERT_EQ(one.results.size(), 4u);
  const double d = std::sqrt(102.25 * 102.25 - 101.75 * 101.75);
  for (size_t i = 0; i < one.results.size(); ++i) {
    const InstanceResult& r = one.results[i];
    ASSERT_EQ(r.status, InstanceStatus::kCompleted) << r.error;
    EXPECT_FALSE(r.requirements.at(0).satisfied) << r.id;
    const double v = r.parameters.at(0).second;
    ASSERT_TRUE(r.requirements.at(0).first_violation_time_s) << r.id;
    EXPECT_NEAR(*r.requirements.at(0).first_violation_time_s, std::ceil(d / v / 0.05) * 0.05, 1e-9) << r.id;
    // 1 and 2 threads: the same results
    EXPECT_EQ(r.parameters, two.results.at(i).parameters);
    EXPECT_EQ(r.requirements.at(0).robustness, two.results.at(i).requirements.at(0).robustness);
    EXPECT_EQ(r.requirements.at(0).first_violation_time_s, two.results.at(i).requirements.at(0).first_violation_time_s);
  }
}

/// The default binding's gap_m evaluated on each row of `trace` (every `<a>.lane` set to -1 when
/// `no_lanes`: a world without roads).
std::vector<double> BindingGap(const sim::WorldSpec& world, const core::Trace& trace, bool no_lanes = false) {
  const ModelBindingSpec b = DefaultOpenScenarioBinding(world, "acc");
  const auto bound = verifier::stl::Expression::Parse(b.observation.at(0).expr).Bind(trace.names());
  std::vector<double> out;
  std::vector<double> row(trace.signal_count());
  for (size_t k = 0; k < trace.size(); ++k) {
    for (size_t i = 0; i < row.size(); ++i) {
      const bool lane = trace.names()[i].ends_with(".lane");
      row[i] = no_lanes && lane ? -1.0 : trace.column(i)[k];
    }
    out.push_back(bound.Evaluate(row.data()));
  }
  return out;
}

TEST(OpenScenarioWorldLanesTest, TheDefaultBindingSeesTheNearestEntityAheadInTheEgosLane) {
  // on the arc: Far in the ego's lane 60 m of s ahead (out of the ego's heading line: the curve), Near
  // in the other lane 20 m ahead, Behind in the ego's lane behind it: gap_m is Far's gap
  const std::string dir = test::FreshDir("osc_lanes_binding");
  std::ofstream(dir + "/arc.xodr") << kArcXodr;
  std::ofstream(dir + "/s.xosc") << LaneXosc("arc.xodr", OnArc("Ego", 20.0, -1.75, 0.0),
                                           {OnArc("Far", 80.0, -1.75, 0.0), OnArc("Near", 40.0, 1.75, std::numbers::pi),
                                            OnArc("Behind", 5.0, -1.75, 0.0)});
  auto sc = std::make_shared<const openscenario::Scenario>(openscenario::LoadScenario(dir + "/s.xosc"));
  CoSimulation cosim(sc, "Ego", 0.05, 0.5);
  sim::LambdaController coast([](double, std::span<const double>, std::span<double>, sim::EgoCommand*) {});
  sim::EpisodeOptions options;
  options.script = &cosim;
  const sim::EpisodeResult r = sim::RunEpisode(cosim.world(), coast, options);
  ASSERT_EQ(r.status, sim::EpisodeStatus::kCompleted) << r.error;
  const std::vector<double> gap = BindingGap(cosim.world(), r.trace);
  for (size_t k = 0; k < r.trace.size(); ++k) EXPECT_EQ(gap[k], r.trace.column("Far.gap")[k]) << k;
  EXPECT_LT(r.trace.column("Near.gap")[0], r.trace.column("Far.gap")[0]);

  // without roads (every lane -1) the rule of the heading line holds: Far is off the ego's heading
  // line on the curve, Near in the other lane too, Behind behind: nothing is ahead, 150
  for (const double g : BindingGap(cosim.world(), r.trace, true)) EXPECT_EQ(g, 150.0);
}

}  // namespace
}  // namespace gauntlet::scenarios
