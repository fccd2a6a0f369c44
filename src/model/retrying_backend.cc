#include "model/retrying_backend.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace llmstack {

RetryingBackend::RetryingBackend(std::string spec, std::unique_ptr<AttemptRunner> runner,
                                 RetrySettings settings)
    : spec_(std::move(spec)), runner_(std::move(runner)), settings_(settings) {}

void RetryingBackend::Submit(ModelQuery query) {
  uint64_t id = query.id;
  if (stopped_) {
    ModelAnswer a;
    a.id = id;
    a.status = Status(StatusCode::kBackend, stopped_->second);
    a.why_error = stopped_->first;
    immediate_.push_back(std::move(a));
    return;
  }
  Pending& p = queries_[id];
  p.query = std::move(query);
  bool hold = settings_.warm_first && !first_answered_ && runner_->Running() > 0;
  if (hold || pause_until_) {
    waiting_to_start_.push_back(id);
  } else {
    StartAttempt(p);
  }
}

void RetryingBackend::StartAttempt(Pending& p) {
  p.running = true;
  p.retry_at.reset();
  runner_->Start(p.query.id, p.query);
}

void RetryingBackend::Finish(uint64_t id, ModelAnswer answer, std::vector<ModelAnswer>* out) {
  auto it = queries_.find(id);
  if (it == queries_.end()) return;
  answer.id = id;
  answer.attempts = std::move(it->second.attempts);
  first_answered_ = true;
  queries_.erase(it);
  out->push_back(std::move(answer));
}

void RetryingBackend::StopAll(const std::string& why_error, const std::string& message,
                              std::vector<ModelAnswer>* out) {
  stopped_ = {why_error, message};
  runner_->CancelAll();
  std::vector<uint64_t> ids;
  for (const auto& [id, p] : queries_) ids.push_back(id);
  for (uint64_t id : ids) {
    ModelAnswer a;
    a.status = Status(StatusCode::kBackend, message);
    a.why_error = why_error;
    Finish(id, std::move(a), out);
  }
  waiting_to_start_.clear();
}

void RetryingBackend::CancelAll() {
  runner_->CancelAll();
  queries_.clear();
  waiting_to_start_.clear();
}

std::vector<ModelAnswer> RetryingBackend::Collect(double timeout_s) {
  std::vector<ModelAnswer> out = std::move(immediate_);
  immediate_.clear();
  auto now = Clock::now();
  // Wake up in time for the next retry or the end of a pause.
  double wait = timeout_s;
  for (const auto& [id, p] : queries_) {
    if (p.retry_at) wait = std::min(wait, std::chrono::duration<double>(*p.retry_at - now).count());
  }
  if (pause_until_)
    wait = std::min(wait, std::chrono::duration<double>(*pause_until_ - now).count());
  wait = std::max(wait, 0.0);
  if (!out.empty()) wait = 0;

  std::vector<AttemptOutcome> outcomes;
  if (runner_->Running() > 0) {
    outcomes = runner_->Poll(wait);
  } else if (!queries_.empty() && wait > 0) {
    // Everything waits for a retry or for a pause to end: sleep until then, using no CPU.
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
  }
  for (AttemptOutcome& o : outcomes) {
    auto it = queries_.find(o.id);
    if (it == queries_.end()) continue;
    Pending& p = it->second;
    p.running = false;
    Attempt attempt;
    attempt.status = o.status;
    attempt.error = o.error;
    attempt.duration_ms = o.duration_ms;
    p.attempts.push_back(attempt);
    if (o.kind == AttemptKind::kAnswer || o.status != 0) reached_ = true;
    if (o.kind == AttemptKind::kAnswer) {
      first_answered_ = true;
      o.answer.latency_ms = o.duration_ms;
      Finish(o.id, std::move(o.answer), &out);
      continue;
    }
    if (o.kind == AttemptKind::kAuth) {
      StopAll("auth",
              "authentication or permission refused (HTTP " + std::to_string(o.status) +
                  "): " + o.error,
              &out);
      break;
    }
    if (o.kind == AttemptKind::kSpendLimit) {
      StopAll("budget", "the account's spend limit or quota is reached: " + o.error, &out);
      break;
    }
    if (o.kind == AttemptKind::kUnavailable) {
      StopAll("unavailable", spec_ + ": " + o.error, &out);
      break;
    }
    int retries_taken = static_cast<int>(p.attempts.size()) - 1;
    if (o.unreachable && !reached_ && ++unreachable_failures_ > settings_.unreachable_retries) {
      // Nothing of the run has reached the server: it is not there. Counted over the whole run
      // (the requests in flight at the start fail together), said once, for all.
      StopAll("unavailable",
              "cannot connect to the server after " + std::to_string(unreachable_failures_) +
                  " tries: " + o.error,
              &out);
      break;
    }
    if (o.kind == AttemptKind::kFatal) {
      ModelAnswer a;
      a.status = Status(StatusCode::kBackend, o.error);
      a.why_error = "backend";
      Finish(o.id, std::move(a), &out);
      continue;
    }
    // Transient.
    if (o.retry_after_s && *o.retry_after_s > settings_.max_wait_s) {
      ModelAnswer a;
      a.status = Status(StatusCode::kBackend, o.error + "; the server asked to wait " +
                                                  std::to_string(std::lround(*o.retry_after_s)) +
                                                  " s, more than --max-wait");
      a.why_error = "backend";
      Finish(o.id, std::move(a), &out);
      continue;
    }
    if (retries_taken >= settings_.per_query || retries_used_ >= settings_.total) {
      ModelAnswer a;
      a.status =
          Status(StatusCode::kBackend, "retries spent after " + std::to_string(p.attempts.size()) +
                                           " attempts; last: " + o.error);
      a.why_error = "backend";
      Finish(o.id, std::move(a), &out);
      continue;
    }
    ++retries_used_;
    double delay =
        o.retry_after_s
            ? *o.retry_after_s
            : BackoffSeconds(retries_taken, std::uniform_real_distribution<double>(0, 1)(random_));
    p.attempts.back().wait_s = delay;
    auto at = Clock::now() +
              std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(delay));
    p.retry_at = at;
    if (o.status == 429 && o.retry_after_s) {
      // Rate limited: everybody waits, not just this query.
      if (!pause_until_ || *pause_until_ < at) pause_until_ = at;
    }
  }

  now = Clock::now();
  if (pause_until_ && now >= *pause_until_) pause_until_.reset();
  if (!pause_until_) {
    for (auto& [id, p] : queries_) {
      if (!p.running && p.retry_at && now >= *p.retry_at) StartAttempt(p);
    }
    bool may_fan_out = !settings_.warm_first || first_answered_ || runner_->Running() == 0;
    while (!waiting_to_start_.empty() && (may_fan_out || runner_->Running() == 0)) {
      uint64_t id = waiting_to_start_.front();
      waiting_to_start_.pop_front();
      auto it = queries_.find(id);
      if (it != queries_.end() && !it->second.running) StartAttempt(it->second);
      may_fan_out = !settings_.warm_first || first_answered_;
    }
  }
  return out;
}

}  // namespace llmstack
