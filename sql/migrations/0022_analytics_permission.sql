-- Issue 21: the call analytics page (/analytics, cgi/analytics.c) has its
-- own permission, `analytics`, with a scope: "own" = every figure counts
-- only calls whose manager is the user (calls.manager_id), "all" = every
-- call. What a scope means is lib/auth/access.c.
--
-- NOTE for whoever adds the next permission: this CHECK lists every
-- permission; a later migration that redefines it must keep 'analytics'.
ALTER TABLE role_permissions DROP CONSTRAINT ck_role_permissions_permission;
ALTER TABLE role_permissions ADD CONSTRAINT ck_role_permissions_permission
  CHECK (permission IN ('calls','orders.calls','customers.calls',
    'recordings.listen','recordings.download','calls.dial','settings',
    'customers','customers.edit','orders','orders.edit','leads',
    'leads.edit','analytics'));

-- Defaults: every role with `settings` (the admin role, and any an
-- installation made like it) gets analytics at "all". Other roles get
-- nothing: an admin grants it in the role editor (Settings > Roles).
INSERT INTO role_permissions (role_id, permission, scope)
SELECT s.role_id, 'analytics', 'all'
FROM role_permissions s
WHERE s.permission = 'settings'
  AND NOT EXISTS (SELECT 1 FROM role_permissions q
                  WHERE q.role_id = s.role_id AND q.permission = 'analytics');

-- The analytics page's figures are GROUP BYs over every call of a range
-- (a month: ~80,000 calls at a million a year). This index holds every
-- column they read, so each is one range scan of the index, never a read
-- of the calls' rows (lib/analytics/query.c). The price: one more index
-- to keep per call written; no summary table to keep in step.
ALTER TABLE calls ADD INDEX ix_calls_analytics (started_at, direction,
  result, manager_id, integration_id, store_id, talk_seconds, wait_seconds,
  our_number, client_digits_rev);

-- The missed-call follow-up asks, per missed call, for the first later
-- answered call with that number: with the result in the key that is one
-- index dive, not a walk through the number's calls reading each row.
ALTER TABLE calls ADD INDEX ix_calls_followup (client_digits_rev, result,
  started_at, id);
