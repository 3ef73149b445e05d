-- Callboard demo data.
--
-- Run on a freshly migrated, EMPTY database, in one connection, as one
-- multi-statement script. Before it, the tool sets with prepared statements:
--   @calls         number of calls to generate (300 for the demo, 1000000 for
--                  benchmarks), default 300
--   @admin_hash    password hash for login admin
--   @manager_hash  password hash for login manager and the other managers
--   @intern_hash   password hash for login intern
-- A NULL hash makes the users INSERT fail (password_hash is NOT NULL): loud
-- on purpose.
--
-- Everything is deterministic (CRC32 of the row number, no RAND), so two runs
-- with the same @calls give the same rows, only shifted to the current time.
-- Calls are made in one INSERT ... SELECT over the Sequence engine, in time
-- order, so calls.id grows with started_at as in production.
--
-- ALL SECRETS BELOW EXIST ONLY IN DEMO DATA (twilio auth token
-- demo-twilio-token, zadarma and binotel demo keys, asterisk and generic
-- secret demo-generic-secret, API token demo-api-token, the second-wave
-- providers' demo-phonet-key, demo-unitalk-token, demo-streamtelecom-key,
-- demo-yeastar-key, demo-ringostat-key with Auth-key demo-ringostat-auth-key,
-- and demo-3cx-key).
--
-- Comments avoid semicolons and quote marks so a naive splitter copes.

-- The file is UTF-8 whatever the connection default is.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;
SET SESSION time_zone = '+00:00';
SET @calls = GREATEST(0, COALESCE(@calls, 300));
SET @now   = UTC_TIMESTAMP(3);

-- ------------------------------------------------------------ roles/users --
-- Ids are read back into variables (a fresh database gives 1, 2, 3...,
-- but nothing below relies on it). In JSON, such a variable must be CAST
-- to a number, or MariaDB writes it as a string.

-- The roles admin, manager and intern come from migration 0002.

INSERT INTO users (login, password_hash, name, email, extension, phone, role_id,
                   time_zone, created_at)
SELECT v.login, v.hash, v.name, v.email, v.ext, v.phone, r.id, v.tz,
       @now - INTERVAL 400 DAY
FROM (
  SELECT 1 AS o, 'admin' AS login, @admin_hash AS hash, 'Alice Admin' AS name,
         'admin@callboard.example' AS email, '100' AS ext,
         '+380501000100' AS phone, 'admin' AS role, 'UTC' AS tz
  UNION ALL SELECT 2, 'manager', @manager_hash, 'Max Manager',
         'manager@callboard.example', '101', '+380501000101', 'manager',
         'Europe/Kyiv'
  UNION ALL SELECT 3, 'intern', @intern_hash, 'Ivan Intern',
         'intern@callboard.example', '102', NULL, 'intern', 'UTC'
  UNION ALL SELECT 4, 'olena', @manager_hash, 'Olena Kovalenko',
         'olena@callboard.example', '103', '+380671000103', 'manager', 'UTC'
  UNION ALL SELECT 5, 'carlos', @manager_hash, 'Carlos Ruiz',
         'carlos@callboard.example', '104', '+34611000104', 'manager', 'UTC'
  UNION ALL SELECT 6, 'anna', @manager_hash, 'Anna Nowak',
         'anna@callboard.example', '105', NULL, 'manager', 'UTC'
) v
JOIN roles r ON r.name = v.role
ORDER BY v.o;

SET @u_admin   = (SELECT id FROM users WHERE login = 'admin');
SET @u_manager = (SELECT id FROM users WHERE login = 'manager');
SET @u_intern  = (SELECT id FROM users WHERE login = 'intern');
SET @u_olena   = (SELECT id FROM users WHERE login = 'olena');
SET @u_carlos  = (SELECT id FROM users WHERE login = 'carlos');
SET @u_anna    = (SELECT id FROM users WHERE login = 'anna');

-- Who handles a call, by percent bucket: manager 40, olena 18, carlos 18,
-- anna 17, intern 7.
CREATE TEMPORARY TABLE demo_mgr (
  k INT NOT NULL PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB;
INSERT INTO demo_mgr (k, user_id)
SELECT seq, CASE WHEN seq < 40 THEN @u_manager WHEN seq < 58 THEN @u_olena
                 WHEN seq < 76 THEN @u_carlos  WHEN seq < 93 THEN @u_anna
                 ELSE @u_intern END
FROM seq_0_to_99;

-- ------------------------------------------------------ stores, statuses --

INSERT INTO stores (name, address) VALUES
  ('Kyiv, Khreshchatyk', 'Khreshchatyk St 22, Kyiv'),
  ('Lviv, Rynok Square', 'Rynok Sq 10, Lviv');
SET @s_kyiv = (SELECT id FROM stores WHERE name = 'Kyiv, Khreshchatyk');
SET @s_lviv = (SELECT id FROM stores WHERE name = 'Lviv, Rynok Square');

INSERT INTO order_statuses (code, name, status_group, sort_order) VALUES
  ('new',              'New',              'open',        10),
  ('in_progress',      'In progress',      'open',        20),
  ('awaiting_payment', 'Awaiting payment', 'open',        30),
  ('shipped',          'Shipped',          'open',        40),
  ('completed',        'Completed',        'closed_won',  50),
  ('cancelled',        'Cancelled',        'closed_lost', 60),
  ('returned',         'Returned',         'closed_lost', 70);

-- ---------------------------------------------------------- integrations --
-- Twilio, Asterisk and the generic PBX have no caller_id / make_call_url on
-- purpose: with one, a manager's click on "call" would send a real request
-- to api.twilio.com or to a made-up PBX host. Without them the dial page
-- names each and says what to set (and where), which is what an admin of a
-- fresh install needs to see anyway.
-- The demo's Asterisk and generic PBX run on this machine (contrib/asterisk's
-- bridge, the tests' stand-ins): their config allows loopback explicitly, as
-- an admin allows a PBX on the LAN; nothing else may reach a private address
-- (allow_private_hosts, lib/calls/recfetch.h).

INSERT INTO integrations (kind, slug, name, enabled, default_country,
                          link_to_leads, routing_fallback, secrets,
                          api_token_hash, created_at)
VALUES
  ('twilio', 'twilio', 'Twilio (demo)', 1, 'UA', 0,
   JSON_OBJECT('type', 'manager', 'user_id', CAST(@u_manager AS UNSIGNED)),
   '{"account_sid":"ACdemo00000000000000000000000000000","auth_token":"demo-twilio-token"}',
   NULL, @now - INTERVAL 300 DAY),
  ('zadarma', 'zadarma', 'Zadarma (demo)', 1, 'UA', 0,
   '{"type":"queue","target":"500"}',
   '{"key":"demo-zadarma-key","secret":"demo-zadarma-secret"}',
   NULL, @now - INTERVAL 300 DAY),
  ('binotel', 'binotel', 'Binotel (demo)', 1, 'UA', 1,
   '{"type":"queue","target":"900"}',
   '{"key":"demo-binotel-key","secret":"demo-binotel-secret"}',
   NULL, @now - INTERVAL 300 DAY),
  ('asterisk', 'asterisk', 'Asterisk (demo)', 1, 'UA', 0,
   '{"type":"queue","target":"600"}',
   '{"secret":"demo-generic-secret"}',
   SHA2('demo-api-token', 256), @now - INTERVAL 300 DAY),
  ('generic', 'generic', 'Generic PBX (demo)', 1, 'UA', 0,
   '{"type":"voicemail"}',
   '{"secret":"demo-generic-secret"}',
   SHA2('demo-api-token', 256), @now - INTERVAL 300 DAY);
UPDATE integrations SET config = '{"allow_private_hosts":["127.0.0.0/8","::1"]}'
WHERE slug IN ('asterisk', 'generic');

-- The demo Zadarma account is simulated on this machine: its notifications
-- come from 127.0.0.1 (a real integration accepts Zadarma's networks only)
-- and its clock is UTC (a real one defaults to its country's zone).
UPDATE integrations SET config = JSON_OBJECT('time_zone', 'UTC',
  'allowed_ips', JSON_ARRAY('127.0.0.0/8', '::1')) WHERE slug = 'zadarma';
-- The demo accounts' keys are made up: the worker's scheduled reconciliation
-- (README "Reconciliation") would only ask the real providers with them.
UPDATE integrations SET config = JSON_MERGE_PATCH(COALESCE(config, '{}'),
  '{"reconcile": false}')
WHERE slug IN ('twilio', 'zadarma', 'binotel');

-- Second-wave providers (issue 17 part 2), slug = kind. They run on this
-- machine in the demo: Phonet authenticates by source address, and its
-- demo accepts loopback only (a real one: Phonet's six servers, the
-- adapter's default). The demo clocks are UTC.
INSERT INTO integrations (kind, slug, name, enabled, default_country,
                          link_to_leads, routing_fallback, secrets, config,
                          created_at)
VALUES
  ('phonet', 'phonet', 'Phonet (demo)', 1, 'UA', 0,
   '{"type":"queue","target":"700"}',
   '{"key":"demo-phonet-key"}',
   '{"allowed_ips":["127.0.0.1","::1"]}', @now - INTERVAL 300 DAY),
  -- UniTalk's times have no zone: this one keeps the default, Europe/Kyiv.
  ('unitalk', 'unitalk', 'UniTalk (demo)', 1, 'UA', 0,
   '{"type":"queue","target":"710"}',
   '{"token":"demo-unitalk-token"}', NULL, @now - INTERVAL 300 DAY),
  ('streamtelecom', 'streamtelecom', 'Stream Telecom (demo)', 1, 'UA', 0,
   '{"type":"queue","target":"720"}',
   '{"key":"demo-streamtelecom-key"}', NULL, @now - INTERVAL 300 DAY),
  -- Yeastar's time_start is PBX local time: no time_zone set, so the
  -- country's zone (UA: Europe/Kyiv) applies.
  ('yeastar', 'yeastar', 'Yeastar P-Series (demo)', 1, 'UA', 0,
   '{"type":"queue","target":"730"}',
   '{"key":"demo-yeastar-key"}', NULL, @now - INTERVAL 300 DAY),
  -- Ringostat never resends a failed webhook: its calls come back from
  -- its call log, which needs the Auth-key. The demo key is made up, so
  -- the scheduled reconciliation is off (as for the first-wave demos).
  ('ringostat', 'ringostat', 'Ringostat (demo)', 1, 'UA', 0,
   '{"type":"queue","target":"740"}',
   '{"key":"demo-ringostat-key","api_key":"demo-ringostat-auth-key"}',
   '{"reconcile":false}', @now - INTERVAL 300 DAY),
  -- 3CX runs the CRM template downloaded from its integration page; its
  -- journal entries carry UTC times.
  ('3cx', '3cx', '3CX (demo)', 1, 'UA', 0,
   '{"type":"queue","target":"750"}',
   '{"key":"demo-3cx-key"}', NULL, @now - INTERVAL 300 DAY);

INSERT INTO api_tokens (name, token_hash, user_id)
VALUES ('Demo API token (demo-api-token)', SHA2('demo-api-token', 256), @u_admin);

-- External numbers: two per integration (k = 0, 1), some belong to a store.
CREATE TEMPORARY TABLE demo_did (
  integration_id BIGINT UNSIGNED NOT NULL,
  k INT NOT NULL,
  number VARCHAR(32) NOT NULL,
  store_id BIGINT UNSIGNED NULL,
  label VARCHAR(100) NULL,
  PRIMARY KEY (integration_id, k)
) ENGINE=InnoDB;
INSERT INTO demo_did (integration_id, k, number, store_id, label)
SELECT i.id, v.k, v.number, v.store_id, v.label
FROM (
  SELECT 'twilio' AS slug, 0 AS k, '+14155550123' AS number,
         CAST(NULL AS UNSIGNED) AS store_id, 'US line' AS label
  UNION ALL SELECT 'twilio',   1, '+442045770100', NULL,      'UK line'
  UNION ALL SELECT 'zadarma',  0, '+380443900100', @s_kyiv,   'Kyiv store'
  UNION ALL SELECT 'zadarma',  1, '+380443900101', NULL,      'Kyiv office'
  UNION ALL SELECT 'binotel',  0, '+380322900200', @s_lviv,   'Lviv store'
  UNION ALL SELECT 'binotel',  1, '+380800500300', NULL,      'Hotline 0 800'
  UNION ALL SELECT 'asterisk', 0, '+380443900300', @s_kyiv,   'Kyiv store, second line'
  UNION ALL SELECT 'asterisk', 1, '+380443900301', NULL,      'Office PBX'
  UNION ALL SELECT 'generic',  0, '+48223900400',  NULL,      'Warsaw line'
  UNION ALL SELECT 'generic',  1, '+34910900500',  NULL,      'Madrid line'
) v
JOIN integrations i ON i.slug = v.slug;

INSERT INTO store_numbers (number, store_id, integration_id, label)
SELECT number, store_id, integration_id, label
FROM demo_did ORDER BY integration_id, k;

-- ------------------------------------------------------------- customers --

-- 200 people: 50 percent Ukrainian (some in Cyrillic), 20 Spanish,
-- 15 Polish, 15 US. Created over the last 400 days, id order = time order.
CREATE TEMPORARY TABLE demo_cust (
  n INT NOT NULL PRIMARY KEY,
  loc CHAR(2) NOT NULL,
  h BIGINT UNSIGNED NOT NULL,
  g BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB;
INSERT INTO demo_cust (n, loc, h, g)
SELECT seq,
       CASE WHEN (seq * 7) % 20 < 10 THEN 'UA' WHEN (seq * 7) % 20 < 14 THEN 'ES'
            WHEN (seq * 7) % 20 < 17 THEN 'PL' ELSE 'US' END,
       CRC32(CONCAT('name-', seq)), CRC32(CONCAT('phone-', seq))
FROM seq_1_to_200;

INSERT INTO customers (name, email, manager_id, external_id, created_at)
SELECT
  CASE d.loc
  WHEN 'UA' THEN IF(d.h % 5 = 0,
    CONCAT(ELT(1 + (d.h DIV 5) % 8, 'Олена', 'Андрій', 'Тарас', 'Ірина',
                'Богдан', 'Наталія', 'Оксана', 'Дмитро'), ' ',
           ELT(1 + (d.h DIV 40) % 8, 'Коваленко', 'Шевченко', 'Мельник',
                'Бойко', 'Ткачук', 'Петренко', 'Кравченко', 'Гриценко')),
    CONCAT(ELT(1 + (d.h DIV 5) % 18, 'Olena', 'Oksana', 'Iryna', 'Nataliia',
                'Tetiana', 'Yuliia', 'Kateryna', 'Svitlana', 'Andrii',
                'Oleksandr', 'Dmytro', 'Serhii', 'Taras', 'Bohdan', 'Mykola',
                'Volodymyr', 'Yaroslav', 'Ihor'), ' ',
           ELT(1 + (d.h DIV 90) % 18, 'Kovalenko', 'Shevchenko', 'Bondarenko',
                'Tkachenko', 'Kravchenko', 'Melnyk', 'Boiko', 'Kovalchuk',
                'Oliinyk', 'Lysenko', 'Marchenko', 'Savchenko', 'Rudenko',
                'Petrenko', 'Moroz', 'Tkachuk', 'Polishchuk', 'Hrytsenko')))
  WHEN 'ES' THEN
    CONCAT(ELT(1 + d.h % 12, 'José', 'María', 'Carmen', 'Javier', 'Lucía',
                'Alejandro', 'Sofía', 'Pablo', 'Marta', 'Diego', 'Elena',
                'Sergio'), ' ',
           ELT(1 + (d.h DIV 12) % 16, 'García', 'Fernández', 'González',
                'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez',
                'Díaz', 'Muñoz', 'Álvarez', 'Romero', 'Navarro', 'Ruiz',
                'Núñez'), ' ',
           ELT(1 + ((d.h DIV 12) + 1 + (d.h DIV 192) % 15) % 16, 'García', 'Fernández', 'González',
                'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez',
                'Díaz', 'Muñoz', 'Álvarez', 'Romero', 'Navarro', 'Ruiz',
                'Núñez'))
  WHEN 'PL' THEN
    CONCAT(ELT(1 + d.h % 12, 'Łukasz', 'Katarzyna', 'Piotr', 'Agnieszka',
                'Krzysztof', 'Małgorzata', 'Tomasz', 'Anna', 'Paweł', 'Joanna',
                'Michał', 'Zofia'), ' ',
           ELT(1 + (d.h DIV 12) % 12, 'Nowak', 'Wójcik', 'Kowalczyk',
                'Woźniak', 'Mazur', 'Krawczyk', 'Kaczmarek', 'Zając', 'Król',
                'Wieczorek', 'Wróbel', 'Dudek'))
  ELSE
    CONCAT(ELT(1 + d.h % 14, 'James', 'Mary', 'Robert', 'Patricia', 'Michael',
                'Jennifer', 'David', 'Linda', 'William', 'Elizabeth', 'Emily',
                'Daniel', 'Ashley', 'Chris'), ' ',
           ELT(1 + (d.h DIV 14) % 14, 'Smith', 'Johnson', 'Williams', 'Brown',
                'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor',
                'Thomas', 'Moore', 'Jackson', 'O''Brien'))
  END,
  IF(d.h % 3 = 0, CONCAT('customer', d.n, '@mail.example'), NULL),
  CASE WHEN d.g % 10 < 4 THEN @u_manager WHEN d.g % 10 < 6 THEN @u_olena
       WHEN d.g % 10 < 8 THEN @u_carlos  WHEN d.g % 10 < 9 THEN @u_anna
       ELSE NULL END,
  CONCAT('crm-', 10000 + d.n),
  @now - INTERVAL 400 DAY + INTERVAL (d.n * 2 - 1) DAY
       + INTERVAL (d.h % 36000) SECOND
FROM demo_cust d
ORDER BY d.n;

-- A few companies, one with an emoji (4-byte UTF-8), then the XSS test
-- customers (the pages must escape them).
INSERT INTO customers (name, manager_id, external_id, comment, created_at) VALUES
  ('ТОВ «Сонячний Дім»', @u_manager, 'crm-20001', 'Wholesale, pays by invoice',
   @now - INTERVAL 3 DAY),
  ('Café Olé 🚀 S.L.', @u_carlos, 'crm-20002', NULL, @now - INTERVAL 2 DAY),
  ('Acme Logistics & Co', @u_anna, 'crm-20003', NULL, @now - INTERVAL 2 DAY),
  ('Mallory <script>alert(1)</script>', @u_manager, 'crm-20004',
   'XSS test data: <script>alert(1)</script>', @now - INTERVAL 1 DAY),
  ('Eve "><img src=x onerror=alert(1)>', @u_manager, 'crm-20005',
   'XSS test data: "><img src=x onerror=alert(1)>', @now - INTERVAL 1 DAY);

-- Phones: every person has a mobile of their country, 30 percent of the
-- Ukrainian, Spanish and Polish ones a second number. US numbers use the
-- fictional 555-01XX range.
INSERT INTO customer_phones (customer_id, phone, phone_digits_rev, label, created_at)
SELECT c.id, x.phone, REVERSE(SUBSTRING(x.phone, 2)), x.label, c.created_at
FROM (
  SELECT d.n, 'mobile' AS label, CASE d.loc
    WHEN 'UA' THEN CONCAT('+380', ELT(1 + d.g % 10, '50', '63', '66', '67', '68',
                          '73', '93', '95', '97', '99'),
                          LPAD((d.g DIV 10) % 10000000, 7, '0'))
    WHEN 'ES' THEN CONCAT('+346', LPAD((d.g DIV 10) % 100000000, 8, '0'))
    WHEN 'PL' THEN CONCAT('+48', ELT(1 + d.g % 8, '50', '51', '53', '60', '66',
                          '69', '72', '88'),
                          LPAD((d.g DIV 10) % 10000000, 7, '0'))
    ELSE CONCAT('+1', ELT(1 + d.g % 10, '212', '305', '415', '617', '702',
                          '312', '206', '503', '646', '718'),
                '55501', LPAD((d.g DIV 10) % 100, 2, '0'))
    END AS phone
  FROM demo_cust d
  UNION ALL
  SELECT d.n, 'second', CASE d.loc
    WHEN 'UA' THEN CONCAT('+38044', LPAD((d.h DIV 7) % 10000000, 7, '0'))
    WHEN 'ES' THEN CONCAT('+3491', LPAD((d.h DIV 7) % 10000000, 7, '0'))
    ELSE CONCAT('+4822', LPAD((d.h DIV 7) % 10000000, 7, '0'))
    END
  FROM demo_cust d
  WHERE d.loc <> 'US' AND (d.g DIV 1000000000) % 10 < 3
) x
JOIN customers c ON c.external_id = CONCAT('crm-', 10000 + x.n);

INSERT INTO customer_phones (customer_id, phone, phone_digits_rev, label, created_at)
SELECT c.id, v.phone, REVERSE(SUBSTRING(v.phone, 2)), v.label, c.created_at
FROM (
  SELECT 'crm-20001' AS ext, '+380442900001' AS phone, 'office' AS label
  UNION ALL SELECT 'crm-20001', '+380672900002', 'mobile'
  UNION ALL SELECT 'crm-20002', '+34911234567',  'office'
  UNION ALL SELECT 'crm-20003', '+12125550188',  'office'
  UNION ALL SELECT 'crm-20004', '+380671234567', 'mobile'
  UNION ALL SELECT 'crm-20005', '+380931112233', 'mobile'
) v
JOIN customers c ON c.external_id = v.ext;

-- Shared numbers: six later customers were given the first phone of an
-- earlier one (a family member, a shared office phone). The later-created
-- customer wins when a call is linked.
INSERT INTO customer_phones (customer_id, phone, phone_digits_rev, label, created_at)
SELECT late.id, p.phone, p.phone_digits_rev, 'shared', late.created_at
FROM seq_1_to_6 s
JOIN customers late  ON late.external_id  = CONCAT('crm-', 10000 + 180 + s.seq * 3)
JOIN customers early ON early.external_id = CONCAT('crm-', 10000 + s.seq * 11)
JOIN customer_phones p ON p.customer_id = early.id AND p.label = 'mobile'
WHERE NOT EXISTS (SELECT 1 FROM customer_phones q
                  WHERE q.customer_id = late.id AND q.phone = p.phone);

-- ---------------------------------------------------------- orders, leads --

-- 0 to 3 orders per person. The newest order of a customer is open in
-- 40 percent of cases, older ones are closed (won or lost).
INSERT INTO orders (number, customer_id, status_id, store_id, manager_id,
                    total, currency, created_at, closed_at)
SELECT CONCAT('A-', 1000 + ROW_NUMBER() OVER (ORDER BY x.created_at, x.customer_id, x.k)),
       x.customer_id,
       st.id,
       x.store_id,
       x.manager_id,
       x.total,
       x.currency,
       x.created_at,
       IF(st.status_group = 'open', NULL, x.created_at + INTERVAL 3 DAY)
FROM (
  SELECT c.id AS customer_id, s.seq AS k, c.manager_id,
         IF(s.seq = (d.h DIV 7) % 4,
            IF((d.g DIV 7) % 10 < 4, ELT(1 + d.g % 4, 'new', 'in_progress',
                                        'awaiting_payment', 'shipped'),
               IF((d.g DIV 70) % 10 < 7, 'completed', 'cancelled')),
            IF((d.g DIV (70 * s.seq)) % 10 < 8, 'completed',
               IF(s.seq = 2, 'returned', 'cancelled'))) AS status_code,
         CASE (d.h + s.seq) % 3 WHEN 0 THEN @s_kyiv WHEN 1 THEN @s_lviv
              ELSE NULL END AS store_id,
         ROUND(100 + (d.g DIV s.seq) % 2000000 / 100, 2) AS total,
         CASE d.loc WHEN 'UA' THEN 'UAH' WHEN 'US' THEN 'USD'
              WHEN 'PL' THEN 'PLN' ELSE 'EUR' END AS currency,
         LEAST(@now - INTERVAL 1 HOUR,
               c.created_at + INTERVAL (s.seq * 20 + (d.h DIV 3) % 15) DAY)
           AS created_at
  FROM demo_cust d
  JOIN customers c ON c.external_id = CONCAT('crm-', 10000 + d.n)
  JOIN seq_1_to_3 s ON s.seq <= (d.h DIV 7) % 4
) x
JOIN order_statuses st ON st.code = x.status_code;

-- One open order for the XSS customer Mallory and for the companies.
INSERT INTO orders (number, customer_id, status_id, store_id, manager_id, total,
                    comment, created_at)
SELECT CONCAT('B-', 100 + c.id), c.id,
       (SELECT id FROM order_statuses WHERE code = 'new'),
       @s_kyiv, c.manager_id, 1999.00,
       IF(c.external_id = 'crm-20004',
          'Deliver to <script>alert(1)</script>', NULL),
       c.created_at + INTERVAL 1 HOUR
FROM customers c
WHERE c.external_id IN ('crm-20001', 'crm-20002', 'crm-20004');

-- Leads: open or closed, for about one customer in five, plus leads for
-- callers who are not customers yet.
INSERT INTO leads (customer_id, name, phone, lead_type, state, source,
                   manager_id, comment, created_at, closed_at)
SELECT c.id, c.name, NULL, 'call',
       IF((d.g DIV 13) % 10 < 6, 'open', 'closed'),
       IF(d.g % 2 = 0, 'manual', 'api'),
       c.manager_id,
       ELT(1 + (d.g DIV 130) % 4, 'Asked for a price list',
           'Wants a call back next week', 'Interested in delivery to Lviv',
           'Came from the website form'),
       c.created_at + INTERVAL 1 DAY,
       IF((d.g DIV 13) % 10 < 6, NULL, c.created_at + INTERVAL 5 DAY)
FROM demo_cust d
JOIN customers c ON c.external_id = CONCAT('crm-', 10000 + d.n)
WHERE d.h % 5 = 1
ORDER BY c.id;

INSERT INTO leads (customer_id, name, phone, lead_type, state, source,
                   manager_id, comment, created_at)
SELECT NULL,
       IF(s.seq = 3, 'Unknown "><img src=x onerror=alert(1)>', 'Unknown client'),
       CONCAT('+38096', LPAD(CRC32(CONCAT('lead-', s.seq)) % 10000000, 7, '0')),
       'call', 'open', 'auto_missed', @u_manager, 'Missed call',
       @now - INTERVAL (70 - s.seq) DAY
FROM seq_1_to_10 s
ORDER BY s.seq;

-- ----------------------------------------------------- the number pool --

-- Every number a demo call can come from, numbered k = 0..P-1:
-- customer numbers (only the winning, most recently created customer of a
-- shared number) with their link targets, then lead-only numbers.
CREATE TEMPORARY TABLE demo_pool (
  k INT NOT NULL PRIMARY KEY,
  customer_id BIGINT UNSIGNED NULL,
  manager_id BIGINT UNSIGNED NULL,
  phone VARCHAR(32) NOT NULL,
  open_order_id BIGINT UNSIGNED NULL,
  any_order_id BIGINT UNSIGNED NULL,
  open_lead_id BIGINT UNSIGNED NULL
) ENGINE=InnoDB;
INSERT INTO demo_pool (k, customer_id, manager_id, phone, open_order_id,
                       any_order_id, open_lead_id)
SELECT ROW_NUMBER() OVER (ORDER BY y.sort1, y.sort2) - 1, y.customer_id,
       y.manager_id, y.phone, y.open_order_id, y.any_order_id, y.open_lead_id
FROM (
  SELECT 0 AS sort1, p.id AS sort2, c.id AS customer_id, c.manager_id, p.phone,
         (SELECT o.id FROM orders o JOIN order_statuses st ON st.id = o.status_id
          WHERE o.customer_id = c.id AND st.status_group = 'open'
          ORDER BY o.created_at DESC, o.id DESC LIMIT 1) AS open_order_id,
         (SELECT o.id FROM orders o WHERE o.customer_id = c.id
          ORDER BY o.created_at DESC, o.id DESC LIMIT 1) AS any_order_id,
         (SELECT l.id FROM leads l WHERE l.customer_id = c.id AND l.state = 'open'
          ORDER BY l.created_at, l.id LIMIT 1) AS open_lead_id
  FROM customer_phones p
  JOIN customers c ON c.id = p.customer_id
  WHERE NOT EXISTS (
    SELECT 1 FROM customer_phones p2 JOIN customers c2 ON c2.id = p2.customer_id
    WHERE p2.phone = p.phone
      AND (c2.created_at > c.created_at
           OR (c2.created_at = c.created_at AND c2.id > c.id)))
  UNION ALL
  SELECT 1, l.id, NULL, NULL, l.phone, NULL, NULL, l.id
  FROM leads l WHERE l.customer_id IS NULL
) y;
SET @pool = (SELECT COUNT(*) FROM demo_pool);

-- ------------------------------------------------------------------ calls --

-- Their grams (call_number_grams, 0021) are filled in one sorted step at the
-- end of this file, not row by row by the triggers (0033_number_grams_bulk.sql:
-- minutes saved at 1,000,000 calls).
SET @cb_grams_bulk = 1;

-- 1440 hours ending at the start of the previous hour (the last hour is
-- left to the hand-made calls below, so ids stay in time order). Weight per hour:
-- business hours of Kyiv (06-16 UTC) busy, a lunch dip, quiet nights,
-- weekends at about a third. cum_lo, cum_hi = the range of call numbers
-- that fall into the hour, so calls are generated in time order.
CREATE TEMPORARY TABLE demo_hours (
  id INT NOT NULL PRIMARY KEY,
  hour_start DATETIME(3) NOT NULL,
  cum_lo BIGINT NOT NULL,
  cum_hi BIGINT NOT NULL
) ENGINE=InnoDB;
SET @t0 = CAST(DATE_FORMAT(@now - INTERVAL 1 HOUR, '%Y-%m-%d %H:00:00')
               AS DATETIME(3)) - INTERVAL 1440 HOUR;
INSERT INTO demo_hours (id, hour_start, cum_lo, cum_hi)
SELECT id, hour_start,
       COALESCE(LAG(cum_hi) OVER (ORDER BY id), 0), cum_hi
FROM (
  SELECT id, hour_start,
         FLOOR(@calls * SUM(w) OVER (ORDER BY id) / SUM(w) OVER ()) AS cum_hi
  FROM (
    SELECT seq AS id, @t0 + INTERVAL (seq - 1) HOUR AS hour_start,
           (CASE WHEN HOUR(@t0 + INTERVAL (seq - 1) HOUR) BETWEEN 6 AND 15 THEN
                   IF(HOUR(@t0 + INTERVAL (seq - 1) HOUR) = 10, 70, 100)
                 WHEN HOUR(@t0 + INTERVAL (seq - 1) HOUR) IN (5, 16) THEN 45
                 WHEN HOUR(@t0 + INTERVAL (seq - 1) HOUR) = 17 THEN 20
                 ELSE 4 END)
           * IF(DAYOFWEEK(@t0 + INTERVAL (seq + 1) HOUR) IN (1, 7), 3, 10)
             AS w
    FROM seq_1_to_1440
  ) a
) b;

-- The call generator. x computes the dice of call n (three CRC32 hashes,
-- each split into independent digit ranges) and joins the hour, the
-- integration number and the caller. Outcome mix: about 70 percent
-- answered. Incoming 63, outgoing 35, internal 2 percent. 85 percent of
-- external calls come from the pool (customers and leads), the rest from
-- unknown Ukrainian mobiles.
INSERT INTO calls (id, integration_id, external_id, direction, state, result,
                   client_number, client_digits_rev, our_number, manager_id,
                   extension, customer_id, order_id, lead_id, store_id,
                   started_at, answered_at, ended_at, talk_seconds,
                   wait_seconds, hangup_cause, recording_state, recording_path,
                   comment, last_event_at, created_at, updated_at)
SELECT
  z.n, z.integration_id,
  CASE z.slug
    WHEN 'twilio'  THEN CONCAT('CA', MD5(CONCAT('demo-call-', z.n)))
    WHEN 'zadarma' THEN CONCAT(IF(z.direction = 'out', 'out_', 'in_'),
                               SHA1(CONCAT('demo-call-', z.n)))
    WHEN 'binotel' THEN CAST(500000000 + z.n AS CHAR)
    WHEN 'asterisk' THEN CONCAT(UNIX_TIMESTAMP(z.started_at) DIV 1, '.', z.n)
    ELSE CONCAT('demo-', z.n)
  END,
  z.direction, 'ended', z.result,
  z.client_number, REVERSE(REPLACE(z.client_number, '+', '')),
  z.our_number,
  z.manager_id, u.extension,
  z.customer_id, z.order_id, z.lead_id, z.store_id,
  z.started_at,
  IF(z.result = 'answered', z.started_at + INTERVAL z.wait_s SECOND, NULL),
  z.started_at + INTERVAL (z.wait_s + z.talk_s) SECOND,
  z.talk_s, z.wait_s,
  CASE z.result WHEN 'answered' THEN 'normal_clearing' WHEN 'busy' THEN 'user_busy'
       WHEN 'failed' THEN 'network_out_of_order' WHEN 'unknown' THEN NULL
       ELSE 'no_answer' END,
  CASE WHEN z.result <> 'answered' THEN 'none'
       WHEN z.rec_die < 9 THEN 'stored' ELSE 'unavailable' END,
  IF(z.result = 'answered' AND z.rec_die < 9, 'demo/demo.wav', NULL),
  IF(z.note_die < 3, ELT(1 + z.note_pick % 12,
     'Asked about delivery times', 'Wants an invoice for the company',
     'Call back after 15:00', 'Complained about a late parcel',
     'Order confirmed by phone', 'Asked for a discount, promised to think',
     'Wrong number', 'Передзвонити завтра зранку',
     'Уточнити адресу доставки', 'Quiere cambiar la talla',
     'Prosi o fakturę VAT', 'Left a voicemail, no answer'), NULL),
  z.started_at + INTERVAL (z.wait_s + z.talk_s) SECOND,
  z.started_at,
  z.started_at + INTERVAL (z.wait_s + z.talk_s) SECOND
FROM (
  SELECT
    x.n, i.id AS integration_id, i.slug, x.direction, x.result,
    x.started_at, x.rec_die, x.note_die, x.note_pick,
    IF(x.result = 'answered', x.talk_s, 0) AS talk_s,
    CASE WHEN x.result = 'answered' THEN 2 + x.wait_r % 25
         WHEN x.result IN ('missed', 'no_answer') THEN 8 + x.wait_r % 50
         WHEN x.result = 'unknown' THEN 0
         ELSE x.wait_r % 6 END AS wait_s,
    CASE WHEN x.direction = 'internal' THEN
           (SELECT u2.extension FROM users u2
            WHERE u2.id = IF(m.user_id = @u_manager, @u_olena, @u_manager))
         WHEN p.k IS NOT NULL THEN p.phone
         ELSE CONCAT('+380', ELT(1 + x.unk % 6, '50', '63', '67', '68', '73', '97'),
                     LPAD((x.unk DIV 6) % 10000000, 7, '0'))
    END AS client_number,
    IF(x.direction = 'internal', '', d.number) AS our_number,
    IF(x.direction = 'internal', NULL, d.store_id) AS store_id,
    CASE WHEN x.direction = 'in' AND x.result <> 'answered' THEN
           IF(x.route_die < 8, p.manager_id, NULL)
         WHEN x.direction = 'in' AND p.manager_id IS NOT NULL AND x.route_die < 7
           THEN p.manager_id
         ELSE m.user_id END AS manager_id,
    p.customer_id,
    CASE WHEN p.customer_id IS NULL THEN NULL
         WHEN i.link_to_leads = 1 AND p.open_lead_id IS NOT NULL THEN NULL
         WHEN p.open_order_id IS NOT NULL THEN p.open_order_id
         WHEN x.route_die < 4 THEN p.any_order_id
         ELSE NULL END AS order_id,
    CASE WHEN p.k IS NULL THEN NULL
         WHEN p.customer_id IS NULL THEN p.open_lead_id
         WHEN i.link_to_leads = 1 THEN p.open_lead_id
         ELSE NULL END AS lead_id
  FROM (
    SELECT r.n,
           r.hour_start + INTERVAL
             FLOOR((r.n - r.cum_lo - 1 + r.jitter / 1000)
                   * 3600000 / (r.cum_hi - r.cum_lo)) * 1000 MICROSECOND
             AS started_at,
           CASE WHEN r.c1 % 100 < 63 THEN 'in' WHEN r.c1 % 100 < 98 THEN 'out'
                ELSE 'internal' END AS direction,
           CASE WHEN r.c1 % 100 < 63 THEN
                  CASE WHEN (r.c1 DIV 100) % 100 < 70 THEN 'answered'
                       WHEN (r.c1 DIV 100) % 100 < 88 THEN 'missed'
                       WHEN (r.c1 DIV 100) % 100 < 92 THEN 'busy'
                       WHEN (r.c1 DIV 100) % 100 < 94 THEN 'failed'
                       WHEN (r.c1 DIV 100) % 100 < 97 THEN 'no_answer'
                       WHEN (r.c1 DIV 10000) % 100 >= 95 THEN 'unknown'
                       ELSE 'missed' END
                WHEN r.c1 % 100 < 98 THEN
                  CASE WHEN (r.c1 DIV 100) % 100 < 70 THEN 'answered'
                       WHEN (r.c1 DIV 100) % 100 < 88 THEN 'no_answer'
                       WHEN (r.c1 DIV 100) % 100 < 95 THEN 'busy'
                       ELSE 'failed' END
                WHEN (r.c1 DIV 100) % 100 < 80 THEN 'answered'
                ELSE 'no_answer'
           END AS result,
           (r.c1 DIV 10000) % 100 AS integ_die,
           (r.c1 DIV 1000000) % 10 AS rec_die,
           (r.c1 DIV 10000000) % 2 AS did_k,
           r.c2 % 100 AS known_die,
           (r.c2 DIV 100) % @pool AS pool_k,
           (r.c2 DIV 100) % 100 AS note_die,
           r.c2 DIV 10000 AS note_pick,
           r.c2 AS unk,
           4 + FLOOR(POW((r.c3 % 1000) / 1000, 3) * 1200) AS talk_s,
           (r.c3 DIV 1000) % 1000 AS wait_r,
           (r.c3 DIV 1000000) % 100 AS mgr_k,
           (r.c3 DIV 100000000) % 10 AS route_die
    FROM (
      -- The Sequence engine table is virtual, so its size costs nothing:
      -- each hour reads only its own range of numbers.
      SELECT s.seq AS n, h.hour_start, h.cum_lo, h.cum_hi,
             CRC32(CONCAT('a', s.seq)) AS c1,
             CRC32(CONCAT('b', s.seq)) AS c2,
             CRC32(CONCAT('c', s.seq)) AS c3,
             CRC32(CONCAT('j', s.seq)) % 1000 AS jitter
      FROM demo_hours h
      JOIN seq_1_to_100000000 s ON s.seq > h.cum_lo AND s.seq <= h.cum_hi
    ) r
  ) x
  JOIN integrations i ON i.slug = CASE WHEN x.integ_die < 20 THEN 'twilio'
                                       WHEN x.integ_die < 50 THEN 'zadarma'
                                       WHEN x.integ_die < 80 THEN 'binotel'
                                       WHEN x.integ_die < 95 THEN 'asterisk'
                                       ELSE 'generic' END
  JOIN demo_did d ON d.integration_id = i.id AND d.k = x.did_k
  JOIN demo_mgr m ON m.k = x.mgr_k
  LEFT JOIN demo_pool p ON p.k = IF(x.direction <> 'internal' AND x.known_die < 85,
                                    x.pool_k, -1)
) z
LEFT JOIN users u ON u.id = z.manager_id;

-- Notes: the comment column is the latest note, so every comment is a note.
INSERT INTO call_notes (call_id, user_id, body, created_at)
SELECT id, COALESCE(manager_id, @u_manager), comment, ended_at + INTERVAL 1 MINUTE
FROM calls WHERE comment IS NOT NULL ORDER BY id;

-- -------------------------------------------- hand-made recent calls --

-- A story in the last hour that the pages, the popup and the automation
-- can be checked against:
--   S0 missed call from customer Q, task T0, closed by S8 (an answered
--      call back by manager)
--   S1 Mallory (XSS name) rang a ring group: 101 and 103 did not answer,
--      104 did (leg timeline), with an XSS comment and caller name
--   S2 Eve (XSS name), XSS comment, S3 unknown caller with XSS caller name
--      and comment, S4 from the XSS-named lead
--   S5, S6 two missed calls from customer K: one open task T1 with both
--      calls, one automatic lead L1 (rule lead_on_missed)
--   S7 missed call from an unknown number: task T2 and lead Unknown client
SET @q_cust  = (SELECT customer_id FROM demo_pool
                WHERE customer_id IS NOT NULL AND open_order_id IS NOT NULL
                  AND open_lead_id IS NULL AND manager_id = @u_manager
                ORDER BY k LIMIT 1);
SET @q_phone = (SELECT phone FROM demo_pool WHERE customer_id = @q_cust
                ORDER BY k LIMIT 1);
SET @q_order = (SELECT open_order_id FROM demo_pool WHERE customer_id = @q_cust
                ORDER BY k LIMIT 1);
SET @k_cust  = (SELECT customer_id FROM demo_pool
                WHERE customer_id IS NOT NULL AND open_order_id IS NULL
                  AND open_lead_id IS NULL AND customer_id <> @q_cust
                ORDER BY k DESC LIMIT 1);
SET @k_phone = (SELECT phone FROM demo_pool WHERE customer_id = @k_cust
                ORDER BY k LIMIT 1);
SET @mallory = (SELECT id FROM customers WHERE external_id = 'crm-20004');
SET @mallory_order = (SELECT id FROM orders WHERE customer_id = @mallory LIMIT 1);
SET @eve     = (SELECT id FROM customers WHERE external_id = 'crm-20005');
SET @xss_lead = (SELECT id FROM leads WHERE name LIKE 'Unknown "%' LIMIT 1);
SET @xss_lead_phone = (SELECT phone FROM leads WHERE id = @xss_lead);

CREATE TEMPORARY TABLE demo_special (
  tag VARCHAR(8) NOT NULL PRIMARY KEY,
  minutes_ago INT NOT NULL,
  slug VARCHAR(20) NOT NULL,
  did_k INT NOT NULL,
  direction VARCHAR(10) NOT NULL,
  result VARCHAR(10) NOT NULL,
  client_number VARCHAR(32) NOT NULL,
  client_name VARCHAR(255) NULL,
  customer_id BIGINT UNSIGNED NULL,
  order_id BIGINT UNSIGNED NULL,
  lead_id BIGINT UNSIGNED NULL,
  manager_id BIGINT UNSIGNED NULL,
  wait_s INT NOT NULL,
  talk_s INT NOT NULL,
  comment TEXT NULL
) ENGINE=InnoDB;
INSERT INTO demo_special VALUES
  ('S0', 58, 'zadarma',  0, 'in',  'missed',   @q_phone, NULL, @q_cust, @q_order,
   NULL, @u_manager, 30, 0, NULL),
  ('S1', 55, 'zadarma',  0, 'in',  'answered', '+380671234567',
   '<script>alert(1)</script>', @mallory, @mallory_order, NULL, @u_carlos,
   24, 187, '"><img src=x onerror=alert(1)> asked about the order'),
  ('S2', 47, 'binotel',  0, 'in',  'answered', '+380931112233', NULL, @eve,
   NULL, NULL, @u_manager, 6, 95,
   '<script>alert(1)</script> and "><img src=x onerror=alert(1)>'),
  ('S3', 40, 'twilio',   0, 'in',  'missed',   '+380661234500',
   '"><img src=x onerror=alert(1)>', NULL, NULL, NULL, NULL, 21, 0,
   '<script>alert(1)</script>'),
  ('S4', 33, 'generic',  0, 'in',  'missed',   @xss_lead_phone, NULL, NULL,
   NULL, @xss_lead, NULL, 15, 0, NULL),
  ('S5', 25, 'zadarma',  0, 'in',  'missed',   @k_phone, NULL, @k_cust, NULL,
   NULL, NULL, 35, 0, NULL),
  ('S6', 12, 'zadarma',  1, 'in',  'missed',   @k_phone, NULL, @k_cust, NULL,
   NULL, NULL, 28, 0, NULL),
  ('S7',  6, 'asterisk', 1, 'in',  'missed',   '+380639876543', NULL, NULL,
   NULL, NULL, NULL, 19, 0, NULL),
  ('S8',  3, 'zadarma',  1, 'out', 'answered', @q_phone, NULL, @q_cust, @q_order,
   NULL, @u_manager, 7, 64, 'Called back, confirmed delivery');

INSERT INTO calls (integration_id, external_id, direction, state, result,
                   client_number, client_digits_rev, client_name, our_number,
                   manager_id, extension, customer_id, order_id, lead_id,
                   store_id, started_at, answered_at, ended_at, talk_seconds,
                   wait_seconds, hangup_cause, recording_state, recording_path,
                   comment, last_event_at, created_at, updated_at)
SELECT i.id, CONCAT('demo-special-', sp.tag),
       sp.direction, 'ended', sp.result,
       sp.client_number, REVERSE(REPLACE(sp.client_number, '+', '')),
       sp.client_name, d.number, sp.manager_id, u.extension,
       sp.customer_id, sp.order_id, sp.lead_id, d.store_id,
       @now - INTERVAL sp.minutes_ago MINUTE,
       IF(sp.result = 'answered',
          @now - INTERVAL sp.minutes_ago MINUTE + INTERVAL sp.wait_s SECOND, NULL),
       @now - INTERVAL sp.minutes_ago MINUTE + INTERVAL (sp.wait_s + sp.talk_s) SECOND,
       sp.talk_s, sp.wait_s,
       IF(sp.result = 'answered', 'normal_clearing', 'no_answer'),
       IF(sp.result = 'answered', 'stored', 'none'),
       NULL,
       sp.comment,
       @now - INTERVAL sp.minutes_ago MINUTE + INTERVAL (sp.wait_s + sp.talk_s) SECOND,
       @now - INTERVAL sp.minutes_ago MINUTE,
       @now - INTERVAL sp.minutes_ago MINUTE + INTERVAL (sp.wait_s + sp.talk_s) SECOND
FROM demo_special sp
JOIN integrations i ON i.slug = sp.slug
JOIN demo_did d ON d.integration_id = i.id AND d.k = sp.did_k
LEFT JOIN users u ON u.id = sp.manager_id
ORDER BY sp.minutes_ago DESC;

-- Every demo recording is the one file `callboard demo` writes.
UPDATE calls SET recording_path = 'demo/demo.wav'
WHERE external_id LIKE 'demo-special-%' AND recording_state = 'stored';
-- except three answered calls, which have speech (issue 22): two-channel
-- dialogues `callboard demo` copies from sql/demo/speech/, transcribed by
-- the local engine when `callboard demo --transcripts` (./run demo) runs.
UPDATE calls c
JOIN (SELECT 'demo-special-S1' AS ext, 'demo/speech-order_call.ogg' AS path
      UNION ALL SELECT 'demo-special-S8', 'demo/speech-delivery_call.ogg'
      UNION ALL SELECT 'demo-special-S2', 'demo/speech-cancel_call.ogg') sp
  ON sp.ext = c.external_id
SET c.recording_state = 'stored', c.recording_path = sp.path;

SET @s0 = (SELECT id FROM calls WHERE external_id = 'demo-special-S0');
SET @s1 = (SELECT id FROM calls WHERE external_id = 'demo-special-S1');
SET @s3 = (SELECT id FROM calls WHERE external_id = 'demo-special-S3');
SET @s5 = (SELECT id FROM calls WHERE external_id = 'demo-special-S5');
SET @s6 = (SELECT id FROM calls WHERE external_id = 'demo-special-S6');
SET @s7 = (SELECT id FROM calls WHERE external_id = 'demo-special-S7');
SET @s8 = (SELECT id FROM calls WHERE external_id = 'demo-special-S8');

INSERT INTO call_notes (call_id, user_id, body, created_at)
SELECT id, COALESCE(manager_id, @u_manager), comment, ended_at + INTERVAL 10 SECOND
FROM calls
WHERE external_id LIKE 'demo-special-%' AND comment IS NOT NULL
ORDER BY id;

-- The ring group of S1: two extensions rang in vain, the third answered.
INSERT INTO call_legs (call_id, integration_id, external_leg_id, leg_type,
                       user_id, extension, number, state, result, started_at,
                       answered_at, ended_at, talk_seconds)
SELECT c.id, c.integration_id, CONCAT(c.external_id, '.', v.n), v.leg_type,
       u.id, u.extension, c.client_number, 'ended', v.result,
       c.started_at + INTERVAL v.start_s SECOND,
       IF(v.result = 'answered', c.answered_at, NULL),
       IF(v.result = 'answered', c.ended_at, c.started_at + INTERVAL v.end_s SECOND),
       IF(v.result = 'answered', c.talk_seconds, 0)
FROM calls c
JOIN (SELECT 1 AS n, 'manager' AS login, 'ring' AS leg_type, 'no_answer' AS result,
             1 AS start_s, 12 AS end_s
      UNION ALL SELECT 2, 'olena',  'ring',   'no_answer', 1, 12
      UNION ALL SELECT 3, 'carlos', 'answer', 'answered', 12, 0) v
JOIN users u ON u.login = v.login
WHERE c.id = @s1
ORDER BY v.n;

-- Automatic leads and missed-call tasks, as the rules below would have
-- made them.
INSERT INTO leads (customer_id, name, phone, lead_type, state, source,
                   manager_id, call_id, comment, created_at)
SELECT c.id, c.name, @k_phone, 'call', 'open', 'auto_missed', @u_manager, @s5,
       'Missed call', @now - INTERVAL 25 MINUTE + INTERVAL 35 SECOND
FROM customers c WHERE c.id = @k_cust;
SET @l1 = LAST_INSERT_ID();
INSERT INTO leads (customer_id, name, phone, lead_type, state, source,
                   manager_id, call_id, comment, created_at)
VALUES (NULL, 'Unknown client', '+380639876543', 'call', 'open', 'auto_missed',
        @u_manager, @s7, 'Missed call', @now - INTERVAL 6 MINUTE + INTERVAL 19 SECOND);
SET @l2 = LAST_INSERT_ID();
UPDATE calls SET lead_id = @l2 WHERE id = @s7;

INSERT INTO tasks (kind, title, body, mode, state, phone, customer_id, order_id,
                   lead_id, call_id, closed_by_call_id, author_id, due_at,
                   done_at, done_by, created_at)
VALUES
  ('missed_call', 'Missed call', NULL, 'shared', 'done', @q_phone, @q_cust,
   @q_order, NULL, @s0, @s8, @u_manager,
   @now - INTERVAL 58 MINUTE + INTERVAL 30 MINUTE,
   @now - INTERVAL 3 MINUTE + INTERVAL 71 SECOND, @u_manager,
   @now - INTERVAL 58 MINUTE + INTERVAL 30 SECOND);
SET @t0_task = LAST_INSERT_ID();
INSERT INTO tasks (kind, title, body, mode, state, phone, customer_id, order_id,
                   lead_id, call_id, author_id, due_at, created_at)
VALUES
  ('missed_call', 'Missed call', '2 missed calls', 'shared', 'open', @k_phone,
   @k_cust, NULL, @l1, @s5, @u_manager,
   @now - INTERVAL 25 MINUTE + INTERVAL 30 MINUTE,
   @now - INTERVAL 25 MINUTE + INTERVAL 35 SECOND);
SET @t1_task = LAST_INSERT_ID();
INSERT INTO tasks (kind, title, body, mode, state, phone, customer_id, order_id,
                   lead_id, call_id, author_id, due_at, created_at)
VALUES
  ('missed_call', 'Missed call', NULL, 'shared', 'open', '+380639876543',
   NULL, NULL, @l2, @s7, @u_manager,
   @now - INTERVAL 6 MINUTE + INTERVAL 30 MINUTE,
   @now - INTERVAL 6 MINUTE + INTERVAL 19 SECOND);
SET @t2_task = LAST_INSERT_ID();

INSERT INTO task_assignees (task_id, user_id, position, done_at) VALUES
  (@t0_task, @u_manager, 0, @now - INTERVAL 3 MINUTE + INTERVAL 71 SECOND),
  (@t1_task, @u_manager, 0, NULL),
  (@t2_task, @u_manager, 0, NULL);
INSERT INTO task_calls (task_id, call_id, added_at) VALUES
  (@t0_task, @s0, @now - INTERVAL 58 MINUTE + INTERVAL 30 SECOND),
  (@t1_task, @s5, @now - INTERVAL 25 MINUTE + INTERVAL 35 SECOND),
  (@t1_task, @s6, @now - INTERVAL 12 MINUTE + INTERVAL 28 SECOND),
  (@t2_task, @s7, @now - INTERVAL 6 MINUTE + INTERVAL 19 SECOND);

-- ------------------------------------------------------------ automation --

INSERT INTO automation_rules (kind, enabled, assignee_ids, task_mode,
                              due_offset_minutes, lead_type, lead_manager_id,
                              even_if_open_order, even_if_open_lead, updated_by)
VALUES
  ('missed_call_task', 1, JSON_ARRAY(CAST(@u_manager AS UNSIGNED)), 'shared', 30, NULL, NULL, 0, 0,
   @u_admin),
  ('lead_on_missed',   1, NULL, 'shared', 30, 'call', @u_manager, 0, 0, @u_admin),
  ('lead_on_received', 0, NULL, 'shared', 30, 'call', @u_manager, 0, 0, @u_admin)
-- Migration 0005 created the three rows (switched off): take them over.
ON DUPLICATE KEY UPDATE enabled = VALUES(enabled),
  assignee_ids = VALUES(assignee_ids), task_mode = VALUES(task_mode),
  due_offset_minutes = VALUES(due_offset_minutes),
  lead_type = VALUES(lead_type), lead_manager_id = VALUES(lead_manager_id),
  even_if_open_order = VALUES(even_if_open_order),
  even_if_open_lead = VALUES(even_if_open_lead),
  updated_by = VALUES(updated_by);

INSERT INTO triggers (name, event, enabled, conditions, actions, created_by)
VALUES ('Missed incoming call: notify the manager', 'missed_call', 1,
        '{"direction":"in"}', '[{"type":"notify","to":"manager"}]', @u_admin);
SET @trg = LAST_INSERT_ID();

INSERT INTO trigger_runs (trigger_id, call_id, action_index, action, result,
                          created_at, finished_at)
SELECT @trg, c.id, 0, 'notify', 'ok', c.ended_at, c.ended_at + INTERVAL 1 SECOND
FROM calls c WHERE c.id IN (@s5, @s6, @s7) ORDER BY c.id;

INSERT INTO notifications (user_id, kind, title, body, url, call_id, trigger_id,
                           created_at)
SELECT @u_manager, 'missed_call', 'Missed call',
       CONCAT('Missed call from ', COALESCE(cu.name, c.client_number)),
       CONCAT('/calls/', c.id), c.id, @trg, c.ended_at + INTERVAL 1 SECOND
FROM calls c LEFT JOIN customers cu ON cu.id = c.customer_id
WHERE c.id IN (@s5, @s6, @s7) ORDER BY c.id;

-- A ready-made SMS auto-reply (issue 19 item 4), switched off: its gateway
-- account has no token yet. An admin types it on Settings, SMS gateways,
-- then enables the trigger.
INSERT INTO sms_gateways (kind, name, settings, secrets)
VALUES ('turbosms', 'Demo SMS account (type the token)', '{"sender":"Callboard"}', NULL);
SET @sms_gw = LAST_INSERT_ID();
INSERT INTO triggers (name, event, enabled, conditions, actions, created_by)
VALUES ('SMS auto-reply to a missed call', 'missed_call', 0, '{"direction":"in"}',
        JSON_ARRAY(JSON_OBJECT('type', 'sms', 'gateway_id', CAST(@sms_gw AS UNSIGNED),
          'text', 'Sorry we missed your call at {time}. {manager} will call you back soon.',
          'time_zone', 'Europe/Kyiv')),
        @u_admin);

-- ----------------------------------------------------------------- misc --

INSERT INTO listening_log (user_id, call_id, action, context, ip, user_agent,
                           created_at)
SELECT @u_manager, c.id, 'play', 'calls', '127.0.0.1', 'Demo data', c.ended_at
       + INTERVAL 2 MINUTE
FROM calls c WHERE c.id = @s1;
INSERT INTO listening_log (user_id, call_id, action, context, ip, user_agent,
                           created_at)
SELECT @u_admin, c.id, 'download', 'customer', '127.0.0.1', 'Demo data',
       c.ended_at + INTERVAL 3 MINUTE
FROM calls c WHERE c.id = @s8;

INSERT INTO phone_exceptions (phone, phone_digits_rev, comment, created_by) VALUES
  ('+380445550000', REVERSE('380445550000'), 'Robocaller, never store', @u_admin),
  ('+380800123456', REVERSE('380800123456'), 'Our own test line', @u_admin);

INSERT INTO settings (name, value) VALUES
  ('demo.data', '1'),
  ('demo.calls', CAST(@calls AS CHAR));

-- The grams of every call above (the demo starts with no calls).
SET @cb_grams_bulk = NULL;
SET @demo_last_call = (SELECT COALESCE(MAX(id), 0) FROM calls);
CALL cb_call_grams_fill(1, @demo_last_call);
-- and their counts, which choose a search's driving gram (0039).
CALL cb_call_gram_counts_refresh(0);

DROP TEMPORARY TABLE demo_special, demo_hours, demo_pool, demo_did, demo_cust,
                     demo_mgr;
