#include "common/messages.h"

#include <algorithm>
#include <stdexcept>

#include "common/job.h"
#include "common/protocol.h"
#include "common/text.h"

namespace aegir::protocol {

using nlohmann::json;

namespace {

// A number field (see JsonInteger: never get<int64_t>() on what a peer sent).
int64_t Integer(const json& v, const char* name) {
  auto n = JsonInteger(v);
  if (!n) throw std::invalid_argument(std::string(name) + " must be an integer");
  return *n;
}

}  // namespace

std::optional<Envelope> SplitEnvelope(std::vector<std::string> frames) {
  if (frames.size() < 3) return std::nullopt;
  Envelope e;
  e.identity = std::move(frames[0]);
  e.version = std::move(frames[1]);
  e.command = std::move(frames[2]);
  e.body.assign(std::make_move_iterator(frames.begin() + 3), std::make_move_iterator(frames.end()));
  return e;
}

Status CheckSubmitterEnvelope(const Envelope& e) {
  if (e.version != kVersion) {
    return Status::InvalidArgument("unsupported protocol version '" + e.version.substr(0, 32) +
                                   "' (this scheduler speaks " + std::string(kVersion) + ")");
  }
  const bool takes_body =
      e.command == kSubmit || e.command == kCancel || e.command == kRun || e.command == kTask || e.command == kLog;
  if (takes_body && e.body.size() != 1) {
    return Status::InvalidArgument(e.command + " takes exactly one frame (see docs/protocol.md)");
  }
  return Status::Ok();
}

Status CheckExecutorEnvelope(const Envelope& e) {
  if (e.version != kVersion) {
    return Status::InvalidArgument("unsupported protocol version '" + e.version.substr(0, 32) + "'");
  }
  return Status::Ok();
}

int64_t ParseJobId(const std::string& body) { return ParsePositiveId(body).value_or(0); }

Result<Ready> ParseReady(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("READY body is not a JSON object");
  Ready r;
  // Each check overwrites the error of the one before: the last problem
  // found is the one reported.
  std::string error;
  try {
    const int64_t capacity = Integer(j.at("capacity"), "capacity");
    if (j.contains("labels")) r.labels = j.at("labels").get<std::vector<std::string>>();
    if (j.contains("running")) {
      if (!j.at("running").is_array()) throw std::invalid_argument("running must be an array of job ids");
      for (const auto& id : j.at("running")) r.running.push_back(Integer(id, "a running job id"));
    }
    if (capacity < 0 || capacity > kMaxCapacity) error = "READY capacity must be 0 to 1024";
    r.capacity = static_cast<int>(std::clamp<int64_t>(capacity, 0, kMaxCapacity));
    if (r.labels.size() > kMaxLabels) error = "READY has more than 32 labels";
    for (const auto& l : r.labels) {
      if (!IsValidLabel(l)) error = "READY label '" + l.substr(0, 64) + "' is not [a-z0-9][a-z0-9._-]{0,63}";
    }
  } catch (const json::exception& e) {
    error = std::string("READY field missing or of the wrong type: ") + e.what();
  } catch (const std::invalid_argument& e) {
    error = std::string("READY field missing or of the wrong type: ") + e.what();
  }
  if (!error.empty()) return Status::InvalidArgument(error);
  return r;
}

Result<Done> ParseDone(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  Done d;
  try {
    if (j.is_discarded() || !j.is_object()) throw std::invalid_argument("not a JSON object");
    d.job_id = Integer(j.at("job_id"), "job_id");
    d.state = j.at("state").get<std::string>();
    if (j.contains("exit_code") && !j.at("exit_code").is_null()) d.exit_code = Integer(j.at("exit_code"), "exit_code");
    if (j.contains("reason") && j.at("reason").is_string()) d.reason = j.at("reason").get<std::string>();
    if (d.state != kStateSucceeded && d.state != kStateFailed && d.state != kStateCancelled &&
        d.state != kStateRejected) {
      throw std::invalid_argument("unknown state '" + d.state.substr(0, 32) + "'");
    }
  } catch (const std::exception& e) {
    return Status::InvalidArgument(e.what());
  }
  if (d.exit_code && *d.exit_code < 0) d.exit_code.reset();
  return d;
}

Result<RunRequest> ParseRun(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("operation") || !j["operation"].is_string() || !j.contains("target") ||
      !j["target"].is_string() || (j.contains("vars") && !j["vars"].is_object())) {
    return Status::InvalidArgument(R"(expected {"operation": "...", "target": "type:id-or-name", "vars": {...}})");
  }
  RunRequest r;
  r.operation = j["operation"].get<std::string>();
  r.target = j["target"].get<std::string>();
  // "site:12" or "site:blog.example.org" (a server or platform by name).
  auto colon = r.target.find(':');
  r.type = r.target.substr(0, colon);
  r.ref = colon == std::string::npos ? "" : r.target.substr(colon + 1);
  if (j.contains("vars")) r.vars = j["vars"];
  return r;
}

Result<LogRequest> ParseLogRequest(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("job_id") || !JsonInteger(j["job_id"]) ||
      (j.contains("after") && !JsonInteger(j["after"]))) {
    return Status::InvalidArgument(R"(LOG takes {"job_id": N, "after": N})");
  }
  LogRequest r;
  r.job_id = *JsonInteger(j["job_id"]);
  r.after = j.contains("after") ? std::max<int64_t>(*JsonInteger(j["after"]), 0) : 0;
  return r;
}

}  // namespace aegir::protocol
