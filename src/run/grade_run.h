// The `grade` loop: replies already given are graded with no model, from one of three places:
// the capture itself (requests and replies paired as they come, DESIGN §5 "Pairing replies"),
// a second capture (paired with the requests read before), or a text file of hex replies, one
// line per request in request order ('#' starts a comment; an empty line means no reply).
#ifndef LLMSTACK_RUN_GRADE_RUN_H_
#define LLMSTACK_RUN_GRADE_RUN_H_

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "grade/profile.h"
#include "report/run_results.h"

namespace llmstack {

struct GradeOptions {
  std::string capture;                 // a capture file, a stream, or "-" for standard input
  std::optional<std::string> replies;  // a capture, or a text file of hex lines (or a stream)
  Profile profile = Profile::kRfc;
  std::vector<std::string> reports;
  bool quiet = false;  // no per-request lines
};

// Grades, printing the heading, a line per request (unless quiet) and the summary to `out`,
// then writes the reports. Returns the summary (its ExitCode() is the command's).
// Errors (the message names the file): an unreadable or damaged capture or replies file, a
// replies file with more replies than requests, a report that cannot be written.
Result<RunSummary> RunGrade(const GradeOptions& options, FILE* out);

}  // namespace llmstack

#endif  // LLMSTACK_RUN_GRADE_RUN_H_
