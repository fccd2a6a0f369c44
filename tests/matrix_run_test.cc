// Matrix runs of the main job (DESIGN section 3) against the stand-in: two models over one
// capture give one matrix/1 report of two cells, each with its own accuracy and Wilson
// interval, one output capture per cell that tshark reads with every reply paired to its
// request, and `compare FILE#CELL FILE#CELL` flips exactly the flawed cell's mistakes.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "standin_fixture.h"
#include "test_skip.h"
#include "test_support.h"

namespace llmstack {
namespace {

using nlohmann::json;

using testing::ReadJson;

// Wilson (1927) score interval at z = 1.959964, written out.
std::pair<double, double> Wilson(double c, double n) {
  if (n == 0) return {0, 1};
  const double z = 1.959964, p = c / n;
  const double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

std::string MatrixCommand(const testing::TempDir& dir, const testing::StandinServer& server,
                          const std::string& input, const std::string& extra) {
  return "env ANTHROPIC_API_KEY=k " + testing::QuotedToolPath() + " '" + input + "' -o '" +
         dir.File("out.pcapng") + "' -m anthropic:claude-flawless -m anthropic:claude-stale-40" +
         " --base-url " + server.anthropic_url() + " --no-cache -j 4 " + extra;
}

TEST_CASE("matrix run: one report of two cells, a capture per cell, compare of the cells",
          "[matrix][model]") {
  testing::TempDir dir;
  testing::StandinServer server("--style fenced");
  std::string input = dir.File("in.pcap");
  testing::WriteRequestCapture(input, 40, true);
  testing::CommandResult r = testing::RunShell(
      MatrixCommand(dir, server, input,
                    "--journal '" + dir.File("j.jsonl") + "' -r '" + dir.File("m.json") + "' -r '" +
                        dir.File("m.md") + "' -r '" + dir.File("m.html") + "'"));
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 1);  // the stale cell has wrong replies: the worst over the cells

  json m = ReadJson(dir.File("m.json"));
  CHECK(m["schema"] == "llmstack-replay.matrix/1");
  REQUIRE(m["cells"].size() == 2);
  REQUIRE(m["run"]["cells"].size() == 2);
  const std::string flawless = m["cells"][0]["cell"], stale = m["cells"][1]["cell"];
  CHECK(flawless == "anthropic-claude-flawless");
  CHECK(stale == "anthropic-claude-stale-40");
  CHECK(m["cells"][0]["run"]["model"] == "anthropic:claude-flawless");
  CHECK(m["cells"][1]["run"]["model"] == "anthropic:claude-stale-40");

  std::set<uint64_t> stale_wrong;
  for (size_t i = 0; i < 2; ++i) {
    const json& cell = m["cells"][i];
    uint64_t correct = 0, graded = 0;
    REQUIRE(cell["packets"].size() == 40);
    for (const json& p : cell["packets"]) {
      ++graded;
      if (p["verdict"] == "correct") {
        ++correct;
      } else {
        CHECK(i == 1);
        CHECK(p["verdict"] == "wrong");
        stale_wrong.insert(p["request"]["frame"].get<uint64_t>());
      }
    }
    const json& accuracy = cell["summary"]["accuracy"];
    INFO(accuracy.dump());
    CHECK(accuracy["correct"] == correct);
    CHECK(accuracy["graded"] == graded);
    CHECK(accuracy["method"] == "wilson");
    auto [lo, hi] = Wilson(static_cast<double>(correct), static_cast<double>(graded));
    CHECK(accuracy["ci95"][0].get<double>() == Approx(lo).margin(1e-12));
    CHECK(accuracy["ci95"][1].get<double>() == Approx(hi).margin(1e-12));
  }
  REQUIRE(!stale_wrong.empty());
  REQUIRE(stale_wrong.size() < 40);

  // The terminal lines name their cell; one statistics block per cell.
  CHECK(r.out.find("[" + flawless + "] REPLAY ") != std::string::npos);
  CHECK(r.out.find("[" + stale + "] --- ") != std::string::npos);
  size_t prefixed = 0;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("icmp_seq") != std::string::npos) {
      CHECK((line.rfind("[" + flawless + "] ", 0) == 0 || line.rfind("[" + stale + "] ", 0) == 0));
      ++prefixed;
    }
  }
  CHECK(prefixed == 80);
  // The closing lines: one per cell, its accuracy and interval.
  auto [flawless_lo, flawless_hi] = Wilson(40, 40);
  char closing[160];
  std::snprintf(closing, sizeof closing,
                "[%s] correct 40/40 = 100.0%% (95%% interval %.1f-%.1f%%, Wilson)",
                flawless.c_str(), 100 * flawless_lo, 100 * flawless_hi);
  CHECK(r.out.find(closing) != std::string::npos);
  CHECK(r.out.find("[" + stale + "] correct " + std::to_string(40 - stale_wrong.size()) +
                   "/40 = ") != std::string::npos);
  CHECK(testing::ReadFile(dir.File("m.md")).find(stale) != std::string::npos);
  CHECK(testing::ReadFile(dir.File("m.html")).find(flawless) != std::string::npos);

  // One capture per cell, each read alone by tshark: every right reply paired with its
  // request. Wireshark pairs a reply only when its checksum is the one it predicts from the
  // request's, so the stale cell's unpaired replies are exactly its wrong ones.
  for (size_t i = 0; i < 2; ++i) {
    const std::string& cell = i == 0 ? flawless : stale;
    std::string capture = dir.File("out." + cell + ".pcapng");
    REQUIRE(testing::FileExists(capture));
    std::set<std::string> wrong_reply_frames;
    for (const json& p : m["cells"][i]["packets"]) {
      if (p["verdict"] != "correct") {
        wrong_reply_frames.insert(std::to_string(p["reply"]["frame"].get<uint64_t>()));
      }
    }
    CHECK(wrong_reply_frames.size() == (i == 0 ? 0 : stale_wrong.size()));
    if (!testing::HaveCommand("tshark")) {
      return testing::Skip("tshark is not installed: the captures' pairing cannot be checked");
    }
    testing::CommandResult replies = testing::RunShell(
        "tshark -2 -r '" + capture +
        "' -Y 'icmp.type == 0 || icmpv6.type == 129' -T fields -e frame.number 2>/dev/null");
    testing::CommandResult unpaired = testing::RunShell(
        "tshark -2 -r '" + capture +
        "' -Y '(icmp.type == 0 && !icmp.resp_to) || (icmpv6.type == 129 && !icmpv6.resp_to)' "
        "-T fields -e frame.number 2>/dev/null");
    INFO(cell << "\n" << replies.out << "\n" << unpaired.out);
    REQUIRE(replies.exit_code == 0);
    REQUIRE(unpaired.exit_code == 0);
    CHECK(std::count(replies.out.begin(), replies.out.end(), '\n') == 40);
    std::set<std::string> unpaired_frames;
    std::istringstream frames(unpaired.out);
    for (std::string line; std::getline(frames, line);) {
      if (!line.empty()) unpaired_frames.insert(line);
    }
    CHECK(unpaired_frames == wrong_reply_frames);
  }

  // compare of the two cells: the flips are exactly the stale cell's mistakes.
  testing::CommandResult c =
      testing::RunTool("compare '" + dir.File("m.json") + "#" + flawless + "' '" +
                       dir.File("m.json") + "#" + stale + "' -r '" + dir.File("c.json") + "'");
  INFO(c.out << c.err);
  REQUIRE(c.exit_code == 0);
  json cmp = ReadJson(dir.File("c.json"));
  CHECK(cmp["paired"] == 40);
  CHECK(cmp["a_only"] == stale_wrong.size());
  CHECK(cmp["b_only"] == 0);
  std::set<uint64_t> flipped;
  for (const json& f : cmp["flips"]) flipped.insert(f["frame"].get<uint64_t>());
  CHECK(flipped == stale_wrong);

  // The shared journal: one identity with both cells, every exchange line naming its cell.
  std::map<std::string, int> lines_by_cell;
  json identity;
  std::istringstream journal(testing::ReadFile(dir.File("j.jsonl")));
  for (std::string line; std::getline(journal, line);) {
    json j = json::parse(line);
    if (j.contains("run")) {
      identity = j["run"];
    } else if (j.contains("request_hex")) {
      ++lines_by_cell[j["cell"].is_string() ? j["cell"].get<std::string>() : "(none)"];
    }
  }
  REQUIRE(identity["cells"].size() == 2);
  CHECK(identity["cells"][0]["cell"] == flawless);
  CHECK(identity["cells"][1]["cell"] == stale);
  CHECK(lines_by_cell == std::map<std::string, int>{{flawless, 40}, {stale, 40}});

  // --resume of the shared journal asks nothing again: each cell finds its own answers.
  int asked = server.Stats()["requests_total"];
  CHECK(asked == 80);
  testing::CommandResult resumed = testing::RunShell(MatrixCommand(
      dir, server, input,
      "-q --journal '" + dir.File("j.jsonl") + "' --resume -r '" + dir.File("m2.json") + "'"));
  INFO(resumed.out << resumed.err);
  CHECK(resumed.exit_code == 1);
  CHECK(server.Stats()["requests_total"].get<int>() == asked);
  json m2 = ReadJson(dir.File("m2.json"));
  REQUIRE(m2["cells"].size() == 2);
  CHECK(m2["cells"][1]["summary"]["accuracy"] == m["cells"][1]["summary"]["accuracy"]);
}

TEST_CASE("matrix run: -o - is refused, and every cell's capture is checked first",
          "[matrix][model]") {
  testing::TempDir dir;
  testing::StandinServer server("--style fenced");
  std::string input = dir.File("in.pcap");
  testing::WriteRequestCapture(input, 4, false);
  testing::CommandResult r = testing::RunShell(
      "env ANTHROPIC_API_KEY=k " + testing::QuotedToolPath() + " '" + input +
      "' -o - -m anthropic:claude-flawless -m anthropic:claude-stale-40 --base-url " +
      server.anthropic_url() + " --no-cache");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find("-o -") != std::string::npos);

  // JUnit and CSV are single-run formats.
  r = testing::RunShell(MatrixCommand(dir, server, input, "-q -r '" + dir.File("m.xml") + "'"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("m.xml: a matrix run's report is .json, .html or .md") != std::string::npos);

  // A cell's capture that cannot be written stops the run before the first request.
  testing::RunShell("mkdir '" + dir.File("out.anthropic-claude-stale-40.pcapng") + "'");
  r = testing::RunShell(MatrixCommand(dir, server, input, "-q"));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("out.anthropic-claude-stale-40.pcapng") != std::string::npos);
  CHECK(server.Stats()["requests_total"] == 0);
  CHECK(!testing::FileExists(dir.File("out.anthropic-claude-flawless.pcapng")));
}

TEST_CASE("matrix run: two prompts make two cells named by the prompts' stems", "[matrix]") {
  testing::TempDir dir;
  std::string input = dir.File("in.pcap");
  testing::WriteRequestCapture(input, 6, true);
  std::string prompt = testing::ReadFile(testing::SourcePath("prompts/ping-respond.md"));
  testing::WriteFile(dir.File("terse.md"), prompt);
  testing::WriteFile(dir.File("verbose.md"), prompt);
  testing::CommandResult r = testing::RunTool(
      "'" + input + "' -o '" + dir.File("out.pcap") + "' -m reference -p '" + dir.File("terse.md") +
      "' -p '" + dir.File("verbose.md") + "' -q -r '" + dir.File("m.json") + "'");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  json m = ReadJson(dir.File("m.json"));
  REQUIRE(m["cells"].size() == 2);
  CHECK(m["cells"][0]["cell"] == "reference--terse");
  CHECK(m["cells"][1]["cell"] == "reference--verbose");
  CHECK(testing::FileExists(dir.File("out.reference--terse.pcap")));
  CHECK(testing::FileExists(dir.File("out.reference--verbose.pcap")));
  CHECK(!testing::FileExists(dir.File("out.pcap")));
  CHECK(r.out.find("JSON report: " + dir.File("m.json")) != std::string::npos);
}

TEST_CASE("matrix run: a bare report name makes reports/ where the run starts", "[matrix]") {
  testing::TempDir dir;
  testing::WriteRequestCapture(dir.File("in.pcap"), 4, true);
  std::string prompt = testing::ReadFile(testing::SourcePath("prompts/ping-respond.md"));
  testing::WriteFile(dir.File("terse.md"), prompt);
  testing::WriteFile(dir.File("verbose.md"), prompt);
  REQUIRE_FALSE(testing::FileExists(dir.File("reports")));
  testing::CommandResult r = testing::RunShell(
      "cd '" + dir.path() + "' && " + testing::QuotedToolPath() +
      " in.pcap -o out.pcap -m reference -p terse.md -p verbose.md -q -r html -r json");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  json m = ReadJson(dir.File("reports/in-replay.json"));
  CHECK(m["schema"] == "llmstack-replay.matrix/1");
  CHECK(m["cells"].size() == 2);
  CHECK(testing::ReadFile(dir.File("reports/in-replay.html")).find("reference--verbose") !=
        std::string::npos);
  CHECK(r.out.find("HTML report: reports/in-replay.html") != std::string::npos);
}

}  // namespace
}  // namespace llmstack

namespace llmstack {
namespace {

TEST_CASE("matrix run: Ctrl-C writes what is finished; --resume finishes every cell",
          "[matrix][model]") {
  testing::TempDir dir;
  testing::StandinServer server("--style fenced --latency-ms 300");
  std::string input = dir.File("in.pcap");
  testing::WriteRequestCapture(input, 16, false);
  std::string base = "env ANTHROPIC_API_KEY=k " + testing::QuotedToolPath() + " '" + input +
                     "' -o '" + dir.File("out.pcap") +
                     "' -m anthropic:claude-flawless -m anthropic:claude-stale-40 --base-url " +
                     server.anthropic_url() + " -j 2 --no-cache -q --journal '" +
                     dir.File("j.jsonl") + "'";
  testing::RunShell("(" + base + " -r '" + dir.File("m.json") + "' > '" + dir.File("stdout") +
                    "' 2>&1 & pid=$!; sleep 1.2; kill -INT $pid; wait $pid; echo $? > '" +
                    dir.File("status") + "')");
  INFO(testing::ReadFile(dir.File("stdout")));
  CHECK(testing::ReadFile(dir.File("status")) == "130\n");
  json m = ReadJson(dir.File("m.json"));
  CHECK(m["run"]["interrupted"] == true);
  REQUIRE(m["cells"].size() == 1);  // the second cell was never started
  uint64_t finished = m["cells"][0]["packets"].size();
  CHECK(finished >= 2);
  CHECK(finished < 16);
  CHECK(!testing::FileExists(dir.File("out.anthropic-claude-stale-40.pcap")));

  testing::CommandResult resumed =
      testing::RunShell(base + " --resume -r '" + dir.File("m2.json") + "'");
  INFO(resumed.out << resumed.err);
  CHECK(resumed.exit_code == 1);
  json whole = ReadJson(dir.File("m2.json"));
  REQUIRE(whole["cells"].size() == 2);
  for (const json& cell : whole["cells"]) CHECK(cell["packets"].size() == 16);
  CHECK(whole["cells"][0]["summary"]["usage"]["from_journal"].get<uint64_t>() >= finished);
  CHECK(whole["cells"][1]["summary"]["usage"]["from_journal"] == 0);
  // Nothing finished is asked twice (at most the two in flight at Ctrl-C).
  CHECK(server.Stats()["requests_total"].get<uint64_t>() <= 32 + 2);
}

}  // namespace
}  // namespace llmstack

namespace llmstack {
namespace {

TEST_CASE("matrix run: --max-cost is the budget of the whole run, not of each cell",
          "[matrix][model]") {
  testing::TempDir dir;
  testing::StandinServer server("--style fenced");
  std::string input = dir.File("in.pcap");
  testing::WriteRequestCapture(input, 10, false);
  // Both names are priced as claude-haiku-4-5 (the longest key they start with).
  testing::CommandResult r = testing::RunShell(
      "env ANTHROPIC_API_KEY=k " + testing::QuotedToolPath() + " '" + input + "' -o '" +
      dir.File("out.pcap") +
      "' -m anthropic:claude-haiku-4-5-flawless -m anthropic:claude-haiku-4-5-stale-30" +
      " --base-url " + server.anthropic_url() + " -j 1 --no-cache -q --max-cost 0.01 -r '" +
      dir.File("m.json") + "'");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  json m = ReadJson(dir.File("m.json"));
  REQUIRE(m["cells"].size() == 2);
  double spent = 0;
  uint64_t answered = 0;
  for (const json& cell : m["cells"]) {
    const json& cost = cell["summary"]["usage"]["cost_usd_estimate"];
    if (cost.is_number()) spent += cost.get<double>();
    for (const json& p : cell["packets"]) answered += p.value("why_error", "") != "budget";
  }
  CHECK(spent <= 0.01);
  CHECK(answered >= 1);
  CHECK(answered < 10);  // the first cell alone reaches the budget
  CHECK(server.Stats()["requests_total"] == answered);
  CHECK(r.out.find("by the cells before") != std::string::npos);
}

}  // namespace
}  // namespace llmstack
