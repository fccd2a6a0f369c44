// Where a backend's text enters the session (DESIGN §4, "Secrets" and "hostile inputs"): every
// answer, reasoning, error message and attempt error of every backend (an API server, an
// `exec:` command's stdout and stderr, a journal, the cache) passes through SanitizeAnswer, so
// every sink (terminal, journal, cache, reports, captures) gets text that holds no secret,
// is valid UTF-8, and whose one-line messages cannot drive a terminal.
#ifndef LLMSTACK_MODEL_SANITIZING_BACKEND_H_
#define LLMSTACK_MODEL_SANITIZING_BACKEND_H_

#include <memory>
#include <string>
#include <vector>

#include "base/secrets.h"
#include "model/backend.h"

namespace llmstack {

// Text and reasoning: secrets redacted, invalid UTF-8 replaced by U+FFFD (the text is kept
// otherwise as the model wrote it: the reports escape it for their formats). The error message
// and every attempt's error: secrets redacted and control characters escaped
// (EscapeControls), as they are printed on the terminal as they are.
void SanitizeAnswer(const SecretRedactor& secrets, ModelAnswer* answer);

// Wraps a backend so that each answer it gives is sanitized before anything else sees it.
class SanitizingBackend : public Backend {
 public:
  SanitizingBackend(std::unique_ptr<Backend> inner, SecretRedactor secrets)
      : inner_(std::move(inner)), secrets_(std::move(secrets)) {}
  std::string Spec() const override { return inner_->Spec(); }
  bool IsReference() const override { return inner_->IsReference(); }
  void Submit(ModelQuery query) override { inner_->Submit(std::move(query)); }
  std::vector<ModelAnswer> Collect(double timeout_s) override;
  size_t InFlight() const override { return inner_->InFlight(); }
  void CancelAll() override { inner_->CancelAll(); }

 private:
  std::unique_ptr<Backend> inner_;
  SecretRedactor secrets_;
};

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_SANITIZING_BACKEND_H_
