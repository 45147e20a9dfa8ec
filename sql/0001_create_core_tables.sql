-- Users, sessions, servers, sites, tasks and their log lines.
-- Append-only: change the schema in a new numbered file, never here.

CREATE TABLE IF NOT EXISTS users (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  is_admin BOOLEAN NOT NULL DEFAULT FALSE,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY users_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A session id is a random token held by the browser; only its SHA-256 is
-- stored. Anonymous sessions (user_id NULL) carry the CSRF token of the login form.
CREATE TABLE IF NOT EXISTS sessions (
  id_hash CHAR(64) NOT NULL PRIMARY KEY,
  user_id BIGINT UNSIGNED NULL,
  csrf_token CHAR(64) NOT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  last_seen_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  expires_at DATETIME NOT NULL,
  KEY sessions_expires (expires_at),
  CONSTRAINT sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=ascii;

CREATE TABLE IF NOT EXISTS servers (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  hostname VARCHAR(253) NOT NULL,
  status ENUM('new', 'verified', 'failed') NOT NULL DEFAULT 'new',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  verified_at DATETIME NULL,
  UNIQUE KEY servers_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS sites (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  domain VARCHAR(253) NOT NULL,
  server_id BIGINT UNSIGNED NOT NULL,
  status ENUM('new', 'enabled', 'disabled') NOT NULL DEFAULT 'new',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY sites_domain (domain),
  KEY sites_server (server_id),
  CONSTRAINT sites_server FOREIGN KEY (server_id) REFERENCES servers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One run of an operation. state moves queued -> running -> succeeded | failed
-- (or cancelled). feedback_token_hash is the SHA-256 of the token the
-- executor presents to the feedback API.
CREATE TABLE IF NOT EXISTS tasks (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  operation VARCHAR(64) NOT NULL,
  entity_type VARCHAR(32) NOT NULL,
  entity_id BIGINT UNSIGNED NOT NULL,
  state ENUM('queued', 'running', 'succeeded', 'failed', 'cancelled') NOT NULL DEFAULT 'queued',
  vars JSON NOT NULL,
  feedback_token_hash CHAR(64) NOT NULL,
  exit_code INT NULL,
  reason VARCHAR(1000) NULL,
  created_by BIGINT UNSIGNED NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  started_at DATETIME(3) NULL,
  finished_at DATETIME(3) NULL,
  KEY tasks_entity (entity_type, entity_id, id),
  KEY tasks_state (state, id),
  CONSTRAINT tasks_user FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Log lines in order; (task_id, seq) makes a re-posted line a no-op.
CREATE TABLE IF NOT EXISTS task_log (
  task_id BIGINT UNSIGNED NOT NULL,
  seq INT UNSIGNED NOT NULL,
  line MEDIUMTEXT NOT NULL,
  PRIMARY KEY (task_id, seq),
  CONSTRAINT task_log_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
