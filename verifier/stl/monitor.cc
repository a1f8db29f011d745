#include "verifier/stl/monitor.h"

#include <algorithm>
#include <limits>

#include "core/check.h"
#include "verifier/stl/expression.h"
#include "verifier/stl/internal/engine.h"

namespace gauntlet::verifier::stl {

using internal::Node;
using internal::Op;

namespace {

void FlattenAnd(const Node& node, std::vector<const Node*>* parts) {
  if (node.op == Op::kAnd) {
    FlattenAnd(*node.args[0], parts);
    FlattenAnd(*node.args[1], parts);
  } else {
    parts->push_back(&node);
  }
}

}  // namespace

Monitor::Monitor(const Formula& formula)
    : formula_(formula), program_(std::make_shared<internal::Program>(internal::Compile(formula.root()))) {}

RequirementResult Monitor::Evaluate(const core::Trace& trace) const { return Compute(trace, nullptr); }

MonitorOutput Monitor::Run(const core::Trace& trace) const {
  MonitorOutput out;
  out.result = Compute(trace, &out.robustness);
  return out;
}

std::vector<std::span<const double>> Monitor::BindColumns(const core::Trace& trace) const {
  std::vector<std::span<const double>> columns;
  for (const std::string& name : program_->signals) {
    const auto column = trace.Find(name);
    if (!column) {
      formula_.CheckSignals(trace.names());
      GAUNTLET_CHECK_MSG(false, "CheckSignals reports the missing signal");
    }
    columns.push_back(trace.column(*column));
  }
  return columns;
}

RequirementResult Monitor::EvaluateTruncated(const core::Trace& trace, size_t nominal_samples) const {
  RequirementResult r = Compute(trace, nullptr);
  if (nominal_samples <= trace.size()) return r;
  GAUNTLET_CHECK_MSG(trace.fixed_step() > 0.0, "a truncated trace has a fixed step");
  const auto [lo, hi] =
      internal::RobustnessInterval(*program_, BindColumns(trace), trace.time(), nominal_samples, trace.fixed_step());
  r.robustness_bounds = {lo, hi};
  r.robustness = std::clamp(r.robustness, lo, hi);
  if (lo >= 0.0) {
    r.satisfied = true;
    r.first_violation_time_s.reset();
    r.averaged_robustness = std::max(r.averaged_robustness, r.robustness);
  } else if (hi < 0.0) {
    r.satisfied = false;
    // the recorded trace may not show the violation itself (a window past its end): its last sample
    if (!r.first_violation_time_s) r.first_violation_time_s = trace.time().back();
    r.averaged_robustness = r.robustness;
  } else {
    r.satisfied = false;
    r.inconclusive = true;
    r.first_violation_time_s.reset();
    r.robustness = lo;
    r.averaged_robustness = lo;
  }
  return r;
}

RequirementResult Monitor::Compute(const core::Trace& trace, std::vector<double>* series) const {
  const internal::Program& program = *program_;
  const std::vector<std::span<const double>> columns = BindColumns(trace);
  if (trace.empty()) throw EvaluationError(formula_.pos(), "the trace has no samples", std::nullopt);

  internal::Evaluation evaluation(program, trace.fixed_step());
  evaluation.RunOffline(trace.time(), columns);
  const std::span<const double> t = trace.time();
  const size_t n = t.size();
  const int root = static_cast<int>(program.code.size()) - 1;
  const std::span<const double> rho = evaluation.series(root);

  if (series != nullptr) series->assign(rho.begin(), rho.end());
  RequirementResult r;
  r.robustness = rho[0];
  r.satisfied = rho[0] >= 0.0;

  // the samples in the window [a,b] of sample 0
  auto window_of_first = [&](const Node& always) {
    return internal::FutureWindowOf(internal::MakeWindow(always.interval, trace.fixed_step()), t, 0);
  };

  // first violation time, over the violated parts of a top-level conjunction
  if (!r.satisfied) {
    std::vector<const Node*> parts;
    FlattenAnd(*formula_.root(), &parts);
    double first = std::numeric_limits<double>::infinity();
    for (const Node* part : parts) {
      const auto part_series = evaluation.series(program.index_of.at(part));
      if (!(part_series[0] < 0.0)) continue;
      if (part->op == Op::kAlways) {
        const auto body = evaluation.series(program.index_of.at(part->args[0].get()));
        const auto [lo, hi] = window_of_first(*part);
        for (size_t j = lo; j < hi; ++j) {
          if (body[j] < 0.0) {
            first = std::min(first, t[j]);
            break;
          }
        }
      } else if (internal::IsPastOnly(*part)) {
        first = std::min(first, t[0]);
      } else {
        first = std::min(first, t[n - 1]);
      }
    }
    GAUNTLET_CHECK(first < std::numeric_limits<double>::infinity());
    r.first_violation_time_s = first;
  }

  // averaged robustness: the worst part's mean over its window, for a satisfied requirement
  r.averaged_robustness = r.robustness;
  if (r.robustness > 0.0) {
    std::vector<const Node*> parts;
    FlattenAnd(*formula_.root(), &parts);
    double guide = std::numeric_limits<double>::infinity();
    for (const Node* part : parts) {
      const double part_robustness = evaluation.series(program.index_of.at(part))[0];
      double value = part_robustness;
      if (part->op == Op::kAlways) {
        const auto body = evaluation.series(program.index_of.at(part->args[0].get()));
        const auto [lo, hi] = window_of_first(*part);
        if (lo < hi) {
          double sum = 0.0;
          for (size_t j = lo; j < hi; ++j) sum += body[j];
          // the mean of values >= the part's minimum is >= it; the max keeps that exact under rounding
          value = std::max(part_robustness, sum / static_cast<double>(hi - lo));
        }
      }
      guide = std::min(guide, value);
    }
    r.averaged_robustness = guide;
  }

  // lowest robustness
  const Node& top = *formula_.root();
  std::span<const double> values = rho;
  size_t lo = 0, hi = n;
  if (top.op == Op::kAlways) {
    values = evaluation.series(program.index_of.at(top.args[0].get()));
    std::tie(lo, hi) = window_of_first(top);
  }
  r.min_robustness = std::numeric_limits<double>::infinity();
  r.min_robustness_time_s = t[0];
  for (size_t j = lo; j < hi; ++j) {
    if (values[j] < r.min_robustness) {
      r.min_robustness = values[j];
      r.min_robustness_time_s = t[j];
    }
  }
  return r;
}

}  // namespace gauntlet::verifier::stl
