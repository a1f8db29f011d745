#include "openscenario/internal/xml_file.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "core/input_file.h"

namespace gauntlet::openscenario::internal {
namespace {

/// 1-based line and column of byte `offset`.
std::pair<int, int> LineCol(const std::vector<size_t>& line_starts, size_t offset) {
  const auto it = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
  const size_t line = static_cast<size_t>(it - line_starts.begin());
  return {static_cast<int>(line), static_cast<int>(offset - line_starts[line - 1] + 1)};
}

}  // namespace

core::SourcePos XmlFile::Pos(const pugi::xml_node& n) const {
  const ptrdiff_t off = n.offset_debug();
  if (off <= 0) return {path, 0, 0};
  // offset_debug points at the element's name, one byte after its '<'
  const auto [line, col] = LineCol(line_starts, static_cast<size_t>(off) - 1);
  return {path, line, col};
}

namespace {

/// Parses `text`, the content of `path`.
std::unique_ptr<XmlFile> Parse(const std::string& path, std::string text) {
  auto f = std::make_unique<XmlFile>();
  f->path = path;
  f->text = std::move(text);
  f->line_starts.push_back(0);
  for (size_t i = 0; i < f->text.size(); ++i)
    if (f->text[i] == '\n') f->line_starts.push_back(i + 1);
  const pugi::xml_parse_result r = f->doc.load_buffer(f->text.data(), f->text.size(), pugi::parse_default);
  if (!r) {
    const auto [line, col] = LineCol(f->line_starts, static_cast<size_t>(std::max<ptrdiff_t>(r.offset, 0)));
    throw core::InputError({path, line, col}, std::string("not well-formed XML: ") + r.description());
  }
  return f;
}

}  // namespace

std::unique_ptr<XmlFile> ParseXml(const std::string& path) {
  return Parse(path, core::ReadInputFile(path, core::InputKind::kXml));
}

std::shared_ptr<const XmlFile> ParseXmlShared(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const XmlFile>> parsed;  // the last parse of each path
  std::string text = core::ReadInputFile(path, core::InputKind::kXml);
  {
    const std::lock_guard<std::mutex> lock(mutex);
    const auto it = parsed.find(path);
    if (it != parsed.end() && it->second->text == text) return it->second;
  }
  std::shared_ptr<const XmlFile> f = Parse(path, std::move(text));  // outside the lock; throws if malformed
  const std::lock_guard<std::mutex> lock(mutex);
  parsed[path] = f;
  return f;
}

}  // namespace gauntlet::openscenario::internal
