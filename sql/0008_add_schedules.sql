-- Schedules: an operation run on a site again and again (docs/schedules.md).
-- Every statement can run again after a failure half way.
--
-- operation     site-backup or site-cron (the catalogue's names)
-- frequency     minutes | hours: every `every_n` of them, counted from when
--               the schedule was made (or last enabled, or last run by hand);
--               daily: every day at `at_minute` (minutes after 00:00 UTC);
--               weekly: every week on `weekday` (0 Monday .. 6 Sunday) at
--               `at_minute`
-- keep_backups  site-backup only: after one of its backups succeeded, the
--               schedule's own backups of the site beyond the newest
--               keep_backups are deleted (site-backup-delete tasks); 0 keeps
--               them all. Backups taken by hand or by other operations are
--               never counted nor deleted.
-- next_run_at   when it is due next (UTC); aegir-scheduler fires a due
--               schedule and moves next_run_at past now in the same
--               transaction that stores its task, so a restart never fires a
--               run twice nor forgets one
-- last_task_id  the task of its last run; while it is queued or running the
--               schedule does not fire (that run is skipped)
-- last_message  why the last due run did not start ('' when it did)
CREATE TABLE IF NOT EXISTS schedules (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  site_id BIGINT UNSIGNED NOT NULL,
  operation VARCHAR(64) NOT NULL,
  frequency ENUM('minutes', 'hours', 'daily', 'weekly') NOT NULL,
  every_n INT UNSIGNED NOT NULL DEFAULT 1,
  at_minute SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  weekday TINYINT UNSIGNED NOT NULL DEFAULT 0,
  keep_backups INT UNSIGNED NOT NULL DEFAULT 0,
  enabled BOOLEAN NOT NULL DEFAULT TRUE,
  next_run_at DATETIME NOT NULL,
  last_run_at DATETIME NULL,
  last_task_id BIGINT UNSIGNED NULL,
  last_message VARCHAR(1000) NOT NULL DEFAULT '',
  created_by BIGINT UNSIGNED NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  -- The scheduler's query: the enabled schedules due now, earliest first, is
  -- one range read of this index (and MIN(next_run_at) one lookup).
  KEY schedules_due (enabled, next_run_at),
  KEY schedules_site (site_id, id),
  CONSTRAINT schedules_site FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE CASCADE,
  CONSTRAINT schedules_last_task FOREIGN KEY (last_task_id) REFERENCES tasks (id) ON DELETE SET NULL,
  CONSTRAINT schedules_user FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The schedule a task was started by (its runs, and the backup deletions its
-- retention queued); NULL for every other task. No foreign key: a deleted
-- schedule's tasks keep its number. Added last, without an index, so the
-- change is instant however many tasks there are.
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS schedule_id BIGINT UNSIGNED NULL;
