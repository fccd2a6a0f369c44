#include "model/api_wire.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/json_fields.h"
#include "base/text_escape.h"

namespace llmstack {

namespace {

using nlohmann::json;

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// A token count: a number of 0 or more, clamped to kMaxTokensPerAnswer (10^25 is that many,
// not none). Null when it is missing, negative or not a number: unknown, so that a server's
// usage can never make an answer look cheaper than it is and defeat --max-cost.
std::optional<int64_t> TokenCount(const json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  if (it->is_number_unsigned()) {
    return ClampTokens(static_cast<int64_t>(
        std::min<uint64_t>(it->get<uint64_t>(), static_cast<uint64_t>(kMaxTokensPerAnswer))));
  }
  if (it->is_number_integer()) {
    int64_t v = it->get<int64_t>();
    return v < 0 ? std::nullopt : std::optional<int64_t>(ClampTokens(v));
  }
  double v = it->get<double>();
  if (!(v >= 0)) return std::nullopt;  // negative (NaN cannot come from JSON)
  return v >= static_cast<double>(kMaxTokensPerAnswer) ? kMaxTokensPerAnswer
                                                       : static_cast<int64_t>(v);
}

int64_t Tokens(const json& object, const char* key) { return TokenCount(object, key).value_or(0); }

// The body as JSON. A body with invalid UTF-8 in a string is read with the bad bytes as
// U+FFFD: a broken character in an answer is not a broken answer.
json ParseBody(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) j = json::parse(ValidUtf8(text), nullptr, false);
  return j;
}

}  // namespace

std::string DefaultBaseUrl(ApiKind kind) {
  const char* env =
      std::getenv(kind == ApiKind::kAnthropic ? "ANTHROPIC_BASE_URL" : "OPENAI_BASE_URL");
  if (env != nullptr && *env != '\0') return TrimSlash(env);
  return kind == ApiKind::kAnthropic ? "https://api.anthropic.com" : "https://api.openai.com/v1";
}

HttpRequest BuildApiRequest(const ApiSettings& s, const RenderedPrompt& prompt) {
  HttpRequest r;
  json body;
  body["model"] = s.model;
  if (s.kind == ApiKind::kAnthropic) {
    r.url = TrimSlash(s.base_url) + "/v1/messages";
    r.headers = {"content-type: application/json", "anthropic-version: 2023-06-01"};
    if (!s.api_key.empty()) r.headers.push_back("x-api-key: " + s.api_key);
    int max_tokens = s.max_tokens;
    if (s.thinking) {
      // The thinking budget counts toward max_tokens and must stay below it.
      if (max_tokens <= *s.thinking) max_tokens = *s.thinking + s.max_tokens;
      body["thinking"] = {{"type", "enabled"}, {"budget_tokens", *s.thinking}};
    } else if (s.temperature) {
      body["temperature"] = *s.temperature;
    }
    body["max_tokens"] = max_tokens;
    if (!prompt.instructions.empty()) {
      json block = {{"type", "text"}, {"text", prompt.instructions}};
      if (s.cache_instructions) block["cache_control"] = {{"type", "ephemeral"}};
      body["system"] = json::array({block});
    }
    body["messages"] = json::array({{{"role", "user"}, {"content", prompt.message}}});
  } else {
    r.url = TrimSlash(s.base_url) + "/chat/completions";
    r.headers = {"content-type: application/json"};
    if (!s.api_key.empty()) r.headers.push_back("authorization: Bearer " + s.api_key);
    json messages = json::array();
    if (!prompt.instructions.empty()) {
      messages.push_back({{"role", "system"}, {"content", prompt.instructions}});
    }
    messages.push_back({{"role", "user"}, {"content", prompt.message}});
    body["messages"] = messages;
    // OpenAI wants max_completion_tokens (it counts reasoning); local servers know max_tokens.
    if (s.base_url.find("api.openai.com") != std::string::npos) {
      body["max_completion_tokens"] = s.max_tokens;
    } else {
      body["max_tokens"] = s.max_tokens;
    }
    if (s.temperature) body["temperature"] = *s.temperature;
  }
  // A prompt or model name with invalid UTF-8 is sent with U+FFFD, not refused by dump().
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

Result<ParsedAnswer> ParseApiResponse(ApiKind kind, const std::string& text) {
  json j = ParseBody(text);
  if (j.is_discarded()) return Malformed("response is not valid JSON");
  if (!j.is_object()) return Malformed("response is not a JSON object");
  if (j.contains("error") && !j["error"].is_null()) {
    return Malformed("error in a successful response: " + ApiErrorMessage(text));
  }
  ParsedAnswer a;
  if (kind == ApiKind::kAnthropic) {
    auto content = j.find("content");
    if (content == j.end() || !content->is_array())
      return Malformed("response has no content array");
    bool any_text = false;
    for (const json& block : *content) {
      if (!block.is_object() || !block.contains("type") || !block["type"].is_string()) continue;
      std::string type = block["type"];
      if (type == "text" && block.contains("text") && block["text"].is_string()) {
        a.text += block["text"].get<std::string>();
        any_text = true;
      } else if (type == "thinking" && block.contains("thinking") &&
                 block["thinking"].is_string()) {
        a.reasoning += block["thinking"].get<std::string>();
      }
    }
    if (!any_text) return Malformed("response has no text block");
    if (j.contains("stop_reason") && j["stop_reason"].is_string()) a.stop_reason = j["stop_reason"];
    const json& u = j.contains("usage") ? j["usage"] : json();
    a.usage.reported = TokenCount(u, "output_tokens") && TokenCount(u, "input_tokens");
    a.usage.input_tokens = Tokens(u, "input_tokens");
    a.usage.output_tokens = Tokens(u, "output_tokens");
    a.usage.cache_read_tokens = Tokens(u, "cache_read_input_tokens");
    a.usage.cache_creation_tokens = Tokens(u, "cache_creation_input_tokens");
    return a;
  }
  auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array() || choices->empty()) {
    return Malformed("response has no choices");
  }
  const json& choice = (*choices)[0];
  if (!choice.is_object() || !choice.contains("message") || !choice["message"].is_object()) {
    return Malformed("response choice has no message");
  }
  const json& message = choice["message"];
  if (!message.contains("content") || !message["content"].is_string()) {
    return Malformed("response message has no text content");
  }
  a.text = message["content"];
  for (const char* key : {"reasoning_content", "reasoning"}) {
    if (message.contains(key) && message[key].is_string())
      a.reasoning += message[key].get<std::string>();
  }
  if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
    a.stop_reason = choice["finish_reason"];
  a.usage.reported = false;
  if (j.contains("usage") && j["usage"].is_object()) {
    const json& u = j["usage"];
    a.usage.reported = TokenCount(u, "completion_tokens") && TokenCount(u, "prompt_tokens");
    int64_t prompt = Tokens(u, "prompt_tokens");
    int64_t cached = u.contains("prompt_tokens_details")
                         ? Tokens(u["prompt_tokens_details"], "cached_tokens")
                         : 0;
    a.usage.input_tokens = prompt - std::min(prompt, cached);  // OpenAI counts cached inside
    a.usage.cache_read_tokens = std::min(prompt, cached);
    a.usage.output_tokens = Tokens(u, "completion_tokens");
    if (u.contains("completion_tokens_details")) {
      a.usage.reasoning_tokens = Tokens(u["completion_tokens_details"], "reasoning_tokens");
    }
  }
  return a;
}

std::string ApiErrorMessage(const std::string& text) {
  json j = ParseBody(text);
  if (!j.is_discarded() && j.is_object() && j.contains("error")) {
    const json& e = j["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string()) {
      std::string type =
          e.contains("type") && e["type"].is_string() ? e["type"].get<std::string>() + ": " : "";
      return type + e["message"].get<std::string>();
    }
    if (e.is_string()) return e.get<std::string>();
  }
  std::string excerpt = text.substr(0, 200);
  for (char& c : excerpt) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return excerpt.empty() ? "(empty body)" : excerpt;
}

}  // namespace llmstack
