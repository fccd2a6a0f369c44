#include "run/answer.h"

#include "model/extract.h"

namespace llmstack {

InterpretedAnswer InterpretAnswer(ModelAnswer answer, const EchoPacket& request, int sample,
                                  bool keep_text, double latency_ms) {
  InterpretedAnswer out;
  ReplyMeta& meta = out.meta;
  meta.sample = sample;
  meta.usage = answer.usage;
  meta.attempts = static_cast<int>(answer.attempts.size());
  meta.from_cache = answer.from_cache;
  if (keep_text) meta.model_output = answer.text;
  if (!answer.reasoning.empty()) meta.model_reasoning = answer.reasoning;
  if (!answer.status.ok()) {
    meta.verdict_override = Verdict::kError;
    meta.why_error = answer.why_error.empty() ? "backend" : answer.why_error;
    meta.error_message = answer.status.message();
    return out;
  }
  meta.rtt_ms = latency_ms;
  if (answer.reply) {
    out.reply = std::move(answer.reply);  // the reference stack answers with bytes
  } else if (!answer.no_reply) {
    ExtractedReply extracted = ExtractReply(answer.text, request);
    meta.extraction = extracted.how;
    if (extracted.kind == ExtractedReply::Kind::kPacket) {
      out.reply = std::move(extracted.packet);
    } else if (extracted.kind == ExtractedReply::Kind::kUnparseable) {
      meta.verdict_override = Verdict::kUnparseable;
      meta.error_message = extracted.why;
    }
  }
  return out;
}

void CountAttempts(const ModelAnswer& answer, RunSummary* summary) {
  summary->model_requests += answer.attempts.size();
  if (answer.attempts.size() > 1) summary->retries += answer.attempts.size() - 1;
}

void CountOrigin(const ModelAnswer& answer, RunSummary* summary) {
  if (answer.from_journal) {
    ++summary->from_journal;
    // A resumed run counts the whole run (DESIGN section 4): the tokens and cost spent when the
    // journal was written (nothing for what was a cache hit then) count in the run's usage,
    // and apart as the journal's share.
    if (!answer.journaled_from_cache) {
      summary->journal_usage.Add(answer.usage);
      summary->usage.Add(answer.usage);
    }
  } else if (!answer.from_cache) {
    ++summary->asked_now;
  }
}

}  // namespace llmstack
