// The Internet checksum of RFC 1071: the 16-bit one's complement of the one's complement sum of
// the data taken as 16-bit big-endian words, an odd last byte padded with a zero byte for the
// sum only. This is the one routine the project uses for IPv4 headers, ICMP and ICMPv6 (with the
// RFC 8200 §8.1 pseudo-header as a leading part); it can record every step for `explain`.
#ifndef LLMSTACK_PACKET_CHECKSUM_H_
#define LLMSTACK_PACKET_CHECKSUM_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.h"

namespace llmstack {

// What a part of the summed data is, so a trace can name the field each word holds.
enum class ChecksumSpan : uint8_t {
  kBytes,             // anything else
  kIpv4Header,        // an IPv4 header (RFC 791 §3.1), options included
  kIcmpMessage,       // an ICMP or ICMPv6 echo message (RFC 792, RFC 4443 §4.1)
  kIpv6PseudoHeader,  // the RFC 8200 §8.1 pseudo-header
};

// A labelled piece of the data summed, e.g. {"pseudo-header", ...}, {"ICMPv6 message", ...}.
struct ChecksumPart {
  std::string label;
  ByteView bytes;
  ChecksumSpan span = ChecksumSpan::kBytes;
};

struct ChecksumWord {
  size_t part = 0;      // index into the parts
  size_t offset = 0;    // offset of the word within its part
  uint16_t word = 0;    // the 16-bit value added
  bool padded = false;  // an odd last byte, padded with zero
  uint32_t sum = 0;     // running 32-bit sum after adding this word (carries not yet folded)
};

struct ChecksumFold {
  uint32_t before = 0;  // e.g. 0x2ddf0
  uint32_t after = 0;   // (before & 0xffff) + (before >> 16), e.g. 0xddf2
};

// Every step of one computation, for teaching.
struct ChecksumTrace {
  std::vector<std::string> part_labels;
  std::vector<ChecksumSpan> part_spans;
  std::vector<ChecksumWord> words;
  uint32_t sum = 0;                 // the 32-bit sum of all words
  std::vector<ChecksumFold> folds;  // end-around carries folded back in
  uint16_t folded = 0;              // one's complement sum
  uint16_t checksum = 0;            // ~folded
};

// One's complement sum of the parts taken as one byte stream (folded, not complemented).
uint16_t OnesComplementSum(std::span<const ChecksumPart> parts, ChecksumTrace* trace = nullptr);
uint16_t OnesComplementSum(ByteView data);

// The checksum to store: ~OnesComplementSum.
uint16_t InternetChecksum(std::span<const ChecksumPart> parts, ChecksumTrace* trace = nullptr);
uint16_t InternetChecksum(ByteView data);

// RFC 1071 §1 verification: the sum over the data including its checksum field is 0xFFFF (-0).
bool ChecksumVerifies(std::span<const ChecksumPart> parts);
bool ChecksumVerifies(ByteView data);

// The 32-bit sum of the 16-bit words with no carry folded back: what a hand computation that
// drops the end-around carry works from.
uint32_t PlainWordSum(std::span<const ChecksumPart> parts);

// One's complement addition of two 16-bit values (end-around carry).
uint16_t OnesComplementAdd(uint16_t a, uint16_t b);

// The RFC 8200 §8.1 pseudo-header for an upper-layer checksum over IPv6:
// source (16), destination (16), upper-layer packet length (32 bits), 3 zero bytes, next header.
Bytes Ipv6PseudoHeader(ByteView src, ByteView dst, uint32_t upper_length, uint8_t next_header);

// The header field a 16-bit word at `offset` of a span holds: "version/IHL + TOS",
// "TTL + protocol", "checksum (taken as 0)", "identifier", "data[0..1]", ... Written into
// `buf` when it needs the offset; the result points at `buf` or at a constant.
const char* ChecksumWordRole(ChecksumSpan span, size_t offset, char (&buf)[48]);

// Renders a trace as text lines: each part's name, one line per word with the field it holds
// and the running sum, each fold of the carries, the complement.
std::vector<std::string> FormatChecksumTrace(const ChecksumTrace& trace);

}  // namespace llmstack

#endif  // LLMSTACK_PACKET_CHECKSUM_H_
