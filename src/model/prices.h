// Model prices (USD per million tokens) from an editable data file, prices.json, and the cost
// estimate of a usage. The built-in table is the repository's prices.json embedded at build.
#ifndef LLMSTACK_MODEL_PRICES_H_
#define LLMSTACK_MODEL_PRICES_H_

#include <map>
#include <optional>
#include <string>

#include "base/status.h"
#include "model/usage.h"

namespace llmstack {

struct ModelPrice {
  double input = 0;        // uncached input tokens
  double output = 0;       // output tokens (thinking included)
  double cache_write = 0;  // prompt-cache writes
  double cache_read = 0;   // prompt-cache reads
};

class PriceTable {
 public:
  // Errors: kMalformed naming the file and the JSON problem; kIoError.
  static Result<PriceTable> Load(const std::string& path);
  static Result<PriceTable> FromJson(const std::string& name, const std::string& text);
  static PriceTable BuiltIn();

  // The price of a model spec ("anthropic:claude-haiku-4-5-20251001"): exact match, else the
  // longest key the spec starts with.
  std::optional<ModelPrice> Find(const std::string& spec) const;

 private:
  std::map<std::string, ModelPrice> prices_;
};

// Sets usage.cost_usd and usage.cost_known from a price.
void PriceUsage(const ModelPrice& price, Usage* usage);

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_PRICES_H_
