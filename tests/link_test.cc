// Link layers and capture formats: every supported link type decodes, and `grade` and the
// main job work on a capture of each (pcap micro and nano, both byte orders, pcapng). The
// output keeps the input's link type and timestamp resolution, swaps Ethernet MACs (tags
// kept) and sends Linux cooked replies the other way.
#include "packet/link.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "packet/capture.h"
#include "packet_samples.h"

namespace llmstack {
namespace {

using testing::Hex;
using testing::RunShell;
using testing::RunTool;
using testing::TempDir;

const char* kIpv4 = "4500001c000000004001f98cc0000201c00002020800f7ff00000000";

Bytes Frame(const std::string& header_hex, const std::string& datagram_hex = kIpv4) {
  return Hex(header_hex + datagram_hex);
}

TEST_CASE("link headers: what comes before the datagram", "[link]") {
  struct Case {
    LinkType type;
    std::string header;
    NetworkProtocol protocol;
  };
  const std::vector<Case> cases = {
      {LinkType::kEthernet, "00005e00530200005e0053010800", NetworkProtocol::kIpv4},
      {LinkType::kEthernet,
       "00005e00530200005e00530181000064"
       "0800",
       NetworkProtocol::kIpv4},
      {LinkType::kEthernet,
       "00005e00530200005e00530188a800c8"
       "81000064"
       "86dd",
       NetworkProtocol::kIpv6},
      {LinkType::kEthernet,
       "00005e00530200005e00530191000001"
       "0800",
       NetworkProtocol::kIpv4},
      {LinkType::kEthernet, "00005e00530200005e0053010806", NetworkProtocol::kOther},  // ARP
      {LinkType::kEthernet, "00005e00530200005e0053010040",
       NetworkProtocol::kOther},  // 802.3 length
      {LinkType::kLinuxSll, "00000001000600005e005301000008 00", NetworkProtocol::kIpv4},
      {LinkType::kLinuxSll2,
       "86dd00000000000200010000"
       "0600005e00530100",
       NetworkProtocol::kIpv6},
      {LinkType::kNull, "02000000", NetworkProtocol::kIpv4},  // written little-endian
      {LinkType::kNull, "00000002", NetworkProtocol::kIpv4},  // written big-endian
      {LinkType::kNull, "18000000", NetworkProtocol::kIpv6},  // 24: NetBSD, OpenBSD
      {LinkType::kNull, "0000001c", NetworkProtocol::kIpv6},  // 28: FreeBSD
      {LinkType::kNull, "1e000000", NetworkProtocol::kIpv6},  // 30: macOS
      {LinkType::kNull, "07000000", NetworkProtocol::kOther},
      {LinkType::kLoop, "00000002", NetworkProtocol::kIpv4},
      {LinkType::kLoop, "00000018", NetworkProtocol::kIpv6},
      {LinkType::kRaw, "", NetworkProtocol::kIpv4},
      {LinkType::kIpv4, "", NetworkProtocol::kIpv4},
      {LinkType::kIpv6, "", NetworkProtocol::kIpv6},
  };
  for (const Case& c : cases) {
    std::string header = c.header;
    std::erase(header, ' ');
    INFO(LinkTypeName(c.type) << " " << header);
    Bytes frame = Frame(header);
    Result<LinkFrame> f = DecodeLinkFrame(c.type, frame);
    REQUIRE(f.ok());
    CHECK(f->protocol == c.protocol);
    CHECK(HexEncode(f->header) == header);
    CHECK(HexEncode(f->payload) == kIpv4);
    // Cut inside the header: truncated, never a crash.
    for (size_t n = 0; n < header.size() / 2; ++n) {
      Result<LinkFrame> cut = DecodeLinkFrame(c.type, ByteView(frame).first(n));
      CHECK(cut.status().code() == StatusCode::kTruncated);
    }
  }
  // Raw IP takes the version from the first nibble.
  Result<LinkFrame> v6 = DecodeLinkFrame(LinkType::kRaw, Hex("6000000000083a40"));
  CHECK(v6->protocol == NetworkProtocol::kIpv6);
  CHECK(DecodeLinkFrame(LinkType::kRaw, Hex("5000")).value().protocol == NetworkProtocol::kOther);
}

TEST_CASE("reply link headers", "[link]") {
  CHECK(HexEncode(ReplyLinkHeader(LinkType::kEthernet, Hex("00005e00530200005e00530181000064"
                                                           "0800"))) ==
        "00005e00530100005e00530281000064"
        "0800");
  // Cooked headers: the reply goes the other way and names no sender address (the request's
  // header holds only the request's sender).
  CHECK(HexEncode(ReplyLinkHeader(LinkType::kLinuxSll, Hex("00000001000600005e0053010000"
                                                           "0800"))) ==
        "00040001000000000000000000000800");
  CHECK(HexEncode(ReplyLinkHeader(LinkType::kLinuxSll, Hex("00040001000600005e0053010000"
                                                           "0800"))) ==
        "00000001000000000000000000000800");
  CHECK(HexEncode(ReplyLinkHeader(LinkType::kLinuxSll2, Hex("0800000000000002000100060000"
                                                            "5e0053010000"))) ==
        "08000000000000020001040000000000"
        "00000000");
  CHECK(HexEncode(ReplyLinkHeader(LinkType::kLinuxSll2, Hex("0800000000000002000104060000"
                                                            "5e0053010000"))) ==
        "08000000000000020001000000000000"
        "00000000");
  CHECK(HexEncode(ReplyLinkHeader(LinkType::kNull, Hex("00000018"))) == "00000018");
  CHECK(ReplyLinkHeader(LinkType::kRaw, {}).empty());
}

TEST_CASE("unsupported link types are named", "[link]") {
  Result<LinkType> t = LinkTypeFromDlt(147);
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().code() == StatusCode::kUnsupported);
  CHECK(t.status().message().find("unsupported link type 147") == 0);
  for (LinkType type :
       {LinkType::kNull, LinkType::kEthernet, LinkType::kRaw, LinkType::kLoop, LinkType::kLinuxSll,
        LinkType::kIpv4, LinkType::kIpv6, LinkType::kLinuxSll2}) {
    CHECK(LinkTypeFromDlt(DltFromLinkType(type)).value() == type);
  }
}

// capinfos's "File encapsulation" and "File timestamp precision" of a capture.
std::pair<std::string, std::string> Capinfos(const std::string& path) {
  testing::CommandResult r = RunShell("capinfos '" + path + "' 2>/dev/null");
  auto value = [&r](const std::string& what) {
    size_t at = r.out.find("\n" + what + ":");
    if (at == std::string::npos) return std::string();
    size_t start = r.out.find_first_not_of(' ', at + what.size() + 2);
    return r.out.substr(start, r.out.find('\n', start) - start);
  };
  return {value("File encapsulation"), value("File timestamp precision")};
}

// tshark fields of the echo replies in a capture, one line per reply.
std::vector<std::string> ReplyFields(const std::string& path, const std::string& fields) {
  testing::CommandResult r =
      RunShell("tshark -r '" + path + "' -Y 'icmp.type == 0 || icmpv6.type == 129' -T fields " +
               fields + " 2>/dev/null");
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = r.out.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(r.out.substr(start, nl - start));
  }
  return lines;
}

TEST_CASE("grade and the main job on every link type and capture format", "[link][tool]") {
  const std::vector<std::string> captures = {
      "captures/kernel-sizes.pcap",            // Ethernet, µs, little-endian
      "captures/kernel-nano.pcap",             // Ethernet, ns
      "captures/kernel.pcapng",                // pcapng from dumpcap, if_tsresol 9
      "captures/crafted-nano.pcapng",          // pcapng, ns
      "captures/crafted-bigendian.pcap",       // µs, big-endian
      "captures/crafted-bigendian-nano.pcap",  // ns, big-endian
      "captures/crafted-ethernet-vlan.pcap",
      "captures/crafted-ethernet-qinq.pcap",
      "captures/crafted-padded-ethernet.pcap",
      "captures/crafted-sll.pcap",
      "captures/crafted-sll2.pcap",
      "captures/kernel-any-sll.pcap",
      "captures/kernel-any-sll2.pcap",
      "captures/crafted-raw.pcap",
      "captures/crafted-ipv4-only.pcap",
      "captures/crafted-ipv6-only.pcap",
      "captures/crafted-bsd-loopback.pcap",
      "captures/crafted-bsd-loopback-be.pcap",
      "captures/crafted-openbsd-loop.pcap",
  };
  const bool have_wireshark = testing::HaveCommand("tshark") && testing::HaveCommand("capinfos");
  if (!have_wireshark)
    testing::Skip("tshark/capinfos not installed: output captures checked with our reader only");
  TempDir dir;
  for (const std::string& capture : captures) {
    INFO(capture);
    Result<std::unique_ptr<CaptureReader>> in = CaptureReader::Open(testing::SourcePath(capture));
    REQUIRE(in.ok());
    testing::CommandResult g = RunTool("grade " + capture + " -q");
    INFO(g.out << g.err);
    CHECK(g.exit_code == 0);
    for (const char* name : {"out.pcap", "out.pcapng"}) {
      std::string out = dir.File(name);
      testing::CommandResult r =
          RunTool(capture + " -o " + out + " --model reference --profile linux -q");
      INFO(name << ": " << r.out << r.err);
      REQUIRE(r.exit_code == 0);
      Result<std::unique_ptr<CaptureReader>> o = CaptureReader::Open(out);
      REQUIRE(o.ok());
      // pcap keeps the input's resolution; pcapng output is always in nanoseconds.
      const bool pcapng = std::string(name).ends_with(".pcapng");
      CHECK((*o)->link_type() == (*in)->link_type());
      CHECK((*o)->nanosecond_resolution() == (pcapng || (*in)->nanosecond_resolution()));
      // The output grades correct: requests interleaved with the reference's replies.
      CHECK(RunTool("grade " + out + " --profile linux -q").exit_code == 0);
      if (!have_wireshark) continue;
      auto [in_encapsulation, in_precision] = Capinfos(testing::SourcePath(capture));
      auto [out_encapsulation, out_precision] = Capinfos(out);
      CHECK(!in_encapsulation.empty());
      CHECK(out_encapsulation == in_encapsulation);
      CHECK(out_precision == (pcapng ? "nanoseconds (9)" : in_precision));
      LinkType link = (*in)->link_type();
      if (link == LinkType::kEthernet) {
        for (const std::string& line : ReplyFields(out, "-e eth.src -e eth.dst")) {
          CHECK(line == "00:00:5e:00:53:02\t00:00:5e:00:53:01");
        }
        if (capture.find("vlan") != std::string::npos ||
            capture.find("qinq") != std::string::npos) {
          for (const std::string& line : ReplyFields(out, "-e vlan.id"))
            CHECK(line.find("100") != std::string::npos);
        }
      }
      if (link == LinkType::kLinuxSll || link == LinkType::kLinuxSll2) {
        std::vector<std::string> lines = ReplyFields(out, "-e sll.pkttype");
        CHECK(lines.size() >= 2);
        // PACKET_OUTGOING for a request that came in, PACKET_HOST for one sent from here.
        for (const std::string& line : lines) CHECK((line == "4" || line == "0"));
      }
    }
  }
  // Any other link type: a clear exit-2 error naming the file.
  testing::CommandResult bad = RunTool("grade captures/crafted-unsupported-linktype.pcap");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err ==
        "llmstack-replay: captures/crafted-unsupported-linktype.pcap: unsupported link "
        "type 147; supported: Ethernet, Linux cooked v1/v2, raw IP, IPv4, IPv6, BSD and "
        "OpenBSD loopback\n");
}

TEST_CASE("Ethernet padding is not part of the datagram", "[link]") {
  // crafted-padded-ethernet.pcap: short frames padded to 60 bytes (with non-zero padding).
  for (const EchoPacket& p : testing::ReadEchoPackets("captures/crafted-padded-ethernet.pcap")) {
    uint16_t total = 0;
    if (p.family == IpFamily::kIpv4) {
      PeekBe16(p.datagram, 2, &total);
      CHECK(p.datagram.size() == total);
    } else {
      PeekBe16(p.datagram, 4, &total);
      CHECK(p.datagram.size() == 40u + total);
    }
    CHECK_FALSE(p.truncated);
  }
  CHECK(RunTool("grade captures/crafted-padded-ethernet.pcap -q").exit_code == 0);
}

}  // namespace
}  // namespace llmstack
