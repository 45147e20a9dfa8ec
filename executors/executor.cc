#include "executors/executor.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <thread>
#include <zmq_addon.hpp>

#include "common/log.h"
#include "common/protocol.h"
#include "common/text.h"
#include "executors/playbook_writer.h"
#include "executors/secrets.h"

namespace aegir::executor {
namespace {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr int kPostAttempts = 3;
constexpr milliseconds kPostRetryDelay{100};  // doubled after each failed attempt
// Lines read and not yet posted. While aegir-web takes the posts, the
// executor stops reading at this many (the job then waits on its output: no
// line is lost, however fast it prints); while the posts fail, the oldest
// lines beyond it are dropped instead (the job goes on).
constexpr size_t kMaxPendingLines = 10000;
constexpr size_t kReadChunkBytes = 256 * 1024;  // read at most this much per turn
constexpr size_t kMaxReasonBytes = 2000;
constexpr size_t kMaxErrorLineBytes = 1000;
constexpr auto kResendDoneWindow = std::chrono::seconds(30);
constexpr size_t kMaxRecentDone = 256;
constexpr milliseconds kJobPollInterval{100};  // reap check while jobs run
// A job's end is posted to aegir-web for this long (aegir-web may be
// restarting) before the executor gives up and tells only the scheduler,
// which stores the end itself; the lines not posted by then are lost.
constexpr auto kFinishRetryWindow = std::chrono::seconds(60);
constexpr milliseconds kFinishRetryInterval{500};

std::string ToString(const zmq::message_t& m) { return std::string(m.data<char>(), m.size()); }

// Output may hold bytes that are not UTF-8: replace them rather than fail.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string DefaultIdentity() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
    std::snprintf(host, sizeof host, "executor");
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%04x", static_cast<unsigned>(rd() & 0xffff));
  return std::string(host).substr(0, 200) + "-" + std::to_string(getpid()) + "-" + suffix;
}

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

std::string Truncate(std::string s, size_t max) {
  if (s.size() > max) {
    s.resize(max);
    s += "...";
  }
  return s;
}

// "fatal: [web1]: FAILED! => {...json...}" said in words: the result's msg,
// and for a failed command the first line it printed on stderr. The whole
// result stays in the log; the task's reason is read by people.
std::string ReadableError(const std::string& line) {
  const std::string arrow = " => ";
  size_t at = line.find(arrow);
  if (!StartsWith(line, "fatal:") || at == std::string::npos) return line;
  json result = json::parse(line.substr(at + arrow.size()), nullptr, false);
  if (!result.is_object() || !result.contains("msg") || !result["msg"].is_string()) return line;
  std::string words = line.substr(0, at) + " " + result["msg"].get<std::string>();
  if (result.contains("stderr") && result["stderr"].is_string()) {
    std::string err = result["stderr"].get<std::string>();
    err = err.substr(0, err.find('\n'));
    if (!err.empty()) words += ": " + err;
  }
  return words;
}

// Best effort: the job id of a JOB body that failed validation, so DONE can
// name it. 0 when there is none.
int64_t LooseJobId(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("job_id") && j["job_id"].is_number_integer()) {
    return j["job_id"].get<int64_t>();
  }
  return 0;
}

}  // namespace

std::optional<std::pair<std::string, json>> ParseRecapLine(const std::string& line) {
  // "web1   : ok=2    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0"
  // The host is printable ASCII, as every inventory name the executor writes
  // is (common/job.h): other bytes would reach aegir-web replaced by U+FFFD,
  // three bytes each, and a host over 255 bytes makes it refuse the finish.
  static const std::regex kRecap(
      R"(^([!-~]{1,255})\s+:\s+ok=(\d{1,9})\s+changed=(\d{1,9})\s+unreachable=(\d{1,9})\s+failed=(\d{1,9})\s+)"
      R"(skipped=(\d{1,9})\s+rescued=(\d{1,9})\s+ignored=(\d{1,9})\s*$)");
  std::smatch m;
  if (line.size() > 1024 || !std::regex_match(line, m, kRecap)) return std::nullopt;
  json counts = json::object();
  const char* names[] = {"ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored"};
  for (int i = 0; i < 7; ++i) counts[names[i]] = std::stoi(m[i + 2].str());
  return std::make_pair(m[1].str(), counts);
}

Executor::Executor(zmq::context_t& context, ExecutorOptions options, HttpClient http)
    : context_(context),
      options_(std::move(options)),
      http_(std::move(http)),
      backoff_(protocol::kReconnectInitial) {
  identity_ = options_.identity.empty() ? DefaultIdentity() : options_.identity;
}

Result<std::unique_ptr<Executor>> Executor::Create(zmq::context_t& context,
                                                   ExecutorOptions options) {
  if (options.scheduler_endpoint.empty())
    return Status::InvalidArgument("no scheduler endpoint given");
  if (options.capacity < 1 || options.capacity > 256) {
    return Status::InvalidArgument("capacity must be 1 to 256");
  }
  for (const auto& l : options.labels) {
    if (!IsValidLabel(l)) return Status::InvalidArgument("label '" + l + "' is not [a-z0-9][a-z0-9._-]{0,63}");
  }
  if (options.identity.size() > 255)
    return Status::InvalidArgument("identity longer than 255 bytes");
  std::error_code ec;
  if (!std::filesystem::is_directory(options.roles_dir, ec)) {
    return Status::NotFound("roles directory " + options.roles_dir.string() + " does not exist");
  }
  if (options.work_dir.empty()) return Status::InvalidArgument("no work directory given");
  std::filesystem::create_directories(options.work_dir, ec);
  if (ec)
    return Status::FromErrno("create work directory " + options.work_dir.string(), ec.value());
  chmod(options.work_dir.c_str(), 0700);
  auto http = HttpClient::Create(options.http);
  if (!http.ok()) return http.status();
  std::unique_ptr<Executor> e(new Executor(context, std::move(options), std::move(http).value()));
  if (!e->options_.curve_key.empty() || !e->options_.curve_server_key.empty()) {
    if (e->options_.curve_key.empty() || e->options_.curve_server_key.empty()) {
      return Status::InvalidArgument("CURVE needs both this executor's key and the scheduler's public key");
    }
    auto keys = curve::LoadSecret(e->options_.curve_key);
    if (!keys.ok()) return keys.status();
    auto server = curve::LoadPublic(e->options_.curve_server_key);
    if (!server.ok()) return server.status();
    e->curve_keys_ = *keys;
    e->curve_server_public_ = *server;
  }
  e->Connect();
  return e;
}

Executor::~Executor() {
  // Process and TempDir destructors kill, reap and remove.
  jobs_.clear();
  socket_.reset();
}

// --- the scheduler connection ---------------------------------------------

void Executor::Connect() {
  socket_.emplace(context_, zmq::socket_type::dealer);
  socket_->set(zmq::sockopt::linger, 0);
  socket_->set(zmq::sockopt::routing_id, identity_);
  socket_->set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(protocol::kMaxFrameBytes));
  if (curve_keys_) curve::MakeClient(*socket_, *curve_keys_, curve_server_public_);
  socket_->connect(options_.scheduler_endpoint);
  last_heard_ = Now();
  Register();
}

void Executor::Disconnect(const std::string& why) {
  socket_.reset();
  reconnect_at_ = Now() + backoff_;
  log::Warn("scheduler " + why + "; reconnecting in " + std::to_string(backoff_.count()) + " ms");
  backoff_ = std::min(backoff_ * 2, protocol::kReconnectMax);
}

void Executor::Register() {
  Announce();
  // DONEs sent shortly before may have been lost with the old connection; the
  // scheduler ignores one for a job it does not hold for us.
  auto now = Now();
  while (!recent_done_.empty() && now - recent_done_.front().at > kResendDoneWindow)
    recent_done_.pop_front();
  for (const auto& done : recent_done_)
    SendToScheduler({protocol::kVersion, protocol::kDone, done.body});
}

void Executor::Announce() {
  json running = json::array();
  for (const auto& [id, job] : jobs_) running.push_back(id);
  json ready = {{"capacity", draining_ ? 0 : options_.capacity},
                {"labels", options_.labels},
                {"running", running}};
  SendToScheduler({protocol::kVersion, protocol::kReady, Dump(ready)});
}

bool Executor::SendToScheduler(const std::vector<std::string_view>& frames) {
  if (!socket_) return false;
  try {
    for (size_t i = 0; i < frames.size(); ++i) {
      auto flags = zmq::send_flags::dontwait;
      if (i + 1 < frames.size()) flags = flags | zmq::send_flags::sndmore;
      if (!socket_->send(zmq::buffer(frames[i]), flags)) {
        log::Warn("scheduler socket full: message dropped");
        return false;
      }
    }
  } catch (const zmq::error_t& e) {
    log::Warn(std::string("send to scheduler: ") + e.what());
    return false;
  }
  last_sent_ = Now();
  return true;
}

void Executor::MaybeHeartbeat() {
  if (socket_ && Now() - last_sent_ >= protocol::kHeartbeatInterval) {
    SendToScheduler({protocol::kVersion, protocol::kHeartbeat});
  }
}

void Executor::HandleSchedulerMessages() {
  for (int i = 0; socket_ && i < 256; ++i) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(*socket_, std::back_inserter(frames), zmq::recv_flags::dontwait))
      return;
    last_heard_ = Now();
    backoff_ = protocol::kReconnectInitial;
    // [version, command, body...]
    if (frames.size() < 2 || ToString(frames[0]) != protocol::kVersion) {
      log::Warn("message from the scheduler with a bad version or shape dropped");
      continue;
    }
    std::string command = ToString(frames[1]);
    if (command == protocol::kJob && frames.size() == 3) {
      HandleJob(ToString(frames[2]));
    } else if (command == protocol::kHeartbeat) {
      // last_heard_ is all it is for
    } else if (command == protocol::kCancel && frames.size() == 3) {
      Cancel(ToString(frames[2]));
    } else if (command == protocol::kDisconnect) {
      log::Info("scheduler does not know this executor: registering again");
      Register();
    } else if (command == protocol::kError) {
      log::Warn("scheduler says: " +
                (frames.size() > 2 ? ToString(frames[2]) : std::string("(no message)")));
    } else {
      log::Warn("unknown command '" + command.substr(0, 32) + "' from the scheduler dropped");
    }
  }
}

// --- jobs ------------------------------------------------------------------

void Executor::Cancel(const std::string& id_text) {
  auto parsed = ParsePositiveId(id_text);
  if (!parsed) {
    log::Warn("CANCEL with a bad job id dropped");
    return;
  }
  const int64_t id = *parsed;
  auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    log::Info("CANCEL for job " + id_text + ", which does not run here");
    return;
  }
  ActiveJob& j = *it->second;
  if (j.finishing || !j.kill_reason.empty()) return;
  j.cancelled = true;
  Terminate(j, "Cancelled.");
}

void Executor::SendDone(int64_t job_id, std::string_view state, int exit_code, const std::string& reason) {
  std::string body = Dump({{"job_id", job_id}, {"state", state}, {"exit_code", exit_code},
                           {"reason", Truncate(reason, kMaxReasonBytes)}});
  SendToScheduler({protocol::kVersion, protocol::kDone, body});
  recent_done_.push_back({body, Now()});
  if (recent_done_.size() > kMaxRecentDone) recent_done_.pop_front();
}

void Executor::HandleJob(const std::string& body) {
  if (draining_ || static_cast<int>(jobs_.size()) >= options_.capacity) {
    int64_t id = LooseJobId(body);
    std::string why = draining_ ? "shutting down" : "no free slot";
    log::Warn("job " + std::to_string(id) + " rejected: " + why);
    SendDone(id, protocol::kStateRejected, -1, why);
    return;
  }
  auto job = Job::FromJson(body);
  if (!job.ok()) {
    // Without a valid job there is no trustworthy feedback URL to report to.
    int64_t id = LooseJobId(body);
    log::Error("job " + std::to_string(id) + " refused: " + job.status().message());
    SendDone(id, protocol::kStateFailed, -1, "Refused by the executor: " + job.status().message());
    return;
  }
  if (job->feedback_token.empty()) {
    log::Error("job " + std::to_string(job->job_id) + " refused: it has no feedback token");
    SendDone(job->job_id, protocol::kStateFailed, -1, "Refused by the executor: the job has no feedback token");
    return;
  }
  if (jobs_.count(job->job_id) != 0) {
    log::Warn("job " + std::to_string(job->job_id) + " is already running here: duplicate ignored");
    return;
  }
  auto active = std::make_unique<ActiveJob>();
  active->job = std::move(job).value();
  while (!active->job.feedback_url.empty() && active->job.feedback_url.back() == '/') {
    active->job.feedback_url.pop_back();
  }
  StartJob(std::move(active));
}

void Executor::StartJob(std::unique_ptr<ActiveJob> owned) {
  ActiveJob& active = *owned;
  const Job& job = active.job;
  const std::string id = std::to_string(job.job_id);
  auto now = Now();
  active.last_post = now;
  active.deadline = now + std::chrono::seconds(job.timeout_s);
  jobs_[job.job_id] = std::move(owned);
  log::Info("job " + id + " (" + job.operation + " on " + job.target.name + ") starting");

  Status roles = CheckRoles(job, options_.roles_dir);
  if (!roles.ok()) {
    FinishJob(active, std::string(protocol::kStateFailed), -1, roles.message());
    return;
  }
  auto dir = TempDir::Create(options_.work_dir, "job-" + id + "-");
  if (!dir.ok()) {
    FinishJob(active, std::string(protocol::kStateFailed), -1, dir.status().message());
    return;
  }
  active.dir.emplace(std::move(dir).value());
  // What it prints never shows the task's token, nor the secrets it names,
  // read from the store now (they go to the job's variables file only).
  active.secrets.push_back(job.feedback_token);
  Job to_run = job;
  if (Status secrets = ResolveSecrets(to_run, options_.secrets_dir, active.secrets); !secrets.ok()) {
    FinishJob(active, std::string(protocol::kStateFailed), -1, secrets.message());
    return;
  }
  auto run = WritePlaybook(to_run, active.dir->path(), options_.roles_dir, options_.ansible_playbook,
                           options_.ssh_private_key);
  if (!run.ok()) {
    FinishJob(active, std::string(protocol::kStateFailed), -1,
              "write playbook: " + run.status().message());
    return;
  }
  // Roles post values back (roles/aegir_feedback) with the task's token, which
  // they read from the environment: never a file, an argument or a variable.
  run->env.emplace_back("AEGIR_FEEDBACK_TOKEN", job.feedback_token);
  auto process =
      Process::Spawn({run->argv, run->env, active.dir->path().string(), /*die_with_parent=*/true});
  if (!process.ok()) {
    FinishJob(active, std::string(protocol::kStateFailed), -1,
              "could not start ansible-playbook: " + process.status().message());
    return;
  }
  active.process.emplace(std::move(process).value());
  log::Info("job " + id + " running as pid " + std::to_string(active.process->pid()));
  // Then aegir-web hears of it (the scheduler's claim stored the task as
  // running with its start time already, so this post is not on the way to
  // the process's start). An ended task (cancelled, given up as lost) stops
  // the run; a refused token means nothing of it would be stored, so it stops
  // too; unreachable: the log posts go on trying, as for any post.
  Status started = Post(active, "/start", "{}");
  if (started.code() == Code::kConflict) {
    StopEndedElsewhere(active);
  } else if (!started.ok() && started.code() != Code::kUnavailable) {
    active.feedback_broken = true;
    Terminate(active, "aegir-web refused the job's start report: " + started.message());
  } else if (!started.ok()) {
    log::Warn("job " + id + ": could not report its start to aegir-web (its log posts go on trying): " +
              started.message());
  }
}

bool Executor::PendingFull(const ActiveJob& active) {
  return active.pending.size() >= kMaxPendingLines && !active.post_failing && !active.feedback_broken;
}

bool Executor::PumpOutput(ActiveJob& active) {
  if (!active.process || !active.process->output_open() || PendingFull(active)) return false;
  std::string data;
  auto more = active.process->ReadAvailable(&data, kReadChunkBytes);
  if (!more.ok())
    log::Warn("job " + std::to_string(active.job.job_id) + ": " + more.status().message());
  std::vector<std::string> lines;
  active.splitter.Feed(data, &lines);
  if (!more.ok() || !*more) {
    if (auto rest = active.splitter.Finish()) lines.push_back(std::move(*rest));
  }
  for (auto& line : lines) {
    MaskValues(line, active.secrets);
    if (StartsWith(line, "fatal:") || StartsWith(line, "ERROR!")) {
      active.last_error_line = Truncate(ReadableError(line), kMaxErrorLineBytes);
    }
    if (StartsWith(line, "PLAY RECAP")) {
      active.in_recap = true;
    } else if (active.in_recap) {
      auto host = ParseRecapLine(line);
      if (host && active.recap.size() < 1000) {
        active.recap[host->first] = host->second;
      } else if (!line.empty()) {
        active.in_recap = false;
      }
    }
    active.pending.push_back(std::move(line));
  }
  // Beyond the limit by at most one read while the posts go through (no
  // more is read then); dropped only while they fail.
  if (active.pending.size() > kMaxPendingLines && active.post_failing) {
    size_t drop = active.pending.size() - kMaxPendingLines;
    active.pending.erase(active.pending.begin(), active.pending.begin() + static_cast<long>(drop));
    active.next_seq += static_cast<int64_t>(drop);
    log::Warn("job " + std::to_string(active.job.job_id) + ": aegir-web is not taking the log; " +
              std::to_string(drop) + " lines dropped");
  }
  return !data.empty() && active.process->output_open();
}

// Posts pending lines: everything when final, else whatever is due.
//
// The posts are synchronous inside the poll loop (bounded by the HTTP
// timeouts, and heartbeats keep going between retries). That is acceptable
// for a few jobs per executor; the place to improve is a curl multi handle
// driven from this same poll loop.
void Executor::FlushLog(ActiveJob& active, bool final) {
  if (active.feedback_broken) {
    active.next_seq += static_cast<int64_t>(active.pending.size());
    active.pending.clear();
    return;
  }
  auto now = Now();
  bool due = active.pending.size() >= options_.log_batch_lines ||
             (!active.pending.empty() && now - active.last_post >= options_.log_flush_interval);
  if (!final && !due) return;
  while (!active.pending.empty()) {
    size_t n = std::min(active.pending.size(), options_.log_batch_lines);
    json lines = json::array();
    for (size_t i = 0; i < n; ++i) lines.push_back(active.pending[i]);
    std::string body = Dump({{"first_seq", active.next_seq}, {"lines", lines}});
    Status s = Post(active, "/log", body);
    active.last_post = Now();
    active.post_failing = !s.ok();
    if (!s.ok()) {
      // Unavailable: keep the lines and try again with the same numbers.
      log::Warn("job " + std::to_string(active.job.job_id) + ": log post failed: " + s.message());
      if (s.code() != Code::kUnavailable) active.feedback_broken = true;
      if (s.code() == Code::kConflict) StopEndedElsewhere(active);
      if (active.feedback_broken) {
        active.next_seq += static_cast<int64_t>(active.pending.size());
        active.pending.clear();
      }
      return;
    }
    active.pending.erase(active.pending.begin(), active.pending.begin() + static_cast<long>(n));
    active.next_seq += static_cast<int64_t>(n);
    if (!final && active.pending.size() < options_.log_batch_lines) return;
  }
}

Status Executor::Post(ActiveJob& active, const std::string& suffix, const std::string& body) {
  const std::string url = active.job.feedback_url + suffix;
  milliseconds delay = kPostRetryDelay;
  Status last;
  for (int attempt = 1; attempt <= kPostAttempts; ++attempt) {
    auto r = http_.PostJson(url, active.job.feedback_token, body);
    if (r.ok()) {
      if (r->status == 200) return Status::Ok();
      std::string msg =
          "POST " + url + ": HTTP " + std::to_string(r->status) + " " + Truncate(r->body, 200);
      // 409: the task has ended (cancelled, or failed as lost): nothing
      // more is taken from this run.
      if (r->status == 409) return Status::Conflict(msg);
      // 400, 401, 404: asking again will not change the answer.
      if (r->status < 500) return Status::InvalidArgument(msg);
      last = Status::Unavailable(msg);
    } else {
      last = r.status();
      if (last.code() != Code::kUnavailable) return last;
    }
    if (attempt < kPostAttempts) {
      MaybeHeartbeat();
      std::this_thread::sleep_for(delay);
      delay *= 2;
    }
  }
  return last;
}

void Executor::CheckJob(int64_t job_id) {
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return;
  ActiveJob& active = *it->second;
  if (active.finishing || !active.process) return;
  PumpOutput(active);
  auto waited = active.process->TryWait();
  if (!waited.ok()) {
    log::Error("job " + std::to_string(job_id) + ": " + waited.status().message());
    return;
  }
  if (!waited->has_value()) {
    FlushLog(active, false);
    return;
  }
  // Exited: everything the group wrote is in the pipe; take it. (If a
  // process outside the group still holds the pipe open, the read comes back
  // empty and we stop rather than wait for it.)
  for (;;) {
    if (PendingFull(active)) FlushLog(active, /*final=*/false);
    if (!PumpOutput(active) && !PendingFull(active)) break;
  }
  if (auto rest = active.splitter.Finish()) active.pending.push_back(std::move(*rest));
  const ExitStatus& es = **waited;
  std::string reason;
  if (!active.kill_reason.empty()) {
    reason = active.kill_reason;
  } else if (!es.exited) {
    reason = "ansible-playbook " + es.ToString();
  } else if (es.exit_code != 0) {
    reason = "ansible-playbook exited with code " + std::to_string(es.exit_code);
    if (!active.last_error_line.empty()) reason += ": " + active.last_error_line;
  }
  bool ok = es.success() && active.kill_reason.empty();
  std::string_view state = active.cancelled ? protocol::kStateCancelled
                           : ok             ? protocol::kStateSucceeded
                                            : protocol::kStateFailed;
  FinishJob(active, std::string(state), es.exited ? es.exit_code : -1, reason);
}

void Executor::FinishJob(ActiveJob& active, const std::string& state, int exit_code,
                         const std::string& reason) {
  if (!active.finishing) {
    active.finishing = true;
    active.end_state = state;
    active.end_exit_code = exit_code;
    active.end_reason = reason;
    active.finish_deadline = Now() + kFinishRetryWindow;
    // First contact over ssh: aegir-web records the key, and later jobs
    // trust only it.
    if (!active.feedback_broken && active.dir && active.job.target.connection == "ssh" &&
        active.job.target.host_key.empty()) {
      active.host_key = KnownHostKey(active.dir->path());
    }
    if (active.dir) {
      Status removed = active.dir->Remove();
      if (!removed.ok()) log::Warn("job " + std::to_string(active.job.job_id) + ": " + removed.message());
      active.dir.reset();
    }
  }
  TryFinish(active);
}

void Executor::TryFinish(ActiveJob& active) {
  const int64_t job_id = active.job.job_id;
  const std::string id = std::to_string(job_id);
  const bool last_try = Now() >= active.finish_deadline;
  // Unreachable (aegir-web restarting): again at the next timer, until the
  // window closes.
  auto again = [&](const Status& s) {
    if (s.code() != Code::kUnavailable || last_try) return false;
    active.next_finish_try = Now() + kFinishRetryInterval;
    return true;
  };
  if (!active.feedback_broken) {
    FlushLog(active, /*final=*/true);
    if (!active.pending.empty() && !active.feedback_broken && !last_try) {
      active.next_finish_try = Now() + kFinishRetryInterval;
      return;
    }
  }
  if (!active.feedback_broken && !active.host_key.empty()) {
    Status s = Post(active, "/feedback", Dump({{"values", {{"host_key", active.host_key}}}}));
    if (again(s)) return;
    if (!s.ok()) log::Warn("job " + id + ": could not report the host key: " + s.message());
    active.host_key.clear();
  }
  if (!active.feedback_broken) {
    json finish = {{"state", active.end_state},
                   {"exit_code", active.end_exit_code},
                   {"reason", Truncate(active.end_reason, kMaxReasonBytes)}};
    if (!active.recap.empty()) finish["recap"] = active.recap;
    Status s = Post(active, "/finish", Dump(finish));
    if (again(s)) return;
    if (!s.ok()) log::Error("job " + id + ": could not report its end (the scheduler stores it): " + s.message());
  }
  if (!active.pending.empty()) {
    log::Warn("job " + id + ": " + std::to_string(active.pending.size()) + " log lines could not be posted");
  }
  log::Info("job " + id + " " + active.end_state + (active.end_reason.empty() ? "" : ": " + active.end_reason));
  SendDone(job_id, active.end_state, active.end_exit_code, active.end_reason);
  jobs_.erase(job_id);  // destroys `active`
}

void Executor::StopEndedElsewhere(ActiveJob& active) {
  if (active.finishing || !active.kill_reason.empty()) return;
  Terminate(active, "The task was ended elsewhere (cancelled, or given up as lost) while it ran.");
}

void Executor::Terminate(ActiveJob& active, const std::string& reason) {
  active.kill_reason = reason;
  if (!active.process) return;
  log::Warn("job " + std::to_string(active.job.job_id) + ": " + reason + " (terminating its process group)");
  active.process->SignalGroup(SIGTERM);
  active.kill_at = Now() + options_.kill_grace;
}

// --- the loop ----------------------------------------------------------------

Clock::time_point Executor::NextTimer() const {
  auto next = Clock::time_point::max();
  if (socket_) {
    next = std::min(next, last_sent_ + protocol::kHeartbeatInterval);
    next =
        std::min(next, last_heard_ + protocol::kHeartbeatInterval * protocol::kHeartbeatLiveness);
  } else {
    next = std::min(next, reconnect_at_);
  }
  for (const auto& [id, j] : jobs_) {
    if (j->finishing) {
      next = std::min(next, j->next_finish_try);
      continue;
    }
    if (!j->pending.empty()) next = std::min(next, j->last_post + options_.log_flush_interval);
    if (j->kill_reason.empty()) {
      next = std::min(next, j->deadline);
    } else if (!j->sigkill_sent) {
      next = std::min(next, j->kill_at);
    }
  }
  if (draining_ && !jobs_.empty()) next = std::min(next, drain_deadline_);
  return next;
}

void Executor::OnTimers() {
  auto now = Now();
  if (!socket_ && now >= reconnect_at_) Connect();
  if (socket_ && now - last_heard_ >= protocol::kHeartbeatInterval * protocol::kHeartbeatLiveness) {
    Disconnect("silent for " +
               std::to_string(protocol::kHeartbeatLiveness * protocol::kHeartbeatInterval.count()) +
               " ms");
  }
  MaybeHeartbeat();
  std::vector<int64_t> to_finish;
  for (auto& [id, j] : jobs_) {
    if (j->finishing && now >= j->next_finish_try) to_finish.push_back(id);
  }
  for (int64_t id : to_finish) {
    auto it = jobs_.find(id);
    if (it != jobs_.end()) TryFinish(*it->second);
  }
  for (auto& [id, j] : jobs_) {
    if (!j->process || j->finishing) continue;
    if (j->kill_reason.empty() && now >= j->deadline) {
      j->kill_reason = "timed out after " + std::to_string(j->job.timeout_s) + " s";
    } else if (j->kill_reason.empty() && draining_ && now >= drain_deadline_) {
      j->kill_reason = "executor shutting down";
    }
    if (!j->kill_reason.empty() && j->kill_at == Clock::time_point::max()) {
      Terminate(*j, j->kill_reason);
    } else if (!j->sigkill_sent && now >= j->kill_at) {
      log::Warn("job " + std::to_string(id) + " still running " +
                std::to_string(options_.kill_grace.count()) + " ms after SIGTERM: killing");
      j->process->SignalGroup(SIGKILL);
      j->sigkill_sent = true;
    }
  }
}

Status Executor::RunOnce(milliseconds max_wait) {
  auto now = Now();
  milliseconds wait = max_wait;
  auto next = NextTimer();
  if (next != Clock::time_point::max()) {
    wait = std::clamp(duration_cast<milliseconds>(next - now) + milliseconds(1), milliseconds(0),
                      max_wait);
  }
  if (!jobs_.empty()) wait = std::min(wait, kJobPollInterval);

  std::vector<zmq::pollitem_t> items;
  if (socket_) items.push_back({socket_->handle(), 0, ZMQ_POLLIN, 0});
  for (const auto& [id, j] : jobs_) {
    // Not while its lines wait for aegir-web (CheckJob posts them).
    if (j->process && j->process->output_open() && !PendingFull(*j))
      items.push_back({nullptr, j->process->output_fd(), ZMQ_POLLIN, 0});
  }
  try {
    zmq::poll(items, wait);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return Status::Ok();
    return Status::Internal(std::string("zmq poll: ") + e.what());
  }
  try {
    HandleSchedulerMessages();
  } catch (const std::exception& e) {
    log::Error(std::string("scheduler message: ") + e.what());
  }
  std::vector<int64_t> ids;
  for (const auto& [id, j] : jobs_) ids.push_back(id);
  for (int64_t id : ids) {
    try {
      CheckJob(id);
    } catch (const std::exception& e) {
      log::Error("job " + std::to_string(id) + ": " + e.what());
    }
  }
  try {
    OnTimers();
  } catch (const std::exception& e) {
    log::Error(std::string("executor timers: ") + e.what());
  }
  return Status::Ok();
}

void Executor::BeginDrain() {
  draining_ = true;
  drain_deadline_ = Now() + options_.drain_grace;
  log::Info("stopping: no new jobs; " + std::to_string(jobs_.size()) + " running (killed after " +
            std::to_string(options_.drain_grace.count()) + " ms)");
  // Capacity 0, on the same connection: the DONEs it took stay taken (a
  // Register would send the last 30 s of them again, each logged by the
  // scheduler as one for a job it does not run).
  Announce();
}

Status Executor::Run(const std::atomic<bool>& stop) {
  for (;;) {
    if (stop.load() && !draining_) BeginDrain();
    if (draining_ && jobs_.empty()) {
      SendToScheduler({protocol::kVersion, protocol::kDisconnect});
      return Status::Ok();
    }
    AEGIR_RETURN_IF_ERROR(
        RunOnce(std::chrono::milliseconds(250)));  // the stop flag is checked this often
  }
}

}  // namespace aegir::executor
