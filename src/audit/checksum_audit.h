// Checking the checksum arithmetic people and models write down. In a text (a model's
// reasoning, a journal line, a write-up) the audit finds the packets (text_scan.h) and
//
//  * claims: "IP checksum: 0xABCD", "ICMP checksum = 0x5cf5", "the header checksum is ABCD",
//    "checksum 0x54f5". Each is about the nearest packet before or after it; for an echo
//    request also about its correct reply, since write-ups talk about the reply they built.
//    The kind (IP header, ICMP, ICMPv6) comes from the words before "checksum", and when they
//    say nothing, from which of the packet's checksums the value is. A claim is right when it
//    is the value RFC 1071 gives over those bytes (or, for a computed 0x0000, the other zero
//    0xffff, which verifies too).
//  * working: additions ("4500 + 0054 = 4554", "0x4554 + 0x8128 = 0xc67c", chained as
//    "a + b = c + d = e"), folds ("fold 0x29ea0 -> 0x9ea2"), complements ("~0x9ea2 = 0x615d"),
//    running sums ("running sum 0x4500 -> 0xc67c -> ..."), totals ("total 0x29ea0",
//    "folded 0x9ea2", "complemented 0x615d"). Each step is checked on its own, and the words
//    added and the sums reached are traced back to the packet's checksum computation; the first
//    wrong step of each working is named.
//  * gaps: placeholders ("0xXXXX") and "omitted for brevity" are called out as unverifiable.
//
// Right or wrong is decided with the project's one checksum routine (checksum.h) over the
// packets and the reference replies (responder.h).
#ifndef LLMSTACK_AUDIT_CHECKSUM_AUDIT_H_
#define LLMSTACK_AUDIT_CHECKSUM_AUDIT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "grade/profile.h"
#include "packet/packet_stream.h"

namespace llmstack {

enum class AuditVerdict : uint8_t { kRight, kWrong, kUnverifiable };

const char* AuditVerdictName(AuditVerdict verdict);  // "right", "WRONG", "unverifiable"

struct AuditFinding {
  size_t line = 0;  // 1-based line of the text
  AuditVerdict verdict = AuditVerdict::kRight;
  bool is_claim = false;  // a checksum claim (else working or a gap)
  std::string message;  // "IP header checksum 0xabcd: the reply ... has IP header checksum 0x615d"
  // The same finding worded for a model's own answer, for the reports:
  // "claimed ICMP checksum 0x5cf5 in its working, wrote 0x5cf4 in the packet".
  std::string model_message;
};

struct AuditTally {
  size_t packets = 0;
  size_t claims_right = 0;
  size_t claims_wrong = 0;
  size_t steps = 0;  // steps of working checked
  size_t steps_wrong = 0;
  size_t unverifiable = 0;

  void Add(const AuditTally& other);
  bool any_wrong() const { return claims_wrong > 0 || steps_wrong > 0; }
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

// Audits a model's answer and reasoning against the request it was given and the reply it
// wrote (`reply` null when it wrote none); the findings worded for the reports, each led by
// where it is ("reasoning line 12: claimed ..."). Repeated findings (an answer that quotes its
// reasoning) are given once. Empty when the texts hold no checksum claim or working.
std::vector<std::string> AuditModelAnswer(const EchoPacket& request, Profile profile,
                                          const ByteView* reply, std::string_view text,
                                          std::string_view reasoning);

}  // namespace llmstack

#endif  // LLMSTACK_AUDIT_CHECKSUM_AUDIT_H_
