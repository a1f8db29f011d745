#include "reports/top_view.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string_view>
#include <string>
#include <vector>

#include "core/rng.h"

namespace gauntlet::reports {
namespace {

constexpr double kPi = std::numbers::pi;

/// `name="value"` pairs separated by white space, values without '<'.
bool AttributesOk(std::string_view text) {
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  skip_space();
  while (i < text.size()) {
    const size_t name_start = i;
    while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '-' ||
                               text[i] == '_' || text[i] == ':' || text[i] == '.')) {
      ++i;
    }
    if (i == name_start || i + 1 >= text.size() || text[i] != '=' || text[i + 1] != '"') return false;
    const size_t close = text.find('"', i + 2);
    if (close == std::string_view::npos || text.substr(i + 2, close - i - 2).find('<') != std::string_view::npos) {
      return false;
    }
    i = close + 1;
    if (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) return false;
    skip_space();
  }
  return true;
}

/// A small well-formedness check: tags nest, attribute values are quoted, text has no stray '<' or
/// bare '&'. Returns "" when fine, else what is wrong.
std::string CheckXml(const std::string& xml) {
  std::vector<std::string> open;
  size_t i = 0;
  bool root_seen = false;
  while (i < xml.size()) {
    if (xml[i] != '<') {
      if (xml[i] == '&') {
        const size_t semi = xml.find(';', i);
        if (semi == std::string::npos || semi - i > 6) return "bare '&' at " + std::to_string(i);
      }
      if (open.empty() && !std::isspace(static_cast<unsigned char>(xml[i]))) {
        return "text outside the root at " + std::to_string(i);
      }
      ++i;
      continue;
    }
    const size_t end = xml.find('>', i);
    if (end == std::string::npos) return "unclosed tag at " + std::to_string(i);
    const std::string tag = xml.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.starts_with("?")) {
      if (!tag.ends_with("?")) return "bad declaration";
      continue;
    }
    if (tag.starts_with("/")) {
      if (open.empty() || open.back() != tag.substr(1)) return "mismatched </" + tag.substr(1) + ">";
      open.pop_back();
      continue;
    }
    const bool self_closing = tag.ends_with("/");
    const std::string inner = self_closing ? tag.substr(0, tag.size() - 1) : tag;
    const std::string name = inner.substr(0, inner.find_first_of(" \n\t"));
    if (name.empty()) return "empty tag name";
    if (!AttributesOk(inner.substr(name.size()))) return "bad attributes in <" + name + ">";
    if (open.empty()) {
      if (root_seen) return "second root element <" + name + ">";
      root_seen = true;
    }
    if (!self_closing) open.push_back(name);
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  if (!root_seen) return "no root element";
  return "";
}

int CountOf(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// The value of the first `attribute="..."` at or after `from`.
std::string AttributeValue(const std::string& svg, const std::string& attribute, size_t from = 0) {
  const std::string key = attribute + "=\"";
  const size_t start = svg.find(key, from);
  if (start == std::string::npos) return "";
  const size_t value = start + key.size();
  return svg.substr(value, svg.find('"', value) - value);
}

/// The points of every <polyline>, in document order.
std::vector<std::vector<std::pair<double, double>>> Polylines(const std::string& svg) {
  std::vector<std::vector<std::pair<double, double>>> out;
  for (size_t at = svg.find("<polyline points=\""); at != std::string::npos;
       at = svg.find("<polyline points=\"", at + 1)) {
    std::vector<std::pair<double, double>> points;
    std::istringstream text(AttributeValue(svg, "points", at));
    double x = 0.0;
    double y = 0.0;
    char comma = 0;
    while (text >> x >> comma >> y) points.emplace_back(x, y);
    out.push_back(points);
  }
  return out;
}

sim::RoadNetwork TwoLaneRoadWithABend() {
  sim::RoadNetworkSpec spec;
  sim::RoadSpec road;
  road.id = "main";
  road.lanes = 2;
  road.segments = {{.length_m = 60.0}, {.length_m = 80.0, .curvature_1pm = 0.01}};
  spec.roads.push_back(road);
  sim::RoadSpec side;
  side.id = "side";
  side.x_m = 30.0;
  side.y_m = -40.0;
  side.heading_rad = 0.5 * kPi;
  side.segments = {{.length_m = 80.0}};
  spec.roads.push_back(side);
  std::vector<core::FieldError> errors;
  sim::RoadNetwork net = sim::RoadNetwork::Build(spec, &errors);
  EXPECT_TRUE(errors.empty());
  return net;
}

/// Ego follows lane 0 at 15 m/s; lead waits in lane 0 ahead; they touch at t = 3 s.
core::Trace CarFollowingTrace(const sim::RoadNetwork& net, int rows, bool collide) {
  core::Trace trace({"ego.x", "ego.y", "ego.heading", "lead.x", "lead.y", "lead.heading", "collision",
                     "lead.collision"});
  const double dt = 4.0 / (rows - 1);
  for (int i = 0; i < rows; ++i) {
    const double t = i * dt;
    const sim::Pose2 ego = net.PoseAt(0, std::min(15.0 * t, 49.5));
    const sim::Pose2 lead = net.PoseAt(0, 54.0);
    const double hit = collide && t >= 3.0 ? 1.0 : 0.0;
    const double row[] = {ego.x_m, ego.y_m, ego.heading_rad, lead.x_m, lead.y_m, lead.heading_rad, hit, hit};
    trace.Append(t, row);
  }
  return trace;
}

const std::vector<TopViewActor> kCars = {
    {.name = "ego", .length_m = 4.6, .width_m = 1.9, .kind = "vehicle", .is_ego = true},
    {.name = "lead", .length_m = 4.6, .width_m = 1.9, .kind = "vehicle", .is_ego = false},
};

void ExpectWellFormed(const std::string& svg, const std::string& name) {
  EXPECT_EQ(CheckXml(svg), "");
  // xmllint, when installed, checks it too
  if (std::system("command -v xmllint > /dev/null 2>&1") != 0) return;
  const std::string path = testing::TempDir() + "/" + name + ".svg";
  std::ofstream(path) << svg;
  EXPECT_EQ(std::system(("xmllint --noout '" + path + "'").c_str()), 0) << path;
}

TEST(TopViewTest, DrawsRoadsPathsFootprintsCollisionScaleAndLegend) {
  const sim::RoadNetwork net = TwoLaneRoadWithABend();
  const core::Trace trace = CarFollowingTrace(net, 401, true);
  TopViewOptions options;
  options.title = "lead_stopped <ego_speed=54 km/h & gap=40 m>";
  options.subtitle = "requirement no_collision violated";
  options.highlight_time_s = 2.5;
  const std::string svg = RenderTopViewSvg(net, trace, kCars, options);
  ExpectWellFormed(svg, "car_following");
  EXPECT_TRUE(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("href"), std::string::npos);  // self-contained
  EXPECT_NE(svg.find("lead_stopped &lt;ego_speed=54 km/h &amp; gap=40 m&gt;"), std::string::npos);
  EXPECT_NE(svg.find("requirement no_collision violated"), std::string::npos);
  EXPECT_NE(svg.find(">ego (vehicle, ego)</text>"), std::string::npos);
  EXPECT_NE(svg.find(">lead (vehicle)</text>"), std::string::npos);
  EXPECT_NE(svg.find(">t = 2.50 s</text>"), std::string::npos);
  EXPECT_NE(svg.find(">worst robustness</text>"), std::string::npos);
  EXPECT_NE(svg.find(">collision, t = 3.00 s</text>"), std::string::npos);
  EXPECT_EQ(CountOf(svg, "class=\"collision\""), 1);
  EXPECT_EQ(CountOf(svg, "class=\"scale-bar\""), 1);
  EXPECT_NE(svg.find(">road, lane markings</text>"), std::string::npos);
  // two road surfaces
  const size_t roads = svg.find("<g fill=\"#a7abb0\" stroke=\"none\">");
  ASSERT_NE(roads, std::string::npos);
  EXPECT_EQ(CountOf(svg.substr(roads, svg.find("</g>", roads) - roads), "<polygon"), 2);
  EXPECT_EQ(CountOf(svg, "fill-opacity=\"0.85\""), 2);  // highlighted footprints
  EXPECT_EQ(CountOf(svg, "fill-opacity=\"0.5\""), 2);   // start footprints
  EXPECT_LT(svg.size(), 40000u);
}

TEST(TopViewTest, PathsAreSimplifiedAndStayInsideTheView) {
  const sim::RoadNetwork net = TwoLaneRoadWithABend();
  // a long trace: 20,000 rows along the bend and a wiggling pedestrian
  core::Trace trace({"ego.x", "ego.y", "ego.heading", "walker.x", "walker.y"});
  const int rows = 20000;
  for (int i = 0; i < rows; ++i) {
    const double s = 140.0 * i / (rows - 1);
    const sim::Pose2 ego = net.PoseAt(1, s);
    const double row[] = {ego.x_m, ego.y_m, ego.heading_rad, 30.0 + 2.0 * std::sin(i * 0.01), -30.0 + 40.0 * i / rows};
    trace.Append(i * 0.01, row);
  }
  const std::vector<TopViewActor> actors = {
      {.name = "ego", .length_m = 4.6, .width_m = 1.9, .kind = "vehicle", .is_ego = true},
      {.name = "walker", .length_m = 0.5, .width_m = 0.5, .kind = "pedestrian", .is_ego = false},
  };
  const std::string svg = RenderTopViewSvg(net, trace, actors, {});
  ExpectWellFormed(svg, "long_trace");
  EXPECT_LT(svg.size(), 40000u);
  EXPECT_EQ(svg.find("class=\"collision\""), std::string::npos);  // no collision column
  // the view box
  std::istringstream view_box(AttributeValue(svg, "viewBox"));
  double x0 = -1.0, y0 = -1.0, width = 0.0, height = 0.0;
  ASSERT_TRUE(view_box >> x0 >> y0 >> width >> height);
  EXPECT_EQ(x0, 0.0);
  EXPECT_EQ(y0, 0.0);
  EXPECT_EQ(width, 960.0);
  const auto polylines = Polylines(svg);
  // the actors' paths are the polylines with a stroke colour other than white: the last two
  size_t path_points = 0;
  for (const auto& line : polylines) {
    for (const auto& [x, y] : line) {
      EXPECT_GE(x, -20.5);
      EXPECT_LE(x, width + 20.5);
      EXPECT_GE(y, -20.5);
      EXPECT_LE(y, height + 20.5);
    }
  }
  const auto& ego_path = polylines[polylines.size() - 1];     // the ego is drawn last
  const auto& walker_path = polylines[polylines.size() - 2];
  path_points = ego_path.size() + walker_path.size();
  EXPECT_GT(ego_path.size(), 5u);      // a bend needs a few points
  EXPECT_LT(path_points, 2000u);       // but not 40,000
  EXPECT_GT(walker_path.size(), 20u);  // the wiggle is kept
  EXPECT_NE(svg.find(">walker (pedestrian)</text>"), std::string::npos);
}

TEST(TopViewTest, AircraftWithoutRoadsGetAKilometreScale) {
  const sim::RoadNetwork none;
  core::Trace trace({"own.x", "own.y", "own.heading", "intruder.x", "intruder.y", "intruder.heading"});
  for (int i = 0; i <= 400; ++i) {
    const double t = i * 0.1;
    const double row[] = {200.0 * t, 0.0, 0.0, 8000.0 - 150.0 * t * std::cos(0.3), 3000.0 - 150.0 * t * std::sin(0.3),
                          kPi + 0.3};
    trace.Append(t, row);
  }
  const std::vector<TopViewActor> actors = {
      {.name = "own", .length_m = 20.0, .width_m = 20.0, .kind = "aircraft", .is_ego = true},
      {.name = "intruder", .length_m = 20.0, .width_m = 20.0, .kind = "aircraft", .is_ego = false},
  };
  TopViewOptions options;
  options.highlight_time_s = 1e9;  // clamps to the last row
  const std::string svg = RenderTopViewSvg(none, trace, actors, options);
  ExpectWellFormed(svg, "aircraft");
  EXPECT_NE(svg.find(" km</text>"), std::string::npos);
  EXPECT_NE(svg.find(">t = 40.00 s</text>"), std::string::npos);
  EXPECT_EQ(svg.find("road, lane markings"), std::string::npos);
  EXPECT_EQ(CountOf(svg, "<circle"), 4);  // tiny footprints get dots: two actors, two moments
}

TEST(TopViewTest, MissingColumnsAndNonFiniteSamplesAreLeftOut) {
  const sim::RoadNetwork net = TwoLaneRoadWithABend();
  core::Trace trace({"ego.x", "ego.y"});
  for (int i = 0; i < 50; ++i) {
    const double row[] = {i == 20 ? std::nan("") : 1.0 * i, 0.0};
    trace.Append(0.1 * i, row);
  }
  const std::vector<TopViewActor> actors = {
      {.name = "ego", .length_m = 4.6, .width_m = 1.9, .kind = "vehicle", .is_ego = true},
      {.name = "ghost", .length_m = 4.6, .width_m = 1.9, .kind = "vehicle", .is_ego = false},
  };
  const std::string svg = RenderTopViewSvg(net, trace, actors, {});
  ExpectWellFormed(svg, "missing");
  EXPECT_NE(svg.find(">ghost (vehicle) not in trace</text>"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(CountOf(svg, "stroke-width=\"2\" stroke-linejoin"), 2);  // the ego path is split at the NaN
}

bool Disjoint(const LabelBox& a, const LabelBox& b) {
  return a.x1 <= b.x0 || b.x1 <= a.x0 || a.y1 <= b.y0 || b.y1 <= a.y0;
}

TEST(TopViewTest, PlacedLabelsNeverOverlapOnRandomLayouts) {
  // many random crowds of actors (clusters of near-identical positions included): the label boxes are
  // pairwise disjoint, each label has its size, and where the layout leaves room none covers an actor
  core::Rng rng(2026);
  size_t clear_of_actors = 0, labels = 0;
  for (int layout = 0; layout < 2000; ++layout) {
    const LabelBox bounds{10, 40, 10 + rng.Uniform(200, 800), 40 + rng.Uniform(150, 600)};
    const int n = 1 + static_cast<int>(rng.Uniform(0, 12));
    const bool cluster = layout % 3 == 0;
    std::vector<LabelRequest> requests;
    std::vector<LabelBox> obstacles;
    for (int k = 0; k < n; ++k) {
      const double cx = cluster ? bounds.x0 + 100 + rng.Uniform(0, 6) : rng.Uniform(bounds.x0 - 20, bounds.x1 + 20);
      const double cy = cluster ? bounds.y0 + 80 + rng.Uniform(0, 6) : rng.Uniform(bounds.y0 - 20, bounds.y1 + 20);
      const double half_w = rng.Uniform(2, 20), half_h = rng.Uniform(2, 10);
      const LabelBox actor{cx - half_w, cy - half_h, cx + half_w, cy + half_h};
      obstacles.push_back(actor);
      const std::string name(1 + static_cast<size_t>(rng.Uniform(0, 12)), 'w');
      requests.push_back({actor, LabelWidth(name, 11), 14});
    }
    const std::vector<LabelBox> placed = PlaceLabels(requests, obstacles, bounds);
    ASSERT_EQ(placed.size(), requests.size());
    for (size_t i = 0; i < placed.size(); ++i) {
      EXPECT_NEAR(placed[i].x1 - placed[i].x0, requests[i].width, 1e-9);
      EXPECT_NEAR(placed[i].y1 - placed[i].y0, requests[i].height, 1e-9);
      for (size_t j = i + 1; j < placed.size(); ++j) {
        ASSERT_TRUE(Disjoint(placed[i], placed[j])) << "layout " << layout << ": labels " << i << " and " << j;
      }
      bool clear = true;
      for (const LabelBox& o : obstacles) clear = clear && Disjoint(placed[i], o);
      clear_of_actors += clear ? 1 : 0;
      ++labels;
    }
  }
  EXPECT_GT(clear_of_actors, labels * 9 / 10) << "most labels find a place clear of every actor";
}

TEST(TopViewTest, LabelsOfActorsSideBySideDoNotOverlapInThePicture) {
  // "ego" and "lead" at the same spot (the overlap the old labels had: "egoed")
  const sim::RoadNetwork net = TwoLaneRoadWithABend();
  core::Trace trace({"ego.x", "ego.y", "ego.heading", "lead.x", "lead.y", "lead.heading"});
  for (int i = 0; i < 20; ++i) {
    const double row[] = {0.5 * i, 0.0, 0.0, 0.5 * i + 0.3, 0.4, 0.0};
    trace.Append(0.1 * i, row);
  }
  const std::string svg = RenderTopViewSvg(net, trace, kCars, {});
  std::vector<LabelBox> boxes;
  for (size_t at = svg.find("data-box=\""); at != std::string::npos; at = svg.find("data-box=\"", at + 1)) {
    std::istringstream in(svg.substr(at + 10, svg.find('"', at + 10) - at - 10));
    LabelBox b;
    ASSERT_TRUE(in >> b.x0 >> b.y0 >> b.x1 >> b.y1);
    boxes.push_back(b);
  }
  ASSERT_EQ(boxes.size(), 2u);
  EXPECT_TRUE(Disjoint(boxes[0], boxes[1]));
  EXPECT_NE(svg.find(">ego</text>"), std::string::npos);
  EXPECT_NE(svg.find(">lead</text>"), std::string::npos);
}

TEST(TopViewTest, LiveActorsCarryTheWorldToPixelMap) {
  const sim::RoadNetwork net = TwoLaneRoadWithABend();
  const core::Trace trace = CarFollowingTrace(net, 101, false);
  TopViewOptions options;
  EXPECT_EQ(RenderTopViewSvg(net, trace, kCars, options).find("data-map"), std::string::npos);
  options.live_actors = true;
  options.clip_id = "map-7";
  const std::string svg = RenderTopViewSvg(net, trace, kCars, options);
  ExpectWellFormed(svg, "live");
  EXPECT_EQ(CountOf(svg, "class=\"live-actor\""), 2);
  EXPECT_NE(svg.find("clip-path=\"url(#map-7)\""), std::string::npos);
  // the map sends the ego's start position to the centre of its live polygon
  std::istringstream map(AttributeValue(svg, "data-map"));
  double px0 = 0, py0 = 0, wx0 = 0, wy1 = 0, scale = 0;
  ASSERT_TRUE(map >> px0 >> py0 >> wx0 >> wy1 >> scale);
  const auto ex = trace.Find("ego.x"), ey = trace.Find("ego.y");
  const double x = px0 + (trace.column(*ex)[0] - wx0) * scale, y = py0 + (wy1 - trace.column(*ey)[0]) * scale;
  const size_t live = svg.find("data-actor=\"ego\"");
  ASSERT_NE(live, std::string::npos);
  std::string points = svg.substr(svg.find("points=\"", live) + 8);
  points = points.substr(0, points.find('"'));
  std::replace(points.begin(), points.end(), ',', ' ');
  std::istringstream corners(points);
  double sx = 0, sy = 0, cx = 0, cy = 0;
  for (int k = 0; k < 4; ++k) {
    ASSERT_TRUE(corners >> cx >> cy);
    sx += cx / 4;
    sy += cy / 4;
  }
  EXPECT_NEAR(sx, x, 0.2);
  EXPECT_NEAR(sy, y, 0.2);
}

TEST(TopViewTest, TheSameInputGivesTheSamePicture) {
  const sim::RoadNetwork net = TwoLaneRoadWithABend();
  const core::Trace trace = CarFollowingTrace(net, 101, false);
  TopViewOptions options;
  options.highlight_time_s = 1.0;
  EXPECT_EQ(RenderTopViewSvg(net, trace, kCars, options), RenderTopViewSvg(net, trace, kCars, options));
  EXPECT_EQ(RenderTopViewSvg(net, trace, kCars, options).find("class=\"collision\""), std::string::npos);
}

TEST(TopViewTest, AnEmptyTraceStillGivesAPicture) {
  const std::string svg = RenderTopViewSvg(TwoLaneRoadWithABend(), core::Trace({"ego.x", "ego.y"}), kCars, {});
  ExpectWellFormed(svg, "empty");
  EXPECT_NE(svg.find(">lead (vehicle) not in trace</text>"), std::string::npos);
  EXPECT_EQ(CountOf(svg, "fill=\"#a7abb0\" stroke=\"none\""), 1);  // the roads are drawn
}

TEST(TopViewTest, ActorsOfAWorldGetTheirResolvedSizes) {
  sim::WorldSpec world;
  world.actors.resize(3);
  world.actors[0].name = "ego";
  world.actors[0].ego = true;
  world.actors[1].name = "walker";
  world.actors[1].kind = sim::ActorKind::kPedestrian;
  world.actors[2].name = "truck";
  world.actors[2].length_m = 12.0;
  const std::vector<TopViewActor> actors = TopViewActorsOf(world);
  ASSERT_EQ(actors.size(), 3u);
  EXPECT_EQ(actors[0].name, "ego");
  EXPECT_TRUE(actors[0].is_ego);
  EXPECT_EQ(actors[0].kind, "vehicle");
  EXPECT_EQ(actors[1].kind, "pedestrian");
  EXPECT_FALSE(actors[1].is_ego);
  EXPECT_EQ(actors[1].length_m, sim::ResolveActor(world.actors[1]).length_m);
  EXPECT_EQ(actors[2].length_m, 12.0);
  EXPECT_EQ(actors[2].width_m, sim::ResolveActor(world.actors[2]).width_m);
}

}  // namespace
}  // namespace gauntlet::reports
