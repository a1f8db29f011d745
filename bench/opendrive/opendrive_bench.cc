// Load time of every esmini road network (data/openscenario/xodr), and the cost of the queries an
// OpenSCENARIO player makes per entity and step (LaneToWorld, Locate with a hint, MoveAlong).
//
//   build-*/bench/opendrive/opendrive_bench [directory]
//
// Each file is loaded 20 times; the median is printed in milliseconds.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "opendrive/opendrive.h"

namespace {

using Clock = std::chrono::steady_clock;

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  namespace od = gauntlet::opendrive;
  const std::string dir = argc > 1 ? argv[1] : std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xodr";
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".xodr") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  std::printf("%-40s %8s %6s %10s %12s %12s\n", "file", "bytes", "roads", "load_ms", "locate_us", "move_us");
  for (const std::string& file : files) {
    std::vector<double> times;
    od::Network net;
    try {
      for (int i = 0; i < 20; ++i) {
        const auto t0 = Clock::now();
        net = od::Network::Load(file);
        times.push_back(Millis(Clock::now() - t0));
      }
    } catch (const std::exception& e) {
      std::printf("%-40s refused: %s\n", file.c_str(), e.what());
      continue;
    }
    std::sort(times.begin(), times.end());
    // Queries: along the first driving lane of every road.
    int queries = 0;
    Clock::duration locate{};
    Clock::duration move{};
    for (size_t r = 0; r < net.roads().size(); ++r) {
      const od::Road& road = net.roads()[r];
      for (const od::Lane& lane : road.sections.front().lanes) {
        if (!od::IsDrivable(lane.type)) {
          continue;
        }
        for (int k = 0; k < 10; ++k) {
          const od::LanePos p{static_cast<od::RoadIndex>(r), lane.id, road.length * k / 10.0, 0.0};
          const od::Pose pose = net.LaneToWorld(p);
          const auto t0 = Clock::now();
          const auto where = net.Locate(pose.x, pose.y, pose.heading, p);
          const auto t1 = Clock::now();
          const od::MoveResult m = net.MoveAlong(p, 1.5);
          const auto t2 = Clock::now();
          locate += t1 - t0;
          move += t2 - t1;
          queries += (where ? 1 : 0) + (m.moved >= 0.0 ? 0 : 0);
        }
        break;
      }
    }
    const double n = std::max(queries, 1);
    std::printf("%-40s %8ju %6zu %10.3f %12.2f %12.2f\n", std::filesystem::path(file).filename().c_str(),
                static_cast<uintmax_t>(std::filesystem::file_size(file)), net.roads().size(), times[times.size() / 2],
                Millis(locate) * 1000.0 / n, Millis(move) * 1000.0 / n);
  }
  return 0;
}
