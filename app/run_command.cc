// gauntlet run SUITE.yaml [--model NAME=PATH]... [--threads N] [--seed S] [--out DIR] [--quiet]

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "app/args.h"
#include "app/commands.h"
#include "app/run_files.h"
#include "core/error.h"
#include "reports/run_summary.h"
#include "scenarios/campaign.h"
#include "scenarios/suite.h"

namespace gauntlet::app {
namespace {

std::atomic<bool> g_cancel{false};
std::atomic<int> g_signal{0};

extern "C" void OnSignal(int signal) {
  g_signal.store(signal);
  g_cancel.store(true);
}

/// Progress on stderr: a bar with rate and ETA on a terminal, a line every few seconds otherwise.
class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO) == 1), start_(Clock::now()) {}
  void Update(size_t done, size_t total) {
    if (quiet_) return;
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    if (!tty_ && now - last_ < std::chrono::seconds(5) && done < total) return;
    last_ = now;
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
    const double eta = rate > 0 && total > done ? static_cast<double>(total - done) / rate : 0.0;
    if (tty_) {
      const int width = 30;
      const int filled = total > 0 ? static_cast<int>(width * done / total) : width;
      std::fprintf(stderr, "\r[%.*s%.*s] %zu/%zu  %.0f inst/s  ETA %.0f s ", filled,
                   "##############################", width - filled, "                              ", done, total,
                   rate, eta);
      if (done >= total) std::fprintf(stderr, "\n");
    } else {
      std::fprintf(stderr, "gauntlet: %zu/%zu instances, %.0f/s, ETA %.0f s\n", done, total, rate, eta);
    }
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool quiet_;
  bool tty_;
  Clock::time_point start_;
  Clock::time_point last_{};
};

}  // namespace

int RunRunCommand(const std::vector<std::string>& argv) {
  Args args(argv, {{"model", true, true}, {"threads"}, {"seed"}, {"out"}, {"quiet", false}});
  const auto threads = args.Int("threads", 1, 1024);
  const auto seed = args.Int("seed", 0, std::numeric_limits<long long>::max());
  if (!args.ok()) {
    std::cerr << "gauntlet run: " << args.error();
    return kExitUsage;
  }
  if (args.positional().size() != 1) {
    std::cerr << "gauntlet run: expected one suite file\nusage: gauntlet run SUITE.yaml [--model NAME=PATH]... "
                 "[--threads N] [--seed S] [--out DIR] [--quiet]\n";
    return kExitUsage;
  }
  std::map<std::string, std::string> overrides;
  for (const std::string& m : args.GetAll("model")) {
    const size_t eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
      std::cerr << "gauntlet run: --model needs NAME=PATH, got '" << m << "'\n";
      return kExitUsage;
    }
    overrides[m.substr(0, eq)] = m.substr(eq + 1);
  }
  const std::string suite_path = args.positional()[0];
  const std::string out_dir = args.Get("out").value_or("out");

  scenarios::Suite suite;
  try {
    suite = scenarios::LoadSuite(suite_path, overrides);
  } catch (const core::InputError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  }
  if (seed) suite.seed = static_cast<uint64_t>(*seed);

  const bool quiet = args.Has("quiet");
  Progress progress(quiet);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  scenarios::CampaignOptions options;
  options.threads = threads ? static_cast<int>(*threads) : 0;
  options.out_dir = out_dir;
  options.cancel = &g_cancel;
  options.progress = [&](size_t done, size_t total) { progress.Update(done, total); };
  // results stream to results.jsonl and into the summary: memory stays flat for any number of instances
  reports::SummaryBuilder summary_builder;
  std::vector<float> wall_times_s;
  options.keep_results = false;
  options.on_result = [&](const scenarios::InstanceResult& r) {
    summary_builder.Add(r);
    wall_times_s.push_back(static_cast<float>(r.wall_time_s));
  };

  RunManifest manifest{suite_path, suite.seed, overrides};
  try {
    WriteRunManifest(out_dir, manifest);
    const scenarios::CampaignOutcome outcome = scenarios::RunCampaign(suite, options);
    reports::RunInfo info;
    info.suite_name = suite.name;
    info.suite_path = suite_path;
    info.seed = suite.seed;
    info.threads = options.threads;
    info.wall_time_s = outcome.wall_time_s;
    info.out_dir = out_dir;
    info.complete = outcome.complete;
    info.coverage = outcome.coverage;
    for (const auto& [slot, model] : suite.models) info.models.emplace_back(slot, model.source);
    const reports::RunSummary summary = summary_builder.Finish(info);
    WriteTextFile(out_dir + "/summary.json", reports::SummaryJson(summary));
    {
      const std::string junit = out_dir + "/junit.xml";
      std::ofstream out(junit + ".tmp", std::ios::binary | std::ios::trunc);
      reports::WriteJUnitXml(out_dir + "/results.jsonl", summary, wall_times_s, out);
      out.close();
      if (!out || std::rename((junit + ".tmp").c_str(), junit.c_str()) != 0) {
        throw core::InfrastructureError("cannot write " + junit);
      }
    }
    std::cout << reports::SummaryText(summary);
    std::cout.flush();
    if (!outcome.complete) {
      const int signal = g_signal.load();
      std::cerr << "gauntlet run: interrupted; the reports cover the " << summary.instances
                << " instances that finished\n";
      return signal != 0 ? 128 + signal : kExitInternal;
    }
    return summary.ExitCode();
  } catch (const core::InfrastructureError& e) {
    std::cerr << "gauntlet run: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace gauntlet::app
