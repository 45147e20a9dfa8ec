// The aegir command-line client's conversation with the scheduler: one
// request on a fresh DEALER socket to the submit endpoint, one reply, a
// timeout (docs/protocol.md).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/curve.h"
#include "common/protocol.h"
#include "common/status.h"

namespace aegir::cli {

// Where the scheduler is: an endpoint, and for tcp:// the CURVE keys (this
// tool's key pair and the scheduler's public key).
struct Endpoint {
  Endpoint(std::string address) : address(std::move(address)) {}  // NOLINT: a plain address converts
  Endpoint(const char* address) : address(address) {}            // NOLINT
  std::string address;
  std::optional<curve::KeyPair> key;
  std::string server_key;
};

// Sends [version, command, body...] and returns the reply's frames after the
// version. Unavailable when nothing came within timeout; Internal for a reply
// in another protocol version.
Result<std::vector<std::string>> Request(
    zmq::context_t& context, const Endpoint& endpoint,
    const std::vector<std::string>& command_and_body,
    std::chrono::milliseconds timeout = protocol::kSubmitTimeout);

// The same on a DEALER socket the caller keeps connected to `address` (a
// tool sending many requests); the socket must not be used again after an
// Unavailable answer (a late reply would be read as the next one's).
Result<std::vector<std::string>> Exchange(zmq::socket_t& socket, const std::string& address,
                                          const std::vector<std::string>& command_and_body,
                                          std::chrono::milliseconds timeout = protocol::kSubmitTimeout);

// STATUS: the scheduler's STATUS-REPLY document.
Result<nlohmann::json> QueryStatus(zmq::context_t& context, const Endpoint& endpoint,
                                   std::chrono::milliseconds timeout = protocol::kSubmitTimeout);

// HEARTBEAT: ok when the scheduler answers in time.
Status Ping(zmq::context_t& context, const Endpoint& endpoint,
            std::chrono::milliseconds timeout = protocol::kSubmitTimeout);

// RUN: queues `operation` on `target` ("site:blog.example.org", "server:3")
// with the form values `vars`; returns the new task's id. InvalidArgument
// with the scheduler's reason when it refused.
Result<int64_t> RunOperation(zmq::context_t& context, const Endpoint& endpoint, const std::string& operation,
                             const std::string& target, const nlohmann::json& vars);

// TASK: one task's state (docs/protocol.md, TASK-REPLY).
Result<nlohmann::json> TaskState(zmq::context_t& context, const Endpoint& endpoint, int64_t job_id);

// LOG: the task's lines after `after` (LOG-REPLY).
Result<nlohmann::json> LogAfter(zmq::context_t& context, const Endpoint& endpoint, int64_t job_id, int64_t after);

// CANCEL: stops a queued or running job.
Status Cancel(zmq::context_t& context, const Endpoint& endpoint, int64_t job_id);

// The STATUS-REPLY document as a short human-readable report.
std::string FormatStatus(const nlohmann::json& status);

}  // namespace aegir::cli
