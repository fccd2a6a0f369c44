#include "model/usage.h"

namespace llmstack {

void Usage::Add(const Usage& o) {
  input_tokens += o.input_tokens;
  output_tokens += o.output_tokens;
  reasoning_tokens += o.reasoning_tokens;
  cache_read_tokens += o.cache_read_tokens;
  cache_creation_tokens += o.cache_creation_tokens;
  cost_usd += o.cost_usd;
  cost_known = cost_known || o.cost_known;
}

}  // namespace llmstack
