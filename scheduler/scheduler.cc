#include "scheduler/scheduler.h"

#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <zmq_addon.hpp>

#include "common/job.h"
#include "common/log.h"
#include "common/protocol.h"

namespace aegir::scheduler {
namespace {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr int kMaxMessagesPerTurn = 256;  // per socket, so neither side starves the other
constexpr int kMaxCapacity = 1024;

std::string ToString(const zmq::message_t& m) { return std::string(m.data<char>(), m.size()); }

std::string_view Sv(const std::string& s) { return s; }

// The filesystem path of an ipc:// endpoint, or "" (tcp, abstract sockets).
std::string IpcPath(const std::string& endpoint) {
  constexpr std::string_view kIpc = "ipc://";
  if (endpoint.rfind(kIpc, 0) != 0) return "";
  std::string path = endpoint.substr(kIpc.size());
  if (path.empty() || path[0] == '@') return "";
  return path;
}

std::string JoinIds(const std::set<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) {
    if (!out.empty()) out += ", ";
    out += std::to_string(id);
  }
  return out;
}

}  // namespace

std::string PrintableIdentity(const std::string& identity) {
  bool printable = !identity.empty() && std::all_of(identity.begin(), identity.end(),
                                                    [](char c) { return c > ' ' && c < 0x7f; });
  if (printable) return identity;
  static const char kHex[] = "0123456789abcdef";
  std::string out = "0x";
  for (unsigned char c : identity) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Scheduler::Scheduler(zmq::context_t& context, SchedulerOptions options)
    : options_(std::move(options)),
      submit_(context, zmq::socket_type::router),
      executors_socket_(context, zmq::socket_type::router) {}

Result<std::unique_ptr<Scheduler>> Scheduler::Create(zmq::context_t& context,
                                                     SchedulerOptions options) {
  if (options.submit_endpoint.empty()) return Status::InvalidArgument("no submit endpoint given");
  if (options.executor_endpoint.empty())
    return Status::InvalidArgument("no executor endpoint given");
  std::unique_ptr<Scheduler> s(new Scheduler(context, std::move(options)));
  AEGIR_RETURN_IF_ERROR(s->Bind());
  return s;
}

Status Scheduler::Bind() {
  for (auto* socket : {&submit_, &executors_socket_}) {
    socket->set(zmq::sockopt::linger, 0);
    socket->set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(protocol::kMaxFrameBytes));
  }
  // Sending to an executor that has gone must fail loudly, not vanish.
  executors_socket_.set(zmq::sockopt::router_mandatory, 1);
  // An executor keeps its identity when it reconnects: the new connection
  // takes over from the old one instead of being refused as a duplicate.
  executors_socket_.set(zmq::sockopt::router_handover, 1);
  for (auto [socket, endpoint] : {std::pair{&submit_, &options_.submit_endpoint},
                                  std::pair{&executors_socket_, &options_.executor_endpoint}}) {
    try {
      socket->bind(*endpoint);
    } catch (const zmq::error_t& e) {
      return Status::Unavailable("bind " + *endpoint + ": " + e.what());
    }
  }
  return Status::Ok();
}

Scheduler::~Scheduler() {
  submit_.close();
  executors_socket_.close();
  for (const auto* endpoint : {&options_.submit_endpoint, &options_.executor_endpoint}) {
    std::string path = IpcPath(*endpoint);
    if (!path.empty()) unlink(path.c_str());
  }
}

bool Scheduler::Send(zmq::socket_t& socket, const std::string& identity,
                     const std::vector<std::string_view>& frames) {
  try {
    if (!socket.send(zmq::buffer(identity), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      return false;
    }
    for (size_t i = 0; i < frames.size(); ++i) {
      auto flags = zmq::send_flags::dontwait;
      if (i + 1 < frames.size()) flags = flags | zmq::send_flags::sndmore;
      // ROUTER sends the whole message or nothing once the first frame went.
      (void)socket.send(zmq::buffer(frames[i]), flags);
    }
    return true;
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH) return false;
    throw;
  }
}

bool Scheduler::SendToExecutor(const std::string& identity,
                               const std::vector<std::string_view>& frames) {
  bool sent = Send(executors_socket_, identity, frames);
  if (sent) {
    auto it = executors_.find(identity);
    if (it != executors_.end()) it->second.last_sent = Now();
  }
  return sent;
}

Status Scheduler::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    AEGIR_RETURN_IF_ERROR(
        RunOnce(std::chrono::milliseconds(250)));  // the stop flag is checked this often
  }
  return Status::Ok();
}

Clock::time_point Scheduler::NextTimer() const {
  auto next = Clock::time_point::max();
  for (const auto& [id, e] : executors_) {
    next = std::min(next, e.last_sent + protocol::kHeartbeatInterval);
    next =
        std::min(next, e.last_heard + protocol::kHeartbeatInterval * protocol::kHeartbeatLiveness);
  }
  return next;
}

Status Scheduler::RunOnce(milliseconds max_wait) {
  auto now = Now();
  auto next = NextTimer();
  milliseconds wait = max_wait;
  if (next != Clock::time_point::max()) {
    wait = std::clamp(duration_cast<milliseconds>(next - now) + milliseconds(1), milliseconds(0),
                      max_wait);
  }
  zmq::pollitem_t items[] = {
      {submit_.handle(), 0, ZMQ_POLLIN, 0},
      {executors_socket_.handle(), 0, ZMQ_POLLIN, 0},
  };
  try {
    zmq::poll(items, 2, wait);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return Status::Ok();  // a signal: the caller checks its stop flag
    return Status::Internal(std::string("zmq poll: ") + e.what());
  }
  // Exceptions are caught per message (and for the timers): one bad turn is
  // logged and the daemon goes on.
  for (auto [socket, handler] : {std::pair{&submit_, &Scheduler::HandleSubmitter},
                                 std::pair{&executors_socket_, &Scheduler::HandleExecutor}}) {
    for (int i = 0; i < kMaxMessagesPerTurn; ++i) {
      Frames frames;
      try {
        if (!zmq::recv_multipart(*socket, std::back_inserter(frames), zmq::recv_flags::dontwait))
          break;
        (this->*handler)(frames);
      } catch (const std::exception& e) {
        log::Error(std::string("handling a message: ") + e.what());
      }
    }
  }
  try {
    OnTimers();
    Dispatch();
  } catch (const std::exception& e) {
    log::Error(std::string("scheduler timers/dispatch: ") + e.what());
  }
  return Status::Ok();
}

void Scheduler::HandleSubmitter(Frames& frames) {
  // [identity, version, command, body...]
  if (frames.size() < 3) {
    log::Warn("submitter message with " + std::to_string(frames.size()) + " frames dropped");
    return;
  }
  const std::string identity = ToString(frames[0]);
  const std::string version = ToString(frames[1]);
  const std::string command = ToString(frames[2]);
  auto reply_error = [&](const std::string& msg) {
    Send(submit_, identity, {protocol::kVersion, protocol::kError, Sv(msg)});
  };
  if (version != protocol::kVersion) {
    reply_error("unsupported protocol version '" + version.substr(0, 32) +
                "' (this scheduler speaks " + std::string(protocol::kVersion) + ")");
    return;
  }
  if (command == protocol::kSubmit) {
    if (frames.size() != 4) {
      reply_error("SUBMIT takes exactly one frame: the job JSON");
      return;
    }
    auto job = Job::FromJson(ToString(frames[3]));
    if (!job.ok()) {
      reply_error("SUBMIT refused: " + job.status().message());
      return;
    }
    const std::string id = std::to_string(job->job_id);
    if (queued_ids_.count(job->job_id) != 0 || running_.count(job->job_id) != 0) {
      log::Info("job " + id +
                " submitted again while queued or running: acknowledged, not queued twice");
    } else {
      queue_.push_back(QueuedJob{job->job_id, job->entity, job->ToJson()});
      queued_ids_.insert(job->job_id);
      log::Info("job " + id + " (" + job->operation + " on " + job->entity + ") queued; " +
                std::to_string(queue_.size()) + " waiting");
    }
    Send(submit_, identity, {protocol::kVersion, protocol::kAck, Sv(id)});
  } else if (command == protocol::kStatus) {
    std::string body = StatusJson().dump();
    Send(submit_, identity, {protocol::kVersion, protocol::kStatusReply, Sv(body)});
  } else if (command == protocol::kHeartbeat) {
    Send(submit_, identity, {protocol::kVersion, protocol::kHeartbeat});
  } else {
    reply_error("unknown command '" + command.substr(0, 32) + "' on the submit socket");
  }
}

void Scheduler::HandleExecutor(Frames& frames) {
  if (frames.size() < 3) {
    log::Warn("executor message with " + std::to_string(frames.size()) + " frames dropped");
    return;
  }
  const std::string identity = ToString(frames[0]);
  const std::string version = ToString(frames[1]);
  const std::string command = ToString(frames[2]);
  const std::string body = frames.size() > 3 ? ToString(frames[3]) : "";
  const std::string who = PrintableIdentity(identity);
  if (version != protocol::kVersion) {
    std::string msg = "unsupported protocol version '" + version.substr(0, 32) + "'";
    log::Warn("executor " + who + ": " + msg);
    Send(executors_socket_, identity, {protocol::kVersion, protocol::kError, Sv(msg)});
    return;
  }
  auto it = executors_.find(identity);
  if (it != executors_.end()) it->second.last_heard = Now();

  if (command == protocol::kReady) {
    HandleReady(identity, body);
  } else if (command == protocol::kHeartbeat) {
    // An executor we do not know (we restarted, or forgot it) must register again.
    if (it == executors_.end())
      SendToExecutor(identity, {protocol::kVersion, protocol::kDisconnect});
  } else if (command == protocol::kDone) {
    HandleDone(identity, body);
    if (it == executors_.end())
      SendToExecutor(identity, {protocol::kVersion, protocol::kDisconnect});
  } else if (command == protocol::kDisconnect) {
    if (it != executors_.end()) ForgetExecutor(identity, "said goodbye");
  } else {
    std::string msg = "unknown command '" + command.substr(0, 32) + "' on the executor socket";
    log::Warn("executor " + who + ": " + msg);
    SendToExecutor(identity, {protocol::kVersion, protocol::kError, Sv(msg)});
  }
}

void Scheduler::HandleReady(const std::string& identity, const std::string& body) {
  const std::string who = PrintableIdentity(identity);
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  int capacity = -1;
  std::vector<std::string> labels;
  std::vector<int64_t> running;
  std::string error;
  if (j.is_discarded() || !j.is_object()) {
    error = "READY body is not a JSON object";
  } else {
    try {
      capacity = j.at("capacity").get<int>();
      if (j.contains("labels")) labels = j.at("labels").get<std::vector<std::string>>();
      if (j.contains("running")) running = j.at("running").get<std::vector<int64_t>>();
      if (capacity < 0 || capacity > kMaxCapacity) error = "READY capacity must be 0 to 1024";
    } catch (const json::exception& e) {
      error = std::string("READY field missing or of the wrong type: ") + e.what();
    }
  }
  if (!error.empty()) {
    log::Warn("executor " + who + ": " + error);
    Send(executors_socket_, identity, {protocol::kVersion, protocol::kError, Sv(error)});
    return;
  }
  bool known = executors_.count(identity) != 0;
  ExecutorInfo& e = executors_[identity];
  e.capacity = capacity;
  e.labels = labels;
  e.last_heard = Now();
  if (!known) e.last_sent = Now();
  // Jobs the executor still runs (it reconnected, or we restarted): they keep
  // their slot, and the entity lock when we still know the job.
  for (int64_t id : running) {
    auto r = running_.find(id);
    if (r == running_.end()) {
      running_[id] = RunningJob{"", identity, ""};
    } else if (r->second.executor != identity) {
      auto old = executors_.find(r->second.executor);
      if (old != executors_.end()) old->second.jobs.erase(id);
      r->second.executor = identity;
    }
    e.jobs.insert(id);
  }
  log::Info("executor " + who + (known ? " updated" : " ready") + ": capacity " +
            std::to_string(capacity) + ", running " + std::to_string(e.jobs.size()));
}

void Scheduler::HandleDone(const std::string& identity, const std::string& body) {
  const std::string who = PrintableIdentity(identity);
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  int64_t job_id = 0;
  std::string state;
  int exit_code = -1;
  try {
    if (j.is_discarded() || !j.is_object()) throw std::invalid_argument("not a JSON object");
    job_id = j.at("job_id").get<int64_t>();
    state = j.at("state").get<std::string>();
    if (j.contains("exit_code") && !j.at("exit_code").is_null())
      exit_code = j.at("exit_code").get<int>();
  } catch (const std::exception& e) {
    std::string msg = std::string("bad DONE: ") + e.what();
    log::Warn("executor " + who + ": " + msg);
    Send(executors_socket_, identity, {protocol::kVersion, protocol::kError, Sv(msg)});
    return;
  }
  auto r = running_.find(job_id);
  // Only the executor running the job, or anyone for an orphaned job, may end
  // it: a DONE resent after a reconnect must not end a later run of the id.
  if (r == running_.end() || (!r->second.executor.empty() && r->second.executor != identity)) {
    log::Info("executor " + who + ": DONE for job " + std::to_string(job_id) +
              " that it does not run; ignored");
    return;
  }
  if (state == protocol::kStateRejected && !r->second.json.empty()) {
    log::Warn("executor " + who + " rejected job " + std::to_string(job_id) + "; queued again");
    QueuedJob again{job_id, r->second.entity, r->second.json};
    FinishJob(job_id);
    queue_.push_front(std::move(again));
    queued_ids_.insert(job_id);
    return;
  }
  log::Info("job " + std::to_string(job_id) + " " + state + " (exit code " +
            std::to_string(exit_code) + ") on executor " + who);
  FinishJob(job_id);
}

void Scheduler::FinishJob(int64_t job_id) {
  auto r = running_.find(job_id);
  if (r == running_.end()) return;
  if (!r->second.entity.empty()) busy_entities_.erase(r->second.entity);
  auto e = executors_.find(r->second.executor);
  if (e != executors_.end()) e->second.jobs.erase(job_id);
  running_.erase(r);
}

void Scheduler::ForgetExecutor(const std::string& identity, const std::string& why) {
  auto it = executors_.find(identity);
  if (it == executors_.end()) return;
  std::set<int64_t> jobs = std::move(it->second.jobs);
  executors_.erase(it);
  if (jobs.empty()) {
    std::string msg = "executor " + PrintableIdentity(identity) + " " + why + ": forgotten";
    why == "said goodbye" ? log::Info(msg) : log::Warn(msg);
    return;
  }
  // The jobs are lost as far as we know. They stay in running_ as orphans and
  // keep their entities locked: the executor may still be running them, and
  // two jobs on one entity must never overlap. An executor that reconnects
  // lists them in READY (adopting them again) and its DONE ends them.
  // Recovering jobs whose executor really died (failing or re-running them)
  // is later work; until then a restart of the scheduler clears the orphans.
  for (int64_t id : jobs) {
    auto r = running_.find(id);
    if (r != running_.end()) r->second.executor.clear();
  }
  log::Warn("executor " + PrintableIdentity(identity) + " " + why +
            ": forgotten; its running jobs " + JoinIds(jobs) +
            " are lost (their entities stay blocked until reported done)");
}

void Scheduler::OnTimers() {
  auto now = Now();
  const auto dead_after = protocol::kHeartbeatInterval * protocol::kHeartbeatLiveness;
  std::vector<std::string> silent;
  for (auto& [identity, e] : executors_) {
    if (now - e.last_heard >= dead_after) {
      silent.push_back(identity);
    } else if (now - e.last_sent >= protocol::kHeartbeatInterval) {
      if (!SendToExecutor(identity, {protocol::kVersion, protocol::kHeartbeat}))
        silent.push_back(identity);
    }
  }
  for (const auto& identity : silent) {
    ForgetExecutor(
        identity,
        "silent for " + std::to_string(duration_cast<milliseconds>(dead_after).count()) + " ms");
  }
}

void Scheduler::Dispatch() {
  std::set<std::string> blocked;  // entities with an earlier job still waiting this pass
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (busy_entities_.count(it->entity) != 0 || blocked.count(it->entity) != 0) {
      blocked.insert(it->entity);
      ++it;
      continue;
    }
    bool dispatched = false;
    for (;;) {
      // The executor with the most free slots.
      std::string best;
      int best_free = 0;
      for (const auto& [identity, e] : executors_) {
        int free = e.capacity - static_cast<int>(e.jobs.size());
        if (free > best_free) {
          best = identity;
          best_free = free;
        }
      }
      if (best.empty()) return;  // every executor is full
      if (!SendToExecutor(best, {protocol::kVersion, protocol::kJob, Sv(it->json)})) {
        ForgetExecutor(best, "unreachable");
        continue;
      }
      log::Info("job " + std::to_string(it->id) + " sent to executor " + PrintableIdentity(best));
      executors_[best].jobs.insert(it->id);
      running_[it->id] = RunningJob{it->entity, best, std::move(it->json)};
      busy_entities_.insert(it->entity);
      queued_ids_.erase(it->id);
      dispatched = true;
      break;
    }
    if (dispatched) it = queue_.erase(it);
  }
}

json Scheduler::StatusJson() const {
  auto now = Now();
  json executors = json::array();
  for (const auto& [identity, e] : executors_) {
    executors.push_back({
        {"id", PrintableIdentity(identity)},
        {"capacity", e.capacity},
        {"running", e.jobs.size()},
        {"last_heartbeat_ms_ago", duration_cast<milliseconds>(now - e.last_heard).count()},
        {"labels", e.labels},
    });
  }
  size_t orphaned = std::count_if(running_.begin(), running_.end(),
                                  [](const auto& r) { return r.second.executor.empty(); });
  return json{
      {"queued", queue_.size()},
      {"running", running_.size()},
      {"orphaned", orphaned},
      {"executors", executors},
  };
}

}  // namespace aegir::scheduler
