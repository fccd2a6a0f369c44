// Unreadable input (DESIGN §3): exit 2 with exactly one line on stderr naming the file and the
// problem, no crash, no report and no output capture left behind. Hostile but readable
// captures are read to the end. The files and the outcome each must have are those of
// tests/data/broken/README.md.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "packet/capture.h"
#include "packet/packet_stream.h"
#include "test_support.h"

namespace llmstack {
namespace {

using nlohmann::json;
using testing::FileExists;
using testing::RunTool;
using testing::TempDir;

// Rejected files and a word of the reason each must give.
const std::map<std::string, std::string>& Rejected() {
  static const std::map<std::string, std::string> files = {
      {"empty.pcap", "empty"},
      {"garbage.pcap", "not a pcap or pcapng"},
      {"short-header.pcap", "truncated"},
      {"truncated-record.pcap", "truncated"},
      {"truncated-data.pcap", "truncated"},
      {"absurd-length.pcap", "length"},
      {"caplen-gt-snaplen.pcap", "snapshot length"},
      {"absurd-snaplen.pcap", "absurd snapshot length 4294967295"},
      {"bad-magic.pcap", "not a pcap or pcapng"},
      {"unsupported-linktype.pcap", "unsupported link type 147"},
      {"pcapng-bad-block-length.pcapng", "length of 110"},
      {"pcapng-block-too-short.pcapng", "length of 8"},
      {"pcapng-huge-block.pcapng", "block size 4294967280"},
      {"pcapng-shb-bad-length.pcapng", "truncated"},
      {"pcapng-truncated.pcapng", "truncated"},
      {"pcapng-no-idb.pcapng", "before any Interface Description"},
      {"pcapng-mixed-linktypes.pcapng", "different from the type"},
      {"pcapng-caplen-gt-snaplen.pcapng", "bigger than snaplen"},
      {"pcapng-bad-version.pcapng", "version"},
  };
  return files;
}

const std::set<std::string>& Hostile() {
  static const std::set<std::string> files = {"ihl-below-5.pcap",        "iplen-past-capture.pcap",
                                              "iplen-below-header.pcap", "icmp-header-cut.pcap",
                                              "ipv6-ext-loop.pcap",      "zero-length-frame.pcap",
                                              "vlan-stack-deep.pcap",    "zero-snaplen.pcap"};
  return files;
}

void CheckOneLineNaming(const testing::CommandResult& r, const std::string& path,
                        const std::string& reason) {
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 2);
  REQUIRE(!r.err.empty());
  CHECK(r.err.back() == '\n');
  CHECK(r.err.find('\n') == r.err.size() - 1);  // exactly one line
  CHECK(r.err.find(path) != std::string::npos);
  CHECK(r.err.find(reason) != std::string::npos);
}

TEST_CASE("every file in tests/data/broken is accounted for", "[input]") {
  std::set<std::string> listed;
  for (const auto& [name, reason] : Rejected()) listed.insert(name);
  listed.insert(Hostile().begin(), Hostile().end());
  for (const auto& e :
       std::filesystem::directory_iterator(testing::SourcePath("tests/data/broken"))) {
    std::string name = e.path().filename().string();
    if (!name.ends_with(".pcap") && !name.ends_with(".pcapng")) continue;
    INFO(name);
    CHECK(listed.count(name) == 1);
  }
}

TEST_CASE("unreadable captures: exit 2, one line naming the file, nothing left behind",
          "[input][tool]") {
  TempDir dir;
  std::vector<std::pair<std::string, std::string>> cases;
  for (const auto& [name, reason] : Rejected())
    cases.push_back({"tests/data/broken/" + name, reason});
  cases.push_back({"tests/data/broken/no-such-file.pcap", "no such file"});
  cases.push_back({"tests/data/broken", "directory"});
  for (const auto& [path, reason] : cases) {
    INFO(path);
    std::string report = dir.File("r.json");
    CheckOneLineNaming(RunTool("grade " + path + " -r " + report), path, reason);
    CHECK_FALSE(FileExists(report));
    for (const char* out : {"out.pcap", "out.pcapng"}) {
      std::string output = dir.File(out);
      CheckOneLineNaming(RunTool(path + " -o " + output + " --model reference -r " + report), path,
                         reason);
      CHECK_FALSE(FileExists(output));
      CHECK_FALSE(FileExists(report));
    }
    // As the replies of `grade`: the message names the replies file.
    CheckOneLineNaming(RunTool("grade captures/experiment.pcap " + path), path, reason);
    // And for `explain --frame`.
    CheckOneLineNaming(RunTool("explain " + path + " --frame 1"), path, reason);
  }
  // On standard input: the same reason, naming "-".
  for (const auto& [name, reason] : Rejected()) {
    if (name == "empty.pcap") continue;  // "empty input"
    INFO(name);
    std::string cat = "cat '" + testing::SourcePath("tests/data/broken/" + name) + "' | ";
    CheckOneLineNaming(testing::RunShell(cat + "(" + testing::ToolCommand("grade -") + ")"), "-",
                       reason);
  }
  // Nothing at all left in the directory (no temporary files either).
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("the reader reports a damaged capture as an error, not as its end", "[input]") {
  // libpcap reads record by record: a record cut short at the end is an error from Next().
  for (const char* name : {"truncated-record.pcap", "truncated-data.pcap", "absurd-length.pcap",
                           "caplen-gt-snaplen.pcap", "pcapng-truncated.pcapng",
                           "pcapng-bad-block-length.pcapng", "pcapng-huge-block.pcapng"}) {
    INFO(name);
    Result<std::unique_ptr<CaptureReader>> reader =
        CaptureReader::Open(testing::SourcePath(std::string("tests/data/broken/") + name));
    REQUIRE(reader.ok());
    CapturedFrame frame;
    Result<bool> more = true;
    int frames = 0;
    while (more.ok() && *more && frames < 100) {
      more = (*reader)->Next(&frame);
      ++frames;
    }
    CHECK_FALSE(more.ok());
    CHECK(more.status().code() == StatusCode::kMalformed);
  }
}

TEST_CASE("hostile but readable captures are read to the end; the good exchange is correct",
          "[input][tool]") {
  TempDir dir;
  for (const std::string& name : Hostile()) {
    std::string path = "tests/data/broken/" + name;
    INFO(path);
    std::string report = dir.File("r.json");
    testing::CommandResult r = RunTool("grade " + path + " -q -r " + report);
    INFO(r.out << r.err);
    CHECK(r.err.empty());
    if (name == "vlan-stack-deep.pcap") {
      CHECK((r.exit_code == 0 || r.exit_code == 1));
    } else {
      CHECK(r.exit_code == 0);
    }
    REQUIRE(FileExists(report));
    json j = json::parse(testing::ReadFile(report));
    bool good = false;
    for (const json& p : j["packets"]) {
      if (p["request"]["ident"] == 0x4c4c && p["request"]["seq"] == 1) {
        CHECK(p["verdict"] == "correct");
        good = true;
      } else if (name != "vlan-stack-deep.pcap") {
        CHECK(p["verdict"] == "silent_ok");
      }
    }
    CHECK(good);
    std::string output = dir.File("out.pcap");
    testing::CommandResult m = RunTool(path + " -o " + output + " --model reference -q");
    CHECK(m.err.empty());
    CHECK(m.exit_code == 0);
    CHECK(FileExists(output));
  }
}

}  // namespace
}  // namespace llmstack
