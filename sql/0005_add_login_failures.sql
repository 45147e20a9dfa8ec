-- Failed logins, for throttling (fcgi-app: at most 5 per account name and 20
-- per address in 15 minutes). A success clears the account's rows; rows
-- older than a day are swept at each login.
CREATE TABLE IF NOT EXISTS login_failures (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  remote_addr VARCHAR(64) NOT NULL,
  at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY login_failures_name (name, at),
  KEY login_failures_addr (remote_addr, at),
  KEY login_failures_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
