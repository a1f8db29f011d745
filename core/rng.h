#pragma once
// Deterministic random streams.
//
// Every random draw in Gauntlet comes from an Rng whose seed is derived from stable names and
// indices, never from time or thread identity, so a run is reproducible for any thread count,
// shard split or replay. The distributions are implemented here (std:: distributions differ
// between standard libraries), so the same seed gives the same numbers on every platform.
//
//   core::Rng rng = core::Rng::ForInstance(suite_seed, "lead_brake", 17);
//   double u = rng.Uniform(0.0, 1.0);
//   core::Rng noise = rng.Fork("sensor.gap");   // an independent sub-stream

#include <array>
#include <cstdint>
#include <string_view>

namespace gauntlet::core {

/// 64-bit FNV-1a hash of `text`: stable across platforms and runs.
[[nodiscard]] uint64_t StableHash(std::string_view text);

/// SplitMix64 finaliser: a bijective 64-bit mixer.
[[nodiscard]] uint64_t Mix64(uint64_t x);

/// A xoshiro256** generator with platform-independent distributions.
class Rng {
 public:
  explicit Rng(uint64_t seed);

  /// The stream of instance `index` of scenario `scenario_id` in a suite run with `suite_seed`.
  [[nodiscard]] static Rng ForInstance(uint64_t suite_seed, std::string_view scenario_id, uint64_t index);
  /// The seed ForInstance uses (recorded in results so a case can be replayed).
  [[nodiscard]] static uint64_t InstanceSeed(uint64_t suite_seed, std::string_view scenario_id, uint64_t index);

  /// An independent stream named `purpose`, derived from this stream's seed (not its position).
  [[nodiscard]] Rng Fork(std::string_view purpose) const;

  [[nodiscard]] uint64_t seed() const { return seed_; }

  uint64_t NextU64();
  /// Uniform in [0, 1) with 53 random bits.
  double Uniform();
  /// Uniform in [lo, hi).
  double Uniform(double lo, double hi);
  /// Uniform integer in [0, n); n > 0. Unbiased (rejection).
  uint64_t UniformInt(uint64_t n);
  /// Standard normal (Marsaglia polar method).
  double Normal();
  double Normal(double mean, double stddev) { return mean + stddev * Normal(); }

 private:
  uint64_t seed_;
  std::array<uint64_t, 4> s_;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

}  // namespace gauntlet::core
