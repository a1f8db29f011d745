// Lockstep groups and the step-by-step environment: batches are deterministic, a model evaluated
// in batches gives exactly the results of the same model called per instance, and an episode
// played step by step is the episode RunInstance simulates.

#include "scenarios/lockstep.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenarios/campaign.h"
#include "scenarios/scenario_env.h"
#include "scenarios/suite.h"
#include "tests/test_files.h"

namespace gauntlet::scenarios {
namespace {

const std::string kRoot = GAUNTLET_SOURCE_DIR;

/// A BatchPolicy doubling its single input, recording the batches it saw.
struct Recorder {
  std::vector<std::vector<double>> batches;
  std::shared_ptr<BatchPolicy> policy = std::make_shared<BatchPolicy>(
      std::vector<std::string>{"x"}, 1, [this](std::span<const double> obs, size_t rows, std::span<double> act) {
        batches.emplace_back(obs.begin(), obs.end());
        for (size_t r = 0; r < rows; ++r) act[r] = 2.0 * obs[r];
      });
};

TEST(LockstepTest, EveryRoundIsOneBatchOfTheLiveJobsInOrder) {
  Recorder recorder;
  // job i calls the policy i + 1 times with 100 * i + call
  const size_t jobs = 5;
  std::vector<std::vector<double>> answers(jobs);
  RunLockstep(jobs, [&](size_t i) {
    models::PolicyScratch scratch;
    for (size_t call = 0; call <= i; ++call) {
      const double x = 100.0 * static_cast<double>(i) + static_cast<double>(call);
      double y = 0.0;
      recorder.policy->Act(std::span<const double>(&x, 1), std::span<double>(&y, 1), scratch);
      answers[i].push_back(y);
    }
  });
  ASSERT_EQ(recorder.batches.size(), jobs);
  for (size_t round = 0; round < jobs; ++round) {
    std::vector<double> expected;
    for (size_t i = round; i < jobs; ++i) expected.push_back(100.0 * static_cast<double>(i) + static_cast<double>(round));
    EXPECT_EQ(recorder.batches[round], expected) << "round " << round;
  }
  for (size_t i = 0; i < jobs; ++i) {
    ASSERT_EQ(answers[i].size(), i + 1);
    for (size_t call = 0; call <= i; ++call) EXPECT_EQ(answers[i][call], 2.0 * (100.0 * static_cast<double>(i) + static_cast<double>(call)));
  }
}

TEST(LockstepTest, OutsideAGroupEachCallIsOneRow) {
  Recorder recorder;
  models::PolicyScratch scratch;
  double x = 4.0, y = 0.0;
  recorder.policy->Act(std::span<const double>(&x, 1), std::span<double>(&y, 1), scratch);
  EXPECT_EQ(y, 8.0);
  ASSERT_EQ(recorder.batches.size(), 1u);
  EXPECT_EQ(recorder.batches[0].size(), 1u);
}

TEST(LockstepTest, AFailingBatchFailsEachOfItsJobsAndTheOthersGoOn) {
  BatchPolicy failing({"x"}, 1, [](std::span<const double> obs, size_t rows, std::span<double> act) {
    for (size_t r = 0; r < rows; ++r) {
      if (obs[r] < 0) throw std::runtime_error("negative input");
      act[r] = obs[r];
    }
  });
  std::vector<std::string> outcome(4);
  RunLockstep(4, [&](size_t i) {
    models::PolicyScratch scratch;
    // round 0: every job asks with +1; round 1: job 2 asks with -1, the others with +1
    for (int round = 0; round < 3; ++round) {
      const double x = (round == 1 && i == 2) ? -1.0 : 1.0;
      double y = 0.0;
      try {
        failing.Act(std::span<const double>(&x, 1), std::span<double>(&y, 1), scratch);
      } catch (const std::runtime_error& e) {
        outcome[i] = e.what();
        return;
      }
    }
    outcome[i] = "done";
  });
  // the batch of round 1 failed; alone, only job 2's row fails
  EXPECT_EQ(outcome, (std::vector<std::string>{"done", "done", "negative input", "done"}));
}

TEST(LockstepTest, AnExceptionEscapingAJobIsRethrownAfterTheOthersEnd) {
  Recorder recorder;
  std::vector<int> finished(3, 0);
  EXPECT_THROW(RunLockstep(3,
                           [&](size_t i) {
                             models::PolicyScratch scratch;
                             double x = 1.0, y = 0.0;
                             recorder.policy->Act(std::span<const double>(&x, 1), std::span<double>(&y, 1), scratch);
                             if (i == 1) throw std::logic_error("job 1 broke");
                             recorder.policy->Act(std::span<const double>(&x, 1), std::span<double>(&y, 1), scratch);
                             finished[i] = 1;
                           }),
               std::logic_error);
  EXPECT_EQ(finished, (std::vector<int>{1, 0, 1}));
}

/// The suite with slot `acc` evaluated by a BatchPolicy that calls the same network row by row.
Suite WithBatchedAcc(Suite suite, std::atomic<size_t>* calls, std::atomic<size_t>* rows_seen) {
  LoadedModel& acc = suite.models.at("acc");
  const std::shared_ptr<const models::Model> network = acc.network;
  std::vector<std::string> inputs = acc.policy->input_names();
  const size_t outputs = acc.policy->output_size();
  acc.policy = std::make_shared<BatchPolicy>(
      inputs, outputs, [network, calls, rows_seen](std::span<const double> obs, size_t rows, std::span<double> act) {
        static thread_local models::Workspace ws;
        ++*calls;
        *rows_seen += rows;
        const size_t in = network->input_size(), out = network->output_size();
        for (size_t r = 0; r < rows; ++r) network->Evaluate(obs.subspan(r * in, in), act.subspan(r * out, out), ws);
      });
  return suite;
}

TEST(LockstepTest, BatchedModelGivesTheResultsOfTheModelCalledPerInstance) {
  const Suite native = LoadSuite(kRoot + "/tests/python/testdata/small_suite.yaml");
  std::atomic<size_t> calls = 0, rows = 0;
  const Suite batched = WithBatchedAcc(native, &calls, &rows);
  const std::string a = test::ScratchPath("lockstep_native"), b = test::ScratchPath("lockstep_batched");
  const CampaignOutcome one = RunCampaign(native, {.threads = 1, .out_dir = a});
  const CampaignOutcome two = RunCampaign(batched, {.threads = 1, .out_dir = b});
  EXPECT_EQ(test::ReadFile(a + "/results.jsonl"), test::ReadFile(b + "/results.jsonl"));
  EXPECT_GT(rows.load(), calls.load() * 10) << "the calls carry batches of many instances";
  ASSERT_EQ(one.results.size(), two.results.size());
  const std::string c = test::ScratchPath("lockstep_batched2");
  std::atomic<size_t> calls2 = 0, rows2 = 0;
  const Suite batched2 = WithBatchedAcc(native, &calls2, &rows2);
  (void)RunCampaign(batched2, {.threads = 2, .out_dir = c});
  EXPECT_EQ(test::ReadFile(a + "/results.jsonl"), test::ReadFile(c + "/results.jsonl"));
}

TEST(ScenarioEnvTest, AnEpisodePlayedStepByStepIsTheSimulatedOne) {
  const Suite suite = LoadSuite(kRoot + "/tests/python/testdata/small_suite.yaml");
  const Family& family = suite.families.at(0);
  ASSERT_EQ(family.model_slot, "acc");
  const std::shared_ptr<const models::Model> network = suite.ModelOf(family).network;
  ScenarioEnv env(family.scenario);
  ASSERT_EQ(env.observation_size(), 3u);
  ASSERT_EQ(env.action_size(), 1u);
  const ParameterSpace& space = family.scenario->parameters;
  const std::vector<std::vector<double>> points = {space.NominalPoint(), space.FromUnit({0.5, 0.5, 0.9, 0.5, 0.5}),
                                                   space.FromUnit({0.9, 0.1, 0.05, 0.2, 0.95})};
  size_t compared = 0;
  for (size_t p = 0; p < points.size(); ++p) {
    core::Trace simulated;
    const InstanceResult expected =
        RunInstance(suite, {.family = &family, .index = p, .values = points[p], .seed = 1234 + p, .origin = "test",
                            .trace = &simulated});
    ASSERT_NE(expected.status, InstanceStatus::kError) << expected.error;
    env.Reset(points[p], 1234 + p);
    models::Workspace ws;
    size_t steps = 0;
    while (!env.done()) {
      double action = 0.0;
      network->Evaluate(env.observation(), std::span<double>(&action, 1), ws);
      env.Step(std::span<const double>(&action, 1));
      ++steps;
    }
    EXPECT_GT(steps, 10u);
    if (expected.Passed()) {
      ++compared;
      // the same rows and the same requirement values as the simulation
      EXPECT_TRUE(env.truncated());
      EXPECT_EQ(env.trace(), simulated);
      ASSERT_EQ(env.result().requirements.size(), expected.requirements.size());
      for (size_t k = 0; k < expected.requirements.size(); ++k) {
        EXPECT_EQ(env.result().requirements[k], expected.requirements[k]);
      }
      EXPECT_EQ(env.result().metrics, expected.metrics);
    } else {
      // a violation may end the episode early: its rows are a prefix of the simulation's
      ASSERT_LE(env.trace().size(), simulated.size());
      for (size_t i = 0; i < env.trace().size(); ++i) EXPECT_EQ(env.trace().time()[i], simulated.time()[i]);
    }
  }
  EXPECT_GE(compared, 1u) << "at least one instance must pass, so that whole episodes are compared";
}

TEST(ScenarioEnvTest, StepBeforeResetAndWrongActionSizeAreErrors) {
  const Suite suite = LoadSuite(kRoot + "/tests/python/testdata/small_suite.yaml");
  ScenarioEnv env(suite.families.at(0).scenario);
  const double a[2] = {0.0, 0.0};
  EXPECT_THROW(env.Step(std::span<const double>(a, 1)), std::logic_error);
  env.Reset(suite.families.at(0).scenario->parameters.NominalPoint(), 1);
  EXPECT_THROW(env.Step(std::span<const double>(a, 2)), std::invalid_argument);
  // a reset in the middle of an episode abandons it cleanly
  env.Step(std::span<const double>(a, 1));
  env.Reset(suite.families.at(0).scenario->parameters.NominalPoint(), 2);
  EXPECT_FALSE(env.done());
  EXPECT_EQ(env.time_s(), 0.0);
}

}  // namespace
}  // namespace gauntlet::scenarios
