// Choosing and building the backend for a run from --model (DESIGN §3-4), or from the
// environment when no model is given.
#ifndef LLMSTACK_MODEL_BACKEND_FACTORY_H_
#define LLMSTACK_MODEL_BACKEND_FACTORY_H_

#include <memory>
#include <optional>
#include <string>

#include "model/backend.h"
#include "model/prices.h"
#include "model/prompt.h"

namespace llmstack {

struct BackendOptions {
  std::optional<std::string> model;  // SPEC
  std::optional<std::string> base_url;
  int concurrency = 8;
  double timeout_s = 120;
  int retries = 8;
  int total_retries = 100;
  double max_wait_s = 120;
  std::optional<double> temperature;
  int max_tokens = 4096;
  std::optional<int> thinking;
  Profile reference_profile = Profile::kRfc;
};

struct BackendPlan {
  std::unique_ptr<Backend> backend;
  std::string spec;          // "anthropic:claude-haiku-4-5"
  std::string kind;          // "anthropic", "openai", "exec", "replay", "reference"
  std::string base_url;      // the API base URL, or the command for exec
  std::string model;         // the model id
  bool uses_prompt = false;  // the prompt is sent (not for replay and reference)
  bool cacheable = false;    // the response cache applies
  // DESIGN section 4: a command can change behind the same text, so its answers are cached only
  // when --cache names a cache.
  bool cache_only_when_asked = false;
  bool cost_unknown = false;  // exec: nobody reports tokens
};

// Builds the backend. `prompt` must outlive it. Errors: kInvalidArgument with a message that
// says what to configure (unknown spec, missing key, no model at all); errors of the journal
// for replay:.
Result<BackendPlan> MakeBackend(const BackendOptions& options, const PromptTemplate* prompt);

// The prompt-cache threshold of a model: prefixes shorter than this many tokens are not cached.
int PromptCacheMinimumTokens(const std::string& model);

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_BACKEND_FACTORY_H_
