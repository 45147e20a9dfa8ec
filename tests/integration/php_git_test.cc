// The "PHP or static site" installer end to end on the local server, with
// the code from a git repository: the real stack started by scripts/launch,
// operations run by the real ansible-playbook with the roles in roles/, the
// real git cloning a file:/// repository this test makes, and the site
// fetched through nginx by name as a visitor would.
//
// The cases build on each other in the order written (Boost.Test runs them
// so): a repository is made, a platform deployed from its branch main, a site
// installed on it, main moved on and the platform deployed again, a second
// platform deployed at the first commit, bad repositories and refs refused
// with nothing stored or queued, the site backed up and cloned, and the stack
// stopped. A case that needs what an earlier one failed to make stops at once
// (Need), so one failure does not cascade.
#define BOOST_TEST_MODULE php_git
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <thread>

#include "common/temp_dir.h"
#include "tests/integration/stack.h"

using namespace aegir::testing;
namespace fs = std::filesystem;

namespace {

BOOST_TEST_GLOBAL_FIXTURE(StackSuite);
Stack& S() { return StackSuite::Get(); }

// Printed by the two commits' index.php: what a visitor sees of each.
const std::string kMarkerOne = "Marker one: tangerine";
const std::string kMarkerTwo = "Marker two: kumquat";
// A row the test puts into the site's database; the page prints it when it
// reads the database with the settings Aegir wrote.
const std::string kNote = "note: hello from the site database";

// What the cases share, as they find it.
struct World {
  std::optional<aegir::TempDir> tmp;  // holds the repository
  std::string repo;                   // its directory
  std::string url;                    // file:///<repo>
  std::string first, second;          // the two commits of main
  std::string server_id;              // the local server "localhost"
  std::string platform;               // /platforms/N of "php-app" (main)
  std::string site;                   // /sites/N of app.localhost
  std::string db_name;                // app.localhost's database
  std::string clone;                  // /sites/N of app-copy.localhost
};
World w;

const std::string kDomain = "app.localhost";
const std::string kCloneDomain = "app-copy.localhost";

std::string Trim(std::string s) {
  s.erase(s.find_last_not_of(" \t\r\n") + 1);
  s.erase(0, s.find_first_not_of(" \t\r\n"));
  return s;
}

// git in the test's repository; the test fails when git does.
std::string Git(std::vector<std::string> args) {
  std::vector<std::string> argv = {
      "git", "-C", w.repo, "-c", "user.name=Aegir Test", "-c", "user.email=test@example.org",
      // The repository belongs to the executor's user (below); this is the test's own git.
      "-c", "safe.directory=*"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto [code, out] = Run(argv);
  BOOST_REQUIRE_MESSAGE(code == 0, "git " << args[0] << " failed: " << out);
  return out;
}

// The application's front page: a marker, then what it reads from the
// settings Aegir wrote for the site named by AEGIR_SITE and from the site's
// database through them.
std::string IndexPhp(const std::string& marker) {
  return R"(<?php
header('Content-Type: text/plain; charset=utf-8');
echo ")" +
         marker + R"(\n";
$settings = require __DIR__ . '/sites/' . $_SERVER['AEGIR_SITE'] . '/settings.php';
echo "site: {$settings['domain']}\n";
try {
    $db = new mysqli($settings['db_host'], $settings['db_user'], $settings['db_password'],
                     $settings['db_name'], $settings['db_port'],
                     $settings['db_socket'] !== '' ? $settings['db_socket'] : null);
    echo 'database: ', $db->query('SELECT DATABASE()')->fetch_row()[0], "\n";
    if ($db->query("SHOW TABLES LIKE 'notes'")->num_rows > 0) {
        foreach ($db->query('SELECT body FROM notes') as $row) {
            echo "note: {$row['body']}\n";
        }
    }
} catch (Throwable $e) {
    echo 'database error: ', $e->getMessage(), "\n";
}
)";
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << content;
  BOOST_REQUIRE_MESSAGE(f.good(), "cannot write " << path);
}

// Commits index.php with marker on main; returns the new commit.
std::string CommitIndex(const std::string& marker, const std::string& message) {
  WriteFile(w.repo + "/index.php", IndexPhp(marker));
  Git({"add", "index.php"});
  Git({"commit", "-q", "-m", message});
  return Trim(Git({"rev-parse", "main"}));
}

// The newest task of an entity page's task table.
// Presses an operation's button on the entity's page (the button's own form
// and CSRF token), or posts its form page when it has one; the task must be
// queued and succeed. Returns the ended task's page.
std::string PressToSuccess(Browser& b, const std::string& entity, const std::string& op,
                         std::vector<std::pair<std::string, std::string>> fields = {}) {
  HttpResult page = b.Get(entity);
  BOOST_REQUIRE_EQUAL(page.status, 200);
  std::string path = entity + "/run/" + op;
  std::string csrf;
  if (fields.empty()) {
    // A button without a form: <form method="post" action="path"> <input csrf>.
    std::string button = First(page.body, "(<form method=\"post\" action=\"" + path + "\">[^<]*<input[^>]*>)");
    BOOST_REQUIRE_MESSAGE(!button.empty(), entity << " shows no " << op << " button");
    csrf = Browser::CsrfToken(button);
  } else {
    BOOST_REQUIRE_MESSAGE(Contains(page.body, "href=\"" + path + "\""), entity << " offers no " << op);
    HttpResult form = b.Get(path);
    BOOST_REQUIRE_EQUAL(form.status, 200);
    csrf = Browser::CsrfToken(form.body);
  }
  BOOST_REQUIRE(!csrf.empty());
  fields.insert(fields.begin(), {"csrf", csrf});
  HttpResult r = b.Post(path, fields);
  BOOST_REQUIRE_MESSAGE(r.status == 303 && r.location.rfind("/tasks/", 0) == 0, op << " was not queued (HTTP "
                                                                                   << r.status << "):\n"
                                                                                   << r.body);
  std::string html = WaitForTask(b, r.location);
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", op << " did not succeed:\n" << html);
  return html;
}

// A page of a managed site fetched through the stack's nginx by host name
// as a visitor would: no cookies of the control panel, the port in Host.
HttpResult Visit(const std::string& domain, const std::string& path = "/") {
  return aegir::testing::Visit(S(), domain, path);
}

// Fetches the site until it shows text (bounded): php-fpm's opcache may
// keep a replaced script for opcache.revalidate_freq seconds.
HttpResult VisitUntil(const std::string& domain, const std::string& text) {
  HttpResult r;
  for (int i = 0; i < 40; ++i) {
    r = Visit(domain);
    if (Contains(r.body, text)) {
      if (i > 0) BOOST_TEST_MESSAGE(domain << " showed the old page " << i << " time(s) first");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return r;
}

std::string DeployedCommit(const std::string& platform_html) {
  return First(platform_html, "<dt>Deployed commit</dt><dd><code>([^<]*)</code>");
}

std::string PlatformDir(const std::string& name) { return S().var_dir() + "/servers/localhost/platforms/" + name; }

// The add-platform form posted as a user fills it in: git, "PHP or static
// site", the local server.
HttpResult AddGitPlatform(Browser& b, const std::string& name, const std::string& url, const std::string& ref) {
  HttpResult form = b.Get("/platforms/add");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  std::string dist = First(form.body, "<option value=\"([0-9]+)\"[^>]*>PHP or static site<");
  BOOST_REQUIRE_MESSAGE(!dist.empty(), "the add-platform form offers no \"PHP or static site\"");
  BOOST_REQUIRE(Contains(form.body, "name=\"git_url\""));
  BOOST_REQUIRE(Contains(form.body, "name=\"git_ref\""));
  return b.Post("/platforms/add", {{"csrf", Browser::CsrfToken(form.body)},
                                   {"name", name},
                                   {"server_id", w.server_id},
                                   {"distribution_id", dist},
                                   {"source", "git"},
                                   {"git_url", url},
                                   {"git_ref", ref},
                                   {"source_path", ""}});
}

int TaskCount() { return std::stoi(Sql(S(), "SELECT COUNT(*) FROM aegir.tasks")); }

// The links of the platforms list, as the list page shows them.
std::set<std::string> PlatformLinks(Browser& b) {
  std::string html = b.Get("/platforms").body;
  std::set<std::string> out;
  static const std::regex re("href=\"(/platforms/[0-9]+)\">([^<]+)<");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1].str() + " " + (*it)[2].str());
  }
  return out;
}

// Stops a case whose earlier case did not get as far as it needs.
void Need(const std::string& what, const std::string& value) {
  BOOST_REQUIRE_MESSAGE(!value.empty(), "no " << what << ": an earlier case failed");
}

}  // namespace

BOOST_AUTO_TEST_CASE(make_a_git_repository) {
  auto tmp = aegir::TempDir::Create("/tmp", "aegir-php-git-");
  BOOST_REQUIRE_MESSAGE(tmp.ok(), tmp.status().ToString());
  w.tmp.emplace(std::move(*tmp));
  w.repo = w.tmp->path().string() + "/app";
  fs::create_directories(w.repo);
  w.url = "file://" + w.repo;  // file:///tmp/aegir-php-git-XXXXXX/app
  Git({"init", "-q", "-b", "main"});
  // The executor's user clones it: it must enter the directory, and git only
  // reads repositories its user owns.
  fs::permissions(w.tmp->path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  auto [code, out] = Run({"chown", "-R", ExecutorUser(), w.repo});
  BOOST_REQUIRE_MESSAGE(code == 0, "chown " << w.repo << ": " << out);
  WriteFile(w.repo + "/README.txt", "A small PHP application for Aegir's tests.\n");
  Git({"add", "README.txt"});
  w.first = CommitIndex(kMarkerOne, "First version");
  BOOST_REQUIRE_EQUAL(w.first.size(), 40u);
}

BOOST_AUTO_TEST_CASE(deploy_a_php_platform_from_a_git_branch) {
  Need("repository", w.first);
  Browser b(S().url());
  LogIn(b, S());
  w.server_id = First(b.Get("/servers").body, "href=\"/servers/([0-9]+)\">localhost<");
  BOOST_REQUIRE(!w.server_id.empty());

  HttpResult added = AddGitPlatform(b, "php-app", w.url, "main");
  BOOST_REQUIRE_MESSAGE(added.status == 303 && added.location.rfind("/platforms/", 0) == 0, "HTTP " << added.status
                                                                                                    << ":\n"
                                                                                                    << added.body);
  w.platform = added.location;
  // The deploy was queued with the platform.
  std::string html = WaitForTask(b, NewestTask(b, w.platform));
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", html);
  BOOST_TEST(Contains(html, "Deploy"));

  std::string page = b.Get(w.platform).body;
  BOOST_TEST(Contains(page, "id=\"platform-status\">enabled<"));
  BOOST_TEST(Contains(page, "<dd>PHP or static site</dd>"));
  BOOST_TEST(Contains(page, w.url + " @ main"));
  BOOST_TEST(DeployedCommit(page) == w.first);
  BOOST_TEST(Trim(ReadFile(PlatformDir("php-app") + "/index.php")) == Trim(IndexPhp(kMarkerOne)));
  BOOST_TEST(Contains(b.Get("/platforms").body, ">php-app<"));
}

BOOST_AUTO_TEST_CASE(install_a_php_site_and_fetch_it_by_name) {
  Need("platform", w.platform);
  Browser b(S().url());
  LogIn(b, S());
  HttpResult form = b.Get("/sites/add?platform=" + w.platform.substr(std::string("/platforms/").size()));
  BOOST_REQUIRE_EQUAL(form.status, 200);
  BOOST_REQUIRE(Contains(form.body, ">php-app (PHP or static site on localhost)<"));
  std::vector<std::pair<std::string, std::string>> fields = {
      {"csrf", Browser::CsrfToken(form.body)},
      {"domain", kDomain},
      {"platform_id", w.platform.substr(std::string("/platforms/").size())},
      {"db_server_id", First(form.body, "<select id=\"db_server_id\"[^>]*><option value=\"([0-9]+)\"")},
      {"client_id", First(form.body, "<option value=\"([0-9]+)\"[^>]*>default<")},
      {"profile", ""},
      {"https", "off"},
      {"aliases", ""},
      {"redirects", ""}};
  // The install fields the form shows (from the install roles' variables):
  // their defaults, with a title and an e-mail address of our own.
  static const std::regex input("<input id=\"f-([a-z_]+)\" name=\"[a-z_]+\" type=\"[a-z]+\" value=\"([^\"]*)\"");
  std::set<std::string> shown;
  for (auto it = std::sregex_iterator(form.body.begin(), form.body.end(), input); it != std::sregex_iterator(); ++it) {
    std::string name = (*it)[1].str(), value = (*it)[2].str();
    shown.insert(name);
    if (name == "aegir_site_title") value = "Aegir PHP App";
    if (name == "aegir_site_admin_email") value = "admin@example.org";
    fields.push_back({name, value});
  }
  BOOST_TEST(shown.count("aegir_site_title") == 1u);
  BOOST_TEST(shown.count("aegir_site_admin_email") == 1u);
  HttpResult added = b.Post("/sites/add", fields);
  BOOST_REQUIRE_MESSAGE(added.status == 303 && added.location.rfind("/sites/", 0) == 0, "HTTP " << added.status << ":\n"
                                                                                                << added.body);
  w.site = added.location;
  // The install was queued with the site.
  std::string html = WaitForTask(b, NewestTask(b, w.site));
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", html);
  std::string page = b.Get(w.site).body;
  BOOST_TEST(Contains(page, "id=\"site-status\">enabled<"));
  BOOST_TEST(Contains(page, ">php-app</a>"));
  w.db_name = First(page, "<dt>Database</dt><dd>([a-z0-9_]+) on");
  BOOST_REQUIRE(!w.db_name.empty());
  BOOST_TEST(Trim(Sql(S(), "SHOW DATABASES LIKE '" + w.db_name + "'")) == w.db_name);

  // Aegir wrote the site's settings next to the code: sites/<domain>/settings.php.
  BOOST_TEST(fs::is_regular_file(PlatformDir("php-app") + "/sites/" + kDomain + "/settings.php"));
  // A row in the site's database, which the page reads with those settings.
  Sql(S(), "CREATE TABLE `" + w.db_name + "`.notes (body VARCHAR(100)); INSERT INTO `" + w.db_name +
               "`.notes VALUES ('hello from the site database')");

  HttpResult front = Visit(kDomain);
  BOOST_TEST(front.status == 200);
  BOOST_TEST(Contains(front.body, kMarkerOne), front.body);
  BOOST_TEST(Contains(front.body, "site: " + kDomain + "\n"), front.body);
  BOOST_TEST(Contains(front.body, "database: " + w.db_name + "\n"), front.body);
  BOOST_TEST(Contains(front.body, kNote), front.body);
  BOOST_TEST(!Contains(front.body, "database error"), front.body);

  // The platform is the docroot: the settings (with the database password)
  // and the git checkout are not served.
  HttpResult settings = Visit(kDomain, "/sites/" + kDomain + "/settings.php");
  BOOST_TEST(settings.status == 403);
  BOOST_TEST(!Contains(settings.body, "db_password"));
  HttpResult git = Visit(kDomain, "/.git/config");
  BOOST_TEST(git.status == 403);
  BOOST_TEST(!Contains(git.body, "[core]"));
  // The control panel still answers its own address.
  BOOST_TEST(Contains(b.Get("/").body, "<h1>Dashboard</h1>"));
}

BOOST_AUTO_TEST_CASE(deploy_again_after_a_commit_to_the_branch) {
  Need("site", w.db_name);
  Browser b(S().url());
  LogIn(b, S());
  w.second = CommitIndex(kMarkerTwo, "Second version");
  BOOST_REQUIRE(w.second != w.first);
  // Nothing changes until the platform is deployed again.
  BOOST_TEST(Contains(Visit(kDomain).body, kMarkerOne));
  BOOST_TEST(DeployedCommit(b.Get(w.platform).body) == w.first);

  // The platform's Deploy button (its ref, main, stays the same).
  PressToSuccess(b, w.platform, "platform-deploy");
  std::string page = b.Get(w.platform).body;
  BOOST_TEST(Contains(page, "id=\"platform-status\">enabled<"));
  BOOST_TEST(DeployedCommit(page) == w.second);
  BOOST_TEST(DeployedCommit(page) == Trim(Git({"rev-parse", "main"})));

  HttpResult front = VisitUntil(kDomain, kMarkerTwo);
  BOOST_TEST(front.status == 200);
  BOOST_TEST(Contains(front.body, kMarkerTwo), front.body);
  BOOST_TEST(!Contains(front.body, kMarkerOne));
  // The site's settings and database survived the checkout.
  BOOST_TEST(Contains(front.body, "database: " + w.db_name + "\n"), front.body);
  BOOST_TEST(Contains(front.body, kNote), front.body);
}

BOOST_AUTO_TEST_CASE(deploy_a_platform_at_a_commit) {
  Need("platform", w.platform);
  Browser b(S().url());
  LogIn(b, S());
  HttpResult added = AddGitPlatform(b, "php-pinned", w.url, w.first);
  BOOST_REQUIRE_MESSAGE(added.status == 303, "HTTP " << added.status << ":\n" << added.body);
  std::string html = WaitForTask(b, NewestTask(b, added.location));
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", html);
  std::string page = b.Get(added.location).body;
  BOOST_TEST(Contains(page, "id=\"platform-status\">enabled<"));
  // The first commit, although main has moved on.
  BOOST_TEST(DeployedCommit(page) == w.first);
  BOOST_TEST(Contains(ReadFile(PlatformDir("php-pinned") + "/index.php"), kMarkerOne));
}

BOOST_AUTO_TEST_CASE(a_bad_repository_or_ref_is_refused_and_nothing_is_stored) {
  Need("platform", w.platform);
  Browser b(S().url());
  LogIn(b, S());
  // Where the hostile URLs would write if git ever ran them.
  const std::string pwned = w.tmp->path().string() + "/pwned";
  const bool tmp_pwned_before = fs::exists("/tmp/pwned");
  const bool tmp_x_before = fs::exists("/tmp/x");
  const std::set<std::string> platforms = PlatformLinks(b);
  const std::string rows = Sql(S(), "SELECT id, name, git_url, git_ref FROM aegir.platforms ORDER BY id");
  const int tasks = TaskCount();
  BOOST_REQUIRE(!platforms.empty());

  struct Bad {
    std::string url, ref, says;
  };
  const std::string url_error = "Repository URL:";
  const std::string ref_error = "Branch, tag or commit:";
  const Bad cases[] = {
      {"ext::sh -c touch% /tmp/pwned", "main", url_error},
      {"ext::sh -c touch% " + pwned, "main", url_error},
      {"ext::touch%20" + pwned, "main", url_error},
      {"--upload-pack=touch /tmp/x", "main", url_error},
      {"--upload-pack=touch%20" + pwned, "main", url_error},
      {"-u touch " + pwned, "main", url_error},
      {"http://x y", "main", url_error},
      {"http://example.org/app.git", "main", url_error},  // plain http is not offered
      {"/relative", "main", url_error},
      {"relative/path", "main", url_error},
      {"file://" + w.repo.substr(1), "main", url_error},  // file://host/path: only file:/// is offered
      {"file:///", "main", url_error},
      {"https://", "main", url_error},
      {"ftp://example.org/app.git", "main", url_error},
      {w.url + "\n--upload-pack=touch " + pwned, "main", url_error},
      {"", "main", url_error},
      {w.url, "--foo", ref_error},
      {w.url, "--upload-pack=touch " + pwned, ref_error},
      {w.url, "-", ref_error},
      {w.url, "a..b", ref_error},
      {w.url, "main..HEAD", ref_error},
      {w.url, "main b", ref_error},
      {w.url, "main\n--foo", ref_error},
      {w.url, "HEAD@{1}", ref_error},
      {w.url, "main;touch " + pwned, ref_error},
  };
  int n = 0;
  for (const auto& c : cases) {
    std::string name = "bad-" + std::to_string(++n);
    HttpResult r = AddGitPlatform(b, name, c.url, c.ref);
    BOOST_TEST_CONTEXT("url '" << c.url << "' ref '" << c.ref << "'") {
      BOOST_TEST(r.status == 422);
      BOOST_TEST(Contains(r.body, "The platform was not added"), r.body);
      BOOST_TEST(Contains(r.body, c.says), r.body);
      // Only the bad field is named.
      BOOST_TEST(!Contains(r.body, c.says == url_error ? ref_error : url_error), r.body);
      BOOST_TEST(!Contains(r.body, "Name:"));
      BOOST_TEST(!Contains(b.Get("/platforms").body, ">" + name + "<"));
    }
  }
  // Nothing stored, nothing queued, nothing run.
  BOOST_TEST((PlatformLinks(b) == platforms));
  BOOST_TEST(Sql(S(), "SELECT id, name, git_url, git_ref FROM aegir.platforms ORDER BY id") == rows);
  BOOST_TEST(TaskCount() == tasks);
  BOOST_TEST(!fs::exists(pwned));
  BOOST_TEST(fs::exists("/tmp/pwned") == tmp_pwned_before);
  BOOST_TEST(fs::exists("/tmp/x") == tmp_x_before);
  // The site is untouched.
  BOOST_TEST(Contains(Visit(kDomain).body, kMarkerTwo));
}

// A host that starts with "-" would be an option of ssh (ProxyCommand runs
// a command). git itself blocks such hosts ("strange hostname"), but the form
// must refuse them too, as it refuses a URL starting with "-".
BOOST_AUTO_TEST_CASE(a_git_host_starting_with_a_dash_is_refused) {
  Need("platform", w.platform);
  Browser b(S().url());
  LogIn(b, S());
  const std::string pwned = w.tmp->path().string() + "/pwned-by-ssh";
  const int tasks = TaskCount();
  const std::string urls[] = {"ssh://-oProxyCommand=touch%20" + pwned + "/x",
                              "ssh://git@-oProxyCommand=touch%20" + pwned + "/x", "git@-oProxyCommand.x:app.git"};
  int n = 0;
  for (const auto& url : urls) {
    std::string name = "dash-host-" + std::to_string(++n);
    HttpResult r = AddGitPlatform(b, name, url, "main");
    BOOST_TEST_CONTEXT("url '" << url << "'") {
      BOOST_TEST(r.status == 422);
      BOOST_TEST(Contains(r.body, "Repository URL:"), r.body);
      if (r.status == 303) {
        // Stored and queued: the deploy must at least fail without running anything.
        std::string html = WaitForTask(b, NewestTask(b, r.location));
        BOOST_TEST(TaskState(html) == "failed");
        BOOST_TEST_MESSAGE("the deploy of " << url << " ended: " << First(html, "id=\"task-reason\">([^<]*)<"));
      }
    }
  }
  BOOST_TEST(TaskCount() == tasks);
  BOOST_TEST(!fs::exists(pwned));
}

BOOST_AUTO_TEST_CASE(back_up_the_php_site) {
  Need("site", w.db_name);
  Browser b(S().url());
  LogIn(b, S());
  std::string task = PressToSuccess(b, w.site, "site-backup", {{"aegir_backup_description", "php site backup"}});
  std::string path = First(task, "id=\"result-backup_path\">([^<]+)<");
  BOOST_REQUIRE(!path.empty());
  BOOST_TEST(fs::is_regular_file(path));
  auto [code, listing] = Run({"tar", "-tzf", path});
  BOOST_TEST(code == 0);
  BOOST_TEST(Contains(listing, "database.sql"), listing);
  BOOST_TEST(Contains(listing, "aegir-backup.json"), listing);
  BOOST_TEST(Contains(listing, "site/settings.php"), listing);
  auto [dump_code, dump] = Run({"tar", "-xzOf", path, "database.sql"});
  BOOST_TEST(dump_code == 0);
  BOOST_TEST(Contains(dump, "hello from the site database"));
  std::string page = b.Get(w.site).body;
  BOOST_TEST(Contains(page, path));
  BOOST_TEST(Contains(page, "php site backup"));
}

BOOST_AUTO_TEST_CASE(clone_the_php_site_and_fetch_the_clone) {
  Need("second commit", w.second);
  Need("site", w.db_name);
  Browser b(S().url());
  LogIn(b, S());
  PressToSuccess(b, w.site, "site-clone", {{"aegir_new_domain", kCloneDomain}});
  w.clone = First(b.Get("/sites").body, "href=\"(/sites/[0-9]+)\">" + kCloneDomain + "<");
  BOOST_REQUIRE(!w.clone.empty());
  std::string page = b.Get(w.clone).body;
  BOOST_TEST(Contains(page, "id=\"site-status\">enabled<"));
  BOOST_TEST(Contains(page, ">php-app</a>"));
  std::string clone_db = First(page, "<dt>Database</dt><dd>([a-z0-9_]+) on");
  BOOST_REQUIRE(!clone_db.empty());
  BOOST_TEST(clone_db != w.db_name);
  BOOST_TEST(Trim(Sql(S(), "SHOW DATABASES LIKE '" + clone_db + "'")) == clone_db);

  // The clone serves the platform's code with its own settings and its own
  // copy of the database.
  HttpResult copy = Visit(kCloneDomain);
  BOOST_TEST(copy.status == 200);
  BOOST_TEST(Contains(copy.body, kMarkerTwo), copy.body);
  BOOST_TEST(Contains(copy.body, "site: " + kCloneDomain + "\n"), copy.body);
  BOOST_TEST(Contains(copy.body, "database: " + clone_db + "\n"), copy.body);
  BOOST_TEST(Contains(copy.body, kNote), copy.body);
  // The original is untouched and still has its own database.
  HttpResult original = Visit(kDomain);
  BOOST_TEST(Contains(original.body, "site: " + kDomain + "\n"), original.body);
  BOOST_TEST(Contains(original.body, "database: " + w.db_name + "\n"), original.body);
  // The two databases are separate.
  Sql(S(), "INSERT INTO `" + clone_db + "`.notes VALUES ('only in the clone')");
  BOOST_TEST(Contains(Visit(kCloneDomain).body, "note: only in the clone"));
  BOOST_TEST(!Contains(Visit(kDomain).body, "only in the clone"));
}

BOOST_AUTO_TEST_CASE(sigterm_stops_every_process) {
  std::vector<int> left = S().Stop();
  BOOST_TEST(left.empty(), "processes left running after the launcher ended: " << left.size());
}
