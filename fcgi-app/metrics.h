// aegir-web's Prometheus metrics: GET /metrics in the text exposition format
// 0.0.4 (docs/metrics.md lists every metric and how to scrape it).
//
// Four sources, each read its own way:
//   - HTTP requests: counted by aegir-web itself. Each worker thread records
//     into its own shard (HttpMetrics::Shard), so the request path never waits
//     for another request; a scrape adds the shards up.
//   - the queue and the executors: the scheduler's STATUS reply, read at each
//     scrape (aegir_scheduler_up 0 when it does not answer; the rest of the
//     page is still served).
//   - job durations: read from the tasks table at each scrape (JobMetrics),
//     so a task ended by the scheduler (a lost executor, a DONE the executor
//     could not post, a queued task cancelled) counts like one an executor
//     reported to aegir-web.
//   - the process: /proc/self (process_* as the official client libraries
//     name them).
//
// Access (AccessPolicy): the client's address (REMOTE_ADDR as the web server
// saw it) must be on an allowlist (loopback by default), and when a token file
// is configured the request must carry "Authorization: Bearer <token>". A
// refused scrape gets a bare 403.
#pragma once

#include <netinet/in.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/db.h"
#include "common/status.h"

namespace aegir::web {
struct Route;  // router.h
}

namespace aegir::web::metrics {

// ------------------------------------------------------------------ format --

using Labels = std::vector<std::pair<std::string, std::string>>;

// A label value with '\', '"' and newline escaped as the format requires.
std::string EscapeLabelValue(std::string_view value);
// HELP text with '\' and newline escaped.
std::string EscapeHelp(std::string_view help);
// A sample value: whole numbers in full ("100000"), others as the shortest
// text that reads back as the same double; "+Inf", "-Inf", "NaN" for the
// special values.
std::string FormatValue(double value);

// Cumulative bucket counts over fixed upper bounds (the +Inf bucket is
// implicit). Not thread-safe: the owner locks.
class Histogram {
 public:
  // bounds: strictly increasing, finite; must outlive the histogram.
  explicit Histogram(const std::vector<double>* bounds);
  // A value equal to a bound falls in that bound's bucket (le = "less or equal").
  void Observe(double value);
  void Merge(const Histogram& other);  // same bounds
  const std::vector<double>& bounds() const { return *bounds_; }
  // counts()[i]: observations in (bounds[i-1], bounds[i]]; the last one is
  // those above every bound. Not cumulative.
  const std::vector<uint64_t>& counts() const { return counts_; }
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  const std::vector<double>* bounds_;
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  double sum_ = 0;
};

// Builds an exposition page. Each family (HELP and TYPE lines) is written
// once, followed by all its samples, as the format requires.
class Exposition {
 public:
  // type: "counter", "gauge" or "histogram".
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, const Labels& labels, double value);
  // name_bucket{...,le="..."} for every bound and +Inf (cumulative),
  // name_sum and name_count.
  void WriteHistogram(std::string_view name, const Labels& labels, const Histogram& h);
  const std::string& text() const { return out_; }

 private:
  void Line(std::string_view name, const Labels& labels, const std::string* le, double value);
  std::string out_;
};

inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// ------------------------------------------------------------------ access --

class AccessPolicy {
 public:
  // allow: comma-separated addresses or networks ("127.0.0.1, ::1,
  // 10.0.0.0/8"); empty refuses every client. token: "" for none.
  static Result<AccessPolicy> Make(std::string_view allow, std::string token);
  // Reads the token from a file (its first line, surrounding blanks cut;
  // the file must not be readable by other users); "" for no token file.
  static Result<AccessPolicy> Load(std::string_view allow, const std::string& token_file);

  // remote_addr as the web server passed it (REMOTE_ADDR); authorization is
  // the Authorization header ("" when absent).
  bool Allows(std::string_view remote_addr, std::string_view authorization) const;
  bool AllowsAddress(std::string_view remote_addr) const;
  bool has_token() const { return !token_.empty(); }

 private:
  struct Network {
    std::array<uint8_t, 16> addr{};  // IPv4 as ::ffff:a.b.c.d
    int prefix = 128;
  };
  std::vector<Network> allow_;
  std::string token_;
};

// ------------------------------------------------------------ HTTP metrics --

// The buckets of aegir_http_request_duration_seconds.
const std::vector<double>& HttpBuckets();

class HttpMetrics {
 public:
  // One worker thread's counts. Only its thread records into it; a scrape
  // reads it under its lock (the only other taker of that lock).
  class Shard;

  HttpMetrics();
  ~HttpMetrics();
  HttpMetrics(const HttpMetrics&) = delete;
  HttpMetrics& operator=(const HttpMetrics&) = delete;

  // A new shard, owned by this object, for one thread. Thread-safe.
  Shard* NewShard();
  // Counts one answered request. route: the matched route (its pattern is
  // the label, never the raw path), or null when none matched. method: as
  // the client sent it; anything but the usual verbs counts as "other".
  static void Record(Shard* shard, const Route* route, std::string_view method, int status,
                     std::chrono::nanoseconds elapsed);
  // aegir_http_requests_total and aegir_http_request_duration_seconds.
  void Write(Exposition& out) const;

 private:
  mutable std::mutex mu_;  // guards shards_ (the list, not their contents)
  std::vector<std::unique_ptr<Shard>> shards_;
};

// ------------------------------------------------------------- job metrics --

// The buckets of aegir_job_duration_seconds and aegir_job_queue_wait_seconds.
const std::vector<double>& JobDurationBuckets();
const std::vector<double>& QueueWaitBuckets();

// One task that ended, as read from the tasks table.
struct TaskEnd {
  int64_t id = 0;
  std::string operation;
  std::string state;        // succeeded | failed | cancelled
  double queue_wait_s = 0;  // created_at to started_at, or to finished_at if it never started
  bool started = false;     // run_s is meaningful
  double run_s = 0;         // started_at to finished_at (the last attempt's start)
};

// Follows the tasks table from one scrape to the next and observes every task
// that ended in between, however it ended. Thread-safe (scrapes serialize on
// its lock; the request path never touches it).
//
// Counting starts at the first Update: tasks that ended before it are not
// counted (as a counter starts at zero with the process). Each task is
// observed once: a task is new (id above the highest seen), or was open
// (queued or running) when last read, or is an id skipped by the
// auto-increment, watched for a while in case its insert was still
// uncommitted when the ids after it were read.
class JobMetrics {
 public:
  // Reads what changed since the last call. On a database error the counts
  // stay as they were and the next call catches up.
  Status Update(db::Connection& conn);
  void Write(Exposition& out) const;

  // The bookkeeping without a database (also what Update uses):
  // Observe counts one ended task; at most kMaxOperations distinct
  // operation labels are kept, later ones count as "other".
  void Observe(const TaskEnd& task);
  static constexpr size_t kMaxOperations = 256;
  // How long an id missing below the highest seen is looked for.
  static constexpr std::chrono::minutes kGapWatch{10};
  static constexpr size_t kMaxGaps = 10000;

 private:
  struct Series {
    uint64_t finished = 0;
    Histogram run{&JobDurationBuckets()};  // observed for tasks that started
  };
  Status Prime(db::Connection& conn);
  Status ReadNew(db::Connection& conn, std::chrono::steady_clock::time_point now);
  Status ReadIds(db::Connection& conn, const std::vector<int64_t>& ids, std::set<int64_t>& found);
  void Take(const db::Row& row);

  mutable std::mutex mu_;
  bool primed_ = false;
  int64_t high_ = 0;                                               // the highest task id read
  std::set<int64_t> open_;                                         // ids <= high_ that were queued or running when read
  std::map<int64_t, std::chrono::steady_clock::time_point> gaps_;  // ids <= high_ not seen yet, since when
  std::map<std::pair<std::string, std::string>, Series> series_;   // (operation, state)
  std::map<std::string, Histogram> queue_wait_;                    // operation
};

// ------------------------------------------------------------- the page --

// Appends the scheduler gauges for a STATUS reply, or aegir_scheduler_up 0
// (and no other scheduler metric) when status is null.
void WriteScheduler(Exposition& out, const nlohmann::json* status);
// process_* from /proc/self, and aegir_build_info.
void WriteProcess(Exposition& out);

// Everything behind GET /metrics, shared by aegir-web's threads.
class Registry {
 public:
  explicit Registry(AccessPolicy access) : access_(std::move(access)) {}
  const AccessPolicy& access() const { return access_; }
  HttpMetrics& http() { return http_; }
  JobMetrics& jobs() { return jobs_; }
  // The page: the scheduler's gauges from its STATUS reply (null: it did not
  // answer), the job metrics after reading the tasks table through conn
  // (aegir_database_up 0 when that failed), the HTTP counts, the process.
  std::string Render(db::Connection& conn, const nlohmann::json* scheduler_status);
  // Logs a refused scrape and why, at most once a minute for each reason
  // (a scanner must not fill the log), with how many went unlogged since.
  void LogRefusal(const std::string& remote_addr);

 private:
  struct RefusalLog {
    std::chrono::steady_clock::time_point last{};
    uint64_t unlogged = 0;
  };
  std::mutex refusals_mu_;
  RefusalLog by_address_, by_token_;
  AccessPolicy access_;
  HttpMetrics http_;
  JobMetrics jobs_;
};

}  // namespace aegir::web::metrics
