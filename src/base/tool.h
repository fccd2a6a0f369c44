// The tool's name and version as every output names it, and how the built-in reference stack
// is labelled wherever its answers appear (never as a model's).
#ifndef LLMSTACK_BASE_TOOL_H_
#define LLMSTACK_BASE_TOOL_H_

namespace llmstack {

inline constexpr const char* kToolName = "llmstack-replay";
inline constexpr const char* kToolVersion = LLMSTACK_VERSION;
inline constexpr const char* kReferenceLabel = "built-in reference stack, not a model";

}  // namespace llmstack

#endif  // LLMSTACK_BASE_TOOL_H_
