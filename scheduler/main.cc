// aegir-scheduler: queues jobs from aegir-web and hands them to executors.
// See scheduler/scheduler.h and docs/protocol.md.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <cstdio>
#include <exception>
#include <zmq.hpp>

#include "common/crypto.h"
#include "common/daemon.h"
#include "common/db.h"
#include "common/flags.h"
#include "common/log.h"
#include "scheduler/scheduler.h"

namespace {

// Start-up failures: one line with the level, exit code 2.
int Fail(const std::string& msg) {
  aegir::log::Error(msg);
  return 2;
}

int Main(int argc, char** argv) {
  aegir::log::SetProgram("aegir-scheduler");
  aegir::Flags flags;
  flags.UseConfigFile("scheduler");
  flags.Define("submit-endpoint", "",
               "ZeroMQ endpoint for submitters, e.g. ipc://$AEGIR_VAR/run/submit.ipc");
  flags.Define("executor-endpoint", "",
               "ZeroMQ endpoint for executors, e.g. ipc://$AEGIR_VAR/run/executor.ipc");
  flags.Define("db-socket", "", "MariaDB unix socket (the tasks table is the queue)");
  flags.Define("db-user", "", "MariaDB user (unix_socket authentication)");
  flags.Define("db-name", "aegir", "MariaDB database");
  flags.Define("catalogue", "", "the operation catalogue (roles/operations.json), for RUN from the aegir client");
  flags.Define("roles", "", "the roles directory the catalogue names");
  flags.Define("public-url", "", "where executors reach aegir-web, for the tasks RUN makes");
  flags.Define("executor-tcp-endpoint", "",
               "TCP endpoint for executors on other hosts, with CurveZMQ (e.g. tcp://10.0.0.5:7011)");
  flags.Define("submit-tcp-endpoint", "", "TCP endpoint for tools on other hosts, with CurveZMQ");
  flags.Define("curve-secret-key", "", "the scheduler's CURVE key file (made by aegir keygen)");
  flags.Define("executor-keys", "", "directory of the authorized executors' public keys (*.pub)");
  flags.Define("client-keys", "", "directory of the authorized tools' public keys (*.pub)");
  flags.Define("max-running", "0", "jobs running at once overall (0: no limit)");
  flags.Define("max-per-server", "0", "jobs running at once on one target server (0: no limit)");
  // A bad setting or configuration file is reported even with --help, so
  // that `--config=FILE --help` checks FILE.
  aegir::Status parsed = flags.Parse(argc, argv);
  if (!parsed.ok()) return Fail(parsed.message());
  if (flags.help_requested()) {
    std::fputs(flags.Usage("aegir-scheduler").c_str(), stdout);
    return 0;
  }
  if (!flags.positional().empty()) return Fail("unexpected argument '" + flags.positional()[0] + "'");

  auto max_running = flags.GetInt("max-running", 0, 100000);
  auto max_per_server = flags.GetInt("max-per-server", 0, 100000);
  for (const auto* v : {&max_running, &max_per_server}) {
    if (!v->ok()) return Fail(v->status().message());
  }
  if (aegir::Status s = aegir::crypto::Init(); !s.ok()) return Fail(s.message());
  aegir::db::LibraryInit();
  aegir::db::ThreadGuard db_thread;

  std::atomic<bool>& stop = aegir::InstallStopSignals();

  zmq::context_t context;
  aegir::scheduler::SchedulerOptions options;
  options.submit_endpoint = flags.Get("submit-endpoint");
  options.executor_endpoint = flags.Get("executor-endpoint");
  options.db.socket = flags.Get("db-socket");
  options.db.user = flags.Get("db-user");
  options.db.database = flags.Get("db-name");
  options.executor_tcp_endpoint = flags.Get("executor-tcp-endpoint");
  options.submit_tcp_endpoint = flags.Get("submit-tcp-endpoint");
  options.curve_secret_key = flags.Get("curve-secret-key");
  options.executor_keys_dir = flags.Get("executor-keys");
  options.client_keys_dir = flags.Get("client-keys");
  options.catalogue_path = flags.Get("catalogue");
  options.roles_dir = flags.Get("roles");
  if (options.roles_dir.empty() && !options.catalogue_path.empty()) {
    options.roles_dir = std::filesystem::path(options.catalogue_path).parent_path().string();
  }
  options.public_url = flags.Get("public-url");
  options.max_running = static_cast<int>(*max_running);
  options.max_per_server = static_cast<int>(*max_per_server);
  auto scheduler = aegir::scheduler::Scheduler::Create(context, std::move(options));
  if (!scheduler.ok()) return Fail(scheduler.status().message());
  aegir::log::Info("listening: submit " + flags.Get("submit-endpoint") + ", executors " +
                   flags.Get("executor-endpoint"));
  aegir::Status status = (*scheduler)->Run(stop);
  scheduler->reset();  // closes the sockets and removes ipc files before the context ends
  return aegir::FinishRun(status);
}

}  // namespace

int main(int argc, char** argv) { return aegir::GuardedMain("aegir-scheduler", Main, argc, argv); }
