#include "scenarios/model_driver.h"

#include <cmath>
#include <stdexcept>

#include "core/check.h"
#include "core/format.h"

namespace gauntlet::scenarios {

ModelDriver::ModelDriver(const Scenario& scenario, const ModelBindingSpec& binding, const LoadedModel& model,
                         core::Rng rng)
    : binding_(binding),
      policy_(*model.policy),
      by_previous_advisory_(model.by_previous_advisory),
      signal_names_(ModelSignalNames(binding)) {
  GAUNTLET_CHECK(scenario.observations.size() == binding.observation.size());
  for (size_t i = 0; i < binding.observation.size(); ++i) {
    const ObservationSpec& o = binding.observation[i];
    slots_.push_back({scenario.observations[i].expr, o, rng.Fork("observation." + o.name), {}, 0, 0.0, false});
    if (o.delay_steps > 0) slots_.back().delay_line.resize(static_cast<size_t>(o.delay_steps) + 1);
  }
  observation_.resize(slots_.size());
  action_.resize(policy_.output_size());
}

int ModelDriver::ControlPeriodSteps(double time_step_s) const {
  if (binding_.control_period_s <= 0.0) return 1;
  return std::max(1, static_cast<int>(std::lround(binding_.control_period_s / time_step_s)));
}

void ModelDriver::Act(double time_s, std::span<const double> signals, std::span<double> extra,
                      sim::EgoCommand* command) {
  // observe: expression, bias, noise, scaling, delay, dropout
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    double v = s.expr.Evaluate(signals.data()) + s.spec.bias;
    if (s.spec.noise.uniform > 0) v += s.rng.Uniform(-s.spec.noise.uniform, s.spec.noise.uniform);
    if (s.spec.noise.gaussian > 0) v += s.rng.Normal(0.0, s.spec.noise.gaussian);
    v = v * s.spec.scale + s.spec.offset;
    if (s.spec.delay_steps > 0) {
      // the reading of delay_steps control steps ago; until there is one, the first reading (a ring:
      // no allocation per step)
      const size_t n = s.readings++;
      const size_t size = s.delay_line.size();
      const size_t delay = static_cast<size_t>(s.spec.delay_steps);
      s.delay_line[n % size] = v;
      v = s.delay_line[n >= delay ? (n - delay) % size : 0];
    }
    if (s.spec.dropout > 0 && s.has_held && s.rng.Uniform() < s.spec.dropout) v = s.held;
    s.held = v;
    s.has_held = true;
    observation_[i] = v;
    extra[i] = v;
  }
  // act
  const models::Policy& policy =
      by_previous_advisory_.empty() ? policy_ : *by_previous_advisory_.at(previous_advisory_);
  policy.Act(observation_, action_, scratch_);
  for (size_t k = 0; k < action_.size(); ++k) {
    if (!std::isfinite(action_[k])) {
      throw std::runtime_error("the model's output " + std::to_string(k) + " is " + core::FormatDouble(action_[k]) +
                               " at t=" + core::FormatDouble(time_s) + " s");
    }
  }
  const size_t base = slots_.size();
  if (binding_.advisories.empty()) {
    auto apply = [&](const std::optional<ContinuousActionSpec>& spec, double* out) {
      if (spec) *out = action_[static_cast<size_t>(spec->output)] * spec->scale + spec->offset;
    };
    apply(binding_.accel_mps2, &command->accel_mps2);
    apply(binding_.steer_rad, &command->steer_rad);
    apply(binding_.turn_rate_radps, &command->turn_rate_radps);
  } else {
    // the outputs are finite (checked above); ties keep the lowest index
    const size_t chosen =
        binding_.select == AdvisorySelect::kArgMin ? models::ArgMin(action_) : models::ArgMax(action_);
    previous_advisory_ = chosen;
    const AdvisorySpec& a = binding_.advisories[chosen];
    if (a.accel_mps2) command->accel_mps2 = *a.accel_mps2;
    if (a.steer_rad) command->steer_rad = *a.steer_rad;
    if (a.turn_rate_radps) command->turn_rate_radps = *a.turn_rate_radps;
    extra[base + CommandColumn(CommandSignal::kAdvisory)] = static_cast<double>(chosen);
  }
  extra[base + CommandColumn(CommandSignal::kAccel)] = command->accel_mps2;
  extra[base + CommandColumn(CommandSignal::kSteer)] = command->steer_rad;
  extra[base + CommandColumn(CommandSignal::kTurnRate)] = command->turn_rate_radps;
}

}  // namespace gauntlet::scenarios
