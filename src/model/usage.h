// Tokens and cost of model answers, as the APIs report them and the price table estimates.
#ifndef LLMSTACK_MODEL_USAGE_H_
#define LLMSTACK_MODEL_USAGE_H_

#include <cstdint>

namespace llmstack {

// A usage from a server is clamped into [0, kMaxTokensPerAnswer] per count, so that negative
// or absurd numbers neither lower an estimate nor overflow a sum.
inline constexpr int64_t kMaxTokensPerAnswer = 100'000'000;

struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;  // includes reasoning/thinking tokens where the API counts them
  int64_t reasoning_tokens = 0;
  int64_t cache_read_tokens = 0;
  int64_t cache_creation_tokens = 0;
  double cost_usd = 0;  // estimate
  bool cost_known = false;
  // False when the server reported no usage (Ollama, llama-server may not): the counts are
  // unknown, not zero, and --max-cost counts such an answer at its estimate.
  bool reported = true;

  // Adds the counts (saturating; negative counts taken as 0) and the cost.
  void Add(const Usage& other);
};

// A token count from a server, clamped into [0, kMaxTokensPerAnswer].
int64_t ClampTokens(int64_t count);

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_USAGE_H_
