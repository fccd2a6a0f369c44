#include "grade/checksum_diagnosis.h"

#include <vector>

#include "packet/checksum.h"
#include "packet/icmp.h"

namespace llmstack {

namespace {

uint16_t Complement(uint16_t v) { return static_cast<uint16_t>(~v); }
uint16_t Swap(uint16_t v) { return static_cast<uint16_t>(v << 8 | v >> 8); }

// The parts of a span with its 2-byte checksum field (at `field`) left out: summing them is
// summing the span with the field taken as zero. REQUIRES: field is even.
std::vector<ChecksumPart> WithoutField(ByteView span, size_t field) {
  return {{"", span.first(field)}, {"", span.subspan(field + 2)}};
}

// Names the mistakes common to both checksums; kOther when none matches.
ChecksumMistake CommonMistakes(uint16_t actual, uint16_t sum, uint32_t plain_sum,
                               uint16_t old_value) {
  if (actual == sum) return ChecksumMistake::kNotComplemented;
  if (plain_sum > 0xffff && actual == Complement(static_cast<uint16_t>(plain_sum))) {
    return ChecksumMistake::kCarryDropped;
  }
  if (actual == Swap(Complement(sum))) return ChecksumMistake::kByteSwapped;
  if (actual == Complement(OnesComplementAdd(sum, old_value))) {
    return ChecksumMistake::kFieldNotZeroed;
  }
  return ChecksumMistake::kOther;
}

}  // namespace

const char* ChecksumMistakeNote(ChecksumMistake mistake) {
  switch (mistake) {
    case ChecksumMistake::kNone:
      return nullptr;
    case ChecksumMistake::kAlternativeZero:
      return "the other one's complement zero: verifies, but RFC 1624 receivers may reject it";
    case ChecksumMistake::kAllZeroNeedsFfff:
      return "all-zero message: only 0xffff verifies, 0x0000 is dropped by receivers";
    case ChecksumMistake::kNotUpdatedAfterTypeChange:
      return "not updated after type change";
    case ChecksumMistake::kUnchangedFromRequest:
      return "unchanged from the request";
    case ChecksumMistake::kNotComplemented:
      return "not complemented";
    case ChecksumMistake::kCarryDropped:
      return "end-around carry dropped";
    case ChecksumMistake::kByteSwapped:
      return "byte-swapped";
    case ChecksumMistake::kFieldNotZeroed:
      return "checksum field not zeroed before summing";
    case ChecksumMistake::kHeaderOnly:
      return "wrong span: ICMP header only";
    case ChecksumMistake::kIpHeaderIncluded:
      return "wrong span: IP header included";
    case ChecksumMistake::kPseudoHeaderOmitted:
      return "wrong span: pseudo-header left out";
    case ChecksumMistake::kOptionsOmitted:
      return "wrong span: options left out";
    case ChecksumMistake::kWholeDatagram:
      return "wrong span: whole datagram";
    case ChecksumMistake::kMissing:
      return "missing";
    case ChecksumMistake::kOther:
      return "wrong value";
  }
  return "wrong value";
}

ChecksumCheck CheckIcmpChecksum(IpFamily family, ByteView reply_header, ByteView message,
                                uint16_t request_checksum) {
  ChecksumCheck c;
  PeekBe16(message, 2, &c.actual);
  ByteView src, dst;
  if (family == IpFamily::kIpv6 && reply_header.size() >= 40) {
    src = reply_header.subspan(8, 16);
    dst = reply_header.subspan(24, 16);
  }
  // The sum with the field zeroed; with the field added back it verifies or not.
  uint16_t sum = IcmpMessageSum(family, src, dst, message, true);
  c.expected = Complement(sum);
  c.verifies = message.size() >= 4 && OnesComplementAdd(sum, c.actual) == 0xffff;
  if (c.verifies) {
    c.mistake = c.actual == c.expected ? ChecksumMistake::kNone : ChecksumMistake::kAlternativeZero;
    return c;
  }
  // Wrong: find out how. The parts as the mistakes below sum them.
  Bytes pseudo;
  if (family == IpFamily::kIpv6) {
    pseudo = Ipv6PseudoHeader(src, dst, static_cast<uint32_t>(message.size()), kIpProtoIcmpv6);
  }
  std::vector<ChecksumPart> zeroed = WithoutField(message, 2);
  if (family == IpFamily::kIpv6) zeroed.insert(zeroed.begin(), {"", pseudo});
  // 0x0000 is ambiguous (a sum over bytes that still hold a valid checksum gives it too), so
  // the all-zero case is named before anything else.
  if (c.expected == 0xffff && c.actual == 0x0000) {
    c.mistake = ChecksumMistake::kAllZeroNeedsFfff;
    return c;
  }
  if (c.actual == request_checksum) {
    c.mistake = ChecksumMistake::kNotUpdatedAfterTypeChange;
    return c;
  }
  c.mistake = CommonMistakes(c.actual, sum, PlainWordSum(zeroed), request_checksum);
  if (c.mistake != ChecksumMistake::kOther) return c;
  // Wrong spans.
  ByteView header8 = message.first(std::min<size_t>(8, message.size()));
  std::vector<ChecksumPart> header_only = WithoutField(header8, 2);
  if (family == IpFamily::kIpv6) header_only.insert(header_only.begin(), {"", pseudo});
  if (c.actual == Complement(OnesComplementSum(header_only))) {
    c.mistake = ChecksumMistake::kHeaderOnly;
    return c;
  }
  if (family == IpFamily::kIpv6) {
    if (c.actual == Complement(OnesComplementSum(WithoutField(message, 2)))) {
      c.mistake = ChecksumMistake::kPseudoHeaderOmitted;
    }
    return c;
  }
  if (!reply_header.empty()) {
    uint16_t header_sum = OnesComplementSum(reply_header);
    uint16_t header_sum_zeroed =
        reply_header.size() >= 20 ? OnesComplementSum(WithoutField(reply_header, 10)) : header_sum;
    if (c.actual == Complement(OnesComplementAdd(sum, header_sum)) ||
        c.actual == Complement(OnesComplementAdd(sum, header_sum_zeroed))) {
      c.mistake = ChecksumMistake::kIpHeaderIncluded;
    }
  }
  return c;
}

ChecksumCheck CheckIpv4HeaderChecksum(ByteView header, ByteView rest, uint16_t request_checksum) {
  ChecksumCheck c;
  PeekBe16(header, 10, &c.actual);
  c.verifies = ChecksumVerifies(header);
  // The sum with the field zeroed, around the field (both parts start on a word boundary).
  uint16_t sum = OnesComplementSum(header.first(std::min<size_t>(10, header.size())));
  if (header.size() > 12) sum = OnesComplementAdd(sum, OnesComplementSum(header.subspan(12)));
  c.expected = Complement(sum);
  if (c.verifies) {
    c.mistake = c.actual == c.expected ? ChecksumMistake::kNone : ChecksumMistake::kAlternativeZero;
    return c;
  }
  std::vector<ChecksumPart> zeroed = WithoutField(header, 10);
  if (c.actual == request_checksum) {
    c.mistake = ChecksumMistake::kUnchangedFromRequest;
    return c;
  }
  c.mistake = CommonMistakes(c.actual, sum, PlainWordSum(zeroed), request_checksum);
  if (c.mistake != ChecksumMistake::kOther) return c;
  if (header.size() > 20 &&
      c.actual == Complement(OnesComplementSum(WithoutField(header.first(20), 10)))) {
    c.mistake = ChecksumMistake::kOptionsOmitted;
    return c;
  }
  // The whole datagram summed: with its ICMP checksum in place that adds -0 and changes
  // nothing, so the mistake shows when the ICMP checksum field was still zero.
  std::vector<ChecksumPart> whole = zeroed;
  if (rest.size() >= 4) {
    whole.push_back({"", rest.first(2)});
    whole.push_back({"", rest.subspan(4)});
  } else {
    whole.push_back({"", rest});
  }
  if (c.actual == Complement(OnesComplementSum(whole))) c.mistake = ChecksumMistake::kWholeDatagram;
  return c;
}

}  // namespace llmstack
