#include "model/response_cache.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/json_fields.h"
#include "base/output_file.h"
#include "base/sha256.h"
#include "model/usage_record.h"

namespace llmstack {

namespace {

using nlohmann::json;

Status MakeDirectories(const std::string& path) {
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
      return IoError(partial + ": cannot create directory: " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string CacheKey(const CacheKeyInput& in) {
  json j = {{"v", 1},
            {"backend", in.backend},
            {"base_url", in.base_url},
            {"model", in.model},
            {"prompt", in.prompt},
            {"temperature", in.temperature ? json(*in.temperature) : json(nullptr)},
            {"max_tokens", in.max_tokens},
            {"thinking", in.thinking ? json(*in.thinking) : json(nullptr)},
            {"request", in.request_hex},
            {"sample", in.sample}};
  return Sha256Hex(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string ResponseCache::DefaultDirectory() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg != '\0') return std::string(xdg) + "/llmstack-replay";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.cache/llmstack-replay";
}

std::string ResponseCache::PathFor(const std::string& key) const {
  return directory_ + "/" + key.substr(0, 2) + "/" + key + ".json";
}

std::optional<ModelAnswer> ResponseCache::Get(const std::string& key) const {
  if (key.size() < 2) return std::nullopt;
  std::ifstream in(PathFor(key), std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || TextField(j, "key") != key || !j.contains("text") ||
      !j["text"].is_string()) {
    return std::nullopt;  // a damaged entry is a miss
  }
  ModelAnswer a;
  a.text = j["text"];
  a.reasoning = TextField(j, "reasoning");
  a.latency_ms = NumberField(j, "latency_ms", 0.0);
  if (j.contains("usage")) a.usage = UsageFromRecord(j["usage"]);
  a.from_cache = true;
  return a;
}

Status ResponseCache::Put(const std::string& key, const ModelAnswer& a) const {
  std::string path = PathFor(key);
  Status s = MakeDirectories(path.substr(0, path.rfind('/')));
  if (!s.ok()) return s;
  json j = {{"key", key},
            {"text", a.text},
            {"reasoning", a.reasoning},
            {"latency_ms", a.latency_ms},
            {"usage", UsageRecord(a.usage, false)}};
  return WriteOutputFile(path, j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
}

void CachingBackend::Submit(ModelQuery query) {
  if (!query.cache_key.empty()) {
    std::optional<ModelAnswer> hit = cache_.Get(query.cache_key);
    if (hit) {
      hit->id = query.id;
      hits_.push_back(std::move(*hit));
      return;
    }
    keys_[query.id] = query.cache_key;
  }
  inner_->Submit(std::move(query));
}

std::vector<ModelAnswer> CachingBackend::Collect(double timeout_s) {
  std::vector<ModelAnswer> out = std::move(hits_);
  hits_.clear();
  for (ModelAnswer& a : inner_->Collect(out.empty() ? timeout_s : 0)) {
    auto key = keys_.find(a.id);
    if (key != keys_.end()) {
      if (a.status.ok()) {
        Status s = cache_.Put(key->second, a);
        if (!s.ok() && write_problem_.empty()) write_problem_ = s.message();
      }
      keys_.erase(key);
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace llmstack
