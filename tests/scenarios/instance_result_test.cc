#include "scenarios/instance_result.h"

#include <gtest/gtest.h>

#include <cmath>

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
  r.requirements.push_back({"no_collision", true, false, -1.25, 3.5, -1.5, 3.75});
  r.requirements.push_back({"comfort", false, true, INFINITY, std::nullopt, INFINITY, 0.0});
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
