#include "run/main_job.h"

#include <algorithm>

#include "base/sha256.h"
#include "base/tool.h"
#include "packet/capture.h"
#include "packet/packet_stream.h"
#include "report/terminal_report.h"
#include "run/run_journal.h"

namespace llmstack {

Result<uint64_t> CountRequests(const std::string& path) {
  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(path);
  if (!reader.ok()) return reader.status();
  PacketStream stream(reader->get(), false);
  EchoPacket p;
  uint64_t requests = 0;
  for (;;) {
    Result<bool> more = stream.Next(&p);
    if (!more.ok()) return more.status();
    if (!*more) return requests;
    requests += p.is_request();
  }
}

Result<std::unique_ptr<ModelSession>> OpenCellSession(const ReplayOptions& o,
                                                      const SessionOptions& cell, uint64_t requests,
                                                      const std::string& capture_copy,
                                                      RunInfo* info, FILE* err) {
  SessionOptions session_options = cell;
  session_options.backend.reference_profile = o.profile;
  session_options.journal.reset();  // opened by the caller, once the run's identity is known
  session_options.resume = false;
  uint64_t queries = requests * static_cast<uint64_t>(o.samples);
  session_options.backend.total_retries =
      static_cast<int>(std::max<uint64_t>(100, std::min<uint64_t>(2 * queries, 1 << 30)));
  Result<std::unique_ptr<ModelSession>> session = ModelSession::Open(session_options);
  if (!session.ok()) return session.status();
  for (const std::string& w : (*session)->warnings()) {
    std::fprintf(err, "llmstack-replay: warning: %s\n", w.c_str());
  }
  info->model = (*session)->plan().spec;
  info->model_is_reference = (*session)->is_reference();
  if ((*session)->plan().uses_prompt) {
    info->prompt_path = (*session)->prompt().name();
    info->prompt_sha256 = (*session)->prompt().sha256();
  }
  info->settings = SettingsOf(cell.backend, (*session)->plan(), o.samples);
  if ((*session)->plan().kind == "replay") {
    info->replayed_from = ReplayedRunOf(info->model->substr(std::string("replay:").size()));
  }
  if (Result<std::string> hash = Sha256FileHex(capture_copy); hash.ok())
    info->capture_sha256 = *hash;
  return session;
}

CaptureDescription DescribeReplayCapture(const RunInfo& info, const std::string& input) {
  CaptureDescription description;
  description.application = std::string(kToolName) + " " + kToolVersion;
  description.comment = std::string(kToolName) + " " + kToolVersion + " replay of " + input + "; " +
                        DescribeModel(info) + "; profile " + info.profile;
  if (info.prompt_path) {
    description.comment += "; prompt " + *info.prompt_path + " sha256 " + *info.prompt_sha256;
  }
  return description;
}

int WorstExitCode(int a, int b) {
  auto rank = [](int code) { return code == 2 ? 3 : code == 3 ? 2 : code == 1 ? 1 : 0; };
  return rank(a) >= rank(b) ? a : b;
}

Status OpenRunJournal(const ReplayOptions& o, const std::string& capture_copy,
                      const std::vector<ModelSession*>& sessions,
                      const std::vector<std::string>& cells, FILE* err) {
  Result<JournalIdentity> identity =
      ReplayRunIdentity(capture_copy, sessions, cells, o.session.backend, o.profile, o.samples);
  if (!identity.ok()) return identity.status();
  std::vector<std::string> notes;
  Status opened =
      AttachRunJournal(*o.session.journal, o.session.resume, *identity, sessions, &notes);
  if (!opened.ok()) return opened;
  for (const std::string& w : notes) std::fprintf(err, "llmstack-replay: warning: %s\n", w.c_str());
  return Status::Ok();
}

ReplayRunOptions RunOptionsOf(const ReplayOptions& o) {
  ReplayRunOptions run_options;
  run_options.profile = o.profile;
  run_options.samples = o.samples;
  run_options.concurrency = o.session.backend.concurrency;
  run_options.replies_only = o.replies_only;
  run_options.include_negatives = o.include_negatives;
  return run_options;
}

Status FinishReplayRun(const ReplayOptions& o, const ReplayRun& run, const Status& ran,
                       const PacketStream& stream, uint64_t capture_requests, CaptureWriter* writer,
                       ResultSink* sink) {
  if (!ran.ok()) {
    return ran.code() == StatusCode::kIoError ? ran : ran.WithContext(o.input);
  }
  Status finished = writer->Finish();
  if (!finished.ok()) return finished;
  sink->FinishSamples();
  RunSummary& summary = sink->summary();
  summary.frames = stream.counts().frames;
  summary.requests = run.requests();
  if (run.interrupted()) {
    summary.not_asked = capture_requests - std::min(capture_requests, run.requests());
  }
  summary.skipped = summary.frames - std::min(summary.frames, run.request_frames());
  return Status::Ok();
}

}  // namespace llmstack
