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

#include <memory>
#include <string>
#include <vector>

#include "base/output_file.h"
#include "base/status.h"
#include "report/report_stream.h"
#include "report/run_results.h"

namespace llmstack {

enum class ReportFormat { kJson, kHtml, kMarkdown, kJunit, kCsv };

inline constexpr const char* kReportDirectory = "reports";

// The format a -r argument asks for. Errors: kInvalidArgument naming the supported extensions.
Result<ReportFormat> ReportFormatFor(const std::string& arg);

// Where the report for a -r argument goes (see above). REQUIRES: ReportFormatFor(arg).ok().
std::string ReportPath(const std::string& arg, const RunInfo& info);
// Creates the reports/ directory that ReportPath names files in, when missing (`path`, the
// report's, names the failure).
Status MakeReportDirectory(const std::string& path);
// The paths of `reports` (-r arguments) added to `outputs` for CheckOutputPaths, with reports/
// created when a bare format name asks for it.
Status AddReportOutputs(const std::vector<std::string>& reports, const RunInfo& info,
                        std::vector<NamedPath>* outputs);

// The report in one format.
std::string RenderReport(ReportFormat format, const RunInfo& info, const RunSummary& summary,
                         const std::vector<PacketResult>& results);

// A streaming report in one format. `info` is the run as known before the first result.
std::unique_ptr<ReportStream> NewReportStream(ReportFormat format, const RunInfo& info,
                                              int samples);

// The reports of one run, streamed: each result is rendered into every report's spool as it
// comes (in request and sample order), and Finish() writes the files. Memory stays the same
// whatever the number of results.
class RunReports {
 public:
  // One report per -r argument. Errors: kInvalidArgument for an unknown extension.
  static Result<std::unique_ptr<RunReports>> Open(const std::vector<std::string>& args,
                                                  const RunInfo& info, int samples);
  // Errors: kIoError from a spool (the first one is kept and returned by Finish() too).
  Status Add(const PacketResult& result);
  // Writes every report, each atomically, and returns the paths written. Errors: kIoError
  // naming the file that could not be written (the reports before it are written).
  Result<std::vector<std::string>> Finish(const RunInfo& info, const RunSummary& summary);
  // No -r argument: Add() has nothing to write to.
  bool empty() const { return reports_.empty(); }

 private:
  struct Report {
    std::string arg;
    std::unique_ptr<ReportStream> stream;
  };
  std::vector<Report> reports_;
  Status status_;
};

// "JSON report: x.json", a line per report written (none for standard output).
std::string DescribeWrittenReports(const std::vector<std::string>& paths);

// Writes every report. Errors: kInvalidArgument for an unknown extension, kIoError naming the
// file that could not be written (the reports before it are written).
Status WriteReports(const std::vector<std::string>& args, const RunInfo& info,
                    const RunSummary& summary, const std::vector<PacketResult>& results);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_REPORTS_H_
