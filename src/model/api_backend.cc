#include "model/api_backend.h"

#include <ctime>

namespace llmstack {

ApiAttemptRunner::ApiAttemptRunner(ApiSettings settings, const PromptTemplate* prompt,
                                   const CurlLibrary& curl, int connections, double timeout_s,
                                   size_t max_response_bytes)
    : settings_(std::move(settings)),
      prompt_(prompt),
      transport_(curl, connections, std::min(10.0, timeout_s), timeout_s, max_response_bytes) {}

void ApiAttemptRunner::Start(uint64_t id, const ModelQuery& query) {
  started_[id] = std::chrono::steady_clock::now();
  transport_.Start(id, BuildApiRequest(settings_, prompt_->Render(*query.request)));
}

std::vector<AttemptOutcome> ApiAttemptRunner::Poll(double timeout_s) {
  std::vector<AttemptOutcome> out;
  for (HttpResponse& r : transport_.Poll(timeout_s)) {
    AttemptOutcome o;
    o.id = r.tag;
    auto started = started_.find(r.tag);
    if (started != started_.end()) {
      o.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                                started->second)
                          .count();
      started_.erase(started);
    }
    o.status = static_cast<int>(r.status);
    if (r.transport_error != 0) {
      o.kind = IsTransientTransportError(r.transport_error) ? AttemptKind::kTransient
                                                            : AttemptKind::kFatal;
      o.status = 0;
      o.unreachable = r.transport_error == CURLE_COULDNT_CONNECT ||
                      r.transport_error == CURLE_COULDNT_RESOLVE_HOST;
      o.error = r.error;
      out.push_back(std::move(o));
      continue;
    }
    o.kind = ClassifyHttpStatus(r.status, r.headers, r.body);
    o.retry_after_s = RetryAfterSeconds(r.headers, std::time(nullptr));
    if (o.kind != AttemptKind::kAnswer) {
      o.error = "HTTP " + std::to_string(r.status) + ": " + ApiErrorMessage(r.body);
      out.push_back(std::move(o));
      continue;
    }
    Result<ParsedAnswer> parsed = ParseApiResponse(settings_.kind, r.body);
    if (!parsed.ok()) {
      // A broken answer from a server that usually answers well is worth another try.
      o.kind = AttemptKind::kTransient;
      o.error = "HTTP 200 with " + parsed.status().message();
      out.push_back(std::move(o));
      continue;
    }
    o.answer.text = std::move(parsed->text);
    o.answer.reasoning = std::move(parsed->reasoning);
    o.answer.usage = parsed->usage;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace llmstack
