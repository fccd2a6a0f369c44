// Catch's runner, and the one place a test that cannot run here says so: when any test case
// called testing::Skip() and nothing failed, the run exits with kSkipExitCode, which CTest
// reports as skipped (SKIP_RETURN_CODE in CMakeLists.txt) rather than passed.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "test_skip.h"

int main(int argc, char* argv[]) {
  int result = Catch::Session().run(argc, argv);
  if (llmstack::testing::ContractFailureCounter() > 0) {
    std::fprintf(stderr, "%d JSON report(s) broke the report contract (see above)\n",
                 llmstack::testing::ContractFailureCounter().load());
    return 1;
  }
  if (result == 0 && llmstack::testing::SkippedCount() > 0) {
    std::fprintf(stderr, "%d test case(s) skipped: their tools or privileges are missing here\n",
                 llmstack::testing::SkippedCount());
    return llmstack::testing::kSkipExitCode;
  }
  return result;
}
