#include "model/prices.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/embedded_files.h"

namespace llmstack {

Result<PriceTable> PriceTable::FromJson(const std::string& name, const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("models") || !j["models"].is_object()) {
    return Malformed(name + ": not a price table (expected {\"models\": {SPEC: {...}}})");
  }
  PriceTable table;
  for (auto& item : j["models"].items()) {
    const std::string& spec = item.key();
    const nlohmann::json& p = item.value();
    if (!p.is_object()) return Malformed(name + ": " + spec + ": expected an object of prices");
    ModelPrice price;
    auto number = [&](const char* key, double* out) -> bool {
      if (!p.contains(key)) return true;
      if (!p[key].is_number()) return false;
      *out = p[key].get<double>();
      return std::isfinite(*out) && *out >= 0;  // 1e999 reads as infinity
    };
    if (!number("input", &price.input) || !number("output", &price.output) ||
        !number("cache_write", &price.cache_write) || !number("cache_read", &price.cache_read)) {
      return Malformed(name + ": " + spec + ": prices must be non-negative numbers");
    }
    table.prices_[spec] = price;
  }
  return table;
}

Result<PriceTable> PriceTable::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot read the price table");
  std::stringstream ss;
  ss << in.rdbuf();
  return FromJson(path, ss.str());
}

PriceTable PriceTable::BuiltIn() {
  const EmbeddedFile* f = FindEmbeddedFile("prices.json");
  if (f == nullptr) return PriceTable();
  Result<PriceTable> t = FromJson("prices.json", f->text);
  return t.ok() ? std::move(*t) : PriceTable();
}

std::optional<ModelPrice> PriceTable::Find(const std::string& spec) const {
  auto exact = prices_.find(spec);
  if (exact != prices_.end()) return exact->second;
  std::optional<ModelPrice> best;
  size_t best_length = 0;
  for (const auto& [key, price] : prices_) {
    if (spec.compare(0, key.size(), key) == 0 && key.size() > best_length) {
      best = price;
      best_length = key.size();
    }
  }
  return best;
}

void PriceUsage(const ModelPrice& p, Usage* u) {
  u->cost_usd = (static_cast<double>(u->input_tokens) * p.input +
                 static_cast<double>(u->output_tokens) * p.output +
                 static_cast<double>(u->cache_creation_tokens) * p.cache_write +
                 static_cast<double>(u->cache_read_tokens) * p.cache_read) /
                1e6;
  u->cost_known = true;
}

}  // namespace llmstack
