#include "packet/icmp.h"

#include <algorithm>

namespace llmstack {

uint8_t IcmpProtocol(IpFamily family) {
  return family == IpFamily::kIpv4 ? kIpProtoIcmp : kIpProtoIcmpv6;
}
uint8_t EchoRequestType(IpFamily family) { return family == IpFamily::kIpv4 ? 8 : 128; }
uint8_t EchoReplyType(IpFamily family) { return family == IpFamily::kIpv4 ? 0 : 129; }

Result<EchoMessage> ParseEchoMessage(ByteView message) {
  ByteReader r(message);
  EchoMessage m;
  if (!r.ReadU8(&m.type) || !r.ReadU8(&m.code) || !r.ReadBe16(&m.checksum) ||
      !r.ReadBe16(&m.ident) || !r.ReadBe16(&m.seq)) {
    return Truncated("ICMP echo header cut short at " + std::to_string(message.size()) +
                     " of 8 bytes");
  }
  m.data = r.Rest();
  return m;
}

std::vector<ChecksumPart> IcmpChecksumParts(IpFamily family, ByteView src, ByteView dst,
                                            ByteView message, Bytes* pseudo_header_storage) {
  std::vector<ChecksumPart> parts;
  if (family == IpFamily::kIpv6) {
    *pseudo_header_storage =
        Ipv6PseudoHeader(src, dst, static_cast<uint32_t>(message.size()), kIpProtoIcmpv6);
    parts.push_back({"pseudo-header", *pseudo_header_storage, ChecksumSpan::kIpv6PseudoHeader});
    parts.push_back({"ICMPv6 message", message, ChecksumSpan::kIcmpMessage});
  } else {
    parts.push_back({"ICMP message", message, ChecksumSpan::kIcmpMessage});
  }
  return parts;
}

uint16_t IcmpMessageSum(IpFamily family, ByteView src, ByteView dst, ByteView message,
                        bool checksum_field_as_zero) {
  uint16_t sum = 0;
  if (family == IpFamily::kIpv6) {
    // The pseudo-header's words: both addresses, the 32-bit length, zeros and next header.
    const uint32_t length = static_cast<uint32_t>(message.size());
    sum = OnesComplementAdd(OnesComplementSum(src), OnesComplementSum(dst));
    sum = OnesComplementAdd(sum, static_cast<uint16_t>(length >> 16));
    sum = OnesComplementAdd(sum, static_cast<uint16_t>(length));
    sum = OnesComplementAdd(sum, kIpProtoIcmpv6);
  }
  if (!checksum_field_as_zero) return OnesComplementAdd(sum, OnesComplementSum(message));
  // The words before and after the field: both parts start on a word boundary.
  sum =
      OnesComplementAdd(sum, OnesComplementSum(message.first(std::min<size_t>(2, message.size()))));
  if (message.size() > 4) sum = OnesComplementAdd(sum, OnesComplementSum(message.subspan(4)));
  return sum;
}

uint16_t ComputeIcmpChecksum(IpFamily family, ByteView src, ByteView dst, ByteView message,
                             ChecksumTrace* trace) {
  if (trace == nullptr) {
    return static_cast<uint16_t>(~IcmpMessageSum(family, src, dst, message, true));
  }
  Bytes zeroed(message.begin(), message.end());
  if (zeroed.size() >= 4) {
    zeroed[2] = 0;
    zeroed[3] = 0;
  }
  Bytes pseudo;
  std::vector<ChecksumPart> parts = IcmpChecksumParts(family, src, dst, zeroed, &pseudo);
  return InternetChecksum(parts, trace);
}

bool IcmpChecksumVerifies(IpFamily family, ByteView src, ByteView dst, ByteView message) {
  return IcmpMessageSum(family, src, dst, message, false) == 0xffff;
}

}  // namespace llmstack
