#include "packet/checksum.h"

#include <catch2/catch.hpp>

#include "base/bytes.h"

namespace llmstack {
namespace {

Bytes Hex(const char* hex) { return HexDecode(hex).value(); }

TEST_CASE("RFC 1071 §3 numerical example", "[checksum]") {
  // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 2ddf0, fold to ddf2, checksum 220d.
  Bytes data = Hex("0001f203f4f5f6f7");
  std::vector<ChecksumPart> parts = {{"data", data}};
  ChecksumTrace trace;
  REQUIRE(InternetChecksum(parts, &trace) == 0x220d);
  CHECK(trace.sum == 0x2ddf0);
  REQUIRE(trace.folds.size() == 1);
  CHECK(trace.folds[0].before == 0x2ddf0);
  CHECK(trace.folds[0].after == 0xddf2);
  CHECK(trace.folded == 0xddf2);
  CHECK(trace.words.size() == 4);
  CHECK(trace.words[1].word == 0xf203);
  CHECK(trace.words[1].sum == 0xf204);
  CHECK(InternetChecksum(ByteView(data)) == 0x220d);
}

TEST_CASE("fast and traced sums agree on every length", "[checksum]") {
  Bytes data;
  for (int i = 0; i < 300; ++i) {
    std::vector<ChecksumPart> parts = {{"d", data}};
    ChecksumTrace trace;
    uint16_t traced = OnesComplementSum(parts, &trace);
    REQUIRE(OnesComplementSum(ByteView(data)) == traced);
    REQUIRE(OnesComplementSum(parts) == traced);
    data.push_back(static_cast<uint8_t>(i * 37 + 0xa5));
  }
}

TEST_CASE("odd length pads a zero byte for the sum only", "[checksum]") {
  // packet-anchors §5.4: reply 0000 2962 1234 0007 616263 verifies.
  Bytes reply = Hex("000029621234000761626300");
  reply.pop_back();
  CHECK(ChecksumVerifies(ByteView(reply)));
  std::vector<ChecksumPart> parts = {{"m", reply}};
  ChecksumTrace trace;
  OnesComplementSum(parts, &trace);
  CHECK(trace.words.back().padded);
  CHECK(trace.words.back().word == 0x6300);
}

TEST_CASE("the all-zero message needs 0xffff", "[checksum]") {
  Bytes zero = Hex("0000000000000000");
  CHECK(InternetChecksum(ByteView(zero)) == 0xffff);
  CHECK_FALSE(ChecksumVerifies(ByteView(zero)));
  Bytes ffff = Hex("0000ffff00000000");
  CHECK(ChecksumVerifies(ByteView(ffff)));
}

TEST_CASE("parts join as one byte stream", "[checksum]") {
  Bytes a = Hex("0001f2");
  Bytes b = Hex("03f4f5f6f7");
  std::vector<ChecksumPart> parts = {{"a", a}, {"b", b}};
  CHECK(InternetChecksum(parts) == 0x220d);
}

TEST_CASE("hex codec is strict", "[bytes]") {
  CHECK(HexEncode(Hex("00ffA0")) == "00ffa0");
  CHECK_FALSE(HexDecode("abc").ok());
  CHECK(HexDecode("abc").status().message() == "odd number of hex digits (3)");
  CHECK(HexDecode("zz").status().message() == "not a hex digit 'z' at position 0");
}

}  // namespace
}  // namespace llmstack
