-- SMS as a trigger action (issue 19 §4, lib/sms/, docs/architecture.md).
--
-- sms_gateways: accounts at SMS gateways (Settings › SMS gateways). kind is
-- a lib/sms/registry.c kind; settings holds the non-secret settings as a
-- JSON object; secrets the secret ones, sealed like integrations.secrets
-- (core/secretbox.h).
CREATE TABLE sms_gateways (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  kind       VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name       VARCHAR(128) NOT NULL,
  settings   JSON NOT NULL,
  secrets    TEXT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                         ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The SMS outbox: one row per (trigger run, recipient), so a trigger that
-- runs twice for one call, a job run twice, or an event delivered twice
-- never makes a second message (no gateway takes an idempotency key,
-- platform-notes §a.3). state:
--   queued   not sent yet, or a definite failure that will be retried
--   sending  a worker is sending it now; found so by a later attempt, the
--            worker died mid-request: it becomes unknown, never resent
--   sent     the gateway accepted it (message_id when it gives one)
--   failed   a definite "no", or the retries are spent
--   unknown  it may have gone out (a timeout after the request was sent,
--            an answer we cannot read): a person decides
CREATE TABLE sms_messages (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  run_id      BIGINT UNSIGNED NOT NULL,
  trigger_id  BIGINT UNSIGNED NOT NULL,
  call_id     BIGINT UNSIGNED NULL,
  gateway_id  BIGINT UNSIGNED NULL,
  recipient   VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  text        TEXT NOT NULL,
  segments    SMALLINT UNSIGNED NOT NULL DEFAULT 1,
  state       ENUM('queued','sending','sent','failed','unknown') NOT NULL
                DEFAULT 'queued',
  attempts    INT UNSIGNED NOT NULL DEFAULT 0,
  message_id  VARCHAR(80) NULL,
  error       TEXT NULL,
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                ON UPDATE CURRENT_TIMESTAMP(3),
  sent_at     DATETIME(3) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_sms_messages_run_recipient (run_id, recipient),
  KEY ix_sms_messages_trigger (trigger_id),
  KEY ix_sms_messages_call (call_id),
  KEY ix_sms_messages_gateway (gateway_id),
  CONSTRAINT fk_sms_messages_run FOREIGN KEY (run_id)
    REFERENCES trigger_runs (id) ON DELETE CASCADE,
  CONSTRAINT fk_sms_messages_gateway FOREIGN KEY (gateway_id)
    REFERENCES sms_gateways (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A run whose SMS may or may not have gone out says so, apart from
-- "failed" (which is definite).
ALTER TABLE trigger_runs
  MODIFY result ENUM('queued','ok','failed','skipped','unknown') NOT NULL
    DEFAULT 'queued';
