#include "common/tasks.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/text.h"

namespace aegir::tasks {
namespace {

using db::Value;

// The job text only for one task: the sweep lists every open task often and
// needs the job of a few.
constexpr const char* kOpenColumns =
    "SELECT id, state, '', locks, COALESCE(executor, ''), cancel_requested FROM tasks ";
constexpr const char* kOpenColumnsWithJob =
    "SELECT id, state, COALESCE(job, ''), locks, COALESCE(executor, ''), cancel_requested FROM tasks ";

OpenTask FromRow(const db::Row& r) {
  OpenTask t;
  t.id = r.Int(0);
  t.state = r.Str(1);
  t.job_json = r.Str(2);
  t.locks = SplitLocks(r.Str(3));
  t.executor = r.Str(4);
  t.cancel_requested = r.Int(5) != 0;
  return t;
}

// Applies {"site_id": N, "status": ..., "domain": ..., "platform_id": N,
// "db_name": ...} (any of the last four) recorded on a task when it was queued.
Status ApplySiteChange(db::Connection& c, const nlohmann::json& change) {
  if (!change.is_object() || !change.contains("site_id") || !change["site_id"].is_number_integer()) {
    return Status::Ok();
  }
  int64_t site = change["site_id"].get<int64_t>();
  for (const char* col : {"status", "domain", "db_name"}) {
    if (change.contains(col) && change[col].is_string()) {
      auto r = c.Exec(std::string("UPDATE sites SET ") + col + " = ? WHERE id = ?",
                      {Value(change[col].get<std::string>()), Value(site)});
      if (!r.ok()) return r.status().WithContext(std::string("set the site's ") + col);
    }
  }
  if (change.contains("platform_id") && change["platform_id"].is_number_integer()) {
    auto r = c.Exec("UPDATE sites SET platform_id = ? WHERE id = ?",
                    {Value(change["platform_id"].get<int64_t>()), Value(site)});
    if (!r.ok()) return r.status().WithContext("move the site");
  }
  return Status::Ok();
}

}  // namespace

std::string JoinLocks(const std::vector<std::string>& locks) { return Join(locks, " "); }

std::vector<std::string> SplitLocks(const std::string& locks) {
  std::vector<std::string> out;
  std::istringstream in(locks);
  for (std::string l; in >> l;) out.push_back(l);
  return out;
}

Result<std::vector<OpenTask>> LoadOpen(db::Connection& c) {
  auto rows = c.Query(std::string(kOpenColumns) + "WHERE state IN ('queued', 'running') ORDER BY id");
  if (!rows.ok()) return rows.status().WithContext("load the open tasks");
  std::vector<OpenTask> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(FromRow(r));
  return out;
}

Result<std::optional<OpenTask>> LoadOpen(db::Connection& c, int64_t id) {
  auto rows =
      c.Query(std::string(kOpenColumnsWithJob) + "WHERE id = ? AND state IN ('queued', 'running')", {Value(id)});
  if (!rows.ok()) return rows.status().WithContext("load task " + std::to_string(id));
  if (rows->empty()) return std::optional<OpenTask>();
  return std::optional<OpenTask>(FromRow((*rows)[0]));
}

namespace {

std::string Dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

bool IsFinal(const std::string& state) { return state != "queued" && state != "running"; }

}  // namespace

Result<std::optional<std::string>> DescribeJson(db::Connection& c, int64_t id) {
  auto rows = c.Query(
      "SELECT id, operation, CONCAT(entity_type, ':', entity_id), state, exit_code, COALESCE(reason, ''), "
      "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ'), "
      "COALESCE(DATE_FORMAT(started_at, '%Y-%m-%dT%H:%i:%s.%fZ'), ''), "
      "COALESCE(DATE_FORMAT(finished_at, '%Y-%m-%dT%H:%i:%s.%fZ'), ''), cancel_requested "
      "FROM tasks WHERE id = ?",
      {Value(id)});
  if (!rows.ok()) return rows.status().WithContext("read task " + std::to_string(id));
  if (rows->empty()) return std::optional<std::string>();
  const auto& r = (*rows)[0];
  nlohmann::json j = {{"id", r.Int(0)},
                      {"operation", r.Str(1)},
                      {"entity", r.Str(2)},
                      {"state", r.Str(3)},
                      {"final", IsFinal(r.Str(3))},
                      {"exit_code", r.IsNull(4) ? nlohmann::json(nullptr) : nlohmann::json(r.Int(4))},
                      {"reason", r.Str(5)},
                      {"created_at", r.Str(6)},
                      {"started_at", r.Str(7)},
                      {"finished_at", r.Str(8)},
                      {"cancel_requested", r.Int(9) != 0}};
  return std::optional<std::string>(Dump(j));
}

Result<std::optional<std::string>> LogJson(db::Connection& c, int64_t id, int64_t after, int limit) {
  auto state = c.Query("SELECT state FROM tasks WHERE id = ?", {Value(id)});
  if (!state.ok()) return state.status().WithContext("read task " + std::to_string(id));
  if (state->empty()) return std::optional<std::string>();
  auto rows = c.Query("SELECT seq, line FROM task_log WHERE task_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                      {Value(id), Value(after), Value(int64_t{limit})});
  if (!rows.ok()) return rows.status().WithContext("read the log of task " + std::to_string(id));
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& r : *rows) lines.push_back({{"seq", r.Int(0)}, {"text", r.Str(1)}});
  // The state was read first: a final state means every line is in.
  std::string st = (*state)[0].Str(0);
  nlohmann::json j = {{"job_id", id}, {"state", st}, {"final", IsFinal(st)}, {"lines", lines}};
  return std::optional<std::string>(Dump(j));
}

Result<bool> Claim(db::Connection& c, int64_t id, const std::string& executor, const std::string& token_hash) {
  auto r = c.Exec(
      "UPDATE tasks SET state = 'running', executor = ?, attempts = attempts + 1, feedback_token_hash = ?, "
      "started_at = UTC_TIMESTAMP(3) WHERE id = ? AND state = 'queued'",
      {Value(TruncateUtf8(executor, 255)), Value(token_hash), Value(id)});
  if (!r.ok()) return r.status().WithContext("claim task " + std::to_string(id));
  return *r > 0;
}

Result<bool> Requeue(db::Connection& c, int64_t id) {
  auto r = c.Exec(
      "UPDATE tasks SET state = 'queued', executor = NULL, feedback_token_hash = '', started_at = NULL "
      "WHERE id = ? AND state = 'running'",
      {Value(id)});
  if (!r.ok()) return r.status().WithContext("queue task " + std::to_string(id) + " again");
  return *r > 0;
}

Result<std::string> Cancel(db::Connection& c, int64_t id) {
  auto rows = c.Query("SELECT state FROM tasks WHERE id = ?", {Value(id)});
  if (!rows.ok()) return rows.status().WithContext("cancel task " + std::to_string(id));
  if (rows->empty()) return std::string();
  std::string state = (*rows)[0].Str(0);
  if (state == "queued") {
    auto ended = Finish(c, id, "cancelled", std::nullopt, "Cancelled before it started.");
    if (!ended.ok()) return ended.status();
    if (*ended) return state;
    state = "running";  // claimed in the meantime
  }
  if (state == "running") {
    auto r = c.Exec("UPDATE tasks SET cancel_requested = TRUE WHERE id = ? AND state = 'running'", {Value(id)});
    if (!r.ok()) return r.status().WithContext("cancel task " + std::to_string(id));
  }
  return state;
}

Result<bool> Finish(db::Connection& c, int64_t id, const std::string& state, std::optional<int64_t> exit_code,
                    const std::string& reason) {
  // The row is read first, outside the transaction: a task that has ended
  // already (the scheduler hears of most ends after aegir-web stored them)
  // costs one statement instead of a transaction's three. What is used of
  // the row is set when the task is queued (feedback posts merge only their
  // own keys into results); its state may change meanwhile, and the guarded
  // UPDATE checks it again.
  auto rows = c.Query(
      "SELECT entity_type, entity_id, COALESCE(results, '{}'), operation, success_status, failure_status, "
      "state IN ('queued', 'running') FROM tasks WHERE id = ?",
      {Value(id)});
  if (!rows.ok()) return rows.status().WithContext("finish task " + std::to_string(id));
  if (rows->empty() || (*rows)[0].Int(6) == 0) return false;
  db::Transaction tx(c);
  AEGIR_RETURN_IF_ERROR(tx.Begin());
  auto r = c.Exec(
      "UPDATE tasks SET state = ?, exit_code = ?, reason = ?, finished_at = UTC_TIMESTAMP(3) "
      "WHERE id = ? AND state IN ('queued', 'running')",
      {Value(state), Value(exit_code), reason.empty() ? Value() : Value(TruncateUtf8(reason, 1000)), Value(id)});
  if (!r.ok()) return r.status().WithContext("finish task " + std::to_string(id));
  if (*r == 0) return false;
  const auto& row = (*rows)[0];
  const std::string type = row.Str(0);
  const int64_t entity = row.Int(1);
  const bool success = state == "succeeded";
  const std::string status = success ? row.Str(4) : row.Str(5);
  if (!status.empty()) {
    if (type == "server") {
      auto u = c.Exec(
          "UPDATE servers SET status = ?, verified_at = IF(? = 'verified', UTC_TIMESTAMP(), verified_at) "
          "WHERE id = ?",
          {Value(status), Value(status), Value(entity)});
      if (!u.ok()) return u.status().WithContext("set the server's status");
    } else if (type == "platform") {
      // A locked platform stays locked through a verify or a redeploy:
      // only unlocking unlocks it.
      auto u = c.Exec(
          "UPDATE platforms SET status = IF(status = 'locked' AND ? = 'enabled' AND ? <> 'platform-unlock', "
          "'locked', ?), verified_at = IF(? = 'enabled', UTC_TIMESTAMP(), verified_at) WHERE id = ?",
          {Value(status), Value(row.Str(3)), Value(status), Value(status), Value(entity)});
      if (!u.ok()) return u.status().WithContext("set the platform's status");
    } else if (type == "site") {
      auto u = c.Exec("UPDATE sites SET status = ? WHERE id = ?", {Value(status), Value(entity)});
      if (!u.ok()) return u.status().WithContext("set the site's status");
      // A deleted site's schedules go with it (they would only record a
      // skipped run each time they came due).
      if (status == "deleted") {
        auto d = c.Exec("DELETE FROM schedules WHERE site_id = ?", {Value(entity)});
        if (!d.ok()) return d.status().WithContext("delete the deleted site's schedules");
      }
    }
  }
  // Changes recorded when the task was queued (a clone's new site, a
  // migrated site's new platform and domain).
  auto results = nlohmann::json::parse(row.Str(2), nullptr, false);
  if (results.is_object()) {
    const char* key = success ? "on_success" : "on_failure";
    if (results.contains(key)) AEGIR_RETURN_IF_ERROR(ApplySiteChange(c, results[key]));
  }
  AEGIR_RETURN_IF_ERROR(tx.Commit());
  return true;
}

}  // namespace aegir::tasks
