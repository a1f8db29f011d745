// The fast monitors against a naive reference written straight from docs/architecture.md's "STL, discrete time",
// on thousands of random formulas over random, non-uniformly sampled traces.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/format.h"
#include "core/rng.h"
#include "core/trace.h"
#include "verifier/stl/expression.h"
#include "verifier/stl/formula.h"
#include "verifier/stl/internal/ast.h"
#include "verifier/stl/monitor.h"
#include "verifier/stl/online_monitor.h"

namespace gauntlet::verifier::stl {
namespace {

using internal::Node;
using internal::Op;

constexpr double kInf = std::numeric_limits<double>::infinity();

struct NaiveDivisionByZero {};

// The reference: every operator by its definition, O(n) per sample for windows, O(n^2) for until/since.
class Naive {
 public:
  explicit Naive(const core::Trace& trace) : trace_(trace), t_(trace.time().begin(), trace.time().end()) {}

  const std::vector<double>& Series(const Node& node) {
    if (const auto it = memo_.find(&node); it != memo_.end()) return it->second;
    const size_t n = t_.size();
    std::vector<std::vector<double>> args;
    for (const auto& arg : node.args) args.push_back(Series(*arg));
    std::vector<double> out(n);
    for (size_t i = 0; i < n; ++i) out[i] = At(node, args, i);
    return memo_[&node] = out;
  }

 private:
  double At(const Node& node, const std::vector<std::vector<double>>& args, size_t i) const {
    const size_t n = t_.size();
    auto x = [&](size_t k) { return args[0][k]; };
    auto y = [&](size_t k) { return args[1][k]; };
    const double a = node.interval.lo;
    const double b = node.interval.hi;
    switch (node.op) {
      case Op::kNumber: return node.number;
      case Op::kSignal: return trace_.column(node.name)[i];
      case Op::kNeg: return 0.0 - x(i);
      case Op::kAdd: return x(i) + y(i);
      case Op::kSub: return x(i) - y(i);
      case Op::kMul: return x(i) * y(i);
      case Op::kDiv:
        if (y(i) == 0.0) throw NaiveDivisionByZero{};
        return x(i) / y(i);
      case Op::kAbs: return std::fabs(x(i));
      case Op::kMin:
      case Op::kMax: {
        double r = args[0][i];
        for (const auto& arg : args) r = node.op == Op::kMin ? std::min(r, arg[i]) : std::max(r, arg[i]);
        return r;
      }
      // x < y -> y - x, x > y -> x - y, == -> -|x-y|, != -> |x-y| (0 when equal, also for infinities)
      case Op::kLt:
      case Op::kLe: return x(i) == y(i) ? 0.0 : y(i) - x(i);
      case Op::kGt:
      case Op::kGe: return x(i) == y(i) ? 0.0 : x(i) - y(i);
      case Op::kEq:
      case Op::kIff: return x(i) == y(i) ? 0.0 : 0.0 - std::fabs(x(i) - y(i));
      case Op::kNe:
      case Op::kXor: return x(i) == y(i) ? 0.0 : std::fabs(x(i) - y(i));
      case Op::kNot: return 0.0 - x(i);
      case Op::kAnd: return std::min(x(i), y(i));
      case Op::kOr: return std::max(x(i), y(i));
      case Op::kImplies: return std::max(0.0 - x(i), y(i));
      case Op::kAlways:
      case Op::kEventually: {
        const bool is_min = node.op == Op::kAlways;
        double r = is_min ? kInf : -kInf;
        for (size_t j = 0; j < n; ++j) {
          const double d = t_[j] - t_[i];
          if (d >= a && d <= b) r = is_min ? std::min(r, x(j)) : std::max(r, x(j));
        }
        return r;
      }
      case Op::kHistorically:
      case Op::kOnce: {
        const bool is_min = node.op == Op::kHistorically;
        double r = is_min ? kInf : -kInf;
        for (size_t j = 0; j < n; ++j) {
          const double d = t_[i] - t_[j];
          if (d >= a && d <= b) r = is_min ? std::min(r, x(j)) : std::max(r, x(j));
        }
        return r;
      }
      case Op::kUntil: {
        // max over j in the window of min(psi(j), min of phi over [i, j))
        double r = -kInf;
        for (size_t j = 0; j < n; ++j) {
          const double d = t_[j] - t_[i];
          if (!(d >= a && d <= b)) continue;
          double m = y(j);
          for (size_t k = i; k < j; ++k) m = std::min(m, x(k));
          r = std::max(r, m);
        }
        return r;
      }
      case Op::kSince: {
        // max over j in the window of min(psi(j), min of phi over (j, i])
        double r = -kInf;
        for (size_t j = 0; j < n; ++j) {
          const double d = t_[i] - t_[j];
          if (!(d >= a && d <= b)) continue;
          double m = y(j);
          for (size_t k = j + 1; k <= i; ++k) m = std::min(m, x(k));
          r = std::max(r, m);
        }
        return r;
      }
      case Op::kPrev: return i == 0 ? kInf : x(i - 1);
      case Op::kSPrev: return i == 0 ? -kInf : x(i - 1);
      case Op::kNext: return i + 1 == n ? kInf : x(i + 1);
      case Op::kSNext: return i + 1 == n ? -kInf : x(i + 1);
      case Op::kRise: return i == 0 ? x(0) : std::min(x(i), 0.0 - x(i - 1));
      case Op::kFall: return i == 0 ? 0.0 - x(0) : std::min(0.0 - x(i), x(i - 1));
    }
    return 0.0;
  }

  const core::Trace& trace_;
  std::vector<double> t_;
  std::map<const Node*, std::vector<double>> memo_;
};

// Random formula texts.
class Generator {
 public:
  explicit Generator(core::Rng* rng) : rng_(*rng) {}

  std::string Interval() {
    static const double kBounds[] = {0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0};
    const double a = kBounds[rng_.UniformInt(std::size(kBounds))];
    double b = kBounds[rng_.UniformInt(std::size(kBounds))];
    const uint64_t kind = rng_.UniformInt(8);
    if (kind == 0) return "";
    if (kind == 1) return "[" + core::FormatDouble(a) + ", inf]";
    if (kind == 2) b = a;  // a point window
    if (kind == 3) b = a + rng_.Uniform(0.0, 4.0);
    const double lo = std::min(a, b), hi = std::max(a, b);
    return "[" + core::FormatDouble(lo) + (rng_.UniformInt(2) == 0 ? ", " : ":") + core::FormatDouble(hi) + "]";
  }

  std::string Arith(int depth) {
    static const char* kSignals[] = {"x", "y", "s.z"};
    const uint64_t pick = depth <= 0 ? rng_.UniformInt(2) : rng_.UniformInt(9);
    switch (pick) {
      case 0: return kSignals[rng_.UniformInt(3)];
      case 1: {
        static const char* kNumbers[] = {"0", "1", "2.5", "-1", "0.5", "1e-1", "3"};
        return kNumbers[rng_.UniformInt(std::size(kNumbers))];
      }
      case 2: return "(" + Arith(depth - 1) + " + " + Arith(depth - 1) + ")";
      case 3: return "(" + Arith(depth - 1) + " - " + Arith(depth - 1) + ")";
      case 4: return "(" + Arith(depth - 1) + " * " + Arith(depth - 1) + ")";
      case 5: return "-" + Arith(depth - 1);
      case 6: return "abs(" + Arith(depth - 1) + ")";
      case 7: return std::string(rng_.UniformInt(2) ? "min(" : "max(") + Arith(depth - 1) + ", " + Arith(depth - 1) +
                     (rng_.UniformInt(2) ? ", " + Arith(depth - 1) : "") + ")";
      default: return "(" + Arith(depth - 1) + " / " + Arith(depth - 1) + ")";
    }
  }

  std::string Atom() {
    static const char* kCmp[] = {" < ", " <= ", " > ", " >= ", " == ", " != "};
    if (rng_.UniformInt(6) == 0) return Arith(1);  // an expression as its own robustness
    return "(" + Arith(1) + kCmp[rng_.UniformInt(6)] + Arith(1) + ")";
  }

  std::string Formula(int depth, bool past_only = false) {
    if (depth == 0 || rng_.UniformInt(5) == 0) return Atom();
    static const char* kUnaryAny[] = {"not", "always", "eventually", "once", "historically", "prev", "next",
                                      "s_prev", "s_next"};
    static const char* kUnaryPast[] = {"not", "once", "historically", "prev", "s_prev"};
    static const char* kBinary[] = {"and", "or", "->", "implies", "<->", "iff", "xor"};
    const uint64_t kind = rng_.UniformInt(10);
    if (kind < 4) {
      const char* op = past_only ? kUnaryPast[rng_.UniformInt(std::size(kUnaryPast))]
                                 : kUnaryAny[rng_.UniformInt(std::size(kUnaryAny))];
      const std::string name = op;
      const bool windowed = name == "always" || name == "eventually" || name == "once" || name == "historically";
      return "(" + name + (windowed ? Interval() : "") + " " + Formula(depth - 1, past_only) + ")";
    }
    if (kind < 6) {
      return "(" + Formula(depth - 1, past_only) + " " + kBinary[rng_.UniformInt(std::size(kBinary))] + " " +
             Formula(depth - 1, past_only) + ")";
    }
    if (kind < 8) {
      const std::string op = past_only || rng_.UniformInt(2) == 0 ? "since" : "until";
      return "(" + Formula(depth - 1, past_only) + " " + op + Interval() + " " + Formula(depth - 1, past_only) + ")";
    }
    return std::string(rng_.UniformInt(2) ? "rise(" : "fall(") + Formula(depth - 1, past_only) + ")";
  }

  core::Trace Trace() {
    core::Trace trace({"x", "y", "s.z"});
    const size_t n = 1 + rng_.UniformInt(rng_.UniformInt(4) == 0 ? 6 : 40);
    double t = rng_.UniformInt(3) == 0 ? 0.0 : rng_.Uniform(-2.0, 5.0);
    const uint64_t timing = rng_.UniformInt(3);
    for (size_t i = 0; i < n; ++i) {
      double v[3];
      for (double& value : v) {
        // small integers make ties (equal values in a window) frequent
        value = rng_.UniformInt(3) == 0 ? std::round(rng_.Uniform(-6.0, 6.0)) / 2.0 : rng_.Uniform(-3.0, 3.0);
      }
      trace.Append(t, v);
      if (timing == 0) {
        t += 0.5;
      } else if (timing == 1) {
        static const double kSteps[] = {0.25, 0.5, 1.0, 0.75};
        t += kSteps[rng_.UniformInt(4)];
      } else {
        t += rng_.Uniform(0.01, 1.5);
      }
    }
    return trace;
  }

 private:
  core::Rng& rng_;
};

// The parts of the top-level `and`s, left to right.
std::vector<const Node*> ConjunctionParts(const Node& root) {
  std::vector<const Node*> parts;
  std::vector<const Node*> stack = {&root};
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    if (node->op == Op::kAnd) {
      stack.push_back(node->args[1].get());
      stack.push_back(node->args[0].get());
    } else {
      parts.push_back(node);
    }
  }
  return parts;
}

// The first violation time written from its definition (RequirementResult).
std::optional<double> NaiveFirstViolation(const Node& root, Naive* naive, std::span<const double> t) {
  if (!(naive->Series(root)[0] < 0.0)) return std::nullopt;
  const std::vector<const Node*> parts = ConjunctionParts(root);
  double first = kInf;
  for (const Node* part : parts) {
    if (!(naive->Series(*part)[0] < 0.0)) continue;
    if (part->op == Op::kAlways) {
      const auto& body = naive->Series(*part->args[0]);
      for (size_t j = 0; j < t.size(); ++j) {
        const double d = t[j] - t[0];
        if (d >= part->interval.lo && d <= part->interval.hi && body[j] < 0.0) {
          first = std::min(first, t[j]);
          break;
        }
      }
    } else if (internal::IsPastOnly(*part)) {
      first = std::min(first, t[0]);
    } else {
      first = std::min(first, t.back());
    }
  }
  return first;
}

// The averaged robustness written from its definition (RequirementResult::averaged_robustness).
double NaiveAveraged(const Node& root, Naive* naive, std::span<const double> t) {
  const double robustness = naive->Series(root)[0];
  if (!(robustness > 0.0)) return robustness;
  const std::vector<const Node*> parts = ConjunctionParts(root);
  double lowest = kInf;
  for (const Node* part : parts) {
    double value = naive->Series(*part)[0];
    if (part->op == Op::kAlways) {
      const auto& body = naive->Series(*part->args[0]);
      double sum = 0.0;
      size_t count = 0;
      for (size_t j = 0; j < t.size(); ++j) {
        const double d = t[j] - t[0];
        if (d >= part->interval.lo && d <= part->interval.hi) {
          sum += body[j];
          ++count;
        }
      }
      if (count > 0) value = std::max(value, sum / static_cast<double>(count));
    }
    lowest = std::min(lowest, value);
  }
  return lowest;
}

std::string Describe(const core::Trace& trace) {
  std::ostringstream out;
  trace.WriteCsv(out);
  return out.str();
}

TEST(StlPropertyTest, FastMonitorEqualsNaiveReferenceOnRandomFormulas) {
  core::Rng rng(20261127);
  Generator gen(&rng);
  int compared = 0, errors = 0;
  for (int trial = 0; trial < 12000; ++trial) {
    const std::string text = gen.Formula(1 + static_cast<int>(rng.UniformInt(4)));
    const core::Trace trace = gen.Trace();
    const Formula formula = Formula::Parse(text);
    Naive naive(trace);
    std::vector<double> expected;
    bool naive_failed = false;
    try {
      expected = naive.Series(*formula.root());
    } catch (const NaiveDivisionByZero&) {
      naive_failed = true;
    }
    MonitorOutput out;
    bool fast_failed = false;
    try {
      out = Monitor(formula).Run(trace);
    } catch (const EvaluationError&) {
      fast_failed = true;
    }
    ASSERT_EQ(naive_failed, fast_failed) << text << "\n" << Describe(trace);
    if (fast_failed) {
      ++errors;
      continue;
    }
    ++compared;
    ASSERT_EQ(out.robustness.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ(out.robustness[i], expected[i]) << "at sample " << i << " of " << text << "\n" << Describe(trace);
    }
    ASSERT_EQ(out.result.robustness, expected[0]);
    ASSERT_EQ(out.result.satisfied, expected[0] >= 0.0);
    ASSERT_EQ(out.result.first_violation_time_s, NaiveFirstViolation(*formula.root(), &naive, trace.time()))
        << text << "\n" << Describe(trace);
    ASSERT_EQ(out.result.averaged_robustness, NaiveAveraged(*formula.root(), &naive, trace.time()))
        << text << "\n" << Describe(trace);
    // the canonical text parses back to a formula with the same robustness
    const Formula again = Formula::Parse(formula.ToString());
    ASSERT_EQ(again.ToString(), formula.ToString());
    ASSERT_EQ(Monitor(again).Run(trace).robustness, out.robustness) << text;
  }
  EXPECT_GE(compared, 10000);
  EXPECT_GT(errors, 0);  // divisions by zero do occur and are reported by both
}

// What a search relies on: the averaged robustness is the robustness when that is <= 0, and a value no
// lower than it otherwise (so it is negative exactly when the requirement is violated); checked on
// random conjunctions of always-formulas, where averaging applies, against the reference.
TEST(StlPropertyTest, AveragedRobustnessKeepsTheVerdict) {
  core::Rng rng(4242);
  Generator gen(&rng);
  int violated = 0, raised = 0;
  for (int trial = 0; trial < 6000; ++trial) {
    std::string text = "always" + std::string(rng.UniformInt(2) == 0 ? "" : "[0.5, 3]") + " (" + gen.Formula(2) + ")";
    if (rng.UniformInt(3) == 0) text += " and always (" + gen.Formula(1) + ")";
    if (rng.UniformInt(4) == 0) text += " and " + gen.Formula(1);
    const core::Trace trace = gen.Trace();
    const Formula formula = Formula::Parse(text);
    Naive naive(trace);
    try {
      (void)naive.Series(*formula.root());
    } catch (const NaiveDivisionByZero&) {
      continue;
    }
    const RequirementResult r = Monitor(formula).Evaluate(trace);
    ASSERT_EQ(r.averaged_robustness, NaiveAveraged(*formula.root(), &naive, trace.time())) << text;
    if (r.robustness <= 0.0) {
      ASSERT_EQ(r.averaged_robustness, r.robustness) << text;
      violated += r.robustness < 0.0 ? 1 : 0;
    } else {
      ASSERT_GE(r.averaged_robustness, r.robustness) << text;
      raised += r.averaged_robustness > r.robustness ? 1 : 0;
    }
    ASSERT_EQ(r.averaged_robustness < 0.0, !r.satisfied) << text;
  }
  EXPECT_GT(violated, 500);
  EXPECT_GT(raised, 300);  // the averaging does change the value of many satisfied requirements
}

TEST(StlPropertyTest, OnlineMonitorAgreesWithOfflineOnRandomSafetyFormulas) {
  core::Rng rng(77);
  Generator gen(&rng);
  int violated = 0, satisfied_early = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::string text;
    const int parts = 1 + static_cast<int>(rng.UniformInt(2));
    for (int p = 0; p < parts; ++p) {
      if (p > 0) text += " and ";
      const uint64_t kind = rng.UniformInt(3);
      const std::string body = gen.Formula(1 + static_cast<int>(rng.UniformInt(3)), /*past_only=*/true);
      text += kind == 0 ? body : "(always" + gen.Interval() + " " + body + ")";
    }
    const Formula formula = Formula::Parse(text);
    ASSERT_TRUE(formula.IsOnlineMonitorable()) << text;
    const core::Trace trace = gen.Trace();
    std::optional<RequirementResult> offline;
    try {
      offline = Monitor(formula).Evaluate(trace);
    } catch (const EvaluationError&) {
      continue;
    }
    OnlineMonitor online(formula, trace.names());
    std::vector<double> row(trace.signal_count());
    OnlineVerdict verdict = OnlineVerdict::kUndecided;
    for (size_t i = 0; i < trace.size() && verdict == OnlineVerdict::kUndecided; ++i) {
      for (size_t s = 0; s < row.size(); ++s) row[s] = trace.column(s)[i];
      try {
        verdict = online.Push(trace.time()[i], row);
      } catch (const EvaluationError&) {
        FAIL() << "online failed where offline did not: " << text;
      }
    }
    ASSERT_EQ(online.satisfied_so_far(), offline->satisfied) << text << "\n" << Describe(trace);
    ASSERT_EQ(online.violation_time_s(), offline->first_violation_time_s) << text << "\n" << Describe(trace);
    if (verdict == OnlineVerdict::kViolated) ++violated;
    if (verdict == OnlineVerdict::kSatisfied) ++satisfied_early;
  }
  EXPECT_GT(violated, 100);
  EXPECT_GT(satisfied_early, 10);
}

}  // namespace
}  // namespace gauntlet::verifier::stl
