// Attempts against an HTTP model API (Anthropic Messages or OpenAI Chat Completions).
#ifndef LLMSTACK_MODEL_API_BACKEND_H_
#define LLMSTACK_MODEL_API_BACKEND_H_

#include <chrono>
#include <map>
#include <memory>

#include "model/api_wire.h"
#include "model/http_transport.h"
#include "model/prompt.h"
#include "model/retrying_backend.h"

namespace llmstack {

class ApiAttemptRunner : public AttemptRunner {
 public:
  // `prompt` renders each query's packet; `connections` bounds the connection pool.
  ApiAttemptRunner(ApiSettings settings, const PromptTemplate* prompt, const CurlLibrary& curl,
                   int connections, double timeout_s, size_t max_response_bytes);
  void Start(uint64_t id, const ModelQuery& query) override;
  std::vector<AttemptOutcome> Poll(double timeout_s) override;
  size_t Running() const override { return transport_.Running(); }
  void CancelAll() override { transport_.CancelAll(); }

 private:
  ApiSettings settings_;
  const PromptTemplate* prompt_;
  HttpTransport transport_;
  std::map<uint64_t, std::chrono::steady_clock::time_point> started_;
};

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_API_BACKEND_H_
