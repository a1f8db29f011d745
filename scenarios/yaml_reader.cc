#include "scenarios/yaml_reader.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "core/units.h"

namespace gauntlet::scenarios {

YAML::Node LoadYamlFile(const std::string& path) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw core::InputError({path, 0, 0}, "cannot read the file");
  } catch (const YAML::Exception& e) {
    throw core::InputError({path, e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg);
  }
}

void YamlReader::RecordPosition(const std::string& path, const YAML::Node& node) {
  if (imported_) {
    // a value read over a prototype's: the prototype's positions below it are stale
    for (auto it = positions_.upper_bound(path); it != positions_.end() && it->first.starts_with(path);) {
      const char next = it->first[path.size()];
      it = next == '.' || next == '[' ? positions_.erase(it) : std::next(it);
    }
  }
  positions_[path] = Pos(node);
}

void YamlReader::ImportPositions(const YamlReader& from, std::string_view from_path, const std::string& to_path) {
  imported_ = true;
  for (auto it = positions_.upper_bound(to_path); it != positions_.end() && it->first.starts_with(to_path);) {
    const char next = it->first[to_path.size()];
    it = next == '.' || next == '[' ? positions_.erase(it) : std::next(it);
  }
  const std::string prefix(from_path);
  for (auto it = from.positions_.upper_bound(prefix); it != from.positions_.end() && it->first.starts_with(prefix);
       ++it) {
    const char next = it->first[prefix.size()];
    if (next == '.' || next == '[') positions_[to_path + it->first.substr(prefix.size())] = it->second;
  }
}

core::SourcePos YamlReader::PositionOf(std::string_view path) const {
  std::string p(path);
  while (true) {
    const auto it = positions_.find(p);
    if (it != positions_.end()) return it->second;
    const size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos) return {file_, 0, 0};
    p.resize(cut);
  }
}

std::string YamlReader::Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "nothing";
  }
}

bool YamlReader::CheckKeys(const YAML::Node& node, const std::string& path, std::span<const std::string> allowed) {
  if (!node.IsMap()) {
    Error(node, "expected a mapping, found " + Describe(node) + Where(path));
    return false;
  }
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      Error(it->first, "a key must be a name" + Where(path));
      continue;
    }
    const std::string key = it->first.Scalar();
    if (!seen.insert(key).second) {
      Error(it->first, "duplicate key '" + key + "'" + Where(path));
      continue;
    }
    bool known = false;
    for (const std::string& a : allowed) known = known || a == key;
    if (!known) {
      Error(it->first, "unknown key '" + key + "'" + Where(path) + core::DidYouMean(key, allowed));
    }
  }
  return true;
}

void YamlReader::ReadNumber(const YAML::Node& node, const std::string& path, double* value) {
  if (!node.IsScalar()) {
    Error(node, "expected a number, found " + Describe(node) + Where(path));
    return;
  }
  const std::string& text = node.Scalar();
  const bool quoted = node.Tag() == "!";
  const bool is_expression = text.size() >= 3 && text.starts_with("${") && text.back() == '}';
  const bool looks_like_name = !text.empty() && (std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_') &&
                               text.find(' ') == std::string::npos;
  if (!quoted && !is_expression) {
    std::string error;
    const auto quantity = core::ParseQuantity(text, &error);
    if (quantity) {
      *value = *quantity;
      return;
    }
    // a bare word may be a parameter name; anything else that starts like a number is a bad quantity
    if (!looks_like_name || binder_ == nullptr) {
      Error(node, "expected a number" + Where(path) + ": " + error);
      return;
    }
  }
  if (binder_ == nullptr || (!is_expression && !looks_like_name)) {
    Error(node, "expected a number, found '" + text + "'" + Where(path));
    return;
  }
  const auto bound = binder_->Bind(path, is_expression ? std::string_view(text).substr(2, text.size() - 3) : text,
                                   is_expression ? Pos(node).Shifted(0, 2) : Pos(node), diags_);
  if (bound) *value = *bound;
}

void YamlReader::ReadInt(const YAML::Node& node, const std::string& path, int64_t* value) {
  if (!node.IsScalar()) {
    Error(node, "expected an integer, found " + Describe(node) + Where(path));
    return;
  }
  const std::string& text = node.Scalar();
  int64_t v = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), v);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
    Error(node, "expected an integer, found '" + text + "'" + Where(path));
    return;
  }
  *value = v;
}

void YamlReader::ReadBool(const YAML::Node& node, const std::string& path, bool* value) {
  if (node.IsScalar()) {
    const std::string& t = node.Scalar();
    if (t == "true" || t == "yes" || t == "on") {
      *value = true;
      return;
    }
    if (t == "false" || t == "no" || t == "off") {
      *value = false;
      return;
    }
  }
  Error(node, "expected true or false, found " + Describe(node) + Where(path));
}

void YamlReader::ReadString(const YAML::Node& node, const std::string& path, std::string* value) {
  if (!node.IsScalar()) {
    Error(node, "expected a string, found " + Describe(node) + Where(path));
    return;
  }
  *value = node.Scalar();
}

}  // namespace gauntlet::scenarios
