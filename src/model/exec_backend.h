// Attempts that run a command per query through the shell: the prompt on its stdin, the answer
// on its stdout (e.g. `claude -p`, `ollama run qwen2.5`). A non-zero exit or a timeout is a
// transient failure; the retrying layer decides what happens next.
#ifndef LLMSTACK_MODEL_EXEC_BACKEND_H_
#define LLMSTACK_MODEL_EXEC_BACKEND_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>

#include "model/prompt.h"
#include "model/retrying_backend.h"

namespace llmstack {

class ExecAttemptRunner : public AttemptRunner {
 public:
  ExecAttemptRunner(std::string command, const PromptTemplate* prompt, double timeout_s);
  ~ExecAttemptRunner() override;
  void Start(uint64_t id, const ModelQuery& query) override;
  std::vector<AttemptOutcome> Poll(double timeout_s) override;
  size_t Running() const override { return children_.size(); }
  void CancelAll() override;

 private:
  struct Child {
    pid_t pid = -1;
    int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
    std::string input;
    size_t written = 0;
    std::string out, err;
    std::chrono::steady_clock::time_point started;
    bool timed_out = false;
    bool too_large = false;
  };
  // Collects the exit of a child whose pipes are closed.
  AttemptOutcome Reap(uint64_t id, Child& c);

  std::string command_;
  const PromptTemplate* prompt_;
  double timeout_s_;
  std::map<uint64_t, Child> children_;
};

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_EXEC_BACKEND_H_
