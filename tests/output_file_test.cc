#include "base/output_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "test_support.h"

namespace llmstack {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

bool IsCharDevice(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

TEST_CASE("a regular output appears only when committed, with the usual mode", "[output_file]") {
  TempDir dir;
  std::string path = dir.File("out.txt");
  {
    Result<OutputFile> f = OutputFile::Open(path);
    REQUIRE(f.ok());
    CHECK_FALSE(f->in_place());
    REQUIRE(f->Write("half").ok());
    CHECK_FALSE(testing::FileExists(path));
  }  // dropped without Commit: nothing left behind
  CHECK_FALSE(testing::FileExists(path));
  CHECK(testing::RunShell("ls -A " + dir.path()).out.empty());
  REQUIRE(WriteOutputFile(path, "whole").ok());
  CHECK(ReadFile(path) == "whole");
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  mode_t mask = umask(0);
  umask(mask);
  CHECK((st.st_mode & 0777) == (0666 & ~mask));
}

TEST_CASE("devices, FIFOs and symlinks are written through, never replaced", "[output_file]") {
  TempDir dir;
  // /dev/null stays the device.
  REQUIRE(WriteOutputFile("/dev/null", "discarded").ok());
  CHECK(IsCharDevice("/dev/null"));

  // A FIFO gets the bytes and stays a FIFO.
  std::string fifo = dir.File("fifo");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  std::string received;
  std::thread reader([&] { received = ReadFile(fifo); });
  REQUIRE(WriteOutputFile(fifo, "through the fifo").ok());
  reader.join();
  CHECK(received == "through the fifo");
  struct stat st;
  REQUIRE(lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));

  // A symlink is followed: its target is replaced, the link stays a link.
  std::string target = dir.File("target.txt");
  std::string link = dir.File("link.txt");
  WriteFile(target, "old");
  REQUIRE(symlink("target.txt", link.c_str()) == 0);
  REQUIRE(WriteOutputFile(link, "new").ok());
  CHECK(ReadFile(target) == "new");
  REQUIRE(lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  // A dangling link creates its target.
  std::string dangling = dir.File("dangling");
  REQUIRE(symlink("created.txt", dangling.c_str()) == 0);
  REQUIRE(WriteOutputFile(dangling, "made").ok());
  CHECK(ReadFile(dir.File("created.txt")) == "made");
}

TEST_CASE("outputs are checked before anything is written", "[output_file]") {
  TempDir dir;
  std::string input = dir.File("in.pcap");
  WriteFile(input, "capture");
  std::string alias = dir.File("alias.pcap");
  REQUIRE(symlink(input.c_str(), alias.c_str()) == 0);
  std::vector<NamedPath> inputs = {{input, "the input capture"}};

  CHECK(CheckOutputPaths(inputs, {{dir.File("out.pcap"), "the output capture"},
                                  {dir.File("r.json"), "the report"},
                                  {"/dev/null", "the report"},
                                  {"/dev/null", "the journal"}})
            .ok());
  Status same_as_input = CheckOutputPaths(inputs, {{input, "the journal"}});
  CHECK(same_as_input.message() ==
        input + ": the journal would be the same file as the input capture " + input);
  CHECK_FALSE(CheckOutputPaths(inputs, {{alias, "the output capture"}}).ok());
  CHECK_FALSE(CheckOutputPaths(inputs, {{dir.path() + "/./in.pcap", "the report"}}).ok());
  Status twice = CheckOutputPaths(
      inputs, {{dir.File("x.json"), "the report"}, {dir.File("x.json"), "the report"}});
  CHECK(twice.message() == dir.File("x.json") +
                               ": the report would be the same file as the report " +
                               dir.File("x.json"));
  CHECK(CheckOutputPaths(inputs, {{dir.path(), "the report"}}).message() ==
        dir.path() + ": is a directory, not a file (the report)");
  CHECK(CheckOutputPaths(inputs, {{dir.File("no/such/x.json"), "the report"}}).message() ==
        dir.File("no/such/x.json") + ": directory " + dir.File("no/such") +
            " does not exist (the report)");
  CHECK_FALSE(CheckOutputPaths(inputs, {{"-", "the output capture"}, {"-", "the report"}}).ok());
  CHECK(CheckOutputPaths({{"-", "the input capture"}}, {{"-", "the output capture"}}).ok());
}

}  // namespace
}  // namespace llmstack
