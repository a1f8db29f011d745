// Inconclusive requirements (after an early stop) in the run summary: counted apart from failures,
// gating like them, and reported as such in the terminal table, summary.json and junit.xml.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "reports/run_summary.h"

namespace gauntlet::reports {
namespace {

using scenarios::InstanceResult;
using scenarios::RequirementOutcome;

InstanceResult Instance(size_t index, bool inconclusive, bool violated) {
  InstanceResult r;
  r.family = "cut_in@idm";
  r.index = index;
  r.id = "cut_in@idm#" + std::to_string(index);
  r.origin = "uniform";
  r.steps = 180;
  r.end_time_s = 1.79;
  RequirementOutcome contact{"no_collision", true, !violated, violated ? -0.5 : 0.5, std::nullopt, 0.5, 0.0, 0.5};
  if (violated) contact.first_violation_time_s = 1.79;
  contact.robustness_bounds = {violated ? -INFINITY : 0.5, violated ? -0.5 : INFINITY};
  RequirementOutcome recovers{"recovers_gap", true, !inconclusive, inconclusive ? -INFINITY : 1.0, std::nullopt,
                              1.0, 0.0, inconclusive ? -INFINITY : 1.0};
  recovers.inconclusive = inconclusive;
  recovers.robustness_bounds = {inconclusive ? -INFINITY : 1.0, INFINITY};
  r.requirements = {contact, recovers};
  return r;
}

TEST(RunSummaryInconclusiveTest, CountedApartAndGating) {
  const std::vector<InstanceResult> results = {Instance(0, false, false), Instance(1, true, false),
                                               Instance(2, true, true)};
  RunInfo info;
  info.suite_name = "e";
  info.out_dir = "out";
  const RunSummary summary = Summarize(results, info);
  EXPECT_EQ(summary.passed, 1u);
  EXPECT_EQ(summary.inconclusive, 1u);  // #1: only inconclusive
  EXPECT_EQ(summary.failed, 1u);        // #2: the contact failed for certain
  EXPECT_EQ(summary.ExitCode(), 1);
  EXPECT_EQ(summary.Verdict(), "FAILED");
  const RequirementSummary& recovers = summary.families[0].requirements[1];
  EXPECT_EQ(recovers.passed, 1u);
  EXPECT_EQ(recovers.inconclusive, 2u);
  EXPECT_EQ(recovers.failed, 0u);
  EXPECT_GT(recovers.failure_rate_lo, 0.0);  // they count as failures in the rate

  const RunSummary only = Summarize({Instance(0, false, false), Instance(1, true, false)}, info);
  EXPECT_EQ(only.failed, 0u);
  EXPECT_EQ(only.ExitCode(), 1);
  EXPECT_EQ(only.Verdict(), "INCONCLUSIVE");
  const std::string text = SummaryText(only);
  EXPECT_NE(text.find("1 passed, 0 failed, 1 inconclusive (stopped early)"), std::string::npos) << text;
  EXPECT_NE(text.find("verdict: INCONCLUSIVE (1 passed, 0 failed, 1 inconclusive, 0 invalid, 0 errors)"),
            std::string::npos)
      << text;
  const std::string json = SummaryJson(only);
  EXPECT_NE(json.find("\"inconclusive\": 1"), std::string::npos) << json;

  const std::string junit = JUnitXml(results, summary);
  EXPECT_NE(junit.find("<failure message=\"inconclusive after an early stop at t=1.79 s: the robustness at time 0 "
                       "lies in [-inf, inf] over every completion of the trace\" type=\"requirement inconclusive\">"),
            std::string::npos)
      << junit;
  EXPECT_NE(junit.find("failures=\"3\""), std::string::npos) << junit;  // two inconclusive, one violation
}

}  // namespace
}  // namespace gauntlet::reports
