#pragma once
// Invariant checks. A failed check is a bug in Gauntlet, never a user error: it prints the condition
// and the source line, then aborts. Bad input is reported with core::InputError instead.

#include <cstdio>
#include <cstdlib>

namespace gauntlet::internal {
[[noreturn]] inline void CheckFailed(const char* condition, const char* file, int line, const char* message) {
  std::fprintf(stderr, "%s:%d: internal error: check failed: %s%s%s\n", file, line, condition,
               message[0] != '\0' ? ": " : "", message);
  std::abort();
}
}  // namespace gauntlet::internal

/// Aborts with the condition and source line when `condition` is false.
#define GAUNTLET_CHECK(condition)                                                          \
  do {                                                                                     \
    if (!(condition)) ::gauntlet::internal::CheckFailed(#condition, __FILE__, __LINE__, ""); \
  } while (false)

/// As GAUNTLET_CHECK, with a message (a C string) printed after the condition.
#define GAUNTLET_CHECK_MSG(condition, message)                                                   \
  do {                                                                                           \
    if (!(condition)) ::gauntlet::internal::CheckFailed(#condition, __FILE__, __LINE__, message); \
  } while (false)
