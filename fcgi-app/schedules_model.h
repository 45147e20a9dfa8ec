// Schedules: an operation (a backup or cron) run on a site again and again,
// made in aegir-web and fired by aegir-scheduler (docs/schedules.md; the
// table is sql/0008_add_schedules.sql). What both programs need lives here,
// without any of the web: the rules of when a schedule is due, the schedules'
// SQL, firing the due ones, and which backups a schedule's retention removes.
//
// Times are UTC, as seconds since 1970 in C++ and DATETIME in the database;
// "now" is always the database's (UTC_TIMESTAMP()), so aegir-web and
// aegir-scheduler agree on it wherever they run.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/db.h"
#include "common/job.h"
#include "common/status.h"
#include "fcgi-app/operations.h"

namespace aegir::web::schedules {

// The operations a schedule may run (catalogue names).
inline constexpr const char* kBackup = "site-backup";
inline constexpr const char* kCron = "site-cron";
inline constexpr const char* kBackupDelete = "site-backup-delete";

// Bounds of what a form may ask for.
inline constexpr int64_t kMaxMinutes = 1440;  // every 1 .. 1440 minutes
inline constexpr int64_t kMaxHours = 744;     // every 1 .. 744 hours (31 days)
inline constexpr int64_t kMaxKeep = 1000;

// When a schedule is due.
struct Rule {
  std::string frequency = "daily";  // minutes | hours | daily | weekly
  int64_t every_n = 1;              // minutes, hours: every this many
  int64_t at_minute = 0;            // daily, weekly: minutes after 00:00 UTC
  int64_t weekday = 0;              // weekly: 0 Monday .. 6 Sunday
};

// The first time after `now` the rule is due, for a schedule that was due
// at `due` (<= now): every N minutes or hours keeps its phase (due + k
// periods), so a scheduler that was down for several periods fires once,
// then goes on as before; daily and weekly give the next such moment.
int64_t NextRun(const Rule& rule, int64_t due, int64_t now);
// When a schedule made (or enabled) at `now` is first due: one period on
// for minutes and hours, the next such moment for daily and weekly.
int64_t FirstRun(const Rule& rule, int64_t now);
// "every 6 hours", "daily at 03:00 UTC", "weekly on Monday at 03:00 UTC".
std::string Describe(const Rule& rule);
// "YYYY-MM-DD HH:MM:SS" (UTC) for seconds since 1970.
std::string FormatUtc(int64_t epoch_s);
// "Monday" .. "Sunday" for 0 .. 6.
const char* WeekdayName(int64_t weekday);

struct Schedule {
  int64_t id = 0;
  int64_t site_id = 0;
  std::string operation;
  Rule rule;
  int64_t keep_backups = 0;  // site-backup: 0 keeps all
  bool enabled = true;
  std::string next_run_at;  // "YYYY-MM-DD HH:MM" UTC
  std::string last_run_at;  // "" before its first run
  std::optional<int64_t> last_task_id;
  std::string last_task_state;  // "" without a last task
  std::string last_message;     // why the last due run did not start, or ""
  std::optional<int64_t> created_by;
  std::string created_by_name;
};

// A schedule's form as typed.
struct Input {
  std::string operation, frequency, every_n, at_time, weekday, keep_backups;
};
// The schedule the input describes, or what is wrong with it, by field name
// (operation, frequency, every_n, at_time, weekday, keep_backups).
struct Checked {
  Schedule schedule;
  std::map<std::string, std::string> errors;
  bool ok() const { return errors.empty(); }
};
Checked Check(const Input& input);

// The store. A site's schedules, oldest first.
Result<std::vector<Schedule>> ListForSite(db::Connection& c, int64_t site_id);
Result<std::optional<Schedule>> Get(db::Connection& c, int64_t id);
// Stores a new schedule (enabled), first due at FirstRun(now); returns its id.
Result<int64_t> Create(db::Connection& c, const Schedule& s);
// Enabling makes it due next at FirstRun(now): the runs it missed while
// disabled are not made up. False when there is no such schedule.
Result<bool> SetEnabled(db::Connection& c, int64_t id, bool enabled);
// Makes an enabled schedule due now (the scheduler fires it within its
// check interval). False when it is disabled or gone.
Result<bool> RunNow(db::Connection& c, int64_t id);
Result<bool> Delete(db::Connection& c, int64_t id);
// Notes that a task was started by the schedule (tasks.schedule_id).
Status MarkTask(db::Connection& c, int64_t task_id, int64_t schedule_id);

// Firing (aegir-scheduler). Each due schedule is handled in a transaction of
// its own that locks its row, checks it is still due, stores its task (the
// same StoreOperation as every other task, the audit entry naming
// "schedule #N") and moves next_run_at past now; or, when it cannot run
// (its site is deleted or not enabled, its last task has not ended, the
// operation is refused), moves next_run_at past now and keeps the reason in
// last_message. m.deferred must be unset.
struct Fired {
  int64_t schedule_id = 0;
  Job job;
};
struct FireResult {
  std::vector<Fired> fired;
  // Seconds until the earliest enabled schedule is due (<= 0: now); none
  // when there is no enabled schedule.
  std::optional<int64_t> next_due_in_s;
};
// At most `limit` schedules in one call (the earliest due first). An error
// only when the database cannot be read; a schedule whose transaction failed
// is logged and tried again at the next call.
Result<FireResult> FireDue(ModelContext& m, int limit);

// Retention: after task_id (a schedule's site-backup) succeeded, the
// schedule's own backups of that site beyond its newest keep_backups, except
// those a queued or running site-backup-delete already removes. Nothing when
// the task was not a scheduled backup, did not succeed, or its schedule
// keeps every backup (0) or is gone.
struct Retention {
  int64_t schedule_id = 0;
  int64_t site_id = 0;
  int64_t keep = 0;
  std::optional<int64_t> created_by;
  std::vector<std::string> delete_paths;  // oldest last
};
Result<std::optional<Retention>> RetentionAfter(db::Connection& c, int64_t task_id);

}  // namespace aegir::web::schedules
