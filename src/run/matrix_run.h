// A matrix run of the main job (DESIGN section 3): every model x prompt given with repeated -m
// and -p is a cell, run one after another over the same capture with the same options, each a
// full ReplayRun. Each cell writes its own output capture (out.CELL.pcapng); the cells share
// the journal (its lines naming the cell, --resume skipping what each cell already has); the
// terminal lines start with "[CELL] "; -r x.json writes one llmstack-replay.matrix/1 report,
// -r x.html and x.md the comparison leaderboard of the cells.
#ifndef LLMSTACK_RUN_MATRIX_RUN_H_
#define LLMSTACK_RUN_MATRIX_RUN_H_

#include <cstdio>

#include "run/main_job.h"

namespace llmstack {

// Runs every cell. Returns the worst exit code over the cells (2 beats 3 beats 1 beats 0), or
// 130 when interrupted (the cells finished so far, and what the interrupted one finished, are
// written). Everything is checked before the first request: every output path, -o - refused
// (one stream cannot hold several captures), reports other than .json, .html and .md refused.
int RunMatrix(const ReplayOptions& options, FILE* out, FILE* err);

}  // namespace llmstack

#endif  // LLMSTACK_RUN_MATRIX_RUN_H_
