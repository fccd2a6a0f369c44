#include "run/grade_run.h"

#include <sys/stat.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>

#include "base/clock.h"
#include "base/input_copy.h"
#include "base/output_file.h"
#include "base/sha256.h"
#include "grade/reply_pairing.h"
#include "grade/responder.h"
#include "packet/capture.h"
#include "packet/packet_stream.h"
#include "report/reports.h"
#include "run/result_sink.h"

namespace llmstack {

namespace {

struct Waiting {
  EchoPacket request;
  RequestAssessment assessment;
};

Status InputError(const std::string& path, const Status& s) { return s.WithContext(path); }

// Whether the replies file (a regular file: streams are copied first) is to be read as a
// capture: anything but a text file with no capture name or magic (a capture that is damaged
// is then reported as one).
bool TreatAsCapture(const std::string& name, const std::string& path) {
  for (const char* ext : {".pcap", ".pcapng", ".cap"}) {
    if (name.ends_with(ext)) return true;
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return true;  // the reader says why
  std::ifstream in(path, std::ios::binary);
  if (!in) return true;
  std::string prefix(4096, '\0');
  in.read(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  prefix.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  uint32_t magic = 0;
  if (PeekBe32(ByteView(reinterpret_cast<const uint8_t*>(prefix.data()), prefix.size()), 0,
               &magic) &&
      (magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d || magic == 0x4d3cb2a1 ||
       magic == 0x0a0d0d0a)) {
    return true;
  }
  // Text has no control characters other than tab, newline, carriage return and form feed.
  return std::any_of(prefix.begin(), prefix.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u < 0x20 && u != '\t' && u != '\n' && u != '\r' && u != '\f';
  });
}

// Hex replies, one line per request in request order: '#' starts a comment (a line holding
// only a comment is skipped), a line with nothing else means "no reply".
class HexReplyFile {
 public:
  explicit HexReplyFile(const std::string& path) : in_(path) {}
  bool is_open() const { return static_cast<bool>(in_); }

  // The next reply line: false at the end of the file; `reply` empty for "no reply".
  // Errors: kMalformed naming the line when it is not hex.
  Result<bool> Next(std::optional<Bytes>* reply) {
    std::string text;
    while (std::getline(in_, text)) {
      ++line_;
      size_t hash = text.find('#');
      size_t first = text.find_first_not_of(" \t\r\f");
      if (hash != std::string::npos && first == hash) continue;  // a comment line
      if (hash != std::string::npos) text.resize(hash);
      if (text.find_first_not_of(" \t\r\f") == std::string::npos) {
        reply->reset();
        return true;
      }
      Result<Bytes> bytes = HexDecodeLenient(text);
      if (!bytes.ok()) {
        return Malformed("line " + std::to_string(line_) + ": " + bytes.status().message());
      }
      *reply = std::move(*bytes);
      return true;
    }
    return false;
  }
  // Whether anything but comments and empty lines remains.
  bool HasMoreReplies() {
    std::optional<Bytes> reply;
    for (;;) {
      Result<bool> more = Next(&reply);
      if (!more.ok()) return true;
      if (!*more) return false;
      if (reply) return true;
    }
  }
  uint64_t line() const { return line_; }

 private:
  std::ifstream in_;
  uint64_t line_ = 0;
};

// The requests waiting for their replies, the pairer and the sink.
class GradeLoop {
 public:
  GradeLoop(const GradeOptions& o, FILE* out)
      : options_(o), sink_(out, !o.quiet, !o.reports.empty(), 1) {}

  ResultSink& sink() { return sink_; }

  // Grades request `index` with `reply` (a packet from a capture) or none.
  void Grade(uint64_t index, const Waiting& w, const EchoPacket* reply) {
    if (reply) {
      reply_meta_.reply_frame = reply->frame;
      reply_meta_.rtt_ms = reply->time.MillisecondsSince(w.request.time);
      reply_frames_ += reply->frames.size();
      ByteView bytes(reply->datagram);
      sink_.Record(w.request, w.assessment, index, &bytes, reply_meta_, options_.profile);
    } else {
      sink_.Record(w.request, w.assessment, index, nullptr, ReplyMeta(), options_.profile);
    }
  }

  // Grades request `index` with a reply given as bytes (null: none), and releases it.
  void GradeBytes(uint64_t index, const ByteView* reply) {
    const Waiting& w = At(index);
    sink_.Record(w.request, w.assessment, index, reply, ReplyMeta(), options_.profile);
    Release(index);
  }

  // Adds a request from the capture being graded.
  uint64_t AddRequest(const EchoPacket& p) {
    uint64_t index = next_index_++;
    request_frames_ += p.frames.size();
    uint32_t slot;
    if (free_slots_.empty()) {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    } else {
      slot = free_slots_.back();
      free_slots_.pop_back();
    }
    Waiting& w = slots_[slot];
    w.request = p;  // into the buffers a finished request left behind
    w.assessment = AssessRequest(p, options_.profile);
    waiting_.push_back(slot);
    pairer_.AddRequest(index, p);
    return index;
  }

  // Pairs a packet going the other way (from the graded capture or the replies capture).
  // Returns false when it answers nothing. A duplicate of a reply already graded is counted
  // as one, not graded again.
  bool OfferReply(const EchoPacket& p) {
    std::optional<ReplyMatch> match;
    if (p.is_request()) {
      if (std::optional<uint64_t> index = pairer_.MatchUnchangedType(p)) match = {*index, false};
    } else {
      match = pairer_.MatchReply(p);
    }
    if (!match) return false;
    if (match->duplicate) {
      ++sink_.summary().duplicates;
      reply_frames_ += p.frames.size();
      return true;
    }
    Grade(match->request, At(match->request), &p);
    Release(match->request);
    return true;
  }

  void FinishUnanswered() {
    for (size_t i = 0; i < waiting_.size(); ++i) {
      if (waiting_[i] != kGraded) Grade(first_waiting_ + i, slots_[waiting_[i]], nullptr);
    }
    waiting_.clear();
  }

  uint64_t requests() const { return next_index_; }
  uint64_t request_frames() const { return request_frames_; }
  uint64_t reply_frames() const { return reply_frames_; }

 private:
  // The request `index` waits for; REQUIRES: it does (AddRequest, not yet graded).
  const Waiting& At(uint64_t index) const { return slots_[waiting_[index - first_waiting_]]; }

  // Request `index` is graded: its slot is free for the next one.
  void Release(uint64_t index) {
    uint32_t& slot = waiting_[index - first_waiting_];
    free_slots_.push_back(slot);
    slot = kGraded;
    while (!waiting_.empty() && waiting_.front() == kGraded) {
      waiting_.pop_front();
      ++first_waiting_;
    }
  }

  const GradeOptions& options_;
  ResultSink sink_;
  ReplyMeta reply_meta_;  // of a reply from a capture: only its frame and time change
  ReplyPairer pairer_;
  // Requests from the oldest still waiting on, by index: request first_waiting_ + i is in
  // slot waiting_[i] of `slots_`, or kGraded once it has been. A slot is reused, with its
  // buffers, once its request is graded.
  static constexpr uint32_t kGraded = UINT32_MAX;
  std::deque<uint32_t> waiting_;
  uint64_t first_waiting_ = 0;
  std::vector<Waiting> slots_;
  std::vector<uint32_t> free_slots_;
  uint64_t next_index_ = 0;
  uint64_t request_frames_ = 0;
  uint64_t reply_frames_ = 0;
};

enum class ReplySource { kInCapture, kSecondCapture, kTextFile };

}  // namespace

Result<RunSummary> RunGrade(const GradeOptions& options, FILE* out) {
  RunInfo info;
  info.command = "grade";
  info.input = options.capture;
  info.profile = ProfileName(options.profile);
  info.started_at = NowRfc3339();
  // Every report path is checked before anything is read: none may be an input or another report.
  std::vector<NamedPath> inputs = {{options.capture, "the capture"}}, outputs;
  if (options.replies) inputs.push_back({*options.replies, "the replies"});
  Status reports_ok = AddReportOutputs(options.reports, info, &outputs);
  if (reports_ok.ok()) reports_ok = CheckOutputPaths(inputs, outputs);
  if (!reports_ok.ok()) return reports_ok;
  // The hash goes into the reports only. A capture on a pipe is read once, as it comes: only
  // a file is hashed first.
  if (!options.reports.empty() && std::filesystem::is_regular_file(options.capture)) {
    if (Result<std::string> hash = Sha256FileHex(options.capture); hash.ok()) {
      info.capture_sha256 = *hash;
    }
  }

  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(options.capture);
  if (!reader.ok()) return InputError(options.capture, reader.status());
  PacketStream stream(reader->get(), false);

  ReplySource source = ReplySource::kInCapture;
  std::optional<InputCopy> replies_copy;
  std::unique_ptr<CaptureReader> reply_reader;
  std::unique_ptr<HexReplyFile> text;
  if (options.replies) {
    const std::string& name = *options.replies;
    Result<InputCopy> copy = InputCopy::Of(name);  // a stream is read twice below
    if (!copy.ok()) return copy.status();
    replies_copy.emplace(std::move(*copy));
    if (TreatAsCapture(name, replies_copy->path())) {
      source = ReplySource::kSecondCapture;
      Result<std::unique_ptr<CaptureReader>> r = CaptureReader::Open(replies_copy->path());
      if (!r.ok()) return InputError(name, r.status());
      reply_reader = std::move(*r);
    } else {
      source = ReplySource::kTextFile;
      // Checked whole before anything is graded: a bad line is an input error.
      HexReplyFile check(replies_copy->path());
      if (!check.is_open()) return InputError(name, IoError("cannot open"));
      std::optional<Bytes> reply;
      for (;;) {
        Result<bool> more = check.Next(&reply);
        if (!more.ok()) return InputError(name, more.status());
        if (!*more) break;
      }
      text = std::make_unique<HexReplyFile>(replies_copy->path());
    }
  }

  const char* heading = source == ReplySource::kInCapture       ? "replies in the capture"
                        : source == ReplySource::kSecondCapture ? "replies from a second capture"
                                                                : "hex replies from a text file";
  std::fprintf(out, "GRADE %s: %s, profile %s\n", options.capture.c_str(), heading,
               info.profile.c_str());

  GradeLoop loop(options, out);
  Result<std::unique_ptr<RunReports>> reports = RunReports::Open(options.reports, info, 1);
  if (!reports.ok()) return InputError(options.capture, reports.status());
  loop.sink().set_reports(reports->get());
  loop.sink().set_final_when_recorded();
  EchoPacket packet;
  for (;;) {
    Result<bool> more = stream.Next(&packet);
    if (!more.ok()) return InputError(options.capture, more.status());
    if (!*more) break;
    if (source == ReplySource::kInCapture) {
      if (packet.is_request()) {
        if (!loop.OfferReply(packet)) loop.AddRequest(packet);
      } else {
        loop.OfferReply(packet);
      }
      continue;
    }
    if (!packet.is_request()) continue;
    uint64_t index = loop.AddRequest(packet);
    if (source != ReplySource::kTextFile) continue;
    std::optional<Bytes> reply;
    Result<bool> line = text->Next(&reply);
    if (!line.ok()) return InputError(*options.replies, line.status());
    if (!*line || !reply) {
      loop.GradeBytes(index, nullptr);
    } else {
      ByteView view(*reply);
      loop.GradeBytes(index, &view);
    }
  }

  if (source == ReplySource::kTextFile && text->HasMoreReplies()) {
    return Malformed(*options.replies + ": line " + std::to_string(text->line()) +
                     ": more replies than the " + std::to_string(loop.requests()) +
                     " requests in " + options.capture);
  }
  if (source == ReplySource::kSecondCapture) {
    PacketStream replies(reply_reader.get(), false);
    for (;;) {
      Result<bool> more = replies.Next(&packet);
      if (!more.ok()) return InputError(*options.replies, more.status());
      if (!*more) break;
      loop.OfferReply(packet);
    }
  }
  loop.FinishUnanswered();

  RunSummary& summary = loop.sink().summary();
  summary.frames = stream.counts().frames;
  summary.requests = loop.requests();
  uint64_t used =
      loop.request_frames() + (source == ReplySource::kInCapture ? loop.reply_frames() : 0);
  summary.skipped = summary.frames > used ? summary.frames - used : 0;
  info.finished_at = NowRfc3339();
  std::fputs(FormatSummary(info, summary).c_str(), out);
  loop.sink().FlushResults();
  Result<std::vector<std::string>> written = (*reports)->Finish(info, summary);
  if (!written.ok()) return written.status();
  std::fputs(DescribeWrittenReports(*written).c_str(), out);
  return summary;
}

}  // namespace llmstack
