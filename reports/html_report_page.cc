// The pages: report.html (RenderHtmlReport) and the replay page (RenderReplayPage), with the replay
// widget they share and its small inline script.

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <regex>
#include <set>

#include "core/format.h"
#include "reports/html_report.h"
#include "reports/html_report_plots.h"

namespace gauntlet::reports {

namespace {

using html::Esc;
using html::Num;
using scenarios::InstanceResult;
using scenarios::InstanceStatus;

constexpr const char* kStyle = R"css(
*{box-sizing:border-box}[hidden]{display:none!important}
body{font-family:sans-serif;margin:0 auto;padding:12px 16px;color:#222;max-width:1400px;line-height:1.35}
h1{font-size:22px;margin:0 0 8px;overflow-wrap:anywhere}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ccc}
h3{font-size:15px;margin:18px 0 6px}h4{font-size:14px;margin:14px 0 4px;overflow-wrap:anywhere}
a{color:#1565c0}
.verdict{font-size:20px;font-weight:bold;padding:6px 12px;border-radius:4px;display:inline-block;color:#fff}
.PASSED{background:#2e7d32}.FAILED{background:#c62828}.ERROR{background:#ef6c00}
.summary{display:flex;flex-wrap:wrap;align-items:center;gap:6px 14px}
svg.bar{display:block;width:100%;max-width:480px;height:14px}
td svg.bar{width:160px;max-width:100%}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:6px 0;font-size:13px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}
td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f6f6;padding:6px 8px;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}
.fail{color:#c62828;font-weight:bold}.pass{color:#2e7d32}
.plots,.figs{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
svg.plot,.figs svg{max-width:100%;height:auto}
.small{font-size:12px;color:#555}
nav.toc{background:#fafafa;border:1px solid #e3e3e3;padding:6px 12px;font-size:13px}
nav.toc ul{margin:2px 0;padding-left:18px}
.replay{border-top:1px dashed #ccc;margin-top:14px}
.controls{display:flex;align-items:center;gap:8px;margin:6px 0;flex-wrap:wrap}
.controls input{flex:1 1 200px;min-width:120px}
@media (max-width:600px){body{padding:8px}td,th{padding:2px 4px}h1{font-size:18px}.verdict{font-size:16px}}
)css";

/// The replays' script: slider, play/pause, actors and cursors follow the time; `#t=SECONDS` in the
/// address starts every replay at that time. When set up it marks the body `data-replay-ready` (the
/// number of replays) and `data-layout-width` (the page's scroll width: no wider than the window when
/// the layout fits). Errors are recorded in the root's `data-errors` by the recorder in the head.
constexpr const char* kScript = R"js(
(function () {
  function setup(box) {
    var frames = box.querySelector('script.frames');
    if (!frames) return;
    var data = JSON.parse(frames.textContent);
    var svg = box.querySelector('svg[data-map]');
    var slider = box.querySelector('input[type=range]');
    var out = box.querySelector('output');
    var button = box.querySelector('button.play');
    var m = svg ? svg.getAttribute('data-map').split(' ').map(Number) : null;
    var live = svg ? svg.querySelector('g.live') : null;
    var polys = live ? Array.prototype.slice.call(live.querySelectorAll('polygon.live-actor')) : [];
    var plots = Array.prototype.slice.call(box.querySelectorAll('svg[data-t]'));
    if (live) live.setAttribute('visibility', 'visible');
    box.querySelector('.controls').hidden = false;
    function px(x, y) {
      return (m[0] + (x - m[2]) * m[4]).toFixed(1) + ',' + (m[1] + (m[3] - y) * m[4]).toFixed(1);
    }
    function show(k) {
      k = Math.max(0, Math.min(data.t.length - 1, k));
      slider.value = k;
      var t = data.t[k];
      polys.forEach(function (p) {
        var s = (data.a[p.getAttribute('data-actor')] || [])[k];
        if (!s || s[0] === null || s[1] === null) { p.setAttribute('visibility', 'hidden'); return; }
        p.setAttribute('visibility', 'visible');
        var l = +p.getAttribute('data-length') / 2, w = +p.getAttribute('data-width') / 2;
        var c = Math.cos(s[2] || 0), n = Math.sin(s[2] || 0);
        p.setAttribute('points', [[1, 1], [1, -1], [-1, -1], [-1, 1]].map(function (q) {
          return px(s[0] + q[0] * l * c - q[1] * w * n, s[1] + q[0] * l * n + q[1] * w * c);
        }).join(' '));
      });
      plots.forEach(function (g) {
        var d = g.getAttribute('data-t').split(' ').map(Number);
        var x = (d[2] + (t - d[0]) / ((d[1] - d[0]) || 1) * (d[3] - d[2])).toFixed(1);
        var line = g.querySelector('line.cursor');
        line.setAttribute('x1', x); line.setAttribute('x2', x); line.setAttribute('visibility', 'visible');
      });
      out.textContent = 't = ' + t.toFixed(2) + ' s';
      box.setAttribute('data-frame', String(k));
    }
    var timer = null;
    function stop() { if (timer) { clearInterval(timer); timer = null; } button.textContent = 'play'; }
    button.addEventListener('click', function () {
      if (timer) { stop(); return; }
      var k = +slider.value;
      if (k >= data.t.length - 1) k = 0;
      var start = Date.now(), t0 = data.t[k];
      button.textContent = 'pause';
      timer = setInterval(function () {
        var t = t0 + (Date.now() - start) / 1000;
        while (k + 1 < data.t.length && data.t[k + 1] <= t) k++;
        show(k);
        if (k >= data.t.length - 1) stop();
      }, 40);
    });
    slider.addEventListener('input', function () { stop(); show(+slider.value); });
    var hash = /t=([0-9.]+)/.exec(location.hash);
    var k0 = 0;
    if (hash) { while (k0 + 1 < data.t.length && data.t[k0 + 1] <= +hash[1]) k0++; }
    show(k0);
  }
  var boxes = document.querySelectorAll('div.replay');
  Array.prototype.forEach.call(boxes, setup);
  document.body.setAttribute('data-replay-ready', String(boxes.length));
  document.body.setAttribute('data-layout-width', String(document.documentElement.scrollWidth));
})();
)js";

/// Records any script error of the page in the root's data-errors (for people and for tests).
constexpr const char* kErrorRecorder =
    "<script>//<![CDATA[\nwindow.addEventListener('error', function (e) { var r = document.documentElement; "
    "r.setAttribute('data-errors', (r.getAttribute('data-errors') || '') + e.message + '; '); });\n//]]></script>";

std::string Percent(double rate) { return core::FormatFixed(100.0 * rate, 1) + "%"; }

/// A readable, unique anchor: "f<k>-<name with unsafe characters as '-'>".
std::string Anchor(const std::string& prefix, size_t k, const std::string& name) {
  std::string s = prefix + std::to_string(k) + "-";
  for (const char c : name) s += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '-';
  return s;
}

std::string CaseAnchor(const HtmlCase& c) { return "case-" + std::to_string(c.result.plan_index) + "-" + c.role; }

}  // namespace

std::string html::PageHead(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><title>" +
         Esc(title) + "</title><style>" + kStyle + "</style>" + kErrorRecorder + "</head><body>\n";
}

std::string html::PageTail() {
  return std::string("<script>//<![CDATA[") + kScript + "//]]></script>\n</body></html>\n";
}

namespace {

std::string NowUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

/// The unit of each parameter of the family (by name), from the suite when given.
std::map<std::string, html::DisplayUnit> UnitsOf(const HtmlReportOptions& options, const std::string& family) {
  if (options.suite == nullptr) return {};
  const scenarios::Family* f = options.suite->FindFamily(family);
  return f == nullptr ? std::map<std::string, html::DisplayUnit>{} : html::WrittenUnits(*f->scenario);
}

std::string ValueWithUnit(double si, const html::DisplayUnit& unit) {
  return Num(si / unit.factor, 6) + (unit.unit.empty() ? "" : " " + unit.unit);
}

/// A parameters table in the units written in the scenario.
std::string ParameterTable(const InstanceResult& r, const std::map<std::string, html::DisplayUnit>& units) {
  std::string h = "<div class=\"scroll\"><table><tr><th>parameter</th><th>value</th></tr>";
  for (const auto& [name, value] : r.parameters) {
    const auto it = units.find(name);
    h += "<tr><td>" + Esc(name) + "</td><td class=\"n\">" + Esc(ValueWithUnit(value, it == units.end() ? html::DisplayUnit{} : it->second)) +
         "</td></tr>";
  }
  return h + "</table></div>\n";
}

// ---- the replay widget -------------------------------------------------------------------------

std::string JsonNumber(double v, int decimals) { return std::isfinite(v) ? core::FormatFixed(v, decimals) : "null"; }

std::string JsonName(const std::string& name) {
  std::string s = "\"";
  for (const char c : name) {
    if (c == '"' || c == '\\') {
      s += '\\';
      s += c;
    } else if (c == '<' || c == '>' || c == '&' || static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned char>(c));
      s += buffer;
    } else {
      s += c;
    }
  }
  return s + "\"";
}

/// The frames a replay steps through: time and (x, y, heading) per actor at evenly spaced rows.
std::string FramesJson(const HtmlCase& c, size_t max_frames, size_t* frame_count) {
  const auto time = c.trace.time();
  const size_t n = time.size();
  const size_t k = std::min(n, std::max<size_t>(max_frames, 2));
  std::vector<size_t> rows;
  for (size_t i = 0; i < k; ++i) rows.push_back(k == 1 ? 0 : (i * (n - 1) + (k - 1) / 2) / (k - 1));
  *frame_count = rows.size();
  std::string j = "{\"t\":[";
  for (size_t i = 0; i < rows.size(); ++i) j += (i ? "," : "") + JsonNumber(time[rows[i]], 3);
  j += "],\"a\":{";
  bool first_actor = true;
  for (const TopViewActor& a : c.actors) {
    const auto x = c.trace.Find(a.name + ".x"), y = c.trace.Find(a.name + ".y"), h = c.trace.Find(a.name + ".heading");
    if (!x || !y) continue;
    j += (first_actor ? "" : ",") + JsonName(a.name) + ":[";
    first_actor = false;
    for (size_t i = 0; i < rows.size(); ++i) {
      j += std::string(i ? "," : "") + "[" + JsonNumber(c.trace.column(*x)[rows[i]], 3) + "," +
           JsonNumber(c.trace.column(*y)[rows[i]], 3) + "," + (h ? JsonNumber(c.trace.column(*h)[rows[i]], 4) : "0") + "]";
    }
    j += "]";
  }
  return j + "}}";
}

/// The signal of `formula` plotted for a case, and its threshold when the formula compares it with one.
std::pair<std::string, std::optional<double>> SignalOf(const HtmlCase& c) {
  const std::optional<SignalThreshold> st = SignalThresholdOf(c.formula);
  if (st && c.trace.Find(st->signal)) return {st->signal, st->threshold};
  static const std::regex kName(R"([A-Za-z_][A-Za-z0-9_.]*)");
  for (auto it = std::sregex_iterator(c.formula.begin(), c.formula.end(), kName); it != std::sregex_iterator(); ++it)
    if (c.trace.Find(it->str())) return {it->str(), std::nullopt};
  return {"", std::nullopt};
}

/// One case: what it shows, the replay command, the animated top view with its controls and the signal
/// plot(s) with a cursor; `extra_signals` are plotted too when in the trace.
std::string ReplayWidget(const HtmlCase& c, const HtmlReportOptions& options, const std::vector<std::string>& extra_signals) {
  std::string h = "<div class=\"replay\" id=\"" + CaseAnchor(c) + "\">\n<h4>" +
                  (c.role == "shrunk" ? "shrunk counterexample" : "worst case") + " of " + Esc(c.requirement) + ": " +
                  Esc(c.result.id) + " <span class=\"" + (c.result.Failed() ? "fail" : "pass") + "\">" +
                  std::string(c.result.VerdictName()) + "</span></h4>\n";
  const scenarios::RequirementOutcome* q = c.requirement.empty() ? nullptr : html::FindRequirement(c.result, c.requirement);
  if (q != nullptr) {
    h += "<p><code>" + Esc(c.formula) + "</code>: robustness " + Num(q->robustness, 6) +
         (q->first_violation_time_s ? ", first violated at t = " + Num(*q->first_violation_time_s) + " s" : "") +
         " (origin " + Esc(c.result.origin) + ")</p>\n";
  }
  h += "<pre>" + Esc(c.replay_command) + "</pre>\n";
  size_t frames = 0;
  const std::string json = c.trace.empty() ? "" : FramesJson(c, options.replay_frames, &frames);
  h += "<div class=\"controls\" hidden=\"\"><button type=\"button\" class=\"play\">play</button><input type=\"range\" "
       "min=\"0\" max=\"" + std::to_string(frames == 0 ? 0 : frames - 1) +
       "\" value=\"0\" step=\"1\" aria-label=\"time\"/><output>t = 0.00 s</output></div>\n";
  h += "<div class=\"figs\">";
  if (!c.top_view_svg.empty()) h += c.top_view_svg.substr(std::min(c.top_view_svg.find("<svg"), c.top_view_svg.size()));
  const auto [signal, threshold] = SignalOf(c);
  std::vector<std::string> plotted;
  if (!signal.empty()) {
    h += html::SignalPlot(c.trace, signal, threshold, q ? q->first_violation_time_s : std::nullopt, options.trace_points, true);
    plotted.push_back(signal);
  }
  for (const std::string& extra : extra_signals) {
    if (!c.trace.Find(extra) || std::find(plotted.begin(), plotted.end(), extra) != plotted.end()) continue;
    h += html::SignalPlot(c.trace, extra, std::nullopt, std::nullopt, options.trace_points, true);
    plotted.push_back(extra);
  }
  h += "</div>\n";
  if (!json.empty()) h += "<script type=\"application/json\" class=\"frames\">" + json + "</script>\n";
  return h + "</div>\n";
}

}  // namespace

std::string RenderReplayPage(const HtmlCase& c, const HtmlReportOptions& options) {
  const std::string title = options.title.empty() ? "gauntlet replay: " + c.result.id : options.title;
  std::string h = html::PageHead(title);
  h += "<h1>" + Esc(title) + "</h1>\n<p>family " + Esc(c.result.family) + ", instance " + std::to_string(c.result.index) +
       ", seed " + std::to_string(c.result.seed) + ", origin " + Esc(c.result.origin) + ": <span class=\"" +
       (c.result.Failed() ? "fail" : "pass") + "\">" + std::string(c.result.VerdictName()) + "</span></p>\n";
  if (!options.tool_version.empty()) h += "<p class=\"small\">gauntlet " + Esc(options.tool_version) + "</p>\n";
  h += "<div class=\"scroll\"><table><tr><th>requirement</th><th>gating</th><th>verdict</th><th>robustness</th>"
       "<th>first violation (s)</th></tr>";
  for (const auto& q : c.result.requirements) {
    h += "<tr><td>" + Esc(q.name) + "</td><td>" + (q.gating ? "yes" : "advisory") + "</td><td class=\"" +
         (q.satisfied ? "pass\">holds" : "fail\">violated") + "</td><td class=\"n\">" + Num(q.robustness, 6) +
         "</td><td class=\"n\">" + (q.first_violation_time_s ? Num(*q.first_violation_time_s) : "") + "</td></tr>";
  }
  h += "</table></div>\n";
  // the ego's speed and every signal of the shown formula
  std::vector<std::string> extra;
  static const std::regex kName(R"([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z0-9_.]+)");
  for (auto it = std::sregex_iterator(c.formula.begin(), c.formula.end(), kName); it != std::sregex_iterator(); ++it)
    extra.push_back(it->str());
  for (const TopViewActor& a : c.actors)
    if (a.is_ego) extra.push_back(a.name + ".speed");
  h += ReplayWidget(c, options, extra);
  h += "<h2>parameters</h2>\n" + ParameterTable(c.result, UnitsOf(options, c.result.family));
  return h + html::PageTail();
}

// ---- report.html ----------------------------------------------------------------------------------

namespace {

/// The verdict, the counts, the bar and what was run (tool, date, suite, fingerprint, models).
std::string Header(const RunSummary& summary, const HtmlReportOptions& options, const std::string& title) {
  const std::string verdict = summary.Verdict();
  std::string h = "<header>\n<h1>" + Esc(title) + "</h1>\n<div class=\"summary\"><span class=\"verdict " + verdict +
                  "\">" + verdict + "</span><span>" + std::to_string(summary.instances) + " instances: " +
                  std::to_string(summary.passed) + " passed, <span class=\"" + (summary.failed ? "fail" : "") + "\">" +
                  std::to_string(summary.failed) + " failed</span>, " + std::to_string(summary.invalid) + " invalid, " +
                  std::to_string(summary.errors) + " errors" + (summary.info.complete ? "" : " (interrupted: partial)") +
                  "</span></div>\n";
  h += html::StackBar(summary.passed, summary.failed, summary.invalid, summary.errors, 480) + "\n";
  std::string fingerprint = options.suite_fingerprint;
  if (fingerprint.empty() && options.suite != nullptr) fingerprint = options.suite->fingerprint;
  h += "<div class=\"scroll\"><table>";
  if (!options.tool_version.empty()) h += "<tr><th>tool</th><td>gauntlet " + Esc(options.tool_version) + "</td></tr>";
  h += "<tr><th>suite</th><td>" + Esc(summary.info.suite_name) + " (" + Esc(summary.info.suite_path) + ")</td></tr>";
  if (!fingerprint.empty()) h += "<tr><th>suite fingerprint</th><td><code>" + Esc(fingerprint) + "</code></td></tr>";
  h += "<tr><th>seed</th><td>" + std::to_string(summary.info.seed) + "</td></tr>";
  for (const auto& [slot, source] : summary.info.models)
    h += "<tr><th>model " + Esc(slot) + "</th><td>" + Esc(source) + "</td></tr>";
  h += "</table></div>\n";
  h += "<p class=\"small\" data-volatile=\"\">generated " +
       Esc(options.generated_utc.empty() ? NowUtc() : options.generated_utc) + "</p>\n</header>\n";
  return h;
}

/// One adaptive search of a family: its instances (plan order) and where shrinking starts.
struct SearchRun {
  std::string family;
  std::string kind;
  std::vector<const InstanceResult*> searched;
  std::vector<const InstanceResult*> shrinking;  ///< "shrink" steps, then the "shrunk" one
};

std::vector<SearchRun> SearchesOf(const std::vector<InstanceResult>& results) {
  std::vector<SearchRun> runs;
  std::map<std::string, size_t> open;  // family -> its current search
  for (const InstanceResult& r : results) {
    const bool searched = html::IsSearchOrigin(r.origin);
    const bool shrink = r.origin == "shrink" || r.origin == "shrunk";
    if (!searched && !shrink) continue;
    auto it = open.find(r.family);
    if (searched && (it == open.end() || runs[it->second].kind != r.origin || !runs[it->second].shrinking.empty())) {
      runs.push_back({r.family, r.origin, {}, {}});
      it = open.insert_or_assign(r.family, runs.size() - 1).first;
    }
    if (it == open.end()) continue;  // shrinking without a search: not from this campaign
    (searched ? runs[it->second].searched : runs[it->second].shrinking).push_back(&r);
  }
  return runs;
}

std::string SearchSection(const SearchRun& s, size_t k, const HtmlReportOptions& options,
                          const std::vector<HtmlCase>& cases) {
  std::vector<double> objective;
  const InstanceResult* best = nullptr;
  size_t violations = 0;
  for (const InstanceResult* r : s.searched) {
    objective.push_back(html::Objective(*r));
    violations += r->Failed() ? 1 : 0;
    if (std::isfinite(objective.back()) && (best == nullptr || objective.back() < html::Objective(*best))) best = r;
  }
  const InstanceResult* shrunk = nullptr;
  for (const InstanceResult* r : s.shrinking) {
    objective.push_back(html::Objective(*r));
    if (r->origin == "shrunk") shrunk = r;
  }
  std::string h = "<section id=\"" + Anchor("s", k, s.family) + "\"><h3>" + Esc(s.family) + ": search " + Esc(s.kind) +
                  "</h3>\n<p>" + std::to_string(s.searched.size()) + " simulations; ";
  h += violations > 0 ? "<span class=\"fail\">violation found</span>: " + std::to_string(violations) + " failing instances"
                      : "<span class=\"pass\">no violation found</span>";
  if (best != nullptr) h += ", lowest robustness " + Num(html::Objective(*best), 6);
  if (!s.shrinking.empty()) h += "; then " + std::to_string(s.shrinking.size()) + " shrinking simulations";
  h += ".</p>\n<div class=\"plots\">" +
       html::SearchPlot(objective, s.shrinking.empty() ? std::nullopt : std::optional<size_t>(s.searched.size()),
                        "robustness against simulations of the " + s.kind + " search of " + s.family) +
       "</div>\n";
  const auto units = UnitsOf(options, s.family);
  auto link = [&](const InstanceResult& r) {
    for (const HtmlCase& c : cases)
      if (c.result.plan_index == r.plan_index) return " (<a href=\"#" + CaseAnchor(c) + "\">replay</a>)";
    return std::string();
  };
  if (best != nullptr) {
    h += "<h4>best point found: " + Esc(best->id) + link(*best) + "</h4>\n" + ParameterTable(*best, units);
  }
  if (shrunk != nullptr) {
    h += "<h4>shrunk counterexample: " + Esc(shrunk->id) + " <span class=\"" + (shrunk->Failed() ? "fail" : "pass") +
         "\">" + std::string(shrunk->VerdictName()) + "</span>, robustness " + Num(html::Objective(*shrunk), 6) + link(*shrunk) +
         "</h4>\n" + ParameterTable(*shrunk, units);
  }
  return h + "</section>\n";
}

std::string NumberList(const std::vector<double>& values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + Num(values[i], 6);
  return s + "]";
}

std::string FormalSection(const std::vector<const InstanceResult*>& formal) {
  std::string h = "<section id=\"formal\"><h2>formal checks</h2>\n<div class=\"scroll\"><table><tr><th>check</th>"
                  "<th>family</th><th>verdict</th><th>margin</th><th>witness</th></tr>\n";
  for (const InstanceResult* r : formal) {
    std::string verdict, margin;
    if (r->status == InstanceStatus::kError) {
      verdict = "<td>inconclusive</td>";
      margin = Esc(r->error);
    } else if (!r->requirements.empty()) {
      const auto& q = r->requirements.front();
      verdict = q.satisfied ? "<td class=\"pass\">holds</td>" : "<td class=\"fail\">violated</td>";
      margin = Num(q.robustness, 6);
    }
    std::string witness;
    if (r->witness) witness = "input " + NumberList(r->witness->input) + "<br/>output " + NumberList(r->witness->output);
    h += "<tr><td>" + Esc(r->id) + "</td><td>" + Esc(r->family) + "</td>" + verdict + "<td class=\"n\">" + margin +
         "</td><td>" + witness + "</td></tr>\n";
  }
  return h + "</table></div></section>\n";
}

/// The table of contents: every family with its requirements, the searches, the formal checks.
std::string Contents(const RunSummary& summary, const std::vector<SearchRun>& searches, bool formal) {
  std::string h = "<nav class=\"toc\"><strong>Contents</strong><ul>\n";
  for (size_t k = 0; k < summary.families.size(); ++k) {
    const FamilySummary& f = summary.families[k];
    h += "<li><a href=\"#" + Anchor("f", k, f.family) + "\">" + Esc(f.family) + "</a> " + std::to_string(f.failed) +
         " failed of " + std::to_string(f.instances) + "<ul>";
    for (size_t j = 0; j < f.requirements.size(); ++j) {
      const RequirementSummary& q = f.requirements[j];
      h += "<li><a href=\"#" + Anchor("f", k, f.family) + "-" + Anchor("r", j, q.name) + "\">" + Esc(q.name) + "</a>" +
           (q.failed > 0 ? " <span class=\"" + std::string(q.gating ? "fail" : "small") + "\">" + std::to_string(q.failed) +
                               " failed</span>"
                         : "") + "</li>";
    }
    h += "</ul></li>\n";
  }
  if (!searches.empty()) {
    h += "<li><a href=\"#searches\">searches</a><ul>";
    for (size_t k = 0; k < searches.size(); ++k)
      h += "<li><a href=\"#" + Anchor("s", k, searches[k].family) + "\">" + Esc(searches[k].family) + ": " +
           Esc(searches[k].kind) + "</a></li>";
    h += "</ul></li>\n";
  }
  if (formal) h += "<li><a href=\"#formal\">formal checks</a></li>\n";
  return h + "</ul></nav>\n";
}

std::string RequirementTable(const FamilySummary& f, size_t k, const std::vector<HtmlCase>& cases) {
  std::string h = "<div class=\"scroll\"><table><tr><th>requirement</th><th>evaluated</th><th>passed</th><th>failed</th>"
                  "<th>pass/fail</th><th>failure rate (95% CI)</th><th>worst robustness</th><th>worst instance</th></tr>\n";
  for (size_t j = 0; j < f.requirements.size(); ++j) {
    const RequirementSummary& q = f.requirements[j];
    std::string worst = Esc(q.worst_instance);
    for (const HtmlCase& c : cases) {
      if (c.result.family == f.family && c.result.id == q.worst_instance) {
        worst = "<a href=\"#" + CaseAnchor(c) + "\">" + worst + "</a>";
        break;
      }
    }
    h += "<tr id=\"" + Anchor("f", k, f.family) + "-" + Anchor("r", j, q.name) + "\"><td>" + Esc(q.name) +
         (q.gating ? "" : " <span class=\"small\">(advisory)</span>") + "</td><td class=\"n\">" +
         std::to_string(q.evaluated) + "</td><td class=\"n\">" + std::to_string(q.passed) + "</td><td class=\"n" +
         (q.failed > 0 && q.gating ? " fail" : "") + "\">" + std::to_string(q.failed) + "</td><td>" +
         html::StackBar(q.passed, q.failed, 0, 0, 160) + "</td><td>" + Percent(q.failure_rate_lo) + " .. " +
         Percent(q.failure_rate_hi) + "</td><td class=\"n\">" + Num(q.worst_robustness, 6) + "</td><td>" + worst +
         "</td></tr>\n";
  }
  return h + "</table></div>\n";
}

std::string ParameterPlots(const std::vector<const InstanceResult*>& members, const HtmlReportOptions& options,
                           const std::string& family) {
  std::vector<const InstanceResult*> plotted;
  for (const InstanceResult* r : members)
    if (r->status != InstanceStatus::kInvalid && !r->parameters.empty()) plotted.push_back(r);
  if (plotted.empty()) return "";
  const size_t n_params = plotted.front()->parameters.size();
  std::vector<std::pair<size_t, size_t>> pairs;
  for (size_t a = 0; a < n_params && pairs.size() < options.max_scatter_pairs; ++a)
    for (size_t b = a + 1; b < n_params && pairs.size() < options.max_scatter_pairs; ++b) pairs.push_back({a, b});
  if (pairs.empty()) return "";
  const auto units = UnitsOf(options, family);
  auto unit_of = [&](const std::string& name) {
    const auto it = units.find(name);
    return it == units.end() ? html::DisplayUnit{} : it->second;
  };
  std::string h = "<h3>parameter space <span class=\"small\">(blue: passed, red crosses: failed or error; invalid "
                  "instances left out)</span></h3>\n<div class=\"plots\">";
  for (const auto& [a, b] : pairs) {
    std::vector<html::ScatterPoint> points;
    for (const InstanceResult* r : plotted) {
      if (r->parameters.size() != n_params) continue;
      points.push_back({r->parameters[a].second, r->parameters[b].second,
                        r->Failed() || r->status == InstanceStatus::kError});
    }
    const std::string& xa = plotted.front()->parameters[a].first;
    const std::string& yb = plotted.front()->parameters[b].first;
    h += html::Scatter(points, xa, unit_of(xa), yb, unit_of(yb), options.max_scatter_points);
  }
  return h + "</div>\n";
}

std::string FailingTable(const std::vector<const InstanceResult*>& members, const HtmlReportOptions& options) {
  std::vector<const InstanceResult*> failing;
  for (const InstanceResult* r : members)
    if (r->Failed() || r->status == InstanceStatus::kError) failing.push_back(r);
  if (failing.empty()) return "";
  std::string h = "<h3>failing instances (" + std::to_string(failing.size()) + ")</h3>\n<div class=\"scroll\"><table>"
                  "<tr><th>instance</th><th>origin</th><th>verdict</th><th>violated</th><th>first violation (s)</th></tr>\n";
  for (size_t k = 0; k < failing.size() && k < options.max_failure_rows; ++k) {
    const InstanceResult& r = *failing[k];
    std::string violated, when;
    for (const auto& q : r.requirements) {
      if (q.satisfied || !q.gating) continue;
      violated += (violated.empty() ? "" : ", ") + q.name + " (" + Num(q.robustness, 6) + ")";
      if (when.empty() && q.first_violation_time_s) when = Num(*q.first_violation_time_s);
    }
    if (r.status == InstanceStatus::kError) violated = "error: " + r.error;
    h += "<tr><td>" + Esc(r.id) + "</td><td>" + Esc(r.origin) + "</td><td class=\"fail\">" + std::string(r.VerdictName()) + "</td><td>" +
         Esc(violated) + "</td><td class=\"n\">" + when + "</td></tr>\n";
  }
  h += "</table></div>\n";
  if (failing.size() > options.max_failure_rows)
    h += "<p class=\"small\">... and " + std::to_string(failing.size() - options.max_failure_rows) + " more</p>\n";
  return h;
}

std::string FamilySection(const FamilySummary& f, size_t k, const std::vector<const InstanceResult*>& members,
                          const std::vector<HtmlCase>& cases, const HtmlReportOptions& options) {
  std::string h = "<section id=\"" + Anchor("f", k, f.family) + "\"><h2>" + Esc(f.family) + "</h2>\n<p>" +
                  std::to_string(f.instances) + " instances: " + std::to_string(f.passed) + " passed, " +
                  std::to_string(f.failed) + " failed, " + std::to_string(f.invalid) + " invalid, " +
                  std::to_string(f.errors) + " errors</p>\n" + html::StackBar(f.passed, f.failed, f.invalid, f.errors) + "\n";
  for (const std::string& e : f.first_errors) h += "<pre>" + Esc(e) + "</pre>\n";
  h += RequirementTable(f, k, cases);
  h += "<h3>robustness at time 0</h3>\n<div class=\"plots\">";
  for (const RequirementSummary& q : f.requirements) {
    std::vector<double> values;
    for (const InstanceResult* r : members) {
      if (r->status != InstanceStatus::kCompleted) continue;
      if (const auto* o = html::FindRequirement(*r, q.name); o != nullptr && std::isfinite(o->robustness))
        values.push_back(o->robustness);
    }
    h += html::Histogram(values, q.name, options.histogram_bins);
  }
  h += "</div>\n" + ParameterPlots(members, options, f.family) + FailingTable(members, options);
  bool any = false;
  for (const HtmlCase& c : cases) {
    if (c.result.family != f.family) continue;
    if (!any) h += "<h3>worst cases, per failing requirement</h3>\n";
    any = true;
    h += ReplayWidget(c, options, {});
  }
  return h + "</section>\n";
}

}  // namespace

std::string RenderHtmlReport(const RunSummary& summary, const std::vector<InstanceResult>& results,
                             const std::vector<HtmlCase>& cases, const HtmlReportOptions& options) {
  const std::string title = options.title.empty() ? "gauntlet: " + summary.info.suite_name : options.title;
  std::map<std::string, std::vector<const InstanceResult*>> by_family;
  std::vector<const InstanceResult*> formal;
  for (const InstanceResult& r : results) {
    if (r.origin == "formal") {
      formal.push_back(&r);
    } else {
      by_family[r.family].push_back(&r);
    }
  }
  const std::vector<SearchRun> searches = SearchesOf(results);
  std::string h = html::PageHead(title) + Header(summary, options, title) + Contents(summary, searches, !formal.empty());
  std::set<std::string> shown;
  for (size_t k = 0; k < summary.families.size(); ++k) {
    h += FamilySection(summary.families[k], k, by_family[summary.families[k].family], cases, options);
    shown.insert(summary.families[k].family);
  }
  // cases of families the summary does not list (a partial summary)
  for (const HtmlCase& c : cases)
    if (!shown.count(c.result.family)) h += ReplayWidget(c, options, {});
  if (!searches.empty()) {
    h += "<section id=\"searches\"><h2>searches</h2>\n";
    for (size_t k = 0; k < searches.size(); ++k) h += SearchSection(searches[k], k, options, cases);
    h += "</section>\n";
  }
  if (!formal.empty()) h += FormalSection(formal);
  h += "<p class=\"small\">generated by gauntlet; no external resources; the replays play with JavaScript</p>\n";
  return h + html::PageTail();
}

}  // namespace gauntlet::reports
