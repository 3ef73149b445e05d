-- Issue 16 §1-2: the CRM pages (customers, orders, leads) get permissions
-- with scopes like the call pages, and a number that already belongs to
-- another customer can no longer be taken over from a form.
--
-- Permissions: customers, orders, leads (see the pages; "own" = the
-- record's manager_id is the user) and customers.edit, orders.edit,
-- leads.edit (create and edit; a new record is managed by its author, so
-- "own" may create). What a scope means is lib/auth/access.c.
ALTER TABLE role_permissions DROP CONSTRAINT ck_role_permissions_permission;
ALTER TABLE role_permissions ADD CONSTRAINT ck_role_permissions_permission
  CHECK (permission IN ('calls','orders.calls','customers.calls',
    'recordings.listen','recordings.download','calls.dial','settings',
    'customers','customers.edit','orders','orders.edit','leads',
    'leads.edit'));

-- Defaults: every role with `settings` (the admin role, and any an
-- installation made like it) gets all six at "all"; the demo's manager
-- sees every record and edits their own; the intern sees the records they
-- manage and edits none. Other roles get nothing new: an admin grants it
-- in the role editor (Settings > Roles).
INSERT INTO role_permissions (role_id, permission, scope)
SELECT r.id, p.permission,
  CASE WHEN EXISTS (SELECT 1 FROM role_permissions s
                    WHERE s.role_id = r.id AND s.permission = 'settings')
         THEN 'all'
       WHEN r.name = 'manager' AND p.permission NOT LIKE '%.edit' THEN 'all'
       ELSE 'own' END
FROM roles r
JOIN (SELECT 'customers' AS permission UNION ALL SELECT 'customers.edit'
      UNION ALL SELECT 'orders' UNION ALL SELECT 'orders.edit'
      UNION ALL SELECT 'leads' UNION ALL SELECT 'leads.edit') p
WHERE (EXISTS (SELECT 1 FROM role_permissions s
               WHERE s.role_id = r.id AND s.permission = 'settings')
       OR r.name = 'manager'
       OR (r.name = 'intern' AND p.permission NOT LIKE '%.edit'))
  AND NOT EXISTS (SELECT 1 FROM role_permissions q
                  WHERE q.role_id = r.id AND q.permission = p.permission);

-- A number a new customer shares with a customer that already has it, when
-- the author may not edit that customer (issue 16 §1: an intern created a
-- customer with another manager's customer's number and took over the
-- caller's calls and routing). It is kept here, flagged on the customer's
-- page, and NOT in customer_phones: linking (cb_ingest_call, link_call)
-- and routing (db_route_by_phone) read only customer_phones, so calls and
-- routing stay with the customer that had the number. held_by is that
-- customer when the number was added (NULL once it is deleted).
CREATE TABLE customer_phones_shared (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_id      BIGINT UNSIGNED NOT NULL,
  phone            VARCHAR(32) NOT NULL,
  phone_digits_rev VARCHAR(32) NOT NULL,
  held_by          BIGINT UNSIGNED NULL,
  created_by       BIGINT UNSIGNED NULL,
  created_at       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_customer_phones_shared (customer_id, phone),
  KEY ix_customer_phones_shared_phone (phone),
  CONSTRAINT fk_customer_phones_shared_customer FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE CASCADE,
  CONSTRAINT fk_customer_phones_shared_held_by FOREIGN KEY (held_by)
    REFERENCES customers (id) ON DELETE SET NULL,
  CONSTRAINT fk_customer_phones_shared_created_by FOREIGN KEY (created_by)
    REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
