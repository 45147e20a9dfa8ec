// Executors and tools on other hosts. The real aegir-scheduler listens on
// TCP with CurveZMQ on this side of a veth pair; the real aegir-executor and
// aegir client run inside a network namespace with its own address (another
// host, as far as the network goes). An executor with an authorized key
// registers and is handed a job over TCP; one with an unknown key is refused
// at the handshake and never registers; the same for a tool on the
// submission endpoint. Needs root (network namespaces), as CI runs it.
#define BOOST_TEST_MODULE curve
#include <poll.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/job.h"
#include "common/process.h"
#include "common/tasks.h"
#include "common/temp_dir.h"
#include "tests/integration/netns.h"
#include "tests/integration/stack.h"
#include "tests/support/mariadb.h"

using namespace aegir;
using namespace aegir::testing;
using nlohmann::json;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

namespace {

const std::string kBin = AEGIR_BINARY_DIR;
const std::string kCli = kBin + "/cli/aegir";

// A program the test started, its output kept.
struct Daemon {
  Daemon(const std::string& what, std::vector<std::string> argv) : name(what) {
    auto p = Process::Spawn({std::move(argv), {}, "", /*die_with_parent=*/true});
    BOOST_REQUIRE_MESSAGE(p.ok(), name << ": " << p.status().ToString());
    process.emplace(std::move(p).value());
  }
  ~Daemon() {
    if (process && !process->reaped()) (void)process->Terminate(milliseconds(10000));
  }
  const std::string& Output() {
    if (process && process->output_open()) (void)process->ReadAvailable(&output);
    return output;
  }
  // SIGTERM, reading its output meanwhile (Process::Terminate).
  void Stop(milliseconds grace) {
    if (process && !process->reaped()) (void)process->Terminate(grace, &output);
  }
  std::string name;
  std::optional<Process> process;
  std::string output;
};

// Polls `done` (draining the daemons' output) for at most a minute.
template <typename F>
void WaitFor(F done, const std::string& what, std::vector<Daemon*> daemons) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    std::string said;
    for (auto* d : daemons) said += "\n--- " + d->name + " ---\n" + d->Output();
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "gave up waiting for " << what << said);
    std::this_thread::sleep_for(milliseconds(200));
  }
}

json SchedulerStatus(const std::vector<std::string>& where) {
  std::vector<std::string> argv = {kCli, "status", "--json"};
  argv.insert(argv.end(), where.begin(), where.end());
  auto [code, out] = Run(argv);
  if (code != 0) return json();
  return json::parse(out, nullptr, false);
}

}  // namespace

BOOST_AUTO_TEST_CASE(executors_and_tools_on_other_hosts_need_an_authorized_key) {
  BOOST_REQUIRE_MESSAGE(::geteuid() == 0, "curve_test needs root: it makes a network namespace (CI runs it as root)");
  TestMariaDb db;
  NetNamespace net("10.214.");
  auto tmp = TempDir::Create("/tmp", "aegir-curve-");
  BOOST_REQUIRE(tmp.ok());
  const std::string dir = tmp->path().string();
  for (const char* sub : {"executors", "clients", "work-good", "work-stranger"})
    fs::create_directories(dir + "/" + sub);
  for (const char* key : {"scheduler.key", "executor.key", "stranger.key", "tool.key", "stranger-tool.key"}) {
    auto [code, out] = Run({kCli, "keygen", dir + "/" + key});
    BOOST_REQUIRE_MESSAGE(code == 0, out);
  }
  BOOST_TEST(((fs::status(dir + "/executor.key").permissions() & fs::perms::group_all) == fs::perms::none));
  // The keygen refuses to overwrite a key.
  BOOST_TEST(Run({kCli, "keygen", dir + "/executor.key"}).first != 0);
  fs::copy_file(dir + "/executor.key.pub", dir + "/executors/good.pub");
  fs::copy_file(dir + "/tool.key.pub", dir + "/clients/tool.pub");

  const std::string executor_tcp = "tcp://" + net.host_ip + ":" + std::to_string(FreePort());
  const std::string submit_tcp = "tcp://" + net.host_ip + ":" + std::to_string(FreePort());
  const std::string local = "--scheduler=ipc://" + dir + "/submit.ipc";
  Daemon scheduler("aegir-scheduler",
                   {kBin + "/scheduler/aegir-scheduler", "--submit-endpoint=ipc://" + dir + "/submit.ipc",
                    "--executor-endpoint=ipc://" + dir + "/executor.ipc", "--executor-tcp-endpoint=" + executor_tcp,
                    "--submit-tcp-endpoint=" + submit_tcp, "--curve-secret-key=" + dir + "/scheduler.key",
                    "--executor-keys=" + dir + "/executors", "--client-keys=" + dir + "/clients",
                    "--db-socket=" + db.options().socket, "--db-user=" + db.options().user, "--db-name=aegir",
                    "--catalogue=" + std::string(AEGIR_SOURCE_DIR) + "/roles/operations.json",
                    "--roles=" + std::string(AEGIR_SOURCE_DIR) + "/roles",
                    "--public-url=http://" + net.host_ip + ":" + std::to_string(FreePort())});
  WaitFor([&] { return Run({kCli, "ping", local}).first == 0; }, "the scheduler", {&scheduler});

  // No drain at the end: the job posts to a feedback URL nobody answers, so
  // waiting the default 15 s for it to end on its own would only wait.
  auto executor = [&](const std::string& name, const std::string& key) {
    return net.InNs({kBin + "/executors/aegir-executor", "--scheduler=" + executor_tcp,
                     "--curve-key=" + dir + "/" + key, "--curve-server-key=" + dir + "/scheduler.key.pub",
                     "--roles=" + std::string(AEGIR_SOURCE_DIR) + "/roles", "--work-dir=" + dir + "/" + name,
                     "--drain-grace=0"});
  };
  Daemon good("executor (authorized)", executor("work-good", "executor.key"));
  Daemon stranger("executor (unknown key)", executor("work-stranger", "stranger.key"));

  // The authorized one registers; the other is refused at the handshake.
  WaitFor([&] { return SchedulerStatus({local}).value("executors", json::array()).size() == 1u; },
          "the authorized executor to register", {&scheduler, &good, &stranger});
  std::string stranger_key;
  {
    std::ifstream in(dir + "/stranger.key.pub");
    std::getline(in, stranger_key);
  }
  WaitFor([&] { return Contains(scheduler.Output(), "with key " + stranger_key + " refused"); },
          "the scheduler to refuse the unknown key", {&scheduler, &good, &stranger});
  json st = SchedulerStatus({local});
  BOOST_REQUIRE_EQUAL(st["executors"].size(), 1u);
  const std::string good_id = st["executors"][0]["id"];

  // A job reaches it over TCP and runs there (the scheduler's claim stored
  // it as running; its aegir-web is unreachable, so the executor's posts
  // fail and it keeps trying).
  Job job;
  job.job_id = 1;
  job.operation = "server-verify";
  job.entity = "server:1";
  job.target = {"localhost", "localhost", "local", "", 22, ""};
  job.roles = {"server_check_connection"};
  job.feedback_url = "http://" + net.host_ip + ":" + std::to_string(FreePort()) + "/api/tasks/1";
  {
    auto c = db.Connect();
    auto r = c.Exec(
        "INSERT INTO tasks (id, operation, entity_type, entity_id, vars, job, locks, state) "
        "VALUES (1, 'server-verify', 'server', 1, '{}', ?, 'server:1', 'queued')",
        {db::Value(job.ToJson())});
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  }
  WaitFor([&] { return Contains(good.Output(), "job 1: could not report its start to aegir-web"); },
          "the job to run on the executor", {&scheduler, &good, &stranger});
  BOOST_TEST(Contains(scheduler.Output(), "job 1 sent to executor " + good_id));
  BOOST_TEST(Contains(good.Output(), "job 1 running as pid"), good.Output());
  {
    auto c = db.Connect();
    auto rows = c.Query("SELECT state, executor, started_at IS NOT NULL FROM tasks WHERE id = 1");
    BOOST_REQUIRE(rows.ok() && rows->size() == 1u);
    BOOST_TEST((*rows)[0].Str(0) == "running");
    BOOST_TEST((*rows)[0].Int(2) == 1);
  }

  // Tools: the authorized key is answered over TCP from the namespace; an
  // unknown key, or none, is not.
  auto tool = [&](const std::string& key) {
    std::vector<std::string> argv = {kCli, "status", "--json", "--scheduler=" + submit_tcp};
    if (!key.empty()) {
      argv.push_back("--key=" + dir + "/" + key);
      argv.push_back("--scheduler-key=" + dir + "/scheduler.key.pub");
    }
    return Run(net.InNs(argv));
  };
  auto [ok_code, ok_out] = tool("tool.key");
  BOOST_TEST(ok_code == 0, ok_out);
  BOOST_TEST(Contains(ok_out, good_id), ok_out);
  auto [bad_code, bad_out] = tool("stranger-tool.key");
  BOOST_TEST(bad_code == 1);
  BOOST_TEST(Contains(bad_out, "did not answer"), bad_out);
  auto [none_code, none_out] = tool("");
  BOOST_TEST(none_code == 1);

  // A tool's operation is recorded in the audit log under its key's name
  // (the file it was authorized by) and its address.
  {
    auto c = db.Connect();
    auto r = c.Exec("INSERT INTO servers (name, hostname) VALUES ('localhost', 'localhost')");
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  }
  auto [run_code, run_out] =
      Run(net.InNs({kCli, "submit", "server-verify", "server:localhost", "--json", "--scheduler=" + submit_tcp,
                    "--key=" + dir + "/tool.key", "--scheduler-key=" + dir + "/scheduler.key.pub"}));
  BOOST_REQUIRE_MESSAGE(run_code == 0, run_out);
  {
    auto c = db.Connect();
    auto rows = c.Query("SELECT actor, address, JSON_VALUE(details, '$.operation') FROM audit_log WHERE task_id = ?",
                        {db::Value(int64_t{std::stoll(First(run_out, "\"job_id\":([0-9]+)"))})});
    BOOST_REQUIRE(rows.ok());
    BOOST_REQUIRE_EQUAL(rows->size(), 1u);
    BOOST_TEST((*rows)[0].Str(0) == "aegir client (key tool)");
    BOOST_TEST(Contains((*rows)[0].Str(1), net.ns_ip), (*rows)[0].Str(1));
    BOOST_TEST((*rows)[0].Str(2) == "server-verify");
  }

  good.Stop(milliseconds(20000));
  stranger.Stop(milliseconds(20000));
  scheduler.Stop(milliseconds(10000));
  std::vector<std::string> left = net.Remove();
  BOOST_TEST(left.empty(), left.size() << " processes left in the namespace");
}
