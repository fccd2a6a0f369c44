// Choosing the backend for a run from --model (DESIGN §3-4), or from the environment.
#ifndef LLMSTACK_BACKEND_FACTORY_H_
#define LLMSTACK_BACKEND_FACTORY_H_

#include <memory>

#include "backend.h"
#include "replay_command.h"

namespace llmstack {

// Errors: kInvalidArgument with a message that says how to configure a model.
Result<std::unique_ptr<Backend>> MakeBackend(const ReplayOptions& options);

}  // namespace llmstack

#endif  // LLMSTACK_BACKEND_FACTORY_H_
