#include "packet/link.h"

#include <pcap/pcap.h>

namespace llmstack {

namespace {

constexpr uint16_t kEthertypeIpv4 = 0x0800;
constexpr uint16_t kEthertypeIpv6 = 0x86dd;
constexpr uint16_t kEthertypeVlan = 0x8100;  // IEEE 802.1Q
constexpr uint16_t kEthertypeQinq = 0x88a8;  // IEEE 802.1ad service tag
constexpr uint16_t kEthertypeQinqOld = 0x9100;
constexpr size_t kSllHeaderLength = 16;   // pcap/sll.h SLL_HDR_LEN
constexpr size_t kSll2HeaderLength = 20;  // pcap/sll.h SLL2_HDR_LEN
constexpr uint16_t kPacketOutgoing = 4;   // linux/if_packet.h PACKET_OUTGOING

NetworkProtocol FromEthertype(uint16_t type) {
  if (type == kEthertypeIpv4) return NetworkProtocol::kIpv4;
  if (type == kEthertypeIpv6) return NetworkProtocol::kIpv6;
  return NetworkProtocol::kOther;
}

// BSD address-family values for IPv6 differ by system: 24 (NetBSD, OpenBSD, BSD/OS),
// 28 (FreeBSD), 30 (macOS); IPv4 is 2 everywhere (LINKTYPE_NULL page).
NetworkProtocol FromAddressFamily(uint32_t af) {
  if (af == 2) return NetworkProtocol::kIpv4;
  if (af == 24 || af == 28 || af == 30) return NetworkProtocol::kIpv6;
  return NetworkProtocol::kOther;
}

NetworkProtocol FromVersionNibble(ByteView payload) {
  if (payload.empty()) return NetworkProtocol::kOther;
  if (payload[0] >> 4 == 4) return NetworkProtocol::kIpv4;
  if (payload[0] >> 4 == 6) return NetworkProtocol::kIpv6;
  return NetworkProtocol::kOther;
}

Status CutShort(LinkType type) {
  return Truncated("frame ends inside its " + LinkTypeName(type) + " header");
}

}  // namespace

Result<LinkType> LinkTypeFromDlt(int dlt) {
  switch (dlt) {
    case DLT_NULL:
      return LinkType::kNull;
    case DLT_EN10MB:
      return LinkType::kEthernet;
    case DLT_RAW:
      return LinkType::kRaw;
    case DLT_LOOP:
      return LinkType::kLoop;
    case DLT_LINUX_SLL:
      return LinkType::kLinuxSll;
    case DLT_IPV4:
      return LinkType::kIpv4;
    case DLT_IPV6:
      return LinkType::kIpv6;
    case DLT_LINUX_SLL2:
      return LinkType::kLinuxSll2;
    default:
      break;
  }
  const char* name = pcap_datalink_val_to_name(dlt);
  return Unsupported("unsupported link type " + std::to_string(dlt) +
                     (name ? std::string(" (") + name + ")" : std::string()) +
                     "; supported: Ethernet, Linux cooked v1/v2, raw IP, IPv4, IPv6, "
                     "BSD and OpenBSD loopback");
}

int DltFromLinkType(LinkType type) {
  switch (type) {
    case LinkType::kNull:
      return DLT_NULL;
    case LinkType::kEthernet:
      return DLT_EN10MB;
    case LinkType::kRaw:
      return DLT_RAW;
    case LinkType::kLoop:
      return DLT_LOOP;
    case LinkType::kLinuxSll:
      return DLT_LINUX_SLL;
    case LinkType::kIpv4:
      return DLT_IPV4;
    case LinkType::kIpv6:
      return DLT_IPV6;
    case LinkType::kLinuxSll2:
      return DLT_LINUX_SLL2;
  }
  return DLT_RAW;
}

std::string LinkTypeName(LinkType type) {
  switch (type) {
    case LinkType::kNull:
      return "BSD loopback";
    case LinkType::kEthernet:
      return "Ethernet";
    case LinkType::kRaw:
      return "raw IP";
    case LinkType::kLoop:
      return "OpenBSD loopback";
    case LinkType::kLinuxSll:
      return "Linux cooked v1";
    case LinkType::kIpv4:
      return "raw IPv4";
    case LinkType::kIpv6:
      return "raw IPv6";
    case LinkType::kLinuxSll2:
      return "Linux cooked v2";
  }
  return "unknown";
}

Result<LinkFrame> DecodeLinkFrame(LinkType type, ByteView frame) {
  LinkFrame out;
  ByteReader r(frame);
  switch (type) {
    case LinkType::kRaw:
      out.payload = frame;
      out.protocol = FromVersionNibble(frame);
      return out;
    case LinkType::kIpv4:
      out.payload = frame;
      out.protocol = NetworkProtocol::kIpv4;
      return out;
    case LinkType::kIpv6:
      out.payload = frame;
      out.protocol = NetworkProtocol::kIpv6;
      return out;
    case LinkType::kNull: {
      uint32_t af;
      if (!r.ReadLe32(&af)) return CutShort(type);
      // The value is in the capturing host's byte order; AF values are small, so a value
      // with only high bits set was written big-endian.
      if (af > 0xffff) af = (af >> 24) | ((af >> 8) & 0xff00) | ((af << 8) & 0xff0000) | (af << 24);
      out.protocol = FromAddressFamily(af);
      break;
    }
    case LinkType::kLoop: {
      uint32_t af;
      if (!r.ReadBe32(&af)) return CutShort(type);
      out.protocol = FromAddressFamily(af);
      break;
    }
    case LinkType::kEthernet: {
      // 6 destination, 6 source, then ethertype; 802.1Q/802.1ad tags add 4 bytes each.
      uint16_t ethertype;
      if (!r.Skip(12) || !r.ReadBe16(&ethertype)) return CutShort(type);
      while (ethertype == kEthertypeVlan || ethertype == kEthertypeQinq ||
             ethertype == kEthertypeQinqOld) {
        if (!r.Skip(2) || !r.ReadBe16(&ethertype)) return CutShort(type);
      }
      out.protocol = FromEthertype(ethertype);
      break;
    }
    case LinkType::kLinuxSll: {
      // packet type(2) ARPHRD type(2) address length(2) address(8) protocol(2)
      uint16_t protocol;
      if (!r.Skip(14) || !r.ReadBe16(&protocol)) return CutShort(type);
      out.protocol = FromEthertype(protocol);
      break;
    }
    case LinkType::kLinuxSll2: {
      // protocol(2) reserved(2) ifindex(4) ARPHRD type(2) packet type(1) address length(1)
      // address(8)
      uint16_t protocol;
      if (!r.ReadBe16(&protocol) || !r.Skip(kSll2HeaderLength - 2)) return CutShort(type);
      out.protocol = FromEthertype(protocol);
      break;
    }
  }
  out.header = frame.first(r.position());
  out.payload = r.Rest();
  return out;
}

Bytes ReplyLinkHeader(LinkType type, ByteView request_header) {
  Bytes h(request_header.begin(), request_header.end());
  switch (type) {
    case LinkType::kEthernet:
      if (h.size() >= 12) {
        for (size_t i = 0; i < 6; ++i) std::swap(h[i], h[6 + i]);
      }
      break;
    case LinkType::kLinuxSll:
      if (h.size() >= kSllHeaderLength) PutBe16(h, 0, kPacketOutgoing);
      break;
    case LinkType::kLinuxSll2:
      if (h.size() >= kSll2HeaderLength) h[10] = kPacketOutgoing;
      break;
    default:
      break;
  }
  return h;
}

}  // namespace llmstack
