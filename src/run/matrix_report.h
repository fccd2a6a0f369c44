// The report of a matrix run (DESIGN section 6, "Comparing runs"): one JSON document
// {"schema": "llmstack-replay.matrix/1", "tool", "run", "cells": [...]} where each cell is the
// complete report of that cell's run (as a single run's, without "schema" and "tool") with its
// "cell" name, which `compare FILE#CELL` reads.
#ifndef LLMSTACK_RUN_MATRIX_REPORT_H_
#define LLMSTACK_RUN_MATRIX_REPORT_H_

#include <string>
#include <vector>

#include "report/run_results.h"

namespace llmstack {

inline constexpr const char* kMatrixReportSchema = "llmstack-replay.matrix/1";

struct MatrixCellResults {
  std::string name;  // from MatrixCellNames()
  RunInfo info;
  RunSummary summary;
  std::vector<PacketResult> packets;
};

// The run as a whole ("run": the command, input, profile, times, whether it was interrupted,
// and the cells' names in order) and every cell's report.
std::string RenderMatrixReport(const std::vector<MatrixCellResults>& cells);

}  // namespace llmstack

#endif  // LLMSTACK_RUN_MATRIX_REPORT_H_
