// Tests for executors/executor.h: the real Executor, driven through a ROUTER
// socket that plays the scheduler, runs the real /usr/bin/ansible-playbook on
// roles made in a temporary directory and reports to FeedbackRecorder, a tiny
// HTTP server standing in for aegir-web's feedback API.
#define BOOST_TEST_MODULE executor
#include "executors/executor.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "common/job.h"
#include "common/protocol.h"
#include "common/temp_dir.h"

namespace {

namespace protocol = aegir::protocol;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Frames = std::vector<std::string>;

const std::string kToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kHostile = "{{ lookup('pipe','id') }}";

// Stands in for aegir-web's feedback API (docs/feedback-api.md): a plain
// HTTP/1.1 server on 127.0.0.1 at a port chosen by the kernel. It records
// every request and answers {"ok": true} with 200, or a chosen error status
// for the next few requests to a path suffix.
class FeedbackRecorder {
 public:
  struct Post {
    std::string method;
    std::string path;
    std::string authorization;
    std::string content_type;
    std::string raw_body;
    int answered = 0;
    json body() const { return json::parse(raw_body, nullptr, false); }
  };

  FeedbackRecorder() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    BOOST_REQUIRE(listen_fd_ >= 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    BOOST_REQUIRE(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    BOOST_REQUIRE(listen(listen_fd_, 16) == 0);
    socklen_t len = sizeof addr;
    BOOST_REQUIRE(getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FeedbackRecorder() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
  }

  std::string Url(int64_t job_id) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/api/tasks/" + std::to_string(job_id);
  }
  std::vector<Post> Posts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return posts_;
  }
  // The next `count` requests whose path ends with suffix get `status`.
  void FailNext(const std::string& suffix, int count, int status) {
    std::lock_guard<std::mutex> lock(mu_);
    failures_[suffix] = {count, status};
  }

 private:
  struct Conn {
    int fd;
    std::string buf;
  };

  void Serve() {
    std::vector<Conn> conns;
    while (!stop_) {
      std::vector<pollfd> fds = {{listen_fd_, POLLIN, 0}};
      for (const auto& c : conns) fds.push_back({c.fd, POLLIN, 0});
      poll(fds.data(), fds.size(), 50);
      if (fds[0].revents & POLLIN) {
        int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) conns.push_back({fd, ""});
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        Conn& c = conns[i - 1];
        char buf[65536];
        ssize_t n = read(c.fd, buf, sizeof buf);
        if (n <= 0) {
          close(c.fd);
          c.fd = -1;
          continue;
        }
        c.buf.append(buf, static_cast<size_t>(n));
        while (HandleOne(c)) {
        }
      }
      conns.erase(
          std::remove_if(conns.begin(), conns.end(), [](const Conn& c) { return c.fd < 0; }),
          conns.end());
    }
    for (auto& c : conns) close(c.fd);
  }

  static std::string Lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }

  // Parses and answers one complete request from c.buf, if there is one.
  bool HandleOne(Conn& c) {
    size_t end = c.buf.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    std::string head = c.buf.substr(0, end);
    Post post;
    size_t content_length = 0;
    size_t pos = 0;
    bool first = true;
    while (pos <= head.size()) {
      size_t eol = head.find("\r\n", pos);
      if (eol == std::string::npos) eol = head.size();
      std::string line = head.substr(pos, eol - pos);
      pos = eol + 2;
      if (first) {
        first = false;
        size_t sp1 = line.find(' ');
        size_t sp2 = line.find(' ', sp1 + 1);
        post.method = line.substr(0, sp1);
        post.path = line.substr(sp1 + 1, sp2 - sp1 - 1);
        continue;
      }
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = Lower(line.substr(0, colon));
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      if (name == "content-length") content_length = std::stoul(value);
      if (name == "authorization") post.authorization = value;
      if (name == "content-type") post.content_type = value;
    }
    if (c.buf.size() < end + 4 + content_length) return false;
    post.raw_body = c.buf.substr(end + 4, content_length);
    c.buf.erase(0, end + 4 + content_length);

    int status = 200;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [suffix, failure] : failures_) {
        bool match =
            post.path.size() >= suffix.size() &&
            post.path.compare(post.path.size() - suffix.size(), suffix.size(), suffix) == 0;
        if (match && failure.first > 0) {
          --failure.first;
          status = failure.second;
        }
      }
      post.answered = status;
      posts_.push_back(post);
    }
    std::string body = status == 200 ? R"({"ok": true})" : R"({"error": "try again"})";
    std::string reply =
        "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Error") +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    size_t done = 0;
    while (done < reply.size()) {
      ssize_t n = write(c.fd, reply.data() + done, reply.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Post> posts_;
  std::map<std::string, std::pair<int, int>> failures_;
};

void WriteFile(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// The scheduler's side: a ROUTER socket the test drives, an Executor running
// in a thread, roles and a work directory in a temporary directory.
struct ExecutorFixture {
  ExecutorFixture() {
    auto d = aegir::TempDir::Create(std::filesystem::temp_directory_path(), "executor-test-");
    BOOST_REQUIRE(d.ok());
    root.emplace(std::move(d).value());
    roles = root->path() / "roles";
    work = root->path() / "work";
    endpoint = "ipc://" + (root->path() / "executor.ipc").string();
    WriteFile(roles / "hello" / "tasks" / "main.yml", R"(
- name: say hello
  ansible.builtin.debug:
    msg: "hello from job {{ aegir_job_id }} value=[{{ hostile }}]"
- name: look at the job directory and the environment
  ansible.builtin.shell: "cat vars.json inventory.json playbook.json; env"
  args:
    chdir: "{{ playbook_dir }}"
  register: snoop
  changed_when: false
- name: show them
  ansible.builtin.debug:
    var: snoop.stdout_lines
)");
    WriteFile(roles / "uses_secret" / "tasks" / "main.yml", R"(
- name: use the secret (written where the test looks)
  ansible.builtin.copy:
    content: "{{ demo_password_secret }}"
    dest: "{{ out_file }}"
    mode: "0600"
- name: a careless role prints it
  ansible.builtin.debug:
    msg: "the password is {{ demo_password_secret }}!"
)");
    WriteFile(roles / "boom" / "tasks" / "main.yml", R"(
- name: fail on purpose
  ansible.builtin.fail:
    msg: "deliberate failure"
)");
    WriteFile(roles / "slow" / "tasks" / "main.yml", R"(
- name: take a while
  ansible.builtin.command: sleep {{ sleep_s }}
)");
    router.set(zmq::sockopt::linger, 0);
    router.set(zmq::sockopt::router_handover, 1);
    router.bind(endpoint);
  }
  ~ExecutorFixture() { StopExecutor(); }

  void StartExecutor(std::function<void(aegir::executor::ExecutorOptions&)> tweak = nullptr) {
    aegir::executor::ExecutorOptions options;
    options.scheduler_endpoint = endpoint;
    options.roles_dir = roles;
    options.work_dir = work;
    options.capacity = 2;
    options.ansible_playbook = "/usr/bin/ansible-playbook";
    options.kill_grace = milliseconds(2000);
    options.identity = "test-executor";
    if (tweak) tweak(options);
    auto e = aegir::executor::Executor::Create(context, options);
    BOOST_REQUIRE_MESSAGE(e.ok(), e.status().ToString());
    executor = std::move(e).value();
    thread = std::thread([this] { run_status = executor->Run(stop); });
    auto ready = Recv(seconds(5));
    BOOST_REQUIRE(ready.has_value());
    BOOST_REQUIRE((*ready)[2] == protocol::kReady);
    ready_body = json::parse((*ready)[3]);
  }
  void StopExecutor() {
    if (!thread.joinable()) return;
    stop = true;
    thread.join();
    BOOST_TEST(run_status.ok());
    executor.reset();
  }

  // The next message from the executor that is not a HEARTBEAT (answered).
  std::optional<Frames> Recv(milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      zmq::pollitem_t item = {router.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::min(left, milliseconds(500)));
      std::vector<zmq::message_t> msgs;
      if (!(item.revents & ZMQ_POLLIN) ||
          !zmq::recv_multipart(router, std::back_inserter(msgs), zmq::recv_flags::dontwait)) {
        continue;
      }
      Frames f;
      for (auto& m : msgs) f.push_back(m.to_string());
      if (f.size() < 3) continue;
      identity = f[0];
      if (f[2] == protocol::kHeartbeat) {
        if (answer_heartbeats)
          Send({std::string(protocol::kVersion), std::string(protocol::kHeartbeat)});
        continue;
      }
      return f;
    }
  }
  void Send(const Frames& frames) {
    router.send(zmq::buffer(identity), zmq::send_flags::sndmore);
    for (size_t i = 0; i < frames.size(); ++i) {
      router.send(zmq::buffer(frames[i]),
                  i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  }
  void SendJob(const aegir::Job& job) {
    Send({std::string(protocol::kVersion), std::string(protocol::kJob), job.ToJson()});
  }
  // Waits for DONE (ansible takes a second or two); returns its body.
  json WaitDone(milliseconds timeout = milliseconds(60000)) {
    auto m = Recv(timeout);
    BOOST_REQUIRE_MESSAGE(m.has_value(), "no DONE from the executor");
    BOOST_REQUIRE_EQUAL((*m)[2], std::string(protocol::kDone));
    return json::parse((*m)[3]);
  }

  aegir::Job MakeJob(int64_t id, std::vector<std::string> job_roles) {
    aegir::Job job;
    job.job_id = id;
    job.operation = "server-verify";
    job.entity = "server:" + std::to_string(id);
    job.target = {"web1", "localhost", "local"};
    job.roles = std::move(job_roles);
    job.vars = {{"hostile", kHostile}, {"sleep_s", 30}};
    job.feedback_url = recorder.Url(id);
    job.feedback_token = kToken;
    job.timeout_s = 120;
    return job;
  }

  std::vector<FeedbackRecorder::Post> PostsFor(int64_t id) {
    std::vector<FeedbackRecorder::Post> out;
    std::string prefix = "/api/tasks/" + std::to_string(id) + "/";
    for (auto& p : recorder.Posts()) {
      if (p.path.rfind(prefix, 0) == 0) out.push_back(p);
    }
    return out;
  }
  static std::string Kind(const FeedbackRecorder::Post& p) {
    return p.path.substr(p.path.rfind('/') + 1);
  }

  // The log lines from successful /log posts, checking numbering: every
  // accepted post starts where the previous one ended, from 1.
  std::vector<std::string> CheckedLog(const std::vector<FeedbackRecorder::Post>& posts) {
    std::vector<std::string> lines;
    int64_t next = 1;
    for (const auto& p : posts) {
      if (Kind(p) != "log" || p.answered != 200) continue;
      json b = p.body();
      BOOST_REQUIRE(b.is_object());
      BOOST_TEST(b["first_seq"].get<int64_t>() == next);
      for (const auto& l : b["lines"]) lines.push_back(l.get<std::string>());
      next += static_cast<int64_t>(b["lines"].size());
    }
    return lines;
  }

  bool WorkDirEmpty() { return std::filesystem::is_empty(work); }

  std::optional<aegir::TempDir> root;
  std::filesystem::path roles, work;
  std::string endpoint;
  zmq::context_t context;
  zmq::socket_t router{context, zmq::socket_type::router};
  std::string identity;
  bool answer_heartbeats = true;
  FeedbackRecorder recorder;
  std::unique_ptr<aegir::executor::Executor> executor;
  std::atomic<bool> stop{false};
  aegir::Status run_status;
  std::thread thread;
  json ready_body;
};

bool Contains(const std::vector<std::string>& lines, const std::string& needle) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(successful_job_reports_start_log_finish_in_order, ExecutorFixture) {
  StartExecutor();
  BOOST_TEST(identity == "test-executor");
  BOOST_TEST(ready_body["capacity"] == 2);
  BOOST_TEST(ready_body["running"].empty());

  SendJob(MakeJob(1, {"hello"}));
  json done = WaitDone();
  BOOST_TEST(done["job_id"] == 1);
  BOOST_TEST(done["state"] == "succeeded");
  BOOST_TEST(done["exit_code"] == 0);

  auto posts = PostsFor(1);
  BOOST_REQUIRE(posts.size() >= 3u);
  BOOST_TEST(Kind(posts.front()) == "start");
  BOOST_TEST(Kind(posts.back()) == "finish");
  for (size_t i = 1; i + 1 < posts.size(); ++i) BOOST_TEST(Kind(posts[i]) == "log");
  for (const auto& p : posts) {
    BOOST_TEST(p.method == "POST");
    BOOST_TEST(p.authorization == "Bearer " + kToken);
    BOOST_TEST(p.content_type == "application/json");
    BOOST_TEST(p.answered == 200);
  }
  json finish = posts.back().body();
  BOOST_TEST(finish["state"] == "succeeded");
  BOOST_TEST(finish["exit_code"] == 0);

  auto lines = CheckedLog(posts);
  BOOST_TEST(Contains(lines, "PLAY [server-verify #1]"));
  BOOST_TEST(Contains(lines, "PLAY RECAP"));
  BOOST_TEST(Contains(lines, "hello from job 1"));
  // The hostile value is data, shown as it is, never evaluated.
  BOOST_TEST(Contains(lines, "value=[" + kHostile + "]"));
  BOOST_TEST(!Contains(lines, "uid="));
  // The job saw its files and environment (the snoop task worked) but never the token.
  BOOST_TEST(Contains(lines, "aegir_feedback_url"));
  BOOST_TEST(Contains(lines, "ANSIBLE_NOCOLOR=1"));
  // Roles get the token in their environment; what they print is masked.
  BOOST_TEST(Contains(lines, "AEGIR_FEEDBACK_TOKEN=********"));
  BOOST_TEST(!Contains(lines, kToken));
  BOOST_TEST(WorkDirEmpty());
}

BOOST_FIXTURE_TEST_CASE(failing_role_reports_the_fatal_line, ExecutorFixture) {
  StartExecutor();
  SendJob(MakeJob(2, {"boom"}));
  json done = WaitDone();
  BOOST_TEST(done["state"] == "failed");
  BOOST_TEST(done["exit_code"] == 2);
  auto posts = PostsFor(2);
  BOOST_REQUIRE(!posts.empty());
  BOOST_TEST(Kind(posts.front()) == "start");
  BOOST_TEST(Kind(posts.back()) == "finish");
  json finish = posts.back().body();
  BOOST_TEST(finish["state"] == "failed");
  BOOST_TEST(finish["exit_code"] == 2);
  std::string reason = finish["reason"];
  BOOST_TEST(reason.rfind("ansible-playbook exited with code 2: fatal: [web1]: FAILED!", 0) == 0,
             reason);
  BOOST_TEST(reason.find("deliberate failure") != std::string::npos, reason);
  // Said in words: the result's message, not Ansible's JSON.
  BOOST_TEST(reason.find("\"changed\"") == std::string::npos, reason);
  auto lines = CheckedLog(posts);
  BOOST_TEST(Contains(lines, "PLAY RECAP"));
  BOOST_TEST(WorkDirEmpty());
}

BOOST_FIXTURE_TEST_CASE(unknown_role_fails_without_running, ExecutorFixture) {
  StartExecutor();
  SendJob(MakeJob(3, {"hello", "not_installed"}));
  json done = WaitDone(milliseconds(10000));
  BOOST_TEST(done["state"] == "failed");
  auto posts = PostsFor(3);
  BOOST_REQUIRE(posts.size() == 1u);  // no start, no log: nothing ran
  BOOST_TEST(Kind(posts[0]) == "finish");
  json finish = posts[0].body();
  BOOST_TEST(finish["state"] == "failed");
  std::string reason = finish["reason"];
  BOOST_TEST(reason.find("unknown role 'not_installed'") != std::string::npos, reason);
  BOOST_TEST(WorkDirEmpty());
}

BOOST_FIXTURE_TEST_CASE(missing_program_fails_the_job, ExecutorFixture) {
  StartExecutor([](auto& o) { o.ansible_playbook = "/nonexistent/ansible-playbook"; });
  SendJob(MakeJob(4, {"hello"}));
  json done = WaitDone(milliseconds(10000));
  BOOST_TEST(done["state"] == "failed");
  auto posts = PostsFor(4);
  BOOST_REQUIRE(posts.size() == 1u);  // nothing started: the finish only
  BOOST_TEST(Kind(posts[0]) == "finish");
  std::string reason = posts[0].body()["reason"];
  BOOST_TEST(reason.find("could not start ansible-playbook") != std::string::npos, reason);
  BOOST_TEST(reason.find("/nonexistent/ansible-playbook") != std::string::npos, reason);
  BOOST_TEST(WorkDirEmpty());
}

BOOST_FIXTURE_TEST_CASE(timeout_terminates_the_job, ExecutorFixture) {
  StartExecutor();
  aegir::Job job = MakeJob(5, {"slow"});
  job.timeout_s = 2;
  SendJob(job);
  json done = WaitDone();
  BOOST_TEST(done["state"] == "failed");
  BOOST_TEST(done["reason"] == "timed out after 2 s");
  auto posts = PostsFor(5);
  BOOST_REQUIRE(!posts.empty());
  std::string reason = posts.back().body()["reason"];
  BOOST_TEST(reason == "timed out after 2 s");
  BOOST_TEST(WorkDirEmpty());
}

BOOST_FIXTURE_TEST_CASE(failed_log_post_is_retried_with_the_same_numbers, ExecutorFixture) {
  recorder.FailNext("/log", 2, 503);
  StartExecutor();
  SendJob(MakeJob(6, {"hello"}));
  json done = WaitDone();
  BOOST_TEST(done["state"] == "succeeded");
  auto posts = PostsFor(6);
  std::vector<FeedbackRecorder::Post> logs;
  for (const auto& p : posts) {
    if (Kind(p) == "log") logs.push_back(p);
  }
  BOOST_REQUIRE(logs.size() >= 3u);
  BOOST_TEST(logs[0].answered == 503);
  BOOST_TEST(logs[1].answered == 503);
  BOOST_TEST(logs[2].answered == 200);
  // The retries carry the same batch under the same numbers.
  BOOST_TEST(logs[0].body()["first_seq"] == 1);
  BOOST_TEST(logs[1].raw_body == logs[0].raw_body);
  BOOST_TEST(logs[2].body()["first_seq"] == 1);
  BOOST_TEST(logs[2].body()["lines"][0] == logs[0].body()["lines"][0]);
  auto lines = CheckedLog(posts);  // contiguous, no line twice
  BOOST_TEST(Contains(lines, "PLAY RECAP"));
}

BOOST_FIXTURE_TEST_CASE(a_job_printing_faster_than_the_posts_loses_no_line, ExecutorFixture) {
  // In place of ansible-playbook: 60,000 lines at once, far more than the
  // executor keeps waiting (10,000) and more than one read takes.
  auto printer = root->path() / "print-lines";
  {
    std::ofstream out(printer);
    out << "#!/bin/sh\nexec seq 1 60000\n";
  }
  std::filesystem::permissions(printer, std::filesystem::perms::owner_all);
  StartExecutor([&](auto& o) { o.ansible_playbook = printer.string(); });
  SendJob(MakeJob(24, {"hello"}));
  json done = WaitDone();
  BOOST_TEST(done["state"] == "succeeded");
  auto lines = CheckedLog(PostsFor(24));  // contiguous numbers, each line once
  BOOST_REQUIRE_EQUAL(lines.size(), 60000u);
  for (size_t i = 0; i < lines.size(); i += 997) BOOST_TEST(lines[i] == std::to_string(i + 1));
  BOOST_TEST(lines.back() == "60000");
}

BOOST_FIXTURE_TEST_CASE(rejects_jobs_beyond_capacity, ExecutorFixture) {
  StartExecutor([](auto& o) { o.capacity = 1; });
  aegir::Job slow = MakeJob(7, {"slow"});
  slow.vars["sleep_s"] = 2;
  SendJob(slow);
  SendJob(MakeJob(8, {"hello"}));
  json first = WaitDone();
  BOOST_TEST(first["job_id"] == 8);
  BOOST_TEST(first["state"] == "rejected");
  BOOST_TEST(PostsFor(8).empty());  // nothing reported for a job not taken
  json second = WaitDone();
  BOOST_TEST(second["job_id"] == 7);
  BOOST_TEST(second["state"] == "succeeded");
}

BOOST_FIXTURE_TEST_CASE(invalid_job_is_refused, ExecutorFixture) {
  StartExecutor();
  json bad = json::parse(MakeJob(9, {"hello"}).ToJson());
  bad["roles"] = {"../../etc"};
  Send({std::string(protocol::kVersion), std::string(protocol::kJob), bad.dump()});
  json done = WaitDone(milliseconds(5000));
  BOOST_TEST(done["job_id"] == 9);
  BOOST_TEST(done["state"] == "failed");
  BOOST_TEST(PostsFor(9).empty());
}

BOOST_FIXTURE_TEST_CASE(stop_drains_running_jobs, ExecutorFixture) {
  StartExecutor();
  aegir::Job job = MakeJob(10, {"slow"});
  job.vars["sleep_s"] = 2;
  SendJob(job);
  // Wait until it has started.
  for (int i = 0; i < 100 && PostsFor(10).empty(); ++i)
    std::this_thread::sleep_for(milliseconds(50));
  stop = true;
  auto ready = Recv(seconds(5));
  BOOST_REQUIRE(ready.has_value());
  BOOST_TEST((*ready)[2] == protocol::kReady);
  json body = json::parse((*ready)[3]);
  BOOST_TEST(body["capacity"] == 0);  // no more jobs
  BOOST_TEST(body["running"] == json::array({10}));
  json done = WaitDone();
  BOOST_TEST(done["state"] == "succeeded");  // allowed to finish
  auto bye = Recv(seconds(5));
  BOOST_REQUIRE(bye.has_value());
  BOOST_TEST((*bye)[2] == protocol::kDisconnect);
  thread.join();
  BOOST_TEST(run_status.ok());
}

// Stopping announces capacity 0 on the same connection: the DONEs the
// scheduler took are not sent again (each was logged as one for a job the
// executor does not run).
BOOST_FIXTURE_TEST_CASE(stopping_sends_no_done_again, ExecutorFixture) {
  StartExecutor();
  for (int64_t id : {21, 22}) {
    SendJob(MakeJob(id, {"hello"}));
    json done = WaitDone();
    BOOST_TEST(done["job_id"] == id);
  }
  stop = true;
  auto ready = Recv(seconds(5));
  BOOST_REQUIRE(ready.has_value());
  BOOST_TEST((*ready)[2] == protocol::kReady);
  BOOST_TEST(json::parse((*ready)[3])["capacity"] == 0);
  auto bye = Recv(seconds(5));
  BOOST_REQUIRE(bye.has_value());
  BOOST_TEST((*bye)[2] == protocol::kDisconnect);  // not a DONE of job 21 or 22
  thread.join();
  BOOST_TEST(run_status.ok());
}

BOOST_FIXTURE_TEST_CASE(reconnects_when_the_scheduler_is_silent, ExecutorFixture) {
  answer_heartbeats = false;
  StartExecutor();
  auto start = std::chrono::steady_clock::now();
  // After kHeartbeatLiveness silent intervals it registers again.
  auto again = Recv(seconds(8));
  BOOST_REQUIRE(again.has_value());
  BOOST_TEST((*again)[2] == protocol::kReady);
  BOOST_TEST((std::chrono::steady_clock::now() - start >=
              protocol::kHeartbeatInterval * (protocol::kHeartbeatLiveness - 1)));
  BOOST_TEST(identity == "test-executor");  // same identity: the scheduler keeps its jobs
}

BOOST_FIXTURE_TEST_CASE(the_recap_goes_with_the_finish, ExecutorFixture) {
  StartExecutor();
  SendJob(MakeJob(20, {"hello"}));
  BOOST_TEST(WaitDone()["state"] == "succeeded");
  auto posts = PostsFor(20);
  BOOST_REQUIRE(!posts.empty());
  BOOST_REQUIRE_EQUAL(Kind(posts.back()), "finish");
  json recap = posts.back().body()["recap"];
  BOOST_REQUIRE_MESSAGE(recap.contains("web1"), recap.dump());
  BOOST_TEST(recap["web1"]["ok"].get<int>() >= 3);
  BOOST_TEST(recap["web1"]["failed"] == 0);
  BOOST_TEST(recap["web1"]["unreachable"] == 0);
}

BOOST_AUTO_TEST_CASE(recap_lines_are_parsed_and_nothing_else) {
  auto host = aegir::executor::ParseRecapLine(
      "web-1.example.org          : ok=12   changed=3    unreachable=0    failed=1    skipped=2    rescued=0    "
      "ignored=4   ");
  BOOST_REQUIRE(host.has_value());
  BOOST_TEST(host->first == "web-1.example.org");
  BOOST_TEST(host->second["ok"] == 12);
  BOOST_TEST(host->second["changed"] == 3);
  BOOST_TEST(host->second["failed"] == 1);
  BOOST_TEST(host->second["ignored"] == 4);
  for (const char* line : {"", "PLAY RECAP *****", "web1 : ok=1 changed=0", "web1 : ok=x changed=0 unreachable=0 "
                           "failed=0 skipped=0 rescued=0 ignored=0", "TASK [x] : ok=1"}) {
    BOOST_TEST(!aegir::executor::ParseRecapLine(line).has_value(), line);
  }
}

BOOST_FIXTURE_TEST_CASE(cancel_stops_the_run_and_it_ends_cancelled, ExecutorFixture) {
  StartExecutor();
  SendJob(MakeJob(21, {"slow"}));  // sleeps 30 s
  for (int i = 0; i < 200 && PostsFor(21).size() < 2; ++i) std::this_thread::sleep_for(milliseconds(50));
  Send({std::string(protocol::kVersion), std::string(protocol::kCancel), "21"});
  json done = WaitDone();
  BOOST_TEST(done["job_id"] == 21);
  BOOST_TEST(done["state"] == "cancelled");
  auto posts = PostsFor(21);
  BOOST_REQUIRE(!posts.empty());
  BOOST_TEST(Kind(posts.back()) == "finish");
  BOOST_TEST(posts.back().body()["state"] == "cancelled");
  BOOST_TEST(WorkDirEmpty());
}

// The scheduler's claim stored the task as running: the process starts
// without waiting for aegir-web, and its log reaches aegir-web once that
// answers again.
BOOST_FIXTURE_TEST_CASE(a_job_runs_while_aegir_web_does_not_answer_its_start, ExecutorFixture) {
  recorder.FailNext("/start", 3, 503);  // every attempt of the one start post
  StartExecutor();
  SendJob(MakeJob(22, {"hello"}));
  json done = WaitDone();
  BOOST_TEST(done["state"] == "succeeded", done.dump());
  auto posts = PostsFor(22);
  BOOST_REQUIRE(!posts.empty());
  BOOST_TEST(Kind(posts.front()) == "start");
  BOOST_TEST(posts.front().answered == 503);
  BOOST_TEST(Kind(posts.back()) == "finish");
  BOOST_TEST(posts.back().answered == 200);
  auto lines = CheckedLog(posts);
  BOOST_TEST(Contains(lines, "PLAY RECAP"));
  BOOST_TEST(WorkDirEmpty());
}

BOOST_FIXTURE_TEST_CASE(a_job_whose_task_ended_before_its_start_is_stopped, ExecutorFixture) {
  recorder.FailNext("/start", 1, 409);
  StartExecutor();
  SendJob(MakeJob(26, {"slow"}));  // sleeps 30 s unless stopped
  json done = WaitDone();
  BOOST_TEST(done["state"] == "failed");
  BOOST_TEST(done["reason"].get<std::string>().find("ended elsewhere") != std::string::npos, done.dump());
  BOOST_TEST(WorkDirEmpty());
}

// A token aegir-web refuses: nothing of the run could be stored, so it stops
// and nothing more is posted.
BOOST_FIXTURE_TEST_CASE(a_job_whose_start_is_refused_is_stopped, ExecutorFixture) {
  recorder.FailNext("/start", 1, 401);
  StartExecutor();
  SendJob(MakeJob(27, {"slow"}));
  json done = WaitDone();
  BOOST_TEST(done["state"] == "failed");
  BOOST_TEST(done["reason"].get<std::string>().find("refused the job's start") != std::string::npos, done.dump());
  auto posts = PostsFor(27);
  BOOST_REQUIRE(posts.size() == 1u);
  BOOST_TEST(Kind(posts[0]) == "start");
  BOOST_TEST(WorkDirEmpty());
}

BOOST_FIXTURE_TEST_CASE(a_job_whose_task_ended_elsewhere_is_stopped, ExecutorFixture) {
  recorder.FailNext("/log", 1000, 409);
  StartExecutor();
  SendJob(MakeJob(23, {"slow"}));  // sleeps 30 s unless stopped
  json done = WaitDone();
  BOOST_TEST(done["state"] == "failed");
  BOOST_TEST(done["reason"].get<std::string>().find("ended elsewhere") != std::string::npos, done.dump());
  BOOST_TEST(WorkDirEmpty());
}

BOOST_FIXTURE_TEST_CASE(a_job_without_a_token_is_refused, ExecutorFixture) {
  StartExecutor();
  aegir::Job job = MakeJob(24, {"hello"});
  job.feedback_token.clear();
  SendJob(job);
  json done = WaitDone(milliseconds(5000));
  BOOST_TEST(done["state"] == "failed");
  BOOST_TEST(done["reason"].get<std::string>().find("no feedback token") != std::string::npos);
  BOOST_TEST(PostsFor(24).empty());
}

BOOST_FIXTURE_TEST_CASE(the_end_is_posted_again_until_aegir_web_takes_it, ExecutorFixture) {
  recorder.FailNext("/finish", 5, 503);
  StartExecutor();
  SendJob(MakeJob(25, {"hello"}));
  json done = WaitDone();
  BOOST_TEST(done["state"] == "succeeded");
  int refused = 0, taken = 0;
  for (const auto& p : PostsFor(25)) {
    if (Kind(p) != "finish") continue;
    (p.answered == 200 ? taken : refused)++;
  }
  BOOST_TEST(refused == 5);
  BOOST_TEST(taken == 1);
  CheckedLog(PostsFor(25));
}

// A job names a secret; the executor reads it from its store just before the
// run, the role gets the value, and whatever prints it shows "********".
BOOST_FIXTURE_TEST_CASE(a_secret_from_the_store_reaches_the_role_and_never_the_log, ExecutorFixture) {
  const std::filesystem::path secrets = root->path() / "secrets";
  std::filesystem::create_directories(secrets);
  const std::string value = "s3cr3t-Value-with {{ braces }}";
  WriteFile(secrets / "db-password", value + "\n");
  std::filesystem::permissions(secrets / "db-password", std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::owner_write);
  WriteFile(secrets / "too-open", value);
  std::filesystem::permissions(secrets / "too-open", std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::group_read);
  WriteFile(secrets / "short", "abc");
  std::filesystem::permissions(secrets / "short", std::filesystem::perms::owner_read);
  std::filesystem::create_symlink(secrets / "db-password", secrets / "link");
  StartExecutor([&](aegir::executor::ExecutorOptions& o) { o.secrets_dir = secrets; });

  const std::string out_file = (root->path() / "used.txt").string();
  aegir::Job job = MakeJob(71, {"uses_secret"});
  job.vars = {{"demo_password_secret", "db-password"}, {"out_file", out_file}};
  SendJob(job);
  json done = WaitDone();
  BOOST_TEST(done["state"] == "succeeded");
  std::ifstream used(out_file);
  std::string got((std::istreambuf_iterator<char>(used)), {});
  BOOST_TEST(got == value);  // the role had the value, as data (braces and all)
  auto lines = CheckedLog(PostsFor(71));
  BOOST_TEST(Contains(lines, "the password is ********!"));
  BOOST_TEST(!Contains(lines, "s3cr3t"));
  for (const auto& p : PostsFor(71)) BOOST_TEST(p.raw_body.find("s3cr3t") == std::string::npos);
  BOOST_TEST(WorkDirEmpty());  // the variables file with the value is gone

  // Refused before anything runs, with the reason: a missing secret, one
  // others may read, one too short to mask, a link, a name with a path in it.
  const std::pair<std::string, std::string> refused[] = {
      {"missing", "is not in the executor's secret store"},
      {"too-open", "readable by it alone"},
      {"short", "shorter than 8 bytes"},
      {"link", "open the secret 'link'"},
      {"../secrets/db-password", "must name a secret"}};
  int64_t id = 72;
  for (const auto& [name, reason] : refused) {
    aegir::Job bad = MakeJob(id, {"uses_secret"});
    bad.vars = {{"demo_password_secret", name}, {"out_file", out_file + std::to_string(id)}};
    SendJob(bad);
    json d = WaitDone();
    BOOST_TEST(d["job_id"] == id);
    BOOST_TEST(d["state"] == "failed", name);
    BOOST_TEST(d["reason"].get<std::string>().find(reason) != std::string::npos, name << ": " << d["reason"]);
    BOOST_TEST(!std::filesystem::exists(out_file + std::to_string(id)), name);
    ++id;
  }
}

BOOST_FIXTURE_TEST_CASE(a_job_naming_a_secret_fails_without_a_store, ExecutorFixture) {
  StartExecutor();
  aegir::Job job = MakeJob(80, {"uses_secret"});
  job.vars = {{"demo_password_secret", "db-password"}, {"out_file", (root->path() / "x").string()}};
  SendJob(job);
  json done = WaitDone();
  BOOST_TEST(done["state"] == "failed");
  BOOST_TEST(done["reason"].get<std::string>().find("no secret store") != std::string::npos);
}
