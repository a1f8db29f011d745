#include "gate/gate_decision.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "gate/gate_policy.h"

namespace gauntlet::gate {
namespace {

using scenarios::InstanceResult;
using scenarios::InstanceStatus;
using scenarios::RequirementOutcome;

struct Req {
  const char* name;
  double robustness;
  bool gating = true;
};

InstanceResult Make(const std::string& family, size_t index, std::vector<Req> reqs,
                    InstanceStatus status = InstanceStatus::kCompleted) {
  InstanceResult r;
  r.family = family;
  r.index = index;
  r.plan_index = index;
  r.parameters = {{"gap", 10.0 + static_cast<double>(index)}};
  r.id = scenarios::MakeInstanceId(family, index, r.parameters);
  r.origin = "uniform";  // a random draw: counted by min_pass_rate
  r.seed = 1000 + index;
  r.status = status;
  for (const Req& q : reqs) {
    RequirementOutcome o;
    o.name = q.name;
    o.gating = q.gating;
    o.robustness = q.robustness;
    o.satisfied = q.robustness >= 0;
    if (!o.satisfied) o.first_violation_time_s = 1.5;
    r.requirements.push_back(o);
  }
  return r;
}

std::vector<InstanceResult> Passing(size_t n, double robustness = 3.0) {
  std::vector<InstanceResult> out;
  for (size_t i = 0; i < n; ++i) out.push_back(Make("f", i, {{"no_collision", robustness}, {"safe_gap", robustness - 2}}));
  return out;
}

TEST(GateDecisionTest, IdenticalRunsAreAcceptedAndFormalIsSkippedWithANote) {
  const auto runs = Passing(5);
  const GateDecision d = DecideGate({}, runs, runs);
  EXPECT_TRUE(d.Accepted());
  EXPECT_EQ(d.ExitCode(), 0);
  EXPECT_EQ(d.DecidingRule(), nullptr);
  EXPECT_EQ(d.paired, 5u);
  EXPECT_EQ(d.blocking, (std::vector<std::string>{"no_collision", "safe_gap"}));
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0], "formal_must_hold: skipped, no result has origin \"formal\"");
  EXPECT_TRUE(d.newly_failing.empty());
  EXPECT_TRUE(d.newly_passing.empty());
}

TEST(GateDecisionTest, NewlyFailingInstanceRejectsAndIsNamed) {
  const auto baseline = Passing(4);
  auto candidate = baseline;
  candidate[2] = Make("f", 2, {{"no_collision", 0.5}, {"safe_gap", -1.5}});
  const GateDecision d = DecideGate({}, candidate, baseline);
  EXPECT_FALSE(d.Accepted());
  EXPECT_EQ(d.ExitCode(), 1);
  ASSERT_NE(d.DecidingRule(), nullptr);
  EXPECT_EQ(d.DecidingRule()->rule, "no_new_failures");
  ASSERT_EQ(d.newly_failing.size(), 1u);
  EXPECT_EQ(d.newly_failing[0].id, "f#2 gap=12");
  EXPECT_EQ(d.newly_failing[0].requirements, std::vector<std::string>{"safe_gap"});
  EXPECT_DOUBLE_EQ(*d.newly_failing[0].baseline_robustness, 1.0);
  EXPECT_DOUBLE_EQ(*d.newly_failing[0].candidate_robustness, -1.5);
  const std::string text = GateText(d);
  EXPECT_NE(text.find("gate: REJECTED"), std::string::npos) << text;
  EXPECT_NE(text.find("decided by: no_new_failures: 1 instances pass with the baseline and fail with the candidate"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  f#2 gap=12  [safe_gap]  robustness 1 -> -1.5"), std::string::npos) << text;
  // the reverse is a newly passing instance and accepted
  const GateDecision r = DecideGate({}, baseline, candidate);
  EXPECT_TRUE(r.Accepted());
  ASSERT_EQ(r.newly_passing.size(), 1u);
  EXPECT_EQ(r.newly_passing[0].id, "f#2 gap=12");
}

TEST(GateDecisionTest, AdvisoryAndNonBlockingRequirementsDoNotReject) {
  const auto baseline = Passing(3);
  auto candidate = baseline;
  candidate[1] = Make("f", 1, {{"no_collision", 1.0}, {"safe_gap", -0.5}});
  GatePolicy policy;
  policy.blocking = {"no_collision"};
  EXPECT_TRUE(DecideGate(policy, candidate, baseline).Accepted());
  policy.blocking.clear();
  EXPECT_FALSE(DecideGate(policy, candidate, baseline).Accepted());
  // an instance error where the baseline passed is newly failing
  candidate[1] = Make("f", 1, {}, InstanceStatus::kError);
  const GateDecision d = DecideGate(policy, candidate, baseline);
  ASSERT_EQ(d.newly_failing.size(), 1u);
  EXPECT_EQ(d.newly_failing[0].requirements, std::vector<std::string>{"error"});
  // an invalid instance is neither
  candidate[1] = Make("f", 1, {}, InstanceStatus::kInvalid);
  EXPECT_TRUE(DecideGate(policy, candidate, baseline).Accepted());
}

TEST(GateDecisionTest, ZeroToleranceDecidesBeforeNewFailuresAndAllFailingRulesAreListed) {
  const auto baseline = Passing(4);
  auto candidate = baseline;
  candidate[3] = Make("f", 3, {{"no_collision", -0.2}, {"safe_gap", -2.2}});
  GatePolicy policy;
  policy.zero_tolerance = {"no_collision"};
  const GateDecision d = DecideGate(policy, candidate, baseline);
  ASSERT_NE(d.DecidingRule(), nullptr);
  EXPECT_EQ(d.DecidingRule()->rule, "zero_tolerance");
  EXPECT_EQ(d.DecidingRule()->subject, "no_collision");
  EXPECT_EQ(d.DecidingRule()->detail, "failed on 1 of 4 instances, first f#3 gap=13");
  size_t failing = 0;
  for (const RuleOutcome& r : d.rules) failing += r.passed ? 0 : 1;
  EXPECT_EQ(failing, 2u);
  EXPECT_NE(GateText(d).find("  FAIL no_new_failures: "), std::string::npos);
}

TEST(GateDecisionTest, PassRateCountsTheRandomDrawsUnlessThePolicySaysAll) {
  // 10 random draws pass; 5 edge cases and a search instance fail: by default the rate is 10/10
  auto runs = Passing(10);
  for (size_t i = 10; i < 16; ++i) {
    runs.push_back(Make("f", i, {{"no_collision", 1.0}, {"safe_gap", -1.0}}));
    runs.back().origin = i < 15 ? "edge:gap=lo" : "cma_es";
  }
  GatePolicy policy;
  policy.min_pass_rate = {{"safe_gap", 0.9, RateBound::kPoint}};
  GateDecision d = DecideGate(policy, runs, runs);
  ASSERT_EQ(d.rules.size(), 2u);
  EXPECT_TRUE(d.rules[0].passed) << d.rules[0].detail;
  EXPECT_EQ(d.rules[0].detail, "10/10 random draws passed, observed 100.00% >= minimum 90.00%");
  policy.min_pass_rate[0].instances = RateInstances::kAll;
  d = DecideGate(policy, runs, runs);
  EXPECT_FALSE(d.rules[0].passed);
  EXPECT_EQ(d.rules[0].detail, "10/16 instances passed, observed 62.50% < minimum 90.00%");
  // no random draw at all: not checked, and said so
  for (auto& r : runs) r.origin = "grid";
  policy.min_pass_rate[0].instances = RateInstances::kRandomDraws;
  d = DecideGate(policy, runs, runs);
  EXPECT_NE(std::find(d.notes.begin(), d.notes.end(),
                      "min_pass_rate f/safe_gap: no completed instance drawn at random, not checked"),
            d.notes.end());
}

TEST(GateDecisionTest, PassRateUsesTheChosenClopperPearsonBound) {
  // 10 of 10 passed: the 95% interval of the pass rate is [0.6915, 1]
  const auto runs = Passing(10);
  GatePolicy policy;
  policy.min_pass_rate = {{"safe_gap", 0.70, RateBound::kLower}};
  GateDecision d = DecideGate(policy, runs, runs);
  EXPECT_FALSE(d.Accepted());
  EXPECT_EQ(d.DecidingRule()->subject, "f/safe_gap");
  EXPECT_EQ(d.DecidingRule()->detail, "10/10 random draws passed, 95% lower bound 69.15% < minimum 70.00%");
  policy.min_pass_rate = {{"safe_gap", 0.69, RateBound::kLower}};
  EXPECT_TRUE(DecideGate(policy, runs, runs).Accepted());
  // 3 of 10 failed: point 0.7; upper bound of the pass rate 1 - 0.0667 = 0.9333
  auto some = runs;
  for (size_t i = 0; i < 3; ++i) some[i] = Make("f", i, {{"no_collision", 1.0}, {"safe_gap", -1.0}});
  policy.min_pass_rate = {{"safe_gap", 0.9, RateBound::kUpper}};
  EXPECT_TRUE(DecideGate(policy, some, some).Accepted());
  policy.min_pass_rate = {{"safe_gap", 0.9, RateBound::kPoint}};
  d = DecideGate(policy, some, some);
  EXPECT_EQ(d.DecidingRule()->detail, "7/10 random draws passed, observed 70.00% < minimum 90.00%");
  // no requirement name: every blocking one, per family
  policy.min_pass_rate = {{"", 0.9, RateBound::kPoint}};
  d = DecideGate(policy, some, some);
  ASSERT_EQ(d.rules.size(), 3u);  // no_collision, safe_gap, no_new_failures
  EXPECT_TRUE(d.rules[0].passed);
  EXPECT_FALSE(d.rules[1].passed);
}

TEST(GateDecisionTest, RobustnessDropMedianAndWorst) {
  std::vector<InstanceResult> baseline, candidate;
  const double drops[] = {0.1, 0.2, 3.0};
  for (size_t i = 0; i < 3; ++i) {
    baseline.push_back(Make("f", i, {{"no_collision", 10.0}}));
    candidate.push_back(Make("f", i, {{"no_collision", 10.0 - drops[i]}}));
  }
  GatePolicy policy;
  policy.max_robustness_drop = {{"no_collision", 0.5, DropStatistic::kMedian}};
  GateDecision d = DecideGate(policy, candidate, baseline);
  EXPECT_TRUE(d.Accepted());
  EXPECT_EQ(d.rules[1].detail, "median paired drop 0.2 <= allowed 0.5 over 3 instances (worst 3 on f#2 gap=12)");
  policy.max_robustness_drop = {{"no_collision", 0.5, DropStatistic::kWorst}};
  d = DecideGate(policy, candidate, baseline);
  EXPECT_FALSE(d.Accepted());
  EXPECT_EQ(d.DecidingRule()->rule, "max_robustness_drop");
  // an improvement is a negative drop
  policy.max_robustness_drop = {{"no_collision", 0.0, DropStatistic::kWorst}};
  EXPECT_TRUE(DecideGate(policy, baseline, candidate).Accepted());
}

TEST(GateDecisionTest, FormalResultsMustHold) {
  auto runs = Passing(3);
  runs[1].origin = "formal";
  GateDecision d = DecideGate({}, runs, runs);
  EXPECT_TRUE(d.notes.empty());
  EXPECT_TRUE(d.Accepted());
  auto bad = runs;
  bad[1].requirements[0].satisfied = false;
  bad[1].requirements[0].robustness = -1;
  d = DecideGate({}, bad, bad);
  EXPECT_EQ(d.DecidingRule()->rule, "formal_must_hold");
}

TEST(GateDecisionTest, UnpairedRunsAreAnInputError) {
  const auto baseline = Passing(3);
  auto candidate = baseline;
  candidate[1].parameters[0].second = 99;
  candidate[1].id = scenarios::MakeInstanceId("f", 1, candidate[1].parameters);
  try {
    (void)DecideGate({}, candidate, baseline);
    FAIL() << "expected an InputError";
  } catch (const core::InputError& e) {
    EXPECT_STREQ(e.what(), "baseline: error: instance 'f#1 gap=99' of the candidate has no identical instance in the baseline");
  }
  EXPECT_THROW((void)DecideGate({}, Passing(2), baseline), core::InputError);
}

// Random result sets: swapping candidate and baseline swaps newly failing and newly passing, a run
// against itself is always accepted, and newly failing instances are exactly the pass -> fail pairs of
// a naive recount.
TEST(GateDecisionTest, RandomPairsAgreeWithANaiveRecount) {
  core::Rng rng(20261127);
  for (int trial = 0; trial < 300; ++trial) {
    const size_t n = 1 + rng.UniformInt(40);
    std::vector<InstanceResult> a, b;
    for (size_t i = 0; i < n; ++i) {
      const auto draw = [&]() -> InstanceResult {
        const uint64_t kind = i == 0 ? 9 : rng.UniformInt(10);  // one completed instance fixes the blocking set
        if (kind == 0) return Make("f", i, {}, InstanceStatus::kError);
        if (kind == 1) return Make("f", i, {}, InstanceStatus::kInvalid);
        return Make("f", i, {{"no_collision", rng.Uniform(-1, 4)}, {"comfort", rng.Uniform(-1, 1), false}});
      };
      a.push_back(draw());
      b.push_back(draw());
    }
    const GateDecision ab = DecideGate({}, a, b);
    const GateDecision ba = DecideGate({}, b, a);
    ASSERT_EQ(ab.newly_failing.size(), ba.newly_passing.size());
    ASSERT_EQ(ab.newly_passing.size(), ba.newly_failing.size());
    size_t expected = 0;
    for (size_t i = 0; i < n; ++i) {
      const bool b_pass = b[i].Passed();
      const bool a_fail = a[i].Failed() || a[i].status == InstanceStatus::kError;
      expected += b_pass && a_fail ? 1 : 0;
    }
    ASSERT_EQ(ab.newly_failing.size(), expected);
    ASSERT_EQ(ab.Accepted(), expected == 0);
    ASSERT_TRUE(DecideGate({}, a, a).Accepted());
  }
}

class GatePolicyTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    const std::string path = ::testing::TempDir() + "gate_policy_test.yaml";
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(GatePolicyTest, LoadsEveryField) {
  const GatePolicy p = LoadGatePolicy(GAUNTLET_SOURCE_DIR "/configs/gate_policy.yaml", {"no_collision", "safe_gap", "comfort"});
  EXPECT_EQ(p.blocking, (std::vector<std::string>{"no_collision", "safe_gap"}));
  EXPECT_EQ(p.zero_tolerance, std::vector<std::string>{"no_collision"});
  ASSERT_EQ(p.min_pass_rate.size(), 1u);
  EXPECT_EQ(p.min_pass_rate[0].bound, RateBound::kLower);
  EXPECT_DOUBLE_EQ(p.min_pass_rate[0].rate, 0.95);
  ASSERT_EQ(p.max_robustness_drop.size(), 2u);
  EXPECT_EQ(p.max_robustness_drop[1].statistic, DropStatistic::kWorst);
  EXPECT_TRUE(p.no_new_failures);
  EXPECT_TRUE(p.formal_must_hold);
  // an empty file is the default policy
  const GatePolicy empty = LoadGatePolicy(Write(""));
  EXPECT_TRUE(empty.no_new_failures);
  EXPECT_TRUE(empty.blocking.empty());
}

TEST_F(GatePolicyTest, EveryProblemWithItsPosition) {
  const std::string path = Write(
      "zero_tolerence: [no_collision]\n"
      "blocking: [no_colision]\n"
      "min_pass_rate:\n"
      "  - {requirement: safe_gap, rate: 1.5, bound: lowr}\n"
      "max_robustness_drop:\n"
      "  - {requirement: safe_gap, drop: -1}\n");
  try {
    (void)LoadGatePolicy(path, {"no_collision", "safe_gap"});
    FAIL() << "expected an InputError";
  } catch (const core::InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ":1:1: error: unknown key 'zero_tolerence' (did you mean 'zero_tolerance'?)\n" + path +
                  ":4:47: error: unknown value 'lowr' in min_pass_rate[0].bound (did you mean 'lower'?); expected one "
                  "of 'lower', 'upper', 'point'");
  }
  // the semantic checks once the types are right
  const std::string second = Write(
      "blocking: [no_colision]\n"
      "min_pass_rate:\n"
      "  - {requirement: safe_gap, rate: 1.5}\n"
      "max_robustness_drop:\n"
      "  - {requirement: safe_gap, drop: -1}\n");
  try {
    (void)LoadGatePolicy(second, {"no_collision", "safe_gap"});
    FAIL() << "expected an InputError";
  } catch (const core::InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              second + ":1:12: error: unknown requirement 'no_colision' (did you mean 'no_collision'?); the suite's "
                       "requirements are 'no_collision', 'safe_gap'\n" +
                  second + ":3:35: error: rate must be in [0, 1] in min_pass_rate[0]\n" + second +
                  ":5:35: error: drop must be >= 0 in max_robustness_drop[0]");
  }
}

}  // namespace
}  // namespace gauntlet::gate
