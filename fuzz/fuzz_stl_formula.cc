// Fuzzes verifier::stl::Formula::Parse, then monitors every formula it accepts over a short trace of
// its own signals (values and time stamps derived from the input, non-uniform steps included).
// EvaluationError (division by zero, NaN) is an expected answer too.
#include <string_view>
#include <vector>

#include "core/trace.h"
#include "fuzz/fuzz_util.h"
#include "verifier/stl/expression.h"
#include "verifier/stl/formula.h"
#include "verifier/stl/monitor.h"

namespace stl = gauntlet::verifier::stl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  gauntlet::fuzz::Run([&] {
    const stl::Formula formula = stl::Formula::Parse(text);
    (void)formula.IsOnlineMonitorable();
    gauntlet::core::Trace trace(formula.signal_names());
    std::vector<double> row(formula.signal_names().size());
    double t = 0.0;
    for (int i = 0; i < 8; ++i) {
      for (size_t s = 0; s < row.size(); ++s) {
        const uint8_t byte = size == 0 ? 0 : data[(i * 7 + s * 3) % size];
        row[s] = (static_cast<double>(byte) - 100.0) / 8.0;
      }
      trace.Append(t, row);
      t += 0.25 * (1 + (size == 0 ? 0 : data[i % size] % 4));
    }
    try {
      const stl::Monitor monitor(formula);
      (void)monitor.Evaluate(trace);
    } catch (const stl::EvaluationError&) {
      // a division by zero or a NaN in the run
    }
  });
  return 0;
}
