// The JUnit XML report, as CI systems read it: one <testsuite> for the run, one <testcase> per
// request and sample, named "icmp_seq=3 192.0.2.1>192.0.2.2 sample 1 (frame 5)". Verdicts map
// as DESIGN §6 says: wrong, no_reply, unparseable and unexpected_reply are <failure> (the
// message lists the failing fields), error is <error>, truncated is <skipped>; correct and
// silent_ok pass. The run's numbers (verdict counts, rtt, tokens, cost) are <property>s. The
// model's text of each failed case is in its <system-out>.
#ifndef LLMSTACK_REPORT_REPORT_JUNIT_H_
#define LLMSTACK_REPORT_REPORT_JUNIT_H_

#include <memory>
#include <string>
#include <vector>

#include "report/report_stream.h"
#include "report/run_results.h"

namespace llmstack {

std::unique_ptr<ReportStream> NewJunitReportStream(const RunInfo& info);

std::string RenderJunitReport(const RunInfo& info, const RunSummary& summary,
                              const std::vector<PacketResult>& packets);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_REPORT_JUNIT_H_
