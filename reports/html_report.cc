#include "reports/html_report.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <set>

#include "core/error.h"
#include "core/format.h"
#include "reports/top_view.h"
#include "scenarios/replay.h"

namespace gauntlet::reports {

namespace {

using scenarios::InstanceResult;
using scenarios::InstanceStatus;

constexpr const char* kStyle = R"css(
body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ccc}
h3{font-size:15px;margin:18px 0 6px}
.verdict{font-size:20px;font-weight:bold;padding:10px 14px;border-radius:4px;display:inline-block;color:#fff}
.PASSED{background:#2e7d32}.FAILED{background:#c62828}.ERROR{background:#ef6c00}
table{border-collapse:collapse;margin:6px 0;font-size:13px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}th{background:#f3f3f3}
td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f6f6;padding:6px 8px;overflow-x:auto;font-size:12px}
.fail{color:#c62828;font-weight:bold}.pass{color:#2e7d32}
.plots svg{margin:0 12px 12px 0;vertical-align:top}
.small{font-size:12px;color:#555}
)css";

std::string Esc(const std::string& s) { return XmlEscape(s); }
/// A figure for people: 6 significant digits.
std::string Num(double v) { return core::FormatSignificant(v, 6); }
/// A number in pixel units: one decimal.
std::string Px(double v) { return core::FormatFixed(v, 1); }
/// A short number for axis labels.
std::string Tick(double v) { return core::FormatSignificant(v, 4); }
std::string Percent(double rate) { return core::FormatFixed(100.0 * rate, 1) + "%"; }

/// A linear map from [lo, hi] to [a, b]; a degenerate range is widened.
struct Scale {
  double lo, hi, a, b;
  Scale(double lo_in, double hi_in, double a_in, double b_in) : lo(lo_in), hi(hi_in), a(a_in), b(b_in) {
    if (!(hi > lo)) {
      const double pad = std::abs(lo) > 0 ? std::abs(lo) * 0.1 : 0.5;
      lo -= pad;
      hi += pad;
    }
  }
  double operator()(double v) const { return a + (v - lo) / (hi - lo) * (b - a); }
};

/// The frame of a plot: axes, tick labels at both ends, axis names.
std::string Axes(const Scale& x, const Scale& y, const std::string& x_name, const std::string& y_name) {
  std::string s;
  s += "<rect x=\"" + Px(x.a) + "\" y=\"" + Px(y.b) + "\" width=\"" + Px(x.b - x.a) + "\" height=\"" + Px(y.a - y.b) +
       "\" fill=\"none\" stroke=\"#999\"/>";
  s += "<text x=\"" + Px(x.a) + "\" y=\"" + Px(y.a + 14) + "\" font-size=\"10\">" + Tick(x.lo) + "</text>";
  s += "<text x=\"" + Px(x.b) + "\" y=\"" + Px(y.a + 14) + "\" font-size=\"10\" text-anchor=\"end\">" + Tick(x.hi) +
       "</text>";
  s += "<text x=\"" + Px((x.a + x.b) / 2) + "\" y=\"" + Px(y.a + 26) + "\" font-size=\"11\" text-anchor=\"middle\">" +
       Esc(x_name) + "</text>";
  s += "<text x=\"" + Px(x.a - 4) + "\" y=\"" + Px(y.a) + "\" font-size=\"10\" text-anchor=\"end\">" + Tick(y.lo) +
       "</text>";
  s += "<text x=\"" + Px(x.a - 4) + "\" y=\"" + Px(y.b + 8) + "\" font-size=\"10\" text-anchor=\"end\">" + Tick(y.hi) +
       "</text>";
  s += "<text x=\"" + Px(x.a) + "\" y=\"" + Px(y.b - 6) + "\" font-size=\"11\">" + Esc(y_name) + "</text>";
  return s;
}

std::string SvgOpen(double w, double h, const std::string& label) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Px(w) + "\" height=\"" + Px(h) + "\" viewBox=\"0 0 " +
         Px(w) + " " + Px(h) + "\" role=\"img\" aria-label=\"" + Esc(label) + "\">";
}

/// A horizontal stacked bar: passed, failed, invalid, errors.
std::string StackBar(size_t passed, size_t failed, size_t invalid, size_t errors, double width = 240) {
  const double total = static_cast<double>(passed + failed + invalid + errors);
  std::string s = SvgOpen(width, 14, "passed " + std::to_string(passed) + ", failed " + std::to_string(failed));
  if (total <= 0) return s + "<rect width=\"" + Px(width) + "\" height=\"14\" fill=\"#eee\"/></svg>";
  double x = 0;
  const std::pair<size_t, const char*> parts[] = {
      {passed, "#43a047"}, {failed, "#e53935"}, {invalid, "#9e9e9e"}, {errors, "#fb8c00"}};
  for (const auto& [n, colour] : parts) {
    if (n == 0) continue;
    const double w = width * static_cast<double>(n) / total;
    s += "<rect x=\"" + Px(x) + "\" width=\"" + Px(w) + "\" height=\"14\" fill=\"" + colour + "\"/>";
    x += w;
  }
  return s + "</svg>";
}

const scenarios::RequirementOutcome* FindRequirement(const InstanceResult& r, const std::string& name) {
  for (const auto& q : r.requirements)
    if (q.name == name) return &q;
  return nullptr;
}

/// A histogram of the robustness of one requirement over completed instances.
std::string Histogram(const std::vector<double>& values, const std::string& label, size_t bins) {
  const double w = 360, h = 170, left = 46, right = 10, top = 22, bottom = 32;
  std::string s = SvgOpen(w, h, "robustness histogram of " + label);
  if (values.empty()) {
    return s + "<text x=\"10\" y=\"20\" font-size=\"12\">" + Esc(label) + ": no finite robustness</text></svg>";
  }
  const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
  const Scale x(*mn, *mx, left, w - right);
  bins = std::max<size_t>(bins, 1);
  std::vector<size_t> counts(bins, 0);
  for (const double v : values) {
    size_t b = static_cast<size_t>((v - x.lo) / (x.hi - x.lo) * static_cast<double>(bins));
    counts[std::min(b, bins - 1)]++;
  }
  const size_t peak = *std::max_element(counts.begin(), counts.end());
  const Scale y(0, static_cast<double>(peak), h - bottom, top);
  s += Axes(x, y, "robustness of " + label, "instances");
  for (size_t b = 0; b < bins; ++b) {
    if (counts[b] == 0) continue;
    const double lo = x.lo + (x.hi - x.lo) * static_cast<double>(b) / static_cast<double>(bins);
    const double hi = x.lo + (x.hi - x.lo) * static_cast<double>(b + 1) / static_cast<double>(bins);
    const double top_px = y(static_cast<double>(counts[b]));
    const char* colour = hi <= 0 ? "#e53935" : lo < 0 ? "#fb8c00" : "#43a047";
    s += "<rect x=\"" + Px(x(lo)) + "\" y=\"" + Px(top_px) + "\" width=\"" + Px(std::max(0.5, x(hi) - x(lo) - 0.5)) +
         "\" height=\"" + Px(y.a - top_px) + "\" fill=\"" + colour + "\"><title>" + Tick(lo) + " .. " + Tick(hi) + ": " +
         std::to_string(counts[b]) + "</title></rect>";
  }
  if (x.lo < 0 && x.hi > 0) {
    s += "<line x1=\"" + Px(x(0)) + "\" x2=\"" + Px(x(0)) + "\" y1=\"" + Px(y.b) + "\" y2=\"" + Px(y.a) +
         "\" stroke=\"#000\" stroke-dasharray=\"3,2\"/>";
  }
  return s + "</svg>";
}

/// A scatter plot of two parameters; failures as red crosses on top.
std::string Scatter(const std::vector<const InstanceResult*>& instances, size_t px, size_t py, const std::string& x_name,
                    const std::string& y_name, size_t max_points) {
  const double w = 300, h = 260, left = 46, right = 10, top = 22, bottom = 32;
  std::vector<const InstanceResult*> fails, passes;
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (const InstanceResult* r : instances) {
    const double xv = r->parameters[px].second, yv = r->parameters[py].second;
    if (!std::isfinite(xv) || !std::isfinite(yv)) continue;
    xlo = std::min(xlo, xv), xhi = std::max(xhi, xv), ylo = std::min(ylo, yv), yhi = std::max(yhi, yv);
    (r->Failed() || r->status == InstanceStatus::kError ? fails : passes).push_back(r);
  }
  std::string s = SvgOpen(w, h, y_name + " against " + x_name);
  if (fails.empty() && passes.empty()) return s + "</svg>";
  const Scale x(xlo, xhi, left, w - right), y(ylo, yhi, h - bottom, top);
  s += Axes(x, y, x_name, y_name);
  // the budget: every failure first, then a stride sample of the rest
  const size_t fail_keep = std::min(fails.size(), max_points);
  const size_t pass_keep = std::min(passes.size(), max_points - fail_keep);
  std::string dots;
  for (size_t k = 0; k < pass_keep; ++k) {
    const InstanceResult* r = passes[k * passes.size() / pass_keep];
    dots += "M" + Px(x(r->parameters[px].second)) + " " + Px(y(r->parameters[py].second)) + "h0";
  }
  if (!dots.empty())
    s += "<path d=\"" + dots + "\" stroke=\"#5c8fd6\" stroke-width=\"4\" stroke-linecap=\"round\" fill=\"none\"/>";
  std::string crosses;
  for (size_t k = 0; k < fail_keep; ++k) {
    const InstanceResult* r = fails[k * fails.size() / fail_keep];
    const double cx = x(r->parameters[px].second), cy = y(r->parameters[py].second);
    crosses += "M" + Px(cx - 3) + " " + Px(cy - 3) + "l6 6m0 -6l-6 6";
  }
  if (!crosses.empty()) s += "<path d=\"" + crosses + "\" stroke=\"#d32f2f\" stroke-width=\"1.6\" fill=\"none\"/>";
  if (fails.size() > fail_keep || passes.size() > pass_keep) {
    s += "<text x=\"" + Px(w - right) + "\" y=\"12\" font-size=\"10\" text-anchor=\"end\">sampled " +
         std::to_string(fail_keep + pass_keep) + " of " + std::to_string(fails.size() + passes.size()) + "</text>";
  }
  return s + "</svg>";
}

/// A signal over time, reduced to min/max per bucket, with its threshold and the first violation.
std::string SignalPlot(const core::Trace& trace, const std::string& signal, std::optional<double> threshold,
                       std::optional<double> violation_time_s, size_t max_points) {
  const double w = 640, h = 240, left = 56, right = 12, top = 22, bottom = 32;
  std::string s = SvgOpen(w, h, signal + " over time");
  const auto col = trace.Find(signal);
  if (!col || trace.empty()) {
    return s + "<text x=\"10\" y=\"20\" font-size=\"12\">signal " + Esc(signal) + " is not in the trace</text></svg>";
  }
  const auto t = trace.time();
  const auto v = trace.column(*col);
  // the kept rows
  std::vector<size_t> keep;
  const size_t buckets = std::max<size_t>(max_points / 2, 1);
  if (t.size() <= max_points) {
    for (size_t i = 0; i < t.size(); ++i) keep.push_back(i);
  } else {
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
  }
  double vlo = INFINITY, vhi = -INFINITY;
  for (const size_t i : keep)
    if (std::isfinite(v[i])) vlo = std::min(vlo, v[i]), vhi = std::max(vhi, v[i]);
  if (threshold) vlo = std::min(vlo, *threshold), vhi = std::max(vhi, *threshold);
  if (!std::isfinite(vlo)) return s + "<text x=\"10\" y=\"20\" font-size=\"12\">no finite samples</text></svg>";
  const Scale x(t.front(), t.back(), left, w - right), y(vlo, vhi, h - bottom, top);
  s += Axes(x, y, "time (s)", signal);
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
         "\" font-size=\"10\" text-anchor=\"end\" fill=\"#d32f2f\">threshold " + Tick(*threshold) + "</text>";
  }
  if (violation_time_s && *violation_time_s >= x.lo && *violation_time_s <= x.hi) {
    s += "<line x1=\"" + Px(x(*violation_time_s)) + "\" x2=\"" + Px(x(*violation_time_s)) + "\" y1=\"" + Px(y.b) +
         "\" y2=\"" + Px(y.a) + "\" stroke=\"#000\" stroke-dasharray=\"2,2\"/>";
    // the label on the side with room
    const bool right_half = x(*violation_time_s) > (x.a + x.b) / 2;
    s += "<text x=\"" + Px(x(*violation_time_s) + (right_half ? -3 : 3)) + "\" y=\"" + Px(y.b + 10) +
         "\" font-size=\"10\"" + (right_half ? " text-anchor=\"end\"" : "") + ">first violation, t = " +
         Tick(*violation_time_s) + " s</text>";
  }
  return s + "</svg>";
}

/// The top-view SVG without an XML declaration or doctype, so it can sit inside the page.
std::string InlineSvg(const std::string& svg) {
  const size_t start = svg.find("<svg");
  return start == std::string::npos ? std::string() : svg.substr(start);
}

std::string VerdictOf(const InstanceResult& r) {
  if (r.status == InstanceStatus::kError) return "error";
  if (r.status == InstanceStatus::kInvalid) return "invalid";
  return r.Failed() ? "failed" : "passed";
}

double WorstGating(const InstanceResult& r) {
  double worst = INFINITY;
  for (const auto& q : r.requirements)
    if (q.gating && !q.satisfied) worst = std::min(worst, q.robustness);
  return worst;
}

}  // namespace

std::optional<SignalThreshold> SignalThresholdOf(const std::string& formula) {
  static const std::regex kLeft(R"(([A-Za-z_][A-Za-z0-9_.]*)\s*(>=|<=|>|<)\s*(-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?))");
  static const std::regex kRight(R"((-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)\s*(>=|<=|>|<)\s*([A-Za-z_][A-Za-z0-9_.]*))");
  std::smatch left, right;
  const bool has_left = std::regex_search(formula, left, kLeft);
  const bool has_right = std::regex_search(formula, right, kRight);
  if (has_left && (!has_right || left.position(0) <= right.position(0))) {
    return SignalThreshold{left[1].str(), std::stod(left[3].str()), left[2].str()};
  }
  if (has_right) {
    // "2 < lead.gap" is "lead.gap > 2"
    const std::string op = right[2].str();
    const std::string flipped = op == "<" ? ">" : op == "<=" ? ">=" : op == ">" ? "<" : "<=";
    return SignalThreshold{right[3].str(), std::stod(right[1].str()), flipped};
  }
  return std::nullopt;
}

std::vector<InstanceResult> ReadResultsFile(const std::string& results_jsonl) {
  std::ifstream in(results_jsonl, std::ios::binary);
  if (!in) throw core::InfrastructureError("cannot read " + results_jsonl);
  std::vector<InstanceResult> out;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    out.push_back(scenarios::FromJsonLine(line, results_jsonl + ":" + std::to_string(line_no)));
    out.back().plan_index = out.size() - 1;
  }
  return out;
}

std::vector<size_t> WorstInstances(const std::vector<InstanceResult>& results, size_t count) {
  std::vector<size_t> failed;
  for (size_t i = 0; i < results.size(); ++i)
    if (results[i].Failed()) failed.push_back(i);
  std::stable_sort(failed.begin(), failed.end(),
                   [&](size_t a, size_t b) { return WorstGating(results[a]) < WorstGating(results[b]); });
  if (failed.size() > count) failed.resize(count);
  return failed;
}

HtmlCase MakeHtmlCase(const scenarios::Suite& suite, scenarios::Replay replay, const std::string& out_dir) {
  HtmlCase c;
  c.result = std::move(replay.result);
  c.trace = std::move(replay.trace);
  const InstanceResult& result = c.result;
  const scenarios::Family& family = scenarios::FamilyOf(suite, result);
  const scenarios::Scenario& scenario = *family.scenario;
  const std::vector<double> values = scenarios::RecordedValues(family, result, {suite.path, 0, 0});

  // the worst gating requirement (the violated one with the lowest robustness)
  const scenarios::RequirementOutcome* worst = nullptr;
  for (const auto& q : c.result.requirements) {
    if (!q.gating) continue;
    if (worst == nullptr || q.robustness < worst->robustness) worst = &q;
  }
  if (worst != nullptr) {
    c.requirement = worst->name;
    for (const auto& req : scenario.requirements)
      if (req.spec.name == worst->name) c.formula = req.spec.formula;
  }
  // the top view at the first violation
  const sim::WorldSpec world = scenario.Resolve(values).world;
  std::vector<core::FieldError> errors;
  const sim::RoadNetwork network = sim::RoadNetwork::Build(world.road, &errors);
  if (errors.empty()) {
    TopViewOptions options;
    options.title = result.family + " #" + std::to_string(result.index);
    options.subtitle = result.id;
    if (worst != nullptr) {
      options.highlight_time_s = worst->first_violation_time_s ? *worst->first_violation_time_s : worst->min_robustness_time_s;
      options.highlight_label = worst->first_violation_time_s ? "first violation of " + worst->name : "worst robustness";
    }
    options.width_px = 760;
    c.top_view_svg = RenderTopViewSvg(network, c.trace, TopViewActorsOf(world), options);
  }
  // single quotes around the id, with embedded quotes closed and escaped for POSIX shells
  std::string quoted = "'";
  for (const char ch : result.id) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  quoted += "'";
  c.replay_command = "gauntlet replay " + out_dir + " --case " + quoted + " --trace trace.csv";
  return c;
}

std::string RenderHtmlReport(const RunSummary& summary, const std::vector<InstanceResult>& results,
                             const std::vector<HtmlCase>& cases, const HtmlReportOptions& options) {
  std::string h;
  const std::string title = options.title.empty() ? "gauntlet: " + summary.info.suite_name : options.title;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>" + Esc(title) + "</title><style>" +
       kStyle + "</style></head><body>\n";

  // the verdict first
  const std::string verdict = summary.Verdict();
  h += "<h1>" + Esc(title) + "</h1>\n<p><span class=\"verdict " + verdict + "\">" + verdict + "</span> &#160; " +
       std::to_string(summary.instances) + " instances: " + std::to_string(summary.passed) + " passed, " +
       std::to_string(summary.failed) + " failed, " + std::to_string(summary.invalid) + " invalid, " +
       std::to_string(summary.errors) + " errors" + (summary.info.complete ? "" : " (interrupted: partial)") + "</p>\n";
  h += "<p>" + StackBar(summary.passed, summary.failed, summary.invalid, summary.errors, 480) + "</p>\n";
  h += "<table><tr><th>suite</th><td>" + Esc(summary.info.suite_name) + " (" + Esc(summary.info.suite_path) +
       ")</td></tr><tr><th>seed</th><td>" + std::to_string(summary.info.seed) + "</td></tr>";
  for (const auto& [slot, source] : summary.info.models)
    h += "<tr><th>model " + Esc(slot) + "</th><td>" + Esc(source) + "</td></tr>";
  h += "</table>\n";

  // the families
  std::map<std::string, std::vector<const InstanceResult*>> by_family;
  for (const InstanceResult& r : results) by_family[r.family].push_back(&r);
  for (const FamilySummary& f : summary.families) {
    const std::vector<const InstanceResult*>& members = by_family[f.family];
    h += "<h2>" + Esc(f.family) + "</h2>\n<p>" + std::to_string(f.instances) + " instances: " +
         std::to_string(f.passed) + " passed, " + std::to_string(f.failed) + " failed, " + std::to_string(f.invalid) +
         " invalid, " + std::to_string(f.errors) + " errors " + StackBar(f.passed, f.failed, f.invalid, f.errors) +
         "</p>\n";
    for (const std::string& e : f.first_errors) h += "<pre>" + Esc(e) + "</pre>\n";
    h += "<table><tr><th>requirement</th><th>evaluated</th><th>passed</th><th>failed</th><th>pass/fail</th>"
         "<th>failure rate (95% CI)</th><th>worst robustness</th><th>worst instance</th></tr>\n";
    for (const RequirementSummary& q : f.requirements) {
      h += "<tr><td>" + Esc(q.name) + (q.gating ? "" : " <span class=\"small\">(advisory)</span>") + "</td><td class=\"n\">" +
           std::to_string(q.evaluated) + "</td><td class=\"n\">" + std::to_string(q.passed) + "</td><td class=\"n" +
           (q.failed > 0 && q.gating ? " fail" : "") + "\">" + std::to_string(q.failed) + "</td><td>" +
           StackBar(q.passed, q.failed, 0, 0, 160) + "</td><td>" + Percent(q.failure_rate_lo) + " .. " +
           Percent(q.failure_rate_hi) + "</td><td class=\"n\">" + Num(q.worst_robustness) + "</td><td>" +
           Esc(q.worst_instance) + "</td></tr>\n";
    }
    h += "</table>\n";

    // robustness histograms
    h += "<h3>robustness at time 0</h3>\n<div class=\"plots\">";
    for (const RequirementSummary& q : f.requirements) {
      std::vector<double> values;
      for (const InstanceResult* r : members) {
        if (r->status != InstanceStatus::kCompleted) continue;
        if (const auto* o = FindRequirement(*r, q.name); o != nullptr && std::isfinite(o->robustness))
          values.push_back(o->robustness);
      }
      h += Histogram(values, q.name, options.histogram_bins);
    }
    h += "</div>\n";

    // the parameter space
    std::vector<const InstanceResult*> plotted;
    for (const InstanceResult* r : members)
      if (r->status != InstanceStatus::kInvalid && !r->parameters.empty()) plotted.push_back(r);
    if (!plotted.empty()) {
      const size_t n_params = plotted.front()->parameters.size();
      std::vector<std::pair<size_t, size_t>> pairs;
      for (size_t a = 0; a < n_params && pairs.size() < options.max_scatter_pairs; ++a)
        for (size_t b = a + 1; b < n_params && pairs.size() < options.max_scatter_pairs; ++b) pairs.push_back({a, b});
      if (!pairs.empty()) {
        h += "<h3>parameter space <span class=\"small\">(blue: passed, red crosses: failed or error; invalid "
             "instances left out)</span></h3>\n<div class=\"plots\">";
        std::vector<const InstanceResult*> same_shape;
        for (const InstanceResult* r : plotted)
          if (r->parameters.size() == n_params) same_shape.push_back(r);
        for (const auto& [a, b] : pairs) {
          h += Scatter(same_shape, a, b, plotted.front()->parameters[a].first, plotted.front()->parameters[b].first,
                       options.max_scatter_points);
        }
        h += "</div>\n";
      }
    }

    // failing instances
    std::vector<const InstanceResult*> failing;
    for (const InstanceResult* r : members)
      if (r->Failed() || r->status == InstanceStatus::kError) failing.push_back(r);
    if (!failing.empty()) {
      h += "<h3>failing instances (" + std::to_string(failing.size()) + ")</h3>\n<table><tr><th>instance</th>"
           "<th>verdict</th><th>violated</th><th>first violation (s)</th></tr>\n";
      for (size_t k = 0; k < failing.size() && k < options.max_failure_rows; ++k) {
        const InstanceResult& r = *failing[k];
        std::string violated, when;
        for (const auto& q : r.requirements) {
          if (q.satisfied || !q.gating) continue;
          violated += (violated.empty() ? "" : ", ") + q.name + " (" + Num(q.robustness) + ")";
          if (when.empty() && q.first_violation_time_s) when = Tick(*q.first_violation_time_s);
        }
        if (r.status == InstanceStatus::kError) violated = "error: " + r.error;
        h += "<tr><td>" + Esc(r.id) + "</td><td class=\"fail\">" + VerdictOf(r) + "</td><td>" + Esc(violated) +
             "</td><td class=\"n\">" + when + "</td></tr>\n";
      }
      h += "</table>\n";
      if (failing.size() > options.max_failure_rows)
        h += "<p class=\"small\">... and " + std::to_string(failing.size() - options.max_failure_rows) + " more</p>\n";
    }
  }

  // the worst instances in detail
  if (!cases.empty()) h += "<h2>worst instances</h2>\n";
  for (const HtmlCase& c : cases) {
    h += "<h3>" + Esc(c.result.id) + " <span class=\"" + (c.result.Failed() ? "fail" : "pass") + "\">" +
         VerdictOf(c.result) + "</span></h3>\n";
    h += "<pre>" + Esc(c.replay_command) + "</pre>\n";
    const scenarios::RequirementOutcome* q = c.requirement.empty() ? nullptr : FindRequirement(c.result, c.requirement);
    if (q != nullptr) {
      h += "<p>" + Esc(c.requirement) + ": <code>" + Esc(c.formula) + "</code>, robustness " + Num(q->robustness) +
           (q->first_violation_time_s ? ", first violated at t = " + Tick(*q->first_violation_time_s) + " s" : "") +
           "</p>\n";
    }
    h += "<div class=\"plots\">";
    if (!c.top_view_svg.empty()) h += InlineSvg(c.top_view_svg);
    // the violated signal against its threshold
    std::optional<SignalThreshold> st = SignalThresholdOf(c.formula);
    std::string signal;
    std::optional<double> threshold;
    if (st && c.trace.Find(st->signal)) {
      signal = st->signal;
      threshold = st->threshold;
    } else {
      static const std::regex kName(R"([A-Za-z_][A-Za-z0-9_.]*)");
      for (auto it = std::sregex_iterator(c.formula.begin(), c.formula.end(), kName); it != std::sregex_iterator(); ++it)
        if (c.trace.Find(it->str())) {
          signal = it->str();
          break;
        }
    }
    if (!signal.empty()) {
      h += SignalPlot(c.trace, signal, threshold, q ? q->first_violation_time_s : std::nullopt, options.trace_points);
    }
    h += "</div>\n";
  }
  h += "<p class=\"small\">generated by gauntlet; no scripts, no external resources</p>\n</body></html>\n";
  return h;
}

}  // namespace gauntlet::reports
