// `gauntlet gate` end to end on the zoo models: the flawed model must not replace the good one.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "scenarios/instance_result.h"

namespace gauntlet::app {
namespace {

const std::string kData = GAUNTLET_SOURCE_DIR "/tests/gate/testdata/";
const std::string kGood = GAUNTLET_SOURCE_DIR "/zoo/acc_good.onnx";
const std::string kFlawed = GAUNTLET_SOURCE_DIR "/zoo/acc_flawed.onnx";

struct Outcome {
  int code = 0;
  std::string out, err;
  nlohmann::json gate;
};

Outcome Gate(const std::string& name, std::vector<std::string> args, const std::string& suite = "gate_suite.yaml") {
  const std::string out_dir = ::testing::TempDir() + "gate_command_test_" + name;
  std::filesystem::remove_all(out_dir);
  args.insert(args.begin(), kData + suite);
  args.insert(args.end(), {"--out", out_dir, "--threads", "2"});
  Outcome o;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  o.code = RunGateCommand(args);
  o.out = ::testing::internal::GetCapturedStdout();
  o.err = ::testing::internal::GetCapturedStderr();
  std::ifstream in(out_dir + "/gate.json");
  if (in) o.gate = nlohmann::json::parse(in);
  return o;
}

std::vector<scenarios::InstanceResult> ReadResults(const std::string& path) {
  std::vector<scenarios::InstanceResult> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) out.push_back(scenarios::FromJsonLine(line, path));
  return out;
}

TEST(GateCommandTest, FlawedCandidateAgainstGoodBaselineIsRejected) {
  const Outcome o = Gate("flawed", {"--candidate", kFlawed, "--baseline", kGood});
  ASSERT_EQ(o.code, 1) << o.out << o.err;
  EXPECT_EQ(o.out.rfind("gate: REJECTED", 0), 0u) << o.out;
  EXPECT_NE(o.out.find("decided by: no_new_failures: "), std::string::npos) << o.out;
  ASSERT_EQ(o.gate["verdict"], "rejected");
  EXPECT_EQ(o.gate["deciding_rule"]["rule"], "no_new_failures");
  ASSERT_GT(o.gate["newly_failing"].size(), 0u);
  // every newly failing instance is named on stdout and has the flaw's signature: a high closing speed
  for (const auto& change : o.gate["newly_failing"]) {
    const std::string id = change["id"];
    EXPECT_NE(o.out.find("  " + id + "  ["), std::string::npos) << id;
    EXPECT_EQ(change["family"], "lead_brake_short@acc");
    EXPECT_LT(change["candidate_robustness"].get<double>(), 0.0);
  }
  EXPECT_EQ(o.gate["newly_passing"].size(), 0u);

  // both runs on the same instances, the built-in family left out
  const std::string dir = ::testing::TempDir() + "gate_command_test_flawed";
  const auto candidate = ReadResults(dir + "/candidate/results.jsonl");
  const auto baseline = ReadResults(dir + "/baseline/results.jsonl");
  ASSERT_EQ(candidate.size(), 40u);
  ASSERT_EQ(baseline.size(), candidate.size());
  for (size_t i = 0; i < candidate.size(); ++i) {
    EXPECT_EQ(candidate[i].id, baseline[i].id);
    EXPECT_EQ(candidate[i].seed, baseline[i].seed);
    EXPECT_EQ(candidate[i].family, "lead_brake_short@acc");
  }
  EXPECT_TRUE(std::filesystem::exists(dir + "/candidate/junit.xml"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/baseline/summary.json"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/baseline/run.json"));
}

TEST(GateCommandTest, GoodCandidateAgainstFlawedBaselineIsAccepted) {
  const Outcome o = Gate("good", {"--candidate", kGood, "--baseline", kFlawed, "--policy", kData + "policy.yaml"});
  ASSERT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_EQ(o.out.rfind("gate: ACCEPTED", 0), 0u) << o.out;
  EXPECT_NE(o.out.find("note: formal_must_hold: skipped, no result has origin \"formal\""), std::string::npos) << o.out;
  EXPECT_EQ(o.gate["verdict"], "accepted");
  EXPECT_GT(o.gate["newly_passing"].size(), 0u);
  EXPECT_EQ(o.gate["newly_failing"].size(), 0u);
}

TEST(GateCommandTest, PolicyRulesNameTheirFiguresWhenTheyReject) {
  const Outcome o = Gate("policy", {"--candidate", kFlawed, "--baseline", kGood, "--policy", kData + "policy.yaml"});
  ASSERT_EQ(o.code, 1) << o.out << o.err;
  // the flawed model collides: zero tolerance on no_collision decides
  EXPECT_EQ(o.gate["deciding_rule"]["rule"], "zero_tolerance") << o.out;
  EXPECT_NE(o.out.find("decided by: zero_tolerance [no_collision]: failed on "), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  FAIL no_new_failures: "), std::string::npos) << o.out;
}

// A suite with formal checks: the baseline side runs the candidate's formal lines too (they have no
// parameters: they are checks of the network, not simulations), each with the baseline's network.
TEST(GateCommandTest, FormalChecksArePairedAndRunWithEachSidesNetwork) {
  const Outcome o = Gate("formal", {"--candidate", kFlawed, "--baseline", kGood, "--policy", kData + "policy.yaml"},
                         "formal_suite.yaml");
  ASSERT_NE(o.code, 2) << o.out << o.err;
  ASSERT_EQ(o.gate["verdict"], o.code == 0 ? "accepted" : "rejected") << o.out;
  bool formal_rule = false;
  for (const auto& rule : o.gate["rules"]) formal_rule = formal_rule || rule["rule"] == "formal_must_hold";
  EXPECT_TRUE(formal_rule) << o.out;  // checked, not skipped
  EXPECT_EQ(o.out.find("formal_must_hold: skipped"), std::string::npos) << o.out;

  const std::string dir = ::testing::TempDir() + "gate_command_test_formal";
  const auto candidate = ReadResults(dir + "/candidate/results.jsonl");
  const auto baseline = ReadResults(dir + "/baseline/results.jsonl");
  ASSERT_EQ(baseline.size(), candidate.size());
  std::vector<std::string> formal_ids;
  for (size_t i = 0; i < candidate.size(); ++i) {
    EXPECT_EQ(candidate[i].id, baseline[i].id);
    EXPECT_EQ(candidate[i].origin, baseline[i].origin);
    if (candidate[i].origin == "formal") formal_ids.push_back(candidate[i].id);
  }
  EXPECT_EQ(formal_ids, (std::vector<std::string>{"lead_brake_formal@acc#12 formal:accel_within_actuator_range",
                                                  "lead_brake_formal@acc#13 formal:stable_near_visited_states"}));

  // each side's formal results are those a plain run of its model gives (the same states for local robustness)
  for (const auto& [side, model] : {std::pair{std::string("candidate"), kFlawed}, std::pair{std::string("baseline"), kGood}}) {
    const std::string run_dir = dir + "/run_" + side;
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    const int code = RunRunCommand({kData + "formal_suite.yaml", "--model", "acc=" + model, "--out", run_dir, "--quiet",
                                    "--threads", "2"});
    const std::string err = ::testing::internal::GetCapturedStderr();
    (void)::testing::internal::GetCapturedStdout();
    ASSERT_NE(code, 2) << err;
    const auto run = ReadResults(run_dir + "/results.jsonl");
    const auto& gated = side == "candidate" ? candidate : baseline;
    ASSERT_EQ(run.size(), gated.size()) << side;
    for (size_t i = 0; i < run.size(); ++i) {
      if (run[i].origin != "formal") continue;
      EXPECT_EQ(run[i].id, gated[i].id) << side;
      EXPECT_EQ(run[i].status, gated[i].status) << side << " " << run[i].id;
      ASSERT_EQ(run[i].requirements.size(), gated[i].requirements.size()) << side << " " << run[i].id;
      for (size_t k = 0; k < run[i].requirements.size(); ++k) {
        EXPECT_EQ(run[i].requirements[k].satisfied, gated[i].requirements[k].satisfied) << side << " " << run[i].id;
        EXPECT_EQ(run[i].requirements[k].robustness, gated[i].requirements[k].robustness) << side << " " << run[i].id;
      }
    }
  }
}

TEST(GateCommandTest, UsageErrors) {
  Outcome o = Gate("usage1", {"--candidate", kFlawed});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("gauntlet gate: expected one suite file, --candidate and --baseline"), std::string::npos) << o.err;
  o = Gate("usage2", {"--candidate", kFlawed, "--baseline", kGood, "--slot", "idm"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err, "gauntlet gate: --slot 'idm' is not a file-based model of the suite; its file-based models are 'acc'\n");
  o = Gate("usage3", {"--candidate", kFlawed, "--baseline", kGood, "--policy", kData + "missing.yaml"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err, kData + "missing.yaml: error: cannot read the file\n");
  o = Gate("usage4", {"--candidate", kData + "nope.onnx", "--baseline", kGood});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("nope.onnx' does not exist"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace gauntlet::app
