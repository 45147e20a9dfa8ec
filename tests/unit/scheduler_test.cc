// Tests for scheduler/scheduler.h: the real Scheduler over ipc:// in a
// temporary directory, with a real MariaDB holding the tasks, and a submitter
// and executor sockets the test drives.
#define BOOST_TEST_MODULE scheduler
#include "scheduler/scheduler.h"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <deque>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "common/crypto.h"
#include "common/job.h"
#include "common/protocol.h"
#include "common/tasks.h"
#include "common/temp_dir.h"
#include "tests/support/mariadb.h"

namespace aegir {
inline std::ostream& operator<<(std::ostream& out, Code code) { return out << CodeName(code); }
}  // namespace aegir

namespace {

namespace protocol = aegir::protocol;
using nlohmann::json;
using Frames = std::vector<std::string>;
using std::chrono::milliseconds;

aegir::Job MakeJob(int64_t id, const std::string& entity, std::vector<std::string> locks = {},
                   const std::string& server = "web1") {
  aegir::Job job;
  job.job_id = id;
  job.operation = "server-verify";
  job.entity = entity;
  job.locks = std::move(locks);
  job.target.name = server;
  job.target.host = "localhost";
  job.target.connection = "local";
  job.roles = {"server_check"};
  job.feedback_url = "http://127.0.0.1:1/api/tasks/" + std::to_string(id);
  job.timeout_s = 60;
  return job;
}

std::string JobJson(int64_t id, const std::string& entity) { return MakeJob(id, entity).ToJson(); }

// One MariaDB for the whole module; each test case starts with no tasks.
struct Database {
  Database() { BOOST_REQUIRE(aegir::crypto::Init().ok()); }
  aegir::testing::TestMariaDb server;
};
Database* g_db = nullptr;
struct DatabaseSetup {
  DatabaseSetup() { g_db = new Database; }
  ~DatabaseSetup() {
    delete g_db;
    g_db = nullptr;
  }
};

std::string Sql(const std::string& query) {
  auto c = g_db->server.Connect();
  auto rows = c.Query(query);
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().ToString());
  return rows->empty() ? std::string() : (*rows)[0].Str(0);
}

// Stores a job as a task row, as aegir-web does before it submits.
void Store(const aegir::Job& job, const std::string& state = "queued", const std::string& executor = "") {
  auto c = g_db->server.Connect();
  auto colon = job.entity.find(':');
  std::string type = colon == std::string::npos ? job.entity : job.entity.substr(0, colon);
  auto r = c.Exec(
      "INSERT INTO tasks (id, operation, entity_type, entity_id, vars, job, locks, state, executor) "
      "VALUES (?, ?, ?, 1, '{}', ?, ?, ?, ?)",
      {aegir::db::Value(job.job_id), aegir::db::Value(job.operation), aegir::db::Value(type.substr(0, 32)),
       aegir::db::Value(job.ToJson()), aegir::db::Value(aegir::tasks::JoinLocks(job.LockKeys())),
       aegir::db::Value(state), executor.empty() ? aegir::db::Value() : aegir::db::Value(executor)});
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
}

std::string StateOf(int64_t id) { return Sql("SELECT state FROM tasks WHERE id = " + std::to_string(id)); }

// Polls until the task's state is `want` (bounded; fails with what it was).
void WaitForState(int64_t id, const std::string& want, milliseconds limit = milliseconds(15000)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  std::string state;
  while (std::chrono::steady_clock::now() < deadline) {
    state = StateOf(id);
    if (state == want) return;
    std::this_thread::sleep_for(milliseconds(50));
  }
  BOOST_FAIL("task " << id << " is " << state << ", not " << want);
}

void Send(zmq::socket_t& s, const Frames& frames) {
  for (size_t i = 0; i < frames.size(); ++i) {
    s.send(zmq::buffer(frames[i]),
           i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
}

// The next message on s that is not a HEARTBEAT, or nullopt after timeout.
std::optional<Frames> Recv(zmq::socket_t& s, milliseconds timeout = milliseconds(3000),
                           bool skip_heartbeats = true) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    zmq::pollitem_t item = {s.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, left);
    if (!(item.revents & ZMQ_POLLIN)) continue;
    std::vector<zmq::message_t> msgs;
    if (!zmq::recv_multipart(s, std::back_inserter(msgs), zmq::recv_flags::dontwait)) continue;
    Frames frames;
    for (auto& m : msgs) frames.push_back(m.to_string());
    if (skip_heartbeats && frames.size() >= 2 && frames[1] == protocol::kHeartbeat) continue;
    return frames;
  }
}

// Collects the job ids of JOB messages arriving within `window`.
std::vector<int64_t> ReceiveJobs(zmq::socket_t& s, milliseconds window) {
  std::vector<int64_t> ids;
  auto deadline = std::chrono::steady_clock::now() + window;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    auto m = Recv(s, std::max(left, milliseconds(1)));
    if (!m) break;
    if (m->size() == 3 && (*m)[1] == protocol::kJob)
      ids.push_back(json::parse((*m)[2])["job_id"].get<int64_t>());
  }
  return ids;
}

// A scheduler on ipc:// sockets in a temporary directory, run in a thread,
// over the module's MariaDB emptied of tasks.
struct SchedulerFixture {
  SchedulerFixture() {
    auto c = g_db->server.Connect();
    BOOST_REQUIRE(c.Exec("DELETE FROM tasks").ok());
    auto d = aegir::TempDir::Create(std::filesystem::temp_directory_path(), "scheduler-test-");
    BOOST_REQUIRE(d.ok());
    dir.emplace(std::move(d).value());
    submit_endpoint = "ipc://" + (dir->path() / "submit.ipc").string();
    executor_endpoint = "ipc://" + (dir->path() / "executor.ipc").string();
    submitter = Connect(zmq::socket_type::dealer, submit_endpoint, "");
  }
  ~SchedulerFixture() { Stop(); }
  void Start(int max_running = 0, int max_per_server = 0) {
    aegir::scheduler::SchedulerOptions o;
    o.submit_endpoint = submit_endpoint;
    o.executor_endpoint = executor_endpoint;
    o.db = g_db->server.options();
    o.max_running = max_running;
    o.max_per_server = max_per_server;
    o.sweep_interval = milliseconds(200);
    auto s = aegir::scheduler::Scheduler::Create(context, std::move(o));
    BOOST_REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    scheduler = std::move(s).value();
    stop = false;
    thread = std::thread([this] { status = scheduler->Run(stop); });
  }
  // Stops the scheduler thread (the sockets of the test stay).
  void Stop() {
    if (!thread.joinable()) return;
    stop = true;
    thread.join();
    BOOST_TEST(status.ok());
    scheduler.reset();
  }
  zmq::socket_t Connect(zmq::socket_type type, const std::string& endpoint, const std::string& id) {
    zmq::socket_t s(context, type);
    s.set(zmq::sockopt::linger, 0);
    if (!id.empty()) s.set(zmq::sockopt::routing_id, id);
    s.connect(endpoint);
    return s;
  }
  // A test executor, registered with READY.
  zmq::socket_t& AddExecutor(const std::string& id, int capacity, std::vector<int64_t> running = {},
                             std::vector<std::string> labels = {}) {
    executors.push_back(Connect(zmq::socket_type::dealer, executor_endpoint, id));
    Ready(executors.back(), capacity, running, labels);
    return executors.back();
  }
  void Ready(zmq::socket_t& e, int capacity, std::vector<int64_t> running = {}, std::vector<std::string> labels = {}) {
    Send(e, {std::string(protocol::kVersion), std::string(protocol::kReady),
             json{{"capacity", capacity}, {"labels", labels}, {"running", running}}.dump()});
  }
  Frames Request(const Frames& frames) {
    Send(submitter, frames);
    auto reply = Recv(submitter);
    BOOST_REQUIRE(reply.has_value());
    BOOST_REQUIRE(reply->size() == 3u);
    BOOST_TEST((*reply)[0] == protocol::kVersion);
    return *reply;
  }
  // Stores the job as a queued task and submits it; expects its ACK.
  void Submit(const aegir::Job& job, bool store = true) {
    if (store) Store(job);
    auto reply = Request({std::string(protocol::kVersion), std::string(protocol::kSubmit), job.ToJson()});
    BOOST_TEST(reply[1] == protocol::kAck, reply[1] << " " << reply[2]);
    BOOST_TEST(reply[2] == std::to_string(job.job_id));
  }
  void Submit(int64_t id, const std::string& entity) { Submit(MakeJob(id, entity)); }
  json Status() {
    auto reply = Request({std::string(protocol::kVersion), std::string(protocol::kStatus)});
    BOOST_REQUIRE(reply[1] == protocol::kStatusReply);
    return json::parse(reply[2]);
  }
  // Until STATUS counts `n` orphaned jobs (an executor that stopped
  // speaking is forgotten after kHeartbeatLiveness intervals).
  void WaitForOrphaned(int n) {
    auto deadline = std::chrono::steady_clock::now() + protocol::kHeartbeatInterval * (protocol::kHeartbeatLiveness + 3);
    while (Status()["orphaned"] != n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(100));
    }
    BOOST_TEST(Status()["orphaned"] == n);
  }
  void Done(zmq::socket_t& executor, int64_t id, const std::string& state = "succeeded",
            const std::string& reason = "") {
    Send(executor, {std::string(protocol::kVersion), std::string(protocol::kDone),
                    json{{"job_id", id}, {"state", state}, {"exit_code", state == "succeeded" ? 0 : 2},
                         {"reason", reason}}
                        .dump()});
  }

  std::optional<aegir::TempDir> dir;
  std::string submit_endpoint, executor_endpoint;
  zmq::context_t context;
  std::unique_ptr<aegir::scheduler::Scheduler> scheduler;
  std::atomic<bool> stop{false};
  aegir::Status status;
  std::thread thread;
  zmq::socket_t submitter;
  std::deque<zmq::socket_t> executors;
};

// Starts the scheduler at once (most cases).
struct Started : SchedulerFixture {
  Started() { Start(); }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(DatabaseSetup);

BOOST_FIXTURE_TEST_CASE(submit_is_acked_claimed_and_dispatched_with_a_fresh_token, Started) {
  auto& executor = AddExecutor("exec-1", 2);
  std::this_thread::sleep_for(milliseconds(100));  // READY before the job
  Submit(42, "server:7");
  auto job = Recv(executor);
  BOOST_REQUIRE(job.has_value());
  BOOST_REQUIRE(job->size() == 3u);
  BOOST_TEST((*job)[1] == protocol::kJob);
  auto decoded = aegir::Job::FromJson((*job)[2]);
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST(decoded->job_id == 42);
  // The token was minted for this run; only its hash is stored.
  BOOST_REQUIRE(decoded->feedback_token.size() == 64u);
  BOOST_TEST(Sql("SELECT feedback_token_hash FROM tasks WHERE id = 42") ==
             aegir::crypto::Sha256Hex(decoded->feedback_token));
  BOOST_TEST(Sql("SELECT COUNT(*) FROM tasks WHERE job LIKE '%" + decoded->feedback_token + "%'") == "0");
  BOOST_TEST(StateOf(42) == "running");
  BOOST_TEST(Sql("SELECT CONCAT(executor, ' ', attempts) FROM tasks WHERE id = 42") == "exec-1 1");

  json st = Status();
  BOOST_TEST(st["queued"] == 0);
  BOOST_TEST(st["running"] == 1);
  BOOST_REQUIRE(st["executors"].size() == 1u);
  BOOST_TEST(st["executors"][0]["id"] == "exec-1");
  BOOST_TEST(st["executors"][0]["running"] == 1);

  // Without aegir-web in this test, the scheduler stores the end it is told.
  Done(executor, 42, "failed", "it broke");
  WaitForState(42, "failed");
  BOOST_TEST(Sql("SELECT reason FROM tasks WHERE id = 42") == "it broke");
  BOOST_TEST(Status()["running"] == 0);
}

BOOST_FIXTURE_TEST_CASE(jobs_wait_for_an_executor, Started) {
  Submit(1, "site:1");
  Submit(2, "site:2");
  json st = Status();
  BOOST_TEST(st["queued"] == 2);
  BOOST_TEST(st["running"] == 0);
  auto& executor = AddExecutor("late", 1);
  // Capacity 1: one job, then the next only after DONE. FIFO order.
  BOOST_TEST(ReceiveJobs(executor, milliseconds(600)) == std::vector<int64_t>{1});
  Done(executor, 1);
  BOOST_TEST(ReceiveJobs(executor, milliseconds(600)) == std::vector<int64_t>{2});
}

BOOST_FIXTURE_TEST_CASE(one_job_per_entity_at_a_time, Started) {
  auto& executor = AddExecutor("exec-1", 4);
  std::this_thread::sleep_for(milliseconds(100));
  Submit(1, "server:7");
  Submit(2, "server:7");
  Submit(3, "site:9");
  Submit(4, "server:7");
  // 3 overtakes the blocked 2; 2 and 4 wait for 1, in order.
  auto first = ReceiveJobs(executor, milliseconds(800));
  BOOST_TEST(first == (std::vector<int64_t>{1, 3}));
  json st = Status();
  BOOST_TEST(st["queued"] == 2);
  BOOST_TEST(st["running"] == 2);
  Done(executor, 3);  // another entity: frees nothing for server:7
  BOOST_TEST(ReceiveJobs(executor, milliseconds(400)).empty());
  Done(executor, 1);
  BOOST_TEST(ReceiveJobs(executor, milliseconds(600)) == std::vector<int64_t>{2});
  Done(executor, 2);
  BOOST_TEST(ReceiveJobs(executor, milliseconds(600)) == std::vector<int64_t>{4});
}

BOOST_FIXTURE_TEST_CASE(a_clone_holds_both_ends, Started) {
  auto& executor = AddExecutor("exec-1", 4);
  std::this_thread::sleep_for(milliseconds(100));
  Submit(MakeJob(1, "site:1", {"site:2"}));  // site:1 cloned to site:2
  Submit(2, "site:2");
  Submit(3, "site:3");
  BOOST_TEST(ReceiveJobs(executor, milliseconds(800)) == (std::vector<int64_t>{1, 3}));
  Done(executor, 1);
  BOOST_TEST(ReceiveJobs(executor, milliseconds(600)) == std::vector<int64_t>{2});
}

BOOST_FIXTURE_TEST_CASE(same_entity_never_on_two_executors, Started) {
  auto& a = AddExecutor("exec-a", 1);
  auto& b = AddExecutor("exec-b", 1);
  std::this_thread::sleep_for(milliseconds(100));
  Submit(10, "server:1");
  Submit(11, "server:1");
  auto on_a = ReceiveJobs(a, milliseconds(500));
  auto on_b = ReceiveJobs(b, milliseconds(100));
  BOOST_TEST(on_a.size() + on_b.size() == 1u);
  auto& holder = on_a.empty() ? b : a;
  Done(holder, 10);
  auto next_a = ReceiveJobs(a, milliseconds(500));
  auto next_b = ReceiveJobs(b, milliseconds(100));
  next_a.insert(next_a.end(), next_b.begin(), next_b.end());
  BOOST_TEST(next_a == std::vector<int64_t>{11});
}

BOOST_FIXTURE_TEST_CASE(limit_per_server, SchedulerFixture) {
  Start(/*max_running=*/0, /*max_per_server=*/1);
  auto& executor = AddExecutor("exec-1", 4);
  std::this_thread::sleep_for(milliseconds(100));
  Submit(MakeJob(1, "site:1", {}, "web1"));
  Submit(MakeJob(2, "site:2", {}, "web1"));
  Submit(MakeJob(3, "site:3", {}, "web2"));
  BOOST_TEST(ReceiveJobs(executor, milliseconds(800)) == (std::vector<int64_t>{1, 3}));
  Done(executor, 1);
  BOOST_TEST(ReceiveJobs(executor, milliseconds(600)) == std::vector<int64_t>{2});
}

BOOST_FIXTURE_TEST_CASE(a_labelled_server_gets_only_executors_with_its_label, Started) {
  auto& plain = AddExecutor("exec-plain", 4);
  auto& dmz = AddExecutor("exec-dmz", 1, {}, {"dmz"});
  std::this_thread::sleep_for(milliseconds(100));
  auto labelled = [](int64_t id, const std::string& entity, const std::string& label) {
    aegir::Job j = MakeJob(id, entity);
    j.target.label = label;
    return j;
  };
  Submit(labelled(1, "site:1", "dmz"));
  Submit(labelled(2, "site:2", "dmz"));     // waits: the dmz executor has one slot
  Submit(labelled(3, "site:3", "office"));  // waits: nobody reaches "office"
  Submit(labelled(4, "site:4", ""));        // any executor: the plain one has room
  BOOST_TEST(ReceiveJobs(dmz, milliseconds(800)) == std::vector<int64_t>{1});
  BOOST_TEST(ReceiveJobs(plain, milliseconds(300)) == std::vector<int64_t>{4});
  Done(dmz, 1);
  BOOST_TEST(ReceiveJobs(dmz, milliseconds(800)) == std::vector<int64_t>{2});
  BOOST_TEST(ReceiveJobs(plain, milliseconds(300)).empty());
  BOOST_TEST(Status()["queued"] == 1);  // job 3
  // A bad label is refused at READY.
  auto& bad = AddExecutor("exec-bad", 1, {}, {"Bad Label"});
  auto reply = Recv(bad);
  BOOST_REQUIRE(reply.has_value());
  BOOST_TEST((*reply)[1] == protocol::kError);
}

BOOST_FIXTURE_TEST_CASE(duplicate_submit_is_acked_once_queued, Started) {
  Submit(5, "server:5");
  Submit(MakeJob(5, "server:5"), /*store=*/false);
  BOOST_TEST(Status()["queued"] == 1);
  auto& executor = AddExecutor("exec-1", 3);
  BOOST_TEST(ReceiveJobs(executor, milliseconds(600)) == std::vector<int64_t>{5});
  Submit(MakeJob(5, "server:5"), /*store=*/false);  // while running
  BOOST_TEST(ReceiveJobs(executor, milliseconds(400)).empty());
  json st = Status();
  BOOST_TEST(st["queued"] == 0);
  BOOST_TEST(st["running"] == 1);
}

BOOST_FIXTURE_TEST_CASE(bad_submissions_get_error, Started) {
  auto expect_error = [this](const Frames& frames, const std::string& needle) {
    auto reply = Request(frames);
    BOOST_TEST(reply[1] == protocol::kError);
    BOOST_TEST(reply[2].find(needle) != std::string::npos, reply[2] << " lacks " << needle);
  };
  const std::string v(protocol::kVersion), submit(protocol::kSubmit);
  expect_error({v, submit, "this is not json"}, "SUBMIT refused: job is not a JSON object");
  json bad_role = json::parse(JobJson(7, "x"));
  bad_role["roles"] = {"../../etc"};
  expect_error({v, submit, bad_role.dump()}, "SUBMIT refused: bad role name");
  // Not stored: an acknowledged job is always in the database.
  expect_error({v, submit, JobJson(8, "site:8")}, "task 8 is not queued in the database");
  expect_error({v, submit}, "exactly one frame");
  expect_error({"AEGIR0", submit, JobJson(8, "x")}, "unsupported protocol version");
  expect_error({v, "LAUNCH"}, "unknown command");
  expect_error({v, std::string(protocol::kCancel), "-3"}, "CANCEL takes a job id");
  expect_error({v, std::string(protocol::kCancel), "99"}, "not queued or running");
  BOOST_TEST(Status()["queued"] == 0);
}

BOOST_FIXTURE_TEST_CASE(heartbeats_and_liveness, Started) {
  auto& executor = AddExecutor("exec-hb", 1);
  // The scheduler heartbeats an idle executor.
  auto hb = Recv(executor, milliseconds(2500), /*skip_heartbeats=*/false);
  BOOST_REQUIRE(hb.has_value());
  BOOST_TEST((*hb)[1] == protocol::kHeartbeat);
  BOOST_TEST(Status()["executors"].size() == 1u);
  // Silent for longer than liveness intervals: forgotten.
  std::this_thread::sleep_for(protocol::kHeartbeatInterval * (protocol::kHeartbeatLiveness + 1));
  BOOST_TEST(Status()["executors"].empty());
  // It speaks again without READY: told to register.
  Send(executor, {std::string(protocol::kVersion), std::string(protocol::kHeartbeat)});
  auto reply = Recv(executor);
  BOOST_REQUIRE(reply.has_value());
  BOOST_TEST((*reply)[1] == protocol::kDisconnect);
}

BOOST_FIXTURE_TEST_CASE(a_lost_executor_fails_its_job_and_frees_the_entity, Started) {
  auto& gone = AddExecutor("exec-gone", 1);
  std::this_thread::sleep_for(milliseconds(100));
  Submit(20, "server:2");
  BOOST_TEST(ReceiveJobs(gone, milliseconds(500)) == std::vector<int64_t>{20});
  // Silent (no goodbye): forgotten after the liveness intervals.
  WaitForOrphaned(1);
  Submit(21, "server:2");
  auto& fresh = AddExecutor("exec-fresh", 1);
  // Job 20 may still run somewhere: 21 waits, then 20 ends failed and 21 goes.
  BOOST_TEST(ReceiveJobs(fresh, milliseconds(500)).empty());
  WaitForState(20, "failed");
  BOOST_TEST(Sql("SELECT reason FROM tasks WHERE id = 20").find("Executor lost") == 0u);
  BOOST_TEST(ReceiveJobs(fresh, milliseconds(1500)) == std::vector<int64_t>{21});
  // A late DONE of the lost job changes nothing.
  Done(fresh, 20, "succeeded");
  std::this_thread::sleep_for(milliseconds(200));
  BOOST_TEST(StateOf(20) == "failed");
}

BOOST_FIXTURE_TEST_CASE(an_executor_that_comes_back_keeps_its_job, Started) {
  auto& e = AddExecutor("exec-back", 1);
  std::this_thread::sleep_for(milliseconds(100));
  Submit(25, "site:25");
  BOOST_TEST(ReceiveJobs(e, milliseconds(500)) == std::vector<int64_t>{25});
  WaitForOrphaned(1);  // silent: forgotten
  Ready(e, 1, {25});
  std::this_thread::sleep_for(milliseconds(200));
  BOOST_TEST(Status()["orphaned"] == 0);
  // Beyond the grace period it is still running, not lost.
  std::this_thread::sleep_for(protocol::kHeartbeatInterval * (protocol::kHeartbeatLiveness + 1));
  BOOST_TEST(StateOf(25) == "running");
  Done(e, 25);
  WaitForState(25, "succeeded");
}

BOOST_FIXTURE_TEST_CASE(a_job_that_crossed_a_goodbye_runs_elsewhere, Started) {
  auto& leaving = AddExecutor("exec-leaving", 1);
  std::this_thread::sleep_for(milliseconds(100));
  Submit(35, "server:3");
  BOOST_TEST(ReceiveJobs(leaving, milliseconds(500)) == std::vector<int64_t>{35});
  // It says goodbye without a DONE: it never started the job (the JOB came
  // after it decided to leave), so the job is queued again, not lost.
  Send(leaving, {std::string(protocol::kVersion), std::string(protocol::kDisconnect)});
  std::this_thread::sleep_for(milliseconds(200));
  BOOST_TEST(Status()["orphaned"] == 0);
  BOOST_TEST(StateOf(35) == "queued");
  auto& other = AddExecutor("exec-other", 1);
  BOOST_TEST(ReceiveJobs(other, milliseconds(1000)) == std::vector<int64_t>{35});
  Done(other, 35);
  WaitForState(35, "succeeded");
  BOOST_TEST(Sql("SELECT attempts FROM tasks WHERE id = 35") == "2");
}

BOOST_FIXTURE_TEST_CASE(rejected_job_is_queued_again, Started) {
  auto& executor = AddExecutor("exec-1", 1);
  std::this_thread::sleep_for(milliseconds(100));
  Submit(30, "server:3");
  BOOST_TEST(ReceiveJobs(executor, milliseconds(500)) == std::vector<int64_t>{30});
  Done(executor, 30, "rejected", "no free slot");
  BOOST_TEST(ReceiveJobs(executor, milliseconds(2500)) == std::vector<int64_t>{30});
  BOOST_TEST(Sql("SELECT attempts FROM tasks WHERE id = 30") == "2");
}

BOOST_FIXTURE_TEST_CASE(cancel_a_queued_and_a_running_job, Started) {
  auto& executor = AddExecutor("exec-1", 1);
  std::this_thread::sleep_for(milliseconds(100));
  Submit(40, "site:4");
  Submit(41, "site:4");
  BOOST_TEST(ReceiveJobs(executor, milliseconds(500)) == std::vector<int64_t>{40});
  auto reply = Request({std::string(protocol::kVersion), std::string(protocol::kCancel), "41"});
  BOOST_TEST(reply[1] == protocol::kAck);
  BOOST_TEST(StateOf(41) == "cancelled");
  reply = Request({std::string(protocol::kVersion), std::string(protocol::kCancel), "40"});
  BOOST_TEST(reply[1] == protocol::kAck);
  auto cancel = Recv(executor);
  BOOST_REQUIRE(cancel.has_value());
  BOOST_TEST((*cancel)[1] == protocol::kCancel);
  BOOST_TEST((*cancel)[2] == "40");
  BOOST_TEST(Sql("SELECT cancel_requested FROM tasks WHERE id = 40") == "1");
  Done(executor, 40, "cancelled", "Cancelled.");
  WaitForState(40, "cancelled");
  // The cancelled queued job never runs.
  BOOST_TEST(ReceiveJobs(executor, milliseconds(600)).empty());
}

BOOST_FIXTURE_TEST_CASE(a_restart_picks_up_what_is_stored, SchedulerFixture) {
  // Before the scheduler starts: two queued tasks nobody submitted, one that
  // was running on an executor that will report it, one whose executor died.
  Store(MakeJob(50, "site:50"));
  Store(MakeJob(51, "site:51"));
  Store(MakeJob(52, "site:52"), "running", "exec-alive");
  Store(MakeJob(53, "site:53"), "running", "exec-dead");
  Start();
  auto& alive = AddExecutor("exec-alive", 3, {52});
  auto got = ReceiveJobs(alive, milliseconds(1500));
  BOOST_TEST(got == (std::vector<int64_t>{50, 51}));
  WaitForState(53, "failed");
  BOOST_TEST(Sql("SELECT reason FROM tasks WHERE id = 53").find("Executor lost") == 0u);
  BOOST_TEST(StateOf(52) == "running");
  Done(alive, 52);
  WaitForState(52, "succeeded");
}

BOOST_FIXTURE_TEST_CASE(an_executor_running_an_ended_job_is_told_to_stop_it, Started) {
  std::this_thread::sleep_for(milliseconds(300));
  auto& e = AddExecutor("exec-stale", 1, {77});
  auto cancel = Recv(e);
  BOOST_REQUIRE(cancel.has_value());
  BOOST_TEST((*cancel)[1] == protocol::kCancel);
  BOOST_TEST((*cancel)[2] == "77");
}

BOOST_FIXTURE_TEST_CASE(the_database_going_away_loses_nothing, Started) {
  auto& executor = AddExecutor("exec-1", 1);
  std::this_thread::sleep_for(milliseconds(100));
  g_db->server.Stop();
  // Not acknowledged while the database is away...
  auto reply = Request({std::string(protocol::kVersion), std::string(protocol::kSubmit), JobJson(60, "site:60")});
  BOOST_TEST(reply[1] == protocol::kError);
  BOOST_TEST(reply[2].find("database is unavailable") != std::string::npos, reply[2]);
  g_db->server.Start();
  // ...and a task stored meanwhile runs once it is back, without a SUBMIT.
  Store(MakeJob(61, "site:61"));
  BOOST_TEST(ReceiveJobs(executor, milliseconds(5000)) == std::vector<int64_t>{61});
  Done(executor, 61);
  WaitForState(61, "succeeded");
}

BOOST_FIXTURE_TEST_CASE(ipc_files_removed_at_exit, Started) {
  auto submit_path = dir->path() / "submit.ipc";
  auto executor_path = dir->path() / "executor.ipc";
  BOOST_TEST(std::filesystem::exists(submit_path));
  BOOST_TEST(std::filesystem::exists(executor_path));
  Stop();
  BOOST_TEST(!std::filesystem::exists(submit_path));
  BOOST_TEST(!std::filesystem::exists(executor_path));
}

BOOST_AUTO_TEST_CASE(bind_failure_is_reported) {
  zmq::context_t context;
  aegir::scheduler::SchedulerOptions o;
  o.submit_endpoint = "ipc:///nonexistent-dir/aegir/submit.ipc";
  o.executor_endpoint = "ipc:///nonexistent-dir/aegir/executor.ipc";
  auto s = aegir::scheduler::Scheduler::Create(context, o);
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(s.status().code() == aegir::Code::kUnavailable);
  BOOST_TEST(s.status().message().find("bind ipc:///nonexistent-dir/aegir/submit.ipc") != std::string::npos);
  o.submit_endpoint = "";
  BOOST_TEST(!aegir::scheduler::Scheduler::Create(context, o).ok());
}
