// Fuzzes the OpenDRIVE reader (opendrive::Network::LoadString: pugixml, geometry, lanes, links) and
// then queries an accepted network as a simulation would: a network that loads must answer every
// query on its roads and lanes (poses, Locate, MoveAlong across links, successors, routes, outlines).
#include <algorithm>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "opendrive/opendrive.h"

namespace {

using gauntlet::opendrive::LanePos;
using gauntlet::opendrive::Network;
using gauntlet::opendrive::RoadIndex;

// At most this many roads and lanes per section are queried (the cost of an input stays bounded).
constexpr size_t kMaxRoads = 8;
constexpr size_t kMaxLanes = 6;

void Query(const Network& net) {
  const auto& roads = net.roads();
  double longest = 1.0;
  for (const auto& road : roads) longest = std::max(longest, road.length);
  const double step = longest / 32.0;  // a few points per road, however long
  std::optional<LanePos> first;
  for (size_t r = 0; r < std::min(roads.size(), kMaxRoads); ++r) {
    const auto road = static_cast<RoadIndex>(r);
    const double length = roads[r].length;
    (void)net.ReferenceLine(road, std::max(step, length / 32.0));
    for (const double s : {0.0, 0.5 * length, length}) {
      (void)net.RoadToWorld(road, s, 1.0);
      if (roads[r].sections.empty()) continue;
      const auto& lanes = roads[r].sections[static_cast<size_t>(net.SectionAt(road, s))].lanes;
      for (size_t l = 0; l < std::min(lanes.size(), kMaxLanes); ++l) {
        const int lane = lanes[l].id;
        (void)net.LaneBordersT(road, lane, s);
        if (lane == 0) continue;
        const LanePos at{road, lane, s, 0.25};
        if (!first) first = at;
        const auto pose = net.LaneToWorld(at);
        (void)net.Locate(pose.x, pose.y, pose.heading, at);
        (void)net.LocateOnRoad(road, pose.x + 3.0, pose.y - 2.0, pose.heading);
        (void)net.MoveAlong(at, 0.75 * longest);
        (void)net.MoveAlong(at, -0.75 * longest);
        (void)net.MoveAlongS(at, 10.0);
        (void)net.Successors(road, lane, s);
        (void)net.Predecessors(road, lane, s);
        if (const auto route = net.Route(*first, at)) (void)net.RouteLength(*route, *first, at);
      }
    }
  }
  (void)net.Locate(0.0, 0.0);
  (void)net.LaneOutlines(step);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  gauntlet::fuzz::Run([&] { Query(Network::LoadString(text, "fuzz.xodr")); });
  return 0;
}
