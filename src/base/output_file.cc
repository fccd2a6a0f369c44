#include "base/output_file.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace llmstack {

namespace {

std::string Errno() { return std::strerror(errno); }

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string BaseOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Follows symbolic links (also dangling ones, to the file they would create). Stops after a
// bounded number, as the kernel does (ELOOP).
Result<std::string> FollowLinks(const std::string& path) {
  std::string current = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st;
    if (lstat(current.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return current;
    char target[PATH_MAX];
    ssize_t n = readlink(current.c_str(), target, sizeof target - 1);
    if (n < 0) return IoError(path + ": " + Errno());
    target[n] = '\0';
    std::string next(target, static_cast<size_t>(n));
    current = next.front() == '/' ? next : DirectoryOf(current) + "/" + next;
  }
  return IoError(path + ": too many levels of symbolic links");
}

// What a path names, for telling whether two paths are one file.
struct Identity {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  bool char_device = false;
  std::string canonical;  // for a file that does not exist yet: its directory's real path + name
};

std::optional<Identity> IdentityOf(const std::string& path, bool output) {
  Identity id;
  struct stat st;
  int rc = path == "-" ? fstat(output ? 1 : 0, &st) : stat(path.c_str(), &st);
  if (rc == 0) {
    id.exists = true;
    id.dev = st.st_dev;
    id.ino = st.st_ino;
    id.char_device = S_ISCHR(st.st_mode);
    return id;
  }
  Result<std::string> target = FollowLinks(path);
  if (!target.ok()) return std::nullopt;
  char dir[PATH_MAX];
  if (realpath(DirectoryOf(*target).c_str(), dir) == nullptr) return std::nullopt;
  id.canonical = std::string(dir) + "/" + BaseOf(*target);
  return id;
}

bool Same(const Identity& a, const Identity& b) {
  if (a.exists != b.exists) return false;
  if (a.exists) return a.dev == b.dev && a.ino == b.ino;
  return a.canonical == b.canonical;
}

// Whether `path` can be written: an existing file that is not a directory, or a new file in a
// directory that exists and is writable.
Status CheckWritable(const NamedPath& p) {
  if (p.path.empty()) return InvalidArgument(p.what + ": empty path");
  if (p.path == "-") return Status::Ok();
  Result<std::string> target = FollowLinks(p.path);
  if (!target.ok()) return InvalidArgument(target.status().message());
  struct stat st;
  if (stat(target->c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return InvalidArgument(p.path + ": is a directory, not a file (" + p.what + ")");
    if (!S_ISREG(st.st_mode)) {
      if (access(target->c_str(), W_OK) != 0) return InvalidArgument(p.path + ": " + Errno());
      return Status::Ok();
    }
    if (access(target->c_str(), W_OK) != 0) {
      return InvalidArgument(p.path + ": cannot be written (" + p.what + "): " + Errno());
    }
  }
  std::string dir = DirectoryOf(*target);
  if (stat(dir.c_str(), &st) != 0) {
    return InvalidArgument(p.path + ": directory " + dir + " does not exist (" + p.what + ")");
  }
  if (!S_ISDIR(st.st_mode)) return InvalidArgument(p.path + ": " + dir + " is not a directory");
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    return InvalidArgument(p.path + ": cannot write in " + dir + " (" + p.what + "): " + Errno());
  }
  if (BaseOf(*target).empty()) return InvalidArgument(p.path + ": not a file name");
  return Status::Ok();
}

}  // namespace

Result<OutputFile> OutputFile::Open(const std::string& path) {
  if (path == "-") {
    int fd = dup(1);
    FILE* file = fd >= 0 ? fdopen(fd, "wb") : nullptr;
    if (file == nullptr) {
      if (fd >= 0) close(fd);
      return IoError("-: standard output: " + Errno());
    }
    return OutputFile(path, path, "", file);
  }
  Result<std::string> target = FollowLinks(path);
  if (!target.ok()) return target.status();
  struct stat st;
  if (stat(target->c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) return IoError(path + ": is a directory");
    // A device or FIFO: written in place, never replaced.
    int fd = open(target->c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    FILE* file = fd >= 0 ? fdopen(fd, "wb") : nullptr;
    if (file == nullptr) {
      if (fd >= 0) close(fd);
      return IoError(path + ": " + Errno());
    }
    return OutputFile(path, *target, "", file);
  }
  std::string dir = DirectoryOf(*target);
  std::string base = BaseOf(*target);
  if (base.empty()) return IoError(path + ": not a file name");
  std::string temp = (dir == "/" ? "" : dir) + "/." + base + ".tmp-XXXXXX";
  int fd = mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return IoError(path + ": cannot create a file in " + dir + ": " + Errno());
  FILE* file = fdopen(fd, "wb");
  if (file == nullptr) {
    close(fd);
    unlink(temp.c_str());
    return IoError(path + ": " + Errno());
  }
  return OutputFile(path, *target, temp, file);
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : path_(std::move(other.path_)),
      target_(std::move(other.target_)),
      temp_(std::move(other.temp_)),
      file_(other.file_) {
  other.file_ = nullptr;
  other.temp_.clear();
}

OutputFile::~OutputFile() {
  if (file_ != nullptr) fclose(file_);
  if (!temp_.empty()) unlink(temp_.c_str());
}

Status OutputFile::Write(std::string_view data) {
  if (file_ == nullptr) return IoError(path_ + ": already closed");
  if (fwrite(data.data(), 1, data.size(), file_) != data.size()) {
    return IoError(path_ + ": write failed: " + Errno());
  }
  return Status::Ok();
}

Status OutputFile::Flush() {
  if (file_ == nullptr) return IoError(path_ + ": already closed");
  if (fflush(file_) != 0) return IoError(path_ + ": write failed: " + Errno());
  return Status::Ok();
}

Status OutputFile::Commit() {
  if (file_ == nullptr) return IoError(path_ + ": already closed");
  bool ok = fflush(file_) == 0;
  if (!temp_.empty()) {
    mode_t mask = umask(0);
    umask(mask);
    ok = fchmod(fileno(file_), 0666 & ~mask) == 0 && ok;
  }
  int error = errno;
  ok = fclose(file_) == 0 && ok;
  file_ = nullptr;
  if (!ok) return IoError(path_ + ": write failed: " + std::strerror(error));
  if (temp_.empty()) return Status::Ok();
  if (rename(temp_.c_str(), target_.c_str()) != 0) {
    return IoError(path_ + ": cannot rename into place: " + Errno());
  }
  temp_.clear();
  return Status::Ok();
}

Status WriteOutputFile(const std::string& path, std::string_view content) {
  Result<OutputFile> file = OutputFile::Open(path);
  if (!file.ok()) return file.status();
  Status s = file->Write(content);
  if (!s.ok()) return s;
  return file->Commit();
}

Status CheckOutputPaths(const std::vector<NamedPath>& inputs,
                        const std::vector<NamedPath>& outputs) {
  std::vector<std::pair<const NamedPath*, std::optional<Identity>>> seen;
  for (const NamedPath& in : inputs) seen.push_back({&in, IdentityOf(in.path, false)});
  const size_t input_count = seen.size();
  for (const NamedPath& out : outputs) {
    Status writable = CheckWritable(out);
    if (!writable.ok()) return writable;
    std::optional<Identity> id = IdentityOf(out.path, true);
    if (!id) continue;
    for (size_t i = 0; i < seen.size(); ++i) {
      const auto& [other, other_id] = seen[i];
      if (!other_id || !Same(*id, *other_id)) continue;
      if (i >= input_count && id->char_device) continue;                       // /dev/null twice
      if (i < input_count && other->path == "-" && out.path == "-") continue;  // stdin, stdout
      return InvalidArgument(out.path + ": " + out.what + " would be the same file as " +
                             other->what + " " + other->path);
    }
    seen.push_back({&out, id});
  }
  return Status::Ok();
}

}  // namespace llmstack
