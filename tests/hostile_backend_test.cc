// Hostile backends, end to end through the real tool (DESIGN §4): secrets never kept or shown,
// control characters never reach the terminal raw, exec commands killed as a group, waiting
// that sleeps, and runs that stop once, with one message, when nothing can be asked.
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "report_checks.h"
#include "standin_fixture.h"
#include "test_support.h"

namespace llmstack {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::FileExists;
using testing::ReadFile;
using testing::RunShell;
using testing::StandinServer;
using testing::TempDir;
using testing::WriteRequestCapture;

constexpr const char* kKey = "sk-ant-HOSTILE-7f3a9b2c1d5e";

std::string WithKey(const std::string& args) {
  return std::string("env ANTHROPIC_API_KEY='") + kKey + "' OPENAI_API_KEY='" + kKey + "' " + args;
}

std::string Tool() { return testing::QuotedToolPath(); }

using testing::ReadJson;

// Every file under `dir` that holds `needle`.
std::string FilesHolding(const std::string& dir, const std::string& needle) {
  return RunShell("grep -rlF -e '" + needle + "' '" + dir + "' || true").out;
}

// A run whose outputs are all kept in `dir`: capture, journal, cache, JSON/HTML/CSV reports.
std::string AllOutputs(const TempDir& dir, const std::string& tag) {
  return " -o '" + dir.File(tag + ".pcapng") + "' --journal '" + dir.File(tag + ".jsonl") +
         "' --cache '" + dir.File("cache") + "' -r '" + dir.File(tag + ".json") + "' -r '" +
         dir.File(tag + ".html") + "' -r '" + dir.File(tag + ".csv") + "'";
}

void CheckNothingLeaks(const TempDir& dir, const CommandResult& r) {
  INFO(r.out << r.err);
  CHECK(r.out.find(kKey) == std::string::npos);
  CHECK(r.err.find(kKey) == std::string::npos);
  CHECK(FilesHolding(dir.path(), kKey).empty());
  // A hostile text must not drive the terminal: no ESC, BEL or bare CR printed.
  for (const std::string* stream : {&r.out, &r.err}) {
    CHECK(stream->find('\x1b') == std::string::npos);
    CHECK(stream->find('\x07') == std::string::npos);
    CHECK(stream->find('\r') == std::string::npos);
  }
}

TEST_CASE("secrets: an exec command that prints the key leaks it nowhere", "[hostile]") {
  TempDir dir;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 3, true);
  // On stdout (the answer) and, failing, on stderr (the error message).
  CommandResult answered =
      RunShell(WithKey(Tool() + " '" + input +
                       "' --model 'exec:cat >/dev/null; echo \"my key $ANTHROPIC_API_KEY\"; " +
                       "printf \"\\033[2J\\033[Hall correct\\007\\r\\n\"'" + AllOutputs(dir, "a")));
  CHECK(answered.exit_code == 1);  // the answers hold no packet: unparseable
  CheckNothingLeaks(dir, answered);
  CHECK(ReadFile(dir.File("a.jsonl")).find("my key [redacted]") != std::string::npos);

  CommandResult failed = RunShell(WithKey(
      Tool() + " '" + input + "' --model 'exec:cat >/dev/null; echo \"key $OPENAI_API_KEY " +
      "\\033[2J\" >&2; exit 1' --retries 0 --no-cache" + AllOutputs(dir, "b")));
  CHECK(failed.exit_code == 3);
  CheckNothingLeaks(dir, failed);
  CHECK(ReadFile(dir.File("b.json")).find("key [redacted]") != std::string::npos);
}

TEST_CASE("secrets: a server that echoes the key and terminal controls", "[hostile]") {
  TempDir dir;
  StandinServer server;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 3, false);
  for (const char* vendor : {"anthropic", "openai"}) {
    DYNAMIC_SECTION(vendor) {
      bool anthropic = std::string(vendor) == "anthropic";
      std::string url = anthropic ? server.anthropic_url() : server.openai_url();
      std::string tag = vendor;
      // In an error message (400 for every request).
      CommandResult errors =
          RunShell(WithKey(Tool() + " '" + input + "' --model " + vendor +
                           ":m-echo-key --base-url " + url + AllOutputs(dir, tag + "-error")));
      CHECK(errors.exit_code == 3);
      CheckNothingLeaks(dir, errors);
      CHECK(errors.out.find("invalid request (key [redacted])") != std::string::npos);
      // In the answer, with bytes that are not UTF-8 and absurd usage.
      CommandResult answers =
          RunShell(WithKey(Tool() + " '" + input + "' --model " + vendor +
                           ":m-hostile-text --base-url " + url + AllOutputs(dir, tag + "-text")));
      CHECK(answers.exit_code == 0);
      CheckNothingLeaks(dir, answers);
      json report = ReadJson(dir.File(tag + "-text.json"));
      CHECK(report["summary"]["verdicts"]["correct"] == 3);
      std::string output = report["packets"][0]["reply"]["model_output"];
      CHECK(output.find("key [redacted]") != std::string::npos);
      CHECK(output.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD for the bad bytes
      CHECK(report["summary"]["usage"]["input_tokens"].get<int64_t>() >= 0);
      testing::CheckReportContract(dir.File(tag + "-text.json"));
    }
  }
}

TEST_CASE("a base URL with credentials is refused, without echoing them", "[hostile]") {
  TempDir dir;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 1, false);
  for (const char* url :
       {"http://user:hunter2-secret@127.0.0.1:9", "http://127.0.0.1:9?key=hunter2-secret",
        "http://127.0.0.1:9/v1?api_key=hunter2-secret"}) {
    DYNAMIC_SECTION(url) {
      CommandResult r = RunShell(WithKey(Tool() + " '" + input + "' -o '" + dir.File("o.pcap") +
                                         "' --model openai:gpt-5-mini --base-url '" + url + "'"));
      CHECK(r.exit_code == 2);
      CHECK(r.err.find("OPENAI_API_KEY") != std::string::npos);
      CHECK(r.err.find("hunter2") == std::string::npos);
      CHECK_FALSE(FileExists(dir.File("o.pcap")));
    }
  }
  CommandResult from_env =
      RunShell("env ANTHROPIC_BASE_URL='http://me:hunter2-secret@127.0.0.1:9' " +
               WithKey(Tool() + " '" + input + "' -o '" + dir.File("o.pcap") +
                       "' --model anthropic:claude-haiku-4-5"));
  CHECK(from_env.exit_code == 2);
  CHECK(from_env.err.find("ANTHROPIC_BASE_URL") != std::string::npos);
  CHECK(from_env.err.find("hunter2") == std::string::npos);
}

double ChildrenCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

TEST_CASE("waiting on a retry-after sleeps: under 0.1 s of CPU per second", "[hostile]") {
  TempDir dir;
  StandinServer server("--fault-max-per-packet 1");
  // Every request is answered 429 "retry after 3 s" once, then properly.
  server.Control({{"rate_429", 1.0}, {"retry_after_s", 3}});
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 2, false);
  double cpu_before = ChildrenCpuSeconds();
  auto started = std::chrono::steady_clock::now();
  CommandResult r = RunShell(WithKey(Tool() + " '" + input + "' -o '" + dir.File("o.pcap") +
                                     "' --model anthropic:claude-haiku-4-5 --no-cache --base-url " +
                                     server.anthropic_url()));
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  double cpu = ChildrenCpuSeconds() - cpu_before;
  INFO(r.out << r.err << "wall " << wall << " s, cpu " << cpu << " s");
  CHECK(r.exit_code == 0);
  CHECK(wall >= 3);
  // Start-up and the two exchanges take a few hundredths; spinning would take about `wall`.
  CHECK(cpu < 0.1 * wall);
}

TEST_CASE("connection refused before anything answered: a few tries, then one message",
          "[hostile]") {
  TempDir dir;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 20, false);
  auto started = std::chrono::steady_clock::now();
  // Port 9 (discard) on this host: nothing listens there.
  CommandResult r = RunShell(WithKey(Tool() + " '" + input + "' -o '" + dir.File("o.pcap") +
                                     "' --model anthropic:claude-haiku-4-5 --no-cache -j 4 "
                                     "--base-url http://127.0.0.1:9 -r '" +
                                     dir.File("r.json") + "'"));
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(wall < 20);
  json report = ReadJson(dir.File("r.json"));
  CHECK(report["summary"]["verdicts"]["error"] == 20);
  for (const json& p : report["packets"]) CHECK(p["why_error"] == "unavailable");
  // One message for the run, not one per request.
  size_t lines = 0;
  for (const std::string& line : r.out | testing::kLines)
    lines += line.find("ERROR") != std::string::npos;
  CHECK(lines <= 1);
  CHECK(r.out.find("cannot connect") != std::string::npos);
}

TEST_CASE("exec 127: final for the run, one message, asked once", "[hostile]") {
  TempDir dir;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 10, false);
  std::string count = dir.File("count");
  CommandResult r = RunShell(
      Tool() + " '" + input + "' -o '" + dir.File("o.pcap") + "' --model 'exec:echo x >> " + count +
      "; no-such-command-llmstack' -j 1 --no-cache -r '" + dir.File("r.json") + "'");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(ReadFile(count) == "x\n");
  json report = ReadJson(dir.File("r.json"));
  CHECK(report["summary"]["verdicts"]["error"] == 10);
  for (const json& p : report["packets"]) CHECK(p["why_error"] == "unavailable");
  size_t lines = 0;
  for (const std::string& line : r.out | testing::kLines)
    lines += line.find("ERROR") != std::string::npos;
  CHECK(lines <= 1);
  CHECK(r.out.find("was not found (exit 127)") != std::string::npos);
}

TEST_CASE("exec: what a command leaves behind does not outlive its timeout", "[hostile]") {
  TempDir dir;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 2, false);
  struct Case {
    const char* name;
    const char* command;
  };
  // A unique sleep, to find leftovers by.
  for (Case c :
       {Case{"closes its pipes and lingers", "exec >&- 2>&- <&-; sleep 71.31"},
        Case{"a child holds the pipe", "cat >/dev/null; (sleep 71.32 &) ; echo NO REPLY"},
        Case{"a child holds the pipe and the shell waits", "cat >/dev/null; sleep 71.33"}}) {
    DYNAMIC_SECTION(c.name) {
      auto started = std::chrono::steady_clock::now();
      CommandResult r = RunShell(
          Tool() + " '" + input + "' -o '" + dir.File("o.pcap") + "' --model 'exec:" + c.command +
          "' --timeout 2 --retries 0 --no-cache -r '" + dir.File("r.json") + "'");
      double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      INFO(r.out << r.err);
      CHECK(wall < 10);
      CHECK(RunShell("pgrep -f 'sleep 71[.]3' || true").out.empty());
      CHECK(FileExists(dir.File("r.json")));
    }
  }
}

TEST_CASE("exec at Ctrl-C: the commands' process groups are killed, once or twice pressed",
          "[hostile]") {
  TempDir dir;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 4, false);
  for (const char* signals : {"kill -INT $pid", "kill -INT $pid; kill -TERM $pid"}) {
    DYNAMIC_SECTION(signals) {
      // Each command leaves a child of its own behind, holding the pipe.
      std::string cmd = Tool() + " '" + input + "' -o '" + dir.File("o.pcap") +
                        "' --model 'exec:(sleep 71.41 &); sleep 71.42' -j 4 --no-cache";
      RunShell("(" + cmd + " >/dev/null 2>&1 & pid=$!; sleep 1; " + signals + "; wait $pid)");
      RunShell("sleep 0.2");
      CHECK(RunShell("pgrep -f 'sleep 71[.]4' || true").out.empty());
    }
  }
}

TEST_CASE("exec with no descriptors left: starts wait, nothing fails", "[hostile]") {
  TempDir dir;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 60, false);
  // 60 commands at once with room for a few: the others wait for descriptors.
  CommandResult r =
      RunShell("ulimit -n 40 && " + Tool() + " '" + input + "' -o '" + dir.File("o.pcap") +
               "' --model 'exec:cat >/dev/null; sleep 0.2; echo NO REPLY' -j 60 "
               "--no-cache -q -r '" +
               dir.File("r.json") + "'");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);  // every answer is "no reply": wrong, but no error
  json report = ReadJson(dir.File("r.json"));
  CHECK(report["summary"]["verdicts"]["no_reply"] == 60);
  CHECK(report["summary"]["verdicts"]["error"] == 0);
}

TEST_CASE("option values out of range are refused with exit 2", "[hostile]") {
  TempDir dir;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 1, false);
  for (const char* options :
       {"--timeout 0", "--timeout nan", "--timeout inf", "--timeout -1", "--max-wait -5",
        "--max-wait nan", "-j 0", "-j 100000", "--retries -1", "--max-tokens 0", "--max-tokens -7",
        "--thinking -1", "--temperature nan", "--max-cost nan", "--max-cost -1", "--samples 0",
        "--samples 100000"}) {
    DYNAMIC_SECTION(options) {
      CommandResult r = RunShell(Tool() + " '" + input + "' -o '" + dir.File("o.pcap") +
                                 "' --model reference " + options);
      INFO(r.out << r.err);
      CHECK(r.exit_code == 2);
      std::string option = std::string(options).substr(0, std::string(options).find(' '));
      if (option == "-j") option = "--concurrency";
      CHECK(r.err.find(option) != std::string::npos);
      CHECK_FALSE(FileExists(dir.File("o.pcap")));
    }
  }
}

TEST_CASE("negative token counts from a server do not defeat --max-cost", "[hostile]") {
  TempDir dir;
  StandinServer server;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 10, false);
  CommandResult r = RunShell(WithKey(
      Tool() + " '" + input + "' -o '" + dir.File("o.pcap") +
      "' --model anthropic:claude-haiku-4-5-usage-negative --base-url " + server.anthropic_url() +
      " -j 1 --no-cache --max-cost 0.01 -r '" + dir.File("r.json") + "'"));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  json report = ReadJson(dir.File("r.json"));
  int budget = 0;
  for (const json& p : report["packets"]) budget += p.value("why_error", "") == "budget";
  CHECK(budget >= 1);
  CHECK(server.Stats()["requests_total"].get<int>() < 10);
  // The reason is said once: which budget, which estimate.
  CHECK(r.out.find("--max-cost $0.0100 would be passed") != std::string::npos);
}

}  // namespace
}  // namespace llmstack
