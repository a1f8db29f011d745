#pragma once
// Which generators a scenario uses, as plain data, and the plan they make.
//
// A scenario lists one or more GeneratorSpecs; in YAML (loaded by scenarios/ through Serialize):
//
//   generators:
//     - { kind: edge_cases }
//     - { kind: sobol, count: 256 }
//     - { kind: cma_es, count: 500 }     # adaptive: run by the campaign, not planned
//
// Plan() concatenates the points of the non-adaptive generators (grid, uniform, sobol,
// latin_hypercube, edge_cases) in list order; generator i draws from its own stream
// core::Rng(seed).Fork("generators[i]"), so adding a generator never changes another's points.
// The adaptive ones (cma_es, cross_entropy, bayesian) become an AdversarialSearch via ToSearchOptions.
//
//   std::vector<PlannedPoint> plan = Plan(space, specs, suite_seed);

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/fields.h"
#include "scenarios/generators/adversarial_search.h"
#include "scenarios/generators/counterexample_shrinking.h"
#include "scenarios/generators/samplers.h"
#include "scenarios/generators/statistics.h"
#include "scenarios/parameter_space.h"

namespace gauntlet::scenarios {

enum class GeneratorKind { kGrid, kUniform, kSobol, kLatinHypercube, kEdgeCases, kCmaEs, kCrossEntropy, kBayesian };

/// YAML names of GeneratorKind: grid, uniform, sobol, latin_hypercube, edge_cases, cma_es, cross_entropy,
/// bayesian.
[[nodiscard]] std::span<const core::EnumName<GeneratorKind>> EnumNames(GeneratorKind);
/// The YAML name of `kind`.
[[nodiscard]] std::string_view KindName(GeneratorKind kind);

/// One generator of a scenario. Every field but `kind` has a default.
struct GeneratorSpec {
  GeneratorKind kind = GeneratorKind::kUniform;
  int64_t count = 0;              ///< points (uniform, sobol, latin_hypercube); evaluation budget (cma_es,
                                  ///< cross_entropy, bayesian); the most points a grid may have (0: 100000);
                                  ///< <= 1e7
  int64_t levels = 3;             ///< grid: levels per continuous parameter
  int64_t corner_budget = 64;     ///< edge_cases: at most this many corners
  double inside_fraction = 0.01;  ///< edge_cases: "just inside" a bound, as a fraction of the width
  int64_t population = 0;         ///< search: first batch size; 0: the method's default
  int64_t restarts = 9;           ///< search: restarts after the first run
  double sigma = 0.3;             ///< search: initial spread, in unit-cube widths
  bool stop_at_violation = true;  ///< search: stop after the batch holding the first violation
  bool shrink = true;             ///< search: shrink the first violation toward nominal
  int64_t shrink_budget = 200;    ///< search: evaluations for shrinking
  std::string requirement;        ///< search: the requirement to minimise; empty: the lowest gating one
  double stop_below_rate = 0.0;   ///< sampling: stop when the 95% upper bound of the failure rate is below
                                  ///< this (0: never); see statistics.h
  bool stop_on_failure = false;   ///< sampling: stop at the first failure
  core::SourcePos pos{};          ///< where the spec is written (not a field)

  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("kind", &kind, core::kRequired);
    a->Visit("count", &count);
    a->Visit("levels", &levels);
    a->Visit("corner_budget", &corner_budget);
    a->Visit("inside_fraction", &inside_fraction);
    a->Visit("population", &population);
    a->Visit("restarts", &restarts);
    a->Visit("sigma", &sigma);
    a->Visit("stop_at_violation", &stop_at_violation);
    a->Visit("shrink", &shrink);
    a->Visit("shrink_budget", &shrink_budget);
    a->Visit("requirement", &requirement);
    a->Visit("stop_below_rate", &stop_below_rate);
    a->Visit("stop_on_failure", &stop_on_failure);
  }
};

/// True for cma_es and cross_entropy, which the campaign drives batch by batch.
[[nodiscard]] bool IsAdaptive(GeneratorKind kind);

/// Semantic problems of `spec`, with paths relative to the spec ("count", "levels", ...).
[[nodiscard]] std::vector<core::FieldError> CheckGeneratorSpec(const GeneratorSpec& spec);

/// The points of the non-adaptive generators of `specs`, in list order; adaptive ones are skipped.
/// Throws core::InputError (at spec.pos) for a grid over its limit or a sobol generator over more than
/// SobolSequence::kMaxDimension varying parameters.
[[nodiscard]] std::vector<PlannedPoint> Plan(const ParameterSpace& space, const std::vector<GeneratorSpec>& specs,
                                             uint64_t seed);

/// The points of generator `index` of a list alone (what Plan concatenates).
[[nodiscard]] std::vector<PlannedPoint> PlanOne(const ParameterSpace& space, const GeneratorSpec& spec, size_t index,
                                                uint64_t seed);

/// The seed generator `index` uses: core::Rng(seed).Fork("generators[index]").seed().
[[nodiscard]] uint64_t GeneratorSeed(uint64_t seed, size_t index);

/// The search options of an adaptive spec.
[[nodiscard]] SearchOptions ToSearchOptions(const GeneratorSpec& spec);
/// The shrink options of an adaptive spec.
[[nodiscard]] ShrinkOptions ToShrinkOptions(const GeneratorSpec& spec);
/// The stopping rule of a sampling spec (uniform, sobol, latin_hypercube), applied by the campaign to
/// the generator's results in plan order.
[[nodiscard]] StoppingRule ToStoppingRule(const GeneratorSpec& spec);

}  // namespace gauntlet::scenarios
