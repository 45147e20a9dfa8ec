#include "fcgi-app/operations.h"

#include <algorithm>
#include <regex>

#include "common/crypto.h"
#include "common/log.h"

namespace aegir::web {
namespace {

using nlohmann::json;

bool IsLocalHost(const std::string& host) { return host == "localhost" || host == "127.0.0.1"; }

std::string ServerDir(const store::Server& s) { return s.config_root + "/" + s.name; }

std::string PlatformPath(const HttpService& http, const std::string& platform_name) {
  return http.platforms_dir + "/" + platform_name;
}

// A server's services, parsed (one query); each is nothing when it has none.
struct Services {
  std::optional<HttpService> http;
  std::optional<DbService> db;
};

Result<Services> ParseServices(int64_t server_id, const std::vector<store::Service>& rows) {
  Services out;
  for (const auto& s : rows) {
    Status parsed;
    if (s.type == "http") {
      auto h = HttpServiceFromJson(s.kind, s.settings_json);
      if (h.ok()) out.http = *h;
      parsed = h.status();
    } else if (s.type == "db") {
      auto d = DbServiceFromJson(s.kind, s.settings_json);
      if (d.ok()) out.db = *d;
      parsed = d.status();
    }
    if (!parsed.ok()) return Status::Internal("server " + std::to_string(server_id) + ": " + parsed.message());
  }
  return out;
}

// A server's services: from `given` when it holds them (read with the
// target), else as read in this turn (ctx.services_read), else read now.
using ServiceRows = std::map<int64_t, std::vector<store::Service>>;

Result<Services> ServicesOf(ModelContext& ctx, int64_t server_id, const ServiceRows& given = {}) {
  if (auto it = given.find(server_id); it != given.end()) return ParseServices(server_id, it->second);
  auto* kept = ctx.services_read;
  if (kept) {
    if (auto it = kept->find(server_id); it != kept->end()) return ParseServices(server_id, it->second);
  }
  auto rows = store::ListServices(ctx.db, server_id);
  if (!rows.ok()) return rows.status();
  if (kept) (*kept)[server_id] = *rows;
  return ParseServices(server_id, *rows);
}

std::string FormString(const std::map<std::string, json>& form, const std::string& name) {
  auto it = form.find(name);
  return it != form.end() && it->second.is_string() ? it->second.get<std::string>() : "";
}

// The domain a clone or migration goes to: the form's, else the site's own.
std::string NewDomain(const std::map<std::string, json>& form, const store::Site& site) {
  std::string domain = FormString(form, "aegir_new_domain");
  return domain.empty() ? site.domain : domain;
}

}  // namespace

std::string SiteUrl(const std::string& domain, const std::string& https_mode, const HttpService& http) {
  bool https = https_mode == "required" && http.https_port > 0;
  int port = https ? http.https_port : http.port;
  std::string url = (https ? "https://" : "http://") + domain;
  if (!((https && port == 443) || (!https && port == 80))) url += ":" + std::to_string(port);
  return url;
}

bool Offered(const Operation& op, const std::string& status, int64_t site_count) {
  if (op.name == kPlatformDelete && site_count > 0) return false;
  return op.when.empty() || std::find(op.when.begin(), op.when.end(), status) != op.when.end();
}

namespace {

// The target's services: its server's web server, and the site's database
// server's database service.
Result<Target> WithServices(ModelContext& ctx, Target t, const ServiceRows& given = {}) {
  auto services = ServicesOf(ctx, t.server.id, given);
  if (!services.ok()) return services.status();
  t.http = services->http;
  if (t.site) {
    // The site's database server is most often its web server.
    if (t.site->db_server_id == t.server.id) {
      t.db = services->db;
    } else {
      auto db = ServicesOf(ctx, t.site->db_server_id, given);
      if (!db.ok()) return db.status();
      t.db = db->db;
    }
  }
  return t;
}

}  // namespace

Result<Target> LoadSiteTarget(ModelContext& ctx, int64_t id, const std::string& domain) {
  const store::SiteHome* ahead = nullptr;
  if (ctx.sites_read) {
    auto it = ctx.sites_read->find(id > 0 ? "#" + std::to_string(id) : domain);
    if (it != ctx.sites_read->end()) ahead = &it->second;
  }
  auto home = ahead ? Result<std::optional<store::SiteHome>>(*ahead) : store::GetSiteHome(ctx.db, id, domain);
  if (!home.ok()) return home.status();
  if (!*home || (*home)->site.status == "deleted") {
    return Status::NotFound("site " + (id > 0 ? std::to_string(id) : domain));
  }
  Target t;
  t.entity_type = "site";
  t.entity_id = (*home)->site.id;
  t.aliases = std::move((*home)->aliases);
  t.site = std::move((*home)->site);
  t.platform = std::move((*home)->platform);
  t.server = std::move((*home)->server);
  // The services when they came with the site: both servers' (none is none).
  ServiceRows given;
  if ((*home)->services_read) {
    given = {{t.server.id, {}}, {t.site->db_server_id, {}}};
    for (auto& service : (*home)->services) given[service.server_id].push_back(std::move(service));
  }
  return WithServices(ctx, std::move(t), given);
}

Result<Target> LoadTarget(ModelContext& ctx, const std::string& entity_type, int64_t entity_id) {
  if (entity_type == "site") return LoadSiteTarget(ctx, entity_id, "");
  Target t;
  t.entity_type = entity_type;
  t.entity_id = entity_id;
  int64_t server_id = entity_id;
  if (entity_type == "platform") {
    // A platform's own operations need its site count (platform-delete).
    auto platform = store::GetPlatform(ctx.db, entity_id);
    if (!platform.ok()) return platform.status();
    if (!*platform || (*platform)->status == "deleted") return Status::NotFound("platform " + std::to_string(entity_id));
    t.platform = **platform;
    server_id = t.platform->server_id;
  } else if (entity_type != "server") {
    return Status::InvalidArgument("unknown entity type " + entity_type);
  }
  auto server = store::GetServer(ctx.db, server_id);
  if (!server.ok()) return server.status();
  if (!*server) return Status::NotFound("server " + std::to_string(server_id));
  t.server = **server;
  return WithServices(ctx, std::move(t));
}

Result<DynamicChoices> ChoicesFor(ModelContext& ctx, const Operation& op, const Target& target) {
  DynamicChoices choices;
  for (const auto& f : op.fields) {
    if (f.name == "aegir_backup_file" && target.site) {
      auto backups = store::ListBackups(ctx.db, target.site->id);
      if (!backups.ok()) return backups.status();
      auto& list = choices[f.name];
      for (const auto& b : *backups) list.push_back(b.path);
    } else if (f.name == "aegir_target_platform") {
      auto platforms = store::ListPlatformsOnServer(ctx.db, target.server.id);
      if (!platforms.ok()) return platforms.status();
      auto& list = choices[f.name];
      for (const auto& p : *platforms) {
        if (p.status != "enabled") continue;
        if (!ctx.scope.all() && !ctx.platform_ids.count(p.id)) continue;
        list.push_back(p.name);
      }
    }
  }
  return choices;
}

// The one rule no path may skip: a job for a remote server whose host key
// is not recorded would trust whatever key answers (accept-new), which only
// a verification may do.
Status CheckHostKey(const Operation& op, const Target& target) {
  if (!IsLocalHost(target.server.hostname) && target.server.host_key.empty() && op.name != kServerVerify) {
    return Status::Conflict("Verify server " + target.server.name +
                            " first: its SSH host key is not recorded yet, and nothing runs there before it is.");
  }
  return Status::Ok();
}

Status CheckAllowed(ModelContext& ctx, const Operation& op, const Target& target, const std::map<std::string, json>& form) {
  AEGIR_RETURN_IF_ERROR(CheckHostKey(op, target));
  if (op.entity != "server" && !target.http) {
    return Status::Conflict("Server " + target.server.name + " has no web server configured; edit the server first.");
  }
  if (target.site && !target.db && op.name != kSiteDelete) {
    return Status::Conflict("The site's database server has no database service configured.");
  }
  if (op.name == kPlatformDelete && target.platform && target.platform->site_count > 0) {
    return Status::Conflict("Platform " + target.platform->name + " still has " +
                            std::to_string(target.platform->site_count) +
                            " site(s); migrate or delete them first.");
  }
  if (op.name == kSiteDelete && target.site && target.site->status != "disabled") {
    return Status::Conflict("Disable the site before deleting it.");
  }
  if (target.site && target.site->status == "queued" && op.name != kSiteInstall) {
    return Status::Conflict("The site is not installed yet; wait for its install task to end.");
  }
  if (target.site && op.name == kSiteInstall && target.site->status != "queued" && target.site->status != "failed") {
    return Status::Conflict("The site is installed already; only a site whose install failed can be installed again.");
  }
  std::string new_domain = FormString(form, "aegir_new_domain");
  if (!new_domain.empty()) {
    if (!IsDomainName(new_domain)) {
      return Status::InvalidArgument("New domain: give a lower-case domain name with at least one dot.");
    }
    int64_t except = op.name == kSiteMigrate && target.site ? target.site->id : 0;
    auto used = store::DomainInUse(ctx.db, new_domain, except);
    if (!used.ok()) return used.status();
    if (*used) return Status::Conflict("New domain: " + new_domain + " is already used by the site " + **used + ".");
  }
  std::string target_platform = FormString(form, "aegir_target_platform");
  if (op.name == kSiteMigrate && target.site && target_platform == target.site->platform_name &&
      new_domain == target.site->domain) {
    return Status::InvalidArgument("Choose another platform or another domain: this migration would change nothing.");
  }
  return Status::Ok();
}

std::map<std::string, json> BuildVars(const Operation& op, const Target& t,
                                      const std::map<std::string, json>& form,
                                      const std::optional<store::Platform>& target_platform) {
  std::map<std::string, json> v;
  const std::string server_dir = ServerDir(t.server);
  v["aegir_server_name"] = t.server.name;
  v["aegir_config_root"] = t.server.config_root;
  v["aegir_server_dir"] = server_dir;
  v["aegir_backups_dir"] = server_dir + "/backups";
  if (t.http) {
    const HttpService& h = *t.http;
    v["aegir_http_type"] = h.kind;
    v["aegir_http_address"] = h.address;
    v["aegir_http_port"] = h.port;
    v["aegir_https_port"] = h.https_port;
    v["aegir_http_vhost_dir"] = h.vhost_dir;
    v["aegir_http_reload"] = json(h.reload);
    v["aegir_php_fpm_socket"] = h.php_fpm_socket;
    v["aegir_platforms_dir"] = h.platforms_dir;
  }
  if (t.db) {
    const DbService& d = *t.db;
    v["aegir_db_type"] = d.kind;
    v["aegir_db_host"] = d.host;
    v["aegir_db_port"] = d.port;
    v["aegir_db_socket"] = d.socket;
    v["aegir_db_admin_user"] = d.admin_user;
    v["aegir_db_admin_defaults_file"] = d.admin_defaults_file;
  }
  if (t.platform && t.http) {
    const store::Platform& p = *t.platform;
    v["aegir_platform_name"] = p.name;
    v["aegir_platform_path"] = PlatformPath(*t.http, p.name);
    v["aegir_platform_installer"] = p.installer;
    v["aegir_platform_source"] = p.source;
    v["aegir_platform_git_url"] = p.git_url;
    v["aegir_platform_git_ref"] = p.git_ref;
    v["aegir_platform_source_path"] = p.source_path;
  }
  if (t.site && t.http) {
    const store::Site& s = *t.site;
    std::vector<std::string> aliases, redirects;
    for (const auto& a : t.aliases) (a.redirect ? redirects : aliases).push_back(a.alias);
    v["aegir_site_domain"] = s.domain;
    v["aegir_site_url"] = SiteUrl(s.domain, s.https, *t.http);
    v["aegir_site_dir"] = PlatformPath(*t.http, s.platform_name) + "/sites/" + s.domain;
    v["aegir_site_aliases"] = json(aliases);
    v["aegir_site_redirects"] = json(redirects);
    v["aegir_site_https"] = s.https;
    v["aegir_site_profile"] = s.profile;
    v["aegir_site_db_name"] = s.db_name;
    v["aegir_site_db_user"] = s.db_name;
    v["aegir_site_enabled"] = s.status != "disabled";
  }
  // Clone and migrate: where the site goes.
  if (t.site && t.http) {
    std::string new_domain = NewDomain(form, *t.site);
    std::string platform_name = target_platform ? target_platform->name : t.site->platform_name;
    if (target_platform) {
      v["aegir_target_platform_path"] = PlatformPath(*t.http, target_platform->name);
      v["aegir_target_platform_installer"] = target_platform->installer;
    }
    v["aegir_new_site_dir"] = PlatformPath(*t.http, platform_name) + "/sites/" + new_domain;
    // A clone starts without HTTPS; a migrated site keeps its mode.
    v["aegir_new_site_url"] = SiteUrl(new_domain, op.name == kSiteClone ? "off" : t.site->https, *t.http);
  }
  for (const auto& [k, val] : op.fixed_vars) v[k] = val;
  for (const auto& [k, val] : form) v[k] = val;
  // Only what the roles declare goes to the job.
  std::map<std::string, json> out;
  for (const auto& [k, val] : v) {
    if (op.declared.count(k)) out[k] = val;
  }
  return out;
}

json MaskedValues(const Operation& op, const std::map<std::string, json>& form) {
  static const std::regex kSecretName("(^|_)(password|passwd|secret|token|key|salts?)(_|$)");
  json out = json::object();
  for (const auto& entry : form) {
    const std::string& name = entry.first;  // (not a structured binding: lambdas capture it)
    auto spec = std::find_if(op.fields.begin(), op.fields.end(), [&](const VarSpec& f) { return f.name == name; });
    bool secret = (spec != op.fields.end() && spec->no_log) || std::regex_search(name, kSecretName);
    out[name] = secret ? json("********") : entry.second;
  }
  return out;
}

namespace {

// The task row of the operation on the target, without vars, locks or job.
store::NewTask NewTaskFor(const Operation& op, const Target& target, std::optional<int64_t> user_id) {
  store::NewTask t;
  t.operation = op.name;
  t.entity_type = target.entity_type;
  t.entity_id = target.entity_id;
  t.success_status = op.success_status;
  t.failure_status = op.failure_status;
  t.created_by = user_id;
  return t;
}

}  // namespace

Result<int64_t> RecordRefused(ModelContext& ctx, const Operation& op, const Target& target, const std::string& reason,
                              std::optional<int64_t> user_id) {
  // No job is stored: nothing will ever run or post for this task.
  store::NewTask t = NewTaskFor(op, target, user_id);
  auto id = store::CreateTask(ctx.db, t);
  if (!id.ok()) return id.status();
  auto f = tasks::Finish(ctx.db, *id, "failed", std::nullopt, "Not started: " + reason);
  if (!f.ok()) return f.status();
  return *id;
}

Result<Job> StoreOperation(ModelContext& ctx, const Operation& op, const Target& target,
                               const std::map<std::string, json>& form, std::optional<int64_t> user_id) {
  AEGIR_RETURN_IF_ERROR(CheckHostKey(op, target));
  std::optional<store::Platform> target_platform;
  if (std::string name = FormString(form, "aegir_target_platform"); !name.empty()) {
    auto p = store::GetPlatformByName(ctx.db, name);
    if (!p.ok()) return p.status();
    if (!*p) return Status::InvalidArgument("Target platform: " + name + " does not exist.");
    target_platform = **p;
  }
  auto vars = BuildVars(op, target, form, target_platform);
  // A value the roles declare, decided here (the names of new databases).
  auto declared = [&](const char* name, const json& value) {
    if (op.declared.count(name)) vars[name] = value;
  };

  // The clone's new site, the task row and its job document, and the audit
  // entry in one transaction: the scheduler, which reads queued rows, never
  // sees a task without its job, and a failure leaves none of them behind.
  db::Transaction tx(ctx.db);
  AEGIR_RETURN_IF_ERROR(tx.Begin());
  // What the task's end does beyond the status (store::FinishTask).
  json results = json::object();
  if (target.site && (op.name == kSiteClone || op.name == kSiteMigrate)) {
    std::string new_domain = NewDomain(form, *target.site);
    if (op.name == kSiteClone) {
      store::NewSite ns;
      ns.domain = new_domain;
      ns.platform_id = target.site->platform_id;
      ns.db_server_id = target.site->db_server_id;
      ns.client_id = target.site->client_id;
      ns.profile = target.site->profile;
      auto clone_id = store::CreateSite(ctx.db, ns);
      if (!clone_id.ok()) return clone_id.status();
      std::string db_name = store::DbNameFor(new_domain, *clone_id);
      declared("aegir_new_db_name", db_name);
      declared("aegir_new_db_user", db_name);
      results["clone_site_id"] = *clone_id;
      results["on_success"] = {{"site_id", *clone_id}, {"status", "enabled"}};
      results["on_failure"] = {{"site_id", *clone_id}, {"status", "deleted"}};
    } else {
      // A migrated site keeps its database (MariaDB cannot rename one), also
      // when its domain changes: its recorded name must stay the real one.
      json change = {{"site_id", target.site->id}, {"domain", new_domain}};
      if (target_platform) change["platform_id"] = target_platform->id;
      declared("aegir_new_db_name", target.site->db_name);
      declared("aegir_new_db_user", target.site->db_name);
      results["on_success"] = change;
    }
  }

  Job job;
  job.operation = op.name;
  job.entity = target.entity_type + ":" + std::to_string(target.entity_id);
  // A clone changes its new site too, a migration its target platform: both
  // ends are held while it runs.
  if (results.contains("clone_site_id")) job.locks.push_back("site:" + std::to_string(results["clone_site_id"].get<int64_t>()));
  if (target_platform && op.name == kSiteMigrate) job.locks.push_back("platform:" + std::to_string(target_platform->id));
  job.target.name = target.server.name;
  job.target.host = target.server.hostname;
  job.target.connection = IsLocalHost(target.server.hostname) ? "local" : "ssh";
  job.target.user = target.server.ssh_user;
  job.target.port = static_cast<int>(target.server.ssh_port);
  job.target.host_key = target.server.host_key;
  job.target.label = target.server.executor_label;
  job.roles = op.tasks;
  job.vars = vars;
  job.timeout_s = op.timeout_s;

  // The job is stored with its row (ToStoredJson: the id is the row's).
  job.feedback_url = ctx.public_url + "/api/tasks/";
  AEGIR_RETURN_IF_ERROR(job.ValidateStored());
  json vars_json = json::object();
  for (const auto& [k, v] : job.vars) vars_json[k] = v;
  store::NewTask t = NewTaskFor(op, target, user_id);
  t.vars_json = vars_json.dump(-1, ' ', false, json::error_handler_t::replace);
  t.locks = job.LockKeys();
  t.job_json = job.ToStoredJson();
  if (!results.empty()) t.results_json = results.dump(-1, ' ', false, json::error_handler_t::replace);
  store::AuditEntry audit;
  audit.user_id = ctx.actor.user_id;
  audit.actor = ctx.actor.name;
  audit.address = ctx.actor.address;
  audit.action = "operation";
  audit.entity_type = target.entity_type;
  audit.entity_id = target.entity_id;
  audit.details_json = json{{"operation", op.name}, {"values", MaskedValues(op, form)}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
  if (ctx.deferred) {
    ctx.deferred->tasks.push_back(std::move(t));
    ctx.deferred->audit.push_back(std::move(audit));
    AEGIR_RETURN_IF_ERROR(tx.Commit());
    return job;
  }
  auto created = store::CreateTask(ctx.db, t);
  if (!created.ok()) return created.status();
  const int64_t id = *created;
  audit.task_id = id;
  AEGIR_RETURN_IF_ERROR(store::AddAudit(ctx.db, audit));
  job.job_id = id;
  job.feedback_url += std::to_string(id);
  AEGIR_RETURN_IF_ERROR(tx.Commit());
  return job;
}

}  // namespace aegir::web
