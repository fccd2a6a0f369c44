#include "backend_factory.h"

#include <cstdlib>

#include "reference_backend.h"

namespace llmstack {

namespace {

constexpr const char* kHowToConfigure =
    "no model configured: set ANTHROPIC_API_KEY (uses anthropic:claude-haiku-4-5) or "
    "OPENAI_API_KEY, or pass --model anthropic:MODEL | openai:MODEL | exec:COMMAND | "
    "replay:JOURNAL; --model reference runs the built-in reference stack (not a model)";

}  // namespace

Result<std::unique_ptr<Backend>> MakeBackend(const ReplayOptions& o) {
  if (!o.model) return InvalidArgument(kHowToConfigure);
  const std::string& spec = *o.model;
  std::string kind = spec.substr(0, spec.find(':'));
  std::string rest = spec.find(':') == std::string::npos ? "" : spec.substr(spec.find(':') + 1);
  if (kind == "reference") {
    Profile profile = o.profile;
    if (!rest.empty()) {
      Result<Profile> p = ParseProfile(rest);
      if (!p.ok()) return p.status();
      profile = *p;
    }
    return std::unique_ptr<Backend>(new ReferenceBackend(profile));
  }
  return InvalidArgument("unknown model '" + spec + "': use anthropic:MODEL, openai:MODEL, "
                         "exec:COMMAND, replay:JOURNAL or reference[:PROFILE]");
}

}  // namespace llmstack
