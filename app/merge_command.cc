// gauntlet merge DIR... --out DIR
// Combines the output directories of the shards of one run into what the unsharded run would have
// written: checks that every shard is there, complete, and of the same suite, models, seed and plan.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>

#include "app/args.h"
#include "app/commands.h"
#include "app/run_files.h"
#include "core/error.h"
#include "core/input_file.h"
#include "reports/run_summary.h"
#include "reports/run_writer.h"
#include "scenarios/campaign.h"
#include "scenarios/suite.h"

namespace gauntlet::app {
namespace {

namespace fs = std::filesystem;

/// A directory given to merge: a shard's own, or one holding `shard-*` directories.
std::vector<std::string> ShardDirs(const std::string& dir) {
  if (fs::exists(fs::path(dir) / "run.json")) return {dir};
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory() && entry.path().filename().string().starts_with("shard-") &&
        fs::exists(entry.path() / "run.json")) {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  if (out.empty()) throw core::InputError({dir, 0, 0}, "not a shard directory (no run.json, no shard-* directories)");
  return out;
}

/// Where a result line sits in the unsharded order: the fixed plan (family by family), then the searches and
/// their shrinking, then the formal checks; within each, by family (suite order) and index.
struct PlanKey {
  int phase = 0;
  size_t family = 0;
  size_t index = 0;
  friend auto operator<=>(const PlanKey&, const PlanKey&) = default;
};

int PhaseOf(const std::string& origin) {
  switch (reports::ProvenanceOf(origin)) {
    case reports::Provenance::kSearch:
    case reports::Provenance::kShrink: return 1;
    case reports::Provenance::kFormal: return 2;
    default: return 0;
  }
}

/// True when folder `inner` is folder `outer` or lies inside it (after resolving links, `..` and the
/// working directory; for a folder that does not exist yet, as far as it exists).
bool Inside(const std::string& inner, const std::string& outer) {
  std::error_code ec;
  const fs::path i = fs::weakly_canonical(fs::absolute(inner), ec);
  const fs::path o = fs::weakly_canonical(fs::absolute(outer), ec);
  auto it = i.begin();
  for (const fs::path& part : o) {
    if (part.empty()) continue;  // a trailing separator
    if (it == i.end() || *it != part) return false;
    ++it;
  }
  return true;
}
/// A shard's results.jsonl, checked to be a regular file of bounded size first.
std::ifstream OpenChecked(const std::string& path) {
  if (fs::exists(path)) core::CheckInputFile(path, core::InputKind::kResults);
  return std::ifstream(path, std::ios::binary);
}

/// One shard's results.jsonl, read a line at a time (each shard's file is in plan order, checked).
class ShardCursor {
 public:
  ShardCursor(std::string path, const std::map<std::string, size_t>* family_order)
      : path_(std::move(path)), in_(OpenChecked(path_)), family_order_(family_order) {
    if (!in_) throw core::InputError({path_, 0, 0}, "cannot read the shard's results");
    Advance();
  }
  [[nodiscard]] bool done() const { return done_; }
  [[nodiscard]] const PlanKey& key() const { return key_; }
  [[nodiscard]] const std::string& line() const { return line_; }
  [[nodiscard]] const scenarios::InstanceResult& result() const { return result_; }

  void Advance() {
    const PlanKey previous = key_;
    const bool first = line_no_ == 0;
    while (std::getline(in_, line_)) {
      ++line_no_;
      if (line_.empty()) continue;
      const std::string where = path_ + ":" + std::to_string(line_no_);
      result_ = scenarios::FromJsonLine(line_, where);  // a line edited by hand (a verdict against its robustness) throws
      const auto f = family_order_->find(result_.family);
      if (f == family_order_->end()) throw core::InputError({path_, static_cast<int>(line_no_), 0}, "unknown family '" + result_.family + "'");
      key_ = {PhaseOf(result_.origin), f->second, result_.index};
      if (!first && !(previous < key_)) {
        throw core::InputError({path_, static_cast<int>(line_no_), 0}, "results out of plan order (instance '" + result_.id + "')");
      }
      return;
    }
    done_ = true;
  }

 private:
  std::string path_;
  std::ifstream in_;
  const std::map<std::string, size_t>* family_order_;
  std::string line_;
  size_t line_no_ = 0;
  PlanKey key_;
  scenarios::InstanceResult result_;
  bool done_ = false;
};

}  // namespace

int RunMergeCommand(const std::vector<std::string>& argv) {
  Args args(argv, {{"out"}, {"quiet", false}, {"junit"}});
  if (!args.ok() || args.positional().empty() || !args.Has("out")) {
    std::cerr << "gauntlet merge: " << (args.ok() ? "expected shard directories and --out DIR\n" : args.error())
              << "usage: gauntlet merge DIR... --out DIR [--junit per-instance|per-requirement]\n";
    return kExitUsage;
  }
  reports::RunOutputOptions output_options;
  output_options.tool_version = GAUNTLET_VERSION;
  if (!ParseJUnitFlag(args, "gauntlet merge", &output_options.junit)) return kExitUsage;
  const std::string out_dir = *args.Get("out");
  try {
    // the output is no input and holds none, and is neither a shard nor inside one: merge never writes
    // over a shard (a folder next to the shards, `OUT/merged`, is fine)
    std::vector<std::string> shard_dirs;
    for (const std::string& dir : args.positional()) {
      for (const std::string& d : ShardDirs(dir)) shard_dirs.push_back(d);
      if (Inside(dir, out_dir)) {
        throw core::InputError({}, "--out " + out_dir + " is, contains or lies inside the input " + dir +
                                       "; merge writes a new folder (give another --out)");
      }
    }
    for (const std::string& d : shard_dirs) {
      if (Inside(d, out_dir) || Inside(out_dir, d)) {
        throw core::InputError({}, "--out " + out_dir + " is, contains or lies inside the input " + d +
                                       "; merge writes a new folder (give another --out)");
      }
    }
    const OutputLock lock(out_dir);  // one writer per output folder at a time
    // every shard, once, complete, of one run, and no shard being written now
    std::vector<std::pair<std::string, RunManifest>> shards;
    for (const std::string& d : shard_dirs) {
      OutputLock::CheckNotLocked(d);
      shards.emplace_back(d, ReadRunManifest(d));
    }
    const RunManifest& first = shards.front().second;
    core::Diagnostics diags;
    std::map<size_t, std::string> by_index;
    for (const auto& [dir, m] : shards) {
      if (m.fingerprint != first.fingerprint || m.seed != first.seed || m.shard_count != first.shard_count ||
          m.suite_path != first.suite_path) {
        diags.Error({dir, 0, 0}, "shard of another run: suite '" + m.suite_path + "' (fingerprint " + m.fingerprint +
                                     ", seed " + std::to_string(m.seed) + ", " + std::to_string(m.shard_count) +
                                     " shards) but '" + shards.front().first + "' has suite '" + first.suite_path +
                                     "' (fingerprint " + first.fingerprint + ", seed " + std::to_string(first.seed) +
                                     ", " + std::to_string(first.shard_count) + " shards)");
        continue;
      }
      if (!m.complete) diags.Error({dir, 0, 0}, "shard " + std::to_string(m.shard_index) + " did not finish");
      if (!by_index.emplace(m.shard_index, dir).second) {
        diags.Error({dir, 0, 0}, "shard " + std::to_string(m.shard_index) + " is given twice (also " +
                                     by_index[m.shard_index] + ")");
      }
    }
    for (size_t i = 0; i < first.shard_count; ++i) {
      if (!by_index.contains(i)) {
        diags.Error({}, "shard " + std::to_string(i) + " of " + std::to_string(first.shard_count) + " is missing");
      }
    }
    diags.ThrowIfAny();
    const scenarios::Suite suite = scenarios::LoadSuite(first.suite_path, first.model_overrides);
    if (suite.fingerprint != first.fingerprint) {
      throw core::InputError({first.suite_path, 0, 0},
                             "the suite, its scenarios or its models changed since the shards ran");
    }
    std::map<std::string, size_t> family_order;
    for (size_t f = 0; f < suite.families.size(); ++f) family_order[suite.families[f].name] = f;
    for (const auto& [index, dir] : by_index) {
      std::error_code ec;
      if (fs::equivalent(dir, out_dir, ec)) {
        throw core::InputError({out_dir, 0, 0}, "--out is the shard directory " + dir + "; merge into another one");
      }
    }

    // every line, in the unsharded plan order: a k-way merge of the shards' files (each in plan order), so
    // memory does not grow with the number of results
    std::vector<std::unique_ptr<ShardCursor>> cursors;
    for (const auto& [index, dir] : by_index) {
      cursors.push_back(std::make_unique<ShardCursor>(dir + "/results.jsonl", &family_order));
    }
    auto later = [&](size_t a, size_t b) { return cursors[b]->key() < cursors[a]->key(); };
    std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
    for (size_t k = 0; k < cursors.size(); ++k)
      if (!cursors[k]->done()) heap.push(k);

    // the unsharded outputs; run.json last, so an interrupted merge leaves no run directory
    fs::create_directories(out_dir);
    fs::remove(fs::path(out_dir) / "run.json");
    reports::RunWriter writer(out_dir, suite, output_options);
    std::optional<PlanKey> last;
    while (!heap.empty()) {
      const size_t k = heap.top();
      heap.pop();
      ShardCursor& c = *cursors[k];
      if (last && *last == c.key()) {
        throw core::InputError({}, "instance '" + c.result().id + "' appears in two shards");
      }
      last = c.key();
      writer.AddLine(c.line(), c.result());
      c.Advance();
      if (!c.done()) heap.push(k);
    }
    reports::RunInfo info;
    info.suite_name = suite.name;
    info.suite_path = first.suite_path;
    info.seed = first.seed;
    info.out_dir = out_dir;
    for (const auto& [slot, model] : suite.models) info.models.emplace_back(slot, model.source);
    const reports::RunSummary summary = writer.Finish(info);
    RunManifest merged = first;
    merged.shard_index = 0;
    merged.shard_count = 1;
    merged.complete = true;
    merged.run_key = RunKey(GAUNTLET_VERSION, merged.fingerprint, merged.seed, 0, 1);
    merged.run_id = NewRunId();
    WriteRunManifest(out_dir, merged);
    if (!args.Has("quiet")) std::cout << reports::SummaryText(summary);
    return summary.ExitCode();
  } catch (const core::InputError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  } catch (const core::InfrastructureError& e) {
    std::cerr << "gauntlet merge: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace gauntlet::app
