#pragma once
// Writes a struct with a Serialize field list (core/fields.h) as block YAML that YamlReader reads
// back to the same value: the inverse of loading, for files Gauntlet generates (`gauntlet import`).
//
//   sim::WorldSpec world = ...;
//   std::string text = "world:\n" + ToYamlFields(world, 2);   // "  time_step_s: 0.05\n  duration_s: 8\n..."
//
// Only required fields and fields whose value differs from a default-constructed struct's are
// written. Numbers are the shortest decimals that read back to the same double (core::FormatDouble);
// strings are double-quoted; enums by their names; an absent optional is left out; a variant is a
// mapping with one key, its alternative's name; an empty list is `[]`, an empty mapping `{}`.

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/fields.h"
#include "core/format.h"
#include "scenarios/yaml_reader.h"

namespace gauntlet::scenarios {
namespace internal {

/// A YAML double-quoted scalar.
inline std::string QuoteYaml(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

template <typename T>
constexpr bool kScalar = std::is_arithmetic_v<T> || std::is_enum_v<T> || std::is_same_v<T, std::string>;

/// A scalar's YAML text.
template <typename T>
std::string ScalarText(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_floating_point_v<T>) {
    return core::FormatDouble(static_cast<double>(v));
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return QuoteYaml(v);
  } else {
    static_assert(NamedEnum<T>, "an enum field needs EnumNames");
    for (const auto& n : EnumNames(v))
      if (n.value == v) return std::string(n.name);
    return "?";
  }
}

template <typename T>
std::string FieldsText(const T& value, int indent);

/// `key: value` (or `key:` and the block below) at `indent`; "" for an absent optional.
template <typename T>
std::string FieldText(std::string_view key, const T& v, int indent) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  const std::string head = pad + std::string(key) + ":";
  if constexpr (kScalar<T>) {
    return head + " " + ScalarText(v) + "\n";
  } else if constexpr (IsOptional<T>::value) {
    return v ? FieldText(key, *v, indent) : std::string();
  } else if constexpr (IsVector<T>::value) {
    using E = typename T::value_type;
    if (v.empty()) return head + " []\n";
    if constexpr (kScalar<E>) {
      std::string out = head + " [";
      for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + ScalarText(static_cast<E>(v[i]));
      return out + "]\n";
    } else {
      std::string out = head + "\n";
      for (const E& item : v) {
        std::string body;
        if constexpr (IsVariant<E>::value) {
          std::visit([&](const auto& alt) { body = FieldText(std::decay_t<decltype(alt)>::kName, alt, indent + 2); }, item);
        } else {
          body = FieldsText(item, indent + 2);
        }
        if (body.empty()) {
          out += pad + "- {}\n";
        } else {
          body.replace(0, static_cast<size_t>(indent) + 2, pad + "- ");
          out += body;
        }
      }
      return out;
    }
  } else if constexpr (IsVariant<T>::value) {
    std::string out = head + "\n";
    std::visit([&](const auto& alt) { out += FieldText(std::decay_t<decltype(alt)>::kName, alt, indent + 2); }, v);
    return out;
  } else {
    const std::string body = FieldsText(v, indent + 2);
    return body.empty() ? head + " {}\n" : head + "\n" + body;
  }
}

/// Renders each visited field of one struct.
class FieldRenderer {
 public:
  explicit FieldRenderer(int indent) : indent_(indent) {}
  template <typename T>
  void Visit(std::string_view name, T* field, core::FieldPresence presence = core::kOptional) {
    fields.push_back({FieldText(name, *field, indent_), presence == core::kRequired});
  }
  std::vector<std::pair<std::string, bool>> fields;  ///< text, required

 private:
  int indent_;
};

/// The fields of `value` that are required or differ from a default T's, each at `indent`.
template <typename T>
std::string FieldsText(const T& value, int indent) {
  T copy = value;
  T fresh{};
  FieldRenderer mine(indent), defaults(indent);
  copy.Serialize(&mine);
  fresh.Serialize(&defaults);
  std::string out;
  for (size_t i = 0; i < mine.fields.size(); ++i)
    if (mine.fields[i].second || mine.fields[i].first != defaults.fields[i].first) out += mine.fields[i].first;
  return out;
}

}  // namespace internal

/// The YAML lines of `value`'s fields (see the header comment), each indented by `indent` spaces.
template <typename T>
[[nodiscard]] std::string ToYamlFields(const T& value, int indent = 0) {
  return internal::FieldsText(value, indent);
}

/// A double-quoted YAML scalar of `text`.
[[nodiscard]] inline std::string YamlString(std::string_view text) { return internal::QuoteYaml(text); }

}  // namespace gauntlet::scenarios
