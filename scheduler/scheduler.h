// Scheduler: the broker between submitters (aegir-web, the aegir client) and
// executors. The wire protocol is docs/protocol.md (constants in
// common/protocol.h).
//
// MariaDB is the queue (common/tasks.h): a submitted job is a task row that
// is already stored; SUBMIT tells the scheduler to look at it now. At start,
// and every sweep_interval after, the scheduler reads every queued and
// running task, so nothing stored is ever forgotten: a SUBMIT that never
// arrived, a scheduler killed with jobs queued or running, a cancel sent
// while it was down.
//
// Dispatch: queued jobs in id order. A job runs only when none of its lock
// keys (common/job.h: entity and locks) is held by a running job, and no
// earlier queued job waits for one of them (first in, first out per entity);
// within the limits (overall, per target server) it goes to the registered
// executor with the most free slots. Handing a job over first claims the
// row (queued -> running, with a freshly minted feedback token whose hash is
// stored, and the start time): a job is never handed out twice for one
// claim. A pass's claims are committed together before any JOB is sent; a
// turn's RUNs and the claims of their jobs share one transaction.
//
// Schedules (docs/schedules.md): with the catalogue, the scheduler also
// fires the schedules aegir-web stores. On its own timer it reads the
// enabled schedules that are due (an index range) and, for each, stores its
// task and moves the schedule's next run past now in one transaction
// (web::schedules::FireDue), then queues the task like any other: a
// restart neither fires a run twice nor forgets one.
//
// Liveness: heartbeats both ways every protocol::kHeartbeatInterval; an
// executor silent for protocol::kHeartbeatLiveness intervals is forgotten and
// its jobs are orphaned. An orphan that no executor reports within
// kHeartbeatLiveness further intervals (READY.running, or its DONE) ends
// failed, "executor lost". Jobs are never run again by themselves.
//
// Threading: Create() on any thread, then RunOnce()/Run() on one thread at a
// time (the sockets and the database connection move with it). The
// destructor closes the sockets (linger 0) and removes ipc:// socket files.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/db.h"
#include "common/job.h"
#include "common/status.h"
#include "fcgi-app/catalogue.h"
#include "fcgi-app/operations.h"

namespace aegir::scheduler {

using Clock = std::chrono::steady_clock;

struct SchedulerOptions {
  std::string submit_endpoint;    // e.g. ipc:///var/aegir/run/submit.ipc
  std::string executor_endpoint;  // e.g. ipc:///var/aegir/run/executor.ipc
  db::Options db;                 // where the tasks are
  // Executors and tools on other hosts: TCP endpoints with CurveZMQ
  // (e.g. tcp://10.0.0.5:7011); "" binds none. Both need curve_secret_key,
  // the scheduler's key file (common/curve.h), and a directory of the
  // authorized public keys (*.pub files, read at each connection).
  std::string executor_tcp_endpoint;
  std::string submit_tcp_endpoint;
  std::string curve_secret_key;
  std::string executor_keys_dir;
  std::string client_keys_dir;
  int max_running = 0;            // jobs running at once overall; 0: no limit
  int max_per_server = 0;         // jobs running at once on one target server; 0: no limit
  // The operation catalogue (roles/operations.json) and its roles, for RUN;
  // empty: RUN is refused. public_url is where executors reach aegir-web
  // (the feedback URL of the tasks RUN makes).
  std::string catalogue_path;
  std::string roles_dir;
  std::string public_url;
  // How often the tasks table is read again for what messages missed.
  std::chrono::milliseconds sweep_interval{2000};
  // How often, at the longest, the schedules table is read for due
  // schedules (sooner when the earliest one is due sooner): aegir-web adds
  // and changes schedules without telling the scheduler, so a new one, or
  // one run by hand, fires within this time. Needs the catalogue.
  std::chrono::milliseconds schedules_interval{2000};
  // Where time comes from; steady_clock::now when empty (tests may inject).
  std::function<Clock::time_point()> now;
};

class Scheduler {
 public:
  // Binds both endpoints. Unavailable (with the endpoint named) when one
  // cannot be bound, InvalidArgument when an endpoint is empty. The database
  // need not be up: the scheduler reads the tasks as soon as it is.
  static Result<std::unique_ptr<Scheduler>> Create(zmq::context_t& context, SchedulerOptions options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // One turn of the loop: waits at most max_wait for messages (less when a
  // timer is due), handles what arrived, sends heartbeats, forgets silent
  // executors, fails lost jobs, sweeps the tasks table when due and
  // dispatches. Errors inside one turn are logged, not returned; a non-ok
  // Status means the loop cannot go on.
  Status RunOnce(std::chrono::milliseconds max_wait);
  // Turns until stop becomes true (seen within 250 ms).
  Status Run(const std::atomic<bool>& stop);

  // The STATUS-REPLY document (docs/protocol.md).
  nlohmann::json StatusJson() const;

 private:
  struct QueuedJob {
    QueuedJob(Job j, Clock::time_point after) : job(std::move(j)), not_before(after), keys(job.LockKeys()) {}
    Job job;  // without its feedback token
    Clock::time_point not_before;  // set after an executor turned it down
    std::vector<std::string> keys;  // job.LockKeys(), read at every dispatch pass
  };
  struct RunningJob {
    Job job;
    std::string executor;  // identity; empty when orphaned
    Clock::time_point orphaned_since = Clock::time_point::max();
    bool cancel_sent = false;
    // The end an executor reported, kept until it is stored.
    std::optional<nlohmann::json> unstored_end;
  };
  struct ExecutorInfo {
    zmq::socket_t* socket = nullptr;  // the socket it is connected on
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
  // ERROR + message to a submitter, on the socket being served.
  void ReplyError(const std::string& identity, const std::string& message);
  // One ZAP request (ZeroMQ's authentication protocol, RFC 27): is this
  // CURVE client key authorized for the socket's domain?
  void HandleZap();
  void HandleSubmit(const std::string& identity, const std::string& body);
  void HandleCancel(const std::string& identity, const std::string& body);
  void HandleRun(const std::string& identity, const std::string& body, const web::Actor& actor);
  // Commits the RUNs stored since the last call (one transaction for all of
  // them: one flush to disk), then queues them and answers ACK, or answers
  // each ERROR when the commit failed; then dispatches.
  void CommitRuns();
  static web::Actor ToolActor(Frames& frames);
  void HandleTask(const std::string& identity, const std::string& body);
  void HandleLog(const std::string& identity, const std::string& body);
  void HandleExecutor(Frames& frames);
  void HandleReady(const std::string& identity, const std::string& body);
  void HandleDone(const std::string& identity, const std::string& body);
  void OnTimers();
  // Fires the due schedules (at most kSchedulesPerTurn) and queues their
  // tasks; sets when to look again.
  void FireSchedules();
  // Reads the open tasks: queues what is missing, drops what ended, sends
  // cancels that were asked for. At the first success it also adopts the
  // running tasks (as orphans) after a restart.
  void Sweep();
  // Hands out what can run now: PlanHandouts, the claims in one
  // transaction (one flush to disk for all), then HandOut.
  void Dispatch();
  // A queued job picked for an executor, with the token of this run.
  struct Handout {
    int64_t id = 0;
    std::string executor;
    std::string token;
    bool claimed = false;  // still queued in the database, now running there
    bool written_claimed = false;  // a new task, written running (no claim to make)
  };
  // The jobs that can go now and where (queue order, locks, limits, the
  // executors' free slots and labels); changes nothing.
  std::vector<Handout> PlanHandouts() const;
  // Claims each on the open transaction (tasks::Claim); an error for the
  // first statement that fails.
  Status ClaimHandouts(std::vector<Handout>& plan);
  // After the claims are committed: sends each claimed job to its executor
  // and moves it from the queue to running_; drops those no longer queued.
  void HandOut(std::vector<Handout>& plan);
  // Stores a job's end and releases it; keeps it (locks held) when the
  // database cannot be written, to be stored at the next sweep.
  void EndJob(int64_t job_id, const std::string& state, std::optional<int64_t> exit_code,
              const std::string& reason);
  // Back to the queue (from running_): a job its executor did not start.
  void QueueAgain(int64_t job_id, const std::string& why, std::chrono::milliseconds delay);
  void Release(int64_t job_id);
  // Into the queue; `what` (for the log) says where it came from.
  void Enqueue(Job job, const std::string& what = "");
  void SendCancel(int64_t job_id, RunningJob& r);
  // Drops an executor; its running jobs become orphans.
  void ForgetExecutor(const std::string& identity, const std::string& why);
  bool Send(zmq::socket_t& socket, const std::string& identity, const std::vector<std::string_view>& frames);
  bool SendToExecutor(const std::string& identity, const std::vector<std::string_view>& frames);
  Clock::time_point NextTimer() const;
  // Whether a running job holds one of these keys.
  bool Busy(const std::vector<std::string>& keys) const;

  zmq::context_t& context_;
  SchedulerOptions options_;
  zmq::socket_t submit_;
  zmq::socket_t executors_socket_;
  // The CURVE sockets for other hosts and the ZAP handler, when configured.
  std::optional<zmq::socket_t> submit_tcp_;
  std::optional<zmq::socket_t> executors_tcp_;
  std::optional<zmq::socket_t> zap_;
  zmq::socket_t* reply_to_ = &submit_;             // the submit socket being served
  zmq::socket_t* executor_from_ = nullptr;         // the executor socket being served
  // The one database connection: the model context's when there is one
  // (RUN's checks and stores, the claims of its transaction and the tasks'
  // changes must share it), else db_.
  db::Connection& Db() { return model_ ? model_->db : db_; }
  db::Connection db_;
  // For RUN: the catalogue and a model context.
  std::optional<web::Catalogue> catalogue_;
  std::unique_ptr<web::ModelContext> model_;
  // RUNs of this turn: stored in run_batch_ (a transaction on model_'s
  // connection, without a savepoint per RUN), answered by CommitRuns. What
  // was stored is kept to store it again (StoreRunsAlone) when a RUN fails
  // half-way and so spoils the turn's transaction.
  struct StoredRun {
    zmq::socket_t* reply_to = nullptr;
    std::string identity;
    Job job;
    std::string what;  // for the log: "for <target> by <actor>"
    const web::Operation* op = nullptr;
    web::Target target;
    std::map<std::string, nlohmann::json> values;
    web::Actor actor;
    bool alone = false;  // committed in a transaction of its own
    // Not stored: the ERROR it is answered with, in its turn (answers on a
    // socket keep the order of its requests).
    std::string error;
    size_t row = 0;  // unless alone, its task row in deferred_ (the id comes with the commit)
  };
  // Rolls back the turn's transaction and stores its RUNs again, each in a
  // transaction of its own (answered ERROR when that fails).
  void StoreRunsAlone();
  std::optional<db::Transaction> run_batch_;
  // The task rows and audit entries of run_batch_'s RUNs, written by
  // CommitRuns with one statement each (model_->deferred points here while
  // run_batch_ is open).
  web::ModelContext::DeferredWrites deferred_;
  // The servers' services as read in this turn (model_->services_read): a
  // turn's RUNs on one server read them once. Forgotten at each CommitRuns.
  std::map<int64_t, std::vector<web::store::Service>> services_read_;
  // The sites a turn's RUNs name, read with one statement before they are
  // handled (model_->sites_read); forgotten with services_read_.
  std::map<std::string, web::store::SiteHome> sites_read_;
  void ReadRunTargets(std::vector<Frames>& turn);
  std::vector<StoredRun> stored_runs_;
  bool reconciled_ = false;  // the open tasks were read once since start
  Clock::time_point next_sweep_;
  Clock::time_point next_schedules_;
  bool schedules_failing_ = false;  // the last read of the schedules failed (logged once)
  std::map<int64_t, QueuedJob> queue_;  // by id: first in, first out
  std::map<int64_t, RunningJob> running_;
  std::set<std::string> held_;  // lock keys of running jobs
  std::map<std::string, int> per_server_;  // running jobs by target server
  std::map<std::string, ExecutorInfo> executors_;
  // Jobs executors said they run before the tasks were first read.
  std::map<int64_t, std::string> reported_early_;
};

// How an executor identity is shown: as is when printable ASCII, else hex.
std::string PrintableIdentity(const std::string& identity);

}  // namespace aegir::scheduler
