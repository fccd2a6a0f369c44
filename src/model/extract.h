// Turning a model's answer (untrusted text) into reply bytes (DESIGN §4): the reply is looked
// for in JSON ({"reply_hex": ...}), fenced code blocks, or bare hex (spaces, colons, "0x",
// upper case and line breaks allowed). Among several candidates, the one that parses as the
// echo reply datagram wins over decoys such as the request quoted in the reasoning. "No reply"
// answers are recognised. Anything else is unparseable, and the text is kept for the report.
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
  std::string why;  // for kUnparseable: what was wrong
};

// Text beyond this many bytes is not examined.
inline constexpr size_t kMaxAnswerBytes = 1 << 20;

ExtractedReply ExtractReply(std::string_view text, const EchoPacket& request);

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_EXTRACT_H_
