// Bytes written as hex in free text (a model's answer, a write-up), read the way a person reads
// them. One reader serves the extraction of replies (model/extract.h) and the audit
// (audit/text_scan.h).
//
// A group is a run of hex digits, optionally "0x"-prefixed, with an even number of digits, that
// does not continue a word on either side ("deadline", "x45", "0x45h" are not groups). Groups
// separated by spaces, tabs, ':', ',' or '-' make a run. A run goes on across a single line
// break only when it reaches the end of its line and the next line starts with a group: a
// blank line, or a line that goes on in words after its last group, ends it. Offset labels at
// the start of a line, as tcpdump ("0x0010:") and Wireshark ("0010  45 00") print them, are
// skipped when they give the number of bytes read so far.
//
// A run can still hold more than one thing: a number that ends the line before a packet
// ("The ICMP checksum is 0x847b" and then the packet) or one that starts the line after it
// ("44 bytes total"). Which of its bytes form a datagram is decided by the caller, who knows
// what a datagram looks like (packet/text_datagrams.h); the groups are kept for that.
#ifndef LLMSTACK_BASE_HEX_TEXT_H_
#define LLMSTACK_BASE_HEX_TEXT_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "base/bytes.h"

namespace llmstack {

struct HexGroupSpan {
  size_t begin = 0;  // first character (of "0x" when prefixed)
  size_t end = 0;    // one past the last digit
  size_t byte = 0;   // offset of its first byte in HexRun::bytes
};

struct HexRun {
  size_t begin = 0;  // character span of the run in the text
  size_t end = 0;
  Bytes bytes;
  std::vector<HexGroupSpan> groups;
};

// The runs of `text` holding at least `min_bytes` bytes, in text order. Linear in the text's
// length.
std::vector<HexRun> FindHexRuns(std::string_view text, size_t min_bytes);

// 1-based line numbers of character offsets in one text.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  size_t LineOf(size_t offset) const;

 private:
  std::vector<size_t> starts_;
};

}  // namespace llmstack

#endif  // LLMSTACK_BASE_HEX_TEXT_H_
