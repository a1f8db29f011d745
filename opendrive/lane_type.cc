#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "opendrive/opendrive.h"

namespace gauntlet::opendrive {
namespace {

constexpr std::array<std::pair<LaneType, std::string_view>, 30> kNames = {{
    {LaneType::kNone, "none"},
    {LaneType::kDriving, "driving"},
    {LaneType::kStop, "stop"},
    {LaneType::kShoulder, "shoulder"},
    {LaneType::kBiking, "biking"},
    {LaneType::kSidewalk, "sidewalk"},
    {LaneType::kWalking, "walking"},
    {LaneType::kBorder, "border"},
    {LaneType::kRestricted, "restricted"},
    {LaneType::kParking, "parking"},
    {LaneType::kBidirectional, "bidirectional"},
    {LaneType::kMedian, "median"},
    {LaneType::kCurb, "curb"},
    {LaneType::kEntry, "entry"},
    {LaneType::kExit, "exit"},
    {LaneType::kOnRamp, "onRamp"},
    {LaneType::kOffRamp, "offRamp"},
    {LaneType::kConnectingRamp, "connectingRamp"},
    {LaneType::kSlipLane, "slipLane"},
    {LaneType::kMwyEntry, "mwyEntry"},
    {LaneType::kMwyExit, "mwyExit"},
    {LaneType::kBus, "bus"},
    {LaneType::kTaxi, "taxi"},
    {LaneType::kHov, "HOV"},
    {LaneType::kTram, "tram"},
    {LaneType::kRail, "rail"},
    {LaneType::kRoadWorks, "roadWorks"},
    {LaneType::kSpecial1, "special1"},
    {LaneType::kSpecial2, "special2"},
    {LaneType::kSpecial3, "special3"},
}};

bool EqualNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view LaneTypeName(LaneType type) {
  for (const auto& [t, name] : kNames) {
    if (t == type) {
      return name;
    }
  }
  return "none";
}

std::optional<LaneType> ParseLaneType(std::string_view name) {
  for (const auto& [t, n] : kNames) {
    if (EqualNoCase(n, name)) {
      return t;
    }
  }
  return std::nullopt;
}

bool IsDrivable(LaneType type) {
  switch (type) {
    case LaneType::kDriving:
    case LaneType::kBidirectional:
    case LaneType::kEntry:
    case LaneType::kExit:
    case LaneType::kOnRamp:
    case LaneType::kOffRamp:
    case LaneType::kConnectingRamp:
    case LaneType::kSlipLane:
    case LaneType::kMwyEntry:
    case LaneType::kMwyExit:
    case LaneType::kBus:
    case LaneType::kTaxi:
    case LaneType::kHov:
      return true;
    default:
      return false;
  }
}

}  // namespace gauntlet::opendrive
