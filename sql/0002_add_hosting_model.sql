-- The hosting model: services of servers, distributions, platforms, clients,
-- sites with their platform, database server, aliases and HTTPS mode, and
-- backups. Every statement can run again after a failure half way.

-- A server's services: at most one http (nginx or apache) and one db
-- (mariadb or postgresql). settings is a JSON object whose keys depend on the
-- kind (fcgi-app/services.h says which, and validates them). No secret is ever
-- in it: at most the path of a file an administrator placed on the server.
CREATE TABLE IF NOT EXISTS services (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  server_id BIGINT UNSIGNED NOT NULL,
  type ENUM('http', 'db') NOT NULL,
  kind ENUM('nginx', 'apache', 'mariadb', 'postgresql') NOT NULL,
  settings JSON NOT NULL,
  UNIQUE KEY services_server_type (server_id, type),
  CONSTRAINT services_server FOREIGN KEY (server_id) REFERENCES servers (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Where Aegir keeps a server's files (vhost.d, platforms, backups, ssl), and
-- how it is reached when it is not the executor's own host.
ALTER TABLE servers
  ADD COLUMN IF NOT EXISTS config_root VARCHAR(1024) NOT NULL DEFAULT '',
  ADD COLUMN IF NOT EXISTS ssh_user VARCHAR(32) NOT NULL DEFAULT 'aegir',
  ADD COLUMN IF NOT EXISTS ssh_port INT UNSIGNED NOT NULL DEFAULT 22,
  ADD COLUMN IF NOT EXISTS host_key TEXT NULL;

-- What a platform's code is: the installer decides how its sites are made.
CREATE TABLE IF NOT EXISTS distributions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  installer ENUM('wordpress', 'drupal', 'php') NOT NULL,
  description VARCHAR(255) NOT NULL DEFAULT '',
  UNIQUE KEY distributions_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO distributions (name, installer, description) VALUES
  ('WordPress', 'wordpress', 'WordPress sites, several on one codebase'),
  ('Drupal', 'drupal', 'Drupal sites, installed with drush'),
  ('PHP or static site', 'php', 'Any PHP or static site from a git repository or a directory');

-- A codebase deployed on a web server. The row stays after deletion (status
-- deleted) so its tasks keep their history; `live` makes names unique among
-- the platforms that are not deleted.
CREATE TABLE IF NOT EXISTS platforms (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  distribution_id BIGINT UNSIGNED NOT NULL,
  server_id BIGINT UNSIGNED NOT NULL,
  source ENUM('git', 'path') NOT NULL,
  git_url VARCHAR(1024) NOT NULL DEFAULT '',
  git_ref VARCHAR(255) NOT NULL DEFAULT '',
  source_path VARCHAR(1024) NOT NULL DEFAULT '',
  status ENUM('new', 'enabled', 'locked', 'failed', 'deleted') NOT NULL DEFAULT 'new',
  deployed_commit VARCHAR(40) NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  verified_at DATETIME NULL,
  live TINYINT AS (IF(status = 'deleted', NULL, 1)) PERSISTENT,
  UNIQUE KEY platforms_name_live (name, live),
  KEY platforms_server (server_id),
  CONSTRAINT platforms_distribution FOREIGN KEY (distribution_id) REFERENCES distributions (id),
  CONSTRAINT platforms_server FOREIGN KEY (server_id) REFERENCES servers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS clients (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY clients_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO clients (name) VALUES ('default');

-- Sites of the skeleton had a server and nothing else: no operation could
-- run on them. A site now lives on a platform, so they cannot be carried over.
DELETE FROM sites;
ALTER TABLE sites DROP FOREIGN KEY IF EXISTS sites_server;
ALTER TABLE sites DROP INDEX IF EXISTS sites_server;
ALTER TABLE sites DROP INDEX IF EXISTS sites_domain;
ALTER TABLE sites DROP COLUMN IF EXISTS server_id;
ALTER TABLE sites
  ADD COLUMN IF NOT EXISTS platform_id BIGINT UNSIGNED NOT NULL AFTER domain,
  ADD COLUMN IF NOT EXISTS db_server_id BIGINT UNSIGNED NOT NULL AFTER platform_id,
  ADD COLUMN IF NOT EXISTS db_name VARCHAR(64) NOT NULL DEFAULT '' AFTER db_server_id,
  ADD COLUMN IF NOT EXISTS client_id BIGINT UNSIGNED NOT NULL AFTER db_name,
  ADD COLUMN IF NOT EXISTS profile VARCHAR(64) NOT NULL DEFAULT '' AFTER client_id,
  ADD COLUMN IF NOT EXISTS https ENUM('off', 'on', 'required') NOT NULL DEFAULT 'off' AFTER profile,
  MODIFY COLUMN status ENUM('queued', 'enabled', 'disabled', 'failed', 'deleted') NOT NULL DEFAULT 'queued',
  ADD COLUMN IF NOT EXISTS live TINYINT AS (IF(status = 'deleted', NULL, 1)) PERSISTENT;
ALTER TABLE sites ADD UNIQUE KEY IF NOT EXISTS sites_domain_live (domain, live);
ALTER TABLE sites ADD KEY IF NOT EXISTS sites_platform (platform_id);
ALTER TABLE sites ADD KEY IF NOT EXISTS sites_client (client_id);
ALTER TABLE sites ADD CONSTRAINT sites_platform FOREIGN KEY IF NOT EXISTS (platform_id) REFERENCES platforms (id);
ALTER TABLE sites ADD CONSTRAINT sites_db_server FOREIGN KEY IF NOT EXISTS (db_server_id) REFERENCES servers (id);
ALTER TABLE sites ADD CONSTRAINT sites_client FOREIGN KEY IF NOT EXISTS (client_id) REFERENCES clients (id);

-- Extra domains of a site; redirect = 1 sends them to the main domain (301).
CREATE TABLE IF NOT EXISTS site_aliases (
  site_id BIGINT UNSIGNED NOT NULL,
  alias VARCHAR(253) NOT NULL,
  redirect BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (site_id, alias),
  KEY site_aliases_alias (alias),
  CONSTRAINT site_aliases_site FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Backups reported by backup tasks (their feedback).
CREATE TABLE IF NOT EXISTS backups (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  site_id BIGINT UNSIGNED NOT NULL,
  path VARCHAR(1024) NOT NULL,
  size BIGINT UNSIGNED NOT NULL DEFAULT 0,
  description VARCHAR(255) NOT NULL DEFAULT '',
  task_id BIGINT UNSIGNED NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY backups_site (site_id, id),
  CONSTRAINT backups_site FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE CASCADE,
  CONSTRAINT backups_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Values roles posted back (docs/operations.md, "Feedback from roles").
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS results JSON NULL AFTER reason;
