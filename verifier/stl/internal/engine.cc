#include "verifier/stl/internal/engine.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/check.h"
#include "core/format.h"
#include "verifier/stl/expression.h"

namespace gauntlet::verifier::stl::internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

int CompileNode(const NodePtr& node, Program* program, std::unordered_map<std::string, size_t>* signal_index) {
  if (const auto it = program->index_of.find(node.get()); it != program->index_of.end()) return it->second;
  Instr instr;
  instr.op = node->op;
  instr.node = node.get();
  instr.interval = node->interval;
  int result = -1;
  if (IsFutureOp(node->op)) program->past_only = false;
  if (node->op == Op::kNumber) {
    instr.number = node->number;
  } else if (node->op == Op::kSignal) {
    const auto [it, inserted] = signal_index->emplace(node->name, program->signals.size());
    if (inserted) program->signals.push_back(node->name);
    instr.signal = it->second;
  } else if (node->op == Op::kMin || node->op == Op::kMax) {
    // n-ary min/max as a chain of binary ones
    int acc = CompileNode(node->args[0], program, signal_index);
    for (size_t k = 1; k < node->args.size(); ++k) {
      Instr step = instr;
      step.a = acc;
      step.b = CompileNode(node->args[k], program, signal_index);
      program->code.push_back(step);
      acc = static_cast<int>(program->code.size()) - 1;
    }
    result = acc;
  } else {
    instr.a = CompileNode(node->args[0], program, signal_index);
    if (node->args.size() > 1) instr.b = CompileNode(node->args[1], program, signal_index);
    if (IsTemporal(node->op)) {
      // temporal operators read their operands as series
      program->code[instr.a].materialize = true;
      if (instr.b >= 0) program->code[instr.b].materialize = true;
    }
  }
  if (result < 0) {
    program->code.push_back(instr);
    result = static_cast<int>(program->code.size()) - 1;
  }
  program->index_of.emplace(node.get(), result);
  return result;
}

template <class F>
void Binary(const Instr& x, const double* xp, const Instr& y, const double* yp, double* out, size_t begin,
            size_t end, F f) {
  const bool xc = x.op == Op::kNumber;
  const bool yc = y.op == Op::kNumber;
  const double xv = x.number;
  const double yv = y.number;
  if (!xc && !yc) {
    for (size_t i = begin; i < end; ++i) out[i] = f(xp[i], yp[i]);
  } else if (!xc) {
    for (size_t i = begin; i < end; ++i) out[i] = f(xp[i], yv);
  } else if (!yc) {
    for (size_t i = begin; i < end; ++i) out[i] = f(xv, yp[i]);
  } else {
    for (size_t i = begin; i < end; ++i) out[i] = f(xv, yv);
  }
}

// out[i] = the minimum (maximum with kMax) of v over the window [lo, hi) of sample i, or the neutral
// element for an empty window, where `advance(i, &lo, &hi)` moves both ends forward (they never move
// back, and lo >= i). The hot loop of the offline monitor, O(n) whatever the windows, nearly without
// data-dependent branches: the window is split at `mid` into a front part [lo, mid), whose suffix
// extremes are kept in out[lo..mid) (no sample there has been output yet, since lo >= i), and a back
// part [mid, hi) with its running extreme. When lo reaches mid the front is rebuilt from the back, so
// each sample is rebuilt at most once.
template <bool kMax, class Advance>
void SlidingExtremum(const double* __restrict v, size_t n, double* __restrict out, Advance advance) {
  const double neutral = kMax ? -kInf : kInf;
  auto pick = [](double p, double q) { return kMax ? std::max(p, q) : std::min(p, q); };
  size_t lo = 0, hi = 0, mid = 0;
  double back = neutral;
  for (size_t i = 0; i < n; ++i) {
    const size_t old_hi = hi;
    advance(i, &lo, &hi);
    for (size_t j = std::max(old_hi, lo); j < hi; ++j) back = pick(back, v[j]);
    if (lo >= mid) {
      double acc = neutral;
      for (size_t j = hi; j-- > lo;) {
        acc = pick(acc, v[j]);
        out[j] = acc;
      }
      mid = std::max(hi, lo);
      back = neutral;
    }
    out[i] = pick(lo < mid ? out[lo] : neutral, back);
  }
}

// Sliding minimum (or maximum) of v over the future windows of every sample.
template <bool kMax>
void SlidingFuture(const double* v, const double* t, size_t n, const Window& w, double* out) {
  if (w.fixed) {
    const size_t lo_steps = w.lo_steps, hi_steps = w.hi_steps;
    SlidingExtremum<kMax>(v, n, out, [n, lo_steps, hi_steps](size_t i, size_t* lo, size_t* hi) {
      *lo = std::min(i + lo_steps, n);
      *hi = std::max(*lo, std::min(i + hi_steps + 1, n));
    });
    return;
  }
  const double a = w.lo_s, b = w.hi_s;
  SlidingExtremum<kMax>(v, n, out, [t, n, a, b](size_t i, size_t* lo, size_t* hi) {
    const double ti = t[i];
    while (*lo < n && t[*lo] - ti < a) ++*lo;
    while (*hi < n && t[*hi] - ti <= b) ++*hi;
  });
}

// Moves a past window forward to sample i: `push(j)` for every sample j that enters it (offset
// i - j reaches the lower bound), `*lo` past the samples that left it (offset beyond the upper bound).
template <bool kFixed, class Push>
inline void AdvancePast(const Window& w, const double* t, size_t i, size_t* next_push, size_t* lo, Push push) {
  const double ti = t[i];
  while (*next_push <= i && (kFixed ? *next_push + w.lo_steps <= i : ti - t[*next_push] >= w.lo_s)) push((*next_push)++);
  while (kFixed ? *lo + w.hi_steps < i : ti - t[*lo] > w.hi_s) ++*lo;
}

// Calls body(std::true_type) for a fixed-step window, body(std::false_type) otherwise, so the loop
// inside is compiled for each.
template <class Body>
inline void WithWindowKind(const Window& w, Body body) {
  if (w.fixed) {
    body(std::true_type{});
  } else {
    body(std::false_type{});
  }
}

size_t ToSteps(double x, bool up) {
  if (!(x < 1e18)) return kUnboundedSteps;
  return std::min(static_cast<size_t>(up ? std::ceil(x) : std::floor(x)), kUnboundedSteps);
}

}  // namespace

Window MakeWindow(const Interval& interval, double step) {
  Window w;
  w.lo_s = interval.lo - kWindowTolerance * interval.lo;
  w.hi_s = interval.hi + kWindowTolerance * interval.hi;
  if (step > 0.0) {
    w.fixed = true;
    w.lo_steps = ToSteps(w.lo_s / step, /*up=*/true);
    w.hi_steps = ToSteps(w.hi_s / step, /*up=*/false);
  }
  return w;
}

std::pair<size_t, size_t> FutureWindowOf(const Window& w, std::span<const double> t, size_t i) {
  const size_t n = t.size();
  if (w.fixed) {
    const size_t lo = std::min(i + w.lo_steps, n);
    return {lo, std::max(lo, std::min(i + w.hi_steps + 1, n))};
  }
  size_t lo = i;
  while (lo < n && t[lo] - t[i] < w.lo_s) ++lo;
  size_t hi = lo;
  while (hi < n && t[hi] - t[i] <= w.hi_s) ++hi;
  return {lo, hi};
}

void FutureExtremum(bool max, const double* v, const double* t, size_t n, const Window& window, double* out) {
  if (max) {
    SlidingFuture<true>(v, t, n, window, out);
  } else {
    SlidingFuture<false>(v, t, n, window, out);
  }
}

// phi until[a,b] psi = min(eventually[a,b] psi, phi until[a,inf) psi), where
// (phi until[a,inf) psi)(i) = min(min of phi over [i, lo), U0(lo)) with lo the first sample at
// least `a` after i, and U0 the unbounded until: U0(i) = max(psi(i), min(phi(i), U0(i+1))).
void FutureUntil(const double* phi, const double* psi, const double* t, size_t n, const Window& window, double* out) {
  SlidingFuture<true>(psi, t, n, window, out);
  Buffer u0(n);
  double later = -kInf;
  for (size_t i = n; i-- > 0;) {
    later = std::max(psi[i], std::min(phi[i], later));
    u0[i] = later;
  }
  // the first sample at least `a` after i, and the minimum of phi over [i, that sample)
  Buffer first(n), phi_min(n);
  size_t lo = 0;
  for (size_t i = 0; i < n; ++i) {
    if (window.fixed) {
      lo = std::min(i + window.lo_steps, n);
    } else {
      while (lo < n && t[lo] - t[i] < window.lo_s) ++lo;
    }
    first[i] = static_cast<double>(lo);
  }
  SlidingExtremum<false>(phi, n, phi_min.data(), [&first](size_t i, size_t* from, size_t* to) {
    *from = i;
    *to = static_cast<size_t>(first[i]);
  });
  for (size_t i = 0; i < n; ++i) {
    const size_t l = static_cast<size_t>(first[i]);
    const double until_a = l < n ? std::min(phi_min[i], u0[l]) : -kInf;
    out[i] = std::min(out[i], until_a);
  }
}

Program Compile(const NodePtr& root) {
  Program program;
  program.root = root;
  std::unordered_map<std::string, size_t> signal_index;
  CompileNode(root, &program, &signal_index);
  return program;
}

Evaluation::Evaluation(const Program& program, double step) : program_(program), state_(program.code.size()) {
  for (size_t k = 0; k < program.code.size(); ++k) {
    if (IsTemporal(program.code[k].op)) state_[k].window = MakeWindow(program.code[k].interval, step);
  }
}

std::span<const double> Evaluation::series(int k) const {
  const Instr& in = program_.code[k];
  State& s = state_[k];
  if (in.op == Op::kNumber && !in.materialize && s.series.size() != time_.size()) {
    // a constant read as a number by its operators: its series only when asked for
    s.series.assign(time_.size(), in.number);
    s.data = s.series.data();
  }
  return {state_[k].data, time_.size()};
}

void Evaluation::Fail(int k, size_t i, std::string message) const {
  throw EvaluationError(program_.code[k].node->pos, std::move(message), time_[i]);
}

void Evaluation::CheckNotNan(int k, size_t begin, size_t end) const {
  const double* out = state_[k].data;
  for (size_t i = begin; i < end; ++i) {
    if (std::isnan(out[i])) {
      Fail(k, i, "'" + ToText(*program_.code[k].node) + "' is not a number at time " + core::FormatDouble(time_[i]));
    }
  }
}

void Evaluation::RunOffline(std::span<const double> time, std::span<const std::span<const double>> columns) {
  GAUNTLET_CHECK(!online_ && time_.empty());
  GAUNTLET_CHECK(columns.size() == program_.signals.size());
  time_ = time;
  columns_ = columns;
  const size_t n = time.size();
  for (size_t k = 0; k < program_.code.size(); ++k) {
    const Instr& in = program_.code[k];
    State& s = state_[k];
    if (in.op == Op::kSignal) {
      const std::span<const double> column = columns[in.signal];
      GAUNTLET_CHECK(column.size() == n);
      s.data = column.data();
      for (size_t i = 0; i < n; ++i) {
        if (std::isnan(column[i])) {
          Fail(static_cast<int>(k), i, "signal '" + in.node->name + "' is not a number at time " +
                                           core::FormatDouble(time_[i]));
        }
      }
      continue;
    }
    if (in.op == Op::kNumber && !in.materialize) continue;
    s.series.resize(n);
    s.data = s.series.data();
    if (IsFutureOp(in.op)) {
      EvalFuture(static_cast<int>(k));
    } else {
      EvalRange(static_cast<int>(k), 0, n);
    }
  }
  columns_ = {};
}

void Evaluation::Reserve(size_t samples) {
  time_storage_.reserve(samples);
  for (size_t k = 0; k < program_.code.size(); ++k) {
    state_[k].series.reserve(samples);
    if (program_.code[k].op == Op::kSince) state_[k].since0.reserve(samples);
  }
}

void Evaluation::Step(double time, std::span<const double> values) {
  GAUNTLET_CHECK(program_.past_only);
  GAUNTLET_CHECK(values.size() == program_.signals.size());
  GAUNTLET_CHECK(time_storage_.empty() || time > time_storage_.back());
  online_ = true;
  time_storage_.push_back(time);
  time_ = time_storage_;
  const size_t i = time_.size() - 1;
  for (size_t k = 0; k < program_.code.size(); ++k) {
    const Instr& in = program_.code[k];
    State& s = state_[k];
    if (in.op == Op::kNumber && !in.materialize) continue;
    s.series.push_back(0.0);
    s.data = s.series.data();
    if (in.op == Op::kSignal) {
      s.series[i] = values[in.signal];
      if (std::isnan(values[in.signal])) {
        Fail(static_cast<int>(k), i,
             "signal '" + in.node->name + "' is not a number at time " + core::FormatDouble(time_[i]));
      }
      continue;
    }
    EvalRange(static_cast<int>(k), i, i + 1);
  }
}

void Evaluation::EvalRange(int k, size_t begin, size_t end) {
  const Instr& in = program_.code[k];
  double* out = state_[k].series.data();
  const Instr* x = in.a >= 0 ? &program_.code[in.a] : nullptr;
  const Instr* y = in.b >= 0 ? &program_.code[in.b] : nullptr;
  const double* xp = x != nullptr ? state_[in.a].data : nullptr;
  const double* yp = y != nullptr ? state_[in.b].data : nullptr;
  auto unary = [&](auto f) {
    if (x->op == Op::kNumber) {
      for (size_t i = begin; i < end; ++i) out[i] = f(x->number);
    } else {
      for (size_t i = begin; i < end; ++i) out[i] = f(xp[i]);
    }
  };
  switch (in.op) {
    case Op::kNumber:
      std::fill(out + begin, out + end, in.number);
      return;
    case Op::kSignal:
      return;
    case Op::kNeg:
    case Op::kNot:
      unary([](double v) { return 0.0 - v; });
      return;
    case Op::kAbs:
      unary([](double v) { return std::fabs(v); });
      return;
    case Op::kAdd:
      Binary(*x, xp, *y, yp, out, begin, end, [](double u, double v) { return u + v; });
      CheckNotNan(k, begin, end);
      return;
    case Op::kSub:
      Binary(*x, xp, *y, yp, out, begin, end, [](double u, double v) { return u - v; });
      CheckNotNan(k, begin, end);
      return;
    case Op::kMul:
      Binary(*x, xp, *y, yp, out, begin, end, [](double u, double v) { return u * v; });
      CheckNotNan(k, begin, end);
      return;
    case Op::kDiv: {
      for (size_t i = begin; i < end; ++i) {
        const double divisor = y->op == Op::kNumber ? y->number : yp[i];
        if (divisor == 0.0) {
          Fail(k, i, "division by zero at time " + core::FormatDouble(time_[i]) + ": the divisor '" +
                         ToText(*in.node->args[1]) + "' is 0");
        }
      }
      Binary(*x, xp, *y, yp, out, begin, end, [](double u, double v) { return u / v; });
      CheckNotNan(k, begin, end);
      return;
    }
    case Op::kMin:
    case Op::kAnd:
      Binary(*x, xp, *y, yp, out, begin, end, [](double u, double v) { return std::min(u, v); });
      return;
    case Op::kMax:
    case Op::kOr:
      Binary(*x, xp, *y, yp, out, begin, end, [](double u, double v) { return std::max(u, v); });
      return;
    case Op::kLt:
    case Op::kLe:
      Binary(*x, xp, *y, yp, out, begin, end, [](double u, double v) { return u == v ? 0.0 : v - u; });
      return;
    case Op::kGt:
    case Op::kGe:
      Binary(*x, xp, *y, yp, out, begin, end, [](double u, double v) { return u == v ? 0.0 : u - v; });
      return;
    case Op::kEq:
    case Op::kIff:
      Binary(*x, xp, *y, yp, out, begin, end,
             [](double u, double v) { return u == v ? 0.0 : 0.0 - std::fabs(u - v); });
      return;
    case Op::kNe:
    case Op::kXor:
      Binary(*x, xp, *y, yp, out, begin, end, [](double u, double v) { return u == v ? 0.0 : std::fabs(u - v); });
      return;
    case Op::kImplies:
      Binary(*x, xp, *y, yp, out, begin, end, [](double u, double v) { return std::max(0.0 - u, v); });
      return;
    case Op::kPrev:
    case Op::kSPrev: {
      const double off = in.op == Op::kPrev ? kInf : -kInf;
      for (size_t i = begin; i < end; ++i) out[i] = i > 0 ? xp[i - 1] : off;
      return;
    }
    case Op::kRise:
      for (size_t i = begin; i < end; ++i) out[i] = i == 0 ? xp[0] : std::min(xp[i], 0.0 - xp[i - 1]);
      return;
    case Op::kFall:
      for (size_t i = begin; i < end; ++i) out[i] = i == 0 ? 0.0 - xp[0] : std::min(0.0 - xp[i], xp[i - 1]);
      return;
    case Op::kOnce:
    case Op::kHistorically:
      EvalPastWindow(k, begin, end);
      return;
    case Op::kSince:
      EvalSince(k, begin, end);
      return;
    case Op::kAlways:
    case Op::kEventually:
    case Op::kUntil:
    case Op::kNext:
    case Op::kSNext:
      GAUNTLET_CHECK_MSG(false, "future operators are evaluated offline only");
  }
}

void Evaluation::EvalPastWindow(int k, size_t begin, size_t end) {
  const Instr& in = program_.code[k];
  State& s = state_[k];
  const double* v = state_[in.a].data;
  const double* t = time_.data();
  const Window& w = s.window;
  double* out = s.series.data();
  auto run = [&](auto& q, double neutral) {
    WithWindowKind(w, [&](auto fixed) {
      for (size_t i = begin; i < end; ++i) {
        AdvancePast<decltype(fixed)::value>(w, t, i, &s.next_push, &s.lo, [&](size_t j) { q.Push(j, v[j]); });
        q.PopBefore(s.lo);
        out[i] = q.FrontOr(neutral);
      }
    });
  };
  if (in.op == Op::kOnce) {
    run(s.max_q, -kInf);
  } else {
    run(s.min_q, kInf);
  }
}

// phi since[a,b] psi = min(once[a,b] psi, phi since[a,inf) psi), where
// (phi since[a,inf) psi)(i) = min(min of phi over (h, i], S0(h)) with h the last sample at least `a`
// before i, and S0 the unbounded since: S0(i) = max(psi(i), min(phi(i), S0(i-1))).
void Evaluation::EvalSince(int k, size_t begin, size_t end) {
  const Instr& in = program_.code[k];
  State& s = state_[k];
  const double* phi = state_[in.a].data;
  const double* psi = state_[in.b].data;
  const double* t = time_.data();
  const Window& w = s.window;
  double* out = s.series.data();
  if (s.since0.size() < end) s.since0.resize(online_ ? end : time_.size());
  double* s0 = s.since0.data();
  WithWindowKind(w, [&](auto fixed) {
    for (size_t i = begin; i < end; ++i) {
      s0[i] = std::max(psi[i], std::min(phi[i], i > 0 ? s0[i - 1] : -kInf));
      // once[a,b] psi
      AdvancePast<decltype(fixed)::value>(w, t, i, &s.next_push, &s.lo, [&](size_t j) { s.max_q.Push(j, psi[j]); });
      s.max_q.PopBefore(s.lo);
      const double once = s.max_q.FrontOr(-kInf);
      // min of phi over (h, i] where h = next_push - 1
      s.min_q.Push(i, phi[i]);
      s.min_q.PopBefore(s.next_push);
      const double phi_min = s.min_q.FrontOr(kInf);
      const double since_a = s.next_push > 0 ? std::min(phi_min, s0[s.next_push - 1]) : -kInf;
      out[i] = std::min(once, since_a);
    }
  });
}

// Future operators, over the whole trace.
void Evaluation::EvalFuture(int k) {
  const Instr& in = program_.code[k];
  const size_t n = time_.size();
  double* out = state_[k].series.data();
  const double* t = time_.data();
  const double* x = state_[in.a].data;
  const Window& w = state_[k].window;
  switch (in.op) {
    case Op::kNext:
    case Op::kSNext: {
      const double off = in.op == Op::kNext ? kInf : -kInf;
      for (size_t i = 0; i < n; ++i) out[i] = i + 1 < n ? x[i + 1] : off;
      return;
    }
    case Op::kAlways:
      SlidingFuture<false>(x, t, n, w, out);
      return;
    case Op::kEventually:
      SlidingFuture<true>(x, t, n, w, out);
      return;
    case Op::kUntil:
      FutureUntil(x, state_[in.b].data, t, n, w, out);
      return;
    default:
      GAUNTLET_CHECK_MSG(false, "not a future operator");
  }
}

}  // namespace gauntlet::verifier::stl::internal
