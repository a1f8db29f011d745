#pragma once
// "Did you mean" suggestions for misspelt names (keys, signals, actors, operators).

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gauntlet::core {

/// Levenshtein distance (insert, delete, substitute; an adjacent swap counts as one edit).
[[nodiscard]] size_t EditDistance(std::string_view a, std::string_view b);

/// The candidate closest to `word` if it is close enough to be a plausible typo
/// (at most a third of the word's length in edits, and at least one), else nullopt.
[[nodiscard]] std::optional<std::string> ClosestMatch(std::string_view word,
                                                      std::span<const std::string> candidates);

/// " (did you mean 'x'?)" when a candidate is close, else "". Meant to be appended to a message.
[[nodiscard]] std::string DidYouMean(std::string_view word, std::span<const std::string> candidates);

/// "'a', 'b', 'c'" for listing the valid choices in a message.
[[nodiscard]] std::string QuotedList(std::span<const std::string> items);

}  // namespace gauntlet::core
