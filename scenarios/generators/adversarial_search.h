#pragma once
// Adversarial search: minimise a requirement's robustness over a scenario's parameter box.
//
// Three methods. CMA-ES (IPOP restarts: each restart doubles the population) and the cross-entropy
// method (a full-covariance Gaussian refitted to the elite; restarts double the population too) are
// cheap per evaluation and scale to large budgets. Bayesian optimisation (a Gaussian process with
// per-parameter length scales, batches by expected improvement with the kriging believer, from a
// Latin hypercube of max(batch, 2n + 2) points, at most 128 points in the model; no restarts) needs
// the fewest simulations to a rare failure (bench/campaign, lead_brake: median 18.5 against CMA-ES's
// 32.5 over 10 seeds) but costs more to choose each point (bench/generators, 5 parameters: 1.3 ms a
// point over 100 points, 2.8 ms over 1000, against 0.001 ms for CMA-ES): use it when a simulation
// costs milliseconds or more, or the budget is in the hundreds. All
// work in the unit cube of the free parameters (ParameterSpace::FreeIndices), mirror samples back
// into it, and map them to values with ParameterSpace::FromUnit, so choice and range parameters are
// rounded and perturbation parameters are searched like any other.
//
// The search asks for DETERMINISTIC BATCHES: each batch is fixed before any of it is evaluated and
// the next batch depends only on the robustness values in batch order, so the campaign may evaluate
// a batch's points in parallel, in any order, and the search still takes the same path.
//
//   AdversarialSearch search(space, {.method = SearchMethod::kCmaEs, .budget = 500}, seed);
//   while (!search.done()) {
//     const std::vector<std::vector<double>> batch = search.Ask();
//     search.Tell(EvaluateInParallel(batch));   // robustness per point, in order; NaN = errored
//   }
//   const SearchResult& result = search.result();
//
// or, with a callback, `RunSearch(space, options, seed, evaluate)`.
//
// NaN robustness (the instance errored) counts as +inf: it never becomes the best point.
// Caveats: the budget counts evaluations; the last batch is cut to fit it. With no free parameter
// the search evaluates the nominal point once.

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "scenarios/parameter_space.h"

namespace gauntlet::scenarios {

/// Evaluates a batch of points (values in parameter order) and returns their robustness in the
/// same order; NaN means that instance errored.
using BatchEvaluator = std::function<std::vector<double>(const std::vector<std::vector<double>>& points)>;

enum class SearchMethod { kCmaEs, kCrossEntropy, kBayesian };

/// Options of AdversarialSearch. Every field has a default, so {} is valid.
struct SearchOptions {
  SearchMethod method = SearchMethod::kCmaEs;
  size_t budget = 1000;           ///< evaluations
  size_t population = 0;          ///< first population (batch) size; 0: 4 + 3 ln n (CMA-ES), max(32, 8 n)
                                  ///< (CE), 4 (Bayesian)
  size_t max_restarts = 9;        ///< restarts after the first run; the search ends when the last converges
                                  ///< (not Bayesian: it runs until the budget or a violation)
  double initial_sigma = 0.3;     ///< CMA-ES step size / CE standard deviation, in unit-cube widths
  double elite_fraction = 0.1;    ///< CE: the best fraction the distribution is refitted to
  double smoothing = 0.7;         ///< CE: weight of the new fit against the old distribution
  bool stop_at_violation = true;  ///< stop after the batch holding the first robustness < 0
};

/// One evaluated point.
struct SearchEvaluation {
  std::vector<double> values{};  ///< parameter values
  double robustness = 0.0;       ///< as returned (NaN kept)
  size_t restart = 0;            ///< which run (0 = the first) sampled it
  size_t generation = 0;         ///< generation within that run
  friend bool operator==(const SearchEvaluation&, const SearchEvaluation&) = default;
};

/// What a search found.
struct SearchResult {
  std::vector<SearchEvaluation> evaluations{};  ///< in the order asked
  size_t best = 0;                              ///< index of the lowest robustness (first on ties); NaNs never
  double best_robustness = std::numeric_limits<double>::infinity();
  bool violation_found = false;
  size_t first_violation = 0;  ///< index of the first robustness < 0, when found
  size_t restarts = 0;         ///< restarts performed
};

/// An ask/tell adversarial search. Not thread-safe; one search per scenario.
class AdversarialSearch {
 public:
  AdversarialSearch(const ParameterSpace& space, const SearchOptions& options, uint64_t seed);
  ~AdversarialSearch();
  AdversarialSearch(AdversarialSearch&&) noexcept;
  AdversarialSearch& operator=(AdversarialSearch&&) noexcept;

  /// True when the budget is spent, (with stop_at_violation) a violation was told, or the last run
  /// allowed by max_restarts has converged.
  [[nodiscard]] bool done() const;
  /// The next batch of points (values). Empty when done(). Must be answered by Tell before the next Ask.
  [[nodiscard]] std::vector<std::vector<double>> Ask();
  /// The robustness of each point of the last Ask, in order.
  void Tell(const std::vector<double>& robustness);
  [[nodiscard]] const SearchResult& result() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

/// Runs a whole search with `evaluate` answering each batch.
[[nodiscard]] SearchResult RunSearch(const ParameterSpace& space, const SearchOptions& options, uint64_t seed,
                                     const BatchEvaluator& evaluate);

}  // namespace gauntlet::scenarios
