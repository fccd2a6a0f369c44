// ICMP (RFC 792) and ICMPv6 (RFC 4443) echo messages.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Type      |     Code      |          Checksum             |
// |           Identifier          |        Sequence Number        |
// |     Data ...
// Echo request: type 8 (ICMPv6 128); echo reply: type 0 (ICMPv6 129).
#ifndef LLMSTACK_PACKET_ICMP_H_
#define LLMSTACK_PACKET_ICMP_H_

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "packet/checksum.h"
#include "packet/ip.h"

namespace llmstack {

inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoIcmpv6 = 58;
inline constexpr size_t kEchoHeaderLength = 8;

uint8_t IcmpProtocol(IpFamily family);
uint8_t EchoRequestType(IpFamily family);  // 8 / 128
uint8_t EchoReplyType(IpFamily family);    // 0 / 129

struct EchoMessage {
  uint8_t type = 0, code = 0;
  uint16_t checksum = 0;
  uint16_t ident = 0, seq = 0;
  ByteView data;
};

// Reads the echo header fields. Errors: kTruncated when fewer than 8 bytes.
Result<EchoMessage> ParseEchoMessage(ByteView message);

// The parts the ICMP checksum covers: the message alone for ICMP (RFC 792); for ICMPv6 the
// RFC 8200 §8.1 pseudo-header (built into `pseudo_header_storage`) and then the message
// (RFC 4443 §2.3).
std::vector<ChecksumPart> IcmpChecksumParts(IpFamily family, ByteView src, ByteView dst,
                                            ByteView message, Bytes* pseudo_header_storage);

// The one's complement sum (RFC 1071) of the ICMPv6 pseudo-header (RFC 8200 §8.1; IPv6
// only) and `message`; with `checksum_field_as_zero`, the message's checksum field (bytes 2-3)
// counts as zero. Sums in place: no copies, no allocation.
uint16_t IcmpMessageSum(IpFamily family, ByteView src, ByteView dst, ByteView message,
                        bool checksum_field_as_zero);

// The checksum an ICMP/ICMPv6 message should carry (its own checksum field taken as zero).
uint16_t ComputeIcmpChecksum(IpFamily family, ByteView src, ByteView dst, ByteView message,
                             ChecksumTrace* trace = nullptr);
// Whether the message's checksum verifies (RFC 1071 §1).
bool IcmpChecksumVerifies(IpFamily family, ByteView src, ByteView dst, ByteView message);

}  // namespace llmstack

#endif  // LLMSTACK_PACKET_ICMP_H_
