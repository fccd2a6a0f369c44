#include "base/interrupt.h"

#include <signal.h>

#include <atomic>

namespace llmstack {

namespace {

std::atomic<int> interrupts{0};

void OnSignal(int sig) {
  if (interrupts.fetch_add(1) >= 1) {
    // Second time: stop now, with the usual exit status of a signal.
    signal(sig, SIG_DFL);
    raise(sig);
  }
}

}  // namespace

void WatchForInterrupts() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool Interrupted() { return interrupts.load() > 0; }

void ClearInterrupt() { interrupts.store(0); }

}  // namespace llmstack
