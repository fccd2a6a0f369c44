// The prompt templates of prompts/, embedded at build time.
#ifndef LLMSTACK_EMBEDDED_PROMPTS_H_
#define LLMSTACK_EMBEDDED_PROMPTS_H_

#include <string>
#include <vector>

namespace llmstack {

struct EmbeddedPrompt {
  const char* name;  // file name, e.g. "ping-respond.md"
  std::string text;
};

const std::vector<EmbeddedPrompt>& EmbeddedPrompts();

}  // namespace llmstack

#endif  // LLMSTACK_EMBEDDED_PROMPTS_H_
