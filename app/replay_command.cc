// gauntlet replay DIR --case ID [--trace FILE.csv] [--html FILE]
// Re-runs one instance of a run directory from its recorded parameters and seed, checks that the
// result is bit-identical to the recorded one, and writes the instance's full trace (to stdout unless
// --trace or --html is given). --html writes a page to watch the run: the animated top view with a
// time slider and play/pause, the signal plots with a cursor following the time.

#include <cmath>
#include <fstream>
#include <iostream>
#include <utility>

#include "app/args.h"
#include "app/commands.h"
#include "app/run_files.h"
#include "core/error.h"
#include "core/format.h"
#include "models/model.h"
#include "core/input_file.h"
#include "scenarios/campaign.h"
#include "reports/html_report.h"
#include "scenarios/replay.h"
#include "scenarios/suite.h"

namespace gauntlet::app {
namespace {

std::string List(const std::vector<double>& values) {
  std::string text;
  for (size_t i = 0; i < values.size(); ++i) text += (i > 0 ? " " : "") + core::FormatDouble17(values[i]);
  return text;
}

/// Replays a formal check's line: re-evaluates the network at the recorded witness, prints the inputs
/// and outputs, and says whether they violate the check (exit 1), as recorded. A check that held has no
/// witness: nothing to evaluate (exit 0).
int ReplayFormal(const scenarios::Suite& suite, const scenarios::Family& family,
                 const scenarios::InstanceResult& recorded, const std::string& results_path, int line_no) {
  const std::string where = results_path + ":" + std::to_string(line_no);
  const std::string name = recorded.id.substr(recorded.id.find(" formal:") + 8);
  const scenarios::FormalSpec& formal = family.scenario->formal;
  const scenarios::OutputBoundsSpec* bounds = nullptr;
  const scenarios::LocalRobustnessCheckSpec* local = nullptr;
  for (const auto& o : formal.output_bounds) {
    if (o.name == name) bounds = &o;
  }
  for (const auto& l : formal.local_robustness) {
    if (l.name == name) local = &l;
  }
  if (bounds == nullptr && local == nullptr) {
    throw core::InputError({suite.path, 0, 0}, "scenario '" + family.scenario->name + "' no longer has formal check '" +
                                                   name + "'");
  }
  if (recorded.status == scenarios::InstanceStatus::kError) {
    std::cerr << "gauntlet replay: " << recorded.id << ": the check was inconclusive (" << recorded.error
              << "); nothing to re-evaluate\n";
    return kExitInternal;
  }
  if (!recorded.witness) {
    std::cerr << "gauntlet replay: " << recorded.id << ": the check holds (proven for every input of its region); "
              << "there is no counterexample to re-evaluate\n";
    return kExitPassed;
  }
  const scenarios::LoadedModel& model = suite.ModelOf(family);
  if (!model.network) throw core::InputError({suite.path, 0, 0}, "model '" + family.model_slot + "' is no network");
  const models::Model& net = *model.network;
  const scenarios::FormalWitness& w = *recorded.witness;
  const auto evaluate = [&](const std::vector<double>& x) {
    if (x.size() != net.input_size()) {
      throw core::InputError({where, 0, 0}, "the witness has " + std::to_string(x.size()) + " inputs but model '" +
                                                family.model_slot + "' takes " + std::to_string(net.input_size()));
    }
    std::vector<double> y(net.output_size());
    models::Workspace ws;
    net.Evaluate(x, y, ws);
    return y;
  };
  const std::vector<double> y = evaluate(w.input);
  std::cout << "input:  " << List(w.input) << "\noutput: " << List(y) << "\n";
  bool violated = false;
  std::string why;
  if (bounds != nullptr) {
    bool inside = w.input.size() == bounds->input_lo.size() && w.input.size() == bounds->input_hi.size();
    for (size_t i = 0; inside && i < w.input.size(); ++i) {
      inside = bounds->input_lo[i] <= w.input[i] && w.input[i] <= bounds->input_hi[i];
    }
    const double v = y.at(static_cast<size_t>(bounds->output));
    const bool above = bounds->max && v > *bounds->max;
    const bool below = bounds->min && v < *bounds->min;
    violated = inside && (above || below);
    why = !inside ? "the witness lies outside the input region of the check"
          : above ? "output " + std::to_string(bounds->output) + " = " + core::FormatDouble17(v) + " > max " +
                        core::FormatDouble17(*bounds->max)
          : below ? "output " + std::to_string(bounds->output) + " = " + core::FormatDouble17(v) + " < min " +
                        core::FormatDouble17(*bounds->min)
                  : "output " + std::to_string(bounds->output) + " = " + core::FormatDouble17(v) + " is within the bounds";
  } else {
    const std::vector<double> y0 = evaluate(w.reference_input);
    std::cout << "reference input:  " << List(w.reference_input) << "\nreference output: " << List(y0) << "\n";
    bool inside = !local->epsilon.empty();
    for (size_t i = 0; inside && i < w.input.size(); ++i) {
      const double eps = local->epsilon.size() == 1 ? local->epsilon[0] : local->epsilon.at(i);
      inside = std::abs(w.input[i] - w.reference_input[i]) <= eps;
    }
    const auto arg = [&](const std::vector<double>& v, bool max) {
      size_t best = 0;
      bool tie = false;
      for (size_t j = 1; j < v.size(); ++j) {
        if (v[j] == v[best]) tie = true;
        if (max ? v[j] > v[best] : v[j] < v[best]) {
          best = j;
          tie = false;
        }
      }
      return std::pair{best, tie};
    };
    bool changed = false;
    if (local->mode == verifier::formal::RobustnessMode::kOutputDelta) {
      for (size_t j = 0; j < y.size(); ++j) changed = changed || std::abs(y[j] - y0[j]) > local->delta;
      why = changed ? "an output changes by more than delta " + core::FormatDouble17(local->delta)
                    : "every output stays within delta " + core::FormatDouble17(local->delta);
    } else {
      const bool max = local->mode == verifier::formal::RobustnessMode::kArgmaxStable;
      const auto [a, tie] = arg(y, max);
      changed = tie || a != arg(y0, max).first;
      why = changed ? std::string("the ") + (max ? "largest" : "smallest") + " output changes"
                    : std::string("the ") + (max ? "largest" : "smallest") + " output stays";
    }
    violated = inside && changed;
    if (!inside) why = "the witness lies outside the region of the check around the reference input";
  }
  if (y != w.output) {
    std::cerr << "gauntlet replay: " << recorded.id << ": the network's outputs differ from the recorded ones ("
              << List(w.output) << ")\n";
    return kExitInternal;
  }
  std::cout << (violated ? "violated: " : "not violated: ") << why << "\n";
  std::cerr << "gauntlet replay: " << recorded.id << ": "
            << (violated ? "the counterexample is confirmed: the check is violated\n"
                         : "the recorded counterexample does not violate the check\n");
  return violated ? kExitFailed : kExitInternal;
}

}  // namespace

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
    core::CheckInputFile(results_path, core::InputKind::kResults, "cannot read the results");
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
    if (recorded.origin == "formal") return ReplayFormal(suite, *family, recorded, results_path, line_no);
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
