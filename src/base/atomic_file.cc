#include "base/atomic_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace llmstack {

Result<AtomicFile> AtomicFile::Create(const std::string& path) {
  std::string dir = ".";
  std::string base = path;
  size_t slash = path.rfind('/');
  if (slash != std::string::npos) {
    dir = slash == 0 ? "/" : path.substr(0, slash);
    base = path.substr(slash + 1);
  }
  if (base.empty()) return InvalidArgument(path + ": not a file name");
  std::string temp = (dir == "/" ? "" : dir) + "/." + base + ".tmp-XXXXXX";
  int fd = mkstemp(temp.data());
  if (fd < 0)
    return IoError(path + ": cannot create a file in " + dir + ": " + std::strerror(errno));
  FILE* file = fdopen(fd, "wb");
  if (file == nullptr) {
    close(fd);
    unlink(temp.c_str());
    return IoError(path + ": " + std::strerror(errno));
  }
  return AtomicFile(path, temp, file);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)), temp_(std::move(other.temp_)), file_(other.file_) {
  other.file_ = nullptr;
  other.temp_.clear();
}

AtomicFile::~AtomicFile() {
  if (file_ != nullptr) fclose(file_);
  if (!temp_.empty()) unlink(temp_.c_str());
}

Status AtomicFile::Write(std::string_view data) {
  if (file_ == nullptr) return IoError(path_ + ": already closed");
  if (fwrite(data.data(), 1, data.size(), file_) != data.size()) {
    return IoError(path_ + ": write failed: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status AtomicFile::Commit() {
  if (file_ == nullptr) return IoError(path_ + ": already closed");
  mode_t mask = umask(0);
  umask(mask);
  bool ok = fflush(file_) == 0 && fchmod(fileno(file_), 0666 & ~mask) == 0;
  int error = errno;
  ok = fclose(file_) == 0 && ok;
  file_ = nullptr;
  if (!ok) return IoError(path_ + ": write failed: " + std::strerror(error));
  if (rename(temp_.c_str(), path_.c_str()) != 0) {
    return IoError(path_ + ": cannot rename into place: " + std::strerror(errno));
  }
  temp_.clear();
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, std::string_view content) {
  Result<AtomicFile> file = AtomicFile::Create(path);
  if (!file.ok()) return file.status();
  Status s = file->Write(content);
  if (!s.ok()) return s;
  return file->Commit();
}

}  // namespace llmstack
