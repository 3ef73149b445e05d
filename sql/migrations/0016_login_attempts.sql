-- Login throttling (issue 16 item 5; lib/auth/throttle.c decides, this
-- table remembers). One row per source address (scope 'addr', login '')
-- and one per (address, login) (scope 'pair'): failed logins in a row,
-- when the last one was, and until when the next try is refused without
-- even hashing the password. Per address and login, not per login alone:
-- an attacker elsewhere can never lock the real user out. Rows whose last
-- failure is a day old are deleted as new failures arrive.
CREATE TABLE login_attempts (
  scope         ENUM('pair','addr') NOT NULL,
  addr          VARCHAR(45)  NOT NULL,
  -- The users.login collation: 'Admin' and 'admin' are one account.
  login         VARCHAR(64)  NOT NULL DEFAULT '',
  failures      INT UNSIGNED NOT NULL,
  last_at       DATETIME(3)  NOT NULL,
  blocked_until DATETIME(3)  NOT NULL,
  PRIMARY KEY (scope, addr, login),
  KEY ix_login_attempts_last (last_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
