// gauntlet: the command line (docs/architecture.md, "The command line").

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "app/args.h"
#include "app/commands.h"
#include "core/suggest.h"

namespace {

struct Command {
  std::string_view name;
  std::string_view synopsis;
  int (*run)(const std::vector<std::string>&);
};

constexpr Command kCommands[] = {
    {"run", "run SUITE.yaml [--model NAME=PATH]... [--threads N] [--seed S] [--out DIR]\n"
            "               [--shard-index I --shard-count N] [--resume] [--quiet] [--junit per-instance|per-requirement]",
     gauntlet::app::RunRunCommand},
    {"check", "check FILE.yaml...            validate only; every problem as file:line:col: error: ...",
     gauntlet::app::RunCheckCommand},
    {"replay", "replay DIR --case ID [--trace FILE.csv] [--html FILE]   re-run one instance bit-identically "
               "(--html: a page to watch it)",
     gauntlet::app::RunReplayCommand},
    {"merge", "merge DIR... --out DIR [--junit per-instance|per-requirement]\n"
              "               combine shard outputs into the unsharded run's files, check completeness, give the verdict",
     gauntlet::app::RunMergeCommand},
    {"monitor", "monitor --spec FORMULA --trace FILE.csv [--series]\n"
                "               | --scenario FILE.yaml --trace LOG.csv   a scenario's requirements on a recorded log",
     gauntlet::app::RunMonitorCommand},
    {"eval", "eval MODEL --input v1,v2,...  one forward pass, outputs printed with %.17g",
     gauntlet::app::RunEvalCommand},
    {"bounds", "bounds MODEL --box lo:hi,lo:hi,... [--method ibp|crown|bab]", gauntlet::app::RunBoundsCommand},
    {"prove", "prove MODEL PROPERTY.vnnlib [--timeout SECONDS] [--out FILE]", gauntlet::app::RunProveCommand},
    {"gate", "gate SUITE.yaml --candidate PATH --baseline PATH [--policy FILE.yaml] [--out DIR] [--slot NAME] "
             "[--threads N]\n"
             "               [--junit per-instance|per-requirement]",
     gauntlet::app::RunGateCommand},
    {"history", "history [--db FILE] [--last N] [--suite NAME] [--html FILE [--label TEXT]]   trends per family and "
                "requirement, changed verdicts",
     gauntlet::app::RunHistoryCommand},
    {"play", "play FILE.xosc [--time-step S] [--duration S] [--param NAME=VALUE]... [--trace FILE.csv]\n"
             "               play an OpenSCENARIO XML scenario: its events and collisions, exit 1 on a collision",
     gauntlet::app::RunPlayCommand},
    {"import", "import FILE.xosc --out FILE.yaml [--ego NAME] [--time-step S] [--duration S] [--param NAME=VALUE]...\n"
               "               write the Gauntlet scenario equivalent to an OpenSCENARIO scenario (exit 2 with every "
               "reason when it cannot be expressed)",
     gauntlet::app::RunImportCommand},
};

constexpr const char* kJUnitHelp =
    "\n--junit per-requirement (run, merge, gate): junit.xml holds one testcase per family and requirement,\n"
    "listing up to 20 failing instances (the worst first), instead of one per instance and requirement\n"
    "(the default, per-instance): for runs too large for a CI server's test view.\n";

void PrintUsage(std::FILE* out) {
  std::fprintf(out, "usage: gauntlet <command> [arguments]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  gauntlet %.*s\n", static_cast<int>(c.synopsis.size()), c.synopsis.data());
  std::fprintf(out,
               "\nexit codes: 0 passed / holds, 1 a gating requirement failed or a regression was found,\n"
               "            2 usage or input error (nothing was run), 3 internal or infrastructure error\n");
  std::fprintf(out, "%s", kJUnitHelp);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> all(argv + 1, argv + argc);
  if (all.empty()) {
    PrintUsage(stderr);
    return gauntlet::app::kExitUsage;
  }
  if (all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
    PrintUsage(stdout);
    return gauntlet::app::kExitPassed;
  }
  if (all[0] == "--version") {
    std::printf("gauntlet %s\n", GAUNTLET_VERSION);
    return gauntlet::app::kExitPassed;
  }
  const std::vector<std::string> rest(all.begin() + 1, all.end());
  std::vector<std::string> names;
  for (const Command& c : kCommands) {
    if (c.name == all[0]) {
      if (rest.size() == 1 && (rest[0] == "--help" || rest[0] == "-h")) {
        std::printf("usage: gauntlet %.*s\n", static_cast<int>(c.synopsis.size()), c.synopsis.data());
        if (c.name == "run" || c.name == "merge" || c.name == "gate") std::printf("%s", kJUnitHelp);
        return gauntlet::app::kExitPassed;
      }
      try {
        return c.run(rest);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "gauntlet: internal error: %s\n", e.what());
        return gauntlet::app::kExitInternal;
      }
    }
    names.emplace_back(c.name);
  }
  std::fprintf(stderr, "gauntlet: unknown command '%s'%s\n", all[0].c_str(),
               gauntlet::core::DidYouMean(all[0], names).c_str());
  PrintUsage(stderr);
  return gauntlet::app::kExitUsage;
}
