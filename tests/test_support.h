// Shared helpers for the tests: literal packets, paths, running the tool.
#ifndef LLMSTACK_TESTS_TEST_SUPPORT_H_
#define LLMSTACK_TESTS_TEST_SUPPORT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "packet/packet_stream.h"
#include "test_skip.h"

namespace llmstack::testing {

// The original experiment's echo request (172.16.0.1 -> 172.16.0.2, id 0x000d, seq 1).
inline constexpr const char* kExperimentRequest =
    "45000054812840004001615dac100001ac100002080054f5000d0001a1fb006a0000000041c40000000000"
    "00101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";

Bytes Hex(const std::string& hex);
EchoPacket Packet(const std::string& hex);
std::string SourcePath(const std::string& relative);
// The JSON document in the file at `path`; throws (failing the test) when it cannot be read
// or is not JSON.
nlohmann::json ReadJson(const std::string& path);

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs the built tool with `args` (a shell-quoted string) from the source directory.
// ToolCommand is that command line, for RunShellEach.
std::string ToolCommand(const std::string& args);
// The built tool's path, quoted for the shell.
std::string QuotedToolPath();
CommandResult RunTool(const std::string& args, const std::string& stdin_text = "");
// Runs any shell command.
CommandResult RunShell(const std::string& command, const std::string& stdin_text = "");
// Runs the commands, `parallel` at a time (they must not depend on each other); the results
// in the commands' order. For suites that wait on many tshark and tool runs.
std::vector<CommandResult> RunShellEach(const std::vector<std::string>& commands,
                                        size_t parallel = 3);

// A fresh temporary directory, removed when the object goes away.
class TempDir {
 public:
  // `check_reports`: on the way out, check every JSON report in it against the report contract.
  explicit TempDir(bool check_reports = true);
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
  bool check_reports_;
};

// `text | kLines`: its lines, without the line breaks (a last empty line left out).
struct LinesOf {};
inline constexpr LinesOf kLines;
std::vector<std::string> operator|(const std::string& text, LinesOf);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);
bool FileExists(const std::string& path);
bool HaveCommand(const std::string& name);

}  // namespace llmstack::testing

#endif  // LLMSTACK_TESTS_TEST_SUPPORT_H_
