// The two wire formats: Anthropic's Messages API (POST {base}/v1/messages) and OpenAI's Chat
// Completions (POST {base}/chat/completions, also served by Ollama, llama-server and vLLM).
// Builds request bodies and reads answers; treats every response body as untrusted.
#ifndef LLMSTACK_MODEL_API_WIRE_H_
#define LLMSTACK_MODEL_API_WIRE_H_

#include <optional>
#include <string>

#include "base/status.h"
#include "model/http_transport.h"
#include "model/prompt.h"
#include "model/usage.h"

namespace llmstack {

enum class ApiKind { kAnthropic, kOpenAi };

struct ApiSettings {
  ApiKind kind = ApiKind::kAnthropic;
  std::string base_url;  // Anthropic's without /v1; OpenAI's with it
  std::string api_key;   // may be empty for local servers
  std::string model;     // the model id, without the "anthropic:" prefix
  std::optional<double> temperature;
  int max_tokens = 4096;
  std::optional<int> thinking;      // Anthropic extended thinking budget
  bool cache_instructions = false;  // mark the fixed part cacheable (Anthropic cache_control)
};

HttpRequest BuildApiRequest(const ApiSettings& settings, const RenderedPrompt& prompt);

struct ParsedAnswer {
  std::string text;       // concatenated text blocks / message content
  std::string reasoning;  // thinking blocks / reasoning_content
  Usage usage;
  std::string stop_reason;
};

// Errors: kMalformed when the body is not the expected JSON (the message says what is wrong).
Result<ParsedAnswer> ParseApiResponse(ApiKind kind, const std::string& body);

// The server's error message from an error body, or a short excerpt of the body.
std::string ApiErrorMessage(const std::string& body);

// The default base URL: ANTHROPIC_BASE_URL / OPENAI_BASE_URL, else the vendor's.
std::string DefaultBaseUrl(ApiKind kind);

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_API_WIRE_H_
