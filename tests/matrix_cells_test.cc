// The names of a matrix run's cells and their output captures: short, file-safe, distinct.
#include "run/matrix_cells.h"

#include <catch2/catch.hpp>
#include <cctype>

namespace llmstack {
namespace {

TEST_CASE("cell names: model and (when they differ) prompt, file-safe and distinct", "[matrix]") {
  std::vector<std::string> names =
      MatrixCellNames({{"anthropic:claude-haiku-4-5", std::nullopt}, {"openai:flawless", {}}});
  CHECK(names == std::vector<std::string>{"anthropic-claude-haiku-4-5", "openai-flawless"});

  names = MatrixCellNames({{"openai:gpt-5-mini", "prompts/ping-respond.md"},
                           {"openai:gpt-5-mini", "/tmp/my prompt.v2.md"},
                           {"openai:gpt-5-mini", std::nullopt}});
  CHECK(names == std::vector<std::string>{"openai-gpt-5-mini--ping-respond",
                                          "openai-gpt-5-mini--my-prompt.v2",
                                          "openai-gpt-5-mini--default-prompt"});

  // A command line: unsafe characters go, a long name is cut and told apart by a hash.
  names = MatrixCellNames({{"exec:ollama run qwen2.5 --verbose --keepalive 10m --format json", {}},
                           {"exec:ollama run qwen2.5 --verbose --keepalive 10m --format text", {}},
                           {"exec:./a b", {}},
                           {"exec:./a/b", {}}});
  REQUIRE(names.size() == 4);
  CHECK(names[0].size() == 48);
  CHECK(names[1].size() == 48);
  CHECK(names[0] != names[1]);
  CHECK(names[0].rfind("exec-ollama-run-qwen2.5-verbose-", 0) == 0);
  CHECK(names[2] == "exec-.-a-b");
  CHECK(names[3] == "exec-.-a-b-2");
  for (const std::string& n : names) {
    for (char c : n)
      CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'));
  }
}

TEST_CASE("a cell's output capture: out.pcapng becomes out.CELL.pcapng", "[matrix]") {
  CHECK(CellOutputPath("out.pcapng", "a") == "out.a.pcapng");
  CHECK(CellOutputPath("runs/x.y/out.pcap", "a") == "runs/x.y/out.a.pcap");
  CHECK(CellOutputPath("runs/x.y/out", "a") == "runs/x.y/out.a");
  CHECK(CellOutputPath("out", "a") == "out.a");
  CHECK(CellOutputPath(".hidden", "a") == ".hidden.a");
}

}  // namespace
}  // namespace llmstack
