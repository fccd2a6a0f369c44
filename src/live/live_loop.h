// Live mode's loop (DESIGN section 3): datagrams read from a port (the TUN device) are
// reassembled, echo requests asked of the model with at most `concurrency` in flight and within
// the budget, each answer graded and, as the policy says, written back; everything is recorded.
// It runs until stopped (Ctrl-C) or until the backend or the budget stops for good. The port,
// the session (and through it the Backend), the record, a clock and the stop signal come from
// outside, so tests drive it in-process.
#ifndef LLMSTACK_LIVE_LIVE_LOOP_H_
#define LLMSTACK_LIVE_LIVE_LOOP_H_

#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>

#include "base/clock.h"
#include "grade/profile.h"
#include "live/datagram_port.h"
#include "model/model_session.h"
#include "packet/capture_writer.h"
#include "packet/reassembly.h"
#include "run/result_sink.h"

namespace llmstack {

// What goes back to the device for one request.
enum class ReplyPolicy { kAsWritten, kOnlyCorrect, kFallbackReference };

const char* PolicyDescription(ReplyPolicy policy);

struct LiveLoopOptions {
  Profile profile = Profile::kRfc;
  int concurrency = 8;
  ReplyPolicy policy = ReplyPolicy::kAsWritten;
  bool quiet = false;
};

class LiveLoop {
 public:
  // `record` may be null.
  LiveLoop(const LiveLoopOptions& options, ModelSession* session, DatagramPort* port,
           CaptureWriter* record, FILE* out, Clock* clock, std::function<bool()> stop);

  // Errors: kIoError when the device or the record fails.
  Status Run();

  ResultSink& sink() { return sink_; }
  uint64_t frames() const { return frames_; }
  uint64_t request_frames() const { return request_frames_; }
  uint64_t graded() const { return graded_; }
  uint64_t abandoned() const { return abandoned_; }
  const std::string& stopped_because() const { return stopped_because_; }

 private:
  struct Job {
    std::shared_ptr<EchoPacket> request;
    RequestAssessment assessment;
    uint64_t index = 0;
    double read_at = 0;  // on the clock
  };

  Timestamp WallTime() const;
  Status OnDatagram(Bytes datagram);
  void Dispatch();
  void Handle(ModelAnswer answer);
  // Grades and prints one result; writes what the policy says to the device and the record.
  void Conclude(const Job& job, const std::optional<Bytes>& reply, ReplyMeta meta,
                double elapsed_ms);
  Status Record(ByteView data, const Timestamp& time, bool outbound, const std::string& comment);

  LiveLoopOptions o_;
  ModelSession* session_;
  DatagramPort* port_;
  CaptureWriter* record_;
  FILE* out_;
  Clock* clock_;
  std::function<bool()> stop_;
  ResultSink sink_;
  FragmentReassembler reassembler_;
  std::deque<Job> waiting_;  // read, not yet asked (concurrency or budget)
  std::map<uint64_t, Job> asked_;
  uint64_t next_id_ = 0, next_index_ = 0;
  uint64_t frames_ = 0, request_frames_ = 0, graded_ = 0, abandoned_ = 0;
  Status record_status_;
  std::string stopped_because_;
};

}  // namespace llmstack

#endif  // LLMSTACK_LIVE_LIVE_LOOP_H_
