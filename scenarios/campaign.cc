#include "scenarios/campaign.h"

#include <nlohmann/json.hpp>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <bit>
#include <deque>
#include <map>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>

#include "core/check.h"
#include "core/error.h"
#include "core/format.h"
#include "core/input_file.h"
#include "core/rng.h"
#include "core/suggest.h"
#include "core/tsan.h"
#include "scenarios/generators/adversarial_search.h"
#include "scenarios/generators/counterexample_shrinking.h"
#include "scenarios/generators/coverage.h"
#include "scenarios/generators/statistics.h"
#include "scenarios/generators/generator_spec.h"
#include "scenarios/lockstep.h"
#include "scenarios/model_driver.h"
#include "scenarios/replay.h"
#include "sim/episode.h"
#include "verifier/formal/checks.h"
#include "verifier/stl/expression.h"
#include "verifier/stl/monitor.h"
#include "verifier/stl/online_monitor.h"

namespace gauntlet::scenarios {
namespace {

using Clock = std::chrono::steady_clock;

/// `nominal_samples`: the samples the run would have had; more than the trace's after an early stop,
/// when the verdict must hold for every completion of the trace (docs/stl.md, "Early stops").
RequirementOutcome Check(const CompiledRequirement& req, const core::Trace& trace, size_t nominal_samples) {
  const verifier::stl::RequirementResult r = req.monitor.EvaluateTruncated(trace, nominal_samples);
  RequirementOutcome out;
  out.name = req.spec.name;
  out.gating = req.spec.gating;
  out.satisfied = r.satisfied;
  out.robustness = r.robustness;
  out.first_violation_time_s = r.first_violation_time_s;
  out.min_robustness = r.min_robustness;
  out.min_robustness_time_s = r.min_robustness_time_s;
  out.averaged_robustness = r.averaged_robustness;
  out.robustness_bounds = r.robustness_bounds;
  out.inconclusive = r.inconclusive;
  return out;
}

double Reduce(const CompiledMetric& metric, const core::Trace& trace) {
  // gather the columns the expression reads, then evaluate it row by row
  const std::vector<std::string>& names = metric.expr.names();
  std::vector<std::span<const double>> columns;
  std::vector<size_t> slots;
  for (size_t k = 0; k < names.size(); ++k) {
    columns.push_back(trace.column(names[k]));
    slots.push_back(k);
  }
  const verifier::stl::BoundExpression bound = metric.expr.BindSlots(slots);
  std::vector<double> row(names.size());
  std::vector<double> series(trace.size());
  for (size_t i = 0; i < trace.size(); ++i) {
    for (size_t k = 0; k < columns.size(); ++k) row[k] = columns[k][i];
    series[i] = bound.Evaluate(row.data());
  }
  if (series.empty()) return std::numeric_limits<double>::quiet_NaN();
  switch (metric.spec.reduce) {
    case MetricReduce::kMin:
      return *std::min_element(series.begin(), series.end());
    case MetricReduce::kMax:
      return *std::max_element(series.begin(), series.end());
    case MetricReduce::kMean: {
      double sum = 0.0;
      for (double v : series) sum += v;
      return sum / static_cast<double>(series.size());
    }
    case MetricReduce::kFinal:
      return series.back();
  }
  return series.back();
}

/// Writes results.jsonl in plan order as a prefix of the plan completes.
class OrderedWriter {
 public:
  explicit OrderedWriter(const std::string& out_dir) {
    if (out_dir.empty()) return;
    std::filesystem::create_directories(out_dir);
    path_ = out_dir + "/results.jsonl";
    out_.open(path_, std::ios::binary | std::ios::trunc);
    if (!out_) throw core::InfrastructureError("cannot write " + path_);
  }
  void Write(const InstanceResult& r) {
    if (!out_.is_open()) return;
    out_ << ToJsonLine(r) << '\n';
    if (!out_) throw core::InfrastructureError("write failed: " + path_ + " (disk full?)");
  }
  void Flush() {
    if (!out_.is_open()) return;
    out_.flush();
    if (!out_) throw core::InfrastructureError("write failed: " + path_ + " (disk full?)");
  }

 private:
  std::string path_;
  std::ofstream out_;
};

/// A sampling generator's stopping rule and the counts it decides on, in plan order.
struct Stopping {
  StoppingRule rule;
  size_t failures = 0;
  size_t trials = 0;
  bool stopped = false;  ///< once true, later results of the generator are dropped (deterministic)
  std::atomic<bool> hint{false};  ///< lets workers skip jobs whose results would be dropped anyway
};

/// Runs batches of instances in parallel and appends their results in order.
class BatchRunner {
 public:
  BatchRunner(const Suite& suite, const CampaignOptions& options, OrderedWriter* writer, CampaignOutcome* outcome,
              std::vector<CoverageTracker>* coverage)
      : suite_(suite), options_(options), writer_(writer), outcome_(outcome), coverage_(coverage) {
    for (size_t f = 0; f < suite.families.size(); ++f) family_slot_[&suite.families[f]] = f;
    for (const auto& [slot, model] : suite.models) {
      if (dynamic_cast<const BatchPolicy*>(model.policy.get()) != nullptr) lockstep_ = true;
    }
  }

  /// Writes a result made outside the plan (a formal check) in the same stream.
  void WriteExternal(InstanceResult r) {
    r.plan_index = written_++;
    writer_->Write(r);
    writer_->Flush();
    if (options_.on_result) options_.on_result(r);
    if (options_.keep_results) outcome_->results.push_back(std::move(r));
  }

  struct Job {
    const Family* family;
    size_t index;
    std::vector<double> values;
    std::string origin;
    std::optional<uint64_t> seed;  ///< when absent: derived from (suite seed, family, index)
    /// The sampling generator's stopping state, shared by its jobs; null when it has no rule.
    struct Stopping* stopping = nullptr;
  };

  /// Runs `jobs` in parallel, chunk by chunk, writing results in order as a prefix completes. With
  /// `objectives`, appends each result's search objective (in job order). Stops early when cancelled.
  void Run(const std::vector<Job>& jobs, size_t planned_total, std::vector<double>* objectives = nullptr,
           const std::string& requirement = "") {
    // chunks of jobs keep memory bounded and the written prefix growing while a long plan runs
    const size_t chunk = 256;
    for (size_t begin = 0; begin < jobs.size(); begin += chunk) {
      if (Cancelled()) {
        outcome_->complete = false;
        return;
      }
      const size_t end = std::min(jobs.size(), begin + chunk);
      std::vector<InstanceResult> results(end - begin);
      std::vector<char> done(end - begin, 0);
      std::vector<char> skipped(end - begin, 0);
      size_t next_to_write = 0;
      std::mutex mutex;
      // writes the completed prefix in plan order (called under the mutex)
      auto flush = [&] {
        while (next_to_write < done.size() && done[next_to_write]) {
          const size_t k = next_to_write++;
          Stopping* stopping = jobs[begin + k].stopping;
          if (stopping != nullptr && stopping->stopped) skipped[k] = 1;
          if (skipped[k]) continue;
          InstanceResult& r = results[k];
          r.plan_index = written_++;
          writer_->Write(r);
          if (options_.on_result) options_.on_result(r);
          coverage_->at(family_slot_.at(jobs[begin + k].family)).Add(jobs[begin + k].values);
          if (stopping != nullptr && r.status == InstanceStatus::kCompleted) {
            ++stopping->trials;
            stopping->failures += r.Failed() ? 1 : 0;
            if (Decide(stopping->rule, stopping->failures, stopping->trials) != StopDecision::kContinue) {
              stopping->stopped = true;
              stopping->hint.store(true);
            }
          }
        }
      };
      // one job: run (or take from the interrupted run), then write the completed prefix
      auto run_job = [&](size_t i) {
        if (Cancelled()) return;
        const Job& job = jobs[i];
        if (job.stopping != nullptr && job.stopping->hint.load()) {
          std::lock_guard lock(mutex);
          skipped[i - begin] = 1;
          done[i - begin] = 1;
          flush();
          return;
        }
        const uint64_t seed =
            job.seed ? *job.seed : core::Rng::InstanceSeed(suite_.seed, job.family->name, job.index);
        InstanceResult result;
        const InstanceResult* recorded = Recorded(*job.family, job.index);
        if (recorded != nullptr && !BelongsToJob(*recorded, job, seed)) recorded = nullptr;  // of another plan
        if (recorded != nullptr) {
          result = *recorded;  // computed by the interrupted run: identical by determinism
        } else {
          result = RunInstance(suite_, {.family = job.family, .index = job.index, .values = job.values,
                                        .seed = seed, .origin = job.origin,
                                        .wall_budget_s = options_.instance_wall_budget_s});
        }
        std::lock_guard lock(mutex);
        results[i - begin] = std::move(result);
        done[i - begin] = 1;
        flush();
      };
      {
        const core::TsanParallelRegion tsan_region;  // see core/tsan.h
        if (!lockstep_) {
          tbb::parallel_for(tbb::blocked_range<size_t>(begin, end, 1),
                            core::TsanBody([&](const tbb::blocked_range<size_t>& range) {
                              for (size_t i = range.begin(); i != range.end(); ++i) run_job(i);
                            }));
        } else {
          // a model evaluated outside (BatchPolicy): groups of consecutive jobs share its calls
          const size_t groups = (end - begin + kLockstepGroupSize - 1) / kLockstepGroupSize;
          tbb::parallel_for(tbb::blocked_range<size_t>(0, groups, 1),
                            core::TsanBody([&](const tbb::blocked_range<size_t>& range) {
                              for (size_t g = range.begin(); g != range.end(); ++g) {
                                const size_t first = begin + g * kLockstepGroupSize;
                                const size_t count = std::min(kLockstepGroupSize, end - first);
                                RunLockstep(count, [&](size_t k) { run_job(first + k); });
                              }
                            }));
        }
      }
      writer_->Flush();
      for (size_t k = 0; k < next_to_write; ++k) {
        if (objectives != nullptr) objectives->push_back(skipped[k] ? NAN : SearchObjective(results[k], requirement));
        if (options_.keep_results && !skipped[k]) outcome_->results.push_back(std::move(results[k]));
      }
      if (options_.progress) options_.progress(written_, std::max(planned_total, written_));
      if (next_to_write < done.size()) {  // cancelled inside the chunk
        outcome_->complete = false;
        return;
      }
    }
  }

  /// True when a recorded result is the one `job` would compute: its seed, origin and parameter values
  /// (bit for bit) are the job's. A resume reuses no line it cannot tie to this run's plan.
  static bool BelongsToJob(const InstanceResult& recorded, const Job& job, uint64_t seed) {
    if (recorded.seed != seed || recorded.origin != job.origin || recorded.parameters.size() < job.values.size()) {
      return false;
    }
    for (size_t k = 0; k < job.values.size(); ++k) {
      if (std::bit_cast<uint64_t>(recorded.parameters[k].second) != std::bit_cast<uint64_t>(job.values[k])) return false;
    }
    return true;
  }

  const InstanceResult* Recorded(const Family& family, size_t index) const {
    if (options_.recorded == nullptr) return nullptr;
    const auto it = options_.recorded->find(family.name + "#" + std::to_string(index));
    return it == options_.recorded->end() ? nullptr : &it->second;
  }

  /// Results written so far.
  [[nodiscard]] size_t written() const { return written_; }

  bool Cancelled() const { return options_.cancel != nullptr && options_.cancel->load(); }

 private:
  const Suite& suite_;
  const CampaignOptions& options_;
  OrderedWriter* writer_;
  CampaignOutcome* outcome_;
  std::vector<CoverageTracker>* coverage_;
  std::map<const Family*, size_t> family_slot_;
  size_t written_ = 0;
  bool lockstep_ = false;  ///< some model is a BatchPolicy: run jobs in lockstep groups
};

/// A planned instance a local robustness check takes its states from.
struct StateSource {
  std::vector<double> values;
  size_t index;
  std::string origin;
};

/// A formal check's outcome as a result line next to the simulations.
/// For local robustness, `reference_input` and `reference_output` are the state the violated check was
/// centred on and the model's outputs there.
InstanceResult FormalResult(const Family& family, size_t index, const std::string& name, bool gating,
                            const verifier::formal::FormalCheckResult& check, double margin, double wall_s,
                            const std::vector<double>& reference_input = {},
                            const std::vector<double>& reference_output = {}) {
  InstanceResult r;
  r.family = family.name;
  r.index = index;
  r.origin = "formal";
  r.id = family.name + "#" + std::to_string(index) + " formal:" + name;
  r.wall_time_s = wall_s;
  if (check.verdict == verifier::formal::Verdict::kHolds || check.verdict == verifier::formal::Verdict::kViolated) {
    RequirementOutcome q;
    q.name = "formal:" + name;
    q.gating = gating;
    q.satisfied = check.verdict == verifier::formal::Verdict::kHolds;
    q.robustness = q.satisfied ? std::max(0.0, margin) : std::min(margin, -std::numeric_limits<double>::min());
    q.min_robustness = q.robustness;
    q.averaged_robustness = q.robustness;
    r.requirements.push_back(q);
    if (!q.satisfied) {  // the counterexample, which `gauntlet replay` re-evaluates
      r.witness = FormalWitness{check.counterexample_input, check.counterexample_output, reference_input, {}};
      if (!reference_input.empty()) r.witness->reference_output = reference_output;
    }
  } else {
    r.status = InstanceStatus::kError;
    r.error = "formal check '" + name + "' is inconclusive: " + check.detail;
  }
  return r;
}

/// A family's formal checks on its network, computed as tasks of a tbb::task_group (so alongside the
/// simulations when started before them) and written, one result per check in declaration order, once
/// the group is done. Each output-bounds check is a task; local robustness is one task that re-runs the
/// family's first planned instances with their traces, in waves of as many as are still missing (so
/// exactly the instances a one-by-one run would re-run are re-run), then checks every state in parallel.
/// Every local-robustness check takes the first `states` completed instances, in plan order.
class FormalChecks {
 public:
  FormalChecks(const Suite& suite, const Family& family, std::vector<StateSource> sources, int threads)
      : suite_(suite), family_(family), formal_(family.scenario->formal), sources_(std::move(sources)),
        threads_(threads), outcomes_(formal_.output_bounds.size() + formal_.local_robustness.size()) {}

  FormalChecks(const FormalChecks&) = delete;
  FormalChecks& operator=(const FormalChecks&) = delete;

  /// Starts computing the checks in `group`. When the index of the first check, `first_index`, is known,
  /// the checks the interrupted run recorded (--resume) are not computed again. Nothing to do without
  /// a network.
  void Start(tbb::task_group& group, const BatchRunner& runner, std::optional<size_t> first_index = std::nullopt) {
    if (suite_.ModelOf(family_).network == nullptr) return;
    auto wanted = [&](size_t k) { return !first_index || Recorded(runner, *first_index + k, k) == nullptr; };
    for (size_t k = 0; k < formal_.output_bounds.size(); ++k) {
      if (!wanted(k)) continue;
      group.run(core::TsanBody([this, k, &runner] {
        if (!runner.Cancelled()) outcomes_[k] = OutputBounds(formal_.output_bounds[k]);
      }));
    }
    std::vector<size_t> local;  // the local robustness checks to compute
    for (size_t l = 0; l < formal_.local_robustness.size(); ++l) {
      if (wanted(formal_.output_bounds.size() + l)) local.push_back(l);
    }
    if (!local.empty()) {
      group.run(core::TsanBody([this, local, &runner] {
        if (!runner.Cancelled()) LocalRobustness(local);
      }));
    }
  }

  /// Once the group is done: writes one result per check (the recorded one on --resume), numbered from
  /// *next_index. Returns false at a check that was not computed (the run was cancelled), writing no more.
  bool Write(size_t* next_index, BatchRunner* runner) {
    if (suite_.ModelOf(family_).network == nullptr) return true;
    for (size_t k = 0; k < outcomes_.size(); ++k) {
      if (const InstanceResult* recorded = Recorded(*runner, *next_index, k)) {
        runner->WriteExternal(*recorded);
      } else if (const std::optional<Outcome>& o = outcomes_[k]) {
        runner->WriteExternal(FormalResult(family_, *next_index, Name(k), Gating(k), o->check, o->margin, o->seconds,
                                           o->reference_input, o->reference_output));
      } else {
        return false;
      }
      ++*next_index;
    }
    return true;
  }

 private:
  /// A check's result before it is numbered.
  struct Outcome {
    verifier::formal::FormalCheckResult check;
    double margin = INFINITY;
    double seconds = 0.0;
    std::vector<double> reference_input;   ///< local robustness: the state `check` was centred on
    std::vector<double> reference_output;  ///< and the model's outputs there
  };

  /// A state for local robustness, from an instance run again with its trace.
  struct State {
    bool completed = false;     ///< the instance completed (else it gives no state)
    std::vector<double> point;  ///< the model's input at the instance's moment of lowest robustness
    double seconds = 0.0;       ///< of the run
  };

  /// Check k: the output-bounds checks, then the local-robustness ones, in declaration order.
  const std::string& Name(size_t k) const {
    const size_t n = formal_.output_bounds.size();
    return k < n ? formal_.output_bounds[k].name : formal_.local_robustness[k - n].name;
  }
  bool Gating(size_t k) const {
    const size_t n = formal_.output_bounds.size();
    return k < n ? formal_.output_bounds[k].gating : formal_.local_robustness[k - n].gating;
  }

  /// Check k's result from the interrupted run (a formal line of the family at `index` naming it), or null.
  const InstanceResult* Recorded(const BatchRunner& runner, size_t index, size_t k) const {
    const InstanceResult* recorded = runner.Recorded(family_, index);
    if (recorded == nullptr || recorded->origin != "formal" ||
        recorded->id != family_.name + "#" + std::to_string(index) + " formal:" + Name(k)) {
      return nullptr;
    }
    return recorded;
  }

  const models::Model& Network() const { return *suite_.ModelOf(family_).network; }

  Outcome OutputBounds(const OutputBoundsSpec& o) const {
    const auto start = Clock::now();
    const models::Model& net = Network();
    std::vector<double> lo(net.output_size(), -INFINITY), hi(net.output_size(), INFINITY);
    const size_t k = static_cast<size_t>(o.output);
    GAUNTLET_CHECK_MSG(k < net.output_size(), "LoadSuite checks the output of a formal bound");
    if (o.min) lo[k] = *o.min;
    if (o.max) hi[k] = *o.max;
    Outcome out;
    out.check = verifier::formal::OutputBoundsCheck(net, o.input_lo, o.input_hi, lo, hi, o.time_budget_s, threads_);
    // margin: how far the sound bounds stay inside the limits, or how far the counterexample is outside
    const verifier::formal::FormalCheckResult& check = out.check;
    if (check.verdict == verifier::formal::Verdict::kViolated) {
      const double y = check.counterexample_output.at(k);
      out.margin = -std::max(o.max ? y - *o.max : -INFINITY, o.min ? *o.min - y : -INFINITY);
    } else if (!check.output_hi.empty()) {
      if (o.max) out.margin = std::min(out.margin, *o.max - check.output_hi[k]);
      if (o.min) out.margin = std::min(out.margin, check.output_lo[k] - *o.min);
    }
    out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return out;
  }

  /// Runs source i again with its trace and takes the model's input at its moment of lowest robustness
  /// (of the first gating requirement).
  State RunState(const StateSource& source) const {
    const auto start = Clock::now();
    State state;
    core::Trace trace;
    const uint64_t seed = core::Rng::InstanceSeed(suite_.seed, family_.name, source.index);
    const InstanceResult run = RunInstance(suite_, {.family = &family_, .index = source.index, .values = source.values,
                                                    .seed = seed, .origin = source.origin, .trace = &trace});
    if (run.status == InstanceStatus::kCompleted && !trace.empty()) {
      double time_s = 0.0;
      for (const auto& q : run.requirements) {
        if (q.gating) {
          time_s = q.min_robustness_time_s;
          break;
        }
      }
      size_t row = 0;
      while (row + 1 < trace.size() && trace.time()[row] < time_s) ++row;
      for (const auto& o : family_.scenario->model_binding.observation) {
        state.point.push_back(trace.column("model.in." + o.name)[row]);
      }
      state.completed = true;
    }
    state.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return state;
  }

  /// The local-robustness checks `local` (indices into formal_.local_robustness).
  void LocalRobustness(const std::vector<size_t>& local) {
    size_t wanted = 0;  // completed states
    for (const size_t l : local) wanted = std::max(wanted, static_cast<size_t>(formal_.local_robustness[l].states));
    // the sources in plan order, in waves of as many as states are missing, until enough completed
    std::vector<State> states(sources_.size());
    size_t tried = 0;
    std::vector<size_t> completed;  // indices into `states`
    while (completed.size() < wanted && tried < sources_.size()) {
      const size_t wave = std::min(wanted - completed.size(), sources_.size() - tried);
      {
        const core::TsanParallelRegion tsan_region;  // see core/tsan.h
        tbb::parallel_for(tbb::blocked_range<size_t>(tried, tried + wave, 1),
                          core::TsanBody([&](const tbb::blocked_range<size_t>& range) {
                            for (size_t i = range.begin(); i != range.end(); ++i) states[i] = RunState(sources_[i]);
                          }));
      }
      for (size_t i = tried; i < tried + wave; ++i) {
        if (states[i].completed) completed.push_back(i);
      }
      tried += wave;
    }
    // every check around every state it takes, in parallel
    struct Job {
      size_t l, state;
    };
    std::vector<Job> jobs;
    for (const size_t l : local) {
      const size_t n = std::min(completed.size(), static_cast<size_t>(formal_.local_robustness[l].states));
      for (size_t j = 0; j < n; ++j) jobs.push_back({l, completed[j]});
    }
    std::vector<verifier::formal::FormalCheckResult> checks(jobs.size());
    std::vector<double> seconds(jobs.size(), 0.0);
    {
      const core::TsanParallelRegion tsan_region;  // see core/tsan.h
      tbb::parallel_for(tbb::blocked_range<size_t>(0, jobs.size(), 1),
                        core::TsanBody([&](const tbb::blocked_range<size_t>& range) {
                          for (size_t j = range.begin(); j != range.end(); ++j) {
                            const auto start = Clock::now();
                            const LocalRobustnessCheckSpec& l = formal_.local_robustness[jobs[j].l];
                            verifier::formal::LocalRobustnessSpec spec;
                            spec.point = states[jobs[j].state].point;
                            spec.epsilon = l.epsilon;
                            spec.delta = l.delta;
                            spec.mode = l.mode;
                            checks[j] = verifier::formal::LocalRobustnessCheck(Network(), spec, l.time_budget_s, threads_);
                            seconds[j] = std::chrono::duration<double>(Clock::now() - start).count();
                          }
                        }));
    }
    // each check's verdict over its states, in plan order
    size_t j = 0;
    for (const size_t l : local) {
      const LocalRobustnessCheckSpec& spec = formal_.local_robustness[l];
      Outcome out;
      out.check.verdict = verifier::formal::Verdict::kHolds;
      size_t checked = 0;
      size_t last_state = tried;  // the re-runs up to the last state taken count in the check's time
      for (; j < jobs.size() && jobs[j].l == l; ++j) {
        const verifier::formal::FormalCheckResult& check = checks[j];
        const std::vector<double>& point = states[jobs[j].state].point;
        ++checked;
        last_state = jobs[j].state + 1;
        out.seconds += seconds[j];
        if (check.verdict != verifier::formal::Verdict::kHolds) {
          if (out.check.verdict != verifier::formal::Verdict::kViolated) {
            out.check = check;
            out.reference_input = point;
          }
          if (check.verdict == verifier::formal::Verdict::kViolated) out.margin = -1.0;
          continue;
        }
        if (spec.mode == verifier::formal::RobustnessMode::kOutputDelta && !check.output_hi.empty()) {
          const std::vector<double> y = Evaluate(point);
          for (size_t k = 0; k < y.size(); ++k) {
            out.margin = std::min(out.margin, spec.delta - std::max(check.output_hi[k] - y[k], y[k] - check.output_lo[k]));
          }
        } else {
          out.margin = std::min(out.margin, 0.0);
        }
      }
      for (size_t i = 0; i < last_state; ++i) out.seconds += states[i].seconds;
      if (checked == 0) {
        out.check.verdict = verifier::formal::Verdict::kUnknown;
        out.check.detail = "no completed instance to take states from";
      }
      if (out.check.verdict == verifier::formal::Verdict::kViolated) out.reference_output = Evaluate(out.reference_input);
      outcomes_[formal_.output_bounds.size() + l] = std::move(out);
    }
  }

  /// The network's outputs at `x` (a plain forward pass).
  std::vector<double> Evaluate(const std::vector<double>& x) const {
    std::vector<double> y(Network().output_size());
    models::Workspace ws;
    Network().Evaluate(x, y, ws);
    return y;
  }

  const Suite& suite_;
  const Family& family_;
  const FormalSpec& formal_;
  std::vector<StateSource> sources_;
  int threads_;
  std::vector<std::optional<Outcome>> outcomes_;  ///< per check; empty until computed
};

/// Waits for the tasks of `group`: what they wrote happens before what follows (core/tsan.h); rethrows
/// the first exception of a task.
void Wait(tbb::task_group& group) {
  group.wait();
  core::TsanAcquire();
}

/// How many of a family's first planned instances are kept as local robustness's states at most.
constexpr size_t kPlanHeads = 64;

/// The seed of a family's fixed plan.
uint64_t PlanSeed(const Suite& suite, const Family& family) {
  return core::Rng::InstanceSeed(suite.seed, family.name + "/plan", 0);
}

/// The states local robustness takes its points around: the family's first planned instances (`heads`,
/// in plan order), twice as many as its checks ask for at most.
std::vector<StateSource> StateSources(const FormalSpec& formal, const std::vector<BatchRunner::Job>& heads) {
  std::vector<StateSource> sources;
  size_t limit = 0;
  for (const auto& l : formal.local_robustness) limit = std::max(limit, 2 * static_cast<size_t>(l.states));
  for (const BatchRunner::Job& job : heads) {
    if (sources.size() >= limit) break;
    sources.push_back({job.values, job.index, job.origin});
  }
  return sources;
}

std::vector<CoverageTracker> MakeCoverage(const Suite& suite) {
  std::vector<CoverageTracker> coverage;
  for (const Family& f : suite.families) coverage.emplace_back(f.scenario->parameters);
  return coverage;
}

void ReportCoverage(const Suite& suite, const std::vector<CoverageTracker>& coverage, CampaignOutcome* outcome) {
  for (size_t f = 0; f < suite.families.size(); ++f) {
    const CoverageReport report = coverage[f].Report();
    outcome->coverage.push_back({suite.families[f].name, report.points, report.single_fraction,
                                 report.pairwise_fraction});
  }
}

}  // namespace

void EvaluateTrace(const Scenario& scenario, const core::Trace& trace, size_t nominal_samples, InstanceResult* result) {
  // after an early stop the requirements see the rest of the horizon as unknown; assumptions are
  // judged on what was simulated
  for (const auto& a : scenario.assumptions) result->assumptions.push_back(Check(a, trace, trace.size()));
  for (const auto& r : scenario.requirements) result->requirements.push_back(Check(r, trace, nominal_samples));
  for (const auto& m : scenario.metrics) result->metrics.emplace_back(m.spec.name, Reduce(m, trace));
  for (const auto& a : result->assumptions) {
    if (!a.satisfied) result->status = InstanceStatus::kInvalid;
  }
}

void EvaluateRecordedTrace(const Scenario& scenario, const core::Trace& trace, const std::string& trace_name,
                           InstanceResult* result) {
  core::Diagnostics diags;
  std::set<std::string> reported;
  auto need = [&](const std::vector<std::string>& names, const std::string& user) {
    for (const std::string& name : names) {
      if (trace.Find(name) || !reported.insert(name).second) continue;
      diags.Error({trace_name, 1, 1}, "the trace has no signal '" + name + "' (" + user + " reads it)" +
                                          core::DidYouMean(name, trace.names()));
    }
  };
  for (const auto& r : scenario.requirements) need(r.monitor.formula().signal_names(), "requirement '" + r.spec.name + "'");
  for (const auto& a : scenario.assumptions) need(a.monitor.formula().signal_names(), "assumption '" + a.spec.name + "'");
  for (const auto& m : scenario.metrics) need(m.expr.names(), "metric '" + m.spec.name + "'");
  diags.ThrowIfAny();
  result->family = scenario.name;
  result->id = trace_name;
  result->origin = "recorded";
  result->steps = trace.size();
  result->end_time_s = trace.empty() ? 0.0 : trace.time().back();
  EvaluateTrace(scenario, trace, trace.size(), result);
}

InstanceResult RunInstance(const Suite& suite, const InstanceRequest& request) {
  const Family& family = *request.family;
  const size_t index = request.index;
  const std::vector<double>& values = request.values;
  const uint64_t seed = request.seed;
  const std::string& origin = request.origin;
  core::Trace* trace_out = request.trace;
  const double wall_budget_s = request.wall_budget_s;
  const Scenario& scenario = *family.scenario;
  InstanceResult result;
  result.family = family.name;
  result.index = index;
  result.seed = seed;
  result.origin = origin;
  const auto start = Clock::now();
  try {
    result.parameters = scenario.NamedValues(values);
    result.id = MakeInstanceId(family.name, index, result.parameters);
    const ResolvedInstance instance = scenario.Resolve(values);
    core::Rng rng(seed);
    ModelDriver driver(scenario, instance.model_binding, suite.ModelOf(family), rng.Fork("sensors"));
    sim::EpisodeOptions episode_options;
    episode_options.control_period_steps = driver.ControlPeriodSteps(instance.world.time_step_s);
    episode_options.extra_signals = driver.SignalNames();
    episode_options.stop_on_collision = scenario.stop_on_collision;
    episode_options.script = instance.script.get();  // an OpenSCENARIO world's co-simulation
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wall_budget_s));
    bool timed_out = false;
    size_t step_counter = 0;
    // online monitors of the requirements that stop the run as soon as their violation is certain
    std::vector<verifier::stl::OnlineMonitor> stoppers;
    const std::vector<std::string>& row_names = scenario.signals;
    for (const auto& r : scenario.requirements) {
      if (!r.spec.stop_on_violation) continue;
      stoppers.emplace_back(r.monitor.formula(), row_names, instance.world.time_step_s);
      stoppers.back().Reserve(sim::ReservedRows(sim::StepCount(instance.world)));  // no allocation per step
    }
    episode_options.observer = [&](double time_s, std::span<const double> row) {
      for (auto& m : stoppers) {
        if (m.Push(time_s, row) == verifier::stl::OnlineVerdict::kViolated) return false;
      }
      // checking the clock every 1024 steps keeps its cost out of the hot loop
      if ((++step_counter & 1023) == 0 && Clock::now() > deadline) {
        timed_out = true;
        return false;
      }
      return true;
    };
    // the road built once for the scenario when no parameter changes it
    sim::EpisodeResult episode = scenario.road ? sim::RunEpisode(instance.world, *scenario.road, driver, episode_options)
                                               : sim::RunEpisode(instance.world, driver, episode_options);
    result.steps = episode.steps;
    result.end_time_s = episode.trace.empty() ? 0.0 : episode.trace.time().back();
    if (timed_out) {
      throw std::runtime_error("exceeded its wall-clock budget of " + std::to_string(wall_budget_s) + " s at t=" +
                               std::to_string(result.end_time_s) + " s");
    }
    if (episode.status == sim::EpisodeStatus::kError) throw std::runtime_error(episode.error);
    // after an early stop the requirements see the rest of the horizon as unknown
    const size_t nominal = episode.status == sim::EpisodeStatus::kStoppedEarly ? sim::StepCount(instance.world) + 1
                                                                               : episode.trace.size();
    EvaluateTrace(scenario, episode.trace, nominal, &result);
    if (trace_out != nullptr) *trace_out = std::move(episode.trace);
  } catch (const core::InputError& e) {
    result.status = InstanceStatus::kError;
    result.error = e.what();
  } catch (const std::exception& e) {
    result.status = InstanceStatus::kError;
    result.error = e.what();
  }
  if (result.status == InstanceStatus::kError) {
    result.requirements.clear();
    result.assumptions.clear();
    result.metrics.clear();
  }
  if (result.id.empty()) result.id = MakeInstanceId(family.name, index, {});
  result.wall_time_s = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

double SearchObjective(const InstanceResult& r, const std::string& requirement) {
  if (r.status == InstanceStatus::kError) return std::numeric_limits<double>::quiet_NaN();
  double robustness = std::numeric_limits<double>::infinity();
  for (const auto& req : r.requirements) {
    if (requirement.empty() ? req.gating : req.name == requirement)
      robustness = std::min(robustness, req.averaged_robustness);
  }
  return r.status == InstanceStatus::kInvalid ? std::max(robustness, r.Infeasibility()) : robustness;
}

namespace {

/// What every campaign sets up: the thread limit, the ordered writer, coverage and the batch runner;
/// Finish() adds coverage, the wall time and completeness to the outcome.
class CampaignSession {
 public:
  CampaignSession(const Suite& suite, const CampaignOptions& options)
      : suite_(suite),
        start_(Clock::now()),
        threads_(options.threads > 0 ? options.threads : static_cast<int>(tbb::info::default_concurrency())),
        control_(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads_)),
        writer_(options.out_dir),
        coverage_(MakeCoverage(suite)),
        runner_(suite, options, &writer_, &outcome_, &coverage_) {}

  [[nodiscard]] int threads() const { return threads_; }
  BatchRunner& runner() { return runner_; }

  CampaignOutcome Finish() {
    ReportCoverage(suite_, coverage_, &outcome_);
    outcome_.wall_time_s = std::chrono::duration<double>(Clock::now() - start_).count();
    if (runner_.Cancelled()) outcome_.complete = false;
    return std::move(outcome_);
  }

 private:
  const Suite& suite_;
  Clock::time_point start_;
  int threads_;
  tbb::global_control control_;
  CampaignOutcome outcome_;
  OrderedWriter writer_;
  std::vector<CoverageTracker> coverage_;
  BatchRunner runner_;
};

}  // namespace

CampaignOutcome RunCampaign(const Suite& suite, const CampaignOptions& options) {
  CampaignSession session(suite, options);
  const int threads = session.threads();
  BatchRunner& runner = session.runner();

  // the fixed plan: every family's non-adaptive points; a generator with a stopping rule stops
  // once its results (in plan order) satisfy the rule
  std::vector<BatchRunner::Job> plan;
  std::vector<size_t> next_index(suite.families.size(), 0);
  std::deque<Stopping> stopping;
  auto family_index_of = [&](const Family* family) { return static_cast<size_t>(family - suite.families.data()); };
  for (size_t f = 0; f < suite.families.size(); ++f) {
    const Family& family = suite.families[f];
    const uint64_t plan_seed = PlanSeed(suite, family);
    std::vector<Stopping*> rules(family.generators.size(), nullptr);
    for (size_t g = 0; g < family.generators.size(); ++g) {
      const StoppingRule rule = ToStoppingRule(family.generators[g]);
      if (rule.target_upper > 0 || rule.stop_on_failure) {
        stopping.emplace_back();
        stopping.back().rule = rule;
        rules[g] = &stopping.back();
      }
    }
    for (PlannedPoint& p : Plan(family.scenario->parameters, family.generators, plan_seed)) {
      BatchRunner::Job job{&family, next_index[f]++, std::move(p.values), std::move(p.label)};
      job.stopping = rules.at(p.generator);
      plan.push_back(std::move(job));
    }
  }
  std::vector<std::vector<BatchRunner::Job>> full_plan_heads(suite.families.size());
  for (const BatchRunner::Job& job : plan) {
    auto& heads = full_plan_heads[family_index_of(job.family)];
    if (heads.size() < kPlanHeads) heads.push_back(job);
  }
  if (options.shard_count > 1) {
    if (!stopping.empty()) {
      throw core::InputError({suite.path, 0, 0},
                             "stopping rules (stop_on_failure, stop_below_rate) need the whole plan in one process; "
                             "they cannot be sharded");
    }
    std::vector<BatchRunner::Job> mine;
    for (size_t k = options.shard_index; k < plan.size(); k += options.shard_count) mine.push_back(std::move(plan[k]));
    plan = std::move(mine);
  }

  // adaptive search and shrinking, family by family, in deterministic batches, then the formal checks: the
  // k-th family with any of them runs them all in shard k % shard_count, so that their indices (which
  // follow one another within a family) are those of the unsharded run
  std::vector<char> mine(suite.families.size(), 0);
  size_t late_counter = 0;
  for (size_t f = 0; f < suite.families.size(); ++f) {
    const Family& family = suite.families[f];
    const bool searches = std::any_of(family.generators.begin(), family.generators.end(),
                                      [](const GeneratorSpec& g) { return IsAdaptive(g.kind); });
    const FormalSpec& formal = family.scenario->formal;
    if (!searches && formal.output_bounds.empty() && formal.local_robustness.empty()) continue;
    mine[f] = late_counter++ % options.shard_count == options.shard_index ? 1 : 0;
  }
  // formal checks on the networks (in the family's shard, as above); local robustness takes its states
  // from the family's first planned instances. They are computed alongside the instances, from the
  // start (on --resume, once the search has fixed their indices), and written after the search.
  std::deque<FormalChecks> formal_checks;
  std::vector<FormalChecks*> formal_of(suite.families.size(), nullptr);
  for (size_t f = 0; f < suite.families.size(); ++f) {
    const FormalSpec& formal = suite.families[f].scenario->formal;
    if (formal.output_bounds.empty() && formal.local_robustness.empty()) continue;
    if (!mine[f]) continue;
    formal_of[f] = &formal_checks.emplace_back(suite, suite.families[f], StateSources(formal, full_plan_heads[f]),
                                               threads);
  }
  tbb::task_group formal_group;  // after what its tasks use: destroyed (waited for) first
  const bool formal_first = options.recorded == nullptr;
  if (formal_first) {
    for (FormalChecks& checks : formal_checks) checks.Start(formal_group, runner);
  }

  runner.Run(plan, plan.size());
  for (size_t f = 0; f < suite.families.size() && !runner.Cancelled(); ++f) {
    const Family& family = suite.families[f];
    const ParameterSpace& space = family.scenario->parameters;
    if (!mine[f]) continue;
    for (size_t g = 0; g < family.generators.size() && !runner.Cancelled(); ++g) {
      const GeneratorSpec& generator = family.generators[g];
      if (!IsAdaptive(generator.kind)) continue;
      const uint64_t search_seed = core::Rng::InstanceSeed(suite.seed, family.name + "/search", g);
      const std::string label(KindName(generator.kind));
      // the objective: the chosen requirement's robustness, or the lowest over the gating ones
      auto make_evaluator = [&](const std::string& origin) -> BatchEvaluator {
        return [&, origin](const std::vector<std::vector<double>>& points) {
          std::vector<BatchRunner::Job> jobs;
          for (const auto& p : points) jobs.push_back({&family, next_index[f]++, p, origin});
          std::vector<double> robustness;
          runner.Run(jobs, runner.written() + jobs.size(), &robustness, generator.requirement);
          robustness.resize(points.size(), std::numeric_limits<double>::quiet_NaN());  // cancelled
          return robustness;
        };
      };
      const BatchEvaluator evaluate = make_evaluator(label);
      AdversarialSearch searcher(space, ToSearchOptions(generator), search_seed);
      while (!searcher.done() && !runner.Cancelled()) {
        const auto batch = searcher.Ask();
        if (batch.empty()) break;
        searcher.Tell(evaluate(batch));
      }
      const SearchResult& found = searcher.result();
      if (found.violation_found && generator.shrink && !runner.Cancelled()) {
        const SearchEvaluation& failing = found.evaluations[found.first_violation];
        const ShrinkResult shrunk = ShrinkCounterexample(space, failing.values, failing.robustness,
                                                         make_evaluator("shrink"), ToShrinkOptions(generator));
        // the minimal failing case is run once more under its own label, next to the first one
        std::vector<BatchRunner::Job> minimal = {{&family, next_index[f]++, shrunk.values, "shrunk"}};
        runner.Run(minimal, runner.written() + 1);
      }
    }
  }
  for (size_t f = 0; f < suite.families.size() && !formal_first; ++f) {
    if (formal_of[f] != nullptr) formal_of[f]->Start(formal_group, runner, next_index[f]);
  }
  Wait(formal_group);
  for (size_t f = 0; f < suite.families.size() && !runner.Cancelled(); ++f) {
    if (formal_of[f] != nullptr && !formal_of[f]->Write(&next_index[f], &runner)) break;
  }

  return session.Finish();
}

size_t ReadRecordedResults(const std::string& path, RecordedResults* out, const std::string& header) {
  if (std::error_code ec; std::filesystem::exists(path, ec)) core::CheckInputFile(path, core::InputKind::kResults);
  std::ifstream in(path, std::ios::binary);
  if (!in) return 0;
  std::string line;
  if (!header.empty() && (!std::getline(in, line) || line != header)) return 0;  // another run's file
  size_t count = 0;
  size_t line_no = header.empty() ? 0 : 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (in.eof()) break;  // no newline at the end: a line cut by a crash mid-write
    if (line.empty()) continue;
    InstanceResult r;
    try {
      r = FromJsonLine(line, path);
    } catch (const core::InputError& e) {
      if (!nlohmann::json::accept(line)) break;  // a damaged line ends what can be trusted
      // a whole line that contradicts itself was edited: never trusted, never silently re-run
      const std::string why = e.diagnostics().empty() ? std::string(e.what()) : e.diagnostics().front().message;
      throw core::InputError({path, static_cast<int>(line_no), 1},
                             why + " (an edited file?); delete the folder or run with a fresh --out");
    }
    (*out)[r.family + "#" + std::to_string(r.index)] = std::move(r);
    ++count;
  }
  return count;
}

CampaignOutcome RunSameInstances(const Suite& suite, const std::vector<InstanceResult>& reference,
                                 const CampaignOptions& options) {
  CampaignSession session(suite, options);
  BatchRunner& runner = session.runner();
  std::vector<BatchRunner::Job> jobs;
  // the formal lines (checks of the network, without parameters) run after the simulations, as in
  // RunCampaign: per family, from the index of its first formal line
  std::vector<std::optional<size_t>> formal_index(suite.families.size());
  std::vector<size_t> formal_order;
  for (const InstanceResult& r : reference) {
    const Family& family = FamilyOf(suite, r);
    if (r.origin == "formal") {
      const size_t f = static_cast<size_t>(&family - suite.families.data());
      if (!formal_index[f]) formal_order.push_back(f);
      formal_index[f] = std::min(formal_index[f].value_or(r.index), r.index);
      continue;
    }
    jobs.push_back({&family, r.index, RecordedValues(family, r, {suite.path, 0, 0}), r.origin, r.seed});
  }
  // the formal checks are computed alongside the simulations and written after them
  std::deque<FormalChecks> formal_checks;
  for (const size_t f : formal_order) {
    const Family& family = suite.families[f];
    // local robustness takes its states from the family's first planned instances, as the reference's run did
    std::vector<BatchRunner::Job> heads;
    for (PlannedPoint& p : Plan(family.scenario->parameters, family.generators, PlanSeed(suite, family))) {
      if (heads.size() == kPlanHeads) break;
      heads.push_back({&family, heads.size(), std::move(p.values), std::move(p.label)});
    }
    formal_checks.emplace_back(suite, family, StateSources(family.scenario->formal, heads), session.threads());
  }
  tbb::task_group formal_group;  // after what its tasks use: destroyed (waited for) first
  for (size_t k = 0; k < formal_order.size(); ++k) {
    formal_checks[k].Start(formal_group, runner, *formal_index[formal_order[k]]);
  }
  runner.Run(jobs, reference.size());
  Wait(formal_group);
  for (size_t k = 0; k < formal_order.size() && !runner.Cancelled(); ++k) {
    size_t next_index = *formal_index[formal_order[k]];
    if (!formal_checks[k].Write(&next_index, &runner)) break;
  }
  return session.Finish();
}

}  // namespace gauntlet::scenarios
