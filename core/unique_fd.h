#pragma once
// A POSIX file descriptor owned by one object and closed when it goes out of scope: every descriptor the
// project opens is held by one from the moment open(2) returns, so that an exception thrown before the
// descriptor is closed (an allocation, a check that fails) cannot leak it.

#include <unistd.h>

#include <utility>

namespace gauntlet::core {

/// Owns a file descriptor (or none: -1) and closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  /// Takes ownership of `fd` (-1: none, as open(2) returns on failure).
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  /// The descriptor, -1 for none.
  [[nodiscard]] int get() const { return fd_; }
  /// Whether a descriptor is held.
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  /// Gives the descriptor up without closing it (the caller closes it); -1 when none was held.
  [[nodiscard]] int release() { return std::exchange(fd_, -1); }
  /// Closes the descriptor held (if any) and takes `fd`.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace gauntlet::core
