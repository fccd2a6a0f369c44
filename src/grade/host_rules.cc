#include "grade/host_rules.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "packet/checksum.h"
#include "packet/icmp.h"
#include "packet/ip.h"
#include "packet/option_echo.h"

namespace llmstack {

namespace {

using E = ReplyExpectation;
constexpr E kReq = E::kRequired, kNo = E::kForbidden, kMay = E::kOptional;

// Checked in this order; the columns are `rfc` (also `dunkels`) and `linux`. Linux means the
// kernel with a fresh network namespace's defaults (tests/differential measures it).
constexpr HostRuleInfo kRules[] = {
    {HostRule::kNone, "", "", kReq, kReq},
    {HostRule::kCapturedShort, "captured-short", "cut by the capture's snaplen", kNo, kNo},
    {HostRule::kIpHeaderChecksum, "ip-header-checksum", "RFC 1122 3.2.1.2", kNo, kNo},
    {HostRule::kLengthPastFrame, "ip-length-past-frame", "RFC 1122 3.2.1.1", kNo, kNo},
    {HostRule::kOversizeDatagram, "oversize-datagram", "RFC 791 3.1, RFC 8200 4.5", kNo, kNo},
    {HostRule::kIcmpChecksum, "icmp-checksum", "RFC 792, RFC 4443 2.3", kNo, kNo},
    {HostRule::kIpv4BroadcastDestination, "ipv4-broadcast-destination", "RFC 1122 3.2.2.6", kNo,
     kNo},
    {HostRule::kIpv4MulticastDestination, "ipv4-multicast-destination", "RFC 1122 3.2.2.6", kNo,
     kNo},
    {HostRule::kLoopbackAddress, "loopback-address", "RFC 1122 3.2.1.3, RFC 4291 2.5.3", kNo, kNo},
    {HostRule::kThisNetworkDestination, "this-network-destination", "RFC 1122 3.2.1.3", kNo, kNo},
    {HostRule::kIpv4UnspecifiedSource, "ipv4-unspecified-source", "RFC 1122 3.2.1.3", kNo, kNo},
    {HostRule::kThisNetworkSource, "this-network-source", "RFC 1122 3.2.1.3", kNo, kReq},
    {HostRule::kReservedDestination, "reserved-destination", "RFC 1112 4, RFC 6890", kNo, kNo},
    {HostRule::kGroupSource, "group-source", "RFC 1122 3.2.1.3, RFC 4291 2.7", kNo, kNo},
    {HostRule::kSourceIsDestination, "source-is-destination", "RFC 1122 3.2.1.3", kNo, kNo},
    {HostRule::kIpv6UnspecifiedSource, "ipv6-unspecified-source", "RFC 4291 2.5.2", kNo, kReq},
    {HostRule::kIpv6UnspecifiedDestination, "ipv6-unspecified-destination", "RFC 4291 2.5.2", kNo,
     kNo},
    {HostRule::kIpv6MappedDestination, "ipv6-mapped-destination", "RFC 4291 2.5.5.2", kNo, kNo},
    {HostRule::kIpv6MulticastScope, "ipv6-multicast-scope", "RFC 4291 2.7", kNo, kNo},
    {HostRule::kIpv6MulticastDestination, "ipv6-multicast-destination", "RFC 4443 4.2", kMay, kMay},
    {HostRule::kIpv6SubnetRouterAnycast, "ipv6-subnet-router-anycast", "RFC 4291 2.6.1", kMay, kNo},
    {HostRule::kIpv6FirstFragmentIncomplete, "ipv6-first-fragment-incomplete",
     "RFC 8200 4.5, RFC 7112", kNo, kNo},
    {HostRule::kIpv6HopByHopNotFirst, "ipv6-hop-by-hop-not-first", "RFC 8200 4.1", kNo, kNo},
    {HostRule::kIpv6OptionPastHeader, "ipv6-option-past-header", "RFC 8200 4.2", kNo, kNo},
    {HostRule::kIpv6OptionDiscard, "ipv6-option-discard", "RFC 8200 4.2", kNo, kNo},
    {HostRule::kIpv6OptionInvalid, "ipv6-option-invalid", "RFC 2711, RFC 2675, RFC 9486", kNo, kNo},
    {HostRule::kIpv6OptionPadding, "ipv6-option-padding", "RFC 4942 2.1.9.5", kReq, kNo},
    {HostRule::kIpv6OptionCount, "ipv6-option-count", "RFC 8504 5.3", kReq, kNo},
    {HostRule::kIpv6RoutingToGroup, "ipv6-routing-to-group", "RFC 4291 2.7, RFC 8200 4.4", kReq,
     kNo},
    {HostRule::kIpv6RoutingDisabled, "ipv6-routing-disabled", "RFC 8754 4.3, RFC 6554 4.2", kReq,
     kNo},
    {HostRule::kIpv6RoutingSegmentsLeft, "ipv6-routing-segments-left", "RFC 8200 4.4, RFC 5095 3",
     kNo, kNo},
    {HostRule::kLinkBroadcastUnicast, "link-broadcast-unicast", "RFC 1122 3.3.6", kNo, kMay},
    {HostRule::kIpv4OptionMalformed, "ipv4-option-malformed", "RFC 791 3.1, RFC 1122 3.2.2.5", kNo,
     kNo},
    {HostRule::kIpv4OptionCipso, "ipv4-option-cipso", "FIPS 188, RFC 1122 3.2.2.5", kReq, kNo},
    {HostRule::kIpv4OptionNoRoom, "ipv4-option-no-room", "RFC 1122 3.2.2.6", kReq, kNo},
    {HostRule::kSourceRouteIncomplete, "source-route-incomplete", "RFC 1122 3.2.1.8", kNo, kNo},
    {HostRule::kSourceRouted, "source-routed", "RFC 1122 3.2.2.6, RFC 7126 4.3", kMay, kNo},
};
static_assert(sizeof(kRules) / sizeof(kRules[0]) == static_cast<size_t>(HostRule::kCount));

std::string Hex8(unsigned value) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%02x", value & 0xffu);
  return b;
}

class Findings {
 public:
  explicit Findings(Profile profile) : profile_(profile) {}

  // Records that `rule` applies; true when it forbids a reply (no later rule matters).
  bool Hit(HostRule rule, std::string detail = {}) {
    const HostRuleInfo& info = HostRuleOf(rule);
    E e = profile_ == Profile::kLinux ? info.under_linux : info.under_rfc;
    if (e == kReq || forbidden_.rule != HostRule::kNone) return forbidden_.rule != HostRule::kNone;
    HostRuleFinding& slot = e == kNo ? forbidden_ : optional_;
    if (slot.rule == HostRule::kNone) slot = {rule, e, std::move(detail)};
    return e == kNo;
  }
  HostRuleFinding Decision() && {
    return std::move(forbidden_.rule != HostRule::kNone ? forbidden_ : optional_);
  }
  Profile profile() const { return profile_; }

 private:
  Profile profile_;
  HostRuleFinding forbidden_, optional_;
};

bool SameAddress(ByteView a, ByteView b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// IPv4 addresses RFC 1122 §3.2.1.3 and RFC 6890 keep off the wire as a destination or source.
bool CheckIpv4Addresses(const EchoPacket& r, Findings& f) {
  ByteView src = r.src(), dst = r.dst();
  if (IsLimitedBroadcast(dst) && f.Hit(HostRule::kIpv4BroadcastDestination, "255.255.255.255")) {
    return true;
  }
  if (IsMulticastAddress(dst) && f.Hit(HostRule::kIpv4MulticastDestination, FormatAddress(dst))) {
    return true;
  }
  if ((dst[0] == 127 || src[0] == 127) &&
      f.Hit(HostRule::kLoopbackAddress, dst[0] == 127 ? "destination" : "source")) {
    return true;
  }
  if (dst[0] == 0 && f.Hit(HostRule::kThisNetworkDestination, FormatAddress(dst))) return true;
  if (dst[0] >= 240 && !IsLimitedBroadcast(dst) &&
      f.Hit(HostRule::kReservedDestination, FormatAddress(dst) + " (240.0.0.0/4)")) {
    return true;
  }
  if (IsGroupAddress(src) && f.Hit(HostRule::kGroupSource, FormatAddress(src))) return true;
  // Linux takes only 0.0.0.0 for a martian source (ipv4_is_zeronet), not the rest of 0/8.
  if (IsUnspecifiedAddress(src) && f.Hit(HostRule::kIpv4UnspecifiedSource, "0.0.0.0")) {
    return true;
  }
  if (src[0] == 0 && f.Hit(HostRule::kThisNetworkSource, FormatAddress(src))) return true;
  if (SameAddress(src, dst) && f.Hit(HostRule::kSourceIsDestination, FormatAddress(src))) {
    return true;
  }
  // RFC 1122 §3.3.6: a unicast destination in a link-layer broadcast SHOULD be discarded.
  // Linux answers it when it is the host's address and ignores it when it is a subnet
  // broadcast (icmp_echo_ignore_broadcasts): which one, a capture cannot tell.
  if (r.link_broadcast && !IsGroupAddress(dst) &&
      f.Hit(HostRule::kLinkBroadcastUnicast, "to " + FormatAddress(dst))) {
    return true;
  }
  return false;
}

bool CheckIpv4Options(const EchoPacket& r, Findings& f) {
  if (r.header_length <= 20) return false;
  ByteView options = ByteView(r.datagram).subspan(20, r.header_length - 20);
  if (f.profile() == Profile::kLinux) {
    // net/ipv4/ip_options.c: CIPSO fails cipso_v4_validate() with no DOI configured (a
    // Parameter Problem); source routes are dropped (accept_source_route=0).
    Result<std::vector<Ipv4Option>> parsed = ParseIpv4Options(options);
    if (parsed.ok()) {
      for (const Ipv4Option& o : *parsed) {
        if (o.type == kIpOptCipso &&
            f.Hit(HostRule::kIpv4OptionCipso, "at byte " + std::to_string(o.offset))) {
          return true;
        }
      }
    }
  }
  OptionEchoStyle style =
      f.profile() == Profile::kLinux ? OptionEchoStyle::kLinux : OptionEchoStyle::kRfc;
  Result<OptionEcho> echo = EchoIpv4Options(options, r.src(), r.dst(), 0, style);
  if (!echo.ok()) {
    HostRule rule = echo.status().code() == StatusCode::kUnsupported
                        ? HostRule::kIpv4OptionNoRoom
                        : HostRule::kIpv4OptionMalformed;
    return f.Hit(rule, echo.status().message());
  }
  if (!echo->has_source_route || f.profile() == Profile::kDunkels) return false;
  if (f.profile() != Profile::kLinux && !echo->source_route_complete) {
    return f.Hit(HostRule::kSourceRouteIncomplete, "a host does not forward it");
  }
  return f.Hit(HostRule::kSourceRouted, f.profile() == Profile::kLinux
                                            ? "Linux drops it: accept_source_route=0"
                                            : "a reply, if sent, carries the route reversed");
}

// IPv6 addresses a host does not answer (RFC 4291).
bool CheckIpv6Addresses(const EchoPacket& r, Findings& f) {
  ByteView src = r.src(), dst = r.dst();
  auto is_loopback = [](ByteView a) {
    for (size_t i = 0; i < 15; ++i) {
      if (a[i] != 0) return false;
    }
    return a[15] == 1;
  };
  if (IsMulticastAddress(src) && f.Hit(HostRule::kGroupSource, FormatAddress(src))) return true;
  if ((is_loopback(src) || is_loopback(dst)) &&
      f.Hit(HostRule::kLoopbackAddress, is_loopback(dst) ? "destination ::1" : "source ::1")) {
    return true;
  }
  if (IsUnspecifiedAddress(dst) && f.Hit(HostRule::kIpv6UnspecifiedDestination, "::")) {
    return true;
  }
  if (IsUnspecifiedAddress(src) && f.Hit(HostRule::kIpv6UnspecifiedSource, "::")) return true;
  bool mapped = true;
  for (size_t i = 0; i < 12; ++i) mapped = mapped && dst[i] == (i < 10 ? 0 : 0xff);
  if (mapped && f.Hit(HostRule::kIpv6MappedDestination, FormatAddress(dst))) return true;
  if (SameAddress(src, dst) && f.Hit(HostRule::kSourceIsDestination, FormatAddress(src))) {
    return true;
  }
  if (IsMulticastAddress(dst)) {
    // RFC 4291 §2.7 and its erratum 3480: scope 0 is reserved, interface-local (1) never
    // leaves the node.
    unsigned scope = dst[1] & 0x0f;
    if (scope <= 1 && f.Hit(HostRule::kIpv6MulticastScope, "scope " + std::to_string(scope))) {
      return true;
    }
    // RFC 4443 §4.2: a reply SHOULD be sent, from a unicast address of the interface; Linux
    // answers groups it has joined (icmpv6_echo_ignore_multicast=0). Which those are, and
    // which address it uses, cannot be told here.
    return f.Hit(HostRule::kIpv6MulticastDestination, FormatAddress(dst));
  }
  bool zero_interface_id = !IsUnspecifiedAddress(dst);
  for (size_t i = 8; i < 16; ++i) zero_interface_id = zero_interface_id && dst[i] == 0;
  if (zero_interface_id && !mapped) {
    return f.Hit(HostRule::kIpv6SubnetRouterAnycast,
                 FormatAddress(dst) + " (only routers answer it; Linux forwarding=0)");
  }
  return false;
}

// Hop-by-Hop and Destination Options (RFC 8200 §4.2), as net/ipv6/exthdrs.c ip6_parse_tlv()
// reads them: padding of at most 7 bytes of zeros, at most 8 other options (RFC 8504 §5.3,
// max_hbh_opts_cnt / max_dst_opts_cnt), and the action bits of an option it does not know.
bool CheckTlvOptions(const EchoPacket& r, size_t at, size_t length, bool hop_by_hop, Findings& f) {
  ByteView d(r.datagram);
  size_t off = at + 2, left = length - 2;
  int padding = 0, options = 0;
  while (left > 0) {
    uint8_t type = d[off];
    if (type == 0) {  // Pad1
      if (++padding > 7 && f.Hit(HostRule::kIpv6OptionPadding, "more than 7 bytes of padding")) {
        return true;
      }
      ++off;
      --left;
      continue;
    }
    if (left < 2 || size_t{d[off + 1]} + 2 > left) {
      return f.Hit(HostRule::kIpv6OptionPastHeader,
                   "option " + Hex8(type) + " at byte " + std::to_string(off));
    }
    size_t option_length = size_t{d[off + 1]} + 2;
    if (type == 1) {  // PadN
      padding += static_cast<int>(option_length);
      bool zeros = true;
      for (size_t i = 2; i < option_length; ++i) zeros = zeros && d[off + i] == 0;
      if ((padding > 7 || !zeros) &&
          f.Hit(HostRule::kIpv6OptionPadding,
                padding > 7 ? "more than 7 bytes of padding" : "PadN not zero")) {
        return true;
      }
    } else {
      padding = 0;
      if (++options > 8 && f.Hit(HostRule::kIpv6OptionCount, "more than 8 options")) return true;
      bool on_linux = f.profile() == Profile::kLinux;
      if (hop_by_hop && type == 0x05) {  // Router Alert: RFC 2711, a 2-byte value
        if (option_length != 4 && f.Hit(HostRule::kIpv6OptionInvalid, "Router Alert length")) {
          return true;
        }
      } else if (hop_by_hop && type == 0xc2) {  // Jumbo Payload, RFC 2675 §3
        if (f.Hit(HostRule::kIpv6OptionInvalid, "Jumbo Payload in a datagram under 64 KiB")) {
          return true;
        }
      } else if (hop_by_hop && type == 0x31 && on_linux) {
        // IOAM (RFC 9486): Linux drops one that is not 4n-aligned, else ignores it
        // (ioam6_enabled=0).
        if (off % 4 != 0 && f.Hit(HostRule::kIpv6OptionInvalid, "IOAM option not 4n-aligned")) {
          return true;
        }
      } else if (on_linux && ((hop_by_hop && type == 0x07) || (!hop_by_hop && type == 0xc9))) {
        // CALIPSO with no DOI configured; Home Address with no binding.
        if (f.Hit(HostRule::kIpv6OptionInvalid, "option " + Hex8(type) + " not accepted")) {
          return true;
        }
      } else {
        unsigned action = type >> 6;
        if (action != 0 && f.Hit(HostRule::kIpv6OptionDiscard,
                                 "option " + Hex8(type) + ", action " +
                                     std::to_string(action >> 1) + std::to_string(action & 1))) {
          return true;
        }
      }
    }
    off += option_length;
    left -= option_length;
  }
  return false;
}

// The extension headers before the ICMPv6 message (RFC 8200 §4), in order.
bool CheckIpv6Extensions(const EchoPacket& r, Findings& f) {
  if (r.first_fragment_lacks_upper_header &&
      f.Hit(HostRule::kIpv6FirstFragmentIncomplete, "the ICMPv6 header is not in it")) {
    return true;
  }
  ByteView d(r.datagram);
  uint8_t next = d[6];
  size_t at = 40;
  bool first = true;
  while (next != kIpProtoIcmpv6 && at + 8 <= r.header_length && at + 8 <= d.size()) {
    size_t length = next == 44   ? 8
                    : next == 51 ? (size_t{d[at + 1]} + 2) * 4
                                 : (size_t{d[at + 1]} + 1) * 8;
    if (at + length > d.size()) break;
    if (next == 0 || next == 60) {
      if (next == 0 && !first &&
          f.Hit(HostRule::kIpv6HopByHopNotFirst, "at byte " + std::to_string(at))) {
        return true;
      }
      if (CheckTlvOptions(r, at, length, next == 0, f)) return true;
    } else if (next == 43) {
      uint8_t type = d[at + 2], segments_left = d[at + 3];
      std::string what =
          "type " + std::to_string(type) + ", Segments Left " + std::to_string(segments_left);
      // Linux (ipv6_rthdr_rcv): never for a multicast destination or a frame not addressed
      // to the host; SRH (type 4) and RPL (type 3) only with seg6_enabled / rpl_seg_enabled.
      if ((IsMulticastAddress(r.dst()) || r.link_broadcast) &&
          f.Hit(HostRule::kIpv6RoutingToGroup, what)) {
        return true;
      }
      if ((type == 3 || type == 4) && f.Hit(HostRule::kIpv6RoutingDisabled, what)) {
        return true;
      }
      if (segments_left > 0 && f.Hit(HostRule::kIpv6RoutingSegmentsLeft, what)) return true;
    }
    first = false;
    next = d[at];
    at += length;
  }
  return false;
}

}  // namespace

const HostRuleInfo& HostRuleOf(HostRule rule) {
  for (const HostRuleInfo& info : kRules) {
    if (info.rule == rule) return info;
  }
  return kRules[0];
}

const HostRuleInfo* HostRuleTable(size_t* count) {
  *count = sizeof(kRules) / sizeof(kRules[0]);
  return kRules;
}

std::string HostRuleFinding::Describe() const {
  if (rule == HostRule::kNone) return {};
  const HostRuleInfo& info = HostRuleOf(rule);
  std::string out = std::string(info.id) + " (" + info.clause + ")";
  if (!detail.empty()) out += ": " + detail;
  return out;
}

HostRuleFinding FindHostRule(const EchoPacket& r, Profile profile) {
  Findings f(profile);
  ByteView d(r.datagram);
  if (r.truncated) {
    f.Hit(HostRule::kCapturedShort);
    return std::move(f).Decision();
  }
  bool v4 = r.family == IpFamily::kIpv4;
  if (v4 && (r.header_length > d.size() || !ChecksumVerifies(d.first(r.header_length))) &&
      f.Hit(HostRule::kIpHeaderChecksum, "the header checksum does not verify")) {
    return std::move(f).Decision();
  }
  if (r.length_past_frame && f.Hit(HostRule::kLengthPastFrame)) return std::move(f).Decision();
  if (r.oversize && f.Hit(HostRule::kOversizeDatagram, "fragments reassemble past 65,535 bytes")) {
    return std::move(f).Decision();
  }
  if (!IcmpChecksumVerifies(r.family, r.src(), r.dst(), r.message()) &&
      f.Hit(HostRule::kIcmpChecksum,
            v4 ? "the ICMP checksum does not verify" : "the ICMPv6 checksum does not verify")) {
    return std::move(f).Decision();
  }
  if (r.src().empty() || r.dst().empty()) return std::move(f).Decision();
  if (v4) {
    if (CheckIpv4Addresses(r, f) || CheckIpv4Options(r, f)) return std::move(f).Decision();
  } else if (CheckIpv6Addresses(r, f) || CheckIpv6Extensions(r, f)) {
    return std::move(f).Decision();
  }
  return std::move(f).Decision();
}

}  // namespace llmstack
