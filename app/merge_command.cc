// gauntlet merge DIR... --out DIR
// Combines the output directories of the shards of one run into what the unsharded run would have
// written: checks that every shard is there, complete, and of the same suite, models, seed and plan.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "app/args.h"
#include "app/commands.h"
#include "app/run_files.h"
#include "core/error.h"
#include "reports/run_summary.h"
#include "scenarios/campaign.h"
#include "scenarios/generators/coverage.h"
#include "scenarios/generators/generator_spec.h"
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

/// A result of a search (labelled with the generator's YAML name) or of shrinking its counterexample.
bool IsAdaptive(const std::string& origin) {
  if (origin == "shrink" || origin == "shrunk") return true;
  for (const auto& entry : scenarios::EnumNames(scenarios::GeneratorKind{})) {
    if (entry.name == origin) return scenarios::IsAdaptive(entry.value);
  }
  return false;
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

}  // namespace

int RunMergeCommand(const std::vector<std::string>& argv) {
  Args args(argv, {{"out"}, {"quiet", false}});
  if (!args.ok() || args.positional().empty() || !args.Has("out")) {
    std::cerr << "gauntlet merge: " << (args.ok() ? "expected shard directories and --out DIR\n" : args.error())
              << "usage: gauntlet merge DIR... --out DIR\n";
    return kExitUsage;
  }
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

    // every line, in the unsharded plan order: the fixed plan (family by family), then the searches, then
    // the formal checks
    struct Line {
      int stage;  // the campaign's order: the fixed plan, then the searches, then the formal checks
      size_t family;
      size_t index;
      std::string text;
      scenarios::InstanceResult result;
    };
    std::vector<Line> lines;
    for (const auto& [index, dir] : by_index) {
      const std::string path = dir + "/results.jsonl";
      std::ifstream in(path);
      std::string text;
      int line_no = 0;
      while (std::getline(in, text)) {
        ++line_no;
        if (text.empty()) continue;
        scenarios::InstanceResult r = scenarios::FromJsonLine(text, path + ":" + std::to_string(line_no));
        scenarios::CheckVerdicts(r, {path, line_no, 1});  // a shard's line edited by hand is not merged
        const auto f = family_order.find(r.family);
        if (f == family_order.end()) throw core::InputError({path, 0, 0}, "unknown family '" + r.family + "'");
        const int stage = r.origin == "formal" ? 2 : IsAdaptive(r.origin) ? 1 : 0;
        lines.push_back({stage, f->second, r.index, std::move(text), std::move(r)});
      }
    }
    std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
      return std::tie(a.stage, a.family, a.index) < std::tie(b.stage, b.family, b.index);
    });
    for (size_t i = 1; i < lines.size(); ++i) {
      if (lines[i].family == lines[i - 1].family && lines[i].index == lines[i - 1].index) {
        throw core::InputError({}, "instance '" + lines[i].result.id + "' appears in two shards");
      }
    }

    // the unsharded outputs
    fs::create_directories(out_dir);
    reports::SummaryBuilder builder;
    std::vector<scenarios::CoverageTracker> coverage;
    for (const auto& f : suite.families) coverage.emplace_back(f.scenario->parameters);
    std::string results;
    for (const Line& l : lines) {
      results += l.text + "\n";
      builder.Add(l.result);
      std::vector<double> values;
      const size_t dimension = suite.families[l.family].scenario->parameters.dimension();
      for (size_t k = 0; k < dimension && k < l.result.parameters.size(); ++k) {
        values.push_back(l.result.parameters[k].second);
      }
      if (values.size() == dimension) coverage[l.family].Add(values);
    }
    WriteTextFile(out_dir + "/results.jsonl", results);
    reports::RunInfo info;
    info.suite_name = suite.name;
    info.suite_path = first.suite_path;
    info.seed = first.seed;
    info.out_dir = out_dir;
    for (const auto& [slot, model] : suite.models) info.models.emplace_back(slot, model.source);
    for (size_t f = 0; f < suite.families.size(); ++f) {
      const auto report = coverage[f].Report();
      info.coverage.push_back({suite.families[f].name, report.points, report.single_fraction, report.pairwise_fraction});
    }
    const reports::RunSummary summary = builder.Finish(info);
    WriteTextFile(out_dir + "/summary.json", reports::SummaryJson(summary));
    {
      std::ofstream junit(out_dir + "/junit.xml", std::ios::binary | std::ios::trunc);
      reports::WriteJUnitXml(out_dir + "/results.jsonl", summary, {}, junit);
      if (!junit) throw core::InfrastructureError("cannot write " + out_dir + "/junit.xml");
    }
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
