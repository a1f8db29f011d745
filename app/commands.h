#pragma once
// The gauntlet commands. Each takes the arguments after its command word and returns the exit code
// (app/args.h: 0 passed, 1 failed, 2 usage or input error, 3 internal error).

#include <functional>
#include <string>
#include <vector>

namespace gauntlet::scenarios {
struct Suite;
}  // namespace gauntlet::scenarios

namespace gauntlet::app {

/// Changes a loaded suite before a run uses it: the Python package puts its callables into model
/// slots (and into the suite's fingerprint) this way. May throw core::InputError (exit code 2).
using SuiteHook = std::function<void(scenarios::Suite&)>;

int RunRunCommand(const std::vector<std::string>& args);
/// `gauntlet run` with `adjust_suite` applied to the suite once it is loaded.
int RunRunCommandWith(const std::vector<std::string>& args, const SuiteHook& adjust_suite);
int RunCheckCommand(const std::vector<std::string>& args);
int RunReplayCommand(const std::vector<std::string>& args);
int RunMergeCommand(const std::vector<std::string>& args);
int RunMonitorCommand(const std::vector<std::string>& args);
int RunEvalCommand(const std::vector<std::string>& args);
int RunBoundsCommand(const std::vector<std::string>& args);
int RunProveCommand(const std::vector<std::string>& args);
int RunGateCommand(const std::vector<std::string>& args);
int RunHistoryCommand(const std::vector<std::string>& args);
int RunPlayCommand(const std::vector<std::string>& args);
int RunImportCommand(const std::vector<std::string>& args);

}  // namespace gauntlet::app
