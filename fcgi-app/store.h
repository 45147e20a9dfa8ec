// Every SQL statement aegir-web runs, behind typed functions. Handlers call
// these and never hold SQL themselves. All statements bind their parameters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/db.h"
#include "common/status.h"

namespace aegir::web::store {

struct User {
  int64_t id = 0;
  std::string name;
  bool is_admin = false;
  std::string password_hash;
};

struct Session {
  std::string id_hash;
  std::optional<int64_t> user_id;
  std::string user_name;
  bool is_admin = false;
  std::string csrf_token;
};

struct Server {
  int64_t id = 0;
  std::string name;
  std::string hostname;
  std::string status;
  std::string created_at;
  std::string verified_at;
};

struct Site {
  int64_t id = 0;
  std::string domain;
  int64_t server_id = 0;
  std::string server_name;
  std::string status;
  std::string created_at;
};

struct Task {
  int64_t id = 0;
  std::string operation;
  std::string entity_type;
  int64_t entity_id = 0;
  std::string entity_label;  // server name or site domain
  std::string state;
  std::string vars_json;
  std::string feedback_token_hash;
  std::optional<int64_t> exit_code;
  std::string reason;
  std::string created_by;
  std::string created_at;
  std::string started_at;
  std::string finished_at;
};

// What the feedback API needs to check a post: far less than a Task.
struct TaskAuth {
  int64_t id = 0;
  std::string operation;
  std::string state;
  std::string feedback_token_hash;
};

struct LogLine {
  int64_t seq = 0;
  std::string line;
};

struct Counts {
  int64_t servers = 0, sites = 0, queued = 0, running = 0, failed = 0;
};

// Users.
Result<std::optional<User>> FindUserByName(db::Connection& c, const std::string& name);
// Creates the user; Conflict if the name is taken.
Result<int64_t> CreateUser(db::Connection& c, const std::string& name, const std::string& password_hash, bool is_admin);

// Sessions. A session's browser token is never stored: only its SHA-256.
Status CreateSession(db::Connection& c, const std::string& id_hash, std::optional<int64_t> user_id,
                     const std::string& csrf_token, int ttl_s);
// The live (unexpired) session with this hash, with its user.
Result<std::optional<Session>> FindSession(db::Connection& c, const std::string& id_hash);
Status DeleteSession(db::Connection& c, const std::string& id_hash);
Status DeleteExpiredSessions(db::Connection& c);

// Servers.
Result<std::vector<Server>> ListServers(db::Connection& c);
Result<std::optional<Server>> GetServer(db::Connection& c, int64_t id);
Result<int64_t> CreateServer(db::Connection& c, const std::string& name, const std::string& hostname);

// Sites.
Result<std::vector<Site>> ListSites(db::Connection& c);
Result<std::optional<Site>> GetSite(db::Connection& c, int64_t id);
Result<int64_t> CreateSite(db::Connection& c, const std::string& domain, int64_t server_id);

// Tasks.
Result<int64_t> CreateTask(db::Connection& c, const std::string& operation, const std::string& entity_type,
                           int64_t entity_id, const std::string& vars_json, const std::string& token_hash,
                           std::optional<int64_t> created_by);
Result<std::optional<Task>> GetTask(db::Connection& c, int64_t id);
// One primary-key lookup, no joins: the feedback API runs it on every post.
Result<std::optional<TaskAuth>> GetTaskAuth(db::Connection& c, int64_t id);
// Newest first; only tasks with id < before when before > 0.
Result<std::vector<Task>> ListTasks(db::Connection& c, int64_t before, int limit);
Result<std::vector<Task>> ListTasksFor(db::Connection& c, const std::string& entity_type, int64_t entity_id, int limit);
// Lines with seq > after, in order, at most limit.
Result<std::vector<LogLine>> GetLog(db::Connection& c, int64_t task_id, int64_t after, int limit);
Result<Counts> GetCounts(db::Connection& c);

// queued -> running. Returns false if the task had ended already.
Result<bool> MarkTaskRunning(db::Connection& c, int64_t id);
// Stores lines first_seq.. ; lines already stored are left as they are.
Status AppendLog(db::Connection& c, int64_t task_id, int64_t first_seq, const std::vector<std::string>& lines);
// Ends a task that has not ended yet (reason cut to 1000 bytes of whole
// UTF-8 characters), and applies its result to its entity
// (a verified server). Returns false if it had ended already.
Result<bool> FinishTask(db::Connection& c, int64_t id, const std::string& state, std::optional<int64_t> exit_code,
                        const std::string& reason);

}  // namespace aegir::web::store
