#include "gate/gate_decision.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/format.h"
#include "reports/run_summary.h"
#include "scenarios/generators/statistics.h"

namespace gauntlet::gate {

namespace {

using scenarios::InstanceResult;
using scenarios::InstanceStatus;
using scenarios::RequirementOutcome;

const RequirementOutcome* FindRequirement(const InstanceResult& r, const std::string& name) {
  for (const RequirementOutcome& q : r.requirements)
    if (q.name == name) return &q;
  return nullptr;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

/// The verdict of an instance on the blocking requirements.
enum class Verdict { kPass, kFail, kInvalid };

Verdict VerdictOf(const InstanceResult& r, const std::vector<std::string>& blocking) {
  if (r.status == InstanceStatus::kError) return Verdict::kFail;
  if (r.status == InstanceStatus::kInvalid) return Verdict::kInvalid;
  for (const RequirementOutcome& q : r.requirements)
    if (!q.satisfied && Contains(blocking, q.name)) return Verdict::kFail;
  return Verdict::kPass;
}

/// The blocking requirements whose verdict differs (`failing_side` violated them), and the lowest
/// robustness of each side over them.
InstanceChange MakeChange(const InstanceResult& failing_side, const InstanceResult& passing_side,
                          const std::vector<std::string>& blocking, bool candidate_fails) {
  InstanceChange change;
  change.id = failing_side.id;
  change.family = failing_side.family;
  if (failing_side.status == InstanceStatus::kError) change.requirements.push_back("error");
  std::optional<double> fail_rob, pass_rob;
  for (const RequirementOutcome& q : failing_side.requirements) {
    if (q.satisfied || !Contains(blocking, q.name)) continue;
    change.requirements.push_back(q.name);
    fail_rob = fail_rob ? std::min(*fail_rob, q.robustness) : q.robustness;
    if (const RequirementOutcome* p = FindRequirement(passing_side, q.name))
      pass_rob = pass_rob ? std::min(*pass_rob, p->robustness) : p->robustness;
  }
  change.candidate_robustness = candidate_fails ? fail_rob : pass_rob;
  change.baseline_robustness = candidate_fails ? pass_rob : fail_rob;
  return change;
}

/// A figure for people: 6 significant digits (gate.json keeps full precision).
std::string Num(double v) { return core::FormatSignificant(v, 6); }

std::string Percent(double rate) { return core::FormatFixed(100.0 * rate, 2) + "%"; }

nlohmann::json JsonNumber(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

nlohmann::json JsonOptional(const std::optional<double>& v) { return v ? JsonNumber(*v) : nlohmann::json(nullptr); }

/// Families in order of first appearance, each with its requirement names in order of first appearance.
std::vector<std::pair<std::string, std::vector<std::string>>> FamilyRequirements(
    const std::vector<InstanceResult>& results) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  std::map<std::string, size_t> index;
  for (const InstanceResult& r : results) {
    auto [it, inserted] = index.emplace(r.family, out.size());
    if (inserted) out.push_back({r.family, {}});
    std::vector<std::string>& names = out[it->second].second;
    for (const RequirementOutcome& q : r.requirements)
      if (!Contains(names, q.name)) names.push_back(q.name);
  }
  return out;
}

/// Each candidate instance's baseline partner (same family, index, id and seed).
std::vector<const InstanceResult*> PairInstances(const std::vector<InstanceResult>& candidate,
                                                 const std::vector<InstanceResult>& baseline) {
  std::map<std::pair<std::string, size_t>, const InstanceResult*> by_key;
  for (const InstanceResult& b : baseline) by_key[{b.family, b.index}] = &b;
  if (baseline.size() != candidate.size() || by_key.size() != baseline.size()) {
    throw core::InputError({"baseline", 0, 0}, "the baseline has " + std::to_string(baseline.size()) +
                                                   " results and the candidate " + std::to_string(candidate.size()) +
                                                   "; a paired gate needs the same instances on both sides");
  }
  std::vector<const InstanceResult*> partner(candidate.size());
  for (size_t i = 0; i < candidate.size(); ++i) {
    const auto it = by_key.find({candidate[i].family, candidate[i].index});
    if (it == by_key.end() || it->second->id != candidate[i].id || it->second->seed != candidate[i].seed) {
      throw core::InputError({"baseline", 0, 0}, "instance '" + candidate[i].id +
                                                     "' of the candidate has no identical instance in the baseline");
    }
    partner[i] = it->second;
  }
  return partner;
}

/// The policy's blocking requirements, or else every gating requirement of the candidate.
std::vector<std::string> BlockingRequirements(const GatePolicy& policy, const std::vector<InstanceResult>& candidate) {
  std::vector<std::string> blocking;
  if (policy.blocking.empty()) {
    for (const InstanceResult& r : candidate)
      for (const RequirementOutcome& q : r.requirements)
        if (q.gating && !Contains(blocking, q.name)) blocking.push_back(q.name);
  } else {
    blocking = policy.blocking;
  }
  return blocking;
}

/// Rule 1: zero tolerance.
void ZeroToleranceRules(const GatePolicy& policy, const std::vector<InstanceResult>& candidate, GateDecision& d) {
  for (const std::string& name : policy.zero_tolerance) {
    size_t evaluated = 0, failed = 0;
    std::string example;
    for (const InstanceResult& r : candidate) {
      if (r.status != InstanceStatus::kCompleted) continue;
      const RequirementOutcome* q = FindRequirement(r, name);
      if (q == nullptr) continue;
      ++evaluated;
      if (!q->satisfied) {
        if (failed == 0) example = r.id;
        ++failed;
      }
    }
    RuleOutcome out{"zero_tolerance", name, failed == 0, ""};
    out.detail = failed == 0 ? "held on all " + std::to_string(evaluated) + " instances"
                             : "failed on " + std::to_string(failed) + " of " + std::to_string(evaluated) +
                                   " instances, first " + example;
    d.rules.push_back(std::move(out));
  }
}

/// Rule 2: minimum pass rates, per family and requirement.
void PassRateRules(const GatePolicy& policy, const std::vector<InstanceResult>& candidate, const std::vector<std::pair<std::string, std::vector<std::string>>>& families,
                   GateDecision& d) {
  for (const PassRateRule& rule : policy.min_pass_rate) {
    for (const auto& [family, names] : families) {
      for (const std::string& name : names) {
        if (rule.requirement.empty() ? !Contains(d.blocking, name) : name != rule.requirement) continue;
        const bool random_only = rule.instances == RateInstances::kRandomDraws;
        size_t n = 0, passed = 0;
        for (const InstanceResult& r : candidate) {
          if (r.family != family || r.status != InstanceStatus::kCompleted) continue;
          if (random_only && reports::ProvenanceOf(r.origin) != reports::Provenance::kRandomDraw) continue;
          const RequirementOutcome* q = FindRequirement(r, name);
          if (q == nullptr) continue;
          ++n;
          passed += q->satisfied ? 1 : 0;
        }
        if (n == 0) {
          d.notes.push_back("min_pass_rate " + family + "/" + name + ": no completed instance" +
                            (random_only ? " drawn at random" : "") + ", not checked");
          continue;
        }
        const scenarios::Interval failure = scenarios::ClopperPearson(n - passed, n);
        double value = static_cast<double>(passed) / static_cast<double>(n);
        const char* which = "observed";
        if (rule.bound == RateBound::kLower) {
          value = 1.0 - failure.hi;
          which = "95% lower bound";
        } else if (rule.bound == RateBound::kUpper) {
          value = 1.0 - failure.lo;
          which = "95% upper bound";
        }
        RuleOutcome out{"min_pass_rate", family + "/" + name, value >= rule.rate, ""};
        out.detail = std::to_string(passed) + "/" + std::to_string(n) +
                     (random_only ? " random draws passed, " : " instances passed, ") + which + " " + Percent(value) +
                     (out.passed ? " >= " : " < ") + "minimum " + Percent(rule.rate);
        d.rules.push_back(std::move(out));
      }
    }
  }
}

/// Rule 3: newly failing and newly passing instances.
void NewFailuresRule(const GatePolicy& policy, const std::vector<InstanceResult>& candidate,
                     const std::vector<const InstanceResult*>& partner, GateDecision& d) {
  for (size_t i = 0; i < candidate.size(); ++i) {
    const Verdict c = VerdictOf(candidate[i], d.blocking);
    const Verdict b = VerdictOf(*partner[i], d.blocking);
    if (candidate[i].status == InstanceStatus::kCompleted && partner[i]->status == InstanceStatus::kCompleted)
      ++d.paired;
    if (b == Verdict::kPass && c == Verdict::kFail)
      d.newly_failing.push_back(MakeChange(candidate[i], *partner[i], d.blocking, true));
    if (b == Verdict::kFail && c == Verdict::kPass)
      d.newly_passing.push_back(MakeChange(*partner[i], candidate[i], d.blocking, false));
  }
  if (policy.no_new_failures) {
    RuleOutcome out{"no_new_failures", "", d.newly_failing.empty(), ""};
    out.detail = d.newly_failing.empty()
                     ? "no instance that passed with the baseline fails with the candidate"
                     : std::to_string(d.newly_failing.size()) + " instances pass with the baseline and fail with the candidate";
    d.rules.push_back(std::move(out));
  }
}

/// Rule 4: robustness drops, paired, per family and requirement.
void RobustnessDropRules(const GatePolicy& policy, const std::vector<InstanceResult>& candidate,
                         const std::vector<const InstanceResult*>& partner, const std::vector<std::pair<std::string, std::vector<std::string>>>& families, GateDecision& d) {
  for (const RobustnessDropRule& rule : policy.max_robustness_drop) {
    for (const auto& [family, names] : families) {
      for (const std::string& name : names) {
        if (rule.requirement.empty() ? !Contains(d.blocking, name) : name != rule.requirement) continue;
        std::vector<double> drops;
        std::string worst_id;
        double worst = -INFINITY;
        for (size_t i = 0; i < candidate.size(); ++i) {
          const InstanceResult& c = candidate[i];
          const InstanceResult& b = *partner[i];
          if (c.family != family || c.status != InstanceStatus::kCompleted || b.status != InstanceStatus::kCompleted)
            continue;
          const RequirementOutcome* qc = FindRequirement(c, name);
          const RequirementOutcome* qb = FindRequirement(b, name);
          if (qc == nullptr || qb == nullptr || !std::isfinite(qc->robustness) || !std::isfinite(qb->robustness))
            continue;
          const double drop = qb->robustness - qc->robustness;
          drops.push_back(drop);
          if (drop > worst) {
            worst = drop;
            worst_id = c.id;
          }
        }
        if (drops.empty()) {
          d.notes.push_back("max_robustness_drop " + family + "/" + name + ": no paired finite robustness, not checked");
          continue;
        }
        double value = worst;
        if (rule.statistic == DropStatistic::kMedian) {
          std::sort(drops.begin(), drops.end());
          const size_t m = drops.size() / 2;
          value = drops.size() % 2 == 1 ? drops[m] : 0.5 * (drops[m - 1] + drops[m]);
        }
        RuleOutcome out{"max_robustness_drop", family + "/" + name, value <= rule.drop, ""};
        out.detail = std::string(rule.statistic == DropStatistic::kMedian ? "median" : "worst") + " paired drop " +
                     Num(value) + (out.passed ? " <= " : " > ") + "allowed " + Num(rule.drop) + " over " +
                     std::to_string(drops.size()) + " instances (worst " + Num(worst) + " on " + worst_id + ")";
        d.rules.push_back(std::move(out));
      }
    }
  }
}

/// Rule 5: formal checks.
void FormalRule(const GatePolicy& policy, const std::vector<InstanceResult>& candidate, GateDecision& d) {
  if (policy.formal_must_hold) {
    size_t formal = 0, failed = 0;
    std::string example;
    for (const InstanceResult& r : candidate) {
      if (r.origin != "formal") continue;
      ++formal;
      if (VerdictOf(r, d.blocking) == Verdict::kFail) {
        if (failed == 0) example = r.id;
        ++failed;
      }
    }
    if (formal == 0) {
      d.notes.push_back("formal_must_hold: skipped, no result has origin \"formal\"");
    } else {
      RuleOutcome out{"formal_must_hold", "", failed == 0, ""};
      out.detail = failed == 0 ? "all " + std::to_string(formal) + " formal results hold"
                               : std::to_string(failed) + " of " + std::to_string(formal) +
                                     " formal results fail, first " + example;
      d.rules.push_back(std::move(out));
    }
  }
}

}  // namespace

bool GateDecision::Accepted() const { return DecidingRule() == nullptr; }

const RuleOutcome* GateDecision::DecidingRule() const {
  for (const RuleOutcome& r : rules)
    if (!r.passed) return &r;
  return nullptr;
}

GateDecision DecideGate(const GatePolicy& policy, const std::vector<InstanceResult>& candidate,
                        const std::vector<InstanceResult>& baseline) {
  GateDecision d;
  const std::vector<const InstanceResult*> partner = PairInstances(candidate, baseline);
  d.blocking = BlockingRequirements(policy, candidate);
  const auto families = FamilyRequirements(candidate);
  ZeroToleranceRules(policy, candidate, d);
  PassRateRules(policy, candidate, families, d);
  NewFailuresRule(policy, candidate, partner, d);
  RobustnessDropRules(policy, candidate, partner, families, d);
  FormalRule(policy, candidate, d);
  return d;
}

std::string GateText(const GateDecision& d, size_t max_listed) {
  std::string out;
  const RuleOutcome* deciding = d.DecidingRule();
  out += std::string("gate: ") + (deciding ? "REJECTED" : "ACCEPTED") + " (" + std::to_string(d.paired) +
         " paired instances; blocking: ";
  for (size_t i = 0; i < d.blocking.size(); ++i) out += (i ? ", " : "") + d.blocking[i];
  out += ")\n";
  const auto rule_line = [](const RuleOutcome& r) {
    return r.rule + (r.subject.empty() ? "" : " [" + r.subject + "]") + ": " + r.detail;
  };
  if (deciding) {
    out += "decided by: " + rule_line(*deciding) + "\n";
    out += "failing rules:\n";
    for (const RuleOutcome& r : d.rules)
      if (!r.passed) out += "  FAIL " + rule_line(r) + "\n";
  }
  size_t passing = 0;
  for (const RuleOutcome& r : d.rules) passing += r.passed ? 1 : 0;
  out += "passing rules: " + std::to_string(passing) + " of " + std::to_string(d.rules.size()) + "\n";
  for (const std::string& note : d.notes) out += "note: " + note + "\n";
  const auto list = [&](const char* title, const std::vector<InstanceChange>& changes) {
    out += std::string(title) + ": " + std::to_string(changes.size()) + "\n";
    for (size_t i = 0; i < changes.size() && i < max_listed; ++i) {
      const InstanceChange& c = changes[i];
      out += "  " + c.id + "  [";
      for (size_t k = 0; k < c.requirements.size(); ++k) out += (k ? ", " : "") + c.requirements[k];
      out += "]";
      if (c.baseline_robustness && c.candidate_robustness)
        out += "  robustness " + Num(*c.baseline_robustness) + " -> " + Num(*c.candidate_robustness);
      out += "\n";
    }
    if (changes.size() > max_listed) out += "  ... and " + std::to_string(changes.size() - max_listed) + " more\n";
  };
  list("newly failing", d.newly_failing);
  list("newly passing", d.newly_passing);
  return out;
}

std::string GateJson(const GateDecision& d) {
  nlohmann::ordered_json j;
  j["verdict"] = d.Accepted() ? "accepted" : "rejected";
  j["exit_code"] = d.ExitCode();
  const RuleOutcome* deciding = d.DecidingRule();
  j["deciding_rule"] = deciding ? nlohmann::ordered_json{{"rule", deciding->rule}, {"subject", deciding->subject}}
                                : nlohmann::ordered_json(nullptr);
  j["blocking"] = d.blocking;
  j["paired_instances"] = d.paired;
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const RuleOutcome& r : d.rules)
    rules.push_back({{"rule", r.rule}, {"subject", r.subject}, {"passed", r.passed}, {"detail", r.detail}});
  j["rules"] = rules;
  j["notes"] = d.notes;
  const auto changes = [](const std::vector<InstanceChange>& list) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (const InstanceChange& c : list) {
      a.push_back({{"id", c.id},
                   {"family", c.family},
                   {"requirements", c.requirements},
                   {"baseline_robustness", JsonOptional(c.baseline_robustness)},
                   {"candidate_robustness", JsonOptional(c.candidate_robustness)}});
    }
    return a;
  };
  j["newly_failing"] = changes(d.newly_failing);
  j["newly_passing"] = changes(d.newly_passing);
  return j.dump(2) + "\n";
}

}  // namespace gauntlet::gate
