// Skipping a test that cannot run on this machine (a missing tool, no root) so that CTest says
// so: Skip() prints why and counts it; the runner (test_main.cc) then exits kSkipExitCode.
#ifndef LLMSTACK_TESTS_TEST_SKIP_H_
#define LLMSTACK_TESTS_TEST_SKIP_H_

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

namespace llmstack::testing {

inline constexpr int kSkipExitCode = 77;

// Whether this build runs under AddressSanitizer, whose shadow memory makes peak-memory figures
// and address-space limits meaningless.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

inline std::atomic<int>& SkipCounter() {
  static std::atomic<int> count{0};
  return count;
}
inline int SkippedCount() { return SkipCounter().load(); }

// Reports found breaking the report contract when their TempDir went away (test_support.cc).
inline std::atomic<int>& ContractFailureCounter() {
  static std::atomic<int> count{0};
  return count;
}

// Call and return from the test case: `if (!HaveCommand("tshark")) return Skip("...");`.
inline void Skip(const std::string& why) {
  ++SkipCounter();
  std::fprintf(stderr, "SKIPPED: %s\n", why.c_str());
  // A skipped case has made no assertion; this one says why, so that `--warn NoAssertions`
  // does not count it as failed (the runner reports the skip to CTest).
  SUCCEED("skipped: " << why);
}

}  // namespace llmstack::testing

#endif  // LLMSTACK_TESTS_TEST_SKIP_H_
