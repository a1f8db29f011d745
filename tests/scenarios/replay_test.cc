// ReplayInstance: the one entry point that re-runs a recorded instance, bit-identically, with its trace.

#include "scenarios/replay.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "scenarios/campaign.h"
#include "scenarios/suite.h"

namespace gauntlet::scenarios {
namespace {

const std::string kTestData = std::string(GAUNTLET_SOURCE_DIR) + "/tests/scenarios/testdata/";

TEST(ReplayTest, EveryOriginReplaysBitIdenticallyWithItsTrace) {
  const Suite suite = LoadSuite(kTestData + "brake_suite.yaml");
  const CampaignOutcome outcome = RunCampaign(suite, {.threads = 2});
  ASSERT_FALSE(outcome.results.empty());
  std::set<std::string> origins_seen;
  for (size_t i = 0; i < outcome.results.size(); ++i) {
    const InstanceResult& r = outcome.results[i];
    // every origin once (searches, shrink steps and the shrunk case included), then every 11th
    if (!origins_seen.insert(r.origin).second && i % 11 != 0) continue;
    const Replay replay = ReplayInstance(suite, r);
    ASSERT_NE(replay.family, nullptr);
    EXPECT_EQ(replay.family->name, r.family);
    EXPECT_EQ(ToJsonLine(replay.result), ToJsonLine(r)) << r.id;
    EXPECT_EQ(replay.result.plan_index, r.plan_index);
    EXPECT_FALSE(replay.trace.empty());
    const Replay bare = ReplayInstance(suite, r, /*with_trace=*/false);
    EXPECT_TRUE(bare.trace.empty());
    EXPECT_EQ(ToJsonLine(bare.result), ToJsonLine(r));
  }
  EXPECT_TRUE(origins_seen.count("shrunk")) << "the suite's searches shrink a counterexample";
}

TEST(ReplayTest, FindFamilyAndTheErrorsOfAnUnknownFamilyOrMissingValues) {
  const Suite suite = LoadSuite(kTestData + "brake_suite.yaml");
  ASSERT_FALSE(suite.families.empty());
  EXPECT_EQ(suite.FindFamily(suite.families.back().name), &suite.families.back());
  EXPECT_EQ(suite.FindFamily("no such family"), nullptr);

  InstanceResult r;
  r.family = "no such family";
  r.id = "no such family#0";
  EXPECT_THROW((void)ReplayInstance(suite, r), core::InputError);
  r.family = suite.families.front().name;
  r.id = r.family + "#0";
  try {
    (void)ReplayInstance(suite, r);  // no parameters recorded
    ADD_FAILURE() << "an instance without its values replays";
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("lacks parameters"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gauntlet::scenarios
