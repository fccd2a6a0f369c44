// Runs compared request by request (DESIGN §6, "Comparing runs"): for each pair of runs, how
// many paired requests both got right, only one got right, or neither; McNemar's exact p-value
// on the discordant pairs; per-field fail counts; and the requests that flipped. Rendered for the
// terminal, and as JSON (schema llmstack-replay.compare/1), HTML (leaderboard with intervals
// and the requests x runs grid) and Markdown (a leaderboard table).
#ifndef LLMSTACK_REPORT_COMPARISON_H_
#define LLMSTACK_REPORT_COMPARISON_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace llmstack {

// One run (or matrix cell) as the comparison sees it.
struct ComparedRun {
  std::string name;  // "A.json", "M.json#anthropic-claude-haiku-4-5--ping-respond"
  std::string model;
  std::string prompt;
  std::string profile;
  std::string started_at;
  struct Packet {
    uint64_t frame = 0;
    int sample = 0;
    std::string request_hex;
    bool expect_reply = true;
    std::string verdict;
    std::vector<std::string> failed_fields;
    std::string reply_hex;
    std::string expected_hex;  // the reference reply under the run's profile (empty: none)
  };
  std::vector<Packet> packets;
  // Summary numbers for the leaderboard.
  uint64_t correct = 0, graded = 0;
  double rtt_p50_ms = 0;
  double cost_usd = -1;  // negative: unknown
};

struct Flip {
  uint64_t frame = 0;
  int sample = 0;
  std::string a_verdict, b_verdict;
  std::vector<std::string> a_failed, b_failed;
};

struct Comparison {
  std::string a, b;
  uint64_t paired = 0;
  uint64_t both_right = 0, a_only = 0, b_only = 0, both_wrong = 0;
  double mcnemar_exact_p = 1;
  std::map<std::string, std::pair<uint64_t, uint64_t>> fields;  // name -> (a_fail, b_fail)
  std::vector<Flip> flips;
  std::vector<std::string> mismatches;  // requests that are not the same in both runs
};

// A and B over the packets both hold (same frame and sample) that expected a reply and were
// graded in both (not error or truncated). A request whose bytes differ between the runs is a
// mismatch, named, and not paired.
Comparison CompareRuns(const ComparedRun& a, const ComparedRun& b);

std::string FormatComparisonTerminal(const std::vector<ComparedRun>& runs,
                                     const std::vector<Comparison>& comparisons);
std::string RenderComparisonJson(const std::vector<ComparedRun>& runs,
                                 const std::vector<Comparison>& comparisons);
std::string RenderComparisonMarkdown(const std::vector<ComparedRun>& runs,
                                     const std::vector<Comparison>& comparisons);
std::string RenderComparisonHtml(const std::vector<ComparedRun>& runs,
                                 const std::vector<Comparison>& comparisons);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_COMPARISON_H_
