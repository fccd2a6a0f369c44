// The HTML report: one self-contained page to read or project. No scripts and no external
// assets (a Content-Security-Policy forbids both, so even text that escaped escaping could not
// run or fetch anything); prints cleanly.
//
// Top: the run (input, model or the reference stack labelled as not a model, profile, prompt),
// the verdict counts, per-field pass/warn/fail and latency charts (inline SVG), rtt
// min/avg/max/mdev, tokens and cost. Then the results to look at, linked. Then every result in
// capture order: the bytes of request, expected and actual reply with the differing bytes
// marked, the field table, every checksum step, the model's text and reasoning verbatim, tokens
// and cost. Correct results are collapsed; past kHtmlDetailedResults results, only the first
// kHtmlDetailedResults results to look at keep their details and the others get one line each
// (the JSON report has everything).
#ifndef LLMSTACK_REPORT_REPORT_HTML_H_
#define LLMSTACK_REPORT_REPORT_HTML_H_

#include <memory>
#include <string>
#include <vector>

#include "report/report_stream.h"
#include "report/run_results.h"

namespace llmstack {

inline constexpr size_t kHtmlDetailedResults = 300;

// Streams the page (`info` as known when the run starts: it names the model in each result).
std::unique_ptr<ReportStream> NewHtmlReportStream(const RunInfo& info, int samples);

std::string RenderHtmlReport(const RunInfo& info, const RunSummary& summary,
                             const std::vector<PacketResult>& packets);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_REPORT_HTML_H_
