// Verdicts of runs that end before their horizon (stop_on_collision, stop_on_violation): a window
// past the stop is never a vacuous pass (docs/stl.md, "Early stops").

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "scenarios/campaign.h"
#include "scenarios/suite.h"
#include "tests/test_files.h"

namespace gauntlet::scenarios {
namespace {

namespace fs = std::filesystem;

const std::string kCutIn = std::string(GAUNTLET_SOURCE_DIR) + "/configs/scenarios/cut_in.yaml";

// The bundled cut_in scenario with the ego run by the example's idm, its generators replaced by
// `generators` and its text changed by `edit`.
CampaignOutcome RunCutIn(const std::string& name, const std::string& generators,
                         const std::function<void(std::string*)>& edit = {}) {
  std::string text = test::ReadFile(kCutIn);
  if (edit) edit(&text);
  const fs::path dir = test::FreshDir("early_stop_test_" + name);
  fs::copy(std::string(GAUNTLET_SOURCE_DIR) + "/configs/catalogs", dir / "catalogs");
  fs::create_directories(dir / "scenarios");
  std::ofstream(dir / "scenarios" / "cut_in.yaml") << text;
  std::ofstream(dir / "suite.yaml") << "suite: e\nseed: 42\nmodels: {idm: {builtin: idm, params: {v0: 35}}}\n"
                                       "scenarios: [{scenario: scenarios/cut_in.yaml, model: idm, generators: "
                                    << generators << "}]\n";
  return RunCampaign(LoadSuite((dir / "suite.yaml").string()), {.threads = 2});
}

// Replaces `from` (which must be in `text`) by `to`.
void Replace(std::string* text, const std::string& from, const std::string& to) {
  const size_t at = text->find(from);
  ASSERT_NE(at, std::string::npos) << "cut_in.yaml no longer has '" << from << "'";
  text->replace(at, from.size(), to);
}

const RequirementOutcome& Named(const InstanceResult& r, const std::string& name) {
  for (const auto& q : r.requirements) {
    if (q.name == name) return q;
  }
  ADD_FAILURE() << "no requirement " << name;
  return r.requirements.front();
}

// The case: cut_in@idm with a contact before 2 s; `recovers_gap: always[6, 10]` passed with
// +inf on the clipped trace. Cut-ins 1 to 2 m ahead at 6 to 8 m/s slower hit the ego in any geometry.
TEST(EarlyStopTest, CutInContactBeforeTwoSecondsLeavesRecoversGapInconclusive) {
  const CampaignOutcome out = RunCutIn("contact", "[{kind: uniform, count: 12}]", [](std::string* text) {
    Replace(text, "gap: {uniform: [5 m, 40 m]}", "gap: {uniform: [1 m, 2 m]}");
    Replace(text, "speed_deficit: {uniform: [0 m/s, 8 m/s]}", "speed_deficit: {uniform: [6 m/s, 8 m/s]}");
    Replace(text, "cut_duration: {uniform: [1 s, 3.5 s]}", "cut_duration: {uniform: [1 s, 1.2 s]}");
    // the assumptions would discard these runs as unavoidable: keep the requirement verdicts in view
    const size_t from = text->find("\nassumptions:"), to = text->find("\nmetrics:");
    ASSERT_TRUE(from != std::string::npos && to != std::string::npos && from < to);
    text->erase(from, to - from);
  });
  ASSERT_EQ(out.results.size(), 12u);
  for (const InstanceResult& r : out.results) {
    ASSERT_EQ(r.status, InstanceStatus::kCompleted) << r.id << ": " << r.error;
    ASSERT_LT(r.end_time_s, 2.0) << r.id;
    ASSERT_LT(r.steps, 1001u) << r.id;
    // the no-contact requirement saw the contact: failed whatever follows
    size_t certain = 0;
    for (const RequirementOutcome& q : r.requirements) {
      ASSERT_TRUE(q.robustness_bounds.has_value()) << r.id << " " << q.name;
      if (q.gating && !q.satisfied && !q.inconclusive) {
        ++certain;
        EXPECT_LT(q.robustness_bounds->second, 0.0);
      }
    }
    EXPECT_GE(certain, 1u) << r.id;
    const RequirementOutcome& recovers = Named(r, "recovers_gap");
    EXPECT_TRUE(recovers.inconclusive) << r.id;
    EXPECT_FALSE(recovers.satisfied);
    EXPECT_EQ(recovers.robustness_bounds, std::make_optional(std::pair<double, double>{-INFINITY, INFINITY}));
    EXPECT_EQ(recovers.robustness, -INFINITY);
    EXPECT_FALSE(recovers.first_violation_time_s.has_value());
    EXPECT_TRUE(r.Failed());
    EXPECT_FALSE(r.Inconclusive());  // the contact failed for certain
  }
}

// The example family as bundled: whatever the geometry decides about contacts, a run that stopped
// before 6 s never passes recovers_gap, and a run that reached its horizon carries no bounds.
TEST(EarlyStopTest, BundledCutInNeverPassesAWindowPastTheStop) {
  const CampaignOutcome out = RunCutIn("bundled", "[{kind: edge_cases, corner_budget: 8}, {kind: uniform, count: 40}]");
  size_t completed = 0;
  for (const InstanceResult& r : out.results) {
    if (r.status != InstanceStatus::kCompleted) continue;
    ++completed;
    const RequirementOutcome& recovers = Named(r, "recovers_gap");
    const bool stopped = r.steps < 1001;
    EXPECT_EQ(recovers.robustness_bounds.has_value(), stopped) << r.id;
    if (stopped && r.end_time_s < 6.0) {
      EXPECT_TRUE(recovers.inconclusive) << r.id;
      EXPECT_FALSE(recovers.satisfied) << r.id;
    }
    EXPECT_TRUE(std::isfinite(recovers.robustness) || recovers.inconclusive) << r.id;
  }
  EXPECT_GT(completed, 0u);
}

// stop_on_violation: the run ends at the violation of safe_gap; a later window of another requirement
// is inconclusive, the same window on the full run is decided.
TEST(EarlyStopTest, StopOnViolationLeavesLaterWindowsInconclusive) {
  auto run = [](bool stop) {
    return RunCutIn(stop ? "violation_stop" : "violation_full", "[{kind: uniform, count: 10}]", [stop](std::string* text) {
      text->insert(0, "stop_on_collision: false\n");
      Replace(text, "\nrequirements:",
              std::string("\nrequirements:\n  - {name: safe_gap, formula: always (cutter.gap > 1000), "
                          "stop_on_violation: ") +
                  (stop ? "true}" : "false}"));
    });
  };
  const CampaignOutcome stopped = run(true);
  const CampaignOutcome full = run(false);
  ASSERT_EQ(stopped.results.size(), full.results.size());
  for (size_t i = 0; i < stopped.results.size(); ++i) {
    const InstanceResult& s = stopped.results[i];
    const InstanceResult& f = full.results[i];
    if (s.status != InstanceStatus::kCompleted) continue;
    ASSERT_LT(s.steps, f.steps);  // violated at the first sample: stopped at once
    EXPECT_EQ(Named(s, "safe_gap").satisfied, false);
    EXPECT_EQ(Named(s, "safe_gap").first_violation_time_s, Named(f, "safe_gap").first_violation_time_s);
    EXPECT_TRUE(Named(s, "recovers_gap").inconclusive) << s.id;
    EXPECT_FALSE(Named(f, "recovers_gap").inconclusive) << f.id;
    EXPECT_FALSE(Named(f, "recovers_gap").robustness_bounds.has_value());
  }
}

}  // namespace
}  // namespace gauntlet::scenarios
