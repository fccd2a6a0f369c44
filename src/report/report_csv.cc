#include "report/report_csv.h"

#include "base/text_escape.h"
#include "report/report_text.h"

namespace llmstack {

namespace {

constexpr const char* kColumns[] = {"index",
                                    "sample",
                                    "frame",
                                    "time",
                                    "family",
                                    "src",
                                    "dst",
                                    "ident",
                                    "seq",
                                    "expect_reply",
                                    "verdict",
                                    "failing_fields",
                                    "warning_fields",
                                    "details",
                                    "reply_frame",
                                    "rtt_ms",
                                    "input_tokens",
                                    "output_tokens",
                                    "reasoning_tokens",
                                    "cache_read_tokens",
                                    "cost_usd_estimate",
                                    "attempts",
                                    "from_cache",
                                    "why_error"};

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ";") + n;
  return out;
}

std::string CsvHeader() {
  std::string out;
  for (const char* column : kColumns) {
    if (!out.empty()) out += ',';
    out += column;
  }
  return out + "\r\n";
}

std::string CsvRow(const PacketResult& p) {
  const bool asked = p.attempts > 0 || p.from_cache;
  const char* expect = p.expectation == ReplyExpectation::kRequired   ? "true"
                       : p.expectation == ReplyExpectation::kOptional ? "optional"
                                                                      : "false";
  std::vector<std::string> row = {
      std::to_string(p.index),
      std::to_string(p.sample),
      std::to_string(p.request_frame),
      FormatJsonNumber(p.request_time),
      FamilyName(p.family),
      p.src,
      p.dst,
      std::to_string(p.ident),
      std::to_string(p.seq),
      expect,
      VerdictName(p.verdict),
      JoinNames(FieldNames(p, FieldGrade::kFail)),
      JoinNames(FieldNames(p, FieldGrade::kWarn)),
      ExplainVerdict(p),
      p.reply_frame ? std::to_string(*p.reply_frame) : "",
      p.rtt_ms ? FormatJsonNumber(*p.rtt_ms) : "",
      asked ? std::to_string(p.usage.input_tokens) : "",
      asked ? std::to_string(p.usage.output_tokens) : "",
      asked ? std::to_string(p.usage.reasoning_tokens) : "",
      asked ? std::to_string(p.usage.cache_read_tokens) : "",
      asked && p.usage.cost_known ? FormatJsonNumber(p.usage.cost_usd) : "",
      asked ? std::to_string(p.attempts) : "",
      asked ? (p.from_cache ? "true" : "false") : "",
      p.why_error,
  };
  std::string line;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvField(row[i]);
  }
  return line + "\r\n";
}

// Rows are spooled: the file is written whole at the end, as every report is.
class CsvReportStream : public ReportStream {
 public:
  Status Add(const PacketResult& p) override { return rows_.Append(CsvRow(p)); }
  Status Finish(const RunInfo&, const RunSummary&, const ReportWrite& write) override {
    Status s = write(CsvHeader());
    if (s.ok()) s = rows_.CopyTo(write);
    return s;
  }

 private:
  ReportSpool rows_;
};

}  // namespace

std::unique_ptr<ReportStream> NewCsvReportStream() { return std::make_unique<CsvReportStream>(); }

std::string RenderCsvReport(const RunInfo& info, const RunSummary& s,
                            const std::vector<PacketResult>& packets) {
  CsvReportStream stream;
  return RenderThroughStream(stream, info, s, packets);
}

}  // namespace llmstack
