// Hostile values in everything the model layer reads (DESIGN §4): server responses, cache
// entries and journal lines of the wrong types, huge numbers, text that is not UTF-8; secrets
// and control characters in backend text; retry-after values a server should never send.
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "base/secrets.h"
#include "base/text_escape.h"
#include "model/api_wire.h"
#include "model/journal.h"
#include "model/response_cache.h"
#include "model/retry_policy.h"
#include "model/sanitizing_backend.h"
#include "test_support.h"

namespace llmstack {
namespace {

using nlohmann::json;

// Values of every JSON type, and numbers no field can hold.
const std::vector<std::string> kHostileValues = {"null",
                                                 "true",
                                                 "-1",
                                                 "1e400",
                                                 "-1e400",
                                                 "18446744073709551616",
                                                 "-9223372036854775809",
                                                 "1.5",
                                                 "\"x\"",
                                                 "[]",
                                                 "{}",
                                                 "[[[[[[[[[[1]]]]]]]]]]",
                                                 "\"\\u0000\\u001b[2J\"",
                                                 "99999999999999999999999999999999999999"};

TEST_CASE("server responses with wrong types and huge numbers are values, not exceptions",
          "[hostile_values]") {
  const std::vector<std::string> anthropic_keys = {"content", "usage", "stop_reason", "error"};
  for (ApiKind kind : {ApiKind::kAnthropic, ApiKind::kOpenAi}) {
    for (const std::string& v : kHostileValues) {
      std::vector<std::string> bodies = {
          v,
          "{\"content\":" + v + "}",
          "{\"content\":[{\"type\":\"text\",\"text\":" + v + "}],\"usage\":" + v + "}",
          "{\"content\":[{\"type\":" + v + ",\"text\":\"a\"}],\"stop_reason\":" + v + "}",
          "{\"content\":[{\"type\":\"text\",\"text\":\"a\"}],\"usage\":{\"input_tokens\":" + v +
              ",\"output_tokens\":" + v + "}}",
          "{\"error\":" + v + "}",
          "{\"choices\":" + v + "}",
          "{\"choices\":[" + v + "]}",
          "{\"choices\":[{\"message\":" + v + "}]}",
          "{\"choices\":[{\"message\":{\"content\":" + v + "},\"finish_reason\":" + v + "}]}",
          "{\"choices\":[{\"message\":{\"content\":\"a\"}}],\"usage\":{\"prompt_tokens\":" + v +
              ",\"completion_tokens\":" + v + ",\"prompt_tokens_details\":" + v +
              ",\"completion_tokens_details\":{\"reasoning_tokens\":" + v + "}}}",
      };
      for (const std::string& body : bodies) {
        INFO(body);
        Result<ParsedAnswer> a = Result<ParsedAnswer>(Malformed("unset"));
        REQUIRE_NOTHROW(a = ParseApiResponse(kind, body));
        REQUIRE_NOTHROW(ApiErrorMessage(body));
        if (a.ok()) {
          CHECK(a->usage.input_tokens >= 0);
          CHECK(a->usage.input_tokens <= kMaxTokensPerAnswer);
          CHECK(a->usage.output_tokens >= 0);
          CHECK(a->usage.output_tokens <= kMaxTokensPerAnswer);
          CHECK(a->usage.cache_read_tokens >= 0);
        }
      }
    }
  }
}

TEST_CASE("token counts: negative or missing are unknown, huge are clamped", "[hostile_values]") {
  auto usage = [](const std::string& u) {
    Result<ParsedAnswer> a =
        ParseApiResponse(ApiKind::kAnthropic,
                         "{\"content\":[{\"type\":\"text\",\"text\":\"a\"}],\"usage\":" + u + "}");
    REQUIRE(a.ok());
    return a->usage;
  };
  CHECK_FALSE(usage("{\"input_tokens\":-5,\"output_tokens\":-7}").reported);
  CHECK_FALSE(usage("{\"input_tokens\":5}").reported);
  CHECK_FALSE(usage("null").reported);
  Usage huge = usage("{\"input_tokens\":1e30,\"output_tokens\":100000000000000000000000}");
  CHECK(huge.reported);
  CHECK(huge.input_tokens == kMaxTokensPerAnswer);
  CHECK(huge.output_tokens == kMaxTokensPerAnswer);
  Usage sum;
  Usage big;
  big.input_tokens = std::numeric_limits<int64_t>::max();
  big.output_tokens = -100;
  sum.Add(big);
  sum.Add(big);
  CHECK(sum.input_tokens == std::numeric_limits<int64_t>::max());
  CHECK(sum.output_tokens == 0);
  // An answer with no counts (a graded reply from a file) still adds its cost and flags.
  Usage counted_nothing;
  counted_nothing.cost_usd = 0.25;
  counted_nothing.cost_known = true;
  counted_nothing.reported = false;
  sum.Add(counted_nothing);
  CHECK(sum.input_tokens == std::numeric_limits<int64_t>::max());
  CHECK(sum.cost_usd == Approx(0.25));
  CHECK(sum.cost_known);
  CHECK_FALSE(sum.reported);
  // Only a negative count: taken as 0, never subtracted.
  Usage negative_only;
  negative_only.cache_read_tokens = -7;
  Usage fresh;
  fresh.cache_read_tokens = 3;
  fresh.Add(negative_only);
  CHECK(fresh.cache_read_tokens == 3);
}

TEST_CASE("an answer that is not UTF-8 is read with U+FFFD", "[hostile_values]") {
  std::string body =
      "{\"content\":[{\"type\":\"text\",\"text\":\"ab\xff\xfe"
      "c\"}]}";
  Result<ParsedAnswer> a = ParseApiResponse(ApiKind::kAnthropic, body);
  REQUIRE(a.ok());
  CHECK(a->text ==
        "ab\xef\xbf\xbd\xef\xbf\xbd"
        "c");
}

TEST_CASE("a request with a prompt or model name that is not UTF-8 is still built",
          "[hostile_values]") {
  ApiSettings s;
  s.model = "claude\xff";
  RenderedPrompt p;
  p.instructions = "instructions \xc3";
  p.message = "message \xed\xa0\x80";
  for (ApiKind kind : {ApiKind::kAnthropic, ApiKind::kOpenAi}) {
    s.kind = kind;
    HttpRequest r;
    REQUIRE_NOTHROW(r = BuildApiRequest(s, p));
    json body = json::parse(r.body);
    CHECK(body["model"] == "claude\xef\xbf\xbd");
  }
}

TEST_CASE("cache entries of the wrong types are misses", "[hostile_values]") {
  testing::TempDir dir;
  ResponseCache cache(dir.path());
  std::string key = "ab0123456789";
  REQUIRE(cache.Put(key, ModelAnswer()).ok());
  std::string path = dir.File("ab/" + key + ".json");
  for (const std::string& v : kHostileValues) {
    for (const std::string& entry :
         {v, "{\"key\":" + v + ",\"text\":\"t\"}", "{\"key\":\"" + key + "\",\"text\":" + v + "}",
          "{\"key\":\"" + key + "\",\"text\":\"t\",\"reasoning\":" + v + ",\"latency_ms\":" + v +
              ",\"usage\":" + v + "}",
          "{\"key\":\"" + key + "\",\"text\":\"t\",\"usage\":{\"input_tokens\":" + v + "}}"}) {
      INFO(entry);
      testing::WriteFile(path, entry);
      std::optional<ModelAnswer> a;
      REQUIRE_NOTHROW(a = cache.Get(key));
    }
  }
  testing::WriteFile(path, "{\"key\":\"" + key + "\",\"text\":\"t\",\"reasoning\":5}");
  std::optional<ModelAnswer> a = cache.Get(key);
  REQUIRE(a);
  CHECK(a->text == "t");
  CHECK(a->reasoning.empty());
  // Nothing but the entry is left in the directory: no temporary files.
  CHECK(testing::RunShell("find '" + dir.path() + "' -type f | wc -l").out == "1\n");
}

TEST_CASE("journal lines with hostile values are read as values", "[hostile_values]") {
  for (const std::string& v : kHostileValues) {
    for (const char* field :
         {"index", "sample", "backend", "base_url", "prompt_sha256", "cache_key", "status",
          "why_error", "error", "reasoning", "latency_ms", "from_cache", "usage", "attempts"}) {
      std::string line = "{\"v\":1,\"request_hex\":\"45\",\"text\":\"t\",\"" + std::string(field) +
                         "\":" + v + "}";
      INFO(line);
      REQUIRE_NOTHROW(ParseJournalLine(line));
    }
  }
  JournalEntry e;
  e.answer.text = "not \xff utf-8";
  e.answer.status = Status(StatusCode::kBackend, "bad \xfe");
  std::string line;
  REQUIRE_NOTHROW(line = JournalLine(e));
  REQUIRE(ParseJournalLine(line).ok());
}

TEST_CASE("retry-after values a server should never send are clamped or ignored",
          "[hostile_values]") {
  std::time_t now = 1'800'000'000;
  auto wait = [&](const char* name, const char* value) {
    return RetryAfterSeconds({{name, value}}, now);
  };
  CHECK_FALSE(wait("retry-after", "-5"));
  CHECK_FALSE(wait("retry-after", "nan"));
  CHECK_FALSE(wait("retry-after", "inf"));
  CHECK_FALSE(wait("retry-after", "1e999"));
  CHECK(*wait("retry-after", "1e300") == kMaxRetryAfterS);
  CHECK(*wait("retry-after-ms", "1e300") == kMaxRetryAfterS);
  CHECK(*wait("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT") == kMaxRetryAfterS);
  CHECK(*wait("retry-after", "Thu, 01 Jan 1970 00:00:00 GMT") == 0);
}

TEST_CASE("backend text is redacted, valid UTF-8, and its messages escaped", "[hostile_values]") {
  SecretRedactor secrets;
  secrets.Add("short");  // too short to be a key: left alone
  secrets.Add("sk-secret-123456");
  ModelAnswer a;
  a.text = "key sk-secret-123456 \xff short";
  a.reasoning = "sk-secret-123456sk-secret-123456";
  a.status = Status(StatusCode::kBackend, "HTTP 400: sk-secret-123456\x1b[2J\r\nall correct");
  a.attempts.push_back({400, "bad \x1b]0;title\x07 sk-secret-123456", 0, 0});
  SanitizeAnswer(secrets, &a);
  CHECK(a.text == "key [redacted] \xef\xbf\xbd short");
  CHECK(a.reasoning == "[redacted][redacted]");
  CHECK(a.status.message().find("sk-secret") == std::string::npos);
  CHECK(a.status.message().find('\x1b') == std::string::npos);
  CHECK(a.status.message().find('\n') == std::string::npos);
  CHECK(a.attempts[0].error.find('\x07') == std::string::npos);
  CHECK(a.attempts[0].error.find("[redacted]") != std::string::npos);
  CHECK(EscapeControls("a\x1b[2Jb\xc2\x9b") == "a\xe2\x90\x9b[2Jb\xef\xbf\xbd");
  CHECK(CsvField("x\x1by") == "x\xe2\x90\x9by");
}

TEST_CASE("credentials in URLs are found", "[hostile_values]") {
  CHECK(UrlHasCredentials("http://u:p@host/v1"));
  CHECK(UrlHasCredentials("http://host/v1?key=abc"));
  CHECK(UrlHasCredentials("http://host/v1?"));
  CHECK_FALSE(UrlHasCredentials("http://host:8080/v1"));
  CHECK_FALSE(UrlHasCredentials("http://host/v1#frag"));
  CHECK(UrlCredentials("http://user:pass-word-1@host/x?key=value-123&b=c") ==
        std::vector<std::string>{"user:pass-word-1", "pass-word-1", "key=value-123&b=c",
                                 "value-123", "c"});
}

}  // namespace
}  // namespace llmstack
