// The cells of a matrix run (DESIGN section 3): one per model x prompt, each named by a short
// file-safe name made of its model and prompt, which the terminal lines, the journal lines,
// the report ("cell") and the cell's own output capture (out.CELL.pcapng) carry.
#ifndef LLMSTACK_RUN_MATRIX_CELLS_H_
#define LLMSTACK_RUN_MATRIX_CELLS_H_

#include <optional>
#include <string>
#include <vector>

namespace llmstack {

struct MatrixCellSpec {
  std::string model;                  // backend spec, "anthropic:claude-haiku-4-5"
  std::optional<std::string> prompt;  // the prompt's path, none for the built-in one
};

// One name per cell, in order, all different: the model spec and (when the cells differ by
// prompt) the prompt file's stem, joined by "--", every character outside [A-Za-z0-9._-]
// made '-', runs of '-' made one; a name longer than 48 characters is cut and ends in 8 hex
// digits of the SHA-256 of what it was made from; a name already taken gets "-2", "-3", ...
// ("anthropic:claude-haiku-4-5" with prompts/ping-respond.md: "anthropic-claude-haiku-4-5--
// ping-respond").
std::vector<std::string> MatrixCellNames(const std::vector<MatrixCellSpec>& cells);

// The output capture of the cell `cell` for `-o path`: "out.pcapng" becomes
// "out.CELL.pcapng", "out" becomes "out.CELL" (only the last component's last dot counts).
std::string CellOutputPath(const std::string& path, const std::string& cell);

}  // namespace llmstack

#endif  // LLMSTACK_RUN_MATRIX_CELLS_H_
