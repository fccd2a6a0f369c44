#include "audit/audit_exchange.h"

#include <algorithm>

#include "grade/responder.h"
#include "packet/icmp.h"

namespace llmstack::audit {

namespace {

using Kind = ChecksumKind;
using Subject = ClaimSubject;

}  // namespace

std::optional<Computation> Compute(ByteView datagram, Kind kind) {
  Result<EchoPacket> p = EchoPacketFromDatagram(datagram);
  if (!p.ok() || p->truncated) return std::nullopt;
  Computation c;
  c.kind = kind;
  c.family = p->family;
  ByteView d(p->datagram);
  if (kind == Kind::kIpHeader) {
    if (p->family != IpFamily::kIpv4 || p->header_length < 20) return std::nullopt;
    Bytes header(d.begin(), d.begin() + p->header_length);
    PeekBe16(header, 10, &c.stored);
    PutBe16(header, 10, 0);
    std::vector<ChecksumPart> parts = {{"IP header", header, ChecksumSpan::kIpv4Header}};
    InternetChecksum(parts, &c.trace);
    return c;
  }
  if (d.size() < p->header_length + kEchoHeaderLength) return std::nullopt;
  c.stored = p->checksum;
  ComputeIcmpChecksum(p->family, p->src(), p->dst(), p->message(), &c.trace);
  return c;
}

bool ClaimMatches(uint16_t claimed, uint16_t computed) {
  return claimed == computed || (computed == 0x0000 && claimed == 0xffff);
}

bool PairsWith(const EchoPacket& reply, const EchoPacket& request) {
  return reply.is_reply() && request.is_request() && reply.family == request.family &&
         reply.ident == request.ident && reply.seq == request.seq;
}

bool IsDraft(const EchoPacket& p) {
  if (!p.is_reply()) return false;
  std::optional<Computation> icmp = Compute(p.datagram, Kind::kIcmp);
  if (icmp && icmp->stored == 0 && !ClaimMatches(0, icmp->trace.checksum)) return true;
  std::optional<Computation> ip = Compute(p.datagram, Kind::kIpHeader);
  return ip && ip->stored == 0 && ip->trace.checksum != 0;
}

Exchange MakeExchange(const DocPacket* request, const DocPacket* written, const DocPacket* lone,
                      Profile first_profile) {
  Exchange x;
  x.request = request;
  x.written = written;
  x.lone = lone;
  if (request) {
    for (Profile profile : {first_profile, Profile::kRfc, Profile::kDunkels, Profile::kLinux}) {
      Result<Bytes> reply = BuildReferenceReply(request->packet, profile);
      if (!reply.ok()) continue;
      bool seen = std::any_of(x.correct.begin(), x.correct.end(),
                              [&](const auto& c) { return c.second == *reply; });
      if (!seen) x.correct.emplace_back(profile, std::move(*reply));
    }
  }
  return x;
}

std::vector<Truth> TruthsOf(const Exchange& x, Kind kind) {
  // The replies first: write-ups talk about the reply they built.
  std::vector<Truth> out;
  if (x.request) {
    for (size_t i = 0; i < x.correct.size(); ++i) {
      if (auto c = Compute(x.correct[i].second, kind)) {
        std::string about = "the reply to " + x.request->name;
        if (i > 0)
          about += std::string(" under the ") + ProfileName(x.correct[i].first) + " profile";
        out.push_back({c->trace.checksum, Subject::kReply, about, c->family});
      }
    }
  }
  for (const DocPacket* p : {x.written, x.lone}) {
    if (!p) continue;
    if (auto c = Compute(p->packet.datagram, kind)) {
      std::string about = p->name;
      if (x.request) about += " (over its own bytes)";
      out.push_back({c->trace.checksum, Subject::kReply, about, c->family});
    }
  }
  if (x.request) {
    if (auto c = Compute(x.request->packet.datagram, kind)) {
      out.push_back({c->trace.checksum, Subject::kRequest, x.request->name, c->family});
    }
  }
  return out;
}

}  // namespace llmstack::audit
