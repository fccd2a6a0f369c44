#include "audit_command.h"

namespace llmstack {

int RunAuditCommand(const AuditOptions&, FILE*, FILE* err) {
  std::fprintf(err, "llmstack-replay: audit is not available in this build\n");
  return 2;
}

}  // namespace llmstack
