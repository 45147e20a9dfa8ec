// aegir-bench: the measuring client of bench/run (bench/README.md). Each
// subcommand measures one thing against a running stack and prints one JSON
// object on stdout; bench/run puts them together. It talks to the stack the
// way its users do: RUN over ZeroMQ like the `aegir` client, the task log
// through nginx like the task page, and learns when a job's command started
// from aegir-bench-command's datagrams.
//
//   aegir-bench latency  --submit=EP --stamps=SOCK --count=N --first=K
//   aegir-bench spawn    --command=PATH --stamps=SOCK --work-dir=DIR --count=N
//   aegir-bench submit   --submit=EP --clients=C --count=N --first=K
//   aegir-bench drain    --submit=EP --stamps=SOCK --expect=N
//   aegir-bench logs     --submit=EP --url=BASE --cookie=C --first=K --lines=N
//   aegir-bench real     --submit=EP --runs=N   (server-verify on localhost, end to end)
//   aegir-bench playbook --job=FILE --task=ID --dir=DIR --roles=DIR   (writes a job's playbook)
//
// Jobs are `--operation` (site-verify) on bench-<K>.example.org,
// bench-<K+1>.example.org, ... (bench/generate's sites, on the server whose
// executor label keeps them on bench/run's own executors).
#include <curl/curl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "cli/client.h"
#include "common/flags.h"
#include "common/job.h"
#include "common/messages.h"
#include "common/process.h"
#include "common/protocol.h"
#include "common/temp_dir.h"
#include "executors/playbook_writer.h"

namespace aegir::bench {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

int64_t RealNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "aegir-bench: " << what << "\n";
  std::exit(1);
}

// Milliseconds; percentiles by nearest rank (p = sorted[ceil(q*n) - 1]), the
// same definition as the Celery peer's.
json Summary(std::vector<double> v) {
  if (v.empty()) return {{"n", 0}};
  std::sort(v.begin(), v.end());
  auto pct = [&](double q) {
    size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
  };
  double sum = 0;
  for (double x : v) sum += x;
  auto r3 = [](double x) { return std::round(x * 1000) / 1000; };
  return {{"n", v.size()},           {"p50", r3(pct(0.50))},
          {"p99", r3(pct(0.99))},    {"mean", r3(sum / static_cast<double>(v.size()))},
          {"min", r3(v.front())},    {"max", r3(v.back())}};
}

long Int(const Flags& f, const std::string& name, long min, long max) {
  auto v = f.GetInt(name, min, max);
  if (!v.ok()) Die(v.status().message());
  return *v;
}

std::string SiteTarget(long n) { return "site:bench-" + std::to_string(n) + ".example.org"; }

// One submitter's DEALER socket, kept for all its requests (as a busy tool
// would), unlike the `aegir` client's socket per request.
class Submitter {
 public:
  Submitter(zmq::context_t& ctx, const std::string& endpoint)
      : endpoint_(endpoint), socket_(ctx, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect(endpoint);
  }

  // RUN; the new task's id, or the scheduler's refusal.
  Result<int64_t> Run(const std::string& operation, const std::string& target) {
    json body = {{"operation", operation}, {"target", target}, {"vars", json::object()}};
    auto reply = cli::Exchange(socket_, endpoint_, {std::string(protocol::kRun), body.dump()});
    if (!reply.ok()) return reply.status();
    if (reply->size() == 2 && (*reply)[0] == protocol::kAck) return std::stoll((*reply)[1]);
    return Status::Internal("RUN " + target + ": " + (reply->size() == 2 ? (*reply)[1] : "unexpected reply"));
  }

 private:
  std::string endpoint_;
  zmq::socket_t socket_;
};

// The datagrams aegir-bench-command sends when it starts: "<job id> <ns>".
class Stamps {
 public:
  explicit Stamps(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) Die("stamps socket path too long: " + path);
    std::copy(path.begin(), path.end(), addr.sun_path);
    ::unlink(path.c_str());
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Die("cannot bind " + path);
    int size = 8 << 20;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  ~Stamps() {
    close(fd_);
    ::unlink(path_.c_str());
  }

  // The stamp of job `id` (those of others before it are skipped), or
  // nothing within timeout of any.
  std::optional<std::pair<int64_t, int64_t>> Of(int64_t id, milliseconds timeout) {
    std::optional<std::pair<int64_t, int64_t>> stamp;
    while ((stamp = Next(timeout)) && stamp->first != id) {
    }
    return stamp;
  }

  // The next stamp, or nothing within timeout.
  std::optional<std::pair<int64_t, int64_t>> Next(milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    char buf[128];
    ssize_t n = recv(fd_, buf, sizeof buf - 1, 0);
    if (n <= 0) return std::nullopt;
    buf[n] = 0;
    long long id = 0, ns = 0;
    if (std::sscanf(buf, "%lld %lld", &id, &ns) != 2) return std::nullopt;
    return std::make_pair(static_cast<int64_t>(id), static_cast<int64_t>(ns));
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// Submit to exec, one job at a time: the time from sending RUN to the moment
// the executor's command started, and the RUN's own answer time.
int Latency(const Flags& f) {
  long count = Int(f, "count", 1, 10000000);
  long first = Int(f, "first", 1, 100000000);
  long warmup = Int(f, "warmup", 0, 100000);
  long gap_ms = Int(f, "gap-ms", 0, 10000);
  zmq::context_t ctx;
  Submitter submitter(ctx, f.Get("submit"));
  Stamps stamps(f.Get("stamps"));
  std::vector<double> exec_ms, ack_ms;
  for (long i = 0; i < warmup + count; ++i) {
    int64_t t0 = RealNs();
    auto id = submitter.Run(f.Get("operation"), SiteTarget(first + i));
    int64_t t_ack = RealNs();
    if (!id.ok()) Die(id.status().message());
    auto stamp = stamps.Of(*id, milliseconds(10000));
    if (!stamp) Die("job " + std::to_string(*id) + " did not start within 10 s (are bench executors running?)");
    if (i < warmup) continue;
    exec_ms.push_back(static_cast<double>(stamp->second - t0) / 1e6);
    ack_ms.push_back(static_cast<double>(t_ack - t0) / 1e6);
    // Sequential, but not back to back with the previous job's end: let its
    // finish posts go by, so each sample is one job on a quiet stack.
    std::this_thread::sleep_for(milliseconds(gap_ms));
  }
  std::cout << json{{"submit_to_exec_ms", Summary(exec_ms)}, {"run_ack_ms", Summary(ack_ms)}}.dump() << "\n";
  return 0;
}

// The machine's part of submit to exec: the same command started the way
// the executor starts a job's (Process::Spawn, in a job-<n>-XXXXXX directory
// of its own, the stamps socket in its environment), one at a time with the
// same pause, with no scheduler, executor or database in between. The time
// from the call to the command's first stamp.
int Spawn(const Flags& f) {
  long count = Int(f, "count", 1, 10000000);
  long warmup = Int(f, "warmup", 0, 100000);
  long gap_ms = Int(f, "gap-ms", 0, 10000);
  Stamps stamps(f.Get("stamps"));
  std::vector<double> start_ms;
  for (long i = 1; i <= warmup + count; ++i) {
    auto dir = TempDir::Create(f.Get("work-dir"), "job-" + std::to_string(i) + "-");
    if (!dir.ok()) Die(dir.status().message());
    int64_t t0 = RealNs();
    auto process = Process::Spawn(
        {{f.Get("command")}, {{"AEGIR_BENCH_STAMPS", f.Get("stamps")}}, dir->path().string(), true});
    if (!process.ok()) Die(process.status().message());
    auto stamp = stamps.Of(i, milliseconds(10000));
    if (!stamp) Die("the command did not start within 10 s");
    if (auto ended = process->Wait(); !ended.ok()) Die(ended.status().message());
    if (i > warmup) start_ms.push_back(static_cast<double>(stamp->second - t0) / 1e6);
    std::this_thread::sleep_for(milliseconds(gap_ms));
  }
  std::cout << json{{"spawn_to_start_ms", Summary(start_ms)}}.dump() << "\n";
  return 0;
}

// Durable submissions per second: C submitters, each on its own socket, each
// sending RUN and waiting for its ACK (the task is stored when it comes).
int Submit(const Flags& f) {
  long clients = Int(f, "clients", 1, 1024);
  long count = Int(f, "count", 1, 10000000);
  long first = Int(f, "first", 1, 100000000);
  zmq::context_t ctx(2);
  std::atomic<long> next{0};
  std::atomic<long> failed{0};
  std::mutex mu;
  std::vector<double> ack_ms;
  std::string error;
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (long c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      Submitter submitter(ctx, f.Get("submit"));
      std::vector<double> mine;
      for (long i; (i = next++) < count;) {
        auto t0 = std::chrono::steady_clock::now();
        auto id = submitter.Run(f.Get("operation"), SiteTarget(first + i));
        auto t1 = std::chrono::steady_clock::now();
        if (!id.ok()) {
          ++failed;
          std::lock_guard lock(mu);
          error = id.status().message();
          continue;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
      std::lock_guard lock(mu);
      ack_ms.insert(ack_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed > 0) std::cerr << "aegir-bench: " << failed << " RUNs refused or unanswered; last: " << error << "\n";
  std::cout << json{{"clients", clients},
                    {"submitted", static_cast<long>(ack_ms.size())},
                    {"failed", failed.load()},
                    {"seconds", std::round(seconds * 1000) / 1000},
                    {"per_s", std::round(static_cast<double>(ack_ms.size()) / seconds)},
                    {"ack_ms", Summary(ack_ms)}}
                   .dump()
            << "\n";
  return failed > 0 ? 1 : 0;
}

// Dispatch rate: counts the commands started by the executors bench/run
// starts after this (the queue was filled by `submit`), until `expect` have
// started, and then until the scheduler reports nothing queued or running.
int Drain(const Flags& f) {
  long expect = Int(f, "expect", 1, 10000000);
  zmq::context_t ctx;
  Stamps stamps(f.Get("stamps"));
  int64_t first_ns = 0, last_ns = 0;
  long seen = 0;
  while (seen < expect) {
    auto s = stamps.Next(milliseconds(30000));
    if (!s) Die("only " + std::to_string(seen) + " of " + std::to_string(expect) + " jobs started (30 s without one)");
    if (seen == 0) first_ns = s->second;
    last_ns = std::max(last_ns, s->second);
    ++seen;
  }
  // Then until every job has ended (their finish posts, the DONEs).
  int64_t ended_ns = 0;
  for (int i = 0; i < 6000; ++i) {
    auto st = cli::QueryStatus(ctx, f.Get("submit"));
    if (st.ok() && st->value("queued", -1) == 0 && st->value("running", -1) == 0) {
      ended_ns = RealNs();
      break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  double exec_s = static_cast<double>(last_ns - first_ns) / 1e9;
  double end_s = static_cast<double>(ended_ns - first_ns) / 1e9;
  std::cout << json{{"jobs", seen},
                    {"started_per_s", exec_s > 0 ? std::round(static_cast<double>(seen - 1) / exec_s) : 0},
                    {"ended_per_s", ended_ns > 0 ? std::round(static_cast<double>(seen) / end_s) : 0},
                    {"seconds", std::round(end_s * 1000) / 1000}}
                   .dump()
            << "\n";
  return ended_ns > 0 ? 0 : 1;
}

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// The task page's way of following a log (www/static/task.js): GET
// /tasks/ID/log?after=N, wait `delay`, again; the delay is reset to its
// minimum when lines came and grows by half up to its maximum when not.
// Keep these in step with task.js.
constexpr int kPollMinMs = 100;
constexpr int kPollMaxMs = 2000;

// Log throughput and lag: one job whose command prints `lines` lines (the
// executors were started with AEGIR_BENCH_LINES and AEGIR_BENCH_RATE), followed
// through nginx as the task page follows it. Each line carries the time it
// was printed; its lag is when the follower got it minus that.
int Logs(const Flags& f) {
  long first = Int(f, "first", 1, 100000000);
  long lines = Int(f, "lines", 1, 100000000);
  zmq::context_t ctx;
  Submitter submitter(ctx, f.Get("submit"));
  auto id = submitter.Run(f.Get("operation"), SiteTarget(first));
  if (!id.ok()) Die(id.status().message());
  CURL* curl = curl_easy_init();
  std::string body;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Cookie: " + f.Get("cookie")).c_str());
  headers = curl_slist_append(headers, "Accept: application/json");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  int64_t after = 0, first_printed = 0, last_seen_ns = 0;
  std::vector<double> lag_ms;
  long polls = 0;
  int delay = kPollMinMs;
  bool final = false;
  while (!final) {
    body.clear();
    std::string url = f.Get("url") + "/tasks/" + std::to_string(*id) + "/log?after=" + std::to_string(after);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    if (CURLcode rc = curl_easy_perform(curl); rc != CURLE_OK) Die(std::string("GET log: ") + curl_easy_strerror(rc));
    int64_t got = RealNs();
    ++polls;
    long http = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
    json page = json::parse(body, nullptr, false);
    if (http != 200 || !page.is_object()) Die("GET " + url + ": HTTP " + std::to_string(http));
    for (const auto& l : page["lines"]) {
      after = l["seq"].get<int64_t>();
      long long seq = 0, ns = 0;
      if (std::sscanf(l["text"].get<std::string>().c_str(), "bench %lld %lld", &seq, &ns) != 2) continue;
      if (seq == 1) first_printed = ns;
      lag_ms.push_back(static_cast<double>(got - ns) / 1e6);
      last_seen_ns = got;
    }
    // Until the task has ended and a reply brings nothing more (a page
    // reloads itself then; the rest of a long log comes on it).
    final = page.value("final", false) && page["lines"].empty();
    if (final) break;
    if (page.value("final", false)) continue;
    delay = page["lines"].empty() ? std::min(delay * 3 / 2, kPollMaxMs) : kPollMinMs;
    std::this_thread::sleep_for(milliseconds(delay));
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  auto task = cli::TaskState(ctx, f.Get("submit"), *id);
  std::string state = task.ok() ? task->value("state", "") : "unknown";
  double seconds = static_cast<double>(last_seen_ns - first_printed) / 1e9;
  std::cout << json{{"task", *id},
                    {"state", state},
                    {"lines", lag_ms.size()},
                    {"expected", lines},
                    {"polls", polls},
                    {"seconds", std::round(seconds * 1000) / 1000},
                    {"lines_per_s", seconds > 0 ? std::round(static_cast<double>(lag_ms.size()) / seconds) : 0},
                    {"lag_ms", Summary(lag_ms)}}
                   .dump()
            << "\n";
  return state == "succeeded" && static_cast<long>(lag_ms.size()) == lines ? 0 : 1;
}

// One real job end to end, `runs` times: RUN server-verify on the server
// localhost (the stack's own executor, real ansible-playbook) until TASK says
// it ended. Prints the times and the last task's id (bench/run runs that
// task's playbook by hand).
int Real(const Flags& f) {
  long runs = Int(f, "runs", 1, 100);
  zmq::context_t ctx;
  Submitter submitter(ctx, f.Get("submit"));
  std::vector<double> ms;
  int64_t last = 0;
  for (long i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto id = submitter.Run("server-verify", "server:localhost");
    if (!id.ok()) Die(id.status().message());
    for (;;) {
      auto task = cli::TaskState(ctx, f.Get("submit"), *id);
      if (task.ok() && task->value("final", false)) {
        if (task->value("state", "") != "succeeded") Die("server-verify ended " + task->value("state", ""));
        break;
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    last = *id;
  }
  std::cout << json{{"task", last}, {"runs", runs}, {"ms", Summary(ms)}}.dump() << "\n";
  return 0;
}

// Writes the playbook an executor would write for a stored job (tasks.job),
// so bench/run can time the same ansible-playbook run by hand. Prints the
// command line and the environment as JSON.
int Playbook(const Flags& f) {
  std::ifstream in(f.Get("job"));
  std::stringstream text;
  text << in.rdbuf();
  auto job = Job::FromStoredJson(text.str(), protocol::ParseJobId(f.Get("task")));
  if (!job.ok()) Die("job: " + job.status().message());
  auto run = executor::WritePlaybook(*job, f.Get("dir"), f.Get("roles"), "ansible-playbook");
  if (!run.ok()) Die("write playbook: " + run.status().message());
  json env = json::object();
  for (const auto& [k, v] : run->env) env[k] = v;
  std::cout << json{{"argv", json(run->argv)}, {"env", env}}.dump() << "\n";
  return 0;
}

}  // namespace
}  // namespace aegir::bench

int main(int argc, char** argv) {
  using namespace aegir;
  using namespace aegir::bench;
  Flags f;
  f.Define("submit", "", "the scheduler's submit endpoint");
  f.Define("stamps", "", "the unix datagram socket aegir-bench-command reports to");
  f.Define("operation", "site-verify", "the operation each job runs");
  f.Define("count", "1000", "how many jobs");
  f.Define("warmup", "50", "jobs first run and not counted (latency, spawn)");
  f.Define("gap-ms", "20", "pause between two jobs (latency, spawn)");
  f.Define("first", "1", "the first bench site's number");
  f.Define("clients", "32", "concurrent submitters (submit)");
  f.Define("expect", "1000", "jobs to wait for (drain)");
  f.Define("url", "", "the panel's base URL (logs)");
  f.Define("cookie", "", "the session cookie, name=value (logs)");
  f.Define("lines", "100000", "lines the job prints (logs)");
  f.Define("runs", "5", "how many times (real)");
  f.Define("job", "", "a stored job document, tasks.job (playbook)");
  f.Define("task", "0", "the task the job document is of (playbook)");
  f.Define("dir", "", "where to write the playbook (playbook)");
  f.Define("roles", "", "the roles directory (playbook)");
  f.Define("command", "", "the command to start (spawn)");
  f.Define("work-dir", "", "where its directories are made (spawn)");
  const char* usage = "aegir-bench latency|spawn|submit|drain|logs|real|playbook";
  if (argc < 2) {
    std::cerr << f.Usage(usage);
    return 2;
  }
  if (Status s = f.Parse(argc, argv, 2); !s.ok()) {
    std::cerr << "aegir-bench: " << s.message() << "\n" << f.Usage(usage);
    return 2;
  }
  std::string cmd = argv[1];
  try {
    if (cmd == "latency") return Latency(f);
    if (cmd == "spawn") return Spawn(f);
    if (cmd == "submit") return Submit(f);
    if (cmd == "drain") return Drain(f);
    if (cmd == "logs") return Logs(f);
    if (cmd == "real") return Real(f);
    if (cmd == "playbook") return Playbook(f);
  } catch (const std::exception& e) {
    Die(e.what());
  }
  std::cerr << f.Usage(usage);
  return 2;
}
