#pragma once
// Reading OpenDRIVE XML into plain data (private to opendrive/).
//
// ParseOpenDrive checks the whole document, collecting every problem as a diagnostic at its
// `file:line:col` (pugixml's byte offsets turned into 1-based lines and columns), then throws one
// core::InputError listing them all. Links between roads and junctions are resolved to indices and
// checked (a link to a road or junction that does not exist is an error).
//
//   ParsedNetwork parsed = ParseOpenDrive(text, "roads.xodr");

#include <string>
#include <string_view>
#include <vector>

#include "opendrive/opendrive.h"

namespace gauntlet::opendrive::internal {

/// A parsed, checked file.
struct ParsedNetwork {
  Header header;
  std::vector<Road> roads;
  std::vector<Junction> junctions;
  /// Problems a player passes over (file:line:col and message), e.g. a junction laneLink naming a
  /// lane the road does not have (esmini plays such files; the link is left out).
  std::vector<std::pair<core::SourcePos, std::string>> warnings;
};

/// Parses and checks OpenDRIVE text. Throws core::InputError with every problem found.
[[nodiscard]] ParsedNetwork ParseOpenDrive(std::string_view xml, const std::string& file);

}  // namespace gauntlet::opendrive::internal
