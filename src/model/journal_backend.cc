#include "model/journal_backend.h"

namespace llmstack {

Result<std::unique_ptr<Backend>> JournalBackend::Open(const std::string& path) {
  Result<JournalContents> contents = ReadJournal(path);
  if (!contents.ok()) return contents.status();
  auto backend = std::make_unique<JournalBackend>();
  backend->path_ = path;
  for (JournalEntry& e : contents->entries) {
    if (!e.answer.status.ok()) continue;  // errors are not answers; the last answer wins
    backend->recorded_backend_ = e.backend;
    backend->answers_[{e.request_hex, e.sample}] = std::move(e.answer);
  }
  return std::unique_ptr<Backend>(std::move(backend));
}

void JournalBackend::Submit(ModelQuery query) {
  ModelAnswer a;
  auto it = answers_.find({query.request_hex, query.sample});
  if (it == answers_.end()) {
    a.status = Status(StatusCode::kBackend, "the journal " + path_ +
                                                " has no answer for this request (sample " +
                                                std::to_string(query.sample + 1) + ")");
    a.why_error = "replay-missing";
  } else {
    a = it->second;
    a.attempts.clear();
    a.from_cache = true;
    a.usage.cost_usd = 0;  // replaying costs nothing
  }
  a.id = query.id;
  ready_.push_back(std::move(a));
}

std::vector<ModelAnswer> JournalBackend::Collect(double) {
  std::vector<ModelAnswer> out = std::move(ready_);
  ready_.clear();
  return out;
}

}  // namespace llmstack
