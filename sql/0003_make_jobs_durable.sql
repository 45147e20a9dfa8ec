-- Durable jobs (docs/protocol.md): a task row holds everything the scheduler
-- needs to run it again after any restart, so MariaDB is the queue.
--
-- job             the job document (common/job.h) without its feedback token;
--                 the scheduler mints a token each time it hands the job to an
--                 executor and stores only its SHA-256 (feedback_token_hash)
-- locks           the entity keys the job holds while it runs, space-separated
--                 ("site:7 site:9" for a clone); never two running jobs share one
-- success_status,
-- failure_status  what the task's entity becomes when it ends (the operation's
--                 catalogue entry, copied when queued so whoever ends the task,
--                 aegir-web or the scheduler, applies the same outcome)
-- executor        the executor it was last handed to
-- attempts        how many times it was handed to an executor
-- cancel_requested a user asked to stop it while it ran
-- recap           ansible's per-host recap {"host": {"ok": N, "changed": N, ...}}
ALTER TABLE tasks
  ADD COLUMN IF NOT EXISTS job MEDIUMTEXT NULL AFTER vars,
  ADD COLUMN IF NOT EXISTS locks VARCHAR(1024) NOT NULL DEFAULT '' AFTER job,
  ADD COLUMN IF NOT EXISTS success_status VARCHAR(32) NOT NULL DEFAULT '' AFTER locks,
  ADD COLUMN IF NOT EXISTS failure_status VARCHAR(32) NOT NULL DEFAULT '' AFTER success_status,
  ADD COLUMN IF NOT EXISTS executor VARCHAR(255) NULL AFTER failure_status,
  ADD COLUMN IF NOT EXISTS attempts INT UNSIGNED NOT NULL DEFAULT 0 AFTER executor,
  ADD COLUMN IF NOT EXISTS cancel_requested BOOLEAN NOT NULL DEFAULT FALSE AFTER attempts,
  ADD COLUMN IF NOT EXISTS recap JSON NULL AFTER results,
  MODIFY COLUMN feedback_token_hash CHAR(64) NOT NULL DEFAULT '';
