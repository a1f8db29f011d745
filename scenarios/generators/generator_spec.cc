#include "scenarios/generators/generator_spec.h"

#include <algorithm>
#include <string>

#include "core/check.h"
#include "core/rng.h"
#include "scenarios/generators/sobol_sequence.h"

namespace gauntlet::scenarios {
namespace {

constexpr std::array<core::EnumName<GeneratorKind>, 8> kKindNames = {{
    {GeneratorKind::kGrid, "grid"},
    {GeneratorKind::kUniform, "uniform"},
    {GeneratorKind::kSobol, "sobol"},
    {GeneratorKind::kLatinHypercube, "latin_hypercube"},
    {GeneratorKind::kEdgeCases, "edge_cases"},
    {GeneratorKind::kCmaEs, "cma_es"},
    {GeneratorKind::kCrossEntropy, "cross_entropy"},
    {GeneratorKind::kBayesian, "bayesian"},
}};

constexpr size_t kDefaultGridLimit = 100000;
constexpr int64_t kMaxCount = 10000000;

}  // namespace

std::span<const core::EnumName<GeneratorKind>> EnumNames(GeneratorKind) { return kKindNames; }

std::string_view KindName(GeneratorKind kind) {
  for (const auto& entry : kKindNames) {
    if (entry.value == kind) return entry.name;
  }
  return "?";
}

bool IsAdaptive(GeneratorKind kind) {
  return kind == GeneratorKind::kCmaEs || kind == GeneratorKind::kCrossEntropy || kind == GeneratorKind::kBayesian;
}

std::vector<core::FieldError> CheckGeneratorSpec(const GeneratorSpec& spec) {
  std::vector<core::FieldError> errors;
  const std::string kind(KindName(spec.kind));
  switch (spec.kind) {
    case GeneratorKind::kUniform:
    case GeneratorKind::kSobol:
    case GeneratorKind::kLatinHypercube:
    case GeneratorKind::kCmaEs:
    case GeneratorKind::kCrossEntropy:
    case GeneratorKind::kBayesian:
      if (spec.count <= 0) errors.push_back({"count", "generator '" + kind + "' needs a count > 0"});
      break;
    case GeneratorKind::kGrid:
      if (spec.count < 0) errors.push_back({"count", "count must be >= 0 (0: at most 100000 grid points)"});
      break;
    case GeneratorKind::kEdgeCases:
      break;
  }
  if (spec.count > kMaxCount) errors.push_back({"count", "count must be at most 10000000"});
  if (spec.levels < 1) errors.push_back({"levels", "levels must be >= 1"});
  if (spec.levels > kMaxCount) errors.push_back({"levels", "levels must be at most 10000000"});
  if (spec.corner_budget < 0) errors.push_back({"corner_budget", "corner_budget must be >= 0"});
  if (!(spec.inside_fraction > 0.0 && spec.inside_fraction < 0.5)) {
    errors.push_back({"inside_fraction", "inside_fraction must be in (0, 0.5)"});
  }
  if (spec.population < 0 || spec.population == 1) {
    errors.push_back({"population", "population must be 0 (the method's default) or >= 2"});
  }
  if (spec.restarts < 0) errors.push_back({"restarts", "restarts must be >= 0"});
  if (!(spec.sigma > 0.0 && spec.sigma <= 10.0)) errors.push_back({"sigma", "sigma must be in (0, 10]"});
  if (!(spec.stop_below_rate >= 0.0 && spec.stop_below_rate < 1.0)) {
    errors.push_back({"stop_below_rate", "stop_below_rate must be in [0, 1)"});
  }
  if (spec.shrink_budget < 0) errors.push_back({"shrink_budget", "shrink_budget must be >= 0"});

  // a field the kind does not use is an error, not silently ignored (a field at its default passes:
  // the spec does not record whether it was written)
  const GeneratorSpec defaults;
  const bool adaptive = IsAdaptive(spec.kind);
  const bool restarting = spec.kind == GeneratorKind::kCmaEs || spec.kind == GeneratorKind::kCrossEntropy;
  auto unused = [&](bool set, bool used, const char* field, const char* applies_to) {
    const bool reported = std::any_of(errors.begin(), errors.end(), [&](const core::FieldError& e) { return e.path == field; });
    if (set && !used && !reported) {
      errors.push_back({field, std::string("'") + field + "' has no effect on a '" + kind + "' generator (it applies to " +
                                   applies_to + ")"});
    }
  };
  unused(spec.count != defaults.count, spec.kind != GeneratorKind::kEdgeCases, "count",
         "grid, uniform, sobol, latin_hypercube and the searches");
  unused(spec.levels != defaults.levels, spec.kind == GeneratorKind::kGrid, "levels", "grid");
  unused(spec.corner_budget != defaults.corner_budget, spec.kind == GeneratorKind::kEdgeCases, "corner_budget",
         "edge_cases");
  unused(spec.inside_fraction != defaults.inside_fraction, spec.kind == GeneratorKind::kEdgeCases, "inside_fraction",
         "edge_cases");
  unused(spec.population != defaults.population, adaptive, "population", "cma_es, cross_entropy and bayesian");
  unused(spec.restarts != defaults.restarts, restarting, "restarts", "cma_es and cross_entropy");
  unused(spec.sigma != defaults.sigma, restarting, "sigma", "cma_es and cross_entropy");
  unused(spec.stop_at_violation != defaults.stop_at_violation, adaptive, "stop_at_violation",
         "cma_es, cross_entropy and bayesian");
  unused(spec.shrink != defaults.shrink, adaptive, "shrink", "cma_es, cross_entropy and bayesian");
  unused(spec.shrink_budget != defaults.shrink_budget, adaptive, "shrink_budget", "cma_es, cross_entropy and bayesian");
  unused(spec.requirement != defaults.requirement, adaptive, "requirement", "cma_es, cross_entropy and bayesian");
  unused(spec.stop_below_rate != defaults.stop_below_rate, !adaptive, "stop_below_rate",
         "grid, uniform, sobol, latin_hypercube and edge_cases");
  unused(spec.stop_on_failure != defaults.stop_on_failure, !adaptive, "stop_on_failure",
         "grid, uniform, sobol, latin_hypercube and edge_cases; a search has stop_at_violation");
  return errors;
}

uint64_t GeneratorSeed(uint64_t seed, size_t index) {
  return core::Rng(seed).Fork("generators[" + std::to_string(index) + "]").seed();
}

std::vector<PlannedPoint> PlanOne(const ParameterSpace& space, const GeneratorSpec& spec, size_t index, uint64_t seed) {
  const uint64_t generator_seed = GeneratorSeed(seed, index);
  const size_t count = spec.count > 0 ? static_cast<size_t>(spec.count) : 0;
  std::vector<PlannedPoint> points;
  switch (spec.kind) {
    case GeneratorKind::kGrid:
      points = GridPoints(space, static_cast<size_t>(std::max<int64_t>(spec.levels, 1)),
                          count > 0 ? count : kDefaultGridLimit, spec.pos);
      break;
    case GeneratorKind::kUniform:
      points = UniformPoints(space, count, generator_seed);
      break;
    case GeneratorKind::kSobol:
      if (space.FreeIndices().size() > SobolSequence::kMaxDimension) {
        throw core::InputError(
            spec.pos, "a sobol generator takes at most " + std::to_string(SobolSequence::kMaxDimension) +
                          " varying parameters (this scenario has " + std::to_string(space.FreeIndices().size()) + ")");
      }
      points = SobolPoints(space, count, generator_seed);
      break;
    case GeneratorKind::kLatinHypercube:
      points = LatinHypercubePoints(space, count, generator_seed);
      break;
    case GeneratorKind::kEdgeCases:
      points = EdgeCasePoints(space, {.inside_fraction = spec.inside_fraction,
                                      .corner_budget = static_cast<size_t>(std::max<int64_t>(spec.corner_budget, 0))});
      break;
    case GeneratorKind::kCmaEs:
    case GeneratorKind::kCrossEntropy:
    case GeneratorKind::kBayesian:
      break;
  }
  for (PlannedPoint& p : points) p.generator = index;
  return points;
}

std::vector<PlannedPoint> Plan(const ParameterSpace& space, const std::vector<GeneratorSpec>& specs, uint64_t seed) {
  std::vector<PlannedPoint> plan;
  for (size_t i = 0; i < specs.size(); ++i) {
    std::vector<PlannedPoint> points = PlanOne(space, specs[i], i, seed);
    plan.insert(plan.end(), std::make_move_iterator(points.begin()), std::make_move_iterator(points.end()));
  }
  return plan;
}

SearchOptions ToSearchOptions(const GeneratorSpec& spec) {
  GAUNTLET_CHECK(IsAdaptive(spec.kind));
  const SearchMethod method = spec.kind == GeneratorKind::kCmaEs          ? SearchMethod::kCmaEs
                              : spec.kind == GeneratorKind::kCrossEntropy ? SearchMethod::kCrossEntropy
                                                                          : SearchMethod::kBayesian;
  return {.method = method,
          .budget = static_cast<size_t>(std::max<int64_t>(spec.count, 0)),
          .population = static_cast<size_t>(std::max<int64_t>(spec.population, 0)),
          .max_restarts = static_cast<size_t>(std::max<int64_t>(spec.restarts, 0)),
          .initial_sigma = spec.sigma,
          .stop_at_violation = spec.stop_at_violation};
}

ShrinkOptions ToShrinkOptions(const GeneratorSpec& spec) {
  return {.budget = static_cast<size_t>(std::max<int64_t>(spec.shrink_budget, 0))};
}

StoppingRule ToStoppingRule(const GeneratorSpec& spec) {
  return {.target_upper = spec.stop_below_rate, .stop_on_failure = spec.stop_on_failure};
}

}  // namespace gauntlet::scenarios
