#pragma once
// Coverage of a parameter space by a set of points: the fraction of cells exercised.
//
// Each free parameter is cut into cells: `continuous_bins` equal cells of its unit coordinate for a
// uniform or normal parameter (equal-probability cells for a normal), one cell per value for a
// choice or range. Single coverage counts the cells of each parameter hit; pairwise coverage counts
// the cells of each pair's cross product hit. Overall figures pool the cells (hit cells over all
// cells), so a parameter with many values weighs more.
//
//   CoverageTracker coverage(space);
//   for (const auto& values : points) coverage.Add(values);
//   CoverageReport report = coverage.Report();   // report.single_fraction, report.pairwise_fraction
//
// Trackers of disjoint point sets can be merged (any order gives the same report). Constant
// parameters have no cells and are left out.

#include <cstddef>
#include <string>
#include <vector>

#include "scenarios/parameter_space.h"

namespace gauntlet::scenarios {

/// Options of CoverageTracker.
struct CoverageOptions {
  size_t continuous_bins = 10;  ///< cells per continuous parameter
  bool pairwise = true;         ///< also track pairwise crosses
  size_t max_cells = 1000000;   ///< cells per parameter and per pair at most; more values are grouped
};

/// Coverage of one parameter.
struct ParameterCoverage {
  std::string name{};
  size_t cells = 0;
  size_t hit = 0;
  [[nodiscard]] double fraction() const {
    return cells == 0 ? 1.0 : static_cast<double>(hit) / static_cast<double>(cells);
  }
};

/// Coverage of the cross of two parameters (indices into ParameterSpace::parameters).
struct PairCoverage {
  size_t first = 0, second = 0;
  size_t cells = 0;
  size_t hit = 0;
  [[nodiscard]] double fraction() const {
    return cells == 0 ? 1.0 : static_cast<double>(hit) / static_cast<double>(cells);
  }
};

/// A coverage summary.
struct CoverageReport {
  size_t points = 0;
  std::vector<ParameterCoverage> parameters{};  ///< free parameters, in order
  std::vector<PairCoverage> pairs{};            ///< every pair of free parameters, (0,1), (0,2), ..., (1,2), ...
  double single_fraction = 1.0;                 ///< pooled over parameters
  double pairwise_fraction = 1.0;               ///< pooled over pairs
};

/// Accumulates which cells a stream of points hits.
class CoverageTracker {
 public:
  explicit CoverageTracker(const ParameterSpace& space, const CoverageOptions& options = {});

  /// Records one point (values in parameter order).
  void Add(const std::vector<double>& values);
  /// Adds the hits of `other` (a tracker of the same space and options).
  void Merge(const CoverageTracker& other);
  [[nodiscard]] CoverageReport Report() const;
  /// The cell of parameter `i` (an index into the free parameters) holding `value`.
  [[nodiscard]] size_t Cell(size_t free_index, double value) const;

 private:
  [[nodiscard]] size_t PairCell(size_t free_index, size_t cell) const;

  ParameterSpace space_;
  CoverageOptions options_;
  std::vector<size_t> free_;
  std::vector<size_t> cells_;              // per free parameter
  std::vector<size_t> pair_cells_;         // per free parameter, in pairwise crosses
  std::vector<std::vector<bool>> single_;  // per free parameter
  std::vector<std::vector<bool>> pair_;    // per pair, in PairCoverage order
  size_t points_ = 0;
};

}  // namespace gauntlet::scenarios
