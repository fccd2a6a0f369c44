#include "live/live_loop.h"

#include "grade/responder.h"
#include "packet/packet_stream.h"
#include "report/report_json.h"
#include "report/terminal_report.h"
#include "report/verdict_comment.h"
#include "run/answer.h"

namespace llmstack {

namespace {}  // namespace

const char* PolicyDescription(ReplyPolicy p) {
  switch (p) {
    case ReplyPolicy::kAsWritten:
      return "replies written as the model wrote them";
    case ReplyPolicy::kOnlyCorrect:
      return "only correct replies written (--only-correct)";
    case ReplyPolicy::kFallbackReference:
      return "replies that are not correct replaced by the reference reply (--fallback reference)";
  }
  return "";
}

LiveLoop::LiveLoop(const LiveLoopOptions& options, ModelSession* session, DatagramPort* port,
                   CaptureWriter* record, FILE* out, Clock* clock, std::function<bool()> stop)
    : o_(options),
      session_(session),
      port_(port),
      record_(record),
      out_(out),
      clock_(clock),
      stop_(std::move(stop)),
      sink_(out, false, false, 1) {}

Timestamp LiveLoop::WallTime() const {
  double now = clock_->WallNow();
  Timestamp t;
  t.sec = static_cast<int64_t>(now);
  t.nsec = static_cast<uint32_t>((now - static_cast<double>(t.sec)) * 1e9);
  return t;
}

Status LiveLoop::Record(ByteView data, const Timestamp& time, bool outbound,
                        const std::string& comment) {
  if (record_ == nullptr || !record_status_.ok()) return record_status_;
  OutputFrame f;
  f.time = time;
  f.data = data;
  f.outbound = outbound;
  f.comment = comment;
  record_status_ = record_->Write(f);
  return record_status_;
}

Status LiveLoop::OnDatagram(Bytes datagram) {
  ++frames_;
  const Timestamp now = WallTime();
  const double read_at = clock_->Now();
  std::shared_ptr<EchoPacket> request;
  NetworkProtocol protocol =
      !datagram.empty() && datagram[0] >> 4 == 6 ? NetworkProtocol::kIpv6 : NetworkProtocol::kIpv4;
  Result<Datagram> d = ParseDatagram(datagram, protocol);
  if (d.ok() && d->is_fragment) {
    // RFC 791 §3.2 / RFC 8200 §4.5: a host answers the reassembled datagram.
    std::optional<ReassembledDatagram> whole = reassembler_.Add(*d, frames_, now);
    Status s = Record(datagram, now, false, "");
    if (!whole) return s;
    Result<EchoPacket> p = EchoPacketFromDatagram(whole->datagram);
    if (!p.ok() || !p->is_request()) return s;
    request = std::make_shared<EchoPacket>(std::move(*p));
    request->fragmented = true;
    request->frames = whole->frames;
    request_frames_ += whole->frames.size();
    if (!s.ok()) return s;
  } else {
    Result<EchoPacket> p =
        d.ok() ? EchoPacketFromDatagram(datagram) : Result<EchoPacket>(d.status());
    if (!p.ok() || !p->is_request()) {
      return Record(datagram, now, false, "not an echo request: ignored");
    }
    request = std::make_shared<EchoPacket>(std::move(*p));
    request->frames = {frames_};
    ++request_frames_;
    Status s = Record(datagram, now, false, "");
    if (!s.ok()) return s;
  }
  request->frame = frames_;
  request->time = now;
  Job job;
  job.assessment = AssessRequest(*request, o_.profile);
  job.request = std::move(request);
  job.index = next_index_++;
  job.read_at = read_at;
  waiting_.push_back(std::move(job));
  return Status::Ok();
}

void LiveLoop::Dispatch() {
  const size_t limit = static_cast<size_t>(std::max(1, o_.concurrency));
  while (!waiting_.empty() && session_->InFlight() < limit && stopped_because_.empty()) {
    if (!session_->CanAfford()) {
      if (session_->InFlight() > 0) return;  // what is in flight may cost less than feared
      Job job = std::move(waiting_.front());
      waiting_.pop_front();
      ReplyMeta meta;
      meta.verdict_override = Verdict::kError;
      meta.why_error = "budget";
      meta.error_message = "not asked: --max-cost would be passed";
      Conclude(job, std::nullopt, meta, (clock_->Now() - job.read_at) * 1000);
      stopped_because_ = "--max-cost reached";
      return;
    }
    Job job = std::move(waiting_.front());
    waiting_.pop_front();
    uint64_t id = next_id_++;
    session_->Ask(id, job.index, 0, job.request.get(), job.assessment);
    asked_[id] = std::move(job);
  }
}

void LiveLoop::Handle(ModelAnswer answer) {
  auto it = asked_.find(answer.id);
  if (it == asked_.end()) return;
  Job job = std::move(it->second);
  asked_.erase(it);
  const double elapsed_ms = (clock_->Now() - job.read_at) * 1000;
  CountAttempts(answer, &sink_.summary());
  // Authentication refused, the account's spend limit, a backend that cannot be run or
  // reached: nothing more will be answered.
  if (StopsTheRun(answer)) {
    stopped_because_ = answer.status.message();
  }
  // The latency is ping's: from reading the request to writing the reply.
  InterpretedAnswer a = InterpretAnswer(std::move(answer), *job.request, 0, false, elapsed_ms);
  Conclude(job, a.reply, std::move(a.meta), elapsed_ms);
}

void LiveLoop::Conclude(const Job& job, const std::optional<Bytes>& reply, ReplyMeta meta,
                        double elapsed_ms) {
  const EchoPacket& request = *job.request;
  ByteView view = reply ? ByteView(*reply) : ByteView();
  Verdict verdict =
      sink_.Record(request, job.assessment, job.index, reply ? &view : nullptr, meta, o_.profile);
  ++graded_;
  const ReplyGrade& grade = sink_.last_grade();
  const bool is_reference = session_->is_reference();
  const std::string& device = port_->name();
  // Stamped as ping would time it, so Wireshark's icmp.resptime shows the line's time=.
  const Timestamp replied_at = request.time.PlusMilliseconds(elapsed_ms);

  // What goes to the device: the model's reply, nothing, or the reference reply.
  const bool correct = verdict == Verdict::kCorrect || verdict == Verdict::kSilentOk;
  bool send_model = reply.has_value() && (correct || o_.policy == ReplyPolicy::kAsWritten);
  std::optional<Bytes> substitute;
  if (!correct && o_.policy == ReplyPolicy::kFallbackReference &&
      job.assessment.expectation == ReplyExpectation::kRequired) {
    Result<Bytes> r = BuildReferenceReply(request, o_.profile);
    if (r.ok()) substitute = std::move(*r);
  }

  std::string note;  // for the terminal line
  std::string model_frame_note;
  if (reply && !send_model) {
    if (o_.policy == ReplyPolicy::kOnlyCorrect) {
      note = "not sent (--only-correct)";
      model_frame_note = " | not written to " + device + " (--only-correct)";
    } else {
      note = substitute ? "sent the reference reply instead (--fallback reference)" : "not sent";
      model_frame_note =
          " | not written to " + device +
          (substitute ? ": the reference reply was sent instead (--fallback reference)" : "");
    }
  } else if (!reply && substitute) {
    note = "sent the reference reply instead (--fallback reference)";
  }

  if (reply) {
    std::string delivery;
    if (send_model) {
      Status w = port_->Write(view);
      if (!w.ok()) {
        note = "not delivered: " + w.message();
        delivery = " | not delivered: " + w.message();
      }
    }
    std::string comment = VerdictComment(verdict, grade, request.datagram, view,
                                         session_->plan().spec, is_reference, 0, 1, elapsed_ms) +
                          model_frame_note + delivery;
    Record(view, replied_at, true, comment);
  }
  if (substitute) {
    Status w = port_->Write(*substitute);
    std::string comment =
        std::string("reference reply sent instead of the model's ") +
        (reply ? "wrong reply" : std::string("answer (") + VerdictName(verdict) + ")") +
        " | reference:" + ProfileName(o_.profile) + " (" + kReferenceLabel + ")";
    if (!w.ok()) {
      comment += " | not delivered: " + w.message();
      note += "; not delivered: " + w.message();
    }
    Record(*substitute, replied_at, true, comment);
  }

  if (o_.quiet) return;
  ResultLine line;
  line.request = &request;
  line.assessment = &job.assessment;
  line.reply = reply ? &view : nullptr;
  line.grade = &grade;
  line.verdict = verdict;
  line.time_ms = elapsed_ms;
  line.error = meta.error_message;
  std::string text = FormatResultLine(line);
  if (!note.empty()) text += "; " + note;
  std::fprintf(out_, "%s\n", text.c_str());
  std::fflush(out_);
}

Status LiveLoop::Run() {
  // Datagrams read per turn before the backend gets a look: a flood cannot starve answers.
  constexpr int kReadsPerTurn = 64;
  while (!(stop_ && stop_()) && stopped_because_.empty()) {
    const bool busy = !asked_.empty() || session_->InFlight() > 0;
    if (port_->WaitReadable(busy ? 0 : 100)) {
      for (int i = 0; i < kReadsPerTurn; ++i) {
        Result<std::optional<Bytes>> d = port_->Read();
        if (!d.ok()) return d.status();
        if (!*d) break;
        Status s = OnDatagram(std::move(**d));
        if (!s.ok()) return s;
      }
    }
    Dispatch();
    if (!asked_.empty() || session_->InFlight() > 0) {
      for (ModelAnswer& a : session_->Collect(0.01)) Handle(std::move(a));
    }
    if (!record_status_.ok()) return record_status_;
  }
  // Whatever is still waiting for the model is abandoned, as ping abandons its last request.
  abandoned_ = asked_.size() + waiting_.size();
  session_->Cancel();
  asked_.clear();
  waiting_.clear();
  session_->Sync();
  return Status::Ok();
}

}  // namespace llmstack
