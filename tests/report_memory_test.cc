// Reports are streamed (DESIGN section 11): the peak memory of `grade` writing a JSON and an
// HTML report does not grow with the number of packets. bench/memory measures 20k against
// 200k pairs; here 2k against 20k, so that it runs in seconds.
#include <catch2/catch.hpp>

#include "test_support.h"

namespace llmstack::testing {
namespace {

TEST_CASE("grade's peak memory with JSON and HTML reports is the same for 2k and 20k pairs") {
  if (kSanitized) return Skip("peak memory is not measured under AddressSanitizer");
  CommandResult r =
      RunShell("python3 " + SourcePath("bench/memory") + " --binary " + QuotedToolPath() +
               " --small 2000 --large 20000 --max-ratio 1.5 --max-mib 100");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  std::vector<std::string> lines = r.out | kLines;
  REQUIRE(lines.size() >= 3);
  CHECK(lines[0].find("2000 pairs: peak RSS") != std::string::npos);
  CHECK(lines[1].find("20000 pairs: peak RSS") != std::string::npos);
  CHECK(lines[2].rfind("ratio 20000/2000: ", 0) == 0);
}

}  // namespace
}  // namespace llmstack::testing
