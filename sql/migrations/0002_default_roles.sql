-- The three built-in roles every installation starts with (issue 4 §3,
-- DESIGN §3). Admins may change their permissions later in Settings; this
-- migration only creates them once.
--   admin    everything, settings included
--   manager  call history, feeds, recordings (play and download), dialling
--   intern   call history and dialling, but no recordings
INSERT INTO roles (name, description) VALUES
  ('admin',   'Everything, including settings'),
  ('manager', 'Call history, recordings, click-to-call'),
  ('intern',  'Call history and click-to-call, no recordings');

INSERT INTO role_permissions (role_id, permission, scope)
SELECT r.id, p.permission, 'all'
FROM roles r
JOIN (SELECT 'calls' AS permission UNION ALL SELECT 'orders.calls'
      UNION ALL SELECT 'customers.calls' UNION ALL SELECT 'recordings.download'
      UNION ALL SELECT 'calls.dial' UNION ALL SELECT 'settings') p
WHERE r.name = 'admin'
   OR (r.name = 'manager' AND p.permission <> 'settings')
   OR (r.name = 'intern'  AND p.permission IN ('calls', 'calls.dial'));
