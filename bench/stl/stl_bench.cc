// STL monitor throughput: `always[0,w](x > 0)` over a 1,000,000-sample fixed-step trace, w = 10 and
// 10,000 samples (and over the same times without a declared step). The window must not matter (O(n) per operator node): target ratio <= 1.5, and at least
// 50 million samples per second per operator node. Also the other windowed operators at w = 10,000.
//
//   build-<name>/bench/stl/bench_stl [samples]

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "core/format.h"
#include "core/rng.h"
#include "core/trace.h"
#include "verifier/stl/formula.h"
#include "verifier/stl/monitor.h"

namespace {

using gauntlet::core::FormatDouble;
using gauntlet::verifier::stl::Formula;
using gauntlet::verifier::stl::Monitor;

constexpr double kDt = 0.01;

// CPU time of this thread, in seconds: on a shared, loaded machine it measures the work done, where
// wall time would also count the time other processes held the core.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double WallSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Best of `repeats` runs, in CPU seconds; `wall` gets the best wall time.
double TimeEvaluate(const Monitor& monitor, const gauntlet::core::Trace& trace, int repeats, double* robustness,
                    double* wall) {
  double best = 1e300;
  *wall = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const double start = ThreadCpuSeconds();
    const double wall_start = WallSeconds();
    *robustness = monitor.Evaluate(trace).robustness;
    best = std::min(best, ThreadCpuSeconds() - start);
    *wall = std::min(*wall, WallSeconds() - wall_start);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  // a simulation's trace: fixed step, windows counted in steps (an irregular copy below)
  gauntlet::core::Trace trace({"x", "y"});
  trace.SetFixedStep(kDt);
  gauntlet::core::Trace irregular({"x", "y"});
  trace.Reserve(n);
  irregular.Reserve(n);
  gauntlet::core::Rng rng(1);
  for (size_t i = 0; i < n; ++i) {
    const double row[] = {1.0 + std::sin(0.001 * static_cast<double>(i)) + rng.Uniform(0.0, 0.5),
                          rng.Uniform(-1.0, 1.0)};
    trace.Append(static_cast<double>(i) * kDt, row);
    irregular.Append(static_cast<double>(i) * kDt, row);
  }
  std::printf("trace: %zu samples, dt = %g; times are thread CPU time, best of several runs\n", n, kDt);

  auto window = [](int samples) { return FormatDouble(samples * kDt); };
  struct Case {
    std::string text;
    int operator_nodes;
  };
  double rho = 0.0;
  double wall = 0.0;
  double seconds[2];
  const int windows[2] = {10, 10000};
  for (int k = 0; k < 2; ++k) {
    const Case c{"always[0, " + window(windows[k]) + "] (x > 0)", 2};
    const Monitor monitor(Formula::Parse(c.text));
    seconds[k] = TimeEvaluate(monitor, trace, 7, &rho, &wall);
    std::printf("%-24s w = %5d samples: %7.3f ms (wall %7.3f ms)  %6.1f M samples/s per operator node  "
                "(robustness %s)\n",
                c.text.c_str(), windows[k], seconds[k] * 1e3, wall * 1e3,
                static_cast<double>(n) * c.operator_nodes / seconds[k] / 1e6, FormatDouble(rho).c_str());
  }
  std::printf("ratio w=10000 / w=10: %.3f (target <= 1.5)\n", seconds[1] / seconds[0]);

  const Case others[] = {
      {"x > 0", 1},
      {"eventually[0, " + window(10000) + "] (x > 0)", 2},
      {"historically[0, " + window(10000) + "] (x > 0)", 2},
      {"once[0, " + window(10000) + "] (x > 0)", 2},
      {"(y > -2) until[0, " + window(10000) + "] (x > 1.9)", 4},
      {"(y > -2) since[0, " + window(10000) + "] (x > 1.9)", 4},
      {"always (x > 0 -> eventually[0, 1] y > 0.9)", 5},
  };
  for (const Case& c : others) {
    const Monitor monitor(Formula::Parse(c.text));
    const double s = TimeEvaluate(monitor, trace, 5, &rho, &wall);
    std::printf("%-44s %7.3f ms (wall %7.3f ms)  %6.1f M samples/s per operator node\n", c.text.c_str(), s * 1e3,
                wall * 1e3,
                static_cast<double>(n) * c.operator_nodes / s / 1e6);
  }
  // the same times without a declared step (a CSV with irregular times): windows by time difference
  for (const int w : windows) {
    const std::string text = "always[0, " + window(w) + "] (x > 0)";
    const double s = TimeEvaluate(Monitor(Formula::Parse(text)), irregular, 5, &rho, &wall);
    std::printf("%-44s %7.3f ms (wall %7.3f ms)  %6.1f M samples/s per operator node (irregular times)\n",
                text.c_str(), s * 1e3, wall * 1e3, static_cast<double>(n) * 2 / s / 1e6);
  }
  return 0;
}
