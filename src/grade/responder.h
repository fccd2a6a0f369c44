// The reference stack: decides whether an echo request must be answered and builds the reply a
// correct stack sends under a profile. It is the answer key for grading and the built-in
// `reference` backend; its answers are never a model's and are always labelled so.
#ifndef LLMSTACK_GRADE_RESPONDER_H_
#define LLMSTACK_GRADE_RESPONDER_H_

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "grade/host_rules.h"
#include "grade/profile.h"
#include "packet/packet_stream.h"

namespace llmstack {

struct RequestAssessment {
  ReplyExpectation expectation = ReplyExpectation::kRequired;
  HostRule rule = HostRule::kNone;  // the host-requirement rule behind kForbidden / kOptional
  std::string why_silent;           // the rule, its clause and what applied; empty if none
  bool truncated = false;           // cut by the capture: cannot be graded
};

// Decides how a correct stack treats `request` (an echo request) under `profile`
// (DESIGN §5 "Which packets are requests"): the host-requirement rules of host_rules.h.
RequestAssessment AssessRequest(const EchoPacket& request, Profile profile);

// RFC 791 Timestamp option value for a time: milliseconds since midnight UT.
uint32_t MillisecondsSinceMidnight(const Timestamp& time);

// Builds the reply datagram (IP header and ICMP message) under `profile`. The IP ID is the
// request's; Timestamp options get `request.time` as this host's clock.
// Errors: kMalformed when the request's IP options do not parse; kTruncated when the request
// was cut short; kUnsupported when it went to a multicast or broadcast address (the reply's
// unicast source cannot be known).
Result<Bytes> BuildReferenceReply(const EchoPacket& request, Profile profile);

// Recomputes the IPv4 header checksum (header of `header_length` bytes) and the ICMP/ICMPv6
// checksum of a datagram in place.
void RefreshChecksums(Bytes& datagram, IpFamily family, size_t header_length);

}  // namespace llmstack

#endif  // LLMSTACK_GRADE_RESPONDER_H_
