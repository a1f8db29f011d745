#pragma once
// report.html: the run as one self-contained page a person reads in a minute. No external resources
// (inline CSS, inline SVG, one small inline script); readable without JavaScript (CI artefact viewers
// block it: every picture is static SVG and the replays show their start and worst moments) and better
// with it (the replays play, with a time slider). The layout works from 400 px to wide screens.
//
// In order: a verdict header (tool version, the generation date on ONE line carrying `data-volatile`,
// the only line that differs between two renderings of the same results, the suite fingerprint and the
// models); a table of contents linking every family and requirement; per family a table of its
// requirements, a robustness histogram per requirement, parameter plots (ticks in the units written in
// the scenario, logarithmic axes where a range spans decades), its failing instances and, for each
// failing requirement, the worst instance (and the shrunk one when shrinking ran) with its replay; a
// section per adversarial search (robustness against the simulation count, the best point found, the
// shrunk counterexample); the formal checks with their witnesses.
//
//   const auto results = reports::ReadResultsFile(out_dir + "/results.jsonl");   // witnesses included
//   std::vector<reports::HtmlCase> cases;
//   for (const reports::CaseChoice& c : reports::SelectCases(results))
//     cases.push_back(reports::MakeHtmlCase(suite, scenarios::ReplayInstance(suite, results[c.index]), out_dir,
//                                           c.requirement, c.role));
//   reports::HtmlReportOptions options{.suite = &suite, .tool_version = "1.0"};
//   reports::WriteFileAtomically(out_dir + "/report.html", reports::RenderHtmlReport(summary, results, cases, options));
//
// Size budget: scatter plots keep every failure (up to a cap) and a deterministic stride sample of the
// passes; traces are reduced to min/max per bucket and replays to at most 300 frames; the page stays
// under 5 MB for 10,000 instances. Caveats: the violated signal is found in the requirement's formula
// text (the first comparison of a trace signal with a number, e.g. `lead.gap > 2`); a formula without
// one plots the first of its signals found in the trace, without a threshold line. The unit written in
// the scenario is read from the parameter's declaration (the first `<number> <unit>` in it); derived
// parameters are shown in SI units.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/trace.h"
#include "reports/run_summary.h"
#include "reports/top_view.h"
#include "scenarios/instance_result.h"
#include "scenarios/replay.h"
#include "scenarios/suite.h"

namespace gauntlet::reports {

/// One instance shown in detail, with its trace (from scenarios::ReplayInstance).
struct HtmlCase {
  scenarios::InstanceResult result;
  core::Trace trace;
  std::string top_view_svg;    ///< "" for none; drawn with live actors for the replay's script
  std::vector<TopViewActor> actors;  ///< the actors the replay moves
  std::string formula;         ///< STL text of the requirement shown
  std::string requirement;     ///< its name
  std::string role = "worst";  ///< "worst" (of its requirement) or "shrunk" (the shrunk counterexample)
  std::string replay_command;  ///< shown verbatim
};

/// A formal check's counterexample: the network input and its output (results.jsonl "witness").
using FormalWitness = scenarios::FormalWitness;

/// Layout, size limits and what the page says about the run. Every field has a default, so {} is valid.
struct HtmlReportOptions {
  std::string title;                  ///< "" : "gauntlet: <suite>"
  size_t max_scatter_points = 1500;   ///< per plot, failures first
  size_t max_scatter_pairs = 6;       ///< parameter pairs per family
  size_t trace_points = 600;          ///< samples per signal plot (min/max per bucket)
  size_t histogram_bins = 30;
  size_t max_failure_rows = 200;      ///< rows of the failing-instances table per family
  size_t replay_frames = 300;         ///< frames of an animated replay at most
  const scenarios::Suite* suite = nullptr;      ///< units written in the scenarios (null: SI units)
  std::string tool_version;                     ///< "" : not shown
  std::string generated_utc;                    ///< the date line; "" : now
  std::string suite_fingerprint;                ///< "" : the suite's, when `suite` is given
};

/// The whole page (UTF-8, `<!DOCTYPE html>`), well-formed as XML too.
[[nodiscard]] std::string RenderHtmlReport(const RunSummary& summary, const std::vector<scenarios::InstanceResult>& results,
                                           const std::vector<HtmlCase>& cases = {}, const HtmlReportOptions& options = {});

/// A page with one case alone (`gauntlet replay DIR --case ID --html FILE`): the animated top view with its
/// time slider and play button, the signal plots with a cursor following the time, the requirements'
/// verdicts and the parameters. Self-contained; without JavaScript the start and worst moments show.
[[nodiscard]] std::string RenderReplayPage(const HtmlCase& c, const HtmlReportOptions& options = {});

/// Every result of a results.jsonl (scenarios::FromJsonLine, formal witnesses included), in file (plan)
/// order, with plan_index set to the line's position among the results. Throws core::InputError on a
/// malformed line, core::InfrastructureError if unreadable.
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

/// An instance to show in detail, and why.
struct CaseChoice {
  size_t index = 0;         ///< into the results
  std::string requirement;  ///< the failing requirement it is the worst (or the shrunk) case of
  std::string role;         ///< "worst" or "shrunk"
};

/// Per family (in order of first appearance) and per gating requirement that failed: the instance with
/// the lowest robustness of THAT requirement (ties: plan order), then the shrunk counterexample
/// (origin "shrunk") that violates it with the lowest robustness, when shrinking ran. An instance chosen
/// for several requirements is listed once (for the first, in the same role). Formal checks are not
/// cases. At most `max_cases`, in that order.
[[nodiscard]] std::vector<CaseChoice> SelectCases(const std::vector<scenarios::InstanceResult>& results,
                                                  size_t max_cases = 24);

/// The case of a replayed instance (scenarios::ReplayInstance: its result and trace): its top view (live
/// actors for the replay), the formula of `requirement` ("" : its worst gating requirement) and the
/// replay command `gauntlet replay <out_dir> --case '<id>'`. Runs no simulation. Throws
/// core::InputError if the suite lacks the family.
[[nodiscard]] HtmlCase MakeHtmlCase(const scenarios::Suite& suite, scenarios::Replay replay, const std::string& out_dir,
                                    const std::string& requirement = "", const std::string& role = "worst");

}  // namespace gauntlet::reports
