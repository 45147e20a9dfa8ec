// The messages aegir-scheduler accepts over ZeroMQ (docs/protocol.md),
// parsed without a socket or a database: the frames around a message and the
// body of each command that takes one. The scheduler calls these and acts on
// what they return; the unit tests and the fuzz targets (fuzz/) call them
// directly, so every check on what a peer sends lives here and nowhere else.
//
// An error's message is what the scheduler logs and answers with (ERROR),
// word for word.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace aegir::protocol {

// The largest capacity an executor may announce in READY, and the most labels.
inline constexpr int kMaxCapacity = 1024;
inline constexpr size_t kMaxLabels = 32;

// A message as a ROUTER socket receives it: [identity, version, command,
// body...] (the peer sends everything after the identity).
struct Envelope {
  std::string identity;
  std::string version;
  std::string command;
  std::vector<std::string> body;  // the frames after the command
};

// Nothing for fewer than 3 frames: such a message has no command (and is
// dropped unanswered).
std::optional<Envelope> SplitEnvelope(std::vector<std::string> frames);

// Ok, or what to answer a submitter: another protocol version, or a command
// that takes a body (SUBMIT, CANCEL, RUN, TASK, LOG) without exactly one.
Status CheckSubmitterEnvelope(const Envelope& e);
// Ok, or what to answer an executor: another protocol version.
Status CheckExecutorEnvelope(const Envelope& e);

// CANCEL and TASK: a positive decimal job id (at most 18 digits), or 0.
int64_t ParseJobId(const std::string& body);

// READY {"capacity": N, "labels": [...], "running": [job ids]}.
struct Ready {
  int capacity = 0;                 // 0 to kMaxCapacity
  std::vector<std::string> labels;  // each IsValidLabel, at most kMaxLabels
  std::vector<int64_t> running;
};
Result<Ready> ParseReady(const std::string& body);

// DONE {"job_id": N, "state": "...", "exit_code": N, "reason": "..."}.
// The error's message is what follows "bad DONE: ".
struct Done {
  int64_t job_id = 0;
  std::string state;                 // succeeded, failed, cancelled or rejected
  std::optional<int64_t> exit_code;  // none when not sent, null or negative
  std::string reason;                // "" when not sent or not a string
};
Result<Done> ParseDone(const std::string& body);

// RUN {"operation": "...", "target": "type:id-or-name", "vars": {...}}. Only
// the shape is checked here; the scheduler looks the operation up in the
// catalogue and checks the target and vars against it.
struct RunRequest {
  std::string operation;
  std::string target;  // as sent
  std::string type;    // target before the first ':' (all of it without one)
  std::string ref;     // target after the first ':', "" without one
  nlohmann::json vars = nlohmann::json::object();
};
Result<RunRequest> ParseRun(const std::string& body);

// LOG {"job_id": N, "after": N}: after is optional, and 0 when negative.
struct LogRequest {
  int64_t job_id = 0;
  int64_t after = 0;
};
Result<LogRequest> ParseLogRequest(const std::string& body);

}  // namespace aegir::protocol
