#pragma once
// The verdict of a run, per scenario family and requirement, and its renderings: the summary a
// person reads on the terminal, summary.json for machines, and junit.xml for CI test views.
//
//   RunSummary summary = Summarize(results, info);
//   std::cout << SummaryText(summary);
//   WriteFile(out / "junit.xml", JUnitXml(results, summary));

#include <cstdint>
#include <optional>
#include <string>
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

struct RequirementSummary {
  std::string name;
  bool gating = true;
  size_t evaluated = 0;  ///< completed instances
  size_t passed = 0;
  size_t failed = 0;        ///< violated
  size_t inconclusive = 0;  ///< neither passed nor failed after an early stop; in the failure rate
  double worst_robustness = 0.0;  ///< lowest robustness at time 0 (+inf if none evaluated)
  std::string worst_instance;     ///< id of the instance with the worst robustness
  double failure_rate_lo = 0.0;   ///< 95% Clopper-Pearson interval of the failure rate
  double failure_rate_hi = 1.0;
};

struct FamilySummary {
  std::string family;
  size_t instances = 0;
  size_t passed = 0;   ///< completed, every gating requirement satisfied
  size_t failed = 0;   ///< completed, some gating requirement violated
  size_t inconclusive = 0;  ///< completed, no gating requirement violated, some inconclusive (gates)
  size_t invalid = 0;  ///< an assumption broken
  size_t errors = 0;
  std::vector<RequirementSummary> requirements;
  std::vector<std::string> first_errors;  ///< up to 3 error messages, for the terminal
};

struct RunSummary {
  RunInfo info;
  std::vector<FamilySummary> families;
  size_t instances = 0, passed = 0, failed = 0, inconclusive = 0, invalid = 0, errors = 0;
  /// 0 when every gating requirement held on every completed instance and nothing errored, 1 when some gating
  /// requirement failed or was inconclusive, 3 when instances errored but none failed.
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
/// junit.xml: a testsuite per family, a testcase per instance and requirement; a violation is a <failure> with the
/// robustness and first violation time; an instance error is an <error>; an invalid instance is <skipped>.
[[nodiscard]] std::string JUnitXml(const std::vector<scenarios::InstanceResult>& results, const RunSummary& summary);
/// The same, streaming the results from a results.jsonl file (one pass per family) so memory stays flat.
/// `wall_times_s[i]` is the wall time of the i-th line (results.jsonl holds none); may be empty.
void WriteJUnitXml(const std::string& results_jsonl, const RunSummary& summary, const std::vector<float>& wall_times_s,
                   std::ostream& out);

/// Escapes text for XML attributes and content.
[[nodiscard]] std::string XmlEscape(const std::string& text);

}  // namespace gauntlet::reports
