// Process: an owning handle on one child process and its process group.
//
// Spawn() starts a program from an argv vector with execvp semantics (PATH
// search, never a shell), in a new process group whose id is the child's pid,
// with stdin from /dev/null and stdout+stderr merged into one pipe. The parent
// reads that pipe without blocking: output_fd() can go into zmq::poll (or
// poll(2)) and ReadAvailable() drains it. Every other file descriptor is closed
// in the child.
//
// When the child (the group leader) exits, whatever else is still running in
// its group is sent SIGKILL before the leader is reaped: nothing a job started
// outlives it, and because the leader is still a zombie at that moment its
// process group id cannot have been reused by an unrelated process.
//
// The destructor kills the group (SIGKILL) and reaps the child if it has not
// been reaped yet, so a Process never leaks a zombie or a runaway job.
//
// Move-only. Not thread-safe: one thread owns a Process. Another thread may
// spawn concurrently (all descriptors are opened close-on-exec).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace aegir {

struct SpawnOptions {
  // argv[0] is the program; looked up on PATH when it contains no '/'.
  std::vector<std::string> argv;
  // Set in the child's environment on top of the parent's (replacing a
  // variable of the same name). Never put a secret here if argv or the
  // environment might be shown (ps shows argv; /proc/<pid>/environ is
  // readable by the same user).
  std::vector<std::pair<std::string, std::string>> env;
  // The child's working directory; empty keeps the parent's.
  std::string working_dir;
  // When true the child gets SIGKILL if the thread that spawned it ends
  // (PR_SET_PDEATHSIG), e.g. when the daemon is killed: its job must not run
  // on unsupervised. Only the child itself; its own children are not covered.
  bool die_with_parent = false;
};

// How a reaped child ended.
struct ExitStatus {
  bool exited = false;  // true: exit_code is valid; false: killed by signal
  int exit_code = 0;
  int signal = 0;
  bool success() const { return exited && exit_code == 0; }
  // "exited with code 2" or "killed by signal 9".
  std::string ToString() const;
};

class Process {
 public:
  // Starts the child. Fails (NotFound, PermissionDenied, ...) when the program
  // cannot be executed; the failure of execvp in the child is reported here,
  // not as an exit code.
  static Result<Process> Spawn(const SpawnOptions& options);

  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  pid_t pid() const { return pid_; }
  // The read end of the output pipe (non-blocking), or -1 once the pipe has
  // reached end of file. Owned by this object.
  int output_fd() const { return output_fd_; }
  bool output_open() const { return output_fd_ >= 0; }

  // Appends whatever output is available now to *out without blocking (at most
  // max_bytes per call, so one chatty child cannot starve a poll loop).
  // Returns true while the pipe may deliver more, false at end of file (the fd
  // is then closed and output_fd() is -1).
  Result<bool> ReadAvailable(std::string* out, size_t max_bytes = 1 << 20);

  // Sends sig to the whole process group. A no-op once the child was reaped.
  Status SignalGroup(int sig);

  // Non-blocking: the exit status if the child has ended (and is now reaped),
  // std::nullopt while it runs.
  Result<std::optional<ExitStatus>> TryWait();
  // Blocks until the child ends.
  Result<ExitStatus> Wait();
  // SIGTERM to the group, up to `grace` for the leader to exit, then SIGKILL;
  // reaps the child and returns how it ended. With `output`, what the child
  // writes meanwhile is appended to it: a child blocked on a full output
  // pipe could not get to exit and would wait out the grace.
  Result<ExitStatus> Terminate(std::chrono::milliseconds grace, std::string* output = nullptr);

  bool reaped() const { return exit_status_.has_value(); }
  const std::optional<ExitStatus>& exit_status() const { return exit_status_; }

 private:
  Process(pid_t pid, int output_fd) : pid_(pid), output_fd_(output_fd) {}
  void Reset();
  Result<std::optional<ExitStatus>> WaitImpl(bool block);

  pid_t pid_ = -1;
  int output_fd_ = -1;
  std::optional<ExitStatus> exit_status_;
};

// Splits a byte stream into lines. '\n' ends a line; a trailing '\r' is
// dropped. A line longer than max_line_bytes is cut into pieces of that size
// so one runaway line cannot grow memory without bound. Bytes are passed
// through as they are (they need not be valid UTF-8).
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line_bytes = 64 * 1024) : max_(max_line_bytes) {}

  // Appends complete lines found in data to *lines.
  void Feed(std::string_view data, std::vector<std::string>* lines);
  // The unterminated remainder, if any (call at end of stream).
  std::optional<std::string> Finish();

 private:
  size_t max_;
  std::string partial_;
};

}  // namespace aegir
