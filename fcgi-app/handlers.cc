// Route handlers: parse and validate input, call the store or a service,
// choose a view or a redirect. No SQL, HTML or ZeroMQ here.
#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <mutex>
#include <optional>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "common/job.h"
#include "common/log.h"
#include "common/text.h"
#include "fcgi-app/app.h"
#include "fcgi-app/feedback_values.h"
#include "fcgi-app/handlers.h"
#include "fcgi-app/operations.h"
#include "fcgi-app/schedules.h"
#include "fcgi-app/shared_reading.h"
#include "fcgi-app/views.h"

namespace aegir::web {

std::optional<int64_t> ParseId(const std::string& s) { return ParsePositiveId(s); }

// Maps a store failure to an error page; the details go to the log only.
Response StoreError(const Context& ctx, const Status& s) {
  log::Error(s.ToString());
  if (s.code() == Code::kUnavailable) {
    return views::Error(ctx, 503, "The database is not reachable right now. Try again in a moment.");
  }
  return views::Error(ctx, 500, "The request could not be completed; the details are in aegir-web's log.");
}

std::string ReadIdPageKeys(const Request& req, const std::string& what, IdPageKeys& keys) {
  for (auto [name, key] : {std::pair<const char*, int64_t*>{"before", &keys.before}, {"after", &keys.after}}) {
    if (std::string v = req.Query(name); !v.empty()) {
      auto id = ParseId(v);
      if (!id) return std::string("The '") + name + "' parameter must be " + what + ".";
      *key = *id;
    }
  }
  if (keys.before > 0 && keys.after > 0) return "Give 'before' or 'after', not both.";
  return "";
}

Response NotFound(const Context& ctx, const std::string& what, const std::string& back) {
  return views::Error(ctx, 404, what + " does not exist.", back);
}

void Audit(Context& ctx, const std::string& action, const std::string& entity_type, std::optional<int64_t> entity_id,
           const nlohmann::json& details) {
  store::AuditEntry e;
  e.user_id = ctx.actor.user_id;
  e.actor = ctx.actor.name;
  e.address = ctx.actor.address;
  e.action = action;
  e.entity_type = entity_type;
  e.entity_id = entity_id;
  e.details_json = details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (Status s = store::AddAudit(ctx.db, e); !s.ok()) log::Error(s.ToString());
}

void Flash(Context& ctx, const std::string& text) {
  if (!ctx.session) return;
  if (Status s = store::SetFlash(ctx.db, ctx.session->id_hash, text); !s.ok()) log::Warn(s.ToString());
}

std::string ReadNameList(const Request& req, views::NameListPage& page) {
  page.q = req.Query("q");
  page.q.erase(0, page.q.find_first_not_of(' '));
  page.q.erase(page.q.find_last_not_of(' ') + 1);
  if (!IsCleanText(page.q, 64)) return "Search: give the start of a name, at most 64 characters.";
  // ReadNameList's caller hands these to PageByName as the keys to read from.
  page.next_after = req.Query("after");
  page.prev_before = req.Query("before");
  if (!page.next_after.empty() && !page.prev_before.empty()) return "Give either 'after' or 'before', not both.";
  if (!IsCleanText(page.next_after, 64) || !IsCleanText(page.prev_before, 64)) {
    return "The 'after' and 'before' parameters must be names.";
  }
  return "";
}

Status EnsureSession(Context& ctx) {
  if (ctx.session) return Status::Ok();
  // A form shown before login needs a CSRF token, so an anonymous session is made.
  std::string token = crypto::RandomHex(32);
  store::Session s;
  s.id_hash = crypto::Sha256Hex(token);
  s.csrf_token = crypto::RandomHex(32);
  AEGIR_RETURN_IF_ERROR(store::CreateSession(ctx.db, s.id_hash, std::nullopt, s.csrf_token, kAnonymousSessionTtlS));
  ctx.session = s;
  ctx.new_session_token = token;
  return Status::Ok();
}

namespace {

// A site the current user may not see is answered like one that does not
// exist: guessing ids tells nothing.
bool Hidden(const Context& ctx, const store::Site& site) { return !ctx.MaySee(site); }
bool Hidden(const Context&, const store::Server&) { return false; }    // admin routes only
bool Hidden(const Context&, const store::Platform&) { return false; }  // admin routes only

// The entity the route's {id} names ("server", "platform" or "site"), read
// into out; otherwise the page to answer: 404 for an id that is malformed,
// unknown or, unless deleted_ok, of a deleted entity.
template <typename T>
std::optional<Response> FindEntity(Context& ctx, Request& req, Result<std::optional<T>> (*get)(db::Connection&, int64_t),
                                   const std::string& name, T& out, bool deleted_ok = true) {
  return FindById(ctx, req, get, name, out,
                  [&](const T& e) { return (deleted_ok || e.status != "deleted") && !Hidden(ctx, e); });
}

// ---- Login and logout ----

Response LoginForm(Context& ctx, Request& req) {
  if (ctx.session && ctx.session->user_id) return Response::Redirect("/");
  if (Status st = EnsureSession(ctx); !st.ok()) return StoreError(ctx, st);
  return views::Login(ctx, ctx.session->csrf_token, "", "");
}

// Throttled (handlers.h): logins are refused without looking at the password.

Response LoginSubmit(Context& ctx, Request& req) {
  std::string name = req.Form("name");
  std::string password = req.Form("password");
  auto failures = store::CountLoginFailures(ctx.db, name.substr(0, 64), req.remote_addr, kFailureWindowMin);
  if (!failures.ok()) return StoreError(ctx, failures.status());
  if (failures->for_name >= kMaxFailuresPerName || failures->from_address >= kMaxFailuresPerAddress) {
    log::Warn("login as '" + name.substr(0, 64) + "' from " + req.remote_addr + " refused: too many failures");
    return views::Login(ctx, ctx.session->csrf_token, name,
                        "Too many failed logins. Wait " + std::to_string(kFailureWindowMin) +
                            " minutes, then try again.",
                        429);
  }
  auto user = store::FindUserByName(ctx.db, name.substr(0, 64));
  if (!user.ok()) return StoreError(ctx, user.status());
  // Without a user, check against a fixed hash anyway so the answer takes as
  // long and says nothing about which names exist.
  static const std::string kDummy = crypto::HashPassword("not a password").value();
  bool good = crypto::VerifyPassword(*user ? (*user)->password_hash : kDummy, password) && user->has_value();
  if (!good) {
    if (Status s = store::RecordLoginFailure(ctx.db, name.substr(0, 64), req.remote_addr); !s.ok()) {
      return StoreError(ctx, s);
    }
    Audit(ctx, "login-failed", "", std::nullopt, {{"name", name.substr(0, 64)}});
    return views::Login(ctx, ctx.session->csrf_token, name, "Wrong user name or password.", 401);
  }
  if (!(*user)->active) {
    Audit(ctx, "login-refused", "user", (*user)->id, {{"name", (*user)->name}, {"why", "disabled"}});
    return views::Login(ctx, ctx.session->csrf_token, name,
                        "This account is disabled. Ask an administrator to enable it.", 403);
  }
  (void)store::ClearLoginFailures(ctx.db, (*user)->name);
  // A new session id at login: an id planted before login is worth nothing.
  (void)store::DeleteSession(ctx.db, ctx.session->id_hash);
  // Logins are rare enough to carry the sweep of expired sessions (indexed).
  (void)store::DeleteExpiredSessions(ctx.db);
  std::string token = crypto::RandomHex(32);
  store::Session s;
  s.id_hash = crypto::Sha256Hex(token);
  s.csrf_token = crypto::RandomHex(32);
  s.user_id = (*user)->id;
  Status st = store::CreateSession(ctx.db, s.id_hash, s.user_id, s.csrf_token, kSessionTtlS);
  if (!st.ok()) return StoreError(ctx, st);
  log::Info("user " + (*user)->name + " logged in");
  ctx.actor.user_id = (*user)->id;
  ctx.actor.name = (*user)->name;
  Audit(ctx, "login", "user", (*user)->id, nlohmann::json::object());
  Response r = Response::Redirect("/");
  r.SetCookie(kSessionCookie, token, kSessionTtlS, SecureCookies(ctx, req));
  return r;
}

Response Logout(Context& ctx, Request& req) {
  (void)store::DeleteSession(ctx.db, ctx.session->id_hash);
  if (ctx.session->user_id) Audit(ctx, "logout", "user", ctx.session->user_id, nlohmann::json::object());
  Response r = Response::Redirect("/login");
  r.ClearCookie(kSessionCookie, SecureCookies(ctx, req));
  return r;
}

// ---- Dashboard ----

// The scheduler's STATUS reply as the dashboard shows it; an error when it
// is not what docs/protocol.md describes.
Result<views::SchedulerState> ParseSchedulerStatus(const nlohmann::json& j) {
  auto count = [&](const char* key) -> int64_t {
    return j.contains(key) && j[key].is_number_integer() ? j[key].get<int64_t>() : 0;
  };
  views::SchedulerState st;
  st.queued = count("queued");
  st.running = count("running");
  st.orphaned = count("orphaned");
  st.tasks_read = !j.contains("tasks_read") || !j["tasks_read"].is_boolean() || j["tasks_read"].get<bool>();
  if (!j.contains("executors") || !j["executors"].is_array()) {
    return Status::Internal("the scheduler's STATUS reply has no executors list");
  }
  for (const auto& e : j["executors"]) {
    if (!e.is_object() || !e.contains("id") || !e["id"].is_string()) continue;
    views::ExecutorState x;
    x.id = e["id"].get<std::string>();
    x.capacity = e.value("capacity", int64_t{0});
    x.running = e.value("running", int64_t{0});
    x.heartbeat_ms_ago = e.value("last_heartbeat_ms_ago", int64_t{0});
    if (e.contains("labels") && e["labels"].is_array()) {
      for (const auto& l : e["labels"]) {
        if (l.is_string()) x.labels.push_back(l.get<std::string>());
      }
    }
    st.executors.push_back(std::move(x));
  }
  return st;
}

// What the dashboard shows of the whole panel (for users who see all of it):
// the counts, a few running, queued and failed tasks, the latest tasks and
// the scheduler's state.
struct PanelActivity {
  store::Counts counts;
  std::vector<store::Task> running, queued, failed, recent;
  std::optional<views::SchedulerState> scheduler;
  std::string scheduler_error;
  std::chrono::steady_clock::time_point totals_read_at;  // when `counts` were read
};

// Reads it: the lists are index ranges, the scheduler answers STATUS over
// ZeroMQ. The totals (sites, failed tasks) read an index entry per site or
// failed task, about 10 ms at 100,000 sites: `totals` are given when still
// fresh, and read here otherwise.
Result<PanelActivity> ReadPanelActivity(Context& ctx, const std::optional<store::Counts>& totals,
                                        const store::Scope& scope, bool with_scheduler) {
  PanelActivity a;
  if (totals) {
    a.counts = *totals;
  } else {
    auto counts = store::GetCounts(ctx.db, scope);
    if (!counts.ok()) return counts.status();
    a.counts = *counts;
  }
  if (scope.all()) {  // (a scoped count reads its own queued and running)
    auto active = store::GetActiveCounts(ctx.db);
    if (!active.ok()) return active.status();
    a.counts.queued = active->queued;
    a.counts.running = active->running;
  }
  for (auto [state, list] : {std::pair<const char*, std::vector<store::Task>*>{"running", &a.running},
                             {"queued", &a.queued},
                             {"failed", &a.failed}}) {
    store::TaskFilter f;
    f.state = state;
    auto tasks = store::ListTasks(ctx.db, f, 0, views::kDashboardListSize, scope);
    if (!tasks.ok()) return tasks.status();
    *list = std::move(*tasks);
  }
  auto recent = store::ListTasks(ctx.db, 0, 10, scope);
  if (!recent.ok()) return recent.status();
  a.recent = std::move(*recent);
  if (with_scheduler) {
    // The executors are the scheduler's to know. When it does not answer
    // (in time), the page says so and shows the rest.
    auto status = ctx.submitter.SchedulerStatus();
    Result<views::SchedulerState> state =
        status.ok() ? ParseSchedulerStatus(*status) : Result<views::SchedulerState>(status.status());
    if (state.ok()) {
      a.scheduler = std::move(*state);
    } else {
      log::Warn("dashboard: scheduler status: " + state.status().message());
      a.scheduler_error = state.status().message();
    }
  }
  return a;
}

// The whole panel's activity is shared by every dashboard of a user who sees
// all of it (SharedReadings: for kActivityMaxAge, or until a request to this
// aegir-web may have written; while one request reads it afresh the others
// are shown the previous one, so a silent scheduler holds up one request,
// not all), its totals for kTotalsMaxAge: under load the dashboard costs
// about one statement instead of seven and a round trip to the scheduler.
constexpr std::chrono::seconds kActivityMaxAge{1};
constexpr std::chrono::seconds kTotalsMaxAge{5};

Result<std::shared_ptr<const PanelActivity>> SharedPanelActivity(Context& ctx) {
  static SharedReadings<PanelActivity> shared(kActivityMaxAge, 1);
  const std::string key = "panel";
  return shared.Get(key, [&]() -> Result<PanelActivity> {
    auto previous = shared.Last(key);
    const auto now = std::chrono::steady_clock::now();
    const bool keep_totals = previous && now - previous->totals_read_at < kTotalsMaxAge;
    auto fresh = ReadPanelActivity(ctx, keep_totals ? std::optional(previous->counts) : std::nullopt, store::Scope(),
                                   /*with_scheduler=*/true);
    if (fresh.ok()) fresh->totals_read_at = keep_totals ? previous->totals_read_at : now;
    return fresh;
  });
}

Response Dashboard(Context& ctx, Request& req) {
  std::shared_ptr<const PanelActivity> activity;
  if (ctx.scope.all()) {
    auto shared = SharedPanelActivity(ctx);
    if (!shared.ok()) return StoreError(ctx, shared.status());
    activity = *shared;
  } else {
    // A client user's own: not shared.
    auto own = ReadPanelActivity(ctx, std::nullopt, ctx.scope, /*with_scheduler=*/false);
    if (!own.ok()) return StoreError(ctx, own.status());
    activity = std::make_shared<const PanelActivity>(std::move(*own));
  }
  views::DashboardPage page;
  page.counts = activity->counts;
  page.running = activity->running;
  page.queued = activity->queued;
  page.failed = activity->failed;
  page.recent = activity->recent;
  if (ctx.IsAdmin()) {
    page.show_scheduler = true;
    page.scheduler = activity->scheduler;
    page.scheduler_error = activity->scheduler_error;
  }
  return views::Dashboard(ctx, page);
}

// ---- Operation buttons and forms ----

// The buttons of the operations an entity in this state offers.
std::vector<views::OperationButton> ButtonsFor(const Context& ctx, const std::string& entity_type, int64_t id,
                                               const std::string& status = "", int64_t site_count = 0) {
  std::vector<views::OperationButton> out;
  for (const Operation* op : ctx.catalogue.ForEntity(entity_type)) {
    if (!Offered(*op, status, site_count)) continue;
    out.push_back({op, "/" + entity_type + "s/" + std::to_string(id) + "/run/" + op->name});
  }
  return out;
}

// The entity type from the path: /servers/.., /platforms/.., /sites/..
std::string EntityOfPath(const std::string& path) {
  for (const char* t : {"server", "platform", "site"}) {
    std::string prefix = std::string("/") + t + "s/";
    if (path.rfind(prefix, 0) == 0) return t;
  }
  return "";
}

std::string LabelOf(const Target& t) {
  if (t.site) return t.site->domain;
  if (t.platform) return t.platform->name;
  return t.server.name;
}

// Maps FormResult errors to the form's per-field messages.
std::map<std::string, std::string> ErrorsByField(const FormResult& r) {
  std::map<std::string, std::string> out;
  for (const auto& e : r.errors) out[e.field] = e.message;
  return out;
}

std::map<std::string, std::string> TypedValues(const Request& req, const std::vector<VarSpec>& fields) {
  std::map<std::string, std::string> out;
  for (const auto& f : fields) {
    std::string v = req.Form(f.name);
    if (f.type == VarType::kBool && v.empty() && req.Form(f.name + "__present").empty()) continue;
    out[f.name] = v;
  }
  return out;
}

struct OperationCall {
  const Operation* op = nullptr;
  std::optional<Target> target;
  std::optional<Response> error;
};

OperationCall FindOperation(Context& ctx, Request& req) {
  OperationCall call;
  std::string type = EntityOfPath(req.path);
  auto id = ParseId(req.route["id"]);
  std::string list = "/" + type + "s";
  if (type.empty() || !id) {
    call.error = NotFound(ctx, "That " + (type.empty() ? std::string("entity") : type), list);
    return call;
  }
  call.op = ctx.catalogue.Find(req.route["operation"]);
  if (!call.op || call.op->entity != type) {
    call.error = views::Error(ctx, 404, "There is no " + type + " operation of that name.",
                              list + "/" + std::to_string(*id));
    return call;
  }
  auto target = LoadTarget(ctx, type, *id);
  if (!target.ok()) {
    call.error = target.status().code() == Code::kNotFound
                     ? NotFound(ctx, FieldLabel("aegir_" + type) + " " + std::to_string(*id), list)
                     : StoreError(ctx, target.status());
    return call;
  }
  call.target = std::move(target).value();
  if (call.target->site && !ctx.MaySee(*call.target->site)) {
    call.error = NotFound(ctx, FieldLabel("aegir_" + type) + " " + std::to_string(*id), list);
  }
  return call;
}

// Stores the operation's task and tells the scheduler (a lost message only
// delays it: the scheduler reads queued tasks). Returns the task id.
Result<int64_t> QueueOperation(Context& ctx, const Operation& op, const Target& target,
                               const std::map<std::string, nlohmann::json>& form, std::optional<int64_t> user_id) {
  auto job = StoreOperation(ctx, op, target, form, user_id);
  if (!job.ok()) return job.status();
  if (Status s = ctx.submitter.Submit(*job); !s.ok()) {
    log::Warn("task " + std::to_string(job->job_id) + " stored; the scheduler was not told yet: " + s.message());
  }
  return job->job_id;
}

Response OperationForm(Context& ctx, Request& req) {
  OperationCall call = FindOperation(ctx, req);
  if (call.error) return *call.error;
  auto choices = ChoicesFor(ctx, *call.op, *call.target);
  if (!choices.ok()) return StoreError(ctx, choices.status());
  views::FieldsForm form;
  form.fields = call.op->fields;
  form.choices = *choices;
  if (call.target->site) form.values["aegir_new_domain"] = call.target->site->domain;
  if (call.target->site) form.values["aegir_target_platform"] = call.target->site->platform_name;
  if (call.op->name == kSiteClone) form.values.erase("aegir_new_domain");
  // "Run again" from an ended task: its values, to review and submit.
  if (auto from = ParseId(req.Query("from"))) {
    auto task = store::GetTask(ctx.db, *from);
    if (!task.ok()) return StoreError(ctx, task.status());
    if (*task && (*task)->operation == call.op->name && (*task)->entity_type == call.target->entity_type &&
        (*task)->entity_id == call.target->entity_id) {
      auto vars = nlohmann::json::parse((*task)->vars_json, nullptr, false);
      for (const auto& f : call.op->fields) {
        if (!vars.is_object() || !vars.contains(f.name)) continue;
        if (auto text = FormText(vars[f.name])) form.values[f.name] = *text;
      }
    }
  }
  // A field given in the query is chosen already (a backup's Delete link):
  // checked like any value when the form is sent.
  for (const auto& f : call.op->fields) {
    if (std::string v = req.Query(f.name); !v.empty()) form.values[f.name] = v;
  }
  std::string path = "/" + call.target->entity_type + "s/" + std::to_string(call.target->entity_id);
  return views::OperationPage(ctx, *call.op, LabelOf(*call.target), path, form, {});
}

Response OperationRun(Context& ctx, Request& req) {
  OperationCall call = FindOperation(ctx, req);
  if (call.error) return *call.error;
  const Operation& op = *call.op;
  const Target& target = *call.target;
  std::string path = "/" + target.entity_type + "s/" + std::to_string(target.entity_id);
  // A site whose install failed has nothing on its servers (the install
  // rolled back): deleting it only forgets it; there is nothing to back up.
  if (op.name == kSiteDelete && target.site && target.site->status == "failed") {
    Status s = store::SetSiteStatus(ctx.db, target.site->id, "deleted");
    if (!s.ok()) return StoreError(ctx, s);
    log::Info("site " + target.site->domain + " (install failed) forgotten");
    Flash(ctx, target.site->domain + " was forgotten: its install had failed, so nothing was on its servers.");
    return Response::Redirect("/sites");
  }
  auto choices = ChoicesFor(ctx, op, target);
  if (!choices.ok()) return StoreError(ctx, choices.status());
  FormResult values = ValidateFields(op.fields, [&](const std::string& n) { return req.Form(n); }, *choices);
  std::vector<std::string> errors;
  int status = 422;
  if (values.ok()) {
    Status allowed = CheckAllowed(ctx, op, target, values.values);
    if (!allowed.ok() && allowed.code() != Code::kConflict && allowed.code() != Code::kInvalidArgument) {
      return StoreError(ctx, allowed);
    }
    if (!allowed.ok()) {
      errors.push_back(allowed.message());
      status = allowed.code() == Code::kConflict ? 409 : 422;
    }
  }
  if (!values.ok() || !errors.empty()) {
    views::FieldsForm form{op.fields, *choices, TypedValues(req, op.fields), ErrorsByField(values)};
    for (const auto& e : values.errors) errors.push_back(e.message);
    return views::OperationPage(ctx, op, LabelOf(target), path, form, errors, status);
  }
  auto task = QueueOperation(ctx, op, target, values.values, ctx.session->user_id);
  if (!task.ok()) {
    if (task.status().code() == Code::kConflict || task.status().code() == Code::kInvalidArgument) {
      views::FieldsForm form{op.fields, *choices, TypedValues(req, op.fields), {}};
      return views::OperationPage(ctx, op, LabelOf(target), path, form, {task.status().message()}, 409);
    }
    return StoreError(ctx, task.status());
  }
  Flash(ctx, op.title + " of " + LabelOf(target) + " queued as task #" + std::to_string(*task) + ".");
  return Response::Redirect("/tasks/" + std::to_string(*task));
}

// Queues an operation that follows another action (install after add,
// verify after edit), on behalf of user; a failure to queue is logged, the
// page still shows what was saved. Returns what happened, for the message
// the next page shows ("Install queued as task #12."), or "".
std::string QueueFollowUp(Context& ctx, const std::string& op_name, const std::string& entity_type, int64_t id,
                   const std::map<std::string, nlohmann::json>& form, std::optional<int64_t> user) {
  const Operation* op = ctx.catalogue.Find(op_name);
  if (!op) return "";
  auto target = LoadTarget(ctx, entity_type, id);
  if (!target.ok()) {
    log::Error("queue " + op_name + ": " + target.status().ToString());
    return "";
  }
  // The same rules as a button press; a refusal is recorded as a task that
  // did not start, so its reason shows on the entity's page.
  Status allowed = CheckAllowed(ctx, *op, *target, form);
  Result<int64_t> task = allowed.ok() ? QueueOperation(ctx, *op, *target, form, user)
                                      : RecordRefused(ctx, *op, *target, allowed.message(), user);
  if (!task.ok()) {
    log::Error("queue " + op_name + ": " + task.status().ToString());
    return op->title + " could not be queued; the details are in aegir-web's log.";
  }
  if (!allowed.ok()) return op->title + " did not start: " + allowed.message();
  return op->title + " queued as task #" + std::to_string(*task) + ".";
}

// What follows a task's success: a verified server verifies its platforms
// (as Aegir always did), on behalf of whoever verified the server.
void QueueAfterSuccess(Context& ctx, int64_t task_id) {
  auto task = store::GetTask(ctx.db, task_id);
  if (!task.ok() || !*task) return;
  if ((*task)->operation != kServerVerify) return;
  auto platforms = store::ListPlatformsOnServer(ctx.db, (*task)->entity_id);
  if (!platforms.ok()) {
    log::Error("verify the platforms of server " + std::to_string((*task)->entity_id) + ": " +
               platforms.status().ToString());
    return;
  }
  for (const auto& p : *platforms) {
    if (p.status != "enabled" && p.status != "locked") continue;
    QueueFollowUp(ctx, "platform-verify", "platform", p.id, {}, (*task)->created_by_id);
  }
}

// ---- Servers ----

// The value of a list's filter parameter `name`, one of `allowed` or "";
// false when it is something else.
bool ReadChoice(const Request& req, views::NameListPage& page, const std::string& name,
                const std::vector<std::string>& allowed) {
  std::string v = req.Query(name);
  if (!v.empty() && std::find(allowed.begin(), allowed.end(), v) == allowed.end()) return false;
  page.filters[name] = v;
  return true;
}

// /servers, /platforms: 50 a page by name; q (the name starts with it) and
// status narrow the list; after/before page through it.
Response ServerList(Context& ctx, Request& req) {
  views::NameListPage page;
  if (std::string bad = ReadNameList(req, page); !bad.empty()) return views::Error(ctx, 400, bad, "/servers");
  if (!ReadChoice(req, page, "status", {"new", "verified", "failed"})) {
    return views::Error(ctx, 400, "Status: choose new, verified, failed, or any.", "/servers");
  }
  auto servers = PageByName<store::Server>(
      page, [&](const store::NamePage& q) { return store::ListServersPage(ctx.db, q, page.filters["status"]); },
      [](const store::Server& s) { return s.name; });
  if (!servers.ok()) return StoreError(ctx, servers.status());
  return views::Servers(ctx, *servers, page);
}

bool IsServerName(const std::string& name) {
  return name.size() <= 64 && IsValidHostName(name) &&
         std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::optional<int> ParsePort(const std::string& s, bool zero_ok) {
  if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int v = std::stoi(s);
  if (v > 65535 || (v == 0 && !zero_ok)) return std::nullopt;
  return v;
}

views::ServerForm ReadServerForm(const Request& req) {
  views::ServerForm f;
  for (auto [field, name] : std::initializer_list<std::pair<std::string*, const char*>>{
           {&f.name, "name"}, {&f.hostname, "hostname"}, {&f.config_root, "config_root"},
           {&f.ssh_user, "ssh_user"}, {&f.ssh_port, "ssh_port"}, {&f.executor_label, "executor_label"},
           {&f.http_kind, "http_kind"},
           {&f.http_address, "http_address"}, {&f.http_port, "http_port"}, {&f.https_port, "https_port"},
           {&f.vhost_dir, "vhost_dir"}, {&f.reload, "reload"}, {&f.php_fpm_socket, "php_fpm_socket"},
           {&f.platforms_dir, "platforms_dir"}, {&f.db_kind, "db_kind"}, {&f.db_host, "db_host"},
           {&f.db_port, "db_port"}, {&f.db_socket, "db_socket"}, {&f.db_admin_user, "db_admin_user"},
           {&f.db_admin_defaults_file, "db_admin_defaults_file"}}) {
    *field = req.Form(name);
  }
  return f;
}

// Validates the form into a server and its services; defaults fill empty
// fields. The errors are added to form.errors.
std::pair<store::Server, std::vector<store::Service>> CheckServerForm(const Context& ctx, views::ServerForm& form) {
  store::Server server;
  std::vector<store::Service> services;
  auto& e = form.errors;
  server.name = form.name;
  server.hostname = form.hostname;
  if (!IsServerName(form.name)) {
    e.push_back("Name: use 1 to 64 lower-case letters, digits, dots and dashes (for example web1).");
  }
  if (!IsValidHostName(form.hostname)) {
    e.push_back("Host: give a host name such as localhost or web1.example.org, or an IPv4 address.");
  }
  bool local = form.hostname == "localhost" || form.hostname == "127.0.0.1";
  server.config_root = form.config_root.empty() ? (local ? ctx.config.config_root : "/var/aegir/config")
                                                : form.config_root;
  if (!IsCleanAbsolutePath(server.config_root)) e.push_back("Configuration root: give an absolute path.");
  server.ssh_user = form.ssh_user.empty() ? "aegir" : form.ssh_user;
  if (server.ssh_user.size() > 32 || !std::all_of(server.ssh_user.begin(), server.ssh_user.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      })) {
    e.push_back("SSH user: use lower-case letters, digits, '_' and '-'.");
  }
  auto ssh_port = ParsePort(form.ssh_port.empty() ? "22" : form.ssh_port, false);
  if (!ssh_port) e.push_back("SSH port: give a number from 1 to 65535.");
  server.ssh_port = ssh_port.value_or(22);
  server.executor_label = form.executor_label;
  if (!server.executor_label.empty() && !IsValidLabel(server.executor_label)) {
    e.push_back("Executors: a label is 1 to 64 lower-case letters, digits, '.', '_' and '-' (or empty: any).");
  }
  const std::string server_dir = server.config_root + "/" + server.name;
  if (!form.http_kind.empty()) {
    HttpService h;
    h.kind = form.http_kind;
    h.address = form.http_address.empty() ? (local ? "127.0.0.1" : "0.0.0.0") : form.http_address;
    auto port = ParsePort(form.http_port.empty() ? "80" : form.http_port, false);
    auto https_port = ParsePort(form.https_port.empty() ? "0" : form.https_port, true);
    if (!port) e.push_back("HTTP port: give a number from 1 to 65535.");
    if (!https_port) e.push_back("HTTPS port: give a number from 1 to 65535, or 0 for no HTTPS.");
    h.port = port.value_or(80);
    h.https_port = https_port.value_or(0);
    h.vhost_dir = form.vhost_dir.empty() ? server_dir + "/vhost.d" : form.vhost_dir;
    h.platforms_dir = form.platforms_dir.empty() ? server_dir + "/platforms" : form.platforms_dir;
    h.php_fpm_socket = form.php_fpm_socket.empty() ? "/run/php/php8.2-fpm.sock" : form.php_fpm_socket;
    h.reload = SplitArgv(form.reload.empty() ? (h.kind == "apache" ? "sudo -n /usr/sbin/apache2ctl graceful"
                                                                    : "sudo -n /usr/sbin/nginx -s reload")
                                             : form.reload);
    if (port && https_port) {
      for (const auto& msg : Validate(h)) e.push_back(msg);
    }
    services.push_back({0, 0, "http", h.kind, ToJson(h).dump()});
    form.vhost_dir = h.vhost_dir;
    form.platforms_dir = h.platforms_dir;
    form.php_fpm_socket = h.php_fpm_socket;
    form.reload = JoinArgv(h.reload);
  }
  if (!form.db_kind.empty()) {
    DbService d;
    d.kind = form.db_kind;
    d.host = form.db_host.empty() ? "localhost" : form.db_host;
    auto port = ParsePort(form.db_port.empty() ? (d.kind == "postgresql" ? "5432" : "3306") : form.db_port, false);
    if (!port) e.push_back("Database port: give a number from 1 to 65535.");
    d.port = port.value_or(3306);
    d.socket = form.db_socket;
    d.admin_user = form.db_admin_user.empty() ? (d.kind == "postgresql" ? "postgres" : "root") : form.db_admin_user;
    d.admin_defaults_file = form.db_admin_defaults_file;
    if (port) {
      for (const auto& msg : Validate(d)) e.push_back(msg);
    }
    services.push_back({0, 0, "db", d.kind, ToJson(d).dump()});
  }
  return {server, services};
}

Response ServerAddForm(Context& ctx, Request& req) {
  views::ServerForm form;
  form.hostname = "localhost";
  return views::ServerFormPage(ctx, form);
}

Response ServerAddSubmit(Context& ctx, Request& req) {
  views::ServerForm form = ReadServerForm(req);
  auto [server, services] = CheckServerForm(ctx, form);
  if (!form.errors.empty()) return views::ServerFormPage(ctx, form, 422);
  auto id = store::CreateServer(ctx.db, server, services);
  if (!id.ok()) {
    if (id.status().code() == Code::kConflict) {
      form.errors.push_back("Name: a server named " + form.name + " exists already.");
      return views::ServerFormPage(ctx, form, 409);
    }
    return StoreError(ctx, id.status());
  }
  Audit(ctx, "server-add", "server", *id, {{"name", form.name}, {"hostname", form.hostname}});
  Flash(ctx, "Server " + form.name + " added. Verify it to check that Aegir reaches it.");
  return Response::Redirect("/servers/" + std::to_string(*id));
}

// The form of an existing server, its settings as stored.
views::ServerForm ServerFormOf(const store::Server& s, const std::vector<store::Service>& services) {
  views::ServerForm f;
  f.id = s.id;
  f.name = s.name;
  f.hostname = s.hostname;
  f.config_root = s.config_root;
  f.ssh_user = s.ssh_user;
  f.ssh_port = std::to_string(s.ssh_port);
  f.executor_label = s.executor_label;
  for (const auto& sv : services) {
    if (sv.type == "http") {
      if (auto h = HttpServiceFromJson(sv.kind, sv.settings_json); h.ok()) {
        f.http_kind = h->kind;
        f.http_address = h->address;
        f.http_port = std::to_string(h->port);
        f.https_port = std::to_string(h->https_port);
        f.vhost_dir = h->vhost_dir;
        f.reload = JoinArgv(h->reload);
        f.php_fpm_socket = h->php_fpm_socket;
        f.platforms_dir = h->platforms_dir;
      }
    } else if (auto d = DbServiceFromJson(sv.kind, sv.settings_json); d.ok()) {
      f.db_kind = d->kind;
      f.db_host = d->host;
      f.db_port = std::to_string(d->port);
      f.db_socket = d->socket;
      f.db_admin_user = d->admin_user;
      f.db_admin_defaults_file = d->admin_defaults_file;
    }
  }
  return f;
}

Response ServerView(Context& ctx, Request& req) {
  store::Server server;
  if (auto missing = FindEntity(ctx, req, store::GetServer, "server", server)) return *missing;
  const int64_t id = server.id;
  auto services = store::ListServices(ctx.db, id);
  if (!services.ok()) return StoreError(ctx, services.status());
  auto platforms = store::ListPlatformsOnServer(ctx.db, id);
  if (!platforms.ok()) return StoreError(ctx, platforms.status());
  auto tasks = store::ListTasksFor(ctx.db, "server", id, 20);
  if (!tasks.ok()) return StoreError(ctx, tasks.status());
  return views::Server(ctx, server, *services, *platforms, ButtonsFor(ctx, "server", id), *tasks);
}

Response ServerForgetHostKey(Context& ctx, Request& req) {
  store::Server server;
  if (auto missing = FindEntity(ctx, req, store::GetServer, "server", server)) return *missing;
  const int64_t id = server.id;
  Status s = store::ForgetHostKey(ctx.db, id);
  if (!s.ok()) return StoreError(ctx, s);
  log::Info("host key of server " + server.name + " forgotten by " + ctx.session->user_name);
  Audit(ctx, "server-forget-host-key", "server", id, {{"name", server.name}});
  Flash(ctx, "The host key of " + server.name + " was forgotten: the next verification records the key it meets.");
  return Response::Redirect("/servers/" + std::to_string(id));
}

Response ServerEditForm(Context& ctx, Request& req) {
  store::Server server;
  if (auto missing = FindEntity(ctx, req, store::GetServer, "server", server)) return *missing;
  const int64_t id = server.id;
  auto services = store::ListServices(ctx.db, id);
  if (!services.ok()) return StoreError(ctx, services.status());
  return views::ServerFormPage(ctx, ServerFormOf(server, *services));
}

Response ServerEditSubmit(Context& ctx, Request& req) {
  store::Server existing;
  if (auto missing = FindEntity(ctx, req, store::GetServer, "server", existing)) return *missing;
  views::ServerForm form = ReadServerForm(req);
  form.id = existing.id;
  form.name = existing.name;  // a server is not renamed: its directories carry the name
  auto [server, services] = CheckServerForm(ctx, form);
  if (!form.errors.empty()) return views::ServerFormPage(ctx, form, 422);
  server.id = existing.id;
  Status s = store::UpdateServer(ctx.db, server, services);
  if (!s.ok()) return StoreError(ctx, s);
  nlohmann::json changed = {{"hostname", form.hostname},         {"ssh_user", form.ssh_user},
                            {"ssh_port", form.ssh_port},         {"executor_label", form.executor_label},
                            {"http", form.http_kind},            {"reload", form.reload},
                            {"db", form.db_kind},                {"db_admin_user", form.db_admin_user}};
  Audit(ctx, "server-edit", "server", server.id, changed);
  Flash(ctx, "Settings saved. " + QueueFollowUp(ctx, kServerVerify, "server", server.id, {}, ctx.session->user_id));
  return Response::Redirect("/servers/" + std::to_string(server.id));
}

// ---- Platforms ----

bool IsPlatformName(const std::string& n) {
  return !n.empty() && n.size() <= 64 && n[0] != '.' && n[0] != '-' &&
         std::all_of(n.begin(), n.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
         }) &&
         n.find("..") == std::string::npos;
}

// git URLs with an allowed scheme (https, ssh, git, file) or scp-like
// user@host:path. The host must start with a letter or digit: git hands it
// to ssh, which would read "-oProxyCommand=..." as an option. No password
// or token in the URL: secrets are never typed into Aegir.
bool IsGitUrl(const std::string& u) {
  static const std::regex forms(
      "^(https|git)://[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?/[A-Za-z0-9._~/%+-]*$"
      "|^ssh://([a-z_][a-z0-9_.-]*@)?[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?/[A-Za-z0-9._~/%+-]*$"
      "|^file:///[A-Za-z0-9._~/%+-]+$"
      "|^[a-z_][a-z0-9_.-]*@[A-Za-z0-9][A-Za-z0-9.-]*:[A-Za-z0-9._~/-]+$");
  return IsCleanText(u, 1024) && std::regex_match(u, forms) && u.find("/../") == std::string::npos;
}

bool IsGitRef(const std::string& r) {
  static const std::regex ref("^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$");
  return std::regex_match(r, ref) && r.find("..") == std::string::npos;
}

Result<std::vector<store::Server>> WebServers(Context& ctx) {
  auto servers = store::ListServers(ctx.db);
  if (!servers.ok()) return servers.status();
  auto http = store::ListServicesOfType(ctx.db, "http");
  if (!http.ok()) return http.status();
  std::vector<store::Server> out;
  for (const auto& s : *servers) {
    if (std::any_of(http->begin(), http->end(), [&](const store::Service& h) { return h.server_id == s.id; })) {
      out.push_back(s);
    }
  }
  return out;
}

Response PlatformList(Context& ctx, Request& req) {
  views::NameListPage page;
  if (std::string bad = ReadNameList(req, page); !bad.empty()) return views::Error(ctx, 400, bad, "/platforms");
  if (!ReadChoice(req, page, "status", {"new", "enabled", "locked", "failed"})) {
    return views::Error(ctx, 400, "Status: choose new, enabled, locked, failed, or any.", "/platforms");
  }
  auto platforms = PageByName<store::Platform>(
      page, [&](const store::NamePage& q) { return store::ListPlatformsPage(ctx.db, q, page.filters["status"]); },
      [](const store::Platform& p) { return p.name; });
  if (!platforms.ok()) return StoreError(ctx, platforms.status());
  return views::Platforms(ctx, *platforms, page);
}

Response PlatformAddForm(Context& ctx, Request& req) {
  auto servers = WebServers(ctx);
  if (!servers.ok()) return StoreError(ctx, servers.status());
  auto dists = store::ListDistributions(ctx.db);
  if (!dists.ok()) return StoreError(ctx, dists.status());
  views::PlatformForm form;
  form.source_path = "/usr/share/wordpress";
  for (const auto& d : *dists) {
    if (d.installer == "wordpress") form.distribution_id = d.id;
  }
  return views::PlatformFormPage(ctx, form, *servers, *dists);
}

Response PlatformAddSubmit(Context& ctx, Request& req) {
  auto servers = WebServers(ctx);
  if (!servers.ok()) return StoreError(ctx, servers.status());
  auto dists = store::ListDistributions(ctx.db);
  if (!dists.ok()) return StoreError(ctx, dists.status());
  views::PlatformForm form;
  form.name = req.Form("name");
  form.source = req.Form("source");
  form.git_url = req.Form("git_url");
  form.git_ref = req.Form("git_ref");
  form.source_path = req.Form("source_path");
  form.server_id = ParseId(req.Form("server_id")).value_or(0);
  form.distribution_id = ParseId(req.Form("distribution_id")).value_or(0);
  auto& e = form.errors;
  if (!IsPlatformName(form.name)) {
    e.push_back("Name: use 1 to 64 lower-case letters, digits, '.', '_' and '-', not starting with '.' or '-'.");
  }
  if (std::none_of(servers->begin(), servers->end(), [&](const auto& s) { return s.id == form.server_id; })) {
    e.push_back("Web server: choose one of the servers with a web server.");
  }
  if (std::none_of(dists->begin(), dists->end(), [&](const auto& d) { return d.id == form.distribution_id; })) {
    e.push_back("Distribution: choose one of the list.");
  }
  if (form.source == "git") {
    if (!IsGitUrl(form.git_url)) {
      e.push_back(
          "Repository URL: give an https://, ssh://, git:// or file:/// URL, or user@host:path (the host starting "
          "with a letter or digit, no password or token in it).");
    }
    if (form.git_ref.empty()) form.git_ref = "main";
    if (!IsGitRef(form.git_ref)) e.push_back("Branch, tag or commit: letters, digits, '.', '_', '/' and '-' only.");
    form.source_path.clear();
  } else if (form.source == "path") {
    if (!IsCleanAbsolutePath(form.source_path) || form.source_path == "/") {
      e.push_back("Directory: give the absolute path of the directory to copy, e.g. /usr/share/wordpress.");
    }
    form.git_url.clear();
    form.git_ref.clear();
  } else {
    e.push_back("Code from: choose a directory or a git repository.");
  }
  if (!e.empty()) return views::PlatformFormPage(ctx, form, *servers, *dists, 422);
  store::NewPlatform p{form.name, form.distribution_id, form.server_id, form.source,
                       form.git_url, form.git_ref, form.source_path};
  auto id = store::CreatePlatform(ctx.db, p);
  if (!id.ok()) {
    if (id.status().code() == Code::kConflict) {
      e.push_back("Name: a platform named " + form.name + " exists already.");
      return views::PlatformFormPage(ctx, form, *servers, *dists, 409);
    }
    return StoreError(ctx, id.status());
  }
  Audit(ctx, "platform-add", "platform", *id,
        {{"name", form.name}, {"server_id", form.server_id}, {"source", form.source}, {"git_url", form.git_url},
         {"git_ref", form.git_ref}, {"source_path", form.source_path}});
  Flash(ctx, "Platform " + form.name + " added. " +
                 QueueFollowUp(ctx, kPlatformDeploy, "platform", *id, {}, ctx.session->user_id));
  return Response::Redirect("/platforms/" + std::to_string(*id));
}

Response PlatformView(Context& ctx, Request& req) {
  store::Platform platform;
  if (auto missing = FindEntity(ctx, req, store::GetPlatform, "platform", platform)) return *missing;
  const int64_t id = platform.id;
  store::SiteFilter on_platform;
  on_platform.platform_id = id;
  auto sites = store::ListSites(ctx.db, on_platform, "", "", kSitesShownOnPage);
  if (!sites.ok()) return StoreError(ctx, sites.status());
  auto tasks = store::ListTasksFor(ctx.db, "platform", id, 20);
  if (!tasks.ok()) return StoreError(ctx, tasks.status());
  std::vector<views::OperationButton> buttons;
  if (platform.status != "deleted") {
    buttons = ButtonsFor(ctx, "platform", id, platform.status, platform.site_count);
  }
  return views::Platform(ctx, platform, *sites, buttons, *tasks);
}

// ---- Sites ----

constexpr int kSitesPerPage = 50;
// How long a page read for the users who see the whole panel is shared
// (shared_reading.h), and how many of the site list's pages (SiteList).
constexpr std::chrono::seconds kSharedPageMaxAge{1};
constexpr size_t kSharedListPages = 64;
constexpr size_t kSharedSitePages = 256;  // sites' own pages (SiteView)
constexpr size_t kMaxDomainBytes = 253;

// The page of sites after or before the given domain (neither: the first),
// with whether there are more.
Result<views::SiteListPage> ReadSiteList(Context& ctx, views::SiteListPage page, std::string after,
                                          std::string before) {
  // One more than a page: whether there is a page beyond this one.
  const store::SiteFilter& f = page.filter;
  auto sites = store::ListSites(ctx.db, f, after, before, kSitesPerPage + 1, ctx.scope);
  if (!sites.ok()) return sites.status();
  const bool more = sites->size() > static_cast<size_t>(kSitesPerPage);
  if (!before.empty() && !more) {
    // Back at the start: the first page, full.
    before.clear();
    sites = store::ListSites(ctx.db, f, "", "", kSitesPerPage + 1, ctx.scope);
    if (!sites.ok()) return sites.status();
    if (sites->size() > static_cast<size_t>(kSitesPerPage)) {
      sites->pop_back();
      page.next_after = sites->back().domain;
    }
  } else if (!before.empty()) {
    sites->erase(sites->begin());  // the extra one is before this page
    page.prev_before = sites->front().domain;
    page.next_after = sites->back().domain;
  } else {
    if (more) {
      sites->pop_back();
      page.next_after = sites->back().domain;
    }
    // Past the last site (they were deleted meanwhile): Previous leads to the last page.
    if (!after.empty()) page.prev_before = sites->empty() ? after : sites->front().domain;
  }
  page.first = after.empty() && before.empty();
  page.sites = std::move(*sites);
  return page;
}

// /sites: 50 live sites a page in domain order. The query's parameters:
// q (the domain starts with it), status, platform and client (ids) narrow
// the list; after=<domain> starts the page after that domain (Next),
// before=<domain> ends it before (Previous). A bad one is answered 400 with
// what is wrong.
Response SiteList(Context& ctx, Request& req) {
  auto bad = [&](const std::string& message) { return views::Error(ctx, 400, message, "/sites"); };
  views::SiteListPage page;
  store::SiteFilter& f = page.filter;
  f.prefix = req.Query("q");
  f.prefix.erase(0, f.prefix.find_first_not_of(' '));
  f.prefix.erase(f.prefix.find_last_not_of(' ') + 1);
  if (!IsCleanText(f.prefix, kMaxDomainBytes)) {
    return bad("Search: give the start of a domain name, at most 253 characters (UTF-8, no control characters).");
  }
  f.status = req.Query("status");
  const auto& statuses = store::kListedSiteStatuses;
  if (!f.status.empty() && std::find(statuses.begin(), statuses.end(), f.status) == statuses.end()) {
    return bad("Status: choose one of " + Join(statuses, ", ") + ", or any.");
  }
  for (auto [name, id] :
       {std::pair<const char*, std::optional<int64_t>*>{"platform", &f.platform_id}, {"client", &f.client_id}}) {
    if (std::string v = req.Query(name); !v.empty()) {
      *id = ParseId(v);
      if (!*id) return bad(std::string("The '") + name + "' parameter must be a " + name + " number.");
    }
  }
  std::string after = req.Query("after"), before = req.Query("before");
  if (!after.empty() && !before.empty()) return bad("Give either 'after' or 'before', not both.");
  if (!IsCleanText(after, kMaxDomainBytes) || !IsCleanText(before, kMaxDomainBytes)) {
    return bad("The 'after' and 'before' parameters must be domain names.");
  }
  // Users who see the whole panel share the pages read within the last
  // second (shared_reading.h): under load the list costs no statement and
  // its rows are not rendered again. A client user's list is their own.
  static SharedReadings<views::SiteListPage> shared(kSharedPageMaxAge, kSharedListPages);
  const char sep = '\x1f';  // not in any of the (clean) parameters
  const bool admin = ctx.IsAdmin();
  const std::string key = f.prefix + sep + f.status + sep + (f.platform_id ? std::to_string(*f.platform_id) : "") +
                          sep + (f.client_id ? std::to_string(*f.client_id) : "") + sep + after + sep + before + sep +
                          (admin ? "admin" : "user");
  auto read = shared.Get(
      key,
      [&]() -> Result<views::SiteListPage> {
        auto fresh = ReadSiteList(ctx, page, after, before);
        if (fresh.ok()) {  // rendered with the reading, once
          fresh->rows_html = views::SiteRows(fresh->sites, admin);
          fresh->rows_for_admin = admin;
        }
        return fresh;
      },
      /*share=*/ctx.scope.all());
  if (!read.ok()) return StoreError(ctx, read.status());
  return views::Sites(ctx, **read);
}

Result<views::SiteFormChoices> SiteChoices(Context& ctx) {
  views::SiteFormChoices c;
  auto platforms = store::ListPlatforms(ctx.db, ctx.scope);
  if (!platforms.ok()) return platforms.status();
  for (const auto& p : *platforms) {
    if (p.status == "enabled") c.platforms.push_back(p);
  }
  auto servers = store::ListServers(ctx.db);
  if (!servers.ok()) return servers.status();
  auto db = store::ListServicesOfType(ctx.db, "db");
  if (!db.ok()) return db.status();
  for (const auto& s : *servers) {
    if (std::any_of(db->begin(), db->end(), [&](const store::Service& d) { return d.server_id == s.id; })) {
      c.db_servers.push_back(s);
    }
  }
  auto clients = store::ListClients(ctx.db, ctx.scope);
  if (!clients.ok()) return clients.status();
  c.clients = *clients;
  return c;
}

// Aliases typed one per line (or comma-separated); each a domain name.
std::vector<store::Alias> ParseAliases(const std::string& text, bool redirect, const std::string& label,
                                       std::vector<std::string>& errors) {
  std::vector<store::Alias> out;
  std::string cur;
  auto flush = [&]() {
    std::string a;
    for (char c : cur) {
      if (c != ' ' && c != '\t' && c != '\r') a += c;
    }
    cur.clear();
    if (a.empty()) return;
    if (!IsDomainName(a)) {
      errors.push_back(label + ": '" + a + "' is not a lower-case domain name.");
    } else {
      out.push_back({a, redirect});
    }
  };
  for (char c : text) {
    if (c == '\n' || c == ',') {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  if (out.size() > 50) errors.push_back(label + ": at most 50.");
  return out;
}

std::string JoinAliases(const std::vector<store::Alias>& aliases, bool redirect) {
  std::string out;
  for (const auto& a : aliases) {
    if (a.redirect == redirect) out += a.alias + "\n";
  }
  return out;
}

// Checks the part of the site form that add and edit share; the aliases are
// returned.
std::vector<store::Alias> CheckSiteCommon(Context& ctx, views::SiteForm& form, const views::SiteFormChoices& choices,
                                          int64_t site_id, int64_t platform_id) {
  auto& e = form.errors;
  if (form.https != "off" && form.https != "on" && form.https != "required") {
    e.push_back("HTTPS: choose one of the list.");
  } else if (form.https != "off" && platform_id > 0) {
    // HTTPS needs a web server that listens for it.
    auto target = LoadTarget(ctx, "platform", platform_id);
    if (target.ok() && target->http && target->http->https_port == 0) {
      e.push_back("HTTPS: the web server of this site (" + target->server.name +
                  ") has no HTTPS port; set one in its settings first, or choose off.");
    }
  }
  if (std::none_of(choices.clients.begin(), choices.clients.end(),
                   [&](const auto& c) { return c.id == form.client_id; })) {
    e.push_back("Client: choose one of the list.");
  }
  auto aliases = ParseAliases(form.aliases, false, "Aliases", e);
  auto redirects = ParseAliases(form.redirects, true, "Redirected aliases", e);
  aliases.insert(aliases.end(), redirects.begin(), redirects.end());
  std::set<std::string> seen{form.domain};
  for (const auto& a : aliases) {
    if (!seen.insert(a.alias).second) {
      e.push_back("Aliases: " + a.alias + " is given twice (or is the site's own domain).");
      continue;
    }
    auto used = store::DomainInUse(ctx.db, a.alias, site_id);
    if (used.ok() && *used) e.push_back("Aliases: " + a.alias + " is already used by the site " + **used + ".");
  }
  return aliases;
}

Response SiteAddForm(Context& ctx, Request& req) {
  auto choices = SiteChoices(ctx);
  if (!choices.ok()) return StoreError(ctx, choices.status());
  views::SiteForm form;
  form.platform_id = ParseId(req.Query("platform")).value_or(0);
  if (!choices->db_servers.empty()) form.db_server_id = choices->db_servers.front().id;
  if (!choices->clients.empty()) form.client_id = choices->clients.front().id;
  for (const auto& c : choices->clients) {
    if (c.name == "default") form.client_id = c.id;
  }
  if (const Operation* install = ctx.catalogue.Find(kSiteInstall)) form.install.fields = install->fields;
  return views::SiteFormPage(ctx, form, *choices);
}

Response SiteAddSubmit(Context& ctx, Request& req) {
  auto choices = SiteChoices(ctx);
  if (!choices.ok()) return StoreError(ctx, choices.status());
  const Operation* install = ctx.catalogue.Find(kSiteInstall);
  views::SiteForm form;
  form.domain = req.Form("domain");
  form.profile = req.Form("profile");
  form.https = req.Form("https");
  form.aliases = req.Form("aliases");
  form.redirects = req.Form("redirects");
  form.platform_id = ParseId(req.Form("platform_id")).value_or(0);
  form.db_server_id = ParseId(req.Form("db_server_id")).value_or(0);
  form.client_id = ParseId(req.Form("client_id")).value_or(0);
  if (form.https.empty()) form.https = "off";
  if (!ctx.IsAdmin()) {
    // Client users do not choose servers: the platform's own server when it
    // has a database service, else the first that has one.
    form.db_server_id = choices->db_servers.empty() ? 0 : choices->db_servers.front().id;
    for (const auto& p : choices->platforms) {
      if (p.id != form.platform_id) continue;
      for (const auto& d : choices->db_servers) {
        if (d.id == p.server_id) form.db_server_id = d.id;
      }
    }
  }
  auto& e = form.errors;
  if (!IsDomainName(form.domain)) {
    e.push_back("Domain: give a lower-case domain name with at least one dot, such as blog.example.org.");
  }
  if (std::none_of(choices->platforms.begin(), choices->platforms.end(),
                   [&](const auto& p) { return p.id == form.platform_id; })) {
    e.push_back("Platform: choose one of the enabled platforms (a locked platform takes no new sites).");
  }
  if (std::none_of(choices->db_servers.begin(), choices->db_servers.end(),
                   [&](const auto& s) { return s.id == form.db_server_id; })) {
    e.push_back("Database server: choose one of the servers with a database service.");
  }
  static const std::regex kProfile("^[a-z][a-z0-9_]{0,63}$");
  if (!form.profile.empty() && !std::regex_match(form.profile, kProfile)) {
    e.push_back("Install profile: lower-case letters, digits and '_' (e.g. standard).");
  }
  auto aliases = CheckSiteCommon(ctx, form, *choices, 0, form.platform_id);
  FormResult install_values;
  if (install) {
    form.install.fields = install->fields;
    install_values = ValidateFields(install->fields, [&](const std::string& n) { return req.Form(n); });
    form.install.values = TypedValues(req, install->fields);
    form.install.errors = ErrorsByField(install_values);
    for (const auto& err : install_values.errors) e.push_back(err.message);
  }
  if (IsDomainName(form.domain)) {
    auto used = store::DomainInUse(ctx.db, form.domain, 0);
    if (!used.ok()) return StoreError(ctx, used.status());
    if (*used) e.push_back("Domain: " + form.domain + " is already used by the site " + **used + ".");
  }
  if (!e.empty()) return views::SiteFormPage(ctx, form, *choices, 422);
  store::NewSite ns{form.domain, form.platform_id, form.db_server_id, form.client_id, form.profile, form.https,
                    aliases};
  auto id = store::CreateSite(ctx.db, ns);
  if (!id.ok()) {
    if (id.status().code() == Code::kConflict) {
      e.push_back("Domain: the site " + form.domain + " exists already.");
      return views::SiteFormPage(ctx, form, *choices, 409);
    }
    return StoreError(ctx, id.status());
  }
  Audit(ctx, "site-add", "site", *id,
        {{"domain", form.domain}, {"platform_id", form.platform_id}, {"client_id", form.client_id},
         {"https", form.https}});
  Flash(ctx, "Site " + form.domain + " added. " +
                 QueueFollowUp(ctx, kSiteInstall, "site", *id, install_values.values, ctx.session->user_id));
  return Response::Redirect("/sites/" + std::to_string(*id));
}

// What the site page shows of a site, read together.
struct SitePageReading {
  store::Site site;
  std::vector<store::Alias> aliases;
  std::vector<store::Backup> backups;
  std::vector<store::Task> tasks;
};

Result<SitePageReading> ReadSitePage(Context& ctx, store::Site site) {
  SitePageReading r;
  r.site = std::move(site);
  auto aliases = store::ListAliases(ctx.db, r.site.id);
  if (!aliases.ok()) return aliases.status();
  r.aliases = std::move(*aliases);
  auto backups = store::ListBackups(ctx.db, r.site.id);
  if (!backups.ok()) return backups.status();
  r.backups = std::move(*backups);
  auto tasks = store::ListTasksFor(ctx.db, "site", r.site.id, 20);
  if (!tasks.ok()) return tasks.status();
  r.tasks = std::move(*tasks);
  return r;
}

Response SiteView(Context& ctx, Request& req) {
  // Shared by the users who see the whole panel, as the site list's pages
  // are (SiteList): a site's page costs them no statement while shared.
  static SharedReadings<SitePageReading> shared(kSharedPageMaxAge, kSharedSitePages);
  std::optional<Response> missing;  // the answer when there is no such site to see
  auto read = shared.Get(
      req.route["id"],
      [&]() -> Result<SitePageReading> {
        store::Site site;
        missing = FindEntity(ctx, req, store::GetSite, "site", site);
        if (missing) return Status::NotFound("no such site");
        return ReadSitePage(ctx, std::move(site));
      },
      /*share=*/ctx.scope.all());
  if (missing) return *missing;
  if (!read.ok()) return StoreError(ctx, read.status());
  const SitePageReading* page = read->get();
  const store::Site& site = page->site;
  std::vector<views::OperationButton> buttons;
  if (site.status != "deleted") buttons = ButtonsFor(ctx, "site", site.id, site.status);
  // An operation that chooses one of the site's backups (Restore, Delete a
  // backup) has nothing to offer before the first backup.
  if (page->backups.empty()) {
    std::erase_if(buttons, [](const views::OperationButton& b) {
      return std::any_of(b.op->fields.begin(), b.op->fields.end(),
                         [](const auto& f) { return f.name == "aegir_backup_file"; });
    });
  }
  return views::Site(ctx, site, page->aliases, page->backups, buttons, page->tasks);
}

Response SiteEditForm(Context& ctx, Request& req) {
  store::Site site;
  if (auto missing = FindEntity(ctx, req, store::GetSite, "site", site, false)) return *missing;
  const int64_t id = site.id;
  auto aliases = store::ListAliases(ctx.db, id);
  if (!aliases.ok()) return StoreError(ctx, aliases.status());
  auto choices = SiteChoices(ctx);
  if (!choices.ok()) return StoreError(ctx, choices.status());
  views::SiteForm form;
  form.id = id;
  form.domain = site.domain;
  form.https = site.https;
  form.client_id = site.client_id;
  form.aliases = JoinAliases(*aliases, false);
  form.redirects = JoinAliases(*aliases, true);
  return views::SiteFormPage(ctx, form, *choices);
}

Response SiteEditSubmit(Context& ctx, Request& req) {
  store::Site site;
  if (auto missing = FindEntity(ctx, req, store::GetSite, "site", site, false)) return *missing;
  const int64_t id = site.id;
  auto choices = SiteChoices(ctx);
  if (!choices.ok()) return StoreError(ctx, choices.status());
  views::SiteForm form;
  form.id = id;
  form.domain = site.domain;
  form.https = req.Form("https");
  form.client_id = ParseId(req.Form("client_id")).value_or(0);
  form.aliases = req.Form("aliases");
  form.redirects = req.Form("redirects");
  auto aliases = CheckSiteCommon(ctx, form, *choices, id, site.platform_id);
  if (site.status == "queued") form.errors.push_back("The site is being installed; edit it when that has ended.");
  if (!form.errors.empty()) return views::SiteFormPage(ctx, form, *choices, 422);
  Status s = store::UpdateSite(ctx.db, id, form.https, form.client_id, aliases);
  if (!s.ok()) return StoreError(ctx, s);
  nlohmann::json alias_list = nlohmann::json::array();
  for (const auto& a : aliases) alias_list.push_back({{"alias", a.alias}, {"redirect", a.redirect}});
  Audit(ctx, "site-edit", "site", id, {{"https", form.https}, {"client_id", form.client_id}, {"aliases", alias_list}});
  Flash(ctx, "Saved. " + QueueFollowUp(ctx, kSiteVerify, "site", id, {}, ctx.session->user_id));
  return Response::Redirect("/sites/" + std::to_string(id));
}

// ---- Clients ----

// The clients' list by name (q, after, before as on /servers).
Result<std::vector<store::Client>> ClientPage(Context& ctx, views::NameListPage& page) {
  return PageByName<store::Client>(
      page, [&](const store::NamePage& q) { return store::ListClientsPage(ctx.db, q); },
      [](const store::Client& c) { return c.name; });
}

Response ClientList(Context& ctx, Request& req) {
  views::NameListPage page;
  if (std::string bad = ReadNameList(req, page); !bad.empty()) return views::Error(ctx, 400, bad, "/clients");
  auto clients = ClientPage(ctx, page);
  if (!clients.ok()) return StoreError(ctx, clients.status());
  return views::Clients(ctx, *clients, "", "", 200, page);
}

Response ClientAdd(Context& ctx, Request& req) {
  std::string name = req.Form("name");
  views::NameListPage page;
  auto clients = ClientPage(ctx, page);
  if (!clients.ok()) return StoreError(ctx, clients.status());
  if (name.empty() || !IsCleanText(name, 64)) {
    return views::Clients(ctx, *clients, name, "Name: give 1 to 64 characters, without line breaks.", 422, page);
  }
  auto id = store::CreateClient(ctx.db, name);
  if (!id.ok()) {
    if (id.status().code() == Code::kConflict) {
      return views::Clients(ctx, *clients, name, "Name: a client named " + name + " exists already.", 409, page);
    }
    return StoreError(ctx, id.status());
  }
  Audit(ctx, "client-add", "client", *id, {{"name", name}});
  Flash(ctx, "Client " + name + " added. Tick the platforms its users may use below.");
  return Response::Redirect("/clients/" + std::to_string(*id));
}

// ---- Tasks ----

constexpr int kTasksPerPage = 50;
constexpr int kLogLinesPerPage = 2000;

// /tasks: 50 tasks a page, newest first. The query's parameters: state,
// operation, and one of server, platform or site (an id) narrow the list;
// before=<id> starts the page below that task (Older), after=<id> ends it
// above (Newer). A bad one is answered 400 with what is wrong.
Response TaskList(Context& ctx, Request& req) {
  auto bad = [&](const std::string& message) { return views::Error(ctx, 400, message, "/tasks"); };
  views::TaskListPage page;
  store::TaskFilter& f = page.filter;
  IdPageKeys keys;
  if (std::string wrong = ReadIdPageKeys(req, "a task number", keys); !wrong.empty()) return bad(wrong);
  f.state = req.Query("state");
  const auto& states = store::kTaskStates;
  if (!f.state.empty() && std::find(states.begin(), states.end(), f.state) == states.end()) {
    return bad("State: choose one of " + Join(states, ", ") + ", or any.");
  }
  f.operation = req.Query("operation");
  if (!f.operation.empty() && !ctx.catalogue.Find(f.operation)) {
    return bad("Operation: choose one of the list.");
  }
  for (const char* type : {"server", "platform", "site"}) {
    std::string v = req.Query(type);
    if (v.empty()) continue;
    if (f.entity_id) return bad("Give one of 'server', 'platform' and 'site', not two.");
    f.entity_id = ParseId(v);
    if (!f.entity_id) return bad(std::string("The '") + type + "' parameter must be a " + type + " number.");
    f.entity_type = type;
  }
  // The entity's name for the page; one a user may not see narrows to
  // nothing (a client user sees only their own sites' tasks).
  bool hidden = false;
  if (f.entity_id) {
    auto target = LoadTarget(ctx, f.entity_type, *f.entity_id);
    if (target.ok()) {
      page.entity_label = LabelOf(*target);
      hidden = target->site ? !ctx.MaySee(*target->site) : !ctx.IsAdmin();
    } else if (target.status().code() != Code::kNotFound) {
      return StoreError(ctx, target.status());
    }
    if (hidden) page.entity_label.clear();
  }
  if (!hidden) {
    auto tasks = store::ListTasks(ctx.db, f, keys.before, kTasksPerPage + 1, ctx.scope, keys.after);
    if (!tasks.ok()) return StoreError(ctx, tasks.status());
    page.tasks = std::move(*tasks);
  }
  TrimIdPage(page.tasks, kTasksPerPage, keys, page.newer_after, page.older_before);
  page.first = keys.first();
  return views::Tasks(ctx, page);
}

// The 'after' query parameter: a log sequence number, 0 when absent.
std::optional<int64_t> ParseAfter(const Request& req) {
  std::string a = req.Query("after");
  if (a.empty() || a == "0") return 0;
  return ParseId(a);
}

// Whether the current user may see the task: admins all; client users the
// tasks on their clients' sites.
Result<bool> MaySeeTask(Context& ctx, const store::Task& task) {
  if (ctx.IsAdmin()) return true;
  if (task.entity_type != "site") return false;
  auto site = store::GetSite(ctx.db, task.entity_id);
  if (!site.ok()) return site.status();
  return *site && ctx.MaySee(**site);
}

// The task the route's {id} names, if this user may see it; otherwise the
// page to answer (404 alike for unknown and not theirs).
std::optional<Response> FindTask(Context& ctx, Request& req, store::Task& out) {
  std::optional<Response> error;
  auto found = FindById(ctx, req, store::GetTask, "task", out, [&](const store::Task& t) {
    auto visible = MaySeeTask(ctx, t);
    if (!visible.ok()) error = StoreError(ctx, visible.status());
    return visible.ok() && *visible;
  });
  return error ? error : found;
}

Response TaskView(Context& ctx, Request& req) {
  auto after = ParseAfter(req);
  if (!after) return views::Error(ctx, 400, "The 'after' parameter must be a line number.", "/tasks");
  store::Task task;
  if (auto missing = FindTask(ctx, req, task)) return *missing;
  const int64_t id = task.id;
  auto lines = store::GetLog(ctx.db, id, *after, kLogLinesPerPage + 1);
  if (!lines.ok()) return StoreError(ctx, lines.status());
  bool more = lines->size() > static_cast<size_t>(kLogLinesPerPage);
  if (more) lines->pop_back();
  // A long log: a link straight to its last page.
  int64_t last_page = 0;
  if (more) {
    auto last = store::LastLogSeq(ctx.db, id);
    if (!last.ok()) return StoreError(ctx, last.status());
    last_page = std::max<int64_t>(0, *last - kLogLinesPerPage);
  }
  return views::Task(ctx, task, *lines, *after, more, kLogLinesPerPage, last_page);
}

// Stops a queued task at once; asks the executor running a running one to
// stop it (it ends "cancelled" when its process group is gone). The database
// is changed first, so the cancel holds even when the scheduler does not
// answer now: it reads cancelled and cancel-requested tasks when it sweeps.
Response TaskCancel(Context& ctx, Request& req) {
  store::Task task;
  if (auto missing = FindTask(ctx, req, task)) return *missing;
  const int64_t id = task.id;
  auto was = tasks::Cancel(ctx.db, id);
  if (!was.ok()) return StoreError(ctx, was.status());
  if (was->empty()) return NotFound(ctx, "Task " + std::to_string(id), "/tasks");
  const std::string page = "/tasks/" + std::to_string(id);
  if (*was != "queued" && *was != "running") {
    return views::Error(ctx, 409, "Task " + std::to_string(id) + " has ended already (" + *was + ").", page);
  }
  Audit(ctx, "task-cancel", task.entity_type, task.entity_id, {{"task_id", id}, {"was", *was}});
  if (Status s = ctx.submitter.Cancel(id); !s.ok()) {
    log::Warn("task " + std::to_string(id) + ": cancel stored; the scheduler was not told yet: " + s.message());
  }
  Flash(ctx, *was == "queued" ? "Task #" + std::to_string(id) + " cancelled before it started."
                              : "Asked the executor to stop task #" + std::to_string(id) + ".");
  return Response::Redirect(page);
}

Response TaskLogPoll(Context& ctx, Request& req) {
  auto id = ParseId(req.route["id"]);
  auto after = ParseAfter(req);
  if (!id || !after) return Response::Json(400, R"({"error":"bad task or line number"})");
  auto task = store::GetTask(ctx.db, *id);
  if (!task.ok() || !*task) return Response::Json(task.ok() ? 404 : 503, R"({"error":"task not available"})");
  auto visible = MaySeeTask(ctx, **task);
  if (!visible.ok() || !*visible) return Response::Json(visible.ok() ? 404 : 503, R"({"error":"task not available"})");
  auto lines = store::GetLog(ctx.db, *id, *after, kLogLinesPerPage);
  if (!lines.ok()) return Response::Json(503, R"({"error":"log not available"})");
  return views::TaskLogJson(**task, *lines);
}

// ---- Feedback API (executors) ----

Response JsonError(int status, const std::string& message) {
  nlohmann::json j = {{"error", message}};
  return Response::Json(status, j.dump());
}

// Checks the bearer token against the task's stored hash. On success fills task.
std::optional<Response> AuthorizeFeedback(Context& ctx, Request& req, store::TaskAuth& task) {
  auto id = ParseId(req.route["id"]);
  if (!id) return JsonError(404, "no such task");
  std::string auth = req.Header("authorization");
  const std::string prefix = "Bearer ";
  if (auth.rfind(prefix, 0) != 0 || auth.size() != prefix.size() + 64) {
    return JsonError(401, "missing or malformed bearer token");
  }
  auto t = store::GetTaskAuth(ctx.db, *id);
  if (!t.ok()) return JsonError(503, "database unavailable");
  if (!*t) return JsonError(404, "no such task");
  if (!crypto::ConstantTimeEquals(crypto::Sha256Hex(auth.substr(prefix.size())), (*t)->feedback_token_hash)) {
    return JsonError(401, "wrong token for this task");
  }
  // A token is good while its task runs and for a short grace after (late
  // lines get a clear 409); then it is worth nothing.
  if ((*t)->ended_s_ago > kFeedbackGraceS) return JsonError(401, "this task's token has expired");
  task = **t;
  return std::nullopt;
}

Response FeedbackStart(Context& ctx, Request& req) {
  store::TaskAuth task;
  if (auto err = AuthorizeFeedback(ctx, req, task)) return *err;
  auto ok = store::MarkTaskRunning(ctx.db, task.id);
  if (!ok.ok()) return JsonError(503, "database unavailable");
  if (!*ok) return JsonError(409, "the task has ended");
  return Response::Json(200, R"({"ok":true})");
}

Response FeedbackLog(Context& ctx, Request& req) {
  store::TaskAuth task;
  if (auto err = AuthorizeFeedback(ctx, req, task)) return *err;
  if (views::IsFinalState(task.state)) return JsonError(409, "the task has ended; its log is closed");
  auto post = ParseLogPost(req.body);
  if (!post.ok()) return JsonError(400, post.status().message());
  if (task.state == "queued") {
    // Its start was not heard of: this post changes what pages show (its
    // route does not end a write generation by itself).
    (void)store::MarkTaskRunning(ctx.db, task.id);
    WriteGeneration::End();
  }
  Status s = store::AppendLog(ctx.db, task.id, post->first_seq, post->lines);
  if (!s.ok()) {
    log::Error(s.ToString());
    return JsonError(503, "the log could not be stored");
  }
  return Response::Json(200, R"({"ok":true})");
}

Response FeedbackFinish(Context& ctx, Request& req) {
  store::TaskAuth task;
  if (auto err = AuthorizeFeedback(ctx, req, task)) return *err;
  auto post = ParseFinishPost(req.body);
  if (!post.ok()) return JsonError(400, post.status().message());
  const std::string& state = post->state;
  auto ok = tasks::Finish(ctx.db, task.id, state, post->exit_code, post->reason);
  if (!ok.ok()) {
    log::Error(ok.status().ToString());
    return JsonError(503, "the result could not be stored");
  }
  if (!*ok) return JsonError(409, "the task has ended already");
  if (!post->recap.is_null()) {
    if (Status s = store::SetTaskRecap(ctx.db, task.id, post->recap.dump()); !s.ok()) log::Error(s.ToString());
  }
  log::Info("task " + std::to_string(task.id) + " (" + task.operation + ") " + state);
  if (state == "succeeded") QueueAfterSuccess(ctx, task.id);
  if (state == "succeeded") ApplyBackupRetention(ctx, task.id);
  return Response::Json(200, R"({"ok":true})");
}

Response FeedbackValues(Context& ctx, Request& req) {
  store::TaskAuth task;
  if (auto err = AuthorizeFeedback(ctx, req, task)) return *err;
  if (views::IsFinalState(task.state)) return JsonError(409, "the task has ended");
  auto values = ParseFeedbackValues(req.body);
  if (!values.ok()) return JsonError(400, values.status().message());
  Status s = store::ApplyFeedback(ctx.db, task.id, *values);
  if (!s.ok()) {
    log::Error(s.ToString());
    return JsonError(503, "the values could not be stored");
  }
  return Response::Json(200, R"({"ok":true})");
}

}  // namespace

void AddRoutes(Router& r) {
  r.Add({"GET", "/login", Access::kPublic, LoginForm});
  r.Add({"POST", "/login", Access::kPublic, LoginSubmit});
  r.Add({"POST", "/logout", Access::kUser, Logout});
  r.Add({"GET", "/", Access::kUser, Dashboard});
  r.Add({"GET", "/servers", Access::kAdmin, ServerList});
  r.Add({"GET", "/servers/add", Access::kAdmin, ServerAddForm});
  r.Add({"POST", "/servers/add", Access::kAdmin, ServerAddSubmit});
  r.Add({"GET", "/servers/{id}", Access::kAdmin, ServerView});
  r.Add({"GET", "/servers/{id}/edit", Access::kAdmin, ServerEditForm});
  r.Add({"POST", "/servers/{id}/edit", Access::kAdmin, ServerEditSubmit});
  r.Add({"POST", "/servers/{id}/forget-host-key", Access::kAdmin, ServerForgetHostKey});
  r.Add({"GET", "/platforms", Access::kAdmin, PlatformList});
  r.Add({"GET", "/platforms/add", Access::kAdmin, PlatformAddForm});
  r.Add({"POST", "/platforms/add", Access::kAdmin, PlatformAddSubmit});
  r.Add({"GET", "/platforms/{id}", Access::kAdmin, PlatformView});
  r.Add({"GET", "/sites", Access::kUser, SiteList});
  r.Add({"GET", "/sites/add", Access::kUser, SiteAddForm});
  r.Add({"POST", "/sites/add", Access::kUser, SiteAddSubmit});
  r.Add({"GET", "/sites/{id}", Access::kUser, SiteView});
  r.Add({"GET", "/sites/{id}/edit", Access::kUser, SiteEditForm});
  r.Add({"POST", "/sites/{id}/edit", Access::kUser, SiteEditSubmit});
  for (const char* type : {"servers", "platforms", "sites"}) {
    std::string run = std::string("/") + type + "/{id}/run/{operation}";
    Access access = std::string(type) == "sites" ? Access::kUser : Access::kAdmin;
    r.Add({"GET", run, access, OperationForm});
    r.Add({"POST", run, access, OperationRun});
  }
  r.Add({"GET", "/clients", Access::kAdmin, ClientList});
  r.Add({"POST", "/clients", Access::kAdmin, ClientAdd});
  r.Add({"GET", "/tasks", Access::kUser, TaskList});
  r.Add({"GET", "/tasks/{id}", Access::kUser, TaskView});
  r.Add({"GET", "/tasks/{id}/log", Access::kUser, TaskLogPoll});
  r.Add({"POST", "/tasks/{id}/cancel", Access::kUser, TaskCancel});
  r.Add({"POST", "/api/tasks/{id}/start", Access::kFeedback, FeedbackStart});
  r.Add({"POST", "/api/tasks/{id}/log", Access::kFeedback, FeedbackLog, /*changes_pages=*/false});
  r.Add({"POST", "/api/tasks/{id}/finish", Access::kFeedback, FeedbackFinish});
  r.Add({"POST", "/api/tasks/{id}/feedback", Access::kFeedback, FeedbackValues});
  AddAccountRoutes(r);
  AddScheduleRoutes(r);
}

}  // namespace aegir::web
