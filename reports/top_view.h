#pragma once
// RenderTopViewSvg: a picture of one run seen from above, as a self-contained SVG.
//
// It draws the roads (grey surface, white edges, dashed lane separators), each actor's path from the
// trace columns `<name>.x`, `<name>.y`, `<name>.heading`, the actors' footprints at the start (dashed
// outlines) and at a highlighted time (filled: usually the moment of the worst robustness), a
// collision marker where the trace's `collision` column first equals 1, a scale bar, a legend and a
// title. The view box fits what is drawn (the actors' paths, or the roads when there are no
// actors); roads beyond it are clipped. Paths are simplified (Douglas-Peucker to a fraction of a
// pixel), so a long trace still gives a picture of a few tens of KB. No JavaScript, no external
// resources: the text is drawn with generic font families.
//
//   reports::TopViewOptions options;
//   options.title = "lead_brake: ego_speed=50 km/h";
//   options.highlight_time_s = 3.42;       // first violation or worst robustness
//   const std::string svg = reports::RenderTopViewSvg(network, trace, reports::TopViewActorsOf(world), options);
//   // or by hand: {{.name = "ego", .length_m = 4.6, .width_m = 1.9, .kind = "vehicle", .is_ego = true}, ...}
//
// Caveats: an actor whose `<name>.x` or `<name>.y` column is missing is listed in the legend as
// "not in trace" and not drawn; a missing `<name>.heading` column draws footprints heading along +x.
// Non-finite samples are skipped. The pixel coordinates are rounded to 0.1 px.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/trace.h"
#include "sim/road_network.h"
#include "sim/world_spec.h"

namespace gauntlet::reports {

/// One actor to draw.
struct TopViewActor {
  std::string name;          ///< the prefix of its trace columns
  double length_m = 4.5;     ///< footprint along its heading
  double width_m = 1.8;
  std::string kind = "vehicle";  ///< shown in the legend ("vehicle", "pedestrian", "aircraft", ...)
  bool is_ego = false;       ///< drawn in the ego colour, on top
};

/// How to draw. Every field has a default, so {} is valid.
struct TopViewOptions {
  std::string title;                        ///< the first line at the top ("" for none)
  std::string subtitle;                     ///< a second, smaller line (instance id, verdict, ...)
  std::optional<double> highlight_time_s;   ///< footprints are drawn at the trace row nearest this time
  std::string highlight_label = "worst robustness";  ///< what the highlighted time is, for the legend
  double width_px = 960.0;                  ///< width of the whole picture (the legend takes 220 px)
  double margin_m = 8.0;                    ///< empty border around what is drawn, at least
  double path_tolerance_px = 0.3;           ///< how far a simplified path may stray from the trace
  /// Adds a hidden group `<g class="live" visibility="hidden">` of actor polygons (class "live-actor",
  /// data-actor, data-length, data-width; drawn at the start) and the world-to-pixel map as the svg's
  /// `data-map="px0 py0 wx0 wy1 scale"` (px = px0 + (x - wx0) scale, py = py0 + (wy1 - y) scale), for a
  /// page's script to show and move them.
  bool live_actors = false;
  std::string clip_id = "map";              ///< the id of the map's clip path: unique per page when inlined
};

/// A box in pixels (x0 < x1, y0 < y1, y downwards).
struct LabelBox {
  double x0 = 0.0, y0 = 0.0, x1 = 0.0, y1 = 0.0;
};

/// A label to place next to `anchor` (an actor's box), `width` by `height` pixels.
struct LabelRequest {
  LabelBox anchor;
  double width = 0.0;
  double height = 0.0;
};

/// The label boxes, one per request in order, pairwise disjoint (always), each next to its anchor, inside
/// `bounds` and clear of every `obstacles` box where there is room (rings of candidate places further
/// and further out; clear of the labels only, else; else the first free row below the anchor).
[[nodiscard]] std::vector<LabelBox> PlaceLabels(const std::vector<LabelRequest>& labels,
                                                const std::vector<LabelBox>& obstacles, const LabelBox& bounds);

/// A width for `text` in a sans-serif font of `font_px` that is at least what a browser draws.
[[nodiscard]] double LabelWidth(std::string_view text, double font_px);

/// The actors of a world with their resolved sizes and kind names, in spec order.
[[nodiscard]] std::vector<TopViewActor> TopViewActorsOf(const sim::WorldSpec& world);

/// The SVG document (UTF-8 text) of the top view of one run. Never throws on odd traces: missing
/// columns and non-finite samples are left out (see the caveats above).
[[nodiscard]] std::string RenderTopViewSvg(const sim::RoadNetwork& network, const core::Trace& trace,
                                           const std::vector<TopViewActor>& actors, const TopViewOptions& options = {});

}  // namespace gauntlet::reports
