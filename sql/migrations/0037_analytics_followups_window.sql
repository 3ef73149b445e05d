-- Issue 21 "Speed" at 1,000,000 calls: the fold of the missed-call
-- follow-ups (0032, copied into 0034) in one pass per number, and a fold
-- batch bounded by calls, so a refold of every number fits the lease.
--
-- 0032's statement found each missed call's first later answered call
-- with a dependent subquery per missed call. MariaDB took the outer call's
-- start as a filter, not as a range of ix_calls_followup, so each lookup
-- walked the number's answered calls from its first: quadratic in a
-- number's calls. A refold of every number at 1M calls (after a migration,
-- or the bench's load) took over 130 s for one batch at load 30, longer
-- than the fold lease's 120 s, so a second folder took over the same
-- numbers (no wrong figure: both recompute; but the work was done twice).
--
-- Here the number's calls are read once, newest first, in the order
-- (started_at DESC, answered last, id DESC), with a running count of the
-- answered calls read so far: a missed call's count is the number of
-- answered calls after it, and its follow-up is the answered call that
-- brought the count there (the one answered call of its count). Within
-- one millisecond the answered calls come after the missed ones, so an
-- answered call at the missed call's own millisecond is never "later" (a
-- later start to the millisecond, as before); of two answered calls in
-- one millisecond the lower id is read last, so it is the follow-up, as
-- before. Exactly the rows of 0032's statement (tests/http/
-- analytics_followups.test.js compares them with it; at 200k demo calls
-- the two gave the same 35,161 rows), so the rows already folded stay:
-- no number is marked dirty here. A running MIN of the answered starts
-- would say the same, but MariaDB recomputes a framed MIN (and a MIN over
-- the whole partition: 0034's first_at, replaced here by FIRST_VALUE)
-- row by row, quadratic again.
--
-- A batch was 20 x p_max_hours dirty-number rows however many calls
-- those numbers had (the bench passes 1000 hours: 20,000 numbers). Now
-- the numbers of one batch are also bounded by their calls (50 per hour
-- of p_max_hours: 50,000 for the bench's 1000 hours, 8,400 for the
-- worker's week of hours, 2,400 for the page's 48; a number with more is
-- a batch on its own), so one batch's work is bounded: at 200k demo calls
-- and load 16-21, a batch of 100,000 calls took 44-50 s, so one of 50,000
-- about 25 s. The lease is taken by each batch (each CALL) and given back
-- at its end, so a refold of many batches holds it batch by batch, and
-- each batch is well inside its 120 s.

-- Picks the numbers of one fold batch into the temporary table
-- cb_fold_numbers (made here; the caller drops it): the numbers of the
-- oldest 20 x p_max_hours rows of analytics_numbers_dirty (by key: no scan
-- of a long backlog; a number named twice is one number), in the order of
-- their oldest row, as long as their calls together stay within
-- 50 x p_max_hours; the first number always, however many calls it has.
CREATE OR REPLACE PROCEDURE cb_analytics_fold_pick(p_max_hours INT UNSIGNED)
BEGIN
  DECLARE v_number_rows INT UNSIGNED DEFAULT 20 * p_max_hours;
  DECLARE v_calls INT UNSIGNED DEFAULT 50 * p_max_hours;
  DROP TEMPORARY TABLE IF EXISTS cb_fold_numbers, cb_fold_pick;
  CREATE TEMPORARY TABLE cb_fold_numbers (digits VARCHAR(32) NOT NULL
    PRIMARY KEY) ENGINE=MEMORY DEFAULT CHARSET=utf8mb4
    COLLATE=utf8mb4_unicode_ci;
  CREATE TEMPORARY TABLE cb_fold_pick (digits VARCHAR(32) NOT NULL
    PRIMARY KEY, first_id BIGINT UNSIGNED NOT NULL, calls BIGINT NOT NULL)
    ENGINE=MEMORY DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
  -- A number's calls: a count over its range of ix_calls_client_digits_rev.
  INSERT INTO cb_fold_pick (digits, first_id, calls)
    SELECT d.digits, MIN(d.id),
           (SELECT COUNT(*) FROM calls c
            FORCE INDEX (ix_calls_client_digits_rev)
            WHERE c.client_digits_rev = d.digits)
    FROM (SELECT id, digits FROM analytics_numbers_dirty ORDER BY id
          LIMIT v_number_rows) d
    GROUP BY d.digits;
  -- The running total is the batch's calls up to and with the number: a
  -- prefix of the order, cut before the first number that would pass the
  -- bound (and never before the first number).
  INSERT INTO cb_fold_numbers (digits)
    SELECT p.digits
    FROM (SELECT digits, calls,
                 SUM(calls) OVER (ORDER BY first_id ROWS UNBOUNDED PRECEDING)
                   AS upto
          FROM cb_fold_pick) p
    WHERE p.upto <= v_calls OR p.upto = p.calls;
  DROP TEMPORARY TABLE cb_fold_pick;
END;

-- 0034's fold, its number batch picked by cb_analytics_fold_pick and its
-- follow-ups in one pass per number (above).
-- Folds the oldest p_max_hours dirty hours (0028's summaries) and the
-- dirty numbers cb_analytics_fold_pick picks (0032's two tables and
-- 0034's analytics_callers): recomputes their rows from the calls and
-- deletes the dirty rows it read, in one transaction; exactly once
-- however often it runs. Under the lease (waited for up to p_wait
-- seconds; the worker passes 0 and tries again later). READ COMMITTED:
-- every dirty row read was committed with its call's change, so the
-- recompute, a later statement, sees that change; the calls are read
-- without locks (the ingest never waits for a fold). A change committed
-- meanwhile leaves its own dirty row, folded next time.
-- Answers one row: hours and numbers folded (-1: the lease was taken), and
-- whether dirty rows of either kind are left.
CREATE OR REPLACE PROCEDURE cb_analytics_fold(p_max_hours INT UNSIGNED,
                                              p_wait INT)
BEGIN
  DECLARE v_n INT DEFAULT 0;
  DECLARE v_numbers INT DEFAULT 0;
  DECLARE v_got INT DEFAULT 0;
  DECLARE v_token CHAR(36) DEFAULT UUID();
  DECLARE v_hour DATETIME;
  DECLARE v_lock_wait INT DEFAULT @@SESSION.innodb_lock_wait_timeout;
  -- A fold that outlived its lease meets the next folder's row locks
  -- (deadlock, or a lock wait that runs out): the loser rolls back and
  -- answers "busy"; its dirty rows stay for the next fold.
  DECLARE EXIT HANDLER FOR 1205, 1213
  BEGIN
    ROLLBACK;
    DROP TEMPORARY TABLE IF EXISTS cb_fold_hours, cb_fold_ids,
      cb_fold_numbers, cb_fold_number_ids, cb_fold_pick;
    SET SESSION innodb_lock_wait_timeout = v_lock_wait;
    CALL cb_analytics_lease_give(v_token);
    SELECT -1 AS folded, 1 AS pending;
  END;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    DROP TEMPORARY TABLE IF EXISTS cb_fold_hours, cb_fold_ids,
      cb_fold_numbers, cb_fold_number_ids, cb_fold_pick;
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
    -- The batch: the numbers of the oldest dirty rows, bounded by calls.
    CALL cb_analytics_fold_pick(p_max_hours);
    SET v_numbers = (SELECT COUNT(*) FROM cb_fold_numbers);
    INSERT INTO cb_fold_number_ids (id)
      SELECT d.id FROM cb_fold_numbers n
      JOIN analytics_numbers_dirty d ON d.digits = n.digits;
    DELETE f FROM analytics_followups f
      JOIN cb_fold_numbers n ON f.client_digits_rev = n.digits;
    -- Each missed call's follow-up, in one pass over the number's calls
    -- newest first, answered calls last within a millisecond: answers, a
    -- running count of the answered calls read so far, is for a missed
    -- call the number of answered calls after it, so the first of them
    -- is the answered call that brought the count to that value: the one
    -- answered call of its (number, answers) group. "After" is a later
    -- start to the millisecond (an answer in the missed call's own
    -- millisecond is read after it), the lowest id first (as in the
    -- merge). COUNT, not a MIN of starts over the rows read: MariaDB
    -- recomputes a framed MIN row by row.
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
      FROM (SELECT w.*,
                   MAX(IF(w.result = 'answered', w.id, NULL))
                     OVER (PARTITION BY w.client_digits_rev, w.answers)
                     AS next_id
            FROM (SELECT c.id, c.started_at, c.direction, c.result,
                         c.client_digits_rev, c.client_number,
                         c.integration_id, c.our_number, c.store_id,
                         c.manager_id,
                         COUNT(IF(c.result = 'answered', 1, NULL))
                           OVER (PARTITION BY c.client_digits_rev
                                 ORDER BY c.started_at DESC,
                                          c.result = 'answered', c.id DESC
                                 ROWS UNBOUNDED PRECEDING) AS answers
                  FROM cb_fold_numbers n
                  JOIN calls c FORCE INDEX (ix_calls_followup)
                    ON c.client_digits_rev = n.digits
                   AND c.result IN ('answered', 'missed', 'no_answer',
                                    'busy')) w) m
      LEFT JOIN calls h ON h.id = m.next_id
      WHERE m.direction = 'in' AND m.result <> 'answered';
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
    -- Each incoming call's previous incoming call of the number, overall
    -- and per filter value (LAG over (started_at, id): one order, so ties
    -- at the same millisecond still have exactly one first), and the
    -- number's first call of any direction (the inner FIRST_VALUE, before
    -- the outer WHERE keeps the incoming calls; 0034's MIN over the
    -- partition was recomputed row by row: 8.6 s of a 100,000-call batch
    -- at 200k calls, quadratic in a number's calls).
    DELETE c FROM analytics_callers c
      JOIN cb_fold_numbers n ON c.client_digits_rev = n.digits;
    INSERT INTO analytics_callers (started_at, call_id, client_digits_rev,
                                   integration_id, our_number, store_id,
                                   manager_id, first_at, prev_at,
                                   prev_manager_at, prev_line_at,
                                   prev_integration_at, prev_store_at)
      SELECT x.started_at, x.id, x.client_digits_rev, x.integration_id,
             x.our_number, x.store_id, x.manager_id, x.first_at,
             LAG(x.started_at) OVER (PARTITION BY x.client_digits_rev
                                     ORDER BY x.started_at, x.id),
             LAG(x.started_at) OVER (PARTITION BY x.client_digits_rev,
                                     x.manager_id ORDER BY x.started_at, x.id),
             LAG(x.started_at) OVER (PARTITION BY x.client_digits_rev,
                                     x.our_number ORDER BY x.started_at, x.id),
             LAG(x.started_at) OVER (PARTITION BY x.client_digits_rev,
                                     x.integration_id
                                     ORDER BY x.started_at, x.id),
             LAG(x.started_at) OVER (PARTITION BY x.client_digits_rev,
                                     x.store_id ORDER BY x.started_at, x.id)
      FROM (SELECT c.id, c.started_at, c.direction, c.client_digits_rev,
                   c.integration_id, c.our_number, c.store_id, c.manager_id,
                   FIRST_VALUE(c.started_at)
                     OVER (PARTITION BY c.client_digits_rev
                           ORDER BY c.started_at, c.id) AS first_at
            FROM cb_fold_numbers n
            JOIN calls c FORCE INDEX (ix_calls_client_digits_rev)
              ON c.client_digits_rev = n.digits) x
      WHERE x.direction = 'in';
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
