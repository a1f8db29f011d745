#pragma once
// RunEpisode: one simulated run of a world, the ego driven by a controller callback.
//
// Each call builds a fresh Bullet collision world (when the world has sensors), places the actors,
// and steps at the spec's fixed time_step_s: time = step * time_step_s (never a running sum). One
// row of signals is produced per time point t = 0, dt, ..., steps * dt, in the order of
// SignalNames(spec) followed by options.extra_signals. Per step:
//   1. the state at t is measured: contacts and clearances from the footprints (also contacts within
//      the step just taken, by a swept test), poses to Bullet for the sensors' rays; the lane signals
//      from the world's roads, or from the ActorScript's LaneLocator when it has one;
//   2. every control_period_steps steps the controller is called with that row and writes an
//      EgoCommand (and its extra columns, held between calls);
//   3. the row is recorded (unless record_trace is off) and given to the observer, which may stop;
//   4. behaviours fire and command the other actors; the ActorScript, if any, gives the scripted
//      actors' poses at t + dt; every actor is integrated to t + dt (a scripted one is set to its pose).
// No wall clock and no randomness are used: the same inputs give a bit-identical trace, on any
// thread. A NaN or infinity from the controller or in the state ends the episode with an error
// (status kError, the time and what), never a crash; so does an exception (std::exception) thrown by
// the controller, and an invalid spec. The rows before the error stay in the trace.
//
//   LambdaController controller([](double t, std::span<const double> row, std::span<double>, EgoCommand* cmd) {
//     cmd->accel_mps2 = -2.0;
//   });
//   const RoadNetwork road = RoadNetwork::Build(spec.road, &errors);
//   EpisodeResult result = RunEpisode(spec, road, controller, {});
//   std::span<const double> gap = result.trace.column("lead.gap");
//
// The ego's command: a vehicle uses accel_mps2 and steer_rad; a pedestrian or cyclist accel_mps2 and
// turn_rate_radps; an aircraft turn_rate_radps (constant speed); a static ego ignores it. Commands
// are clipped to the actor's limits (and road friction), never rejected.
//
// Caveats: actors other than the ego follow their lane exactly (lane coordinates, no steering
// model) until they leave it (cross_road); contacts are reported, not resolved (bodies pass through
// one another: post-impact motion is not simulated).

#include <algorithm>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/trace.h"
#include "sim/road_network.h"
#include "sim/world_spec.h"

namespace gauntlet::sim {

/// Rows an episode's trace reserves up front (a minute at 100 Hz), at most: a longer run grows its
/// trace as it goes, and a run that stops early (its budget, a violation) never pays for the full
/// horizon. Per-row buffers kept beside the trace (online monitors) reserve as many.
[[nodiscard]] inline size_t ReservedRows(size_t steps) { return std::min<size_t>(steps + 1, 8192); }

/// What the controller asks of the ego for the next control period.
struct EgoCommand {
  double accel_mps2 = 0.0;       ///< vehicle, pedestrian, cyclist
  double steer_rad = 0.0;        ///< vehicle (front wheel angle, positive left)
  double turn_rate_radps = 0.0;  ///< pedestrian, cyclist, aircraft (positive left)
};

/// Drives the ego. One controller object serves one episode at a time (it may keep state).
class Controller {
 public:
  virtual ~Controller() = default;
  /// Called at t = 0 and every control_period_steps steps after. `signals` holds the current values
  /// of SignalNames(spec); `extra` the caller-defined columns (EpisodeOptions::extra_signals), which
  /// the controller may overwrite (they keep their values until it does; 0 at the start).
  /// `*command` holds the previous command on entry.
  virtual void Act(double time_s, std::span<const double> signals, std::span<double> extra, EgoCommand* command) = 0;
};

/// A Controller made from a function (tests, benchmarks, simple reference controllers).
class LambdaController : public Controller {
 public:
  using Function = std::function<void(double, std::span<const double>, std::span<double>, EgoCommand*)>;
  explicit LambdaController(Function function) : function_(std::move(function)) {}
  void Act(double time_s, std::span<const double> signals, std::span<double> extra, EgoCommand* command) override {
    function_(time_s, signals, extra, command);
  }

 private:
  Function function_;
};

/// One actor's pose as an ActorScript sees and writes it: the centre of its box, its heading and speed.
struct ActorPose {
  double x_m = 0.0;
  double y_m = 0.0;
  double heading_rad = 0.0;  ///< counter-clockwise from +x
  double speed_mps = 0.0;    ///< along the heading (negative: reversing)
};

/// Gives the lane signals (`<a>.lane`, `.s`, `.lateral_offset`, `.heading_error`) of every actor from
/// roads the sim does not know (an OpenDRIVE network: scenarios/openscenario_world.h) instead of the
/// world's RoadNetwork. Only these four signals change: friction, `<o>.gap` along a lane and the lanes
/// the sim's actors follow still use the world's own roads (none in such a world). One locator serves
/// one episode.
class LaneLocator {
 public:
  virtual ~LaneLocator() = default;
  /// The lane coordinates of actor `actor` (spec order) whose box centre and heading are `pose`: `lane`
  /// a number >= 0 identifying the lane (-1: no lane), `s_m` along it, `lateral_offset_m` from its
  /// centre (positive left of its driving direction), `heading_error_rad` (heading minus the lane's
  /// driving direction, in (-pi, pi]). Called for every actor in actor order when each row is measured
  /// (t = 0, dt, ...); an exception ends the episode with an error, as for the controller.
  virtual LanePosition Locate(size_t actor, const ActorPose& pose) = 0;
};

/// Moves the actors marked `scripted` (ActorSpec::scripted) from outside the simulation, e.g. another
/// player following its own storyboard (scenarios/openscenario_world.h). Every signal of a scripted
/// actor (`<a>.accel` from its speeds, `<a>.gap`, `.ttc`, contacts, sensors) is measured as for any
/// other actor. One script serves one episode.
class ActorScript {
 public:
  virtual ~ActorScript() = default;
  /// Called once per step from t = `time_s` to t + dt, after the controller and the observer: `now`
  /// holds every actor's pose at t (actor order, the ego included); the script writes each scripted
  /// actor's pose at t + dt into `next` (same order; it holds the poses at t on entry, entries of other
  /// actors are not read). Returning false ends the episode at t (status kCompleted: the script's
  /// scenario is over). An exception ends the episode with an error, as for the controller.
  virtual bool Advance(double time_s, std::span<const ActorPose> now, std::span<ActorPose> next) = 0;
  /// The locator of the script's own roads, which then gives every actor's lane signals (null, the
  /// default: the world's RoadNetwork gives them). Asked once, before the first row.
  [[nodiscard]] virtual LaneLocator* lane_locator() { return nullptr; }
};

/// Settings of one episode. Every field has a default, so {} is valid.
struct EpisodeOptions {
  int control_period_steps = 1;              ///< the controller is called every this many steps (>= 1)
  std::vector<std::string> extra_signals{};  ///< columns after SignalNames(spec), written by the controller
  bool record_trace = true;                  ///< off: only the observer sees the rows
  bool stop_on_collision = false;            ///< end the run (status kStoppedEarly) at the first ego contact
  /// Called with every row (time, then SignalNames + extra_signals values); return false to stop
  /// the run early (status kStoppedEarly; the row is recorded).
  std::function<bool(double time_s, std::span<const double> row)> observer{};
  /// Moves the scripted actors (needed when the world has any; must outlive the run).
  ActorScript* script = nullptr;
};

enum class EpisodeStatus { kCompleted, kStoppedEarly, kError };

/// The outcome of RunEpisode.
struct EpisodeResult {
  core::Trace trace;  ///< empty when record_trace is off
  EpisodeStatus status = EpisodeStatus::kCompleted;
  std::string error{};  ///< for kError: what happened, with the simulation time
  size_t steps = 0;     ///< rows produced (recorded or observed); steps - 1 integration steps
};

/// Simulates `spec` on `road` (built from spec.road) with the ego driven by `controller`.
/// Safe to call from many threads at once with different controllers.
[[nodiscard]] EpisodeResult RunEpisode(const WorldSpec& spec, const RoadNetwork& road, Controller& controller,
                                       const EpisodeOptions& options = {});

/// Builds the road network from spec.road, then runs as above.
[[nodiscard]] EpisodeResult RunEpisode(const WorldSpec& spec, Controller& controller,
                                       const EpisodeOptions& options = {});

}  // namespace gauntlet::sim
