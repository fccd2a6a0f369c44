#include "cli/replay_command.h"

#include "base/clock.h"
#include "base/input_copy.h"
#include "base/interrupt.h"
#include "base/output_file.h"
#include "packet/capture.h"
#include "packet/capture_writer.h"
#include "report/reports.h"
#include "report/terminal_report.h"
#include "run/main_job.h"
#include "run/matrix_run.h"
#include "run/replay_run.h"
#include "run/run_journal.h"

namespace llmstack {

namespace {

int Fail(FILE* err, const std::string& message) {
  std::fprintf(err, "llmstack-replay: %s\n", message.c_str());
  return 2;
}

// Every output, checked before anything is asked: -o, --journal and the reports.
Status CheckOutputs(const ReplayOptions& o, const RunInfo& info) {
  std::vector<NamedPath> outputs = {{o.output, "the output capture"}};
  if (o.session.journal) outputs.push_back({*o.session.journal, "the journal"});
  Status reports = AddReportOutputs(o.reports, info, &outputs);
  if (!reports.ok()) return reports;
  std::vector<NamedPath> inputs = {{o.input, "the input capture"}};
  if (o.session.prompt_path) inputs.push_back({*o.session.prompt_path, "the prompt"});
  if (o.session.prices_path) inputs.push_back({*o.session.prices_path, "the price table"});
  const std::string model = o.session.backend.model.value_or("");
  if (model.rfind("replay:", 0) == 0) inputs.push_back({model.substr(7), "the replayed journal"});
  return CheckOutputPaths(inputs, outputs);
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
  if (o.models.size() > 1 || o.prompts.size() > 1) return RunMatrix(o, out, err);
  RunInfo info;
  info.command = "replay";
  info.input = o.input;
  info.model = o.session.backend.model;
  info.profile = ProfileName(o.profile);
  // Reports named by format alone need the model's name: checked again once it is known.
  Status paths = CheckOutputs(o, info);
  if (!paths.ok()) return Fail(err, paths.message());

  Result<InputCopy> input = InputCopy::Of(o.input);
  if (!input.ok()) return Fail(err, input.status().message());
  Result<uint64_t> requests = CountRequests(input->path());
  if (!requests.ok()) return Fail(err, o.input + ": " + requests.status().message());

  if (o.session.resume && !o.session.journal) {
    return Fail(err, "--resume needs the run's --journal FILE");
  }
  Result<std::unique_ptr<ModelSession>> session =
      OpenCellSession(o, o.session, *requests, input->path(), &info, err);
  if (!session.ok()) return Fail(err, session.status().message());
  paths = CheckOutputs(o, info);
  if (!paths.ok()) return Fail(err, paths.message());
  if (o.session.journal && !info.model_is_reference) {
    Status opened = OpenRunJournal(o, input->path(), {session->get()}, {}, err);
    if (!opened.ok()) return Fail(err, opened.message());
  }
  info.started_at = NowRfc3339();

  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(input->path());
  if (!reader.ok()) return Fail(err, o.input + ": " + reader.status().message());
  CaptureDescription description = DescribeReplayCapture(info, o.input);
  Result<std::unique_ptr<CaptureWriter>> writer = OpenCaptureWriter(
      o.output, (*reader)->link_type(), (*reader)->nanosecond_resolution(), description);
  if (!writer.ok()) return Fail(err, writer.status().message());

  // As ping does, -q leaves out the per-packet lines only: the heading and the statistics stay.
  std::fprintf(out, "REPLAY %s: %llu echo requests, %s, profile %s\n", o.input.c_str(),
               static_cast<unsigned long long>(*requests), DescribeModel(info).c_str(),
               info.profile.c_str());
  std::fflush(out);
  WatchForInterrupts();
  PacketStream stream(reader->get(), !o.replies_only);
  ResultSink sink(out, !o.quiet, false, o.samples);
  Result<std::unique_ptr<RunReports>> reports = RunReports::Open(o.reports, info, o.samples);
  if (!reports.ok()) return Fail(err, reports.status().message());
  sink.set_reports(reports->get());
  ProgressBar progress(err, !o.quiet && !o.no_progress,
                       *requests * static_cast<uint64_t>(o.samples));
  ReplayRun run(RunOptionsOf(o), session->get(), writer->get(), (*reader)->link_type(), &sink,
                &progress, &SystemClock::Instance(), [] { return Interrupted(); });
  Status ran = run.Run(stream);
  if (!ran.ok()) progress.Clear();
  Status finished = FinishReplayRun(o, run, ran, stream, *requests, writer->get(), &sink);
  if (!finished.ok()) return Fail(err, finished.message());
  RunSummary& summary = sink.summary();
  info.finished_at = NowRfc3339();
  info.interrupted = run.interrupted();
  std::fputs(FormatSummary(info, summary).c_str(), out);
  if (run.stopped_because()) {
    std::fprintf(out, "the run stopped: %s; the requests after it were not asked\n",
                 run.stopped_because()->c_str());
  }
  if (run.not_sent() > 0) {
    std::fprintf(
        out,
        "%llu requests that must not be answered were not sent (--include-negatives sends them)\n",
        static_cast<unsigned long long>(run.not_sent()));
  }
  if (!(*session)->cache_problem().empty()) {
    std::fprintf(err, "llmstack-replay: warning: the cache could not be written: %s\n",
                 (*session)->cache_problem().c_str());
  }
  sink.FlushResults();
  Result<std::vector<std::string>> written = (*reports)->Finish(info, summary);
  if (!written.ok()) return Fail(err, written.status().message());
  std::fputs(DescribeWrittenReports(*written).c_str(), out);
  if (run.interrupted()) {
    std::fprintf(err, "llmstack-replay: interrupted: %s written with what was finished; %s\n",
                 o.output.c_str(),
                 o.session.journal ? "run again with --resume to finish"
                 : (*session)->uses_cache()
                     ? "finished answers are in the cache; run again to finish"
                     : "give --journal FILE to be able to resume");
    return 130;
  }
  if (summary.count(Verdict::kError) > 0) return 3;
  return summary.ExitCode();
}

}  // namespace llmstack
