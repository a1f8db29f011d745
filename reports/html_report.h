#pragma once
// report.html: the run as one self-contained page a person reads in a minute, without JavaScript
// (CI artefact viewers block it) and without external resources: inline CSS and inline SVG only.
//
// In order: the verdict; per family a table of its requirements with a pass/fail bar each; a
// robustness histogram per family and requirement (violations left of zero, in red); scatter plots
// of the parameter space (pairs of free parameters, failures as red crosses); then, for the worst
// instances when their traces are given, the top-view SVG, the violated signal against its
// threshold over time (the first violation marked) and the command that replays the instance.
//
//   const auto results = reports::ReadResultsFile(out_dir + "/results.jsonl");
//   std::vector<reports::HtmlCase> cases;
//   for (size_t i : reports::WorstInstances(results, 5))
//     cases.push_back(reports::MakeHtmlCase(suite, scenarios::ReplayInstance(suite, results[i]), out_dir));
//   WriteTextFile(out_dir + "/report.html", reports::RenderHtmlReport(summary, results, cases));
//
// Size budget: scatter plots keep every failure (up to a cap) and a deterministic stride sample of the
// passes; traces are reduced to min/max per bucket; the page stays under 5 MB for 10,000 instances.
// Caveats: the violated signal is found in the requirement's formula text (the first comparison of a
// trace signal with a number, e.g. `lead.gap > 2`); a formula without one (or one using `let` names)
// plots the first of its signals found in the trace, without a threshold line.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/trace.h"
#include "reports/run_summary.h"
#include "scenarios/instance_result.h"
#include "scenarios/replay.h"
#include "scenarios/suite.h"

namespace gauntlet::reports {

/// One instance shown in detail.
struct HtmlCase {
  scenarios::InstanceResult result;
  core::Trace trace;
  std::string top_view_svg;    ///< "" for none
  std::string formula;         ///< STL text of the violated (or worst) requirement
  std::string requirement;     ///< its name
  std::string replay_command;  ///< shown verbatim
};

/// Layout and size limits. Every field has a default, so {} is valid.
struct HtmlReportOptions {
  std::string title;                  ///< "" : "gauntlet: <suite>"
  size_t max_scatter_points = 1500;   ///< per plot, failures first
  size_t max_scatter_pairs = 6;       ///< parameter pairs per family
  size_t trace_points = 600;          ///< samples per signal plot (min/max per bucket)
  size_t histogram_bins = 30;
  size_t max_failure_rows = 200;      ///< rows of the failing-instances table per family
};

/// The whole page (UTF-8, `<!DOCTYPE html>`), well-formed as XML too.
[[nodiscard]] std::string RenderHtmlReport(const RunSummary& summary, const std::vector<scenarios::InstanceResult>& results,
                                           const std::vector<HtmlCase>& cases = {}, const HtmlReportOptions& options = {});

/// Every result of a results.jsonl, in file (plan) order, with plan_index set to the line's position
/// among the results. Throws core::InputError on a malformed line, core::InfrastructureError if unreadable.
[[nodiscard]] std::vector<scenarios::InstanceResult> ReadResultsFile(const std::string& results_jsonl);

/// A signal compared with a constant in a formula.
struct SignalThreshold {
  std::string signal;
  double threshold = 0.0;
  std::string op;  ///< ">", ">=", "<", "<=" with the signal on the left
};

/// The first comparison of a signal with a number in `formula` ("always (lead.gap > 2)" gives lead.gap, >, 2).
[[nodiscard]] std::optional<SignalThreshold> SignalThresholdOf(const std::string& formula);

/// Indices of up to `count` failed instances, lowest gating robustness first (ties: plan order).
[[nodiscard]] std::vector<size_t> WorstInstances(const std::vector<scenarios::InstanceResult>& results, size_t count);

/// The case of a replayed instance (scenarios::ReplayInstance: its result and trace): its top view, the
/// formula of its worst gating requirement and the replay command `gauntlet replay <out_dir> --case '<id>'`.
/// Runs no simulation. Throws core::InputError if the suite lacks the family.
[[nodiscard]] HtmlCase MakeHtmlCase(const scenarios::Suite& suite, scenarios::Replay replay, const std::string& out_dir);

}  // namespace gauntlet::reports
