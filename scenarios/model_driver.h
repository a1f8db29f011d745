#pragma once
// ModelDriver: drives the ego of one episode with the model under test.
//
// Each control step it evaluates the scenario's observation expressions (compiled once at load:
// Scenario::observations) on the current signals, applies the instance's sensor perturbations (bias,
// noise, scale and offset, delay, dropout; random draws from the instance's own stream), runs the
// policy (raw outputs), and turns its outputs into the ego's command (continuous outputs scaled, or
// the advisory chosen by argmin/argmax, ties to the lowest index). The observation it fed and the
// command it sent are written to the trace as `model.in.<name>`, `cmd.*` and `model.advisory`.
//
//   ModelDriver driver(scenario, instance.model_binding, suite.ModelOf(family), rng.Fork("sensors"));
//   options.control_period_steps = driver.ControlPeriodSteps(instance.world.time_step_s);
//   options.extra_signals = driver.SignalNames();                  // then sim::RunEpisode(..., &driver)
//
// One driver per episode (it holds per-run state); the scenario and policy it reads are shared.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "models/policy.h"
#include "scenarios/scenario.h"
#include "scenarios/suite.h"
#include "sim/episode.h"

namespace gauntlet::scenarios {

class ModelDriver : public sim::Controller {
 public:
  /// `binding` is the instance's resolved binding (Scenario::Resolve) of `scenario`; the driver keeps
  /// references to `scenario`, `binding` and `model`, which must outlive it.
  ModelDriver(const Scenario& scenario, const ModelBindingSpec& binding, const LoadedModel& model, core::Rng rng);

  /// Steps between two calls of the model for time step `time_step_s`.
  [[nodiscard]] int ControlPeriodSteps(double time_step_s) const;
  /// The extra trace columns the driver writes, in order.
  [[nodiscard]] const std::vector<std::string>& SignalNames() const { return signal_names_; }

  void Act(double time_s, std::span<const double> signals, std::span<double> extra, sim::EgoCommand* command) override;

 private:
  struct Slot {
    const verifier::stl::BoundExpression& expr;  ///< compiled at load
    const ObservationSpec& spec;                 ///< the instance's values
    core::Rng rng;
    std::vector<double> delay_line;  ///< the last delay_steps + 1 readings, reading n at n % size
    size_t readings = 0;             ///< readings so far
    double held = 0.0;
    bool has_held = false;
  };

  const ModelBindingSpec& binding_;
  const models::Policy& policy_;
  const std::vector<std::shared_ptr<const models::Policy>>& by_previous_advisory_;
  size_t previous_advisory_ = 0;  ///< the first advisory (clear of conflict) until the model gives one
  std::vector<Slot> slots_;
  std::vector<std::string> signal_names_;
  std::vector<double> observation_;
  std::vector<double> action_;
  models::PolicyScratch scratch_;
};

}  // namespace gauntlet::scenarios
