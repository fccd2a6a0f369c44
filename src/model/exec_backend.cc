#include "model/exec_backend.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <vector>

#include "base/interrupt.h"
#include "model/extract.h"

extern char** environ;

namespace llmstack {

namespace {

constexpr size_t kMaxStderr = 4096;
// After the system ran out of descriptors or processes, the next try to start a command.
constexpr auto kStartRetryDelay = std::chrono::milliseconds(50);
// Without a pidfd, how often to look whether a command that holds no pipe has exited.
constexpr double kExitCheckS = 0.02;

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// The system is out of descriptors or processes: wait, it is not the command's fault.
bool OutOfResources(int error) {
  return error == EMFILE || error == ENFILE || error == EAGAIN || error == ENOMEM;
}

int OpenExitFd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));  // close-on-exec by default
#else
  (void)pid;
  return -1;
#endif
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
  waiting_.push_back({id, prompt_->Render(*query.request).Full()});
  if (waiting_.size() > 1 || Clock::now() < next_start_try_) return;  // in order, later
  std::optional<AttemptOutcome> failure;
  if (!TryStart(id, waiting_.front().input, &failure)) {
    next_start_try_ = Clock::now() + kStartRetryDelay;
    return;
  }
  waiting_.pop_front();
  if (failure) failed_to_start_.push_back(std::move(*failure));
}

bool ExecAttemptRunner::TryStart(uint64_t id, std::string& input,
                                 std::optional<AttemptOutcome>* failure) {
  int pipes[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
  auto close_all = [&] {
    for (auto& p : pipes) {
      CloseFd(p[0]);
      CloseFd(p[1]);
    }
  };
  auto fail = [&](int error) {
    AttemptOutcome o;
    o.id = id;
    o.kind = AttemptKind::kUnavailable;
    o.error = "cannot start /bin/sh for the command: " + std::string(std::strerror(error));
    *failure = std::move(o);
    return true;
  };
  for (auto& p : pipes) {
    if (pipe2(p, O_CLOEXEC) != 0) {
      int error = errno;
      close_all();
      if (OutOfResources(error)) return false;
      return fail(error);
    }
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipes[0][0], 0);
  posix_spawn_file_actions_adddup2(&actions, pipes[1][1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipes[2][1], 2);
  const char* argv[] = {"/bin/sh", "-c", command_.c_str(), nullptr};
  // Its own process group, so a timeout can stop everything the command started.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) {
    close_all();
    if (OutOfResources(rc)) return false;
    return fail(rc);
  }
  WatchProcessGroup(pid);
  Child c;
  c.pid = pid;
  c.started = Clock::now();
  c.input = std::move(input);
  c.stdin_fd = pipes[0][1];
  c.stdout_fd = pipes[1][0];
  c.stderr_fd = pipes[2][0];
  pipes[0][1] = pipes[1][0] = pipes[2][0] = -1;
  close_all();  // the child's ends
  fcntl(c.stdin_fd, F_SETFL, O_NONBLOCK);
  c.exit_fd = OpenExitFd(pid);
  children_[id] = std::move(c);
  return true;
}

bool ExecAttemptRunner::HasExited(const Child& c) const {
  siginfo_t info{};
  // WNOWAIT: the shell stays a zombie, so its process group id cannot be reused before the
  // group is killed.
  return waitid(P_PID, static_cast<id_t>(c.pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == c.pid;
}

AttemptOutcome ExecAttemptRunner::Reap(uint64_t id, Child& c) {
  AttemptOutcome o;
  o.id = id;
  o.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - c.started).count();
  // Whatever still runs or still holds the pipes goes with the group.
  bool pipes_held = c.stdout_fd >= 0 || c.stderr_fd >= 0;
  if (!c.exited || pipes_held || c.timed_out || c.too_large) kill(-c.pid, SIGKILL);
  CloseFd(c.stdin_fd);
  CloseFd(c.stdout_fd);
  CloseFd(c.stderr_fd);
  CloseFd(c.exit_fd);
  int status = 0;
  while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  ForgetProcessGroup(c.pid);
  std::string stderr_tail = c.err.substr(0, 300);
  for (char& ch : stderr_tail) {
    if (ch == '\n') ch = ' ';
  }
  std::string said = stderr_tail.empty() ? "" : ": " + stderr_tail;
  if (c.timed_out) {
    o.kind = AttemptKind::kTransient;
    o.error = "command timed out after " + std::to_string(static_cast<int>(timeout_s_)) + " s";
  } else if (c.too_large) {
    o.kind = AttemptKind::kTransient;
    o.error = "command wrote more than " + std::to_string(kMaxAnswerBytes) + " bytes";
  } else if (WIFEXITED(status) && (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127)) {
    // The shell's own statuses: the command cannot be run, or was not found (POSIX sh, "Exit
    // Status"). Trying again cannot help.
    o.kind = AttemptKind::kUnavailable;
    o.status = WEXITSTATUS(status);
    o.error = std::string("the command ") + (o.status == 127 ? "was not found" : "cannot be run") +
              " (exit " + std::to_string(o.status) + ")" + said;
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    o.kind = AttemptKind::kTransient;
    o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.error = "command exited with status " + std::to_string(o.status) + said;
  } else {
    o.kind = AttemptKind::kAnswer;
    o.answer.text = std::move(c.out);
  }
  return o;
}

std::vector<AttemptOutcome> ExecAttemptRunner::Poll(double timeout_s) {
  std::vector<AttemptOutcome> done = std::move(failed_to_start_);
  failed_to_start_.clear();
  auto now = Clock::now();
  // Start what waited for descriptors or processes, in order.
  while (!waiting_.empty() && now >= next_start_try_) {
    std::optional<AttemptOutcome> failure;
    if (!TryStart(waiting_.front().id, waiting_.front().input, &failure)) {
      next_start_try_ = now + kStartRetryDelay;
      break;
    }
    waiting_.pop_front();
    if (failure) done.push_back(std::move(*failure));
  }

  // Sleep in poll() until a pipe is ready, a command exits, or the next deadline.
  auto seconds_until = [&](Clock::time_point t) {
    return std::chrono::duration<double>(t - now).count();
  };
  double wait = done.empty() ? timeout_s : 0;
  std::vector<pollfd> fds;
  std::vector<std::pair<uint64_t, int>> owners;  // id, which (0 in, 1 out, 2 err, 3 exit)
  for (auto& entry : children_) {
    const uint64_t id = entry.first;  // named apart: a lambda cannot capture a structured binding
    Child& c = entry.second;
    auto watch = [&](int fd, short events, int which) {
      if (fd < 0) return;
      fds.push_back({fd, events, 0});
      owners.push_back({id, which});
    };
    watch(c.stdin_fd, POLLOUT, 0);
    watch(c.stdout_fd, POLLIN, 1);
    watch(c.stderr_fd, POLLIN, 2);
    if (!c.exited) watch(c.exit_fd, POLLIN, 3);
    wait = std::min(wait, seconds_until(c.started) + timeout_s_);
    if (c.exited) {
      wait = std::min(wait, seconds_until(c.exited_at) + kGraceAfterExitS);
    } else if (c.exit_fd < 0) {
      wait = std::min(wait, kExitCheckS);
    }
  }
  if (!waiting_.empty()) wait = std::min(wait, seconds_until(next_start_try_));
  wait = std::max(wait, 0.0);
  int wait_ms = static_cast<int>(std::ceil(std::min(wait, 3600.0) * 1000));
  if (!fds.empty() || wait_ms > 0) {
    // Interrupted by a signal (Ctrl-C): the caller looks at it and calls again.
    poll(fds.data(), fds.size(), wait_ms);
  }

  char buf[65536];
  for (size_t i = 0; i < fds.size(); ++i) {
    if (fds[i].revents == 0) continue;
    Child& c = children_[owners[i].first];
    int which = owners[i].second;
    if (which == 3) continue;  // looked at below
    if (which == 0) {
      ssize_t n = write(c.stdin_fd, c.input.data() + c.written, c.input.size() - c.written);
      if (n > 0) c.written += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) c.written = c.input.size();
      if (c.written >= c.input.size()) CloseFd(c.stdin_fd);
      continue;
    }
    int& fd = which == 1 ? c.stdout_fd : c.stderr_fd;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) {
      if (n == 0 || (errno != EAGAIN && errno != EINTR)) CloseFd(fd);
      continue;
    }
    std::string& sink = which == 1 ? c.out : c.err;
    // Past the cap, stderr is read and dropped (left unread, it would wake poll() forever).
    if (which == 2 && sink.size() >= kMaxStderr) continue;
    sink.append(buf, static_cast<size_t>(n));
    if (which == 1 && sink.size() > kMaxAnswerBytes) c.too_large = true;
  }

  now = Clock::now();
  for (auto it = children_.begin(); it != children_.end();) {
    Child& c = it->second;
    if (!c.exited && HasExited(c)) {
      c.exited = true;
      c.exited_at = now;
      CloseFd(c.exit_fd);
      CloseFd(c.stdin_fd);
    }
    if (std::chrono::duration<double>(now - c.started).count() >= timeout_s_) c.timed_out = true;
    bool pipes_closed = c.stdout_fd < 0 && c.stderr_fd < 0;
    bool grace_over =
        c.exited && std::chrono::duration<double>(now - c.exited_at).count() >= kGraceAfterExitS;
    bool finished = c.timed_out || c.too_large || (c.exited && (pipes_closed || grace_over));
    if (!finished) {
      ++it;
      continue;
    }
    done.push_back(Reap(it->first, c));
    it = children_.erase(it);
  }
  return done;
}

void ExecAttemptRunner::CancelAll() {
  for (auto& [id, c] : children_) {
    kill(-c.pid, SIGKILL);
    while (waitpid(c.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    ForgetProcessGroup(c.pid);
    CloseFd(c.stdin_fd);
    CloseFd(c.stdout_fd);
    CloseFd(c.stderr_fd);
    CloseFd(c.exit_fd);
  }
  children_.clear();
  waiting_.clear();
  failed_to_start_.clear();
}

}  // namespace llmstack
