// Pairing replies with requests (DESIGN §5): swapped addresses + identifier + sequence first,
// first in first out; then three of four; never by checksum.
#include "grade/reply_pairing.h"

#include <catch2/catch.hpp>

#include "grade/responder.h"
#include "packet/icmp.h"
#include "test_support.h"

namespace llmstack {
namespace {

using testing::kExperimentRequest;
using testing::Packet;

// An echo datagram from `src` to `dst` (last address bytes), of `type`, with id and seq.
EchoPacket Echo(uint8_t src, uint8_t dst, uint8_t type, uint16_t ident, uint16_t seq,
                uint8_t data = 0, uint8_t dst_first = 192) {
  Bytes d = testing::Hex(
      "4500001d0000000040010000c0000200c0000200"
      "0000000000000000"
      "00");
  d[15] = src;
  d[16] = dst_first;
  if (dst_first != 192) d[17] = d[18] = 0;
  d[19] = dst;
  d[20] = type;
  PutBe16(d, 24, ident);
  PutBe16(d, 26, seq);
  d[28] = data;
  RefreshChecksums(d, IpFamily::kIpv4, 20);
  return Packet(HexEncode(d));
}

TEST_CASE("exact key first, first in first out", "[pairing]") {
  ReplyPairer p;
  p.AddRequest(0, Echo(1, 2, 8, 7, 1, 'a'));
  p.AddRequest(1, Echo(1, 2, 8, 7, 1, 'b'));
  p.AddRequest(2, Echo(1, 2, 8, 7, 2));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 2)) == std::optional<uint64_t>(2));
  // Same key, different data: the oldest request first, whatever the reply's data.
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 1, 'b')) == std::optional<uint64_t>(0));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 1, 'a')) == std::optional<uint64_t>(1));
  CHECK(p.waiting() == 0);
  CHECK_FALSE(p.MatchReply(Echo(2, 1, 0, 7, 1)).has_value());
}

TEST_CASE("three of four: the oldest unanswered request that matches", "[pairing]") {
  ReplyPairer p;
  p.AddRequest(10, Echo(1, 2, 8, 7, 1));
  p.AddRequest(11, Echo(1, 2, 8, 7, 2));
  p.AddRequest(12, Echo(1, 3, 8, 9, 5));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 99)) == std::optional<uint64_t>(10));  // seq wrong
  CHECK(p.MatchReply(Echo(3, 1, 0, 4, 5)) == std::optional<uint64_t>(12));   // ident wrong
  CHECK(p.MatchReply(Echo(9, 1, 0, 7, 2)) == std::optional<uint64_t>(11));   // source wrong
  // Two of four is not enough.
  p.AddRequest(13, Echo(1, 2, 8, 7, 3));
  CHECK_FALSE(p.MatchReply(Echo(9, 1, 0, 8, 3)).has_value());
  CHECK(p.Unanswered() == std::vector<uint64_t>{13});
}

TEST_CASE("a reply whose addresses were not swapped still finds its request", "[pairing]") {
  ReplyPairer p;
  p.AddRequest(0, Echo(1, 2, 8, 7, 1));
  p.AddRequest(1, Echo(1, 2, 8, 7, 2));
  CHECK(p.MatchReply(Echo(1, 2, 0, 7, 2)) == std::optional<uint64_t>(1));
}

TEST_CASE("a request to a group address is answered from a unicast one", "[pairing]") {
  ReplyPairer p;
  p.AddRequest(0, Echo(1, 2, 8, 7, 1));          // unicast, unanswered: bad checksum, say
  p.AddRequest(1, Echo(1, 1, 8, 7, 4, 0, 224));  // to 224.0.0.1
  // Exact on destination, identifier and sequence, any source: not three-of-four with #0.
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 4)) == std::optional<uint64_t>(1));
  CHECK(p.Unanswered() == std::vector<uint64_t>{0});
}

TEST_CASE("a type-8 packet going back with the exact swapped key answers the request",
          "[pairing]") {
  ReplyPairer p;
  EchoPacket request = Packet(kExperimentRequest);
  p.AddRequest(0, request);
  Bytes back = request.datagram;
  std::swap_ranges(back.begin() + 12, back.begin() + 16, back.begin() + 16);
  EchoPacket unchanged = Packet(HexEncode(back));
  REQUIRE(unchanged.is_request());
  CHECK_FALSE(p.MatchUnchangedType(request).has_value());  // the same way: a new request
  CHECK(p.MatchUnchangedType(unchanged) == std::optional<uint64_t>(0));
  // Only the exact key: a type-8 packet with another sequence is a request of its own.
  p.AddRequest(1, request);
  back[27] ^= 1;
  RefreshChecksums(back, IpFamily::kIpv4, 20);
  CHECK_FALSE(p.MatchUnchangedType(Packet(HexEncode(back))).has_value());
}

TEST_CASE("a reply with a wrong checksum pairs all the same", "[pairing]") {
  ReplyPairer p;
  EchoPacket request = Packet(kExperimentRequest);
  p.AddRequest(5, request);
  Bytes reply = *BuildReferenceReply(request, Profile::kRfc);
  PutBe16(reply, 22, 0x54f5);  // not updated after the type change
  CHECK(p.MatchReply(Packet(HexEncode(reply))) == std::optional<uint64_t>(5));
}

}  // namespace
}  // namespace llmstack
