#include "report/packet_explanation.h"

#include <vector>

#include "grade/responder.h"
#include "grade/verify.h"
#include "packet/capture.h"
#include "packet/checksum.h"
#include "packet/dissect.h"
#include "packet/icmp.h"
#include "packet/packet_stream.h"
#include "report/report_json.h"

namespace llmstack {

namespace {

void Print(FILE* out, const std::vector<std::string>& lines) {
  for (const std::string& l : lines) std::fprintf(out, "%s\n", l.c_str());
}

// Shows how a checksum is computed over `datagram`'s bytes, the field taken as zero.
void ShowChecksumWork(FILE* out, const char* title, ByteView datagram, bool ipv4_header,
                      size_t header_length) {
  Bytes copy(datagram.begin(), datagram.end());
  ChecksumTrace trace;
  uint16_t stored = 0;
  if (ipv4_header) {
    PeekBe16(copy, 10, &stored);
    PutBe16(copy, 10, 0);
    std::vector<ChecksumPart> parts = {
        {"IP header", ByteView(copy).first(header_length), ChecksumSpan::kIpv4Header}};
    InternetChecksum(parts, &trace);
  } else {
    bool v6 = copy[0] >> 4 == 6;
    ByteView d(copy);
    PeekBe16(d, header_length + 2, &stored);
    ComputeIcmpChecksum(v6 ? IpFamily::kIpv6 : IpFamily::kIpv4, v6 ? d.subspan(8, 16) : ByteView(),
                        v6 ? d.subspan(24, 16) : ByteView(), d.subspan(header_length), &trace);
  }
  std::fprintf(out, "\n%s (the checksum field taken as 0000):\n", title);
  Print(out, FormatChecksumTrace(trace));
  std::fprintf(
      out, "  the packet holds %s: %s\n", Hex16(stored).c_str(),
      stored == trace.checksum ? "matches"
      : (trace.folded == 0 && stored == 0xffff) || (trace.checksum == 0xffff && stored == 0)
          ? "the other zero of one's complement"
          : "does NOT match");
}

// The fields whose shown value differs between the request's dissection and the reply's
// (checksums apart: they are recomputed), as "field: before -> after" lines.
std::vector<std::string> DescribeChanges(const Dissection& request, const Dissection& reply) {
  std::vector<std::string> lines;
  auto find = [](const Dissection& d, const std::string& name) -> const DissectedField* {
    for (const DissectedField& f : d.fields) {
      if (f.name == name) return &f;
    }
    return nullptr;
  };
  auto is_checksum = [](const std::string& name) {
    return name.find("checksum") != std::string::npos;
  };
  for (const DissectedField& f : reply.fields) {
    if (is_checksum(f.name) || f.name == "ip.opt.type") continue;
    const DissectedField* before = find(request, f.name);
    if (before && before->value != f.value) {
      lines.push_back("    " + f.name + ": " + before->value + " -> " + f.value);
    }
  }
  size_t options_before = 0, options_after = 0;
  for (const DissectedField& f : request.fields) options_before += f.name == "ip.opt.type";
  for (const DissectedField& f : reply.fields) options_after += f.name == "ip.opt.type";
  if (options_before > 0 || options_after > 0) {
    lines.push_back("    ip.options: " + std::to_string(options_before) + " option(s) -> " +
                    std::to_string(options_after) + " (see the dissection below)");
  }
  for (const DissectedField& f : reply.fields) {
    if (is_checksum(f.name)) lines.push_back("    " + f.name + ": recomputed (below)");
  }
  return lines;
}

void ShowGrade(FILE* out, const ReplyGrade& grade, ByteView request, ByteView reply) {
  std::vector<RenderedField> fields = RenderFields(grade, request, reply);
  std::fprintf(out, "  %-28s %-14s %-14s %-5s %s\n", "field", "expected", "actual", "grade",
               "note");
  for (const RenderedField& f : fields) {
    std::string expected = f.expected.size() > 14 ? f.expected.substr(0, 11) + "..." : f.expected;
    std::string actual = f.actual.size() > 14 ? f.actual.substr(0, 11) + "..." : f.actual;
    std::fprintf(out, "  %-28s %-14s %-14s %-5s %s\n", f.name.c_str(), expected.c_str(),
                 actual.c_str(), GradeName(f.grade), f.note.c_str());
  }
}

}  // namespace

Result<Bytes> ExplainedDatagram(const ExplainOptions& options) {
  if (options.frame) {
    Result<EchoPacket> p = ReadEchoPacketAt(options.packet, *options.frame);
    if (!p.ok()) return p.status().WithContext(options.packet);
    if (!p->is_request()) {
      return Unsupported(options.packet + ": frame " + std::to_string(*options.frame) +
                         " is an echo reply, not an echo request");
    }
    return std::move(p->datagram);
  }
  Result<Bytes> bytes = HexDecodeLenient(options.packet);
  if (!bytes.ok()) return bytes.status().WithContext("packet hex");
  if (options.link) {
    Result<LinkType> link = LinkTypeFromName(*options.link);
    if (!link.ok()) return link.status().WithContext("--link");
    Result<Bytes> datagram = DatagramInFrame(*link, *bytes);
    if (!datagram.ok()) return datagram.status().WithContext("packet hex");
    return datagram;
  }
  // RFC 791 §3.1 / RFC 8200 §3: the first four bits are the version. A frame of some link
  // type would otherwise be dissected as a datagram it is not.
  if (!bytes->empty() && (*bytes)[0] >> 4 != 4 && (*bytes)[0] >> 4 != 6) {
    return Unsupported(
        "packet hex: not an IP datagram (IP version " + std::to_string((*bytes)[0] >> 4) +
        "); for a link-layer frame give its type with --link (" + LinkTypeOptionNames() + ")");
  }
  return bytes;
}

Result<std::optional<Verdict>> ExplainPacket(ByteView datagram, const std::optional<Bytes>& reply,
                                             Profile profile, FILE* out) {
  ByteView bytes = datagram;
  Dissection d = DissectDatagram(bytes);
  std::fprintf(out, "%s\n\n", d.summary.c_str());
  Print(out, FormatDissection(d, bytes));
  for (const std::string& p : d.problems) std::fprintf(out, "  problem: %s\n", p.c_str());
  if (!d.missing.empty()) {
    std::fprintf(out, "  the bytes end%s; missing:",
                 d.ends_inside.empty() ? "" : (" inside " + d.ends_inside).c_str());
    for (const std::string& m : d.missing) std::fprintf(out, " %s", m.c_str());
    std::fprintf(out, "\n");
  }
  if (!d.is_ipv6 && d.header_length >= 20 && bytes.size() >= d.header_length) {
    ShowChecksumWork(out, "IP header checksum", bytes, true, d.header_length);
  }
  if (d.is_echo && bytes.size() >= d.header_length + 4) {
    ShowChecksumWork(out, d.is_ipv6 ? "ICMPv6 checksum (pseudo-header first)" : "ICMP checksum",
                     bytes, false, d.header_length);
  }

  Result<EchoPacket> request = EchoPacketFromDatagram(bytes);
  if (!request.ok() || !request->is_request()) {
    if (reply) {
      return Unsupported("the packet is not an echo request, so --reply cannot be graded");
    }
    return std::optional<Verdict>();
  }

  RequestAssessment assessment = AssessRequest(*request, profile);
  std::fprintf(out, "\nAs a request under profile %s: ", ProfileName(profile));
  if (assessment.truncated) {
    std::fprintf(out, "cut short, cannot be answered.\n");
  } else if (assessment.expectation == ReplyExpectation::kForbidden) {
    std::fprintf(out, "a correct stack sends NO REPLY; no reply is due: %s.\n",
                 assessment.why_silent.c_str());
  } else {
    if (assessment.expectation == ReplyExpectation::kOptional) {
      std::fprintf(out, "a reply is optional: %s.\n", assessment.why_silent.c_str());
    } else {
      std::fprintf(out, "a correct stack answers.\n");
    }
    Result<Bytes> correct = BuildReferenceReply(*request, profile);
    if (correct.ok()) {
      ByteView c(*correct);
      Dissection cd = DissectDatagram(c);
      std::fprintf(out, "\nThe correct reply (%s, profile %s):\n  %s\n", kReferenceLabel,
                   ProfileName(profile), HexEncode(c).c_str());
      std::fprintf(out, "  changes from the request:\n");
      Print(out, DescribeChanges(d, cd));
      if (request->family == IpFamily::kIpv4) {
        ShowChecksumWork(out, "Reply IP header checksum", c, true, cd.header_length);
      }
      ShowChecksumWork(out,
                       request->family == IpFamily::kIpv4
                           ? "Reply ICMP checksum"
                           : "Reply ICMPv6 checksum (pseudo-header first)",
                       c, false, cd.header_length);
      if (request->family == IpFamily::kIpv4 && request->code == 0 &&
          IcmpChecksumVerifies(request->family, request->src(), request->dst(),
                               request->message())) {
        // RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), m = 0x0800 (type 8, code 0), m' = 0x0000.
        uint16_t hc = request->checksum;
        uint16_t shortcut = static_cast<uint16_t>(
            ~OnesComplementAdd(OnesComplementAdd(static_cast<uint16_t>(~hc), 0xf7ff), 0x0000));
        std::fprintf(
            out, "  shortcut (RFC 1624 eqn. 3): ~(~%s + ~0x0800 + 0x0000) = %s%s\n",
            Hex16(hc).c_str(), Hex16(shortcut).c_str(),
            shortcut == 0x0000 ? " -- but the all-zero message needs 0xffff: recompute fully" : "");
      }
    }
  }

  if (!reply) return std::optional<Verdict>();
  ByteView r(*reply);
  Dissection rd = DissectDatagram(r);
  std::fprintf(out, "\nThe given reply: %s\n\n", rd.summary.c_str());
  Print(out, FormatDissection(rd, r));
  for (const std::string& p : rd.problems) std::fprintf(out, "  problem: %s\n", p.c_str());
  if (!rd.missing.empty()) {
    std::fprintf(out, "  TRUNCATED: the reply ends after %zu bytes%s; missing:", r.size(),
                 rd.ends_inside.empty() ? "" : (", inside " + rd.ends_inside).c_str());
    for (const std::string& m : rd.missing) std::fprintf(out, " %s", m.c_str());
    std::fprintf(out, "\n");
  }
  ReplyGrade grade;
  GradeReply(*request, assessment, &r, profile, &grade);
  std::fprintf(out, "\nGrading the reply (profile %s):\n", ProfileName(profile));
  ShowGrade(out, grade, request->datagram, r);
  std::fprintf(out, "\nVerdict: %s", VerdictName(grade.verdict));
  if (grade.verdict == Verdict::kWrong)
    std::fprintf(out, " (%zu field%s fail)", grade.FailCount(), grade.FailCount() == 1 ? "" : "s");
  if (!rd.missing.empty() && grade.verdict == Verdict::kWrong) {
    std::fprintf(out, ": the reply is truncated after %zu bytes", r.size());
  }
  if (grade.verdict == Verdict::kUnexpectedReply)
    std::fprintf(out, " (%s: must not be answered)", assessment.why_silent.c_str());
  std::fprintf(out, "\n");
  return std::optional<Verdict>(grade.verdict);
}

}  // namespace llmstack
