// The job message: Job::FromJson (common/job.h), what aegir-scheduler reads
// from SUBMIT and from the tasks table, and what aegir-executor reads from
// JOB before it runs anything.
//
// The input is a job document. For every job FromJson accepts, checked
// against the JSON read independently here and the references in
// fuzz/references.h:
// - every field holds exactly what was sent (no number truncated or wrapped
//   on its way into an int), and satisfies the documented contract: names
//   and patterns, 1 to 50 roles, at most 8 locks, 200 vars of the allowed
//   types and sizes, ports 1 to 65535, a 64-hex-digit token or none, an
//   http(s) feedback URL, a timeout of 1 s to 7 days;
// - ToJson gives a document FromJson accepts and that gives the same
//   document again;
// - LockKeys is the entity followed by the locks, each once;
// - as a task row keeps it (ToStoredJson: no id, the feedback URL ending
//   where the id goes), FromStoredJson gives the same job back with the
//   row's id; the document as sent is read as a stored one only for its own
//   id and without a token.
#include <algorithm>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "common/job.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/references.h"

namespace {

using namespace aegir::fuzz;  // the references and checks
using nlohmann::json;

std::string StringOr(const json& obj, const char* key, const std::string& fallback) {
  return obj.contains(key) ? obj[key].get<std::string>() : fallback;
}

void CheckFields(const aegir::Job& job, const json& j) {
  FUZZ_CHECK(j.is_object());
  FUZZ_CHECK_MSG(ExactInt64(j["version"]) == aegir::Job::kVersion, "version " + ShowJson(j["version"]));
  FUZZ_CHECK_MSG(ExactInt64(j["job_id"]) == job.job_id,
                 "job_id " + ShowJson(j["job_id"]) + " read as " + std::to_string(job.job_id));
  FUZZ_CHECK(job.job_id > 0);
  FUZZ_CHECK(j["operation"] == job.operation && RefOperationName(job.operation));
  FUZZ_CHECK(j["entity"] == job.entity && RefEntityKey(job.entity));
  FUZZ_CHECK(job.locks.size() <= 8);
  FUZZ_CHECK(j.contains("locks") ? j["locks"] == json(job.locks) : job.locks.empty());
  for (const auto& l : job.locks) FUZZ_CHECK_MSG(RefEntityKey(l), "lock " + Show(l));

  const json& t = j["target"];
  FUZZ_CHECK(t["name"] == job.target.name && (RefRoleName(job.target.name) || RefHostName(job.target.name)));
  FUZZ_CHECK(t["host"] == job.target.host && RefHostName(job.target.host));
  FUZZ_CHECK(t["connection"] == job.target.connection &&
             (job.target.connection == "local" || job.target.connection == "ssh"));
  FUZZ_CHECK(StringOr(t, "user", "") == job.target.user && (job.target.user.empty() || RefUserName(job.target.user)));
  FUZZ_CHECK_MSG(
      t.contains("port") ? ExactInt64(t["port"]) == job.target.port : job.target.port == 22,
      "port " + (t.contains("port") ? ShowJson(t["port"]) : "absent") + " read as " + std::to_string(job.target.port));
  FUZZ_CHECK(job.target.port >= 1 && job.target.port <= 65535);
  FUZZ_CHECK(StringOr(t, "host_key", "") == job.target.host_key &&
             (job.target.host_key.empty() || RefHostKey(job.target.host_key)));
  FUZZ_CHECK(StringOr(t, "label", "") == job.target.label && (job.target.label.empty() || RefLabel(job.target.label)));

  FUZZ_CHECK(j["roles"] == json(job.roles));
  FUZZ_CHECK(!job.roles.empty() && job.roles.size() <= 50);
  for (const auto& r : job.roles) FUZZ_CHECK_MSG(RefRoleName(r), "role " + Show(r));

  FUZZ_CHECK(j["vars"].is_object() && j["vars"].size() == job.vars.size() && job.vars.size() <= 200);
  for (const auto& [k, v] : job.vars) {
    FUZZ_CHECK_MSG(RefVarName(k), "var " + Show(k));
    FUZZ_CHECK(j["vars"][k] == v);
    if (v.is_array()) {
      FUZZ_CHECK(v.size() <= 100);
      for (const auto& item : v) FUZZ_CHECK(item.is_string() && item.get_ref<const std::string&>().size() <= 4096);
    } else {
      FUZZ_CHECK_MSG(v.is_string() || v.is_boolean() || ExactInt64(v), "var " + k + " = " + ShowJson(v));
      if (v.is_string()) FUZZ_CHECK(v.get_ref<const std::string&>().size() <= 4096);
    }
  }

  FUZZ_CHECK(j["feedback_url"] == job.feedback_url);
  FUZZ_CHECK(job.feedback_url.rfind("http://", 0) == 0 || job.feedback_url.rfind("https://", 0) == 0);
  FUZZ_CHECK(StringOr(j, "feedback_token", "") == job.feedback_token);
  FUZZ_CHECK(job.feedback_token.empty() ||
             (job.feedback_token.size() == 64 && FullMatch(job.feedback_token, "[0-9a-f]+")));
  FUZZ_CHECK_MSG(ExactInt64(j["timeout_s"]) == job.timeout_s,
                 "timeout_s " + ShowJson(j["timeout_s"]) + " read as " + std::to_string(job.timeout_s));
  FUZZ_CHECK(job.timeout_s >= 1 && job.timeout_s <= 7 * 24 * 3600);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = Input(data, size);
  auto job = aegir::Job::FromJson(text);
  if (!job.ok()) {
    FUZZ_CHECK(!job.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(job->Validate().ok());
  CheckFields(*job, json::parse(text));

  const std::string once = job->ToJson();
  auto again = aegir::Job::FromJson(once);
  FUZZ_CHECK_MSG(again.ok(), "ToJson gives " + Show(once) + ", refused: " + again.status().message());
  FUZZ_CHECK_MSG(again->ToJson() == once, "ToJson/FromJson round trip changed " + Show(once));

  // Stored as a task row keeps it, and read back as that row's.
  const int64_t id = job->job_id;
  aegir::Job stored = *job;
  stored.job_id = 0;
  stored.feedback_token.clear();
  stored.feedback_url += "/";
  FUZZ_CHECK(stored.ValidateStored().ok());
  auto back = aegir::Job::FromStoredJson(stored.ToStoredJson(), id);
  FUZZ_CHECK_MSG(back.ok(), "stored form refused: " + (back.ok() ? std::string() : back.status().message()));
  aegir::Job expect = stored;
  expect.job_id = id;
  expect.feedback_url += std::to_string(id);
  FUZZ_CHECK_MSG(back->ToJson() == expect.ToJson(), "stored form changed " + Show(stored.ToStoredJson()));
  // The document as sent, read as a stored one: its own id only, no token.
  FUZZ_CHECK(aegir::Job::FromStoredJson(text, id).ok() == job->feedback_token.empty());
  if (id < INT64_MAX) FUZZ_CHECK(!aegir::Job::FromStoredJson(text, id + 1).ok());

  const auto keys = job->LockKeys();
  FUZZ_CHECK(!keys.empty() && keys[0] == job->entity);
  for (size_t i = 0; i < keys.size(); ++i) {
    FUZZ_CHECK(std::count(keys.begin(), keys.end(), keys[i]) == 1);
  }
  for (const auto& l : job->locks) FUZZ_CHECK(std::find(keys.begin(), keys.end(), l) != keys.end());
  FUZZ_CHECK(keys.size() <= job->locks.size() + 1);
  return 0;
}
