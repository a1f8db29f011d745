#pragma once
// The paired release-gate decision: a candidate's results against a baseline's on the same instances.
//
// Both result lists cover exactly the same instances (same family, index, parameters and seed: see
// scenarios::RunSameInstances), so every comparison is paired. The rules of the policy are evaluated
// in a fixed order, and every one of them is evaluated (a report lists all failing rules, not only
// the first):
//
//   1. zero_tolerance       a listed requirement failed on some completed candidate instance
//   2. min_pass_rate        per family and requirement: the chosen bound of the 95% Clopper-Pearson
//                           interval of the pass rate is below the minimum
//   3. no_new_failures      some instance passed (every blocking requirement held) with the baseline
//                           and fails (a blocking requirement violated, or an instance error) with the
//                           candidate
//   4. max_robustness_drop  per family and requirement: the median or worst paired drop (baseline minus
//                           candidate robustness at time 0) exceeds the allowed drop
//   5. formal_must_hold     some result with origin "formal" failed (skipped with a note when there is none)
//
// The first failing rule in that order is the one that decided. Invalid instances (an assumption broken
// on either side) are neither passes nor failures and are not paired.
//
//   GateDecision d = DecideGate(policy, candidate.results, baseline.results);
//   std::cout << GateText(d);
//   return d.ExitCode();   // 1 rejected, 0 accepted

#include <optional>
#include <string>
#include <vector>

#include "gate/gate_policy.h"
#include "scenarios/instance_result.h"

namespace gauntlet::gate {

/// One evaluated rule on one subject.
struct RuleOutcome {
  std::string rule;     ///< "zero_tolerance", "min_pass_rate", "no_new_failures", "max_robustness_drop", "formal_must_hold"
  std::string subject;  ///< "family/requirement", a requirement, or "" for the whole run
  bool passed = true;
  std::string detail;   ///< the figures that decided, for people
};

/// An instance whose verdict differs between baseline and candidate.
struct InstanceChange {
  std::string id;
  std::string family;
  std::vector<std::string> requirements;  ///< the blocking requirements whose verdict changed ("error" for an instance error)
  std::optional<double> baseline_robustness;   ///< the lowest robustness over those requirements
  std::optional<double> candidate_robustness;
};

struct GateDecision {
  std::vector<RuleOutcome> rules;         ///< every rule evaluated, in rule order
  std::vector<InstanceChange> newly_failing;
  std::vector<InstanceChange> newly_passing;
  std::vector<std::string> blocking;      ///< the blocking requirements, resolved
  std::vector<std::string> notes;         ///< rules skipped and why
  size_t paired = 0;                      ///< instances completed on both sides

  [[nodiscard]] bool Accepted() const;
  /// The first failing rule, or null when accepted.
  [[nodiscard]] const RuleOutcome* DecidingRule() const;
  /// 0 accepted, 1 rejected.
  [[nodiscard]] int ExitCode() const { return Accepted() ? 0 : 1; }
};

/// Decides. `candidate` and `baseline` must hold the same instances (matched by family and index);
/// otherwise core::InputError names the first instance that has no partner.
[[nodiscard]] GateDecision DecideGate(const GatePolicy& policy, const std::vector<scenarios::InstanceResult>& candidate,
                                      const std::vector<scenarios::InstanceResult>& baseline);

/// The verdict for people: ACCEPTED/REJECTED first, the deciding rule, every failing rule, then the
/// newly failing and newly passing instances (at most `max_listed` each, then a count).
[[nodiscard]] std::string GateText(const GateDecision& decision, size_t max_listed = 20);
/// gate.json for machines: every rule, every changed instance.
[[nodiscard]] std::string GateJson(const GateDecision& decision);

}  // namespace gauntlet::gate
