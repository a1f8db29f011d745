// Malformed OpenDRIVE files: every problem at its file:line:col, all at once; ignored elements.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "opendrive/opendrive.h"
#include "tests/opendrive/xodr_builder.h"

namespace gauntlet::opendrive {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The formatted diagnostics of loading `xml` (empty when it loads).
std::vector<std::string> Errors(const std::string& xml) {
  try {
    (void)Network::LoadString(xml, "t.xodr");
  } catch (const core::InputError& e) {
    std::vector<std::string> out;
    for (const core::Diagnostic& d : e.diagnostics()) {
      out.push_back(d.Format());
    }
    return out;
  }
  return {};
}

// A one-road file whose planView (line 6 on) is `geometry`.
std::string OneRoad(const std::string& geometry, const std::string& link = "") {
  return "<?xml version=\"1.0\"?>\n"                                   // 1
         "<OpenDRIVE>\n"                                               // 2
         "<header revMajor=\"1\" revMinor=\"4\"/>\n"                   // 3
         "<road length=\"10\" id=\"1\" junction=\"-1\">\n"             // 4
         "<link>" + link + "</link><planView>\n" +                     // 5
         geometry +                                                    // 6...
         "</planView>\n"
         "<lanes><laneSection s=\"0\"><center><lane id=\"0\" type=\"none\"/></center>"
         "<right><lane id=\"-1\" type=\"driving\"><width sOffset=\"0\" a=\"3\" b=\"0\" c=\"0\" d=\"0\"/></lane>"
         "</right></laneSection></lanes>\n"
         "</road>\n"
         "</OpenDRIVE>\n";
}

TEST(Parse, AWellFormedFileLoadsWithItsIgnoredElements) {
  EXPECT_THAT(Errors(OneRoad("  <geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><line/></geometry>\n")),
              ElementsAre());
  // signals, objects, elevation, superelevation, road marks, surface, userData, controllers
  const std::string rich =
      "<?xml version=\"1.0\"?>\n<OpenDRIVE><header revMajor=\"1\" revMinor=\"8\"><offset x=\"1\" y=\"2\" z=\"0\" "
      "hdg=\"0.5\"/><userData/></header>\n"
      "<road length=\"10\" id=\"1\" junction=\"-1\"><type s=\"0\" type=\"town\"><speed max=\"50\" unit=\"km/h\"/>"
      "</type><planView><geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><line/></geometry></planView>"
      "<elevationProfile><elevation s=\"0\" a=\"1\" b=\"0\" c=\"0\" d=\"0\"/></elevationProfile>"
      "<lateralProfile><superelevation s=\"0\" a=\"0.1\" b=\"0\" c=\"0\" d=\"0\"/><shape s=\"0\" t=\"0\" a=\"0\" "
      "b=\"0\" c=\"0\" d=\"0\"/></lateralProfile><lanes><laneSection s=\"0\"><center><lane id=\"0\" type=\"none\">"
      "<roadMark sOffset=\"0\" type=\"solid\"/></lane></center><right><lane id=\"-1\" type=\"driving\">"
      "<width sOffset=\"0\" a=\"3\" b=\"0\" c=\"0\" d=\"0\"/><roadMark sOffset=\"0\" type=\"broken\"/>"
      "<material sOffset=\"0\" friction=\"1\"/><speed sOffset=\"0\" max=\"10\"/><access sOffset=\"0\" rule=\"allow\"/>"
      "<height sOffset=\"0\" inner=\"0\" outer=\"0\"/><userData/></lane></right></laneSection></lanes>"
      "<objects><object id=\"1\" s=\"1\" t=\"1\"/></objects><signals><signal id=\"2\" s=\"1\" t=\"1\"/></signals>"
      "<surface/></road><controller id=\"1\"/></OpenDRIVE>\n";
  EXPECT_THAT(Errors(rich), ElementsAre());
  const Network net = Network::LoadString(rich);
  EXPECT_EQ(net.header().offset_x, 1.0);
  EXPECT_EQ(net.header().offset_heading, 0.5);
  EXPECT_EQ(net.LaneToWorld({0, -1, 5, 0}).x, 5.0);  // the offset is data, not applied
}

TEST(Parse, MissingAttributeAtTheElement) {
  EXPECT_THAT(Errors(OneRoad("  <geometry s=\"0\" x=\"0\" y=\"0\" length=\"10\"><line/></geometry>\n")),
              ElementsAre("t.xodr:6:3: error: <geometry> is missing the attribute 'hdg'"));
}

TEST(Parse, BadNumbersAtTheAttribute) {
  EXPECT_THAT(Errors(OneRoad("  <geometry s=\"0\" x=\"abc\" y=\"0\" hdg=\"0\" length=\"1e999\"><line/></geometry>\n")),
              ElementsAre("t.xodr:6:19: error: attribute 'x' of <geometry> is not a finite number: 'abc'",
                          "t.xodr:6:41: error: attribute 'length' of <geometry> is not a finite number: '1e999'"));
  EXPECT_THAT(Errors(OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><arc curvature=\"0.1x\"/>"
                             "</geometry>\n")),
              ElementsAre("t.xodr:6:54: error: attribute 'curvature' of <arc> is not a finite number: '0.1x'"));
  EXPECT_THAT(Errors(OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"-1\"><line/></geometry>\n")),
              ElementsAre("t.xodr:6:37: error: <geometry> length must not be negative"));
}

TEST(Parse, UnknownGeometryNamesItAndWhatIsSupported) {
  EXPECT_THAT(Errors(OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\">\n  <clothoid/></geometry>\n")),
              ElementsAre("t.xodr:7:3: error: unsupported element <clothoid> in <geometry>; supported: line, arc, "
                          "spiral, poly3, paramPoly3"));
  EXPECT_THAT(Errors(OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"/>\n")),
              ElementsAre("t.xodr:6:1: error: <geometry> has no shape; expected one of: line, arc, spiral, poly3, "
                          "paramPoly3"));
  EXPECT_THAT(Errors(OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><paramPoly3 aU=\"0\" bU=\"1\" "
                             "cU=\"0\" dU=\"0\" aV=\"0\" bV=\"0\" cV=\"0\" dV=\"0\" pRange=\"percent\"/></geometry>\n")),
              ElementsAre(HasSubstr("t.xodr:6:117: error: attribute 'pRange' of <paramPoly3> must be 'arcLength' or "
                                    "'normalized', not 'percent'")));
}

TEST(Parse, DanglingLinksAtTheLink) {
  EXPECT_THAT(Errors(OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><line/></geometry>\n",
                             "<successor elementType=\"road\" elementId=\"99\" contactPoint=\"start\"/>"
                             "<predecessor elementType=\"junction\" elementId=\"7\"/>")),
              ElementsAre("t.xodr:5:7: error: link to road '99', which does not exist",
                          "t.xodr:5:74: error: link to junction '7', which does not exist"));
  EXPECT_THAT(Errors(OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><line/></geometry>\n",
                             "<successor elementType=\"road\" elementId=\"1\"/>")),
              ElementsAre("t.xodr:5:7: error: <successor> is missing the attribute 'contactPoint'"));
  EXPECT_THAT(Errors(OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><line/></geometry>\n",
                             "<successor elementType=\"lane\" elementId=\"1\"/>")),
              ElementsAre("t.xodr:5:18: error: attribute 'elementType' of <successor> must be 'road' or 'junction', "
                          "not 'lane'"));
}

TEST(Parse, DanglingLaneLinks) {
  using namespace testing;  // NOLINT: the builder
  RoadDef a{.id = "a", .length = 50, .geometry = Line(0, 0, 0, 0, 50)};
  a.link = LinkXml("successor", "road", "b", "start");
  a.sections.push_back({.s = 0, .lanes = {LaneDef{.id = -1, .successor = -2}}});
  a.sections.push_back({.s = 20, .lanes = {LaneDef{.id = -1, .predecessor = -1, .successor = -3}}});
  RoadDef b{.id = "b", .length = 50, .geometry = Line(0, 50, 0, 0, 50)};
  b.sections.push_back({.lanes = {LaneDef{.id = -1}}});
  RoadDef c{.id = "c", .length = 5, .geometry = Line(0, 50, 0, 0, 5), .junction = "J"};
  c.sections.push_back({.lanes = {LaneDef{.id = -1}}});
  const std::string j = "<junction id=\"J\">\n<connection id=\"7\" incomingRoad=\"a\" connectingRoad=\"c\" "
                        "contactPoint=\"start\"><laneLink from=\"-1\" to=\"-2\"/></connection></junction>\n";
  const std::string xml = Document(RoadXml(a) + RoadXml(b) + RoadXml(c) + j);
  // line:col of the n-th occurrence of `what` in the text
  const auto where = [&](const std::string& what, int n) {
    size_t at = xml.find(what);
    for (int i = 1; i < n; ++i) {
      at = xml.find(what, at + 1);
    }
    const size_t line_start = xml.rfind('\n', at) + 1;
    return "t.xodr:" + std::to_string(std::count(xml.begin(), xml.begin() + static_cast<ptrdiff_t>(at), '\n') + 1) +
           ":" + std::to_string(at - line_start + 1) + ": error: ";
  };
  EXPECT_THAT(Errors(xml),
              ElementsAre(where("<lane id=\"-1\"", 1) + "lane -1 of road 'a' has the successor lane -2, which the next "
                                                        "lane section of road 'a' does not have",
                          where("<lane id=\"-1\"", 2) + "lane -1 of road 'a' has the successor lane -3, which road 'b' "
                                                        "at its start does not have"));
  // A junction laneLink to a lane that does not exist is a warning (esmini plays such files): the
  // network loads once the lane links are right, and the link is left out.
  RoadDef a2 = a;
  a2.sections[0].lanes[0].successor = -1;
  a2.sections[1].lanes[0].successor = std::nullopt;
  const std::string ok = Document(RoadXml(a2) + RoadXml(b) + RoadXml(c) + j);
  const opendrive::Network net = opendrive::Network::LoadString(ok, "t.xodr");
  ASSERT_EQ(net.warnings().size(), 1u);
  const auto conn = ok.find("<connection");
  EXPECT_EQ(net.warnings()[0].first.line, std::count(ok.begin(), ok.begin() + static_cast<ptrdiff_t>(conn), '\n') + 1);
  EXPECT_EQ(net.warnings()[0].second, "junction 'J' connection '7': connecting road 'c' has no lane -2; the laneLink is ignored");
}

TEST(Parse, MalformedXmlAtThePositionPugixmlStops) {
  const std::vector<std::string> errors = Errors("<OpenDRIVE>\n<header>\n<road>\n</OpenDRIVE>\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("t.xodr:4:"));
  EXPECT_THAT(errors[0], HasSubstr("error: malformed XML: "));
  EXPECT_THAT(Errors("<OpenSCENARIO/>\n"),
              ElementsAre("t.xodr:1:1: error: the root element is <OpenSCENARIO>, not <OpenDRIVE>: not an OpenDRIVE "
                          "file"));
}

TEST(Parse, EveryProblemAtOnce) {
  const std::string xml =
      "<OpenDRIVE>\n"
      "<header revMajor=\"2\" revMinor=\"0\"/>\n"
      "<road length=\"10\" id=\"1\" junction=\"J9\" rule=\"middle\">\n"
      "<planView><geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><line/></geometry></planView>\n"
      "<lanes><laneSection s=\"0\"><center><lane id=\"0\"/></center><right>\n"
      "<lane id=\"-1\" type=\"autobahn\"><width sOffset=\"0\" a=\"3\" b=\"0\" c=\"0\" d=\"0\"/></lane>\n"
      "<lane id=\"-3\" type=\"driving\"/>\n"
      "</right></laneSection></lanes></road>\n"
      "<junction id=\"J\"><connection id=\"0\" incomingRoad=\"1\" connectingRoad=\"5\" contactPoint=\"start\"/>"
      "</junction>\n"
      "<bridge/>\n"
      "</OpenDRIVE>\n";
  EXPECT_THAT(
      Errors(xml),
      ElementsAre("t.xodr:2:1: error: OpenDRIVE revision 2.0 is not supported; supported: 1.0 to 1.8",
                  "t.xodr:3:40: error: attribute 'rule' of <road> must be 'RHT' or 'LHT', not 'middle'",
                  HasSubstr("t.xodr:6:15: error: unknown lane type 'autobahn'; known: none, driving, stop,"),
                  "t.xodr:7:1: error: lane -3 has neither <width> nor <border>",
                  "t.xodr:7:1: error: right lane ids must run -1, -2, -3, ... from the centre; found -3",
                  "t.xodr:10:1: error: unsupported element <bridge> in <OpenDRIVE>; supported: header, road, junction "
                  "(ignored: controller, junctionGroup, station, userData, dataQuality)",
                  "t.xodr:3:26: error: road '1' belongs to junction 'J9', which does not exist",
                  "t.xodr:9:54: error: connection to connecting road '5', which does not exist"));
}

TEST(Parse, IncludeIsRefused) {
  EXPECT_THAT(Errors(OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><line/></geometry>\n"
                             "<include file=\"more.xodr\"/>\n")),
              ElementsAre("t.xodr:7:1: error: unsupported element <include> in <planView>; supported: geometry"));
}

TEST(Parse, StructuralProblems) {
  // no planView geometry, no lanes, a second road with the same id
  const std::string xml =
      "<OpenDRIVE>\n"
      "<road length=\"10\" id=\"1\"><planView/><lanes><laneSection s=\"0\"><center><lane id=\"0\"/></center>"
      "</laneSection></lanes></road>\n"
      "<road length=\"10\" id=\"1\"><planView><geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><line/>"
      "</geometry></planView></road>\n"
      "</OpenDRIVE>\n";
  EXPECT_THAT(Errors(xml), ElementsAre("t.xodr:2:1: error: the <planView> of road '1' has no <geometry>",
                                       "t.xodr:3:1: error: <road> has no <lanes>",
                                       "t.xodr:3:1: error: road id '1' is used twice"));
}

TEST(Parse, AbsurdNumbersAreRefused) {
  EXPECT_THAT(Errors(OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"1e7\"><line/></geometry>\n")),
              ElementsAre("t.xodr:6:37: error: <geometry> length 1e7 is over the limit of 1e6 m"));
  EXPECT_THAT(Errors(OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><spiral curvStart=\"0\" "
                             "curvEnd=\"-5e3\"/></geometry>\n")),
              ElementsAre("t.xodr:6:71: error: attribute 'curvEnd' of <spiral> is -5e3: a curvature over 1000 1/m "
                          "(radius under 1 mm)"));
  EXPECT_THAT(Errors(OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><paramPoly3 aU=\"0\" "
                             "bU=\"1e308\" cU=\"1e308\" dU=\"0\" aV=\"0\" bV=\"0\" cV=\"0\" dV=\"0\"/></geometry>\n")),
              ElementsAre("t.xodr:6:1: error: the <paramPoly3> curve's coordinates overflow (coefficients too large)"));
  // fuzz/regressions/opendrive/poly3_overflow.xodr: the poly3 arc-length search met inf - inf and cast NaN
  // to int (UBSan); the NaN now reaches the curve's end and the overflow is reported
  EXPECT_THAT(Errors(OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><poly3 a=\"0\" "
                             "b=\"1e308\" c=\"0.01\" d=\"0\"/></geometry>\n")),
              ElementsAre("t.xodr:6:1: error: the <poly3> curve's coordinates overflow (coefficients too large)"));
}

// Found by fuzz_opendrive (fuzz/regressions/opendrive/lane_offset_overflow.xodr): a laneOffset with
// c = 1e308 overflowed to inf, poses became NaN and Locate converted NaN to int. Lateral records are
// refused when they can exceed 1e9 m on their road; Locate of a non-finite point does not fail
// (Curve::ArcLength answers NaN for a NaN range).
TEST(Parse, LateralPolynomialsThatOverflowAreRefused) {
  const std::string lanes =
      "<lanes><laneOffset s=\"0\" a=\"0\" b=\"0\" c=\"1e308\" d=\"0\"/>\n"              // 4
      "<laneSection s=\"0\"><center><lane id=\"0\"/></center><right><lane id=\"-1\" type=\"driving\">\n"
      "<width sOffset=\"0\" a=\"3\" b=\"0\" c=\"0\" d=\"1e6\"/>\n"                       // 6
      "<width sOffset=\"5\" a=\"3\" b=\"0\" c=\"0\" d=\"1e-3\"/></lane></right></laneSection></lanes>\n";
  const std::string xml = "<OpenDRIVE>\n<road length=\"20\" id=\"1\" junction=\"-1\"><planView>\n"
                          "<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"20\"><line/></geometry></planView>\n" +
                          lanes + "</road></OpenDRIVE>\n";
  EXPECT_THAT(Errors(xml), ElementsAre("t.xodr:4:8: error: the <laneOffset> polynomial exceeds 1e9 m within the "
                                       "road's length (coefficients too large)",
                                       "t.xodr:6:1: error: the <width> polynomial exceeds 1e9 m within the road's "
                                       "length (coefficients too large)"));
  const Network net = Network::LoadString(
      OneRoad("<geometry s=\"0\" x=\"0\" y=\"0\" hdg=\"0\" length=\"10\"><line/></geometry>\n"), "t.xodr");
  EXPECT_NO_THROW((void)net.Locate(std::nan(""), 0.0));  // UB (NaN to int) before: UBSan in fuzz/
}

// A file over the XML limit is refused by its size (as an XML file), before anything is read.
TEST(Parse, AnOversizedFileIsRefusedAsAnXmlFile) {
  const std::string path = ::testing::TempDir() + "/opendrive_oversized.xodr";
  {
    std::ofstream out(path);
  }
  std::filesystem::resize_file(path, (256u << 20) + 1);  // sparse
  try {
    (void)Network::Load(path);
    ADD_FAILURE() << "an oversized file loaded";
  } catch (const core::InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].Format(),
              path + ": error: cannot read the file: it is 268435457 bytes, more than the limit of 268435456 bytes "
                     "for an XML file");
  }
  std::filesystem::remove(path);
}

// Random damage to real files: every result is a network or an InputError, never a crash or a
// hang, and a damaged network that loads still answers queries.
TEST(Parse, DamagedFilesLoadOrFailCleanly) {
  for (const char* name : {"straight_500m.xodr", "fabriksgatan.xodr"}) {
    std::ifstream in(std::string(GAUNTLET_SOURCE_DIR) + "/data/openscenario/xodr/" + name);
    const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GT(original.size(), 1000u);
    std::mt19937_64 rng(11);
    int loaded = 0, refused = 0;
    for (int k = 0; k < 150; ++k) {
      std::string text = original;
      const size_t at = rng() % text.size();
      switch (k % 5) {
        case 0: text.erase(at, rng() % 40); break;                            // a cut
        case 1: text.insert(at, "<arc curvature=\"1\"/>"); break;            // a stray element
        case 2: text[at] = "0123456789-.e\"<>/ "[rng() % 19]; break;          // one character
        case 3: text.resize(at); break;                                       // truncated
        default: {                                                            // a number replaced
          const size_t q = text.find("=\"", at);
          if (q != std::string::npos) {
            text.replace(q + 2, 1, std::to_string(static_cast<double>(rng() % 2000) - 1000.0));
          }
        }
      }
      try {
        const Network net = Network::LoadString(text, name);
        ++loaded;
        for (size_t r = 0; r < net.roads().size(); ++r) {
          for (const Lane& lane : net.roads()[r].sections.front().lanes) {
            if (lane.id == 0) {
              continue;
            }
            const LanePos p{static_cast<RoadIndex>(r), lane.id, net.roads()[r].length / 2, 0.0};
            const Pose pose = net.LaneToWorld(p);
            (void)net.Locate(pose.x, pose.y, pose.heading, p);
            (void)net.MoveAlong(p, 100.0);
            (void)net.Route(p, p);
          }
        }
      } catch (const core::InputError& e) {
        ++refused;
        EXPECT_THAT(e.what(), HasSubstr(std::string(name) + ":")) << e.what();
      }
    }
    EXPECT_GT(refused, 30);
    EXPECT_GT(loaded, 10);
  }
}

TEST(Parse, LoadReportsAnUnreadableFileAtItsPath) {
  try {
    (void)Network::Load("/nonexistent/roads.xodr");
    FAIL() << "no error";
  } catch (const core::InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/roads.xodr: error: cannot read the file"));
  }
}

TEST(Parse, LaneTypes) {
  EXPECT_EQ(ParseLaneType("driving"), LaneType::kDriving);
  EXPECT_EQ(ParseLaneType("HOV"), LaneType::kHov);
  EXPECT_EQ(ParseLaneType("hov"), LaneType::kHov);
  EXPECT_EQ(ParseLaneType("onRamp"), LaneType::kOnRamp);
  EXPECT_EQ(ParseLaneType("car"), std::nullopt);
  for (int t = static_cast<int>(LaneType::kNone); t <= static_cast<int>(LaneType::kSpecial3); ++t) {
    EXPECT_EQ(ParseLaneType(LaneTypeName(static_cast<LaneType>(t))), static_cast<LaneType>(t));
  }
  EXPECT_TRUE(IsDrivable(LaneType::kDriving));
  EXPECT_TRUE(IsDrivable(LaneType::kOffRamp));
  EXPECT_FALSE(IsDrivable(LaneType::kSidewalk));
  EXPECT_FALSE(IsDrivable(LaneType::kShoulder));
  EXPECT_FALSE(IsDrivable(LaneType::kBorder));
}

TEST(Parse, SingleSideSectionsAndLaneTypesAreKept) {
  using namespace testing;  // NOLINT: the builder
  RoadDef r{.id = "1", .length = 50, .geometry = Line(0, 0, 0, 0, 50)};
  r.sections.push_back({.s = 0, .lanes = {LaneW(1, 2, "sidewalk"), LaneW(-1, 3.5), LaneW(-2, 1.5, "shoulder")}});
  r.sections.push_back({.s = 20, .lanes = {LaneW(-1, 3.5), LaneW(-2, 3, "parking")}, .single_side = true});
  const Network net = Network::LoadString(Document(RoadXml(r)));
  const Road& road = net.roads()[0];
  ASSERT_EQ(road.sections.size(), 2u);
  EXPECT_FALSE(road.sections[0].single_side);
  EXPECT_TRUE(road.sections[1].single_side);
  EXPECT_EQ(road.sections[0].s_end, 20.0);
  EXPECT_EQ(road.sections[1].s_end, 50.0);
  EXPECT_EQ(net.LaneAt(0, 1, 10)->type, LaneType::kSidewalk);
  EXPECT_EQ(net.LaneAt(0, -2, 10)->type, LaneType::kShoulder);
  EXPECT_EQ(net.LaneAt(0, -2, 30)->type, LaneType::kParking);
  EXPECT_EQ(net.LaneAt(0, 1, 30), nullptr);
  // lanes are ordered from the leftmost to the rightmost, the centre lane included
  ASSERT_EQ(road.sections[0].lanes.size(), 4u);
  EXPECT_EQ(road.sections[0].lanes.front().id, 1);
  EXPECT_EQ(road.sections[0].lanes.back().id, -2);
}

}  // namespace
}  // namespace gauntlet::opendrive
