#include "fcgi-app/store.h"

#include <algorithm>
#include <sstream>
#include <utility>

#include "common/text.h"

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

// The tasks' columns, from `tasks` (alias t) as the first table of `from`,
// with what they name (left joins: a task's entity may be gone).
std::string TaskColumns(const std::string& from = "tasks t") {
  return "SELECT t.id, t.operation, t.entity_type, t.entity_id, "
         "COALESCE(sv.name, st.domain, pl.name, ''), t.state, t.vars, t.feedback_token_hash, t.exit_code, "
         "COALESCE(t.reason, ''), COALESCE(u.name, ''), "
         "DATE_FORMAT(t.created_at, '%Y-%m-%d %H:%i:%s'), "
         "COALESCE(DATE_FORMAT(t.started_at, '%Y-%m-%d %H:%i:%s'), ''), "
         "COALESCE(DATE_FORMAT(t.finished_at, '%Y-%m-%d %H:%i:%s'), ''), COALESCE(t.results, ''), t.created_by, "
         "t.cancel_requested, COALESCE(t.recap, ''), COALESCE(t.executor, ''), "
         "COALESCE(TIMESTAMPDIFF(MICROSECOND, t.started_at, t.finished_at), -1) FROM " +
         from +
         " LEFT JOIN servers sv ON t.entity_type = 'server' AND sv.id = t.entity_id "
         "LEFT JOIN sites st ON t.entity_type = 'site' AND st.id = t.entity_id "
         "LEFT JOIN platforms pl ON t.entity_type = 'platform' AND pl.id = t.entity_id "
         "LEFT JOIN users u ON u.id = t.created_by ";
}

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
  t.results_json = r.Str(14);
  if (!r.IsNull(15)) t.created_by_id = r.Int(15);
  t.cancel_requested = r.Int(16) != 0;
  t.recap_json = r.Str(17);
  t.executor = r.Str(18);
  if (r.Int(19) >= 0) t.duration_ms = r.Int(19) / 1000;
  return t;
}

Result<std::vector<Task>> Tasks(db::Connection& c, const std::string& where, const std::vector<Value>& params) {
  return All(c, TaskColumns() + where, params, TaskFromRow);
}

// A server's fields, of the table or alias t (ServerAt reads them).
std::string ServerFields(const std::string& t) {
  return t + ".id, " + t + ".name, " + t + ".hostname, " + t + ".status, DATE_FORMAT(" + t +
         ".created_at, '%Y-%m-%d %H:%i:%s'), COALESCE(DATE_FORMAT(" + t +
         ".verified_at, '%Y-%m-%d %H:%i:%s'), ''), " + t + ".config_root, " + t + ".ssh_user, " + t + ".ssh_port, " +
         "COALESCE(" + t + ".host_key, ''), " + t + ".executor_label";
}
constexpr size_t kServerFieldCount = 11;

const std::string kServerColumns = "SELECT " + ServerFields("servers") + " FROM servers ";

// The server whose fields start at column o.
Server ServerAt(const db::Row& r, size_t o) {
  return Server{r.Int(o),         r.Str(o + 1), r.Str(o + 2), r.Str(o + 3), r.Str(o + 4), r.Str(o + 5),
                r.Str(o + 6),     r.Str(o + 7), r.Int(o + 8), r.Str(o + 9), r.Str(o + 10)};
}
Server ServerFromRow(const db::Row& r) { return ServerAt(r, 0); }

Service ServiceFromRow(const db::Row& r) { return Service{r.Int(0), r.Int(1), r.Str(2), r.Str(3), r.Str(4)}; }

// The platforms' columns. Their live sites are counted only when asked:
// one range of sites_platform_live_domain per platform, read from the index
// alone, but still one entry per site (100,000 sites: about 20 ms);
// otherwise site_count is -1.
// A platform's fields (PlatformAt reads them), from platforms p,
// distributions d and its server as server_alias.
std::string PlatformFields(const std::string& server_alias, bool count_sites) {
  return "p.id, p.name, p.distribution_id, d.name, d.installer, p.server_id, " + server_alias +
         ".name, p.source, p.git_url, p.git_ref, p.source_path, p.status, COALESCE(p.deployed_commit, ''), "
         "DATE_FORMAT(p.created_at, '%Y-%m-%d %H:%i:%s'), "
         "COALESCE(DATE_FORMAT(p.verified_at, '%Y-%m-%d %H:%i:%s'), ''), " +
         (count_sites ? "(SELECT COUNT(*) FROM sites s WHERE s.platform_id = p.id AND s.live = 1)" : "-1");
}
constexpr size_t kPlatformFieldCount = 16;

std::string PlatformColumns(bool count_sites) {
  return "SELECT " + PlatformFields("sv", count_sites) +
         " FROM platforms p JOIN distributions d ON d.id = p.distribution_id JOIN servers sv ON sv.id = p.server_id ";
}

// The platform whose fields start at column o.
Platform PlatformAt(const db::Row& r, size_t o) {
  Platform p;
  p.id = r.Int(o);
  p.name = r.Str(o + 1);
  p.distribution_id = r.Int(o + 2);
  p.distribution_name = r.Str(o + 3);
  p.installer = r.Str(o + 4);
  p.server_id = r.Int(o + 5);
  p.server_name = r.Str(o + 6);
  p.source = r.Str(o + 7);
  p.git_url = r.Str(o + 8);
  p.git_ref = r.Str(o + 9);
  p.source_path = r.Str(o + 10);
  p.status = r.Str(o + 11);
  p.deployed_commit = r.Str(o + 12);
  p.created_at = r.Str(o + 13);
  p.verified_at = r.Str(o + 14);
  p.site_count = r.Int(o + 15);
  return p;
}
Platform PlatformFromRow(const db::Row& r) { return PlatformAt(r, 0); }

// The sites' columns, from `sites` (alias s) as the first table of `from`,
// joined with what they name; select_options go after SELECT.
std::string SiteColumns(const std::string& from = "sites s", const std::string& select_options = "") {
  return "SELECT " + select_options +
         "s.id, s.domain, s.platform_id, p.name, d.installer, p.server_id, web.name, s.db_server_id, dbs.name, "
         // created_at as it is: a DATETIME without fractions comes as
         // "YYYY-MM-DD hh:mm:ss", the text DATE_FORMAT made (in MariaDB,
         // about 10 us for a page of 51 sites).
         "s.db_name, s.client_id, c.name, s.profile, s.https, s.status, s.created_at FROM " +
         from +
         " JOIN platforms p ON p.id = s.platform_id JOIN distributions d ON d.id = p.distribution_id "
         "JOIN servers web ON web.id = p.server_id JOIN servers dbs ON dbs.id = s.db_server_id "
         "JOIN clients c ON c.id = s.client_id ";
}

// The site whose fields start at column o.
Site SiteAt(const db::Row& r, size_t o) {
  Site s;
  s.id = r.Int(o);
  s.domain = r.Str(o + 1);
  s.platform_id = r.Int(o + 2);
  s.platform_name = r.Str(o + 3);
  s.installer = r.Str(o + 4);
  s.server_id = r.Int(o + 5);
  s.server_name = r.Str(o + 6);
  s.db_server_id = r.Int(o + 7);
  s.db_server_name = r.Str(o + 8);
  s.db_name = r.Str(o + 9);
  s.client_id = r.Int(o + 10);
  s.client_name = r.Str(o + 11);
  s.profile = r.Str(o + 12);
  s.https = r.Str(o + 13);
  s.status = r.Str(o + 14);
  s.created_at = r.Str(o + 15);
  return s;
}
Site SiteFromRow(const db::Row& r) { return SiteAt(r, 0); }

Backup BackupFromRow(const db::Row& r) {
  return Backup{r.Int(0), r.Int(1), r.Str(2), r.Int(3), r.Str(4), r.Str(5)};
}

constexpr const char* kUserColumns =
    "SELECT u.id, u.name, u.is_admin, u.password_hash, u.active, DATE_FORMAT(u.created_at, '%Y-%m-%d %H:%i:%s'), "
    "u.password_token_hash IS NOT NULL AND u.password_token_expires_at > UTC_TIMESTAMP(), "
    "COALESCE((SELECT GROUP_CONCAT(c.name ORDER BY c.name SEPARATOR ', ') FROM user_clients uc "
    "JOIN clients c ON c.id = uc.client_id WHERE uc.user_id = u.id), '') FROM users u ";

User UserFromRow(const db::Row& r) {
  User u;
  u.id = r.Int(0);
  u.name = r.Str(1);
  u.is_admin = r.Int(2) != 0;
  u.password_hash = r.Str(3);
  u.active = r.Int(4) != 0;
  u.created_at = r.Str(5);
  u.password_link_pending = r.Int(6) != 0;
  u.client_names = r.Str(7);
  return u;
}

Result<std::vector<int64_t>> Ids(db::Connection& c, const std::string& sql, const std::vector<Value>& params,
                                 db::Reuse reuse = db::Reuse::kKeep) {
  auto rows = c.Query(sql, params, reuse);
  if (!rows.ok()) return rows.status();
  std::vector<int64_t> out;
  for (const auto& r : *rows) out.push_back(r.Int(0));
  return out;
}

// The scope's condition on a query's platforms (alias p), to append after
// WHERE ... AND; its one parameter is the user id. (Sites and tasks are
// narrowed to the scope's client_ids, client by client: see ByClient.)
constexpr const char* kPlatformInScope =
    " AND p.id IN (SELECT cp.platform_id FROM client_platforms cp JOIN user_clients uc ON uc.client_id = cp.client_id "
    "WHERE uc.user_id = ?)";

// "?, ?, ?" for n values.
std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

// A page of rows of several clients in one order: a range of the client's
// index read in order is cheap (the index ends in the order's column), but
// MariaDB cannot merge the ranges of several clients in order and would
// sort all their rows. So each client gets its own ordered, limited select,
// and their union is sorted (at most limit rows per client).
//   select: "SELECT ... WHERE ... AND <client column> = ?" (params: before the client id)
//   order:  the branch's ORDER BY (e.g. "s.domain DESC"); outer: the same on the result's column names
// Returns the SQL and fills all_params.
std::string ByClient(const std::string& select, const std::vector<Value>& params, const std::vector<int64_t>& clients,
                     const std::string& order, const std::string& outer_order, int limit,
                     std::vector<Value>& all_params) {
  all_params.clear();
  if (clients.size() == 1) {
    all_params = params;
    all_params.emplace_back(clients[0]);
    all_params.emplace_back(int64_t{limit});
    return select + " ORDER BY " + order + " LIMIT ?";
  }
  std::string sql;
  for (int64_t client : clients) {
    sql += sql.empty() ? "(" : " UNION ALL (";
    sql += select + " ORDER BY " + order + " LIMIT ?)";
    all_params.insert(all_params.end(), params.begin(), params.end());
    all_params.emplace_back(client);
    all_params.emplace_back(int64_t{limit});
  }
  all_params.emplace_back(int64_t{limit});
  return sql + " ORDER BY " + outer_order + " LIMIT ?";
}

// s as a LIKE pattern (escape character '!') that matches what starts with it.
std::string LikePrefix(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '!' || ch == '%' || ch == '_') out += '!';
    out += ch;
  }
  return out + "%";
}

// A page of `select` (columns FROM tables, no WHERE) in the order of
// name_col, keyset-paginated (NamePage); where: the conditions before the
// page's, with their params.
template <typename T>
Result<std::vector<T>> NamePageOf(db::Connection& c, const std::string& select, std::string where,
                                  std::vector<Value> params, const std::string& name_col, const NamePage& page,
                                  T (*from_row)(const db::Row&)) {
  if (!page.prefix.empty()) {
    where += " AND " + name_col + " LIKE ? ESCAPE '!'";
    params.emplace_back(LikePrefix(page.prefix));
  }
  const bool backwards = !page.before.empty();
  if (backwards) {
    where += " AND " + name_col + " < ?";
    params.emplace_back(page.before);
  } else if (!page.after.empty()) {
    where += " AND " + name_col + " > ?";
    params.emplace_back(page.after);
  }
  params.emplace_back(int64_t{page.limit});
  auto rows = All(c, select + "WHERE " + where + " ORDER BY " + name_col + (backwards ? " DESC" : "") + " LIMIT ?",
                  params, from_row);
  if (rows.ok() && backwards) std::reverse(rows->begin(), rows->end());
  return rows;
}

LogLine LogLineFromRow(const db::Row& r) { return LogLine{r.Int(0), r.Str(1)}; }

TaskAuth TaskAuthFromRow(const db::Row& r) {
  return TaskAuth{r.Int(0), r.Str(1), r.Str(2), r.Str(3), r.IsNull(4) ? -1 : r.Int(4)};
}

}  // namespace

Result<LoginFailures> CountLoginFailures(db::Connection& c, const std::string& name, const std::string& address,
                                         int minutes) {
  auto rows = c.Query(
      "SELECT (SELECT COUNT(*) FROM login_failures WHERE name = ? AND at > UTC_TIMESTAMP() - INTERVAL ? MINUTE), "
      "(SELECT COUNT(*) FROM login_failures WHERE remote_addr = ? AND at > UTC_TIMESTAMP() - INTERVAL ? MINUTE)",
      {Value(name), Value(int64_t{minutes}), Value(address), Value(int64_t{minutes})});
  if (!rows.ok()) return rows.status().WithContext("count failed logins");
  return LoginFailures{(*rows)[0].Int(0), (*rows)[0].Int(1)};
}

Status RecordLoginFailure(db::Connection& c, const std::string& name, const std::string& address) {
  auto r = c.Exec("INSERT INTO login_failures (name, remote_addr, at) VALUES (?, ?, UTC_TIMESTAMP())",
                  {Value(TruncateUtf8(name, 64)), Value(address.substr(0, 64))});
  return r.ok() ? Status::Ok() : r.status().WithContext("record a failed login");
}

Result<uint64_t> PurgeExpired(db::Connection& c, uint64_t batch) {
  uint64_t removed = 0;
  // Each statement reads its index range (sessions_expires, login_failures_at)
  // and removes at most `batch` rows, so no long lock is held on a table a
  // login is waiting for.
  for (const char* sql : {"DELETE FROM sessions WHERE expires_at < UTC_TIMESTAMP() LIMIT ?",
                          "DELETE FROM login_failures WHERE at < UTC_TIMESTAMP() - INTERVAL 1 DAY LIMIT ?"}) {
    while (true) {
      auto r = c.Exec(sql, {Value(static_cast<int64_t>(batch))});
      if (!r.ok()) return r.status().WithContext("remove expired sessions and failed logins");
      removed += *r;
      if (*r < batch) break;
    }
  }
  return removed;
}

Status ClearLoginFailures(db::Connection& c, const std::string& name) {
  auto r = c.Exec("DELETE FROM login_failures WHERE name = ? OR at < UTC_TIMESTAMP() - INTERVAL 1 DAY", {Value(name)});
  return r.ok() ? Status::Ok() : r.status().WithContext("clear failed logins");
}

Result<std::optional<User>> FindUserByName(db::Connection& c, const std::string& name) {
  return One(c, std::string(kUserColumns) + "WHERE u.name = ?", {Value(name)}, UserFromRow);
}

Result<std::vector<User>> ListUsers(db::Connection& c) {
  return All(c, std::string(kUserColumns) + "ORDER BY u.name", {}, UserFromRow);
}

Result<std::vector<User>> ListUsersPage(db::Connection& c, const NamePage& page, const std::string& role,
                                        const std::string& state) {
  std::string where = "1 = 1";
  if (role == "admin") where += " AND u.is_admin";
  if (role == "client") where += " AND NOT u.is_admin";
  if (state == "active") where += " AND u.active";
  if (state == "disabled") where += " AND NOT u.active";
  return NamePageOf(c, kUserColumns, where, {}, "u.name", page, UserFromRow);
}

Result<std::optional<User>> GetUser(db::Connection& c, int64_t id) {
  auto u = One(c, std::string(kUserColumns) + "WHERE u.id = ?", {Value(id)}, UserFromRow);
  if (!u.ok() || !*u) return u;
  auto clients = ClientIdsOfUser(c, id);
  if (!clients.ok()) return clients.status();
  (*u)->client_ids = *clients;
  return u;
}

Status UpdateUser(db::Connection& c, int64_t id, bool is_admin, bool active, const std::vector<int64_t>& client_ids) {
  db::Transaction tx(c);
  AEGIR_RETURN_IF_ERROR(tx.Begin());
  auto r = c.Exec("UPDATE users SET is_admin = ?, active = ? WHERE id = ?",
                  {Value(int64_t{is_admin ? 1 : 0}), Value(int64_t{active ? 1 : 0}), Value(id)});
  if (!r.ok()) return r.status().WithContext("update user");
  r = c.Exec("DELETE FROM user_clients WHERE user_id = ?", {Value(id)});
  if (!r.ok()) return r.status().WithContext("update user's clients");
  for (int64_t client : client_ids) {
    r = c.Exec("INSERT INTO user_clients (user_id, client_id) VALUES (?, ?)", {Value(id), Value(client)});
    if (!r.ok()) return r.status().WithContext("update user's clients");
  }
  if (!active) {
    r = c.Exec("DELETE FROM sessions WHERE user_id = ?", {Value(id)});
    if (!r.ok()) return r.status().WithContext("end a disabled user's sessions");
  }
  return tx.Commit();
}

Status SetPasswordToken(db::Connection& c, int64_t user_id, const std::string& token_hash, int ttl_s) {
  auto r = c.Exec(
      "UPDATE users SET password_token_hash = ?, password_token_expires_at = UTC_TIMESTAMP() + INTERVAL ? SECOND "
      "WHERE id = ?",
      {Value(token_hash), Value(int64_t{ttl_s}), Value(user_id)});
  return r.ok() ? Status::Ok() : r.status().WithContext("make a password link");
}

Result<std::optional<User>> FindUserByPasswordToken(db::Connection& c, const std::string& token_hash) {
  return One(c,
             std::string(kUserColumns) +
                 "WHERE u.password_token_hash = ? AND u.password_token_expires_at > UTC_TIMESTAMP() AND u.active",
             {Value(token_hash)}, UserFromRow);
}

Status SetPassword(db::Connection& c, int64_t user_id, const std::string& password_hash,
                   const std::string& keep_session) {
  db::Transaction tx(c);
  AEGIR_RETURN_IF_ERROR(tx.Begin());
  auto r = c.Exec(
      "UPDATE users SET password_hash = ?, password_token_hash = NULL, password_token_expires_at = NULL WHERE id = ?",
      {Value(password_hash), Value(user_id)});
  if (!r.ok()) return r.status().WithContext("set password");
  // Whoever knew the old password is logged out everywhere.
  r = c.Exec("DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?", {Value(user_id), Value(keep_session)});
  if (!r.ok()) return r.status().WithContext("end the user's other sessions");
  return tx.Commit();
}

Result<std::vector<int64_t>> ClientIdsOfUser(db::Connection& c, int64_t user_id) {
  return Ids(c, "SELECT client_id FROM user_clients WHERE user_id = ? ORDER BY client_id", {Value(user_id)});
}

Result<UserReach> ReachOfUser(db::Connection& c, int64_t user_id) {
  auto rows = c.Query(
      "SELECT 0, client_id FROM user_clients WHERE user_id = ? "
      "UNION SELECT 1, cp.platform_id FROM client_platforms cp JOIN user_clients uc ON uc.client_id = cp.client_id "
      "WHERE uc.user_id = ?",
      {Value(user_id), Value(user_id)});
  if (!rows.ok()) return rows.status();
  UserReach reach;
  for (const auto& r : *rows) (r.Int(0) == 0 ? reach.client_ids : reach.platform_ids).push_back(r.Int(1));
  return reach;
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
      "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) "
      "VALUES (?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL ? SECOND)",
      {Value(id_hash), Value(user_id), Value(csrf_token), Value(int64_t{ttl_s})});
  return r.ok() ? Status::Ok() : r.status().WithContext("create session");
}

Result<std::optional<Session>> FindSession(db::Connection& c, const std::string& id_hash, int idle_s) {
  auto rows = c.Query(
      "SELECT s.id_hash, s.user_id, COALESCE(u.name, ''), COALESCE(u.is_admin, 0), s.csrf_token, "
      "s.last_seen_at > UTC_TIMESTAMP() - INTERVAL 60 SECOND, COALESCE(s.flash, '') "
      "FROM sessions s LEFT JOIN users u ON u.id = s.user_id "
      "WHERE s.id_hash = ? AND s.expires_at > UTC_TIMESTAMP() AND s.last_seen_at > UTC_TIMESTAMP() - INTERVAL ? SECOND "
      "AND (s.user_id IS NULL OR u.active)",
      {Value(id_hash), Value(int64_t{idle_s})});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Session>();
  const auto& r = (*rows)[0];
  Session s;
  s.id_hash = r.Str(0);
  if (!r.IsNull(1)) s.user_id = r.Int(1);
  s.user_name = r.Str(2);
  s.is_admin = r.Int(3) != 0;
  s.csrf_token = r.Str(4);
  s.seen_lately = r.Int(5) != 0;
  s.flash = r.Str(6);
  return std::optional<Session>(s);
}

Status TakeFlash(db::Connection& c, const std::string& id_hash, const std::string& shown) {
  auto r = c.Exec("UPDATE sessions SET flash = NULL WHERE id_hash = ? AND flash = ?", {Value(id_hash), Value(shown)});
  return r.ok() ? Status::Ok() : r.status().WithContext("take the session's message");
}

Status SetFlash(db::Connection& c, const std::string& id_hash, const std::string& text) {
  auto r = c.Exec("UPDATE sessions SET flash = ? WHERE id_hash = ?", {Value(TruncateUtf8(text, 500)), Value(id_hash)});
  return r.ok() ? Status::Ok() : r.status().WithContext("set the session's message");
}

Status TouchSession(db::Connection& c, const std::string& id_hash) {
  auto r = c.Exec("UPDATE sessions SET last_seen_at = UTC_TIMESTAMP() WHERE id_hash = ?", {Value(id_hash)});
  return r.ok() ? Status::Ok() : r.status();
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

Result<std::vector<Server>> ListServersPage(db::Connection& c, const NamePage& page, const std::string& status) {
  std::vector<Value> params;
  std::string where = "1 = 1";
  if (!status.empty()) {
    where += " AND status = ?";
    params.emplace_back(status);
  }
  return NamePageOf(c, kServerColumns, where, params, "name", page, ServerFromRow);
}

Result<std::optional<Server>> GetServer(db::Connection& c, int64_t id) {
  return One(c, std::string(kServerColumns) + "WHERE id = ?", {Value(id)}, ServerFromRow);
}

Result<std::optional<Server>> GetServerByName(db::Connection& c, const std::string& name) {
  return One(c, std::string(kServerColumns) + "WHERE name = ?", {Value(name)}, ServerFromRow);
}

namespace {

Status InsertServices(db::Connection& c, int64_t server_id, const std::vector<Service>& services) {
  for (const auto& sv : services) {
    auto r = c.Exec("INSERT INTO services (server_id, type, kind, settings) VALUES (?, ?, ?, ?)",
                    {Value(server_id), Value(sv.type), Value(sv.kind), Value(sv.settings_json)});
    if (!r.ok()) return r.status().WithContext("store the " + sv.type + " service");
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> CreateServer(db::Connection& c, const Server& server, const std::vector<Service>& services) {
  db::Transaction tx(c);
  AEGIR_RETURN_IF_ERROR(tx.Begin());
  auto r = c.Exec(
      "INSERT INTO servers (name, hostname, config_root, ssh_user, ssh_port, executor_label) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {Value(server.name), Value(server.hostname), Value(server.config_root), Value(server.ssh_user),
       Value(server.ssh_port), Value(server.executor_label)});
  if (!r.ok()) return r.status().WithContext("add server " + server.name);
  auto id = static_cast<int64_t>(c.LastInsertId());
  AEGIR_RETURN_IF_ERROR(InsertServices(c, id, services));
  AEGIR_RETURN_IF_ERROR(tx.Commit());
  return id;
}

Status UpdateServer(db::Connection& c, const Server& server, const std::vector<Service>& services) {
  db::Transaction tx(c);
  AEGIR_RETURN_IF_ERROR(tx.Begin());
  auto r = c.Exec(
      "UPDATE servers SET hostname = ?, config_root = ?, ssh_user = ?, ssh_port = ?, executor_label = ? WHERE id = ?",
      {Value(server.hostname), Value(server.config_root), Value(server.ssh_user), Value(server.ssh_port),
       Value(server.executor_label), Value(server.id)});
  if (!r.ok()) return r.status().WithContext("update server " + server.name);
  auto d = c.Exec("DELETE FROM services WHERE server_id = ?", {Value(server.id)});
  if (!d.ok()) return d.status();
  AEGIR_RETURN_IF_ERROR(InsertServices(c, server.id, services));
  return tx.Commit();
}

Result<std::vector<Service>> ListServices(db::Connection& c, int64_t server_id) {
  return All(c, "SELECT id, server_id, type, kind, settings FROM services WHERE server_id = ? ORDER BY type",
             {Value(server_id)}, ServiceFromRow);
}

Status ForgetHostKey(db::Connection& c, int64_t server_id) {
  auto r = c.Exec("UPDATE servers SET host_key = NULL WHERE id = ?", {Value(server_id)});
  return r.ok() ? Status::Ok() : r.status().WithContext("forget the host key of server " + std::to_string(server_id));
}

Result<std::vector<Service>> ListServicesOfType(db::Connection& c, const std::string& type) {
  return All(c, "SELECT id, server_id, type, kind, settings FROM services WHERE type = ? ORDER BY server_id",
             {Value(type)}, ServiceFromRow);
}

Result<std::vector<Distribution>> ListDistributions(db::Connection& c) {
  return All(c, "SELECT id, name, installer FROM distributions ORDER BY name", {},
             +[](const db::Row& r) { return Distribution{r.Int(0), r.Str(1), r.Str(2)}; });
}

Client ClientFromRow(const db::Row& r) { return Client{r.Int(0), r.Str(1)}; }

Result<std::vector<Client>> ListClients(db::Connection& c, const Scope& scope) {
  if (scope.all()) return All(c, "SELECT id, name FROM clients ORDER BY name", {}, ClientFromRow);
  return All(c,
             "SELECT c.id, c.name FROM clients c JOIN user_clients uc ON uc.client_id = c.id WHERE uc.user_id = ? "
             "ORDER BY c.name",
             {Value(*scope.user_id)}, ClientFromRow);
}

Result<std::vector<Client>> ListClientsPage(db::Connection& c, const NamePage& page) {
  return NamePageOf(c, "SELECT id, name FROM clients ", "1 = 1", {}, "name", page, ClientFromRow);
}

Result<std::optional<Client>> GetClient(db::Connection& c, int64_t id) {
  return One(c, "SELECT id, name FROM clients WHERE id = ?", {Value(id)}, ClientFromRow);
}

Result<std::vector<int64_t>> ListClientPlatforms(db::Connection& c, int64_t client_id) {
  return Ids(c, "SELECT platform_id FROM client_platforms WHERE client_id = ? ORDER BY platform_id",
             {Value(client_id)});
}

Status SetClientPlatforms(db::Connection& c, int64_t client_id, const std::vector<int64_t>& platform_ids) {
  db::Transaction tx(c);
  AEGIR_RETURN_IF_ERROR(tx.Begin());
  auto r = c.Exec("DELETE FROM client_platforms WHERE client_id = ?", {Value(client_id)});
  if (!r.ok()) return r.status().WithContext("set the client's platforms");
  for (int64_t p : platform_ids) {
    r = c.Exec("INSERT INTO client_platforms (client_id, platform_id) VALUES (?, ?)", {Value(client_id), Value(p)});
    if (!r.ok()) return r.status().WithContext("set the client's platforms");
  }
  return tx.Commit();
}

Result<std::vector<User>> ListClientUsers(db::Connection& c, int64_t client_id) {
  return All(c,
             std::string(kUserColumns) +
                 "WHERE u.id IN (SELECT user_id FROM user_clients WHERE client_id = ?) ORDER BY u.name",
             {Value(client_id)}, UserFromRow);
}

Result<int64_t> CreateClient(db::Connection& c, const std::string& name) {
  auto r = c.Exec("INSERT INTO clients (name) VALUES (?)", {Value(name)});
  if (!r.ok()) return r.status().WithContext("add client " + name);
  return static_cast<int64_t>(c.LastInsertId());
}

Result<std::vector<Platform>> ListPlatforms(db::Connection& c, const Scope& scope, bool count_sites) {
  if (scope.all()) {
    return All(c, PlatformColumns(count_sites) + "WHERE p.status <> 'deleted' ORDER BY p.name", {}, PlatformFromRow);
  }
  return All(c, PlatformColumns(count_sites) + "WHERE p.status <> 'deleted'" + kPlatformInScope + " ORDER BY p.name",
             {Value(*scope.user_id)}, PlatformFromRow);
}

Result<std::vector<Platform>> ListPlatformsPage(db::Connection& c, const NamePage& page, const std::string& status) {
  std::vector<Value> params;
  std::string where = "p.status <> 'deleted'";
  if (!status.empty()) {
    where += " AND p.status = ?";
    params.emplace_back(status);
  }
  return NamePageOf(c, PlatformColumns(true), where, params, "p.name", page, PlatformFromRow);
}

Result<std::vector<Platform>> ListPlatformsOnServer(db::Connection& c, int64_t server_id) {
  return All(c, PlatformColumns(false) + "WHERE p.server_id = ? AND p.status <> 'deleted' ORDER BY p.name",
             {Value(server_id)}, PlatformFromRow);
}

Result<std::optional<Platform>> GetPlatform(db::Connection& c, int64_t id) {
  return One(c, PlatformColumns(true) + "WHERE p.id = ?", {Value(id)}, PlatformFromRow);
}

Result<std::optional<Platform>> GetPlatformUncounted(db::Connection& c, int64_t id) {
  return One(c, PlatformColumns(false) + "WHERE p.id = ?", {Value(id)}, PlatformFromRow);
}

Result<std::optional<Platform>> GetPlatformByName(db::Connection& c, const std::string& name) {
  return One(c, PlatformColumns(true) + "WHERE p.name = ? AND p.status <> 'deleted'", {Value(name)}, PlatformFromRow);
}

Result<int64_t> CreatePlatform(db::Connection& c, const NewPlatform& p) {
  auto r = c.Exec(
      "INSERT INTO platforms (name, distribution_id, server_id, source, git_url, git_ref, source_path) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {Value(p.name), Value(p.distribution_id), Value(p.server_id), Value(p.source), Value(p.git_url),
       Value(p.git_ref), Value(p.source_path)});
  if (!r.ok()) return r.status().WithContext("add platform " + p.name);
  return static_cast<int64_t>(c.LastInsertId());
}

Result<std::vector<Site>> ListSites(db::Connection& c, const SiteFilter& filter, const std::string& after,
                                    const std::string& before, int limit, const Scope& scope) {
  // The clients whose sites may show; nullopt: any.
  std::optional<std::vector<int64_t>> clients;
  if (!scope.all()) clients = scope.client_ids;
  if (filter.client_id) {
    if (!clients) {
      clients = std::vector<int64_t>{*filter.client_id};
    } else {
      bool theirs = std::find(clients->begin(), clients->end(), *filter.client_id) != clients->end();
      clients = theirs ? std::vector<int64_t>{*filter.client_id} : std::vector<int64_t>{};
    }
  }
  if (clients && clients->empty()) return std::vector<Site>();
  // live = 1 rather than status <> 'deleted' (the same rows): live is in
  // every index of the list, before the domain, so that each gives one
  // range in domain order.
  std::string where = "WHERE s.live = 1";
  std::vector<Value> params;
  if (!filter.status.empty()) {
    where += " AND s.status = ?";
    params.emplace_back(filter.status);
  }
  if (filter.platform_id) {
    where += " AND s.platform_id = ?";
    params.emplace_back(*filter.platform_id);
  }
  if (!filter.prefix.empty()) {
    // A prefix is a range of the index in domain order (a substring would not be).
    where += " AND s.domain LIKE ? ESCAPE '!'";
    params.emplace_back(LikePrefix(filter.prefix));
  }
  const bool backwards = !before.empty();
  if (backwards) {
    where += " AND s.domain < ?";
    params.emplace_back(before);
  } else if (!after.empty()) {
    where += " AND s.domain > ?";
    params.emplace_back(after);
  }
  const std::string direction = backwards ? " DESC" : "";
  // Two statements. First the page's site ids, from the sites table alone:
  // the range of the filter's index read in domain order up to `limit`,
  // from the index alone. (With the joins in the same statement, MariaDB
  // read the filter's index by `ref` and skipped every entry before the
  // page's key one by one: 44,456 index entries for ?platform=&after= at
  // 100,000 sites, instead of 52.) It is prepared afresh each time
  // (db::Reuse): executed again, MariaDB planned it that same way.
  std::string page;
  std::vector<Value> page_params;
  if (!clients) {
    page = "SELECT s.id, s.domain FROM sites s " + where + " ORDER BY s.domain" + direction + " LIMIT ?";
    page_params = params;
    page_params.emplace_back(int64_t{limit});
  } else {
    page = ByClient("SELECT s.id, s.domain FROM sites s " + where + " AND s.client_id = ?", params, *clients,
                    "s.domain" + direction, "domain" + direction, limit, page_params);
  }
  auto ids = Ids(c, page, page_params, db::Reuse::kPrepareEachTime);
  if (!ids.ok()) return ids.status();
  if (ids->empty()) return std::vector<Site>();
  if (backwards) std::reverse(ids->begin(), ids->end());
  // Then those sites with their platform, servers and client, by primary
  // key: a statement kept for reuse (one round trip; no derived table, which
  // is never kept). The list of ids always has `limit` places (the last id
  // repeated), so that every page has the same statement; the rows are put in the
  // page's order here (no sort in MariaDB). A site deleted between the two
  // reads is left out (live = 1); one changed meanwhile shows as it is now.
  // join_cache_level = 0 for this statement: a join buffer for the one-row
  // tables costs more than it saves for 50 rows.
  std::vector<Value> id_params(ids->begin(), ids->end());
  id_params.resize(std::max<size_t>(static_cast<size_t>(limit), ids->size()), Value(ids->back()));
  auto rows = All(c,
                  "SET STATEMENT join_cache_level = 0 FOR " + SiteColumns("sites s", "STRAIGHT_JOIN ") +
                      "WHERE s.id IN (" + Placeholders(id_params.size()) + ") AND s.live = 1",
                  id_params, SiteFromRow);
  if (!rows.ok()) return rows.status();
  std::vector<Site> sites;
  sites.reserve(ids->size());
  for (int64_t id : *ids) {
    auto it = std::find_if(rows->begin(), rows->end(), [&](const Site& s) { return s.id == id; });
    if (it != rows->end()) sites.push_back(std::move(*it));
  }
  return sites;
}

Result<int64_t> CountClientSites(db::Connection& c, int64_t client_id) {
  auto rows = c.Query("SELECT COUNT(*) FROM sites WHERE client_id = ? AND live = 1", {Value(client_id)});
  if (!rows.ok()) return rows.status();
  return rows->empty() ? 0 : (*rows)[0].Int(0);
}

Result<std::optional<Site>> GetSite(db::Connection& c, int64_t id) {
  return One(c, SiteColumns() + "WHERE s.id = ?", {Value(id)}, SiteFromRow);
}

Result<std::optional<Site>> GetSiteByDomain(db::Connection& c, const std::string& domain) {
  return One(c, SiteColumns() + "WHERE s.domain = ? AND s.status <> 'deleted'", {Value(domain)}, SiteFromRow);
}

namespace {

// A site's home, its platform's and its server's fields first (SiteColumns
// joins both, as p and web), then the aliases, then one service, then the
// site's. The aliases come as one text of "<redirect><alias>" words in alias
// order (aliases are domain names: no spaces). The services of the site's
// two servers come as rows: one row per service (the site's fields repeated;
// one row with NULLs when there is none), in no order (sorted here as
// ListServices orders them).
//
// Not as one GROUP_CONCAT of the services either (as it was): with their
// settings (a JSON text) in it, MariaDB makes an on-disk (Aria) temporary
// table for the aggregate every time, which cost more than a round trip
// (about 0.5 ms against 0.25 ms for the whole statement without it).
// An ORDER BY over the joined rows did the same.
constexpr size_t kServiceFieldCount = 5;

// Several sites read together leave the services out (NULLs): they are
// those of few servers, read once for all (the scheduler's turn), where a
// copy with each site costs MariaDB about 20 us a row.
std::string SiteHomeSql(const std::string& where, bool with_services) {
  return SiteColumns("sites s",
                     PlatformFields("web", false) + ", " + ServerFields("web") +
                         ", (SELECT GROUP_CONCAT(a.redirect, a.alias ORDER BY a.alias SEPARATOR ' ') "
                         "FROM site_aliases a WHERE a.site_id = s.id), " +
                         (with_services ? "v.id, v.server_id, v.type, v.kind, v.settings, "
                                        : "NULL, NULL, NULL, NULL, NULL, ")) +
         (with_services ? "LEFT JOIN services v ON v.server_id IN (web.id, s.db_server_id) " : "") + where;
}

constexpr size_t kAliasesColumn = kPlatformFieldCount + kServerFieldCount;
constexpr size_t kServiceColumn = kAliasesColumn + 1;

SiteHome SiteHomeAt(const db::Row& r) {
  SiteHome home{SiteAt(r, kServiceColumn + kServiceFieldCount), PlatformAt(r, 0), ServerAt(r, kPlatformFieldCount),
                {}, {}, false};
  std::istringstream words(r.IsNull(kAliasesColumn) ? std::string() : r.Str(kAliasesColumn));
  for (std::string w; words >> w;) {
    if (w.size() > 1) home.aliases.push_back(Alias{w.substr(1), w[0] == '1'});
  }
  return home;
}

}  // namespace

Result<std::optional<SiteHome>> GetSiteHome(db::Connection& c, int64_t id, const std::string& domain) {
  auto rows = c.Query(SiteHomeSql(id > 0 ? "WHERE s.id = ?" : "WHERE s.domain = ? AND s.status <> 'deleted'", true),
                      {id > 0 ? Value(id) : Value(domain)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<SiteHome>();
  SiteHome home = SiteHomeAt(rows->front());
  home.services_read = true;
  for (const auto& r : *rows) {
    if (r.IsNull(kServiceColumn)) continue;  // the servers have none
    const size_t o = kServiceColumn;
    home.services.push_back(Service{r.Int(o), r.Int(o + 1), r.Str(o + 2), r.Str(o + 3), r.Str(o + 4)});
  }
  // As ListServices gives them: by server, then in the type's ENUM order
  // (http, db).
  auto rank = [](const Service& s) { return std::pair(s.server_id, s.type == "http" ? 0 : 1); };
  std::sort(home.services.begin(), home.services.end(),
            [&](const Service& a, const Service& b) { return rank(a) < rank(b); });
  return std::optional<SiteHome>(std::move(home));
}

Result<std::vector<SiteHome>> GetSiteHomes(db::Connection& c, const std::vector<int64_t>& ids,
                                           const std::vector<std::string>& domains) {
  std::vector<SiteHome> out;
  // One statement for the ids and one for the domains: each a range of its
  // own index (an OR of the two could read the whole table).
  for (bool by_id : {true, false}) {
    std::vector<Value> params;
    std::string in;
    if (by_id) {
      for (int64_t id : ids) params.emplace_back(id);
    } else {
      for (const auto& d : domains) params.emplace_back(d);
    }
    if (params.empty()) continue;
    for (size_t i = 0; i < params.size(); ++i) in += i == 0 ? "?" : ", ?";
    auto rows = c.Query(SiteHomeSql(by_id ? "WHERE s.id IN (" + in + ")"
                                          : "WHERE s.domain IN (" + in + ") AND s.status <> 'deleted'",
                                    false),
                        params);
    if (!rows.ok()) return rows.status().WithContext("read sites");
    for (const auto& r : *rows) out.push_back(SiteHomeAt(r));
  }
  return out;
}

std::string DbNameFor(const std::string& domain, int64_t site_id) {
  std::string base;
  for (char ch : domain) {
    if (base.size() >= 24) break;
    bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    base += alnum ? ch : '_';
  }
  return base + "_" + std::to_string(site_id);
}

namespace {

Status InsertAliases(db::Connection& c, int64_t site_id, const std::vector<Alias>& aliases) {
  for (const auto& a : aliases) {
    auto r = c.Exec("INSERT INTO site_aliases (site_id, alias, redirect) VALUES (?, ?, ?)",
                    {Value(site_id), Value(a.alias), Value(int64_t{a.redirect ? 1 : 0})});
    if (!r.ok()) return r.status().WithContext("store alias " + a.alias);
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> CreateSite(db::Connection& c, const NewSite& site) {
  db::Transaction tx(c);
  AEGIR_RETURN_IF_ERROR(tx.Begin());
  auto r = c.Exec(
      "INSERT INTO sites (domain, platform_id, db_server_id, client_id, profile, https) VALUES (?, ?, ?, ?, ?, ?)",
      {Value(site.domain), Value(site.platform_id), Value(site.db_server_id), Value(site.client_id),
       Value(site.profile), Value(site.https)});
  if (!r.ok()) return r.status().WithContext("add site " + site.domain);
  auto id = static_cast<int64_t>(c.LastInsertId());
  auto n = c.Exec("UPDATE sites SET db_name = ? WHERE id = ?", {Value(DbNameFor(site.domain, id)), Value(id)});
  if (!n.ok()) return n.status();
  AEGIR_RETURN_IF_ERROR(InsertAliases(c, id, site.aliases));
  AEGIR_RETURN_IF_ERROR(tx.Commit());
  return id;
}

Status UpdateSite(db::Connection& c, int64_t id, const std::string& https, int64_t client_id,
                  const std::vector<Alias>& aliases) {
  db::Transaction tx(c);
  AEGIR_RETURN_IF_ERROR(tx.Begin());
  auto r = c.Exec("UPDATE sites SET https = ?, client_id = ? WHERE id = ?",
                  {Value(https), Value(client_id), Value(id)});
  if (!r.ok()) return r.status().WithContext("update site " + std::to_string(id));
  // Its tasks go with it (a client user sees the tasks on their clients' sites).
  r = c.Exec("UPDATE tasks SET client_id = ? WHERE entity_type = 'site' AND entity_id = ? AND NOT (client_id <=> ?)",
             {Value(client_id), Value(id), Value(client_id)});
  if (!r.ok()) return r.status().WithContext("move the tasks of site " + std::to_string(id));
  auto d = c.Exec("DELETE FROM site_aliases WHERE site_id = ?", {Value(id)});
  if (!d.ok()) return d.status();
  AEGIR_RETURN_IF_ERROR(InsertAliases(c, id, aliases));
  return tx.Commit();
}

Result<std::vector<Alias>> ListAliases(db::Connection& c, int64_t site_id) {
  return All(c, "SELECT alias, redirect FROM site_aliases WHERE site_id = ? ORDER BY alias", {Value(site_id)},
             +[](const db::Row& r) { return Alias{r.Str(0), r.Int(1) != 0}; });
}

Result<std::optional<std::string>> DomainInUse(db::Connection& c, const std::string& domain, int64_t except_site) {
  auto rows = c.Query(
      "SELECT s.domain FROM sites s WHERE s.domain = ? AND s.status <> 'deleted' AND s.id <> ? "
      "UNION ALL SELECT s.domain FROM site_aliases a JOIN sites s ON s.id = a.site_id "
      "WHERE a.alias = ? AND s.status <> 'deleted' AND s.id <> ? LIMIT 1",
      {Value(domain), Value(except_site), Value(domain), Value(except_site)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>((*rows)[0].Str(0));
}

Status SetSiteStatus(db::Connection& c, int64_t id, const std::string& status) {
  auto r = c.Exec("UPDATE sites SET status = ? WHERE id = ?", {Value(status), Value(id)});
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::vector<Backup>> ListBackups(db::Connection& c, int64_t site_id) {
  return All(c,
             "SELECT id, site_id, path, size, description, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s') "
             "FROM backups WHERE site_id = ? ORDER BY id DESC",
             {Value(site_id)}, BackupFromRow);
}

Result<int64_t> CreateTask(db::Connection& c, const NewTask& t) {
  auto ids = CreateTasks(c, {&t});
  if (!ids.ok()) return ids.status();
  return ids->front();
}

Result<std::vector<int64_t>> CreateTasks(db::Connection& c, const std::vector<const NewTask*>& tasks) {
  if (tasks.empty()) return std::vector<int64_t>();
  // A site's task carries the site's client (what a client user's lists use).
  // The claim's columns are written only when a row is claimed (they cost
  // MariaDB a little on every row).
  const bool claims = std::any_of(tasks.begin(), tasks.end(), [](const NewTask* t) { return t->claim.has_value(); });
  std::string sql =
      "INSERT INTO tasks (operation, entity_type, entity_id, client_id, vars, locks, success_status, failure_status, "
      "created_by, job, results";
  sql += claims ? ", state, executor, attempts, feedback_token_hash, started_at) VALUES " : ") VALUES ";
  std::vector<Value> params;
  params.reserve(tasks.size() * 16);
  for (const NewTask* t : tasks) {
    sql += params.empty() ? "" : ", ";
    sql += "(?, ?, ?, (SELECT s.client_id FROM sites s WHERE ? = 'site' AND s.id = ?), ?, ?, ?, ?, ?, ?, ?";
    sql += claims ? ", ?, ?, ?, ?, IF(? = 'running', UTC_TIMESTAMP(3), NULL))" : ")";
    for (Value v : {Value(t->operation), Value(t->entity_type), Value(t->entity_id), Value(t->entity_type),
                    Value(t->entity_id), Value(t->vars_json), Value(tasks::JoinLocks(t->locks)),
                    Value(t->success_status), Value(t->failure_status), Value(t->created_by), Value(t->job_json),
                    Value(t->results_json)}) {
      params.push_back(std::move(v));
    }
    if (!claims) continue;
    const char* state = t->claim ? "running" : "queued";
    for (Value v : {Value(state), t->claim ? Value(TruncateUtf8(t->claim->executor, 255)) : Value(),
                    Value(int64_t{t->claim ? 1 : 0}), Value(t->claim ? t->claim->token_hash : std::string()),
                    Value(state)}) {
      params.push_back(std::move(v));
    }
  }
  // The ids in the order of the rows (RETURNING gives them so).
  auto rows = c.Query(sql + " RETURNING id", params);
  if (!rows.ok()) return rows.status().WithContext("queue task " + tasks.front()->operation);
  if (rows->size() != tasks.size()) return Status::Internal("queue tasks: not every row came back");
  std::vector<int64_t> ids;
  ids.reserve(rows->size());
  for (const auto& r : *rows) ids.push_back(r.Int(0));
  return ids;
}

Status SetTaskRecap(db::Connection& c, int64_t id, const std::string& recap_json) {
  auto r = c.Exec("UPDATE tasks SET recap = ? WHERE id = ?", {Value(recap_json), Value(id)});
  return r.ok() ? Status::Ok() : r.status().WithContext("store the recap of task " + std::to_string(id));
}

Result<std::optional<Task>> GetTask(db::Connection& c, int64_t id) {
  return One(c, TaskColumns() + "WHERE t.id = ?", {Value(id)}, TaskFromRow);
}

Result<std::optional<TaskAuth>> GetTaskAuth(db::Connection& c, int64_t id) {
  return One(c,
             "SELECT id, operation, state, feedback_token_hash, TIMESTAMPDIFF(SECOND, finished_at, UTC_TIMESTAMP()) "
             "FROM tasks WHERE id = ?",
             {Value(id)},
             TaskAuthFromRow);
}

namespace {

// A page of rows by id (tasks, audit entries): below `before` (0: from the
// newest), read newest first; or, when after > 0, the nearest above
// `after`, read oldest first. Each list is shown newest first whichever way
// it was read.
struct IdRange {
  int64_t before = 0, after = 0;
  bool up() const { return after > 0; }
  std::string cmp(const std::string& column = "t.id") const { return column + (up() ? " > ?" : " < ?"); }
  std::string order(const std::string& column) const { return column + (up() ? " ASC" : " DESC"); }
  Value bound() const { return Value(up() ? after : before > 0 ? before : INT64_MAX); }
};

template <typename T>
Result<std::vector<T>> NewestFirst(Result<std::vector<T>> rows) {
  if (rows.ok()) std::sort(rows->begin(), rows->end(), [](const T& a, const T& b) { return a.id > b.id; });
  return rows;
}

}  // namespace

Result<std::vector<Task>> ListTasks(db::Connection& c, int64_t before, int limit, const Scope& scope, int64_t after) {
  const IdRange range{before, after};
  std::vector<Value> params{range.bound()};
  if (scope.all()) {
    params.push_back(Value(int64_t{limit}));
    return NewestFirst(Tasks(c, "WHERE " + range.cmp() + " ORDER BY " + range.order("t.id") + " LIMIT ?", params));
  }
  // A client user's: the tasks on their clients' sites, client by client
  // (tasks_client: a client's tasks in id order). The page's ids come from
  // the tasks table alone: joined, MariaDB reads the client's index from its
  // newest task down to `before` instead of starting at `before`.
  if (scope.client_ids.empty()) return std::vector<Task>();
  std::vector<Value> all_params;
  std::string page = ByClient("SELECT t.id FROM tasks t WHERE " + range.cmp() + " AND t.client_id = ?", params,
                              scope.client_ids, range.order("t.id"), range.order("id"), limit, all_params);
  return All(c, TaskColumns("(" + page + ") pg JOIN tasks t ON t.id = pg.id") + "ORDER BY t.id DESC", all_params,
             TaskFromRow);
}

Result<std::vector<Task>> ListTasks(db::Connection& c, const TaskFilter& filter, int64_t before, int limit,
                                    const Scope& scope, int64_t after) {
  if (filter.empty()) return ListTasks(c, before, limit, scope, after);
  const IdRange range{before, after};
  if (!scope.all() && scope.client_ids.empty()) return std::vector<Task>();
  if (filter.entity_id) {
    // One entity's tasks: tasks_entity (entity_type, entity_id, id) read
    // from the page's key; the state and the operation are checked on
    // each entry, so a page reads at most that entity's history.
    std::string where = "WHERE t.entity_type = ? AND t.entity_id = ? AND " + range.cmp();
    std::vector<Value> params{Value(filter.entity_type), Value(*filter.entity_id), range.bound()};
    if (!filter.state.empty()) {
      where += " AND t.state = ?";
      params.emplace_back(filter.state);
    }
    if (!filter.operation.empty()) {
      where += " AND t.operation = ?";
      params.emplace_back(filter.operation);
    }
    if (!scope.all()) {
      where += " AND t.client_id IN (" + Placeholders(scope.client_ids.size()) + ")";
      for (int64_t id : scope.client_ids) params.emplace_back(id);
    }
    params.emplace_back(int64_t{limit});
    return NewestFirst(Tasks(c, where + " ORDER BY " + range.order("t.id") + " LIMIT ?", params));
  }
  // Otherwise the page's ids come from index ranges read in id order, each
  // with equality on the index's leading columns: [client_id,] [operation,]
  // state (tasks_state, tasks_client_state, tasks_operation_state,
  // tasks_client_operation_state). MariaDB cannot merge several such ranges
  // in order, so each client, and each state of an operation asked for
  // without one, gets its own limited select; their union (at most `limit`
  // rows each) is sorted.
  std::vector<std::optional<int64_t>> clients;
  if (scope.all()) {
    clients.emplace_back();
  } else {
    clients.assign(scope.client_ids.begin(), scope.client_ids.end());
  }
  std::vector<std::string> states;
  if (!filter.state.empty()) {
    states = {filter.state};
  } else if (!filter.operation.empty()) {
    states = kTaskStates;
  } else {
    states = {""};
  }
  std::vector<std::string> branches;
  std::vector<Value> params;
  for (const auto& client : clients) {
    for (const auto& state : states) {
      std::string sql = "SELECT t.id FROM tasks t WHERE ";
      if (client) {
        sql += "t.client_id = ? AND ";
        params.emplace_back(*client);
      }
      if (!filter.operation.empty()) {
        sql += "t.operation = ? AND ";
        params.emplace_back(filter.operation);
      }
      if (!state.empty()) {
        sql += "t.state = ? AND ";
        params.emplace_back(state);
      }
      sql += range.cmp() + " ORDER BY " + range.order("t.id") + " LIMIT ?";
      params.push_back(range.bound());
      params.emplace_back(int64_t{limit});
      branches.push_back(std::move(sql));
    }
  }
  std::string page;
  if (branches.size() == 1) {
    page = branches[0];
  } else {
    for (const auto& b : branches) page += (page.empty() ? "(" : " UNION ALL (") + b + ")";
    page += " ORDER BY " + range.order("id") + " LIMIT ?";
    params.emplace_back(int64_t{limit});
  }
  return All(c, TaskColumns("(" + page + ") pg JOIN tasks t ON t.id = pg.id") + "ORDER BY t.id DESC", params,
             TaskFromRow);
}

Result<std::vector<Task>> ListTasksFor(db::Connection& c, const std::string& entity_type, int64_t entity_id,
                                       int limit) {
  return Tasks(c, "WHERE t.entity_type = ? AND t.entity_id = ? ORDER BY t.id DESC LIMIT ?",
               {Value(entity_type), Value(entity_id), Value(int64_t{limit})});
}

Result<int64_t> LastLogSeq(db::Connection& c, int64_t task_id) {
  auto rows = c.Query("SELECT COALESCE(MAX(seq), 0) FROM task_log WHERE task_id = ?", {Value(task_id)});
  if (!rows.ok()) return rows.status();
  return rows->empty() ? 0 : (*rows)[0].Int(0);
}

Result<std::vector<LogLine>> GetLog(db::Connection& c, int64_t task_id, int64_t after, int limit) {
  return All(c, "SELECT seq, line FROM task_log WHERE task_id = ? AND seq > ? ORDER BY seq LIMIT ?",
             {Value(task_id), Value(after), Value(int64_t{limit})}, LogLineFromRow);
}

Result<Counts> GetCounts(db::Connection& c, const Scope& scope) {
  if (!scope.all()) {
    // A client user: their sites, the platforms they may use, the tasks on
    // their sites; each an index range count (sites_client_live_domain,
    // tasks_client_state).
    if (scope.client_ids.empty()) return Counts{};
    const std::string in = "client_id IN (" + Placeholders(scope.client_ids.size()) + ")";
    const std::string tasks_in = "SELECT COUNT(*) FROM tasks WHERE " + in + " AND state = ";
    std::vector<Value> params{Value(*scope.user_id)};
    for (int i = 0; i < 4; ++i) {
      for (int64_t id : scope.client_ids) params.emplace_back(id);
    }
    auto rows =
        c.Query("SELECT 0, (SELECT COUNT(*) FROM platforms p WHERE p.status <> 'deleted'" +
                    std::string(kPlatformInScope) + "), (SELECT COUNT(*) FROM sites WHERE " + in + " AND live = 1), (" +
                    tasks_in + "'queued'), (" + tasks_in + "'running'), (" + tasks_in + "'failed')",
                params);
    if (!rows.ok()) return rows.status();
    const auto& r = (*rows)[0];
    return Counts{r.Int(0), r.Int(1), r.Int(2), r.Int(3), r.Int(4), r.Int(5)};
  }
  // Index range counts: the live sites (sites_status_live_domain), tasks by state (tasks_state).
  auto rows = c.Query(
      "SELECT (SELECT COUNT(*) FROM servers), "
      "(SELECT COUNT(*) FROM platforms WHERE status <> 'deleted'), "
      "(SELECT COUNT(*) FROM sites WHERE status <> 'deleted'), "
      "(SELECT COUNT(*) FROM tasks WHERE state = 'queued'), "
      "(SELECT COUNT(*) FROM tasks WHERE state = 'running'), "
      "(SELECT COUNT(*) FROM tasks WHERE state = 'failed')");
  if (!rows.ok()) return rows.status();
  const auto& r = (*rows)[0];
  return Counts{r.Int(0), r.Int(1), r.Int(2), r.Int(3), r.Int(4), r.Int(5)};
}

Result<Counts> GetActiveCounts(db::Connection& c) {
  auto rows = c.Query(
      "SELECT (SELECT COUNT(*) FROM tasks WHERE state = 'queued'), "
      "(SELECT COUNT(*) FROM tasks WHERE state = 'running')");
  if (!rows.ok()) return rows.status();
  Counts counts;
  counts.queued = (*rows)[0].Int(0);
  counts.running = (*rows)[0].Int(1);
  return counts;
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
  // One transaction for the post: one flush to disk, and all or nothing.
  constexpr size_t kChunk = 500;
  db::Transaction tx(c);
  AEGIR_RETURN_IF_ERROR(tx.Begin());
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
  return tx.Commit();
}

Status MergeTaskResults(db::Connection& c, int64_t task_id, const nlohmann::json& values) {
  auto r = c.Exec("UPDATE tasks SET results = JSON_MERGE_PATCH(COALESCE(results, '{}'), ?) WHERE id = ?",
                  {Value(values.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)), Value(task_id)});
  return r.ok() ? Status::Ok() : r.status().WithContext("store the results of task " + std::to_string(task_id));
}

Status ApplyFeedback(db::Connection& c, int64_t task_id, const nlohmann::json& values) {
  db::Transaction tx(c);
  AEGIR_RETURN_IF_ERROR(tx.Begin());
  AEGIR_RETURN_IF_ERROR(MergeTaskResults(c, task_id, values));
  if (values.contains("backup_path") && values["backup_path"].is_string()) {
    int64_t size = values.contains("backup_size") && values["backup_size"].is_number_integer()
                       ? values["backup_size"].get<int64_t>()
                       : 0;
    // The backup belongs to the task's site; its description is the one the
    // user gave the backup operation, if any.
    auto r = c.Exec(
        "INSERT INTO backups (site_id, path, size, description, task_id) "
        "SELECT t.entity_id, ?, ?, "
        "  LEFT(COALESCE(JSON_UNQUOTE(JSON_EXTRACT(t.vars, '$.aegir_backup_description')), ''), 255), t.id "
        "FROM tasks t WHERE t.id = ? AND t.entity_type = 'site'",
        {Value(values["backup_path"].get<std::string>()), Value(size), Value(task_id)});
    if (!r.ok()) return r.status().WithContext("record the backup of task " + std::to_string(task_id));
  }
  if (values.contains("backup_deleted") && values["backup_deleted"].is_string()) {
    auto r = c.Exec(
        "DELETE b FROM backups b JOIN tasks t ON t.entity_type = 'site' AND t.entity_id = b.site_id "
        "WHERE t.id = ? AND b.path = ?",
        {Value(task_id), Value(values["backup_deleted"].get<std::string>())});
    if (!r.ok()) return r.status().WithContext("forget a deleted backup");
  }
  if (values.contains("host_key") && values["host_key"].is_string()) {
    // Recorded once (trust on first use); a recorded key is never replaced
    // by one a job met: an administrator forgets it first.
    auto r = c.Exec(
        "UPDATE servers sv JOIN tasks t ON t.entity_type = 'server' AND t.entity_id = sv.id "
        "SET sv.host_key = ? WHERE t.id = ? AND (sv.host_key IS NULL OR sv.host_key = '')",
        {Value(values["host_key"].get<std::string>()), Value(task_id)});
    if (!r.ok()) return r.status().WithContext("record the host key");
  }
  if (values.contains("deployed_commit") && values["deployed_commit"].is_string()) {
    auto r = c.Exec(
        "UPDATE platforms p JOIN tasks t ON t.entity_type = 'platform' AND t.entity_id = p.id "
        "SET p.deployed_commit = ? WHERE t.id = ?",
        {Value(values["deployed_commit"].get<std::string>()), Value(task_id)});
    if (!r.ok()) return r.status().WithContext("record the deployed commit");
  }
  return tx.Commit();
}

Status AddAudit(db::Connection& c, const AuditEntry& e) { return AddAudits(c, {e}); }

Status AddAudits(db::Connection& c, const std::vector<AuditEntry>& entries) {
  if (entries.empty()) return Status::Ok();
  std::string sql = "INSERT INTO audit_log (user_id, actor, address, action, entity_type, entity_id, task_id, details) VALUES ";
  std::vector<Value> params;
  params.reserve(entries.size() * 8);
  for (const auto& e : entries) {
    sql += params.empty() ? "(?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?)";
    for (Value v : {Value(e.user_id), Value(TruncateUtf8(e.actor, 128)), Value(e.address.substr(0, 64)),
                    Value(e.action), Value(e.entity_type), Value(e.entity_id), Value(e.task_id),
                    Value(e.details_json)}) {
      params.push_back(std::move(v));
    }
  }
  auto r = c.Exec(sql, params);
  return r.ok() ? Status::Ok() : r.status().WithContext("write the audit log");
}

Result<std::vector<AuditEntry>> ListAudit(db::Connection& c, int64_t before, int limit,
                                          std::optional<int64_t> user_id) {
  AuditFilter filter;
  filter.user_id = user_id;
  return ListAudit(c, filter, before, limit);
}

Result<std::vector<AuditEntry>> ListAudit(db::Connection& c, const AuditFilter& filter, int64_t before, int limit,
                                          int64_t after) {
  const IdRange range{before, after};
  std::string sql =
      "SELECT id, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s'), user_id, actor, address, action, entity_type, "
      "entity_id, task_id, details FROM audit_log WHERE " + range.cmp("id");
  std::vector<Value> params{range.bound()};
  if (filter.user_id) {
    sql += " AND user_id = ?";
    params.push_back(Value(*filter.user_id));
  }
  if (!filter.action.empty()) {
    sql += " AND action = ?";
    params.push_back(Value(filter.action));
  }
  if (filter.entity_id) {
    sql += " AND entity_type = ? AND entity_id = ?";
    params.push_back(Value(filter.entity_type));
    params.push_back(Value(*filter.entity_id));
  }
  sql += " ORDER BY " + range.order("id") + " LIMIT ?";
  params.push_back(Value(int64_t{limit}));
  return NewestFirst(All(c, sql, params, +[](const db::Row& r) {
               AuditEntry e;
               e.id = r.Int(0);
               e.at = r.Str(1);
               if (!r.IsNull(2)) e.user_id = r.Int(2);
               e.actor = r.Str(3);
               e.address = r.Str(4);
               e.action = r.Str(5);
               e.entity_type = r.Str(6);
               if (!r.IsNull(7)) e.entity_id = r.Int(7);
               if (!r.IsNull(8)) e.task_id = r.Int(8);
               e.details_json = r.Str(9);
               return e;
             }));
}

}  // namespace aegir::web::store
