#include "model/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace llmstack {

AttemptKind ClassifyHttpStatus(long status, const std::map<std::string, std::string>& headers,
                               const std::string& body) {
  if (status >= 200 && status < 300) return AttemptKind::kAnswer;
  if (status == 401 || status == 403) return AttemptKind::kAuth;
  if (status == 429 && (body.find("enforced_spend_limit_reached") != std::string::npos ||
                        body.find("insufficient_quota") != std::string::npos)) {
    return AttemptKind::kSpendLimit;
  }
  auto should = headers.find("x-should-retry");
  if (should != headers.end()) {
    if (should->second == "true") return AttemptKind::kTransient;
    if (should->second == "false") return AttemptKind::kFatal;
  }
  switch (status) {
    case 408:
    case 409:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
    case 529:
      return AttemptKind::kTransient;
    default:
      return AttemptKind::kFatal;
  }
}

std::optional<double> RetryAfterSeconds(const std::map<std::string, std::string>& headers,
                                        std::time_t now) {
  auto ms = headers.find("retry-after-ms");
  if (ms != headers.end()) {
    char* end = nullptr;
    double v = std::strtod(ms->second.c_str(), &end);
    if (end != ms->second.c_str() && std::isfinite(v) && v >= 0) {
      return std::min(v / 1000.0, kMaxRetryAfterS);
    }
  }
  auto it = headers.find("retry-after");
  if (it == headers.end()) return std::nullopt;
  const std::string& s = it->second;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() && *end == '\0' && std::isfinite(v) && v >= 0) {
    return std::min(v, kMaxRetryAfterS);
  }
  // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
  std::tm tm{};
  if (strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) != nullptr) {
    std::time_t when = timegm(&tm);
    if (when == static_cast<std::time_t>(-1)) return kMaxRetryAfterS;
    return std::clamp(std::difftime(when, now), 0.0, kMaxRetryAfterS);
  }
  return std::nullopt;
}

double BackoffSeconds(int retries_taken, double random01) {
  double base = std::min(0.5 * std::pow(2.0, std::min(retries_taken, 10)), 8.0);
  return base * (1.0 - 0.25 * std::clamp(random01, 0.0, 1.0));
}

}  // namespace llmstack
