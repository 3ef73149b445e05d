-- Leads that follow their calls (issue 19 §2, §3, §6, §8; seeds 001-004):
--   * integrations.lead_follows_transfer: when a call is transferred by
--     hand to another user, that user becomes responsible for the call's
--     open lead (seed 001, "on" by default; lib/automation/transfer.c);
--   * automation_rules.call_directions: the answered-call lead rule is for
--     incoming, outgoing or all calls (seed 001); lead_origin: the source
--     written on the leads a rule creates;
--   * leads.origin: where a lead came from, as the admin names it ("Phone
--     call", "Advertising"); not leads.source, which says how the row was
--     made (manual, api, auto_missed, ...);
--   * call_relinks: who moved a live call's links to the card they had open,
--     and from where to where (issue 19 §6; lib/calls/link.c link_move).
--   * calls.links_fixed: the call's links were set by a person (a moved
--     call, issue 19 §6) or by the automation (a call that joined its
--     number's lead, §8); cb_ingest_call, otherwise 0013's word for word,
--     no longer re-links such a call when its next event arrives (it
--     re-linked any call without a customer: a call moved to a lead that
--     has no customer yet went back to where it was).
-- The rest runs in C, in the worker or in the CRM pages.
ALTER TABLE integrations
  ADD COLUMN lead_follows_transfer TINYINT(1) NOT NULL DEFAULT 1;

ALTER TABLE automation_rules
  ADD COLUMN call_directions ENUM('in','out','all') NOT NULL DEFAULT 'in',
  ADD COLUMN lead_origin VARCHAR(60) NULL;

ALTER TABLE leads
  ADD COLUMN origin VARCHAR(60) NULL;

CREATE TABLE call_relinks (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  call_id          BIGINT UNSIGNED NOT NULL,
  user_id          BIGINT UNSIGNED NULL,
  from_customer_id BIGINT UNSIGNED NULL,
  from_order_id    BIGINT UNSIGNED NULL,
  from_lead_id     BIGINT UNSIGNED NULL,
  to_customer_id   BIGINT UNSIGNED NULL,
  to_order_id      BIGINT UNSIGNED NULL,
  to_lead_id       BIGINT UNSIGNED NULL,
  created_at       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY ix_call_relinks_call (call_id, created_at),
  KEY ix_call_relinks_user (user_id),
  CONSTRAINT fk_call_relinks_call FOREIGN KEY (call_id)
    REFERENCES calls (id) ON DELETE CASCADE,
  CONSTRAINT fk_call_relinks_user FOREIGN KEY (user_id)
    REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE calls
  ADD COLUMN links_fixed TINYINT(1) NOT NULL DEFAULT 0;

-- Changing this procedure: a new migration with CREATE OR REPLACE PROCEDURE
-- (never edit an applied migration), and the same parameter list in
-- lib/db/ingest.c (db_ingest_call binds them in this order).
CREATE OR REPLACE PROCEDURE cb_ingest_call(
  p_integration_id BIGINT UNSIGNED,
  p_external_id    VARCHAR(2048),
  p_direction      VARCHAR(16),     -- NULL: the event does not say
  p_dir_internal   TINYINT,         -- the event says internal: never linked
  p_state          VARCHAR(16),
  p_result         VARCHAR(16),     -- NULL: not said
  p_client         VARCHAR(64),     -- E.164, '' when unknown
  p_client_rev     VARCHAR(64),
  p_client_name    VARCHAR(2048),
  p_our            VARCHAR(64),
  p_started_at     DATETIME(3),
  p_answered_at    DATETIME(3),
  p_ended_at       DATETIME(3),
  p_time_flags     INT UNSIGNED,
  p_talk_s         INT,             -- NULL: not said
  p_wait_s         INT,
  p_hangup_cause   VARCHAR(2048),
  p_rec_state      VARCHAR(16),     -- NULL, 'pending' or 'unavailable'
  p_rec_url        VARCHAR(4096),
  p_event_at       DATETIME(3),
  p_link_to_leads  TINYINT,
  p_dedupe_key     VARBINARY(64),
  p_kind           VARCHAR(2048),
  p_ev_external_id VARCHAR(2048),
  p_source         VARCHAR(32),
  p_remote_addr    VARCHAR(2048),
  p_occurred_at    DATETIME(3),
  p_payload        MEDIUMTEXT,
  p_leg_id         VARCHAR(2048),   -- NULL: the event has no leg
  p_leg_extension  VARCHAR(2048),
  p_leg_state      VARCHAR(16),
  p_leg_result     VARCHAR(16),
  p_leg_answered   DATETIME(3),     -- only an answer by this extension
  p_leg_ended      DATETIME(3),
  p_leg_talk_s     INT,
  p_leg_time_flags INT UNSIGNED,
  p_final_talker   TINYINT,         -- a call-level answered end naming its extension
  p_call_ended     TINYINT,         -- a call-level end: queue call.ended
  p_recording_job  TINYINT,         -- a recording to fetch
  p_live           TINYINT,         -- return the popup's recipients
  p_client_withheld TINYINT,        -- the caller withheld their number
  p_sig_key        VARBINARY(64))   -- NULL, or a signature to bind to the call
  MODIFIES SQL DATA
  SQL SECURITY INVOKER
  COMMENT 'One provider event of a call (lib/calls/ingest.c); see migrations 0006, 0009, 0011, 0013, 0023'
proc: BEGIN
  DECLARE v_excepted TINYINT DEFAULT 0;
  DECLARE v_internal TINYINT DEFAULT 0;
  DECLARE v_created TINYINT DEFAULT 0;
  DECLARE v_user, v_customer, v_customer_max, v_lead, v_order, v_store,
    v_call, v_ext_user BIGINT UNSIGNED DEFAULT NULL;
  DECLARE v_ext, v_ext_max VARCHAR(16) DEFAULT NULL;
  DECLARE v_leg_user, v_leg_user_max BIGINT UNSIGNED DEFAULT NULL;
  DECLARE v_leg_n INT DEFAULT 0;
  DECLARE v_leg_users VARCHAR(1000) DEFAULT NULL;
  DECLARE v_any_answer TINYINT DEFAULT 0;
  DECLARE v_sig_call VARCHAR(128) DEFAULT NULL;
  DECLARE v_started DATETIME(3);
  -- The event's dedupe key was stored before (a retry): nothing of this
  -- event stays, the answer is the same as the first time.
  DECLARE EXIT HANDLER FOR 1062
  BEGIN
    ROLLBACK;
    SELECT 'duplicate' AS outcome, 0 AS call_id, 0 AS created;
  END;

  -- What the number and the leg's extension decide, in one statement of
  -- indexed lookups (each statement costs more to set up than these
  -- lookups cost to run) and without a temporary table: GROUP_CONCAT,
  -- COUNT(DISTINCT) and an ORDER BY over a join each build one, so the
  -- customers with the number come as their smallest and largest id, and
  -- the active users with the leg's extension (the first is the leg's user;
  -- all of them get the popup) as the smallest and largest id and a count.
  -- An event with neither (a recording notice, say) skips it.
  IF p_client <> '' OR p_leg_extension IS NOT NULL THEN
    SELECT p_client <> '' AND
        EXISTS (SELECT 1 FROM phone_exceptions WHERE phone = p_client),
      IF(p_client = '', NULL,
        (SELECT id FROM users WHERE phone = p_client AND active = 1 LIMIT 1)),
      IF(p_client = '', NULL, (SELECT MIN(customer_id) FROM customer_phones
        WHERE phone = p_client)),
      IF(p_client = '', NULL, (SELECT MAX(customer_id) FROM customer_phones
        WHERE phone = p_client)),
      IF(p_client = '', NULL,
        (SELECT store_id FROM store_numbers WHERE number = p_our)),
      MIN(u.id), MAX(u.id), COUNT(u.id)
    INTO v_excepted, v_user, v_customer, v_customer_max, v_store,
      v_leg_user, v_leg_user_max, v_leg_n
    FROM users u WHERE u.extension = p_leg_extension AND u.active = 1;
  END IF;
  IF p_client <> '' THEN
    IF v_excepted THEN
      -- Calls from excepted numbers are not stored at all, not even raw.
      SELECT 'excepted' AS outcome, 0 AS call_id, 0 AS created;
      LEAVE proc;
    END IF;
    IF p_dir_internal OR v_user IS NOT NULL THEN
      -- Between our own lines, or a user's own number on the other end:
      -- internal, linked to nothing.
      SET v_internal = NOT p_dir_internal AND v_user IS NOT NULL,
        v_customer = NULL, v_store = NULL;
    ELSEIF v_customer IS NOT NULL THEN
      IF v_customer <> v_customer_max THEN
        -- Several customers share the number (rare): the most recently
        -- created one.
        SET v_customer = (SELECT c.id FROM customer_phones p
          JOIN customers c ON c.id = p.customer_id WHERE p.phone = p_client
          ORDER BY c.created_at DESC, c.id DESC LIMIT 1);
      END IF;
      -- Their oldest open lead (when the integration links to leads),
      -- else their latest open order.
      IF p_link_to_leads THEN
        SET v_lead = (SELECT id FROM leads WHERE customer_id = v_customer
          AND state = 'open' ORDER BY created_at ASC, id ASC LIMIT 1);
      END IF;
      IF v_lead IS NULL THEN
        SET v_order = (SELECT o.id FROM orders o
          JOIN order_statuses s ON s.id = o.status_id
          WHERE o.customer_id = v_customer AND s.status_group = 'open'
          ORDER BY o.created_at DESC, o.id DESC LIMIT 1);
      END IF;
    END IF;
  END IF;
  -- Everyone the popup goes to, ids in ascending order: one or two users
  -- from the lookup above; a list (at most 16) only for an extension that
  -- three or more people share.
  IF v_leg_n = 1 THEN
    SET v_leg_users = v_leg_user;
  ELSEIF v_leg_n = 2 THEN
    SET v_leg_users = CONCAT(v_leg_user, ',', v_leg_user_max);
  ELSEIF v_leg_n > 2 THEN
    SELECT GROUP_CONCAT(id ORDER BY id SEPARATOR ',' LIMIT 16)
      INTO v_leg_users
      FROM users WHERE extension = p_leg_extension AND active = 1;
  END IF;

  START TRANSACTION;
  IF p_sig_key IS NOT NULL THEN
    -- The first call a signature comes with owns it; the row lock this
    -- takes orders two requests racing with one signature. (Not INSERT
    -- IGNORE: its warning 1062 would fire the duplicate handler above.)
    INSERT INTO call_signatures (integration_id, sig_key, external_id)
    VALUES (p_integration_id, p_sig_key, p_external_id)
    ON DUPLICATE KEY UPDATE sig_key = sig_key;
    SELECT external_id INTO v_sig_call FROM call_signatures
      WHERE integration_id = p_integration_id AND sig_key = p_sig_key;
    IF v_sig_call <> p_external_id THEN
      ROLLBACK;
      SELECT 'refused' AS outcome, 0 AS call_id, 0 AS created;
      LEAVE proc;
    END IF;
  END IF;
  -- This event's own start: never after its answer or end.
  SET v_started = LEAST(p_started_at, COALESCE(p_answered_at, p_started_at),
    COALESCE(p_ended_at, p_started_at));
  INSERT INTO calls (integration_id, external_id, direction, state, result,
    client_number, client_digits_rev, client_name, our_number, started_at,
    answered_at, ended_at, talk_seconds, wait_seconds, hangup_cause,
    recording_state, recording_url, last_event_at, time_flags, customer_id,
    order_id, lead_id, store_id, live_users, client_withheld)
  VALUES (p_integration_id, p_external_id,
    IF(v_internal, 'internal', COALESCE(p_direction, 'in')), p_state,
    COALESCE(p_result, 'unknown'), p_client, p_client_rev, p_client_name,
    p_our, v_started, p_answered_at, p_ended_at, COALESCE(p_talk_s, 0),
    COALESCE(p_wait_s, IF(p_answered_at IS NULL, 0,
    GREATEST(0, TIMESTAMPDIFF(SECOND, v_started, p_answered_at)))),
    p_hangup_cause, COALESCE(p_rec_state, 'none'),
    p_rec_url, p_event_at, p_time_flags, v_customer, v_order, v_lead, v_store,
    v_leg_users, p_client_withheld)
  ON DUPLICATE KEY UPDATE
    id = LAST_INSERT_ID(id),
    -- Links: before client_number is merged below. A withheld caller is
    -- nobody's: no customer, order or lead (issue 15 §2.5). Links a person
    -- or the automation set (links_fixed, migration 0023) stay.
    order_id = IF(client_withheld OR p_client_withheld, NULL,
      IF(customer_id IS NULL AND links_fixed = 0 AND (client_number = '' OR
      client_number = VALUES(client_number)), VALUES(order_id), order_id)),
    lead_id = IF(client_withheld OR p_client_withheld, NULL,
      IF(customer_id IS NULL AND links_fixed = 0 AND (client_number = '' OR
      client_number = VALUES(client_number)), VALUES(lead_id), lead_id)),
    customer_id = IF(client_withheld OR p_client_withheld, NULL,
      IF(customer_id IS NULL AND links_fixed = 0 AND (client_number = '' OR
      client_number = VALUES(client_number)), VALUES(customer_id),
      customer_id)),
    store_id = COALESCE(store_id, VALUES(store_id)),
    direction = IF(v_internal AND (client_number = '' OR
      client_number = VALUES(client_number)), 'internal',
      COALESCE(p_direction, direction)),
    state = IF(FIELD(VALUES(state), 'ringing', 'talking', 'ended') >
      FIELD(state, 'ringing', 'talking', 'ended'), VALUES(state), state),
    result = IF(p_result IS NOT NULL AND FIELD(p_result, 'unknown', 'failed',
      'busy', 'no_answer', 'missed', 'answered') > FIELD(result, 'unknown',
      'failed', 'busy', 'no_answer', 'missed', 'answered'), p_result, result),
    -- Withheld once is withheld: the number is never kept beside it.
    client_withheld = client_withheld OR p_client_withheld,
    client_number = IF(client_withheld, '', IF(client_number = '',
      VALUES(client_number), client_number)),
    client_digits_rev = IF(client_withheld, '', IF(client_digits_rev = '',
      VALUES(client_digits_rev), client_digits_rev)),
    client_name = COALESCE(client_name, VALUES(client_name)),
    our_number = IF(our_number = '', VALUES(our_number), our_number),
    answered_at = CASE WHEN VALUES(answered_at) IS NULL THEN answered_at
      WHEN VALUES(time_flags) & 1 THEN IF(time_flags & 1,
      LEAST(answered_at, VALUES(answered_at)), VALUES(answered_at))
      WHEN time_flags & 1 THEN answered_at
      ELSE LEAST(COALESCE(answered_at, VALUES(answered_at)),
      VALUES(answered_at)) END,
    ended_at = CASE WHEN VALUES(ended_at) IS NULL THEN ended_at
      WHEN VALUES(time_flags) & 2 THEN IF(time_flags & 2,
      GREATEST(ended_at, VALUES(ended_at)), VALUES(ended_at))
      WHEN time_flags & 2 THEN ended_at
      ELSE GREATEST(COALESCE(ended_at, VALUES(ended_at)),
      VALUES(ended_at)) END,
    -- After the answer and the end (assignments run in order and see the
    -- new values): the start is never later than either.
    started_at = LEAST(CASE WHEN VALUES(time_flags) & 4 THEN
      IF(time_flags & 4, LEAST(started_at, VALUES(started_at)),
      VALUES(started_at)) WHEN time_flags & 4 THEN started_at
      ELSE LEAST(started_at, VALUES(started_at)) END,
      COALESCE(answered_at, '9999-12-31'), COALESCE(ended_at, '9999-12-31')),
    talk_seconds = GREATEST(talk_seconds, VALUES(talk_seconds)),
    -- A stated wait (bit 8) wins; else the merged answer minus the merged
    -- start, which moves as better times arrive.
    wait_seconds = CASE WHEN VALUES(time_flags) & 8 THEN IF(time_flags & 8,
      GREATEST(wait_seconds, VALUES(wait_seconds)), VALUES(wait_seconds))
      WHEN time_flags & 8 THEN wait_seconds
      WHEN answered_at IS NOT NULL THEN
      GREATEST(0, TIMESTAMPDIFF(SECOND, started_at, answered_at))
      ELSE wait_seconds END,
    hangup_cause = COALESCE(VALUES(hangup_cause), hangup_cause),
    recording_state = CASE WHEN p_rec_state IS NULL OR
      recording_state = 'stored' OR (recording_state = 'pending' AND
      p_rec_state = 'unavailable') THEN recording_state ELSE p_rec_state END,
    recording_url = COALESCE(VALUES(recording_url), recording_url),
    last_event_at = GREATEST(COALESCE(last_event_at, VALUES(last_event_at)),
      VALUES(last_event_at)),
    time_flags = time_flags | VALUES(time_flags),
    -- Users already listed stay once; a list that would not fit stays as
    -- it is (cutting it could leave half an id: a popup for a stranger).
    live_users = CASE WHEN v_leg_users IS NULL THEN live_users
      WHEN live_users IS NULL THEN v_leg_users
      WHEN FIND_IN_SET(v_leg_user, live_users) THEN live_users
      WHEN LENGTH(live_users) + LENGTH(v_leg_users) >= 1000 THEN live_users
      ELSE CONCAT(live_users, ',', v_leg_users) END;
  SET v_created = ROW_COUNT() = 1, v_call = LAST_INSERT_ID();

  -- The raw event; a retry is a duplicate key here (the handler above).
  INSERT INTO call_events (integration_id, call_id, dedupe_key, kind,
    external_id, source, remote_addr, occurred_at, received_at, payload)
  VALUES (p_integration_id, v_call, p_dedupe_key, LEFT(p_kind, 32),
    NULLIF(p_ev_external_id, ''), p_source, NULLIF(p_remote_addr, ''),
    p_occurred_at, UTC_TIMESTAMP(3), p_payload);

  -- The leg (the provider's leg id, or one per extension), then who talked.
  IF p_leg_id IS NOT NULL THEN
    INSERT INTO call_legs (call_id, integration_id, external_leg_id,
      leg_type, user_id, extension, number, state, result, started_at,
      answered_at, ended_at, talk_seconds, time_flags)
    VALUES (v_call, p_integration_id, p_leg_id,
      IF(p_leg_answered IS NULL, 'ring', 'answer'), v_leg_user,
      p_leg_extension, NULL, p_leg_state, COALESCE(p_leg_result, 'unknown'),
      v_started, p_leg_answered, p_leg_ended, COALESCE(p_leg_talk_s, 0),
      p_leg_time_flags)
    -- The time merge below is the calls' merge above, word for word: a leg
    -- keeps its times by the same rules. (A stored function shared by both
    -- would cost a function call per column per event on the hot path.)
    ON DUPLICATE KEY UPDATE
      leg_type = IF(VALUES(answered_at) IS NOT NULL, 'answer', leg_type),
      user_id = COALESCE(user_id, VALUES(user_id)),
      extension = COALESCE(extension, VALUES(extension)),
      number = COALESCE(number, VALUES(number)),
      state = IF(FIELD(VALUES(state), 'ringing', 'talking', 'ended') >
        FIELD(state, 'ringing', 'talking', 'ended'), VALUES(state), state),
      result = IF(p_leg_result IS NOT NULL AND FIELD(p_leg_result, 'unknown',
        'failed', 'busy', 'no_answer', 'missed', 'answered') > FIELD(result,
        'unknown', 'failed', 'busy', 'no_answer', 'missed', 'answered'),
        p_leg_result, result),
      started_at = CASE WHEN VALUES(time_flags) & 4 THEN
        IF(time_flags & 4, LEAST(started_at, VALUES(started_at)),
        VALUES(started_at)) WHEN time_flags & 4 THEN started_at
        ELSE LEAST(started_at, VALUES(started_at)) END,
      answered_at = CASE WHEN VALUES(answered_at) IS NULL THEN answered_at
        WHEN VALUES(time_flags) & 1 THEN IF(time_flags & 1,
        LEAST(answered_at, VALUES(answered_at)), VALUES(answered_at))
        WHEN time_flags & 1 THEN answered_at
        ELSE LEAST(COALESCE(answered_at, VALUES(answered_at)),
        VALUES(answered_at)) END,
      ended_at = CASE WHEN VALUES(ended_at) IS NULL THEN ended_at
        WHEN VALUES(time_flags) & 2 THEN IF(time_flags & 2,
        GREATEST(ended_at, VALUES(ended_at)), VALUES(ended_at))
        WHEN time_flags & 2 THEN ended_at
        ELSE GREATEST(COALESCE(ended_at, VALUES(ended_at)),
        VALUES(ended_at)) END,
      talk_seconds = GREATEST(talk_seconds, VALUES(talk_seconds)),
      time_flags = time_flags | VALUES(time_flags);
    -- Who talked: read with simple indexed lookups on this call's legs,
    -- then the call updated by its primary key (an UPDATE joined to a
    -- derived table would build temporary tables on every event).
    IF p_leg_answered IS NOT NULL THEN
      -- The latest answered leg with an extension (none: no change).
      SELECT l.extension, l.user_id INTO v_ext, v_ext_user FROM call_legs l
        WHERE l.call_id = v_call AND l.answered_at IS NOT NULL
        AND l.extension IS NOT NULL
        ORDER BY l.answered_at DESC, l.id DESC LIMIT 1;
      IF v_ext IS NOT NULL THEN
        UPDATE calls SET extension = v_ext, manager_id = v_ext_user
          WHERE id = v_call AND talker_final = 0;
      END IF;
    ELSE
      -- Nobody answered yet: the only extension that rang, if only one did
      -- (smallest = largest: one extension, with no COUNT(DISTINCT) and
      -- its temporary table).
      SELECT MIN(l.extension), MAX(l.extension), MIN(l.user_id),
        MAX(l.answered_at IS NOT NULL)
      INTO v_ext, v_ext_max, v_ext_user, v_any_answer
      FROM call_legs l WHERE l.call_id = v_call AND l.extension IS NOT NULL;
      IF v_ext = v_ext_max AND NOT v_any_answer THEN
        UPDATE calls SET extension = v_ext, manager_id = v_ext_user
          WHERE id = v_call AND talker_final = 0;
      ELSEIF v_ext <> v_ext_max AND NOT v_any_answer THEN
        -- Several phones rang and nobody answered: no one of them is the
        -- call's, whatever order the legs arrived in.
        UPDATE calls SET extension = NULL, manager_id = NULL
          WHERE id = v_call AND talker_final = 0;
      END IF;
    END IF;
    IF p_final_talker THEN
      -- The provider's final record names who talked last: it outranks
      -- live pushes however late they come.
      UPDATE calls SET extension = p_leg_extension, talker_final = 1,
        manager_id = v_leg_user
      WHERE id = v_call;
    END IF;
  END IF;

  -- Automation (lib/automation/): exactly once per call each.
  IF v_created AND EXISTS (SELECT 1 FROM triggers
      WHERE event = 'new_call' AND enabled = 1) THEN
    INSERT INTO jobs (kind, payload, call_id, dedupe_key)
    VALUES ('call.new', CONCAT('{"call_id":', v_call, '}'), v_call,
      CONCAT('call.new:', v_call))
    ON DUPLICATE KEY UPDATE id = id;
  END IF;
  IF p_call_ended THEN
    INSERT INTO jobs (kind, payload, call_id, dedupe_key)
    VALUES ('call.ended', CONCAT('{"call_id":', v_call, '}'), v_call,
      CONCAT('call.ended:', v_call))
    ON DUPLICATE KEY UPDATE id = id;
  END IF;
  IF p_recording_job THEN
    -- Zadarma advises fetching about 40 s after the notice.
    INSERT INTO jobs (kind, payload, call_id, run_at)
    VALUES ('recording.fetch', CONCAT('{"call_id":', v_call, '}'), v_call,
      UTC_TIMESTAMP(3) + INTERVAL 40 SECOND);
  END IF;
  COMMIT;

  IF p_live THEN
    -- The outcome and the popup in one row: the call by its primary key,
    -- who it rang for or who took it, else the customer's responsible
    -- manager (calls rows are never deleted, so the row is there).
    SELECT 'stored' AS outcome, v_call AS call_id, v_created AS created,
      c.id, c.state, c.direction, c.client_number,
      COALESCE(cu.name, c.client_name), c.started_at, c.answered_at,
      CASE WHEN c.state = 'ended' THEN GREATEST(0, COALESCE(
      TIMESTAMPDIFF(SECOND, c.started_at, c.ended_at),
      c.wait_seconds + c.talk_seconds)) ELSE GREATEST(0, TIMESTAMPDIFF(
      SECOND, c.started_at, UTC_TIMESTAMP(3))) END, c.client_withheld,
      c.live_users, m.id
    FROM calls c LEFT JOIN customers cu ON cu.id = c.customer_id
    LEFT JOIN users m ON m.id = cu.manager_id AND m.active = 1
    WHERE c.id = v_call;
  ELSE
    SELECT 'stored' AS outcome, v_call AS call_id, v_created AS created;
  END IF;
END;
