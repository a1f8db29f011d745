// gauntlet history [--db FILE] [--last N] [--suite NAME] [--html FILE [--label TEXT]]
//
// The trend per scenario family and requirement over the last runs recorded in the history database,
// and the instances whose verdict changed between the last two runs. With --html, the same as a page
// (failure rates with their intervals plotted over the runs, each run's label and model fingerprints);
// --label TEXT is the page's caption (say, the branch or commit it was made for).

#include <iostream>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/commands.h"
#include "app/run_files.h"
#include "core/error.h"
#include "history/history_page.h"
#include "history/run_history.h"

namespace gauntlet::app {

int RunHistoryCommand(const std::vector<std::string>& argv) {
  Args args(argv, {{"db"}, {"last"}, {"suite"}, {"html"}, {"label"}});
  const auto last = args.Int("last", 1, 1000000);
  if (!args.ok() || !args.positional().empty() || (args.Has("label") && !args.Has("html"))) {
    std::cerr << "gauntlet history: "
              << (!args.ok()                      ? args.error()
                  : !args.positional().empty() ? std::string("takes no positional arguments\n")
                                               : std::string("--label names the --html page: give --html too\n"))
              << "usage: gauntlet history [--db FILE] [--last N] [--suite NAME] [--html FILE [--label TEXT]]\n";
    return kExitUsage;
  }
  const std::string db = args.Get("db").value_or(history::kDefaultDbPath);
  const std::string suite = args.Get("suite").value_or("");
  try {
    const history::TrendTable trends = history::QueryTrends(db, last ? static_cast<size_t>(*last) : 10, suite);
    const history::ChangeSet changes = history::QueryChangedInstances(db, suite);
    if (const auto html = args.Get("html")) {
      std::string title;
      if (const auto label = args.Get("label")) {
        title = "gauntlet history: " + (trends.runs.empty() ? std::string() : trends.runs.back().suite_name) + " (" +
                *label + ")";
      }
      WriteTextFile(*html, history::HistoryHtml(trends, changes, title));
      std::cerr << "gauntlet history: wrote " << *html << "\n";
      return kExitPassed;
    }
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
