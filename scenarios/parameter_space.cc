#include "scenarios/parameter_space.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/check.h"
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

}  // namespace

double Parameter::Nominal() const {
  if (!std::isnan(nominal)) return nominal;
  switch (kind) {
    case Kind::kUniform:
      return 0.5 * (lo + hi);
    case Kind::kNormal:
      return std::clamp(mean, lo, hi);
    case Kind::kChoice:
      return choices.empty() ? 0.0 : choices.front();
    case Kind::kRange:
    case Kind::kConstant:
      return lo;
  }
  return 0.0;
}

size_t Parameter::DiscreteCount() const {
  switch (kind) {
    case Kind::kUniform:
    case Kind::kNormal:
      return 0;
    case Kind::kChoice:
      return std::max<size_t>(choices.size(), 1);
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
    case Kind::kChoice:
      return choices.empty() ? Nominal() : choices[CellIndex(u, choices.size())];
    case Kind::kRange:
      return lo + static_cast<double>(CellIndex(u, DiscreteCount())) * step;
    case Kind::kConstant:
      return Nominal();
  }
  return Nominal();
}

double Parameter::ToUnit(double value) const {
  switch (kind) {
    case Kind::kUniform:
      if (!(hi > lo)) return 0.5;
      return ClampUnit((value - lo) / (hi - lo));
    case Kind::kNormal: {
      value = std::clamp(value, lo, hi);
      const double a = (lo - mean) / stddev;
      const double b = (hi - mean) / stddev;
      const double z = (value - mean) / stddev;
      double u;
      if (a > 0.0) {
        const double qa = core::NormalUpperTail(a);
        const double qb = core::NormalUpperTail(b);
        u = (qa - core::NormalUpperTail(z)) / (qa - qb);
      } else {
        const double pa = core::NormalCdf(a);
        const double pb = core::NormalCdf(b);
        u = (core::NormalCdf(z) - pa) / (pb - pa);
      }
      return ClampUnit(u);
    }
    case Kind::kChoice: {
      if (choices.empty()) return 0.5;
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
  }
  return 0.5;
}

double Parameter::Min() const {
  switch (kind) {
    case Kind::kUniform:
    case Kind::kNormal:
    case Kind::kRange:
      return lo;
    case Kind::kChoice:
      return choices.empty() ? Nominal() : *std::min_element(choices.begin(), choices.end());
    case Kind::kConstant:
      return Nominal();
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
    case Kind::kChoice:
      return choices.empty() ? Nominal() : *std::max_element(choices.begin(), choices.end());
    case Kind::kConstant:
      return Nominal();
  }
  return hi;
}

double Parameter::EdgeLo() const {
  if (kind == Kind::kNormal && std::isinf(lo)) return mean - 3.0 * stddev;
  return Min();
}

double Parameter::EdgeHi() const {
  if (kind == Kind::kNormal && std::isinf(hi)) return mean + 3.0 * stddev;
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
  if (!p.IsContinuous()) {
    if (p.kind == Parameter::Kind::kConstant) return {p.Nominal()};
    for (size_t k = 0; k < n; ++k) values.push_back(p.FromUnit(CellCentre(k, n)));
    return values;
  }
  if (n == 1) return {p.Nominal()};
  for (size_t k = 0; k < n; ++k) {
    if (p.kind == Parameter::Kind::kUniform) {
      values.push_back(k + 1 == n ? p.hi : p.lo + (p.hi - p.lo) * static_cast<double>(k) / static_cast<double>(n - 1));
    } else {
      values.push_back(p.FromUnit(CellCentre(k, n)));
    }
  }
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
                       (p.kind == Parameter::Kind::kUniform && !(p.hi > p.lo));
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
        inside = std::find(p.choices.begin(), p.choices.end(), v) != p.choices.end();
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
