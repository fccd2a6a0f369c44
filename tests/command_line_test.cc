// The command line for someone new to it: the main job's form in the top-level help, and a
// mistyped command or option answered with the nearest one, in one line, exit 2.
#include "cli/command_line.h"

#include <catch2/catch.hpp>

#include "test_support.h"

namespace llmstack {
namespace {

using testing::RunTool;

TEST_CASE("the top-level help shows the IN -o OUT form first", "[command_line]") {
  testing::CommandResult r = RunTool("--help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("llmstack-replay IN -o OUT [options]") < r.out.find("grade CAPTURE"));
  CHECK(r.out.find("Usage: llmstack-replay") != std::string::npos);
}

TEST_CASE("a mistyped command or option: did you mean", "[command_line]") {
  testing::CommandResult r = RunTool("grdae captures/experiment.pcap");
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "llmstack-replay: grdae: no such command or capture file (did you mean 'grade'?)\n");
  r = RunTool("captures/experiment.pcap -o /dev/null --modle reference");
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "llmstack-replay: unknown option --modle (did you mean --model?); replay --help lists "
        "the options\n");
  r = RunTool("grade captures/experiment.pcap --profle linux");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("(did you mean --profile?)") != std::string::npos);
  // A capture that happens to look like a command name is still a capture.
  testing::TempDir dir;
  testing::WriteFile(dir.File("grad"), "");
  r = testing::RunShell("cd '" + dir.path() + "' && " + testing::QuotedToolPath() +
                        " grad -o out.pcap --model reference");
  CHECK(r.err.find("did you mean") == std::string::npos);
}

TEST_CASE("the nearest name", "[command_line]") {
  std::vector<std::string> names = {"--model", "--max-cost", "--max-wait", "-m"};
  CHECK(Nearest("--modle", names) == std::optional<std::string>("--model"));
  CHECK(Nearest("--max-cots", names) == std::optional<std::string>("--max-cost"));
  CHECK_FALSE(Nearest("--zzz", names));
  CHECK_FALSE(Nearest("-x", names));  // too short to guess
}

}  // namespace
}  // namespace llmstack
