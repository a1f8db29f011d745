#pragma once
// Quoting input text in messages, and checking that text is UTF-8.
//
// Every message that quotes a piece of input (a YAML scalar, a CSV cell, a token of a property file)
// goes through Excerpt, so an error never echoes a whole file, a 5 MB cell or the bytes of a binary
// file:
//
//   diags.Error(pos, "expected a number, found " + core::Quote(cell));
//   // "expected a number, found 'aaaaaaaa...aaaa' (5000000 bytes)" for a long cell, "... found 'x1'" else
//
//   if (const auto bad = core::FirstInvalidUtf8(bytes)) { ... *bad is the offset of the first bad byte ... }

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gauntlet::core {

/// The most characters (bytes) of input a message quotes: longer text is cut by Excerpt.
inline constexpr size_t kMaxExcerpt = 64;

/// `text` as a message may quote it: whole if at most kMaxExcerpt bytes, else its first 48 and last 12
/// bytes around "..." (cut at UTF-8 character boundaries); control characters and bytes that are not
/// UTF-8 written as \n, \t, \r or \xNN.
[[nodiscard]] std::string Excerpt(std::string_view text);

/// "'" + Excerpt(text) + "'", followed by " (N bytes)" when the excerpt is cut.
[[nodiscard]] std::string Quote(std::string_view text);

/// The offset of the first byte of `text` that is not part of a well-formed UTF-8 character
/// (overlong forms, surrogates and code points above U+10FFFF included), or nullopt if all is UTF-8.
[[nodiscard]] std::optional<size_t> FirstInvalidUtf8(std::string_view text);

}  // namespace gauntlet::core
