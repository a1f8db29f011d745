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

}  // namespace

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
  // actors' columns; the ego is drawn last (on top)
  std::vector<ActorData> data;
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
    data.push_back(std::move(a));
  }
  std::vector<size_t> draw_order(data.size());
  for (size_t i = 0; i < data.size(); ++i) draw_order[i] = i;
  std::stable_partition(draw_order.begin(), draw_order.end(), [&](size_t i) { return !data[i].spec->is_ego; });

  // the moments drawn: start, highlight, first collision
  const std::span<const double> time = trace.time();
  std::optional<size_t> highlight_row;
  if (options.highlight_time_s && !time.empty() && std::isfinite(*options.highlight_time_s)) {
    const double t = *options.highlight_time_s;
    const size_t i = static_cast<size_t>(std::lower_bound(time.begin(), time.end(), t) - time.begin());
    if (i == 0) {
      highlight_row = 0;
    } else if (i == time.size()) {
      highlight_row = time.size() - 1;
    } else {
      highlight_row = (time[i] - t) < (t - time[i - 1]) ? i : i - 1;
    }
  }
  std::optional<size_t> collision_row;
  if (const auto c = trace.Find("collision")) {
    const auto column = trace.column(*c);
    for (size_t i = 0; i < column.size(); ++i) {
      if (column[i] == 1.0) {
        collision_row = i;
        break;
      }
    }
  }
  std::optional<P> collision_point;
  if (collision_row) {
    const ActorData* ego = nullptr;
    for (const ActorData& a : data) {
      if (a.spec->is_ego && a.present) ego = &a;
    }
    if (ego) {
      const auto here = FootprintAt(*ego, *collision_row);
      if (here) {
        collision_point = here->centre;
        // between the ego and the actor it touched, when the trace says which
        for (const ActorData& a : data) {
          if (&a == ego || !a.present) continue;
          const auto flag = trace.Find(a.spec->name + ".collision");
          const auto other = FootprintAt(a, *collision_row);
          if (flag && other && trace.column(*flag)[*collision_row] == 1.0) {
            collision_point = P{0.5 * (here->centre.x + other->centre.x), 0.5 * (here->centre.y + other->centre.y)};
            break;
          }
        }
      }
    }
  }

  // the world box: actors' paths and footprints, else the roads
  double min_x = kInf, min_y = kInf, max_x = -kInf, max_y = -kInf;
  auto grow = [&](double x, double y) {
    if (!std::isfinite(x) || !std::isfinite(y)) return;
    min_x = std::min(min_x, x);
    max_x = std::max(max_x, x);
    min_y = std::min(min_y, y);
    max_y = std::max(max_y, y);
  };
  for (const ActorData& a : data) {
    if (!a.present) continue;
    for (size_t i = 0; i < a.x.size(); ++i) grow(a.x[i], a.y[i]);
    for (const std::optional<size_t> row : {std::optional<size_t>(0), highlight_row}) {
      if (!row) continue;
      if (const auto f = FootprintAt(a, *row)) {
        for (const P& p : f->corners) grow(p.x, p.y);
      }
    }
  }
  if (collision_point) grow(collision_point->x, collision_point->y);
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
  if (max_x - min_x < kMinSpan_m) {
    const double c = 0.5 * (min_x + max_x);
    min_x = c - 0.5 * kMinSpan_m;
    max_x = c + 0.5 * kMinSpan_m;
  }
  if (max_y - min_y < kMinSpan_m) {
    const double c = 0.5 * (min_y + max_y);
    min_y = c - 0.5 * kMinSpan_m;
    max_y = c + 0.5 * kMinSpan_m;
  }

  // layout in pixels: header, map (left), legend (right)
  const double width = std::max(options.width_px, 480.0);
  const double header = options.title.empty() ? kPad_px : (options.subtitle.empty() ? 40.0 : 60.0);
  const double map_x = kPad_px;
  const double map_y = header;
  const double map_w = width - kLegendWidth_px - 2.0 * kPad_px;
  double scale = map_w / (max_x - min_x);  // px per metre
  double map_h = (max_y - min_y) * scale;
  if (map_h > kMaxMapHeight_px) {
    scale = kMaxMapHeight_px / (max_y - min_y);
    map_h = kMaxMapHeight_px;
  }
  map_h = std::max(map_h, kMinMapHeight_px);
  const double cx = 0.5 * (min_x + max_x);
  const double cy = 0.5 * (min_y + max_y);
  const double view_x0 = cx - 0.5 * map_w / scale;
  const double view_y1 = cy + 0.5 * map_h / scale;  // top of the map
  map_h += kScaleStrip_px;                            // the scale bar gets a strip of its own
  auto to_px = [&](double x, double y) { return P{map_x + (x - view_x0) * scale, map_y + (view_y1 - y) * scale}; };
  auto to_px_all = [&](const std::vector<sim::Point2>& points) {
    std::vector<P> out;
    out.reserve(points.size());
    for (const sim::Point2& p : points) out.push_back(to_px(p.x_m, p.y_m));
    return out;
  };
  const Rect map_rect{map_x, map_y, map_x + map_w, map_y + map_h};
  const Rect clip_rect{map_x - 20.0, map_y - 20.0, map_x + map_w + 20.0, map_y + map_h + 20.0};

  std::string svg;
  svg.reserve(32768);
  auto line = [&](const std::string& s) {
    svg += s;
    svg += '\n';
  };

  // the map: background, roads, paths, footprints, collision, scale bar
  std::string body;
  auto emit = [&](const std::string& s) {
    body += s;
    body += '\n';
  };
  emit("<rect x=\"" + Num(map_x) + "\" y=\"" + Num(map_y) + "\" width=\"" + Num(map_w) + "\" height=\"" +
       Num(map_h) + "\" fill=\"" + (network.road_count() > 0 ? "#e8eee2" : "#f6f8fa") + "\"/>");
  const double tolerance_m = 0.25 / scale;
  if (network.road_count() == 0) {
    // no roads: a light grid at the scale bar's spacing
    const double step_m = NiceLength(140.0 / scale);
    std::string grid;
    const double view_y0 = view_y1 - map_h / scale;
    for (double x = std::ceil(view_x0 / step_m) * step_m; x <= view_x0 + map_w / scale; x += step_m) {
      grid += "M" + Num(to_px(x, 0.0).x) + " " + Num(map_y) + "V" + Num(map_y + map_h);
    }
    for (double y = std::ceil(view_y0 / step_m) * step_m; y <= view_y1; y += step_m) {
      grid += "M" + Num(map_x) + " " + Num(to_px(0.0, y).y) + "H" + Num(map_x + map_w);
    }
    emit("<path class=\"grid\" d=\"" + grid + "\" stroke=\"#d5dbe1\" stroke-width=\"1\" fill=\"none\"/>");
  } else {
    emit("<g fill=\"#a7abb0\" stroke=\"none\">");
    for (size_t r = 0; r < network.road_count(); ++r) {
      const std::vector<P> outline = ClipPolygon(to_px_all(network.RoadOutline(r, tolerance_m)), clip_rect);
      if (outline.size() >= 3) emit("<polygon points=\"" + Points(outline) + "\"/>");
    }
    emit("</g>");
    const double marking_px = std::max(1.0, 0.15 * scale);
    const double dash_px = std::max(4.0, 3.0 * scale);
    const double gap_px = std::max(4.0, 6.0 * scale);
    std::string edges;
    std::string separators;
    for (size_t r = 0; r < network.road_count(); ++r) {
      const int lanes = network.RoadLaneCount(r);
      for (int b = 0; b <= lanes; ++b) {
        std::string& target = (b == 0 || b == lanes) ? edges : separators;
        for (const auto& piece : ClipPolyline(to_px_all(network.RoadBoundary(r, b, tolerance_m)), clip_rect)) {
          target += "<polyline points=\"" + Points(piece) + "\"/>\n";
        }
      }
    }
    emit("<g fill=\"none\" stroke=\"#ffffff\" stroke-width=\"" + Num(marking_px) + "\">");
    body += edges;
    emit("</g>");
    emit("<g fill=\"none\" stroke=\"#ffffff\" stroke-width=\"" + Num(marking_px) + "\" stroke-dasharray=\"" +
         Num(dash_px) + " " + Num(gap_px) + "\">");
    body += separators;
    emit("</g>");
  }
  // paths
  const double tolerance_px = std::max(options.path_tolerance_px, 0.01);
  for (const size_t i : draw_order) {
    const ActorData& a = data[i];
    if (!a.present) continue;
    std::vector<P> run;
    auto flush = [&] {
      if (run.size() >= 2) {
        emit("<polyline points=\"" + Points(Simplify(run, tolerance_px)) + "\" fill=\"none\" stroke=\"" + a.colour +
             "\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-opacity=\"0.9\"/>");
      }
      run.clear();
    };
    for (size_t row = 0; row < a.x.size(); ++row) {
      if (std::isfinite(a.x[row]) && std::isfinite(a.y[row])) {
        run.push_back(to_px(a.x[row], a.y[row]));
      } else {
        flush();
      }
    }
    flush();
  }
  // footprints: dashed at the start, filled at the highlighted time
  auto footprint_svg = [&](const ActorData& a, const Footprint& f, bool filled) {
    std::vector<P> corners;
    for (const P& p : f.corners) corners.push_back(to_px(p.x, p.y));
    const P c = to_px(f.centre.x, f.centre.y);
    const P front = to_px(f.front.x, f.front.y);
    std::string out;
    if (filled) {
      out += "<polygon points=\"" + Points(corners) + "\" fill=\"" + a.colour +
             "\" fill-opacity=\"0.85\" stroke=\"#202020\" stroke-width=\"1\"/>\n";
      out += "<line x1=\"" + Num(c.x) + "\" y1=\"" + Num(c.y) + "\" x2=\"" + Num(front.x) + "\" y2=\"" +
             Num(front.y) + "\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n";
    } else {
      out += "<polygon points=\"" + Points(corners) + "\" fill=\"#ffffff\" fill-opacity=\"0.5\" stroke=\"" +
             a.colour + "\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"/>\n";
    }
    // small footprints get a dot so they stay visible at any scale
    if (std::max(a.spec->length_m, a.spec->width_m) * scale < 6.0) {
      out += "<circle cx=\"" + Num(c.x) + "\" cy=\"" + Num(c.y) + "\" r=\"3.5\" fill=\"" +
             (filled ? a.colour : std::string("#ffffff")) + "\" stroke=\"" + a.colour + "\" stroke-width=\"1.5\"/>\n";
    }
    return out;
  };
  for (const size_t i : draw_order) {
    const ActorData& a = data[i];
    if (const auto f = FootprintAt(a, 0)) body += footprint_svg(a, *f, false);
  }
  if (highlight_row) {
    for (const size_t i : draw_order) {
      const ActorData& a = data[i];
      if (const auto f = FootprintAt(a, *highlight_row)) body += footprint_svg(a, *f, true);
    }
  }
  if (collision_point) {
    const P c = to_px(collision_point->x, collision_point->y);
    std::vector<P> star;
    for (int k = 0; k < 16; ++k) {
      const double r = k % 2 == 0 ? 11.0 : 5.0;
      const double angle = k * std::numbers::pi / 8.0;
      star.push_back({c.x + r * std::sin(angle), c.y - r * std::cos(angle)});
    }
    emit("<polygon class=\"collision\" points=\"" + Points(star) +
         "\" fill=\"#ffd400\" stroke=\"#d01010\" stroke-width=\"2\" stroke-linejoin=\"round\"/>");
  }
  // names next to the actors where they are highlighted (else at the start)
  emit("<g font-family=\"sans-serif\" font-size=\"11\" fill=\"#202020\" stroke=\"#ffffff\" stroke-width=\"3\" "
       "paint-order=\"stroke\">");
  for (const size_t i : draw_order) {
    const ActorData& a = data[i];
    const auto f = FootprintAt(a, highlight_row.value_or(0));
    if (!f) continue;
    double top = kInf;
    double right = -kInf;
    for (const P& corner : f->corners) {
      const P p = to_px(corner.x, corner.y);
      top = std::min(top, p.y);
      right = std::max(right, p.x);
    }
    const P c = to_px(f->centre.x, f->centre.y);
    emit("<text x=\"" + Num(std::max(right, c.x + 4.0) + 2.0) + "\" y=\"" + Num(std::min(top, c.y - 4.0) - 2.0) +
         "\">" + Escape(a.spec->name) + "</text>");
  }
  emit("</g>");
  {
    // the scale bar, bottom left of the map
    const double bar_m = NiceLength(140.0 / scale);
    const double bar_px = bar_m * scale;
    const double x0 = map_x + 12.0;
    const double y0 = map_y + map_h - 10.0;
    emit("<g class=\"scale-bar\">");
    emit("<rect x=\"" + Num(x0 - 6.0) + "\" y=\"" + Num(y0 - 20.0) + "\" width=\"" + Num(bar_px + 12.0) +
         "\" height=\"28\" fill=\"#ffffff\" fill-opacity=\"0.75\" rx=\"3\"/>");
    emit("<path d=\"M" + Num(x0) + " " + Num(y0 - 5.0) + "V" + Num(y0) + "H" + Num(x0 + bar_px) + "V" +
         Num(y0 - 5.0) + "\" fill=\"none\" stroke=\"#202020\" stroke-width=\"1.5\"/>");
    emit("<text x=\"" + Num(x0 + 0.5 * bar_px) + "\" y=\"" + Num(y0 - 8.0) +
         "\" font-family=\"sans-serif\" font-size=\"11\" text-anchor=\"middle\" fill=\"#202020\">" +
         LengthText(bar_m) + "</text>");
    emit("</g>");
  }

  // the legend
  double ly = map_y + 14.0;
  const double lx = width - kLegendWidth_px + 4.0;
  auto legend_text = [&](double x, double y, const std::string& text, const char* extra = "") {
    return "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\"" + extra + ">" + text + "</text>";
  };
  std::string legend_svg;
  auto add = [&](const std::string& s) {
    legend_svg += s;
    legend_svg += '\n';
  };
  add(legend_text(lx, ly, "Legend", " font-weight=\"bold\""));
  ly += 20.0;
  for (const ActorData& a : data) {
    add("<line x1=\"" + Num(lx) + "\" y1=\"" + Num(ly - 4.0) + "\" x2=\"" + Num(lx + 22.0) + "\" y2=\"" +
        Num(ly - 4.0) + "\" stroke=\"" + a.colour + "\" stroke-width=\"3\"/>");
    std::string label = Escape(a.spec->name) + " (" + Escape(a.spec->kind) + (a.spec->is_ego ? ", ego" : "") + ")";
    if (!a.present) label += " not in trace";
    add(legend_text(lx + 28.0, ly, label));
    ly += 18.0;
  }
  ly += 6.0;
  add("<rect x=\"" + Num(lx + 2.0) + "\" y=\"" + Num(ly - 11.0) +
      "\" width=\"18\" height=\"9\" fill=\"#ffffff\" stroke=\"#606060\" stroke-width=\"1.5\" "
      "stroke-dasharray=\"3 2\"/>");
  add(legend_text(lx + 28.0, ly, "start, t = " + (time.empty() ? std::string("0.00 s") : TimeText(time.front()))));
  ly += 18.0;
  if (highlight_row) {
    add("<rect x=\"" + Num(lx + 2.0) + "\" y=\"" + Num(ly - 11.0) +
        "\" width=\"18\" height=\"9\" fill=\"#606060\" stroke=\"#202020\" stroke-width=\"1\"/>");
    add(legend_text(lx + 28.0, ly, "t = " + TimeText(time[*highlight_row])));
    ly += 15.0;
    if (!options.highlight_label.empty()) {
      add(legend_text(lx + 28.0, ly, Escape(options.highlight_label), " font-size=\"11\" fill=\"#505050\""));
      ly += 18.0;
    }
  }
  if (collision_row) {
    std::vector<P> star;
    for (int k = 0; k < 16; ++k) {
      const double r = k % 2 == 0 ? 7.0 : 3.2;
      const double angle = k * std::numbers::pi / 8.0;
      star.push_back({lx + 11.0 + r * std::sin(angle), ly - 5.0 - r * std::cos(angle)});
    }
    add("<polygon points=\"" + Points(star) + "\" fill=\"#ffd400\" stroke=\"#d01010\" stroke-width=\"1.5\"/>");
    add(legend_text(lx + 28.0, ly, "collision, t = " + TimeText(time[*collision_row])));
    ly += 18.0;
  }
  if (network.road_count() > 0) {
    add("<rect x=\"" + Num(lx + 2.0) + "\" y=\"" + Num(ly - 11.0) + "\" width=\"18\" height=\"9\" fill=\"#a7abb0\"/>");
    add("<line x1=\"" + Num(lx + 2.0) + "\" y1=\"" + Num(ly - 6.5) + "\" x2=\"" + Num(lx + 20.0) + "\" y2=\"" +
        Num(ly - 6.5) + "\" stroke=\"#ffffff\" stroke-width=\"1\" stroke-dasharray=\"3 2\"/>");
    add(legend_text(lx + 28.0, ly, "road, lane markings"));
    ly += 18.0;
  }
  if (network.road_count() == 0) {
    add(legend_text(lx, ly + 6.0, "grid " + LengthText(NiceLength(140.0 / scale)),
                    " font-size=\"11\" fill=\"#505050\""));
    ly += 15.0;
  }
  if (!time.empty()) {
    ly += 6.0;
    add(legend_text(lx, ly, "trace " + TimeText(time.front()) + " to " + TimeText(time.back()),
                    " font-size=\"11\" fill=\"#505050\""));
    ly += 15.0;
  }
  add(legend_text(lx, ly, "x east, y north", " font-size=\"11\" fill=\"#505050\""));
  ly += 10.0;

  // the document
  const double height = std::max(map_y + map_h, ly) + kPad_px;
  line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
  line("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Num(width) + "\" height=\"" + Num(height) +
       "\" viewBox=\"0 0 " + Num(width) + " " + Num(height) + "\">");
  line("<title>" + Escape(options.title.empty() ? std::string("top view") : options.title) + "</title>");
  line("<defs><clipPath id=\"map\"><rect x=\"" + Num(map_rect.x0) + "\" y=\"" + Num(map_rect.y0) + "\" width=\"" +
       Num(map_w) + "\" height=\"" + Num(map_h) + "\"/></clipPath></defs>");
  line("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
  if (!options.title.empty()) {
    line("<text x=\"" + Num(kPad_px) + "\" y=\"26\" font-family=\"sans-serif\" font-size=\"17\" "
         "font-weight=\"bold\" fill=\"#202020\">" + Escape(options.title) + "</text>");
    if (!options.subtitle.empty()) {
      line("<text x=\"" + Num(kPad_px) + "\" y=\"46\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#505050\">" +
           Escape(options.subtitle) + "</text>");
    }
  }
  line("<g clip-path=\"url(#map)\">");
  svg += body;
  line("</g>");
  line("<rect x=\"" + Num(map_x) + "\" y=\"" + Num(map_y) + "\" width=\"" + Num(map_w) + "\" height=\"" + Num(map_h) +
       "\" fill=\"none\" stroke=\"#808080\"/>");
  line("<g class=\"legend\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#202020\">");
  svg += legend_svg;
  line("</g>");
  line("</svg>");
  return svg;
}

}  // namespace gauntlet::reports
