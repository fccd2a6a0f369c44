// Reading the runs that `compare` is given: JSON reports of single runs, or cells of a matrix
// report named FILE#CELL (a matrix report given alone means all its cells).
#ifndef LLMSTACK_RUN_COMPARE_H_
#define LLMSTACK_RUN_COMPARE_H_

#include <string>
#include <vector>

#include "base/status.h"
#include "report/comparison.h"

namespace llmstack {

// Errors: kInvalidArgument / kIoError naming the file and the problem (not a report, no such
// cell, unreadable).
Result<std::vector<ComparedRun>> LoadComparedRuns(const std::vector<std::string>& args);

// Every cell of the matrix report `text` (as RenderMatrixReport writes it), each named
// `name`#CELL (CELL alone when `name` is empty). Errors: kInvalidArgument when it is not a matrix
// report.
Result<std::vector<ComparedRun>> ComparedMatrixCells(const std::string& text,
                                                     const std::string& name);

// Every pair of runs, in the order given (A vs B, A vs C, B vs C).
std::vector<Comparison> CompareAll(const std::vector<ComparedRun>& runs);

}  // namespace llmstack

#endif  // LLMSTACK_RUN_COMPARE_H_
