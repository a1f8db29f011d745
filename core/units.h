#pragma once
// Quantities with units in scenario files: "50 km/h", "6 m/s^2", "1000 ft", "90 deg".
// Everything inside Gauntlet is SI (m, s, m/s, m/s^2, rad, rad/s); units are converted on input.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gauntlet::core {

/// The factor that converts `unit` to SI, or nullopt for an unknown unit. "" is 1.
[[nodiscard]] std::optional<double> UnitFactor(std::string_view unit);

/// The units UnitFactor knows, for suggestions.
[[nodiscard]] std::span<const std::string> KnownUnits();

/// Parses "<number> [unit]" into an SI value. On failure returns nullopt and sets `error`.
[[nodiscard]] std::optional<double> ParseQuantity(std::string_view text, std::string* error);

}  // namespace gauntlet::core
