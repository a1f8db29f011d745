#include "core/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.h"
#include "core/unique_fd.h"

namespace gauntlet::core {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kGiB = uint64_t{1} << 30;

/// What kind of file `mode` is, for "is a directory, not a file" and the like; "" for a regular file.
std::string NotRegular(mode_t mode) {
  if (S_ISREG(mode)) return "";
  if (S_ISDIR(mode)) return "is a directory, not a file";
  if (S_ISFIFO(mode)) return "is a FIFO (named pipe), not a regular file";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device, not a regular file";
  if (S_ISSOCK(mode)) return "is a socket, not a regular file";
  return "is not a regular file";
}

std::string TooLarge(uint64_t size, InputKind kind) {
  // "an XML file", "an external data file"
  const bool an = kind == InputKind::kXml || kind == InputKind::kExternalData;
  return "is " + std::to_string(size) + " bytes, more than the limit of " + std::to_string(InputSizeLimit(kind)) +
         (an ? " bytes for an " : " bytes for a ") + std::string(InputKindName(kind));
}

std::string OpenProblem(int error) {
  if (error == ENOENT || error == ENOTDIR) return "does not exist";
  if (error == ELOOP) return "is a link that does not resolve (a loop of symbolic links)";
  return std::string("cannot be opened: ") + std::strerror(error);
}

}  // namespace

uint64_t InputSizeLimit(InputKind kind) {
  switch (kind) {
    case InputKind::kYaml:
      return 16 * kMiB;
    case InputKind::kCsv:
      return 1 * kGiB;
    case InputKind::kModel:
    case InputKind::kExternalData:
      return 2 * kGiB;
    case InputKind::kVnnlib:
      return 64 * kMiB;
    case InputKind::kResults:
      return 4 * kGiB;
    case InputKind::kManifest:
      return 1 * kMiB;
    case InputKind::kXml:  // OpenDRIVE maps of real cities reach tens of MB
      return 256 * kMiB;
  }
  return 0;
}

std::string_view InputKindName(InputKind kind) {
  switch (kind) {
    case InputKind::kYaml:
      return "YAML file";
    case InputKind::kCsv:
      return "CSV trace";
    case InputKind::kModel:
      return "model file";
    case InputKind::kExternalData:
      return "external data file";
    case InputKind::kVnnlib:
      return "VNN-LIB file";
    case InputKind::kResults:
      return "results file";
    case InputKind::kManifest:
      return "run manifest";
    case InputKind::kXml:
      return "XML file";
  }
  return "file";
}

std::string InputFileProblem(const std::string& path, InputKind kind) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return OpenProblem(errno);
  if (std::string problem = NotRegular(st.st_mode); !problem.empty()) return problem;
  if (static_cast<uint64_t>(st.st_size) > InputSizeLimit(kind)) return TooLarge(st.st_size, kind);
  return "";
}

void CheckInputFile(const std::string& path, InputKind kind, std::string_view cannot_read) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) throw InputError({path, 0, 0}, std::string(cannot_read));
  if (const std::string problem = InputFileProblem(path, kind); !problem.empty()) {
    throw InputError({path, 0, 0}, std::string(cannot_read) + ": it " + problem);
  }
}

std::string ReadInputFile(const std::string& path, InputKind kind, std::string_view cannot_read) {
  const SourcePos at{path, 0, 0};
  const auto fail = [&](const std::string& problem) -> InputError {
    return InputError(at, std::string(cannot_read) + ": it " + problem);
  };
  // O_NONBLOCK: opening a FIFO without a writer would block; the checks below refuse it anyway
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT) throw InputError(at, std::string(cannot_read));
    // a directory opens O_RDONLY on Linux; other systems say EISDIR
    throw fail(error == EISDIR ? "is a directory, not a file" : OpenProblem(error));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw fail(OpenProblem(errno));
  if (std::string problem = NotRegular(st.st_mode); !problem.empty()) throw fail(problem);
  const uint64_t limit = InputSizeLimit(kind);
  if (static_cast<uint64_t>(st.st_size) > limit) throw fail(TooLarge(st.st_size, kind));
  // a regular file does not block; read to the end (it may grow while read: the limit still holds)
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) (void)::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  std::string bytes;
  bytes.resize(static_cast<size_t>(st.st_size));
  size_t used = 0;
  while (true) {
    if (used == bytes.size()) {
      if (bytes.size() > limit) throw fail(TooLarge(bytes.size(), kind));
      bytes.resize(std::max<size_t>(bytes.size() * 2, 4096));
    }
    const ssize_t n = ::read(fd.get(), bytes.data() + used, bytes.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw fail(std::string("cannot be read: ") + std::strerror(errno));
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  if (used > limit) throw fail(TooLarge(used, kind));
  bytes.resize(used);
  return bytes;
}

}  // namespace gauntlet::core
