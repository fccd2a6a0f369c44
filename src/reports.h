// Writing the reports a run was asked for (-r FILE, by extension), each atomically.
#ifndef LLMSTACK_REPORTS_H_
#define LLMSTACK_REPORTS_H_

#include <string>
#include <vector>

#include "results.h"
#include "status.h"

namespace llmstack {

enum class ReportFormat { kJson };

// Errors: kInvalidArgument naming the supported extensions.
Result<ReportFormat> ReportFormatFor(const std::string& path);

Status WriteReports(const std::vector<std::string>& paths, const RunInfo& info,
                    const RunSummary& summary, const std::vector<PacketResult>& results);

}  // namespace llmstack

#endif  // LLMSTACK_REPORTS_H_
