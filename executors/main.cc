// aegir-executor: takes jobs from aegir-scheduler and runs them with
// ansible-playbook. See executors/executor.h.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <zmq.hpp>

#include "common/daemon.h"
#include "common/flags.h"
#include "common/log.h"
#include "executors/executor.h"

namespace {

// Start-up failures: one line with the level, exit code 2.
int Fail(const std::string& msg) {
  aegir::log::Error(msg);
  return 2;
}

int Main(int argc, char** argv) {
  aegir::log::SetProgram("aegir-executor");
  aegir::Flags flags;
  flags.UseConfigFile("executor");
  flags.Define("scheduler", "",
               "the scheduler's executor endpoint, e.g. ipc://$AEGIR_VAR/run/executor.ipc");
  flags.Define("roles", "", "directory of the Ansible roles that may run (the whitelist)");
  flags.Define("work-dir", "", "directory for the per-job temporary directories");
  flags.Define("capacity", "1", "how many jobs run at once (1-256)");
  flags.Define("ansible-playbook", "ansible-playbook", "the ansible-playbook program");
  flags.Define("labels", "", "comma-separated labels: what this executor reaches (servers with one of them)");
  flags.Define("curve-key", "", "this executor's CURVE key file, for a tcp:// scheduler (aegir keygen)");
  flags.Define("curve-server-key", "", "the scheduler's public CURVE key file (its .pub)");
  flags.Define("ssh-key", "", "the private key for ssh to remote servers (default: ssh's own)");
  flags.Define("secrets-dir", "", "the secret store: one file per secret, readable by this user alone (default: none)");
  flags.Define("drain-grace", "15",
               "seconds running jobs may take to finish after SIGTERM before they are terminated "
               "(SIGTERM, then SIGKILL 10 s later)");
  // A bad setting or configuration file is reported even with --help, so
  // that `--config=FILE --help` checks FILE.
  aegir::Status parsed = flags.Parse(argc, argv);
  if (!parsed.ok()) return Fail(parsed.message());
  if (flags.help_requested()) {
    std::fputs(flags.Usage("aegir-executor").c_str(), stdout);
    return 0;
  }
  if (!flags.positional().empty())
    return Fail("unexpected argument '" + flags.positional()[0] + "'");
  for (const char* required : {"scheduler", "roles", "work-dir"}) {
    if (flags.Get(required).empty()) {
      return Fail(std::string("--") + required + " is required (or " + required + ": in the section executor of the configuration file)");
    }
  }
  auto capacity = flags.GetInt("capacity", 1, 256);
  if (!capacity.ok()) return Fail(capacity.status().message());
  auto drain = flags.GetInt("drain-grace", 0, 7 * 24 * 3600);
  if (!drain.ok()) return Fail(drain.status().message());

  std::atomic<bool>& stop = aegir::InstallStopSignals();

  aegir::executor::ExecutorOptions options;
  options.scheduler_endpoint = flags.Get("scheduler");
  options.roles_dir = flags.Get("roles");
  options.work_dir = flags.Get("work-dir");
  options.capacity = static_cast<int>(*capacity);
  options.ansible_playbook = flags.Get("ansible-playbook");
  options.ssh_private_key = flags.Get("ssh-key");
  options.secrets_dir = flags.Get("secrets-dir");
  options.curve_key = flags.Get("curve-key");
  for (size_t start = 0; start <= flags.Get("labels").size();) {
    const std::string all = flags.Get("labels");
    size_t comma = all.find(',', start);
    std::string label = all.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!label.empty()) options.labels.push_back(label);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  options.curve_server_key = flags.Get("curve-server-key");
  options.drain_grace = std::chrono::seconds(*drain);

  zmq::context_t context;
  auto executor = aegir::executor::Executor::Create(context, options);
  if (!executor.ok()) return Fail(executor.status().message());
  aegir::log::Info("executor " + (*executor)->identity() + " connecting to " +
                   options.scheduler_endpoint + " with capacity " +
                   std::to_string(options.capacity));
  aegir::Status status = (*executor)->Run(stop);
  executor->reset();
  return aegir::FinishRun(status);
}

}  // namespace

int main(int argc, char** argv) { return aegir::GuardedMain("aegir-executor", Main, argc, argv); }
