// IP datagrams written as hex in free text (base/hex_text.h reads the runs of hex). A run can
// hold more than a datagram: a number from the line before or after ("The ICMP checksum is
// 0x847b", "44 bytes total") or two packets in a row. Within a run, a datagram is the stretch of
// whole groups that starts with an IP header and is exactly as long as that header's own length
// says (RFC 791 total length; RFC 8200 40 + payload length). A run with no such stretch may
// still hold a datagram whose length field is wrong or that was cut short: it is kept, marked
// inexact, from its first plausible IP header to the end of the run.
#ifndef LLMSTACK_PACKET_TEXT_DATAGRAMS_H_
#define LLMSTACK_PACKET_TEXT_DATAGRAMS_H_

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "packet/packet_stream.h"

namespace llmstack {

struct TextDatagram {
  size_t begin = 0, end = 0;  // character span of its hex in the text
  Bytes bytes;
  bool exact = true;  // as long as its own length field says
  // Bytes of the same run left out before and after it ("0x847b" on the line before: 2).
  size_t left_before = 0;
  size_t left_after = 0;
  // Its run has nothing else on its lines: it starts a line and ends one.
  bool whole_lines = false;
  std::optional<EchoPacket> echo;  // when it parses as an ICMP/ICMPv6 echo message
};

// The datagrams of `text` in text order: the exact ones of every run, and for a run with none,
// its inexact one when it holds at least `min_inexact` bytes from its first plausible IP header
// (0: none). Linear in the text's length.
std::vector<TextDatagram> FindTextDatagrams(std::string_view text, size_t min_inexact = 0);

}  // namespace llmstack

#endif  // LLMSTACK_PACKET_TEXT_DATAGRAMS_H_
