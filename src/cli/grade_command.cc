#include "cli/grade_command.h"

#include <sys/stat.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <memory>
#include <vector>

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

int InputError(FILE* err, const std::string& path, const Status& s) {
  std::fprintf(err, "llmstack-replay: %s: %s\n", path.c_str(), s.message().c_str());
  return 2;
}

// The first bytes of a file (up to 4096).
std::string FilePrefix(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string prefix(4096, '\0');
  in.read(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  prefix.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return prefix;
}

// Whether the replies file is to be read as a capture: anything but a readable text file with
// no capture name or magic (a capture that is damaged is then reported as one).
bool TreatAsCapture(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return true;
  for (const char* ext : {".pcap", ".pcapng", ".cap"}) {
    if (path.ends_with(ext)) return true;
  }
  std::string prefix = FilePrefix(path);
  if (prefix.size() >= 4) {
    uint32_t be = uint32_t{static_cast<uint8_t>(prefix[0])} << 24 |
                  uint32_t{static_cast<uint8_t>(prefix[1])} << 16 |
                  uint32_t{static_cast<uint8_t>(prefix[2])} << 8 | static_cast<uint8_t>(prefix[3]);
    if (be == 0xa1b2c3d4 || be == 0xd4c3b2a1 || be == 0xa1b23c4d || be == 0x4d3cb2a1 ||
        be == 0x0a0d0d0a) {
      return true;
    }
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

class GradeRun {
 public:
  GradeRun(const GradeOptions& o, FILE* out)
      : options_(o), sink_(out, !o.quiet, !o.reports.empty(), 1) {}

  ResultSink& sink() { return sink_; }

  // Grades request `index` with `reply` (a packet from a capture) or none.
  void Grade(uint64_t index, const Waiting& w, const EchoPacket* reply) {
    ReplyMeta meta;
    if (reply) {
      meta.reply_frame = reply->frame;
      meta.rtt_ms = reply->time.MillisecondsSince(w.request.time);
      reply_frames_ += reply->frames.size();
      ByteView bytes(reply->datagram);
      sink_.Record(w.request, w.assessment, index, &bytes, meta, options_.profile);
    } else {
      sink_.Record(w.request, w.assessment, index, nullptr, meta, options_.profile);
    }
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

  // Pairs a packet going the other way (from the graded capture or the replies capture).
  // Returns false when it answers nothing.
  bool OfferReply(const EchoPacket& p) {
    std::optional<uint64_t> index =
        p.is_request() ? pairer_.MatchUnchangedType(p) : pairer_.MatchReply(p);
    if (!index) return false;
    Grade(*index, At(*index), &p);
    Release(*index);
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
  const GradeOptions& options_;
  ResultSink sink_;
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

}  // namespace

int RunGradeCommand(const GradeOptions& options, FILE* out, FILE* err) {
  for (const std::string& path : options.reports) {
    Result<ReportFormat> f = ReportFormatFor(path);
    if (!f.ok()) {
      std::fprintf(err, "llmstack-replay: %s\n", f.status().message().c_str());
      return 2;
    }
  }
  RunInfo info;
  info.command = "grade";
  info.input = options.capture;
  info.profile = ProfileName(options.profile);
  info.started_at = NowRfc3339();
  if (Result<std::string> hash = FileSha256(options.capture); hash.ok())
    info.capture_sha256 = *hash;

  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(options.capture);
  if (!reader.ok()) return InputError(err, options.capture, reader.status());
  PacketStream stream(reader->get(), false);

  enum class Mode { kInCapture, kSecondCapture, kTextFile } mode = Mode::kInCapture;
  std::unique_ptr<CaptureReader> reply_reader;
  std::unique_ptr<HexReplyFile> text;
  if (options.replies) {
    if (TreatAsCapture(*options.replies)) {
      mode = Mode::kSecondCapture;
      Result<std::unique_ptr<CaptureReader>> r = CaptureReader::Open(*options.replies);
      if (!r.ok()) return InputError(err, *options.replies, r.status());
      reply_reader = std::move(*r);
    } else {
      mode = Mode::kTextFile;
      // Checked whole before anything is graded: a bad line is an input error.
      HexReplyFile check(*options.replies);
      if (!check.is_open()) return InputError(err, *options.replies, IoError("cannot open"));
      std::optional<Bytes> reply;
      for (;;) {
        Result<bool> more = check.Next(&reply);
        if (!more.ok()) return InputError(err, *options.replies, more.status());
        if (!*more) break;
      }
      text = std::make_unique<HexReplyFile>(*options.replies);
    }
  }

  const char* source = mode == Mode::kInCapture       ? "replies in the capture"
                       : mode == Mode::kSecondCapture ? "replies from a second capture"
                                                      : "hex replies from a text file";
  std::fprintf(out, "GRADE %s: %s, profile %s\n", options.capture.c_str(), source,
               info.profile.c_str());

  GradeRun run(options, out);
  Result<std::unique_ptr<RunReports>> reports = RunReports::Open(options.reports, info, 1);
  if (!reports.ok()) return InputError(err, options.capture, reports.status());
  run.sink().set_reports(reports->get());
  run.sink().set_final_when_recorded();
  EchoPacket packet;
  for (;;) {
    Result<bool> more = stream.Next(&packet);
    if (!more.ok()) return InputError(err, options.capture, more.status());
    if (!*more) break;
    if (mode == Mode::kInCapture) {
      if (packet.is_request()) {
        if (!run.OfferReply(packet)) run.AddRequest(packet);
      } else {
        run.OfferReply(packet);
      }
      continue;
    }
    if (!packet.is_request()) continue;
    uint64_t index = run.AddRequest(packet);
    if (mode != Mode::kTextFile) continue;
    std::optional<Bytes> reply;
    Result<bool> line = text->Next(&reply);
    if (!line.ok()) return InputError(err, *options.replies, line.status());
    const Waiting& w = run.At(index);
    ReplyMeta meta;
    if (!*line || !reply) {
      run.sink().Record(w.request, w.assessment, index, nullptr, meta, options.profile);
    } else {
      ByteView view(*reply);
      run.sink().Record(w.request, w.assessment, index, &view, meta, options.profile);
    }
    run.Release(index);
  }

  if (mode == Mode::kTextFile && text->HasMoreReplies()) {
    std::fprintf(err, "llmstack-replay: %s: line %llu: more replies than the %llu requests in %s\n",
                 options.replies->c_str(), static_cast<unsigned long long>(text->line()),
                 static_cast<unsigned long long>(run.requests()), options.capture.c_str());
    return 2;
  }
  if (mode == Mode::kSecondCapture) {
    PacketStream replies(reply_reader.get(), false);
    for (;;) {
      Result<bool> more = replies.Next(&packet);
      if (!more.ok()) return InputError(err, *options.replies, more.status());
      if (!*more) break;
      run.OfferReply(packet);
    }
  }
  run.FinishUnanswered();

  RunSummary& summary = run.sink().summary();
  summary.frames = stream.counts().frames;
  summary.requests = run.requests();
  uint64_t used = run.request_frames() + (mode == Mode::kInCapture ? run.reply_frames() : 0);
  summary.skipped = summary.frames > used ? summary.frames - used : 0;
  info.finished_at = NowRfc3339();
  std::fputs(FormatSummary(info, summary).c_str(), out);
  run.sink().FlushResults();
  Result<std::vector<std::string>> written = (*reports)->Finish(info, summary);
  if (!written.ok()) {
    std::fprintf(err, "llmstack-replay: %s\n", written.status().message().c_str());
    return 2;
  }
  std::fputs(DescribeWrittenReports(*written).c_str(), out);
  return summary.ExitCode();
}

}  // namespace llmstack
