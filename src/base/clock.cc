#include "base/clock.h"

#include <cmath>
#include <ctime>

namespace llmstack {

std::string Rfc3339(double wall_seconds) {
  std::time_t t = static_cast<std::time_t>(std::floor(wall_seconds));
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string NowRfc3339() { return Rfc3339(SystemClock::Instance().WallNow()); }

}  // namespace llmstack
