// Fragment reassembly before grading (RFC 791 §3.2, RFC 8200 §4.5, RFC 5722): any order,
// duplicates ignored, overlaps discarded, bounded memory; and through the tool on the
// fragment captures.
#include "packet/reassembly.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <ctime>
#include <random>

#include "packet/checksum.h"
#include "packet_samples.h"

namespace llmstack {
namespace {

using testing::Hex;

// An IPv4 echo request with 200 data bytes (ICMP message 208 bytes), IP ID `id`.
Bytes Request4(uint16_t id, uint8_t seq = 1) {
  Bytes d =
      Hex("4500000000000000400100000a0000010a000002"
          "0800000012340000");
  PutBe16(d, 4, id);
  d[27] = seq;
  for (int i = 0; i < 200; ++i) d.push_back(static_cast<uint8_t>(i));
  PutBe16(d, 2, static_cast<uint16_t>(d.size()));
  RefreshChecksums(d, IpFamily::kIpv4, 20);
  return d;
}

// Fragment [begin, end) of an IPv4 datagram's payload (20-byte header), with optional data.
Bytes Fragment4(const Bytes& d, size_t begin, size_t end, const Bytes* data = nullptr) {
  Bytes f(d.begin(), d.begin() + 20);
  bool more = end < d.size() - 20;
  PutBe16(f, 2, static_cast<uint16_t>(20 + end - begin));
  PutBe16(f, 6, static_cast<uint16_t>((more ? 0x2000 : 0) | begin / 8));
  if (data) {
    f.insert(f.end(), data->begin(), data->end());
  } else {
    f.insert(f.end(), d.begin() + 20 + static_cast<long>(begin),
             d.begin() + 20 + static_cast<long>(end));
  }
  PutBe16(f, 10, 0);
  PutBe16(f, 10, InternetChecksum(ByteView(f).first(20)));
  return f;
}

Bytes Request6(uint8_t seq = 1) {
  Bytes d =
      Hex("6000000000d03a40"
          "20010db8000000000000000000000001"
          "20010db8000000000000000000000002"
          "8000000012340000");
  d[47] = seq;
  for (int i = 0; i < 200; ++i) d.push_back(static_cast<uint8_t>(i));
  RefreshChecksums(d, IpFamily::kIpv6, 40);
  return d;
}

// Fragment [begin, end) of an IPv6 packet's payload, behind a Fragment header.
Bytes Fragment6(const Bytes& d, size_t begin, size_t end, uint32_t id) {
  Bytes f(d.begin(), d.begin() + 40);
  bool more = end < d.size() - 40;
  f[6] = 44;
  PutBe16(f, 4, static_cast<uint16_t>(8 + end - begin));
  f.insert(f.end(), {58, 0, 0, 0, 0, 0, 0, 0});
  PutBe16(f, 42, static_cast<uint16_t>(begin | (more ? 1 : 0)));
  f[44] = static_cast<uint8_t>(id >> 24);
  f[45] = static_cast<uint8_t>(id >> 16);
  f[46] = static_cast<uint8_t>(id >> 8);
  f[47] = static_cast<uint8_t>(id);
  f.insert(f.end(), d.begin() + 40 + static_cast<long>(begin),
           d.begin() + 40 + static_cast<long>(end));
  return f;
}

// Feeds fragments in order; returns the datagram the last one completes (if any).
std::optional<ReassembledDatagram> Feed(FragmentReassembler& r, const std::vector<Bytes>& fragments,
                                        double start = 0, double step = 1) {
  std::optional<ReassembledDatagram> out;
  uint64_t frame = 0;
  for (const Bytes& f : fragments) {
    NetworkProtocol proto = f[0] >> 4 == 6 ? NetworkProtocol::kIpv6 : NetworkProtocol::kIpv4;
    Result<Datagram> d = ParseDatagram(f, proto);
    REQUIRE(d.ok());
    REQUIRE(d->is_fragment);
    ++frame;
    std::optional<ReassembledDatagram> whole = r.Add(
        *d, frame, Timestamp{static_cast<int64_t>(start + step * static_cast<double>(frame)), 0});
    if (whole) {
      CHECK_FALSE(out.has_value());
      out = std::move(whole);
    }
  }
  return out;
}

TEST_CASE("IPv4 and IPv6 fragments in any order give back the datagram", "[reassembly]") {
  Bytes v4 = Request4(0x5001), v6 = Request6();
  std::vector<Bytes> f4 = {Fragment4(v4, 0, 80), Fragment4(v4, 80, 160), Fragment4(v4, 160, 208)};
  std::vector<Bytes> f6 = {Fragment6(v6, 0, 80, 7), Fragment6(v6, 80, 160, 7),
                           Fragment6(v6, 160, 208, 7)};
  std::vector<int> order = {0, 1, 2};
  do {
    for (const auto& [fragments, whole] : {std::pair{f4, v4}, std::pair{f6, v6}}) {
      std::vector<Bytes> ordered;
      for (int i : order) ordered.push_back(fragments[static_cast<size_t>(i)]);
      FragmentReassembler r;
      std::optional<ReassembledDatagram> out = Feed(r, ordered);
      REQUIRE(out.has_value());
      Bytes expected = whole;
      if (expected[0] >> 4 == 4) {
        // The reassembled header keeps DF/RB; the checksum is redone over it.
        CHECK(ChecksumVerifies(ByteView(out->datagram).first(20)));
        expected[10] = out->datagram[10];
        expected[11] = out->datagram[11];
      }
      CHECK(HexEncode(out->datagram) == HexEncode(expected));
      CHECK(out->frames.size() == 3);
      CHECK_FALSE(out->truncated);
      CHECK(r.pending_frames() == 0);
    }
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST_CASE("duplicates are ignored, overlaps discard the datagram", "[reassembly]") {
  Bytes d = Request4(0x5002);
  SECTION("an exact duplicate") {
    FragmentReassembler r;
    auto out = Feed(r, {Fragment4(d, 0, 80), Fragment4(d, 80, 160), Fragment4(d, 80, 160),
                        Fragment4(d, 160, 208)});
    REQUIRE(out.has_value());
    CHECK(out->frames.size() == 4);  // the duplicate's frame belongs to the request too
  }
  SECTION("a fragment inside data already received (Linux: a duplicate)") {
    FragmentReassembler r;
    auto out = Feed(r, {Fragment4(d, 0, 80), Fragment4(d, 80, 160), Fragment4(d, 40, 120),
                        Fragment4(d, 160, 208)});
    CHECK(out.has_value());
  }
  SECTION("a partial overlap, same bytes") {
    FragmentReassembler r;
    CHECK_FALSE(Feed(r, {Fragment4(d, 0, 80), Fragment4(d, 80, 160), Fragment4(d, 120, 208)}));
    // Later fragments of that datagram do not revive it.
    CHECK_FALSE(Feed(r, {Fragment4(d, 160, 208)}));
  }
  SECTION("a partial overlap with different bytes") {
    Bytes other(88, 0xee);
    FragmentReassembler r;
    CHECK_FALSE(
        Feed(r, {Fragment4(d, 0, 80), Fragment4(d, 80, 160), Fragment4(d, 120, 208, &other)}));
  }
  SECTION("two last fragments that disagree on the end") {
    FragmentReassembler r;
    Bytes early_end = Fragment4(d, 160, 200);
    PutBe16(early_end, 6, 160 / 8);  // MF clear: the datagram would end at 200, not 208
    early_end[10] = early_end[11] = 0;
    PutBe16(early_end, 10, InternetChecksum(ByteView(early_end).first(20)));
    CHECK_FALSE(
        Feed(r, {Fragment4(d, 0, 80), Fragment4(d, 160, 208), early_end, Fragment4(d, 80, 160)}));
  }
  SECTION("a last fragment ending before data already received") {
    FragmentReassembler r;
    Bytes early_end = Fragment4(d, 40, 80);
    PutBe16(early_end, 6, 40 / 8);  // MF clear: the datagram would end at 80
    early_end[10] = early_end[11] = 0;
    PutBe16(early_end, 10, InternetChecksum(ByteView(early_end).first(20)));
    CHECK_FALSE(Feed(r, {Fragment4(d, 80, 160), early_end}));
  }
  SECTION("a hole never completes") {
    FragmentReassembler r;
    CHECK_FALSE(Feed(r, {Fragment4(d, 0, 80), Fragment4(d, 160, 208)}));
    CHECK(r.pending_frames() == 2);
  }
}

TEST_CASE("the reassembler's memory is bounded", "[reassembly]") {
  FragmentReassembler r;
  // Fragments that never complete, one datagram each: the oldest go when the limit is reached.
  for (uint32_t i = 0; i < FragmentReassembler::kMaxPending + 100; ++i) {
    Bytes d = Request4(static_cast<uint16_t>(i));
    d[14] = static_cast<uint8_t>(i >> 16);  // distinct source addresses past 65536 IDs
    Feed(r, {Fragment4(d, 0, 80)}, 0);
  }
  CHECK(r.pending_frames() == FragmentReassembler::kMaxPending);
  CHECK(r.discarded_frames() == 100);
  // And the ones older than the timeout go when time moves on.
  Feed(r, {Fragment4(Request4(0xbeef, 9), 0, 80)}, 1000);
  CHECK(r.pending_frames() == 1);
}

// `datagrams` datagrams (IP IDs from `first_id`) of `fragments` 8-byte fragments each, then
// every fragment again as a duplicate `repeats` times, the duplicates shuffled: the flood a
// hostile capture can hold. No datagram completes.
std::vector<Bytes> TinyFragmentFlood(size_t datagrams, size_t fragments, size_t repeats,
                                     uint16_t first_id) {
  std::vector<Bytes> whole;
  for (size_t n = 0; n < datagrams; ++n) {
    Bytes d = Request4(static_cast<uint16_t>(first_id + n));
    d.resize(20 + 8 * (fragments + 1), 0x55);  // one more: the datagram never completes
    PutBe16(d, 2, static_cast<uint16_t>(d.size()));
    whole.push_back(std::move(d));
  }
  std::vector<Bytes> out;
  for (size_t r = 0; r <= repeats; ++r) {
    for (size_t i = 0; i < fragments; ++i) {
      for (const Bytes& d : whole) out.push_back(Fragment4(d, 8 * i, 8 * i + 8));
    }
  }
  std::mt19937 rng(7);
  std::shuffle(out.begin() + static_cast<long>(fragments * datagrams), out.end(), rng);
  return out;
}

double SecondsToFeed(const std::vector<Bytes>& fragments) {
  std::vector<Datagram> parsed;
  for (const Bytes& f : fragments) parsed.push_back(*ParseDatagram(f, NetworkProtocol::kIpv4));
  double best = 1e9;
  for (int attempt = 0; attempt < 5; ++attempt) {
    FragmentReassembler r;
    std::clock_t start = std::clock();  // CPU time: the machine may be busy
    uint64_t frame = 0;
    for (const Datagram& d : parsed) r.Add(d, ++frame, Timestamp{1, 0});
    best = std::min(best, static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC);
    CHECK(r.memory() <= FragmentReassembler::kMemoryLimit);
    CHECK(r.pending_frames() + r.discarded_frames() == parsed.size());
  }
  return best;
}

TEST_CASE("reassembly is linear in tiny and duplicate fragments", "[reassembly]") {
  // The same 120k fragments (8,000 distinct, each repeated 14 times), once as 64 datagrams of
  // 125 fragments and once as one datagram of 8,000. Equal input, equal memory: a cost linear
  // in the fragments is the same for both, up to the logarithm of the lookups (under 2x); a
  // walk over the fragments a datagram holds costs 64x more for the single datagram.
  double spread = SecondsToFeed(TinyFragmentFlood(64, 125, 14, 0x6001));
  double single = SecondsToFeed(TinyFragmentFlood(1, 8000, 14, 0x6100));
  INFO(spread << " s as 64 datagrams, " << single << " s as one");
  CHECK(single < 4 * spread);
}

TEST_CASE("a fragment with no data discards its datagram, as Linux does", "[reassembly]") {
  Bytes d = Request4(0x6003);
  Bytes empty = Fragment4(d, 80, 80);
  PutBe16(empty, 6, 0x2000 | 80 / 8);  // MF set: a zero-length piece in the middle
  empty[10] = empty[11] = 0;
  PutBe16(empty, 10, InternetChecksum(ByteView(empty).first(20)));
  FragmentReassembler r;
  std::vector<Bytes> flood = {Fragment4(d, 0, 80)};
  for (int i = 0; i < 1000; ++i) flood.push_back(empty);
  flood.push_back(Fragment4(d, 80, 160));
  flood.push_back(Fragment4(d, 160, 208));
  CHECK_FALSE(Feed(r, flood).has_value());
  CHECK(r.memory() == 0);  // nothing of a discarded datagram is kept
}

TEST_CASE("incomplete datagrams stay within Linux's ipfrag_high_thresh", "[reassembly]") {
  FragmentReassembler r;
  uint64_t frame = 0;
  // 1000 datagrams of 60 fragments of 1480 bytes, the last of each missing: 88 MB held if
  // nothing stopped it.
  Bytes big = Request4(0);
  big.resize(20 + 1480 * 61, 0xaa);
  for (uint16_t id = 0; id < 1000; ++id) {
    PutBe16(big, 4, id);
    for (size_t i = 0; i < 60; ++i) {
      Bytes f = Fragment4(big, 1480 * i, 1480 * (i + 1));
      r.Add(*ParseDatagram(f, NetworkProtocol::kIpv4), ++frame, Timestamp{1, 0});
      REQUIRE(r.memory() <= FragmentReassembler::kMemoryLimit);
    }
  }
  CHECK(r.discarded_frames() > 0);
  // After ipfrag_time, the memory is free again and a datagram reassembles.
  Bytes d = Request4(0x6004);
  std::optional<ReassembledDatagram> out =
      Feed(r, {Fragment4(d, 0, 80), Fragment4(d, 80, 160), Fragment4(d, 160, 208)}, 100);
  CHECK(out.has_value());
  CHECK(r.memory() == 0);
}

TEST_CASE("the ping of death: a datagram reassembled past 65,535 bytes is marked oversize",
          "[reassembly]") {
  // 1480-byte fragments up to offset 65120, then one more of 440: 65,560 data bytes plus a
  // 20-byte header. Its total length would wrap to 44 and pass for a small request.
  Bytes d = Request4(0x6005);
  d.resize(20 + 65560, 0x42);
  PutBe16(d, 2, 0);  // cannot be said
  std::vector<Bytes> fragments;
  for (size_t begin = 0; begin < 65560; begin += 1480) {
    fragments.push_back(Fragment4(d, begin, std::min<size_t>(begin + 1480, 65560)));
  }
  FragmentReassembler r;
  std::optional<ReassembledDatagram> out = Feed(r, fragments, 0, 0.01);
  REQUIRE(out.has_value());
  CHECK(out->oversize);
  uint16_t total = 0;
  PeekBe16(out->datagram, 2, &total);
  CHECK(total == out->datagram.size());
  CHECK(out->datagram.size() == 65535);
  // One of 65,535 bytes exactly is not oversize.
  d.resize(65535);
  fragments.clear();
  for (size_t begin = 0; begin < 65515; begin += 1480) {
    fragments.push_back(Fragment4(d, begin, std::min<size_t>(begin + 1480, 65515)));
  }
  FragmentReassembler fine;
  out = Feed(fine, fragments, 0, 0.01);
  REQUIRE(out.has_value());
  CHECK_FALSE(out->oversize);
  CHECK(out->datagram.size() == 65535);
}

TEST_CASE("a fragment cut by the capture gives a truncated datagram", "[reassembly]") {
  Bytes d = Request4(0x5003);
  Bytes last = Fragment4(d, 160, 208);
  last.resize(last.size() - 10);  // the capture kept 10 bytes less
  FragmentReassembler r;
  std::optional<ReassembledDatagram> out =
      Feed(r, {Fragment4(d, 0, 80), Fragment4(d, 80, 160), last});
  REQUIRE(out.has_value());
  CHECK(out->truncated);
  CHECK(out->datagram.size() == d.size() - 10);
}

TEST_CASE("fragment captures: requests reassembled, graded, answered", "[reassembly][tool]") {
  for (const char* capture :
       {"captures/crafted-fragments-v4.pcap", "captures/crafted-fragments-v6.pcap",
        "captures/kernel-fragments.pcap"}) {
    INFO(capture);
    int requests = 0;
    for (const EchoPacket& p : testing::ReadEchoPackets(capture)) {
      if (!p.is_request()) continue;
      ++requests;
      CHECK(p.fragmented);
      CHECK(p.frames.size() >= 2);
      CHECK_FALSE(p.truncated);
    }
    // crafted: 6 of 8 requests reassemble (two overlap); kernel: -s 3000 and -s 1473.
    CHECK(requests == (std::string(capture).find("kernel") != std::string::npos ? 2 : 6));
    testing::TempDir dir;
    std::string out = dir.File("out.pcap");
    testing::CommandResult r =
        testing::RunTool(std::string(capture) + " -o " + out + " --model reference -q");
    CHECK(r.exit_code == 0);
    CHECK(testing::RunTool(std::string("grade ") + capture + " -q").exit_code == 0);
    // The main job copies every fragment of each request into its output, and one reply each.
    size_t expected_frames = 0;
    for (const EchoPacket& p : testing::ReadEchoPackets(capture)) {
      if (p.is_request()) expected_frames += p.frames.size() + 1;
    }
    Result<std::unique_ptr<CaptureReader>> written = CaptureReader::Open(out);
    REQUIRE(written.ok());
    CapturedFrame frame;
    size_t frames = 0;
    while ((*written)->Next(&frame).value()) ++frames;
    CHECK(frames == expected_frames);
  }
}

}  // namespace
}  // namespace llmstack
