// Inputs that must be read more than once (the main job reads its capture once to refuse a
// damaged one before anything is asked, and again to run): standard input ("-") and other
// streams (a FIFO, a process substitution) are copied to a temporary file first. A regular file
// is used where it is.
#ifndef LLMSTACK_BASE_INPUT_COPY_H_
#define LLMSTACK_BASE_INPUT_COPY_H_

#include <string>

#include "base/status.h"

namespace llmstack {

class InputCopy {
 public:
  // Errors: kIoError naming `path` (cannot be opened or read, or the copy cannot be written).
  static Result<InputCopy> Of(const std::string& path);
  InputCopy(InputCopy&& other) noexcept;
  InputCopy& operator=(InputCopy&&) = delete;
  ~InputCopy();  // removes the copy

  // A path that can be opened again and again.
  const std::string& path() const { return path_; }
  bool copied() const { return !temp_.empty(); }

 private:
  InputCopy(std::string path, std::string temp) : path_(std::move(path)), temp_(std::move(temp)) {}
  std::string path_;
  std::string temp_;
};

}  // namespace llmstack

#endif  // LLMSTACK_BASE_INPUT_COPY_H_
