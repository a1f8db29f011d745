#pragma once
// Suite: the top-level file of a run: a seed, the models under test, and the scenario families.
//
//   suite: example
//   seed: 42
//   models:
//     idm: {builtin: idm, params: {v0: 30}}
//     acc: {path: ../zoo/acc_good.onnx}
//   scenarios:
//     - {scenario: scenarios/lead_brake.yaml, model: idm}
//     - {scenario: scenarios/lead_brake.yaml, model: acc, name: lead_brake_acc}
//
// Paths are relative to the suite file. `gauntlet run --model acc=PATH` replaces a model's file.
// A loaded Suite is immutable and shared between threads.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "models/policy.h"
#include "scenarios/scenario.h"

namespace gauntlet::scenarios {

/// A model slot: a network file or a built-in reference controller with parameters.
struct ModelSpec {
  std::string path;     ///< .onnx or .nnet, relative to the suite file (a .nnet takes raw inputs: its
                        ///< file's normalisation is applied)
  std::string builtin;  ///< "idm", "ttc_brake", ...
  std::map<std::string, double> params;
  /// A family of networks, one per advisory: the network used at each control step is the one of the
  /// previous advisory (ACAS Xu's network a_b is used after advisory a). Needs an advisory binding.
  std::vector<std::string> by_previous_advisory;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("path", &path);
    a->Visit("builtin", &builtin);
    a->Visit("params", &params);
    a->Visit("by_previous_advisory", &by_previous_advisory);
  }
};

/// One scenario family of the suite.
struct SuiteEntrySpec {
  std::string scenario;  ///< the scenario file, relative to the suite file
  std::string name;      ///< the family name; default: the scenario's name, plus "@<model>" when `model` is given
  std::string model;     ///< the model slot driving the ego; default: the scenario's binding slot
  std::vector<GeneratorSpec> generators;  ///< replaces the scenario's generators when given
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("scenario", &scenario, core::kRequired);
    a->Visit("name", &name);
    a->Visit("model", &model);
    a->Visit("generators", &generators);
  }
};

struct SuiteSpec {
  std::string suite;
  uint64_t seed = 0;  ///< 0 to 2^64-1; a negative or fractional seed is an error
  std::map<std::string, ModelSpec> models;
  std::vector<SuiteEntrySpec> scenarios;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("suite", &suite, core::kRequired);
    a->Visit("seed", &seed);
    a->Visit("models", &models, core::kRequired);
    a->Visit("scenarios", &scenarios, core::kRequired);
  }
};

/// A model slot, loaded.
struct LoadedModel {
  std::string slot;
  std::string source;  ///< "builtin:idm" or the file path
  std::shared_ptr<const models::Policy> policy;
  std::shared_ptr<const models::Model> network;  ///< the network of a file model; null for a built-in
  /// by_previous_advisory: one policy per advisory (policy is the first of them)
  std::vector<std::shared_ptr<const models::Policy>> by_previous_advisory;

  /// The number of observation values the model takes.
  [[nodiscard]] size_t input_size() const {
    return network ? network->input_size() : policy->input_names().size();
  }
};

/// Loads the network file `path` (.onnx, or .nnet with its normalisation) into slot `slot`. Throws
/// core::InputError when the file is missing or not a model.
[[nodiscard]] LoadedModel LoadModelFile(const std::string& slot, const std::string& path);

/// A family: a scenario with the model that drives its ego and its generators.
struct Family {
  std::string name;
  std::shared_ptr<const Scenario> scenario;
  std::string model_slot;
  std::vector<GeneratorSpec> generators;
};

struct Suite {
  std::string name;
  std::string path;
  uint64_t seed = 0;
  /// A hash of everything the results depend on: the suite and scenario files' bytes (with the
  /// catalogues they include) and the model files' bytes (hex). Content only: the same for any spelling
  /// of the paths and any working directory. Shards and resumed runs must agree on it.
  std::string fingerprint;
  std::map<std::string, LoadedModel> models;
  std::vector<Family> families;
  /// The warnings of its scenario files (Scenario::warnings), each once, in the order the suite names them.
  std::vector<std::string> warnings;

  [[nodiscard]] const LoadedModel& ModelOf(const Family& family) const { return models.at(family.model_slot); }
  /// The family named `family_name`, or null when the suite has none of that name.
  [[nodiscard]] const Family* FindFamily(std::string_view family_name) const {
    for (const Family& f : families) {
      if (f.name == family_name) return &f;
    }
    return nullptr;
  }
};

/// Loads a suite and every scenario and model it names. `model_overrides` maps slot names to model
/// files (gauntlet run --model NAME=PATH). Every problem of every file at once, as core::InputError.
[[nodiscard]] Suite LoadSuite(const std::string& path, const std::map<std::string, std::string>& model_overrides = {});

/// Checks any gauntlet YAML file (a suite, with everything it names, a catalogue, or a single scenario).
/// Throws core::InputError with every problem; returns the warnings (`file:line:col: warning: ...`) of a
/// file that has no error.
std::vector<std::string> CheckFile(const std::string& path);

}  // namespace gauntlet::scenarios
