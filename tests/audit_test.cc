#include <algorithm>
#include <catch2/catch.hpp>
#include <ctime>
#include <nlohmann/json.hpp>

#include "audit/checksum_audit.h"
#include "audit/text_scan.h"
#include "grade/responder.h"
#include "packet/capture.h"
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

TEST_CASE("a write-up's claims, tied to the reply they are about", "[audit]") {
  TempDir dir;
  std::string path = dir.File("writeup.md");
  WriteFile(path, "I parsed the request\n" + std::string(kExperimentRequest) +
                      "\nand built the reply by hand.\nThe reply's IP checksum: 0xABCD\n"
                      "The reply's ICMP checksum: 0x5cf5\n");
  testing::CommandResult r = RunTool("audit '" + path + "'");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out == path +
                     ":4: WRONG the reply's IP header checksum 0xabcd: the reply to the request at "
                     "line 2 has IP header checksum 0x615d (0xabcd is a placeholder value) "
                     "(about the reply: its words)\n" +
                     path +
                     ":5: right ICMP checksum 0x5cf5 is the ICMP checksum of the reply to the "
                     "request at line 2\n"
                     "audit: 1 file, 1 packet; 2 checksum claims: 1 right, 1 wrong; 0 steps of "
                     "working: 0 right, 0 wrong; 0 unverified\n");
  CHECK(r.err.empty());

  // -q: only what is wrong, and the summary.
  r = RunTool("audit -q '" + path + "'");
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.out, ":4: WRONG the reply's IP header checksum 0xabcd"));
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
  std::vector<std::string> seen;
  for (const TextToken& t : scan.tokens) seen.push_back(t.text);
  CHECK(std::count(seen.begin(), seen.end(), "8128") == 2);
  CHECK(std::count(seen.begin(), seen.end(), "->") == 1);
  CHECK(scan.tokens[scan.tokens.size() - 2].kind == TextTokenKind::kPlaceholder);
  TextScan words = ScanText("deadline 0x5cg face 10 \xc3\x97 0x46 \xe2\x80\xa6");
  CHECK(words.tokens[0].kind == TextTokenKind::kWord);
  CHECK(words.tokens[2].kind == TextTokenKind::kNumber);
  CHECK(words.tokens[2].letters_only);
  CHECK(words.tokens[4].IsSymbol("*"));
  CHECK(words.tokens[6].IsSymbol("..."));
  CHECK(ScanText(std::string(kExperimentRequest).substr(0, 100)).packets.empty());
  CHECK(ScanText("45" + std::string(200, '0')).packets.empty());
}

TEST_CASE("claims are tied to their subject before they are judged", "[audit]") {
  struct Case {
    const char* text;
    const char* line;  // the finding expected, or "" for none
  };
  const Case cases[] = {
      {"ICMP checksum = 0x5cf5",
       "3: right ICMP checksum 0x5cf5 is the ICMP checksum of the reply to the request at line 2"},
      {"The header checksum is 615D.",
       "3: right IP header checksum 0x615d is the IP header checksum of the reply"},
      // Checking the incoming checksum: the request's value restated.
      {"checksum 0x54f5", "3: right ICMP checksum 0x54f5 is the ICMP checksum of the request"},
      {"The incoming ICMP checksum 0x54F5 verifies.",
       "3: right ICMP checksum 0x54f5 is the ICMP checksum of the request"},
      {"The new ICMP checksum is 0x5cf4.",
       "3: WRONG the reply's ICMP checksum 0x5cf4: the reply to the request at line 2 has ICMP "
       "checksum 0x5cf5"},
      {"The request's ICMP checksum is 0x5cf5.",
       "3: WRONG the request's ICMP checksum 0x5cf5: the request at line 2 has ICMP checksum "
       "0x54f5"},
      // No subject: a value that is no packet's is not certain to be wrong.
      {"checksum 0x1234", "3: unverified checksum 0x1234: which packet it is about cannot be told"},
      {"icmp.checksum = 0x5cf4", "3: unverified ICMP checksum 0x5cf4"},
      {"| ICMP checksum | `0x5cf5` |", "3: right ICMP checksum 0x5cf5"},
      // The incremental update of RFC 1624.
      {"New ICMP checksum = 0x54f5 + 0x0800 = 0x5cf5",
       "3: right ICMP checksum 0x5cf5 is the ICMP checksum of the reply"},
      {"ICMP checksum: 0x2a2a + 0x0028 = 0x2a52 -> complement 0x5cf5",
       "3: right ICMP checksum 0x5cf5"},
      // The field zeroed before the sum, and the result of checking.
      {"Set the ICMP checksum to 0x0000 for the computation.", ""},
      {"ICMP checksum check: 0xFFFF", "3: right ICMP checksum check 0xffff: the checksum verifies"},
      // "protocol 1 (ICMP), checksum 0x615d" is the IP header's checksum, not ICMP's.
      {"protocol 1 (ICMP), checksum 0x615d", "3: right IP header checksum 0x615d"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    std::string text =
        "Given this datagram\n" + std::string(kExperimentRequest) + "\n" + c.text + "\n";
    AuditReport report = AuditText(text);
    std::string all = Joined(Lines(report));
    INFO(all);
    if (std::string(c.line).empty()) {
      CHECK(report.findings.empty());
    } else {
      CHECK(Contains(all, c.line));
    }
  }

  // A section says what its claims are about: a request's value in the parsing section is
  // right; in the building section it is wrong.
  std::string sections = "## Parse the request\n" + std::string(kExperimentRequest) +
                         "\n- checksum 54F5\n\n## Build the reply\n- checksum 54F5\n";
  std::vector<std::string> lines = Lines(AuditText(sections));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "3: right ICMP checksum 0x54f5 is the ICMP checksum of the request at line 2");
  // A section is a guess: the value is some packet's own, so it is not called wrong.
  CHECK(lines[1] == "6: right ICMP checksum 0x54f5 is the ICMP checksum of the request at line 2");
  lines = Lines(AuditText(sections + "- checksum 5CF8\n"));
  CHECK(Contains(lines.back(), "7: WRONG the reply's checksum 0x5cf8:"));
  CHECK(Contains(lines.back(), "(about the reply: its section at line 5)"));

  // Old and new value in one sentence: the first is the request's, the second the reply's.
  lines =
      Lines(AuditText(WithRequest("The ICMP checksum changes from 0x54f5 to 0x5cf5.\n"
                                  "ICMP checksum 0x54f5 -> 0x5cf4\n")));
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "4: right ICMP checksum 0x54f5 is the ICMP checksum of the request at line 2");
  CHECK(lines[1] ==
        "4: right ICMP checksum 0x5cf5 is the ICMP checksum of the reply to the request at line 2");
  CHECK(Contains(lines[3], "5: WRONG the reply's ICMP checksum 0x5cf4"));
}

TEST_CASE("numbers near the word checksum and arithmetic that are not claims or steps", "[audit]") {
  for (const char* text : {
           "The checksum field is at offset 10 (bytes 10-11 of the header).",
           "The checksum covers 20 bytes, as RFC 1071 says.",
           "The checksum of 4500 0054 8128 4000 4001 0000 ac10 0001 ac10 0002 is what we want.",
           "Wireshark printed: icmp.checksum 0x54f5 (should be 0x5cf5: not updated after type "
           "change)",
           "IHL 5 means 20 + 0 = 20 bytes of header and 56 + 8 = 64 bytes of ICMP.",
           "IHL 5 -> 5 x 4 = 20 bytes; total length 0x0054 = 84 - 20 = 64.",
           "Associativity: a + b = c, then TTL 64 -> 64 and type 8 -> 0.",
           "| 2-3 | 0054 | total length |",
           "Recorded 2026-05-10 21:41:53, 172.16.0.1 -> 172.16.0.2.",
       }) {
    INFO(text);
    AuditReport report = AuditText(WithRequest(text));
    INFO(Joined(Lines(report)));
    CHECK_FALSE(report.tally.any_wrong());
  }
}

TEST_CASE("steps of working in the notations real answers use", "[audit]") {
  struct Case {
    const char* text;
    size_t right, wrong, unverified;
  };
  const Case cases[] = {
      {"4500 + 0054 = 4554\n0x4554 + 0x8128 = 0xc67c\n", 2, 0, 0},
      {"4500 + 0054 = 4554 + 8128 = c67c + 4000 = 1067c\n", 3, 0, 0},
      {"4500 + 0054 + 8128 + 4000 + 4001 + 0000 + ac10 + 0002 + ac10 + 0001 = 29ea0\n", 1, 0, 0},
      // continuations, from the result before
      {"1412C + 0000 = 1412C\n(+0000 +0000 = 1412C)\n", 2, 0, 0},
      {"E437 + 2BED0 = 3A307\n+ 0000 = 3A307\n", 2, 0, 0},
      // folds, split folds and the carry written apart
      {"fold 0x29ea0 -> 0x9ea2\n", 1, 0, 0},
      {"29EA0 -> 9EA0 + 2 = 9EA2\n", 2, 0, 0},
      {"21941 -> 1941 + 2 = 1943\n", 2, 0, 0},
      {"0x3a307 -> 0xa307 (carry 3), 0xa307 + 3 = 0xa30a\n", 2, 0, 0},
      {"ff2e + 7ccc = 1 7bfa\n", 1, 0, 0},
      {"fold: FFFD + 2 = FFFF\n", 1, 0, 0},
      // complements
      {"~0x9ea2 = 0x615d\n", 1, 0, 0},
      {"complement: FFFF \xe2\x88\x92 A30A = 5CF5\n", 1, 0, 0},
      {"the complement of 9ea2 is 615d\n", 1, 0, 0},
      {"~(~0x54f5 + ~0x0800 + 0x0000) = 0x5cf5\n", 1, 0, 0},
      {"total 0x29ea0, folded 0x9ea2, complemented 0x615d\n", 2, 0, 0},
      // ledgers, as explain prints them
      {"+ 4500  version/IHL + TOS   running sum 0x04500\n+ 0054  total length  running sum "
       "0x04554\n",
       2, 0, 0},
      // one's complement addition, products and decimal
      {"0xfffe + 0x0800 = 0x07ff\n", 1, 0, 0},
      {"10 \xc3\x97 0x46 = 0x2BC, and 0x2BC00 + 0x2D0 = 0x2BED0\n", 2, 0, 0},
      {"0x4000\xc2\xb7"
       "0x100 + 0x3f80 = 0x403f80\n",
       1, 0, 0},
      {"84 \xe2\x88\x92 20 = 64\n", 1, 0, 0},
      // running sums written as arrows are not folds
      {"a2d8 -> b209 -> b20c -> 11a71 -> 186dd -> 1f5fe\n", 0, 0, 0},
      {"message: 8000 -> dbb7, +243e -> fff5, +0001 -> fff6\n", 2, 0, 0},
      // a sum written again without the terms to add later
      {"0000 + e3d3 + 1c2b + 0001 = e3d3 + 1c2b = fffe, + 0001 = ffff\n", 2, 0, 0},
      // what cannot be judged
      {"10+12+\xe2\x80\xa6+36 = 10 \xc3\x97 0x46\n", 0, 0, 0},
      {"10+12+\xe2\x80\xa6+36 = 0x2BC\n", 0, 0, 1},
      {"+ 0054 = 4554\n", 0, 0, 1},
      // mistakes
      {"4500 + 0054 = 4654\n", 0, 1, 0},
      {"0xfffe + 0x0800 = 0x07fe\n", 0, 1, 0},
      {"fold 0x29ea0 -> 0x9ea0\n", 0, 1, 0},
      {"21941 -> 1951 + 2 = 1953\n", 1, 1, 0},
      {"~0x9ea2 = 0x615e\n", 0, 1, 0},
      {"0x1412C + 0x2BED0 = 0x3FFFD\n", 0, 1, 0},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    AuditReport report = AuditText(c.text);
    INFO(Joined(Lines(report)));
    CHECK(report.tally.steps_right == c.right);
    CHECK(report.tally.steps_wrong == c.wrong);
    CHECK(report.tally.unverified == c.unverified);
  }
  std::vector<std::string> lines = Lines(AuditText(WithRequest(kHeaderWorking)));
  CHECK(lines.front() ==
        "5: right IP header checksum working (lines 5-14): 10 steps, all right, arriving at the "
        "IP header checksum of the reply to the request at line 2");
  lines = Lines(AuditText(
      WithRequest(Replaced(kHeaderWorking, "fold 0x29ea0 -> 0x9ea2", "fold 0x29ea0 -> 0x9ea0"))));
  CHECK(lines.front() ==
        "13: WRONG IP header checksum working: step \"0x29ea0 -> 0x9ea0\" does not hold: "
        "folding the carry gives 0x9ea2");
}

TEST_CASE("the result of a working is a claim about its subject", "[audit]") {
  // A working that leaves out the pseudo-header: every step right, the checksum wrong.
  const std::string request6 =
      "6000000000183a4020010db800000000000000000000000120010db800000000000000000000000280009"
      "49e4c4c00026162636465666768696a6b6c6d6e6f70";
  std::string text = "The request:\n" + request6 +
                     "\n\nThe reply's ICMPv6 checksum over the message only:\n"
                     "total 0x41096, folded 0x109a, complemented 0xef65\n";
  AuditReport report = AuditText(text);
  std::vector<std::string> lines = Lines(report);
  INFO(Joined(lines));
  CHECK(report.tally.steps_right == 2);
  CHECK(report.tally.steps_wrong == 0);
  CHECK(report.tally.claims_wrong == 1);
  CHECK(Contains(Joined(lines),
                 "5: WRONG its working arrives at the reply's ICMPv6 checksum 0xef65"));
}

TEST_CASE("placeholders, omitted arithmetic and claims with no packet are unverified", "[audit]") {
  AuditReport report =
      AuditText(WithRequest("ICMP checksum: 0xXXXX (the calculation is omitted for brevity)\n"));
  std::vector<std::string> lines = Lines(report);
  REQUIRE(lines.size() == 2);
  CHECK(Contains(lines[0], "4: unverified ICMP checksum 0xXXXX is a placeholder, not a value"));
  CHECK(lines[1] ==
        "4: unverified \"omitted for brevity\": the arithmetic is left out here, so it cannot be "
        "checked");
  CHECK(report.tally.unverified == 2);
  CHECK_FALSE(report.tally.any_wrong());
  lines = Lines(AuditText("The IP checksum is 0x615d and the ICMP checksum is ABCD.\n"));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] ==
        "1: unverified IP header checksum 0x615d: no packet in the text to check it against");
}

TEST_CASE("a model's own working against the request and the packet it wrote", "[audit]") {
  EchoPacket request = Packet(kExperimentRequest);
  Bytes off_by_one = testing::Hex(kReply);
  off_by_one[23] = 0xf4;  // ICMP checksum 0x5cf4
  ByteView written(off_by_one);
  ModelAnswerAudit audit = AuditModelAnswer(
      request, Profile::kRfc, &written, "Reply: " + HexEncode(off_by_one),
      "The incoming ICMP checksum is 0x54f5. Type 8 -> 0, so the new ICMP checksum is "
      "0x5cf5.\nThe new IP checksum is 0xabcd.\n");
  std::vector<std::string> seen;
  for (const auto& f : audit.findings) {
    seen.push_back(f.where + " " + std::to_string(f.finding.line) + " " +
                   AuditVerdictName(f.finding.verdict) + " " + AuditSubjectName(f.finding.subject));
  }
  CHECK(seen == std::vector<std::string>{"reasoning 1 right request", "reasoning 1 right reply",
                                         "reasoning 2 WRONG reply"});
  CHECK(audit.tally.claims_right == 2);
  CHECK(audit.tally.claims_wrong == 1);

  // An answer that repeats its reasoning is audited once.
  std::string reasoning = "The new ICMP checksum is 0x5cf5.\n";
  std::string answer = reasoning + "So that is the reply.\n";
  ModelAnswerAudit once = AuditModelAnswer(request, Profile::kRfc, &written, answer, reasoning);
  CHECK(once.findings.size() == 1);
  CHECK(AuditModelAnswer(request, Profile::kRfc, &written, kReply, "").empty());
}

TEST_CASE("graded results carry the audit of the model's working", "[audit]") {
  EchoPacket request = Packet(kExperimentRequest);
  RequestAssessment assessment = AssessRequest(request, Profile::kRfc);
  Bytes reply = testing::Hex(kReply);
  ByteView view(reply);
  ReplyMeta meta;
  meta.model_output = "The new ICMP checksum is 0x5cf5\n" + HexEncode(reply);
  meta.model_reasoning = "";
  ResultSink sink(stdout, false, true, 1);
  sink.Record(request, assessment, 0, &view, meta, Profile::kRfc);
  std::vector<PacketResult> results = sink.TakeResults();
  REQUIRE(results.size() == 1);
  REQUIRE(results[0].audit.findings.size() == 1);
  CHECK(results[0].audit.findings[0].finding.verdict == AuditVerdict::kRight);
  ResultSink plain(stdout, false, true, 1);
  plain.Record(request, assessment, 0, &view, ReplyMeta(), Profile::kRfc);
  CHECK(plain.TakeResults()[0].audit.empty());
}

TEST_CASE("a journal: each line audited against its request; --request for a plain answer",
          "[audit]") {
  TempDir dir;
  std::string path = dir.File("run.jsonl");
  nlohmann::json first = {
      {"v", 1},         {"index", 0},
      {"sample", 0},    {"request_hex", kExperimentRequest},
      {"status", "ok"}, {"text", "The new ICMP checksum is 0x5cf8.\n```\n" + kReply + "\n```"},
      {"reasoning", ""}};
  nlohmann::json second = {{"v", 1},
                           {"index", 1},
                           {"sample", 0},
                           {"request_hex", kExperimentRequest},
                           {"status", "ok"},
                           {"text", "```\n" + kReply + "\n```"},
                           {"reasoning", "Sum: 0x4554 + 0x8128 = 0xc67d\nthen the rest."}};
  WriteFile(path, first.dump() + "\n" + second.dump() + "\n{\"v\":1,\"text\":\"cut off");
  testing::CommandResult r = RunTool("audit '" + path + "'");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.out, path + ":1: answer line 1: WRONG the reply's ICMP checksum 0x5cf8"));
  CHECK(Contains(r.out, path + ":2: reasoning line 1: WRONG checksum working: step \"0x4554 + "
                               "0x8128 = 0xc67d\" does not hold: the result is 0xc67c\n"));
  CHECK(Contains(r.out, path + ":3: skipped: not a journal entry (a line cut off?)\n"));

  WriteFile(dir.File("answer.txt"), "The incoming checksum is 54F5.\nNew checksum 5CF5.\n");
  r = RunTool("audit --request " + std::string(kExperimentRequest) + " '" + dir.File("answer.txt") +
              "'");
  CHECK(r.exit_code == 0);
  CHECK(Contains(r.out, "2 checksum claims: 2 right, 0 wrong"));
  r = RunTool("audit --request 4500 '" + dir.File("answer.txt") + "'");
  CHECK(r.exit_code == 2);
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
  r = RunTool("audit - -q", WithRequest("The reply's IP checksum: 0xABCD\n"));
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.out, "<stdin>:4: WRONG the reply's IP header checksum 0xabcd"));
  r = RunTool("audit");
  CHECK(r.exit_code == 2);
}

TEST_CASE("explain's own output audits with nothing wrong, for every capture", "[audit]") {
  // Up to four echo requests of every prepared capture: explain each, then audit what it printed.
  std::vector<std::string> commands;
  for (const std::string& capture :
       testing::RunShell("ls captures/*.pcap captures/*.pcapng").out | testing::kLines) {
    Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(capture);
    if (!reader.ok()) continue;  // the deliberately broken ones
    PacketStream stream(reader->get(), false);
    EchoPacket p;
    int taken = 0;
    for (Result<bool> more = stream.Next(&p); more.ok() && *more && taken < 4;
         more = stream.Next(&p)) {
      if (!p.is_request() || p.truncated) continue;
      ++taken;
      commands.push_back(testing::ToolCommand("explain " + HexEncode(p.datagram)) + " | " +
                         testing::ToolCommand("audit -"));
    }
  }
  REQUIRE(commands.size() > 40);
  for (const testing::CommandResult& r : testing::RunShellEach(commands)) {
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_FALSE(Contains(r.out, "WRONG"));
    CHECK(Contains(r.out, "steps of working"));
  }
}

// The audit's CPU time on `text`, best of three (the machine may be busy).
double AuditCpuSeconds(const std::string& text) {
  double best = 1e9;
  for (int i = 0; i < 3; ++i) {
    std::clock_t start = std::clock();
    AuditReport report = AuditText(text);
    best = std::min(best, static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC);
    (void)report;
  }
  return best;
}

TEST_CASE("large and hostile texts are audited in linear time", "[audit]") {
  // Each hostile text made of `n` pieces.
  struct Hostile {
    const char* what;
    int n;
    std::string (*make)(int n);
  };
  const Hostile texts[] = {
      {"one long sum", 50000,
       [](int n) {
         std::string t;
         for (int i = 0; i < n; ++i) t += "0x" + std::to_string(1000 + i % 9000) + " + ";
         return t + "0x1 = 0x2\n";
       }},
      {"hex pairs", 150000,
       [](int n) {
         std::string t;
         for (int i = 0; i < n; ++i) t += "45 ";
         return t;
       }},
      {"packets with claims", 4000,
       [](int n) {
         std::string t;
         for (int i = 0; i < n; ++i) {
           t += kExperimentRequest;
           t += " checksum 0x5cf5\n";
         }
         return t;
       }},
      {"headings, each with a claim", 30000,
       [](int n) {
         std::string t;
         for (int i = 0; i < n; ++i) {
           t += "### note " + std::to_string(i) + "\n";
           t += "checksum 0x" + std::to_string(1000 + i % 9000) + "\n";
         }
         return t;
       }},
      {"continued sums", 50000,
       [](int n) {
         std::string t;
         for (int i = 0; i < n; ++i) t += "+ 0001 = " + std::to_string(i) + "\n";
         return t;
       }},
  };
  for (const Hostile& h : texts) {
    // Four times the text: about four times the time; quadratic would be sixteen. Runs too
    // short to time are counted as 5 ms.
    double small = AuditCpuSeconds(h.make(h.n)), large = AuditCpuSeconds(h.make(4 * h.n));
    INFO(h.what << ": " << small << " s for " << h.n << " pieces, " << large << " s for "
                << 4 * h.n);
    CHECK(large < 10 * std::max(small, 0.005));
  }
  CHECK(AuditText(texts[2].make(2000)).tally.packets == 2000);
}

}  // namespace
}  // namespace llmstack
