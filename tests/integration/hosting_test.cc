// The hosting model end to end on the local server: the real stack started
// by scripts/launch (MariaDB, nginx, php-fpm, aegir-web, the scheduler, an
// executor), operations run by the real ansible-playbook with the roles in
// roles/, and the WordPress sites they make fetched through nginx by name.
//
// The cases build on each other in the order written (Boost.Test runs them
// so): a platform is deployed, a site installed, backed up, restored, cloned,
// disabled, enabled, migrated and deleted.
#define BOOST_TEST_MODULE hosting
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <regex>
#include <thread>

#include "tests/integration/stack.h"

using namespace aegir::testing;
namespace fs = std::filesystem;

namespace {

BOOST_TEST_GLOBAL_FIXTURE(StackSuite);
Stack& S() { return StackSuite::Get(); }

// What the cases share, as they find it.
struct World {
  std::string server;     // /servers/N of "localhost"
  std::string platform;   // /platforms/N of "wordpress"
  std::string platform2;  // /platforms/N of "wordpress-two"
  std::string site;       // /sites/N of blog.localhost
  std::string clone;      // /sites/N of copy.localhost
  std::string db_name;    // blog.localhost's database
};
World w;

const std::string kTitle = "Aegir Test Blog";

std::string LoggedIn(Browser& b) { return LogIn(b, S()); }

HttpResult Site(Browser&, const std::string& domain, const std::string& path = "/") {
  return Visit(S(), domain, path);
}

// Posts the add-site form for domain on the platform (with the first
// database server and client); more fields may be added. Returns the answer.
HttpResult AddSite(Browser& b, const std::string& domain, const std::string& platform,
                   std::vector<std::pair<std::string, std::string>> more = {}) {
  HttpResult form = b.Get("/sites/add");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  std::vector<std::pair<std::string, std::string>> fields = {
      {"csrf", Browser::CsrfToken(form.body)},
      {"domain", domain},
      {"platform_id", platform.substr(std::string("/platforms/").size())},
      {"db_server_id", First(form.body, "<select id=\"db_server_id\"[^>]*><option value=\"([0-9]+)\"")},
      {"client_id", First(form.body, "<select id=\"client_id\"[^>]*><option value=\"([0-9]+)\"")},
      {"aegir_site_admin_email", "admin@example.org"}};
  fields.insert(fields.end(), more.begin(), more.end());
  return b.Post("/sites/add", fields);
}

int TaskCount(Browser& b) {
  return std::stoi(Sql(S(), "SELECT COUNT(*) FROM aegir.tasks"));
}

std::string SitesDir(const std::string& platform) {
  return S().var_dir() + "/servers/localhost/platforms/" + platform + "/sites/";
}

}  // namespace

BOOST_AUTO_TEST_CASE(verify_the_local_server_and_deploy_wordpress) {
  Browser b(S().url());
  LoggedIn(b);
  w.server = First(b.Get("/servers").body, "href=\"(/servers/[0-9]+)\">localhost<");
  BOOST_REQUIRE(!w.server.empty());
  RunToSuccess(b, w.server, "server-verify");
  BOOST_TEST(Contains(b.Get(w.server).body, "badge verified"));

  w.platform = First(b.Get("/platforms").body, "href=\"(/platforms/[0-9]+)\">wordpress<");
  BOOST_REQUIRE(!w.platform.empty());
  RunToSuccess(b, w.platform, "platform-deploy");
  std::string page = b.Get(w.platform).body;
  BOOST_TEST(Contains(page, "id=\"platform-status\">enabled<"));
  BOOST_TEST(fs::exists(S().var_dir() + "/servers/localhost/platforms/wordpress/wp-includes/version.php"));
}

BOOST_AUTO_TEST_CASE(install_a_wordpress_site_and_fetch_it_by_name) {
  Browser b(S().url());
  LoggedIn(b);
  HttpResult form = b.Get("/sites/add");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  // Install fields come from the install roles' declared variables.
  BOOST_TEST(Contains(form.body, "name=\"aegir_site_admin_email\""));
  HttpResult added = AddSite(b, "blog.localhost", w.platform,
                             {{"https", "off"},
                              {"aliases", "www.blog.localhost"},
                              {"aegir_site_title", kTitle},
                              {"aegir_site_admin_user", "admin"}});
  BOOST_REQUIRE_MESSAGE(added.status == 303, added.body);
  w.site = added.location;
  // The install was queued with the site.
  std::string html = WaitForTask(b, NewestTask(b, w.site));
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", html);
  std::string page = b.Get(w.site).body;
  BOOST_TEST(Contains(page, "id=\"site-status\">enabled<"));
  // No backup yet: nothing offers to restore or delete one.
  BOOST_TEST(Contains(page, "No backups yet."));
  BOOST_TEST(Contains(page, "/run/site-backup\""));
  BOOST_TEST(!Contains(page, "/run/site-restore"));
  BOOST_TEST(!Contains(page, "/run/site-backup-delete"));
  w.db_name = First(page, "<dt>Database</dt><dd>([a-z0-9_]+) on");
  BOOST_TEST(!w.db_name.empty());

  HttpResult front = Site(b, "blog.localhost");
  BOOST_TEST(front.status == 200);
  BOOST_TEST(Contains(front.body, kTitle));
  // The alias reaches the site too (WordPress itself sends it on to its
  // canonical address).
  HttpResult alias = Site(b, "www.blog.localhost");
  BOOST_TEST(alias.headers["x-redirect-by"] == "WordPress");
  BOOST_TEST(Contains(alias.location, "blog.localhost"));
  // The control panel still answers its own address.
  BOOST_TEST(Contains(b.Get("/").body, "<h1>Dashboard</h1>"));
}

BOOST_AUTO_TEST_CASE(back_up_change_and_restore) {
  Browser b(S().url());
  LoggedIn(b);
  std::string task = RunToSuccess(b, w.site, "site-backup", {{"aegir_backup_description", "before the change"}});
  std::string path = First(task, "id=\"result-backup_path\">([^<]+)<");
  BOOST_REQUIRE(!path.empty());
  BOOST_TEST(fs::is_regular_file(path));
  BOOST_TEST(fs::file_size(path) > 1000u);
  auto [code, listing] = Run({"tar", "-tzf", path});
  BOOST_TEST(code == 0);
  BOOST_TEST(Contains(listing, "database.sql"));
  std::string page = b.Get(w.site).body;
  BOOST_TEST(Contains(page, path));
  BOOST_TEST(Contains(page, "before the change"));
  BOOST_TEST(Contains(page, "/run/site-restore\""));
  BOOST_TEST(Contains(page, "/run/site-backup-delete\""));

  Sql(S(), "UPDATE `" + w.db_name + "`.wp_options SET option_value = 'Changed Title' WHERE option_name = 'blogname'");
  BOOST_TEST(Contains(Site(b, "blog.localhost").body, "Changed Title"));

  // The restore form offers this site's backups.
  HttpResult form = b.Get(w.site + "/run/site-restore");
  BOOST_TEST(form.status == 200);
  BOOST_TEST(Contains(form.body, "<option value=\"" + path + "\""));
  // The backup's row on the site page has a Restore button: a form posting
  // the CSRF token and that backup, nothing else to fill in.
  std::string page_now = b.Get(w.site).body;
  size_t hidden = page_now.find("name=\"aegir_backup_file\" value=\"" + path + "\"");
  BOOST_REQUIRE_MESSAGE(hidden != std::string::npos, "no Restore button for " << path);
  size_t form_at = page_now.rfind("<form method=\"post\" action=\"", hidden);
  BOOST_REQUIRE(form_at != std::string::npos);
  std::string action = First(page_now.substr(form_at), "action=\"([^\"]+)\"");
  BOOST_TEST(action == w.site + "/run/site-restore");
  HttpResult pressed = b.Post(action, {{"csrf", Browser::CsrfToken(page_now)}, {"aegir_backup_file", path}});
  BOOST_REQUIRE_EQUAL(pressed.status, 303);
  BOOST_REQUIRE(pressed.location.rfind("/tasks/", 0) == 0);
  // The task page says once what was queued.
  std::string queued = b.Get(pressed.location).body;
  BOOST_TEST(Contains(queued, "role=\"status\" id=\"flash\">Restore of blog.localhost queued as task #" +
                                  pressed.location.substr(7) + ".<"),
             queued.substr(0, 3000));
  BOOST_TEST(TaskState(WaitForTask(b, pressed.location)) == "succeeded");
  BOOST_TEST(!Contains(b.Get(pressed.location).body, "id=\"flash\""));
  std::string front = Site(b, "blog.localhost").body;
  BOOST_TEST(Contains(front, kTitle));
  BOOST_TEST(!Contains(front, "Changed Title"));
  // A backup was taken before the restore.
  BOOST_TEST(std::stoi(Sql(S(), "SELECT COUNT(*) FROM aegir.backups")) >= 2);
}

BOOST_AUTO_TEST_CASE(delete_a_backup) {
  Browser b(S().url());
  LoggedIn(b);
  std::string path = Sql(S(), "SELECT path FROM aegir.backups ORDER BY id LIMIT 1");
  path.erase(path.find_last_not_of('\n') + 1);
  BOOST_REQUIRE(fs::exists(path));
  RunToSuccess(b, w.site, "site-backup-delete", {{"aegir_backup_file", path}});
  BOOST_TEST(!fs::exists(path));
  BOOST_TEST(!Contains(b.Get(w.site).body, path));
}

BOOST_AUTO_TEST_CASE(one_time_login_link_and_cron) {
  Browser b(S().url());
  LoggedIn(b);
  std::string task = RunToSuccess(b, w.site, "site-login-reset");
  std::string link = First(task, "id=\"result-login_url\"><a href=\"([^\"]+)\"");
  BOOST_TEST(Contains(link, "http://blog.localhost:" + std::to_string(S().port()) + "/wp-login.php?action=rp"));
  // The link is on the task page, never in its log.
  std::string key = First(link, "key=([A-Za-z0-9]+)");
  BOOST_REQUIRE(!key.empty());
  BOOST_TEST(!Contains(task.substr(task.find("id=\"log\"")), key));
  RunToSuccess(b, w.site, "site-cron");
}

// The operation docs/operations.md builds step by step: a form field with
// choices, checked before anything is queued, and a report in the log.
BOOST_AUTO_TEST_CASE(disk_usage_lists_the_largest_directories) {
  Browser b(S().url());
  LoggedIn(b);
  HttpResult refused = RunOperation(b, w.site, "site-disk-usage", {{"aegir_disk_usage_top", "7"}});
  BOOST_TEST(refused.status == 422, refused.status);
  BOOST_TEST(refused.location.empty());
  std::string task = RunToSuccess(b, w.site, "site-disk-usage", {{"aegir_disk_usage_top", "5"}});
  BOOST_TEST(Contains(task, "blog.localhost: "), task);
  BOOST_TEST(Contains(task, " in total; the largest directories:"), task);
  BOOST_TEST(Contains(task, "/sites/blog.localhost/wp-content"), task);
}

BOOST_AUTO_TEST_CASE(aliases_redirects_and_https_through_an_edit) {
  Browser b(S().url());
  LoggedIn(b);
  HttpResult form = b.Get(w.site + "/edit");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  std::string client = First(form.body, "<option value=\"([0-9]+)\" selected>default<");
  HttpResult saved = b.Post(w.site + "/edit", {{"csrf", Browser::CsrfToken(form.body)},
                                              {"client_id", client},
                                              {"https", "on"},
                                              {"aliases", "www.blog.localhost"},
                                              {"redirects", "old.blog.localhost"}});
  BOOST_REQUIRE_MESSAGE(saved.status == 303, saved.body);
  // The edit queued a verify, which rewrites the vhost.
  std::string html = WaitForTask(b, NewestTask(b, w.site));
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", html);
  BOOST_TEST(Contains(html, "Verify"));
  HttpResult old = Site(b, "old.blog.localhost");
  BOOST_TEST(old.status == 301);
  BOOST_TEST(old.headers["x-redirect-by"] != "WordPress");  // the web server's own redirect
  BOOST_TEST(Contains(old.location, "blog.localhost"));
  BOOST_TEST(!Contains(old.location, "old.blog"));
  // HTTPS with a self-signed certificate, on the server's HTTPS port.
  Browser tls("https://127.0.0.1:" + std::to_string(S().https_port()));
  tls.AcceptAnyCertificate();
  HttpResult secure = tls.GetWith("/", {"Host: blog.localhost:" + std::to_string(S().https_port())});
  BOOST_TEST(secure.status != 0);
  BOOST_TEST(fs::exists(S().var_dir() + "/servers/localhost/ssl/blog.localhost.crt"));
  BOOST_TEST(Contains(Site(b, "blog.localhost").body, kTitle));  // HTTP still serves with "on"
}

BOOST_AUTO_TEST_CASE(clone_to_a_second_domain) {
  Browser b(S().url());
  LoggedIn(b);
  RunToSuccess(b, w.site, "site-clone", {{"aegir_new_domain", "copy.localhost"}});
  BOOST_TEST(Contains(Site(b, "copy.localhost").body, kTitle));
  BOOST_TEST(Contains(Site(b, "blog.localhost").body, kTitle));
  std::string sites = b.Get("/sites").body;
  w.clone = First(sites, "href=\"(/sites/[0-9]+)\">copy.localhost<");
  BOOST_REQUIRE(!w.clone.empty());
  BOOST_TEST(Contains(b.Get(w.clone).body, "id=\"site-status\">enabled<"));
}

BOOST_AUTO_TEST_CASE(disable_and_enable) {
  Browser b(S().url());
  LoggedIn(b);
  RunToSuccess(b, w.site, "site-disable");
  BOOST_TEST(Contains(b.Get(w.site).body, "id=\"site-status\">disabled<"));
  HttpResult off = Site(b, "blog.localhost");
  BOOST_TEST(Contains(off.body, "This site is disabled"));
  BOOST_TEST(!Contains(off.body, kTitle));
  RunToSuccess(b, w.site, "site-enable");
  BOOST_TEST(Contains(b.Get(w.site).body, "id=\"site-status\">enabled<"));
  BOOST_TEST(Contains(Site(b, "blog.localhost").body, kTitle));
}

BOOST_AUTO_TEST_CASE(a_locked_platform_takes_no_new_sites) {
  Browser b(S().url());
  LoggedIn(b);
  RunToSuccess(b, w.platform, "platform-lock");
  BOOST_TEST(Contains(b.Get(w.platform).body, "id=\"platform-status\">locked<"));
  std::string platform_id = w.platform.substr(std::string("/platforms/").size());
  BOOST_TEST(!Contains(b.Get("/sites/add").body, ">wordpress (WordPress on localhost)<"));
  HttpResult form = b.Get("/sites/add");
  HttpResult r = b.Post("/sites/add", {{"csrf", Browser::CsrfToken(form.body)},
                                       {"domain", "locked.localhost"},
                                       {"platform_id", platform_id}});
  BOOST_TEST(r.status == 422);
  BOOST_TEST(Contains(r.body, "a locked platform takes no new sites"));
  // Verifying the server verifies its platforms; a locked one stays locked.
  std::string before = NewestTask(b, w.platform);
  RunToSuccess(b, w.server, "server-verify");
  // (queued when the server's verify ended: wait for it to appear, bounded)
  std::string verify = NewestTask(b, w.platform);
  for (int i = 0; i < 100 && verify == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    verify = NewestTask(b, w.platform);
  }
  BOOST_REQUIRE(verify != before);
  std::string html = WaitForTask(b, verify);
  BOOST_TEST(TaskState(html) == "succeeded");
  BOOST_TEST(Contains(html, "<h1>Verify"));
  BOOST_TEST(Contains(b.Get(w.platform).body, "id=\"platform-status\">locked<"));
  RunToSuccess(b, w.platform, "platform-unlock");
  BOOST_TEST(Contains(b.Get(w.platform).body, "id=\"platform-status\">enabled<"));
  BOOST_TEST(Contains(b.Get("/sites/add").body, ">wordpress (WordPress on localhost)<"));
}

BOOST_AUTO_TEST_CASE(migrate_to_a_second_platform) {
  Browser b(S().url());
  LoggedIn(b);
  HttpResult form = b.Get("/platforms/add");
  std::string dist = First(form.body, "<option value=\"([0-9]+)\"[^>]*>WordPress<");
  std::string server_id = w.server.substr(std::string("/servers/").size());
  HttpResult added = b.Post("/platforms/add", {{"csrf", Browser::CsrfToken(form.body)},
                                               {"name", "wordpress-two"},
                                               {"server_id", server_id},
                                               {"distribution_id", dist},
                                               {"source", "path"},
                                               {"source_path", "/usr/share/wordpress"}});
  BOOST_REQUIRE_MESSAGE(added.status == 303, added.body);
  w.platform2 = added.location;
  // The deploy was queued with the platform.
  std::string html = WaitForTask(b, NewestTask(b, w.platform2));
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", html);

  RunToSuccess(b, w.site, "site-migrate",
               {{"aegir_target_platform", "wordpress-two"}, {"aegir_new_domain", "blog.localhost"}});
  BOOST_TEST(Contains(b.Get(w.site).body, ">wordpress-two</a>"));
  BOOST_TEST(Contains(Site(b, "blog.localhost").body, kTitle));
  BOOST_TEST(fs::is_directory(SitesDir("wordpress-two") + "blog.localhost"));
  BOOST_TEST(!fs::exists(SitesDir("wordpress") + "blog.localhost"));
}

BOOST_AUTO_TEST_CASE(every_operation_refuses_a_bad_value_and_changes_nothing) {
  Browser b(S().url());
  LoggedIn(b);
  int tasks = TaskCount(b);
  struct Bad {
    std::string op;
    std::vector<std::pair<std::string, std::string>> fields;
    std::string says;
  };
  const Bad cases[] = {
      {"site-restore", {{"aegir_backup_file", "/etc/shadow"}}, "choose one of the values offered"},
      {"site-backup-delete", {{"aegir_backup_file", "/tmp/../etc/passwd"}}, "Backup file:"},
      {"site-clone", {{"aegir_new_domain", "copy..localhost; rm -rf /"}}, "New domain:"},
      {"site-clone", {{"aegir_new_domain", "copy.localhost"}}, "already used by the site copy.localhost"},
      {"site-migrate", {{"aegir_target_platform", "no-such-platform"}, {"aegir_new_domain", "blog.localhost"}},
       "Target platform:"},
      {"site-migrate", {{"aegir_target_platform", "wordpress-two"}, {"aegir_new_domain", "blog.localhost"}},
       "this migration would change nothing"},
      {"site-backup", {{"aegir_backup_description", "line\nbreak"}}, "Backup description:"},
      {"site-delete", {}, "Disable the site before deleting it."},
  };
  for (const auto& c : cases) {
    HttpResult r = RunOperation(b, w.site, c.op, c.fields);
    BOOST_TEST_CONTEXT(c.op) {
      BOOST_TEST((r.status == 422 || r.status == 409), "HTTP " << r.status);
      BOOST_TEST(Contains(r.body, c.says), r.body);
    }
  }
  // A platform with sites cannot be deleted.
  HttpResult busy = RunOperation(b, w.platform2, "platform-delete");
  BOOST_TEST(busy.status == 409);
  BOOST_TEST(Contains(busy.body, "still has 1 site(s)"));
  BOOST_TEST(TaskCount(b) == tasks);
  BOOST_TEST(Contains(Site(b, "blog.localhost").body, kTitle));
}

BOOST_AUTO_TEST_CASE(a_failed_install_leaves_nothing_and_can_be_forgotten) {
  Browser b(S().url());
  LoggedIn(b);
  // Something already sits where the new site's files would go.
  std::string in_the_way = SitesDir("wordpress") + "fail.localhost";
  fs::create_directories(in_the_way + "/precious");
  HttpResult added = AddSite(b, "fail.localhost", w.platform);
  BOOST_REQUIRE_MESSAGE(added.status == 303, added.body);
  std::string html = WaitForTask(b, NewestTask(b, added.location));
  BOOST_TEST(TaskState(html) == "failed");
  BOOST_TEST(Contains(html, "id=\"task-reason\">"));
  std::string page = b.Get(added.location).body;
  BOOST_TEST(Contains(page, "id=\"site-status\">failed<"));
  std::string db = First(page, "<dt>Database</dt><dd>([a-z0-9_]+) on");
  BOOST_TEST(Sql(S(), "SHOW DATABASES LIKE '" + db + "'").empty());
  BOOST_TEST(!fs::exists(S().var_dir() + "/servers/localhost/vhost.d/fail.localhost.conf"));
  BOOST_TEST(fs::is_directory(in_the_way + "/precious"));  // what was there is untouched
  // Deleting a site whose install failed forgets it: there is nothing to remove.
  HttpResult forget = RunOperation(b, added.location, "site-delete");
  BOOST_TEST(forget.status == 303);
  BOOST_TEST(!Contains(b.Get("/sites").body, ">fail.localhost<"));
  fs::remove_all(in_the_way);
}

BOOST_AUTO_TEST_CASE(delete_takes_a_backup_and_removes_everything) {
  Browser b(S().url());
  LoggedIn(b);
  int backups = std::stoi(Sql(S(), "SELECT COUNT(*) FROM aegir.backups"));
  RunToSuccess(b, w.site, "site-disable");
  RunToSuccess(b, w.site, "site-delete");
  BOOST_TEST(std::stoi(Sql(S(), "SELECT COUNT(*) FROM aegir.backups")) == backups + 1);
  BOOST_TEST(!fs::exists(S().var_dir() + "/servers/localhost/vhost.d/blog.localhost.conf"));
  BOOST_TEST(!fs::exists(SitesDir("wordpress-two") + "blog.localhost"));
  BOOST_TEST(Sql(S(), "SHOW DATABASES LIKE '" + w.db_name + "'").empty());
  BOOST_TEST(std::stoi(Sql(S(), "SELECT COUNT(*) FROM mysql.user WHERE User = '" + w.db_name + "'")) == 0);
  BOOST_TEST(!Contains(Site(b, "blog.localhost").body, kTitle));
  BOOST_TEST(!Contains(b.Get("/sites").body, ">blog.localhost<"));
  // The clone lives on.
  BOOST_TEST(Contains(Site(b, "copy.localhost").body, kTitle));
}

BOOST_AUTO_TEST_CASE(migrate_with_a_new_domain_keeps_the_database) {
  Browser b(S().url());
  LoggedIn(b);
  std::string db = First(b.Get(w.clone).body, "<dt>Database</dt><dd>([a-z0-9_]+) on");
  BOOST_REQUIRE(!db.empty());
  RunToSuccess(b, w.clone, "site-migrate",
               {{"aegir_target_platform", "wordpress"}, {"aegir_new_domain", "moved.localhost"}});
  std::string page = b.Get(w.clone).body;
  BOOST_TEST(Contains(page, "<h1>moved.localhost</h1>"));
  // The database it records is the one that exists and serves the site.
  BOOST_TEST(First(page, "<dt>Database</dt><dd>([a-z0-9_]+) on") == db);
  BOOST_TEST(!Sql(S(), "SHOW DATABASES LIKE '" + db + "'").empty());
  BOOST_TEST(Contains(Site(b, "moved.localhost").body, kTitle));
  BOOST_TEST(!Contains(Site(b, "copy.localhost").body, kTitle));
}

BOOST_AUTO_TEST_CASE(sigterm_stops_every_process) {
  std::vector<int> left = S().Stop();
  BOOST_TEST(left.empty(), "processes left running after the launcher ended: " << left.size());
}
