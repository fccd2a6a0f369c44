// `replay:JOURNAL`: answers from an earlier run's journal, with no network, to regrade under
// new rules or another profile. A request or sample the journal lacks is an error
// ("replay-missing").
#ifndef LLMSTACK_MODEL_JOURNAL_BACKEND_H_
#define LLMSTACK_MODEL_JOURNAL_BACKEND_H_

#include <map>
#include <utility>

#include "model/backend.h"
#include "model/journal.h"

namespace llmstack {

class JournalBackend : public Backend {
 public:
  // Errors: those of ReadJournal.
  static Result<std::unique_ptr<Backend>> Open(const std::string& path);
  std::string Spec() const override { return "replay:" + path_; }
  void Submit(ModelQuery query) override;
  std::vector<ModelAnswer> Collect(double timeout_s) override;
  size_t InFlight() const override { return ready_.size(); }
  // The model the journal's answers came from.
  const std::string& recorded_backend() const { return recorded_backend_; }

 private:
  std::string path_;
  std::string recorded_backend_;
  std::map<std::pair<std::string, int>, ModelAnswer> answers_;  // (request hex, sample)
  std::vector<ModelAnswer> ready_;
};

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_JOURNAL_BACKEND_H_
