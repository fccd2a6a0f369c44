// Wireshark's own dissector as an independent oracle (DESIGN §9, packet-anchors §7): every
// reply the reference stack writes into an output capture has good ICMP/ICMPv6 and IPv4
// header checksums (with IPv4 checksum validation turned on) and is paired with its request
// (two-pass analysis). Skipped with a message when tshark is not installed.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "packet_samples.h"

namespace llmstack {
namespace {

using nlohmann::json;
using testing::RunTool;
using testing::TempDir;

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

struct TsharkReply {
  int frame = 0;
  bool ipv6 = false;
  std::string icmp_status, ip_status, resp_to, severities;
  // Another echo request with the same identifier and sequence number came before this reply
  // (a crafted capture repeats them): Wireshark cannot tell which one it answers, and which
  // it picks depends on how the replies' latencies interleave them.
  bool ambiguous = false;
};

// The tshark command whose output Replies() reads.
std::string RepliesCommand(const std::string& capture) {
  return "tshark -2 -r '" + capture +
         "' -o ip.check_checksum:TRUE -T fields -E separator='|' "
         "-e frame.number -e icmp.type -e icmpv6.type -e icmp.checksum.status "
         "-e icmpv6.checksum.status -e ip.checksum.status -e icmp.resp_to -e icmpv6.resp_to "
         "-e _ws.expert.severity -e icmp.ident -e icmp.seq -e icmpv6.echo.identifier "
         "-e icmpv6.echo.sequence_number 2>/dev/null";
}

std::vector<TsharkReply> Replies(const testing::CommandResult& r) {
  std::vector<TsharkReply> out;
  std::map<std::string, int> requests_seen;  // "ident/seq" -> echo requests so far
  for (const std::string& line : Split(r.out, '\n')) {
    std::vector<std::string> f = Split(line, '|');
    if (f.size() < 13) continue;
    std::string id_seq = f[9] + "/" + f[10] + "/" + f[11] + "/" + f[12];
    if (f[1] == "8" || f[2] == "128") ++requests_seen[id_seq];
    if (f[1] != "0" && f[2] != "129") continue;
    TsharkReply reply;
    reply.frame = std::stoi(f[0]);
    reply.ipv6 = f[2] == "129";
    reply.icmp_status = reply.ipv6 ? f[4] : f[3];
    reply.ip_status = f[5];
    reply.resp_to = reply.ipv6 ? f[7] : f[6];
    reply.severities = f[8];
    reply.ambiguous = requests_seen[id_seq] > 1;
    out.push_back(reply);
  }
  return out;
}

TEST_CASE("tshark marks every reference reply good and pairs it with its request",
          "[tshark][tool]") {
  if (!testing::HaveCommand("tshark")) {
    return testing::Skip("tshark is not installed: the Wireshark cross-check cannot run");
  }
  std::vector<std::string> captures = testing::CapturesNamed("kernel");
  for (const std::string& c : testing::CapturesNamed("crafted-")) {
    if (c.find("unsupported") == std::string::npos) captures.push_back(c);
  }
  captures.push_back("captures/experiment.pcap");
  TempDir dir;
  // Every run of the tool first, then tshark on every output, several at a time.
  struct Run {
    std::string capture, profile, out, report;
  };
  std::vector<Run> runs;
  std::vector<std::string> commands;
  for (const std::string& capture : captures) {
    for (const char* profile : {"rfc", "linux"}) {
      for (const char* ext : {".pcap", ".pcapng"}) {
        if (std::string(ext) == ".pcapng" && std::string(profile) == "linux") continue;
        std::string stem = dir.File(std::to_string(runs.size()));
        runs.push_back({capture, profile, stem + ext, stem + ".json"});
        commands.push_back(testing::ToolCommand(capture + " -o " + runs.back().out +
                                                " --model reference --profile " + profile +
                                                " -q -r " + runs.back().report));
      }
    }
  }
  std::vector<testing::CommandResult> tool_results = testing::RunShellEach(commands);
  commands.clear();
  for (const Run& run : runs) commands.push_back(RepliesCommand(run.out));
  std::vector<testing::CommandResult> tshark_results = testing::RunShellEach(commands);

  int checked = 0, code_changed = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    const Run& run = runs[i];
    const testing::CommandResult& r = tool_results[i];
    INFO(run.capture << " --profile " << run.profile << " -o " << run.out << "\n"
                     << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    // The replies the tool wrote, by frame, with the code of the request they answer.
    json j = json::parse(testing::ReadFile(run.report));
    std::map<int, int> request_code;
    for (const json& p : j["packets"]) {
      if (p["reply"].is_null() || p["reply"]["frame"].is_null()) continue;
      Bytes request = testing::Hex(p["request"]["hex"].get<std::string>());
      size_t h = request[0] >> 4 == 6 ? 40 : size_t{request[0] & 0x0fu} * 4;
      request_code[p["reply"]["frame"].get<int>()] = request[h + 1];
    }
    std::vector<TsharkReply> replies = Replies(tshark_results[i]);
    CHECK(replies.size() == request_code.size());
    for (const TsharkReply& reply : replies) {
      INFO("reply frame " << reply.frame);
      REQUIRE(request_code.count(reply.frame) == 1);
      CHECK(reply.icmp_status == "1");                 // Good
      if (!reply.ipv6) CHECK(reply.ip_status == "1");  // Good, with validation on
      for (const std::string& s : Split(reply.severities, ',')) {
        if (!s.empty()) CHECK(std::stoul(s) < 4194304u);  // nothing at Warning or above
      }
      // Wireshark predicts the reply's checksum from the request's with only the type
      // changed, so under rfc the code-0 answer to a request with a non-zero code is
      // right but cannot be paired there (DESIGN §5 pitfalls).
      if (run.profile == "rfc" && request_code[reply.frame] != 0) {
        CHECK(reply.resp_to.empty());
        ++code_changed;
      } else if (!reply.ambiguous) {
        CHECK(!reply.resp_to.empty());
      }
      ++checked;
    }
  }
  CHECK(checked > 200);
  CHECK(code_changed == 4);  // kernel-crafted's IPv4 and IPv6 code-5 requests, pcap and pcapng
}

}  // namespace
}  // namespace llmstack
