// aegir-scheduler: queues jobs from aegir-web and hands them to executors.
// See scheduler/scheduler.h and docs/protocol.md.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <zmq.hpp>

#include "common/daemon.h"
#include "common/flags.h"
#include "common/log.h"
#include "scheduler/scheduler.h"

namespace {

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

  std::atomic<bool>& stop = aegir::InstallStopSignals();

  zmq::context_t context;
  auto scheduler = aegir::scheduler::Scheduler::Create(
      context, {flags.Get("submit-endpoint"), flags.Get("executor-endpoint"), nullptr});
  if (!scheduler.ok()) {
    std::fprintf(stderr, "aegir-scheduler: %s\n", scheduler.status().message().c_str());
    return 2;
  }
  aegir::log::Info("listening: submit " + flags.Get("submit-endpoint") + ", executors " +
                   flags.Get("executor-endpoint"));
  aegir::Status status = (*scheduler)->Run(stop);
  scheduler->reset();  // closes the sockets and removes ipc files before the context ends
  return aegir::FinishRun(status);
}

}  // namespace

int main(int argc, char** argv) { return aegir::GuardedMain("aegir-scheduler", Main, argc, argv); }
