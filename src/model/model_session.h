// Asking a backend about echo requests, shared by the main job and live mode: renders the
// prompt, computes the cache key, answers from the journal when resuming, enforces
// --max-cost, prices the usage, and appends every exchange to the journal.
#ifndef LLMSTACK_MODEL_MODEL_SESSION_H_
#define LLMSTACK_MODEL_MODEL_SESSION_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/secrets.h"
#include "model/backend_factory.h"
#include "model/journal.h"
#include "model/prices.h"
#include "model/prompt.h"
#include "model/response_cache.h"

namespace llmstack {

struct SessionOptions {
  BackendOptions backend;
  std::optional<std::string> prompt_path;
  std::optional<std::string> prices_path;
  std::optional<std::string> cache_dir;
  bool no_cache = false;
  // Opened by Open() (for live mode); the main job opens its run's journal itself (one for all
  // the cells of a matrix run) and attaches it with AttachJournal().
  std::optional<std::string> journal;
  bool resume = false;
  std::optional<double> max_cost;
};

// Limits of the option values (DESIGN §3).
inline constexpr double kMaxTimeoutS = 86400;  // --timeout, --max-wait
inline constexpr int kMaxConcurrency = 4096;   // -j
inline constexpr int kMaxRetries = 1000;       // --retries

// Checks every option value before anything is built: --timeout above 0 and finite, --max-wait
// 0 or more, -j from 1, --retries 0 or more, --max-tokens and --thinking from 1, each up to its
// limit; --temperature from 0 to 2; --max-cost a finite 0 or more (NaN and infinities refused).
// Errors: kInvalidArgument naming the option and the value (exit 2).
Status ValidateSessionOptions(const SessionOptions& options);

// Whether a base URL names this host (localhost, 127.0.0.0/8, ::1): a local server, which
// costs nothing.
bool IsLoopbackUrl(const std::string& url);

class ModelSession {
 public:
  // Builds the backend (or takes `prebuilt`, for tests that bring their own Backend), loads the
  // prompt, prices, cache and journal.
  // Errors: kInvalidArgument / kNotFound / kIoError with a message for the user (exit 2).
  static Result<std::unique_ptr<ModelSession>> Open(const SessionOptions& options,
                                                    BackendPlan* prebuilt = nullptr);

  const BackendPlan& plan() const { return plan_; }
  Backend& backend() { return *backend_; }
  bool is_reference() const { return plan_.kind == "reference"; }
  bool uses_cache() const { return caching_ != nullptr; }
  const PromptTemplate& prompt() const { return prompt_; }
  // This session's part of a journal's identity (cell name left empty).
  JournalIdentity::Cell IdentityCell() const;
  // Journals every exchange to `journal` (and, on --resume, answers from it), the lines
  // naming `cell` when it is set.
  void AttachJournal(std::shared_ptr<RunJournal> journal, std::optional<std::string> cell);
  // Non-fatal notes for the user (cost unknown with --max-cost, damaged journal lines, ...).
  const std::vector<std::string>& warnings() const { return warnings_; }

  // Whether one more query fits the budget, counting everything in flight (DESIGN §4).
  bool CanAfford() const;
  // Why CanAfford() says no, in one line: the budget, what was spent, what is in flight and
  // which estimate was used. Empty without --max-cost.
  std::string BudgetRefusal() const;
  double spent_usd() const { return spent_usd_; }
  // What the cells of a matrix run before this one spent: --max-cost is the whole run's budget.
  void CountEarlierSpend(double usd) { earlier_usd_ = usd; }

  // Asks about `request` (which must stay valid until its answer is collected).
  void Ask(uint64_t id, uint64_t index, int sample, const EchoPacket* request,
           const RequestAssessment& assessment);
  // Answers that finished: priced, journaled.
  std::vector<ModelAnswer> Collect(double timeout_s);
  size_t InFlight() const { return backend_->InFlight() + resumed_.size(); }
  // Stops everything in flight (Ctrl-C); unanswered queries are simply not journaled.
  void Cancel();
  void Sync();
  const std::string& cache_problem() const;

 private:
  ModelSession() : prompt_(PromptTemplate::Default()) {}
  // The cost counted for a request not answered yet: the costliest answer so far, else the
  // estimate made before the first.
  double PerQueryEstimate() const;

  SessionOptions options_;
  BackendPlan plan_;
  Backend* backend_ = nullptr;        // plan_.backend, or the caching wrapper
  std::unique_ptr<Backend> caching_;  // owns plan_.backend when caching
  PromptTemplate prompt_;
  std::optional<ModelPrice> price_;
  std::shared_ptr<RunJournal> journal_;
  std::optional<std::string> cell_;
  std::vector<ModelAnswer> resumed_;
  struct Asked {
    uint64_t index;
    int sample;
    std::string request_hex;
    std::string cache_key;
  };
  std::map<uint64_t, Asked> asked_;
  double spent_usd_ = 0;
  double earlier_usd_ = 0;  // by the cells run before this one
  double costliest_usd_ = 0;
  double first_estimate_usd_ = 0;
  std::vector<std::string> warnings_;
  SecretRedactor secrets_;
};

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_MODEL_SESSION_H_
