#include "base/input_copy.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace llmstack {

Result<InputCopy> InputCopy::Of(const std::string& path) {
  struct stat st;
  if (path != "-" && (stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
    return InputCopy(path, "");  // read where it is (its reader names any problem)
  }
  int in = path == "-" ? dup(0) : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return IoError(path + ": " + std::strerror(errno));
  const char* dir = getenv("TMPDIR");
  std::string temp = std::string(dir && *dir ? dir : "/tmp") + "/llmstack-replay-input-XXXXXX";
  int out = mkostemp(temp.data(), O_CLOEXEC);
  if (out < 0) {
    int e = errno;
    close(in);
    return IoError(path + ": cannot make a copy to read it twice: " + std::strerror(e));
  }
  InputCopy copy(temp, temp);
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      close(in);
      close(out);
      return IoError(path + ": " + std::strerror(e));
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, buf + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        int e = errno;
        close(in);
        close(out);
        return IoError(path + ": cannot copy it to " + temp + ": " + std::strerror(e));
      }
      done += w;
    }
  }
  close(in);
  close(out);
  return copy;
}

InputCopy::InputCopy(InputCopy&& other) noexcept
    : path_(std::move(other.path_)), temp_(std::move(other.temp_)) {
  other.temp_.clear();
}

InputCopy::~InputCopy() {
  if (!temp_.empty()) unlink(temp_.c_str());
}

}  // namespace llmstack
