#include "model/sanitizing_backend.h"

#include "base/text_escape.h"

namespace llmstack {

void SanitizeAnswer(const SecretRedactor& secrets, ModelAnswer* a) {
  a->text = secrets.Redact(ValidUtf8(a->text));
  a->reasoning = secrets.Redact(ValidUtf8(a->reasoning));
  if (!a->status.ok()) {
    a->status = Status(a->status.code(), EscapeControls(secrets.Redact(a->status.message())));
  }
  a->why_error = EscapeControls(a->why_error);
  for (Attempt& t : a->attempts) t.error = EscapeControls(secrets.Redact(t.error));
}

std::vector<ModelAnswer> SanitizingBackend::Collect(double timeout_s) {
  std::vector<ModelAnswer> answers = inner_->Collect(timeout_s);
  for (ModelAnswer& a : answers) SanitizeAnswer(secrets_, &a);
  return answers;
}

}  // namespace llmstack
