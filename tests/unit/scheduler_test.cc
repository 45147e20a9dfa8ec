// Tests for scheduler/scheduler.h: the real Scheduler over ipc:// in a
// temporary directory, with a submitter and an executor socket the test drives.
#define BOOST_TEST_MODULE scheduler
#include "scheduler/scheduler.h"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "common/job.h"
#include "common/protocol.h"
#include "common/temp_dir.h"

namespace aegir {
inline std::ostream& operator<<(std::ostream& out, Code code) { return out << CodeName(code); }
}  // namespace aegir

namespace {

namespace protocol = aegir::protocol;
using nlohmann::json;
using Frames = std::vector<std::string>;
using std::chrono::milliseconds;

std::string JobJson(int64_t id, const std::string& entity) {
  aegir::Job job;
  job.job_id = id;
  job.operation = "server-verify";
  job.entity = entity;
  job.target = {"web1", "localhost", "local"};
  job.roles = {"server_check"};
  job.feedback_url = "http://127.0.0.1:1/api/tasks/" + std::to_string(id);
  job.feedback_token = std::string(64, 'b');
  job.timeout_s = 60;
  return job.ToJson();
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

// A scheduler on ipc:// sockets in a temporary directory, run in a thread.
struct SchedulerFixture {
  SchedulerFixture() {
    auto d = aegir::TempDir::Create(std::filesystem::temp_directory_path(), "scheduler-test-");
    BOOST_REQUIRE(d.ok());
    dir.emplace(std::move(d).value());
    submit_endpoint = "ipc://" + (dir->path() / "submit.ipc").string();
    executor_endpoint = "ipc://" + (dir->path() / "executor.ipc").string();
    auto s =
        aegir::scheduler::Scheduler::Create(context, {submit_endpoint, executor_endpoint, nullptr});
    BOOST_REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    scheduler = std::move(s).value();
    thread = std::thread([this] { status = scheduler->Run(stop); });
    submitter = Connect(zmq::socket_type::dealer, submit_endpoint, "");
  }
  ~SchedulerFixture() { Stop(); }
  void Stop() {
    if (!thread.joinable()) return;
    stop = true;
    thread.join();
    BOOST_TEST(status.ok());
    submitter.close();
    for (auto& e : executors) e.close();
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
  zmq::socket_t& AddExecutor(const std::string& id, int capacity) {
    executors.push_back(Connect(zmq::socket_type::dealer, executor_endpoint, id));
    Send(executors.back(), {std::string(protocol::kVersion), std::string(protocol::kReady),
                            json{{"capacity", capacity}, {"labels", json::array()}}.dump()});
    return executors.back();
  }
  void Submit(const std::string& job_json, const std::string& expect_ack) {
    Send(submitter, {std::string(protocol::kVersion), std::string(protocol::kSubmit), job_json});
    auto reply = Recv(submitter);
    BOOST_REQUIRE(reply.has_value());
    BOOST_REQUIRE(reply->size() == 3u);
    BOOST_TEST((*reply)[0] == protocol::kVersion);
    BOOST_TEST((*reply)[1] == protocol::kAck);
    BOOST_TEST((*reply)[2] == expect_ack);
  }
  json Status() {
    Send(submitter, {std::string(protocol::kVersion), std::string(protocol::kStatus)});
    auto reply = Recv(submitter);
    BOOST_REQUIRE(reply.has_value());
    BOOST_REQUIRE(reply->size() == 3u);
    BOOST_REQUIRE((*reply)[1] == protocol::kStatusReply);
    return json::parse((*reply)[2]);
  }
  void Done(zmq::socket_t& executor, int64_t id, const std::string& state = "succeeded") {
    Send(executor, {std::string(protocol::kVersion), std::string(protocol::kDone),
                    json{{"job_id", id}, {"state", state}, {"exit_code", 0}}.dump()});
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

}  // namespace

BOOST_FIXTURE_TEST_CASE(submit_is_acked_and_dispatched, SchedulerFixture) {
  auto& executor = AddExecutor("exec-1", 2);
  std::this_thread::sleep_for(milliseconds(100));  // READY before the job
  Submit(JobJson(42, "server:7"), "42");
  auto job = Recv(executor);
  BOOST_REQUIRE(job.has_value());
  BOOST_REQUIRE(job->size() == 3u);
  BOOST_TEST((*job)[0] == protocol::kVersion);
  BOOST_TEST((*job)[1] == protocol::kJob);
  auto decoded = aegir::Job::FromJson((*job)[2]);
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST(decoded->job_id == 42);
  BOOST_TEST(decoded->feedback_token == std::string(64, 'b'));

  json st = Status();
  BOOST_TEST(st["queued"] == 0);
  BOOST_TEST(st["running"] == 1);
  BOOST_REQUIRE(st["executors"].size() == 1u);
  BOOST_TEST(st["executors"][0]["id"] == "exec-1");
  BOOST_TEST(st["executors"][0]["capacity"] == 2);
  BOOST_TEST(st["executors"][0]["running"] == 1);
  BOOST_TEST(st["executors"][0]["last_heartbeat_ms_ago"].get<int>() < 2000);

  Done(executor, 42);
  std::this_thread::sleep_for(milliseconds(200));
  st = Status();
  BOOST_TEST(st["running"] == 0);
  BOOST_TEST(st["executors"][0]["running"] == 0);
}

BOOST_FIXTURE_TEST_CASE(jobs_wait_for_an_executor, SchedulerFixture) {
  Submit(JobJson(1, "site:1"), "1");
  Submit(JobJson(2, "site:2"), "2");
  json st = Status();
  BOOST_TEST(st["queued"] == 2);
  BOOST_TEST(st["running"] == 0);
  BOOST_TEST(st["executors"].empty());
  auto& executor = AddExecutor("late", 1);
  // Capacity 1: one job, then the next only after DONE. FIFO order.
  BOOST_TEST(ReceiveJobs(executor, milliseconds(600)) == std::vector<int64_t>{1});
  Done(executor, 1);
  BOOST_TEST(ReceiveJobs(executor, milliseconds(600)) == std::vector<int64_t>{2});
}

BOOST_FIXTURE_TEST_CASE(one_job_per_entity_at_a_time, SchedulerFixture) {
  auto& executor = AddExecutor("exec-1", 4);
  std::this_thread::sleep_for(milliseconds(100));
  Submit(JobJson(1, "server:7"), "1");
  Submit(JobJson(2, "server:7"), "2");
  Submit(JobJson(3, "site:9"), "3");
  Submit(JobJson(4, "server:7"), "4");
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

BOOST_FIXTURE_TEST_CASE(same_entity_never_on_two_executors, SchedulerFixture) {
  auto& a = AddExecutor("exec-a", 1);
  auto& b = AddExecutor("exec-b", 1);
  std::this_thread::sleep_for(milliseconds(100));
  Submit(JobJson(10, "server:1"), "10");
  Submit(JobJson(11, "server:1"), "11");
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

BOOST_FIXTURE_TEST_CASE(duplicate_submit_is_acked_once_queued, SchedulerFixture) {
  Submit(JobJson(5, "server:5"), "5");
  Submit(JobJson(5, "server:5"), "5");
  BOOST_TEST(Status()["queued"] == 1);
  auto& executor = AddExecutor("exec-1", 3);
  BOOST_TEST(ReceiveJobs(executor, milliseconds(600)) == std::vector<int64_t>{5});
  Submit(JobJson(5, "server:5"), "5");  // while running
  BOOST_TEST(ReceiveJobs(executor, milliseconds(400)).empty());
  json st = Status();
  BOOST_TEST(st["queued"] == 0);
  BOOST_TEST(st["running"] == 1);
}

BOOST_FIXTURE_TEST_CASE(bad_submissions_get_error, SchedulerFixture) {
  auto expect_error = [this](const Frames& frames, const std::string& needle) {
    Send(submitter, frames);
    auto reply = Recv(submitter);
    BOOST_REQUIRE(reply.has_value());
    BOOST_REQUIRE(reply->size() == 3u);
    BOOST_TEST((*reply)[1] == protocol::kError);
    BOOST_TEST((*reply)[2].find(needle) != std::string::npos, (*reply)[2] << " lacks " << needle);
  };
  const std::string v(protocol::kVersion), submit(protocol::kSubmit);
  expect_error({v, submit, "this is not json"}, "SUBMIT refused: job is not a JSON object");
  json bad_role = json::parse(JobJson(7, "x"));
  bad_role["roles"] = {"../../etc"};
  expect_error({v, submit, bad_role.dump()}, "SUBMIT refused: bad role name");
  expect_error({v, submit}, "exactly one frame");
  expect_error({"AEGIR0", submit, JobJson(8, "x")}, "unsupported protocol version");
  expect_error({v, "LAUNCH"}, "unknown command");
  BOOST_TEST(Status()["queued"] == 0);
}

BOOST_FIXTURE_TEST_CASE(heartbeats_and_liveness, SchedulerFixture) {
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

BOOST_FIXTURE_TEST_CASE(lost_executor_keeps_its_entity_blocked, SchedulerFixture) {
  auto& gone = AddExecutor("exec-gone", 1);
  std::this_thread::sleep_for(milliseconds(100));
  Submit(JobJson(20, "server:2"), "20");
  BOOST_TEST(ReceiveJobs(gone, milliseconds(500)) == std::vector<int64_t>{20});
  Send(gone, {std::string(protocol::kVersion), std::string(protocol::kDisconnect)});
  std::this_thread::sleep_for(milliseconds(200));
  json st = Status();
  BOOST_TEST(st["orphaned"] == 1);
  Submit(JobJson(21, "server:2"), "21");
  auto& fresh = AddExecutor("exec-fresh", 1);
  BOOST_TEST(ReceiveJobs(fresh, milliseconds(500)).empty());  // job 20 may still run
  // The executor comes back and reports job 20 done: 21 may go.
  Done(fresh, 20);
  BOOST_TEST(ReceiveJobs(fresh, milliseconds(600)) == std::vector<int64_t>{21});
}

BOOST_FIXTURE_TEST_CASE(rejected_job_is_queued_again, SchedulerFixture) {
  auto& executor = AddExecutor("exec-1", 1);
  std::this_thread::sleep_for(milliseconds(100));
  Submit(JobJson(30, "server:3"), "30");
  BOOST_TEST(ReceiveJobs(executor, milliseconds(500)) == std::vector<int64_t>{30});
  Done(executor, 30, "rejected");
  BOOST_TEST(ReceiveJobs(executor, milliseconds(600)) == std::vector<int64_t>{30});
}

BOOST_FIXTURE_TEST_CASE(ipc_files_removed_at_exit, SchedulerFixture) {
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
  auto s = aegir::scheduler::Scheduler::Create(
      context, {"ipc:///nonexistent-dir/aegir/submit.ipc",
                "ipc:///nonexistent-dir/aegir/executor.ipc", nullptr});
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(s.status().code() == aegir::Code::kUnavailable);
  BOOST_TEST(s.status().message().find("bind ipc:///nonexistent-dir/aegir/submit.ipc") !=
             std::string::npos);
  auto t = aegir::scheduler::Scheduler::Create(context, {"", "ipc:///tmp/x.ipc", nullptr});
  BOOST_TEST(!t.ok());
}
