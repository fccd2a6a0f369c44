// Attempts that run a command per query through the shell: the prompt on its stdin, the answer
// on its stdout (e.g. `claude -p`, `ollama run qwen2.5`). DESIGN §4: each command runs in its
// own process group, and at its timeout (or CancelAll, at Ctrl-C) the whole group is killed, so
// nothing it started outlives it: not a command that closed its stdout and lingers, nor a child
// that holds the pipe. A non-zero exit or a timeout is a transient failure; exit 126 or 127
// (cannot run / not found) and a shell that cannot be started are kUnavailable, final for the
// run. Running out of descriptors or processes (EMFILE, ENFILE, EAGAIN) when starting a command
// is no failure: the start waits and is tried again.
#ifndef LLMSTACK_MODEL_EXEC_BACKEND_H_
#define LLMSTACK_MODEL_EXEC_BACKEND_H_

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <map>
#include <optional>
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
  size_t Running() const override {
    return children_.size() + waiting_.size() + failed_to_start_.size();
  }
  void CancelAll() override;

  // How long output is still read after the command exited while something it started holds
  // its stdout or stderr open; then the group is killed and the answer is what was read.
  static constexpr double kGraceAfterExitS = 0.5;

 private:
  using Clock = std::chrono::steady_clock;
  struct Child {
    pid_t pid = -1;  // also the process group
    int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
    int exit_fd = -1;  // a pidfd, readable when the shell exits (-1: not available)
    std::string input;
    size_t written = 0;
    std::string out, err;
    Clock::time_point started;
    bool exited = false;  // the shell exited (not reaped yet: its group id stays reserved)
    Clock::time_point exited_at;
    bool timed_out = false;
    bool too_large = false;
  };
  struct Waiting {
    uint64_t id;
    std::string input;
  };
  // Starts a command. False when the system is out of descriptors or processes (try again
  // later; `input` is left as it was); otherwise the child is running with `input` moved to
  // it, or `*failure` says why it could not be started.
  bool TryStart(uint64_t id, std::string& input, std::optional<AttemptOutcome>* failure);
  // Whether the shell has exited, without reaping it.
  bool HasExited(const Child& c) const;
  // Kills what is left of the group, reaps the shell and says how the attempt went.
  AttemptOutcome Reap(uint64_t id, Child& c);

  std::string command_;
  const PromptTemplate* prompt_;
  double timeout_s_;
  std::map<uint64_t, Child> children_;
  std::deque<Waiting> waiting_;       // not started yet: out of descriptors or processes
  Clock::time_point next_start_try_;  // when to try the waiting ones again
  std::vector<AttemptOutcome> failed_to_start_;
};

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_EXEC_BACKEND_H_
