#include "run/matrix_cells.h"

#include "base/sha256.h"

namespace llmstack {

namespace {

constexpr size_t kLongestName = 48;

bool IsSafe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Every unsafe character made '-', runs of '-' made one, none at either end.
std::string Safe(const std::string& text) {
  std::string out;
  for (char c : text) {
    char safe = IsSafe(c) ? c : '-';
    if (safe == '-' && (out.empty() || out.back() == '-')) continue;
    out.push_back(safe);
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string PromptStem(const std::optional<std::string>& prompt) {
  if (!prompt) return "default-prompt";
  std::string name = prompt->substr(prompt->find_last_of('/') + 1);
  size_t dot = name.rfind('.');
  if (dot != std::string::npos && dot > 0) name.resize(dot);
  return name;
}

}  // namespace

std::vector<std::string> MatrixCellNames(const std::vector<MatrixCellSpec>& cells) {
  bool prompts_differ = false;
  for (const MatrixCellSpec& c : cells) prompts_differ |= c.prompt != cells.front().prompt;
  std::vector<std::string> names;
  for (const MatrixCellSpec& c : cells) {
    std::string made_of = c.model + (prompts_differ ? "\n" + c.prompt.value_or("") : "");
    std::string name = Safe(c.model);
    if (prompts_differ) name += "--" + Safe(PromptStem(c.prompt));
    if (name.empty()) name = "cell";
    if (name.size() > kLongestName) {
      name = name.substr(0, kLongestName - 9) + "-" + Sha256Hex(made_of).substr(0, 8);
    }
    std::string unique = name;
    for (int n = 2;; ++n) {
      bool taken = false;
      for (const std::string& other : names) taken |= other == unique;
      if (!taken) break;
      unique = name + "-" + std::to_string(n);
    }
    names.push_back(std::move(unique));
  }
  return names;
}

std::string CellOutputPath(const std::string& path, const std::string& cell) {
  size_t base = path.find_last_of('/');
  base = base == std::string::npos ? 0 : base + 1;
  size_t dot = path.rfind('.');
  if (dot == std::string::npos || dot <= base) return path + "." + cell;
  return path.substr(0, dot) + "." + cell + path.substr(dot);
}

}  // namespace llmstack
