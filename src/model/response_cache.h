// The response cache (DESIGN §4): content-addressed by everything that decides an answer
// (backend, base URL, model, the fully rendered prompt, every sampling setting, the packet and
// the sample index); one small JSON file per answer; errors are never cached.
#ifndef LLMSTACK_MODEL_RESPONSE_CACHE_H_
#define LLMSTACK_MODEL_RESPONSE_CACHE_H_

#include <optional>
#include <string>

#include "base/status.h"
#include "model/backend.h"

namespace llmstack {

struct CacheKeyInput {
  std::string backend;   // "anthropic", "openai", "exec"
  std::string base_url;  // or the command for exec
  std::string model;
  std::string prompt;  // fully rendered
  std::optional<double> temperature;
  int max_tokens = 0;
  std::optional<int> thinking;
  std::string request_hex;
  int sample = 0;
};

std::string CacheKey(const CacheKeyInput& input);

class ResponseCache {
 public:
  // $XDG_CACHE_HOME/llmstack-replay, else ~/.cache/llmstack-replay.
  static std::string DefaultDirectory();
  explicit ResponseCache(std::string directory) : directory_(std::move(directory)) {}

  // The cached answer (text, reasoning, usage, latency), or null.
  std::optional<ModelAnswer> Get(const std::string& key) const;
  // Stores a successful answer. Errors: kIoError.
  Status Put(const std::string& key, const ModelAnswer& answer) const;

 private:
  std::string PathFor(const std::string& key) const;
  std::string directory_;
};

// Wraps a backend with the cache: hits are answered at once (from_cache), misses go to the
// backend and successful answers are stored.
class CachingBackend : public Backend {
 public:
  CachingBackend(std::unique_ptr<Backend> inner, ResponseCache cache)
      : inner_(std::move(inner)), cache_(std::move(cache)) {}
  std::string Spec() const override { return inner_->Spec(); }
  void Submit(ModelQuery query) override;
  std::vector<ModelAnswer> Collect(double timeout_s) override;
  size_t InFlight() const override { return inner_->InFlight() + hits_.size(); }
  void CancelAll() override {
    inner_->CancelAll();
    hits_.clear();
  }
  Backend* inner() { return inner_.get(); }
  // Problems writing the cache (the run goes on without it).
  const std::string& write_problem() const { return write_problem_; }

 private:
  std::unique_ptr<Backend> inner_;
  ResponseCache cache_;
  std::vector<ModelAnswer> hits_;
  std::map<uint64_t, std::string> keys_;
  std::string write_problem_;
};

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_RESPONSE_CACHE_H_
