// ModelDriver, one control step at a time on hand-made signal rows: the observation's expression, bias,
// scale and offset, delay and dropout; continuous commands scaled from raw outputs; advisories chosen by
// argmin/argmax with ties to the lowest index; the network of the previous advisory; non-finite outputs.

#include "scenarios/model_driver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenarios/scenario.h"
#include "scenarios/suite.h"
#include "sim/world_spec.h"
#include "tests/test_files.h"

namespace gauntlet::scenarios {
namespace {

/// A policy that records every observation it is given and answers with `outputs`.
class ScriptedPolicy final : public models::Policy {
 public:
  ScriptedPolicy(size_t inputs, std::vector<double> outputs)
      : Policy(std::vector<std::string>(inputs, "x"), outputs.size()), outputs(std::move(outputs)) {}

  void Act(std::span<const double> observation, std::span<double> action, models::PolicyScratch&) const override {
    seen.emplace_back(observation.begin(), observation.end());
    std::copy(outputs.begin(), outputs.end(), action.begin());
  }

  std::vector<double> outputs;
  mutable std::vector<std::vector<double>> seen;
};

const char* const kWorld = R"(
world:
  time_step_s: 0.1
  duration_s: 1
  road: {roads: [{id: main, segments: [{length_m: 400}]}]}
  actors:
    - {name: ego, ego: true, lane: "main:0", s_m: 10, speed_mps: 20}
    - {name: lead, lane: "main:0", s_m: 40, speed_mps: 20}
requirements:
  - {name: no_collision, formula: always (lead.gap > 0)}
)";

std::shared_ptr<const Scenario> LoadText(const std::string& name, const std::string& model_section) {
  return LoadScenario(test::WriteUnder(test::FreshDir("model_driver_test_" + name), "scenario.yaml",
                                      "scenario: " + name + "\n" + kWorld + model_section));
}

/// One control step: signals of the world with lead.gap and ego.speed set.
class Stepper {
 public:
  Stepper(const Scenario& scenario, ModelDriver& driver)
      : names_(sim::SignalNames(scenario.world)), row_(names_.size(), 0.0), extra_(driver.SignalNames().size(), 0.0),
        driver_(driver) {}

  void Step(double gap, double speed, double time_s = 0.0) {
    row_[Index("lead.gap")] = gap;
    row_[Index("ego.speed")] = speed;
    command = {};
    driver_.Act(time_s, row_, extra_, &command);
  }
  [[nodiscard]] const std::vector<double>& extra() const { return extra_; }
  sim::EgoCommand command;

 private:
  size_t Index(const std::string& name) const {
    return static_cast<size_t>(std::find(names_.begin(), names_.end(), name) - names_.begin());
  }
  std::vector<std::string> names_;
  std::vector<double> row_;
  std::vector<double> extra_;
  ModelDriver& driver_;
};

LoadedModel ModelOf(std::shared_ptr<const models::Policy> policy) {
  LoadedModel model;
  model.slot = "m";
  model.source = "test";
  model.policy = std::move(policy);
  return model;
}

TEST(ModelDriverTest, BiasScaleAndOffsetShapeTheObservationAndTheCommand) {
  const auto scenario = LoadText("scale", R"(
model:
  slot: m
  observation:
    - {name: gap, expr: lead.gap + 1, bias: 0.5, scale: 2, offset: 3}
    - {name: speed, expr: ego.speed}
  accel_mps2: {output: 1, scale: 2, offset: -1}
  steer_rad: {output: 0}
)");
  auto policy = std::make_shared<ScriptedPolicy>(2, std::vector<double>{0.25, -1.5});
  const LoadedModel model = ModelOf(policy);
  const ModelBindingSpec& binding = scenario->model_binding;
  ModelDriver driver(*scenario, binding, model, core::Rng(1));
  EXPECT_EQ(driver.SignalNames(), (std::vector<std::string>{"model.in.gap", "model.in.speed", "cmd.accel_mps2",
                                                             "cmd.steer_rad", "cmd.turn_rate_radps"}));
  Stepper step(*scenario, driver);
  step.Step(30.0, 20.0);
  ASSERT_EQ(policy->seen.size(), 1u);
  EXPECT_EQ(policy->seen[0], (std::vector<double>{(30.0 + 1 + 0.5) * 2 + 3, 20.0}));
  EXPECT_EQ(step.command.accel_mps2, -1.5 * 2 - 1);
  EXPECT_EQ(step.command.steer_rad, 0.25);
  EXPECT_EQ(step.command.turn_rate_radps, 0.0);  // not bound: left as it was
  EXPECT_EQ(step.extra(), (std::vector<double>{66.0, 20.0, -4.0, 0.25, 0.0}));
}

TEST(ModelDriverTest, DelayFeedsTheReadingOfDelayStepsAgoAndTheFirstUntilThere) {
  const auto scenario = LoadText("delay", R"(
model:
  slot: m
  observation:
    - {name: gap, expr: lead.gap, delay_steps: 2}
    - {name: now, expr: lead.gap}
  accel_mps2: {output: 0}
)");
  auto policy = std::make_shared<ScriptedPolicy>(2, std::vector<double>{0.0});
  const LoadedModel model = ModelOf(policy);
  ModelDriver driver(*scenario, scenario->model_binding, model, core::Rng(1));
  Stepper step(*scenario, driver);
  for (int k = 1; k <= 6; ++k) step.Step(10.0 * k, 0.0);
  const double expected[6] = {10, 10, 10, 20, 30, 40};
  for (size_t k = 0; k < 6; ++k) {
    EXPECT_EQ(policy->seen[k][0], expected[k]) << k;
    EXPECT_EQ(policy->seen[k][1], 10.0 * static_cast<double>(k + 1)) << k;
  }
}

TEST(ModelDriverTest, DropoutKeepsThePreviousValue) {
  const auto scenario = LoadText("dropout", R"(
model:
  slot: m
  observation:
    - {name: always_dropped, expr: lead.gap, dropout: 1}
    - {name: never_dropped, expr: lead.gap, dropout: 0}
    - {name: half, expr: lead.gap, dropout: 0.5}
  accel_mps2: {output: 0}
)");
  auto policy = std::make_shared<ScriptedPolicy>(3, std::vector<double>{0.0});
  const LoadedModel model = ModelOf(policy);
  ModelDriver driver(*scenario, scenario->model_binding, model, core::Rng(7));
  Stepper step(*scenario, driver);
  constexpr int kSteps = 400;
  for (int k = 0; k < kSteps; ++k) step.Step(static_cast<double>(k), 0.0);
  int fresh = 0;
  for (int k = 0; k < kSteps; ++k) {
    const std::vector<double>& seen = policy->seen[static_cast<size_t>(k)];
    EXPECT_EQ(seen[0], 0.0) << k;  // the first reading, never replaced
    EXPECT_EQ(seen[1], k) << k;
    // the half-dropped slot shows this step's reading or repeats the value it showed before
    if (k > 0) {
      EXPECT_TRUE(seen[2] == k || seen[2] == policy->seen[static_cast<size_t>(k - 1)][2]) << k;
    }
    if (seen[2] == k) ++fresh;
  }
  EXPECT_GT(fresh, kSteps / 4);  // about half: a binomial(400, 0.5) is below 100 with probability < 1e-20
  EXPECT_LT(fresh, kSteps * 3 / 4);
  // the same stream gives the same drops
  auto again = std::make_shared<ScriptedPolicy>(3, std::vector<double>{0.0});
  const LoadedModel model_again = ModelOf(again);
  ModelDriver driver_again(*scenario, scenario->model_binding, model_again, core::Rng(7));
  Stepper step_again(*scenario, driver_again);
  for (int k = 0; k < kSteps; ++k) step_again.Step(static_cast<double>(k), 0.0);
  EXPECT_EQ(again->seen, policy->seen);
}

const char* const kAdvisories = R"(
model:
  slot: m
  observation:
    - {name: gap, expr: lead.gap}
  advisories:
    - {name: hold, turn_rate_radps: 0}
    - {name: left, turn_rate_radps: 0.1}
    - {name: right, turn_rate_radps: -0.1}
    - {name: brake, accel_mps2: -3}
  select: SELECT
)";

std::shared_ptr<const Scenario> AdvisoryScenario(const std::string& select) {
  std::string text = kAdvisories;
  text.replace(text.find("SELECT"), 6, select);
  return LoadText("advisory_" + select, text);
}

TEST(ModelDriverTest, ArgminAndArgmaxTiesGoToTheLowestIndex) {
  const auto argmin = AdvisoryScenario("argmin");
  auto policy = std::make_shared<ScriptedPolicy>(1, std::vector<double>{1.0, 0.5, 0.5, 2.0});
  const LoadedModel model = ModelOf(policy);
  ModelDriver driver(*argmin, argmin->model_binding, model, core::Rng(1));
  ASSERT_EQ(driver.SignalNames().back(), "model.advisory");
  Stepper step(*argmin, driver);
  step.Step(30.0, 20.0);
  EXPECT_EQ(step.extra().back(), 1.0);  // outputs 1 and 2 tie for the smallest: the lower index
  EXPECT_EQ(step.command.turn_rate_radps, 0.1);
  policy->outputs = {0.0, 0.0, 0.0, 0.0};
  step.Step(30.0, 20.0);
  EXPECT_EQ(step.extra().back(), 0.0);
  policy->outputs = {5.0, 4.0, 3.0, -1.0};
  step.Step(30.0, 20.0);
  EXPECT_EQ(step.extra().back(), 3.0);
  EXPECT_EQ(step.command.accel_mps2, -3.0);

  const auto argmax = AdvisoryScenario("argmax");
  policy->outputs = {1.0, 3.0, 2.0, 3.0};
  ModelDriver max_driver(*argmax, argmax->model_binding, model, core::Rng(1));
  Stepper max_step(*argmax, max_driver);
  max_step.Step(30.0, 20.0);
  EXPECT_EQ(max_step.extra().back(), 1.0);
  EXPECT_EQ(max_step.command.turn_rate_radps, 0.1);
}

TEST(ModelDriverTest, TheNetworkOfThePreviousAdvisoryActsNext) {
  const auto scenario = AdvisoryScenario("argmin");
  std::vector<std::shared_ptr<ScriptedPolicy>> networks;
  LoadedModel model;
  model.slot = "m";
  for (size_t a = 0; a < 4; ++a) {
    // network a always advises (a + 1) mod 4
    std::vector<double> scores(4, 1.0);
    scores[(a + 1) % 4] = 0.0;
    networks.push_back(std::make_shared<ScriptedPolicy>(1, scores));
    model.by_previous_advisory.push_back(networks.back());
  }
  model.policy = networks[0];
  ModelDriver driver(*scenario, scenario->model_binding, model, core::Rng(1));
  Stepper step(*scenario, driver);
  for (int k = 0; k < 6; ++k) {
    step.Step(30.0, 20.0);
    EXPECT_EQ(step.extra().back(), static_cast<double>((k + 1) % 4)) << k;
  }
  // the first step used network 0 (clear of conflict), then each the previous advisory's
  EXPECT_EQ(networks[0]->seen.size(), 2u);
  EXPECT_EQ(networks[1]->seen.size(), 2u);
  EXPECT_EQ(networks[2]->seen.size(), 1u);
  EXPECT_EQ(networks[3]->seen.size(), 1u);
}

TEST(ModelDriverTest, ANonFiniteOutputIsAnErrorOfTheInstance) {
  const auto scenario = AdvisoryScenario("argmin");
  auto policy = std::make_shared<ScriptedPolicy>(
      1, std::vector<double>{0.0, std::numeric_limits<double>::quiet_NaN(), 1.0, 1.0});
  const LoadedModel model = ModelOf(policy);
  ModelDriver driver(*scenario, scenario->model_binding, model, core::Rng(1));
  Stepper step(*scenario, driver);
  try {
    step.Step(30.0, 20.0, 1.5);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "the model's output 1 is nan at t=1.5 s");
  }
}

TEST(ModelDriverTest, ControlPeriodInSteps) {
  const auto scenario = LoadText("period", R"(
model:
  slot: m
  observation:
    - {name: gap, expr: lead.gap}
  accel_mps2: {output: 0}
  control_period_s: 0.25
)");
  const LoadedModel model = ModelOf(std::make_shared<ScriptedPolicy>(1, std::vector<double>{0.0}));
  const ModelDriver driver(*scenario, scenario->model_binding, model, core::Rng(1));
  EXPECT_EQ(driver.ControlPeriodSteps(0.06), 4);  // 4.17 steps, rounded
  EXPECT_EQ(driver.ControlPeriodSteps(0.01), 25);
  EXPECT_EQ(driver.ControlPeriodSteps(1.0), 1);   // never less than every step
}

}  // namespace
}  // namespace gauntlet::scenarios
