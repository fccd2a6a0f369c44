#include "model/retry_policy.h"

#include <catch2/catch.hpp>

namespace llmstack {
namespace {

using Headers = std::map<std::string, std::string>;

TEST_CASE("transient statuses are retried, others fail fast", "[retry]") {
  for (long s : {408, 409, 429, 500, 502, 503, 504, 529}) {
    INFO(s);
    CHECK(ClassifyHttpStatus(s, {}, "") == AttemptKind::kTransient);
  }
  for (long s : {400, 404, 413, 422, 402}) {
    INFO(s);
    CHECK(ClassifyHttpStatus(s, {}, "") == AttemptKind::kFatal);
  }
  CHECK(ClassifyHttpStatus(401, {}, "") == AttemptKind::kAuth);
  CHECK(ClassifyHttpStatus(403, {}, "") == AttemptKind::kAuth);
  CHECK(ClassifyHttpStatus(200, {}, "") == AttemptKind::kAnswer);
}

TEST_CASE("x-should-retry overrides; spend-limit 429s are final", "[retry]") {
  CHECK(ClassifyHttpStatus(500, {{"x-should-retry", "false"}}, "") == AttemptKind::kFatal);
  CHECK(ClassifyHttpStatus(400, {{"x-should-retry", "true"}}, "") == AttemptKind::kTransient);
  CHECK(ClassifyHttpStatus(
            429, {}, R"({"error":{"details":{"error_code":"enforced_spend_limit_reached"}}})") ==
        AttemptKind::kSpendLimit);
  CHECK(ClassifyHttpStatus(429, {}, R"({"error":{"type":"insufficient_quota"}})") ==
        AttemptKind::kSpendLimit);
}

TEST_CASE("retry-after in milliseconds, seconds and as an HTTP date", "[retry]") {
  CHECK(*RetryAfterSeconds({{"retry-after-ms", "250"}}, 0) == Approx(0.25));
  CHECK(*RetryAfterSeconds({{"retry-after", "3"}}, 0) == Approx(3));
  CHECK(*RetryAfterSeconds({{"retry-after", "0.5"}}, 0) == Approx(0.5));
  // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480.
  CHECK(*RetryAfterSeconds({{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}}, 1445412470) ==
        Approx(10));
  CHECK_FALSE(RetryAfterSeconds({{"retry-after", "soon"}}, 0).has_value());
  CHECK_FALSE(RetryAfterSeconds({}, 0).has_value());
}

TEST_CASE("backoff doubles from 0.5 s to 8 s, shortened by up to a quarter", "[retry]") {
  CHECK(BackoffSeconds(0, 0) == Approx(0.5));
  CHECK(BackoffSeconds(1, 0) == Approx(1));
  CHECK(BackoffSeconds(3, 0) == Approx(4));
  CHECK(BackoffSeconds(4, 0) == Approx(8));
  CHECK(BackoffSeconds(20, 0) == Approx(8));
  CHECK(BackoffSeconds(2, 1) == Approx(1.5));
}

}  // namespace
}  // namespace llmstack
