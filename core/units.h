#pragma once
// Quantities with units in scenario files: "50 km/h", "6 m/s^2", "1000 ft", "90 deg".
// Everything inside Gauntlet is SI (m, s, m/s, m/s^2, rad, rad/s); units are converted on input.
//
// A field's name announces its dimension by its suffix (`duration_s` a time, `speed_mps` a speed, ...:
// DimensionOfField); a unit of another dimension is an error, a plain number is taken as SI:
//
//   std::string error;
//   const std::optional<double> seconds = ParseQuantity("4 m", DimensionOfField("world.duration_s"), &error);
//   // nullopt, error = "unit 'm' is a length, not a time; use 's', 'ms', 'min' (or a plain number in SI units)"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::core {

/// What a quantity measures; each unit has one.
enum class Dimension { kLength, kTime, kSpeed, kAcceleration, kAngle, kAngularRate, kCurvature, kFrequency, kRatio };

/// "length", "time", "speed", "acceleration", "angle", "angular rate", "curvature", "frequency", "ratio".
[[nodiscard]] std::string_view DimensionName(Dimension dimension);

/// The units of `dimension`, in table order ("m", "km", "cm", "ft", "nmi" for a length).
[[nodiscard]] std::vector<std::string> UnitsOf(Dimension dimension);

/// The dimension the last field of `path` announces by its suffix: `_m` length, `_s` time, `_mps`
/// speed, `_mps2` acceleration, `_rad` angle, `_radps` angular rate, `_1pm` curvature; nullopt for
/// any other name ("world.actors[0].speed_mps" is a speed; "input_lo[2]" has none).
[[nodiscard]] std::optional<Dimension> DimensionOfField(std::string_view path);

/// The factor that converts `unit` to SI, or nullopt for an unknown unit. "" is 1.
[[nodiscard]] std::optional<double> UnitFactor(std::string_view unit);

/// The units UnitFactor knows, for suggestions.
[[nodiscard]] std::span<const std::string> KnownUnits();

/// Parses "<number> [unit]" into an SI value. On failure returns nullopt and sets `error`: not a
/// number, an unknown unit, a number out of the range of double, or one that overflows in SI units
/// ("1e308 km").
[[nodiscard]] std::optional<double> ParseQuantity(std::string_view text, std::string* error);

/// As above; a unit whose dimension is not `expected` (when given) is an error too.
[[nodiscard]] std::optional<double> ParseQuantity(std::string_view text, std::optional<Dimension> expected,
                                                  std::string* error);

}  // namespace gauntlet::core
