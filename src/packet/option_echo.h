// How the IPv4 options of an echo reply derive from the request's (RFC 1122 §3.2.2.6):
// Record Route and Timestamp "SHOULD be updated to include the current host and included in the
// IP header of the Echo Reply"; a received source route "MUST be reversed and used as a Source
// Route option for the Echo Reply". Linux (net/ipv4/ip_options.c: ip_options_compile on
// receive, ip_options_echo, ip_options_build on send) adds an RR/TS entry on receive and another
// on send, copies RR then TS, drops NOP/EOL and options it does not echo, and pads with EOL.
#ifndef LLMSTACK_PACKET_OPTION_ECHO_H_
#define LLMSTACK_PACKET_OPTION_ECHO_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace llmstack {

enum class OptionEchoStyle {
  kRfc,    // one entry for the replying host
  kLinux,  // two entries, as the kernel writes them
};

struct OptionEcho {
  Bytes options;                      // reply options, EOL-padded to a multiple of 4
  std::optional<Bytes> next_hop;      // source route: the reply's destination (first return hop)
  std::vector<size_t> clock_offsets;  // offsets in `options` of clock values this host wrote
  bool has_source_route = false;      // the request carried LSRR/SSRR
  bool source_route_complete = true;  // its pointer had passed the last entry
};

// Builds the reply's options. `request_src`/`request_dst` are 4-byte addresses; the replying
// host's address is `request_dst`. `clock_ms` is the RFC 791 timestamp: milliseconds since
// midnight UT. Errors: kMalformed when the request's options do not parse, or hold an RR, TS
// or source-route option a host discards (a pointer out of range, a slot cut by the option's
// end, an unknown timestamp flag, a full timestamp whose overflow count is 15, a repeat).
Result<OptionEcho> EchoIpv4Options(ByteView request_options, ByteView request_src,
                                   ByteView request_dst, uint32_t clock_ms, OptionEchoStyle style);

// Sets the 4-byte values at `offsets` to zero (so clock values compare equal).
Bytes MaskClockValues(ByteView options, const std::vector<size_t>& offsets);

}  // namespace llmstack

#endif  // LLMSTACK_PACKET_OPTION_ECHO_H_
