// The campaign: deterministic for any thread count, replayable, and an instance's failure is its own.

#include "scenarios/campaign.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenarios/suite.h"
#include "tests/test_files.h"

namespace gauntlet::scenarios {
namespace {

namespace fs = std::filesystem;

const std::string kTestData = std::string(GAUNTLET_SOURCE_DIR) + "/tests/scenarios/testdata/";

using gauntlet::test::ReadFile;

std::string TempDir(const std::string& name) { return test::ScratchPath("campaign_test_" + name); }

TEST(CampaignTest, SerialAndParallelGiveByteIdenticalResults) {
  const Suite suite = LoadSuite(kTestData + "brake_suite.yaml");
  const std::string one = TempDir("t1"), two = TempDir("t2");
  const CampaignOutcome serial = RunCampaign(suite, {.threads = 1, .out_dir = one});
  const CampaignOutcome parallel = RunCampaign(suite, {.threads = 2, .out_dir = two});
  const std::string a = ReadFile(one + "/results.jsonl");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, ReadFile(two + "/results.jsonl"));
  ASSERT_EQ(serial.results.size(), parallel.results.size());
  // the plan: edge cases, uniform points, then the search (and shrinking, if it found a violation)
  size_t searched = 0, modelled = 0, failed = 0, shrinking = 0, shrunk = 0;
  for (const auto& r : serial.results) {
    searched += r.origin == "cma_es" ? 1 : 0;
    modelled += r.origin == "bayesian" ? 1 : 0;
    shrinking += r.origin == "shrink" ? 1 : 0;
    shrunk += r.origin == "shrunk" ? 1 : 0;
    failed += r.Failed() ? 1 : 0;
  }
  EXPECT_GT(searched, 0u);
  EXPECT_GT(modelled, 0u);  // the second family searches with Bayesian optimisation
  EXPECT_GT(shrinking, 0u) << "the search finds a violation and shrinks it";
  EXPECT_EQ(shrunk, 2u) << "both searches find a violation";
  EXPECT_GT(failed, 0u) << "hard braking at short gaps must make IDM collide";
  EXPECT_LT(failed, serial.results.size());
}

TEST(CampaignTest, SearchMinimisesTheRequirementItNames) {
  // the same scenario, searched for a violation of the advisory comfort requirement instead of the
  // lowest gating one: the search stops after the batch where comfort first fails
  const std::string dir = TempDir("chosen");
  fs::create_directories(dir);
  std::ofstream(dir + "/suite.yaml") << "suite: chosen\nseed: 7\nmodels: {idm: {builtin: idm, params: {v0: 30}}}\n"
                                        "scenarios:\n  - scenario: " << kTestData << "brake_scenario.yaml\n"
                                        "    generators: [{kind: cma_es, count: 200, population: 8, shrink: false, "
                                        "requirement: comfort}]\n";
  const CampaignOutcome out = RunCampaign(LoadSuite(dir + "/suite.yaml"), {.threads = 2});
  ASSERT_FALSE(out.results.empty());
  auto comfort_failed = [](const InstanceResult& r) {
    for (const auto& q : r.requirements) {
      if (q.name == "comfort") return r.status == InstanceStatus::kCompleted && !q.satisfied;
    }
    return false;
  };
  size_t first = out.results.size();
  for (size_t i = 0; i < out.results.size(); ++i) {
    if (comfort_failed(out.results[i])) {
      first = i;
      break;
    }
  }
  ASSERT_LT(first, out.results.size()) << "the search finds a comfort violation";
  EXPECT_EQ(out.results.size(), (first / 8 + 1) * 8) << "it stops after that batch";
}

TEST(CampaignTest, ExampleSuiteGivesByteIdenticalResultsWithOneAndTwoThreads) {
  const Suite suite = LoadSuite(std::string(GAUNTLET_SOURCE_DIR) + "/configs/example.yaml");
  const std::string one = TempDir("example1"), two = TempDir("example2");
  (void)RunCampaign(suite, {.threads = 1, .out_dir = one, .keep_results = false});
  (void)RunCampaign(suite, {.threads = 2, .out_dir = two, .keep_results = false});
  const std::string a = ReadFile(one + "/results.jsonl");
  EXPECT_GT(a.size(), 10000u);
  EXPECT_EQ(a, ReadFile(two + "/results.jsonl"));
}

TEST(CampaignTest, EveryInstanceReplaysBitIdentically) {
  const Suite suite = LoadSuite(kTestData + "brake_suite.yaml");
  const CampaignOutcome outcome = RunCampaign(suite, {.threads = 2});
  ASSERT_FALSE(outcome.results.empty());
  for (size_t i = 0; i < outcome.results.size(); i += 7) {
    const InstanceResult& r = outcome.results[i];
    const auto family_of = std::find_if(suite.families.begin(), suite.families.end(),
                                        [&](const Family& f) { return f.name == r.family; });
    ASSERT_NE(family_of, suite.families.end()) << r.family;
    const Family& family = *family_of;
    std::vector<double> values;
    for (size_t k = 0; k < family.scenario->parameters.dimension(); ++k) values.push_back(r.parameters[k].second);
    core::Trace trace;
    InstanceResult again = RunInstance(suite, family, r.index, values, r.seed, r.origin, &trace);
    again.plan_index = r.plan_index;
    EXPECT_EQ(ToJsonLine(again), ToJsonLine(r));
    EXPECT_FALSE(trace.empty());
  }
}

TEST(CampaignTest, AnInstanceErrorIsItsOwnAndTheOthersRun) {
  // lead.gap / (ego.speed - 20) divides by zero when the ego starts at exactly 20 m/s
  std::string text = ReadFile(kTestData + "brake_scenario.yaml");
  text.replace(text.find("ego_speed: {uniform: [15, 30]}"), 30, "ego_speed: {choice: [15, 20, 25]}");
  text.replace(text.find("expr: ego.speed}"), 16, "expr: lead.gap / (ego.speed - 20)}");
  const fs::path dir = test::FreshDir("campaign_test_error");
  std::ofstream(dir / "s.yaml") << text;
  std::ofstream(dir / "suite.yaml") << "suite: e\nmodels: {idm: {builtin: idm}}\nscenarios: [{scenario: s.yaml, "
                                       "generators: [{kind: grid, levels: 2}]}]\n";
  const Suite suite = LoadSuite((dir / "suite.yaml").string());
  const CampaignOutcome outcome = RunCampaign(suite, {.threads = 2});
  size_t errors = 0, completed = 0;
  for (const auto& r : outcome.results) {
    if (r.status == InstanceStatus::kError) {
      ++errors;
      EXPECT_EQ(r.parameters[0].second, 20.0);
      EXPECT_NE(r.error.find("division by zero"), std::string::npos) << r.error;
    } else {
      ++completed;
    }
  }
  EXPECT_EQ(errors, 4u);  // the 2 x 2 grid points of the other two parameters at ego_speed 20
  EXPECT_EQ(completed, 8u);
}

TEST(CampaignTest, StoppingRuleEndsSamplingAtTheSamePointForAnyThreadCount) {
  const fs::path dir = test::FreshDir("campaign_test_rule");
  std::ofstream(dir / "suite.yaml") << "suite: e\nmodels: {idm: {builtin: idm}}\nscenarios: [{scenario: " << kTestData
                                    << "brake_scenario.yaml, generators: [{kind: uniform, count: 300, "
                                       "stop_on_failure: true}]}]\n";
  const Suite suite = LoadSuite((dir / "suite.yaml").string());
  const CampaignOutcome one = RunCampaign(suite, {.threads = 1});
  const CampaignOutcome two = RunCampaign(suite, {.threads = 2});
  ASSERT_FALSE(one.results.empty());
  EXPECT_LT(one.results.size(), 300u);
  EXPECT_TRUE(one.results.back().Failed());  // the first failure in plan order ends the sampling
  for (size_t i = 0; i + 1 < one.results.size(); ++i) EXPECT_FALSE(one.results[i].Failed());
  ASSERT_EQ(one.results.size(), two.results.size());
  for (size_t i = 0; i < one.results.size(); ++i) EXPECT_EQ(ToJsonLine(one.results[i]), ToJsonLine(two.results[i]));
  ASSERT_EQ(one.coverage.size(), 1u);
  EXPECT_EQ(one.coverage[0].points, one.results.size());
}

TEST(CampaignTest, AcasXuEncounterSwitchesNetworksByPreviousAdvisoryAndReplays) {
  const Suite suite = LoadSuite(std::string(GAUNTLET_SOURCE_DIR) + "/configs/acasxu.yaml");
  ASSERT_EQ(suite.models.at("acas").by_previous_advisory.size(), 5u);
  const CampaignOutcome outcome = RunCampaign(suite, {.threads = 2});
  ASSERT_FALSE(outcome.results.empty());
  const Family& family = suite.families[0];
  bool turned = false;
  for (size_t i = 0; i < outcome.results.size(); i += 9) {
    const InstanceResult& r = outcome.results[i];
    ASSERT_EQ(r.status, InstanceStatus::kCompleted) << r.error;
    std::vector<double> values;
    for (size_t k = 0; k < family.scenario->parameters.dimension(); ++k) values.push_back(r.parameters[k].second);
    core::Trace trace;
    InstanceResult again = RunInstance(suite, family, r.index, values, r.seed, r.origin, &trace);
    again.plan_index = r.plan_index;
    EXPECT_EQ(ToJsonLine(again), ToJsonLine(r));
    // advisories are issued once per second: the command changes only on whole seconds
    const auto advisory = trace.column("model.advisory");
    for (size_t row = 1; row < trace.size(); ++row) {
      if (advisory[row] != advisory[row - 1]) {
        const double t = trace.time()[row];
        EXPECT_NEAR(t, std::round(t), 1e-9);
      }
      turned = turned || advisory[row] != 0.0;
    }
  }
  EXPECT_TRUE(turned) << "head-on encounters must draw turn advisories";
}

TEST(CampaignTest, StopOnViolationEndsFailingRunsEarlyWithTheSameVerdicts) {
  const std::string text = ReadFile(kTestData + "brake_scenario.yaml");
  const fs::path dir = test::FreshDir("campaign_test_stop");
  auto run = [&](bool stop) {
    std::string t = text;
    t.replace(t.find("{name: no_collision, formula: always (lead.gap > 0)}"), 52,
              std::string("{name: safe_gap, formula: always (lead.gap > 3), stop_on_violation: ") +
                  (stop ? "true}" : "false}"));
    std::ofstream(dir / "s.yaml") << t;
    std::ofstream(dir / "suite.yaml") << "suite: e\nmodels: {idm: {builtin: idm}}\nscenarios: [{scenario: s.yaml, "
                                         "generators: [{kind: uniform, count: 40}]}]\n";
    return RunCampaign(LoadSuite((dir / "suite.yaml").string()), {.threads = 2});
  };
  const CampaignOutcome full = run(false);
  const CampaignOutcome stopped = run(true);
  ASSERT_EQ(full.results.size(), stopped.results.size());
  size_t failed = 0;
  for (size_t i = 0; i < full.results.size(); ++i) {
    const auto& a = full.results[i].requirements[0];
    const auto& b = stopped.results[i].requirements[0];
    EXPECT_EQ(a.satisfied, b.satisfied);
    EXPECT_EQ(a.first_violation_time_s, b.first_violation_time_s);
    if (!a.satisfied) {
      ++failed;
      EXPECT_LT(stopped.results[i].steps, full.results[i].steps);
    } else {
      EXPECT_EQ(stopped.results[i].steps, full.results[i].steps);
    }
  }
  EXPECT_GT(failed, 0u);
}

}  // namespace
}  // namespace gauntlet::scenarios
