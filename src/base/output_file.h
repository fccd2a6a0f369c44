// Output files (captures, reports, cache entries), written so that nothing is ever replaced
// that should not be (DESIGN section 3, "Output paths"):
//
//  * "-" is standard output, written in place;
//  * a symbolic link is followed: its target is what gets written;
//  * a regular file, or a new one, is written to a temporary file beside it and renamed into
//    place on Commit(), so a failed run never leaves a half-written file behind a good name;
//  * anything else (/dev/null, /dev/stdout, a terminal, a FIFO) is written in place and never
//    renamed over.
//
// CheckOutputPaths() refuses, before anything is asked or written, every output that cannot be
// written and every clash: an output that is an input, or two outputs that are the same file.
#ifndef LLMSTACK_BASE_OUTPUT_FILE_H_
#define LLMSTACK_BASE_OUTPUT_FILE_H_

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace llmstack {

class OutputFile {
 public:
  // Opens `path` as above. Errors: kIoError naming the path and its problem (a directory, a
  // directory that does not exist or cannot be written).
  static Result<OutputFile> Open(const std::string& path);
  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&&) = delete;
  OutputFile(const OutputFile&) = delete;
  ~OutputFile();  // removes the temporary file unless committed

  FILE* file() { return file_; }
  const std::string& path() const { return path_; }  // as given
  bool in_place() const { return temp_.empty(); }
  Status Write(std::string_view data);
  Status Flush();
  // Finishes the file: flushes it and, for a temporary file, gives it the usual mode (0666 less
  // the umask; mkstemp makes it 0600) and renames it over its target.
  Status Commit();

 private:
  OutputFile(std::string path, std::string target, std::string temp, FILE* file)
      : path_(std::move(path)), target_(std::move(target)), temp_(std::move(temp)), file_(file) {}
  std::string path_;
  std::string target_;  // the symlink's target, or the path
  std::string temp_;    // empty when written in place
  FILE* file_ = nullptr;
};

// Writes a whole file as above.
Status WriteOutputFile(const std::string& path, std::string_view content);

// A path and what it is for the user ("the output capture", "the report", "the journal").
struct NamedPath {
  std::string path;
  std::string what;
};

// Checks every output before the first request: it can be written (its directory exists and is
// writable; it is not a directory), it is not one of the inputs, and no two outputs are the same
// file (two writes to one character device, such as /dev/null, are fine). Errors:
// kInvalidArgument with one line naming the path and the problem.
Status CheckOutputPaths(const std::vector<NamedPath>& inputs,
                        const std::vector<NamedPath>& outputs);

}  // namespace llmstack

#endif  // LLMSTACK_BASE_OUTPUT_FILE_H_
