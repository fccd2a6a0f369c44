// The one table of reply fields, named as Wireshark names them, shared by the verifier, the
// reports and `explain`; and the value types that describe a field's expected and actual
// contents without formatting them (grading many packets formats nothing it does not print).
#ifndef LLMSTACK_GRADE_FIELDS_H_
#define LLMSTACK_GRADE_FIELDS_H_

#include <array>
#include <cstdint>
#include <string>

#include "base/bytes.h"

namespace llmstack {

enum class FieldId : uint8_t {
  kIpVersion,
  kIpHdrLen,
  kIpDsfield,
  kIpLen,
  kIpId,
  kIpFlagsRb,
  kIpFlagsDf,
  kIpFlagsMf,
  kIpFragOffset,
  kIpTtl,
  kIpProto,
  kIpChecksum,
  kIpSrc,
  kIpDst,
  kIpOptions,
  kIpv6Version,
  kIpv6Tclass,
  kIpv6Flow,
  kIpv6Plen,
  kIpv6Nxt,
  kIpv6Hlim,
  kIpv6Src,
  kIpv6Dst,
  kIcmpType,
  kIcmpCode,
  kIcmpChecksum,
  kIcmpIdent,
  kIcmpSeq,
  kIcmpv6Type,
  kIcmpv6Code,
  kIcmpv6Checksum,
  kIcmpv6Ident,
  kIcmpv6Seq,
  kData,
  kTrailing,
  kCount,
};
inline constexpr size_t kFieldCount = static_cast<size_t>(FieldId::kCount);

struct FieldInfo {
  const char* name;   // Wireshark field name ("ip.checksum"); "data", "trailing" are ours
  const char* title;  // for people ("IP header checksum")
};

const FieldInfo& GetFieldInfo(FieldId id);
// Finds a field by its name; false when there is none.
bool FindField(const std::string& name, FieldId* id);

enum class FieldGrade : uint8_t { kPass, kWarn, kFail, kInfo };
const char* GradeName(FieldGrade grade);  // "pass", "warn", "fail", "info"

// A field's expected or actual contents, kept as numbers or as a span of the request, the
// reply or the bytes the grading built, so that nothing is copied or formatted unless it is
// shown.
struct FieldValue {
  enum class Kind : uint8_t {
    kNone,     // nothing to show
    kDecimal,  // number in decimal
    kHex8,     // 0x08
    kHex16,    // 0x5cf5
    kHex20,    // 0x12345 (IPv6 flow label)
    kBool,     // 0 / 1
    kAddress,  // an IPv4 or IPv6 address: [offset, offset+length) of `source`
    kBytes,    // [offset, offset+length) of `source`, shown as hex
    kRule,     // a rule in words (text), e.g. "any", "1..255"
    kMissing,  // the reply ends before this field
  };
  // Where kAddress and kBytes values are: the request datagram, the reply datagram, or the
  // bytes the grading built (ReplyGrade::literals, e.g. the IP options a reply should carry).
  enum class Source : uint8_t { kRequest, kReply, kLiterals };
  Kind kind = Kind::kNone;
  Source source = Source::kRequest;
  uint32_t number = 0;
  uint32_t offset = 0;
  uint32_t length = 0;
  const char* text = nullptr;

  static FieldValue None() { return {}; }
  static FieldValue Number(Kind kind, uint32_t n) {
    FieldValue v;
    v.kind = kind;
    v.number = n;
    return v;
  }
  // kAddress or kBytes: `length` bytes at `offset` of `source`.
  static FieldValue Span(Kind kind, Source source, size_t offset, size_t length) {
    FieldValue v;
    v.kind = kind;
    v.source = source;
    v.offset = static_cast<uint32_t>(offset);
    v.length = static_cast<uint32_t>(length);
    return v;
  }
  static FieldValue RequestBytes(size_t offset, size_t length) {
    return Span(Kind::kBytes, Source::kRequest, offset, length);
  }
  static FieldValue ReplyBytes(size_t offset, size_t length) {
    return Span(Kind::kBytes, Source::kReply, offset, length);
  }
  static FieldValue Rule(const char* text) {
    FieldValue v;
    v.kind = Kind::kRule;
    v.text = text;
    return v;
  }
  static FieldValue Missing() {
    FieldValue v;
    v.kind = Kind::kMissing;
    return v;
  }
};

// "0x5cf5", "192.0.2.1", "64", hex of data; "(missing)" for a field past the end. `literals`
// holds the bytes kLiteral values refer to (ReplyGrade::literals).
std::string FormatFieldValue(const FieldValue& value, ByteView request, ByteView reply,
                             ByteView literals);

}  // namespace llmstack

#endif  // LLMSTACK_GRADE_FIELDS_H_
