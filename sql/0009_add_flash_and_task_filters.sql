-- The web interface: a one-time message per session, and the indexes of the
-- task list's filters. docs/queries.md says which list uses which index.
-- Every statement can run again after a failure half way.

-- The message the next page shows once ("Backup queued as task #12."),
-- written by aegir-web after a form that redirects and cleared when it is
-- read. Text that aegir-web composed, shown escaped; never HTML.
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS
  flash VARCHAR(500) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL;

-- Tasks by operation, newest first: one range per state (the primary key
-- ends each entry), so "the site-backup tasks" is five ordered ranges merged
-- by aegir-web's query (UNION ALL of five limited selects) and "the failed
-- site-backup tasks" is one. A client user's the same within each client.
ALTER TABLE tasks ADD KEY IF NOT EXISTS tasks_operation_state (operation, state, id);
ALTER TABLE tasks ADD KEY IF NOT EXISTS tasks_client_operation_state (client_id, operation, state, id);
