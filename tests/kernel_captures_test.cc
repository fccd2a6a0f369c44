// The real-kernel captures (captures/kernel-*, recorded between two network namespaces) graded
// and replayed through the built tool, read back from its JSON reports:
// * every kernel reply is correct under rfc and linux, except the kernel's 0x0000 checksum on
//   the all-zero message, which fails icmp.checksum alone; requests with bad checksums are
//   silent_ok;
// * `--model reference --profile linux` builds the kernel's replies byte for byte, apart from
//   the IP ID, the IPv4 header checksum, Timestamp clock values and the IPv6 flow label.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "packet/option_echo.h"
#include "packet_samples.h"
#include "report_checks.h"

namespace llmstack {
namespace {

using nlohmann::json;
using testing::CapturesNamed;
using testing::ReadFile;
using testing::RunTool;
using testing::TempDir;

std::set<std::string> FailingFields(const json& packet) {
  std::set<std::string> out;
  for (const json& f : packet["fields"]) {
    if (f["grade"] == "fail") out.insert(f["name"].get<std::string>());
  }
  return out;
}

bool IsAllZeroMessage(const json& packet) {
  Bytes request = testing::Hex(packet["request"]["hex"].get<std::string>());
  return request.size() == 28 && packet["request"]["ident"] == 0 && packet["request"]["seq"] == 0;
}

TEST_CASE("grade: every kernel reply is correct under rfc and linux", "[kernel][tool]") {
  std::vector<std::string> captures = CapturesNamed("kernel");
  REQUIRE(captures.size() >= 10);
  TempDir dir;
  int all_zero = 0, bad_checksum = 0, kernel_replies = 0;
  for (const std::string& capture : captures) {
    for (const char* profile : {"rfc", "linux"}) {
      std::string report = dir.File("grade.json");
      testing::CommandResult r =
          RunTool("grade " + capture + " --profile " + profile + " -q -r " + report);
      INFO(capture << " --profile " << profile << "\n" << r.out << r.err);
      REQUIRE((r.exit_code == 0 || r.exit_code == 1));
      CHECK(r.err.empty());
      testing::CheckReportContract(report);
      json j = json::parse(ReadFile(report));
      CHECK(j["run"]["command"] == "grade");
      CHECK(j["run"]["profile"] == profile);
      CHECK(j["run"]["model"].is_null());
      bool any_wrong = false;
      for (const json& p : j["packets"]) {
        INFO("request frame " << p["request"]["frame"] << " " << p["request"]["hex"]);
        std::string verdict = p["verdict"];
        CHECK(verdict != "no_reply");
        CHECK(verdict != "unexpected_reply");
        if (!p["reply"].is_null()) {
          if (verdict == "truncated") continue;  // kernel-snaplen: the request is cut
          ++kernel_replies;
          if (IsAllZeroMessage(p)) {
            // Linux sends 0x0000 where only 0xffff verifies (packet-anchors §0.4).
            ++all_zero;
            any_wrong = true;
            CHECK(verdict == "wrong");
            CHECK(FailingFields(p) == std::set<std::string>{"icmp.checksum"});
            for (const json& f : p["fields"]) {
              if (f["name"] != "icmp.checksum") continue;
              CHECK(f["actual"] == "0x0000");
              CHECK(f["expected"] == "0xffff");
              CHECK(f["note"].get<std::string>().find("all-zero") != std::string::npos);
            }
          } else {
            CHECK(verdict == "correct");
            CHECK(FailingFields(p).empty());
          }
          continue;
        }
        if (verdict == "truncated") continue;
        CHECK(verdict == "silent_ok");
        std::string why = p["why_silent"].is_null() ? "" : p["why_silent"].get<std::string>();
        if (why.find("checksum") != std::string::npos) ++bad_checksum;
      }
      CHECK(r.exit_code == (any_wrong ? 1 : 0));
    }
  }
  CHECK(all_zero == 2);      // kernel-crafted, under each profile
  CHECK(bad_checksum == 6);  // bad IP, bad ICMP, bad ICMPv6 checksum, under each profile
  CHECK(kernel_replies > 100);
}

TEST_CASE("grade: how the kernel-crafted requests come out", "[kernel][tool]") {
  TempDir dir;
  std::string report = dir.File("g.json");
  testing::CommandResult r =
      RunTool("grade captures/kernel-crafted.pcap --profile linux -q -r " + report);
  REQUIRE(r.exit_code == 1);
  json j = json::parse(ReadFile(report));
  std::map<std::string, std::string> by_seq;  // "v4:8" -> verdict
  for (const json& p : j["packets"]) {
    by_seq[p["request"]["family"].get<std::string>() + ":" +
           std::to_string(p["request"]["seq"].get<int>()) + ":" +
           p["request"]["dst"].get<std::string>()] = p["verdict"];
  }
  CHECK(by_seq["ipv4:2:192.0.2.2"] == "silent_ok");     // bad IP header checksum
  CHECK(by_seq["ipv4:3:192.0.2.2"] == "silent_ok");     // bad ICMP checksum
  CHECK(by_seq["ipv4:4:192.0.2.2"] == "correct");       // code 5 copied
  CHECK(by_seq["ipv4:8:192.0.2.2"] == "silent_ok");     // source-routed: Linux drops it
  CHECK(by_seq["ipv4:10:192.0.2.255"] == "silent_ok");  // subnet broadcast
  CHECK(by_seq["ipv4:11:224.0.0.1"] == "silent_ok");    // multicast
  CHECK(by_seq["ipv4:17:192.0.2.2"] == "correct");      // fragments in reverse order
  CHECK(by_seq["ipv4:18:192.0.2.2"] == "correct");      // a duplicate fragment
  CHECK(by_seq.count("ipv4:19:192.0.2.2") == 0);        // overlapping fragments: discarded
  CHECK(by_seq.count("ipv4:20:192.0.2.2") == 0);        // a lone fragment never completes
  CHECK(by_seq["ipv6:102:2001:db8::2"] == "silent_ok");
  CHECK(by_seq["ipv6:104:ff02::1"] == "correct");  // answered from a unicast address
  CHECK(by_seq["ipv6:105:2001:db8::2"] == "correct");
  CHECK(by_seq.count("ipv6:106:2001:db8::2") == 0);
  int first_in_first_out = 0;
  for (const json& p : j["packets"]) {
    if (p["request"]["seq"] != 16) continue;
    // Three requests share addresses, identifier and sequence; each gets its own reply.
    CHECK(p["verdict"] == "correct");
    Bytes request = testing::Hex(p["request"]["hex"].get<std::string>());
    Bytes reply = testing::Hex(p["reply"]["hex"].get<std::string>());
    CHECK(std::equal(request.begin() + 28, request.end(), reply.begin() + 28, reply.end()));
    ++first_in_first_out;
  }
  CHECK(first_in_first_out == 3);
}

// Sets the bytes of a reply that a host chooses for itself to zero: the IPv4 identification
// and header checksum (or the IPv6 flow label), and the clock values of a Timestamp option.
Bytes MaskHostChoices(Bytes reply, const Bytes& request_datagram) {
  if (reply[0] >> 4 == 6) {
    reply[1] &= 0xf0;
    reply[2] = reply[3] = 0;
    return reply;
  }
  reply[4] = reply[5] = reply[10] = reply[11] = 0;
  size_t request_header = size_t{request_datagram[0] & 0x0fu} * 4;
  if (request_header > 20) {
    EchoPacket request = testing::Packet(HexEncode(request_datagram));
    Result<OptionEcho> echo =
        EchoIpv4Options(ByteView(request_datagram).subspan(20, request_header - 20), request.src(),
                        request.dst(), 0, OptionEchoStyle::kLinux);
    REQUIRE(echo.ok());
    Bytes options =
        MaskClockValues(ByteView(reply).subspan(20, echo->options.size()), echo->clock_offsets);
    std::copy(options.begin(), options.end(), reply.begin() + 20);
  }
  return reply;
}

TEST_CASE("the reference stack under linux builds the kernel's replies byte for byte",
          "[kernel][tool]") {
  TempDir dir;
  int compared = 0, multicast_skipped = 0, truncated_skipped = 0, all_zero = 0, options = 0;
  for (const std::string& capture : CapturesNamed("kernel")) {
    std::string graded = dir.File("grade.json"), replayed = dir.File("replay.json");
    std::string out = dir.File(capture.ends_with(".pcapng") ? "out.pcapng" : "out.pcap");
    INFO(capture);
    testing::CommandResult g = RunTool("grade " + capture + " --profile linux -q -r " + graded);
    REQUIRE(g.exit_code <= 1);
    testing::CommandResult r =
        RunTool(capture + " -o " + out + " --model reference --profile linux -q -r " + replayed);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    testing::CheckReportContract(replayed);
    json kernel = json::parse(ReadFile(graded));
    json reference = json::parse(ReadFile(replayed));
    CHECK(reference["run"]["model"] == "reference:linux");
    std::map<int, json> reference_by_frame;
    for (const json& p : reference["packets"]) {
      reference_by_frame[p["request"]["frame"].get<int>()] = p;
    }
    for (const json& p : kernel["packets"]) {
      if (p["reply"].is_null()) continue;  // the kernel was silent
      INFO("request frame " << p["request"]["frame"] << " to " << p["request"]["dst"]);
      if (p["verdict"] == "truncated") {
        ++truncated_skipped;  // cut by the snaplen: no reply can be built from it
        continue;
      }
      auto it = reference_by_frame.find(p["request"]["frame"].get<int>());
      if (p["request"]["dst"].get<std::string>().starts_with("ff")) {
        // To a multicast group: Linux picks a unicast source; the reference stays silent.
        ++multicast_skipped;
        CHECK((it == reference_by_frame.end() || it->second["reply"].is_null() ||
               it->second["reply"]["hex"].is_null()));
        continue;
      }
      REQUIRE(it != reference_by_frame.end());
      REQUIRE_FALSE(it->second["reply"].is_null());
      Bytes request = testing::Hex(p["request"]["hex"].get<std::string>());
      Bytes from_kernel = testing::Hex(p["reply"]["hex"].get<std::string>());
      Bytes from_reference = testing::Hex(it->second["reply"]["hex"].get<std::string>());
      if (IsAllZeroMessage(p)) {
        // Linux's choices, not its bugs: the reference sends 0xffff where the kernel sent 0.
        ++all_zero;
        CHECK(HexEncode(ByteView(from_kernel).subspan(22, 2)) == "0000");
        CHECK(HexEncode(ByteView(from_reference).subspan(22, 2)) == "ffff");
        from_kernel[22] = from_kernel[23] = from_reference[22] = from_reference[23] = 0;
      }
      options += request[0] >> 4 == 4 && (request[0] & 0x0f) > 5;
      CHECK(HexEncode(MaskHostChoices(from_kernel, request)) ==
            HexEncode(MaskHostChoices(from_reference, request)));
      ++compared;
    }
  }
  CHECK(compared > 50);
  CHECK(options == 4);  // ping -R, -T tsonly, -T tsandaddr; NOPs (kernel-crafted)
  CHECK(all_zero == 1);
  CHECK(multicast_skipped == 1);  // kernel-crafted: echo to ff02::1
  CHECK(truncated_skipped == 3);  // kernel-snaplen
}

}  // namespace
}  // namespace llmstack
