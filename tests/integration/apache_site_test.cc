// One site on Apache, end to end: the real stack started by scripts/launch,
// and an Apache (and a php-fpm for it) started by this test on a free
// loopback port, added in the UI as a second managed server "apache-local"
// whose web server is Apache. A WordPress platform is deployed on it and a
// site installed, served by Apache by host name, backed up, restored,
// cloned, migrated to a second platform, disabled, enabled and deleted by
// the real roles.
//
// Apache will not run its workers as root, so they run as www-data. They
// must reach two things: the platform's files (the test opens the stack's
// temporary directory for traversal, 0711, as a real server's /var/aegir
// would be), and PHP: a php-fpm of this test whose pool runs as root (so
// PHP can read the sites' settings and reach MariaDB's socket in the
// stack's private run/ directory) and whose socket is laid out as the
// launcher lays out its own: owned by www-data (Apache's workers), group
// aegir-php. The roles give a site's settings and upload directory to the
// socket's group, so the executor's user must belong to it: the launcher
// makes aegir a member of aegir-php, not of www-data.
#define BOOST_TEST_MODULE apache_site
#include <poll.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "common/process.h"
#include "tests/integration/stack.h"

using namespace aegir::testing;
namespace fs = std::filesystem;

namespace {

BOOST_TEST_GLOBAL_FIXTURE(StackSuite);
Stack& S() { return StackSuite::Get(); }

const std::string kTitle = "Served By Apache";
const std::string kDomain = "wp.apache.localhost";

// The Apache and php-fpm of this test, started by the first case.
struct Apache {
  std::string dir;  // <stack temp dir>/apache
  std::string conf;
  std::string fpm_socket;
  int port = 0;
  std::optional<aegir::Process> httpd;
  std::optional<aegir::Process> fpm;
  std::string reload;                     // the server's reload command
  std::optional<SudoersRule> reload_rule;  // as root: lets the executor's user run it through sudo
};
Apache apache;

// What the cases share, as they find it.
struct World {
  std::string server, platform, site, db_name;
};
World w;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  BOOST_REQUIRE_MESSAGE(out.good(), "cannot write " << path);
}

aegir::Process Start(std::vector<std::string> argv) {
  auto p = aegir::Process::Spawn({std::move(argv), {}, "", false});
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return std::move(p).value();
}

std::string Id(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// A page of the site as a visitor of the Apache server gets it.
HttpResult Visit(const std::string& domain) {
  Browser visitor("http://127.0.0.1:" + std::to_string(apache.port));
  return visitor.GetWith("/", {"Host: " + domain + ":" + std::to_string(apache.port)});
}

// Waits for the newest task of an entity (one a form queued) to succeed.
void NewestTaskSucceeds(Browser& b, const std::string& entity) {
  std::string html = WaitForTask(b, NewestTask(b, entity));
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", html);
}

std::string SitesDir() { return S().var_dir() + "/servers/apache-local/platforms/wp-apache/sites/"; }

}  // namespace

BOOST_AUTO_TEST_CASE(start_apache_and_its_php_fpm) {
  BOOST_REQUIRE_MESSAGE(geteuid() == 0, "this test starts Apache, whose workers switch to www-data: run it as root");
  fs::path root = fs::path(S().var_dir()).parent_path();
  apache.dir = (root / "apache").string();
  fs::create_directories(apache.dir + "/run");
  fs::create_directories(apache.dir + "/lock");
  // www-data passes through to the platforms (and to its own socket).
  for (const fs::path& p : {root, fs::path(S().var_dir()), fs::path(apache.dir)}) {
    BOOST_REQUIRE(chmod(p.c_str(), 0711) == 0);
  }
  apache.port = FreePort();
  apache.fpm_socket = apache.dir + "/php-fpm.sock";
  WriteFile(apache.dir + "/php-fpm.conf", "[global]\n"
                                          "error_log = " + apache.dir + "/php-fpm.log\n"
                                          "daemonize = no\n"
                                          "[apache]\n"
                                          "user = root\n"
                                          "group = root\n"
                                          "listen = " + apache.fpm_socket + "\n"
                                          "listen.owner = www-data\n"
                                          "listen.group = aegir-php\n"
                                          "listen.mode = 0660\n"
                                          "pm = ondemand\n"
                                          "pm.max_children = 4\n");
  apache.fpm = Start({"php-fpm8.2", "--nodaemonize", "--allow-to-run-as-root", "--fpm-config",
                      apache.dir + "/php-fpm.conf"});
  std::string vhosts = S().var_dir() + "/servers/apache-local/vhost.d";
  std::string modules;
  for (const char* m : {"mpm_event", "authz_core", "mime", "dir", "alias", "env", "headers", "proxy", "proxy_fcgi"}) {
    modules += std::string("LoadModule ") + m + "_module /usr/lib/apache2/modules/mod_" + m + ".so\n";
  }
  apache.conf = apache.dir + "/apache2.conf";
  WriteFile(apache.conf, "ServerRoot /etc/apache2\n"
                         "DefaultRuntimeDir " + apache.dir + "/run\n"
                         "PidFile " + apache.dir + "/run/apache2.pid\n"
                         "Mutex file:" + apache.dir + "/lock default\n"
                         "ErrorLog " + apache.dir + "/error.log\n"
                         "LogLevel warn\n"
                         "User www-data\nGroup www-data\n" +
                         modules +
                         "TypesConfig /etc/mime.types\n"
                         "ServerName localhost\n"
                         "Listen 127.0.0.1:" + std::to_string(apache.port) + "\n"
                         "<Directory />\n  AllowOverride None\n  Require all denied\n</Directory>\n"
                         "# Names no site claims.\n"
                         "<VirtualHost 127.0.0.1:" + std::to_string(apache.port) + ">\n"
                         "  ServerName default.invalid\n  Redirect 404 /\n</VirtualHost>\n"
                         "IncludeOptional " + vhosts + "/*.conf\n");
  apache.httpd = Start({"/usr/sbin/apache2", "-f", apache.conf, "-DFOREGROUND"});
  // The executor's user reloads it as an administrator would allow it: with
  // sudo, for exactly this command.
  apache.reload = "/usr/sbin/apache2 -f " + apache.conf + " -k graceful";
  if (ExecutorUser() != "root") {
    apache.reload_rule.emplace("aegir-test-apache-" + std::to_string(apache.port),
                               ExecutorUser() + " ALL=(root) NOPASSWD: " + apache.reload);
    apache.reload = "/usr/bin/sudo -n " + apache.reload;
  }
  // Bounded wait until both answer.
  for (int i = 0; i < 100 && !(fs::exists(apache.fpm_socket) && Visit("nobody.invalid").status == 404); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  BOOST_REQUIRE(fs::exists(apache.fpm_socket));
  BOOST_REQUIRE_EQUAL(Visit("nobody.invalid").status, 404);
}

BOOST_AUTO_TEST_CASE(add_and_verify_a_server_whose_web_server_is_apache) {
  Browser b(S().url());
  LogIn(b, S());
  HttpResult form = b.Get("/servers/add");
  HttpResult added = b.Post("/servers/add", {{"csrf", Browser::CsrfToken(form.body)},
                                             {"name", "apache-local"},
                                             {"hostname", "localhost"},
                                             {"http_kind", "apache"},
                                             {"http_address", "127.0.0.1"},
                                             {"http_port", std::to_string(apache.port)},
                                             {"https_port", "0"},
                                             {"reload", apache.reload},
                                             {"php_fpm_socket", apache.fpm_socket},
                                             {"db_kind", "mariadb"},
                                             {"db_socket", S().var_dir() + "/run/mysqld.sock"},
                                             {"db_admin_user", ExecutorUser()}});
  BOOST_REQUIRE_MESSAGE(added.status == 303, added.body);
  w.server = added.location;
  std::string page = b.Get(w.server).body;
  BOOST_TEST(Contains(page, "http: apache"));
  RunToSuccess(b, w.server, "server-verify");
  BOOST_TEST(Contains(b.Get(w.server).body, "badge verified"));
  BOOST_TEST(fs::is_directory(S().var_dir() + "/servers/apache-local/vhost.d"));
}

BOOST_AUTO_TEST_CASE(install_a_wordpress_site_served_by_apache) {
  Browser b(S().url());
  LogIn(b, S());
  HttpResult form = b.Get("/platforms/add");
  HttpResult platform = b.Post("/platforms/add",
                               {{"csrf", Browser::CsrfToken(form.body)},
                                {"name", "wp-apache"},
                                {"server_id", Id(w.server)},
                                {"distribution_id", First(form.body, "<option value=\"([0-9]+)\"[^>]*>WordPress<")},
                                {"source", "path"},
                                {"source_path", "/usr/share/wordpress"}});
  BOOST_REQUIRE_MESSAGE(platform.status == 303, platform.body);
  w.platform = platform.location;
  NewestTaskSucceeds(b, w.platform);  // the deploy queued with the platform

  form = b.Get("/sites/add");
  HttpResult site = b.Post("/sites/add", {{"csrf", Browser::CsrfToken(form.body)},
                                          {"domain", kDomain},
                                          {"platform_id", Id(w.platform)},
                                          {"db_server_id", Id(w.server)},
                                          {"client_id", First(form.body, "<option value=\"([0-9]+)\"[^>]*>default<")},
                                          {"aegir_site_title", kTitle},
                                          {"aegir_site_admin_email", "admin@example.org"}});
  BOOST_REQUIRE_MESSAGE(site.status == 303, site.body);
  w.site = site.location;
  NewestTaskSucceeds(b, w.site);  // the install queued with the site
  std::string page = b.Get(w.site).body;
  BOOST_TEST(Contains(page, "id=\"site-status\">enabled<"));
  w.db_name = First(page, "<dt>Database</dt><dd>([a-z0-9_]+) on");

  HttpResult front = Visit(kDomain);
  BOOST_TEST(front.status == 200);
  BOOST_TEST(Contains(front.body, kTitle));
  BOOST_TEST(Contains(front.headers["server"], "Apache"));
  BOOST_TEST(fs::exists(S().var_dir() + "/servers/apache-local/vhost.d/" + kDomain + ".conf"));
  // nginx, the other web server, does not serve it.
  BOOST_TEST(!Contains(Visit(S(), kDomain).body, kTitle));
}

BOOST_AUTO_TEST_CASE(back_up_disable_and_enable_on_apache) {
  Browser b(S().url());
  LogIn(b, S());
  std::string task = RunToSuccess(b, w.site, "site-backup");
  std::string path = First(task, "id=\"result-backup_path\">([^<]+)<");
  BOOST_REQUIRE(fs::is_regular_file(path));
  auto [code, listing] = Run({"tar", "-tzf", path});
  BOOST_TEST(code == 0);
  BOOST_TEST(Contains(listing, "database.sql"));

  RunToSuccess(b, w.site, "site-disable");
  HttpResult off = Visit(kDomain);
  BOOST_TEST(off.status == 503);
  BOOST_TEST(Contains(off.body, "This site is disabled"));
  BOOST_TEST(!Contains(off.body, kTitle));
  RunToSuccess(b, w.site, "site-enable");
  BOOST_TEST(Contains(Visit(kDomain).body, kTitle));
}

BOOST_AUTO_TEST_CASE(restore_clone_and_migrate_on_apache) {
  Browser b(S().url());
  LogIn(b, S());
  // Restore: the title changed in the database comes back from a backup.
  std::string task = RunToSuccess(b, w.site, "site-backup");
  std::string path = First(task, "id=\"result-backup_path\">([^<]+)<");
  Sql(S(), "UPDATE `" + w.db_name + "`.wp_options SET option_value = 'Changed On Apache' WHERE option_name = 'blogname'");
  BOOST_TEST(Contains(Visit(kDomain).body, "Changed On Apache"));
  RunToSuccess(b, w.site, "site-restore", {{"aegir_backup_file", path}});
  BOOST_TEST(Contains(Visit(kDomain).body, kTitle));

  // Clone: a second domain on the same Apache; both serve.
  RunToSuccess(b, w.site, "site-clone", {{"aegir_new_domain", "copy.apache.localhost"}});
  BOOST_TEST(Contains(Visit("copy.apache.localhost").body, kTitle));
  BOOST_TEST(Contains(Visit(kDomain).body, kTitle));

  // Migrate: to a second platform on the same server.
  HttpResult form = b.Get("/platforms/add");
  HttpResult second = b.Post("/platforms/add",
                             {{"csrf", Browser::CsrfToken(form.body)},
                              {"name", "wp-apache-two"},
                              {"server_id", Id(w.server)},
                              {"distribution_id", First(form.body, "<option value=\"([0-9]+)\"[^>]*>WordPress<")},
                              {"source", "path"},
                              {"source_path", "/usr/share/wordpress"}});
  BOOST_REQUIRE_MESSAGE(second.status == 303, second.body);
  NewestTaskSucceeds(b, second.location);
  RunToSuccess(b, w.site, "site-migrate", {{"aegir_target_platform", "wp-apache-two"}, {"aegir_new_domain", kDomain}});
  BOOST_TEST(Contains(b.Get(w.site).body, ">wp-apache-two</a>"));
  BOOST_TEST(Contains(Visit(kDomain).body, kTitle));
  BOOST_TEST(fs::is_directory(S().var_dir() + "/servers/apache-local/platforms/wp-apache-two/sites/" + kDomain));
  BOOST_TEST(!fs::exists(SitesDir() + kDomain));
}

BOOST_AUTO_TEST_CASE(delete_on_apache_removes_everything_after_a_backup) {
  Browser b(S().url());
  LogIn(b, S());
  int backups = std::stoi(Sql(S(), "SELECT COUNT(*) FROM aegir.backups"));
  RunToSuccess(b, w.site, "site-disable");
  RunToSuccess(b, w.site, "site-delete");
  BOOST_TEST(std::stoi(Sql(S(), "SELECT COUNT(*) FROM aegir.backups")) == backups + 1);
  BOOST_TEST(!fs::exists(S().var_dir() + "/servers/apache-local/vhost.d/" + kDomain + ".conf"));
  BOOST_TEST(!fs::exists(S().var_dir() + "/servers/apache-local/platforms/wp-apache-two/sites/" + kDomain));
  BOOST_TEST(Sql(S(), "SHOW DATABASES LIKE '" + w.db_name + "'").empty());
  BOOST_TEST(std::stoi(Sql(S(), "SELECT COUNT(*) FROM mysql.user WHERE User = '" + w.db_name + "'")) == 0);
  BOOST_TEST(Visit(kDomain).status == 404);  // Apache's default answer: no site claims the name
  BOOST_TEST(Contains(Visit("copy.apache.localhost").body, kTitle));  // the clone lives on
}

BOOST_AUTO_TEST_CASE(everything_stops) {
  std::vector<int> left = S().Stop();
  BOOST_TEST(left.empty(), "processes left running after the launcher ended: " << left.size());
  for (auto* p : {&apache.httpd, &apache.fpm}) {
    if (*p) BOOST_TEST((*p)->Terminate(std::chrono::milliseconds(5000)).ok());
  }
  BOOST_TEST(ProcessesMentioning(apache.dir).empty());
}
