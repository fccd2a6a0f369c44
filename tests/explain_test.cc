// `llmstack-replay explain HEX [--reply HEX]`: the dissection, every checksum step with the
// field each word holds, the correct reply, and the grade of a given reply.
#include <catch2/catch.hpp>

#include "packet/checksum.h"
#include "packet/dissect.h"
#include "test_support.h"

namespace llmstack {
namespace {

using testing::kExperimentRequest;
using testing::RunTool;

// The lines of `text` from the one starting with `title` up to the next empty line.
std::vector<std::string> Section(const std::string& text, const std::string& title) {
  std::vector<std::string> lines;
  size_t at = text.find("\n" + title);
  if (at == std::string::npos) return lines;
  size_t start = text.find('\n', at + 1) + 1;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start);
    if (line.empty()) break;
    lines.push_back(line);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

size_t CountPrefix(const std::vector<std::string>& lines, const std::string& prefix) {
  return static_cast<size_t>(std::count_if(
      lines.begin(), lines.end(), [&](const std::string& l) { return l.starts_with(prefix); }));
}

bool Has(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

TEST_CASE("explain the experiment's packet: reply checksums 0x615d and 0x5cf5, every step",
          "[explain][tool]") {
  testing::CommandResult r = RunTool(std::string("explain ") + kExperimentRequest);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("ICMP echo request 172.16.0.1 -> 172.16.0.2, id 0x000d, seq 1, 56 data bytes") !=
        std::string::npos);
  CHECK(r.out.find("a correct stack answers") != std::string::npos);
  CHECK(r.out.find("45000054812840004001615dac100002ac10000100005cf5000d0001") !=
        std::string::npos);

  std::vector<std::string> ip = Section(r.out, "Reply IP header checksum");
  REQUIRE(ip.size() == 14);
  CHECK(CountPrefix(ip, "  + ") == 10);  // ten 16-bit words
  for (const char* role :
       {"version/IHL + TOS", "total length", "identification", "flags + fragment offset",
        "TTL + protocol", "checksum (taken as 0)", "source address (high)", "source address (low)",
        "destination address (high)", "destination address (low)"}) {
    CHECK(Has(ip, role));
  }
  CHECK(ip[0] == "  + 4500  version/IHL + TOS                  running sum 0x04500");
  CHECK(Has(ip, "sum of 10 words = 0x29ea0"));
  CHECK(Has(ip, "fold the carry: 0x9ea0 + 0x2 = 0x09ea2"));
  CHECK(Has(ip, "complemented: ~0x9ea2 = 0x615d"));
  CHECK(Has(ip, "the packet holds 0x615d: matches"));

  std::vector<std::string> icmp = Section(r.out, "Reply ICMP checksum");
  CHECK(CountPrefix(icmp, "  + ") == 32);  // 8-byte header and 56 data bytes
  for (const char* role : {"type + code", "checksum (taken as 0)", "identifier", "sequence number",
                           "data[0..1]", "data[54..55]"}) {
    CHECK(Has(icmp, role));
  }
  CHECK(Has(icmp, "sum of 32 words = 0x3a307"));
  CHECK(Has(icmp, "fold the carry: 0xa307 + 0x3 = 0x0a30a"));
  CHECK(Has(icmp, "complemented: ~0xa30a = 0x5cf5"));
  CHECK(Has(icmp, "the packet holds 0x5cf5: matches"));
  CHECK(r.out.find("shortcut (RFC 1624 eqn. 3): ~(~0x54f5 + ~0x0800 + 0x0000) = 0x5cf5") !=
        std::string::npos);
  // The request's own checksums are shown too.
  CHECK(Has(Section(r.out, "ICMP checksum"), "the packet holds 0x54f5: matches"));
}

TEST_CASE("explain on IPv6 shows the pseudo-header", "[explain][tool]") {
  const std::string v6 =
      "6000000000103a4020010db800000000000000000000000120010db800000000000000000000000280008b3e"
      "4c4c00651011121314151617";
  testing::CommandResult r = RunTool("explain " + v6);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> work = Section(r.out, "Reply ICMPv6 checksum (pseudo-header first)");
  REQUIRE(work.size() > 20);
  CHECK(work[0] == "  pseudo-header:");
  CHECK(work[1].find("2001  source address (word 1 of 8)") != std::string::npos);
  CHECK(Has(work, "0002  source address (word 8 of 8)"));  // the reply comes from ::2
  CHECK(Has(work, "0001  destination address (word 8 of 8)"));
  CHECK(Has(work, "0010  upper-layer length (low)"));
  CHECK(Has(work, "003a  zero + next header"));
  CHECK(Has(work, "  ICMPv6 message:"));
  CHECK(Has(work, "8100  type + code"));
  CHECK(Has(work, "the packet holds 0x8a3e: matches"));
}

TEST_CASE("explain --reply grades a given reply", "[explain][tool]") {
  const std::string correct =
      "45000054812840004001615dac100002ac10000100005cf5000d0001a1fb006a0000000041c400000000000010"
      "1112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
  testing::CommandResult ok =
      RunTool(std::string("explain ") + kExperimentRequest + " --reply " + correct);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("Verdict: correct") != std::string::npos);

  std::string not_updated = correct;
  not_updated.replace(44, 4, "54f5");
  testing::CommandResult wrong =
      RunTool(std::string("explain ") + kExperimentRequest + " --reply " + not_updated);
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.out.find("not updated after type change") != std::string::npos);
  CHECK(wrong.out.find("Verdict: wrong (1 field fail)") != std::string::npos);

  // Cut off inside the sequence number: says so, grades what is there, exits 1.
  testing::CommandResult cut =
      RunTool(std::string("explain ") + kExperimentRequest + " --reply " + correct.substr(0, 54));
  INFO(cut.out);
  CHECK(cut.exit_code == 1);
  CHECK(cut.out.find(
            "TRUNCATED: the reply ends after 27 bytes, inside icmp.seq; missing: icmp.seq data") !=
        std::string::npos);
  CHECK(cut.out.find("Verdict: wrong (2 fields fail): the reply is truncated after 27 bytes") !=
        std::string::npos);
  CHECK(cut.out.find("right for the whole message; the reply is cut short") != std::string::npos);
  // Cut inside the IP header.
  testing::CommandResult header =
      RunTool(std::string("explain ") + kExperimentRequest + " --reply 4500005481284000");
  CHECK(header.exit_code == 1);
  CHECK(header.out.find("TRUNCATED: the reply ends after 8 bytes; missing: ip.ttl") !=
        std::string::npos);
}

TEST_CASE("explain: requests that get no reply, and unusable input", "[explain][tool]") {
  // Bad ICMP checksum (kernel-crafted frame 4): no reply; one given is unexpected.
  const std::string bad =
      "4500003c4c0300004001aabac0000201c000020208001234"
      "4c4c0003101112131415161718191a1b1c1d1e1f"
      "202122232425262728292a2b2c2d2e2f";
  testing::CommandResult r = RunTool("explain " + bad + " --reply " + bad);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("a correct stack sends NO REPLY; no reply is due: icmp-checksum (RFC 792, "
                   "RFC 4443 2.3): the ICMP checksum does not verify") != std::string::npos);
  CHECK(r.out.find("Verdict: unexpected_reply") != std::string::npos);

  testing::CommandResult hex = RunTool("explain 45zz");
  CHECK(hex.exit_code == 2);
  CHECK(hex.err.find('\n') == hex.err.size() - 1);
  // A packet that is not an echo request cannot have its reply graded.
  testing::CommandResult reply_to_reply = RunTool(
      "explain 45000054812840004001615dac100002ac10000100005cf5000d0001a1fb006a0000000041c4000000"
      "000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637"
      " --reply 4500");
  CHECK(reply_to_reply.exit_code == 2);
  // The all-zero message: the shortcut gives 0x0000, the full computation 0xffff.
  testing::CommandResult zero =
      RunTool("explain 4500001c4c0500004001aad8c0000201c00002020800f7ff00000000");
  CHECK(zero.exit_code == 0);
  CHECK(zero.out.find("~0x0000 = 0xffff") != std::string::npos);
  CHECK(zero.out.find("but the all-zero message needs 0xffff") != std::string::npos);
}

TEST_CASE("explain refuses hex that is not an IP datagram, and takes a frame with --link",
          "[explain][link][tool]") {
  // The experiment's request in an Ethernet frame (00:00:5e:00:53:01 -> :02, type 0x0800),
  // padded as Ethernet pads.
  const std::string frame =
      std::string("00005e00530200005e0053010800") + kExperimentRequest + "0000000000000000";
  testing::CommandResult refused = RunTool("explain " + frame);
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 2);
  CHECK(refused.out.empty());
  CHECK(refused.err.find('\n') == refused.err.size() - 1);  // one line
  CHECK(refused.err.find("not an IP datagram") != std::string::npos);
  CHECK(refused.err.find("--link") != std::string::npos);

  testing::CommandResult datagram = RunTool(std::string("explain ") + kExperimentRequest);
  REQUIRE(datagram.exit_code == 0);
  for (const char* name : {"ether", "EN10MB", "ethernet"}) {
    testing::CommandResult linked = RunTool("explain " + frame + " --link " + name);
    INFO(name << ": " << linked.err);
    CHECK(linked.exit_code == 0);
    CHECK(linked.out == datagram.out);  // the padding is not part of the datagram
  }
  // Linux cooked v2 (20-byte header, protocol first).
  testing::CommandResult sll2 = RunTool(std::string("explain 08000000000000020001040600005e005301"
                                                    "0000") +
                                        kExperimentRequest + " --link sll2");
  CHECK(sll2.exit_code == 0);
  CHECK(sll2.out == datagram.out);
  // A frame that carries no IP, and a link type the reader does not know.
  testing::CommandResult arp = RunTool("explain 00005e00530200005e00530108060001 --link ether");
  CHECK(arp.exit_code == 2);
  CHECK(arp.err.find("does not carry IPv4 or IPv6") != std::string::npos);
  testing::CommandResult unknown = RunTool("explain " + frame + " --link token-ring");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("unknown link type 'token-ring'") != std::string::npos);
}

TEST_CASE("explain CAPTURE --frame N explains that frame", "[explain][tool]") {
  testing::CommandResult datagram = RunTool(std::string("explain ") + kExperimentRequest);
  testing::CommandResult framed = RunTool("explain captures/experiment.pcap --frame 1");
  INFO(framed.err);
  CHECK(framed.exit_code == 0);
  CHECK(framed.out == datagram.out);
  // With a reply to grade, and from an Ethernet capture (the link header is taken off).
  testing::CommandResult graded = RunTool(
      "explain captures/kernel-crafted.pcap --frame 1 --reply "
      "00");
  CHECK(graded.exit_code == 1);
  CHECK(graded.out.find("Verdict:") != std::string::npos);
  // Out of range, not an echo request, not a capture: one line naming the file, exit 2.
  for (const auto& [args, reason] : std::vector<std::pair<std::string, std::string>>{
           {"captures/experiment.pcap --frame 2", "no frame 2: the capture has 1 frames"},
           {"captures/experiment.pcap --frame 0", "no frame 0"},
           {"captures/crafted-non-echo.pcap --frame 1", "not an ICMP echo request"},
           {"captures/kernel-crafted.pcap --frame 2", "frame 2 is an echo reply"},
           {"captures/hand-replies.txt --frame 1", "not a pcap or pcapng"},
       }) {
    testing::CommandResult r = RunTool("explain " + args);
    INFO(args << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find('\n') == r.err.size() - 1);
    CHECK(r.err.find(args.substr(0, args.find(' '))) != std::string::npos);
    CHECK(r.err.find(reason) != std::string::npos);
  }
  // From standard input.
  testing::CommandResult piped =
      testing::RunShell("cat '" + testing::SourcePath("captures/experiment.pcap") + "' | " + "(" +
                        testing::ToolCommand("explain - --frame 1") + ")");
  CHECK(piped.exit_code == 0);
  CHECK(piped.out == datagram.out);
}

TEST_CASE("the field each checksum word holds", "[explain][checksum]") {
  char buf[48];
  CHECK(std::string(ChecksumWordRole(ChecksumSpan::kIpv4Header, 8, buf)) == "TTL + protocol");
  CHECK(std::string(ChecksumWordRole(ChecksumSpan::kIpv4Header, 24, buf)) == "options[4..5]");
  CHECK(std::string(ChecksumWordRole(ChecksumSpan::kIcmpMessage, 6, buf)) == "sequence number");
  CHECK(std::string(ChecksumWordRole(ChecksumSpan::kIcmpMessage, 9, buf)) == "data[1..2]");
  CHECK(std::string(ChecksumWordRole(ChecksumSpan::kIpv6PseudoHeader, 30, buf)) ==
        "destination address (word 8 of 8)");
  CHECK(std::string(ChecksumWordRole(ChecksumSpan::kIpv6PseudoHeader, 38, buf)) ==
        "zero + next header");
  CHECK(std::string(ChecksumWordRole(ChecksumSpan::kBytes, 4, buf)) == "bytes 4..5");
  // An odd last byte is padded for the sum only, and the trace says so.
  Bytes odd = testing::Hex("0800296212340007616263");
  std::vector<ChecksumPart> parts = {{"ICMP message", odd, ChecksumSpan::kIcmpMessage}};
  ChecksumTrace trace;
  InternetChecksum(parts, &trace);
  std::vector<std::string> lines = FormatChecksumTrace(trace);
  CHECK(Has(lines, "+ 6300  data[2..3]"));
  CHECK(Has(lines, "(odd last byte padded with 00)"));
}

TEST_CASE("dissecting a cut-off datagram says what is missing", "[explain]") {
  Bytes request = testing::Hex(kExperimentRequest);
  for (size_t n = 0; n <= request.size(); ++n) {
    Dissection d = DissectDatagram(ByteView(request).first(n));
    INFO(n);
    CHECK(d.missing.empty() == (n == request.size()));
  }
  Dissection d = DissectDatagram(ByteView(request).first(40));
  CHECK(d.missing == std::vector<std::string>{"the last 44 data bytes"});
  CHECK(d.summary.find("(cut short)") != std::string::npos);
}

}  // namespace
}  // namespace llmstack
