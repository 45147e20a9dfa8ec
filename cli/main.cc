// aegir: the command-line client. It speaks the scheduler's submission
// protocol (docs/protocol.md); jobs it queues are tasks like any other, shown
// in the web UI.
//
//   aegir submit OPERATION TARGET [NAME=VALUE ...] [--json]   queue an operation
//   aegir status [JOB] [--json]                               the queue, or one job
//   aegir log [-f] JOB [--json]                               a job's log (-f: follow to its end)
//   aegir cancel JOB [--json]                                 stop a queued or running job
//   aegir ping                                                does the scheduler answer?
//   aegir keygen PATH                                         a CURVE key pair: PATH and PATH.pub
//
// TARGET is type:id or type:name (server:localhost, platform:wordpress,
// site:blog.example.org). NAME=VALUE sets a field of the operation's form;
// a name given twice makes a list (one item each).
//
// The scheduler's endpoint comes from --scheduler=ENDPOINT or AEGIR_SCHEDULER.
// A tcp:// endpoint needs CurveZMQ: --key=FILE (this tool's key, whose .pub
// is in the scheduler's client keys) and --scheduler-key=FILE (its .pub).
// Exit codes: 0 ok (log -f: the job succeeded); 1 the scheduler refused or did
// not answer, or (log -f) the job failed or was cancelled; 2 bad usage.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "cli/client.h"
#include "common/daemon.h"
#include "common/flags.h"
#include "common/text.h"

namespace {

using nlohmann::json;

constexpr char kUsage[] =
    "usage: aegir <command> [--scheduler=ENDPOINT] [--json]\n"
    "commands:\n"
    "  submit OPERATION TARGET [NAME=VALUE ...]  queue an operation (TARGET: site:blog.example.org,\n"
    "                                            server:localhost, platform:wordpress or type:id)\n"
    "  status [JOB]                              the queue and the executors, or one job\n"
    "  log [-f] JOB                              a job's log; -f follows it to the end\n"
    "  cancel JOB                                stop a queued or running job\n"
    "  ping                                      check that the scheduler answers\n"
    "  keygen PATH                               make a CURVE key pair: PATH (secret) and PATH.pub\n"
    "ENDPOINT is the scheduler's submit endpoint, e.g. ipc://$AEGIR_VAR/run/submit.ipc\n"
    "(default: the AEGIR_SCHEDULER environment variable). --json prints JSON.\n"
    "For a tcp:// endpoint: --key=FILE (this tool's CURVE key) --scheduler-key=FILE (the scheduler's .pub).\n";

int Usage(const std::string& error) {
  if (!error.empty()) std::fprintf(stderr, "aegir: %s\n", error.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

int Fail(const aegir::Status& s) {
  std::fprintf(stderr, "aegir: %s\n", s.message().c_str());
  return 1;
}

void PrintTask(const json& t) {
  std::printf("task %lld: %s on %s: %s", static_cast<long long>(t.value("id", int64_t{0})),
              t.value("operation", "").c_str(), t.value("entity", "").c_str(), t.value("state", "").c_str());
  if (t.contains("exit_code") && t["exit_code"].is_number_integer()) {
    std::printf(" (exit code %lld)", t["exit_code"].get<long long>());
  }
  std::printf("\n");
  if (!t.value("reason", "").empty()) std::printf("  %s\n", t.value("reason", "").c_str());
}

int Submit(zmq::context_t& ctx, const aegir::cli::Endpoint& endpoint, const std::vector<std::string>& args, bool as_json) {
  if (args.size() < 3) return Usage("submit needs an operation and a target");
  json vars = json::object();
  for (size_t i = 3; i < args.size(); ++i) {
    auto eq = args[i].find('=');
    if (eq == std::string::npos || eq == 0) return Usage("'" + args[i] + "' is not NAME=VALUE");
    std::string name = args[i].substr(0, eq), value = args[i].substr(eq + 1);
    if (!vars.contains(name)) {
      vars[name] = value;
    } else {
      if (!vars[name].is_array()) vars[name] = json::array({vars[name]});
      vars[name].push_back(value);
    }
  }
  auto id = aegir::cli::RunOperation(ctx, endpoint, args[1], args[2], vars);
  if (!id.ok()) return Fail(id.status());
  if (as_json) {
    std::printf("%s\n", json{{"job_id", *id}}.dump().c_str());
  } else {
    std::printf("queued as task %lld\n", static_cast<long long>(*id));
  }
  return 0;
}

int Log(zmq::context_t& ctx, const aegir::cli::Endpoint& endpoint, int64_t id, bool follow, bool as_json) {
  int64_t after = 0;
  auto delay = std::chrono::milliseconds(100);
  for (;;) {
    auto reply = aegir::cli::LogAfter(ctx, endpoint, id, after);
    if (!reply.ok()) return Fail(reply.status());
    const json& lines = (*reply)["lines"];
    for (const auto& l : lines) {
      if (as_json) {
        std::printf("%s\n", l.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
      } else {
        std::printf("%s\n", l.value("text", "").c_str());
      }
      after = l.value("seq", after);
    }
    std::fflush(stdout);
    bool final = reply->value("final", false);
    if (!lines.empty()) {
      delay = std::chrono::milliseconds(100);
      continue;  // there may be more right away
    }
    if (!follow) return 0;
    if (final) {
      auto task = aegir::cli::TaskState(ctx, endpoint, id);
      if (!task.ok()) return Fail(task.status());
      if (as_json) {
        std::printf("%s\n", task->dump().c_str());
      } else {
        std::fprintf(stderr, "aegir: task %lld %s%s%s\n", static_cast<long long>(id),
                     task->value("state", "").c_str(), task->value("reason", "").empty() ? "" : ": ",
                     task->value("reason", "").c_str());
      }
      return task->value("state", "") == "succeeded" ? 0 : 1;
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
  }
}

int Main(int argc, char** argv) {
  // Switches first; Flags only takes --name=value.
  bool as_json = false, follow = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::strcmp(argv[i], "--json") == 0) {
      as_json = true;
    } else if (i > 0 && (std::strcmp(argv[i], "-f") == 0 || std::strcmp(argv[i], "--follow") == 0)) {
      follow = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  aegir::Flags flags;
  flags.Define("scheduler", "", "the scheduler's submit endpoint");
  flags.Define("key", "", "this tool's CURVE key file, for a tcp:// endpoint");
  flags.Define("scheduler-key", "", "the scheduler's public CURVE key file");
  aegir::Status parsed = flags.Parse(static_cast<int>(args.size()), args.data());
  if (flags.help_requested()) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!parsed.ok()) return Usage(parsed.message());
  const std::vector<std::string>& pos = flags.positional();
  if (pos.empty()) return Usage("no command given");
  const std::string& command = pos[0];
  const std::string endpoint = flags.Get("scheduler");
  if (command != "submit" && command != "status" && command != "log" && command != "cancel" && command != "ping" &&
      command != "keygen") {
    return Usage("unknown command '" + command + "'");
  }
  if (command == "keygen") {
    if (pos.size() != 2) return Usage("keygen takes the path of the key file to make");
    auto keys = aegir::curve::Generate();
    if (!keys.ok()) return Fail(keys.status());
    if (aegir::Status s = aegir::curve::Write(*keys, pos[1]); !s.ok()) return Fail(s);
    std::printf("%s (secret, keep it here) and %s.pub (public: give it to the other side)\n", pos[1].c_str(),
                pos[1].c_str());
    return 0;
  }
  if (follow && command != "log") return Usage("-f goes with log");
  std::optional<int64_t> job;
  if (command == "log" || command == "cancel" || (command == "status" && pos.size() > 1)) {
    if (pos.size() != 2) return Usage(command + " takes one job id");
    job = aegir::ParsePositiveId(pos[1]);
    if (!job) return Usage("'" + pos[1] + "' is not a job id");
  } else if ((command == "ping" || command == "status") && pos.size() > 1) {
    return Usage(command + " takes no arguments");
  }
  if (endpoint.empty()) return Usage("no scheduler endpoint: give --scheduler=ENDPOINT or set AEGIR_SCHEDULER");

  aegir::cli::Endpoint where(endpoint);
  if (!flags.Get("key").empty() || !flags.Get("scheduler-key").empty()) {
    if (flags.Get("key").empty() || flags.Get("scheduler-key").empty()) {
      return Usage("CURVE needs both --key and --scheduler-key");
    }
    auto own = aegir::curve::LoadSecret(flags.Get("key"));
    if (!own.ok()) return Fail(own.status());
    auto server = aegir::curve::LoadPublic(flags.Get("scheduler-key"));
    if (!server.ok()) return Fail(server.status());
    where.key = *own;
    where.server_key = *server;
  }

  zmq::context_t context;
  if (command == "ping") {
    auto start = std::chrono::steady_clock::now();
    aegir::Status s = aegir::cli::Ping(context, where);
    if (!s.ok()) return Fail(s);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    std::printf("scheduler at %s answered in %lld ms\n", endpoint.c_str(), static_cast<long long>(ms.count()));
    return 0;
  }
  if (command == "submit") return Submit(context, where, pos, as_json);
  if (command == "log") return Log(context, where, *job, follow, as_json);
  if (command == "cancel") {
    aegir::Status s = aegir::cli::Cancel(context, where, *job);
    if (!s.ok()) return Fail(s);
    if (as_json) {
      std::printf("%s\n", json{{"job_id", *job}, {"cancel", "requested"}}.dump().c_str());
    } else {
      std::printf("task %lld: cancel requested\n", static_cast<long long>(*job));
    }
    return 0;
  }
  if (job) {
    auto task = aegir::cli::TaskState(context, where, *job);
    if (!task.ok()) return Fail(task.status());
    if (as_json) {
      std::printf("%s\n", task->dump(2).c_str());
    } else {
      PrintTask(*task);
    }
    return 0;
  }
  auto status = aegir::cli::QueryStatus(context, where);
  if (!status.ok()) return Fail(status.status());
  if (as_json) {
    std::printf("%s\n", status->dump(2).c_str());
  } else {
    std::fputs(aegir::cli::FormatStatus(*status).c_str(), stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return aegir::GuardedMain("aegir", Main, argc, argv); }
