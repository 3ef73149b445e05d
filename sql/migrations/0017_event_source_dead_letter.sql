-- A dead letter an admin retries (issue 16 §4: Settings › Integrations ›
-- Refused events, or `callboard dead-letters retry ID`) is stored with
-- source 'dead-letter' (lib/calls/replay.c replay_dead_job), which this
-- column could not hold: every retry that should have stored the event
-- was refused again with "Data truncated for column 'source'". Appending
-- an ENUM member changes only the table's metadata (no rebuild).
ALTER TABLE call_events
  MODIFY source ENUM('hook','spool','api','test','dead-letter') NOT NULL
    DEFAULT 'hook';
