#pragma once
// The non-adaptive generators: grid, uniform random, scrambled Sobol, Latin hypercube, edge cases.
//
// Each is a pure function of the parameter space, its options and a seed, so the same call gives the
// same points, in the same order, on every machine. Each point carries a short label saying why it
// is there ("sobol", "edge:gap_m=lo+", "corner", ...), which the campaign records next to the result.
//
//   std::vector<PlannedPoint> points = SobolPoints(space, 256, /*seed=*/7);
//   for (const PlannedPoint& p : points) RunInstance(p.values);
//
// The random samplers draw only the free parameters (FreeIndices); constants stay at their value.
// Caveats: a grid grows as the product of its levels; GridPoints refuses more than `max_points`.

#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "scenarios/parameter_space.h"

namespace gauntlet::scenarios {

/// One point of a plan: parameter values in parameter order and why it was chosen.
struct PlannedPoint {
  std::vector<double> values{};
  std::string label{};   ///< "grid", "uniform", "sobol", "lhs", "nominal", "edge:NAME=lo|lo+|hi-|hi", "corner"
  size_t generator = 0;  ///< index of the GeneratorSpec that produced it (set by Plan)
  friend bool operator==(const PlannedPoint&, const PlannedPoint&) = default;
};

/// The full factorial of GridValues(i, levels) over every parameter, first parameter slowest.
/// Throws core::InputError at `pos` when it would have more than `max_points` points.
[[nodiscard]] std::vector<PlannedPoint> GridPoints(const ParameterSpace& space, size_t levels, size_t max_points,
                                                   const core::SourcePos& pos = {});

/// `count` points with independent uniform unit coordinates.
[[nodiscard]] std::vector<PlannedPoint> UniformPoints(const ParameterSpace& space, size_t count, uint64_t seed);

/// The first `count` points of an Owen-scrambled Sobol sequence over the free parameters.
[[nodiscard]] std::vector<PlannedPoint> SobolPoints(const ParameterSpace& space, size_t count, uint64_t seed);

/// A Latin hypercube of `count` points: in each free parameter, each of the `count` equal unit
/// strata holds exactly one point (at a uniform position inside it).
[[nodiscard]] std::vector<PlannedPoint> LatinHypercubePoints(const ParameterSpace& space, size_t count, uint64_t seed);

/// The unit-cube Latin hypercube behind LatinHypercubePoints: `dims` columns of `count` values in
/// [0, 1), each column one value in each stratum [k / count, (k + 1) / count), drawn from `rng`
/// (per column: a permutation of the strata, then a uniform position in each).
[[nodiscard]] std::vector<std::vector<double>> LatinHypercubeColumns(size_t count, size_t dims, core::Rng& rng);

/// Options of EdgeCasePoints.
struct EdgeCaseOptions {
  double inside_fraction = 0.01;  ///< "just inside" a continuous bound: this fraction of the width in
  size_t corner_budget = 64;      ///< at most this many corners
};

/// The nominal point; then for every free parameter (the others nominal) its lower bound, just
/// inside it, just inside the upper bound and the upper bound (EdgeLo/EdgeHi; for a discrete one
/// its smallest, second smallest, second largest and largest values; repeats left out); then the
/// corners of the box [EdgeLo, EdgeHi] over the free parameters: all 2^k when they fit the budget
/// (label "corner"), else the rows of a binary strength-2 covering array, which put every pair of
/// parameters at every pair of bounds ("corner:cover"; cut at the budget).
[[nodiscard]] std::vector<PlannedPoint> EdgeCasePoints(const ParameterSpace& space, const EdgeCaseOptions& options);

}  // namespace gauntlet::scenarios
