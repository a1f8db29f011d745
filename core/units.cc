#include "core/units.h"

#include <charconv>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "core/suggest.h"
#include "core/text.h"

namespace gauntlet::core {
namespace {

struct UnitEntry {
  std::string name;
  double factor;
  Dimension dimension;
};

const std::vector<UnitEntry>& Table() {
  static const std::vector<UnitEntry> table = {
      {"m", 1.0, Dimension::kLength},
      {"km", 1000.0, Dimension::kLength},
      {"cm", 0.01, Dimension::kLength},
      {"ft", 0.3048, Dimension::kLength},
      {"nmi", 1852.0, Dimension::kLength},
      {"s", 1.0, Dimension::kTime},
      {"ms", 0.001, Dimension::kTime},
      {"min", 60.0, Dimension::kTime},
      {"m/s", 1.0, Dimension::kSpeed},
      {"km/h", 1.0 / 3.6, Dimension::kSpeed},
      {"kph", 1.0 / 3.6, Dimension::kSpeed},
      {"mph", 0.44704, Dimension::kSpeed},
      {"ft/s", 0.3048, Dimension::kSpeed},
      {"kn", 1852.0 / 3600.0, Dimension::kSpeed},
      {"m/s^2", 1.0, Dimension::kAcceleration},
      {"m/s2", 1.0, Dimension::kAcceleration},
      {"g", 9.80665, Dimension::kAcceleration},
      {"rad", 1.0, Dimension::kAngle},
      {"deg", std::numbers::pi / 180.0, Dimension::kAngle},
      {"rad/s", 1.0, Dimension::kAngularRate},
      {"deg/s", std::numbers::pi / 180.0, Dimension::kAngularRate},
      {"1/m", 1.0, Dimension::kCurvature},
      {"Hz", 1.0, Dimension::kFrequency},
      {"%", 0.01, Dimension::kRatio},
  };
  return table;
}

const UnitEntry* Find(std::string_view unit) {
  for (const UnitEntry& entry : Table()) {
    if (entry.name == unit) return &entry;
  }
  return nullptr;
}

/// The field-name suffixes that announce a dimension, longest first where one ends another.
struct Suffix {
  std::string_view suffix;
  Dimension dimension;
};
constexpr Suffix kSuffixes[] = {
    {"_mps2", Dimension::kAcceleration}, {"_mps", Dimension::kSpeed},   {"_radps", Dimension::kAngularRate},
    {"_rad", Dimension::kAngle},         {"_1pm", Dimension::kCurvature}, {"_s", Dimension::kTime},
    {"_m", Dimension::kLength},
};

/// "a length", "an angle".
std::string WithArticle(std::string_view noun) {
  const bool vowel = !noun.empty() && std::string_view("aeiou").find(noun.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(noun);
}

}  // namespace

std::optional<double> UnitFactor(std::string_view unit) {
  if (unit.empty()) return 1.0;
  if (const UnitEntry* entry = Find(unit)) return entry->factor;
  return std::nullopt;
}

std::span<const std::string> KnownUnits() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const UnitEntry& entry : Table()) out.push_back(entry.name);
    return out;
  }();
  return names;
}

std::string_view DimensionName(Dimension dimension) {
  switch (dimension) {
    case Dimension::kLength:
      return "length";
    case Dimension::kTime:
      return "time";
    case Dimension::kSpeed:
      return "speed";
    case Dimension::kAcceleration:
      return "acceleration";
    case Dimension::kAngle:
      return "angle";
    case Dimension::kAngularRate:
      return "angular rate";
    case Dimension::kCurvature:
      return "curvature";
    case Dimension::kFrequency:
      return "frequency";
    case Dimension::kRatio:
      return "ratio";
  }
  return "quantity";
}

std::vector<std::string> UnitsOf(Dimension dimension) {
  std::vector<std::string> out;
  for (const UnitEntry& entry : Table()) {
    if (entry.dimension == dimension) out.push_back(entry.name);
  }
  return out;
}

std::optional<Dimension> DimensionOfField(std::string_view path) {
  // the last component of a field path, without an index: "world.actors[0].speed_mps" -> "speed_mps"
  if (const size_t dot = path.rfind('.'); dot != std::string_view::npos) path.remove_prefix(dot + 1);
  if (const size_t bracket = path.find('['); bracket != std::string_view::npos) path = path.substr(0, bracket);
  for (const Suffix& s : kSuffixes) {
    if (path.size() > s.suffix.size() && path.ends_with(s.suffix)) return s.dimension;
  }
  return std::nullopt;
}

std::optional<double> ParseQuantity(std::string_view text, std::string* error) {
  return ParseQuantity(text, std::nullopt, error);
}

std::optional<double> ParseQuantity(std::string_view text, std::optional<Dimension> expected, std::string* error) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  std::string_view number = text;
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  double value = 0.0;
  const auto result = std::from_chars(number.data(), number.data() + number.size(), value);
  if (result.ptr == number.data() || (result.ec != std::errc() && result.ec != std::errc::result_out_of_range)) {
    if (error) *error = Quote(text) + " is not a number";
    return std::nullopt;
  }
  std::string_view unit(result.ptr, number.data() + number.size() - result.ptr);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  const UnitEntry* entry = unit.empty() ? nullptr : Find(unit);
  if (!unit.empty() && entry == nullptr) {
    if (error) *error = "unknown unit " + Quote(unit) + DidYouMean(unit, KnownUnits());
    return std::nullopt;
  }
  if (result.ec == std::errc::result_out_of_range) {
    // from_chars reports overflow and underflow alike: a negative exponent is an underflow
    const size_t e = number.find_first_of("eE");
    const bool tiny = e != std::string_view::npos && e + 1 < number.size() && number[e + 1] == '-';
    if (error) {
      *error = Quote(text) + (tiny ? " is too small: it is below the smallest positive number (about 4.9e-324)"
                                   : " is too large: it is beyond the largest finite number (about 1.8e308)");
    }
    return std::nullopt;
  }
  if (!std::isfinite(value)) {
    if (error) *error = Quote(text) + " is not a finite number";
    return std::nullopt;
  }
  if (entry != nullptr && expected && entry->dimension != *expected) {
    if (error) {
      *error = "unit " + Quote(unit) + " is " + WithArticle(DimensionName(entry->dimension)) + ", not " +
               WithArticle(DimensionName(*expected)) + "; use " + QuotedList(UnitsOf(*expected)) +
               " (or a plain number in SI units)";
    }
    return std::nullopt;
  }
  const double si = value * (entry != nullptr ? entry->factor : 1.0);
  if (!std::isfinite(si)) {
    if (error) *error = Quote(text) + " overflows: it is beyond the largest finite number (about 1.8e308) in SI units";
    return std::nullopt;
  }
  return si;
}

}  // namespace gauntlet::core
