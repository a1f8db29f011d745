// The fast monitors against a naive reference written straight from docs/architecture.md's "STL, discrete time",
// on thousands of random formulas over random, non-uniformly sampled traces and over fixed-step traces
// (windows decided in exact rational arithmetic), and the interval verdict of truncated traces against
// random completions.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
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

// Whether sample `to` is in the window `interval` of sample `from` (to >= from; past windows swap them).
using InWindow = std::function<bool(const internal::Interval& interval, size_t from, size_t to)>;

// docs/stl.md "Windows", irregular times: the time difference within the bounds, each widened by 1e-9
// of itself.
InWindow IrregularWindows(std::span<const double> t) {
  return [t](const internal::Interval& w, size_t from, size_t to) {
    const double d = t[to] - t[from];
    return d >= w.lo - 1e-9 * w.lo && d <= w.hi + 1e-9 * w.hi;
  };
}

using Int = __int128;

// A decimal number as an exact fraction num / 10^exp10 (the bound's shortest round-trip text, which
// is the text the formula was written with).
struct Decimal {
  Int num = 0;
  int exp10 = 0;
};

Decimal ParseDecimal(const std::string& text) {
  Decimal d;
  size_t i = 0;
  bool fraction = false;
  for (; i < text.size() && text[i] != 'e'; ++i) {
    if (text[i] == '.') {
      fraction = true;
      continue;
    }
    d.num = d.num * 10 + (text[i] - '0');
    if (fraction) ++d.exp10;
  }
  if (i < text.size()) d.exp10 -= std::stoi(text.substr(i + 1));
  for (; d.exp10 < 0; ++d.exp10) d.num *= 10;
  return d;
}

Int Pow10(int k) {
  Int r = 1;
  while (k-- > 0) r *= 10;
  return r;
}

// docs/stl.md "Windows", fixed step num/den: sample `to` is (to - from) steps after `from`, at the exact
// offset m*num/den; it is inside iff lo*(1 - 1e-9) <= m*num/den <= hi*(1 + 1e-9), compared exactly
// (integers over a common denominator).
InWindow ExactGridWindows(int64_t num, int64_t den) {
  return [num, den](const internal::Interval& w, size_t from, size_t to) {
    const Int m = static_cast<Int>(to) - static_cast<Int>(from);
    const Int giga = Pow10(9);
    auto scaled = [&](double bound, Int factor, bool* ok) {  // offset vs bound*factor/1e9: sign of the difference
      const Decimal b = ParseDecimal(core::FormatDouble(bound));
      *ok = b.exp10 <= 24;
      // m*num/den - B/10^e * factor/10^9, times den * 10^e * 10^9
      return m * num * Pow10(b.exp10) * giga - b.num * den * factor;
    };
    bool ok = true;
    const bool above = scaled(w.lo, giga - 1, &ok) >= 0;
    EXPECT_TRUE(ok);
    if (!above) return false;
    if (std::isinf(w.hi)) return true;
    const bool below = scaled(w.hi, giga + 1, &ok) <= 0;
    EXPECT_TRUE(ok);
    return below;
  };
}

// The reference: every operator by its definition, O(n) per sample for windows, O(n^2) for until/since.
class Naive {
 public:
  explicit Naive(const core::Trace& trace)
      : trace_(trace), t_(trace.time().begin(), trace.time().end()), in_(IrregularWindows(trace.time())) {}
  Naive(const core::Trace& trace, InWindow in)
      : trace_(trace), t_(trace.time().begin(), trace.time().end()), in_(std::move(in)) {}

  // Whether sample j is in the future window of `node` at sample i.
  bool InFuture(const Node& node, size_t i, size_t j) const { return j >= i && in_(node.interval, i, j); }
  bool InPast(const Node& node, size_t i, size_t j) const { return j <= i && in_(node.interval, j, i); }

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
          if (InFuture(node, i, j)) r = is_min ? std::min(r, x(j)) : std::max(r, x(j));
        }
        return r;
      }
      case Op::kHistorically:
      case Op::kOnce: {
        const bool is_min = node.op == Op::kHistorically;
        double r = is_min ? kInf : -kInf;
        for (size_t j = 0; j < n; ++j) {
          if (InPast(node, i, j)) r = is_min ? std::min(r, x(j)) : std::max(r, x(j));
        }
        return r;
      }
      case Op::kUntil: {
        // max over j in the window of min(psi(j), min of phi over [i, j))
        double r = -kInf;
        for (size_t j = 0; j < n; ++j) {
          if (!InFuture(node, i, j)) continue;
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
          if (!InPast(node, i, j)) continue;
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
  InWindow in_;
  std::map<const Node*, std::vector<double>> memo_;
};

// Random formula texts.
class Generator {
 public:
  explicit Generator(core::Rng* rng) : rng_(*rng) {}

  std::string Interval() {
    static const double kBounds[] = {0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0};
    const uint64_t kind = rng_.UniformInt(8);
    if (den_ > 0) {
      // bounds on, between and off the sample times of the grid
      if (kind == 0) return "";
      const std::string a = GridBound();
      if (kind == 1) return "[" + a + ", inf]";
      const std::string b = kind == 2 ? a : GridBound();
      const bool ordered = std::stod(a) <= std::stod(b);
      return "[" + (ordered ? a : b) + (rng_.UniformInt(2) == 0 ? ", " : ":") + (ordered ? b : a) + "]";
    }
    const double a = kBounds[rng_.UniformInt(std::size(kBounds))];
    double b = kBounds[rng_.UniformInt(std::size(kBounds))];
    if (kind == 0) return "";
    if (kind == 1) return "[" + core::FormatDouble(a) + ", inf]";
    if (kind == 2) b = a;  // a point window
    if (kind == 3) b = a + rng_.Uniform(0.0, 4.0);
    const double lo = std::min(a, b), hi = std::max(a, b);
    return "[" + core::FormatDouble(lo) + (rng_.UniformInt(2) == 0 ? ", " : ":") + core::FormatDouble(hi) + "]";
  }

  // Windows and traces on the grid of step 1/den from now on (0: irregular times).
  void SetGrid(int den) { den_ = den; }

  // A bound for the grid 1/den: a sample time m/den written exactly (as far as decimals go: 1/3 to 16
  // digits), the rounded product m * (1/den), a time between two samples, or any 3-decimal number.
  std::string GridBound() {
    const uint64_t m = rng_.UniformInt(30);
    const double dt = 1.0 / den_;
    switch (rng_.UniformInt(5)) {
      case 0:
      case 1: {
        if (100 % den_ != 0) return core::FormatDouble(static_cast<double>(m) / den_);
        const uint64_t hundredths = m * static_cast<uint64_t>(100 / den_);
        char text[32];
        std::snprintf(text, sizeof text, "%llu.%02llu", static_cast<unsigned long long>(hundredths / 100),
                      static_cast<unsigned long long>(hundredths % 100));
        return text;
      }
      case 2: return core::FormatDouble(static_cast<double>(m) * dt);
      case 3: return core::FormatDouble((static_cast<double>(m) + 0.5) * dt);
      default: return core::FormatDouble(std::round(rng_.Uniform(0.0, 30.0 * dt) * 1000.0) / 1000.0);
    }
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

  // A value of a signal: small integers make ties (equal values in a window) frequent.
  double Value() { return rng_.UniformInt(3) == 0 ? std::round(rng_.Uniform(-6.0, 6.0)) / 2.0 : rng_.Uniform(-3.0, 3.0); }

  core::Trace Trace() {
    core::Trace trace({"x", "y", "s.z"});
    const size_t n = 1 + rng_.UniformInt(rng_.UniformInt(4) == 0 ? 6 : 40);
    if (den_ > 0) {
      // a simulation's times: step k at k * dt, mostly from k = 0
      const double dt = 1.0 / den_;
      const size_t k0 = rng_.UniformInt(4) == 0 ? rng_.UniformInt(50) : 0;
      trace.SetFixedStep(dt);
      for (size_t i = 0; i < n; ++i) {
        const double v[3] = {Value(), Value(), Value()};
        trace.Append(static_cast<double>(k0 + i) * dt, v);
      }
      return trace;
    }
    double t = rng_.UniformInt(3) == 0 ? 0.0 : rng_.Uniform(-2.0, 5.0);
    const uint64_t timing = rng_.UniformInt(3);
    for (size_t i = 0; i < n; ++i) {
      double v[3];
      for (double& value : v) value = Value();
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
  int den_ = 0;
};

// The steps of the grids: 0.1, 0.05, 0.01, 0.02 and 1/3 s, as 1/den.
constexpr int kGridDenominators[] = {10, 20, 100, 50, 3};

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
        if (naive->InFuture(*part, 0, j) && body[j] < 0.0) {
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
        if (naive->InFuture(*part, 0, j)) {
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

struct Comparison {
  int compared = 0;
  int errors = 0;
  int rounding_matters = 0;  // fixed step: the double-precision window rule of old gives another series
};

// `trials` random formulas over random traces, fast monitor against the reference: irregular times, or
// (grid) fixed-step traces of a random step of kGridDenominators with windows decided exactly.
Comparison CompareWithReference(uint64_t seed, int trials, bool grid) {
  core::Rng rng(seed);
  Generator gen(&rng);
  Comparison c;
  for (int trial = 0; trial < trials; ++trial) {
    const int den = grid ? kGridDenominators[rng.UniformInt(std::size(kGridDenominators))] : 0;
    gen.SetGrid(den);
    const std::string text = gen.Formula(1 + static_cast<int>(rng.UniformInt(4)));
    const core::Trace trace = gen.Trace();
    const Formula formula = Formula::Parse(text);
    Naive naive = grid ? Naive(trace, ExactGridWindows(1, den)) : Naive(trace);
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
    EXPECT_EQ(naive_failed, fast_failed) << text << "\n" << Describe(trace);
    if (naive_failed != fast_failed) return c;
    if (fast_failed) {
      ++c.errors;
      continue;
    }
    ++c.compared;
    EXPECT_EQ(out.robustness.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(out.robustness[i], expected[i]) << "at sample " << i << " of " << text << "\n" << Describe(trace);
      if (out.robustness[i] != expected[i]) return c;
    }
    EXPECT_EQ(out.result.robustness, expected[0]);
    EXPECT_EQ(out.result.satisfied, expected[0] >= 0.0);
    EXPECT_EQ(out.result.first_violation_time_s, NaiveFirstViolation(*formula.root(), &naive, trace.time()))
        << text << "\n" << Describe(trace);
    EXPECT_EQ(out.result.averaged_robustness, NaiveAveraged(*formula.root(), &naive, trace.time()))
        << text << "\n" << Describe(trace);
    // the canonical text parses back to a formula with the same robustness
    const Formula again = Formula::Parse(formula.ToString());
    EXPECT_EQ(again.ToString(), formula.ToString());
    EXPECT_EQ(Monitor(again).Run(trace).robustness, out.robustness) << text;
    if (grid) {
      // the rule before windows were counted in steps: t_j - t_i against the bounds in doubles
      const std::span<const double> t = trace.time();
      Naive rounded(trace, [t](const internal::Interval& w, size_t from, size_t to) {
        const double d = t[to] - t[from];
        return d >= w.lo && d <= w.hi;
      });
      c.rounding_matters += rounded.Series(*formula.root()) != expected ? 1 : 0;
    }
    if (::testing::Test::HasFailure()) return c;
  }
  return c;
}

TEST(StlPropertyTest, FastMonitorEqualsNaiveReferenceOnRandomFormulas) {
  const Comparison c = CompareWithReference(20261127, 12000, /*grid=*/false);
  EXPECT_GE(c.compared, 10000);
  EXPECT_GT(c.errors, 0);  // divisions by zero do occur and are reported by both
}

// Fixed-step traces (dt 0.1, 0.05, 0.01, 0.02, 1/3) against the reference deciding every window in
// exact rational arithmetic, with bounds on sample times (exact decimals and rounded products m*dt),
// between them and anywhere.
TEST(StlPropertyTest, FixedStepWindowsEqualExactRationalReference) {
  const Comparison c = CompareWithReference(1402, 10000, /*grid=*/true);
  EXPECT_GE(c.compared, 8000);
  EXPECT_GT(c.errors, 0);
  // the cases the step count decides: comparing rounded times would get them wrong
  std::printf("fixed step: %d compared, %d errors, %d where rounded times decide otherwise\n", c.compared, c.errors,
              c.rounding_matters);
  EXPECT_GT(c.rounding_matters, 100);
}

// A trace that ended early: its verdict must hold for every completion. Random formulas over fixed-step
// traces cut at a random sample; the bounds EvaluateTruncated gives must hold the exact reference's
// robustness of random completions (and of the uncut trace), so a "pass" is never given where some
// completion fails, nor a "fail" where one passes.
TEST(StlPropertyTest, TruncatedTraceVerdictHoldsForEveryCompletion) {
  core::Rng rng(1403);
  Generator gen(&rng);
  int checked = 0, passes = 0, fails = 0, inconclusive = 0, completions = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    const int den = kGridDenominators[rng.UniformInt(std::size(kGridDenominators))];
    gen.SetGrid(den);
    // a third under a top-level window, whose reach past the cut is what the bounds are about
    std::string body = gen.Formula(1 + static_cast<int>(rng.UniformInt(4)));
    const uint64_t wrap = rng.UniformInt(6);
    if (wrap < 2) body = std::string(wrap == 0 ? "always" : "eventually") + gen.Interval() + " (" + body + ")";
    const Formula formula = Formula::Parse(body);
    const std::string text = formula.ToString();
    const core::Trace full = gen.Trace();
    if (full.size() < 2) continue;
    const size_t nominal = full.size();
    const size_t known = 1 + rng.UniformInt(nominal - 1);
    core::Trace cut(full.names());
    cut.SetFixedStep(full.fixed_step());
    std::vector<double> row(full.signal_count());
    auto row_of = [&](const core::Trace& trace, size_t i) {
      for (size_t k = 0; k < row.size(); ++k) row[k] = trace.column(k)[i];
      return std::span<const double>(row);
    };
    for (size_t i = 0; i < known; ++i) cut.Append(full.time()[i], row_of(full, i));
    RequirementResult r;
    try {
      r = Monitor(formula).EvaluateTruncated(cut, nominal);
    } catch (const EvaluationError&) {
      continue;
    }
    ASSERT_TRUE(r.robustness_bounds.has_value()) << text;
    const auto [lo, hi] = *r.robustness_bounds;
    ASSERT_LE(lo, hi) << text;
    ASSERT_EQ(r.satisfied, lo >= 0.0) << text;
    ASSERT_EQ(r.inconclusive, lo < 0.0 && hi >= 0.0) << text;
    ASSERT_EQ(r.first_violation_time_s.has_value(), hi < 0.0) << text;
    ASSERT_TRUE(lo <= r.robustness && r.robustness <= hi) << text;
    ++checked;
    (r.satisfied ? passes : r.inconclusive ? inconclusive : fails)++;
    // completions: the uncut trace, then random values after the cut (sometimes extreme ones)
    for (int c = 0; c < 12; ++c) {
      core::Trace completed(full.names());
      completed.SetFixedStep(full.fixed_step());
      for (size_t i = 0; i < nominal; ++i) {
        if (i < known || c == 0) {
          completed.Append(full.time()[i], row_of(full, i));
          continue;
        }
        for (double& v : row) {
          const uint64_t kind = rng.UniformInt(8);
          v = kind == 0 ? 1e6 : kind == 1 ? -1e6 : gen.Value();
        }
        completed.Append(full.time()[i], row);
      }
      Naive naive(completed, ExactGridWindows(1, den));
      double rho = 0.0;
      try {
        rho = naive.Series(*formula.root())[0];
      } catch (const NaiveDivisionByZero&) {
        continue;
      }
      ++completions;
      ASSERT_TRUE(lo <= rho && rho <= hi) << "completion " << c << " has robustness " << rho << " outside [" << lo
                                          << ", " << hi << "] of " << text << " cut after " << known << " of\n"
                                          << Describe(completed);
      if (r.satisfied) {
        ASSERT_GE(rho, 0.0) << "a pass that a completion violates: " << text;
      }
      if (!r.satisfied && !r.inconclusive) {
        ASSERT_LT(rho, 0.0) << "a fail that a completion satisfies: " << text;
      }
    }
    // the whole trace is no truncation: the plain result
    try {
      const RequirementResult plain = Monitor(formula).Evaluate(full);
      ASSERT_EQ(Monitor(formula).EvaluateTruncated(full, nominal), plain) << text;
    } catch (const EvaluationError&) {
    }
  }
  std::printf("truncated: %d checked (%d pass, %d fail, %d inconclusive), %d completions\n", checked, passes, fails,
              inconclusive, completions);
  EXPECT_GT(checked, 3000);
  EXPECT_GT(completions, 30000);
  EXPECT_GT(passes, 300);
  EXPECT_GT(fails, 300);
  EXPECT_GT(inconclusive, 200);
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
  for (int trial = 0; trial < 3000; ++trial) {
    // half of the traces with a fixed step: windows in whole steps online as offline
    gen.SetGrid(trial % 2 == 0 ? 0 : kGridDenominators[rng.UniformInt(std::size(kGridDenominators))]);
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
    OnlineMonitor online(formula, trace.names(), trace.fixed_step());
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
