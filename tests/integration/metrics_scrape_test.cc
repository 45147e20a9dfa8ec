// GET /metrics on the real stack, scraped through nginx as Prometheus would:
// the page parses, the scheduler's queue and executor show, a job that ends
// moves the job counters and duration histograms (whether the executor
// reports the end or the scheduler ends it for a lost executor), requests are
// counted by route pattern, a client address not on the allowlist is refused
// (a real other source address on loopback, 127.0.0.2), a scrape without the
// bearer token is refused (aegir-web is started with a token file, through
// the environment as an operator may), and the page still answers while the
// scheduler does not. Nothing is asserted about time.
#define BOOST_TEST_MODULE metrics_scrape
#include <curl/curl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/integration/stack.h"
#include "tests/support/prometheus_text.h"

using namespace aegir::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// aegir-web's metrics token, in a file it reads at start: made before the
// stack starts (at static initialisation) and named by
// AEGIR_METRICS_TOKEN_FILE, which scripts/launch passes on. As root the
// launcher runs aegir-web as aegir-web:www-data (docs/launch.md, "Users"),
// so the file is root's, group www-data, 0640; otherwise the current user's,
// 0600. Never readable by others: aegir-web refuses such a file.
struct TokenFile {
  TokenFile() {
    char tmpl[] = "/tmp/aegir-metrics-token-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    dir = tmpl;
    ::chmod(dir.c_str(), 0711);
    token = "test-token-" + std::to_string(::getpid()) + "-0123456789abcdef";
    const std::string path = dir + "/token";
    std::ofstream(path) << token << "\n";
    ::chmod(path.c_str(), 0600);
    if (::geteuid() == 0) {
      if (const group* g = ::getgrnam("www-data")) {
        if (::chown(path.c_str(), 0, g->gr_gid) == 0) ::chmod(path.c_str(), 0640);
      }
    }
    ::setenv("AEGIR_METRICS_TOKEN_FILE", path.c_str(), 1);
  }
  ~TokenFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string dir, token;
};
const TokenFile kToken;

BOOST_TEST_GLOBAL_FIXTURE(StackSuite);
Stack& S() { return StackSuite::Get(); }

const std::string kServer = "/servers/1";  // "localhost", made by the launcher

size_t Append(char* p, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, size * n);
  return size * n;
}

struct Scrape {
  long status = 0;
  std::string content_type;
  std::string body;
};

// GET /metrics through the stack's nginx, from the given local source
// address, with the given Authorization header ("" for none).
Scrape Get(const std::string& source = "127.0.0.1", const std::string& authorization = "Bearer " + kToken.token) {
  CURL* c = curl_easy_init();
  BOOST_REQUIRE(c);
  Scrape s;
  const std::string url = S().url() + "/metrics";
  const std::string interface = "host!" + source;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_INTERFACE, interface.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // gzip, as Prometheus asks for it
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &s.body);
  curl_slist* headers = nullptr;
  if (!authorization.empty()) headers = curl_slist_append(headers, ("Authorization: " + authorization).c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  BOOST_REQUIRE_MESSAGE(rc == CURLE_OK, "scrape from " << source << ": " << curl_easy_strerror(rc));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &s.status);
  char* type = nullptr;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
  if (type) s.content_type = type;
  curl_easy_cleanup(c);
  return s;
}

using aegir::testing::Sample;

// The samples of a page; fails the test on a line that is not a comment or a
// well-formed sample.
std::vector<Sample> Parse(const std::string& page) {
  std::vector<Sample> out;
  std::istringstream in(page);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
    std::string problem;
    std::optional<Sample> s = aegir::testing::ParseSampleLine(line, &problem);
    BOOST_REQUIRE_MESSAGE(s, "not a sample line: " << line);
    out.push_back(std::move(*s));
  }
  return out;
}

// The sum of the samples named `name` that carry every label given (0 when
// there is none: a series not yet made counts from zero).
double Sum(const std::vector<Sample>& samples, const std::string& name,
           const std::map<std::string, std::string>& labels = {}) {
  double total = 0;
  for (const auto& s : samples) {
    if (s.name != name) continue;
    bool all = true;
    for (const auto& [k, v] : labels) {
      auto it = s.labels.find(k);
      if (it == s.labels.end() || it->second != v) all = false;
    }
    if (all) total += s.value;
  }
  return total;
}

size_t Count(const std::vector<Sample>& samples, const std::string& name) {
  return static_cast<size_t>(
      std::count_if(samples.begin(), samples.end(), [&](const Sample& s) { return s.name == name; }));
}

std::vector<Sample> Page() {
  Scrape s = Get();
  BOOST_REQUIRE_MESSAGE(s.status == 200, s.status << ": " << s.body);
  return Parse(s.body);
}

template <typename F>
void WaitFor(F done, const std::string& what, seconds limit = seconds(120)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "gave up waiting for " << what);
    std::this_thread::sleep_for(milliseconds(200));
  }
}

int PidOf(const std::string& comm) { return aegir::testing::PidOf(S(), comm); }

void WaitForNoAnsible() {
  WaitFor(
      [] {
        for (int pid : ProcessesMentioning(S().var_dir() + "/work/")) {
          if (ReadFile("/proc/" + std::to_string(pid) + "/cmdline").find("ansible-playbook") != std::string::npos) {
            return false;
          }
        }
        return true;
      },
      "every ansible-playbook to end");
}

void WaitForOneExecutor() {
  WaitFor([] { return Sum(Page(), "aegir_executors_connected") == 1; }, "the executor to be registered again");
}

// Queues an operation on an entity through its form; returns the task page.
std::string Queue(Browser& b, const std::string& entity, const std::string& op) {
  HttpResult r = RunOperation(b, entity, op);
  BOOST_REQUIRE_MESSAGE(r.status == 303 && r.location.rfind("/tasks/", 0) == 0, r.status << " " << r.body);
  return r.location;
}

struct LoggedIn {
  LoggedIn() { LogIn(b, S()); }
  Browser b{S().url()};
};

const std::map<std::string, std::string> kVerifySucceeded = {{"operation", "server-verify"}, {"state", "succeeded"}};
const std::map<std::string, std::string> kVerifyFailed = {{"operation", "server-verify"}, {"state", "failed"}};

}  // namespace

BOOST_AUTO_TEST_CASE(a_scrape_from_loopback_gets_the_page) {
  // The launcher reports the stack running before the executor has
  // necessarily registered.
  WaitForOneExecutor();
  Scrape s = Get();
  BOOST_REQUIRE_MESSAGE(s.status == 200, s.body);
  BOOST_TEST(s.content_type == "text/plain; version=0.0.4; charset=utf-8");
  auto page = Parse(s.body);
  BOOST_TEST(Sum(page, "aegir_scheduler_up") == 1);
  BOOST_TEST(Sum(page, "aegir_database_up") == 1);
  BOOST_TEST(Sum(page, "aegir_scheduler_tasks_read") == 1);
  // The stack's one executor, started with --capacity=2.
  BOOST_TEST(Sum(page, "aegir_executors_connected") == 1);
  BOOST_TEST(Count(page, "aegir_executor_capacity") == 1u);
  BOOST_TEST(Sum(page, "aegir_executor_capacity") == 2);
  BOOST_TEST(Count(page, "aegir_executor_heartbeat_age_seconds") == 1u);
  BOOST_TEST(Sum(page, "aegir_build_info") == 1);
  BOOST_TEST(Sum(page, "process_resident_memory_bytes") > 0);
  // Every family is announced with HELP and TYPE.
  BOOST_TEST(Contains(s.body, "# TYPE aegir_http_request_duration_seconds histogram\n"));
  BOOST_TEST(Contains(s.body, "# TYPE aegir_queue_depth gauge\n"));
}

// A request refused before routing (its query cannot be read) is counted
// like any other, and its error page is rendered with no session: not with
// the last session of the thread that answers it, which showed that user's
// name and CSRF token to whoever sent the bad request.
BOOST_AUTO_TEST_CASE(requests_refused_before_routing_are_counted_and_show_nobody_s_session) {
  LoggedIn admin;
  const std::string token = Browser::CsrfToken(admin.b.Get("/").body);
  BOOST_REQUIRE(!token.empty());
  const double before = Sum(Page(), "aegir_http_requests_total", {{"route", "unmatched"}, {"code", "400"}});
  Browser stranger(S().url());
  const int kTries = 24;  // one of aegir-web's threads after another
  for (int i = 0; i < kTries; ++i) {
    BOOST_REQUIRE(admin.b.Get("/sites").status == 200);
    HttpResult bad = stranger.Get("/sites?q=%zz");
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(Contains(bad.body, "could not be read"));
    BOOST_TEST(!Contains(bad.body, token));
    BOOST_TEST(!Contains(bad.body, "/logout"));
  }
  BOOST_TEST(Sum(Page(), "aegir_http_requests_total", {{"route", "unmatched"}, {"code", "400"}}) == before + kTries);
}

BOOST_AUTO_TEST_CASE(another_client_address_is_refused) {
  // Loopback but not 127.0.0.1: nginx passes it on as REMOTE_ADDR, which is
  // not on the default allowlist (127.0.0.1, ::1).
  Scrape refused = Get("127.0.0.2");
  BOOST_TEST(refused.status == 403);
  BOOST_TEST(!Contains(refused.body, "aegir_"));
  BOOST_TEST(!Contains(refused.body, "127.0.0.2"));
  // The right token does not make up for the address.
  BOOST_TEST(Get("127.0.0.2").status == 403);
  // The web server's log shows the request came from there.
  BOOST_TEST(Contains(ReadFile(S().var_dir() + "/log/nginx-access.log"), "127.0.0.2 - - "));
  BOOST_TEST(Contains(ReadFile(S().var_dir() + "/log/aegir-web.log"), "metrics scrape refused from 127.0.0.2"));
  // From 127.0.0.1 it answers.
  BOOST_TEST(Get().status == 200);
}

BOOST_AUTO_TEST_CASE(a_scrape_without_the_token_is_refused) {
  Scrape none = Get("127.0.0.1", "");
  BOOST_TEST(none.status == 403);
  BOOST_TEST(!Contains(none.body, "aegir_"));
  BOOST_TEST(Get("127.0.0.1", "Bearer wrong-" + kToken.token).status == 403);
  BOOST_TEST(Get("127.0.0.1", "Basic " + kToken.token).status == 403);
  BOOST_TEST(Get("127.0.0.1", "Bearer " + kToken.token).status == 200);
  BOOST_TEST(Contains(ReadFile(S().var_dir() + "/log/aegir-web.log"), "(no or wrong bearer token)"));
  // The token never reaches a log.
  BOOST_TEST(!Contains(ReadFile(S().var_dir() + "/log/aegir-web.log"), kToken.token));
  BOOST_TEST(!Contains(ReadFile(S().var_dir() + "/log/nginx-access.log"), kToken.token));
}

BOOST_FIXTURE_TEST_CASE(requests_are_counted_by_route_pattern, LoggedIn) {
  auto before = Page();
  const std::map<std::string, std::string> task_page = {{"route", "/tasks/{id}"}, {"method", "GET"}, {"code", "404"}};
  const std::map<std::string, std::string> unmatched = {{"route", "unmatched"}, {"method", "GET"}, {"code", "404"}};
  BOOST_TEST(b.Get("/tasks/987654").status == 404);
  BOOST_TEST(b.Get("/tasks/987655").status == 404);
  BOOST_TEST(b.Get("/no/such/page/at/all").status == 404);
  auto after = Page();
  BOOST_TEST(Sum(after, "aegir_http_requests_total", task_page) - Sum(before, "aegir_http_requests_total", task_page) ==
             2);
  BOOST_TEST(Sum(after, "aegir_http_requests_total", unmatched) - Sum(before, "aegir_http_requests_total", unmatched) ==
             1);
  const std::map<std::string, std::string> tasks_get = {{"route", "/tasks/{id}"}, {"method", "GET"}};
  BOOST_TEST(Sum(after, "aegir_http_request_duration_seconds_count", tasks_get) -
                 Sum(before, "aegir_http_request_duration_seconds_count", tasks_get) ==
             2);
  // The raw paths never become labels.
  for (const auto& s : after) {
    for (const auto& [k, v] : s.labels) BOOST_TEST(!Contains(v, "987654"), s.name);
  }
  // The scrapes themselves are counted.
  BOOST_TEST(Sum(after, "aegir_http_requests_total", {{"route", "/metrics"}, {"code", "200"}}) >= 1);
}

BOOST_FIXTURE_TEST_CASE(a_job_the_executor_reports_moves_the_job_metrics, LoggedIn) {
  auto before = Page();  // also the point from which tasks are counted, if this is the first scrape
  std::string html = RunToSuccess(b, kServer, "server-verify");
  auto after = Page();
  BOOST_TEST(Sum(after, "aegir_jobs_finished_total", kVerifySucceeded) -
                 Sum(before, "aegir_jobs_finished_total", kVerifySucceeded) ==
             1);
  BOOST_TEST(Sum(after, "aegir_job_duration_seconds_count", kVerifySucceeded) -
                 Sum(before, "aegir_job_duration_seconds_count", kVerifySucceeded) ==
             1);
  auto inf = kVerifySucceeded;
  inf["le"] = "+Inf";
  BOOST_TEST(Sum(after, "aegir_job_duration_seconds_bucket", inf) -
                 Sum(before, "aegir_job_duration_seconds_bucket", inf) ==
             1);
  BOOST_TEST(Sum(after, "aegir_job_duration_seconds_sum", kVerifySucceeded) >
             Sum(before, "aegir_job_duration_seconds_sum", kVerifySucceeded));
  const std::map<std::string, std::string> verify = {{"operation", "server-verify"}};
  BOOST_TEST(Sum(after, "aegir_job_queue_wait_seconds_count", verify) -
                 Sum(before, "aegir_job_queue_wait_seconds_count", verify) ==
             1);
  // Counted once: a later scrape adds nothing.
  auto again = Page();
  BOOST_TEST(Sum(again, "aegir_jobs_finished_total", kVerifySucceeded) ==
             Sum(after, "aegir_jobs_finished_total", kVerifySucceeded));
  BOOST_TEST(Sum(again, "aegir_queue_depth") == 0);
  BOOST_TEST(Sum(again, "aegir_jobs_running") == 0);
}

BOOST_FIXTURE_TEST_CASE(a_queued_job_shows_in_the_queue_and_its_cancel_counts, LoggedIn) {
  // A server only executors labelled "nowhere" may serve: its job waits.
  HttpResult form = b.Get("/servers/add");
  HttpResult added = b.Post("/servers/add", {{"csrf", Browser::CsrfToken(form.body)},
                                             {"name", "unreachable"},
                                             {"hostname", "unreachable.invalid"},
                                             {"executor_label", "nowhere"}});
  BOOST_REQUIRE_MESSAGE(added.status == 303, added.body);
  auto before = Page();
  std::string task = Queue(b, added.location, "server-verify");
  auto queued = Page();
  BOOST_TEST(Sum(queued, "aegir_queue_depth") == 1);
  BOOST_TEST(Sum(queued, "aegir_jobs_running") == 0);
  HttpResult page = b.Get(task);
  HttpResult cancel = b.Post(task + "/cancel", {{"csrf", Browser::CsrfToken(page.body)}});
  BOOST_REQUIRE_EQUAL(cancel.status, 303);
  WaitFor([&] { return Sum(Page(), "aegir_queue_depth") == 0; }, "the queue to be empty");
  auto after = Page();
  const std::map<std::string, std::string> cancelled = {{"operation", "server-verify"}, {"state", "cancelled"}};
  BOOST_TEST(Sum(after, "aegir_jobs_finished_total", cancelled) - Sum(before, "aegir_jobs_finished_total", cancelled) ==
             1);
  // It never ran: no run time, but its wait in the queue counts.
  BOOST_TEST(Sum(after, "aegir_job_duration_seconds_count", cancelled) ==
             Sum(before, "aegir_job_duration_seconds_count", cancelled));
  const std::map<std::string, std::string> verify = {{"operation", "server-verify"}};
  BOOST_TEST(Sum(after, "aegir_job_queue_wait_seconds_count", verify) -
                 Sum(before, "aegir_job_queue_wait_seconds_count", verify) ==
             1);
}

BOOST_AUTO_TEST_CASE(the_page_answers_while_the_scheduler_does_not) {
  int pid = PidOf("aegir-scheduler");
  BOOST_REQUIRE(pid > 0);
  BOOST_REQUIRE(::kill(pid, SIGSTOP) == 0);
  Scrape s = Get();
  BOOST_REQUIRE(::kill(pid, SIGCONT) == 0);
  BOOST_REQUIRE_MESSAGE(s.status == 200, s.body);
  auto page = Parse(s.body);
  BOOST_TEST(Sum(page, "aegir_scheduler_up") == 0);
  BOOST_TEST(Count(page, "aegir_queue_depth") == 0u);  // unknown, not zero
  BOOST_TEST(Sum(page, "aegir_database_up") == 1);
  WaitFor([] { return Sum(Page(), "aegir_scheduler_up") == 1; }, "the scheduler to answer again");
  WaitForOneExecutor();
}

// The executor stops answering (SIGSTOP) just as a job is handed to it: the
// scheduler forgets it, then ends the orphaned job failed ("executor lost")
// itself. aegir-web never hears of that end, and the job is counted all the
// same.
BOOST_FIXTURE_TEST_CASE(a_job_the_scheduler_ends_for_a_lost_executor_counts_too, LoggedIn) {
  WaitForNoAnsible();
  WaitForOneExecutor();
  auto before = Page();
  int pid = PidOf("aegir-executor");
  BOOST_REQUIRE(pid > 0);
  BOOST_REQUIRE(::kill(pid, SIGSTOP) == 0);
  std::string task = Queue(b, kServer, "server-verify");
  std::string html;
  WaitFor(
      [&] {
        html = b.Get(task).body;
        std::string state = TaskState(html);
        return state != "queued" && state != "running";
      },
      "the scheduler to end the task of the lost executor", seconds(60));
  BOOST_REQUIRE(::kill(pid, SIGCONT) == 0);
  BOOST_TEST(TaskState(html) == "failed", html);
  BOOST_TEST(Contains(html, "Executor lost"), html);
  auto after = Page();
  BOOST_TEST(Sum(after, "aegir_jobs_finished_total", kVerifyFailed) -
                 Sum(before, "aegir_jobs_finished_total", kVerifyFailed) ==
             1);
  // It was handed over (claimed), so it has a run time.
  BOOST_TEST(Sum(after, "aegir_job_duration_seconds_count", kVerifyFailed) -
                 Sum(before, "aegir_job_duration_seconds_count", kVerifyFailed) ==
             1);
  WaitForNoAnsible();
  WaitForOneExecutor();
}
