// `llmstack-replay explain HEX [--reply HEX] [--link TYPE]` and `explain CAPTURE --frame N`:
// dissects a packet, shows every checksum step, derives the correct reply of an echo request
// with the work shown, and grades a given reply (src/report/packet_explanation.h).
#ifndef LLMSTACK_CLI_EXPLAIN_COMMAND_H_
#define LLMSTACK_CLI_EXPLAIN_COMMAND_H_

#include <cstdio>

#include "report/packet_explanation.h"

namespace llmstack {

// Returns 0, 1 when a given reply is wrong (or the packet deserves no reply but got one),
// 2 when the packet cannot be had (hex that does not decode or is not IP, an unreadable
// capture, a frame that is not an echo request) or a reply is given to a non-request.
int RunExplainCommand(const ExplainOptions& options, FILE* out, FILE* err);

}  // namespace llmstack

#endif  // LLMSTACK_CLI_EXPLAIN_COMMAND_H_
