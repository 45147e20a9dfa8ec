#include "common/process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <thread>

extern char** environ;

namespace aegir {
namespace {

// The child's side of Spawn, between fork and exec. Only async-signal-safe
// calls are allowed here (the parent may have other threads), so everything
// was prepared before fork; a failure writes errno to err_fd and exits 127.
[[noreturn]] void ChildFail(int err_fd) {
  int e = errno;
  ssize_t ignored = write(err_fd, &e, sizeof e);
  (void)ignored;
  _exit(127);
}

[[noreturn]] void ChildAfterFork(char* const* argv, char* const* envp, const char* dir, int out_fd,
                                 int err_fd, int devnull, long max_fd, pid_t die_with_parent) {
  auto fail = [&err_fd]() { ChildFail(err_fd); };
  if (setpgid(0, 0) != 0) fail();
  if (die_with_parent > 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail();
    if (getppid() != die_with_parent) _exit(127);  // the parent is already gone
  }
  // The parent may ignore or block signals (SIGPIPE, a signalfd set): the job
  // starts with the defaults.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) signal(sig, SIG_DFL);

  if (dup2(devnull, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0) fail();
  // Keep the error pipe at fd 3 (close-on-exec) and close everything above.
  if (err_fd != 3) {
    if (dup2(err_fd, 3) < 0) fail();
    err_fd = 3;
  }
  if (fcntl(3, F_SETFD, FD_CLOEXEC) < 0) fail();
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 4U, ~0U, 0U) != 0)
#endif
  {
    for (long fd = 4; fd < max_fd; ++fd) close(static_cast<int>(fd));
  }
  if (dir != nullptr && chdir(dir) != 0) fail();
  execvpe(argv[0], argv, envp);
  ChildFail(err_fd);
}

// vfork: the child borrows this process's memory until it execs (the
// calling thread waits meanwhile), so nothing is copied and a job starts
// sooner than with fork (bench/run: about 0.7 ms of the submit-to-exec
// time). ChildAfterFork only makes system calls and never returns, as vfork
// requires; this frame holds nothing the child could change under the
// parent. The child's pid, or -1 with errno.
__attribute__((noinline)) pid_t VforkAndExec(char* const* argv, char* const* envp, const char* dir, int out_fd,
                                             int err_fd, int devnull, long max_fd, pid_t die_with_parent) {
  pid_t pid = vfork();
  if (pid == 0) ChildAfterFork(argv, envp, dir, out_fd, err_fd, devnull, max_fd, die_with_parent);
  return pid;
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (exited) return "exited with code " + std::to_string(exit_code);
  return "killed by signal " + std::to_string(signal);
}

Result<Process> Process::Spawn(const SpawnOptions& options) {
  if (options.argv.empty() || options.argv[0].empty()) {
    return Status::InvalidArgument("spawn: empty argv");
  }
  const std::string& program = options.argv[0];

  // Everything the child needs, built before fork.
  std::vector<char*> argv;
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  std::map<std::string, std::string> env_map;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    env_map[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : options.env) {
    if (k.empty() || k.find('=') != std::string::npos) {
      return Status::InvalidArgument("spawn " + program + ": bad environment variable name '" + k +
                                     "'");
    }
    env_map[k] = v;
  }
  std::vector<std::string> env_strings;
  env_strings.reserve(env_map.size());
  for (const auto& [k, v] : env_map) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  const char* dir = options.working_dir.empty() ? nullptr : options.working_dir.c_str();
  long max_fd = sysconf(_SC_OPEN_MAX);
  if (max_fd < 0 || max_fd > 65536) max_fd = 65536;

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return Status::FromErrno("spawn " + program + ": pipe", errno);
  int err[2];
  if (pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    close(out[0]);
    close(out[1]);
    return Status::FromErrno("spawn " + program + ": pipe", e);
  }
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0) {
    int e = errno;
    for (int fd : {out[0], out[1], err[0], err[1]}) close(fd);
    return Status::FromErrno("spawn " + program + ": open /dev/null", e);
  }

  pid_t parent = options.die_with_parent ? getpid() : 0;
  pid_t pid = VforkAndExec(argv.data(), envp.data(), dir, out[1], err[1], devnull, max_fd, parent);
  int fork_errno = pid < 0 ? errno : 0;
  close(out[1]);
  close(err[1]);
  close(devnull);
  if (pid < 0) {
    close(out[0]);
    close(err[0]);
    return Status::FromErrno("spawn " + program + ": fork", fork_errno);
  }
  // Both sides set the group so it exists whichever runs first; EACCES here
  // only means the child has already exec'd (and did it itself).
  setpgid(pid, pid);

  // The error pipe closes on a successful exec (EOF) or carries errno.
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(err[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(err[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    close(out[0]);
    return Status::FromErrno("spawn " + program, child_errno);
  }

  int flags = fcntl(out[0], F_GETFL);
  if (flags < 0 || fcntl(out[0], F_SETFL, flags | O_NONBLOCK) < 0) {
    Status s = Status::FromErrno("spawn " + program + ": make output non-blocking", errno);
    Process doomed(pid, out[0]);  // its destructor kills and reaps
    return s;
  }
  return Process(pid, out[0]);
}

Process::Process(Process&& other) noexcept
    : pid_(other.pid_), output_fd_(other.output_fd_), exit_status_(other.exit_status_) {
  other.pid_ = -1;
  other.output_fd_ = -1;
  other.exit_status_.reset();
}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    Reset();
    pid_ = other.pid_;
    output_fd_ = other.output_fd_;
    exit_status_ = other.exit_status_;
    other.pid_ = -1;
    other.output_fd_ = -1;
    other.exit_status_.reset();
  }
  return *this;
}

Process::~Process() { Reset(); }

void Process::Reset() {
  if (pid_ > 0 && !exit_status_) {
    kill(-pid_, SIGKILL);
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (output_fd_ >= 0) close(output_fd_);
  pid_ = -1;
  output_fd_ = -1;
  exit_status_.reset();
}

Result<bool> Process::ReadAvailable(std::string* out, size_t max_bytes) {
  if (output_fd_ < 0) return false;
  char buf[16384];
  size_t total = 0;
  while (total < max_bytes) {
    ssize_t n = read(output_fd_, buf, sizeof buf);
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
      total += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) {
      close(output_fd_);
      output_fd_ = -1;
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    return Status::FromErrno("read output of pid " + std::to_string(pid_), errno);
  }
  return true;
}

Status Process::SignalGroup(int sig) {
  if (pid_ <= 0 || exit_status_) return Status::Ok();
  if (kill(-pid_, sig) != 0 && errno != ESRCH) {
    return Status::FromErrno("signal process group " + std::to_string(pid_), errno);
  }
  return Status::Ok();
}

Result<std::optional<ExitStatus>> Process::WaitImpl(bool block) {
  if (exit_status_) return exit_status_;
  if (pid_ <= 0) return Status::Internal("wait: no child");
  // Look without reaping first, so the group can be swept while the leader's
  // pid (and so the group id) is still held by the zombie.
  siginfo_t info;
  for (;;) {
    std::memset(&info, 0, sizeof info);
    int options = WEXITED | WNOWAIT | (block ? 0 : WNOHANG);
    if (waitid(P_PID, static_cast<id_t>(pid_), &info, options) == 0) break;
    if (errno == EINTR) continue;
    return Status::FromErrno("wait for pid " + std::to_string(pid_), errno);
  }
  if (info.si_pid == 0) return std::optional<ExitStatus>();  // still running
  kill(-pid_, SIGKILL);  // leftovers of the job; ESRCH when there are none
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) return Status::FromErrno("reap pid " + std::to_string(pid_), errno);
  }
  ExitStatus es;
  if (WIFEXITED(status)) {
    es.exited = true;
    es.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    es.signal = WTERMSIG(status);
  }
  exit_status_ = es;
  return exit_status_;
}

Result<std::optional<ExitStatus>> Process::TryWait() { return WaitImpl(false); }

Result<ExitStatus> Process::Wait() {
  auto r = WaitImpl(true);
  if (!r.ok()) return r.status();
  return **r;
}

Result<ExitStatus> Process::Terminate(std::chrono::milliseconds grace, std::string* output) {
  if (exit_status_) return *exit_status_;
  AEGIR_RETURN_IF_ERROR(SignalGroup(SIGTERM));
  auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    if (output && output_open()) (void)ReadAvailable(output);
    auto r = TryWait();
    if (!r.ok()) return r.status();
    if (r->has_value()) return **r;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  AEGIR_RETURN_IF_ERROR(SignalGroup(SIGKILL));
  return Wait();
}

void LineSplitter::Feed(std::string_view data, std::vector<std::string>* lines) {
  while (!data.empty()) {
    size_t nl = data.find('\n');
    std::string_view segment = data.substr(0, nl == std::string_view::npos ? data.size() : nl);
    while (!segment.empty()) {
      if (partial_.size() >= max_) {  // cut an over-long line
        lines->push_back(std::move(partial_));
        partial_.clear();
      }
      size_t take = std::min(max_ - partial_.size(), segment.size());
      partial_.append(segment.substr(0, take));
      segment.remove_prefix(take);
    }
    if (nl == std::string_view::npos) return;
    if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
    lines->push_back(std::move(partial_));
    partial_.clear();
    data.remove_prefix(nl + 1);
  }
}

std::optional<std::string> LineSplitter::Finish() {
  if (partial_.empty()) return std::nullopt;
  std::string rest = std::move(partial_);
  partial_.clear();
  if (!rest.empty() && rest.back() == '\r') rest.pop_back();
  return rest;
}

}  // namespace aegir
