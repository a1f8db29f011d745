// Internal: the robustness interval of a formula over a trace whose end is unknown (docs/stl.md,
// "Early stops"). Every instruction gets a lower and an upper series over the nominal samples; an
// unknown signal value is [-inf, +inf]. Monotone operators (and, or, min, max, the windows, until,
// since, prev, next) map bounds to bounds, antitone ones (not, the left side of ->) swap them, and
// arithmetic, comparisons, ==, !=, <->, xor and abs use interval arithmetic. Past operators run as
// future ones on the reversed series (exact on a fixed step: the window is a range of step offsets).

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/check.h"
#include "core/format.h"
#include "verifier/stl/expression.h"
#include "verifier/stl/internal/engine.h"

namespace gauntlet::verifier::stl::internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Bounds {
  std::vector<double> lo, hi;

  void Set(size_t i, double l, double h) {
    lo[i] = l;
    hi[i] = h;
  }
};

// the robustness of u <= v (0 on a tie, also of two equal infinities): nondecreasing in v,
// nonincreasing in u
double Below(double u, double v) { return u == v ? 0.0 : v - u; }
// |u - v| (0 on a tie)
double Distance(double u, double v) { return u == v ? 0.0 : std::fabs(u - v); }

std::vector<double> Reversed(const std::vector<double>& v) { return {v.rbegin(), v.rend()}; }

// The interval of arithmetic instruction `in` (+, -, *, /) on operands `x` and `y` into `out`.
void ArithmeticBounds(const Instr& in, const Bounds* x, const Bounds* y, const std::vector<double>& t, Bounds& out) {
  const size_t total = t.size();
  // arithmetic: exact operands (the known samples) give the scalar result and its errors, as the
  // offline evaluation; a result that is not a number from inexact operands could be anything
  auto arithmetic = [&](size_t i, auto corners) {
    const bool exact = x->lo[i] == x->hi[i] && y->lo[i] == y->hi[i];
    const auto [lo, hi] = corners(x->lo[i], x->hi[i], y->lo[i], y->hi[i]);
    if (std::isnan(lo) || std::isnan(hi)) {
      if (exact) {
        throw EvaluationError(in.node->pos,
                              "'" + ToText(*in.node) + "' is not a number at time " + core::FormatDouble(t[i]),
                              t[i]);
      }
      out.Set(i, -kInf, kInf);
    } else {
      out.Set(i, lo, hi);
    }
  };
  auto extremes = [](double p, double q, double r, double s) {
    return std::pair{std::min({p, q, r, s}), std::max({p, q, r, s})};
  };
  switch (in.op) {
    case Op::kAdd:
      for (size_t i = 0; i < total; ++i) {
        arithmetic(i, [](double xl, double xh, double yl, double yh) { return std::pair{xl + yl, xh + yh}; });
      }
      break;
    case Op::kSub:
      for (size_t i = 0; i < total; ++i) {
        arithmetic(i, [](double xl, double xh, double yl, double yh) { return std::pair{xl - yh, xh - yl}; });
      }
      break;
    case Op::kMul:
      for (size_t i = 0; i < total; ++i) {
        arithmetic(i, [&](double xl, double xh, double yl, double yh) {
          return extremes(xl * yl, xl * yh, xh * yl, xh * yh);
        });
      }
      break;
    case Op::kDiv:
      for (size_t i = 0; i < total; ++i) {
        const double yl = y->lo[i], yh = y->hi[i];
        if (yl == 0.0 && yh == 0.0) {
          throw EvaluationError(in.node->pos,
                                "division by zero at time " + core::FormatDouble(t[i]) + ": the divisor '" +
                                    ToText(*in.node->args[1]) + "' is 0",
                                t[i]);
        }
        if (yl <= 0.0 && yh >= 0.0) {
          out.Set(i, -kInf, kInf);  // the divisor may be 0 or of either sign
          continue;
        }
        arithmetic(i, [&](double xl, double xh, double dl, double dh) {
          return extremes(xl / dl, xl / dh, xh / dl, xh / dh);
        });
      }
      break;
    default:
      GAUNTLET_CHECK(false);
  }
}

// The interval of temporal instruction `in` (prev, next, rise, fall, the windows, until and since) on
// operands `x` and `y` (null when absent) into `out`, on the nominal time axis `t` with fixed `step`.
void TemporalBounds(const Instr& in, const Bounds* x, const Bounds* y, const std::vector<double>& t, double step,
                    Bounds& out) {
  const size_t total = t.size();
  const Window window = MakeWindow(in.interval, step);
  switch (in.op) {
    case Op::kPrev:
    case Op::kSPrev: {
      const double off = in.op == Op::kPrev ? kInf : -kInf;
      for (size_t i = 0; i < total; ++i) {
        if (i > 0) {
          out.Set(i, x->lo[i - 1], x->hi[i - 1]);
        } else {
          out.Set(i, off, off);
        }
      }
      break;
    }
    case Op::kNext:
    case Op::kSNext: {
      const double off = in.op == Op::kNext ? kInf : -kInf;
      for (size_t i = 0; i < total; ++i) {
        if (i + 1 < total) {
          out.Set(i, x->lo[i + 1], x->hi[i + 1]);
        } else {
          out.Set(i, off, off);
        }
      }
      break;
    }
    case Op::kRise:
      for (size_t i = 0; i < total; ++i) {
        if (i == 0) {
          out.Set(i, x->lo[0], x->hi[0]);
        } else {
          out.Set(i, std::min(x->lo[i], 0.0 - x->hi[i - 1]), std::min(x->hi[i], 0.0 - x->lo[i - 1]));
        }
      }
      break;
    case Op::kFall:
      for (size_t i = 0; i < total; ++i) {
        if (i == 0) {
          out.Set(i, 0.0 - x->hi[0], 0.0 - x->lo[0]);
        } else {
          out.Set(i, std::min(0.0 - x->hi[i], x->lo[i - 1]), std::min(0.0 - x->lo[i], x->hi[i - 1]));
        }
      }
      break;
    case Op::kAlways:
    case Op::kEventually: {
      const bool max = in.op == Op::kEventually;
      FutureExtremum(max, x->lo.data(), t.data(), total, window, out.lo.data());
      FutureExtremum(max, x->hi.data(), t.data(), total, window, out.hi.data());
      break;
    }
    case Op::kUntil:
      FutureUntil(x->lo.data(), y->lo.data(), t.data(), total, window, out.lo.data());
      FutureUntil(x->hi.data(), y->hi.data(), t.data(), total, window, out.hi.data());
      break;
    case Op::kOnce:
    case Op::kHistorically:
    case Op::kSince: {
      // on the reversed series, the past window of sample i is the future window of total-1-i
      const std::vector<double> rt = Reversed(t);  // unread: the window is in steps
      for (const bool upper : {false, true}) {
        const std::vector<double> phi = Reversed(upper ? x->hi : x->lo);
        std::vector<double> result(total);
        if (in.op == Op::kSince) {
          const std::vector<double> psi = Reversed(upper ? y->hi : y->lo);
          FutureUntil(phi.data(), psi.data(), rt.data(), total, window, result.data());
        } else {
          FutureExtremum(in.op == Op::kOnce, phi.data(), rt.data(), total, window, result.data());
        }
        (upper ? out.hi : out.lo) = Reversed(result);
      }
      break;
    }
    default:
      GAUNTLET_CHECK(false);
  }
}

}  // namespace

std::pair<double, double> RobustnessInterval(const Program& program, std::span<const std::span<const double>> columns,
                                             std::span<const double> time, size_t total, double step) {
  const size_t known = time.size();
  GAUNTLET_CHECK(known >= 1 && total >= known && step > 0.0);
  GAUNTLET_CHECK(columns.size() == program.signals.size());
  // the nominal time axis: the recorded times, then the grid beyond them
  std::vector<double> t(time.begin(), time.end());
  for (size_t i = known; i < total; ++i) t.push_back(time[0] + static_cast<double>(i) * step);
  std::vector<Bounds> bounds(program.code.size());
  for (size_t k = 0; k < program.code.size(); ++k) {
    const Instr& in = program.code[k];
    Bounds& out = bounds[k];
    out.lo.assign(total, 0.0);
    out.hi.assign(total, 0.0);
    const Bounds* x = in.a >= 0 ? &bounds[in.a] : nullptr;
    const Bounds* y = in.b >= 0 ? &bounds[in.b] : nullptr;
    switch (in.op) {
      case Op::kNumber:
        std::fill(out.lo.begin(), out.lo.end(), in.number);
        std::fill(out.hi.begin(), out.hi.end(), in.number);
        break;
      case Op::kSignal: {
        const std::span<const double> column = columns[in.signal];
        GAUNTLET_CHECK(column.size() == known);
        for (size_t i = 0; i < total; ++i) {
          if (i < known) {
            out.Set(i, column[i], column[i]);
          } else {
            out.Set(i, -kInf, kInf);
          }
        }
        break;
      }
      case Op::kNeg:
      case Op::kNot:
        for (size_t i = 0; i < total; ++i) out.Set(i, 0.0 - x->hi[i], 0.0 - x->lo[i]);
        break;
      case Op::kAbs:
        for (size_t i = 0; i < total; ++i) {
          const double lo = x->lo[i], hi = x->hi[i];
          if (lo >= 0.0) {
            out.Set(i, std::fabs(lo), std::fabs(hi));
          } else if (hi <= 0.0) {
            out.Set(i, std::fabs(hi), std::fabs(lo));
          } else {
            out.Set(i, 0.0, std::max(0.0 - lo, hi));
          }
        }
        break;
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kDiv:
        ArithmeticBounds(in, x, y, t, out);
        break;
      case Op::kMin:
      case Op::kAnd:
        for (size_t i = 0; i < total; ++i) out.Set(i, std::min(x->lo[i], y->lo[i]), std::min(x->hi[i], y->hi[i]));
        break;
      case Op::kMax:
      case Op::kOr:
        for (size_t i = 0; i < total; ++i) out.Set(i, std::max(x->lo[i], y->lo[i]), std::max(x->hi[i], y->hi[i]));
        break;
      case Op::kLt:
      case Op::kLe:
        for (size_t i = 0; i < total; ++i) out.Set(i, Below(x->hi[i], y->lo[i]), Below(x->lo[i], y->hi[i]));
        break;
      case Op::kGt:
      case Op::kGe:
        for (size_t i = 0; i < total; ++i) out.Set(i, Below(y->hi[i], x->lo[i]), Below(y->lo[i], x->hi[i]));
        break;
      case Op::kEq:
      case Op::kIff:
      case Op::kNe:
      case Op::kXor:
        for (size_t i = 0; i < total; ++i) {
          const double xl = x->lo[i], xh = x->hi[i], yl = y->lo[i], yh = y->hi[i];
          // the largest and the smallest |u - v| over the two intervals
          const double most = std::max(Distance(xl, yh), Distance(xh, yl));
          const double least = xh < yl ? Distance(xh, yl) : yh < xl ? Distance(yh, xl) : 0.0;
          if (in.op == Op::kEq || in.op == Op::kIff) {
            out.Set(i, 0.0 - most, 0.0 - least);
          } else {
            out.Set(i, least, most);
          }
        }
        break;
      case Op::kImplies:
        for (size_t i = 0; i < total; ++i) {
          out.Set(i, std::max(0.0 - x->hi[i], y->lo[i]), std::max(0.0 - x->lo[i], y->hi[i]));
        }
        break;
      default:
        TemporalBounds(in, x, y, t, step, out);
        break;
    }
  }
  const Bounds& root = bounds.back();
  GAUNTLET_CHECK(root.lo[0] <= root.hi[0]);
  return {root.lo[0], root.hi[0]};
}

}  // namespace gauntlet::verifier::stl::internal
