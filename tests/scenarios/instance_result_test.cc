#include "scenarios/instance_result.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/error.h"

namespace gauntlet::scenarios {
namespace {

TEST(InstanceResultTest, JsonLineRoundTripsExactly) {
  InstanceResult r;
  r.family = "lead_brake@idm";
  r.index = 17;
  r.parameters = {{"ego_speed", 25.123456789012345}, {"gap", 0.1}};
  r.id = MakeInstanceId(r.family, r.index, r.parameters);
  r.origin = "uniform";
  r.seed = 0xfedcba9876543210ULL;
  r.requirements.push_back({"no_collision", true, false, -1.25, 3.5, -1.5, 3.75, -1.25});
  r.requirements.push_back({"comfort", false, true, INFINITY, std::nullopt, INFINITY, 0.0, INFINITY});
  r.metrics = {{"min_gap_m", -1.5}};
  r.steps = 1201;
  r.end_time_s = 12.0;
  const std::string line = ToJsonLine(r);
  EXPECT_EQ(r.id, "lead_brake@idm#17 ego_speed=25.12 gap=0.1");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const InstanceResult back = FromJsonLine(line, "x");
  EXPECT_EQ(ToJsonLine(back), line);
  EXPECT_EQ(back.requirements, r.requirements);
  EXPECT_EQ(back.seed, r.seed);
  EXPECT_TRUE(r.Failed());
  EXPECT_FALSE(r.Passed());
}

TEST(InstanceResultTest, LinesOfOlderVersionsAndMalformedLines) {
  InstanceResult r;
  r.family = "f";
  r.id = "f#0";
  r.origin = "uniform";
  r.requirements.push_back({"no_collision", true, true, 2.0, std::nullopt, 2.0, 1.0, 5.0});
  const std::string line = ToJsonLine(r);
  EXPECT_NE(line.find("\"averaged_robustness\":5.0"), std::string::npos) << line;
  // written before averaged_robustness existed: it is the robustness
  std::string old = line;
  old.erase(old.find(",\"averaged_robustness\":5.0"), 26);
  EXPECT_EQ(FromJsonLine(old, "old").requirements[0].averaged_robustness, 2.0);
  // what converted silently before: a negative index or seed, a fractional step count, an unknown
  // status (read as an error) or verdict (read as a failure)
  auto message = [&](const std::string& from, const std::string& to) {
    std::string bad = line;
    bad.replace(bad.find(from), from.size(), to);
    try {
      (void)FromJsonLine(bad, "r.jsonl:3");
      return std::string("accepted");
    } catch (const core::InputError& e) {
      return std::string(e.what());
    }
  };
  EXPECT_EQ(message("\"index\":0", "\"index\":-1"),
            "r.jsonl:3: error: not a results line: 'index' is not a non-negative integer");
  EXPECT_EQ(message("\"seed\":0", "\"seed\":-5"),
            "r.jsonl:3: error: not a results line: 'seed' is not a non-negative integer");
  EXPECT_EQ(message("\"steps\":0", "\"steps\":1.5"),
            "r.jsonl:3: error: not a results line: 'steps' is not a non-negative integer");
  EXPECT_EQ(message("\"status\":\"completed\"", "\"status\":\"done\""),
            "r.jsonl:3: error: not a results line: unknown status 'done'");
  EXPECT_EQ(message("\"verdict\":\"pass\"", "\"verdict\":\"ok\""),
            "r.jsonl:3: error: not a results line: verdict 'ok' is neither pass, fail nor inconclusive");
  // a verdict its robustness contradicts
  EXPECT_EQ(message("\"verdict\":\"pass\"", "\"verdict\":\"fail\""),
            "r.jsonl:3: error: not a results line: requirement 'no_collision': verdict fail with a robustness >= 0");
  EXPECT_EQ(message("\"robustness\":2.0", "\"robustness\":-2.0"),
            "r.jsonl:3: error: not a results line: requirement 'no_collision': verdict pass with a negative robustness");
  // a pass needs a robustness >= 0: not a number is none (campaign.cc's CheckVerdicts refused it on
  // --resume and merge before FromJsonLine did)
  EXPECT_EQ(message("\"robustness\":2.0", "\"robustness\":\"nan\""),
            "r.jsonl:3: error: not a results line: requirement 'no_collision': verdict pass with a robustness nan");
}

// After an early stop: the bounds are written for every requirement, "inconclusive" is a verdict of
// its own, and a line whose verdict does not follow from its bounds is rejected.
TEST(InstanceResultTest, InconclusiveVerdictsAfterAnEarlyStop) {
  InstanceResult r;
  r.family = "cut_in@idm";
  r.id = "cut_in@idm#3";
  r.origin = "uniform";
  r.steps = 180;
  r.end_time_s = 1.79;
  RequirementOutcome contact{"no_collision", true, false, -0.5, 1.79, -0.5, 1.79, -0.5};
  contact.robustness_bounds = {-INFINITY, -0.5};
  RequirementOutcome recovers{"recovers_gap", true, false, -INFINITY, std::nullopt, 2.0, 1.79, -INFINITY};
  recovers.robustness_bounds = {-INFINITY, INFINITY};
  recovers.inconclusive = true;
  r.requirements = {recovers};
  const std::string line = ToJsonLine(r);
  EXPECT_NE(line.find("\"verdict\":\"inconclusive\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"robustness_lo\":\"-inf\",\"robustness_hi\":\"inf\""), std::string::npos) << line;
  const InstanceResult back = FromJsonLine(line, "x");
  EXPECT_EQ(back.requirements, r.requirements);
  EXPECT_EQ(ToJsonLine(back), line);
  // only inconclusive: gates (Failed) but is counted apart (Inconclusive)
  EXPECT_FALSE(r.Passed());
  EXPECT_TRUE(r.Failed());
  EXPECT_TRUE(r.Inconclusive());
  EXPECT_STREQ(r.VerdictName(), "inconclusive");
  // with a certain violation it is a failure
  r.requirements.push_back(contact);
  EXPECT_TRUE(r.Failed());
  EXPECT_FALSE(r.Inconclusive());
  EXPECT_STREQ(r.VerdictName(), "failed");
  const std::string both = ToJsonLine(r);
  EXPECT_EQ(FromJsonLine(both, "x").requirements, r.requirements);
  // an advisory inconclusive requirement does not gate
  InstanceResult advisory = r;
  advisory.requirements = {recovers};
  advisory.requirements[0].gating = false;
  EXPECT_TRUE(advisory.Passed());
  EXPECT_FALSE(advisory.Inconclusive());
  EXPECT_STREQ(advisory.VerdictName(), "passed");
  InstanceResult broken = advisory;
  broken.status = InstanceStatus::kError;
  EXPECT_STREQ(broken.VerdictName(), "error");
  broken.status = InstanceStatus::kInvalid;
  EXPECT_STREQ(broken.VerdictName(), "invalid");

  auto replaced = [](std::string text, const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  auto rejected = [](const std::string& text) {
    try {
      (void)FromJsonLine(text, "r.jsonl:1");
      return std::string("accepted");
    } catch (const core::InputError& e) {
      return std::string(e.what());
    }
  };
  const std::string prefix = "r.jsonl:1: error: not a results line: requirement 'recovers_gap': ";
  const std::string undecided = "the verdict does not follow from robustness_lo and robustness_hi (pass: lo >= 0, "
                                "fail: hi < 0, inconclusive: otherwise, with the robustness at lo)";
  const std::string bounds = ",\"robustness_lo\":\"-inf\",\"robustness_hi\":\"inf\"";
  const std::string verdict = "\"verdict\":\"inconclusive\",\"robustness\":\"-inf\"";
  // inconclusive without bounds, with one bound, or with bounds that decide
  EXPECT_EQ(rejected(replaced(line, bounds, "")), prefix + "verdict inconclusive without robustness_lo and robustness_hi");
  EXPECT_EQ(rejected(replaced(line, ",\"robustness_lo\":\"-inf\"", "")),
            "r.jsonl:1: error: not a results line: 'robustness_lo' and 'robustness_hi' come together");
  EXPECT_EQ(rejected(replaced(line, "\"robustness_hi\":\"inf\"", "\"robustness_hi\":-1")), prefix + undecided);
  // a pass whose lower bound is negative, a robustness outside its bounds, a violation time on a non-violation
  EXPECT_EQ(rejected(replaced(line, verdict, "\"verdict\":\"pass\",\"robustness\":1")), prefix + undecided);
  EXPECT_EQ(rejected(replaced(replaced(line, verdict, "\"verdict\":\"pass\",\"robustness\":1"), bounds,
                              ",\"robustness_lo\":0,\"robustness_hi\":0.5")),
            prefix + "the robustness is not inside [robustness_lo, robustness_hi]");
  EXPECT_EQ(rejected(replaced(line, "\"first_violation_s\":null", "\"first_violation_s\":1.5")),
            prefix + "a first violation time without a violation");
  EXPECT_EQ(rejected(replaced(line, verdict, "\"verdict\":\"inconclusive\",\"robustness\":0")),
            prefix + undecided);  // inconclusive keeps the robustness at lo
}

TEST(InstanceResultTest, AdvisoryFailuresDoNotFailTheInstance) {
  InstanceResult r;
  r.requirements.push_back({"safe", true, true, 1.0, std::nullopt, 1.0, 0.0});
  r.requirements.push_back({"comfort", false, false, -1.0, 2.0, -1.0, 2.0});
  EXPECT_TRUE(r.Passed());
  r.status = InstanceStatus::kError;
  EXPECT_FALSE(r.Passed());
  EXPECT_FALSE(r.Failed());
}

}  // namespace
}  // namespace gauntlet::scenarios
