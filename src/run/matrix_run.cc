#include "run/matrix_run.h"

#include "base/clock.h"
#include "base/input_copy.h"
#include "base/interrupt.h"
#include "base/output_file.h"
#include "packet/capture.h"
#include "report/comparison.h"
#include "report/reports.h"
#include "report/terminal_report.h"
#include "run/compare.h"
#include "run/matrix_cells.h"
#include "run/matrix_report.h"
#include "run/replay_run.h"
#include "run/run_journal.h"

namespace llmstack {

namespace {

int Fail(FILE* err, const std::string& message) {
  std::fprintf(err, "llmstack-replay: %s\n", message.c_str());
  return 2;
}

// Every line of `text` after `prefix` (empty lines kept empty).
std::string Prefixed(const std::string& prefix, const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out += prefix + text.substr(start, end - start);
    out += '\n';
    start = end + 1;
  }
  return out;
}

struct Cell {
  std::string name, output;  // the cell's name and its output capture
  RunInfo info;
  std::unique_ptr<ModelSession> session;
};

// Runs one cell over the capture at `capture`; its results go to `results`. Returns the
// cell's exit code.
int RunCell(const ReplayOptions& o, Cell& cell, const std::string& capture, uint64_t requests,
            MatrixCellResults* results, FILE* out, FILE* err) {
  const std::string prefix = "[" + cell.name + "] ";
  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(capture);
  if (!reader.ok()) return Fail(err, o.input + ": " + reader.status().message());
  Result<std::unique_ptr<CaptureWriter>> writer =
      OpenCaptureWriter(cell.output, (*reader)->link_type(), (*reader)->nanosecond_resolution(),
                        DescribeReplayCapture(cell.info, o.input));
  if (!writer.ok()) return Fail(err, writer.status().message());
  std::fprintf(out, "%sREPLAY %s: %llu echo requests, %s, profile %s\n", prefix.c_str(),
               o.input.c_str(), static_cast<unsigned long long>(requests),
               DescribeModel(cell.info).c_str(), cell.info.profile.c_str());
  std::fflush(out);
  cell.info.started_at = NowRfc3339();
  PacketStream stream(reader->get(), !o.replies_only);
  ResultSink sink(out, !o.quiet, true, o.samples);
  sink.set_line_prefix(prefix);
  ProgressBar progress(err, !o.quiet && !o.no_progress,
                       requests * static_cast<uint64_t>(o.samples));
  ReplayRun run(RunOptionsOf(o), cell.session.get(), writer->get(), (*reader)->link_type(), &sink,
                &progress, &SystemClock::Instance(), [] { return Interrupted(); });
  Status ran = run.Run(stream);
  if (!ran.ok()) progress.Clear();
  Status finished = FinishReplayRun(o, run, ran, stream, requests, writer->get(), &sink);
  if (!finished.ok()) return Fail(err, finished.message());
  RunSummary& summary = sink.summary();
  cell.info.finished_at = NowRfc3339();
  cell.info.interrupted = run.interrupted();
  std::fputs(Prefixed(prefix, FormatSummary(cell.info, summary)).c_str(), out);
  if (run.stopped_because()) {
    std::fprintf(out, "%sthe run stopped: %s; the requests after it were not asked\n",
                 prefix.c_str(), run.stopped_because()->c_str());
  }
  if (run.not_sent() > 0) {
    std::fprintf(out,
                 "%s%llu requests that must not be answered were not sent (--include-negatives "
                 "sends them)\n",
                 prefix.c_str(), static_cast<unsigned long long>(run.not_sent()));
  }
  if (!cell.session->cache_problem().empty()) {
    std::fprintf(err, "llmstack-replay: warning: %sthe cache could not be written: %s\n",
                 prefix.c_str(), cell.session->cache_problem().c_str());
  }
  std::fprintf(out, "%scapture: %s\n", prefix.c_str(), cell.output.c_str());
  results->name = cell.name;
  results->info = cell.info;
  results->summary = summary;
  results->packets = sink.TakeResults();
  if (run.interrupted()) return 130;
  if (summary.count(Verdict::kError) > 0) return 3;
  return summary.ExitCode();
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int RunMatrix(const ReplayOptions& o, FILE* out, FILE* err) {
  if (o.output == "-") {
    return Fail(err,
                "-o - cannot hold a matrix run's captures: give -o OUT.pcapng (each cell "
                "writes OUT.CELL.pcapng)");
  }
  RunInfo run_info;
  run_info.command = "replay";
  run_info.input = o.input;
  run_info.profile = ProfileName(o.profile);
  std::vector<std::string> report_paths;
  for (const std::string& r : o.reports) {
    report_paths.push_back(ReportPath(r, run_info));
    const std::string& path = report_paths.back();
    if (!EndsWith(path, ".json") && !EndsWith(path, ".html") && !EndsWith(path, ".md")) {
      return Fail(err, r + ": a matrix run's report is .json, .html or .md");
    }
  }
  if (o.session.resume && !o.session.journal) {
    return Fail(err, "--resume needs the run's --journal FILE");
  }
  std::vector<std::string> models = o.models;
  if (models.empty()) models.push_back(o.session.backend.model.value_or(""));
  std::vector<std::optional<std::string>> prompts(o.prompts.begin(), o.prompts.end());
  if (prompts.empty()) prompts.push_back(std::nullopt);
  Result<InputCopy> input = InputCopy::Of(o.input);
  if (!input.ok()) return Fail(err, input.status().message());
  Result<uint64_t> requests = CountRequests(input->path());
  if (!requests.ok()) return Fail(err, o.input + ": " + requests.status().message());

  std::vector<NamedPath> inputs = {{o.input, "the input capture"}};
  if (o.session.prices_path) inputs.push_back({*o.session.prices_path, "the price table"});
  std::vector<NamedPath> outputs;
  if (o.session.journal) outputs.push_back({*o.session.journal, "the journal"});
  // A bare format name makes reports/ here, before any cell runs, as a single run does.
  Status report_outputs = AddReportOutputs(o.reports, run_info, &outputs);
  if (!report_outputs.ok()) return Fail(err, report_outputs.message());
  std::vector<Cell> cells;
  std::vector<MatrixCellSpec> specs;
  for (const std::string& model : models) {
    for (const std::optional<std::string>& prompt : prompts) {
      Cell cell;
      cell.info = run_info;
      SessionOptions session_options = o.session;
      session_options.backend.model = model;
      if (model.empty()) session_options.backend.model.reset();  // the default model
      session_options.prompt_path = prompt;
      if (prompt) inputs.push_back({*prompt, "the prompt"});
      if (model.rfind("replay:", 0) == 0)
        inputs.push_back({model.substr(7), "the replayed journal"});
      Result<std::unique_ptr<ModelSession>> session =
          OpenCellSession(o, session_options, *requests, input->path(), &cell.info, err);
      if (!session.ok()) return Fail(err, session.status().message());
      cell.session = std::move(*session);
      // Named by the model as given, or the default one chosen.
      specs.push_back({model.empty() ? cell.session->plan().spec : model, prompt});
      cells.push_back(std::move(cell));
    }
  }
  std::vector<std::string> names = MatrixCellNames(specs);
  for (size_t i = 0; i < cells.size(); ++i) {
    cells[i].name = names[i];
    cells[i].output = CellOutputPath(o.output, names[i]);
    outputs.push_back({cells[i].output, "the output capture of cell " + names[i]});
  }
  Status paths = CheckOutputPaths(inputs, outputs);
  if (!paths.ok()) return Fail(err, paths.message());

  if (o.session.journal) {
    std::vector<ModelSession*> sessions;
    std::vector<std::string> journaled;
    for (Cell& c : cells) {
      if (c.info.model_is_reference) continue;
      sessions.push_back(c.session.get());
      journaled.push_back(c.name);
    }
    if (!sessions.empty()) {
      Status opened = OpenRunJournal(o, input->path(), sessions, journaled, err);
      if (!opened.ok()) return Fail(err, opened.message());
    }
  }

  WatchForInterrupts();
  int code = 0;
  std::vector<MatrixCellResults> results;
  double spent_usd = 0;  // by the cells run so far: --max-cost is the whole run's budget
  for (Cell& cell : cells) {
    cell.session->CountEarlierSpend(spent_usd);
    results.emplace_back();
    int cell_code = RunCell(o, cell, input->path(), *requests, &results.back(), out, err);
    if (cell_code == 2) return 2;
    if (cell_code == 130) {
      code = 130;
      break;
    }
    code = WorstExitCode(code, cell_code);
    spent_usd += cell.session->spent_usd();
  }

  std::fprintf(out, "\n--- %s matrix of %zu cells ---\n", o.input.c_str(), cells.size());
  for (const MatrixCellResults& c : results) {
    std::fprintf(out, "[%s] %s\n", c.name.c_str(), FormatCellLine(c.summary).c_str());
  }
  std::string matrix_json = RenderMatrixReport(results);
  for (const std::string& path : report_paths) {
    std::string text = matrix_json;
    if (!EndsWith(path, ".json")) {
      Result<std::vector<ComparedRun>> runs = ComparedMatrixCells(matrix_json, "");
      if (!runs.ok()) return Fail(err, runs.status().message());
      std::vector<Comparison> comparisons = CompareAll(*runs);
      text = EndsWith(path, ".html") ? RenderComparisonHtml(*runs, comparisons)
                                     : RenderComparisonMarkdown(*runs, comparisons);
    }
    Status written = WriteOutputFile(path, text);
    if (!written.ok()) return Fail(err, written.message());
    std::fputs(DescribeWrittenReports({path}).c_str(), out);
  }
  if (code == 130) {
    std::fprintf(err, "llmstack-replay: interrupted: what was finished is written; %s\n",
                 o.session.journal ? "run again with --resume to finish"
                                   : "give --journal FILE to be able to resume");
  }
  return code;
}

}  // namespace llmstack
