// `llmstack-replay compare RUN.json RUN.json...`: runs (or matrix cells, FILE#CELL) compared
// request by request (DESIGN §6, "Comparing runs").
#ifndef LLMSTACK_CLI_COMPARE_COMMAND_H_
#define LLMSTACK_CLI_COMPARE_COMMAND_H_

#include <cstdio>
#include <string>
#include <vector>

namespace llmstack {

struct CompareOptions {
  std::vector<std::string> runs;
  std::vector<std::string> reports;  // .json, .html, .md
};

// Returns 0, or 2 for a usage or input error (one line naming the file).
int RunCompareCommand(const CompareOptions& options, FILE* out, FILE* err);

}  // namespace llmstack

#endif  // LLMSTACK_CLI_COMPARE_COMMAND_H_
