// Loading scenarios and suites: the example files load, and every bad input is reported with its
// exact message, all problems at once.

#include "scenarios/scenario.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "scenarios/suite.h"
#include "tests/test_files.h"

namespace gauntlet::scenarios {
namespace {

namespace fs = std::filesystem;

const std::string kSource = GAUNTLET_SOURCE_DIR;

/// This test process's own folder (tests/test_files.h), made empty once.
const fs::path& Dir() {
  static const fs::path dir = test::FreshDir("scenario_test");
  return dir;
}

/// Writes `text` to a fresh file in the test's folder and returns its path.
std::string WriteTemp(const std::string& name, const std::string& text) { return test::WriteUnder(Dir(), name, text); }

/// CheckFile's messages with the test folder left out of paths (the file name only), or "ok".
std::string LoadErrors(const std::string& path) {
  return test::InputErrors([&] { CheckFile(path); }, Dir().string() + "/", "");
}

const char* kGoodScenario = R"(scenario: tiny
parameters:
  v: {uniform: [10, 20]}
world:
  duration_s: 2
  road: {roads: [{id: main, segments: [{length_m: 300}]}]}
  actors:
    - {name: ego, ego: true, lane: "main:0", s_m: 10, speed_mps: v}
    - {name: lead, lane: "main:0", s_m: 40, speed_mps: 0}
model:
  slot: idm
  observation:
    - {name: gap_m, expr: lead.gap}
    - {name: speed_mps, expr: ego.speed}
    - {name: closing_speed_mps, expr: ego.speed - lead.speed}
  accel_mps2: {output: 0}
requirements:
  - {name: no_collision, formula: always (lead.gap > 0)}
generators:
  - {kind: uniform, count: 4}
)";

TEST(ScenarioTest, ExampleScenariosLoad) {
  for (const auto& entry : fs::directory_iterator(kSource + "/configs/scenarios")) {
    SCOPED_TRACE(entry.path().string());
    EXPECT_EQ(LoadErrors(entry.path().string()), "ok");
  }
  for (const auto& entry : fs::directory_iterator(kSource + "/configs/catalogs")) {
    SCOPED_TRACE(entry.path().string());
    EXPECT_EQ(LoadErrors(entry.path().string()), "ok");
  }
  EXPECT_EQ(LoadErrors(kSource + "/configs/example.yaml"), "ok");
}

TEST(ScenarioTest, TheDocumentedExampleLoads) {
  std::ifstream in(kSource + "/docs/scenario-format.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string marker = "## A complete scenario, annotated\n\n```yaml\n";
  const size_t begin = doc.find(marker);
  ASSERT_NE(begin, std::string::npos);
  const size_t end = doc.find("```", begin + marker.size());
  EXPECT_EQ(LoadErrors(WriteTemp("doc_example.yaml", doc.substr(begin + marker.size(), end - begin - marker.size()))),
            "ok");
}

TEST(ScenarioTest, TheReadmeExampleLoads) {
  std::ifstream in(kSource + "/README.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t section = doc.find("## Writing a scenario\n");
  ASSERT_NE(section, std::string::npos);
  const size_t begin = doc.find("```yaml\n", section);
  ASSERT_NE(begin, std::string::npos);
  const size_t end = doc.find("```", begin + 8);
  const std::string path = WriteTemp("readme_example.yaml", doc.substr(begin + 8, end - begin - 8));
  ASSERT_EQ(LoadErrors(path), "ok");
  const auto s = LoadScenario(path);
  EXPECT_EQ(s->name, "lead_brake");
  EXPECT_EQ(s->parameters.dimension(), 5u);
  EXPECT_EQ(s->requirements.size(), 3u);
  EXPECT_EQ(s->generators.size(), 3u);
}

TEST(ScenarioTest, TheDocumentedCatalogueExampleLoads) {
  // each ```yaml block of the section starts with "# <its path>" (a scenario's: "# <path>: ...")
  std::ifstream in(kSource + "/docs/scenario-format.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t at = doc.find("## Sharing definitions between files: catalogues\n");
  ASSERT_NE(at, std::string::npos);
  const size_t section_end = doc.find("\n## ", at + 1);
  std::vector<std::string> paths;
  while ((at = doc.find("```yaml\n# ", at)) < section_end) {
    const size_t begin = at + 8;
    const size_t end = doc.find("```", begin);
    const std::string block = doc.substr(begin, end - begin);
    std::string name = block.substr(2, block.find('\n') - 2);
    name = name.substr(0, name.find(':'));
    paths.push_back(WriteTemp("doc_catalogue/" + name, block));
    at = end;
  }
  ASSERT_EQ(paths.size(), 3u);
  for (const std::string& p : paths) EXPECT_EQ(LoadErrors(p), "ok") << p;
  const auto s = LoadScenario(paths[1]);
  EXPECT_EQ(s->included_files.size(), 2u);
  ASSERT_EQ(s->world.actors.size(), 4u);
  EXPECT_EQ(s->world.actors[2].name, "walker");
  EXPECT_EQ(s->world.actors[3].length_m, 12.0);
  EXPECT_TRUE(s->requirements[1].spec.gating);
}

TEST(ScenarioTest, ResolveSubstitutesParametersIntoTheWorld) {
  const auto s = LoadScenario(WriteTemp("good.yaml", kGoodScenario));
  EXPECT_EQ(s->world.actors[0].speed_mps, 15.0);  // nominal: the centre
  const ResolvedInstance inst = s->Resolve({12.5});
  EXPECT_EQ(inst.world.actors[0].speed_mps, 12.5);
  EXPECT_EQ(inst.world.actors[1].s_m, 40.0);
}

TEST(ScenarioTest, BadScenarioReportsEveryProblemAtOnce) {
  std::string text = kGoodScenario;
  auto replace = [&](const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("duration_s: 2", "duration_s: 2\n  time_step_s: 0\n  time_stpe_s: 1");
  replace("{uniform: [10, 20]}", "{uniform: [20, 10]}");
  replace("s_m: 40, speed_mps: 0}", "s_m: 40, speed_mps: 0, speed_mps: 1}");
  replace("{name: gap_m, expr: lead.gap}", "{name: gap_m, expr: lead.gpa}");
  EXPECT_EQ(LoadErrors(WriteTemp("bad.yaml", text)),
            "bad.yaml:3:16: error: range of parameter 'v' has min 20 > max 10\n"
            "bad.yaml:7:3: error: unknown key 'time_stpe_s' in world (did you mean 'time_step_s'?)\n"
            "bad.yaml:11:59: error: duplicate key 'speed_mps' in world.actors[1]");
}

TEST(ScenarioTest, SemanticErrorsAreLocatedInTheFile) {
  std::string text = kGoodScenario;
  text.replace(text.find("duration_s: 2"), 13, "duration_s: -1");
  text.replace(text.find("lead.gap}"), 9, "lead.gpa}");
  text.replace(text.find("always (lead.gap > 0)"), 21, "always (lead.gap > 0");
  EXPECT_EQ(LoadErrors(WriteTemp("semantic.yaml", text)),
            "semantic.yaml:5:15: error: duration_s must be positive (got -1)\n"
            "semantic.yaml:13:27: error: unknown name 'lead.gpa' (did you mean 'lead.gap'?); known names: 'ego.x', "
            "'ego.y', 'ego.heading', 'ego.speed', 'ego.accel', 'ego.yaw_rate', 'ego.lane', 'ego.s', "
            "'ego.lateral_offset', 'ego.heading_error', 'lead.x', 'lead.y', 'lead.heading', 'lead.speed', "
            "'lead.accel', 'lead.yaw_rate', 'lead.lane', 'lead.s', 'lead.lateral_offset', 'lead.heading_error', "
            "'collision', 'lead.gap', 'lead.rel_speed', 'lead.ttc', 'lead.distance', 'lead.bearing', "
            "'lead.rel_heading', 'lead.collision', 'lead.contact_time'\n"
            "semantic.yaml:18:55: error: expected ')', found end of text");
}

TEST(ScenarioTest, NonPositiveStepAndDurationAreErrors) {
  std::string text = kGoodScenario;
  text.replace(text.find("duration_s: 2"), 13, "duration_s: 0\n  time_step_s: -0.01");
  EXPECT_EQ(LoadErrors(WriteTemp("step.yaml", text)),
            "step.yaml:6:16: error: time_step_s must be positive (got -0.01)\n"
            "step.yaml:5:15: error: duration_s must be positive (got 0)");
}

TEST(ScenarioTest, YamlSyntaxErrorHasPosition) {
  EXPECT_EQ(LoadErrors(WriteTemp("syntax.yaml", "scenario: x\nworld: {duration_s: 1\nmodel: 3\n")),
            "syntax.yaml:3:6: error: YAML syntax error: end of map flow not found");
}

TEST(ScenarioTest, MissingRequiredKeysAndWrongTypes) {
  EXPECT_EQ(LoadErrors(WriteTemp("missing.yaml", "scenario: [x]\nworld: {actors: 3}\n")),
            "missing.yaml:1:1: error: missing required key 'model'\n"
            "missing.yaml:1:1: error: missing required key 'requirements'\n"
            "missing.yaml:1:11: error: expected a string, found a list in scenario\n"
            "missing.yaml:2:8: error: missing required key 'duration_s' in world\n"
            "missing.yaml:2:17: error: expected a list, found '3' in world.actors");
}

TEST(SuiteTest, MissingModelFileAndUnknownModel) {
  WriteTemp("tiny.yaml", kGoodScenario);
  EXPECT_EQ(LoadErrors(WriteTemp("suite.yaml", "suite: s\nmodels:\n  net: {path: nowhere.onnx}\n  idm: {builtin: "
                                               "idm}\nscenarios:\n  - {scenario: tiny.yaml, model: imd}\n")),
            "suite.yaml:3:15: error: model file 'nowhere.onnx' does not exist (looked for nowhere.onnx)\n"
            "suite.yaml:6:34: error: unknown model 'imd' (did you mean 'idm'?); the suite's models are 'idm', 'net'");
}

TEST(SuiteTest, SearchOfAnUnknownRequirement) {
  WriteTemp("tiny.yaml", kGoodScenario);
  EXPECT_EQ(LoadErrors(WriteTemp("suite.yaml", "suite: s\nmodels: {idm: {builtin: idm}}\nscenarios:\n"
                                               "  - scenario: tiny.yaml\n    model: idm\n    generators:\n"
                                               "      - {kind: cma_es, count: 10, requirement: no_colision}\n")),
            "suite.yaml:7:9: error: unknown requirement 'no_colision' (did you mean 'no_collision'?); scenario "
            "'tiny' has 'no_collision'");
}

TEST(ScenarioTest, GeneratorFieldErrorsArePositioned) {
  // a bad count and a field the kind does not use; both used to pass silently
  std::string text = kGoodScenario;
  text.replace(text.find("  - {kind: uniform, count: 4}"), 29,
               "  - {kind: uniform, count: 0}\n  - {kind: bayesian, count: 30, sigma: 0.2}\n  - {kind: edge_cases, levels: 0}");
  EXPECT_EQ(LoadErrors(WriteTemp("generators.yaml", text)),
            "generators.yaml:20:28: error: generator 'uniform' needs a count > 0\n"
            "generators.yaml:21:40: error: 'sigma' has no effect on a 'bayesian' generator (it applies to cma_es and "
            "cross_entropy)\n"
            "generators.yaml:22:32: error: levels must be >= 1");
}

TEST(SuiteTest, GeneratorFieldErrorsOfAnEntryArePositioned) {
  WriteTemp("tiny.yaml", kGoodScenario);
  EXPECT_EQ(LoadErrors(WriteTemp("suite.yaml", "suite: s\nmodels: {idm: {builtin: idm}}\nscenarios:\n"
                                               "  - scenario: tiny.yaml\n    model: idm\n    generators:\n"
                                               "      - {kind: grid, count: 10, restarts: 2}\n")),
            "suite.yaml:7:43: error: 'restarts' has no effect on a 'grid' generator (it applies to cma_es and "
            "cross_entropy)");
}

TEST(SuiteTest, FormalBoundOnAnOutputTheModelLacks) {
  // a check that silently disappeared before: the bound on output 3 of a one-output model
  WriteTemp("formal.yaml", std::string(kGoodScenario) +
                               "formal:\n  output_bounds:\n    - {name: accel_range, input_lo: [0, 0, -15], "
                               "input_hi: [150, 40, 40], output: 3, min: -9, max: 3}\n");
  EXPECT_EQ(LoadErrors(WriteTemp("suite.yaml", "suite: s\nmodels: {idm: {builtin: idm}}\nscenarios:\n"
                                               "  - {scenario: formal.yaml, model: idm}\n")),
            "suite.yaml:4:5: error: formal check 'accel_range' of scenario 'tiny' bounds output 3 but model 'idm' "
            "has 1");
}

/// kGoodScenario with `parameters` (lines from 3) in place of its one parameter.
std::string WithParameters(const std::string& parameters) {
  std::string text = kGoodScenario;
  const std::string from = "  v: {uniform: [10, 20]}\n";
  text.replace(text.find(from), from.size(), parameters + "  v: {uniform: [10, 20]}\n");
  return text;
}

TEST(ScenarioTest, LogNormalPoissonWeightedChoiceAndHistogramParameters) {
  const std::string path = WriteTemp("kinds.yaml", WithParameters("  t_react: {lognormal: {mean: 1.2, stddev: 0.4, max: 3}}\n"
                                                                  "  t_var: {lognormal: {mean: 1.2, variance: 0.16}}\n"
                                                                  "  peds: {poisson: {mean: 2.5, min: 1, max: 8}}\n"
                                                                  "  lane: {choice: [1, 2, 3], weights: [1, 3, 0]}\n"
                                                                  "  speed: {histogram: [0, 30 km/h, 50 km/h], weights: [1, 4], nominal: 5}\n"));
  EXPECT_EQ(LoadErrors(path), "ok");
  const auto s = LoadScenario(path);
  const std::vector<Parameter>& p = s->parameters.parameters;
  ASSERT_EQ(p.size(), 6u);
  EXPECT_EQ(p[0].kind, Parameter::Kind::kLogNormal);
  EXPECT_EQ(p[0].mean, 1.2);
  EXPECT_EQ(p[0].stddev, 0.4);
  EXPECT_TRUE(std::isinf(p[0].lo));
  EXPECT_EQ(p[0].hi, 3.0);
  EXPECT_EQ(p[1].stddev, 0.4);  // sqrt of the variance
  EXPECT_EQ(p[2].kind, Parameter::Kind::kPoisson);
  EXPECT_EQ(p[2].mean, 2.5);
  EXPECT_EQ(p[2].lo, 1.0);
  EXPECT_EQ(p[2].hi, 8.0);
  EXPECT_EQ(p[3].kind, Parameter::Kind::kChoice);
  EXPECT_EQ(p[3].weights, (std::vector<double>{1, 3, 0}));
  EXPECT_EQ(p[3].Nominal(), 2.0);  // the most likely
  EXPECT_EQ(p[4].kind, Parameter::Kind::kHistogram);
  ASSERT_EQ(p[4].edges.size(), 3u);
  EXPECT_EQ(p[4].edges[0], 0.0);
  EXPECT_DOUBLE_EQ(p[4].edges[1], 30 / 3.6);
  EXPECT_DOUBLE_EQ(p[4].edges[2], 50 / 3.6);
  EXPECT_EQ(p[4].weights, (std::vector<double>{1, 4}));
  EXPECT_EQ(p[4].Nominal(), 5.0);
  EXPECT_EQ(p[0].pos.line, 3);
}

TEST(ScenarioTest, TheDocumentedParameterExampleLoads) {
  std::ifstream in(kSource + "/docs/scenario-format.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t section = doc.find("## Parameters\n");
  ASSERT_NE(section, std::string::npos);
  const std::string marker = "```yaml\nparameters:\n";
  const size_t begin = doc.find(marker, section);
  ASSERT_LT(begin, doc.find("\n## ", section + 1));
  const size_t end = doc.find("```", begin + marker.size());
  const std::string path = WriteTemp("doc_parameters.yaml", WithParameters(doc.substr(begin + marker.size(), end - begin - marker.size())));
  ASSERT_EQ(LoadErrors(path), "ok");
  const auto s = LoadScenario(path);
  ASSERT_EQ(s->parameters.dimension(), 5u);
  EXPECT_EQ(s->parameters.parameters[3].kind, Parameter::Kind::kHistogram);
  EXPECT_DOUBLE_EQ(s->parameters.parameters[3].edges.back(), 130 / 3.6);
}

TEST(ScenarioTest, BadNewParameterKindsArePositionedErrors) {
  const std::string path = WriteTemp("badkinds.yaml", WithParameters("  a: {lognormal: {mean: -1, stddev: 0.4}}\n"          // 3
                                                                     "  b: {lognormal: {mean: 1, stddev: 1, variance: 1}}\n"  // 4
                                                                     "  c: {lognormal: {mean: 1, stdev: 1}}\n"                // 5
                                                                     "  d: {poisson: {mean: 0}}\n"                            // 6
                                                                     "  e: {poisson: {mean: 3, min: 2.2, max: 2.8}}\n"        // 7
                                                                     "  f: {choice: [1, 2], weights: [1]}\n"                  // 8
                                                                     "  g: {choice: [1, 2], weights: [1, -2]}\n"              // 9
                                                                     "  h: {histogram: [0, 2, 1], weights: [1, 1]}\n"         // 10
                                                                     "  i: {histogram: [0, 1, 2]}\n"                          // 11
                                                                     "  j: {uniform: [0, 1], weights: [1]}\n"                 // 12
                                                                     "  k: {choice: [1, 2], weights: [0, 0]}\n"               // 13
                                                                     "  l: {poisson: {mean: 3, max: 9}, nominal: 2.5}\n"      // 14
                                                                     "  m: {lognormal: {mean: 1, variance: 0}}\n"             // 15
                                                                     "  n: {choice: [1, 2], weights: [0, 1], nominal: 1}\n"));  // 16
  const std::string errors = LoadErrors(path);
  for (const char* expected :
       {"badkinds.yaml:3:25: error: mean of parameter 'a' must be positive",
        "badkinds.yaml:4:18: error: lognormal needs 'mean' and one of 'stddev' or 'variance'",
        "badkinds.yaml:5:28: error: unknown key 'stdev' in c.lognormal (did you mean 'stddev'?)",
        "badkinds.yaml:6:23: error: mean of parameter 'd' must be > 0 and at most 1e9",
        "badkinds.yaml:7:16: error: range of parameter 'e' holds no integer",
        "badkinds.yaml:8:32: error: weights of parameter 'f' needs one weight per choice (2), got 1",
        "badkinds.yaml:9:36: error: a weight of parameter 'g' must be a finite number >= 0",
        "badkinds.yaml:10:25: error: the edges of parameter 'h' must increase (1 follows 2)",
        "badkinds.yaml:11:18: error: histogram needs 'weights' beside it, one per bin (2)",
        "badkinds.yaml:12:33: error: weights of parameter 'j' go with a 'choice' or a 'histogram'",
        "badkinds.yaml:13:32: error: weights of parameter 'k' need a positive weight",
        "badkinds.yaml:14:3: error: parameter 'l': nominal value 2.5 is not one of its values",
        "badkinds.yaml:15:38: error: variance of parameter 'm' must be positive",
        "badkinds.yaml:16:3: error: parameter 'n': nominal value 1 is not one of its values"}) {
    EXPECT_NE(errors.find(expected), std::string::npos) << "missing: " << expected << "\nin:\n" << errors;
  }
  const std::string unknown = LoadErrors(WriteTemp("unknownkind.yaml", WithParameters("  z: {lognormel: {mean: 1}}\n")));
  EXPECT_NE(unknown.find("unknownkind.yaml:3:7: error: unknown key 'lognormel' in z (did you mean 'lognormal'?)"),
            std::string::npos)
      << unknown;
}

}  // namespace
}  // namespace gauntlet::scenarios
