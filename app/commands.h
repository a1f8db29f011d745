#pragma once
// The gauntlet commands. Each takes the arguments after its command word and returns the exit code
// (app/args.h: 0 passed, 1 failed, 2 usage or input error, 3 internal error).

#include <string>
#include <vector>

namespace gauntlet::app {

int RunRunCommand(const std::vector<std::string>& args);
int RunCheckCommand(const std::vector<std::string>& args);
int RunReplayCommand(const std::vector<std::string>& args);
int RunMergeCommand(const std::vector<std::string>& args);
int RunMonitorCommand(const std::vector<std::string>& args);
int RunEvalCommand(const std::vector<std::string>& args);
int RunBoundsCommand(const std::vector<std::string>& args);
int RunProveCommand(const std::vector<std::string>& args);
int RunGateCommand(const std::vector<std::string>& args);
int RunHistoryCommand(const std::vector<std::string>& args);

}  // namespace gauntlet::app
