// The aegir command-line client's conversation with the scheduler: one
// request on a fresh DEALER socket to the submit endpoint, one reply, a
// timeout (docs/protocol.md).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/protocol.h"
#include "common/status.h"

namespace aegir::cli {

// Sends [version, command, body...] and returns the reply's frames after the
// version. Unavailable when nothing came within timeout; Internal for a reply
// in another protocol version.
Result<std::vector<std::string>> Request(
    zmq::context_t& context, const std::string& endpoint,
    const std::vector<std::string>& command_and_body,
    std::chrono::milliseconds timeout = protocol::kSubmitTimeout);

// STATUS: the scheduler's STATUS-REPLY document.
Result<nlohmann::json> QueryStatus(zmq::context_t& context, const std::string& endpoint,
                                   std::chrono::milliseconds timeout = protocol::kSubmitTimeout);

// HEARTBEAT: ok when the scheduler answers in time.
Status Ping(zmq::context_t& context, const std::string& endpoint,
            std::chrono::milliseconds timeout = protocol::kSubmitTimeout);

// The STATUS-REPLY document as a short human-readable report.
std::string FormatStatus(const nlohmann::json& status);

}  // namespace aegir::cli
