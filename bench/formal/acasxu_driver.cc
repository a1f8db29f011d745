// Runs the ACAS Xu benchmark (VNN-COMP) with `gauntlet prove`'s engine and prints one line per
// instance and the totals.
//
//   acasxu_driver [--dir DIR] [--timeout S] [--filter TEXT] [--every N] [--threads N] [--max-boxes N] [--seed S]
//                 [--slope-depth D] [--split 0|1|2] [--alpha-steps N] [--alpha-depth D]
//                 [--alpha-mid-steps N] [--alpha-mid-depth D] [--combine 0|1] [--trial-dims K] [--trial-depth D]
//
// DIR defaults to the repository's data/acasxu. --timeout caps each instance's timeout from
// instances.csv; --filter keeps the rows containing TEXT; --every N keeps every N-th row. Every `sat`
// counterexample is re-evaluated with the model's plain forward pass (a failure counts as wrong), and
// every `unsat` is cross-checked by 20000 random samples of the input region (one batched forward
// pass of the model; a violating sample counts as wrong). --max-boxes N gives up (unknown) after N boxes: with --threads 1 a deterministic
// budget for comparing methods on a loaded machine. The tuning options set the ProveOptions fields
// of the same names (branch_and_bound.h). Output: `index onnx vnnlib result wall_s cpu_s boxes
// check check_s` (wall_s and cpu_s: loading the model and property and proving, as VNN-COMP times
// them; check_s: the wall time of the check), then the totals: total_time_s and cpu_s summed over
// the instances, check_s, and the whole run's wall and CPU time (run_wall_s, run_cpu_s).

#include <chrono>
#include <cstdint>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/rng.h"
#include "models/model.h"
#include "verifier/formal/checks.h"
#include "verifier/formal/vnnlib.h"

namespace formal = gauntlet::verifier::formal;

namespace {

// The driver's options (see the top of the file); `prove` holds the tuning options and the thread count.
struct DriverOptions {
  std::string dir = GAUNTLET_ACASXU_DIR;
  double cap_s = 1e9;
  std::string filter;
  int every = 1;
  formal::ProveOptions prove;
};

// Parses the command line into `d`; false (after printing the usage) on an unknown option.
bool ParseArgs(int argc, char** argv, DriverOptions& d) {
  formal::ProveOptions& p = d.prove;
  p.threads = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const std::string v = argv[i + 1];
    if (a == "--dir") {
      d.dir = v;
    } else if (a == "--timeout") {
      d.cap_s = std::atof(v.c_str());
    } else if (a == "--filter") {
      d.filter = v;
    } else if (a == "--every") {
      d.every = std::max(1, std::atoi(v.c_str()));
    } else if (a == "--split") {
      const int k = std::atoi(v.c_str());  // 0 adaptive slopes, 1 best slopes, 2 alternating
      p.split_coeffs = k == 1   ? formal::SplitCoefficients::kBestSlopes
                     : k == 2 ? formal::SplitCoefficients::kAlternateByDepth
                              : formal::SplitCoefficients::kAdaptiveSlopes;
    } else if (a == "--alpha-mid-steps") {
      p.alpha_intermediate_steps = std::atoi(v.c_str());
    } else if (a == "--alpha-mid-depth") {
      p.alpha_intermediate_depth = std::atoi(v.c_str());
    } else if (a == "--combine") {
      p.combine_rows = std::atoi(v.c_str()) != 0;
    } else if (a == "--trial-dims") {
      p.trial_split_dims = std::atoi(v.c_str());
    } else if (a == "--trial-depth") {
      p.trial_split_depth = std::atoi(v.c_str());
    } else if (a == "--seed") {
      p.seed = std::strtoull(v.c_str(), nullptr, 10);
    } else if (a == "--max-boxes") {
      p.max_boxes = std::atoll(v.c_str());
    } else if (a == "--alpha-steps") {
      p.alpha_steps = std::atoi(v.c_str());
    } else if (a == "--alpha-depth") {
      p.alpha_depth = std::atoi(v.c_str());
    } else if (a == "--slope-depth") {
      p.slope_search_depth = std::atoi(v.c_str());
    } else if (a == "--threads") {
      p.threads = std::atoi(v.c_str());
    } else {
      std::cerr << "usage: acasxu_driver [--dir DIR] [--timeout S] [--filter TEXT] [--every N] [--threads N] [--seed S] [--slope-depth D] [--split 0|1|2] [--alpha-steps N] [--alpha-depth D] [--max-boxes N] [--trial-dims K] [--trial-depth D] [--alpha-mid-steps N] [--alpha-mid-depth D] [--combine 0|1]\n";
      return false;
    }
  }
  return true;
}

// Whether the counterexample of `r` lies in a region of `prop` and reaches one of its unsafe
// conjunctions by the model's plain forward pass.
bool CounterexampleHolds(const gauntlet::models::Model& model, const formal::VnnlibProperty& prop,
                         const formal::ProveResult& r) {
  const formal::ForwardPass forward = formal::MakeForwardPass(model);
  bool ok = false;
  const Eigen::VectorXd y = forward(r.counterexample);
  for (const formal::PropertyRegion& region : prop.regions) {
    const bool inside = (r.counterexample.array() >= region.box.lo.array()).all() &&
                        (r.counterexample.array() <= region.box.hi.array()).all();
    for (const formal::OutputConjunction& c : region.unsafe) ok = ok || (inside && c.IsSatisfiedBy(y));
  }
  return ok;
}

// Whether one of 20000 random samples of each region (seeded by the instance's index) reaches an
// unsafe conjunction.
bool SampleViolates(const gauntlet::models::Model& model, const formal::VnnlibProperty& prop, int index) {
  gauntlet::core::Rng rng(static_cast<uint64_t>(index) + 1);
  bool found = false;
  gauntlet::models::Workspace ws;
  for (const formal::PropertyRegion& region : prop.regions) {
    Eigen::MatrixXd xs(20000, region.box.lo.size()), ys;
    for (Eigen::Index s = 0; s < xs.rows(); ++s) {
      for (Eigen::Index i = 0; i < xs.cols(); ++i) xs(s, i) = rng.Uniform(region.box.lo[i], region.box.hi[i]);
    }
    model.EvaluateBatch(xs, &ys, ws);
    for (Eigen::Index s = 0; s < ys.rows() && !found; ++s) {
      const Eigen::VectorXd y = ys.row(s).transpose();
      for (const formal::OutputConjunction& c : region.unsafe) found = found || c.IsSatisfiedBy(y);
    }
  }
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  DriverOptions d;
  if (!ParseArgs(argc, argv, d)) return 2;
  std::ifstream csv(d.dir + "/instances.csv");
  if (!csv) {
    std::cerr << "cannot read " << d.dir << "/instances.csv\n";
    return 3;
  }
  std::string line;
  int index = -1, run = 0, n_sat = 0, n_unsat = 0, unsolved = 0, wrong = 0;
  double total_s = 0.0, total_cpu_s = 0.0, total_check_s = 0.0;
  const auto run_start = std::chrono::steady_clock::now();
  const std::clock_t run_cpu_start = std::clock();
  while (std::getline(csv, line)) {
    if (line.empty()) continue;
    ++index;
    if (index % d.every != 0) continue;
    if (!d.filter.empty() && line.find(d.filter) == std::string::npos) continue;
    std::stringstream ss(line);
    std::string onnx, vnnlib, timeout;
    std::getline(ss, onnx, ',');
    std::getline(ss, vnnlib, ',');
    std::getline(ss, timeout, ',');
    const double budget = std::min(d.cap_s, std::atof(timeout.c_str()));
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    std::string result, check = "-";
    int64_t boxes = 0;
    double solve_s = -1.0, solve_cpu = -1.0;  // loading and proving, without the check
    try {
      const auto model = gauntlet::models::Model::LoadModel(d.dir + "/" + onnx);
      const formal::VnnlibProperty prop = formal::LoadVnnlib(d.dir + "/" + vnnlib, static_cast<int>(model->input_size()),
                                                             static_cast<int>(model->output_size()));
      formal::ProveOptions options = d.prove;
      options.timeout_s = budget;
      const formal::ProveResult r = formal::ProveModel(*model, prop, options);
      solve_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      solve_cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
      boxes = r.boxes;
      if (r.verdict == formal::Verdict::kViolated) {
        result = "sat";
        const bool ok = CounterexampleHolds(*model, prop, r);
        check = ok ? "cex-ok" : "CEX-FAILS";
        if (!ok) ++wrong;
        ++n_sat;
      } else if (r.verdict == formal::Verdict::kHolds) {
        result = "unsat";
        const bool found = SampleViolates(*model, prop, index);
        check = found ? "SAMPLE-VIOLATES" : "samples-ok";
        if (found) ++wrong;
        ++n_unsat;
      } else {
        result = std::string(formal::VerdictName(r.verdict));
        ++unsolved;
      }
    } catch (const std::exception& e) {
      result = "error";
      check = e.what();
      ++unsolved;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    if (solve_s < 0.0) {  // an exception before the verdict
      solve_s = secs;
      solve_cpu = cpu;
    }
    total_s += solve_s;
    total_cpu_s += solve_cpu;
    total_check_s += secs - solve_s;
    ++run;
    std::printf("%3d %s %s %s %.2f %.2f %lld %s %.2f\n", index, onnx.c_str(), vnnlib.c_str(), result.c_str(), solve_s,
                solve_cpu, static_cast<long long>(boxes), check.c_str(), secs - solve_s);
    std::fflush(stdout);
  }
  const double run_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
  const double run_cpu = static_cast<double>(std::clock() - run_cpu_start) / CLOCKS_PER_SEC;
  std::printf("instances %d solved %d (sat %d, unsat %d) unsolved %d wrong %d total_time_s %.1f cpu_s %.1f check_s %.1f "
              "run_wall_s %.1f run_cpu_s %.1f\n",
              run, n_sat + n_unsat, n_sat, n_unsat, unsolved, wrong, total_s, total_cpu_s, total_check_s, run_s, run_cpu);
  return wrong == 0 ? 0 : 1;
}
