// A usage as the journal and the response cache keep it: {"input_tokens", "output_tokens",
// "reasoning_tokens", "cache_read_tokens", "cache_creation_tokens"} and, in the journal,
// "cost_usd_estimate" (null when the cost is unknown). Format: src/model/journal.md.
#ifndef LLMSTACK_MODEL_USAGE_RECORD_H_
#define LLMSTACK_MODEL_USAGE_RECORD_H_

#include <nlohmann/json.hpp>

#include "model/usage.h"

namespace llmstack {

// `with_cost`: the record carries the cost estimate too.
nlohmann::json UsageRecord(const Usage& usage, bool with_cost);

// The usage of a record (a missing or mistyped count reads as 0, counts are clamped; the cost
// is known when the record holds a number for it).
Usage UsageFromRecord(const nlohmann::json& record);

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_USAGE_RECORD_H_
