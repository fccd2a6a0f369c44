#include "packet/link.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

namespace llmstack {

namespace {

constexpr uint16_t kEthertypeIpv4 = 0x0800;
constexpr uint16_t kEthertypeIpv6 = 0x86dd;
constexpr uint16_t kEthertypeVlan = 0x8100;  // IEEE 802.1Q
constexpr uint16_t kEthertypeQinq = 0x88a8;  // IEEE 802.1ad service tag
constexpr uint16_t kEthertypeQinqOld = 0x9100;
constexpr size_t kSllHeaderLength = 16;   // pcap/sll.h SLL_HDR_LEN
constexpr size_t kSll2HeaderLength = 20;  // pcap/sll.h SLL2_HDR_LEN
constexpr uint16_t kPacketHost = 0;       // linux/if_packet.h PACKET_HOST
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

namespace {

// The one table of supported link types: the platform's DLT_ value for libpcap, the name
// messages use, and the names `explain --link` takes (tcpdump's -y names, lower case, first).
struct LinkTypeInfo {
  LinkType type;
  int dlt;
  const char* name;
  std::vector<std::string_view> option_names;
};

const std::vector<LinkTypeInfo>& LinkTypes() {
  static const std::vector<LinkTypeInfo> table = {
      {LinkType::kEthernet, DLT_EN10MB, "Ethernet", {"en10mb", "ether", "ethernet"}},
      {LinkType::kLinuxSll, DLT_LINUX_SLL, "Linux cooked v1", {"linux_sll", "sll"}},
      {LinkType::kLinuxSll2, DLT_LINUX_SLL2, "Linux cooked v2", {"linux_sll2", "sll2"}},
      {LinkType::kRaw, DLT_RAW, "raw IP", {"raw"}},
      {LinkType::kIpv4, DLT_IPV4, "raw IPv4", {"ipv4"}},
      {LinkType::kIpv6, DLT_IPV6, "raw IPv6", {"ipv6"}},
      {LinkType::kNull, DLT_NULL, "BSD loopback", {"null"}},
      {LinkType::kLoop, DLT_LOOP, "OpenBSD loopback", {"loop"}},
  };
  return table;
}

const LinkTypeInfo* FindLinkType(LinkType type) {
  for (const LinkTypeInfo& info : LinkTypes()) {
    if (info.type == type) return &info;
  }
  return nullptr;
}

}  // namespace

Result<LinkType> LinkTypeFromDlt(int dlt) {
  for (const LinkTypeInfo& info : LinkTypes()) {
    if (info.dlt == dlt) return info.type;
  }
  const char* name = pcap_datalink_val_to_name(dlt);
  return Unsupported("unsupported link type " + std::to_string(dlt) +
                     (name ? std::string(" (") + name + ")" : std::string()) +
                     "; supported: Ethernet, Linux cooked v1/v2, raw IP, IPv4, IPv6, "
                     "BSD and OpenBSD loopback");
}

Result<LinkType> LinkTypeFromName(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const LinkTypeInfo& info : LinkTypes()) {
    for (std::string_view option : info.option_names) {
      if (option == lower) return info.type;
    }
  }
  return Unsupported("unknown link type '" + std::string(name) +
                     "'; known: " + LinkTypeOptionNames());
}

std::string LinkTypeOptionNames() {
  std::string names;
  for (const LinkTypeInfo& info : LinkTypes()) {
    for (std::string_view option : info.option_names) {
      if (!names.empty()) names += ", ";
      names += option;
    }
  }
  return names;
}

int DltFromLinkType(LinkType type) {
  const LinkTypeInfo* info = FindLinkType(type);
  return info ? info->dlt : DLT_RAW;
}

std::string LinkTypeName(LinkType type) {
  const LinkTypeInfo* info = FindLinkType(type);
  return info ? info->name : "unknown";
}

namespace {

// Splits `frame` into `out`; false when it ends inside its link header.
bool SplitLinkFrame(LinkType type, ByteView frame, LinkFrame& out) {
  ByteReader r(frame);
  switch (type) {
    case LinkType::kRaw:
      out.payload = frame;
      out.protocol = FromVersionNibble(frame);
      return true;
    case LinkType::kIpv4:
      out.payload = frame;
      out.protocol = NetworkProtocol::kIpv4;
      return true;
    case LinkType::kIpv6:
      out.payload = frame;
      out.protocol = NetworkProtocol::kIpv6;
      return true;
    case LinkType::kNull: {
      uint32_t af;
      if (!r.ReadLe32(&af)) return false;
      // The value is in the capturing host's byte order; AF values are small, so a value
      // with only high bits set was written big-endian.
      if (af > 0xffff) af = (af >> 24) | ((af >> 8) & 0xff00) | ((af << 8) & 0xff0000) | (af << 24);
      out.protocol = FromAddressFamily(af);
      break;
    }
    case LinkType::kLoop: {
      uint32_t af;
      if (!r.ReadBe32(&af)) return false;
      out.protocol = FromAddressFamily(af);
      break;
    }
    case LinkType::kEthernet: {
      // 6 destination, 6 source, then ethertype; 802.1Q/802.1ad tags add 4 bytes each.
      uint16_t ethertype;
      if (!r.Skip(12) || !r.ReadBe16(&ethertype)) return false;
      while (ethertype == kEthertypeVlan || ethertype == kEthertypeQinq ||
             ethertype == kEthertypeQinqOld) {
        if (!r.Skip(2) || !r.ReadBe16(&ethertype)) return false;
      }
      out.protocol = FromEthertype(ethertype);
      break;
    }
    case LinkType::kLinuxSll: {
      // packet type(2) ARPHRD type(2) address length(2) address(8) protocol(2)
      uint16_t protocol;
      if (!r.Skip(14) || !r.ReadBe16(&protocol)) return false;
      out.protocol = FromEthertype(protocol);
      break;
    }
    case LinkType::kLinuxSll2: {
      // protocol(2) reserved(2) ifindex(4) ARPHRD type(2) packet type(1) address length(1)
      // address(8)
      uint16_t protocol;
      if (!r.ReadBe16(&protocol) || !r.Skip(kSll2HeaderLength - 2)) return false;
      out.protocol = FromEthertype(protocol);
      break;
    }
  }
  out.header = frame.first(r.position());
  out.payload = r.Rest();
  return true;
}

}  // namespace

Result<LinkFrame> DecodeLinkFrame(LinkType type, ByteView frame) {
  Result<LinkFrame> result(std::in_place);  // filled in place (Result in base/status.h)
  if (!SplitLinkFrame(type, frame, *result)) result = CutShort(type);
  return result;
}

Bytes ReplyLinkHeader(LinkType type, ByteView request_header) {
  Bytes h(request_header.begin(), request_header.end());
  switch (type) {
    case LinkType::kEthernet:
      if (h.size() >= 12) {
        for (size_t i = 0; i < 6; ++i) std::swap(h[i], h[6 + i]);
      }
      break;
    // A cooked header records the sender's link address only (pcap/sll.h): the reply's sender
    // is the other host, whose address the request's header does not hold, so the reply says
    // none (length 0). It travels the other way: outgoing when the request came in, to this
    // host when the request was sent from it.
    case LinkType::kLinuxSll:
      if (h.size() >= kSllHeaderLength) {
        uint16_t request_type = 0;
        bool request_outgoing = PeekBe16(h, 0, &request_type) && request_type == kPacketOutgoing;
        PutBe16(h, 0, request_outgoing ? kPacketHost : kPacketOutgoing);
        PutBe16(h, 4, 0);
        std::fill(h.begin() + 6, h.begin() + 14, uint8_t{0});
      }
      break;
    case LinkType::kLinuxSll2:
      if (h.size() >= kSll2HeaderLength) {
        bool request_outgoing = h[10] == kPacketOutgoing;
        h[10] = request_outgoing ? kPacketHost : kPacketOutgoing;
        h[11] = 0;
        std::fill(h.begin() + 12, h.begin() + 20, uint8_t{0});
      }
      break;
    default:
      break;
  }
  return h;
}

}  // namespace llmstack
