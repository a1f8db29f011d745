#pragma once
// Controllers the simulation loop calls: a network that maps an observation to its raw outputs
// (NetworkPolicy), and built-in reference controllers (MakeBuiltinPolicy: "idm", "ttc_brake").
// How a scenario feeds a policy and turns its outputs into commands (scaling, perturbations,
// argmin/argmax advisories, control period) is the scenario's model binding
// (scenarios/model_binding.h), applied by scenarios::ModelDriver.
//
// A Policy is immutable and shared between threads; per-thread mutable state lives in a
// PolicyScratch. The caller fills the observation in input_names() order and calls Act.
//
//   auto idm = models::MakeBuiltinPolicy("idm", {{"v0", 30.0}, {"T", 1.2}});
//   models::PolicyScratch scratch;                       // one per thread
//   double obs[3] = {25.0, 20.0, 2.0};                   // gap_m, speed_mps, closing_speed_mps
//   double accel[1];
//   idm->Act(obs, accel, scratch);
//
//   auto net = std::make_shared<models::NetworkPolicy>(models::Model::LoadModel("zoo/acc_good.onnx"));
//   double outputs[1];                                   // net->output_size() raw outputs
//   net->Act(obs, outputs, scratch);
//
// Built-in policies, their inputs, output and parameters (units in the docs; names as in the literature):
//   idm        Intelligent Driver Model. Inputs gap_m, speed_mps, closing_speed_mps (ego - lead).
//              Output accel_mps2 = a (1 - (v/v0)^delta - (s*/s)^2), s* = s0 + max(0, v T + v dv / (2 sqrt(a b))).
//              Parameters: v0 desired speed m/s (30), T time headway s (1.5), s0 minimum gap m (2),
//              a maximum acceleration m/s^2 (1.5), b comfortable deceleration m/s^2 (2), delta (4).
//              The output is NOT clipped (the vehicle model limits it); a gap <= 0 counts as 1 mm.
//   ttc_brake  Cruise control with a time-to-collision emergency brake. Same inputs and output.
//              ttc = gap / closing speed when closing, else infinite. If ttc < ttc_threshold_s or the
//              gap is below min_gap_m while closing, it brakes at brake_decel_mps2; otherwise it
//              tracks cruise_speed_mps: accel = min(max_accel_mps2, cruise_gain_1ps * (cruise - v)),
//              floored at -brake_decel_mps2. Parameters: ttc_threshold_s (2.5), brake_decel_mps2 (8),
//              cruise_speed_mps (30), cruise_gain_1ps (0.5), max_accel_mps2 (1.5), min_gap_m (2).
//
// Caveats: parameter values are checked (positive where they must be); unknown names are
// core::InputError with a default SourcePos and a did-you-mean, for the scenario loader to re-position.

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/model.h"

namespace gauntlet::models {

/// Per-thread mutable scratch for Policy::Act. Default-constructible; one per thread.
class PolicyScratch {
 public:
  PolicyScratch() = default;
  Workspace workspace;  ///< for network evaluation
};

/// A controller: observation in, action out.
class Policy {
 public:
  Policy(std::vector<std::string> input_names, size_t output_size)
      : input_names_(std::move(input_names)), output_size_(output_size) {}
  virtual ~Policy();

  /// The observation slots it expects, in order ("gap_m", "speed_mps", ...).
  [[nodiscard]] virtual const std::vector<std::string>& input_names() const { return input_names_; }
  /// The number of action values Act writes.
  [[nodiscard]] virtual size_t output_size() const { return output_size_; }
  /// Computes the action. `observation.size() == input_names().size()`, `action.size() == output_size()`.
  /// Thread-safe with one scratch per thread.
  virtual void Act(std::span<const double> observation, std::span<double> action, PolicyScratch& scratch) const = 0;

 private:
  std::vector<std::string> input_names_;
  size_t output_size_;
};

/// A network as a controller: the observation is the network's input ("input0", "input1", ...), the
/// action its raw outputs (output_size() == model.output_size()). A network with a .nnet file's
/// normalisation takes raw (physical) inputs and gives raw outputs (Model::EvaluateRaw).
class NetworkPolicy final : public Policy {
 public:
  explicit NetworkPolicy(std::shared_ptr<const Model> model);

  void Act(std::span<const double> observation, std::span<double> action, PolicyScratch& scratch) const override;

  [[nodiscard]] const Model& model() const { return *model_; }

 private:
  std::shared_ptr<const Model> model_;
};

/// The index of the smallest value (ties: the lowest index; NaN never wins unless all are NaN).
[[nodiscard]] size_t ArgMin(std::span<const double> values);
/// The index of the largest value (ties: the lowest index; NaN never wins unless all are NaN).
[[nodiscard]] size_t ArgMax(std::span<const double> values);

/// The names MakeBuiltinPolicy knows, sorted.
[[nodiscard]] const std::vector<std::string>& BuiltinPolicyNames();
/// The parameter names and defaults of a built-in policy; InputError for an unknown name.
[[nodiscard]] std::map<std::string, double> BuiltinPolicyDefaults(std::string_view name);

/// A built-in reference controller with `params` overriding its defaults. Throws core::InputError
/// (default SourcePos) for an unknown name or parameter (listing the known ones, with a
/// did-you-mean) or a value out of range.
[[nodiscard]] std::shared_ptr<const Policy> MakeBuiltinPolicy(std::string_view name,
                                                              const std::map<std::string, double>& params);

}  // namespace gauntlet::models
