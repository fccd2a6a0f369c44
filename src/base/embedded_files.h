// Data files embedded at build time (prompts/*.md, prices.json), so the defaults work from any
// directory and from an installed binary.
#ifndef LLMSTACK_BASE_EMBEDDED_FILES_H_
#define LLMSTACK_BASE_EMBEDDED_FILES_H_

#include <string>
#include <vector>

namespace llmstack {

struct EmbeddedFile {
  const char* name;  // path relative to the source tree: "prompts/ping-respond.md"
  std::string text;
};

const std::vector<EmbeddedFile>& EmbeddedFiles();
// The embedded file with this name, or null.
const EmbeddedFile* FindEmbeddedFile(const std::string& name);

}  // namespace llmstack

#endif  // LLMSTACK_BASE_EMBEDDED_FILES_H_
