// Merge benchmark (issue 20 point 4): synthesises the 64 shard folders of a lead_brake campaign (the flawed zoo
// controller) with N results each of which is a real instance's line with its own index, parameters and
// robustness, then times `gauntlet merge` on them and reads its peak memory (the child's ru_maxrss).
// Prints, per size: results, merge wall time, peak RSS, and the sizes of results.jsonl and junit.xml.
// usage: merge_bench [GAUNTLET_BINARY] [sizes...]      (default sizes 10000 100000 1000000)
// environment: MERGE_BENCH_JUNIT=per-instance|per-requirement measures one junit.xml mode only.
// The shard folders are written under $TMPDIR (about 1 KB per result) and removed afterwards.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/rng.h"
#include "scenarios/campaign.h"
#include "scenarios/instance_result.h"
#include "scenarios/suite.h"

namespace {

using namespace gauntlet;
namespace fs = std::filesystem;

const std::string kSuite = std::string(GAUNTLET_SOURCE_DIR) + "/bench/campaign/lead_brake_flawed.yaml";
constexpr size_t kShards = 64;

/// Writes the shard folders of `count` results; returns the folder holding shard-0 .. shard-63.
std::string Synthesise(const scenarios::Suite& suite, size_t count, const std::string& root) {
  const scenarios::Family& family = suite.families.front();
  const scenarios::Scenario& scenario = *family.scenario;
  const size_t dimension = scenario.parameters.dimension();
  // one real instance gives the line's shape (requirements, assumptions, metrics)
  std::vector<double> nominal;
  for (const auto& p : scenario.parameters.parameters) nominal.push_back(0.5 * (p.lo + p.hi));
  const scenarios::InstanceResult real = scenarios::RunInstance(suite, family, 0, nominal, 1, "uniform");
  std::vector<std::ofstream> files;
  for (size_t k = 0; k < kShards; ++k) {
    const std::string dir = root + "/shard-" + std::to_string(k);
    fs::create_directories(dir);
    nlohmann::ordered_json manifest = {{"suite", fs::absolute(kSuite).lexically_normal().string()},
                                       {"seed", suite.seed},
                                       {"model_overrides", nlohmann::ordered_json::object()},
                                       {"fingerprint", suite.fingerprint},
                                       {"shard_index", k},
                                       {"shard_count", kShards},
                                       {"complete", true}};
    std::ofstream(dir + "/run.json") << manifest.dump(2) << "\n";
    files.emplace_back(dir + "/results.jsonl", std::ios::binary);
  }
  core::Rng rng(7);
  scenarios::InstanceResult r = real;
  std::vector<double> values(dimension);
  for (size_t i = 0; i < count; ++i) {
    for (size_t d = 0; d < dimension; ++d) {
      const auto& p = scenario.parameters.parameters[d];
      values[d] = p.lo + (p.hi - p.lo) * rng.Uniform();
    }
    r.index = i;
    r.seed = core::Rng::InstanceSeed(suite.seed, family.name, i);
    r.parameters = scenario.NamedValues(values);
    r.id = scenarios::MakeInstanceId(family.name, i, r.parameters);
    for (auto& q : r.requirements) {
      q.robustness = -1.0 + 20.0 * rng.Uniform();
      q.satisfied = q.robustness >= 0;
      q.min_robustness = q.robustness;
      q.averaged_robustness = q.robustness;
    }
    files[i % kShards] << scenarios::ToJsonLine(r) << '\n';
  }
  return root;
}

struct Measured {
  int exit_code = -1;
  double seconds = 0.0;
  double cpu_seconds = 0.0;  ///< user + system: what the merge itself cost, on a loaded machine too
  double peak_rss_mb = 0.0;
};

Measured Merge(const std::string& binary, const std::string& shards, const std::string& out, const char* junit) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    execl(binary.c_str(), binary.c_str(), "merge", shards.c_str(), "--out", out.c_str(), "--quiet", "--junit", junit,
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  Measured m;
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  m.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  m.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                  1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string binary = argc > 1 ? argv[1] : std::string(GAUNTLET_BINARY_DIR) + "/gauntlet";
  std::vector<size_t> sizes;
  for (int i = 2; i < argc; ++i) sizes.push_back(std::strtoull(argv[i], nullptr, 10));
  if (sizes.empty()) sizes = {10000, 100000, 1000000};
  const scenarios::Suite suite = scenarios::LoadSuite(kSuite);
  const std::string root = (fs::temp_directory_path() / ("gauntlet_merge_bench_" + std::to_string(getpid()))).string();
  std::printf("merge of %zu shards (lead_brake, synthetic results)\n", kShards);
  std::printf("%10s %-16s %10s %10s %12s %17s %13s\n", "results", "junit", "wall s", "CPU s", "peak RSS MB",
              "results.jsonl MB", "junit.xml MB");
  for (const size_t n : sizes) {
    fs::remove_all(root);
    const std::string shards = Synthesise(suite, n, root + "/shards");
    // MERGE_BENCH_JUNIT=per-instance or per-requirement measures one mode only
    const char* only = std::getenv("MERGE_BENCH_JUNIT");
    for (const char* junit : {"per-instance", "per-requirement"}) {
      if (only != nullptr && std::string(only) != junit) continue;
      const std::string out = root + "/merged";
      fs::remove_all(out);
      const Measured m = Merge(binary, shards, out, junit);
      std::printf("%10zu %-16s %10.2f %10.2f %12.1f %17.1f %13.1f%s\n", n, junit, m.seconds, m.cpu_seconds,
                  m.peak_rss_mb,
                  static_cast<double>(fs::file_size(out + "/results.jsonl")) / 1e6,
                  static_cast<double>(fs::file_size(out + "/junit.xml")) / 1e6,
                  m.exit_code == 0 || m.exit_code == 1 ? "" : "  (merge failed)");
      std::fflush(stdout);
    }
  }
  fs::remove_all(root);
  return 0;
}
