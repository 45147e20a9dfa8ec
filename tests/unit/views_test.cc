#define BOOST_TEST_MODULE views
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "fcgi-app/app.h"
#include "fcgi-app/views.h"

using namespace aegir;
using namespace aegir::web;

namespace {
const std::string kSrc = AEGIR_SOURCE_DIR;

// The views' clock in every test: 2026-11-27 13:10:00 UTC.
constexpr int64_t kNow = 1795785000;

struct Fixture {
  Fixture() : zmq_ctx(1), ctx(config, catalogue, zmq_ctx) {
    static bool loaded = [] { return LoadTemplates(kSrc + "/www/templates").ok(); }();
    BOOST_REQUIRE(loaded);
    views::SetNowForTesting(kNow);
    store::Session s;
    s.user_id = 1;
    s.user_name = "admin";
    s.csrf_token = std::string(64, 'c');
    ctx.session = s;
  }
  Config config;
  Catalogue catalogue;
  zmq::context_t zmq_ctx;
  Context ctx;
};
}  // namespace

BOOST_FIXTURE_TEST_CASE(values_are_html_escaped, Fixture) {
  store::Server server;
  server.id = 3;
  server.name = "<script>alert(1)</script>";
  server.hostname = "\"onmouseover=x";
  server.status = "new";
  Response r = views::Server(ctx, server, {}, {}, {}, {});
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body.find("<script>alert(1)") == std::string::npos);
  BOOST_TEST(r.body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  BOOST_TEST(r.body.find("\"onmouseover") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(every_form_page_carries_the_csrf_token, Fixture) {
  std::string token(64, 'c');
  BOOST_TEST(views::ServerFormPage(ctx, {}).body.find("value=\"" + token + "\"") != std::string::npos);
  BOOST_TEST(views::SiteFormPage(ctx, {}, {}).body.find("value=\"" + token + "\"") != std::string::npos);
  // The buttons of operations without a form post with it too.
  Operation verify;
  verify.name = "server-verify";
  verify.title = "Verify server";
  store::Server server;
  server.id = 2;
  std::string page = views::Server(ctx, server, {}, {}, {{&verify, "/servers/2/run/server-verify"}}, {}).body;
  size_t form = page.find("action=\"/servers/2/run/server-verify\"");
  BOOST_REQUIRE(form != std::string::npos);
  BOOST_TEST(page.find("value=\"" + token + "\"", form) != std::string::npos);
  // The logout form in the page frame.
  BOOST_TEST(views::Servers(ctx, {}).body.find("action=\"/logout\"") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(task_page_shows_log_lines_and_reason, Fixture) {
  store::Task t;
  t.id = 12;
  t.operation = "server-verify";
  t.entity_type = "server";
  t.entity_id = 3;
  t.entity_label = "web1";
  t.state = "failed";
  t.reason = "ansible-playbook exited with code 2: fatal: [web1]: UNREACHABLE!";
  std::vector<store::LogLine> lines = {{1, "PLAY [web1] ****"}, {2, "fatal: <b>bold</b>"}};
  Response r = views::Task(ctx, t, lines, 0, false, 2000);
  BOOST_TEST(r.body.find("PLAY [web1] ****") != std::string::npos);
  BOOST_TEST(r.body.find("fatal: &lt;b&gt;bold&lt;/b&gt;") != std::string::npos);
  BOOST_TEST(r.body.find("UNREACHABLE!") != std::string::npos);
  BOOST_TEST(r.body.find("data-live=\"0\"") != std::string::npos);
  BOOST_TEST(r.body.find("http-equiv=\"refresh\"") == std::string::npos);  // ended: no reload
  t.state = "running";
  Response live = views::Task(ctx, t, lines, 0, false, 2000);
  BOOST_TEST(live.body.find("http-equiv=\"refresh\"") != std::string::npos);
  BOOST_TEST(live.body.find("/static/task.js") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(earlier_lines_go_back_one_whole_page, Fixture) {
  store::Task t;
  t.id = 5;
  t.state = "succeeded";
  // The last, short page of a long log: 2 lines after line 4000, pages of 2000.
  std::vector<store::LogLine> tail = {{4001, "a"}, {4002, "b"}};
  Response r = views::Task(ctx, t, tail, 4000, false, 2000);
  BOOST_TEST(r.body.find("href=\"/tasks/5?after=2000\">Earlier lines") != std::string::npos);
  Response second = views::Task(ctx, t, tail, 1500, false, 2000);
  BOOST_TEST(second.body.find("href=\"/tasks/5?after=0\">Earlier lines") != std::string::npos);
  Response first = views::Task(ctx, t, tail, 0, false, 2000);
  BOOST_TEST(first.body.find("Earlier lines") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(error_page_has_status_and_message, Fixture) {
  Response r = views::Error(ctx, 404, "Server 9 does not exist.", "/servers");
  BOOST_TEST(r.status == 404);
  BOOST_TEST(r.body.find("Server 9 does not exist.") != std::string::npos);
  BOOST_TEST(r.body.find("href=\"/servers\"") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(operation_form_shows_every_field_kind_with_its_error, Fixture) {
  Operation op;
  op.name = "site-restore";
  op.title = "Restore";
  VarSpec file;
  file.name = "aegir_backup_file";
  file.type = VarType::kPath;
  file.required = true;
  VarSpec note;
  note.name = "aegir_backup_description";
  note.description = "Why <this> backup";
  VarSpec flag;
  flag.name = "aegir_keep";
  flag.type = VarType::kBool;
  VarSpec list;
  list.name = "aegir_extra";
  list.type = VarType::kList;
  views::FieldsForm form;
  form.fields = {file, note, flag, list};
  form.choices["aegir_backup_file"] = {"/b/one.tar.gz", "/b/two\"<x>.tar.gz"};
  form.values["aegir_backup_file"] = "/b/one.tar.gz";
  form.values["aegir_backup_description"] = "\"><script>";
  form.errors["aegir_backup_description"] = "Backup description: too <long>.";
  Response r = views::OperationPage(ctx, op, "blog.example.org", "/sites/4", form, {"Nothing <here>"}, 422);
  BOOST_TEST(r.status == 422);
  BOOST_TEST(r.body.find("action=\"/sites/4/run/site-restore\"") != std::string::npos);
  BOOST_TEST(r.body.find("<option value=\"/b/one.tar.gz\" selected>") != std::string::npos);
  BOOST_TEST(r.body.find("two&quot;&lt;x&gt;") != std::string::npos);
  BOOST_TEST(r.body.find("<script>") == std::string::npos);
  BOOST_TEST(r.body.find("Why &lt;this&gt; backup") != std::string::npos);
  BOOST_TEST(r.body.find("Backup description: too &lt;long&gt;.") != std::string::npos);
  BOOST_TEST(r.body.find("type=\"checkbox\"") != std::string::npos);
  BOOST_TEST(r.body.find("<textarea id=\"f-aegir_extra\"") != std::string::npos);
  BOOST_TEST(r.body.find("Nothing &lt;here&gt;") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(task_results_show_a_login_link_but_never_a_script_url, Fixture) {
  store::Task t;
  t.id = 8;
  t.state = "succeeded";
  t.results_json = R"({"login_url": "http://blog.localhost:8080/wp-login.php?action=rp&key=a\"b", "backup_size": 12,
                       "on_success": {"site_id": 3}})";
  Response r = views::Task(ctx, t, {}, 0, false, 2000);
  BOOST_TEST(r.body.find("href=\"http://blog.localhost:8080/wp-login.php?action=rp&amp;key=a") != std::string::npos);
  BOOST_TEST(r.body.find("id=\"result-backup_size\">12<") != std::string::npos);
  BOOST_TEST(r.body.find("site_id") == std::string::npos);  // aegir-web's own bookkeeping stays out
  t.results_json = R"({"sites_found": []})";
  Response none = views::Task(ctx, t, {}, 0, false, 2000);
  BOOST_TEST(none.body.find("id=\"result-sites_found\">none<") != std::string::npos);
  t.results_json = R"({"sites_found": ["a.example.org", "b.example.org"]})";
  Response two = views::Task(ctx, t, {}, 0, false, 2000);
  BOOST_TEST(two.body.find("id=\"result-sites_found\">a.example.org, b.example.org<") != std::string::npos);
  t.results_json = R"j({"login_url": "javascript:alert(1)"})j";
  Response evil = views::Task(ctx, t, {}, 0, false, 2000);
  BOOST_TEST(evil.body.find("href=\"javascript:") == std::string::npos);
}

// The site list page (views::Sites) byte for byte: its HTML is compared with
// the pages kept in tests/unit/testdata/site_list/, which the renderer of
// commit c0aa6fd made from the same values. The page is rendered with care
// for its cost (static template names, one section per row); what it shows
// must not change with that. AEGIR_WRITE_GOLDEN=1 writes the files instead
// (only when the page is meant to change).
namespace {

struct SiteListFixture : Fixture {
  void LogIn(bool admin) {
    store::Session s;
    s.user_id = admin ? 1 : 7;
    s.user_name = admin ? "admin" : "dora <&\"'>";
    s.is_admin = admin;
    s.csrf_token = std::string(64, admin ? 'a' : 'c');
    ctx.session = s;
  }
};

std::vector<store::Site> SomeSites() {
  std::vector<store::Site> sites;
  for (int i = 0; i < 3; ++i) {
    store::Site s;
    s.id = 100 + i;
    s.domain = "site-" + std::to_string(i) + ".example.org";
    s.platform_id = 4;
    s.platform_name = "wordpress";
    s.server_id = 2;
    s.server_name = "web1";
    s.client_id = 3;
    s.client_name = "default";
    s.status = i == 1 ? "failed" : "enabled";
    s.created_at = "2026-11-27 13:06:3" + std::to_string(i);
    sites.push_back(s);
  }
  // Every value that is shown, with what HTML must escape.
  sites[1].domain = "x\"><script>alert(1)</script>.example.org";
  sites[1].platform_name = "<b>plat</b> & 'co'";
  sites[1].server_name = "web \"2\" <i>";
  sites[1].client_name = "Client & <Sons>";
  sites[1].created_at = "<now>";
  return sites;
}

void Check(const std::string& name, const Response& r) {
  BOOST_TEST(r.status == 200);
  const std::string path = kSrc + "/tests/unit/testdata/site_list/" + name + ".html";
  if (const char* w = std::getenv("AEGIR_WRITE_GOLDEN"); w && std::string(w) == "1") {
    std::ofstream(path, std::ios::binary) << r.body;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "missing " + path);
  std::stringstream want;
  want << in.rdbuf();
  BOOST_TEST(r.body == want.str(), name << ": the page differs from " << path);
}

// The pages of admin_first.html and client_last.html.
views::SiteListPage AdminFirstPage() {
  views::SiteListPage page;
  page.sites = SomeSites();
  page.next_after = page.sites.back().domain;
  return page;
}
views::SiteListPage ClientLastPage() {
  views::SiteListPage page;
  page.sites = SomeSites();
  page.filter.status = "failed";
  page.first = false;
  page.prev_before = page.sites.front().domain;
  return page;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(admin_first_page, SiteListFixture) {
  LogIn(true);
  Check("admin_first", views::Sites(ctx, AdminFirstPage()));
}

BOOST_FIXTURE_TEST_CASE(admin_filtered_middle_page, SiteListFixture) {
  LogIn(true);
  views::SiteListPage page;
  page.sites = SomeSites();
  page.filter.prefix = "a\"<&b ";
  page.filter.status = "enabled";
  page.filter.platform_id = 4;
  page.filter.client_id = 3;
  page.first = false;
  page.prev_before = page.sites.front().domain;
  page.next_after = "z&<\"y";
  Check("admin_filtered", views::Sites(ctx, page));
}

BOOST_FIXTURE_TEST_CASE(client_user_last_page, SiteListFixture) {
  LogIn(false);
  Check("client_last", views::Sites(ctx, ClientLastPage()));
}

BOOST_FIXTURE_TEST_CASE(client_user_first_page, SiteListFixture) {
  LogIn(false);
  views::SiteListPage page;
  page.sites = SomeSites();
  page.next_after = page.sites.back().domain;
  Check("client_first", views::Sites(ctx, page));
}

BOOST_FIXTURE_TEST_CASE(empty_lists, SiteListFixture) {
  LogIn(true);
  views::SiteListPage none;
  Check("empty_none", views::Sites(ctx, none));
  views::SiteListPage no_match;
  no_match.filter.platform_id = 9;
  no_match.filter.client_id = 8;
  Check("empty_no_match", views::Sites(ctx, no_match));
  views::SiteListPage no_more;
  no_more.first = false;
  no_more.prev_before = "q.example.org";
  Check("empty_no_more", views::Sites(ctx, no_more));
}

// ---- Relative times ----

BOOST_AUTO_TEST_CASE(relative_times_against_a_fixed_clock) {
  views::SetNowForTesting(kNow);  // 2026-11-27 13:10:00
  BOOST_TEST(views::Ago("2026-11-27 13:09:55") == "just now");
  BOOST_TEST(views::Ago("2026-11-27 13:09:18") == "42 s ago");
  BOOST_TEST(views::Ago("2026-11-27 13:07:00") == "3 min ago");
  BOOST_TEST(views::Ago("2026-11-27 11:05:00") == "2 h 05 min ago");
  BOOST_TEST(views::Ago("2026-11-26 23:10:00") == "14 h ago");
  BOOST_TEST(views::Ago("2026-11-26 10:00:00") == "yesterday");
  BOOST_TEST(views::Ago("2026-11-15 13:10:00") == "12 days ago");
  BOOST_TEST(views::Ago("2026-01-12 08:00:00") == "on 2026-01-12");
  BOOST_TEST(views::Ago("2026-11-27 13:10:30") == "just now");  // a clock a little ahead
  BOOST_TEST(views::Ago("2026-11-27 13:40:00") == "in 30 min");
  BOOST_TEST(views::Ago("2026-11-27 15:20:00") == "in 2 h 10 min");  // a schedule's next run
  BOOST_TEST(views::Ago("2026-11-28 03:00:00") == "in 13 h");
  BOOST_TEST(views::Ago("2026-11-30 03:00:00") == "on 2026-11-30");
  BOOST_TEST(views::Ago("not a time") == "not a time");
  BOOST_TEST(views::IsoTime("2026-11-27 13:06:30") == "2026-11-27T13:06:30Z");
  BOOST_TEST(views::IsoTime("2026-11-27 13:06:3x") == "2026-11-27 13:06:3x");
  BOOST_TEST(views::HumanSize(850) == "850 B");
  BOOST_TEST(views::HumanSize(1536) == "1.5 KiB");
  BOOST_TEST(views::HumanSize(12 * 1024 * 1024) == "12.0 MiB");
}

// ParseUtc counts days by hand: it agrees with timegm on every day from
// 1900 to 2200 (leap years, centuries, 2000), at a time of day that moves,
// and refuses what is not "YYYY-MM-DD hh:mm:ss".
BOOST_AUTO_TEST_CASE(utc_times_are_read_as_timegm_reads_them) {
  int checked = 0;
  for (int64_t day = -25567; day < 84006; ++day) {  // 1900-01-01 .. 2199-12-31
    const time_t t = static_cast<time_t>(day * 86400 + (day * 7919) % 86400);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
    const auto parsed = views::ParseUtc(text);
    if (!parsed || *parsed != static_cast<int64_t>(t)) {
      BOOST_ERROR(std::string(text) + " read as " + (parsed ? std::to_string(*parsed) : "nothing") + ", not " +
                  std::to_string(t));
      break;
    }
    ++checked;
  }
  BOOST_TEST(checked == 84006 + 25567);
  for (const char* bad : {"", "2026-11-27", "2026-11-27T13:06:30", "2026-11-27 13:06:30Z", "2026-13-01 00:00:00",
                          "2026-00-10 00:00:00", "2026-11-32 00:00:00", "2026-11-27 24:00:00", "2026-11-27 13:60:00",
                          "2026-11-27 13:06:61", "2026-1a-27 13:06:30", "-026-11-27 13:06:30", "2026/11/27 13:06:30",
                          "0000-00-00 00:00:00"}) {
    BOOST_TEST(!views::ParseUtc(bad).has_value(), "'" << bad << "' was read as a time");
  }
}

BOOST_FIXTURE_TEST_CASE(a_task_shows_its_times_relative_with_the_utc_time_in_a_title, Fixture) {
  store::Task t;
  t.id = 4;
  t.state = "succeeded";
  t.created_at = "2026-11-27 13:07:00";
  t.started_at = "2026-11-27 13:07:01";
  t.finished_at = "2026-11-27 13:09:18";
  t.duration_ms = 137000;
  std::string page = views::Task(ctx, t, {}, 0, false, 2000).body;
  BOOST_TEST(page.find("<dd id=\"task-started\"><time datetime=\"2026-11-27T13:07:01Z\" "
                       "title=\"2026-11-27 13:07:01 UTC\">2 min ago</time></dd>") != std::string::npos);
  BOOST_TEST(page.find(">42 s ago</time>") != std::string::npos);
  BOOST_TEST(page.find("id=\"task-duration\">2 min 17 s<") != std::string::npos);
  // The live log region is announced politely.
  BOOST_TEST(page.find("role=\"log\" aria-live=\"polite\"") != std::string::npos);
  // Every page refreshes its relative times (an external script: the CSP allows no inline one).
  BOOST_TEST(page.find("<script src=\"/static/time.js\" defer></script>") != std::string::npos);
}

// ---- Flash messages ----

BOOST_FIXTURE_TEST_CASE(a_flash_message_shows_once_escaped_as_a_status, Fixture) {
  ctx.session->flash = "Backup of <b>blog</b> queued as task #12.";
  std::string page = views::Servers(ctx, {}).body;
  BOOST_TEST(page.find("<p class=\"flash\" role=\"status\" id=\"flash\">Backup of &lt;b&gt;blog&lt;/b&gt; queued as "
                       "task #12.</p>") != std::string::npos);
  ctx.session->flash.clear();
  BOOST_TEST(views::Servers(ctx, {}).body.find("class=\"flash\"") == std::string::npos);
}

// ---- Dashboard ----

namespace {
store::Task SomeTask(int64_t id, const std::string& state) {
  store::Task t;
  t.id = id;
  t.operation = "site-backup";
  t.entity_type = "site";
  t.entity_id = 7;
  t.entity_label = "blog.example.org";
  t.state = state;
  t.created_at = "2026-11-27 13:00:00";
  if (state != "queued") t.started_at = "2026-11-27 13:01:00";
  if (state == "failed") {
    t.finished_at = "2026-11-27 13:05:00";
    t.reason = "ansible-playbook exited with code 2 <x>";
  }
  return t;
}
}  // namespace

BOOST_FIXTURE_TEST_CASE(dashboard_lists_tasks_by_state_and_the_executors_with_their_heartbeat, Fixture) {
  ctx.session->is_admin = true;
  views::DashboardPage page;
  page.counts.running = 1;
  page.counts.queued = 7;
  page.counts.failed = 1;
  page.running = {SomeTask(30, "running")};
  page.queued = {SomeTask(31, "queued")};
  page.failed = {SomeTask(29, "failed")};
  page.show_scheduler = true;
  views::SchedulerState st;
  st.queued = 7;
  st.running = 1;
  st.executors.push_back({"web1-4711-9f3a", 2, 1, 412, {}});
  st.executors.push_back({"far-1-aa", 4, 0, 7000, {"dmz", "eu"}});
  page.scheduler = st;
  std::string body = views::Dashboard(ctx, page).body;
  auto section = [&](const std::string& id) {
    size_t at = body.find("id=\"" + id + "\"");
    BOOST_REQUIRE(at != std::string::npos);
    return body.substr(at, body.find("</section>", at) - at);
  };
  BOOST_TEST(section("running").find("href=\"/tasks/30\"") != std::string::npos);
  BOOST_TEST(section("queued").find("href=\"/tasks/31\"") != std::string::npos);
  BOOST_TEST(section("queued").find("All 7 queued tasks") != std::string::npos);  // more than shown
  BOOST_TEST(section("failed").find("href=\"/tasks/29\"") != std::string::npos);
  BOOST_TEST(section("failed").find("exited with code 2 &lt;x&gt;") != std::string::npos);
  BOOST_TEST(section("failed").find(">5 min ago</time>") != std::string::npos);
  // Each executor with its last heartbeat: relative, and as a UTC time in the title.
  std::string executors = section("scheduler");
  BOOST_TEST(executors.find("<code>web1-4711-9f3a</code>") != std::string::npos);
  BOOST_TEST(executors.find("<time datetime=\"2026-11-27T13:10:00Z\" title=\"2026-11-27 13:10:00 UTC\">just now</time> "
                            "<small>(0.4 s)</small>") != std::string::npos);
  BOOST_TEST(executors.find("badge online") != std::string::npos);
  BOOST_TEST(executors.find("dmz, eu") != std::string::npos);
  BOOST_TEST(executors.find("badge late") != std::string::npos);  // 7 s without a heartbeat
  BOOST_TEST(executors.find("1 of 2") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(dashboard_says_when_the_scheduler_did_not_answer, Fixture) {
  ctx.session->is_admin = true;
  views::DashboardPage page;
  page.show_scheduler = true;
  page.scheduler_error = "the scheduler did not answer within 3000 ms";
  std::string body = views::Dashboard(ctx, page).body;
  BOOST_TEST(body.find("id=\"scheduler-down\">The scheduler did not answer (the scheduler did not answer within 3000 ms)") !=
             std::string::npos);
  BOOST_TEST(body.find("Nothing is running.") != std::string::npos);
  // A client user's dashboard has no scheduler part at all.
  ctx.session->is_admin = false;
  page.show_scheduler = false;
  BOOST_TEST(views::Dashboard(ctx, page).body.find("id=\"scheduler") == std::string::npos);
}

// ---- Backups ----

BOOST_FIXTURE_TEST_CASE(each_backup_has_a_restore_button_posting_with_the_csrf_token, Fixture) {
  store::Site site;
  site.id = 7;
  site.domain = "blog.example.org";
  site.status = "enabled";
  store::Backup one{3, 7, "/var/aegir/backups/blog-\"1\".tar.gz", 5 * 1024 * 1024 + 300, "nightly", "2026-11-27 12:10:00"};
  Operation restore;
  restore.name = "site-restore";
  restore.title = "Restore";
  Operation remove;
  remove.name = "site-backup-delete";
  remove.title = "Delete a backup";
  remove.danger = true;
  std::vector<views::OperationButton> ops = {{&restore, "/sites/7/run/site-restore"},
                                             {&remove, "/sites/7/run/site-backup-delete"}};
  std::string page = views::Site(ctx, site, {}, {one}, ops, {}).body;
  size_t row = page.find("<tr id=\"backup-3\">");
  BOOST_REQUIRE(row != std::string::npos);
  std::string tr = page.substr(row, page.find("</tr>", row) - row);
  BOOST_TEST(tr.find(">1 h 00 min ago</time>") != std::string::npos);
  BOOST_TEST(tr.find(">5.0 MiB<") != std::string::npos);
  BOOST_TEST(tr.find("<form method=\"post\" action=\"/sites/7/run/site-restore\">") != std::string::npos);
  BOOST_TEST(tr.find("name=\"csrf\" value=\"" + std::string(64, 'c') + "\"") != std::string::npos);
  BOOST_TEST(tr.find("name=\"aegir_backup_file\" value=\"/var/aegir/backups/blog-&quot;1&quot;.tar.gz\"") !=
             std::string::npos);
  BOOST_TEST(tr.find(">Restore</button>") != std::string::npos);
  BOOST_TEST(tr.find("href=\"/sites/7/run/site-backup-delete?aegir_backup_file=%2Fvar%2Faegir%2Fbackups%2Fblog-%221%22.tar.gz\"") !=
             std::string::npos);
  // A site whose state offers no restore shows no button.
  std::string without = views::Site(ctx, site, {}, {one}, {}, {}).body;
  BOOST_TEST(without.find(">Restore</button>") == std::string::npos);
}

// ---- Forms ----

BOOST_FIXTURE_TEST_CASE(a_site_form_error_shows_next_to_its_field_and_keeps_the_value, Fixture) {
  views::SiteForm form;
  form.domain = "Bad_Domain<x>";
  form.aliases = "ok.example.org\nbad alias";
  form.errors = {"Domain: give a lower-case domain name with at least one dot, such as blog.example.org.",
                 "Aliases: 'badalias' is not a lower-case domain name."};
  Response r = views::SiteFormPage(ctx, form, {}, 422);
  BOOST_TEST(r.status == 422);
  const std::string& b = r.body;
  BOOST_TEST(b.find("<input id=\"domain\" name=\"domain\" value=\"Bad_Domain&lt;x&gt;\" required maxlength=\"253\" "
                    "aria-describedby=\"domain-help domain-error\" aria-invalid=\"true\">") != std::string::npos);
  BOOST_TEST(b.find("<p class=\"field-error\" id=\"domain-error\">give a lower-case domain name") != std::string::npos);
  BOOST_TEST(b.find("aria-describedby=\"aliases-help aliases-error\" aria-invalid=\"true\">ok.example.org\nbad alias</textarea>") !=
             std::string::npos);
  // The summary links to the fields.
  BOOST_TEST(b.find("<li><a href=\"#domain\">Domain: give") != std::string::npos);
  // Fields without an error are not marked.
  BOOST_TEST(b.find("aria-describedby=\"profile-help\">") != std::string::npos);
  BOOST_TEST(b.find("id=\"profile-error\"") == std::string::npos);
}

// ---- Lists ----

BOOST_FIXTURE_TEST_CASE(task_list_keeps_its_filter_in_the_form_and_the_pager, Fixture) {
  views::TaskListPage page;
  page.filter.state = "failed";
  page.filter.operation = "site-backup";
  page.filter.entity_type = "site";
  page.filter.entity_id = 7;
  page.entity_label = "blog.example.org";
  page.first = false;
  page.tasks = {SomeTask(29, "failed")};
  page.older_before = 29;
  std::string b = views::Tasks(ctx, page).body;
  BOOST_TEST(b.find("<option value=\"failed\" selected>failed</option>") != std::string::npos);
  BOOST_TEST(b.find("<input type=\"hidden\" name=\"site\" value=\"7\">") != std::string::npos);
  BOOST_TEST(b.find("on the site blog.example.org (<a href=\"/tasks?state=failed&amp;operation=site-backup\">remove this") !=
             std::string::npos);
  BOOST_TEST(b.find("href=\"/tasks?state=failed&amp;operation=site-backup&amp;site=7&amp;before=29\" rel=\"next\">Older") !=
             std::string::npos);
  BOOST_TEST(b.find("href=\"/tasks?state=failed&amp;operation=site-backup&amp;site=7\">Newest") != std::string::npos);
  page.tasks.clear();
  page.first = true;
  page.older_before = 0;
  BOOST_TEST(views::Tasks(ctx, page).body.find("No task matches.") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(name_lists_page_with_their_search_and_filters, Fixture) {
  views::NameListPage page;
  page.q = "web \"1";
  page.filters["status"] = "verified";
  page.first = false;
  page.prev_before = "web1";
  page.next_after = "web9";
  store::Server s;
  s.id = 2;
  s.name = "web1";
  s.status = "verified";
  s.verified_at = "2026-11-27 13:00:00";
  std::string b = views::Servers(ctx, {s}, page).body;
  BOOST_TEST(b.find("<input type=\"search\" id=\"q\" name=\"q\" value=\"web &quot;1\"") != std::string::npos);
  BOOST_TEST(b.find("<option value=\"verified\" selected>verified</option>") != std::string::npos);
  BOOST_TEST(b.find("href=\"/servers?q=web%20%221&amp;status=verified&amp;before=web1\" rel=\"prev\"") != std::string::npos);
  BOOST_TEST(b.find("href=\"/servers?q=web%20%221&amp;status=verified&amp;after=web9\" rel=\"next\"") != std::string::npos);
  BOOST_TEST(b.find(">10 min ago</time>") != std::string::npos);
  BOOST_TEST(views::Servers(ctx, {}, page).body.find("No more servers.") != std::string::npos);
  page.first = true;
  BOOST_TEST(views::Servers(ctx, {}, page).body.find("No server matches.") != std::string::npos);
}

// A shared page keeps its rows as rendered when it was read: the page made
// with them is the same, byte for byte; rows rendered for the other role are
// rendered again.
BOOST_FIXTURE_TEST_CASE(rows_rendered_ahead_give_the_same_page, SiteListFixture) {
  LogIn(true);
  views::SiteListPage page = AdminFirstPage();
  page.rows_html = views::SiteRows(page.sites, /*admin=*/true);
  page.rows_for_admin = true;
  BOOST_TEST(page.rows_html.find("x&quot;&gt;&lt;script&gt;") != std::string::npos);
  Check("admin_first", views::Sites(ctx, page));
  LogIn(false);
  views::SiteListPage last = ClientLastPage();
  last.rows_html = views::SiteRows(last.sites, /*admin=*/true);  // an admin's: links to the platform
  last.rows_for_admin = true;
  Check("client_last", views::Sites(ctx, last));
}
