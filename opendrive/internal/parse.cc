#include "opendrive/internal/parse.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <type_traits>
#include <unordered_map>

#include "core/error.h"
#include "opendrive/internal/curve.h"

namespace gauntlet::opendrive::internal {
namespace {

// Limits on absurd input (keep evaluation bounded): 1000 km roads and records, 1 mm radii.
constexpr double kMaxLength = 1e6;
constexpr double kMaxCurvature = 1e3;
// The largest |value| a laneOffset, width or border record may reach within its road (m): far beyond any
// real road, small enough that sums of lanes and poses stay finite.
constexpr double kMaxLateral = 1e9;

std::string Join(std::initializer_list<std::string_view> names) {
  std::string out;
  for (const std::string_view n : names) {
    out += (out.empty() ? "" : ", ") + std::string(n);
  }
  return out;
}

// The document text with its line starts, and the diagnostics found so far.
class Reader {
 public:
  Reader(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        line_starts_.push_back(i + 1);
      }
    }
  }

  // The position of byte `offset` (1-based line and column; columns count bytes).
  [[nodiscard]] core::SourcePos At(ptrdiff_t offset) const {
    if (offset < 0) {
      return {file_, 0, 0};
    }
    const size_t off = std::min(static_cast<size_t>(offset), text_.size());
    const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), off);
    const size_t line = static_cast<size_t>(it - line_starts_.begin());
    return {file_, static_cast<int>(line), static_cast<int>(off - line_starts_[line - 1]) + 1};
  }

  // The position of an element: its '<'.
  [[nodiscard]] core::SourcePos Pos(const pugi::xml_node& node) const {
    ptrdiff_t off = node.offset_debug();
    // pugixml points at the element's name; step back to its '<'.
    if (off > 0 && static_cast<size_t>(off) <= text_.size() && text_[off - 1] == '<') {
      --off;
    }
    return At(off);
  }

  // The position of attribute `name` of `node` (the element's when it cannot be found).
  [[nodiscard]] core::SourcePos AttrPos(const pugi::xml_node& node, std::string_view name) const {
    const ptrdiff_t start = node.offset_debug();
    if (start < 0 || static_cast<size_t>(start) >= text_.size()) {
      return Pos(node);
    }
    const size_t end = text_.find('>', static_cast<size_t>(start));
    size_t at = static_cast<size_t>(start);
    while (true) {
      at = text_.find(name, at);
      if (at == std::string_view::npos || (end != std::string_view::npos && at > end)) {
        return Pos(node);
      }
      const char before = text_[at - 1];
      size_t after = at + name.size();
      while (after < text_.size() && (text_[after] == ' ' || text_[after] == '\t' || text_[after] == '\n' ||
                                      text_[after] == '\r')) {
        ++after;
      }
      if ((before == ' ' || before == '\t' || before == '\n' || before == '\r') && after < text_.size() &&
          text_[after] == '=') {
        return At(static_cast<ptrdiff_t>(at));
      }
      at += name.size();
    }
  }

  void Error(core::SourcePos pos, std::string message) { diags_.Error(std::move(pos), std::move(message)); }
  [[nodiscard]] const core::Diagnostics& diags() const { return diags_; }
  [[nodiscard]] const std::string& file() const { return file_; }

  // A required or optional number attribute (double or int); a missing required one, or text that is
  // not a finite number of that kind, is an error (the result is then `fallback`).
  template <class T>
  T Parse(const pugi::xml_node& node, const char* name, bool required, T fallback) {
    const pugi::xml_attribute attr = node.attribute(name);
    if (!attr) {
      if (required) {
        Error(Pos(node), "<" + std::string(node.name()) + "> is missing the attribute '" + name + "'");
      }
      return fallback;
    }
    std::string_view value = attr.value();
    const size_t b = value.find_first_not_of(" \t\r\n");
    const size_t e = value.find_last_not_of(" \t\r\n");
    value = b == std::string_view::npos ? std::string_view() : value.substr(b, e - b + 1);
    if (!value.empty() && value.front() == '+') {
      value.remove_prefix(1);
    }
    T out{};
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    bool ok = !value.empty() && ec == std::errc() && ptr == value.data() + value.size();
    if constexpr (std::is_floating_point_v<T>) {
      ok = ok && std::isfinite(out);
    }
    if (!ok) {
      Error(AttrPos(node, name), "attribute '" + std::string(name) + "' of <" + node.name() + "> is not " +
                                     (std::is_floating_point_v<T> ? "a finite number" : "an integer") + ": '" +
                                     attr.value() + "'");
      return fallback;
    }
    return out;
  }
  double Number(const pugi::xml_node& node, const char* name, bool required, double fallback = 0.0) {
    return Parse<double>(node, name, required, fallback);
  }
  int Integer(const pugi::xml_node& node, const char* name, bool required, int fallback = 0) {
    return Parse<int>(node, name, required, fallback);
  }

  // The required attribute 'length', which must not be negative (0 when it is bad).
  // The required attribute 'length', which must not be negative nor absurdly long (0 when it is bad).
  double Length(const pugi::xml_node& node) {
    const double length = Number(node, "length", true);
    if (length < 0.0) {
      Error(AttrPos(node, "length"), "<" + std::string(node.name()) + "> length must not be negative");
      return 0.0;
    }
    if (length > kMaxLength) {
      Error(AttrPos(node, "length"), "<" + std::string(node.name()) + "> length " + attr_text(node, "length") +
                                         " is over the limit of 1e6 m");
      return 0.0;
    }
    return length;
  }

  // A curvature attribute, at most kMaxCurvature in magnitude (0 when it is bad).
  double Curvature(const pugi::xml_node& node, const char* name) {
    const double k = Number(node, name, true);
    if (std::abs(k) > kMaxCurvature) {
      Error(AttrPos(node, name), "attribute '" + std::string(name) + "' of <" + node.name() + "> is " +
                                     attr_text(node, name) + ": a curvature over 1000 1/m (radius under 1 mm)");
      return 0.0;
    }
    return k;
  }

  static std::string attr_text(const pugi::xml_node& node, const char* name) { return node.attribute(name).value(); }

  // A required string attribute (empty and an error when missing).
  std::string Text(const pugi::xml_node& node, const char* name, bool required) {
    const pugi::xml_attribute attr = node.attribute(name);
    if (!attr && required) {
      Error(Pos(node), "<" + std::string(node.name()) + "> is missing the attribute '" + name + "'");
    }
    return attr ? attr.value() : "";
  }

  // An unsupported child element: an error naming it and what is supported there.
  void Unsupported(const pugi::xml_node& child, const pugi::xml_node& parent, const std::string& supported) {
    Error(Pos(child), "unsupported element <" + std::string(child.name()) + "> in <" + parent.name() +
                          ">; supported: " + supported);
  }

 private:
  std::string_view text_;
  std::string file_;
  std::vector<size_t> line_starts_;
  core::Diagnostics diags_;
};

bool IsOneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Children of `parent` that are elements (comments and text skipped).
template <class F>
void ForEachElement(const pugi::xml_node& parent, F&& f) {
  for (pugi::xml_node child = parent.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element) {
      f(child);
    }
  }
}

Cubic ReadCubic(Reader& r, const pugi::xml_node& node) {
  return {r.Number(node, "a", true), r.Number(node, "b", true), r.Number(node, "c", true),
          r.Number(node, "d", true)};
}

// A laneOffset, width or border record, refused (zero) when |a| + |b| L + |c| L^2 + |d| L^3, a bound of
// its value anywhere on its road of length L, is over kMaxLateral (an overflow would make poses NaN).
Cubic ReadLateralCubic(Reader& r, const pugi::xml_node& node, double road_length) {
  const Cubic c = ReadCubic(r, node);
  const double L = road_length;
  const double bound = std::abs(c.a) + L * (std::abs(c.b) + L * (std::abs(c.c) + L * std::abs(c.d)));
  if (!(bound <= kMaxLateral)) {
    r.Error(r.Pos(node), "the <" + std::string(node.name()) + "> polynomial exceeds 1e9 m within the road's "
                         "length (coefficients too large)");
    return {};
  }
  return c;
}

std::optional<ContactPoint> ReadContact(Reader& r, const pugi::xml_node& node, bool required) {
  const pugi::xml_attribute attr = node.attribute("contactPoint");
  if (!attr) {
    if (required) {
      r.Error(r.Pos(node), "<" + std::string(node.name()) + "> is missing the attribute 'contactPoint'");
    }
    return std::nullopt;
  }
  const std::string_view v = attr.value();
  if (v == "start") {
    return ContactPoint::kStart;
  }
  if (v == "end") {
    return ContactPoint::kEnd;
  }
  r.Error(r.AttrPos(node, "contactPoint"),
          "attribute 'contactPoint' of <" + std::string(node.name()) + "> must be 'start' or 'end', not '" +
              std::string(v) + "'");
  return std::nullopt;
}

// A road link as written; resolved to indices once every road is known.
struct PendingLink {
  size_t road;  // index of the road
  bool successor;
  core::SourcePos pos;
};

void ReadGeometry(Reader& r, const pugi::xml_node& node, Road* road) {
  Geometry g;
  g.pos = r.Pos(node);
  g.s = r.Number(node, "s", true);
  g.x = r.Number(node, "x", true);
  g.y = r.Number(node, "y", true);
  g.heading = r.Number(node, "hdg", true);
  g.length = r.Length(node);
  int kinds = 0;
  ForEachElement(node, [&](const pugi::xml_node& child) {
    const std::string_view name = child.name();
    if (name == "userData") {
      return;
    }
    ++kinds;
    if (name == "line") {
      g.kind = Geometry::Kind::kLine;
    } else if (name == "arc") {
      g.kind = Geometry::Kind::kArc;
      g.curvature = r.Curvature(child, "curvature");
    } else if (name == "spiral") {
      g.kind = Geometry::Kind::kSpiral;
      g.curv_start = r.Curvature(child, "curvStart");
      g.curv_end = r.Curvature(child, "curvEnd");
    } else if (name == "poly3") {
      g.kind = Geometry::Kind::kPoly3;
      g.v = ReadCubic(r, child);
    } else if (name == "paramPoly3") {
      g.kind = Geometry::Kind::kParamPoly3;
      g.u = {r.Number(child, "aU", true), r.Number(child, "bU", true), r.Number(child, "cU", true),
             r.Number(child, "dU", true)};
      g.v = {r.Number(child, "aV", true), r.Number(child, "bV", true), r.Number(child, "cV", true),
             r.Number(child, "dV", true)};
      const std::string range = child.attribute("pRange") ? child.attribute("pRange").value() : "normalized";
      if (range == "arcLength") {
        g.normalized = false;
      } else if (range == "normalized") {
        g.normalized = true;
      } else {
        r.Error(r.AttrPos(child, "pRange"), "attribute 'pRange' of <paramPoly3> must be 'arcLength' or "
                                            "'normalized', not '" + range + "'");
      }
    } else {
      r.Unsupported(child, node, Join({"line", "arc", "spiral", "poly3", "paramPoly3"}));
    }
  });
  if (kinds == 1 && (g.kind == Geometry::Kind::kPoly3 || g.kind == Geometry::Kind::kParamPoly3)) {
    const Pose end = Curve(g).At(g.length);
    if (!std::isfinite(end.x) || !std::isfinite(end.y) || !std::isfinite(end.heading)) {
      r.Error(g.pos, "the <" + std::string(g.kind == Geometry::Kind::kPoly3 ? "poly3" : "paramPoly3") +
                         "> curve's coordinates overflow (coefficients too large)");
    }
  }
  if (kinds == 0) {
    r.Error(g.pos, "<geometry> has no shape; expected one of: line, arc, spiral, poly3, paramPoly3");
  } else if (kinds > 1) {
    r.Error(g.pos, "<geometry> has more than one shape element");
  }
  road->geometry.push_back(g);
}

void ReadLane(Reader& r, const pugi::xml_node& node, int side, double road_length, LaneSection* section) {
  Lane lane;
  lane.pos = r.Pos(node);
  lane.id = r.Integer(node, "id", true);
  if (side == 0 && lane.id != 0) {
    r.Error(r.AttrPos(node, "id"), "a lane in <center> must have id 0, not " + std::to_string(lane.id));
  } else if (side > 0 && lane.id <= 0) {
    r.Error(r.AttrPos(node, "id"), "a lane in <left> must have a positive id, not " + std::to_string(lane.id));
  } else if (side < 0 && lane.id >= 0) {
    r.Error(r.AttrPos(node, "id"), "a lane in <right> must have a negative id, not " + std::to_string(lane.id));
  }
  const std::string type = r.Text(node, "type", false);
  if (type.empty()) {
    lane.type = LaneType::kNone;
  } else if (const auto parsed = ParseLaneType(type)) {
    lane.type = *parsed;
  } else {
    std::string known;
    for (int t = static_cast<int>(LaneType::kNone); t <= static_cast<int>(LaneType::kSpecial3); ++t) {
      known += (known.empty() ? "" : ", ") + std::string(LaneTypeName(static_cast<LaneType>(t)));
    }
    r.Error(r.AttrPos(node, "type"), "unknown lane type '" + type + "'; known: " + known);
  }
  ForEachElement(node, [&](const pugi::xml_node& child) {
    const std::string_view name = child.name();
    if (name == "link") {
      ForEachElement(child, [&](const pugi::xml_node& l) {
        const std::string_view ln = l.name();
        if (ln == "predecessor") {
          lane.predecessor = r.Integer(l, "id", true);
        } else if (ln == "successor") {
          lane.successor = r.Integer(l, "id", true);
        } else if (ln != "userData") {
          r.Unsupported(l, child, "predecessor, successor");
        }
      });
    } else if (name == "width" || name == "border") {
      CubicRecord rec{r.Number(child, "sOffset", true), ReadLateralCubic(r, child, road_length)};
      auto& list = name == "width" ? lane.widths : lane.borders;
      if (!list.empty() && rec.s < list.back().s) {
        r.Error(r.AttrPos(child, "sOffset"), "<" + std::string(name) + "> records must be in sOffset order");
      }
      list.push_back(rec);
    } else if (!IsOneOf(name, {"roadMark", "material", "visibility", "speed", "access", "height", "rule",
                               "userData"})) {
      r.Unsupported(child, node, "link, width, border (ignored: roadMark, material, visibility, speed, access, "
                                 "height, rule, userData)");
    }
  });
  if (lane.id != 0 && lane.widths.empty() && lane.borders.empty()) {
    r.Error(lane.pos, "lane " + std::to_string(lane.id) + " has neither <width> nor <border>");
  }
  if (!lane.widths.empty()) {
    lane.borders.clear();  // the standard: width wins when both are given
  }
  section->lanes.push_back(std::move(lane));
}

void ReadLanes(Reader& r, const pugi::xml_node& node, Road* road) {
  ForEachElement(node, [&](const pugi::xml_node& child) {
    const std::string_view name = child.name();
    if (name == "laneOffset") {
      CubicRecord rec{r.Number(child, "s", true), ReadLateralCubic(r, child, road->length)};
      if (!road->lane_offsets.empty() && rec.s < road->lane_offsets.back().s) {
        r.Error(r.AttrPos(child, "s"), "<laneOffset> records must be in s order");
      }
      road->lane_offsets.push_back(rec);
    } else if (name == "laneSection") {
      LaneSection section;
      section.pos = r.Pos(child);
      section.s = r.Number(child, "s", true);
      const std::string single = r.Text(child, "singleSide", false);
      section.single_side = single == "true" || single == "1";
      bool has_center = false;
      ForEachElement(child, [&](const pugi::xml_node& side) {
        const std::string_view sn = side.name();
        const int dir = sn == "left" ? 1 : sn == "right" ? -1 : 0;
        if (sn == "left" || sn == "right" || sn == "center") {
          has_center = has_center || sn == "center";
          ForEachElement(side, [&](const pugi::xml_node& lane) {
            if (std::string_view(lane.name()) == "lane") {
              ReadLane(r, lane, dir, road->length, &section);
            } else if (!IsOneOf(lane.name(), {"userData"})) {
              r.Unsupported(lane, side, "lane");
            }
          });
        } else if (!IsOneOf(sn, {"userData"})) {
          r.Unsupported(side, child, "left, center, right");
        }
      });
      if (!has_center) {
        r.Error(section.pos, "<laneSection> has no <center> lane");
      }
      std::sort(section.lanes.begin(), section.lanes.end(),
                [](const Lane& a, const Lane& b) { return a.id > b.id; });
      for (size_t i = 1; i < section.lanes.size(); ++i) {
        if (section.lanes[i].id == section.lanes[i - 1].id) {
          r.Error(section.lanes[i].pos, "lane id " + std::to_string(section.lanes[i].id) +
                                            " appears twice in this <laneSection>");
        }
      }
      // Lane ids must be consecutive from the centre outwards.
      int expect_left = 0;
      int expect_right = 0;
      for (auto it = section.lanes.rbegin(); it != section.lanes.rend(); ++it) {
        if (it->id > 0 && it->id != ++expect_left) {
          r.Error(it->pos, "left lane ids must run 1, 2, 3, ... from the centre; found " + std::to_string(it->id));
          break;
        }
      }
      for (const Lane& lane : section.lanes) {
        if (lane.id < 0 && lane.id != --expect_right) {
          r.Error(lane.pos, "right lane ids must run -1, -2, -3, ... from the centre; found " +
                                std::to_string(lane.id));
          break;
        }
      }
      if (!road->sections.empty() && section.s < road->sections.back().s) {
        r.Error(r.AttrPos(child, "s"), "<laneSection> elements must be in s order");
      }
      road->sections.push_back(std::move(section));
    } else if (!IsOneOf(name, {"userData"})) {
      r.Unsupported(child, node, "laneOffset, laneSection");
    }
  });
  if (road->sections.empty()) {
    r.Error(r.Pos(node), "<lanes> has no <laneSection>");
  }
}

void ReadRoadLink(Reader& r, const pugi::xml_node& node, RoadLink* link, PendingLink where,
                  std::vector<PendingLink>* pending) {
  link->element_id = r.Text(node, "elementId", true);
  const std::string type = r.Text(node, "elementType", false);
  if (type == "junction") {
    link->kind = RoadLink::Kind::kJunction;
  } else if (type == "road" || type.empty()) {
    link->kind = RoadLink::Kind::kRoad;
    link->contact = ReadContact(r, node, true).value_or(ContactPoint::kStart);
  } else {
    r.Error(r.AttrPos(node, "elementType"), "attribute 'elementType' of <" + std::string(node.name()) +
                                                "> must be 'road' or 'junction', not '" + type + "'");
    return;
  }
  where.pos = r.Pos(node);
  pending->push_back(where);
}

Road ReadRoad(Reader& r, const pugi::xml_node& node, size_t index, std::vector<PendingLink>* pending,
              core::SourcePos* junction_pos) {
  Road road;
  road.pos = r.Pos(node);
  road.id = r.Text(node, "id", true);
  road.name = r.Text(node, "name", false);
  road.length = r.Length(node);
  road.junction_id = node.attribute("junction") ? node.attribute("junction").value() : "-1";
  *junction_pos = r.AttrPos(node, "junction");
  const std::string rule = r.Text(node, "rule", false);
  if (rule == "LHT") {
    road.left_hand_traffic = true;
  } else if (!rule.empty() && rule != "RHT") {
    r.Error(r.AttrPos(node, "rule"), "attribute 'rule' of <road> must be 'RHT' or 'LHT', not '" + rule + "'");
  }
  bool plan_view = false;
  bool lanes = false;
  ForEachElement(node, [&](const pugi::xml_node& child) {
    const std::string_view name = child.name();
    if (name == "link") {
      ForEachElement(child, [&](const pugi::xml_node& l) {
        const std::string_view ln = l.name();
        if (ln == "predecessor") {
          ReadRoadLink(r, l, &road.predecessor, {index, false, {}}, pending);
        } else if (ln == "successor") {
          ReadRoadLink(r, l, &road.successor, {index, true, {}}, pending);
        } else if (!IsOneOf(ln, {"neighbor", "userData"})) {
          r.Unsupported(l, child, "predecessor, successor (ignored: neighbor, userData)");
        }
      });
    } else if (name == "planView") {
      plan_view = true;
      ForEachElement(child, [&](const pugi::xml_node& g) {
        if (std::string_view(g.name()) == "geometry") {
          ReadGeometry(r, g, &road);
        } else if (!IsOneOf(g.name(), {"userData"})) {
          r.Unsupported(g, child, "geometry");
        }
      });
    } else if (name == "lanes") {
      lanes = true;
      ReadLanes(r, child, &road);
    } else if (!IsOneOf(name, {"type", "elevationProfile", "lateralProfile", "objects", "signals", "surface",
                               "railroad", "userData", "dataQuality"})) {
      r.Unsupported(child, node, "link, planView, lanes (ignored: type, elevationProfile, lateralProfile, "
                                 "objects, signals, surface, railroad, userData, dataQuality)");
    }
  });
  if (!plan_view) {
    r.Error(road.pos, "<road> has no <planView>");
  } else if (road.geometry.empty()) {
    r.Error(road.pos, "the <planView> of road '" + road.id + "' has no <geometry>");
  }
  if (!lanes) {
    r.Error(road.pos, "<road> has no <lanes>");
  }
  for (size_t i = 1; i < road.geometry.size(); ++i) {
    if (road.geometry[i].s < road.geometry[i - 1].s) {
      r.Error(road.geometry[i].pos, "<geometry> records must be in s order");
    }
  }
  for (size_t i = 0; i < road.sections.size(); ++i) {
    road.sections[i].s_end = i + 1 < road.sections.size() ? road.sections[i + 1].s : road.length;
  }
  return road;
}

Junction ReadJunction(Reader& r, const pugi::xml_node& node) {
  Junction j;
  j.pos = r.Pos(node);
  j.id = r.Text(node, "id", true);
  j.name = r.Text(node, "name", false);
  const std::string type = r.Text(node, "type", false);
  if (!type.empty() && type != "default" && type != "direct") {
    r.Error(r.AttrPos(node, "type"), "junction type '" + type + "' is not supported; supported: default, direct");
  }
  ForEachElement(node, [&](const pugi::xml_node& child) {
    const std::string_view name = child.name();
    if (name == "connection") {
      Connection c;
      c.pos = r.Pos(child);
      c.id = r.Text(child, "id", false);
      c.contact = ReadContact(r, child, false).value_or(ContactPoint::kStart);
      ForEachElement(child, [&](const pugi::xml_node& ll) {
        if (std::string_view(ll.name()) == "laneLink") {
          c.lane_links.push_back({r.Integer(ll, "from", true), r.Integer(ll, "to", true)});
        } else if (!IsOneOf(ll.name(), {"predecessor", "successor", "userData"})) {
          r.Unsupported(ll, child, "laneLink (ignored: predecessor, successor, userData)");
        }
      });
      j.connections.push_back(std::move(c));
    } else if (!IsOneOf(name, {"priority", "controller", "surface", "boundary", "elevationGrid", "crossPath",
                               "roadSection", "userData"})) {
      r.Unsupported(child, node, "connection (ignored: priority, controller, surface, boundary, "
                                 "elevationGrid, crossPath, roadSection, userData)");
    }
  });
  return j;
}

// Where a lane link of `road` at its start (`successor` false) or end leads: the lane section
// holding the linked lane and a description for messages; nullptr for a junction (its lane links
// are checked with the connections).
const LaneSection* LinkedSection(const ParsedNetwork& net, const Road& road, size_t section, bool successor,
                                 std::string* where) {
  const size_t next = successor ? section + 1 : section - 1;
  if (successor ? section + 1 < road.sections.size() : section > 0) {
    *where = "the " + std::string(successor ? "next" : "previous") + " lane section of road '" + road.id + "'";
    return &road.sections[next];
  }
  const RoadLink& link = successor ? road.successor : road.predecessor;
  if (link.kind != RoadLink::Kind::kRoad || link.road < 0) {
    return nullptr;
  }
  const Road& other = net.roads[static_cast<size_t>(link.road)];
  if (other.sections.empty()) {
    return nullptr;
  }
  *where = "road '" + other.id + "' at its " + (link.contact == ContactPoint::kEnd ? "end" : "start");
  return link.contact == ContactPoint::kEnd ? &other.sections.back() : &other.sections.front();
}

// Lane links (lane predecessor/successor) must name lanes that exist; junction laneLinks should.
void CheckLaneLinks(const ParsedNetwork& net, Reader& r,
                    std::vector<std::pair<core::SourcePos, std::string>>* warnings) {
  for (const Road& road : net.roads) {
    for (size_t i = 0; i < road.sections.size(); ++i) {
      for (const Lane& lane : road.sections[i].lanes) {
        for (const bool successor : {false, true}) {
          const std::optional<int>& id = successor ? lane.successor : lane.predecessor;
          std::string where;
          const LaneSection* target = id ? LinkedSection(net, road, i, successor, &where) : nullptr;
          if (target != nullptr && target->FindLane(*id) == nullptr) {
            r.Error(lane.pos, "lane " + std::to_string(lane.id) + " of road '" + road.id + "' has the " +
                                  (successor ? "successor" : "predecessor") + " lane " + std::to_string(*id) +
                                  ", which " + where + " does not have");
          }
        }
      }
    }
  }
  for (const Junction& j : net.junctions) {
    for (const Connection& c : j.connections) {
      if (c.incoming < 0 || c.connecting < 0) {
        continue;
      }
      const Road& in = net.roads[static_cast<size_t>(c.incoming)];
      const Road& to = net.roads[static_cast<size_t>(c.connecting)];
      if (in.sections.empty() || to.sections.empty()) {
        continue;
      }
      // the incoming road touches the junction with the end whose link names it
      const bool in_end = !(in.predecessor.kind == RoadLink::Kind::kJunction && in.predecessor.junction >= 0 &&
                            net.junctions[static_cast<size_t>(in.predecessor.junction)].id == j.id);
      const LaneSection& from_sec = in_end ? in.sections.back() : in.sections.front();
      const LaneSection& to_sec = c.contact == ContactPoint::kEnd ? to.sections.back() : to.sections.front();
      for (const JunctionLaneLink& ll : c.lane_links) {
        // A laneLink naming a lane that is not there links nothing: a warning, the link is left out
        // (Network::Successors enters existing lanes only), as esmini plays such files (Vector's NCAP
        // X-intersection links lane 2 to a connecting road's lane -2 that does not exist).
        if (from_sec.FindLane(ll.from) == nullptr) {
          warnings->push_back({c.pos, "junction '" + j.id + "' connection '" + c.id + "': incoming road '" + in.id +
                                          "' has no lane " + std::to_string(ll.from) + "; the laneLink is ignored"});
        }
        if (to_sec.FindLane(ll.to) == nullptr) {
          warnings->push_back({c.pos, "junction '" + j.id + "' connection '" + c.id + "': connecting road '" +
                                          to.id + "' has no lane " + std::to_string(ll.to) +
                                          "; the laneLink is ignored"});
        }
      }
    }
  }
}

}  // namespace

ParsedNetwork ParseOpenDrive(std::string_view xml, const std::string& file) {
  Reader r(xml, file);
  pugi::xml_document doc;
  const pugi::xml_parse_result result =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!result) {
    throw core::InputError(r.At(result.offset), std::string("malformed XML: ") + result.description());
  }
  const pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "OpenDRIVE") {
    throw core::InputError(r.Pos(root), "the root element is <" + std::string(root.name()) +
                                            ">, not <OpenDRIVE>: not an OpenDRIVE file");
  }
  ParsedNetwork out;
  std::vector<PendingLink> pending;
  // Junction connections' road ids are resolved after every road is read.
  struct PendingConnection {
    JunctionIndex junction;
    size_t connection;
    std::string incoming, connecting;
    core::SourcePos pos, incoming_pos, connecting_pos;
  };
  std::vector<PendingConnection> pending_connections;
  std::vector<core::SourcePos> road_junction_pos;
  ForEachElement(root, [&](const pugi::xml_node& child) {
    const std::string_view name = child.name();
    if (name == "header") {
      out.header.rev_major = r.Integer(child, "revMajor", false, 1);
      out.header.rev_minor = r.Integer(child, "revMinor", false, 4);
      out.header.name = r.Text(child, "name", false);
      if (out.header.rev_major != 1 || out.header.rev_minor > 8) {
        r.Error(r.Pos(child), "OpenDRIVE revision " + std::to_string(out.header.rev_major) + "." +
                                  std::to_string(out.header.rev_minor) + " is not supported; supported: 1.0 to 1.8");
      }
      ForEachElement(child, [&](const pugi::xml_node& h) {
        const std::string_view hn = h.name();
        if (hn == "geoReference") {
          std::string text;
          for (pugi::xml_node c = h.first_child(); c; c = c.next_sibling()) {
            if (c.type() == pugi::node_cdata || c.type() == pugi::node_pcdata) {
              text += c.value();
            }
          }
          const size_t b = text.find_first_not_of(" \t\r\n");
          const size_t e = text.find_last_not_of(" \t\r\n");
          out.header.geo_reference = b == std::string::npos ? "" : text.substr(b, e - b + 1);
        } else if (hn == "offset") {
          out.header.offset_x = r.Number(h, "x", false);
          out.header.offset_y = r.Number(h, "y", false);
          out.header.offset_z = r.Number(h, "z", false);
          out.header.offset_heading = r.Number(h, "hdg", false);
        } else if (!IsOneOf(hn, {"userData", "license", "defaultRegulations"})) {
          r.Unsupported(h, child, "geoReference, offset (ignored: userData, license, defaultRegulations)");
        }
      });
    } else if (name == "road") {
      road_junction_pos.emplace_back();
      out.roads.push_back(ReadRoad(r, child, out.roads.size(), &pending, &road_junction_pos.back()));
    } else if (name == "junction") {
      out.junctions.push_back(ReadJunction(r, child));
      size_t i = 0;
      ForEachElement(child, [&](const pugi::xml_node& c) {
        if (std::string_view(c.name()) != "connection") {
          return;
        }
        const char* connecting = c.attribute("connectingRoad") ? "connectingRoad" : "linkedRoad";
        if (!c.attribute("incomingRoad") || !c.attribute(connecting)) {
          r.Error(r.Pos(c), "<connection> needs the attributes 'incomingRoad' and 'connectingRoad'");
        }
        pending_connections.push_back({static_cast<JunctionIndex>(out.junctions.size() - 1), i++,
                                       c.attribute("incomingRoad").value(), c.attribute(connecting).value(),
                                       r.Pos(c), r.AttrPos(c, "incomingRoad"), r.AttrPos(c, connecting)});
      });
    } else if (!IsOneOf(name, {"controller", "junctionGroup", "station", "userData", "dataQuality"})) {
      r.Unsupported(child, root, "header, road, junction (ignored: controller, junctionGroup, station, "
                                 "userData, dataQuality)");
    }
  });

  // Resolve ids.
  std::unordered_map<std::string, RoadIndex> road_ids;
  for (size_t i = 0; i < out.roads.size(); ++i) {
    if (!road_ids.emplace(out.roads[i].id, static_cast<RoadIndex>(i)).second) {
      r.Error(out.roads[i].pos, "road id '" + out.roads[i].id + "' is used twice");
    }
  }
  std::unordered_map<std::string, JunctionIndex> junction_ids;
  for (size_t i = 0; i < out.junctions.size(); ++i) {
    if (!junction_ids.emplace(out.junctions[i].id, static_cast<JunctionIndex>(i)).second) {
      r.Error(out.junctions[i].pos, "junction id '" + out.junctions[i].id + "' is used twice");
    }
  }
  for (const PendingLink& p : pending) {
    RoadLink* link = p.successor ? &out.roads[p.road].successor : &out.roads[p.road].predecessor;
    if (link->kind == RoadLink::Kind::kRoad) {
      const auto it = road_ids.find(link->element_id);
      if (it == road_ids.end()) {
        r.Error(p.pos, "link to road '" + link->element_id + "', which does not exist");
      } else {
        link->road = it->second;
      }
    } else {
      const auto it = junction_ids.find(link->element_id);
      if (it == junction_ids.end()) {
        r.Error(p.pos, "link to junction '" + link->element_id + "', which does not exist");
      } else {
        link->junction = it->second;
      }
    }
  }
  for (size_t i = 0; i < out.roads.size(); ++i) {
    Road& road = out.roads[i];
    if (road.junction_id != "-1" && !road.junction_id.empty()) {
      const auto it = junction_ids.find(road.junction_id);
      if (it == junction_ids.end()) {
        r.Error(road_junction_pos[i], "road '" + road.id + "' belongs to junction '" + road.junction_id +
                                          "', which does not exist");
      } else {
        road.junction = it->second;
      }
    }
  }
  for (const PendingConnection& p : pending_connections) {
    Connection& c = out.junctions[p.junction].connections[p.connection];
    const auto in = road_ids.find(p.incoming);
    const auto to = road_ids.find(p.connecting);
    if (in == road_ids.end()) {
      r.Error(p.incoming_pos, "connection to incoming road '" + p.incoming + "', which does not exist");
    } else {
      c.incoming = in->second;
    }
    if (to == road_ids.end()) {
      r.Error(p.connecting_pos, "connection to connecting road '" + p.connecting + "', which does not exist");
    } else {
      c.connecting = to->second;
    }
  }
  if (r.diags().empty()) {
    CheckLaneLinks(out, r, &out.warnings);
  }
  r.diags().ThrowIfAny();
  return out;
}

}  // namespace gauntlet::opendrive::internal
