// The layers of src/ (DESIGN section 2): a file includes only from its own folder or the
// folders before it, by path; no source file stands directly in src/; no file grows past 600
// lines and no command file past 200.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "test_support.h"

namespace fs = std::filesystem;
using llmstack::testing::SourcePath;

namespace {

const std::vector<std::string> kLayers = {"base",   "packet", "grade", "model", "audit",
                                          "report", "run",    "live",  "cli"};

int LayerIndex(const std::string& folder) {
  for (size_t i = 0; i < kLayers.size(); ++i) {
    if (kLayers[i] == folder) return static_cast<int>(i);
  }
  return -1;
}

struct SourceFile {
  std::string path;    // relative to src/
  std::string folder;  // its layer
  std::vector<std::string> lines;
};

std::vector<SourceFile> SourceFiles() {
  std::vector<SourceFile> files;
  for (const auto& entry : fs::recursive_directory_iterator(SourcePath("src"))) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    if (ext != ".cc" && ext != ".h") continue;
    SourceFile f;
    f.path = fs::relative(entry.path(), SourcePath("src")).generic_string();
    f.folder = f.path.substr(0, f.path.find('/'));
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) f.lines.push_back(line);
    files.push_back(std::move(f));
  }
  return files;
}

// The project's own includes of a file: `#include "folder/name.h"`.
std::vector<std::string> ProjectIncludes(const SourceFile& f) {
  static const std::regex kInclude(R"re(^\s*#\s*include\s*"([^"]+)")re");
  std::vector<std::string> out;
  std::smatch m;
  for (const std::string& line : f.lines) {
    if (std::regex_search(line, m, kInclude)) out.push_back(m[1]);
  }
  return out;
}

// The violations of the layering among `files`, one line each.
std::vector<std::string> LayerViolations(const std::vector<SourceFile>& files) {
  std::vector<std::string> problems;
  for (const SourceFile& f : files) {
    int own = LayerIndex(f.folder);
    if (own < 0) {
      problems.push_back(f.path + ": not in a layer folder");
      continue;
    }
    for (const std::string& inc : ProjectIncludes(f)) {
      size_t slash = inc.find('/');
      if (slash == std::string::npos) {
        problems.push_back(f.path + ": includes \"" + inc + "\" without its folder");
        continue;
      }
      int theirs = LayerIndex(inc.substr(0, slash));
      if (theirs < 0) {
        problems.push_back(f.path + ": includes \"" + inc + "\" from no layer");
      } else if (theirs > own) {
        problems.push_back(f.path + ": includes \"" + inc + "\" from a later layer");
      }
    }
  }
  return problems;
}

}  // namespace

TEST_CASE("no source file includes from a later layer") {
  std::vector<SourceFile> files = SourceFiles();
  REQUIRE(files.size() > 50);
  std::vector<std::string> problems = LayerViolations(files);
  INFO([&] {
    std::string all;
    for (const std::string& p : problems) all += p + "\n";
    return all;
  }());
  CHECK(problems.empty());
}

TEST_CASE("the layering check catches an upward include") {
  // The same check over made-up files: a grade file that reaches into report must be caught, and
  // one that includes packet must not.
  SourceFile up{"grade/verify.cc", "grade", {"#include \"report/report_json.h\""}};
  SourceFile down{"grade/verify.cc", "grade", {"#include \"packet/ip.h\"", "#include <map>"}};
  SourceFile bare{"run/x.cc", "run", {"#include \"ip.h\""}};
  CHECK(LayerViolations({up}).size() == 1);
  CHECK(LayerViolations({down}).empty());
  CHECK(LayerViolations({bare}).size() == 1);
}

TEST_CASE("no source file stands directly in src/, none is past 600 lines, commands are thin") {
  for (const auto& entry : fs::directory_iterator(SourcePath("src"))) {
    std::string ext = entry.path().extension().string();
    INFO(entry.path().string());
    CHECK_FALSE((entry.is_regular_file() && (ext == ".cc" || ext == ".h")));
  }
  for (const SourceFile& f : SourceFiles()) {
    INFO(f.path << ": " << f.lines.size() << " lines");
    CHECK(f.lines.size() <= 600);
    if (f.folder == "cli" && f.path.size() > 11 &&
        f.path.compare(f.path.size() - 11, 11, "_command.cc") == 0) {
      CHECK(f.lines.size() <= 200);
    }
  }
}
