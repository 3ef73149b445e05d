-- A version number for the short lists every history page shows (issue 4
-- "Speed"): the users (manager select, the rows' manager names), the
-- integrations (integration select, the rows' provider) and the users' saved
-- filters. Each callboard-calls process keeps its own copy of them
-- (lib/db/calllists.c) and the session query, which every page runs anyway,
-- returns this number (lib/db/user.c, db_session_user): a page whose number
-- matches the copy's reads no lists at all, one round trip and about 0.2 ms
-- of MariaDB CPU less per page.
--
-- Correctness rests on the triggers below: every INSERT, UPDATE and DELETE
-- of those three tables adds one in the same transaction, so whoever can see
-- the change also sees the new number, and the very next page of every
-- process reloads. The triggers fire for every statement that writes a row,
-- whatever the column (a password or time zone change too): rare writes, and
-- an extra reload is only a query. Not covered: TRUNCATE and the cascade of
-- a users DELETE into saved_filters (MariaDB fires no triggers for either);
-- the users DELETE trigger covers the cascade, and no code truncates these
-- tables. A new list read into that cache needs its table's triggers here
-- (a new migration).
--
-- The first number is the creation time in microseconds, not 1: a database
-- dropped and created again (tests, a restore) must not hand a running
-- process the number of its old copy.
CREATE TABLE list_versions (
  id      TINYINT UNSIGNED NOT NULL,
  version BIGINT UNSIGNED  NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT ck_list_versions_one_row CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO list_versions (id, version)
  VALUES (1, CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS UNSIGNED));

CREATE TRIGGER tr_users_list_version_ins AFTER INSERT ON users FOR EACH ROW
  UPDATE list_versions SET version = version + 1 WHERE id = 1;
CREATE TRIGGER tr_users_list_version_upd AFTER UPDATE ON users FOR EACH ROW
  UPDATE list_versions SET version = version + 1 WHERE id = 1;
CREATE TRIGGER tr_users_list_version_del AFTER DELETE ON users FOR EACH ROW
  UPDATE list_versions SET version = version + 1 WHERE id = 1;

CREATE TRIGGER tr_integrations_list_version_ins AFTER INSERT ON integrations
  FOR EACH ROW UPDATE list_versions SET version = version + 1 WHERE id = 1;
CREATE TRIGGER tr_integrations_list_version_upd AFTER UPDATE ON integrations
  FOR EACH ROW UPDATE list_versions SET version = version + 1 WHERE id = 1;
CREATE TRIGGER tr_integrations_list_version_del AFTER DELETE ON integrations
  FOR EACH ROW UPDATE list_versions SET version = version + 1 WHERE id = 1;

CREATE TRIGGER tr_saved_filters_list_version_ins AFTER INSERT ON saved_filters
  FOR EACH ROW UPDATE list_versions SET version = version + 1 WHERE id = 1;
CREATE TRIGGER tr_saved_filters_list_version_upd AFTER UPDATE ON saved_filters
  FOR EACH ROW UPDATE list_versions SET version = version + 1 WHERE id = 1;
CREATE TRIGGER tr_saved_filters_list_version_del AFTER DELETE ON saved_filters
  FOR EACH ROW UPDATE list_versions SET version = version + 1 WHERE id = 1;
