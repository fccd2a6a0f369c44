#include "cli/replay_command.h"

#include <limits.h>
#include <stdlib.h>

#include <map>
#include <memory>
#include <queue>
#include <set>

#include "base/interrupt.h"
#include "grade/responder.h"
#include "model/extract.h"
#include "packet/capture.h"
#include "packet/capture_writer.h"
#include "packet/packet_stream.h"
#include "report/progress.h"
#include "report/report_json.h"
#include "report/reports.h"
#include "report/verdict_comment.h"
#include "run/result_sink.h"

namespace llmstack {

namespace {

int Fail(FILE* err, const std::string& message) {
  std::fprintf(err, "llmstack-replay: %s\n", message.c_str());
  return 2;
}

bool SameFile(const std::string& a, const std::string& b) {
  char ra[PATH_MAX], rb[PATH_MAX];
  if (realpath(a.c_str(), ra) == nullptr || realpath(b.c_str(), rb) == nullptr) return false;
  return std::string(ra) == rb;
}

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
  std::optional<size_t> result_slot;
};

struct LaterFirst {
  bool operator()(const QueuedFrame& a, const QueuedFrame& b) const {
    if (a.time.sec != b.time.sec) return a.time.sec > b.time.sec;
    if (a.time.nsec != b.time.nsec) return a.time.nsec > b.time.nsec;
    return a.order > b.order;
  }
};

bool NotAfter(const Timestamp& a, const Timestamp& b) {
  return a.sec < b.sec || (a.sec == b.sec && a.nsec <= b.nsec);
}

struct CaptureCheck {
  uint64_t requests = 0;
};

// Reads the whole capture once so that a damaged file is refused before anything is asked
// or written.
Result<CaptureCheck> CheckCapture(const std::string& path) {
  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(path);
  if (!reader.ok()) return reader.status();
  PacketStream stream(reader->get(), false);
  EchoPacket p;
  CaptureCheck check;
  for (;;) {
    Result<bool> more = stream.Next(&p);
    if (!more.ok()) return more.status();
    if (!*more) break;
    check.requests += p.is_request();
  }
  return check;
}

class ReplayPipeline {
 public:
  ReplayPipeline(const ReplayOptions& o, ModelSession* session, CaptureWriter* writer,
                 LinkType link, FILE* out, FILE* err, uint64_t total_queries)
      : o_(o),
        session_(session),
        writer_(writer),
        link_(link),
        sink_(out, !o.quiet, !o.reports.empty(), o.samples),
        progress_(err, !o.quiet && !o.no_progress, total_queries) {
    sink_.set_before_print([this] { progress_.Clear(); });
  }

  Status Run(PacketStream& stream);
  ResultSink& sink() { return sink_; }
  uint64_t requests() const { return requests_ - unanswered_; }
  uint64_t not_sent() const { return not_sent_; }
  uint64_t request_frames() const { return request_frames_; }
  bool interrupted() const { return interrupted_; }
  uint64_t unanswered() const { return unanswered_; }
  void ClearProgress() { progress_.Clear(); }

 private:
  void Queue(QueuedFrame f) {
    f.order = order_++;
    frames_.push(std::move(f));
  }
  Status FlushUntil(const std::optional<Timestamp>& watermark);
  void Handle(ModelAnswer answer);
  void RecordUnasked(const std::shared_ptr<EchoPacket>& packet, const RequestAssessment& a,
                     uint64_t index, const char* why, const std::string& message);

  const ReplayOptions& o_;
  ModelSession* session_;
  CaptureWriter* writer_;
  LinkType link_;
  ResultSink sink_;
  ProgressBar progress_;
  std::map<uint64_t, Job> jobs_;
  std::priority_queue<QueuedFrame, std::vector<QueuedFrame>, LaterFirst> frames_;
  uint64_t order_ = 0;
  uint64_t next_id_ = 0;
  uint64_t requests_ = 0;
  uint64_t not_sent_ = 0;
  uint64_t request_frames_ = 0;
  uint64_t written_ = 0;
  uint64_t answered_ = 0;
  uint64_t unanswered_ = 0;
  std::vector<bool> recorded_;  // by request index: some result was recorded
  bool budget_exhausted_ = false;
  bool interrupted_ = false;
  std::optional<Timestamp> last_input_time_;
};

Status ReplayPipeline::FlushUntil(const std::optional<Timestamp>& watermark) {
  while (!frames_.empty()) {
    const QueuedFrame& f = frames_.top();
    if (watermark && !NotAfter(f.time, *watermark)) break;
    OutputFrame frame;
    frame.time = f.time;
    frame.data = f.data;
    frame.original_length = f.original_length;
    frame.outbound = f.outbound;
    frame.comment = f.comment;
    Status s = writer_->Write(frame);
    if (!s.ok()) return s;
    ++written_;
    if (f.result_slot) sink_.result_at(*f.result_slot).reply_frame = written_;
    frames_.pop();
  }
  return Status::Ok();
}

void ReplayPipeline::RecordUnasked(const std::shared_ptr<EchoPacket>& packet,
                                   const RequestAssessment& a, uint64_t index, const char* why,
                                   const std::string& message) {
  for (int sample = 0; sample < o_.samples; ++sample) {
    ReplyMeta meta;
    meta.sample = sample;
    meta.verdict_override = Verdict::kError;
    meta.why_error = why;
    meta.error_message = message;
    sink_.Record(*packet, a, index, nullptr, meta, o_.profile);
  }
}

void ReplayPipeline::Handle(ModelAnswer answer) {
  auto it = jobs_.find(answer.id);
  if (it == jobs_.end()) return;
  Job job = std::move(it->second);
  jobs_.erase(it);
  ++answered_;
  if (recorded_.size() <= job.index) recorded_.resize(job.index + 1, false);
  recorded_[job.index] = true;
  const EchoPacket& request = *job.request;
  const bool reference = session_->is_reference();

  ReplyMeta meta;
  meta.sample = job.sample;
  meta.usage = answer.usage;
  meta.attempts = static_cast<int>(answer.attempts.size());
  meta.from_cache = answer.from_cache;
  if (!reference) meta.model_output = answer.text;
  if (!answer.reasoning.empty()) meta.model_reasoning = answer.reasoning;
  RunSummary& summary = sink_.summary();
  summary.model_requests += answer.attempts.size();
  if (answer.attempts.size() > 1) summary.retries += answer.attempts.size() - 1;

  if (!answer.status.ok()) {
    meta.verdict_override = Verdict::kError;
    meta.why_error = answer.why_error.empty() ? "backend" : answer.why_error;
    meta.error_message = answer.status.message();
    sink_.Record(request, job.assessment, job.index, nullptr, meta, o_.profile);
    return;
  }
  meta.rtt_ms = answer.latency_ms;

  std::optional<Bytes> reply;
  if (answer.reply) {
    reply = std::move(answer.reply);
  } else if (!answer.no_reply) {
    ExtractedReply extracted = ExtractReply(answer.text, request);
    if (extracted.kind == ExtractedReply::Kind::kPacket) {
      reply = std::move(extracted.packet);
    } else if (extracted.kind == ExtractedReply::Kind::kUnparseable) {
      meta.verdict_override = Verdict::kUnparseable;
      meta.error_message = extracted.why;
    }
  }
  ByteView view = reply ? ByteView(*reply) : ByteView();
  Verdict verdict =
      sink_.Record(request, job.assessment, job.index, reply ? &view : nullptr, meta, o_.profile);
  if (!reply) return;

  QueuedFrame f;
  f.time = request.time.PlusMilliseconds(answer.latency_ms);
  f.data = ReplyLinkHeader(link_, request.link_header);
  f.data.insert(f.data.end(), reply->begin(), reply->end());
  f.outbound = true;
  f.comment =
      VerdictComment(verdict, sink_.last_grade(), request.datagram, view, session_->plan().spec,
                     reference, job.sample, o_.samples, answer.latency_ms);
  if (!o_.reports.empty()) f.result_slot = sink_.last_result_slot();
  Queue(std::move(f));
}

Status ReplayPipeline::Run(PacketStream& stream) {
  bool input_done = false;
  const size_t limit = static_cast<size_t>(std::max(1, o_.session.backend.concurrency));
  std::shared_ptr<EchoPacket> held;  // read, but waiting for the budget
  while (!input_done || !jobs_.empty() || held) {
    if (Interrupted()) {
      interrupted_ = true;
      // Requests with no finished answer do not count: --resume asks them.
      std::set<uint64_t> open;
      for (const auto& [id, job] : jobs_) open.insert(job.index);
      for (uint64_t index : open) unanswered_ += index >= recorded_.size() || !recorded_[index];
      session_->Cancel();
      jobs_.clear();
      break;
    }
    // Fill the window.
    while ((held || !input_done) && session_->InFlight() < limit) {
      std::shared_ptr<EchoPacket> packet = std::move(held);
      held.reset();
      if (!packet) {
        packet = std::make_shared<EchoPacket>();
        Result<bool> more = stream.Next(packet.get());
        if (!more.ok()) return more.status();
        if (!*more) {
          input_done = true;
          break;
        }
        if (!packet->is_request()) continue;  // replies already in the input are not copied
        last_input_time_ = packet->time;
        request_frames_ += packet->frames.size();
        if (!o_.replies_only) {
          for (StoredFrame& sf : packet->stored_frames) {
            QueuedFrame f;
            f.time = sf.time;
            f.data = std::move(sf.data);
            f.original_length = sf.original_length;
            Queue(std::move(f));
          }
        }
        packet->stored_frames.clear();
      }
      RequestAssessment assessment = AssessRequest(*packet, o_.profile);
      if (assessment.truncated) {
        ReplyMeta meta;
        sink_.Record(*packet, assessment, requests_++, nullptr, meta, o_.profile);
        continue;
      }
      if (assessment.expectation != ReplyExpectation::kRequired && !o_.include_negatives) {
        ++not_sent_;
        continue;
      }
      if (budget_exhausted_) {
        RecordUnasked(packet, assessment, requests_++, "budget",
                      "not asked: --max-cost would be passed");
        continue;
      }
      if (!session_->CanAfford()) {
        if (session_->InFlight() > 0) {
          held = std::move(packet);  // wait for what is in flight; its real cost may fit
          break;
        }
        budget_exhausted_ = true;
        RecordUnasked(packet, assessment, requests_++, "budget",
                      "not asked: --max-cost would be passed");
        continue;
      }
      uint64_t index = requests_++;
      for (int sample = 0; sample < o_.samples; ++sample) {
        uint64_t id = next_id_++;
        jobs_[id] = Job{packet, assessment, index, sample};
        session_->Ask(id, index, sample, packet.get(), assessment);
      }
    }
    for (ModelAnswer& a : session_->Collect(jobs_.empty() ? 0 : 0.05)) Handle(std::move(a));
    if (held && session_->InFlight() == 0 && !session_->CanAfford()) {
      budget_exhausted_ = true;  // nothing left in flight and it still does not fit
    }
    const RunSummary& s = sink_.summary();
    progress_.Update(answered_, jobs_.size(), s.retries, s.usage.cost_usd, s.usage.cost_known);
    // Frames up to the earliest request still waiting for its answer can be written.
    std::optional<Timestamp> watermark = last_input_time_;
    for (const auto& [id, job] : jobs_) {
      if (!watermark || !NotAfter(*watermark, job.request->time)) watermark = job.request->time;
    }
    if (!input_done || !jobs_.empty()) {
      Status st = FlushUntil(watermark);
      if (!st.ok()) return st;
    }
  }
  progress_.Clear();
  session_->Sync();
  return FlushUntil(std::nullopt);
}

}  // namespace

int RunReplayCommand(const ReplayOptions& o, FILE* out, FILE* err) {
  for (const std::string& path : o.reports) {
    Result<ReportFormat> f = ReportFormatFor(path);
    if (!f.ok()) return Fail(err, f.status().message());
  }
  if (o.output.empty()) return Fail(err, "no output capture: give -o OUT.pcap or OUT.pcapng");
  if (o.session.backend.concurrency < 1) return Fail(err, "--concurrency must be at least 1");
  if (o.samples < 1) return Fail(err, "--samples must be at least 1");
  if (SameFile(o.input, o.output)) {
    return Fail(err, o.output + ": the output would overwrite the input capture");
  }

  Result<CaptureCheck> checked = CheckCapture(o.input);
  if (!checked.ok()) return Fail(err, o.input + ": " + checked.status().message());

  SessionOptions session_options = o.session;
  session_options.backend.reference_profile = o.profile;
  uint64_t queries = checked->requests * static_cast<uint64_t>(o.samples);
  session_options.backend.total_retries =
      static_cast<int>(std::max<uint64_t>(100, std::min<uint64_t>(2 * queries, 1 << 30)));
  Result<std::unique_ptr<ModelSession>> session = ModelSession::Open(session_options);
  if (!session.ok()) return Fail(err, session.status().message());
  for (const std::string& w : (*session)->warnings()) {
    std::fprintf(err, "llmstack-replay: warning: %s\n", w.c_str());
  }

  RunInfo info;
  info.command = "replay";
  info.input = o.input;
  info.model = (*session)->plan().spec;
  info.model_is_reference = (*session)->is_reference();
  if ((*session)->plan().uses_prompt) {
    info.prompt_path = (*session)->prompt().name();
    info.prompt_sha256 = (*session)->prompt().sha256();
  }
  info.profile = ProfileName(o.profile);
  info.started_at = NowRfc3339();

  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(o.input);
  if (!reader.ok()) return Fail(err, o.input + ": " + reader.status().message());
  CaptureDescription description;
  description.application = std::string(kToolName) + " " + LLMSTACK_VERSION;
  description.comment = std::string(kToolName) + " " + LLMSTACK_VERSION + " replay of " + o.input +
                        "; " + DescribeModel(info) + "; profile " + info.profile;
  if (info.prompt_path) {
    description.comment += "; prompt " + *info.prompt_path + " sha256 " + *info.prompt_sha256;
  }
  Result<std::unique_ptr<CaptureWriter>> writer = OpenCaptureWriter(
      o.output, (*reader)->link_type(), (*reader)->nanosecond_resolution(), description);
  if (!writer.ok()) return Fail(err, writer.status().message());

  // As ping does, -q leaves out the per-packet lines only: the heading and the statistics stay.
  std::fprintf(out, "REPLAY %s: %llu echo requests, %s, profile %s\n", o.input.c_str(),
               static_cast<unsigned long long>(checked->requests), DescribeModel(info).c_str(),
               info.profile.c_str());
  std::fflush(out);
  WatchForInterrupts();
  PacketStream stream(reader->get(), !o.replies_only);
  ReplayPipeline pipeline(o, session->get(), writer->get(), (*reader)->link_type(), out, err,
                          queries);
  Status run = pipeline.Run(stream);
  if (!run.ok()) {
    pipeline.ClearProgress();
    return Fail(err, (run.code() == StatusCode::kIoError ? "" : o.input + ": ") + run.message());
  }
  Status finished = (*writer)->Finish();
  if (!finished.ok()) return Fail(err, finished.message());

  ResultSink& sink = pipeline.sink();
  sink.FinishSamples();
  RunSummary& summary = sink.summary();
  summary.frames = stream.counts().frames;
  summary.requests = pipeline.requests();
  summary.skipped = summary.frames - std::min(summary.frames, pipeline.request_frames());
  info.finished_at = NowRfc3339();
  std::fputs(FormatSummary(info, summary).c_str(), out);
  if (pipeline.not_sent() > 0) {
    std::fprintf(
        out,
        "%llu requests that must not be answered were not sent (--include-negatives sends them)\n",
        static_cast<unsigned long long>(pipeline.not_sent()));
  }
  if (!(*session)->cache_problem().empty()) {
    std::fprintf(err, "llmstack-replay: warning: the cache could not be written: %s\n",
                 (*session)->cache_problem().c_str());
  }
  if (!o.reports.empty()) {
    Status s = WriteReports(o.reports, info, summary, sink.TakeResults());
    if (!s.ok()) return Fail(err, s.message());
  }
  if (pipeline.interrupted()) {
    std::fprintf(err, "llmstack-replay: interrupted: %s written with what was finished; %s\n",
                 o.output.c_str(),
                 o.session.journal ? "run again with --resume to finish"
                                   : "finished answers are in the cache; run again to finish");
    return 130;
  }
  if (summary.count(Verdict::kError) > 0) return 3;
  return summary.ExitCode();
}

}  // namespace llmstack
