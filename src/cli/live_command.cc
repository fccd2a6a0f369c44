#include "cli/live_command.h"

#include <time.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>

#include "base/interrupt.h"
#include "grade/responder.h"
#include "live/tun_device.h"
#include "model/extract.h"
#include "packet/capture_writer.h"
#include "packet/packet_stream.h"
#include "packet/reassembly.h"
#include "report/report_json.h"
#include "report/terminal_report.h"
#include "report/verdict_comment.h"
#include "run/result_sink.h"

namespace llmstack {

namespace {

using Clock = std::chrono::steady_clock;

int Fail(FILE* err, const std::string& message) {
  std::fprintf(err, "llmstack-replay: %s\n", message.c_str());
  return 2;
}

Timestamp WallClock() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  Timestamp t;
  t.sec = ts.tv_sec;
  t.nsec = static_cast<uint32_t>(ts.tv_nsec);
  return t;
}

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// What goes back to the device for one request.
enum class ReplyPolicy { kAsWritten, kOnlyCorrect, kFallbackReference };

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

struct LiveJob {
  std::shared_ptr<EchoPacket> request;
  RequestAssessment assessment;
  uint64_t index = 0;
  Clock::time_point read_at;
};

class LiveLoop {
 public:
  LiveLoop(const LiveOptions& o, ReplyPolicy policy, ModelSession* session, TunDevice* tun,
           CaptureWriter* record, FILE* out)
      : o_(o),
        policy_(policy),
        session_(session),
        tun_(tun),
        record_(record),
        out_(out),
        sink_(out, false, false, 1) {}

  // Answers until SIGINT/SIGTERM, or until the backend or the budget stops for good.
  // Errors: kIoError when the device or the record fails.
  Status Run();

  ResultSink& sink() { return sink_; }
  uint64_t frames() const { return frames_; }
  uint64_t request_frames() const { return request_frames_; }
  uint64_t graded() const { return graded_; }
  uint64_t abandoned() const { return abandoned_; }
  const std::string& stopped_because() const { return stopped_because_; }

 private:
  Status OnDatagram(Bytes datagram);
  void Dispatch();
  void Handle(ModelAnswer answer);
  // Grades and prints one result; writes what the policy says to the device and the record.
  void Conclude(const LiveJob& job, const std::optional<Bytes>& reply, ReplyMeta meta,
                double elapsed_ms);
  Status Record(ByteView data, const Timestamp& time, bool outbound, const std::string& comment);

  const LiveOptions& o_;
  ReplyPolicy policy_;
  ModelSession* session_;
  TunDevice* tun_;
  CaptureWriter* record_;
  FILE* out_;
  ResultSink sink_;
  FragmentReassembler reassembler_;
  std::deque<LiveJob> waiting_;  // read, not yet asked (concurrency or budget)
  std::map<uint64_t, LiveJob> asked_;
  uint64_t next_id_ = 0;
  uint64_t next_index_ = 0;
  uint64_t frames_ = 0;
  uint64_t request_frames_ = 0;
  uint64_t graded_ = 0;
  uint64_t abandoned_ = 0;
  Status record_status_;
  std::string stopped_because_;
};

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
  const Timestamp now = WallClock();
  const Clock::time_point read_at = Clock::now();
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
  LiveJob job;
  job.assessment = AssessRequest(*request, o_.profile);
  job.request = std::move(request);
  job.index = next_index_++;
  job.read_at = read_at;
  waiting_.push_back(std::move(job));
  return Status::Ok();
}

void LiveLoop::Dispatch() {
  const size_t limit = static_cast<size_t>(std::max(1, o_.session.backend.concurrency));
  while (!waiting_.empty() && session_->InFlight() < limit && stopped_because_.empty()) {
    if (!session_->CanAfford()) {
      if (session_->InFlight() > 0) return;  // what is in flight may cost less than feared
      LiveJob job = std::move(waiting_.front());
      waiting_.pop_front();
      ReplyMeta meta;
      meta.verdict_override = Verdict::kError;
      meta.why_error = "budget";
      meta.error_message = "not asked: --max-cost would be passed";
      Conclude(job, std::nullopt, meta, MillisecondsSince(job.read_at));
      stopped_because_ = "--max-cost reached";
      return;
    }
    LiveJob job = std::move(waiting_.front());
    waiting_.pop_front();
    uint64_t id = next_id_++;
    session_->Ask(id, job.index, 0, job.request.get(), job.assessment);
    asked_[id] = std::move(job);
  }
}

void LiveLoop::Handle(ModelAnswer answer) {
  auto it = asked_.find(answer.id);
  if (it == asked_.end()) return;
  LiveJob job = std::move(it->second);
  asked_.erase(it);
  const double elapsed_ms = MillisecondsSince(job.read_at);

  ReplyMeta meta;
  meta.usage = answer.usage;
  meta.attempts = static_cast<int>(answer.attempts.size());
  meta.from_cache = answer.from_cache;
  RunSummary& summary = sink_.summary();
  summary.model_requests += answer.attempts.size();
  if (answer.attempts.size() > 1) summary.retries += answer.attempts.size() - 1;

  if (!answer.status.ok()) {
    meta.verdict_override = Verdict::kError;
    meta.why_error = answer.why_error.empty() ? "backend" : answer.why_error;
    meta.error_message = answer.status.message();
    // Authentication refused or the account's spend limit: nothing more will be answered.
    if (meta.why_error == "auth" || meta.why_error == "budget") {
      stopped_because_ = answer.status.message();
    }
    Conclude(job, std::nullopt, meta, elapsed_ms);
    return;
  }
  meta.rtt_ms = elapsed_ms;
  std::optional<Bytes> reply;
  if (answer.reply) {
    reply = std::move(answer.reply);
  } else if (!answer.no_reply) {
    ExtractedReply extracted = ExtractReply(answer.text, *job.request);
    if (extracted.kind == ExtractedReply::Kind::kPacket) {
      reply = std::move(extracted.packet);
    } else if (extracted.kind == ExtractedReply::Kind::kUnparseable) {
      meta.verdict_override = Verdict::kUnparseable;
      meta.error_message = extracted.why;
    }
  }
  Conclude(job, reply, meta, elapsed_ms);
}

void LiveLoop::Conclude(const LiveJob& job, const std::optional<Bytes>& reply, ReplyMeta meta,
                        double elapsed_ms) {
  const EchoPacket& request = *job.request;
  ByteView view = reply ? ByteView(*reply) : ByteView();
  Verdict verdict =
      sink_.Record(request, job.assessment, job.index, reply ? &view : nullptr, meta, o_.profile);
  ++graded_;
  const ReplyGrade& grade = sink_.last_grade();
  const bool is_reference = session_->is_reference();
  const std::string& device = tun_->name();
  // Stamped as ping would time it, so Wireshark's icmp.resptime shows the line's time=.
  const Timestamp replied_at = request.time.PlusMilliseconds(elapsed_ms);

  // What goes to the device: the model's reply, nothing, or the reference reply.
  const bool correct = verdict == Verdict::kCorrect || verdict == Verdict::kSilentOk;
  bool send_model = reply.has_value() && (correct || policy_ == ReplyPolicy::kAsWritten);
  std::optional<Bytes> substitute;
  if (!correct && policy_ == ReplyPolicy::kFallbackReference &&
      job.assessment.expectation == ReplyExpectation::kRequired) {
    Result<Bytes> r = BuildReferenceReply(request, o_.profile);
    if (r.ok()) substitute = std::move(*r);
  }

  std::string note;  // for the terminal line
  std::string model_frame_note;
  if (reply && !send_model) {
    if (policy_ == ReplyPolicy::kOnlyCorrect) {
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
      Status w = tun_->Write(view);
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
    Status w = tun_->Write(*substitute);
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
  while (!Interrupted() && stopped_because_.empty()) {
    const bool busy = !asked_.empty() || session_->InFlight() > 0;
    if (tun_->WaitReadable(busy ? 0 : 100)) {
      for (int i = 0; i < kReadsPerTurn; ++i) {
        Result<std::optional<Bytes>> d = tun_->Read();
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

}  // namespace

int RunLiveCommand(const LiveOptions& o, FILE* out, FILE* err) {
  if (o.session.backend.concurrency < 1) return Fail(err, "--concurrency must be at least 1");
  ReplyPolicy policy = ReplyPolicy::kAsWritten;
  if (o.fallback) {
    if (*o.fallback != "reference") {
      return Fail(err, "--fallback " + *o.fallback + ": the only fallback is 'reference'");
    }
    if (o.only_correct) {
      return Fail(err,
                  "give --only-correct (wrong replies are not sent) or --fallback reference "
                  "(wrong replies are replaced), not both");
    }
    policy = ReplyPolicy::kFallbackReference;
  } else if (o.only_correct) {
    policy = ReplyPolicy::kOnlyCorrect;
  }
  std::optional<InterfaceAddress> address;
  if (o.addr) {
    Result<InterfaceAddress> a = ParseInterfaceAddress(*o.addr);
    if (!a.ok()) return Fail(err, a.status().message());
    address = std::move(*a);
  }

  SessionOptions session_options = o.session;
  session_options.backend.reference_profile = o.profile;
  Result<std::unique_ptr<ModelSession>> session = ModelSession::Open(session_options);
  if (!session.ok()) return Fail(err, session.status().message());
  for (const std::string& w : (*session)->warnings()) {
    std::fprintf(err, "llmstack-replay: warning: %s\n", w.c_str());
  }

  RunInfo info;
  info.command = "live";
  info.input = o.tun;
  info.model = (*session)->plan().spec;
  info.model_is_reference = (*session)->is_reference();
  if ((*session)->plan().uses_prompt) {
    info.prompt_path = (*session)->prompt().name();
    info.prompt_sha256 = (*session)->prompt().sha256();
  }
  info.profile = ProfileName(o.profile);
  info.started_at = NowRfc3339();

  WatchForInterrupts();
  Result<TunDevice> tun = TunDevice::Open(o.tun);
  if (!tun.ok()) return Fail(err, tun.status().message());
  info.input = tun->name();
  if (address) {
    Status s = tun->Configure(*address);
    if (!s.ok()) return Fail(err, s.message());
  }

  std::unique_ptr<CaptureWriter> record;
  if (o.record) {
    CaptureDescription description;
    description.application = std::string(kToolName) + " " + LLMSTACK_VERSION;
    description.comment = std::string(kToolName) + " " + LLMSTACK_VERSION + " live on " +
                          tun->name() + (address ? " (" + address->text + ")" : "") + "; " +
                          DescribeModel(info) + "; profile " + info.profile + "; " +
                          PolicyDescription(policy);
    if (info.prompt_path) {
      description.comment += "; prompt " + *info.prompt_path + " sha256 " + *info.prompt_sha256;
    }
    Result<std::unique_ptr<CaptureWriter>> w =
        OpenInPlaceCaptureWriter(*o.record, LinkType::kRaw, true, description);
    if (!w.ok()) return Fail(err, w.status().message());
    record = std::move(*w);
  }

  std::fprintf(out, "LIVE %s%s: %s, profile %s; %s\n", tun->name().c_str(),
               tun->created() ? " (created)" : "", DescribeModel(info).c_str(),
               info.profile.c_str(), PolicyDescription(policy));
  const char* device = tun->name().c_str();
  std::optional<InterfaceAddress> host = address ? address : tun->HostAddress();
  if (host) {
    std::string down =
        tun->IsUp() ? ""
                    : std::string("; ") + device + " is down: sudo ip link set " + device + " up";
    std::fprintf(out, "host side %s%s: ping %s (or any other address in %s)%s; Ctrl-C stops\n",
                 host->text.c_str(), address ? "" : " (configured outside this tool)",
                 host->PeerExample().c_str(), host->Subnet().c_str(), down.c_str());
  } else {
    std::fprintf(out,
                 "no address on %s: give it one and bring it up (sudo ip addr add 10.99.0.1/24 "
                 "dev %s && sudo ip link set %s up), or use --addr; then ping another address "
                 "in its subnet; Ctrl-C stops\n",
                 device, device, device);
  }
  std::fflush(out);

  LiveLoop loop(o, policy, session->get(), &*tun, record.get(), out);
  Status run = loop.Run();
  tun->Close();
  Status finished = record ? record->Finish() : Status::Ok();

  // The summary covers what was done, also when the device or the record failed.
  RunSummary& summary = loop.sink().summary();
  summary.frames = loop.frames();
  summary.requests = loop.graded();
  summary.skipped = summary.frames - std::min(summary.frames, loop.request_frames());
  info.finished_at = NowRfc3339();
  std::fputs(FormatSummary(info, summary).c_str(), out);
  if (loop.abandoned() > 0) {
    const bool one = loop.abandoned() == 1;
    std::fprintf(out, "%llu %s still waiting for the model %s abandoned (not graded)\n",
                 static_cast<unsigned long long>(loop.abandoned()), one ? "request" : "requests",
                 one ? "was" : "were");
  }
  if (o.record) std::fprintf(out, "record: %s\n", o.record->c_str());
  std::fflush(out);
  if (!(*session)->cache_problem().empty()) {
    std::fprintf(err, "llmstack-replay: warning: the cache could not be written: %s\n",
                 (*session)->cache_problem().c_str());
  }
  if (!run.ok()) return Fail(err, run.message());
  if (!finished.ok()) return Fail(err, finished.message());
  if (!loop.stopped_because().empty()) {
    std::fprintf(err, "llmstack-replay: stopped: %s\n", loop.stopped_because().c_str());
    return 3;
  }
  if (summary.count(Verdict::kError) > 0) return 3;
  return summary.ExitCode();
}

}  // namespace llmstack
