// The embedded price table (prices.json): the vendors' models are priced, dated ids match their
// model's entry, and a model it does not know has no price (so --max-cost refuses it).
#include "model/prices.h"

#include <catch2/catch.hpp>

using namespace llmstack;

TEST_CASE("the embedded price table prices Anthropic and OpenAI models", "[prices]") {
  PriceTable table = PriceTable::BuiltIn();
  for (const char* spec : {"anthropic:claude-haiku-4-5", "anthropic:claude-sonnet-4-5",
                           "openai:gpt-4o", "openai:gpt-4o-mini", "openai:gpt-4.1", "openai:gpt-5",
                           "openai:gpt-5-mini", "openai:o4-mini"}) {
    INFO(spec);
    std::optional<ModelPrice> p = table.Find(spec);
    REQUIRE(p);
    CHECK(p->input > 0);
    CHECK(p->output > p->input);  // output is dearer than input at every vendor listed
    CHECK(p->cache_read < p->input);
  }
  // A dated id takes its model's price; the longest key wins (gpt-4o-mini, not gpt-4o).
  CHECK(table.Find("anthropic:claude-haiku-4-5-20251001")->input ==
        table.Find("anthropic:claude-haiku-4-5")->input);
  CHECK(table.Find("openai:gpt-4o-mini-2024-07-18")->input ==
        table.Find("openai:gpt-4o-mini")->input);
  CHECK(table.Find("openai:gpt-4o-mini")->input < table.Find("openai:gpt-4o")->input);
  CHECK_FALSE(table.Find("openai:no-such-model"));
  CHECK_FALSE(table.Find("exec:cat"));
}
