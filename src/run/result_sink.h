// Where graded results go: the summary (always), a ping-style line on the terminal (unless
// quiet) and, when reports are wanted, a PacketResult for them. Shared by `grade`, the main job
// and `live`.
//
// Results are recorded as answers arrive, out of order; the reports take them in request and
// sample order. A reorder buffer sits between: a result waits in it until it is final (its
// reply frame written, see Release()) and every result before it has gone on, so the buffer
// holds only the results still in flight, never the whole run.
#ifndef LLMSTACK_RUN_RESULT_SINK_H_
#define LLMSTACK_RUN_RESULT_SINK_H_

#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "report/reports.h"
#include "report/run_results.h"
#include "report/terminal_report.h"

namespace llmstack {

// What is known about a reply besides its bytes.
struct ReplyMeta {
  int sample = 0;
  std::optional<uint64_t> reply_frame;
  std::optional<double> rtt_ms;
  std::optional<std::string> model_output;
  std::optional<std::string> model_reasoning;
  std::string extraction;  // how the reply was read from the model's text
  Usage usage;
  int attempts = 0;
  bool from_cache = false;
  // Set for results that are not graded replies: kUnparseable or kError.
  std::optional<Verdict> verdict_override;
  std::string why_error;
  std::string error_message;
  // Whether it gets a terminal line (one for the first request a stopped run refused, not one
  // per request).
  bool print_line = true;
};

class ResultSink {
 public:
  ResultSink(FILE* out, bool print_lines, bool keep_results, int samples);

  // Grades `reply` (null: none) for `request` and records the outcome.
  // Returns the verdict.
  Verdict Record(const EchoPacket& request, const RequestAssessment& assessment, uint64_t index,
                 const ByteView* reply, const ReplyMeta& meta, Profile profile);

  // Put before every terminal line ("[CELL] " in a matrix run).
  void set_line_prefix(std::string prefix) { line_prefix_ = std::move(prefix); }
  // Called before each line is printed (e.g. to erase a progress bar).
  void set_before_print(std::function<void()> f) { before_print_ = std::move(f); }

  // The grade of the last Record() call (valid until the next).
  const ReplyGrade& last_grade() const { return grade_; }

  RunSummary& summary() { return summary_; }

  // Streams results to `reports` in order instead of keeping them (TakeResults() is then
  // empty). Reports with no report to write are no reports: no per-packet result is built
  // for them. REQUIRES: no result recorded yet.
  void set_reports(RunReports* reports) {
    reports_ = reports && !reports->empty() ? reports : nullptr;
  }
  // Results are final when recorded (no Release() follows), as in `grade`.
  void set_final_when_recorded() { final_when_recorded_ = true; }

  // A recorded result, to be released when it is final: when its reply frame has been written
  // (the frame number is known then), or at once when it has none.
  using Handle = uint64_t;
  Handle last_handle() const { return last_handle_; }
  void Release(Handle handle, std::optional<uint64_t> reply_frame);
  // Results sorted by request and sample (every one still waiting goes too).
  std::vector<PacketResult> TakeResults();
  // Sends every result still waiting on to the reports, in order (at the end of a run).
  void FlushResults();
  // Per request: whether any / every sample was correct, for pass@k. Only with samples > 1.
  void FinishSamples();

 private:
  FILE* out_;
  bool print_lines_;
  bool keep_results_;
  int samples_;
  ReplyGrade grade_;
  RunSummary summary_;
  // The reorder buffer, by position (request index x samples + sample).
  struct Waiting {
    PacketResult result;
    bool final = false;
    bool skip = false;  // no result comes for this position
  };
  std::map<uint64_t, Waiting> waiting_;
  uint64_t next_position_ = 0;  // the next result the reports take
  Handle last_handle_ = 0;
  bool final_when_recorded_ = false;
  RunReports* reports_ = nullptr;
  std::vector<PacketResult> results_;  // results in order, without `reports_`
  void Pass(PacketResult&& result);
  void PassReady();  // passes on the final results at the front of the buffer
  // index -> (correct samples, graded samples) for requests that expect a reply.
  std::vector<std::pair<int, int>> sample_tally_;
  std::function<void()> before_print_;
  std::string line_prefix_;
};

}  // namespace llmstack

#endif  // LLMSTACK_RUN_RESULT_SINK_H_
