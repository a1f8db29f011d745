#include "core/error.h"

namespace gauntlet::core {
namespace {

std::string JoinFormatted(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    if (!out.empty()) out += '\n';
    out += d.Format();
  }
  return out;
}

}  // namespace

std::string SourcePos::ToString() const {
  std::string out = file;
  if (line > 0) {
    if (!out.empty()) out += ':';
    out += std::to_string(line);
    if (col > 0) out += ':' + std::to_string(col);
  }
  return out;
}

SourcePos SourcePos::Shifted(int lines, int columns) const {
  SourcePos p = *this;
  if (p.line > 0) p.line += lines;
  if (p.col > 0) p.col = lines > 0 ? columns + 1 : p.col + columns;
  return p;
}

std::string Diagnostic::Format() const {
  const std::string where = pos.ToString();
  return (where.empty() ? std::string() : where + ": ") + "error: " + message;
}

InputError::InputError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(JoinFormatted(diagnostics)), diagnostics_(std::move(diagnostics)) {}

InputError::InputError(SourcePos pos, std::string message)
    : InputError(std::vector<Diagnostic>{Diagnostic{std::move(pos), std::move(message)}}) {}

void Diagnostics::Error(SourcePos pos, std::string message) {
  items_.push_back({std::move(pos), std::move(message)});
}

void Diagnostics::Absorb(const InputError& error) {
  items_.insert(items_.end(), error.diagnostics().begin(), error.diagnostics().end());
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

void Diagnostics::ThrowIfAny() const {
  if (!items_.empty()) throw InputError(items_);
}

}  // namespace gauntlet::core
