// The Markdown report: a short summary fit for a pull-request comment (GitHub-flavoured
// tables): the verdict counts, the fields that failed or warned, rtt, tokens and cost, and the
// first few results that need attention with what went wrong in each.
#ifndef LLMSTACK_REPORT_REPORT_MARKDOWN_H_
#define LLMSTACK_REPORT_REPORT_MARKDOWN_H_

#include <memory>
#include <string>
#include <vector>

#include "report/report_stream.h"
#include "report/run_results.h"

namespace llmstack {

inline constexpr size_t kMarkdownListedResults = 10;

std::unique_ptr<ReportStream> NewMarkdownReportStream(int samples);

std::string RenderMarkdownReport(const RunInfo& info, const RunSummary& summary,
                                 const std::vector<PacketResult>& packets);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_REPORT_MARKDOWN_H_
