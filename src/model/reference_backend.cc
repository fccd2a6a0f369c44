#include "model/reference_backend.h"

#include <chrono>

namespace llmstack {

std::string ReferenceBackend::Spec() const {
  return std::string("reference:") + ProfileName(profile_);
}

void ReferenceBackend::Submit(ModelQuery query) {
  auto start = std::chrono::steady_clock::now();
  ModelAnswer answer;
  answer.id = query.id;
  // Silent where a correct stack is silent; optional replies (IPv6 multicast) are not sent
  // because the unicast source a host would choose cannot be known here.
  if (query.assessment.expectation != ReplyExpectation::kRequired) {
    answer.no_reply = true;
    answer.text = "NO REPLY";
  } else {
    Result<Bytes> reply = BuildReferenceReply(*query.request, profile_);
    if (reply.ok()) {
      answer.text = HexEncode(*reply);
      answer.reply = std::move(*reply);
    } else {
      answer.no_reply = true;
      answer.text = "NO REPLY (" + reply.status().message() + ")";
    }
  }
  answer.latency_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  done_.push_back(std::move(answer));
}

std::vector<ModelAnswer> ReferenceBackend::Collect(double) {
  std::vector<ModelAnswer> out(std::make_move_iterator(done_.begin()),
                               std::make_move_iterator(done_.end()));
  done_.clear();
  return out;
}

}  // namespace llmstack
