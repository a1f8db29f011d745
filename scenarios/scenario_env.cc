#include "scenarios/scenario_env.h"

#include <boost/context/fiber.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

#include "core/error.h"
#include "core/rng.h"
#include "scenarios/campaign.h"
#include "scenarios/model_driver.h"
#include "sim/episode.h"
#include "verifier/stl/online_monitor.h"

namespace gauntlet::scenarios {

namespace ctx = boost::context;

struct ScenarioEnv::Fiber {
  ctx::fiber episode;  ///< the episode, while it waits for an action
  ctx::fiber caller;   ///< the code that called Reset or Step, while the episode runs
};

namespace {

constexpr size_t kStackBytes = size_t{1} << 20;

/// The agent as the episode's model: each call hands the observation out and waits for the action.
class AgentPolicy final : public models::Policy {
 public:
  using Call = std::function<void(std::span<const double>, std::span<double>)>;
  AgentPolicy(std::vector<std::string> input_names, size_t output_size, Call call)
      : Policy(std::move(input_names), output_size), call_(std::move(call)) {}
  void Act(std::span<const double> observation, std::span<double> action,
           models::PolicyScratch& /*scratch*/) const override {
    call_(observation, action);
  }

 private:
  Call call_;
};

size_t ActionSize(const ModelBindingSpec& binding) {
  if (!binding.advisories.empty()) return binding.advisories.size();
  int outputs = 0;
  for (const auto* spec : {&binding.accel_mps2, &binding.steer_rad, &binding.turn_rate_radps}) {
    if (spec->has_value()) outputs = std::max(outputs, (*spec)->output + 1);
  }
  return static_cast<size_t>(outputs);
}

std::vector<std::string> ObservationNames(const ModelBindingSpec& binding) {
  std::vector<std::string> names;
  for (const ObservationSpec& o : binding.observation) names.push_back(o.name);
  return names;
}

/// Thrown into an abandoned episode at its pending model call, so that it ends cleanly.
struct Abandoned : std::runtime_error {
  Abandoned() : std::runtime_error("the episode was abandoned") {}
};

}  // namespace

ScenarioEnv::ScenarioEnv(std::shared_ptr<const Scenario> scenario)
    : scenario_(std::move(scenario)), fiber_(std::make_unique<Fiber>()) {
  if (scenario_->model_binding.observation.empty() || ActionSize(scenario_->model_binding) == 0) {
    throw core::InputError({scenario_->path, 0, 0},
                           "scenario '" + scenario_->name + "' has no model binding for an agent to play");
  }
  observation_.assign(observation_size(), 0.0);
  action_.assign(action_size(), 0.0);
}

ScenarioEnv::~ScenarioEnv() { Abandon(); }

size_t ScenarioEnv::observation_size() const { return scenario_->model_binding.observation.size(); }
size_t ScenarioEnv::action_size() const { return ActionSize(scenario_->model_binding); }

double ScenarioEnv::time_s() const { return trace_.empty() ? 0.0 : trace_.time().back(); }

void ScenarioEnv::Resume() { fiber_->episode = std::move(fiber_->episode).resume(); }

void ScenarioEnv::Abandon() {
  if (!running_ || !fiber_->episode) return;
  abandon_ = true;
  Resume();
  abandon_ = false;
  running_ = false;
}

void ScenarioEnv::Reset(const std::vector<double>& values, uint64_t seed) {
  Abandon();
  // resolve outside the episode's stack, so bad values reach the caller as they are
  auto instance = std::make_shared<const ResolvedInstance>(scenario_->Resolve(values));
  parameters_ = scenario_->NamedValues(values);
  trace_ = core::Trace(scenario_->signals);
  trace_.SetFixedStep(instance->world.time_step_s);  // as a simulated trace: windows in whole steps
  result_ = InstanceResult{};
  result_.family = scenario_->name;
  result_.seed = seed;
  result_.parameters = parameters_;
  result_.id = MakeInstanceId(scenario_->name, 0, parameters_);
  result_.origin = "agent";
  done_ = false;
  truncated_ = false;
  error_.clear();
  std::fill(observation_.begin(), observation_.end(), 0.0);
  running_ = true;
  fiber_->episode = ctx::fiber(std::allocator_arg, ctx::protected_fixedsize_stack(kStackBytes),
                               [this, instance, seed](ctx::fiber&& caller) {
    fiber_->caller = std::move(caller);
    try {
      auto agent = std::make_shared<AgentPolicy>(
          ObservationNames(instance->model_binding), action_size(),
          [this](std::span<const double> observation, std::span<double> action) {
            std::copy(observation.begin(), observation.end(), observation_.begin());
            fiber_->caller = std::move(fiber_->caller).resume();  // wait for Step
            if (abandon_) throw Abandoned();
            std::copy(action_.begin(), action_.end(), action.begin());
          });
      const LoadedModel model{instance->model_binding.slot, "agent", agent, nullptr, {}};
      core::Rng rng(seed);
      ModelDriver driver(*scenario_, instance->model_binding, model, rng.Fork("sensors"));
      sim::EpisodeOptions options;
      options.control_period_steps = driver.ControlPeriodSteps(instance->world.time_step_s);
      options.extra_signals = driver.SignalNames();
      options.stop_on_collision = scenario_->stop_on_collision;
      options.script = instance->script.get();  // an OpenSCENARIO world's co-simulation
      options.record_trace = false;  // the rows are kept here, as they come
      // gating requirements whose violation an online monitor can prove end the episode
      std::vector<verifier::stl::OnlineMonitor> stoppers;
      for (const CompiledRequirement& r : scenario_->requirements) {
        if (r.spec.gating && r.monitor.formula().IsOnlineMonitorable()) {
          stoppers.emplace_back(r.monitor.formula(), scenario_->signals);
        }
      }
      options.observer = [&](double time_s, std::span<const double> row) {
        trace_.Append(time_s, row);
        bool violated = false;
        for (auto& m : stoppers) violated = m.Push(time_s, row) == verifier::stl::OnlineVerdict::kViolated || violated;
        return !violated;
      };
      const sim::EpisodeResult episode = sim::RunEpisode(instance->world, driver, options);
      if (!abandon_) {
        result_.steps = episode.steps;
        result_.end_time_s = time_s();
        if (episode.status == sim::EpisodeStatus::kError) {
          error_ = episode.error;
          result_.status = InstanceStatus::kError;
          result_.error = episode.error;
        } else {
          truncated_ = episode.status == sim::EpisodeStatus::kCompleted;
          // an episode that ended early is judged over every completion of its horizon, as in verification
          const size_t nominal = truncated_ ? trace_.size() : sim::StepCount(instance->world) + 1;
          EvaluateTrace(*scenario_, trace_, nominal, &result_);
        }
      }
    } catch (const ctx::detail::forced_unwind&) {
      throw;
    } catch (const std::exception& e) {
      error_ = e.what();
      result_.status = InstanceStatus::kError;
      result_.error = e.what();
    }
    done_ = true;
    running_ = false;
    return std::move(fiber_->caller);
  });
  Resume();
  if (!error_.empty()) throw std::runtime_error(error_);
}

void ScenarioEnv::Step(std::span<const double> action) {
  if (!running_ || done_) throw std::logic_error("no episode under way: call Reset first");
  if (action.size() != action_.size()) {
    throw std::invalid_argument("the action has " + std::to_string(action.size()) + " values, the scenario's binding reads " +
                                std::to_string(action_.size()));
  }
  std::copy(action.begin(), action.end(), action_.begin());
  Resume();
  if (!error_.empty()) throw std::runtime_error(error_);
}

std::vector<double> ScenarioEnv::RequirementRobustness() const {
  std::vector<double> out;
  if (done_ && result_.status != InstanceStatus::kError && !result_.requirements.empty()) {
    for (const RequirementOutcome& r : result_.requirements) out.push_back(r.robustness);
    return out;
  }
  for (const CompiledRequirement& r : scenario_->requirements) {
    out.push_back(trace_.empty() ? std::numeric_limits<double>::quiet_NaN() : r.monitor.Evaluate(trace_).robustness);
  }
  return out;
}

}  // namespace gauntlet::scenarios
