// Every SQL statement aegir-web runs, behind typed functions. Handlers call
// these and never hold SQL themselves. All statements bind their parameters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/db.h"
#include "common/status.h"
#include "common/tasks.h"

namespace aegir::web::store {

struct User {
  int64_t id = 0;
  std::string name;
  bool is_admin = false;
  std::string password_hash;
  bool active = true;
  std::string created_at;
  std::vector<int64_t> client_ids;    // ListUsers and GetUser only
  std::string client_names;           // ListUsers only: "acme, beta"
  bool password_link_pending = false; // a set-password link is out and unused
};

// Whose view a query takes. Without a user: everything (an admin, or the
// scheduler serving a trusted tool). With one: a client user's, that is the
// sites of their clients, the tasks on those sites, and the platforms their
// clients may use.
struct Scope {
  std::optional<int64_t> user_id;
  std::vector<int64_t> client_ids;  // with user_id: that user's clients
  bool all() const { return !user_id.has_value(); }
};

// A page of a list in name order, keyset-paginated like ListSites: the
// first `limit` rows whose name starts with `prefix` (as MariaDB compares,
// case-insensitive; "" for all) after the name `after`, or with `before`
// set the last `limit` before it. Each list's name index gives the page as
// one range (servers_name, platforms_name_live, clients_name, users_name);
// the other filters are checked on the rows of these small tables.
struct NamePage {
  std::string prefix, after, before;
  int limit = 50;
};

// One row of the audit log.
struct AuditEntry {
  int64_t id = 0;
  std::string at;
  std::optional<int64_t> user_id;
  std::string actor;    // the user's name, or the tool
  std::string address;  // the client's address, "" when not over HTTP
  std::string action;   // login, site-add, operation, ...
  std::string entity_type;
  std::optional<int64_t> entity_id;
  std::optional<int64_t> task_id;
  std::string details_json = "{}";  // secrets masked by the caller
};

struct Session {
  std::string id_hash;
  std::optional<int64_t> user_id;
  std::string user_name;
  bool is_admin = false;
  std::string csrf_token;
  bool seen_lately = true;  // used within the last minute (no need to note it again)
  // The one-time message set by the request before (SetFlash), "" for none.
  // FindSession takes it: the session no longer has it afterwards.
  std::string flash;
};

struct Server {
  int64_t id = 0;
  std::string name;
  std::string hostname;
  std::string status;
  std::string created_at;
  std::string verified_at;
  std::string config_root;
  std::string ssh_user;
  int64_t ssh_port = 22;
  std::string host_key;  // the SSH host key(s) recorded at its first verification, "" before
  // Only executors announcing this label run its jobs; "" for any.
  std::string executor_label;
};

// A row of services: settings is JSON (fcgi-app/services.h reads it).
struct Service {
  int64_t id = 0;
  int64_t server_id = 0;
  std::string type;  // http | db
  std::string kind;  // nginx | apache | mariadb | postgresql
  std::string settings_json;
};

struct Distribution {
  int64_t id = 0;
  std::string name;
  std::string installer;  // wordpress | drupal | php
};

struct Client {
  int64_t id = 0;
  std::string name;
};

struct Platform {
  int64_t id = 0;
  std::string name;
  int64_t distribution_id = 0;
  std::string distribution_name;
  std::string installer;
  int64_t server_id = 0;
  std::string server_name;
  std::string source;  // git | path
  std::string git_url, git_ref, source_path;
  std::string status;
  std::string deployed_commit;
  std::string created_at;
  std::string verified_at;
  int64_t site_count = 0;  // sites not deleted; -1 when not counted (ListPlatforms)
};

struct Site {
  int64_t id = 0;
  std::string domain;
  int64_t platform_id = 0;
  std::string platform_name;
  std::string installer;
  int64_t server_id = 0;  // the platform's web server
  std::string server_name;
  int64_t db_server_id = 0;
  std::string db_server_name;
  std::string db_name;
  int64_t client_id = 0;
  std::string client_name;
  std::string profile;
  std::string https;  // off | on | required
  std::string status;
  std::string created_at;
};

struct Alias {
  std::string alias;
  bool redirect = false;
};

struct Backup {
  int64_t id = 0;
  int64_t site_id = 0;
  std::string path;
  int64_t size = 0;
  std::string description;
  std::string created_at;
};

struct NewPlatform {
  std::string name;
  int64_t distribution_id = 0;
  int64_t server_id = 0;
  std::string source, git_url, git_ref, source_path;
};

struct NewSite {
  std::string domain;
  int64_t platform_id = 0;
  int64_t db_server_id = 0;
  int64_t client_id = 0;
  std::string profile;
  std::string https = "off";
  std::vector<Alias> aliases;
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
  std::string results_json;  // values roles posted back, "" when none
  std::string created_by;
  std::optional<int64_t> created_by_id;
  std::string created_at;
  std::string started_at;
  std::string finished_at;
  bool cancel_requested = false;
  std::string recap_json;  // ansible's per-host recap, "" when none
  std::string executor;    // the executor it was last handed to
  std::optional<int64_t> duration_ms;  // from start to end, once ended
};

// What the feedback API needs to check a post: far less than a Task.
struct TaskAuth {
  int64_t id = 0;
  std::string operation;
  std::string state;
  std::string feedback_token_hash;
  int64_t ended_s_ago = -1;  // seconds since it ended; -1 while it runs
};

struct LogLine {
  int64_t seq = 0;
  std::string line;
};

struct Counts {
  int64_t servers = 0, platforms = 0, sites = 0, queued = 0, running = 0, failed = 0;
};

// Users.
Result<std::optional<User>> FindUserByName(db::Connection& c, const std::string& name);
// Failed logins in the last `minutes` for an account name and for an address.
struct LoginFailures {
  int64_t for_name = 0;
  int64_t from_address = 0;
};
Result<LoginFailures> CountLoginFailures(db::Connection& c, const std::string& name, const std::string& address,
                                         int minutes);
Status RecordLoginFailure(db::Connection& c, const std::string& name, const std::string& address);
// After a successful login: the account's failures are forgotten, and rows
// older than a day are swept.
// Removes what has expired and no page reads again: sessions past their
// absolute expiry (a session idle past its limit is refused at once and
// goes at its expiry) and failed logins older than a day (the lockout looks
// back 15 minutes). At most `batch` rows a statement, until none is left;
// returns how many rows went. aegir-web runs it every few minutes.
Result<uint64_t> PurgeExpired(db::Connection& c, uint64_t batch = 1000);
Status ClearLoginFailures(db::Connection& c, const std::string& name);
// Creates the user; Conflict if the name is taken.
Result<int64_t> CreateUser(db::Connection& c, const std::string& name, const std::string& password_hash, bool is_admin);
Result<std::vector<User>> ListUsers(db::Connection& c);
// role: admin or client ("" any); state: active or disabled ("" any).
Result<std::vector<User>> ListUsersPage(db::Connection& c, const NamePage& page, const std::string& role,
                                        const std::string& state);
Result<std::optional<User>> GetUser(db::Connection& c, int64_t id);
// Sets the role, whether the account may log in, and its clients, in one
// transaction; a disabled account's sessions end at once.
Status UpdateUser(db::Connection& c, int64_t id, bool is_admin, bool active, const std::vector<int64_t>& client_ids);
// A one-time link to set the password: only the token's SHA-256 is stored;
// a new link replaces an earlier one.
Status SetPasswordToken(db::Connection& c, int64_t user_id, const std::string& token_hash, int ttl_s);
// The active user whose unexpired link has this token hash.
Result<std::optional<User>> FindUserByPasswordToken(db::Connection& c, const std::string& token_hash);
// Sets the password, spends any link, and ends the user's sessions but keep_session.
Status SetPassword(db::Connection& c, int64_t user_id, const std::string& password_hash,
                   const std::string& keep_session = "");
// The clients a user acts for, and the platforms those clients may use.
Result<std::vector<int64_t>> ClientIdsOfUser(db::Connection& c, int64_t user_id);
// Both, in one query: what a client user's requests are checked against.
struct UserReach {
  std::vector<int64_t> client_ids;
  std::vector<int64_t> platform_ids;
};
Result<UserReach> ReachOfUser(db::Connection& c, int64_t user_id);

// Sessions. A session's browser token is never stored: only its SHA-256.
Status CreateSession(db::Connection& c, const std::string& id_hash, std::optional<int64_t> user_id,
                     const std::string& csrf_token, int ttl_s);
// The live (unexpired) session with this hash, with its user.
// A live session: not past its absolute expiry, and used within idle_s.
// Its flash message, if any, comes with it and stays until TakeFlash.
Result<std::optional<Session>> FindSession(db::Connection& c, const std::string& id_hash, int idle_s);
// Clears the flash message once a page showed it (only that message: one set
// meanwhile by another request stays for the next page).
Status TakeFlash(db::Connection& c, const std::string& id_hash, const std::string& shown);
// Sets the message the session's next page shows once (text, at most 500
// characters; shown escaped). A message not yet shown is replaced.
Status SetFlash(db::Connection& c, const std::string& id_hash, const std::string& text);
// Notes that the session was used now (its idle clock starts again).
Status TouchSession(db::Connection& c, const std::string& id_hash);
Status DeleteSession(db::Connection& c, const std::string& id_hash);
Status DeleteExpiredSessions(db::Connection& c);


// Servers and their services. CreateServer stores the server and its
// services in one transaction; Conflict if the name is taken.
Result<std::vector<Server>> ListServers(db::Connection& c);
// status: new, verified or failed; "" for any.
Result<std::vector<Server>> ListServersPage(db::Connection& c, const NamePage& page, const std::string& status);
Result<std::optional<Server>> GetServer(db::Connection& c, int64_t id);
Result<std::optional<Server>> GetServerByName(db::Connection& c, const std::string& name);
Result<int64_t> CreateServer(db::Connection& c, const Server& server, const std::vector<Service>& services);
// Replaces the server's settings and services.
Status UpdateServer(db::Connection& c, const Server& server, const std::vector<Service>& services);
Result<std::vector<Service>> ListServices(db::Connection& c, int64_t server_id);
// Forgets the recorded SSH host key: the next verification records the key it meets.
Status ForgetHostKey(db::Connection& c, int64_t server_id);
// Every service of the given type (http or db), by server id.
Result<std::vector<Service>> ListServicesOfType(db::Connection& c, const std::string& type);

// Distributions and clients.
Result<std::vector<Distribution>> ListDistributions(db::Connection& c);
Result<std::vector<Client>> ListClients(db::Connection& c, const Scope& scope = {});
Result<std::vector<Client>> ListClientsPage(db::Connection& c, const NamePage& page);
Result<std::optional<Client>> GetClient(db::Connection& c, int64_t id);
Result<int64_t> CreateClient(db::Connection& c, const std::string& name);
// The platforms a client's users may put sites on; Set replaces them.
Result<std::vector<int64_t>> ListClientPlatforms(db::Connection& c, int64_t client_id);
Status SetClientPlatforms(db::Connection& c, int64_t client_id, const std::vector<int64_t>& platform_ids);
// The users acting for a client.
Result<std::vector<User>> ListClientUsers(db::Connection& c, int64_t client_id);

// Platforms (deleted ones are not listed).
// count_sites: fill site_count (an index range count of each platform's
// live sites); otherwise it is -1. GetPlatform and GetPlatformByName count.
Result<std::vector<Platform>> ListPlatforms(db::Connection& c, const Scope& scope = {}, bool count_sites = false);
// With their site counts; status: new, enabled, locked or failed ("" any live one).
Result<std::vector<Platform>> ListPlatformsPage(db::Connection& c, const NamePage& page, const std::string& status);
Result<std::vector<Platform>> ListPlatformsOnServer(db::Connection& c, int64_t server_id);
Result<std::optional<Platform>> GetPlatform(db::Connection& c, int64_t id);
// The same without counting its sites (site_count -1): a site's platform.
Result<std::optional<Platform>> GetPlatformUncounted(db::Connection& c, int64_t id);
Result<std::optional<Platform>> GetPlatformByName(db::Connection& c, const std::string& name);
// Conflict if a live platform has the name.
Result<int64_t> CreatePlatform(db::Connection& c, const NewPlatform& p);

// Sites (deleted ones are not listed).
// Which sites a list shows: each field set narrows it.
struct SiteFilter {
  std::string prefix;  // the domain starts with this (as MariaDB compares: case-insensitive)
  std::string status;  // one of kListedSiteStatuses
  std::optional<int64_t> platform_id;
  std::optional<int64_t> client_id;
};
// The statuses a site in a list may have (a deleted site is in none).
inline const std::vector<std::string> kListedSiteStatuses = {"queued", "enabled", "disabled", "failed"};
// A page of the live sites the filter and the scope select, in domain order
// (a live site's domain is unique): the first `limit` after the domain
// `after`, or, with before set, the last `limit` before the domain `before`
// (both "": from the first). Keyset pagination: each filter has an index
// that ends in the domain (sql/0007), so a page reads about `limit` index
// entries wherever it starts; docs/queries.md.
Result<std::vector<Site>> ListSites(db::Connection& c, const SiteFilter& filter, const std::string& after,
                                    const std::string& before, int limit, const Scope& scope = {});
// The number of a client's live sites (an index range count).
Result<int64_t> CountClientSites(db::Connection& c, int64_t client_id);
Result<std::optional<Site>> GetSite(db::Connection& c, int64_t id);
// The live (not deleted) site with that domain.
Result<std::optional<Site>> GetSiteByDomain(db::Connection& c, const std::string& domain);
// A site with its platform (site_count -1) and the platform's server, in one
// query: by id, or (id 0) the site of `domain` that is not deleted.
// With them (GetSiteHome; GetSiteHomes leaves them out) the services of its
// web server and, when its database is on another server, of that one (as
// ListServices gives them, by server).
struct SiteHome {
  Site site;
  Platform platform;
  Server server;
  std::vector<Alias> aliases;  // as ListAliases gives them
  std::vector<Service> services;
  bool services_read = false;  // whether `services` are the servers' (none is none)
};
Result<std::optional<SiteHome>> GetSiteHome(db::Connection& c, int64_t id, const std::string& domain = "");
// Several at once, in no particular order: the sites with these ids (also
// deleted ones, as GetSiteHome by id) and the live sites with these domains,
// without their services.
Result<std::vector<SiteHome>> GetSiteHomes(db::Connection& c, const std::vector<int64_t>& ids,
                                           const std::vector<std::string>& domains);
// Creates the site (status queued) with its aliases and gives it its
// database name (DbNameFor); Conflict if a live site has the domain.
Result<int64_t> CreateSite(db::Connection& c, const NewSite& site);
// Replaces the site's aliases, HTTPS mode and client.
Status UpdateSite(db::Connection& c, int64_t id, const std::string& https, int64_t client_id,
                  const std::vector<Alias>& aliases);
Result<std::vector<Alias>> ListAliases(db::Connection& c, int64_t site_id);
// The live site or alias row that already uses this domain, if any (other
// than site except_site).
Result<std::optional<std::string>> DomainInUse(db::Connection& c, const std::string& domain, int64_t except_site);
Status SetSiteStatus(db::Connection& c, int64_t id, const std::string& status);
// A database name for a site: the domain's letters and digits (at most 24
// characters, '_' for the rest) and the site id, e.g. blog_example_org_12.
std::string DbNameFor(const std::string& domain, int64_t site_id);

// Backups, newest first.
Result<std::vector<Backup>> ListBackups(db::Connection& c, int64_t site_id);

// Tasks.
// A task row, queued, with its job document (Job::ToStoredJson: the job
// without the id, which is the row's) and what its end does (results).
// CreateTasks stores several with one statement and gives their ids in the
// same order. A task may be stored claimed already (the scheduler hands it
// to an executor in the transaction that stores it): running, with the
// executor and the hash of its feedback token.
struct NewTask {
  std::string operation;
  std::string entity_type;
  int64_t entity_id = 0;
  std::string vars_json = "{}";
  std::vector<std::string> locks;  // entity keys it holds while running
  std::string success_status;      // what the entity becomes (tasks::Finish)
  std::string failure_status;
  std::optional<int64_t> created_by;
  std::optional<std::string> job_json;      // none: a task that never runs
  std::optional<std::string> results_json;  // none: {}
  // Set: stored running, handed to this executor with a token of this hash
  // (as tasks::Claim would: one attempt, started now).
  struct Claim {
    std::string executor;
    std::string token_hash;
  };
  std::optional<Claim> claim;
};
Result<int64_t> CreateTask(db::Connection& c, const NewTask& t);
Result<std::vector<int64_t>> CreateTasks(db::Connection& c, const std::vector<const NewTask*>& tasks);
// Ansible's per-host recap of a task's run (JSON, checked by the caller).
Status SetTaskRecap(db::Connection& c, int64_t id, const std::string& recap_json);
Result<std::optional<Task>> GetTask(db::Connection& c, int64_t id);
// One primary-key lookup, no joins: the feedback API runs it on every post.
Result<std::optional<TaskAuth>> GetTaskAuth(db::Connection& c, int64_t id);
// Which tasks a list shows: each field set narrows it.
struct TaskFilter {
  std::string state;      // one of kTaskStates
  std::string operation;  // an operation's name (site-backup)
  std::string entity_type;            // with entity_id: the tasks of one server, platform or site
  std::optional<int64_t> entity_id;
  bool empty() const { return state.empty() && operation.empty() && !entity_id; }
};
inline const std::vector<std::string> kTaskStates = {"queued", "running", "succeeded", "failed", "cancelled"};
// Newest first; only tasks with id < before when before > 0, or, when
// after > 0, the `limit` nearest tasks with id > after (the page before,
// for a Newer link; still newest first). Keyset pagination on the id; every filter reads index ranges in id order
// (tasks_state, tasks_operation_state, tasks_entity, and a client user's
// tasks_client, tasks_client_state, tasks_client_operation_state), one per
// client and, for an operation without a state, one per state
// (docs/queries.md).
Result<std::vector<Task>> ListTasks(db::Connection& c, int64_t before, int limit, const Scope& scope = {},
                                    int64_t after = 0);
Result<std::vector<Task>> ListTasks(db::Connection& c, const TaskFilter& filter, int64_t before, int limit,
                                    const Scope& scope = {}, int64_t after = 0);
Result<std::vector<Task>> ListTasksFor(db::Connection& c, const std::string& entity_type, int64_t entity_id, int limit);
// Lines with seq > after, in order, at most limit.
Result<std::vector<LogLine>> GetLog(db::Connection& c, int64_t task_id, int64_t after, int limit);
// The number of the task's last log line, 0 when it has none (one index lookup).
Result<int64_t> LastLogSeq(db::Connection& c, int64_t task_id);
Result<Counts> GetCounts(db::Connection& c, const Scope& scope = {});
// Only the queued and running tasks of the whole panel (a few index entries).
Result<Counts> GetActiveCounts(db::Connection& c);

// Stores values a role posted back (merged into tasks.results) and applies
// them to the task's entity (docs/operations.md, "Feedback from roles").
// The keys and values were validated by the caller.
Status ApplyFeedback(db::Connection& c, int64_t task_id, const nlohmann::json& values);
// Sets values on the task's results without applying them (for what
// aegir-web itself records when it queues a task).
Status MergeTaskResults(db::Connection& c, int64_t task_id, const nlohmann::json& values);

// queued -> running. Returns false if the task had ended already.
Result<bool> MarkTaskRunning(db::Connection& c, int64_t id);
// Stores lines first_seq.. ; lines already stored are left as they are.
Status AppendLog(db::Connection& c, int64_t task_id, int64_t first_seq, const std::vector<std::string>& lines);

// The audit log: Add appends a row; List gives the newest first, only rows
// with id < before when before > 0.
Status AddAudit(db::Connection& c, const AuditEntry& e);
// Several rows with one statement.
Status AddAudits(db::Connection& c, const std::vector<AuditEntry>& entries);
// Which entries the audit log shows: each field set narrows it. One of them
// gives the index (audit_log_user, audit_log_action, audit_log_entity: each
// ends in the id), the others are checked on its entries.
struct AuditFilter {
  std::optional<int64_t> user_id;
  std::string action;
  std::string entity_type;  // with entity_id
  std::optional<int64_t> entity_id;
};
// user_id: only that user's rows.
Result<std::vector<AuditEntry>> ListAudit(db::Connection& c, int64_t before, int limit,
                                          std::optional<int64_t> user_id = std::nullopt);
// (after > 0: the `limit` entries nearest above it, still newest first.)
Result<std::vector<AuditEntry>> ListAudit(db::Connection& c, const AuditFilter& filter, int64_t before, int limit,
                                          int64_t after = 0);

}  // namespace aegir::web::store
