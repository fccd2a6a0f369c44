// The JSON report (DESIGN §6, schema "llmstack-replay.report/1").
#ifndef LLMSTACK_REPORT_REPORT_JSON_H_
#define LLMSTACK_REPORT_REPORT_JSON_H_

#include <memory>
#include <string>
#include <vector>

#include "base/tool.h"
#include "report/report_stream.h"
#include "report/run_results.h"

namespace llmstack {

inline constexpr const char* kReportSchema = "llmstack-replay.report/1";

// Streams the report: the packets spooled as they come, the rest written by Finish().
std::unique_ptr<ReportStream> NewJsonReportStream();

std::string RenderJsonReport(const RunInfo& info, const RunSummary& summary,
                             const std::vector<PacketResult>& packets);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_REPORT_JSON_H_
