// Route handlers: parse and validate input, call the store or a service,
// choose a view or a redirect. No SQL, HTML or ZeroMQ here.
#include <algorithm>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "common/job.h"
#include "common/log.h"
#include "fcgi-app/app.h"
#include "fcgi-app/operations.h"
#include "fcgi-app/views.h"

namespace aegir::web {
namespace {

// A positive decimal id of at most 18 digits.
std::optional<int64_t> ParseId(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  int64_t v = std::strtoll(s.c_str(), nullptr, 10);
  if (v <= 0) return std::nullopt;
  return v;
}

// Maps a store failure to an error page; the details go to the log only.
Response StoreError(const Context& ctx, const Status& s) {
  log::Error(s.ToString());
  if (s.code() == Code::kUnavailable) {
    return views::Error(ctx, 503, "The database is not reachable right now. Try again in a moment.");
  }
  return views::Error(ctx, 500, "The request could not be completed; the details are in aegir-web's log.");
}

Response NotFound(const Context& ctx, const std::string& what, const std::string& back) {
  return views::Error(ctx, 404, what + " does not exist.", back);
}

// ---- Login and logout ----

Response LoginForm(Context& ctx, Request& req) {
  if (ctx.session && ctx.session->user_id) return Response::Redirect("/");
  if (!ctx.session) {
    // The login form needs a CSRF token, so an anonymous session is made.
    std::string token = crypto::RandomHex(32);
    store::Session s;
    s.id_hash = crypto::Sha256Hex(token);
    s.csrf_token = crypto::RandomHex(32);
    Status st = store::CreateSession(ctx.db, s.id_hash, std::nullopt, s.csrf_token, kAnonymousSessionTtlS);
    if (!st.ok()) return StoreError(ctx, st);
    ctx.session = s;
    ctx.new_session_token = token;
  }
  return views::Login(ctx, ctx.session->csrf_token, "", "");
}

Response LoginSubmit(Context& ctx, Request& req) {
  std::string name = req.Form("name");
  std::string password = req.Form("password");
  auto user = store::FindUserByName(ctx.db, name.substr(0, 64));
  if (!user.ok()) return StoreError(ctx, user.status());
  // Without a user, check against a fixed hash anyway so the answer takes as
  // long and says nothing about which names exist.
  static const std::string kDummy = crypto::HashPassword("not a password").value();
  bool good = crypto::VerifyPassword(*user ? (*user)->password_hash : kDummy, password) && user->has_value();
  if (!good) {
    return views::Login(ctx, ctx.session->csrf_token, name, "Wrong user name or password.", 401);
  }
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
  Response r = Response::Redirect("/");
  r.SetCookie(kSessionCookie, token, kSessionTtlS, ctx.config.secure_cookies);
  return r;
}

Response Logout(Context& ctx, Request& req) {
  (void)store::DeleteSession(ctx.db, ctx.session->id_hash);
  Response r = Response::Redirect("/login");
  r.ClearCookie(kSessionCookie, ctx.config.secure_cookies);
  return r;
}

// ---- Dashboard ----

Response Dashboard(Context& ctx, Request& req) {
  auto counts = store::GetCounts(ctx.db);
  if (!counts.ok()) return StoreError(ctx, counts.status());
  auto recent = store::ListTasks(ctx.db, 0, 10);
  if (!recent.ok()) return StoreError(ctx, recent.status());
  return views::Dashboard(ctx, *counts, *recent);
}

// ---- Servers ----

Response ServerList(Context& ctx, Request& req) {
  auto servers = store::ListServers(ctx.db);
  if (!servers.ok()) return StoreError(ctx, servers.status());
  return views::Servers(ctx, *servers);
}

Response ServerAddForm(Context& ctx, Request& req) { return views::ServerFormPage(ctx, {}); }

Response ServerAddSubmit(Context& ctx, Request& req) {
  views::ServerForm form;
  form.name = req.Form("name");
  form.hostname = req.Form("hostname");
  if (form.name.size() > 64 || !IsValidHostName(form.name) ||
      std::any_of(form.name.begin(), form.name.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    form.errors.push_back("Name: use 1 to 64 lower-case letters, digits, dots and dashes (for example web1).");
  }
  if (!IsValidHostName(form.hostname)) {
    form.errors.push_back("Host: give a host name such as localhost or web1.example.org, or an IPv4 address.");
  }
  if (!form.errors.empty()) return views::ServerFormPage(ctx, form, 422);
  auto id = store::CreateServer(ctx.db, form.name, form.hostname);
  if (!id.ok()) {
    if (id.status().code() == Code::kConflict) {
      form.errors.push_back("Name: a server named " + form.name + " exists already.");
      return views::ServerFormPage(ctx, form, 409);
    }
    return StoreError(ctx, id.status());
  }
  return Response::Redirect("/servers/" + std::to_string(*id));
}

Response ServerView(Context& ctx, Request& req) {
  auto id = ParseId(req.route["id"]);
  if (!id) return NotFound(ctx, "That server", "/servers");
  auto server = store::GetServer(ctx.db, *id);
  if (!server.ok()) return StoreError(ctx, server.status());
  if (!*server) return NotFound(ctx, "Server " + std::to_string(*id), "/servers");
  auto tasks = store::ListTasksFor(ctx.db, "server", *id, 20);
  if (!tasks.ok()) return StoreError(ctx, tasks.status());
  return views::Server(ctx, **server, ctx.catalogue.ForEntity("server"), *tasks);
}

Response ServerRun(Context& ctx, Request& req) {
  auto id = ParseId(req.route["id"]);
  if (!id) return NotFound(ctx, "That server", "/servers");
  const Operation* op = ctx.catalogue.Find(req.route["operation"]);
  if (!op || op->entity != "server") {
    return views::Error(ctx, 404, "There is no server operation of that name.", "/servers/" + std::to_string(*id));
  }
  auto server = store::GetServer(ctx.db, *id);
  if (!server.ok()) return StoreError(ctx, server.status());
  if (!*server) return NotFound(ctx, "Server " + std::to_string(*id), "/servers");
  auto task = QueueServerOperation(ctx, *op, **server, ctx.session->user_id);
  if (!task.ok()) return StoreError(ctx, task.status());
  return Response::Redirect("/tasks/" + std::to_string(*task));
}

// ---- Sites ----

Response SiteList(Context& ctx, Request& req) {
  auto sites = store::ListSites(ctx.db);
  if (!sites.ok()) return StoreError(ctx, sites.status());
  return views::Sites(ctx, *sites);
}

Response SiteAddForm(Context& ctx, Request& req) {
  auto servers = store::ListServers(ctx.db);
  if (!servers.ok()) return StoreError(ctx, servers.status());
  return views::SiteFormPage(ctx, {}, *servers);
}

Response SiteAddSubmit(Context& ctx, Request& req) {
  auto servers = store::ListServers(ctx.db);
  if (!servers.ok()) return StoreError(ctx, servers.status());
  views::SiteForm form;
  form.domain = req.Form("domain");
  auto server_id = ParseId(req.Form("server_id"));
  form.server_id = server_id.value_or(0);
  if (!IsValidHostName(form.domain) || form.domain.find('.') == std::string::npos ||
      std::any_of(form.domain.begin(), form.domain.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    form.errors.push_back("Domain: give a lower-case domain name with at least one dot, such as blog.example.org.");
  }
  bool known = std::any_of(servers->begin(), servers->end(), [&](const store::Server& s) { return s.id == form.server_id; });
  if (!known) form.errors.push_back("Server: choose one of the servers in the list.");
  if (!form.errors.empty()) return views::SiteFormPage(ctx, form, *servers, 422);
  auto id = store::CreateSite(ctx.db, form.domain, form.server_id);
  if (!id.ok()) {
    if (id.status().code() == Code::kConflict) {
      form.errors.push_back("Domain: the site " + form.domain + " exists already.");
      return views::SiteFormPage(ctx, form, *servers, 409);
    }
    return StoreError(ctx, id.status());
  }
  return Response::Redirect("/sites/" + std::to_string(*id));
}

Response SiteView(Context& ctx, Request& req) {
  auto id = ParseId(req.route["id"]);
  if (!id) return NotFound(ctx, "That site", "/sites");
  auto site = store::GetSite(ctx.db, *id);
  if (!site.ok()) return StoreError(ctx, site.status());
  if (!*site) return NotFound(ctx, "Site " + std::to_string(*id), "/sites");
  auto tasks = store::ListTasksFor(ctx.db, "site", *id, 20);
  if (!tasks.ok()) return StoreError(ctx, tasks.status());
  return views::Site(ctx, **site, *tasks);
}

// ---- Tasks ----

constexpr int kTasksPerPage = 50;
constexpr int kLogLinesPerPage = 2000;

Response TaskList(Context& ctx, Request& req) {
  int64_t before = 0;
  if (std::string b = req.Query("before"); !b.empty()) {
    auto v = ParseId(b);
    if (!v) return views::Error(ctx, 400, "The 'before' parameter must be a task number.", "/tasks");
    before = *v;
  }
  auto tasks = store::ListTasks(ctx.db, before, kTasksPerPage + 1);
  if (!tasks.ok()) return StoreError(ctx, tasks.status());
  int64_t older = 0;
  if (tasks->size() > static_cast<size_t>(kTasksPerPage)) {
    tasks->pop_back();
    older = tasks->back().id;
  }
  return views::Tasks(ctx, *tasks, older);
}

// The 'after' query parameter: a log sequence number, 0 when absent.
std::optional<int64_t> ParseAfter(const Request& req) {
  std::string a = req.Query("after");
  if (a.empty() || a == "0") return 0;
  return ParseId(a);
}

Response TaskView(Context& ctx, Request& req) {
  auto id = ParseId(req.route["id"]);
  if (!id) return NotFound(ctx, "That task", "/tasks");
  auto after = ParseAfter(req);
  if (!after) return views::Error(ctx, 400, "The 'after' parameter must be a line number.", "/tasks");
  auto task = store::GetTask(ctx.db, *id);
  if (!task.ok()) return StoreError(ctx, task.status());
  if (!*task) return NotFound(ctx, "Task " + std::to_string(*id), "/tasks");
  auto lines = store::GetLog(ctx.db, *id, *after, kLogLinesPerPage + 1);
  if (!lines.ok()) return StoreError(ctx, lines.status());
  bool more = lines->size() > static_cast<size_t>(kLogLinesPerPage);
  if (more) lines->pop_back();
  return views::Task(ctx, **task, *lines, *after, more, kLogLinesPerPage);
}

Response TaskLogPoll(Context& ctx, Request& req) {
  auto id = ParseId(req.route["id"]);
  auto after = ParseAfter(req);
  if (!id || !after) return Response::Json(400, R"({"error":"bad task or line number"})");
  auto task = store::GetTask(ctx.db, *id);
  if (!task.ok() || !*task) return Response::Json(task.ok() ? 404 : 503, R"({"error":"task not available"})");
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
  task = **t;
  return std::nullopt;
}

Result<nlohmann::json> ParseJsonBody(const Request& req) {
  auto j = nlohmann::json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("body is not a JSON object");
  return j;
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
  auto body = ParseJsonBody(req);
  if (!body.ok()) return JsonError(400, body.status().message());
  const auto& j = *body;
  if (!j.contains("first_seq") || !j["first_seq"].is_number_integer() || j["first_seq"].get<int64_t>() < 1 ||
      j["first_seq"].get<int64_t>() > 2'000'000'000) {
    return JsonError(400, "first_seq must be a whole number from 1");
  }
  if (!j.contains("lines") || !j["lines"].is_array() || j["lines"].size() > 10000) {
    return JsonError(400, "lines must be an array of at most 10000 strings");
  }
  std::vector<std::string> lines;
  lines.reserve(j["lines"].size());
  for (const auto& l : j["lines"]) {
    if (!l.is_string()) return JsonError(400, "lines must be strings");
    const auto& s = l.get_ref<const std::string&>();
    if (s.size() > 64 * 1024) return JsonError(400, "a line is longer than 64 KiB");
    lines.push_back(s);
  }
  if (task.state == "queued") (void)store::MarkTaskRunning(ctx.db, task.id);
  Status s = store::AppendLog(ctx.db, task.id, j["first_seq"].get<int64_t>(), lines);
  if (!s.ok()) {
    log::Error(s.ToString());
    return JsonError(503, "the log could not be stored");
  }
  return Response::Json(200, R"({"ok":true})");
}

Response FeedbackFinish(Context& ctx, Request& req) {
  store::TaskAuth task;
  if (auto err = AuthorizeFeedback(ctx, req, task)) return *err;
  auto body = ParseJsonBody(req);
  if (!body.ok()) return JsonError(400, body.status().message());
  const auto& j = *body;
  std::string state = j.contains("state") && j["state"].is_string() ? j["state"].get<std::string>() : "";
  if (state != "succeeded" && state != "failed") return JsonError(400, "state must be succeeded or failed");
  std::optional<int64_t> exit_code;
  if (j.contains("exit_code") && j["exit_code"].is_number_integer()) exit_code = j["exit_code"].get<int64_t>();
  std::string reason = j.contains("reason") && j["reason"].is_string() ? j["reason"].get<std::string>() : "";
  auto ok = store::FinishTask(ctx.db, task.id, state, exit_code, reason);
  if (!ok.ok()) {
    log::Error(ok.status().ToString());
    return JsonError(503, "the result could not be stored");
  }
  if (!*ok) return JsonError(409, "the task has ended already");
  log::Info("task " + std::to_string(task.id) + " (" + task.operation + ") " + state);
  return Response::Json(200, R"({"ok":true})");
}

}  // namespace

void AddRoutes(Router& r) {
  r.Add({"GET", "/login", Access::kPublic, LoginForm});
  r.Add({"POST", "/login", Access::kPublic, LoginSubmit});
  r.Add({"POST", "/logout", Access::kUser, Logout});
  r.Add({"GET", "/", Access::kUser, Dashboard});
  r.Add({"GET", "/servers", Access::kUser, ServerList});
  r.Add({"GET", "/servers/add", Access::kUser, ServerAddForm});
  r.Add({"POST", "/servers/add", Access::kUser, ServerAddSubmit});
  r.Add({"GET", "/servers/{id}", Access::kUser, ServerView});
  r.Add({"POST", "/servers/{id}/run/{operation}", Access::kUser, ServerRun});
  r.Add({"GET", "/sites", Access::kUser, SiteList});
  r.Add({"GET", "/sites/add", Access::kUser, SiteAddForm});
  r.Add({"POST", "/sites/add", Access::kUser, SiteAddSubmit});
  r.Add({"GET", "/sites/{id}", Access::kUser, SiteView});
  r.Add({"GET", "/tasks", Access::kUser, TaskList});
  r.Add({"GET", "/tasks/{id}", Access::kUser, TaskView});
  r.Add({"GET", "/tasks/{id}/log", Access::kUser, TaskLogPoll});
  r.Add({"POST", "/api/tasks/{id}/start", Access::kFeedback, FeedbackStart});
  r.Add({"POST", "/api/tasks/{id}/log", Access::kFeedback, FeedbackLog});
  r.Add({"POST", "/api/tasks/{id}/finish", Access::kFeedback, FeedbackFinish});
}

}  // namespace aegir::web
