-- Automation engine (issue 6, docs/automation.md).
--
-- jobs.dedupe_key makes a queued job exactly-once: the ingest path inserts
-- call.new and call.ended jobs keyed call.new:ID and call.ended:ID, so a
-- second end event of the same call (retries, a provider that sends both a
-- status push and a final record) queues nothing new. NULL for jobs that
-- need no key (many NULLs are allowed by a UNIQUE key).
-- jobs.backoff_seconds is the first retry delay of a job (doubling after
-- each attempt, capped at one hour). NULL = 30 s. Trigger webhooks set it
-- from their action so that an admin (and a test) can choose it.
ALTER TABLE jobs
  ADD COLUMN dedupe_key VARCHAR(80) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN backoff_seconds INT UNSIGNED NULL,
  ADD UNIQUE KEY uq_jobs_dedupe (dedupe_key);

-- A trigger action runs once per call: a worker that reruns a job finds
-- its trigger_runs row already there.
ALTER TABLE trigger_runs
  ADD UNIQUE KEY uq_trigger_runs_call_action (trigger_id, call_id, action_index);

-- The three rules exist from the start, switched off, so the settings page
-- only ever updates them.
INSERT INTO automation_rules (kind, enabled, assignee_ids)
SELECT k.kind, 0, JSON_ARRAY()
FROM (SELECT 'missed_call_task' AS kind UNION ALL SELECT 'lead_on_missed'
      UNION ALL SELECT 'lead_on_received') k
WHERE NOT EXISTS (SELECT 1 FROM automation_rules r WHERE r.kind = k.kind);
