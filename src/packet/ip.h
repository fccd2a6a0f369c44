// IPv4 (RFC 791) and IPv6 (RFC 8200) datagrams: header fields, IPv4 options, IPv6 extension
// headers and fragmentation information. Views point into the caller's buffer.
#ifndef LLMSTACK_PACKET_IP_H_
#define LLMSTACK_PACKET_IP_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "packet/link.h"

namespace llmstack {

enum class IpFamily { kIpv4, kIpv6 };

const char* FamilyName(IpFamily family);  // "ipv4" / "ipv6"

// RFC 791 §3.1 option types.
inline constexpr uint8_t kIpOptEnd = 0;
inline constexpr uint8_t kIpOptNop = 1;
inline constexpr uint8_t kIpOptRecordRoute = 7;
inline constexpr uint8_t kIpOptTimestamp = 68;
inline constexpr uint8_t kIpOptLooseSourceRoute = 131;
inline constexpr uint8_t kIpOptCipso = 134;  // FIPS 188 / CIPSO draft
inline constexpr uint8_t kIpOptStrictSourceRoute = 137;
inline constexpr uint8_t kIpOptRouterAlert = 148;  // RFC 2113

struct Ipv4Option {
  uint8_t type = 0;
  size_t offset = 0;  // from the start of the IP header
  ByteView bytes;     // the whole option: type, length, data (one byte for EOL/NOP)
};

//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Version|  IHL  |Type of Service|          Total Length         |
// |         Identification        |Flags|      Fragment Offset    |
// |  Time to Live |    Protocol   |         Header Checksum       |
// |                       Source Address                          |
// |                    Destination Address                        |
// |                    Options                    |    Padding    |   (RFC 791 §3.1)
struct Ipv4Header {
  uint8_t version = 0;
  uint8_t ihl = 0;  // in 32-bit words
  uint8_t tos = 0;
  uint16_t total_length = 0;
  uint16_t id = 0;
  bool reserved_flag = false;
  bool dont_fragment = false;
  bool more_fragments = false;
  uint16_t fragment_offset = 0;  // in 8-byte units
  uint8_t ttl = 0;
  uint8_t protocol = 0;
  uint16_t checksum = 0;
  std::array<uint8_t, 4> src{};
  std::array<uint8_t, 4> dst{};
  ByteView options;  // the option bytes, header_length() - 20 of them

  size_t header_length() const { return size_t{ihl} * 4; }
};

// Reads the fixed fields at the start of `bytes` without judging them.
// Errors: kTruncated when fewer than 20 bytes.
Result<Ipv4Header> ReadIpv4Header(ByteView bytes);

// Splits IPv4 options into their parts. Errors: kMalformed for a length below 2 or past the end.
Result<std::vector<Ipv4Option>> ParseIpv4Options(ByteView options, size_t first_offset = 20);

//  |Version| Traffic Class |           Flow Label                  |
//  |         Payload Length        |  Next Header  |   Hop Limit   |
//  |  Source Address (128 bits) | Destination Address (128 bits)  |   (RFC 8200 §3)
struct Ipv6Header {
  uint8_t version = 0, traffic_class = 0;
  uint32_t flow_label = 0;
  uint16_t payload_length = 0;
  uint8_t next_header = 0, hop_limit = 0;
  std::array<uint8_t, 16> src{}, dst{};
};

// Errors: kTruncated when fewer than 40 bytes.
Result<Ipv6Header> ReadIpv6Header(ByteView bytes);

// Address classes (4 or 16 bytes; false for any other size).
bool IsMulticastAddress(ByteView address);    // 224.0.0.0/4, ff00::/8
bool IsLimitedBroadcast(ByteView address);    // 255.255.255.255
bool IsUnspecifiedAddress(ByteView address);  // 0.0.0.0, ::
// Where a host's echo reply cannot come from: a multicast group or the limited broadcast
// (RFC 1122 §3.2.1.3, RFC 4443 §4.2).
inline bool IsGroupAddress(ByteView address) {
  return IsMulticastAddress(address) || IsLimitedBroadcast(address);
}

std::string FormatIpv4(const std::array<uint8_t, 4>& a);
std::string FormatIpv6(const std::array<uint8_t, 16>& a);  // RFC 5952 text form
std::string FormatAddress(ByteView address);               // 4 or 16 bytes

// One IP datagram (or fragment) as found in a frame.
struct Datagram {
  IpFamily family = IpFamily::kIpv4;
  ByteView bytes;            // from the IP header to the IP length (or the end of capture)
  size_t header_length = 0;  // bytes before the upper-layer message (IPv6: with extensions)
  uint8_t protocol = 0;      // upper-layer protocol
  ByteView upper;            // upper-layer bytes present
  bool truncated = false;    // the capture holds fewer bytes than the IP length says
  ByteView src, dst;         // addresses (4 or 16 bytes)

  // Fragmentation (RFC 791 §3.2; RFC 8200 §4.5).
  bool is_fragment = false;
  uint32_t fragment_id = 0;
  size_t fragment_offset = 0;  // in bytes
  bool more_fragments = false;
  size_t unfragmentable_length = 0;       // IPv6: bytes before the Fragment header
  size_t fragment_header_offset = 0;      // IPv6: where the Fragment header starts
  size_t fragment_next_header_field = 0;  // IPv6: the byte that names the Fragment header
};

// Parses the datagram at the start of `payload` (a frame's link payload). Bytes beyond the IP
// length are link padding and are not part of the datagram.
// Errors: kTruncated (header cut short), kMalformed (wrong version, IHL < 5, IP length below
// the header, extension headers running past the end).
Result<Datagram> ParseDatagram(ByteView payload, NetworkProtocol protocol);

}  // namespace llmstack

#endif  // LLMSTACK_PACKET_IP_H_
