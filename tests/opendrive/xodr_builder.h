#pragma once
// Small OpenDRIVE documents written by the tests (roads with hand-computable geometry).
//
//   RoadDef road{.id = "1", .length = 100.0, .geometry = Line(0, 0, 0, 0, 100)};
//   road.sections.push_back({.lanes = {Lane(1), Lane(-1)}});
//   const Network net = Network::LoadString(Document(RoadXml(road)), "test.xodr");

#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace gauntlet::opendrive::testing {

/// One lane: its id, type and width records {sOffset, a, b, c, d} (or border records).
struct LaneDef {
  int id = -1;
  std::string type = "driving";
  std::vector<std::vector<double>> widths = {{0.0, 3.5, 0.0, 0.0, 0.0}};
  bool border = false;  ///< write the records as <border> instead of <width>
  std::optional<int> predecessor;
  std::optional<int> successor;
};

inline LaneDef LaneW(int id, double width, std::string type = "driving") {
  return {.id = id, .type = std::move(type), .widths = {{0.0, width, 0.0, 0.0, 0.0}}};
}

struct SectionDef {
  double s = 0.0;
  std::vector<LaneDef> lanes;
  bool single_side = false;
};

struct RoadDef {
  std::string id;
  double length = 0.0;
  std::string geometry;   ///< <geometry> elements
  std::string link;       ///< content of <link>
  std::string junction = "-1";
  std::string rule;       ///< "", "RHT" or "LHT"
  std::string lane_offsets;  ///< <laneOffset> elements
  std::vector<SectionDef> sections;
};

inline std::string Num(double v) {
  std::ostringstream o;
  o.precision(17);
  o << v;
  return o.str();
}

inline std::string GeometryHead(double s, double x, double y, double hdg, double length) {
  return "<geometry s=\"" + Num(s) + "\" x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" hdg=\"" + Num(hdg) +
         "\" length=\"" + Num(length) + "\">";
}
inline std::string Line(double s, double x, double y, double hdg, double length) {
  return GeometryHead(s, x, y, hdg, length) + "<line/></geometry>\n";
}
inline std::string Arc(double s, double x, double y, double hdg, double length, double k) {
  return GeometryHead(s, x, y, hdg, length) + "<arc curvature=\"" + Num(k) + "\"/></geometry>\n";
}
inline std::string Spiral(double s, double x, double y, double hdg, double length, double k0, double k1) {
  return GeometryHead(s, x, y, hdg, length) + "<spiral curvStart=\"" + Num(k0) + "\" curvEnd=\"" + Num(k1) +
         "\"/></geometry>\n";
}
inline std::string ParamPoly3(double s, double x, double y, double hdg, double length, const double (&u)[4],
                              const double (&v)[4], bool normalized) {
  std::string out = GeometryHead(s, x, y, hdg, length) + "<paramPoly3";
  const char* names[8] = {"aU", "bU", "cU", "dU", "aV", "bV", "cV", "dV"};
  for (int i = 0; i < 4; ++i) {
    out += std::string(" ") + names[i] + "=\"" + Num(u[i]) + "\"";
  }
  for (int i = 0; i < 4; ++i) {
    out += std::string(" ") + names[4 + i] + "=\"" + Num(v[i]) + "\"";
  }
  return out + " pRange=\"" + (normalized ? "normalized" : "arcLength") + "\"/></geometry>\n";
}

inline std::string LinkXml(const char* which, const std::string& type, const std::string& id,
                           const std::string& contact = "") {
  return std::string("<") + which + " elementType=\"" + type + "\" elementId=\"" + id + "\"" +
         (contact.empty() ? "" : " contactPoint=\"" + contact + "\"") + "/>";
}

inline std::string LaneXml(const LaneDef& l) {
  std::string out = "<lane id=\"" + std::to_string(l.id) + "\" type=\"" + l.type + "\" level=\"false\"><link>";
  if (l.predecessor) {
    out += "<predecessor id=\"" + std::to_string(*l.predecessor) + "\"/>";
  }
  if (l.successor) {
    out += "<successor id=\"" + std::to_string(*l.successor) + "\"/>";
  }
  out += "</link>";
  for (const auto& w : l.widths) {
    out += std::string("<") + (l.border ? "border" : "width") + " sOffset=\"" + Num(w[0]) + "\" a=\"" + Num(w[1]) +
           "\" b=\"" + Num(w[2]) + "\" c=\"" + Num(w[3]) + "\" d=\"" + Num(w[4]) + "\"/>";
  }
  return out + "<roadMark sOffset=\"0\" type=\"solid\"/></lane>\n";
}

inline std::string RoadXml(const RoadDef& r) {
  std::string out = "<road name=\"\" length=\"" + Num(r.length) + "\" id=\"" + r.id + "\" junction=\"" + r.junction +
                    "\"" + (r.rule.empty() ? "" : " rule=\"" + r.rule + "\"") + ">\n<link>" + r.link +
                    "</link>\n<type s=\"0\" type=\"town\"/>\n<planView>\n" + r.geometry +
                    "</planView>\n<elevationProfile><elevation s=\"0\" a=\"0\" b=\"0\" c=\"0\" d=\"0\"/>"
                    "</elevationProfile>\n<lateralProfile/>\n<lanes>\n" + r.lane_offsets;
  for (const SectionDef& sec : r.sections) {
    out += "<laneSection s=\"" + Num(sec.s) + "\"" + (sec.single_side ? " singleSide=\"true\"" : "") + ">\n";
    std::string left, right;
    for (const LaneDef& l : sec.lanes) {
      (l.id > 0 ? left : right) += LaneXml(l);
    }
    if (!left.empty()) {
      out += "<left>\n" + left + "</left>\n";
    }
    out += "<center><lane id=\"0\" type=\"none\" level=\"false\"/></center>\n";
    if (!right.empty()) {
      out += "<right>\n" + right + "</right>\n";
    }
    out += "</laneSection>\n";
  }
  return out + "</lanes>\n<objects/>\n<signals/>\n</road>\n";
}

inline std::string Document(const std::string& body) {
  return "<?xml version=\"1.0\" standalone=\"yes\"?>\n<OpenDRIVE>\n<header revMajor=\"1\" revMinor=\"6\" "
         "name=\"test\"><geoReference><![CDATA[+proj=utm +zone=32]]></geoReference></header>\n" +
         body + "</OpenDRIVE>\n";
}

}  // namespace gauntlet::opendrive::testing
