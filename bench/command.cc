// aegir-bench-command: the benchmark-only stand-in for ansible-playbook.
//
// bench/run starts executors with --ansible-playbook=<this program>, so a job
// runs everything of ours (scheduler, executor, playbook writer, feedback
// posts) except Ansible itself. It is called exactly as ansible-playbook
// would be (-i INVENTORY -e @VARS PLAYBOOK) in the job's directory
// (job-<id>-XXXXXX), and ignores its arguments. Its environment, inherited
// from the executor, says what to do:
//
//   AEGIR_BENCH_STAMPS  a unix datagram socket: sends "<job id> <ns>" the
//                       moment it starts (CLOCK_REALTIME, nanoseconds), which
//                       is how the submit-to-exec latency is measured
//   AEGIR_BENCH_LINES   prints this many lines, "bench <seq> <ns>", each with
//                       the time it was printed (for the log throughput and lag)
//   AEGIR_BENCH_RATE    lines per second (0 or unset: as fast as it can)
//
// Never installed and never used by anything but bench/run.
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

long long NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

// The job id from the working directory the executor made: .../job-<id>-XXXXXX.
long long JobId() {
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) return -1;
  const char* base = std::strrchr(cwd, '/');
  base = base ? base + 1 : cwd;
  if (std::strncmp(base, "job-", 4) != 0) return -1;
  return std::atoll(base + 4);
}

void SendStamp(const char* path, long long ns) {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
  std::string msg = std::to_string(JobId()) + " " + std::to_string(ns);
  sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  close(fd);
}

}  // namespace

int main() {
  long long started = NowNs();
  if (const char* stamps = std::getenv("AEGIR_BENCH_STAMPS"); stamps && *stamps) SendStamp(stamps, started);
  const char* lines_env = std::getenv("AEGIR_BENCH_LINES");
  long long lines = lines_env ? std::atoll(lines_env) : 0;
  const char* rate_env = std::getenv("AEGIR_BENCH_RATE");
  double rate = rate_env ? std::atof(rate_env) : 0;
  for (long long i = 1; i <= lines; ++i) {
    if (rate > 0) {
      // Paced: line i is due at started + i / rate.
      long long due = started + static_cast<long long>(static_cast<double>(i) * 1e9 / rate);
      for (long long now = NowNs(); now < due; now = NowNs()) {
        long long wait = due - now;
        timespec ts{static_cast<time_t>(wait / 1000000000LL), static_cast<long>(wait % 1000000000LL)};
        nanosleep(&ts, nullptr);
      }
    }
    std::printf("bench %lld %lld\n", i, NowNs());
    if (rate > 0) std::fflush(stdout);
  }
  std::fflush(stdout);
  return 0;
}
