// The differential recording (tests/differential): randomized echo requests a real Linux
// kernel answered or dropped, recorded between network namespaces over veth and TUN.
// compare.py grades every stored capture with `--profile linux` (a request the kernel answered
// grades `correct`, one it dropped or answered only with an ICMP error `silent_ok`) and checks
// that `--model reference --profile linux` builds the kernel's bytes, apart from what a host
// chooses itself and the differences the README lists.
#include <catch2/catch.hpp>
#include <filesystem>

#include "test_skip.h"
#include "test_support.h"

namespace llmstack {
namespace {

using testing::RunShell;

TEST_CASE("the stored kernel recording agrees with grade and the reference under linux",
          "[kernel][tool][differential]") {
  if (RunShell("command -v python3").exit_code != 0) return testing::Skip("no python3");
  std::string folder = testing::SourcePath("tests/differential");
  int captures = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    captures += entry.path().extension() == ".pcap";
  }
  REQUIRE(captures >= 2);  // veth and TUN
  testing::CommandResult r = RunShell("python3 " + folder + "/compare.py --tool " +
                                      testing::QuotedToolPath() + " --dir " + folder);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(" 0 disagreements") != std::string::npos);
  // At least 2,000 requests were compared.
  size_t at = r.out.rfind(" requests compared");
  REQUIRE(at != std::string::npos);
  size_t begin = r.out.rfind('\n', at);
  int compared = std::stoi(r.out.substr(begin == std::string::npos ? 0 : begin + 1));
  CHECK(compared >= 2000);
}

}  // namespace
}  // namespace llmstack
