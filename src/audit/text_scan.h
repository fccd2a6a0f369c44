// Reading free text (a model's reasoning, a journal line, a blog write-up) the way `audit`
// needs it: packets written as hex, and around them a stream of numbers, words and arithmetic
// symbols with their positions, so that claims ("ICMP checksum = 0x5cf5") and written-down
// arithmetic ("0x4554 + 0x8128 = 0xc67c") can be picked out and traced back to a line.
//
// Packets are the whole ICMP and ICMPv6 echo datagrams that packet/text_datagrams.h finds: hex
// in the forms people write it, within line and token edges, as long as its own IP length.
#ifndef LLMSTACK_AUDIT_TEXT_SCAN_H_
#define LLMSTACK_AUDIT_TEXT_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "packet/packet_stream.h"

namespace llmstack {

// An echo datagram written in the text: where its hex stands and what it decodes to.
struct TextPacket {
  size_t begin = 0, end = 0;  // character span of its hex in the text
  EchoPacket packet;          // decoded; `packet.datagram` ends at the IP length
};

enum class TextTokenKind : uint8_t {
  kNumber,  // hex digits, "0x"-prefixed or bare ("0x5cf5", "4500", "ABCD", "29ea0")
  kWord,    // letters, lower-cased; may hold '.', '-', '\'' inside ("ip.checksum", "reply's")
  kSymbol,  // "+", "-" (also "−"), "*" (also "×"), "=", "->" (also "=>", "→"), "~", "...", ":", ...
  kPlaceholder,  // "0xXXXX", "0x????", "XXXX": a value left out on purpose
  kPacket,       // a whole packet (see TextScan::packets)
  kBreak,        // one or more line breaks
};

struct TextToken {
  TextTokenKind kind = TextTokenKind::kWord;
  size_t begin = 0;
  size_t end = 0;
  std::string text;       // words lower-cased; symbols normalized ("→" is "->")
  uint64_t value = 0;     // kNumber: the value read as hex
  bool prefixed = false;  // kNumber: written with "0x"
  bool decimal = false;   // kNumber: bare and only 0-9, so it may be meant as decimal
  uint64_t decimal_value = 0;
  bool letters_only = false;  // kNumber: bare and only a-f ("add", "face"): also an English word
  size_t digits = 0;          // kNumber: how many hex digits
  size_t packet = 0;          // kPacket: index into TextScan::packets
  int line_breaks = 0;        // kBreak: how many

  bool IsWord(std::string_view w) const { return kind == TextTokenKind::kWord && text == w; }
  bool IsSymbol(std::string_view s) const { return kind == TextTokenKind::kSymbol && text == s; }
  bool IsNumber() const { return kind == TextTokenKind::kNumber; }
  // Whether the token's text is one of `texts`.
  template <size_t N>
  bool TextIn(const char* const (&texts)[N]) const {
    for (const char* t : texts) {
      if (text == t) return true;
    }
    return false;
  }
};

struct TextScan {
  std::vector<TextPacket> packets;
  std::vector<TextToken> tokens;
  std::vector<size_t> line_starts;  // offset of each line's first character

  // 1-based line of a character offset.
  size_t LineOf(size_t offset) const;
};

// Text beyond this many bytes is not examined.
inline constexpr size_t kMaxScannedText = 4 << 20;

TextScan ScanText(std::string_view text);

}  // namespace llmstack

#endif  // LLMSTACK_AUDIT_TEXT_SCAN_H_
