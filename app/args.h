#pragma once
// Command-line arguments of one gauntlet command: `--name value`, `--name=value`, switches, and
// positional arguments. Unknown options are usage errors with a did-you-mean.
//
//   Args args(argv_tail, {{"threads", true}, {"quiet", false}});
//   const std::optional<long long> threads = args.Int("threads", 1, 1024);   // nullopt when not given
//   if (!args.ok()) { std::cerr << args.error(); return kExitUsage; }   // a bad value too

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::app {

/// Exit codes shared by every command (docs/architecture.md, "The command line").
inline constexpr int kExitPassed = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInternal = 3;

struct OptionSpec {
  std::string name;       ///< without the leading dashes
  bool takes_value = true;
  bool repeatable = false;
};

class Args {
 public:
  Args(const std::vector<std::string>& argv, const std::vector<OptionSpec>& options);

  [[nodiscard]] bool ok() const { return error_.empty(); }
  /// The usage problem, one line, ending with a newline.
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] const std::vector<std::string>& positional() const { return positional_; }
  [[nodiscard]] bool Has(const std::string& name) const { return values_.contains(name); }
  [[nodiscard]] std::optional<std::string> Get(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> GetAll(const std::string& name) const;
  /// The integer value of an option; records a usage error if it is not an integer in [lo, hi].
  std::optional<long long> Int(const std::string& name, long long lo, long long hi);
  std::optional<double> Double(const std::string& name);

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> values_;
  std::string error_;
};

}  // namespace gauntlet::app
