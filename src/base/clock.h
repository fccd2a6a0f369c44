// Time as the loops see it: a monotonic clock to measure latencies and deadlines, the wall
// clock for timestamps in reports, and a way to wait. The loops (run/, live/) and the retrying
// backend take a Clock&, so that tests can drive retries, timeouts and budgets with a FakeClock
// that jumps instead of sleeping.
#ifndef LLMSTACK_BASE_CLOCK_H_
#define LLMSTACK_BASE_CLOCK_H_

#include <chrono>
#include <string>
#include <thread>

namespace llmstack {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds on a monotonic clock (arbitrary origin).
  virtual double Now() const = 0;
  // Seconds since the Unix epoch.
  virtual double WallNow() const = 0;
  // Blocks for `seconds` (no CPU is used while waiting); a FakeClock advances instead.
  virtual void Sleep(double seconds) = 0;
  // Whether waiting in poll()/select() with a real timeout means waiting on this clock. A
  // FakeClock says no: code that would block in poll() polls with a zero timeout and then
  // calls Sleep(), so that time moves on.
  virtual bool IsReal() const { return true; }
};

class SystemClock : public Clock {
 public:
  double Now() const override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  double WallNow() const override {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void Sleep(double seconds) override {
    if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  }
  // The process's one real clock.
  static SystemClock& Instance() {
    static SystemClock clock;
    return clock;
  }
};

// A clock for tests: time stands still until Sleep() or Advance() moves it.
class FakeClock : public Clock {
 public:
  explicit FakeClock(double start = 1000.0, double wall_start = 1777593600.0)
      : now_(start), wall_offset_(wall_start - start) {}
  double Now() const override { return now_; }
  double WallNow() const override { return now_ + wall_offset_; }
  void Sleep(double seconds) override {
    if (seconds > 0) now_ += seconds;
    slept_ += seconds > 0 ? seconds : 0;
  }
  bool IsReal() const override { return false; }
  void Advance(double seconds) { now_ += seconds; }
  double slept() const { return slept_; }

 private:
  double now_;
  double wall_offset_;
  double slept_ = 0;
};

// "2026-11-22T10:00:00Z": a wall-clock time (seconds since the epoch) as RFC 3339 UTC.
std::string Rfc3339(double wall_seconds);
// The current time, as above.
std::string NowRfc3339();

}  // namespace llmstack

#endif  // LLMSTACK_BASE_CLOCK_H_
