#include "live_command.h"

namespace llmstack {

int RunLiveCommand(const LiveOptions&, FILE*, FILE* err) {
  std::fprintf(err, "llmstack-replay: live is not available in this build\n");
  return 2;
}

}  // namespace llmstack
