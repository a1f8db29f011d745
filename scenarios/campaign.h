#pragma once
// The campaign: every instance of every family of a suite, run in parallel, deterministically.
//
// The plan is fixed before anything runs: per family, the points of its non-adaptive generators
// in order; adaptive search (CMA-ES, cross-entropy) and counterexample shrinking then run in
// deterministic batches, each batch in parallel. Every instance gets its own RNG stream derived from
// (suite seed, family, index) and a fresh simulated world, so a result depends only on its inputs:
// results.jsonl is byte-identical for any thread count, and any instance replays bit-identically.
//
// Results stream to `<out>/results.jsonl` in plan order as they complete; traces are not kept. An
// instance that fails (NaN, model error, timeout, an exception) is an error of that instance: the
// campaign goes on and loses nothing already computed.
//
//   CampaignOutcome outcome = RunCampaign(suite, {.threads = 2, .out_dir = "out"});

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/trace.h"
#include "scenarios/instance_result.h"
#include "scenarios/suite.h"

namespace gauntlet::scenarios {

/// Results of an interrupted run, by "<family>#<index>", reused instead of simulated on --resume.
using RecordedResults = std::map<std::string, InstanceResult>;

/// Reads the complete lines of a results.jsonl (a line cut by a crash mid-write is dropped) into `out`.
/// A missing file adds nothing. With `header`, the file's first line must be exactly `header`, else
/// nothing is read (the file of another run). A line whose verdict contradicts its recorded robustness
/// (a "pass" with negative robustness) is a core::InputError at its line. Returns the number of lines read.
size_t ReadRecordedResults(const std::string& path, RecordedResults* out, const std::string& header = "");

struct CampaignOptions {
  int threads = 0;                       ///< 0: all cores
  std::string out_dir;                   ///< "" writes no files
  double instance_wall_budget_s = 60.0;  ///< per instance; exceeding it is an error of the instance
  /// Called after each batch of results is written, with (done, total planned so far). Not concurrently.
  std::function<void(size_t, size_t)> progress;
  /// Set to true (from a signal handler) to stop after the instances under way.
  const std::atomic<bool>* cancel = nullptr;
  /// Keep every result in CampaignOutcome::results. Off, memory stays flat however many instances run:
  /// results reach only results.jsonl and `on_result`.
  bool keep_results = true;
  /// Called with each result in plan order as it is written (not concurrently).
  std::function<void(const InstanceResult&)> on_result;
  /// This process runs shard `shard_index` of `shard_count`: every shard_count-th instance of the fixed
  /// plan, and the adaptive searches (with their shrinking) and formal checks of every shard_count-th family
  /// that has any. Merging the shards' results
  /// in plan order gives exactly the unsharded results. Stopping rules need the whole plan: refused.
  size_t shard_index = 0;
  size_t shard_count = 1;
  /// Results already computed, reused instead of simulated (--resume); may be null. A recorded result
  /// is reused only when its seed, origin and parameters are those of the planned instance.
  const RecordedResults* recorded = nullptr;
};

/// How much of a family's parameter space its instances exercised: the fraction of cells hit, binned
/// per parameter (10 bins per continuous one, one per value otherwise) and over pairwise crosses.
struct FamilyCoverage {
  std::string family;
  size_t points = 0;
  double single_fraction = 0.0;
  double pairwise_fraction = 0.0;
};

struct CampaignOutcome {
  std::vector<InstanceResult> results;  ///< in plan order (when CampaignOptions::keep_results)
  double wall_time_s = 0.0;
  bool complete = true;  ///< false when cancelled
  std::vector<FamilyCoverage> coverage;  ///< per family, in suite order
};

/// Runs the whole suite.
[[nodiscard]] CampaignOutcome RunCampaign(const Suite& suite, const CampaignOptions& options);

/// Runs exactly the instances of `reference` (same families, indices, parameters and seeds) with this
/// suite's models: the paired runs of a release gate. The formal lines of `reference` (origin "formal")
/// run this suite's formal checks of their family on its network, after the simulations, numbered from
/// the family's first formal line (local robustness around the family's first planned instances, as in
/// RunCampaign). Families of `reference` that the suite lacks are an InputError. Results in the order of
/// `reference` when it is a whole run's (its formal lines after its simulations).
[[nodiscard]] CampaignOutcome RunSameInstances(const Suite& suite, const std::vector<InstanceResult>& reference,
                                               const CampaignOptions& options);

/// One instance to run: which one, with which parameter values and seed, and what to keep.
struct InstanceRequest {
  const Family* family = nullptr;
  size_t index = 0;             ///< the instance's index in its family
  std::vector<double> values;   ///< the free parameters, in order
  uint64_t seed = 0;            ///< the instance's own random stream
  std::string origin;           ///< the generator that planned it ("sobol", "edge_cases", ...)
  core::Trace* trace = nullptr;  ///< when set, receives the full trace (signals, model inputs, commands)
  double wall_budget_s = 60.0;  ///< exceeding it is an error of the instance
};

/// Runs one instance of `request.family` with its parameter values and seed.
[[nodiscard]] InstanceResult RunInstance(const Suite& suite, const InstanceRequest& request);

/// The same with the request's fields as arguments, for the callers not yet moved to InstanceRequest.
[[nodiscard]] inline InstanceResult RunInstance(const Suite& suite, const Family& family, size_t index,
                                                const std::vector<double>& values, uint64_t seed,
                                                const std::string& origin, core::Trace* trace = nullptr,
                                                double wall_budget_s = 60.0) {
  return RunInstance(suite, {.family = &family, .index = index, .values = values, .seed = seed, .origin = origin,
                             .trace = trace, .wall_budget_s = wall_budget_s});
}

/// Evaluates the scenario's assumptions, requirements and metrics on `trace` (a simulated run or a
/// recorded log with the scenario's signals) into `result`, in declaration order; the status becomes
/// kInvalid when an assumption is broken. `nominal_samples` is the length the run would have had: when
/// the trace is shorter (an early stop), requirements are judged over every completion (docs/stl.md,
/// "Early stops"); a recorded log passes its own size. RunInstance does this after its episode.
void EvaluateTrace(const Scenario& scenario, const core::Trace& trace, size_t nominal_samples, InstanceResult* result);

/// EvaluateTrace for a recorded log (`gauntlet monitor --scenario`, gauntlet.check_trace): first checks
/// that `trace` has every signal the requirements, assumptions and metrics read (core::InputError
/// at `trace_name` listing each missing one, with a suggestion), and names the result after the log.
void EvaluateRecordedTrace(const Scenario& scenario, const core::Trace& trace, const std::string& trace_name,
                           InstanceResult* result);

/// What an adaptive search minimises for one result: the averaged robustness of "the scenario's
/// assumptions imply the requirement" (the one named, or the lowest gating one when `requirement` is
/// empty). For a valid instance that is the requirement's averaged robustness
/// (RequirementOutcome::averaged_robustness: the robustness itself when violated, else a positive value
/// no lower than it that falls the longer the run stays near a violation, so plateaus of the robustness
/// still have a slope); for an invalid one max(that, how far the assumptions were broken) > 0: never a
/// counterexample, but lower the closer the instance came to the valid region, so a search is led to the
/// edge of the assumptions (where the hardest valid cases lie) instead of away from it. Negative exactly
/// when the requirement is violated on a valid instance. NaN (no information) for an error.
[[nodiscard]] double SearchObjective(const InstanceResult& result, const std::string& requirement);

}  // namespace gauntlet::scenarios
