// The paged site list on the real stack: 125 sites (and deleted ones) made
// directly in the database, then walked page by page through nginx by the
// Next and Previous links as a browser without JavaScript would; the search
// box and the filters; a client user of two clients, who sees only their
// sites on every page and only their sites' tasks; the platform's and the
// client's pages, which show 50 sites and link to the rest; and parameters
// that are refused.
//
// The cases build on each other in the order written.
#define BOOST_TEST_MODULE paging
#include <boost/test/unit_test.hpp>

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <set>
#include <sstream>

#include "common/db.h"
#include "fcgi-app/store.h"
#include "tests/integration/stack.h"

using namespace aegir::testing;
namespace store = aegir::web::store;

namespace {

BOOST_TEST_GLOBAL_FIXTURE(StackSuite);
Stack& S() { return StackSuite::Get(); }

constexpr int kSites = 125;
constexpr int kPageSize = 50;
constexpr const char* kCarolPassword = "paging through the sites";

struct World {
  std::string platform_id, other_platform_id;  // wordpress, and a second platform
  std::string acme_id, beta_id, gamma_id;      // clients
};
World w;

// The output of one query, trimmed; several rows are lines.
std::string Query(const std::string& sql) {
  std::string out = Sql(S(), sql);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// The live domains a query on aegir.sites selects, in the database's order.
std::vector<std::string> Domains(const std::string& where) {
  std::string out = Query("SELECT domain FROM aegir.sites WHERE status <> 'deleted'" + where + " ORDER BY domain");
  std::vector<std::string> domains;
  size_t start = 0;
  while (start < out.size()) {
    size_t nl = out.find('\n', start);
    if (nl == std::string::npos) nl = out.size();
    domains.push_back(out.substr(start, nl - start));
    start = nl + 1;
  }
  return domains;
}

// Each match's first group, in order.
std::vector<std::string> Captures(const std::string& html, const std::regex& re) {
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

// The domains in a /sites page's table, in order.
std::vector<std::string> Rows(const std::string& html) {
  static const std::regex row("<tr><td><a href=\"/sites/[0-9]+\">([^<]+)</a>");
  return Captures(html, row);
}

// The address of a pager link (rel "next" or "prev"), "" when the page has none.
std::string Link(const std::string& html, const std::string& rel) {
  std::string href = First(html, "<a href=\"([^\"]+)\" rel=\"" + rel + "\">");
  for (size_t at; (at = href.find("&amp;")) != std::string::npos;) href.replace(at, 5, "&");
  return href;
}

// Follows the Next links from `start` to the last page; every page has at
// most 50 rows. Returns the rows of all pages, and the pages' addresses.
std::vector<std::string> WalkForward(Browser& b, const std::string& start, std::vector<std::string>* pages = nullptr) {
  std::vector<std::string> all;
  std::string path = start;
  for (int n = 0; !path.empty(); ++n) {
    BOOST_REQUIRE_MESSAGE(n < 20, "more pages than there are sites");
    HttpResult page = b.Get(path);
    BOOST_REQUIRE_MESSAGE(page.status == 200, path << " answered " << page.status);
    std::vector<std::string> rows = Rows(page.body);
    BOOST_TEST(rows.size() <= static_cast<size_t>(kPageSize), path);
    std::string next = Link(page.body, "next");
    // A page before the last is full.
    if (!next.empty()) BOOST_TEST(rows.size() == static_cast<size_t>(kPageSize), path);
    if (pages) pages->push_back(path);
    all.insert(all.end(), rows.begin(), rows.end());
    path = next;
  }
  return all;
}

HttpResult LogInAs(Browser& b, const std::string& name, const std::string& password) {
  HttpResult form = b.Get("/login");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  return b.Post("/login", {{"csrf", Browser::CsrfToken(form.body)}, {"name", name}, {"password", password}});
}

// A connection to the stack's database as this unix user (unix_socket), for
// calling the store's functions directly.
aegir::db::Connection Db() {
  aegir::db::Options o;
  o.socket = S().var_dir() + "/run/mysqld.sock";
  o.user = ::getpwuid(::geteuid())->pw_name;
  o.database = "aegir";
  aegir::db::Connection c;
  aegir::Status s = c.Connect(o);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(admin_walks_every_page_by_the_next_and_previous_links) {
  w.platform_id = Query("SELECT id FROM aegir.platforms WHERE name = 'wordpress'");
  BOOST_REQUIRE(!w.platform_id.empty());
  Sql(S(),
      "INSERT INTO aegir.platforms (name, distribution_id, server_id, source, source_path, status) "
      "SELECT 'other', distribution_id, server_id, 'path', '/usr/share/wordpress', 'enabled' "
      "FROM aegir.platforms WHERE id = " + w.platform_id);
  w.other_platform_id = Query("SELECT id FROM aegir.platforms WHERE name = 'other'");
  Sql(S(), "INSERT INTO aegir.clients (name) VALUES ('acme'), ('beta'), ('gamma')");
  w.acme_id = Query("SELECT id FROM aegir.clients WHERE name = 'acme'");
  w.beta_id = Query("SELECT id FROM aegir.clients WHERE name = 'beta'");
  w.gamma_id = Query("SELECT id FROM aegir.clients WHERE name = 'gamma'");
  // site-1.paging.test ... site-125.paging.test: every fifth on the other
  // platform; every third acme's, every seventh gamma's, the rest beta's;
  // some disabled or failed. Deleted sites are never listed, not even one
  // whose domain a live site has again.
  Sql(S(),
      "INSERT INTO aegir.sites (domain, platform_id, db_server_id, client_id, status) "
      "SELECT CONCAT('site-', seq, '.paging.test'), IF(seq % 5 = 0, " + w.other_platform_id + ", p.id), p.server_id, "
      "IF(seq % 3 = 0, " + w.acme_id + ", IF(seq % 7 = 0, " + w.gamma_id + ", " + w.beta_id + ")), "
      "IF(seq % 10 = 0, 'disabled', IF(seq % 11 = 0, 'failed', 'enabled')) "
      "FROM aegir.platforms p JOIN aegir.seq_1_to_" + std::to_string(kSites) + " WHERE p.id = " + w.platform_id);
  Sql(S(),
      "INSERT INTO aegir.sites (domain, platform_id, db_server_id, client_id, status) "
      "SELECT d, p.id, p.server_id, " + w.acme_id + ", 'deleted' FROM aegir.platforms p "
      "JOIN (SELECT 'gone.paging.test' AS d UNION SELECT 'site-7.paging.test' UNION SELECT 'site-70.paging.test') x "
      "WHERE p.id = " + w.platform_id);
  const std::vector<std::string> all = Domains("");
  BOOST_REQUIRE_EQUAL(all.size(), static_cast<size_t>(kSites));

  Browser b(S().url());
  LogIn(b, S());
  std::vector<std::string> pages;
  std::vector<std::string> walked = WalkForward(b, "/sites", &pages);
  // Every site once, in the database's order (that of the index), in 3 pages.
  BOOST_TEST(walked == all, boost::test_tools::per_element());
  BOOST_TEST(pages.size() == 3u);
  BOOST_TEST(std::set<std::string>(walked.begin(), walked.end()).size() == walked.size());
  BOOST_TEST(std::count(walked.begin(), walked.end(), "gone.paging.test") == 0);
  // The Next links carry the key: the last domain of the page before.
  BOOST_TEST(pages[1] == "/sites?after=" + all[kPageSize - 1]);
  HttpResult first = b.Get("/sites");
  BOOST_TEST(Link(first.body, "prev").empty());
  BOOST_TEST(!Contains(first.body, ">First</a>"));

  // Back from the last page by the Previous links, to the first page.
  HttpResult last = b.Get(pages[2]);
  BOOST_TEST(Link(last.body, "next").empty());
  BOOST_TEST(Contains(last.body, ">First</a>"));
  std::string prev = Link(last.body, "prev");
  BOOST_TEST(prev == "/sites?before=" + all[2 * kPageSize]);
  HttpResult middle = b.Get(prev);
  BOOST_TEST(Rows(middle.body) == std::vector<std::string>(all.begin() + kPageSize, all.begin() + 2 * kPageSize),
             boost::test_tools::per_element());
  HttpResult start = b.Get(Link(middle.body, "prev"));
  BOOST_TEST(Rows(start.body) == std::vector<std::string>(all.begin(), all.begin() + kPageSize),
             boost::test_tools::per_element());
  BOOST_TEST(Link(start.body, "prev").empty());
  // Previous from near the start gives the first page, full.
  HttpResult near_start = b.Get("/sites?before=" + all[3]);
  BOOST_TEST(Rows(near_start.body) == std::vector<std::string>(all.begin(), all.begin() + kPageSize),
             boost::test_tools::per_element());
  // Past the last site: nothing, and the way back.
  HttpResult beyond = b.Get("/sites?after=zzz.test");
  BOOST_TEST(beyond.status == 200);
  BOOST_TEST(Contains(beyond.body, "No more sites."));
  BOOST_TEST(Link(beyond.body, "prev") == "/sites?before=zzz.test");
  BOOST_TEST(Rows(b.Get("/sites?before=zzz.test").body) == std::vector<std::string>(all.end() - kPageSize, all.end()),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_search_and_the_filters_narrow_the_list_and_their_pages) {
  Browser b(S().url());
  LogIn(b, S());
  // The search is a prefix of the domain; % and _ are only themselves.
  HttpResult searched = b.Get("/sites?q=site-1");
  BOOST_TEST(searched.status == 200);
  BOOST_TEST(Contains(searched.body, "whose domain starts with"));
  std::vector<std::string> prefixed = WalkForward(b, "/sites?q=site-1");
  BOOST_TEST(prefixed == Domains(" AND domain LIKE 'site-1%'"), boost::test_tools::per_element());
  BOOST_TEST(prefixed.size() == 37u);  // site-1, site-10..19, site-100..125
  BOOST_TEST(Rows(b.Get("/sites?q=SITE-12").body) == Domains(" AND domain LIKE 'site-12%'"),
             boost::test_tools::per_element());
  BOOST_TEST(Rows(b.Get("/sites?q=paging").body).empty());  // not a prefix
  BOOST_TEST(Contains(b.Get("/sites?q=paging").body, "No site matches."));
  BOOST_TEST(Rows(b.Get("/sites?q=site_1").body).empty());
  BOOST_TEST(Rows(b.Get("/sites?q=%25").body).empty());

  BOOST_TEST(WalkForward(b, "/sites?status=disabled") == Domains(" AND status = 'disabled'"),
             boost::test_tools::per_element());
  BOOST_TEST(WalkForward(b, "/sites?status=failed") == Domains(" AND status = 'failed'"),
             boost::test_tools::per_element());
  BOOST_TEST(WalkForward(b, "/sites?platform=" + w.other_platform_id) ==
                 Domains(" AND platform_id = " + w.other_platform_id),
             boost::test_tools::per_element());
  // beta has 72 sites: two pages, the Next link keeps the filter.
  std::vector<std::string> pages;
  BOOST_TEST(WalkForward(b, "/sites?client=" + w.beta_id, &pages) == Domains(" AND client_id = " + w.beta_id),
             boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(pages.size(), 2u);
  BOOST_TEST(Contains(pages[1], "client=" + w.beta_id + "&after="));
  BOOST_TEST(WalkForward(b, "/sites?q=site-1&status=enabled&platform=" + w.platform_id + "&client=" + w.beta_id) ==
                 Domains(" AND domain LIKE 'site-1%' AND status = 'enabled' AND platform_id = " + w.platform_id +
                         " AND client_id = " + w.beta_id),
             boost::test_tools::per_element());

  // The search form keeps the filters it does not show, and says what it matches.
  HttpResult form = b.Get("/sites?client=" + w.beta_id + "&status=failed");
  BOOST_TEST(Contains(form.body, "<input type=\"hidden\" name=\"client\" value=\"" + w.beta_id + "\">"));
  BOOST_TEST(Contains(form.body, "<option value=\"failed\" selected>"));
  BOOST_TEST(Contains(form.body, "whose domain starts with what you type"));

  // A platform's and a client's pages: the first 50 sites, the count, a link to all.
  HttpResult platform = b.Get("/platforms/" + w.platform_id);
  const std::vector<std::string> on_platform = Domains(" AND platform_id = " + w.platform_id);
  BOOST_TEST(Contains(platform.body, "Sites (" + std::to_string(on_platform.size()) + ")"));
  BOOST_TEST(Contains(platform.body, "href=\"/sites?platform=" + w.platform_id + "\""));
  static const std::regex item("<li><a href=\"/sites/[0-9]+\">([^<]+)</a>");
  std::vector<std::string> listed;
  for (auto it = std::sregex_iterator(platform.body.begin(), platform.body.end(), item); it != std::sregex_iterator();
       ++it) {
    listed.push_back((*it)[1].str());
  }
  BOOST_TEST(listed == std::vector<std::string>(on_platform.begin(), on_platform.begin() + kPageSize),
             boost::test_tools::per_element());
  HttpResult client = b.Get("/clients/" + w.beta_id);
  BOOST_TEST(Contains(client.body, "Sites (" + Query("SELECT COUNT(*) FROM aegir.sites WHERE status <> 'deleted' "
                                                     "AND client_id = " + w.beta_id) + ")"));
  BOOST_TEST(Contains(client.body, "href=\"/sites?client=" + w.beta_id + "\""));
  BOOST_TEST(Contains(b.Get("/platforms").body, "<a href=\"/sites?platform=" + w.other_platform_id + "\">" +
                                                    std::to_string(kSites / 5) + "</a>"));
}

BOOST_AUTO_TEST_CASE(a_client_user_sees_only_their_clients_sites_on_every_page_and_only_their_tasks) {
  Browser admin(S().url());
  LogIn(admin, S());
  // carol acts for acme and gamma.
  HttpResult added = admin.Post("/users", {{"csrf", Browser::CsrfToken(admin.Get("/users").body)},
                                           {"name", "carol"},
                                           {"client_" + w.acme_id, "1"},
                                           {"client_" + w.gamma_id, "1"}});
  BOOST_REQUIRE_EQUAL(added.status, 200);
  std::string link = First(added.body, "value=\"(https?://[^\"]+/password/[0-9a-f]{64})\"");
  BOOST_REQUIRE(!link.empty());
  std::string path = link.substr(link.find("/password/"));
  Browser carol(S().url());
  HttpResult form = carol.Get(path);
  BOOST_REQUIRE_EQUAL(form.status, 200);
  BOOST_REQUIRE_EQUAL(carol.Post(path, {{"csrf", Browser::CsrfToken(form.body)},
                                        {"password", kCarolPassword},
                                        {"repeat", kCarolPassword}})
                          .status,
                      200);
  BOOST_REQUIRE_EQUAL(LogInAs(carol, "carol", kCarolPassword).status, 303);

  const std::string theirs = " AND client_id IN (" + w.acme_id + ", " + w.gamma_id + ")";
  std::vector<std::string> pages;
  std::vector<std::string> walked = WalkForward(carol, "/sites", &pages);
  BOOST_TEST(walked == Domains(theirs), boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(walked.size(), 53u);  // 41 of acme, 12 of gamma
  BOOST_TEST(pages.size() == 2u);
  BOOST_TEST(Contains(carol.Get("/").body, "<strong>" + std::to_string(walked.size()) + "</strong> sites"));
  BOOST_TEST(WalkForward(carol, "/sites?status=disabled") == Domains(theirs + " AND status = 'disabled'"),
             boost::test_tools::per_element());
  BOOST_TEST(WalkForward(carol, "/sites?client=" + w.gamma_id) == Domains(" AND client_id = " + w.gamma_id),
             boost::test_tools::per_element());
  // Another client's sites: none, however asked.
  HttpResult others = carol.Get("/sites?client=" + w.beta_id);
  BOOST_TEST(others.status == 200);
  BOOST_TEST(Rows(others.body).empty());
  BOOST_TEST(!Contains(others.body, "beta"));
  BOOST_TEST(Rows(carol.Get("/sites?after=" + walked.back()).body).empty());
  HttpResult before_theirs = carol.Get("/sites?q=site-2");
  BOOST_TEST(Rows(before_theirs.body) == Domains(theirs + " AND domain LIKE 'site-2%'"),
             boost::test_tools::per_element());

  // A site's tasks carry its client, and follow the site to another client.
  aegir::db::Connection db = Db();
  const std::string acme_site = Query("SELECT id FROM aegir.sites WHERE domain = 'site-3.paging.test'");
  const std::string beta_site = Query("SELECT id FROM aegir.sites WHERE domain = 'site-2.paging.test'");
  std::vector<std::string> task_ids;
  for (const std::string& site : {acme_site, beta_site}) {
    // Stored ended, in one transaction, so the scheduler never takes it.
    aegir::db::Transaction tx(db);
    BOOST_REQUIRE(tx.Begin().ok());
    store::NewTask t;
    t.operation = "site-verify";
    t.entity_type = "site";
    t.entity_id = std::stoll(site);
    auto id = store::CreateTask(db, t);
    BOOST_REQUIRE_MESSAGE(id.ok(), id.status().ToString());
    BOOST_REQUIRE(db.Exec("UPDATE tasks SET state = 'succeeded', finished_at = UTC_TIMESTAMP(3) WHERE id = ?",
                          {aegir::db::Value(*id)})
                      .ok());
    BOOST_REQUIRE(tx.Commit().ok());
    task_ids.push_back(std::to_string(*id));
  }
  BOOST_TEST(Query("SELECT client_id FROM aegir.tasks WHERE id = " + task_ids[0]) == w.acme_id);
  BOOST_TEST(Query("SELECT client_id FROM aegir.tasks WHERE id = " + task_ids[1]) == w.beta_id);
  std::string tasks = carol.Get("/tasks").body;
  BOOST_TEST(Contains(tasks, "href=\"/tasks/" + task_ids[0] + "\""));
  BOOST_TEST(!Contains(tasks, "href=\"/tasks/" + task_ids[1] + "\""));
  BOOST_TEST(Contains(carol.Get("/").body, "href=\"/tasks/" + task_ids[0] + "\""));

  // The filters keep to the same tasks: by state, by operation (every state
  // of it), by state and operation, and by site (one of another client's:
  // none).
  for (const std::string& query : std::vector<std::string>{"?state=succeeded", "?operation=site-verify",
                                   "?state=succeeded&operation=site-verify", "?site=" + acme_site}) {
    std::string filtered = carol.Get("/tasks" + query).body;
    BOOST_TEST(Contains(filtered, "href=\"/tasks/" + task_ids[0] + "\""), query);
    BOOST_TEST(!Contains(filtered, "href=\"/tasks/" + task_ids[1] + "\""), query);
  }
  for (const std::string& query : std::vector<std::string>{"?state=failed", "?operation=site-backup", "?site=" + beta_site}) {
    std::string filtered = carol.Get("/tasks" + query).body;
    BOOST_TEST(!Contains(filtered, "href=\"/tasks/" + task_ids[0] + "\""), query);
    BOOST_TEST(!Contains(filtered, "href=\"/tasks/" + task_ids[1] + "\""), query);
    BOOST_TEST(Contains(filtered, "No task matches."), query);
  }
  // The admin sees the other client's task by its site.
  BOOST_TEST(Contains(admin.Get("/tasks?site=" + beta_site).body, "href=\"/tasks/" + task_ids[1] + "\""));

  BOOST_REQUIRE(store::UpdateSite(db, std::stoll(acme_site), "off", std::stoll(w.beta_id), {}).ok());
  BOOST_TEST(Query("SELECT client_id FROM aegir.tasks WHERE id = " + task_ids[0]) == w.beta_id);
  tasks = carol.Get("/tasks").body;
  BOOST_TEST(!Contains(tasks, "href=\"/tasks/" + task_ids[0] + "\""));
  BOOST_TEST(carol.Get("/tasks/" + task_ids[0]).status == 404);
  std::vector<std::string> now_theirs = Rows(carol.Get("/sites").body);
  BOOST_TEST(std::count(now_theirs.begin(), now_theirs.end(), "site-3.paging.test") == 0);
  BOOST_REQUIRE(store::UpdateSite(db, std::stoll(acme_site), "off", std::stoll(w.acme_id), {}).ok());
  BOOST_TEST(Contains(carol.Get("/tasks").body, "href=\"/tasks/" + task_ids[0] + "\""));
}

BOOST_AUTO_TEST_CASE(bad_parameters_are_refused_with_400_and_say_why) {
  Browser b(S().url());
  LogIn(b, S());
  const std::pair<std::string, std::string> cases[] = {
      {"/sites?q=" + std::string(254, 'a'), "at most 253 characters"},
      {"/sites?q=%FF", "at most 253 characters"},             // not UTF-8
      {"/sites?q=%C0%AE", "at most 253 characters"},          // an overlong '.'
      {"/sites?q=a%0Ab", "no control characters"},
      {"/sites?status=deleted", "Status: choose one of queued, enabled, disabled, failed"},
      {"/sites?status=%27", "Status: choose one of"},
      {"/sites?platform=wordpress", "must be a platform number"},
      {"/sites?client=0", "must be a client number"},
      {"/sites?client=99999999999999999999", "must be a client number"},
      {"/sites?after=%FF", "must be domain names"},
      {"/sites?before=" + std::string(300, 'z'), "must be domain names"},
      {"/sites?after=a&before=b", "not both"},
  };
  for (const auto& [path, message] : cases) {
    HttpResult r = b.Get(path);
    BOOST_TEST(r.status == 400, path.substr(0, 60) << " answered " << r.status);
    BOOST_TEST(Contains(r.body, message), path.substr(0, 60) << ": " << r.body.substr(0, 2000));
  }
  // An unknown platform or client is no error: nothing matches.
  HttpResult unknown = b.Get("/sites?platform=999999");
  BOOST_TEST(unknown.status == 200);
  BOOST_TEST(Contains(unknown.body, "No site matches."));
  BOOST_TEST(Contains(unknown.body, "on platform 999999"));
}

// Users who see the whole panel share a page of the list, and a site's page,
// for up to a second (shared_reading.h). What is done through the panel
// shows on the very next page; what another process writes shows within
// that second.
BOOST_AUTO_TEST_CASE(a_shared_page_shows_a_change_through_the_panel_at_once_and_one_from_elsewhere_soon) {
  Browser b(S().url());
  LogIn(b, S());
  const std::string page = "/sites?q=site-1.paging";
  const std::string id = Query("SELECT id FROM aegir.sites WHERE domain = 'site-1.paging.test' AND status <> 'deleted'");
  BOOST_REQUIRE(!id.empty());
  auto row = [&](const std::string& html) {
    return First(html, "<tr><td><a href=\"/sites/" + id + "\">site-1.paging.test</a>(.*?)</tr>");
  };
  const std::string site_page = "/sites/" + id;
  auto client_on_site_page = [&](Browser& who) { return First(who.Get(site_page).body, "<dt>Client</dt><dd>([^<]*)</dd>"); };
  std::string before = row(b.Get(page).body);
  BOOST_REQUIRE(Contains(before, "<td>beta</td>"));  // seq 1: beta's
  BOOST_REQUIRE(row(b.Get(page).body) == before);     // read once, shown twice
  BOOST_REQUIRE(client_on_site_page(b) == "beta");   // the site's own page, shared too

  // Through the panel: the site goes to gamma; the next page says so.
  HttpResult form = b.Get("/sites/" + id + "/edit");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  HttpResult saved = b.Post("/sites/" + id + "/edit", {{"csrf", Browser::CsrfToken(form.body)},
                                                       {"https", "off"},
                                                       {"client_id", w.gamma_id},
                                                       {"aliases", ""},
                                                       {"redirects", ""}});
  BOOST_REQUIRE_MESSAGE(saved.status == 303, "the edit answered " << saved.status << ": " << saved.body.substr(0, 2000));
  BOOST_TEST(Contains(row(b.Get(page).body), "<td>gamma</td>"));
  BOOST_TEST(client_on_site_page(b) == "gamma");
  // Another user who sees the whole panel gets the same pages.
  Browser other(S().url());
  LogIn(other, S());
  BOOST_TEST(Contains(row(other.Get(page).body), "<td>gamma</td>"));
  BOOST_TEST(client_on_site_page(other) == "gamma");

  // Elsewhere (as the scheduler or another aegir-web would): the site goes
  // back to beta in the database alone; after a second, the page says so.
  Sql(S(), "UPDATE aegir.sites SET client_id = " + w.beta_id + " WHERE id = " + id);
  ::usleep(1'100'000);
  BOOST_TEST(Contains(row(b.Get(page).body), "<td>beta</td>"));
  BOOST_TEST(client_on_site_page(b) == "beta");
}

// A POST refused before its handler (a bad CSRF token, no such page) wrote
// nothing: the shared pages are not read again for it. One that is handled
// ends the write generation, as above.
BOOST_AUTO_TEST_CASE(a_refused_post_does_not_make_the_shared_pages_be_read_again) {
  Browser b(S().url());
  LogIn(b, S());
  const std::string page = "/sites?q=site-2.paging";
  const std::string id = Query("SELECT id FROM aegir.sites WHERE domain = 'site-2.paging.test' AND status <> 'deleted'");
  BOOST_REQUIRE(!id.empty());
  const std::string client = Query("SELECT c.name FROM aegir.sites s JOIN aegir.clients c ON c.id = s.client_id "
                                   "WHERE s.id = " + id);
  BOOST_REQUIRE(client == "beta" || client == "gamma");
  const std::string other = client == "beta" ? "gamma" : "beta";
  const std::string other_id = client == "beta" ? w.gamma_id : w.beta_id;
  auto row = [&]() {
    return First(b.Get(page).body, "<tr><td><a href=\"/sites/" + id + "\">site-2.paging.test</a>(.*?)</tr>");
  };
  HttpResult form = b.Get("/sites/" + id + "/edit");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  const auto read_at = std::chrono::steady_clock::now();
  BOOST_REQUIRE(Contains(row(), "<td>" + client + "</td>"));
  // Changed in the database alone, then two refused POSTs.
  Sql(S(), "UPDATE aegir.sites SET client_id = " + other_id + " WHERE id = " + id);
  HttpResult forged = b.Post("/sites/" + id + "/edit", {{"csrf", "0123456789abcdef"}, {"https", "off"},
                                                        {"client_id", other_id}, {"aliases", ""}, {"redirects", ""}});
  BOOST_TEST(forged.status == 403);
  HttpResult nowhere = b.Post("/no-such-page", {{"csrf", Browser::CsrfToken(form.body)}});
  BOOST_TEST(nowhere.status == 404);
  const std::string after_refused = row();
  const auto elapsed = std::chrono::steady_clock::now() - read_at;
  // Within the second the reading is shared for, the page is the one read
  // before the change (every step above is a few milliseconds here).
  BOOST_REQUIRE_MESSAGE(elapsed < std::chrono::milliseconds(900),
                        "the steps took " << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                                          << " ms: too slow to tell a shared reading from a new one");
  BOOST_TEST(Contains(after_refused, "<td>" + client + "</td>"));
  // A POST that is handled (the same change through the form): at once.
  HttpResult saved = b.Post("/sites/" + id + "/edit", {{"csrf", Browser::CsrfToken(form.body)}, {"https", "off"},
                                                       {"client_id", other_id}, {"aliases", ""}, {"redirects", ""}});
  BOOST_REQUIRE_MESSAGE(saved.status == 303, "the edit answered " << saved.status);
  BOOST_TEST(Contains(row(), "<td>" + other + "</td>"));
}

namespace {

// The task ids in a /tasks page's table, in order.
std::vector<std::string> TaskRows(const std::string& html) {
  static const std::regex row("<tr><td><a href=\"/tasks/([0-9]+)\">");
  return Captures(html, row);
}

// The entry ids in an /audit page's table, in order.
std::vector<std::string> AuditRows(const std::string& html) {
  static const std::regex row("<tr><td>([0-9]+)</td><td>");
  return Captures(html, row);
}

// Follows the `rel` links (next: Older, prev: Newer) from `start` until a
// page has none; the pages' rows (read by rows_of), each page's in its order.
std::vector<std::vector<std::string>> WalkIdPages(Browser& b, const std::string& start, const std::string& rel,
                                                  std::vector<std::string> (*rows_of)(const std::string&),
                                                  size_t per_page) {
  std::vector<std::vector<std::string>> pages;
  for (std::string path = start; !path.empty(); path = Link(b.Get(path).body, rel)) {
    BOOST_REQUIRE_MESSAGE(pages.size() < 20, "more pages than there are rows");
    HttpResult page = b.Get(path);
    BOOST_REQUIRE_MESSAGE(page.status == 200, path << " answered " << page.status);
    pages.push_back(rows_of(page.body));
    BOOST_TEST(pages.back().size() <= per_page, path);
  }
  return pages;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

// The task list and the audit log page back the way they came: Older to
// the oldest row, then Newer back to the newest, the same pages in
// reverse; for an admin and a client user, with and without a filter.
BOOST_AUTO_TEST_CASE(the_task_list_and_the_audit_log_page_older_and_then_newer_back_to_the_newest) {
  std::vector<std::string> sites;
  for (const char* domain : {"site-3.paging.test", "site-7.paging.test", "site-1.paging.test"}) {  // acme, gamma, beta
    sites.push_back(Query(std::string("SELECT id FROM aegir.sites WHERE domain = '") + domain + "' AND status <> 'deleted'"));
    BOOST_REQUIRE(!sites.back().empty());
    Sql(S(), "INSERT INTO aegir.tasks (operation, entity_type, entity_id, client_id, state, vars, reason) "
             "SELECT 'site-verify', 'site', s.id, s.client_id, IF(seq % 2 = 0, 'succeeded', 'failed'), '{}', 'paging' "
             "FROM aegir.sites s JOIN aegir.seq_1_to_70 WHERE s.id = " + sites.back());
  }
  Sql(S(), "INSERT INTO aegir.audit_log (actor, action, entity_type, entity_id, details) "
           "SELECT 'paging', IF(seq % 3 = 0, 'paging-a', 'paging-b'), 'site', " + sites[0] + ", '{}' "
           "FROM aegir.seq_1_to_330");
  Browser admin(S().url());
  LogIn(admin, S());
  Browser carol(S().url());
  BOOST_REQUIRE_EQUAL(LogInAs(carol, "carol", kCarolPassword).status, 303);
  const std::string carols = " AND client_id IN (" + w.acme_id + ", " + w.gamma_id + ")";
  struct Case {
    Browser* who;
    std::string start, table, where;
  };
  std::vector<Case> cases = {
      {&admin, "/tasks", "tasks", ""},
      {&admin, "/tasks?state=failed", "tasks", " AND state = 'failed'"},
      {&admin, "/tasks?site=" + sites[0], "tasks", " AND entity_type = 'site' AND entity_id = " + sites[0]},
      {&carol, "/tasks", "tasks", carols},
      {&carol, "/tasks?operation=site-verify", "tasks", carols + " AND operation = 'site-verify'"},
      {&admin, "/audit", "audit_log", ""},
      {&admin, "/audit?action=paging-a", "audit_log", " AND action = 'paging-a'"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.start << (c.who == &carol ? " (carol)" : "")) {
      auto rows_of = c.table == "tasks" ? TaskRows : AuditRows;
      const size_t per_page = c.table == "tasks" ? 50 : 100;
      auto expected = Lines(Query("SELECT id FROM aegir." + c.table + " WHERE 1" + c.where + " ORDER BY id DESC"));
      BOOST_REQUIRE_GT(expected.size(), per_page);
      auto older = WalkIdPages(*c.who, c.start, "next", rows_of, per_page);
      std::vector<std::string> all;
      for (const auto& p : older) all.insert(all.end(), p.begin(), p.end());
      BOOST_TEST(all == expected, boost::test_tools::per_element());
      BOOST_REQUIRE_GT(older.size(), 1u);
      // From the last page back up by the Newer links.
      std::string last = c.start;
      for (size_t i = 1; i < older.size(); ++i) last = Link(c.who->Get(last).body, "next");
      auto newer = WalkIdPages(*c.who, last, "prev", rows_of, per_page);
      std::reverse(newer.begin(), newer.end());
      BOOST_TEST(newer.size() == older.size());
      BOOST_TEST((newer == older));
      // The first page has no Newer link; one below it has.
      BOOST_TEST(Link(c.who->Get(c.start).body, "prev").empty());
    }
  }
  for (const std::string list : {"/tasks", "/audit"}) {
    HttpResult both = admin.Get(list + "?before=5&after=3");
    BOOST_TEST(both.status == 400, list);
    BOOST_TEST(Contains(both.body, "not both"), list);
    BOOST_TEST(admin.Get(list + "?after=x").status == 400, list);
  }
}
