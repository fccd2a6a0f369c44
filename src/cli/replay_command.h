// The main job: `llmstack-replay IN -o OUT`: reads echo requests from a capture, asks a backend
// to build each reply, grades it, and writes requests and replies to an output capture and the
// reports.
#ifndef LLMSTACK_CLI_REPLAY_COMMAND_H_
#define LLMSTACK_CLI_REPLAY_COMMAND_H_

#include <cstdio>

#include "run/main_job.h"

namespace llmstack {

// Runs the main job. Returns the exit code of DESIGN §3 (2 beats 3 beats 1 beats 0), or 130
// when interrupted (what was finished is written).
int RunReplayCommand(const ReplayOptions& options, FILE* out, FILE* err);

}  // namespace llmstack

#endif  // LLMSTACK_CLI_REPLAY_COMMAND_H_
