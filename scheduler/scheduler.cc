#include "scheduler/scheduler.h"

#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <unordered_set>
#include <zmq_addon.hpp>

#include "common/crypto.h"
#include "common/curve.h"
#include "common/log.h"
#include "common/messages.h"
#include "common/protocol.h"
#include "common/tasks.h"
#include "fcgi-app/schedules_model.h"

namespace aegir::scheduler {
namespace {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr int kMaxMessagesPerTurn = 256;  // per socket, so neither side starves the other
// A turn's RUNs wait in the queue under these ids (kUnwrittenId + their row)
// while what can run at once is planned, before their rows are written.
constexpr int64_t kUnwrittenId = int64_t{1} << 62;
// An orphaned job (its executor went silent, or we restarted while it ran)
// ends failed when no executor reports it within this time.
constexpr milliseconds kOrphanGrace = protocol::kHeartbeatInterval * protocol::kHeartbeatLiveness;
// A job an executor turned down waits this long before it is offered again.
constexpr milliseconds kRejectedRetry{1000};
// ZAP domains of the CURVE sockets: which authorized-keys directory applies.
constexpr const char* kExecutorDomain = "executors";
constexpr const char* kClientDomain = "clients";
// Log lines in one LOG-REPLY (well under kMaxFrameBytes for usual lines).
constexpr int kLogLinesPerReply = 500;
// Due schedules fired in one turn (each is a transaction); more wait for the next.
constexpr int kSchedulesPerTurn = 50;

std::string ToString(const zmq::message_t& m) { return std::string(m.data<char>(), m.size()); }

std::vector<std::string> ToStrings(const std::vector<zmq::message_t>& frames) {
  std::vector<std::string> out;
  out.reserve(frames.size());
  for (const auto& f : frames) out.push_back(ToString(f));
  return out;
}

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
    : context_(context),
      options_(std::move(options)),
      submit_(context, zmq::socket_type::router),
      executors_socket_(context, zmq::socket_type::router) {}

Result<std::unique_ptr<Scheduler>> Scheduler::Create(zmq::context_t& context, SchedulerOptions options) {
  if (options.submit_endpoint.empty()) return Status::InvalidArgument("no submit endpoint given");
  if (options.executor_endpoint.empty()) return Status::InvalidArgument("no executor endpoint given");
  if (options.max_running < 0 || options.max_per_server < 0) {
    return Status::InvalidArgument("limits must be 0 (none) or more");
  }
  std::unique_ptr<Scheduler> s(new Scheduler(context, std::move(options)));
  if (!s->options_.catalogue_path.empty()) {
    auto cat = web::Catalogue::Load(s->options_.catalogue_path, s->options_.roles_dir);
    if (!cat.ok()) return cat.status().WithContext("catalogue " + s->options_.catalogue_path);
    s->catalogue_.emplace(std::move(cat).value());
    s->model_ = std::make_unique<web::ModelContext>(*s->catalogue_, s->options_.public_url);
    // The only transactions it nests are a turn's RUNs: one round trip less
    // each; a RUN failing half-way has the others stored again.
    s->model_->db.set_savepoints(false);
    s->model_->services_read = &s->services_read_;
    s->model_->sites_read = &s->sites_read_;
  }
  AEGIR_RETURN_IF_ERROR(s->Bind());
  if (Status c = s->Db().Connect(s->options_.db); !c.ok()) {
    log::Warn(c.message() + " (the tasks are read as soon as the database answers)");
  }
  s->next_sweep_ = s->Now();
  s->next_schedules_ = s->Now();
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
  if (options_.executor_tcp_endpoint.empty() && options_.submit_tcp_endpoint.empty()) return Status::Ok();
  // Other hosts: CURVE, each connecting key checked by our ZAP handler.
  if (options_.curve_secret_key.empty()) {
    return Status::InvalidArgument("a TCP endpoint needs the scheduler's CURVE key (--curve-secret-key)");
  }
  auto keys = curve::LoadSecret(options_.curve_secret_key);
  if (!keys.ok()) return keys.status();
  zap_.emplace(context_, zmq::socket_type::rep);
  zap_->set(zmq::sockopt::linger, 0);
  try {
    zap_->bind("inproc://zeromq.zap.01");
  } catch (const zmq::error_t& e) {
    return Status::Internal(std::string("bind the ZAP handler: ") + e.what());
  }
  struct Tcp {
    std::optional<zmq::socket_t>* socket;
    const std::string* endpoint;
    const std::string* keys_dir;
    const char* domain;
    const char* keys_flag;
  };
  for (const Tcp& t : {Tcp{&executors_tcp_, &options_.executor_tcp_endpoint, &options_.executor_keys_dir,
                           kExecutorDomain, "--executor-keys"},
                       Tcp{&submit_tcp_, &options_.submit_tcp_endpoint, &options_.client_keys_dir, kClientDomain,
                           "--client-keys"}}) {
    if (t.endpoint->empty()) continue;
    if (t.keys_dir->empty() || !std::filesystem::is_directory(*t.keys_dir)) {
      return Status::InvalidArgument(*t.endpoint + " needs a directory of authorized keys (" + t.keys_flag + ")");
    }
    t.socket->emplace(context_, zmq::socket_type::router);
    zmq::socket_t& socket = **t.socket;
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(protocol::kMaxFrameBytes));
    if (t.socket == &executors_tcp_) {
      socket.set(zmq::sockopt::router_mandatory, 1);
      socket.set(zmq::sockopt::router_handover, 1);
    }
    curve::MakeServer(socket, *keys, t.domain);
    try {
      socket.bind(*t.endpoint);
    } catch (const zmq::error_t& e) {
      return Status::Unavailable("bind " + *t.endpoint + ": " + e.what());
    }
  }
  return Status::Ok();
}

Scheduler::~Scheduler() {
  submit_.close();
  executors_socket_.close();
  submit_tcp_.reset();
  executors_tcp_.reset();
  zap_.reset();
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

bool Scheduler::SendToExecutor(const std::string& identity, const std::vector<std::string_view>& frames) {
  auto it = executors_.find(identity);
  zmq::socket_t* socket = it != executors_.end() && it->second.socket ? it->second.socket
                          : executor_from_                          ? executor_from_
                                                                    : &executors_socket_;
  bool sent = Send(*socket, identity, frames);
  if (sent && it != executors_.end()) it->second.last_sent = Now();
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
  auto next = next_sweep_;
  if (model_) next = std::min(next, next_schedules_);
  for (const auto& [id, e] : executors_) {
    next = std::min(next, e.last_sent + protocol::kHeartbeatInterval);
    next = std::min(next, e.last_heard + protocol::kHeartbeatInterval * protocol::kHeartbeatLiveness);
  }
  for (const auto& [id, r] : running_) {
    if (r.orphaned_since != Clock::time_point::max()) next = std::min(next, r.orphaned_since + kOrphanGrace);
  }
  for (const auto& [id, q] : queue_) {
    if (q.not_before > Now()) next = std::min(next, q.not_before);
  }
  return next;
}

Status Scheduler::RunOnce(milliseconds max_wait) {
  auto now = Now();
  milliseconds wait =
      std::clamp(duration_cast<milliseconds>(NextTimer() - now) + milliseconds(1), milliseconds(0), max_wait);
  struct Source {
    zmq::socket_t* socket;
    void (Scheduler::*handler)(Frames&);
    bool executors;
  };
  std::vector<Source> sources = {{&submit_, &Scheduler::HandleSubmitter, false},
                                 {&executors_socket_, &Scheduler::HandleExecutor, true}};
  if (submit_tcp_) sources.push_back({&*submit_tcp_, &Scheduler::HandleSubmitter, false});
  if (executors_tcp_) sources.push_back({&*executors_tcp_, &Scheduler::HandleExecutor, true});
  std::vector<zmq::pollitem_t> items;
  for (const auto& src : sources) items.push_back({src.socket->handle(), 0, ZMQ_POLLIN, 0});
  if (zap_) items.push_back({zap_->handle(), 0, ZMQ_POLLIN, 0});
  try {
    zmq::poll(items, wait);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return Status::Ok();  // a signal: the caller checks its stop flag
    return Status::Internal(std::string("zmq poll: ") + e.what());
  }
  if (zap_) {
    for (int i = 0; i < kMaxMessagesPerTurn; ++i) {
      try {
        if (!(zap_->get(zmq::sockopt::events) & ZMQ_POLLIN)) break;
        HandleZap();
      } catch (const std::exception& e) {
        log::Error(std::string("ZAP: ") + e.what());
        break;
      }
    }
  }
  // Exceptions are caught per message (and for the timers): one bad turn is
  // logged and the daemon goes on. Answers go back on the socket the
  // message came in on.
  for (const auto& src : sources) {
    if (src.executors) {
      executor_from_ = src.socket;
    } else {
      reply_to_ = src.socket;
    }
    // The turn's messages are taken first, so that the sites its RUNs name
    // are read with one statement (ReadRunTargets), then handled in order.
    std::vector<Frames> turn;
    for (int i = 0; i < kMaxMessagesPerTurn; ++i) {
      Frames frames;
      try {
        if (!zmq::recv_multipart(*src.socket, std::back_inserter(frames), zmq::recv_flags::dontwait)) break;
      } catch (const std::exception& e) {
        log::Error(std::string("receiving a message: ") + e.what());
        break;
      }
      turn.push_back(std::move(frames));
    }
    if (!src.executors) ReadRunTargets(turn);
    for (auto& frames : turn) {
      try {
        (this->*src.handler)(frames);
      } catch (const std::exception& e) {
        log::Error(std::string("handling a message: ") + e.what());
      }
    }
    try {
      CommitRuns();  // the RUNs that came on this socket in this turn
    } catch (const std::exception& e) {
      log::Error(std::string("committing RUNs: ") + e.what());
    }
  }
  executor_from_ = nullptr;
  reply_to_ = &submit_;
  try {
    OnTimers();
    if (Now() >= next_sweep_) Sweep();
    if (model_ && Now() >= next_schedules_) FireSchedules();
    Dispatch();
  } catch (const std::exception& e) {
    log::Error(std::string("scheduler timers/dispatch: ") + e.what());
  }
  return Status::Ok();
}

// --- submitters ---------------------------------------------------------------

// Who sent a message, for the audit log: over TCP the name of the tool's key
// file (the ZAP handler's user id) and its address; over ipc:// a local tool
// (the socket is reachable by root and aegir-web's user only).
web::Actor Scheduler::ToolActor(Frames& frames) {
  web::Actor actor;
  actor.name = "aegir client (local)";
  if (frames.empty()) return actor;
  auto property = [&](const char* name) -> std::string {
    try {
      return frames.back().gets(name);
    } catch (const zmq::error_t&) {
      return "";  // not set on this connection
    }
  };
  if (std::string key = property("User-Id"); !key.empty()) actor.name = "aegir client (key " + key + ")";
  actor.address = property("Peer-Address").substr(0, 64);
  return actor;
}

void Scheduler::ReplyError(const std::string& identity, const std::string& message) {
  Send(*reply_to_, identity, {protocol::kVersion, protocol::kError, Sv(message)});
}

void Scheduler::HandleSubmitter(Frames& frames) {
  // [identity, version, command, body...]
  auto envelope = protocol::SplitEnvelope(ToStrings(frames));
  if (!envelope) {
    log::Warn("submitter message with " + std::to_string(frames.size()) + " frames dropped");
    return;
  }
  const std::string& identity = envelope->identity;
  const std::string& command = envelope->command;
  if (Status s = protocol::CheckSubmitterEnvelope(*envelope); !s.ok()) {
    ReplyError(identity, s.message());
    return;
  }
  // The RUNs stored so far are committed and answered before anything else
  // is done: answers on one socket keep the order of its requests.
  if (command != protocol::kRun) CommitRuns();
  if (command == protocol::kSubmit) {
    HandleSubmit(identity, envelope->body[0]);
  } else if (command == protocol::kCancel) {
    HandleCancel(identity, envelope->body[0]);
  } else if (command == protocol::kRun) {
    HandleRun(identity, envelope->body[0], ToolActor(frames));
  } else if (command == protocol::kTask) {
    HandleTask(identity, envelope->body[0]);
  } else if (command == protocol::kLog) {
    HandleLog(identity, envelope->body[0]);
  } else if (command == protocol::kStatus) {
    std::string body = StatusJson().dump();
    Send(*reply_to_, identity, {protocol::kVersion, protocol::kStatusReply, Sv(body)});
  } else if (command == protocol::kHeartbeat) {
    Send(*reply_to_, identity, {protocol::kVersion, protocol::kHeartbeat});
  } else {
    ReplyError(identity, "unknown command '" + command.substr(0, 32) + "' on the submit socket");
  }
}

void Scheduler::HandleSubmit(const std::string& identity, const std::string& body) {
  auto job = Job::FromJson(body);
  if (!job.ok()) {
    ReplyError(identity, "SUBMIT refused: " + job.status().message());
    return;
  }
  const int64_t id = job->job_id;
  const std::string ids = std::to_string(id);
  if (queue_.count(id) == 0 && running_.count(id) == 0) {
    // The stored row is the truth: what is queued is what it holds.
    auto row = tasks::LoadOpen(Db(), id);
    if (!row.ok()) {
      ReplyError(identity, "SUBMIT not taken now: the database is unavailable (" + row.status().message() +
                  "); a stored task is queued when it is back");
      return;
    }
    if (!*row || (*row)->state != "queued") {
      ReplyError(identity, "SUBMIT refused: task " + ids + " is not queued in the database");
      return;
    }
    auto stored = Job::FromStoredJson((*row)->job_json, id);
    if (!stored.ok()) {
      ReplyError(identity, "SUBMIT refused: the stored job of task " + ids + " is not valid");
      return;
    }
    Enqueue(std::move(stored).value());
  }
  Send(*reply_to_, identity, {protocol::kVersion, protocol::kAck, Sv(ids)});
  Dispatch();  // at once: the next poll may be a while
}

void Scheduler::HandleCancel(const std::string& identity, const std::string& body) {
  int64_t id = protocol::ParseJobId(body);
  if (id <= 0) {
    ReplyError(identity, "CANCEL takes a job id (a positive decimal number)");
    return;
  }
  auto was = tasks::Cancel(Db(), id);
  if (!was.ok()) {
    ReplyError(identity, "CANCEL failed: the database is unavailable (" + was.status().message() + ")");
    return;
  }
  if (*was != "queued" && *was != "running") {
    ReplyError(identity, "CANCEL refused: job " + body + " is not queued or running");
    return;
  }
  if (queue_.erase(id) != 0) log::Info("job " + body + " cancelled while queued");
  if (auto r = running_.find(id); r != running_.end()) SendCancel(id, r->second);
  Send(*reply_to_, identity, {protocol::kVersion, protocol::kAck, Sv(body)});
}

void Scheduler::ReadRunTargets(std::vector<Frames>& turn) {
  sites_read_.clear();
  if (!model_) return;
  std::vector<int64_t> ids;
  std::vector<std::string> domains;
  for (const auto& frames : turn) {
    auto envelope = protocol::SplitEnvelope(ToStrings(frames));
    if (!envelope || envelope->command != protocol::kRun || envelope->body.size() != 1) continue;
    auto request = protocol::ParseRun(envelope->body[0]);
    if (!request.ok() || request->type != "site" || request->ref.empty() || request->ref.size() > 255) continue;
    int64_t id = protocol::ParseJobId(request->ref);
    if (id > 0) {
      ids.push_back(id);
    } else {
      domains.push_back(request->ref);
    }
  }
  // One RUN reads its own site: nothing to save.
  if (ids.size() + domains.size() < 2) return;
  auto homes = web::store::GetSiteHomes(Db(), ids, domains);
  if (!homes.ok()) return;  // each RUN reads its site, and says what went wrong
  for (auto& home : *homes) {
    sites_read_["#" + std::to_string(home.site.id)] = home;
    if (home.site.status != "deleted") sites_read_[home.site.domain] = std::move(home);
  }
}

void Scheduler::HandleRun(const std::string& identity, const std::string& body, const web::Actor& actor) {
  auto refuse = [&](const std::string& msg) {
    // After the RUNs of this turn still to be answered, when there are some.
    if (stored_runs_.empty()) return ReplyError(identity, "RUN refused: " + msg);
    StoredRun refused;
    refused.reply_to = reply_to_;
    refused.identity = identity;
    refused.error = "RUN refused: " + msg;
    stored_runs_.push_back(std::move(refused));
  };
  if (!model_) return refuse("this scheduler was started without the operation catalogue (--catalogue)");
  auto request = protocol::ParseRun(body);
  if (!request.ok()) return refuse(request.status().message());
  const web::Operation* op = catalogue_->Find(request->operation);
  if (!op) return refuse("no operation '" + request->operation.substr(0, 64) + "' in the catalogue");
  const std::string& target_text = request->target;
  const std::string& type = request->type;
  const std::string& ref = request->ref;
  if (type != op->entity || ref.empty() || ref.size() > 255) {
    return refuse(op->name + " runs on a " + op->entity + ": give the target as " + op->entity + ":<id or name>");
  }
  web::ModelContext& m = *model_;
  int64_t id = protocol::ParseJobId(ref);
  if (type != "site" && id == 0) {
    // A server or platform by name.
    auto id_of = [](const auto& row) -> Result<std::optional<int64_t>> {
      if (!row.ok()) return row.status();
      return *row ? std::optional<int64_t>((*row)->id) : std::nullopt;
    };
    Result<std::optional<int64_t>> found = type == "server" ? id_of(web::store::GetServerByName(m.db, ref))
                                                            : id_of(web::store::GetPlatformByName(m.db, ref));
    if (!found.ok()) return refuse("the database is unavailable (" + found.status().message() + ")");
    if (!*found) return refuse("there is no " + type + " '" + ref + "'");
    id = **found;
  }
  // A site by id, or by domain (id 0).
  auto target = type == "site" ? web::LoadSiteTarget(m, id, id == 0 ? ref : "") : web::LoadTarget(m, type, id);
  if (!target.ok()) {
    if (target.status().code() != Code::kNotFound) return refuse(target.status().message());
    return refuse(id == 0 ? "there is no " + type + " '" + ref + "'" : "there is no " + type + " " + std::to_string(id));
  }
  // The form's fields are the whitelist: nothing else may be given.
  std::map<std::string, std::string> given;
  for (const auto& [name, value] : request->vars.items()) {
    bool known = std::any_of(op->fields.begin(), op->fields.end(), [&](const auto& f) { return f.name == name; });
    if (!known) return refuse(op->name + " has no field '" + name.substr(0, 64) + "'");
    auto text = web::FormText(value);
    if (!text) return refuse(name + ": a value is a string, a number, true/false or a list of strings");
    given[name] = *text;
  }
  auto choices = web::ChoicesFor(m, *op, *target);
  if (!choices.ok()) return refuse(choices.status().message());
  web::FormResult values = web::ValidateFields(
      op->fields,
      [&](const std::string& n) {
        auto it = given.find(n);
        return it == given.end() ? std::string() : it->second;
      },
      *choices);
  if (!values.ok()) {
    std::string all;
    for (const auto& e : values.errors) all += (all.empty() ? "" : " ") + e.message;
    return refuse(all);
  }
  if (Status allowed = web::CheckAllowed(m, *op, *target, values.values); !allowed.ok()) {
    return refuse(allowed.message());
  }
  m.actor = actor;  // named in the audit log with the operation
  // Stored in this turn's transaction (StoreOperation's own adds nothing to
  // it: no savepoint); queued and answered when CommitRuns has committed it.
  if (!run_batch_) {
    run_batch_.emplace(m.db);
    if (Status s = run_batch_->Begin(); !s.ok()) {
      run_batch_.reset();
      return refuse("the database is unavailable (" + s.message() + ")");
    }
    m.deferred = &deferred_;
  }
  auto job = web::StoreOperation(m, *op, *target, values.values, std::nullopt);
  if (!job.ok()) {
    if (m.db.transaction_broken()) StoreRunsAlone();  // it failed half-way
    return refuse(job.status().message());
  }
  stored_runs_.push_back({reply_to_, identity, std::move(job).value(),
                          "for " + target_text.substr(0, 128) + " by " + actor.name, op, std::move(target).value(),
                          std::move(values.values), actor, false, ""});
  stored_runs_.back().row = deferred_.tasks.size() - 1;
}

void Scheduler::StoreRunsAlone() {
  run_batch_.reset();  // rolls back the turn's RUNs
  web::ModelContext& m = *model_;
  m.deferred = nullptr;
  deferred_ = {};
  std::vector<StoredRun> runs = std::move(stored_runs_);
  stored_runs_.clear();
  for (auto& run : runs) {
    // (One stored alone before, in this turn, is committed already.)
    if (run.error.empty() && !run.alone) {
      m.actor = run.actor;
      auto job = web::StoreOperation(m, *run.op, run.target, run.values, std::nullopt);
      if (job.ok()) {
        run.job = std::move(job).value();
        run.alone = true;
      } else {
        run.error = "RUN refused: " + job.status().message();
      }
    }
    stored_runs_.push_back(std::move(run));
  }
}

void Scheduler::CommitRuns() {
  services_read_.clear();  // read again in the next turn
  sites_read_.clear();
  if (!run_batch_ && stored_runs_.empty()) return;
  std::vector<Handout> plan;
  if (run_batch_) {
    model_->deferred = nullptr;
    // What can run at once is planned before the rows are written, and the
    // rows of those go in running (claimed): the turn's new jobs wait in
    // the queue meanwhile under ids after every real one, in their order.
    for (auto& run : stored_runs_) {
      if (!run.error.empty() || run.alone) continue;
      queue_.insert_or_assign(kUnwrittenId + static_cast<int64_t>(run.row),
                              QueuedJob(std::move(run.job), Clock::time_point::min()));
    }
    plan = PlanHandouts();
    for (auto& run : stored_runs_) {
      if (!run.error.empty() || run.alone) continue;
      auto it = queue_.find(kUnwrittenId + static_cast<int64_t>(run.row));
      run.job = std::move(it->second.job);
      queue_.erase(it);
    }
    for (const auto& h : plan) {
      if (h.id >= kUnwrittenId) {
        deferred_.tasks[h.id - kUnwrittenId].claim =
            web::store::NewTask::Claim{h.executor, crypto::Sha256Hex(h.token)};
      }
    }
    // The turn's task rows, then their audit entries, one statement each;
    // when that fails (one RUN's row refused), each RUN is stored alone, so
    // only the one at fault fails.
    std::vector<const web::store::NewTask*> rows;
    rows.reserve(deferred_.tasks.size());
    for (const auto& t : deferred_.tasks) rows.push_back(&t);
    auto ids = web::store::CreateTasks(Db(), rows);
    Status written = ids.status();
    if (ids.ok()) {
      for (size_t i = 0; i < ids->size(); ++i) deferred_.audit[i].task_id = (*ids)[i];
      written = web::store::AddAudits(Db(), deferred_.audit);
    }
    deferred_ = {};
    if (written.ok()) {
      for (auto& run : stored_runs_) {
        if (!run.error.empty() || run.alone) continue;
        run.job.job_id = (*ids)[run.row];
        run.job.feedback_url += std::to_string(run.job.job_id);
      }
      for (auto& h : plan) {
        if (h.id < kUnwrittenId) continue;
        h.id = (*ids)[h.id - kUnwrittenId];
        h.claimed = true;  // written so
        h.written_claimed = true;
      }
    } else {
      log::Warn("the turn's RUNs are stored again one by one: " + written.message());
      plan.clear();
      StoreRunsAlone();
    }
  }
  // The stored RUNs join the queue now; those of the transaction leave it
  // again if the commit fails.
  for (auto& run : stored_runs_) {
    if (!run.error.empty()) continue;
    const int64_t id = run.job.job_id;
    Enqueue(std::move(run.job), run.what);
    run.job.job_id = id;  // for its answer
  }
  // The other jobs planned are claimed in the same transaction (one flush
  // to disk for all).
  Status committed;
  const bool batch = run_batch_.has_value();
  if (batch) {
    committed = ClaimHandouts(plan);
    if (committed.ok()) committed = run_batch_->Commit();
    run_batch_.reset();  // rolls back what the commit did not take
  }
  if (!committed.ok()) {
    log::Error("RUNs not stored: " + committed.message());
    for (auto& run : stored_runs_) {
      if (!run.error.empty() || run.alone) continue;
      queue_.erase(run.job.job_id);
      run.error = "RUN not taken: the database is unavailable (" + committed.message() + ")";
    }
  } else {
    HandOut(plan);
  }
  // Answered in the order they came.
  for (const auto& run : stored_runs_) {
    if (!run.error.empty()) {
      Send(*run.reply_to, run.identity, {protocol::kVersion, protocol::kError, Sv(run.error)});
    } else {
      Send(*run.reply_to, run.identity, {protocol::kVersion, protocol::kAck, Sv(std::to_string(run.job.job_id))});
    }
  }
  stored_runs_.clear();
  if (!batch || !committed.ok()) Dispatch();  // what no transaction of the turn handed out
}

void Scheduler::HandleTask(const std::string& identity, const std::string& body) {
  int64_t id = protocol::ParseJobId(body);
  if (id <= 0) return ReplyError(identity, "TASK takes a job id (a positive decimal number)");
  auto task = tasks::DescribeJson(Db(), id);
  if (!task.ok()) return ReplyError(identity, "the database is unavailable (" + task.status().message() + ")");
  if (!*task) return ReplyError(identity, "there is no task " + body);
  Send(*reply_to_, identity, {protocol::kVersion, protocol::kTaskReply, Sv(**task)});
}

void Scheduler::HandleLog(const std::string& identity, const std::string& body) {
  auto request = protocol::ParseLogRequest(body);
  if (!request.ok()) return ReplyError(identity, request.status().message());
  auto log = tasks::LogJson(Db(), request->job_id, request->after, kLogLinesPerReply);
  if (!log.ok()) return ReplyError(identity, "the database is unavailable (" + log.status().message() + ")");
  if (!*log) return ReplyError(identity, "there is no task " + std::to_string(request->job_id));
  Send(*reply_to_, identity, {protocol::kVersion, protocol::kLogReply, Sv(**log)});
}

void Scheduler::HandleZap() {
  // [version "1.0", request id, domain, address, identity, mechanism, credentials...]
  Frames frames;
  if (!zmq::recv_multipart(*zap_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
  // user_id: the name of the key's file, which ZeroMQ then attaches to every
  // message of that connection ("User-Id"): who a tool is, for the audit log.
  auto reply = [&](const std::string& code, const std::string& text, const std::string& user_id = "") {
    std::string request_id = frames.size() > 1 ? ToString(frames[1]) : "";
    std::vector<std::string> out = {"1.0", request_id, code, text, user_id, ""};
    for (size_t i = 0; i < out.size(); ++i) {
      zap_->send(zmq::buffer(out[i]), i + 1 < out.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  };
  if (frames.size() < 7 || ToString(frames[0]) != "1.0" || ToString(frames[5]) != "CURVE") {
    reply("400", "CURVE only");
    return;
  }
  const std::string domain = ToString(frames[2]);
  const std::string address = ToString(frames[3]);
  const std::string key = curve::Z85(ToString(frames[6]));
  const std::string& dir = domain == kExecutorDomain ? options_.executor_keys_dir : options_.client_keys_dir;
  const auto authorized = curve::LoadAuthorized(dir);
  const auto known = authorized.find(key);
  bool ok = !key.empty() && (domain == kExecutorDomain || domain == kClientDomain) && known != authorized.end();
  if (!ok) {
    log::Warn(std::string(domain == kExecutorDomain ? "an executor" : "a client") + " at " + address.substr(0, 64) +
              " with key " + key + " refused: the key is not in " + dir);
    reply("400", "unknown key");
    return;
  }
  reply("200", "OK", known->second.substr(0, 64));
}

// --- executors ----------------------------------------------------------------

void Scheduler::HandleExecutor(Frames& frames) {
  auto envelope = protocol::SplitEnvelope(ToStrings(frames));
  if (!envelope) {
    log::Warn("executor message with " + std::to_string(frames.size()) + " frames dropped");
    return;
  }
  const std::string& identity = envelope->identity;
  const std::string& command = envelope->command;
  // Frames after the body are ignored.
  const std::string body = envelope->body.empty() ? "" : envelope->body[0];
  const std::string who = PrintableIdentity(identity);
  if (Status s = protocol::CheckExecutorEnvelope(*envelope); !s.ok()) {
    log::Warn("executor " + who + ": " + s.message());
    SendToExecutor(identity, {protocol::kVersion, protocol::kError, Sv(s.message())});
    return;
  }
  auto it = executors_.find(identity);
  if (it != executors_.end()) it->second.last_heard = Now();

  if (command == protocol::kReady) {
    HandleReady(identity, body);
  } else if (command == protocol::kHeartbeat) {
    // An executor we do not know (we restarted, or forgot it) must register again.
    if (it == executors_.end()) SendToExecutor(identity, {protocol::kVersion, protocol::kDisconnect});
  } else if (command == protocol::kDone) {
    HandleDone(identity, body);
    if (it == executors_.end()) SendToExecutor(identity, {protocol::kVersion, protocol::kDisconnect});
  } else if (command == protocol::kDisconnect) {
    if (it != executors_.end()) {
      // An executor says goodbye only when it runs nothing (after the DONEs
      // of all it ran, on the same connection): a job still assigned to it
      // crossed its goodbye and never started. It runs elsewhere, rather
      // than end failed as lost.
      std::set<int64_t> unseen = it->second.jobs;
      for (int64_t id : unseen) QueueAgain(id, "was sent to executor " + who + " as it left", milliseconds(0));
      ForgetExecutor(identity, "said goodbye");
    }
  } else {
    std::string msg = "unknown command '" + command.substr(0, 32) + "' on the executor socket";
    log::Warn("executor " + who + ": " + msg);
    SendToExecutor(identity, {protocol::kVersion, protocol::kError, Sv(msg)});
  }
}

void Scheduler::HandleReady(const std::string& identity, const std::string& body) {
  const std::string who = PrintableIdentity(identity);
  auto ready = protocol::ParseReady(body);
  if (!ready.ok()) {
    const std::string& error = ready.status().message();
    log::Warn("executor " + who + ": " + error);
    SendToExecutor(identity, {protocol::kVersion, protocol::kError, Sv(error)});
    return;
  }
  const int capacity = ready->capacity;
  const std::vector<std::string>& labels = ready->labels;
  const std::vector<int64_t>& running = ready->running;
  bool known = executors_.count(identity) != 0;
  ExecutorInfo& e = executors_[identity];
  if (executor_from_) e.socket = executor_from_;
  e.capacity = capacity;
  e.labels = labels;
  e.last_heard = Now();
  if (!known) e.last_sent = Now();
  // Jobs the executor still runs (it reconnected, or we restarted): adopted
  // when we hold them as running; any other one is not wanted any more (it
  // ended, e.g. failed as lost, or was cancelled): the executor stops it.
  for (int64_t id : running) {
    auto r = running_.find(id);
    if (r == running_.end() && !reconciled_) {
      // What runs is not read yet: decided when it is (Sweep).
      reported_early_[id] = identity;
      continue;
    }
    if (r == running_.end()) {
      log::Warn("executor " + who + " runs job " + std::to_string(id) + ", which is not running here: stopping it");
      std::string ids = std::to_string(id);
      SendToExecutor(identity, {protocol::kVersion, protocol::kCancel, Sv(ids)});
      continue;
    }
    if (r->second.executor != identity) {
      auto old = executors_.find(r->second.executor);
      if (old != executors_.end()) old->second.jobs.erase(id);
      r->second.executor = identity;
    }
    r->second.orphaned_since = Clock::time_point::max();
    e.jobs.insert(id);
    if (r->second.cancel_sent) {
      r->second.cancel_sent = false;
      SendCancel(id, r->second);
    }
  }
  log::Info("executor " + who + (known ? " updated" : " ready") + ": capacity " + std::to_string(capacity) +
            ", running " + std::to_string(e.jobs.size()));
}

void Scheduler::HandleDone(const std::string& identity, const std::string& body) {
  const std::string who = PrintableIdentity(identity);
  auto done = protocol::ParseDone(body);
  if (!done.ok()) {
    std::string msg = "bad DONE: " + done.status().message();
    log::Warn("executor " + who + ": " + msg);
    SendToExecutor(identity, {protocol::kVersion, protocol::kError, Sv(msg)});
    return;
  }
  const int64_t job_id = done->job_id;
  const std::string& state = done->state;
  const std::string& reason = done->reason;
  const std::optional<int64_t> exit_code = done->exit_code;
  auto r = running_.find(job_id);
  // Only the executor running the job, or anyone for an orphaned job, may end
  // it: a DONE resent after a reconnect must not end a later run of the id.
  if (r == running_.end() || (!r->second.executor.empty() && r->second.executor != identity)) {
    log::Info("executor " + who + ": DONE for job " + std::to_string(job_id) + " that it does not run; ignored");
    return;
  }
  if (state == protocol::kStateRejected) {
    QueueAgain(job_id, "turned down by executor " + who + " (" + reason + ")", kRejectedRetry);
    return;
  }
  log::Info("job " + std::to_string(job_id) + " " + state +
            (exit_code ? " (exit code " + std::to_string(*exit_code) + ")" : "") + " on executor " + who);
  EndJob(job_id, state, exit_code, reason);
}

// --- jobs -----------------------------------------------------------------------

void Scheduler::Enqueue(Job job, const std::string& what) {
  const int64_t id = job.job_id;
  log::Info("job " + std::to_string(id) + " (" + job.operation + " on " + job.entity + ") queued" +
            (what.empty() ? "" : " " + what) + "; " + std::to_string(queue_.size() + 1) + " waiting");
  queue_.insert_or_assign(id, QueuedJob(std::move(job), Clock::time_point::min()));
}

void Scheduler::EndJob(int64_t job_id, const std::string& state, std::optional<int64_t> exit_code,
                       const std::string& reason) {
  auto r = running_.find(job_id);
  if (r == running_.end()) return;
  auto ended = tasks::Finish(Db(), job_id, state, exit_code, reason);
  if (!ended.ok()) {
    // The row still says running: keep the job (and its locks) and store
    // its end at the next sweep.
    log::Error("job " + std::to_string(job_id) + ": " + ended.status().message() + "; its end is stored later");
    r->second.unstored_end = json{{"state", state}, {"exit_code", exit_code ? json(*exit_code) : json(nullptr)},
                                  {"reason", reason}};
    r->second.orphaned_since = Clock::time_point::max();
    return;
  }
  Release(job_id);
}

void Scheduler::QueueAgain(int64_t job_id, const std::string& why, milliseconds delay) {
  auto r = running_.find(job_id);
  if (r == running_.end()) return;
  auto back = tasks::Requeue(Db(), job_id);
  if (!back.ok()) {
    // Still running in the database: fail it rather than lose it.
    log::Error(back.status().ToString());
    EndJob(job_id, std::string(protocol::kStateFailed), std::nullopt, "Not started: " + why);
    return;
  }
  log::Warn("job " + std::to_string(job_id) + " " + why + "; queued again");
  Job job = r->second.job;
  Release(job_id);
  if (*back) queue_.insert_or_assign(job_id, QueuedJob(std::move(job), Now() + delay));
}

void Scheduler::Release(int64_t job_id) {
  auto r = running_.find(job_id);
  if (r == running_.end()) return;
  for (const auto& k : r->second.job.LockKeys()) held_.erase(k);
  if (auto s = per_server_.find(r->second.job.target.name); s != per_server_.end() && --s->second <= 0) {
    per_server_.erase(s);
  }
  auto e = executors_.find(r->second.executor);
  if (e != executors_.end()) e->second.jobs.erase(job_id);
  running_.erase(r);
}

void Scheduler::SendCancel(int64_t job_id, RunningJob& r) {
  if (r.cancel_sent || r.executor.empty()) return;
  std::string id = std::to_string(job_id);
  if (SendToExecutor(r.executor, {protocol::kVersion, protocol::kCancel, Sv(id)})) {
    r.cancel_sent = true;
    log::Info("job " + id + ": cancel sent to executor " + PrintableIdentity(r.executor));
  }
}

void Scheduler::ForgetExecutor(const std::string& identity, const std::string& why) {
  auto it = executors_.find(identity);
  if (it == executors_.end()) return;
  std::set<int64_t> jobs = std::move(it->second.jobs);
  executors_.erase(it);
  std::string msg = "executor " + PrintableIdentity(identity) + " " + why + ": forgotten";
  if (jobs.empty()) {
    why == "said goodbye" ? log::Info(msg) : log::Warn(msg);
    return;
  }
  // The executor may still run them (a network hiccup): they keep their
  // locks until it reports them again, or until kOrphanGrace passes and they
  // end failed.
  for (int64_t id : jobs) {
    auto r = running_.find(id);
    if (r == running_.end()) continue;
    r->second.executor.clear();
    r->second.cancel_sent = false;
    r->second.orphaned_since = Now();
  }
  log::Warn(msg + "; its jobs " + JoinIds(jobs) + " end failed unless it reports them within " +
            std::to_string(kOrphanGrace.count()) + " ms");
}

void Scheduler::OnTimers() {
  auto now = Now();
  const auto dead_after = protocol::kHeartbeatInterval * protocol::kHeartbeatLiveness;
  std::vector<std::string> silent;
  for (auto& [identity, e] : executors_) {
    if (now - e.last_heard >= dead_after) {
      silent.push_back(identity);
    } else if (now - e.last_sent >= protocol::kHeartbeatInterval) {
      if (!SendToExecutor(identity, {protocol::kVersion, protocol::kHeartbeat})) silent.push_back(identity);
    }
  }
  for (const auto& identity : silent) {
    ForgetExecutor(identity, "silent for " + std::to_string(duration_cast<milliseconds>(dead_after).count()) + " ms");
  }
  std::vector<int64_t> lost;
  for (const auto& [id, r] : running_) {
    if (r.orphaned_since != Clock::time_point::max() && now - r.orphaned_since >= kOrphanGrace) lost.push_back(id);
  }
  for (int64_t id : lost) {
    log::Warn("job " + std::to_string(id) + ": no executor reported it; it ends failed");
    EndJob(id, std::string(protocol::kStateFailed), std::nullopt,
           "Executor lost: the executor running it stopped answering, and no executor reported it since.");
  }
}

void Scheduler::Sweep() {
  next_sweep_ = Now() + options_.sweep_interval;
  // Ends that could not be stored before.
  std::vector<int64_t> unstored;
  for (const auto& [id, r] : running_) {
    if (r.unstored_end) unstored.push_back(id);
  }
  for (int64_t id : unstored) {
    json end = *running_[id].unstored_end;
    running_[id].unstored_end.reset();
    std::optional<int64_t> code;
    if (end["exit_code"].is_number_integer()) code = end["exit_code"].get<int64_t>();
    EndJob(id, end["state"].get<std::string>(), code, end["reason"].get<std::string>());
  }
  auto open = tasks::LoadOpen(Db());
  if (!open.ok()) {
    log::Warn(open.status().message() + " (tried again in " + std::to_string(options_.sweep_interval.count()) +
              " ms)");
    return;
  }
  std::set<int64_t> seen;
  for (auto& t : *open) {
    seen.insert(t.id);
    const std::string ids = std::to_string(t.id);
    if (queue_.count(t.id) != 0) continue;
    auto r = running_.find(t.id);
    if (r != running_.end()) {
      if (t.state == "running" && t.cancel_requested) SendCancel(t.id, r->second);
      continue;
    }
    // Not known here: read its job (the list leaves jobs out).
    auto full = tasks::LoadOpen(Db(), t.id);
    if (!full.ok()) {
      log::Warn(full.status().message());
      return;
    }
    if (!*full) continue;  // ended in the meantime
    const std::string& job_json = (*full)->job_json;
    auto job = Job::FromStoredJson(job_json, t.id);
    if (!job.ok()) {
      std::string why = job_json.empty() ? "it was stored without its job" : "its stored job is not valid";
      log::Warn("task " + ids + " (" + (*full)->state + "): " + why + "; it ends failed");
      (void)tasks::Finish(Db(), t.id, std::string(protocol::kStateFailed), std::nullopt,
                          ((*full)->state == "queued" ? "Not started: " : "Lost: ") + why + ".");
      continue;
    }
    if ((*full)->state == "queued") {
      Enqueue(std::move(job).value());
      continue;
    }
    // Running in the database, unknown here: we restarted. Its executor
    // reports it when it registers; if none does, it ends failed.
    RunningJob adopted{std::move(job).value(), "", Now(), false, std::nullopt};
    if (auto early = reported_early_.find(t.id); early != reported_early_.end()) {
      if (auto e = executors_.find(early->second); e != executors_.end()) {
        adopted.executor = early->second;
        adopted.orphaned_since = Clock::time_point::max();
        e->second.jobs.insert(t.id);
      }
      reported_early_.erase(early);
    }
    for (const auto& k : adopted.job.LockKeys()) held_.insert(k);
    ++per_server_[adopted.job.target.name];
    if (adopted.executor.empty()) {
      log::Info("job " + ids + " was running on " +
                (t.executor.empty() ? "an executor" : PrintableIdentity(t.executor)) +
                " before this start: waiting " + std::to_string(kOrphanGrace.count()) + " ms for it to report");
    }
    running_.emplace(t.id, std::move(adopted));
  }
  // Queued here but no longer in the database's queue (cancelled).
  for (auto it = queue_.begin(); it != queue_.end();) {
    it = seen.count(it->first) ? std::next(it) : queue_.erase(it);
  }
  if (!reconciled_) {
    // Executors reported jobs before we knew what runs: those not running
    // here are not wanted any more.
    for (const auto& [id, identity] : reported_early_) {
      if (running_.count(id) == 0 && executors_.count(identity) != 0) {
        std::string ids = std::to_string(id);
        log::Warn("executor " + PrintableIdentity(identity) + " runs job " + ids + ", which is not running: stopping it");
        SendToExecutor(identity, {protocol::kVersion, protocol::kCancel, Sv(ids)});
      }
    }
    reported_early_.clear();
    reconciled_ = true;
    log::Info("tasks read: " + std::to_string(queue_.size()) + " queued, " + std::to_string(running_.size()) +
              " running");
  }
}

void Scheduler::FireSchedules() {
  next_schedules_ = Now() + options_.schedules_interval;
  if (!reconciled_) return;  // the database has not answered the sweep yet
  auto result = web::schedules::FireDue(*model_, kSchedulesPerTurn);
  services_read_.clear();  // read afresh by the next turn's RUNs
  if (!result.ok()) {
    if (!schedules_failing_) log::Warn("schedules not read: " + result.status().message() + " (tried again)");
    schedules_failing_ = true;
    return;
  }
  if (schedules_failing_) log::Info("schedules read again");
  schedules_failing_ = false;
  for (auto& f : result->fired) Enqueue(std::move(f.job), "by schedule #" + std::to_string(f.schedule_id));
  if (result->fired.size() >= static_cast<size_t>(kSchedulesPerTurn)) {
    next_schedules_ = Now();  // more are due
  } else if (result->next_due_in_s) {
    // The earliest is due in whole seconds; a little after, so it is due then.
    auto in = std::chrono::seconds(std::max<int64_t>(0, *result->next_due_in_s)) + milliseconds(100);
    next_schedules_ = std::min(next_schedules_, Now() + duration_cast<milliseconds>(in));
  }
}

bool Scheduler::Busy(const std::vector<std::string>& keys) const {
  for (const auto& k : keys) {
    if (held_.count(k)) return true;
  }
  return false;
}

void Scheduler::Dispatch() {
  if (run_batch_) return CommitRuns();  // it hands out in its own transaction
  auto plan = PlanHandouts();
  if (plan.empty()) return;
  db::Transaction tx(Db());
  Status s = tx.Begin();
  if (s.ok()) s = ClaimHandouts(plan);
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) {
    log::Warn("jobs not handed out: " + s.message());
    next_sweep_ = std::min(next_sweep_, Now() + options_.sweep_interval);
    return;
  }
  HandOut(plan);
}

std::vector<Scheduler::Handout> Scheduler::PlanHandouts() const {
  std::vector<Handout> plan;
  if (!reconciled_) return plan;  // what runs is not known yet
  auto now = Now();
  std::map<std::string, int> free;  // slots by executor
  int free_slots = 0;
  for (const auto& [identity, e] : executors_) {
    free[identity] = std::max(0, e.capacity - static_cast<int>(e.jobs.size()));
    free_slots += free[identity];
  }
  // Keys of earlier jobs still waiting, and of those handed out in this pass
  // (views of the queued jobs' keys: no copies, however long the queue).
  std::unordered_set<std::string_view> blocked;
  std::map<std::string, int> per_server = per_server_;
  size_t running = running_.size();
  for (auto it = queue_.begin(); it != queue_.end() && free_slots > 0; ++it) {
    const Job& job = it->second.job;
    const auto& keys = it->second.keys;
    bool wait = Busy(keys) || it->second.not_before > now ||
                (options_.max_per_server > 0 && per_server[job.target.name] >= options_.max_per_server);
    for (const auto& k : keys) wait = wait || blocked.count(k) != 0;
    if (wait) {
      blocked.insert(keys.begin(), keys.end());
      continue;
    }
    if (options_.max_running > 0 && running >= static_cast<size_t>(options_.max_running)) break;
    // The executor with the most free slots among those that reach the
    // target (its label, when the server has one).
    std::string best;
    int best_free = 0;
    const std::string& label = job.target.label;
    for (const auto& [identity, e] : executors_) {
      if (!label.empty() && std::find(e.labels.begin(), e.labels.end(), label) == e.labels.end()) continue;
      if (free[identity] > best_free) {
        best = identity;
        best_free = free[identity];
      }
    }
    // None free for this one: later jobs (other labels) may still go, but
    // not past it on its entities.
    blocked.insert(keys.begin(), keys.end());
    if (best.empty()) continue;
    // A token for this run only; the row keeps its hash.
    plan.push_back({it->first, best, crypto::RandomHex(32)});
    --free[best];
    --free_slots;
    ++running;
    ++per_server[job.target.name];
  }
  return plan;
}

Status Scheduler::ClaimHandouts(std::vector<Handout>& plan) {
  for (auto& h : plan) {
    if (h.written_claimed) continue;
    auto claimed = tasks::Claim(Db(), h.id, h.executor, crypto::Sha256Hex(h.token));
    if (!claimed.ok()) return claimed.status();
    h.claimed = *claimed;
  }
  return Status::Ok();
}

void Scheduler::HandOut(std::vector<Handout>& plan) {
  bool lost_executor = false;
  for (auto& h : plan) {
    auto it = queue_.find(h.id);
    if (it == queue_.end()) continue;
    const std::string ids = std::to_string(h.id);
    if (!h.claimed) {  // cancelled (or ended) in the meantime
      log::Info("job " + ids + " is no longer queued in the database; dropped");
      queue_.erase(it);
      continue;
    }
    Job sent = it->second.job;
    sent.feedback_token = h.token;
    std::string body = sent.ToJson();
    if (!executors_.count(h.executor) || !SendToExecutor(h.executor, {protocol::kVersion, protocol::kJob, Sv(body)})) {
      (void)tasks::Requeue(Db(), h.id);
      ForgetExecutor(h.executor, "unreachable");
      lost_executor = true;  // the job stays queued, for another executor
      continue;
    }
    log::Info("job " + ids + " sent to executor " + PrintableIdentity(h.executor));
    const Job& job = it->second.job;
    executors_[h.executor].jobs.insert(h.id);
    for (const auto& k : it->second.keys) held_.insert(k);
    ++per_server_[job.target.name];
    running_.emplace(h.id, RunningJob{std::move(it->second.job), h.executor, Clock::time_point::max(), false,
                                      std::nullopt});
    queue_.erase(it);
  }
  if (lost_executor) Dispatch();
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
                                  [](const auto& r) { return r.second.orphaned_since != Clock::time_point::max(); });
  return json{
      {"queued", queue_.size()}, {"running", running_.size()}, {"orphaned", orphaned},
      {"tasks_read", reconciled_}, {"executors", executors},
  };
}

}  // namespace aegir::scheduler
