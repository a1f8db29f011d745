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
//     tbb::parallel_for(..., [&](...) {
//       const core::TsanTask task;              // first statement of the body (reads no capture)
//       ...
//     });
//   }                                          // every task happens before what follows, even on a throw
//
// Without ThreadSanitizer these compile to nothing.

#if defined(__SANITIZE_THREAD__)
#define GAUNTLET_TSAN_ENABLED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GAUNTLET_TSAN_ENABLED 1
#endif
#endif

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

/// A task's side: acquires now, releases when the task ends (return or exception).
class TsanTask {
 public:
  TsanTask() { TsanAcquire(); }
  ~TsanTask() { TsanRelease(); }
  TsanTask(const TsanTask&) = delete;
  TsanTask& operator=(const TsanTask&) = delete;
};

}  // namespace gauntlet::core
