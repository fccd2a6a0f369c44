#include "run/replay_run.h"

#include <algorithm>
#include <set>

#include "grade/responder.h"
#include "report/verdict_comment.h"
#include "run/answer.h"

namespace llmstack {

namespace {

bool NotAfter(const Timestamp& a, const Timestamp& b) {
  return a.sec < b.sec || (a.sec == b.sec && a.nsec <= b.nsec);
}

}  // namespace

bool ReplayRun::LaterFirst::operator()(const QueuedFrame& a, const QueuedFrame& b) const {
  if (a.time.sec != b.time.sec) return a.time.sec > b.time.sec;
  if (a.time.nsec != b.time.nsec) return a.time.nsec > b.time.nsec;
  return a.order > b.order;
}

ReplayRun::ReplayRun(const ReplayRunOptions& options, ModelSession* session, CaptureWriter* writer,
                     LinkType link, ResultSink* sink, ProgressBar* progress, Clock* clock,
                     std::function<bool()> stop)
    : o_(options),
      session_(session),
      writer_(writer),
      link_(link),
      sink_(sink),
      progress_(progress),
      clock_(clock),
      stop_(std::move(stop)) {
  if (progress_) sink_->set_before_print([this] { progress_->Clear(); });
}

void ReplayRun::Queue(QueuedFrame f) {
  f.order = order_++;
  frames_.push(std::move(f));
}

Status ReplayRun::FlushUntil(const std::optional<Timestamp>& watermark) {
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
    if (f.result) sink_->Release(*f.result, written_);
    frames_.pop();
  }
  return Status::Ok();
}

void ReplayRun::RecordUnasked(const std::shared_ptr<EchoPacket>& packet, const RequestAssessment& a,
                              uint64_t index, const char* why, const std::string& message) {
  for (int sample = 0; sample < o_.samples; ++sample) {
    ReplyMeta meta;
    meta.sample = sample;
    meta.verdict_override = Verdict::kError;
    meta.why_error = why;
    meta.error_message = message;
    meta.print_line = false;  // the summary says it once
    sink_->Record(*packet, a, index, nullptr, meta, o_.profile);
    sink_->Release(sink_->last_handle(), std::nullopt);
  }
}

void ReplayRun::ExhaustBudget() {
  budget_exhausted_ = true;
  if (!stopped_because_) {
    // Said once: which budget, and which estimate refused the next request.
    stopped_because_ = session_->BudgetRefusal();
    stopped_why_ = "budget";
  }
}

void ReplayRun::Handle(ModelAnswer answer) {
  auto it = jobs_.find(answer.id);
  if (it == jobs_.end()) return;
  Job job = std::move(it->second);
  jobs_.erase(it);
  ++answered_;
  if (recorded_.size() <= job.index) recorded_.resize(job.index + 1, false);
  recorded_[job.index] = true;
  const EchoPacket& request = *job.request;
  const bool reference = session_->is_reference();
  CountAttempts(answer, &sink_->summary());
  CountOrigin(answer, &sink_->summary());
  bool already_stopped = stopped_because_.has_value();
  if (StopsTheRun(answer) && !stopped_because_) {
    stopped_because_ = answer.status.message();
    stopped_why_ = answer.why_error;
  }
  const double latency_ms = answer.latency_ms;
  InterpretedAnswer a =
      InterpretAnswer(std::move(answer), request, job.sample, !reference, latency_ms);
  // Once the run has stopped, the requests it ends get no line each.
  if (already_stopped && a.meta.verdict_override == Verdict::kError) a.meta.print_line = false;
  ByteView view = a.reply ? ByteView(*a.reply) : ByteView();
  Verdict verdict = sink_->Record(request, job.assessment, job.index, a.reply ? &view : nullptr,
                                  a.meta, o_.profile);
  ResultSink::Handle handle = sink_->last_handle();
  if (!a.reply) {
    sink_->Release(handle, std::nullopt);
    return;
  }
  QueuedFrame f;
  f.time = request.time.PlusMilliseconds(latency_ms);
  f.data = ReplyLinkHeader(link_, request.link_header);
  f.data.insert(f.data.end(), a.reply->begin(), a.reply->end());
  f.outbound = true;
  f.comment = VerdictComment(verdict, sink_->last_grade(), request.datagram, view,
                             session_->plan().spec, reference, job.sample, o_.samples, latency_ms);
  f.result = handle;
  Queue(std::move(f));
}

Result<bool> ReplayRun::NextRequest(PacketStream& stream, std::shared_ptr<EchoPacket>* out,
                                    RequestAssessment* assessment, uint64_t* index) {
  for (;;) {
    auto packet = std::make_shared<EchoPacket>();
    Result<bool> more = stream.Next(packet.get());
    if (!more.ok()) return more.status();
    if (!*more) return false;
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
    *assessment = AssessRequest(*packet, o_.profile);
    if (assessment->truncated) {
      sink_->Record(*packet, *assessment, requests_++, nullptr, ReplyMeta(), o_.profile);
      sink_->Release(sink_->last_handle(), std::nullopt);
      continue;
    }
    if (assessment->expectation != ReplyExpectation::kRequired && !o_.include_negatives) {
      ++not_sent_;
      continue;
    }
    *index = requests_++;
    *out = std::move(packet);
    return true;
  }
}

Status ReplayRun::Run(PacketStream& stream) {
  const double started = clock_->Now();
  bool input_done = false;
  const size_t limit = static_cast<size_t>(std::max(1, o_.concurrency));
  // Read, but waiting for the budget.
  std::shared_ptr<EchoPacket> held;
  RequestAssessment held_assessment;
  uint64_t held_index = 0;
  while (!input_done || !jobs_.empty() || held) {
    if (stop_ && stop_()) {
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
      RequestAssessment assessment = held_assessment;
      uint64_t index = held_index;
      held.reset();
      if (!packet) {
        Result<bool> more = NextRequest(stream, &packet, &assessment, &index);
        if (!more.ok()) return more.status();
        if (!*more) {
          input_done = true;
          break;
        }
      }
      if (budget_exhausted_ || stopped_because_) {
        RecordUnasked(packet, assessment, index, stopped_because_ ? stopped_why_.c_str() : "budget",
                      stopped_because_ ? "not asked: the run stopped (" + *stopped_because_ + ")"
                                       : "not asked: --max-cost would be passed");
        continue;
      }
      if (!session_->CanAfford()) {
        if (session_->InFlight() > 0) {
          // Wait for what is in flight: its real cost may fit.
          held = std::move(packet);
          held_assessment = assessment;
          held_index = index;
          break;
        }
        ExhaustBudget();
        RecordUnasked(packet, assessment, index, "budget",
                      "not asked: the run stopped (" + *stopped_because_ + ")");
        continue;
      }
      for (int sample = 0; sample < o_.samples; ++sample) {
        uint64_t id = next_id_++;
        jobs_[id] = Job{packet, assessment, index, sample};
        session_->Ask(id, index, sample, packet.get(), assessment);
      }
    }
    for (ModelAnswer& a : session_->Collect(jobs_.empty() ? 0 : 0.05)) Handle(std::move(a));
    if (held && session_->InFlight() == 0 && !session_->CanAfford()) {
      ExhaustBudget();  // nothing left in flight and it still does not fit
    }
    if (progress_) {
      const RunSummary& s = sink_->summary();
      progress_->Update(answered_, jobs_.size(), s.retries, s.usage.cost_usd, s.usage.cost_known);
    }
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
  if (progress_) progress_->Clear();
  session_->Sync();
  elapsed_s_ = clock_->Now() - started;
  return FlushUntil(std::nullopt);
}

}  // namespace llmstack
