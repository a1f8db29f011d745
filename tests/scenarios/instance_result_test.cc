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
            "r.jsonl:3: error: not a results line: verdict 'ok' is neither pass nor fail");
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
