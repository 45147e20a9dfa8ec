// The walking skeleton end to end: the real stack (MariaDB, nginx, aegir-web,
// aegir-scheduler, aegir-executor, ansible-playbook) started by
// scripts/launch, driven over HTTP through nginx as a user would.
#define BOOST_TEST_MODULE stack
#include <boost/test/unit_test.hpp>

#include <pwd.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "common/crypto.h"
#include "tests/integration/stack.h"

using namespace aegir::testing;

namespace {

BOOST_TEST_GLOBAL_FIXTURE(StackSuite);
Stack& S() { return StackSuite::Get(); }

std::string LogIn(Browser& b) { return aegir::testing::LogIn(b, S()); }

// Adds a server through the form; returns its page path ("/servers/N").
std::string AddServer(Browser& b, const std::string& name, const std::string& host) {
  HttpResult form = b.Get("/servers/add");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  HttpResult r = b.Post("/servers/add", {{"csrf", Browser::CsrfToken(form.body)}, {"name", name}, {"hostname", host}});
  BOOST_REQUIRE_EQUAL(r.status, 303);
  BOOST_REQUIRE(r.location.rfind("/servers/", 0) == 0);
  return r.location;
}

// Presses the operation's button on the server page; returns the task page path.
std::string PressButton(Browser& b, const std::string& server_path, const std::string& operation) {
  HttpResult page = b.Get(server_path);
  BOOST_REQUIRE_EQUAL(page.status, 200);
  std::string action = server_path + "/run/" + operation;
  BOOST_REQUIRE(Contains(page.body, "action=\"" + action + "\""));
  HttpResult r = b.Post(action, {{"csrf", Browser::CsrfToken(page.body)}});
  BOOST_REQUIRE_EQUAL(r.status, 303);
  BOOST_REQUIRE(r.location.rfind("/tasks/", 0) == 0);
  return r.location;
}

std::string StateOf(const std::string& html) { return TaskState(html); }
std::string WaitForEnd(Browser& b, const std::string& path) { return WaitForTask(b, path); }

}  // namespace

BOOST_AUTO_TEST_CASE(login_page_through_nginx_with_security_headers) {
  Browser b(S().url());
  HttpResult r = b.Get("/login");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(Contains(r.body, "<form method=\"post\" action=\"/login\""));
  BOOST_TEST(Contains(r.headers["set-cookie"], "HttpOnly"));
  BOOST_TEST(Contains(r.headers["set-cookie"], "SameSite=Strict"));
  BOOST_TEST(r.headers["x-frame-options"] == "DENY");
  BOOST_TEST(r.headers["x-content-type-options"] == "nosniff");
  BOOST_TEST(Contains(r.headers["content-security-policy"], "default-src 'self'"));
  BOOST_TEST(Contains(r.headers["content-security-policy"], "script-src 'self'"));  // no inline script
  BOOST_TEST(Contains(r.headers["content-security-policy"], "frame-ancestors 'none'"));
  BOOST_TEST(r.headers["referrer-policy"] == "same-origin");
  BOOST_TEST(!Contains(r.headers["set-cookie"], "Secure"));  // plain http on loopback
  // Static files come from nginx.
  BOOST_TEST(b.Get("/static/style.css").status == 200);
}

BOOST_AUTO_TEST_CASE(pages_need_a_login) {
  Browser b(S().url());
  HttpResult r = b.Get("/servers");
  BOOST_TEST(r.status == 303);
  BOOST_TEST(r.location == "/login");
  HttpResult unknown = b.Get("/no/such/page");
  BOOST_TEST(unknown.status == 404);
  BOOST_TEST(Contains(unknown.body, "There is no page at this address."));
}

BOOST_AUTO_TEST_CASE(wrong_password_is_refused) {
  Browser b(S().url());
  std::string csrf = Browser::CsrfToken(b.Get("/login").body);
  HttpResult r = b.Post("/login", {{"csrf", csrf}, {"name", "admin"}, {"password", "not-the-password"}});
  BOOST_TEST(r.status == 401);
  BOOST_TEST(Contains(r.body, "Wrong user name or password."));
  BOOST_TEST(b.Get("/").status == 303);  // still logged out
}

// Five wrong passwords for one account name within 15 minutes: the next
// login is refused even with the right password, and says why. Another
// account is not affected.
BOOST_AUTO_TEST_CASE(failed_logins_are_throttled) {
  auto hash = aegir::crypto::HashPassword("the-right-password");
  BOOST_REQUIRE(hash.ok());
  Sql(S(), "INSERT INTO aegir.users (name, password_hash) VALUES ('ops', '" + *hash + "')");
  Browser b(S().url());
  auto attempt = [&](const std::string& name, const std::string& password) {
    std::string csrf = Browser::CsrfToken(b.Get("/login").body);
    return b.Post("/login", {{"csrf", csrf}, {"name", name}, {"password", password}});
  };
  for (int i = 0; i < 5; ++i) BOOST_TEST(attempt("ops", "wrong").status == 401);
  HttpResult refused = attempt("ops", "the-right-password");
  BOOST_TEST(refused.status == 429);
  BOOST_TEST(Contains(refused.body, "Too many failed logins. Wait 15 minutes"), refused.body);
  BOOST_TEST(b.Get("/").status == 303);  // not logged in
  BOOST_TEST(std::stoi(Sql(S(), "SELECT COUNT(*) FROM aegir.login_failures WHERE name = 'ops'")) == 5);
  // admin still logs in (and a success clears its own failures).
  Browser admin(S().url());
  LogIn(admin);
  BOOST_TEST(admin.Get("/").status == 200);
}

// A session unused for an hour ends; one used within the hour goes on, and
// its use is noted.
BOOST_AUTO_TEST_CASE(an_idle_session_ends) {
  Browser b(S().url());
  LogIn(b);
  const std::string mine = "user_id IS NOT NULL AND last_seen_at > UTC_TIMESTAMP() - INTERVAL 1 MINUTE";
  Sql(S(), "UPDATE aegir.sessions SET last_seen_at = UTC_TIMESTAMP() - INTERVAL 30 MINUTE WHERE " + mine);
  BOOST_TEST(b.Get("/").status == 200);
  BOOST_TEST(std::stoi(Sql(S(), "SELECT COUNT(*) FROM aegir.sessions WHERE user_id IS NOT NULL AND "
                                "last_seen_at > UTC_TIMESTAMP() - INTERVAL 1 MINUTE")) >= 1);
  Sql(S(), "UPDATE aegir.sessions SET last_seen_at = UTC_TIMESTAMP() - INTERVAL 61 MINUTE WHERE " + mine);
  HttpResult r = b.Get("/");
  BOOST_TEST(r.status == 303);
  BOOST_TEST(r.location == "/login");
}

BOOST_AUTO_TEST_CASE(post_without_valid_csrf_token_changes_nothing) {
  Browser b(S().url());
  LogIn(b);
  HttpResult missing = b.Post("/servers/add", {{"name", "csrf-probe"}, {"hostname", "localhost"}});
  BOOST_TEST(missing.status == 403);
  BOOST_TEST(Contains(missing.body, "This form has expired or did not come from this site."));
  HttpResult forged = b.Post("/servers/add", {{"csrf", std::string(64, 'a')}, {"name", "csrf-probe"}, {"hostname", "localhost"}});
  BOOST_TEST(forged.status == 403);
  BOOST_TEST(!Contains(b.Get("/servers").body, "csrf-probe"));
}

BOOST_AUTO_TEST_CASE(bad_server_input_gets_clear_errors_and_nothing_is_stored) {
  Browser b(S().url());
  LogIn(b);
  HttpResult form = b.Get("/servers/add");
  HttpResult r = b.Post("/servers/add", {{"csrf", Browser::CsrfToken(form.body)},
                                         {"name", "<b>Bad Name</b>"},
                                         {"hostname", "host; rm -rf /"}});
  BOOST_TEST(r.status == 422);
  BOOST_TEST(Contains(r.body, "Name: use 1 to 64 lower-case letters"));
  BOOST_TEST(Contains(r.body, "Host: give a host name"));
  BOOST_TEST(Contains(r.body, "&lt;b&gt;Bad Name&lt;/b&gt;"));  // the value is kept, escaped
  // Each message also stands next to its field, which is marked invalid.
  BOOST_TEST(Contains(r.body, "<input id=\"name\" name=\"name\" value=\"&lt;b&gt;Bad Name&lt;/b&gt;\" required "
                              "maxlength=\"64\" aria-describedby=\"name-help name-error\" aria-invalid=\"true\">"),
             r.body);
  BOOST_TEST(Contains(r.body, "<p class=\"field-error\" id=\"name-error\">use 1 to 64 lower-case letters"));
  BOOST_TEST(Contains(r.body, "value=\"host; rm -rf /\" required maxlength=\"253\" "
                              "aria-describedby=\"host-help hostname-error\" aria-invalid=\"true\">"));
  BOOST_TEST(!Contains(b.Get("/servers").body, "Bad Name"));
}

// After a form that redirects, the next page says once what happened.
BOOST_AUTO_TEST_CASE(a_flash_message_shows_once_after_a_redirect) {
  Browser b(S().url());
  LogIn(b);
  std::string server = AddServer(b, "flash1", "flash1.invalid");
  HttpResult first = b.Get(server);
  BOOST_TEST(first.status == 200);
  BOOST_TEST(Contains(first.body, "<p class=\"flash\" role=\"status\" id=\"flash\">Server flash1 added."), first.body);
  HttpResult again = b.Get(server);
  BOOST_TEST(!Contains(again.body, "class=\"flash\""));
  // Another session of the same user never sees it.
  AddServer(b, "flash2", "flash2.invalid");
  Browser other(S().url());
  LogIn(other);
  BOOST_TEST(!Contains(other.Get("/servers").body, "Server flash2 added."));
  BOOST_TEST(Contains(b.Get("/servers").body, "Server flash2 added."));
  // A log poll (JSON) in another tab does not use the message up: the next
  // page still shows it.
  AddServer(b, "flash3", "flash3.invalid");
  HttpResult poll = b.Get("/tasks/1/log?after=0");
  BOOST_TEST(!Contains(poll.body, "flash3"));
  BOOST_TEST(Contains(b.Get("/servers").body, "Server flash3 added."));
}

// The servers' list: the search narrows it by the start of the name, the
// status filter by status, and both are kept in the form.
BOOST_AUTO_TEST_CASE(the_server_list_filters_by_name_and_status) {
  Browser b(S().url());
  LogIn(b);
  AddServer(b, "filter-a", "filter-a.invalid");
  AddServer(b, "filter-b", "filter-b.invalid");
  Sql(S(), "UPDATE aegir.servers SET status = 'failed' WHERE name = 'filter-b'");
  std::string some = b.Get("/servers?q=filter-").body;
  BOOST_TEST(Contains(some, ">filter-a</a>"));
  BOOST_TEST(Contains(some, ">filter-b</a>"));
  BOOST_TEST(!Contains(some, ">localhost</a>"));
  std::string failed = b.Get("/servers?q=filter-&status=failed").body;
  BOOST_TEST(!Contains(failed, ">filter-a</a>"));
  BOOST_TEST(Contains(failed, ">filter-b</a>"));
  BOOST_TEST(Contains(failed, "<option value=\"failed\" selected>"));
  BOOST_TEST(Contains(b.Get("/servers?q=nothing-like-this").body, "No server matches."));
  HttpResult bad = b.Get("/servers?status=sleeping");
  BOOST_TEST(bad.status == 400);
  BOOST_TEST(Contains(bad.body, "Status: choose new, verified, failed, or any."));
}

BOOST_AUTO_TEST_CASE(verify_localhost_end_to_end) {
  Browser b(S().url());
  LogIn(b);
  std::string server = AddServer(b, "local", "localhost");
  HttpResult page = b.Get(server);
  BOOST_TEST(Contains(page.body, "<h1>local</h1>"));
  BOOST_TEST(Contains(page.body, "Verify server"));

  std::string task = PressButton(b, server, "server-verify");
  std::string html = WaitForEnd(b, task);
  BOOST_TEST_MESSAGE("task page:\n" << html);
  BOOST_TEST(StateOf(html) == "succeeded");
  // The log as the task page shows it: both roles ran, and the recap.
  BOOST_TEST(Contains(html, "PLAY [server-verify"));
  BOOST_TEST(Contains(html, "server_check_connection : "));
  BOOST_TEST(Contains(html, "server_config_dirs : "));
  BOOST_TEST(std::regex_search(html, std::regex("local +: ok=[1-9][0-9]* .*failed=0")));
  BOOST_TEST(Contains(html, "id=\"task-exit\">0<"));
  // Lines are numbered from 1 without gaps.
  std::regex seq("data-seq=\"([0-9]+)\"");
  int expected = 1;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), seq); it != std::sregex_iterator(); ++it, ++expected) {
    BOOST_REQUIRE_EQUAL(std::stoi((*it)[1].str()), expected);
  }
  BOOST_TEST(expected > 5);
  // What the roles did, on disk.
  for (const char* sub : {"vhost.d", "platforms", "backups"}) {
    BOOST_TEST(std::filesystem::is_directory(S().var_dir() + "/servers/local/" + sub), sub);
  }
  // The server is verified, and the task is listed.
  BOOST_TEST(Contains(b.Get(server).body, "badge verified"));
  BOOST_TEST(Contains(b.Get("/tasks").body, "href=\"" + task + "\""));
  // The executor removed its temporary job directory.
  BOOST_TEST(std::filesystem::is_empty(S().var_dir() + "/work"));
  // The live-log endpoint agrees with the page.
  HttpResult poll = b.Get(task + "/log?after=0");
  BOOST_TEST(poll.status == 200);
  BOOST_TEST(Contains(poll.body, "\"state\":\"succeeded\""));
  BOOST_TEST(Contains(poll.body, "\"final\":true"));
}

BOOST_AUTO_TEST_CASE(unreachable_server_fails_with_the_reason) {
  Browser b(S().url());
  LogIn(b);
  std::string server = AddServer(b, "ghost", "ghost.invalid");
  std::string task = PressButton(b, server, "server-verify");
  std::string html = WaitForEnd(b, task);
  BOOST_TEST(StateOf(html) == "failed");
  BOOST_TEST(Contains(html, "id=\"task-reason\">ansible-playbook exited with code"));
  BOOST_TEST(Contains(html, "UNREACHABLE"));
  BOOST_TEST(Contains(b.Get(server).body, "badge failed"));
}

// The badges of a task table's rows, in order.
static std::vector<std::string> RowStates(const std::string& html) {
  std::vector<std::string> out;
  static const std::regex re("<td><span class=\"badge ([a-z]+)\">");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

// /tasks narrowed by state and operation shows only such tasks; the dashboard
// lists the failed ones and links to the same list.
BOOST_AUTO_TEST_CASE(the_task_list_filters_by_state_and_operation) {
  Browser b(S().url());
  LogIn(b);
  auto failed = RowStates(b.Get("/tasks?state=failed").body);
  BOOST_REQUIRE(!failed.empty());  // the unreachable server's verification
  for (const auto& st : failed) BOOST_TEST(st == "failed");
  std::string ok = b.Get("/tasks?state=succeeded&operation=server-verify").body;
  auto succeeded = RowStates(ok);
  BOOST_REQUIRE(!succeeded.empty());
  for (const auto& st : succeeded) BOOST_TEST(st == "succeeded");
  BOOST_TEST(Contains(ok, "<option value=\"server-verify\" selected>"));
  BOOST_TEST(std::stoi(Sql(S(), "SELECT COUNT(*) FROM aegir.tasks WHERE state = 'succeeded' AND operation = 'server-verify'")) ==
             static_cast<int>(succeeded.size()));
  // One server's tasks (the one verify_localhost_end_to_end verified): only those.
  std::string server = First(b.Get("/servers").body, "href=\"/servers/([0-9]+)\">local<");
  BOOST_REQUIRE(!server.empty());
  std::string mine = b.Get("/tasks?server=" + server).body;
  BOOST_TEST(Contains(mine, "Only the tasks on the server local ("));
  BOOST_TEST(!RowStates(mine).empty());
  BOOST_TEST(!Contains(mine, "href=\"/sites/"));
  std::string dash = b.Get("/").body;
  BOOST_TEST(Contains(dash, "href=\"/tasks?state=failed\""));
  HttpResult bad = b.Get("/tasks?state=sleeping");
  BOOST_TEST(bad.status == 400);
  BOOST_TEST(Contains(bad.body, "State: choose one of queued, running, succeeded, failed, cancelled, or any."));
  BOOST_TEST(b.Get("/tasks?operation=no-such-op").status == 400);
}

// The admin's dashboard shows each executor the scheduler knows, with its
// last heartbeat.
BOOST_AUTO_TEST_CASE(the_dashboard_shows_the_executors_with_their_heartbeat) {
  Browser b(S().url());
  LogIn(b);
  std::string dash;
  for (int i = 0; i < 40; ++i) {  // the executor registered at start; bounded wait all the same
    dash = b.Get("/").body;
    if (Contains(dash, "id=\"executors\"")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  BOOST_REQUIRE_MESSAGE(Contains(dash, "id=\"executors\""), dash);
  std::string row = First(dash, "(<tr><th scope=\"row\"><code>[^<]+</code></th>.*</tr>)");
  BOOST_REQUIRE(!row.empty());
  BOOST_TEST(Contains(row, "badge online"), row);
  BOOST_TEST(std::regex_search(row, std::regex("<time datetime=\"[0-9-]+T[0-9:]+Z\" title=\"[0-9-]+ [0-9:]+ UTC\">"
                                                "(just now|[0-9]+ s ago)</time> <small>\\([0-9.]+ s\\)</small>")),
             row);
  BOOST_TEST(Contains(dash, "id=\"scheduler-state\">The scheduler holds"));
}

// The dashboard is shared for a second by users who see the whole panel,
// but what is done through the panel shows on the very next page.
BOOST_AUTO_TEST_CASE(the_dashboard_shows_a_task_pressed_a_moment_ago) {
  Browser b(S().url());
  LogIn(b);
  std::string server = AddServer(b, "dashboard-at-once", "localhost");
  BOOST_REQUIRE_EQUAL(b.Get("/").status, 200);  // read now, and shared
  std::string task = PressButton(b, server, "server-verify");
  BOOST_TEST(Contains(b.Get("/").body, "href=\"" + task + "\""));
  WaitForEnd(b, task);
}

BOOST_AUTO_TEST_CASE(feedback_api_refuses_wrong_tokens) {
  Browser b(S().url());
  LogIn(b);
  std::string server = AddServer(b, "tokens", "localhost");
  std::string task = PressButton(b, server, "server-verify");
  std::string html = WaitForEnd(b, task);
  std::string id = task.substr(std::string("/tasks/").size());
  Browser executor(S().url());
  HttpResult none = executor.PostRaw("/api/tasks/" + id + "/log", R"({"first_seq":9999,"lines":["forged"]})",
                                     {"Content-Type: application/json"});
  BOOST_TEST(none.status == 401);
  HttpResult wrong = executor.PostRaw("/api/tasks/" + id + "/finish", R"({"state":"failed","exit_code":1})",
                                      {"Content-Type: application/json", "Authorization: Bearer " + std::string(64, 'f')});
  BOOST_TEST(wrong.status == 401);
  BOOST_TEST(Contains(wrong.body, "wrong token"));
  std::string after = b.Get(task).body;
  BOOST_TEST(!Contains(after, "forged"));
  BOOST_TEST(StateOf(after) == StateOf(html));
  // The task's own token (set here: the real one lives only in the
  // executor) is answered "ended" just after the end, and refused once the
  // grace period has passed.
  const std::string token(64, 'a');
  Sql(S(), "UPDATE aegir.tasks SET feedback_token_hash = '" + aegir::crypto::Sha256Hex(token) + "' WHERE id = " + id);
  std::vector<std::string> own = {"Content-Type: application/json", "Authorization: Bearer " + token};
  HttpResult late = executor.PostRaw("/api/tasks/" + id + "/log", R"({"first_seq":9999,"lines":["late"]})", own);
  BOOST_TEST(late.status == 409);
  Sql(S(), "UPDATE aegir.tasks SET finished_at = UTC_TIMESTAMP(3) - INTERVAL 10 MINUTE WHERE id = " + id);
  HttpResult expired = executor.PostRaw("/api/tasks/" + id + "/log", R"({"first_seq":9999,"lines":["late"]})", own);
  BOOST_TEST(expired.status == 401);
  BOOST_TEST(Contains(expired.body, "token has expired"));
  // Neither late post was stored.
  BOOST_TEST(!Contains(b.Get(task).body, ">late<"));

  // One task's token never writes to another task, running or not.
  std::string other = PressButton(b, server, "server-verify");
  std::string other_id = other.substr(std::string("/tasks/").size());
  Sql(S(), "UPDATE aegir.tasks SET finished_at = UTC_TIMESTAMP(3) WHERE id = " + id);  // token fresh again
  for (const char* endpoint : {"/log", "/feedback", "/finish", "/start"}) {
    std::string body = std::string(endpoint) == "/log"        ? R"({"first_seq":1,"lines":["intruder"]})"
                       : std::string(endpoint) == "/feedback" ? R"({"values":{"deployed_commit":"abcdef1"}})"
                                                             : R"({"state":"failed","exit_code":1})";
    HttpResult cross = executor.PostRaw("/api/tasks/" + other_id + endpoint, body, own);
    BOOST_TEST(cross.status == 401, endpoint);
    BOOST_TEST(Contains(cross.body, "wrong token"), endpoint);
  }
  std::string other_html = WaitForEnd(b, other);
  BOOST_TEST(StateOf(other_html) == "succeeded");
  BOOST_TEST(!Contains(other_html, "intruder"));
  BOOST_TEST(Sql(S(), "SELECT COUNT(*) FROM aegir.tasks WHERE id = " + other_id + " AND results LIKE '%abcdef1%'") ==
             "0\n");
}

BOOST_AUTO_TEST_CASE(the_local_server_is_there_from_the_start) {
  Browser b(S().url());
  LogIn(b);
  std::string servers = b.Get("/servers").body;
  BOOST_TEST(Contains(servers, ">localhost</a>"));
  std::smatch m;
  BOOST_REQUIRE(std::regex_search(servers, m, std::regex("href=\"(/servers/[0-9]+)\">localhost<")));
  std::string page = b.Get(m[1].str()).body;
  BOOST_TEST(Contains(page, "http: nginx"));
  BOOST_TEST(Contains(page, "db: mariadb"));
  BOOST_TEST(Contains(page, S().var_dir() + "/servers/localhost/vhost.d"));
  // Its WordPress platform waits to be deployed.
  BOOST_TEST(Contains(b.Get("/platforms").body, ">wordpress</a>"));
}

BOOST_AUTO_TEST_CASE(bad_site_input_gets_clear_errors_and_nothing_is_stored) {
  Browser b(S().url());
  LogIn(b);
  HttpResult form = b.Get("/sites/add");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  std::string csrf = Browser::CsrfToken(form.body);
  HttpResult bad = b.Post("/sites/add", {{"csrf", csrf},
                                         {"domain", "not a domain"},
                                         {"platform_id", "999999"},
                                         {"db_server_id", "999999"},
                                         {"client_id", "999999"},
                                         {"aliases", "ok.example.org\n<b>bad</b>"}});
  BOOST_TEST(bad.status == 422);
  BOOST_TEST(Contains(bad.body, "Domain: give a lower-case domain name"));
  BOOST_TEST(Contains(bad.body, "Platform: choose one of the enabled platforms"));
  BOOST_TEST(Contains(bad.body, "Database server: choose one of the servers"));
  BOOST_TEST(Contains(bad.body, "Client: choose one of the list."));
  BOOST_TEST(Contains(bad.body, "Aliases: &#39;&lt;b&gt;bad&lt;/b&gt;&#39; is not a lower-case domain name."));
  // Next to the fields: the domain as typed, marked invalid, with its message.
  BOOST_TEST(Contains(bad.body, "<input id=\"domain\" name=\"domain\" value=\"not a domain\" required maxlength=\"253\" "
                                "aria-describedby=\"domain-help domain-error\" aria-invalid=\"true\">"));
  BOOST_TEST(Contains(bad.body, "id=\"domain-error\">give a lower-case domain name"));
  BOOST_TEST(Contains(bad.body, "aria-invalid=\"true\">ok.example.org\n&lt;b&gt;bad&lt;/b&gt;</textarea>"));
  BOOST_TEST(Contains(b.Get("/sites").body, "No sites yet."));
}

BOOST_AUTO_TEST_CASE(logout_ends_the_session) {
  Browser b(S().url());
  std::string dash = LogIn(b);
  HttpResult r = b.Post("/logout", {{"csrf", Browser::CsrfToken(dash)}});
  BOOST_TEST(r.status == 303);
  BOOST_TEST(b.Get("/").status == 303);
}

namespace {

std::string ReadWholeFile(const std::string& path) {
  std::ifstream f(path);
  std::ostringstream out;
  out << f.rdbuf();
  return out.str();
}

// The pid of a program the launcher of `stack` started: scripts/launch runs
// each one with setsid, so it is the leader of its own session (nginx's and
// php-fpm's masters, not their workers). comm_prefix: the start of its
// /proc/<pid>/comm ("php-fpm" matches "php-fpm8.2"). Fails the test unless
// there is exactly one.
int ProgramPid(const Stack& stack, const std::string& comm_prefix) {
  std::vector<int> found;
  for (int pid : ProcessesMentioning(stack.var_dir())) {
    std::string proc = "/proc/" + std::to_string(pid);
    std::string stat = ReadWholeFile(proc + "/stat");
    auto paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream rest(stat.substr(paren + 1));
    char state = 0;
    int ppid = 0, pgrp = 0, session = 0;
    rest >> state >> ppid >> pgrp >> session;
    if (session != pid) continue;
    if (ReadWholeFile(proc + "/comm").rfind(comm_prefix, 0) == 0) found.push_back(pid);
  }
  BOOST_REQUIRE_MESSAGE(found.size() == 1,
                        "expected one running " << comm_prefix << " of the stack, found " << found.size());
  return found[0];
}

// Waits (bounded) until the launcher has recorded in log/launch.log (its
// stderr lines, with the time) that `name`, which was `old_pid`, died and was
// restarted; returns the new pid.
int WaitForRestart(const Stack& stack, const std::string& name, int old_pid) {
  const std::string log = stack.var_dir() + "/log/launch.log";
  const std::string died =
      name + " (pid " + std::to_string(old_pid) + ") exited unexpectedly with status 137; restarting it in ";
  const std::regex restarted(name + " restarted \\(pid ([0-9]+)\\)");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (true) {
    std::string text = ReadWholeFile(log);
    if (auto at = text.find(died); at != std::string::npos) {
      std::smatch m;
      std::string after = text.substr(at);
      if (std::regex_search(after, m, restarted)) return std::stoi(m[1].str());
    }
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                          "the launcher did not restart "
                              << name << " (pid " << old_pid << ") within 120 s; " << log
                              << (text.empty() ? " is empty or missing (did the launcher stop?)" : " says:\n" + text));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Waits (bounded) until process `pid` runs the program whose comm starts
// with `comm_prefix`: the launcher logs a restarted program's pid as soon as
// it has forked, which may be before the exec.
void WaitForExec(int pid, const std::string& comm_prefix) {
  const std::string comm = "/proc/" + std::to_string(pid) + "/comm";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ReadWholeFile(comm).rfind(comm_prefix, 0) != 0) {
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                          "process " << pid << " is not " << comm_prefix << " after 30 s: " << ReadWholeFile(comm));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

// A stack of its own: each program in turn is killed with SIGKILL, the
// launcher restarts it alone, and the panel still answers through nginx with
// a login (aegir-web and MariaDB); a job still runs end to end at the end
// (scheduler, executor, ansible-playbook, feedback).
BOOST_AUTO_TEST_CASE(a_killed_program_is_restarted_and_the_panel_keeps_working) {
  Stack stack;
  {
    Browser b(stack.url());
    aegir::testing::LogIn(b, stack);
  }
  struct Program {
    std::string name;  // as the launcher names it
    std::string comm;  // the start of its /proc/<pid>/comm
  };
  const std::vector<Program> programs = {{"aegir-web", "aegir-web"},
                                         {"aegir-scheduler", "aegir-scheduler"},
                                         {"aegir-executor", "aegir-executor"},
                                         {"nginx", "nginx"},
                                         {"php-fpm", "php-fpm"},
                                         {"mariadbd", "mariadbd"}};
  std::vector<std::pair<int, int>> restarts;  // old pid, new pid, in the order of programs
  for (const auto& program : programs) {
    BOOST_TEST_CONTEXT("killing " << program.name) {
      int pid = ProgramPid(stack, program.comm);
      BOOST_REQUIRE_EQUAL(::kill(pid, SIGKILL), 0);
      int new_pid = WaitForRestart(stack, program.name, pid);
      BOOST_TEST(new_pid != pid);
      WaitForExec(new_pid, program.comm);
      // The new process is the program, and the only one of its name.
      BOOST_TEST(ProgramPid(stack, program.comm) == new_pid);
      restarts.emplace_back(pid, new_pid);
      // The panel answers through nginx, and a login reads and writes MariaDB.
      Browser b(stack.url());
      HttpResult login = b.Get("/login");
      BOOST_TEST(login.status == 200);
      std::string dash = aegir::testing::LogIn(b, stack);
      BOOST_TEST(Contains(dash, "logout"));
    }
  }
  // Every program died and was restarted once: none of the others died with
  // it or was restarted along.
  std::string log = ReadWholeFile(stack.var_dir() + "/log/launch.log");
  auto count = [&log](const std::string& needle) {
    size_t n = 0;
    for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
    return n;
  };
  BOOST_TEST(count(" exited unexpectedly ") == programs.size(), "launch.log:\n" << log);
  BOOST_TEST(count(" restarted (pid ") == programs.size(), "launch.log:\n" << log);

  // A job still goes the whole way: aegir-web submits to the restarted
  // scheduler, the restarted executor runs ansible-playbook and posts its log.
  Browser b(stack.url());
  aegir::testing::LogIn(b, stack);
  std::string server = AddServer(b, "after-restarts", "localhost");
  std::string html = WaitForEnd(b, PressButton(b, server, "server-verify"));
  BOOST_TEST(StateOf(html) == "succeeded", "task page:\n" << html);

  std::vector<int> left = stack.Stop();
  BOOST_TEST(left.empty(), "processes left running after the launcher ended: " << left.size());
  // The launcher said it on its stderr too: one line per restart, with the
  // first backoff, then the new pid.
  for (size_t i = 0; i < programs.size(); ++i) {
    const auto& [old_pid, new_pid] = restarts[i];
    BOOST_TEST(Contains(stack.output(), "scripts/launch: " + programs[i].name + " (pid " + std::to_string(old_pid) +
                                            ") exited unexpectedly with status 137; restarting it in 0.5 s\n"),
               programs[i].name);
    BOOST_TEST(Contains(stack.output(),
                        "scripts/launch: " + programs[i].name + " restarted (pid " + std::to_string(new_pid) + ")\n"),
               programs[i].name);
  }
  BOOST_TEST_MESSAGE("the launcher wrote " << stack.output().size() << " bytes");
}

// Runs last (Boost.Test runs cases in the order written): Ctrl-C's twin.
namespace {

// The user name of a process's real and effective uid (they must agree).
std::string UserOf(int pid) {
  std::istringstream status(ReadWholeFile("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Uid:", 0) != 0) continue;
    std::istringstream ids(line.substr(4));
    uid_t real = 0, effective = 0;
    ids >> real >> effective;
    BOOST_TEST(real == effective);
    passwd* pw = getpwuid(effective);
    return pw ? pw->pw_name : std::to_string(effective);
  }
  return "";
}

// Runs argv as user (and that user's group only); returns the exit code and output.
std::pair<int, std::string> RunAs(const std::string& user, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"});
  return Run(argv);
}

}  // namespace

// As root (as CI runs), every program runs as its own user, and each user
// reaches only what it needs. As an ordinary user everything is that user's.
BOOST_AUTO_TEST_CASE(each_program_runs_as_its_own_user) {
  const std::string var = S().var_dir();
  if (geteuid() != 0) {
    passwd* me = getpwuid(geteuid());
    BOOST_REQUIRE(me);
    for (const char* p : {"aegir-web", "aegir-schedule", "aegir-executor", "nginx", "mariadbd"}) {
      BOOST_TEST(UserOf(ProgramPid(S(), p)) == me->pw_name, p);
    }
    return;
  }
  BOOST_TEST(UserOf(ProgramPid(S(), "aegir-web")) == "aegir-web");
  BOOST_TEST(UserOf(ProgramPid(S(), "aegir-schedule")) == "aegir-web");  // comm is cut at 15 characters
  BOOST_TEST(UserOf(ProgramPid(S(), "aegir-executor")) == "aegir");
  BOOST_TEST(UserOf(ProgramPid(S(), "nginx")) == "root");  // the master binds the port
  BOOST_TEST(UserOf(ProgramPid(S(), "mariadbd")) == "root");
  // nginx's workers (the master's children) run as www-data.
  int master = ProgramPid(S(), "nginx");
  int workers = 0;
  for (int pid : ProcessesMentioning("nginx")) {
    std::string stat = ReadWholeFile("/proc/" + std::to_string(pid) + "/stat");
    auto paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream rest(stat.substr(paren + 1));
    char state = 0;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid != master) continue;
    ++workers;
    BOOST_TEST(UserOf(pid) == "www-data");
  }
  BOOST_TEST(workers > 0);

  const std::string cli = var + "/app/bin/aegir";
  const std::string submit = "--scheduler=ipc://" + var + "/run/submit.ipc";
  // The queue: root and aegir-web reach it; the sites' user does not.
  BOOST_TEST(Run({cli, submit, "ping"}).first == 0);
  BOOST_TEST(RunAs("aegir-web", {cli, submit, "ping"}).first == 0);
  BOOST_TEST(RunAs("www-data", {cli, submit, "ping"}).first != 0);
  BOOST_TEST(RunAs("www-data", {"test", "-w", var + "/run/aegir/executor.ipc"}).first != 0);
  // aegir-web's socket: nginx's workers (www-data) only, not the sites' PHP (aegir-php).
  BOOST_TEST(RunAs("www-data", {"test", "-w", var + "/run/aegir/aegir-web.sock"}).first == 0);
  BOOST_TEST(RunAs("aegir-php", {"test", "-w", var + "/run/aegir/aegir-web.sock"}).first != 0);
  BOOST_TEST(RunAs("aegir-php", {cli, submit, "ping"}).first != 0);
  BOOST_TEST(RunAs("aegir-php", {"test", "-r", var + "/ssh/id_ed25519"}).first != 0);
  // The SSH key is the executor's alone.
  BOOST_TEST(RunAs("aegir", {"test", "-r", var + "/ssh/id_ed25519"}).first == 0);
  BOOST_TEST(RunAs("aegir-web", {"test", "-r", var + "/ssh/id_ed25519"}).first != 0);
  BOOST_TEST(RunAs("www-data", {"test", "-r", var + "/ssh/id_ed25519"}).first != 0);
  // aegir-web cannot change the sites' files or the code the programs run.
  BOOST_TEST(RunAs("aegir-web", {"test", "-w", var + "/servers/localhost/vhost.d"}).first != 0);
  BOOST_TEST(RunAs("aegir", {"test", "-w", var + "/app/bin/aegir-executor"}).first != 0);
  BOOST_TEST(RunAs("aegir", {"test", "-w", var + "/app/roles"}).first != 0);
  // The executor's one root action is reloading this nginx; nothing else.
  auto [listed, rules] = Run({"sudo", "-l", "-U", "aegir"});
  BOOST_TEST(listed == 0);
  BOOST_TEST(Contains(rules, "-c " + var + "/nginx/nginx.conf"), rules);
  BOOST_TEST(RunAs("aegir", {"sudo", "-n", "/usr/bin/id"}).first != 0);
  BOOST_TEST(RunAs("aegir", {"sudo", "-n", "/usr/sbin/nginx", "-s", "stop"}).first != 0);
  // aegir-web's database account reads and writes the panel's tables, nothing more.
  auto [dropped, why] = RunAs("aegir-web", {"mariadb", "--no-defaults", "--socket=" + var + "/run/mysqld.sock",
                                            "-e", "DROP TABLE aegir.audit_log"});
  BOOST_TEST(dropped != 0);
  BOOST_TEST(Contains(why, "denied"), why);
  BOOST_TEST(Sql(S(), "SELECT COUNT(*) FROM aegir.audit_log") != "");
}

BOOST_AUTO_TEST_CASE(sigterm_stops_every_process) {
  std::vector<int> left = S().Stop();
  BOOST_TEST(left.empty(), "processes left running after the launcher ended: " << left.size());
  BOOST_TEST(Contains(S().output(), "Aegir is running: " + S().url()));
}
