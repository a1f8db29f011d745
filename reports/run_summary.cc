#include "reports/run_summary.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/format.h"
#include "scenarios/generators/generator_spec.h"
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

Provenance ProvenanceOf(std::string_view origin) {
  if (origin == "uniform" || origin == "sobol" || origin == "lhs") return Provenance::kRandomDraw;
  if (origin == "grid") return Provenance::kGrid;
  if (origin == "nominal" || origin.starts_with("edge:")) return Provenance::kEdgeCase;
  if (origin == "corner" || origin.starts_with("corner:")) return Provenance::kCorner;
  if (origin == "shrink" || origin == "shrunk") return Provenance::kShrink;
  if (origin == "formal") return Provenance::kFormal;
  for (const auto& entry : scenarios::EnumNames(scenarios::GeneratorKind{})) {
    if (entry.name == origin && scenarios::IsAdaptive(entry.value)) return Provenance::kSearch;
  }
  return Provenance::kOther;
}

const char* ProvenanceName(Provenance provenance) {
  switch (provenance) {
    case Provenance::kRandomDraw: return "random";
    case Provenance::kGrid: return "grid";
    case Provenance::kEdgeCase: return "edge_cases";
    case Provenance::kCorner: return "corners";
    case Provenance::kSearch: return "search";
    case Provenance::kShrink: return "shrink";
    case Provenance::kFormal: return "formal";
    case Provenance::kOther: return "other";
  }
  return "other";
}

const char* ProvenanceWords(Provenance provenance) {
  switch (provenance) {
    case Provenance::kRandomDraw: return "random draws";
    case Provenance::kGrid: return "the grid";
    case Provenance::kEdgeCase: return "edge cases";
    case Provenance::kCorner: return "corners";
    case Provenance::kSearch: return "search";
    case Provenance::kShrink: return "shrinking";
    case Provenance::kFormal: return "formal checks";
    case Provenance::kOther: return "other generators";
  }
  return "other generators";
}

int RunSummary::ExitCode() const {
  if (failed > 0 || formal_failed > 0 || inconclusive > 0) return 1;
  if (errors > 0 || formal_inconclusive > 0 || !info.complete) return 3;
  return 0;
}

std::string RunSummary::Verdict() const {
  if (failed > 0 || formal_failed > 0) return "FAILED";
  if (inconclusive > 0) return "INCONCLUSIVE";
  if (errors > 0 || formal_inconclusive > 0) return "ERROR";
  if (!info.complete) return "INCOMPLETE";
  return "PASSED";
}

namespace {

/// The lowest robustness over the gating requirements of a completed instance (+inf if none).
double WorstGatingRobustness(const scenarios::InstanceResult& r) {
  double worst = INFINITY;
  for (const auto& q : r.requirements)
    if (q.gating) worst = std::min(worst, q.robustness);
  return worst;
}

void AddFormal(const scenarios::InstanceResult& r, FamilySummary* f, RunSummary* summary) {
  FormalCheckSummary c;
  c.id = r.id;
  const std::string marker = " formal:";
  const size_t at = r.id.find(marker);
  c.name = at == std::string::npos ? r.id : r.id.substr(at + marker.size());
  ++summary->formal_checks;
  if (r.status == scenarios::InstanceStatus::kCompleted && !r.requirements.empty()) {
    const scenarios::RequirementOutcome& q = r.requirements.front();
    c.gating = q.gating;
    c.margin = q.robustness;
    c.verdict = q.satisfied ? "holds" : "violated";
    if (q.satisfied) {
      ++summary->formal_held;
    } else {
      ++summary->formal_violated;
      if (q.gating) ++summary->formal_failed;
    }
  } else {
    c.verdict = "inconclusive";
    c.margin = NAN;
    c.detail = r.error;
    ++summary->formal_inconclusive;
  }
  f->formal.push_back(std::move(c));
}

void AddSearch(const scenarios::InstanceResult& r, Provenance p, FamilySummary* f) {
  const double robustness = WorstGatingRobustness(r);
  if (p == Provenance::kSearch) {
    // a new search begins with another method, or after the previous one shrank its counterexample
    if (f->searches.empty() || f->searches.back().method != r.origin || f->searches.back().shrink_simulations > 0) {
      SearchSummary added;
      added.method = r.origin;
      added.best_robustness = INFINITY;
      f->searches.push_back(std::move(added));
    }
    SearchSummary& s = f->searches.back();
    ++s.simulations;
    if (r.Failed()) ++s.failing;
    if (r.status == scenarios::InstanceStatus::kCompleted && (robustness < s.best_robustness || s.best_instance.empty())) {
      s.best_robustness = robustness;
      s.best_instance = r.id;
    }
    return;
  }
  if (f->searches.empty()) return;  // shrinking without a search: not from a campaign
  SearchSummary& s = f->searches.back();
  ++s.shrink_simulations;
  if (r.origin == "shrunk") {
    s.shrunk_instance = r.id;
    s.shrunk_robustness = robustness;
  }
}

}  // namespace

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
  const Provenance provenance = ProvenanceOf(r.origin);
  if (provenance == Provenance::kFormal) {
    AddFormal(r, &f, &summary);
    return;
  }
  ++f.instances;
  ++summary.instances;
  if (provenance == Provenance::kRandomDraw) ++f.sampled;
  if (provenance == Provenance::kSearch || provenance == Provenance::kShrink) AddSearch(r, provenance, &f);
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
      for (Tally& t : added.by_provenance) t.worst_robustness = INFINITY;
      f.requirements.push_back(std::move(added));
      s = &f.requirements.back();
    }
    ++s->evaluated;
    (req.satisfied ? s->passed : req.inconclusive ? s->inconclusive : s->failed)++;
    if (req.robustness < s->worst_robustness || s->worst_instance.empty()) {
      s->worst_robustness = req.robustness;
      s->worst_instance = r.id;
    }
    if (provenance == Provenance::kRandomDraw) {
      ++s->sampled;
      if (!req.satisfied) ++s->sampled_failed;
      continue;
    }
    Tally& t = s->by_provenance[static_cast<size_t>(provenance)];
    ++t.evaluated;
    if (!req.satisfied) ++t.failed;
    if (req.robustness < t.worst_robustness || t.worst_instance.empty()) {
      t.worst_robustness = req.robustness;
      t.worst_instance = r.id;
    }
  }
}

RunSummary SummaryBuilder::Finish(RunInfo info) const {
  RunSummary summary = summary_;
  summary.info = std::move(info);
  for (auto& f : summary.families) {
    for (auto& s : f.requirements) {
      const auto interval = scenarios::ClopperPearson(s.sampled_failed, s.sampled, 0.95);
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

namespace {

/// "9/300 3.0% [1.4,5.6]": the failure rate of the random draws with its interval; "no random draws".
std::string SampledRate(const RequirementSummary& r) {
  if (r.sampled == 0) return "no random draws";
  return std::to_string(r.sampled_failed) + "/" + std::to_string(r.sampled) + " " +
         Fixed(100.0 * static_cast<double>(r.sampled_failed) / static_cast<double>(r.sampled), 1) + "% [" +
         Fixed(100.0 * r.failure_rate_lo, 1) + "," + Fixed(100.0 * r.failure_rate_hi, 1) + "]";
}

std::string Plural(size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string SummaryText(const RunSummary& summary) {
  std::ostringstream out;
  out << "gauntlet: suite '" << summary.info.suite_name << "', seed " << summary.info.seed << ", "
      << summary.instances << " instances";
  if (summary.formal_checks > 0) out << " and " << Plural(summary.formal_checks, "formal check", "formal checks");
  out << " in " << Fixed(summary.info.wall_time_s, 1) << " s\n";
  for (const FamilySummary& f : summary.families) {
    out << "\n" << f.family << ": " << f.instances << " instances (" << f.sampled << " random draws), " << f.passed
        << " passed, " << f.failed << " failed";
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
    if (!f.requirements.empty()) {
      size_t width = 11;
      for (const auto& r : f.requirements) width = std::max(width, r.name.size() + 2);
      out << "  " << Pad("requirement", width, true) << Pad("instances", 10) << Pad("passed", 8) << Pad("failed", 8)
          << Pad("random draws: fail rate (95% CI)", 36) << Pad("worst robustness", 18) << "\n";
      for (const auto& r : f.requirements) {
        out << "  " << Pad(r.name + (r.gating ? "" : "*"), width, true) << Pad(std::to_string(r.evaluated), 10)
            << Pad(std::to_string(r.passed), 8) << Pad(std::to_string(r.failed), 8) << Pad(SampledRate(r), 36)
            << Pad(Fixed(r.worst_robustness), 18) << "\n";
        const std::string indent = "  " + std::string(width, ' ') + "  ";
        if (r.failed > 0) {
          out << indent << "worst: " << r.worst_instance << "\n";
          if (!summary.info.out_dir.empty()) {
            out << indent << "replay: " << core::ReplayCommand(summary.info.out_dir, r.worst_instance) << "\n";
          }
        }
        if (r.inconclusive > 0) {
          out << indent << "inconclusive after an early stop: " << r.inconclusive << " (gate as failures)\n";
        }
        for (size_t p = 0; p < kProvenanceCount; ++p) {
          const Tally& t = r.by_provenance[p];
          if (t.failed == 0) continue;
          out << indent << "found by " << ProvenanceWords(static_cast<Provenance>(p)) << ": "
              << Plural(t.failed, "failing instance", "failing instances") << " of " << t.evaluated << ", worst "
              << Fixed(t.worst_robustness) << "\n";
        }
      }
    }
    for (const SearchSummary& s : f.searches) {
      out << "  search " << s.method << ": " << Plural(s.simulations, "simulation", "simulations") << ", ";
      if (s.found_violation()) {
        out << "violation found (" << Plural(s.failing, "failing instance", "failing instances") << ", worst "
            << Fixed(s.best_robustness) << ": " << s.best_instance << ")\n";
      } else {
        out << "no violation found (lowest robustness " << Fixed(s.best_robustness) << ")\n";
      }
      if (!s.shrunk_instance.empty()) {
        out << "    shrunk in " << Plural(s.shrink_simulations, "simulation", "simulations")
            << " to the counterexample " << s.shrunk_instance << " (robustness " << Fixed(s.shrunk_robustness)
            << ")\n";
      }
    }
    for (const FormalCheckSummary& c : f.formal) {
      out << "  formal check " << c.name << (c.gating ? "" : "*") << ": " << c.verdict;
      if (c.verdict == "inconclusive") {
        out << " (" << c.detail << ")";
      } else {
        out << " (margin " << Fixed(c.margin) << ")";
      }
      out << "\n";
    }
    for (const auto& e : f.first_errors) out << "  error: " << e << "\n";
  }
  bool any_advisory = false;
  for (const auto& f : summary.families) {
    for (const auto& r : f.requirements) any_advisory = any_advisory || !r.gating;
    for (const auto& c : f.formal) any_advisory = any_advisory || !c.gating;
  }
  if (any_advisory) out << "\n(* advisory requirement: reported, does not gate)\n";
  out << "\nverdict: " << summary.Verdict() << " (" << summary.passed << " passed, " << summary.failed << " failed, ";
  if (summary.inconclusive) out << summary.inconclusive << " inconclusive, ";
  out << summary.invalid << " invalid, " << summary.errors << " errors";
  if (summary.formal_checks > 0) {
    out << "; formal checks: " << summary.formal_held << " held, " << summary.formal_violated << " violated, "
        << summary.formal_inconclusive << " inconclusive";
  }
  out << ")\n";
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
  j["formal_checks"] = {{"checks", summary.formal_checks},
                        {"held", summary.formal_held},
                        {"violated", summary.formal_violated},
                        {"inconclusive", summary.formal_inconclusive}};
  // the statistic: which instances the failure rates and intervals are computed from
  j["failure_rate_statistic"] = "random draws (origins uniform, sobol, lhs)";
  nlohmann::ordered_json families = nlohmann::ordered_json::array();
  for (const auto& f : summary.families) {
    nlohmann::ordered_json fj;
    fj["family"] = f.family;
    fj["instances"] = f.instances;
    fj["random_draws"] = f.sampled;
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
      nlohmann::ordered_json found = nlohmann::ordered_json::array();
      for (size_t p = 0; p < kProvenanceCount; ++p) {
        const Tally& t = r.by_provenance[p];
        if (t.evaluated == 0) continue;
        found.push_back({{"by", ProvenanceName(static_cast<Provenance>(p))},
                         {"evaluated", t.evaluated},
                         {"failed", t.failed},
                         {"worst_robustness", JsonNumber(t.worst_robustness)},
                         {"worst_instance", t.worst_instance}});
      }
      reqs.push_back({{"name", r.name},
                      {"gating", r.gating},
                      {"evaluated", r.evaluated},
                      {"passed", r.passed},
                      {"failed", r.failed},
                      {"inconclusive", r.inconclusive},
                      {"random_draws", {{"evaluated", r.sampled}, {"failed", r.sampled_failed}}},
                      {"failure_rate_ci95", {r.failure_rate_lo, r.failure_rate_hi}},
                      {"worst_robustness", JsonNumber(r.worst_robustness)},
                      {"worst_instance", r.worst_instance},
                      {"found_by", found}});
    }
    fj["requirements"] = reqs;
    nlohmann::ordered_json searches = nlohmann::ordered_json::array();
    for (const SearchSummary& s : f.searches) {
      nlohmann::ordered_json sj = {{"method", s.method},
                                   {"simulations", s.simulations},
                                   {"violation_found", s.found_violation()},
                                   {"failing", s.failing},
                                   {"best_robustness", JsonNumber(s.best_robustness)},
                                   {"best_instance", s.best_instance},
                                   {"shrink_simulations", s.shrink_simulations}};
      if (!s.shrunk_instance.empty()) {
        sj["shrunk_instance"] = s.shrunk_instance;
        sj["shrunk_robustness"] = JsonNumber(s.shrunk_robustness);
      }
      searches.push_back(sj);
    }
    fj["searches"] = searches;
    nlohmann::ordered_json formal = nlohmann::ordered_json::array();
    for (const FormalCheckSummary& c : f.formal) {
      nlohmann::ordered_json cj = {{"name", c.name}, {"id", c.id}, {"gating", c.gating}, {"verdict", c.verdict},
                                   {"margin", JsonNumber(c.margin)}};
      if (!c.detail.empty()) cj["detail"] = c.detail;
      formal.push_back(cj);
    }
    fj["formal_checks"] = formal;
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

struct JUnitCounts {
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double time = 0.0;
  JUnitCounts& operator+=(const JUnitCounts& o) {
    tests += o.tests;
    failures += o.failures;
    errors += o.errors;
    skipped += o.skipped;
    time += o.time;
    return *this;
  }
};

std::string ReplayCommand(const RunSummary& summary, const scenarios::InstanceResult& r) {
  return core::ReplayCommand(summary.info.out_dir, r.id);
}

void OpenSuite(std::ostream& out, const std::string& name, const JUnitCounts& c) {
  out << "  <testsuite name=\"" << XmlEscape(name) << "\" tests=\"" << c.tests << "\" failures=\"" << c.failures
      << "\" errors=\"" << c.errors << "\" skipped=\"" << c.skipped << "\" time=\"" << Fixed(c.time) << "\">\n";
}

/// The family's statistics as testsuite properties: the random draws' failure rate per requirement and
/// what the instances chosen on purpose found.
void WriteProperties(std::ostream& out, const FamilySummary& f) {
  out << "    <properties>\n      <property name=\"random_draws\" value=\"" << f.sampled << "\"/>\n";
  for (const RequirementSummary& r : f.requirements) {
    out << "      <property name=\"" << XmlEscape(r.name + ": failure rate of random draws (95% CI)") << "\" value=\""
        << XmlEscape(SampledRate(r)) << "\"/>\n";
    for (size_t p = 0; p < kProvenanceCount; ++p) {
      const Tally& t = r.by_provenance[p];
      if (t.evaluated == 0) continue;
      out << "      <property name=\""
          << XmlEscape(r.name + ": found by " + ProvenanceWords(static_cast<Provenance>(p))) << "\" value=\""
          << XmlEscape(Plural(t.failed, "failing instance", "failing instances") + " of " +
                       std::to_string(t.evaluated) + ", worst " + Fixed(t.worst_robustness))
          << "\"/>\n";
    }
  }
  out << "    </properties>\n";
}

/// Per-instance testcases of one instance (formal checks excluded).
void WriteInstanceCases(std::ostream& out, const RunSummary& summary, const FamilySummary& f,
                        const scenarios::InstanceResult& r, double wall) {
  const std::string replay = ReplayCommand(summary, r);
  const size_t n = std::max<size_t>(1, r.requirements.size());
  auto open_case = [&](const std::string& requirement) {
    out << "    <testcase classname=\"" << XmlEscape(f.family) << "\" name=\"" << XmlEscape(r.id + " :: " + requirement)
        << "\" time=\"" << Fixed(wall / static_cast<double>(n), 6) << "\"";
  };
  if (r.status == scenarios::InstanceStatus::kError || r.requirements.empty()) {
    open_case(r.requirements.empty() ? "run" : "all requirements");
    if (r.status == scenarios::InstanceStatus::kError) {
      out << ">\n      <error message=\"" << XmlEscape(r.error) << "\" type=\"instance error\">"
          << XmlEscape("seed " + std::to_string(r.seed) + "\nreplay: " + replay) << "</error>\n    </testcase>\n";
      return;
    }
    out << "/>\n";
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
                " s: the robustness at time 0 lies in [" + core::FormatDouble(req.robustness_bounds->first) + ", " +
                core::FormatDouble(req.robustness_bounds->second) + "] over every completion of the trace";
    }
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
}

/// A formal check's testcase.
void WriteFormalCase(std::ostream& out, const RunSummary& summary, const FamilySummary& f,
                     const scenarios::InstanceResult& r, double wall) {
  out << "    <testcase classname=\"" << XmlEscape(f.family + " formal checks") << "\" name=\"" << XmlEscape(r.id)
      << "\" time=\"" << Fixed(wall, 6) << "\"";
  const std::string replay = ReplayCommand(summary, r);
  if (r.status != scenarios::InstanceStatus::kCompleted || r.requirements.empty()) {
    out << ">\n      <error message=\"" << XmlEscape(r.error) << "\" type=\"formal check inconclusive\"/>\n    </testcase>\n";
    return;
  }
  const scenarios::RequirementOutcome& q = r.requirements.front();
  std::string message = "margin " + core::FormatDouble(q.robustness);
  if (!q.satisfied && r.witness) message += "; " + scenarios::WitnessText(*r.witness);
  if (q.satisfied) {
    out << "/>\n";
  } else if (q.gating) {
    out << ">\n      <failure message=\"" << XmlEscape("violated, " + message) << "\" type=\"formal check violated\">"
        << XmlEscape("violated, " + message + "\nreplay: " + replay) << "</failure>\n    </testcase>\n";
  } else {
    out << ">\n      <system-out>" << XmlEscape("advisory formal check violated, " + message)
        << "</system-out>\n    </testcase>\n";
  }
}

/// Per-requirement mode: the failing instances kept for one requirement (the worst `max_listed`).
struct Listed {
  size_t count = 0;
  std::vector<std::pair<double, std::string>> worst;  ///< robustness, text; lowest first, ties in plan order
  void Add(double robustness, std::string text, size_t max_listed) {
    ++count;
    auto it = std::upper_bound(worst.begin(), worst.end(), robustness,
                               [](double v, const std::pair<double, std::string>& e) { return v < e.first; });
    if (static_cast<size_t>(it - worst.begin()) >= max_listed) return;
    worst.insert(it, {robustness, std::move(text)});
    if (worst.size() > max_listed) worst.pop_back();
  }
};

void WriteListedCase(std::ostream& out, const std::string& family, const std::string& name, const char* element,
                     const char* type, const std::string& message, const Listed& listed, double time) {
  out << "    <testcase classname=\"" << XmlEscape(family) << "\" name=\"" << XmlEscape(name) << "\" time=\""
      << Fixed(time, 6) << "\">\n      <" << element << " message=\"" << XmlEscape(message) << "\" type=\"" << type
      << "\">";
  std::string text;
  for (const auto& [robustness, line] : listed.worst) text += line + "\n";
  if (listed.count > listed.worst.size()) {
    text += "... and " + std::to_string(listed.count - listed.worst.size()) + " more (results.jsonl has them all)\n";
  }
  out << XmlEscape(text) << "</" << element << ">\n    </testcase>\n";
}

void WriteJUnit(const RunSummary& summary, const FamilyVisitor& for_each, const JUnitOptions& options,
                std::ostream& out) {
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  const bool per_requirement = options.mode == JUnitMode::kPerRequirement;
  // counts first: one pass over every family
  std::vector<JUnitCounts> counts(summary.families.size()), formal_counts(summary.families.size());
  JUnitCounts total;
  for (size_t k = 0; k < summary.families.size(); ++k) {
    const FamilySummary& f = summary.families[k];
    for_each(f.family, [&](const scenarios::InstanceResult& r, double wall) {
      if (ProvenanceOf(r.origin) == Provenance::kFormal) {
        JUnitCounts& c = formal_counts[k];
        ++c.tests;
        c.time += wall;
        if (r.status != scenarios::InstanceStatus::kCompleted || r.requirements.empty()) {
          ++c.errors;
        } else if (!r.requirements.front().satisfied && r.requirements.front().gating) {
          ++c.failures;
        }
        return;
      }
      JUnitCounts& c = counts[k];
      c.time += wall;
      if (per_requirement) return;
      const size_t n = std::max<size_t>(1, r.requirements.size());
      c.tests += n;
      if (r.status == scenarios::InstanceStatus::kError) c.errors += n;
      if (r.status == scenarios::InstanceStatus::kInvalid) c.skipped += n;
      if (r.status == scenarios::InstanceStatus::kCompleted) {
        for (const auto& req : r.requirements) c.failures += (req.satisfied || !req.gating) ? 0 : 1;
      }
    });
    if (per_requirement) {
      JUnitCounts& c = counts[k];
      for (const RequirementSummary& q : f.requirements) {
        ++c.tests;
        if (q.gating && q.failed > 0) ++c.failures;
      }
      if (f.errors > 0) {
        ++c.tests;
        ++c.errors;
      }
    }
    total += counts[k];
    total += formal_counts[k];
  }
  out << "<testsuites name=\"" << XmlEscape(summary.info.suite_name) << "\" tests=\"" << total.tests
      << "\" failures=\"" << total.failures << "\" errors=\"" << total.errors << "\" skipped=\"" << total.skipped
      << "\" time=\"" << Fixed(summary.info.wall_time_s) << "\">\n";
  for (size_t k = 0; k < summary.families.size(); ++k) {
    const FamilySummary& f = summary.families[k];
    if (f.instances > 0 || formal_counts[k].tests == 0) {
      OpenSuite(out, f.family, counts[k]);
      WriteProperties(out, f);
      if (per_requirement) {
        std::vector<Listed> failing(f.requirements.size());
        Listed errors;
        for_each(f.family, [&](const scenarios::InstanceResult& r, double) {
          if (ProvenanceOf(r.origin) == Provenance::kFormal) return;
          if (r.status == scenarios::InstanceStatus::kError) {
            errors.Add(0.0, r.id + ": " + r.error + "\n  replay: " + ReplayCommand(summary, r), options.max_listed);
            return;
          }
          if (r.status != scenarios::InstanceStatus::kCompleted) return;
          for (const auto& req : r.requirements) {
            if (req.satisfied) continue;
            for (size_t q = 0; q < f.requirements.size(); ++q) {
              if (f.requirements[q].name != req.name) continue;
              std::string text = r.id + ": robustness " + core::FormatDouble(req.robustness);
              if (req.first_violation_time_s) {
                text += ", first violated at t=" + core::FormatDouble(*req.first_violation_time_s) + " s";
              }
              failing[q].Add(req.robustness, text + "\n  replay: " + ReplayCommand(summary, r), options.max_listed);
            }
          }
        });
        const double time = counts[k].time / static_cast<double>(std::max<size_t>(1, counts[k].tests));
        for (size_t q = 0; q < f.requirements.size(); ++q) {
          const RequirementSummary& req = f.requirements[q];
          const std::string message = std::to_string(req.failed) + " of " + std::to_string(req.evaluated) +
                                      " instances violated it (random draws: " + SampledRate(req) +
                                      "), worst robustness " + Fixed(req.worst_robustness) + " at " +
                                      req.worst_instance;
          if (req.failed > 0 && req.gating) {
            WriteListedCase(out, f.family, req.name, "failure", "requirement violated", message, failing[q], time);
          } else if (req.failed > 0) {
            out << "    <testcase classname=\"" << XmlEscape(f.family) << "\" name=\"" << XmlEscape(req.name)
                << "\" time=\"" << Fixed(time, 6) << "\">\n      <system-out>"
                << XmlEscape("advisory requirement violated: " + message) << "</system-out>\n    </testcase>\n";
          } else {
            out << "    <testcase classname=\"" << XmlEscape(f.family) << "\" name=\"" << XmlEscape(req.name)
                << "\" time=\"" << Fixed(time, 6) << "\"/>\n";
          }
        }
        if (f.errors > 0) {
          WriteListedCase(out, f.family, "instance errors", "error", "instance error",
                          Plural(f.errors, "instance", "instances") + " failed to run", errors, time);
        }
      } else {
        for_each(f.family, [&](const scenarios::InstanceResult& r, double wall) {
          if (ProvenanceOf(r.origin) != Provenance::kFormal) WriteInstanceCases(out, summary, f, r, wall);
        });
      }
      out << "  </testsuite>\n";
    }
    if (formal_counts[k].tests > 0) {
      OpenSuite(out, f.family + " formal checks", formal_counts[k]);
      for_each(f.family, [&](const scenarios::InstanceResult& r, double wall) {
        if (ProvenanceOf(r.origin) == Provenance::kFormal) WriteFormalCase(out, summary, f, r, wall);
      });
      out << "  </testsuite>\n";
    }
  }
  out << "</testsuites>\n";
}

}  // namespace

std::optional<JUnitMode> ParseJUnitMode(std::string_view text) {
  if (text == "per-instance") return JUnitMode::kPerInstance;
  if (text == "per-requirement") return JUnitMode::kPerRequirement;
  return std::nullopt;
}

std::string JUnitXml(const std::vector<scenarios::InstanceResult>& results, const RunSummary& summary,
                     const JUnitOptions& options) {
  std::ostringstream out;
  WriteJUnit(
      summary,
      [&](const std::string& family, const std::function<void(const scenarios::InstanceResult&, double)>& visit) {
        for (const auto& r : results) {
          if (r.family == family) visit(r, r.wall_time_s);
        }
      },
      options, out);
  return out.str();
}

void WriteJUnitXml(const std::string& results_jsonl, const RunSummary& summary, const std::vector<float>& wall_times_s,
                   std::ostream& out, const JUnitOptions& options) {
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
      options, out);
}

}  // namespace gauntlet::reports
