#include "model/prompt.h"

#include <catch2/catch.hpp>

#include "model/response_cache.h"
#include "test_support.h"

namespace llmstack {
namespace {

using testing::kExperimentRequest;
using testing::Packet;

TEST_CASE("templates render the packet and split at the first variable", "[prompt]") {
  Result<PromptTemplate> t =
      PromptTemplate::FromText("t.md",
                               "Fixed part.\nPacket ({{family}}, {{length}} bytes): "
                               "{{request_hex}}\n{{request_hex_spaced}}\n");
  REQUIRE(t.ok());
  RenderedPrompt r = t->Render(Packet(kExperimentRequest));
  CHECK(r.instructions == "Fixed part.\nPacket (");
  CHECK(r.message.rfind("IPv4, 84 bytes): 45000054", 0) == 0);
  CHECK(r.message.find("45 00 00 54 81 28") != std::string::npos);
  CHECK(r.Full() == r.instructions + r.message);
}

TEST_CASE("bad templates are refused with a reason", "[prompt]") {
  CHECK(PromptTemplate::FromText("a.md", "no packet here").status().message() ==
        "a.md: the template never shows the packet ({{request_hex}})");
  CHECK(PromptTemplate::FromText("b.md", "{{request_hex}} {{reqest_hex}}").status().message() ==
        "b.md: unknown template variable {{reqest_hex}} (known: request_hex, request_hex_spaced, "
        "family, length)");
  CHECK(PromptTemplate::Load("/nonexistent/p.md").status().code() == StatusCode::kNotFound);
}

TEST_CASE("the embedded prompts load from any directory", "[prompt]") {
  for (const char* name : {"ping-respond.md", "minimal.md", "json.md", "prompts/json.md"}) {
    INFO(name);
    Result<PromptTemplate> t = PromptTemplate::Load(name);
    REQUIRE(t.ok());
    CHECK(t->sha256().size() == 64);
  }
  CHECK(PromptTemplate::Default().name() == "prompts/ping-respond.md");
}

TEST_CASE("the cache key covers every setting that decides an answer", "[prompt]") {
  CacheKeyInput base;
  base.backend = "anthropic";
  base.base_url = "https://api.anthropic.com";
  base.model = "claude-haiku-4-5";
  base.prompt = "p";
  base.max_tokens = 4096;
  base.request_hex = "4500";
  std::string key = CacheKey(base);
  CHECK(key == CacheKey(base));
  auto differs = [&](auto change) {
    CacheKeyInput k = base;
    change(k);
    return CacheKey(k) != key;
  };
  CHECK(differs([](CacheKeyInput& k) { k.backend = "openai"; }));
  CHECK(differs([](CacheKeyInput& k) { k.base_url = "http://localhost"; }));
  CHECK(differs([](CacheKeyInput& k) { k.model = "claude-sonnet-4-5"; }));
  CHECK(differs([](CacheKeyInput& k) { k.prompt = "q"; }));
  CHECK(differs([](CacheKeyInput& k) { k.temperature = 0.0; }));
  CHECK(differs([](CacheKeyInput& k) { k.max_tokens = 100; }));
  CHECK(differs([](CacheKeyInput& k) { k.thinking = 1024; }));
  CHECK(differs([](CacheKeyInput& k) { k.request_hex = "4501"; }));
  CHECK(differs([](CacheKeyInput& k) { k.sample = 1; }));
}

}  // namespace
}  // namespace llmstack
