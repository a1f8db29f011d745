#pragma once
// The signal tables: the columns an episode records per actor, per other actor (relative to the ego)
// and per detector target, each with its name and unit, in column order.
//
// SignalNames (world_spec.h) names the columns from these tables (`<actor>.` + each entry's name, in
// table order), and the episode writes each value at the offset the same table gives for its id
// (`out[ActorColumn(ActorSignal::kSpeed)] = speed`, ColumnOf evaluated at compile time), so a column
// cannot be named at one position and written at another: reordering a table moves both.
//
// The model's columns (`cmd.*`, `model.advisory`) have their table in scenarios/model_binding.h, built
// on the same SignalColumn and ColumnOf.

#include <array>
#include <cstddef>
#include <string_view>

namespace gauntlet::sim {

/// One column of a signal table: what identifies it in code, its name in the trace, its unit ("1" for
/// a flag, an index or a count).
template <typename Id>
struct SignalColumn {
  Id id;
  std::string_view name;
  std::string_view unit;
};

/// The offset of column `id` in `table`; every id of a table appears exactly once (TableIsComplete).
/// Used in constant expressions: an id missing from its table does not compile.
template <typename Id, size_t N>
consteval size_t ColumnOf(const std::array<SignalColumn<Id>, N>& table, Id id) {
  for (size_t i = 0; i < N; ++i) {
    if (table[i].id == id) return i;
  }
  throw "a signal id missing from its table";  // not a constant expression: a compile error
}

/// True when the ids of `table` are 0, 1, ..., N-1 each exactly once (in any order).
template <typename Id, size_t N>
consteval bool TableIsComplete(const std::array<SignalColumn<Id>, N>& table) {
  std::array<int, N> seen{};
  for (const auto& c : table) {
    const auto k = static_cast<size_t>(c.id);
    if (k >= N || seen[k]++ != 0) return false;
  }
  return true;
}

/// An actor's own state, the block `<a>.x` ... `<a>.heading_error` (definitions: SignalNames).
enum class ActorSignal { kX, kY, kHeading, kSpeed, kAccel, kYawRate, kLane, kS, kLateralOffset, kHeadingError };
inline constexpr std::array<SignalColumn<ActorSignal>, 10> kActorSignals = {{
    {ActorSignal::kX, "x", "m"},
    {ActorSignal::kY, "y", "m"},
    {ActorSignal::kHeading, "heading", "rad"},
    {ActorSignal::kSpeed, "speed", "m/s"},
    {ActorSignal::kAccel, "accel", "m/s^2"},
    {ActorSignal::kYawRate, "yaw_rate", "rad/s"},
    {ActorSignal::kLane, "lane", "1"},
    {ActorSignal::kS, "s", "m"},
    {ActorSignal::kLateralOffset, "lateral_offset", "m"},
    {ActorSignal::kHeadingError, "heading_error", "rad"},
}};
static_assert(TableIsComplete(kActorSignals));
/// The offset of `id` in an actor's block.
consteval size_t ActorColumn(ActorSignal id) { return ColumnOf(kActorSignals, id); }

/// Another actor relative to the ego, the block `<o>.gap` ... `<o>.contact_time`.
enum class PairSignal { kGap, kRelSpeed, kTtc, kDistance, kBearing, kRelHeading, kCollision, kContactTime };
inline constexpr std::array<SignalColumn<PairSignal>, 8> kPairSignals = {{
    {PairSignal::kGap, "gap", "m"},
    {PairSignal::kRelSpeed, "rel_speed", "m/s"},
    {PairSignal::kTtc, "ttc", "s"},
    {PairSignal::kDistance, "distance", "m"},
    {PairSignal::kBearing, "bearing", "rad"},
    {PairSignal::kRelHeading, "rel_heading", "rad"},
    {PairSignal::kCollision, "collision", "1"},
    {PairSignal::kContactTime, "contact_time", "s"},
}};
static_assert(TableIsComplete(kPairSignals));
/// The offset of `id` in an other actor's block.
consteval size_t PairColumn(PairSignal id) { return ColumnOf(kPairSignals, id); }

/// A detector's view of one target, the block `<sensor>.<target>.visible` ... `.bearing`.
enum class DetectorSignal { kVisible, kRange, kBearing };
inline constexpr std::array<SignalColumn<DetectorSignal>, 3> kDetectorSignals = {{
    {DetectorSignal::kVisible, "visible", "1"},
    {DetectorSignal::kRange, "range", "m"},
    {DetectorSignal::kBearing, "bearing", "rad"},
}};
static_assert(TableIsComplete(kDetectorSignals));
/// The offset of `id` in a detector target's block.
consteval size_t DetectorColumn(DetectorSignal id) { return ColumnOf(kDetectorSignals, id); }

/// The number of signals recorded per actor (the block `<a>.x` ... `<a>.heading_error`).
inline constexpr size_t kSignalsPerActor = kActorSignals.size();
/// The number of signals recorded per non-ego actor relative to the ego.
inline constexpr size_t kSignalsPerPair = kPairSignals.size();
/// The number of signals recorded per detector target.
inline constexpr size_t kSignalsPerDetection = kDetectorSignals.size();

}  // namespace gauntlet::sim
