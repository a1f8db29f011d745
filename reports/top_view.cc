#include "reports/top_view.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <span>
#include <string_view>

#include "reports/run_summary.h"

namespace gauntlet::reports {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kLegendWidth_px = 220.0;
constexpr double kPad_px = 12.0;
constexpr double kMinMapHeight_px = 260.0;
constexpr double kMaxMapHeight_px = 640.0;
constexpr double kMinSpan_m = 20.0;
constexpr double kScaleStrip_px = 34.0;
constexpr std::string_view kEgoColour = "#1f5fbf";
constexpr std::array<std::string_view, 7> kPalette = {"#e07b00", "#2a9d4b", "#9b3fb5", "#00838f",
                                                      "#7f6a00", "#d6457a", "#6d4c41"};

struct P {
  double x = 0.0;
  double y = 0.0;
};

/// A pixel coordinate with at most one decimal, without a trailing ".0".
std::string Num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  std::string s = buffer;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

std::string Fixed(double v, int decimals) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}

std::string Escape(std::string_view text) { return XmlEscape(std::string(text)); }  // reports/run_summary.h

std::string Points(std::span<const P> points) {
  std::string out;
  out.reserve(points.size() * 12);
  for (const P& p : points) {
    if (!out.empty()) out += ' ';
    out += Num(p.x);
    out += ',';
    out += Num(p.y);
  }
  return out;
}

/// Douglas-Peucker simplification: keeps the ends and every point needed to stay within `tolerance`.
std::vector<P> Simplify(const std::vector<P>& points, double tolerance) {
  if (points.size() <= 2) return points;
  std::vector<bool> keep(points.size(), false);
  keep.front() = keep.back() = true;
  std::vector<std::pair<size_t, size_t>> stack = {{0, points.size() - 1}};
  while (!stack.empty()) {
    const auto [first, last] = stack.back();
    stack.pop_back();
    const P a = points[first];
    const P b = points[last];
    const double dx = b.x - a.x;
    const double dy = b.y - a.y;
    const double length2 = dx * dx + dy * dy;
    double worst = -1.0;
    size_t worst_index = first;
    for (size_t i = first + 1; i < last; ++i) {
      const P p = points[i];
      double d = 0.0;
      if (length2 == 0.0) {
        d = std::hypot(p.x - a.x, p.y - a.y);
      } else {
        // distance to the segment (not the line), so back-and-forth motion is kept
        const double t = std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / length2, 0.0, 1.0);
        d = std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
      }
      if (d > worst) {
        worst = d;
        worst_index = i;
      }
    }
    if (worst > tolerance) {
      keep[worst_index] = true;
      stack.push_back({first, worst_index});
      stack.push_back({worst_index, last});
    }
  }
  std::vector<P> out;
  for (size_t i = 0; i < points.size(); ++i) {
    if (keep[i]) out.push_back(points[i]);
  }
  return out;
}

struct Rect {
  double x0, y0, x1, y1;
};

/// Clips a polyline to `r` (Liang-Barsky per segment), splitting it where it leaves the rectangle.
std::vector<std::vector<P>> ClipPolyline(const std::vector<P>& line, const Rect& r) {
  std::vector<std::vector<P>> pieces;
  std::vector<P> current;
  auto close = [&] {
    if (current.size() >= 2) pieces.push_back(std::move(current));
    current.clear();
  };
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    const P a = line[i];
    const P b = line[i + 1];
    double t0 = 0.0;
    double t1 = 1.0;
    const double dx = b.x - a.x;
    const double dy = b.y - a.y;
    const std::array<double, 4> p = {-dx, dx, -dy, dy};
    const std::array<double, 4> q = {a.x - r.x0, r.x1 - a.x, a.y - r.y0, r.y1 - a.y};
    bool visible = true;
    for (int k = 0; k < 4 && visible; ++k) {
      if (p[k] == 0.0) {
        if (q[k] < 0.0) visible = false;
      } else {
        const double t = q[k] / p[k];
        if (p[k] < 0.0) {
          t0 = std::max(t0, t);
        } else {
          t1 = std::min(t1, t);
        }
        if (t0 > t1) visible = false;
      }
    }
    if (!visible) {
      close();
      continue;
    }
    const P c{a.x + t0 * dx, a.y + t0 * dy};
    const P d{a.x + t1 * dx, a.y + t1 * dy};
    if (t0 > 0.0) close();  // entered the rectangle: a new piece
    if (current.empty()) current.push_back(c);
    current.push_back(d);
    if (t1 < 1.0) close();  // left it
  }
  close();
  return pieces;
}

/// Clips a polygon to `r` (Sutherland-Hodgman: any polygon against a convex window).
std::vector<P> ClipPolygon(std::vector<P> poly, const Rect& r) {
  for (int edge = 0; edge < 4 && !poly.empty(); ++edge) {
    auto inside = [&](const P& p) {
      switch (edge) {
        case 0: return p.x >= r.x0;
        case 1: return p.x <= r.x1;
        case 2: return p.y >= r.y0;
        default: return p.y <= r.y1;
      }
    };
    auto cross = [&](const P& a, const P& b) {
      double t = 0.0;
      switch (edge) {
        case 0: t = (r.x0 - a.x) / (b.x - a.x); break;
        case 1: t = (r.x1 - a.x) / (b.x - a.x); break;
        case 2: t = (r.y0 - a.y) / (b.y - a.y); break;
        default: t = (r.y1 - a.y) / (b.y - a.y); break;
      }
      return P{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)};
    };
    std::vector<P> out;
    for (size_t i = 0; i < poly.size(); ++i) {
      const P& cur = poly[i];
      const P& prev = poly[(i + poly.size() - 1) % poly.size()];
      const bool in_cur = inside(cur);
      const bool in_prev = inside(prev);
      if (in_cur) {
        if (!in_prev) out.push_back(cross(prev, cur));
        out.push_back(cur);
      } else if (in_prev) {
        out.push_back(cross(prev, cur));
      }
    }
    poly = std::move(out);
  }
  return poly;
}

/// The largest 1, 2 or 5 times a power of ten not above `limit`.
double NiceLength(double limit) {
  const double power = std::pow(10.0, std::floor(std::log10(limit)));
  for (const double f : {5.0, 2.0, 1.0}) {
    if (f * power <= limit) return f * power;
  }
  return power;
}

std::string LengthText(double metres) {
  if (metres >= 1000.0) return Num(metres / 1000.0) + " km";
  if (metres >= 1.0) return Num(metres) + " m";
  return Num(metres * 100.0) + " cm";
}

std::string TimeText(double t) { return Fixed(t, 2) + " s"; }

/// One actor's samples from the trace.
struct ActorData {
  const TopViewActor* spec = nullptr;
  std::string colour;
  std::span<const double> x, y, heading;  // heading may be empty
  bool present = false;
};

struct Footprint {
  std::array<P, 4> corners;  // world coordinates
  P centre;
  P front;
};

std::optional<Footprint> FootprintAt(const ActorData& a, size_t row) {
  if (!a.present || row >= a.x.size()) return std::nullopt;
  const double x = a.x[row];
  const double y = a.y[row];
  const double h = a.heading.empty() ? 0.0 : a.heading[row];
  if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(h)) return std::nullopt;
  const double half_l = 0.5 * std::max(a.spec->length_m, 0.0);
  const double half_w = 0.5 * std::max(a.spec->width_m, 0.0);
  const double c = std::cos(h);
  const double s = std::sin(h);
  Footprint f;
  f.centre = {x, y};
  f.front = {x + half_l * c, y + half_l * s};
  const std::array<std::pair<double, double>, 4> signs = {{{1, 1}, {1, -1}, {-1, -1}, {-1, 1}}};
  for (size_t i = 0; i < 4; ++i) {
    const double along = signs[i].first * half_l;
    const double across = signs[i].second * half_w;
    f.corners[i] = {x + along * c - across * s, y + along * s + across * c};
  }
  return f;
}


/// The moments drawn: the highlighted row, the first collision and where it happened.
struct Moments {
  std::optional<size_t> highlight_row;
  std::optional<size_t> collision_row;
  std::optional<P> collision_point;
};

/// Every actor's columns and colour, and the order they are drawn in (the ego last, on top).
struct ActorSet {
  std::vector<ActorData> data;
  std::vector<size_t> draw_order;
};

ActorSet CollectActors(const core::Trace& trace, const std::vector<TopViewActor>& actors) {
  ActorSet set;
  size_t palette_index = 0;
  for (const TopViewActor& actor : actors) {
    ActorData a;
    a.spec = &actor;
    a.colour = actor.is_ego ? std::string(kEgoColour) : std::string(kPalette[palette_index++ % kPalette.size()]);
    const auto x = trace.Find(actor.name + ".x");
    const auto y = trace.Find(actor.name + ".y");
    if (x && y) {
      a.present = true;
      a.x = trace.column(*x);
      a.y = trace.column(*y);
      if (const auto h = trace.Find(actor.name + ".heading")) a.heading = trace.column(*h);
    }
    set.data.push_back(std::move(a));
  }
  set.draw_order.resize(set.data.size());
  for (size_t i = 0; i < set.data.size(); ++i) set.draw_order[i] = i;
  std::stable_partition(set.draw_order.begin(), set.draw_order.end(),
                        [&](size_t i) { return !set.data[i].spec->is_ego; });
  return set;
}

/// The trace row nearest `t` (rows are in time order).
size_t NearestRow(std::span<const double> time, double t) {
  const size_t i = static_cast<size_t>(std::lower_bound(time.begin(), time.end(), t) - time.begin());
  if (i == 0) return 0;
  if (i == time.size()) return time.size() - 1;
  return (time[i] - t) < (t - time[i - 1]) ? i : i - 1;
}

Moments FindMoments(const core::Trace& trace, const ActorSet& actors, const TopViewOptions& options) {
  Moments m;
  const std::span<const double> time = trace.time();
  if (options.highlight_time_s && !time.empty() && std::isfinite(*options.highlight_time_s)) {
    m.highlight_row = NearestRow(time, *options.highlight_time_s);
  }
  if (const auto c = trace.Find("collision")) {
    const auto column = trace.column(*c);
    for (size_t i = 0; i < column.size(); ++i) {
      if (column[i] == 1.0) {
        m.collision_row = i;
        break;
      }
    }
  }
  if (!m.collision_row) return m;
  const ActorData* ego = nullptr;
  for (const ActorData& a : actors.data) {
    if (a.spec->is_ego && a.present) ego = &a;
  }
  if (ego == nullptr) return m;
  const auto here = FootprintAt(*ego, *m.collision_row);
  if (!here) return m;
  m.collision_point = here->centre;
  // between the ego and the actor it touched, when the trace says which
  for (const ActorData& a : actors.data) {
    if (&a == ego || !a.present) continue;
    const auto flag = trace.Find(a.spec->name + ".collision");
    const auto other = FootprintAt(a, *m.collision_row);
    if (flag && other && trace.column(*flag)[*m.collision_row] == 1.0) {
      m.collision_point = P{0.5 * (here->centre.x + other->centre.x), 0.5 * (here->centre.y + other->centre.y)};
      break;
    }
  }
  return m;
}

/// The map's place in the picture and the world-to-pixel transform.
struct MapFrame {
  double x = 0.0, y = 0.0, w = 0.0, h = 0.0;  ///< the map rectangle in pixels (h includes the scale strip)
  double scale = 1.0;                         ///< px per metre
  double view_x0 = 0.0, view_y1 = 0.0;        ///< world coordinates of the map's top left corner
  [[nodiscard]] P ToPx(double wx, double wy) const { return {x + (wx - view_x0) * scale, y + (view_y1 - wy) * scale}; }
  [[nodiscard]] std::vector<P> ToPx(const std::vector<sim::Point2>& points) const {
    std::vector<P> out;
    out.reserve(points.size());
    for (const sim::Point2& p : points) out.push_back(ToPx(p.x_m, p.y_m));
    return out;
  }
};

/// The world box (the actors' paths and footprints, else the roads) fitted into the map area.
MapFrame FitFrame(const sim::RoadNetwork& network, const ActorSet& actors, const Moments& moments,
                  const TopViewOptions& options, double header) {
  double min_x = kInf, min_y = kInf, max_x = -kInf, max_y = -kInf;
  auto grow = [&](double x, double y) {
    if (!std::isfinite(x) || !std::isfinite(y)) return;
    min_x = std::min(min_x, x);
    max_x = std::max(max_x, x);
    min_y = std::min(min_y, y);
    max_y = std::max(max_y, y);
  };
  for (const ActorData& a : actors.data) {
    if (!a.present) continue;
    for (size_t i = 0; i < a.x.size(); ++i) grow(a.x[i], a.y[i]);
    for (const std::optional<size_t> row : {std::optional<size_t>(0), moments.highlight_row}) {
      if (!row) continue;
      if (const auto f = FootprintAt(a, *row)) {
        for (const P& p : f->corners) grow(p.x, p.y);
      }
    }
  }
  if (moments.collision_point) grow(moments.collision_point->x, moments.collision_point->y);
  if (min_x > max_x) {
    for (size_t r = 0; r < network.road_count(); ++r) {
      for (const sim::Point2& p : network.RoadOutline(r, 0.5)) grow(p.x_m, p.y_m);
    }
  }
  if (min_x > max_x) {
    min_x = min_y = -0.5 * kMinSpan_m;
    max_x = max_y = 0.5 * kMinSpan_m;
  }
  const double margin = std::max(options.margin_m, 0.05 * std::max(max_x - min_x, max_y - min_y));
  min_x -= margin;
  max_x += margin;
  min_y -= margin;
  max_y += margin;
  auto widen = [](double& lo, double& hi) {
    if (hi - lo >= kMinSpan_m) return;
    const double c = 0.5 * (lo + hi);
    lo = c - 0.5 * kMinSpan_m;
    hi = c + 0.5 * kMinSpan_m;
  };
  widen(min_x, max_x);
  widen(min_y, max_y);
  // layout in pixels: header, map (left), legend (right)
  MapFrame f;
  const double width = std::max(options.width_px, 480.0);
  f.x = kPad_px;
  f.y = header;
  f.w = width - kLegendWidth_px - 2.0 * kPad_px;
  f.scale = f.w / (max_x - min_x);
  f.h = (max_y - min_y) * f.scale;
  if (f.h > kMaxMapHeight_px) {
    f.scale = kMaxMapHeight_px / (max_y - min_y);
    f.h = kMaxMapHeight_px;
  }
  f.h = std::max(f.h, kMinMapHeight_px);
  f.view_x0 = 0.5 * (min_x + max_x) - 0.5 * f.w / f.scale;
  f.view_y1 = 0.5 * (min_y + max_y) + 0.5 * f.h / f.scale;  // top of the map
  f.h += kScaleStrip_px;                                      // the scale bar gets a strip of its own
  return f;
}

/// The map's background and roads (or a grid when there are none).
std::string DrawGround(const sim::RoadNetwork& network, const MapFrame& f) {
  std::string body = "<rect x=\"" + Num(f.x) + "\" y=\"" + Num(f.y) + "\" width=\"" + Num(f.w) + "\" height=\"" +
                     Num(f.h) + "\" fill=\"" + (network.road_count() > 0 ? "#e8eee2" : "#f6f8fa") + "\"/>\n";
  const double tolerance_m = 0.25 / f.scale;
  const Rect clip_rect{f.x - 20.0, f.y - 20.0, f.x + f.w + 20.0, f.y + f.h + 20.0};
  if (network.road_count() == 0) {
    // no roads: a light grid at the scale bar's spacing
    const double step_m = NiceLength(140.0 / f.scale);
    std::string grid;
    const double view_y0 = f.view_y1 - f.h / f.scale;
    for (double x = std::ceil(f.view_x0 / step_m) * step_m; x <= f.view_x0 + f.w / f.scale; x += step_m) {
      grid += "M" + Num(f.ToPx(x, 0.0).x) + " " + Num(f.y) + "V" + Num(f.y + f.h);
    }
    for (double y = std::ceil(view_y0 / step_m) * step_m; y <= f.view_y1; y += step_m) {
      grid += "M" + Num(f.x) + " " + Num(f.ToPx(0.0, y).y) + "H" + Num(f.x + f.w);
    }
    return body + "<path class=\"grid\" d=\"" + grid + "\" stroke=\"#d5dbe1\" stroke-width=\"1\" fill=\"none\"/>\n";
  }
  body += "<g fill=\"#a7abb0\" stroke=\"none\">\n";
  for (size_t r = 0; r < network.road_count(); ++r) {
    const std::vector<P> outline = ClipPolygon(f.ToPx(network.RoadOutline(r, tolerance_m)), clip_rect);
    if (outline.size() >= 3) body += "<polygon points=\"" + Points(outline) + "\"/>\n";
  }
  body += "</g>\n";
  const double marking_px = std::max(1.0, 0.15 * f.scale);
  const double dash_px = std::max(4.0, 3.0 * f.scale);
  const double gap_px = std::max(4.0, 6.0 * f.scale);
  std::string edges;
  std::string separators;
  for (size_t r = 0; r < network.road_count(); ++r) {
    const int lanes = network.RoadLaneCount(r);
    for (int b = 0; b <= lanes; ++b) {
      std::string& target = (b == 0 || b == lanes) ? edges : separators;
      for (const auto& piece : ClipPolyline(f.ToPx(network.RoadBoundary(r, b, tolerance_m)), clip_rect)) {
        target += "<polyline points=\"" + Points(piece) + "\"/>\n";
      }
    }
  }
  body += "<g fill=\"none\" stroke=\"#ffffff\" stroke-width=\"" + Num(marking_px) + "\">\n" + edges + "</g>\n";
  body += "<g fill=\"none\" stroke=\"#ffffff\" stroke-width=\"" + Num(marking_px) + "\" stroke-dasharray=\"" +
          Num(dash_px) + " " + Num(gap_px) + "\">\n" + separators + "</g>\n";
  return body;
}

/// Each actor's path, simplified, split where a sample is not finite.
std::string DrawPaths(const ActorSet& actors, const MapFrame& f, const TopViewOptions& options) {
  std::string body;
  const double tolerance_px = std::max(options.path_tolerance_px, 0.01);
  for (const size_t i : actors.draw_order) {
    const ActorData& a = actors.data[i];
    if (!a.present) continue;
    std::vector<P> run;
    auto flush = [&] {
      if (run.size() >= 2) {
        body += "<polyline points=\"" + Points(Simplify(run, tolerance_px)) + "\" fill=\"none\" stroke=\"" + a.colour +
                "\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-opacity=\"0.9\"/>\n";
      }
      run.clear();
    };
    for (size_t row = 0; row < a.x.size(); ++row) {
      if (std::isfinite(a.x[row]) && std::isfinite(a.y[row])) {
        run.push_back(f.ToPx(a.x[row], a.y[row]));
      } else {
        flush();
      }
    }
    flush();
  }
  return body;
}

/// One footprint: dashed (the start) or filled with a heading tick (the highlighted time).
std::string FootprintSvg(const ActorData& a, const Footprint& fp, bool filled, const MapFrame& f) {
  std::vector<P> corners;
  for (const P& p : fp.corners) corners.push_back(f.ToPx(p.x, p.y));
  const P c = f.ToPx(fp.centre.x, fp.centre.y);
  const P front = f.ToPx(fp.front.x, fp.front.y);
  std::string out;
  if (filled) {
    out += "<polygon points=\"" + Points(corners) + "\" fill=\"" + a.colour +
           "\" fill-opacity=\"0.85\" stroke=\"#202020\" stroke-width=\"1\"/>\n";
    out += "<line x1=\"" + Num(c.x) + "\" y1=\"" + Num(c.y) + "\" x2=\"" + Num(front.x) + "\" y2=\"" + Num(front.y) +
           "\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n";
  } else {
    out += "<polygon points=\"" + Points(corners) + "\" fill=\"#ffffff\" fill-opacity=\"0.5\" stroke=\"" + a.colour +
           "\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"/>\n";
  }
  // small footprints get a dot so they stay visible at any scale
  if (std::max(a.spec->length_m, a.spec->width_m) * f.scale < 6.0) {
    out += "<circle cx=\"" + Num(c.x) + "\" cy=\"" + Num(c.y) + "\" r=\"3.5\" fill=\"" +
           (filled ? a.colour : std::string("#ffffff")) + "\" stroke=\"" + a.colour + "\" stroke-width=\"1.5\"/>\n";
  }
  return out;
}

std::vector<P> Star(P c, double outer, double inner) {
  std::vector<P> star;
  for (int k = 0; k < 16; ++k) {
    const double r = k % 2 == 0 ? outer : inner;
    const double angle = k * std::numbers::pi / 8.0;
    star.push_back({c.x + r * std::sin(angle), c.y - r * std::cos(angle)});
  }
  return star;
}

/// Footprints at the start and the highlighted time, and the collision marker.
std::string DrawFootprints(const ActorSet& actors, const Moments& moments, const MapFrame& f) {
  std::string body;
  for (const size_t i : actors.draw_order) {
    if (const auto fp = FootprintAt(actors.data[i], 0)) body += FootprintSvg(actors.data[i], *fp, false, f);
  }
  if (moments.highlight_row) {
    for (const size_t i : actors.draw_order) {
      if (const auto fp = FootprintAt(actors.data[i], *moments.highlight_row)) {
        body += FootprintSvg(actors.data[i], *fp, true, f);
      }
    }
  }
  if (moments.collision_point) {
    body += "<polygon class=\"collision\" points=\"" +
            Points(Star(f.ToPx(moments.collision_point->x, moments.collision_point->y), 11.0, 5.0)) +
            "\" fill=\"#ffd400\" stroke=\"#d01010\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n";
  }
  return body;
}

constexpr double kLabelFont_px = 11.0;

/// The names next to the actors where they are highlighted (else at the start), placed so that no two
/// overlap and, where there is room, none covers an actor; a label pushed away gets a leader line.
std::string DrawLabels(const ActorSet& actors, const Moments& moments, const MapFrame& f) {
  std::vector<LabelRequest> requests;
  std::vector<LabelBox> obstacles;
  std::vector<size_t> who;
  for (const size_t i : actors.draw_order) {
    const auto fp = FootprintAt(actors.data[i], moments.highlight_row.value_or(0));
    if (!fp) continue;
    LabelBox box{kInf, kInf, -kInf, -kInf};
    for (const P& corner : fp->corners) {
      const P p = f.ToPx(corner.x, corner.y);
      box = {std::min(box.x0, p.x), std::min(box.y0, p.y), std::max(box.x1, p.x), std::max(box.y1, p.y)};
    }
    const P c = f.ToPx(fp->centre.x, fp->centre.y);
    box = {std::min(box.x0, c.x - 3.5), std::min(box.y0, c.y - 3.5), std::max(box.x1, c.x + 3.5),
           std::max(box.y1, c.y + 3.5)};
    obstacles.push_back(box);
    requests.push_back({box, LabelWidth(actors.data[i].spec->name, kLabelFont_px), kLabelFont_px + 3.0});
    who.push_back(i);
  }
  const std::vector<LabelBox> placed = PlaceLabels(requests, obstacles, {f.x, f.y, f.x + f.w, f.y + f.h});
  std::string body = "<g class=\"labels\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#202020\" "
                     "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">\n";
  for (size_t k = 0; k < placed.size(); ++k) {
    const LabelBox& b = placed[k];
    const LabelBox& a = requests[k].anchor;
    // a leader line when the label does not touch its actor's box
    const double gap_x = std::max({0.0, a.x0 - b.x1, b.x0 - a.x1});
    const double gap_y = std::max({0.0, a.y0 - b.y1, b.y0 - a.y1});
    if (std::hypot(gap_x, gap_y) > 8.0) {
      const P from{std::clamp(0.5 * (a.x0 + a.x1), b.x0, b.x1), std::clamp(0.5 * (a.y0 + a.y1), b.y0, b.y1)};
      const P to{std::clamp(from.x, a.x0, a.x1), std::clamp(from.y, a.y0, a.y1)};
      body += "<path d=\"M" + Num(from.x) + " " + Num(from.y) + "L" + Num(to.x) + " " + Num(to.y) +
              "\" stroke=\"#606060\" stroke-width=\"1\" fill=\"none\"/>\n";
    }
    body += "<text x=\"" + Num(b.x0 + 2.0) + "\" y=\"" + Num(b.y1 - 3.0) + "\" data-box=\"" + Num(b.x0) + " " +
            Num(b.y0) + " " + Num(b.x1) + " " + Num(b.y1) + "\">" + Escape(actors.data[who[k]].spec->name) + "</text>\n";
  }
  return body + "</g>\n";
}

/// The scale bar, bottom left of the map.
std::string DrawScaleBar(const MapFrame& f) {
  const double bar_m = NiceLength(140.0 / f.scale);
  const double bar_px = bar_m * f.scale;
  const double x0 = f.x + 12.0;
  const double y0 = f.y + f.h - 10.0;
  return "<g class=\"scale-bar\">\n<rect x=\"" + Num(x0 - 6.0) + "\" y=\"" + Num(y0 - 20.0) + "\" width=\"" +
         Num(bar_px + 12.0) + "\" height=\"28\" fill=\"#ffffff\" fill-opacity=\"0.75\" rx=\"3\"/>\n<path d=\"M" +
         Num(x0) + " " + Num(y0 - 5.0) + "V" + Num(y0) + "H" + Num(x0 + bar_px) + "V" + Num(y0 - 5.0) +
         "\" fill=\"none\" stroke=\"#202020\" stroke-width=\"1.5\"/>\n<text x=\"" + Num(x0 + 0.5 * bar_px) + "\" y=\"" +
         Num(y0 - 8.0) + "\" font-family=\"sans-serif\" font-size=\"11\" text-anchor=\"middle\" fill=\"#202020\">" +
         LengthText(bar_m) + "</text>\n</g>\n";
}

/// Actors drawn at the start, moved by the page's script (TopViewOptions::live_actors).
std::string DrawLiveActors(const ActorSet& actors, const MapFrame& f) {
  std::string body = "<g class=\"live\" visibility=\"hidden\">\n";  // shown by the page's script
  for (const size_t i : actors.draw_order) {
    const ActorData& a = actors.data[i];
    const auto fp = FootprintAt(a, 0);
    if (!fp) continue;
    std::vector<P> corners;
    for (const P& p : fp->corners) corners.push_back(f.ToPx(p.x, p.y));
    body += "<polygon class=\"live-actor\" data-actor=\"" + Escape(a.spec->name) + "\" data-length=\"" +
            Num(a.spec->length_m) + "\" data-width=\"" + Num(a.spec->width_m) + "\" points=\"" + Points(corners) +
            "\" fill=\"" + a.colour + "\" fill-opacity=\"0.95\" stroke=\"#000000\" stroke-width=\"1.5\"/>\n";
  }
  return body + "</g>\n";
}

/// The legend beside the map; `bottom` gets the y of its last line.
std::string DrawLegend(const ActorSet& actors, const Moments& moments, const core::Trace& trace,
                       const sim::RoadNetwork& network, const MapFrame& f, const TopViewOptions& options,
                       double width, double* bottom) {
  const std::span<const double> time = trace.time();
  double ly = f.y + 14.0;
  const double lx = width - kLegendWidth_px + 4.0;
  std::string out;
  auto text = [&](double x, double y, const std::string& s, const char* extra = "") {
    out += "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\"" + extra + ">" + s + "</text>\n";
  };
  auto swatch = [&](const std::string& style) {
    out += "<rect x=\"" + Num(lx + 2.0) + "\" y=\"" + Num(ly - 11.0) + "\" width=\"18\" height=\"9\" " + style + "/>\n";
  };
  text(lx, ly, "Legend", " font-weight=\"bold\"");
  ly += 20.0;
  for (const ActorData& a : actors.data) {
    out += "<line x1=\"" + Num(lx) + "\" y1=\"" + Num(ly - 4.0) + "\" x2=\"" + Num(lx + 22.0) + "\" y2=\"" +
           Num(ly - 4.0) + "\" stroke=\"" + a.colour + "\" stroke-width=\"3\"/>\n";
    std::string label = Escape(a.spec->name) + " (" + Escape(a.spec->kind) + (a.spec->is_ego ? ", ego" : "") + ")";
    if (!a.present) label += " not in trace";
    text(lx + 28.0, ly, label);
    ly += 18.0;
  }
  ly += 6.0;
  swatch("fill=\"#ffffff\" stroke=\"#606060\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"");
  text(lx + 28.0, ly, "start, t = " + (time.empty() ? std::string("0.00 s") : TimeText(time.front())));
  ly += 18.0;
  if (moments.highlight_row) {
    swatch("fill=\"#606060\" stroke=\"#202020\" stroke-width=\"1\"");
    text(lx + 28.0, ly, "t = " + TimeText(time[*moments.highlight_row]));
    ly += 15.0;
    if (!options.highlight_label.empty()) {
      text(lx + 28.0, ly, Escape(options.highlight_label), " font-size=\"11\" fill=\"#505050\"");
      ly += 18.0;
    }
  }
  if (moments.collision_row) {
    out += "<polygon points=\"" + Points(Star({lx + 11.0, ly - 5.0}, 7.0, 3.2)) +
           "\" fill=\"#ffd400\" stroke=\"#d01010\" stroke-width=\"1.5\"/>\n";
    text(lx + 28.0, ly, "collision, t = " + TimeText(time[*moments.collision_row]));
    ly += 18.0;
  }
  if (network.road_count() > 0) {
    swatch("fill=\"#a7abb0\"");
    out += "<line x1=\"" + Num(lx + 2.0) + "\" y1=\"" + Num(ly - 6.5) + "\" x2=\"" + Num(lx + 20.0) + "\" y2=\"" +
           Num(ly - 6.5) + "\" stroke=\"#ffffff\" stroke-width=\"1\" stroke-dasharray=\"3 2\"/>\n";
    text(lx + 28.0, ly, "road, lane markings");
    ly += 18.0;
  } else {
    text(lx, ly + 6.0, "grid " + LengthText(NiceLength(140.0 / f.scale)), " font-size=\"11\" fill=\"#505050\"");
    ly += 15.0;
  }
  if (!time.empty()) {
    ly += 6.0;
    text(lx, ly, "trace " + TimeText(time.front()) + " to " + TimeText(time.back()), " font-size=\"11\" fill=\"#505050\"");
    ly += 15.0;
  }
  text(lx, ly, "x east, y north", " font-size=\"11\" fill=\"#505050\"");
  *bottom = ly + 10.0;
  return out;
}

bool Overlaps(const LabelBox& a, const LabelBox& b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

bool Inside(const LabelBox& a, const LabelBox& bounds) {
  return a.x0 >= bounds.x0 && a.x1 <= bounds.x1 && a.y0 >= bounds.y0 && a.y1 <= bounds.y1;
}

}  // namespace

double LabelWidth(std::string_view text, double font_px) {
  // generous for sans-serif: wide capitals count more
  double em = 0.0;
  for (const char c : text) em += std::isupper(static_cast<unsigned char>(c)) || c == 'm' || c == 'w' ? 0.8 : 0.6;
  return em * font_px + 4.0;
}

std::vector<LabelBox> PlaceLabels(const std::vector<LabelRequest>& labels, const std::vector<LabelBox>& obstacles,
                                  const LabelBox& bounds) {
  std::vector<LabelBox> placed;
  placed.reserve(labels.size());
  auto free_of_labels = [&](const LabelBox& b) {
    return std::none_of(placed.begin(), placed.end(), [&](const LabelBox& p) { return Overlaps(b, p); });
  };
  auto free_of_obstacles = [&](const LabelBox& b) {
    return std::none_of(obstacles.begin(), obstacles.end(), [&](const LabelBox& o) { return Overlaps(b, o); });
  };
  for (const LabelRequest& r : labels) {
    const LabelBox& a = r.anchor;
    const double w = std::max(r.width, 1.0);
    const double h = std::max(r.height, 1.0);
    // candidates: above right, below right, above left, below left, above, below, right, left of the
    // actor's box, on rings further and further out
    std::vector<LabelBox> candidates;
    for (int ring = 0; ring < 8; ++ring) {
      const double d = 2.0 + ring * (h + 2.0);
      const double cx = 0.5 * (a.x0 + a.x1) - 0.5 * w;
      const double cy = 0.5 * (a.y0 + a.y1) - 0.5 * h;
      const std::array<P, 8> corners = {P{a.x1 + d, a.y0 - d - h}, P{a.x1 + d, a.y1 + d}, P{a.x0 - d - w, a.y0 - d - h},
                                        P{a.x0 - d - w, a.y1 + d}, P{cx, a.y0 - d - h},      P{cx, a.y1 + d},
                                        P{a.x1 + d, cy},           P{a.x0 - d - w, cy}};
      for (const P& p : corners) candidates.push_back({p.x, p.y, p.x + w, p.y + h});
    }
    std::optional<LabelBox> choice;
    // the first candidate clear of everything, then one clear of the labels only (both inside the bounds)
    for (const bool avoid_obstacles : {true, false}) {
      for (const LabelBox& c : candidates) {
        if (Inside(c, bounds) && free_of_labels(c) && (!avoid_obstacles || free_of_obstacles(c))) {
          choice = c;
          break;
        }
      }
      if (choice) break;
    }
    // else a free row below the anchor: the placed labels are finitely many, so one is found
    for (double y = a.y1 + 2.0; !choice; y += h + 1.0) {
      const LabelBox c{a.x1 + 2.0, y, a.x1 + 2.0 + w, y + h};
      if (free_of_labels(c)) choice = c;
    }
    placed.push_back(*choice);
  }
  return placed;
}


std::vector<TopViewActor> TopViewActorsOf(const sim::WorldSpec& world) {
  std::vector<TopViewActor> out;
  for (const sim::ActorSpec& actor : world.actors) {
    const sim::ActorDefaults resolved = sim::ResolveActor(actor);
    std::string kind = "actor";
    for (const auto& name : EnumNames(actor.kind)) {
      if (name.value == actor.kind) kind = std::string(name.name);
    }
    out.push_back({actor.name, resolved.length_m, resolved.width_m, std::move(kind), actor.ego});
  }
  return out;
}

std::string RenderTopViewSvg(const sim::RoadNetwork& network, const core::Trace& trace,
                             const std::vector<TopViewActor>& actors, const TopViewOptions& options) {
  const ActorSet set = CollectActors(trace, actors);
  const Moments moments = FindMoments(trace, set, options);
  const double width = std::max(options.width_px, 480.0);
  const double header = options.title.empty() ? kPad_px : (options.subtitle.empty() ? 40.0 : 60.0);
  const MapFrame f = FitFrame(network, set, moments, options, header);
  double legend_bottom = 0.0;
  const std::string legend = DrawLegend(set, moments, trace, network, f, options, width, &legend_bottom);

  std::string svg;
  svg.reserve(32768);
  const double height = std::max(f.y + f.h, legend_bottom) + kPad_px;
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Num(width) + "\" height=\"" + Num(height) +
         "\" viewBox=\"0 0 " + Num(width) + " " + Num(height) + "\"";
  if (options.live_actors) {
    // the world-to-pixel map for the page's script: px = x0 + (x - wx0) s, py = y0 + (wy1 - y) s
    svg += " data-map=\"" + Num(f.x) + " " + Num(f.y) + " " + Fixed(f.view_x0, 3) + " " + Fixed(f.view_y1, 3) + " " +
           Fixed(f.scale, 5) + "\"";
  }
  svg += ">\n<title>" + Escape(options.title.empty() ? std::string("top view") : options.title) + "</title>\n";
  svg += "<defs><clipPath id=\"" + Escape(options.clip_id) + "\"><rect x=\"" + Num(f.x) + "\" y=\"" + Num(f.y) +
         "\" width=\"" + Num(f.w) + "\" height=\"" + Num(f.h) + "\"/></clipPath></defs>\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  if (!options.title.empty()) {
    svg += "<text x=\"" + Num(kPad_px) + "\" y=\"26\" font-family=\"sans-serif\" font-size=\"17\" "
           "font-weight=\"bold\" fill=\"#202020\">" + Escape(options.title) + "</text>\n";
    if (!options.subtitle.empty()) {
      svg += "<text x=\"" + Num(kPad_px) + "\" y=\"46\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#505050\">" +
             Escape(options.subtitle) + "</text>\n";
    }
  }
  svg += "<g clip-path=\"url(#" + Escape(options.clip_id) + ")\">\n";
  svg += DrawGround(network, f);
  svg += DrawPaths(set, f, options);
  svg += DrawFootprints(set, moments, f);
  if (options.live_actors) svg += DrawLiveActors(set, f);
  svg += DrawLabels(set, moments, f);
  svg += DrawScaleBar(f);
  svg += "</g>\n";
  svg += "<rect x=\"" + Num(f.x) + "\" y=\"" + Num(f.y) + "\" width=\"" + Num(f.w) + "\" height=\"" + Num(f.h) +
         "\" fill=\"none\" stroke=\"#808080\"/>\n";
  svg += "<g class=\"legend\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#202020\">\n" + legend + "</g>\n";
  svg += "</svg>\n";
  return svg;
}

}  // namespace gauntlet::reports
