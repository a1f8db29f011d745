// Inputs fuzz_openscenario found (fuzz/regressions/openscenario/): each must stay a clear input error.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "openscenario/scenario.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::openscenario {
namespace {

using ::testing::HasSubstr;

// fuzz/regressions/openscenario/empty_entity_ref.xosc: `$owner` declared without a value made a
// TimeHeadwayCondition's entityRef "", which loaded and made the player index entity -1 (UBSan).
TEST(OpenScenarioFuzzRegression, AnEmptyEntityRefIsAnError) {
  const std::string condition =
      "<Condition name=\"near\" delay=\"0\" conditionEdge=\"rising\"><ByEntityCondition><TriggeringEntities "
      "triggeringEntitiesRule=\"any\"><EntityRef entityRef=\"ego\"/></TriggeringEntities><EntityCondition>"
      "<RelativeDistanceCondition entityRef=\"$owner\" relativeDistanceType=\"longitudinal\" value=\"15\" "
      "freespace=\"true\" rule=\"lessThan\" coordinateSystem=\"entity\"/></EntityCondition></ByEntityCondition>"
      "</Condition>";
  const std::string text = test::Xosc(
      {.parameters = "<ParameterDeclaration name=\"owner\" parameterType=\"string\" value=\"\"/>",
       .road = test::StraightRoad(),
       .entities = test::Car("ego") + test::Car("lead"),
       .init = test::Place("ego", "<LanePosition roadId=\"1\" laneId=\"-1\" offset=\"0\" s=\"10\"/>", 20.0) +
               test::Place("lead", "<LanePosition roadId=\"1\" laneId=\"-1\" offset=\"0\" s=\"60\"/>", 5.0),
       .stories = test::Story("ego", test::Event("brake", test::SpeedTo(0.0, "step", "time", 0.0),
                                                 test::Trigger(condition)))});
  const std::string path = test::WriteXosc("empty_entity_ref", text);
  try {
    (void)LoadScenario(path);
    FAIL() << "an empty entityRef loaded";
  } catch (const core::InputError& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("RelativeDistanceCondition: no entity named ''"));
  }
  // the fuzzer's own input (it needs the fuzz scratch folder's road and catalogs) is replayed by the
  // fuzz_corpus_openscenario ctest
}

}  // namespace
}  // namespace gauntlet::openscenario
