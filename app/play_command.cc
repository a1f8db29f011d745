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
// 3 internal error (the trace cannot be written).
//
// A parameter variation file (ParameterValueDistribution) plays its scenario once per parameter set,
// each run's lines after a line `# parameter set I/N: NAME=VALUE ...`, traces in FILE_I.csv; exit 1 if
// any run collided.
//
// `--model SLOT=PATH`: the network file PATH (.onnx or .nnet) drives entity SLOT through the default
// binding (scenarios::DefaultOpenScenarioBinding: gap ahead, speed, closing speed -> acceleration), the
// other entities following the storyboard: the co-simulation of a scenario file's `openscenario:` world
// (scenarios/openscenario_world.h). Same lines, trace and exit codes; the trace holds SLOT as driven.

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
#include "openscenario/distribution.h"
#include "openscenario/expression.h"
#include "openscenario/player.h"
#include "openscenario/scenario.h"
#include "scenarios/model_driver.h"
#include "scenarios/openscenario_world.h"
#include "scenarios/suite.h"
#include "sim/episode.h"

namespace gauntlet::app {
namespace {

constexpr const char* kUsage =
    "usage: gauntlet play FILE.xosc [--time-step S] [--duration S] [--param NAME=VALUE]... [--trace FILE.csv] "
    "[--model SLOT=PATH] [--align-route-positions] [--disable-controllers]\n";
constexpr double kDefaultDuration = 3600.0;
constexpr double kMaxSteps = 1e8;

/// A time without the noise of k * step (0.15000000000000002 -> 0.15).
std::string Time(double t) { return openscenario::FormatNumber(std::round(t * 1e9) / 1e9); }

/// `trace.csv` -> `trace_3.csv` (one trace per parameter set).
std::string NumberedPath(const std::string& path, size_t n) {
  const size_t dot = path.rfind('.');
  const size_t slash = path.rfind('/');
  const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return (has_ext ? path.substr(0, dot) : path) + "_" + std::to_string(n) + (has_ext ? path.substr(dot) : "");
}

/// The model of `--model SLOT=PATH`.
struct ModelArg {
  std::string slot;
  std::string path;
};

/// The trace of one run: `time`, then x, y, heading, speed of every entity, one row per step.
class TraceFile {
 public:
  TraceFile(const std::optional<std::string>& path, const openscenario::Scenario& scenario) : path_(path) {
    if (!path_) return;
    out_.open(*path_);
    if (!out_) throw core::InfrastructureError("cannot write the trace '" + *path_ + "'");
    out_ << "time";
    for (const auto& e : scenario.entities)
      out_ << ',' << e.name << ".x," << e.name << ".y," << e.name << ".heading," << e.name << ".speed";
    out_ << '\n';
  }
  void Row(double time, const std::vector<openscenario::EntityState>& states) {
    if (!path_) return;
    out_ << Time(time);
    for (const auto& s : states)
      out_ << ',' << core::FormatDouble(s.x) << ',' << core::FormatDouble(s.y) << ',' << core::FormatDouble(s.heading)
           << ',' << core::FormatDouble(s.speed);
    out_ << '\n';
  }
  void Close() {
    if (!path_) return;
    out_.close();
    if (!out_) throw core::InfrastructureError("cannot write the trace '" + *path_ + "'");
  }

 private:
  std::optional<std::string> path_;
  std::ofstream out_;
};

void PrintLines(openscenario::Player& player) {
  for (const std::string& line : player.TakeLines()) std::cout << line << '\n';
  for (const openscenario::Warning& w : player.TakeWarnings()) std::cerr << w.Format() << '\n';
}

/// Plays `scenario` with `model` driving entity model.slot (the co-simulation of an `openscenario:`
/// world, the default binding), printing its lines and writing its trace; whether a collision happened.
bool PlayWithModel(const std::shared_ptr<const openscenario::Scenario>& scenario, const ModelArg& model_arg,
                   TraceFile& trace, double dt, double duration) {
  if (const std::string problem = scenarios::CoSimulation::EgoProblem(*scenario, model_arg.slot); !problem.empty())
    throw core::InputError({"--model", 0, 0}, problem);
  const scenarios::LoadedModel model = scenarios::LoadModelFile(model_arg.slot, model_arg.path);
  scenarios::CoSimulation cosim(scenario, model_arg.slot, dt, duration);
  const scenarios::ModelBindingSpec binding = scenarios::DefaultOpenScenarioBinding(cosim.world(), model_arg.slot);
  const std::vector<std::string> problems = scenarios::CheckModelFitsBinding(binding, "play", model_arg.slot, model);
  if (!problems.empty()) {
    std::string message = "the model does not fit play's default binding (inputs gap_m, speed_mps, closing_speed_mps; "
                          "output 0 the acceleration in m/s^2):";
    for (const std::string& p : problems) message += "\n  " + p;
    message += "\n  for another binding, write a scenario file with an 'openscenario:' section (docs/scenario-format.md)";
    throw core::InputError({model_arg.path, 0, 0}, message);
  }
  const std::shared_ptr<const scenarios::Scenario> bound = scenarios::BindingScenario("play", cosim.world(), binding);
  scenarios::ModelDriver driver(*bound, binding, model, core::Rng(0).Fork("sensors"));
  const size_t world_signals = sim::SignalNames(cosim.world()).size();
  std::vector<openscenario::EntityState> last;
  sim::EpisodeOptions options;
  options.extra_signals = driver.SignalNames();
  options.record_trace = false;
  options.script = &cosim;
  options.observer = [&](double time_s, std::span<const double> row) {
    PrintLines(cosim.player());
    last = cosim.States(row.first(world_signals));
    trace.Row(time_s, last);
    return true;
  };
  const sim::EpisodeResult episode = sim::RunEpisode(cosim.world(), driver, options);
  if (episode.status == sim::EpisodeStatus::kError) {
    PrintLines(cosim.player());
    std::cout.flush();
    if (!cosim.input_error().empty()) throw core::InputError({}, cosim.input_error());
    if (episode.error.starts_with("invalid world")) throw core::InputError({scenario->path, 0, 0}, episode.error);
    throw std::runtime_error(episode.error);
  }
  // the driven entity's contacts at the last row (the others' were checked by the last step)
  if (!cosim.player().finished() && !last.empty()) cosim.player().SetExternalState(last[cosim.ego()]);
  PrintLines(cosim.player());
  return cosim.player().collided();
}

/// The options of `gauntlet play` that change how a scenario is read and played.
struct PlayFlags {
  bool align_route_positions = false;  ///< --align-route-positions (esmini's --align_routepositions)
  bool disable_controllers = false;    ///< --disable-controllers (esmini's --disable_controllers)
};

/// Plays one scenario with `overrides`, printing its lines (and writing its trace); whether a
/// collision happened. Throws core::InputError for bad input, InfrastructureError when the trace
/// cannot be written.
bool PlayOne(const std::string& path, const std::vector<std::pair<std::string, std::string>>& overrides,
             const std::optional<std::string>& trace_path, double dt, const std::optional<double>& duration,
             const std::optional<ModelArg>& model, const PlayFlags& flags) {
  const auto loaded = std::make_shared<const openscenario::Scenario>(
      openscenario::LoadScenario(path, overrides, {.disable_controllers = flags.disable_controllers}));
  const openscenario::Scenario& scenario = *loaded;
  for (const auto& w : scenario.warnings) std::cerr << w.Format() << '\n';
  TraceFile trace(trace_path, scenario);
  if (model) {
    // the steps of the run without a model: up to the first t >= duration
    const double steps = std::ceil(duration.value_or(kDefaultDuration) / dt - 1e-6);
    const bool collided = PlayWithModel(loaded, *model, trace, dt, steps * dt);
    std::cout.flush();
    trace.Close();
    return collided;
  }
  openscenario::Player player(scenario, {.time_step = dt, .align_route_positions = flags.align_route_positions});
  auto flush = [&] {
    for (const std::string& line : player.TakeLines()) std::cout << line << '\n';
    trace.Row(player.time(), player.States());
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
  trace.Close();
  if (!duration && !player.finished() && player.time() >= end - dt * 1e-6)
    std::cerr << "gauntlet play: warning: no StopTrigger fired; stopped at " << kDefaultDuration << " s\n";
  return player.collided();
}

}  // namespace

int RunPlayCommand(const std::vector<std::string>& argv) {
  Args args(argv, {{"time-step", true}, {"duration", true}, {"param", true, true}, {"trace", true}, {"model", true, true},
                        {"align-route-positions", false}, {"disable-controllers", false}});
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
  if (duration.value_or(kDefaultDuration) / dt > kMaxSteps) {
    std::cerr << "gauntlet play: --time-step " << dt << " over " << duration.value_or(kDefaultDuration)
              << " s is more than 1e8 steps\n"
              << kUsage;
    return kExitUsage;
  }
  std::optional<ModelArg> model;
  const PlayFlags flags{.align_route_positions = args.Has("align-route-positions"),
                        .disable_controllers = args.Has("disable-controllers")};
  if (flags.align_route_positions && args.Has("model")) {
    std::cerr << "gauntlet play: --align-route-positions is not supported with --model\n" << kUsage;
    return kExitUsage;
  }
  if (args.Has("model")) {
    const std::vector<std::string> all = args.GetAll("model");
    const size_t eq = all.front().find('=');
    if (all.size() != 1 || eq == std::string::npos || eq == 0 || eq + 1 == all.front().size()) {
      std::cerr << "gauntlet play: --model needs one SLOT=PATH (SLOT: the entity the model drives)\n" << kUsage;
      return kExitUsage;
    }
    model = ModelArg{all.front().substr(0, eq), all.front().substr(eq + 1)};
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
    const std::string& path = args.positional()[0];
    const std::optional<std::string> trace_path = args.Get("trace");
    if (!openscenario::IsParameterDistribution(path))
      return PlayOne(path, overrides, trace_path, dt, duration, model, flags) ? kExitFailed : kExitPassed;
    // a parameter variation file: its scenario once per parameter set (--param applies on top)
    const openscenario::ParameterDistribution dist = openscenario::LoadParameterDistribution(path);
    const std::vector<openscenario::ParameterSet> sets = dist.Sets();
    bool collided = false;
    for (size_t i = 0; i < sets.size(); ++i) {
      openscenario::ParameterSet params = sets[i];
      params.insert(params.end(), overrides.begin(), overrides.end());
      std::cout << "# parameter set " << (i + 1) << "/" << sets.size() << ":";
      for (const auto& [name, value] : sets[i]) std::cout << ' ' << name << '=' << value;
      std::cout << '\n';
      std::optional<std::string> trace;
      if (trace_path) trace = NumberedPath(*trace_path, i + 1);
      collided = PlayOne(dist.scenario_path, params, trace, dt, duration, model, flags) || collided;
    }
    return collided ? kExitFailed : kExitPassed;
  } catch (const core::InputError& e) {
    std::cout.flush();
    std::cerr << e.what() << '\n';
    return kExitUsage;
  } catch (const core::InfrastructureError& e) {
    std::cout.flush();
    std::cerr << "gauntlet play: " << e.what() << '\n';
    return kExitInternal;
  } catch (const std::runtime_error& e) {  // the model failed (a non-finite output, ...)
    std::cout.flush();
    std::cerr << "gauntlet play: " << e.what() << '\n';
    return kExitInternal;
  }
}

}  // namespace gauntlet::app
