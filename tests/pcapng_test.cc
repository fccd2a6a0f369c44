// pcapng output (DESIGN §7, packet-anchors §3): the blocks byte by byte, and what Wireshark's
// tools make of the files the tool writes: every one reads; capinfos shows the run comment with
// the model; `frame.comment contains "WRONG"` finds exactly the wrong replies; correct replies
// are paired with their requests, with the model's latency as icmp.resptime; nanosecond
// timestamps survive. The tshark checks are skipped with a message when tshark is missing.
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "packet/capture_writer.h"
#include "packet/pcapng_writer.h"
#include "report_checks.h"
#include "standin_fixture.h"
#include "test_support.h"

namespace llmstack {
namespace {

using nlohmann::json;
using testing::ReadFile;
using testing::RunShell;
using testing::StandinServer;
using testing::TempDir;

uint32_t U32(const Bytes& b, size_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}
uint16_t U16(const Bytes& b, size_t at) {
  uint16_t v;
  std::memcpy(&v, b.data() + at, 2);
  return v;
}

// Walks the option list of a block body starting at `at`: code -> value.
std::multimap<uint16_t, std::string> Options(const Bytes& block, size_t at) {
  std::multimap<uint16_t, std::string> out;
  size_t end = block.size() - 4;
  while (at + 4 <= end) {
    uint16_t code = U16(block, at), length = U16(block, at + 2);
    if (code == 0) {
      CHECK(length == 0);
      CHECK(at + 4 == end);  // opt_endofopt closes the list
      break;
    }
    REQUIRE(at + 4 + length <= end);
    out.emplace(code, std::string(block.begin() + static_cast<long>(at) + 4,
                                  block.begin() + static_cast<long>(at) + 4 + length));
    for (size_t pad = at + 4 + length; pad % 4 != 0; ++pad) CHECK(block[pad] == 0);
    at += 4 + ((length + 3u) & ~3u);
  }
  return out;
}

void CheckFraming(const Bytes& block, uint32_t type) {
  REQUIRE(block.size() >= 12);
  CHECK(block.size() % 4 == 0);
  CHECK(U32(block, 0) == type);
  CHECK(U32(block, 4) == block.size());
  CHECK(U32(block, block.size() - 4) == block.size());
}

TEST_CASE("pcapng blocks: framing, options, comments and direction", "[pcapng]") {
  CaptureDescription d;
  d.comment = "run of x.pcap; model m";
  d.application = "llmstack-replay 0.1.0";
  Bytes shb = PcapngSectionHeader(d);
  CheckFraming(shb, 0x0a0d0d0a);
  CHECK(U32(shb, 8) == 0x1a2b3c4d);
  CHECK(U16(shb, 12) == 1);
  CHECK(U16(shb, 14) == 0);
  auto shb_options = Options(shb, 24);
  CHECK(shb_options.find(1)->second == d.comment);
  CHECK(shb_options.find(4)->second == d.application);

  Bytes idb = PcapngInterfaceDescription(LinkType::kLinuxSll2);
  CheckFraming(idb, 1);
  CHECK(U16(idb, 8) == 276);
  auto idb_options = Options(idb, 16);
  REQUIRE(idb_options.count(9) == 1);
  CHECK(idb_options.find(9)->second == std::string(1, '\x09'));  // nanoseconds

  // Odd lengths everywhere, a comment with invalid UTF-8, a timestamp past 2^32 ns.
  Bytes data = {1, 2, 3, 4, 5};
  std::string comment = "WRONG icmp.checksum \xff\xfe ok\xc3\xa9";
  OutputFrame f;
  f.time.sec = 1778500001;
  f.time.nsec = 123456789;
  f.data = data;
  f.original_length = 9;
  f.outbound = true;
  f.comment = comment;
  Bytes epb = PcapngEnhancedPacket(f);
  CheckFraming(epb, 6);
  uint64_t ns = (static_cast<uint64_t>(U32(epb, 12)) << 32) | U32(epb, 16);
  CHECK(ns == 1778500001123456789ull);
  CHECK(U32(epb, 20) == 5);
  CHECK(U32(epb, 24) == 9);
  CHECK(Bytes(epb.begin() + 28, epb.begin() + 33) == data);
  for (size_t pad = 33; pad < 36; ++pad) CHECK(epb[pad] == 0);
  auto epb_options = Options(epb, 36);
  REQUIRE(epb_options.count(2) == 1);
  uint32_t flags;
  std::memcpy(&flags, epb_options.find(2)->second.data(), 4);
  CHECK((flags & 3) == 2);  // outbound
  CHECK(epb_options.find(1)->second == "WRONG icmp.checksum ?? ok\xc3\xa9");

  f.outbound = false;
  f.comment = {};
  Bytes plain = PcapngEnhancedPacket(f);
  auto plain_options = Options(plain, 36);
  CHECK(plain_options.count(1) == 0);
  std::memcpy(&flags, plain_options.find(2)->second.data(), 4);
  CHECK((flags & 3) == 1);  // inbound
}

bool HaveTshark() {
  if (testing::HaveCommand("tshark") && testing::HaveCommand("capinfos")) return true;
  testing::Skip("tshark or capinfos not installed (apt-get install tshark): pcapng checks");
  return false;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

std::string Tool() { return testing::QuotedToolPath(); }

TEST_CASE("every pcapng the main job writes reads in tshark and carries the run",
          "[pcapng][tool]") {
  if (!HaveTshark()) return;
  TempDir dir;
  // Every prepared capture the main job accepts, with requests and replies interleaved and
  // with replies only.
  testing::CommandResult list = RunShell("ls '" + testing::SourcePath("captures") + "'");
  struct Run {
    std::string name, out;
    bool replies_only;
  };
  std::vector<Run> runs;
  std::vector<std::string> commands;
  for (const std::string& name : Lines(list.out)) {
    if (!name.ends_with(".pcap") && !name.ends_with(".pcapng")) continue;
    // Replies alone for a few link types; everything else interleaved.
    bool also_replies_only = name == "kernel-sizes.pcap" || name == "crafted-sll2.pcap" ||
                             name == "kernel.pcapng" || name == "crafted-raw.pcap";
    for (bool replies_only : {false, true}) {
      if (replies_only && !also_replies_only) continue;
      std::string out = dir.File(name + (replies_only ? ".replies" : "") + ".pcapng");
      runs.push_back({name, out, replies_only});
      // tshark reads every frame without complaint; capinfos shows the run's comment.
      commands.push_back(Tool() + " '" + testing::SourcePath("captures/" + name) + "' -o '" + out +
                         "' --model reference -q" + (replies_only ? " --replies-only" : "") +
                         "; echo \"exit $?\"; [ -f '" + out + "' ] || exit 0; tshark -r '" + out +
                         "' -T fields -e frame.number 2>&1 | grep -v 'Running as user' | "
                         "grep -vc '^[0-9][0-9]*$'; capinfos -k -u '" +
                         out + "' 2>&1");
    }
  }
  std::vector<testing::CommandResult> results = testing::RunShellEach(commands);
  int checked = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    const Run& run = runs[i];
    const std::string& out = results[i].out;
    INFO(run.name << (run.replies_only ? " --replies-only" : "") << "\n" << out << results[i].err);
    if (out.find("exit 2\n") != std::string::npos) {
      // Refused inputs (an unsupported link type) write nothing.
      CHECK_FALSE(testing::FileExists(run.out));
      continue;
    }
    REQUIRE(out.find("exit 0\n") != std::string::npos);
    REQUIRE(testing::FileExists(run.out));
    CHECK(out.find("exit 0\n0\n") != std::string::npos);  // no line that is not a frame number
    CHECK(out.find("Capture comment:") != std::string::npos);
    CHECK(out.find("built-in reference stack, not a model") != std::string::npos);
    ++checked;
  }
  CHECK(checked >= 30);
}

// One run against the stand-in with a known mistake per sequence number, IPv4 and IPv6 mixed.
struct MistakesRun {
  TempDir dir;
  json report;
  testing::CommandResult result;
};

void RunWithMistakes(MistakesRun* run) {
  StandinServer server("--latency-ms 20 --jitter-ms 200 --seed 3");
  server.Control(
      {{"mistakes",
        {"icmp_checksum_unchanged", "carry_dropped", "none", "data_changed", "ttl_zero", "none",
         "unparseable", "no_reply", "none", "type_unchanged", "no_swap", "none"}},
       {"mistake_by_seq", true}});
  std::string input = run->dir.File("in.pcap");
  testing::WriteRequestCapture(input, 12, true);
  run->result =
      RunShell("env ANTHROPIC_API_KEY=k " + Tool() + " '" + input + "' -o '" +
               run->dir.File("out.pcapng") + "' --model anthropic:claude-haiku-4-5 --base-url " +
               server.anthropic_url() + " --no-cache -q -r '" + run->dir.File("r.json") + "'");
  run->report = json::parse(ReadFile(run->dir.File("r.json")));
}

TEST_CASE(
    "tshark: the run comment, exactly the wrong replies, and icmp.resptime = the model's latency",
    "[pcapng][tool][model]") {
  if (!HaveTshark()) return;
  MistakesRun run;
  RunWithMistakes(&run);
  INFO(run.result.out << run.result.err);
  REQUIRE(run.result.exit_code == 1);
  testing::CheckReportContract(run.dir.File("r.json"));
  const std::string out = run.dir.File("out.pcapng");

  testing::CommandResult info = RunShell("capinfos -k -u '" + out + "' 2>&1");
  INFO(info.out);
  CHECK(info.out.find("Capture comment:") != std::string::npos);
  CHECK(info.out.find("model anthropic:claude-haiku-4-5") != std::string::npos);
  CHECK(info.out.find("profile rfc") != std::string::npos);
  CHECK(info.out.find("sha256 " + run.report["run"]["prompt"]["sha256"].get<std::string>()) !=
        std::string::npos);
  testing::CommandResult app = RunShell("capinfos '" + out + "' 2>&1");
  CHECK(app.out.find("llmstack-replay 0.1.0") != std::string::npos);

  // The wrong replies, by the JSON report: frames of replies graded wrong or unexpected.
  std::set<int> wrong_frames, correct_frames;
  std::map<int, double> rtt_by_frame;
  int wrong = 0;
  for (const json& p : run.report["packets"]) {
    if (!p["reply"].is_object() || !p["reply"]["frame"].is_number()) continue;
    int frame = p["reply"]["frame"];
    rtt_by_frame[frame] = p["reply"]["rtt_ms"];
    if (p["verdict"] == "wrong" || p["verdict"] == "unexpected_reply") wrong_frames.insert(frame);
    if (p["verdict"] == "correct") correct_frames.insert(frame);
    wrong += p["verdict"] == "wrong";
  }
  CHECK(wrong >= 5);
  CHECK(correct_frames.size() >= 4);
  testing::CommandResult filtered =
      RunShell("tshark -r '" + out +
               "' -Y 'frame.comment contains \"WRONG\"' -T fields -e frame.number 2>/dev/null");
  std::set<int> found;
  for (const std::string& line : Lines(filtered.out)) found.insert(std::stoi(line));
  CHECK(found == wrong_frames);

  // Correct replies: paired by Wireshark (two passes), the response time the model's latency.
  testing::CommandResult paired = RunShell(
      "tshark -2 -r '" + out +
      "' -T fields -e frame.number -e icmp.resp_to "
      "-e icmpv6.resp_to -e icmp.resptime -e icmpv6.resptime -e frame.comment 2>/dev/null");
  std::set<int> seen;
  int ipv6 = 0;
  for (const std::string& line : Lines(paired.out)) {
    std::vector<std::string> f = Split(line, '\t');
    REQUIRE(f.size() >= 6);
    int frame = std::stoi(f[0]);
    if (!correct_frames.count(frame)) continue;
    INFO("frame " << frame << ": " << line);
    seen.insert(frame);
    std::string resp_to = f[1].empty() ? f[2] : f[1];
    std::string resptime = f[3].empty() ? f[4] : f[3];
    ipv6 += f[1].empty();
    CHECK_FALSE(resp_to.empty());
    REQUIRE_FALSE(resptime.empty());
    CHECK(std::stod(resptime) == Approx(rtt_by_frame[frame]).margin(0.001));
    CHECK(f[5].rfind("ok | anthropic:claude-haiku-4-5", 0) == 0);
  }
  CHECK(seen == correct_frames);
  CHECK(ipv6 >= 1);
}

TEST_CASE("nanosecond timestamps of the input survive into pcap and pcapng outputs",
          "[pcapng][tool]") {
  if (!HaveTshark()) return;
  TempDir dir;
  for (const char* name : {"kernel-nano.pcap", "crafted-nano.pcapng"}) {
    std::string input = testing::SourcePath(std::string("captures/") + name);
    for (const char* ext : {".pcap", ".pcapng"}) {
      std::string out = dir.File(std::string(name) + ext);
      testing::CommandResult run =
          RunShell(Tool() + " '" + input + "' -o '" + out + "' --model reference -q");
      INFO(name << " -> " << ext << "\n" << run.out << run.err);
      REQUIRE(run.exit_code == 0);
      testing::CommandResult precision = RunShell("capinfos '" + out + "' 2>&1");
      CHECK(precision.out.find("nanoseconds") != std::string::npos);
      // The requests keep their time to the nanosecond.
      std::string fields =
          " -T fields -e frame.time_epoch -Y 'icmp.type == 8 || icmpv6.type == 128' 2>/dev/null";
      std::string in_times = RunShell("tshark -r '" + input + "'" + fields).out;
      std::string out_times = RunShell("tshark -r '" + out + "'" + fields).out;
      CHECK_FALSE(in_times.empty());
      CHECK(out_times == in_times);
      bool sub_microsecond = false;
      for (const std::string& t : Lines(in_times)) {
        sub_microsecond |= t.size() >= 3 && t.substr(t.size() - 3) != "000";
      }
      CHECK(sub_microsecond);
    }
  }
}

}  // namespace
}  // namespace llmstack
