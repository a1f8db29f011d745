#include "sim/episode.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/check.h"
#include "core/format.h"
#include "sim/internal/world.h"

namespace gauntlet::sim {
namespace {

using internal::EpisodeFailure;
using internal::TimeText;
using internal::World;

std::string JoinErrors(const std::vector<core::FieldError>& errors) {
  std::string out = "invalid world:";
  for (const core::FieldError& e : errors) out += "\n" + (e.path.empty() ? std::string() : e.path + ": ") + e.message;
  return out;
}

}  // namespace

EpisodeResult RunEpisode(const WorldSpec& spec, const RoadNetwork& road, Controller& controller,
                         const EpisodeOptions& options) {
  EpisodeResult result;
  auto fail = [&](std::string message) {
    result.status = EpisodeStatus::kError;
    result.error = std::move(message);
    return std::move(result);
  };

  // checks before anything runs
  if (const std::vector<core::FieldError> errors = Validate(spec, road); !errors.empty()) {
    return fail(JoinErrors(errors));
  }
  if (options.control_period_steps < 1) {
    return fail("control_period_steps must be at least 1 (got " + std::to_string(options.control_period_steps) + ")");
  }
  std::vector<std::string> names = SignalNames(spec);
  const size_t world_signals = names.size();
  {
    std::vector<std::string> sorted = names;
    sorted.insert(sorted.end(), options.extra_signals.begin(), options.extra_signals.end());
    std::sort(sorted.begin(), sorted.end());
    const auto duplicate = std::adjacent_find(sorted.begin(), sorted.end());
    if (duplicate != sorted.end()) return fail("extra signal '" + *duplicate + "' is already a signal");
  }
  names.insert(names.end(), options.extra_signals.begin(), options.extra_signals.end());

  try {
    World world(spec, road, options.script != nullptr ? options.script->lane_locator() : nullptr);
    GAUNTLET_CHECK(world.signal_count() == world_signals);
    if (world.has_scripted() && options.script == nullptr) {
      return fail("the world has scripted actors but the episode has no actor script");
    }
    const size_t steps = StepCount(spec);
    const double dt = spec.time_step_s;
    if (options.record_trace) {
      result.trace = core::Trace(names);
      result.trace.SetFixedStep(dt);  // time is a step count: windows in whole steps
      result.trace.Reserve(ReservedRows(steps));
    }
    std::vector<double> row(names.size(), 0.0);
    const std::span<const double> signals(row.data(), world_signals);
    const std::span<double> extra(row.data() + world_signals, options.extra_signals.size());
    EgoCommand command;
    const size_t period = static_cast<size_t>(options.control_period_steps);

    for (size_t k = 0;; ++k) {
      const double t = static_cast<double>(k) * dt;
      // measure, control, record
      world.Measure(row);
      world.CheckFinite(t);
      if (k % period == 0) {
        try {
          controller.Act(t, signals, extra, &command);
        } catch (const std::exception& e) {
          throw EpisodeFailure("the controller failed at " + TimeText(t) + ": " + e.what());
        }
        if (!std::isfinite(command.accel_mps2) || !std::isfinite(command.steer_rad) ||
            !std::isfinite(command.turn_rate_radps)) {
          throw EpisodeFailure(TimeText(t) + ": the controller returned a non-finite command (accel_mps2=" +
                               core::FormatDouble(command.accel_mps2) +
                               ", steer_rad=" + core::FormatDouble(command.steer_rad) +
                               ", turn_rate_radps=" + core::FormatDouble(command.turn_rate_radps) + ")");
        }
      }
      if (options.record_trace) result.trace.Append(t, row);
      ++result.steps;
      const bool keep_going = !options.observer || options.observer(t, row);
      if (!keep_going || (options.stop_on_collision && world.ego_collided())) {
        result.status = EpisodeStatus::kStoppedEarly;
        break;
      }
      if (k == steps) break;
      // act and move
      if (world.has_scripted() && !world.AdvanceScript(*options.script, t)) break;  // the script's scenario ended
      world.UpdateBehaviours(t);
      world.Integrate(command, static_cast<double>(k + 1) * dt);
    }
  } catch (const EpisodeFailure& failure) {
    return fail(failure.what());
  }
  return result;
}

EpisodeResult RunEpisode(const WorldSpec& spec, Controller& controller, const EpisodeOptions& options) {
  std::vector<core::FieldError> errors;
  const RoadNetwork road = RoadNetwork::Build(spec.road, &errors, "road");
  if (!errors.empty()) {
    EpisodeResult result;
    result.status = EpisodeStatus::kError;
    result.error = JoinErrors(errors);
    return result;
  }
  return RunEpisode(spec, road, controller, options);
}

}  // namespace gauntlet::sim

