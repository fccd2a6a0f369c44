#include "cli/grade_command.h"

#include "report/reports.h"

namespace llmstack {

int RunGradeCommand(const GradeOptions& options, FILE* out, FILE* err) {
  for (const std::string& path : options.reports) {
    Result<ReportFormat> f = ReportFormatFor(path);
    if (!f.ok()) {
      std::fprintf(err, "llmstack-replay: %s\n", f.status().message().c_str());
      return 2;
    }
  }
  Result<RunSummary> summary = RunGrade(options, out);
  if (!summary.ok()) {
    std::fprintf(err, "llmstack-replay: %s\n", summary.status().message().c_str());
    return 2;
  }
  return summary->ExitCode();
}

}  // namespace llmstack
