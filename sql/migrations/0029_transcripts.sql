-- Issue 22: transcripts and short summaries of call recordings, searchable
-- by the words said, behind their own permissions.
--
-- One row per call (a call has at most one recording): the worker's job
-- transcript.make (tools/worker.c, lib/transcribe/job.c) fills it; the card
-- shows it beside the player; users with `transcripts.edit` correct its
-- lines and its summary, and every earlier version is kept in
-- transcript_versions with who made it and when. SQL: lib/db/transcript.c.
CREATE TABLE transcripts (
  call_id      BIGINT UNSIGNED NOT NULL,
  -- queued (a job is waiting), running, done, failed (failure says why,
  -- for the card: "transcript failed: <failure>").
  status       ENUM('queued','running','done','failed') NOT NULL
               DEFAULT 'queued',
  failure      VARCHAR(512) NULL,
  engine       VARCHAR(16)  NOT NULL DEFAULT '',
  language     VARCHAR(16)  NULL,
  -- The engine's quality mark (the local engine: English only, a small
  -- model): shown as "draft" on the card.
  draft        TINYINT(1)   NOT NULL DEFAULT 0,
  -- The utterances as a JSON array of {"start_ms","end_ms","side","text"}
  -- (side: "", "manager", "customer"): read and written whole, never
  -- queried inside, so one column rather than a row per line.
  utterances   MEDIUMTEXT   NULL CHECK (utterances IS NULL OR
                                        JSON_VALID(utterances)),
  -- The words said, every utterance's text joined by newlines: what the
  -- FULLTEXT index reads (kept by lib/db/transcript.c with utterances).
  words        MEDIUMTEXT   NULL,
  summary      TEXT         NULL,
  -- The summary's first sentence, at most 255 characters: the history's
  -- column, read per listed call without the whole summary.
  summary_head VARCHAR(255) NULL,
  -- Why the summary is extractive though an endpoint is configured.
  summary_note VARCHAR(255) NULL,
  -- 1 for the engine's text, +1 per correction.
  version      INT UNSIGNED NOT NULL DEFAULT 0,
  requested_by BIGINT UNSIGNED NULL,
  edited_by    BIGINT UNSIGNED NULL,
  edited_at    DATETIME(3)  NULL,
  created_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                            ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (call_id),
  -- /calls?said=<words>: MATCH (words, summary) AGAINST (... IN BOOLEAN
  -- MODE) is this index's own lookup; the matching calls are then read by
  -- primary key (lib/db/call.c, sql_said_from).
  FULLTEXT KEY ft_transcripts_said (words, summary),
  CONSTRAINT fk_transcripts_call FOREIGN KEY (call_id) REFERENCES calls (id)
    ON DELETE CASCADE,
  CONSTRAINT fk_transcripts_requested FOREIGN KEY (requested_by)
    REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT fk_transcripts_edited FOREIGN KEY (edited_by)
    REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every version a correction replaced, as it was, with who made that
-- version and when (NULL for the engine's own).
CREATE TABLE transcript_versions (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  call_id      BIGINT UNSIGNED NOT NULL,
  version      INT UNSIGNED NOT NULL,
  utterances   MEDIUMTEXT   NULL,
  summary      TEXT         NULL,
  made_by      BIGINT UNSIGNED NULL,
  made_at      DATETIME(3)  NOT NULL,
  replaced_by  BIGINT UNSIGNED NULL,
  replaced_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_transcript_versions (call_id, version),
  CONSTRAINT fk_transcript_versions_call FOREIGN KEY (call_id)
    REFERENCES transcripts (call_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Reading a transcript is in the listening log, like playing the audio.
ALTER TABLE listening_log MODIFY action
  ENUM('play','download','transcript') NOT NULL;

-- Permissions: transcripts.view (scope own/all: which calls' transcripts;
-- never more than the recordings the user may hear, lib/auth/access.c
-- access_transcript) and transcripts.edit (correct lines and summary).
--
-- NOTE for whoever adds the next permission: this CHECK lists every
-- permission; a later migration that redefines it must keep these.
ALTER TABLE role_permissions DROP CONSTRAINT ck_role_permissions_permission;
ALTER TABLE role_permissions ADD CONSTRAINT ck_role_permissions_permission
  CHECK (permission IN ('calls','orders.calls','customers.calls',
    'recordings.listen','recordings.download','calls.dial','settings',
    'customers','customers.edit','orders','orders.edit','leads',
    'leads.edit','analytics','transcripts.view','transcripts.edit'));

-- Defaults, like recordings: every role that may hear recordings reads
-- their transcripts with the same scope as its `calls`; roles with
-- `settings` (admin) also correct them. The intern hears nothing, so reads
-- nothing. An admin changes this in Settings > Roles.
INSERT INTO role_permissions (role_id, permission, scope)
SELECT l.role_id, 'transcripts.view',
  COALESCE((SELECT c.scope FROM role_permissions c
            WHERE c.role_id = l.role_id AND c.permission = 'calls'), 'all')
FROM role_permissions l
WHERE l.permission = 'recordings.listen'
  AND NOT EXISTS (SELECT 1 FROM role_permissions q
                  WHERE q.role_id = l.role_id
                    AND q.permission = 'transcripts.view');
INSERT INTO role_permissions (role_id, permission, scope)
SELECT s.role_id, 'transcripts.edit', 'all'
FROM role_permissions s
WHERE s.permission = 'settings'
  AND NOT EXISTS (SELECT 1 FROM role_permissions q
                  WHERE q.role_id = s.role_id
                    AND q.permission = 'transcripts.edit');
