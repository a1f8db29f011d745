#pragma once
// The history page (`gauntlet history --db F --html OUT.html`): one self-contained HTML page of the
// trends a nightly job records. The runs (time, label, tool version, suite and model fingerprints,
// counts), one SVG plot per family and requirement of the failure rate with its 95% interval over
// the runs, a table of the same figures, and the instances whose verdict changed between the last two
// runs. Deterministic for a given database; no script needed, no external resources.
//
//   const history::TrendTable trends = history::QueryTrends(db, 30);
//   reports::WriteFileAtomically("history.html", history::HistoryHtml(trends, history::QueryChangedInstances(db), "nightly"));

#include <cstddef>
#include <string>

#include "history/run_history.h"

namespace gauntlet::history {

/// The page; `title` "" : "gauntlet history: <suite>". At most `max_changes` changed instances are listed.
[[nodiscard]] std::string HistoryHtml(const TrendTable& trends, const ChangeSet& changes, const std::string& title = "",
                                      size_t max_changes = 500);

}  // namespace gauntlet::history
