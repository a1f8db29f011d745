#pragma once
// The release-gate policy: which rules decide whether a candidate model may replace a baseline.
//
// A policy is a plain struct whose fields are listed once (core/fields.h) and loaded strictly from YAML
// (configs/gate_policy.yaml is the documented example):
//
//   blocking: [no_collision, safe_gap]        # requirements that can reject; default: every gating one
//   zero_tolerance: [no_collision]            # must never fail on any candidate instance
//   min_pass_rate:
//     - {requirement: safe_gap, rate: 0.95, bound: lower}   # 95% Clopper-Pearson bound of the pass rate
//                                                           # of the random draws (instances: random_draws)
//   no_new_failures: true                     # no instance that passed with the baseline may fail
//   max_robustness_drop:
//     - {requirement: no_collision, drop: 0.5, statistic: median}
//   formal_must_hold: true                    # results with origin "formal" must all pass
//
//   GatePolicy policy = LoadGatePolicy("configs/gate_policy.yaml", requirement_names);
//
// Caveats: a requirement name in the policy must name a requirement of the suite (checked when
// `known_requirements` is given, with a did-you-mean); an empty `requirement` in a min_pass_rate or
// max_robustness_drop rule applies it to every blocking requirement.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/fields.h"

namespace gauntlet::gate {

/// Which end of the 95% Clopper-Pearson interval of the pass rate a min_pass_rate rule compares.
enum class RateBound {
  kLower,  ///< conservative: the pass rate is at least this with 95% confidence
  kUpper,  ///< lenient: rejects only when the pass rate is surely below the minimum
  kPoint,  ///< the observed rate passed/evaluated
};
[[nodiscard]] std::span<const core::EnumName<RateBound>> EnumNames(RateBound);

/// Which candidate instances a min_pass_rate rule counts. A rate and its interval describe the scenario's
/// parameter distribution only over instances drawn at random from it (origins uniform, sobol, lhs; see
/// reports::Provenance), which is the default; edge cases, corners, grid points, search and shrink instances
/// are chosen on purpose (often to fail) and bias a pooled rate.
enum class RateInstances {
  kRandomDraws,  ///< "random_draws" (default): the instances drawn at random from the parameter distribution
  kAll,          ///< "all": every completed instance, whatever chose it
};
[[nodiscard]] std::span<const core::EnumName<RateInstances>> EnumNames(RateInstances);

/// How the paired robustness drops (baseline minus candidate, per instance) are reduced.
enum class DropStatistic {
  kMedian,  ///< the median paired drop: a typical instance got this much less robust
  kWorst,   ///< the largest paired drop over all instances
};
[[nodiscard]] std::span<const core::EnumName<DropStatistic>> EnumNames(DropStatistic);

/// Minimum pass rate of one requirement, per scenario family.
struct PassRateRule {
  std::string requirement;  ///< "" applies to every blocking requirement
  double rate = 0.0;        ///< in [0, 1]
  RateBound bound = RateBound::kLower;
  RateInstances instances = RateInstances::kRandomDraws;  ///< which instances the rate is computed from
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("requirement", &requirement);
    a->Visit("rate", &rate, core::kRequired);
    a->Visit("bound", &bound);
    a->Visit("instances", &instances);
  }
};

/// Maximum allowed drop in robustness of one requirement, per scenario family. The paired drop of an
/// instance is baseline robustness minus candidate robustness (at time 0, in the requirement's units)
/// over the instances completed by both with finite robustness; positive means the candidate got worse.
struct RobustnessDropRule {
  std::string requirement;  ///< "" applies to every blocking requirement
  double drop = 0.0;        ///< the largest allowed statistic, >= 0
  DropStatistic statistic = DropStatistic::kMedian;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("requirement", &requirement);
    a->Visit("drop", &drop, core::kRequired);
    a->Visit("statistic", &statistic);
  }
};

/// The whole policy. Every field has a default, so {} gates on "no newly failing instance" alone.
struct GatePolicy {
  std::vector<std::string> blocking;        ///< empty: every gating requirement blocks
  std::vector<std::string> zero_tolerance;  ///< safety requirements that must never fail
  std::vector<PassRateRule> min_pass_rate;
  bool no_new_failures = true;
  std::vector<RobustnessDropRule> max_robustness_drop;
  bool formal_must_hold = true;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("blocking", &blocking);
    a->Visit("zero_tolerance", &zero_tolerance);
    a->Visit("min_pass_rate", &min_pass_rate);
    a->Visit("no_new_failures", &no_new_failures);
    a->Visit("max_robustness_drop", &max_robustness_drop);
    a->Visit("formal_must_hold", &formal_must_hold);
  }
};

/// Loads a policy file strictly: unknown keys (with a did-you-mean), wrong types, rates outside [0, 1],
/// negative drops and, when `known_requirements` is not empty, requirement names the suite lacks are all
/// reported at once as core::InputError with `path:line:col`.
[[nodiscard]] GatePolicy LoadGatePolicy(const std::string& path,
                                        const std::vector<std::string>& known_requirements = {});

}  // namespace gauntlet::gate
