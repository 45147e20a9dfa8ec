// Jobs are never lost and never stuck: fault injection with the real
// processes. The stack of scripts/launch (which restarts a program that
// dies) runs real ansible-playbook jobs while the test kills aegir-executor,
// aegir-scheduler, aegir-web and MariaDB with SIGKILL in the middle of them,
// cancels jobs, and races 100 submissions on one entity. After each: every
// job ended in a final state, none ran at the same time as another on its
// entity, no acknowledged job vanished, and no log line was lost or
// duplicated. Time is never asserted: waits are bounded and fail with what
// they saw.
#define BOOST_TEST_MODULE jobs
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <nlohmann/json.hpp>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "common/protocol.h"
#include "tests/integration/stack.h"

using namespace aegir::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

BOOST_TEST_GLOBAL_FIXTURE(StackSuite);
Stack& S() { return StackSuite::Get(); }

const std::string kServer = "/servers/1";  // "localhost", made by the launcher

int PidOf(const std::string& comm) { return aegir::testing::PidOf(S(), comm); }

// ansible-playbook processes of this stack's executor (their playbooks are
// under $AEGIR_VAR/work).
std::vector<int> AnsibleRuns() {
  std::vector<int> out;
  for (int pid : ProcessesMentioning(S().var_dir() + "/work/")) {
    std::string cmd = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
    if (cmd.find("ansible-playbook") != std::string::npos) out.push_back(pid);
  }
  return out;
}

// Polls `done` every 100 ms for at most `limit`; fails the test with `what`.
template <typename F>
void WaitFor(F done, const std::string& what, seconds limit = seconds(120)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "gave up waiting for " << what);
    std::this_thread::sleep_for(milliseconds(100));
  }
}

// Kills the program with SIGKILL and waits until the launcher has started it
// again (a new pid) and the panel answers a logged-in page again.
void KillAndWaitForRestart(Browser& b, const std::string& comm) {
  int pid = PidOf(comm);
  BOOST_REQUIRE_MESSAGE(pid > 0, comm << " is not running");
  BOOST_REQUIRE(::kill(pid, SIGKILL) == 0);
  WaitFor(
      [&] {
        int now = PidOf(comm);
        return now > 0 && now != pid;
      },
      comm + " to be restarted");
  WaitFor([&] { return b.Get("/tasks").status == 200; }, "the panel to answer after " + comm + "'s restart");
}

// Queues an operation through its form; returns the task's path.
std::string Queue(Browser& b, const std::string& entity, const std::string& op) {
  HttpResult form = b.Get(entity + "/run/" + op);
  BOOST_REQUIRE_EQUAL(form.status, 200);
  HttpResult r = b.Post(entity + "/run/" + op, {{"csrf", Browser::CsrfToken(form.body)}});
  BOOST_REQUIRE_MESSAGE(r.status == 303 && r.location.rfind("/tasks/", 0) == 0, op << " was not queued (HTTP "
                                                                                   << r.status << "):\n"
                                                                                   << r.body);
  return r.location;
}

std::string IdOf(const std::string& task_path) { return task_path.substr(task_path.rfind('/') + 1); }

// The task's log lines are exactly 1..N, each once (the table's key makes a
// duplicate impossible; a gap means a lost line).
void CheckLogIntact(const std::string& task_path) {
  std::string id = IdOf(task_path);
  std::string row = Sql(S(),
                        "SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM aegir.task_log "
                        "WHERE task_id = " +
                            id);
  std::istringstream in(row);
  long count = 0, min = 0, max = 0;
  in >> count >> min >> max;
  BOOST_TEST(count > 0, "task " << id << " has no log");
  BOOST_TEST(min == 1);
  BOOST_TEST(max == count, "task " << id << ": " << count << " lines, numbered up to " << max);
}

void WaitForAnsible() {
  WaitFor([] { return !AnsibleRuns().empty(); }, "ansible-playbook to start");
}

void WaitForNoAnsible() {
  WaitFor([] { return AnsibleRuns().empty(); }, "every ansible-playbook to end");
}

struct LoggedIn {
  LoggedIn() { LogIn(b, S()); }
  Browser b{S().url()};
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_job_runs_and_shows_its_recap_and_duration, LoggedIn) {
  std::string task = Queue(b, kServer, "server-verify");
  std::string html = WaitForTask(b, task);
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", html);
  BOOST_TEST(Contains(html, "id=\"recap\""));
  BOOST_TEST(!First(html, "<th scope=\"row\">(localhost)</th>").empty(), html);
  BOOST_TEST(!First(html, "id=\"task-duration\">([0-9.]+ (ms|s|min))").empty());
  CheckLogIntact(task);
}

BOOST_FIXTURE_TEST_CASE(an_executor_killed_mid_job_fails_it_as_lost, LoggedIn) {
  std::string task = Queue(b, kServer, "server-verify");
  WaitForAnsible();
  KillAndWaitForRestart(b, "aegir-executor");
  std::string html = WaitForTask(b, task);
  BOOST_TEST(TaskState(html) == "failed");
  BOOST_TEST(Contains(html, "Executor lost"), html);
  // Its ansible-playbook died with it, and the restarted executor works.
  WaitForNoAnsible();
  std::string next = WaitForTask(b, Queue(b, kServer, "server-verify"));
  BOOST_TEST(TaskState(next) == "succeeded", next);
}

BOOST_FIXTURE_TEST_CASE(a_scheduler_killed_mid_job_loses_nothing, LoggedIn) {
  std::string running = Queue(b, kServer, "server-verify");
  WaitForAnsible();
  int pid = PidOf("aegir-scheduler");
  BOOST_REQUIRE(pid > 0);
  BOOST_REQUIRE(::kill(pid, SIGKILL) == 0);
  // Queued while there is no scheduler: stored, and run once it is back.
  std::string queued = Queue(b, kServer, "server-verify");
  WaitFor([&] { return PidOf("aegir-scheduler") > 0 && PidOf("aegir-scheduler") != pid; }, "the scheduler's restart");
  std::string first = WaitForTask(b, running);
  BOOST_TEST(TaskState(first) == "succeeded", first);
  std::string second = WaitForTask(b, queued);
  BOOST_TEST(TaskState(second) == "succeeded", second);
  CheckLogIntact(running);
  CheckLogIntact(queued);
}

BOOST_FIXTURE_TEST_CASE(aegir_web_killed_mid_job_loses_no_log_line, LoggedIn) {
  std::string task = Queue(b, kServer, "server-verify");
  WaitForAnsible();
  KillAndWaitForRestart(b, "aegir-web");
  std::string html = WaitForTask(b, task);
  BOOST_TEST(TaskState(html) == "succeeded", html);
  CheckLogIntact(task);
}

BOOST_FIXTURE_TEST_CASE(mariadb_killed_mid_job_loses_nothing, LoggedIn) {
  std::string task = Queue(b, kServer, "server-verify");
  WaitForAnsible();
  KillAndWaitForRestart(b, "mariadbd");
  std::string html = WaitForTask(b, task);
  BOOST_TEST(TaskState(html) == "succeeded", html);
  CheckLogIntact(task);
  std::string next = WaitForTask(b, Queue(b, kServer, "server-verify"));
  BOOST_TEST(TaskState(next) == "succeeded", next);
}

BOOST_FIXTURE_TEST_CASE(cancel_a_queued_and_a_running_job, LoggedIn) {
  std::string running = Queue(b, kServer, "server-verify");
  std::string queued = Queue(b, kServer, "server-verify");
  WaitForAnsible();
  HttpResult page = b.Get(queued);
  BOOST_TEST(Contains(page.body, "id=\"task-cancel\""));
  HttpResult r = b.Post(queued + "/cancel", {{"csrf", Browser::CsrfToken(page.body)}});
  BOOST_TEST(r.status == 303);
  BOOST_TEST(TaskState(b.Get(queued).body) == "cancelled");
  page = b.Get(running);
  r = b.Post(running + "/cancel", {{"csrf", Browser::CsrfToken(page.body)}});
  BOOST_TEST(r.status == 303);
  std::string html = WaitForTask(b, running);
  BOOST_TEST(TaskState(html) == "cancelled", html);
  WaitForNoAnsible();
  // Cancelling an ended task is refused with a clear message.
  r = b.Post(running + "/cancel", {{"csrf", Browser::CsrfToken(html)}});
  BOOST_TEST(r.status == 409);
  BOOST_TEST(Contains(r.body, "has ended already"));
  // A forged cancel without the CSRF token changes nothing.
  std::string other = Queue(b, kServer, "server-verify");
  r = b.Post(other + "/cancel", {{"csrf", "forged"}});
  BOOST_TEST(r.status == 403);
  BOOST_TEST(TaskState(WaitForTask(b, other)) == "succeeded");
}

// 100 submissions on one entity from 10 browsers at once. The first few run
// (one at a time); the rest are cancelled once five have succeeded.
BOOST_AUTO_TEST_CASE(a_race_of_100_submissions_on_one_entity) {
  std::vector<std::string> tasks[10];
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t) {
    threads.emplace_back([t, &tasks] {
      Browser b(S().url());
      LogIn(b, S());
      for (int i = 0; i < 10; ++i) tasks[t].push_back(Queue(b, kServer, "server-verify"));
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> ids;
  for (const auto& list : tasks) {
    for (const auto& path : list) ids.insert(IdOf(path));
  }
  BOOST_REQUIRE_EQUAL(ids.size(), 100u);
  std::string in_list;
  for (const auto& id : ids) in_list += (in_list.empty() ? "" : ",") + id;
  auto count = [&](const std::string& where) {
    return std::stoi(Sql(S(), "SELECT COUNT(*) FROM aegir.tasks WHERE id IN (" + in_list + ") AND " + where));
  };
  // Every acknowledged submission is a stored task.
  BOOST_TEST(count("TRUE") == 100);
  WaitFor([&] { return count("state = 'succeeded'") >= 5; }, "five of them to succeed", seconds(300));
  Browser b(S().url());
  LogIn(b, S());
  for (const auto& id : ids) {
    HttpResult page = b.Get("/tasks/" + id);
    if (!Contains(page.body, "id=\"task-cancel\"")) continue;
    (void)b.Post("/tasks/" + id + "/cancel", {{"csrf", Browser::CsrfToken(page.body)}});
  }
  WaitFor([&] { return count("state IN ('queued', 'running')") == 0; }, "every task to end", seconds(300));
  BOOST_TEST(count("state IN ('succeeded', 'cancelled')") == 100);
  // One at a time: ordered by start, each started after the one before ended.
  std::string rows = Sql(S(),
                         "SELECT id, DATE_FORMAT(started_at, '%Y%m%d%H%i%s%f'), "
                         "DATE_FORMAT(finished_at, '%Y%m%d%H%i%s%f') FROM aegir.tasks WHERE id IN (" +
                             in_list + ") AND started_at IS NOT NULL ORDER BY started_at");
  std::istringstream in(rows);
  std::string id, start, end, previous_end, previous_id;
  int ran = 0;
  while (in >> id >> start >> end) {
    ++ran;
    if (!previous_end.empty()) {
      BOOST_TEST(start > previous_end, "task " << id << " started at " << start << " before task " << previous_id
                                               << " ended at " << previous_end);
    }
    previous_end = end;
    previous_id = id;
  }
  BOOST_TEST(ran >= 5);
  WaitForNoAnsible();
}

// The aegir client over the scheduler's submission socket: its jobs are
// tasks like any other.
BOOST_FIXTURE_TEST_CASE(the_aegir_client_submits_follows_and_cancels, LoggedIn) {
  const std::string cli = std::string(AEGIR_BINARY_DIR) + "/cli/aegir";
  const std::string endpoint = "--scheduler=ipc://" + S().var_dir() + "/run/submit.ipc";
  auto [code, out] = Run({cli, "submit", "server-verify", "server:localhost", endpoint, "--json"});
  BOOST_REQUIRE_MESSAGE(code == 0, out);
  std::string id = First(out, "\"job_id\":([0-9]+)");
  BOOST_REQUIRE(!id.empty());
  auto [log_code, log] = Run({cli, "log", "-f", id, endpoint});
  BOOST_TEST(log_code == 0, log);
  BOOST_TEST(Contains(log, "PLAY RECAP"), log);
  auto [st_code, st] = Run({cli, "status", id, endpoint, "--json"});
  BOOST_TEST(st_code == 0);
  BOOST_TEST(Contains(st, "\"state\": \"succeeded\""), st);
  BOOST_TEST(TaskState(b.Get("/tasks/" + id).body) == "succeeded");
  CheckLogIntact("/tasks/" + id);
  // The audit log names it as a local tool's.
  BOOST_TEST(Sql(S(), "SELECT actor FROM aegir.audit_log WHERE task_id = " + id) == "aegir client (local)\n");

  // Refusals say what was wrong, and nothing is queued.
  std::string before = Sql(S(), "SELECT COUNT(*) FROM aegir.tasks");
  for (const auto& [args, says] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"submit", "site-backup", "server:localhost"}, "runs on a site"},
           {{"submit", "server-verify", "server:nope"}, "there is no server 'nope'"},
           {{"submit", "server-verify", "server:localhost", "nosuch=1"}, "has no field 'nosuch'"},
           {{"submit", "no-such-operation", "server:localhost"}, "no operation 'no-such-operation'"},
           {{"submit", "server-verify", "server:localhost", "=1"}, "is not NAME=VALUE"},
           {{"cancel", "999999"}, "not queued or running"},
           {{"log", "x"}, "is not a job id"}}) {
    std::vector<std::string> argv = {cli};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(endpoint);
    auto [c, o] = Run(argv);
    BOOST_TEST(c != 0, o);
    BOOST_TEST(Contains(o, says), o << " lacks " << says);
  }
  BOOST_TEST(Sql(S(), "SELECT COUNT(*) FROM aegir.tasks") == before);

  // A queued job cancelled from the client.
  auto [c1, first] = Run({cli, "submit", "server-verify", "server:1", endpoint, "--json"});
  auto [c2, second] = Run({cli, "submit", "server-verify", "server:1", endpoint, "--json"});
  BOOST_REQUIRE(c1 == 0 && c2 == 0);
  std::string second_id = First(second, "\"job_id\":([0-9]+)");
  auto [cc, cancelled] = Run({cli, "cancel", second_id, endpoint});
  BOOST_TEST(cc == 0, cancelled);
  auto [lc, lo] = Run({cli, "log", "-f", second_id, endpoint});
  BOOST_TEST(lc == 1);  // it did not succeed
  BOOST_TEST(TaskState(WaitForTask(b, "/tasks/" + second_id)) == "cancelled");
  BOOST_TEST(TaskState(WaitForTask(b, "/tasks/" + First(first, "\"job_id\":([0-9]+)"))) == "succeeded");
}

// Sends RUNs of the operation on these targets back to back on one socket
// (so they come in one turn) and gives each answer, in order: (command, text).
struct RunMessage {
  std::string operation, target;
  nlohmann::json vars = nlohmann::json::object();
};
std::vector<std::pair<std::string, std::string>> RunBackToBack(const std::vector<RunMessage>& runs) {
  zmq::context_t context;
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  socket.connect("ipc://" + S().var_dir() + "/run/submit.ipc");
  for (const auto& r : runs) {
    const std::string run = nlohmann::json{{"operation", r.operation}, {"target", r.target}, {"vars", r.vars}}.dump();
    std::vector<zmq::const_buffer> frames = {zmq::buffer(aegir::protocol::kVersion),
                                             zmq::buffer(aegir::protocol::kRun), zmq::buffer(run)};
    BOOST_REQUIRE(zmq::send_multipart(socket, frames));
  }
  std::vector<std::pair<std::string, std::string>> answers;
  for (size_t i = 0; i < runs.size(); ++i) {
    zmq::pollitem_t item = {socket.handle(), 0, ZMQ_POLLIN, 0};
    BOOST_REQUIRE_MESSAGE(zmq::poll(&item, 1, std::chrono::milliseconds(10000)) == 1, "no answer to RUN " << i);
    std::vector<zmq::message_t> reply;
    BOOST_REQUIRE(zmq::recv_multipart(socket, std::back_inserter(reply)));
    BOOST_REQUIRE_EQUAL(reply.size(), 3u);
    answers.emplace_back(reply[1].to_string(), reply[2].to_string());
  }
  return answers;
}
std::vector<std::pair<std::string, std::string>> RunBackToBack(const std::string& operation,
                                                               const std::vector<std::string>& targets) {
  std::vector<RunMessage> runs;
  for (const auto& t : targets) runs.push_back({operation, t});
  return RunBackToBack(runs);
}

// Adds live sites on the wordpress platform for a client of this name.
void AddSites(const std::string& client, const std::vector<std::pair<std::string, std::string>>& domain_status) {
  std::string platform = Sql(S(), "SELECT id FROM aegir.platforms WHERE name = 'wordpress'");
  platform.erase(platform.find_last_not_of("\n") + 1);
  BOOST_REQUIRE(!platform.empty());
  Sql(S(), "INSERT INTO aegir.clients (name) VALUES ('" + client + "')");
  for (const auto& [domain, status] : domain_status) {
    Sql(S(), "INSERT INTO aegir.sites (domain, platform_id, db_server_id, client_id, status) "
             "SELECT '" + domain + "', p.id, p.server_id, c.id, '" + status + "' FROM aegir.platforms p "
             "JOIN aegir.clients c ON c.name = '" + client + "' WHERE p.id = " + platform);
  }
}

// A turn's RUNs on sites have their sites read with one statement before
// they are handled: each is answered as it would be alone, in order, and
// each task is on the site its RUN named, by domain or by id, also when a
// site is named twice; an unknown or deleted site is refused.
BOOST_FIXTURE_TEST_CASE(a_turns_runs_read_their_sites_together, LoggedIn) {
  AddSites("turn-client", {{"one.turn.test", "enabled"}, {"two.turn.test", "enabled"}, {"gone.turn.test", "deleted"}});
  auto id_of = [](const std::string& domain) {
    std::string id = Sql(S(), "SELECT id FROM aegir.sites WHERE domain = '" + domain + "'");
    return id.substr(0, id.find('\n'));
  };
  const std::string one = id_of("one.turn.test"), two = id_of("two.turn.test"), gone = id_of("gone.turn.test");
  const std::vector<std::string> targets = {"site:one.turn.test", "site:" + two,   "site:nowhere.turn.test",
                                            "site:one.turn.test", "site:gone.turn.test", "site:" + gone,
                                            "site:" + one};
  // What each RUN is on, or "" when it is refused.
  const std::vector<std::string> expect = {one, two, "", one, "", "", one};
  auto answers = RunBackToBack("site-verify", targets);
  BOOST_REQUIRE_EQUAL(answers.size(), expect.size());
  for (size_t i = 0; i < answers.size(); ++i) {
    const auto& [command, text] = answers[i];
    BOOST_TEST_CONTEXT("RUN on " << targets[i]) {
      if (expect[i].empty()) {
        BOOST_TEST(command == "ERROR", text);
        BOOST_TEST(Contains(text, "there is no site"), text);
        continue;
      }
      BOOST_REQUIRE_MESSAGE(command == "ACK", text);
      std::string on = Sql(S(), "SELECT CONCAT(entity_type, ':', entity_id) FROM aegir.tasks WHERE id = " + text);
      BOOST_TEST(on == "site:" + expect[i] + "\n");
    }
  }
  // Each ends (they fail: these sites have no files), and nothing waits.
  std::string acked;
  for (const auto& [command, text] : answers) {
    if (command != "ACK") continue;
    WaitForTask(b, "/tasks/" + text);
    acked += (acked.empty() ? "" : ",") + text;
  }
  // Each was claimed as a claim does, whether its row was written claimed
  // (an executor was free) or claimed after: one attempt, an executor, a
  // start, and the hash of the token its executor then posted its log with
  // (aegir-web refuses a post with another token).
  BOOST_TEST(Sql(S(), "SELECT COUNT(*) FROM aegir.tasks WHERE id IN (" + acked +
                          ") AND attempts = 1 AND executor IS NOT NULL AND started_at IS NOT NULL "
                          "AND LENGTH(feedback_token_hash) = 64") == "4\n");
  BOOST_TEST(Sql(S(), "SELECT COUNT(DISTINCT task_id) FROM aegir.task_log WHERE task_id IN (" + acked + ")") ==
             "4\n");
}

// The scheduler stores a turn's RUNs in one transaction, without a savepoint
// each, and writes their task rows and audit entries with one statement
// each before it commits. A RUN failing (its task row refused: it fails
// half-way through its store; its audit entry refused: the turn's audit
// statement fails) spoils that transaction, so the turn's RUNs are stored
// again, each alone. Sent back to back on one socket, they come in one turn;
// each is answered, in order, and nothing of the failed one is left.
BOOST_FIXTURE_TEST_CASE(a_run_failing_in_a_turn_loses_nothing_of_the_others, LoggedIn) {
  Sql(S(), "INSERT INTO aegir.servers (name, hostname) VALUES ('refused-rows', 'localhost')");
  std::string bad = Sql(S(), "SELECT id FROM aegir.servers WHERE name = 'refused-rows'");
  bad.erase(bad.find_last_not_of("\n") + 1);
  // One statement each (the client would split a body with ';'): a NULL in
  // a NOT NULL column for that server's rows fails the insert.
  const std::vector<std::pair<std::string, std::string>> refusals = {
      {"tasks", "SET NEW.operation = IF(NEW.entity_type = 'server' AND NEW.entity_id = " + bad +
                    ", NULL, NEW.operation)"},
      {"audit_log",
       "SET NEW.action = IF(NEW.entity_type = 'server' AND NEW.entity_id = " + bad + ", NULL, NEW.action)"}};
  for (const auto& [table, body] : refusals) {
    BOOST_TEST_CONTEXT("rows of " << table << " refused") {
      Sql(S(), "CREATE TRIGGER aegir.refuse_rows BEFORE INSERT ON aegir." + table + " FOR EACH ROW " + body);
      const std::string tasks_before = Sql(S(), "SELECT COUNT(*) FROM aegir.tasks");

      const std::vector<std::string> targets = {"server:localhost", "server:" + bad, "server:localhost",
                                                "server:localhost"};
      std::vector<std::string> ids;
      auto answers = RunBackToBack("server-verify", targets);
      for (size_t i = 0; i < answers.size(); ++i) {
        const auto& [command, text] = answers[i];
        if (i == 1) {
          BOOST_TEST(command == "ERROR", text);
        } else {
          BOOST_TEST(command == "ACK", text);
          ids.push_back(text);
        }
      }
      Sql(S(), "DROP TRIGGER aegir.refuse_rows");
      BOOST_REQUIRE_EQUAL(ids.size(), 3u);
      BOOST_TEST(std::set<std::string>(ids.begin(), ids.end()).size() == 3u);
      // Three tasks more, none for the refused server, each with its audit
      // entry and its job; then each runs to its end.
      BOOST_TEST(std::stoll(Sql(S(), "SELECT COUNT(*) FROM aegir.tasks")) == std::stoll(tasks_before) + 3);
      BOOST_TEST(Sql(S(), "SELECT COUNT(*) FROM aegir.tasks WHERE entity_type = 'server' AND entity_id = " + bad) ==
                 "0\n");
      const std::string in_list = ids[0] + "," + ids[1] + "," + ids[2];
      BOOST_TEST(Sql(S(), "SELECT COUNT(*) FROM aegir.audit_log WHERE task_id IN (" + in_list + ")") == "3\n");
      BOOST_TEST(Sql(S(), "SELECT COUNT(*) FROM aegir.tasks WHERE job IS NOT NULL AND id IN (" + in_list + ")") ==
                 "3\n");
      for (const auto& id : ids) {
        BOOST_TEST(TaskState(WaitForTask(b, "/tasks/" + id)) == "succeeded", "task " << id);
      }
    }
  }
  Sql(S(), "DELETE FROM aegir.servers WHERE id = " + bad);
}

// A RUN failing half-way in its turn has the RUNs before it stored alone;
// when the rows of the RUNs after it are refused at the turn's end, those
// stored alone are committed already and are not stored a second time.
BOOST_FIXTURE_TEST_CASE(runs_stored_alone_in_a_turn_are_stored_once, LoggedIn) {
  AddSites("alone-client", {{"src.alone.test", "enabled"}});
  Sql(S(), "INSERT INTO aegir.servers (name, hostname) VALUES ('refused-alone', 'localhost')");
  std::string bad = Sql(S(), "SELECT id FROM aegir.servers WHERE name = 'refused-alone'");
  bad.erase(bad.find_last_not_of("\n") + 1);
  // The clone's new site is refused inside its store (the turn's
  // transaction is spoilt there); that server's task rows at the turn's end.
  Sql(S(), "CREATE TRIGGER aegir.refuse_clone BEFORE INSERT ON aegir.sites FOR EACH ROW "
           "SET NEW.domain = IF(NEW.domain = 'copy.alone.test', NULL, NEW.domain)");
  Sql(S(), "CREATE TRIGGER aegir.refuse_rows BEFORE INSERT ON aegir.tasks FOR EACH ROW "
           "SET NEW.operation = IF(NEW.entity_type = 'server' AND NEW.entity_id = " + bad + ", NULL, NEW.operation)");
  const std::string tasks_before = Sql(S(), "SELECT COUNT(*) FROM aegir.tasks");
  auto answers = RunBackToBack(std::vector<RunMessage>{{"server-verify", "server:localhost"},
                                {"site-clone", "site:src.alone.test", {{"aegir_new_domain", "copy.alone.test"}}},
                                {"server-verify", "server:" + bad},
                                {"server-verify", "server:localhost"}});
  Sql(S(), "DROP TRIGGER aegir.refuse_clone");
  Sql(S(), "DROP TRIGGER aegir.refuse_rows");
  BOOST_REQUIRE_EQUAL(answers.size(), 4u);
  const std::vector<std::string> expect = {"ACK", "ERROR", "ERROR", "ACK"};
  for (size_t i = 0; i < answers.size(); ++i) BOOST_TEST(answers[i].first == expect[i], i << ": " << answers[i].second);
  BOOST_TEST(answers[0].second != answers[3].second);
  BOOST_TEST(std::stoll(Sql(S(), "SELECT COUNT(*) FROM aegir.tasks")) == std::stoll(tasks_before) + 2);
  BOOST_TEST(Sql(S(), "SELECT COUNT(*) FROM aegir.sites WHERE domain = 'copy.alone.test'") == "0\n");
  for (size_t i : {0u, 3u}) {
    if (answers[i].first == "ACK") {
      BOOST_TEST(TaskState(WaitForTask(b, "/tasks/" + answers[i].second)) == "succeeded");
    }
  }
  Sql(S(), "DELETE FROM aegir.servers WHERE id = " + bad);
}

// A log of a million lines stays viewable, a page at a time.
BOOST_FIXTURE_TEST_CASE(a_million_line_log_is_read_in_pages, LoggedIn) {
  std::string task = Queue(b, kServer, "server-verify");
  BOOST_REQUIRE(TaskState(WaitForTask(b, task)) == "succeeded");
  const std::string id = IdOf(task);
  std::string last = Sql(S(), "SELECT MAX(seq) FROM aegir.task_log WHERE task_id = " + id);
  Sql(S(), "INSERT INTO aegir.task_log (task_id, seq, line) SELECT " + id + ", seq, CONCAT('line ', seq) FROM "
           "aegir.seq_1_to_1000000 WHERE seq > " + last);
  HttpResult first = b.Get(task);
  BOOST_REQUIRE_EQUAL(first.status, 200);
  BOOST_TEST(Contains(first.body, "data-seq=\"2000\""));
  BOOST_TEST(!Contains(first.body, "data-seq=\"2001\""));
  BOOST_TEST(Contains(first.body, "href=\"/tasks/" + id + "?after=998000\" id=\"log-last\""), "no link to the last page");
  HttpResult end = b.Get(task + "?after=998000");
  BOOST_REQUIRE_EQUAL(end.status, 200);
  BOOST_TEST(Contains(end.body, ">line 1000000<"));
  BOOST_TEST(Contains(end.body, ">line 998001<"));
  BOOST_TEST(!Contains(end.body, ">line 998000<"));
  BOOST_TEST(Contains(end.body, "Earlier lines"));
  HttpResult middle = b.Get(task + "?after=500000");
  BOOST_TEST(Contains(middle.body, ">line 500001<"));
  BOOST_TEST(Contains(middle.body, ">line 502000<"));
}

BOOST_AUTO_TEST_CASE(the_stack_stops_cleanly_after_all_that) {
  std::vector<int> left = S().Stop();
  BOOST_TEST(left.empty(), left.size() << " processes left running");
}
