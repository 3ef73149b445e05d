-- Reconciliation (issue 17 §3): the worker pulls a provider's call
-- history and folds each record in through the receive pipeline with
-- source 'reconcile' (lib/reconcile/). Appending an ENUM member changes
-- only the table's metadata (no rebuild).
ALTER TABLE call_events
  MODIFY source ENUM('hook','spool','api','test','dead-letter','reconcile')
    NOT NULL DEFAULT 'hook';

-- One row per reconciliation of one integration: queued by the schedule,
-- the settings page or `callboard reconcile`, run by the worker (or the
-- command), then ok or failed with the reason shown on the page.
CREATE TABLE reconcile_runs (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  integration_id BIGINT UNSIGNED NOT NULL,
  trigger_kind   ENUM('schedule','admin','cli') NOT NULL,
  window_from    DATETIME(3) NOT NULL,
  window_to      DATETIME(3) NOT NULL,
  state          ENUM('queued','running','ok','failed') NOT NULL
                   DEFAULT 'queued',
  created_at     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  finished_at    DATETIME(3) NULL,
  records        INT UNSIGNED NOT NULL DEFAULT 0, -- history records read
  recovered      INT UNSIGNED NOT NULL DEFAULT 0, -- calls that were missing
  completed      INT UNSIGNED NOT NULL DEFAULT 0, -- events stored on known calls
  unchanged      INT UNSIGNED NOT NULL DEFAULT 0, -- already stored (duplicates)
  refused        INT UNSIGNED NOT NULL DEFAULT 0, -- records the adapter refused
  error          VARCHAR(500) NULL,
  PRIMARY KEY (id),
  KEY ix_reconcile_runs_integration (integration_id, id),
  KEY ix_reconcile_runs_state (state, integration_id),
  CONSTRAINT fk_reconcile_runs_integration FOREIGN KEY (integration_id)
    REFERENCES integrations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The event inspector's other half: events that were NOT stored
-- (a retry that was a duplicate, a refused signature, a malformed
-- request, a row the database refused), with why and a redacted preview.
-- Stored events are call_events themselves. Written by the receive
-- pipeline (lib/calls/receive.c); the worker keeps 7 days.
CREATE TABLE event_outcomes (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  integration_id BIGINT UNSIGNED NOT NULL,
  received_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  source         VARCHAR(16) NOT NULL,
  outcome        ENUM('duplicate','denied','malformed','refused') NOT NULL,
  kind           VARCHAR(40) NULL,
  external_id    VARCHAR(128) NULL,
  why            VARCHAR(255) NULL,
  preview        VARCHAR(1000) NULL,
  PRIMARY KEY (id),
  KEY ix_event_outcomes_integration (integration_id, id),
  KEY ix_event_outcomes_received (received_at),
  CONSTRAINT fk_event_outcomes_integration FOREIGN KEY (integration_id)
    REFERENCES integrations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The integration's page: its last event and the newest events of the
-- inspector, without sorting every event it ever had.
ALTER TABLE call_events
  ADD KEY ix_call_events_integration_received (integration_id, received_at);
