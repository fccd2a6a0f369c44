// Pairing replies with requests (DESIGN §5): swapped addresses + identifier + sequence first,
// first in first out; then three of four; never by checksum.
#include "grade/reply_pairing.h"

#include <catch2/catch.hpp>
#include <ctime>

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

// The match of a reply that answers waiting request `index`.
std::optional<ReplyMatch> Answers(uint64_t index) { return ReplyMatch{index, false}; }
std::optional<ReplyMatch> Duplicates(uint64_t index) { return ReplyMatch{index, true}; }

TEST_CASE("exact key first, first in first out", "[pairing]") {
  ReplyPairer p;
  p.AddRequest(0, Echo(1, 2, 8, 7, 1, 'a'));
  p.AddRequest(1, Echo(1, 2, 8, 7, 1, 'b'));
  p.AddRequest(2, Echo(1, 2, 8, 7, 2));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 2)) == Answers(2));
  // Same key, different data: the oldest request first, whatever the reply's data.
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 1, 'b')) == Answers(0));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 1, 'a')) == Answers(1));
  CHECK(p.waiting() == 0);
  // A third reply with that key answers nothing new: a duplicate of the last one answered.
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 1)) == Duplicates(1));
  CHECK_FALSE(p.MatchReply(Echo(2, 1, 0, 8, 1)).has_value());
}

TEST_CASE("three of four: the oldest unanswered request that matches", "[pairing]") {
  ReplyPairer p;
  p.AddRequest(10, Echo(1, 2, 8, 7, 1));
  p.AddRequest(11, Echo(1, 2, 8, 7, 2));
  p.AddRequest(12, Echo(1, 3, 8, 9, 5));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 99)) == Answers(10));  // seq wrong
  CHECK(p.MatchReply(Echo(3, 1, 0, 4, 5)) == Answers(12));   // ident wrong
  CHECK(p.MatchReply(Echo(9, 1, 0, 7, 2)) == Answers(11));   // source wrong
  // Two of four is not enough.
  p.AddRequest(13, Echo(1, 2, 8, 7, 3));
  CHECK_FALSE(p.MatchReply(Echo(9, 1, 0, 8, 3)).has_value());
  CHECK(p.Unanswered() == std::vector<uint64_t>{13});
}

TEST_CASE("a reply whose addresses were not swapped still finds its request", "[pairing]") {
  ReplyPairer p;
  p.AddRequest(0, Echo(1, 2, 8, 7, 1));
  p.AddRequest(1, Echo(1, 2, 8, 7, 2));
  CHECK(p.MatchReply(Echo(1, 2, 0, 7, 2)) == Answers(1));
}

TEST_CASE("a request to a group address is answered from a unicast one", "[pairing]") {
  ReplyPairer p;
  p.AddRequest(0, Echo(1, 2, 8, 7, 1));          // unicast, unanswered: bad checksum, say
  p.AddRequest(1, Echo(1, 1, 8, 7, 4, 0, 224));  // to 224.0.0.1
  // Exact on destination, identifier and sequence, any source: not three-of-four with #0.
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 4)) == Answers(1));
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
  CHECK(p.MatchReply(Packet(HexEncode(reply))) == Answers(5));
}

TEST_CASE("ping's duplicates (DUP!) are duplicates of their request, not replies to the next",
          "[pairing]") {
  ReplyPairer p;
  p.AddRequest(0, Echo(1, 2, 8, 7, 1));
  p.AddRequest(1, Echo(1, 2, 8, 7, 2));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 1)) == Answers(0));
  // The same reply again, before request 1's: three of four would match request 1 (only the
  // sequence differs), which would take its correct reply's place and call that one wrong.
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 1)) == Duplicates(0));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 1)) == Duplicates(0));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 2)) == Answers(1));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 2)) == Duplicates(1));
  CHECK(p.Unanswered().empty());
  // Replies from several hosts to one request to a group address: the first answers it, the
  // others are its duplicates.
  p.AddRequest(2, Echo(1, 1, 8, 7, 9, 0, 224));
  p.AddRequest(3, Echo(1, 2, 8, 7, 10));
  CHECK(p.MatchReply(Echo(5, 1, 0, 7, 9)) == Answers(2));
  CHECK(p.MatchReply(Echo(6, 1, 0, 7, 9)) == Duplicates(2));
  CHECK(p.Unanswered() == std::vector<uint64_t>{3});
}

TEST_CASE("three of four never takes a reply whose exact key is another request's", "[pairing]") {
  ReplyPairer p;
  p.AddRequest(0, Echo(1, 2, 8, 7, 1));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 1)) == Answers(0));
  p.AddRequest(1, Echo(1, 2, 8, 7, 2));
  p.AddRequest(2, Echo(1, 2, 8, 8, 1));
  // Key of request 0 (answered): neither request 1 (seq differs) nor 2 (ident differs).
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 1)) == Duplicates(0));
  CHECK(p.waiting() == 2);
  // A reply with a wrong sequence that is nobody's key still finds the oldest of three.
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 77)) == Answers(1));
  CHECK(p.MatchReply(Echo(2, 1, 0, 77, 1)) == Answers(2));
}

TEST_CASE("three of four picks the oldest waiting request over all four fields", "[pairing]") {
  ReplyPairer p;
  p.AddRequest(0, Echo(1, 3, 8, 7, 1));  // matches the reply below but for the source
  p.AddRequest(1, Echo(1, 2, 8, 7, 5));  // matches but for the sequence
  p.AddRequest(2, Echo(1, 2, 8, 9, 1));  // matches but for the identifier
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 1)) == Answers(0));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 1)) == Answers(1));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 1)) == Answers(2));
  CHECK(p.waiting() == 0);
}

TEST_CASE("the three-of-four tables hold every waiting request, built late or added later",
          "[pairing]") {
  ReplyPairer p;
  p.AddRequest(0, Echo(1, 2, 8, 7, 1));
  // The first reply that needs the fallback builds it from what waits.
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 9)) == Answers(0));
  CHECK(p.waiting() == 0);
  // Built again after every request was answered: the old tables hold nothing stale.
  p.AddRequest(1, Echo(1, 2, 8, 7, 2));
  p.AddRequest(2, Echo(1, 3, 8, 9, 3));
  CHECK(p.MatchReply(Echo(3, 1, 0, 9, 99)) == Answers(2));
  // A request added while the tables are in use goes into them.
  p.AddRequest(3, Echo(1, 4, 8, 5, 5));
  CHECK(p.MatchReply(Echo(4, 1, 0, 5, 6)) == Answers(3));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 2)) == Answers(1));
  CHECK(p.MatchReply(Echo(2, 1, 0, 7, 2)) == Duplicates(1));
  CHECK(p.waiting() == 0);
  // With nothing waiting, a reply that matches nothing is nobody's.
  CHECK(p.MatchReply(Echo(9, 1, 0, 1, 1)) == std::nullopt);
}

TEST_CASE("duplicates are told among the last 65,536 answers, however the table was built",
          "[pairing]") {
  ReplyPairer p;
  auto host = [](uint32_t i) { return static_cast<uint8_t>(2 + (i >> 16)); };
  auto answer = [&](uint32_t i) {
    p.AddRequest(i, Echo(1, host(i), 8, 7, static_cast<uint16_t>(i)));
    REQUIRE(p.MatchReply(Echo(host(i), 1, 0, 7, static_cast<uint16_t>(i))) == Answers(i));
  };
  auto again = [&](uint32_t i) {
    return p.MatchReply(Echo(host(i), 1, 0, 7, static_cast<uint16_t>(i)));
  };
  for (uint32_t i = 0; i < 30000; ++i) answer(i);
  CHECK(again(10) == Duplicates(10));  // the table is built here, from 30,000 answers
  for (uint32_t i = 30000; i < 100000; ++i) answer(i);
  // Answer 10 was in the table and has left the ring since: forgotten, not misread.
  CHECK(again(10) == std::nullopt);
  CHECK(again(100000 - ReplyPairer::kRememberedAnswers - 1) == std::nullopt);
  CHECK(again(100000 - ReplyPairer::kRememberedAnswers) ==
        Duplicates(100000 - ReplyPairer::kRememberedAnswers));
  CHECK(again(99999) == Duplicates(99999));
  CHECK(again(50000) == Duplicates(50000));
}

// Pairs `n` requests, each answered by a reply with a wrong sequence after all requests are
// in (the three-of-four fallback), taken from both ends of the queue; then `n` more in a
// ping-like run (same addresses and identifier) answered newest first, each reply twice.
// Returns the table probes made.
uint64_t PairHostileRun(uint32_t n) {
  ReplyPairer p;
  auto host = [](uint32_t i) { return static_cast<uint8_t>(2 + (i >> 16)); };
  for (uint32_t i = 0; i < n; ++i) {
    p.AddRequest(i, Echo(1, host(i), 8, static_cast<uint16_t>(i), 1));
  }
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t which = i % 2 ? n - 1 - i / 2 : i / 2;
    std::optional<ReplyMatch> m =
        p.MatchReply(Echo(host(which), 1, 0, static_cast<uint16_t>(which), 0));
    REQUIRE(m == Answers(which));
  }
  REQUIRE(p.waiting() == 0);
  for (uint32_t i = 0; i < n; ++i) {
    p.AddRequest(n + i, Echo(1, host(i), 8, 7, static_cast<uint16_t>(i)));
  }
  for (uint32_t i = n; i-- > 0;) {
    EchoPacket reply = Echo(host(i), 1, 0, 7, static_cast<uint16_t>(i));
    REQUIRE(p.MatchReply(reply) == Answers(n + i));
    REQUIRE(p.MatchReply(reply) == Duplicates(n + i));
  }
  REQUIRE(p.waiting() == 0);
  return p.probes();
}

TEST_CASE("pairing is linear: 80k hostile requests cost 8 times what 10k do", "[pairing]") {
  uint64_t small_probes = PairHostileRun(10000), large_probes = PairHostileRun(80000);
  INFO(small_probes << " table probes for 10k, " << large_probes << " for 80k");
  CHECK(large_probes < 8 * small_probes * 3 / 2);
  // And in time, which also counts work no probe sees (generous: quadratic would be 64x).
  auto seconds = [](uint32_t n) {
    double best = 1e9;
    for (int i = 0; i < 3; ++i) {
      std::clock_t start = std::clock();  // CPU time: the machine may be busy
      PairHostileRun(n);
      best = std::min(best, static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC);
    }
    return best;
  };
  double small = seconds(10000), large = seconds(80000);
  INFO(small << " s for 10k, " << large << " s for 80k");
  CHECK(large < 32 * small);
}

}  // namespace
}  // namespace llmstack
