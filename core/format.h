#pragma once
// Number formatting that is exact and the same on every machine, and quoting for the shell.

#include <string>

namespace gauntlet::core {

/// The shortest decimal text that reads back as exactly `value` ("0.1", "1e-300", "35").
/// Infinities are "inf" and "-inf", NaN is "nan".
[[nodiscard]] std::string FormatDouble(double value);

/// printf("%.17g"), the contract format of `gauntlet eval`.
[[nodiscard]] std::string FormatDouble17(double value);

/// For people: printf("%.*g") with `digits` significant digits ("0.123457" for 6).
[[nodiscard]] std::string FormatSignificant(double value, int digits);

/// For people: printf("%.*f") with `decimals` digits after the point ("12.5" for 1).
[[nodiscard]] std::string FormatFixed(double value, int decimals);

/// One word for a POSIX shell: `text` itself when it has only characters no shell treats specially
/// (letters, digits and `_@+:,./-`), else in single quotes with each `'` written as `'\''`
/// ("a b" -> "'a b'", "x'y" -> "'x'\''y'", "" -> "''"). Pasted into sh, bash or zsh, the word is
/// `text` exactly, whatever it contains.
[[nodiscard]] std::string ShellQuote(const std::string& text);

/// The command that replays one case of a run directory: `gauntlet replay DIR --case ID`, both quoted
/// with ShellQuote. Every place that prints a replay command uses it.
[[nodiscard]] std::string ReplayCommand(const std::string& out_dir, const std::string& case_id);

}  // namespace gauntlet::core
