#include "model/exec_backend.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "model/extract.h"

extern char** environ;

namespace llmstack {

namespace {

constexpr size_t kMaxStderr = 4096;

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

ExecAttemptRunner::ExecAttemptRunner(std::string command, const PromptTemplate* prompt,
                                     double timeout_s)
    : command_(std::move(command)), prompt_(prompt), timeout_s_(timeout_s) {
  // A command that stops reading its stdin must not kill us with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
}

ExecAttemptRunner::~ExecAttemptRunner() { CancelAll(); }

void ExecAttemptRunner::Start(uint64_t id, const ModelQuery& query) {
  Child c;
  c.started = std::chrono::steady_clock::now();
  c.input = prompt_->Render(*query.request).Full();
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    children_[id] = std::move(c);
    return;  // reaped at once as a failure
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  const char* argv[] = {"/bin/sh", "-c", command_.c_str(), nullptr};
  // Its own process group, so a timeout can stop everything the command started.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  pid_t pid;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  c.stdin_fd = in[1];
  c.stdout_fd = out[0];
  c.stderr_fd = err[0];
  fcntl(c.stdin_fd, F_SETFL, O_NONBLOCK);
  if (rc != 0) {
    CloseFd(c.stdin_fd);
    CloseFd(c.stdout_fd);
    CloseFd(c.stderr_fd);
  } else {
    c.pid = pid;
  }
  children_[id] = std::move(c);
}

AttemptOutcome ExecAttemptRunner::Reap(uint64_t id, Child& c) {
  AttemptOutcome o;
  o.id = id;
  o.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - c.started)
          .count();
  int status = 0;
  if (c.pid > 0) {
    if (c.timed_out || c.too_large) kill(-c.pid, SIGKILL);
    while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  std::string stderr_tail = c.err.substr(0, 300);
  for (char& ch : stderr_tail) {
    if (ch == '\n') ch = ' ';
  }
  if (c.pid <= 0) {
    o.kind = AttemptKind::kFatal;
    o.error = "cannot run the command: " + command_;
  } else if (c.timed_out) {
    o.kind = AttemptKind::kTransient;
    o.error = "command timed out after " + std::to_string(static_cast<int>(timeout_s_)) + " s";
  } else if (c.too_large) {
    o.kind = AttemptKind::kTransient;
    o.error = "command wrote more than " + std::to_string(kMaxAnswerBytes) + " bytes";
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    o.kind = AttemptKind::kTransient;
    o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.error = "command exited with status " + std::to_string(o.status) +
              (stderr_tail.empty() ? "" : ": " + stderr_tail);
  } else {
    o.kind = AttemptKind::kAnswer;
    o.answer.text = std::move(c.out);
  }
  return o;
}

std::vector<AttemptOutcome> ExecAttemptRunner::Poll(double timeout_s) {
  std::vector<AttemptOutcome> done;
  std::vector<pollfd> fds;
  std::vector<std::pair<uint64_t, int>> owners;  // id, which stream (0 in, 1 out, 2 err)
  for (auto& [id, c] : children_) {
    if (c.stdin_fd >= 0) {
      fds.push_back({c.stdin_fd, POLLOUT, 0});
      owners.push_back({id, 0});
    }
    if (c.stdout_fd >= 0) {
      fds.push_back({c.stdout_fd, POLLIN, 0});
      owners.push_back({id, 1});
    }
    if (c.stderr_fd >= 0) {
      fds.push_back({c.stderr_fd, POLLIN, 0});
      owners.push_back({id, 2});
    }
  }
  if (!fds.empty()) {
    int wait_ms = static_cast<int>(std::min(timeout_s, 0.25) * 1000);
    poll(fds.data(), fds.size(), wait_ms);
  }
  char buf[65536];
  for (size_t i = 0; i < fds.size(); ++i) {
    if (fds[i].revents == 0) continue;
    Child& c = children_[owners[i].first];
    int which = owners[i].second;
    if (which == 0) {
      ssize_t n = write(c.stdin_fd, c.input.data() + c.written, c.input.size() - c.written);
      if (n > 0) c.written += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN) c.written = c.input.size();
      if (c.written >= c.input.size()) CloseFd(c.stdin_fd);
      continue;
    }
    int& fd = which == 1 ? c.stdout_fd : c.stderr_fd;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) {
      if (n == 0 || errno != EAGAIN) CloseFd(fd);
      continue;
    }
    std::string& sink = which == 1 ? c.out : c.err;
    if (which == 2 && sink.size() >= kMaxStderr) continue;
    sink.append(buf, static_cast<size_t>(n));
    if (which == 1 && sink.size() > kMaxAnswerBytes) c.too_large = true;
  }
  auto now = std::chrono::steady_clock::now();
  for (auto it = children_.begin(); it != children_.end();) {
    Child& c = it->second;
    if (std::chrono::duration<double>(now - c.started).count() > timeout_s_) c.timed_out = true;
    bool finished =
        c.pid <= 0 || (c.stdout_fd < 0 && c.stderr_fd < 0) || c.timed_out || c.too_large;
    if (!finished) {
      ++it;
      continue;
    }
    CloseFd(c.stdin_fd);
    CloseFd(c.stdout_fd);
    CloseFd(c.stderr_fd);
    done.push_back(Reap(it->first, c));
    it = children_.erase(it);
  }
  return done;
}

void ExecAttemptRunner::CancelAll() {
  for (auto& [id, c] : children_) {
    if (c.pid > 0) {
      kill(-c.pid, SIGKILL);
      waitpid(c.pid, nullptr, 0);
    }
    CloseFd(c.stdin_fd);
    CloseFd(c.stdout_fd);
    CloseFd(c.stderr_fd);
  }
  children_.clear();
}

}  // namespace llmstack
