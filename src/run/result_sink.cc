#include "run/result_sink.h"

#include <algorithm>

#include "audit/checksum_audit.h"
#include "report/statistics.h"

namespace llmstack {

ResultSink::ResultSink(FILE* out, bool print_lines, bool keep_results, int samples)
    : out_(out), print_lines_(print_lines), keep_results_(keep_results), samples_(samples) {
  summary_.samples = samples;
}

Verdict ResultSink::Record(const EchoPacket& request, const RequestAssessment& assessment,
                           uint64_t index, const ByteView* reply, const ReplyMeta& meta,
                           Profile profile) {
  Verdict verdict;
  const ReplyGrade* grade = nullptr;
  if (meta.verdict_override) {
    verdict = *meta.verdict_override;
    grade_.fields.clear();
    // A model that wrote no packet for a request that must not be answered stayed silent.
    if (verdict == Verdict::kUnparseable && assessment.expectation != ReplyExpectation::kRequired) {
      verdict = Verdict::kSilentOk;
    }
  } else {
    GradeReply(request, assessment, reply, profile, &grade_);
    verdict = grade_.verdict;
    grade = &grade_;
  }
  grade_.verdict = verdict;
  summary_.Add(verdict, grade, reply ? meta.rtt_ms : std::nullopt);
  // Tokens and cost count what this run used: a cache hit used nothing.
  if (meta.from_cache) {
    ++summary_.cache_hits;
  } else {
    summary_.usage.Add(meta.usage);
  }

  const bool graded = assessment.expectation == ReplyExpectation::kRequired &&
                      verdict != Verdict::kTruncated && verdict != Verdict::kError;
  if (graded) {
    // Options: IPv4 options (a header past 20 bytes) or IPv6 extension headers (past 40).
    const size_t plain_header = request.family == IpFamily::kIpv4 ? 20 : 40;
    const size_t message = request.message().size();
    summary_.AddGraded(verdict == Verdict::kCorrect, request.family,
                       request.header_length > plain_header, message > 8 ? message - 8 : 0);
  }
  if (verdict == Verdict::kError) {
    summary_.AddErrorReason((meta.why_error.empty() ? std::string("backend") : meta.why_error) +
                            (meta.error_message.empty() ? "" : ": " + meta.error_message));
  }
  if (samples_ > 1 && graded) {
    if (sample_tally_.size() <= index) sample_tally_.resize(index + 1, {0, 0});
    sample_tally_[index].first += verdict == Verdict::kCorrect;
    sample_tally_[index].second += 1;
  }

  if (print_lines_ && meta.print_line) {
    ResultLine line;
    line.request = &request;
    line.assessment = &assessment;
    line.reply = reply;
    line.grade = &grade_;
    line.verdict = verdict;
    line.time_ms = meta.rtt_ms;
    line.sample = meta.sample;
    line.samples = samples_;
    line.error = meta.error_message;
    std::string text = FormatResultLine(line);
    if (before_print_) before_print_();
    std::fprintf(out_, "%s%s\n", line_prefix_.c_str(), text.c_str());
    std::fflush(out_);
  }

  if (keep_results_ || reports_) {
    PacketResult r;
    DescribeRequest(request, assessment, index, &r);
    r.sample = meta.sample;
    r.has_reply = reply != nullptr;
    if (reply) r.reply_hex = HexEncode(*reply);
    r.reply_frame = meta.reply_frame;
    r.rtt_ms = meta.rtt_ms;
    r.model_output = meta.model_output;
    r.model_reasoning = meta.model_reasoning;
    r.extraction = meta.extraction;
    if (meta.model_output || meta.model_reasoning) {
      r.audit = AuditModelAnswer(request, profile, reply, meta.model_output.value_or(""),
                                 meta.model_reasoning.value_or(""));
    }
    r.verdict = verdict;
    r.why_error = meta.why_error;
    r.error_message = meta.error_message;
    if (grade) r.fields = RenderFields(*grade, request.datagram, reply ? *reply : ByteView());
    if (assessment.expectation == ReplyExpectation::kRequired && !assessment.truncated) {
      Result<Bytes> expected = BuildReferenceReply(request, profile);
      if (expected.ok()) r.expected_hex = HexEncode(*expected);
    }
    r.usage = meta.usage;
    r.attempts = meta.attempts;
    r.from_cache = meta.from_cache;
    const uint64_t position =
        index * static_cast<uint64_t>(std::max(1, samples_)) + static_cast<uint64_t>(meta.sample);
    last_handle_ = position;
    Waiting& w = waiting_[position];
    w.result = std::move(r);
    w.final = final_when_recorded_;
    // A request the capture cut short gets one result, not one per sample: the positions of
    // the others are passed over.
    if (verdict == Verdict::kTruncated) {
      for (int sample = meta.sample + 1; sample < samples_; ++sample) {
        waiting_[position + static_cast<uint64_t>(sample - meta.sample)].final = true;
        waiting_[position + static_cast<uint64_t>(sample - meta.sample)].skip = true;
      }
    }
    if (w.final) PassReady();
  }
  return verdict;
}

void ResultSink::FinishSamples() {
  if (samples_ <= 1) return;
  uint64_t graded = 0, any = 0, all = 0;
  for (const auto& [correct, count] : sample_tally_) {
    if (count == 0) continue;
    ++graded;
    any += correct > 0;
    all += correct == count && count == samples_;
  }
  summary_.pass_at_k = graded ? static_cast<double>(any) / graded : 0;
  summary_.pass_all_k = graded ? static_cast<double>(all) / graded : 0;
  // The unbiased estimators for every k, averaged over the requests with at least k graded
  // samples (an error leaves fewer).
  summary_.pass_at.assign(static_cast<size_t>(samples_), 0);
  summary_.pass_hat.assign(static_cast<size_t>(samples_), 0);
  for (int k = 1; k <= samples_; ++k) {
    double at = 0, hat = 0;
    uint64_t requests = 0;
    for (const auto& [correct, count] : sample_tally_) {
      if (count < k) continue;
      ++requests;
      at += PassAtK(count, correct, k);
      hat += PassHatK(count, correct, k);
    }
    summary_.pass_at[k - 1] = requests ? at / requests : 0;
    summary_.pass_hat[k - 1] = requests ? hat / requests : 0;
  }
}

void ResultSink::Release(Handle handle, std::optional<uint64_t> reply_frame) {
  auto it = waiting_.find(handle);
  if (it == waiting_.end()) return;
  it->second.result.reply_frame = reply_frame;
  it->second.final = true;
  if (handle == next_position_) PassReady();
}

void ResultSink::Pass(PacketResult&& result) {
  if (reports_) {
    // A spool that cannot be written is reported when the reports are finished.
    (void)reports_->Add(result);
  } else {
    results_.push_back(std::move(result));
  }
}

void ResultSink::PassReady() {
  while (!waiting_.empty()) {
    auto first = waiting_.begin();
    if (first->first != next_position_ || !first->second.final) return;
    if (!first->second.skip) Pass(std::move(first->second.result));
    waiting_.erase(first);
    ++next_position_;
  }
}

void ResultSink::FlushResults() {
  // What is left waits behind a gap (a request the run never finished) or was never released.
  for (auto& [position, w] : waiting_) {
    if (!w.skip) Pass(std::move(w.result));
  }
  waiting_.clear();
}

std::vector<PacketResult> ResultSink::TakeResults() {
  FlushResults();
  return std::move(results_);
}

}  // namespace llmstack
