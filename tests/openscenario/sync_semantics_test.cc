// esmini's SynchronizeAction, the choices the Euro NCAP scenarios of Vector's OSC-NCAP-scenarios depend on
// (found by comparing `gauntlet play` with esmini's test/ncap_suite.py values, docs/openscenario.md,
// "SynchronizeAction"). Every expected value is worked out by hand in the comment above it.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

/// A LanePosition on road "1" with an absolute heading.
std::string LaneHeading(int lane, double s, double heading) {
  return "<LanePosition roadId=\"1\" laneId=\"" + std::to_string(lane) + "\" s=\"" + std::to_string(s) +
         "\" offset=\"0\"><Orientation h=\"" + std::to_string(heading) + "\" type=\"absolute\"/></LanePosition>";
}

// On one road the distance to a target is |delta s|, whatever the lanes (esmini's RoadPath on the same
// road), also for an entity facing against its lane (Euro NCAP CCFhol's GVT: lane -1 facing -x, its target
// in lane 1). The master drives lane -1 from s = 0 at 10 m/s to s = 100: 10 s. The Ego starts at s = 300
// in lane -1 facing -x at 5 m/s, its target s = 250 in lane 1 (3.07 m to the side, y = +1.535), final
// speed 5 m/s: 50 m in 10 s at 5 m/s, mean = (v0 + v1) / 2, so the plan keeps 5 m/s at every step and the
// Ego is at x = 300 - 5 t. (The straight line to the target, sqrt(50^2 + 3.07^2) = 50.094 m, would make
// it speed up.)
TEST(SyncSemanticsTest, DistanceOnOneRoadIsDeltaSWhateverTheLanes) {
  for (const double heading : {3.141592653589793, 0.0}) {
    SCOPED_TRACE(heading);
    XoscParts p;
    p.road = StraightRoad();
    p.entities = Car("Master") + Car("Ego");
    // heading 0: the Ego at s = 200 drives +x to s = 250 (x = 200 + 5 t)
    const double start = heading > 0 ? 300.0 : 200.0;
    p.init = Place("Master", LanePos(-1, 0), 10.0) + Place("Ego", LaneHeading(-1, start, heading), 5.0);
    const std::string sync = "<PrivateAction><SynchronizeAction masterEntityRef=\"Master\"><TargetPositionMaster>" +
                             LanePos(-1, 100) + "</TargetPositionMaster><TargetPosition>" + LanePos(1, 250) +
                             "</TargetPosition><FinalSpeed><AbsoluteSpeed value=\"5\"/></FinalSpeed>"
                             "</SynchronizeAction></PrivateAction>";
    p.stories = Story("Ego", Event("sync", sync, Trigger(TimeCondition(0.0))));
    const PlayResult r = PlayFile(WriteXosc("sync_one_road", Xosc(p)), 0.05, 12.0);
    const double dir = heading > 0 ? -1.0 : 1.0;
    for (const double t : {0.05, 2.0, 5.0, 9.0}) {
      EXPECT_NEAR(r.At(t)[1].speed, 5.0, 1e-9) << t;
      EXPECT_NEAR(r.At(t)[1].x, start + dir * 5.0 * t, 1e-6) << t;
    }
    EXPECT_TRUE(r.Printed("10.000: event sync end"));
  }
}

}  // namespace
}  // namespace gauntlet::test
