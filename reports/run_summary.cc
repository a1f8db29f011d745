#include "reports/run_summary.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "core/format.h"
#include "scenarios/generators/statistics.h"

namespace gauntlet::reports {
namespace {

std::string Fixed(double v, int digits = 3) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

std::string Pad(const std::string& s, size_t width, bool left = false) {
  if (s.size() >= width) return s;
  return left ? s + std::string(width - s.size(), ' ') : std::string(width - s.size(), ' ') + s;
}

nlohmann::ordered_json JsonNumber(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

}  // namespace

int RunSummary::ExitCode() const {
  if (failed > 0) return 1;
  if (errors > 0 || !info.complete) return 3;
  return 0;
}

std::string RunSummary::Verdict() const {
  if (failed > 0) return "FAILED";
  if (errors > 0) return "ERROR";
  if (!info.complete) return "INCOMPLETE";
  return "PASSED";
}

RunSummary Summarize(const std::vector<scenarios::InstanceResult>& results, RunInfo info) {
  RunSummary summary;
  summary.info = std::move(info);
  std::map<std::string, size_t> family_index;
  for (const auto& r : results) {
    auto [it, inserted] = family_index.try_emplace(r.family, summary.families.size());
    if (inserted) {
      FamilySummary family;
      family.family = r.family;
      summary.families.push_back(std::move(family));
    }
    FamilySummary& f = summary.families[it->second];
    ++f.instances;
    ++summary.instances;
    switch (r.status) {
      case scenarios::InstanceStatus::kError:
        ++f.errors;
        ++summary.errors;
        if (f.first_errors.size() < 3) f.first_errors.push_back(r.id + ": " + r.error);
        continue;
      case scenarios::InstanceStatus::kInvalid:
        ++f.invalid;
        ++summary.invalid;
        continue;
      case scenarios::InstanceStatus::kCompleted:
        break;
    }
    if (r.Passed()) {
      ++f.passed;
      ++summary.passed;
    } else {
      ++f.failed;
      ++summary.failed;
    }
    for (const auto& req : r.requirements) {
      RequirementSummary* s = nullptr;
      for (auto& existing : f.requirements) {
        if (existing.name == req.name) s = &existing;
      }
      if (s == nullptr) {
        RequirementSummary added;
        added.name = req.name;
        added.gating = req.gating;
        added.worst_robustness = INFINITY;
        f.requirements.push_back(std::move(added));
        s = &f.requirements.back();
      }
      ++s->evaluated;
      (req.satisfied ? s->passed : s->failed)++;
      if (req.robustness < s->worst_robustness || s->worst_instance.empty()) {
        s->worst_robustness = req.robustness;
        s->worst_instance = r.id;
      }
    }
  }
  for (auto& f : summary.families) {
    for (auto& s : f.requirements) {
      const auto interval = scenarios::ClopperPearson(s.failed, s.evaluated, 0.95);
      s.failure_rate_lo = interval.lo;
      s.failure_rate_hi = interval.hi;
    }
  }
  return summary;
}

std::string SummaryText(const RunSummary& summary) {
  std::ostringstream out;
  out << "gauntlet: suite '" << summary.info.suite_name << "', seed " << summary.info.seed << ", "
      << summary.instances << " instances in " << Fixed(summary.info.wall_time_s, 1) << " s\n";
  for (const FamilySummary& f : summary.families) {
    out << "\n" << f.family << ": " << f.instances << " instances, " << f.passed << " passed, " << f.failed
        << " failed";
    if (f.invalid) out << ", " << f.invalid << " invalid";
    if (f.errors) out << ", " << f.errors << " errors";
    out << "\n";
    size_t width = 11;
    for (const auto& r : f.requirements) width = std::max(width, r.name.size() + 2);
    out << "  " << Pad("requirement", width, true) << Pad("instances", 10) << Pad("passed", 8) << Pad("failed", 8)
        << Pad("fail rate (95% CI)", 22) << Pad("worst robustness", 18) << "\n";
    for (const auto& r : f.requirements) {
      const std::string rate = Fixed(100.0 * r.failed / std::max<size_t>(1, r.evaluated), 1) + "% [" +
                               Fixed(100.0 * r.failure_rate_lo, 1) + "," + Fixed(100.0 * r.failure_rate_hi, 1) + "]";
      out << "  " << Pad(r.name + (r.gating ? "" : "*"), width, true) << Pad(std::to_string(r.evaluated), 10)
          << Pad(std::to_string(r.passed), 8) << Pad(std::to_string(r.failed), 8) << Pad(rate, 22)
          << Pad(Fixed(r.worst_robustness), 18) << "\n";
      if (r.failed > 0) out << "  " << std::string(width, ' ') << "  worst: " << r.worst_instance << "\n";
    }
    for (const auto& e : f.first_errors) out << "  error: " << e << "\n";
  }
  bool any_advisory = false;
  for (const auto& f : summary.families) {
    for (const auto& r : f.requirements) any_advisory = any_advisory || !r.gating;
  }
  if (any_advisory) out << "\n(* advisory requirement: reported, does not gate)\n";
  out << "\nverdict: " << summary.Verdict() << " (" << summary.passed << " passed, " << summary.failed
      << " failed, " << summary.invalid << " invalid, " << summary.errors << " errors)\n";
  if (!summary.info.out_dir.empty()) {
    out << "reports: " << summary.info.out_dir << "/{results.jsonl,summary.json,junit.xml}\n";
  }
  return out.str();
}

std::string SummaryJson(const RunSummary& summary) {
  nlohmann::ordered_json j;
  j["suite"] = summary.info.suite_name;
  j["suite_path"] = summary.info.suite_path;
  j["seed"] = summary.info.seed;
  j["threads"] = summary.info.threads;
  j["wall_time_s"] = summary.info.wall_time_s;
  j["complete"] = summary.info.complete;
  j["verdict"] = summary.Verdict();
  j["exit_code"] = summary.ExitCode();
  nlohmann::ordered_json models = nlohmann::ordered_json::object();
  for (const auto& [slot, source] : summary.info.models) models[slot] = source;
  j["models"] = models;
  j["totals"] = {{"instances", summary.instances}, {"passed", summary.passed}, {"failed", summary.failed},
                 {"invalid", summary.invalid}, {"errors", summary.errors}};
  nlohmann::ordered_json families = nlohmann::ordered_json::array();
  for (const auto& f : summary.families) {
    nlohmann::ordered_json fj;
    fj["family"] = f.family;
    fj["instances"] = f.instances;
    fj["passed"] = f.passed;
    fj["failed"] = f.failed;
    fj["invalid"] = f.invalid;
    fj["errors"] = f.errors;
    nlohmann::ordered_json reqs = nlohmann::ordered_json::array();
    for (const auto& r : f.requirements) {
      reqs.push_back({{"name", r.name},
                      {"gating", r.gating},
                      {"evaluated", r.evaluated},
                      {"passed", r.passed},
                      {"failed", r.failed},
                      {"failure_rate_ci95", {r.failure_rate_lo, r.failure_rate_hi}},
                      {"worst_robustness", JsonNumber(r.worst_robustness)},
                      {"worst_instance", r.worst_instance}});
    }
    fj["requirements"] = reqs;
    families.push_back(fj);
  }
  j["families"] = families;
  return j.dump(2) + "\n";
}

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += ' ';  // control characters are not allowed in XML 1.0
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string JUnitXml(const std::vector<scenarios::InstanceResult>& results, const RunSummary& summary) {
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  size_t tests = 0, failures = 0, errors = 0;
  for (const auto& r : results) {
    const size_t n = std::max<size_t>(1, r.requirements.size());
    tests += n;
    if (r.status == scenarios::InstanceStatus::kError) errors += n;
    if (r.status == scenarios::InstanceStatus::kCompleted) {
      for (const auto& req : r.requirements) failures += req.satisfied ? 0 : 1;
    }
  }
  out << "<testsuites name=\"" << XmlEscape(summary.info.suite_name) << "\" tests=\"" << tests << "\" failures=\""
      << failures << "\" errors=\"" << errors << "\" time=\"" << Fixed(summary.info.wall_time_s) << "\">\n";
  for (const auto& f : summary.families) {
    size_t f_tests = 0, f_failures = 0, f_errors = 0, f_skipped = 0;
    double f_time = 0.0;
    for (const auto& r : results) {
      if (r.family != f.family) continue;
      const size_t n = std::max<size_t>(1, r.requirements.size());
      f_tests += n;
      f_time += r.wall_time_s;
      if (r.status == scenarios::InstanceStatus::kError) f_errors += n;
      if (r.status == scenarios::InstanceStatus::kInvalid) f_skipped += n;
      if (r.status == scenarios::InstanceStatus::kCompleted) {
        for (const auto& req : r.requirements) f_failures += req.satisfied ? 0 : 1;
      }
    }
    out << "  <testsuite name=\"" << XmlEscape(f.family) << "\" tests=\"" << f_tests << "\" failures=\"" << f_failures
        << "\" errors=\"" << f_errors << "\" skipped=\"" << f_skipped << "\" time=\"" << Fixed(f_time) << "\">\n";
    for (const auto& r : results) {
      if (r.family != f.family) continue;
      const std::string replay = "gauntlet replay " + summary.info.out_dir + " --case '" + r.id + "'";
      auto open_case = [&](const std::string& requirement) {
        out << "    <testcase classname=\"" << XmlEscape(f.family) << "\" name=\""
            << XmlEscape(r.id + " :: " + requirement) << "\" time=\""
            << Fixed(r.wall_time_s / std::max<size_t>(1, r.requirements.size()), 6) << "\"";
      };
      if (r.requirements.empty()) {
        open_case("run");
        if (r.status == scenarios::InstanceStatus::kError) {
          out << ">\n      <error message=\"" << XmlEscape(r.error) << "\">" << XmlEscape(replay)
              << "</error>\n    </testcase>\n";
        } else {
          out << "/>\n";
        }
        continue;
      }
      for (const auto& req : r.requirements) {
        open_case(req.name);
        if (r.status == scenarios::InstanceStatus::kError) {
          out << ">\n      <error message=\"" << XmlEscape(r.error) << "\">" << XmlEscape(replay)
              << "</error>\n    </testcase>\n";
        } else if (r.status == scenarios::InstanceStatus::kInvalid) {
          out << ">\n      <skipped message=\"an assumption of the scenario was broken\"/>\n    </testcase>\n";
        } else if (!req.satisfied) {
          std::string message = "robustness " + core::FormatDouble(req.robustness);
          if (req.first_violation_time_s) {
            message += ", first violated at t=" + core::FormatDouble(*req.first_violation_time_s) + " s";
          }
          if (!req.gating) message += " (advisory)";
          out << ">\n      <failure message=\"" << XmlEscape(message) << "\" type=\"requirement violated\">"
              << XmlEscape(message + "\nseed " + std::to_string(r.seed) + "\nreplay: " + replay)
              << "</failure>\n    </testcase>\n";
        } else {
          out << "/>\n";
        }
      }
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace gauntlet::reports
