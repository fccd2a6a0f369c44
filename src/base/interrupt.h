// Ctrl-C (SIGINT) and SIGTERM: the first one asks the running command to stop and write what
// is finished; a second one ends the process at once.
#ifndef LLMSTACK_BASE_INTERRUPT_H_
#define LLMSTACK_BASE_INTERRUPT_H_

namespace llmstack {

// Installs the handlers (idempotent).
void WatchForInterrupts();
bool Interrupted();
// For tests and for commands that finished handling one interruption.
void ClearInterrupt();

}  // namespace llmstack

#endif  // LLMSTACK_BASE_INTERRUPT_H_
