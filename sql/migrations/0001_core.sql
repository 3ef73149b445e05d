-- Callboard core schema, migration 0001.
--
-- Applied by the migration tool as ONE multi-statement script. The tool
-- creates and fills schema_migrations itself, so this file does not.
-- Rules (docs/schema.md explains every table and index):
--   * InnoDB, utf8mb4 / utf8mb4_unicode_ci on every table.
--   * Every time is UTC, DATETIME(3). DEFAULT CURRENT_TIMESTAMP(3) uses the
--     SESSION time zone, so every connection must set the session time
--     zone to +00:00 right after connecting (and use UTC_TIMESTAMP or NOW
--     only under that setting).
--   * Ids are BIGINT UNSIGNED AUTO_INCREMENT.
--   * Closed sets are ENUMs or CHECKs. Nothing here CHECKs provider data
--     (times, durations), because a failed CHECK would lose a provider event.
--   * Phone numbers are stored normalised (E.164, or digits only when
--     libphonenumber cannot parse them) in VARCHAR(32), plus the digits in
--     reverse order (*_digits_rev) so that a search by the last digits is an
--     index range scan: LIKE reverse(digits) followed by a percent sign.
--   * Comments in this file avoid semicolons and quote marks on purpose, so
--     that even a naive statement splitter runs it correctly.

-- ---------------------------------------------------------------- access --

CREATE TABLE roles (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name        VARCHAR(64)  NOT NULL,
  description VARCHAR(255) NULL,
  created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_roles_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per (role, permission). A missing row = no permission.
-- scope own = only calls where calls.manager_id is the user, all = every call.
CREATE TABLE role_permissions (
  role_id    BIGINT UNSIGNED NOT NULL,
  permission VARCHAR(40) NOT NULL,
  scope      ENUM('own','all') NOT NULL DEFAULT 'all',
  PRIMARY KEY (role_id, permission),
  CONSTRAINT ck_role_permissions_permission CHECK (permission IN
    ('calls','orders.calls','customers.calls','recordings.download',
     'calls.dial','settings')),
  CONSTRAINT fk_role_permissions_role FOREIGN KEY (role_id)
    REFERENCES roles (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  login         VARCHAR(64)  NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  name          VARCHAR(128) NOT NULL,
  email         VARCHAR(255) NULL,
  extension     VARCHAR(16)  NULL,
  phone         VARCHAR(32)  NULL,
  role_id       BIGINT UNSIGNED NOT NULL,
  time_zone     VARCHAR(64)  NOT NULL DEFAULT 'UTC',
  deep_link     TINYINT(1)   NOT NULL DEFAULT 0,
  active        TINYINT(1)   NOT NULL DEFAULT 1,
  created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                             ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_users_login (login),
  KEY ix_users_extension (extension),
  KEY ix_users_phone (phone),
  KEY ix_users_role (role_id),
  CONSTRAINT ck_users_deep_link CHECK (deep_link IN (0,1)),
  CONSTRAINT ck_users_active CHECK (active IN (0,1)),
  CONSTRAINT fk_users_role FOREIGN KEY (role_id) REFERENCES roles (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The cookie holds a random token, the table only its SHA-256.
CREATE TABLE sessions (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  token_hash   BINARY(32)   NOT NULL,
  user_id      BIGINT UNSIGNED NOT NULL,
  csrf_token   CHAR(43) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at   DATETIME(3)  NOT NULL,
  last_seen_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  ip           VARCHAR(45)  NULL,
  user_agent   VARCHAR(255) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_sessions_token (token_hash),
  KEY ix_sessions_user (user_id),
  KEY ix_sessions_expires (expires_at),
  CONSTRAINT fk_sessions_user FOREIGN KEY (user_id)
    REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Tokens for /api/v1 (CRM sync, custom PBX). Only SHA-256 hex is stored.
CREATE TABLE api_tokens (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name         VARCHAR(100) NOT NULL,
  token_hash   CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id      BIGINT UNSIGNED NULL,
  created_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_used_at DATETIME(3)  NULL,
  revoked_at   DATETIME(3)  NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_api_tokens_hash (token_hash),
  KEY ix_api_tokens_user (user_id),
  CONSTRAINT fk_api_tokens_user FOREIGN KEY (user_id)
    REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ------------------------------------------------------------------ CRM --

CREATE TABLE customers (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name        VARCHAR(255) NOT NULL,
  email       VARCHAR(255) NULL,
  manager_id  BIGINT UNSIGNED NULL,
  external_id VARCHAR(128) NULL,
  comment     TEXT NULL,
  created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                           ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_customers_external (external_id),
  KEY ix_customers_name (name),
  KEY ix_customers_manager (manager_id),
  KEY ix_customers_created (created_at),
  CONSTRAINT fk_customers_manager FOREIGN KEY (manager_id)
    REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Several customers may share one number: the most recently created wins.
CREATE TABLE customer_phones (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_id      BIGINT UNSIGNED NOT NULL,
  phone            VARCHAR(32) NOT NULL,
  phone_digits_rev VARCHAR(32) NOT NULL,
  label            VARCHAR(40) NULL,
  created_at       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_customer_phones_customer_phone (customer_id, phone),
  KEY ix_customer_phones_phone (phone),
  KEY ix_customer_phones_digits_rev (phone_digits_rev),
  CONSTRAINT fk_customer_phones_customer FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE stores (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name       VARCHAR(128) NOT NULL,
  address    VARCHAR(255) NULL,
  created_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_stores_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- status_group decides open versus closed everywhere (linking, tasks, leads).
CREATE TABLE order_statuses (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  code         VARCHAR(40)  NOT NULL,
  name         VARCHAR(100) NOT NULL,
  status_group ENUM('open','closed_won','closed_lost') NOT NULL DEFAULT 'open',
  sort_order   INT NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY uq_order_statuses_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE orders (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  number      VARCHAR(32)  NULL,
  customer_id BIGINT UNSIGNED NULL,
  status_id   BIGINT UNSIGNED NOT NULL,
  store_id    BIGINT UNSIGNED NULL,
  manager_id  BIGINT UNSIGNED NULL,
  total       DECIMAL(12,2) NOT NULL DEFAULT 0.00,
  currency    CHAR(3) NOT NULL DEFAULT 'UAH',
  comment     TEXT NULL,
  external_id VARCHAR(128) NULL,
  created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                           ON UPDATE CURRENT_TIMESTAMP(3),
  closed_at   DATETIME(3)  NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_orders_number (number),
  UNIQUE KEY uq_orders_external (external_id),
  KEY ix_orders_customer_created (customer_id, created_at, id),
  KEY ix_orders_status (status_id),
  KEY ix_orders_store (store_id),
  KEY ix_orders_manager (manager_id),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE SET NULL,
  CONSTRAINT fk_orders_status FOREIGN KEY (status_id)
    REFERENCES order_statuses (id),
  CONSTRAINT fk_orders_store FOREIGN KEY (store_id)
    REFERENCES stores (id) ON DELETE SET NULL,
  CONSTRAINT fk_orders_manager FOREIGN KEY (manager_id)
    REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A lead may exist without a customer (an unknown caller): then phone holds
-- the number and name is Unknown client or what the manager typed.
CREATE TABLE leads (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_id BIGINT UNSIGNED NULL,
  name        VARCHAR(255) NOT NULL,
  phone       VARCHAR(32)  NULL,
  lead_type   VARCHAR(40)  NOT NULL DEFAULT 'call',
  state       ENUM('open','closed') NOT NULL DEFAULT 'open',
  source      ENUM('manual','api','auto_missed','auto_received','trigger')
              NOT NULL DEFAULT 'manual',
  manager_id  BIGINT UNSIGNED NULL,
  call_id     BIGINT UNSIGNED NULL,
  comment     TEXT NULL,
  created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                           ON UPDATE CURRENT_TIMESTAMP(3),
  closed_at   DATETIME(3)  NULL,
  PRIMARY KEY (id),
  KEY ix_leads_customer_state (customer_id, state, created_at, id),
  KEY ix_leads_phone_state (phone, state),
  KEY ix_leads_call (call_id),
  KEY ix_leads_manager (manager_id),
  KEY ix_leads_state_created (state, created_at),
  CONSTRAINT fk_leads_customer FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE SET NULL,
  CONSTRAINT fk_leads_manager FOREIGN KEY (manager_id)
    REFERENCES users (id) ON DELETE SET NULL
  -- call_id has no FK: leads is created before calls, and a lead must
  -- survive the deletion of the call that created it.
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ------------------------------------------------------------ telephony --

CREATE TABLE integrations (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  kind             ENUM('twilio','zadarma','binotel','asterisk','generic') NOT NULL,
  slug             VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  name             VARCHAR(128) NOT NULL,
  enabled          TINYINT(1)   NOT NULL DEFAULT 1,
  default_country  CHAR(2) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL DEFAULT 'UA',
  link_to_leads    TINYINT(1)   NOT NULL DEFAULT 0,
  routing_fallback JSON NULL,
  config           JSON NULL,
  secrets          TEXT NULL,
  api_token_hash   CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  created_at       DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at       DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                                ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_integrations_slug (slug),
  CONSTRAINT ck_integrations_slug CHECK (slug REGEXP '^[a-z0-9][a-z0-9_-]*$'),
  CONSTRAINT ck_integrations_enabled CHECK (enabled IN (0,1)),
  CONSTRAINT ck_integrations_link_to_leads CHECK (link_to_leads IN (0,1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every external number (DID) Callboard knows: the integration it arrives
-- through and, when set, the store it belongs to (pre-selected for orders).
CREATE TABLE store_numbers (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  number         VARCHAR(32)  NOT NULL,
  store_id       BIGINT UNSIGNED NULL,
  integration_id BIGINT UNSIGNED NULL,
  label          VARCHAR(100) NULL,
  created_at     DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_store_numbers_number (number),
  KEY ix_store_numbers_store (store_id),
  KEY ix_store_numbers_integration (integration_id),
  CONSTRAINT fk_store_numbers_store FOREIGN KEY (store_id)
    REFERENCES stores (id) ON DELETE CASCADE,
  CONSTRAINT fk_store_numbers_integration FOREIGN KEY (integration_id)
    REFERENCES integrations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One physical call = one row. Upserted by (integration_id, external_id).
-- state only moves forward: compare state+0 (ringing 1 < talking 2 < ended 3).
-- result is unknown until the provider says otherwise, never guessed.
CREATE TABLE calls (
  id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  integration_id    BIGINT UNSIGNED NOT NULL,
  external_id       VARCHAR(128) COLLATE utf8mb4_bin NOT NULL,
  direction         ENUM('in','out','internal') NOT NULL DEFAULT 'in',
  state             ENUM('ringing','talking','ended') NOT NULL DEFAULT 'ringing',
  result            ENUM('answered','missed','busy','failed','no_answer','unknown')
                    NOT NULL DEFAULT 'unknown',
  client_number     VARCHAR(32)  NOT NULL DEFAULT '',
  client_digits_rev VARCHAR(32)  NOT NULL DEFAULT '',
  client_name       VARCHAR(255) NULL,
  our_number        VARCHAR(32)  NOT NULL DEFAULT '',
  manager_id        BIGINT UNSIGNED NULL,
  extension         VARCHAR(16)  NULL,
  customer_id       BIGINT UNSIGNED NULL,
  order_id          BIGINT UNSIGNED NULL,
  lead_id           BIGINT UNSIGNED NULL,
  store_id          BIGINT UNSIGNED NULL,
  started_at        DATETIME(3)  NOT NULL,
  answered_at       DATETIME(3)  NULL,
  ended_at          DATETIME(3)  NULL,
  talk_seconds      INT UNSIGNED NOT NULL DEFAULT 0,
  wait_seconds      INT UNSIGNED NOT NULL DEFAULT 0,
  hangup_cause      VARCHAR(64)  NULL,
  recording_state   ENUM('none','pending','stored','failed','unavailable')
                    NOT NULL DEFAULT 'none',
  recording_url     VARCHAR(1024) NULL,
  recording_path    VARCHAR(255) NULL,
  comment           TEXT NULL,
  last_event_at     DATETIME(3)  NULL,
  created_at        DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at        DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                                 ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_calls_integration_external (integration_id, external_id),
  -- History page: every filter leads with its equality column, then
  -- (started_at, id) for ORDER BY started_at DESC, id DESC LIMIT n and the
  -- keyset condition. See docs/schema.md.
  KEY ix_calls_started (started_at, id),
  KEY ix_calls_manager_started (manager_id, started_at, id),
  KEY ix_calls_customer_started (customer_id, started_at, id),
  KEY ix_calls_order_started (order_id, started_at, id),
  KEY ix_calls_lead_started (lead_id, started_at, id),
  KEY ix_calls_integration_started (integration_id, started_at, id),
  KEY ix_calls_result_started (result, started_at, id),
  KEY ix_calls_direction_started (direction, started_at, id),
  KEY ix_calls_our_number_started (our_number, started_at, id),
  KEY ix_calls_state_started (state, started_at),
  KEY ix_calls_client_digits_rev (client_digits_rev, started_at, id),
  KEY ix_calls_talk (talk_seconds, id),
  KEY ix_calls_external (external_id),
  CONSTRAINT fk_calls_integration FOREIGN KEY (integration_id)
    REFERENCES integrations (id),
  CONSTRAINT fk_calls_manager FOREIGN KEY (manager_id)
    REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT fk_calls_customer FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE SET NULL,
  CONSTRAINT fk_calls_order FOREIGN KEY (order_id)
    REFERENCES orders (id) ON DELETE SET NULL,
  CONSTRAINT fk_calls_lead FOREIGN KEY (lead_id)
    REFERENCES leads (id) ON DELETE SET NULL
  -- store_id has no FK on purpose: an FK would need one more index on the
  -- hottest table only to protect a rarely deleted row. Readers LEFT JOIN.
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The leg timeline of a call: each extension that rang, transfers, the
-- outbound leg. external_leg_id is the provider leg id (Twilio child
-- CallSid, Asterisk Uniqueid, Binotel callID), so an event naming only a
-- leg still finds its call.
CREATE TABLE call_legs (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  call_id         BIGINT UNSIGNED NOT NULL,
  integration_id  BIGINT UNSIGNED NOT NULL,
  external_leg_id VARCHAR(128) COLLATE utf8mb4_bin NULL,
  leg_type        ENUM('ring','answer','transfer','queue','outbound','ivr','voicemail','other')
                  NOT NULL DEFAULT 'ring',
  user_id         BIGINT UNSIGNED NULL,
  extension       VARCHAR(16)  NULL,
  number          VARCHAR(32)  NULL,
  state           ENUM('ringing','talking','ended') NOT NULL DEFAULT 'ringing',
  result          ENUM('answered','missed','busy','failed','no_answer','unknown')
                  NOT NULL DEFAULT 'unknown',
  started_at      DATETIME(3)  NOT NULL,
  answered_at     DATETIME(3)  NULL,
  ended_at        DATETIME(3)  NULL,
  talk_seconds    INT UNSIGNED NOT NULL DEFAULT 0,
  created_at      DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at      DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                               ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_call_legs_integration_leg (integration_id, external_leg_id),
  KEY ix_call_legs_call (call_id, started_at),
  KEY ix_call_legs_user (user_id),
  CONSTRAINT fk_call_legs_call FOREIGN KEY (call_id)
    REFERENCES calls (id) ON DELETE CASCADE,
  CONSTRAINT fk_call_legs_user FOREIGN KEY (user_id)
    REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Raw provider events, stored once: a retry hits uq_call_events_dedupe.
CREATE TABLE call_events (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  integration_id BIGINT UNSIGNED NOT NULL,
  call_id        BIGINT UNSIGNED NULL,
  dedupe_key     VARBINARY(64) NOT NULL,
  kind           VARCHAR(32)  NOT NULL,
  external_id    VARCHAR(128) COLLATE utf8mb4_bin NULL,
  source         ENUM('hook','spool','api','test') NOT NULL DEFAULT 'hook',
  remote_addr    VARCHAR(45)  NULL,
  occurred_at    DATETIME(3)  NULL,
  received_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  payload        MEDIUMTEXT   NOT NULL,
  error          VARCHAR(255) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_call_events_dedupe (integration_id, dedupe_key),
  KEY ix_call_events_call (call_id, received_at),
  KEY ix_call_events_received (received_at),
  CONSTRAINT fk_call_events_integration FOREIGN KEY (integration_id)
    REFERENCES integrations (id),
  CONSTRAINT fk_call_events_call FOREIGN KEY (call_id)
    REFERENCES calls (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE call_notes (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  call_id    BIGINT UNSIGNED NOT NULL,
  user_id    BIGINT UNSIGNED NULL,
  body       TEXT NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY ix_call_notes_call (call_id, created_at),
  KEY ix_call_notes_user (user_id),
  CONSTRAINT fk_call_notes_call FOREIGN KEY (call_id)
    REFERENCES calls (id) ON DELETE CASCADE,
  CONSTRAINT fk_call_notes_user FOREIGN KEY (user_id)
    REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Calls from these numbers are not stored at all.
CREATE TABLE phone_exceptions (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  phone            VARCHAR(32)  NOT NULL,
  phone_digits_rev VARCHAR(32)  NOT NULL,
  comment          VARCHAR(255) NULL,
  created_by       BIGINT UNSIGNED NULL,
  created_at       DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_phone_exceptions_phone (phone),
  KEY ix_phone_exceptions_digits_rev (phone_digits_rev),
  CONSTRAINT fk_phone_exceptions_user FOREIGN KEY (created_by)
    REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who listened to or downloaded which recording, from which page.
CREATE TABLE listening_log (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id    BIGINT UNSIGNED NOT NULL,
  call_id    BIGINT UNSIGNED NOT NULL,
  action     ENUM('play','download') NOT NULL,
  context    ENUM('calls','customer','order','card','api') NOT NULL DEFAULT 'calls',
  ip         VARCHAR(45)  NULL,
  user_agent VARCHAR(255) NULL,
  created_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY ix_listening_log_created (created_at),
  KEY ix_listening_log_call (call_id, created_at),
  KEY ix_listening_log_user (user_id, created_at),
  CONSTRAINT fk_listening_log_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT fk_listening_log_call FOREIGN KEY (call_id) REFERENCES calls (id)
  -- No cascades: an audit log must not vanish with its user or call.
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ----------------------------------------------------------- automation --

-- A task is one row, its people are task_assignees. mode shared = done by
-- one is done for all (tasks.done_by keeps who), mode each = every assignee
-- completes their own row (task_assignees.done_at) and the task is done when
-- all are. Call-backs are kind call_back. phone is the number to call.
CREATE TABLE tasks (
  id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  kind              ENUM('missed_call','call_back','manual','trigger') NOT NULL DEFAULT 'manual',
  title             VARCHAR(255) NOT NULL,
  body              TEXT NULL,
  mode              ENUM('shared','each') NOT NULL DEFAULT 'shared',
  state             ENUM('open','done','cancelled') NOT NULL DEFAULT 'open',
  phone             VARCHAR(32)  NULL,
  customer_id       BIGINT UNSIGNED NULL,
  order_id          BIGINT UNSIGNED NULL,
  lead_id           BIGINT UNSIGNED NULL,
  call_id           BIGINT UNSIGNED NULL,
  closed_by_call_id BIGINT UNSIGNED NULL,
  author_id         BIGINT UNSIGNED NULL,
  due_at            DATETIME(3)  NULL,
  done_at           DATETIME(3)  NULL,
  done_by           BIGINT UNSIGNED NULL,
  created_at        DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at        DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                                 ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY ix_tasks_phone_state (phone, state, kind),
  KEY ix_tasks_state_due (state, due_at),
  KEY ix_tasks_call (call_id),
  KEY ix_tasks_customer (customer_id),
  KEY ix_tasks_order (order_id),
  KEY ix_tasks_lead (lead_id),
  KEY ix_tasks_author (author_id),
  KEY ix_tasks_done_by (done_by),
  CONSTRAINT fk_tasks_customer FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE SET NULL,
  CONSTRAINT fk_tasks_order FOREIGN KEY (order_id)
    REFERENCES orders (id) ON DELETE SET NULL,
  CONSTRAINT fk_tasks_lead FOREIGN KEY (lead_id)
    REFERENCES leads (id) ON DELETE SET NULL,
  CONSTRAINT fk_tasks_call FOREIGN KEY (call_id)
    REFERENCES calls (id) ON DELETE SET NULL,
  CONSTRAINT fk_tasks_author FOREIGN KEY (author_id)
    REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT fk_tasks_done_by FOREIGN KEY (done_by)
    REFERENCES users (id) ON DELETE SET NULL
  -- closed_by_call_id has no FK: it is written by the hook in the same
  -- transaction as the call and only ever read for display.
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE task_assignees (
  task_id  BIGINT UNSIGNED NOT NULL,
  user_id  BIGINT UNSIGNED NOT NULL,
  position SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  done_at  DATETIME(3) NULL,
  PRIMARY KEY (task_id, user_id),
  KEY ix_task_assignees_user (user_id, done_at),
  CONSTRAINT fk_task_assignees_task FOREIGN KEY (task_id)
    REFERENCES tasks (id) ON DELETE CASCADE,
  CONSTRAINT fk_task_assignees_user FOREIGN KEY (user_id)
    REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every call a task is about: the first missed call and each later missed
-- call from the same number that was added to the still open task.
CREATE TABLE task_calls (
  task_id  BIGINT UNSIGNED NOT NULL,
  call_id  BIGINT UNSIGNED NOT NULL,
  added_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (task_id, call_id),
  KEY ix_task_calls_call (call_id),
  CONSTRAINT fk_task_calls_task FOREIGN KEY (task_id)
    REFERENCES tasks (id) ON DELETE CASCADE,
  CONSTRAINT fk_task_calls_call FOREIGN KEY (call_id)
    REFERENCES calls (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per rule kind. Columns that do not apply to a kind stay NULL.
-- assignee_ids is a JSON array of users.id, the first one is the author.
CREATE TABLE automation_rules (
  id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  kind               ENUM('missed_call_task','lead_on_missed','lead_on_received') NOT NULL,
  enabled            TINYINT(1) NOT NULL DEFAULT 0,
  assignee_ids       JSON NULL,
  task_mode          ENUM('shared','each') NOT NULL DEFAULT 'shared',
  due_offset_minutes INT UNSIGNED NOT NULL DEFAULT 30,
  lead_type          VARCHAR(40) NULL,
  lead_manager_id    BIGINT UNSIGNED NULL,
  even_if_open_order TINYINT(1) NOT NULL DEFAULT 0,
  even_if_open_lead  TINYINT(1) NOT NULL DEFAULT 0,
  updated_by         BIGINT UNSIGNED NULL,
  updated_at         DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                                 ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_automation_rules_kind (kind),
  KEY ix_automation_rules_lead_manager (lead_manager_id),
  KEY ix_automation_rules_updated_by (updated_by),
  CONSTRAINT ck_automation_rules_enabled CHECK (enabled IN (0,1)),
  CONSTRAINT fk_automation_rules_lead_manager FOREIGN KEY (lead_manager_id)
    REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT fk_automation_rules_updated_by FOREIGN KEY (updated_by)
    REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- conditions: JSON object, actions: JSON array of objects with a type.
-- See docs/schema.md for the shapes.
CREATE TABLE triggers (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name       VARCHAR(128) NOT NULL,
  event      ENUM('new_call','missed_call') NOT NULL,
  enabled    TINYINT(1) NOT NULL DEFAULT 1,
  conditions JSON NOT NULL,
  actions    JSON NOT NULL,
  created_by BIGINT UNSIGNED NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                         ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY ix_triggers_event (event, enabled),
  KEY ix_triggers_created_by (created_by),
  CONSTRAINT ck_triggers_enabled CHECK (enabled IN (0,1)),
  CONSTRAINT fk_triggers_created_by FOREIGN KEY (created_by)
    REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per (trigger, call, action) run.
CREATE TABLE trigger_runs (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  trigger_id   BIGINT UNSIGNED NOT NULL,
  call_id      BIGINT UNSIGNED NULL,
  action_index SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  action       VARCHAR(40)  NOT NULL,
  result       ENUM('queued','ok','failed','skipped') NOT NULL DEFAULT 'queued',
  error        TEXT NULL,
  job_id       BIGINT UNSIGNED NULL,
  created_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  finished_at  DATETIME(3)  NULL,
  PRIMARY KEY (id),
  KEY ix_trigger_runs_trigger (trigger_id, created_at),
  KEY ix_trigger_runs_call (call_id),
  KEY ix_trigger_runs_job (job_id),
  CONSTRAINT fk_trigger_runs_trigger FOREIGN KEY (trigger_id)
    REFERENCES triggers (id) ON DELETE CASCADE,
  CONSTRAINT fk_trigger_runs_call FOREIGN KEY (call_id)
    REFERENCES calls (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- In-app notifications (trigger action notify the manager, and others).
CREATE TABLE notifications (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id    BIGINT UNSIGNED NOT NULL,
  kind       VARCHAR(40)  NOT NULL,
  title      VARCHAR(255) NOT NULL,
  body       TEXT NULL,
  url        VARCHAR(512) NULL,
  call_id    BIGINT UNSIGNED NULL,
  trigger_id BIGINT UNSIGNED NULL,
  read_at    DATETIME(3)  NULL,
  created_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY ix_notifications_user (user_id, created_at),
  KEY ix_notifications_call (call_id),
  KEY ix_notifications_trigger (trigger_id),
  CONSTRAINT fk_notifications_user FOREIGN KEY (user_id)
    REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_notifications_call FOREIGN KEY (call_id)
    REFERENCES calls (id) ON DELETE SET NULL,
  CONSTRAINT fk_notifications_trigger FOREIGN KEY (trigger_id)
    REFERENCES triggers (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Transactional outbox. The worker takes work with
--   SELECT ... FROM jobs WHERE state = queued AND run_at <= now
--   ORDER BY run_at LIMIT n FOR UPDATE SKIP LOCKED
-- which ix_jobs_state_run_at serves exactly.
CREATE TABLE jobs (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  kind         VARCHAR(40) NOT NULL,
  payload      JSON NOT NULL,
  state        ENUM('queued','running','done','failed') NOT NULL DEFAULT 'queued',
  attempts     INT UNSIGNED NOT NULL DEFAULT 0,
  max_attempts INT UNSIGNED NOT NULL DEFAULT 8,
  run_at       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  locked_at    DATETIME(3) NULL,
  locked_by    VARCHAR(64) NULL,
  last_error   TEXT NULL,
  call_id      BIGINT UNSIGNED NULL,
  created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                           ON UPDATE CURRENT_TIMESTAMP(3),
  finished_at  DATETIME(3) NULL,
  PRIMARY KEY (id),
  KEY ix_jobs_state_run_at (state, run_at),
  KEY ix_jobs_state_locked (state, locked_at),
  KEY ix_jobs_call (call_id),
  CONSTRAINT ck_jobs_attempts CHECK (max_attempts >= 1)
  -- call_id has no FK: jobs are written on the hot ingest path and
  -- outlive nothing important.
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ------------------------------------------------------------- settings --

-- Named filters of the history pages. query is the URL query string.
CREATE TABLE saved_filters (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id    BIGINT UNSIGNED NOT NULL,
  page       VARCHAR(40)   NOT NULL DEFAULT 'calls',
  name       VARCHAR(100)  NOT NULL,
  query      VARCHAR(2048) NOT NULL,
  created_at DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_saved_filters_user_page_name (user_id, page, name),
  CONSTRAINT fk_saved_filters_user FOREIGN KEY (user_id)
    REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Free key/value settings. name is the key (KEY is a reserved word).
CREATE TABLE settings (
  name       VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  value      TEXT NOT NULL,
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                         ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
