// Untrusted bytes never crash the packet core (STYLE: "tests cut sample packets at every
// length and flip every byte"). Every prefix and every single-byte flip of every sample
// datagram and frame goes through the link decoder of every link type, the IP parser, the echo
// decoder, the dissector, the reassembler, and the verifier (as the reply and as the request).
// Results are checked for consistency, not only for survival. The test is written to run
// under AddressSanitizer and UndefinedBehaviorSanitizer (-DLLMSTACK_SANITIZE=ON).
#include <catch2/catch.hpp>
#include <set>

#include "grade/responder.h"
#include "grade/verify.h"
#include "packet/dissect.h"
#include "packet/link.h"
#include "packet/reassembly.h"
#include "packet_samples.h"
#include "report/run_results.h"

namespace llmstack {
namespace {

using testing::CapturesNamed;
using testing::Hex;
using testing::kAllProfiles;
using testing::ReadEchoPackets;

// Every distinct echo datagram in the captures (requests and replies, fragments reassembled).
std::vector<Bytes> SampleDatagrams() {
  std::set<Bytes> seen;
  std::vector<Bytes> out;
  std::vector<std::string> files = CapturesNamed("kernel");
  for (const std::string& f : CapturesNamed("crafted-")) {
    if (f.find("unsupported") == std::string::npos) files.push_back(f);
  }
  files.push_back("captures/experiment.pcap");
  for (const std::string& f : files) {
    for (const EchoPacket& p : ReadEchoPackets(f)) {
      if (seen.insert(p.datagram).second) out.push_back(p.datagram);
    }
  }
  return out;
}

// The raw frames (and link type) of the fragment captures, for the reassembler.
struct RawFrame {
  LinkType link;
  Bytes data;
};
std::vector<RawFrame> FragmentFrames() {
  std::vector<RawFrame> out;
  for (const std::string& f : {std::string("captures/kernel-fragments.pcap"),
                               std::string("captures/crafted-fragments-v4.pcap"),
                               std::string("captures/crafted-fragments-v6.pcap"),
                               std::string("captures/kernel-crafted.pcap")}) {
    Result<std::unique_ptr<CaptureReader>> r = CaptureReader::Open(testing::SourcePath(f));
    REQUIRE(r.ok());
    CapturedFrame frame;
    while (true) {
      Result<bool> more = (*r)->Next(&frame);
      REQUIRE(more.ok());
      if (!*more) break;
      out.push_back({(*r)->link_type(), Bytes(frame.data.begin(), frame.data.end())});
    }
  }
  return out;
}

// The byte positions to cut at and to flip: all of them for packets up to 300 bytes; for
// longer ones the first 300, the last 16 and every 37th in between.
std::vector<size_t> Positions(size_t size) {
  std::vector<size_t> out;
  for (size_t i = 0; i <= size; ++i) {
    if (i < 300 || i + 16 >= size || i % 37 == 0) out.push_back(i);
  }
  return out;
}

void CheckDatagram(const Datagram& d, ByteView input) {
  REQUIRE(d.bytes.data() == input.data());
  REQUIRE(d.bytes.size() <= input.size());
  REQUIRE(d.header_length <= d.bytes.size());
  REQUIRE(d.upper.data() == d.bytes.data() + d.header_length);
  REQUIRE(d.upper.size() == d.bytes.size() - d.header_length);
  REQUIRE(d.src.size() == (d.family == IpFamily::kIpv4 ? 4u : 16u));
  REQUIRE(d.dst.size() == d.src.size());
}

// Everything the core does with one datagram of untrusted bytes.
struct Exerciser {
  const EchoPacket* original_request = nullptr;  // the sample, when it is a request
  Bytes original_reply;                          // its reference reply (rfc)
  FragmentReassembler reassembler;
  uint64_t frame = 0;
  size_t parsed = 0, echoes = 0, requests = 0, graded = 0, answered = 0;

  void Run(ByteView b) {
    ++frame;
    for (NetworkProtocol proto : {NetworkProtocol::kIpv4, NetworkProtocol::kIpv6}) {
      Result<Datagram> d = ParseDatagram(b, proto);
      if (!d.ok()) {
        CHECK((d.status().code() == StatusCode::kMalformed ||
               d.status().code() == StatusCode::kTruncated));
        continue;
      }
      ++parsed;
      CheckDatagram(*d, b);
      if (d->is_fragment) {
        Timestamp t{static_cast<int64_t>(frame), 0};
        std::optional<ReassembledDatagram> whole = reassembler.Add(*d, frame, t);
        if (whole) Run(whole->datagram);
      }
    }

    Dissection dissection = DissectDatagram(b);
    std::vector<std::string> lines = FormatDissection(dissection, b);
    CHECK(!lines.empty());
    CHECK(dissection.header_length <= std::max<size_t>(b.size(), 60));

    Result<EchoPacket> echo = EchoPacketFromDatagram(b);
    if (echo.ok()) {
      ++echoes;
      const EchoPacket& p = *echo;
      REQUIRE(p.header_length <= p.datagram.size());
      REQUIRE(p.datagram.size() <= b.size());
      CHECK((p.src().size() == 4 || p.src().size() == 16));
      if (p.is_request()) AsRequest(p);
    }
    if (original_request) AsReply(b);
  }

  // The bytes as a request: assessed and answered under every profile; a reply the reference
  // builds for it must grade correct under the same profile.
  void AsRequest(const EchoPacket& request) {
    ++requests;
    for (Profile profile : kAllProfiles) {
      RequestAssessment a = AssessRequest(request, profile);
      Result<Bytes> reply = BuildReferenceReply(request, profile);
      ReplyGrade g;
      if (reply.ok()) {
        ByteView view(*reply);
        GradeReply(request, a, &view, profile, &g);
        RenderFields(g, request.datagram, view);
        if (!a.truncated && a.expectation != ReplyExpectation::kForbidden) {
          INFO("request " << HexEncode(request.datagram) << "\nreply " << HexEncode(view)
                          << " under " << ProfileName(profile));
          CHECK(g.verdict == Verdict::kCorrect);
          ++answered;
        }
      }
      if (!original_reply.empty()) {
        ByteView view(original_reply);
        GradeReply(request, a, &view, profile, &g);
        RenderFields(g, request.datagram, view);
      }
      GradeReply(request, a, nullptr, profile, &g);
    }
  }

  // The bytes as a reply to the unmodified request.
  void AsReply(ByteView reply) {
    for (Profile profile : kAllProfiles) {
      RequestAssessment a = AssessRequest(*original_request, profile);
      ReplyGrade g;
      GradeReply(*original_request, a, &reply, profile, &g);
      ++graded;
      for (const RenderedField& f : RenderFields(g, original_request->datagram, reply)) {
        CHECK(!f.name.empty());
      }
      for (const FieldVerdict& f : g.fields) CHECK(FieldNote(f).size() < 200);
    }
  }
};

TEST_CASE("every prefix and every byte flip of every sample datagram", "[robustness]") {
  std::vector<Bytes> samples = SampleDatagrams();
  REQUIRE(samples.size() > 100);
  Exerciser totals;
  for (const Bytes& sample : samples) {
    Exerciser x;
    // (A request the snaplen cut inside its ICMP header is no echo packet on its own.)
    Result<EchoPacket> original = EchoPacketFromDatagram(sample);
    if (original.ok() && original->is_request()) {
      x.original_request = &*original;
      Result<Bytes> reply = BuildReferenceReply(*original, Profile::kRfc);
      if (reply.ok()) x.original_reply = *reply;
    }
    for (size_t n : Positions(sample.size())) {
      x.Run(ByteView(sample).first(n));  // every prefix, the whole packet included
      if (n == sample.size()) continue;
      for (uint8_t mask : {0xff, 0x01, 0x80}) {
        Bytes flipped = sample;
        flipped[n] ^= mask;
        x.Run(flipped);
        // Flipped with its checksums made right again: still a request worth answering.
        bool v6 = flipped[0] >> 4 == 6;
        size_t header = v6 ? 40 : size_t{flipped[0] & 0x0fu} * 4;
        if (header >= 20 && header + 8 <= flipped.size()) {
          RefreshChecksums(flipped, v6 ? IpFamily::kIpv6 : IpFamily::kIpv4, header);
          x.Run(flipped);
        }
      }
    }
    totals.parsed += x.parsed;
    totals.echoes += x.echoes;
    totals.requests += x.requests;
    totals.graded += x.graded;
    totals.answered += x.answered;
  }
  CHECK(totals.answered > 50000);
  CHECK(totals.parsed > 50000);
  CHECK(totals.requests > 20000);
  CHECK(totals.graded > 100000);
}

// A link-layer header of each type in front of `datagram`.
std::vector<std::pair<LinkType, Bytes>> Framed(const Bytes& datagram) {
  const bool v6 = datagram[0] >> 4 == 6;
  Bytes ethertype = v6 ? Bytes{0x86, 0xdd} : Bytes{0x08, 0x00};
  Bytes macs = Hex("00005e00530200005e005301");
  auto cat = [](std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
  };
  uint8_t af = v6 ? 24 : 2;
  return {
      {LinkType::kEthernet, cat({macs, ethertype, datagram})},
      {LinkType::kEthernet, cat({macs, Hex("81000064"), ethertype, datagram})},
      {LinkType::kEthernet, cat({macs, Hex("88a800c8"), Hex("81000064"), ethertype, datagram})},
      {LinkType::kLinuxSll,
       cat({Hex("0000000100060000"), Hex("5e0053010000"), ethertype, datagram})},
      {LinkType::kLinuxSll2,
       cat({ethertype, Hex("0000000000020001"), Hex("000600005e0053010000"), datagram})},
      {LinkType::kNull, cat({Bytes{af, 0, 0, 0}, datagram})},
      {LinkType::kNull, cat({Bytes{0, 0, 0, af}, datagram})},
      {LinkType::kLoop, cat({Bytes{0, 0, 0, af}, datagram})},
      {LinkType::kRaw, datagram},
      {v6 ? LinkType::kIpv6 : LinkType::kIpv4, datagram},
  };
}

TEST_CASE("every prefix and byte flip of frames of every link type", "[robustness][link]") {
  std::vector<Bytes> samples = SampleDatagrams();
  size_t decoded = 0, datagrams = 0;
  for (size_t s = 0; s < samples.size(); s += 3) {
    const Bytes& sample = samples[s];
    for (const auto& [link, frame] : Framed(sample)) {
      // The whole frame decodes to the datagram.
      Result<LinkFrame> whole = DecodeLinkFrame(link, frame);
      REQUIRE(whole.ok());
      CHECK(whole->protocol ==
            (sample[0] >> 4 == 6 ? NetworkProtocol::kIpv6 : NetworkProtocol::kIpv4));
      CHECK(Bytes(whole->payload.begin(), whole->payload.end()) == sample);
      Bytes reply_header = ReplyLinkHeader(link, whole->header);
      CHECK(reply_header.size() == whole->header.size());
      // Cut and flipped in the link header and the start of the datagram.
      for (size_t n = 0; n <= std::min<size_t>(frame.size(), 80); ++n) {
        std::vector<Bytes> variants = {Bytes(frame.begin(), frame.begin() + static_cast<long>(n))};
        if (n < frame.size()) {
          variants.push_back(frame);
          variants.back()[n] ^= 0xff;
        }
        for (const Bytes& v : variants) {
          for (LinkType any :
               {LinkType::kEthernet, LinkType::kLinuxSll, LinkType::kLinuxSll2, LinkType::kNull,
                LinkType::kLoop, LinkType::kRaw, LinkType::kIpv4, LinkType::kIpv6}) {
            Result<LinkFrame> f = DecodeLinkFrame(any, v);
            if (!f.ok()) {
              CHECK(f.status().code() == StatusCode::kTruncated);
              continue;
            }
            ++decoded;
            REQUIRE(f->header.size() + f->payload.size() == v.size());
            ReplyLinkHeader(any, f->header);
            if (f->protocol == NetworkProtocol::kOther) continue;
            Result<Datagram> d = ParseDatagram(f->payload, f->protocol);
            if (d.ok()) {
              ++datagrams;
              CheckDatagram(*d, f->payload);
            }
          }
        }
      }
    }
  }
  CHECK(decoded > 100000);
  CHECK(datagrams > 10000);
}

TEST_CASE("the reassembler survives cut and flipped fragments", "[robustness][reassembly]") {
  std::vector<RawFrame> frames = FragmentFrames();
  REQUIRE(frames.size() > 40);
  FragmentReassembler reassembler;
  uint64_t number = 0;
  size_t fragments = 0, completed = 0;
  for (int round = 0; round < 3; ++round) {
    for (const RawFrame& frame : frames) {
      for (size_t n : Positions(frame.data.size())) {
        Bytes v(frame.data.begin(), frame.data.begin() + static_cast<long>(n));
        if (round == 1 && n < frame.data.size()) v = frame.data, v[n] ^= 0xff;
        if (round == 2 && n < frame.data.size()) v = frame.data, v[n] ^= 0x01;
        Result<LinkFrame> link = DecodeLinkFrame(frame.link, v);
        if (!link.ok() || link->protocol == NetworkProtocol::kOther) continue;
        Result<Datagram> d = ParseDatagram(link->payload, link->protocol);
        if (!d.ok() || !d->is_fragment) continue;
        ++fragments;
        ++number;
        std::optional<ReassembledDatagram> whole =
            reassembler.Add(*d, number, Timestamp{static_cast<int64_t>(number / 100), 0});
        if (!whole) continue;
        ++completed;
        Result<Datagram> again = ParseDatagram(whole->datagram, link->protocol);
        if (again.ok()) {
          CHECK_FALSE(again->is_fragment);
          DissectDatagram(whole->datagram);
          EchoPacketFromDatagram(whole->datagram);
        }
      }
    }
  }
  CHECK(fragments > 10000);
  CHECK(completed > 10);
  CHECK(reassembler.pending_frames() <= FragmentReassembler::kMaxPending * 200);
}

}  // namespace
}  // namespace llmstack
