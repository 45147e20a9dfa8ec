#include "common/daemon.h"

#include <signal.h>

#include <cstdio>
#include <exception>

#include "common/log.h"

namespace aegir {
namespace {
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);  // safe in a signal handler
void OnStopSignal(int) { g_stop.store(true); }
}  // namespace

std::atomic<bool>& InstallStopSignals() {
  struct sigaction sa = {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return g_stop;
}

int GuardedMain(const char* program, int (*main_fn)(int, char**), int argc, char** argv) {
  try {
    return main_fn(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program, e.what());
    return 1;
  }
}

int FinishRun(const Status& status) {
  if (!status.ok()) {
    log::Error(status.ToString());
    return 1;
  }
  log::Info("stopped");
  return 0;
}

}  // namespace aegir
