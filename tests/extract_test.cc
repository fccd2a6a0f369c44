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

namespace llmstack {
namespace {

using testing::kExperimentRequest;
using testing::Packet;

std::string Reply() {
  return "45000054812840004001615dac100002ac10000100005cf5000d0001a1fb006a0000000041c4000000000000"
         "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
}

// "4500 0054 ..." in lines of `per_line` groups of two bytes.
std::string Grouped(const std::string& hex, size_t per_line) {
  std::string out;
  for (size_t i = 0, n = 0; i < hex.size(); i += 4, ++n) {
    if (n > 0) out += n % per_line == 0 ? "\n" : " ";
    out += hex.substr(i, 4);
  }
  return out;
}

TEST_CASE("numbers next to the packet are not glued onto it", "[extract]") {
  EchoPacket request = Packet(kExperimentRequest);
  const std::string reply = Reply();
  std::vector<std::string> answers = {
      "The ICMP checksum is 0x5cf5\n" + reply,
      "The ICMP checksum is 0x847b\n" + Grouped(reply, 8),
      "Step 3\n" + reply,
      "Destination: ac10 0001\n" + Grouped(reply, 10),
      "Source address ac10 0002\n" + reply + "\n44 bytes total",
      reply + "\n84 bytes\n",
      "Checksum: 5cf5\n\n" + Grouped(reply, 8) + "\n\n0054 = 84 bytes total",
  };
  for (const std::string& a : answers) {
    INFO(a);
    ExtractedReply r = ExtractReply(a, request);
    REQUIRE(r.kind == ExtractedReply::Kind::kPacket);
    CHECK(HexEncode(r.packet) == reply);
  }
  ExtractedReply glued = ExtractReply("The ICMP checksum is 0x847b\n" + reply, request);
  CHECK(glued.how ==
        "took the hex at line 2 (2 bytes before it on the same run of hex are not "
        "part of the datagram)");
}

TEST_CASE("offset labels of hex dumps are not data", "[extract]") {
  EchoPacket request = Packet(kExperimentRequest);
  const std::string reply = Reply();
  std::string tcpdump, wireshark;
  for (size_t line = 0; line * 32 < reply.size(); ++line) {
    char label[16];
    std::snprintf(label, sizeof label, "0x%04zx:  ", line * 16);
    tcpdump += label + Grouped(reply.substr(line * 32, 32), 100) + "\n";
    std::snprintf(label, sizeof label, "%04zx  ", line * 16);
    std::string bytes;
    for (size_t i = line * 32; i < std::min(reply.size(), line * 32 + 32); i += 2) {
      bytes += (bytes.empty() ? "" : " ") + reply.substr(i, 2);
    }
    wireshark += label + bytes + "\n";
  }
  for (const std::string& a : {tcpdump, wireshark}) {
    INFO(a);
    ExtractedReply r = ExtractReply(a, request);
    REQUIRE(r.kind == ExtractedReply::Kind::kPacket);
    CHECK(HexEncode(r.packet) == reply);
  }
}

TEST_CASE("the answer's final form wins over mentions of no reply", "[extract]") {
  EchoPacket request = Packet(kExperimentRequest);
  const std::string reply = Reply();
  std::vector<std::string> answers = {
      "```hex\n" + reply + "\n```\nNo reply would be sent if a checksum had failed.",
      "```\n" + reply + "\n```\nThe request is not a broadcast, so a no reply case does not apply.",
      "{\"reply_hex\": \"" + reply + "\"}\nOtherwise the answer would be NO REPLY.",
      "If the checksum were wrong I would answer NO REPLY. It verifies.\n" + reply,
      "Rule: NO REPLY for broadcasts. This is unicast.\n```\n" + reply + "\n```",
      "```\n" + reply + "\n```\n\n(Had the checksum failed, the answer would have been:\nNO REPLY)",
  };
  for (const std::string& a : answers) {
    INFO(a);
    ExtractedReply r = ExtractReply(a, request);
    REQUIRE(r.kind == ExtractedReply::Kind::kPacket);
    CHECK(HexEncode(r.packet) == reply);
  }
  // A NO REPLY line after everything is the answer's conclusion.
  ExtractedReply drafted =
      ExtractReply(reply + "\nWait: the ICMP checksum fails.\n\nNO REPLY", request);
  CHECK(drafted.kind == ExtractedReply::Kind::kNoReply);
  CHECK(drafted.how == "NO REPLY at line 4, the answer's conclusion, after the datagram at line 1");
  // The request quoted, then a decision in words.
  ExtractedReply quoted = ExtractReply("Received " + std::string(kExperimentRequest) +
                                           ".\nThe checksum is bad, so no reply is sent.",
                                       request);
  CHECK(quoted.kind == ExtractedReply::Kind::kNoReply);
}

TEST_CASE("the last fenced block and the last hex line win; each decision is explained",
          "[extract]") {
  EchoPacket request = Packet(kExperimentRequest);
  const std::string reply = Reply();
  std::string draft = reply;
  draft.replace(44, 4, "0000");  // ICMP checksum still zero
  ExtractedReply fenced =
      ExtractReply("Draft:\n```\n" + draft + "\n```\nFinal:\n```\n" + reply + "\n```\n", request);
  CHECK(HexEncode(fenced.packet) == reply);
  CHECK(fenced.how ==
        "took the fenced block at line 7; 1 other datagram in the answer passed over");
  ExtractedReply bare = ExtractReply("First try " + draft + "\nCorrected:\n" + reply, request);
  CHECK(HexEncode(bare.packet) == reply);
  // A fenced reply beats a later bare one, which is only commentary.
  ExtractedReply both = ExtractReply("```\n" + reply + "\n```\nThe draft was " + draft, request);
  CHECK(HexEncode(both.packet) == reply);
  ExtractedReply json = ExtractReply("{\"reply_hex\": \"" + reply + "\"}", request);
  CHECK(json.how == "took the JSON reply_hex at line 1");
  // A wrong total length is still the model's packet when written on a line of its own.
  std::string long_len = reply;
  long_len.replace(4, 4, "0058");
  ExtractedReply wrong_length = ExtractReply("Reply:\n" + long_len + "\n", request);
  REQUIRE(wrong_length.kind == ExtractedReply::Kind::kPacket);
  CHECK(HexEncode(wrong_length.packet) == long_len);
  CHECK(wrong_length.how ==
        "took the hex at line 2; its length does not match its IP length field");
}

}  // namespace
}  // namespace llmstack
