// `gauntlet play FILE.xosc [--time-step S] [--duration S] [--param NAME=VALUE]... [--trace FILE.csv]
// [--model SLOT=PATH]`: plays an OpenSCENARIO XML scenario as written (docs/openscenario.md).
//
// stdout: one line per storyboard event that starts, ends or is stopped (`1.250: event brake start`),
// one per new contact of two bounding boxes (`4.250: collision Ego Target`, the entities in
// declaration order) and `T: storyboard stop` when the StopTrigger fires; times with 3 decimals.
// stderr: warnings (`file:line:col: warning: ...`) for elements the player ignores as the standard
// allows. `--trace` writes a CSV: `time`, then `<name>.x,<name>.y,<name>.heading,<name>.speed` for every
// entity, one row per step from t = 0. The run stops when the StopTrigger fires or at --duration
// (default 3600 s of simulated time). Exit 0 ran without collision, 1 a collision happened, 2 usage or
// input error (nothing was run, or the scenario could not go on: a position it names does not exist),
// 3 internal error.

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/commands.h"
#include "core/error.h"
#include "core/format.h"
#include "openscenario/expression.h"
#include "openscenario/player.h"
#include "openscenario/scenario.h"

namespace gauntlet::app {
namespace {

constexpr const char* kUsage =
    "usage: gauntlet play FILE.xosc [--time-step S] [--duration S] [--param NAME=VALUE]... [--trace FILE.csv] "
    "[--model SLOT=PATH]\n";
constexpr double kDefaultDuration = 3600.0;

/// A time without the noise of k * step (0.15000000000000002 -> 0.15).
std::string Time(double t) { return openscenario::FormatNumber(std::round(t * 1e9) / 1e9); }

}  // namespace

int RunPlayCommand(const std::vector<std::string>& argv) {
  Args args(argv, {{"time-step", true}, {"duration", true}, {"param", true, true}, {"trace", true}, {"model", true, true}});
  const std::optional<double> step = args.Double("time-step");
  const std::optional<double> duration = args.Double("duration");
  if (!args.ok()) {
    std::cerr << "gauntlet play: " << args.error() << kUsage;
    return kExitUsage;
  }
  if (args.positional().size() != 1) {
    std::cerr << "gauntlet play: " << (args.positional().empty() ? "missing FILE.xosc" : "give one FILE.xosc") << '\n'
              << kUsage;
    return kExitUsage;
  }
  const double dt = step.value_or(0.05);
  if (!(dt > 0.0) || !std::isfinite(dt)) {
    std::cerr << "gauntlet play: --time-step must be a positive number of seconds\n" << kUsage;
    return kExitUsage;
  }
  if (duration && !(*duration >= 0.0 && std::isfinite(*duration))) {
    std::cerr << "gauntlet play: --duration must be a non-negative number of seconds\n" << kUsage;
    return kExitUsage;
  }
  if (args.Has("model")) {
    std::cerr << "gauntlet play: --model is not supported yet: a model cannot drive an OpenSCENARIO entity "
                 "(every entity follows its storyboard)\n";
    return kExitUsage;
  }
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const std::string& p : args.GetAll("param")) {
    const size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "gauntlet play: --param needs NAME=VALUE, got '" << p << "'\n" << kUsage;
      return kExitUsage;
    }
    overrides.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  try {
    const openscenario::Scenario scenario = openscenario::LoadScenario(args.positional()[0], overrides);
    for (const auto& w : scenario.warnings) std::cerr << w.Format() << '\n';
    std::ofstream trace;
    const std::optional<std::string> trace_path = args.Get("trace");
    if (trace_path) {
      trace.open(*trace_path);
      if (!trace) {
        std::cerr << "gauntlet play: cannot write the trace '" << *trace_path << "'\n";
        return kExitUsage;
      }
      trace << "time";
      for (const auto& e : scenario.entities)
        trace << ',' << e.name << ".x," << e.name << ".y," << e.name << ".heading," << e.name << ".speed";
      trace << '\n';
    }
    openscenario::Player player(scenario, {.time_step = dt});
    auto flush = [&] {
      for (const std::string& line : player.TakeLines()) std::cout << line << '\n';
      if (trace_path) {
        trace << Time(player.time());
        for (const auto& s : player.States())
          trace << ',' << core::FormatDouble(s.x) << ',' << core::FormatDouble(s.y) << ','
                << core::FormatDouble(s.heading) << ',' << core::FormatDouble(s.speed);
        trace << '\n';
      }
    };
    player.Start();
    flush();
    const double end = duration.value_or(kDefaultDuration);
    while (!player.finished() && player.time() < end - dt * 1e-6) {
      player.Step();
      if (player.finished()) {
        for (const std::string& line : player.TakeLines()) std::cout << line << '\n';
        break;
      }
      flush();
    }
    std::cout.flush();
    if (trace_path) {
      trace.close();
      if (!trace) {
        std::cerr << "gauntlet play: cannot write the trace '" << *trace_path << "'\n";
        return kExitInternal;
      }
    }
    if (!duration && !player.finished() && player.time() >= end - dt * 1e-6)
      std::cerr << "gauntlet play: warning: no StopTrigger fired; stopped at " << kDefaultDuration << " s\n";
    return player.collided() ? kExitFailed : kExitPassed;
  } catch (const core::InputError& e) {
    std::cout.flush();
    std::cerr << e.what() << '\n';
    return kExitUsage;
  }
}

}  // namespace gauntlet::app
