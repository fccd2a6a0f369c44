// The host-requirement rules (src/grade/host_rules): each class the kernel recording showed,
// with its id and clause, under rfc and linux.
#include "grade/host_rules.h"

#include <catch2/catch.hpp>

#include "grade/responder.h"
#include "packet/option_echo.h"
#include "test_support.h"

namespace llmstack {
namespace {

// An IPv4 echo request 198.51.100.7 > 192.0.2.1 with `options`, checksums right.
EchoPacket Ipv4Request(const Bytes& options, uint8_t dst_last = 1, uint8_t src_first = 198) {
  Bytes d = {static_cast<uint8_t>(0x45 + options.size() / 4),
             0,
             0,
             0,
             0,
             0,
             0,
             0,
             64,
             1,
             0,
             0,
             src_first,
             51,
             100,
             7,
             192,
             0,
             2,
             dst_last};
  d.insert(d.end(), options.begin(), options.end());
  size_t header = d.size();
  Bytes icmp = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'a', 'b', 'c', 'd'};
  d.insert(d.end(), icmp.begin(), icmp.end());
  PutBe16(d, 2, static_cast<uint16_t>(d.size()));
  RefreshChecksums(d, IpFamily::kIpv4, header);
  Result<EchoPacket> p = EchoPacketFromDatagram(d);
  REQUIRE(p.ok());
  return *p;
}

// An IPv6 echo request 2001:db8:2::7 > 2001:db8:1::1 behind `extensions` (the first one's
// type in `first`).
EchoPacket Ipv6Request(uint8_t first, const Bytes& extensions, uint8_t src_first = 0x20) {
  Bytes d = {0x60, 0, 0, 0, 0, 0, first, 64};
  Bytes src = {src_first, 1, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
  Bytes dst = {0x20, 1, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (src_first == 0) src.assign(16, 0);
  d.insert(d.end(), src.begin(), src.end());
  d.insert(d.end(), dst.begin(), dst.end());
  d.insert(d.end(), extensions.begin(), extensions.end());
  size_t header = d.size();
  Bytes icmp = {128, 0, 0, 0, 0x12, 0x34, 0, 1, 'a', 'b'};
  d.insert(d.end(), icmp.begin(), icmp.end());
  PutBe16(d, 4, static_cast<uint16_t>(d.size() - 40));
  RefreshChecksums(d, IpFamily::kIpv6, header);
  Result<EchoPacket> p = EchoPacketFromDatagram(d);
  REQUIRE(p.ok());
  return *p;
}

TEST_CASE("host rules: IPv6 option actions and header order (RFC 8200)", "[host_rules]") {
  // Hop-by-Hop: option 0x7e (action 01) with 4 bytes of data.
  EchoPacket discard = Ipv6Request(0, {58, 0, 0x7e, 4, 1, 2, 3, 4});
  for (Profile profile : {Profile::kRfc, Profile::kLinux}) {
    RequestAssessment a = AssessRequest(discard, profile);
    CHECK(a.expectation == ReplyExpectation::kForbidden);
    CHECK(a.why_silent == "ipv6-option-discard (RFC 8200 4.2): option 0x7e, action 01");
  }
  // Action 00: skipped, answered.
  CHECK(AssessRequest(Ipv6Request(0, {58, 0, 0x1e, 4, 1, 2, 3, 4}), Profile::kLinux).expectation ==
        ReplyExpectation::kRequired);
  // An option that runs past its header.
  CHECK(AssessRequest(Ipv6Request(60, {58, 0, 0x1e, 9, 1, 2, 3, 4}), Profile::kLinux).rule ==
        HostRule::kIpv6OptionPastHeader);
  // Hop-by-Hop after Destination Options.
  CHECK(AssessRequest(Ipv6Request(60, {0, 0, 1, 4, 0, 0, 0, 0, 58, 0, 1, 4, 0, 0, 0, 0}),
                      Profile::kRfc)
            .rule == HostRule::kIpv6HopByHopNotFirst);
  // Routing header: Segments Left > 0 is discarded; type 0 with 0 left is ignored; an SRH is
  // dropped by Linux (seg6_enabled=0) whatever is left.
  Bytes rh = {58, 2, 0, 1, 0, 0, 0, 0};
  rh.resize(24, 0);
  CHECK(AssessRequest(Ipv6Request(43, rh), Profile::kLinux).rule ==
        HostRule::kIpv6RoutingSegmentsLeft);
  rh[3] = 0;
  CHECK(AssessRequest(Ipv6Request(43, rh), Profile::kLinux).expectation ==
        ReplyExpectation::kRequired);
  rh[2] = 4;
  CHECK(AssessRequest(Ipv6Request(43, rh), Profile::kLinux).rule == HostRule::kIpv6RoutingDisabled);
  CHECK(AssessRequest(Ipv6Request(43, rh), Profile::kRfc).expectation ==
        ReplyExpectation::kRequired);
  // The unspecified source: Linux answers it.
  EchoPacket unspecified = Ipv6Request(58, {}, 0);
  CHECK(AssessRequest(unspecified, Profile::kLinux).expectation == ReplyExpectation::kRequired);
  CHECK(AssessRequest(unspecified, Profile::kRfc).rule == HostRule::kIpv6UnspecifiedSource);
}

TEST_CASE("host rules: IPv4 addresses and link-layer broadcasts", "[host_rules]") {
  CHECK(AssessRequest(Ipv4Request({}, 1, 127), Profile::kLinux).rule == HostRule::kLoopbackAddress);
  CHECK(AssessRequest(Ipv4Request({}, 1, 240), Profile::kLinux).expectation ==
        ReplyExpectation::kRequired);  // class E source: Linux answers
  EchoPacket in_broadcast = Ipv4Request({});
  in_broadcast.link_broadcast = true;
  RequestAssessment under_linux = AssessRequest(in_broadcast, Profile::kLinux);
  CHECK(under_linux.expectation == ReplyExpectation::kOptional);
  CHECK(under_linux.why_silent.starts_with("link-broadcast-unicast (RFC 1122 3.3.6)"));
  CHECK(AssessRequest(in_broadcast, Profile::kRfc).expectation == ReplyExpectation::kForbidden);
  EchoPacket oversize = Ipv4Request({});
  oversize.oversize = true;
  CHECK(AssessRequest(oversize, Profile::kLinux).rule == HostRule::kOversizeDatagram);
}

TEST_CASE("host rules: IPv4 options under linux as the kernel takes them", "[host_rules]") {
  // Timestamp flag 2 (undefined): the kernel accepts and copies it; rfc discards it.
  EchoPacket flag2 = Ipv4Request({68, 12, 5, 0x02, 0, 0, 0, 0, 0, 0, 0, 0});
  CHECK(AssessRequest(flag2, Profile::kLinux).expectation == ReplyExpectation::kRequired);
  CHECK(AssessRequest(flag2, Profile::kRfc).rule == HostRule::kIpv4OptionMalformed);
  // CIPSO: a Parameter Problem from Linux.
  EchoPacket cipso = Ipv4Request({134, 10, 0, 0, 0, 3, 1, 4, 0, 1, 0, 0});
  CHECK(AssessRequest(cipso, Profile::kLinux).rule == HostRule::kIpv4OptionCipso);
  // Record Route of 2 slots and 2 bytes over, pointer at the last whole slot: the receive
  // entry fits, the echo's does not (half a slot left): no reply.
  EchoPacket no_room = Ipv4Request({7, 13, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  CHECK(AssessRequest(no_room, Profile::kLinux).rule == HostRule::kIpv4OptionNoRoom);
  // Prespecified Timestamp naming another host first: not stamped, pointer kept.
  Bytes prespecified = {68, 20, 5, 0x03, 198, 51, 100, 9, 0, 0, 0, 0, 192, 0, 2, 1, 0, 0, 0, 0};
  Result<OptionEcho> echo = EchoIpv4Options(prespecified, Bytes{198, 51, 100, 7},
                                            Bytes{192, 0, 2, 1}, 1234, OptionEchoStyle::kLinux);
  REQUIRE(echo.ok());
  CHECK(HexEncode(echo->options) == HexEncode(prespecified));
  // A full prespecified Timestamp keeps its overflow count; a full flag-0 one counts a hop.
  Bytes full3 = {68, 12, 13, 0x33, 1, 2, 3, 4, 0, 0, 0, 0};
  echo = EchoIpv4Options(full3, Bytes{198, 51, 100, 7}, Bytes{192, 0, 2, 1}, 0,
                         OptionEchoStyle::kLinux);
  REQUIRE(echo.ok());
  CHECK(HexEncode(echo->options) == HexEncode(full3));
  Bytes full0 = {68, 8, 9, 0x30, 1, 2, 3, 4};
  echo = EchoIpv4Options(full0, Bytes{198, 51, 100, 7}, Bytes{192, 0, 2, 1}, 0,
                         OptionEchoStyle::kLinux);
  REQUIRE(echo.ok());
  CHECK(HexEncode(echo->options) == "4408094001020304");
}

TEST_CASE("host rules: every rule has an id and a clause", "[host_rules]") {
  size_t count = 0;
  const HostRuleInfo* table = HostRuleTable(&count);
  CHECK(count == static_cast<size_t>(HostRule::kCount));
  for (size_t i = 1; i < count; ++i) {
    INFO(i);
    CHECK(std::string(table[i].id).size() > 3);
    CHECK(std::string(table[i].clause).size() > 3);
    CHECK(HostRuleOf(table[i].rule).id == table[i].id);
  }
}

}  // namespace
}  // namespace llmstack
