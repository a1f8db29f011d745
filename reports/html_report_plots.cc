#include "reports/html_report_plots.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <regex>
#include <span>

#include "core/format.h"
#include "core/units.h"
#include "scenarios/generators/generator_spec.h"
#include "reports/run_summary.h"

namespace gauntlet::reports::html {

const scenarios::RequirementOutcome* FindRequirement(const scenarios::InstanceResult& r, const std::string& name) {
  for (const auto& q : r.requirements)
    if (q.name == name) return &q;
  return nullptr;
}

double Objective(const scenarios::InstanceResult& r) {
  if (r.status != scenarios::InstanceStatus::kCompleted) return NAN;
  double worst = INFINITY;
  for (const auto& q : r.requirements)
    if (q.gating) worst = std::min(worst, q.robustness);
  return std::isfinite(worst) ? worst : NAN;
}

bool IsSearchOrigin(const std::string& origin) {
  for (const auto& kind : scenarios::EnumNames(scenarios::GeneratorKind{})) {
    if (kind.name == origin) return scenarios::IsAdaptive(kind.value);
  }
  return false;
}

std::map<std::string, DisplayUnit> WrittenUnits(const scenarios::Scenario& scenario) {
  static const std::regex kQuantity(R"((^|[^A-Za-z0-9_.])-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?\s*([A-Za-z][A-Za-z0-9/^%*]*))");
  std::map<std::string, DisplayUnit> out;
  std::map<std::string, std::vector<std::string>> files;
  for (const scenarios::Parameter& p : scenario.parameters.parameters) {
    if (p.pos.file.empty() || p.pos.line <= 0) continue;
    auto it = files.find(p.pos.file);
    if (it == files.end()) {
      std::ifstream in(p.pos.file, std::ios::binary);
      std::vector<std::string> lines;
      for (std::string line; std::getline(in, line);) lines.push_back(line);
      it = files.emplace(p.pos.file, std::move(lines)).first;
    }
    const std::vector<std::string>& lines = it->second;
    const size_t first = static_cast<size_t>(p.pos.line - 1);
    const size_t indent = static_cast<size_t>(std::max(p.pos.col - 1, 0));
    for (size_t k = first; k < lines.size(); ++k) {
      std::string text = k == first ? lines[k].substr(std::min(indent, lines[k].size())) : lines[k];
      if (k > first && text.find_first_not_of(" \t") != std::string::npos && text.find_first_not_of(" \t") <= indent) break;
      text = text.substr(0, text.find('#'));  // comments say nothing
      bool found = false;
      for (auto m = std::sregex_iterator(text.begin(), text.end(), kQuantity); m != std::sregex_iterator(); ++m) {
        const std::string unit = (*m)[2].str();
        const auto factor = core::UnitFactor(unit);
        if (factor && *factor > 0) {
          out[p.name] = {unit, *factor};
          found = true;
          break;
        }
      }
      if (found) break;
    }
  }
  return out;
}

std::string Esc(const std::string& text) { return XmlEscape(text); }

std::string Px(double v) {
  std::string s = core::FormatFixed(v, 1);
  if (s == "-0.0") s = "0.0";
  return s;
}

std::string Num(double v, int digits) {
  if (!std::isfinite(v)) return v > 0 ? "inf" : v < 0 ? "-inf" : "nan";
  if (v == 0.0) return "0";
  return core::FormatSignificant(v, digits);
}

Axis Axis::Fit(const std::vector<double>& values, double a, double b, DisplayUnit unit, bool allow_log) {
  Axis axis;
  axis.a = a;
  axis.b = b;
  axis.unit = std::move(unit);
  double lo = INFINITY, hi = -INFINITY;
  for (const double v : values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!(lo <= hi)) lo = 0.0, hi = 1.0;
  axis.log = allow_log && lo > 0.0 && hi / lo >= 100.0;
  if (!axis.log && !(hi > lo)) {
    const double pad = std::abs(lo) > 0 ? std::abs(lo) * 0.1 : 0.5;
    lo -= pad;
    hi += pad;
  }
  axis.lo = lo;
  axis.hi = hi;
  return axis;
}

double Axis::operator()(double v) const {
  if (log) {
    const double l = std::log10(std::max(v, lo)), l0 = std::log10(lo), l1 = std::log10(hi);
    return a + (l - l0) / (l1 - l0) * (b - a);
  }
  return a + (v - lo) / (hi - lo) * (b - a);
}

std::vector<double> Axis::Ticks() const {
  std::vector<double> ticks;
  if (log) {
    for (double d = std::pow(10.0, std::floor(std::log10(lo))); d <= hi * 1.0000001; d *= 10.0) {
      for (const double m : {1.0, 2.0, 5.0}) {
        const double t = d * m;
        // 2 and 5 only when there are few decades
        if (m != 1.0 && hi / lo > 300.0) continue;
        if (t >= lo * 0.9999999 && t <= hi * 1.0000001) ticks.push_back(t);
      }
    }
    return ticks;
  }
  // round steps of the display unit
  const double f = unit.factor > 0 ? unit.factor : 1.0;
  const double ulo = lo / f, uhi = hi / f;
  const double raw = (uhi - ulo) / 5.0;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw) {
      step = m * power;
      break;
    }
  }
  for (double k = std::ceil(ulo / step - 1e-9); k * step <= uhi + 1e-9 * step; k += 1.0) {
    const double t = k * step;
    ticks.push_back((std::abs(t) < 1e-12 * step ? 0.0 : t) * f);
  }
  return ticks;
}

std::string Axis::Label(double v) const { return Num(v / (unit.factor > 0 ? unit.factor : 1.0), 4); }

std::string SvgOpen(double w, double h, const std::string& label, const std::string& attributes) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"" + Px(w) + "\" height=\"" + Px(h) +
         "\" viewBox=\"0 0 " + Px(w) + " " + Px(h) + "\" role=\"img\" aria-label=\"" + Esc(label) + "\"" +
         attributes + ">";
}

std::string Frame(const Axis& x, const Axis& y, const std::string& x_name, const std::string& y_name) {
  std::string s = "<rect x=\"" + Px(x.a) + "\" y=\"" + Px(y.b) + "\" width=\"" + Px(x.b - x.a) + "\" height=\"" +
                  Px(y.a - y.b) + "\" fill=\"none\" stroke=\"#999\"/>";
  std::string grid;
  for (const double t : x.Ticks()) {
    const double px = x(t);
    grid += "M" + Px(px) + " " + Px(y.a) + "v4";
    s += "<text x=\"" + Px(px) + "\" y=\"" + Px(y.a + 14) + "\" font-size=\"10\" text-anchor=\"middle\">" + x.Label(t) +
         "</text>";
  }
  for (const double t : y.Ticks()) {
    const double py = y(t);
    grid += "M" + Px(x.a - 4) + " " + Px(py) + "h4";
    s += "<text x=\"" + Px(x.a - 6) + "\" y=\"" + Px(py + 3) + "\" font-size=\"10\" text-anchor=\"end\">" + y.Label(t) +
         "</text>";
  }
  if (!grid.empty()) s += "<path d=\"" + grid + "\" stroke=\"#999\" fill=\"none\"/>";
  s += "<text x=\"" + Px((x.a + x.b) / 2) + "\" y=\"" + Px(y.a + 28) + "\" font-size=\"11\" text-anchor=\"middle\">" +
       Esc(x_name) + (x.log ? " (log)" : "") + "</text>";
  s += "<text x=\"" + Px(x.a) + "\" y=\"" + Px(y.b - 6) + "\" font-size=\"11\">" + Esc(y_name) + (y.log ? " (log)" : "") +
       "</text>";
  return s;
}

std::string StackBar(size_t passed, size_t failed, size_t invalid, size_t errors, double width) {
  const double total = static_cast<double>(passed + failed + invalid + errors);
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bar\" viewBox=\"0 0 " + Px(width) +
                  " 14\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"passed " + std::to_string(passed) +
                  ", failed " + std::to_string(failed) + ", invalid " + std::to_string(invalid) + ", errors " +
                  std::to_string(errors) + "\">";
  if (total <= 0) return s + "<rect width=\"" + Px(width) + "\" height=\"14\" fill=\"#eee\"/></svg>";
  // failures and errors never shrink below 2% of the bar; the passes give the room
  const std::pair<size_t, const char*> parts[] = {
      {passed, "#43a047"}, {failed, "#e53935"}, {invalid, "#9e9e9e"}, {errors, "#fb8c00"}};
  double widths[4];
  double taken = 0.0;
  for (int k = 1; k < 4; ++k) {
    widths[k] = parts[k].first == 0 ? 0.0 : std::max(width * static_cast<double>(parts[k].first) / total, 0.02 * width);
    taken += widths[k];
  }
  widths[0] = passed == 0 ? 0.0 : std::max(width - taken, 0.0);
  if (passed == 0) {  // scale the others to the full width
    for (int k = 1; k < 4; ++k) widths[k] *= taken > 0 ? width / taken : 0.0;
  }
  double x = 0;
  for (int k = 0; k < 4; ++k) {
    if (parts[k].first == 0) continue;
    s += "<rect x=\"" + Px(x) + "\" width=\"" + Px(widths[k]) + "\" height=\"14\" fill=\"" + parts[k].second + "\"/>";
    x += widths[k];
  }
  return s + "</svg>";
}

std::string Histogram(const std::vector<double>& values, const std::string& label, size_t bins) {
  const double w = 360, h = 180, left = 50, right = 12, top = 22, bottom = 34;
  std::string s = SvgOpen(w, h, "robustness histogram of " + label);
  if (values.empty()) {
    return s + "<text x=\"10\" y=\"20\" font-size=\"12\">" + Esc(label) + ": no finite robustness</text></svg>";
  }
  const Axis x = Axis::Fit(values, left, w - right, {}, false);
  bins = std::max<size_t>(bins, 1);
  std::vector<size_t> counts(bins, 0);
  for (const double v : values) {
    const size_t b = static_cast<size_t>((v - x.lo) / (x.hi - x.lo) * static_cast<double>(bins));
    counts[std::min(b, bins - 1)]++;
  }
  const size_t peak = *std::max_element(counts.begin(), counts.end());
  const Axis y = Axis::Fit({0.0, static_cast<double>(peak)}, h - bottom, top, {}, false);
  s += Frame(x, y, "robustness of " + label, "instances");
  for (size_t b = 0; b < bins; ++b) {
    if (counts[b] == 0) continue;
    const double lo = x.lo + (x.hi - x.lo) * static_cast<double>(b) / static_cast<double>(bins);
    const double hi = x.lo + (x.hi - x.lo) * static_cast<double>(b + 1) / static_cast<double>(bins);
    const double top_px = y(static_cast<double>(counts[b]));
    const char* colour = hi <= 0 ? "#e53935" : lo < 0 ? "#fb8c00" : "#43a047";
    s += "<rect x=\"" + Px(x(lo)) + "\" y=\"" + Px(top_px) + "\" width=\"" + Px(std::max(0.5, x(hi) - x(lo) - 0.5)) +
         "\" height=\"" + Px(y.a - top_px) + "\" fill=\"" + colour + "\"><title>" + Num(lo) + " .. " + Num(hi) + ": " +
         std::to_string(counts[b]) + "</title></rect>";
  }
  if (x.lo < 0 && x.hi > 0) {
    s += "<line x1=\"" + Px(x(0)) + "\" x2=\"" + Px(x(0)) + "\" y1=\"" + Px(y.b) + "\" y2=\"" + Px(y.a) +
         "\" stroke=\"#000\" stroke-dasharray=\"3,2\"/>";
  }
  return s + "</svg>";
}

std::string Scatter(const std::vector<ScatterPoint>& points, const std::string& x_name, DisplayUnit x_unit,
                    const std::string& y_name, DisplayUnit y_unit, size_t max_points) {
  const double w = 320, h = 280, left = 50, right = 12, top = 22, bottom = 36;
  std::vector<const ScatterPoint*> fails, passes;
  std::vector<double> xs, ys;
  for (const ScatterPoint& p : points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    xs.push_back(p.x);
    ys.push_back(p.y);
    (p.failed ? fails : passes).push_back(&p);
  }
  const std::string x_label = x_name + (x_unit.unit.empty() ? "" : " (" + x_unit.unit + ")");
  const std::string y_label = y_name + (y_unit.unit.empty() ? "" : " (" + y_unit.unit + ")");
  std::string s = SvgOpen(w, h, y_label + " against " + x_label);
  if (xs.empty()) return s + "</svg>";
  const Axis x = Axis::Fit(xs, left, w - right, x_unit), y = Axis::Fit(ys, h - bottom, top, y_unit);
  s += Frame(x, y, x_label, y_label);
  // the budget: every failure first, then a stride sample of the rest
  const size_t fail_keep = std::min(fails.size(), max_points);
  const size_t pass_keep = std::min(passes.size(), max_points - fail_keep);
  std::string dots;
  for (size_t k = 0; k < pass_keep; ++k) {
    const ScatterPoint* p = passes[k * passes.size() / pass_keep];
    dots += "M" + Px(x(p->x)) + " " + Px(y(p->y)) + "h0";
  }
  if (!dots.empty())
    s += "<path d=\"" + dots + "\" stroke=\"#5c8fd6\" stroke-width=\"4\" stroke-linecap=\"round\" fill=\"none\"/>";
  std::string crosses;
  for (size_t k = 0; k < fail_keep; ++k) {
    const ScatterPoint* p = fails[k * fails.size() / fail_keep];
    crosses += "M" + Px(x(p->x) - 3) + " " + Px(y(p->y) - 3) + "l6 6m0 -6l-6 6";
  }
  if (!crosses.empty()) s += "<path d=\"" + crosses + "\" stroke=\"#d32f2f\" stroke-width=\"1.6\" fill=\"none\"/>";
  if (fails.size() > fail_keep || passes.size() > pass_keep) {
    s += "<text x=\"" + Px(w - right) + "\" y=\"12\" font-size=\"10\" text-anchor=\"end\">sampled " +
         std::to_string(fail_keep + pass_keep) + " of " + std::to_string(fails.size() + passes.size()) + "</text>";
  }
  return s + "</svg>";
}

namespace {

/// The rows kept for a plot of `v` over `t`: all, or the min and max of each of max_points / 2 buckets.
std::vector<size_t> KeptRows(std::span<const double> t, std::span<const double> v, size_t max_points) {
  std::vector<size_t> keep;
  const size_t buckets = std::max<size_t>(max_points / 2, 1);
  if (t.size() <= max_points) {
    for (size_t i = 0; i < t.size(); ++i) keep.push_back(i);
    return keep;
  }
  for (size_t b = 0; b < buckets; ++b) {
    const size_t lo = b * t.size() / buckets, hi = (b + 1) * t.size() / buckets;
    size_t imin = lo, imax = lo;
    for (size_t i = lo; i < hi; ++i) {
      if (!std::isfinite(v[i])) continue;
      if (!std::isfinite(v[imin]) || v[i] < v[imin]) imin = i;
      if (!std::isfinite(v[imax]) || v[i] > v[imax]) imax = i;
    }
    keep.push_back(std::min(imin, imax));
    if (imin != imax) keep.push_back(std::max(imin, imax));
  }
  return keep;
}

std::string VerticalLine(double x, double y0, double y1, const std::string& style) {
  return "<line x1=\"" + Px(x) + "\" x2=\"" + Px(x) + "\" y1=\"" + Px(y0) + "\" y2=\"" + Px(y1) + "\" " + style + "/>";
}

}  // namespace

std::string SignalPlot(const core::Trace& trace, const std::string& signal, std::optional<double> threshold,
                       std::optional<double> violation_time_s, size_t max_points, bool cursor) {
  const double w = 640, h = 240, left = 56, right = 12, top = 22, bottom = 34;
  const auto col = trace.Find(signal);
  if (!col || trace.empty()) {
    return SvgOpen(w, 40, signal) + "<text x=\"10\" y=\"20\" font-size=\"12\">signal " + Esc(signal) +
           " is not in the trace</text></svg>";
  }
  const auto t = trace.time();
  const auto v = trace.column(*col);
  const std::vector<size_t> keep = KeptRows(t, v, max_points);
  std::vector<double> values;
  for (const size_t i : keep) values.push_back(v[i]);
  if (threshold) values.push_back(*threshold);
  if (std::none_of(values.begin(), values.end(), [](double x) { return std::isfinite(x); })) {
    return SvgOpen(w, 40, signal) + "<text x=\"10\" y=\"20\" font-size=\"12\">no finite samples</text></svg>";
  }
  const Axis x = Axis::Fit({t.front(), t.back()}, left, w - right, {"s", 1.0}, false);
  const Axis y = Axis::Fit(values, h - bottom, top, {}, false);
  std::string s = SvgOpen(w, h, signal + " over time",
                          cursor ? " data-t=\"" + core::FormatDouble(x.lo) + " " + core::FormatDouble(x.hi) + " " +
                                       Px(x.a) + " " + Px(x.b) + "\""
                                 : "");
  s += Frame(x, y, "time (s)", signal);
  std::string d;
  bool pen_down = false;
  for (const size_t i : keep) {
    if (!std::isfinite(v[i])) {
      pen_down = false;
      continue;
    }
    d += (pen_down ? "L" : "M") + Px(x(t[i])) + " " + Px(y(v[i]));
    pen_down = true;
  }
  s += "<path d=\"" + d + "\" stroke=\"#1565c0\" stroke-width=\"1.5\" fill=\"none\"/>";
  if (threshold) {
    s += "<line x1=\"" + Px(x.a) + "\" x2=\"" + Px(x.b) + "\" y1=\"" + Px(y(*threshold)) + "\" y2=\"" +
         Px(y(*threshold)) + "\" stroke=\"#d32f2f\" stroke-dasharray=\"6,3\"/>";
    s += "<text x=\"" + Px(x.b - 4) + "\" y=\"" + Px(y(*threshold) - 4) +
         "\" font-size=\"10\" text-anchor=\"end\" fill=\"#d32f2f\">threshold " + Num(*threshold) + "</text>";
  }
  if (violation_time_s && *violation_time_s >= x.lo && *violation_time_s <= x.hi) {
    const double vx = x(*violation_time_s);
    s += VerticalLine(vx, y.b, y.a, "stroke=\"#000\" stroke-dasharray=\"2,2\"");
    // the label on the side with room
    const bool right_half = vx > (x.a + x.b) / 2;
    s += "<text x=\"" + Px(vx + (right_half ? -3 : 3)) + "\" y=\"" + Px(y.b + 10) + "\" font-size=\"10\"" +
         (right_half ? " text-anchor=\"end\"" : "") + ">first violation, t = " + Num(*violation_time_s) + " s</text>";
  }
  if (cursor) s += VerticalLine(x.a, y.b, y.a, "class=\"cursor\" stroke=\"#ef6c00\" stroke-width=\"2\" visibility=\"hidden\"");
  return s + "</svg>";
}

std::string SearchPlot(const std::vector<double>& objective, std::optional<size_t> shrink_from, const std::string& label) {
  const double w = 480, h = 230, left = 56, right = 12, top = 22, bottom = 34;
  std::string s = SvgOpen(w, h, label);
  std::vector<double> finite;
  for (const double v : objective)
    if (std::isfinite(v)) finite.push_back(v);
  if (finite.empty()) return s + "<text x=\"10\" y=\"20\" font-size=\"12\">no completed simulation</text></svg>";
  finite.push_back(0.0);
  const Axis x = Axis::Fit({1.0, static_cast<double>(std::max<size_t>(objective.size(), 2))}, left, w - right, {}, false);
  const Axis y = Axis::Fit(finite, h - bottom, top, {}, false);
  s += Frame(x, y, "simulations", "lowest gating robustness");
  s += "<line x1=\"" + Px(x.a) + "\" x2=\"" + Px(x.b) + "\" y1=\"" + Px(y(0)) + "\" y2=\"" + Px(y(0)) +
       "\" stroke=\"#000\" stroke-dasharray=\"3,2\"/>";
  if (shrink_from && *shrink_from < objective.size()) {
    const double sx = x(static_cast<double>(*shrink_from) + 0.5);
    s += "<rect x=\"" + Px(sx) + "\" y=\"" + Px(y.b) + "\" width=\"" + Px(x.b - sx) + "\" height=\"" + Px(y.a - y.b) +
         "\" fill=\"#fff3e0\"/><text x=\"" + Px(sx + 3) + "\" y=\"" + Px(y.b + 11) + "\" font-size=\"10\">shrinking</text>";
  }
  std::string dots, best;
  double running = INFINITY;
  for (size_t k = 0; k < objective.size(); ++k) {
    if (!std::isfinite(objective[k])) continue;
    const double px = x(static_cast<double>(k + 1));
    dots += "M" + Px(px) + " " + Px(y(objective[k])) + "h0";
    if (objective[k] < running) {
      best += (best.empty() ? "M" : "L") + Px(px) + " " + Px(y(running == INFINITY ? objective[k] : running)) + "L" +
              Px(px) + " " + Px(y(objective[k]));
      running = objective[k];
    }
  }
  best += "L" + Px(x.b) + " " + Px(y(running));
  s += "<path d=\"" + dots + "\" stroke=\"#5c8fd6\" stroke-width=\"4\" stroke-linecap=\"round\" fill=\"none\"/>";
  s += "<path d=\"" + best + "\" stroke=\"#c62828\" stroke-width=\"1.5\" fill=\"none\"/>";
  return s + "</svg>";
}

std::string RatePlot(const std::vector<std::optional<RatePoint>>& points, const std::vector<std::string>& run_labels,
                     const std::string& label) {
  const double w = 420, h = 210, left = 50, right = 14, top = 22, bottom = 40;
  std::string s = SvgOpen(w, h, label);
  std::vector<double> ys = {0.0};
  for (const auto& p : points) {
    if (!p) continue;
    ys.push_back(p->rate);
    if (std::isfinite(p->hi)) ys.push_back(p->hi);
  }
  const double n = static_cast<double>(std::max<size_t>(points.size(), 1));
  Axis x;
  x.lo = 0.5, x.hi = n + 0.5, x.a = left, x.b = w - right;
  const Axis y = Axis::Fit(ys, h - bottom, top, {"%", 0.01}, false);
  s += "<rect x=\"" + Px(x.a) + "\" y=\"" + Px(y.b) + "\" width=\"" + Px(x.b - x.a) + "\" height=\"" + Px(y.a - y.b) +
       "\" fill=\"none\" stroke=\"#999\"/>";
  for (const double t : y.Ticks()) {
    s += "<text x=\"" + Px(x.a - 6) + "\" y=\"" + Px(y(t) + 3) + "\" font-size=\"10\" text-anchor=\"end\">" + y.Label(t) +
         "</text><path d=\"M" + Px(x.a) + " " + Px(y(t)) + "H" + Px(x.b) + "\" stroke=\"#eee\"/>";
  }
  // at most ~12 run labels under the axis
  const size_t stride = std::max<size_t>(1, (points.size() + 11) / 12);
  std::string line;
  for (size_t k = 0; k < points.size(); ++k) {
    const double px = x(static_cast<double>(k + 1));
    if (k % stride == 0 && k < run_labels.size()) {
      s += "<text x=\"" + Px(px) + "\" y=\"" + Px(y.a + 13) + "\" font-size=\"9\" text-anchor=\"middle\">" +
           Esc(run_labels[k].substr(0, 10)) + "</text>";
    }
    const auto& p = points[k];
    if (!p) continue;
    if (std::isfinite(p->lo) && std::isfinite(p->hi)) {
      s += "<path d=\"M" + Px(px) + " " + Px(y(p->lo)) + "V" + Px(y(p->hi)) + "M" + Px(px - 3) + " " + Px(y(p->lo)) +
           "h6M" + Px(px - 3) + " " + Px(y(p->hi)) + "h6\" stroke=\"#888\" fill=\"none\"/>";
    }
    line += (line.empty() ? "M" : "L") + Px(px) + " " + Px(y(p->rate));
    s += "<circle cx=\"" + Px(px) + "\" cy=\"" + Px(y(p->rate)) + "\" r=\"3\" fill=\"" +
         (p->rate > 0 ? "#c62828" : "#2e7d32") + "\"><title>" + Num(100.0 * p->rate, 3) + "% [" + Num(100.0 * p->lo, 3) +
         ", " + Num(100.0 * p->hi, 3) + "]</title></circle>";
  }
  if (!line.empty()) s += "<path d=\"" + line + "\" stroke=\"#c62828\" stroke-opacity=\"0.5\" fill=\"none\"/>";
  s += "<text x=\"" + Px((x.a + x.b) / 2) + "\" y=\"" + Px(y.a + 30) + "\" font-size=\"11\" text-anchor=\"middle\">run</text>";
  s += "<text x=\"" + Px(x.a) + "\" y=\"" + Px(y.b - 6) + "\" font-size=\"11\">failure rate (%), 95% interval</text>";
  return s + "</svg>";
}

}  // namespace gauntlet::reports::html
