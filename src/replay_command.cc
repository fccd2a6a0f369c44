#include "replay_command.h"

#include <limits.h>
#include <stdlib.h>

#include <map>
#include <memory>
#include <queue>

#include "backend_factory.h"
#include "capture.h"
#include "capture_writer.h"
#include "extract.h"
#include "packet_stream.h"
#include "report_json.h"
#include "reports.h"
#include "responder.h"
#include "result_sink.h"
#include "verdict_comment.h"

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

// Reads the whole capture once so that a damaged file is refused before anything is asked
// or written. Returns the number of echo requests.
Result<uint64_t> CheckCapture(const std::string& path) {
  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(path);
  if (!reader.ok()) return reader.status();
  PacketStream stream(reader->get(), false);
  EchoPacket p;
  uint64_t requests = 0;
  for (;;) {
    Result<bool> more = stream.Next(&p);
    if (!more.ok()) return more.status();
    if (!*more) break;
    requests += p.is_request();
  }
  return requests;
}

class ReplayPipeline {
 public:
  ReplayPipeline(const ReplayOptions& o, Backend* backend, CaptureWriter* writer,
                 LinkType link, FILE* out, const RunInfo& info)
      : o_(o),
        backend_(backend),
        writer_(writer),
        link_(link),
        out_(out),
        info_(info),
        sink_(out, !o.quiet, !o.reports.empty(), o.samples) {}

  Status Run(PacketStream& stream);
  ResultSink& sink() { return sink_; }
  uint64_t requests() const { return requests_; }
  uint64_t not_sent() const { return not_sent_; }
  uint64_t request_frames() const { return request_frames_; }
  bool backend_failed() const { return backend_failed_; }

 private:
  void Queue(QueuedFrame f) {
    f.order = order_++;
    frames_.push(std::move(f));
  }
  Status FlushUntil(const std::optional<Timestamp>& watermark);
  void Handle(ModelAnswer answer);

  const ReplayOptions& o_;
  Backend* backend_;
  CaptureWriter* writer_;
  LinkType link_;
  FILE* out_;
  const RunInfo& info_;
  ResultSink sink_;
  std::map<uint64_t, Job> jobs_;
  std::priority_queue<QueuedFrame, std::vector<QueuedFrame>, LaterFirst> frames_;
  uint64_t order_ = 0;
  uint64_t next_id_ = 0;
  uint64_t requests_ = 0;
  uint64_t not_sent_ = 0;
  uint64_t request_frames_ = 0;
  uint64_t written_ = 0;
  bool backend_failed_ = false;
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

void ReplayPipeline::Handle(ModelAnswer answer) {
  auto it = jobs_.find(answer.id);
  if (it == jobs_.end()) return;
  Job job = std::move(it->second);
  jobs_.erase(it);
  const EchoPacket& request = *job.request;

  ReplyMeta meta;
  meta.sample = job.sample;
  meta.usage = answer.usage;
  meta.attempts = static_cast<int>(answer.attempts.size());
  meta.from_cache = answer.from_cache;
  if (!backend_->IsReference()) meta.model_output = answer.text;
  if (!answer.reasoning.empty()) meta.model_reasoning = answer.reasoning;
  sink_.summary().model_requests += answer.from_cache ? 0 : answer.attempts.size();
  if (answer.attempts.size() > 1) sink_.summary().retries += answer.attempts.size() - 1;

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
  Verdict verdict = sink_.Record(request, job.assessment, job.index, reply ? &view : nullptr,
                                 meta, o_.profile);
  if (!reply) return;

  QueuedFrame f;
  f.time = request.time.PlusMilliseconds(answer.latency_ms);
  f.data = ReplyLinkHeader(link_, request.link_header);
  f.data.insert(f.data.end(), reply->begin(), reply->end());
  f.outbound = true;
  f.comment = VerdictComment(verdict, sink_.last_grade(), request.datagram, view,
                             backend_->Spec(), backend_->IsReference(), job.sample, o_.samples,
                             answer.latency_ms);
  if (!o_.reports.empty()) f.result_slot = sink_.last_result_slot();
  Queue(std::move(f));
}

Status ReplayPipeline::Run(PacketStream& stream) {
  bool input_done = false;
  const size_t limit = static_cast<size_t>(std::max(1, o_.concurrency));
  while (!input_done || !jobs_.empty()) {
    // Fill the window.
    while (!input_done && backend_->InFlight() < limit) {
      auto packet = std::make_shared<EchoPacket>();
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
      RequestAssessment assessment = AssessRequest(*packet, o_.profile);
      if (assessment.truncated) {
        uint64_t index = requests_++;
        ReplyMeta meta;
        sink_.Record(*packet, assessment, index, nullptr, meta, o_.profile);
        continue;
      }
      if (assessment.expectation != ReplyExpectation::kRequired && !o_.include_negatives) {
        ++not_sent_;
        continue;
      }
      uint64_t index = requests_++;
      for (int sample = 0; sample < o_.samples; ++sample) {
        ModelQuery q;
        q.id = next_id_++;
        q.index = index;
        q.sample = sample;
        q.request = packet.get();
        q.request_hex = HexEncode(packet->datagram);
        q.assessment = assessment;
        jobs_[q.id] = Job{packet, assessment, index, sample};
        backend_->Submit(std::move(q));
      }
    }
    for (ModelAnswer& a : backend_->Collect(jobs_.empty() ? 0 : 0.05)) Handle(std::move(a));
    // Frames up to the earliest request still waiting for its answer can be written.
    std::optional<Timestamp> watermark = last_input_time_;
    for (const auto& [id, job] : jobs_) {
      if (!watermark || !NotAfter(*watermark, job.request->time)) watermark = job.request->time;
    }
    if (!input_done || !jobs_.empty()) {
      Status s = FlushUntil(watermark);
      if (!s.ok()) return s;
    }
  }
  return FlushUntil(std::nullopt);
}

}  // namespace

int RunReplayCommand(const ReplayOptions& o, FILE* out, FILE* err) {
  for (const std::string& path : o.reports) {
    Result<ReportFormat> f = ReportFormatFor(path);
    if (!f.ok()) return Fail(err, f.status().message());
  }
  if (o.output.empty()) return Fail(err, "no output capture: give -o OUT.pcap or OUT.pcapng");
  if (o.concurrency < 1) return Fail(err, "--concurrency must be at least 1");
  if (o.samples < 1) return Fail(err, "--samples must be at least 1");
  if (SameFile(o.input, o.output)) {
    return Fail(err, o.output + ": the output would overwrite the input capture");
  }

  Result<std::unique_ptr<Backend>> backend = MakeBackend(o);
  if (!backend.ok()) return Fail(err, backend.status().message());

  Result<uint64_t> checked = CheckCapture(o.input);
  if (!checked.ok()) return Fail(err, o.input + ": " + checked.status().message());

  RunInfo info;
  info.command = "replay";
  info.input = o.input;
  info.model = (*backend)->Spec();
  info.model_is_reference = (*backend)->IsReference();
  info.profile = ProfileName(o.profile);
  info.started_at = NowRfc3339();

  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(o.input);
  if (!reader.ok()) return Fail(err, o.input + ": " + reader.status().message());
  CaptureDescription description;
  description.application = std::string(kToolName) + " " + LLMSTACK_VERSION;
  description.comment = std::string(kToolName) + " " + LLMSTACK_VERSION + " replay of " + o.input +
                        "; " + DescribeModel(info) + "; profile " + info.profile;
  Result<std::unique_ptr<CaptureWriter>> writer = OpenCaptureWriter(
      o.output, (*reader)->link_type(), (*reader)->nanosecond_resolution(), description);
  if (!writer.ok()) return Fail(err, writer.status().message());

  if (!o.quiet) {
    std::fprintf(out, "REPLAY %s: %llu echo requests, %s, profile %s\n", o.input.c_str(),
                 static_cast<unsigned long long>(*checked), DescribeModel(info).c_str(),
                 info.profile.c_str());
  }
  PacketStream stream(reader->get(), !o.replies_only);
  ReplayPipeline pipeline(o, backend->get(), writer->get(), (*reader)->link_type(), out, info);
  Status run = pipeline.Run(stream);
  if (!run.ok()) {
    // The capture was checked already, so this is a write failure or a file that changed.
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
  if (!o.quiet) {
    std::fputs(FormatSummary(info, summary).c_str(), out);
    if (pipeline.not_sent() > 0) {
      std::fprintf(out, "%llu requests that must not be answered were not sent (--include-negatives sends them)\n",
                   static_cast<unsigned long long>(pipeline.not_sent()));
    }
  }
  if (!o.reports.empty()) {
    Status s = WriteReports(o.reports, info, summary, sink.TakeResults());
    if (!s.ok()) return Fail(err, s.message());
  }
  if (pipeline.backend_failed()) return 3;
  return summary.ExitCode();
}

}  // namespace llmstack
