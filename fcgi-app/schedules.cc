#include "fcgi-app/schedules.h"

#include <ctemplate/template.h>

#include <map>
#include <string>
#include <vector>

#include "common/log.h"
#include "fcgi-app/handlers.h"
#include "fcgi-app/operation_form.h"
#include "fcgi-app/operations.h"
#include "fcgi-app/schedules_model.h"
#include "fcgi-app/views.h"

namespace aegir::web {
namespace {

using ctemplate::TemplateDictionary;
namespace sch = schedules;

// ---- Views ----


std::string OperationTitle(const Context& ctx, const std::string& name) {
  const Operation* op = ctx.catalogue.Find(name);
  return op ? op->title : name;
}

std::string SitePath(const store::Site& site) { return "/sites/" + std::to_string(site.id); }

// The add form as typed, with its errors by field.
struct AddForm {
  sch::Input input{sch::kBackup, "daily", "", "03:00", "0", "7"};
  std::map<std::string, std::string> errors;
};

Response SchedulesView(const Context& ctx, const store::Site& site, const std::vector<sch::Schedule>& list,
                       const AddForm& form, int status = 200) {
  views::Page p(ctx, "Schedules of " + site.domain, "SITES", "schedules.tpl");
  auto& b = p.body();
  b.SetIntValue("SITE_ID", site.id);
  b.SetValue("DOMAIN", site.domain);
  b.SetValue("SITE_STATUS", site.status);
  if (site.status != "enabled") b.AddSectionDictionary("SITE_NOT_ENABLED")->SetValue("STATUS", site.status);
  b.ShowSection(list.empty() ? "NO_SCHEDULES" : "HAS_SCHEDULES");
  for (const auto& s : list) {
    TemplateDictionary* row = b.AddSectionDictionary("SCHEDULE");
    row->SetIntValue("ID", s.id);
    row->SetIntValue("SITE_ID", site.id);
    row->SetValue("OPERATION", OperationTitle(ctx, s.operation));
    row->SetValue("WHEN", sch::Describe(s.rule));
    if (s.operation == sch::kBackup) {
      row->SetValue("KEEP", s.keep_backups > 0 ? "newest " + std::to_string(s.keep_backups) : "all");
    } else {
      row->SetValue("KEEP", "—");
    }
    if (s.enabled) {
      views::SetTime(*row, "NEXT_RUN", s.next_run_at);
    } else {
      row->ShowSection("NOT_PLANNED");
    }
    row->ShowSection(s.enabled ? "ENABLED" : "DISABLED");
    if (s.last_task_id) {
      TemplateDictionary* last = row->AddSectionDictionary("LAST_TASK");
      last->SetIntValue("TASK_ID", *s.last_task_id);
      last->SetValue("STATE", s.last_task_state);
      views::SetTime(*last, "RUN", s.last_run_at);
    } else {
      row->ShowSection("NEVER_RUN");
    }
    if (!s.last_message.empty()) row->AddSectionDictionary("MESSAGE")->SetValue("TEXT", s.last_message);
    row->SetValue("CREATED_BY", s.created_by_name);
  }
  // The add form.
  for (const char* op : {sch::kBackup, sch::kCron}) {
    TemplateDictionary* o = b.AddSectionDictionary("OPERATION_OPTION");
    o->SetValue("VALUE", op);
    o->SetValue("LABEL", OperationTitle(ctx, op));
    if (form.input.operation == op) o->ShowSection("SELECTED");
  }
  const std::pair<const char*, const char*> frequencies[] = {
      {"minutes", "every N minutes"}, {"hours", "every N hours"}, {"daily", "daily"}, {"weekly", "weekly"}};
  for (const auto& [value, label] : frequencies) {
    TemplateDictionary* o = b.AddSectionDictionary("FREQUENCY_OPTION");
    o->SetValue("VALUE", value);
    o->SetValue("LABEL", label);
    if (form.input.frequency == value) o->ShowSection("SELECTED");
  }
  for (int d = 0; d < 7; ++d) {
    TemplateDictionary* o = b.AddSectionDictionary("WEEKDAY_OPTION");
    o->SetIntValue("VALUE", d);
    o->SetValue("LABEL", sch::WeekdayName(d));
    if (form.input.weekday == std::to_string(d)) o->ShowSection("SELECTED");
  }
  b.SetValue("EVERY_N", form.input.every_n);
  b.SetValue("AT_TIME", form.input.at_time);
  b.SetValue("KEEP_BACKUPS", form.input.keep_backups);
  b.SetIntValue("MAX_MINUTES", sch::kMaxMinutes);
  b.SetIntValue("MAX_HOURS", sch::kMaxHours);
  b.SetIntValue("MAX_KEEP", sch::kMaxKeep);
  if (!form.errors.empty()) {
    TemplateDictionary* box = b.AddSectionDictionary("ERRORS");
    for (const auto& [field, message] : form.errors) box->AddSectionDictionary("ERROR")->SetValue("MESSAGE", message);
  }
  for (const auto& [field, message] : form.errors) {
    std::string name = "ERROR_" + field;
    for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    b.AddSectionDictionary(name)->SetValue("MESSAGE", message);
  }
  return p.Finish(status);
}

Response ConfirmDeleteView(const Context& ctx, const store::Site& site, const sch::Schedule& s) {
  views::Page p(ctx, "Delete a schedule of " + site.domain, "SITES", "schedules_delete.tpl");
  auto& b = p.body();
  b.SetIntValue("SITE_ID", site.id);
  b.SetValue("DOMAIN", site.domain);
  b.SetIntValue("ID", s.id);
  b.SetValue("OPERATION", OperationTitle(ctx, s.operation));
  b.SetValue("WHEN", sch::Describe(s.rule));
  return p.Finish();
}

// ---- Handlers ----

// The live site the route's {id} names, if this user may see it; otherwise
// the page to answer (404 alike for unknown, deleted and not theirs).
std::optional<Response> FindSite(Context& ctx, Request& req, store::Site& out) {
  return FindById(ctx, req, store::GetSite, "site", out,
                  [&](const store::Site& s) { return s.status != "deleted" && ctx.MaySee(s); });
}

// The site, and the schedule the route's {schedule} names on it.
std::optional<Response> FindSchedule(Context& ctx, Request& req, store::Site& site, sch::Schedule& out) {
  if (auto missing = FindSite(ctx, req, site)) return missing;
  auto id = ParseId(req.route["schedule"]);
  const std::string back = SitePath(site) + "/schedules";
  if (!id) return NotFound(ctx, "That schedule", back);
  auto found = sch::Get(ctx.db, *id);
  if (!found.ok()) return StoreError(ctx, found.status());
  if (!*found || (*found)->site_id != site.id) return NotFound(ctx, "Schedule " + std::to_string(*id), back);
  out = **found;
  return std::nullopt;
}

Response ListPage(Context& ctx, const store::Site& site, const AddForm& form, int status = 200) {
  auto list = sch::ListForSite(ctx.db, site.id);
  if (!list.ok()) return StoreError(ctx, list.status());
  return SchedulesView(ctx, site, *list, form, status);
}

Response ScheduleList(Context& ctx, Request& req) {
  store::Site site;
  if (auto missing = FindSite(ctx, req, site)) return *missing;
  return ListPage(ctx, site, AddForm{});
}

Response ScheduleAdd(Context& ctx, Request& req) {
  store::Site site;
  if (auto missing = FindSite(ctx, req, site)) return *missing;
  AddForm form;
  form.input = {req.Form("operation"), req.Form("frequency"), req.Form("every_n"),
                req.Form("at_time"),   req.Form("weekday"),   req.Form("keep_backups")};
  sch::Checked checked = sch::Check(form.input);
  form.errors = checked.errors;
  if (checked.ok() && !ctx.catalogue.Find(checked.schedule.operation)) {
    form.errors["operation"] = "Operation: this panel's catalogue has no " + checked.schedule.operation + ".";
  }
  if (!form.errors.empty()) return ListPage(ctx, site, form, 422);
  sch::Schedule s = checked.schedule;
  s.site_id = site.id;
  s.created_by = ctx.session->user_id;
  auto id = sch::Create(ctx.db, s);
  if (!id.ok()) return StoreError(ctx, id.status());
  Audit(ctx, "schedule-add", "site", site.id,
        {{"schedule_id", *id}, {"operation", s.operation}, {"when", sch::Describe(s.rule)}, {"keep_backups", s.keep_backups}});
  return Response::Redirect(SitePath(site) + "/schedules");
}

// enable, disable, run now: one change each, then back to the list.
Response ScheduleChange(Context& ctx, Request& req, const std::string& action) {
  store::Site site;
  sch::Schedule s;
  if (auto missing = FindSchedule(ctx, req, site, s)) return *missing;
  const std::string back = SitePath(site) + "/schedules";
  Result<bool> done = action == "run" ? sch::RunNow(ctx.db, s.id) : sch::SetEnabled(ctx.db, s.id, action == "enable");
  if (!done.ok()) return StoreError(ctx, done.status());
  if (!*done) {
    return views::Error(ctx, 409, "Schedule " + std::to_string(s.id) + " is disabled; enable it to run it.", back);
  }
  Audit(ctx, "schedule-" + action, "site", site.id, {{"schedule_id", s.id}});
  return Response::Redirect(back);
}

Response ScheduleEnable(Context& ctx, Request& req) { return ScheduleChange(ctx, req, "enable"); }
Response ScheduleDisable(Context& ctx, Request& req) { return ScheduleChange(ctx, req, "disable"); }
Response ScheduleRun(Context& ctx, Request& req) { return ScheduleChange(ctx, req, "run"); }

Response ScheduleDeleteForm(Context& ctx, Request& req) {
  store::Site site;
  sch::Schedule s;
  if (auto missing = FindSchedule(ctx, req, site, s)) return *missing;
  return ConfirmDeleteView(ctx, site, s);
}

Response ScheduleDelete(Context& ctx, Request& req) {
  store::Site site;
  sch::Schedule s;
  if (auto missing = FindSchedule(ctx, req, site, s)) return *missing;
  auto done = sch::Delete(ctx.db, s.id);
  if (!done.ok()) return StoreError(ctx, done.status());
  Audit(ctx, "schedule-delete", "site", site.id,
        {{"schedule_id", s.id}, {"operation", s.operation}, {"when", sch::Describe(s.rule)}});
  return Response::Redirect(SitePath(site) + "/schedules");
}

// Stores one backup deletion for the schedule's retention, through the same
// checks as the operation's button, and tells the scheduler.
Status QueueDeletion(Context& ctx, const Operation& op, const sch::Retention& keep, const std::string& path) {
  auto target = LoadSiteTarget(ctx, keep.site_id, "");
  if (!target.ok()) return target.status();
  auto choices = ChoicesFor(ctx, op, *target);
  if (!choices.ok()) return choices.status();
  FormResult values = ValidateFields(
      op.fields, [&](const std::string& name) { return name == "aegir_backup_file" ? path : std::string(); },
      *choices);
  if (!values.ok()) return Status::InvalidArgument(values.errors[0].message);
  AEGIR_RETURN_IF_ERROR(CheckAllowed(ctx, op, *target, values.values));
  Result<Job> job = Status::Internal("not stored");
  {
    db::Transaction tx(ctx.db);
    AEGIR_RETURN_IF_ERROR(tx.Begin());
    job = StoreOperation(ctx, op, *target, values.values, keep.created_by);
    if (!job.ok()) return job.status();
    AEGIR_RETURN_IF_ERROR(sch::MarkTask(ctx.db, job->job_id, keep.schedule_id));
    AEGIR_RETURN_IF_ERROR(tx.Commit());
  }
  log::Info("schedule #" + std::to_string(keep.schedule_id) + " keeps " + std::to_string(keep.keep) +
            " backups: task " + std::to_string(job->job_id) + " deletes " + path);
  if (Status s = ctx.submitter.Submit(*job); !s.ok()) {
    log::Warn("task " + std::to_string(job->job_id) + " stored; the scheduler was not told yet: " + s.message());
  }
  return Status::Ok();
}

}  // namespace

void ApplyBackupRetention(Context& ctx, int64_t task_id) {
  auto keep = sch::RetentionAfter(ctx.db, task_id);
  if (!keep.ok()) {
    log::Error("retention after task " + std::to_string(task_id) + ": " + keep.status().ToString());
    return;
  }
  if (!*keep) return;
  const Operation* op = ctx.catalogue.Find(sch::kBackupDelete);
  if (!op) {
    log::Error("retention after task " + std::to_string(task_id) + ": the catalogue has no " + sch::kBackupDelete);
    return;
  }
  // The deletions are the schedule's doing, as the audit log says.
  const Actor was = ctx.actor;
  ctx.actor = Actor{std::nullopt, "schedule #" + std::to_string((*keep)->schedule_id), ""};
  for (const auto& path : (*keep)->delete_paths) {
    if (Status s = QueueDeletion(ctx, *op, **keep, path); !s.ok()) {
      log::Error("schedule #" + std::to_string((*keep)->schedule_id) + ": deleting " + path + ": " + s.ToString());
    }
  }
  ctx.actor = was;
}

void AddScheduleRoutes(Router& r) {
  r.Add({"GET", "/sites/{id}/schedules", Access::kUser, ScheduleList});
  r.Add({"POST", "/sites/{id}/schedules", Access::kUser, ScheduleAdd});
  r.Add({"POST", "/sites/{id}/schedules/{schedule}/enable", Access::kUser, ScheduleEnable});
  r.Add({"POST", "/sites/{id}/schedules/{schedule}/disable", Access::kUser, ScheduleDisable});
  r.Add({"POST", "/sites/{id}/schedules/{schedule}/run", Access::kUser, ScheduleRun});
  r.Add({"GET", "/sites/{id}/schedules/{schedule}/delete", Access::kUser, ScheduleDeleteForm});
  r.Add({"POST", "/sites/{id}/schedules/{schedule}/delete", Access::kUser, ScheduleDelete});
}

}  // namespace aegir::web
