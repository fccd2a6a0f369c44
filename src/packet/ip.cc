#include "packet/ip.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace llmstack {

namespace {

// RFC 8200 §4 extension headers that can be skipped to reach the upper layer.
constexpr uint8_t kHopByHop = 0;
constexpr uint8_t kRouting = 43;
constexpr uint8_t kFragment = 44;
constexpr uint8_t kAuthentication = 51;  // RFC 4302: length in 4-octet units minus 2
constexpr uint8_t kDestinationOptions = 60;
constexpr int kMaxExtensionHeaders = 16;

// Fills the one result it returns in place (Result in base/status.h tells why).
Result<Datagram> ParseIpv4(ByteView payload) {
  Result<Datagram> out(std::in_place);
  Result<Ipv4Header> header = ReadIpv4Header(payload);
  if (!header.ok()) {
    out = header.status();
    return out;
  }
  const Ipv4Header& h = *header;
  if (h.version != 4) {
    out = Malformed("IPv4 version field is " + std::to_string(h.version));
  } else if (h.ihl < 5) {
    out =
        Malformed("IPv4 header length " + std::to_string(h.header_length()) + " is below 20 bytes");
  } else if (h.total_length < h.header_length()) {
    out = Malformed("IPv4 total length " + std::to_string(h.total_length) +
                    " is below the header length " + std::to_string(h.header_length()));
  } else if (payload.size() < h.header_length()) {
    out = Truncated("IPv4 header of " + std::to_string(h.header_length()) + " bytes cut short at " +
                    std::to_string(payload.size()));
  } else {
    Datagram& d = *out;
    d.family = IpFamily::kIpv4;
    d.truncated = payload.size() < h.total_length;
    d.bytes = payload.first(d.truncated ? payload.size() : h.total_length);
    d.header_length = h.header_length();
    d.protocol = h.protocol;
    d.upper = d.bytes.subspan(d.header_length);
    d.src = payload.subspan(12, 4);
    d.dst = payload.subspan(16, 4);
    d.is_fragment = h.more_fragments || h.fragment_offset != 0;
    d.fragment_id = h.id;
    d.fragment_offset = size_t{h.fragment_offset} * 8;
    d.more_fragments = h.more_fragments;
    d.unfragmentable_length = d.header_length;
  }
  return out;
}

Result<Datagram> ParseIpv6(ByteView payload) {
  Result<Datagram> out(std::in_place);
  Result<Ipv6Header> header = ReadIpv6Header(payload);
  if (!header.ok()) {
    out = header.status();
    return out;
  }
  const Ipv6Header& h = *header;
  if (h.version != 6) {
    out = Malformed("IPv6 version field is " + std::to_string(h.version));
    return out;
  }
  Datagram& d = *out;
  d.family = IpFamily::kIpv6;
  size_t total = 40 + size_t{h.payload_length};
  d.truncated = payload.size() < total;
  d.bytes = payload.first(d.truncated ? payload.size() : total);
  d.src = payload.subspan(8, 16);
  d.dst = payload.subspan(24, 16);

  uint8_t next = h.next_header;
  size_t offset = 40;
  size_t next_header_field = 6;
  for (int count = 0;; ++count) {
    if (next != kHopByHop && next != kRouting && next != kFragment && next != kAuthentication &&
        next != kDestinationOptions) {
      break;
    }
    if (count == kMaxExtensionHeaders) {
      out = Malformed("more than " + std::to_string(kMaxExtensionHeaders) +
                      " IPv6 extension headers");
      return out;
    }
    uint8_t following, length_field;
    ByteReader r(d.bytes.subspan(std::min(offset, d.bytes.size())));
    if (!r.ReadU8(&following) || !r.ReadU8(&length_field)) {
      if (d.truncated) break;  // cut by the capture: the upper layer is simply not there
      out = Malformed("IPv6 extension header runs past the end of the datagram");
      return out;
    }
    size_t length = next == kFragment         ? 8
                    : next == kAuthentication ? (size_t{length_field} + 2) * 4
                                              : (size_t{length_field} + 1) * 8;
    if (next == kFragment) {
      uint16_t offset_flags;
      uint32_t id;
      if (!r.ReadBe16(&offset_flags) || !r.ReadBe32(&id)) {
        if (d.truncated) break;
        out = Malformed("IPv6 Fragment header runs past the end of the datagram");
        return out;
      }
      d.is_fragment = true;
      d.fragment_header_offset = offset;
      d.fragment_next_header_field = next_header_field;
      d.unfragmentable_length = offset;
      d.fragment_offset = size_t{static_cast<uint16_t>(offset_flags >> 3)} * 8;
      d.more_fragments = offset_flags & 1;
      d.fragment_id = id;
    }
    if (d.bytes.size() - std::min(offset, d.bytes.size()) < length) {
      if (d.truncated) break;
      out = Malformed("IPv6 extension header runs past the end of the datagram");
      return out;
    }
    next_header_field = offset;
    offset += length;
    next = following;
    // The headers after a Fragment header are part of the fragmentable part (RFC 8200 4.5):
    // they are read once the datagram is reassembled (a first fragment may hold only part of
    // them, RFC 7112).
    if (d.is_fragment && (d.fragment_offset != 0 || d.more_fragments)) break;
  }
  d.header_length = std::min(offset, d.bytes.size());
  d.protocol = next;
  d.upper = d.bytes.subspan(d.header_length);
  if (!d.is_fragment) d.unfragmentable_length = d.header_length;
  return out;
}

}  // namespace

const char* FamilyName(IpFamily family) { return family == IpFamily::kIpv4 ? "ipv4" : "ipv6"; }

Result<Ipv4Header> ReadIpv4Header(ByteView bytes) {
  Result<Ipv4Header> out(std::in_place);
  // Checked once here, the reader's checks on the fixed 20 bytes below fold away.
  if (bytes.size() < 20) {
    out = Truncated("IPv4 header cut short at " + std::to_string(bytes.size()) + " of 20 bytes");
    return out;
  }
  ByteReader r(bytes.first<20>());
  Ipv4Header& h = *out;
  uint8_t version_ihl, protocol_byte;
  uint16_t flags_offset;
  ByteView src, dst;
  if (!r.ReadU8(&version_ihl) || !r.ReadU8(&h.tos) || !r.ReadBe16(&h.total_length) ||
      !r.ReadBe16(&h.id) || !r.ReadBe16(&flags_offset) || !r.ReadU8(&h.ttl) ||
      !r.ReadU8(&protocol_byte) || !r.ReadBe16(&h.checksum) || !r.ReadBytes(4, &src) ||
      !r.ReadBytes(4, &dst)) {
    out = Truncated("IPv4 header cut short of 20 bytes");  // not reached: checked above
    return out;
  }
  h.version = version_ihl >> 4;
  h.ihl = version_ihl & 0xf;
  h.protocol = protocol_byte;
  h.reserved_flag = flags_offset & 0x8000;
  h.dont_fragment = flags_offset & 0x4000;
  h.more_fragments = flags_offset & 0x2000;
  h.fragment_offset = flags_offset & 0x1fff;
  std::memcpy(h.src.data(), src.data(), 4);
  std::memcpy(h.dst.data(), dst.data(), 4);
  if (h.header_length() > 20 && bytes.size() >= h.header_length()) {
    h.options = bytes.subspan(20, h.header_length() - 20);
  }
  return out;
}

Result<std::vector<Ipv4Option>> ParseIpv4Options(ByteView options, size_t first_offset) {
  std::vector<Ipv4Option> out;
  size_t i = 0;
  while (i < options.size()) {
    uint8_t type = options[i];
    if (type == kIpOptEnd || type == kIpOptNop) {
      out.push_back({type, first_offset + i, options.subspan(i, 1)});
      ++i;
      if (type == kIpOptEnd) {
        // The rest is padding after the end of the option list.
        break;
      }
      continue;
    }
    if (i + 1 >= options.size()) {
      return Malformed("IPv4 option " + std::to_string(type) + " at offset " +
                       std::to_string(first_offset + i) + " has no length byte");
    }
    uint8_t length = options[i + 1];
    if (length < 2 || i + length > options.size()) {
      return Malformed("IPv4 option " + std::to_string(type) + " at offset " +
                       std::to_string(first_offset + i) + " has length " + std::to_string(length) +
                       ", outside the header");
    }
    out.push_back({type, first_offset + i, options.subspan(i, length)});
    i += length;
  }
  return out;
}

Result<Ipv6Header> ReadIpv6Header(ByteView bytes) {
  Result<Ipv6Header> out(std::in_place);
  ByteReader r(bytes);
  Ipv6Header& h = *out;
  uint32_t first;
  ByteView src, dst;
  if (!r.ReadBe32(&first) || !r.ReadBe16(&h.payload_length) || !r.ReadU8(&h.next_header) ||
      !r.ReadU8(&h.hop_limit) || !r.ReadBytes(16, &src) || !r.ReadBytes(16, &dst)) {
    out = Truncated("IPv6 header cut short at " + std::to_string(bytes.size()) + " of 40 bytes");
    return out;
  }
  h.version = static_cast<uint8_t>(first >> 28);
  h.traffic_class = static_cast<uint8_t>(first >> 20);
  h.flow_label = first & 0xfffff;
  std::memcpy(h.src.data(), src.data(), 16);
  std::memcpy(h.dst.data(), dst.data(), 16);
  return out;
}

bool IsMulticastAddress(ByteView a) {
  if (a.size() == 4) return (a[0] & 0xf0) == 0xe0;
  return a.size() == 16 && a[0] == 0xff;
}

bool IsLimitedBroadcast(ByteView a) {
  return a.size() == 4 && a[0] == 0xff && a[1] == 0xff && a[2] == 0xff && a[3] == 0xff;
}

bool IsUnspecifiedAddress(ByteView a) {
  if (a.size() != 4 && a.size() != 16) return false;
  return std::all_of(a.begin(), a.end(), [](uint8_t b) { return b == 0; });
}

std::string FormatIpv4(const std::array<uint8_t, 4>& a) {
  return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
         std::to_string(a[3]);
}

std::string FormatIpv6(const std::array<uint8_t, 16>& a) {
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, a.data(), buf, sizeof buf) == nullptr) return "?";
  return buf;
}

std::string FormatAddress(ByteView address) {
  if (address.size() == 4) {
    std::array<uint8_t, 4> a;
    std::memcpy(a.data(), address.data(), 4);
    return FormatIpv4(a);
  }
  if (address.size() == 16) {
    std::array<uint8_t, 16> a;
    std::memcpy(a.data(), address.data(), 16);
    return FormatIpv6(a);
  }
  return HexEncode(address);
}

Result<Datagram> ParseDatagram(ByteView payload, NetworkProtocol protocol) {
  if (protocol == NetworkProtocol::kIpv4) return ParseIpv4(payload);
  if (protocol == NetworkProtocol::kIpv6) return ParseIpv6(payload);
  return Unsupported("not an IP datagram");
}

}  // namespace llmstack
