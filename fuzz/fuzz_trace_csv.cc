// Fuzzes core::Trace::ReadCsv, then writes the trace back and reads it again: a trace ReadCsv accepts
// must survive WriteCsv -> ReadCsv with the same shape.
#include <cmath>
#include <sstream>
#include <string>

#include "core/check.h"
#include "core/trace.h"
#include "fuzz/fuzz_util.h"

using gauntlet::core::Trace;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gauntlet::fuzz::Run([&] {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    const Trace trace = Trace::ReadCsv(in, "fuzz.csv");
    std::ostringstream out;
    trace.WriteCsv(out);
    std::istringstream again(out.str());
    const Trace round = Trace::ReadCsv(again, "roundtrip.csv");
    GAUNTLET_CHECK_MSG(round.size() == trace.size(), "WriteCsv -> ReadCsv changed the row count");
    GAUNTLET_CHECK_MSG(round.names() == trace.names(), "WriteCsv -> ReadCsv changed the columns");
    for (size_t c = 0; c <= trace.signal_count(); ++c) {
      const auto a = c == 0 ? trace.time() : trace.column(c - 1);
      const auto b = c == 0 ? round.time() : round.column(c - 1);
      for (size_t i = 0; i < a.size(); ++i) {
        GAUNTLET_CHECK_MSG(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])),
                           "WriteCsv -> ReadCsv changed a value");
      }
    }
  });
  return 0;
}
