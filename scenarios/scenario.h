#pragma once
// Scenario: one scenario file, loaded, checked and immutable.
//
// A scenario file describes one family of situations: its parameters (with distributions), the
// world they resolve to (roads, actors, behaviours, sensors: sim::WorldSpec), how the model under
// test is bound to the ego (observation, action, control period), the requirements the model must
// meet and the assumptions an instance must meet to count, and how instances are generated.
// docs/scenario-format.md documents the format with a complete example.
//
//   std::shared_ptr<const Scenario> s = LoadScenario("configs/scenarios/lead_brake.yaml");   // throws InputError
//   ResolvedInstance inst = s->Resolve(values);                                               // per instance
//
// A scenario may `include:` catalogue files and take their entries (parameters, actors,
// requirements) with `use: NAME`, overriding single fields; Scenario::included_files lists them so
// the suite's fingerprint follows their contents.
//
// A Scenario is shared between the campaign's threads: every member is const after loading.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/fields.h"
#include "scenarios/generators/generator_spec.h"
#include "scenarios/model_binding.h"
#include "scenarios/openscenario_world.h"
#include "scenarios/parameter_space.h"
#include "sim/world_spec.h"
#include "verifier/formal/checks.h"
#include "verifier/stl/expression.h"
#include "verifier/stl/formula.h"
#include "verifier/stl/monitor.h"

namespace gauntlet::scenarios {

/// A requirement (gates the model) or an assumption (an instance that breaks it is discarded).
struct RequirementSpec {
  std::string name;
  std::string formula;  ///< STL (docs/stl.md); may use the scenario's `let` definitions
  std::string description;
  bool gating = true;              ///< false: reported, never fails the run
  bool stop_on_violation = false;  ///< stop the episode as soon as a violation is certain
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("name", &name, core::kRequired);
    a->Visit("formula", &formula, core::kRequired);
    a->Visit("description", &description);
    a->Visit("gating", &gating);
    a->Visit("stop_on_violation", &stop_on_violation);
  }
};

enum class MetricReduce { kMin, kMax, kMean, kFinal };
std::span<const core::EnumName<MetricReduce>> EnumNames(MetricReduce);

/// A number recorded per instance: a reduction of a signal expression over the trace.
struct MetricSpec {
  std::string name;
  std::string expr;
  MetricReduce reduce = MetricReduce::kMin;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("name", &name, core::kRequired);
    a->Visit("expr", &expr, core::kRequired);
    a->Visit("reduce", &reduce);
  }
};

/// A formal check that the network's output stays within limits for every input in a box.
struct OutputBoundsSpec {
  std::string name;
  std::vector<double> input_lo;  ///< per model input (the observation after scaling)
  std::vector<double> input_hi;
  int output = 0;
  std::optional<double> min;
  std::optional<double> max;
  double time_budget_s = 10.0;
  bool gating = true;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("name", &name, core::kRequired);
    a->Visit("input_lo", &input_lo, core::kRequired);
    a->Visit("input_hi", &input_hi, core::kRequired);
    a->Visit("output", &output);
    a->Visit("min", &min);
    a->Visit("max", &max);
    a->Visit("time_budget_s", &time_budget_s);
    a->Visit("gating", &gating);
  }
};

/// A formal check of local robustness at states the simulations visited: for every input within
/// +-epsilon of the model's input at such a state, every output changes by at most delta (or the
/// chosen advisory does not change). The states are the inputs at the moment of lowest robustness of
/// the family's first `states` completed instances.
struct LocalRobustnessCheckSpec {
  std::string name;
  std::vector<double> epsilon;  ///< one per input, or one for all
  verifier::formal::RobustnessMode mode = verifier::formal::RobustnessMode::kOutputDelta;
  double delta = 0.0;
  int states = 4;
  double time_budget_s = 10.0;
  bool gating = true;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("name", &name, core::kRequired);
    a->Visit("epsilon", &epsilon, core::kRequired);
    a->Visit("mode", &mode);
    a->Visit("delta", &delta);
    a->Visit("states", &states);
    a->Visit("time_budget_s", &time_budget_s);
    a->Visit("gating", &gating);
  }
};

/// Formal checks on the network that drives the ego (built-in controllers have none to check).
struct FormalSpec {
  std::vector<OutputBoundsSpec> output_bounds;
  std::vector<LocalRobustnessCheckSpec> local_robustness;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("output_bounds", &output_bounds);
    a->Visit("local_robustness", &local_robustness);
  }
};

/// A requirement compiled for monitoring.
struct CompiledRequirement {
  RequirementSpec spec;
  verifier::stl::Monitor monitor;
};

/// A metric compiled against the signals.
struct CompiledMetric {
  MetricSpec spec;
  verifier::stl::Expression expr;
};

/// One instance's world and perturbation values, every parameter substituted.
struct ResolvedInstance {
  std::vector<std::pair<std::string, double>> parameters;  ///< free, then derived, in declaration order
  sim::WorldSpec world;
  ModelBindingSpec model_binding;
  /// Moves the scripted actors of `world` for one episode (EpisodeOptions::script): the instance's
  /// CoSimulation when the scenario's world is an OpenSCENARIO file, else null.
  std::shared_ptr<sim::ActorScript> script;
};

/// A derived parameter: an expression over the parameters declared before it.
struct DerivedParameter {
  std::string name;
  verifier::stl::Expression expr;
  core::SourcePos pos;
};

/// A number field bound to a parameter expression.
struct NumberBinding {
  std::string path;  ///< "world.actors[1].speed_mps"
  verifier::stl::Expression expr;
};

class Scenario {
 public:
  std::string name;
  std::string description;
  std::string path;  ///< the file it was loaded from
  std::vector<std::string> included_files;  ///< the catalogues it includes, directly or not, in load order
  /// `file:line:col: warning: ...` lines of what its files contain and the run ignores (an OpenSCENARIO
  /// world's elements that the standard allows a player to ignore, a missing catalog directory).
  std::vector<std::string> warnings;
  ParameterSpace parameters;
  std::vector<DerivedParameter> derived;
  sim::WorldSpec world;            ///< with nominal values in bound fields (openscenario: the nominal instance's)
  /// The `openscenario:` section: the world of each instance is this OpenSCENARIO file, played with the
  /// instance's parameter values (StartCoSimulation); empty for a scenario with `world:`.
  std::optional<OpenScenarioWorld> openscenario;
  ModelBindingSpec model_binding;  ///< how the model drives the ego, with nominal values in bound fields
  std::vector<CompiledObservation> observations;    ///< model_binding.observation, compiled against the world
  std::vector<NumberBinding> parameter_bindings;    ///< the fields of world and model_binding bound to parameters
  std::vector<std::string> signals;                ///< sim::SignalNames(world) plus the model's inputs/outputs
  std::vector<CompiledRequirement> requirements;
  std::vector<CompiledRequirement> assumptions;
  std::vector<CompiledMetric> metrics;
  std::vector<GeneratorSpec> generators;
  bool stop_on_collision = true;  ///< end an episode at the ego's first contact (a crash ends the test)
  FormalSpec formal;
  // Set-up every instance shares, done once by LoadScenario (empty for a scenario built by hand: each
  // instance then does its own).
  /// The road network of every instance when no parameter changes the road (world.road), else null.
  std::shared_ptr<const sim::RoadNetwork> road;
  /// parameter_bindings' expressions bound to the names of NamedValues, in the same order.
  std::vector<verifier::stl::BoundExpression> bound_bindings;

  /// The instance for parameter values `values` (in `parameters` order).
  [[nodiscard]] ResolvedInstance Resolve(const std::vector<double>& values) const;
  /// The values of the parameters and the derived ones, in order, with names.
  [[nodiscard]] std::vector<std::pair<std::string, double>> NamedValues(const std::vector<double>& values) const;
};

/// Loads and checks a scenario file: every problem at once, as core::InputError. The catalogues it
/// includes must lie inside `include_root` (docs/scenario-format.md "Sharing definitions"): the suite's
/// folder when a suite names the scenario; by default (""), DefaultIncludeRoot(path).
[[nodiscard]] std::shared_ptr<const Scenario> LoadScenario(const std::string& path,
                                                           const std::string& include_root = "");

/// The include root of a scenario or catalogue checked on its own: the folder above its own folder
/// (the usual layout keeps the suite beside `scenarios/` and `catalogs/`).
[[nodiscard]] std::string DefaultIncludeRoot(const std::string& path);

/// Checks a catalogue file (`catalog: NAME`) and the catalogues it includes on their own: every
/// problem at once, as core::InputError. What depends on a scenario (lanes, signals, other actors) is
/// checked where an entry is used.
void CheckCatalogue(const std::string& path);

}  // namespace gauntlet::scenarios
