#pragma once
// The model binding: how the model under test drives the ego of a scenario. One place for the whole
// concept: the scenario file's `model:` section (ModelBindingSpec), its checks on its own
// (ValidateModelBinding) and against the model a suite binds to it (CheckModelFitsBinding), its
// observation expressions compiled once at load (CompiledObservation), and the trace columns it adds
// (ModelSignalNames). scenarios::ModelDriver applies it each control step; the policy (models/) only
// maps an observation to raw outputs.
//
//   model:
//     slot: acc
//     observation:
//       - {name: gap_m, expr: lead.gap, noise: {gaussian: 0.5}, delay_steps: 1}
//       - {name: speed_mps, expr: ego.speed}
//     accel_mps2: {output: 0, scale: 1, offset: 0}     # continuous: command = output * scale + offset
//     # or advisories: [{name: coc, turn_rate_radps: 0}, ...] with select: argmin (one per output)
//     control_period_s: 0.1
//
// docs/scenario-format.md documents every field.

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/fields.h"
#include "sim/signal_table.h"
#include "verifier/stl/expression.h"

namespace gauntlet::scenarios {

struct LoadedModel;

/// Noise added to an observation slot each control step. Magnitudes may be parameters.
struct NoiseSpec {
  double uniform = 0.0;   ///< half-width of a uniform noise in [-uniform, +uniform]
  double gaussian = 0.0;  ///< standard deviation of a Gaussian noise
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("uniform", &uniform);
    a->Visit("gaussian", &gaussian);
  }
};

/// One input of the model: a signal expression, scaled, then perturbed.
/// value = (expr + bias + noise) * scale + offset, delayed by `delay_steps` control steps; with
/// probability `dropout` a control step keeps the previous value (a dropped frame).
struct ObservationSpec {
  std::string name;  ///< the model's name for this input (built-in controllers check it)
  std::string expr;  ///< a signal expression: "lead.gap", "ego.speed - lead.speed"
  double scale = 1.0;
  double offset = 0.0;
  double bias = 0.0;
  NoiseSpec noise;
  int delay_steps = 0;
  double dropout = 0.0;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("name", &name, core::kRequired);
    a->Visit("expr", &expr, core::kRequired);
    a->Visit("scale", &scale);
    a->Visit("offset", &offset);
    a->Visit("bias", &bias);
    a->Visit("noise", &noise);
    a->Visit("delay_steps", &delay_steps);
    a->Visit("dropout", &dropout);
  }
};

/// How a continuous output becomes a command: command = output[index] * scale + offset.
struct ContinuousActionSpec {
  int output = 0;
  double scale = 1.0;
  double offset = 0.0;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("output", &output);
    a->Visit("scale", &scale);
    a->Visit("offset", &offset);
  }
};

/// A discrete advisory: the command when this output is selected (ACAS Xu: a turn rate).
struct AdvisorySpec {
  std::string name;
  std::optional<double> accel_mps2;
  std::optional<double> steer_rad;
  std::optional<double> turn_rate_radps;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("name", &name, core::kRequired);
    a->Visit("accel_mps2", &accel_mps2);
    a->Visit("steer_rad", &steer_rad);
    a->Visit("turn_rate_radps", &turn_rate_radps);
  }
};

/// Which output selects the advisory: the smallest (ACAS Xu scores) or the largest; ties go to the
/// lowest index (models::ArgMin, models::ArgMax).
enum class AdvisorySelect { kArgMin, kArgMax };
std::span<const core::EnumName<AdvisorySelect>> EnumNames(AdvisorySelect);

/// How the model under test drives the ego: the scenario file's `model:` section.
struct ModelBindingSpec {
  std::string slot;  ///< the suite's model name; the suite entry may substitute another
  std::vector<ObservationSpec> observation;
  /// Continuous outputs, per command.
  std::optional<ContinuousActionSpec> accel_mps2;
  std::optional<ContinuousActionSpec> steer_rad;
  std::optional<ContinuousActionSpec> turn_rate_radps;
  /// Discrete outputs: one advisory per model output; the selected one gives the command.
  std::vector<AdvisorySpec> advisories;
  AdvisorySelect select = AdvisorySelect::kArgMax;
  double control_period_s = 0.0;  ///< 0: every simulation step
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("slot", &slot, core::kRequired);
    a->Visit("observation", &observation, core::kRequired);
    a->Visit("accel_mps2", &accel_mps2);
    a->Visit("steer_rad", &steer_rad);
    a->Visit("turn_rate_radps", &turn_rate_radps);
    a->Visit("advisories", &advisories);
    a->Visit("select", &select);
    a->Visit("control_period_s", &control_period_s);
  }
};

/// An observation slot's expression compiled once at load against the world's signals
/// (sim::SignalNames), like CompiledMetric; the slot's perturbations come from each instance's
/// resolved binding.
struct CompiledObservation {
  ObservationSpec spec;  ///< with nominal values in bound fields
  verifier::stl::BoundExpression expr;
};

/// The binding's problems on its own (either continuous commands or advisories, a non-negative control
/// period, valid perturbations), with field paths under `path` (the section's own path).
[[nodiscard]] std::vector<core::FieldError> ValidateModelBinding(const ModelBindingSpec& binding,
                                                                 std::string_view path = "model");

/// The problems of driving `binding` (of scenario `scenario_name`) with the model `model` loaded in
/// slot `slot`: input count and names, advisories per output, networks per advisory, outputs read.
[[nodiscard]] std::vector<std::string> CheckModelFitsBinding(const ModelBindingSpec& binding,
                                                             const std::string& scenario_name,
                                                             const std::string& slot, const LoadedModel& model);

/// The columns the model binding adds after its observation slots: the command sent, then (discrete
/// bindings only, so it stays last) the index of the chosen advisory. ModelSignalNames names them and
/// ModelDriver writes them at CommandColumn(id) past the slots (sim/signal_table.h).
enum class CommandSignal { kAccel, kSteer, kTurnRate, kAdvisory };
inline constexpr std::array<sim::SignalColumn<CommandSignal>, 4> kCommandSignals = {{
    {CommandSignal::kAccel, "cmd.accel_mps2", "m/s^2"},
    {CommandSignal::kSteer, "cmd.steer_rad", "rad"},
    {CommandSignal::kTurnRate, "cmd.turn_rate_radps", "rad/s"},
    {CommandSignal::kAdvisory, "model.advisory", "1"},
}};
static_assert(sim::TableIsComplete(kCommandSignals));
static_assert(sim::ColumnOf(kCommandSignals, CommandSignal::kAdvisory) + 1 == kCommandSignals.size(),
              "model.advisory is the last column: continuous bindings leave it out");
/// The offset of `id` past the observation slots.
consteval size_t CommandColumn(CommandSignal id) { return sim::ColumnOf(kCommandSignals, id); }

/// Signal names the model binding adds to the trace: "model.in.<name>" per observation slot (the value
/// the model was given), then kCommandSignals: "cmd.accel_mps2", "cmd.steer_rad", "cmd.turn_rate_radps"
/// (the command sent), and "model.advisory" (the index of the chosen advisory) for discrete bindings.
[[nodiscard]] std::vector<std::string> ModelSignalNames(const ModelBindingSpec& binding);

}  // namespace gauntlet::scenarios
