-- Listening is its own permission. Issue 4 gives `calls` "the history page
-- and every recording", yet the intern must use the history and never hear
-- a recording (issue 2, DESIGN §8 journey 5). So: `calls`, `orders.calls`
-- and `customers.calls` say which calls a role sees (and with
-- `recordings.listen`, hears); `recordings.listen` is needed for any byte
-- of audio, `recordings.download` for saving a file.
ALTER TABLE role_permissions DROP CONSTRAINT ck_role_permissions_permission;
ALTER TABLE role_permissions ADD CONSTRAINT ck_role_permissions_permission
  CHECK (permission IN ('calls','orders.calls','customers.calls',
    'recordings.listen','recordings.download','calls.dial','settings'));
INSERT INTO role_permissions (role_id, permission, scope)
SELECT r.id, 'recordings.listen', 'all' FROM roles r
WHERE r.name IN ('admin', 'manager')
  AND NOT EXISTS (SELECT 1 FROM role_permissions p
                  WHERE p.role_id = r.id AND p.permission = 'recordings.listen');
