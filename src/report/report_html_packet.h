// The parts of the HTML report that show one result: the bytes of the request, the expected
// reply and the actual reply side by side as Wireshark's bytes pane shows them (offset, hex,
// ASCII), with the bytes that differ marked by the grade of the field they belong to; the
// field table; every step of the reply's checksums; the model's own text and reasoning.
// Everything taken from the packet or the model is escaped.
#ifndef LLMSTACK_REPORT_REPORT_HTML_PACKET_H_
#define LLMSTACK_REPORT_REPORT_HTML_PACKET_H_

#include <string>

#include "base/bytes.h"
#include "report/run_results.h"

namespace llmstack {

// Longest checksum computation shown in full; longer ones keep their start and end.
inline constexpr size_t kChecksumStepLines = 48;

std::string HtmlBytePanes(const PacketResult& result);
std::string HtmlFieldTable(const PacketResult& result);
// Every step of a datagram's IPv4 header and ICMP/ICMPv6 checksums, computed over its own
// bytes, each compared with the value the datagram holds ("the reply holds 0x54f5: does NOT
// match 0x5cf5"); the ones that do not match are open. `whose` names the datagram ("reply").
// Empty when it has no checksum that can be computed.
std::string HtmlChecksumSteps(ByteView datagram, const char* whose);
// The model's text and reasoning verbatim, the audit of its checksum claims, its tokens and
// cost; for the reference stack and for `grade`, where the reply came from.
std::string HtmlAnswer(const RunInfo& info, const PacketResult& result);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_REPORT_HTML_PACKET_H_
