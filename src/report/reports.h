// Writing the reports a run was asked for (-r, repeatable), each by its extension and each
// atomically: .json (the schema of DESIGN §6; the reference for every other format), .html
// (a self-contained page), .md (a pull-request comment), .xml (JUnit), .csv (a row per request
// and sample).
//
// A -r argument is a path, used as given, or a bare format name ("html" or ".html"), which asks
// for a generated name in the reports/ directory of the current directory (created when
// missing): reports/<input file name without extension>-<model>.<ext>, e.g.
// reports/kernel-sizes-anthropic-claude-haiku-4-5.html ("grade" in place of the model for
// `grade`).
#ifndef LLMSTACK_REPORT_REPORTS_H_
#define LLMSTACK_REPORT_REPORTS_H_

#include <string>
#include <vector>

#include "base/status.h"
#include "report/run_results.h"

namespace llmstack {

enum class ReportFormat { kJson, kHtml, kMarkdown, kJunit, kCsv };

inline constexpr const char* kReportDirectory = "reports";

// The format a -r argument asks for. Errors: kInvalidArgument naming the supported extensions.
Result<ReportFormat> ReportFormatFor(const std::string& arg);

// Where the report for a -r argument goes (see above). REQUIRES: ReportFormatFor(arg).ok().
std::string ReportPath(const std::string& arg, const RunInfo& info);

// The report in one format.
std::string RenderReport(ReportFormat format, const RunInfo& info, const RunSummary& summary,
                         const std::vector<PacketResult>& results);

// Writes every report. Errors: kInvalidArgument for an unknown extension, kIoError naming the
// file that could not be written (the reports before it are written).
Status WriteReports(const std::vector<std::string>& args, const RunInfo& info,
                    const RunSummary& summary, const std::vector<PacketResult>& results);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_REPORTS_H_
