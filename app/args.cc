#include "app/args.h"

#include <charconv>
#include <cstdlib>

#include "core/suggest.h"

namespace gauntlet::app {

Args::Args(const std::vector<std::string>& argv, const std::vector<OptionSpec>& options) {
  std::vector<std::string> names;
  for (const OptionSpec& o : options) names.push_back("--" + o.name);
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg.size() < 3 || !arg.starts_with("--")) {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& o : options) {
      if (o.name == name) spec = &o;
    }
    if (spec == nullptr) {
      error_ = "unknown option '--" + name + "'" + core::DidYouMean("--" + name, names) + "\n";
      return;
    }
    if (!spec->repeatable && values_.contains(name)) {
      error_ = "option '--" + name + "' given more than once\n";
      return;
    }
    if (!spec->takes_value) {
      if (inline_value) {
        error_ = "option '--" + name + "' takes no value\n";
        return;
      }
      values_[name].push_back("");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argv.size()) {
        error_ = "option '--" + name + "' needs a value\n";
        return;
      }
      inline_value = argv[++i];
    }
    if (inline_value->empty()) {  // `--out ""`: a directory, a file or a number is never empty
      error_ = "option '--" + name + "' needs a value, got an empty one\n";
      return;
    }
    values_[name].push_back(*inline_value);
  }
}

std::optional<std::string> Args::Get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<long long> Args::Int(const std::string& name, long long lo, long long hi) {
  const auto text = Get(name);
  if (!text) return std::nullopt;
  long long v = 0;
  const auto r = std::from_chars(text->data(), text->data() + text->size(), v);
  if (r.ec != std::errc() || r.ptr != text->data() + text->size() || v < lo || v > hi) {
    if (error_.empty()) {
      error_ = "option '--" + name + "' needs an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
               ", got '" + *text + "'\n";
    }
    return std::nullopt;
  }
  return v;
}

std::optional<double> Args::Double(const std::string& name) {
  const auto text = Get(name);
  if (!text) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0') {
    if (error_.empty()) error_ = "option '--" + name + "' needs a number, got '" + *text + "'\n";
    return std::nullopt;
  }
  return v;
}

}  // namespace gauntlet::app
