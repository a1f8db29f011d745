#include "models/policy.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/check.h"
#include "core/error.h"
#include "core/format.h"
#include "core/suggest.h"

namespace gauntlet::models {
namespace {

const std::vector<std::string> kFollowInputs = {"gap_m", "speed_mps", "closing_speed_mps"};

[[noreturn]] void Fail(const std::string& message) { throw core::InputError(core::SourcePos{}, message); }

struct Bound {
  const char* name;
  double min;
  bool strict;  // value > min rather than >= min
};

// Merges `params` into `defaults`, rejecting unknown names and out-of-range values.
std::map<std::string, double> Resolve(std::string_view policy, std::map<std::string, double> values,
                                      const std::map<std::string, double>& params, std::span<const Bound> bounds) {
  std::vector<std::string> known;
  for (const auto& [k, v] : values) known.push_back(k);
  for (const auto& [k, v] : params) {
    if (!values.count(k)) {
      Fail("builtin policy '" + std::string(policy) + "': unknown parameter '" + k + "'" + core::DidYouMean(k, known) +
           "; known: " + core::QuotedList(known));
    }
    values[k] = v;
  }
  for (const Bound& b : bounds) {
    const double v = values.at(b.name);
    if (!std::isfinite(v) || (b.strict ? v <= b.min : v < b.min)) {
      Fail("builtin policy '" + std::string(policy) + "': parameter '" + b.name + "' must be " +
           (b.strict ? "> " : ">= ") + core::FormatDouble(b.min) + ", got " + core::FormatDouble(v));
    }
  }
  return values;
}

class IdmPolicy final : public Policy {
 public:
  explicit IdmPolicy(const std::map<std::string, double>& p)
      : Policy(kFollowInputs, 1),
        v0_(p.at("v0")), t_(p.at("T")), s0_(p.at("s0")), a_(p.at("a")), b_(p.at("b")), delta_(p.at("delta")) {}

  void Act(std::span<const double> obs, std::span<double> action, PolicyScratch&) const override {
    GAUNTLET_CHECK(obs.size() == 3 && action.size() == 1);
    const double gap = std::max(obs[0], 1e-3);
    const double v = obs[1];
    const double dv = obs[2];
    const double s_star = s0_ + std::max(0.0, v * t_ + v * dv / (2.0 * std::sqrt(a_ * b_)));
    const double ratio = s_star / gap;
    action[0] = a_ * (1.0 - std::pow(std::max(v, 0.0) / v0_, delta_) - ratio * ratio);
  }

 private:
  double v0_, t_, s0_, a_, b_, delta_;
};

class TtcBrakePolicy final : public Policy {
 public:
  explicit TtcBrakePolicy(const std::map<std::string, double>& p)
      : Policy(kFollowInputs, 1),
        ttc_s_(p.at("ttc_threshold_s")), brake_(p.at("brake_decel_mps2")), cruise_(p.at("cruise_speed_mps")),
        gain_(p.at("cruise_gain_1ps")), max_accel_(p.at("max_accel_mps2")), min_gap_(p.at("min_gap_m")) {}

  void Act(std::span<const double> obs, std::span<double> action, PolicyScratch&) const override {
    GAUNTLET_CHECK(obs.size() == 3 && action.size() == 1);
    const double gap = obs[0];
    const double v = obs[1];
    const double closing = obs[2];
    const bool approaching = closing > 0.0;
    const double ttc = approaching ? gap / closing : std::numeric_limits<double>::infinity();
    if (approaching && (ttc < ttc_s_ || gap < min_gap_)) {
      action[0] = -brake_;
      return;
    }
    action[0] = std::max(-brake_, std::min(max_accel_, gain_ * (cruise_ - v)));
  }

 private:
  double ttc_s_, brake_, cruise_, gain_, max_accel_, min_gap_;
};

const std::map<std::string, double> kIdmDefaults = {{"v0", 30.0}, {"T", 1.5}, {"s0", 2.0},
                                                    {"a", 1.5},   {"b", 2.0}, {"delta", 4.0}};
const Bound kIdmBounds[] = {{"v0", 0.0, true}, {"T", 0.0, false}, {"s0", 0.0, false},
                            {"a", 0.0, true},  {"b", 0.0, true},  {"delta", 0.0, true}};
const std::map<std::string, double> kTtcDefaults = {{"ttc_threshold_s", 2.5}, {"brake_decel_mps2", 8.0},
                                                    {"cruise_speed_mps", 30.0}, {"cruise_gain_1ps", 0.5},
                                                    {"max_accel_mps2", 1.5}, {"min_gap_m", 2.0}};
const Bound kTtcBounds[] = {{"ttc_threshold_s", 0.0, false}, {"brake_decel_mps2", 0.0, true},
                            {"cruise_speed_mps", 0.0, false}, {"cruise_gain_1ps", 0.0, true},
                            {"max_accel_mps2", 0.0, false}, {"min_gap_m", 0.0, false}};

void CheckName(std::string_view name) {
  const auto& names = BuiltinPolicyNames();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    Fail("unknown builtin policy '" + std::string(name) + "'" + core::DidYouMean(name, names) +
         "; known: " + core::QuotedList(names));
  }
}

// A network's input names: "input0", "input1", ...
std::vector<std::string> InputNames(size_t count) {
  std::vector<std::string> names;
  for (size_t i = 0; i < count; ++i) names.push_back("input" + std::to_string(i));
  return names;
}

}  // namespace

Policy::~Policy() = default;

NetworkPolicy::NetworkPolicy(std::shared_ptr<const Model> model)
    : Policy(InputNames(model->input_size()), model->output_size()), model_(std::move(model)) {}

void NetworkPolicy::Act(std::span<const double> observation, std::span<double> action,
                        PolicyScratch& scratch) const {
  GAUNTLET_CHECK(observation.size() == model_->input_size());
  GAUNTLET_CHECK(action.size() == output_size());
  model_->EvaluateRaw(observation, action, scratch.workspace);  // = Evaluate without a .nnet normalisation
}

size_t ArgMin(std::span<const double> values) {
  GAUNTLET_CHECK(!values.empty());
  size_t best = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    if (values[i] < values[best] || (std::isnan(values[best]) && !std::isnan(values[i]))) best = i;
  }
  return best;
}

size_t ArgMax(std::span<const double> values) {
  GAUNTLET_CHECK(!values.empty());
  size_t best = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    if (values[i] > values[best] || (std::isnan(values[best]) && !std::isnan(values[i]))) best = i;
  }
  return best;
}

const std::vector<std::string>& BuiltinPolicyNames() {
  static const std::vector<std::string> names = {"idm", "ttc_brake"};
  return names;
}

std::map<std::string, double> BuiltinPolicyDefaults(std::string_view name) {
  CheckName(name);
  return name == "idm" ? kIdmDefaults : kTtcDefaults;
}

std::shared_ptr<const Policy> MakeBuiltinPolicy(std::string_view name, const std::map<std::string, double>& params) {
  CheckName(name);
  if (name == "idm") return std::make_shared<IdmPolicy>(Resolve(name, kIdmDefaults, params, kIdmBounds));
  return std::make_shared<TtcBrakePolicy>(Resolve(name, kTtcDefaults, params, kTtcBounds));
}

}  // namespace gauntlet::models
