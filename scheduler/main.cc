// aegir-scheduler: queues jobs from aegir-web and hands them to executors.
// See scheduler/scheduler.h and docs/protocol.md.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <zmq.hpp>

#include "common/flags.h"
#include "common/log.h"
#include "scheduler/scheduler.h"

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void OnSignal(int) { g_stop.store(true); }

int Main(int argc, char** argv) {
  aegir::log::SetProgram("aegir-scheduler");
  aegir::Flags flags;
  flags.Define("submit-endpoint", "",
               "ZeroMQ endpoint for submitters, e.g. ipc://$AEGIR_VAR/run/submit.ipc");
  flags.Define("executor-endpoint", "",
               "ZeroMQ endpoint for executors, e.g. ipc://$AEGIR_VAR/run/executor.ipc");
  aegir::Status parsed = flags.Parse(argc, argv);
  if (flags.help_requested()) {
    std::fputs(flags.Usage("aegir-scheduler").c_str(), stdout);
    return 0;
  }
  if (!parsed.ok()) {
    std::fprintf(stderr, "aegir-scheduler: %s\n", parsed.message().c_str());
    return 2;
  }
  if (!flags.positional().empty()) {
    std::fprintf(stderr, "aegir-scheduler: unexpected argument '%s'\n",
                 flags.positional()[0].c_str());
    return 2;
  }

  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  zmq::context_t context;
  auto scheduler = aegir::scheduler::Scheduler::Create(
      context, {flags.Get("submit-endpoint"), flags.Get("executor-endpoint"), nullptr});
  if (!scheduler.ok()) {
    std::fprintf(stderr, "aegir-scheduler: %s\n", scheduler.status().message().c_str());
    return 2;
  }
  aegir::log::Info("listening: submit " + flags.Get("submit-endpoint") + ", executors " +
                   flags.Get("executor-endpoint"));
  aegir::Status status = (*scheduler)->Run(g_stop);
  scheduler->reset();  // closes the sockets and removes ipc files before the context ends
  if (!status.ok()) {
    aegir::log::Error(status.ToString());
    return 1;
  }
  aegir::log::Info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aegir-scheduler: %s\n", e.what());
    return 1;
  }
}
