// Every esmini road network in data/openscenario/xodr loads (or is refused with a positioned error
// naming the unsupported element), and known geometry of some of them holds.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include "opendrive/opendrive.h"

namespace gauntlet::opendrive {
namespace {

const std::string kDir = std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xodr/";

std::vector<std::string> XodrFiles() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
    if (entry.path().extension() == ".xodr") {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(EsminiFiles, EveryFileLoads) {
  const std::vector<std::string> files = XodrFiles();
  ASSERT_EQ(files.size(), 20u) << "data/openscenario/xodr must hold esmini's 20 road networks";
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    try {
      const Network net = Network::Load(file);
      EXPECT_FALSE(net.roads().empty());
    } catch (const core::InputError& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

}  // namespace
}  // namespace gauntlet::opendrive
