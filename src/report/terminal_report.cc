#include "report/terminal_report.h"

#include <algorithm>
#include <cstdio>

#include "report/report_json.h"
#include "report/report_text.h"
#include "report/statistics.h"

namespace llmstack {

std::string FormatMilliseconds(double ms) {
  char buf[32];
  if (ms < 1) {
    std::snprintf(buf, sizeof buf, "%.3f", ms);
  } else if (ms < 10) {
    std::snprintf(buf, sizeof buf, "%.2f", ms);
  } else if (ms < 100) {
    std::snprintf(buf, sizeof buf, "%.1f", ms);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", ms);
  }
  return buf;
}

namespace {

std::string FailingFields(const ReplyGrade& grade, ByteView request, ByteView reply,
                          FieldGrade which) {
  std::string out;
  for (const FieldVerdict& f : grade.fields) {
    if (f.grade != which) continue;
    if (!out.empty()) out += ", ";
    out += GetFieldInfo(f.id).name;
    std::string actual = FormatFieldValue(f.actual, request, reply, grade.literals);
    std::string expected = FormatFieldValue(f.expected, request, reply, grade.literals);
    std::string note = FieldNote(f);
    if (f.id == FieldId::kData || f.id == FieldId::kTrailing || f.id == FieldId::kIpOptions) {
      if (!note.empty()) out += " (" + note + ")";
      continue;
    }
    out += " " + actual;
    if (!expected.empty()) {
      out += " (should be " + expected + (note.empty() ? "" : ": " + note) + ")";
    } else if (!note.empty()) {
      out += " (" + note + ")";
    }
  }
  return out;
}

}  // namespace

std::string FormatResultLine(const ResultLine& line) {
  const EchoPacket& r = *line.request;
  std::string seq = "icmp_seq=" + std::to_string(r.seq);
  std::string sample = line.samples > 1 ? " sample=" + std::to_string(line.sample + 1) + "/" +
                                              std::to_string(line.samples)
                                        : "";
  std::string time = line.time_ms ? " time=" + FormatMilliseconds(*line.time_ms) + " ms" : "";
  std::string who = FormatAddress(r.src()) + " > " + FormatAddress(r.dst());
  const char* why = line.assessment ? line.assessment->why_silent.c_str() : "";
  switch (line.verdict) {
    case Verdict::kCorrect:
    case Verdict::kWrong:
    case Verdict::kUnexpectedReply: {
      // As ping prints a reply: the ICMP message's bytes (the IP header left out), then the
      // IPv4 TTL or the IPv6 hop limit.
      ByteView reply = *line.reply;
      std::string from = "?";
      std::string limit;
      size_t icmp_bytes = reply.size();
      if (!reply.empty() && reply[0] >> 4 == 4 && reply.size() >= 20) {
        from = FormatAddress(reply.subspan(12, 4));
        limit = " ttl=" + std::to_string(reply[8]);
        icmp_bytes = reply.size() - std::min(reply.size(), size_t{4} * (reply[0] & 0x0f));
      } else if (!reply.empty() && reply[0] >> 4 == 6 && reply.size() >= 40) {
        from = FormatAddress(reply.subspan(8, 16));
        limit = " hlim=" + std::to_string(reply[7]);
        icmp_bytes = reply.size() - 40;
      }
      std::string head = std::to_string(icmp_bytes) + " bytes from " + from + ": " + seq +
                         " ident=" + std::to_string(r.ident) + " frame=" + std::to_string(r.frame) +
                         limit + sample + time;
      if (line.verdict == Verdict::kUnexpectedReply) {
        return head + "  UNEXPECTED reply (" + why + ": must not be answered)";
      }
      if (line.verdict == Verdict::kWrong) {
        return head + "  WRONG " + FailingFields(*line.grade, r.datagram, reply, FieldGrade::kFail);
      }
      std::string warnings = FailingFields(*line.grade, r.datagram, reply, FieldGrade::kWarn);
      return head + "  ok" + (warnings.empty() ? "" : " (warn: " + warnings + ")");
    }
    case Verdict::kNoReply:
      return "no reply to " + who + ": " + seq + sample + time + "  NO REPLY (one was expected)";
    case Verdict::kSilentOk:
      return who + ": " + seq + sample + " no reply  ok (" + why + ")";
    case Verdict::kUnparseable:
      return "answer for " + who + ": " + seq + sample + time +
             "  UNPARSEABLE (no packet in the answer" +
             (line.error.empty() ? "" : ": " + std::string(line.error)) + ")";
    case Verdict::kError:
      return "request " + who + ": " + seq + sample + "  ERROR (" + std::string(line.error) + ")";
    case Verdict::kTruncated:
      return "request " + who + ": " + seq + sample +
             "  TRUNCATED (cut by the capture's snaplen; not graded)";
  }
  return "";
}

std::string DescribeModel(const RunInfo& info) {
  if (!info.model) return "no model (grading replies already given)";
  if (info.model_is_reference) return "model " + *info.model + " (" + kReferenceLabel + ")";
  return "model " + *info.model;
}

std::string FormatCellLine(const RunSummary& s) {
  char buf[256];
  std::pair<double, double> ci = WilsonInterval(s.accuracy.correct, s.accuracy.graded);
  std::snprintf(buf, sizeof buf, "correct %llu/%llu = %.1f%% (95%% interval %.1f-%.1f%%, Wilson)",
                static_cast<unsigned long long>(s.accuracy.correct),
                static_cast<unsigned long long>(s.accuracy.graded),
                s.accuracy.graded > 0 ? 100.0 * s.accuracy.correct / s.accuracy.graded : 0.0,
                100 * ci.first, 100 * ci.second);
  std::string out = buf;
  if (s.rtt.count > 0) {
    std::snprintf(buf, sizeof buf, ", rtt p50 %.3f ms", s.rtt.percentile(50));
    out += buf;
  }
  if (s.usage.cost_known) {  // with what came from the journal on --resume
    std::snprintf(buf, sizeof buf, ", cost $%.4f", s.usage.cost_usd);
    out += buf;
  }
  return out;
}

std::string FormatSummary(const RunInfo& info, const RunSummary& s) {
  std::string out = "\n--- " + info.input + " " + info.command + " statistics ---\n";
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%llu requests, %llu replied, %llu correct, %llu wrong, %llu no reply, "
                "%llu unparseable, %llu silent ok, %llu unexpected, %llu errors, %llu truncated",
                static_cast<unsigned long long>(s.requests * static_cast<uint64_t>(s.samples)),
                static_cast<unsigned long long>(s.replied()),
                static_cast<unsigned long long>(s.count(Verdict::kCorrect)),
                static_cast<unsigned long long>(s.count(Verdict::kWrong)),
                static_cast<unsigned long long>(s.count(Verdict::kNoReply)),
                static_cast<unsigned long long>(s.count(Verdict::kUnparseable)),
                static_cast<unsigned long long>(s.count(Verdict::kSilentOk)),
                static_cast<unsigned long long>(s.count(Verdict::kUnexpectedReply)),
                static_cast<unsigned long long>(s.count(Verdict::kError)),
                static_cast<unsigned long long>(s.count(Verdict::kTruncated)));
  out += buf;
  if (s.duplicates > 0) out += ", +" + std::to_string(s.duplicates) + " duplicates";
  out += "; " + std::to_string(s.skipped) + " other frames skipped";
  if (s.not_asked > 0) {
    out += "; " + std::to_string(s.not_asked) + " more requests not asked (interrupted)";
  }
  out += "\n";
  std::string failing;
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (s.fields[i][2] == 0) continue;
    if (!failing.empty()) failing += ", ";
    failing += std::string(GetFieldInfo(static_cast<FieldId>(i)).name) + " " +
               std::to_string(s.fields[i][2]);
  }
  if (!failing.empty()) out += "failing fields: " + failing + "\n";
  if (s.samples > 1) {
    std::snprintf(buf, sizeof buf, "samples: k=%d, pass@k %.3f, all-k-correct %.3f\n", s.samples,
                  s.pass_at_k, s.pass_all_k);
    out += buf;
  }
  if (s.accuracy.graded > 0) {
    std::pair<double, double> ci = WilsonInterval(s.accuracy.correct, s.accuracy.graded);
    std::snprintf(buf, sizeof buf,
                  "accuracy %llu/%llu = %.1f%% (95%% interval %.1f-%.1f%%, Wilson)\n",
                  static_cast<unsigned long long>(s.accuracy.correct),
                  static_cast<unsigned long long>(s.accuracy.graded),
                  100.0 * s.accuracy.correct / s.accuracy.graded, 100 * ci.first, 100 * ci.second);
    out += buf;
  }
  if (s.accuracy.graded > 0) out += "by group: " + DescribeBreakdown(s) + "\n";
  for (const auto& [reason, count] : s.error_reasons) {
    out += "error x" + std::to_string(count) + ": " + reason + "\n";
  }
  if (s.rtt.count > 0) {
    std::snprintf(buf, sizeof buf, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", s.rtt.min,
                  s.rtt.avg(), s.rtt.max, s.rtt.mdev());
    out += buf;
    std::snprintf(buf, sizeof buf, "rtt p50/p90/p99 = %.3f/%.3f/%.3f ms\n", s.rtt.percentile(50),
                  s.rtt.percentile(90), s.rtt.percentile(99));
    out += buf;
  }
  if (info.model && !info.model_is_reference) {
    const Usage& whole = s.usage;  // with what came from the journal on --resume
    std::snprintf(
        buf, sizeof buf,
        "tokens: %lld in, %lld out (%lld reasoning), %lld cache read; %llu requests "
        "sent, %llu retries, %llu answers from cache; ",
        static_cast<long long>(whole.input_tokens), static_cast<long long>(whole.output_tokens),
        static_cast<long long>(whole.reasoning_tokens),
        static_cast<long long>(whole.cache_read_tokens),
        static_cast<unsigned long long>(s.model_requests),
        static_cast<unsigned long long>(s.retries), static_cast<unsigned long long>(s.cache_hits));
    out += buf;
    if (s.from_journal > 0) {
      // A resumed run counts the whole run: what was asked now and what came from the journal.
      std::snprintf(buf, sizeof buf, "asked now %llu, from journal %llu; ",
                    static_cast<unsigned long long>(s.asked_now),
                    static_cast<unsigned long long>(s.from_journal));
      out += buf;
    }
    if (whole.cost_known) {
      std::snprintf(buf, sizeof buf, "estimated cost $%.4f", whole.cost_usd);
      out += buf;
      if (s.from_journal > 0) {
        std::snprintf(buf, sizeof buf, " ($%.4f now)", whole.cost_usd - s.journal_usage.cost_usd);
        out += buf;
      }
      if (s.cost_per_correct()) {
        std::snprintf(buf, sizeof buf, " ($%.6f per correct reply)", *s.cost_per_correct());
        out += buf;
      }
      out += "\n";
    } else {
      out += "cost unknown\n";
    }
  } else if (info.model_is_reference) {
    out += "answers from the " + std::string(kReferenceLabel) + "; no tokens, no cost\n";
  }
  return out;
}

}  // namespace llmstack
