#include "cli/explain_command.h"

namespace llmstack {

int RunExplainCommand(const ExplainOptions& options, FILE* out, FILE* err) {
  Result<Bytes> packet = ExplainedDatagram(options);
  if (!packet.ok()) {
    std::fprintf(err, "llmstack-replay: explain: %s\n", packet.status().message().c_str());
    return 2;
  }
  std::optional<Bytes> reply;
  if (options.reply_hex) {
    Result<Bytes> r = HexDecodeLenient(*options.reply_hex);
    if (!r.ok()) {
      std::fprintf(err, "llmstack-replay: explain: --reply hex: %s\n",
                   r.status().message().c_str());
      return 2;
    }
    reply = std::move(*r);
  }
  Result<std::optional<Verdict>> verdict = ExplainPacket(*packet, reply, options.profile, out);
  if (!verdict.ok()) {
    std::fprintf(err, "llmstack-replay: explain: %s\n", verdict.status().message().c_str());
    return 2;
  }
  return *verdict && IsFailingVerdict(**verdict) ? 1 : 0;
}

}  // namespace llmstack
