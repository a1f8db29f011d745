// Playing an OpenSCENARIO scenario in a suite against its YAML equivalent: the same scenario run as a
// scenario file whose world is the .xosc (the co-simulation: the model drives the ego in the sim, the
// player moves the other entities, lane signals from the OpenDRIVE network) and as the Gauntlet scenario
// `gauntlet import` writes for it (`world:`), with the same model, observations and requirement. Both
// run the same number of instances, one thread, in this process; prints each one's simulated steps per
// second and the ratio co-simulation / YAML. It also plays the .xosc alone as `gauntlet play` does (the
// openscenario::Player stepping, no simulation; same time step, as many steps as a YAML instance runs
// unless the storyboard ends first, best of 3) and prints the ratio play / YAML (the target is >= 1,
// "playing it no slower than the YAML equivalent").
// First it prints the time to load and prepare a scenario (LoadScenario and a Player started: its Init
// actions played; the target is under 50 ms for NCAP size): the first time in the process, again (the
// XML files and road network parsed once per content: the median of 20), and a co-simulation instance's
// start from its OpenScenarioWorld (the .xosc resolved once per parameter values: the median of 20).
//
//   build/bench/openscenario/cosim_bench [FILE.xosc] [instances] [model: idm | PATH.onnx] [LOAD.xosc]
//
// LOAD.xosc (default FILE.xosc) is the scenario whose load and preparation are timed, e.g. a Euro NCAP
// case such as NCAP_AEB_C2C_CCFtap_2023.xosc.
// The default scenario is esmini's slow-lead-vehicle.xosc (two catalog cars on a 500 m road with signs,
// the ego at 30 m/s behind a lead at 1 m/s), one of the examples `gauntlet import` can express.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <string>
#include <vector>

#include "openscenario/import.h"
#include "openscenario/player.h"
#include "openscenario/scenario.h"
#include "scenarios/campaign.h"
#include "scenarios/openscenario_world.h"
#include "scenarios/scenario.h"
#include "scenarios/suite.h"
#include "scenarios/yaml_writer.h"

namespace {

using namespace gauntlet;
namespace fs = std::filesystem;

/// The model binding and requirement both files share (import's default binding, observing `lead`).
std::string Rest(const std::string& ego, const std::string& lead) {
  return "model:\n  slot: m\n  observation:\n    - {name: gap_m, expr: " + lead + ".gap}\n"
         "    - {name: speed_mps, expr: " + ego + ".speed}\n    - {name: closing_speed_mps, expr: " + ego +
         ".speed - " + lead + ".speed}\n  accel_mps2: {output: 0}\nrequirements:\n"
         "  - {name: no_collision, formula: always (" + lead + ".gap > 0)}\ngenerators:\n  - {kind: uniform, count: 1}\n";
}

using Clock = std::chrono::steady_clock;

double MillisecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

/// Milliseconds to load `path` and start a Player on it (the Init actions).
double LoadAndPrepare(const std::string& path) {
  const auto t0 = Clock::now();
  const openscenario::Scenario sc = openscenario::LoadScenario(path);
  openscenario::Player player(sc, {.time_step = 0.05});
  player.Start();
  return MillisecondsSince(t0);
}

/// The median of `n` runs of `f` (milliseconds).
template <class F>
double Median(int n, F&& f) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(f());
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Figure {
  double steps = 0.0;
  double seconds = 0.0;
};

/// Runs `instances` instances of `family`, one after the other, each its best of 3 (steps, seconds).
Figure Run(const scenarios::Suite& suite, const scenarios::Family& family, int instances) {
  Figure f;
  for (int i = 0; i < instances; ++i) {
    double best = 1e300;
    size_t steps = 0;
    for (int rep = 0; rep < 3; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      const scenarios::InstanceResult r = scenarios::RunInstance(suite, family, static_cast<size_t>(i), {},
                                                                 static_cast<uint64_t>(i + 1), "bench");
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (r.status == scenarios::InstanceStatus::kError) {
        std::fprintf(stderr, "%s: instance error: %s\n", family.name.c_str(), r.error.c_str());
        std::exit(3);
      }
      best = std::min(best, s);
      steps = r.steps;
    }
    f.steps += static_cast<double>(steps);
    f.seconds += best;
  }
  return f;
}

/// Plays `path` with a Player `reps` times (step `dt`, at most `max_steps` steps or until the storyboard
/// ends, the trace lines taken and dropped): the best of the runs (steps, seconds).
Figure Play(const std::string& path, double dt, size_t max_steps, int reps) {
  const openscenario::Scenario sc = openscenario::LoadScenario(path);
  Figure f;
  double best = 1e300;
  for (int rep = 0; rep < reps; ++rep) {
    openscenario::Player player(sc, {.time_step = dt});
    const auto t0 = Clock::now();
    player.Start();
    (void)player.TakeLines();
    size_t steps = 0;
    while (!player.finished() && steps < max_steps) {
      player.Step();
      (void)player.TakeLines();
      ++steps;
    }
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s < best) {
      best = s;
      f.steps = static_cast<double>(steps);
    }
  }
  f.seconds = best;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string xosc = fs::absolute(argc > 1 ? argv[1]
                                                 : std::string(GAUNTLET_SOURCE_DIR) +
                                                       "/data/openscenario/xosc/slow-lead-vehicle.xosc")
                               .string();
  const int instances = argc > 2 ? std::max(1, std::atoi(argv[2])) : 20;
  const std::string model = argc > 3 ? argv[3] : "idm";
  const std::string load = argc > 4 ? fs::absolute(argv[4]).string() : xosc;
  try {
    const double first_ms = LoadAndPrepare(load);  // before anything else reads the file
    const double again_ms = Median(20, [&] { return LoadAndPrepare(load); });
    std::printf("load+prepare %s: first %.2f ms, again %.2f ms (median of 20)\n", load.c_str(), first_ms, again_ms);
    const openscenario::ImportResult imported = openscenario::ImportScenario(xosc, {.time_step = 0.05});
    std::string lead;
    for (const sim::ActorSpec& a : imported.world.actors)
      if (!a.ego && lead.empty()) lead = a.name;
    if (lead.empty()) {
      std::fprintf(stderr, "%s: no entity besides the ego\n", xosc.c_str());
      return 2;
    }
    const fs::path dir = fs::temp_directory_path() / ("gauntlet_cosim_bench_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "cosim.yaml") << "scenario: cosim\nopenscenario: {file: " << scenarios::YamlString(xosc)
                                      << ", ego: " << imported.ego << ", time_step_s: 0.05, duration_s: "
                                      << imported.world.duration_s << "}\n"
                                      << Rest(imported.ego, lead);
    std::ofstream(dir / "yaml.yaml") << "scenario: yaml\nworld:\n"
                                     << scenarios::ToYamlFields(imported.world, 2) << Rest(imported.ego, lead);
    const std::string model_entry =
        model == "idm" ? "{builtin: idm, params: {v0: 35}}" : "{path: " + scenarios::YamlString(model) + "}";
    std::ofstream(dir / "suite.yaml") << "suite: cosim_bench\nseed: 1\nmodels: {m: " << model_entry
                                      << "}\nscenarios:\n  - {scenario: cosim.yaml}\n  - {scenario: yaml.yaml}\n";
    const scenarios::Suite suite = scenarios::LoadSuite((dir / "suite.yaml").string());
    const scenarios::OpenScenarioWorld& world = *suite.families[0].scenario->openscenario;
    const double start_ms = Median(20, [&] {
      const auto t0 = Clock::now();
      (void)scenarios::StartCoSimulation(world, {});
      return MillisecondsSince(t0);
    });
    std::printf("a co-simulation instance's start (the .xosc resolved once per parameter values): %.3f ms (median of 20)\n",
                start_ms);
    // warm up both, then measure them interleaved
    (void)Run(suite, suite.families[0], 1);
    (void)Run(suite, suite.families[1], 1);
    const Figure cosim = Run(suite, suite.families[0], instances);
    const Figure yaml = Run(suite, suite.families[1], instances);
    fs::remove_all(dir);
    // playing: as many repetitions as the YAML run had instances, each the best of 3
    const auto per_instance = static_cast<size_t>(yaml.steps / instances + 0.5);
    (void)Play(xosc, 0.05, per_instance, 1);
    Figure play;
    for (int i = 0; i < instances; ++i) {
      const Figure p = Play(xosc, 0.05, per_instance, 3);
      play.steps += p.steps;
      play.seconds += p.seconds;
    }
    const double play_rate = play.steps / play.seconds;
    const double cosim_rate = cosim.steps / cosim.seconds, yaml_rate = yaml.steps / yaml.seconds;
    std::printf("%s, model %s, %d instances each (best of 3 per instance), one thread\n", xosc.c_str(), model.c_str(),
                instances);
    std::printf("co-simulation (.xosc world): %.0f steps per second (%.0f steps)\n", cosim_rate, cosim.steps);
    std::printf("YAML equivalent (world:):    %.0f steps per second (%.0f steps)\n", yaml_rate, yaml.steps);
    std::printf("ratio co-simulation / YAML:  %.2f (the co-simulation)\n", cosim_rate / yaml_rate);
    std::printf("play (.xosc, Player alone):  %.0f steps per second (%.0f steps, dt = 0.05 s)\n", play_rate,
                play.steps);
    std::printf("ratio play / YAML:           %.2f (target >= 1)\n", play_rate / yaml_rate);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}
