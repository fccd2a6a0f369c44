// Link-layer headers: what comes before the IP datagram in a captured frame, and the header a
// reply frame gets. Link-type numbers are the LINKTYPE_ values of the capture file formats
// (https://www.tcpdump.org/linktypes.html), not the platform's DLT_ values.
#ifndef LLMSTACK_PACKET_LINK_H_
#define LLMSTACK_PACKET_LINK_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace llmstack {

enum class LinkType : uint32_t {
  kNull = 0,         // BSD loopback: 4-byte address family in the capturing host's byte order
  kEthernet = 1,     // Ethernet II, optionally 802.1Q (0x8100) / 802.1ad (0x88a8) tagged
  kRaw = 101,        // raw IP, version from the first nibble (DLT_RAW is 12 or 14)
  kLoop = 108,       // OpenBSD loopback: 4-byte address family, big-endian
  kLinuxSll = 113,   // Linux cooked v1, 16-byte header
  kIpv4 = 228,       // raw IPv4
  kIpv6 = 229,       // raw IPv6
  kLinuxSll2 = 276,  // Linux cooked v2, 20-byte header
};

// Maps a value returned by pcap_datalink() to a supported link type.
// Errors: kUnsupported naming the link type.
Result<LinkType> LinkTypeFromDlt(int dlt);
// The value pcap_open_dead() takes for a link type (DLT_RAW for kRaw, and so on).
int DltFromLinkType(LinkType type);
std::string LinkTypeName(LinkType type);
// A link type by the name `explain --link` takes: tcpdump's -y name (en10mb, linux_sll, ...)
// or a short one (ether, sll, sll2, raw, ipv4, ipv6, null, loop), in any case.
// Errors: kUnsupported listing the names known.
Result<LinkType> LinkTypeFromName(std::string_view name);
// Those names, comma-separated.
std::string LinkTypeOptionNames();

enum class NetworkProtocol { kIpv4, kIpv6, kOther };

struct LinkFrame {
  ByteView header;   // the link-layer header, VLAN tags included
  ByteView payload;  // everything after it (may include Ethernet padding)
  NetworkProtocol protocol = NetworkProtocol::kOther;
};

// Splits a frame into its link header and payload.
// Errors: kTruncated when the frame ends inside the link header.
Result<LinkFrame> DecodeLinkFrame(LinkType type, ByteView frame);

// The link header of a reply to a frame whose header was `request_header`: Ethernet MAC
// addresses swapped (tags kept), Linux cooked headers marked as sent by this host (packet type
// 4, PACKET_OUTGOING), loopback headers copied, raw IP none.
Bytes ReplyLinkHeader(LinkType type, ByteView request_header);

}  // namespace llmstack

#endif  // LLMSTACK_PACKET_LINK_H_
