// Scheduler: the broker between submitters (aegir-web, the aegir client) and
// executors. The wire protocol is docs/protocol.md (constants in
// common/protocol.h).
//
// Two ROUTER sockets: submitters send SUBMIT and STATUS to the submit
// endpoint; executors register with READY on the executor endpoint and
// receive JOB messages. Jobs wait in one FIFO queue in memory (aegir-web's
// database is the durable record: a job lost in a restart is resubmitted from
// there). A queued job goes to the executor with the most free slots, but never
// while another job on the same entity runs, and never ahead of an earlier
// queued job on its entity; jobs on other entities may overtake a blocked one.
//
// Heartbeats flow both ways every protocol::kHeartbeatInterval; an executor
// silent for protocol::kHeartbeatLiveness intervals is forgotten.
//
// Threading: Create() on any thread, then RunOnce()/Run() on one thread at a
// time (the sockets move with it). The destructor closes the sockets (linger 0)
// and removes ipc:// socket files.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/status.h"

namespace aegir::scheduler {

using Clock = std::chrono::steady_clock;

struct SchedulerOptions {
  std::string submit_endpoint;    // e.g. ipc:///var/aegir/run/submit.ipc
  std::string executor_endpoint;  // e.g. ipc:///var/aegir/run/executor.ipc
  // Where time comes from; steady_clock::now when empty (tests may inject).
  std::function<Clock::time_point()> now;
};

class Scheduler {
 public:
  // Binds both endpoints. Unavailable (with the endpoint named) when one
  // cannot be bound, InvalidArgument when an endpoint is empty.
  static Result<std::unique_ptr<Scheduler>> Create(zmq::context_t& context,
                                                   SchedulerOptions options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // One turn of the loop: waits at most max_wait for messages (less when a
  // timer is due), handles what arrived, sends heartbeats, forgets silent
  // executors and dispatches. Errors inside one turn are logged, not returned;
  // a non-ok Status means the loop cannot go on.
  Status RunOnce(std::chrono::milliseconds max_wait);
  // Turns until stop becomes true (seen within 250 ms).
  Status Run(const std::atomic<bool>& stop);

  // The STATUS-REPLY document: {"queued": N, "running": N, "orphaned": N,
  //  "executors": [{"id", "capacity", "running", "last_heartbeat_ms_ago", "labels"}]}
  nlohmann::json StatusJson() const;

 private:
  struct QueuedJob {
    int64_t id;
    std::string entity;
    std::string json;  // canonical job JSON (holds the feedback token: never log)
  };
  struct RunningJob {
    std::string entity;    // empty when adopted from a READY without us knowing it
    std::string executor;  // identity; empty when orphaned (its executor was lost)
    std::string json;
  };
  struct ExecutorInfo {
    int capacity = 0;
    std::vector<std::string> labels;
    std::set<int64_t> jobs;
    Clock::time_point last_heard;
    Clock::time_point last_sent;
  };
  using Frames = std::vector<zmq::message_t>;

  Scheduler(zmq::context_t& context, SchedulerOptions options);
  Status Bind();
  Clock::time_point Now() const { return options_.now ? options_.now() : Clock::now(); }

  void HandleSubmitter(Frames& frames);
  void HandleExecutor(Frames& frames);
  void HandleReady(const std::string& identity, const std::string& body);
  void HandleDone(const std::string& identity, const std::string& body);
  void OnTimers();
  void Dispatch();
  // Drops an executor; its running jobs become orphaned (see .cc).
  void ForgetExecutor(const std::string& identity, const std::string& why);
  void FinishJob(int64_t job_id);
  bool Send(zmq::socket_t& socket, const std::string& identity,
            const std::vector<std::string_view>& frames);
  bool SendToExecutor(const std::string& identity, const std::vector<std::string_view>& frames);
  Clock::time_point NextTimer() const;

  SchedulerOptions options_;
  zmq::socket_t submit_;
  zmq::socket_t executors_socket_;
  std::deque<QueuedJob> queue_;
  std::set<int64_t> queued_ids_;
  std::map<int64_t, RunningJob> running_;
  std::set<std::string> busy_entities_;
  std::map<std::string, ExecutorInfo> executors_;
};

// How an executor identity is shown: as is when printable ASCII, else hex.
std::string PrintableIdentity(const std::string& identity);

}  // namespace aegir::scheduler
