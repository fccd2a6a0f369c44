#include "grade/verify.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <optional>
#include <utility>

#include "packet/checksum.h"
#include "packet/icmp.h"
#include "packet/option_echo.h"

namespace llmstack {

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kCorrect:
      return "correct";
    case Verdict::kWrong:
      return "wrong";
    case Verdict::kNoReply:
      return "no_reply";
    case Verdict::kUnparseable:
      return "unparseable";
    case Verdict::kSilentOk:
      return "silent_ok";
    case Verdict::kUnexpectedReply:
      return "unexpected_reply";
    case Verdict::kError:
      return "error";
    case Verdict::kTruncated:
      return "truncated";
  }
  return "error";
}

bool IsFailingVerdict(Verdict v) {
  return v == Verdict::kWrong || v == Verdict::kNoReply || v == Verdict::kUnparseable ||
         v == Verdict::kUnexpectedReply;
}

std::string FieldNote(const FieldVerdict& f) {
  if (f.id == FieldId::kData && f.grade == FieldGrade::kFail) {
    std::string note;
    if (f.count_b > 0) {
      note = "first difference at data byte " + std::to_string(f.count_a) + ", " +
             std::to_string(f.count_b) + " byte" + (f.count_b == 1 ? "" : "s") + " differ";
    }
    if (f.note) note += (note.empty() ? "" : "; ") + std::string(f.note);
    return note;
  }
  if (f.id == FieldId::kTrailing && f.grade == FieldGrade::kFail) {
    return std::to_string(f.count_a) + " byte" + (f.count_a == 1 ? "" : "s") +
           " after the end of the reply";
  }
  if (f.note) return f.note;
  if (f.mistake != ChecksumMistake::kNone) return ChecksumMistakeNote(f.mistake);
  return "";
}

bool ReplyGrade::Failed(FieldId id) const {
  const FieldVerdict* f = Find(id);
  return f && f->grade == FieldGrade::kFail;
}

const FieldVerdict* ReplyGrade::Find(FieldId id) const {
  for (const FieldVerdict& f : fields) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

size_t ReplyGrade::FailCount() const {
  return static_cast<size_t>(std::count_if(fields.begin(), fields.end(), [](const FieldVerdict& f) {
    return f.grade == FieldGrade::kFail;
  }));
}

namespace {

using Kind = FieldValue::Kind;

// Collects field verdicts for one reply.
class FieldGrader {
 public:
  FieldGrader(ByteView request, ByteView reply, ReplyGrade* grade)
      : request_(request), reply_(reply), grade_(grade) {}

  // A value of `kind` (kAddress or kBytes) shown as `bytes`: a span of the request or the
  // reply where it lies in one, otherwise a copy kept with the grade.
  FieldValue Shown(Kind kind, ByteView bytes) {
    for (auto [whole, source] : {std::pair{request_, FieldValue::Source::kRequest},
                                 std::pair{reply_, FieldValue::Source::kReply}}) {
      std::less_equal<const uint8_t*> le;
      if (!bytes.empty() && le(whole.data(), bytes.data()) &&
          le(bytes.data() + bytes.size(), whole.data() + whole.size())) {
        return FieldValue::Span(kind, source, static_cast<size_t>(bytes.data() - whole.data()),
                                bytes.size());
      }
    }
    size_t offset = grade_->literals.size();
    grade_->literals.insert(grade_->literals.end(), bytes.begin(), bytes.end());
    return FieldValue::Span(kind, FieldValue::Source::kLiterals, offset, bytes.size());
  }

  bool Have(size_t offset, size_t length) const {
    return offset <= reply_.size() && reply_.size() - offset >= length;
  }

  // Adds a field; when the reply ends before it, the field is missing and fails.
  FieldVerdict& Add(FieldId id, size_t offset, size_t length, FieldValue expected,
                    FieldValue actual, FieldGrade grade_if_present) {
    FieldVerdict& f = grade_->fields.emplace_back();
    f.id = id;
    f.offset = static_cast<uint32_t>(offset);
    f.length = static_cast<uint32_t>(length);
    f.expected = expected;
    if (length > 0 && !Have(offset, length)) {
      f.actual = FieldValue::Missing();
      f.grade = FieldGrade::kFail;
      f.note = "missing: the reply ends before this field";
    } else {
      f.actual = actual;
      f.grade = grade_if_present;
    }
    return f;
  }

  // A field that must equal `expected`; `differs` is the grade when it does not.
  FieldVerdict& Equal(FieldId id, size_t offset, size_t length, Kind kind, uint32_t expected,
                      uint32_t actual, FieldGrade differs = FieldGrade::kFail) {
    return Add(id, offset, length, FieldValue::Number(kind, expected),
               FieldValue::Number(kind, actual), expected == actual ? FieldGrade::kPass : differs);
  }

  // A field whose value is implementation-defined: shown, graded info.
  FieldVerdict& Any(FieldId id, size_t offset, size_t length, Kind kind, uint32_t actual) {
    return Add(id, offset, length, FieldValue::Rule("any"), FieldValue::Number(kind, actual),
               FieldGrade::kInfo);
  }

  FieldVerdict& AddressEqual(FieldId id, size_t offset, ByteView expected) {
    size_t n = expected.size();
    bool same = Have(offset, n) && std::equal(expected.begin(), expected.end(),
                                              reply_.begin() + static_cast<long>(offset));
    FieldValue actual =
        Have(offset, n) ? FieldValue::Span(Kind::kAddress, FieldValue::Source::kReply, offset, n)
                        : FieldValue();
    return Add(id, offset, n, Shown(Kind::kAddress, expected), actual,
               same ? FieldGrade::kPass : FieldGrade::kFail);
  }

  uint8_t U8(size_t offset) const { return U8OrZero(reply_, offset); }
  uint16_t U16(size_t offset) const { return Be16OrZero(reply_, offset); }

 private:
  ByteView request_;
  ByteView reply_;
  ReplyGrade* grade_;  // where the fields, and bytes Shown() copies, go
};

// The ICMP part, common to both families: type, code, checksum, identifier, sequence, data,
// trailing bytes. `h` is where the reply's ICMP message starts.
void GradeEcho(const EchoPacket& req, ByteView reply, size_t h, Profile profile, FieldGrader& g) {
  const bool v4 = req.family == IpFamily::kIpv4;
  const size_t m = req.message().size();
  ByteView message = reply.subspan(std::min(h, reply.size()));
  message = message.first(std::min(message.size(), m));

  g.Equal(v4 ? FieldId::kIcmpType : FieldId::kIcmpv6Type, h, 1, Kind::kDecimal,
          EchoReplyType(req.family), g.U8(h));

  uint8_t code = g.U8(h + 1);
  FieldId code_id = v4 ? FieldId::kIcmpCode : FieldId::kIcmpv6Code;
  if (profile == Profile::kRfc) {
    // RFC 792 (ICMP) and RFC 4443 4.2 (ICMPv6) say code 0; copying a non-zero request code (as
    // Linux does) only warns.
    FieldVerdict& f = g.Equal(code_id, h + 1, 1, Kind::kDecimal, 0, code);
    if (code != 0 && code == req.code && f.grade == FieldGrade::kFail) {
      f.grade = FieldGrade::kWarn;
      f.note = v4 ? "copied the request's non-zero code; RFC 792 says 0"
                  : "copied the request's non-zero code; RFC 4443 4.2 says 0";
    }
  } else {
    g.Equal(code_id, h + 1, 1, Kind::kDecimal, req.code, code);
  }

  FieldId checksum_id = v4 ? FieldId::kIcmpChecksum : FieldId::kIcmpv6Checksum;
  if (message.size() >= 4) {
    ByteView reply_header = reply.first(std::min(h, reply.size()));
    ChecksumCheck c = CheckIcmpChecksum(req.family, reply_header, message, req.checksum);
    const char* note = nullptr;
    if (!c.verifies && message.size() < m) {
      // The message is cut short: the checksum is judged for the whole message, the request's
      // remaining bytes in place (when it is right for that, only the missing fields are
      // wrong; when not, the expected value is the whole message's, not that of the cut bytes).
      Bytes whole(message.begin(), message.end());
      ByteView rest = req.message().subspan(message.size());
      whole.insert(whole.end(), rest.begin(), rest.end());
      c = CheckIcmpChecksum(req.family, reply_header, whole, req.checksum);
      if (c.verifies) note = "right for the whole message; the reply is cut short";
    }
    FieldVerdict& f = g.Add(checksum_id, h + 2, 2, FieldValue::Number(Kind::kHex16, c.expected),
                            FieldValue::Number(Kind::kHex16, c.actual),
                            !c.verifies                           ? FieldGrade::kFail
                            : c.mistake == ChecksumMistake::kNone ? FieldGrade::kPass
                                                                  : FieldGrade::kWarn);
    f.mistake = c.mistake;
    if (note) f.note = note;
  } else {
    g.Add(checksum_id, h + 2, 2, FieldValue::None(), FieldValue::None(), FieldGrade::kFail);
  }

  g.Equal(v4 ? FieldId::kIcmpIdent : FieldId::kIcmpv6Ident, h + 4, 2, Kind::kDecimal, req.ident,
          g.U16(h + 4));
  g.Equal(v4 ? FieldId::kIcmpSeq : FieldId::kIcmpv6Seq, h + 6, 2, Kind::kDecimal, req.seq,
          g.U16(h + 6));

  // Data: the request's, byte for byte (RFC 792; RFC 1122 §3.2.2.6; RFC 4443 §4.2).
  ByteView want = req.message().subspan(std::min<size_t>(8, m));
  ByteView got = message.size() > 8 ? message.subspan(8) : ByteView();
  size_t data_offset = h + 8;
  FieldValue expected = FieldValue::RequestBytes(req.header_length + 8, want.size());
  FieldValue actual = FieldValue::ReplyBytes(data_offset, got.size());
  size_t differing = 0, first = 0;
  const size_t compared = std::min(want.size(), got.size());
  if (compared > 0 && std::memcmp(want.data(), got.data(), compared) != 0) {
    for (size_t i = 0; i < compared; ++i) {
      if (want[i] != got[i]) {
        if (differing++ == 0) first = i;
      }
    }
  }
  bool short_data = got.size() < want.size();
  FieldVerdict& f = g.Add(FieldId::kData, data_offset, want.size(), expected, actual,
                          differing == 0 && !short_data ? FieldGrade::kPass : FieldGrade::kFail);
  f.count_a = static_cast<uint32_t>(first);
  f.count_b = static_cast<uint32_t>(differing);
  if (short_data && !got.empty()) {
    f.actual = actual;
    f.note = "data cut short";
  }

  if (reply.size() > h + m) {
    size_t extra = reply.size() - (h + m);
    FieldVerdict& t = g.Add(FieldId::kTrailing, h + m, extra, FieldValue::Rule("none"),
                            FieldValue::ReplyBytes(h + m, extra), FieldGrade::kFail);
    t.count_a = static_cast<uint32_t>(extra);
  }
}

// Where the reply's ICMP message starts. IHL says so, unless another header length, the one
// the reply's size implies for a message as long as the request's, agrees better with the
// bytes: a header checksum that verifies over it counts most, a total length that matches it
// breaks ties. Then IHL alone is wrong, and only ip.hdr_len fails.
size_t ChooseIpv4HeaderLength(ByteView reply, size_t message_length, bool* ihl_consistent) {
  uint8_t version_ihl = reply.empty() ? 0 : reply[0];
  size_t ihl_bytes = size_t{version_ihl & 0x0fu} * 4;
  uint16_t total_length = 0;
  PeekBe16(reply, 2, &total_length);
  bool ihl_usable = ihl_bytes >= 20 && ihl_bytes <= reply.size();
  size_t h = ihl_usable ? ihl_bytes : 20;
  auto agreement = [&](size_t length) {
    return (ChecksumVerifies(reply.first(length)) ? 2 : 0) +
           (length + message_length == total_length ? 1 : 0);
  };
  if (reply.size() >= message_length + 20) {
    size_t implied = reply.size() - message_length;
    if (implied <= 60 && implied % 4 == 0 && implied != ihl_bytes &&
        agreement(implied) > (ihl_usable ? agreement(ihl_bytes) : -1)) {
      h = implied;
    }
  }
  *ihl_consistent = ihl_usable && h == ihl_bytes;
  return h;
}

// Whether option `got` equals `want` (found at `want_offset` in its option block), ignoring
// the clock values this host writes (at `clock_offsets` in that block).
bool SameOption(ByteView got, ByteView want, size_t want_offset,
                const std::vector<size_t>& clock_offsets) {
  if (got.size() != want.size()) return false;
  for (size_t i = 0; i < got.size(); ++i) {
    size_t at = want_offset + i;
    bool clock = std::any_of(clock_offsets.begin(), clock_offsets.end(),
                             [at](size_t c) { return at >= c && at < c + 4; });
    if (!clock && got[i] != want[i]) return false;
  }
  return true;
}

const Ipv4Option* FindOption(const std::vector<Ipv4Option>& options, uint8_t type) {
  for (const Ipv4Option& o : options) {
    if (o.type == type) return &o;
  }
  return nullptr;
}

// Whether the reply carries option `type` as one of the echoes `candidates` builds.
bool EchoesOption(const std::vector<Ipv4Option>& reply, uint8_t type,
                  std::initializer_list<const OptionEcho*> candidates) {
  const Ipv4Option* got = FindOption(reply, type);
  if (got == nullptr) return false;
  for (const OptionEcho* e : candidates) {
    if (e == nullptr) continue;
    Result<std::vector<Ipv4Option>> echoed = ParseIpv4Options(e->options, 0);
    if (!echoed.ok()) continue;
    const Ipv4Option* want = FindOption(*echoed, type);
    if (want && SameOption(got->bytes, want->bytes, want->offset, e->clock_offsets)) return true;
  }
  return false;
}

// ip.options (RFC 1122 §3.2.2.6). rfc: a source route MUST come back reversed (fail), Record
// Route and Timestamp SHOULD be echoed with this host added, once or (as Linux does) twice
// (warn), options the request did not carry warn, NOP/EOL and dropped other options are fine.
// linux: exactly what the kernel builds (clock values aside). dunkels: the request's, copied.
// `rfc_echo` and `linux_echo` are the options each style of echo builds from the request's.
void GradeIpv4Options(ByteView request_options, ByteView reply_options,
                      const std::optional<OptionEcho>& rfc_echo,
                      const std::optional<OptionEcho>& linux_echo, Profile profile,
                      FieldGrader& g) {
  FieldGrade grade = FieldGrade::kPass;
  const char* note = nullptr;
  FieldValue expected = FieldValue::Rule("none");
  if (profile == Profile::kDunkels) {
    if (!request_options.empty()) expected = FieldValue::RequestBytes(20, request_options.size());
    if (!std::equal(reply_options.begin(), reply_options.end(), request_options.begin(),
                    request_options.end())) {
      grade = FieldGrade::kFail;
      note = "the request's options, copied";
    }
  } else if (profile == Profile::kLinux) {
    if (linux_echo && !linux_echo->options.empty()) {
      expected = g.Shown(Kind::kBytes, linux_echo->options);
    }
    ByteView want = linux_echo ? ByteView(linux_echo->options) : ByteView();
    bool same = linux_echo ? SameOption(reply_options, want, 0, linux_echo->clock_offsets)
                           : reply_options.empty();
    if (!same) {
      grade = FieldGrade::kFail;
      note =
          "Linux echoes Record Route and Timestamp with two entries of its own and drops "
          "other options";
    }
  } else {
    if (rfc_echo && !rfc_echo->options.empty()) expected = g.Shown(Kind::kBytes, rfc_echo->options);
    Result<std::vector<Ipv4Option>> got = ParseIpv4Options(reply_options, 20);
    Result<std::vector<Ipv4Option>> asked = ParseIpv4Options(request_options, 20);
    std::vector<Ipv4Option> none;
    const std::vector<Ipv4Option>& asked_list = asked.ok() ? *asked : none;
    if (!got.ok()) {
      grade = FieldGrade::kFail;
      note = "the reply's options do not parse";
    } else {
      if (rfc_echo && rfc_echo->has_source_route) {
        bool reversed = false;
        for (uint8_t type : {kIpOptLooseSourceRoute, kIpOptStrictSourceRoute}) {
          if (FindOption(asked_list, type) && EchoesOption(*got, type, {&*rfc_echo})) {
            reversed = true;
          }
        }
        if (!reversed) {
          grade = FieldGrade::kFail;
          note = "the source route MUST be reversed (RFC 1122 §3.2.2.6)";
        }
      }
      if (grade == FieldGrade::kPass) {
        for (uint8_t type : {kIpOptRecordRoute, kIpOptTimestamp}) {
          if (!FindOption(asked_list, type)) continue;
          if (!EchoesOption(
                  *got, type,
                  {rfc_echo ? &*rfc_echo : nullptr, linux_echo ? &*linux_echo : nullptr})) {
            grade = FieldGrade::kWarn;
            note =
                "Record Route / Timestamp SHOULD be echoed with this host added (RFC 1122 "
                "§3.2.2.6)";
          }
        }
      }
      if (grade == FieldGrade::kPass) {
        for (const Ipv4Option& o : *got) {
          if (o.type == kIpOptEnd || o.type == kIpOptNop) continue;
          if (!FindOption(asked_list, o.type)) {
            grade = FieldGrade::kWarn;
            note = "an option the request did not carry";
          }
        }
      }
    }
  }
  FieldVerdict& f = g.Add(FieldId::kIpOptions, 20, reply_options.size(), expected,
                          FieldValue::ReplyBytes(20, reply_options.size()), grade);
  f.note = note;
}

// ip.src, ip.dst and ip.options when the request or the reply carries options: the echoes of
// the request's options are built for them (the addresses depend on a source route).
void GradeIpv4AddressesAndOptions(const EchoPacket& req, ByteView request_options,
                                  ByteView reply_options, Profile profile, FieldGrader& g) {
  std::optional<OptionEcho> rfc_echo, linux_echo;
  if (!request_options.empty()) {
    uint32_t clock = MillisecondsSinceMidnight(req.time);
    Result<OptionEcho> e =
        EchoIpv4Options(request_options, req.src(), req.dst(), clock, OptionEchoStyle::kRfc);
    if (e.ok()) rfc_echo = std::move(*e);
    Result<OptionEcho> l =
        EchoIpv4Options(request_options, req.src(), req.dst(), clock, OptionEchoStyle::kLinux);
    if (l.ok()) linux_echo = std::move(*l);
  }
  // Under rfc a reversed source route sends the reply to its first return hop (RFC 791 §3.1).
  ByteView expected_dst = req.src();
  if (profile == Profile::kRfc && rfc_echo && rfc_echo->next_hop)
    expected_dst = *rfc_echo->next_hop;
  g.AddressEqual(FieldId::kIpSrc, 12, req.dst());
  g.AddressEqual(FieldId::kIpDst, 16, expected_dst);
  GradeIpv4Options(request_options, reply_options, rfc_echo, linux_echo, profile, g);
}

void GradeIpv4(const EchoPacket& req, ByteView reply, Profile profile, ReplyGrade* out) {
  FieldGrader g(req.datagram, reply, out);
  ByteView rq(req.datagram);
  const size_t m = req.message().size();
  // The request's fields a reply copies (RFC 791 §3.1 offsets), zero when its header is cut
  // short of 20 bytes.
  const bool request_whole = rq.size() >= 20;
  const uint8_t request_tos = request_whole ? U8OrZero(rq, 1) : 0;
  const uint16_t request_id = request_whole ? Be16OrZero(rq, 4) : 0;
  const uint32_t request_df = request_whole ? (U8OrZero(rq, 6) >> 6 & 1) : 0;
  const uint16_t request_checksum = request_whole ? Be16OrZero(rq, 10) : 0;

  uint8_t version_ihl = g.U8(0);
  size_t ihl_bytes = size_t{version_ihl & 0x0fu} * 4;
  uint16_t total_length = g.U16(2);
  bool ihl_consistent = false;
  const size_t h = ChooseIpv4HeaderLength(reply, m, &ihl_consistent);
  out->reply_header_length = h;

  g.Equal(FieldId::kIpVersion, 0, 1, Kind::kDecimal, 4, version_ihl >> 4);
  g.Add(FieldId::kIpHdrLen, 0, 1, FieldValue::Number(Kind::kDecimal, static_cast<uint32_t>(h)),
        FieldValue::Number(Kind::kDecimal, static_cast<uint32_t>(ihl_bytes)),
        ihl_consistent ? FieldGrade::kPass : FieldGrade::kFail);
  g.Equal(FieldId::kIpDsfield, 1, 1, Kind::kHex8, request_tos, g.U8(1),
          profile == Profile::kRfc ? FieldGrade::kWarn : FieldGrade::kFail);
  g.Equal(FieldId::kIpLen, 2, 2, Kind::kDecimal, static_cast<uint32_t>(h + m), total_length);
  if (profile == Profile::kDunkels) {
    g.Equal(FieldId::kIpId, 4, 2, Kind::kHex16, request_id, g.U16(4));
  } else {
    g.Any(FieldId::kIpId, 4, 2, Kind::kHex16, g.U16(4));  // RFC 6864 §4.1
  }
  uint16_t flags = g.U16(6);
  g.Equal(FieldId::kIpFlagsRb, 6, 1, Kind::kBool, 0, flags >> 15 & 1);
  uint32_t df = flags >> 14 & 1;
  if (profile == Profile::kRfc) {
    g.Any(FieldId::kIpFlagsDf, 6, 1, Kind::kBool, df);
  } else {
    // Linux replies with DF clear (its ICMP socket uses IP_PMTUDISC_DONT).
    g.Equal(FieldId::kIpFlagsDf, 6, 1, Kind::kBool, profile == Profile::kLinux ? 0 : request_df,
            df);
  }
  g.Equal(FieldId::kIpFlagsMf, 6, 1, Kind::kBool, 0, flags >> 13 & 1);
  g.Equal(FieldId::kIpFragOffset, 6, 2, Kind::kDecimal, 0, flags & 0x1fff);
  uint8_t ttl = g.U8(8);
  if (profile == Profile::kRfc) {
    // RFC 1122 §3.2.1.7: a host MUST NOT send a datagram with TTL 0.
    FieldVerdict& f = g.Add(FieldId::kIpTtl, 8, 1, FieldValue::Rule("1..255"),
                            FieldValue::Number(Kind::kDecimal, ttl),
                            ttl == 0 ? FieldGrade::kFail : FieldGrade::kPass);
    if (ttl == 0) f.note = "a host MUST NOT send TTL 0 (RFC 1122 §3.2.1.7)";
  } else {
    g.Equal(FieldId::kIpTtl, 8, 1, Kind::kDecimal, 64, ttl);
  }
  g.Equal(FieldId::kIpProto, 9, 1, Kind::kDecimal, kIpProtoIcmp, g.U8(9));

  if (g.Have(0, h)) {
    ByteView header = reply.first(h);
    ChecksumCheck c = CheckIpv4HeaderChecksum(header, reply.subspan(h), request_checksum);
    FieldVerdict& f =
        g.Add(FieldId::kIpChecksum, 10, 2, FieldValue::Number(Kind::kHex16, c.expected),
              FieldValue::Number(Kind::kHex16, c.actual),
              !c.verifies                           ? FieldGrade::kFail
              : c.mistake == ChecksumMistake::kNone ? FieldGrade::kPass
                                                    : FieldGrade::kWarn);
    f.mistake = c.mistake;
  } else {
    FieldVerdict& f = g.Add(FieldId::kIpChecksum, 10, 2, FieldValue::None(),
                            FieldValue::Number(Kind::kHex16, g.U16(10)), FieldGrade::kFail);
    if (f.actual.kind != Kind::kMissing) f.note = "the reply ends inside its IP header";
  }

  ByteView request_options =
      rq.size() >= 20 ? rq.subspan(20, std::min(req.header_length, rq.size()) - 20) : ByteView();
  ByteView reply_options = g.Have(0, h) ? reply.subspan(20, h - 20) : ByteView();
  if (request_options.empty() && reply_options.empty()) {
    g.AddressEqual(FieldId::kIpSrc, 12, req.dst());
    g.AddressEqual(FieldId::kIpDst, 16, req.src());
  } else {
    GradeIpv4AddressesAndOptions(req, request_options, reply_options, profile, g);
  }

  GradeEcho(req, reply, h, profile, g);
}

void GradeIpv6(const EchoPacket& req, const RequestAssessment& assessment, ByteView reply,
               Profile profile, ReplyGrade* out) {
  FieldGrader g(req.datagram, reply, out);
  ByteView rq(req.datagram);
  Result<Ipv6Header> rh = ReadIpv6Header(rq);
  const Ipv6Header request_header = rh.ok() ? *rh : Ipv6Header();
  const size_t m = req.message().size();

  // Where the ICMPv6 message starts: after extension headers when they lead to ICMPv6;
  // otherwise right after the fixed header (a wrong Next Header then fails alone).
  size_t h = 40;
  uint8_t upper = g.U8(6);
  if (reply.size() >= 40 && upper != kIpProtoIcmpv6) {
    Result<Datagram> d = ParseDatagram(reply, NetworkProtocol::kIpv6);
    if (d.ok() && !d->is_fragment && d->protocol == kIpProtoIcmpv6 && !d->truncated) {
      h = d->header_length;
      upper = d->protocol;
    }
  }
  out->reply_header_length = h;
  uint32_t first_word = 0;
  PeekBe32(reply, 0, &first_word);

  g.Equal(FieldId::kIpv6Version, 0, 1, Kind::kDecimal, 6, first_word >> 28);
  g.Equal(FieldId::kIpv6Tclass, 0, 2, Kind::kHex8, request_header.traffic_class,
          first_word >> 20 & 0xff,
          profile == Profile::kRfc ? FieldGrade::kWarn : FieldGrade::kFail);
  if (profile == Profile::kDunkels) {
    g.Equal(FieldId::kIpv6Flow, 1, 3, Kind::kHex20, request_header.flow_label,
            first_word & 0xfffff);
  } else {
    g.Any(FieldId::kIpv6Flow, 1, 3, Kind::kHex20, first_word & 0xfffff);
  }
  g.Equal(FieldId::kIpv6Plen, 4, 2, Kind::kDecimal, static_cast<uint32_t>(h - 40 + m), g.U16(4));
  FieldVerdict& nxt = g.Equal(FieldId::kIpv6Nxt, 6, 1, Kind::kDecimal, kIpProtoIcmpv6, g.U8(6));
  if (h > 40 && upper == kIpProtoIcmpv6 && nxt.grade == FieldGrade::kFail) {
    nxt.grade = FieldGrade::kPass;
    nxt.note = "extension headers lead to ICMPv6";
  }
  uint8_t hlim = g.U8(7);
  if (profile == Profile::kRfc) {
    FieldVerdict& f = g.Add(FieldId::kIpv6Hlim, 7, 1, FieldValue::Rule("1..255"),
                            FieldValue::Number(Kind::kDecimal, hlim),
                            hlim == 0 ? FieldGrade::kFail : FieldGrade::kPass);
    if (hlim == 0) f.note = "hop limit 0 is never delivered";
  } else {
    g.Equal(FieldId::kIpv6Hlim, 7, 1, Kind::kDecimal, 64, hlim);
  }
  if (assessment.expectation == ReplyExpectation::kOptional && IsMulticastAddress(req.dst())) {
    // RFC 4443 §4.2: from a unicast address of the interface; which one cannot be told here.
    ByteView src = g.Have(8, 16) ? reply.subspan(8, 16) : ByteView();
    bool unicast = src.size() == 16 && !IsMulticastAddress(src) && !IsUnspecifiedAddress(src);
    FieldVerdict& f =
        g.Add(FieldId::kIpv6Src, 8, 16, FieldValue::Rule("a unicast address"),
              src.empty() ? FieldValue()
                          : FieldValue::Span(Kind::kAddress, FieldValue::Source::kReply, 8, 16),
              unicast ? FieldGrade::kPass : FieldGrade::kFail);
    f.note = "request went to a multicast address: the reply comes from a unicast one";
  } else {
    g.AddressEqual(FieldId::kIpv6Src, 8, req.dst());
  }
  g.AddressEqual(FieldId::kIpv6Dst, 24, req.src());
  GradeEcho(req, reply, h, profile, g);
}

}  // namespace

void GradeReply(const EchoPacket& request, const RequestAssessment& assessment,
                const ByteView* reply, Profile profile, ReplyGrade* out) {
  out->fields.clear();
  out->literals.clear();
  out->reply_header_length = 0;
  if (assessment.truncated) {
    out->verdict = Verdict::kTruncated;
    return;
  }
  if (reply == nullptr) {
    out->verdict = assessment.expectation == ReplyExpectation::kRequired ? Verdict::kNoReply
                                                                         : Verdict::kSilentOk;
    return;
  }
  if (assessment.expectation == ReplyExpectation::kForbidden) {
    out->verdict = Verdict::kUnexpectedReply;
    return;
  }
  if (request.family == IpFamily::kIpv4) {
    GradeIpv4(request, *reply, profile, out);
  } else {
    GradeIpv6(request, assessment, *reply, profile, out);
  }
  out->verdict = out->FailCount() > 0 ? Verdict::kWrong : Verdict::kCorrect;
}

}  // namespace llmstack
