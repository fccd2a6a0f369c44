#include "model/backend_factory.h"

#include <cstdlib>

#include "base/secrets.h"
#include "model/api_backend.h"
#include "model/api_wire.h"
#include "model/exec_backend.h"
#include "model/journal_backend.h"
#include "model/reference_backend.h"
#include "model/retrying_backend.h"

namespace llmstack {

namespace {

constexpr const char* kHowToConfigure =
    "no model configured: set ANTHROPIC_API_KEY (uses anthropic:claude-haiku-4-5) or "
    "OPENAI_API_KEY (uses openai:gpt-5-mini), or pass --model anthropic:MODEL | openai:MODEL | "
    "exec:COMMAND | replay:JOURNAL; --model reference runs the built-in reference stack, "
    "which is not a model";
constexpr size_t kMaxResponseBytes = 8 << 20;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool IsVendorUrl(const std::string& url) {
  return url.find("api.anthropic.com") != std::string::npos ||
         url.find("api.openai.com") != std::string::npos;
}

}  // namespace

int PromptCacheMinimumTokens(const std::string& model) {
  // llm-apis.md §1.7: Opus 4.5+ and Haiku 4.5 need 4096 tokens, Sonnet 4.6 and Fable 5 2048,
  // older models 1024.
  if (model.find("haiku-4-5") != std::string::npos || model.find("opus-4-5") != std::string::npos ||
      model.find("opus-4-6") != std::string::npos || model.find("opus-4-7") != std::string::npos ||
      model.find("opus-4-8") != std::string::npos) {
    return 4096;
  }
  if (model.find("sonnet-4-6") != std::string::npos || model.find("fable") != std::string::npos ||
      model.find("sonnet-5") != std::string::npos) {
    return 2048;
  }
  return 1024;
}

Result<BackendPlan> MakeBackend(const BackendOptions& o, const PromptTemplate* prompt) {
  std::string spec;
  if (o.model) {
    spec = *o.model;
  } else if (!Env("ANTHROPIC_API_KEY").empty()) {
    spec = "anthropic:claude-haiku-4-5";
  } else if (!Env("OPENAI_API_KEY").empty()) {
    spec = "openai:gpt-5-mini";
  } else {
    return InvalidArgument(kHowToConfigure);
  }
  size_t colon = spec.find(':');
  std::string kind = spec.substr(0, colon);
  std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);

  BackendPlan plan;
  plan.kind = kind;
  plan.spec = spec;
  RetrySettings retry;
  retry.per_query = o.retries;
  retry.total = o.total_retries;
  retry.max_wait_s = o.max_wait_s;

  if (kind == "reference") {
    Profile profile = o.reference_profile;
    if (!rest.empty()) {
      Result<Profile> p = ParseProfile(rest);
      if (!p.ok()) return p.status();
      profile = *p;
    }
    plan.backend = std::make_unique<ReferenceBackend>(profile);
    plan.spec = plan.backend->Spec();
    plan.model = plan.spec;
    return plan;
  }
  if (kind == "replay") {
    if (rest.empty())
      return InvalidArgument("replay: needs a journal file: --model replay:JOURNAL.jsonl");
    Result<std::unique_ptr<Backend>> b = JournalBackend::Open(rest);
    if (!b.ok()) return b.status();
    plan.backend = std::move(*b);
    plan.model = static_cast<JournalBackend*>(plan.backend.get())->recorded_backend();
    return plan;
  }
  if (kind == "exec") {
    if (rest.empty()) return InvalidArgument("exec: needs a command: --model 'exec:claude -p'");
    plan.base_url = rest;
    plan.model = rest;
    plan.uses_prompt = true;
    plan.cacheable = true;
    plan.cache_only_when_asked = true;
    plan.cost_unknown = true;
    plan.backend = std::make_unique<RetryingBackend>(
        spec, std::make_unique<ExecAttemptRunner>(rest, prompt, o.timeout_s), retry);
    return plan;
  }
  if (kind == "anthropic" || kind == "openai") {
    if (rest.empty())
      return InvalidArgument(kind + ": needs a model name, e.g. --model " + kind + ":" +
                             (kind == "anthropic" ? "claude-haiku-4-5" : "gpt-5-mini"));
    ApiSettings s;
    s.kind = kind == "anthropic" ? ApiKind::kAnthropic : ApiKind::kOpenAi;
    s.base_url = o.base_url ? *o.base_url : DefaultBaseUrl(s.kind);
    const char* key_name = s.kind == ApiKind::kAnthropic ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
    if (UrlHasCredentials(s.base_url)) {
      // Never echo the URL: it would put the credentials on the terminal.
      std::string where = o.base_url                      ? "--base-url"
                          : s.kind == ApiKind::kAnthropic ? "ANTHROPIC_BASE_URL"
                                                          : "OPENAI_BASE_URL";
      return InvalidArgument(where +
                             ": credentials in the URL (user:password@ or a ?query) are refused, "
                             "as they would end up in reports and journals; put the key in " +
                             key_name + " instead");
    }
    while (!s.base_url.empty() && s.base_url.back() == '/') s.base_url.pop_back();
    if (s.base_url.rfind("http://", 0) != 0 && s.base_url.rfind("https://", 0) != 0) {
      return InvalidArgument("--base-url " + s.base_url + ": must start with http:// or https://");
    }
    if (s.kind == ApiKind::kAnthropic && s.base_url.size() >= 3 &&
        s.base_url.compare(s.base_url.size() - 3, 3, "/v1") == 0) {
      return InvalidArgument(
          "--base-url " + s.base_url +
          ": Anthropic's base URL goes without /v1 (the tool posts to {base}/v1/messages)");
    }
    s.api_key = Env(key_name);
    if (s.api_key.empty() && IsVendorUrl(s.base_url)) {
      return InvalidArgument(std::string(key_name) +
                             " is not set: export it, or point --base-url at a "
                             "local server that needs no key");
    }
    s.model = rest;
    s.temperature = o.temperature;
    s.max_tokens = o.max_tokens;
    s.thinking = o.thinking;
    if (s.kind == ApiKind::kAnthropic && prompt != nullptr) {
      // Cache the fixed instructions when they are long enough to be cached at all, and let the
      // first request write the cache before the others read it.
      size_t fixed = prompt->text().find("{{");
      s.cache_instructions = fixed != std::string::npos &&
                             static_cast<int>(fixed / 4) >= PromptCacheMinimumTokens(rest);
      retry.warm_first = s.cache_instructions;
    }
    Result<const CurlLibrary*> curl = LoadCurl();
    if (!curl.ok()) return curl.status();
    plan.base_url = s.base_url;
    plan.model = rest;
    plan.uses_prompt = true;
    plan.cacheable = true;
    plan.backend = std::make_unique<RetryingBackend>(
        spec,
        std::make_unique<ApiAttemptRunner>(s, prompt, **curl, o.concurrency, o.timeout_s,
                                           kMaxResponseBytes),
        retry);
    return plan;
  }
  return InvalidArgument("unknown model '" + spec +
                         "': use anthropic:MODEL, openai:MODEL, "
                         "exec:COMMAND, replay:JOURNAL or reference[:PROFILE]");
}

}  // namespace llmstack
