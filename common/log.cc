#include "common/log.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace aegir::log {
namespace {
std::mutex g_mu;
std::string g_program = "aegir";

// systemd sets JOURNAL_STREAM=<device>:<inode> of the stream it connected to
// stdout/stderr. A child that inherited the variable but whose stderr was
// redirected elsewhere must keep timestamps, hence the comparison with
// stderr's own device and inode (systemd.exec(5), "JOURNAL_STREAM").
bool StderrIsJournal() {
  const char* env = std::getenv("JOURNAL_STREAM");
  if (env == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(2, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

void Write(int priority, const char* level, const std::string& msg) {
  if (ToJournal()) {
    std::lock_guard<std::mutex> lock(g_mu);
    std::fprintf(stderr, "<%d>%s %s\n", priority, level, msg.c_str());
    std::fflush(stderr);
    return;
  }
  char ts[32];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::lock_guard<std::mutex> lock(g_mu);
  std::fprintf(stderr, "%s %s %s %s\n", ts, g_program.c_str(), level, msg.c_str());
  std::fflush(stderr);
}
}  // namespace

bool ToJournal() {
  static const bool journal = StderrIsJournal();
  return journal;
}

void SetProgram(const std::string& name) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_program = name;
}
void Info(const std::string& msg) { Write(6, "INFO", msg); }
void Warn(const std::string& msg) { Write(4, "WARN", msg); }
void Error(const std::string& msg) { Write(3, "ERROR", msg); }

}  // namespace aegir::log
