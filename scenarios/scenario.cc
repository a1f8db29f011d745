#include "scenarios/scenario.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <set>

#include "core/check.h"
#include "core/format.h"
#include "core/suggest.h"
#include "core/units.h"
#include "scenarios/number_writer.h"
#include "scenarios/yaml_reader.h"

namespace gauntlet::scenarios {
namespace {

const std::vector<std::string> kScenarioKeys = {"scenario", "description", "parameters", "derived", "let", "world",
                                                "model", "requirements", "assumptions", "metrics", "generators",
                                                "stop_on_collision", "formal"};

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
          diags->Error(pos, "unknown parameter '" + name + "'" + core::DidYouMean(name, names_) +
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

const std::vector<std::string> kParameterKinds = {"uniform", "normal", "choice", "range", "constant"};

/// parameters:
///   gap_m: {uniform: [8, 60]}              # also [8 m, 60 m]
///   decel: {normal: {mean: 4, stddev: 1.5, min: 1, max: 8}}
///   lanes: {choice: [2, 3]}
///   t_brake: {range: {from: 0.5, to: 5, step: 0.5}}
///   mu: 0.8                                 # a constant; also {constant: 0.8}
/// Each may add `nominal: <value>` and `perturbation: true`.
void ReadParameters(YamlReader& reader, const YAML::Node& node, ParameterSpace* space) {
  if (!node.IsMap()) {
    reader.Error(node, "expected a mapping of parameter names to distributions");
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
    std::vector<std::string> allowed = kParameterKinds;
    allowed.push_back("nominal");
    allowed.push_back("perturbation");
    if (!reader.CheckKeys(spec, name, allowed)) continue;
    int kinds = 0;
    for (const auto& k : kParameterKinds) kinds += spec[k].IsDefined() ? 1 : 0;
    if (kinds != 1) {
      reader.Error(spec, "parameter '" + name + "' needs exactly one of " + core::QuotedList(kParameterKinds));
      continue;
    }
    bool ok = true;
    if (const YAML::Node u = spec["uniform"]; u.IsDefined()) {
      p.kind = Parameter::Kind::kUniform;
      if (!u.IsSequence() || u.size() != 2) {
        reader.Error(u, "uniform needs [min, max] for " + what);
        continue;
      }
      const auto lo = ReadQuantity(reader, u[0], what);
      const auto hi = ReadQuantity(reader, u[1], what);
      if (!lo || !hi) continue;
      p.lo = *lo;
      p.hi = *hi;
      if (p.lo > p.hi) {
        reader.Error(u, "range of " + what + " has min " + core::FormatDouble(p.lo) + " > max " +
                            core::FormatDouble(p.hi));
        ok = false;
      }
    } else if (const YAML::Node n = spec["normal"]; n.IsDefined()) {
      p.kind = Parameter::Kind::kNormal;
      const std::vector<std::string> keys = {"mean", "stddev", "min", "max"};
      if (!reader.CheckKeys(n, name + ".normal", keys)) continue;
      if (!n["mean"].IsDefined() || !n["stddev"].IsDefined()) {
        reader.Error(n, "normal needs 'mean' and 'stddev' for " + what);
        continue;
      }
      const auto mean = ReadQuantity(reader, n["mean"], what);
      const auto sd = ReadQuantity(reader, n["stddev"], what);
      if (!mean || !sd) continue;
      p.mean = *mean;
      p.stddev = *sd;
      p.lo = -INFINITY;
      p.hi = INFINITY;
      if (n["min"].IsDefined()) {
        const auto v = ReadQuantity(reader, n["min"], what);
        if (!v) continue;
        p.lo = *v;
      }
      if (n["max"].IsDefined()) {
        const auto v = ReadQuantity(reader, n["max"], what);
        if (!v) continue;
        p.hi = *v;
      }
      if (p.stddev <= 0) {
        reader.Error(n["stddev"], "stddev of " + what + " must be positive");
        ok = false;
      }
      if (p.lo > p.hi) {
        reader.Error(n, "range of " + what + " has min " + core::FormatDouble(p.lo) + " > max " +
                            core::FormatDouble(p.hi));
        ok = false;
      }
    } else if (const YAML::Node c = spec["choice"]; c.IsDefined()) {
      p.kind = Parameter::Kind::kChoice;
      if (!c.IsSequence() || c.size() == 0) {
        reader.Error(c, "choice needs a non-empty list of values for " + what);
        continue;
      }
      for (size_t i = 0; i < c.size(); ++i) {
        const auto v = ReadQuantity(reader, c[i], what);
        if (!v) ok = false;
        else p.choices.push_back(*v);
      }
    } else if (const YAML::Node r = spec["range"]; r.IsDefined()) {
      p.kind = Parameter::Kind::kRange;
      const std::vector<std::string> keys = {"from", "to", "step"};
      if (!reader.CheckKeys(r, name + ".range", keys)) continue;
      if (!r["from"].IsDefined() || !r["to"].IsDefined() || !r["step"].IsDefined()) {
        reader.Error(r, "range needs 'from', 'to' and 'step' for " + what);
        continue;
      }
      const auto from = ReadQuantity(reader, r["from"], what);
      const auto to = ReadQuantity(reader, r["to"], what);
      const auto step = ReadQuantity(reader, r["step"], what);
      if (!from || !to || !step) continue;
      p.lo = *from;
      p.hi = *to;
      p.step = *step;
      if (p.lo > p.hi) {
        reader.Error(r, "range of " + what + " has min " + core::FormatDouble(p.lo) + " > max " +
                            core::FormatDouble(p.hi));
        ok = false;
      }
      if (p.step <= 0) {
        reader.Error(r["step"], "step of " + what + " must be positive");
        ok = false;
      }
    } else {
      p.kind = Parameter::Kind::kConstant;
      const auto v = ReadQuantity(reader, spec["constant"], what);
      if (!v) continue;
      p.lo = p.hi = p.nominal = *v;
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

}  // namespace

std::span<const core::EnumName<AdvisorySelect>> EnumNames(AdvisorySelect) {
  static constexpr std::array<core::EnumName<AdvisorySelect>, 2> kNames = {
      {{AdvisorySelect::kArgMin, "argmin"}, {AdvisorySelect::kArgMax, "argmax"}}};
  return kNames;
}

std::span<const core::EnumName<RobustnessKind>> EnumNames(RobustnessKind) {
  static constexpr std::array<core::EnumName<RobustnessKind>, 3> kNames = {
      {{RobustnessKind::kOutputDelta, "output_delta"},
       {RobustnessKind::kArgmaxStable, "argmax_stable"},
       {RobustnessKind::kArgminStable, "argmin_stable"}}};
  return kNames;
}

std::span<const core::EnumName<MetricReduce>> EnumNames(MetricReduce) {
  static constexpr std::array<core::EnumName<MetricReduce>, 4> kNames = {{{MetricReduce::kMin, "min"},
                                                                           {MetricReduce::kMax, "max"},
                                                                           {MetricReduce::kMean, "mean"},
                                                                           {MetricReduce::kFinal, "final"}}};
  return kNames;
}

std::vector<std::string> ModelSignalNames(const ModelBindingSpec& binding) {
  std::vector<std::string> names;
  for (const auto& o : binding.observation) names.push_back("model.in." + o.name);
  names.push_back("cmd.accel_mps2");
  names.push_back("cmd.steer_rad");
  names.push_back("cmd.turn_rate_radps");
  if (!binding.advisories.empty()) names.push_back("model.advisory");
  return names;
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
  instance.binding = binding;
  if (bindings.empty()) return instance;
  std::vector<std::string> names;
  std::vector<double> slots;
  for (const auto& [n, v] : instance.parameters) {
    names.push_back(n);
    slots.push_back(v);
  }
  std::unordered_map<std::string, double> by_path;
  for (const NumberBinding& b : bindings) by_path[b.path] = b.expr.Bind(names).Evaluate(slots.data());
  const NumberLookup lookup = [&](const std::string& path) -> std::optional<double> {
    const auto it = by_path.find(path);
    if (it == by_path.end()) return std::nullopt;
    return it->second;
  };
  WriteNumbers(&instance.world, "world", lookup);
  WriteNumbers(&instance.binding, "model", lookup);
  return instance;
}

std::shared_ptr<const Scenario> LoadScenario(const std::string& path) {
  auto scenario = std::make_shared<Scenario>();
  scenario->path = path;
  core::Diagnostics diags;
  YAML::Node root = LoadYamlFile(path);  // not const: a const lookup of a missing key is an invalid node
  YamlReader reader(path, &diags);
  if (!reader.CheckKeys(root, "", kScenarioKeys)) diags.ThrowIfAny();
  for (const char* key : {"scenario", "world", "model", "requirements"}) {
    if (!root[key].IsDefined()) diags.Error({path, 1, 1}, std::string("missing required key '") + key + "'");
  }
  if (root["scenario"].IsDefined()) reader.Read(root["scenario"], "scenario", &scenario->name);
  if (root["description"].IsDefined()) reader.Read(root["description"], "description", &scenario->description);
  if (root["stop_on_collision"].IsDefined()) {
    reader.Read(root["stop_on_collision"], "stop_on_collision", &scenario->stop_on_collision);
  }

  // parameters, then derived parameters (each may use those before it)
  std::vector<std::string> names;
  std::vector<double> nominal;
  if (root["parameters"].IsDefined()) ReadParameters(reader, root["parameters"], &scenario->parameters);
  for (const Parameter& p : scenario->parameters.parameters) {
    names.push_back(p.name);
    nominal.push_back(p.Nominal());
  }
  if (const YAML::Node params = root["parameters"]; params.IsMap()) {
    // a parameter with an error is still declared: references to it are not errors too
    for (auto it = params.begin(); it != params.end(); ++it) {
      const std::string name = it->first.Scalar();
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        names.push_back(name);
        nominal.push_back(0.0);
      }
    }
  }
  if (const YAML::Node derived = root["derived"]; derived.IsDefined()) {
    if (!derived.IsMap()) {
      reader.Error(derived, "expected a mapping of names to expressions");
    } else {
      for (auto it = derived.begin(); it != derived.end(); ++it) {
        const std::string name = it->first.Scalar();
        if (std::find(names.begin(), names.end(), name) != names.end()) {
          reader.Error(it->first, "duplicate parameter '" + name + "'");
          continue;
        }
        if (!it->second.IsScalar()) {
          reader.Error(it->second, "expected an expression for derived parameter '" + name + "'");
          continue;
        }
        std::string text = it->second.Scalar();
        core::SourcePos pos = reader.Pos(it->second);
        if (text.starts_with("${") && text.ends_with("}")) {
          text = text.substr(2, text.size() - 3);
          pos = pos.Shifted(0, 2);
        }
        try {
          verifier::stl::Expression expr = verifier::stl::Expression::Parse(text, pos);
          const double v = expr.Bind(names).Evaluate(nominal.data());
          scenario->derived.push_back({name, std::move(expr), reader.Pos(it->first)});
          names.push_back(name);
          nominal.push_back(v);
        } catch (const core::InputError& e) {
          diags.Absorb(e);
        } catch (const verifier::stl::EvaluationError& e) {
          diags.Error(pos, e.message() + " at the nominal parameter values");
        }
      }
    }
  }

  ParameterBinder binder(names, nominal);
  YamlReader bound_reader(path, &diags, &binder);
  if (root["world"].IsDefined()) bound_reader.Read(root["world"], "world", &scenario->world);
  if (root["model"].IsDefined()) bound_reader.Read(root["model"], "model", &scenario->binding);
  std::vector<RequirementSpec> requirement_specs;
  std::vector<RequirementSpec> assumption_specs;
  if (root["requirements"].IsDefined()) bound_reader.Read(root["requirements"], "requirements", &requirement_specs);
  if (root["assumptions"].IsDefined()) bound_reader.Read(root["assumptions"], "assumptions", &assumption_specs);
  std::vector<MetricSpec> metric_specs;
  if (root["metrics"].IsDefined()) bound_reader.Read(root["metrics"], "metrics", &metric_specs);
  if (root["generators"].IsDefined()) bound_reader.Read(root["generators"], "generators", &scenario->generators);
  if (root["formal"].IsDefined()) reader.Read(root["formal"], "formal", &scenario->formal);
  scenario->bindings = std::move(binder.bindings);
  if (!diags.empty()) diags.ThrowIfAny();  // the checks below need a well-formed spec

  // the world's own semantic checks, located through the field paths
  for (const core::FieldError& e : sim::Validate(scenario->world)) {
    diags.Error(bound_reader.PositionOf(core::JoinPath("world", e.path)), e.message);
  }
  const ModelBindingSpec& b = scenario->binding;
  const bool continuous = b.accel_mps2 || b.steer_rad || b.turn_rate_radps;
  if (continuous == !b.advisories.empty()) {
    diags.Error(bound_reader.PositionOf("model"),
                "the model binding needs either continuous commands (accel_mps2, steer_rad, turn_rate_radps) or "
                "advisories, not both");
  }
  if (b.control_period_s < 0) diags.Error(bound_reader.PositionOf("model.control_period_s"),
                                          "control_period_s must not be negative");
  for (size_t i = 0; i < b.observation.size(); ++i) {
    const ObservationSpec& o = b.observation[i];
    const std::string p = core::IndexPath("model.observation", i);
    if (o.delay_steps < 0) diags.Error(bound_reader.PositionOf(p + ".delay_steps"), "delay_steps must not be negative");
    if (o.dropout < 0 || o.dropout > 1) diags.Error(bound_reader.PositionOf(p + ".dropout"),
                                                    "dropout is a probability in [0, 1]");
    if (o.noise.uniform < 0 || o.noise.gaussian < 0) {
      diags.Error(bound_reader.PositionOf(p + ".noise"), "noise magnitudes must not be negative");
    }
  }

  // formal checks: boxes of the model's inputs
  const size_t inputs = b.observation.size();
  for (size_t i = 0; i < scenario->formal.output_bounds.size(); ++i) {
    const OutputBoundsSpec& o = scenario->formal.output_bounds[i];
    const std::string p = core::IndexPath("formal.output_bounds", i);
    if (o.input_lo.size() != inputs || o.input_hi.size() != inputs) {
      diags.Error(reader.PositionOf(p), "input_lo and input_hi need one value per model input (" +
                                            std::to_string(inputs) + ")");
    } else {
      for (size_t k = 0; k < inputs; ++k) {
        if (!(o.input_lo[k] <= o.input_hi[k])) {
          diags.Error(reader.PositionOf(p + ".input_lo"), "input_lo[" + std::to_string(k) + "] > input_hi[" +
                                                              std::to_string(k) + "]");
        }
      }
    }
    if (!o.min && !o.max) diags.Error(reader.PositionOf(p), "give 'min', 'max' or both");
    if (o.time_budget_s <= 0) diags.Error(reader.PositionOf(p + ".time_budget_s"), "time_budget_s must be positive");
  }
  for (size_t i = 0; i < scenario->formal.local_robustness.size(); ++i) {
    const LocalRobustnessCheckSpec& l = scenario->formal.local_robustness[i];
    const std::string p = core::IndexPath("formal.local_robustness", i);
    if (l.epsilon.size() != 1 && l.epsilon.size() != inputs) {
      diags.Error(reader.PositionOf(p + ".epsilon"), "epsilon needs one value, or one per model input (" +
                                                         std::to_string(inputs) + ")");
    }
    for (double e : l.epsilon) {
      if (!(e >= 0)) diags.Error(reader.PositionOf(p + ".epsilon"), "epsilon must not be negative");
    }
    if (l.states < 1) diags.Error(reader.PositionOf(p + ".states"), "states must be at least 1");
    if (l.time_budget_s <= 0) diags.Error(reader.PositionOf(p + ".time_budget_s"), "time_budget_s must be positive");
  }

  // signals: the world's, then the model binding's
  scenario->signals = sim::SignalNames(scenario->world);
  for (std::string& s : ModelSignalNames(b)) scenario->signals.push_back(std::move(s));

  // observation expressions must parse and name known signals
  for (size_t i = 0; i < b.observation.size(); ++i) {
    const std::string p = core::IndexPath("model.observation", i) + ".expr";
    try {
      const auto expr = verifier::stl::Expression::Parse(b.observation[i].expr, bound_reader.PositionOf(p));
      (void)expr.Bind(sim::SignalNames(scenario->world));
    } catch (const core::InputError& e) {
      diags.Absorb(e);
    }
  }

  // let definitions, then requirements, assumptions and metrics over the signals
  verifier::stl::Definitions definitions;
  if (const YAML::Node let = root["let"]; let.IsDefined()) {
    if (!let.IsMap()) {
      reader.Error(let, "expected a mapping of names to formulas");
    } else {
      std::vector<verifier::stl::DefinitionText> texts;
      for (auto it = let.begin(); it != let.end(); ++it) {
        const std::string name = it->first.Scalar();
        if (!it->second.IsScalar()) {
          reader.Error(it->second, "expected a formula for '" + name + "'");
          continue;
        }
        texts.push_back({name, it->second.Scalar(), ScalarTextPos(reader, it->second)});
      }
      try {
        definitions = verifier::stl::ParseDefinitions(texts);
      } catch (const core::InputError& e) {
        diags.Absorb(e);
      }
    }
  }
  auto compile = [&](const std::vector<RequirementSpec>& specs, std::vector<CompiledRequirement>* list,
                     const std::string& key) {
    std::set<std::string> seen;
    for (size_t i = 0; i < specs.size(); ++i) {
      const std::string p = core::IndexPath(key, i);
      if (!seen.insert(specs[i].name).second) {
        diags.Error(bound_reader.PositionOf(p + ".name"), "duplicate requirement name '" + specs[i].name + "'");
      }
      try {
        verifier::stl::Formula formula = verifier::stl::Formula::Parse(
            specs[i].formula, FieldTextPos(root, key, i, "formula", bound_reader.PositionOf(p + ".formula")),
            definitions);
        formula.CheckSignals(scenario->signals);
        if (specs[i].stop_on_violation && !formula.IsOnlineMonitorable()) {
          diags.Error(bound_reader.PositionOf(p + ".stop_on_violation"),
                      "stop_on_violation needs a safety formula: an 'and' of 'always[a,b] P', 'always P' or 'P' where "
                      "P looks at no later sample");
        }
        list->push_back({specs[i], verifier::stl::Monitor(formula)});
      } catch (const core::InputError& e) {
        diags.Absorb(e);
      }
    }
  };
  compile(requirement_specs, &scenario->requirements, "requirements");
  compile(assumption_specs, &scenario->assumptions, "assumptions");
  for (size_t i = 0; i < metric_specs.size(); ++i) {
    const std::string p = core::IndexPath("metrics", i) + ".expr";
    try {
      auto expr = verifier::stl::Expression::Parse(metric_specs[i].expr, bound_reader.PositionOf(p));
      (void)expr.Bind(scenario->signals);
      scenario->metrics.push_back({metric_specs[i], std::move(expr)});
    } catch (const core::InputError& e) {
      diags.Absorb(e);
    }
  }
  if (requirement_specs.empty() && diags.empty()) {
    diags.Error(bound_reader.PositionOf("requirements"), "a scenario needs at least one requirement");
  }
  diags.ThrowIfAny();
  return scenario;
}

}  // namespace gauntlet::scenarios
