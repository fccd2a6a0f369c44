// The hostile cases of tests/hostile/: one shell script each, run with the built tool's path as
// its argument, exiting 0 when the tool behaves as DESIGN says and non-zero, with the reason on
// stderr, when it does not (77: it cannot run here, e.g. no root). See tests/hostile/README.md.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "test_support.h"

namespace fs = std::filesystem;
using namespace llmstack::testing;

namespace {

std::vector<std::string> CaseScripts(const std::string& folder) {
  std::vector<std::string> scripts;
  if (!fs::is_directory(folder)) return scripts;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() == ".sh") scripts.push_back(entry.path().string());
  }
  std::sort(scripts.begin(), scripts.end());
  return scripts;
}

void RunCases(const std::string& folder) {
  std::vector<std::string> scripts = CaseScripts(SourcePath(folder));
  REQUIRE_FALSE(scripts.empty());
  std::vector<std::string> commands;
  for (const std::string& s : scripts) {
    // Under AddressSanitizer the cases that measure memory or limit the address space skip.
    commands.push_back(std::string(kSanitized ? "LLMSTACK_SANITIZED=1 " : "") +
                       "timeout -k 5 180 bash '" + s + "' " + QuotedToolPath());
  }
  std::vector<CommandResult> results = RunShellEach(commands, 3);
  int skipped = 0;
  for (size_t i = 0; i < scripts.size(); ++i) {
    if (results[i].exit_code == kSkipExitCode) {
      ++skipped;
      WARN(fs::path(scripts[i]).filename().string() << " skipped: " << results[i].err);
      continue;
    }
    INFO(fs::path(scripts[i]).filename().string() << " exited " << results[i].exit_code << "\n"
                                                  << results[i].err);
    CHECK(results[i].exit_code == 0);
  }
  if (skipped == static_cast<int>(scripts.size())) Skip("no case of " + folder + " can run here");
}

}  // namespace

TEST_CASE("hostile inputs, servers, commands, paths and signals") { RunCases("tests/hostile"); }
