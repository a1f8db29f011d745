#pragma once
// The outcome of one scenario instance, and its reproducible serialisation.
//
// One InstanceResult is one line of results.jsonl: the stable id, the parameters and seed that
// replay it, and per requirement the verdict, robustness and first violation time. Nothing in it
// depends on wall-clock time or thread count, so the same run gives the same bytes. Wall-clock
// figures live in summary.json and junit.xml only.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gauntlet::scenarios {

/// The verdict of one requirement (or assumption) on one instance.
struct RequirementOutcome {
  std::string name;
  bool gating = true;
  bool satisfied = true;                        ///< robustness at time 0 >= 0 (false when inconclusive)
  double robustness = 0.0;                      ///< at time 0
  std::optional<double> first_violation_time_s;
  double min_robustness = 0.0;                  ///< lowest robustness over the trace
  double min_robustness_time_s = 0.0;
  double averaged_robustness = 0.0;             ///< what a search minimises (stl::RequirementResult)
  /// Only for a run that stopped early (stl::RequirementResult::robustness_bounds): the robustness at
  /// time 0 of every completion of the trace lies in [first, second]. Written as robustness_lo/_hi.
  std::optional<std::pair<double, double>> robustness_bounds;
  /// Neither passed nor failed after an early stop (verdict "inconclusive"): gates like a failure
  /// (`satisfied` is false); robustness and averaged_robustness are the lower bound.
  bool inconclusive = false;
  friend bool operator==(const RequirementOutcome&, const RequirementOutcome&) = default;
};

enum class InstanceStatus {
  kCompleted,  ///< simulated and checked; requirements carry the verdicts
  kInvalid,    ///< an assumption on the scenario was broken: neither a pass nor a failure
  kError,      ///< the instance failed (NaN, timeout, model error): an error of this instance only
};

[[nodiscard]] const char* StatusName(InstanceStatus status);

/// The counterexample of a violated formal check: a model input in the checked region and the model's
/// outputs there (its plain forward pass). For local robustness also the state the region is centred on
/// and the outputs there, which the outputs at `input` differ from too much.
struct FormalWitness {
  std::vector<double> input;
  std::vector<double> output;
  std::vector<double> reference_input;   ///< local robustness only
  std::vector<double> reference_output;  ///< local robustness only
  friend bool operator==(const FormalWitness&, const FormalWitness&) = default;
};

struct InstanceResult {
  size_t plan_index = 0;      ///< position in the run's plan; results are written in this order
  std::string family;         ///< the scenario family (a suite entry)
  size_t index = 0;           ///< index within the family
  std::string id;             ///< stable and readable: family, index and resolved parameters
  std::string origin;         ///< which generator made it ("random", "grid", "edge:gap_m=lo", "cmaes", "shrunk")
  std::vector<std::pair<std::string, double>> parameters;  ///< free and derived parameters, in order
  uint64_t seed = 0;
  InstanceStatus status = InstanceStatus::kCompleted;
  std::string error;          ///< for kError: what went wrong, with the simulated time
  std::vector<RequirementOutcome> requirements;
  std::vector<RequirementOutcome> assumptions;
  std::vector<std::pair<std::string, double>> metrics;
  std::optional<FormalWitness> witness;  ///< a formal check (origin "formal") that is violated
  size_t steps = 0;           ///< simulated steps
  double end_time_s = 0.0;    ///< simulated time at the end of the run
  double wall_time_s = 0.0;   ///< not serialised to results.jsonl

  /// True when completed and every gating requirement is satisfied.
  [[nodiscard]] bool Passed() const;
  /// True when completed and some gating requirement is violated or inconclusive (both gate).
  [[nodiscard]] bool Failed() const;
  /// True when failed only by inconclusive gating requirements (none certainly violated): counted
  /// apart from the failures in summaries.
  [[nodiscard]] bool Inconclusive() const;
  /// For an invalid instance, how far outside its assumptions it was: the largest negated robustness
  /// of a broken assumption (> 0). 0 otherwise.
  [[nodiscard]] double Infeasibility() const;
  /// The verdict as one word: "error", "invalid", "passed", "inconclusive" (failed only by undecided
  /// gating requirements, see Inconclusive()) or "failed".
  [[nodiscard]] const char* VerdictName() const;
};

/// One results.jsonl line (no trailing newline). Keys in a fixed order, numbers in shortest
/// round-trip form, non-finite numbers as the strings "inf", "-inf", "nan".
[[nodiscard]] std::string ToJsonLine(const InstanceResult& result);
/// Parses a line written by ToJsonLine. Throws core::InputError (with `where`) if it is not one.
[[nodiscard]] InstanceResult FromJsonLine(const std::string& line, const std::string& where);

/// The witness for people, numbers exact (core::FormatDouble): "witness: input [1, 2], output [3]",
/// for local robustness followed by "; reference input [...], output [...]".
[[nodiscard]] std::string WitnessText(const FormalWitness& witness);

/// The instance id: "<family>#<index> name=value name=value ..." with values to 4 significant digits.
[[nodiscard]] std::string MakeInstanceId(const std::string& family, size_t index,
                                         const std::vector<std::pair<std::string, double>>& parameters);

}  // namespace gauntlet::scenarios
