// Reading parameter variation files (see distribution.h).

#include "openscenario/distribution.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <string_view>

#include "openscenario/expression.h"
#include "openscenario/internal/xml_file.h"

namespace gauntlet::openscenario {
namespace {

constexpr size_t kMaxCombinations = 100000;

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
    Only(pvd, {"ScenarioFile", "Deterministic"});
    if (const pugi::xml_node file = pvd.child("ScenarioFile")) {
      const std::string given = Attr(file, "filepath");
      const std::filesystem::path p(given);
      d.scenario_path = p.is_absolute() ? given : (std::filesystem::path(file_.path).parent_path() / p).string();
    } else {
      Error(pvd, "ParameterValueDistribution needs a ScenarioFile");
    }
    const pugi::xml_node det = pvd.child("Deterministic");
    if (!det) Error(pvd, "ParameterValueDistribution needs a Deterministic distribution (Stochastic is not supported)");
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
      } else if (std::string_view(c.name()) == "DeterministicSingleParameterDistribution") {
        d.single.emplace_back(Attr(c, "parameterName"), Values(c));
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
  std::vector<std::string> Values(const pugi::xml_node& c) {
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

bool IsParameterDistribution(const std::string& path) {
  const auto f = internal::ParseXml(path);
  return static_cast<bool>(f->doc.document_element().child("ParameterValueDistribution"));
}

ParameterDistribution LoadParameterDistribution(const std::string& path) {
  const auto f = internal::ParseXml(path);
  return DistributionReader(*f).Read();
}

}  // namespace gauntlet::openscenario
