// A Backend that runs queries as attempts and retries the transient failures: bounded retries
// per query and for the run, `retry-after` honoured up to --max-wait, exponential backoff with
// jitter otherwise, a pause for everyone after a 429, and a stop for the whole run on an
// authentication failure, a spend limit, a command that cannot be run (exec 126/127), or a
// server that refuses connections before any request of the run reached it. While it waits
// (for a retry, or for answers) it sleeps: in the runner's poll, or on the clock when nothing
// runs (DESIGN §4). The attempts themselves (an HTTP request, a command) come from an
// AttemptRunner.
#ifndef LLMSTACK_MODEL_RETRYING_BACKEND_H_
#define LLMSTACK_MODEL_RETRYING_BACKEND_H_

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "model/backend.h"
#include "model/retry_policy.h"

namespace llmstack {

struct AttemptOutcome {
  uint64_t id = 0;
  AttemptKind kind = AttemptKind::kAnswer;
  ModelAnswer answer;  // for kAnswer: text, reasoning, usage
  int status = 0;      // HTTP status, exit status, or 0
  std::string error;   // what went wrong
  std::optional<double> retry_after_s;
  double duration_ms = 0;
  bool unreachable = false;  // no connection could be made (refused, no such host)
};

class AttemptRunner {
 public:
  virtual ~AttemptRunner() = default;
  virtual void Start(uint64_t id, const ModelQuery& query) = 0;
  // Waits up to `timeout_s` and returns the attempts that finished.
  virtual std::vector<AttemptOutcome> Poll(double timeout_s) = 0;
  virtual size_t Running() const = 0;
  virtual void CancelAll() = 0;
};

struct RetrySettings {
  int per_query = 8;        // retries per query
  int total = 100;          // retries for the whole run
  double max_wait_s = 120;  // longest retry-after honoured
  bool warm_first = false;  // run one query alone before fanning out (prompt cache warm-up)
  // Retries of a query whose connection was refused, before any attempt of the run reached
  // the server; past them the run stops ("unavailable").
  int unreachable_retries = 3;
};

class RetryingBackend : public Backend {
 public:
  RetryingBackend(std::string spec, std::unique_ptr<AttemptRunner> runner, RetrySettings settings);
  std::string Spec() const override { return spec_; }
  void Submit(ModelQuery query) override;
  std::vector<ModelAnswer> Collect(double timeout_s) override;
  size_t InFlight() const override { return queries_.size(); }

  void CancelAll() override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    ModelQuery query;
    std::vector<Attempt> attempts;
    std::optional<Clock::time_point> retry_at;  // waiting to retry
    bool running = false;
  };

  void StartAttempt(Pending& p);
  void Finish(uint64_t id, ModelAnswer answer, std::vector<ModelAnswer>* out);
  void StopAll(const std::string& why_error, const std::string& message,
               std::vector<ModelAnswer>* out);

  std::string spec_;
  std::unique_ptr<AttemptRunner> runner_;
  RetrySettings settings_;
  std::map<uint64_t, Pending> queries_;
  std::deque<uint64_t> waiting_to_start_;  // held back until the first answer (warm-up)
  bool first_answered_ = false;
  bool reached_ = false;          // some attempt got an answer or an HTTP status from the server
  int unreachable_failures_ = 0;  // attempts that could not connect, before `reached_`
  int retries_used_ = 0;
  std::optional<Clock::time_point> pause_until_;  // after a 429, nobody starts before this
  std::optional<std::pair<std::string, std::string>> stopped_;  // why_error, message
  std::vector<ModelAnswer> immediate_;
  std::mt19937 random_{12345};
};

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_RETRYING_BACKEND_H_
