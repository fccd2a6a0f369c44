// The numbers every run report gives about how sure it is (DESIGN section 6): the accuracy over
// expected replies with its Wilson interval, per-field fail rates, the breakdowns by family,
// options and size, rtt percentiles, pass@k and pass^k, the run's settings; each checked
// against a computation written here from the packets, not with the product's functions.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "grade/responder.h"
#include "model/journal.h"
#include "report/report_json.h"
#include "run/result_sink.h"
#include "test_support.h"

namespace llmstack {
namespace {

using nlohmann::json;
using testing::ReadFile;
using testing::TempDir;

// Wilson (1927) score interval at z = 1.959964, written out.
std::pair<double, double> Wilson(double c, double n) {
  if (n == 0) return {0, 1};
  const double z = 1.959964, p = c / n;
  const double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

// Percentile by linear interpolation between closest ranks (R-7).
double R7(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  double h = (v.size() - 1) * p / 100;
  size_t lo = static_cast<size_t>(std::floor(h));
  size_t hi = std::min(v.size() - 1, lo + 1);
  return v[lo] + (h - lo) * (v[hi] - v[lo]);
}

double Choose(int n, int k) {
  if (k < 0 || k > n) return 0;
  double r = 1;
  for (int i = 1; i <= k; ++i) r = r * (n - k + i) / i;
  return r;
}

int Byte(const std::string& hex, size_t i) { return std::stoi(hex.substr(2 * i, 2), nullptr, 16); }

// The IP header's length (IPv6: with its extension headers) and whether it has options.
std::pair<size_t, bool> IpHeader(const std::string& hex) {
  if (Byte(hex, 0) >> 4 == 4) {
    size_t ihl = 4 * static_cast<size_t>(Byte(hex, 0) & 15);
    return {ihl, ihl > 20};
  }
  size_t at = 40;
  int next = Byte(hex, 6);
  while (next != 58) {
    int len = next == 44 ? 1 : Byte(hex, at + 1) + 1;
    next = Byte(hex, at);
    at += 8 * static_cast<size_t>(len);
  }
  return {at, at > 40};
}

void CheckProportion(const json& o, uint64_t correct, uint64_t graded, const char* key) {
  INFO(o.dump());
  CHECK(o[key] == correct);
  CHECK(o["method"] == "wilson");
  if (graded == 0) {
    CHECK(o["ci95"][0] == 0.0);
    CHECK(o["ci95"][1] == 1.0);
    return;
  }
  auto [lo, hi] = Wilson(correct, graded);
  CHECK(o["ci95"][0].get<double>() == Approx(lo).margin(1e-12));
  CHECK(o["ci95"][1].get<double>() == Approx(hi).margin(1e-12));
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

TEST_CASE("grade: accuracy, fail rates, breakdowns and rtt percentiles match the packets",
          "[report][tool]") {
  for (const char* capture : {"captures/crafted-mistakes.pcap", "captures/kernel-options.pcap",
                              "captures/kernel-sizes.pcap", "captures/kernel-icmpv6.pcap"}) {
    INFO(capture);
    TempDir dir;
    testing::CommandResult r =
        testing::RunTool("grade " + std::string(capture) + " -r " + dir.File("r.json") + " -r " +
                         dir.File("r.html") + " -r " + dir.File("r.md"));
    REQUIRE((r.exit_code == 0 || r.exit_code == 1));
    json report = json::parse(ReadFile(dir.File("r.json")));
    const json& s = report["summary"];

    uint64_t graded = 0, correct = 0;
    std::map<std::string, std::pair<uint64_t, uint64_t>> family, options, size;
    std::vector<double> rtts;
    std::map<std::string, std::array<uint64_t, 3>> fields;
    std::map<uint64_t, json> by_frame;
    for (const json& p : report["packets"]) {
      by_frame[p["request"]["frame"]] = p;
      if (!p["reply"].is_null() && !p["reply"]["rtt_ms"].is_null())
        rtts.push_back(p["reply"]["rtt_ms"]);
      for (const json& f : p["fields"]) {
        std::string g = f["grade"];
        if (g == "info") continue;
        fields[f["name"]][g == "pass" ? 0 : g == "warn" ? 1 : 2] += 1;
      }
      std::string v = p["verdict"];
      if (p["expect_reply"] != true || v == "truncated" || v == "error") continue;
      const std::string hex = p["request"]["hex"];
      auto [header, has_options] = IpHeader(hex);
      size_t data = hex.size() / 2 - header - 8;
      const char* bucket = data < 64     ? "0-63"
                           : data < 512  ? "64-511"
                           : data < 1472 ? "512-1471"
                                         : "1472+";
      bool ok = v == "correct";
      ++graded;
      correct += ok;
      for (auto* group : {&family[p["request"]["family"]],
                          &options[has_options ? "with" : "without"], &size[bucket]}) {
        group->first += ok;
        group->second += 1;
      }
    }
    CHECK(s["accuracy"]["graded"] == graded);
    CheckProportion(s["accuracy"], correct, graded, "correct");
    if (graded > 0) CHECK(s["accuracy"]["rate"].get<double>() == Approx(double(correct) / graded));
    for (const auto& [name, group] :
         {std::pair{"family", &family}, {"options", &options}, {"size", &size}}) {
      for (const auto& [key, value] : s["breakdown"][name].items()) {
        INFO(name << " " << key);
        auto [c, n] = (*group)[key];
        CHECK(value["graded"] == n);
        CheckProportion(value, c, n, "correct");
      }
    }
    for (const auto& [name, c] : fields) {
      INFO(name);
      const json& f = s["fields"][name];
      CHECK(f["pass"] == c[0]);
      CHECK(f["fail"] == c[2]);
      CheckProportion(f, c[2], c[0] + c[1] + c[2], "fail");
    }
    if (!rtts.empty()) {
      CHECK(s["rtt_ms"]["p50"].get<double>() == Approx(R7(rtts, 50)));
      CHECK(s["rtt_ms"]["p90"].get<double>() == Approx(R7(rtts, 90)));
      CHECK(s["rtt_ms"]["p99"].get<double>() == Approx(R7(rtts, 99)));
      std::string line = "rtt p50/p90/p99 = " + Fixed(R7(rtts, 50), 3) + "/" +
                         Fixed(R7(rtts, 90), 3) + "/" + Fixed(R7(rtts, 99), 3) + " ms";
      CHECK(r.out.find(line) != std::string::npos);
      CHECK(ReadFile(dir.File("r.md")).find(line) != std::string::npos);
    }
    // The same accuracy on the terminal, in Markdown and in HTML.
    if (graded > 0) {
      auto [lo, hi] = Wilson(correct, graded);
      std::string numbers = std::to_string(correct) + "/" + std::to_string(graded) + " = " +
                            Fixed(100.0 * correct / graded, 1) + "% (95% interval " +
                            Fixed(100 * lo, 1);
      CHECK(r.out.find("accuracy " + numbers + "-" + Fixed(100 * hi, 1) + "%, Wilson)") !=
            std::string::npos);
      CHECK(ReadFile(dir.File("r.md")).find("Accuracy " + numbers) != std::string::npos);
      CHECK(ReadFile(dir.File("r.html")).find(numbers + "–" + Fixed(100 * hi, 1)) !=
            std::string::npos);
    }
    // The breakdown by family on the terminal and in Markdown.
    for (const char* name : {"ipv4", "ipv6"}) {
      auto [c, n] = family[name];
      if (n == 0) continue;
      auto [lo, hi] = Wilson(c, n);
      std::string text = std::string(name) + " " + std::to_string(c) + "/" + std::to_string(n) +
                         " = " + Fixed(100.0 * c / n, 1) + "% (95% interval " + Fixed(100 * lo, 1) +
                         "-" + Fixed(100 * hi, 1) + "%)";
      CHECK(r.out.find("by group: ") != std::string::npos);
      CHECK(r.out.find(text) != std::string::npos);
      CHECK(ReadFile(dir.File("r.md")).find(text) != std::string::npos);
    }
    // Terminal lines as ping prints them, and the reports named when written.
    std::regex ping_line(
        R"(^(\d+) bytes from (.+?): icmp_seq=(\d+) ident=(\d+) frame=(\d+) (ttl|hlim)=(\d+) )");
    int lines = 0;
    for (const std::string& line : r.out | testing::kLines) {
      std::smatch m;
      if (!std::regex_search(line, m, ping_line)) continue;
      ++lines;
      const json& p = by_frame.at(std::stoull(m[5]));
      const std::string reply = p["reply"]["hex"];
      auto [header, has_options] = IpHeader(reply);
      (void)has_options;
      CHECK(std::stoul(m[1]) == reply.size() / 2 - header);
      CHECK(std::stoul(m[4]) == p["request"]["ident"]);
      CHECK(std::stoul(m[3]) == p["request"]["seq"]);
      bool v6 = p["request"]["family"] == "ipv6";
      CHECK(m[6] == (v6 ? "hlim" : "ttl"));
      CHECK(std::stoi(m[7]) == Byte(reply, v6 ? 7 : 8));
    }
    CHECK(lines > 0);
    CHECK(r.out.find("JSON report: " + dir.File("r.json") + "\n") != std::string::npos);
    CHECK(r.out.find("HTML report: " + dir.File("r.html") + "\n") != std::string::npos);
    CHECK(report["run"]["capture_sha256"].get<std::string>().size() == 64);
  }
}

TEST_CASE("samples: pass@k and pass^k for every k are the unbiased estimators", "[report]") {
  EchoPacket request = testing::Packet(testing::kExperimentRequest);
  RequestAssessment assessment = AssessRequest(request, Profile::kRfc);
  Bytes right = *BuildReferenceReply(request, Profile::kRfc);
  Bytes wrong = right;
  wrong.back() ^= 1;
  const int k = 4;
  // Correct samples per request, out of 4.
  const std::vector<int> correct = {0, 1, 2, 4, 3};
  ResultSink sink(stdout, false, true, k);
  for (size_t i = 0; i < correct.size(); ++i) {
    for (int sample = 0; sample < k; ++sample) {
      ReplyMeta meta;
      meta.sample = sample;
      ByteView reply(sample < correct[i] ? right : wrong);
      sink.Record(request, assessment, i, &reply, meta, Profile::kRfc);
      sink.Release(sink.last_handle(), std::nullopt);
    }
  }
  sink.FinishSamples();
  RunSummary& s = sink.summary();
  RunInfo info;
  json report = json::parse(RenderJsonReport(info, s, sink.TakeResults()));
  for (int j = 1; j <= k; ++j) {
    double at = 0, hat = 0;
    for (int c : correct) {
      at += 1 - Choose(k - c, j) / Choose(k, j);
      hat += Choose(c, j) / Choose(k, j);
    }
    at /= correct.size();
    hat /= correct.size();
    INFO("k=" << j);
    CHECK(report["summary"]["samples"]["pass_at"][std::to_string(j)].get<double>() == Approx(at));
    CHECK(report["summary"]["samples"]["pass_hat"][std::to_string(j)].get<double>() == Approx(hat));
  }
  CHECK(report["summary"]["samples"]["pass_at_k"].get<double>() == Approx(4.0 / 5));
  CHECK(report["summary"]["samples"]["pass_all_k"].get<double>() == Approx(1.0 / 5));
  CHECK(report["summary"]["accuracy"]["correct"] == 10);
  CHECK(report["summary"]["accuracy"]["graded"] == 20);
  CHECK(report["packets"].size() == 20);
  for (size_t i = 0; i < report["packets"].size(); ++i) {
    CHECK(report["packets"][i]["sample"] == static_cast<int>(i % k));
  }
}

TEST_CASE("results reach the reports in request and sample order, whatever order they end in",
          "[report]") {
  EchoPacket request = testing::Packet(testing::kExperimentRequest);
  RequestAssessment assessment = AssessRequest(request, Profile::kRfc);
  Bytes right = *BuildReferenceReply(request, Profile::kRfc);
  TempDir dir;
  RunInfo info;
  info.command = "grade";
  auto reports = RunReports::Open({dir.File("r.json"), dir.File("r.csv")}, info, 2);
  REQUIRE(reports.ok());
  ResultSink sink(stdout, false, false, 2);
  sink.set_reports(reports->get());
  // Recorded in the order answers might arrive, released later still, with reply frames.
  std::vector<std::pair<uint64_t, int>> order = {{2, 1}, {0, 1}, {1, 0}, {0, 0}, {2, 0}, {1, 1}};
  std::vector<ResultSink::Handle> handles;
  for (auto [index, sample] : order) {
    ReplyMeta meta;
    meta.sample = sample;
    ByteView reply(right);
    sink.Record(request, assessment, index, &reply, meta, Profile::kRfc);
    handles.push_back(sink.last_handle());
  }
  for (size_t i = handles.size(); i-- > 0;) sink.Release(handles[i], 100 + i);
  sink.FlushResults();
  sink.FinishSamples();
  RunSummary& s = sink.summary();
  s.requests = 3;
  REQUIRE((*reports)->Finish(info, s).ok());
  json report = json::parse(ReadFile(dir.File("r.json")));
  REQUIRE(report["packets"].size() == 6);
  for (size_t i = 0; i < 6; ++i) {
    CHECK(report["packets"][i]["sample"] == static_cast<int>(i % 2));
    // The frame given when released went with its own result.
    size_t recorded = 0;
    while (order[recorded] != std::pair<uint64_t, int>{i / 2, static_cast<int>(i % 2)}) ++recorded;
    CHECK(report["packets"][i]["reply"]["frame"] == 100 + recorded);
  }
  std::vector<std::string> rows = ReadFile(dir.File("r.csv")) | testing::kLines;
  REQUIRE(rows.size() == 7);
  for (size_t i = 0; i < 6; ++i)
    CHECK(rows[i + 1].rfind(std::to_string(i / 2) + "," + std::to_string(i % 2) + ",", 0) == 0);
}

TEST_CASE("run settings: credentials are left out of the base URL; a journal names its run",
          "[report]") {
  CHECK(UrlWithoutCredentials("https://user:secret@api.example/v1?key=abc") ==
        "https://api.example/v1");
  CHECK(UrlWithoutCredentials("http://localhost:11434/v1") == "http://localhost:11434/v1");
  CHECK(UrlWithoutCredentials("https://api.example/a@b") == "https://api.example/a@b");
  BackendOptions o;
  o.temperature = 0.25;
  o.thinking = 2048;
  o.max_tokens = 900;
  o.concurrency = 3;
  o.timeout_s = 7.5;
  o.retries = 2;
  BackendPlan plan;
  plan.kind = "openai";
  plan.base_url = "https://k:v@api.example/v1";
  RunInfo info;
  info.settings = SettingsOf(o, plan, 5);
  json run = json::parse(RenderJsonReport(info, RunSummary(), {}))["run"];
  CHECK(run["settings"] == json({{"temperature", 0.25},
                                 {"max_tokens", 900},
                                 {"thinking_budget", 2048},
                                 {"samples", 5},
                                 {"concurrency", 3},
                                 {"timeout_s", 7.5},
                                 {"retries", 2},
                                 {"base_url", "https://api.example/v1"},
                                 {"prompt_variables", json::object()}}));
  CHECK(run["replayed_from"].is_null());

  TempDir dir;
  {
    auto w = JournalWriter::Open(dir.File("j.jsonl"), false);
    REQUIRE(w.ok());
    JournalEntry e;
    e.request_hex = "45";
    e.backend = "anthropic:claude-haiku-4-5";
    e.prompt_sha256 = std::string(64, 'a');
    e.answer.text = "x";
    REQUIRE(w->Append(e).ok());
  }
  std::optional<ReplayedRun> replayed = ReplayedRunOf(dir.File("j.jsonl"));
  REQUIRE(replayed);
  CHECK(replayed->model == "anthropic:claude-haiku-4-5");
  CHECK(replayed->prompt_sha256 == std::string(64, 'a'));
  CHECK_FALSE(ReplayedRunOf(dir.File("none.jsonl")));
}

}  // namespace
}  // namespace llmstack

namespace llmstack {
namespace {

TEST_CASE("with -q the summary still says why results were errors", "[report][tool]") {
  TempDir dir;
  testing::CommandResult r =
      testing::RunTool("captures/kernel-sizes.pcap -o " + dir.File("x.pcap") +
                       " -m exec:false -q --retries 0 " + "--no-cache -r " + dir.File("x.json"));
  CHECK(r.exit_code == 3);
  json report = json::parse(ReadFile(dir.File("x.json")));
  const json& s = report["summary"];
  uint64_t errors = s["verdicts"]["error"];
  REQUIRE(errors > 0);
  REQUIRE(s["error_reasons"].size() == 1);
  CHECK(s["error_reasons"][0]["count"] == errors);
  const std::string reason = s["error_reasons"][0]["reason"];
  CHECK(reason.rfind("backend: ", 0) == 0);
  CHECK(r.out.find("error x" + std::to_string(errors) + ": " + reason + "\n") != std::string::npos);
  // Errors are not graded: nothing to give a rate of.
  CHECK(s["accuracy"]["graded"] == 0);
  CHECK(s["accuracy"]["rate"].is_null());
  CHECK(s["usage"]["cost_per_correct_usd"].is_null());
}

}  // namespace
}  // namespace llmstack
