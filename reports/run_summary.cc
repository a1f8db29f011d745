#include "reports/run_summary.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <fstream>
#include <functional>
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
  if (failed > 0 || inconclusive > 0) return 1;
  if (errors > 0 || !info.complete) return 3;
  return 0;
}

std::string RunSummary::Verdict() const {
  if (failed > 0) return "FAILED";
  if (inconclusive > 0) return "INCONCLUSIVE";
  if (errors > 0) return "ERROR";
  if (!info.complete) return "INCOMPLETE";
  return "PASSED";
}

void SummaryBuilder::Add(const scenarios::InstanceResult& r) {
  RunSummary& summary = summary_;
  FamilySummary* family = nullptr;
  for (auto& f : summary.families) {
    if (f.family == r.family) family = &f;
  }
  if (family == nullptr) {
    FamilySummary added;
    added.family = r.family;
    summary.families.push_back(std::move(added));
    family = &summary.families.back();
  }
  FamilySummary& f = *family;
  ++f.instances;
  ++summary.instances;
  switch (r.status) {
    case scenarios::InstanceStatus::kError:
      ++f.errors;
      ++summary.errors;
      if (f.first_errors.size() < 3) f.first_errors.push_back(r.id + ": " + r.error);
      return;
    case scenarios::InstanceStatus::kInvalid:
      ++f.invalid;
      ++summary.invalid;
      return;
    case scenarios::InstanceStatus::kCompleted:
      break;
  }
  if (r.Passed()) {
    ++f.passed;
    ++summary.passed;
  } else if (r.Inconclusive()) {
    ++f.inconclusive;
    ++summary.inconclusive;
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
    (req.satisfied ? s->passed : req.inconclusive ? s->inconclusive : s->failed)++;
    if (req.robustness < s->worst_robustness || s->worst_instance.empty()) {
      s->worst_robustness = req.robustness;
      s->worst_instance = r.id;
    }
  }
}

RunSummary SummaryBuilder::Finish(RunInfo info) const {
  RunSummary summary = summary_;
  summary.info = std::move(info);
  for (auto& f : summary.families) {
    for (auto& s : f.requirements) {
      // an inconclusive verdict gates like a failure
      const auto interval = scenarios::ClopperPearson(s.failed + s.inconclusive, s.evaluated, 0.95);
      s.failure_rate_lo = interval.lo;
      s.failure_rate_hi = interval.hi;
    }
  }
  return summary;
}

RunSummary Summarize(const std::vector<scenarios::InstanceResult>& results, RunInfo info) {
  SummaryBuilder builder;
  for (const auto& r : results) builder.Add(r);
  return builder.Finish(std::move(info));
}

std::string SummaryText(const RunSummary& summary) {
  std::ostringstream out;
  out << "gauntlet: suite '" << summary.info.suite_name << "', seed " << summary.info.seed << ", "
      << summary.instances << " instances in " << Fixed(summary.info.wall_time_s, 1) << " s\n";
  for (const FamilySummary& f : summary.families) {
    out << "\n" << f.family << ": " << f.instances << " instances, " << f.passed << " passed, " << f.failed
        << " failed";
    if (f.inconclusive) out << ", " << f.inconclusive << " inconclusive (stopped early)";
    if (f.invalid) out << ", " << f.invalid << " invalid";
    if (f.errors) out << ", " << f.errors << " errors";
    for (const auto& c : summary.info.coverage) {
      if (c.family == f.family) {
        out << "; parameter-space coverage " << Fixed(100.0 * c.single_fraction, 0) << "% of cells, "
            << Fixed(100.0 * c.pairwise_fraction, 0) << "% of pairwise cells";
      }
    }
    out << "\n";
    size_t width = 11;
    for (const auto& r : f.requirements) width = std::max(width, r.name.size() + 2);
    out << "  " << Pad("requirement", width, true) << Pad("instances", 10) << Pad("passed", 8) << Pad("failed", 8)
        << Pad("fail rate (95% CI)", 22) << Pad("worst robustness", 18) << "\n";
    for (const auto& r : f.requirements) {
      const std::string rate = Fixed(100.0 * (r.failed + r.inconclusive) / std::max<size_t>(1, r.evaluated), 1) + "% [" +
                               Fixed(100.0 * r.failure_rate_lo, 1) + "," + Fixed(100.0 * r.failure_rate_hi, 1) + "]";
      out << "  " << Pad(r.name + (r.gating ? "" : "*"), width, true) << Pad(std::to_string(r.evaluated), 10)
          << Pad(std::to_string(r.passed), 8) << Pad(std::to_string(r.failed), 8) << Pad(rate, 22)
          << Pad(Fixed(r.worst_robustness), 18) << "\n";
      if (r.failed > 0) {
        out << "  " << std::string(width, ' ') << "  worst: " << r.worst_instance << "\n";
        if (!summary.info.out_dir.empty()) {
          out << "  " << std::string(width, ' ') << "  replay: " << core::ReplayCommand(summary.info.out_dir, r.worst_instance)
              << "\n";
        }
      }
      if (r.inconclusive > 0) {
        out << "  " << std::string(width, ' ') << "  inconclusive after an early stop: " << r.inconclusive
            << " (gate as failures)\n";
      }
    }
    for (const auto& e : f.first_errors) out << "  error: " << e << "\n";
  }
  bool any_advisory = false;
  for (const auto& f : summary.families) {
    for (const auto& r : f.requirements) any_advisory = any_advisory || !r.gating;
  }
  if (any_advisory) out << "\n(* advisory requirement: reported, does not gate)\n";
  out << "\nverdict: " << summary.Verdict() << " (" << summary.passed << " passed, " << summary.failed << " failed, ";
  if (summary.inconclusive) out << summary.inconclusive << " inconclusive, ";
  out << summary.invalid << " invalid, " << summary.errors << " errors)\n";
  if (!summary.info.out_dir.empty()) {
    out << "reports: " << summary.info.out_dir << "/{report.html,results.jsonl,summary.json,junit.xml}\n";
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
                 {"inconclusive", summary.inconclusive}, {"invalid", summary.invalid}, {"errors", summary.errors}};
  nlohmann::ordered_json families = nlohmann::ordered_json::array();
  for (const auto& f : summary.families) {
    nlohmann::ordered_json fj;
    fj["family"] = f.family;
    fj["instances"] = f.instances;
    fj["passed"] = f.passed;
    fj["failed"] = f.failed;
    fj["inconclusive"] = f.inconclusive;
    fj["invalid"] = f.invalid;
    fj["errors"] = f.errors;
    for (const auto& c : summary.info.coverage) {
      if (c.family == f.family) {
        fj["coverage"] = {{"points", c.points}, {"cells", c.single_fraction}, {"pairwise_cells", c.pairwise_fraction}};
      }
    }
    nlohmann::ordered_json reqs = nlohmann::ordered_json::array();
    for (const auto& r : f.requirements) {
      reqs.push_back({{"name", r.name},
                      {"gating", r.gating},
                      {"evaluated", r.evaluated},
                      {"passed", r.passed},
                      {"failed", r.failed},
                      {"inconclusive", r.inconclusive},
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

namespace {

/// Calls `visit(result, wall_time_s)` for every result of `family`, in plan order.
using FamilyVisitor = std::function<void(const std::string& family,
                                         const std::function<void(const scenarios::InstanceResult&, double)>& visit)>;

void WriteJUnit(const RunSummary& summary, const FamilyVisitor& for_each, std::ostream& out) {
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // totals first: one pass over every family
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  struct Counts {
    size_t tests = 0, failures = 0, errors = 0, skipped = 0;
    double time = 0.0;
  };
  std::vector<Counts> counts(summary.families.size());
  for (size_t k = 0; k < summary.families.size(); ++k) {
    for_each(summary.families[k].family, [&](const scenarios::InstanceResult& r, double wall) {
      Counts& c = counts[k];
      const size_t n = std::max<size_t>(1, r.requirements.size());
      c.tests += n;
      c.time += wall;
      if (r.status == scenarios::InstanceStatus::kError) c.errors += n;
      if (r.status == scenarios::InstanceStatus::kInvalid) c.skipped += n;
      if (r.status == scenarios::InstanceStatus::kCompleted) {
        for (const auto& req : r.requirements) c.failures += (req.satisfied || !req.gating) ? 0 : 1;
      }
    });
    tests += counts[k].tests;
    failures += counts[k].failures;
    errors += counts[k].errors;
    skipped += counts[k].skipped;
  }
  out << "<testsuites name=\"" << XmlEscape(summary.info.suite_name) << "\" tests=\"" << tests << "\" failures=\""
      << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\""
      << Fixed(summary.info.wall_time_s) << "\">\n";
  for (size_t k = 0; k < summary.families.size(); ++k) {
    const FamilySummary& f = summary.families[k];
    const Counts& c = counts[k];
    out << "  <testsuite name=\"" << XmlEscape(f.family) << "\" tests=\"" << c.tests << "\" failures=\"" << c.failures
        << "\" errors=\"" << c.errors << "\" skipped=\"" << c.skipped << "\" time=\"" << Fixed(c.time) << "\">\n";
    for_each(f.family, [&](const scenarios::InstanceResult& r, double wall) {
      const std::string replay = core::ReplayCommand(summary.info.out_dir, r.id);
      const size_t n = std::max<size_t>(1, r.requirements.size());
      auto open_case = [&](const std::string& requirement) {
        out << "    <testcase classname=\"" << XmlEscape(f.family) << "\" name=\""
            << XmlEscape(r.id + " :: " + requirement) << "\" time=\"" << Fixed(wall / static_cast<double>(n), 6)
            << "\"";
      };
      if (r.status == scenarios::InstanceStatus::kError || r.requirements.empty()) {
        open_case(r.requirements.empty() ? "run" : "all requirements");
        if (r.status == scenarios::InstanceStatus::kError) {
          out << ">\n      <error message=\"" << XmlEscape(r.error) << "\" type=\"instance error\">"
              << XmlEscape("seed " + std::to_string(r.seed) + "\nreplay: " + replay) << "</error>\n    </testcase>\n";
        } else {
          out << "/>\n";
        }
        if (r.status == scenarios::InstanceStatus::kError) return;
      }
      for (const auto& req : r.requirements) {
        open_case(req.name);
        if (r.status == scenarios::InstanceStatus::kInvalid) {
          out << ">\n      <skipped message=\"an assumption of the scenario was broken\"/>\n    </testcase>\n";
          continue;
        }
        std::string message = "robustness " + core::FormatDouble(req.robustness);
        if (req.first_violation_time_s) {
          message += ", first violated at t=" + core::FormatDouble(*req.first_violation_time_s) + " s";
        }
        if (req.inconclusive) {
          message = "inconclusive after an early stop at t=" + core::FormatDouble(r.end_time_s) +
                    " s: the robustness at time 0 lies in [" + core::FormatDouble(req.robustness_bounds->first) +
                    ", " + core::FormatDouble(req.robustness_bounds->second) + "] over every completion of the trace";
        }
        if (!req.satisfied && r.witness) message += "; " + scenarios::WitnessText(*r.witness);
        if (!req.satisfied && req.gating) {
          out << ">\n      <failure message=\"" << XmlEscape(message) << "\" type=\""
              << (req.inconclusive ? "requirement inconclusive" : "requirement violated") << "\">"
              << XmlEscape(message + "\nseed " + std::to_string(r.seed) + "\nreplay: " + replay)
              << "</failure>\n    </testcase>\n";
        } else if (!req.satisfied) {
          // an advisory requirement: reported, never a CI failure
          out << ">\n      <system-out>"
              << XmlEscape(std::string(req.inconclusive ? "advisory requirement " : "advisory requirement violated: ") +
                           message + "\nreplay: " + replay)
              << "</system-out>\n    </testcase>\n";
        } else {
          out << "/>\n";
        }
      }
    });
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace

std::string JUnitXml(const std::vector<scenarios::InstanceResult>& results, const RunSummary& summary) {
  std::ostringstream out;
  WriteJUnit(
      summary,
      [&](const std::string& family, const std::function<void(const scenarios::InstanceResult&, double)>& visit) {
        for (const auto& r : results) {
          if (r.family == family) visit(r, r.wall_time_s);
        }
      },
      out);
  return out.str();
}

void WriteJUnitXml(const std::string& results_jsonl, const RunSummary& summary, const std::vector<float>& wall_times_s,
                   std::ostream& out) {
  WriteJUnit(
      summary,
      [&](const std::string& family, const std::function<void(const scenarios::InstanceResult&, double)>& visit) {
        std::ifstream in(results_jsonl);
        std::string line;
        size_t index = 0;
        while (std::getline(in, line)) {
          if (line.empty()) continue;
          // cheap pre-filter before parsing the whole line
          if (line.find("\"family\":" + nlohmann::json(family).dump()) != std::string::npos) {
            const scenarios::InstanceResult r = scenarios::FromJsonLine(line, results_jsonl);
            if (r.family == family) visit(r, index < wall_times_s.size() ? wall_times_s[index] : 0.0);
          }
          ++index;
        }
      },
      out);
}

}  // namespace gauntlet::reports
