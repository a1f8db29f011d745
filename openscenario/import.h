#pragma once
// An OpenSCENARIO scenario as a Gauntlet world (docs/openscenario.md, "gauntlet import").
//
// ImportScenario reads a `.xosc` file (and its road network) and writes the equivalent sim::WorldSpec
// when every part of it can be expressed exactly: OpenDRIVE roads of lines and arcs with constant
// lane widths (one sim road per driving direction's lane group, road and junction links as
// connections), entities as actors (kind from the category, box sizes, placed by their box centres),
// the Init teleports and speeds, and the storyboard's events as behaviours with triggers where sim's
// semantics are the player's. Anything else is an error at its `file:line:col` saying why; all reasons
// are reported at once (one core::InputError).
//
//   const ImportResult r = ImportScenario("straight.xosc", {.ego = "Ego"});
//   for (const auto& w : r.warnings) std::cerr << w.Format() << '\n';   // "... warning: ..."
//   // r.world is a sim::WorldSpec; r.ego names the actor the model drives
//
// The scenario is played once as written (openscenario/player.h) with `time_step` to read the
// entities' places at t = 0, the order in which each entity's events start, and, when the Storyboard's
// StopTrigger is not a simulation time, how long the run lasts.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "openscenario/scenario.h"
#include "sim/world_spec.h"

namespace gauntlet::openscenario {

/// How a scenario is imported.
struct ImportOptions {
  /// The entity the model drives; "" = the first entity named Ego, ego or hero (in that order of
  /// preference), else the first entity.
  std::string ego;
  double time_step = 0.05;          ///< the world's time_step_s (and of the run that reads the scenario)
  std::optional<double> duration;   ///< the world's duration_s; default: from the StopTrigger
  std::vector<std::pair<std::string, std::string>> parameters;  ///< `--param` overrides
};

/// The imported world.
struct ImportResult {
  sim::WorldSpec world;
  std::string ego;                  ///< the ego actor's name
  core::SourcePos ego_pos;          ///< the ego entity's ScenarioObject
  std::vector<std::string> others;  ///< the other actors' names, in declaration order
  std::vector<Warning> warnings;    ///< the scenario's own warnings, then the import's
};

/// Imports `path` (see the header comment). Throws core::InputError listing every reason the scenario
/// cannot be expressed, each at its element.
[[nodiscard]] ImportResult ImportScenario(const std::string& path, const ImportOptions& options = {});

/// The actor name of an entity name: letters, digits and '_' kept, anything else '_' (a leading
/// digit gets a leading '_').
[[nodiscard]] std::string ActorName(const std::string& entity);

}  // namespace gauntlet::openscenario
