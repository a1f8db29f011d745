// LoadSuite (scenarios/suite.cc): model slots and their errors, the model binding checked against the
// model a family uses, family names, --model overrides and the fingerprint. (The first suite-level
// error tests live in scenario_test.cc.)

#include "scenarios/suite.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"
#include "tests/test_files.h"

namespace gauntlet::scenarios {
namespace {

namespace fs = std::filesystem;

const std::string kAccGood = GAUNTLET_SOURCE_DIR "/zoo/acc_good.onnx";
const std::string kAccFlawed = GAUNTLET_SOURCE_DIR "/zoo/acc_flawed.onnx";

// A scenario for the built-in controllers' inputs; OBSERVATION and ACTION are replaced per test.
const char* const kScenario = R"(scenario: NAME
world:
  duration_s: 2
  road: {roads: [{id: main, segments: [{length_m: 300}]}]}
  actors:
    - {name: ego, ego: true, lane: "main:0", s_m: 10, speed_mps: 15}
    - {name: lead, lane: "main:0", s_m: 40, speed_mps: 0}
model:
  slot: idm
  observation:
OBSERVATION
ACTION
requirements:
  - {name: no_collision, formula: always (lead.gap > 0)}
generators:
  - {kind: uniform, count: 4}
)";

const char* const kFollowObservation = R"(    - {name: gap_m, expr: lead.gap}
    - {name: speed_mps, expr: ego.speed}
    - {name: closing_speed_mps, expr: ego.speed - lead.speed})";

class LoadSuiteTest : public ::testing::Test {
 protected:
  /// Writes `text` to `name` in a fresh folder of this test and returns its path.
  std::string Write(const std::string& name, const std::string& text) { return test::WriteUnder(dir_, name, text); }
  /// Writes scenario `name`.yaml with the given observation and action lines.
  void WriteScenario(const std::string& name, const std::string& observation,
                     const std::string& action = "  accel_mps2: {output: 0}") {
    std::string text = kScenario;
    text.replace(text.find("NAME"), 4, name);
    text.replace(text.find("OBSERVATION"), 11, observation);
    text.replace(text.find("ACTION"), 6, action);
    Write(name + ".yaml", text);
  }
  /// The problems of loading suite `text`, with this test's folder left out of the paths; "ok" if none.
  std::string Errors(const std::string& text, const std::map<std::string, std::string>& overrides = {}) {
    return test::InputErrors([&] { (void)LoadSuite(Write("suite.yaml", text), overrides); }, dir_ + "/", "");
  }

  std::string dir_ =
      test::FreshDir("suite_test_" + std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
};

TEST_F(LoadSuiteTest, EveryModelSlotProblemAtOnce) {
  WriteScenario("tiny", kFollowObservation);
  EXPECT_EQ(Errors("suite: s\nmodels:\n"
                   "  both: {path: a.onnx, builtin: idm}\n"
                   "  neither: {params: {v0: 3}}\n"
                   "  mixed: {by_previous_advisory: [x.nnet], builtin: idm}\n"
                   "  file_params: {path: " + kAccGood + ", params: {v0: 3}}\n"
                   "  bad_param: {builtin: idm, params: {v00: 3}}\n"
                   "scenarios:\n  - {scenario: tiny.yaml, model: both}\n"),
            "suite.yaml:7:14: error: builtin policy 'idm': unknown parameter 'v00' (did you mean 'v0'?); known: "
            "'T', 'a', 'b', 'delta', 's0', 'v0'\n"
            "suite.yaml:3:9: error: model 'both' has both 'path' and 'builtin'; give one\n"
            "suite.yaml:6:" + std::to_string(33 + kAccGood.size()) + ": error: 'params' is for built-in models only\n"
            "suite.yaml:5:10: error: model 'mixed' has 'by_previous_advisory' and 'path' or 'builtin'; give one\n"
            "suite.yaml:4:12: error: model 'neither' needs 'path' (an .onnx or .nnet file) or 'builtin'");
}

TEST_F(LoadSuiteTest, TheBindingMustFitTheModel) {
  WriteScenario("two_inputs", "    - {name: gap_m, expr: lead.gap}\n    - {name: speed_mps, expr: ego.speed}");
  WriteScenario("misnamed", "    - {name: gap_m, expr: lead.gap}\n    - {name: speed, expr: ego.speed}\n"
                            "    - {name: closing_speed_mps, expr: ego.speed - lead.speed}");
  WriteScenario("output_two", kFollowObservation, "  accel_mps2: {output: 2}");
  WriteScenario("advisories", kFollowObservation,
                "  advisories: [{name: a, accel_mps2: 0}, {name: b, accel_mps2: -1}, {name: c, accel_mps2: -2}]");
  EXPECT_EQ(Errors("suite: s\nmodels:\n  acc: {path: " + kAccGood + "}\n  idm: {builtin: idm}\nscenarios:\n"
                   "  - {scenario: two_inputs.yaml, model: acc}\n"
                   "  - {scenario: misnamed.yaml, model: idm}\n"
                   "  - {scenario: output_two.yaml, model: acc}\n"
                   "  - {scenario: advisories.yaml, model: acc}\n"),
            "suite.yaml:6:5: error: model 'acc' takes 3 inputs but scenario 'two_inputs' observes 2\n"
            "suite.yaml:7:5: error: model 'idm' expects input 1 to be 'speed_mps' but scenario 'misnamed' gives "
            "'speed'\n"
            "suite.yaml:8:5: error: scenario 'output_two' reads output 2 but model 'acc' has 1\n"
            "suite.yaml:9:5: error: model 'acc' has 1 outputs but scenario 'advisories' lists 3 advisories");
  // a network's inputs have no names to check
  EXPECT_EQ(Errors("suite: s\nmodels:\n  acc: {path: " + kAccGood + "}\nscenarios:\n"
                   "  - {scenario: misnamed.yaml, model: acc}\n"),
            "ok");
}

TEST_F(LoadSuiteTest, NetworksByPreviousAdvisoryNeedOnePerAdvisory) {
  const std::string scenario = GAUNTLET_SOURCE_DIR "/configs/scenarios/acasxu_encounter.yaml";
  const std::string nnet = GAUNTLET_ACASXU_DIR "/nnet/ACASXU_run2a_";
  EXPECT_EQ(Errors("suite: s\nmodels:\n  acas:\n    by_previous_advisory:\n"
                   "      - " + nnet + "1_1_batch_2000.nnet\n      - " + nnet + "2_1_batch_2000.nnet\n"
                   "scenarios:\n  - {scenario: " + scenario + "}\n"),
            "suite.yaml:8:5: error: model 'acas' has 2 networks by previous advisory but scenario "
            "'acasxu_encounter' lists 5 advisories");
}

TEST_F(LoadSuiteTest, FamilyNames) {
  WriteScenario("tiny", kFollowObservation);
  const Suite suite = LoadSuite(Write("suite.yaml", "suite: s\nmodels:\n  idm: {builtin: idm}\n"
                                                    "  ttc: {builtin: ttc_brake}\nscenarios:\n"
                                                    "  - {scenario: tiny.yaml}\n"
                                                    "  - {scenario: tiny.yaml, model: ttc}\n"
                                                    "  - {scenario: tiny.yaml, model: ttc, name: third}\n"));
  ASSERT_EQ(suite.families.size(), 3u);
  EXPECT_EQ(suite.families[0].name, "tiny");
  EXPECT_EQ(suite.families[0].model_slot, "idm");  // the scenario's own slot
  EXPECT_EQ(suite.families[1].name, "tiny@ttc");
  EXPECT_EQ(suite.families[2].name, "third");
  EXPECT_EQ(suite.families[0].scenario, suite.families[1].scenario);  // loaded once
  EXPECT_EQ(suite.ModelOf(suite.families[1]).source, "builtin:ttc_brake");
  EXPECT_EQ(Errors("suite: s\nmodels: {idm: {builtin: idm}}\nscenarios:\n"
                   "  - {scenario: tiny.yaml}\n  - {scenario: tiny.yaml, model: idm, name: tiny}\n"),
            "suite.yaml:5:5: error: two scenario entries are both called 'tiny'; give one a distinct 'name'");
}

TEST_F(LoadSuiteTest, ModelOverridesAndTheFingerprint) {
  WriteScenario("tiny", kFollowObservation);
  fs::copy_file(kAccGood, dir_ + "/acc.onnx");
  const std::string text = "suite: s\nmodels:\n  idm: {path: acc.onnx}\nscenarios:\n  - {scenario: tiny.yaml}\n";
  const Suite first = LoadSuite(Write("suite.yaml", text));
  EXPECT_EQ(first.models.at("idm").source, dir_ + "/acc.onnx");
  EXPECT_EQ(first.fingerprint.size(), 16u);
  EXPECT_EQ(LoadSuite(dir_ + "/suite.yaml").fingerprint, first.fingerprint);
  // the model file's bytes count, not its name
  fs::copy_file(kAccFlawed, dir_ + "/acc.onnx", fs::copy_options::overwrite_existing);
  const Suite flawed = LoadSuite(dir_ + "/suite.yaml");
  EXPECT_NE(flawed.fingerprint, first.fingerprint);
  // so does the scenario's text
  std::ofstream(dir_ + "/tiny.yaml", std::ios::app) << "# a comment\n";
  EXPECT_NE(LoadSuite(dir_ + "/suite.yaml").fingerprint, flawed.fingerprint);
  // --model replaces a slot's file
  const Suite overridden = LoadSuite(dir_ + "/suite.yaml", {{"idm", kAccGood}});
  EXPECT_EQ(overridden.models.at("idm").source, kAccGood);
  EXPECT_EQ(Errors(text, {{"imd", kAccGood}, {"idm", dir_ + "/missing.onnx"}}),
            "--model: error: unknown model 'imd' (did you mean 'idm'?); the suite's models are 'idm'\n"
            "--model: error: model file 'missing.onnx' does not exist");
}

}  // namespace
}  // namespace gauntlet::scenarios
