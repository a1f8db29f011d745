// Trailers (OpenSCENARIO 1.3 Trailer, TrailerHitch, TrailerCoupler, TrailerAction) as esmini tows them:
// the kinematics against closed forms (a straight tow, the steady off-tracking on a circle), the
// couplings, whole scenarios (inline and referenced trailers, connect, disconnect, collisions) and the
// errors at their place.

#include "openscenario/internal/trailer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <fstream>
#include <string>

#include "openscenario/import.h"
#include "openscenario/player.h"
#include "openscenario/scenario.h"
#include "tests/openscenario/xosc_test_util.h"

namespace gauntlet::test {
namespace {

using openscenario::internal::AlignTrailer;
using openscenario::internal::Couplings;
using openscenario::internal::HitchPoint;
using openscenario::internal::PlanePose;
using openscenario::internal::PullTrailer;

constexpr double kPi = std::numbers::pi;

double AngleDiff(double a, double b) { return std::remainder(a - b, 2.0 * kPi); }

/// Tows a trailer (coupler `coupler`) behind a vehicle whose reference point drives a circle of radius
/// `radius` (counter-clockwise, centre at the origin) with its hitch `hitch` ahead, `laps` laps in steps
/// of `ds` metres. Returns the trailer's last pose.
PlanePose TowOnCircle(double radius, double hitch, double coupler, double ds, double laps) {
  PlanePose tow{radius, 0.0, kPi / 2};
  PlanePose trailer = AlignTrailer(HitchPoint(tow, hitch), coupler);
  const int steps = static_cast<int>(laps * 2.0 * kPi * radius / ds);
  for (int k = 1; k <= steps; ++k) {
    const double a = k * ds / radius;
    tow = {radius * std::cos(a), radius * std::sin(a), a + kPi / 2};
    trailer = PullTrailer(HitchPoint(tow, hitch), trailer, coupler);
  }
  return trailer;
}

TEST(TrailerKinematicsTest, AStraightTowKeepsTheTrailerDirectlyBehindAtTheHitchDistance) {
  const double hitch = -1.2, coupler = 3.25;
  for (const double heading : {0.0, 0.7, -2.5, kPi}) {
    PlanePose tow{10.0, -4.0, heading};
    PlanePose trailer = AlignTrailer(HitchPoint(tow, hitch), coupler);
    for (int k = 0; k < 200; ++k) {
      tow.x += 0.5 * std::cos(heading);
      tow.y += 0.5 * std::sin(heading);
      trailer = PullTrailer(HitchPoint(tow, hitch), trailer, coupler);
      const double behind = -(hitch - coupler);  // 4.45 m between the reference points
      EXPECT_NEAR(trailer.x, tow.x - behind * std::cos(heading), 1e-9);
      EXPECT_NEAR(trailer.y, tow.y - behind * std::sin(heading), 1e-9);
      EXPECT_NEAR(AngleDiff(trailer.heading, heading), 0.0, 1e-9);
    }
  }
}

TEST(TrailerKinematicsTest, OnACircleTheTrailerSettlesOnTheOfftrackingRadius) {
  // hitch at the rear axle (the reference point): the trailer's axle runs on sqrt(R^2 - L^2), heading
  // along its circle; a hitch d ahead runs on sqrt(R^2 + d^2), the trailer on sqrt(R^2 + d^2 - L^2)
  struct Case {
    double radius, hitch, coupler;
  };
  for (const Case& c : {Case{20.0, 0.0, 7.0}, Case{12.0, 0.0, 3.25}, Case{25.0, 1.0, 7.0}, Case{30.0, -1.2, 9.5}}) {
    SCOPED_TRACE(c.radius);
    const double expected = std::sqrt(c.radius * c.radius + c.hitch * c.hitch - c.coupler * c.coupler);
    const PlanePose t = TowOnCircle(c.radius, c.hitch, c.coupler, 0.01, 6.0);
    EXPECT_NEAR(std::hypot(t.x, t.y), expected, 0.01);
    // moving tangentially: the heading is perpendicular to the radius (counter-clockwise)
    EXPECT_NEAR(AngleDiff(t.heading, std::atan2(t.y, t.x) + kPi / 2), 0.0, 2e-3);
    // the coarser the step, the further from the continuous tractrix, but never far at 0.5 m
    EXPECT_NEAR(std::hypot(TowOnCircle(c.radius, c.hitch, c.coupler, 0.5, 6.0).x,
                           TowOnCircle(c.radius, c.hitch, c.coupler, 0.5, 6.0).y),
                expected, 0.3);
  }
}

TEST(TrailerKinematicsTest, ThePullKeepsTheBarLengthAndHeadsTowardsTheHitch) {
  const PlanePose hitch{3.0, 4.0, 0.3};
  for (const PlanePose before : {PlanePose{-5.0, 1.0, 0.0}, PlanePose{3.0, 10.0, 2.0}, PlanePose{9.0, 4.0, -1.0}}) {
    const PlanePose t = PullTrailer(hitch, before, 7.0);
    EXPECT_NEAR(std::hypot(t.x - hitch.x, t.y - hitch.y), 7.0, 1e-12);
    EXPECT_NEAR(AngleDiff(t.heading, std::atan2(hitch.y - t.y, hitch.x - t.x)), 0.0, 1e-12);
    // on the ray from the hitch through where it was
    EXPECT_NEAR((t.x - hitch.x) * (before.y - hitch.y) - (t.y - hitch.y) * (before.x - hitch.x), 0.0, 1e-9);
  }
  // exactly at the hitch: straight behind it
  const PlanePose at = PullTrailer(hitch, {3.0, 4.0, 1.0}, 2.0);
  EXPECT_NEAR(at.x, 3.0 - 2.0 * std::cos(0.3), 1e-12);
  EXPECT_NEAR(at.y, 4.0 - 2.0 * std::sin(0.3), 1e-12);
  EXPECT_NEAR(at.heading, 0.3, 1e-12);
}

TEST(TrailerCouplingsTest, ConnectDisconnectAndCyclesRefused) {
  std::vector<openscenario::Entity> es(4);
  es[0].trailer = 1;  // 0 tows 1
  Couplings c(es);
  EXPECT_EQ(c.tow(1), 0);
  EXPECT_EQ(c.trailer(0), 1);
  EXPECT_TRUE(c.Coupled(0, 1));
  EXPECT_TRUE(c.Coupled(1, 0));
  EXPECT_FALSE(c.Coupled(0, 2));
  EXPECT_EQ(c.Fronts(), std::vector<int>{0});
  EXPECT_TRUE(c.Connect(1, 2));  // a chain 0 -> 1 -> 2
  EXPECT_EQ(c.Fronts(), std::vector<int>{0});
  EXPECT_FALSE(c.Connect(2, 0));  // 2 would tow its own front
  EXPECT_FALSE(c.Connect(2, 2));
  EXPECT_TRUE(c.Connect(3, 1));  // 1 changes tow: uncoupled from 0 first
  EXPECT_EQ(c.tow(1), 3);
  EXPECT_EQ(c.trailer(0), -1);
  EXPECT_EQ(c.Fronts(), std::vector<int>{3});
  c.Disconnect(3);
  EXPECT_EQ(c.tow(1), -1);
  EXPECT_EQ(c.Fronts(), std::vector<int>{1});
  c.Disconnect(0);  // nothing to disconnect
  EXPECT_EQ(c.trailer(0), -1);
}

// ---- scenarios -------------------------------------------------------------------------------------

/// A vehicle body: a box `length` long centred `center` ahead of the reference point, with optional
/// hitch / coupler (NaN: none) and `trailer` (a Trailer element, or "").
std::string Body(double center, double length, double hitch, double coupler, const std::string& trailer = "") {
  using openscenario::FormatNumber;
  std::string s = "<Vehicle name=\"v\" vehicleCategory=\"car\"><BoundingBox><Center x=\"" + FormatNumber(center) +
                  "\" y=\"0\" z=\"0.75\"/><Dimensions width=\"2\" length=\"" + FormatNumber(length) +
                  "\" height=\"1.5\"/></BoundingBox><Performance maxSpeed=\"70\" maxAcceleration=\"100\" "
                  "maxDeceleration=\"100\"/><Axles><RearAxle maxSteering=\"0\" wheelDiameter=\"0.6\" trackWidth=\"1.8\" "
                  "positionX=\"0\" positionZ=\"0.3\"/></Axles>";
  if (!std::isnan(hitch)) s += "<TrailerHitch dx=\"" + FormatNumber(hitch) + "\"/>";
  if (!std::isnan(coupler)) s += "<TrailerCoupler dx=\"" + FormatNumber(coupler) + "\"/>";
  return s + trailer + "<Properties/></Vehicle>";
}
std::string Object(const std::string& name, const std::string& body) {
  return "<ScenarioObject name=\"" + name + "\">" + body + "</ScenarioObject>";
}
const double kNoPoint = std::nan("");
/// The towing car of these tests: box [-1, 3], hitch at -2.
std::string TowBody(const std::string& trailer) { return Body(1.0, 4.0, -2.0, kNoPoint, trailer); }
/// A trailer: box [-1, 3], coupler 4 ahead of its reference point.
std::string TrailerBody(const std::string& trailer = "") { return Body(1.0, 4.0, -1.5, 4.0, trailer); }
std::string InlineTrailer(const std::string& body) { return "<Trailer><Trailer name=\"t\">" + body + "</Trailer></Trailer>"; }
std::string TrailerRef(const std::string& entity) { return "<Trailer><TrailerRef entityRef=\"" + entity + "\"/></Trailer>"; }
std::string TrailerActionXml(const std::string& connect_to) {
  return "<PrivateAction><TrailerAction>" +
         (connect_to.empty() ? std::string("<DisconnectTrailerAction/>")
                             : "<ConnectTrailerAction trailerRef=\"" + connect_to + "\"/>") +
         "</TrailerAction></PrivateAction>";
}

TEST(TrailerScenarioTest, AnInlineTrailerIsAnEntityTowedStraightBehindOnTheRoad) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Object("Car", TowBody(InlineTrailer(TrailerBody(InlineTrailer(TrailerBody())))));
  p.init = Place("Car", LanePos(-1, 50.0), 10.0);
  p.stop = Trigger(TimeCondition(5.0), "StopTrigger");
  const openscenario::Scenario sc = openscenario::LoadScenario(WriteXosc("inline", Xosc(p)));
  ASSERT_EQ(sc.entities.size(), 3u);  // esmini names inline trailers "<tow>+", right after the tow
  EXPECT_EQ(sc.entities[1].name, "Car+");
  EXPECT_EQ(sc.entities[2].name, "Car++");
  EXPECT_EQ(sc.entities[0].trailer, 1);
  EXPECT_EQ(sc.entities[1].trailer, 2);
  const PlayResult r = Play(sc, 0.05, 5.0);
  EXPECT_FALSE(r.collided);  // coupled boxes may overlap at the hitch: never a collision
  for (const auto& st : r.states) {
    // reference points 2 + 4 = 6 m apart, then 1.5 + 4 = 5.5 m
    EXPECT_NEAR(st[1].x, st[0].x - 6.0, 1e-6);
    EXPECT_NEAR(st[2].x, st[0].x - 11.5, 1e-6);
    for (int k : {1, 2}) {
      EXPECT_NEAR(st[static_cast<size_t>(k)].y, -1.535, 1e-6);
      EXPECT_NEAR(st[static_cast<size_t>(k)].heading, 0.0, 1e-9);
    }
  }
  EXPECT_NEAR(r.At(1.0)[0].x, 60.0, 1e-6);
  EXPECT_NEAR(r.At(1.0)[2].speed, 10.0, 1e-12);  // a towed trailer moves at its tow's speed
}

TEST(TrailerScenarioTest, ReferencedTrailersIgnoreTheirOwnTeleportsAndFollowTheTow) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Object("T2", TrailerBody()) + Object("T1", TrailerBody(TrailerRef("T2"))) +
               Object("Car", TowBody(TrailerRef("T1")));
  // the trailers' own teleports come first and are overridden: esmini places them behind their tow
  p.init = Place("T2", LanePos(-1, 300.0), 3.0) + Place("T1", LanePos(1, 200.0), 0.0) + Place("Car", LanePos(-1, 100.0), 8.0);
  p.stop = Trigger(TimeCondition(3.0), "StopTrigger");
  const PlayResult r = PlayFile(WriteXosc("refs", Xosc(p)), 0.05, 3.0);
  for (const auto& st : r.states) {
    EXPECT_NEAR(st[1].x, st[2].x - 6.0, 1e-6);   // T1 behind Car
    EXPECT_NEAR(st[0].x, st[2].x - 11.5, 1e-6);  // T2 behind T1
    EXPECT_NEAR(st[0].y, -1.535, 1e-6);
  }
  EXPECT_NEAR(r.At(2.0)[2].x, 116.0, 1e-6);
  EXPECT_NEAR(r.At(2.0)[0].speed, 8.0, 1e-12);
}

TEST(TrailerScenarioTest, OnAnArcTheTrailerOfftracksToTheClosedFormRadius) {
  // no roads: the car follows a clothoid of constant curvature 1/R from the origin (centre (0, R));
  // its hitch is at the reference point (the rear axle), the trailer's coupler L = 7 m
  const double radius = 20.0, coupler = 7.0;
  XoscParts p;
  p.entities = Object("Truck", Body(1.0, 4.0, 0.0, kNoPoint, InlineTrailer(Body(-2.0, 10.0, -3.0, coupler))));
  p.init = Place("Truck", World(0.0, 0.0, 0.0), 5.0);
  const std::string traj =
      "<PrivateAction><RoutingAction><FollowTrajectoryAction><Trajectory name=\"arc\" closed=\"false\"><Shape>"
      "<Clothoid curvature=\"0.05\" curvaturePrime=\"0\" length=\"600\"><Position>" +
      World(0.0, 0.0, 0.0) +
      "</Position></Clothoid></Shape></Trajectory><TimeReference><None/></TimeReference>"
      "<TrajectoryFollowingMode followingMode=\"position\"/></FollowTrajectoryAction></RoutingAction></PrivateAction>";
  p.stories = Story("Truck", Event("arc", traj, Trigger(TimeCondition(0.0))));
  p.stop = Trigger(TimeCondition(100.0), "StopTrigger");
  const PlayResult r = PlayFile(WriteXosc("arc", Xosc(p)), 0.05, 100.0);
  const auto& end = r.At(90.0);  // 450 m: over three laps, settled
  EXPECT_NEAR(std::hypot(end[0].x, end[0].y - radius), radius, 0.02);
  const double off = std::hypot(end[1].x, end[1].y - radius);
  EXPECT_NEAR(off, std::sqrt(radius * radius - coupler * coupler), 0.05);  // 18.735 m
  EXPECT_NEAR(AngleDiff(end[1].heading, std::atan2(end[1].y - radius, end[1].x) + kPi / 2), 0.0, 0.01);
}

TEST(TrailerScenarioTest, ADisconnectedTrailerRollsOnAtItsSpeedAndCollidesWithTheStoppedTow) {
  // Car at 10 m/s with its trailer 6 m behind (gap between the boxes 6 - 1 - 3 = 2 m). At t > 2 the car
  // disconnects and stops at once; the trailer keeps its 10 m/s (esmini: an untowed trailer moves as any
  // entity) and closes the 2 m in 0.2 s
  XoscParts p;
  p.entities = Object("Car", TowBody(InlineTrailer(TrailerBody())));
  p.init = Place("Car", World(0.0, 0.0, 0.0), 10.0);
  const std::string release = "<Action name=\"stop\">" + SpeedTo(0.0, "step", "time", 0.0) + "</Action>";
  p.stories = Story("Car", "<Event name=\"release\" priority=\"override\"><Action name=\"release_action\">" +
                               TrailerActionXml("") + "</Action>" + release +
                               Trigger(TimeCondition(1.99, "greaterThan")) + "</Event>");
  p.stop = Trigger(TimeCondition(4.0), "StopTrigger");
  const PlayResult r = PlayFile(WriteXosc("disconnect", Xosc(p)), 0.05, 4.0);
  // the release happens in the step from 2.00 to 2.05: the car stays at 20.0 from then on
  EXPECT_NEAR(r.At(2.0)[0].x, 20.0, 1e-9);
  EXPECT_NEAR(r.At(3.0)[0].x, 20.0, 1e-9);
  EXPECT_NEAR(r.At(3.0)[1].speed, 10.0, 1e-12);
  EXPECT_NEAR(r.At(3.0)[1].x, 14.0 + 10.0 * 1.0, 1e-6);  // rolled on from 14.0 since t = 2.0
  // touching at 2.2 s exactly (contact counts): printed at that step, or the next if rounding leaves a gap
  EXPECT_TRUE(r.Printed("2.200: collision Car Car+") || r.Printed("2.250: collision Car Car+"))
      << ::testing::PrintToString(r.lines);
  EXPECT_FALSE(r.Printed("2.150: collision Car Car+"));
}

TEST(TrailerScenarioTest, AConnectedTrailerIsPulledOntoTheBarFromWhereItStands) {
  // a standing trailer 12 m behind the car; at t >= 1 the car connects it (esmini: no alignment, the next
  // pull puts it on the bar: 2 + 4 = 6 m behind on the line to where it stood) and drives off
  XoscParts p;
  p.entities = Object("Trailer", TrailerBody()) + Object("Car", TowBody(""));
  p.init = Place("Trailer", World(-12.0, 0.5, 0.0), 0.0) + Place("Car", World(0.0, 0.0, 0.0), 0.0);
  p.stories = Story("Car", Event("connect", TrailerActionXml("Trailer"), Trigger(TimeCondition(1.0))) +
                               Event("go", SpeedTo(5.0, "step", "time", 0.0), Trigger(TimeCondition(2.0)),
                                     "priority=\"parallel\""));
  p.stop = Trigger(TimeCondition(4.0), "StopTrigger");
  const PlayResult r = PlayFile(WriteXosc("connect", Xosc(p)), 0.05, 4.0);
  EXPECT_NEAR(r.At(0.5)[0].x, -12.0, 1e-12);  // not towed yet: stands
  const auto& after = r.At(1.5);
  const double d = std::hypot(-12.0 - -2.0, 0.5);  // from the hitch (-2, 0) to where it stood
  EXPECT_NEAR(after[0].x, -2.0 + 4.0 * (-10.0 / d), 1e-9);
  EXPECT_NEAR(after[0].y, 4.0 * (0.5 / d), 1e-9);
  EXPECT_NEAR(std::hypot(r.At(4.0)[0].x - (r.At(4.0)[1].x - 2.0), r.At(4.0)[0].y), 4.0, 1e-9);
  EXPECT_NEAR(r.At(4.0)[0].speed, 5.0, 1e-12);
  EXPECT_GT(r.At(4.0)[0].x, -6.0 + 5.0 * 1.9);  // dragged along
}

TEST(TrailerScenarioTest, BadTrailersAreErrorsAtTheirPlace) {
  const auto errors = [](const std::string& name, const std::string& entities, const std::string& stories = "") {
    XoscParts p;
    p.entities = entities;
    p.stories = stories;
    return LoadErrors(WriteXosc(name, Xosc(p)));
  };
  EXPECT_NE(errors("nohitch", Object("Car", Body(1.0, 4.0, kNoPoint, kNoPoint, InlineTrailer(TrailerBody()))))
                .find("the towing vehicle needs a TrailerHitch"),
            std::string::npos);
  EXPECT_NE(errors("nocoupler", Object("Car", TowBody(InlineTrailer(Body(1.0, 4.0, kNoPoint, kNoPoint)))))
                .find("needs to be a Vehicle with a TrailerCoupler at dx > 0"),
            std::string::npos);
  // a trailer referenced before it is declared (esmini resolves references to entities made before)
  EXPECT_NE(errors("later", Object("Car", TowBody(TrailerRef("T"))) + Object("T", TrailerBody())).find("no entity named 'T'"),
            std::string::npos);
  EXPECT_NE(errors("twice", Object("T", TrailerBody()) + Object("A", TowBody(TrailerRef("T"))) +
                                Object("B", TowBody(TrailerRef("T"))))
                .find("'T' is already the trailer of 'A'"),
            std::string::npos);
  EXPECT_NE(errors("oldstyle", Object("Car", TowBody("<Trailer><EntityRef entityRef=\"x\"/></Trailer>")))
                .find("EntityRef is not supported in Trailer; supported: TrailerRef, Trailer"),
            std::string::npos);
  EXPECT_NE(errors("connect_nohitch", Object("T", TrailerBody()) + Object("Car", Body(1.0, 4.0, kNoPoint, kNoPoint)),
                   Story("Car", Event("c", TrailerActionXml("T"), Trigger(TimeCondition(1.0)))))
                .find("ConnectTrailerAction: 'Car' needs a TrailerHitch"),
            std::string::npos);
  EXPECT_NE(errors("connect_self", Object("T", TrailerBody()),
                   Story("T", Event("c", TrailerActionXml("T"), Trigger(TimeCondition(1.0)))))
                .find("'T' cannot tow itself"),
            std::string::npos);
  // a catalog entry whose inline trailer is itself: refused, not an endless recursion
  {
    const std::string dir = FreshDir("osc_selftow_catalog");
    std::ofstream(dir + "/Vehicles.xosc")
        << "<?xml version=\"1.0\"?><OpenSCENARIO><FileHeader revMajor=\"1\" revMinor=\"3\" date=\"2024-01-01T00:00:00\" "
           "description=\"c\" author=\"t\"/><Catalog name=\"VehicleCatalog\">"
        << Body(1.0, 4.0, -2.0, 4.0,
                "<Trailer><Trailer name=\"t\"><CatalogReference catalogName=\"VehicleCatalog\" entryName=\"v\"/>"
                "</Trailer></Trailer>")
        << "</Catalog></OpenSCENARIO>";
    XoscParts p;
    p.catalogs = "<VehicleCatalog><Directory path=\"" + dir + "\"/></VehicleCatalog>";
    p.entities = "<ScenarioObject name=\"Car\"><CatalogReference catalogName=\"VehicleCatalog\" entryName=\"v\"/>"
                 "</ScenarioObject>";
    EXPECT_NE(LoadErrors(WriteXosc("selftow", Xosc(p))).find("more than 100 trailers in a row"), std::string::npos);
  }
  // an empty TrailerRef (a catalog's default) attaches nothing
  EXPECT_EQ(errors("empty", Object("Car", TowBody(TrailerRef("")))), "");
}

TEST(TrailerScenarioTest, ConnectingATrailerThatTowsTheTowIsARunTimeError) {
  XoscParts p;
  p.entities = Object("A", TrailerBody()) + Object("B", TrailerBody(TrailerRef("A")));
  p.init = Place("B", World(0.0, 0.0, 0.0), 0.0);
  p.stories = Story("A", Event("c", TrailerActionXml("B"), Trigger(TimeCondition(1.0))));
  const openscenario::Scenario sc = openscenario::LoadScenario(WriteXosc("cycle", Xosc(p)));
  EXPECT_THROW((void)Play(sc, 0.05, 2.0), core::InputError);
}

TEST(TrailerScenarioTest, ImportRefusesACoupledVehicle) {
  XoscParts p;
  p.road = StraightRoad();
  p.entities = Object("Ego", TowBody(InlineTrailer(TrailerBody())));
  p.init = Place("Ego", LanePos(-1, 50.0), 10.0);
  const std::string path = WriteXosc("import", Xosc(p));
  try {
    (void)openscenario::ImportScenario(path);
    ADD_FAILURE() << "imported";
  } catch (const core::InputError& e) {
    ASSERT_FALSE(e.diagnostics().empty());
    EXPECT_NE(e.diagnostics().front().Format().find("entity 'Ego' tows 'Ego+': a trailer cannot be expressed"),
              std::string::npos)
        << e.diagnostics().front().Format();
  }
}

}  // namespace
}  // namespace gauntlet::test
