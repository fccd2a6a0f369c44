// Turning a model's answer (untrusted text) into reply bytes, the way a reader of the answer
// would. The answer's final form wins: the JSON `{"reply_hex": ...}` (a string, or null for no
// reply), else the last fenced code block that holds a datagram, else the last datagram
// written as bare hex. Hex is read within line and token edges (base/hex_text.h) and a
// datagram is as long as its own length field says (packet/text_datagrams.h), so a number on
// the line before or after a packet is not glued onto it. The request quoted back is passed
// over while anything else is there. "NO REPLY" counts only as the answer's own conclusion: a
// line of its own after the last packet, or, when the answer holds no packet, a sentence that
// does not merely mention it ("if the checksum were bad: NO REPLY"). Anything else is
// unparseable. Every outcome says how it was reached, for the reports.
#ifndef LLMSTACK_MODEL_EXTRACT_H_
#define LLMSTACK_MODEL_EXTRACT_H_

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "packet/packet_stream.h"

namespace llmstack {

struct ExtractedReply {
  enum class Kind { kPacket, kNoReply, kUnparseable } kind = Kind::kUnparseable;
  Bytes packet;
  std::string why;  // kUnparseable: what was wrong ("no hex packet in the answer")
  // Every kind: how the answer was read ("took the fenced block at line 40").
  std::string how;
};

// Text beyond this many bytes is not examined.
inline constexpr size_t kMaxAnswerBytes = 1 << 20;

ExtractedReply ExtractReply(std::string_view text, const EchoPacket& request);

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_EXTRACT_H_
