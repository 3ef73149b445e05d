-- Issue 21 "Speed", the rest: the two figures that still read every call
-- of the range (a year at 1M calls: the missed-call follow-up merged 116k
-- answered calls in C; new versus returning callers looked up every
-- number's older calls) read per-call and per-number summaries instead,
-- kept like the hours of 0028 (lib/analytics/fold.h). And the fold's
-- GET_LOCK, which Galera refuses, becomes a lease row.

-- Per missed incoming call with a number: its follow-up, the first later
-- answered call with the number whichever way it went (the missed-calls
-- list's rule, lib/db/tasklist.c and cgi/analytics.c's merge over the
-- calls), and the whole seconds between the two starts. NULL handled_id:
-- never handled (yet). The delay is stored, not its class: the target is
-- a setting that may change any time and is compared when the page reads.
-- The filter columns are the missed call's, so the report filters these
-- rows with the same conditions as the calls (every row is incoming).
-- Keyed by start first: a report reads a range of it in key order.
CREATE TABLE analytics_followups (
  started_at         DATETIME(3)  NOT NULL,
  call_id            BIGINT UNSIGNED NOT NULL,
  client_digits_rev  VARCHAR(32)  NOT NULL,
  client_number      VARCHAR(32)  NOT NULL,
  integration_id     BIGINT UNSIGNED NOT NULL,
  our_number         VARCHAR(32)  NOT NULL,
  store_id           BIGINT UNSIGNED NULL,
  manager_id         BIGINT UNSIGNED NULL,
  handled_id         BIGINT UNSIGNED NULL,
  handled_out        TINYINT(1)   NOT NULL,
  handled_manager_id BIGINT UNSIGNED NULL,
  delay_seconds      INT UNSIGNED NULL,
  PRIMARY KEY (started_at, call_id),
  UNIQUE KEY uq_analytics_followups_call (call_id),
  KEY ix_analytics_followups_digits (client_digits_rev)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per client number (calls.client_digits_rev), the start of its first call
-- of any direction: a number calling in a range is new when that is not
-- before the range.
CREATE TABLE analytics_first_calls (
  client_digits_rev VARCHAR(32) NOT NULL,
  first_at          DATETIME(3) NOT NULL,
  PRIMARY KEY (client_digits_rev)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The numbers whose rows above are out of date. A number, not a call: a
-- call's change can change an earlier missed call's follow-up (a callback,
-- a late end event that makes an answered call of it, a call deleted) and
-- the number's first call, so the fold recomputes the whole number.
CREATE TABLE analytics_numbers_dirty (
  id     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  digits VARCHAR(32) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_analytics_numbers_dirty_digits (digits)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER tr_calls_analytics_num_ins AFTER INSERT ON calls FOR EACH ROW
BEGIN
  IF NEW.client_digits_rev <> '' THEN
    INSERT INTO analytics_numbers_dirty (digits) VALUES (NEW.client_digits_rev);
  END IF;
END;

-- Only changes of what the two tables read (most updates are live state,
-- links, recordings, notes): one comparison otherwise.
CREATE TRIGGER tr_calls_analytics_num_upd AFTER UPDATE ON calls FOR EACH ROW
BEGIN
  IF NOT (OLD.client_digits_rev <=> NEW.client_digits_rev
          AND OLD.started_at <=> NEW.started_at
          AND OLD.direction <=> NEW.direction
          AND OLD.result <=> NEW.result
          AND OLD.client_number <=> NEW.client_number
          AND OLD.integration_id <=> NEW.integration_id
          AND OLD.our_number <=> NEW.our_number
          AND OLD.store_id <=> NEW.store_id
          AND OLD.manager_id <=> NEW.manager_id) THEN
    IF NEW.client_digits_rev <> '' THEN
      INSERT INTO analytics_numbers_dirty (digits)
      VALUES (NEW.client_digits_rev);
    END IF;
    IF OLD.client_digits_rev <> '' AND
       OLD.client_digits_rev <> NEW.client_digits_rev THEN
      INSERT INTO analytics_numbers_dirty (digits)
      VALUES (OLD.client_digits_rev);
    END IF;
  END IF;
END;

CREATE TRIGGER tr_calls_analytics_num_del AFTER DELETE ON calls FOR EACH ROW
BEGIN
  IF OLD.client_digits_rev <> '' THEN
    INSERT INTO analytics_numbers_dirty (digits) VALUES (OLD.client_digits_rev);
  END IF;
END;

-- One folder at a time, without GET_LOCK (Galera refuses it): a lease.
-- A folder takes the row when its lease has expired, in a transaction of
-- its own, so every other folder (any node) sees it taken; it gives it
-- back when done. A folder that dies keeps it at most 120 seconds (a
-- batch folds in well under that; the first batches after a bulk load on
-- a busy machine took over 60). On Galera two nodes may take it at once:
-- one of them gets a certification conflict (1213), which counts as
-- "busy". Two folds at once (one outlived its lease) only redo the same
-- recompute; where they meet on a row, one rolls back (1205/1213) and
-- answers "busy" too.
CREATE TABLE analytics_fold_lease (
  id         TINYINT UNSIGNED NOT NULL,
  holder     CHAR(36)    NULL,
  expires_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;
INSERT INTO analytics_fold_lease (id, holder, expires_at)
  VALUES (1, NULL, '1970-01-02 00:00:00');

-- Takes the lease for p_token, trying every 0.1 s for up to p_wait
-- seconds; p_got = 1 when taken.
CREATE OR REPLACE PROCEDURE cb_analytics_lease_take(p_token CHAR(36),
                                                    p_wait INT,
                                                    OUT p_got INT)
BEGIN
  DECLARE v_until DATETIME(6) DEFAULT UTC_TIMESTAMP(6) +
    INTERVAL GREATEST(COALESCE(p_wait, 0), 0) SECOND;
  DECLARE v_rows INT DEFAULT 0;
  DECLARE v_conflict INT DEFAULT 0;
  take: LOOP
    BEGIN
      -- Another node took it first (Galera: 1213 at commit) or a lock
      -- wait ran out: busy, like a taken row.
      DECLARE CONTINUE HANDLER FOR 1213, 1205 SET v_conflict = 1;
      SET v_conflict = 0;
      START TRANSACTION;
      UPDATE analytics_fold_lease
        SET holder = p_token, expires_at = UTC_TIMESTAMP(6) + INTERVAL 120 SECOND
        WHERE id = 1 AND expires_at < UTC_TIMESTAMP(6);
      SET v_rows = ROW_COUNT();
      COMMIT;
      IF v_conflict = 1 THEN
        ROLLBACK;
        SET v_rows = 0;
      END IF;
    END;
    IF v_rows = 1 OR UTC_TIMESTAMP(6) >= v_until THEN
      LEAVE take;
    END IF;
    DO SLEEP(0.1);
  END LOOP;
  SET p_got = v_rows = 1;
END;

CREATE OR REPLACE PROCEDURE cb_analytics_lease_give(p_token CHAR(36))
BEGIN
  START TRANSACTION;
  UPDATE analytics_fold_lease
    SET holder = NULL, expires_at = '1970-01-02 00:00:00'
    WHERE id = 1 AND holder = p_token;
  COMMIT;
END;

-- Folds the oldest p_max_hours dirty hours (0028's summaries) and up to
-- 20 × p_max_hours dirty-number rows (the two tables above): recomputes
-- their rows from the calls and deletes the dirty rows it read, in one
-- transaction; exactly once however often it runs. Under the lease
-- (waited for up to p_wait seconds; the worker passes 0 and tries again
-- later). READ COMMITTED: every dirty row read was committed with its
-- call's change, so the recompute, a later statement, sees that change;
-- the calls are read without locks (the ingest never waits for a fold).
-- A change committed meanwhile leaves its own dirty row, folded next time.
-- Answers one row: hours and numbers folded (-1: the lease was taken), and
-- whether dirty rows of either kind are left.
CREATE OR REPLACE PROCEDURE cb_analytics_fold(p_max_hours INT UNSIGNED,
                                              p_wait INT)
BEGIN
  DECLARE v_n INT DEFAULT 0;
  DECLARE v_numbers INT DEFAULT 0;
  DECLARE v_got INT DEFAULT 0;
  DECLARE v_token CHAR(36) DEFAULT UUID();
  DECLARE v_number_rows INT UNSIGNED DEFAULT 20 * p_max_hours;
  DECLARE v_hour DATETIME;
  DECLARE v_lock_wait INT DEFAULT @@SESSION.innodb_lock_wait_timeout;
  -- A fold that outlived its lease meets the next folder's row locks
  -- (deadlock, or a lock wait that runs out): the loser rolls back and
  -- answers "busy"; its dirty rows stay for the next fold.
  DECLARE EXIT HANDLER FOR 1205, 1213
  BEGIN
    ROLLBACK;
    DROP TEMPORARY TABLE IF EXISTS cb_fold_hours, cb_fold_ids,
      cb_fold_numbers, cb_fold_number_ids;
    SET SESSION innodb_lock_wait_timeout = v_lock_wait;
    CALL cb_analytics_lease_give(v_token);
    SELECT -1 AS folded, 1 AS pending;
  END;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    DROP TEMPORARY TABLE IF EXISTS cb_fold_hours, cb_fold_ids,
      cb_fold_numbers, cb_fold_number_ids;
    SET SESSION innodb_lock_wait_timeout = v_lock_wait;
    CALL cb_analytics_lease_give(v_token);
    RESIGNAL;
  END;
  -- Never wait long for another folder's rows: a page is waiting.
  SET SESSION innodb_lock_wait_timeout = LEAST(v_lock_wait, 5);
  CALL cb_analytics_lease_take(v_token, p_wait, v_got);
  IF v_got = 0 THEN
    SET SESSION innodb_lock_wait_timeout = v_lock_wait;
    SELECT -1 AS folded, 1 AS pending;
  ELSE
    DROP TEMPORARY TABLE IF EXISTS cb_fold_hours, cb_fold_ids,
      cb_fold_numbers, cb_fold_number_ids;
    CREATE TEMPORARY TABLE cb_fold_hours (hour DATETIME NOT NULL PRIMARY KEY)
      ENGINE=MEMORY;
    CREATE TEMPORARY TABLE cb_fold_ids (id BIGINT UNSIGNED NOT NULL
      PRIMARY KEY) ENGINE=MEMORY;
    CREATE TEMPORARY TABLE cb_fold_numbers (digits VARCHAR(32) NOT NULL
      PRIMARY KEY) ENGINE=MEMORY DEFAULT CHARSET=utf8mb4
      COLLATE=utf8mb4_unicode_ci;
    CREATE TEMPORARY TABLE cb_fold_number_ids (id BIGINT UNSIGNED NOT NULL
      PRIMARY KEY) ENGINE=MEMORY;
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    START TRANSACTION;
    -- ---- the hours (0028) ----
    INSERT INTO cb_fold_hours (hour)
      SELECT DISTINCT hour FROM analytics_dirty ORDER BY hour
      LIMIT p_max_hours;
    SET v_n = ROW_COUNT();
    INSERT INTO cb_fold_ids (id)
      SELECT d.id FROM cb_fold_hours h
      JOIN analytics_dirty d ON d.hour = h.hour;
    DELETE a FROM analytics_hours a JOIN cb_fold_hours h ON a.hour = h.hour;
    DELETE w FROM analytics_waits w JOIN cb_fold_hours h ON w.hour = h.hour;
    -- Hour by hour, each a range of ix_calls_analytics: 0028 joined the
    -- hours table to the calls on a computed range, which MariaDB ran as a
    -- scan of the whole index per statement (block nested loop; EXPLAIN at
    -- 1M calls: 983,772 rows for a fold of two hours).
    SET v_hour = (SELECT MIN(hour) FROM cb_fold_hours);
    WHILE v_hour IS NOT NULL DO
      INSERT INTO analytics_hours (hour, direction, integration_id,
                                   our_number, store_id, manager_id,
                                   answered, missed, other, talk_sum,
                                   talk_max)
        SELECT v_hour, c.direction, c.integration_id, c.our_number,
               COALESCE(c.store_id, 0), COALESCE(c.manager_id, 0),
               SUM(c.result = 'answered'),
               SUM(c.result IN ('missed', 'no_answer', 'busy')),
               SUM(c.result NOT IN ('answered', 'missed', 'no_answer',
                                    'busy')),
               SUM(IF(c.result = 'answered', c.talk_seconds, 0)),
               MAX(IF(c.result = 'answered', c.talk_seconds, 0))
        FROM calls c FORCE INDEX (ix_calls_analytics)
        WHERE c.started_at >= v_hour
          AND c.started_at < v_hour + INTERVAL 1 HOUR
        GROUP BY c.direction, c.integration_id, c.our_number,
                 COALESCE(c.store_id, 0), COALESCE(c.manager_id, 0);
      INSERT INTO analytics_waits (hour, integration_id, our_number,
                                   store_id, manager_id, wait_seconds, calls)
        SELECT v_hour, c.integration_id, c.our_number,
               COALESCE(c.store_id, 0), COALESCE(c.manager_id, 0),
               LEAST(c.wait_seconds, 3600), COUNT(*)
        FROM calls c FORCE INDEX (ix_calls_analytics)
        WHERE c.started_at >= v_hour
          AND c.started_at < v_hour + INTERVAL 1 HOUR
          AND c.direction = 'in' AND c.result = 'answered'
        GROUP BY c.integration_id, c.our_number, COALESCE(c.store_id, 0),
                 COALESCE(c.manager_id, 0), LEAST(c.wait_seconds, 3600);
      SET v_hour = (SELECT MIN(hour) FROM cb_fold_hours WHERE hour > v_hour);
    END WHILE;
    DELETE t FROM analytics_hour_totals t JOIN cb_fold_hours h ON t.hour = h.hour;
    DELETE t FROM analytics_hour_managers t
      JOIN cb_fold_hours h ON t.hour = h.hour;
    DELETE t FROM analytics_hour_lines t JOIN cb_fold_hours h ON t.hour = h.hour;
    DELETE t FROM analytics_hour_waits t JOIN cb_fold_hours h ON t.hour = h.hour;
    INSERT INTO analytics_hour_totals (hour, direction, answered, missed, other)
      SELECT a.hour, a.direction, SUM(a.answered), SUM(a.missed), SUM(a.other)
      FROM cb_fold_hours h JOIN analytics_hours a ON a.hour = h.hour
      GROUP BY a.hour, a.direction;
    INSERT INTO analytics_hour_managers (hour, manager_id, answered, talk_sum,
                                         talk_max, missed)
      SELECT a.hour, a.manager_id, SUM(a.answered), SUM(a.talk_sum),
             MAX(a.talk_max), SUM(a.missed)
      FROM cb_fold_hours h JOIN analytics_hours a ON a.hour = h.hour
      WHERE a.direction = 'in'
      GROUP BY a.hour, a.manager_id;
    INSERT INTO analytics_hour_lines (hour, our_number, store_id, calls,
                                      answered, missed)
      SELECT a.hour, a.our_number, a.store_id,
             SUM(a.answered + a.missed + a.other), SUM(a.answered),
             SUM(a.missed)
      FROM cb_fold_hours h JOIN analytics_hours a ON a.hour = h.hour
      GROUP BY a.hour, a.our_number, a.store_id;
    INSERT INTO analytics_hour_waits (hour, wait_seconds, calls)
      SELECT w.hour, w.wait_seconds, SUM(w.calls)
      FROM cb_fold_hours h JOIN analytics_waits w ON w.hour = h.hour
      GROUP BY w.hour, w.wait_seconds;
    DELETE d FROM analytics_dirty d JOIN cb_fold_ids i ON i.id = d.id;
    -- ---- the numbers (0032) ----
    -- The oldest dirty rows, by key (no scan of a long backlog); a number
    -- named twice is one number.
    INSERT IGNORE INTO cb_fold_numbers (digits)
      SELECT digits FROM analytics_numbers_dirty ORDER BY id
      LIMIT v_number_rows;
    SET v_numbers = (SELECT COUNT(*) FROM cb_fold_numbers);
    INSERT INTO cb_fold_number_ids (id)
      SELECT d.id FROM cb_fold_numbers n
      JOIN analytics_numbers_dirty d ON d.digits = n.digits;
    DELETE f FROM analytics_followups f
      JOIN cb_fold_numbers n ON f.client_digits_rev = n.digits;
    -- Each missed call's follow-up: one dive into ix_calls_followup
    -- (digits, result, started_at, id) for the first later answered call.
    -- "Later" is a later start to the millisecond, as in the merge.
    INSERT INTO analytics_followups (started_at, call_id, client_digits_rev,
                                     client_number, integration_id,
                                     our_number, store_id, manager_id,
                                     handled_id, handled_out,
                                     handled_manager_id, delay_seconds)
      SELECT m.started_at, m.id, m.client_digits_rev, m.client_number,
             m.integration_id, m.our_number, m.store_id, m.manager_id,
             h.id, COALESCE(h.direction = 'out', 0), h.manager_id,
             TIMESTAMPDIFF(MICROSECOND, m.started_at, h.started_at)
               DIV 1000000
      FROM (SELECT c.*, (SELECT a.id FROM calls a
                         FORCE INDEX (ix_calls_followup)
                         WHERE a.client_digits_rev = c.client_digits_rev
                           AND a.result = 'answered'
                           AND a.started_at > c.started_at
                         ORDER BY a.started_at, a.id LIMIT 1) AS next_id
            FROM cb_fold_numbers n
            JOIN calls c FORCE INDEX (ix_calls_followup)
              ON c.client_digits_rev = n.digits
             AND c.result IN ('missed', 'no_answer', 'busy')
            WHERE c.direction = 'in') m
      LEFT JOIN calls h ON h.id = m.next_id;
    DELETE f FROM analytics_first_calls f
      JOIN cb_fold_numbers n ON f.client_digits_rev = n.digits;
    INSERT INTO analytics_first_calls (client_digits_rev, first_at)
      SELECT x.digits, x.first_at
      FROM (SELECT n.digits, (SELECT a.started_at FROM calls a
                              FORCE INDEX (ix_calls_client_digits_rev)
                              WHERE a.client_digits_rev = n.digits
                              ORDER BY a.started_at LIMIT 1)
                             AS first_at
            FROM cb_fold_numbers n) x
      WHERE x.first_at IS NOT NULL;
    DELETE d FROM analytics_numbers_dirty d
      JOIN cb_fold_number_ids i ON i.id = d.id;
    COMMIT;
    DROP TEMPORARY TABLE cb_fold_hours, cb_fold_ids, cb_fold_numbers,
      cb_fold_number_ids;
    SET SESSION innodb_lock_wait_timeout = v_lock_wait;
    CALL cb_analytics_lease_give(v_token);
    SELECT v_n + v_numbers AS folded,
           EXISTS (SELECT 1 FROM analytics_dirty) OR
           EXISTS (SELECT 1 FROM analytics_numbers_dirty) AS pending;
  END IF;
END;

-- Every number that has calls is out of date until folded: the worker
-- folds them in batches after this migration (a page meanwhile reads the
-- calls for these two figures).
INSERT INTO analytics_numbers_dirty (digits)
  SELECT DISTINCT client_digits_rev FROM calls WHERE client_digits_rev <> '';
