// OpenSCENARIO variation files as Gauntlet parameters (see openscenario_parameters.h).

#include "scenarios/openscenario_parameters.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "core/distributions.h"
#include "openscenario/expression.h"

namespace gauntlet::scenarios {
namespace {

using Binding = OpenScenarioParameters::Binding;
using Stochastic = openscenario::StochasticParameter;

/// `text` as a number when all of it is one (no "true"/"false": those stay text).
std::optional<double> Number(const std::string& text) {
  double v = 0.0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

/// A choice of `texts`: of their numbers when all are numbers, else of their indices.
void AddTextChoice(const std::string& name, const std::vector<std::string>& texts, const core::SourcePos& pos,
                   OpenScenarioParameters* out) {
  Parameter p{.name = name, .kind = Parameter::Kind::kChoice, .pos = pos};
  bool numeric = true;
  for (const std::string& t : texts) {
    const std::optional<double> v = Number(t);
    numeric = numeric && v.has_value();
    p.choices.push_back(v.value_or(0.0));
  }
  if (!numeric)
    for (size_t i = 0; i < texts.size(); ++i) p.choices[i] = static_cast<double>(i);
  out->parameters.push_back(p);
  out->bindings.push_back({.kind = Binding::Kind::kText, .name = name, .texts = texts});
}

/// The index of the choice nearest `value` (the first of equals).
size_t NearestChoice(const std::vector<double>& choices, double value) {
  size_t best = 0;
  for (size_t i = 1; i < choices.size(); ++i)
    if (std::abs(choices[i] - value) < std::abs(choices[best] - value)) best = i;
  return best;
}

class Converter {
 public:
  explicit Converter(const openscenario::ParameterDistribution& d) : d_(d) {}

  OpenScenarioParameters Run() {
    out_.scenario_path = d_.scenario_path;
    for (size_t i = 0; i < d_.multi.size(); ++i) Multi(i);
    for (size_t i = 0; i < d_.single.size(); ++i) Single(i);
    if (d_.stochastic)
      for (const Stochastic& p : d_.stochastic->parameters) FromStochastic(p);
    for (const Parameter& p : out_.parameters) Claim(p.name, p.pos, "Gauntlet parameter");
    errors_.ThrowIfAny();
    return out_;
  }

 private:
  /// Records that `name` is set at `pos`; a second distribution of it is an error.
  void Claim(const std::string& name, const core::SourcePos& pos, const std::string& what = "parameter") {
    auto [it, fresh] = (what == "parameter" ? xosc_names_ : gauntlet_names_).emplace(name, pos);
    if (!fresh && !(it->second == pos))
      errors_.Error(pos, what + " '" + name + "' is varied twice (also at " + it->second.ToString() +
                             "); give each parameter one distribution");
  }

  void Multi(size_t i) {
    const core::SourcePos& pos = d_.multi_pos.at(i);
    const auto& sets = d_.multi[i];
    for (const auto& set : sets)
      for (const auto& kv : set) Claim(kv.first, pos);
    Parameter p{.name = "value_set_" + std::to_string(i + 1), .kind = Parameter::Kind::kChoice, .pos = pos};
    for (size_t k = 0; k < sets.size(); ++k) p.choices.push_back(static_cast<double>(k));
    out_.parameters.push_back(p);
    out_.bindings.push_back({.kind = Binding::Kind::kValueSets, .sets = sets});
  }

  void Single(size_t i) {
    const auto& [name, values] = d_.single[i];
    const openscenario::SingleSource& source = d_.single_source.at(i);
    Claim(name, source.pos);
    if (source.range) {
      out_.parameters.push_back({.name = name, .kind = Parameter::Kind::kRange, .lo = source.lo, .hi = source.hi,
                                 .step = source.step, .pos = source.pos});
      out_.bindings.push_back({.kind = Binding::Kind::kNumber, .name = name});
      return;
    }
    AddTextChoice(name, values, source.pos, &out_);
  }

  void FromStochastic(const Stochastic& s) {
    Claim(s.name, s.pos);
    const Binding number{.kind = Binding::Kind::kNumber, .name = s.name};
    switch (s.kind) {
      case Stochastic::Kind::kUniform:
        out_.parameters.push_back({.name = s.name, .kind = Parameter::Kind::kUniform, .lo = s.lo, .hi = s.hi, .pos = s.pos});
        out_.bindings.push_back(number);
        return;
      case Stochastic::Kind::kNormal:
      case Stochastic::Kind::kLogNormal:
        out_.parameters.push_back({.name = s.name,
                                   .kind = s.kind == Stochastic::Kind::kNormal ? Parameter::Kind::kNormal
                                                                               : Parameter::Kind::kLogNormal,
                                   .lo = s.lo,
                                   .hi = s.hi,
                                   .mean = s.mean,
                                   .stddev = std::sqrt(s.variance),
                                   .pos = s.pos});
        out_.bindings.push_back(number);
        return;
      case Stochastic::Kind::kPoisson:
        out_.parameters.push_back(
            {.name = s.name, .kind = Parameter::Kind::kPoisson, .lo = s.lo, .hi = s.hi, .mean = s.mean, .pos = s.pos});
        out_.bindings.push_back(number);
        return;
      case Stochastic::Kind::kSet: {
        std::vector<std::string> texts;
        std::vector<double> weights;
        for (const auto& e : s.elements) {
          texts.push_back(e.first);
          weights.push_back(e.second);
        }
        AddTextChoice(s.name, texts, s.pos, &out_);
        // equal weights: a plain choice; else the weights, as written
        if (std::any_of(weights.begin(), weights.end(), [&](double w) { return w != weights.front(); }))
          out_.parameters.back().weights = weights;
        return;
      }
      case Stochastic::Kind::kHistogram: {
        core::PiecewiseUniform law = core::PiecewiseUniformOf(s.bins);
        // contiguous bins of one density: a uniform; else the histogram itself
        const double density = law.weights.front() / (law.edges[1] - law.edges[0]);
        bool uniform = true;
        for (size_t i = 0; i < law.weights.size(); ++i)
          uniform = uniform && std::abs(law.weights[i] / (law.edges[i + 1] - law.edges[i]) - density) <= 1e-12 * density;
        if (uniform) {
          out_.parameters.push_back({.name = s.name, .kind = Parameter::Kind::kUniform, .lo = law.edges.front(),
                                     .hi = law.edges.back(), .pos = s.pos});
        } else {
          out_.parameters.push_back({.name = s.name, .kind = Parameter::Kind::kHistogram, .weights = std::move(law.weights),
                                     .edges = std::move(law.edges), .pos = s.pos});
        }
        out_.bindings.push_back(number);
        return;
      }
    }
  }

  const openscenario::ParameterDistribution& d_;
  OpenScenarioParameters out_;
  core::Diagnostics errors_;
  std::map<std::string, core::SourcePos> xosc_names_;
  std::map<std::string, core::SourcePos> gauntlet_names_;
};

/// Sets `name` to `value` in `set`, replacing an earlier assignment.
void Assign(openscenario::ParameterSet* set, const std::string& name, const std::string& value) {
  for (auto& kv : *set)
    if (kv.first == name) {
      kv.second = value;
      return;
    }
  set->emplace_back(name, value);
}

}  // namespace

openscenario::ParameterSet OpenScenarioParameters::Overrides(const std::vector<double>& point) const {
  openscenario::ParameterSet out;
  for (size_t i = 0; i < bindings.size() && i < point.size(); ++i) {
    const Binding& b = bindings[i];
    switch (b.kind) {
      case Binding::Kind::kNumber:
        Assign(&out, b.name, openscenario::FormatNumber(point[i]));
        break;
      case Binding::Kind::kText:
        Assign(&out, b.name, b.texts[NearestChoice(parameters[i].choices, point[i])]);
        break;
      case Binding::Kind::kValueSets:
        for (const auto& [name, value] : b.sets[NearestChoice(parameters[i].choices, point[i])]) Assign(&out, name, value);
        break;
    }
  }
  return out;
}

OpenScenarioParameters FromParameterDistribution(const openscenario::ParameterDistribution& distribution) {
  return Converter(distribution).Run();
}

}  // namespace gauntlet::scenarios
