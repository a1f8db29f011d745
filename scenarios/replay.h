#pragma once
// ReplayInstance: the one way to re-run a recorded instance. `gauntlet replay`, the HTML report, the
// top-view tool and the paired runs of a gate all go through it, so "the same instance" means the same
// thing everywhere: the family found by name (Suite::FindFamily), its free parameter values taken from
// the recorded result, its recorded seed, index and origin.
//
//   const scenarios::Replay replay = scenarios::ReplayInstance(suite, recorded);  // with its trace
//   if (scenarios::ToJsonLine(replay.result) != recorded_line) ...                // bit-identical?
//
// Reports receive the traces made here; they never run simulations themselves.

#include <string>
#include <vector>

#include "core/error.h"
#include "core/trace.h"
#include "scenarios/instance_result.h"
#include "scenarios/suite.h"

namespace gauntlet::scenarios {

/// A re-run instance: its result (plan_index copied from the recorded one) and its full trace.
struct Replay {
  const Family* family = nullptr;  ///< the suite's family of the instance
  InstanceResult result;
  core::Trace trace;
};

/// The family of `recorded` in `suite`. Throws core::InputError (at the suite file) when the suite has none.
[[nodiscard]] const Family& FamilyOf(const Suite& suite, const InstanceResult& recorded);

/// The free parameter values of `recorded` (the first `dimension` of its parameters, in order). Throws
/// core::InputError when it has fewer.
[[nodiscard]] std::vector<double> RecordedValues(const Family& family, const InstanceResult& recorded,
                                                 const core::SourcePos& where);

/// Re-runs `recorded` with its parameters and seed and keeps the trace (`with_trace` false: no trace,
/// as a campaign runs it). Throws core::InputError if the suite lacks the family or the result its values.
[[nodiscard]] Replay ReplayInstance(const Suite& suite, const InstanceResult& recorded, bool with_trace = true);

}  // namespace gauntlet::scenarios
