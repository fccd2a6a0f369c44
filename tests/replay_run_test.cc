// The main job's loop in-process: a FakeBackend on a FakeClock, a capture of generated
// requests, and a writer that keeps the frames, so the window, the order of the output, the
// budget, retries, samples and interruption are checked without processes or sleeping.
#include "run/replay_run.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "fake_backend.h"
#include "packet/capture.h"
#include "report/report_json.h"
#include "report/terminal_report.h"
#include "run/compare.h"
#include "run/matrix_cells.h"
#include "run/matrix_report.h"
#include "run/run_journal.h"
#include "standin_fixture.h"
#include "test_support.h"

namespace llmstack {
namespace {

using testing::FakeAnswer;
using testing::FakeBackend;

// Keeps the frames written, in order.
class RecordingWriter : public CaptureWriter {
 public:
  struct Frame {
    Timestamp time;
    Bytes data;
    bool outbound = false;
    std::string comment;
  };
  Status Write(const OutputFrame& f) override {
    frames.push_back(
        {f.time, Bytes(f.data.begin(), f.data.end()), f.outbound, std::string(f.comment)});
    return Status::Ok();
  }
  Status Flush() override { return Status::Ok(); }
  Status Finish() override { return Status::Ok(); }
  std::vector<Frame> frames;
};

double Seconds(const Timestamp& t) { return static_cast<double>(t.sec) + t.nsec / 1e9; }

struct Outcome {
  RunSummary summary;
  std::vector<PacketResult> results;
  std::vector<RecordingWriter::Frame> frames;
  std::vector<uint64_t> submitted;
  size_t max_in_flight = 0;
  size_t cancelled = 0;
  double fake_seconds = 0;
  bool interrupted = false;
  uint64_t unanswered = 0;
  std::optional<std::string> stopped_because;
  std::string lines;  // what the terminal got
  Status journal_opened;
};

struct Setup {
  int requests = 20;
  int concurrency = 4;
  int samples = 1;
  std::optional<double> max_cost;
  std::function<FakeAnswer(const ModelQuery&)> script = [](const ModelQuery&) {
    return FakeAnswer{};
  };
  // Stop after this many answers have been taken from the backend (-1: never).
  int stop_after = -1;
  // The run's journal (none when empty), resumed with `resume`.
  std::string journal;
  bool resume = false;
};

Outcome Run(const Setup& setup) {
  testing::TempDir dir;
  std::string input = dir.File("in.pcap");
  testing::WriteRequestCapture(input, setup.requests, true);
  FakeClock clock;
  auto backend = std::make_unique<FakeBackend>(&clock, setup.script);
  FakeBackend* fake = backend.get();
  BackendPlan plan = FakeBackend::Plan(std::move(backend));
  plan.cacheable = true;  // as an API backend's: answers have a cache key, which --resume uses
  SessionOptions options;
  options.no_cache = true;
  options.max_cost = setup.max_cost;
  Result<std::unique_ptr<ModelSession>> session = ModelSession::Open(options, &plan);
  REQUIRE(session.ok());
  Outcome o;
  if (!setup.journal.empty()) {
    std::vector<ModelSession*> sessions = {session->get()};
    Result<JournalIdentity> identity =
        ReplayRunIdentity(input, sessions, {}, options.backend, Profile::kRfc, setup.samples);
    REQUIRE(identity.ok());
    std::vector<std::string> notes;
    o.journal_opened = AttachRunJournal(setup.journal, setup.resume, *identity, sessions, &notes);
    if (!o.journal_opened.ok()) return o;
  }
  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(input);
  REQUIRE(reader.ok());
  PacketStream stream(reader->get(), true);
  RecordingWriter writer;
  char* buffer = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&buffer, &size);
  {
    ResultSink sink(out, true, true, setup.samples);
    ReplayRunOptions ro;
    ro.samples = setup.samples;
    ro.concurrency = setup.concurrency;
    int seen = 0;
    ReplayRun run(ro, session->get(), &writer, (*reader)->link_type(), &sink, nullptr, &clock,
                  [&] { return setup.stop_after >= 0 && ++seen > setup.stop_after * 2; });
    REQUIRE(run.Run(stream).ok());
    sink.FinishSamples();
    o.summary = sink.summary();
    o.results = sink.TakeResults();
    o.interrupted = run.interrupted();
    o.unanswered = run.unanswered();
    o.stopped_because = run.stopped_because();
  }
  std::fclose(out);
  o.lines.assign(buffer, size);
  std::free(buffer);
  o.frames = writer.frames;
  o.submitted = fake->submitted();
  o.max_in_flight = fake->max_in_flight();
  o.cancelled = fake->cancelled();
  o.fake_seconds = clock.slept();
  return o;
}

TEST_CASE("the window: -j in flight, N requests take ceil(N/C) latencies", "[replay_run]") {
  Setup s;
  s.requests = 20;
  s.concurrency = 4;
  Outcome o = Run(s);
  CHECK(o.max_in_flight == 4);
  CHECK(o.summary.count(Verdict::kCorrect) == 20);
  // 20 requests, 4 at a time, 1 s each: 5 s of (fake) waiting, not 20.
  CHECK(o.fake_seconds == Approx(5.0).margin(0.2));
  CHECK(o.results.size() == 20);
}

TEST_CASE("answers out of order: the output is in time order, each reply after its request",
          "[replay_run]") {
  Setup s;
  s.requests = 12;
  s.concurrency = 6;
  // The first requests are the slowest: answers come back in reverse.
  s.script = [](const ModelQuery& q) {
    FakeAnswer a;
    a.latency_s = 10.0 - static_cast<double>(q.index % 6);
    return a;
  };
  Outcome o = Run(s);
  REQUIRE(o.frames.size() == 24);
  for (size_t i = 1; i < o.frames.size(); ++i) {
    INFO(i);
    CHECK(Seconds(o.frames[i - 1].time) <= Seconds(o.frames[i].time));
  }
  // Every reply is stamped at its request's time plus its latency.
  std::map<uint64_t, double> request_time;
  for (const PacketResult& r : o.results) request_time[r.index] = r.request_time;
  for (const PacketResult& r : o.results) {
    REQUIRE(r.reply_frame);
    const RecordingWriter::Frame& reply = o.frames.at(*r.reply_frame - 1);
    CHECK(reply.outbound);
    CHECK(Seconds(reply.time) ==
          Approx(r.request_time + 10.0 - static_cast<double>(r.index % 6)).margin(1e-3));
  }
  // The results come out in request order whatever the order of the answers.
  for (size_t i = 0; i < o.results.size(); ++i) CHECK(o.results[i].index == i);
}

TEST_CASE("retries are counted, and a failed request is an error, not the model's fault",
          "[replay_run]") {
  Setup s;
  s.requests = 10;
  s.script = [](const ModelQuery& q) {
    FakeAnswer a;
    a.attempts = q.index % 2 == 0 ? 3 : 1;
    a.fail = q.index == 5;
    return a;
  };
  Outcome o = Run(s);
  CHECK(o.summary.retries == 5 * 2);
  CHECK(o.summary.model_requests == 5 * 3 + 5);
  CHECK(o.summary.count(Verdict::kError) == 1);
  CHECK(o.summary.count(Verdict::kCorrect) == 9);
  CHECK(o.results[5].why_error == "backend");
}

TEST_CASE("--max-cost: never more in flight than the budget holds, the rest 'budget'",
          "[replay_run]") {
  Setup s;
  s.requests = 40;
  s.concurrency = 8;
  // Haiku 4.5 at 1000 in / 500 out costs $0.0035 a request (prices.json): $0.05 buys 14.
  s.max_cost = 0.05;
  Outcome o = Run(s);
  double spent = o.summary.usage.cost_usd;
  CHECK(spent <= 0.05 + 1e-9);
  uint64_t asked = o.submitted.size();
  CHECK(asked >= 10);
  CHECK(asked <= 14);
  CHECK(o.summary.count(Verdict::kError) == 40 - asked);
  for (const PacketResult& r : o.results) {
    if (r.verdict == Verdict::kError) CHECK(r.why_error == "budget");
  }
  // One summary, not one line per request left unasked.
  CHECK(std::count(o.lines.begin(), o.lines.end(), '\n') == static_cast<long>(asked));
}

TEST_CASE("a stopped run (401): the reason once, nothing more asked", "[replay_run]") {
  Setup s;
  s.requests = 30;
  s.concurrency = 2;
  s.script = [](const ModelQuery& q) {
    FakeAnswer a;
    if (q.index >= 3) {
      a.fail = true;
      a.why_error = "auth";
    }
    return a;
  };
  Outcome o = Run(s);
  REQUIRE(o.stopped_because);
  CHECK(o.submitted.size() <= 3 + 2);  // those in flight when the first refusal came
  CHECK(o.summary.count(Verdict::kError) == 30 - 3);
  CHECK(o.summary.count(Verdict::kCorrect) == 3);
  size_t error_lines = 0;
  for (const std::string& line : o.lines | testing::kLines) {
    error_lines += line.find("fake backend failed") != std::string::npos;
  }
  CHECK(error_lines == 1);
}

TEST_CASE("--samples K: every request asked K times, pass@k from the samples", "[replay_run]") {
  Setup s;
  s.requests = 6;
  s.samples = 3;
  // Sample 0 is always wrong (the request sent back), the others right.
  s.script = [](const ModelQuery& q) {
    FakeAnswer a;
    if (q.sample == 0) a.text = "```\n" + q.request_hex + "\n```";
    return a;
  };
  Outcome o = Run(s);
  CHECK(o.submitted.size() == 18);
  CHECK(o.results.size() == 18);
  CHECK(o.summary.count(Verdict::kWrong) == 6);
  CHECK(o.summary.count(Verdict::kCorrect) == 12);
  CHECK(o.summary.pass_at_k == Approx(1.0));
  CHECK(o.summary.pass_all_k == Approx(0.0));
}

TEST_CASE("interruption: what is finished is written, what is in flight is left for --resume",
          "[replay_run]") {
  Setup s;
  s.requests = 50;
  s.concurrency = 5;
  s.stop_after = 4;  // polls: stop after a few turns of the loop
  Outcome o = Run(s);
  CHECK(o.interrupted);
  CHECK(o.cancelled > 0);
  CHECK(o.unanswered == o.cancelled);
  CHECK(o.results.size() < 50);
  // Only the finished results and their frames were written.
  size_t replies = 0;
  for (const auto& f : o.frames) replies += f.outbound;
  CHECK(replies == o.results.size());
}

TEST_CASE("an interrupted run resumed: the whole run counted, asked now and from the journal",
          "[replay_run]") {
  testing::TempDir dir;
  Setup s;
  s.requests = 30;
  s.concurrency = 3;
  s.journal = dir.File("j.jsonl");
  s.stop_after = 15;
  Outcome first = Run(s);
  REQUIRE(first.journal_opened.ok());
  CHECK(first.interrupted);
  const uint64_t finished = first.results.size();
  REQUIRE(finished > 0);
  REQUIRE(finished < 30);
  CHECK(first.summary.asked_now == finished);
  CHECK(first.summary.from_journal == 0);
  // The journal: the run's identity, then one line per finished answer.
  std::vector<std::string> lines = testing::ReadFile(s.journal) | testing::kLines;
  REQUIRE(lines.size() == finished + 1);
  CHECK(ParseJournalIdentityLine(lines[0]).ok());

  // Another run (other samples) is refused, and the journal left as it was.
  Setup other = s;
  other.resume = true;
  other.samples = 2;
  Outcome refused = Run(other);
  REQUIRE_FALSE(refused.journal_opened.ok());
  CHECK(refused.journal_opened.code() == StatusCode::kInvalidArgument);
  CHECK(refused.journal_opened.message().find("--samples 1 (this run: 2)") != std::string::npos);
  CHECK(refused.submitted.empty());
  CHECK((testing::ReadFile(s.journal) | testing::kLines) == lines);

  s.resume = true;
  s.stop_after = -1;
  Outcome resumed = Run(s);
  REQUIRE(resumed.journal_opened.ok());
  CHECK_FALSE(resumed.interrupted);
  CHECK(resumed.summary.count(Verdict::kCorrect) == 30);
  CHECK(resumed.submitted.size() == 30 - finished);  // nothing asked twice
  CHECK(resumed.summary.asked_now == 30 - finished);
  CHECK(resumed.summary.from_journal == finished);
  // Every answer used 1000 tokens in and 500 out: now and earlier, 30 of them in all.
  CHECK(resumed.summary.usage.input_tokens == 30000);
  CHECK(resumed.summary.journal_usage.input_tokens == 1000 * static_cast<int64_t>(finished));

  RunInfo info;
  info.model = "anthropic:claude-haiku-4-5";
  std::string line = FormatSummary(info, resumed.summary);
  INFO(line);
  CHECK(line.find("tokens: 30000 in, 15000 out") != std::string::npos);
  CHECK(line.find("asked now " + std::to_string(30 - finished) + ", from journal " +
                  std::to_string(finished) + ";") != std::string::npos);
  // At $0.0035 an answer (1000 in, 500 out on Haiku 4.5): the whole run's cost, and now's.
  char cost[80];
  std::snprintf(cost, sizeof cost, "estimated cost $0.1050 ($%.4f now)",
                0.0035 * static_cast<double>(30 - finished));
  CHECK(line.find(cost) != std::string::npos);
  nlohmann::json usage = nlohmann::json::parse(
      RenderJsonReport(info, resumed.summary, resumed.results))["summary"]["usage"];
  CHECK(usage["asked_now"] == 30 - finished);
  CHECK(usage["from_journal"] == finished);
  CHECK(usage["input_tokens"] == 30000);
  CHECK(usage["journal_usage"]["input_tokens"] == 1000 * finished);
  // A run that was not resumed says nothing of a journal.
  CHECK(FormatSummary(info, first.summary).find("from journal") == std::string::npos);
}

TEST_CASE("resumed answers that were cache hits then cost nothing now or then", "[replay_run]") {
  testing::TempDir dir;
  Setup s;
  s.requests = 4;
  s.journal = dir.File("j.jsonl");
  Outcome first = Run(s);
  REQUIRE(first.journal_opened.ok());
  // Mark the journal's answers as cache hits, as a run served by the cache journals them.
  std::vector<std::string> lines = testing::ReadFile(s.journal) | testing::kLines;
  REQUIRE(lines.size() == 5);
  std::string rewritten = lines[0] + "\n";
  for (size_t i = 1; i < lines.size(); ++i) {
    Result<JournalEntry> e = ParseJournalLine(lines[i]);
    REQUIRE(e.ok());
    e->answer.from_cache = true;
    rewritten += JournalLine(*e) + "\n";
  }
  testing::WriteFile(s.journal, rewritten);
  s.resume = true;
  Outcome resumed = Run(s);
  REQUIRE(resumed.journal_opened.ok());
  CHECK(resumed.submitted.empty());
  CHECK(resumed.summary.from_journal == 4);
  CHECK(resumed.summary.asked_now == 0);
  CHECK(resumed.summary.journal_usage.input_tokens == 0);
  CHECK(resumed.summary.usage.input_tokens == 0);
}

TEST_CASE("a matrix report: one cell per run, each compared by name as FILE#CELL", "[replay_run]") {
  Setup s;
  s.requests = 20;
  Outcome flawless = Run(s);
  // The stale model sends every fourth request back unchanged: a wrong reply.
  s.script = [](const ModelQuery& q) {
    FakeAnswer a;
    if (q.index % 4 == 1) a.text = "```\n" + q.request_hex + "\n```";
    return a;
  };
  Outcome stale = Run(s);
  std::set<uint64_t> mistakes;
  for (const PacketResult& r : stale.results) {
    if (r.verdict != Verdict::kCorrect) mistakes.insert(r.request_frame);
  }
  REQUIRE(mistakes.size() == 5);

  std::vector<std::string> names =
      MatrixCellNames({{"openai:flawless", std::nullopt}, {"openai:stale-25", std::nullopt}});
  std::vector<MatrixCellResults> cells(2);
  for (size_t i = 0; i < 2; ++i) {
    cells[i].name = names[i];
    cells[i].info.command = "replay";
    cells[i].info.input = "in.pcap";
    cells[i].info.model = i == 0 ? "openai:flawless" : "openai:stale-25";
    cells[i].info.profile = "rfc";
    cells[i].summary = i == 0 ? flawless.summary : stale.summary;
    cells[i].packets = i == 0 ? flawless.results : stale.results;
  }
  cells[1].info.interrupted = true;
  testing::TempDir dir;
  std::string path = dir.File("matrix.json");
  testing::WriteFile(path, RenderMatrixReport(cells));  // checked by check_report.py too

  nlohmann::json report = nlohmann::json::parse(testing::ReadFile(path));
  CHECK(report["schema"] == "llmstack-replay.matrix/1");
  CHECK(report["tool"]["name"] == "llmstack-replay");
  CHECK(report["run"]["cells"] == nlohmann::json(names));
  CHECK(report["run"]["interrupted"] == true);
  CHECK_FALSE(report["run"].contains("model"));
  REQUIRE(report["cells"].size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    const nlohmann::json& cell = report["cells"][i];
    CHECK(cell["cell"] == names[i]);
    CHECK_FALSE(cell.contains("schema"));
    CHECK_FALSE(cell.contains("tool"));
    CHECK(cell["run"]["model"] == cells[i].info.model);
    CHECK(cell["packets"].size() == 20);
  }
  CHECK(report["cells"][1]["summary"]["verdicts"]["wrong"] == 5);

  Result<std::vector<ComparedRun>> runs =
      LoadComparedRuns({path + "#" + names[0], path + "#" + names[1]});
  REQUIRE(runs.ok());
  std::vector<Comparison> compared = CompareAll(*runs);
  REQUIRE(compared.size() == 1);
  const Comparison& c = compared[0];
  CHECK(c.paired == 20);
  CHECK(c.both_right == 15);
  CHECK(c.a_only == 5);
  CHECK(c.b_only == 0);
  CHECK(c.mismatches.empty());
  std::set<uint64_t> flipped;
  for (const Flip& f : c.flips) flipped.insert(f.frame);
  CHECK(flipped == mistakes);  // exactly the stale model's mistakes
}

}  // namespace
}  // namespace llmstack
