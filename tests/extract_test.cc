#include "model/extract.h"

#include <catch2/catch.hpp>

#include "grade/responder.h"
#include "test_support.h"

namespace llmstack {
namespace {

using testing::kExperimentRequest;
using testing::Packet;

const std::string kReply =
    "45000054812840004001615dac100002ac10000100005cf5000d0001a1fb006a0000000041c4000000000000101112"
    "131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";

std::string Spaced(const std::string& hex, const std::string& sep, bool upper = false,
                   bool prefix = false) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i) out += sep;
    std::string pair = hex.substr(i, 2);
    if (upper) {
      for (char& c : pair) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    out += (prefix ? "0x" : "") + pair;
  }
  return out;
}

TEST_CASE("the reply is found in every usual form", "[extract]") {
  EchoPacket request = Packet(kExperimentRequest);
  std::vector<std::string> answers = {
      kReply,
      "```\n" + kReply + "\n```",
      "Here it is:\n```hex\n" + Spaced(kReply, " ") + "\n```\nDone.",
      "{\"reply_hex\": \"" + kReply + "\"}",
      "The answer is {\"reply_hex\": \"" + Spaced(kReply, " ") + "\"} as computed.",
      Spaced(kReply, ":"),
      Spaced(kReply, " ", true, true),
      Spaced(kReply.substr(0, 80), " ", true) + "\n" + Spaced(kReply.substr(80), " ", true),
  };
  for (const std::string& a : answers) {
    INFO(a);
    ExtractedReply r = ExtractReply(a, request);
    REQUIRE(r.kind == ExtractedReply::Kind::kPacket);
    CHECK(HexEncode(r.packet) == kReply);
  }
}

TEST_CASE("decoys in the reasoning lose to the reply datagram", "[extract]") {
  EchoPacket request = Packet(kExperimentRequest);
  std::string draft = kReply;
  draft.replace(20, 4, "0000");  // a draft with the IP checksum zeroed
  std::string text = "The request is " + std::string(kExperimentRequest) +
                     ". Partial sum 0x1a2b3, then 0x3ab07 folds to 0xab0a.\n"
                     "Draft with zero checksums: " +
                     draft +
                     "\n"
                     "Final reply packet:\n" +
                     Spaced(kReply, " ", true) + "\n";
  ExtractedReply r = ExtractReply(text, request);
  REQUIRE(r.kind == ExtractedReply::Kind::kPacket);
  CHECK(HexEncode(r.packet) == kReply);

  // The request quoted alone after the reply does not win either.
  ExtractedReply quoted = ExtractReply(
      "```\n" + kReply + "\n```\n(request was " + std::string(kExperimentRequest) + ")", request);
  CHECK(HexEncode(quoted.packet) == kReply);
}

TEST_CASE("a wrong reply is still taken as the model's answer", "[extract]") {
  EchoPacket request = Packet(kExperimentRequest);
  // Type left at 8: the request itself sent back is the model's (wrong) answer.
  ExtractedReply r = ExtractReply(std::string("```\n") + kExperimentRequest + "\n```", request);
  REQUIRE(r.kind == ExtractedReply::Kind::kPacket);
  CHECK(HexEncode(r.packet) == kExperimentRequest);
  // Cut short: still a packet, graded as truncated.
  ExtractedReply cut = ExtractReply("```\n" + kReply.substr(0, 40) + "\n```", request);
  REQUIRE(cut.kind == ExtractedReply::Kind::kPacket);
  CHECK(cut.packet.size() == 20);
}

TEST_CASE("no-reply answers and unparseable text", "[extract]") {
  EchoPacket request = Packet(kExperimentRequest);
  CHECK(ExtractReply("NO REPLY", request).kind == ExtractedReply::Kind::kNoReply);
  CHECK(ExtractReply("The ICMP checksum is bad (0x1234), so: no reply.", request).kind ==
        ExtractedReply::Kind::kNoReply);
  CHECK(ExtractReply("{\"reply_hex\": null}", request).kind == ExtractedReply::Kind::kNoReply);
  CHECK(ExtractReply(
            std::string("The request ") + kExperimentRequest + " has a bad checksum.\nNO REPLY",
            request)
            .kind == ExtractedReply::Kind::kNoReply);
  ExtractedReply none = ExtractReply("I cannot help with that.", request);
  CHECK(none.kind == ExtractedReply::Kind::kUnparseable);
  CHECK(none.why == "no hex packet in the answer");
  CHECK(ExtractReply("", request).why == "empty answer");
  // Words made of hex letters are not packets.
  CHECK(ExtractReply("added a decade of faded beef", request).kind ==
        ExtractedReply::Kind::kUnparseable);
  // Odd digit counts and junk are not packets.
  CHECK(ExtractReply("```\n4500005\n```", request).kind == ExtractedReply::Kind::kUnparseable);
}

TEST_CASE("hostile answers do not break extraction", "[extract]") {
  EchoPacket request = Packet(kExperimentRequest);
  std::string big(3 << 20, 'a');
  CHECK(ExtractReply(big, request).kind != ExtractedReply::Kind::kPacket);
  std::string nested(100000, '{');
  CHECK(ExtractReply(nested, request).kind == ExtractedReply::Kind::kUnparseable);
  std::string fences;
  for (int i = 0; i < 5000; ++i) fences += "```\nzz\n```\n";
  CHECK(ExtractReply(fences, request).kind == ExtractedReply::Kind::kUnparseable);
  std::string binary("\x00\xff\x80{\"reply_hex\":\"\xc3\x28\"}", 22);
  CHECK(ExtractReply(binary, request).kind == ExtractedReply::Kind::kUnparseable);
}

}  // namespace
}  // namespace llmstack
