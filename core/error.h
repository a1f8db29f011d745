#pragma once
// Errors with source positions.
//
// Bad input (a scenario, suite, formula, model, trace or property file) is never a crash: every
// problem found in one file is collected as a Diagnostic, then one InputError carries them all.
// Each renders as `path:line:col: error: message` (1-based line and column; 0 means unknown and is
// left out), which is what editors and CI log viewers link to.
//
//   core::Diagnostics diags;
//   diags.Error({path, 14, 7}, "unknown key 'sped' in actors[1]" + core::DidYouMean("sped", keys));
//   diags.ThrowIfAny();   // throws InputError listing every problem, one per line

#include <stdexcept>
#include <string>
#include <vector>

namespace gauntlet::core {

/// A place in an input file. Line and column are 1-based; 0 means unknown.
struct SourcePos {
  std::string file;
  int line = 0;
  int col = 0;

  /// `file:line:col`, leaving out the unknown parts.
  [[nodiscard]] std::string ToString() const;
  /// The same position moved `columns` to the right (for text embedded in a YAML scalar).
  [[nodiscard]] SourcePos Shifted(int lines, int columns) const;
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

/// One problem in an input.
struct Diagnostic {
  SourcePos pos;
  std::string message;

  /// `path:line:col: error: message`.
  [[nodiscard]] std::string Format() const;
  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

/// Bad input: one or more diagnostics. what() is all of them, one per line.
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<Diagnostic> diagnostics);
  /// A single problem.
  InputError(SourcePos pos, std::string message);

  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

/// Collects diagnostics while a file is checked, so every problem is reported at once.
class Diagnostics {
 public:
  void Error(SourcePos pos, std::string message);
  /// Takes over the diagnostics of an InputError thrown by a nested parser.
  void Absorb(const InputError& error);
  void Append(const Diagnostics& other);

  [[nodiscard]] bool empty() const { return items_.empty(); }
  [[nodiscard]] size_t size() const { return items_.size(); }
  [[nodiscard]] const std::vector<Diagnostic>& items() const { return items_; }
  /// Throws an InputError with every collected diagnostic, in the order they were found, if any.
  void ThrowIfAny() const;

 private:
  std::vector<Diagnostic> items_;
};

/// An error of the run that is not the user's input (I/O failure, broken environment): exit code 3.
class InfrastructureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace gauntlet::core
