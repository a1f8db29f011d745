// Loading and preparing an OpenSCENARIO scenario of NCAP size, and playing it: prints the median time
// to load (XML, catalogs, road network, storyboard) and start (Init actions), and the steps per second.
//
//   build/bench/openscenario/openscenario_bench [FILE.xosc] [repetitions]
//
// The default scenario is esmini's cut-in.xosc (3 entities from catalogs on the e6mini road network,
// 4 events, time headway and element state triggers): the size of a Euro NCAP or ALKS test case.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "openscenario/player.h"
#include "openscenario/scenario.h"

int main(int argc, char** argv) {
  const std::string path =
      argc > 1 ? argv[1] : std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xosc/cut-in.xosc";
  const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 50;
  using Clock = std::chrono::steady_clock;
  std::vector<double> load_ms;
  double steps = 0.0, play_s = 0.0;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    const gauntlet::openscenario::Scenario sc = gauntlet::openscenario::LoadScenario(path);
    gauntlet::openscenario::Player player(sc, {.time_step = 0.05});
    player.Start();
    const auto t1 = Clock::now();
    load_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    while (!player.finished() && player.time() < 60.0) {
      player.Step();
      (void)player.TakeLines();
      steps += 1.0;
    }
    play_s += std::chrono::duration<double>(Clock::now() - t1).count();
  }
  std::sort(load_ms.begin(), load_ms.end());
  std::printf("%s\n", path.c_str());
  std::printf("load and prepare: median %.2f ms, max %.2f ms over %d runs (target < 50 ms)\n",
              load_ms[load_ms.size() / 2], load_ms.back(), reps);
  std::printf("play: %.0f steps per second (dt = 0.05 s)\n", steps / play_s);
  return 0;
}
