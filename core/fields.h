#pragma once
// Fields listed once.
//
// Configuration structs (a road, an actor, a behaviour, a generator, a gate policy) list their fields
// in one Serialize member template. That one list drives strict YAML loading in scenarios/ (unknown
// keys, duplicate keys, wrong types and missing required keys are errors with file:line:col),
// per-instance parameter substitution, saving and docs. The struct itself knows nothing of YAML.
//
//   struct BrakeToStop {
//     static constexpr std::string_view kName = "brake_to_stop";   // for std::variant alternatives
//     double decel_mps2 = 0.0;
//     std::optional<double> jerk_mps3;
//     template <class Archive>
//     void Serialize(Archive* a) {
//       a->Visit("decel_mps2", &decel_mps2, core::kRequired);
//       a->Visit("jerk_mps3", &jerk_mps3);
//     }
//   };
//
// Field types an archive understands: double (a number field: in YAML a number, a quantity with a
// unit such as "50 km/h", a parameter name or an expression "${ego_speed * 1.2}"), int, int64_t,
// bool, std::string, enums (see EnumNames below), structs with Serialize, std::optional<T>,
// std::vector<T>, std::map<std::string, T>, and std::variant<A, B, ...> whose alternatives are structs
// with a `kName` (in YAML a mapping with exactly one key, the alternative's name).
//
// An enum type E is a field type when a function `std::span<const core::EnumName<E>> EnumNames(E)`
// is declared next to it (found by argument-dependent lookup).
//
// Semantic checks that need more than one field (a trigger naming an unknown actor, overlapping
// actors) return FieldErrors whose `path` uses the same spelling the archive builds
// (`actors[1].behaviours[0].trigger.actor`); the loader maps each path back to file:line:col.

#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::core {

/// Whether a field must be present in the input.
enum FieldPresence { kOptional = 0, kRequired = 1 };

/// One name of an enum value, for EnumNames.
template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

/// A semantic problem found after loading, located by field path.
struct FieldError {
  std::string path;     ///< e.g. "actors[1].behaviours[0].trigger.actor"; "" is the whole document
  std::string message;  ///< e.g. "unknown actor 'leda' (did you mean 'lead'?)"
};

/// Field paths as archives build them: `JoinPath("actors[1]", "speed")` is "actors[1].speed".
[[nodiscard]] inline std::string JoinPath(std::string_view parent, std::string_view field) {
  if (parent.empty()) return std::string(field);
  std::string out(parent);
  out += '.';
  out += field;
  return out;
}
[[nodiscard]] inline std::string IndexPath(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

}  // namespace gauntlet::core
