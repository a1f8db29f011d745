// Faults inside a campaign (issue 9): a model emitting NaN or infinity, a physics blow-up, an instance
// over its wall-clock budget, an exception escaping a TBB task, and inputs sized to exhaust memory.
// Each test shows that the fault stays the faulty instance's own (or stops the run cleanly) and that
// every result written is intact: each completed line of results.jsonl is exactly what the instance
// gives when it runs alone, uninterrupted (RunInstance, as `gauntlet replay` does).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "scenarios/campaign.h"
#include "scenarios/suite.h"
#include "tests/models/onnx_builder.h"
#include "tests/test_files.h"

namespace gauntlet::scenarios {
namespace {

namespace fs = std::filesystem;

const std::string kTestData = std::string(GAUNTLET_SOURCE_DIR) + "/tests/scenarios/testdata/";

using gauntlet::test::ReadFile;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

fs::path Fresh(const std::string& name) { return test::FreshDir("fault_test_" + name); }

/// brake_scenario.yaml with each `from` replaced by its `to` (each must occur).
std::string Edited(const std::vector<std::pair<std::string, std::string>>& edits) {
  std::string text = ReadFile(kTestData + "brake_scenario.yaml");
  for (const auto& [from, to] : edits) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  }
  return text;
}

/// Writes `dir/s.yaml` and a one-family suite over it (a grid of `levels`), and loads the suite.
Suite WriteSuite(const fs::path& dir, const std::string& scenario, const std::string& models, int levels = 2) {
  std::ofstream(dir / "s.yaml") << scenario;
  std::ofstream(dir / "suite.yaml") << "suite: faults\nseed: 3\nmodels: " << models
                                    << "\nscenarios: [{scenario: s.yaml, generators: [{kind: grid, levels: "
                                    << levels << "}]}]\n";
  return LoadSuite((dir / "suite.yaml").string());
}

/// Every completed line of `dir/results.jsonl` is what its instance gives run alone; returns the
/// results read back (in file order), which must match `outcome` line for line.
std::vector<InstanceResult> ExpectIntact(const Suite& suite, const fs::path& dir, const CampaignOutcome& outcome) {
  const std::vector<std::string> lines = Lines(ReadFile((dir / "results.jsonl").string()));
  EXPECT_EQ(lines.size(), outcome.results.size());
  const Family& family = suite.families.at(0);
  for (size_t i = 0; i < std::min(lines.size(), outcome.results.size()); ++i) {
    const InstanceResult& r = outcome.results[i];
    EXPECT_EQ(lines[i], ToJsonLine(r));
    if (r.status == InstanceStatus::kError) continue;
    std::vector<double> values;
    for (const auto& [name, value] : r.parameters) values.push_back(value);
    InstanceResult alone = RunInstance(suite, family, r.index, values, r.seed, r.origin);
    alone.plan_index = r.plan_index;
    alone.wall_time_s = r.wall_time_s;  // the one field that is not deterministic
    EXPECT_EQ(ToJsonLine(alone), lines[i]) << "line " << i;
  }
  return outcome.results;
}

// Sanitizers slow the simulation 5-20x: the budget grows with them (the long instances stay far over it).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr double kBudget_s = 1.0;
#else
constexpr double kBudget_s = 0.05;
#endif

double Parameter(const InstanceResult& r, const std::string& name) {
  for (const auto& [n, v] : r.parameters) {
    if (n == name) return v;
  }
  ADD_FAILURE() << "no parameter " << name;
  return 0.0;
}

TEST(FaultTest, ModelEmittingNanOrInfinityIsAnErrorOfThatInstanceOnly) {
  const fs::path dir = Fresh("nan");
  // outputs: x1 / x1 (NaN when x1 = speed - 20 is 0) and 1 / x2 (+inf when x2 = speed - 25 is 0); the
  // acceleration command is output 0 (1 m/s^2 whenever it is a number)
  models::testing::OnnxBuilder b;
  b.Input("x", {1, 2}).Output("y", {1, 2});
  b.Initializer("pick1", {2, 1}, {1.0, 0.0}).Initializer("pick2", {2, 1}, {0.0, 1.0}).Initializer("one", {1, 1}, {1.0});
  b.Node("MatMul", {"x", "pick1"}, "x1");
  b.Node("MatMul", {"x", "pick2"}, "x2");
  b.Node("Div", {"x1", "x1"}, "ratio");
  b.Node("Div", {"one", "x2"}, "inverse");
  models::testing::OnnxBuilder::IntAttr(b.Node("Concat", {"ratio", "inverse"}, "y"), "axis", 1);
  b.Write(dir, "faulty.onnx");
  const std::string scenario = Edited({
      {"ego_speed: {uniform: [15, 30]}", "ego_speed: {choice: [15, 20, 25]}"},
      {"slot: idm", "slot: faulty"},
      {"    - {name: gap_m, expr: lead.gap, noise: {gaussian: 0.2}, dropout: 0.1}\n"
       "    - {name: speed_mps, expr: ego.speed}\n"
       "    - {name: closing_speed_mps, expr: ego.speed - lead.speed}\n",
       "    - {name: x1, expr: ego.speed - 20}\n    - {name: x2, expr: ego.speed - 25}\n"},
  });
  const Suite suite = WriteSuite(dir, scenario, "{faulty: {path: faulty.onnx}}");
  const CampaignOutcome outcome = RunCampaign(suite, {.threads = 2, .out_dir = dir.string()});
  EXPECT_TRUE(outcome.complete);
  size_t nan = 0, inf = 0, completed = 0;
  for (const InstanceResult& r : ExpectIntact(suite, dir, outcome)) {
    const double speed = Parameter(r, "ego_speed");
    if (speed == 20.0) {
      EXPECT_EQ(r.status, InstanceStatus::kError);
      EXPECT_EQ(r.error, "the controller failed at t=0 s: the model's output 0 is nan at t=0 s");
      ++nan;
    } else if (speed == 25.0) {
      EXPECT_EQ(r.status, InstanceStatus::kError);
      EXPECT_EQ(r.error, "the controller failed at t=0 s: the model's output 1 is inf at t=0 s");
      ++inf;
    } else {
      EXPECT_EQ(r.status, InstanceStatus::kCompleted) << r.error;
      EXPECT_FALSE(r.requirements.empty());
      ++completed;
    }
    if (r.status == InstanceStatus::kError) {
      EXPECT_TRUE(r.requirements.empty());
    }
  }
  EXPECT_EQ(nan, 4u);  // the 2 x 2 grid points of gap and decel, at each faulty speed
  EXPECT_EQ(inf, 4u);
  EXPECT_EQ(completed, 4u);
}

TEST(FaultTest, PhysicsBlowUpIsAnErrorOfThatInstanceOnly) {
  const fs::path dir = Fresh("physics");
  // a bystander aircraft at the edge of the double range: at 1.7e308 m/s its position overflows to
  // infinity in the first step (before any collision can end the episode); at 50 m/s nothing happens
  const std::string scenario = Edited({
      {"decel: {uniform: [2, 9]}", "decel: {uniform: [2, 9]}\n  bystander_speed: {choice: [50, 1.7e308]}"},
      {"    - name: lead\n",
       "    - {name: bystander, kind: aircraft, x_m: 1.79e308, y_m: 5000, speed_mps: bystander_speed}\n    - name: lead\n"},
  });
  const Suite suite = WriteSuite(dir, scenario, "{idm: {builtin: idm}}");
  const CampaignOutcome outcome = RunCampaign(suite, {.threads = 2, .out_dir = dir.string()});
  EXPECT_TRUE(outcome.complete);
  size_t errors = 0, completed = 0;
  for (const InstanceResult& r : ExpectIntact(suite, dir, outcome)) {
    if (Parameter(r, "bystander_speed") > 1e300) {
      EXPECT_EQ(r.status, InstanceStatus::kError);
      EXPECT_EQ(r.error, "t=0.01 s: the state of actor 'bystander' is not finite (x=inf, y=5000, heading=0, "
                         "speed=1.7e+308)");
      ++errors;
    } else {
      EXPECT_EQ(r.status, InstanceStatus::kCompleted) << r.error;
      ++completed;
    }
  }
  EXPECT_EQ(errors, 8u);
  EXPECT_EQ(completed, 8u);
}

TEST(FaultTest, InstanceOverItsWallBudgetIsATimeoutErrorAndTheOthersComplete) {
  const fs::path dir = Fresh("timeout");
  // horizon 4 s is 400 steps (well under a millisecond in a release build); 4e4 s is 4e6 steps (seconds):
  // a budget of 0.05 s stops only the long ones, with margins of 20x or more either side
  const std::string scenario = Edited({
      {"ego_speed: {uniform: [15, 30]}", "ego_speed: {uniform: [15, 30]}\n  horizon: {choice: [4, 40000]}"},
      {"gap: {uniform: [5, 40]}", "gap: 30"},
      {"decel: {uniform: [2, 9]}", "decel: 3"},
      {"duration_s: 4", "duration_s: horizon"},
  });
  const Suite suite = WriteSuite(dir, scenario, "{idm: {builtin: idm}}");
  const CampaignOutcome outcome =
      RunCampaign(suite, {.threads = 2, .out_dir = dir.string(), .instance_wall_budget_s = kBudget_s});
  EXPECT_TRUE(outcome.complete);
  size_t timeouts = 0, completed = 0;
  for (const InstanceResult& r : ExpectIntact(suite, dir, outcome)) {
    if (Parameter(r, "horizon") > 4.0) {
      EXPECT_EQ(r.status, InstanceStatus::kError);
      EXPECT_EQ(r.error.rfind("exceeded its wall-clock budget of " + std::to_string(kBudget_s) + " s at t=", 0), 0u)
          << r.error;
      EXPECT_LT(r.end_time_s, 40000.0);
      ++timeouts;
    } else {
      EXPECT_EQ(r.status, InstanceStatus::kCompleted) << r.error;
      ++completed;
    }
  }
  EXPECT_EQ(timeouts, 2u);  // ego_speed 15 and 30
  EXPECT_EQ(completed, 2u);
}

TEST(FaultTest, ExceptionEscapingATbbTaskStopsTheRunAndKeepsTheWrittenPrefix) {
  // AnInstanceErrorIsItsOwnAndTheOthersRun covers exceptions inside an instance; here the exception
  // escapes the task itself (from the result callback, called inside the parallel loop).
  const fs::path dir = Fresh("escape");
  const Suite suite = LoadSuite(kTestData + "brake_suite.yaml");
  const CampaignOutcome whole = RunCampaign(suite, {.threads = 2, .out_dir = (dir / "whole").string()});
  const std::vector<std::string> expected = Lines(ReadFile((dir / "whole/results.jsonl").string()));
  ASSERT_GT(expected.size(), 20u);
  size_t seen = 0;
  CampaignOptions options{.threads = 2, .out_dir = (dir / "faulty").string()};
  options.on_result = [&](const InstanceResult&) {
    if (++seen == 12) throw std::runtime_error("injected fault in a task");
  };
  try {
    (void)RunCampaign(suite, options);
    ADD_FAILURE() << "the exception did not reach the caller";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "injected fault in a task");
  }
  // the file holds the results up to the faulty one (and those the tasks under way finished while the
  // exception travelled), in plan order, each equal to the uninterrupted run's
  const std::vector<std::string> written = Lines(ReadFile((dir / "faulty/results.jsonl").string()));
  EXPECT_GE(seen, 12u);
  ASSERT_GE(written.size(), 11u);
  ASSERT_LT(written.size(), expected.size());
  for (size_t i = 0; i < written.size(); ++i) EXPECT_EQ(written[i], expected[i]) << "line " << i;
  // and the campaign runs again normally afterwards (no state left behind in the scheduler)
  const CampaignOutcome again = RunCampaign(suite, {.threads = 2, .out_dir = (dir / "again").string()});
  EXPECT_EQ(ReadFile((dir / "again/results.jsonl").string()), ReadFile((dir / "whole/results.jsonl").string()));
  EXPECT_EQ(again.results.size(), whole.results.size());
}

TEST(FaultTest, AbsurdDurationsAndTimeStepsAreRefusedWhenTheScenarioLoads) {
  const fs::path dir = Fresh("limits");
  auto load_error = [&](const std::vector<std::pair<std::string, std::string>>& edits) -> std::string {
    std::ofstream(dir / "s.yaml") << Edited(edits);
    try {
      (void)LoadScenario((dir / "s.yaml").string());
    } catch (const core::InputError& e) {
      return e.what();
    }
    return "loaded";
  };
  const std::string at = (dir / "s.yaml").string() + ":9:15: error: ";
  EXPECT_EQ(load_error({{"duration_s: 4", "duration_s: 1e12"}}),
            at + "too many steps: duration_s / time_step_s = 100000000000000 (at most 10000000)");
  EXPECT_EQ(load_error({{"time_step_s: 0.01", "time_step_s: 1e-300"}}),
            at + "too many steps: duration_s / time_step_s = 3.9999999999999996e+300 (at most 10000000)");
  EXPECT_EQ(load_error({{"duration_s: 4", "duration_s: .inf"}}),
            at + "expected a number in world.duration_s: '.inf' is not a number");
  EXPECT_EQ(load_error({}), "loaded");
}

}  // namespace
}  // namespace gauntlet::scenarios
