#include "cli/live_command.h"

#include "base/clock.h"
#include "base/interrupt.h"
#include "base/tool.h"
#include "live/live_loop.h"
#include "live/tun_device.h"
#include "packet/capture_writer.h"
#include "report/terminal_report.h"

namespace llmstack {

namespace {

int Fail(FILE* err, const std::string& message) {
  std::fprintf(err, "llmstack-replay: %s\n", message.c_str());
  return 2;
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
    description.application = std::string(kToolName) + " " + kToolVersion;
    description.comment = std::string(kToolName) + " " + kToolVersion + " live on " + tun->name() +
                          (address ? " (" + address->text + ")" : "") + "; " + DescribeModel(info) +
                          "; profile " + info.profile + "; " + PolicyDescription(policy);
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

  LiveLoopOptions loop_options;
  loop_options.profile = o.profile;
  loop_options.concurrency = o.session.backend.concurrency;
  loop_options.policy = policy;
  loop_options.quiet = o.quiet;
  LiveLoop loop(loop_options, session->get(), &*tun, record.get(), out, &SystemClock::Instance(),
                [] { return Interrupted(); });
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
