#pragma once
// Private to openscenario/: an XML file read with pugixml, with its element positions as
// `file:line:col` (pugixml gives byte offsets).
//
//   const std::unique_ptr<XmlFile> f = ParseXml("cut-in.xosc");   // InputError if not well-formed
//   core::SourcePos where = f->Pos(f->doc.document_element());    // cut-in.xosc:2:1

#include <pugixml.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"

namespace gauntlet::openscenario::internal {

/// One parsed file.
struct XmlFile {
  std::string path;
  std::string text;
  pugi::xml_document doc;
  std::vector<size_t> line_starts;  ///< byte offset of each line's first character

  /// The position of an element's '<'.
  [[nodiscard]] core::SourcePos Pos(const pugi::xml_node& n) const;
};

/// Reads and parses `path`. Throws core::InputError when it cannot be read or is not well-formed,
/// at the position where the parser stopped.
[[nodiscard]] std::unique_ptr<XmlFile> ParseXml(const std::string& path);

/// The same, shared: the file is read every time, and parsed only when its bytes differ from those of
/// the last parse of `path` in this process (a scenario loaded once per instance parses its catalogs
/// once). The document is never modified after parsing, so threads may read it at once. Thread-safe.
[[nodiscard]] std::shared_ptr<const XmlFile> ParseXmlShared(const std::string& path);

}  // namespace gauntlet::openscenario::internal
