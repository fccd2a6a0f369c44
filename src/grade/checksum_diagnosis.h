// Grading a checksum in a reply: it is right when it verifies (RFC 1071 §1), not when it equals
// one computed value, since the one's complement sum has two zeros. A wrong one is diagnosed by
// name, by recomputing the usual hand-computation mistakes and seeing which one gives the value.
#ifndef LLMSTACK_GRADE_CHECKSUM_DIAGNOSIS_H_
#define LLMSTACK_GRADE_CHECKSUM_DIAGNOSIS_H_

#include <cstdint>

#include "base/bytes.h"
#include "packet/ip.h"

namespace llmstack {

enum class ChecksumMistake : uint8_t {
  kNone,                       // verifies and equals the computed value
  kAlternativeZero,            // verifies, but is the other zero (0xffff for 0x0000): warn
  kAllZeroNeedsFfff,           // 0x0000 on a message whose only verifying checksum is 0xffff
  kNotUpdatedAfterTypeChange,  // ICMP: the request's checksum kept (off by 0x0800 / 0x0100)
  kUnchangedFromRequest,       // IP header: the request's checksum kept
  kNotComplemented,            // the one's complement sum itself
  kCarryDropped,               // carries out of bit 15 discarded instead of added back
  kByteSwapped,                // right value, bytes in the wrong order
  kFieldNotZeroed,             // summed with the old checksum still in the field
  kHeaderOnly,                 // ICMP: only the 8-byte ICMP header summed
  kIpHeaderIncluded,           // ICMP: the IP header summed too
  kPseudoHeaderOmitted,        // ICMPv6: the RFC 8200 pseudo-header left out
  kOptionsOmitted,             // IP: only the first 20 header bytes summed
  kWholeDatagram,              // IP: the whole datagram summed (ICMP checksum still zero)
  kMissing,                    // the reply ends before the checksum
  kOther,
};

// The phrase the reports use: "not updated after type change", "end-around carry dropped", ...
const char* ChecksumMistakeNote(ChecksumMistake mistake);

struct ChecksumCheck {
  uint16_t actual = 0;
  uint16_t expected = 0;  // computed over the reply's own bytes, field taken as zero
  bool verifies = false;
  ChecksumMistake mistake = ChecksumMistake::kNone;
};

// The ICMP/ICMPv6 checksum of `message` (which holds the checksum at offset 2) in a reply whose
// header is `reply_header` (IPv6: src/dst taken from it for the pseudo-header).
// `request_checksum` is the request's ICMP checksum. REQUIRES: message.size() >= 4.
ChecksumCheck CheckIcmpChecksum(IpFamily family, ByteView reply_header, ByteView message,
                                uint16_t request_checksum);

// The IPv4 header checksum of `header` (the reply's header, options included);
// `rest` is the reply after its header; `request_checksum` the request's header checksum.
// REQUIRES: header.size() >= 20.
ChecksumCheck CheckIpv4HeaderChecksum(ByteView header, ByteView rest, uint16_t request_checksum);

}  // namespace llmstack

#endif  // LLMSTACK_GRADE_CHECKSUM_DIAGNOSIS_H_
