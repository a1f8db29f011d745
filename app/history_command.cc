// gauntlet history [--db FILE] [--last N] [--suite NAME]
//
// The trend per scenario family and requirement over the last runs recorded in the history database,
// and the instances whose verdict changed between the last two runs.

#include <iostream>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/commands.h"
#include "core/error.h"
#include "history/run_history.h"

namespace gauntlet::app {

int RunHistoryCommand(const std::vector<std::string>& argv) {
  Args args(argv, {{"db"}, {"last"}, {"suite"}});
  const auto last = args.Int("last", 1, 1000000);
  if (!args.ok() || !args.positional().empty()) {
    std::cerr << "gauntlet history: " << (args.ok() ? "takes no positional arguments\n" : args.error())
              << "usage: gauntlet history [--db FILE] [--last N] [--suite NAME]\n";
    return kExitUsage;
  }
  const std::string db = args.Get("db").value_or(history::kDefaultDbPath);
  const std::string suite = args.Get("suite").value_or("");
  try {
    const history::TrendTable trends = history::QueryTrends(db, last ? static_cast<size_t>(*last) : 10, suite);
    const history::ChangeSet changes = history::QueryChangedInstances(db, suite);
    std::cout << history::HistoryText(trends, changes);
    return kExitPassed;
  } catch (const core::InputError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  } catch (const core::InfrastructureError& e) {
    std::cerr << "gauntlet history: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace gauntlet::app
