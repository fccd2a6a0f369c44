// Output files written to a temporary name beside the target and renamed into place on
// Commit(), so a failed run never leaves a half-written file behind a good name.
#ifndef LLMSTACK_BASE_ATOMIC_FILE_H_
#define LLMSTACK_BASE_ATOMIC_FILE_H_

#include <cstdio>
#include <string>
#include <string_view>

#include "base/status.h"

namespace llmstack {

class AtomicFile {
 public:
  // Creates the temporary file. Errors: kIoError naming the directory's problem.
  static Result<AtomicFile> Create(const std::string& path);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();  // removes the temporary file unless committed

  FILE* file() { return file_; }
  const std::string& path() const { return path_; }
  Status Write(std::string_view data);
  // Flushes, gives the file the usual mode (0666 less the umask; mkstemp makes it 0600),
  // closes and renames it over `path`.
  Status Commit();

 private:
  AtomicFile(std::string path, std::string temp, FILE* file)
      : path_(std::move(path)), temp_(std::move(temp)), file_(file) {}
  std::string path_;
  std::string temp_;
  FILE* file_ = nullptr;
};

// Writes a whole file atomically.
Status WriteFileAtomically(const std::string& path, std::string_view content);

}  // namespace llmstack

#endif  // LLMSTACK_BASE_ATOMIC_FILE_H_
