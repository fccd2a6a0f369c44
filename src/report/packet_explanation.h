// What `explain` prints about one packet: its dissection, every checksum step, the correct
// reply of an echo request with the work shown, and the grade of a given reply. The packet
// comes as hex (an IP datagram, or a link-layer frame of a named type) or as a frame of a
// capture.
#ifndef LLMSTACK_REPORT_PACKET_EXPLANATION_H_
#define LLMSTACK_REPORT_PACKET_EXPLANATION_H_

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "grade/profile.h"
#include "report/run_results.h"

namespace llmstack {

struct ExplainOptions {
  std::string packet;                    // hex; with `frame`, a capture ("-": standard input)
  std::optional<std::string> reply_hex;  // a reply to grade
  std::optional<std::string> link;       // the hex is a frame of this link type (--link)
  std::optional<uint64_t> frame;         // explain this frame of the capture `packet`
  Profile profile = Profile::kRfc;
};

// The IP datagram `options` name: the hex decoded (and its link header taken off with
// `link`), or the echo message frame `frame` of the capture is part of (reassembled when
// fragmented). Errors, as one line to print: hex that does not decode; without `link`, bytes
// that are not an IP datagram (version not 4 or 6: a link-layer frame wants --link); an
// unknown link type, or a frame that does not carry IPv4 or IPv6; a capture that cannot be
// read, or a frame that is past its end or not an echo request (naming the file).
Result<Bytes> ExplainedDatagram(const ExplainOptions& options);

// Prints the explanation of `datagram` (and of `reply`) under `profile` to `out`. Returns the
// reply's verdict; none without a reply. Errors: kUnsupported when a reply is given for a
// packet that is not an echo request.
Result<std::optional<Verdict>> ExplainPacket(ByteView datagram, const std::optional<Bytes>& reply,
                                             Profile profile, FILE* out);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_PACKET_EXPLANATION_H_
