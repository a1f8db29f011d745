// gauntlet check FILE.yaml...: validate suites and scenarios; every problem as file:line:col: error: ...

#include <iostream>

#include "app/args.h"
#include "app/commands.h"
#include "core/error.h"
#include "scenarios/suite.h"

namespace gauntlet::app {

int RunCheckCommand(const std::vector<std::string>& argv) {
  Args args(argv, {});
  if (!args.ok()) {
    std::cerr << "gauntlet check: " << args.error();
    return kExitUsage;
  }
  if (args.positional().empty()) {
    std::cerr << "gauntlet check: expected one or more YAML files\nusage: gauntlet check FILE.yaml...\n";
    return kExitUsage;
  }
  int code = kExitPassed;
  for (const std::string& path : args.positional()) {
    try {
      for (const std::string& warning : scenarios::CheckFile(path)) std::cerr << warning << "\n";
      std::cout << path << ": ok\n";
    } catch (const core::InputError& e) {
      std::cerr << e.what() << "\n";
      code = kExitUsage;
    }
  }
  return code;
}

}  // namespace gauntlet::app
