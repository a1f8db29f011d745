#pragma once
// Lockstep execution: instances whose model is evaluated outside the process's own code (a Python
// callable, say) run together, so that the outside model sees one batch of observations per control
// step instead of one call per instance and step.
//
// A BatchPolicy wraps a function that maps a batch of observations (rows) to a batch of actions.
// RunLockstep(n, job) runs job(0) ... job(n - 1) on the calling thread, each in its own fiber (a
// stack of its own), in rounds: in a round every unfinished job runs until its next BatchPolicy call
// or its end; then every BatchPolicy called in the round is evaluated once on the rows of that round,
// in job order, and the jobs continue with their actions. The batches depend only on the jobs, never
// on timing or threads: the same jobs give the same calls with the same rows in the same order.
//
//   BatchPolicy policy({"gap_m", "speed_mps"}, 1, [](std::span<const double> obs, size_t rows,
//                                                    std::span<double> actions) {
//     for (size_t r = 0; r < rows; ++r) actions[r] = obs[2 * r] > 10 ? 1.0 : -3.0;
//   });
//   RunLockstep(jobs.size(), [&](size_t i) { results[i] = RunJob(jobs[i]); });  // RunJob calls policy.Act
//
// Outside RunLockstep a BatchPolicy evaluates one row per call. When a batch call throws, each row
// of the batch is evaluated again alone, in order: an instance whose own row throws ends with that
// error (Act rethrows it as std::runtime_error), the others go on with their actions.
// Caveats: a job must not switch threads while it runs (nothing here does); several groups may run
// at once on different threads, so the function must be safe to call from several threads (a Python
// callable is, through the GIL). Jobs run on 1 MiB stacks with a guard page.

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "models/policy.h"

namespace gauntlet::scenarios {

/// Evaluates `rows` observations at once: `observations` holds rows x input size values (row-major),
/// `actions` rows x output size values to fill. May throw std::exception.
using BatchFunction =
    std::function<void(std::span<const double> observations, size_t rows, std::span<double> actions)>;

/// A policy evaluated by a BatchFunction, batched across the jobs of a RunLockstep group.
class BatchPolicy final : public models::Policy {
 public:
  BatchPolicy(std::vector<std::string> input_names, size_t output_size, BatchFunction function);

  /// Inside a RunLockstep job: queues the observation, waits for the round's batch call, then writes
  /// the action (or throws the batch's error). Elsewhere: calls the function with this one row.
  void Act(std::span<const double> observation, std::span<double> action,
           models::PolicyScratch& scratch) const override;

  /// Calls the function on `rows` observations directly (no batching across jobs).
  void Evaluate(std::span<const double> observations, size_t rows, std::span<double> actions) const;

 private:
  BatchFunction function_;
};

/// Runs job(0), ..., job(count - 1) on this thread in lockstep rounds (see above). Returns when
/// every job has ended. An exception that escapes a job is rethrown here (the first one, in job
/// order) after the other jobs have ended.
void RunLockstep(size_t count, const std::function<void(size_t)>& job);

/// The number of consecutive instances a campaign runs as one lockstep group.
inline constexpr size_t kLockstepGroupSize = 64;

}  // namespace gauntlet::scenarios
