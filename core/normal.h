#pragma once
// The normal distribution's CDF and quantile, and the quantile of a truncated normal: the one
// implementation behind scenario parameters (scenarios/parameter_space.h) and OpenSCENARIO's
// stochastic distributions (openscenario/distribution.h).
//
//   const double z = core::NormalQuantile(0.975);                                   // 1.959963984540054
//   const double v = core::TruncatedNormalQuantile(0.5, 10.0, 2.0, 9.0, INFINITY);  // the median of N(10, 2) above 9

namespace gauntlet::core {

/// The standard normal CDF Φ(z).
[[nodiscard]] double NormalCdf(double z);
/// The upper tail 1 - Φ(z), accurate for large z.
[[nodiscard]] double NormalUpperTail(double z);
/// The inverse of NormalCdf for p in (0, 1); ±inf at 0 and 1. Accurate to about 1e-15 relative.
[[nodiscard]] double NormalQuantile(double p);
/// The value whose CDF is u (clamped into [0, 1), and away from 0 when a bound is infinite) under the
/// normal (mean, stddev > 0) truncated to [lo, hi] (either may be infinite), clamped into [lo, hi]; both
/// bounds in the upper tail are handled through the upper tail 1 - Φ for precision.
[[nodiscard]] double TruncatedNormalQuantile(double u, double mean, double stddev, double lo, double hi);
/// The CDF at `value` (clamped into [lo, hi]) of that truncated normal: the inverse of
/// TruncatedNormalQuantile (through the upper tail when both bounds lie in it). Not clamped into [0, 1).
[[nodiscard]] double TruncatedNormalCdf(double value, double mean, double stddev, double lo, double hi);

}  // namespace gauntlet::core
