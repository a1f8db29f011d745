#pragma once
// STL formulas: requirements and assumptions over the named signals of a trace.
//
// The syntax and its precedence are documented with examples in docs/stl.md. In short, from the
// loosest to the tightest binding:
//   `iff` `<->`  <  `implies` `->` (right-assoc.)  <  `or` `xor`  <  `and`  <  `until[a,b]` `since[a,b]`
//   <  prefix `not` `always[a,b]` `eventually[a,b]` `once[a,b]` `historically[a,b]` `prev` `next`
//      `s_prev` `s_next`  <  comparisons `< <= > >= == !=`  <  `+ -`  <  `* /`  <  unary `-`
//   <  numbers, signals, `abs(..)`, `min(..)`, `max(..)`, `rise(..)`, `fall(..)`, `( .. )`.
// Intervals are `[a,b]` or `[a:b]` (b may be `inf`), in the trace's time unit; no interval = `[0, inf]`.
//
//   const std::vector<stl::DefinitionText> texts = {{"close", "lead.x - ego.x < 5", {"s.yaml", 8, 12}}};
//   const stl::Definitions lets = stl::ParseDefinitions(texts);
//   const auto f = stl::Formula::Parse("always[0, 30] (close -> eventually[0, 2] ego.brake > 0.5)",
//                                      {"s.yaml", 14, 16}, lets);
//   f.CheckSignals(trace.names());        // InputError for each unknown signal, with a suggestion
//   stl::RequirementResult r = stl::Monitor(f).Evaluate(trace);   // verifier/stl/monitor.h
//
// The semantics (discrete-time robustness, RTAMT conventions) is docs/architecture.md's "STL, discrete time".
// A Formula is immutable and may be shared between threads.

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace gauntlet::verifier::stl {

namespace internal {
struct Node;
}

class Formula;
/// Named sub-formulas (`let` definitions) a formula may reference by name.
using Definitions = std::map<std::string, Formula, std::less<>>;

/// A parsed STL formula (immutable).
class Formula {
 public:
  /// Parses `text`. `origin` is where the text starts in its file, so messages point into that file
  /// (`{"", 1, 1}` gives `1:17: error: expected ']' after interval`). A name found in `definitions`
  /// stands for that sub-formula; every other name is a signal. Throws core::InputError: a syntax
  /// error stops at the first one; type and interval errors are all collected.
  [[nodiscard]] static Formula Parse(std::string_view text, const core::SourcePos& origin = {"", 1, 1},
                                     const Definitions& definitions = {});

  /// The signals the formula reads (through its definitions too), each once, in order of first use.
  [[nodiscard]] const std::vector<std::string>& signal_names() const { return signal_names_; }
  /// Throws core::InputError listing every signal not in `known`, each at its position, with the
  /// closest known name and the list of known ones.
  void CheckSignals(std::span<const std::string> known) const;

  /// True for a formula the online monitor accepts (verifier/stl/online_monitor.h): a conjunction
  /// (`and`) of parts, each `always[a,b] P`, `always P` or `P`, where P looks at no later sample
  /// (no always, eventually, until, next, s_next inside P).
  [[nodiscard]] bool IsOnlineMonitorable() const;
  /// True when the formula is a plain arithmetic expression (its robustness is its value).
  [[nodiscard]] bool IsExpression() const;
  /// A canonical, fully parenthesised text that parses back to the same formula.
  [[nodiscard]] std::string ToString() const;
  /// Where the formula's top operator is written.
  [[nodiscard]] const core::SourcePos& pos() const;

  /// The syntax tree (for verifier/stl internals).
  [[nodiscard]] const std::shared_ptr<const internal::Node>& root() const { return root_; }
  explicit Formula(std::shared_ptr<const internal::Node> root);

 private:
  std::shared_ptr<const internal::Node> root_;
  std::vector<std::string> signal_names_;
};

/// One `let` definition as written in a file.
struct DefinitionText {
  std::string name;
  std::string text;
  core::SourcePos origin;  ///< where `text` starts
};

/// Parses definitions in order; each may use the ones before it (and those in `base`). Collects every
/// problem of every definition (bad name, duplicate, syntax) into one core::InputError.
[[nodiscard]] Definitions ParseDefinitions(std::span<const DefinitionText> texts, const Definitions& base = {});

}  // namespace gauntlet::verifier::stl
