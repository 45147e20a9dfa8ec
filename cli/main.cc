// aegir: the command-line client.
//
//   aegir status [--scheduler=ENDPOINT] [--json]   queue and executors
//   aegir ping   [--scheduler=ENDPOINT]            does the scheduler answer?
//
// ENDPOINT is the scheduler's submit endpoint (default: $AEGIR_SCHEDULER).
// Exit codes: 0 ok, 1 the scheduler did not answer or refused, 2 bad usage.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "cli/client.h"
#include "common/daemon.h"
#include "common/flags.h"

namespace {

constexpr char kUsage[] =
    "usage: aegir <command> [--scheduler=ENDPOINT]\n"
    "commands:\n"
    "  status [--json]  show the queue and the connected executors\n"
    "  ping             check that the scheduler answers\n"
    "ENDPOINT is the scheduler's submit endpoint, e.g. ipc://$AEGIR_VAR/run/submit.ipc\n"
    "(default: the AEGIR_SCHEDULER environment variable).\n";

int Usage(const std::string& error) {
  if (!error.empty()) std::fprintf(stderr, "aegir: %s\n", error.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

int Main(int argc, char** argv) {
  // --json is a switch; Flags only takes --name=value, so it is taken out first.
  bool as_json = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::strcmp(argv[i], "--json") == 0) {
      as_json = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  aegir::Flags flags;
  flags.Define("scheduler", "", "the scheduler's submit endpoint");
  aegir::Status parsed = flags.Parse(static_cast<int>(args.size()), args.data());
  if (flags.help_requested()) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!parsed.ok()) return Usage(parsed.message());
  if (flags.positional().size() != 1)
    return Usage(flags.positional().empty() ? "no command given" : "one command at a time");
  const std::string command = flags.positional()[0];
  const std::string endpoint = flags.Get("scheduler");
  if (command != "status" && command != "ping") return Usage("unknown command '" + command + "'");
  if (as_json && command != "status") return Usage("--json goes with status");
  if (endpoint.empty())
    return Usage("no scheduler endpoint: give --scheduler=ENDPOINT or set AEGIR_SCHEDULER");

  zmq::context_t context;
  if (command == "ping") {
    auto start = std::chrono::steady_clock::now();
    aegir::Status s = aegir::cli::Ping(context, endpoint);
    if (!s.ok()) {
      std::fprintf(stderr, "aegir: %s\n", s.message().c_str());
      return 1;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    std::printf("scheduler at %s answered in %lld ms\n", endpoint.c_str(),
                static_cast<long long>(ms.count()));
    return 0;
  }
  auto status = aegir::cli::QueryStatus(context, endpoint);
  if (!status.ok()) {
    std::fprintf(stderr, "aegir: %s\n", status.status().message().c_str());
    return 1;
  }
  if (as_json) {
    std::printf("%s\n", status->dump(2).c_str());
  } else {
    std::fputs(aegir::cli::FormatStatus(*status).c_str(), stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return aegir::GuardedMain("aegir", Main, argc, argv); }
