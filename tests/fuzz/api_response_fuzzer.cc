// libFuzzer target: HTTP response bodies from model APIs (Anthropic and OpenAI shapes), and the
// headers that steer retries.
#include <cstdint>
#include <map>
#include <string>

#include "model/api_wire.h"
#include "model/retry_policy.h"

using namespace llmstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  ParseApiResponse(ApiKind::kAnthropic, body);
  ParseApiResponse(ApiKind::kOpenAi, body);
  ApiErrorMessage(body);
  std::string head = body.substr(0, 64);
  std::map<std::string, std::string> headers = {
      {"retry-after", head}, {"retry-after-ms", head}, {"x-should-retry", head}};
  RetryAfterSeconds(headers, 1778500000);
  ClassifyHttpStatus(static_cast<long>(size % 600), headers, body);
  return 0;
}
