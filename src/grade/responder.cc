#include "grade/responder.h"

#include <cstring>
#include <optional>

#include "packet/checksum.h"
#include "packet/icmp.h"
#include "packet/option_echo.h"

namespace llmstack {

namespace {

constexpr uint8_t kReplyTtl = 64;  // RFC 1700 IPDEFTTL; Linux net.ipv4.ip_default_ttl

}  // namespace

RequestAssessment AssessRequest(const EchoPacket& request, Profile profile) {
  HostRuleFinding finding = FindHostRule(request, profile);
  RequestAssessment a;
  a.expectation = finding.expectation;
  a.rule = finding.rule;
  a.why_silent = finding.Describe();
  a.truncated = finding.rule == HostRule::kCapturedShort;
  if (a.truncated) a.expectation = ReplyExpectation::kRequired;
  return a;
}

uint32_t MillisecondsSinceMidnight(const Timestamp& time) {
  int64_t day_sec = time.sec % 86400;
  if (day_sec < 0) day_sec += 86400;
  return static_cast<uint32_t>(day_sec * 1000 + time.nsec / 1000000);
}

void RefreshChecksums(Bytes& datagram, IpFamily family, size_t header_length) {
  if (datagram.size() < header_length) return;
  ByteView d(datagram);
  if (family == IpFamily::kIpv4) {
    if (header_length >= 20) {
      PutBe16(datagram, 10, 0);
      PutBe16(datagram, 10, InternetChecksum(d.first(header_length)));
    }
    if (datagram.size() >= header_length + 4 && datagram.size() >= 20) {
      uint16_t c =
          ComputeIcmpChecksum(family, d.subspan(12, 4), d.subspan(16, 4), d.subspan(header_length));
      PutBe16(datagram, header_length + 2, c);
    }
  } else if (datagram.size() >= header_length + 4 && datagram.size() >= 40) {
    uint16_t c =
        ComputeIcmpChecksum(family, d.subspan(8, 16), d.subspan(24, 16), d.subspan(header_length));
    PutBe16(datagram, header_length + 2, c);
  }
}

Result<Bytes> BuildReferenceReply(const EchoPacket& request, Profile profile) {
  ByteView req(request.datagram);
  ByteView message = request.message();
  if (request.truncated || message.size() < kEchoHeaderLength) {
    return Truncated("the request is cut short: its reply cannot be built");
  }
  if (IsGroupAddress(request.dst())) {
    // RFC 1122 §3.2.1.3, RFC 4443 §4.2: the source would be a unicast address of the
    // receiving interface, which a capture does not tell.
    return Unsupported(
        "the request went to a group address: the reply's unicast source "
        "address cannot be known");
  }
  Bytes reply;
  ByteWriter w(&reply);
  uint8_t code = profile == Profile::kRfc ? 0 : request.code;
  if (request.family == IpFamily::kIpv4) {
    Result<Ipv4Header> h = ReadIpv4Header(req);
    if (!h.ok()) return h.status();
    Bytes options;
    std::optional<Bytes> next_hop;
    ByteView request_options = req.subspan(20, request.header_length - 20);
    if (profile == Profile::kDunkels) {
      options.assign(request_options.begin(), request_options.end());
    } else if (!request_options.empty()) {
      Result<OptionEcho> echo = EchoIpv4Options(
          request_options, request.src(), request.dst(), MillisecondsSinceMidnight(request.time),
          profile == Profile::kLinux ? OptionEchoStyle::kLinux : OptionEchoStyle::kRfc);
      if (!echo.ok()) return echo.status();
      options = std::move(echo->options);
      next_hop = std::move(echo->next_hop);
    }
    ByteView reply_dst = next_hop ? ByteView(*next_hop) : request.src();
    size_t header_length = 20 + options.size();
    bool dont_fragment = profile == Profile::kLinux ? false : h->dont_fragment;
    w.U8(static_cast<uint8_t>(0x40 | header_length / 4));
    w.U8(h->tos);
    w.Be16(static_cast<uint16_t>(header_length + message.size()));
    w.Be16(h->id);
    w.Be16(dont_fragment ? 0x4000 : 0);
    w.U8(kReplyTtl);
    w.U8(kIpProtoIcmp);
    w.Be16(0);
    w.Append(request.dst());
    w.Append(reply_dst);
    w.Append(options);
    w.U8(EchoReplyType(request.family));
    w.U8(code);
    w.Be16(0);
    w.Append(message.subspan(4));
    RefreshChecksums(reply, request.family, header_length);
    return reply;
  }
  Result<Ipv6Header> h = ReadIpv6Header(req);
  if (!h.ok()) return h.status();
  uint32_t flow = profile == Profile::kDunkels ? h->flow_label : 0;
  w.Be32(6u << 28 | uint32_t{h->traffic_class} << 20 | flow);
  w.Be16(static_cast<uint16_t>(message.size()));
  w.U8(kIpProtoIcmpv6);
  w.U8(kReplyTtl);
  w.Append(request.dst());
  w.Append(request.src());
  w.U8(EchoReplyType(request.family));
  w.U8(code);
  w.Be16(0);
  w.Append(message.subspan(4));
  RefreshChecksums(reply, request.family, 40);
  return reply;
}

}  // namespace llmstack
