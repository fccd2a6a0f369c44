// `llmstack-replay explain HEX [--reply HEX]`: dissects a packet, shows every checksum step,
// derives the correct reply of an echo request with the work shown, and grades a given reply.
#ifndef LLMSTACK_CLI_EXPLAIN_COMMAND_H_
#define LLMSTACK_CLI_EXPLAIN_COMMAND_H_

#include <cstdio>
#include <optional>
#include <string>

#include "grade/profile.h"

namespace llmstack {

struct ExplainOptions {
  std::string packet_hex;
  std::optional<std::string> reply_hex;
  Profile profile = Profile::kRfc;
};

// Returns 0, 1 when a given reply is wrong (or the packet deserves no reply but got one),
// 2 when the hex does not decode.
int RunExplainCommand(const ExplainOptions& options, FILE* out, FILE* err);

}  // namespace llmstack

#endif  // LLMSTACK_CLI_EXPLAIN_COMMAND_H_
