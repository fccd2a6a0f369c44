// The host-requirement rules (DESIGN §5): when a correct stack must not answer an echo request,
// or may leave it unanswered. One table, each rule with its id and the clause it applies, used
// by the reference stack and the grader alike; `why_silent`, the reports and `explain` name the
// rule ("ipv6-option-discard (RFC 8200 4.2): option 0x7e, action 01").
#ifndef LLMSTACK_GRADE_HOST_RULES_H_
#define LLMSTACK_GRADE_HOST_RULES_H_

#include <cstdint>
#include <string>

#include "grade/profile.h"
#include "packet/packet_stream.h"

namespace llmstack {

enum class ReplyExpectation {
  kRequired,   // a correct stack answers
  kForbidden,  // a correct stack stays silent (bad checksum, broadcast, ...)
  kOptional,   // either is right (echo to an IPv6 multicast address, RFC 4443 §4.2)
};

enum class HostRule : uint8_t {
  kNone,
  kCapturedShort,
  kIpHeaderChecksum,
  kLengthPastFrame,
  kOversizeDatagram,
  kIcmpChecksum,
  kIpv4BroadcastDestination,
  kIpv4MulticastDestination,
  kLinkBroadcastUnicast,
  kLoopbackAddress,
  kThisNetworkDestination,
  kIpv4UnspecifiedSource,
  kThisNetworkSource,
  kReservedDestination,
  kGroupSource,
  kSourceIsDestination,
  kIpv4OptionMalformed,
  kIpv4OptionNoRoom,
  kIpv4OptionCipso,
  kSourceRouted,
  kSourceRouteIncomplete,
  kIpv6UnspecifiedSource,
  kIpv6UnspecifiedDestination,
  kIpv6MappedDestination,
  kIpv6MulticastScope,
  kIpv6MulticastDestination,
  kIpv6SubnetRouterAnycast,
  kIpv6HopByHopNotFirst,
  kIpv6OptionDiscard,
  kIpv6OptionPastHeader,
  kIpv6OptionPadding,
  kIpv6OptionCount,
  kIpv6OptionInvalid,
  kIpv6RoutingSegmentsLeft,
  kIpv6RoutingDisabled,
  kIpv6RoutingToGroup,
  kIpv6FirstFragmentIncomplete,
  kCount,
};

struct HostRuleInfo {
  HostRule rule;
  const char* id;      // stable, e.g. "ipv6-option-discard"
  const char* clause;  // e.g. "RFC 8200 4.2"
  // What the rule makes of a request under `rfc` (and `dunkels`) and under `linux`;
  // kRequired where the rule does not apply.
  ReplyExpectation under_rfc, under_linux;
};

// The table row of `rule`.
const HostRuleInfo& HostRuleOf(HostRule rule);
// Every rule, in the order they are checked.
const HostRuleInfo* HostRuleTable(size_t* count);

struct HostRuleFinding {
  HostRule rule = HostRule::kNone;
  ReplyExpectation expectation = ReplyExpectation::kRequired;
  std::string detail;  // what in this request made it apply ("option 0x7e, action 01")

  // "ipv6-option-discard (RFC 8200 4.2): option 0x7e, action 01"; empty for kNone.
  std::string Describe() const;
};

// The rule that decides how `request` (an echo request) is treated under `profile`: the first
// that forbids a reply, else the first that makes it optional, else none (a reply is due).
HostRuleFinding FindHostRule(const EchoPacket& request, Profile profile);

}  // namespace llmstack

#endif  // LLMSTACK_GRADE_HOST_RULES_H_
