-- Client users and what they may use, one-time links to set a password, and
-- the audit log.
--
-- An admin (users.is_admin) sees and does everything. Any other user is a
-- client user: they see and act on the sites of their clients
-- (user_clients) and may put new sites only on the platforms their clients
-- are allowed (client_platforms). A user is never deleted, only disabled
-- (active = 0), so the audit log and tasks keep naming them.
ALTER TABLE users
  ADD COLUMN IF NOT EXISTS active BOOLEAN NOT NULL DEFAULT TRUE,
  ADD COLUMN IF NOT EXISTS password_token_hash CHAR(64) CHARACTER SET ascii NULL,
  ADD COLUMN IF NOT EXISTS password_token_expires_at DATETIME NULL;
ALTER TABLE users ADD UNIQUE KEY IF NOT EXISTS users_password_token (password_token_hash);

CREATE TABLE IF NOT EXISTS user_clients (
  user_id BIGINT UNSIGNED NOT NULL,
  client_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (user_id, client_id),
  KEY user_clients_client (client_id),
  CONSTRAINT user_clients_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT user_clients_client FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS client_platforms (
  client_id BIGINT UNSIGNED NOT NULL,
  platform_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (client_id, platform_id),
  KEY client_platforms_platform (platform_id),
  CONSTRAINT client_platforms_client FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE CASCADE,
  CONSTRAINT client_platforms_platform FOREIGN KEY (platform_id) REFERENCES platforms (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Who did what, when, from where. actor is the user's name at the time (or
-- the tool that asked the scheduler); details holds the operation's
-- variables with secrets masked. Rows are only ever added.
CREATE TABLE IF NOT EXISTS audit_log (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  user_id BIGINT UNSIGNED NULL,
  actor VARCHAR(128) NOT NULL,
  address VARCHAR(64) NOT NULL DEFAULT '',
  action VARCHAR(64) NOT NULL,
  entity_type VARCHAR(32) NOT NULL DEFAULT '',
  entity_id BIGINT UNSIGNED NULL,
  task_id BIGINT UNSIGNED NULL,
  details JSON NOT NULL,
  KEY audit_log_user (user_id, id),
  KEY audit_log_entity (entity_type, entity_id, id),
  KEY audit_log_action (action, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
