// `llmstack-replay grade CAPTURE [REPLIES]`: replies in the capture, in a second capture, or
// in a text file of hex lines; pairing as DESIGN §5 says; reports that follow the contract.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "packet_samples.h"
#include "report_checks.h"

namespace llmstack {
namespace {

using nlohmann::json;
using testing::ReadFile;
using testing::RunTool;
using testing::TempDir;
using testing::WriteFile;

json Report(const std::string& path) {
  testing::CheckReportContract(path);
  return json::parse(ReadFile(path));
}

std::map<std::string, uint64_t> Verdicts(const json& report) {
  std::map<std::string, uint64_t> out;
  for (const auto& [k, v] : report["summary"]["verdicts"].items()) {
    if (v.get<uint64_t>() > 0) out[k] = v.get<uint64_t>();
  }
  return out;
}

std::string FailingNames(const json& packet) {
  std::string out;
  for (const json& f : packet["fields"]) {
    if (f["grade"] != "fail") continue;
    out += (out.empty() ? "" : ",") + f["name"].get<std::string>();
  }
  return out;
}

TEST_CASE("grade with a text file of hex replies", "[grade][tool]") {
  TempDir dir;
  std::string report = dir.File("r.json");
  testing::CommandResult hand =
      RunTool("grade captures/experiment.pcap captures/hand-replies.txt -r " + report);
  INFO(hand.out << hand.err);
  CHECK(hand.exit_code == 0);
  CHECK(hand.out.find("hex replies from a text file") != std::string::npos);
  CHECK(Verdicts(Report(report)) == std::map<std::string, uint64_t>{{"correct", 1}});

  // The three announced mistakes of kernel-sizes.replies.txt.
  testing::CommandResult sizes =
      RunTool("grade captures/kernel-sizes.pcap captures/kernel-sizes.replies.txt -q -r " + report);
  CHECK(sizes.exit_code == 1);
  json j = Report(report);
  CHECK(Verdicts(j) ==
        std::map<std::string, uint64_t>{{"correct", 11}, {"wrong", 2}, {"no_reply", 1}});
  std::vector<std::string> failing;
  for (const json& p : j["packets"]) {
    if (p["verdict"] != "correct")
      failing.push_back(p["verdict"].get<std::string>() + ":" + FailingNames(p));
  }
  CHECK(failing ==
        std::vector<std::string>{"wrong:ip.len,trailing", "wrong:icmp.checksum", "no_reply:"});
}

TEST_CASE("hex reply lines: comments, empty lines, and errors", "[grade][tool]") {
  TempDir dir;
  // kernel-crafted.pcap's echo requests, in order; write a line for the first four.
  std::vector<EchoPacket> requests;
  for (EchoPacket& p : testing::ReadEchoPackets("captures/kernel-crafted.pcap")) {
    if (p.is_request()) requests.push_back(p);
  }
  REQUIRE(requests.size() == 24);
  Bytes first = *BuildReferenceReply(requests[0], Profile::kRfc);
  std::string text =
      "# replies for kernel-crafted.pcap\n"
      "  # an indented comment line\n" +
      HexEncode(first) +
      "   # a comment after the hex\n"
      "\n"              // request 2 (bad IP checksum): no reply, right
      "\r\n"            // request 3 (bad ICMP checksum): no reply, right
      "45 00 00 1c\n";  // request 4: 4 bytes, spaced as people write them: cut short
  std::string file = dir.File("replies.txt"), report = dir.File("r.json");
  WriteFile(file, text);
  testing::CommandResult r =
      RunTool("grade captures/kernel-crafted.pcap " + file + " -q -r " + report);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  json j = Report(report);
  REQUIRE(j["packets"].size() == 24);
  CHECK(j["packets"][0]["verdict"] == "correct");
  CHECK(j["packets"][1]["verdict"] == "silent_ok");
  CHECK(j["packets"][2]["verdict"] == "silent_ok");
  CHECK(j["packets"][3]["verdict"] == "wrong");
  CHECK(j["packets"][4]["verdict"] == "no_reply");  // no line at all: no reply

  // Not hex: exit 2, one line naming the file and the line, before anything is graded.
  WriteFile(file, HexEncode(first) + "\n4500zz\n");
  testing::CommandResult bad = RunTool("grade captures/kernel-crafted.pcap " + file);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find(file + ": line 2:") != std::string::npos);
  CHECK(bad.err.find('\n') == bad.err.size() - 1);
  CHECK(bad.out.empty());
  // More replies than requests.
  WriteFile(file, HexEncode(first) + "\n" + HexEncode(first) + "\n");
  testing::CommandResult extra = RunTool("grade captures/experiment.pcap " + file + " -q");
  CHECK(extra.exit_code == 2);
  CHECK(extra.err.find("line 2: more replies than the 1 requests") != std::string::npos);
}

TEST_CASE("grade with replies from a second capture", "[grade][tool]") {
  TempDir dir;
  std::string report = dir.File("r.json");
  for (const char* capture : {"captures/kernel-sizes.pcap", "captures/kernel-icmpv6.pcap",
                              "captures/crafted-duplicates.pcap", "captures/kernel-options.pcap"}) {
    INFO(capture);
    // The reference stack's replies alone, in a capture of their own.
    std::string replies = dir.File("replies.pcap");
    testing::CommandResult made = RunTool(std::string(capture) + " -o " + replies +
                                          " --model reference --profile linux --replies-only -q");
    REQUIRE(made.exit_code == 0);
    testing::CommandResult r =
        RunTool(std::string("grade ") + capture + " " + replies + " --profile linux -r " + report);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("replies from a second capture") != std::string::npos);
    json j = Report(report);
    CHECK(j["summary"]["verdicts"]["correct"] == j["summary"]["requests"]);
    // The kernel's replies, read from the capture itself given as the second file.
    testing::CommandResult k = RunTool(std::string("grade ") + capture + " " + capture +
                                       " --profile linux -q -r " + report);
    CHECK(k.exit_code == 0);
  }
}

TEST_CASE("pairing in a capture: FIFO for shared keys, wrong replies still found",
          "[grade][tool]") {
  TempDir dir;
  std::string report = dir.File("r.json");
  // Requests sharing addresses, identifier and sequence with different data.
  CHECK(RunTool("grade captures/crafted-duplicates.pcap -q -r " + report).exit_code == 0);
  json dup = Report(report);
  REQUIRE(dup["packets"].size() == 5);
  for (const json& p : dup["packets"]) {
    Bytes request = testing::Hex(p["request"]["hex"].get<std::string>());
    Bytes reply = testing::Hex(p["reply"]["hex"].get<std::string>());
    size_t h = request[0] >> 4 == 6 ? 48 : 28;
    CHECK(std::equal(request.begin() + static_cast<long>(h), request.end(),
                     reply.begin() + static_cast<long>(h), reply.end()));
  }
  // crafted-mistakes.pcap: every reply pairs with its request, whatever its mistake (the
  // sequence number matches), including the one whose addresses are not swapped and the
  // one whose type was left at 8.
  CHECK(RunTool("grade captures/crafted-mistakes.pcap -q -r " + report).exit_code == 1);
  json m = Report(report);
  std::map<int, std::string> by_seq;
  for (const json& p : m["packets"])
    by_seq[p["request"]["seq"].get<int>()] =
        p["verdict"].get<std::string>() + ":" + FailingNames(p);
  CHECK(by_seq[1] == "wrong:icmp.checksum");
  CHECK(by_seq[8] == "wrong:ip.src,ip.dst");
  CHECK(by_seq[10] == "wrong:icmp.type");
  CHECK(by_seq[12] == "wrong:ip.len,data");
  CHECK(by_seq[13] == "wrong:ip.checksum");
  CHECK(by_seq[15] == "correct:");
  CHECK(m["summary"]["verdicts"]["no_reply"] == 0);
  // Named checksum mistakes, as the answer key crafted-mistakes.md gives them.
  std::map<int, std::string> notes;
  for (const json& p : m["packets"]) {
    for (const json& f : p["fields"]) {
      if (f["grade"] == "fail" && f["name"] == "icmp.checksum") {
        notes[p["request"]["seq"].get<int>()] = f["note"].get<std::string>();
      }
    }
  }
  CHECK(notes[1] == "not updated after type change");
  CHECK(notes[2] == "end-around carry dropped");
  CHECK(notes[3] == "not complemented");
  CHECK(notes[4] == "byte-swapped");
  CHECK(notes[5] == "checksum field not zeroed before summing");
  CHECK(notes[6] == "wrong span: ICMP header only");
  CHECK(notes[7] == "wrong span: IP header included");
  CHECK(notes[14] == "wrong value");
}

TEST_CASE("grade reports rtt from the frames, and counts skipped frames", "[grade][tool]") {
  TempDir dir;
  std::string report = dir.File("r.json");
  CHECK(RunTool("grade captures/crafted-non-echo.pcap -q -r " + report).exit_code == 0);
  json j = Report(report);
  CHECK(j["summary"]["skipped"].get<int>() > 0);
  CHECK(RunTool("grade captures/kernel-nano.pcap -q -r " + report).exit_code == 0);
  json n = Report(report);
  for (const json& p : n["packets"]) {
    double rtt = p["reply"]["rtt_ms"].get<double>();
    CHECK(rtt > 0);
    CHECK(rtt < 1);  // tens of microseconds: the nanosecond timestamps are kept
  }
}

}  // namespace
}  // namespace llmstack
