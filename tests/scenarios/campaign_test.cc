// The campaign: deterministic for any thread count, replayable, and an instance's failure is its own.

#include "scenarios/campaign.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenarios/suite.h"
#include "verifier/formal/checks.h"
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

/// The lead_brake scenario with the acc network, its formal section replaced by `formal`, and `generators`;
/// starting gaps up to 20 m and a lead at most 20 m/s fast make many instances start doomed (invalid).
std::string FormalSuite(const std::string& name, const std::string& formal, const std::string& generators) {
  const std::string source = std::string(GAUNTLET_SOURCE_DIR);
  std::string text = ReadFile(source + "/configs/scenarios/lead_brake.yaml");
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"gap: {uniform: [8 m, 60 m]}", "gap: {uniform: [8 m, 20 m]}"},
                                 {"lead_speed: {uniform: [10 m/s, 35 m/s]}", "lead_speed: {uniform: [10 m/s, 20 m/s]}"}}) {
    text.replace(text.find(from), from.size(), to);
  }
  const size_t from = text.find("\nformal:");
  text.replace(from, text.size() - from, "\n" + formal);
  const fs::path dir = test::FreshDir("campaign_test_" + name);
  std::ofstream(dir / "s.yaml") << text;
  std::ofstream(dir / "suite.yaml") << "suite: " << name << "\nseed: 11\nmodels: {acc: {path: " << source
                                    << "/zoo/acc_good.onnx}}\nscenarios: [{scenario: s.yaml, generators: " << generators
                                    << "}]\n";
  return (dir / "suite.yaml").string();
}

/// A local-robustness line as a one-by-one reference computes it: the family's first `states` completed
/// planned instances (of the first `sources`), in plan order, each run again with its trace and checked
/// around the model's input at its moment of lowest robustness (of the first gating requirement).
struct LocalReference {
  bool satisfied = true;
  double margin = INFINITY;
  std::vector<double> violated_at;  ///< the first state whose check is violated
  size_t checked = 0;
};
LocalReference ReferenceLocalRobustness(const Suite& suite, const std::vector<InstanceResult>& plan, size_t sources,
                                        size_t states, double delta) {
  const Family& family = suite.families[0];
  const models::Model& net = *suite.ModelOf(family).network;
  LocalReference ref;
  for (size_t i = 0; i < sources && ref.checked < states; ++i) {
    const InstanceResult& r = plan.at(i);
    EXPECT_EQ(r.index, i);
    if (r.status != InstanceStatus::kCompleted) continue;
    std::vector<double> values;
    for (const auto& [name, value] : r.parameters) values.push_back(value);
    core::Trace trace;
    const InstanceResult again = RunInstance(suite, family, r.index, values, r.seed, r.origin, &trace);
    EXPECT_EQ(ToJsonLine(again), ToJsonLine(r));
    // the first sample at or after the first gating requirement's moment of lowest robustness
    const auto gating = std::find_if(again.requirements.begin(), again.requirements.end(),
                                     [](const RequirementOutcome& q) { return q.gating; });
    if (gating == again.requirements.end()) {
      ADD_FAILURE() << "lead_brake has gating requirements";
      return ref;
    }
    const auto time = trace.time();
    const size_t row = std::min<size_t>(
        trace.size() - 1, static_cast<size_t>(std::lower_bound(time.begin(), time.end(), gating->min_robustness_time_s) -
                                               time.begin()));
    verifier::formal::LocalRobustnessSpec spec;
    for (const char* input : {"model.in.gap_m", "model.in.speed_mps", "model.in.closing_speed_mps"}) {
      spec.point.push_back(trace.column(input)[row]);
    }
    spec.epsilon = {0.5, 0.2, 0.2};
    spec.delta = delta;
    const auto check = verifier::formal::LocalRobustnessCheck(net, spec, 60.0, 1);
    ++ref.checked;
    if (check.verdict == verifier::formal::Verdict::kViolated) {
      if (ref.satisfied) ref.violated_at = spec.point;
      ref.satisfied = false;
      ref.margin = -1.0;
      continue;
    }
    EXPECT_EQ(check.verdict, verifier::formal::Verdict::kHolds) << check.detail;
    std::vector<double> y(net.output_size());
    models::Workspace ws;
    net.Evaluate(spec.point, y, ws);
    for (size_t j = 0; j < y.size(); ++j) {
      ref.margin = std::min(ref.margin, delta - std::max(check.output_hi[j] - y[j], y[j] - check.output_lo[j]));
    }
  }
  return ref;
}

TEST(CampaignTest, FormalChecksTakeTheFirstCompletedInstancesForAnyThreadCount) {
  // the formal checks run alongside the instances, local robustness re-running its instances in waves:
  // starting gaps short for the closing speeds make many planned instances invalid (broken assumption),
  // so the states are the first completed ones, not the first ones; one check violated, one holding
  const std::string path = FormalSuite(
      "formal_states",
      "formal:\n"
      "  output_bounds:\n"
      "    - {name: accel_range, input_lo: [0, 0, -15], input_hi: [150, 40, 40], output: 0, min: -9.0001, max: 3.0001,"
      " time_budget_s: 60}\n"
      "  local_robustness:\n"
      "    - {name: tight, epsilon: [0.5, 0.2, 0.2], delta: 0.001, states: 5, time_budget_s: 60}\n"
      "    - {name: loose, epsilon: [0.5, 0.2, 0.2], delta: 1.0, states: 2, time_budget_s: 60}\n",
      "[{kind: uniform, count: 24}]");
  const Suite suite = LoadSuite(path);
  std::string expected;
  for (const int threads : {1, 2, 3}) {
    const std::string out = TempDir("formal_states" + std::to_string(threads));
    const CampaignOutcome outcome = RunCampaign(suite, {.threads = threads, .out_dir = out});
    const std::string results = ReadFile(out + "/results.jsonl");
    if (threads > 1) {
      EXPECT_EQ(results, expected) << threads << " threads";
      continue;
    }
    expected = results;
    ASSERT_EQ(outcome.results.size(), 24u + 3u);
    const std::vector<InstanceResult> plan(outcome.results.begin(), outcome.results.begin() + 24);
    size_t invalid_first = 0;  // invalid instances among the first ten (the states' sources)
    for (size_t i = 0; i < 10; ++i) invalid_first += plan[i].status == InstanceStatus::kInvalid ? 1 : 0;
    ASSERT_GE(invalid_first, 2u) << "the test needs instances that give no state";
    ASSERT_LE(invalid_first, 5u) << "and enough that do";
    const InstanceResult& bounds = outcome.results[24];
    const InstanceResult& tight = outcome.results[25];
    const InstanceResult& loose = outcome.results[26];
    EXPECT_EQ(bounds.id, "lead_brake#24 formal:accel_range");
    ASSERT_EQ(bounds.requirements.size(), 1u) << bounds.error;
    EXPECT_TRUE(bounds.requirements[0].satisfied);
    EXPECT_EQ(tight.id, "lead_brake#25 formal:tight");
    EXPECT_EQ(loose.id, "lead_brake#26 formal:loose");
    const LocalReference tight_ref = ReferenceLocalRobustness(suite, plan, 10, 5, 0.001);
    const LocalReference loose_ref = ReferenceLocalRobustness(suite, plan, 10, 2, 1.0);
    EXPECT_EQ(tight_ref.checked, 5u);
    EXPECT_EQ(loose_ref.checked, 2u);
    // the margin tells the states apart: a third one would lower it
    EXPECT_LT(ReferenceLocalRobustness(suite, plan, 10, 3, 1.0).margin, loose_ref.margin);
    ASSERT_EQ(tight.requirements.size(), 1u) << tight.error;
    ASSERT_EQ(loose.requirements.size(), 1u) << loose.error;
    EXPECT_FALSE(tight_ref.satisfied) << "a change of 0.001 m/s^2 is exceeded near any state";
    EXPECT_EQ(tight.requirements[0].satisfied, tight_ref.satisfied);
    ASSERT_TRUE(tight.witness.has_value());
    EXPECT_EQ(tight.witness->reference_input, tight_ref.violated_at);
    EXPECT_TRUE(loose_ref.satisfied);
    EXPECT_EQ(loose.requirements[0].satisfied, loose_ref.satisfied);
    EXPECT_EQ(loose.requirements[0].robustness, loose_ref.margin);
  }
  // the same lines when the checks run after another run's instances (the paired runs of a gate)
  const std::vector<InstanceResult> reference = RunCampaign(suite, {.threads = 2}).results;
  const CampaignOutcome same = RunSameInstances(suite, reference, {.threads = 2});
  ASSERT_EQ(same.results.size(), reference.size());
  for (size_t i = 0; i < reference.size(); ++i) EXPECT_EQ(ToJsonLine(same.results[i]), ToJsonLine(reference[i]));
}

}  // namespace
}  // namespace gauntlet::scenarios
