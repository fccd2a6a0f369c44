// Tokens and cost of model answers, as the APIs report them and the price table estimates.
#ifndef LLMSTACK_MODEL_USAGE_H_
#define LLMSTACK_MODEL_USAGE_H_

#include <cstdint>

namespace llmstack {

struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;  // includes reasoning/thinking tokens where the API counts them
  int64_t reasoning_tokens = 0;
  int64_t cache_read_tokens = 0;
  int64_t cache_creation_tokens = 0;
  double cost_usd = 0;  // estimate
  bool cost_known = false;

  void Add(const Usage& other);
};

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_USAGE_H_
