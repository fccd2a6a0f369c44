// Reports written as results arrive, in memory that does not grow with the number of results
// (DESIGN section 11): a report stream is given each result once, in request and sample order,
// renders that result's part of the report into a spool (a temporary file) and keeps only small
// counts; Finish() writes the report: the part before the results (which may need the whole
// run's numbers), the spooled results, and the end.
#ifndef LLMSTACK_REPORT_REPORT_STREAM_H_
#define LLMSTACK_REPORT_REPORT_STREAM_H_

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "report/run_results.h"

namespace llmstack {

// Where a finished report's text goes, piece by piece.
using ReportWrite = std::function<Status(std::string_view)>;

// Text appended to an anonymous temporary file (removed when closed), later copied out whole.
class ReportSpool {
 public:
  ReportSpool();
  ~ReportSpool();
  ReportSpool(const ReportSpool&) = delete;
  ReportSpool& operator=(const ReportSpool&) = delete;

  // Errors: kIoError when the temporary file cannot be made or written.
  Status Append(std::string_view text);
  // Writes everything appended so far to `write`, in pieces; the spool is then empty.
  // Errors: kIoError from reading the spool back, or whatever `write` returns.
  Status CopyTo(const ReportWrite& write);
  bool empty() const { return size_ == 0; }

 private:
  FILE* file_ = nullptr;
  uint64_t size_ = 0;
};

class ReportStream {
 public:
  virtual ~ReportStream() = default;
  // Takes the next result (request and sample order). Errors: kIoError from the spool.
  virtual Status Add(const PacketResult& result) = 0;
  // Writes the whole report. `info` and `summary` are the finished run's.
  virtual Status Finish(const RunInfo& info, const RunSummary& summary,
                        const ReportWrite& write) = 0;
};

// The report a stream writes for `results` (already in order), as one string: for tests and
// for reports of few results. An I/O error of the spool leaves the text written before it.
std::string RenderThroughStream(ReportStream& stream, const RunInfo& info,
                                const RunSummary& summary,
                                const std::vector<PacketResult>& results);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_REPORT_STREAM_H_
