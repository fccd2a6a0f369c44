// The verifier: grades a reply field by field against what a correct stack sends under a
// profile (DESIGN §5), and gives each request its verdict.
#ifndef LLMSTACK_GRADE_VERIFY_H_
#define LLMSTACK_GRADE_VERIFY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "grade/checksum_diagnosis.h"
#include "grade/fields.h"
#include "grade/profile.h"
#include "grade/responder.h"
#include "packet/packet_stream.h"

namespace llmstack {

enum class Verdict : uint8_t {
  kCorrect,          // no field fails
  kWrong,            // at least one field fails
  kNoReply,          // a reply was expected, none given
  kUnparseable,      // the model's text held no packet
  kSilentOk,         // no reply expected, none given
  kUnexpectedReply,  // none expected, one given
  kError,            // the backend failed; not the model's fault
  kTruncated,        // the capture cut the request
};
inline constexpr size_t kVerdictCount = 8;
const char* VerdictName(Verdict verdict);
// True for the verdicts that make a run exit 1.
bool IsFailingVerdict(Verdict verdict);

struct FieldVerdict {
  FieldId id = FieldId::kIpVersion;
  FieldGrade grade = FieldGrade::kPass;
  ChecksumMistake mistake = ChecksumMistake::kNone;
  uint32_t offset = 0;  // from the first byte of the reply's IP header
  uint32_t length = 0;
  uint32_t count_a = 0, count_b = 0;  // data: first differing byte, bytes differing
  const char* note = nullptr;         // fixed text, or null
  FieldValue expected;
  FieldValue actual;
};
// The note shown beside a field: the named checksum mistake, data differences, and so on.
std::string FieldNote(const FieldVerdict& field);

struct ReplyGrade {
  Verdict verdict = Verdict::kCorrect;
  std::vector<FieldVerdict> fields;
  size_t reply_header_length = 0;  // the header length the grading used
  Bytes literals;  // bytes the grading built that FieldValue::Source::kLiterals values refer to

  bool Failed(FieldId id) const;
  const FieldVerdict* Find(FieldId id) const;
  size_t FailCount() const;
};

// Grades `reply` (an IP datagram, possibly cut short or malformed; null when no reply was
// given) as the answer to `request` under `profile`. `out` is reused to avoid allocations.
void GradeReply(const EchoPacket& request, const RequestAssessment& assessment,
                const ByteView* reply, Profile profile, ReplyGrade* out);

}  // namespace llmstack

#endif  // LLMSTACK_GRADE_VERIFY_H_
