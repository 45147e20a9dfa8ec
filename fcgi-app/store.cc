#include "fcgi-app/store.h"

namespace aegir::web::store {

using db::Value;

namespace {

// Runs a query and maps every row with from_row.
template <typename T>
Result<std::vector<T>> All(db::Connection& c, const std::string& sql, const std::vector<Value>& params,
                           T (*from_row)(const db::Row&)) {
  auto rows = c.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<T> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(from_row(r));
  return out;
}

// The first row mapped with from_row, or nothing.
template <typename T>
Result<std::optional<T>> One(db::Connection& c, const std::string& sql, const std::vector<Value>& params,
                             T (*from_row)(const db::Row&)) {
  auto rows = c.Query(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<T>();
  return std::optional<T>(from_row((*rows)[0]));
}

// At most max_bytes of s, never cutting a UTF-8 character in two (a cut one
// would be refused by MariaDB's strict mode).
std::string TruncateUtf8(const std::string& s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

constexpr const char* kTaskColumns =
    "t.id, t.operation, t.entity_type, t.entity_id, "
    "COALESCE(sv.name, st.domain, ''), t.state, t.vars, t.feedback_token_hash, t.exit_code, "
    "COALESCE(t.reason, ''), COALESCE(u.name, ''), "
    "DATE_FORMAT(t.created_at, '%Y-%m-%d %H:%i:%s'), "
    "COALESCE(DATE_FORMAT(t.started_at, '%Y-%m-%d %H:%i:%s'), ''), "
    "COALESCE(DATE_FORMAT(t.finished_at, '%Y-%m-%d %H:%i:%s'), '') "
    "FROM tasks t "
    "LEFT JOIN servers sv ON t.entity_type = 'server' AND sv.id = t.entity_id "
    "LEFT JOIN sites st ON t.entity_type = 'site' AND st.id = t.entity_id "
    "LEFT JOIN users u ON u.id = t.created_by ";

Task TaskFromRow(const db::Row& r) {
  Task t;
  t.id = r.Int(0);
  t.operation = r.Str(1);
  t.entity_type = r.Str(2);
  t.entity_id = r.Int(3);
  t.entity_label = r.Str(4);
  t.state = r.Str(5);
  t.vars_json = r.Str(6);
  t.feedback_token_hash = r.Str(7);
  if (!r.IsNull(8)) t.exit_code = r.Int(8);
  t.reason = r.Str(9);
  t.created_by = r.Str(10);
  t.created_at = r.Str(11);
  t.started_at = r.Str(12);
  t.finished_at = r.Str(13);
  return t;
}

Result<std::vector<Task>> Tasks(db::Connection& c, const std::string& where, const std::vector<Value>& params) {
  return All(c, std::string("SELECT ") + kTaskColumns + where, params, TaskFromRow);
}

constexpr const char* kServerColumns =
    "SELECT id, name, hostname, status, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s'), "
    "COALESCE(DATE_FORMAT(verified_at, '%Y-%m-%d %H:%i:%s'), '') FROM servers ";

Server ServerFromRow(const db::Row& r) {
  return Server{r.Int(0), r.Str(1), r.Str(2), r.Str(3), r.Str(4), r.Str(5)};
}

constexpr const char* kSiteColumns =
    "SELECT s.id, s.domain, s.server_id, sv.name, s.status, DATE_FORMAT(s.created_at, '%Y-%m-%d %H:%i:%s') "
    "FROM sites s JOIN servers sv ON sv.id = s.server_id ";

Site SiteFromRow(const db::Row& r) {
  return Site{r.Int(0), r.Str(1), r.Int(2), r.Str(3), r.Str(4), r.Str(5)};
}

User UserFromRow(const db::Row& r) { return User{r.Int(0), r.Str(1), r.Int(2) != 0, r.Str(3)}; }

LogLine LogLineFromRow(const db::Row& r) { return LogLine{r.Int(0), r.Str(1)}; }

TaskAuth TaskAuthFromRow(const db::Row& r) { return TaskAuth{r.Int(0), r.Str(1), r.Str(2), r.Str(3)}; }

}  // namespace

Result<std::optional<User>> FindUserByName(db::Connection& c, const std::string& name) {
  return One(c, "SELECT id, name, is_admin, password_hash FROM users WHERE name = ?", {Value(name)}, UserFromRow);
}

Result<int64_t> CreateUser(db::Connection& c, const std::string& name, const std::string& password_hash,
                           bool is_admin) {
  auto r = c.Exec("INSERT INTO users (name, password_hash, is_admin) VALUES (?, ?, ?)",
                  {Value(name), Value(password_hash), Value(int64_t{is_admin ? 1 : 0})});
  if (!r.ok()) return r.status().WithContext("create user " + name);
  return static_cast<int64_t>(c.LastInsertId());
}

Status CreateSession(db::Connection& c, const std::string& id_hash, std::optional<int64_t> user_id,
                     const std::string& csrf_token, int ttl_s) {
  auto r = c.Exec(
      "INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at) "
      "VALUES (?, ?, ?, UTC_TIMESTAMP() + INTERVAL ? SECOND)",
      {Value(id_hash), Value(user_id), Value(csrf_token), Value(int64_t{ttl_s})});
  return r.ok() ? Status::Ok() : r.status().WithContext("create session");
}

Result<std::optional<Session>> FindSession(db::Connection& c, const std::string& id_hash) {
  auto rows = c.Query(
      "SELECT s.id_hash, s.user_id, COALESCE(u.name, ''), COALESCE(u.is_admin, 0), s.csrf_token "
      "FROM sessions s LEFT JOIN users u ON u.id = s.user_id "
      "WHERE s.id_hash = ? AND s.expires_at > UTC_TIMESTAMP()",
      {Value(id_hash)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Session>();
  const auto& r = (*rows)[0];
  Session s;
  s.id_hash = r.Str(0);
  if (!r.IsNull(1)) s.user_id = r.Int(1);
  s.user_name = r.Str(2);
  s.is_admin = r.Int(3) != 0;
  s.csrf_token = r.Str(4);
  return std::optional<Session>(s);
}

Status DeleteSession(db::Connection& c, const std::string& id_hash) {
  auto r = c.Exec("DELETE FROM sessions WHERE id_hash = ?", {Value(id_hash)});
  return r.ok() ? Status::Ok() : r.status();
}

Status DeleteExpiredSessions(db::Connection& c) {
  auto r = c.Exec("DELETE FROM sessions WHERE expires_at <= UTC_TIMESTAMP()");
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::vector<Server>> ListServers(db::Connection& c) {
  return All(c, std::string(kServerColumns) + "ORDER BY name", {}, ServerFromRow);
}

Result<std::optional<Server>> GetServer(db::Connection& c, int64_t id) {
  return One(c, std::string(kServerColumns) + "WHERE id = ?", {Value(id)}, ServerFromRow);
}

Result<int64_t> CreateServer(db::Connection& c, const std::string& name, const std::string& hostname) {
  auto r = c.Exec("INSERT INTO servers (name, hostname) VALUES (?, ?)", {Value(name), Value(hostname)});
  if (!r.ok()) return r.status().WithContext("add server " + name);
  return static_cast<int64_t>(c.LastInsertId());
}

Result<std::vector<Site>> ListSites(db::Connection& c) {
  return All(c, std::string(kSiteColumns) + "ORDER BY s.domain", {}, SiteFromRow);
}

Result<std::optional<Site>> GetSite(db::Connection& c, int64_t id) {
  return One(c, std::string(kSiteColumns) + "WHERE s.id = ?", {Value(id)}, SiteFromRow);
}

Result<int64_t> CreateSite(db::Connection& c, const std::string& domain, int64_t server_id) {
  auto r = c.Exec("INSERT INTO sites (domain, server_id) VALUES (?, ?)", {Value(domain), Value(server_id)});
  if (!r.ok()) return r.status().WithContext("add site " + domain);
  return static_cast<int64_t>(c.LastInsertId());
}

Result<int64_t> CreateTask(db::Connection& c, const std::string& operation, const std::string& entity_type,
                           int64_t entity_id, const std::string& vars_json, const std::string& token_hash,
                           std::optional<int64_t> created_by) {
  auto r = c.Exec(
      "INSERT INTO tasks (operation, entity_type, entity_id, vars, feedback_token_hash, created_by) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {Value(operation), Value(entity_type), Value(entity_id), Value(vars_json), Value(token_hash),
       Value(created_by)});
  if (!r.ok()) return r.status().WithContext("queue task " + operation);
  return static_cast<int64_t>(c.LastInsertId());
}

Result<std::optional<Task>> GetTask(db::Connection& c, int64_t id) {
  return One(c, std::string("SELECT ") + kTaskColumns + "WHERE t.id = ?", {Value(id)}, TaskFromRow);
}

Result<std::optional<TaskAuth>> GetTaskAuth(db::Connection& c, int64_t id) {
  return One(c, "SELECT id, operation, state, feedback_token_hash FROM tasks WHERE id = ?", {Value(id)},
             TaskAuthFromRow);
}

Result<std::vector<Task>> ListTasks(db::Connection& c, int64_t before, int limit) {
  if (before > 0) {
    return Tasks(c, "WHERE t.id < ? ORDER BY t.id DESC LIMIT ?", {Value(before), Value(int64_t{limit})});
  }
  return Tasks(c, "ORDER BY t.id DESC LIMIT ?", {Value(int64_t{limit})});
}

Result<std::vector<Task>> ListTasksFor(db::Connection& c, const std::string& entity_type, int64_t entity_id,
                                       int limit) {
  return Tasks(c, "WHERE t.entity_type = ? AND t.entity_id = ? ORDER BY t.id DESC LIMIT ?",
               {Value(entity_type), Value(entity_id), Value(int64_t{limit})});
}

Result<std::vector<LogLine>> GetLog(db::Connection& c, int64_t task_id, int64_t after, int limit) {
  return All(c, "SELECT seq, line FROM task_log WHERE task_id = ? AND seq > ? ORDER BY seq LIMIT ?",
             {Value(task_id), Value(after), Value(int64_t{limit})}, LogLineFromRow);
}

Result<Counts> GetCounts(db::Connection& c) {
  auto rows = c.Query(
      "SELECT (SELECT COUNT(*) FROM servers), (SELECT COUNT(*) FROM sites), "
      "(SELECT COUNT(*) FROM tasks WHERE state = 'queued'), "
      "(SELECT COUNT(*) FROM tasks WHERE state = 'running'), "
      "(SELECT COUNT(*) FROM tasks WHERE state = 'failed')");
  if (!rows.ok()) return rows.status();
  const auto& r = (*rows)[0];
  return Counts{r.Int(0), r.Int(1), r.Int(2), r.Int(3), r.Int(4)};
}

Result<bool> MarkTaskRunning(db::Connection& c, int64_t id) {
  auto r = c.Exec(
      "UPDATE tasks SET state = 'running', started_at = COALESCE(started_at, UTC_TIMESTAMP(3)) "
      "WHERE id = ? AND state IN ('queued', 'running')",
      {Value(id)});
  if (!r.ok()) return r.status();
  if (*r > 0) return true;
  // Zero rows changed also when the task was running already with the same
  // start time; tell the two apart.
  auto t = c.Query("SELECT state FROM tasks WHERE id = ?", {Value(id)});
  if (!t.ok()) return t.status();
  return !t->empty() && (*t)[0].Str(0) == "running";
}

Status AppendLog(db::Connection& c, int64_t task_id, int64_t first_seq, const std::vector<std::string>& lines) {
  if (lines.empty()) return Status::Ok();
  // Multi-row INSERT IGNORE in chunks: one round trip per chunk, and a line
  // whose (task_id, seq) exists is skipped, which makes re-posting safe.
  constexpr size_t kChunk = 500;
  for (size_t start = 0; start < lines.size(); start += kChunk) {
    size_t n = std::min(kChunk, lines.size() - start);
    std::string sql = "INSERT IGNORE INTO task_log (task_id, seq, line) VALUES ";
    std::vector<Value> params;
    params.reserve(3 * n);
    for (size_t i = 0; i < n; ++i) {
      sql += i == 0 ? "(?, ?, ?)" : ", (?, ?, ?)";
      params.emplace_back(task_id);
      params.emplace_back(static_cast<int64_t>(first_seq + start + i));
      params.emplace_back(lines[start + i]);
    }
    auto r = c.Exec(sql, params);
    if (!r.ok()) return r.status().WithContext("store log of task " + std::to_string(task_id));
  }
  return Status::Ok();
}

Result<bool> FinishTask(db::Connection& c, int64_t id, const std::string& state, std::optional<int64_t> exit_code,
                        const std::string& reason) {
  db::Transaction tx(c);
  AEGIR_RETURN_IF_ERROR(tx.Begin());
  auto r = c.Exec(
      "UPDATE tasks SET state = ?, exit_code = ?, reason = ?, finished_at = UTC_TIMESTAMP(3) "
      "WHERE id = ? AND state IN ('queued', 'running')",
      {Value(state), Value(exit_code), reason.empty() ? Value() : Value(TruncateUtf8(reason, 1000)), Value(id)});
  if (!r.ok()) return r.status().WithContext("finish task " + std::to_string(id));
  if (*r == 0) return false;
  // The result of a server verification is the server's status.
  auto s = c.Exec(
      "UPDATE servers sv JOIN tasks t ON t.entity_type = 'server' AND t.entity_id = sv.id "
      "SET sv.status = IF(t.state = 'succeeded', 'verified', 'failed'), "
      "    sv.verified_at = IF(t.state = 'succeeded', UTC_TIMESTAMP(), sv.verified_at) "
      "WHERE t.id = ? AND t.operation = 'server-verify' AND t.state IN ('succeeded', 'failed')",
      {Value(id)});
  if (!s.ok()) return s.status();
  AEGIR_RETURN_IF_ERROR(tx.Commit());
  return true;
}

}  // namespace aegir::web::store
