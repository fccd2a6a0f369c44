#include "report/report_junit.h"

#include <ctime>

#include "base/text_escape.h"
#include "report/report_json.h"
#include "report/report_text.h"
#include "report/terminal_report.h"

namespace llmstack {

namespace {

std::string Attr(const std::string& value) { return EscapeXml(value, true); }

// Seconds between two RFC 3339 UTC stamps as NowRfc3339 writes them; 0 when unreadable.
double WallSeconds(const std::string& from, const std::string& to) {
  std::tm a{}, b{};
  if (strptime(from.c_str(), "%Y-%m-%dT%H:%M:%SZ", &a) == nullptr) return 0;
  if (strptime(to.c_str(), "%Y-%m-%dT%H:%M:%SZ", &b) == nullptr) return 0;
  double d = std::difftime(timegm(&b), timegm(&a));
  return d > 0 ? d : 0;
}

std::string Seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms / 1000.0);
  return buf;
}

// The class name CI tools group test cases by: the input's file name without its directory
// and extension (dots would read as package separators).
std::string ClassName(const RunInfo& info) {
  std::string name = info.input;
  size_t slash = name.rfind('/');
  if (slash != std::string::npos) name = name.substr(slash + 1);
  size_t dot = name.find('.');
  if (dot != std::string::npos && dot > 0) name = name.substr(0, dot);
  return info.command + "." + (name.empty() ? "input" : name);
}

void Property(std::string& out, const std::string& name, const std::string& value) {
  out += "      <property name=\"" + Attr(name) + "\" value=\"" + Attr(value) + "\"/>\n";
}

std::string CaseDetails(const RunInfo& info, const PacketResult& p) {
  std::string d = "verdict: " + std::string(VerdictName(p.verdict)) + "\n";
  d += "request: frame " + std::to_string(p.request_frame) + ", " + p.src + " > " + p.dst +
       ", ident " + Hex16(p.ident) + ", seq " + std::to_string(p.seq) + "\n";
  d += "  " + p.request_hex + "\n";
  if (!p.expected_hex.empty()) {
    d += "expected reply (" + std::string(kReferenceLabel) + ", profile " + info.profile + "):\n";
    d += "  " + p.expected_hex + "\n";
  }
  if (p.has_reply) {
    d += "reply";
    if (p.reply_frame) d += ": frame " + std::to_string(*p.reply_frame);
    if (p.rtt_ms) d += (p.reply_frame ? ", " : ": ") + FormatMilliseconds(*p.rtt_ms) + " ms";
    d += "\n  " + p.reply_hex + "\n";
  }
  bool header = false;
  for (const RenderedField& f : p.fields) {
    if (f.grade != FieldGrade::kFail && f.grade != FieldGrade::kWarn) continue;
    if (!header) d += "fields:\n";
    header = true;
    d += "  " + std::string(GradeName(f.grade)) + " " + DescribeField(f) + "\n";
  }
  if (!p.why_silent.empty()) d += "no reply is due: " + p.why_silent + "\n";
  if (!p.error_message.empty()) d += "error: " + p.error_message + "\n";
  return d;
}

// The test cases go to a spool as they come; the counts, which the suite's attributes give
// first, are kept.
class JunitReportStream : public ReportStream {
 public:
  explicit JunitReportStream(const RunInfo& info) : info_(info) {}

  Status Add(const PacketResult& p) override {
    ++tests_;
    if (p.verdict == Verdict::kError) {
      ++errors_;
    } else if (p.verdict == Verdict::kTruncated) {
      ++skipped_;
    } else if (IsFailingVerdict(p.verdict)) {
      ++failures_;
    }
    return cases_.Append(TestCase(p));
  }

  Status Finish(const RunInfo& info, const RunSummary& s, const ReportWrite& write) override {
    Status st = write(Head(info, s));
    if (st.ok()) st = cases_.CopyTo(write);
    if (st.ok()) st = write("  </testsuite>\n</testsuites>\n");
    return st;
  }

 private:
  std::string TestCase(const PacketResult& p) const {
    const std::string classname = Attr(ClassName(info_));
    std::string out = "    <testcase name=\"" + Attr(ResultLabel(p)) + "\" classname=\"" +
                      classname + "\" time=\"" + Seconds(p.rtt_ms.value_or(0)) + "\"";
    const std::string message = ExplainVerdict(p);
    if (p.verdict == Verdict::kCorrect || p.verdict == Verdict::kSilentOk) return out + "/>\n";
    out += ">\n";
    if (p.verdict == Verdict::kTruncated) {
      out += "      <skipped message=\"" + Attr(message) + "\"/>\n";
    } else {
      const char* element = p.verdict == Verdict::kError ? "error" : "failure";
      const std::string type = p.verdict == Verdict::kError && !p.why_error.empty()
                                   ? p.why_error
                                   : VerdictName(p.verdict);
      out += std::string("      <") + element + " type=\"" + Attr(type) + "\" message=\"" +
             Attr(message) + "\">" + EscapeXml(CaseDetails(info_, p)) + "</" + element + ">\n";
      if (p.model_output) {
        out += "      <system-out>" + EscapeXml(*p.model_output) + "</system-out>\n";
      }
    }
    return out + "    </testcase>\n";
  }

  std::string Head(const RunInfo& info, const RunSummary& s) const;

  RunInfo info_;
  uint64_t tests_ = 0, failures_ = 0, errors_ = 0, skipped_ = 0;
  ReportSpool cases_;
};

std::string JunitReportStream::Head(const RunInfo& info, const RunSummary& s) const {
  const std::string counts = "tests=\"" + std::to_string(tests_) + "\" failures=\"" +
                             std::to_string(failures_) + "\" errors=\"" + std::to_string(errors_) +
                             "\" skipped=\"" + std::to_string(skipped_) + "\" time=\"" +
                             Seconds(1000 * WallSeconds(info.started_at, info.finished_at)) + "\"";
  const std::string model = info.model ? *info.model : "none";
  std::string suite = info.command + " of " + info.input;
  if (info.model) suite += " by " + model;
  suite += " (profile " + info.profile + ")";

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"" + Attr(kToolName) + "\" " + counts + ">\n";
  out += "  <testsuite name=\"" + Attr(suite) + "\" " + counts + " timestamp=\"" +
         Attr(info.started_at) + "\">\n";
  out += "    <properties>\n";
  Property(out, "tool", std::string(kToolName) + " " + LLMSTACK_VERSION);
  Property(out, "command", info.command);
  Property(out, "input", info.input);
  Property(out, "model", model);
  if (info.model_is_reference) Property(out, "model_note", kReferenceLabel);
  if (info.prompt_path) Property(out, "prompt", *info.prompt_path);
  if (info.prompt_sha256) Property(out, "prompt_sha256", *info.prompt_sha256);
  Property(out, "profile", info.profile);
  Property(out, "frames", std::to_string(s.frames));
  Property(out, "requests", std::to_string(s.requests));
  Property(out, "skipped", std::to_string(s.skipped));
  for (size_t v = 0; v < kVerdictCount; ++v) {
    Property(out, std::string("verdicts.") + VerdictName(static_cast<Verdict>(v)),
             std::to_string(s.verdicts[v]));
  }
  if (s.rtt.count > 0) {
    Property(out, "rtt_ms.min", FormatJsonNumber(s.rtt.min));
    Property(out, "rtt_ms.avg", FormatJsonNumber(s.rtt.avg()));
    Property(out, "rtt_ms.max", FormatJsonNumber(s.rtt.max));
    Property(out, "rtt_ms.mdev", FormatJsonNumber(s.rtt.mdev()));
  }
  Property(out, "usage.requests", std::to_string(s.model_requests));
  Property(out, "usage.retries", std::to_string(s.retries));
  Property(out, "usage.input_tokens", std::to_string(s.usage.input_tokens));
  Property(out, "usage.output_tokens", std::to_string(s.usage.output_tokens));
  Property(out, "usage.reasoning_tokens", std::to_string(s.usage.reasoning_tokens));
  Property(out, "usage.cache_read_tokens", std::to_string(s.usage.cache_read_tokens));
  if (s.usage.cost_known) {
    Property(out, "usage.cost_usd_estimate", FormatJsonNumber(s.usage.cost_usd));
  }
  if (s.samples > 1) {
    Property(out, "samples.k", std::to_string(s.samples));
    Property(out, "samples.pass_at_k", FormatJsonNumber(s.pass_at_k));
    Property(out, "samples.pass_all_k", FormatJsonNumber(s.pass_all_k));
  }
  out += "    </properties>\n";

  return out;
}

}  // namespace

std::unique_ptr<ReportStream> NewJunitReportStream(const RunInfo& info) {
  return std::make_unique<JunitReportStream>(info);
}

std::string RenderJunitReport(const RunInfo& info, const RunSummary& s,
                              const std::vector<PacketResult>& packets) {
  JunitReportStream stream(info);
  return RenderThroughStream(stream, info, s, packets);
}

}  // namespace llmstack
