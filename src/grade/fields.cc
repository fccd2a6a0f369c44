#include "grade/fields.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "packet/ip.h"

namespace llmstack {

namespace {

constexpr FieldInfo kFields[kFieldCount] = {
    {"ip.version", "IP version"},
    {"ip.hdr_len", "IP header length"},
    {"ip.dsfield", "Differentiated services (TOS)"},
    {"ip.len", "IP total length"},
    {"ip.id", "IP identification"},
    {"ip.flags.rb", "Reserved flag"},
    {"ip.flags.df", "Don't fragment"},
    {"ip.flags.mf", "More fragments"},
    {"ip.frag_offset", "Fragment offset"},
    {"ip.ttl", "Time to live"},
    {"ip.proto", "Protocol"},
    {"ip.checksum", "IP header checksum"},
    {"ip.src", "Source address"},
    {"ip.dst", "Destination address"},
    {"ip.options", "IP options"},
    {"ipv6.version", "IPv6 version"},
    {"ipv6.tclass", "Traffic class"},
    {"ipv6.flow", "Flow label"},
    {"ipv6.plen", "Payload length"},
    {"ipv6.nxt", "Next header"},
    {"ipv6.hlim", "Hop limit"},
    {"ipv6.src", "Source address"},
    {"ipv6.dst", "Destination address"},
    {"icmp.type", "ICMP type"},
    {"icmp.code", "ICMP code"},
    {"icmp.checksum", "ICMP checksum"},
    {"icmp.ident", "Identifier"},
    {"icmp.seq", "Sequence number"},
    {"icmpv6.type", "ICMPv6 type"},
    {"icmpv6.code", "ICMPv6 code"},
    {"icmpv6.checksum", "ICMPv6 checksum"},
    {"icmpv6.echo.identifier", "Identifier"},
    {"icmpv6.echo.sequence_number", "Sequence number"},
    {"data", "Echo data"},
    {"trailing", "Bytes after the reply"},
};

}  // namespace

const FieldInfo& GetFieldInfo(FieldId id) { return kFields[static_cast<size_t>(id)]; }

bool FindField(const std::string& name, FieldId* id) {
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (name == kFields[i].name) {
      *id = static_cast<FieldId>(i);
      return true;
    }
  }
  return false;
}

const char* GradeName(FieldGrade grade) {
  switch (grade) {
    case FieldGrade::kPass:
      return "pass";
    case FieldGrade::kWarn:
      return "warn";
    case FieldGrade::kFail:
      return "fail";
    case FieldGrade::kInfo:
      return "info";
  }
  return "info";
}

std::string FormatFieldValue(const FieldValue& v, ByteView request, ByteView reply,
                             ByteView literals) {
  char buf[32];
  switch (v.kind) {
    case FieldValue::Kind::kNone:
      return "";
    case FieldValue::Kind::kDecimal:
    case FieldValue::Kind::kBool:
      return std::to_string(v.number);
    case FieldValue::Kind::kHex8:
      return Hex8(static_cast<uint8_t>(v.number));
    case FieldValue::Kind::kHex16:
      return Hex16(static_cast<uint16_t>(v.number));
    case FieldValue::Kind::kHex20:
      std::snprintf(buf, sizeof buf, "0x%05x", v.number);
      return buf;
    case FieldValue::Kind::kAddress:
    case FieldValue::Kind::kBytes: {
      ByteView source = v.source == FieldValue::Source::kRequest ? request
                        : v.source == FieldValue::Source::kReply ? reply
                                                                 : literals;
      if (v.offset >= source.size()) return "";
      ByteView bytes =
          source.subspan(v.offset, std::min<size_t>(v.length, source.size() - v.offset));
      return v.kind == FieldValue::Kind::kAddress ? FormatAddress(bytes) : HexEncode(bytes);
    }
    case FieldValue::Kind::kRule:
      return v.text ? v.text : "";
    case FieldValue::Kind::kMissing:
      return "(missing)";
  }
  return "";
}

}  // namespace llmstack
