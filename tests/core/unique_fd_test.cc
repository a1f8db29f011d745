#include "core/unique_fd.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>
#include <utility>

namespace gauntlet::core {
namespace {

bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

int OpenNull() {
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  return fd;
}

TEST(UniqueFdTest, ClosesWhenItGoesOutOfScopeAndOnAnException) {
  int raw = -1;
  {
    const UniqueFd fd(OpenNull());
    raw = fd.get();
    EXPECT_TRUE(fd.valid());
    EXPECT_TRUE(IsOpen(raw));
  }
  EXPECT_FALSE(IsOpen(raw));
  // the acquire-then-throw pattern of a constructor that fails after open(2)
  try {
    const UniqueFd fd(OpenNull());
    raw = fd.get();
    throw std::runtime_error("a check failed after the open");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(IsOpen(raw));
}

TEST(UniqueFdTest, MovesReleasesAndResets) {
  UniqueFd a(OpenNull());
  const int raw = a.get();
  UniqueFd b(std::move(a));
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): a moved-from UniqueFd holds none
  EXPECT_EQ(b.get(), raw);
  UniqueFd c;
  EXPECT_EQ(c.get(), -1);
  c = std::move(b);
  EXPECT_EQ(c.get(), raw);
  EXPECT_TRUE(IsOpen(raw));
  const int released = c.release();
  EXPECT_EQ(released, raw);
  EXPECT_FALSE(c.valid());
  EXPECT_TRUE(IsOpen(raw));  // released, not closed
  c.reset(released);
  const int other = OpenNull();
  c.reset(other);  // closes the first
  EXPECT_FALSE(IsOpen(raw));
  EXPECT_TRUE(IsOpen(other));
  c = UniqueFd();
  EXPECT_FALSE(IsOpen(other));
  UniqueFd none(-1);
  EXPECT_FALSE(none.valid());
}

}  // namespace
}  // namespace gauntlet::core
