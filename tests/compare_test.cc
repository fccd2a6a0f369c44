// `compare` of two runs against the stand-in: a flawless model and one that leaves the ICMP
// checksum stale in a share of its replies. The flips must be exactly the flawed run's mistakes,
// and every number is computed again here from the two reports.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "standin_fixture.h"
#include "test_support.h"

namespace llmstack {
namespace {

using nlohmann::json;

using testing::ReadJson;

// C(n, k) / 2^n, exactly enough for n up to a few hundred.
double BinomialHalf(int n, int k) {
  double log_c = std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
  return std::exp(log_c - n * std::log(2.0));
}

TEST_CASE("compare: the flips are the flawed model's mistakes, p is McNemar's exact",
          "[compare][model]") {
  testing::TempDir dir;
  testing::StandinServer server("--style fenced");
  std::string input = dir.File("in.pcap");
  testing::WriteRequestCapture(input, 40, true);
  auto run = [&](const std::string& model, const std::string& report) {
    testing::CommandResult r = testing::RunShell(
        "env ANTHROPIC_API_KEY=k " + testing::QuotedToolPath() + " '" + input + "' -o '" +
        dir.File(report + ".pcap") + "' --model anthropic:" + model + " --base-url " +
        server.anthropic_url() + " --no-cache -q -r '" + dir.File(report + ".json") + "'");
    INFO(r.out << r.err);
    CHECK((r.exit_code == 0 || r.exit_code == 1));
    return ReadJson(dir.File(report + ".json"));
  };
  json a = run("claude-flawless", "a");
  json b = run("claude-stale-40", "b");

  std::set<uint64_t> b_wrong;
  for (const json& p : b["packets"]) {
    if (p["verdict"] != "correct") b_wrong.insert(p["request"]["frame"].get<uint64_t>());
  }
  for (const json& p : a["packets"]) REQUIRE(p["verdict"] == "correct");
  REQUIRE(!b_wrong.empty());
  REQUIRE(b_wrong.size() < 40);

  testing::CommandResult r = testing::RunTool(
      "compare '" + dir.File("a.json") + "' '" + dir.File("b.json") + "' -r '" +
      dir.File("c.json") + "' -r '" + dir.File("c.html") + "' -r '" + dir.File("c.md") + "'");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  json c = ReadJson(dir.File("c.json"));
  CHECK(c["schema"] == "llmstack-replay.compare/1");
  CHECK(c["paired"] == 40);
  CHECK(c["both_right"] == 40 - b_wrong.size());
  CHECK(c["a_only"] == b_wrong.size());
  CHECK(c["b_only"] == 0);
  CHECK(c["both_wrong"] == 0);
  std::set<uint64_t> flipped;
  for (const json& f : c["flips"]) {
    flipped.insert(f["frame"].get<uint64_t>());
    CHECK(f["a"] == "correct");
    CHECK(f["b"] == "wrong");
    CHECK((f["b_failed"] == json::array({"icmp.checksum"}) ||
           f["b_failed"] == json::array({"icmpv6.checksum"})));
  }
  CHECK(flipped == b_wrong);
  // McNemar's exact test, two-sided: 2 * P[X <= 0] for X ~ Bin(n, 1/2), n discordant pairs.
  int n = static_cast<int>(b_wrong.size());
  CHECK(c["mcnemar_exact_p"].get<double>() == Approx(std::min(1.0, 2 * BinomialHalf(n, 0))));
  uint64_t b_fail = 0, a_fail = 0;
  for (const char* name : {"icmp.checksum", "icmpv6.checksum"}) {
    if (!c["fields"].contains(name)) continue;
    b_fail += c["fields"][name]["b_fail"].get<uint64_t>();
    a_fail += c["fields"][name]["a_fail"].get<uint64_t>();
  }
  CHECK(b_fail == b_wrong.size());
  CHECK(a_fail == 0);
  // The leaderboard: the flawless run first, with a Wilson interval.
  REQUIRE(c["runs"].size() == 2);
  CHECK(c["runs"][0]["correct"] == 40);
  std::string md = testing::ReadFile(dir.File("c.md"));
  CHECK(md.find("| run | model | prompt | correct | rate | 95% CI (Wilson)") == 0);
  std::string html = testing::ReadFile(dir.File("c.html"));
  CHECK(html.find("Requests x runs") != std::string::npos);
  CHECK(html.find("<mark>") != std::string::npos);  // the stale bytes marked

  // Requests that differ are named, not paired.
  json other = a;
  other["packets"][0]["request"]["hex"] = "4500";
  std::ofstream(dir.File("other.json")) << other.dump();
  r = testing::RunTool("compare '" + dir.File("a.json") + "' '" + dir.File("other.json") + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("not paired: frame") != std::string::npos);
  CHECK(r.out.find(": 39 paired requests") != std::string::npos);
  CHECK(r.err.find("do not hold the same requests") != std::string::npos);
  CHECK((r.err | testing::kLines).size() == 1);

  // Not a report: exit 2, one line.
  testing::WriteFile(dir.File("junk.json"), "{}");
  r = testing::RunTool("compare '" + dir.File("a.json") + "' '" + dir.File("junk.json") + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("not an llmstack-replay report") != std::string::npos);
}

}  // namespace
}  // namespace llmstack
