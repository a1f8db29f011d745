#include "scenarios/model_binding.h"

#include <array>

#include "scenarios/suite.h"

namespace gauntlet::scenarios {

std::span<const core::EnumName<AdvisorySelect>> EnumNames(AdvisorySelect) {
  static constexpr std::array<core::EnumName<AdvisorySelect>, 2> kNames = {
      {{AdvisorySelect::kArgMin, "argmin"}, {AdvisorySelect::kArgMax, "argmax"}}};
  return kNames;
}

std::vector<core::FieldError> ValidateModelBinding(const ModelBindingSpec& b, std::string_view path) {
  std::vector<core::FieldError> errors;
  const bool continuous = b.accel_mps2 || b.steer_rad || b.turn_rate_radps;
  if (continuous == !b.advisories.empty()) {
    errors.push_back({std::string(path), "the model binding needs either continuous commands (accel_mps2, steer_rad, "
                          "turn_rate_radps) or advisories, not both"});
  }
  if (b.control_period_s < 0) {
    errors.push_back({core::JoinPath(path, "control_period_s"), "control_period_s must not be negative"});
  }
  for (size_t i = 0; i < b.observation.size(); ++i) {
    const ObservationSpec& o = b.observation[i];
    const std::string p = core::IndexPath(core::JoinPath(path, "observation"), i);
    if (o.delay_steps < 0) errors.push_back({p + ".delay_steps", "delay_steps must not be negative"});
    if (o.dropout < 0 || o.dropout > 1) errors.push_back({p + ".dropout", "dropout is a probability in [0, 1]"});
    if (o.noise.uniform < 0 || o.noise.gaussian < 0) {
      errors.push_back({p + ".noise", "noise magnitudes must not be negative"});
    }
  }
  return errors;
}

std::vector<std::string> CheckModelFitsBinding(const ModelBindingSpec& b, const std::string& scenario_name,
                                               const std::string& slot, const LoadedModel& model) {
  std::vector<std::string> problems;
  const models::Policy& policy = *model.policy;
  if (model.input_size() != b.observation.size()) {
    problems.push_back("model '" + slot + "' takes " + std::to_string(model.input_size()) + " inputs but scenario '" +
                       scenario_name + "' observes " + std::to_string(b.observation.size()));
  } else if (!model.network) {
    for (size_t k = 0; k < b.observation.size(); ++k) {
      if (policy.input_names()[k] != b.observation[k].name) {
        problems.push_back("model '" + slot + "' expects input " + std::to_string(k) + " to be '" +
                           policy.input_names()[k] + "' but scenario '" + scenario_name + "' gives '" +
                           b.observation[k].name + "'");
      }
    }
  }
  if (!model.by_previous_advisory.empty() && model.by_previous_advisory.size() != b.advisories.size()) {
    problems.push_back("model '" + slot + "' has " + std::to_string(model.by_previous_advisory.size()) +
                       " networks by previous advisory but scenario '" + scenario_name + "' lists " +
                       std::to_string(b.advisories.size()) + " advisories");
  }
  if (!b.advisories.empty() && policy.output_size() != b.advisories.size()) {
    problems.push_back("model '" + slot + "' has " + std::to_string(policy.output_size()) + " outputs but scenario '" +
                       scenario_name + "' lists " + std::to_string(b.advisories.size()) + " advisories");
  }
  for (const auto* a : {&b.accel_mps2, &b.steer_rad, &b.turn_rate_radps}) {
    if (a->has_value() && ((*a)->output < 0 || static_cast<size_t>((*a)->output) >= policy.output_size())) {
      problems.push_back("scenario '" + scenario_name + "' reads output " + std::to_string((*a)->output) +
                         " but model '" + slot + "' has " + std::to_string(policy.output_size()));
    }
  }
  return problems;
}

std::vector<std::string> ModelSignalNames(const ModelBindingSpec& binding) {
  std::vector<std::string> names;
  for (const auto& o : binding.observation) names.push_back("model.in." + o.name);
  for (const auto& column : kCommandSignals) {
    if (column.id != CommandSignal::kAdvisory || !binding.advisories.empty()) names.emplace_back(column.name);
  }
  return names;
}

}  // namespace gauntlet::scenarios
