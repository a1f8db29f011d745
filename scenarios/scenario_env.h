#pragma once
// ScenarioEnv: one instance of a scenario as a step-by-step environment, the agent in the place of
// the scenario's model. The same world, the same observation expressions with their noise, bias,
// delay and dropout, the same action mapping (scale and offset, argmin/argmax over advisories) and
// the same control period as in verification: the scenarios a team verifies with are the ones its
// agent trains on (the Python package's gauntlet.ScenarioEnv is this class).
//
//   ScenarioEnv env(LoadScenario("configs/scenarios/lead_brake.yaml"));
//   env.Reset(env.scenario().parameters.NominalPoint(), /*seed=*/7);
//   while (!env.done()) {
//     const double gap = env.observation()[0];
//     const double accel = gap < 20 ? -4.0 : 1.0;
//     env.Step(std::span<const double>(&accel, 1));     // one model output: the binding maps it
//   }
//   const InstanceResult& result = env.result();         // as RunInstance would report it
//
// An episode ends (done()) when the ego touches another actor while the scenario stops on
// collision, when a gating requirement is violated for certain (online monitor), or at duration_s
// (truncated()). The run between two Step calls is one control period of the binding. A model output
// the agent gives that is not finite is an error of the episode, as for a model.
//
// Caveats: not thread-safe; one episode at a time per object (several objects may run at once on
// different threads). The episode runs on a stack of its own (a fiber of 1 MiB).

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/trace.h"
#include "scenarios/instance_result.h"
#include "scenarios/scenario.h"

namespace gauntlet::scenarios {

class ScenarioEnv {
 public:
  /// Throws core::InputError when the scenario has no model binding to play.
  explicit ScenarioEnv(std::shared_ptr<const Scenario> scenario);
  ~ScenarioEnv();
  ScenarioEnv(const ScenarioEnv&) = delete;
  ScenarioEnv& operator=(const ScenarioEnv&) = delete;

  [[nodiscard]] const Scenario& scenario() const { return *scenario_; }
  /// Values per observation (the binding's observation slots).
  [[nodiscard]] size_t observation_size() const;
  /// Values per action: the model outputs the binding reads (one per advisory for a discrete binding).
  [[nodiscard]] size_t action_size() const;

  /// Starts an episode of the instance with parameter values `values` (free parameters in the
  /// scenario's order, as Scenario::Resolve takes them) and sensor-noise seed `seed`, and runs it to
  /// the first model call. An episode under way is abandoned. Throws core::InputError for values
  /// the scenario rejects.
  void Reset(const std::vector<double>& values, uint64_t seed);
  /// Applies `action` (action_size() values) and runs one control period, to the next model call or
  /// the end. Throws std::logic_error when no episode is under way, std::runtime_error when the
  /// episode ended with an error (NaN, physics blow-up, ...).
  void Step(std::span<const double> action);

  /// The observation the agent acts on now (the last one when done()).
  [[nodiscard]] std::span<const double> observation() const { return observation_; }
  [[nodiscard]] bool done() const { return done_; }
  /// Ended by a contact of the ego (with stop_on_collision) or a certain violation of a gating requirement.
  [[nodiscard]] bool terminated() const { return done_ && !truncated_; }
  /// Ended at the scenario's duration_s.
  [[nodiscard]] bool truncated() const { return done_ && truncated_; }
  /// Simulated time of the last recorded row (0 before any).
  [[nodiscard]] double time_s() const;
  /// The recorded rows so far (the scenario's signals).
  [[nodiscard]] const core::Trace& trace() const { return trace_; }
  /// Each requirement's robustness at time 0 over the rows recorded so far (windows clipped to the
  /// rows there are), in declaration order; after the end, the final values.
  [[nodiscard]] std::vector<double> RequirementRobustness() const;
  /// The parameters of the current instance, free then derived, with names.
  [[nodiscard]] const std::vector<std::pair<std::string, double>>& parameters() const { return parameters_; }
  /// After the end: the instance's result (requirements, assumptions, metrics), as RunInstance gives it.
  [[nodiscard]] const InstanceResult& result() const { return result_; }

  struct Fiber;  ///< the episode's own stack (internal)

 private:
  void Resume();
  void Abandon();

  std::shared_ptr<const Scenario> scenario_;
  std::unique_ptr<Fiber> fiber_;
  core::Trace trace_;
  std::vector<double> observation_;
  std::vector<double> action_;
  std::vector<std::pair<std::string, double>> parameters_;
  InstanceResult result_;
  bool running_ = false;  ///< an episode is under way
  bool done_ = false;
  bool truncated_ = false;
  bool abandon_ = false;
  std::string error_;
};

}  // namespace gauntlet::scenarios
