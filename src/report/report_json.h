// The JSON report (DESIGN §6, schema "llmstack-replay.report/1").
#ifndef LLMSTACK_REPORT_REPORT_JSON_H_
#define LLMSTACK_REPORT_REPORT_JSON_H_

#include <string>
#include <vector>

#include "base/tool.h"
#include "report/run_results.h"

namespace llmstack {

inline constexpr const char* kReportSchema = "llmstack-replay.report/1";

std::string RenderJsonReport(const RunInfo& info, const RunSummary& summary,
                             const std::vector<PacketResult>& packets);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_REPORT_JSON_H_
