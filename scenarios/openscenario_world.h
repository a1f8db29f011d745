#pragma once
// An OpenSCENARIO scenario as the world of a Gauntlet scenario: the model drives the ego entity, every
// other entity follows its storyboard (docs/openscenario.md, "Driving the ego with a model").
//
// A scenario file may give, instead of `world:`, the section
//
//   openscenario: {file: ccrs.xosc, ego: Ego, time_step_s: 0.05, duration_s: 10}
//
// (OpenScenarioSpec; the path relative to the scenario file). Each instance loads the .xosc with the
// Gauntlet parameters whose names it declares as overrides and builds a CoSimulation: the sim world
// has one actor per entity (CoSimulation::ActorName), the ego a sim vehicle (or pedestrian) starting
// where the Init actions put it, every other actor scripted: an openscenario::Player with the ego
// external moves them each step (sim::ActorScript), its conditions seeing the ego as the model drives
// it. The sim world has no roads: the lane signals (`<a>.lane`, `.s`, `.lateral_offset`,
// `.heading_error`) come from the .xosc's OpenDRIVE network (the CoSimulation is the episode's
// sim::LaneLocator; -1 / 0 without a RoadNetwork), and `<o>.gap` is the clearance between the boxes.
//
// Lane signals: `<a>.lane` indexes lane_names() ("road:lane", OpenDRIVE ids: the network's roads in
// file order, each road's lane ids from left to right, the centre lane left out); `.s` is the road's
// s for a lane driving along +s and the road's length minus it for one driving against s (it grows
// in the lane's driving direction); `.lateral_offset` is from the lane centre, positive left of the
// driving direction; `.heading_error` the heading minus the lane's driving heading. All of the actor's
// box centre (its `x`, `y`), in the lane Network::Locate finds (the nearest lane off the roads),
// with the actor's previous road as the hint.
//
//   auto sc = std::make_shared<const openscenario::Scenario>(openscenario::LoadScenario("ccrs.xosc"));
//   CoSimulation cosim(sc, "Ego", 0.05, 10.0);            // Init actions played
//   sim::EpisodeOptions options;
//   options.script = &cosim;
//   const sim::EpisodeResult r = sim::RunEpisode(cosim.world(), controller, options);  // the others follow the storyboard
//
// Positions: an entity's OpenSCENARIO position is its reference point (usually the rear axle), its
// box centre offset by the BoundingBox's Center; a sim actor's position is its box centre. The
// CoSimulation converts both ways (ToCentre, ToReference).

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/fields.h"
#include "openscenario/player.h"
#include "openscenario/scenario.h"
#include "scenarios/openscenario_parameters.h"
#include "scenarios/model_binding.h"
#include "sim/episode.h"
#include "sim/world_spec.h"

namespace gauntlet::scenarios {

class Scenario;
struct LoadedModel;

/// The `openscenario:` section of a scenario file.
struct OpenScenarioSpec {
  std::string file;           ///< the .xosc, relative to the scenario file
  std::string ego;            ///< the entity the model drives
  double time_step_s = 0.05;  ///< the fixed step of the sim and the player
  double duration_s = 0.0;    ///< the episode's length (it ends earlier if the StopTrigger fires)
  /// A parameter variation file (ParameterValueDistribution) of `file`, relative to the scenario file:
  /// its distributions become parameters of the scenario after those of `parameters:`
  /// (openscenario_parameters.h), each instance's values its overrides of the .xosc.
  std::string variation;
  template <class Archive>
  void Serialize(Archive* a) {
    a->Visit("file", &file, core::kRequired);
    a->Visit("ego", &ego, core::kRequired);
    a->Visit("time_step_s", &time_step_s);
    a->Visit("duration_s", &duration_s, core::kRequired);
    a->Visit("variation", &variation);
  }
};

/// One co-simulated run: the sim world made from the scenario's entities, and the script that plays
/// the storyboard for every entity but the ego. One object per episode.
class CoSimulation : public sim::ActorScript, public sim::LaneLocator {
 public:
  /// Starts the player (Init actions) and builds the world. Throws core::InputError at the xosc's
  /// positions: `ego` names no entity (listing them), a MiscObject ego, two entities whose actor names
  /// collide, a box without length or width, an Init position that cannot be resolved.
  CoSimulation(std::shared_ptr<const openscenario::Scenario> scenario, const std::string& ego, double time_step_s,
               double duration_s);

  /// The sim actor name of an entity name: every character other than a letter, digit or '_' becomes
  /// '_', a leading digit (or an empty name) gets a '_' in front, and the reserved `time` and
  /// `collision` get a '_' after them ("Ego" stays "Ego", "car 1" becomes "car_1").
  [[nodiscard]] static std::string ActorName(const std::string& entity);
  /// The problem with driving entity `ego` of `scenario` ("" if none): no such entity (listing them),
  /// or a MiscObject.
  [[nodiscard]] static std::string EgoProblem(const openscenario::Scenario& scenario, const std::string& ego);

  [[nodiscard]] const sim::WorldSpec& world() const { return world_; }
  [[nodiscard]] const openscenario::Scenario& scenario() const { return *scenario_; }
  [[nodiscard]] openscenario::Player& player() { return *player_; }
  /// The ego's index (entities and actors are in the same order).
  [[nodiscard]] size_t ego() const { return ego_; }

  /// Sets the ego's state from its pose at t, steps the player to t + dt and writes the other actors'
  /// poses; false once the storyboard's StopTrigger has fired (at t).
  bool Advance(double time_s, std::span<const sim::ActorPose> now, std::span<sim::ActorPose> next) override;

  /// This (the lane signals from the .xosc's roads) when it has a road network, else null.
  [[nodiscard]] sim::LaneLocator* lane_locator() override;
  /// The lane signals of actor `actor` at `pose` (see the top of this file).
  [[nodiscard]] sim::LanePosition Locate(size_t actor, const sim::ActorPose& pose) override;
  /// The "road:lane" name of each `<a>.lane` value (OpenDRIVE road id and lane id).
  [[nodiscard]] const std::vector<std::string>& lane_names() const { return lane_names_; }

  /// The storyboard's input error that ended the episode (a position that no longer exists), "" if none.
  [[nodiscard]] const std::string& input_error() const { return input_error_; }

  /// Every entity's state at the time of the row `signals` (sim::SignalNames(world()) values) the
  /// episode's observer sees: the player's states, the ego's from the row (its reference point).
  [[nodiscard]] std::vector<openscenario::EntityState> States(std::span<const double> signals) const;

  /// The box centre of an entity at `state` (reference point) with box `box`, and back.
  [[nodiscard]] static sim::ActorPose ToCentre(const openscenario::EntityState& state, const openscenario::BoundingBox& box);
  [[nodiscard]] static openscenario::EntityState ToReference(const sim::ActorPose& pose, const openscenario::BoundingBox& box);

 private:
  std::shared_ptr<const openscenario::Scenario> scenario_;
  std::unique_ptr<openscenario::Player> player_;
  sim::WorldSpec world_;
  size_t ego_ = 0;
  size_t ego_column_ = 0;  ///< `<ego>.x` in the signals; .y, .heading, .speed follow
  std::vector<std::string> lane_names_;            ///< per lane signal value
  std::vector<std::vector<int>> lane_ids_;         ///< per road: its lane ids, left to right
  std::vector<int> lane_base_;                     ///< per road: the lane signal of its first lane
  std::vector<std::optional<opendrive::LanePos>> hints_;  ///< per actor: where Locate found it last
  /// Per actor: the pose Locate was last asked about (bit for bit) and its answer: an actor standing
  /// still is located again only when it moves (the same pose with that hint gives the same answer).
  std::vector<std::optional<std::pair<sim::ActorPose, sim::LanePosition>>> last_;
  std::string input_error_;
};

/// The scenarios one OpenScenarioWorld resolved (openscenario::LoadScenario), by their overrides: the
/// instances of a campaign that give the .xosc the same parameter values share one resolved, immutable
/// scenario instead of each reading and resolving the files again. Created with the world when the
/// scenario file is loaded (a new load starts empty, so it never serves content of an earlier load); an
/// entry is only reused for the very same path and override list (names and value texts, in order). Holds the
/// last kCapacity resolutions. Thread-safe (campaigns run instances in parallel).
class ResolvedScenarios {
 public:
  using Overrides = std::vector<std::pair<std::string, std::string>>;
  static constexpr size_t kCapacity = 16;
  /// The scenario `path` resolved with `overrides`, loaded at the first request (LoadScenario's
  /// core::InputError propagates and nothing is kept).
  [[nodiscard]] std::shared_ptr<const openscenario::Scenario> Get(const std::string& path, const Overrides& overrides);

 private:
  std::mutex mutex_;
  struct Entry {
    std::string path;
    Overrides overrides;
    std::shared_ptr<const openscenario::Scenario> scenario;
  };
  std::deque<Entry> entries_;  // newest last
};

/// A scenario file's OpenSCENARIO world, checked at load (Scenario::openscenario).
struct OpenScenarioWorld {
  OpenScenarioSpec spec;
  std::string path;                     ///< the .xosc, resolved against the scenario file's folder
  std::vector<std::string> parameters;  ///< the Gauntlet parameters the .xosc declares: they override its values
  /// The variation file's parameters (null without one): the scenario's parameters from index
  /// `variation_first` on, whose values give overrides through OpenScenarioParameters::Overrides.
  std::shared_ptr<const OpenScenarioParameters> variation;
  size_t variation_first = 0;
  /// The .xosc resolved per override list; copies of the world share it.
  std::shared_ptr<ResolvedScenarios> resolved = std::make_shared<ResolvedScenarios>();
};

/// The co-simulation of one instance: the .xosc loaded with the values of `world.parameters` among
/// `values` (named parameter values, as Scenario::NamedValues gives them) as overrides, after those
/// the variation file's parameters give (resolved once per override list: world.resolved), started.
/// Throws core::InputError (a value the .xosc refuses, a position that cannot be resolved).
[[nodiscard]] std::shared_ptr<CoSimulation> StartCoSimulation(const OpenScenarioWorld& world,
                                                              const std::vector<std::pair<std::string, double>>& values);

/// The binding `gauntlet play --model` drives the ego of `world` with (docs/openscenario.md): the
/// longitudinal convention of configs/scenarios/lead_brake.yaml. Observations: `gap_m`, the gap to the
/// nearest actor ahead (on roads, `<ego>.lane` >= 0: an actor in the ego's lane, `<o>.lane` equal, with
/// a larger `<o>.s`; off them: an actor whose centre is within half the two widths of the ego's heading
/// line, measured as |bearing| x distance, in front; its `<o>.gap`; 150 when none), `speed_mps` (the ego's
/// speed) and `closing_speed_mps` (the largest closing speed, -`<o>.rel_speed`, of the actors ahead; 0
/// when none closes); output 0 is the acceleration (m/s^2), every step.
[[nodiscard]] ModelBindingSpec DefaultOpenScenarioBinding(const sim::WorldSpec& world, const std::string& slot);

/// A scenario (no parameters, no requirements) whose world is `world` and whose binding is `binding`,
/// its observations compiled: what a ModelDriver needs to drive a co-simulation outside a suite.
/// Throws core::InputError when an observation does not compile.
[[nodiscard]] std::shared_ptr<const Scenario> BindingScenario(const std::string& name, const sim::WorldSpec& world,
                                                              const ModelBindingSpec& binding);

}  // namespace gauntlet::scenarios
