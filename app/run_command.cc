// gauntlet run SUITE.yaml [--model NAME=PATH]... [--threads N] [--seed S] [--out DIR] [--quiet]

#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/args.h"
#include "app/commands.h"
#include "app/run_files.h"
#include "core/error.h"
#include "history/run_history.h"
#include "reports/html_report.h"
#include "reports/run_summary.h"
#include "reports/run_writer.h"
#include "scenarios/campaign.h"
#include "scenarios/replay.h"
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

struct Shard {
  size_t index = 0;
  size_t count = 1;
};

/// The shard from --shard-index/--shard-count, else from the batch system's variables: Kubernetes
/// Indexed Jobs (JOB_COMPLETION_INDEX, with --shard-count), Slurm arrays (SLURM_ARRAY_TASK_ID,
/// SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN), Bazel (TEST_SHARD_INDEX, TEST_TOTAL_SHARDS), GitLab
/// (CI_NODE_INDEX, 1-based, CI_NODE_TOTAL). Prints the problem and returns nullopt on bad values.
std::optional<Shard> ResolveShard(Args& args) {
  // a variable is a decimal integer in [0, 2^40]: garbage, a sign or an overflow is an error, never a
  // shard (the differences below cannot overflow)
  constexpr long long kMaxEnv = 1LL << 40;
  bool bad_env = false;
  auto env = [&](const char* name) -> std::optional<long long> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    const std::string_view text(v);
    long long x = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), x);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || x < 0 || x > kMaxEnv) {
      if (!bad_env) {
        std::cerr << "gauntlet run: " << name << "='" << text.substr(0, 40) << (text.size() > 40 ? "..." : "")
                  << "' is not an integer from 0 to " << kMaxEnv << "\n";
      }
      bad_env = true;
      return std::nullopt;
    }
    return x;
  };
  std::optional<long long> index = args.Int("shard-index", 0, 1 << 20);
  std::optional<long long> count = args.Int("shard-count", 1, 1 << 20);
  if (!args.ok()) return Shard{};  // the caller reports the usage error
  std::string source = "--shard-index";
  if (!index) {
    if (auto k = env("JOB_COMPLETION_INDEX")) {
      index = k;
      source = "JOB_COMPLETION_INDEX";
    } else if (auto id = env("SLURM_ARRAY_TASK_ID")) {
      index = *id - env("SLURM_ARRAY_TASK_MIN").value_or(0);
      if (!count) count = env("SLURM_ARRAY_TASK_COUNT");
      source = "SLURM_ARRAY_TASK_ID";
    } else if (auto b = env("TEST_SHARD_INDEX")) {
      index = b;
      if (!count) count = env("TEST_TOTAL_SHARDS");
      source = "TEST_SHARD_INDEX";
    } else if (auto g = env("CI_NODE_INDEX")) {
      index = *g - 1;
      if (!count) count = env("CI_NODE_TOTAL");
      source = "CI_NODE_INDEX";
    }
  }
  if (bad_env) return std::nullopt;
  if (!index && !count) return Shard{};
  if (!index || !count) {
    std::cerr << "gauntlet run: sharding needs both an index and a count (" << (index ? source : "--shard-count")
              << " is given alone)\n";
    return std::nullopt;
  }
  if (*count < 1 || *count > (1 << 20)) {
    std::cerr << "gauntlet run: shard count " << *count << " is not in [1, " << (1 << 20) << "]\n";
    return std::nullopt;
  }
  if (*index < 0 || *index >= *count) {
    std::cerr << "gauntlet run: shard index " << *index << " (from " << source << ") is not in [0, " << *count
              << ")\n";
    return std::nullopt;
  }
  return Shard{static_cast<size_t>(*index), static_cast<size_t>(*count)};
}

/// Why --resume cannot go on; printed after "gauntlet run: ".
struct ResumeRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// --resume in `out_dir`: reads the results the interrupted run of `manifest`'s identity left there
/// into `recorded`, rewrites them aside (`results.jsonl.resume`, under ResumeHeader) and takes over that
/// run's id. Returns false when there is nothing to resume (a fresh run). Throws ResumeRefused when the
/// folder holds results that cannot be proven to be this run's: run.json missing, damaged, of an older
/// version or of another run; core::InputError for a results line whose verdict was edited.
bool ResumeRecorded(const std::string& out_dir, RunManifest& manifest, bool quiet,
                    scenarios::RecordedResults* recorded) {
  namespace fs = std::filesystem;
  const std::string results_path = out_dir + "/results.jsonl";
  const std::string aside_path = out_dir + "/results.jsonl.resume";
  const bool has_results = fs::exists(results_path) || fs::exists(aside_path);
  const std::string advice = " (delete " + out_dir + " or use a fresh --out)";
  if (!fs::exists(out_dir + "/run.json")) {
    if (!has_results) return false;  // nothing ran here: a fresh run
    throw ResumeRefused("cannot resume: " + out_dir + " has results but no run.json to prove which run they "
                        "belong to" + advice);
  }
  RunManifest previous;
  try {
    previous = ReadRunManifest(out_dir);
  } catch (const core::InputError& e) {
    throw ResumeRefused("cannot resume: " + out_dir + "/run.json is damaged" + advice + "\n" + e.what());
  }
  if (previous.fingerprint != manifest.fingerprint || previous.seed != manifest.seed ||
      previous.shard_index != manifest.shard_index || previous.shard_count != manifest.shard_count) {
    throw ResumeRefused("cannot resume: " + out_dir + " holds a run of another suite, model, seed or shard (start "
                        "a fresh run without --resume)");
  }
  if (previous.run_id.empty() || previous.run_key != manifest.run_key) {
    throw ResumeRefused("cannot resume: " + out_dir + "/run.json was written by another gauntlet version" + advice);
  }
  manifest.run_id = previous.run_id;
  // the aside file of this run only: one of an earlier run (its first line names another) is not read
  const std::string header = ResumeHeader(manifest);
  if (scenarios::ReadRecordedResults(aside_path, recorded, header) == 0 && fs::exists(aside_path) && !quiet) {
    std::cerr << "gauntlet run: ignoring " << aside_path << ": it is not of this run\n";
  }
  (void)scenarios::ReadRecordedResults(results_path, recorded);
  if (recorded->empty()) return true;
  std::string text = header + "\n";
  for (const auto& [key, r] : *recorded) text += scenarios::ToJsonLine(r) + "\n";
  WriteTextFile(aside_path, text);
  if (!quiet) std::cerr << "gauntlet run: resuming: " << recorded->size() << " instances already done\n";
  return true;
}

// The --model NAME=PATH overrides; false (after saying why) on a malformed one.
bool ParseModelOverrides(const Args& args, std::map<std::string, std::string>* overrides) {
  for (const std::string& m : args.GetAll("model")) {
    const size_t eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
      std::cerr << "gauntlet run: --model needs NAME=PATH, got '" << m << "'\n";
      return false;
    }
    (*overrides)[m.substr(0, eq)] = m.substr(eq + 1);
  }
  return true;
}

}  // namespace

int RunRunCommand(const std::vector<std::string>& argv) { return RunRunCommandWith(argv, {}); }

int RunRunCommandWith(const std::vector<std::string>& argv, const SuiteHook& adjust_suite) {
  Args args(argv, {{"model", true, true}, {"threads"}, {"seed"}, {"out"}, {"quiet", false}, {"shard-index"},
                   {"shard-count"}, {"resume", false}, {"db"}, {"junit"}, {"label"}});
  const auto threads = args.Int("threads", 1, 1024);
  const auto seed = args.Int("seed", 0, std::numeric_limits<long long>::max());
  const auto shard = ResolveShard(args);
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
  if (!ParseModelOverrides(args, &overrides) || !shard) return kExitUsage;
  reports::RunOutputOptions output_options;
  output_options.tool_version = GAUNTLET_VERSION;
  if (!ParseJUnitFlag(args, "gauntlet run", &output_options.junit)) return kExitUsage;
  const std::string suite_path = args.positional()[0];
  std::string out_dir = args.Get("out").value_or("out");
  if (shard->count > 1) out_dir += "/shard-" + std::to_string(shard->index);

  scenarios::Suite suite;
  try {
    suite = scenarios::LoadSuite(suite_path, overrides);
    if (adjust_suite) adjust_suite(suite);
  } catch (const core::InputError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  }
  if (seed) suite.seed = static_cast<uint64_t>(*seed);
  const bool quiet = args.Has("quiet");
  for (const std::string& warning : suite.warnings) std::cerr << warning << "\n";

  // a bad --db is found now, before anything runs
  const std::optional<std::string> db = args.Get("db");
  if (db) {
    try {
      history::CheckDatabaseWritable(*db);
    } catch (const core::InputError& e) {
      std::cerr << e.what() << "\n";
      return kExitUsage;
    }
  }

  Progress progress(quiet);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  scenarios::CampaignOptions options;
  options.threads = threads ? static_cast<int>(*threads) : 0;
  options.cancel = &g_cancel;
  options.shard_index = shard->index;
  options.shard_count = shard->count;
  RunManifest manifest{suite_path, suite.seed, overrides, suite.fingerprint,
                       RunKey(GAUNTLET_VERSION, suite.fingerprint, suite.seed, shard->index, shard->count), NewRunId(),
                       shard->index, shard->count, false};
  scenarios::RecordedResults recorded;
  const std::string results_path = out_dir + "/results.jsonl";
  const std::string aside_path = out_dir + "/results.jsonl.resume";
  // one writer per output folder at a time, held until the process ends
  std::optional<OutputLock> lock;
  try {
    lock.emplace(out_dir);
    // --resume: reuse the results of an interrupted run of the same run identity in this directory
    // (kept aside, under a line naming the run, until this run ends)
    const bool resuming = args.Has("resume") && ResumeRecorded(out_dir, manifest, quiet, &recorded);
    if (!resuming) {
      // a fresh run: no file of an earlier run may survive next to the new run identity
      std::filesystem::remove(results_path);
      std::filesystem::remove(aside_path);
    }
    if (!recorded.empty()) options.recorded = &recorded;
  } catch (const ResumeRefused& e) {
    std::cerr << "gauntlet run: " << e.what() << "\n";
    return kExitUsage;
  } catch (const core::InputError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  } catch (const core::InfrastructureError& e) {
    std::cerr << "gauntlet run: " << e.what() << "\n";
    return kExitInternal;
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "gauntlet run: " << e.what() << "\n";
    return kExitInternal;
  }
  // results stream through the run writer (results.jsonl, the summary, the report's sample): memory stays
  // bounded for any number of instances
  options.keep_results = false;
  options.out_dir.clear();  // the writer, not the campaign, writes results.jsonl
  std::optional<reports::RunWriter> writer;
  options.on_result = [&](const scenarios::InstanceResult& r) { writer->Add(r); };
  options.progress = [&](size_t done, size_t total) {
    writer->Flush();  // the finished prefix is on disk for --resume
    progress.Update(done, total);
  };

  try {
    WriteRunManifest(out_dir, manifest);
    writer.emplace(out_dir, suite, output_options);
    const scenarios::CampaignOutcome outcome = scenarios::RunCampaign(suite, options);
    if (outcome.complete) {
      manifest.complete = true;
      WriteRunManifest(out_dir, manifest);
      std::filesystem::remove(aside_path);
      // Bazel's test sharding protocol: touching the status file says sharding is understood
      if (const char* status = std::getenv("TEST_SHARD_STATUS_FILE"); status != nullptr && shard->count > 1) {
        std::ofstream touch(status, std::ios::app);
      }
    }
    reports::RunInfo info;
    info.suite_name = suite.name;
    info.suite_path = std::filesystem::absolute(suite_path).lexically_normal().string();  // as merge has it
    info.seed = suite.seed;
    info.threads = options.threads;
    info.wall_time_s = outcome.wall_time_s;
    info.out_dir = out_dir;
    info.complete = outcome.complete;
    for (const auto& [slot, model] : suite.models) info.models.emplace_back(slot, model.source);
    const reports::RunSummary summary = writer->Finish(info);
    // the nightly history: one transaction per finished run
    if (db && outcome.complete) {
      history::RunRecord record = history::MakeRunRecord(suite, GAUNTLET_VERSION);
      record.label = args.Get("label").value_or("");
      history::RecordRunFromFile(*db, record, summary, results_path);
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
  } catch (const core::InputError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace gauntlet::app
