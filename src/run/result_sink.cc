#include "run/result_sink.h"

#include <algorithm>

#include "audit/checksum_audit.h"

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

  if (samples_ > 1 && assessment.expectation == ReplyExpectation::kRequired &&
      verdict != Verdict::kTruncated && verdict != Verdict::kError) {
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
    std::fprintf(out_, "%s\n", text.c_str());
    std::fflush(out_);
  }

  if (keep_results_) {
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
    results_.push_back(std::move(r));
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
}

std::vector<PacketResult> ResultSink::TakeResults() {
  std::stable_sort(results_.begin(), results_.end(),
                   [](const PacketResult& a, const PacketResult& b) {
                     return a.index != b.index ? a.index < b.index : a.sample < b.sample;
                   });
  return std::move(results_);
}

}  // namespace llmstack
