// The IP and link parsers' answers on every path: a datagram whose fields are all set, and for
// each way a header can be wrong the error code and the words that say what is wrong, with no
// value left behind.
#include <catch2/catch.hpp>

#include "packet/ip.h"
#include "packet/link.h"
#include "packet_samples.h"

namespace llmstack {
namespace {

using testing::Hex;

// 192.0.2.1 -> 192.0.2.2, echo request, 8-byte ICMP message (RFC 791 §3.1 layout).
const char* kIpv4 = "4500001c000000004001f98cc0000201c00002020800f7ff00000000";
// 2001:db8::1 -> 2001:db8::2, echo request, 8-byte ICMPv6 message (RFC 8200 §3 layout).
const char* kIpv6Header = "60000000";
const char* kIpv6Addresses =
    "20010db8000000000000000000000001"
    "20010db8000000000000000000000002";

std::string Ipv6(const std::string& payload_length, const std::string& next_header,
                 const std::string& rest) {
  return std::string(kIpv6Header) + payload_length + next_header + "40" + kIpv6Addresses + rest;
}

void CheckFails(const Result<Datagram>& d, StatusCode code, const std::string& words) {
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().code() == code);
  CHECK_THAT(d.status().message(), Catch::Contains(words));
}

TEST_CASE("IPv4: a datagram's fields, and each header fault named", "[ip]") {
  Bytes good = Hex(std::string(kIpv4) + "0000");  // two bytes of link padding
  Result<Datagram> d = ParseDatagram(good, NetworkProtocol::kIpv4);
  REQUIRE(d.ok());
  CHECK(d->family == IpFamily::kIpv4);
  CHECK(d->bytes.size() == 28);  // the padding is not part of it
  CHECK(d->header_length == 20);
  CHECK(d->protocol == 1);
  CHECK(d->upper.size() == 8);
  CHECK_FALSE(d->truncated);
  CHECK(Bytes(d->src.begin(), d->src.end()) == Hex("c0000201"));
  CHECK(Bytes(d->dst.begin(), d->dst.end()) == Hex("c0000202"));
  CHECK_FALSE(d->is_fragment);
  CHECK(d->unfragmentable_length == 20);

  Bytes fragment = Hex(kIpv4);
  fragment[6] = 0x20;  // MF
  fragment[7] = 0x02;  // offset 2 (16 bytes)
  fragment[5] = 0x07;  // identification 7
  d = ParseDatagram(fragment, NetworkProtocol::kIpv4);
  REQUIRE(d.ok());
  CHECK(d->is_fragment);
  CHECK(d->more_fragments);
  CHECK(d->fragment_offset == 16);
  CHECK(d->fragment_id == 7);

  Bytes cut = Hex(kIpv4);
  cut.resize(24);
  d = ParseDatagram(cut, NetworkProtocol::kIpv4);
  REQUIRE(d.ok());
  CHECK(d->truncated);
  CHECK(d->bytes.size() == 24);

  // The good datagram with one byte changed, then cut to `keep` bytes (0: not cut).
  struct Fault {
    size_t at;
    uint8_t value;
    size_t keep;
    StatusCode code;
    std::string words;
  };
  const std::vector<Fault> faults = {
      {0, 0x45, 6, StatusCode::kTruncated, "IPv4 header cut short at 6 of 20 bytes"},
      {0, 0x55, 0, StatusCode::kMalformed, "IPv4 version field is 5"},
      {0, 0x44, 0, StatusCode::kMalformed, "IPv4 header length 16 is below 20 bytes"},
      {3, 0x10, 0, StatusCode::kMalformed, "IPv4 total length 16 is below the header length 20"},
      {0, 0x46, 22, StatusCode::kTruncated, "IPv4 header of 24 bytes cut short at 22"},
  };
  for (const Fault& f : faults) {
    INFO(f.words);
    Bytes bad = Hex(kIpv4);
    bad[f.at] = f.value;
    if (f.keep) bad.resize(f.keep);
    CheckFails(ParseDatagram(bad, NetworkProtocol::kIpv4), f.code, f.words);
  }
  CheckFails(ParseDatagram(Hex(kIpv4), NetworkProtocol::kOther), StatusCode::kUnsupported,
             "not an IP datagram");
}

TEST_CASE("IPv6: extension headers walked, and each header fault named", "[ip]") {
  // The datagram's views point into the bytes parsed: each is kept while it is looked at.
  const Bytes plain = Hex(Ipv6("0008", "3a", "8000000000000000"));
  Result<Datagram> d = ParseDatagram(plain, NetworkProtocol::kIpv6);
  REQUIRE(d.ok());
  CHECK(d->family == IpFamily::kIpv6);
  CHECK(d->header_length == 40);
  CHECK(d->protocol == 58);
  CHECK(d->src.size() == 16);
  CHECK(d->dst[15] == 2);

  // Hop-by-Hop (8 bytes) then Destination Options (8 bytes) then ICMPv6.
  const Bytes extended = Hex(Ipv6("0018", "00",
                                  "3c00010400000000"
                                  "3a00010400000000"
                                  "8000000000000000"));
  d = ParseDatagram(extended, NetworkProtocol::kIpv6);
  REQUIRE(d.ok());
  CHECK(d->header_length == 56);
  CHECK(d->protocol == 58);
  CHECK(d->upper.size() == 8);

  // A Fragment header: offset 0, more fragments, identification 0x01020304.
  const Bytes fragment = Hex(Ipv6("0010", "2c",
                                  "3a00000101020304"
                                  "8000000000000000"));
  d = ParseDatagram(fragment, NetworkProtocol::kIpv6);
  REQUIRE(d.ok());
  CHECK(d->is_fragment);
  CHECK(d->more_fragments);
  CHECK(d->fragment_id == 0x01020304u);
  CHECK(d->fragment_header_offset == 40);
  CHECK(d->unfragmentable_length == 40);

  CheckFails(ParseDatagram(Hex("6000000000083a40"), NetworkProtocol::kIpv6), StatusCode::kTruncated,
             "IPv6 header cut short at 8 of 40 bytes");
  CheckFails(ParseDatagram(Hex("7" + Ipv6("0008", "3a", "8000000000000000").substr(1)),
                           NetworkProtocol::kIpv6),
             StatusCode::kMalformed, "IPv6 version field is 7");
  std::string chain;
  for (int i = 0; i < 17; ++i) chain += "3c00010400000000";
  CheckFails(ParseDatagram(Hex(Ipv6("0088", "3c", chain)), NetworkProtocol::kIpv6),
             StatusCode::kMalformed, "more than 16 IPv6 extension headers");
  // A Destination Options header claiming 16 bytes where the datagram holds 8.
  CheckFails(ParseDatagram(Hex(Ipv6("0008", "3c", "3a01010400000000")), NetworkProtocol::kIpv6),
             StatusCode::kMalformed, "IPv6 extension header runs past the end of the datagram");
  // A Fragment header of 4 bytes where it needs 8.
  CheckFails(ParseDatagram(Hex(Ipv6("0004", "2c", "3a000001")), NetworkProtocol::kIpv6),
             StatusCode::kMalformed, "IPv6 Fragment header runs past the end of the datagram");
}

TEST_CASE("link frames: the header split off, and a frame cut inside it named", "[link]") {
  std::string frame_hex = "00005e00530200005e0053010800";
  frame_hex += kIpv4;
  Bytes frame = Hex(frame_hex);
  Result<LinkFrame> f = DecodeLinkFrame(LinkType::kEthernet, frame);
  REQUIRE(f.ok());
  CHECK(f->header.size() == 14);
  CHECK(f->payload.size() == 28);
  CHECK(f->protocol == NetworkProtocol::kIpv4);

  for (LinkType type : {LinkType::kEthernet, LinkType::kLinuxSll, LinkType::kLinuxSll2,
                        LinkType::kNull, LinkType::kLoop}) {
    Result<LinkFrame> cut = DecodeLinkFrame(type, Hex("0000"));
    REQUIRE_FALSE(cut.ok());
    CHECK(cut.status().code() == StatusCode::kTruncated);
    CHECK_FALSE(cut.status().message().empty());
  }
}

}  // namespace
}  // namespace llmstack
