// Schedules on the real stack (docs/schedules.md): made on a site's
// Schedules page, fired by the real aegir-scheduler, run by the executor
// with ansible-playbook as ordinary tasks; a backup schedule's retention
// deletes its own old backups through site-backup-delete tasks.
//
// Nothing here waits for a time to pass and then looks: every wait polls for
// a state with a generous limit. Where a case needs a schedule due now, it
// presses "Run now" (what a user would), or, to stand for a scheduler that
// was down for days, moves next_run_at back in the database.
//
// The cases build on each other in the order written.
#define BOOST_TEST_MODULE schedules
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

#include "tests/integration/stack.h"

using namespace aegir::testing;
namespace fs = std::filesystem;

namespace {

BOOST_TEST_GLOBAL_FIXTURE(StackSuite);
Stack& S() { return StackSuite::Get(); }

constexpr const char* kBobPassword = "a long enough password for bob";

struct World {
  std::string site;     // /sites/N of sched.localhost (client default)
  std::string site_id;  // N
  std::string beta_id;  // the client bob acts for
  std::string beta_site_id;
};
World w;

// One value from the database (the mariadb client's output, trimmed).
std::string Value(const std::string& sql) {
  std::string out = Sql(S(), sql);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string Csrf(Browser& b, const std::string& page) {
  std::string token = Browser::CsrfToken(b.Get(page).body);
  BOOST_REQUIRE_MESSAGE(!token.empty(), page << " has no form");
  return token;
}

// Polls until done() holds; fails the test with what() when it does not
// within the limit (generous: it is a bound, not a measurement).
void WaitUntil(const std::function<bool()>& done, const std::function<std::string()>& what,
               std::chrono::seconds limit = std::chrono::seconds(240)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, what());
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

std::string SchedulesPage() { return w.site + "/schedules"; }

// Adds a schedule on the site's page; returns its id (the newest of the site).
std::string AddSchedule(Browser& b, std::vector<std::pair<std::string, std::string>> fields,
                        const std::string& site = w.site) {
  fields.insert(fields.begin(), {"csrf", Csrf(b, site + "/schedules")});
  HttpResult r = b.Post(site + "/schedules", fields);
  BOOST_REQUIRE_MESSAGE(r.status == 303, "schedule not added (HTTP " << r.status << "):\n" << r.body);
  std::string id = Value("SELECT MAX(id) FROM aegir.schedules WHERE site_id = " + site.substr(site.rfind('/') + 1));
  BOOST_REQUIRE(!id.empty() && id != "NULL");
  return id;
}

HttpResult Press(Browser& b, const std::string& schedule, const std::string& action,
                 const std::string& site = w.site) {
  return b.Post(site + "/schedules/" + schedule + "/" + action, {{"csrf", Csrf(b, site + "/schedules")}});
}

std::string LastTask(const std::string& schedule) {
  return Value("SELECT COALESCE(last_task_id, '') FROM aegir.schedules WHERE id = " + schedule);
}

// Presses Run now and waits for the schedule's new task to end; returns its id.
std::string RunNowToEnd(Browser& b, const std::string& schedule) {
  const std::string before = LastTask(schedule);
  HttpResult r = Press(b, schedule, "run");
  BOOST_REQUIRE_MESSAGE(r.status == 303, r.body);
  WaitUntil([&] { return LastTask(schedule) != before; },
            [&] { return "schedule " + schedule + " did not fire; its row: " +
                         Value("SELECT * FROM aegir.schedules WHERE id = " + schedule); });
  std::string task = LastTask(schedule);
  std::string html = WaitForTask(b, "/tasks/" + task);
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", "task " << task << ":\n" << html);
  return task;
}

HttpResult LogInAs(Browser& b, const std::string& name, const std::string& password) {
  HttpResult form = b.Get("/login");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  return b.Post("/login", {{"csrf", Browser::CsrfToken(form.body)}, {"name", name}, {"password", password}});
}

// The running aegir-scheduler of this stack.
std::vector<int> SchedulerPids() {
  std::vector<int> out;
  for (int pid : ProcessesMentioning(S().var_dir())) {
    std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
    if (s.find("aegir-scheduler") != std::string::npos && s.find("--submit-endpoint") != std::string::npos &&
        s.find("setpriv") == std::string::npos) {
      out.push_back(pid);
    }
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_site_to_schedule) {
  Browser b(S().url());
  LogIn(b, S());
  std::string server = First(b.Get("/servers").body, "href=\"(/servers/[0-9]+)\">localhost<");
  BOOST_REQUIRE(!server.empty());
  RunToSuccess(b, server, "server-verify");
  std::string platform = First(b.Get("/platforms").body, "href=\"(/platforms/[0-9]+)\">wordpress<");
  BOOST_REQUIRE(!platform.empty());
  RunToSuccess(b, platform, "platform-deploy");
  HttpResult form = b.Get("/sites/add");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  HttpResult added = b.Post(
      "/sites/add", {{"csrf", Browser::CsrfToken(form.body)},
                     {"domain", "sched.localhost"},
                     {"platform_id", platform.substr(std::string("/platforms/").size())},
                     {"db_server_id", First(form.body, "<select id=\"db_server_id\"[^>]*><option value=\"([0-9]+)\"")},
                     {"client_id", First(form.body, "<select id=\"client_id\"[^>]*><option value=\"([0-9]+)\"")},
                     {"aegir_site_admin_email", "admin@example.org"}});
  BOOST_REQUIRE_MESSAGE(added.status == 303, added.body);
  w.site = added.location;
  w.site_id = w.site.substr(w.site.rfind('/') + 1);
  std::string html = WaitForTask(b, NewestTask(b, w.site));
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", html);
  // The site's page leads to its schedules.
  HttpResult page = b.Get(w.site);
  BOOST_TEST(Contains(page.body, "href=\"/sites/" + w.site_id + "/schedules\""));
  HttpResult list = b.Get(SchedulesPage());
  BOOST_TEST(list.status == 200);
  BOOST_TEST(Contains(list.body, "No schedules yet."));
}

BOOST_AUTO_TEST_CASE(bad_input_is_refused_inline_and_stores_nothing) {
  Browser b(S().url());
  LogIn(b, S());
  auto post = [&](std::vector<std::pair<std::string, std::string>> fields) {
    fields.insert(fields.begin(), {"csrf", Csrf(b, SchedulesPage())});
    return b.Post(SchedulesPage(), fields);
  };
  HttpResult r = post({{"operation", "site-delete"}, {"frequency", "daily"}, {"at_time", "03:00"}});
  BOOST_TEST(r.status == 422);
  BOOST_TEST(Contains(r.body, "Operation: choose Backup or Run cron."));
  r = post({{"operation", "site-backup"}, {"frequency", "hours"}, {"every_n", "0"}, {"keep_backups", "2"}});
  BOOST_TEST(r.status == 422);
  BOOST_TEST(Contains(r.body, "Every: give a whole number of hours from 1 to 744."));
  // What was typed is kept in the form.
  BOOST_TEST(Contains(r.body, "name=\"every_n\" value=\"0\""));
  r = post({{"operation", "site-backup"}, {"frequency", "daily"}, {"at_time", "03:00"}, {"keep_backups", "-1"}});
  BOOST_TEST(r.status == 422);
  BOOST_TEST(Contains(r.body, "Keep: give a whole number from 0 (keep every backup) to 1000."));
  BOOST_TEST(Contains(r.body, "class=\"field-error\""));
  r = post({{"operation", "site-cron"}, {"frequency", "daily"}, {"at_time", "25:99"}});
  BOOST_TEST(r.status == 422);
  BOOST_TEST(Contains(r.body, "At: give a time of day as HH:MM"));
  // Without the CSRF token: refused before the handler.
  r = b.Post(SchedulesPage(), {{"operation", "site-cron"}, {"frequency", "daily"}, {"at_time", "03:00"}});
  BOOST_TEST(r.status == 403);
  BOOST_TEST(Value("SELECT COUNT(*) FROM aegir.schedules") == "0");
}

BOOST_AUTO_TEST_CASE(a_short_interval_fires_an_ordinary_task) {
  Browser b(S().url());
  LogIn(b, S());
  std::string id = AddSchedule(b, {{"operation", "site-cron"}, {"frequency", "minutes"}, {"every_n", "1"}});
  HttpResult list = b.Get(SchedulesPage());
  BOOST_TEST(Contains(list.body, "id=\"schedule-" + id + "\""));
  BOOST_TEST(Contains(list.body, "every minute"));
  BOOST_TEST(Value("SELECT next_run_at > UTC_TIMESTAMP() FROM aegir.schedules WHERE id = " + id) == "1");
  // Due a minute after it was made: the scheduler fires it by itself.
  WaitUntil([&] { return !LastTask(id).empty(); },
            [&] { return "schedule " + id + " never fired: " + Value("SELECT * FROM aegir.schedules WHERE id = " + id); });
  const std::string task = LastTask(id);
  std::string html = WaitForTask(b, "/tasks/" + task);
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", html);
  BOOST_TEST(Value("SELECT CONCAT(operation, ' ', entity_type, ' ', entity_id, ' ', schedule_id) FROM aegir.tasks "
                   "WHERE id = " + task) == "site-cron site " + w.site_id + " " + id);
  // Next due a minute on, in the future.
  BOOST_TEST(Value("SELECT next_run_at > UTC_TIMESTAMP() FROM aegir.schedules WHERE id = " + id) == "1");
  // The audit log says the schedule did it; the site's task list shows it.
  BOOST_TEST(Value("SELECT actor FROM aegir.audit_log WHERE task_id = " + task) == "schedule #" + id);
  BOOST_TEST(Contains(b.Get(w.site).body, "href=\"/tasks/" + task + "\""));
  BOOST_TEST(Contains(b.Get(SchedulesPage()).body, "href=\"/tasks/" + task + "\" class=\"last-task\""));
  // Disabled, it is shown so and stays quiet for the cases that follow.
  BOOST_TEST(Press(b, id, "disable").status == 303);
  BOOST_TEST(Value("SELECT enabled FROM aegir.schedules WHERE id = " + id) == "0");
  BOOST_TEST(Contains(b.Get(SchedulesPage()).body, "badge disabled"));
}

BOOST_AUTO_TEST_CASE(a_disabled_schedule_does_not_fire) {
  Browser b(S().url());
  LogIn(b, S());
  std::string quiet = AddSchedule(b, {{"operation", "site-cron"}, {"frequency", "daily"}, {"at_time", "04:00"}});
  BOOST_TEST(Press(b, quiet, "disable").status == 303);
  // Long overdue as far as its time goes (as if disabled days ago).
  Sql(S(), "UPDATE aegir.schedules SET next_run_at = UTC_TIMESTAMP() - INTERVAL 2 DAY WHERE id = " + quiet);
  // Run now is refused for a disabled schedule.
  HttpResult refused = Press(b, quiet, "run");
  BOOST_TEST(refused.status == 409);
  BOOST_TEST(Contains(refused.body, "is disabled; enable it to run it."));
  // An enabled one made due at the same moment fires: the scheduler has read
  // the due schedules since, and the disabled one was not among them.
  std::string loud = AddSchedule(b, {{"operation", "site-cron"}, {"frequency", "hours"}, {"every_n", "24"}});
  RunNowToEnd(b, loud);
  BOOST_TEST(LastTask(quiet).empty());
  BOOST_TEST(Value("SELECT COUNT(*) FROM aegir.tasks WHERE schedule_id = " + quiet) == "0");
  // Enabled again, it does not make up the missed runs: next due at 04:00 to come.
  BOOST_TEST(Press(b, quiet, "enable").status == 303);
  BOOST_TEST(Value("SELECT next_run_at > UTC_TIMESTAMP() AND TIME(next_run_at) = '04:00:00' FROM aegir.schedules "
                   "WHERE id = " + quiet) == "1");
  BOOST_TEST(Press(b, quiet, "disable").status == 303);
  BOOST_TEST(Press(b, loud, "disable").status == 303);
}

BOOST_AUTO_TEST_CASE(retention_keeps_the_newest_scheduled_backups_only) {
  Browser b(S().url());
  LogIn(b, S());
  // A backup taken by hand: never the schedule's to delete.
  std::string manual = First(RunToSuccess(b, w.site, "site-backup", {{"aegir_backup_description", "by hand"}}),
                             "id=\"result-backup_path\">([^<]+)<");
  BOOST_REQUIRE(!manual.empty());
  std::string id = AddSchedule(
      b, {{"operation", "site-backup"}, {"frequency", "hours"}, {"every_n", "24"}, {"keep_backups", "2"}});
  BOOST_TEST(Contains(b.Get(SchedulesPage()).body, "newest 2"));
  auto scheduled = [&] {
    return Value("SELECT COUNT(*) FROM aegir.backups b JOIN aegir.tasks t ON t.id = b.task_id "
                 "WHERE t.schedule_id = " + id);
  };
  auto open_deletions = [&] {
    return Value("SELECT COUNT(*) FROM aegir.tasks WHERE operation = 'site-backup-delete' AND state IN "
                 "('queued', 'running')");
  };
  std::vector<std::string> runs, paths;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(RunNowToEnd(b, id));
    paths.push_back(Value("SELECT path FROM aegir.backups WHERE task_id = " + runs.back()));
    BOOST_REQUIRE(!paths.back().empty());
    // Its retention (queued as the backup ended) has run before the next.
    WaitUntil([&] { return std::stoi(scheduled()) <= 2 && open_deletions() == "0"; },
              [&] { return "after run " + std::to_string(i + 1) + ": " + scheduled() + " scheduled backups, " +
                           open_deletions() + " deletions open"; });
  }
  // The two newest are kept, the two oldest deleted, on disk and in the list.
  BOOST_TEST(Value("SELECT GROUP_CONCAT(task_id ORDER BY id) FROM aegir.backups b WHERE b.site_id = " + w.site_id +
                   " AND task_id IN (" + runs[0] + "," + runs[1] + "," + runs[2] + "," + runs[3] + ")") ==
             runs[2] + "," + runs[3]);
  BOOST_TEST(!fs::exists(paths[0]));
  BOOST_TEST(!fs::exists(paths[1]));
  BOOST_TEST(fs::is_regular_file(paths[2]));
  BOOST_TEST(fs::is_regular_file(paths[3]));
  // The backup taken by hand is still there.
  BOOST_TEST(fs::is_regular_file(manual));
  BOOST_TEST(Value("SELECT COUNT(*) FROM aegir.backups WHERE path = '" + manual + "'") == "1");
  // The deletions are ordinary tasks of the site, by the schedule.
  BOOST_TEST(Value("SELECT GROUP_CONCAT(state) FROM aegir.tasks WHERE operation = 'site-backup-delete' "
                   "AND entity_id = " + w.site_id + " AND schedule_id = " + id) == "succeeded,succeeded");
  BOOST_TEST(Value("SELECT COUNT(*) FROM aegir.audit_log a JOIN aegir.tasks t ON t.id = a.task_id "
                   "WHERE t.operation = 'site-backup-delete' AND a.actor = 'schedule #" + id + "'") == "2");
  std::string page = b.Get(w.site).body;
  BOOST_TEST(Contains(page, "Scheduled (schedule #" + id + ")"));
  BOOST_TEST(!Contains(page, paths[0]));
  BOOST_TEST(Press(b, id, "disable").status == 303);
}

BOOST_AUTO_TEST_CASE(a_schedule_overdue_for_days_fires_once_and_exactly_once_across_a_restart) {
  Browser b(S().url());
  LogIn(b, S());
  std::string id = AddSchedule(b, {{"operation", "site-cron"}, {"frequency", "hours"}, {"every_n", "24"}});
  // As if the scheduler had been down for five days.
  Sql(S(), "UPDATE aegir.schedules SET next_run_at = UTC_TIMESTAMP() - INTERVAL 5 DAY WHERE id = " + id);
  WaitUntil([&] { return !LastTask(id).empty(); }, [&] { return "schedule " + id + " never fired"; });
  // next_run_at moved past now in the transaction that stored the task.
  BOOST_TEST(Value("SELECT next_run_at > UTC_TIMESTAMP() AND next_run_at <= UTC_TIMESTAMP() + INTERVAL 1 DAY "
                   "FROM aegir.schedules WHERE id = " + id) == "1");
  // Killed outright, the scheduler is started again by the launcher.
  std::vector<int> before = SchedulerPids();
  BOOST_REQUIRE_EQUAL(before.size(), 1u);
  BOOST_REQUIRE_EQUAL(::kill(before[0], SIGKILL), 0);
  WaitUntil([&] { auto now = SchedulerPids(); return now.size() == 1 && now[0] != before[0]; },
            [&] { return std::string("the scheduler was not started again"); });
  // Its one task ends (run by the new scheduler, or adopted by it).
  WaitForTask(b, "/tasks/" + LastTask(id));
  // The new scheduler reads the due schedules: another one made due fires...
  std::string probe = AddSchedule(b, {{"operation", "site-cron"}, {"frequency", "hours"}, {"every_n", "24"}});
  RunNowToEnd(b, probe);
  // ...and the one that fired before the kill did not fire again.
  BOOST_TEST(Value("SELECT COUNT(*) FROM aegir.tasks WHERE schedule_id = " + id) == "1");
  BOOST_TEST(Value("SELECT COUNT(*) FROM aegir.tasks WHERE schedule_id = " + probe) == "1");
}

BOOST_AUTO_TEST_CASE(a_run_is_skipped_with_its_reason_while_the_site_is_disabled) {
  Browser b(S().url());
  LogIn(b, S());
  std::string id = AddSchedule(b, {{"operation", "site-cron"}, {"frequency", "hours"}, {"every_n", "24"}});
  RunToSuccess(b, w.site, "site-disable");
  const std::string tasks = Value("SELECT COUNT(*) FROM aegir.tasks");
  BOOST_TEST(Press(b, id, "run").status == 303);
  WaitUntil([&] { return Value("SELECT last_message FROM aegir.schedules WHERE id = " + id) != ""; },
            [&] { return "schedule " + id + " was not skipped"; });
  BOOST_TEST(Contains(Value("SELECT last_message FROM aegir.schedules WHERE id = " + id),
                      "the site is disabled, not enabled."));
  BOOST_TEST(Value("SELECT next_run_at > UTC_TIMESTAMP() FROM aegir.schedules WHERE id = " + id) == "1");
  BOOST_TEST(Value("SELECT COUNT(*) FROM aegir.tasks") == tasks);
  HttpResult page = b.Get(SchedulesPage());
  BOOST_TEST(Contains(page.body, "the site is disabled, not enabled."));
  BOOST_TEST(Contains(page.body, "id=\"site-not-enabled\""));
  RunToSuccess(b, w.site, "site-enable");
  // Deleted with a confirmation (CSRF-protected like every form).
  HttpResult confirm = b.Get(SchedulesPage() + "/" + id + "/delete");
  BOOST_TEST(confirm.status == 200);
  BOOST_TEST(Contains(confirm.body, "Delete schedule #" + id));
  BOOST_TEST(b.Post(SchedulesPage() + "/" + id + "/delete", {}).status == 403);
  HttpResult gone = b.Post(SchedulesPage() + "/" + id + "/delete", {{"csrf", Browser::CsrfToken(confirm.body)}});
  BOOST_TEST(gone.status == 303);
  BOOST_TEST(Value("SELECT COUNT(*) FROM aegir.schedules WHERE id = " + id) == "0");
}

BOOST_AUTO_TEST_CASE(a_client_user_manages_only_their_own_sites_schedules) {
  Browser admin(S().url());
  LogIn(admin, S());
  HttpResult r = admin.Post("/clients", {{"csrf", Csrf(admin, "/clients")}, {"name", "beta"}});
  BOOST_REQUIRE_EQUAL(r.status, 303);
  w.beta_id = Value("SELECT id FROM aegir.clients WHERE name = 'beta'");
  HttpResult added = admin.Post("/users", {{"csrf", Csrf(admin, "/users")}, {"name", "bob"}, {"client_" + w.beta_id, "1"}});
  BOOST_REQUIRE_EQUAL(added.status, 200);
  std::string link = First(added.body, "value=\"(https?://[^\"]+/password/[0-9a-f]{64})\"");
  BOOST_REQUIRE(!link.empty());
  std::string path = link.substr(link.find("/password/"));
  Browser bob(S().url());
  std::string csrf = Browser::CsrfToken(bob.Get(path).body);
  BOOST_REQUIRE_EQUAL(bob.Post(path, {{"csrf", csrf}, {"password", kBobPassword}, {"repeat", kBobPassword}}).status,
                      200);
  BOOST_REQUIRE_EQUAL(LogInAs(bob, "bob", kBobPassword).status, 303);
  // A site of bob's client (made directly: it never runs here).
  Sql(S(),
      "INSERT INTO aegir.sites (domain, platform_id, db_server_id, client_id, status) "
      "SELECT 'beta.localhost', platform_id, db_server_id, " + w.beta_id + ", 'enabled' FROM aegir.sites WHERE id = " +
          w.site_id);
  w.beta_site_id = Value("SELECT id FROM aegir.sites WHERE domain = 'beta.localhost'");
  const std::string beta_site = "/sites/" + w.beta_site_id;

  // sched.localhost is not bob's: its schedules do not exist for him.
  std::string theirs = Value("SELECT MIN(id) FROM aegir.schedules WHERE site_id = " + w.site_id);
  const std::string before = Value("SELECT GROUP_CONCAT(CONCAT(id, enabled, next_run_at)) FROM aegir.schedules");
  std::string token = Csrf(bob, "/account");
  HttpResult seen = bob.Get(SchedulesPage());
  BOOST_TEST(seen.status == 404);
  BOOST_TEST(!Contains(seen.body, "every minute"));
  BOOST_TEST(bob.Get(SchedulesPage() + "/" + theirs + "/delete").status == 404);
  BOOST_TEST(bob.Post(SchedulesPage(), {{"csrf", token}, {"operation", "site-cron"}, {"frequency", "daily"},
                                         {"at_time", "03:00"}}).status == 404);
  for (const char* action : {"enable", "disable", "run", "delete"}) {
    HttpResult r2 = bob.Post(SchedulesPage() + "/" + theirs + "/" + action, {{"csrf", token}});
    BOOST_TEST(r2.status == 404, action << " answered " << r2.status);
  }
  // Nor through his own site's address.
  BOOST_TEST(bob.Post(beta_site + "/schedules/" + theirs + "/enable", {{"csrf", token}}).status == 404);
  BOOST_TEST(bob.Post(beta_site + "/schedules/" + theirs + "/delete", {{"csrf", token}}).status == 404);
  BOOST_TEST(Value("SELECT GROUP_CONCAT(CONCAT(id, enabled, next_run_at)) FROM aegir.schedules") == before);

  // His own site's schedules he manages.
  HttpResult own = bob.Get(beta_site + "/schedules");
  BOOST_TEST(own.status == 200);
  BOOST_TEST(Contains(own.body, "No schedules yet."));
  std::string mine = AddSchedule(bob, {{"operation", "site-backup"}, {"frequency", "weekly"}, {"weekday", "6"},
                                       {"at_time", "02:15"}, {"keep_backups", "3"}},
                                 beta_site);
  own = bob.Get(beta_site + "/schedules");
  BOOST_TEST(Contains(own.body, "weekly on Sunday at 02:15 UTC"));
  BOOST_TEST(Value("SELECT u.name FROM aegir.schedules s JOIN aegir.users u ON u.id = s.created_by WHERE s.id = " +
                   mine) == "bob");
  BOOST_TEST(Press(bob, mine, "disable", beta_site).status == 303);
  BOOST_TEST(bob.Post(beta_site + "/schedules/" + mine + "/delete", {{"csrf", token}}).status == 303);
  BOOST_TEST(Value("SELECT COUNT(*) FROM aegir.schedules WHERE id = " + mine) == "0");
}
