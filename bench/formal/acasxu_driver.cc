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

int main(int argc, char** argv) {
  std::string dir = GAUNTLET_ACASXU_DIR;
  double cap_s = 1e9;
  std::string filter;
  int every = 1;
  int threads = 0;
  int slope_depth = formal::ProveOptions{}.slope_search_depth;
  formal::SplitCoefficients split_coeffs = formal::ProveOptions{}.split_coeffs;
  int alpha_steps = formal::ProveOptions{}.alpha_steps;
  int64_t max_boxes = formal::ProveOptions{}.max_boxes;
  int trial_dims = formal::ProveOptions{}.trial_split_dims;
  bool combine = formal::ProveOptions{}.combine_rows;
  int alpha_mid_steps = formal::ProveOptions{}.alpha_intermediate_steps;
  int alpha_mid_depth = formal::ProveOptions{}.alpha_intermediate_depth;
  int trial_depth = formal::ProveOptions{}.trial_split_depth;
  int alpha_depth = formal::ProveOptions{}.alpha_depth;
  uint64_t seed = formal::ProveOptions{}.seed;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const std::string v = argv[i + 1];
    if (a == "--dir") {
      dir = v;
    } else if (a == "--timeout") {
      cap_s = std::atof(v.c_str());
    } else if (a == "--filter") {
      filter = v;
    } else if (a == "--every") {
      every = std::max(1, std::atoi(v.c_str()));
    } else if (a == "--split") {
      const int k = std::atoi(v.c_str());  // 0 adaptive slopes, 1 best slopes, 2 alternating
      split_coeffs = k == 1   ? formal::SplitCoefficients::kBestSlopes
                     : k == 2 ? formal::SplitCoefficients::kAlternateByDepth
                              : formal::SplitCoefficients::kAdaptiveSlopes;
    } else if (a == "--alpha-mid-steps") {
      alpha_mid_steps = std::atoi(v.c_str());
    } else if (a == "--alpha-mid-depth") {
      alpha_mid_depth = std::atoi(v.c_str());
    } else if (a == "--combine") {
      combine = std::atoi(v.c_str()) != 0;
    } else if (a == "--trial-dims") {
      trial_dims = std::atoi(v.c_str());
    } else if (a == "--trial-depth") {
      trial_depth = std::atoi(v.c_str());
    } else if (a == "--seed") {
      seed = std::strtoull(v.c_str(), nullptr, 10);
    } else if (a == "--max-boxes") {
      max_boxes = std::atoll(v.c_str());
    } else if (a == "--alpha-steps") {
      alpha_steps = std::atoi(v.c_str());
    } else if (a == "--alpha-depth") {
      alpha_depth = std::atoi(v.c_str());
    } else if (a == "--slope-depth") {
      slope_depth = std::atoi(v.c_str());
    } else if (a == "--threads") {
      threads = std::atoi(v.c_str());
    } else {
      std::cerr << "usage: acasxu_driver [--dir DIR] [--timeout S] [--filter TEXT] [--every N] [--threads N] [--seed S] [--slope-depth D] [--split 0|1|2] [--alpha-steps N] [--alpha-depth D] [--max-boxes N] [--trial-dims K] [--trial-depth D] [--alpha-mid-steps N] [--alpha-mid-depth D] [--combine 0|1]\n";
      return 2;
    }
  }
  std::ifstream csv(dir + "/instances.csv");
  if (!csv) {
    std::cerr << "cannot read " << dir << "/instances.csv\n";
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
    if (index % every != 0) continue;
    if (!filter.empty() && line.find(filter) == std::string::npos) continue;
    std::stringstream ss(line);
    std::string onnx, vnnlib, timeout;
    std::getline(ss, onnx, ',');
    std::getline(ss, vnnlib, ',');
    std::getline(ss, timeout, ',');
    const double budget = std::min(cap_s, std::atof(timeout.c_str()));
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    std::string result, check = "-";
    int64_t boxes = 0;
    double solve_s = -1.0, solve_cpu = -1.0;  // loading and proving, without the check
    try {
      const auto model = gauntlet::models::Model::LoadModel(dir + "/" + onnx);
      const formal::VnnlibProperty prop = formal::LoadVnnlib(dir + "/" + vnnlib, static_cast<int>(model->input_size()),
                                                             static_cast<int>(model->output_size()));
      formal::ProveOptions options;
      options.timeout_s = budget;
      options.threads = threads;
      options.slope_search_depth = slope_depth;
      options.split_coeffs = split_coeffs;
      options.alpha_steps = alpha_steps;
      options.max_boxes = max_boxes;
      options.trial_split_dims = trial_dims;
      options.combine_rows = combine;
      options.alpha_intermediate_steps = alpha_mid_steps;
      options.alpha_intermediate_depth = alpha_mid_depth;
      options.trial_split_depth = trial_depth;
      options.alpha_depth = alpha_depth;
      options.seed = seed;
      const formal::ProveResult r = formal::ProveModel(*model, prop, options);
      solve_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      solve_cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
      boxes = r.boxes;
      const formal::ForwardPass forward = formal::MakeForwardPass(*model);
      if (r.verdict == formal::Verdict::kViolated) {
        result = "sat";
        bool ok = false;
        const Eigen::VectorXd y = forward(r.counterexample);
        for (const formal::PropertyRegion& region : prop.regions) {
          const bool inside = (r.counterexample.array() >= region.box.lo.array()).all() &&
                              (r.counterexample.array() <= region.box.hi.array()).all();
          for (const formal::OutputConjunction& c : region.unsafe) ok = ok || (inside && c.IsSatisfiedBy(y));
        }
        check = ok ? "cex-ok" : "CEX-FAILS";
        if (!ok) ++wrong;
        ++n_sat;
      } else if (r.verdict == formal::Verdict::kHolds) {
        result = "unsat";
        gauntlet::core::Rng rng(static_cast<uint64_t>(index) + 1);
        bool found = false;
        gauntlet::models::Workspace ws;
        for (const formal::PropertyRegion& region : prop.regions) {
          Eigen::MatrixXd xs(20000, region.box.lo.size()), ys;
          for (Eigen::Index s = 0; s < xs.rows(); ++s) {
            for (Eigen::Index i = 0; i < xs.cols(); ++i) xs(s, i) = rng.Uniform(region.box.lo[i], region.box.hi[i]);
          }
          model->EvaluateBatch(xs, &ys, ws);
          for (Eigen::Index s = 0; s < ys.rows() && !found; ++s) {
            const Eigen::VectorXd y = ys.row(s).transpose();
            for (const formal::OutputConjunction& c : region.unsafe) found = found || c.IsSatisfiedBy(y);
          }
        }
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
