-- The roles' permissions join the lists behind list_versions.version
-- (0008_list_versions.sql, issue 4 "Speed"). Every program keeps each
-- role's permissions per process (lib/db/roleperms.c) and reads them again
-- only when the version the session query returns differs from the one its
-- copy was read at: the session query loses its GROUP_CONCAT subquery over
-- role_permissions, about 0.1 ms of MariaDB CPU on every page.
--
-- This is what a revoked permission rests on: every INSERT, UPDATE and
-- DELETE of role_permissions bumps the version in the same transaction, so
-- the next request of every process reads the role again and is refused.
-- A role's DELETE cascades into role_permissions without firing its
-- triggers (MariaDB fires none for a foreign key's cascade): the roles
-- triggers cover it, and a renamed role costs only a reload. TRUNCATE fires
-- no trigger either; no code truncates these tables. Any later change of
-- where permissions come from needs its triggers here (a new migration),
-- and tests/http/perm_cache.test.js fails when one is missing.
CREATE TRIGGER tr_roles_list_version_ins AFTER INSERT ON roles
  FOR EACH ROW UPDATE list_versions SET version = version + 1 WHERE id = 1;
CREATE TRIGGER tr_roles_list_version_upd AFTER UPDATE ON roles
  FOR EACH ROW UPDATE list_versions SET version = version + 1 WHERE id = 1;
CREATE TRIGGER tr_roles_list_version_del AFTER DELETE ON roles
  FOR EACH ROW UPDATE list_versions SET version = version + 1 WHERE id = 1;

CREATE TRIGGER tr_role_permissions_list_version_ins AFTER INSERT
  ON role_permissions
  FOR EACH ROW UPDATE list_versions SET version = version + 1 WHERE id = 1;
CREATE TRIGGER tr_role_permissions_list_version_upd AFTER UPDATE
  ON role_permissions
  FOR EACH ROW UPDATE list_versions SET version = version + 1 WHERE id = 1;
CREATE TRIGGER tr_role_permissions_list_version_del AFTER DELETE
  ON role_permissions
  FOR EACH ROW UPDATE list_versions SET version = version + 1 WHERE id = 1;

-- Bumped once here too: a process that read permissions before this
-- migration (no trigger yet) must not keep them under today's number.
UPDATE list_versions SET version = version + 1 WHERE id = 1;
