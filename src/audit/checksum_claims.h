// Claims about checksums in free text: "IP checksum: 0xABCD", "ICMP checksum = 0x5cf5", "the
// header checksum is ABCD", "checksum 0x54f5", "the ICMP checksum changes from 0x54f5 to
// 0x5cf5", "ICMP checksum = 0x54f5 + 0x0800 = 0x5cf5". What a claim is about comes from its
// words: the kind (IP header, ICMP/ICMPv6) from those before "checksum", the packet (request or
// reply) from the clause around it; both may be left unsaid. A value is a "0x"-prefixed number
// of up to 4 digits or a bare 4-digit one; "0xXXXX" is a placeholder. Words such as "offset",
// "over" or "sum" between "checksum" and a number mean the number is not a claim.
#ifndef LLMSTACK_AUDIT_CHECKSUM_CLAIMS_H_
#define LLMSTACK_AUDIT_CHECKSUM_CLAIMS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/text_scan.h"

namespace llmstack {

enum class ChecksumKind : uint8_t { kIpHeader, kIcmp };  // kIcmp is ICMPv6 on IPv6 packets
enum class ClaimSubject : uint8_t { kUnknown, kRequest, kReply };

struct ChecksumClaim {
  size_t pos = 0;  // of the value in the text
  std::optional<ChecksumKind> kind;
  ClaimSubject subject = ClaimSubject::kUnknown;  // from the claim's own words
  std::optional<uint16_t> value;                  // none: a placeholder
  std::string placeholder;                        // as written: "0xXXXX"
  // The field as it is set before computing ("checksum set to 0000 for the computation").
  bool draft = false;
  // The result of checking a checksum ("checksum check: 0xFFFF", "verifies: sum = FFFF").
  bool verification = false;
  // The result of an update written out ("checksum = 0x54f5 + 0x0800 = 0x5cf5").
  bool incremental = false;
};

// Every mention of a checksum ("IP header checksum:"), claim or not: it labels the working
// written after it.
struct ChecksumLabel {
  size_t pos = 0;
  std::optional<ChecksumKind> kind;
  ClaimSubject subject = ClaimSubject::kUnknown;
};

void ReadChecksumClaims(const std::vector<TextToken>& tokens, std::vector<ChecksumClaim>* claims,
                        std::vector<ChecksumLabel>* labels);

}  // namespace llmstack

#endif  // LLMSTACK_AUDIT_CHECKSUM_CLAIMS_H_
