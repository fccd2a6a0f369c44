#include "base/interrupt.h"

#include <signal.h>

#include <atomic>

namespace llmstack {

namespace {

std::atomic<int> interrupts{0};
std::atomic<int> watched_groups[kMaxWatchedGroups];  // 0: a free slot

void OnSignal(int sig) {
  if (interrupts.fetch_add(1) >= 1) {
    // Second time: stop now, with the usual exit status of a signal, and take the commands
    // along (they run in process groups of their own, which the terminal's signal missed).
    for (std::atomic<int>& g : watched_groups) {
      int pgid = g.load();
      if (pgid > 0) kill(-pgid, SIGKILL);
    }
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

void WatchProcessGroup(int pgid) {
  for (std::atomic<int>& g : watched_groups) {
    int free = 0;
    if (g.compare_exchange_strong(free, pgid)) return;
  }
}

void ForgetProcessGroup(int pgid) {
  for (std::atomic<int>& g : watched_groups) {
    int expected = pgid;
    if (g.compare_exchange_strong(expected, 0)) return;
  }
}

}  // namespace llmstack
