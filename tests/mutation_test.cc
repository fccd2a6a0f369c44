// The verifier attributes every mistake to the right field: a correct reply with any single
// field changed (checksums refreshed), or with its checksum alone changed, fails exactly that
// field, under every profile, over every sample request (DESIGN §9).
#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "grade/responder.h"
#include "grade/verify.h"
#include "packet/checksum.h"
#include "packet/icmp.h"
#include "packet/option_echo.h"
#include "packet_samples.h"
#include "report/run_results.h"

namespace llmstack {
namespace {

using testing::kAllProfiles;
using testing::SampleRequests;

// Where a field lives in the reply: `width` bytes at `offset` read as a big-endian number, of
// which `mask` selects the field's bits. Addresses, options and data are byte strings instead.
struct FieldBits {
  size_t offset = 0;
  size_t width = 1;
  uint32_t mask = 0xff;
  bool byte_string = false;
  size_t length = 0;  // for byte strings
};

uint32_t ReadBits(const Bytes& b, const FieldBits& f) {
  uint32_t v = 0;
  for (size_t i = 0; i < f.width; ++i) v = v << 8 | b[f.offset + i];
  return v & f.mask;
}

void WriteBits(Bytes& b, const FieldBits& f, uint32_t value) {
  uint32_t v = 0;
  for (size_t i = 0; i < f.width; ++i) v = v << 8 | b[f.offset + i];
  v = (v & ~f.mask) | (value & f.mask);
  for (size_t i = f.width; i-- > 0;) {
    b[f.offset + i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

// The field's location in a reply whose ICMP message starts at `h`. False for fields the
// test does not mutate (trailing bytes do not exist in a correct reply).
bool Locate(FieldId id, size_t h, size_t reply_size, FieldBits* f) {
  auto bits = [f](size_t offset, size_t width, uint32_t mask) {
    *f = {offset, width, mask, false, 0};
    return true;
  };
  auto bytes = [f](size_t offset, size_t length) {
    *f = {offset, 0, 0, true, length};
    return length > 0;
  };
  switch (id) {
    case FieldId::kIpVersion:
      return bits(0, 1, 0xf0);
    case FieldId::kIpHdrLen:
      return bits(0, 1, 0x0f);
    case FieldId::kIpDsfield:
      return bits(1, 1, 0xff);
    case FieldId::kIpLen:
      return bits(2, 2, 0xffff);
    case FieldId::kIpId:
      return bits(4, 2, 0xffff);
    case FieldId::kIpFlagsRb:
      return bits(6, 1, 0x80);
    case FieldId::kIpFlagsDf:
      return bits(6, 1, 0x40);
    case FieldId::kIpFlagsMf:
      return bits(6, 1, 0x20);
    case FieldId::kIpFragOffset:
      return bits(6, 2, 0x1fff);
    case FieldId::kIpTtl:
      return bits(8, 1, 0xff);
    case FieldId::kIpProto:
      return bits(9, 1, 0xff);
    case FieldId::kIpChecksum:
      return bits(10, 2, 0xffff);
    case FieldId::kIpSrc:
      return bytes(12, 4);
    case FieldId::kIpDst:
      return bytes(16, 4);
    case FieldId::kIpOptions:
      return bytes(20, h - 20);
    case FieldId::kIpv6Version:
      return bits(0, 4, 0xf0000000);
    case FieldId::kIpv6Tclass:
      return bits(0, 4, 0x0ff00000);
    case FieldId::kIpv6Flow:
      return bits(0, 4, 0x000fffff);
    case FieldId::kIpv6Plen:
      return bits(4, 2, 0xffff);
    case FieldId::kIpv6Nxt:
      return bits(6, 1, 0xff);
    case FieldId::kIpv6Hlim:
      return bits(7, 1, 0xff);
    case FieldId::kIpv6Src:
      return bytes(8, 16);
    case FieldId::kIpv6Dst:
      return bytes(24, 16);
    case FieldId::kIcmpType:
    case FieldId::kIcmpv6Type:
      return bits(h, 1, 0xff);
    case FieldId::kIcmpCode:
    case FieldId::kIcmpv6Code:
      return bits(h + 1, 1, 0xff);
    case FieldId::kIcmpChecksum:
    case FieldId::kIcmpv6Checksum:
      return bits(h + 2, 2, 0xffff);
    case FieldId::kIcmpIdent:
    case FieldId::kIcmpv6Ident:
      return bits(h + 4, 2, 0xffff);
    case FieldId::kIcmpSeq:
    case FieldId::kIcmpv6Seq:
      return bits(h + 6, 2, 0xffff);
    case FieldId::kData:
      return bytes(h + 8, reply_size - h - 8);
    case FieldId::kTrailing:
    case FieldId::kCount:
      break;
  }
  return false;
}

bool IsChecksum(FieldId id) {
  return id == FieldId::kIpChecksum || id == FieldId::kIcmpChecksum ||
         id == FieldId::kIcmpv6Checksum;
}

// Other values for a numeric field: low bit, high bit, every bit, zero, all ones, +1; for the
// 4-bit version and IHL every value; for TTL and hop limit also 0, 1 and 255.
std::vector<uint32_t> OtherValues(FieldId id, const FieldBits& f, uint32_t current) {
  int shift = 0;
  while (!(f.mask >> shift & 1)) ++shift;
  uint32_t field_max = f.mask >> shift;
  uint32_t cur = current >> shift;
  std::vector<uint32_t> raw = {cur ^ 1,   cur ^ ((field_max + 1) >> 1), cur ^ field_max, 0,
                               field_max, (cur + 1) & field_max};
  if (field_max == 0xf) {
    for (uint32_t v = 0; v <= 0xf; ++v) raw.push_back(v);
  }
  if (id == FieldId::kIpTtl || id == FieldId::kIpv6Hlim) raw.insert(raw.end(), {1, 63, 65, 255});
  std::vector<uint32_t> out;
  for (uint32_t v : raw) {
    uint32_t shifted = v << shift & f.mask;
    if (shifted != current && std::find(out.begin(), out.end(), shifted) == out.end()) {
      out.push_back(shifted);
    }
  }
  return out;
}

enum class Expect { kFail, kNoFail, kEither };

// What the rubric of DESIGN §5 says about a changed field under a profile.
Expect Expected(FieldId id, Profile profile, const EchoPacket& request, uint32_t new_value,
                bool in_clock_value) {
  switch (id) {
    case FieldId::kIpDsfield:
    case FieldId::kIpv6Tclass:
      return profile == Profile::kRfc ? Expect::kNoFail : Expect::kFail;  // warn under rfc
    case FieldId::kIpId:
    case FieldId::kIpv6Flow:
      return profile == Profile::kDunkels ? Expect::kFail : Expect::kNoFail;
    case FieldId::kIpFlagsDf:
      return profile == Profile::kRfc ? Expect::kNoFail : Expect::kFail;
    case FieldId::kIpTtl:
    case FieldId::kIpv6Hlim:
      if (profile != Profile::kRfc) return Expect::kFail;
      return new_value == 0 ? Expect::kFail : Expect::kNoFail;
    case FieldId::kIcmpCode:
    case FieldId::kIcmpv6Code:
      if (profile == Profile::kRfc && new_value != 0 && new_value == request.code) {
        return Expect::kNoFail;  // copying the request's code only warns
      }
      return Expect::kFail;
    case FieldId::kIpOptions:
      if (profile == Profile::kRfc) return Expect::kEither;  // pass, warn or fail by option
      return in_clock_value ? Expect::kNoFail : Expect::kFail;
    default:
      return Expect::kFail;
  }
}

std::string Describe(const ReplyGrade& g, ByteView request, ByteView reply) {
  std::ostringstream s;
  for (const RenderedField& f : RenderFields(g, request, reply)) {
    if (f.grade == FieldGrade::kPass || f.grade == FieldGrade::kInfo) continue;
    s << f.name << " " << GradeName(f.grade) << " (" << f.actual << " vs " << f.expected << ": "
      << f.note << ")  ";
  }
  return s.str();
}

bool ChecksumVerifiesIn(FieldId id, const Bytes& reply, IpFamily family, size_t h) {
  ByteView d(reply);
  if (id == FieldId::kIpChecksum) return ChecksumVerifies(d.first(h));
  ByteView src = family == IpFamily::kIpv4 ? d.subspan(12, 4) : d.subspan(8, 16);
  ByteView dst = family == IpFamily::kIpv4 ? d.subspan(16, 4) : d.subspan(24, 16);
  return IcmpChecksumVerifies(family, src, dst, d.subspan(h));
}

// Clock values the reference wrote into a Timestamp option (Linux style), as reply offsets.
std::vector<size_t> ClockOffsets(const EchoPacket& request) {
  std::vector<size_t> out;
  if (request.family != IpFamily::kIpv4 || request.header_length <= 20) return out;
  Result<OptionEcho> e =
      EchoIpv4Options(ByteView(request.datagram).subspan(20, request.header_length - 20),
                      request.src(), request.dst(), 0, OptionEchoStyle::kLinux);
  if (e.ok()) {
    for (size_t at : e->clock_offsets) out.push_back(20 + at);
  }
  return out;
}

struct Tally {
  size_t mutations = 0;
  size_t failed_as_expected = 0;
  std::set<FieldId> fields;
};

void MutateEveryField(const EchoPacket& request, Profile profile, Tally* tally) {
  RequestAssessment assessment = AssessRequest(request, profile);
  Result<Bytes> built = BuildReferenceReply(request, profile);
  REQUIRE(built.ok());
  const Bytes& correct = *built;
  ReplyGrade baseline;
  ByteView correct_view(correct);
  GradeReply(request, assessment, &correct_view, profile, &baseline);
  INFO("profile " << ProfileName(profile) << ", request frame " << request.frame << " "
                  << HexEncode(request.datagram));
  REQUIRE(baseline.verdict == Verdict::kCorrect);
  REQUIRE(baseline.FailCount() == 0);
  const size_t h = baseline.reply_header_length;
  std::vector<size_t> clocks =
      profile == Profile::kLinux ? ClockOffsets(request) : std::vector<size_t>{};

  for (const FieldVerdict& field : baseline.fields) {
    FieldBits bits;
    if (!Locate(field.id, h, correct.size(), &bits)) continue;
    if (bits.width != 4) CHECK(bits.offset == field.offset);  // offsets as the grade shows them
    tally->fields.insert(field.id);
    const bool checksum = IsChecksum(field.id);

    std::vector<std::pair<Bytes, uint32_t>> variants;  // mutated reply, new value (numbers)
    std::vector<bool> in_clock;
    if (bits.byte_string) {
      std::vector<size_t> positions;
      if (field.id == FieldId::kData) {
        positions = {bits.offset, bits.offset + bits.length / 2, bits.offset + bits.length - 1};
      } else {
        for (size_t i = 0; i < bits.length; ++i) positions.push_back(bits.offset + i);
      }
      for (size_t at : positions) {
        for (uint8_t x : {0x01, 0x80, 0xff}) {
          Bytes m = correct;
          m[at] ^= x;
          variants.emplace_back(std::move(m), 0);
          in_clock.push_back(std::any_of(clocks.begin(), clocks.end(),
                                         [at](size_t c) { return at >= c && at < c + 4; }));
        }
      }
    } else {
      uint32_t current = ReadBits(correct, bits);
      for (uint32_t v : OtherValues(field.id, bits, current)) {
        Bytes m = correct;
        WriteBits(m, bits, v);
        int shift = 0;
        while (!(bits.mask >> shift & 1)) ++shift;
        variants.emplace_back(std::move(m), v >> shift);
        in_clock.push_back(false);
      }
    }

    for (size_t i = 0; i < variants.size(); ++i) {
      Bytes& reply = variants[i].first;
      if (checksum) {
        // The checksum alone: skip the other one's complement zero, which verifies (warn).
        if (ChecksumVerifiesIn(field.id, reply, request.family, h)) continue;
      } else {
        RefreshChecksums(reply, request.family, h);
      }
      ReplyGrade grade;
      ByteView view(reply);
      GradeReply(request, assessment, &view, profile, &grade);
      ++tally->mutations;
      INFO("mutated " << GetFieldInfo(field.id).name << " -> " << HexEncode(reply) << "\n  "
                      << Describe(grade, request.datagram, view));
      for (const FieldVerdict& f : grade.fields) {
        if (f.id != field.id) CHECK(f.grade != FieldGrade::kFail);
      }
      const FieldVerdict* mutated = grade.Find(field.id);
      REQUIRE(mutated != nullptr);
      Expect e = Expected(field.id, profile, request, variants[i].second, in_clock[i]);
      if (e == Expect::kFail) {
        CHECK(mutated->grade == FieldGrade::kFail);
        CHECK(grade.verdict == Verdict::kWrong);
        ++tally->failed_as_expected;
      } else if (e == Expect::kNoFail) {
        CHECK(mutated->grade != FieldGrade::kFail);
        CHECK(grade.verdict == Verdict::kCorrect);
      }
      if (checksum) CHECK(mutated->mistake != ChecksumMistake::kNone);
    }
  }
}

TEST_CASE("changing any one field of a correct reply fails that field alone", "[mutation]") {
  for (Profile profile : kAllProfiles) {
    std::vector<EchoPacket> requests = SampleRequests(profile);
    // The experiment's packet, kernel requests of many sizes, IPv6, options, crafted cases.
    REQUIRE(requests.size() >= 40);
    Tally tally;
    bool ipv6 = false, options = false, odd = false;
    for (const EchoPacket& r : requests) {
      ipv6 |= r.family == IpFamily::kIpv6;
      options |= r.family == IpFamily::kIpv4 && r.header_length > 20;
      odd |= r.message().size() % 2 == 1;
      MutateEveryField(r, profile, &tally);
    }
    INFO(ProfileName(profile));
    CHECK(ipv6);
    CHECK(options);
    CHECK(odd);
    CHECK(tally.mutations > 5000);
    CHECK(tally.failed_as_expected > 3000);
    // Every field of the field table was mutated somewhere (trailing bytes aside).
    for (size_t i = 0; i < kFieldCount; ++i) {
      FieldId id = static_cast<FieldId>(i);
      if (id == FieldId::kTrailing) continue;
      INFO("field never mutated: " << GetFieldInfo(id).name);
      CHECK(tally.fields.count(id) == 1);
    }
  }
}

}  // namespace
}  // namespace llmstack
