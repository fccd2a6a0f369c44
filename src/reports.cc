#include "reports.h"

#include "atomic_file.h"
#include "report_json.h"

namespace llmstack {

namespace {
bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

Result<ReportFormat> ReportFormatFor(const std::string& path) {
  if (EndsWith(path, ".json")) return ReportFormat::kJson;
  return InvalidArgument(path + ": unknown report format (use .json)");
}

Status WriteReports(const std::vector<std::string>& paths, const RunInfo& info,
                    const RunSummary& summary, const std::vector<PacketResult>& results) {
  for (const std::string& path : paths) {
    Result<ReportFormat> format = ReportFormatFor(path);
    if (!format.ok()) return format.status();
    std::string content;
    switch (*format) {
      case ReportFormat::kJson:
        content = RenderJsonReport(info, summary, results);
        break;
    }
    Status s = WriteFileAtomically(path, content);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace llmstack
