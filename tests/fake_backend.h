// An in-process Backend for tests of the loops (run/, live/): answers are scripted per request
// and arrive on a FakeClock, so retries, latency, budget, ordering and interruption are driven
// without processes, sockets or sleeping.
#ifndef LLMSTACK_TESTS_FAKE_BACKEND_H_
#define LLMSTACK_TESTS_FAKE_BACKEND_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "grade/responder.h"
#include "model/backend.h"
#include "model/backend_factory.h"

namespace llmstack::testing {

// What the fake answers to one query.
struct FakeAnswer {
  double latency_s = 1.0;
  std::string text;       // the model's text; empty: the correct reply as hex
  bool fail = false;      // a backend failure (why_error "backend")
  std::string why_error;  // "auth", "budget", ... for a failure
  int attempts = 1;       // attempts it took (retries = attempts - 1)
  int64_t input_tokens = 1000;
  int64_t output_tokens = 500;
};

class FakeBackend : public Backend {
 public:
  // `script` decides each answer from the query (index and sample).
  FakeBackend(FakeClock* clock, std::function<FakeAnswer(const ModelQuery&)> script,
              std::string spec = "anthropic:claude-haiku-4-5")
      : clock_(clock), script_(std::move(script)), spec_(std::move(spec)) {}

  std::string Spec() const override { return spec_; }
  void Submit(ModelQuery query) override {
    FakeAnswer a = script_(query);
    Pending p;
    p.due = clock_->Now() + a.latency_s;
    p.answer.id = query.id;
    p.answer.latency_ms = a.latency_s * 1000;
    if (a.fail) {
      p.answer.status = IoError("the fake backend failed");
      p.answer.why_error = a.why_error.empty() ? "backend" : a.why_error;
    } else if (a.text.empty()) {
      Result<Bytes> reply = BuildReferenceReply(*query.request, Profile::kRfc);
      p.answer.text = reply.ok() ? "```\n" + HexEncode(*reply) + "\n```" : "NO REPLY";
    } else {
      p.answer.text = a.text;
    }
    p.answer.usage.input_tokens = a.input_tokens;
    p.answer.usage.output_tokens = a.output_tokens;
    p.answer.attempts.resize(static_cast<size_t>(std::max(1, a.attempts)));
    submitted_.push_back(query.index * 1000 + static_cast<uint64_t>(query.sample));
    max_in_flight_ = std::max(max_in_flight_, pending_.size() + 1);
    pending_.emplace(p.due, std::move(p));
  }
  std::vector<ModelAnswer> Collect(double timeout_s) override {
    std::vector<ModelAnswer> out;
    if (!pending_.empty() && pending_.begin()->first > clock_->Now()) {
      // Nothing due yet: wait (on the fake clock) for the first, at most `timeout_s`.
      clock_->Sleep(std::min(timeout_s, pending_.begin()->first - clock_->Now()));
    }
    while (!pending_.empty() && pending_.begin()->first <= clock_->Now() + 1e-9) {
      out.push_back(std::move(pending_.begin()->second.answer));
      pending_.erase(pending_.begin());
    }
    return out;
  }
  size_t InFlight() const override { return pending_.size(); }
  void CancelAll() override {
    cancelled_ += pending_.size();
    pending_.clear();
  }

  // index * 1000 + sample of every query, in the order submitted.
  const std::vector<uint64_t>& submitted() const { return submitted_; }
  size_t max_in_flight() const { return max_in_flight_; }
  size_t cancelled() const { return cancelled_; }

  // A BackendPlan around a FakeBackend, for ModelSession::Open(options, &plan).
  static BackendPlan Plan(std::unique_ptr<FakeBackend> backend) {
    BackendPlan plan;
    plan.spec = backend->Spec();
    plan.kind = plan.spec.substr(0, plan.spec.find(':'));
    plan.model = plan.spec.substr(plan.spec.find(':') + 1);
    plan.uses_prompt = true;
    plan.backend = std::move(backend);
    return plan;
  }

 private:
  struct Pending {
    double due = 0;
    ModelAnswer answer;
  };
  FakeClock* clock_;
  std::function<FakeAnswer(const ModelQuery&)> script_;
  std::string spec_;
  std::multimap<double, Pending> pending_;
  std::vector<uint64_t> submitted_;
  size_t max_in_flight_ = 0;
  size_t cancelled_ = 0;
};

}  // namespace llmstack::testing

#endif  // LLMSTACK_TESTS_FAKE_BACKEND_H_
