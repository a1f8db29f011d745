#include "openscenario/internal/xml_file.h"

#include <algorithm>

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

std::unique_ptr<XmlFile> ParseXml(const std::string& path) {
  auto f = std::make_unique<XmlFile>();
  f->path = path;
  f->text = core::ReadInputFile(path, core::InputKind::kXml);
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

}  // namespace gauntlet::openscenario::internal
