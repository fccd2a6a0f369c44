// The rubric of DESIGN §5 and packet-anchors §5-§7 on concrete replies: named checksum
// mistakes, the two zeros of one's complement, options, IPv6 multicast, code copying, and the
// DF/TOS/TTL rules of each profile.
#include "grade/verify.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "grade/checksum_diagnosis.h"
#include "grade/responder.h"
#include "packet/checksum.h"
#include "packet/icmp.h"
#include "packet_samples.h"
#include "report/run_results.h"

namespace llmstack {
namespace {

using testing::Hex;
using testing::kExperimentRequest;
using testing::Packet;
using testing::ReadEchoPackets;
using testing::SampleRequests;

ReplyGrade Grade(const EchoPacket& request, const Bytes& reply, Profile profile) {
  ReplyGrade g;
  ByteView view(reply);
  GradeReply(request, AssessRequest(request, profile), &view, profile, &g);
  return g;
}

// Names of the fields graded `which`, sorted.
std::set<std::string> Graded(const ReplyGrade& g, FieldGrade which) {
  std::set<std::string> out;
  for (const FieldVerdict& f : g.fields) {
    if (f.grade == which) out.insert(GetFieldInfo(f.id).name);
  }
  return out;
}
std::set<std::string> Failing(const ReplyGrade& g) { return Graded(g, FieldGrade::kFail); }

FieldGrade GradeOf(const ReplyGrade& g, FieldId id) {
  const FieldVerdict* f = g.Find(id);
  REQUIRE(f != nullptr);
  return f->grade;
}

Bytes Reference(const EchoPacket& request, Profile profile) {
  Result<Bytes> r = BuildReferenceReply(request, profile);
  REQUIRE(r.ok());
  return *r;
}

// The request of `capture` with sequence number `seq` (first one).
EchoPacket RequestWithSeq(const std::string& capture, uint16_t seq) {
  for (EchoPacket& p : ReadEchoPackets(capture)) {
    if (p.is_request() && p.seq == seq) return p;
  }
  FAIL("no request with seq " << seq << " in " << capture);
  return {};
}

// The reply in `capture` that follows the request with sequence number `seq`.
EchoPacket ReplyWithSeq(const std::string& capture, uint16_t seq) {
  for (EchoPacket& p : ReadEchoPackets(capture)) {
    if (p.is_reply() && p.seq == seq) return p;
  }
  FAIL("no reply with seq " << seq << " in " << capture);
  return {};
}

// `reply` with its IPv4 options replaced by `options` (a multiple of 4 bytes): IHL, total
// length and both checksums made consistent again.
Bytes WithOptions(const Bytes& reply, ByteView options) {
  size_t header = size_t{reply[0] & 0x0fu} * 4;
  Bytes out(reply.begin(), reply.begin() + 20);
  out.insert(out.end(), options.begin(), options.end());
  out.insert(out.end(), reply.begin() + static_cast<long>(header), reply.end());
  out[0] = static_cast<uint8_t>(0x40 | (20 + options.size()) / 4);
  PutBe16(out, 2, static_cast<uint16_t>(out.size()));
  RefreshChecksums(out, IpFamily::kIpv4, 20 + options.size());
  return out;
}

uint16_t Swap(uint16_t v) { return static_cast<uint16_t>(v << 8 | v >> 8); }
uint16_t Not(uint16_t v) { return static_cast<uint16_t>(~v); }

// The 32-bit sum of big-endian words, no carry folded (odd byte padded), computed here
// independently of the product's checksum routine.
uint32_t PlainSum(ByteView b) {
  uint32_t s = 0;
  for (size_t i = 0; i < b.size(); i += 2) {
    s += static_cast<uint32_t>(b[i] << 8 | (i + 1 < b.size() ? b[i + 1] : 0));
  }
  return s;
}
uint16_t Fold(uint32_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(s);
}
Bytes Cat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}
Bytes Zeroed(ByteView b, size_t field) {
  Bytes out(b.begin(), b.end());
  out[field] = out[field + 1] = 0;
  return out;
}

// What each hand-computation mistake writes into a checksum field; several mistakes can give
// the same value, so a value maps to the set of mistakes that make it.
std::map<uint16_t, std::set<ChecksumMistake>> IcmpMistakeValues(const EchoPacket& request,
                                                                const Bytes& reply, size_t h) {
  using M = ChecksumMistake;
  ByteView d(reply);
  const bool v6 = request.family == IpFamily::kIpv6;
  Bytes pseudo = v6 ? Ipv6PseudoHeader(d.subspan(8, 16), d.subspan(24, 16),
                                       static_cast<uint32_t>(reply.size() - h), kIpProtoIcmpv6)
                    : Bytes();
  Bytes message = Zeroed(d.subspan(h), 2);
  Bytes all = Cat(pseudo, message);
  uint32_t plain = PlainSum(all);
  uint16_t sum = Fold(plain);
  std::map<uint16_t, std::set<M>> out;
  out[request.checksum].insert(M::kNotUpdatedAfterTypeChange);
  // 0x0000 where only 0xffff verifies is named as such, whatever produced it.
  if (Not(sum) == 0xffff) out[0x0000].insert(M::kAllZeroNeedsFfff);
  if (plain > 0xffff) out[Not(static_cast<uint16_t>(plain))].insert(M::kCarryDropped);
  out[sum].insert(M::kNotComplemented);
  out[Swap(Not(sum))].insert(M::kByteSwapped);
  out[Not(Fold(uint32_t{sum} + request.checksum))].insert(M::kFieldNotZeroed);
  out[Not(Fold(PlainSum(Cat(pseudo, ByteView(message).first(8)))))].insert(M::kHeaderOnly);
  if (v6) {
    out[Not(Fold(PlainSum(message)))].insert(M::kPseudoHeaderOmitted);
  } else {
    Bytes header = Zeroed(d.first(h), 10);
    out[Not(Fold(uint32_t{sum} + PlainSum(header)))].insert(M::kIpHeaderIncluded);
  }
  return out;
}

std::map<uint16_t, std::set<ChecksumMistake>> IpMistakeValues(const EchoPacket& request,
                                                              const Bytes& reply, size_t h) {
  using M = ChecksumMistake;
  ByteView d(reply);
  Bytes header = Zeroed(d.first(h), 10);
  uint32_t plain = PlainSum(header);
  uint16_t sum = Fold(plain);
  uint16_t request_checksum = 0;
  PeekBe16(request.datagram, 10, &request_checksum);
  std::map<uint16_t, std::set<M>> out;
  out[request_checksum].insert(M::kUnchangedFromRequest);
  if (plain > 0xffff) out[Not(static_cast<uint16_t>(plain))].insert(M::kCarryDropped);
  out[sum].insert(M::kNotComplemented);
  out[Swap(Not(sum))].insert(M::kByteSwapped);
  out[Not(Fold(uint32_t{sum} + request_checksum))].insert(M::kFieldNotZeroed);
  if (h > 20) out[Not(Fold(PlainSum(ByteView(header).first(20))))].insert(M::kOptionsOmitted);
  // The whole datagram, summed before the ICMP checksum was filled in.
  Bytes rest = Zeroed(d.subspan(h), 2);
  out[Not(Fold(uint32_t{sum} + PlainSum(rest)))].insert(M::kWholeDatagram);
  return out;
}

TEST_CASE("each checksum mistake is named, over many packets", "[verify][checksum]") {
  std::map<ChecksumMistake, int> named;
  int graded = 0;
  for (const EchoPacket& request : SampleRequests(Profile::kRfc)) {
    Bytes correct = Reference(request, Profile::kRfc);
    size_t h = Grade(request, correct, Profile::kRfc).reply_header_length;
    const bool v4 = request.family == IpFamily::kIpv4;
    std::vector<std::pair<FieldId, std::map<uint16_t, std::set<ChecksumMistake>>>> cases = {
        {v4 ? FieldId::kIcmpChecksum : FieldId::kIcmpv6Checksum,
         IcmpMistakeValues(request, correct, h)}};
    if (v4) cases.push_back({FieldId::kIpChecksum, IpMistakeValues(request, correct, h)});
    for (const auto& [field, values] : cases) {
      size_t at = field == FieldId::kIpChecksum ? 10 : h + 2;
      for (const auto& [value, mistakes] : values) {
        Bytes reply = correct;
        PutBe16(reply, at, value);
        ReplyGrade g = Grade(request, reply, Profile::kRfc);
        const FieldVerdict* f = g.Find(field);
        REQUIRE(f != nullptr);
        if (f->grade != FieldGrade::kFail) continue;  // the value happens to verify
        ++graded;
        INFO(HexEncode(request.datagram)
             << "\n"
             << GetFieldInfo(field).name << " " << Hex16(value) << " named " << FieldNote(*f));
        CHECK(Failing(g) == std::set<std::string>{GetFieldInfo(field).name});
        CHECK(mistakes.count(f->mistake) == 1);
        if (mistakes.size() == 1) ++named[f->mistake];
        CHECK(FieldNote(*f) == ChecksumMistakeNote(f->mistake));
      }
    }
  }
  CHECK(graded > 500);
  using M = ChecksumMistake;
  for (M m :
       {M::kNotUpdatedAfterTypeChange, M::kUnchangedFromRequest, M::kCarryDropped,
        M::kNotComplemented, M::kByteSwapped, M::kFieldNotZeroed, M::kHeaderOnly,
        M::kIpHeaderIncluded, M::kPseudoHeaderOmitted, M::kOptionsOmitted, M::kWholeDatagram}) {
    INFO(ChecksumMistakeNote(m));
    CHECK(named[m] >= 2);
  }
}

TEST_CASE("checksum mistakes in the experiment's reply read as the write-ups would say",
          "[verify][checksum]") {
  EchoPacket request = Packet(kExperimentRequest);
  Bytes correct = Reference(request, Profile::kRfc);
  auto note_for = [&](uint16_t value) {
    Bytes reply = correct;
    PutBe16(reply, 22, value);
    ReplyGrade g = Grade(request, reply, Profile::kRfc);
    CHECK(Failing(g) == std::set<std::string>{"icmp.checksum"});
    return FieldNote(*g.Find(FieldId::kIcmpChecksum));
  };
  CHECK(note_for(0x54f5) == "not updated after type change");
  CHECK(note_for(0xa30a) == "not complemented");
  CHECK(note_for(0xf55c) == "byte-swapped");
  CHECK(note_for(0xabcd) == "wrong value");
}

TEST_CASE("the all-zero message needs 0xffff; 0x0000 there fails by name", "[verify][checksum]") {
  // packet-anchors §5.4: request ICMP 0800 f7ff 0000 0000, correct reply 0000 ffff 0000 0000.
  EchoPacket request = RequestWithSeq("captures/kernel-crafted.pcap", 0);
  REQUIRE(request.ident == 0);
  REQUIRE(request.message().size() == 8);
  for (Profile profile : testing::kAllProfiles) {
    Bytes reply = Reference(request, profile);
    uint16_t c = 0;
    PeekBe16(reply, 22, &c);
    CHECK(c == 0xffff);
    CHECK(Grade(request, reply, profile).verdict == Verdict::kCorrect);
    PutBe16(reply, 22, 0x0000);
    ReplyGrade g = Grade(request, reply, profile);
    CHECK(g.verdict == Verdict::kWrong);
    CHECK(Failing(g) == std::set<std::string>{"icmp.checksum"});
    CHECK(g.Find(FieldId::kIcmpChecksum)->mistake == ChecksumMistake::kAllZeroNeedsFfff);
  }
}

// A correct reply whose checksum at `at` is 0x0000, with 0xffff written there instead: it
// verifies too, and only warns.
void CheckOtherZeroWarns(const EchoPacket& request, Bytes reply, size_t at, FieldId field) {
  uint16_t c = 0xabcd;
  PeekBe16(reply, at, &c);
  REQUIRE(c == 0x0000);
  PutBe16(reply, at, 0xffff);
  ReplyGrade g = Grade(request, reply, Profile::kRfc);
  CHECK(g.verdict == Verdict::kCorrect);
  CHECK(GradeOf(g, field) == FieldGrade::kWarn);
  CHECK(g.Find(field)->mistake == ChecksumMistake::kAlternativeZero);
}

TEST_CASE("where 0x0000 is right, 0xffff verifies too and only warns", "[verify][checksum]") {
  // packet-anchors §5.4: request ICMP 0800 f7ff ffff 0000, correct reply 0000 0000 ffff 0000.
  std::optional<EchoPacket> request;
  for (EchoPacket& p : ReadEchoPackets("captures/kernel-crafted.pcap")) {
    if (p.is_request() && p.ident == 0xffff && p.seq == 0) request = p;
  }
  REQUIRE(request.has_value());
  CheckOtherZeroWarns(*request, Reference(*request, Profile::kRfc), 22, FieldId::kIcmpChecksum);

  // The IPv4 header: an identification chosen so that the header checksum is 0x0000.
  EchoPacket experiment = Packet(kExperimentRequest);
  Bytes r = Reference(experiment, Profile::kRfc);
  PutBe16(r, 4, 0);
  PutBe16(r, 10, 0);
  PutBe16(r, 4, static_cast<uint16_t>(~OnesComplementSum(ByteView(r).first(20))));
  RefreshChecksums(r, IpFamily::kIpv4, 20);
  CheckOtherZeroWarns(experiment, r, 10, FieldId::kIpChecksum);
}

TEST_CASE(
    "Record Route and Timestamp: echoed with one or two entries under rfc, as Linux under linux",
    "[verify][options]") {
  const std::string cap = "captures/kernel-options.pcap";
  std::vector<EchoPacket> packets = ReadEchoPackets(cap);
  REQUIRE(packets.size() == 6);
  for (size_t i = 0; i < packets.size(); i += 2) {
    const EchoPacket& request = packets[i];
    const EchoPacket& kernel = packets[i + 1];
    REQUIRE(request.header_length > 20);
    INFO("request " << HexEncode(request.datagram));
    // The kernel's reply: two entries (on receive and on send), right under both profiles.
    CHECK(Grade(request, kernel.datagram, Profile::kRfc).verdict == Verdict::kCorrect);
    CHECK(Grade(request, kernel.datagram, Profile::kLinux).verdict == Verdict::kCorrect);
    // One entry (RFC 1122: "updated to include the current host"): fine under rfc only.
    // (DF cleared as Linux does, so that only the options differ from a Linux reply.)
    Bytes one = Reference(request, Profile::kRfc);
    one[6] &= 0xbf;
    RefreshChecksums(one, IpFamily::kIpv4, request.header_length);
    CHECK(Graded(Grade(request, one, Profile::kRfc), FieldGrade::kWarn).empty());
    CHECK(Failing(Grade(request, one, Profile::kLinux)) == std::set<std::string>{"ip.options"});
    // Options dropped: a SHOULD under rfc (warn), wrong under linux.
    Bytes dropped = WithOptions(one, {});
    ReplyGrade rfc = Grade(request, dropped, Profile::kRfc);
    CHECK(rfc.verdict == Verdict::kCorrect);
    CHECK(Graded(rfc, FieldGrade::kWarn) == std::set<std::string>{"ip.options"});
    CHECK(Failing(Grade(request, dropped, Profile::kLinux)) == std::set<std::string>{"ip.options"});
    // The request's options copied back without this host added: warn under rfc.
    Bytes copied =
        WithOptions(one, ByteView(request.datagram).subspan(20, request.header_length - 20));
    ReplyGrade c = Grade(request, copied, Profile::kRfc);
    CHECK(c.verdict == Verdict::kCorrect);
    CHECK(Graded(c, FieldGrade::kWarn) == std::set<std::string>{"ip.options"});
  }
}

TEST_CASE("a Timestamp option's clock value is this host's to choose", "[verify][options]") {
  std::vector<EchoPacket> packets = ReadEchoPackets("captures/kernel-options.pcap");
  const EchoPacket& request = packets[2];  // ping -T tsonly
  REQUIRE(request.datagram[20] == kIpOptTimestamp);
  Bytes reply = packets[3].datagram;
  size_t pointer = request.datagram[22];  // the first slot this host fills
  reply[20 + pointer - 1] ^= 0x5a;
  RefreshChecksums(reply, IpFamily::kIpv4, request.header_length);
  CHECK(Grade(request, reply, Profile::kLinux).verdict == Verdict::kCorrect);
  CHECK(Grade(request, reply, Profile::kRfc).verdict == Verdict::kCorrect);
  // The pointer is not a clock value.
  reply[22] ^= 0x04;
  RefreshChecksums(reply, IpFamily::kIpv4, request.header_length);
  CHECK(Failing(Grade(request, reply, Profile::kLinux)) == std::set<std::string>{"ip.options"});
}

TEST_CASE("a source route comes back reversed under rfc; linux stays silent", "[verify][options]") {
  for (uint16_t seq : {4, 5}) {  // LSRR, SSRR, completed via 192.0.2.254
    EchoPacket request = RequestWithSeq("captures/crafted-options.pcap", seq);
    RequestAssessment rfc = AssessRequest(request, Profile::kRfc);
    CHECK(rfc.expectation == ReplyExpectation::kOptional);
    CHECK(AssessRequest(request, Profile::kLinux).expectation == ReplyExpectation::kForbidden);
    Bytes reply = Reference(request, Profile::kRfc);
    // Reversed: the reply goes to the last hop first and the route ends at the requester.
    CHECK(FormatAddress(ByteView(reply).subspan(16, 4)) == "192.0.2.254");
    CHECK(HexEncode(ByteView(reply).subspan(20, 8)) ==
          (seq == 4 ? "830704c000020100" : "890704c000020100"));
    ReplyGrade g = Grade(request, reply, Profile::kRfc);
    CHECK(g.verdict == Verdict::kCorrect);
    // Answered straight back without the route: the route MUST be reversed.
    Bytes plain = WithOptions(Reference(request, Profile::kDunkels), {});
    ReplyGrade wrong = Grade(request, plain, Profile::kRfc);
    CHECK(Failing(wrong) == std::set<std::string>{"ip.dst", "ip.options"});
    // No reply is fine too; under linux any reply is unexpected.
    ReplyGrade none;
    GradeReply(request, rfc, nullptr, Profile::kRfc, &none);
    CHECK(none.verdict == Verdict::kSilentOk);
    CHECK(Grade(request, reply, Profile::kLinux).verdict == Verdict::kUnexpectedReply);
  }
}

TEST_CASE("NOP, EOL and options Linux does not echo", "[verify][options]") {
  for (uint16_t seq : {6, 7}) {  // NOP,NOP,NOP,EOL; Router Alert
    EchoPacket request = RequestWithSeq("captures/crafted-options.pcap", seq);
    Bytes without = Reference(request, Profile::kLinux);
    CHECK(without[0] == 0x45);  // Linux drops them
    Bytes copied = Reference(request, Profile::kDunkels);
    CHECK(copied[0] == 0x46);
    copied[6] &= 0xbf;  // DF cleared as Linux does: only the options differ
    RefreshChecksums(copied, IpFamily::kIpv4, 24);
    CHECK(Grade(request, without, Profile::kRfc).verdict == Verdict::kCorrect);
    CHECK(Grade(request, copied, Profile::kRfc).verdict == Verdict::kCorrect);
    CHECK(Graded(Grade(request, copied, Profile::kRfc), FieldGrade::kWarn).empty());
    CHECK(Failing(Grade(request, copied, Profile::kLinux)) == std::set<std::string>{"ip.options"});
    CHECK(Failing(Grade(request, Reference(request, Profile::kRfc), Profile::kDunkels)) ==
          std::set<std::string>{"ip.options"});
  }
  // An option the request did not carry: a warning under rfc.
  EchoPacket request = Packet(kExperimentRequest);
  Bytes reply = WithOptions(Reference(request, Profile::kLinux), Hex("94040000"));
  ReplyGrade g = Grade(request, reply, Profile::kRfc);
  CHECK(g.verdict == Verdict::kCorrect);
  CHECK(Graded(g, FieldGrade::kWarn) == std::set<std::string>{"ip.options"});
  CHECK(Failing(Grade(request, reply, Profile::kLinux)) == std::set<std::string>{"ip.options"});
}

TEST_CASE("echo to an IPv6 multicast group: a reply is optional and comes from a unicast address",
          "[verify]") {
  EchoPacket request = RequestWithSeq("captures/kernel-crafted.pcap", 104);
  EchoPacket kernel = ReplyWithSeq("captures/kernel-crafted.pcap", 104);
  REQUIRE(FormatAddress(request.dst()) == "ff02::1");
  for (Profile profile : {Profile::kRfc, Profile::kLinux}) {
    RequestAssessment a = AssessRequest(request, profile);
    CHECK(a.expectation == ReplyExpectation::kOptional);
    CHECK(Grade(request, kernel.datagram, profile).verdict == Verdict::kCorrect);
    ReplyGrade none;
    GradeReply(request, a, nullptr, profile, &none);
    CHECK(none.verdict == Verdict::kSilentOk);
    Bytes from_group = kernel.datagram;
    std::copy(request.dst().begin(), request.dst().end(), from_group.begin() + 8);
    RefreshChecksums(from_group, IpFamily::kIpv6, 40);
    CHECK(Failing(Grade(request, from_group, profile)) == std::set<std::string>{"ipv6.src"});
  }
  Result<Bytes> reference = BuildReferenceReply(request, Profile::kRfc);
  CHECK(reference.status().code() == StatusCode::kUnsupported);
}

TEST_CASE("ICMP code: 0 under rfc (copying warns), copied under linux and dunkels", "[verify]") {
  for (uint16_t seq : {4, 103}) {  // IPv4 and IPv6 requests with code 5
    EchoPacket request = RequestWithSeq("captures/kernel-crafted.pcap", seq);
    EchoPacket kernel = ReplyWithSeq("captures/kernel-crafted.pcap", seq);
    REQUIRE(request.code == 5);
    const bool v4 = request.family == IpFamily::kIpv4;
    FieldId code = v4 ? FieldId::kIcmpCode : FieldId::kIcmpv6Code;
    const char* name = v4 ? "icmp.code" : "icmpv6.code";
    size_t h = request.header_length;
    ReplyGrade copied = Grade(request, kernel.datagram, Profile::kRfc);
    CHECK(copied.verdict == Verdict::kCorrect);
    CHECK(GradeOf(copied, code) == FieldGrade::kWarn);
    CHECK(GradeOf(Grade(request, kernel.datagram, Profile::kLinux), code) == FieldGrade::kPass);
    Bytes zero = kernel.datagram;
    zero[h + 1] = 0;
    RefreshChecksums(zero, request.family, h);
    CHECK(GradeOf(Grade(request, zero, Profile::kRfc), code) == FieldGrade::kPass);
    CHECK(Failing(Grade(request, zero, Profile::kLinux)) == std::set<std::string>{name});
    Bytes other = kernel.datagram;
    other[h + 1] = 3;
    RefreshChecksums(other, request.family, h);
    for (Profile p : {Profile::kRfc, Profile::kLinux}) {
      CHECK(Failing(Grade(request, other, p)) == std::set<std::string>{name});
    }
  }
}

TEST_CASE("DF, TOS and TTL under each profile", "[verify]") {
  EchoPacket request = Packet(kExperimentRequest);  // DF set, TOS 0, TTL 64
  Bytes reply = Reference(request, Profile::kRfc);  // DF copied
  auto with = [&](size_t at, uint8_t value) {
    Bytes r = reply;
    r[at] = value;
    RefreshChecksums(r, IpFamily::kIpv4, 20);
    return r;
  };
  Bytes df_clear = with(6, 0x00);
  CHECK(GradeOf(Grade(request, df_clear, Profile::kRfc), FieldId::kIpFlagsDf) == FieldGrade::kInfo);
  CHECK(Grade(request, df_clear, Profile::kLinux).verdict == Verdict::kCorrect);
  CHECK(Failing(Grade(request, df_clear, Profile::kDunkels)) ==
        std::set<std::string>{"ip.flags.df"});
  CHECK(Failing(Grade(request, reply, Profile::kLinux)) == std::set<std::string>{"ip.flags.df"});

  Bytes tos = with(1, 0xb8);
  ReplyGrade rfc_tos = Grade(request, tos, Profile::kRfc);
  CHECK(rfc_tos.verdict == Verdict::kCorrect);
  CHECK(GradeOf(rfc_tos, FieldId::kIpDsfield) == FieldGrade::kWarn);
  CHECK(Failing(Grade(request, tos, Profile::kDunkels)) == std::set<std::string>{"ip.dsfield"});

  for (uint8_t ttl : {1, 128, 255}) {
    Bytes r = with(8, ttl);
    CHECK(Grade(request, r, Profile::kRfc).verdict == Verdict::kCorrect);
    CHECK(Failing(Grade(request, r, Profile::kDunkels)) == std::set<std::string>{"ip.ttl"});
  }
  CHECK(Failing(Grade(request, with(8, 0), Profile::kRfc)) == std::set<std::string>{"ip.ttl"});

  // The kernel copies TOS and ECN bits, and answers TTL 64 whatever the request's TTL.
  for (const EchoPacket& p : ReadEchoPackets("captures/kernel-tos-patterns.pcap")) {
    if (!p.is_reply()) continue;
    CHECK(p.datagram[8] == 64);
    CHECK((p.datagram[6] & 0x40) == 0);
  }
}

TEST_CASE("a reply cut short says which fields are missing; extra bytes fail", "[verify]") {
  EchoPacket request = Packet(kExperimentRequest);
  Bytes reply = Reference(request, Profile::kRfc);
  Bytes cut(reply.begin(), reply.begin() + 26);
  ReplyGrade g = Grade(request, cut, Profile::kRfc);
  CHECK(g.verdict == Verdict::kWrong);
  const FieldVerdict* seq = g.Find(FieldId::kIcmpSeq);
  REQUIRE(seq != nullptr);
  CHECK(seq->actual.kind == FieldValue::Kind::kMissing);
  CHECK(FieldNote(*seq) == "missing: the reply ends before this field");
  CHECK(GradeOf(g, FieldId::kIcmpIdent) == FieldGrade::kPass);
  CHECK(GradeOf(g, FieldId::kData) == FieldGrade::kFail);

  Bytes longer = reply;
  longer.insert(longer.end(), {0, 0, 0, 0});
  ReplyGrade t = Grade(request, longer, Profile::kRfc);
  CHECK(Failing(t).count("trailing") == 1);
  CHECK(FieldNote(*t.Find(FieldId::kTrailing)) == "4 bytes after the end of the reply");
}

TEST_CASE("verdicts for requests that must not be answered, and for truncated ones", "[verify]") {
  EchoPacket bad_ip = RequestWithSeq("captures/kernel-crafted.pcap", 2);
  EchoPacket bad_icmp = RequestWithSeq("captures/kernel-crafted.pcap", 3);
  for (const EchoPacket* r : {&bad_ip, &bad_icmp}) {
    RequestAssessment a = AssessRequest(*r, Profile::kRfc);
    CHECK(a.expectation == ReplyExpectation::kForbidden);
    ReplyGrade g;
    GradeReply(*r, a, nullptr, Profile::kRfc, &g);
    CHECK(g.verdict == Verdict::kSilentOk);
    Bytes any = Reference(Packet(kExperimentRequest), Profile::kRfc);
    ByteView v(any);
    GradeReply(*r, a, &v, Profile::kRfc, &g);
    CHECK(g.verdict == Verdict::kUnexpectedReply);
  }
  std::vector<EchoPacket> snap = ReadEchoPackets("captures/kernel-snaplen.pcap");
  int truncated = 0;
  for (const EchoPacket& p : snap) {
    if (!p.is_request()) continue;
    CHECK(p.truncated);
    RequestAssessment a = AssessRequest(p, Profile::kRfc);
    CHECK(a.truncated);
    ReplyGrade g;
    GradeReply(p, a, nullptr, Profile::kRfc, &g);
    CHECK(g.verdict == Verdict::kTruncated);
    CHECK_FALSE(BuildReferenceReply(p, Profile::kLinux).ok());
    ++truncated;
  }
  CHECK(truncated == 3);  // two IPv4, one IPv6 cut inside its ICMPv6 header
}

}  // namespace
}  // namespace llmstack
