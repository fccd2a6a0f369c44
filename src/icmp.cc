#include "icmp.h"

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
    *pseudo_header_storage = Ipv6PseudoHeader(src, dst, static_cast<uint32_t>(message.size()),
                                              kIpProtoIcmpv6);
    parts.push_back({"pseudo-header", *pseudo_header_storage, ChecksumSpan::kIpv6PseudoHeader});
    parts.push_back({"ICMPv6 message", message, ChecksumSpan::kIcmpMessage});
  } else {
    parts.push_back({"ICMP message", message, ChecksumSpan::kIcmpMessage});
  }
  return parts;
}

uint16_t ComputeIcmpChecksum(IpFamily family, ByteView src, ByteView dst, ByteView message,
                             ChecksumTrace* trace) {
  if (trace == nullptr && message.size() >= 4) {
    // Sum around the checksum field instead of copying the message to zero it.
    Bytes pseudo;
    std::vector<ChecksumPart> parts = IcmpChecksumParts(family, src, dst, message, &pseudo);
    parts.back().bytes = message.first(2);
    parts.push_back({"", message.subspan(4)});
    return InternetChecksum(parts);
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
  Bytes pseudo;
  std::vector<ChecksumPart> parts = IcmpChecksumParts(family, src, dst, message, &pseudo);
  return ChecksumVerifies(parts);
}

}  // namespace llmstack
