// The main job's loop: echo requests read from a capture are asked of the model with at most
// `concurrency` in flight, within the budget; each answer is graded as it arrives; the output
// capture gets the request frames and the replies in time order (a reply stamped at its
// request's time plus the model's latency), written as soon as no earlier frame can still come.
// Everything the loop needs from outside comes in: the session (and through it the Backend),
// the writer, the result sink, a clock and a stop signal, so tests drive it in-process.
#ifndef LLMSTACK_RUN_REPLAY_RUN_H_
#define LLMSTACK_RUN_REPLAY_RUN_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <vector>

#include "base/clock.h"
#include "grade/profile.h"
#include "model/model_session.h"
#include "packet/capture_writer.h"
#include "packet/packet_stream.h"
#include "report/progress.h"
#include "run/result_sink.h"

namespace llmstack {

struct ReplayRunOptions {
  Profile profile = Profile::kRfc;
  int samples = 1;
  int concurrency = 8;
  bool replies_only = false;
  bool include_negatives = false;
};

class ReplayRun {
 public:
  // `progress` may be null. `stop` is polled between answers (Ctrl-C).
  ReplayRun(const ReplayRunOptions& options, ModelSession* session, CaptureWriter* writer,
            LinkType link, ResultSink* sink, ProgressBar* progress, Clock* clock,
            std::function<bool()> stop);

  // Runs to the end of `stream` (or until stopped). Errors: the capture's (damaged past the
  // check), or the output's (kIoError).
  Status Run(PacketStream& stream);

  uint64_t requests() const { return requests_ - unanswered_; }  // those with a result
  uint64_t not_sent() const { return not_sent_; }  // negatives left out (no --include-negatives)
  uint64_t request_frames() const { return request_frames_; }
  bool interrupted() const { return interrupted_; }
  uint64_t unanswered() const { return unanswered_; }  // left for --resume by an interruption
  // Set when the backend stopped the whole run (authentication, spend limit, a command that
  // cannot run): the reason, said once.
  const std::optional<std::string>& stopped_because() const { return stopped_because_; }
  double elapsed_s() const { return elapsed_s_; }  // how long Run() took, on the clock

 private:
  struct Job {
    std::shared_ptr<EchoPacket> request;
    RequestAssessment assessment;
    uint64_t index = 0;
    int sample = 0;
  };
  struct QueuedFrame {
    Timestamp time;
    uint64_t order = 0;
    Bytes data;
    uint32_t original_length = 0;
    bool outbound = false;
    std::string comment;
    std::optional<ResultSink::Handle> result;
  };
  struct LaterFirst {
    bool operator()(const QueuedFrame& a, const QueuedFrame& b) const;
  };

  void Queue(QueuedFrame f);
  Status FlushUntil(const std::optional<Timestamp>& watermark);
  void Handle(ModelAnswer answer);
  // --max-cost refuses the next request: the run stops, and says why once.
  void ExhaustBudget();
  void RecordUnasked(const std::shared_ptr<EchoPacket>& packet, const RequestAssessment& a,
                     uint64_t index, const char* why, const std::string& message);
  // Reads the next request to ask (skipping what is not asked). False at the end.
  Result<bool> NextRequest(PacketStream& stream, std::shared_ptr<EchoPacket>* packet,
                           RequestAssessment* assessment, uint64_t* index);

  ReplayRunOptions o_;
  ModelSession* session_;
  CaptureWriter* writer_;
  LinkType link_;
  ResultSink* sink_;
  ProgressBar* progress_;
  Clock* clock_;
  std::function<bool()> stop_;
  std::map<uint64_t, Job> jobs_;
  std::priority_queue<QueuedFrame, std::vector<QueuedFrame>, LaterFirst> frames_;
  uint64_t order_ = 0, next_id_ = 0;
  uint64_t requests_ = 0, not_sent_ = 0, request_frames_ = 0;  // read
  uint64_t written_ = 0, answered_ = 0, unanswered_ = 0;       // done
  std::vector<bool> recorded_;  // by request index: some result was recorded
  bool budget_exhausted_ = false;
  bool interrupted_ = false;
  std::optional<std::string> stopped_because_;
  std::string stopped_why_;  // the why_error of the answer that stopped the run
  std::optional<Timestamp> last_input_time_;
  double elapsed_s_ = 0;
};

}  // namespace llmstack

#endif  // LLMSTACK_RUN_REPLAY_RUN_H_
