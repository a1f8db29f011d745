#pragma once
// Number formatting that is exact and the same on every machine.

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

}  // namespace gauntlet::core
