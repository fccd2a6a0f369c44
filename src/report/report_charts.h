// The HTML report's charts, as inline SVG (no scripts, no external assets): per-field
// pass/warn/fail bars and the latency distribution. Text in them is escaped; sizes are in
// viewBox units so the charts scale with the page.
#ifndef LLMSTACK_REPORT_REPORT_CHARTS_H_
#define LLMSTACK_REPORT_REPORT_CHARTS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace llmstack {

struct FieldBar {
  std::string name;   // "icmp.checksum"
  std::string title;  // "ICMP checksum"
  uint64_t pass = 0, warn = 0, fail = 0;
};

// One horizontal bar per graded field, split into pass (green), warn (amber) and fail (red)
// shares, with the pass percentage and the warn/fail counts beside it; fields that are only
// informational (any value is fine, no counts) are named in one line below. Empty when `bars`
// is.
std::string FieldGradeChart(const std::vector<FieldBar>& bars);

struct LatencyPoint {
  double ms = 0;
  bool correct = false;
};

// A histogram of latencies (Rice rule bins, 5 to 30), each bin split into correct replies and
// the rest, with the average marked. Empty when there are no points.
std::string LatencyChart(const std::vector<LatencyPoint>& points, double avg_ms);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_REPORT_CHARTS_H_
