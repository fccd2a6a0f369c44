#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "audit/checksum_audit.h"
#include "audit/text_scan.h"
#include "grade/responder.h"
#include "run/result_sink.h"
#include "standin_fixture.h"
#include "test_support.h"

namespace llmstack {
namespace {

using testing::kExperimentRequest;
using testing::Packet;
using testing::RunShell;
using testing::RunTool;
using testing::TempDir;
using testing::WriteFile;

// The correct reply to the experiment's request (IP checksum 0x615d, ICMP checksum 0x5cf5).
const std::string kReply =
    "45000054812840004001615dac100002ac10000100005cf5000d0001a1fb006a0000000041c4000000000000101112"
    "131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";

std::string Spaced(const std::string& hex, const std::string& sep, size_t per_line = 0,
                   bool upper = false, bool prefix = false) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i) out += per_line && (i / 2) % per_line == 0 ? "\n" : sep;
    std::string pair = hex.substr(i, 2);
    if (upper) {
      for (char& c : pair) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    out += (prefix ? "0x" : "") + pair;
  }
  return out;
}

// "4: WRONG IP header checksum 0xabcd: ..." per finding, as the command prints them.
std::vector<std::string> Lines(const AuditReport& report) {
  std::vector<std::string> out;
  for (const AuditFinding& f : report.findings) {
    out.push_back(std::to_string(f.line) + ": " + AuditVerdictName(f.verdict) + " " + f.message);
  }
  return out;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A model's answer in the stand-in server's "chatty" style (tests/standin/server.py) to the
// experiment's request: reasoning with the request quoted, a draft reply with both checksums
// zero, running sums, totals, and the reply as upper-case pairs.
const std::string kChatty =
    R"TEXT(Okay, let me work through this carefully, byte by byte, like a real IP stack would.

Let me parse the request.
The request is 45000054812840004001615dac100001ac100002080054f5000d0001a1fb006a0000000041c4000000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637
IPv4, header 20 bytes, total length 84, TTL 64, ID 0x8128, protocol 1 (ICMP), from 172.16.0.1 to 172.16.0.2.
ICMP echo request: type 8, code 0, checksum 0x54f5, identifier 0x000d, sequence 1, 56 data bytes.
For the reply I swap source and destination, set the TTL to 64, change the type to echo reply and recompute both checksums.

First draft of the reply, with both checksum fields still zero:
450000548128400040010000ac100002ac10000100000000000d0001a1fb006a0000000041c4000000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637

IP header checksum: running sum 0xc67c -> 0x1467d -> 0x29e9f; total 0x29ea0, folded 0x9ea2, complemented 0x615d.

ICMP checksum (over the whole ICMP message): running sum 0xd -> 0xa273 -> 0xe437 -> 0xe437 -> 0x11a70 -> 0x162bb -> 0x1bd18 -> 0x22987 -> ...; total 0x3a307, folded 0xa30a, complemented 0x5cf5.

Let me double-check the carries... yes, the end-around carry is added back in.

IP header checksum 0x615d, ICMP checksum 0x5cf5.

Final reply packet:

45 00 00 54 81 28 40 00 40 01 61 5D AC 10 00 02
AC 10 00 01 00 00 5C F5 00 0D 00 01 A1 FB 00 6A
00 00 00 00 41 C4 00 00 00 00 00 00 10 11 12 13
14 15 16 17 18 19 1A 1B 1C 1D 1E 1F 20 21 22 23
24 25 26 27 28 29 2A 2B 2C 2D 2E 2F 30 31 32 33
34 35 36 37
)TEXT";

// The same answer with one of the stand-in's mistakes: the ICMP checksum in the summary line
// and in the packet is `value` (upper-case pairs `pairs`).
std::string ChattyWith(const std::string& value, const std::string& pairs) {
  std::string text = kChatty;
  text.replace(text.find("ICMP checksum 0x5cf5."), 21, "ICMP checksum " + value + ".");
  text.replace(text.find("5C F5"), 5, pairs);
  return text;
}

// The stand-in's chatty answer to an ICMPv6 echo request (16 data bytes): its running sums
// leave out the RFC 8200 pseudo-header.
const std::string kChattyIpv6 =
    R"TEXT(Okay, let me work through this carefully, byte by byte, like a real IP stack would.

Let me parse the request.
The request is 6000000000183a4020010db800000000000000000000000120010db80000000000000000000000028000949e4c4c00026162636465666768696a6b6c6d6e6f70
IPv6, payload length 24, hop limit 64, from 2001:db8::1 to 2001:db8::2.
ICMP echo request: type 128, code 0, checksum 0x949e, identifier 0x4c4c, sequence 2, 16 data bytes.

First draft of the reply, with both checksum fields still zero:
6000000000183a4020010db800000000000000000000000220010db8000000000000000000000001810000004c4c00026162636465666768696a6b6c6d6e6f70

IP header checksum: none needed.

ICMP checksum (over the whole ICMP message): running sum 0xcd4c -> 0x19214 -> 0x2c84c -> 0x41096; total 0x41096, folded 0x109a, complemented 0xef65.

Let me double-check the carries... yes, the end-around carry is added back in.

For the reply I swap source and destination, set the TTL to 64, change the type to echo reply and recompute both checksums.

Final reply packet:

60 00 00 00 00 18 3A 40 20 01 0D B8 00 00 00 00
00 00 00 00 00 00 00 02 20 01 0D B8 00 00 00 00
00 00 00 00 00 00 00 01 81 00 93 9E 4C 4C 00 02
61 62 63 64 65 66 67 68 69 6A 6B 6C 6D 6E 6F 70
)TEXT";

// The IP header checksum of the experiment's reply worked out by hand, one word at a time.
const std::string kHeaderWorking =
    "IP header checksum of the reply, checksum field zeroed:\n"
    "4500 + 0054 = 4554\n"
    "0x4554 + 0x8128 = 0xc67c\n"
    "0xc67c + 0x4000 = 0x1067c\n"
    "0x1067c + 0x4001 = 0x1467d\n"
    "0x1467d + 0xac10 = 0x1f28d\n"
    "0x1f28d + 0x0002 = 0x1f28f\n"
    "0x1f28f + 0xac10 = 0x29e9f\n"
    "0x29e9f + 0x0001 = 0x29ea0\n"
    "fold 0x29ea0 -> 0x9ea2\n"
    "~0x9ea2 = 0x615d\n";

std::string WithRequest(const std::string& text) {
  return "The request:\n" + std::string(kExperimentRequest) + "\n\n" + text;
}

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

TEST_CASE(
    "a write-up claiming IP checksum 0xABCD and ICMP checksum 0x5cf5: the first refuted, the "
    "second confirmed",
    "[audit]") {
  TempDir dir;
  std::string path = dir.File("writeup.md");
  WriteFile(path,
            "I parsed the request\n" + std::string(kExperimentRequest) +
                "\nand built the reply by hand.\nIP checksum: 0xABCD\nICMP checksum: 0x5cf5\n");
  testing::CommandResult r = RunTool("audit '" + path + "'");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out ==
        path +
            ":4: WRONG IP header checksum 0xabcd: the reply to the request at line 2 has IP header "
            "checksum 0x615d (0xabcd is a placeholder value)\n" +
            path +
            ":5: right ICMP checksum 0x5cf5 is the ICMP checksum of the reply to the request at "
            "line 2\n"
            "audit: 1 file, 1 packet; 2 checksum claims: 1 right, 1 wrong; 0 steps of working: 0 "
            "wrong; "
            "0 unverifiable\n");
  CHECK(r.err.empty());

  // -q: only what is wrong, and the summary.
  r = RunTool("audit -q '" + path + "'");
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.out, ":4: WRONG IP header checksum 0xabcd"));
  CHECK_FALSE(Contains(r.out, ": right "));

  // Every claim right: exit 0.
  WriteFile(path, "I parsed the request\n" + std::string(kExperimentRequest) +
                      "\nIP checksum: 0x615D\nICMP checksum: 0x5CF5\n");
  r = RunTool("audit '" + path + "'");
  CHECK(r.exit_code == 0);
  CHECK(Contains(r.out, "2 checksum claims: 2 right, 0 wrong"));
}

TEST_CASE("packets are found in the usual written forms", "[audit]") {
  const std::string request = kExperimentRequest;
  std::vector<std::string> forms = {
      request,
      Spaced(request, " "),
      Spaced(request, ":"),
      Spaced(request, "-"),
      Spaced(request, " ", 0, false, true),   // 0x45 0x00 ...
      Spaced(request, " ", 16, true),         // upper case, 16 pairs a line
      Spaced(request, ", ", 8, false, true),  // 0x45, 0x00, ... 8 a line
      "    " + Spaced(request, " ", 16),      // indented (Markdown code)
      "```\n" + request.substr(0, 60) + "\n" + request.substr(60) + "\n```",
  };
  // Groups of four: "4500 0054 8128 ...".
  std::string fours;
  for (size_t i = 0; i < request.size(); i += 4) fours += (i ? " " : "") + request.substr(i, 4);
  forms.push_back(fours);
  for (const std::string& form : forms) {
    INFO(form);
    std::string text =
        "Here is a ping: " + form + "\nIts ICMP checksum is 0x54F5; a reply needs 0x5cf5.\n";
    AuditReport report = AuditText(text);
    CHECK(report.tally.packets == 1);
    CHECK(report.tally.claims_right == 1);
    CHECK(report.tally.claims_wrong == 0);
    TextScan scan = ScanText(text);
    REQUIRE(scan.packets.size() == 1);
    CHECK(HexEncode(scan.packets[0].packet.datagram) == request);
    CHECK(text.substr(scan.packets[0].begin, 2) == form.substr(form.find_first_not_of(" `\n"), 2));
  }
}

TEST_CASE("text scanning: packets amid decoys, numbers, words and symbols", "[audit]") {
  std::string text = "ID 0x8128 and checksum 0x54f5 are in " + std::string(kExperimentRequest) +
                     " and the reply " + kReply +
                     " ends it; 4554 + 8128 = c67c \xe2\x86\x92 0xXXXX.";
  TextScan scan = ScanText(text);
  REQUIRE(scan.packets.size() == 2);
  CHECK(scan.packets[0].packet.is_request());
  CHECK(scan.packets[1].packet.is_reply());
  CHECK(text.substr(scan.packets[1].begin, scan.packets[1].end - scan.packets[1].begin) == kReply);
  std::vector<std::string> seen;
  for (const TextToken& t : scan.tokens) seen.push_back(t.text);
  CHECK(std::count(seen.begin(), seen.end(), "8128") == 2);
  CHECK(std::count(seen.begin(), seen.end(), "->") == 1);
  const TextToken& placeholder = scan.tokens[scan.tokens.size() - 2];
  CHECK(placeholder.kind == TextTokenKind::kPlaceholder);
  // Hex glued to words is a word: "deadline", "0x5cg".
  TextScan words = ScanText("deadline 0x5cg face");
  CHECK(words.tokens[0].kind == TextTokenKind::kWord);
  CHECK(words.tokens[2].kind == TextTokenKind::kNumber);
  CHECK(words.tokens[2].letters_only);
  // A run of hex whose bytes do not form an echo datagram is not a packet.
  CHECK(ScanText(std::string(kExperimentRequest).substr(0, 100)).packets.empty());
  CHECK(ScanText("45" + std::string(200, '0')).packets.empty());
}

TEST_CASE("claims in their usual forms, about the request or the reply", "[audit]") {
  struct Case {
    const char* text;
    const char* line;
  };
  const Case cases[] = {
      {"IP checksum: 0xABCD",
       "3: WRONG IP header checksum 0xabcd: the reply to the request at line 2 has IP header "
       "checksum 0x615d"},
      {"ICMP checksum = 0x5cf5",
       "3: right ICMP checksum 0x5cf5 is the ICMP checksum of the reply to the request at line 2"},
      {"the header checksum is ABCD", "3: WRONG IP header checksum 0xabcd:"},
      {"The header checksum is 615D.",
       "3: right IP header checksum 0x615d is the IP header checksum of the reply"},
      {"checksum 0x54f5",
       "3: right ICMP checksum 0x54f5 is the ICMP checksum of the request at line 2"},
      {"checksum 0x1234",
       "3: WRONG checksum 0x1234 is neither the IP header checksum (0x615d) nor the ICMP checksum "
       "(0x5cf5) of the reply to the request at line 2"},
      {"icmp.checksum = 0x5cf4",
       "3: WRONG ICMP checksum 0x5cf4: the reply to the request at line 2 has ICMP checksum "
       "0x5cf5"},
      {"ip.checksum 0x615d", "3: right IP header checksum 0x615d"},
      {"The ICMP checksum of the reply is therefore **0x5cf5**.", "3: right ICMP checksum 0x5cf5"},
      {"| ICMP checksum | `0x5cf5` |", "3: right ICMP checksum 0x5cf5"},
      {"The request's ICMP checksum is 0x5cf5.",
       "3: WRONG the request's ICMP checksum 0x5cf5: the request at line 2 has ICMP checksum "
       "0x54f5"},
      {"The ICMP checksum comes out to\n0x5cf5 after the type change.",
       "4: right ICMP checksum 0x5cf5"},
      {"ICMP checksum = 0x54f5 + 0x0800 = 0x5cf5",
       "3: right ICMP checksum 0x5cf5 is the ICMP checksum of the reply"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    std::string text = "The request:\n" + std::string(kExperimentRequest) + "\n" + c.text + "\n";
    AuditReport report = AuditText(text);
    std::string all = Joined(Lines(report));
    INFO(all);
    CHECK(Contains(all, c.line));
    CHECK(report.tally.claims_right + report.tally.claims_wrong == 1);
  }

  // Old and new value in one sentence: the first is the request's, the second the reply's.
  AuditReport both =
      AuditText(WithRequest("The ICMP checksum changes from 0x54f5 to 0x5cf5.\n"
                            "ICMP checksum 0x54f5 -> 0x5cf4\n"));
  std::vector<std::string> lines = Lines(both);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "4: right ICMP checksum 0x54f5 is the ICMP checksum of the request at line 2");
  CHECK(lines[1] ==
        "4: right ICMP checksum 0x5cf5 is the ICMP checksum of the reply to the request at line 2");
  CHECK(lines[2] == "5: right ICMP checksum 0x54f5 is the ICMP checksum of the request at line 2");
  CHECK(
      lines[3] ==
      "5: WRONG ICMP checksum 0x5cf4: the reply to the request at line 2 has ICMP checksum 0x5cf5");
}

TEST_CASE("numbers near the word checksum that are not claims", "[audit]") {
  for (const char* text : {
           "The checksum field is at offset 10 (bytes 10-11 of the header).",
           "The checksum covers 20 bytes, as RFC 1071 says.",
           "The checksum of 4500 0054 8128 4000 4001 0000 ac10 0001 ac10 0002 is what we want.",
           "The checksum was zeroed: 0x0000 for now? No: the checksum of the words, shown later.",
           "Wireshark printed: icmp.checksum 0x54f5 (should be 0x5cf5: not updated after type "
           "change)",
           "IHL 5 means 20 + 0 = 20 bytes of header and 56 + 8 = 64 bytes of ICMP.",
           "Associativity: a + b = c, then TTL 64 -> 64 and type 8 -> 0.",
       }) {
    INFO(text);
    AuditReport report = AuditText(WithRequest(text));
    INFO(Joined(Lines(report)));
    CHECK(report.tally.claims_right + report.tally.claims_wrong == 0);
    CHECK(report.tally.steps_wrong == 0);
    CHECK_FALSE(report.tally.any_wrong());
  }
}

TEST_CASE("partial sums: every step checked, the first wrong one named", "[audit]") {
  SECTION("all right, traced to the reply's header words") {
    std::vector<std::string> lines = Lines(AuditText(WithRequest(kHeaderWorking)));
    REQUIRE(lines.size() == 1);
    CHECK(
        lines[0] ==
        "5: right IP header checksum working (lines 5-14): 10 steps, all right, over the header of "
        "the reply to the request at line 2");
  }
  SECTION("an addition gone wrong, and the steps that carry the error on") {
    std::string text = Replaced(kHeaderWorking, "0x1067c + 0x4001 = 0x1467d\n0x1467d",
                                "0x1067c + 0x4001 = 0x1467e\n0x1467e");
    text = Replaced(text,
                    "0x1f28d\n0x1f28d + 0x0002 = 0x1f28f\n0x1f28f + 0xac10 = 0x29e9f\n0x29e9f + "
                    "0x0001 = 0x29ea0\n"
                    "fold 0x29ea0 -> 0x9ea2\n~0x9ea2 = 0x615d",
                    "0x1f28e\n0x1f28e + 0x0002 = 0x1f290\n0x1f290 + 0xac10 = 0x29ea0\n0x29ea0 + "
                    "0x0001 = 0x29ea1\n"
                    "fold 0x29ea1 -> 0x9ea3\n~0x9ea3 = 0x615c");
    AuditReport report = AuditText(WithRequest(text));
    std::vector<std::string> lines = Lines(report);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] ==
          "8: WRONG IP header checksum working: first wrong step \"0x1067c + 0x4001 = 0x1467e\": "
          "the result "
          "is 0x1467d");
    CHECK(report.tally.steps_wrong == 1);
  }
  SECTION("right arithmetic on a misread word") {
    std::string text =
        Replaced(kHeaderWorking, "0x1067c + 0x4001 = 0x1467d\n0x1467d + 0xac10 = 0x1f28d",
                 "0x1067c + 0x4011 = 0x1468d\n0x1468d + 0xac10 = 0x1f29d");
    std::vector<std::string> lines = Lines(AuditText(WithRequest(text)));
    REQUIRE(lines.size() >= 1);
    CHECK(lines[0] ==
          "8: WRONG IP header checksum working: first wrong step \"0x1067c + 0x4011 = 0x1468d\": "
          "it adds "
          "0x4011, where the header of the reply to the request at line 2 has 0x4001 (TTL + "
          "protocol)");
  }
  SECTION("the end-around carry dropped in a fold") {
    std::string text = Replaced(kHeaderWorking, "fold 0x29ea0 -> 0x9ea2\n~0x9ea2 = 0x615d",
                                "fold 0x29ea0 -> 0x9ea0\n~0x9ea0 = 0x615f");
    std::vector<std::string> lines = Lines(AuditText(WithRequest(text)));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] ==
          "13: WRONG IP header checksum working: first wrong step \"0x29ea0 -> 0x9ea0\": folding "
          "the carry "
          "gives 0x9ea2");
  }
  SECTION("a wrong complement") {
    std::string text = Replaced(kHeaderWorking, "~0x9ea2 = 0x615d", "~0x9ea2 = 0x615e");
    std::vector<std::string> lines = Lines(AuditText(WithRequest(text)));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] ==
          "14: WRONG IP header checksum working: first wrong step \"~0x9ea2 = 0x615e\": ~0x9ea2 is "
          "0x615d");
  }
  SECTION("chained equalities and word forms") {
    std::string text =
        "IP header checksum: 4500 + 0054 = 4554 + 8128 = c67c + 4000 = 1067c + 4001 = 1467d\n"
        "+ ac10 + 0002 + ac10 + 0001 = 29ea0, which folds to 9ea2; the complement of 9ea2 is "
        "615d.\n";
    std::vector<std::string> lines = Lines(AuditText(WithRequest(text)));
    REQUIRE(lines.size() == 1);
    CHECK(Contains(lines[0], "right IP header checksum working (lines 4-5): 7 steps, all right"));
    lines =
        Lines(AuditText(WithRequest(Replaced(text, "c67c + 4000 = 1067c", "c67c + 4000 = 1067d"))));
    REQUIRE(!lines.empty());
    CHECK(
        Contains(lines[0],
                 "WRONG IP header checksum working: first wrong step \"c67c + 4000 = 1067d\": the "
                 "result is 0x1067c"));
  }
  SECTION("running sums and totals") {
    std::string text =
        "IP header checksum: running sum 0x4554 -> 0xc67c -> 0x1067c; total 0x29ea0, "
        "folded 0x9ea2, complemented 0x615d.\n";
    std::vector<std::string> lines = Lines(AuditText(WithRequest(text)));
    REQUIRE(lines.size() == 1);
    CHECK(
        lines[0] ==
        "4: right IP header checksum working (line 4): 6 steps, all right, over the header of the "
        "reply to the request at line 2");
    lines = Lines(AuditText(WithRequest(Replaced(text, "0x1067c;", "0x1067d;"))));
    REQUIRE(lines.size() == 1);
    CHECK(Contains(
        lines[0],
        "WRONG IP header checksum working: first wrong step: running sum 0x1067d is not a "
        "partial sum of the words of the header of the reply to the request at line 2; after "
        "0xc67c it should be 0x1067c"));
    lines = Lines(AuditText(WithRequest(Replaced(text, "folded 0x9ea2", "folded 0x9ea0"))));
    REQUIRE(lines.size() == 1);
    CHECK(Contains(
        lines[0], "folded sum 0x9ea0 should be 0x9ea2, the folded sum of the header of the reply"));
  }
  SECTION("one's complement additions and decimal arithmetic") {
    AuditReport ok = AuditText(
        "0xfffe + 0x0800 = 0x07ff, or 0x107fe before the carry: 0xfffe + 0x0800 = 0x107fe.\n");
    CHECK(ok.tally.steps == 2);
    CHECK(ok.tally.steps_wrong == 0);
    AuditReport dropped = AuditText("0xfffe + 0x0800 = 0x07fe\n");
    REQUIRE(dropped.findings.size() == 1);
    CHECK(Lines(dropped)[0] ==
          "1: WRONG checksum working: first wrong step \"0xfffe + 0x0800 = 0x07fe\": the result is "
          "0x07ff");
    CHECK(AuditText("56 + 8 = 64 and 84 - 20 = 64").tally.steps_wrong == 0);
  }
}

TEST_CASE("placeholders, omitted arithmetic and claims with no packet are unverifiable",
          "[audit]") {
  AuditReport report =
      AuditText(WithRequest("ICMP checksum: 0xXXXX (the calculation is omitted for brevity)\n"));
  std::vector<std::string> lines = Lines(report);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] ==
        "4: unverifiable ICMP checksum 0xXXXX is a placeholder, not a value: the reply to the "
        "request "
        "at line 2 has ICMP checksum 0x5cf5");
  CHECK(lines[1] ==
        "4: unverifiable \"omitted for brevity\": the arithmetic is left out here, so it cannot be "
        "checked");
  CHECK(report.tally.unverifiable == 2);
  CHECK_FALSE(report.tally.any_wrong());

  lines = Lines(AuditText("The IP checksum is 0x615d and the ICMP checksum is ABCD.\n"));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] ==
        "1: unverifiable IP header checksum 0x615d: no packet in the text to check it against");
  CHECK(lines[1] ==
        "1: unverifiable ICMP checksum 0xabcd: no packet in the text to check it against (0xabcd "
        "is a "
        "placeholder value)");

  TempDir dir;
  WriteFile(dir.File("gaps.md"),
            WithRequest("IP checksum: 0x615d (arithmetic omitted for brevity)\n"));
  testing::CommandResult r = RunTool("audit '" + dir.File("gaps.md") + "'");
  CHECK(r.exit_code == 0);  // nothing wrong, one gap
  CHECK(Contains(
      r.out, "1 checksum claim: 1 right, 0 wrong; 0 steps of working: 0 wrong; 1 unverifiable"));
}

TEST_CASE("the stand-in's chatty answers: claims, running sums and the reply packet", "[audit]") {
  AuditReport right = AuditText(kChatty);
  std::vector<std::string> lines = Lines(right);
  CHECK(lines == std::vector<std::string>{
                     "6: right ICMP checksum 0x54f5 is the ICMP checksum of the request at line 4",
                     "12: right IP header checksum working (line 12): 6 steps, all right, over the "
                     "header of the reply at line 10",
                     "14: right ICMP checksum working (line 14): 11 steps, all right, over the "
                     "message of the reply at line 22",
                     "18: right IP header checksum 0x615d is the IP header checksum of the reply "
                     "to the request at line 4",
                     "18: right ICMP checksum 0x5cf5 is the ICMP checksum of the reply to the "
                     "request at line 4",
                 });
  CHECK(right.tally.packets == 3);

  // Its working is right, but the value it reports (and sends) drops the end-around carry.
  lines = Lines(AuditText(ChattyWith("0x5cf8", "5C F8")));
  CHECK(lines.back() ==
        "18: WRONG ICMP checksum 0x5cf8: the reply to the request at line 4 has ICMP checksum "
        "0x5cf5; "
        "the working at line 14 gives 0x5cf5");
  // The request's checksum kept: right about the request, wrong about the reply written next to it.
  lines = Lines(AuditText(ChattyWith("0x54f5", "54 F5")));
  CHECK(lines.front() ==
        "6: right ICMP checksum 0x54f5 is the ICMP checksum of the request at line 4");
  CHECK(lines.back() ==
        "18: WRONG ICMP checksum 0x54f5: the reply to the request at line 4 has ICMP checksum "
        "0x5cf5; "
        "the working at line 14 gives 0x5cf5");

  lines = Lines(AuditText(kChattyIpv6));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] ==
        "6: right ICMPv6 checksum 0x949e is the ICMPv6 checksum of the request at line 4");
  CHECK(
      lines[1] ==
      "13: WRONG ICMPv6 checksum working: its sums are those of the message of the reply at line 9 "
      "without the pseudo-header (RFC 4443 section 2.3 includes it); the checksum is 0x939e");
}

TEST_CASE("a model's own working against the packet it wrote", "[audit]") {
  EchoPacket request = Packet(kExperimentRequest);
  Bytes off_by_one = testing::Hex(kReply);
  off_by_one[23] = 0xf4;  // ICMP checksum 0x5cf4
  ByteView written(off_by_one);
  std::vector<std::string> audit = AuditModelAnswer(
      request, Profile::kRfc, &written, "Reply: " + HexEncode(off_by_one),
      "Type 8 -> 0, so the ICMP checksum is 0x5cf5.\nThe IP checksum is 0xabcd.\n");
  CHECK(audit == std::vector<std::string>{
                     "reasoning line 1: claimed ICMP checksum 0x5cf5 in its working, wrote 0x5cf4 "
                     "in the packet",
                     "reasoning line 2: claimed IP header checksum 0xabcd in its working: the "
                     "right value is 0x615d "
                     "(0xabcd is a placeholder value); wrote the right 0x615d in the packet",
                 });

  // The chatty answer quotes its reasoning: audited once.
  Bytes dropped = testing::Hex(kReply);
  dropped[23] = 0xf8;
  ByteView d(dropped);
  std::string text = ChattyWith("0x5cf8", "5C F8");
  audit = AuditModelAnswer(request, Profile::kRfc, &d, text,
                           text.substr(0, text.find("\nIP header checksum 0x615d,")));
  CHECK(
      audit.back() ==
      "answer line 18: claimed ICMP checksum 0x5cf8 in its working: the right value is 0x5cf5, and "
      "wrote it in the packet; its own working at line 14 gives 0x5cf5");
  CHECK(std::count_if(audit.begin(), audit.end(),
                      [](const std::string& s) { return s.rfind("reasoning", 0) == 0; }) == 0);

  // No claims, no working: nothing to say.
  CHECK(AuditModelAnswer(request, Profile::kRfc, &written, kReply, "").empty());
}

TEST_CASE("graded results carry the audit of the model's working", "[audit]") {
  EchoPacket request = Packet(kExperimentRequest);
  RequestAssessment assessment = AssessRequest(request, Profile::kRfc);
  Bytes reply = testing::Hex(kReply);
  reply[23] = 0xf4;
  ByteView view(reply);
  ReplyMeta meta;
  meta.model_output = "ICMP checksum 0x5cf5\n" + HexEncode(reply);
  meta.model_reasoning = "";
  ResultSink sink(stdout, false, true, 1);
  sink.Record(request, assessment, 0, &view, meta, Profile::kRfc);
  std::vector<PacketResult> results = sink.TakeResults();
  REQUIRE(results.size() == 1);
  CHECK(results[0].reasoning_audit ==
        std::vector<std::string>{"answer line 1: claimed ICMP checksum 0x5cf5 in its working, "
                                 "wrote 0x5cf4 in the packet"});

  // Without a model's text (grading replies from a capture) there is nothing to audit.
  ResultSink plain(stdout, false, true, 1);
  plain.Record(request, assessment, 0, &view, ReplyMeta(), Profile::kRfc);
  CHECK(plain.TakeResults()[0].reasoning_audit.empty());
}

TEST_CASE("a journal: each line's text and reasoning decoded and audited against its request",
          "[audit]") {
  TempDir dir;
  std::string path = dir.File("run.jsonl");
  nlohmann::json first = {{"v", 1},         {"index", 0},
                          {"sample", 0},    {"request_hex", kExperimentRequest},
                          {"status", "ok"}, {"text", ChattyWith("0x5cf8", "5C F8")},
                          {"reasoning", ""}};
  nlohmann::json second = {
      {"v", 1},
      {"index", 1},
      {"sample", 0},
      {"request_hex", kExperimentRequest},
      {"status", "ok"},
      {"text", "```\n" + kReply + "\n```"},
      {"reasoning", "Sum: 0x4554 + 0x8128 = 0xc67d\nthen the rest.\nICMP checksum \u2192 0x5cf5"}};
  WriteFile(path, first.dump() + "\n" + second.dump() + "\n{\"v\":1,\"text\":\"cut off");
  testing::CommandResult r = RunTool("audit '" + path + "'");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Contains(
      r.out, path +
                 ":1: text line 18: WRONG ICMP checksum 0x5cf8: the reply to the request has ICMP "
                 "checksum 0x5cf5; the working at line 14 gives 0x5cf5\n"));
  CHECK(Contains(
      r.out,
      path + ":2: reasoning line 1: WRONG checksum working: first wrong step \"0x4554 + 0x8128 = "
             "0xc67d\": the result is 0xc67c\n"));
  CHECK(Contains(
      r.out,
      path +
          ":2: reasoning line 3: right ICMP checksum 0x5cf5 is the ICMP checksum of the reply to "
          "the request\n"));
  CHECK(Contains(r.out, path + ":3: skipped: not a journal entry (a line cut off?)\n"));
}

// The stand-in's chatty answers carry running sums like a model's; over crafted-raw.pcap (the
// experiment's request, an IPv4 request with 3 data bytes, IPv6 requests with 16 and 3) they
// leave out what RFC 1071 and RFC 4443 ask to include, and the audit names it.
TEST_CASE("journals written by a run against the stand-in's chatty style", "[audit][model]") {
  TempDir dir;
  testing::StandinServer server("--style chatty");
  auto run = [&](const std::string& journal) {
    return RunShell("env ANTHROPIC_API_KEY=k '" + std::string(LLMSTACK_BINARY) + "' '" +
                    testing::SourcePath("captures/crafted-raw.pcap") + "' -o '" +
                    dir.File(journal + ".pcap") +
                    "' --model anthropic:claude-haiku-4-5 --base-url " + server.anthropic_url() +
                    " --no-cache -q --journal '" + dir.File(journal) + "'");
  };
  testing::CommandResult r = run("right.jsonl");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);  // every reply right
  testing::CommandResult audit = RunTool("audit '" + dir.File("right.jsonl") + "'");
  INFO(audit.out);
  CHECK(audit.exit_code == 1);  // but not every working
  CHECK(Contains(audit.out, "8 checksum claims: 8 right, 0 wrong;"));
  CHECK(Contains(audit.out,
                 ": text line 18: right ICMP checksum 0x5cf5 is the ICMP checksum of the reply to "
                 "the request\n"));
  CHECK(Contains(audit.out,
                 ": text line 14: right ICMP checksum working (line 14): 11 steps, all right, over "
                 "the message of the reply at line 22\n"));
  CHECK(Contains(audit.out,
                 ": text line 14: WRONG ICMP checksum working: its sums are those of the message "
                 "of the reply at "
                 "line 22 without the odd last byte (RFC 1071 pads it with a zero byte for the "
                 "sum); the checksum is 0x"));
  CHECK(Contains(
      audit.out,
      ": text line 13: WRONG ICMPv6 checksum working: its sums are those of the message of the "
      "reply at "
      "line 9 without the pseudo-header (RFC 4443 section 2.3 includes it); the checksum is 0x"));
  CHECK(Contains(
      audit.out,
      "without the pseudo-header and the odd last byte (RFC 4443 section 2.3 includes the one, RFC "
      "1071 pads the other with a zero byte); the checksum is 0x"));

  server.Control({{"mistakes", {"carry_dropped"}}});
  r = run("dropped.jsonl");
  CHECK(r.exit_code == 1);
  audit = RunTool("audit -q '" + dir.File("dropped.jsonl") + "'");
  INFO(audit.out);
  CHECK(audit.exit_code == 1);
  CHECK(Contains(
      audit.out,
      ": text line 18: WRONG ICMP checksum 0x5cf8: the reply to the request has ICMP checksum "
      "0x5cf5; the working at line 14 gives 0x5cf5\n"));
}

TEST_CASE("audit exits 2 for a file it cannot read, after auditing the others; '-' is stdin",
          "[audit]") {
  TempDir dir;
  WriteFile(dir.File("ok.md"), WithRequest("ICMP checksum 0x5cf5\n"));
  testing::CommandResult r =
      RunTool("audit '" + dir.File("missing.md") + "' '" + dir.File("ok.md") + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "llmstack-replay: audit: " + dir.File("missing.md") + ": No such file or directory\n");
  CHECK(Contains(r.out, dir.File("ok.md") + ":4: right ICMP checksum 0x5cf5"));

  r = RunTool("audit - -q", WithRequest("IP checksum: 0xABCD\n"));
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.out, "<stdin>:4: WRONG IP header checksum 0xabcd"));

  r = RunTool("audit");
  CHECK(r.exit_code == 2);
}

TEST_CASE("the example write-up under captures/", "[audit]") {
  testing::CommandResult r = RunTool("audit captures/writeup-example.md");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const std::string f = "captures/writeup-example.md";
  CHECK(r.out == f +
                     ":20: unverifiable \"omitted for brevity\": the arithmetic is left out here, "
                     "so it cannot be checked\n" +
                     f +
                     ":22: WRONG IP header checksum 0xabcd: the reply to the request at line 12 "
                     "has IP header checksum 0x615d "
                     "(0xabcd is a placeholder value)\n" +
                     f +
                     ":26: right ICMP checksum working (lines 26-34): 8 steps, all right, over the "
                     "message of the reply to "
                     "the request at line 12\n" +
                     f +
                     ":36: right ICMP checksum 0x5cf5 is the ICMP checksum of the reply to the "
                     "request at line 12\n" +
                     f +
                     ":52: WRONG ICMP checksum working: first wrong step \"0x3a308 -> 0xa308\": "
                     "folding the carry gives "
                     "0xa30b\n" +
                     f +
                     ":55: WRONG ICMP checksum 0x5cf7: the reply to the request at line 42 has "
                     "ICMP checksum 0x5cf4\n"
                     "audit: 1 file, 2 packets; 3 checksum claims: 1 right, 2 wrong; 11 steps of "
                     "working: 1 wrong; "
                     "1 unverifiable\n");
}

TEST_CASE("large and hostile texts are audited in bounded time", "[audit]") {
  std::string sums;
  for (int i = 0; i < 100000; ++i) sums += "0x" + std::to_string(1000 + i % 9000) + " + ";
  sums += "0x1 = 0x2\n";
  std::string pairs;
  for (int i = 0; i < 300000; ++i) pairs += "45 ";
  std::string packets;
  for (int i = 0; i < 2000; ++i) packets += std::string(kExperimentRequest) + " checksum 0x5cf5\n";
  for (const std::string* text : {&sums, &pairs, &packets}) {
    auto start = std::chrono::steady_clock::now();
    AuditReport report = AuditText(*text);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(seconds < 20);
    (void)report;
  }
  CHECK(AuditText(packets).tally.packets == 2000);
}

}  // namespace
}  // namespace llmstack
