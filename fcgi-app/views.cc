#include "fcgi-app/views.h"

#include <ctemplate/template.h>

#include <nlohmann/json.hpp>

namespace aegir::web::views {
namespace {

using ctemplate::TemplateDictionary;

// The frame every page shares; body() is the page's own dictionary.
class Page {
 public:
  Page(const Context& ctx, const std::string& title, const std::string& nav, const std::string& body_template)
      : root_("page") {
    root_.SetValue("TITLE", title);
    if (ctx.session && ctx.session->user_id) {
      TemplateDictionary* user = root_.AddSectionDictionary("USER");
      user->SetValue("NAME", ctx.session->user_name);
      user->SetValue("CSRF", ctx.session->csrf_token);
      if (!nav.empty()) user->ShowSection("NAV_" + nav);
    }
    body_ = root_.AddIncludeDictionary("BODY");
    body_->SetFilename(body_template);
    if (ctx.session) body_->SetValue("CSRF", ctx.session->csrf_token);
  }
  TemplateDictionary& body() { return *body_; }
  TemplateDictionary& root() { return root_; }

  Response Finish(int status = 200) {
    Response r;
    r.status = status;
    if (!ctemplate::ExpandTemplate("page.tpl", ctemplate::STRIP_BLANK_LINES, &root_, &r.body)) {
      r.status = 500;
      r.content_type = "text/plain; charset=utf-8";
      r.body = "The page could not be rendered (template error); see aegir-web's log.\n";
    }
    return r;
  }

 private:
  TemplateDictionary root_;
  TemplateDictionary* body_;
};

// "Verify server" for "server-verify"; the name itself if the catalogue no
// longer has the operation.
std::string OperationTitle(const Context& ctx, const std::string& name) {
  const Operation* op = ctx.catalogue.Find(name);
  return op ? op->title : name;
}

void FillTaskTable(const Context& ctx, TemplateDictionary& parent, const std::vector<store::Task>& tasks) {
  TemplateDictionary* table = parent.AddIncludeDictionary("TASK_TABLE");
  table->SetFilename("task_table.tpl");
  if (tasks.empty()) {
    table->ShowSection("NO_TASKS");
    return;
  }
  table->ShowSection("HAS_TASKS");
  for (const auto& t : tasks) {
    TemplateDictionary* row = table->AddSectionDictionary("TASK");
    row->SetIntValue("ID", t.id);
    row->SetValue("OPERATION", OperationTitle(ctx, t.operation));
    row->SetValue("ENTITY_TYPE", t.entity_type);
    row->SetIntValue("ENTITY_ID", t.entity_id);
    row->SetValue("ENTITY_LABEL", t.entity_label);
    row->SetValue("STATE", t.state);
    row->SetValue("CREATED_AT", t.created_at);
    row->SetValue("CREATED_BY", t.created_by);
  }
}

void FillErrors(TemplateDictionary& body, const std::vector<std::string>& errors) {
  if (errors.empty()) return;
  TemplateDictionary* box = body.AddSectionDictionary("ERRORS");
  for (const auto& e : errors) box->AddSectionDictionary("ERROR")->SetValue("MESSAGE", e);
}

const char* HeadingFor(int status) {
  switch (status) {
    case 400: case 422: return "That did not work";
    case 403: return "Not allowed";
    case 404: return "Not found";
    case 405: return "Not allowed";
    case 409: return "Conflict";
    case 413: return "Too large";
    case 503: return "Temporarily unavailable";
    default: return "Something went wrong";
  }
}

}  // namespace

bool IsFinalState(const std::string& state) {
  return state == "succeeded" || state == "failed" || state == "cancelled";
}

Response Error(const Context& ctx, int status, const std::string& message, const std::string& back) {
  Page p(ctx, HeadingFor(status), "", "error.tpl");
  p.body().SetValue("HEADING", HeadingFor(status));
  p.body().SetValue("MESSAGE", message);
  p.body().SetValue("BACK", back);
  return p.Finish(status);
}

Response Login(const Context& ctx, const std::string& csrf, const std::string& name, const std::string& error,
               int status) {
  Page p(ctx, "Log in", "", "login.tpl");
  p.body().SetValue("CSRF", csrf);
  p.body().SetValue("NAME", name);
  if (!error.empty()) p.body().AddSectionDictionary("ERROR")->SetValue("MESSAGE", error);
  return p.Finish(status);
}

Response Dashboard(const Context& ctx, const store::Counts& counts, const std::vector<store::Task>& recent) {
  Page p(ctx, "Dashboard", "DASHBOARD", "dashboard.tpl");
  p.body().SetIntValue("SERVERS", counts.servers);
  p.body().SetIntValue("SITES", counts.sites);
  p.body().SetIntValue("QUEUED", counts.queued);
  p.body().SetIntValue("RUNNING", counts.running);
  p.body().SetIntValue("FAILED", counts.failed);
  FillTaskTable(ctx, p.body(), recent);
  return p.Finish();
}

Response Servers(const Context& ctx, const std::vector<store::Server>& servers) {
  Page p(ctx, "Servers", "SERVERS", "servers.tpl");
  p.body().ShowSection(servers.empty() ? "NO_SERVERS" : "HAS_SERVERS");
  for (const auto& s : servers) {
    TemplateDictionary* row = p.body().AddSectionDictionary("SERVER");
    row->SetIntValue("ID", s.id);
    row->SetValue("NAME", s.name);
    row->SetValue("HOSTNAME", s.hostname);
    row->SetValue("STATUS", s.status);
    row->SetValue("VERIFIED_AT", s.verified_at);
  }
  return p.Finish();
}

Response ServerFormPage(const Context& ctx, const ServerForm& form, int status) {
  Page p(ctx, "Add a server", "SERVERS", "server_form.tpl");
  p.body().SetValue("NAME", form.name);
  p.body().SetValue("HOSTNAME", form.hostname);
  FillErrors(p.body(), form.errors);
  return p.Finish(status);
}

Response Server(const Context& ctx, const store::Server& server, const std::vector<const Operation*>& operations,
                const std::vector<store::Task>& tasks) {
  Page p(ctx, server.name, "SERVERS", "server.tpl");
  auto& b = p.body();
  b.SetIntValue("ID", server.id);
  b.SetValue("NAME", server.name);
  b.SetValue("HOSTNAME", server.hostname);
  b.SetValue("STATUS", server.status);
  b.SetValue("CREATED_AT", server.created_at);
  b.SetValue("VERIFIED_AT", server.verified_at.empty() ? "never" : server.verified_at);
  for (const Operation* op : operations) {
    TemplateDictionary* row = b.AddSectionDictionary("OPERATION");
    row->SetIntValue("ID", server.id);
    row->SetValue("OP_NAME", op->name);
    row->SetValue("OP_TITLE", op->title);
  }
  FillTaskTable(ctx, b, tasks);
  return p.Finish();
}

Response Sites(const Context& ctx, const std::vector<store::Site>& sites) {
  Page p(ctx, "Sites", "SITES", "sites.tpl");
  p.body().ShowSection(sites.empty() ? "NO_SITES" : "HAS_SITES");
  for (const auto& s : sites) {
    TemplateDictionary* row = p.body().AddSectionDictionary("SITE");
    row->SetIntValue("ID", s.id);
    row->SetValue("DOMAIN", s.domain);
    row->SetIntValue("SERVER_ID", s.server_id);
    row->SetValue("SERVER_NAME", s.server_name);
    row->SetValue("STATUS", s.status);
    row->SetValue("CREATED_AT", s.created_at);
  }
  return p.Finish();
}

Response SiteFormPage(const Context& ctx, const SiteForm& form, const std::vector<store::Server>& servers,
                      int status) {
  Page p(ctx, "Add a site", "SITES", "site_form.tpl");
  p.body().SetValue("DOMAIN", form.domain);
  if (servers.empty()) p.body().ShowSection("NO_SERVERS");
  for (const auto& s : servers) {
    TemplateDictionary* row = p.body().AddSectionDictionary("SERVER");
    row->SetIntValue("ID", s.id);
    row->SetValue("NAME", s.name);
    if (s.id == form.server_id) row->ShowSection("SELECTED");
  }
  FillErrors(p.body(), form.errors);
  return p.Finish(status);
}

Response Site(const Context& ctx, const store::Site& site, const std::vector<store::Task>& tasks) {
  Page p(ctx, site.domain, "SITES", "site.tpl");
  auto& b = p.body();
  b.SetValue("DOMAIN", site.domain);
  b.SetIntValue("SERVER_ID", site.server_id);
  b.SetValue("SERVER_NAME", site.server_name);
  b.SetValue("STATUS", site.status);
  b.SetValue("CREATED_AT", site.created_at);
  FillTaskTable(ctx, b, tasks);
  return p.Finish();
}

Response Tasks(const Context& ctx, const std::vector<store::Task>& tasks, int64_t older_before) {
  Page p(ctx, "Tasks", "TASKS", "tasks.tpl");
  FillTaskTable(ctx, p.body(), tasks);
  if (older_before > 0) p.body().AddSectionDictionary("OLDER")->SetIntValue("BEFORE", older_before);
  return p.Finish();
}

Response Task(const Context& ctx, const store::Task& task, const std::vector<store::LogLine>& lines, int64_t after,
              bool more, int page_size) {
  const std::string title = OperationTitle(ctx, task.operation);
  Page p(ctx, title + " #" + std::to_string(task.id), "TASKS", "task.tpl");
  bool live = !IsFinalState(task.state);
  if (live && !more) {
    // Without JavaScript the page reloads itself while the task runs; with
    // it, task.js appends new lines instead.
    p.root().AddSectionDictionary("REFRESH")->SetIntValue("SECONDS", 2);
    p.root().AddSectionDictionary("SCRIPT")->SetValue("NAME", "task.js");
  }
  auto& b = p.body();
  b.SetIntValue("ID", task.id);
  b.SetValue("OPERATION", title);
  b.SetValue("ENTITY_TYPE", task.entity_type);
  b.SetIntValue("ENTITY_ID", task.entity_id);
  b.SetValue("ENTITY_LABEL", task.entity_label);
  b.SetValue("STATE", task.state);
  b.SetValue("CREATED_AT", task.created_at);
  b.SetValue("STARTED_AT", task.started_at);
  b.SetValue("FINISHED_AT", task.finished_at);
  b.SetValue("EXIT_CODE", task.exit_code ? std::to_string(*task.exit_code) : "");
  b.SetValue("CREATED_BY", task.created_by);
  b.SetValue("LIVE", live && !more ? "1" : "0");
  if (!task.reason.empty()) b.AddSectionDictionary("REASON")->SetValue("TEXT", task.reason);
  if (after > 0) {
    b.ShowSection("EARLIER");
    b.SetIntValue("PREV_AFTER", std::max<int64_t>(0, after - page_size));
  }
  int64_t last = after;
  for (const auto& l : lines) {
    TemplateDictionary* row = b.AddSectionDictionary("LINE");
    row->SetIntValue("SEQ", l.seq);
    row->SetValue("TEXT", l.line);
    last = l.seq;
  }
  b.SetIntValue("LAST_SEQ", last);
  if (lines.empty()) b.ShowSection("NO_LINES");
  if (more) b.ShowSection("MORE");
  return p.Finish();
}

Response TaskLogJson(const store::Task& task, const std::vector<store::LogLine>& lines) {
  nlohmann::json j;
  j["state"] = task.state;
  j["final"] = IsFinalState(task.state);
  j["started_at"] = task.started_at;
  j["finished_at"] = task.finished_at;
  j["exit_code"] = task.exit_code ? nlohmann::json(*task.exit_code) : nlohmann::json(nullptr);
  j["reason"] = task.reason;
  j["lines"] = nlohmann::json::array();
  for (const auto& l : lines) j["lines"].push_back({{"seq", l.seq}, {"text", l.line}});
  return Response::Json(200, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace aegir::web::views
