#include "history/history_page.h"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "reports/html_report_plots.h"

namespace gauntlet::history {

namespace {

using reports::html::Esc;

std::string RunName(const RunRow& r) { return r.label.empty() ? "run " + std::to_string(r.id) : r.label; }

std::string RunsTable(const TrendTable& trends) {
  std::string h = "<h2 id=\"runs\">runs</h2>\n<div class=\"scroll\"><table><tr><th>run</th><th>time (UTC)</th>"
                  "<th>label</th><th>tool</th><th>suite fingerprint</th><th>models</th><th>failed / instances</th></tr>\n";
  for (const RunRow& r : trends.runs) {
    std::string models;
    for (const auto& [slot, hash] : r.model_hashes) models += (models.empty() ? "" : "<br/>") + Esc(slot) + ": <code>" + Esc(hash) + "</code>";
    h += "<tr><td class=\"n\">" + std::to_string(r.id) + "</td><td>" + Esc(r.time_utc) + "</td><td>" + Esc(r.label) +
         "</td><td>" + Esc(r.tool_version) + "</td><td><code>" + Esc(r.suite_hash) + "</code></td><td>" + models +
         "</td><td class=\"n\">" + std::to_string(r.failed) +
         (r.inconclusive > 0 ? " (+" + std::to_string(r.inconclusive) + " inconclusive)" : "") + " / " +
         std::to_string(r.instances) +
         (r.complete ? "" : " (interrupted)") + "</td></tr>\n";
  }
  return h + "</table></div>\n";
}

std::string TrendAnchor(size_t k) { return "trend-" + std::to_string(k); }

std::string TrendPlots(const TrendTable& trends) {
  std::vector<std::string> labels;
  for (const RunRow& r : trends.runs) labels.push_back(RunName(r));
  std::string h = "<h2 id=\"trends\">failure rate per family and requirement</h2>\n<div class=\"plots\">";
  for (size_t k = 0; k < trends.trends.size(); ++k) {
    const Trend& t = trends.trends[k];
    std::vector<std::optional<reports::html::RatePoint>> points;
    for (const auto& p : t.points) {
      if (!p || p->evaluated == 0) {
        points.push_back(std::nullopt);
        continue;
      }
      points.push_back(reports::html::RatePoint{static_cast<double>(p->failed) / static_cast<double>(p->evaluated),
                                                p->failure_rate_lo, p->failure_rate_hi});
    }
    h += "<figure id=\"" + TrendAnchor(k) + "\" style=\"margin:0\"><figcaption>" + Esc(t.family) + ": " +
         Esc(t.requirement) + (t.gating ? "" : " (advisory)") + "</figcaption>" +
         reports::html::RatePlot(points, labels, "failure rate of " + t.requirement + " in " + t.family) + "</figure>";
  }
  return h + "</div>\n";
}

std::string TrendTableHtml(const TrendTable& trends) {
  std::string h = "<div class=\"scroll\"><table><tr><th>family</th><th>requirement</th>";
  for (const RunRow& r : trends.runs) h += "<th>" + Esc(RunName(r)) + "</th>";
  h += "<th>worst robustness (last)</th></tr>\n";
  for (const Trend& t : trends.trends) {
    h += "<tr><td>" + Esc(t.family) + "</td><td>" + Esc(t.requirement) + (t.gating ? "" : " (advisory)") + "</td>";
    std::optional<TrendPoint> last;
    for (const auto& p : t.points) {
      if (!p) {
        h += "<td>-</td>";
        continue;
      }
      last = p;
      h += "<td class=\"n" + std::string(p->failed > 0 && t.gating ? " fail" : "") + "\">" + std::to_string(p->failed) +
           "/" + std::to_string(p->evaluated);
      if (std::isfinite(p->failure_rate_lo) && std::isfinite(p->failure_rate_hi)) {
        h += " <span class=\"small\">[" + FormatFigure(100.0 * p->failure_rate_lo) + ", " +
             FormatFigure(100.0 * p->failure_rate_hi) + "]%</span>";
      }
      h += "</td>";
    }
    h += "<td class=\"n\">" + (last ? FormatFigure(last->worst_robustness) : std::string("-")) + "</td></tr>\n";
  }
  return h + "</table></div>\n";
}

std::string ChangesTable(const ChangeSet& changes, size_t max_changes) {
  std::string h = "<h2 id=\"changes\">changed verdicts</h2>\n";
  if (!changes.before) return h + "<p>only one run: nothing to compare</p>\n";
  h += "<p>between " + Esc(RunName(*changes.before)) + " and " + Esc(RunName(*changes.after)) + ": " +
       std::to_string(changes.changes.size()) + " instances</p>\n";
  if (changes.changes.empty()) return h;
  h += "<div class=\"scroll\"><table><tr><th>instance</th><th>family</th><th>before</th><th>after</th></tr>\n";
  for (size_t i = 0; i < changes.changes.size() && i < max_changes; ++i) {
    const VerdictChange& c = changes.changes[i];
    h += "<tr><td>" + Esc(c.id) + "</td><td>" + Esc(c.family) + "</td><td>" + Esc(c.before) + "</td><td class=\"" +
         (c.after == "failed" || c.after == "inconclusive" || c.after == "error" ? "fail" : c.after == "passed" ? "pass" : "") + "\">" + Esc(c.after) +
         "</td></tr>\n";
  }
  h += "</table></div>\n";
  if (changes.changes.size() > max_changes) {
    h += "<p class=\"small\">... and " + std::to_string(changes.changes.size() - max_changes) + " more</p>\n";
  }
  return h;
}

}  // namespace

std::string HistoryHtml(const TrendTable& trends, const ChangeSet& changes, const std::string& title, size_t max_changes) {
  const std::string suite = trends.runs.empty() ? std::string() : trends.runs.back().suite_name;
  const std::string heading = title.empty() ? "gauntlet history: " + suite : title;
  std::string h = reports::html::PageHead(heading) + "<h1>" + Esc(heading) + "</h1>\n";
  if (trends.runs.empty()) return h + "<p>no runs recorded</p>\n" + reports::html::PageTail();
  h += "<p>the last " + std::to_string(trends.runs.size()) + " runs, oldest first</p>\n";
  h += "<nav class=\"toc\"><strong>Contents</strong><ul><li><a href=\"#runs\">runs</a></li><li><a href=\"#trends\">"
       "failure rate per family and requirement</a><ul>";
  for (size_t k = 0; k < trends.trends.size(); ++k) {
    h += "<li><a href=\"#" + TrendAnchor(k) + "\">" + Esc(trends.trends[k].family) + ": " +
         Esc(trends.trends[k].requirement) + "</a></li>";
  }
  h += "</ul></li><li><a href=\"#changes\">changed verdicts</a></li></ul></nav>\n";
  h += RunsTable(trends) + TrendPlots(trends) + TrendTableHtml(trends) + ChangesTable(changes, max_changes);
  return h + reports::html::PageTail();
}

}  // namespace gauntlet::history
