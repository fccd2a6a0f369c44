// The model loop end to end: the real tool, the real HTTP client, against the stand-in server.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "report_checks.h"
#include "standin_fixture.h"
#include "test_support.h"

namespace llmstack {
namespace {

using nlohmann::json;
using testing::FileExists;
using testing::ReadFile;
using testing::RunShell;
using testing::RunTool;
using testing::StandinServer;
using testing::TempDir;
using testing::WriteRequestCapture;

using testing::ReadJson;

using testing::CheckReportContract;

// The API key is given to the tool through the environment only.
std::string WithKey(const std::string& key, const std::string& args) {
  return "env ANTHROPIC_API_KEY='" + key + "' OPENAI_API_KEY='" + key + "' " + args;
}

std::string Tool() { return testing::QuotedToolPath(); }

TEST_CASE("faults on both wire formats: every packet answered exactly once", "[model][slow]") {
  for (const char* vendor : {"anthropic", "openai"}) {
    DYNAMIC_SECTION(vendor) {
      TempDir dir;
      StandinServer server(
          "--rate-429 0.10 --rate-529 0.05 --rate-500 0.03 --rate-drop 0.03 "
          "--retry-after-s 0.05 --seed 7");
      std::string input = dir.File("in.pcap");
      WriteRequestCapture(input, 200, true);
      std::string url =
          std::string(vendor) == "anthropic" ? server.anthropic_url() : server.openai_url();
      std::string model =
          std::string(vendor) +
          (std::string(vendor) == "anthropic" ? ":claude-haiku-4-5" : ":gpt-5-mini");
      testing::CommandResult r = RunShell(
          WithKey("k-test-0001", Tool() + " '" + input + "' -o '" + dir.File("out.pcapng") +
                                     "' --model " + model + " --base-url " + url +
                                     " -j 16 --no-cache -q -r '" + dir.File("r.json") + "'"));
      INFO(r.out << r.err);
      REQUIRE(r.exit_code == 0);
      json report = ReadJson(dir.File("r.json"));
      CHECK(report["summary"]["requests"] == 200);
      CHECK(report["summary"]["verdicts"]["correct"] == 200);
      CHECK(report["summary"]["usage"]["retries"].get<int>() > 0);
      json stats = server.Stats();
      CHECK(stats["packets"].size() == 200);
      for (auto& [hex, p] : stats["packets"].items()) {
        INFO(hex);
        CHECK(p["answers_200"] == 1);
      }
      CHECK(stats["faults"].size() >= 3);
      CheckReportContract(dir.File("r.json"));
    }
  }
}

TEST_CASE("known mistakes are graded onto the right fields", "[model]") {
  TempDir dir;
  StandinServer server;
  server.Control({{"mistakes",
                   {"icmp_checksum_unchanged", "carry_dropped", "not_complemented", "byte_swapped",
                    "ip_checksum_unchanged", "ttl_zero", "type_unchanged", "data_changed",
                    "ident_wrong", "unparseable", "no_reply", "none"}},
                  {"mistake_by_seq", true}});
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 12, false);
  testing::CommandResult r = RunShell(
      WithKey("k", Tool() + " '" + input + "' -o '" + dir.File("out.pcap") +
                       "' --model anthropic:claude-haiku-4-5 --base-url " + server.anthropic_url() +
                       " --no-cache -r '" + dir.File("r.json") + "'"));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  json report = ReadJson(dir.File("r.json"));
  std::map<int, std::vector<std::string>> failing;
  std::map<int, std::string> verdict, note;
  for (const json& p : report["packets"]) {
    int seq = p["request"]["seq"];
    verdict[seq] = p["verdict"];
    for (const json& f : p["fields"]) {
      if (f["grade"] == "fail") {
        failing[seq].push_back(f["name"]);
        if (f["note"].is_string()) note[seq] += f["note"].get<std::string>();
      }
    }
  }
  // What each mistake must look like in the report, read against what the stand-in says it did.
  struct Expect {
    std::vector<std::string> fields;
    std::string note;
    std::string verdict = "wrong";
  };
  std::map<std::string, Expect> expect = {
      {"icmp_checksum_unchanged", {{"icmp.checksum"}, "not updated after type change"}},
      {"carry_dropped", {{"icmp.checksum"}, "end-around carry dropped"}},
      {"not_complemented", {{"icmp.checksum"}, "not complemented"}},
      {"byte_swapped", {{"icmp.checksum"}, "byte-swapped"}},
      {"ip_checksum_unchanged", {{"ip.checksum"}, "unchanged from the request"}},
      {"ttl_zero", {{"ip.ttl"}, ""}},
      {"type_unchanged", {{"icmp.type"}, ""}},
      {"data_changed", {{"data"}, ""}},
      {"ident_wrong", {{"icmp.ident"}, ""}},
      {"unparseable", {{}, "", "unparseable"}},
      {"no_reply", {{}, "", "no_reply"}},
  };
  json stats = server.Stats();
  int checked = 0, effective = 0;
  for (auto& [hex, p] : stats["packets"].items()) {
    int seq = p["seq"];
    INFO("seq " << seq << " mistake " << p["mistake"]);
    if (!p["mistake"].is_string() || p["mistake_effective"] != true) {
      CHECK(verdict[seq] == "correct");
      continue;
    }
    ++effective;
    const Expect& e = expect.at(p["mistake"].get<std::string>());
    CHECK(verdict[seq] == e.verdict);
    CHECK(failing[seq] == e.fields);
    if (!e.note.empty()) CHECK(note[seq] == e.note);
    ++checked;
  }
  CHECK(checked == 12 - 1 - (12 - 1 - effective));
  CHECK(effective >= 9);
  CheckReportContract(dir.File("r.json"));
}

TEST_CASE("kill -9 mid-run, then --resume asks only what was in flight; a rerun is all cache",
          "[model][slow]") {
  TempDir dir;
  StandinServer server("--latency-ms 200");
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 40, true);
  std::string base = Tool() + " '" + input + "' --model anthropic:claude-haiku-4-5 --base-url " +
                     server.anthropic_url() + " -j 4 -q --cache '" + dir.File("cache") +
                     "' --journal '" + dir.File("j.jsonl") + "'";
  std::string first = WithKey("k", base + " -o '" + dir.File("out1.pcap") + "'");
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + first + " >/dev/null 2>&1").c_str(), nullptr);
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(900));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  CHECK_FALSE(FileExists(dir.File("out1.pcap")));  // the output only appears when complete
  int asked_before = server.Stats()["requests_total"];
  REQUIRE(asked_before > 0);
  REQUIRE(asked_before < 40);

  testing::CommandResult resumed = RunShell(WithKey(
      "k", base + " --resume -o '" + dir.File("out2.pcap") + "' -r '" + dir.File("r.json") + "'"));
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.exit_code == 0);
  int total = server.Stats()["requests_total"];
  // At most the 4 requests in flight at the kill were asked twice.
  CHECK(total <= 40 + 4);
  CHECK(ReadJson(dir.File("r.json"))["summary"]["verdicts"]["correct"] == 40);

  // The journal alone finishes a run, without the cache.
  testing::CommandResult again =
      RunShell(WithKey("k", base + " --no-cache --resume -o '" + dir.File("out3.pcap") + "'"));
  CHECK(again.exit_code == 0);
  CHECK(server.Stats()["requests_total"] == total);

  // A rerun is served from the cache alone.
  testing::CommandResult rerun = RunShell(
      WithKey("k", Tool() + " '" + input + "' --model anthropic:claude-haiku-4-5 --base-url " +
                       server.anthropic_url() + " -q --cache '" + dir.File("cache") + "' -o '" +
                       dir.File("out4.pcap") + "'"));
  INFO(rerun.out << rerun.err);
  CHECK(rerun.exit_code == 0);
  CHECK(server.Stats()["requests_total"] == total);  // zero new requests
}

TEST_CASE("an existing journal is never overwritten without --resume", "[model]") {
  TempDir dir;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 2, false);
  testing::WriteFile(dir.File("j.jsonl"), "{}\n");
  testing::CommandResult r = RunShell(WithKey(
      "k", Tool() + " '" + input + "' -o '" + dir.File("o.pcap") +
               "' --model anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:9 --journal '" +
               dir.File("j.jsonl") + "'"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--resume") != std::string::npos);
  CHECK(ReadFile(dir.File("j.jsonl")) == "{}\n");
}

TEST_CASE("the API key appears in no output, report, journal, cache file or log", "[model]") {
  TempDir dir;
  const std::string key = "sk-ant-test-SECRET-4f2b9c0d1e";
  // The stand-in checks the key, which it reads from its own environment.
  setenv("STANDIN_KEY", key.c_str(), 1);
  StandinServer server(
      "--api-key-env STANDIN_KEY --rate-429 0.2 --rate-500 0.1 --retry-after-s 0.05");
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 20, true);
  std::string cmd =
      WithKey(key, Tool() + " '" + input + "' -o '" + dir.File("out.pcapng") +
                       "' --model anthropic:claude-haiku-4-5 --base-url " + server.anthropic_url() +
                       " --cache '" + dir.File("cache") + "' --journal '" + dir.File("j.jsonl") +
                       "' -r '" + dir.File("r.json") + "'");
  testing::CommandResult r = RunShell(cmd);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(key) == std::string::npos);
  CHECK(r.err.find(key) == std::string::npos);
  testing::CommandResult grep = RunShell("grep -rl '" + key + "' '" + dir.path() + "'");
  INFO(grep.out);
  CHECK(grep.out.empty());
  CHECK(FileExists(dir.File("j.jsonl")));
  CHECK(FileExists(dir.File("r.json")));
  CHECK(FileExists(dir.File("cache")));
}

TEST_CASE("401 stops the run: clear message, exit 3, what is finished written", "[model]") {
  TempDir dir;
  setenv("STANDIN_KEY", "right", 1);
  StandinServer server("--api-key-env STANDIN_KEY");
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 30, false);
  testing::CommandResult r =
      RunShell("env STANDIN_KEY=right " +
               WithKey("wrong", Tool() + " '" + input + "' -o '" + dir.File("out.pcap") +
                                    "' --model anthropic:claude-haiku-4-5 --base-url " +
                                    server.anthropic_url() + " -j 4 --no-cache -r '" +
                                    dir.File("r.json") + "'"));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(r.out.find("authentication") != std::string::npos);
  CHECK(server.Stats()["requests_total"].get<int>() <= 4);  // nothing sent after the refusal
  json report = ReadJson(dir.File("r.json"));
  CHECK(report["summary"]["verdicts"]["error"] == 30);
  for (const json& p : report["packets"]) CHECK(p["why_error"] == "auth");
  CHECK(FileExists(dir.File("out.pcap")));
  CheckReportContract(dir.File("r.json"));
}

TEST_CASE("400 fails fast with the server's message, exit 3", "[model]") {
  TempDir dir;
  StandinServer server;
  server.Control({{"rules", {{{"match", {{"seq", 2}}}, {"set", {{"status_override", 400}}}}}}});
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 3, false);
  testing::CommandResult r = RunShell(
      WithKey("k", Tool() + " '" + input + "' -o '" + dir.File("out.pcap") +
                       "' --model anthropic:claude-haiku-4-5 --base-url " + server.anthropic_url() +
                       " --no-cache -r '" + dir.File("r.json") + "'"));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(r.out.find("HTTP 400") != std::string::npos);
  CHECK(r.out.find("invalid_request_error") != std::string::npos);
  json report = ReadJson(dir.File("r.json"));
  CHECK(report["summary"]["verdicts"]["correct"] == 2);
  CHECK(report["summary"]["verdicts"]["error"] == 1);
  // Fail fast: the 400 was asked once.
  int asked_seq2 = 0;
  json stats = server.Stats();
  for (auto& [hex, p] : stats["packets"].items()) {
    if (p["seq"] == 2) asked_seq2 = p["requests"];
  }
  CHECK(asked_seq2 == 1);
}

TEST_CASE("--max-cost stops asking before the budget is passed", "[model]") {
  TempDir dir;
  StandinServer server;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 10, false);
  testing::CommandResult r = RunShell(
      WithKey("k", Tool() + " '" + input + "' -o '" + dir.File("out.pcap") +
                       "' --model anthropic:claude-haiku-4-5 --base-url " + server.anthropic_url() +
                       " -j 1 --no-cache --max-cost 0.01 -r '" + dir.File("r.json") + "'"));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  json report = ReadJson(dir.File("r.json"));
  int correct = report["summary"]["verdicts"]["correct"];
  int budget = 0;
  for (const json& p : report["packets"]) budget += p.value("why_error", "") == "budget";
  CHECK(correct >= 1);
  CHECK(budget >= 1);
  CHECK(correct + budget == 10);
  CHECK(report["summary"]["usage"]["cost_usd_estimate"].get<double>() <= 0.01);
  CHECK(server.Stats()["requests_total"] == correct);
  CHECK(FileExists(dir.File("out.pcap")));
}

TEST_CASE("--max-cost needs a price", "[model]") {
  TempDir dir;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 1, false);
  testing::CommandResult r = RunShell(WithKey(
      "k",
      Tool() + " '" + input + "' -o '" + dir.File("out.pcap") +
          "' --model openai:some-remote-model --base-url http://model.invalid/v1 --max-cost 1"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no price") != std::string::npos);
  CHECK_FALSE(FileExists(dir.File("out.pcap")));
}

TEST_CASE("a server on this host costs nothing and needs no price", "[model]") {
  TempDir dir;
  StandinServer server;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 3, false);
  testing::CommandResult r =
      RunShell(WithKey("k", Tool() + " '" + input + "' -o '" + dir.File("out.pcap") +
                                "' --model openai:qwen2.5-local --base-url " + server.openai_url() +
                                " --no-cache --max-cost 0 -r '" + dir.File("r.json") + "'"));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  json report = ReadJson(dir.File("r.json"));
  CHECK(report["summary"]["verdicts"]["correct"] == 3);
  CHECK(report["summary"]["usage"]["cost_usd_estimate"].get<double>() == 0);
}

TEST_CASE("no model configured: a helpful exit 2, never the reference stack", "[model]") {
  testing::CommandResult r =
      RunShell("env -u ANTHROPIC_API_KEY -u OPENAI_API_KEY " + Tool() + " '" +
               testing::SourcePath("captures/experiment.pcap") + "' -o /tmp/llmstack-never.pcap");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--model reference") != std::string::npos);
  CHECK(r.err.find("ANTHROPIC_API_KEY") != std::string::npos);
  CHECK_FALSE(FileExists("/tmp/llmstack-never.pcap"));
}

TEST_CASE("exec: runs a command per packet; replay: regrades a journal without the network",
          "[model]") {
  TempDir dir;
  StandinServer server;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 6, true);
  // A command that answers like a model: it forwards the prompt to the stand-in server.
  std::string script = dir.File("model.sh");
  testing::WriteFile(
      script,
      "#!/bin/sh\npython3 -c 'import json,sys,urllib.request\n"
      "p=sys.stdin.read()\n"
      "b=json.dumps({\"model\":\"m\",\"max_tokens\":4096,\"messages\":[{\"role\":\"user\","
      "\"content\":p}]}).encode()\n"
      "r=urllib.request.Request(sys.argv[1]+\"/v1/messages\",b,{\"content-type\":\"application/"
      "json\",\"anthropic-version\":\"2023-06-01\"})\n"
      "print(json.load(urllib.request.urlopen(r))[\"content\"][0][\"text\"])' \"$1\"\n");
  RunShell("chmod +x '" + script + "'");
  testing::CommandResult r = RunShell(Tool() + " '" + input + "' -o '" + dir.File("out.pcap") +
                                      "' --model 'exec:" + script + " " + server.anthropic_url() +
                                      "' --cache '" + dir.File("cache") + "' --journal '" +
                                      dir.File("j.jsonl") + "' -r '" + dir.File("r.json") + "'");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(ReadJson(dir.File("r.json"))["summary"]["verdicts"]["correct"] == 6);

  testing::CommandResult replayed =
      RunShell(Tool() + " '" + input + "' -o '" + dir.File("out2.pcap") + "' --model 'replay:" +
               dir.File("j.jsonl") + "' --profile linux -r '" + dir.File("r2.json") + "'");
  INFO(replayed.out << replayed.err);
  // Under linux the copied DF bit of the answers is wrong: regraded without asking anything.
  CHECK(replayed.exit_code == 1);
  json r2 = ReadJson(dir.File("r2.json"));
  CHECK(r2["summary"]["verdicts"]["wrong"] == 3);
  CHECK(r2["summary"]["usage"]["requests"] == 0);

  testing::CommandResult failing =
      RunShell(Tool() + " '" + input + "' -o '" + dir.File("out3.pcap") +
               "' --model 'exec:exit 3' --retries 1 --no-cache -r '" + dir.File("r3.json") + "'");
  CHECK(failing.exit_code == 3);
  json r3 = ReadJson(dir.File("r3.json"));
  CHECK(r3["summary"]["verdicts"]["error"] == 6);
  CHECK(r3["packets"][0]["why_error"] == "backend");
}

}  // namespace
}  // namespace llmstack

namespace llmstack {
namespace {

TEST_CASE("--samples K asks K times and reports pass@k and all-k-correct", "[model]") {
  TempDir dir;
  StandinServer server;
  // Sample answers differ: the stand-in makes a mistake on every other distinct prompt.
  server.Control({{"mistakes", {"carry_dropped", "none"}}});
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 4, false);
  testing::CommandResult r = RunShell(
      WithKey("k", Tool() + " '" + input + "' -o '" + dir.File("out.pcapng") +
                       "' --model anthropic:claude-haiku-4-5 --base-url " + server.anthropic_url() +
                       " --samples 3 -j 1 --no-cache -r '" + dir.File("r.json") + "'"));
  INFO(r.out << r.err);
  json report = ReadJson(dir.File("r.json"));
  CHECK(report["packets"].size() == 12);
  CHECK(report["summary"]["samples"]["k"] == 3);
  // Every sample of one packet gets the same prompt except for the sample index, which is not
  // in the prompt: the stand-in answers the same way, so each packet is all right or all wrong.
  int correct = report["summary"]["verdicts"]["correct"];
  double pass_at_k = report["summary"]["samples"]["pass_at_k"];
  double pass_all = report["summary"]["samples"]["pass_all_k"];
  CHECK(pass_at_k == Approx(correct / 3 / 4.0));
  CHECK(pass_all == Approx(pass_at_k));
  CHECK(server.Stats()["requests_total"] == 12);
  CHECK(r.out.find("sample=3/3") != std::string::npos);
  CheckReportContract(dir.File("r.json"));
}

TEST_CASE("--include-negatives sends requests that must not be answered", "[model]") {
  TempDir dir;
  StandinServer server;
  std::string capture = testing::SourcePath("captures/crafted-negatives.pcap");
  std::string common =
      " --model anthropic:claude-haiku-4-5 --base-url " + server.anthropic_url() + " --no-cache";
  testing::CommandResult quiet = RunShell(
      WithKey("k", Tool() + " '" + capture + "' -o '" + dir.File("a.pcap") + "'" + common));
  INFO(quiet.out << quiet.err);
  CHECK(quiet.out.find("were not sent (--include-negatives") != std::string::npos);
  CHECK(server.Stats()["requests_total"] == 0);

  testing::CommandResult sent =
      RunShell(WithKey("k", Tool() + " '" + capture + "' -o '" + dir.File("b.pcap") +
                                "' --include-negatives -r '" + dir.File("r.json") + "'" + common));
  INFO(sent.out << sent.err);
  json report = ReadJson(dir.File("r.json"));
  CHECK(report["summary"]["verdicts"]["silent_ok"].get<int>() >= 3);
  CHECK(server.Stats()["requests_total"].get<int>() > 0);
  server.Control({{"mistakes", {"reply_to_negative"}}});
  testing::CommandResult answered =
      RunShell(WithKey("k", Tool() + " '" + capture + "' -o '" + dir.File("c.pcap") +
                                "' --include-negatives -r '" + dir.File("r2.json") + "'" + common));
  CHECK(answered.exit_code == 1);
  CHECK(ReadJson(dir.File("r2.json"))["summary"]["verdicts"]["unexpected_reply"].get<int>() >= 1);
}

TEST_CASE("chatty answers, thinking blocks and broken 200s on both wire formats", "[model]") {
  for (const char* vendor : {"anthropic", "openai"}) {
    DYNAMIC_SECTION(vendor) {
      TempDir dir;
      StandinServer server(
          "--style chatty --thinking --rate-malformed-json 0.2 --rate-error-200 0.1 "
          "--rate-cut-body 0.1 --seed 3");
      std::string input = dir.File("in.pcap");
      WriteRequestCapture(input, 16, true);
      bool anthropic = std::string(vendor) == "anthropic";
      testing::CommandResult r = RunShell(WithKey(
          "k", Tool() + " '" + input + "' -o '" + dir.File("out.pcap") + "' --model " +
                   (anthropic ? "anthropic:claude-haiku-4-5 --base-url " + server.anthropic_url()
                              : "openai:gpt-5-mini --base-url " + server.openai_url()) +
                   " --max-tokens 8192 --thinking 2048 --no-cache -r '" + dir.File("r.json") +
                   "'"));
      INFO(r.out << r.err);
      CHECK(r.exit_code == 0);
      json report = ReadJson(dir.File("r.json"));
      CHECK(report["summary"]["verdicts"]["correct"] == 16);
      CHECK(report["packets"][0]["reply"]["model_reasoning"].is_string());
      CHECK(report["summary"]["usage"]["retries"].get<int>() > 0);
    }
  }
}

TEST_CASE("a long fixed prompt is cached: the first request warms it, the rest read it",
          "[model]") {
  TempDir dir;
  StandinServer server("--latency-ms 100");
  std::string prompt = dir.File("long.md");
  std::string fixed;
  for (int i = 0; i < 200; ++i)
    fixed += "Worked example " + std::to_string(i) +
             ": swap the addresses, set TTL 64, recompute both checksums.\n";
  testing::WriteFile(prompt, fixed + "Datagram: {{request_hex}}\n");
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 8, false);
  testing::CommandResult r = RunShell(WithKey(
      "k", Tool() + " '" + input + "' -o '" + dir.File("out.pcap") +
               "' --model anthropic:claude-sonnet-4-5 --base-url " + server.anthropic_url() +
               " -p '" + prompt + "' -j 8 --no-cache -r '" + dir.File("r.json") + "'"));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  json report = ReadJson(dir.File("r.json"));
  CHECK(report["summary"]["usage"]["cache_read_tokens"].get<int>() > 0);
  CHECK(report["summary"]["usage"]["cache_creation_tokens"].get<int>() > 0);
  json stats = server.Stats();
  // The first request was alone in flight; the others came after it was answered.
  double first_answered = 1e9;
  for (const json& q : stats["requests"]) {
    if (q["n"] == 1) first_answered = q["answered_s"];
  }
  for (const json& q : stats["requests"]) {
    if (q["n"] != 1) CHECK(q["arrived_s"].get<double>() >= first_answered - 0.01);
  }
}

TEST_CASE("Ctrl-C writes what is finished and exits cleanly", "[model]") {
  TempDir dir;
  StandinServer server("--latency-ms 300");
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 30, false);
  std::string base = WithKey(
      "k", Tool() + " '" + input + "' --model anthropic:claude-haiku-4-5 --base-url " +
               server.anthropic_url() + " -j 2 --no-cache --journal '" + dir.File("j.jsonl") + "'");
  std::string cmd = base + " -o '" + dir.File("out.pcap") + "' -r '" + dir.File("r.json") + "'";
  testing::CommandResult r =
      RunShell("(" + cmd + " > '" + dir.File("stdout") +
               "' 2>&1 & pid=$!; sleep 1.2; kill -INT $pid; wait $pid; echo $? > '" +
               dir.File("status") + "')");
  std::string status = ReadFile(dir.File("status"));
  INFO(ReadFile(dir.File("stdout")));
  CHECK(status == "130\n");
  REQUIRE(FileExists(dir.File("out.pcap")));
  REQUIRE(FileExists(dir.File("r.json")));
  json report = ReadJson(dir.File("r.json"));
  int finished = report["summary"]["verdicts"]["correct"];
  CHECK(finished >= 2);
  CHECK(finished < 30);
  CHECK(report["summary"]["requests"] == finished);
  CHECK(ReadFile(dir.File("stdout")).find("--resume") != std::string::npos);
  CHECK(report["run"]["interrupted"] == true);
  // The journal: the run's identity first, then exactly the finished ones.
  std::vector<std::string> journal = ReadFile(dir.File("j.jsonl")) | testing::kLines;
  REQUIRE(journal.size() >= 2);
  json identity = json::parse(journal[0]);
  CHECK(identity["run"]["capture_sha256"].get<std::string>().size() == 64);
  CHECK(identity["run"]["cells"][0]["model"] == "anthropic:claude-haiku-4-5");
  CHECK(identity["run"]["samples"] == 1);

  // Resumed as another run (other samples, another profile): refused, naming both, nothing
  // asked or written.
  int asked = server.Stats()["requests_total"];
  testing::CommandResult other =
      RunShell(base + " --resume --samples 2 --profile linux -o '" + dir.File("other.pcap") + "'");
  CHECK(other.exit_code == 2);
  CHECK(other.err.find("the journal is of another run") != std::string::npos);
  CHECK(other.err.find("--samples 1 (this run: 2)") != std::string::npos);
  CHECK(other.err.find("profile rfc (this run: linux)") != std::string::npos);
  CHECK_FALSE(FileExists(dir.File("other.pcap")));
  CHECK(server.Stats()["requests_total"] == asked);
  CHECK((ReadFile(dir.File("j.jsonl")) | testing::kLines) == journal);

  // --resume finishes the rest; the report counts the whole run.
  testing::CommandResult resumed = RunShell(base + " --resume -o '" + dir.File("out2.pcap") +
                                            "' -r '" + dir.File("r2.json") + "'");
  INFO(resumed.out << resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(server.Stats()["requests_total"].get<int>() <= 30 + 2);
  json whole = ReadJson(dir.File("r2.json"));
  CHECK(whole["run"]["interrupted"] == false);
  CHECK(whole["summary"]["verdicts"]["correct"] == 30);
  json usage = whole["summary"]["usage"];
  int from_journal = usage["from_journal"];
  CHECK(from_journal >= finished);
  CHECK(usage["asked_now"].get<int>() + from_journal == 30);
  CHECK(resumed.out.find("asked now " + std::to_string(30 - from_journal) + ", from journal " +
                         std::to_string(from_journal)) != std::string::npos);
  CheckReportContract(dir.File("r2.json"));
}

TEST_CASE("a journal that is an input or another output is refused before anything, --resume too",
          "[model]") {
  TempDir dir;
  std::string input = dir.File("in.pcap");
  WriteRequestCapture(input, 2, false);
  std::string before = ReadFile(input);
  std::string base = WithKey("k", Tool() + " '" + input +
                                      "' --model anthropic:claude-haiku-4-5 --base-url "
                                      "http://127.0.0.1:9 --resume ");
  testing::CommandResult r =
      RunShell(base + "--journal '" + input + "' -o '" + dir.File("o.pcap") + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("the input capture") != std::string::npos);
  r = RunShell(base + "--journal '" + dir.File("o.pcap") + "' -o '" + dir.File("o.pcap") + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("the journal") != std::string::npos);
  testing::WriteFile(dir.File("old.jsonl"), "");
  r = RunShell(WithKey("k", Tool() + " '" + input + "' --model replay:'" + dir.File("old.jsonl") +
                                "' --journal '" + dir.File("old.jsonl") + "' -o '" +
                                dir.File("o.pcap") + "'"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("the replayed journal") != std::string::npos);
  CHECK(ReadFile(input) == before);
  CHECK_FALSE(FileExists(dir.File("o.pcap")));
}

}  // namespace
}  // namespace llmstack
