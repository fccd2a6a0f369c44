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

// Process groups (of `exec:` commands) to kill should a second signal end the process at once,
// so that nothing the tool started outlives it. Registering is async-signal-safe; at most
// kMaxWatchedGroups at a time (more are simply not watched).
inline constexpr int kMaxWatchedGroups = 8192;
void WatchProcessGroup(int pgid);
void ForgetProcessGroup(int pgid);

}  // namespace llmstack

#endif  // LLMSTACK_BASE_INTERRUPT_H_
