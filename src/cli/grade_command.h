// `llmstack-replay grade CAPTURE [REPLIES]`: grades replies already given, with no model: the
// replies in the capture itself, those of a second capture, or a text file of hex replies in
// request order (src/run/grade_run.h).
#ifndef LLMSTACK_CLI_GRADE_COMMAND_H_
#define LLMSTACK_CLI_GRADE_COMMAND_H_

#include <cstdio>

#include "run/grade_run.h"

namespace llmstack {

// Runs the command, printing to `out` and errors to `err`. Returns the exit code: 0 all
// correct, 1 a reply wrong/missing/unexpected, 2 unreadable input.
int RunGradeCommand(const GradeOptions& options, FILE* out, FILE* err);

}  // namespace llmstack

#endif  // LLMSTACK_CLI_GRADE_COMMAND_H_
