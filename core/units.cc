#include "core/units.h"

#include <charconv>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "core/suggest.h"

namespace gauntlet::core {
namespace {

const std::vector<std::pair<std::string, double>>& Table() {
  static const std::vector<std::pair<std::string, double>> table = {
      {"m", 1.0},
      {"km", 1000.0},
      {"cm", 0.01},
      {"ft", 0.3048},
      {"nmi", 1852.0},
      {"s", 1.0},
      {"ms", 0.001},
      {"min", 60.0},
      {"m/s", 1.0},
      {"km/h", 1.0 / 3.6},
      {"kph", 1.0 / 3.6},
      {"mph", 0.44704},
      {"ft/s", 0.3048},
      {"kn", 1852.0 / 3600.0},
      {"m/s^2", 1.0},
      {"m/s2", 1.0},
      {"g", 9.80665},
      {"rad", 1.0},
      {"deg", std::numbers::pi / 180.0},
      {"rad/s", 1.0},
      {"deg/s", std::numbers::pi / 180.0},
      {"1/m", 1.0},
      {"Hz", 1.0},
      {"%", 0.01},
  };
  return table;
}

}  // namespace

std::optional<double> UnitFactor(std::string_view unit) {
  if (unit.empty()) return 1.0;
  for (const auto& [name, factor] : Table()) {
    if (name == unit) return factor;
  }
  return std::nullopt;
}

std::span<const std::string> KnownUnits() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& entry : Table()) out.push_back(entry.first);
    return out;
  }();
  return names;
}

std::optional<double> ParseQuantity(std::string_view text, std::string* error) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  std::string_view number = text;
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  double value = 0.0;
  const auto result = std::from_chars(number.data(), number.data() + number.size(), value);
  if (result.ec != std::errc() || result.ptr == number.data()) {
    if (error) *error = "'" + std::string(text) + "' is not a number";
    return std::nullopt;
  }
  std::string_view unit(result.ptr, number.data() + number.size() - result.ptr);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  const auto factor = UnitFactor(unit);
  if (!factor) {
    if (error) *error = "unknown unit '" + std::string(unit) + "'" + DidYouMean(unit, KnownUnits());
    return std::nullopt;
  }
  if (!std::isfinite(value)) {
    if (error) *error = "'" + std::string(text) + "' is not a finite number";
    return std::nullopt;
  }
  return value * *factor;
}

}  // namespace gauntlet::core
