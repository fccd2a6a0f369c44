#include "report/verdict_comment.h"

#include "report/report_json.h"
#include "report/terminal_report.h"

namespace llmstack {

std::string VerdictComment(Verdict verdict, const ReplyGrade& grade, ByteView request,
                           ByteView reply, const std::string& model, bool is_reference, int sample,
                           int samples, double latency_ms) {
  std::string head;
  switch (verdict) {
    case Verdict::kCorrect:
      head = "ok";
      break;
    case Verdict::kWrong:
      head = "WRONG";
      break;
    case Verdict::kUnexpectedReply:
      head = "WRONG unexpected reply (the request must not be answered)";
      break;
    default:
      head = VerdictName(verdict);
      break;
  }
  std::string failing, warnings;
  for (const FieldVerdict& f : grade.fields) {
    if (f.grade != FieldGrade::kFail && f.grade != FieldGrade::kWarn) continue;
    std::string& list = f.grade == FieldGrade::kFail ? failing : warnings;
    if (!list.empty()) list += "; ";
    list += GetFieldInfo(f.id).name;
    std::string note = FieldNote(f);
    if (f.id != FieldId::kData && f.id != FieldId::kTrailing && f.id != FieldId::kIpOptions) {
      list += " got " + FormatFieldValue(f.actual, request, reply, grade.literals);
      std::string expected = FormatFieldValue(f.expected, request, reply, grade.literals);
      if (!expected.empty()) list += ", should be " + expected;
    }
    if (!note.empty()) list += " (" + note + ")";
  }
  std::string out = head;
  if (!failing.empty()) out += " " + failing;
  if (!warnings.empty()) out += (failing.empty() ? " " : "; ") + std::string("warn: ") + warnings;
  out += " | " + model;
  if (is_reference) out += std::string(" (") + kReferenceLabel + ")";
  if (samples > 1) out += " sample " + std::to_string(sample + 1) + "/" + std::to_string(samples);
  out += " latency " + FormatMilliseconds(latency_ms) + " ms";
  return out;
}

}  // namespace llmstack
