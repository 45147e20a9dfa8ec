// Accounts and access on the real stack: an admin adds a client user, who
// sets a password through a one-time link and then sees and does only what
// their client owns. Every case that tries a violation (as the client user,
// anonymously, with a forged or missing CSRF token) checks the refusal and
// that nothing changed in the database.
//
// The cases build on each other in the order written.
#define BOOST_TEST_MODULE access
#include <boost/test/unit_test.hpp>

#include <regex>

#include "tests/integration/stack.h"

using namespace aegir::testing;

namespace {

BOOST_TEST_GLOBAL_FIXTURE(StackSuite);
Stack& S() { return StackSuite::Get(); }

constexpr const char* kAlicePassword = "correct horse battery staple";

// What the cases share, as they find it.
struct World {
  std::string server;        // /servers/N of localhost
  std::string platform;      // /platforms/N of wordpress (acme may use it)
  std::string other_platform_id;  // a platform acme may not use
  std::string acme_id, beta_id;   // client ids
  std::string alice;         // /users/N
  std::string alice_site;    // /sites/N: acme's, installed by alice
  std::string beta_site_id;  // a site of the other client
  std::string beta_task_id;  // a task on it
};
World w;

// One value from the database (the mariadb client's output, trimmed).
std::string Count(const std::string& sql) {
  std::string out = Sql(S(), sql);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}
std::string Tasks() { return Count("SELECT COUNT(*) FROM aegir.tasks"); }
std::string Sites() { return Count("SELECT COUNT(*) FROM aegir.sites"); }

HttpResult LogInAs(Browser& b, const std::string& name, const std::string& password) {
  HttpResult form = b.Get("/login");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  return b.Post("/login", {{"csrf", Browser::CsrfToken(form.body)}, {"name", name}, {"password", password}});
}

// A form page's CSRF token (any page with a form will do).
std::string Csrf(Browser& b, const std::string& page = "/account") {
  std::string token = Browser::CsrfToken(b.Get(page).body);
  BOOST_REQUIRE(!token.empty());
  return token;
}

}  // namespace

BOOST_AUTO_TEST_CASE(admin_prepares_a_platform_and_two_clients) {
  Browser b(S().url());
  LogIn(b, S());
  w.server = First(b.Get("/servers").body, "href=\"(/servers/[0-9]+)\">localhost<");
  BOOST_REQUIRE(!w.server.empty());
  RunToSuccess(b, w.server, "server-verify");
  w.platform = First(b.Get("/platforms").body, "href=\"(/platforms/[0-9]+)\">wordpress<");
  BOOST_REQUIRE(!w.platform.empty());
  RunToSuccess(b, w.platform, "platform-deploy");

  for (const char* name : {"acme", "beta"}) {
    HttpResult r = b.Post("/clients", {{"csrf", Csrf(b, "/clients")}, {"name", name}});
    BOOST_REQUIRE_EQUAL(r.status, 303);
  }
  w.acme_id = Count("SELECT id FROM aegir.clients WHERE name = 'acme'");
  w.beta_id = Count("SELECT id FROM aegir.clients WHERE name = 'beta'");
  // acme's users may use wordpress; a second platform (never deployed) is not theirs.
  std::string platform_id = w.platform.substr(w.platform.rfind('/') + 1);
  Sql(S(),
      "INSERT INTO aegir.platforms (name, distribution_id, server_id, source, source_path, status) "
      "SELECT 'private', distribution_id, server_id, 'path', '/usr/share/wordpress', 'enabled' "
      "FROM aegir.platforms WHERE id = " + platform_id);
  w.other_platform_id = Count("SELECT id FROM aegir.platforms WHERE name = 'private'");
  HttpResult saved = b.Post("/clients/" + w.acme_id + "/platforms",
                            {{"csrf", Csrf(b, "/clients/" + w.acme_id)}, {"platform_" + platform_id, "1"}});
  BOOST_TEST(saved.status == 303);
  BOOST_TEST(saved.location == "/clients/" + w.acme_id);
  // The message shows once, on the page it leads to.
  std::string after = b.Get(saved.location).body;
  BOOST_TEST(Contains(after, "may use 1 platform"));
  BOOST_TEST(!Contains(b.Get(saved.location).body, "may use 1 platform"));
  BOOST_TEST(Count("SELECT GROUP_CONCAT(platform_id) FROM aegir.client_platforms WHERE client_id = " + w.acme_id) ==
             platform_id);

  // A site and a task of the other client, made directly: their content does
  // not matter, only that alice never reaches them.
  Sql(S(),
      "INSERT INTO aegir.sites (domain, platform_id, db_server_id, client_id, status) "
      "SELECT 'beta.localhost', p.id, p.server_id, " + w.beta_id + ", 'enabled' FROM aegir.platforms p WHERE p.id = " +
          platform_id);
  w.beta_site_id = Count("SELECT id FROM aegir.sites WHERE domain = 'beta.localhost'");
  Sql(S(),
      "INSERT INTO aegir.tasks (operation, entity_type, entity_id, state, vars, feedback_token_hash, finished_at) "
      "VALUES ('site-verify', 'site', " + w.beta_site_id + ", 'succeeded', '{}', '', UTC_TIMESTAMP(3))");
  w.beta_task_id = Count("SELECT MAX(id) FROM aegir.tasks WHERE entity_id = " + w.beta_site_id);
}

BOOST_AUTO_TEST_CASE(admin_adds_a_client_user_who_sets_a_password_through_a_one_time_link) {
  Browser b(S().url());
  LogIn(b, S());
  // A client user needs a client: refused, nothing stored.
  HttpResult refused = b.Post("/users", {{"csrf", Csrf(b, "/users")}, {"name", "alice"}});
  BOOST_TEST(refused.status == 422);
  BOOST_TEST(Contains(refused.body, "a client user acts for at least one client"));
  BOOST_TEST(Count("SELECT COUNT(*) FROM aegir.users WHERE name = 'alice'") == "0");
  HttpResult bad_name = b.Post("/users", {{"csrf", Csrf(b, "/users")}, {"name", "Alice Smith"}});
  BOOST_TEST(bad_name.status == 422);
  BOOST_TEST(Contains(bad_name.body, "User name: 1 to 32 lower-case letters"));

  HttpResult added =
      b.Post("/users", {{"csrf", Csrf(b, "/users")}, {"name", "alice"}, {"client_" + w.acme_id, "1"}});
  BOOST_REQUIRE_EQUAL(added.status, 200);
  std::string link = First(added.body, "value=\"(https?://[^\"]+/password/[0-9a-f]{64})\"");
  BOOST_REQUIRE_MESSAGE(!link.empty(), added.body);
  std::string path = link.substr(link.find("/password/"));
  // Only the link's hash is stored; the user has no usable password yet.
  std::string token = path.substr(std::string("/password/").size());
  BOOST_TEST(Count("SELECT COUNT(*) FROM aegir.users WHERE password_token_hash = '" + token + "'") == "0");
  BOOST_TEST(Count("SELECT password_hash FROM aegir.users WHERE name = 'alice'") == "");
  w.alice = First(b.Get("/users").body, "href=\"(/users/[0-9]+)\">alice<");
  BOOST_REQUIRE(!w.alice.empty());

  Browser alice(S().url());
  BOOST_TEST(LogInAs(alice, "alice", "").status == 401);
  HttpResult form = alice.Get(path);
  BOOST_REQUIRE_EQUAL(form.status, 200);
  BOOST_TEST(Contains(form.body, "Set your password"));
  std::string csrf = Browser::CsrfToken(form.body);
  HttpResult short_one = alice.Post(path, {{"csrf", csrf}, {"password", "short"}, {"repeat", "short"}});
  BOOST_TEST(short_one.status == 422);
  BOOST_TEST(Contains(short_one.body, "too short"));
  HttpResult differ = alice.Post(path, {{"csrf", csrf}, {"password", kAlicePassword}, {"repeat", "something else!"}});
  BOOST_TEST(differ.status == 422);
  BOOST_TEST(Contains(differ.body, "The two passwords differ"));
  HttpResult no_csrf = alice.Post(path, {{"password", kAlicePassword}, {"repeat", kAlicePassword}});
  BOOST_TEST(no_csrf.status == 403);
  BOOST_TEST(Count("SELECT password_hash FROM aegir.users WHERE name = 'alice'") == "");

  HttpResult set = alice.Post(path, {{"csrf", csrf}, {"password", kAlicePassword}, {"repeat", kAlicePassword}});
  BOOST_TEST(set.status == 200);
  BOOST_TEST(Contains(set.body, "Password set"));
  BOOST_TEST(Contains(Count("SELECT password_hash FROM aegir.users WHERE name = 'alice'"), "$argon2id$"));
  // The link works once.
  HttpResult again = alice.Get(path);
  BOOST_TEST(again.status == 404);
  BOOST_TEST(Contains(again.body, "This password link is not valid"));
  BOOST_TEST(alice.Get("/password/" + std::string(64, 'a')).status == 404);
  BOOST_TEST(alice.Get("/password/not-a-token").status == 404);

  HttpResult in = LogInAs(alice, "alice", kAlicePassword);
  BOOST_TEST(in.status == 303);
}

BOOST_AUTO_TEST_CASE(a_client_user_sees_no_admin_page) {
  Browser alice(S().url());
  BOOST_REQUIRE_EQUAL(LogInAs(alice, "alice", kAlicePassword).status, 303);
  HttpResult dash = alice.Get("/");
  BOOST_TEST(dash.status == 200);
  BOOST_TEST(!Contains(dash.body, "href=\"/servers\""));
  BOOST_TEST(!Contains(dash.body, "href=\"/users\""));
  BOOST_TEST(Contains(dash.body, "href=\"/sites\""));
  for (const std::string& page :
       {std::string("/servers"), w.server, w.server + "/edit", std::string("/platforms"), w.platform,
        std::string("/platforms/add"), std::string("/clients"), "/clients/" + w.acme_id, std::string("/users"),
        w.alice, std::string("/audit"), w.server + "/run/server-verify", w.platform + "/run/platform-deploy"}) {
    HttpResult r = alice.Get(page);
    BOOST_TEST(r.status == 403, page << " answered " << r.status);
    BOOST_TEST(Contains(r.body, "Only an administrator may open this page."), page);
  }
  std::string tasks = Tasks(), users = Count("SELECT COUNT(*) FROM aegir.users");
  std::string csrf = Csrf(alice);
  HttpResult r = alice.Post(w.server + "/run/server-verify", {{"csrf", csrf}});
  BOOST_TEST(r.status == 403);
  r = alice.Post("/users", {{"csrf", csrf}, {"name", "mallory"}, {"is_admin", "1"}});
  BOOST_TEST(r.status == 403);
  r = alice.Post(w.alice, {{"csrf", csrf}, {"is_admin", "1"}, {"active", "1"}});
  BOOST_TEST(r.status == 403);
  r = alice.Post("/clients/" + w.acme_id + "/platforms", {{"csrf", csrf}, {"platform_" + w.other_platform_id, "1"}});
  BOOST_TEST(r.status == 403);
  BOOST_TEST(Tasks() == tasks);
  BOOST_TEST(Count("SELECT COUNT(*) FROM aegir.users") == users);
  BOOST_TEST(Count("SELECT is_admin FROM aegir.users WHERE name = 'alice'") == "0");
  BOOST_TEST(Count("SELECT COUNT(*) FROM aegir.client_platforms WHERE client_id = " + w.acme_id) == "1");
}

BOOST_AUTO_TEST_CASE(a_client_user_adds_and_installs_a_site_only_for_their_client_on_their_platforms) {
  Browser alice(S().url());
  BOOST_REQUIRE_EQUAL(LogInAs(alice, "alice", kAlicePassword).status, 303);
  HttpResult form = alice.Get("/sites/add");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  // Only what is theirs is offered; servers are not chosen by client users.
  BOOST_TEST(Contains(form.body, ">acme<"));
  BOOST_TEST(!Contains(form.body, ">beta<"));
  BOOST_TEST(!Contains(form.body, ">default<"));
  BOOST_TEST(!Contains(form.body, ">private"));
  BOOST_TEST(!Contains(form.body, "name=\"db_server_id\""));
  std::string platform_id = w.platform.substr(w.platform.rfind('/') + 1);
  std::string csrf = Browser::CsrfToken(form.body);
  auto fields = [&](const std::string& domain, const std::string& platform, const std::string& client) {
    return std::vector<std::pair<std::string, std::string>>{{"csrf", csrf},
                                                            {"domain", domain},
                                                            {"platform_id", platform},
                                                            {"client_id", client},
                                                            {"aegir_site_admin_email", "alice@example.org"}};
  };
  std::string sites = Sites(), tasks = Tasks();
  HttpResult wrong_client = alice.Post("/sites/add", fields("a.localhost", platform_id, w.beta_id));
  BOOST_TEST(wrong_client.status == 422);
  BOOST_TEST(Contains(wrong_client.body, "Client: choose one of the list."));
  HttpResult wrong_platform = alice.Post("/sites/add", fields("b.localhost", w.other_platform_id, w.acme_id));
  BOOST_TEST(wrong_platform.status == 422);
  BOOST_TEST(Contains(wrong_platform.body, "Platform: choose one of the enabled platforms"));
  HttpResult forged = alice.Post("/sites/add", {{"csrf", std::string(64, '0')},
                                                {"domain", "c.localhost"},
                                                {"platform_id", platform_id},
                                                {"client_id", w.acme_id}});
  BOOST_TEST(forged.status == 403);
  BOOST_TEST(Contains(forged.body, "did not come from this site"));
  // Another session's token is no better than a made-up one.
  Browser admin(S().url());
  LogIn(admin, S());
  HttpResult stolen = alice.Post("/sites/add", {{"csrf", Csrf(admin)},
                                                {"domain", "d.localhost"},
                                                {"platform_id", platform_id},
                                                {"client_id", w.acme_id}});
  BOOST_TEST(stolen.status == 403);
  BOOST_TEST(Sites() == sites);
  BOOST_TEST(Tasks() == tasks);

  HttpResult added = alice.Post("/sites/add", fields("alice.localhost", platform_id, w.acme_id));
  BOOST_REQUIRE_MESSAGE(added.status == 303, added.body);
  w.alice_site = added.location;
  // The database server was chosen for her: the platform's own server.
  BOOST_TEST(Count("SELECT db_server_id = (SELECT server_id FROM aegir.platforms WHERE id = " + platform_id +
                   ") FROM aegir.sites WHERE domain = 'alice.localhost'") == "1");
  std::string html = WaitForTask(alice, NewestTask(alice, w.alice_site));
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", html);
  std::string page = alice.Get(w.alice_site).body;
  BOOST_TEST(Contains(page, "id=\"site-status\">enabled<"));
  BOOST_TEST(!Contains(page, "href=\"/servers/"));
  BOOST_TEST(!Contains(page, "href=\"/platforms/"));
  // The same page for an admin links to its servers and platform.
  std::string admin_view = admin.Get(w.alice_site).body;
  BOOST_TEST(Contains(admin_view, "href=\"" + w.platform + "\""));
  BOOST_TEST(Contains(admin_view, "href=\"/servers/"));
  BOOST_TEST(Contains(admin.Get("/sites/add").body, "<select id=\"db_server_id\" name=\"db_server_id\" required><option"));
  // Her own operations work, and are hers in the task list.
  RunToSuccess(alice, w.alice_site, "site-backup", {{"aegir_backup_description", "mine"}});
  BOOST_TEST(Contains(alice.Get("/tasks").body, "alice.localhost"));
}

BOOST_AUTO_TEST_CASE(a_client_user_cannot_reach_another_clients_site_or_task_by_guessing_ids) {
  Browser alice(S().url());
  BOOST_REQUIRE_EQUAL(LogInAs(alice, "alice", kAlicePassword).status, 303);
  const std::string site = "/sites/" + w.beta_site_id, task = "/tasks/" + w.beta_task_id;
  BOOST_TEST(!Contains(alice.Get("/sites").body, "beta.localhost"));
  BOOST_TEST(!Contains(alice.Get("/tasks").body, "beta.localhost"));
  BOOST_TEST(!Contains(alice.Get("/").body, "beta.localhost"));
  // Exactly like an id that does not exist.
  for (const std::string& page : {site, site + "/edit", site + "/run/site-backup", task}) {
    HttpResult r = alice.Get(page);
    BOOST_TEST(r.status == 404, page << " answered " << r.status);
    BOOST_TEST(!Contains(r.body, "beta.localhost"), page);
  }
  BOOST_TEST(alice.Get("/sites/999999").status == 404);
  HttpResult poll = alice.Get(task + "/log?after=0");
  BOOST_TEST(poll.status == 404);
  BOOST_TEST(!Contains(poll.body, "state"));

  std::string tasks = Tasks();
  std::string csrf = Csrf(alice);
  for (const char* op : {"site-backup", "site-disable", "site-delete"}) {
    HttpResult r = alice.Post(site + "/run/" + op, {{"csrf", csrf}});
    BOOST_TEST(r.status == 404, op);
  }
  HttpResult edit = alice.Post(site + "/edit", {{"csrf", csrf}, {"https", "off"}, {"client_id", w.acme_id}});
  BOOST_TEST(edit.status == 404);
  HttpResult cancel = alice.Post(task + "/cancel", {{"csrf", csrf}});
  BOOST_TEST(cancel.status == 404);
  BOOST_TEST(Tasks() == tasks);
  BOOST_TEST(Count("SELECT client_id FROM aegir.sites WHERE id = " + w.beta_site_id) == w.beta_id);

  // Her own site cannot be handed to another client, nor migrated to a
  // platform her client may not use.
  HttpResult give = alice.Post(w.alice_site + "/edit", {{"csrf", csrf}, {"https", "off"}, {"client_id", w.beta_id}});
  BOOST_TEST(give.status == 422);
  BOOST_TEST(Contains(give.body, "Client: choose one of the list."));
  BOOST_TEST(Count("SELECT client_id FROM aegir.sites WHERE domain = 'alice.localhost'") == w.acme_id);
  HttpResult migrate = alice.Post(w.alice_site + "/run/site-migrate",
                                  {{"csrf", csrf}, {"aegir_target_platform", "private"}});
  BOOST_TEST(migrate.status == 422);
  BOOST_TEST(Tasks() == tasks);
}

BOOST_AUTO_TEST_CASE(anonymous_requests_get_nothing) {
  Browser anon(S().url());
  for (const std::string& page : {std::string("/users"), std::string("/audit"), std::string("/account"),
                                  "/sites/" + w.beta_site_id, "/tasks/" + w.beta_task_id}) {
    HttpResult r = anon.Get(page);
    BOOST_TEST(r.status == 303, page);
    BOOST_TEST(r.location == "/login", page);
  }
  std::string users = Count("SELECT COUNT(*) FROM aegir.users"), tasks = Tasks();
  // No session at all, then an anonymous session's own token: refused either way.
  HttpResult r = anon.Post("/users", {{"name", "mallory"}, {"is_admin", "1"}});
  BOOST_TEST(r.status == 403);
  std::string csrf = Browser::CsrfToken(anon.Get("/login").body);
  r = anon.Post("/users", {{"csrf", csrf}, {"name", "mallory"}, {"is_admin", "1"}});
  BOOST_TEST(r.status == 403);
  r = anon.Post("/sites/" + w.beta_site_id + "/run/site-delete", {{"csrf", csrf}});
  BOOST_TEST(r.status == 403);
  BOOST_TEST(Count("SELECT COUNT(*) FROM aegir.users") == users);
  BOOST_TEST(Tasks() == tasks);
}

BOOST_AUTO_TEST_CASE(a_user_changes_their_password_and_their_other_sessions_end) {
  Browser alice(S().url()), elsewhere(S().url());
  BOOST_REQUIRE_EQUAL(LogInAs(alice, "alice", kAlicePassword).status, 303);
  BOOST_REQUIRE_EQUAL(LogInAs(elsewhere, "alice", kAlicePassword).status, 303);
  const std::string hash = Count("SELECT password_hash FROM aegir.users WHERE name = 'alice'");
  HttpResult wrong = alice.Post("/account/password", {{"csrf", Csrf(alice)},
                                                      {"current", "not it"},
                                                      {"password", "a new long password"},
                                                      {"repeat", "a new long password"}});
  BOOST_TEST(wrong.status == 403);
  BOOST_TEST(Contains(wrong.body, "The current password is wrong; nothing was changed."));
  BOOST_TEST(Count("SELECT password_hash FROM aegir.users WHERE name = 'alice'") == hash);
  const std::string next = "another horse battery staple";
  HttpResult ok = alice.Post("/account/password",
                             {{"csrf", Csrf(alice)}, {"current", kAlicePassword}, {"password", next}, {"repeat", next}});
  BOOST_TEST(ok.status == 200);
  BOOST_TEST(Contains(ok.body, "Your password was changed"));
  BOOST_TEST(alice.Get("/sites").status == 200);
  BOOST_TEST(elsewhere.Get("/sites").status == 303);
  Browser b(S().url());
  BOOST_TEST(LogInAs(b, "alice", kAlicePassword).status == 401);
  BOOST_TEST(LogInAs(b, "alice", next).status == 303);
  // Back to the first password for the cases after this one.
  HttpResult back = b.Post("/account/password",
                           {{"csrf", Csrf(b)}, {"current", next}, {"password", kAlicePassword}, {"repeat", kAlicePassword}});
  BOOST_TEST(back.status == 200);
}

BOOST_AUTO_TEST_CASE(an_admin_disables_a_user_who_is_logged_out_at_once_and_cannot_demote_themselves) {
  Browser admin(S().url()), alice(S().url());
  LogIn(admin, S());
  BOOST_REQUIRE_EQUAL(LogInAs(alice, "alice", kAlicePassword).status, 303);
  BOOST_REQUIRE_EQUAL(alice.Get("/sites").status, 200);
  HttpResult off = admin.Post(w.alice, {{"csrf", Csrf(admin, w.alice)}, {"client_" + w.acme_id, "1"}});
  BOOST_TEST(off.status == 303);
  BOOST_TEST(alice.Get("/sites").status == 303);
  HttpResult refused = LogInAs(alice, "alice", kAlicePassword);
  BOOST_TEST(refused.status == 403);
  BOOST_TEST(Contains(refused.body, "This account is disabled"));

  std::string me = First(admin.Get("/users").body, "href=\"(/users/[0-9]+)\">admin<");
  BOOST_REQUIRE(!me.empty());
  HttpResult demote = admin.Post(me, {{"csrf", Csrf(admin, me)}, {"active", "1"}});
  BOOST_TEST(demote.status == 422);
  BOOST_TEST(Contains(demote.body, "You cannot take your own administrator role away"));
  BOOST_TEST(Count("SELECT is_admin FROM aegir.users WHERE name = 'admin'") == "1");

  HttpResult on =
      admin.Post(w.alice, {{"csrf", Csrf(admin, w.alice)}, {"active", "1"}, {"client_" + w.acme_id, "1"}});
  BOOST_TEST(on.status == 303);
  BOOST_TEST(LogInAs(alice, "alice", kAlicePassword).status == 303);
}

BOOST_AUTO_TEST_CASE(the_audit_log_names_who_did_what) {
  Browser admin(S().url());
  LogIn(admin, S());
  HttpResult page = admin.Get("/audit");
  BOOST_REQUIRE_EQUAL(page.status, 200);
  for (const char* action : {">login<", ">login-failed<", ">user-add<", ">password-set<", ">site-add<",
                             ">operation<", ">client-platforms<", ">user-edit<", ">password-change-failed<"}) {
    BOOST_TEST(Contains(page.body, action), action);
  }
  // alice's backup, with its form value, from her address, with its task.
  std::string row = Count(
      "SELECT CONCAT(actor, ' ', address, ' ', entity_type, ' ', JSON_VALUE(details, '$.operation'), ' ', "
      "JSON_VALUE(details, '$.values.aegir_backup_description'), ' ', task_id IS NOT NULL) FROM aegir.audit_log "
      "WHERE action = 'operation' AND actor = 'alice' AND JSON_VALUE(details, '$.operation') = 'site-backup'");
  BOOST_TEST(row == "alice 127.0.0.1 site site-backup mine 1");
  // Failed logins are nobody's yet: the name tried is in the details.
  BOOST_TEST(Count("SELECT COUNT(*) FROM aegir.audit_log WHERE action = 'login-failed' AND (actor <> 'anonymous' OR "
                   "user_id IS NOT NULL OR JSON_VALUE(details, '$.name') = '')") == "0");
  // Only her entries when asked for.
  std::string id = w.alice.substr(w.alice.rfind('/') + 1);
  HttpResult hers = admin.Get("/audit?user=" + id);
  BOOST_TEST(hers.status == 200);
  BOOST_TEST(Contains(hers.body, ">alice<"));
  BOOST_TEST(!Contains(hers.body, ">client-platforms<"));
  BOOST_TEST(admin.Get("/audit?user=x").status == 400);
  // No password or password link ever reaches the log.
  BOOST_TEST(Count("SELECT COUNT(*) FROM aegir.audit_log WHERE details LIKE '%" + std::string(kAlicePassword) +
                   "%' OR details LIKE '%/password/%'") == "0");
}

BOOST_AUTO_TEST_CASE(a_hostile_value_reaches_ansible_as_data_only) {
  Browser alice(S().url());
  BOOST_REQUIRE_EQUAL(LogInAs(alice, "alice", kAlicePassword).status, 303);
  // A free-text field goes all the way: form, job, vars file, ansible, the
  // feedback. Ansible must neither template it nor hand it to a shell.
  const std::string hostile = "{{ lookup('pipe', 'id') }} $(id) `id`; id";
  std::string html = RunToSuccess(alice, w.alice_site, "site-backup", {{"aegir_backup_description", hostile}});
  BOOST_TEST(!Contains(html, "uid="));
  std::string task_id = First(html, "<h1>Task ([0-9]+)");
  if (task_id.empty()) task_id = Count("SELECT MAX(id) FROM aegir.tasks WHERE operation = 'site-backup'");
  BOOST_TEST(Count("SELECT COUNT(*) FROM aegir.task_log WHERE task_id = " + task_id + " AND line LIKE '%uid=%'") ==
             "0");
  BOOST_TEST(Count("SELECT description FROM aegir.backups ORDER BY id DESC LIMIT 1") == hostile);
  // Variables no role of the operation declares, or that the model provides,
  // cannot be slipped in through the form: they never reach the job.
  HttpResult extra = RunOperation(alice, w.alice_site, "site-backup",
                                  {{"aegir_backup_description", "extra"},
                                   {"ansible_connection", "ssh"},
                                   {"ansible_become", "true"},
                                   {"aegir_site_domain", "victim.localhost"},
                                   {"aegir_server_name", "elsewhere"}});
  BOOST_REQUIRE_EQUAL(extra.status, 303);
  std::string extra_id = extra.location.substr(std::string("/tasks/").size());
  std::string job = Count("SELECT job FROM aegir.tasks WHERE id = " + extra_id);
  BOOST_TEST(Contains(job, "\"aegir_backup_description\":\"extra\""), job);
  BOOST_TEST(!Contains(job, "ansible_connection"), job);
  BOOST_TEST(!Contains(job, "ansible_become"), job);
  BOOST_TEST(!Contains(job, "victim.localhost"), job);
  BOOST_TEST(!Contains(job, "elsewhere"), job);
  BOOST_TEST(TaskState(WaitForTask(alice, extra.location)) == "succeeded");
  // The backup landed where backups go, nowhere else.
  std::string path = Count("SELECT path FROM aegir.backups ORDER BY id DESC LIMIT 1");
  BOOST_TEST(path.rfind(S().var_dir() + "/servers/localhost/backups/", 0) == 0, path);
  BOOST_TEST(path.find("..") == std::string::npos);
}
