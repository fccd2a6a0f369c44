#include "model/usage_record.h"

#include "base/json_fields.h"

namespace llmstack {

using nlohmann::json;

json UsageRecord(const Usage& usage, bool with_cost) {
  json j = {{"input_tokens", usage.input_tokens},
            {"output_tokens", usage.output_tokens},
            {"reasoning_tokens", usage.reasoning_tokens},
            {"cache_read_tokens", usage.cache_read_tokens},
            {"cache_creation_tokens", usage.cache_creation_tokens}};
  if (with_cost) j["cost_usd_estimate"] = usage.cost_known ? json(usage.cost_usd) : json(nullptr);
  return j;
}

Usage UsageFromRecord(const json& record) {
  Usage u;
  if (!record.is_object()) return u;
  u.input_tokens = ClampTokens(IntegerField(record, "input_tokens", int64_t{0}));
  u.output_tokens = ClampTokens(IntegerField(record, "output_tokens", int64_t{0}));
  u.reasoning_tokens = ClampTokens(IntegerField(record, "reasoning_tokens", int64_t{0}));
  u.cache_read_tokens = ClampTokens(IntegerField(record, "cache_read_tokens", int64_t{0}));
  u.cache_creation_tokens = ClampTokens(IntegerField(record, "cache_creation_tokens", int64_t{0}));
  if (record.contains("cost_usd_estimate") && record["cost_usd_estimate"].is_number()) {
    u.cost_usd = record["cost_usd_estimate"].get<double>();
    u.cost_known = true;
  }
  return u;
}

}  // namespace llmstack
