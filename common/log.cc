#include "common/log.h"

#include <cstdio>
#include <ctime>
#include <mutex>

namespace aegir::log {
namespace {
std::mutex g_mu;
std::string g_program = "aegir";

void Write(const char* level, const std::string& msg) {
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

void SetProgram(const std::string& name) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_program = name;
}
void Info(const std::string& msg) { Write("INFO", msg); }
void Warn(const std::string& msg) { Write("WARN", msg); }
void Error(const std::string& msg) { Write("ERROR", msg); }

}  // namespace aegir::log
