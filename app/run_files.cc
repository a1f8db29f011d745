#include "app/run_files.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace gauntlet::app {

namespace fs = std::filesystem;

void WriteTextFile(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw core::InfrastructureError("cannot write " + path);
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) throw core::InfrastructureError("cannot write " + path + ": " + ec.message());
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
  j["shard_index"] = manifest.shard_index;
  j["shard_count"] = manifest.shard_count;
  j["complete"] = manifest.complete;
  WriteTextFile(dir + "/run.json", j.dump(2) + "\n");
}

RunManifest ReadRunManifest(const std::string& dir) {
  const std::string path = dir + "/run.json";
  std::ifstream in(path);
  if (!in) throw core::InputError({path, 0, 0}, "not a gauntlet run directory (no run.json)");
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    RunManifest m;
    m.suite_path = j.at("suite").get<std::string>();
    m.seed = j.at("seed").get<uint64_t>();
    for (const auto& [slot, p] : j.at("model_overrides").items()) m.model_overrides[slot] = p.get<std::string>();
    m.fingerprint = j.at("fingerprint").get<std::string>();
    m.shard_index = j.at("shard_index").get<size_t>();
    m.shard_count = j.at("shard_count").get<size_t>();
    m.complete = j.at("complete").get<bool>();
    return m;
  } catch (const std::exception& e) {
    throw core::InputError({path, 0, 0}, std::string("malformed run manifest: ") + e.what());
  }
}

}  // namespace gauntlet::app
