#include "fcgi-app/schedules_model.h"

#include <ctime>

#include "common/log.h"
#include "fcgi-app/operation_form.h"

namespace aegir::web::schedules {

using db::Value;

namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kWeek = 7 * kDay;

// A DATETIME column (UTC) as seconds since 1970.
std::string Epoch(const std::string& column) { return "TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', " + column + ")"; }

int64_t PeriodOf(const Rule& r) { return r.every_n * (r.frequency == "hours" ? 3600 : 60); }

bool AllDigits(const std::string& s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string TwoDigits(int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); }

std::string Hhmm(int64_t at_minute) { return TwoDigits(at_minute / 60) + ":" + TwoDigits(at_minute % 60); }

// The columns Schedule reads, from schedules s (with the last task and the
// creator, left joined).
const std::string kColumns =
    "SELECT s.id, s.site_id, s.operation, s.frequency, s.every_n, s.at_minute, s.weekday, s.keep_backups, "
    "s.enabled, DATE_FORMAT(s.next_run_at, '%Y-%m-%d %H:%i'), "
    "COALESCE(DATE_FORMAT(s.last_run_at, '%Y-%m-%d %H:%i'), ''), s.last_task_id, COALESCE(t.state, ''), "
    "s.last_message, s.created_by, COALESCE(u.name, '') "
    "FROM schedules s LEFT JOIN tasks t ON t.id = s.last_task_id LEFT JOIN users u ON u.id = s.created_by ";

Schedule FromRow(const db::Row& r) {
  Schedule s;
  s.id = r.Int(0);
  s.site_id = r.Int(1);
  s.operation = r.Str(2);
  s.rule.frequency = r.Str(3);
  s.rule.every_n = r.Int(4);
  s.rule.at_minute = r.Int(5);
  s.rule.weekday = r.Int(6);
  s.keep_backups = r.Int(7);
  s.enabled = r.Int(8) != 0;
  s.next_run_at = r.Str(9);
  s.last_run_at = r.Str(10);
  if (!r.IsNull(11)) s.last_task_id = r.Int(11);
  s.last_task_state = r.Str(12);
  s.last_message = r.Str(13);
  if (!r.IsNull(14)) s.created_by = r.Int(14);
  s.created_by_name = r.Str(15);
  return s;
}

Result<int64_t> DbNow(db::Connection& c) {
  auto rows = c.Query("SELECT " + Epoch("UTC_TIMESTAMP()"));
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::Internal("the database did not say what time it is");
  return (*rows)[0].Int(0);
}

}  // namespace

const char* WeekdayName(int64_t weekday) {
  static const char* kNames[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
  return weekday >= 0 && weekday < 7 ? kNames[weekday] : "?";
}

int64_t NextRun(const Rule& r, int64_t due, int64_t now) {
  if (r.frequency == "minutes" || r.frequency == "hours") {
    const int64_t period = std::max<int64_t>(60, PeriodOf(r));
    if (due > now) return due;
    return due + period * ((now - due) / period + 1);
  }
  const int64_t at = r.at_minute * 60;
  const int64_t today = now - ((now % kDay) + kDay) % kDay;  // 00:00 UTC of now's day
  if (r.frequency == "weekly") {
    // 1970-01-01 was a Thursday (3 when Monday is 0).
    const int64_t dow = ((today / kDay) + 3) % 7;
    int64_t t = today + ((r.weekday - dow + 7) % 7) * kDay + at;
    if (t <= now) t += kWeek;
    return t;
  }
  int64_t t = today + at;  // daily
  if (t <= now) t += kDay;
  return t;
}

int64_t FirstRun(const Rule& r, int64_t now) {
  if (r.frequency == "minutes" || r.frequency == "hours") return now + std::max<int64_t>(60, PeriodOf(r));
  return NextRun(r, now, now);
}

std::string Describe(const Rule& r) {
  if (r.frequency == "minutes" || r.frequency == "hours") {
    std::string unit = r.frequency == "hours" ? "hour" : "minute";
    return r.every_n == 1 ? "every " + unit : "every " + std::to_string(r.every_n) + " " + unit + "s";
  }
  if (r.frequency == "weekly") return std::string("weekly on ") + WeekdayName(r.weekday) + " at " + Hhmm(r.at_minute) + " UTC";
  return "daily at " + Hhmm(r.at_minute) + " UTC";
}

std::string FormatUtc(int64_t epoch_s) {
  std::time_t t = static_cast<std::time_t>(epoch_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

Checked Check(const Input& in) {
  Checked out;
  Schedule& s = out.schedule;
  auto& e = out.errors;
  s.operation = in.operation;
  if (in.operation != kBackup && in.operation != kCron) {
    e["operation"] = "Operation: choose Backup or Run cron.";
  }
  s.rule.frequency = in.frequency;
  if (in.frequency == "minutes" || in.frequency == "hours") {
    const int64_t max = in.frequency == "hours" ? kMaxHours : kMaxMinutes;
    if (!AllDigits(in.every_n, 6) || std::stoll(in.every_n) < 1 || std::stoll(in.every_n) > max) {
      e["every_n"] = "Every: give a whole number of " + in.frequency + " from 1 to " + std::to_string(max) + ".";
    } else {
      s.rule.every_n = std::stoll(in.every_n);
    }
  } else if (in.frequency == "daily" || in.frequency == "weekly") {
    // HH:MM, 24-hour, UTC.
    const std::string& t = in.at_time;
    bool good = t.size() == 5 && t[2] == ':' && AllDigits(t.substr(0, 2), 2) && AllDigits(t.substr(3), 2) &&
                std::stoi(t.substr(0, 2)) < 24 && std::stoi(t.substr(3)) < 60;
    if (!good) {
      e["at_time"] = "At: give a time of day as HH:MM (24-hour, UTC), e.g. 03:30.";
    } else {
      s.rule.at_minute = std::stoi(t.substr(0, 2)) * 60 + std::stoi(t.substr(3));
    }
    if (in.frequency == "weekly") {
      if (!AllDigits(in.weekday, 1) || std::stoi(in.weekday) > 6) {
        e["weekday"] = "Day: choose a day of the week.";
      } else {
        s.rule.weekday = std::stoi(in.weekday);
      }
    }
  } else {
    e["frequency"] = "Repeat: choose every N minutes, every N hours, daily or weekly.";
  }
  if (in.operation == kBackup) {
    if (in.keep_backups.empty()) {
      s.keep_backups = 0;
    } else if (!AllDigits(in.keep_backups, 6) || std::stoll(in.keep_backups) > kMaxKeep) {
      e["keep_backups"] = "Keep: give a whole number from 0 (keep every backup) to " + std::to_string(kMaxKeep) + ".";
    } else {
      s.keep_backups = std::stoll(in.keep_backups);
    }
  } else if (!in.keep_backups.empty() && in.keep_backups != "0") {
    e["keep_backups"] = "Keep: only a backup schedule keeps backups; leave it empty for cron.";
  }
  return out;
}

// ---- The store ----

Result<std::vector<Schedule>> ListForSite(db::Connection& c, int64_t site_id) {
  auto rows = c.Query(kColumns + "WHERE s.site_id = ? ORDER BY s.id", {Value(site_id)});
  if (!rows.ok()) return rows.status();
  std::vector<Schedule> out;
  for (const auto& r : *rows) out.push_back(FromRow(r));
  return out;
}

Result<std::optional<Schedule>> Get(db::Connection& c, int64_t id) {
  auto rows = c.Query(kColumns + "WHERE s.id = ?", {Value(id)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Schedule>();
  return std::optional<Schedule>(FromRow((*rows)[0]));
}

Result<int64_t> Create(db::Connection& c, const Schedule& s) {
  auto now = DbNow(c);
  if (!now.ok()) return now.status();
  auto r = c.Exec(
      "INSERT INTO schedules (site_id, operation, frequency, every_n, at_minute, weekday, keep_backups, enabled, "
      "next_run_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
      {Value(s.site_id), Value(s.operation), Value(s.rule.frequency), Value(s.rule.every_n), Value(s.rule.at_minute),
       Value(s.rule.weekday), Value(s.keep_backups), Value(FormatUtc(FirstRun(s.rule, *now))), Value(s.created_by)});
  if (!r.ok()) return r.status().WithContext("add a schedule to site " + std::to_string(s.site_id));
  return static_cast<int64_t>(c.LastInsertId());
}

Result<bool> SetEnabled(db::Connection& c, int64_t id, bool enabled) {
  if (!enabled) {
    auto r = c.Exec("UPDATE schedules SET enabled = 0 WHERE id = ?", {Value(id)});
    if (!r.ok()) return r.status();
    auto s = Get(c, id);
    if (!s.ok()) return s.status();
    return s->has_value();
  }
  auto s = Get(c, id);
  if (!s.ok()) return s.status();
  if (!*s) return false;
  auto now = DbNow(c);
  if (!now.ok()) return now.status();
  auto r = c.Exec("UPDATE schedules SET enabled = 1, next_run_at = ?, last_message = '' WHERE id = ? AND enabled = 0",
                  {Value(FormatUtc(FirstRun((*s)->rule, *now))), Value(id)});
  if (!r.ok()) return r.status();
  return true;
}

Result<bool> RunNow(db::Connection& c, int64_t id) {
  auto r = c.Exec("UPDATE schedules SET next_run_at = UTC_TIMESTAMP() WHERE id = ? AND enabled = 1", {Value(id)});
  if (!r.ok()) return r.status();
  if (*r > 0) return true;
  // Already due this very second changes no row: still fine.
  auto rows = c.Query("SELECT 1 FROM schedules WHERE id = ? AND enabled = 1", {Value(id)});
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

Result<bool> Delete(db::Connection& c, int64_t id) {
  auto r = c.Exec("DELETE FROM schedules WHERE id = ?", {Value(id)});
  if (!r.ok()) return r.status();
  return *r > 0;
}

Status MarkTask(db::Connection& c, int64_t task_id, int64_t schedule_id) {
  auto r = c.Exec("UPDATE tasks SET schedule_id = ? WHERE id = ?", {Value(schedule_id), Value(task_id)});
  return r.ok() ? Status::Ok() : r.status().WithContext("note the schedule of task " + std::to_string(task_id));
}

// ---- Firing ----

namespace {

// What happened to one due schedule.
struct Outcome {
  std::optional<Job> job;     // stored (committed)
  std::string skipped;        // why it did not run (recorded)
};

// Moves a schedule that cannot run now past now, with the reason; only if
// it is still due at `due` (nothing changed it meanwhile).
Status RecordSkip(db::Connection& c, int64_t id, int64_t due, int64_t next, const std::string& why) {
  auto r = c.Exec(
      "UPDATE schedules SET next_run_at = ?, last_message = LEFT(?, 1000) WHERE id = ? AND next_run_at = ?",
      {Value(FormatUtc(next)), Value(why), Value(id), Value(FormatUtc(due))});
  return r.ok() ? Status::Ok() : r.status();
}

Result<Outcome> FireOne(ModelContext& m, int64_t id) {
  Outcome out;
  int64_t due = 0, next = 0;
  std::string refused;
  {
    db::Transaction tx(m.db);
    AEGIR_RETURN_IF_ERROR(tx.Begin());
    // The row stays locked until the end: aegir-web's changes to it wait.
    auto rows = m.db.Query("SELECT site_id, operation, frequency, every_n, at_minute, weekday, created_by, " +
                               Epoch("next_run_at") + ", " + Epoch("UTC_TIMESTAMP()") +
                               ", last_task_id FROM schedules "
                               "WHERE id = ? AND enabled = 1 AND next_run_at <= UTC_TIMESTAMP() FOR UPDATE",
                           {Value(id)});
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return out;  // disabled, deleted or moved meanwhile
    const db::Row& r = (*rows)[0];
    const int64_t site_id = r.Int(0);
    const std::string operation = r.Str(1);
    Rule rule{r.Str(2), r.Int(3), r.Int(4), r.Int(5)};
    std::optional<int64_t> created_by;
    if (!r.IsNull(6)) created_by = r.Int(6);
    due = r.Int(7);
    const int64_t now = r.Int(8);
    next = NextRun(rule, due, now);
    const std::string when = "Not run at " + FormatUtc(due).substr(0, 16) + " UTC: ";
    auto skip = [&](const std::string& why) -> Result<Outcome> {
      out.skipped = when + why;
      AEGIR_RETURN_IF_ERROR(RecordSkip(m.db, id, due, next, out.skipped));
      AEGIR_RETURN_IF_ERROR(tx.Commit());
      return out;
    };
    if (!r.IsNull(9)) {
      auto last = m.db.Query("SELECT state FROM tasks WHERE id = ?", {Value(r.Int(9))});
      if (!last.ok()) return last.status();
      if (!last->empty() && ((*last)[0].Str(0) == "queued" || (*last)[0].Str(0) == "running")) {
        return skip("its previous run, task #" + std::to_string(r.Int(9)) + ", had not ended.");
      }
    }
    const Operation* op = m.catalogue.Find(operation);
    if (!op || op->entity != "site") return skip("the operation catalogue has no site operation " + operation + ".");
    auto target = LoadSiteTarget(m, site_id, "");
    if (!target.ok()) {
      if (target.status().code() == Code::kNotFound) return skip("the site is deleted.");
      return target.status();
    }
    if (target->site->status != "enabled") return skip("the site is " + target->site->status + ", not enabled.");
    auto choices = ChoicesFor(m, *op, *target);
    if (!choices.ok()) return choices.status();
    const std::string description = "Scheduled (schedule #" + std::to_string(id) + ")";
    FormResult values = ValidateFields(
        op->fields,
        [&](const std::string& name) { return name == "aegir_backup_description" ? description : std::string(); },
        *choices);
    if (!values.ok()) return skip(values.errors[0].message);
    if (Status allowed = CheckAllowed(m, *op, *target, values.values); !allowed.ok()) {
      if (allowed.code() != Code::kConflict && allowed.code() != Code::kInvalidArgument) return allowed;
      return skip(allowed.message());
    }
    m.actor = Actor{std::nullopt, "schedule #" + std::to_string(id), ""};
    auto job = StoreOperation(m, *op, *target, values.values, created_by);
    if (!job.ok()) {
      if (job.status().code() == Code::kUnavailable) return job.status();
      // Refused (or failed half-way, which spoils this transaction): rolled
      // back below, and the reason recorded on its own.
      refused = job.status().message();
    } else {
      AEGIR_RETURN_IF_ERROR(MarkTask(m.db, job->job_id, id));
      auto moved = m.db.Exec(
          "UPDATE schedules SET next_run_at = ?, last_run_at = UTC_TIMESTAMP(), last_task_id = ?, last_message = '' "
          "WHERE id = ?",
          {Value(FormatUtc(next)), Value(job->job_id), Value(id)});
      if (!moved.ok()) return moved.status();
      AEGIR_RETURN_IF_ERROR(tx.Commit());
      out.job = std::move(job).value();
      return out;
    }
  }
  out.skipped = "Not run at " + FormatUtc(due).substr(0, 16) + " UTC: " + refused;
  AEGIR_RETURN_IF_ERROR(RecordSkip(m.db, id, due, next, out.skipped));
  return out;
}

}  // namespace

Result<FireResult> FireDue(ModelContext& m, int limit) {
  FireResult result;
  auto due = m.db.Query(
      "SELECT id FROM schedules WHERE enabled = 1 AND next_run_at <= UTC_TIMESTAMP() ORDER BY next_run_at LIMIT ?",
      {Value(limit)});
  if (!due.ok()) return due.status();
  const Actor actor = m.actor;
  for (const auto& row : *due) {
    const int64_t id = row.Int(0);
    auto outcome = FireOne(m, id);
    if (!outcome.ok()) {
      log::Warn("schedule #" + std::to_string(id) + ": " + outcome.status().message() + " (tried again later)");
      continue;
    }
    if (!outcome->skipped.empty()) log::Info("schedule #" + std::to_string(id) + ": " + outcome->skipped);
    if (outcome->job) result.fired.push_back({id, std::move(*outcome->job)});
  }
  m.actor = actor;
  auto next = m.db.Query("SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), MIN(next_run_at)) FROM schedules "
                         "WHERE enabled = 1");
  if (!next.ok()) return next.status();
  if (!next->empty() && !(*next)[0].IsNull(0)) result.next_due_in_s = (*next)[0].Int(0);
  return result;
}

// ---- Retention ----

Result<std::optional<Retention>> RetentionAfter(db::Connection& c, int64_t task_id) {
  auto rows = c.Query(
      "SELECT t.operation, t.state, t.entity_type, t.entity_id, s.id, s.site_id, s.keep_backups, s.created_by "
      "FROM tasks t JOIN schedules s ON s.id = t.schedule_id WHERE t.id = ?",
      {Value(task_id)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Retention>();
  const db::Row& r = (*rows)[0];
  Retention out;
  out.schedule_id = r.Int(4);
  out.site_id = r.Int(5);
  out.keep = r.Int(6);
  if (!r.IsNull(7)) out.created_by = r.Int(7);
  // Only a backup of the schedule's own site, and only when it keeps a count.
  if (r.Str(0) != kBackup || r.Str(1) != "succeeded" || r.Str(2) != "site" || r.Int(3) != out.site_id ||
      out.keep <= 0) {
    return std::optional<Retention>();
  }
  // The schedule's backups of this site, newest first, past the newest `keep`:
  // backups_site gives the site's in order; each one's task by primary key.
  auto old = c.Query(
      "SELECT b.path FROM backups b JOIN tasks t ON t.id = b.task_id "
      "WHERE b.site_id = ? AND t.schedule_id = ? AND t.entity_type = 'site' AND t.entity_id = b.site_id "
      "ORDER BY b.id DESC LIMIT 1000 OFFSET ?",
      {Value(out.site_id), Value(out.schedule_id), Value(out.keep)});
  if (!old.ok()) return old.status();
  if (old->empty()) return std::optional<Retention>();
  // Those a deletion already removes (queued or running: few rows, by state).
  auto pending = c.Query(
      "SELECT COALESCE(JSON_UNQUOTE(JSON_EXTRACT(vars, '$.aegir_backup_file')), '') FROM tasks "
      "WHERE state IN ('queued', 'running') AND operation = ? AND entity_type = 'site' AND entity_id = ?",
      {Value(kBackupDelete), Value(out.site_id)});
  if (!pending.ok()) return pending.status();
  for (const auto& b : *old) {
    bool removing = false;
    for (const auto& p : *pending) removing = removing || p.Str(0) == b.Str(0);
    if (!removing) out.delete_paths.push_back(b.Str(0));
  }
  if (out.delete_paths.empty()) return std::optional<Retention>();
  return std::optional<Retention>(std::move(out));
}

}  // namespace aegir::web::schedules
