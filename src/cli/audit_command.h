// `llmstack-replay audit TEXTFILE...`: finds packets (hex) and checksum claims in free text (a
// model's reasoning, a journal, a write-up), recomputes every claim and reports each as right
// or wrong with the true value; where partial sums are written down, names the first wrong
// step.
#ifndef LLMSTACK_CLI_AUDIT_COMMAND_H_
#define LLMSTACK_CLI_AUDIT_COMMAND_H_

#include <cstdio>
#include <string>
#include <vector>

namespace llmstack {

struct AuditOptions {
  std::vector<std::string> files;  // "-" reads stdin
  bool quiet = false;              // only wrong claims and the summary
  // The request the texts answer (hex): each text is audited as a model's answer to it.
  std::string request_hex;
};

// Returns 0 when every claim checks out, 1 when any is wrong, 2 when a file cannot be read.
int RunAuditCommand(const AuditOptions& options, FILE* out, FILE* err);

}  // namespace llmstack

#endif  // LLMSTACK_CLI_AUDIT_COMMAND_H_
