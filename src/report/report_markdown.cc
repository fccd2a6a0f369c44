#include "report/report_markdown.h"

#include <cstdio>

#include "base/text_escape.h"
#include "report/report_json.h"
#include "report/report_text.h"
#include "report/statistics.h"
#include "report/terminal_report.h"

namespace llmstack {

namespace {

std::string Code(const std::string& text) {
  // Our own identifiers (field names, model specs) in a code span; a backtick inside would end
  // it, so such text is written as an escaped cell instead.
  if (text.find('`') != std::string::npos || text.find('|') != std::string::npos) {
    return EscapeMarkdownCell(text);
  }
  return "`" + ValidUtf8(text) + "`";
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Keeps the first kMarkdownListedResults rows to look at and counts the rest: nothing grows
// with the number of results.
class MarkdownReportStream : public ReportStream {
 public:
  explicit MarkdownReportStream(int samples) : samples_(samples) {}

  Status Add(const PacketResult& p) override {
    if (!NeedsAttention(p.verdict)) return Status::Ok();
    if (attention_++ >= kMarkdownListedResults) return Status::Ok();
    std::string request = "icmp_seq=" + std::to_string(p.seq) + " " + p.src + " → " + p.dst;
    if (samples_ > 1) request += " sample " + std::to_string(p.sample + 1);
    rows_ += "| " + std::to_string(p.request_frame) + " | " + EscapeMarkdownCell(request) + " | " +
             VerdictName(p.verdict) + " | " + EscapeMarkdownCell(ExplainVerdict(p)) + " |\n";
    return Status::Ok();
  }

  Status Finish(const RunInfo& info, const RunSummary& s, const ReportWrite& write) override {
    return write(Render(info, s));
  }

 private:
  std::string Render(const RunInfo& info, const RunSummary& s) const;

  int samples_;
  uint64_t attention_ = 0;
  std::string rows_;
};

std::string MarkdownReportStream::Render(const RunInfo& info, const RunSummary& s) const {
  const uint64_t attention = attention_;
  const uint64_t results = s.requests * static_cast<uint64_t>(s.samples);
  const bool passed = s.ExitCode() == 0 && s.count(Verdict::kError) == 0;

  std::string out = "### llmstack-replay: " + Code(info.input);
  if (info.model) out += " answered by " + Code(*info.model);
  out += "\n\n";
  out += std::string("**") + (passed ? "PASS" : "FAIL") + "**: ";
  out += std::to_string(s.count(Verdict::kCorrect) + s.count(Verdict::kSilentOk)) + " of " +
         std::to_string(results) + (s.samples > 1 ? " results" : " requests") +
         " handled correctly";
  if (attention > 0) out += ", " + std::to_string(attention) + " to look at";
  out += ". Profile `" + EscapeMarkdownCell(info.profile) + "`";
  if (info.model_is_reference) out += "; answers from the " + std::string(kReferenceLabel);
  if (info.prompt_path) {
    out += "; prompt " + Code(*info.prompt_path);
    if (info.prompt_sha256) out += " (sha256 `" + info.prompt_sha256->substr(0, 12) + "`)";
  }
  out += ".\n\n";

  // Verdicts: one row, every verdict, so runs compare column by column.
  std::string head = "|", rule = "|", row = "|";
  for (size_t v = 0; v < kVerdictCount; ++v) {
    head += " " + std::string(VerdictName(static_cast<Verdict>(v))) + " |";
    rule += "--:|";
    row += " " + std::to_string(s.verdicts[v]) + " |";
  }
  out += head + "\n" + rule + "\n" + row + "\n\n";

  std::string fields;
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (!s.field_seen[i] || (s.fields[i][1] == 0 && s.fields[i][2] == 0)) continue;
    fields += "| `" + std::string(GetFieldInfo(static_cast<FieldId>(i)).name) + "` | " +
              std::to_string(s.fields[i][0]) + " | " + std::to_string(s.fields[i][1]) + " | " +
              std::to_string(s.fields[i][2]) + " | " + Fixed(100 * FieldAccuracy(s.fields[i]), 1) +
              "% |\n";
  }
  if (!fields.empty()) {
    out += "| field | pass | warn | fail | accuracy |\n|---|--:|--:|--:|--:|\n" + fields + "\n";
  } else if (s.replied() > 0) {
    out += "Every graded field passed.\n\n";
  }

  if (s.samples > 1) {
    out += "Samples: k=" + std::to_string(s.samples) + ", pass@k " + Fixed(s.pass_at_k, 3) +
           ", all-k-correct " + Fixed(s.pass_all_k, 3) + "\n\n";
  }
  if (s.accuracy.graded > 0) {
    std::pair<double, double> ci = WilsonInterval(s.accuracy.correct, s.accuracy.graded);
    out += "Accuracy " + std::to_string(s.accuracy.correct) + "/" +
           std::to_string(s.accuracy.graded) + " = " +
           Fixed(100.0 * s.accuracy.correct / s.accuracy.graded, 1) + "% (95% interval " +
           Fixed(100 * ci.first, 1) + "-" + Fixed(100 * ci.second, 1) +
           "%, Wilson); by group: " + EscapeMarkdownCell(DescribeBreakdown(s)) + "\n\n";
  }
  if (s.rtt.count > 0) {
    out += "rtt p50/p90/p99 = " + Fixed(s.rtt.percentile(50), 3) + "/" +
           Fixed(s.rtt.percentile(90), 3) + "/" + Fixed(s.rtt.percentile(99), 3) + " ms\n\n";
  }
  if (s.rtt.count > 0) {
    out += "rtt min/avg/max/mdev = " + Fixed(s.rtt.min, 3) + "/" + Fixed(s.rtt.avg(), 3) + "/" +
           Fixed(s.rtt.max, 3) + "/" + Fixed(s.rtt.mdev(), 3) + " ms\n\n";
  }
  if (info.model && !info.model_is_reference) {
    out += "Tokens: " + std::to_string(s.usage.input_tokens) + " in, " +
           std::to_string(s.usage.output_tokens) + " out (" +
           std::to_string(s.usage.reasoning_tokens) + " reasoning), " +
           std::to_string(s.usage.cache_read_tokens) + " cache read; " +
           std::to_string(s.model_requests) + " requests sent, " + std::to_string(s.retries) +
           " retries, " + std::to_string(s.cache_hits) + " answers from cache. ";
    out += s.usage.cost_known
               ? "Estimated cost $" + Fixed(s.usage.cost_usd, 4) +
                     (s.cost_per_correct()
                          ? " ($" + Fixed(*s.cost_per_correct(), 6) + " per correct reply)"
                          : std::string()) +
                     ".\n\n"
               : "Cost unknown.\n\n";
  }

  if (attention > 0) {
    out += "| frame | request | verdict | what went wrong |\n|--:|---|---|---|\n";
    out += rows_;
    if (attention > kMarkdownListedResults) {
      out += "\n... and " + std::to_string(attention - kMarkdownListedResults) +
             " more (see the HTML or JSON report).\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::unique_ptr<ReportStream> NewMarkdownReportStream(int samples) {
  return std::make_unique<MarkdownReportStream>(samples);
}

std::string RenderMarkdownReport(const RunInfo& info, const RunSummary& s,
                                 const std::vector<PacketResult>& packets) {
  MarkdownReportStream stream(s.samples);
  return RenderThroughStream(stream, info, s, packets);
}

}  // namespace llmstack
