#include "scenarios/scenario.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <set>
#include <string_view>
#include <utility>

#include "core/check.h"
#include "core/distributions.h"
#include "core/format.h"
#include "core/input_file.h"
#include "core/suggest.h"
#include "core/text.h"
#include "core/units.h"
#include "scenarios/number_writer.h"
#include "scenarios/yaml_reader.h"

namespace gauntlet::scenarios {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kScenarioKeys = {"scenario", "description", "include", "parameters", "derived",
                                                "let", "world", "openscenario", "model", "requirements",
                                                "assumptions", "metrics", "generators", "stop_on_collision", "formal"};

/// Binds number fields to expressions over the parameters (free and derived).
class ParameterBinder : public NumberBinder {
 public:
  ParameterBinder(std::vector<std::string> names, std::vector<double> nominal)
      : names_(std::move(names)), nominal_(std::move(nominal)) {}

  std::optional<double> Bind(const std::string& path, std::string_view text, const core::SourcePos& pos,
                             core::Diagnostics* diags) override {
    try {
      verifier::stl::Expression expr = verifier::stl::Expression::Parse(text, pos);
      bool ok = true;
      for (const std::string& name : expr.names()) {
        if (std::find(names_.begin(), names_.end(), name) == names_.end()) {
          diags->Error(pos, "unknown parameter " + core::Quote(name) + core::DidYouMean(name, names_) +
                                (names_.empty() ? "; the scenario declares no parameters"
                                                : "; known parameters: " + core::QuotedList(names_)));
          ok = false;
        }
      }
      if (!ok) return std::nullopt;
      const verifier::stl::BoundExpression bound = expr.Bind(names_);
      const double value = bound.Evaluate(nominal_.data());
      bindings.push_back({path, std::move(expr)});
      return value;
    } catch (const core::InputError& e) {
      diags->Absorb(e);
    } catch (const verifier::stl::EvaluationError& e) {
      diags->Error(pos, e.message() + " at the nominal parameter values");
    }
    return std::nullopt;
  }

  std::vector<NumberBinding> bindings;

 private:
  std::vector<std::string> names_;
  std::vector<double> nominal_;
};

/// Reads a number that may carry a unit, for parameter declarations.
std::optional<double> ReadQuantity(YamlReader& reader, const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) {
    reader.Error(node, "expected a number for " + what);
    return std::nullopt;
  }
  std::string error;
  const auto v = core::ParseQuantity(node.Scalar(), &error);
  if (!v) reader.Error(node, error + " for " + what);
  return v;
}

/// Where the text of a scalar starts: after the opening quote of a quoted scalar.
core::SourcePos ScalarTextPos(const YamlReader& reader, const YAML::Node& node) {
  core::SourcePos pos = reader.Pos(node);
  if (node.Tag() == "!" && pos.col > 0) pos.col += 1;  // quoted: skip the quote
  return pos;
}

/// The text position of `root[key][index][field]`, or `fallback`.
core::SourcePos FieldTextPos(const YAML::Node& root, const std::string& key, size_t index, const char* field,
                             const core::SourcePos& fallback) {
  const YAML::Node node = root[key][index][field];
  if (!node.IsDefined() || node.Mark().line < 0) return fallback;
  core::SourcePos pos{fallback.file, node.Mark().line + 1, node.Mark().column + 1};
  if (node.Tag() == "!") pos.col += 1;
  return pos;
}

const std::vector<std::string> kParameterKinds = {"uniform", "normal",    "lognormal", "poisson",
                                                  "choice",  "histogram", "range",     "constant"};

/// Reads a list of at least `min_size` numbers (quantities) into `out`; false after reporting.
bool ReadNumberList(YamlReader& reader, const YAML::Node& node, size_t min_size, const std::string& what,
                    const std::string& needs, std::vector<double>* out) {
  if (!node.IsSequence() || node.size() < min_size) {
    reader.Error(node, needs + " for " + what);
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < node.size(); ++i) {
    const auto v = ReadQuantity(reader, node[i], what);
    if (!v) ok = false;
    else out->push_back(*v);
  }
  return ok;
}

/// Reads the optional `min` and `max` of a distribution's mapping `n` into p->lo, p->hi (else -inf,
/// +inf), reporting min > max; false after reporting.
bool ReadTruncation(YamlReader& reader, const YAML::Node& n, const std::string& what, Parameter* p) {
  p->lo = -INFINITY;
  p->hi = INFINITY;
  for (const char* key : {"min", "max"}) {
    if (!n[key].IsDefined()) continue;
    const auto v = ReadQuantity(reader, n[key], what);
    if (!v) return false;
    (std::string_view(key) == "min" ? p->lo : p->hi) = *v;
  }
  if (p->lo > p->hi) {
    reader.Error(n, "range of " + what + " has min " + core::FormatDouble(p->lo) + " > max " + core::FormatDouble(p->hi));
    return false;
  }
  return true;
}

/// Reads a choice's or a histogram's `weights` (one per value or bin, >= 0, some positive); false
/// after reporting.
bool ReadWeights(YamlReader& reader, const YAML::Node& spec, size_t n, const std::string& per, const std::string& what,
                 Parameter* p) {
  const YAML::Node w = spec["weights"];
  if (!ReadNumberList(reader, w, 1, what, "weights needs a list of numbers", &p->weights)) return false;
  if (p->weights.size() != n) {
    reader.Error(w, "weights of " + what + " needs one weight per " + per + " (" + std::to_string(n) + "), got " +
                        std::to_string(p->weights.size()));
    return false;
  }
  double total = 0.0;
  for (size_t i = 0; i < n; ++i) {
    if (!(p->weights[i] >= 0.0) || !std::isfinite(p->weights[i])) {
      reader.Error(w[i], "a weight of " + what + " must be a finite number >= 0");
      return false;
    }
    total += p->weights[i];
  }
  if (!(total > 0.0) || !std::isfinite(total)) {
    reader.Error(w, "weights of " + what + " need a positive weight and a finite total");
    return false;
  }
  return true;
}

/// Reads a `lognormal`, `poisson` or `histogram` distribution of `spec` into `p`; false after reporting.
bool ReadLawParameter(YamlReader& reader, const YAML::Node& spec, const std::string& name, Parameter* p) {
  const std::string what = "parameter '" + name + "'";
  bool ok = true;
  if (const YAML::Node n = spec["lognormal"]; n.IsDefined()) {
    p->kind = Parameter::Kind::kLogNormal;
    const std::vector<std::string> keys = {"mean", "stddev", "variance", "min", "max"};
    if (!reader.CheckKeys(n, name + ".lognormal", keys)) return false;
    if (!n["mean"].IsDefined() || n["stddev"].IsDefined() == n["variance"].IsDefined()) {
      reader.Error(n, "lognormal needs 'mean' and one of 'stddev' or 'variance' (of the values themselves) for " + what);
      return false;
    }
    const char* spread = n["stddev"].IsDefined() ? "stddev" : "variance";
    const auto mean = ReadQuantity(reader, n["mean"], what);
    const auto sd = ReadQuantity(reader, n[spread], what);
    if (!mean || !sd || !ReadTruncation(reader, n, what, p)) return false;
    p->mean = *mean;
    p->stddev = std::string_view(spread) == "stddev" ? *sd : std::sqrt(*sd);
    if (!(p->mean > 0)) {
      reader.Error(n["mean"], "mean of " + what + " must be positive (a log-normal's values are)");
      ok = false;
    }
    if (!(*sd > 0)) {
      reader.Error(n[spread], std::string(spread) + " of " + what + " must be positive");
      ok = false;
    }
  } else if (const YAML::Node n = spec["poisson"]; n.IsDefined()) {
    p->kind = Parameter::Kind::kPoisson;
    const std::vector<std::string> keys = {"mean", "min", "max"};
    if (!reader.CheckKeys(n, name + ".poisson", keys)) return false;
    if (!n["mean"].IsDefined()) {
      reader.Error(n, "poisson needs 'mean' for " + what);
      return false;
    }
    const auto mean = ReadQuantity(reader, n["mean"], what);
    if (!mean || !ReadTruncation(reader, n, what, p)) return false;
    p->mean = *mean;
    if (!(p->mean > 0) || !(p->mean <= core::kMaxPoissonMean)) {
      reader.Error(n["mean"], "mean of " + what + " must be > 0 and at most 1e9");
      ok = false;
    } else if (!core::TruncatedPoisson(p->mean, p->lo, p->hi).valid()) {
      reader.Error(n, "range of " + what + " holds no integer from 0 to 2^53 (a Poisson's values)");
      ok = false;
    }
  } else if (const YAML::Node h = spec["histogram"]; h.IsDefined()) {
    p->kind = Parameter::Kind::kHistogram;
    if (!ReadNumberList(reader, h, 2, what, "histogram needs a list of at least two bin edges", &p->edges)) return false;
    for (size_t i = 1; i < p->edges.size(); ++i) {
      if (!(p->edges[i - 1] < p->edges[i])) {
        reader.Error(h[i], "the edges of " + what + " must increase (" + core::FormatDouble(p->edges[i]) +
                               " follows " + core::FormatDouble(p->edges[i - 1]) + ")");
        return false;
      }
    }
    if (!spec["weights"].IsDefined()) {
      reader.Error(h, "histogram needs 'weights' beside it, one per bin (" + std::to_string(p->edges.size() - 1) +
                          ") for " + what);
      return false;
    }
    ok = ReadWeights(reader, spec, p->edges.size() - 1, "bin", what, p);
  }
  return ok;
}

/// Reads the one distribution `spec` gives (its keys already checked) into `p`; false after reporting.
bool ReadDistribution(YamlReader& reader, const YAML::Node& spec, const std::string& name, Parameter* p) {
  const std::string what = "parameter '" + name + "'";
  bool ok = true;
  if (const YAML::Node u = spec["uniform"]; u.IsDefined()) {
    p->kind = Parameter::Kind::kUniform;
    if (!u.IsSequence() || u.size() != 2) {
      reader.Error(u, "uniform needs [min, max] for " + what);
      return false;
    }
    const auto lo = ReadQuantity(reader, u[0], what);
    const auto hi = ReadQuantity(reader, u[1], what);
    if (!lo || !hi) return false;
    p->lo = *lo;
    p->hi = *hi;
    if (p->lo > p->hi) {
      reader.Error(u, "range of " + what + " has min " + core::FormatDouble(p->lo) + " > max " +
                          core::FormatDouble(p->hi));
      ok = false;
    }
  } else if (const YAML::Node n = spec["normal"]; n.IsDefined()) {
    p->kind = Parameter::Kind::kNormal;
    const std::vector<std::string> keys = {"mean", "stddev", "min", "max"};
    if (!reader.CheckKeys(n, name + ".normal", keys)) return false;
    if (!n["mean"].IsDefined() || !n["stddev"].IsDefined()) {
      reader.Error(n, "normal needs 'mean' and 'stddev' for " + what);
      return false;
    }
    const auto mean = ReadQuantity(reader, n["mean"], what);
    const auto sd = ReadQuantity(reader, n["stddev"], what);
    if (!mean || !sd) return false;
    p->mean = *mean;
    p->stddev = *sd;
    p->lo = -INFINITY;
    p->hi = INFINITY;
    if (n["min"].IsDefined()) {
      const auto v = ReadQuantity(reader, n["min"], what);
      if (!v) return false;
      p->lo = *v;
    }
    if (n["max"].IsDefined()) {
      const auto v = ReadQuantity(reader, n["max"], what);
      if (!v) return false;
      p->hi = *v;
    }
    if (p->stddev <= 0) {
      reader.Error(n["stddev"], "stddev of " + what + " must be positive");
      ok = false;
    }
    if (p->lo > p->hi) {
      reader.Error(n, "range of " + what + " has min " + core::FormatDouble(p->lo) + " > max " +
                          core::FormatDouble(p->hi));
      ok = false;
    }
  } else if (spec["lognormal"].IsDefined() || spec["poisson"].IsDefined() || spec["histogram"].IsDefined()) {
    return ReadLawParameter(reader, spec, name, p);
  } else if (const YAML::Node c = spec["choice"]; c.IsDefined()) {
    p->kind = Parameter::Kind::kChoice;
    if (!c.IsSequence() || c.size() == 0) {
      reader.Error(c, "choice needs a non-empty list of values for " + what);
      return false;
    }
    for (size_t i = 0; i < c.size(); ++i) {
      const auto v = ReadQuantity(reader, c[i], what);
      if (!v) ok = false;
      else p->choices.push_back(*v);
    }
    if (ok && spec["weights"].IsDefined()) ok = ReadWeights(reader, spec, p->choices.size(), "choice", what, p);
  } else if (const YAML::Node r = spec["range"]; r.IsDefined()) {
    p->kind = Parameter::Kind::kRange;
    const std::vector<std::string> keys = {"from", "to", "step"};
    if (!reader.CheckKeys(r, name + ".range", keys)) return false;
    if (!r["from"].IsDefined() || !r["to"].IsDefined() || !r["step"].IsDefined()) {
      reader.Error(r, "range needs 'from', 'to' and 'step' for " + what);
      return false;
    }
    const auto from = ReadQuantity(reader, r["from"], what);
    const auto to = ReadQuantity(reader, r["to"], what);
    const auto step = ReadQuantity(reader, r["step"], what);
    if (!from || !to || !step) return false;
    p->lo = *from;
    p->hi = *to;
    p->step = *step;
    if (p->lo > p->hi) {
      reader.Error(r, "range of " + what + " has min " + core::FormatDouble(p->lo) + " > max " +
                          core::FormatDouble(p->hi));
      ok = false;
    }
    if (p->step <= 0) {
      reader.Error(r["step"], "step of " + what + " must be positive");
      ok = false;
    }
  } else {
    p->kind = Parameter::Kind::kConstant;
    const auto v = ReadQuantity(reader, spec["constant"], what);
    if (!v) return false;
    p->lo = p->hi = p->nominal = *v;
  }
  return ok;
}

/// One entry of a catalogue, with the reader that knows where its fields are.
template <typename T>
struct CatalogueEntry {
  T value;
  core::SourcePos pos;                 ///< the entry's key
  std::shared_ptr<YamlReader> reader;  ///< its file's reader
  std::string path;                    ///< its field path in that reader: "actors.car"
};

/// The entries of the catalogues a scenario includes, directly or not.
struct Catalogues {
  std::map<std::string, CatalogueEntry<Parameter>> parameters;
  std::map<std::string, CatalogueEntry<sim::ActorSpec>> actors;
  std::map<std::string, CatalogueEntry<RequirementSpec>> requirements;
  std::set<std::string> broken_parameters;  ///< declared with an error (reported there): no entry
  std::vector<std::string> files;           ///< every included file, in load order
};

/// Finds the entry `use` names, or reports why there is none (at `use`).
template <typename T>
const CatalogueEntry<T>* FindEntry(const std::map<std::string, CatalogueEntry<T>>& entries, const std::string& kind,
                                   const std::string& kinds, YamlReader& reader, const YAML::Node& use,
                                   const std::set<std::string>* broken = nullptr) {
  if (!use.IsScalar()) {
    reader.Error(use, "expected the name of a catalogue " + kind + ", found " +
                          (use.IsMap() ? std::string("a mapping") : use.IsSequence() ? "a list" : "nothing"));
    return nullptr;
  }
  const std::string name = use.Scalar();
  if (const auto it = entries.find(name); it != entries.end()) return &it->second;
  if (broken != nullptr && broken->contains(name)) return nullptr;  // its own problem is reported
  std::vector<std::string> names;
  for (const auto& [n, e] : entries) names.push_back(n);
  reader.Error(use, "unknown catalogue " + kind + " '" + name + "'" + core::DidYouMean(name, names) +
                        (names.empty() ? "; no included catalogue defines " + kinds
                                       : "; the included catalogues define " + core::QuotedList(names)));
  return nullptr;
}

/// parameters:
///   gap_m: {uniform: [8, 60]}              # also [8 m, 60 m]
///   decel: {normal: {mean: 4, stddev: 1.5, min: 1, max: 8}}
///   t_react: {lognormal: {mean: 1.2, stddev: 0.4, max: 3}}    # or variance:, of the values themselves
///   pedestrians: {poisson: {mean: 2.5, max: 8}}
///   lanes: {choice: [2, 3]}
///   lane: {choice: [1, 2, 3], weights: [1, 3, 1]}
///   speed: {histogram: [0, 30, 50, 130], weights: [1, 4, 2]}   # bin edges; a weight per bin
///   t_brake: {range: {from: 0.5, to: 5, step: 0.5}}
///   mu: 0.8                                 # a constant; also {constant: 0.8}
///   ego_speed: {use: ccr_speed, nominal: 30 km/h}   # a catalogue entry, with overrides
/// Each may add `nominal: <value>` and `perturbation: true`. `catalogues` is null in a catalogue file.
void ReadParameters(YamlReader& reader, const YAML::Node& node, const Catalogues* catalogues, ParameterSpace* space) {
  if (!node.IsMap()) {
    reader.Error(node, "expected a mapping of parameter names to distributions");
    return;
  }
  if (node.size() > kMaxParameters) {
    reader.Error(node, "too many parameters: " + std::to_string(node.size()) + " (at most " +
                           std::to_string(kMaxParameters) + ")");
    return;
  }
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string name = it->first.Scalar();
    const std::string what = "parameter '" + name + "'";
    if (!seen.insert(name).second) {
      reader.Error(it->first, "duplicate parameter '" + name + "'");
      continue;
    }
    Parameter p;
    p.name = name;
    p.pos = reader.Pos(it->first);
    const YAML::Node spec = it->second;  // a copy: it-> returns a temporary proxy
    if (spec.IsScalar()) {
      const auto v = ReadQuantity(reader, spec, what);
      if (!v) continue;
      p.kind = Parameter::Kind::kConstant;
      p.lo = p.hi = p.nominal = *v;
      space->parameters.push_back(p);
      continue;
    }
    if (!spec.IsMap()) {
      reader.Error(spec, "expected a distribution for " + what + " (one of " + core::QuotedList(kParameterKinds) + ")");
      continue;
    }
    const bool uses = catalogues != nullptr && spec["use"].IsDefined();
    std::vector<std::string> allowed = kParameterKinds;
    allowed.push_back("nominal");
    allowed.push_back("perturbation");
    allowed.push_back("weights");
    if (uses) allowed.push_back("use");
    if (!reader.CheckKeys(spec, name, allowed)) continue;
    int kinds = 0;
    for (const auto& k : kParameterKinds) kinds += spec[k].IsDefined() ? 1 : 0;
    if (spec["weights"].IsDefined() && !spec["choice"].IsDefined() && !spec["histogram"].IsDefined()) {
      reader.Error(spec["weights"], "weights of " + what + " go with a 'choice' or a 'histogram' in the same mapping");
      continue;
    }
    bool ok = true;
    if (uses) {
      // a catalogue entry: a distribution given here replaces the entry's (and its nominal value)
      const auto* entry = FindEntry(catalogues->parameters, "parameter", "parameters", reader, spec["use"],
                                    &catalogues->broken_parameters);
      if (entry == nullptr) continue;
      const bool perturbation = entry->value.perturbation;
      p = entry->value;
      p.name = name;
      p.pos = reader.Pos(it->first);
      if (kinds > 1) {
        reader.Error(spec, "parameter '" + name + "' overrides its catalogue entry with more than one of " +
                               core::QuotedList(kParameterKinds));
        continue;
      }
      if (kinds == 1) {
        p = Parameter{};
        p.name = name;
        p.pos = reader.Pos(it->first);
        p.perturbation = perturbation;
        ok = ReadDistribution(reader, spec, name, &p);
      }
    } else {
      if (kinds != 1) {
        reader.Error(spec, "parameter '" + name + "' needs exactly one of " + core::QuotedList(kParameterKinds));
        continue;
      }
      ok = ReadDistribution(reader, spec, name, &p);
    }
    if (const YAML::Node nom = spec["nominal"]; nom.IsDefined()) {
      const auto v = ReadQuantity(reader, nom, what);
      if (!v) continue;
      p.nominal = *v;
    }
    if (const YAML::Node pert = spec["perturbation"]; pert.IsDefined()) {
      reader.Read(pert, name + ".perturbation", &p.perturbation);
    }
    if (ok) space->parameters.push_back(p);
  }
  // bounds, nominal values within the parameter's values, ...
  for (const core::Diagnostic& d : space->Check()) reader.diagnostics()->Error(d.pos, d.message);
}


const std::vector<std::string> kCatalogueKeys = {"catalog", "description", "include", "parameters", "actors",
                                                 "requirements"};

/// Catalogue entries hold plain numbers: a parameter name or an expression belongs where the entry is used.
class LiteralNumbersOnly : public NumberBinder {
 public:
  std::optional<double> Bind(const std::string&, std::string_view text, const core::SourcePos& pos,
                             core::Diagnostics* diags) override {
    diags->Error(pos, "'" + std::string(text) + "' in a catalogue entry: an entry holds plain numbers; bind "
                      "parameters where the entry is used");
    return std::nullopt;
  }
};

/// Loads the catalogues `include` lists, recursively, into a Catalogues: every problem at once.
class CatalogueLoader {
 public:
  /// Includes must stay inside `include_root` (a folder).
  CatalogueLoader(core::Diagnostics* diags, Catalogues* out, const std::string& include_root)
      : diags_(diags), out_(out), root_(Canonical(include_root)) {}

  /// The files `include` (a node of `reader`'s file) names. `reader`'s file is the start of the chain.
  void LoadIncludes(YamlReader& reader, const YAML::Node& include) {
    const std::string canonical = Canonical(reader.file());
    stack_.push_back({canonical, reader.file()});
    loaded_.insert(canonical);
    ReadIncludes(reader, include);
    stack_.pop_back();
  }

  /// Checks one catalogue file on its own (gauntlet check).
  void LoadRoot(const std::string& file) { Load(file, Canonical(file)); }

 private:
  struct Open {
    std::string canonical;
    std::string shown;
  };

  /// Whether `path` is `root` or lies below it (both canonical).
  static bool Inside(const std::string& path, const std::string& root) {
    const fs::path rel = fs::path(path).lexically_relative(root);
    return !rel.empty() && *rel.begin() != "..";
  }

  static std::string Canonical(const std::string& file) {
    std::error_code ec;
    const fs::path p = fs::weakly_canonical(file, ec);
    return ec ? fs::path(file).lexically_normal().string() : p.string();
  }

  void ReadIncludes(YamlReader& reader, const YAML::Node& include) {
    if (!include.IsDefined()) return;
    std::vector<std::string> files;
    const size_t before = diags_->size();
    reader.Read(include, "include", &files);
    if (diags_->size() != before) return;
    for (size_t i = 0; i < files.size(); ++i) {
      const YAML::Node at = include[i];
      const fs::path written(files[i]);
      const std::string shown = core::Quote(files[i]);
      const std::string file = written.is_absolute()
                                   ? written.lexically_normal().string()
                                   : (fs::path(reader.file()).parent_path() / written).lexically_normal().string();
      // what is wrong first: a directory, a FIFO or a device is never opened
      if (const std::string problem = core::InputFileProblem(file, core::InputKind::kYaml);
          !problem.empty() && problem != "does not exist") {
        reader.Error(at, "included file " + shown + " " + problem);
        continue;
      }
      if (written.is_absolute()) {
        reader.Error(at, "included file " + shown + " is an absolute path: name a catalogue relative to the "
                         "including file, inside " + root_);
        continue;
      }
      if (written.extension() != ".yaml" && written.extension() != ".yml") {
        reader.Error(at, "included file " + shown + " is not a YAML file: a catalogue's name ends in .yaml or .yml");
        continue;
      }
      const std::string canonical = Canonical(file);  // links resolved: a link cannot lead out
      if (!Inside(canonical, root_)) {
        reader.Error(at, "included file " + shown + " is outside the include root " + root_ +
                             " (the suite's folder, or the folder above a scenario or catalogue checked alone)");
        continue;
      }
      std::error_code ec;
      if (!fs::is_regular_file(file, ec)) {
        // a near name in the same folder is probably what was meant
        std::vector<std::string> siblings;
        const fs::path dir = fs::path(file).parent_path();
        for (const auto& e : fs::directory_iterator(dir.empty() ? "." : dir, ec)) {
          if (e.is_regular_file(ec)) siblings.push_back(e.path().filename().string());
        }
        std::sort(siblings.begin(), siblings.end());
        std::string hint;
        if (const auto near = core::ClosestMatch(fs::path(file).filename().string(), siblings)) {
          hint = " (did you mean '" + (written.parent_path() / *near).string() + "'?)";
        }
        reader.Error(at, "included file " + shown + " does not exist" + hint + "; looked for " + core::Excerpt(file));
        continue;
      }
      const auto open =
          std::find_if(stack_.begin(), stack_.end(), [&](const Open& o) { return o.canonical == canonical; });
      if (open != stack_.end()) {
        std::string chain;
        for (auto it = open; it != stack_.end(); ++it) chain += it->shown + " -> ";
        reader.Error(at, "include cycle: " + chain + file);
        continue;
      }
      if (loaded_.contains(canonical)) continue;  // included twice (a diamond): its entries are there
      Load(file, canonical);
    }
  }

  void Load(const std::string& file, const std::string& canonical) {
    loaded_.insert(canonical);
    out_->files.push_back(file);
    YAML::Node root;
    try {
      root = LoadYamlFile(file);
    } catch (const core::InputError& e) {
      diags_->Absorb(e);
      return;
    }
    auto reader = std::make_shared<YamlReader>(file, diags_, &literal_only_);
    reader->set_implied_key("name");
    if (!reader->CheckKeys(root, "", kCatalogueKeys)) return;
    if (!root["catalog"].IsDefined()) {
      diags_->Error({file, 1, 1}, "missing required key 'catalog' (an included file is a catalogue: 'catalog: NAME')");
    } else {
      std::string name;
      reader->Read(root["catalog"], "catalog", &name);
    }
    if (root["description"].IsDefined()) {
      std::string description;
      reader->Read(root["description"], "description", &description);
    }
    stack_.push_back({canonical, file});
    ReadIncludes(*reader, root["include"]);
    stack_.pop_back();

    if (const YAML::Node params = root["parameters"]; params.IsDefined()) {
      ParameterSpace space;
      ReadParameters(*reader, params, nullptr, &space);
      for (const Parameter& p : space.parameters) Add(&out_->parameters, "parameter", p.name, p.pos, p, reader, "");
      if (params.IsMap()) {
        for (auto it = params.begin(); it != params.end(); ++it) {
          const std::string name = it->first.Scalar();
          if (!out_->parameters.contains(name)) out_->broken_parameters.insert(name);
        }
      }
    }
    ReadEntries(*reader, root["actors"], "actors", "actor", reader, &out_->actors);
    ReadEntries(*reader, root["requirements"], "requirements", "requirement", reader, &out_->requirements);
  }

  template <typename T>
  void ReadEntries(YamlReader& reader, const YAML::Node& node, const std::string& key, const std::string& kind,
                   const std::shared_ptr<YamlReader>& owner, std::map<std::string, CatalogueEntry<T>>* entries) {
    if (!node.IsDefined()) return;
    if (!node.IsMap()) {
      reader.Error(node, "expected a mapping of entry names to " + key);
      return;
    }
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string name = it->first.Scalar();
      if (!seen.insert(name).second) {
        reader.Error(it->first, "duplicate key '" + name + "' in " + key);
        continue;
      }
      const YAML::Node body = it->second;
      if (body.IsMap() && body["name"].IsDefined()) {
        reader.Error(body["name"], "a catalogue entry is named by its key ('" + name + "'): remove 'name'");
      }
      T value{};
      value.name = name;
      const std::string path = core::JoinPath(key, name);
      reader.Read(body, path, &value);
      Add(entries, kind, name, reader.Pos(it->first), std::move(value), owner, path);
    }
  }

  template <typename T>
  void Add(std::map<std::string, CatalogueEntry<T>>* entries, const std::string& kind, const std::string& name,
           const core::SourcePos& pos, T value, const std::shared_ptr<YamlReader>& reader, const std::string& path) {
    if (const auto it = entries->find(name); it != entries->end()) {
      diags_->Error(pos, "catalogue " + kind + " '" + name + "' is defined twice: here and at " +
                             it->second.pos.ToString());
      return;
    }
    entries->emplace(name, CatalogueEntry<T>{std::move(value), pos, reader, path});
  }

  core::Diagnostics* diags_;
  Catalogues* out_;
  std::string root_;
  LiteralNumbersOnly literal_only_;
  std::vector<Open> stack_;
  std::set<std::string> loaded_;
};

/// Lets `reader` fill the T of a `use: NAME` mapping from the catalogue entry NAME.
template <typename T>
void UsePrototypes(YamlReader& reader, const std::map<std::string, CatalogueEntry<T>>& entries,
                   const std::string& kind, const std::string& kinds) {
  reader.SetPrototypes<T>([&reader, &entries, kind, kinds](const YAML::Node& use, const std::string& path, T* value) {
    const CatalogueEntry<T>* entry = FindEntry(entries, kind, kinds, reader, use);
    if (entry == nullptr) return;
    *value = entry->value;
    reader.ImportPositions(*entry->reader, entry->path, path);
  });
}

}  // namespace

std::span<const core::EnumName<MetricReduce>> EnumNames(MetricReduce) {
  static constexpr std::array<core::EnumName<MetricReduce>, 4> kNames = {{{MetricReduce::kMin, "min"},
                                                                           {MetricReduce::kMax, "max"},
                                                                           {MetricReduce::kMean, "mean"},
                                                                           {MetricReduce::kFinal, "final"}}};
  return kNames;
}

std::vector<std::pair<std::string, double>> Scenario::NamedValues(const std::vector<double>& values) const {
  GAUNTLET_CHECK(values.size() == parameters.dimension());
  std::vector<std::pair<std::string, double>> out;
  std::vector<double> slots = values;
  for (size_t i = 0; i < values.size(); ++i) out.emplace_back(parameters.parameters[i].name, values[i]);
  for (const DerivedParameter& d : derived) {
    std::vector<std::string> names;
    for (const auto& [n, v] : out) names.push_back(n);
    const double v = d.expr.Bind(names).Evaluate(slots.data());
    slots.push_back(v);
    out.emplace_back(d.name, v);
  }
  return out;
}

ResolvedInstance Scenario::Resolve(const std::vector<double>& values) const {
  ResolvedInstance instance;
  instance.parameters = NamedValues(values);
  instance.world = world;
  instance.model_binding = model_binding;
  if (openscenario) {
    std::shared_ptr<CoSimulation> cosim = StartCoSimulation(*openscenario, instance.parameters);
    instance.world = cosim->world();
    instance.script = std::move(cosim);
  }
  if (parameter_bindings.empty()) return instance;
  std::vector<std::string> names;
  std::vector<double> slots;
  for (const auto& [n, v] : instance.parameters) {
    names.push_back(n);
    slots.push_back(v);
  }
  std::unordered_map<std::string, double> by_path;
  const bool bound = bound_bindings.size() == parameter_bindings.size();
  for (size_t i = 0; i < parameter_bindings.size(); ++i) {
    const NumberBinding& b = parameter_bindings[i];
    by_path[b.path] = bound ? bound_bindings[i].Evaluate(slots.data()) : b.expr.Bind(names).Evaluate(slots.data());
  }
  const NumberLookup lookup = [&](const std::string& path) -> std::optional<double> {
    const auto it = by_path.find(path);
    if (it == by_path.end()) return std::nullopt;
    return it->second;
  };
  WriteNumbers(&instance.world, "world", lookup);
  WriteNumbers(&instance.model_binding, "model", lookup);
  return instance;
}

namespace {

/// Reads a scenario file section by section (one method per top-level key, as MuJoCo's XML reader has
/// one per element) into `scenario`; every problem goes to `diags`.
class ScenarioLoader {
 public:
  ScenarioLoader(const std::string& path, const std::string& include_root, Scenario* scenario,
                 core::Diagnostics* diags)
      : path_(path), include_root_(include_root), scenario_(scenario), diags_(diags), reader_(path, diags) {}

  void Load(YAML::Node root);

 private:
  void ReadHeader(YAML::Node& root);
  void ReadParameterSections(YAML::Node& root, const Catalogues& catalogues);
  void ReadDerived(const YAML::Node& derived);
  void ReadBoundSections(YAML::Node& root, YamlReader& bound_reader, const Catalogues& catalogues,
                         std::vector<RequirementSpec>* requirement_specs,
                         std::vector<RequirementSpec>* assumption_specs, std::vector<MetricSpec>* metric_specs);
  void ReadOpenScenario();
  void ReadVariation(const YAML::Node& node);
  void CheckVariation(const OpenScenarioWorld& w, const std::vector<std::string>& xosc_names,
                      const std::vector<Parameter>& params);
  void CheckBinding(const YamlReader& bound_reader);
  void CheckFormal();
  void CheckObservations(const YamlReader& bound_reader);
  verifier::stl::Definitions ReadLet(const YAML::Node& let);
  void CompileRequirements(YAML::Node& root, const YamlReader& bound_reader,
                           const verifier::stl::Definitions& definitions, const std::vector<RequirementSpec>& specs,
                           std::vector<CompiledRequirement>* list, const std::string& key);
  void CompileMetrics(const YamlReader& bound_reader, const std::vector<MetricSpec>& specs);

  const std::string& path_;
  const std::string& include_root_;
  Scenario* scenario_;
  core::Diagnostics* diags_;
  YamlReader reader_;
  // the parameters, free and derived, and their nominal values: what a number field may name
  std::vector<std::string> names_;
  std::vector<double> nominal_;
  std::optional<OpenScenarioSpec> openscenario_;  // the `openscenario:` section, if given
  std::shared_ptr<const OpenScenarioParameters> variation_;  // its variation file's parameters, if given
  size_t variation_first_ = 0;                               // the first of them among the parameters
  std::string variation_path_;
};

/// scenario, description, stop_on_collision, and the required keys.
void ScenarioLoader::ReadHeader(YAML::Node& root) {
  for (const char* key : {"scenario", "world", "model", "requirements"}) {
    if (std::string_view(key) == "world" && root["openscenario"].IsDefined()) continue;  // the world is the .xosc
    if (!root[key].IsDefined()) diags_->Error({path_, 1, 1}, std::string("missing required key '") + key + "'");
  }
  if (root["world"].IsDefined() && root["openscenario"].IsDefined()) {
    reader_.Error(root["openscenario"], "give either 'world' or 'openscenario', not both");
  }
  if (root["scenario"].IsDefined()) reader_.Read(root["scenario"], "scenario", &scenario_->name);
  if (root["description"].IsDefined()) reader_.Read(root["description"], "description", &scenario_->description);
  if (root["stop_on_collision"].IsDefined()) {
    reader_.Read(root["stop_on_collision"], "stop_on_collision", &scenario_->stop_on_collision);
  }
}

/// parameters, then derived parameters (each may use those before it).
void ScenarioLoader::ReadParameterSections(YAML::Node& root, const Catalogues& catalogues) {
  if (root["parameters"].IsDefined()) ReadParameters(reader_, root["parameters"], &catalogues, &scenario_->parameters);
  for (const Parameter& p : scenario_->parameters.parameters) {
    names_.push_back(p.name);
    nominal_.push_back(p.Nominal());
  }
  if (const YAML::Node params = root["parameters"]; params.IsMap()) {
    // a parameter with an error is still declared: references to it are not errors too
    for (auto it = params.begin(); it != params.end(); ++it) {
      const std::string name = it->first.Scalar();
      if (std::find(names_.begin(), names_.end(), name) == names_.end()) {
        names_.push_back(name);
        nominal_.push_back(0.0);
      }
    }
  }
  if (const YAML::Node osc = root["openscenario"]; osc.IsDefined() && osc.IsMap()) {
    if (const YAML::Node variation = std::as_const(osc)["variation"]; variation.IsDefined() && variation.IsScalar()) {
      ReadVariation(variation);
    }
  }
  if (const YAML::Node derived = root["derived"]; derived.IsDefined()) ReadDerived(derived);
}

/// openscenario.variation: the variation file's distributions, parameters after those of `parameters:`.
void ScenarioLoader::ReadVariation(const YAML::Node& node) {
  const fs::path file(node.Scalar());
  const std::string path = (file.is_absolute() ? file : fs::path(path_).parent_path() / file).lexically_normal().string();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    reader_.Error(node, "variation file " + core::Quote(node.Scalar()) + " does not exist (looked for " + path + ")");
    return;
  }
  try {
    auto variation = std::make_shared<const OpenScenarioParameters>(
        FromParameterDistribution(openscenario::LoadParameterDistribution(path)));
    const size_t before = diags_->size();
    for (const Parameter& p : variation->parameters) {
      if (std::find(names_.begin(), names_.end(), p.name) != names_.end()) {
        reader_.Error(node, "the variation file's parameter " + core::Quote(p.name) +
                                " is also declared under 'parameters': give each parameter one distribution");
      }
    }
    if (scenario_->parameters.parameters.size() + variation->parameters.size() > kMaxParameters) {
      reader_.Error(node, "too many parameters with the variation file's (at most " + std::to_string(kMaxParameters) + ")");
    }
    if (diags_->size() != before) return;
    variation_first_ = scenario_->parameters.parameters.size();
    for (const Parameter& p : variation->parameters) {
      scenario_->parameters.parameters.push_back(p);
      names_.push_back(p.name);
      nominal_.push_back(p.Nominal());
    }
    variation_ = std::move(variation);
    variation_path_ = path;
  } catch (const core::InputError& e) {
    diags_->Absorb(e);
  }
}

/// derived: {name: "${expression}"}
void ScenarioLoader::ReadDerived(const YAML::Node& derived) {
  if (!derived.IsMap()) {
    reader_.Error(derived, "expected a mapping of names to expressions");
    return;
  }
  if (derived.size() > kMaxParameters) {
    reader_.Error(derived, "too many derived parameters: " + std::to_string(derived.size()) + " (at most " +
                               std::to_string(kMaxParameters) + ")");
    return;
  }
  for (auto it = derived.begin(); it != derived.end(); ++it) {
    const std::string name = it->first.Scalar();
    if (std::find(names_.begin(), names_.end(), name) != names_.end()) {
      reader_.Error(it->first, "duplicate parameter '" + name + "'");
      continue;
    }
    if (!it->second.IsScalar()) {
      reader_.Error(it->second, "expected an expression for derived parameter '" + name + "'");
      continue;
    }
    std::string text = it->second.Scalar();
    core::SourcePos pos = reader_.Pos(it->second);
    if (text.starts_with("${") && text.ends_with("}")) {
      text = text.substr(2, text.size() - 3);
      pos = pos.Shifted(0, 2);
    }
    try {
      verifier::stl::Expression expr = verifier::stl::Expression::Parse(text, pos);
      const double v = expr.Bind(names_).Evaluate(nominal_.data());
      scenario_->derived.push_back({name, std::move(expr), reader_.Pos(it->first)});
      names_.push_back(name);
      nominal_.push_back(v);
    } catch (const core::InputError& e) {
      diags_->Absorb(e);
    } catch (const verifier::stl::EvaluationError& e) {
      diags_->Error(pos, e.message() + " at the nominal parameter values");
    }
  }
}

/// world, model, requirements, assumptions, metrics, generators and formal: the sections whose number
/// fields may name parameters (read by `bound_reader`), and the catalogue entries they may use.
void ScenarioLoader::ReadBoundSections(YAML::Node& root, YamlReader& bound_reader, const Catalogues& catalogues,
                                       std::vector<RequirementSpec>* requirement_specs,
                                       std::vector<RequirementSpec>* assumption_specs,
                                       std::vector<MetricSpec>* metric_specs) {
  bound_reader.SetListLimit("world.actors", sim::kMaxActors, "actors");
  UsePrototypes(bound_reader, catalogues.actors, "actor", "actors");
  UsePrototypes(bound_reader, catalogues.requirements, "requirement", "requirements");
  if (root["world"].IsDefined()) bound_reader.Read(root["world"], "world", &scenario_->world);
  if (root["openscenario"].IsDefined()) reader_.Read(root["openscenario"], "openscenario", &openscenario_.emplace());
  if (root["model"].IsDefined()) bound_reader.Read(root["model"], "model", &scenario_->model_binding);
  if (root["requirements"].IsDefined()) bound_reader.Read(root["requirements"], "requirements", requirement_specs);
  if (root["assumptions"].IsDefined()) bound_reader.Read(root["assumptions"], "assumptions", assumption_specs);
  if (root["metrics"].IsDefined()) bound_reader.Read(root["metrics"], "metrics", metric_specs);
  if (root["generators"].IsDefined()) bound_reader.Read(root["generators"], "generators", &scenario_->generators);
  for (size_t k = 0; k < scenario_->generators.size(); ++k) {
    const std::string path = "generators[" + std::to_string(k) + "]";
    scenario_->generators[k].pos = bound_reader.PositionOf(path);
    for (const core::FieldError& e : CheckGeneratorSpec(scenario_->generators[k])) {
      diags_->Error(bound_reader.PositionOf(core::JoinPath(path, e.path)), e.message);
    }
  }
  if (root["formal"].IsDefined()) reader_.Read(root["formal"], "formal", &scenario_->formal);
}

/// openscenario: the .xosc, its ego, the parameters it declares; the world of the nominal instance.
void ScenarioLoader::ReadOpenScenario() {
  OpenScenarioWorld w;
  w.spec = *openscenario_;
  const fs::path file(w.spec.file);
  w.path = (file.is_absolute() ? file : fs::path(path_).parent_path() / file).lexically_normal().string();
  std::error_code ec;
  if (!fs::is_regular_file(w.path, ec)) {
    diags_->Error(reader_.PositionOf("openscenario.file"), "OpenSCENARIO file " + core::Quote(w.spec.file) +
                                                               " does not exist (looked for " + w.path + ")");
    return;
  }
  try {
    const openscenario::Scenario declared = openscenario::LoadScenario(w.path);
    if (const std::string problem = CoSimulation::EgoProblem(declared, w.spec.ego); !problem.empty()) {
      diags_->Error(reader_.PositionOf("openscenario.ego"), problem);
      return;
    }
    // a parameter the .xosc declares overrides it; any other must be used here (model fields, derived ones)
    std::vector<std::string> xosc_names;
    for (const auto& [name, value] : declared.parameters) xosc_names.push_back(name);
    std::set<std::string> used;
    for (const NumberBinding& b : scenario_->parameter_bindings) used.insert(b.expr.names().begin(), b.expr.names().end());
    for (const DerivedParameter& d : scenario_->derived) used.insert(d.expr.names().begin(), d.expr.names().end());
    auto check = [&](const std::string& name, const core::SourcePos& pos) {
      if (std::ranges::find(xosc_names, name) != xosc_names.end()) {
        w.parameters.push_back(name);
      } else if (!used.contains(name)) {
        diags_->Error(pos, "parameter " + core::Quote(name) + " is not declared by " + w.spec.file +
                               " and used nowhere" + core::DidYouMean(name, xosc_names) +
                               (xosc_names.empty() ? "; the file declares no parameters"
                                                   : "; its parameters: " + core::QuotedList(xosc_names)));
      }
    };
    const std::vector<Parameter>& params = scenario_->parameters.parameters;
    for (size_t i = 0; i < (variation_ ? variation_first_ : params.size()); ++i) check(params[i].name, params[i].pos);
    for (const DerivedParameter& d : scenario_->derived) check(d.name, d.pos);
    if (variation_) CheckVariation(w, xosc_names, params);
    if (!diags_->empty()) return;
    w.variation = variation_;
    w.variation_first = variation_first_;
    std::vector<std::pair<std::string, double>> nominal;
    for (size_t i = 0; i < names_.size(); ++i) nominal.emplace_back(names_[i], nominal_[i]);
    const std::shared_ptr<CoSimulation> cosim = StartCoSimulation(w, nominal);
    scenario_->world = cosim->world();
    // the suite's fingerprint follows the .xosc, its catalogs and its road network
    scenario_->included_files.push_back(w.path);
    for (const std::string& catalog : cosim->scenario().catalog_files) scenario_->included_files.push_back(catalog);
    if (!cosim->scenario().road_file.empty()) scenario_->included_files.push_back(cosim->scenario().road_file);
    if (variation_) scenario_->included_files.push_back(variation_path_);
    for (const openscenario::Warning& warning : cosim->scenario().warnings)
      scenario_->warnings.push_back(warning.Format());
    scenario_->openscenario = std::move(w);
  } catch (const core::InputError& e) {
    diags_->Absorb(e);
  }
}

/// The variation file varies the scenario's .xosc, and only parameters it declares that no parameter of
/// `parameters:` sets too.
void ScenarioLoader::CheckVariation(const OpenScenarioWorld& w, const std::vector<std::string>& xosc_names,
                                    const std::vector<Parameter>& params) {
  const core::SourcePos at = reader_.PositionOf("openscenario.variation");
  std::error_code ec1, ec2;
  if (fs::weakly_canonical(variation_->scenario_path, ec1) != fs::weakly_canonical(w.path, ec2)) {
    diags_->Error(at, "the variation file varies " + variation_->scenario_path + ", not " + w.path +
                          " (its ScenarioFile must name the file of 'openscenario.file')");
    return;
  }
  std::set<std::string> assigned;
  for (const OpenScenarioParameters::Binding& b : variation_->bindings) {
    if (!b.name.empty()) assigned.insert(b.name);
    for (const openscenario::ParameterSet& set : b.sets) {
      for (const auto& [name, value] : set) assigned.insert(name);
    }
  }
  for (const std::string& name : assigned) {
    if (std::ranges::find(xosc_names, name) == xosc_names.end()) {
      diags_->Error(at, "the variation file sets " + core::Quote(name) + ", which " + w.spec.file +
                            " does not declare" + core::DidYouMean(name, xosc_names));
    }
  }
  for (size_t i = 0; i < variation_first_; ++i) {
    if (assigned.contains(params[i].name)) {
      diags_->Error(params[i].pos, "parameter " + core::Quote(params[i].name) +
                                       " is also set by the variation file: give it one distribution");
    }
  }
}

/// model: continuous commands or advisories, periods, delays, dropout and noise.
void ScenarioLoader::CheckBinding(const YamlReader& bound_reader) {
  for (const core::FieldError& e : ValidateModelBinding(scenario_->model_binding, "model")) {
    diags_->Error(bound_reader.PositionOf(e.path), e.message);
  }
}

/// formal checks: boxes of the model's inputs.
void ScenarioLoader::CheckFormal() {
  const size_t inputs = scenario_->model_binding.observation.size();
  for (size_t i = 0; i < scenario_->formal.output_bounds.size(); ++i) {
    const OutputBoundsSpec& o = scenario_->formal.output_bounds[i];
    const std::string p = core::IndexPath("formal.output_bounds", i);
    if (o.input_lo.size() != inputs || o.input_hi.size() != inputs) {
      diags_->Error(reader_.PositionOf(p), "input_lo and input_hi need one value per model input (" +
                                               std::to_string(inputs) + ")");
    } else {
      for (size_t k = 0; k < inputs; ++k) {
        if (!(o.input_lo[k] <= o.input_hi[k])) {
          diags_->Error(reader_.PositionOf(p + ".input_lo"), "input_lo[" + std::to_string(k) + "] > input_hi[" +
                                                                 std::to_string(k) + "]");
        }
      }
    }
    if (!o.min && !o.max) diags_->Error(reader_.PositionOf(p), "give 'min', 'max' or both");
    if (o.time_budget_s <= 0) diags_->Error(reader_.PositionOf(p + ".time_budget_s"), "time_budget_s must be positive");
  }
  for (size_t i = 0; i < scenario_->formal.local_robustness.size(); ++i) {
    const LocalRobustnessCheckSpec& l = scenario_->formal.local_robustness[i];
    const std::string p = core::IndexPath("formal.local_robustness", i);
    if (l.epsilon.size() != 1 && l.epsilon.size() != inputs) {
      diags_->Error(reader_.PositionOf(p + ".epsilon"), "epsilon needs one value, or one per model input (" +
                                                            std::to_string(inputs) + ")");
    }
    for (double e : l.epsilon) {
      if (!(e >= 0)) diags_->Error(reader_.PositionOf(p + ".epsilon"), "epsilon must not be negative");
    }
    if (l.states < 1) diags_->Error(reader_.PositionOf(p + ".states"), "states must be at least 1");
    if (l.time_budget_s <= 0) diags_->Error(reader_.PositionOf(p + ".time_budget_s"), "time_budget_s must be positive");
  }
}

/// observation expressions must parse and name known signals.
void ScenarioLoader::CheckObservations(const YamlReader& bound_reader) {
  const ModelBindingSpec& b = scenario_->model_binding;
  for (size_t i = 0; i < b.observation.size(); ++i) {
    const std::string p = core::IndexPath("model.observation", i) + ".expr";
    try {
      const auto expr = verifier::stl::Expression::Parse(b.observation[i].expr, bound_reader.PositionOf(p));
      scenario_->observations.push_back({b.observation[i], expr.Bind(sim::SignalNames(scenario_->world))});
    } catch (const core::InputError& e) {
      diags_->Absorb(e);
    }
  }
}

/// let: {name: formula}, each may use those before it.
verifier::stl::Definitions ScenarioLoader::ReadLet(const YAML::Node& let) {
  verifier::stl::Definitions definitions;
  if (!let.IsDefined()) return definitions;
  if (!let.IsMap()) {
    reader_.Error(let, "expected a mapping of names to formulas");
    return definitions;
  }
  std::vector<verifier::stl::DefinitionText> texts;
  for (auto it = let.begin(); it != let.end(); ++it) {
    const std::string name = it->first.Scalar();
    if (!it->second.IsScalar()) {
      reader_.Error(it->second, "expected a formula for '" + name + "'");
      continue;
    }
    // a definition that shadows a signal or a parameter would silently change what formulas mean
    if (name == "time" || std::ranges::find(scenario_->signals, name) != scenario_->signals.end()) {
      reader_.Error(it->first, "let name '" + name + "' is already a signal; choose another name");
      continue;
    }
    if (std::ranges::find(names_, name) != names_.end()) {
      reader_.Error(it->first, "let name '" + name + "' is already a parameter; choose another name");
      continue;
    }
    texts.push_back({name, it->second.Scalar(), ScalarTextPos(reader_, it->second)});
  }
  try {
    definitions = verifier::stl::ParseDefinitions(texts);
  } catch (const core::InputError& e) {
    diags_->Absorb(e);
  }
  return definitions;
}

/// requirements or assumptions (`key`): STL formulas over the signals.
void ScenarioLoader::CompileRequirements(YAML::Node& root, const YamlReader& bound_reader,
                                         const verifier::stl::Definitions& definitions,
                                         const std::vector<RequirementSpec>& specs,
                                         std::vector<CompiledRequirement>* list, const std::string& key) {
  std::set<std::string> seen;
  for (size_t i = 0; i < specs.size(); ++i) {
    const std::string p = core::IndexPath(key, i);
    if (!seen.insert(specs[i].name).second) {
      diags_->Error(bound_reader.PositionOf(p + ".name"), "duplicate requirement name '" + specs[i].name + "'");
    }
    try {
      verifier::stl::Formula formula = verifier::stl::Formula::Parse(
          specs[i].formula, FieldTextPos(root, key, i, "formula", bound_reader.PositionOf(p + ".formula")),
          definitions);
      formula.CheckSignals(scenario_->signals);
      if (specs[i].stop_on_violation && !formula.IsOnlineMonitorable()) {
        diags_->Error(bound_reader.PositionOf(p + ".stop_on_violation"),
                      "stop_on_violation needs a safety formula: an 'and' of 'always[a,b] P', 'always P' or 'P' where "
                      "P looks at no later sample");
      }
      list->push_back({specs[i], verifier::stl::Monitor(formula)});
    } catch (const core::InputError& e) {
      diags_->Absorb(e);
    }
  }
}

/// metrics: expressions over the signals.
void ScenarioLoader::CompileMetrics(const YamlReader& bound_reader, const std::vector<MetricSpec>& specs) {
  for (size_t i = 0; i < specs.size(); ++i) {
    const std::string p = core::IndexPath("metrics", i) + ".expr";
    try {
      auto expr = verifier::stl::Expression::Parse(specs[i].expr, bound_reader.PositionOf(p));
      (void)expr.Bind(scenario_->signals);
      scenario_->metrics.push_back({specs[i], std::move(expr)});
    } catch (const core::InputError& e) {
      diags_->Absorb(e);
    }
  }
}

// `root` is not const: a const lookup of a missing key is an invalid node
void ScenarioLoader::Load(YAML::Node root) {
  if (!reader_.CheckKeys(root, "", kScenarioKeys)) diags_->ThrowIfAny();
  ReadHeader(root);

  // the included catalogues, whose entries `use: NAME` takes
  Catalogues catalogues;
  CatalogueLoader(diags_, &catalogues, include_root_).LoadIncludes(reader_, root["include"]);
  scenario_->included_files = catalogues.files;
  ReadParameterSections(root, catalogues);

  ParameterBinder binder(names_, nominal_);
  YamlReader bound_reader(path_, diags_, &binder);
  std::vector<RequirementSpec> requirement_specs;
  std::vector<RequirementSpec> assumption_specs;
  std::vector<MetricSpec> metric_specs;
  ReadBoundSections(root, bound_reader, catalogues, &requirement_specs, &assumption_specs, &metric_specs);
  scenario_->parameter_bindings = std::move(binder.bindings);
  if (!diags_->empty()) diags_->ThrowIfAny();  // the checks below need a well-formed spec

  if (openscenario_) {
    ReadOpenScenario();
    diags_->ThrowIfAny();  // the checks below need its world
  }
  // the world's own semantic checks, located through the field paths (an OpenSCENARIO world's at its section)
  for (const core::FieldError& e : sim::Validate(scenario_->world)) {
    if (openscenario_) {
      diags_->Error(reader_.PositionOf("openscenario"), "the world made from " + openscenario_->file + ": " +
                                                            (e.path.empty() ? "" : e.path + ": ") + e.message);
    } else {
      diags_->Error(bound_reader.PositionOf(core::JoinPath("world", e.path)), e.message);
    }
  }
  for (size_t i = 0; i < scenario_->world.actors.size() && !openscenario_; ++i) {
    if (scenario_->world.actors[i].scripted) {
      diags_->Error(bound_reader.PositionOf(core::IndexPath("world.actors", i) + ".scripted"),
                    "'scripted' actors are moved by an OpenSCENARIO storyboard: give the scenario an 'openscenario:' "
                    "section instead of 'world:'");
    }
  }
  CheckBinding(bound_reader);
  CheckFormal();

  // signals: the world's, then the model binding's
  scenario_->signals = sim::SignalNames(scenario_->world);
  for (std::string& s : ModelSignalNames(scenario_->model_binding)) scenario_->signals.push_back(std::move(s));
  CheckObservations(bound_reader);

  // let definitions, then requirements, assumptions and metrics over the signals
  const verifier::stl::Definitions definitions = ReadLet(root["let"]);
  CompileRequirements(root, bound_reader, definitions, requirement_specs, &scenario_->requirements, "requirements");
  CompileRequirements(root, bound_reader, definitions, assumption_specs, &scenario_->assumptions, "assumptions");
  CompileMetrics(bound_reader, metric_specs);
  if (requirement_specs.empty() && diags_->empty()) {
    diags_->Error(bound_reader.PositionOf("requirements"), "a scenario needs at least one requirement");
  }
  diags_->ThrowIfAny();
}

}  // namespace

std::string DefaultIncludeRoot(const std::string& path) {
  return fs::absolute(fs::path(path)).parent_path().parent_path().string();
}

namespace {

/// The set-up every instance of a loaded scenario shares, done once (Scenario::road, bound_bindings).
void PrepareInstances(Scenario* scenario) {
  std::vector<std::string> names;  // NamedValues' names: the parameters, then the derived ones
  for (const auto& p : scenario->parameters.parameters) names.push_back(p.name);
  for (const DerivedParameter& d : scenario->derived) names.push_back(d.name);
  for (const NumberBinding& b : scenario->parameter_bindings) scenario->bound_bindings.push_back(b.expr.Bind(names));
  const bool road_bound = std::any_of(scenario->parameter_bindings.begin(), scenario->parameter_bindings.end(),
                                      [](const NumberBinding& b) { return b.path.starts_with("world.road"); });
  if (road_bound) return;
  std::vector<core::FieldError> errors;
  sim::RoadNetwork road = sim::RoadNetwork::Build(scenario->world.road, &errors, "road");
  if (errors.empty()) scenario->road = std::make_shared<const sim::RoadNetwork>(std::move(road));
}

}  // namespace

std::shared_ptr<const Scenario> LoadScenario(const std::string& path, const std::string& include_root) {
  auto scenario = std::make_shared<Scenario>();
  scenario->path = path;
  core::Diagnostics diags;
  const std::string root = include_root.empty() ? DefaultIncludeRoot(path) : include_root;
  ScenarioLoader(path, root, scenario.get(), &diags).Load(LoadYamlFile(path));
  PrepareInstances(scenario.get());
  return scenario;
}

void CheckCatalogue(const std::string& path) {
  core::Diagnostics diags;
  Catalogues catalogues;
  CatalogueLoader(&diags, &catalogues, DefaultIncludeRoot(path)).LoadRoot(path);
  diags.ThrowIfAny();
}

}  // namespace gauntlet::scenarios
