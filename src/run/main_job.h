// The main job's options and the steps a single run and each cell of a matrix run share:
// reading the capture once to count its requests, opening a cell's model session and
// describing its run, and the output capture's description.
#ifndef LLMSTACK_RUN_MAIN_JOB_H_
#define LLMSTACK_RUN_MAIN_JOB_H_

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "grade/profile.h"
#include "model/model_session.h"
#include "packet/capture_writer.h"
#include "report/run_results.h"
#include "run/replay_run.h"

namespace llmstack {

struct ReplayOptions {
  std::string input;
  std::string output;
  SessionOptions session;
  // -m and -p as given (repeatable): more than one model or prompt makes a matrix run of every
  // model x prompt. With at most one of each, session.backend.model and session.prompt_path
  // hold them.
  std::vector<std::string> models;
  std::vector<std::string> prompts;
  Profile profile = Profile::kRfc;
  int samples = 1;
  std::vector<std::string> reports;
  bool replies_only = false;
  bool include_negatives = false;
  bool quiet = false;
  bool no_progress = false;
};

// Reads the whole capture once so that a damaged file is refused before anything is asked
// or written. Returns the number of echo requests.
Result<uint64_t> CountRequests(const std::string& path);

// Opens the model session for `cell` (the run's session options with one model and prompt)
// over a capture of `requests` requests, its copy at `capture_copy`, and fills in what `info`
// says of the run: the model, prompt, settings, replayed run and the capture's hash. Warnings
// go to `err`. Errors: those of ModelSession::Open.
Result<std::unique_ptr<ModelSession>> OpenCellSession(const ReplayOptions& o,
                                                      const SessionOptions& cell, uint64_t requests,
                                                      const std::string& capture_copy,
                                                      RunInfo* info, FILE* err);

// Opens the run's journal (--journal; with --resume, checks it is this run's and reopens it)
// for `sessions`, named `cells` in a matrix run (empty for a single run); its notes go to `err`
// as warnings. Errors: ReplayRunIdentity's and AttachRunJournal's.
Status OpenRunJournal(const ReplayOptions& o, const std::string& capture_copy,
                      const std::vector<ModelSession*>& sessions,
                      const std::vector<std::string>& cells, FILE* err);

// The loop's options from the main job's.
ReplayRunOptions RunOptionsOf(const ReplayOptions& o);

// After `run` ran over `stream` (`ran`, what Run returned): the output capture finished, the
// samples closed and the summary's counts filled in (`capture_requests`, the capture's echo
// requests, tells how many an interrupted run did not reach). Errors: Run's (the input named
// unless it is an output error), then the writer's.
Status FinishReplayRun(const ReplayOptions& o, const ReplayRun& run, const Status& ran,
                       const PacketStream& stream, uint64_t capture_requests, CaptureWriter* writer,
                       ResultSink* sink);

// The output capture's description of a replay of `input` described by `info`.
CaptureDescription DescribeReplayCapture(const RunInfo& info, const std::string& input);

// The exit code of several runs (DESIGN section 3): 2 beats 3 beats 1 beats 0.
int WorstExitCode(int a, int b);

}  // namespace llmstack

#endif  // LLMSTACK_RUN_MAIN_JOB_H_
