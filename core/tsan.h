#pragma once
// Happens-before annotations for ThreadSanitizer around work handed to oneTBB.
//
// Debian's libtbb is not built with -fsanitize=thread, so TSan does not see the synchronisation inside
// it: that what a thread wrote before tbb::parallel_for is visible to the tasks, that a task object
// recycled by TBB's pool is handed over from the thread that used it last, and that the tasks' writes
// are visible after the loop returns (or throws). Without these annotations every such access is
// reported as a race: false positives that hide the real ones. The annotations model TBB as one
// synchroniser, as it is: a task begins after everything that had ended when it was picked up.
// Races between tasks that run at the same time are still reported.
//
//   {
//     const core::TsanParallelRegion region;   // what comes before happens before every task
//     tbb::parallel_for(..., core::TsanBody([&](...) {
//       ...
//     }));
//   }                                          // every task happens before what follows, even on a throw
//
// TsanBody is the task's side. TBB copies a parallel_for body whenever a thread splits the range, and
// the thread that steals the other half runs that copy: the copy's captures were written by the
// splitting thread and handed over inside libtbb, and the splitting thread read the body it copied
// from another thread's write. So a copy acquires before it reads and releases when made, a call
// acquires before it reads a capture and releases when the task ends (return or exception).
//
// Without ThreadSanitizer these compile to nothing.

#if defined(__SANITIZE_THREAD__)
#define GAUNTLET_TSAN_ENABLED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GAUNTLET_TSAN_ENABLED 1
#endif
#endif

#include <utility>

#ifdef GAUNTLET_TSAN_ENABLED
#include <sanitizer/tsan_interface.h>
#endif

namespace gauntlet::core {

#ifdef GAUNTLET_TSAN_ENABLED
/// The synchronisation object the annotations stand for (its address only; a global, so that a task
/// reaches it without reading its body's captures first).
inline char tsan_tbb_token = 0;
inline void TsanRelease() { __tsan_release(&tsan_tbb_token); }
inline void TsanAcquire() { __tsan_acquire(&tsan_tbb_token); }
#else
inline void TsanRelease() {}
inline void TsanAcquire() {}
#endif

/// The calling thread's side: releases now, acquires when the region ends (however it ends).
class TsanParallelRegion {
 public:
  TsanParallelRegion() { TsanRelease(); }
  ~TsanParallelRegion() { TsanAcquire(); }
  TsanParallelRegion(const TsanParallelRegion&) = delete;
  TsanParallelRegion& operator=(const TsanParallelRegion&) = delete;
};

/// A task body handed to TBB (see above). Without ThreadSanitizer it is the wrapped callable, copied
/// and called as it would be.
template <class F>
class TsanBody {
 public:
  explicit TsanBody(F body) : body_(std::move(body)) { TsanRelease(); }
  TsanBody(const TsanBody& other) : body_((TsanAcquire(), other.body_)) { TsanRelease(); }
  TsanBody& operator=(const TsanBody&) = delete;

  template <class... Args>
  void operator()(Args&&... args) const {
    TsanAcquire();
    const Releaser on_exit;
    body_(std::forward<Args>(args)...);
  }

 private:
  struct Releaser {
    Releaser() = default;
    Releaser(const Releaser&) = delete;
    Releaser& operator=(const Releaser&) = delete;
    ~Releaser() { TsanRelease(); }
  };
  F body_;
};

}  // namespace gauntlet::core
