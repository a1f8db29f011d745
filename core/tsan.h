#pragma once
// Happens-before annotations for ThreadSanitizer around work handed to oneTBB.
//
// Debian's libtbb is not built with -fsanitize=thread, so TSan does not see the synchronisation inside
// it: that what a thread wrote before tbb::parallel_for is visible to the tasks, and that the tasks'
// writes are visible after it returns. Without these annotations every such access is reported as a
// race (false positives that hide the real ones). Two tokens, so that tasks are never ordered with one
// another by the annotations (a real race between two tasks is still reported):
//
//   core::TsanRelease(&start);                 // set-up happens before every task
//   tbb::parallel_for(..., [&](...) {
//     const core::TsanTaskScope scope(&start, &finish);   // acquires start; releases finish on every exit
//     ... the task ...
//   });
//   core::TsanAcquire(&finish);                // every task happens before what follows the loop
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

/// Everything this thread did so far happens before a later TsanAcquire of the same token.
inline void TsanRelease([[maybe_unused]] void* token) {
#ifdef GAUNTLET_TSAN_ENABLED
  __tsan_release(token);
#endif
}

/// Everything done before the TsanRelease calls on `token` so far happens before what this thread does next.
inline void TsanAcquire([[maybe_unused]] void* token) {
#ifdef GAUNTLET_TSAN_ENABLED
  __tsan_acquire(token);
#endif
}

/// A task's side of the annotations: acquires `start` now and releases `finish` when the task ends,
/// however it ends (return or exception).
class TsanTaskScope {
 public:
  TsanTaskScope(void* start, void* finish) : finish_(finish) { TsanAcquire(start); }
  ~TsanTaskScope() { TsanRelease(finish_); }
  TsanTaskScope(const TsanTaskScope&) = delete;
  TsanTaskScope& operator=(const TsanTaskScope&) = delete;

 private:
  void* finish_;
};

}  // namespace gauntlet::core
