#pragma once
// Strict YAML loading of structs that list their fields once (core/fields.h).
//
// YamlReader walks a struct's Serialize list against a YAML node and reports every problem at once,
// each at its file:line:col: unknown keys (with a did-you-mean), duplicate keys (yaml-cpp keeps both
// silently), wrong types, missing required keys, unknown enum values and variant alternatives.
// Number fields accept a plain number, a quantity with a unit ("50 km/h"), or, when a NumberBinder is
// given, a parameter name or an expression "${ego_speed * 1.2}"; the binder records those by field
// path so each instance can substitute its own parameter values (see ApplyNumbers).
//
//   core::Diagnostics diags;
//   YamlReader reader("configs/lead_brake.yaml", &diags, &binder);
//   sim::WorldSpec world;
//   reader.Read(root["world"], "world", &world);
//   diags.ThrowIfAny();
//   const core::SourcePos at = reader.PositionOf("world.actors[1].speed_mps");   // for errors found later
//
// Prototypes (catalogue entries, docs/scenario-format.md "Sharing definitions"): after
// SetPrototypes<T>(fill), a mapping read into a T may hold `use: NAME`. `fill` copies the entry NAME
// into the value first (and may ImportPositions from the entry's own reader, so later errors about
// fields the entry gave point into the entry's file); the mapping's other keys then override single
// fields: a list or a map is replaced whole, a nested struct field by field. Required keys may be left
// out: the entry supplies them.

#include <yaml-cpp/yaml.h>

#include <any>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeindex>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/error.h"
#include "core/fields.h"
#include "core/suggest.h"
#include "core/text.h"

namespace gauntlet::scenarios {

/// Turns a number field that is not a literal (a parameter name or "${...}") into a value.
/// Bind returns the value to use while loading (the nominal one) and records the binding, or returns
/// nullopt after reporting the problem to `diags`.
class NumberBinder {
 public:
  virtual ~NumberBinder() = default;
  virtual std::optional<double> Bind(const std::string& path, std::string_view text, const core::SourcePos& pos,
                                     core::Diagnostics* diags) = 0;
};

/// The deepest nesting of lists and mappings an input YAML file may have (a scenario needs about 8).
inline constexpr size_t kMaxYamlDepth = 100;
/// The most values (keys, scalars, lists and mappings, counting what aliases repeat) a YAML file may hold.
inline constexpr uint64_t kMaxYamlNodes = 1000000;
/// The most entries one list or mapping of a YAML file may have (more than any limit of what they
/// describe: 10,000 actors, 10,000 parameters).
inline constexpr uint64_t kMaxYamlEntries = 20000;

/// Loads a YAML file: a regular file of at most 16 MiB (core::ReadInputFile), valid UTF-8, within
/// kMaxYamlDepth, kMaxYamlNodes and kMaxYamlEntries (checked on the parser's events, before the tree is built). Any
/// problem, or a syntax error, is a core::InputError at its file:line:col.
[[nodiscard]] YAML::Node LoadYamlFile(const std::string& path);

namespace internal {

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};
template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <typename T>
struct IsStringMap : std::false_type {};
template <typename T>
struct IsStringMap<std::map<std::string, T>> : std::true_type {};
template <typename T>
struct IsVariant : std::false_type {};
template <typename... T>
struct IsVariant<std::variant<T...>> : std::true_type {};

template <typename T>
concept Serializable = requires(T t) { &T::template Serialize<int>; };

template <typename E>
concept NamedEnum = std::is_enum_v<E> && requires(E e) { EnumNames(e); };

/// Collects the field names of a struct.
class NameCollector {
 public:
  template <typename T>
  void Visit(std::string_view name, T*, core::FieldPresence = core::kOptional) {
    names.emplace_back(name);
  }
  std::vector<std::string> names;
};

}  // namespace internal

class YamlReader {
 public:
  YamlReader(std::string file, core::Diagnostics* diags, NumberBinder* binder = nullptr)
      : file_(std::move(file)), diags_(diags), binder_(binder) {}

  /// The position of a YAML node (1-based), in this reader's file.
  [[nodiscard]] core::SourcePos Pos(const YAML::Node& node) const {
    const YAML::Mark m = node.Mark();
    if (m.line < 0) return {file_, 0, 0};
    return {file_, m.line + 1, m.column + 1};
  }
  /// Where the value at `path` was read (or its nearest recorded parent), for errors found later.
  [[nodiscard]] core::SourcePos PositionOf(std::string_view path) const;
  /// Copies the positions `from` recorded strictly below `from_path` into this reader, below `to_path`
  /// (replacing what this reader recorded there): the fields of a prototype keep their own file's
  /// positions. `from` may read another file.
  void ImportPositions(const YamlReader& from, std::string_view from_path, const std::string& to_path);

  /// Fills a T from the prototype a `use: NAME` key names: `fill(use_node, path, value)` reports an
  /// unknown NAME itself (at use_node). Without a call, `use` is an unknown key.
  template <typename T>
  void SetPrototypes(std::function<void(const YAML::Node& use, const std::string& path, T* value)> fill) {
    prototypes_[std::type_index(typeid(T))] = std::move(fill);
  }
  /// A list at `path` longer than `max` is reported ("too many <noun>: N (at most max)") without reading
  /// its entries: a limit applies while reading, not after a million entries were converted.
  void SetListLimit(const std::string& path, size_t max, std::string noun) {
    list_limits_[path] = {max, std::move(noun)};
  }
  /// A key the caller fills in itself, never reported missing (a catalogue entry is named by its key).
  void set_implied_key(std::string key) { implied_key_ = std::move(key); }
  [[nodiscard]] const std::string& file() const { return file_; }
  core::Diagnostics* diagnostics() const { return diags_; }

  void Error(const YAML::Node& node, std::string message) { diags_->Error(Pos(node), std::move(message)); }

  /// Reads `node` into `value`; problems go to the diagnostics. `path` names the value in messages.
  template <typename T>
  void Read(const YAML::Node& node, const std::string& path, T* value);

  /// Checks that `node` is a mapping whose keys are all in `allowed` and appear once.
  /// Returns false (after reporting) if the node is not a mapping.
  bool CheckKeys(const YAML::Node& node, const std::string& path, std::span<const std::string> allowed);

  // Called by Serialize.
  template <typename T>
  void Visit(std::string_view name, T* field, core::FieldPresence presence = core::kOptional);

 private:
  template <typename T>
  void ReadStruct(const YAML::Node& node, const std::string& path, T* value);
  template <typename V, size_t I = 0>
  bool ReadVariantAlternative(const YAML::Node& node, std::string_view key, const std::string& path, V* value);
  template <typename V, size_t I = 0>
  static void VariantNames(std::vector<std::string>* names);
  void ReadNumber(const YAML::Node& node, const std::string& path, double* value);
  void ReadInt(const YAML::Node& node, const std::string& path, int64_t* value);
  void ReadUnsigned(const YAML::Node& node, const std::string& path, uint64_t* value);
  void ReadBool(const YAML::Node& node, const std::string& path, bool* value);
  void ReadString(const YAML::Node& node, const std::string& path, std::string* value);
  static std::string Describe(const YAML::Node& node);
  static std::string Where(const std::string& path) { return path.empty() ? "" : " in " + path; }
  void RecordPosition(const std::string& path, const YAML::Node& node);

  std::string file_;
  core::Diagnostics* diags_;
  NumberBinder* binder_;
  std::map<std::string, core::SourcePos> positions_;
  bool imported_ = false;  // some positions came from another reader: a re-read drops the stale ones
  std::unordered_map<std::type_index, std::any> prototypes_;
  std::string implied_key_;
  std::map<std::string, std::pair<size_t, std::string>> list_limits_;  // path -> (max, noun)
  bool from_prototype_ = false;  // the struct being read started from a prototype
  // the struct being read by Serialize: its node and path
  const YAML::Node* current_node_ = nullptr;
  const std::string* current_path_ = nullptr;
};

// ---- implementation ----

template <typename T>
void YamlReader::Visit(std::string_view name, T* field, core::FieldPresence presence) {
  const YAML::Node& parent = *current_node_;
  const std::string path = core::JoinPath(*current_path_, name);
  const YAML::Node child = parent[std::string(name)];
  if (!child.IsDefined()) {
    if (presence == core::kRequired && !from_prototype_ && name != implied_key_) {
      const std::string where = current_path_->empty() ? "" : " in " + *current_path_;
      Error(parent, "missing required key '" + std::string(name) + "'" + where);
    }
    return;
  }
  Read(child, path, field);
}

template <typename T>
void YamlReader::Read(const YAML::Node& node, const std::string& path, T* value) {
  RecordPosition(path, node);
  if constexpr (std::is_same_v<T, double>) {
    ReadNumber(node, path, value);
  } else if constexpr (std::is_same_v<T, bool>) {
    ReadBool(node, path, value);
  } else if constexpr (std::is_same_v<T, uint64_t>) {
    ReadUnsigned(node, path, value);
  } else if constexpr (std::is_integral_v<T>) {
    int64_t v = 0;
    ReadInt(node, path, &v);
    if (v < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        v > static_cast<int64_t>(std::numeric_limits<T>::max())) {
      Error(node, "integer out of range" + Where(path));
      return;
    }
    *value = static_cast<T>(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    ReadString(node, path, value);
  } else if constexpr (internal::NamedEnum<T>) {
    std::string text;
    if (!node.IsScalar()) {
      Error(node, "expected a name, found " + Describe(node) + Where(path));
      return;
    }
    text = node.Scalar();
    std::vector<std::string> names;
    for (const auto& entry : EnumNames(T{})) {
      if (entry.name == text) {
        *value = entry.value;
        return;
      }
      names.emplace_back(entry.name);
    }
    Error(node, "unknown value " + core::Quote(text) + Where(path) + core::DidYouMean(text, names) +
                    "; expected one of " + core::QuotedList(names));
  } else if constexpr (internal::IsOptional<T>::value) {
    typename T::value_type inner{};
    if (value->has_value()) inner = **value;
    const size_t before = diags_->size();
    Read(node, path, &inner);
    if (diags_->size() == before) *value = std::move(inner);
  } else if constexpr (internal::IsVector<T>::value) {
    if (!node.IsSequence()) {
      Error(node, "expected a list, found " + Describe(node) + Where(path));
      return;
    }
    if (const auto limit = list_limits_.find(path); limit != list_limits_.end() && node.size() > limit->second.first) {
      Error(node, "too many " + limit->second.second + ": " + std::to_string(node.size()) + " (at most " +
                      std::to_string(limit->second.first) + ")");
      return;
    }
    value->clear();
    value->resize(node.size());
    for (size_t i = 0; i < node.size(); ++i) Read(node[i], core::IndexPath(path, i), &(*value)[i]);
  } else if constexpr (internal::IsStringMap<T>::value) {
    if (!node.IsMap()) {
      Error(node, "expected a mapping, found " + Describe(node) + Where(path));
      return;
    }
    value->clear();
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (value->contains(key)) {
        Error(it->first, "duplicate key " + core::Quote(key) + Where(path));
        continue;
      }
      Read(it->second, core::JoinPath(path, key), &(*value)[key]);
    }
  } else if constexpr (internal::IsVariant<T>::value) {
    std::vector<std::string> names;
    VariantNames<T>(&names);
    if (!node.IsMap() || node.size() != 1) {
      Error(node, "expected a mapping with exactly one key naming the kind (one of " + core::QuotedList(names) +
                      "), found " + Describe(node) + Where(path));
      return;
    }
    const auto it = node.begin();
    const std::string key = it->first.Scalar();
    if (!ReadVariantAlternative<T>(it->second, key, path, value)) {
      Error(it->first, "unknown kind " + core::Quote(key) + Where(path) + core::DidYouMean(key, names) +
                           "; expected one of " + core::QuotedList(names));
    }
  } else {
    static_assert(internal::Serializable<T>, "field type not supported by YamlReader");
    ReadStruct(node, path, value);
  }
}

template <typename T>
void YamlReader::ReadStruct(const YAML::Node& node, const std::string& path, T* value) {
  internal::NameCollector collector;
  value->Serialize(&collector);
  if (node.IsNull() && collector.names.empty()) return;
  // a prototype first: `use: NAME`, then the other keys override its fields
  bool from_prototype = false;
  if (const auto hook = prototypes_.find(std::type_index(typeid(T))); hook != prototypes_.end() && node.IsMap()) {
    if (const YAML::Node use = node["use"]; use.IsDefined()) {
      collector.names.emplace_back("use");
      const auto& fill =
          std::any_cast<const std::function<void(const YAML::Node&, const std::string&, T*)>&>(hook->second);
      fill(use, path, value);
      RecordPosition(core::JoinPath(path, "use"), use);
      from_prototype = true;  // even when NAME is unknown: its required keys are not missing too
    }
  }
  if (!CheckKeys(node, path, collector.names)) return;
  const YAML::Node* saved_node = current_node_;
  const std::string* saved_path = current_path_;
  const bool saved_from_prototype = from_prototype_;
  current_node_ = &node;
  current_path_ = &path;
  from_prototype_ = from_prototype;
  value->Serialize(this);
  current_node_ = saved_node;
  current_path_ = saved_path;
  from_prototype_ = saved_from_prototype;
}

template <typename V, size_t I>
bool YamlReader::ReadVariantAlternative(const YAML::Node& node, std::string_view key, const std::string& path,
                                        V* value) {
  if constexpr (I < std::variant_size_v<V>) {
    using Alt = std::variant_alternative_t<I, V>;
    if (key == Alt::kName) {
      Alt alt{};
      Read(node.IsNull() ? YAML::Node(YAML::NodeType::Map) : node, core::JoinPath(path, key), &alt);
      *value = std::move(alt);
      return true;
    }
    return ReadVariantAlternative<V, I + 1>(node, key, path, value);
  } else {
    return false;
  }
}

template <typename V, size_t I>
void YamlReader::VariantNames(std::vector<std::string>* names) {
  if constexpr (I < std::variant_size_v<V>) {
    names->emplace_back(std::variant_alternative_t<I, V>::kName);
    VariantNames<V, I + 1>(names);
  }
}

}  // namespace gauntlet::scenarios
