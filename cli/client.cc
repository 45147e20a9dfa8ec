#include "cli/client.h"

#include <errno.h>

#include <cstdio>
#include <iterator>
#include <zmq_addon.hpp>

namespace aegir::cli {

using nlohmann::json;

Result<std::vector<std::string>> Request(zmq::context_t& context, const Endpoint& endpoint,
                                         const std::vector<std::string>& command_and_body,
                                         std::chrono::milliseconds timeout) {
  try {
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    if (endpoint.key) curve::MakeClient(socket, *endpoint.key, endpoint.server_key);
    socket.connect(endpoint.address);
    return Exchange(socket, endpoint.address, command_and_body, timeout);
  } catch (const zmq::error_t& e) {
    return Status::InvalidArgument("scheduler endpoint " + endpoint.address + ": " + e.what());
  }
}

Result<std::vector<std::string>> Exchange(zmq::socket_t& socket, const std::string& address,
                                          const std::vector<std::string>& command_and_body,
                                          std::chrono::milliseconds timeout) {
  try {
    socket.send(zmq::buffer(protocol::kVersion), zmq::send_flags::sndmore);
    for (size_t i = 0; i < command_and_body.size(); ++i) {
      socket.send(zmq::buffer(command_and_body[i]), i + 1 < command_and_body.size()
                                                        ? zmq::send_flags::sndmore
                                                        : zmq::send_flags::none);
    }
    zmq::pollitem_t item = {socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) == 0) {
      return Status::Unavailable("the scheduler at " + address + " did not answer within " +
                                 std::to_string(timeout.count()) + " ms");
    }
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
      return Status::Unavailable("no reply from the scheduler at " + address);
    }
    if (frames.empty() || frames[0].to_string_view() != protocol::kVersion) {
      return Status::Internal("the scheduler at " + address + " speaks another protocol version");
    }
    std::vector<std::string> out;
    for (size_t i = 1; i < frames.size(); ++i) out.push_back(frames[i].to_string());
    return out;
  } catch (const zmq::error_t& e) {
    return Status::InvalidArgument("scheduler endpoint " + address + ": " + e.what());
  }
}

Result<json> QueryStatus(zmq::context_t& context, const Endpoint& endpoint,
                         std::chrono::milliseconds timeout) {
  auto reply = Request(context, endpoint, {std::string(protocol::kStatus)}, timeout);
  if (!reply.ok()) return reply.status();
  if (reply->size() == 2 && (*reply)[0] == protocol::kError) {
    return Status::Internal("the scheduler refused STATUS: " + (*reply)[1]);
  }
  if (reply->size() != 2 || (*reply)[0] != protocol::kStatusReply) {
    return Status::Internal("unexpected reply to STATUS from " + endpoint.address);
  }
  json j = json::parse((*reply)[1], nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::Internal("STATUS-REPLY is not a JSON object");
  return j;
}

Status Ping(zmq::context_t& context, const Endpoint& endpoint,
            std::chrono::milliseconds timeout) {
  auto reply = Request(context, endpoint, {std::string(protocol::kHeartbeat)}, timeout);
  if (!reply.ok()) return reply.status();
  if (reply->empty() || (*reply)[0] != protocol::kHeartbeat) {
    return Status::Internal("unexpected reply to HEARTBEAT from " + endpoint.address);
  }
  return Status::Ok();
}

namespace {

// One request whose answer is `expect` with a body, or ERROR (returned as
// InvalidArgument with the scheduler's words).
Result<std::string> Ask(zmq::context_t& context, const Endpoint& endpoint, std::string_view command,
                        const std::string& body, std::string_view expect) {
  auto reply = Request(context, endpoint, {std::string(command), body});
  if (!reply.ok()) return reply.status();
  if (reply->size() == 2 && (*reply)[0] == protocol::kError) return Status::InvalidArgument((*reply)[1]);
  if (reply->size() != 2 || (*reply)[0] != expect) {
    return Status::Internal("unexpected reply to " + std::string(command) + " from " + endpoint.address);
  }
  return (*reply)[1];
}

Result<json> AskJson(zmq::context_t& context, const Endpoint& endpoint, std::string_view command,
                     const std::string& body, std::string_view expect) {
  auto text = Ask(context, endpoint, command, body, expect);
  if (!text.ok()) return text.status();
  json j = json::parse(*text, nullptr, false);
  if (!j.is_object()) return Status::Internal(std::string(expect) + " is not a JSON object");
  return j;
}

}  // namespace

Result<int64_t> RunOperation(zmq::context_t& context, const Endpoint& endpoint, const std::string& operation,
                             const std::string& target, const json& vars) {
  json body = {{"operation", operation}, {"target", target}, {"vars", vars}};
  auto id = Ask(context, endpoint, protocol::kRun, body.dump(), protocol::kAck);
  if (!id.ok()) return id.status();
  try {
    return static_cast<int64_t>(std::stoll(*id));
  } catch (const std::exception&) {
    return Status::Internal("RUN was acknowledged without a job id");
  }
}

Result<json> TaskState(zmq::context_t& context, const Endpoint& endpoint, int64_t job_id) {
  return AskJson(context, endpoint, protocol::kTask, std::to_string(job_id), protocol::kTaskReply);
}

Result<json> LogAfter(zmq::context_t& context, const Endpoint& endpoint, int64_t job_id, int64_t after) {
  json body = {{"job_id", job_id}, {"after", after}};
  return AskJson(context, endpoint, protocol::kLog, body.dump(), protocol::kLogReply);
}

Status Cancel(zmq::context_t& context, const Endpoint& endpoint, int64_t job_id) {
  auto ack = Ask(context, endpoint, protocol::kCancel, std::to_string(job_id), protocol::kAck);
  return ack.ok() ? Status::Ok() : ack.status();
}

std::string FormatStatus(const json& status) {
  auto num = [](const json& j, const char* key) -> long long {
    return j.contains(key) && j[key].is_number_integer() ? j[key].get<long long>() : 0;
  };
  std::string out = "queued: " + std::to_string(num(status, "queued")) +
                    "  running: " + std::to_string(num(status, "running"));
  if (num(status, "orphaned") > 0) out += "  orphaned: " + std::to_string(num(status, "orphaned"));
  out += "\n";
  const json executors = status.value("executors", json::array());
  if (!executors.is_array() || executors.empty()) return out + "no executors connected\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-40s %8s %8s %12s\n", "EXECUTOR", "CAPACITY", "RUNNING",
                "LAST HEARD");
  out += line;
  for (const auto& e : executors) {
    std::string id = e.value("id", "?");
    char heard[32];
    std::snprintf(heard, sizeof heard, "%.1f s ago",
                  static_cast<double>(num(e, "last_heartbeat_ms_ago")) / 1000);
    std::snprintf(line, sizeof line, "%-40s %8lld %8lld %12s\n", id.c_str(), num(e, "capacity"),
                  num(e, "running"), heard);
    out += line;
  }
  return out;
}

}  // namespace aegir::cli
