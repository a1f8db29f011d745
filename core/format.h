#pragma once
// Number formatting that is exact and the same on every machine.

#include <string>

namespace gauntlet::core {

/// The shortest decimal text that reads back as exactly `value` ("0.1", "1e-300", "35").
/// Infinities are "inf" and "-inf", NaN is "nan".
[[nodiscard]] std::string FormatDouble(double value);

/// printf("%.17g"), the contract format of `gauntlet eval`.
[[nodiscard]] std::string FormatDouble17(double value);

}  // namespace gauntlet::core
