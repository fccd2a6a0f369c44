// The CSV report: a header line, then a row per request and sample (RFC 4180: CRLF line ends,
// fields quoted when they need it). Numbers are written as the JSON report writes them; an empty
// field is a null there.
//
// Columns: index (request number from 0), sample (from 0), frame, time, family, src, dst, ident,
// seq, expect_reply (true, false or optional), verdict, failing_fields and warning_fields (field
// names separated by ';'), details (what went wrong, in words), reply_frame, rtt_ms,
// input_tokens, output_tokens, reasoning_tokens, cache_read_tokens, cost_usd_estimate,
// attempts, from_cache, why_error.
#ifndef LLMSTACK_REPORT_REPORT_CSV_H_
#define LLMSTACK_REPORT_REPORT_CSV_H_

#include <memory>
#include <string>
#include <vector>

#include "report/report_stream.h"
#include "report/run_results.h"

namespace llmstack {

std::unique_ptr<ReportStream> NewCsvReportStream();

std::string RenderCsvReport(const RunInfo& info, const RunSummary& summary,
                            const std::vector<PacketResult>& packets);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_REPORT_CSV_H_
