// Checking the checksum arithmetic people and models write down (DESIGN section 8). In a text
// (a model's answer or reasoning, a journal line, a write-up) the audit finds the packets
// (text_scan.h), and
//
//  * steps of working (arithmetic.h): each judged on its own; a step is WRONG only when no
//    reading of it holds;
//  * claims (checksum_claims.h): "IP checksum: 0xABCD", "the new ICMP checksum is 5CF5". Each
//    is tied to its subject before it is judged: the request as received (a model checking the
//    incoming checksum restates or verifies it), the reply being built, an intermediate value,
//    or an incremental update (RFC 1624: the request's checksum + 0x0800). The subject comes
//    from the claim's own words ("incoming", "new"), else from the section it stands in
//    ("## Parse the IP header", "Building the reply:"). A claim is WRONG only when its subject
//    is known and its value is none of the values that subject rightly has; a claim whose
//    subject cannot be told is right when it is any packet's value, else `unverified`;
//  * gaps: placeholders ("0xXXXX") and "omitted for brevity" are unverified.
//
// Right values come from the project's one checksum routine (packet/checksum.h) over the
// packets and the reference replies (grade/responder.h).
#ifndef LLMSTACK_AUDIT_CHECKSUM_AUDIT_H_
#define LLMSTACK_AUDIT_CHECKSUM_AUDIT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "grade/profile.h"
#include "packet/packet_stream.h"

namespace llmstack {

enum class AuditVerdict : uint8_t { kRight, kWrong, kUnverified };

const char* AuditVerdictName(AuditVerdict verdict);  // "right", "WRONG", "unverified"

// What a finding is about.
enum class AuditSubject : uint8_t { kUnknown, kRequest, kReply, kIntermediate, kIncremental };

const char* AuditSubjectName(AuditSubject subject);  // "unknown", "request", "reply", ...

struct AuditFinding {
  size_t line = 0;  // 1-based line of the text
  AuditVerdict verdict = AuditVerdict::kRight;
  bool is_claim = false;  // a checksum claim; else a working or a gap
  std::string what;       // "ICMP checksum claim", "IP header checksum working", "gap"
  AuditSubject subject = AuditSubject::kUnknown;
  // The finding in words: "IP header checksum 0xabcd: the reply ... has 0x615d".
  std::string message;
};

struct AuditTally {
  size_t packets = 0;
  size_t claims_right = 0, claims_wrong = 0;
  size_t steps_right = 0, steps_wrong = 0;
  size_t unverified = 0;

  void Add(const AuditTally& other);
  bool any_wrong() const { return claims_wrong > 0 || steps_wrong > 0; }
  bool empty() const {
    return claims_right + claims_wrong + steps_right + steps_wrong + unverified == 0;
  }
};

struct AuditReport {
  std::vector<AuditFinding> findings;  // in text order
  AuditTally tally;
};

// What is known about a text besides the text: the request a model was asked to answer and
// the reply it wrote (as extracted from its answer). With a request, every claim is about that
// exchange; without, about the nearest packet in the text.
struct AuditContext {
  const EchoPacket* request = nullptr;
  ByteView written_reply;           // empty: none
  Profile profile = Profile::kRfc;  // whose correct reply comes first
};

AuditReport AuditText(std::string_view text, const AuditContext& context = {});

// The audit of a model's answer: its text and its reasoning (as the API returned them), each
// audited against the request it was given and the reply it wrote (`reply` null when it wrote
// none). Findings are led by where they are ("reasoning", "answer"); a reasoning that the
// answer repeats word for word is audited once.
struct ModelAnswerAudit {
  AuditTally tally;
  struct Finding {
    std::string where;  // "answer" or "reasoning"
    AuditFinding finding;
  };
  std::vector<Finding> findings;
  bool empty() const { return findings.empty(); }
};

ModelAnswerAudit AuditModelAnswer(const EchoPacket& request, Profile profile, const ByteView* reply,
                                  std::string_view text, std::string_view reasoning);

}  // namespace llmstack

#endif  // LLMSTACK_AUDIT_CHECKSUM_AUDIT_H_
