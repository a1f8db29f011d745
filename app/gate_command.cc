// gauntlet gate SUITE.yaml --candidate PATH --baseline PATH [--policy FILE.yaml] [--out DIR] [--slot NAME]
//               [--threads N]
//
// A paired release gate: the candidate model runs the suite's families driven by one model slot, the
// baseline runs exactly the same instances (same parameters and seeds), and the policy decides.

#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/commands.h"
#include "app/run_files.h"
#include "core/error.h"
#include "core/suggest.h"
#include "gate/gate_decision.h"
#include "gate/gate_policy.h"
#include "reports/run_summary.h"
#include "reports/run_writer.h"
#include "scenarios/campaign.h"
#include "scenarios/suite.h"

namespace gauntlet::app {
namespace {

constexpr const char* kUsage =
    "usage: gauntlet gate SUITE.yaml --candidate PATH --baseline PATH [--policy FILE.yaml] [--out DIR] "
    "[--slot NAME] [--threads N] [--junit per-instance|per-requirement]\n";

/// Keeps the families driven by `slot` only.
scenarios::Suite OnlySlot(scenarios::Suite suite, const std::string& slot) {
  std::erase_if(suite.families, [&](const scenarios::Family& f) { return f.model_slot != slot; });
  return suite;
}

/// The facts of one side's run for its summary.
reports::RunInfo SideInfo(const scenarios::Suite& suite, const std::string& suite_path, const std::string& dir,
                          const scenarios::CampaignOutcome& outcome, int threads) {
  reports::RunInfo info;
  info.suite_name = suite.name;
  info.suite_path = suite_path;
  info.seed = suite.seed;
  info.threads = threads;
  info.wall_time_s = outcome.wall_time_s;
  info.out_dir = dir;
  info.complete = outcome.complete;
  for (const auto& [slot, model] : suite.models) info.models.emplace_back(slot, model.source);
  return info;
}

}  // namespace

int RunGateCommand(const std::vector<std::string>& argv) {
  Args args(argv, {{"candidate"}, {"baseline"}, {"policy"}, {"out"}, {"slot"}, {"threads"}, {"junit"}});
  const auto threads = args.Int("threads", 1, 1024);
  if (!args.ok()) {
    std::cerr << "gauntlet gate: " << args.error() << kUsage;
    return kExitUsage;
  }
  reports::RunOutputOptions output_options;
  output_options.tool_version = GAUNTLET_VERSION;
  if (!ParseJUnitFlag(args, "gauntlet gate", &output_options.junit)) return kExitUsage;
  if (args.positional().size() != 1 || !args.Has("candidate") || !args.Has("baseline")) {
    std::cerr << "gauntlet gate: expected one suite file, --candidate and --baseline\n" << kUsage;
    return kExitUsage;
  }
  const std::string suite_path = args.positional()[0];
  const std::string candidate_path = *args.Get("candidate");
  const std::string baseline_path = *args.Get("baseline");
  const std::string out_dir = args.Get("out").value_or("gate-out");
  const int thread_count = threads ? static_cast<int>(*threads) : 0;

  // the slot, the two suites and the policy: every input problem before anything runs
  scenarios::Suite candidate_suite, baseline_suite;
  gate::GatePolicy policy;
  std::string slot;
  try {
    const scenarios::Suite plain = scenarios::LoadSuite(suite_path);
    std::vector<std::string> file_slots;
    for (const auto& [name, model] : plain.models)
      if (model.network) file_slots.push_back(name);
    if (const auto given = args.Get("slot")) {
      slot = *given;
      if (std::find(file_slots.begin(), file_slots.end(), slot) == file_slots.end()) {
        std::cerr << "gauntlet gate: --slot '" << slot << "' is not a file-based model of the suite"
                  << core::DidYouMean(slot, file_slots) << "; its file-based models are " << core::QuotedList(file_slots)
                  << "\n";
        return kExitUsage;
      }
    } else if (file_slots.size() == 1) {
      slot = file_slots.front();
    } else {
      std::cerr << "gauntlet gate: "
                << (file_slots.empty() ? "the suite has no file-based model to gate"
                                       : "the suite has several file-based models (" + core::QuotedList(file_slots) +
                                             "); choose one with --slot")
                << "\n";
      return kExitUsage;
    }
    candidate_suite = OnlySlot(scenarios::LoadSuite(suite_path, {{slot, candidate_path}}), slot);
    baseline_suite = OnlySlot(scenarios::LoadSuite(suite_path, {{slot, baseline_path}}), slot);
    if (candidate_suite.families.empty()) {
      std::cerr << "gauntlet gate: no scenario family of the suite is driven by model '" << slot << "'\n";
      return kExitUsage;
    }
    std::vector<std::string> requirement_names;
    for (const scenarios::Family& f : candidate_suite.families)
      for (const auto& r : f.scenario->requirements)
        if (std::find(requirement_names.begin(), requirement_names.end(), r.spec.name) == requirement_names.end())
          requirement_names.push_back(r.spec.name);
    if (const auto policy_path = args.Get("policy")) policy = gate::LoadGatePolicy(*policy_path, requirement_names);
  } catch (const core::InputError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  }

  try {
    const OutputLock lock(out_dir);  // one writer per output folder at a time
    // the candidate, then the baseline on exactly its instances
    const std::string candidate_dir = out_dir + "/candidate";
    const std::string baseline_dir = out_dir + "/baseline";
    WriteRunManifest(candidate_dir, {suite_path, candidate_suite.seed, {{slot, candidate_path}}});
    WriteRunManifest(baseline_dir, {suite_path, baseline_suite.seed, {{slot, baseline_path}}});
    std::cerr << "gauntlet gate: running the candidate (" << candidate_path << ") on "
              << candidate_suite.families.size() << " families driven by '" << slot << "'\n";
    reports::RunWriter candidate_writer(candidate_dir, candidate_suite, output_options);
    const scenarios::CampaignOutcome candidate = scenarios::RunCampaign(
        candidate_suite,
        {.threads = thread_count, .on_result = [&](const scenarios::InstanceResult& r) { candidate_writer.Add(r); }});
    std::cerr << "gauntlet gate: running the baseline (" << baseline_path << ") on the same "
              << candidate.results.size() << " instances\n";
    reports::RunWriter baseline_writer(baseline_dir, baseline_suite, output_options);
    const scenarios::CampaignOutcome baseline = scenarios::RunSameInstances(
        baseline_suite, candidate.results,
        {.threads = thread_count, .on_result = [&](const scenarios::InstanceResult& r) { baseline_writer.Add(r); }});
    (void)candidate_writer.Finish(SideInfo(candidate_suite, suite_path, candidate_dir, candidate, thread_count));
    (void)baseline_writer.Finish(SideInfo(baseline_suite, suite_path, baseline_dir, baseline, thread_count));
    if (!candidate.complete || !baseline.complete) {
      std::cerr << "gauntlet gate: a run was interrupted; no decision\n";
      return kExitInternal;
    }

    // the decision
    const gate::GateDecision decision = gate::DecideGate(policy, candidate.results, baseline.results);
    WriteTextFile(out_dir + "/gate.json", gate::GateJson(decision));
    std::cout << gate::GateText(decision);
    std::cout.flush();
    return decision.ExitCode() == 0 ? kExitPassed : kExitFailed;
  } catch (const core::InputError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  } catch (const core::InfrastructureError& e) {
    std::cerr << "gauntlet gate: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace gauntlet::app
