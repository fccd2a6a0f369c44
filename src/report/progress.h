// A progress bar on stderr for long runs, only on a terminal.
#ifndef LLMSTACK_REPORT_PROGRESS_H_
#define LLMSTACK_REPORT_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace llmstack {

class ProgressBar {
 public:
  // Shown only when `enabled` and stderr is a terminal.
  ProgressBar(FILE* err, bool enabled, uint64_t total);
  // Redraws at most ten times a second.
  void Update(uint64_t done, uint64_t in_flight, uint64_t retries, double cost_usd,
              bool cost_known);
  // Erases the bar (before a line is printed, and at the end).
  void Clear();

 private:
  FILE* err_;
  bool enabled_;
  uint64_t total_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_PROGRESS_H_
