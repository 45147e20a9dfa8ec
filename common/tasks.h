// Tasks as the durable job queue: the rows of `tasks` (sql/0001, 0003) that
// aegir-web and aegir-scheduler both change. A task moves
//
//   queued --Claim--> running --Finish--> succeeded | failed | cancelled
//      ^                 |
//      +----Requeue------+        (an executor did not take it)
//   queued --Finish(cancelled)--> cancelled
//
// Every step is one guarded UPDATE (WHERE state = ...), so two processes
// racing for one task never both win: a task is claimed once per attempt and
// ended once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/db.h"
#include "common/status.h"

namespace aegir::tasks {

// A task that is not final, as the scheduler sees it.
struct OpenTask {
  int64_t id = 0;
  std::string state;               // queued | running
  std::string job_json;            // the job without its feedback token (read for one task only; "" if none)
  std::vector<std::string> locks;  // entity keys it holds while running
  std::string executor;            // the executor it was last handed to ("" if none)
  bool cancel_requested = false;
};

// The queued and running tasks, oldest first, without their jobs.
Result<std::vector<OpenTask>> LoadOpen(db::Connection& c);
// One task with its job, if it is queued or running.
Result<std::optional<OpenTask>> LoadOpen(db::Connection& c, int64_t id);

// queued -> running on `executor`, with a new feedback token (its SHA-256 is
// stored; the token itself never is) and the start time (the executor starts
// the process as soon as it has the job). False if the task was not queued (it
// was cancelled, or someone else claimed it).
Result<bool> Claim(db::Connection& c, int64_t id, const std::string& executor, const std::string& token_hash);

// running -> queued: the executor did not take it. The token is revoked and
// the start time (set by Claim) cleared.
Result<bool> Requeue(db::Connection& c, int64_t id);

// Ends a task that is queued or running: state succeeded, failed or
// cancelled; the reason is cut to 1000 bytes of whole UTF-8 characters. In
// the same transaction the task's entity gets the operation's success or
// failure status (a cancelled task counts as failed) and the changes recorded
// when it was queued (results.on_success / on_failure) are applied. False if
// it had ended already: whoever ends a task first wins, later reports change
// nothing.
Result<bool> Finish(db::Connection& c, int64_t id, const std::string& state, std::optional<int64_t> exit_code,
                    const std::string& reason);

// Cancels a task: a queued one ends cancelled at once ("Cancelled before
// it started."), a running one is marked to be stopped (its executor is told
// by the scheduler). Returns the state it was in ("queued", "running" or a
// final state, which it keeps), or "" when there is no such task.
Result<std::string> Cancel(db::Connection& c, int64_t id);

// What a client is told about one task (TASK-REPLY): {"id", "operation",
// "entity", "state", "final", "exit_code", "reason", "created_at",
// "started_at", "finished_at", "cancel_requested"}. Nothing when it does
// not exist.
Result<std::optional<std::string>> DescribeJson(db::Connection& c, int64_t id);
// LOG-REPLY: {"job_id", "state", "final", "lines": [{"seq", "text"}]}, at
// most `limit` lines after `after`. Nothing when the task does not exist.
Result<std::optional<std::string>> LogJson(db::Connection& c, int64_t id, int64_t after, int limit);

// The entity keys of a job, as stored in tasks.locks.
std::string JoinLocks(const std::vector<std::string>& locks);
std::vector<std::string> SplitLocks(const std::string& locks);

}  // namespace aegir::tasks
