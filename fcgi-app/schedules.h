// A site's schedules in aegir-web (docs/schedules.md): the page that lists
// them with the form to add one, enable/disable, run now and delete; and the
// retention that follows a scheduled backup's success. The rules, the SQL
// and the firing (aegir-scheduler's) are fcgi-app/schedules_model.h.
//
// Access mirrors the site's: an admin manages every site's schedules, a
// client user those of their clients' sites; another site answers 404.
#pragma once

#include <cstdint>

#include "fcgi-app/app.h"

namespace aegir::web {

// GET/POST /sites/{id}/schedules, POST /sites/{id}/schedules/{schedule}/{enable,disable,run},
// GET/POST /sites/{id}/schedules/{schedule}/delete.
void AddScheduleRoutes(Router& router);

// Called when a task ended succeeded (the feedback API's /finish): when it
// is a backup of a schedule that keeps N backups, queues a site-backup-delete
// task (an ordinary task, on behalf of "schedule #S") for each of the
// schedule's backups of that site older than its newest N. Failures are
// logged; the next successful run of the schedule tries again.
void ApplyBackupRetention(Context& ctx, int64_t task_id);

}  // namespace aegir::web
