#include "scenarios/parameter_space.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

#include "core/check.h"
#include "core/distributions.h"
#include "core/format.h"
#include "core/normal.h"

namespace gauntlet::scenarios {
namespace {

constexpr double kUnitMax = 1.0 - 0x1.0p-53;  // the largest double below 1

double ClampUnit(double u) {
  if (!(u >= 0.0)) return 0.0;  // also NaN
  return std::min(u, kUnitMax);
}

// Index floor(u n) of a unit coordinate among n cells.
size_t CellIndex(double u, size_t n) {
  const double scaled = std::floor(ClampUnit(u) * static_cast<double>(n));
  return std::min(static_cast<size_t>(scaled), n - 1);
}

double CellCentre(size_t index, size_t n) { return (static_cast<double>(index) + 0.5) / static_cast<double>(n); }

std::string Num(double v) { return core::FormatDouble(v); }

constexpr double kInf = std::numeric_limits<double>::infinity();

/// "" when `weights` are n finite numbers >= 0 with a positive, finite total; else what is wrong.
std::string WeightsProblem(const std::vector<double>& weights, size_t n, const std::string& per) {
  if (weights.size() != n)
    return "needs one weight per " + per + " (" + std::to_string(n) + "), got " + std::to_string(weights.size());
  double total = 0.0;
  for (double w : weights) {
    if (!(w >= 0.0) || !std::isfinite(w)) return "weights must be finite numbers >= 0 (got " + Num(w) + ")";
    total += w;
  }
  if (!(total > 0.0)) return "needs a positive weight";
  if (!std::isfinite(total)) return "weights must have a finite total";
  return "";
}

/// Whether a choice draws by its weights (else every choice is equally likely).
bool Weighted(const Parameter& p) { return p.kind == Parameter::Kind::kChoice && !p.weights.empty(); }

/// The indices of the choices that can be drawn: every one, or those of positive weight.
std::vector<size_t> DrawnChoices(const Parameter& p) {
  std::vector<size_t> out;
  const bool usable = !Weighted(p) || WeightsProblem(p.weights, p.choices.size(), "choice").empty();
  for (size_t i = 0; i < p.choices.size(); ++i)
    if (!usable || !Weighted(p) || p.weights[i] > 0.0) out.push_back(i);
  return out;
}

/// The position in `drawn` of the choice nearest `value` (the first of equals).
size_t NearestDrawn(const Parameter& p, const std::vector<size_t>& drawn, double value) {
  size_t best = 0;
  for (size_t k = 1; k < drawn.size(); ++k)
    if (std::fabs(p.choices[drawn[k]] - value) < std::fabs(p.choices[drawn[best]] - value)) best = k;
  return best;
}

/// Whether a histogram's edges and weights describe a law.
bool HistogramUsable(const Parameter& p) {
  if (p.edges.size() < 2 || !WeightsProblem(p.weights, p.edges.size() - 1, "bin").empty()) return false;
  for (size_t i = 0; i + 1 < p.edges.size(); ++i)
    if (!(p.edges[i] < p.edges[i + 1]) || !std::isfinite(p.edges[i]) || !std::isfinite(p.edges[i + 1])) return false;
  return true;
}

/// A histogram's first and last bin of positive weight.
std::pair<size_t, size_t> PositiveBins(const Parameter& p) {
  size_t first = p.weights.size(), last = 0;
  for (size_t i = 0; i < p.weights.size(); ++i)
    if (p.weights[i] > 0.0) {
      first = std::min(first, i);
      last = i;
    }
  return {first, last};
}

core::TruncatedPoisson PoissonOf(const Parameter& p) { return core::TruncatedPoisson(p.mean, p.lo, p.hi); }

/// The value of an untruncated log-normal or Poisson at the normal's probability of z standard units.
double UntruncatedAt(const Parameter& p, double z) {
  const double u = core::NormalCdf(z);
  if (p.kind == Parameter::Kind::kPoisson) return core::TruncatedPoisson(p.mean, -kInf, kInf).Quantile(u);
  return core::TruncatedLogNormalQuantile(u, p.mean, p.stddev, -kInf, kInf);
}

}  // namespace

double Parameter::Nominal() const {
  if (!std::isnan(nominal)) return nominal;
  switch (kind) {
    case Kind::kUniform:
      return 0.5 * (lo + hi);
    case Kind::kNormal:
      return std::clamp(mean, lo, hi);
    case Kind::kChoice: {
      if (choices.empty()) return 0.0;
      // unweighted, or weights Check refuses (one per choice, finite, >= 0, some positive): the first
      if (!Weighted(*this) || !WeightsProblem(weights, choices.size(), "choice").empty()) return choices.front();
      const std::vector<size_t> drawn = DrawnChoices(*this);
      size_t best = drawn.front();
      for (size_t i : drawn)
        if (weights[i] > weights[best]) best = i;
      return choices[best];
    }
    case Kind::kRange:
    case Kind::kConstant:
      return lo;
    case Kind::kLogNormal:
      return std::min(std::max(UntruncatedAt(*this, 0.0), lo), hi);
    case Kind::kPoisson: {
      const core::TruncatedPoisson law = PoissonOf(*this);
      return std::min(std::max(UntruncatedAt(*this, 0.0), law.first()), law.last());
    }
    case Kind::kHistogram:
      return HistogramUsable(*this) ? core::PiecewiseUniformQuantile(0.5, edges, weights) : 0.0;
  }
  return 0.0;
}

size_t Parameter::DiscreteCount() const {
  switch (kind) {
    case Kind::kUniform:
    case Kind::kNormal:
    case Kind::kLogNormal:
    case Kind::kPoisson:
    case Kind::kHistogram:
      return 0;
    case Kind::kChoice:
      return std::max<size_t>(DrawnChoices(*this).size(), 1);
    case Kind::kRange: {
      if (!(step > 0.0) || !(hi >= lo)) return 1;
      const double n = std::floor((hi - lo) / step + 1e-9) + 1.0;
      return n > 1e9 ? size_t{1000000000} : static_cast<size_t>(n);
    }
    case Kind::kConstant:
      return 1;
  }
  return 1;
}

double Parameter::FromUnit(double u) const {
  u = ClampUnit(u);
  switch (kind) {
    case Kind::kUniform:
      return std::min(lo + u * (hi - lo), hi);
    case Kind::kNormal:
      return core::TruncatedNormalQuantile(u, mean, stddev, lo, hi);
    case Kind::kChoice: {
      if (choices.empty()) return Nominal();
      if (!Weighted(*this) || !WeightsProblem(weights, choices.size(), "choice").empty())
        return choices[CellIndex(u, choices.size())];
      double rest = 0.0;
      return choices[core::WeightedIndex(weights, u, &rest)];
    }
    case Kind::kRange:
      return lo + static_cast<double>(CellIndex(u, DiscreteCount())) * step;
    case Kind::kConstant:
      return Nominal();
    case Kind::kLogNormal:
      return core::TruncatedLogNormalQuantile(u, mean, stddev, lo, hi);
    case Kind::kPoisson:
      return PoissonOf(*this).Quantile(u);
    case Kind::kHistogram:
      return HistogramUsable(*this) ? core::PiecewiseUniformQuantile(u, edges, weights) : Nominal();
  }
  return Nominal();
}

double Parameter::ToUnit(double value) const {
  switch (kind) {
    case Kind::kUniform:
      if (!(hi > lo)) return 0.5;
      return ClampUnit((value - lo) / (hi - lo));
    case Kind::kNormal:
      return ClampUnit(core::TruncatedNormalCdf(value, mean, stddev, lo, hi));
    case Kind::kChoice: {
      if (choices.empty()) return 0.5;
      if (Weighted(*this) && WeightsProblem(weights, choices.size(), "choice").empty()) {
        const std::vector<size_t> drawn = DrawnChoices(*this);
        return core::WeightedCellCentre(weights, drawn[NearestDrawn(*this, drawn, value)]);
      }
      size_t best = 0;
      for (size_t i = 1; i < choices.size(); ++i) {
        if (std::fabs(choices[i] - value) < std::fabs(choices[best] - value)) best = i;
      }
      return CellCentre(best, choices.size());
    }
    case Kind::kRange: {
      const size_t n = DiscreteCount();
      const double index = std::round((value - lo) / step);
      const size_t i = index <= 0.0 ? 0 : std::min(static_cast<size_t>(index), n - 1);
      return CellCentre(i, n);
    }
    case Kind::kConstant:
      return 0.5;
    case Kind::kLogNormal:
      return ClampUnit(core::TruncatedLogNormalCdf(value, mean, stddev, lo, hi));
    case Kind::kPoisson:
      return ClampUnit(PoissonOf(*this).CellCentre(value));
    case Kind::kHistogram:
      return HistogramUsable(*this) ? ClampUnit(core::PiecewiseUniformCdf(value, edges, weights)) : 0.5;
  }
  return 0.5;
}

double Parameter::IndexUnit(double value) const {
  if (!Weighted(*this)) return ToUnit(value);
  const std::vector<size_t> drawn = DrawnChoices(*this);
  if (drawn.empty()) return 0.5;
  return CellCentre(NearestDrawn(*this, drawn, value), drawn.size());
}

std::vector<double> Parameter::DiscreteValues() const {
  if (IsContinuous()) return {};
  if (kind == Kind::kConstant) return {Nominal()};
  std::vector<double> values;
  if (Weighted(*this)) {
    for (size_t i : DrawnChoices(*this)) values.push_back(choices[i]);
    return values;
  }
  const size_t n = DiscreteCount();
  for (size_t k = 0; k < n; ++k) values.push_back(FromUnit(CellCentre(k, n)));
  return values;
}

double Parameter::Nearest(double value) const {
  switch (kind) {
    case Kind::kUniform:
    case Kind::kNormal:
      return std::min(std::max(value, lo), hi);
    case Kind::kLogNormal:
      return value > 0.0 ? std::min(std::max(value, lo), hi) : std::max(lo, std::numeric_limits<double>::denorm_min());
    case Kind::kPoisson: {
      const core::TruncatedPoisson law = PoissonOf(*this);
      return std::min(std::max(std::round(value), law.first()), law.last());
    }
    case Kind::kHistogram: {
      if (!HistogramUsable(*this)) return value;
      double best = value, distance = kInf;
      for (size_t i = 0; i < weights.size(); ++i) {
        if (!(weights[i] > 0.0)) continue;
        const double inside = std::min(std::max(value, edges[i]), edges[i + 1]);
        if (std::fabs(inside - value) < distance) {
          distance = std::fabs(inside - value);
          best = inside;
        }
      }
      return best;
    }
    case Kind::kChoice: {
      const std::vector<size_t> drawn = DrawnChoices(*this);
      return drawn.empty() ? Nominal() : choices[drawn[NearestDrawn(*this, drawn, value)]];
    }
    case Kind::kRange:
    case Kind::kConstant:
      return FromUnit(ToUnit(value));
  }
  return value;
}

double Parameter::Min() const {
  switch (kind) {
    case Kind::kUniform:
    case Kind::kNormal:
    case Kind::kRange:
      return lo;
    case Kind::kChoice: {
      const std::vector<double> values = DiscreteValues();
      return values.empty() ? Nominal() : *std::min_element(values.begin(), values.end());
    }
    case Kind::kConstant:
      return Nominal();
    case Kind::kLogNormal:
      return std::max(lo, 0.0);
    case Kind::kPoisson:
      return PoissonOf(*this).first();
    case Kind::kHistogram:
      return HistogramUsable(*this) ? edges[PositiveBins(*this).first] : Nominal();
  }
  return lo;
}

double Parameter::Max() const {
  switch (kind) {
    case Kind::kUniform:
    case Kind::kNormal:
      return hi;
    case Kind::kRange:
      return lo + static_cast<double>(DiscreteCount() - 1) * step;
    case Kind::kChoice: {
      const std::vector<double> values = DiscreteValues();
      return values.empty() ? Nominal() : *std::max_element(values.begin(), values.end());
    }
    case Kind::kConstant:
      return Nominal();
    case Kind::kLogNormal:
      return hi;
    case Kind::kPoisson:
      return PoissonOf(*this).last();
    case Kind::kHistogram:
      return HistogramUsable(*this) ? edges[PositiveBins(*this).second + 1] : Nominal();
  }
  return hi;
}

double Parameter::EdgeLo() const {
  if (kind == Kind::kNormal && std::isinf(lo)) return mean - 3.0 * stddev;
  const bool open = (kind == Kind::kLogNormal && !(lo > 0.0)) || (kind == Kind::kPoisson && std::isinf(lo));
  if (open) return std::min(std::max(UntruncatedAt(*this, -3.0), Min()), Max());
  return Min();
}

double Parameter::EdgeHi() const {
  if (kind == Kind::kNormal && std::isinf(hi)) return mean + 3.0 * stddev;
  if ((kind == Kind::kLogNormal || kind == Kind::kPoisson) && std::isinf(hi))
    return std::min(std::max(UntruncatedAt(*this, 3.0), Min()), Max());
  return Max();
}

std::vector<double> ParameterSpace::FromUnit(const std::vector<double>& u) const {
  GAUNTLET_CHECK(u.size() == parameters.size());
  std::vector<double> values(u.size());
  for (size_t i = 0; i < u.size(); ++i) values[i] = parameters[i].FromUnit(u[i]);
  return values;
}

std::vector<double> ParameterSpace::ToUnit(const std::vector<double>& values) const {
  GAUNTLET_CHECK(values.size() == parameters.size());
  std::vector<double> u(values.size());
  for (size_t i = 0; i < values.size(); ++i) u[i] = parameters[i].ToUnit(values[i]);
  return u;
}

std::vector<double> ParameterSpace::NominalPoint() const {
  std::vector<double> values;
  values.reserve(parameters.size());
  for (const Parameter& p : parameters) values.push_back(p.Nominal());
  return values;
}

size_t ParameterSpace::GridLevels(size_t i, size_t continuous_levels) const {
  const Parameter& p = parameters.at(i);
  return p.IsContinuous() ? std::max<size_t>(continuous_levels, 1) : p.DiscreteCount();
}

std::vector<double> ParameterSpace::GridValues(size_t i, size_t continuous_levels) const {
  const Parameter& p = parameters.at(i);
  const size_t n = GridLevels(i, continuous_levels);
  std::vector<double> values;
  values.reserve(n);
  if (!p.IsContinuous()) return p.DiscreteValues();
  if (n == 1) return {p.Nominal()};
  for (size_t k = 0; k < n; ++k) {
    if (p.kind == Parameter::Kind::kUniform) {
      values.push_back(k + 1 == n ? p.hi : p.lo + (p.hi - p.lo) * static_cast<double>(k) / static_cast<double>(n - 1));
    } else {
      values.push_back(p.FromUnit(CellCentre(k, n)));
    }
  }
  // a Poisson's quantiles repeat integers: each once (FromUnit is non-decreasing)
  if (p.kind == Parameter::Kind::kPoisson) values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

std::vector<double> ParameterSpace::LowerBounds() const {
  std::vector<double> out;
  for (const Parameter& p : parameters) out.push_back(p.Min());
  return out;
}

std::vector<double> ParameterSpace::UpperBounds() const {
  std::vector<double> out;
  for (const Parameter& p : parameters) out.push_back(p.Max());
  return out;
}

std::vector<size_t> ParameterSpace::FreeIndices() const {
  std::vector<size_t> out;
  for (size_t i = 0; i < parameters.size(); ++i) {
    const Parameter& p = parameters[i];
    const bool fixed = p.kind == Parameter::Kind::kConstant || (!p.IsContinuous() && p.DiscreteCount() <= 1) ||
                       (p.kind == Parameter::Kind::kUniform && !(p.hi > p.lo)) ||
                       (p.kind == Parameter::Kind::kPoisson && !(p.Max() > p.Min()));
    if (!fixed) out.push_back(i);
  }
  return out;
}

size_t ParameterSpace::IndexOf(const std::string& name) const {
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (parameters[i].name == name) return i;
  }
  return parameters.size();
}

std::vector<core::Diagnostic> ParameterSpace::Check() const {
  std::vector<core::Diagnostic> out;
  std::set<std::string> seen;
  for (const Parameter& p : parameters) {
    const std::string who = "parameter '" + p.name + "'";
    auto error = [&](const std::string& message) { out.push_back({p.pos, message}); };
    if (!seen.insert(p.name).second) error("duplicate parameter '" + p.name + "'");
    bool bounds_ok = true;
    switch (p.kind) {
      case Parameter::Kind::kUniform:
        if (!std::isfinite(p.lo) || !std::isfinite(p.hi) || !(p.lo <= p.hi)) {
          error(who + ": uniform bounds must be finite with lo <= hi (got " + Num(p.lo) + ", " + Num(p.hi) + ")");
          bounds_ok = false;
        }
        break;
      case Parameter::Kind::kNormal:
        if (!std::isfinite(p.mean) || !(p.stddev > 0.0) || !std::isfinite(p.stddev)) {
          error(who + ": normal needs a finite mean and stddev > 0 (got stddev " + Num(p.stddev) + ")");
          bounds_ok = false;
        } else if (std::isnan(p.lo) || std::isnan(p.hi) || !(p.lo < p.hi) ||
                   !(core::NormalCdf((p.hi - p.mean) / p.stddev) - core::NormalCdf((p.lo - p.mean) / p.stddev) > 1e-300)) {
          error(who + ": normal truncation bounds must satisfy lo < hi and hold some probability (got " + Num(p.lo) +
                ", " + Num(p.hi) + ")");
          bounds_ok = false;
        }
        break;
      case Parameter::Kind::kChoice:
        if (p.choices.empty()) {
          error(who + ": a choice needs at least one value");
          bounds_ok = false;
        }
        for (double c : p.choices) {
          if (!std::isfinite(c)) {
            error(who + ": choices must be finite numbers");
            bounds_ok = false;
            break;
          }
        }
        if (const std::string problem = WeightsProblem(p.weights, p.choices.size(), "choice");
            Weighted(p) && !problem.empty()) {
          error(who + ": a weighted choice " + problem);
          bounds_ok = false;
        }
        break;
      case Parameter::Kind::kRange:
        if (!std::isfinite(p.lo) || !std::isfinite(p.hi) || !(p.step > 0.0) || !std::isfinite(p.step) ||
            !(p.lo <= p.hi)) {
          error(who + ": a range needs finite start <= stop and step > 0 (got " + Num(p.lo) + ", " + Num(p.hi) +
                ", step " + Num(p.step) + ")");
          bounds_ok = false;
        } else if ((p.hi - p.lo) / p.step > 1e9) {
          error(who + ": a range may have at most 1e9 values");
          bounds_ok = false;
        }
        break;
      case Parameter::Kind::kConstant:
        if (!std::isfinite(p.Nominal())) {
          error(who + ": a constant needs a finite value");
          bounds_ok = false;
        }
        break;
      case Parameter::Kind::kLogNormal: {
        const double ratio = p.stddev / p.mean;
        if (!(p.mean > 0.0) || !std::isfinite(p.mean) || !(p.stddev > 0.0) || !std::isfinite(ratio * ratio)) {
          error(who + ": lognormal needs a finite mean > 0 and stddev > 0 (of the values themselves; got mean " +
                Num(p.mean) + ", stddev " + Num(p.stddev) + ")");
          bounds_ok = false;
          break;
        }
        const core::LogNormalShape shape = core::LogNormalOf(p.mean, p.stddev);
        const double a = p.lo > 0.0 ? (std::log(p.lo) - shape.mu) / shape.sigma : -kInf;
        const double b = p.hi > 0.0 ? (std::log(p.hi) - shape.mu) / shape.sigma : -kInf;
        if (std::isnan(p.lo) || std::isnan(p.hi) || !(p.lo < p.hi) || !(p.hi > 0.0) ||
            !(core::NormalCdf(b) - core::NormalCdf(a) > 1e-300)) {
          error(who + ": lognormal truncation bounds must satisfy min < max, max > 0 and hold some probability (got " +
                Num(p.lo) + ", " + Num(p.hi) + ")");
          bounds_ok = false;
        }
        break;
      }
      case Parameter::Kind::kPoisson:
        if (!(p.mean > 0.0) || !(p.mean <= core::kMaxPoissonMean)) {
          error(who + ": poisson needs 0 < mean <= 1e9 (got " + Num(p.mean) + ")");
          bounds_ok = false;
        } else if (std::isnan(p.lo) || std::isnan(p.hi) || !(p.lo <= p.hi) || !PoissonOf(p).valid()) {
          error(who + ": poisson bounds must satisfy min <= max and hold an integer from 0 to 2^53 (got " + Num(p.lo) +
                ", " + Num(p.hi) + ")");
          bounds_ok = false;
        }
        break;
      case Parameter::Kind::kHistogram: {
        bool edges_ok = p.edges.size() >= 2;
        for (size_t i = 0; i < p.edges.size() && edges_ok; ++i)
          edges_ok = std::isfinite(p.edges[i]) && (i == 0 || p.edges[i - 1] < p.edges[i]);
        if (!edges_ok) {
          error(who + ": a histogram needs at least two finite edges, increasing");
          bounds_ok = false;
        } else if (const std::string problem = WeightsProblem(p.weights, p.edges.size() - 1, "bin"); !problem.empty()) {
          error(who + ": a histogram " + problem);
          bounds_ok = false;
        }
        break;
      }
    }
    if (!p.weights.empty() && p.kind != Parameter::Kind::kChoice && p.kind != Parameter::Kind::kHistogram) {
      error(who + ": only a choice or a histogram has weights");
      bounds_ok = false;
    }
    if (!bounds_ok || std::isnan(p.nominal)) continue;
    const double v = p.nominal;
    bool inside = true;
    switch (p.kind) {
      case Parameter::Kind::kUniform:
      case Parameter::Kind::kNormal:
        inside = v >= p.lo && v <= p.hi;
        break;
      case Parameter::Kind::kChoice:
        inside = Weighted(p) ? p.Nearest(v) == v : std::find(p.choices.begin(), p.choices.end(), v) != p.choices.end();
        break;
      case Parameter::Kind::kLogNormal:
      case Parameter::Kind::kPoisson:
      case Parameter::Kind::kHistogram:
        inside = p.Nearest(v) == v;
        break;
      case Parameter::Kind::kRange:
        inside = std::fabs(p.FromUnit(p.ToUnit(v)) - v) <= 1e-9 * p.step;
        break;
      case Parameter::Kind::kConstant:
        break;
    }
    if (!inside) error(who + ": nominal value " + Num(v) + " is not one of its values");
  }
  return out;
}

void ParameterSpace::Validate() const {
  std::vector<core::Diagnostic> problems = Check();
  if (!problems.empty()) throw core::InputError(std::move(problems));
}

}  // namespace gauntlet::scenarios
