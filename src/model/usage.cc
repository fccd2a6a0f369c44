#include "model/usage.h"

#include <algorithm>
#include <limits>

namespace llmstack {

namespace {

void AddCount(int64_t& sum, int64_t more) {
  more = std::max<int64_t>(more, 0);
  int64_t result = 0;
  sum = __builtin_add_overflow(std::max<int64_t>(sum, 0), more, &result)
            ? std::numeric_limits<int64_t>::max()
            : result;
}

}  // namespace

int64_t ClampTokens(int64_t count) { return std::clamp<int64_t>(count, 0, kMaxTokensPerAnswer); }

void Usage::Add(const Usage& o) {
  // Graded replies from a capture or a file carry no counts: nothing to add.
  if ((o.input_tokens | o.output_tokens | o.reasoning_tokens | o.cache_read_tokens |
       o.cache_creation_tokens) != 0) {
    AddCount(input_tokens, o.input_tokens);
    AddCount(output_tokens, o.output_tokens);
    AddCount(reasoning_tokens, o.reasoning_tokens);
    AddCount(cache_read_tokens, o.cache_read_tokens);
    AddCount(cache_creation_tokens, o.cache_creation_tokens);
  }
  cost_usd += o.cost_usd;
  cost_known = cost_known || o.cost_known;
  reported = reported && o.reported;
}

}  // namespace llmstack
