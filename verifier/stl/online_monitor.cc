#include "verifier/stl/online_monitor.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "verifier/stl/internal/engine.h"

namespace gauntlet::verifier::stl {

using internal::Node;
using internal::Op;

struct OnlineMonitor::Part {
  bool is_always = false;
  internal::Window window;  // for `always`
  std::unique_ptr<internal::Program> program;
  std::unique_ptr<internal::Evaluation> evaluation;
  std::vector<size_t> slot;  // slot[k]: index in the monitor's values of program->signals[k]
  bool decided = false;
};

namespace {

void FlattenAnd(const internal::NodePtr& node, std::vector<internal::NodePtr>* parts) {
  if (node->op == Op::kAnd) {
    FlattenAnd(node->args[0], parts);
    FlattenAnd(node->args[1], parts);
  } else {
    parts->push_back(node);
  }
}

}  // namespace

OnlineMonitor::OnlineMonitor(const Formula& formula, std::vector<std::string> signal_names, double step) {
  GAUNTLET_CHECK_MSG(step >= 0.0 && std::isfinite(step), "a fixed step is positive and finite, or 0");
  if (!formula.IsOnlineMonitorable()) {
    throw core::InputError(formula.pos(),
                           "the formula cannot be monitored online: it must be a conjunction of parts "
                           "'always[a,b] P' or 'P' where P uses no future operator (always, eventually, "
                           "until, next, s_next)");
  }
  formula.CheckSignals(signal_names);
  std::vector<internal::NodePtr> nodes;
  FlattenAnd(formula.root(), &nodes);
  for (const internal::NodePtr& node : nodes) {
    Part part;
    part.is_always = node->op == Op::kAlways;
    const internal::NodePtr& body = part.is_always ? node->args[0] : node;
    part.window = internal::MakeWindow(node->interval, step);
    part.program = std::make_unique<internal::Program>(internal::Compile(body));
    part.evaluation = std::make_unique<internal::Evaluation>(*part.program, step);
    for (const std::string& name : part.program->signals) {
      part.slot.push_back(static_cast<size_t>(std::find(signal_names.begin(), signal_names.end(), name) -
                                              signal_names.begin()));
    }
    parts_.push_back(std::move(part));
  }
}

OnlineMonitor::~OnlineMonitor() = default;
OnlineMonitor::OnlineMonitor(OnlineMonitor&&) noexcept = default;
OnlineMonitor& OnlineMonitor::operator=(OnlineMonitor&&) noexcept = default;

void OnlineMonitor::Reserve(size_t samples) {
  for (Part& part : parts_) part.evaluation->Reserve(samples);
  size_t widest = 0;
  for (const Part& part : parts_) widest = std::max(widest, part.slot.size());
  scratch_.reserve(widest);
}

OnlineVerdict OnlineMonitor::Push(double time_s, std::span<const double> values) {
  if (verdict_ != OnlineVerdict::kUndecided) return verdict_;
  if (!first_time_s_) first_time_s_ = time_s;
  const double since_start = time_s - *first_time_s_;
  const size_t steps = samples_++;
  bool all_decided = true;
  for (Part& part : parts_) {
    if (part.decided) continue;
    scratch_.resize(part.slot.size());
    for (size_t k = 0; k < part.slot.size(); ++k) scratch_[k] = values[part.slot[k]];
    part.evaluation->Step(time_s, scratch_);
    const double rho = part.evaluation->series(static_cast<int>(part.program->code.size()) - 1).back();
    if (!part.is_always) {
      // decided at the first sample
      part.decided = true;
      if (rho < 0.0) {
        verdict_ = OnlineVerdict::kViolated;
        violation_time_s_ = time_s;
        return verdict_;
      }
      continue;
    }
    const internal::Window& w = part.window;
    if (w.fixed ? steps > w.hi_steps : since_start > w.hi_s) {
      part.decided = true;  // past the window: this sample no longer counts
      continue;
    }
    if ((w.fixed ? steps >= w.lo_steps : since_start >= w.lo_s) && rho < 0.0) {
      verdict_ = OnlineVerdict::kViolated;
      violation_time_s_ = time_s;
      return verdict_;
    }
    all_decided = false;
  }
  if (all_decided) verdict_ = OnlineVerdict::kSatisfied;
  return verdict_;
}

}  // namespace gauntlet::verifier::stl
