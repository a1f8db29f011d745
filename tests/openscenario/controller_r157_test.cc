// esmini's ALKS_R157SM_Controller with its Regulation model as the player simulates it
// (openscenario/internal/controller_r157.h), with values worked out by hand.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "opendrive/opendrive.h"
#include "openscenario/internal/controller_r157.h"
#include "openscenario/player.h"
#include "openscenario/scenario.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

/// A body on lane `lane` of the straight road at `s`, `offset` from the lane centre, heading `h` (rad)
/// from the road's +s, with the box of Car() (4.3 x 1.8 m, centre 1.3 m ahead, front axle 2.8 m).
openscenario::internal::Body On(const opendrive::Network& roads, int lane, double s, double offset, double h,
                                double speed) {
  const opendrive::LanePos lp{*roads.FindRoad("1"), lane, s, offset};
  const opendrive::Pose p = roads.LaneToWorld(lp);
  return {{p.x, p.y, h, speed}, lp, {1.3, 0.0, 0.75, 4.3, 1.8, 1.5}, false, 2.8};
}

/// Ego (a Car() with an ALKS_R157SM_Controller of `properties`, activated in Init) at s = 10 with 20 m/s on
/// lane -1 of the straight road, and `other` (a Car) at `other_s` with `other_v` on the same lane.
std::string R157Scene(const std::string& name, const std::string& properties, const std::string& other, double other_s,
                      double other_v) {
  XoscParts p;
  p.road = StraightRoad();
  std::string ego = Car("Ego");
  ego.insert(ego.find("</ScenarioObject>"), "<ObjectController><Controller name=\"ALKS_R157SM_Controller\"><Properties>" +
                                                properties + "</Properties></Controller></ObjectController>");
  p.entities = ego + Car(other);
  p.init = Place("Ego", LanePos(-1, 10.0), 20.0) +
           "<Private entityRef=\"Ego\"><PrivateAction><ControllerAction><ActivateControllerAction "
           "longitudinal=\"true\"/></ControllerAction></PrivateAction></Private>" +
           Place(other, LanePos(-1, other_s), other_v);
  return WriteXosc(name, Xosc(p));
}
std::string Prop(const std::string& name, const std::string& value) {
  return "<Property name=\"" + name + "\" value=\"" + value + "\"/>";
}

TEST(ControllerR157Test, ACutInStartsWhenTheFrontCornerIsThirtyCentimetresInside) {
  // the other car on lane 1 (3.07 m wide; the ego on lane -1): its right front corner at the front axle
  // is 0.9 m right of its reference point, so it is 0.3 m inside the ego's lane when its offset is below
  // 0.9 - (1.535 + 0.3) = -0.935 m; turned by h towards the ego, the corner lies 0.9 cos h + 2.8 sin |h|
  // right of the reference point
  const opendrive::Network roads = opendrive::Network::Load(StraightRoad());
  const auto ego = On(roads, -1, 20.0, 0.0, 0.0, 20.0);
  using openscenario::internal::R157Measure;
  EXPECT_FALSE(R157Measure(roads, ego, On(roads, 1, 40.0, -0.93, 0.0, 15.0), 46.0).cut_in);
  const auto in = R157Measure(roads, ego, On(roads, 1, 40.0, -0.94, 0.0, 15.0), 46.0);
  EXPECT_TRUE(in.valid);
  EXPECT_EQ(in.d_lane, 1);  // lane 1 beside lane -1: one lane across the centre
  EXPECT_TRUE(in.cut_in);
  const double h = -0.05;  // heading towards the ego
  const double threshold = 0.9 * std::cos(h) + 2.8 * std::sin(-h) - 1.835;
  EXPECT_FALSE(R157Measure(roads, ego, On(roads, 1, 40.0, threshold + 0.01, h, 15.0), 46.0).cut_in);
  EXPECT_TRUE(R157Measure(roads, ego, On(roads, 1, 40.0, threshold - 0.01, h, 15.0), 46.0).cut_in);
  // the gaps: 20 m between the reference points less the ego's front (1.3 + 2.15) and the other's rear
  // (2.15 - 1.3); the closing speed 5 m/s; TTC = gap / 5
  EXPECT_NEAR(in.dist_long, 20.0 - 3.45 - 0.85, 1e-9);
  EXPECT_NEAR(in.dv_s, 5.0, 1e-12);
  EXPECT_NEAR(in.ttc, (20.0 - 4.3) / 5.0, 1e-9);
  // out of range (46 m between the reference points) or behind: not seen
  EXPECT_FALSE(R157Measure(roads, ego, On(roads, -1, 66.5, 0.0, 0.0, 0.0), 46.0).valid);
  EXPECT_FALSE(R157Measure(roads, ego, On(roads, -1, 10.0, 0.0, 0.0, 0.0), 46.0).valid);
}

TEST(ControllerR157Test, AStandingObstacleInRangeIsCriticalAndBrakesAtSixToAStop) {
  // Ego at 20 m/s from s = 10, an obstacle standing at s = 70 on its lane, step 0.05, fullStop. The
  // controller measures before it moves the Ego: at 0.75 s the reference points are 46 m apart (in
  // range), the gap 46 - 3.45 - 0.85 = 41.7 m, TTC 2.085 s < 20 / 12 + 0.35 + 0.1 = 2.117 s: critical,
  // and it brakes at 6 m/s^2 from there, v = 20 - 6 (t - 0.7), to a stop after 66 braking steps:
  // s = 24 + 0.05 sum_{j=1..66} (20 - 0.3 j) = 24 + 32.835
  const PlayResult r = PlayFile(
      R157Scene("r157_obstacle", Prop("model", "Regulation") + Prop("fullStop", "true"), "Obstacle", 70.0, 0.0), 0.05, 8.0);
  EXPECT_NEAR(r.At(0.7)[0].speed, 20.0, 1e-12);
  EXPECT_NEAR(r.At(0.75)[0].speed, 19.7, 1e-9);
  EXPECT_NEAR(r.At(1.0)[0].speed, 18.2, 1e-9);
  EXPECT_EQ(r.At(4.1)[0].speed, 0.0);
  EXPECT_NEAR(r.At(8.0)[0].x, 24.0 + 32.835, 1e-9);
  for (const std::string& l : r.lines) EXPECT_EQ(l.find("collision"), std::string::npos) << l;
}

TEST(ControllerR157Test, CruiseFollowsAFasterTargetWithoutBraking) {
  // a target ahead on the ego's lane driving away (dv_s < 0, TTC infinite): the cruise's car following
  // wants a = -2 dv_s + (gap - d_min) > 0 but the speed stays within the set speed (20, the speed at
  // activation): the Ego keeps 20 m/s
  const PlayResult r = PlayFile(
      R157Scene("r157_cruise", Prop("model", "Regulation") + Prop("cruise", "true"), "Lead", 40.0, 25.0), 0.05, 5.0);
  EXPECT_NEAR(r.At(5.0)[0].speed, 20.0, 1e-12);
  EXPECT_NEAR(r.At(5.0)[0].x, 110.0, 1e-9);
}

TEST(ControllerR157Test, OnlyTheRegulationModelIsSimulated) {
  auto with = [](const std::string& name, const std::string& props) { return R157Scene(name, props, "Lead", 40.0, 20.0); };
  EXPECT_NE(LoadErrors(with("r157_refdriver", "<Property name=\"model\" value=\"ReferenceDriver\"/>"))
                .find("model 'ReferenceDriver' is not supported"),
            std::string::npos);
  // a property of the ReferenceDriver model only is a warning with the Regulation model
  const openscenario::Scenario sc = openscenario::LoadScenario(
      with("r157_aeb", "<Property name=\"model\" value=\"Regulation\"/><Property name=\"aebTTC\" value=\"1.2\"/>"));
  ASSERT_EQ(sc.warnings.size(), 1u);
  EXPECT_NE(sc.warnings[0].message.find("esmini reads it for the ReferenceDriver model only"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::test
