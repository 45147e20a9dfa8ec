#include "fcgi-app/metrics.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/crypto.h"
#include "common/log.h"
#include "fcgi-app/router.h"

#ifndef AEGIR_VERSION
#define AEGIR_VERSION "unknown"
#endif

namespace aegir::web::metrics {

// ------------------------------------------------------------------ format --

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  // Whole numbers (counts, mostly) in full, as Go's client prints them:
  // "100000", not the shorter "1e+05".
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
    return std::string(buf, r.ptr);
  }
  auto r = std::to_chars(buf, buf + sizeof buf, value);  // shortest round-trip form
  return std::string(buf, r.ptr);
}

Histogram::Histogram(const std::vector<double>* bounds) : bounds_(bounds), counts_(bounds->size() + 1, 0) {}

void Histogram::Observe(double value) {
  // The first bound >= value; NaN lands in +Inf.
  size_t i = static_cast<size_t>(std::lower_bound(bounds_->begin(), bounds_->end(), value) - bounds_->begin());
  if (std::isnan(value)) i = bounds_->size();
  ++counts_[i];
  ++count_;
  sum_ += value;
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < counts_.size() && i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
}

void Exposition::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_.append("# HELP ").append(name).append(" ").append(EscapeHelp(help)).append("\n");
  out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void Exposition::Line(std::string_view name, const Labels& labels, const std::string* le, double value) {
  out_.append(name);
  if (!labels.empty() || le) {
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_.append(k).append("=\"").append(EscapeLabelValue(v)).append("\"");
    }
    if (le) {
      if (!first) out_ += ',';
      out_.append("le=\"").append(*le).append("\"");
    }
    out_ += '}';
  }
  out_.append(" ").append(FormatValue(value)).append("\n");
}

void Exposition::Sample(std::string_view name, const Labels& labels, double value) {
  Line(name, labels, nullptr, value);
}

void Exposition::WriteHistogram(std::string_view name, const Labels& labels, const Histogram& h) {
  const std::string bucket = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.bounds().size(); ++i) {
    cumulative += h.counts()[i];
    std::string le = FormatValue(h.bounds()[i]);
    Line(bucket, labels, &le, static_cast<double>(cumulative));
  }
  const std::string inf = "+Inf";
  Line(bucket, labels, &inf, static_cast<double>(h.count()));
  Line(std::string(name) + "_sum", labels, nullptr, h.sum());
  Line(std::string(name) + "_count", labels, nullptr, static_cast<double>(h.count()));
}

// ------------------------------------------------------------------ access --

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// An address as 16 bytes (IPv4 mapped to ::ffff:a.b.c.d); false if it is not one.
bool ParseAddress(const std::string& text, std::array<uint8_t, 16>& out, bool& v4) {
  in_addr a4{};
  in6_addr a6{};
  if (inet_pton(AF_INET, text.c_str(), &a4) == 1) {
    out.fill(0);
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &a4, 4);
    v4 = true;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), &a6) == 1) {
    std::memcpy(out.data(), &a6, 16);
    v4 = false;
    return true;
  }
  return false;
}

bool InNetwork(const std::array<uint8_t, 16>& addr, const std::array<uint8_t, 16>& net, int prefix) {
  int full = prefix / 8;
  if (std::memcmp(addr.data(), net.data(), static_cast<size_t>(full)) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (addr[static_cast<size_t>(full)] & mask) == (net[static_cast<size_t>(full)] & mask);
}

}  // namespace

Result<AccessPolicy> AccessPolicy::Make(std::string_view allow, std::string token) {
  AccessPolicy p;
  std::string_view rest = allow;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) continue;
    std::string addr(item.substr(0, item.find('/')));
    Network n;
    bool v4 = false;
    if (!ParseAddress(addr, n.addr, v4)) {
      return Status::InvalidArgument("metrics allowlist: '" + std::string(item) + "' is not an address or network");
    }
    int max = v4 ? 32 : 128;
    int prefix = max;
    if (size_t slash = item.find('/'); slash != std::string_view::npos) {
      std::string_view digits = item.substr(slash + 1);
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty() || prefix < 0 || prefix > max) {
        return Status::InvalidArgument("metrics allowlist: bad prefix length in '" + std::string(item) + "'");
      }
    }
    n.prefix = v4 ? prefix + 96 : prefix;
    // Bits past the prefix must be zero: 10.1.2.3/8 is most likely a mistake.
    std::array<uint8_t, 16> masked{};
    for (size_t i = 0; i < 16; ++i) {
      int bits = std::clamp(n.prefix - static_cast<int>(i) * 8, 0, 8);
      masked[i] = static_cast<uint8_t>(n.addr[i] & static_cast<uint8_t>(0xff << (8 - bits)));
    }
    if (masked != n.addr) {
      return Status::InvalidArgument("metrics allowlist: '" + std::string(item) +
                                     "' has bits set past its prefix length");
    }
    p.allow_.push_back(n);
  }
  p.token_ = std::move(token);
  return p;
}

Result<AccessPolicy> AccessPolicy::Load(std::string_view allow, const std::string& token_file) {
  std::string token;
  if (!token_file.empty()) {
    struct stat st {};
    if (::stat(token_file.c_str(), &st) != 0) return Status::FromErrno("metrics token file " + token_file, errno);
    if (st.st_mode & S_IROTH) {
      return Status::PermissionDenied("the metrics token file " + token_file +
                                      " is readable by every user; make it so only aegir-web's user (or group) can "
                                      "read it (chmod o-rwx)");
    }
    std::ifstream in(token_file);
    if (!in) return Status::NotFound("cannot read the metrics token file " + token_file);
    std::string line;
    std::getline(in, line);
    token = std::string(Trim(line));
    if (token.size() < 16) {
      return Status::InvalidArgument("the metrics token in " + token_file +
                                     " is shorter than 16 characters (make one with: openssl rand -hex 32)");
    }
  }
  return Make(allow, std::move(token));
}

bool AccessPolicy::AllowsAddress(std::string_view remote_addr) const {
  std::array<uint8_t, 16> addr{};
  bool v4 = false;
  if (!ParseAddress(std::string(remote_addr), addr, v4)) return false;
  return std::any_of(allow_.begin(), allow_.end(), [&](const Network& n) { return InNetwork(addr, n.addr, n.prefix); });
}

bool AccessPolicy::Allows(std::string_view remote_addr, std::string_view authorization) const {
  if (!AllowsAddress(remote_addr)) return false;
  if (token_.empty()) return true;
  // "Bearer <token>"; the scheme is case-insensitive (RFC 9110).
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return false;
  }
  return crypto::ConstantTimeEquals(std::string(Trim(authorization.substr(kScheme.size()))), token_);
}

// ------------------------------------------------------------ HTTP metrics --

const std::vector<double>& HttpBuckets() {
  static const std::vector<double> b = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return b;
}

namespace {

// The methods that get their own label value; anything else is "other", so a
// client cannot make new series by inventing methods.
constexpr std::array<std::string_view, 8> kMethods = {"GET",    "HEAD",  "POST",    "PUT",
                                                      "DELETE", "PATCH", "OPTIONS", "other"};

uint8_t MethodIndex(std::string_view method) {
  for (uint8_t i = 0; i + 1u < kMethods.size(); ++i) {
    if (kMethods[i] == method) return i;
  }
  return static_cast<uint8_t>(kMethods.size() - 1);
}

struct HttpKey {
  const Route* route;
  uint8_t method;
  bool operator==(const HttpKey& o) const { return route == o.route && method == o.method; }
};
struct HttpKeyHash {
  size_t operator()(const HttpKey& k) const { return std::hash<const void*>()(k.route) * 31 + k.method; }
};

struct HttpSeries {
  Histogram duration{&HttpBuckets()};
  std::vector<std::pair<int, uint64_t>> codes;  // a handful per route
};

}  // namespace

class HttpMetrics::Shard {
 public:
  // Taken by its own thread at every request and by a scrape; never
  // contended but during a scrape.
  std::mutex mu;
  std::unordered_map<HttpKey, HttpSeries, HttpKeyHash> series;
};

HttpMetrics::HttpMetrics() = default;
HttpMetrics::~HttpMetrics() = default;

HttpMetrics::Shard* HttpMetrics::NewShard() {
  std::lock_guard<std::mutex> lock(mu_);
  shards_.push_back(std::make_unique<Shard>());
  return shards_.back().get();
}

void HttpMetrics::Record(Shard* shard, const Route* route, std::string_view method, int status,
                         std::chrono::nanoseconds elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::lock_guard<std::mutex> lock(shard->mu);
  HttpSeries& s = shard->series[HttpKey{route, MethodIndex(method)}];
  s.duration.Observe(seconds);
  for (auto& [code, n] : s.codes) {
    if (code == status) {
      ++n;
      return;
    }
  }
  s.codes.emplace_back(status, 1);
}

void HttpMetrics::Write(Exposition& out) const {
  // Merged by (route pattern, method): two routes never share a pattern and
  // method, but the merge makes that an assumption of nobody.
  std::map<std::pair<std::string, std::string>, HttpSeries> merged;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& shard : shards_) {
      std::lock_guard<std::mutex> shard_lock(shard->mu);
      for (const auto& [key, s] : shard->series) {
        std::string route = key.route ? key.route->pattern : "unmatched";
        HttpSeries& m = merged[{route, std::string(kMethods[key.method])}];
        m.duration.Merge(s.duration);
        for (const auto& [code, n] : s.codes) {
          auto it = std::find_if(m.codes.begin(), m.codes.end(), [&](const auto& c) { return c.first == code; });
          if (it == m.codes.end()) {
            m.codes.emplace_back(code, n);
          } else {
            it->second += n;
          }
        }
      }
    }
  }
  out.Family(
      "aegir_http_requests_total", "counter",
      "HTTP requests answered by aegir-web, by route pattern (\"unmatched\": no route), method and status code.");
  for (auto& [key, s] : merged) {
    std::sort(s.codes.begin(), s.codes.end());
    for (const auto& [code, n] : s.codes) {
      out.Sample("aegir_http_requests_total",
                 {{"route", key.first}, {"method", key.second}, {"code", std::to_string(code)}},
                 static_cast<double>(n));
    }
  }
  out.Family("aegir_http_request_duration_seconds", "histogram",
             "Time aegir-web took to answer a request, from routing to the response being ready, by route pattern and "
             "method.");
  for (const auto& [key, s] : merged) {
    out.WriteHistogram("aegir_http_request_duration_seconds", {{"route", key.first}, {"method", key.second}},
                       s.duration);
  }
}

// ------------------------------------------------------------- job metrics --

const std::vector<double>& JobDurationBuckets() {
  static const std::vector<double> b = {1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200};
  return b;
}

const std::vector<double>& QueueWaitBuckets() {
  static const std::vector<double> b = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                        2.5,   5,    10,    30,   60,  300,  900, 3600};
  return b;
}

namespace {

constexpr int kIdBatch = 50;    // ids per "WHERE id IN (...)" (one statement text, kept prepared)
constexpr int kPage = 1000;     // new rows per query
constexpr int kMaxPages = 100;  // new rows per scrape at most kPage * kMaxPages; the rest at the next one

const std::string kColumns =
    "SELECT id, operation, state, "
    "TIMESTAMPDIFF(MICROSECOND, created_at, COALESCE(started_at, finished_at)), "
    "TIMESTAMPDIFF(MICROSECOND, started_at, finished_at) FROM tasks ";

bool IsFinal(const std::string& state) { return state == "succeeded" || state == "failed" || state == "cancelled"; }

const std::string& IdBatchSql() {
  static const std::string sql = [] {
    std::string s = kColumns + "WHERE id IN (";
    for (int i = 0; i < kIdBatch; ++i) s += i ? ", ?" : "?";
    return s + ")";
  }();
  return sql;
}

}  // namespace

void JobMetrics::Observe(const TaskEnd& task) {
  std::string op = task.operation;
  if (queue_wait_.count(op) == 0 && queue_wait_.size() >= kMaxOperations) op = "other";
  auto [qit, _] = queue_wait_.try_emplace(op, &QueueWaitBuckets());
  qit->second.Observe(std::max(0.0, task.queue_wait_s));
  Series& s = series_[{op, task.state}];
  ++s.finished;
  if (task.started) s.run.Observe(std::max(0.0, task.run_s));
}

void JobMetrics::Take(const db::Row& row) {
  const int64_t id = row.Int(0);
  const std::string& state = row.Str(2);
  if (!IsFinal(state)) {
    open_.insert(id);
    return;
  }
  TaskEnd t;
  t.id = id;
  t.operation = row.Str(1);
  t.state = state;
  t.queue_wait_s = static_cast<double>(row.Int(3)) / 1e6;
  t.started = !row.IsNull(4);
  t.run_s = static_cast<double>(row.Int(4)) / 1e6;
  Observe(t);
}

Status JobMetrics::Prime(db::Connection& conn) {
  auto max = conn.Query("SELECT COALESCE(MAX(id), 0) FROM tasks");
  if (!max.ok()) return max.status().WithContext("metrics: read the tasks");
  int64_t high = max->empty() ? 0 : (*max)[0].Int(0);
  auto open = conn.Query("SELECT id FROM tasks WHERE state IN ('queued', 'running') AND id <= ?", {db::Value(high)});
  if (!open.ok()) return open.status().WithContext("metrics: read the open tasks");
  high_ = high;
  open_.clear();
  for (const auto& r : *open) open_.insert(r.Int(0));
  primed_ = true;
  return Status::Ok();
}

Status JobMetrics::ReadNew(db::Connection& conn, std::chrono::steady_clock::time_point now) {
  for (int page = 0; page < kMaxPages; ++page) {
    auto rows = conn.Query(kColumns + "WHERE id > ? ORDER BY id LIMIT " + std::to_string(kPage), {db::Value(high_)});
    if (!rows.ok()) return rows.status().WithContext("metrics: read the new tasks");
    for (const auto& r : *rows) {
      const int64_t id = r.Int(0);
      // Ids skipped here may belong to inserts not committed yet.
      for (int64_t gap = high_ + 1; gap < id && gaps_.size() < kMaxGaps; ++gap) gaps_.emplace(gap, now);
      high_ = id;
      Take(r);
    }
    if (rows->size() < static_cast<size_t>(kPage)) break;
  }
  return Status::Ok();
}

Status JobMetrics::ReadIds(db::Connection& conn, const std::vector<int64_t>& ids, std::set<int64_t>& found) {
  for (size_t start = 0; start < ids.size(); start += kIdBatch) {
    std::vector<db::Value> params;
    for (size_t i = start; i < start + kIdBatch; ++i) params.emplace_back(i < ids.size() ? ids[i] : int64_t{0});
    auto rows = conn.Query(IdBatchSql(), params);
    if (!rows.ok()) return rows.status().WithContext("metrics: read tasks by id");
    for (const auto& r : *rows) {
      found.insert(r.Int(0));
      open_.erase(r.Int(0));
      gaps_.erase(r.Int(0));
      Take(r);  // back into open_ if it is still open
    }
  }
  return Status::Ok();
}

Status JobMetrics::Update(db::Connection& conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!primed_) return Prime(conn);
  const auto now = std::chrono::steady_clock::now();
  // Which of the tasks open at the last read have ended: those no longer in
  // the (small, indexed) set of open ones.
  auto open = conn.Query("SELECT id FROM tasks WHERE state IN ('queued', 'running') AND id <= ?", {db::Value(high_)});
  if (!open.ok()) return open.status().WithContext("metrics: read the open tasks");
  std::set<int64_t> still_open;
  for (const auto& r : *open) still_open.insert(r.Int(0));
  std::vector<int64_t> look;
  for (int64_t id : open_) {
    if (still_open.count(id) == 0) look.push_back(id);
  }
  for (const auto& [id, since] : gaps_) look.push_back(id);
  std::set<int64_t> found;
  if (Status s = ReadIds(conn, look, found); !s.ok()) return s;
  for (int64_t id : look) {
    if (found.count(id) == 0) open_.erase(id);  // deleted
  }
  for (auto it = gaps_.begin(); it != gaps_.end();) {
    // A rolled-back insert or an auto-increment step leaves an id that never
    // comes.
    it = now - it->second > kGapWatch ? gaps_.erase(it) : std::next(it);
  }
  return ReadNew(conn, now);
}

void JobMetrics::Write(Exposition& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  out.Family("aegir_jobs_finished_total", "counter",
             "Tasks that ended since aegir-web started counting (its first scrape), by operation and final state, "
             "however they ended (reported by the executor, or ended by the scheduler).");
  for (const auto& [key, s] : series_) {
    out.Sample("aegir_jobs_finished_total", {{"operation", key.first}, {"state", key.second}},
               static_cast<double>(s.finished));
  }
  out.Family("aegir_job_duration_seconds", "histogram",
             "Run time of ended tasks that started: from the executor taking the task to its end, by operation and "
             "final state.");
  for (const auto& [key, s] : series_) {
    if (s.run.count() == 0) continue;  // e.g. only cancelled before it started
    out.WriteHistogram("aegir_job_duration_seconds", {{"operation", key.first}, {"state", key.second}}, s.run);
  }
  out.Family("aegir_job_queue_wait_seconds", "histogram",
             "Time ended tasks waited in the queue: from being queued to being started (or to their end, if they "
             "never started), by operation.");
  for (const auto& [op, h] : queue_wait_) {
    out.WriteHistogram("aegir_job_queue_wait_seconds", {{"operation", op}}, h);
  }
}

// ------------------------------------------------------------- the page --

void WriteScheduler(Exposition& out, const nlohmann::json* status) {
  out.Family("aegir_scheduler_up", "gauge", "1 if aegir-scheduler answered STATUS for this scrape, else 0.");
  out.Sample("aegir_scheduler_up", {}, status ? 1 : 0);
  if (!status) return;
  auto number = [&](const char* key) {
    auto it = status->find(key);
    return it != status->end() && it->is_number() ? it->get<double>() : 0.0;
  };
  out.Family("aegir_queue_depth", "gauge", "Tasks queued in the scheduler, waiting for an executor.");
  out.Sample("aegir_queue_depth", {}, number("queued"));
  out.Family("aegir_jobs_running", "gauge", "Tasks handed to executors and not yet ended.");
  out.Sample("aegir_jobs_running", {}, number("running"));
  out.Family("aegir_jobs_orphaned", "gauge", "Running tasks whose executor was lost (waiting for it to come back).");
  out.Sample("aegir_jobs_orphaned", {}, number("orphaned"));
  auto tasks_read = status->find("tasks_read");
  out.Family("aegir_scheduler_tasks_read", "gauge",
             "1 once the scheduler has read the tasks table (0: its database is away, the queue figures are partial).");
  out.Sample("aegir_scheduler_tasks_read", {},
             tasks_read != status->end() && tasks_read->is_boolean() && tasks_read->get<bool>() ? 1 : 0);

  const nlohmann::json empty = nlohmann::json::array();
  auto ex = status->find("executors");
  const nlohmann::json& executors = ex != status->end() && ex->is_array() ? *ex : empty;
  out.Family("aegir_executors_connected", "gauge", "Executors registered with the scheduler.");
  out.Sample("aegir_executors_connected", {}, static_cast<double>(executors.size()));
  struct Exec {
    std::string id, labels;
    double capacity, running, age_s;
  };
  std::vector<Exec> list;
  for (const auto& e : executors) {
    if (!e.is_object()) continue;
    Exec x;
    x.id = e.value("id", std::string());
    auto num = [&](const char* key) {
      auto it = e.find(key);
      return it != e.end() && it->is_number() ? it->get<double>() : 0.0;
    };
    x.capacity = num("capacity");
    x.running = num("running");
    x.age_s = num("last_heartbeat_ms_ago") / 1000.0;
    if (auto l = e.find("labels"); l != e.end() && l->is_array()) {
      for (const auto& label : *l) {
        if (!label.is_string()) continue;
        if (!x.labels.empty()) x.labels += ',';
        x.labels += label.get<std::string>();
      }
    }
    list.push_back(std::move(x));
  }
  out.Family("aegir_executor_capacity", "gauge", "How many tasks an executor runs at once (0 while it drains).");
  for (const auto& x : list) out.Sample("aegir_executor_capacity", {{"executor", x.id}}, x.capacity);
  out.Family("aegir_executor_running", "gauge", "Tasks an executor is running.");
  for (const auto& x : list) out.Sample("aegir_executor_running", {{"executor", x.id}}, x.running);
  out.Family("aegir_executor_heartbeat_age_seconds", "gauge",
             "Seconds since the scheduler last heard from an executor.");
  for (const auto& x : list) out.Sample("aegir_executor_heartbeat_age_seconds", {{"executor", x.id}}, x.age_s);
  out.Family("aegir_executor_info", "gauge", "An executor's labels (comma-separated), as it announced them; always 1.");
  for (const auto& x : list) out.Sample("aegir_executor_info", {{"executor", x.id}, {"labels", x.labels}}, 1);
}

namespace {

// Fields of /proc/self/stat after the command name (which may hold spaces
// and parentheses: everything after the last ')').
std::vector<std::string> ProcStat() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> fields;
  size_t close = line.rfind(')');
  if (close == std::string::npos) return fields;
  std::istringstream rest(line.substr(close + 1));
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

double BootTime() {
  std::ifstream in("/proc/stat");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("btime ", 0) == 0) return std::atof(line.c_str() + 6);
  }
  return 0;
}

}  // namespace

void WriteProcess(Exposition& out) {
  std::vector<std::string> f = ProcStat();
  // Field n of proc(5) is f[n - 3].
  if (f.size() > 21) {
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    out.Family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
    out.Sample("process_cpu_seconds_total", {}, (std::atof(f[11].c_str()) + std::atof(f[12].c_str())) / ticks);
    out.Family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
    out.Sample("process_start_time_seconds", {}, BootTime() + std::atof(f[19].c_str()) / ticks);
    out.Family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    out.Sample("process_virtual_memory_bytes", {}, std::atof(f[20].c_str()));
    out.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.Sample("process_resident_memory_bytes", {}, std::atof(f[21].c_str()) * page);
  }
  if (DIR* d = ::opendir("/proc/self/fd")) {
    int n = 0;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    ::closedir(d);
    out.Family("process_open_fds", "gauge", "Number of open file descriptors.");
    out.Sample("process_open_fds", {}, n - 1);  // not counting the one reading the directory
  }
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    out.Family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    out.Sample("process_max_fds", {}, static_cast<double>(lim.rlim_cur));
  }
  out.Family("aegir_build_info", "gauge", "aegir-web's version; always 1.");
  out.Sample("aegir_build_info", {{"version", AEGIR_VERSION}}, 1);
}

std::string Registry::Render(db::Connection& conn, const nlohmann::json* scheduler_status) {
  Exposition out;
  WriteScheduler(out, scheduler_status);
  Status jobs = jobs_.Update(conn);
  if (!jobs.ok()) log::Warn(jobs.ToString());
  out.Family("aegir_database_up", "gauge", "1 if aegir-web read the tasks table for this scrape, else 0.");
  out.Sample("aegir_database_up", {}, jobs.ok() ? 1 : 0);
  jobs_.Write(out);
  http_.Write(out);
  WriteProcess(out);
  return out.text();
}

void Registry::LogRefusal(const std::string& remote_addr) {
  const bool address_ok = access_.AllowsAddress(remote_addr);
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(refusals_mu_);
  RefusalLog& r = address_ok ? by_token_ : by_address_;
  if (r.last != std::chrono::steady_clock::time_point{} && now - r.last < std::chrono::minutes(1)) {
    ++r.unlogged;
    return;
  }
  std::string line = "metrics scrape refused from " + remote_addr +
                     (address_ok ? " (no or wrong bearer token)" : " (address not on --metrics-allow)");
  if (r.unlogged > 0) line += "; " + std::to_string(r.unlogged) + " more for this reason since the last such line";
  log::Warn(line);
  r.last = now;
  r.unlogged = 0;
}

}  // namespace aegir::web::metrics
