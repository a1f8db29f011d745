#pragma once
// Small builders and trace look-ups shared by the sim tests.

#include <string>
#include <string_view>
#include <utility>

#include "core/trace.h"
#include "sim/world_spec.h"

namespace gauntlet::sim::testing_worlds {

/// A vehicle placed on `lane` at `s_m`, moving at `speed_mps`.
inline ActorSpec Car(std::string name, std::string lane, double s_m, double speed_mps = 10.0) {
  ActorSpec a;
  a.name = std::move(name);
  a.lane = std::move(lane);
  a.s_m = s_m;
  a.speed_mps = speed_mps;
  return a;
}

/// An actor of `kind` placed freely at (x, y) with an absolute heading.
inline ActorSpec Free(std::string name, ActorKind kind, double x, double y, double heading, double speed) {
  ActorSpec a;
  a.name = std::move(name);
  a.kind = kind;
  a.x_m = x;
  a.y_m = y;
  a.heading_rad = heading;
  a.speed_mps = speed;
  return a;
}

/// The value of `signal` at `row`.
inline double At(const core::Trace& trace, std::string_view signal, size_t row) { return trace.column(signal)[row]; }

/// The first row at which `signal` is at least `at_least`; trace.size() when none.
inline size_t FirstRow(const core::Trace& trace, std::string_view signal, double at_least) {
  const auto column = trace.column(signal);
  for (size_t i = 0; i < column.size(); ++i)
    if (column[i] >= at_least) return i;
  return column.size();
}

}  // namespace gauntlet::sim::testing_worlds
