#include "scenarios/lockstep.h"

#include <boost/context/fiber.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <exception>
#include <stdexcept>
#include <utility>

#include "core/check.h"

namespace gauntlet::scenarios {
namespace {

namespace ctx = boost::context;

constexpr size_t kStackBytes = size_t{1} << 20;

/// A job's pending model call.
struct Request {
  const BatchPolicy* policy = nullptr;  ///< null: nothing pending
  std::span<const double> observation;
  std::span<double> action;
  bool failed = false;
  std::string error;
};

/// The state of one RunLockstep call, shared by its scheduler and its jobs (one thread).
struct Group {
  std::vector<Request> requests;  ///< one per job
  ctx::fiber scheduler;           ///< where a running job returns to when it waits or ends
  size_t current = 0;             ///< the job running now
  bool in_job = false;            ///< a job (not the scheduler) is running
};

thread_local Group* t_group = nullptr;

/// Calls the policy; returns its error message, empty when it succeeded.
std::string TryEvaluate(const BatchPolicy& policy, std::span<const double> observations, size_t rows,
                        std::span<double> actions) {
  try {
    policy.Evaluate(observations, rows, actions);
    return {};
  } catch (const std::exception& e) {
    const std::string message = e.what();
    return message.empty() ? "the model failed" : message;
  }
}

/// Serves every request of the round: one call per policy, rows in job order. When a call fails,
/// each of its rows is evaluated alone, so only the instances whose rows fail get the error.
void ServeRound(Group& group) {
  std::vector<char> served(group.requests.size(), 0);
  std::vector<size_t> batch;
  std::vector<double> observations;
  std::vector<double> actions;
  for (size_t first = 0; first < group.requests.size(); ++first) {
    const BatchPolicy* policy = group.requests[first].policy;
    if (policy == nullptr || served[first]) continue;
    batch.clear();
    for (size_t i = first; i < group.requests.size(); ++i) {
      if (group.requests[i].policy == policy && !served[i]) {
        batch.push_back(i);
        served[i] = 1;
      }
    }
    const size_t inputs = policy->input_names().size();
    const size_t outputs = policy->output_size();
    observations.assign(batch.size() * inputs, 0.0);
    actions.assign(batch.size() * outputs, 0.0);
    for (size_t r = 0; r < batch.size(); ++r) {
      const std::span<const double> row = group.requests[batch[r]].observation;
      GAUNTLET_CHECK(row.size() == inputs);
      std::copy(row.begin(), row.end(), observations.begin() + static_cast<std::ptrdiff_t>(r * inputs));
    }
    if (TryEvaluate(*policy, observations, batch.size(), actions).empty()) {
      for (size_t r = 0; r < batch.size(); ++r) {
        Request& request = group.requests[batch[r]];
        GAUNTLET_CHECK(request.action.size() == outputs);
        std::copy_n(actions.begin() + static_cast<std::ptrdiff_t>(r * outputs), outputs, request.action.begin());
      }
      continue;
    }
    // the batch failed: each row alone, so that the error is the instance's that caused it
    for (size_t r = 0; r < batch.size(); ++r) {
      Request& request = group.requests[batch[r]];
      GAUNTLET_CHECK(request.action.size() == outputs);
      std::string error = TryEvaluate(*policy, request.observation, 1, request.action);
      if (!error.empty()) {
        request.failed = true;
        request.error = std::move(error);
      }
    }
  }
}

}  // namespace

BatchPolicy::BatchPolicy(std::vector<std::string> input_names, size_t output_size, BatchFunction function)
    : Policy(std::move(input_names), output_size), function_(std::move(function)) {}

void BatchPolicy::Evaluate(std::span<const double> observations, size_t rows, std::span<double> actions) const {
  GAUNTLET_CHECK(observations.size() == rows * input_names().size());
  GAUNTLET_CHECK(actions.size() == rows * output_size());
  function_(observations, rows, actions);
}

void BatchPolicy::Act(std::span<const double> observation, std::span<double> action,
                      models::PolicyScratch& /*scratch*/) const {
  Group* const group = t_group;
  if (group == nullptr || !group->in_job) {
    Evaluate(observation, 1, action);
    return;
  }
  // queue the row and wait for the round's batch
  Request& request = group->requests[group->current];
  request = Request{this, observation, action, false, {}};
  group->in_job = false;
  group->scheduler = std::move(group->scheduler).resume();
  const bool failed = request.failed;
  std::string error = std::move(request.error);
  request = Request{};
  if (failed) throw std::runtime_error(error);
}

void RunLockstep(size_t count, const std::function<void(size_t)>& job) {
  Group group;
  group.requests.resize(count);
  std::vector<std::exception_ptr> failures(count);
  std::vector<ctx::fiber> fibers;
  fibers.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    fibers.emplace_back(std::allocator_arg, ctx::protected_fixedsize_stack(kStackBytes),
                        [&group, &job, &failures, i](ctx::fiber&& scheduler) {
                          group.scheduler = std::move(scheduler);
                          try {
                            job(i);
                          } catch (const ctx::detail::forced_unwind&) {
                            throw;  // the fiber is being destroyed: let boost unwind it
                          } catch (...) {
                            failures[i] = std::current_exception();
                          }
                          return std::move(group.scheduler);
                        });
  }
  Group* const outer = t_group;
  t_group = &group;
  // rounds: every live job runs to its next model call or its end, then the calls are served
  for (bool running = true; running;) {
    running = false;
    for (size_t i = 0; i < count; ++i) {
      if (!fibers[i]) continue;
      group.current = i;
      group.in_job = true;
      fibers[i] = std::move(fibers[i]).resume();
      group.in_job = false;
      running = running || static_cast<bool>(fibers[i]);
    }
    ServeRound(group);
  }
  t_group = outer;
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

}  // namespace gauntlet::scenarios
