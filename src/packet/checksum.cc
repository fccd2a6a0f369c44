#include "packet/checksum.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace llmstack {

namespace {

// Sums 16-bit big-endian words quickly: 32-bit native-order loads into a 64-bit accumulator.
// RFC 1071 §2(B): the sum is byte-order independent, so a byte swap at the end suffices.
uint64_t FastWordSum(ByteView data) {
  uint64_t acc = 0;
  size_t i = 0;
  const uint8_t* p = data.data();
  const size_t n = data.size();
  for (; i + 16 <= n; i += 16) {
    uint32_t w[4];
    std::memcpy(w, p + i, 16);
    acc += static_cast<uint64_t>(w[0]) + w[1] + w[2] + w[3];
  }
  for (; i + 4 <= n; i += 4) {
    uint32_t w;
    std::memcpy(&w, p + i, 4);
    acc += w;
  }
  // Fold the native-order accumulator to 16 bits, then fix the byte order.
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  uint16_t native = static_cast<uint16_t>(acc);
  uint16_t be;
  const uint8_t probe[2] = {1, 0};
  uint16_t probe_value;
  std::memcpy(&probe_value, probe, 2);
  if (probe_value == 1) {  // little-endian host
    be = static_cast<uint16_t>(native << 8 | native >> 8);
  } else {
    be = native;
  }
  uint32_t sum = be;
  for (; i + 2 <= n; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (i < n) sum += static_cast<uint32_t>(p[i] << 8);
  return sum;
}

uint16_t Fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

}  // namespace

uint16_t OnesComplementSum(ByteView data) { return Fold(FastWordSum(data)); }

uint16_t OnesComplementSum(std::span<const ChecksumPart> parts, ChecksumTrace* trace) {
  if (trace == nullptr) {
    // Fast path when every part but the last has even length (always true for the
    // pseudo-header): the parts then sum independently.
    bool even_joints = true;
    for (size_t i = 0; i + 1 < parts.size(); ++i) even_joints &= parts[i].bytes.size() % 2 == 0;
    if (even_joints) {
      uint64_t sum = 0;
      for (const ChecksumPart& part : parts) sum += FastWordSum(part.bytes);
      return Fold(sum);
    }
  }
  ChecksumTrace local;
  ChecksumTrace& t = trace ? *trace : local;
  t = ChecksumTrace();
  uint32_t sum = 0;
  // A byte left over from an odd-length part pairs with the first byte of the next part.
  bool have_high = false;
  uint8_t high = 0;
  size_t high_part = 0, high_offset = 0;
  for (size_t pi = 0; pi < parts.size(); ++pi) {
    t.part_labels.push_back(parts[pi].label);
    t.part_spans.push_back(parts[pi].span);
    ByteView b = parts[pi].bytes;
    for (size_t i = 0; i < b.size(); ++i) {
      if (!have_high) {
        have_high = true;
        high = b[i];
        high_part = pi;
        high_offset = i;
        continue;
      }
      uint16_t word = static_cast<uint16_t>(high << 8 | b[i]);
      sum += word;
      t.words.push_back({high_part, high_offset, word, false, sum});
      have_high = false;
    }
  }
  if (have_high) {
    uint16_t word = static_cast<uint16_t>(high << 8);
    sum += word;
    t.words.push_back({high_part, high_offset, word, true, sum});
  }
  t.sum = sum;
  uint32_t folded = sum;
  while (folded >> 16) {
    uint32_t after = (folded & 0xffff) + (folded >> 16);
    t.folds.push_back({folded, after});
    folded = after;
  }
  t.folded = static_cast<uint16_t>(folded);
  t.checksum = static_cast<uint16_t>(~t.folded);
  return t.folded;
}

uint16_t InternetChecksum(std::span<const ChecksumPart> parts, ChecksumTrace* trace) {
  return static_cast<uint16_t>(~OnesComplementSum(parts, trace));
}

uint16_t InternetChecksum(ByteView data) { return static_cast<uint16_t>(~OnesComplementSum(data)); }

bool ChecksumVerifies(std::span<const ChecksumPart> parts) {
  return OnesComplementSum(parts) == 0xffff;
}

bool ChecksumVerifies(ByteView data) { return OnesComplementSum(data) == 0xffff; }

uint32_t PlainWordSum(std::span<const ChecksumPart> parts) {
  ChecksumTrace trace;
  OnesComplementSum(parts, &trace);
  return trace.sum;
}

uint16_t OnesComplementAdd(uint16_t a, uint16_t b) { return Fold(static_cast<uint32_t>(a) + b); }

Bytes Ipv6PseudoHeader(ByteView src, ByteView dst, uint32_t upper_length, uint8_t next_header) {
  Bytes out;
  out.reserve(40);
  ByteWriter w(&out);
  w.Append(src);
  w.Append(dst);
  w.Be32(upper_length);
  w.Zeros(3);
  w.U8(next_header);
  return out;
}

const char* ChecksumWordRole(ChecksumSpan span, size_t offset, char (&buf)[48]) {
  switch (span) {
    case ChecksumSpan::kIpv4Header:
      switch (offset) {
        case 0:
          return "version/IHL + TOS";
        case 2:
          return "total length";
        case 4:
          return "identification";
        case 6:
          return "flags + fragment offset";
        case 8:
          return "TTL + protocol";
        case 10:
          return "checksum (taken as 0)";
        case 12:
          return "source address (high)";
        case 14:
          return "source address (low)";
        case 16:
          return "destination address (high)";
        case 18:
          return "destination address (low)";
        default:
          std::snprintf(buf, sizeof buf, "options[%zu..%zu]", offset - 20, offset - 19);
          return buf;
      }
    case ChecksumSpan::kIcmpMessage:
      switch (offset) {
        case 0:
          return "type + code";
        case 2:
          return "checksum (taken as 0)";
        case 4:
          return "identifier";
        case 6:
          return "sequence number";
        default:
          std::snprintf(buf, sizeof buf, "data[%zu..%zu]", offset - 8, offset - 7);
          return buf;
      }
    case ChecksumSpan::kIpv6PseudoHeader:
      if (offset < 32) {
        std::snprintf(buf, sizeof buf, "%s address (word %zu of 8)",
                      offset < 16 ? "source" : "destination", offset % 16 / 2 + 1);
        return buf;
      }
      switch (offset) {
        case 32:
          return "upper-layer length (high)";
        case 34:
          return "upper-layer length (low)";
        case 36:
          return "zero";
        default:
          return "zero + next header";
      }
    case ChecksumSpan::kBytes:
      break;
  }
  std::snprintf(buf, sizeof buf, "bytes %zu..%zu", offset, offset + 1);
  return buf;
}

std::vector<std::string> FormatChecksumTrace(const ChecksumTrace& t) {
  std::vector<std::string> lines;
  char buf[200];
  char role[48];
  size_t part = SIZE_MAX;
  for (const ChecksumWord& w : t.words) {
    if (w.part != part) {
      part = w.part;
      const std::string& label = part < t.part_labels.size() ? t.part_labels[part] : "";
      if (!label.empty() && t.part_labels.size() > 1) lines.push_back("  " + label + ":");
    }
    ChecksumSpan span = w.part < t.part_spans.size() ? t.part_spans[w.part] : ChecksumSpan::kBytes;
    std::snprintf(buf, sizeof buf, "  + %04x  %-34s running sum 0x%05x%s", w.word,
                  ChecksumWordRole(span, w.offset, role), w.sum,
                  w.padded ? "  (odd last byte padded with 00)" : "");
    lines.emplace_back(buf);
  }
  std::snprintf(buf, sizeof buf, "  sum of %zu words = 0x%05x", t.words.size(), t.sum);
  lines.emplace_back(buf);
  for (const ChecksumFold& f : t.folds) {
    std::snprintf(buf, sizeof buf, "  fold the carry: 0x%04x + 0x%x = 0x%05x", f.before & 0xffff,
                  f.before >> 16, f.after);
    lines.emplace_back(buf);
  }
  std::snprintf(buf, sizeof buf, "  one's complement sum 0x%04x, complemented: ~0x%04x = 0x%04x",
                t.folded, t.folded, t.checksum);
  lines.emplace_back(buf);
  return lines;
}

}  // namespace llmstack
