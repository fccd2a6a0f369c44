// What a model's answer means for grading, the same for the main job and live mode: the reply
// bytes read from its text (model/extract.h), or no reply, or unparseable text, or a backend
// failure; with its usage, attempts and how the reply was read.
#ifndef LLMSTACK_RUN_ANSWER_H_
#define LLMSTACK_RUN_ANSWER_H_

#include <optional>

#include "base/bytes.h"
#include "model/backend.h"
#include "report/run_results.h"
#include "run/result_sink.h"

namespace llmstack {

struct InterpretedAnswer {
  std::optional<Bytes> reply;  // none: no reply given (or none could be read)
  ReplyMeta meta;
};

// `keep_text`: the model's text goes into the reports (not for the reference stack, whose
// answers are bytes). `latency_ms` is the reply's latency as the caller measures it.
InterpretedAnswer InterpretAnswer(ModelAnswer answer, const EchoPacket& request, int sample,
                                  bool keep_text, double latency_ms);

// Counts an answer's requests and retries into the run's summary.
void CountAttempts(const ModelAnswer& answer, RunSummary* summary);
// Counts where an answer came from: asked now, or (on --resume) the journal, whose usage it
// adds to the run's (the sink counts that of answers asked now).
void CountOrigin(const ModelAnswer& answer, RunSummary* summary);

}  // namespace llmstack

#endif  // LLMSTACK_RUN_ANSWER_H_
