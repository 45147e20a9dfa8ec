// Running an operation: the one place that turns a catalogue entry, an entity
// and a user's form values into a task row and a job for the scheduler.
//
// The job's variables are the context (docs/operations.md: what the model
// says about the server, platform and site), then the operation's fixed vars,
// then the form's values; only the variables the operation's roles declare
// are kept, so a role never receives anything it did not ask for.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "common/job.h"
#include "common/db.h"
#include "fcgi-app/catalogue.h"
#include "fcgi-app/operation_form.h"
#include "fcgi-app/services.h"
#include "fcgi-app/store.h"

namespace aegir::web {

// Operation names with effects beyond their status (catalogue names).
inline constexpr const char* kSiteInstall = "site-install";
inline constexpr const char* kSiteVerify = "site-verify";
inline constexpr const char* kSiteClone = "site-clone";
inline constexpr const char* kSiteMigrate = "site-migrate";
inline constexpr const char* kPlatformDeploy = "platform-deploy";
inline constexpr const char* kPlatformDelete = "platform-delete";
inline constexpr const char* kSiteDelete = "site-delete";
inline constexpr const char* kServerVerify = "server-verify";

// What running an operation needs, and nothing of the web: a database
// connection, the catalogue, and the URL executors post feedback to.
// aegir-web's per-thread Context is one; aegir-scheduler makes its own.
//
// actor and scope say who is acting: the audit log names the actor of every
// operation stored, and a client user's scope limits the choices offered
// (target platforms). Unset, they stand for a trusted tool with full access.
struct Actor {
  std::optional<int64_t> user_id;
  std::string name = "aegir client";
  std::string address;
};
struct ModelContext {
  ModelContext(const Catalogue& catalogue, std::string public_url)
      : catalogue(catalogue), public_url(std::move(public_url)) {}
  const Catalogue& catalogue;
  std::string public_url;
  db::Connection db;
  Actor actor;
  store::Scope scope;
  std::set<int64_t> platform_ids;  // a client user's: the platforms they may use
  // When set, StoreOperation leaves the task's row and its audit entry here
  // instead of writing them, and returns the job without its id: the
  // scheduler writes a turn's tasks, then their audit entries, with one
  // statement each, in the same transaction, before it commits (audit[i] is
  // tasks[i]'s, its task_id set once the row is stored).
  struct DeferredWrites {
    std::vector<store::NewTask> tasks;
    std::vector<store::AuditEntry> audit;
  };
  DeferredWrites* deferred = nullptr;
  // When set, the servers' services read once are kept here and read from
  // here again (the scheduler keeps them for one turn's RUNs).
  std::map<int64_t, std::vector<store::Service>>* services_read = nullptr;
  // When set, the sites read ahead (the scheduler reads a turn's RUN targets
  // with one statement), by "#<id>" and by domain: LoadSiteTarget takes a
  // site from here before it reads one.
  std::map<std::string, store::SiteHome>* sites_read = nullptr;
};

// The operation's form values for the audit log: variables declared no_log,
// or named like a secret, show as "********".
nlohmann::json MaskedValues(const Operation& op, const std::map<std::string, nlohmann::json>& form);

// Everything the model says about the entity an operation runs on.
struct Target {
  std::string entity_type;  // server | platform | site
  int64_t entity_id = 0;
  store::Server server;  // the server the roles run on
  std::optional<HttpService> http;
  std::optional<store::Platform> platform;
  std::optional<store::Site> site;
  std::optional<DbService> db;  // the site's database server's
  std::vector<store::Alias> aliases;
};

// Whether an entity in this state offers the operation's button: its status
// is one of the operation's "when" (and a platform to delete has no sites).
// The server checks again when it is run (CheckAllowed).
bool Offered(const Operation& op, const std::string& status, int64_t site_count = 0);

// Loads the entity and what it hangs on. NotFound when it does not exist (or
// is deleted); Internal when stored settings are unreadable.
Result<Target> LoadTarget(ModelContext& ctx, const std::string& entity_type, int64_t entity_id);
// A site's target by id, or (id 0) by the domain of a site not deleted: one
// query for the site, its platform and server, one for its aliases, one for
// the services.
Result<Target> LoadSiteTarget(ModelContext& ctx, int64_t id, const std::string& domain);

// The choices aegir-web fills for this operation's fields.
Result<DynamicChoices> ChoicesFor(ModelContext& ctx, const Operation& op, const Target& target);

// Whether the operation may run on the target now: Conflict with a message a
// user understands (a locked platform, a site that is not disabled...).
Status CheckAllowed(ModelContext& ctx, const Operation& op, const Target& target,
                    const std::map<std::string, nlohmann::json>& form);

// The job's variables: context, fixed, form (filtered by what the roles declare).
std::map<std::string, nlohmann::json> BuildVars(const Operation& op, const Target& target,
                                                const std::map<std::string, nlohmann::json>& form,
                                                const std::optional<store::Platform>& target_platform);

// Records a task that was refused before it started (a follow-up operation
// that CheckAllowed refused): it ends failed at once with "Not started: "
// and the reason, so the refusal shows on the entity's page.
Result<int64_t> RecordRefused(ModelContext& ctx, const Operation& op, const Target& target, const std::string& reason,
                              std::optional<int64_t> user_id);

// Stores the task (queued) with its job in one transaction and returns the
// job (without a feedback token: the scheduler mints one per run; without
// its id when ctx.deferred is set, see there). The caller
// tells the scheduler; the task runs even if that message is lost (the
// scheduler reads queued tasks). `form` has been validated. Whatever the
// caller checked, nothing but a verification is ever sent to a remote server
// whose SSH host key is not recorded (Conflict).
Result<Job> StoreOperation(ModelContext& ctx, const Operation& op, const Target& target,
                           const std::map<std::string, nlohmann::json>& form, std::optional<int64_t> user_id);

// The URL of a site on this web server: http://domain[:port], or https when
// the site requires it and the server offers it.
std::string SiteUrl(const std::string& domain, const std::string& https_mode, const HttpService& http);

}  // namespace aegir::web
