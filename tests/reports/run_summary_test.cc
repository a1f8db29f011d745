// The run summary: rates and intervals from the random draws only, instances chosen on purpose reported apart,
// searches and formal checks counted apart from instances, and junit.xml in both modes.

#include "reports/run_summary.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <regex>

#include "scenarios/generators/statistics.h"
#include "tests/reports/one_requirement_result.h"

namespace gauntlet::reports {
namespace {

using scenarios::InstanceResult;
using scenarios::InstanceStatus;

InstanceResult Result(size_t index, double robustness, const std::string& origin, const std::string& family = "f") {
  return test::OneRequirementResult(family, index, robustness, origin);
}

InstanceResult Formal(size_t index, bool holds, bool gating = true) {
  InstanceResult r;
  r.family = "f";
  r.index = index;
  r.origin = "formal";
  r.id = "f#" + std::to_string(index) + " formal:bound";
  scenarios::RequirementOutcome q;
  q.name = "formal:bound";
  q.gating = gating;
  q.satisfied = holds;
  q.robustness = holds ? 0.5 : -0.25;
  r.requirements.push_back(q);
  return r;
}

/// 300 uniform draws (9 failing), edge cases, corners, a search that finds failures and its shrinking, and two
/// formal checks: the shape of the example's lead_brake family.
std::vector<InstanceResult> Mixed() {
  std::vector<InstanceResult> results;
  size_t i = 0;
  for (; i < 300; ++i) results.push_back(Result(i, i % 33 == 0 && i < 297 ? -0.5 : 1.0, "uniform"));
  results.push_back(Result(i++, 2.0, "nominal"));
  for (int k = 0; k < 4; ++k) results.push_back(Result(i++, k == 0 ? -0.3 : 0.7, "edge:gap=lo"));
  for (int k = 0; k < 8; ++k) results.push_back(Result(i++, k < 6 ? -0.8 : 0.1, "corner"));
  for (int k = 0; k < 48; ++k) results.push_back(Result(i++, k >= 44 ? -1.4 + 0.1 * (k - 44) : 0.9, "cma_es"));
  for (int k = 0; k < 30; ++k) results.push_back(Result(i++, k % 2 ? 0.2 : -0.1, "shrink"));
  results.push_back(Result(i++, -0.05, "shrunk"));
  results.push_back(Formal(i++, true));
  results.push_back(Formal(i++, false, /*gating=*/false));
  return results;
}

TEST(RunSummaryTest, EveryGeneratorLabelHasAProvenance) {
  EXPECT_EQ(ProvenanceOf("uniform"), Provenance::kRandomDraw);
  EXPECT_EQ(ProvenanceOf("sobol"), Provenance::kRandomDraw);
  EXPECT_EQ(ProvenanceOf("lhs"), Provenance::kRandomDraw);
  EXPECT_EQ(ProvenanceOf("grid"), Provenance::kGrid);
  EXPECT_EQ(ProvenanceOf("nominal"), Provenance::kEdgeCase);
  EXPECT_EQ(ProvenanceOf("edge:gap=lo+"), Provenance::kEdgeCase);
  EXPECT_EQ(ProvenanceOf("corner"), Provenance::kCorner);
  EXPECT_EQ(ProvenanceOf("corner:cover"), Provenance::kCorner);
  EXPECT_EQ(ProvenanceOf("cma_es"), Provenance::kSearch);
  EXPECT_EQ(ProvenanceOf("cross_entropy"), Provenance::kSearch);
  EXPECT_EQ(ProvenanceOf("bayesian"), Provenance::kSearch);
  EXPECT_EQ(ProvenanceOf("shrink"), Provenance::kShrink);
  EXPECT_EQ(ProvenanceOf("shrunk"), Provenance::kShrink);
  EXPECT_EQ(ProvenanceOf("formal"), Provenance::kFormal);
  // a label no generator writes is never taken for a random draw
  EXPECT_EQ(ProvenanceOf("random"), Provenance::kOther);
  EXPECT_EQ(ProvenanceOf("latin_hypercube"), Provenance::kOther);  // its points are labelled "lhs"
  EXPECT_EQ(ProvenanceOf(""), Provenance::kOther);
}

TEST(RunSummaryTest, RatesAndIntervalsComeFromTheRandomDrawsAlone) {
  const RunSummary s = Summarize(Mixed(), {.suite_name = "s"});
  ASSERT_EQ(s.families.size(), 1u);
  const FamilySummary& f = s.families[0];
  EXPECT_EQ(f.instances, 300u + 1 + 4 + 8 + 48 + 31);
  EXPECT_EQ(f.sampled, 300u);
  ASSERT_EQ(f.requirements.size(), 1u);  // the formal checks are not requirements of instances
  const RequirementSummary& q = f.requirements[0];
  EXPECT_EQ(q.sampled, 300u);
  EXPECT_EQ(q.sampled_failed, 9u);
  const scenarios::Interval ci = scenarios::ClopperPearson(9, 300);
  EXPECT_DOUBLE_EQ(q.failure_rate_lo, ci.lo);
  EXPECT_DOUBLE_EQ(q.failure_rate_hi, ci.hi);
  EXPECT_EQ(q.evaluated, f.instances);
  EXPECT_EQ(q.failed, 9u + 1 + 6 + 4 + 16);
  EXPECT_EQ(q.by_provenance[static_cast<size_t>(Provenance::kSearch)].failed, 4u);
  EXPECT_DOUBLE_EQ(q.by_provenance[static_cast<size_t>(Provenance::kSearch)].worst_robustness, -1.4);
  EXPECT_EQ(q.by_provenance[static_cast<size_t>(Provenance::kCorner)].failed, 6u);
  EXPECT_EQ(q.by_provenance[static_cast<size_t>(Provenance::kEdgeCase)].evaluated, 5u);
  EXPECT_EQ(q.by_provenance[static_cast<size_t>(Provenance::kShrink)].failed, 16u);
  EXPECT_EQ(q.by_provenance[static_cast<size_t>(Provenance::kRandomDraw)].evaluated, 0u);
  // searches and formal checks
  ASSERT_EQ(f.searches.size(), 1u);
  EXPECT_EQ(f.searches[0].method, "cma_es");
  EXPECT_EQ(f.searches[0].simulations, 48u);
  EXPECT_TRUE(f.searches[0].found_violation());
  EXPECT_EQ(f.searches[0].shrink_simulations, 31u);
  EXPECT_DOUBLE_EQ(f.searches[0].shrunk_robustness, -0.05);
  EXPECT_NE(f.searches[0].shrunk_instance.find("#"), std::string::npos);
  ASSERT_EQ(f.formal.size(), 2u);
  EXPECT_EQ(f.formal[0].verdict, "holds");
  EXPECT_EQ(f.formal[1].verdict, "violated");
  EXPECT_EQ(s.formal_checks, 2u);
  EXPECT_EQ(s.formal_failed, 0u);  // the violated check is advisory
  EXPECT_EQ(s.instances, f.instances);

  const std::string text = SummaryText(s);
  EXPECT_NE(text.find("392 instances and 2 formal checks"), std::string::npos) << text;
  EXPECT_NE(text.find("9/300 3.0% [1.4,5.6]"), std::string::npos) << text;
  EXPECT_NE(text.find("found by search: 4 failing instances of 48, worst -1.400"), std::string::npos) << text;
  EXPECT_NE(text.find("found by corners: 6 failing instances of 8"), std::string::npos) << text;
  EXPECT_NE(text.find("search cma_es: 48 simulations, violation found"), std::string::npos) << text;
  EXPECT_NE(text.find("shrunk in 31 simulations to the counterexample"), std::string::npos) << text;
  EXPECT_NE(text.find("formal check bound*: violated"), std::string::npos) << text;

  const nlohmann::json j = nlohmann::json::parse(SummaryJson(s));
  EXPECT_EQ(j["totals"]["instances"], 392);
  EXPECT_EQ(j["formal_checks"]["checks"], 2);
  const auto& r = j["families"][0]["requirements"][0];
  EXPECT_EQ(r["random_draws"]["evaluated"], 300);
  EXPECT_EQ(r["random_draws"]["failed"], 9);
  EXPECT_DOUBLE_EQ(r["failure_rate_ci95"][0].get<double>(), ci.lo);
  EXPECT_EQ(j["families"][0]["searches"][0]["violation_found"], true);
  EXPECT_EQ(j["families"][0]["formal_checks"][1]["verdict"], "violated");
}

TEST(RunSummaryTest, AGatingFormalViolationFailsTheRunAndAnInconclusiveOneIsAnError) {
  std::vector<InstanceResult> results = {Result(0, 1.0, "uniform"), Formal(1, false)};
  RunSummary s = Summarize(results, {});
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(s.ExitCode(), 1);
  EXPECT_EQ(s.Verdict(), "FAILED");
  results[1].status = InstanceStatus::kError;
  results[1].requirements.clear();
  results[1].error = "formal check 'bound' is inconclusive: time budget";
  s = Summarize(results, {});
  EXPECT_EQ(s.errors, 0u);
  EXPECT_EQ(s.formal_inconclusive, 1u);
  EXPECT_EQ(s.ExitCode(), 3);
  results.pop_back();
  EXPECT_EQ(Summarize(results, {}).ExitCode(), 0);
}

TEST(RunSummaryTest, NoRandomDrawGivesTheWholeInterval) {
  const RunSummary s = Summarize({Result(0, -1.0, "grid"), Result(1, 1.0, "grid")}, {});
  const RequirementSummary& q = s.families[0].requirements[0];
  EXPECT_EQ(q.sampled, 0u);
  EXPECT_EQ(q.failure_rate_lo, 0.0);
  EXPECT_EQ(q.failure_rate_hi, 1.0);
  EXPECT_NE(SummaryText(s).find("no random draws"), std::string::npos);
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(RunSummaryTest, JUnitPerInstanceCountsInstancesAndPutsFormalChecksApart) {
  const std::vector<InstanceResult> results = Mixed();
  const RunSummary s = Summarize(results, {.suite_name = "s", .out_dir = "out"});
  const std::string xml = JUnitXml(results, s);
  EXPECT_EQ(Count(xml, "<testcase "), results.size());
  EXPECT_NE(xml.find("<testsuite name=\"f\" tests=\"392\" failures=\"36\""), std::string::npos) << xml.substr(0, 600);
  EXPECT_NE(xml.find("<testsuite name=\"f formal checks\" tests=\"2\" failures=\"0\""), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"keep_gap: failure rate of random draws (95% CI)\" value=\"9/300 3.0% [1.4,5.6]\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<property name=\"keep_gap: found by search\" value=\"4 failing instances of 48, worst -1.400\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<testsuites name=\"s\" tests=\"394\" failures=\"36\""), std::string::npos);
}

TEST(RunSummaryTest, JUnitPerRequirementListsTheWorstFailingInstancesWithinABound) {
  std::vector<InstanceResult> results;
  for (size_t i = 0; i < 5000; ++i) results.push_back(Result(i, i % 10 == 0 ? -static_cast<double>(i) : 1.0, "uniform"));
  results[7].status = InstanceStatus::kError;
  results[7].requirements.clear();
  results[7].error = "NaN in the model output";
  const RunSummary s = Summarize(results, {.suite_name = "s", .out_dir = "out"});
  const std::string xml = JUnitXml(results, s, {.mode = JUnitMode::kPerRequirement, .max_listed = 3});
  EXPECT_EQ(Count(xml, "<testcase "), 2u);  // keep_gap, instance errors
  EXPECT_NE(xml.find("<testsuite name=\"f\" tests=\"2\" failures=\"1\" errors=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("499 of 4999 instances violated it"), std::string::npos) << xml;
  // the three worst, worst first, then how many more
  const size_t a = xml.find("f#4990 "), b = xml.find("f#4980 "), c = xml.find("f#4970 ");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(xml.find("f#4960 "), std::string::npos);
  EXPECT_NE(xml.find("... and 496 more"), std::string::npos);
  EXPECT_NE(xml.find("NaN in the model output"), std::string::npos);
  EXPECT_LT(xml.size(), 10000u);
  EXPECT_EQ(ParseJUnitMode("per-requirement"), JUnitMode::kPerRequirement);
  EXPECT_EQ(ParseJUnitMode("per-instance"), JUnitMode::kPerInstance);
  EXPECT_EQ(ParseJUnitMode("per-case"), std::nullopt);
}

}  // namespace
}  // namespace gauntlet::reports
