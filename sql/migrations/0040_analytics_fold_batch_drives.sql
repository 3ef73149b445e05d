-- The fold's deletes read the batch's rows, not the tables they delete
-- from (issue 20's 5,000,000-call bench found it; 0037's procedure, each
-- DELETE now driven by its batch table with STRAIGHT_JOIN, nothing else
-- changed).
--
-- Each DELETE joined a summary table to the batch (cb_fold_hours,
-- cb_fold_numbers, ...) and let the optimizer pick the order. With the
-- statistics InnoDB had after the bench's bulk load (analytics_followups:
-- 640 distinct numbers, about 1,000 rows a number), a batch of 1,680
-- numbers looked dearer by the index than a scan, so every batch scanned
-- analytics_callers and analytics_followups whole: 2.7M and 0.75M
-- rows, 11-18 s a batch of 4,200 calls at 5M calls, more than an hour for
-- the numbers of one bulk load. A batch table is small and its rows are
-- what is deleted, so it drives: one index range per hour or number,
-- whatever the statistics say. The same batch: 0.31-0.34 s.
-- tests/http/analytics_fold_deletes.test.js EXPLAINs every DELETE of the
-- installed procedure with statistics that favour the scan.

-- 0037's fold (its number batch picked by cb_analytics_fold_pick, its
-- follow-ups in one pass per number), each DELETE driven by its batch.
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
    DELETE a FROM cb_fold_hours h STRAIGHT_JOIN analytics_hours a
      ON a.hour = h.hour;
    DELETE w FROM cb_fold_hours h STRAIGHT_JOIN analytics_waits w
      ON w.hour = h.hour;
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
    DELETE t FROM cb_fold_hours h STRAIGHT_JOIN analytics_hour_totals t
      ON t.hour = h.hour;
    DELETE t FROM cb_fold_hours h STRAIGHT_JOIN analytics_hour_managers t
      ON t.hour = h.hour;
    DELETE t FROM cb_fold_hours h STRAIGHT_JOIN analytics_hour_lines t
      ON t.hour = h.hour;
    DELETE t FROM cb_fold_hours h STRAIGHT_JOIN analytics_hour_waits t
      ON t.hour = h.hour;
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
    DELETE d FROM cb_fold_ids i STRAIGHT_JOIN analytics_dirty d
      ON i.id = d.id;
    -- ---- the numbers (0032) ----
    -- The batch: the numbers of the oldest dirty rows, bounded by calls.
    CALL cb_analytics_fold_pick(p_max_hours);
    SET v_numbers = (SELECT COUNT(*) FROM cb_fold_numbers);
    INSERT INTO cb_fold_number_ids (id)
      SELECT d.id FROM cb_fold_numbers n
      JOIN analytics_numbers_dirty d ON d.digits = n.digits;
    DELETE f FROM cb_fold_numbers n STRAIGHT_JOIN analytics_followups f
      ON f.client_digits_rev = n.digits;
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
    DELETE f FROM cb_fold_numbers n STRAIGHT_JOIN analytics_first_calls f
      ON f.client_digits_rev = n.digits;
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
    DELETE c FROM cb_fold_numbers n STRAIGHT_JOIN analytics_callers c
      ON c.client_digits_rev = n.digits;
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
    DELETE d FROM cb_fold_number_ids i STRAIGHT_JOIN analytics_numbers_dirty d
      ON i.id = d.id;
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
