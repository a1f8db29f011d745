#include "scenarios/generators/coverage.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace gauntlet::scenarios {

CoverageTracker::CoverageTracker(const ParameterSpace& space, const CoverageOptions& options)
    : space_(space), options_(options), free_(space.FreeIndices()) {
  GAUNTLET_CHECK(options_.continuous_bins >= 1 && options_.max_cells >= 1);
  for (size_t i : free_) {
    const Parameter& p = space_.parameters[i];
    const size_t n = p.IsContinuous() ? options_.continuous_bins : p.DiscreteCount();
    cells_.push_back(std::min(n, options_.max_cells));
    single_.emplace_back(cells_.back(), false);
    const auto pair_limit = static_cast<size_t>(std::sqrt(static_cast<double>(options_.max_cells)));
    pair_cells_.push_back(std::clamp<size_t>(cells_.back(), 1, std::max<size_t>(pair_limit, 1)));
  }
  if (options_.pairwise) {
    for (size_t a = 0; a < free_.size(); ++a) {
      for (size_t b = a + 1; b < free_.size(); ++b) pair_.emplace_back(pair_cells_[a] * pair_cells_[b], false);
    }
  }
}

size_t CoverageTracker::Cell(size_t free_index, double value) const {
  const Parameter& p = space_.parameters[free_[free_index]];
  const size_t n = cells_[free_index];
  const double u = p.IndexUnit(value);  // a discrete parameter: one cell per value, whatever its weight
  return std::min(static_cast<size_t>(std::floor(u * static_cast<double>(n))), n - 1);
}

size_t CoverageTracker::PairCell(size_t free_index, size_t cell) const {
  return cell * pair_cells_[free_index] / cells_[free_index];
}

void CoverageTracker::Add(const std::vector<double>& values) {
  GAUNTLET_CHECK(values.size() == space_.dimension());
  ++points_;
  std::vector<size_t> cell(free_.size());
  for (size_t a = 0; a < free_.size(); ++a) {
    cell[a] = Cell(a, values[free_[a]]);
    single_[a][cell[a]] = true;
  }
  size_t k = 0;
  for (size_t a = 0; a < free_.size() && options_.pairwise; ++a) {
    for (size_t b = a + 1; b < free_.size(); ++b)
      pair_[k++][PairCell(a, cell[a]) * pair_cells_[b] + PairCell(b, cell[b])] = true;
  }
}

void CoverageTracker::Merge(const CoverageTracker& other) {
  GAUNTLET_CHECK(other.cells_ == cells_ && other.pair_.size() == pair_.size());
  points_ += other.points_;
  for (size_t a = 0; a < single_.size(); ++a) {
    for (size_t c = 0; c < single_[a].size(); ++c) single_[a][c] = single_[a][c] || other.single_[a][c];
  }
  for (size_t k = 0; k < pair_.size(); ++k) {
    for (size_t c = 0; c < pair_[k].size(); ++c) pair_[k][c] = pair_[k][c] || other.pair_[k][c];
  }
}

CoverageReport CoverageTracker::Report() const {
  CoverageReport report;
  report.points = points_;
  size_t cells = 0, hit = 0;
  for (size_t a = 0; a < free_.size(); ++a) {
    const size_t h = static_cast<size_t>(std::count(single_[a].begin(), single_[a].end(), true));
    report.parameters.push_back({space_.parameters[free_[a]].name, cells_[a], h});
    cells += cells_[a];
    hit += h;
  }
  if (cells > 0) report.single_fraction = static_cast<double>(hit) / static_cast<double>(cells);
  cells = hit = 0;
  size_t k = 0;
  for (size_t a = 0; a < free_.size() && options_.pairwise; ++a) {
    for (size_t b = a + 1; b < free_.size(); ++b, ++k) {
      const size_t h = static_cast<size_t>(std::count(pair_[k].begin(), pair_[k].end(), true));
      report.pairs.push_back({free_[a], free_[b], pair_[k].size(), h});
      cells += pair_[k].size();
      hit += h;
    }
  }
  if (cells > 0) report.pairwise_fraction = static_cast<double>(hit) / static_cast<double>(cells);
  return report;
}

}  // namespace gauntlet::scenarios
