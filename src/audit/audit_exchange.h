// What a checksum claim in a text can be about: the text's packets (and those given with it),
// the echo exchange each belongs to with its correct replies (responder.h), and the checksums
// RFC 1071 gives over their bytes (checksum.h).
#ifndef LLMSTACK_AUDIT_AUDIT_EXCHANGE_H_
#define LLMSTACK_AUDIT_AUDIT_EXCHANGE_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/checksum_claims.h"
#include "base/bytes.h"
#include "grade/profile.h"
#include "packet/checksum.h"
#include "packet/ip.h"
#include "packet/packet_stream.h"

namespace llmstack::audit {

// No place in the text: a packet given as context rather than written in the text, a fit with
// nothing wrong in it.
inline constexpr size_t kNone = std::numeric_limits<size_t>::max();

struct DocPacket {
  EchoPacket packet;
  size_t begin = kNone, end = kNone;  // span in the text; kNone for packets given as context
  std::string name;                   // "the request at line 3", "the reply it wrote"
  bool draft = false;                 // a reply with a checksum field still zero
};

struct Computation {
  ChecksumKind kind = ChecksumKind::kIpHeader;
  IpFamily family = IpFamily::kIpv4;
  ChecksumTrace trace;
  uint16_t stored = 0;  // what the packet's field holds
};

// The computation of the `kind` checksum over an IP datagram, with the value its field holds.
// Nullopt when the datagram is no echo packet, is truncated, or has no such checksum (an IP
// header checksum on IPv6, a header shorter than 20 bytes, a message shorter than the echo
// header).
std::optional<Computation> Compute(ByteView datagram, ChecksumKind kind);

// Whether `claimed` is right for a computation: equal to the checksum, or the other zero of
// one's complement where that one verifies too (RFC 1071 §1).
bool ClaimMatches(uint16_t claimed, uint16_t computed);

// Whether `reply` answers `request`: an echo reply of the same family, identifier and sequence
// number.
bool PairsWith(const EchoPacket& reply, const EchoPacket& request);

// Whether `p` is a reply still being built: an ICMP or IP header checksum field left at zero
// where zero is not the right value.
bool IsDraft(const EchoPacket& p);

// One echo exchange a claim can be about: the request, its correct replies (the context's
// profile first, then the others where they differ) and the reply as written.
struct Exchange {
  const DocPacket* request = nullptr;
  std::vector<std::pair<Profile, Bytes>> correct;
  const DocPacket* written = nullptr;  // a finished reply (not a draft)
  const DocPacket* lone = nullptr;     // a reply with no request to derive it from
};

// The exchange of `request` (may be null) with the reference replies to it, `first_profile`'s
// first and each other profile's where it differs; profiles that build no reply are skipped.
Exchange MakeExchange(const DocPacket* request, const DocPacket* written, const DocPacket* lone,
                      Profile first_profile);

// A value a claim may rightly state, and what it is the checksum of.
struct Truth {
  uint16_t value = 0;
  ClaimSubject subject = ClaimSubject::kReply;
  std::string about;  // "the reply to the request at line 3"
  IpFamily family = IpFamily::kIpv4;
};

// The `kind` checksums of an exchange's packets: those of the correct replies in profile order,
// then of the reply as written and the lone reply, then of the request. Empty when none of its
// packets has such a checksum.
std::vector<Truth> TruthsOf(const Exchange& x, ChecksumKind kind);

}  // namespace llmstack::audit

#endif  // LLMSTACK_AUDIT_AUDIT_EXCHANGE_H_
