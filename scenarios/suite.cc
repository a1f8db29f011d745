#include "scenarios/suite.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/rng.h"
#include "core/suggest.h"
#include "models/model.h"
#include "scenarios/yaml_reader.h"

namespace gauntlet::scenarios {
namespace {

namespace fs = std::filesystem;

/// A network file as a policy: inputs in order, raw outputs (the scenario's model binding maps them).
void LoadNetwork(const std::string& path, LoadedModel* loaded) {
  loaded->network = models::Model::LoadModel(path);
  loaded->policy = std::make_shared<models::NetworkPolicy>(loaded->network);
}

std::string Resolve(const std::string& base_file, const std::string& relative) {
  const fs::path p(relative);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (fs::path(base_file).parent_path() / p).lexically_normal().string();
}

/// Folds a file's bytes (not its name) into `hash`.
uint64_t HashFile(const std::string& path, uint64_t hash) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return core::Mix64(hash ^ core::StableHash(bytes));
}

/// models: loads slot `slot` (or its --model override) into `loaded`; false after reporting why not.
bool LoadModelSlot(const std::string& path, const std::string& slot, const ModelSpec& m,
                   const std::map<std::string, std::string>& model_overrides, const YamlReader& reader,
                   core::Diagnostics* diags, LoadedModel* loaded) {
  const std::string where = core::JoinPath("models", slot);
  loaded->slot = slot;
  const auto override_it = model_overrides.find(slot);
  try {
    if (override_it != model_overrides.end()) {
      loaded->source = override_it->second;
      if (!fs::exists(loaded->source)) {
        diags->Error({"--model", 0, 0}, "model file '" + loaded->source + "' does not exist");
        return false;
      }
      LoadNetwork(loaded->source, loaded);
    } else if (!m.by_previous_advisory.empty()) {
      if (!m.path.empty() || !m.builtin.empty()) {
        diags->Error(reader.PositionOf(where), "model '" + slot + "' has 'by_previous_advisory' and 'path' or "
                                               "'builtin'; give one");
        return false;
      }
      std::vector<std::string> sources;
      bool ok = true;
      for (size_t k = 0; k < m.by_previous_advisory.size(); ++k) {
        const std::string file = Resolve(path, m.by_previous_advisory[k]);
        if (!fs::exists(file)) {
          diags->Error(reader.PositionOf(core::IndexPath(where + ".by_previous_advisory", k)),
                       "model file '" + m.by_previous_advisory[k] + "' does not exist (looked for " + file + ")");
          ok = false;
          continue;
        }
        LoadedModel one;
        LoadNetwork(file, &one);
        if (k == 0) {
          loaded->network = one.network;
          loaded->policy = one.policy;
        }
        loaded->by_previous_advisory.push_back(one.policy);
        sources.push_back(file);
      }
      if (!ok) return false;
      loaded->source = "by_previous_advisory:" + sources.front() + ",...";
    } else if (!m.path.empty() && !m.builtin.empty()) {
      diags->Error(reader.PositionOf(where), "model '" + slot + "' has both 'path' and 'builtin'; give one");
      return false;
    } else if (!m.path.empty()) {
      loaded->source = Resolve(path, m.path);
      if (!fs::exists(loaded->source)) {
        diags->Error(reader.PositionOf(where + ".path"), "model file '" + m.path + "' does not exist (looked for " +
                                                             loaded->source + ")");
        return false;
      }
      if (!m.params.empty()) {
        diags->Error(reader.PositionOf(where + ".params"), "'params' is for built-in models only");
        return false;
      }
      LoadNetwork(loaded->source, loaded);
    } else if (!m.builtin.empty()) {
      loaded->source = "builtin:" + m.builtin;
      loaded->policy = models::MakeBuiltinPolicy(m.builtin, m.params);
    } else {
      diags->Error(reader.PositionOf(where), "model '" + slot + "' needs 'path' (an .onnx or .nnet file) or 'builtin'");
      return false;
    }
  } catch (const core::InputError& e) {
    // a built-in's parameter problems come without a position: place them at the model entry
    for (const core::Diagnostic& d : e.diagnostics()) {
      diags->Error(d.pos.file.empty() ? reader.PositionOf(where) : d.pos, d.message);
    }
    return false;
  }
  return true;
}

/// The scenario files a suite names, each loaded once (a file with problems reports them once).
struct ScenarioCache {
  std::string include_root;  ///< the suite's folder: the catalogues scenarios include stay inside it
  std::map<std::string, std::shared_ptr<const Scenario>> loaded;
  std::vector<std::string> order;  ///< the scenario files in the order the suite first names them
  std::set<std::string> failed;

  /// The scenario at `scenario_path`, or null after its problems were reported (once).
  std::shared_ptr<const Scenario> Get(const std::string& scenario_path, core::Diagnostics* diags) {
    if (failed.contains(scenario_path)) return nullptr;
    if (const auto it = loaded.find(scenario_path); it != loaded.end()) return it->second;
    try {
      // a scenario inside the suite's folder includes from there; one outside it (a suite in tests/ naming
      // configs/scenarios/...) from the folder above its own, as when it is checked alone
      const fs::path root = fs::weakly_canonical(fs::absolute(include_root));
      const fs::path file = fs::weakly_canonical(fs::absolute(scenario_path));
      const bool inside = std::mismatch(root.begin(), root.end(), file.begin(), file.end()).first == root.end();
      auto scenario = LoadScenario(scenario_path, inside ? include_root : "");
      loaded.emplace(scenario_path, scenario);
      order.push_back(scenario_path);
      return scenario;
    } catch (const core::InputError& e) {
      // a catalogue several scenarios include reports its problems once
      for (const core::Diagnostic& d : e.diagnostics()) {
        if (std::find(diags->items().begin(), diags->items().end(), d) == diags->items().end()) {
          diags->Error(d.pos, d.message);
        }
      }
      failed.insert(scenario_path);
      return nullptr;
    }
  }
};

/// The model of `family` must fit its scenario's binding: inputs and outputs (reported at `where`).
void CheckModelFits(const Family& family, const LoadedModel& model, const core::SourcePos& where,
                    core::Diagnostics* diags) {
  const Scenario& scenario = *family.scenario;
  const models::Policy& policy = *model.policy;
  for (const std::string& problem : CheckModelFitsBinding(scenario.model_binding, scenario.name, family.model_slot, model)) {
    diags->Error(where, problem);
  }
  for (const OutputBoundsSpec& o : scenario.formal.output_bounds) {
    if (o.output < 0 || static_cast<size_t>(o.output) >= policy.output_size()) {
      diags->Error(where, "formal check '" + o.name + "' of scenario '" + scenario.name + "' bounds output " +
                              std::to_string(o.output) + " but model '" + family.model_slot + "' has " +
                              std::to_string(policy.output_size()));
    }
  }
}

/// The network files of a model slot, as LoadModelSlot reads them (none for a built-in).
std::vector<std::string> ModelFiles(const std::string& path, const std::string& slot, const ModelSpec& m,
                                    const std::map<std::string, std::string>& model_overrides) {
  if (const auto o = model_overrides.find(slot); o != model_overrides.end()) return {o->second};
  std::vector<std::string> files;
  for (const std::string& f : m.by_previous_advisory) files.push_back(Resolve(path, f));
  if (files.empty() && !m.path.empty()) files.push_back(Resolve(path, m.path));
  return files;
}

/// scenarios[i]: the family entry `entry` names; false after reporting why it is not one.
bool ReadScenarioEntry(const std::string& path, const SuiteSpec& spec, size_t i, const Suite& suite,
                       const YamlReader& reader, ScenarioCache* cache, std::set<std::string>* family_names,
                       core::Diagnostics* diags, Family* family) {
  const SuiteEntrySpec& entry = spec.scenarios[i];
  const std::string where = core::IndexPath("scenarios", i);
  const std::string scenario_path = Resolve(path, entry.scenario);
  if (!fs::exists(scenario_path)) {
    diags->Error(reader.PositionOf(where + ".scenario"), "scenario file '" + entry.scenario +
                                                             "' does not exist (looked for " + scenario_path + ")");
    return false;
  }
  const std::shared_ptr<const Scenario> scenario = cache->Get(scenario_path, diags);
  if (scenario == nullptr) return false;
  family->scenario = scenario;
  family->model_slot = entry.model.empty() ? scenario->model_binding.slot : entry.model;
  family->name = !entry.name.empty()  ? entry.name
                 : entry.model.empty() ? scenario->name
                                       : scenario->name + "@" + entry.model;
  std::vector<GeneratorSpec> entry_generators = entry.generators;
  for (size_t k = 0; k < entry_generators.size(); ++k) {
    const std::string generator_path = where + ".generators[" + std::to_string(k) + "]";
    entry_generators[k].pos = reader.PositionOf(generator_path);
    for (const core::FieldError& e : CheckGeneratorSpec(entry_generators[k])) {
      diags->Error(reader.PositionOf(core::JoinPath(generator_path, e.path)), e.message);
    }
  }
  family->generators = entry_generators.empty() ? scenario->generators : std::move(entry_generators);
  if (!spec.models.contains(family->model_slot)) {
    std::vector<std::string> slots;
    for (const auto& [name, m] : spec.models) slots.push_back(name);
    diags->Error(reader.PositionOf(entry.model.empty() ? where : where + ".model"),
                 "unknown model '" + family->model_slot + "'" + core::DidYouMean(family->model_slot, slots) +
                     "; the suite's models are " + core::QuotedList(slots));
    return false;
  }
  if (!family_names->insert(family->name).second) {
    diags->Error(reader.PositionOf(where), "two scenario entries are both called '" + family->name +
                                               "'; give one a distinct 'name'");
    return false;
  }
  if (family->generators.empty()) {
    diags->Error(reader.PositionOf(where), "no generators: give 'generators' in the scenario file or in this entry");
    return false;
  }
  // a search's requirement must be one of the scenario's
  std::vector<std::string> requirement_names;
  for (const auto& r : scenario->requirements) requirement_names.push_back(r.spec.name);
  for (const GeneratorSpec& g : family->generators) {
    if (g.requirement.empty() || std::ranges::find(requirement_names, g.requirement) != requirement_names.end()) {
      continue;
    }
    diags->Error(g.pos, "unknown requirement '" + g.requirement + "'" +
                            core::DidYouMean(g.requirement, requirement_names) + "; scenario '" + scenario->name +
                            "' has " + core::QuotedList(requirement_names));
  }
  // the model must fit the binding: inputs and outputs
  if (const auto m = suite.models.find(family->model_slot); m != suite.models.end()) {
    CheckModelFits(*family, m->second, reader.PositionOf(where), diags);
  }
  return true;
}

}  // namespace

Suite LoadSuite(const std::string& path, const std::map<std::string, std::string>& model_overrides) {
  core::Diagnostics diags;
  const YAML::Node root = LoadYamlFile(path);
  YamlReader reader(path, &diags);
  SuiteSpec spec;
  reader.Read(root, "", &spec);
  diags.ThrowIfAny();

  Suite suite;
  suite.name = spec.suite;
  suite.path = path;
  suite.seed = static_cast<uint64_t>(spec.seed);
  for (const auto& [slot, override_path] : model_overrides) {
    if (!spec.models.contains(slot)) {
      std::vector<std::string> slots;
      for (const auto& [name, m] : spec.models) slots.push_back(name);
      diags.Error({"--model", 0, 0}, "unknown model '" + slot + "'" + core::DidYouMean(slot, slots) +
                                         "; the suite's models are " + core::QuotedList(slots));
    }
  }
  for (const auto& [slot, m] : spec.models) {
    LoadedModel loaded;
    if (LoadModelSlot(path, slot, m, model_overrides, reader, &diags, &loaded)) {
      suite.models.emplace(slot, std::move(loaded));
    }
  }

  ScenarioCache cache;
  cache.include_root = fs::absolute(fs::path(path)).parent_path().string();
  std::set<std::string> family_names;
  for (size_t i = 0; i < spec.scenarios.size(); ++i) {
    Family family;
    if (ReadScenarioEntry(path, spec, i, suite, reader, &cache, &family_names, &diags, &family)) {
      suite.families.push_back(std::move(family));
    }
  }
  if (spec.scenarios.empty()) diags.Error(reader.PositionOf("scenarios"), "the suite lists no scenarios");
  diags.ThrowIfAny();
  // the fingerprint: the content (file bytes) of the suite, of its scenarios and the catalogues they
  // include, in the order the suite names them, and of each model slot's files. How a path is spelt
  // (relative, absolute, `./`) and the working directory play no part: a relative and an absolute
  // suite path, from any directory, give the same fingerprint.
  uint64_t hash = HashFile(path, 0x6761756e746c6574ULL);
  for (const std::string& scenario_path : cache.order) {
    for (const std::string& warning : cache.loaded.at(scenario_path)->warnings) {
      if (std::find(suite.warnings.begin(), suite.warnings.end(), warning) == suite.warnings.end())
        suite.warnings.push_back(warning);
    }
    hash = HashFile(scenario_path, hash);
    for (const std::string& included : cache.loaded.at(scenario_path)->included_files) hash = HashFile(included, hash);
  }
  for (const auto& [slot, model] : suite.models) {
    const std::vector<std::string> files = ModelFiles(path, slot, spec.models.at(slot), model_overrides);
    // a built-in is its name (its parameters are in the suite's bytes); a network is its files' bytes
    hash = core::Mix64(hash ^ core::StableHash(slot + "=" + (files.empty() ? model.source : "files")));
    for (const std::string& file : files) hash = HashFile(file, hash);
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  suite.fingerprint = hex;
  return suite;
}

std::vector<std::string> CheckFile(const std::string& path) {
  const YAML::Node root = LoadYamlFile(path);
  if (root.IsMap() && root["suite"].IsDefined()) return LoadSuite(path).warnings;
  if (root.IsMap() && root["catalog"].IsDefined()) {
    CheckCatalogue(path);
    return {};
  }
  return LoadScenario(path)->warnings;
}

LoadedModel LoadModelFile(const std::string& slot, const std::string& path) {
  if (!fs::is_regular_file(path)) throw core::InputError({path, 0, 0}, "model file '" + path + "' does not exist");
  LoadedModel loaded;
  loaded.slot = slot;
  loaded.source = path;
  LoadNetwork(path, &loaded);
  return loaded;
}

}  // namespace gauntlet::scenarios
