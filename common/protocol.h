// The aegir job protocol over ZeroMQ: every constant in one place.
// The full description, with frame layouts, is docs/protocol.md.
//
// Every message is a multipart ZeroMQ message whose first frame is kVersion
// and second frame a command; the frames after it depend on the command.
// Submitters (aegir-web, the aegir client) use a DEALER socket against the
// scheduler's submission ROUTER; executors use a DEALER socket against the
// scheduler's executor ROUTER.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

namespace aegir::protocol {

inline constexpr std::string_view kVersion = "AEGIR1";

// Submitter -> scheduler.
inline constexpr std::string_view kSubmit = "SUBMIT";  // + job JSON (common/job.h)
inline constexpr std::string_view kStatus = "STATUS";  // no body
// Submitter -> scheduler (+ job id): stop a queued or running job. Scheduler
// -> executor (+ job id): stop this running job (SIGTERM to its process
// group, SIGKILL after the grace period); it ends "cancelled".
inline constexpr std::string_view kCancel = "CANCEL";
// Submitter -> scheduler (+ JSON {"operation", "target", "vars"}): run an
// operation of the catalogue on an entity, as its form in aegir-web would;
// answered ACK + the new task's id, or ERROR with what was wrong.
inline constexpr std::string_view kRun = "RUN";
// Submitter -> scheduler (+ job id): one task's state; answered TASK-REPLY.
inline constexpr std::string_view kTask = "TASK";
inline constexpr std::string_view kTaskReply = "TASK-REPLY";
// Submitter -> scheduler (+ JSON {"job_id", "after"}): log lines after a
// sequence number; answered LOG-REPLY.
inline constexpr std::string_view kLog = "LOG";
inline constexpr std::string_view kLogReply = "LOG-REPLY";
// Scheduler -> submitter.
inline constexpr std::string_view kAck = "ACK";                   // + job id (decimal)
inline constexpr std::string_view kStatusReply = "STATUS-REPLY";  // + JSON
inline constexpr std::string_view kError = "ERROR";               // + message (human readable)

// Executor -> scheduler.
// READY + JSON {"capacity": N, "labels": [...], "running": [job ids]}
inline constexpr std::string_view kReady = "READY";
inline constexpr std::string_view kDone = "DONE";
// DONE + JSON {"job_id": N, "state": "...", "exit_code": N, "reason": "..."}
// The states a DONE reports. "rejected": the executor did not run the job
// (it was full, draining, or could not reach aegir-web); the scheduler
// queues it again.
inline constexpr std::string_view kStateSucceeded = "succeeded";
inline constexpr std::string_view kStateFailed = "failed";
inline constexpr std::string_view kStateCancelled = "cancelled";
inline constexpr std::string_view kStateRejected = "rejected";
// Scheduler -> executor.
inline constexpr std::string_view kJob = "JOB";  // + job JSON
// Both ways (and submitter -> scheduler, answered with HEARTBEAT, as a ping).
inline constexpr std::string_view kHeartbeat = "HEARTBEAT";
inline constexpr std::string_view kDisconnect = "DISCONNECT";

// Heartbeats are sent every kHeartbeatInterval when nothing else was sent;
// a peer silent for kHeartbeatLiveness intervals is taken as dead.
inline constexpr std::chrono::milliseconds kHeartbeatInterval{1000};
inline constexpr int kHeartbeatLiveness = 3;
// An executor that lost the scheduler reconnects after kReconnectInitial,
// doubling up to kReconnectMax.
inline constexpr std::chrono::milliseconds kReconnectInitial{250};
inline constexpr std::chrono::milliseconds kReconnectMax{8000};
// How long a submitter waits for ACK before giving up.
inline constexpr std::chrono::milliseconds kSubmitTimeout{3000};
// Largest frame accepted from a peer; bigger messages are dropped with an error.
inline constexpr size_t kMaxFrameBytes = 1 << 20;

}  // namespace aegir::protocol
