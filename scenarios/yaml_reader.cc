#include "scenarios/yaml_reader.h"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>
#include <unordered_map>

#include "core/input_file.h"
#include "core/text.h"
#include "core/units.h"

namespace gauntlet::scenarios {

namespace {

/// A pass over the parser's events that builds nothing: it refuses a file whose tree would be too
/// deep or too big (counting what aliases repeat) before yaml-cpp builds the tree and before anything
/// reads it.
class YamlLimits : public YAML::EventHandler {
 public:
  explicit YamlLimits(const std::string& path) : path_(path) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Leaf(mark, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Child(mark);
    const auto it = sizes_.find(anchor);
    Count(mark, it == sizes_.end() ? 1 : it->second);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string&) override {
    Leaf(mark, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor, false);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor, true);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    uint64_t start;
    YAML::anchor_t anchor;
    bool is_map;
    uint64_t children = 0;  // keys and values of a mapping, entries of a list
  };
  /// One more entry in the innermost open list or mapping.
  void Child(const YAML::Mark& mark) {
    if (stack_.empty()) return;
    Frame& parent = stack_.back();
    if (++parent.children > (parent.is_map ? 2 : 1) * kMaxYamlEntries) {
      throw core::InputError(Pos(mark), std::string(parent.is_map ? "a mapping" : "a list") + " with more than " +
                                            std::to_string(kMaxYamlEntries) + " entries: the limit of an input file");
    }
  }
  core::SourcePos Pos(const YAML::Mark& mark) const { return {path_, mark.line + 1, mark.column + 1}; }
  void Count(const YAML::Mark& mark, uint64_t n) {
    nodes_ += n;
    if (nodes_ > kMaxYamlNodes) {
      throw core::InputError(Pos(mark), "the file holds more than " + std::to_string(kMaxYamlNodes) +
                                            " YAML values (keys, values and the entries aliases repeat): "
                                            "the limit of an input file");
    }
  }
  void Leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    Child(mark);
    Count(mark, 1);
    if (anchor != YAML::NullAnchor) sizes_[anchor] = 1;
  }
  void Open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
    Child(mark);
    if (stack_.size() >= kMaxYamlDepth) {
      throw core::InputError(Pos(mark), "lists and mappings nested more than " + std::to_string(kMaxYamlDepth) +
                                            " levels deep: the limit of an input file");
    }
    Count(mark, 1);
    stack_.push_back({nodes_ - 1, anchor, is_map});
  }
  void Close() {
    if (stack_.empty()) return;
    const Frame frame = stack_.back();
    stack_.pop_back();
    if (frame.anchor != YAML::NullAnchor) sizes_[frame.anchor] = nodes_ - frame.start;
  }

  const std::string& path_;
  uint64_t nodes_ = 0;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, uint64_t> sizes_;
};

}  // namespace

YAML::Node LoadYamlFile(const std::string& path) {
  const std::string text = core::ReadInputFile(path, core::InputKind::kYaml);
  if (const auto bad = core::FirstInvalidUtf8(text)) {
    // names end up in results.jsonl, JSON and HTML: refuse what they cannot hold, where it is
    const size_t line_start = text.rfind('\n', *bad == 0 ? 0 : *bad - 1);
    const size_t col_start = line_start == std::string::npos || *bad == 0 ? 0 : line_start + 1;
    const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n'));
    throw core::InputError({path, line, static_cast<int>(*bad - col_start) + 1},
                           "the file is not valid UTF-8 (byte " +
                               core::Excerpt(std::string_view(text).substr(*bad, 1)) + ")");
  }
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    YamlLimits limits(path);
    parser.HandleNextDocument(limits);
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) throw core::InputError({path, 0, 0}, "YAML syntax error: " + e.msg);
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
      return core::Quote(node.Scalar());
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
      Error(it->first, "duplicate key " + core::Quote(key) + Where(path));
      continue;
    }
    bool known = false;
    for (const std::string& a : allowed) known = known || a == key;
    if (!known) {
      Error(it->first, "unknown key " + core::Quote(key) + Where(path) + core::DidYouMean(key, allowed));
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
      // the unit must fit the dimension the field's name announces (`duration_s: 4 m` is an error)
      const auto dimension = core::DimensionOfField(path);
      if (dimension && !core::ParseQuantity(text, dimension, &error)) {
        Error(node, "wrong unit" + Where(path) + ": " + error);
        return;
      }
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
    Error(node, "expected a number, found " + core::Quote(text) + Where(path));
    return;
  }
  const auto bound = binder_->Bind(path, is_expression ? std::string_view(text).substr(2, text.size() - 3) : text,
                                   // the text after "${" (and after the opening quote of a quoted scalar)
                                   is_expression ? Pos(node).Shifted(0, quoted ? 3 : 2) : Pos(node), diags_);
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
    Error(node, "expected an integer, found " + core::Quote(text) + Where(path));
    return;
  }
  *value = v;
}

void YamlReader::ReadUnsigned(const YAML::Node& node, const std::string& path, uint64_t* value) {
  if (!node.IsScalar()) {
    Error(node, "expected an integer from 0 to 18446744073709551615, found " + Describe(node) + Where(path));
    return;
  }
  const std::string& text = node.Scalar();
  uint64_t v = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), v);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
    // "-1" would wrap to 2^64-1, "1e3" is not an integer, 2^64 is out of range: all are errors
    Error(node, "expected an integer from 0 to 18446744073709551615, found " + core::Quote(text) + Where(path));
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
