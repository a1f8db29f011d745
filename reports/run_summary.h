#pragma once
// The verdict of a run, per scenario family and requirement, and its renderings: the summary a
// person reads on the terminal, summary.json for machines, and junit.xml for CI test views.
//
//   RunSummary summary = Summarize(results, info);
//   std::cout << SummaryText(summary);
//   WriteFileAtomically(out_dir + "/junit.xml", JUnitXml(results, summary));   // reports/run_writer.h

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/campaign.h"
#include "scenarios/instance_result.h"

namespace gauntlet::reports {

/// Facts about the run that are not per instance.
struct RunInfo {
  std::string suite_name;
  std::string suite_path;
  uint64_t seed = 0;
  int threads = 0;
  double wall_time_s = 0.0;
  std::string out_dir;
  bool complete = true;  ///< false when interrupted: the numbers cover what finished
  std::vector<std::pair<std::string, std::string>> models;  ///< slot name, what it was loaded from
  std::vector<scenarios::FamilyCoverage> coverage;          ///< per family
};

/// How an instance was chosen, read from InstanceResult::origin. Only random draws from the parameter
/// distribution (the uniform, sobol and latin_hypercube generators, which map unit-cube points through each
/// parameter's inverse CDF, so a normal parameter is drawn from its normal) estimate a failure rate; the
/// others are chosen on purpose and are reported apart, never pooled into a rate or an interval.
enum class Provenance {
  kRandomDraw,  ///< "uniform", "sobol", "lhs"
  kGrid,        ///< "grid": a deterministic lattice
  kEdgeCase,    ///< "nominal", "edge:NAME=..."
  kCorner,      ///< "corner", "corner:cover" (covering array)
  kSearch,      ///< an adaptive search: "cma_es", "cross_entropy", "bayesian"
  kShrink,      ///< "shrink" (an evaluation of shrinking), "shrunk" (its minimal counterexample)
  kFormal,      ///< "formal": a formal check of a network, not an instance
  kOther,       ///< any other label (e.g. hand-written results): never counted as a random draw
};
inline constexpr size_t kProvenanceCount = 8;

/// The provenance of an origin label.
[[nodiscard]] Provenance ProvenanceOf(std::string_view origin);
/// Its name in summary.json and junit.xml: "random", "grid", "edge_cases", "corners", "search", "shrink",
/// "formal", "other".
[[nodiscard]] const char* ProvenanceName(Provenance provenance);
/// Its words on the terminal ("found by search", "edge cases").
[[nodiscard]] const char* ProvenanceWords(Provenance provenance);

/// Counts of one requirement over the instances of one provenance.
struct Tally {
  size_t evaluated = 0;           ///< completed instances
  size_t failed = 0;
  double worst_robustness = 0.0;  ///< lowest robustness (+inf if none evaluated)
  std::string worst_instance;
};

struct RequirementSummary {
  std::string name;
  bool gating = true;
  size_t evaluated = 0;  ///< completed instances, of every provenance
  size_t passed = 0;
  size_t failed = 0;        ///< violated
  size_t inconclusive = 0;  ///< neither passed nor failed after an early stop; in the failure rate
  double worst_robustness = 0.0;  ///< lowest robustness at time 0 (+inf if none evaluated)
  std::string worst_instance;     ///< id of the instance with the worst robustness
  /// The random draws alone (Provenance::kRandomDraw): the failure rate and its 95% Clopper-Pearson
  /// interval are a statement about the scenario's parameter distribution only for these.
  size_t sampled = 0;
  size_t sampled_failed = 0;
  double failure_rate_lo = 0.0;  ///< 95% Clopper-Pearson interval of the failure rate of the random draws
  double failure_rate_hi = 1.0;  ///< ([0, 1] when there are none)
  /// Per provenance (indexed by Provenance), the instances chosen on purpose; kRandomDraw is unused here.
  std::array<Tally, kProvenanceCount> by_provenance{};
};

/// A formal check of a family's network (a result with origin "formal"): not an instance, counted apart.
struct FormalCheckSummary {
  std::string name;     ///< the check's name (the requirement "formal:NAME" without the prefix)
  std::string id;       ///< the result id
  bool gating = true;
  std::string verdict;  ///< "holds", "violated" or "inconclusive"
  double margin = 0.0;  ///< the recorded robustness (NaN when inconclusive)
  std::string detail;   ///< why it is inconclusive
};

/// An adaptive search of a family (results with a search origin, then its shrinking), in plan order.
struct SearchSummary {
  std::string method;               ///< "cma_es", "cross_entropy", "bayesian"
  size_t simulations = 0;           ///< instances the search ran
  size_t failing = 0;               ///< of which violated a gating requirement
  double best_robustness = 0.0;     ///< lowest gating robustness found (+inf if none completed)
  std::string best_instance;
  size_t shrink_simulations = 0;    ///< instances shrinking ran (with the final "shrunk" one)
  std::string shrunk_instance;      ///< the minimal counterexample ("" when none was shrunk)
  double shrunk_robustness = 0.0;
  [[nodiscard]] bool found_violation() const { return failing > 0; }
};

struct FamilySummary {
  std::string family;
  size_t instances = 0;       ///< simulated instances (formal checks are not instances)
  size_t passed = 0;          ///< completed, every gating requirement satisfied
  size_t failed = 0;          ///< completed, some gating requirement violated
  size_t inconclusive = 0;    ///< completed, no gating requirement violated, some inconclusive (gates)
  size_t invalid = 0;         ///< an assumption broken
  size_t errors = 0;
  size_t sampled = 0;    ///< instances drawn at random from the parameter distribution
  std::vector<RequirementSummary> requirements;
  std::vector<SearchSummary> searches;
  std::vector<FormalCheckSummary> formal;
  std::vector<std::string> first_errors;  ///< up to 3 error messages, for the terminal
};

struct RunSummary {
  RunInfo info;
  std::vector<FamilySummary> families;
  /// Instance totals (formal checks are not instances).
  size_t instances = 0, passed = 0, failed = 0, inconclusive = 0, invalid = 0, errors = 0;
  /// Formal-check totals: held, violated (gating or not), inconclusive; `formal_failed` counts the gating
  /// violations, which fail the run as a failed instance does.
  size_t formal_checks = 0, formal_held = 0, formal_violated = 0, formal_failed = 0, formal_inconclusive = 0;
  /// 0 when every gating requirement held on every completed instance, every gating formal check held and
  /// nothing errored; 1 when some gating requirement or gating formal check failed, or a gating requirement
  /// was inconclusive after an early stop; 3 when instances errored or formal checks were inconclusive but
  /// nothing failed (or the run was interrupted).
  [[nodiscard]] int ExitCode() const;
  /// "PASSED", "FAILED", "INCONCLUSIVE" (no failure, some inconclusive instance), "ERROR" or "INCOMPLETE".
  [[nodiscard]] std::string Verdict() const;
};

/// Aggregates results one at a time (in plan order), so a run of any size needs no list of results.
class SummaryBuilder {
 public:
  void Add(const scenarios::InstanceResult& result);
  /// The summary of everything added, with `info`.
  [[nodiscard]] RunSummary Finish(RunInfo info) const;

 private:
  RunSummary summary_;
};

/// Aggregates results (in plan order) by family, in order of first appearance.
[[nodiscard]] RunSummary Summarize(const std::vector<scenarios::InstanceResult>& results, RunInfo info);

/// The terminal summary: one table per family with instances, passed, failed and worst robustness per requirement.
[[nodiscard]] std::string SummaryText(const RunSummary& summary);
/// summary.json (includes wall-clock time).
[[nodiscard]] std::string SummaryJson(const RunSummary& summary);
/// What junit.xml holds. CI servers struggle with hundreds of thousands of testcases, so a large run can
/// ask for one testcase per family and requirement instead of one per instance and requirement.
enum class JUnitMode {
  kPerInstance,     ///< "per-instance" (the default): a testcase per instance and requirement
  kPerRequirement,  ///< "per-requirement": a testcase per family and requirement listing failing instances
};
/// Parses "per-instance" or "per-requirement"; nullopt otherwise.
[[nodiscard]] std::optional<JUnitMode> ParseJUnitMode(std::string_view text);

struct JUnitOptions {
  JUnitMode mode = JUnitMode::kPerInstance;
  size_t max_listed = 20;  ///< per-requirement mode: failing (or erroring) instances listed per testcase
};

/// junit.xml. Per instance: a testsuite per family, a testcase per instance and requirement; a violation is a
/// <failure> with the robustness and first violation time; an instance error is an <error>; an invalid instance
/// is <skipped>. Per requirement: a testcase per family and requirement, failed when any instance violated it,
/// listing up to `max_listed` of them. Either way a family's formal checks (not instances) are a testsuite
/// "<family> formal checks" of their own, and each family's testsuite carries <properties> with the failure rate
/// of the random draws and what the instances chosen on purpose found.
[[nodiscard]] std::string JUnitXml(const std::vector<scenarios::InstanceResult>& results, const RunSummary& summary,
                                   const JUnitOptions& options = {});
/// The same, streaming the results from a results.jsonl file (one pass per family) so memory stays flat.
/// `wall_times_s[i]` is the wall time of the i-th line (results.jsonl holds none); may be empty.
void WriteJUnitXml(const std::string& results_jsonl, const RunSummary& summary, const std::vector<float>& wall_times_s,
                   std::ostream& out, const JUnitOptions& options = {});

/// Escapes text for XML attributes and content.
[[nodiscard]] std::string XmlEscape(const std::string& text);

}  // namespace gauntlet::reports
