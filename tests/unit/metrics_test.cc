#define BOOST_TEST_MODULE metrics
#include "fcgi-app/metrics.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "fcgi-app/router.h"
#include "tests/support/prometheus_text.h"

using namespace aegir::web;
using namespace aegir::web::metrics;

namespace {

using aegir::testing::Sample;

// Checks a page against the text exposition format 0.0.4 and returns its
// samples. Fails the test on: a line that is neither a comment nor a sample,
// a family without HELP and TYPE before its samples, a family declared twice
// or whose samples are not together, a sample name that does not belong to
// its family's type, a counter not ending in _total, a histogram whose
// buckets are not cumulative or whose +Inf bucket differs from _count.
std::vector<Sample> Parse(const std::string& page) {
  static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*))");
  static const std::regex kType(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  std::vector<Sample> out;
  std::map<std::string, std::string> types;
  std::set<std::string> helped, finished;
  std::string current;  // the family whose samples are being read
  BOOST_REQUIRE(!page.empty());
  BOOST_TEST(page.back() == '\n');
  std::istringstream in(page);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, kHelp)) {
      BOOST_TEST(helped.insert(m[1]).second, "HELP twice for " << m[1]);
      continue;
    }
    if (std::regex_match(line, m, kType)) {
      std::string name = m[1];
      BOOST_TEST(helped.count(name) == 1, "TYPE before HELP for " << name);
      BOOST_TEST(types.count(name) == 0, "TYPE twice for " << name);
      types[name] = m[2];
      if (!current.empty()) finished.insert(current);
      current = name;
      if (m[2] == "counter") BOOST_TEST((name.size() > 6 && name.substr(name.size() - 6) == "_total"), name);
      continue;
    }
    std::string problem;
    std::optional<Sample> parsed = aegir::testing::ParseSampleLine(line, &problem);
    BOOST_REQUIRE_MESSAGE(parsed, "not a sample line: " << line);
    BOOST_TEST(problem.empty(), problem);
    Sample s = std::move(*parsed);
    // The family this sample belongs to.
    std::string family = s.name;
    const std::string& type = types[current];
    if (type == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        std::string sx = suffix;
        if (family.size() > sx.size() && family.substr(family.size() - sx.size()) == sx &&
            family.substr(0, family.size() - sx.size()) == current) {
          family = current;
        }
      }
      if (s.name == current + "_bucket") BOOST_TEST(s.labels.count("le") == 1, line);
    }
    BOOST_TEST(family == current, "sample " << s.name << " outside its family (in " << current << ")");
    BOOST_TEST(finished.count(family) == 0, "family " << family << " is not contiguous");
    out.push_back(std::move(s));
  }
  // Histograms: cumulative buckets ending with +Inf == _count.
  for (const auto& [name, type] : types) {
    if (type != "histogram") continue;
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    for (const auto& s : out) {
      auto labels = s.labels;
      if (s.name == name + "_bucket") {
        double le = labels["le"] == "+Inf" ? INFINITY : std::stod(labels["le"]);
        labels.erase("le");
        buckets[labels].emplace_back(le, s.value);
      } else if (s.name == name + "_count") {
        counts[labels] = s.value;
      }
    }
    for (const auto& [labels, b] : buckets) {
      BOOST_REQUIRE(!b.empty());
      for (size_t i = 1; i < b.size(); ++i) {
        BOOST_TEST(b[i].first > b[i - 1].first, name << ": bounds not increasing");
        BOOST_TEST(b[i].second >= b[i - 1].second, name << ": buckets not cumulative");
      }
      BOOST_TEST(std::isinf(b.back().first), name << ": no +Inf bucket");
      BOOST_TEST(b.back().second == counts[labels], name << ": +Inf bucket differs from _count");
    }
  }
  return out;
}

const Sample* Find(const std::vector<Sample>& samples, const std::string& name,
                   const std::map<std::string, std::string>& labels = {}) {
  for (const auto& s : samples) {
    if (s.name != name) continue;
    bool all = true;
    for (const auto& [k, v] : labels) {
      auto it = s.labels.find(k);
      if (it == s.labels.end() || it->second != v) all = false;
    }
    if (all) return &s;
  }
  return nullptr;
}

double Value(const std::vector<Sample>& samples, const std::string& name,
             const std::map<std::string, std::string>& labels = {}) {
  const Sample* s = Find(samples, name, labels);
  BOOST_REQUIRE_MESSAGE(s, "no sample " << name);
  return s->value;
}

}  // namespace

BOOST_AUTO_TEST_CASE(escaping) {
  BOOST_TEST(EscapeLabelValue("plain") == "plain");
  BOOST_TEST(EscapeLabelValue("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
  BOOST_TEST(EscapeHelp("say \"hi\"\\\n") == "say \"hi\"\\\\\\n");
}

BOOST_AUTO_TEST_CASE(values) {
  BOOST_TEST(FormatValue(1) == "1");
  BOOST_TEST(FormatValue(0) == "0");
  BOOST_TEST(FormatValue(2.5) == "2.5");
  BOOST_TEST(FormatValue(0.005) == "0.005");
  BOOST_TEST(FormatValue(-3) == "-3");
  BOOST_TEST(FormatValue(100000) == "100000");
  BOOST_TEST(FormatValue(-0.0) == "-0");
  BOOST_TEST(FormatValue(8.563e-06) == "8.563e-06");
  BOOST_TEST(FormatValue(INFINITY) == "+Inf");
  BOOST_TEST(FormatValue(-INFINITY) == "-Inf");
  BOOST_TEST(FormatValue(NAN) == "NaN");
  for (double v : {123456789.0, 1e300, 0.1 + 0.2, 4503599627370497.0, 1e-9}) BOOST_TEST(std::stod(FormatValue(v)) == v);
}

BOOST_AUTO_TEST_CASE(histogram_buckets_are_less_or_equal) {
  const std::vector<double> bounds = {1, 2, 5};
  Histogram h(&bounds);
  for (double v : {0.5, 1.0, 1.5, 5.0, 7.0}) h.Observe(v);
  BOOST_TEST((h.counts() == std::vector<uint64_t>{2, 1, 1, 1}));
  BOOST_TEST(h.count() == 5u);
  BOOST_TEST(h.sum() == 15.0);
  Histogram other(&bounds);
  other.Observe(2);
  h.Merge(other);
  BOOST_TEST((h.counts() == std::vector<uint64_t>{2, 2, 1, 1}));

  Exposition out;
  out.Family("t_seconds", "histogram", "test");
  out.WriteHistogram("t_seconds", {{"k", "v"}}, h);
  BOOST_TEST(out.text() ==
             "# HELP t_seconds test\n"
             "# TYPE t_seconds histogram\n"
             "t_seconds_bucket{k=\"v\",le=\"1\"} 2\n"
             "t_seconds_bucket{k=\"v\",le=\"2\"} 4\n"
             "t_seconds_bucket{k=\"v\",le=\"5\"} 5\n"
             "t_seconds_bucket{k=\"v\",le=\"+Inf\"} 6\n"
             "t_seconds_sum{k=\"v\"} 17\n"
             "t_seconds_count{k=\"v\"} 6\n");
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped_on_the_page) {
  Exposition out;
  out.Family("x_total", "counter", "a \\ help\nline");
  out.Sample("x_total", {{"a", "q\"uo\\te\nnl"}}, 3);
  BOOST_TEST(out.text() ==
             "# HELP x_total a \\\\ help\\nline\n# TYPE x_total counter\nx_total{a=\"q\\\"uo\\\\te\\nnl\"} 3\n");
  auto samples = Parse(out.text());
  BOOST_TEST(samples.at(0).labels.at("a") == "q\"uo\\te\nnl");
}

BOOST_AUTO_TEST_CASE(allowlist) {
  auto p = AccessPolicy::Make("127.0.0.1, ::1,10.0.0.0/8,2001:db8::/32", "");
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(p->Allows("127.0.0.1", ""));
  BOOST_TEST(p->Allows("::1", ""));
  BOOST_TEST(p->Allows("::ffff:127.0.0.1", ""));  // an IPv4 client on a dual-stack listener
  BOOST_TEST(p->Allows("10.200.3.4", ""));
  BOOST_TEST(p->Allows("2001:db8:1::5", ""));
  BOOST_TEST(!p->Allows("127.0.0.2", ""));
  BOOST_TEST(!p->Allows("11.0.0.1", ""));
  BOOST_TEST(!p->Allows("2001:db9::1", ""));
  BOOST_TEST(!p->Allows("", ""));
  BOOST_TEST(!p->Allows("unix:", ""));
  BOOST_TEST(!p->Allows("localhost", ""));

  auto none = AccessPolicy::Make("", "");
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(!none->Allows("127.0.0.1", ""));
  BOOST_TEST(!AccessPolicy().Allows("127.0.0.1", ""));  // the default refuses everyone

  auto odd = AccessPolicy::Make("192.168.1.0/24", "");
  BOOST_REQUIRE(odd.ok());
  BOOST_TEST(odd->Allows("192.168.1.255", ""));
  BOOST_TEST(!odd->Allows("192.168.2.0", ""));
  auto nine = AccessPolicy::Make("172.16.0.0/12", "");
  BOOST_REQUIRE(nine.ok());
  BOOST_TEST(nine->Allows("172.31.255.1", ""));
  BOOST_TEST(!nine->Allows("172.32.0.1", ""));

  for (const char* bad : {"10.0.0.0/33", "10.1.2.3/8", "nonsense", "10.0.0.0/", "10.0.0.0/x", "::1/129"}) {
    BOOST_TEST(!AccessPolicy::Make(bad, "").ok(), bad);
  }
}

BOOST_AUTO_TEST_CASE(bearer_token) {
  auto p = AccessPolicy::Make("127.0.0.1", "0123456789abcdef0123");
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(p->Allows("127.0.0.1", "Bearer 0123456789abcdef0123"));
  BOOST_TEST(p->Allows("127.0.0.1", "bearer 0123456789abcdef0123"));
  BOOST_TEST(!p->Allows("127.0.0.1", ""));
  BOOST_TEST(!p->Allows("127.0.0.1", "Bearer "));
  BOOST_TEST(!p->Allows("127.0.0.1", "Bearer 0123456789abcdef012"));
  BOOST_TEST(!p->Allows("127.0.0.1", "Basic 0123456789abcdef0123"));
  BOOST_TEST(!p->Allows("10.0.0.1", "Bearer 0123456789abcdef0123"));  // the address is still checked
}

BOOST_AUTO_TEST_CASE(token_file) {
  char dir_template[] = "/tmp/metrics_test_XXXXXX";
  BOOST_REQUIRE(mkdtemp(dir_template));
  const std::string dir = dir_template;
  auto write = [&](const std::string& name, const std::string& content, mode_t mode) {
    std::string path = dir + "/" + name;
    FILE* f = fopen(path.c_str(), "w");
    BOOST_REQUIRE(f);
    fputs(content.c_str(), f);
    fclose(f);
    chmod(path.c_str(), mode);
    return path;
  };
  auto good = AccessPolicy::Load("127.0.0.1", write("good", "  s3cr3t-s3cr3t-s3cr3t\n", 0600));
  BOOST_REQUIRE(good.ok());
  BOOST_TEST(good->has_token());
  BOOST_TEST(good->Allows("127.0.0.1", "Bearer s3cr3t-s3cr3t-s3cr3t"));
  auto open = AccessPolicy::Load("127.0.0.1", write("open", "s3cr3t-s3cr3t-s3cr3t\n", 0644));
  BOOST_TEST(!open.ok());
  BOOST_TEST(open.status().message().find("readable by every user") != std::string::npos);
  BOOST_TEST(!AccessPolicy::Load("127.0.0.1", write("short", "short\n", 0600)).ok());
  BOOST_TEST(!AccessPolicy::Load("127.0.0.1", dir + "/missing").ok());
  auto none = AccessPolicy::Load("127.0.0.1", "");
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(!none->has_token());
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(http_counts_from_many_threads) {
  Route site{"GET", "/sites/{id}", Access::kUser, nullptr};
  Route login{"POST", "/login", Access::kPublic, nullptr};
  HttpMetrics http;
  constexpr int kThreads = 4, kEach = 2500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      HttpMetrics::Shard* shard = http.NewShard();
      for (int i = 0; i < kEach; ++i) {
        HttpMetrics::Record(shard, &site, "GET", i % 5 == 0 ? 404 : 200,
                            std::chrono::milliseconds(i % 3 == 0 ? 2 : 20));
        HttpMetrics::Record(shard, nullptr, i % 2 ? "BREW" : "GET", 404, std::chrono::microseconds(100));
      }
      HttpMetrics::Record(shard, &login, "POST", 303, std::chrono::seconds(30));
    });
  }
  // A scrape while they record: must not disturb the counts.
  Exposition during;
  http.Write(during);
  for (auto& t : threads) t.join();

  Exposition out;
  http.Write(out);
  auto s = Parse(out.text());
  BOOST_TEST(Value(s, "aegir_http_requests_total", {{"route", "/sites/{id}"}, {"method", "GET"}, {"code", "200"}}) ==
             kThreads * kEach * 4 / 5);
  BOOST_TEST(Value(s, "aegir_http_requests_total", {{"route", "/sites/{id}"}, {"method", "GET"}, {"code", "404"}}) ==
             kThreads * kEach / 5);
  // No route: one label value, and an invented method is "other".
  BOOST_TEST(Value(s, "aegir_http_requests_total", {{"route", "unmatched"}, {"method", "other"}}) ==
             kThreads * kEach / 2);
  BOOST_TEST(!Find(s, "aegir_http_requests_total", {{"method", "BREW"}}));
  const std::map<std::string, std::string> site_get = {{"route", "/sites/{id}"}, {"method", "GET"}};
  BOOST_TEST(Value(s, "aegir_http_request_duration_seconds_count", site_get) == kThreads * kEach);
  // 2 ms for every third request (i % 3 == 0: 834 of 2500), 20 ms for the rest.
  auto le = [&](const char* bound) {
    auto labels = site_get;
    labels["le"] = bound;
    return Value(s, "aegir_http_request_duration_seconds_bucket", labels);
  };
  BOOST_TEST(le("0.001") == 0);
  BOOST_TEST(le("0.0025") == kThreads * 834);
  BOOST_TEST(le("0.01") == kThreads * 834);
  BOOST_TEST(le("0.025") == kThreads * kEach);
  BOOST_TEST(std::abs(Value(s, "aegir_http_request_duration_seconds_sum", site_get) -
                      kThreads * (834 * 0.002 + 1666 * 0.020)) < 1e-6);
  const std::map<std::string, std::string> slow = {{"route", "/login"}, {"method", "POST"}, {"le", "10"}};
  BOOST_TEST(Value(s, "aegir_http_request_duration_seconds_bucket", slow) == 0);
  BOOST_TEST(Value(s, "aegir_http_request_duration_seconds_count", {{"route", "/login"}}) == kThreads);
}

BOOST_AUTO_TEST_CASE(job_metrics_by_operation_and_state) {
  JobMetrics jobs;
  jobs.Observe({1, "site-install", "succeeded", 0.2, true, 42});
  jobs.Observe({2, "site-install", "succeeded", 0.3, true, 650});
  jobs.Observe({3, "site-install", "failed", 1.0, true, 3});
  jobs.Observe({4, "site-backup", "cancelled", 12.0, false, 0});  // cancelled while queued
  Exposition out;
  jobs.Write(out);
  auto s = Parse(out.text());
  BOOST_TEST(Value(s, "aegir_jobs_finished_total", {{"operation", "site-install"}, {"state", "succeeded"}}) == 2);
  BOOST_TEST(Value(s, "aegir_jobs_finished_total", {{"operation", "site-backup"}, {"state", "cancelled"}}) == 1);
  BOOST_TEST(Value(s, "aegir_job_duration_seconds_count", {{"operation", "site-install"}, {"state", "succeeded"}}) ==
             2);
  BOOST_TEST(Value(s, "aegir_job_duration_seconds_sum", {{"operation", "site-install"}, {"state", "succeeded"}}) ==
             692);
  BOOST_TEST(Value(s, "aegir_job_duration_seconds_bucket",
                   {{"operation", "site-install"}, {"state", "succeeded"}, {"le", "60"}}) == 1);
  BOOST_TEST(Value(s, "aegir_job_duration_seconds_bucket",
                   {{"operation", "site-install"}, {"state", "succeeded"}, {"le", "1200"}}) == 2);
  // Never started: no run time, but its wait counts.
  BOOST_TEST(!Find(s, "aegir_job_duration_seconds_count", {{"operation", "site-backup"}}));
  BOOST_TEST(Value(s, "aegir_job_queue_wait_seconds_count", {{"operation", "site-backup"}}) == 1);
  BOOST_TEST(Value(s, "aegir_job_queue_wait_seconds_count", {{"operation", "site-install"}}) == 3);
  BOOST_TEST(Value(s, "aegir_job_queue_wait_seconds_bucket", {{"operation", "site-install"}, {"le", "0.25"}}) == 1);
}

BOOST_AUTO_TEST_CASE(operation_labels_are_bounded) {
  JobMetrics jobs;
  for (size_t i = 0; i < JobMetrics::kMaxOperations + 10; ++i) {
    jobs.Observe({static_cast<int64_t>(i), "op-" + std::to_string(i), "succeeded", 1, true, 1});
  }
  Exposition out;
  jobs.Write(out);
  auto s = Parse(out.text());
  BOOST_TEST(Value(s, "aegir_jobs_finished_total", {{"operation", "other"}}) == 10);
  BOOST_TEST(
      !Find(s, "aegir_jobs_finished_total", {{"operation", "op-" + std::to_string(JobMetrics::kMaxOperations)}}));
}

BOOST_AUTO_TEST_CASE(scheduler_status) {
  auto status = nlohmann::json::parse(R"({"queued": 3, "running": 2, "orphaned": 1, "tasks_read": true,
    "executors": [{"id": "web1-4711-9f3a", "capacity": 2, "running": 1, "last_heartbeat_ms_ago": 412, "labels": []},
                  {"id": "odd\"id\\", "capacity": 4, "running": 1, "last_heartbeat_ms_ago": 1500,
                   "labels": ["dmz", "eu"]}]})");
  Exposition up;
  WriteScheduler(up, &status);
  auto s = Parse(up.text());
  BOOST_TEST(Value(s, "aegir_scheduler_up") == 1);
  BOOST_TEST(Value(s, "aegir_queue_depth") == 3);
  BOOST_TEST(Value(s, "aegir_jobs_running") == 2);
  BOOST_TEST(Value(s, "aegir_jobs_orphaned") == 1);
  BOOST_TEST(Value(s, "aegir_scheduler_tasks_read") == 1);
  BOOST_TEST(Value(s, "aegir_executors_connected") == 2);
  BOOST_TEST(Value(s, "aegir_executor_capacity", {{"executor", "odd\"id\\"}}) == 4);
  BOOST_TEST(Value(s, "aegir_executor_heartbeat_age_seconds", {{"executor", "web1-4711-9f3a"}}) == 0.412);
  BOOST_TEST(Value(s, "aegir_executor_info", {{"executor", "odd\"id\\"}, {"labels", "dmz,eu"}}) == 1);

  Exposition down;
  WriteScheduler(down, nullptr);
  auto d = Parse(down.text());
  BOOST_TEST(Value(d, "aegir_scheduler_up") == 0);
  BOOST_TEST(!Find(d, "aegir_queue_depth"));
}

// The whole page with neither scheduler nor database: still a valid page,
// saying both are down.
BOOST_AUTO_TEST_CASE(whole_page_without_peers) {
  Registry registry(*AccessPolicy::Make("127.0.0.1", ""));
  Route route{"GET", "/tasks/{id}", Access::kUser, nullptr};
  HttpMetrics::Record(registry.http().NewShard(), &route, "GET", 200, std::chrono::milliseconds(3));
  aegir::db::Connection none;
  std::string page = registry.Render(none, nullptr);
  auto s = Parse(page);
  BOOST_TEST(Value(s, "aegir_scheduler_up") == 0);
  BOOST_TEST(Value(s, "aegir_database_up") == 0);
  BOOST_TEST(Value(s, "aegir_http_requests_total", {{"route", "/tasks/{id}"}, {"code", "200"}}) == 1);
  BOOST_TEST(Value(s, "process_resident_memory_bytes") > 0);
  BOOST_TEST(Value(s, "process_start_time_seconds") > 1.6e9);
  BOOST_TEST(Value(s, "process_open_fds") > 0);
  BOOST_TEST(Find(s, "aegir_build_info") != nullptr);
  BOOST_TEST(Find(s, "aegir_jobs_finished_total") == nullptr);  // a family without samples yet
}

// Refusals are logged at most once a minute for each reason, so a scanner
// cannot fill the log; the token never shows.
BOOST_AUTO_TEST_CASE(refusals_are_logged_sparingly) {
  Registry registry(*AccessPolicy::Make("127.0.0.1", "0123456789abcdef0123"));
  // The log goes to stderr: catch it in a file for the length of the test.
  FILE* capture = std::tmpfile();
  BOOST_REQUIRE(capture);
  std::fflush(stderr);
  int saved = ::dup(2);
  ::dup2(::fileno(capture), 2);
  for (int i = 0; i < 1000; ++i) {
    registry.LogRefusal("10.9.8.7");
    registry.LogRefusal("127.0.0.1");
  }
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::rewind(capture);
  std::string logged;
  for (int c; (c = std::fgetc(capture)) != EOF;) logged += static_cast<char>(c);
  std::fclose(capture);
  BOOST_TEST(std::count(logged.begin(), logged.end(), '\n') == 2, logged);
  BOOST_TEST(logged.find("refused from 10.9.8.7 (address not on --metrics-allow)") != std::string::npos, logged);
  BOOST_TEST(logged.find("refused from 127.0.0.1 (no or wrong bearer token)") != std::string::npos, logged);
  BOOST_TEST(logged.find("0123456789abcdef0123") == std::string::npos);
}
