#include "test_support.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace llmstack::testing {

Bytes Hex(const std::string& hex) {
  Result<Bytes> b = HexDecode(hex);
  if (!b.ok()) throw std::runtime_error("bad test hex: " + b.status().message());
  return *b;
}

EchoPacket Packet(const std::string& hex) {
  Bytes bytes = Hex(hex);
  Result<EchoPacket> p = EchoPacketFromDatagram(bytes);
  if (!p.ok()) throw std::runtime_error("bad test packet: " + p.status().message());
  return *p;
}

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot be read");
  return nlohmann::json::parse(in);
}

std::string SourcePath(const std::string& relative) {
  return std::string(LLMSTACK_SOURCE_DIR) + "/" + relative;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

bool HaveCommand(const std::string& name) {
  return RunShell("command -v " + name + " >/dev/null 2>&1").exit_code == 0;
}

CommandResult RunShell(const std::string& command, const std::string& stdin_text) {
  TempDir dir(false);
  std::string in = dir.File("stdin"), out = dir.File("stdout"), err = dir.File("stderr");
  WriteFile(in, stdin_text);
  std::string full = "(" + command + ") <'" + in + "' >'" + out + "' 2>'" + err + "'";
  int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

std::vector<CommandResult> RunShellEach(const std::vector<std::string>& commands, size_t parallel) {
  std::vector<CommandResult> results(commands.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < commands.size();) results[i] = RunShell(commands[i]);
  };
  std::vector<std::thread> workers;
  for (size_t w = 0; w < std::max<size_t>(1, parallel); ++w) workers.emplace_back(work);
  for (std::thread& t : workers) t.join();
  return results;
}

std::string QuotedToolPath() {
  std::string quoted = "'";
  quoted += LLMSTACK_BINARY;
  quoted += "'";
  return quoted;
}

std::string ToolCommand(const std::string& args) {
  std::string command = "cd '";
  command += LLMSTACK_SOURCE_DIR;
  command += "' && ";
  return command + QuotedToolPath() + " " + args;
}

CommandResult RunTool(const std::string& args, const std::string& stdin_text) {
  return RunShell(ToolCommand(args), stdin_text);
}

TempDir::TempDir(bool check_reports) : check_reports_(check_reports) {
  std::string pattern = (std::filesystem::temp_directory_path() / "llmstack-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  // Every JSON report a test wrote here meets the report contract (tests/check_report.py). A
  // destructor cannot fail a test case, so a failure is counted and fails the run (test_main.cc).
  CommandResult reports;
  if (check_reports_)
    reports = RunShell(
        "grep -rlsE '\"schema\": *\"llmstack-replay\\.(report|matrix)/' --include='*.json' '" +
        path_ + "'");
  for (const std::string& report : reports.out | kLines) {
    CommandResult r =
        RunShell("python3 '" + SourcePath("tests/check_report.py") + "' '" + report + "'");
    if (r.exit_code != 0) {
      std::fprintf(stderr, "REPORT CONTRACT: check_report.py %s failed:\n%s%s\n", report.c_str(),
                   r.out.c_str(), r.err.c_str());
      ++ContractFailureCounter();
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<std::string> operator|(const std::string& text, LinesOf) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace llmstack::testing
