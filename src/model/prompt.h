// Prompt templates (prompts/*.md): loading and rendering. Variables are written {{name}}:
//   request_hex         the datagram as hex, no separators
//   request_hex_spaced  the same, one space between bytes
//   family              IPv4 or IPv6
//   length              the datagram's length in bytes
// Rendering splits the text at the first variable: the part before it is the same for every
// packet (sent as the system prompt, which APIs can cache), the rest is the user message.
#ifndef LLMSTACK_MODEL_PROMPT_H_
#define LLMSTACK_MODEL_PROMPT_H_

#include <string>

#include "base/status.h"
#include "packet/packet_stream.h"

namespace llmstack {

inline constexpr const char* kDefaultPrompt = "ping-respond.md";

struct RenderedPrompt {
  std::string instructions;  // the fixed part before the first variable (may be empty)
  std::string message;       // the rest, with the packet filled in

  std::string Full() const { return instructions + message; }
};

class PromptTemplate {
 public:
  // Loads a template file; a bare name of an embedded prompt ("minimal.md") also works.
  // Errors: kNotFound, kIoError, kInvalidArgument (an unknown {{variable}}, or none naming the
  // packet).
  static Result<PromptTemplate> Load(const std::string& path_or_name);
  // The embedded default (prompts/ping-respond.md).
  static PromptTemplate Default();
  static Result<PromptTemplate> FromText(std::string name, std::string text);

  const std::string& name() const { return name_; }
  const std::string& text() const { return text_; }
  const std::string& sha256() const { return sha256_; }

  RenderedPrompt Render(const EchoPacket& request) const;

 private:
  std::string name_;
  std::string text_;
  std::string sha256_;
};

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_PROMPT_H_
