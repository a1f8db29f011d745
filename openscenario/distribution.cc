// Reading parameter variation files (see distribution.h).

#include "openscenario/distribution.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <string_view>

#include "core/normal.h"
#include "core/rng.h"
#include "openscenario/expression.h"
#include "openscenario/internal/xml_file.h"

namespace gauntlet::openscenario {
namespace {

constexpr size_t kMaxCombinations = 100000;
/// The largest PoissonDistribution expectedValue.
constexpr double kMaxPoissonMean = 100000.0;

using Kind = StochasticParameter::Kind;

class DistributionReader {
 public:
  explicit DistributionReader(const internal::XmlFile& file) : file_(file) {}

  ParameterDistribution Read() {
    ParameterDistribution d;
    d.path = file_.path;
    const pugi::xml_node root = file_.doc.document_element();
    const pugi::xml_node pvd = root.child("ParameterValueDistribution");
    if (!pvd) {
      Error(root, "not a parameter variation file: the root holds no ParameterValueDistribution");
      errors_.ThrowIfAny();
    }
    Only(pvd, {"ScenarioFile", "Deterministic", "Stochastic"});
    if (const pugi::xml_node file = pvd.child("ScenarioFile")) {
      const std::string given = Attr(file, "filepath");
      const std::filesystem::path p(given);
      d.scenario_path = p.is_absolute() ? given : (std::filesystem::path(file_.path).parent_path() / p).string();
    } else {
      Error(pvd, "ParameterValueDistribution needs a ScenarioFile");
    }
    const pugi::xml_node det = pvd.child("Deterministic");
    const pugi::xml_node sto = pvd.child("Stochastic");
    if (det && sto) Error(sto, "ParameterValueDistribution holds either a Deterministic or a Stochastic distribution, not both");
    if (!det && !sto) Error(pvd, "ParameterValueDistribution needs a Deterministic or a Stochastic distribution");
    if (sto && !det) {
      d.stochastic = ReadStochastic(sto);
      errors_.ThrowIfAny();
      return d;
    }
    Only(det, {"DeterministicMultiParameterDistribution", "DeterministicSingleParameterDistribution"});
    for (pugi::xml_node c = det.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      if (std::string_view(c.name()) == "DeterministicMultiParameterDistribution") {
        Only(c, {"ValueSetDistribution"});
        const pugi::xml_node vsd = c.child("ValueSetDistribution");
        Only(vsd, {"ParameterValueSet"});
        std::vector<ParameterSet> sets;
        for (pugi::xml_node s = vsd.child("ParameterValueSet"); s; s = s.next_sibling("ParameterValueSet")) {
          Only(s, {"ParameterAssignment"});
          ParameterSet set;
          for (pugi::xml_node a = s.child("ParameterAssignment"); a; a = a.next_sibling("ParameterAssignment"))
            set.emplace_back(Attr(a, "parameterRef"), Attr(a, "value"));
          sets.push_back(set);
        }
        if (sets.empty()) Error(c, "DeterministicMultiParameterDistribution needs at least one ParameterValueSet");
        d.multi.push_back(sets);
        d.multi_pos.push_back(file_.Pos(c));
      } else if (std::string_view(c.name()) == "DeterministicSingleParameterDistribution") {
        SingleSource source{.pos = file_.Pos(c)};
        d.single.emplace_back(Attr(c, "parameterName"), Values(c, &source));
        d.single_source.push_back(source);
      }
    }
    double count = 1.0;
    for (const auto& m : d.multi) count *= static_cast<double>(m.size());
    for (const auto& s : d.single) count *= static_cast<double>(s.second.size());
    if (count > static_cast<double>(kMaxCombinations))
      Error(det, "the distribution has " + FormatNumber(count) + " combinations; at most 100000 are played");
    errors_.ThrowIfAny();
    return d;
  }

 private:
  void Error(const pugi::xml_node& n, const std::string& message) { errors_.Error(file_.Pos(n), message); }
  void Only(const pugi::xml_node& n, const std::vector<std::string>& allowed) {
    for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      if (std::find(allowed.begin(), allowed.end(), c.name()) != allowed.end()) continue;
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      Error(c, std::string(c.name()) + " is not supported in " + n.name() + "; supported: " + list);
    }
  }
  std::string Attr(const pugi::xml_node& n, const char* name) {
    const pugi::xml_attribute a = n.attribute(name);
    if (!a) Error(n, std::string(n.name()) + " needs the attribute '" + name + "'");
    return a.value();
  }
  double Number(const pugi::xml_node& n, const char* name) {
    const std::string text = Attr(n, name);
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
      Error(n, std::string(n.name()) + ": attribute '" + name + "' = '" + text + "' is not a number");
      return 0.0;
    }
    return v;
  }
  /// A Range child's limits into p (lowerLimit <= upperLimit).
  void ReadRange(const pugi::xml_node& r, StochasticParameter* p) {
    p->lo = Number(r, "lowerLimit");
    p->hi = Number(r, "upperLimit");
    p->has_range = true;
    if (p->hi < p->lo) Error(r, "Range needs lowerLimit <= upperLimit");
  }

  /// The one distribution element of a StochasticDistribution into p.
  void ReadKind(const pugi::xml_node& k, StochasticParameter* p) {
    const std::string_view name = k.name();
    p->kind_pos = file_.Pos(k);
    const pugi::xml_node range = k.child("Range");
    if (name == "UniformDistribution") {
      p->kind = Kind::kUniform;
      Only(k, {"Range"});
      if (!range) return Error(k, "UniformDistribution needs a Range");
      ReadRange(range, p);
      if (p->hi == p->lo) Error(range, "UniformDistribution needs lowerLimit < upperLimit");
    } else if (name == "NormalDistribution" || name == "LogNormalDistribution") {
      p->kind = name == "NormalDistribution" ? Kind::kNormal : Kind::kLogNormal;
      Only(k, {"Range"});
      p->mean = Number(k, "expectedValue");
      p->variance = Number(k, "variance");
      if (!(p->variance > 0.0)) Error(k, std::string(name) + " needs variance > 0");
      if (p->kind == Kind::kLogNormal && !(p->mean > 0.0))
        Error(k, "LogNormalDistribution needs expectedValue > 0 (the mean of the log-normal values)");
      if (range) ReadRange(range, p);
      if (p->kind == Kind::kLogNormal && range && !(p->hi > 0.0))
        Error(range, "LogNormalDistribution's Range must reach above 0 (its values are positive)");
    } else if (name == "PoissonDistribution") {
      p->kind = Kind::kPoisson;
      Only(k, {"Range"});
      p->mean = Number(k, "expectedValue");
      if (!(p->mean > 0.0) || p->mean > kMaxPoissonMean)
        Error(k, "PoissonDistribution needs 0 < expectedValue <= 100000");
      if (range) ReadRange(range, p);
      if (p->mean > 0.0 && p->mean <= kMaxPoissonMean && !(p->hi < p->lo)) {
        // the most likely integer of the Range must have a probability above 0 (in doubles)
        const core::TruncatedPoisson law(p->mean, p->lo, p->hi);
        const double peak = law.peak();
        if (!law.valid() || !(std::exp(-p->mean + peak * std::log(p->mean) - std::lgamma(peak + 1.0)) > 0.0))
          Error(range ? range : k, "PoissonDistribution's Range holds no integer of positive probability");
      }
    } else if (name == "Histogram") {
      p->kind = Kind::kHistogram;
      Only(k, {"HistogramBin"});
      double total = 0.0;
      int seen = 0;
      for (pugi::xml_node b = k.child("HistogramBin"); b; b = b.next_sibling("HistogramBin")) {
        ++seen;
        Only(b, {"Range"});
        StochasticParameter::Bin bin{.weight = Number(b, "weight")};
        if (!(bin.weight >= 0.0)) Error(b, "HistogramBin needs weight >= 0");
        const pugi::xml_node r = b.child("Range");
        if (!r) {
          Error(b, "HistogramBin needs a Range");
          continue;
        }
        bin.lo = Number(r, "lowerLimit");
        bin.hi = Number(r, "upperLimit");
        if (!(bin.hi > bin.lo)) Error(r, "HistogramBin's Range needs lowerLimit < upperLimit");
        total += bin.weight;
        p->bins.push_back(bin);
      }
      if (seen == 0) Error(k, "Histogram needs at least one HistogramBin");
      else if (!(total > 0.0) && !p->bins.empty()) Error(k, "Histogram needs a bin of positive weight");
      if (!p->bins.empty()) {
        p->lo = p->bins.front().lo;
        p->hi = p->bins.front().hi;
      }
      for (const auto& b : p->bins) {
        p->lo = std::min(p->lo, b.lo);
        p->hi = std::max(p->hi, b.hi);
      }
    } else if (name == "ProbabilityDistributionSet") {
      p->kind = Kind::kSet;
      Only(k, {"Element"});
      double total = 0.0;
      for (pugi::xml_node e = k.child("Element"); e; e = e.next_sibling("Element")) {
        const std::string value = Attr(e, "value");
        const double w = Number(e, "weight");
        if (!(w >= 0.0)) Error(e, "Element needs weight >= 0");
        total += w;
        p->elements.emplace_back(value, w);
      }
      if (p->elements.empty()) Error(k, "ProbabilityDistributionSet needs at least one Element");
      else if (!(total > 0.0)) Error(k, "ProbabilityDistributionSet needs an Element of positive weight");
    } else if (name == "UserDefinedDistribution") {
      Error(k, "UserDefinedDistribution is not supported (its content has no standard meaning); supported: "
               "UniformDistribution, NormalDistribution, LogNormalDistribution, PoissonDistribution, Histogram, "
               "ProbabilityDistributionSet");
    }
  }

  Stochastic ReadStochastic(const pugi::xml_node& sto) {
    Stochastic s;
    s.pos = file_.Pos(sto);
    Only(sto, {"StochasticDistribution"});
    const std::string runs = Attr(sto, "numberOfTestRuns");
    int64_t n = 0;
    const auto [ptr, ec] = std::from_chars(runs.data(), runs.data() + runs.size(), n);
    if (ec != std::errc() || ptr != runs.data() + runs.size() || n < 1 || n > static_cast<int64_t>(kMaxCombinations)) {
      if (sto.attribute("numberOfTestRuns"))
        Error(sto, "Stochastic: numberOfTestRuns = '" + runs + "' is not an integer from 1 to 100000");
    } else {
      s.runs = n;
    }
    if (sto.attribute("randomSeed")) s.random_seed = Number(sto, "randomSeed");
    for (pugi::xml_node c = sto.child("StochasticDistribution"); c; c = c.next_sibling("StochasticDistribution")) {
      StochasticParameter p;
      p.pos = file_.Pos(c);
      p.name = Attr(c, "parameterName");
      for (const auto& other : s.parameters)
        if (other.name == p.name && !p.name.empty())
          Error(c, "parameter '" + p.name + "' has a StochasticDistribution already (at " + other.pos.ToString() + ")");
      Only(c, {"UniformDistribution", "NormalDistribution", "LogNormalDistribution", "PoissonDistribution",
               "Histogram", "ProbabilityDistributionSet", "UserDefinedDistribution"});
      int kinds = 0;
      for (pugi::xml_node k = c.first_child(); k; k = k.next_sibling()) {
        if (k.type() != pugi::node_element) continue;
        if (++kinds == 2) Error(k, "StochasticDistribution holds one distribution; this is a second one");
        if (kinds == 1) ReadKind(k, &p);
      }
      if (kinds == 0) Error(c, "StochasticDistribution needs a distribution");
      s.parameters.push_back(std::move(p));
    }
    if (s.parameters.empty()) Error(sto, "Stochastic needs at least one StochasticDistribution");
    return s;
  }

  std::vector<std::string> Values(const pugi::xml_node& c, SingleSource* source) {
    Only(c, {"DistributionSet", "DistributionRange"});
    std::vector<std::string> values;
    if (const pugi::xml_node set = c.child("DistributionSet")) {
      Only(set, {"Element"});
      for (pugi::xml_node e = set.child("Element"); e; e = e.next_sibling("Element")) values.push_back(Attr(e, "value"));
    } else if (const pugi::xml_node range = c.child("DistributionRange")) {
      Only(range, {"Range"});
      const double step = Number(range, "stepWidth");
      const pugi::xml_node r = range.child("Range");
      if (!r) {
        Error(range, "DistributionRange needs a Range");
        return values;
      }
      const double lo = Number(r, "lowerLimit"), hi = Number(r, "upperLimit");
      if (!(step > 0.0) || hi < lo) {
        Error(range, "DistributionRange needs stepWidth > 0 and lowerLimit <= upperLimit");
        return values;
      }
      // lo, lo + step, ... up to hi (inclusive, with a tolerance for the decimal steps)
      const double n = std::floor((hi - lo) / step + 1e-9);
      if (n >= static_cast<double>(kMaxCombinations)) {
        Error(range, "DistributionRange has more than 100000 values");
        return values;
      }
      for (int k = 0; k <= static_cast<int>(n); ++k) values.push_back(FormatNumber(lo + k * step));
      *source = SingleSource{.pos = source->pos, .range = true, .lo = lo, .hi = hi, .step = step};
    }
    if (values.empty()) Error(c, std::string(c.name()) + " needs values");
    return values;
  }

  const internal::XmlFile& file_;
  core::Diagnostics errors_;
};

}  // namespace

std::vector<ParameterSet> ParameterDistribution::Combinations() const {
  std::vector<ParameterSet> out{ParameterSet{}};
  auto extend = [&out](const std::vector<ParameterSet>& choices) {
    std::vector<ParameterSet> next;
    for (const ParameterSet& base : out)
      for (const ParameterSet& choice : choices) {
        ParameterSet s = base;
        for (const auto& kv : choice) {
          bool replaced = false;
          for (auto& have : s)
            if (have.first == kv.first) {
              have.second = kv.second;
              replaced = true;
            }
          if (!replaced) s.push_back(kv);
        }
        next.push_back(std::move(s));
      }
    out = std::move(next);
  };
  for (const auto& m : multi) extend(m);
  for (const auto& [name, values] : single) {
    std::vector<ParameterSet> choices;
    for (const std::string& v : values) choices.push_back({{name, v}});
    extend(choices);
  }
  return out;
}

double StochasticParameter::SampleNumber(double u) const {
  switch (kind) {
    case Kind::kUniform:
      return std::min(lo + u * (hi - lo), hi);
    case Kind::kNormal:
      return core::TruncatedNormalQuantile(u, mean, std::sqrt(variance), lo, hi);
    case Kind::kLogNormal:
      return core::TruncatedLogNormalQuantile(u, mean, std::sqrt(variance), lo, hi);
    case Kind::kHistogram: {
      const core::PiecewiseUniform law = core::PiecewiseUniformOf(bins);
      return core::PiecewiseUniformQuantile(u, law.edges, law.weights);
    }
    case Kind::kPoisson:
      return core::TruncatedPoisson(mean, lo, hi).Quantile(u);
    case Kind::kSet:
      break;
  }
  return 0.0;
}

std::string StochasticParameter::Sample(double u) const {
  if (kind != Kind::kSet) return FormatNumber(SampleNumber(u));
  std::vector<double> weights;
  for (const auto& e : elements) weights.push_back(e.second);
  double rest = 0.0;
  return elements[core::WeightedIndex(weights, u, &rest)].first;
}

uint64_t Stochastic::Seed() const {
  if (!random_seed) return 0;
  const double v = *random_seed;
  if (v >= 0.0 && v <= 9007199254740992.0 && v == std::floor(v)) return static_cast<uint64_t>(v);
  return std::bit_cast<uint64_t>(v);
}

double StochasticUnit(uint64_t seed, const std::string& name, uint64_t run) {
  core::Rng rng = core::Rng::ForInstance(seed, "openscenario.stochastic." + name, run);
  return (static_cast<double>(rng.NextU64() >> 11) + 0.5) * 0x1.0p-53;  // in (0, 1): never an infinite quantile
}

std::vector<ParameterSet> ParameterDistribution::Samples() const {
  std::vector<ParameterSet> out;
  if (!stochastic) return out;
  const uint64_t seed = stochastic->Seed();
  for (int64_t r = 0; r < stochastic->runs; ++r) {
    ParameterSet set;
    for (const StochasticParameter& p : stochastic->parameters)
      set.emplace_back(p.name, p.Sample(StochasticUnit(seed, p.name, static_cast<uint64_t>(r))));
    out.push_back(std::move(set));
  }
  return out;
}

std::vector<ParameterSet> ParameterDistribution::Sets() const { return stochastic ? Samples() : Combinations(); }

bool IsParameterDistribution(const std::string& path) {
  const auto f = internal::ParseXml(path);
  return static_cast<bool>(f->doc.document_element().child("ParameterValueDistribution"));
}

ParameterDistribution LoadParameterDistribution(const std::string& path) {
  const auto f = internal::ParseXml(path);
  return DistributionReader(*f).Read();
}

}  // namespace gauntlet::openscenario
