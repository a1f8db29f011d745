#include "scenarios/generators/samplers.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "core/rng.h"
#include "scenarios/generators/covering_array.h"
#include "scenarios/generators/sobol_sequence.h"

namespace gauntlet::scenarios {
namespace {

// The unit point with the free coordinates from `free_u` and the others at their nominal cell.
std::vector<double> Embed(const ParameterSpace& space, const std::vector<size_t>& free,
                          const std::vector<double>& free_u) {
  std::vector<double> values = space.NominalPoint();
  for (size_t j = 0; j < free.size(); ++j) values[free[j]] = space.parameters[free[j]].FromUnit(free_u[j]);
  return values;
}

// The sorted distinct values of a discrete parameter.
std::vector<double> DistinctValues(const Parameter& p) {
  std::vector<double> values = p.DiscreteValues();
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

}  // namespace

std::vector<PlannedPoint> GridPoints(const ParameterSpace& space, size_t levels, size_t max_points,
                                     const core::SourcePos& pos) {
  const size_t k = space.dimension();
  // count first (without overflow, before anything is allocated): 1000 levels of 63 parameters is no
  // "grid of 0 points", and 4294967297 levels is refused before a value of it exists
  uint64_t total = 1;
  bool overflow = false;
  for (size_t i = 0; i < k; ++i) {
    const uint64_t n = space.GridLevels(i, levels);
    if (n != 0 && total > std::numeric_limits<uint64_t>::max() / n) overflow = true;
    else total *= n;
  }
  if (overflow || total > max_points) {
    throw core::InputError(pos, "a grid of " + (overflow ? "more than 18446744073709551615" : std::to_string(total)) +
                                    " points is more than the limit of " + std::to_string(max_points) +
                                    " (lower 'levels' or raise 'count')");
  }
  std::vector<std::vector<double>> axes(k);
  for (size_t i = 0; i < k; ++i) axes[i] = space.GridValues(i, levels);
  std::vector<PlannedPoint> points;
  points.reserve(static_cast<size_t>(total));
  std::vector<size_t> index(k, 0);
  while (true) {
    PlannedPoint point{.values = std::vector<double>(k), .label = "grid"};
    for (size_t i = 0; i < k; ++i) point.values[i] = axes[i][index[i]];
    points.push_back(std::move(point));
    // odometer, last parameter fastest
    size_t i = k;
    while (i > 0) {
      if (++index[i - 1] < axes[i - 1].size()) break;
      index[i - 1] = 0;
      --i;
    }
    if (i == 0) break;
  }
  return points;
}

std::vector<PlannedPoint> UniformPoints(const ParameterSpace& space, size_t count, uint64_t seed) {
  const std::vector<size_t> free = space.FreeIndices();
  core::Rng rng(seed);
  std::vector<PlannedPoint> points;
  points.reserve(count);
  std::vector<double> u(free.size());
  for (size_t n = 0; n < count; ++n) {
    for (double& x : u) x = rng.Uniform();
    points.push_back({.values = Embed(space, free, u), .label = "uniform"});
  }
  return points;
}

std::vector<PlannedPoint> SobolPoints(const ParameterSpace& space, size_t count, uint64_t seed) {
  const std::vector<size_t> free = space.FreeIndices();
  std::vector<PlannedPoint> points;
  points.reserve(count);
  if (free.empty()) {
    for (size_t n = 0; n < count; ++n) points.push_back({.values = space.NominalPoint(), .label = "sobol"});
    return points;
  }
  const SobolSequence sobol(free.size(), seed);
  for (size_t n = 0; n < count; ++n) points.push_back({.values = Embed(space, free, sobol.Point(n)), .label = "sobol"});
  return points;
}

std::vector<std::vector<double>> LatinHypercubeColumns(size_t count, size_t dims, core::Rng& rng) {
  std::vector<std::vector<double>> columns(dims, std::vector<double>(count));
  std::vector<size_t> perm(count);
  for (auto& column : columns) {
    for (size_t n = 0; n < count; ++n) perm[n] = n;
    for (size_t n = count; n > 1; --n) std::swap(perm[n - 1], perm[rng.UniformInt(n)]);
    for (size_t n = 0; n < count; ++n) {
      const double strata = static_cast<double>(count);
      double u = (static_cast<double>(perm[n]) + rng.Uniform()) / strata;
      // keep rounding from leaving the stratum: floor(u count) must be the stratum
      while (u > 0.0 && std::floor(u * strata) > static_cast<double>(perm[n])) u = std::nextafter(u, 0.0);
      while (std::floor(u * strata) < static_cast<double>(perm[n])) u = std::nextafter(u, 1.0);
      column[n] = u;
    }
  }
  return columns;
}

std::vector<PlannedPoint> LatinHypercubePoints(const ParameterSpace& space, size_t count, uint64_t seed) {
  const std::vector<size_t> free = space.FreeIndices();
  core::Rng rng(seed);
  const std::vector<std::vector<double>> columns = LatinHypercubeColumns(count, free.size(), rng);
  std::vector<PlannedPoint> points;
  points.reserve(count);
  std::vector<double> u(free.size());
  for (size_t n = 0; n < count; ++n) {
    for (size_t j = 0; j < free.size(); ++j) u[j] = columns[j][n];
    points.push_back({.values = Embed(space, free, u), .label = "lhs"});
  }
  return points;
}

std::vector<PlannedPoint> EdgeCasePoints(const ParameterSpace& space, const EdgeCaseOptions& options) {
  const std::vector<size_t> free = space.FreeIndices();
  const std::vector<double> nominal = space.NominalPoint();
  std::vector<PlannedPoint> points;
  points.push_back({.values = nominal, .label = "nominal"});

  // each free parameter at and just inside its bounds
  for (size_t i : free) {
    const Parameter& p = space.parameters[i];
    std::vector<std::pair<double, const char*>> edges;
    if (p.IsContinuous()) {
      const double lo = p.EdgeLo(), hi = p.EdgeHi();
      double inside = options.inside_fraction * (hi - lo);
      if (p.kind == Parameter::Kind::kPoisson) inside = std::max(1.0, std::round(inside));  // integers
      // values the parameter takes (a histogram's gap, a Poisson's integers; the others are unchanged)
      edges = {{lo, "lo"}, {p.Nearest(lo + inside), "lo+"}, {p.Nearest(hi - inside), "hi-"}, {hi, "hi"}};
    } else {
      const std::vector<double> values = DistinctValues(p);
      const size_t n = values.size();
      edges = {{values[0], "lo"},
               {values[std::min<size_t>(1, n - 1)], "lo+"},
               {values[n >= 2 ? n - 2 : 0], "hi-"},
               {values[n - 1], "hi"}};
    }
    std::set<double> seen;
    for (const auto& [value, tag] : edges) {
      if (!seen.insert(value).second) continue;
      PlannedPoint point{.values = nominal, .label = "edge:" + p.name + "=" + tag};
      point.values[i] = value;
      points.push_back(std::move(point));
    }
  }

  // corners
  const size_t k = free.size();
  if (k == 0 || options.corner_budget == 0) return points;
  auto corner = [&](const std::vector<uint8_t>& high, const char* label) {
    PlannedPoint point{.values = nominal, .label = label};
    for (size_t j = 0; j < k; ++j) {
      const Parameter& p = space.parameters[free[j]];
      point.values[free[j]] = high[j] ? p.EdgeHi() : p.EdgeLo();
    }
    points.push_back(std::move(point));
  };
  if (k < 63 && (uint64_t{1} << k) <= options.corner_budget) {
    std::vector<uint8_t> high(k);
    for (uint64_t c = 0; c < (uint64_t{1} << k); ++c) {
      for (size_t j = 0; j < k; ++j) high[j] = static_cast<uint8_t>((c >> (k - 1 - j)) & 1);  // first slowest
      corner(high, "corner");
    }
  } else {
    const std::vector<std::vector<uint8_t>> rows = BinaryCoveringArray(k);
    for (size_t r = 0; r < rows.size() && r < options.corner_budget; ++r) corner(rows[r], "corner:cover");
  }
  return points;
}

}  // namespace gauntlet::scenarios
