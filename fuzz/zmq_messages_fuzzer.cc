// The ZeroMQ messages of the job protocol (docs/protocol.md), as each
// receiving side checks them: aegir-scheduler's submit socket and executor
// socket (common/messages.h: SplitEnvelope, Check*Envelope, ParseJobId,
// ParseRun, ParseLogRequest, ParseReady, ParseDone; Job::FromJson for
// SUBMIT) and aegir-executor's socket (JOB and CANCEL bodies).
//
// The input is one multipart message, its frames separated by '\n': frame 0
// is the sender's routing identity (what the scheduler's ROUTER socket puts
// in front), then the version, the command and the body frames. So
// "e1\nAEGIR1\nREADY\n{\"capacity\": 2}" is an executor's READY. Every input
// is given to all three receivers; the executor, a DEALER, sees the frames
// after the identity. A frame over protocol::kMaxFrameBytes never arrives
// (ZeroMQ drops the connection), so such an input is dropped whole.
//
// Checked: an envelope accepted has the version and, for a command taking a
// body, exactly one body frame; each body accepted holds exactly what was
// sent, within the protocol's limits (capacity 0 to 1024, at most 32 labels
// of [a-z0-9][a-z0-9._-]{0,63}, a known DONE state, a job id of 1 to 18
// digits, LOG's after never negative, RUN's target split at its first ':').
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/job.h"
#include "common/messages.h"
#include "common/protocol.h"
#include "common/text.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/references.h"

namespace {

using namespace aegir::fuzz;  // the references and checks
using nlohmann::json;
namespace protocol = aegir::protocol;

json Parsed(const std::string& body) { return json::parse(body, nullptr, /*allow_exceptions=*/false); }

// A job id frame (CANCEL, TASK, and the executor's CANCEL): the id, or 0.
void CheckJobId(const std::string& body) {
  int64_t id = protocol::ParseJobId(body);
  bool decimal =
      !body.empty() && body.size() <= 18 && AllDigits(body) && body.find_first_not_of('0') != std::string::npos;
  FUZZ_CHECK_MSG((id > 0) == decimal, "job id " + Show(body) + " read as " + std::to_string(id));
  if (id > 0) FUZZ_CHECK(std::to_string(id) == body.substr(body.find_first_not_of('0')));
  if (id == 0) FUZZ_CHECK(!aegir::ParsePositiveId(body));
}

void CheckSubmit(const std::string& body) {
  auto job = aegir::Job::FromJson(body);
  if (!job.ok()) return;
  // fuzz/job_json_fuzzer.cc checks the fields; here, what the scheduler relies on.
  FUZZ_CHECK(job->job_id > 0 && job->Validate().ok());
}

void CheckRun(const std::string& body) {
  auto run = protocol::ParseRun(body);
  if (!run.ok()) return;
  json j = Parsed(body);
  FUZZ_CHECK(j.is_object() && j["operation"] == run->operation && j["target"] == run->target);
  FUZZ_CHECK_MSG(run->type.find(':') == std::string::npos, "type " + Show(run->type));
  if (run->target.find(':') == std::string::npos) {
    FUZZ_CHECK(run->type == run->target && run->ref.empty());
  } else {
    FUZZ_CHECK(run->type + ":" + run->ref == run->target);
  }
  FUZZ_CHECK(run->vars.is_object());
  FUZZ_CHECK(j.contains("vars") ? run->vars == j["vars"] : run->vars.empty());
}

void CheckLog(const std::string& body) {
  auto log = protocol::ParseLogRequest(body);
  if (!log.ok()) return;
  json j = Parsed(body);
  FUZZ_CHECK_MSG(ExactInt64(j["job_id"]) == log->job_id,
                 "job_id " + ShowJson(j["job_id"]) + " read as " + std::to_string(log->job_id));
  FUZZ_CHECK(log->after >= 0);
  if (j.contains("after")) {
    auto after = ExactInt64(j["after"]);
    FUZZ_CHECK_MSG(after && (*after < 0 ? log->after == 0 : log->after == *after),
                   "after " + ShowJson(j["after"]) + " read as " + std::to_string(log->after));
  } else {
    FUZZ_CHECK(log->after == 0);
  }
}

void CheckReady(const std::string& body) {
  auto ready = protocol::ParseReady(body);
  if (!ready.ok()) return;
  json j = Parsed(body);
  FUZZ_CHECK_MSG(ExactInt64(j["capacity"]) == ready->capacity,
                 "capacity " + ShowJson(j["capacity"]) + " read as " + std::to_string(ready->capacity));
  FUZZ_CHECK(ready->capacity >= 0 && ready->capacity <= 1024);
  FUZZ_CHECK(ready->labels.size() <= 32);
  for (const auto& l : ready->labels) FUZZ_CHECK_MSG(RefLabel(l), "label " + Show(l));
  FUZZ_CHECK(j.contains("labels") ? j["labels"] == json(ready->labels) : ready->labels.empty());
  if (!j.contains("running")) {
    FUZZ_CHECK(ready->running.empty());
    return;
  }
  FUZZ_CHECK(j["running"].is_array() && j["running"].size() == ready->running.size());
  for (size_t i = 0; i < ready->running.size(); ++i) {
    FUZZ_CHECK_MSG(ExactInt64(j["running"][i]) == ready->running[i],
                   "running id " + ShowJson(j["running"][i]) + " read as " + std::to_string(ready->running[i]));
  }
}

void CheckDone(const std::string& body) {
  auto done = protocol::ParseDone(body);
  if (!done.ok()) {
    FUZZ_CHECK(!done.status().message().empty());
    return;
  }
  json j = Parsed(body);
  FUZZ_CHECK_MSG(ExactInt64(j["job_id"]) == done->job_id,
                 "job_id " + ShowJson(j["job_id"]) + " read as " + std::to_string(done->job_id));
  FUZZ_CHECK_MSG(
      done->state == "succeeded" || done->state == "failed" || done->state == "cancelled" || done->state == "rejected",
      "state " + Show(done->state));
  FUZZ_CHECK(j["state"] == done->state);
  if (j.contains("exit_code") && !j["exit_code"].is_null()) {
    auto code = ExactInt64(j["exit_code"]);
    FUZZ_CHECK_MSG(code, "exit_code " + ShowJson(j["exit_code"]) + " accepted");
    FUZZ_CHECK(*code < 0 ? !done->exit_code : done->exit_code == *code);
  } else {
    FUZZ_CHECK(!done->exit_code);
  }
  FUZZ_CHECK(done->reason == (j.contains("reason") && j["reason"].is_string() ? j["reason"].get<std::string>() : ""));
}

void ToSubmitSocket(const std::vector<std::string>& frames) {
  auto envelope = protocol::SplitEnvelope(frames);
  FUZZ_CHECK(envelope.has_value() == (frames.size() >= 3));
  if (!envelope) return;
  FUZZ_CHECK(envelope->identity == frames[0] && envelope->version == frames[1] && envelope->command == frames[2]);
  FUZZ_CHECK(envelope->body.size() == frames.size() - 3);
  auto checked = protocol::CheckSubmitterEnvelope(*envelope);
  if (!checked.ok()) {
    FUZZ_CHECK(!checked.message().empty());
    return;
  }
  FUZZ_CHECK(envelope->version == "AEGIR1");
  const std::string& command = envelope->command;
  bool takes_body =
      command == "SUBMIT" || command == "CANCEL" || command == "RUN" || command == "TASK" || command == "LOG";
  if (!takes_body) return;
  FUZZ_CHECK_MSG(envelope->body.size() == 1, command + " with " + std::to_string(envelope->body.size()) + " bodies");
  const std::string& body = envelope->body[0];
  if (command == "SUBMIT") CheckSubmit(body);
  if (command == "CANCEL" || command == "TASK") CheckJobId(body);
  if (command == "RUN") CheckRun(body);
  if (command == "LOG") CheckLog(body);
}

void ToExecutorSocket(const std::vector<std::string>& frames) {
  auto envelope = protocol::SplitEnvelope(frames);
  if (!envelope) return;
  if (!protocol::CheckExecutorEnvelope(*envelope).ok()) return;
  FUZZ_CHECK(envelope->version == "AEGIR1");
  // The scheduler reads the first body frame, "" without one.
  const std::string body = envelope->body.empty() ? "" : envelope->body[0];
  if (envelope->command == "READY") CheckReady(body);
  if (envelope->command == "DONE") CheckDone(body);
}

// aegir-executor's DEALER: [version, command, body].
void ToExecutor(const std::vector<std::string>& frames) {
  if (frames.size() != 3 || frames[0] != protocol::kVersion) return;
  if (frames[1] == protocol::kJob) CheckSubmit(frames[2]);
  if (frames[1] == protocol::kCancel) CheckJobId(frames[2]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<std::string> frames = Split(Input(data, size), '\n');
  for (const auto& f : frames) {
    if (f.size() > protocol::kMaxFrameBytes) return 0;
  }
  ToSubmitSocket(frames);
  ToExecutorSocket(frames);
  ToExecutor(std::vector<std::string>(frames.begin() + 1, frames.end()));
  return 0;
}
