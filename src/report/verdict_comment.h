// The one-line verdict carried by each reply in a pcapng output (opt_comment): "ok", or
// "WRONG" followed by each failing field with got / should-be and the mistake's name, so that
// `tshark -Y 'frame.comment contains "WRONG"'` finds the wrong replies.
#ifndef LLMSTACK_REPORT_VERDICT_COMMENT_H_
#define LLMSTACK_REPORT_VERDICT_COMMENT_H_

#include <string>

#include "base/bytes.h"
#include "grade/verify.h"

namespace llmstack {

std::string VerdictComment(Verdict verdict, const ReplyGrade& grade, ByteView request,
                           ByteView reply, const std::string& model, bool is_reference, int sample,
                           int samples, double latency_ms);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_VERDICT_COMMENT_H_
