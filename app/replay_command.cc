// gauntlet replay DIR --case ID [--trace FILE.csv] [--html FILE]
// Re-runs one instance of a run directory from its recorded parameters and seed, checks that the
// result is bit-identical to the recorded one, and writes the instance's full trace (to stdout unless
// --trace or --html is given). --html writes a page to watch the run: the animated top view with a
// time slider and play/pause, the signal plots with a cursor following the time.

#include <fstream>
#include <iostream>

#include "app/args.h"
#include "app/commands.h"
#include "app/run_files.h"
#include "core/error.h"
#include "reports/html_report.h"
#include "scenarios/replay.h"
#include "scenarios/suite.h"

namespace gauntlet::app {

int RunReplayCommand(const std::vector<std::string>& argv) {
  Args args(argv, {{"case"}, {"trace"}, {"html"}});
  if (!args.ok() || args.positional().size() != 1 || !args.Has("case")) {
    std::cerr << "gauntlet replay: " << (args.ok() ? "expected a run directory and --case ID\n" : args.error())
              << "usage: gauntlet replay DIR --case ID [--trace FILE.csv] [--html FILE]\n";
    return kExitUsage;
  }
  const std::string dir = args.positional()[0];
  const std::string case_id = *args.Get("case");
  try {
    const RunManifest manifest = ReadRunManifest(dir);
    // find the recorded line: the exact id, or its "<family>#<index>" prefix
    const std::string results_path = dir + "/results.jsonl";
    std::ifstream in(results_path);
    if (!in) throw core::InputError({results_path, 0, 0}, "cannot read the results");
    std::string line, recorded_line;
    scenarios::InstanceResult recorded;
    int line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.empty()) continue;
      scenarios::InstanceResult r = scenarios::FromJsonLine(line, results_path + ":" + std::to_string(line_no));
      if (r.id == case_id || r.id.rfind(case_id + " ", 0) == 0 || r.id == case_id) {
        recorded = std::move(r);
        recorded_line = line;
        break;
      }
    }
    if (recorded_line.empty()) {
      throw core::InputError({results_path, 0, 0}, "no instance '" + case_id + "' in this run");
    }
    scenarios::Suite suite = scenarios::LoadSuite(manifest.suite_path, manifest.model_overrides);
    suite.seed = manifest.seed;
    const scenarios::Family* family = suite.FindFamily(recorded.family);
    if (family == nullptr) {
      throw core::InputError({manifest.suite_path, 0, 0}, "the suite no longer has family '" + recorded.family + "'");
    }
    (void)scenarios::RecordedValues(*family, recorded, {results_path, line_no, 1});
    scenarios::Replay replay = scenarios::ReplayInstance(suite, recorded);
    const scenarios::InstanceResult replayed = replay.result;
    const core::Trace& trace = replay.trace;
    const std::string replayed_line = scenarios::ToJsonLine(replayed);
    if (const auto trace_path = args.Get("trace")) {
      std::ofstream out(*trace_path, std::ios::binary | std::ios::trunc);
      trace.WriteCsv(out);
      if (!out) throw core::InfrastructureError("cannot write " + *trace_path);
    } else if (!args.Has("html")) {
      trace.WriteCsv(std::cout);
    }
    if (const auto html_path = args.Get("html")) {
      reports::HtmlReportOptions options;
      options.suite = &suite;
      options.tool_version = GAUNTLET_VERSION;
      replay.result.plan_index = recorded.plan_index;
      const reports::HtmlCase shown = reports::MakeHtmlCase(suite, std::move(replay), dir);
      WriteTextFile(*html_path, reports::RenderReplayPage(shown, options));
    }
    if (replayed_line != recorded_line) {
      std::cerr << "gauntlet replay: the replay differs from the recorded result\nrecorded: " << recorded_line
                << "\nreplayed: " << replayed_line << "\n";
      return kExitInternal;
    }
    std::cerr << "gauntlet replay: " << recorded.id << ": identical to the recorded result ("
              << (replayed.Passed() ? "passed" : replayed.Failed() ? "failed" : scenarios::StatusName(replayed.status))
              << ")\n";
    return replayed.Failed() ? kExitFailed : replayed.status == scenarios::InstanceStatus::kError ? kExitInternal
                                                                                                  : kExitPassed;
  } catch (const core::InputError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace gauntlet::app
