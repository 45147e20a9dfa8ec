// Executor: runs jobs from the scheduler with ansible-playbook and reports
// their progress to aegir-web (docs/feedback-api.md).
//
// A DEALER socket connects to the scheduler's executor endpoint and registers
// with READY (capacity, and the ids of jobs still running after a reconnect).
// Heartbeats flow both ways every protocol::kHeartbeatInterval, also while
// jobs run; when the scheduler is silent for protocol::kHeartbeatLiveness
// intervals the socket is dropped and made again after a backoff that doubles
// from kReconnectInitial to kReconnectMax. The identity is stable for the
// life of the process, so a reconnected executor keeps its jobs.
//
// For each JOB (at most `capacity` at once):
//   decode and validate (common/job.h) -> check every role is <roles>/<role>/tasks/main.yml (the roles directory is
//   the whitelist: an unknown role fails the job, nothing runs) -> make a
//   0700 temporary directory under work_dir -> write the playbook files
//   (executors/playbook_writer.h) -> spawn ansible-playbook in its own process
//   group -> POST {feedback_url}/start (the scheduler's claim already stored
//   the task as running, so the start is not held up by aegir-web; an ended
//   task or a refused token stops the run) -> read its output in this same poll loop, posting lines to
//   {feedback_url}/log in batches (every log_flush_interval or log_batch_lines
//   lines, sequence numbers from 1, a failed post retried with the same
//   numbers) -> on exit post the remaining lines, then (for a server reached
//   over ssh whose host key was not recorded yet) the key ssh met as
//   {"host_key": ...} to {feedback_url}/feedback, then {feedback_url}/finish
//   -> remove the directory -> DONE to the scheduler.
// A job running longer than its timeout_s gets SIGTERM (its whole group), and
// SIGKILL kill_grace later.
//
// The feedback token stays in memory: it is sent as an HTTP header and given to
// ansible-playbook in its environment (AEGIR_FEEDBACK_TOKEN, for the roles'
// own feedback posts); it is never logged, never written under the job
// directory, never in argv.
//
// Threading: Create() on any thread, then RunOnce()/Run() on one thread at a
// time. The destructor kills (SIGKILL) and reaps jobs still running and
// removes their directories without reporting them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "common/curve.h"
#include "common/http_client.h"
#include "common/job.h"
#include "common/process.h"
#include "common/status.h"
#include "common/temp_dir.h"

namespace aegir::executor {

using Clock = std::chrono::steady_clock;

struct ExecutorOptions {
  std::string scheduler_endpoint;  // e.g. ipc:///var/aegir/run/executor.ipc
  std::filesystem::path roles_dir;
  std::filesystem::path work_dir;  // created (0700) if missing
  int capacity = 1;                // concurrent jobs, 1..256
  // What this executor reaches (READY labels): a server with an executor
  // label gets only executors announcing it.
  std::vector<std::string> labels;
  std::string ansible_playbook = "ansible-playbook";
  // The private key ssh logs in with on remote servers; "" leaves it to ssh.
  std::string ssh_private_key;
  // The secret store (executors/secrets.h); "" refuses jobs that name a secret.
  std::filesystem::path secrets_dir;
  std::chrono::milliseconds kill_grace{10000};  // SIGTERM -> SIGKILL
  // On stop, running jobs get this long, then SIGTERM and kill_grace later
  // SIGKILL. Keep drain_grace + kill_grace below the launcher's stop timeout.
  std::chrono::milliseconds drain_grace{15000};
  // A line waits at most this long before it is posted (the task page
  // follows a log about that far behind), and a post carries at most
  // log_batch_lines (aegir-web stores each post in one transaction).
  std::chrono::milliseconds log_flush_interval{50};
  size_t log_batch_lines = 2000;
  HttpOptions http;
  // CurveZMQ over TCP (common/curve.h): this executor's key file and the
  // scheduler's public key file; both empty for ipc://.
  std::string curve_key;
  std::string curve_server_key;
  // The ZeroMQ routing id; empty: "<hostname>-<pid>-<random>".
  std::string identity;
  // Where time comes from; steady_clock::now when empty.
  std::function<Clock::time_point()> now;
};

// One line of ansible's PLAY RECAP ("web1 : ok=2 changed=0 unreachable=0
// failed=0 skipped=0 rescued=0 ignored=0") as host and counts, or nothing.
std::optional<std::pair<std::string, nlohmann::json>> ParseRecapLine(const std::string& line);

class Executor {
 public:
  // Checks the options, creates work_dir and connects (the scheduler need
  // not be up yet).
  static Result<std::unique_ptr<Executor>> Create(zmq::context_t& context, ExecutorOptions options);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // One turn of the loop (waits at most max_wait). Errors in one turn are
  // logged; a non-ok Status means the loop cannot go on.
  Status RunOnce(std::chrono::milliseconds max_wait);
  // Turns until stop becomes true, then drains: takes no new jobs (READY
  // with capacity 0), lets running jobs finish for up to drain_grace, then
  // kills them (reported failed "executor shutting down"), says DISCONNECT
  // and returns.
  Status Run(const std::atomic<bool>& stop);

  size_t running_jobs() const { return jobs_.size(); }
  const std::string& identity() const { return identity_; }

 private:
  struct ActiveJob {
    Job job;
    std::optional<TempDir> dir;
    std::optional<Process> process;
    LineSplitter splitter;
    std::deque<std::string> pending;  // lines not yet posted; the first has number next_seq
    int64_t next_seq = 1;
    Clock::time_point last_post;
    bool feedback_broken = false;  // aegir-web refused a post for good
    bool post_failing = false;     // the last log post did not get through
    std::string last_error_line;   // the last line starting "fatal:" or "ERROR!"
    Clock::time_point deadline;
    Clock::time_point kill_at = Clock::time_point::max();
    std::string kill_reason;  // why we signalled it, if we did
    bool sigkill_sent = false;
    bool cancelled = false;  // the scheduler asked us to stop it
    bool in_recap = false;   // after "PLAY RECAP"
    nlohmann::json recap = nlohmann::json::object();  // host -> counts
    // Once its process has ended: what is left to report, retried while
    // aegir-web is unreachable (kFinishRetryWindow).
    bool finishing = false;
    std::string end_state;
    int end_exit_code = -1;
    std::string end_reason;
    std::string host_key;  // still to report (first contact over ssh)
    // Masked in all it prints: its feedback token (its processes see it in
    // their environment: a task may print `env`) and the secrets it uses.
    std::vector<std::string> secrets;
    Clock::time_point finish_deadline;
    Clock::time_point next_finish_try;
  };
  struct SentDone {
    std::string body;
    Clock::time_point at;
  };

  Executor(zmq::context_t& context, ExecutorOptions options, HttpClient http);
  Clock::time_point Now() const { return options_.now ? options_.now() : Clock::now(); }

  void Connect();
  void Disconnect(const std::string& why);
  // READY (capacity, labels, running jobs), then the DONEs of the last 30 s
  // again: for a new connection.
  void Register();
  // READY alone: a change of capacity on the same connection.
  void Announce();
  bool SendToScheduler(const std::vector<std::string_view>& frames);
  void HandleSchedulerMessages();
  void HandleJob(const std::string& body);
  // Starts a decoded job; on failure finishes it (reported) and returns.
  void StartJob(std::unique_ptr<ActiveJob> active);
  // Reads and splits what the job wrote; true if it read something and the
  // pipe is still open.
  bool PumpOutput(ActiveJob& active);
  // Enough lines wait for aegir-web that no more are read for now.
  static bool PendingFull(const ActiveJob& active);
  void FlushLog(ActiveJob& active, bool final);
  void CheckJob(int64_t job_id);
  // Ends a job: records how, then reports it (TryFinish).
  void FinishJob(ActiveJob& active, const std::string& state, int exit_code,
                 const std::string& reason);
  // Posts what is left (log lines, host key, the end) and, once it is
  // posted or the retry window closed, sends DONE and forgets the job.
  void TryFinish(ActiveJob& active);
  // aegir-web refused a post because the task ended: stop the run.
  void StopEndedElsewhere(ActiveJob& active);
  // Sets why the job ends and sends its process group SIGTERM (SIGKILL
  // kill_grace later, from the timers).
  void Terminate(ActiveJob& active, const std::string& reason);
  // CANCEL from the scheduler: SIGTERM, SIGKILL after kill_grace; the job
  // ends "cancelled".
  void Cancel(const std::string& id_text);
  void SendDone(int64_t job_id, std::string_view state, int exit_code, const std::string& reason);
  // POSTs body to feedback_url + suffix with a few quick retries (heartbeats
  // keep flowing between them). Ok only for HTTP 200.
  Status Post(ActiveJob& active, const std::string& suffix, const std::string& body);
  void MaybeHeartbeat();
  void OnTimers();
  Clock::time_point NextTimer() const;
  void BeginDrain();

  zmq::context_t& context_;
  ExecutorOptions options_;
  HttpClient http_;
  std::string identity_;
  std::optional<zmq::socket_t> socket_;
  std::optional<curve::KeyPair> curve_keys_;
  std::string curve_server_public_;
  Clock::time_point last_heard_;
  Clock::time_point last_sent_;
  Clock::time_point reconnect_at_;
  std::chrono::milliseconds backoff_;
  bool draining_ = false;
  Clock::time_point drain_deadline_;
  std::map<int64_t, std::unique_ptr<ActiveJob>> jobs_;
  std::deque<SentDone> recent_done_;  // resent after a re-registration
};

}  // namespace aegir::executor
