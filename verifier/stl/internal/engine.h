#pragma once
// Internal: the robustness engine shared by the offline Monitor and the OnlineMonitor.
//
// A Program is a formula compiled into a flat list of instructions, operands before operators, each
// syntax node once (sub-formulas shared through `let` definitions are computed once). An Evaluation
// holds one run's series, one per instruction:
//   - offline, RunOffline computes every instruction over the whole trace, instruction by instruction;
//   - online, Step appends one sample and computes every instruction at it; only programs without
//     future operators (IsPastOnly) can be stepped.
// Every operator costs O(1) amortised per sample, whatever its window.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "verifier/stl/internal/ast.h"

namespace gauntlet::verifier::stl::internal {

/// Large blocks (>= kMinBytes) freed by this thread's evaluations, kept for its next ones: a series
/// of a million samples is 8 MB, and fresh memory of that size costs a page fault per 4 KB on first
/// touch (on a virtual machine, more than the evaluation itself), while the next trace of a campaign
/// or a monitoring loop needs the same sizes again. At most kMaxBlocks blocks and kMaxBytes in all
/// are kept per thread; the rest goes back to the allocator.
class BlockCache {
 public:
  static constexpr size_t kMinBytes = size_t{1} << 20;
  static constexpr size_t kMaxBlocks = 32;
  static constexpr size_t kMaxBytes = size_t{512} << 20;

  /// A block of at least `bytes` (at most twice that, so small needs do not hold big blocks).
  [[nodiscard]] static void* Take(size_t bytes) {
    if (bytes >= kMinBytes && !gone_) {
      std::vector<Block>& blocks = Local().blocks;
      for (size_t k = blocks.size(); k-- > 0;) {
        if (blocks[k].bytes >= bytes && blocks[k].bytes / 2 <= bytes) {
          void* p = blocks[k].p;
          Local().total -= blocks[k].bytes;
          blocks.erase(blocks.begin() + static_cast<std::ptrdiff_t>(k));
          return p;
        }
      }
    }
    return ::operator new(bytes);
  }
  /// Gives back a block from Take(bytes).
  static void Give(void* p, size_t bytes) noexcept {
    if (bytes < kMinBytes || gone_) {  // small, or the thread's cache already destroyed (thread exit)
      ::operator delete(p);
      return;
    }
    Cache& cache = Local();
    if (cache.blocks.size() < kMaxBlocks && cache.total + bytes <= kMaxBytes) {
      try {
        cache.blocks.push_back({p, bytes});
        cache.total += bytes;
        return;
      } catch (...) {  // no room to remember it: free it
      }
    }
    ::operator delete(p);
  }

 private:
  struct Block {
    void* p;
    size_t bytes;  // what it can hold (at least)
  };
  struct Cache {
    std::vector<Block> blocks;
    size_t total = 0;
    ~Cache() {
      for (const Block& b : blocks) ::operator delete(b.p);
      gone_ = true;  // buffers destroyed later in this thread's exit free their memory directly
    }
  };
  static inline thread_local bool gone_ = false;  // trivially destructible: readable until the thread ends
  static Cache& Local() noexcept {
    thread_local Cache cache;
    return cache;
  }
};

/// A vector that leaves new doubles uninitialised on resize (they are all written before being read),
/// its large buffers reused through the thread's BlockCache.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <class U>
  explicit UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  [[nodiscard]] T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(BlockCache::Take(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept { BlockCache::Give(p, n * sizeof(T)); }
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
using Buffer = std::vector<double, UninitializedAllocator<double>>;

/// A monotone deque of (sample, value) for a sliding minimum (or maximum with kMax): values that can
/// never be the extremum again are dropped at the back, samples that left the window at the front.
/// One buffer, compacted when its end is reached, so its memory stays about the size of the window.
template <bool kMax>
class MonoQueue {
 public:
  void Push(size_t sample, double value) {
    while (tail_ > head_ && (kMax ? buf_[tail_ - 1].value <= value : buf_[tail_ - 1].value >= value)) --tail_;
    if (tail_ == buf_.size()) MakeRoom();
    buf_[tail_++] = {value, sample};
  }
  /// Drops the samples before `first` from the front.
  void PopBefore(size_t first) {
    while (head_ < tail_ && buf_[head_].sample < first) ++head_;
  }
  [[nodiscard]] bool empty() const { return head_ == tail_; }
  /// The extremum of the window; the queue is not empty.
  [[nodiscard]] double front() const { return buf_[head_].value; }
  /// The extremum, or `neutral` for an empty window.
  [[nodiscard]] double FrontOr(double neutral) const { return head_ < tail_ ? buf_[head_].value : neutral; }

 private:
  struct Entry {
    double value;
    size_t sample;
  };
  void MakeRoom() {
    if (head_ > 0 && head_ * 2 >= buf_.size()) {
      std::copy(buf_.begin() + static_cast<std::ptrdiff_t>(head_), buf_.begin() + static_cast<std::ptrdiff_t>(tail_),
                buf_.begin());
      tail_ -= head_;
      head_ = 0;
    } else {
      buf_.resize(std::max<size_t>(64, buf_.size() * 2));
    }
  }
  std::vector<Entry> buf_;
  size_t head_ = 0;
  size_t tail_ = 0;
};

/// Relative tolerance of window bounds (docs/stl.md, "Windows"): a sample whose offset from the
/// window's origin lies within kWindowTolerance*bound of a bound is inside the window.
inline constexpr double kWindowTolerance = 1e-9;
/// Step offsets at or beyond this count as unbounded (so i + offset + 1 never overflows).
inline constexpr size_t kUnboundedSteps = SIZE_MAX / 4;

/// A window [a,b] as the engine applies it. A sample j is in the future window of sample i iff its
/// offset lies in it: on a fixed-step trace the offset j - i in steps, inside iff
/// lo_steps <= j - i <= hi_steps; on an irregular trace the time difference d = t_j - t_i, inside iff
/// lo_s <= d <= hi_s. Past windows mirror it (i - j, t_i - t_j).
struct Window {
  double lo_s = 0.0;  ///< a - kWindowTolerance*a
  double hi_s = 0.0;  ///< b + kWindowTolerance*b (inf for an unbounded window)
  bool fixed = false;
  size_t lo_steps = 0;  ///< fixed step: the smallest k with k*step >= lo_s
  size_t hi_steps = 0;  ///< fixed step: the largest k with k*step <= hi_s (kUnboundedSteps: no limit)
};

/// The window of `interval` on a trace with fixed step `step` (0: irregular times).
[[nodiscard]] Window MakeWindow(const Interval& interval, double step);
/// The samples [first, last) in the future window of sample i over `t` (n = t.size() samples).
[[nodiscard]] std::pair<size_t, size_t> FutureWindowOf(const Window& window, std::span<const double> t, size_t i);
/// out[i] = the minimum (maximum with `max`) of v over the future window of sample i, for i < n;
/// the neutral element (+inf, or -inf with `max`) for an empty window.
void FutureExtremum(bool max, const double* v, const double* t, size_t n, const Window& window, double* out);
/// out[i] = (phi until[window] psi)(i) for i < n, by the decomposition in docs/stl.md ("Cost").
void FutureUntil(const double* phi, const double* psi, const double* t, size_t n, const Window& window, double* out);

struct Instr {
  Op op = Op::kNumber;
  int a = -1;  ///< first operand (instruction index)
  int b = -1;  ///< second operand
  double number = 0.0;
  size_t signal = 0;  ///< index into Program::signals
  Interval interval;
  const Node* node = nullptr;
  bool materialize = false;  ///< a constant that an operator reads as a series (else read as a number)
};

struct Program {
  NodePtr root;
  std::vector<Instr> code;  ///< the root is last
  std::vector<std::string> signals;
  std::unordered_map<const Node*, int> index_of;
  bool past_only = true;
};

[[nodiscard]] Program Compile(const NodePtr& root);

class Evaluation {
 public:
  /// `step`: the trace's fixed step (core::Trace::fixed_step), 0 for irregular times.
  explicit Evaluation(const Program& program, double step = 0.0);

  /// Computes every instruction over a whole trace. `columns[k]` is the column of program.signals[k].
  /// Throws EvaluationError (division by zero, not a number).
  void RunOffline(std::span<const double> time, std::span<const std::span<const double>> columns);
  /// Appends one sample (`values[k]` of program.signals[k]) and computes every instruction at it.
  void Step(double time, std::span<const double> values);
  /// Room for `samples` samples of Step, so that the first `samples` steps do not allocate.
  void Reserve(size_t samples);

  /// The values of instruction `k` at every sample computed so far.
  [[nodiscard]] std::span<const double> series(int k) const;
  [[nodiscard]] size_t size() const { return time_.size(); }
  [[nodiscard]] std::span<const double> time() const { return time_; }

 private:
  struct State {
    Buffer series;
    const double* data = nullptr;  // series.data(), or the trace column of an offline signal
    MonoQueue<false> min_q;        // past windows: historically; the phi part of since
    MonoQueue<true> max_q;         // once; the psi part of since
    size_t next_push = 0;          // next sample to enter a past window
    size_t lo = 0;                 // first sample still inside a past window
    Buffer since0;                 // unbounded `since` (since only)
    Window window;                 // temporal operators
  };

  void EvalRange(int k, size_t begin, size_t end);
  void EvalFuture(int k);
  void EvalPastWindow(int k, size_t begin, size_t end);
  void EvalSince(int k, size_t begin, size_t end);
  [[noreturn]] void Fail(int k, size_t i, std::string message) const;
  void CheckNotNan(int k, size_t begin, size_t end) const;

  const Program& program_;
  mutable std::vector<State> state_;  // mutable: series() fills constants on demand
  std::vector<double> time_storage_;
  std::span<const double> time_;
  std::span<const std::span<const double>> columns_;
  bool online_ = false;
};

/// The interval [lo, hi] of the robustness at sample 0 of `program` over a fixed-step trace (step > 0)
/// of `total` samples of which only the first `known` (>= 1) are recorded, the others unknown: every
/// signal value at an unknown sample is anywhere in [-inf, +inf]. Interval arithmetic through every
/// operator (docs/stl.md, "Early stops"): sound (every completion's robustness lies in [lo, hi]), not
/// always tight. `columns[k]` holds the `known` values of program.signals[k]. Throws EvaluationError
/// for a division by zero or a NaN on the known samples, as the offline evaluation does.
[[nodiscard]] std::pair<double, double> RobustnessInterval(const Program& program,
                                                           std::span<const std::span<const double>> columns,
                                                           std::span<const double> time, size_t total, double step);

}  // namespace gauntlet::verifier::stl::internal
