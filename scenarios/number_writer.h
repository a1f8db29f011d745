#pragma once
// Writes per-instance values into the number fields that a scenario binds to parameters.
//
// YamlReader records which number fields hold a parameter name or an expression, by field path.
// For each instance, NumberWriter walks the same Serialize list over a copy of the loaded struct and
// sets every bound field to the value the lookup gives for its path.
//
//   sim::WorldSpec world = scenario.world;           // the loaded template
//   WriteNumbers(&world, "world", [&](const std::string& path) { return values.Find(path); });

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/fields.h"
#include "scenarios/yaml_reader.h"

namespace gauntlet::scenarios {

using NumberLookup = std::function<std::optional<double>(const std::string& path)>;

class NumberWriter {
 public:
  explicit NumberWriter(const NumberLookup& lookup) : lookup_(lookup) {}

  template <typename T>
  void Write(const std::string& path, T* value) {
    if constexpr (std::is_same_v<T, double>) {
      if (const auto v = lookup_(path)) *value = *v;
    } else if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T> || std::is_same_v<T, std::string>) {
      // not a number field
    } else if constexpr (internal::IsOptional<T>::value) {
      if (value->has_value()) Write(path, &**value);
    } else if constexpr (internal::IsVector<T>::value) {
      for (size_t i = 0; i < value->size(); ++i) Write(core::IndexPath(path, i), &(*value)[i]);
    } else if constexpr (internal::IsStringMap<T>::value) {
      for (auto& [key, item] : *value) Write(core::JoinPath(path, key), &item);
    } else if constexpr (internal::IsVariant<T>::value) {
      std::visit([&](auto& alt) { Write(core::JoinPath(path, std::decay_t<decltype(alt)>::kName), &alt); }, *value);
    } else {
      const std::string* saved = path_;
      path_ = &path;
      value->Serialize(this);
      path_ = saved;
    }
  }

  template <typename T>
  void Visit(std::string_view name, T* field, core::FieldPresence = core::kOptional) {
    Write(core::JoinPath(*path_, name), field);
  }

 private:
  const NumberLookup& lookup_;
  const std::string* path_ = nullptr;
};

/// Sets every number field of `value` (read at `path`) for which `lookup` has a value.
template <typename T>
void WriteNumbers(T* value, const std::string& path, const NumberLookup& lookup) {
  NumberWriter writer(lookup);
  writer.Write(path, value);
}

}  // namespace gauntlet::scenarios
