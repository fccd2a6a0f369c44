// The main job: `llmstack-replay IN -o OUT`: reads echo requests from a capture, asks a backend
// to build each reply, grades it, and writes requests and replies to an output capture and the
// reports.
#ifndef LLMSTACK_REPLAY_COMMAND_H_
#define LLMSTACK_REPLAY_COMMAND_H_

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "profile.h"

namespace llmstack {

struct ReplayOptions {
  std::string input;
  std::string output;
  std::optional<std::string> model;       // SPEC; none: from the environment
  std::optional<std::string> base_url;
  std::optional<std::string> prompt;      // template file; default: embedded ping-respond.md
  Profile profile = Profile::kRfc;
  int concurrency = 8;
  int samples = 1;
  std::vector<std::string> reports;
  std::optional<std::string> cache_dir;
  bool no_cache = false;
  std::optional<std::string> journal;
  bool resume = false;
  std::optional<double> max_cost;
  double timeout_s = 120;
  int retries = 8;
  double max_wait_s = 120;
  bool replies_only = false;
  bool include_negatives = false;
  std::optional<double> temperature;
  int max_tokens = 4096;
  std::optional<int> thinking;
  bool quiet = false;
  bool no_progress = false;
};

// Runs the main job. Returns the exit code of DESIGN §3 (2 beats 3 beats 1 beats 0).
int RunReplayCommand(const ReplayOptions& options, FILE* out, FILE* err);

}  // namespace llmstack

#endif  // LLMSTACK_REPLAY_COMMAND_H_
