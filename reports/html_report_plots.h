#pragma once
// The drawing pieces of report.html and the replay page: axes with ticks in the units a scenario was
// written in (linear, or logarithmic where a range spans decades), stacked bars, histograms, scatter
// plots, signal plots with a time cursor and a search's progress. Every piece is inline SVG text that
// scales with its container (width 100%, height auto), deterministic for the same input.
//
//   const html::Axis x = html::Axis::Fit(values, 46, 290, {"km/h", 1 / 3.6});   // ticks in km/h
//   svg += html::Frame(x, y, "ego_speed (km/h)", "gap (m)");

#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/trace.h"
#include "scenarios/instance_result.h"
#include "scenarios/suite.h"

namespace gauntlet::reports::html {

/// The outcome of requirement `name` of `r`, or null.
[[nodiscard]] const scenarios::RequirementOutcome* FindRequirement(const scenarios::InstanceResult& r,
                                                                   const std::string& name);
/// The lowest gating robustness of a completed instance; NaN otherwise (what a search minimises).
[[nodiscard]] double Objective(const scenarios::InstanceResult& r);
/// True for the origin of an adaptive search's instance (its generator kind's name: "cma_es", ...).
[[nodiscard]] bool IsSearchOrigin(const std::string& origin);

/// XML-escaped text.
[[nodiscard]] std::string Esc(const std::string& text);
/// A pixel coordinate: one decimal.
[[nodiscard]] std::string Px(double v);
/// A figure for people: at most `digits` significant digits, never 17.
[[nodiscard]] std::string Num(double v, int digits = 4);

/// The unit a quantity is shown in: `value_in_unit = si_value / factor`.
struct DisplayUnit {
  std::string unit;     ///< "" for SI without a name
  double factor = 1.0;  ///< SI per unit (km/h: 1 / 3.6)
};

/// A map from data values (SI) to pixels [a, b], linear or logarithmic, with its display unit.
struct Axis {
  double lo = 0.0, hi = 1.0;  ///< data range (SI); widened when degenerate
  double a = 0.0, b = 1.0;    ///< pixel range
  bool log = false;
  DisplayUnit unit;

  /// The axis for `values`: logarithmic when they are all positive and span at least two decades.
  [[nodiscard]] static Axis Fit(const std::vector<double>& values, double a, double b, DisplayUnit unit = {},
                                bool allow_log = true);
  /// The pixel of data value `v`.
  [[nodiscard]] double operator()(double v) const;
  /// Tick values (SI) at round numbers of the display unit (1, 2, 5 times powers of ten; decades on a log axis).
  [[nodiscard]] std::vector<double> Ticks() const;
  /// A tick label in the display unit.
  [[nodiscard]] std::string Label(double v) const;
};

/// The units the free parameters of `scenario` were written in, by name: the first `<number> <unit>` of
/// each declaration (its line, and the lines of a block below it). Parameters without one are left out.
[[nodiscard]] std::map<std::string, DisplayUnit> WrittenUnits(const scenarios::Scenario& scenario);

/// `<svg ...>` opening tag of a w x h picture that scales down with its container.
[[nodiscard]] std::string SvgOpen(double w, double h, const std::string& label, const std::string& attributes = "");
/// The frame of a plot: box, ticks with labels on both axes, axis names.
[[nodiscard]] std::string Frame(const Axis& x, const Axis& y, const std::string& x_name, const std::string& y_name);
/// A horizontal stacked bar (passed, failed, invalid, errors); a non-zero failure count is at least 2% wide.
[[nodiscard]] std::string StackBar(size_t passed, size_t failed, size_t invalid, size_t errors, double width = 240);
/// A histogram of `values` (violations left of zero in red).
[[nodiscard]] std::string Histogram(const std::vector<double>& values, const std::string& label, size_t bins);

/// One point of a scatter plot.
struct ScatterPoint {
  double x = 0.0, y = 0.0;
  bool failed = false;
};
/// A scatter plot: every failure (up to `max_points`) as a red cross, a stride sample of the rest as dots.
[[nodiscard]] std::string Scatter(const std::vector<ScatterPoint>& points, const std::string& x_name, DisplayUnit x_unit,
                                  const std::string& y_name, DisplayUnit y_unit, size_t max_points);

/// A signal over time (min/max per bucket), its threshold and first violation; with `cursor`, a hidden
/// `<line class="cursor">` and `data-t="t0 t1 x0 x1"` on the svg for a script to follow the time.
[[nodiscard]] std::string SignalPlot(const core::Trace& trace, const std::string& signal, std::optional<double> threshold,
                                     std::optional<double> violation_time_s, size_t max_points, bool cursor);

/// A search's objective (the lowest gating robustness) against the simulation count, with its running
/// minimum; `shrink_from` is the count where shrinking starts (none: no shrinking). NaN values (errors,
/// invalid instances) are left out.
[[nodiscard]] std::string SearchPlot(const std::vector<double>& objective, std::optional<size_t> shrink_from,
                                     const std::string& label);

/// One run's failure rate with its 95% interval (NaN bounds: none drawn).
struct RatePoint {
  double rate = 0.0;
  double lo = NAN;
  double hi = NAN;
};
/// Failure rates over runs (oldest first; none where a run lacks the requirement) as points with
/// interval bars, the x axis labelled with `run_labels`.
[[nodiscard]] std::string RatePlot(const std::vector<std::optional<RatePoint>>& points,
                                   const std::vector<std::string>& run_labels, const std::string& label);

/// The start of a page: doctype, viewport meta, the shared inline style, `<body>`.
[[nodiscard]] std::string PageHead(const std::string& title);
/// The end of a page: the replays' inline script (harmless without replays) and `</body></html>`.
[[nodiscard]] std::string PageTail();

}  // namespace gauntlet::reports::html
