// Road and lane coordinates, links, junctions, MoveAlong, Locate and Route on small networks whose
// geometry is computed by hand.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "opendrive/internal/curve.h"
#include "opendrive/opendrive.h"
#include "tests/opendrive/xodr_builder.h"

namespace gauntlet::opendrive {
namespace {

using namespace testing;  // NOLINT: the builder
constexpr double kPi = std::numbers::pi;

double AngleDiff(double a, double b) { return internal::WrapAngle(a - b); }

// A straight road along `heading` from (x, y): lanes 2, 1 (3 m) and -1, -2 (3.5 m).
RoadDef Straight(std::string id, double x, double y, double heading, double length) {
  RoadDef r{.id = std::move(id), .length = length, .geometry = Line(0, x, y, heading, length)};
  r.sections.push_back({.lanes = {LaneW(2, 3.0), LaneW(1, 3.0), LaneW(-1, 3.5), LaneW(-2, 3.5)}});
  return r;
}

TEST(Network, LaneCentresOnAStraightRoad) {
  const Network net = Network::LoadString(Document(RoadXml(Straight("7", 0, 0, 0, 100))));
  const RoadIndex r = *net.FindRoad("7");
  const auto at = [&](int lane, double s, double offset) { return net.LaneToWorld({r, lane, s, offset}); };
  EXPECT_NEAR(at(-1, 10, 0).y, -1.75, 1e-12);
  EXPECT_NEAR(at(-2, 10, 0).y, -5.25, 1e-12);
  EXPECT_NEAR(at(1, 10, 0).y, 1.5, 1e-12);
  EXPECT_NEAR(at(2, 10, 0).y, 4.5, 1e-12);
  EXPECT_NEAR(at(2, 10, 0).x, 10.0, 1e-12);
  EXPECT_NEAR(at(-1, 10, 0.5).y, -1.25, 1e-12);  // offset along +t for every lane
  EXPECT_NEAR(at(1, 10, 0.5).y, 2.0, 1e-12);
  EXPECT_NEAR(at(-1, 10, 0).heading, 0.0, 1e-15);  // right lanes drive along s
  EXPECT_NEAR(std::abs(at(1, 10, 0).heading), kPi, 1e-12);
  EXPECT_TRUE(net.DrivesAlongS(r, -2));
  EXPECT_FALSE(net.DrivesAlongS(r, 2));
  EXPECT_NEAR(net.LaneWidth(r, 2, 50), 3.0, 1e-15);
  EXPECT_NEAR(net.LaneCentreT(r, -2, 50), -5.25, 1e-15);
  EXPECT_EQ(net.LaneAt(r, -2, 50)->type, LaneType::kDriving);
  EXPECT_EQ(net.LaneAt(r, -3, 50), nullptr);
  EXPECT_EQ(net.header().rev_minor, 6);
  EXPECT_EQ(net.header().geo_reference, "+proj=utm +zone=32");
}

TEST(Network, RoadCoordinatesOnARotatedRoad) {
  const double h = 0.5;
  const Network net = Network::LoadString(Document(RoadXml(Straight("a", 3, 4, h, 80))));
  for (const double s : {0.0, 12.5, 80.0}) {
    for (const double t : {-4.0, 0.0, 2.5}) {
      const Pose p = net.RoadToWorld(0, s, t);
      EXPECT_NEAR(p.x, 3 + s * std::cos(h) - t * std::sin(h), 1e-12);
      EXPECT_NEAR(p.y, 4 + s * std::sin(h) + t * std::cos(h), 1e-12);
      EXPECT_NEAR(p.heading, h, 1e-15);
    }
  }
}

TEST(Network, LaneWidthsAreCubicsPerRecordAndSection) {
  RoadDef r{.id = "1", .length = 100, .geometry = Line(0, 0, 0, 0, 100)};
  LaneDef l1{.id = -1, .widths = {{0, 3, 0.01, 0.001, -1e-5}, {40, 3.5, 0, 0, 0}}};
  LaneDef l2{.id = -2, .widths = {{0, 2, 0, 0.0005, 0}}};
  r.sections.push_back({.s = 0, .lanes = {l1, l2}});
  r.sections.push_back({.s = 60, .lanes = {LaneDef{.id = -1, .widths = {{0, 4, 0.01, 0, 0}}}}});
  const Network net = Network::LoadString(Document(RoadXml(r)));
  const double w20 = 3 + 0.01 * 20 + 0.001 * 400 - 1e-5 * 8000;
  EXPECT_NEAR(net.LaneWidth(0, -1, 20), w20, 1e-12);
  EXPECT_NEAR(net.LaneWidth(0, -1, 50), 3.5, 1e-12);
  EXPECT_NEAR(net.LaneWidth(0, -2, 20), 2 + 0.0005 * 400, 1e-12);
  EXPECT_NEAR(net.LaneWidth(0, -1, 70), 4.1, 1e-12);  // ds from the second section's start
  EXPECT_NEAR(net.LaneWidth(0, -2, 70), 0.0, 0.0);     // the section has no lane -2
  const auto [inner, outer] = net.LaneBordersT(0, -2, 20);
  EXPECT_NEAR(inner, -w20, 1e-12);
  EXPECT_NEAR(outer, -w20 - 2.2, 1e-12);
  // the lane centre's heading follows the width's slope: t_c = -(w1 + w2 / 2)
  const double slope = -(0.01 + 2 * 0.001 * 20 - 3 * 1e-5 * 400 + 0.5 * 2 * 0.0005 * 20);
  EXPECT_NEAR(net.LaneToWorld({0, -2, 20, 0}).heading, std::atan(slope), 1e-12);
  EXPECT_EQ(net.SectionAt(0, 59.999), 0);
  EXPECT_EQ(net.SectionAt(0, 60), 1);
}

TEST(Network, LaneOffsetShiftsEveryLane) {
  RoadDef r = Straight("1", 0, 0, 0, 100);
  r.lane_offsets = "<laneOffset s=\"0\" a=\"1\" b=\"0.01\" c=\"0\" d=\"0\"/>"
                   "<laneOffset s=\"50\" a=\"1.5\" b=\"0\" c=\"0.001\" d=\"0\"/>";
  const Network net = Network::LoadString(Document(RoadXml(r)));
  EXPECT_NEAR(net.LaneOffset(0, 20), 1.2, 1e-12);
  EXPECT_NEAR(net.LaneCentreT(0, -1, 20), 1.2 - 1.75, 1e-12);
  EXPECT_NEAR(net.LaneCentreT(0, 2, 20), 1.2 + 4.5, 1e-12);
  EXPECT_NEAR(net.LaneCentreT(0, -1, 60), 1.5 + 0.1 - 1.75, 1e-12);
  EXPECT_NEAR(net.LaneToWorld({0, -1, 20, 0}).y, 1.2 - 1.75, 1e-12);
  EXPECT_NEAR(net.LaneToWorld({0, -1, 20, 0}).heading, std::atan(0.01), 1e-12);
  EXPECT_NEAR(net.LaneToWorld({0, -1, 60, 0}).heading, std::atan(0.02), 1e-12);
}

TEST(Network, BorderRecordsGiveTheOuterEdge) {
  RoadDef r{.id = "1", .length = 50, .geometry = Line(0, 0, 0, 0, 50)};
  r.sections.push_back({.lanes = {LaneDef{.id = -1, .widths = {{0, 2, 0, 0, 0}}, .border = true},
                                  LaneDef{.id = -2, .widths = {{0, 5, 0.02, 0, 0}}, .border = true}}});
  const Network net = Network::LoadString(Document(RoadXml(r)));
  EXPECT_NEAR(net.LaneWidth(0, -1, 10), 2.0, 1e-12);
  EXPECT_NEAR(net.LaneWidth(0, -2, 10), 3.2, 1e-12);
  EXPECT_NEAR(net.LaneCentreT(0, -2, 10), -3.6, 1e-12);
}

TEST(Network, LeftHandTrafficSwapsDirections) {
  RoadDef r = Straight("1", 0, 0, 0, 100);
  r.rule = "LHT";
  const Network net = Network::LoadString(Document(RoadXml(r)));
  EXPECT_TRUE(net.roads()[0].left_hand_traffic);
  EXPECT_TRUE(net.DrivesAlongS(0, 1));
  EXPECT_FALSE(net.DrivesAlongS(0, -1));
  EXPECT_NEAR(net.LaneToWorld({0, 1, 10, 0}).heading, 0.0, 1e-15);
  EXPECT_NEAR(std::abs(net.LaneToWorld({0, -1, 10, 0}).heading), kPi, 1e-12);
  const MoveResult m = net.MoveAlong({0, 1, 10, 0}, 5);
  EXPECT_NEAR(m.position.s, 15.0, 1e-12);
  const MoveResult back = net.MoveAlong({0, -1, 10, 0}, 5);
  EXPECT_NEAR(back.position.s, 5.0, 1e-12);
}

TEST(Network, LaneCentreOnAnArcAndMoveAlongScalesByTheLateralPlace) {
  const double R = 100.0;
  RoadDef r{.id = "1", .length = 150, .geometry = Arc(0, 0, 0, 0, 150, 1.0 / R)};
  r.sections.push_back({.lanes = {LaneW(1, 3.5), LaneW(-1, 3.5)}});
  const Network net = Network::LoadString(Document(RoadXml(r)));
  const double s = 40.0;
  const Pose p = net.LaneToWorld({0, -1, s, 0});
  // reference point on the circle centred (0, R), then 1.75 m away from the centre
  const double a = s / R;
  EXPECT_NEAR(p.x, (R + 1.75) * std::sin(a), 1e-9);
  EXPECT_NEAR(p.y, R - (R + 1.75) * std::cos(a), 1e-9);
  EXPECT_NEAR(p.curvature, 1.0 / (R + 1.75), 1e-12);
  // 10 m on the outer lane is less than 10 m of s; on the inner lane (driving against s) more
  const MoveResult outer = net.MoveAlong({0, -1, s, 0}, 10.0);
  EXPECT_NEAR(outer.position.s, s + 10.0 / (1 + 1.75 / R), 1e-12);
  EXPECT_NEAR(outer.moved, 10.0, 1e-12);
  const MoveResult inner = net.MoveAlong({0, 1, s, 0}, 10.0);
  EXPECT_NEAR(inner.position.s, s - 10.0 / (1 - 1.75 / R), 1e-12);
  const MoveResult along_s = net.MoveAlongS({0, -1, s, 0}, 10.0);
  EXPECT_NEAR(along_s.position.s, s + 10.0, 1e-12);
  // the travelled arc at the lane centre is the distance
  const Pose q = net.LaneToWorld(outer.position);
  EXPECT_NEAR((R + 1.75) * std::abs(AngleDiff(q.heading, p.heading)), 10.0, 1e-9);
}

// A (0,0)->(100,0); its end meets B's end: B runs from (200,0) back to (100,0).
std::string EndToEnd() {
  RoadDef a = Straight("A", 0, 0, 0, 100);
  a.link = LinkXml("successor", "road", "B", "end");
  a.sections[0].lanes = {LaneDef{.id = 1, .predecessor = std::nullopt, .successor = -1},
                         LaneDef{.id = -1, .successor = 1}};
  RoadDef b = Straight("B", 200, 0, kPi, 100);
  b.link = LinkXml("successor", "road", "A", "end");
  b.sections[0].lanes = {LaneDef{.id = 1, .successor = -1}, LaneDef{.id = -1, .successor = 1}};
  return Document(RoadXml(a) + RoadXml(b));
}

TEST(Network, MoveAlongCrossesAnEndToEndLinkConservingDistance) {
  const Network net = Network::LoadString(EndToEnd());
  const RoadIndex A = *net.FindRoad("A"), B = *net.FindRoad("B");
  EXPECT_EQ(net.roads()[A].successor.road, B);
  EXPECT_EQ(net.roads()[A].successor.contact, ContactPoint::kEnd);
  const MoveResult m = net.MoveAlong({A, -1, 90, 0.3}, 30);
  EXPECT_EQ(m.position.road, B);
  EXPECT_EQ(m.position.lane, 1);
  EXPECT_NEAR(m.position.s, 80.0, 1e-9);
  EXPECT_NEAR(m.position.offset, -0.3, 1e-12);  // same side of the car, t flipped
  EXPECT_NEAR(m.moved, 30.0, 1e-12);
  EXPECT_EQ(m.links_crossed, 1);
  EXPECT_FALSE(m.end_of_network);
  const Pose p = net.LaneToWorld(m.position);
  EXPECT_NEAR(p.x, 120.0, 1e-9);
  EXPECT_NEAR(p.y, -1.75 + 0.3, 1e-9);
  EXPECT_NEAR(AngleDiff(p.heading, 0.0), 0.0, 1e-12);
  // and back again
  const MoveResult back = net.MoveAlong(m.position, -30);
  EXPECT_EQ(back.position.road, A);
  EXPECT_EQ(back.position.lane, -1);
  EXPECT_NEAR(back.position.s, 90.0, 1e-9);
  EXPECT_NEAR(back.position.offset, 0.3, 1e-12);
  EXPECT_NEAR(back.moved, -30.0, 1e-12);
  // the other direction: B's lane -1 (driving towards A) continues into A's lane 1
  const MoveResult other = net.MoveAlong({B, -1, 95, 0}, 10);
  EXPECT_EQ(other.position.road, A);
  EXPECT_EQ(other.position.lane, 1);
  EXPECT_NEAR(other.position.s, 95.0, 1e-9);
  ASSERT_EQ(net.Successors(A, -1, 10).size(), 1u);
  EXPECT_EQ(net.Successors(A, -1, 10)[0], (LanePos{B, 1, 100.0, 0.0}));
  ASSERT_EQ(net.Predecessors(B, 1, 10).size(), 1u);
  EXPECT_EQ(net.Predecessors(B, 1, 10)[0], (LanePos{A, -1, 100.0, 0.0}));
}

TEST(Network, MoveAlongCrossesAStartLinkAndLaneSectionsFollowingLaneLinks) {
  RoadDef a{.id = "1", .length = 100, .geometry = Line(0, 0, 0, 0, 100)};
  a.link = LinkXml("successor", "road", "2", "start");
  a.sections.push_back({.s = 0, .lanes = {LaneDef{.id = -1, .successor = -2}}});
  a.sections.push_back({.s = 50, .lanes = {LaneDef{.id = -1}, LaneDef{.id = -2, .predecessor = -1, .successor = -1}}});
  RoadDef b{.id = "2", .length = 40, .geometry = Line(0, 100, 0, 0, 40)};
  b.link = LinkXml("predecessor", "road", "1", "end");
  b.sections.push_back({.lanes = {LaneDef{.id = -1, .predecessor = -2}}});
  const Network net = Network::LoadString(Document(RoadXml(a) + RoadXml(b)));
  const MoveResult m = net.MoveAlong({0, -1, 40, 0}, 20);
  EXPECT_EQ(m.position.lane, -2);
  EXPECT_NEAR(m.position.s, 60.0, 1e-12);
  EXPECT_NEAR(net.LaneToWorld(m.position).y, -3.5 - 1.75, 1e-12);
  const MoveResult far = net.MoveAlong({0, -1, 40, 0}, 70);
  EXPECT_EQ(far.position.road, 1);
  EXPECT_EQ(far.position.lane, -1);
  EXPECT_NEAR(far.position.s, 10.0, 1e-12);
  EXPECT_EQ(far.links_crossed, 2);
  // landing exactly on the section boundary puts the position in the next section's lane
  const MoveResult edge = net.MoveAlong({0, -1, 40, 0}, 10);
  EXPECT_EQ(edge.position.lane, -2);
  EXPECT_NEAR(edge.position.s, 50.0, 1e-12);
  // backwards through both links
  const MoveResult back = net.MoveAlong({1, -1, 10, 0}, -70);
  EXPECT_EQ(back.position.road, 0);
  EXPECT_EQ(back.position.lane, -1);
  EXPECT_NEAR(back.position.s, 40.0, 1e-12);
}

TEST(Network, MoveAlongStopsWhereALaneEndsInsideARoad) {
  RoadDef r{.id = "1", .length = 100, .geometry = Line(0, 0, 0, 0, 100)};
  r.sections.push_back({.s = 0, .lanes = {LaneW(-1, 3.5), LaneW(-2, 3.5)}});
  r.sections.push_back({.s = 50, .lanes = {LaneW(-1, 3.5)}});
  const Network net = Network::LoadString(Document(RoadXml(r)));
  const MoveResult m = net.MoveAlong({0, -2, 40, 0}, 20);
  EXPECT_TRUE(m.end_of_network);
  EXPECT_NEAR(m.moved, 10.0, 1e-12);
  EXPECT_EQ(m.position.lane, -2);
  EXPECT_NEAR(m.position.s, 50.0, 1e-12);
  EXPECT_EQ(net.SectionAt(0, m.position.s), 0);  // still in the section that has the lane
  EXPECT_NEAR(net.LaneToWorld(m.position).y, -5.25, 1e-12);
  // lane -1 continues (same id, no link)
  const MoveResult on = net.MoveAlong({0, -1, 40, 0}, 20);
  EXPECT_FALSE(on.end_of_network);
  EXPECT_NEAR(on.position.s, 60.0, 1e-12);
}

TEST(Network, MoveAlongStopsAtTheEndOfTheNetwork) {
  const Network net = Network::LoadString(Document(RoadXml(Straight("1", 0, 0, 0, 100))));
  const MoveResult m = net.MoveAlong({0, -1, 90, 0}, 30);
  EXPECT_TRUE(m.end_of_network);
  EXPECT_NEAR(m.moved, 10.0, 1e-12);
  EXPECT_NEAR(m.position.s, 100.0, 1e-12);
  const MoveResult exact = net.MoveAlong({0, -1, 90, 0}, 10);
  EXPECT_FALSE(exact.end_of_network);
  EXPECT_NEAR(exact.position.s, 100.0, 1e-12);
  const MoveResult stuck = net.MoveAlong(exact.position, 1);
  EXPECT_TRUE(stuck.end_of_network);
  EXPECT_EQ(stuck.moved, 0.0);
  const MoveResult back = net.MoveAlong({0, -1, 10, 0}, -30);
  EXPECT_TRUE(back.end_of_network);
  EXPECT_NEAR(back.moved, -10.0, 1e-12);
  EXPECT_NEAR(back.position.s, 0.0, 1e-12);
  const MoveResult left = net.MoveAlong({0, 1, 10, 0}, 30);  // lane 1 drives towards s = 0
  EXPECT_TRUE(left.end_of_network);
  EXPECT_NEAR(left.moved, 10.0, 1e-12);
}

// Road 1 (0,0)->(100,0) into junction J: connecting road 11 turns left (radius 20) into road 3,
// connecting road 10 goes straight into road 2. Right lanes only. Connection 11 is listed first.
std::string Junction() {
  RoadDef r1{.id = "1", .length = 100, .geometry = Line(0, 0, 0, 0, 100)};
  r1.link = LinkXml("successor", "junction", "J");
  r1.sections.push_back({.lanes = {LaneW(-1, 3.5), LaneW(-2, 3.5)}});
  RoadDef r10{.id = "10", .length = 20, .geometry = Line(0, 100, 0, 0, 20), .junction = "J"};
  r10.link = LinkXml("predecessor", "road", "1", "end") + LinkXml("successor", "road", "2", "start");
  r10.sections.push_back({.lanes = {LaneDef{.id = -1, .predecessor = -1, .successor = -1}}});
  RoadDef r11{.id = "11", .length = 10 * kPi, .geometry = Arc(0, 100, 0, 0, 10 * kPi, 1.0 / 20), .junction = "J"};
  r11.link = LinkXml("predecessor", "road", "1", "end") + LinkXml("successor", "road", "3", "start");
  r11.sections.push_back({.lanes = {LaneDef{.id = -1, .predecessor = -1, .successor = -1}}});
  RoadDef r2{.id = "2", .length = 100, .geometry = Line(0, 120, 0, 0, 100)};
  r2.link = LinkXml("predecessor", "junction", "J");
  r2.sections.push_back({.lanes = {LaneW(-1, 3.5)}});
  RoadDef r3{.id = "3", .length = 100, .geometry = Line(0, 120, 20, kPi / 2, 100)};
  r3.link = LinkXml("predecessor", "junction", "J");
  r3.sections.push_back({.lanes = {LaneW(-1, 3.5)}});
  const std::string junction =
      "<junction id=\"J\" name=\"cross\">"
      "<connection id=\"0\" incomingRoad=\"1\" connectingRoad=\"11\" contactPoint=\"start\">"
      "<laneLink from=\"-1\" to=\"-1\"/></connection>"
      "<connection id=\"1\" incomingRoad=\"1\" connectingRoad=\"10\" contactPoint=\"start\">"
      "<laneLink from=\"-1\" to=\"-1\"/></connection></junction>\n";
  return Document(RoadXml(r1) + RoadXml(r10) + RoadXml(r11) + RoadXml(r2) + RoadXml(r3) + junction);
}

TEST(Network, JunctionConnectionsAndPreferences) {
  const Network net = Network::LoadString(Junction());
  const RoadIndex r1 = *net.FindRoad("1"), r2 = *net.FindRoad("2"), r3 = *net.FindRoad("3");
  const RoadIndex r10 = *net.FindRoad("10"), r11 = *net.FindRoad("11");
  ASSERT_EQ(net.junctions().size(), 1u);
  EXPECT_EQ(net.junctions()[0].connections[0].connecting, r11);
  EXPECT_EQ(net.roads()[r10].junction, 0);
  EXPECT_EQ(net.roads()[r1].successor.kind, RoadLink::Kind::kJunction);
  const std::vector<LanePos> next = net.Successors(r1, -1, 50);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].road, r11);
  EXPECT_EQ(next[1].road, r10);
  EXPECT_TRUE(net.Successors(r1, -2, 50).empty());
  // straight on by default
  const MoveResult straight = net.MoveAlong({r1, -1, 90, 0}, 40);
  EXPECT_EQ(straight.position.road, r2);
  EXPECT_NEAR(straight.position.s, 10.0, 1e-9);
  EXPECT_EQ(straight.links_crossed, 2);
  // the first connection when asked
  const MoveResult first =
      net.MoveAlong({r1, -1, 90, 0}, 20, {.fallback = MovePreference::Fallback::kFirst});
  EXPECT_EQ(first.position.road, r11);
  // starting on the arc, the whole move is scaled by the arc's factor at the lane centre
  const double factor = 1 + 1.75 / 20;
  const MoveResult on_arc = net.MoveAlong({r11, -1, 1, 0}, 20 * factor);
  EXPECT_NEAR(on_arc.position.s, 21, 1e-9);
  // a route decides: left turn. The move is scaled where it starts (a straight road: 1 m of s per
  // metre) for its whole length, as esmini does.
  const MoveResult left = net.MoveAlong({r1, -1, 90, 0}, 60, {.route = {r1, r11, r3}});
  EXPECT_EQ(left.position.road, r3);
  EXPECT_NEAR(left.position.s, 60 - 10 - 10 * kPi, 1e-9);
  EXPECT_NEAR(left.moved, 60.0, 1e-12);
  const Pose p = net.LaneToWorld(left.position);
  EXPECT_NEAR(p.x, 121.75, 1e-9);
  EXPECT_NEAR(p.y, 20 + left.position.s, 1e-9);
  EXPECT_NEAR(p.heading, kPi / 2, 1e-12);
  // backwards out of the junction into road 1
  const MoveResult back = net.MoveAlong({r3, -1, 5, 0}, -(5 + 10 * kPi + 10));
  EXPECT_EQ(back.position.road, r1);
  EXPECT_NEAR(back.position.s, 90.0, 1e-9);
}

TEST(Network, LocateKeepsTheHintedRoadInAJunction) {
  const Network net = Network::LoadString(Junction());
  const RoadIndex r1 = *net.FindRoad("1"), r10 = *net.FindRoad("10"), r11 = *net.FindRoad("11");
  const Pose on11 = net.LaneToWorld({r11, -1, 2.0, 0});
  const auto with11 = net.Locate(on11.x, on11.y, on11.heading, LanePos{r11, -1, 1.5, 0});
  ASSERT_TRUE(with11);
  EXPECT_EQ(with11->road, r11);
  EXPECT_NEAR(with11->s, 2.0, 1e-9);
  const auto with10 = net.Locate(on11.x, on11.y, on11.heading, LanePos{r10, -1, 1.5, 0});
  EXPECT_EQ(with10->road, r10);
  // from the incoming road, its successors in the junction are related
  const auto from1 = net.Locate(on11.x, on11.y, on11.heading, LanePos{r1, -1, 99, 0});
  EXPECT_TRUE(from1->road == r10 || from1->road == r11);
  // off every road: the nearest one, not on_road
  const auto off = net.Locate(50, -30, 0);
  ASSERT_TRUE(off);
  EXPECT_EQ(off->road, r1);
  EXPECT_FALSE(off->on_road);
  EXPECT_NEAR(off->distance, 30 - 7.0, 1e-9);
}

TEST(Network, LocateOffEveryRoadFindsTheNearest) {
  // three parallel roads (lanes 6 m left, 7 m right of each reference line) at y = 0, 50, 200
  const Network net = Network::LoadString(Document(RoadXml(Straight("a", 0, 0, 0, 100)) +
                                                   RoadXml(Straight("b", 0, 50, 0, 100)) +
                                                   RoadXml(Straight("c", 0, 200, 0, 100))));
  const auto near_b = net.Locate(50, 30, 0);
  ASSERT_TRUE(near_b);
  EXPECT_EQ(near_b->road, 1);
  EXPECT_FALSE(near_b->on_road);
  EXPECT_NEAR(near_b->distance, 13.0, 1e-9);
  EXPECT_EQ(near_b->lane, -2);
  const auto near_c = net.Locate(150, 260, 0);  // beyond c's end and left of it
  EXPECT_EQ(near_c->road, 2);
  EXPECT_NEAR(near_c->distance, std::hypot(50.0, 54.0), 1e-9);
  const auto far = net.Locate(-5000, -5000, 0);
  EXPECT_EQ(far->road, 0);
  EXPECT_FALSE(far->on_road);
  EXPECT_FALSE(Network().Locate(0, 0, 0));  // no roads
}

TEST(Network, RouteOverTheLaneGraph) {
  const Network net = Network::LoadString(Junction());
  const RoadIndex r1 = *net.FindRoad("1"), r2 = *net.FindRoad("2"), r3 = *net.FindRoad("3");
  const RoadIndex r11 = *net.FindRoad("11");
  const LanePos from{r1, -1, 50, 0}, to{r3, -1, 30, 0};
  const auto route = net.Route(from, to);
  ASSERT_TRUE(route);
  const std::vector<RouteStep> want{{r1, 0, -1}, {r11, 0, -1}, {r3, 0, -1}};
  EXPECT_EQ(*route, want);
  EXPECT_NEAR(net.RouteLength(*route, from, to), 50 + 10 * kPi + 30, 1e-9);
  // with a lane change first
  const auto changed = net.Route({r1, -2, 10, 0}, {r2, -1, 5, 0}, 7.0);
  ASSERT_TRUE(changed);
  ASSERT_EQ(changed->size(), 4u);
  EXPECT_EQ((*changed)[0], (RouteStep{r1, 0, -2}));
  EXPECT_EQ((*changed)[1], (RouteStep{r1, 0, -1}));
  EXPECT_NEAR(net.RouteLength(*changed, {r1, -2, 10, 0}, {r2, -1, 5, 0}), 90 + 20 + 5, 1e-9);
  // the same lane, ahead and behind
  EXPECT_EQ(net.Route({r1, -1, 10, 0}, {r1, -1, 60, 0})->size(), 1u);
  EXPECT_FALSE(net.Route({r1, -1, 60, 0}, {r1, -1, 10, 0}));
  EXPECT_FALSE(net.Route({r2, -1, 5, 0}, {r1, -1, 10, 0}));  // against the traffic
  EXPECT_FALSE(net.Route({r2, -1, 5, 0}, {r2, -7, 10, 0}));  // no such lane
}

TEST(Network, DrawingSamplesReferenceLinesAndLaneBorders) {
  const Network net = Network::LoadString(Document(RoadXml(Straight("1", 0, 0, 0, 10))));
  const std::vector<Point> line = net.ReferenceLine(0, 3.0);
  ASSERT_EQ(line.size(), 5u);  // 0, 2.5, 5, 7.5, 10
  EXPECT_EQ(line.front(), (Point{0, 0}));
  EXPECT_NEAR(line.back().x, 10.0, 1e-12);
  const std::vector<LaneOutline> lanes = net.LaneOutlines(5.0);
  ASSERT_EQ(lanes.size(), 4u);
  const LaneOutline& right = lanes[3];
  EXPECT_EQ(right.lane, -2);
  ASSERT_EQ(right.outer.size(), 3u);
  EXPECT_NEAR(right.outer[1].x, 5.0, 1e-12);
  EXPECT_NEAR(right.outer[1].y, -7.0, 1e-12);
  EXPECT_NEAR(right.inner[1].y, -3.5, 1e-12);
}

// A random road: a chain of line, arc, spiral and paramPoly3 records (continuous position and
// heading), 1-3 lanes each side with slowly varying widths, a small lane offset.
RoadDef RandomRoad(std::mt19937_64& rng, const std::string& id, double x0, double y0) {
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  RoadDef r{.id = id};
  Pose at{x0, y0, 2 * kPi * u01(rng), 0.0};
  double s = 0.0;
  double turned = 0.0;
  const int records = 2 + static_cast<int>(u01(rng) * 4);
  for (int i = 0; i < records; ++i) {
    const double length = 10 + 50 * u01(rng);
    Geometry g{.s = s, .x = at.x, .y = at.y, .heading = at.heading, .length = length};
    const int kind = static_cast<int>(u01(rng) * 4);
    const double room = std::max(0.0, 1.4 - std::abs(turned)) / length;  // keep the total turn small
    const double k = std::min(0.02, room) * (2 * u01(rng) - 1);
    if (kind == 0) {
      r.geometry += Line(s, at.x, at.y, at.heading, length);
    } else if (kind == 1) {
      g.kind = Geometry::Kind::kArc;
      g.curvature = k;
      r.geometry += Arc(s, at.x, at.y, at.heading, length, k);
    } else if (kind == 2) {
      g.kind = Geometry::Kind::kSpiral;
      g.curv_start = k;
      g.curv_end = -k * u01(rng);
      r.geometry += Spiral(s, at.x, at.y, at.heading, length, g.curv_start, g.curv_end);
    } else {
      g.kind = Geometry::Kind::kParamPoly3;
      g.normalized = u01(rng) < 0.5;
      const double L = g.normalized ? length : 1.0;
      const double cv = k / 2 * L * L;
      const double u[4] = {0, L, 0, 0}, v[4] = {0, 0, cv, -cv / 3 * u01(rng)};
      g.u = {0, L, 0, 0};
      g.v = {0, 0, v[2], v[3]};
      r.geometry += ParamPoly3(s, at.x, at.y, at.heading, length, u, v, g.normalized);
    }
    const Pose end = internal::Curve(g).At(length);
    turned += AngleDiff(end.heading, at.heading);
    at = end;
    s += length;
  }
  r.length = s;
  r.lane_offsets = "<laneOffset s=\"0\" a=\"" + Num(u01(rng) - 0.5) + "\" b=\"" + Num(0.004 * (u01(rng) - 0.5)) +
                   "\" c=\"0\" d=\"0\"/>";
  SectionDef sec;
  const int left = 1 + static_cast<int>(u01(rng) * 3), right = 1 + static_cast<int>(u01(rng) * 3);
  for (int id2 = left; id2 >= -right; --id2) {
    if (id2 != 0) {
      sec.lanes.push_back({.id = id2, .widths = {{0, 2.8 + u01(rng), 0.005 * (u01(rng) - 0.5), 0, 0}}});
    }
  }
  r.sections.push_back(sec);
  return r;
}

TEST(Network, LocateInvertsLaneToWorldOnRandomRoads) {
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  for (int trial = 0; trial < 6; ++trial) {
    std::string body;
    for (int i = 0; i < 4; ++i) {  // roads far apart: no overlaps
      body += RoadXml(RandomRoad(rng, "r" + std::to_string(i), 1000.0 * i, 500.0 * trial));
    }
    const Network net = Network::LoadString(Document(body));
    for (int k = 0; k < 300; ++k) {
      const auto r = static_cast<RoadIndex>(u01(rng) * 4);
      const Road& road = net.roads()[r];
      const auto& lanes = road.sections[0].lanes;
      int lane = 0;
      while (lane == 0) {
        lane = lanes[static_cast<size_t>(u01(rng) * lanes.size())].id;
      }
      const double s = 0.5 + (road.length - 1.0) * u01(rng);
      const double w = net.LaneWidth(r, lane, s);
      const double offset = (w / 2 - 0.05) * (2 * u01(rng) - 1);
      const Pose p = net.LaneToWorld({r, lane, s, offset});
      const double heading = p.heading + 0.3 * (u01(rng) - 0.5);
      const auto where = net.Locate(p.x, p.y, heading);
      ASSERT_TRUE(where);
      SCOPED_TRACE(::testing::Message() << "trial " << trial << " point " << k);
      EXPECT_EQ(where->road, r);
      EXPECT_EQ(where->lane, lane);
      EXPECT_NEAR(where->s, s, 1e-6);
      EXPECT_NEAR(where->offset, offset, 1e-6);
      EXPECT_NEAR(where->heading_relative, AngleDiff(heading, p.heading), 1e-6);
      EXPECT_TRUE(where->on_road);
      EXPECT_EQ(where->distance, 0.0);
      const auto on = net.LocateOnRoad(r, p.x, p.y, heading);
      EXPECT_NEAR(on->t, net.LaneCentreT(r, lane, s) + offset, 1e-6);
    }
  }
}

TEST(Network, MoveAlongConservesDistanceAcrossRandomChains) {
  // Roads end to start in a chain; every move's distance is the sum of its pieces.
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  std::string body;
  double x = 0.0;
  for (int i = 0; i < 5; ++i) {
    const double len = 20 + 30 * u01(rng);
    RoadDef r{.id = std::to_string(i), .length = len, .geometry = Line(0, x, 0, 0, len)};
    if (i > 0) {
      r.link += LinkXml("predecessor", "road", std::to_string(i - 1), "end");
    }
    if (i < 4) {
      r.link += LinkXml("successor", "road", std::to_string(i + 1), "start");
    }
    r.sections.push_back({.lanes = {LaneW(1, 3), LaneW(-1, 3)}});
    body += RoadXml(r);
    x += len;
  }
  const Network net = Network::LoadString(Document(body));
  for (int k = 0; k < 200; ++k) {
    const LanePos start{static_cast<RoadIndex>(u01(rng) * 5), -1, 0, 0};
    const LanePos from{start.road, -1, net.roads()[start.road].length * u01(rng), 0};
    const double d = 150 * (u01(rng) - 0.5);
    const MoveResult m = net.MoveAlong(from, d);
    const double x0 = net.LaneToWorld(from).x, x1 = net.LaneToWorld(m.position).x;
    EXPECT_NEAR(x1 - x0, m.moved, 1e-9);
    if (!m.end_of_network) {
      EXPECT_NEAR(m.moved, d, 1e-9);
    } else {
      EXPECT_TRUE(std::abs(x1) < 1e-9 || std::abs(x1 - x) < 1e-9);
    }
  }
}

}  // namespace
}  // namespace gauntlet::opendrive
