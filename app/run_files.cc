#include "app/run_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <sstream>

#include "core/error.h"
#include "core/rng.h"
#include "core/input_file.h"
#include "reports/run_writer.h"

namespace gauntlet::app {

namespace fs = std::filesystem;

void WriteTextFile(const std::string& path, const std::string& text) { reports::WriteFileAtomically(path, text); }

bool ParseJUnitFlag(const Args& args, const std::string& command, reports::JUnitOptions* options) {
  const auto value = args.Get("junit");
  if (!value) return true;
  const auto mode = reports::ParseJUnitMode(*value);
  if (!mode) {
    std::cerr << command << ": --junit must be per-instance or per-requirement, got '" << *value << "'\n";
    return false;
  }
  options->mode = *mode;
  return true;
}

std::string RunKey(const std::string& tool_version, const std::string& fingerprint, uint64_t seed, size_t shard_index,
                   size_t shard_count) {
  const uint64_t hash = core::StableHash("gauntlet-run " + tool_version + " " + fingerprint + " " +
                                         std::to_string(seed) + " " + std::to_string(shard_index) + "/" +
                                         std::to_string(shard_count));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

std::string NewRunId() {
  std::random_device device;
  const uint64_t id = (uint64_t{device()} << 32) ^ device() ^
                      static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) ^
                      (static_cast<uint64_t>(::getpid()) << 16);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(core::Mix64(id)));
  return hex;
}

std::string ResumeHeader(const RunManifest& manifest) {
  nlohmann::ordered_json j;
  j["gauntlet_resume_of"] = {{"run_id", manifest.run_id}, {"run_key", manifest.run_key}};
  return j.dump();
}

namespace {

constexpr const char* kLockFile = "/.gauntlet.lock";

/// Opens the lock file of `dir` without following a link; -1 with errno set on failure.
int OpenLockFile(const std::string& dir, bool create) {
  return ::open((dir + kLockFile).c_str(), (create ? O_RDWR | O_CREAT : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC, 0644);
}

}  // namespace

OutputLock::OutputLock(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw core::InfrastructureError("cannot create the output directory " + dir + ": " + ec.message());
  fd_ = OpenLockFile(dir, true);
  if (fd_ < 0) {
    throw core::InfrastructureError("cannot create the lock file " + dir + kLockFile + ": " + std::strerror(errno));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) {
      throw core::InputError({}, "another gauntlet run, merge or gate is writing to " + dir + " now (it holds " + dir +
                                     kLockFile + "); wait for it to end or use another --out");
    }
    throw core::InfrastructureError("cannot lock " + dir + kLockFile + ": " + std::strerror(error));
  }
}

OutputLock::~OutputLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

void OutputLock::CheckNotLocked(const std::string& dir) {
  const int fd = OpenLockFile(dir, false);
  if (fd < 0) return;
  const bool free = ::flock(fd, LOCK_SH | LOCK_NB) == 0;
  ::close(fd);
  if (!free) {
    throw core::InputError({}, "a gauntlet run is writing to " + dir + " now (it holds " + dir + kLockFile +
                                   "); wait for it to end");
  }
}

void WriteRunManifest(const std::string& dir, const RunManifest& manifest) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw core::InfrastructureError("cannot create the output directory " + dir + ": " + ec.message());
  nlohmann::ordered_json j;
  j["suite"] = fs::absolute(manifest.suite_path).lexically_normal().string();
  j["seed"] = manifest.seed;
  nlohmann::ordered_json models = nlohmann::ordered_json::object();
  for (const auto& [slot, path] : manifest.model_overrides) models[slot] = fs::absolute(path).lexically_normal().string();
  j["model_overrides"] = models;
  j["fingerprint"] = manifest.fingerprint;
  j["run_key"] = manifest.run_key;
  j["run_id"] = manifest.run_id;
  j["shard_index"] = manifest.shard_index;
  j["shard_count"] = manifest.shard_count;
  j["complete"] = manifest.complete;
  WriteTextFile(dir + "/run.json", j.dump(2) + "\n");
}

RunManifest ReadRunManifest(const std::string& dir) {
  const std::string path = dir + "/run.json";
  core::CheckInputFile(path, core::InputKind::kManifest, "not a gauntlet run directory (no run.json)");
  std::ifstream in(path);
  if (!in) throw core::InputError({path, 0, 0}, "not a gauntlet run directory (no run.json)");
  const auto malformed = [&](const std::string& what) {
    return core::InputError({path, 0, 0}, "malformed run manifest: " + what);
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw malformed(e.what());
  }
  if (!j.is_object()) throw malformed("not a JSON object");
  const auto field = [&](const char* key) -> const nlohmann::json& {
    const auto it = j.find(key);
    if (it == j.end()) throw malformed(std::string("no '") + key + "'");
    return *it;
  };
  const auto string_field = [&](const nlohmann::json& v, const std::string& key) {
    if (!v.is_string()) throw malformed("'" + key + "' must be a string");
    return v.get<std::string>();
  };
  // paths are made absolute when a manifest is written again (merge): "" has no absolute form
  const auto path_field = [&](const nlohmann::json& v, const std::string& key) {
    std::string p = string_field(v, key);
    if (p.empty()) throw malformed("'" + key + "' must be a path, not empty");
    return p;
  };
  // integers are taken only as JSON unsigned integers: a float or a negative number would be converted
  // silently (and out of range, undefined behaviour), and a huge shard count would make `merge` loop
  const auto count_field = [&](const char* key, uint64_t min, uint64_t max) {
    const nlohmann::json& v = field(key);
    if (!v.is_number_unsigned() || v.get<uint64_t>() < min || v.get<uint64_t>() > max) {
      throw malformed(std::string("'") + key + "' must be an integer in [" + std::to_string(min) + ", " +
                      std::to_string(max) + "]");
    }
    return v.get<uint64_t>();
  };
  constexpr uint64_t kMaxShards = uint64_t{1} << 20;  // as `gauntlet run --shard-count`
  RunManifest m;
  m.suite_path = path_field(field("suite"), "suite");
  m.seed = count_field("seed", 0, std::numeric_limits<uint64_t>::max());
  const nlohmann::json& models = field("model_overrides");
  if (!models.is_object()) throw malformed("'model_overrides' must be an object");
  for (const auto& [slot, p] : models.items()) m.model_overrides[slot] = path_field(p, "model_overrides." + slot);
  m.fingerprint = string_field(field("fingerprint"), "fingerprint");
  // the run identity (absent in manifests of older versions: such a directory cannot be resumed)
  if (j.contains("run_key")) m.run_key = string_field(j["run_key"], "run_key");
  if (j.contains("run_id")) m.run_id = string_field(j["run_id"], "run_id");
  m.shard_count = count_field("shard_count", 1, kMaxShards);
  m.shard_index = count_field("shard_index", 0, kMaxShards);
  if (m.shard_index >= m.shard_count) {
    throw malformed("shard_index " + std::to_string(m.shard_index) + " is not in [0, shard_count " +
                    std::to_string(m.shard_count) + ")");
  }
  if (!field("complete").is_boolean()) throw malformed("'complete' must be true or false");
  m.complete = field("complete").get<bool>();
  return m;
}

}  // namespace gauntlet::app
