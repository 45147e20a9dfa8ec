// Views: each function fills one template's dictionary and renders the page
// inside the common frame (page.tpl). Every template auto-escapes for HTML.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <ctemplate/template.h>

#include "fcgi-app/app.h"
#include "fcgi-app/catalogue.h"
#include "fcgi-app/operation_form.h"
#include "fcgi-app/http.h"
#include "fcgi-app/store.h"

namespace aegir::web::views {

using ctemplate::TemplateDictionary;

// The frame every page shares (page.tpl: title, navigation, the user, the
// one-time flash message); body() is the page's own template's dictionary.
// nav names the highlighted entry ("SITES" shows NAV_SITES), or "".
class Page {
 public:
  Page(const Context& ctx, const std::string& title, const std::string& nav, const std::string& body_template);
  TemplateDictionary& body() { return *body_; }
  TemplateDictionary& root() { return root_; }
  Response Finish(int status = 200);

 private:
  TemplateDictionary root_;
  TemplateDictionary* body_;
};

// A time as a <time> element's parts: section `name` in d with AT (as
// stored, UTC), ISO (its datetime attribute) and AGO; nothing when at is ""
// (the template says what shows then).
void SetTime(TemplateDictionary& d, const std::string& name, const std::string& at);
// Shows IS_ADMIN or IS_CLIENT_USER in d: links and fields only an admin may
// use (the handlers refuse them anyway). A section's contents are looked up
// from the dictionary it was shown in, so it is shown in each dictionary
// whose values it wraps (not template-global).
void ShowRole(const Context& ctx, TemplateDictionary& d);

Response Error(const Context& ctx, int status, const std::string& message, const std::string& back = "/");
Response Login(const Context& ctx, const std::string& csrf, const std::string& name, const std::string& error,
               int status = 200);
// What aegir-scheduler says about itself (its STATUS reply), for the
// dashboard.
struct ExecutorState {
  std::string id;
  int64_t capacity = 0;
  int64_t running = 0;
  int64_t heartbeat_ms_ago = 0;
  std::vector<std::string> labels;
};
struct SchedulerState {
  int64_t queued = 0, running = 0, orphaned = 0;
  bool tasks_read = true;
  std::vector<ExecutorState> executors;
};
struct DashboardPage {
  store::Counts counts;
  std::vector<store::Task> running, queued, failed;  // a few of each, newest first
  std::vector<store::Task> recent;
  // Admins only: the scheduler's state, or why it is not known.
  bool show_scheduler = false;
  std::optional<SchedulerState> scheduler;
  std::string scheduler_error;
};
inline constexpr int kDashboardListSize = 5;
Response Dashboard(const Context& ctx, const DashboardPage& page);
// A server's add/edit form: every field as typed.
struct ServerForm {
  int64_t id = 0;  // 0: adding
  std::string name, hostname, config_root, ssh_user, ssh_port, executor_label;
  std::string http_kind, http_address, http_port, https_port, vhost_dir, reload, php_fpm_socket, platforms_dir;
  std::string db_kind, db_host, db_port, db_socket, db_admin_user, db_admin_defaults_file;
  std::vector<std::string> errors;
};
struct PlatformForm {
  std::string name, source = "path", git_url, git_ref, source_path;
  int64_t server_id = 0, distribution_id = 0;
  std::vector<std::string> errors;
};
// The fields of an operation's form (or of the site form's install part).
struct FieldsForm {
  std::vector<VarSpec> fields;
  DynamicChoices choices;
  std::map<std::string, std::string> values;  // as typed
  std::map<std::string, std::string> errors;  // by field name
};
struct SiteForm {
  int64_t id = 0;  // 0: adding
  std::string domain, profile, https = "off", aliases, redirects;
  int64_t platform_id = 0, db_server_id = 0, client_id = 0;
  std::vector<std::string> errors;
  FieldsForm install;  // the install operation's fields (adding only)
};
struct SiteFormChoices {
  std::vector<store::Platform> platforms;  // enabled ones
  std::vector<store::Server> db_servers;
  std::vector<store::Client> clients;
};
// An operation button: a form posting straight away, or a link to its form.
struct OperationButton {
  const Operation* op;
  std::string path;  // /sites/7/run/site-backup
};

// A page of a list in name order (servers, platforms, clients, users): the
// search and the filters as given, and the keys of the pages around it.
struct NameListPage {
  std::string q;                               // the name starts with this
  std::map<std::string, std::string> filters;  // parameter -> value (status, role, state)
  bool first = true;                           // no page key was given
  std::string prev_before;                     // "" for no Previous link
  std::string next_after;                      // "" on the last page
  bool filtered() const;
};
Response Servers(const Context& ctx, const std::vector<store::Server>& servers, const NameListPage& page = {});
Response ServerFormPage(const Context& ctx, const ServerForm& form, int status = 200);
Response Server(const Context& ctx, const store::Server& server, const std::vector<store::Service>& services,
                const std::vector<store::Platform>& platforms, const std::vector<OperationButton>& operations,
                const std::vector<store::Task>& tasks);
Response Platforms(const Context& ctx, const std::vector<store::Platform>& platforms, const NameListPage& page = {});
Response PlatformFormPage(const Context& ctx, const PlatformForm& form, const std::vector<store::Server>& web_servers,
                          const std::vector<store::Distribution>& distributions, int status = 200);
// sites: its first sites (of platform.site_count).
Response Platform(const Context& ctx, const store::Platform& platform, const std::vector<store::Site>& sites,
                  const std::vector<OperationButton>& operations, const std::vector<store::Task>& tasks);
// A page of /sites: its sites, the filter as given, and the keys of the
// pages around it.
struct SiteListPage {
  std::vector<store::Site> sites;
  store::SiteFilter filter;
  bool first = true;        // no page key was given
  std::string prev_before;  // the key of the Previous link; "" for none
  std::string next_after;   // the key of the Next link; "" on the last page
  // The table's rows as SiteRows rendered them for an admin or not; ""
  // when not rendered yet (Sites renders them).
  std::string rows_html;
  bool rows_for_admin = false;
};
// The rows of the site list's table, auto-escaped by site_rows.tpl (the
// only source of the HTML sites.tpl inserts unescaped).
std::string SiteRows(const std::vector<store::Site>& sites, bool admin);
Response Sites(const Context& ctx, const SiteListPage& page);
Response SiteFormPage(const Context& ctx, const SiteForm& form, const SiteFormChoices& choices, int status = 200);
Response Site(const Context& ctx, const store::Site& site, const std::vector<store::Alias>& aliases,
              const std::vector<store::Backup>& backups, const std::vector<OperationButton>& operations,
              const std::vector<store::Task>& tasks);
// The form of an operation with fields, or the confirmation of a dangerous one.
Response OperationPage(const Context& ctx, const Operation& op, const std::string& entity_label,
                       const std::string& entity_path, const FieldsForm& form,
                       const std::vector<std::string>& errors, int status = 200);
Response Clients(const Context& ctx, const std::vector<store::Client>& clients, const std::string& name,
                 const std::string& error, int status = 200, const NameListPage& page = {});
// A page of /tasks: its tasks, the filter as given (with the name of the
// entity it narrows to, when shown), and the keys of the Newer and Older
// links.
struct TaskListPage {
  std::vector<store::Task> tasks;
  store::TaskFilter filter;
  std::string entity_label;  // the filtered entity's name, "" when unknown
  bool first = true;         // no page key was given
  int64_t newer_after = 0;   // 0: no newer page (or the newest)
  int64_t older_before = 0;  // 0: the last page
};
Response Tasks(const Context& ctx, const TaskListPage& page);
// /tasks with the filter's parameters (and a page key when before or after > 0).
std::string TasksHref(const store::TaskFilter& f, int64_t before = 0, int64_t after = 0);
// Shows the log lines after `after`, a page of at most page_size; "Earlier
// lines" leads one page size back.
// last_page: the `after` of the log's last page, when there are later pages.
Response Task(const Context& ctx, const store::Task& task, const std::vector<store::LogLine>& lines, int64_t after,
              bool more, int page_size, int64_t last_page = 0);
// The live log poll: {"state": ..., "lines": [{"seq": n, "text": ...}], "final": bool, ...}
Response TaskLogJson(const store::Task& task, const std::vector<store::LogLine>& lines);

// Users (admin): the list and the add form (name, admin, clients as typed).
struct UserForm {
  int64_t id = 0;  // 0: adding
  std::string name;
  bool is_admin = false;
  bool active = true;
  std::set<int64_t> client_ids;
  std::vector<std::string> errors;
};
Response Users(const Context& ctx, const std::vector<store::User>& users, const std::vector<store::Client>& clients,
               const UserForm& form, int status = 200, const NameListPage& page = {});
Response User(const Context& ctx, const store::User& user, const std::vector<store::Client>& clients,
              const UserForm& form, int status = 200);
// Shown once to the admin who made it: the link that lets user_name set a password.
Response PasswordLink(const Context& ctx, int64_t user_id, const std::string& user_name, const std::string& url,
                      int valid_hours);
// The form behind a password link (action: its own address).
Response PasswordForm(const Context& ctx, const std::string& user_name, const std::string& action,
                      const std::string& error, int status = 200);
// The logged-in user's own page: change the password.
Response Account(const Context& ctx, const std::string& error, const std::string& notice, int status = 200);
// A client (admin): its users, the platforms its users may put sites on,
// and its first sites of site_count.
Response Client(const Context& ctx, const store::Client& client, const std::vector<store::User>& users,
                const std::vector<store::Platform>& platforms, const std::set<int64_t>& allowed,
                const std::vector<store::Site>& sites, int64_t site_count, int status = 200);
// Only the entries the filter selects are shown (and paged).
// newer_after, older_before: the keys of the Newer and Older links (0: none).
Response Audit(const Context& ctx, const std::vector<store::AuditEntry>& entries, int64_t newer_after,
               int64_t older_before, const store::AuditFilter& filter, bool first = true);
// A short message with one link onwards.
Response Notice(const Context& ctx, const std::string& title, const std::string& message, const std::string& link,
                const std::string& link_text, int status = 200);

bool IsFinalState(const std::string& state);

// Relative times ("3 min ago") are computed against this clock: the system
// clock, or for tests a fixed time (seconds since the epoch; nullopt: the
// system clock again).
void SetNowForTesting(std::optional<int64_t> now);
// "just now", "42 s ago", "3 min ago", "2 h 05 min ago", "yesterday",
// "12 days ago", "on 2026-01-12" for a UTC time "YYYY-MM-DD hh:mm:ss"; the
// text as it is when it is not one.
std::string Ago(const std::string& utc);
// Seconds since the epoch of a UTC time "YYYY-MM-DD hh:mm:ss" (as MariaDB
// gives a DATETIME); nullopt for anything else.
std::optional<int64_t> ParseUtc(const std::string& at);
// "2026-11-27T13:06:30Z" for "2026-11-27 13:06:30"; the text as it is otherwise.
std::string IsoTime(const std::string& utc);
// "850 B", "1.5 KiB", "12.0 MiB".
std::string HumanSize(int64_t bytes);

}  // namespace aegir::web::views
