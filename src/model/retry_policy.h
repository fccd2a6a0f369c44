// Which failures are worth retrying, and how long to wait (DESIGN §4; the vendors' SDKs):
// connection errors, timeouts and HTTP 408, 409, 429, 500, 502, 503, 504, 529 are transient,
// `x-should-retry` overrides; 401/403 stop the whole run; a 429 that says a spend limit or
// quota was reached is final; other 4xx fail fast with the server's message.
#ifndef LLMSTACK_MODEL_RETRY_POLICY_H_
#define LLMSTACK_MODEL_RETRY_POLICY_H_

#include <ctime>
#include <map>
#include <optional>
#include <string>

namespace llmstack {

enum class AttemptKind {
  kAnswer,       // a usable answer
  kTransient,    // try again after a wait
  kFatal,        // this query fails for good
  kAuth,         // authentication or permission refused: stop the run
  kSpendLimit,   // the account's spend limit or quota is reached: stop the run
  kUnavailable,  // the backend cannot be run or reached (exec 126/127): stop the run
};

// Classifies an HTTP status with its headers and body (for 429 spend limits).
AttemptKind ClassifyHttpStatus(long status, const std::map<std::string, std::string>& headers,
                               const std::string& body);

// The longest wait RetryAfterSeconds returns: a server's value beyond it (huge, or an HTTP
// date far in the future) is clamped here, which is past any --max-wait.
inline constexpr double kMaxRetryAfterS = 30 * 86400.0;

// The wait a server asked for: `retry-after-ms`, then `retry-after` in seconds or as an HTTP
// date (RFC 9110 §10.2.3), clamped to [0, kMaxRetryAfterS] (a date in the past is 0). Null
// when absent or unreadable (negative, not a number, infinite).
std::optional<double> RetryAfterSeconds(const std::map<std::string, std::string>& headers,
                                        std::time_t now);

// Exponential backoff with jitter: min(0.5 * 2^n, 8) * (1 - 0.25 * random01) seconds, n the
// number of retries already taken.
double BackoffSeconds(int retries_taken, double random01);

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_RETRY_POLICY_H_
