#include "core/text.h"

#include <cstdint>

namespace gauntlet::core {
namespace {

/// The length of the well-formed UTF-8 character at text[i], or 0 if it is not one.
size_t Utf8Length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t n = 0;
  uint8_t lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

/// Appends text[from, to) to `out`, escaping control characters and bytes that are not UTF-8.
void AppendEscaped(std::string_view text, size_t from, size_t to, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t i = from;
  while (i < to) {
    const auto b = static_cast<uint8_t>(text[i]);
    const size_t n = Utf8Length(text, i);
    if (n > 1 && i + n <= to) {
      out->append(text.substr(i, n));
      i += n;
      continue;
    }
    if (n == 1 && b >= 0x20 && b != 0x7F) {
      out->push_back(static_cast<char>(b));
    } else if (b == '\n') {
      out->append("\\n");
    } else if (b == '\t') {
      out->append("\\t");
    } else if (b == '\r') {
      out->append("\\r");
    } else {
      out->append("\\x");
      out->push_back(kHex[b >> 4]);
      out->push_back(kHex[b & 0xF]);
    }
    ++i;
  }
}

/// The largest character boundary <= i (a UTF-8 continuation byte is not one).
size_t BoundaryAtOrBefore(std::string_view text, size_t i) {
  size_t back = 0;
  while (i > 0 && back < 3 && (static_cast<uint8_t>(text[i]) & 0xC0) == 0x80) {
    --i;
    ++back;
  }
  return i;
}

}  // namespace

std::string Excerpt(std::string_view text) {
  std::string out;
  if (text.size() <= kMaxExcerpt) {
    AppendEscaped(text, 0, text.size(), &out);
    return out;
  }
  AppendEscaped(text, 0, BoundaryAtOrBefore(text, 48), &out);
  out += "...";
  AppendEscaped(text, BoundaryAtOrBefore(text, text.size() - 12), text.size(), &out);
  return out;
}

std::string Quote(std::string_view text) {
  std::string out = "'" + Excerpt(text) + "'";
  if (text.size() > kMaxExcerpt) out += " (" + std::to_string(text.size()) + " bytes)";
  return out;
}

std::optional<size_t> FirstInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = Utf8Length(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

}  // namespace gauntlet::core
