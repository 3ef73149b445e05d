-- Issue 21 "Speed": the analytics page's counting figures read hourly
-- summaries instead of every call of the range (a year is a million calls;
-- its report took over 15 s). lib/analytics/fold.h says how they are kept.
--
-- analytics_hours: per UTC hour and (direction, integration, line, store,
-- manager), the calls answered / missed / other and the answered calls'
-- talk time (sum, longest). 0 stands for "no store" / "no manager" (a key
-- column cannot be NULL). An hour in UTC is an hour of every zone whose
-- offset is whole hours, so any such viewer's local days and hours are
-- sums of whole rows; zones with 30/45-minute offsets read the calls
-- (lib/analytics/query.c decides).
-- "missed" is lib/db/call.h's CALL_RESULTS_MISSED ('missed', 'no_answer',
-- 'busy'): keep the two in step.
CREATE TABLE analytics_hours (
  hour           DATETIME NOT NULL,
  direction      ENUM('in','out','internal') NOT NULL,
  integration_id BIGINT UNSIGNED NOT NULL,
  our_number     VARCHAR(32) NOT NULL,
  store_id       BIGINT UNSIGNED NOT NULL,
  manager_id     BIGINT UNSIGNED NOT NULL,
  answered       INT UNSIGNED NOT NULL,
  missed         INT UNSIGNED NOT NULL,
  other          INT UNSIGNED NOT NULL,
  talk_sum       BIGINT UNSIGNED NOT NULL,
  talk_max       INT UNSIGNED NOT NULL,
  PRIMARY KEY (hour, direction, integration_id, our_number, store_id,
               manager_id),
  KEY ix_analytics_hours_manager (manager_id, hour)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Waiting before answer, per second (capped at 3600, AN_WAIT_CAP), of the
-- answered incoming calls: the median and 90th percentile stay exact.
CREATE TABLE analytics_waits (
  hour           DATETIME NOT NULL,
  integration_id BIGINT UNSIGNED NOT NULL,
  our_number     VARCHAR(32) NOT NULL,
  store_id       BIGINT UNSIGNED NOT NULL,
  manager_id     BIGINT UNSIGNED NOT NULL,
  wait_seconds   SMALLINT UNSIGNED NOT NULL,
  calls          INT UNSIGNED NOT NULL,
  PRIMARY KEY (hour, integration_id, our_number, store_id, manager_id,
               wait_seconds),
  KEY ix_analytics_waits_manager (manager_id, hour)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The same hours without the filters' columns, one table per figure: the
-- report without filters (the common one, and a year of it) reads a few
-- rows per hour instead of one per combination of line, manager and
-- direction. Folded from the two tables above, in the same transaction.
CREATE TABLE analytics_hour_totals (
  hour      DATETIME NOT NULL,
  direction ENUM('in','out','internal') NOT NULL,
  answered  INT UNSIGNED NOT NULL,
  missed    INT UNSIGNED NOT NULL,
  other     INT UNSIGNED NOT NULL,
  PRIMARY KEY (hour, direction)
) ENGINE=InnoDB;
-- Incoming calls only (the managers' table counts those).
CREATE TABLE analytics_hour_managers (
  hour       DATETIME NOT NULL,
  manager_id BIGINT UNSIGNED NOT NULL,
  answered   INT UNSIGNED NOT NULL,
  talk_sum   BIGINT UNSIGNED NOT NULL,
  talk_max   INT UNSIGNED NOT NULL,
  missed     INT UNSIGNED NOT NULL,
  PRIMARY KEY (hour, manager_id)
) ENGINE=InnoDB;
CREATE TABLE analytics_hour_lines (
  hour       DATETIME NOT NULL,
  our_number VARCHAR(32) NOT NULL,
  store_id   BIGINT UNSIGNED NOT NULL,
  calls      INT UNSIGNED NOT NULL,
  answered   INT UNSIGNED NOT NULL,
  missed     INT UNSIGNED NOT NULL,
  PRIMARY KEY (hour, our_number, store_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE analytics_hour_waits (
  hour         DATETIME NOT NULL,
  wait_seconds SMALLINT UNSIGNED NOT NULL,
  calls        INT UNSIGNED NOT NULL,
  PRIMARY KEY (hour, wait_seconds)
) ENGINE=InnoDB;

-- The hours whose summaries are out of date: a row per change of a call
-- that a figure reads, written by the triggers below in the writer's own
-- transaction, so no change is missed whoever makes it (the ingest
-- procedure, reconciliation, a relink, the demo, a hand-made UPDATE).
-- cb_analytics_fold() recomputes those hours from the calls and deletes
-- exactly the rows it saw: exactly once, however often it runs.
CREATE TABLE analytics_dirty (
  id   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  hour DATETIME NOT NULL,
  PRIMARY KEY (id),
  KEY ix_analytics_dirty_hour (hour)
) ENGINE=InnoDB;

-- The hour of a time: plain DATETIME arithmetic, the same in every
-- session time zone (UNIX_TIMESTAMP would not be).
CREATE TRIGGER tr_calls_analytics_ins AFTER INSERT ON calls FOR EACH ROW
  INSERT INTO analytics_dirty (hour)
  VALUES (DATE_FORMAT(NEW.started_at, '%Y-%m-%d %H:00:00'));

-- Only changes of what the summaries count (most updates are live state,
-- links, recordings, notes): one comparison otherwise.
CREATE TRIGGER tr_calls_analytics_upd AFTER UPDATE ON calls FOR EACH ROW
BEGIN
  IF NOT (OLD.started_at <=> NEW.started_at
          AND OLD.direction <=> NEW.direction
          AND OLD.result <=> NEW.result
          AND OLD.integration_id <=> NEW.integration_id
          AND OLD.our_number <=> NEW.our_number
          AND OLD.store_id <=> NEW.store_id
          AND OLD.manager_id <=> NEW.manager_id
          AND OLD.talk_seconds <=> NEW.talk_seconds
          AND OLD.wait_seconds <=> NEW.wait_seconds) THEN
    INSERT INTO analytics_dirty (hour)
    VALUES (DATE_FORMAT(NEW.started_at, '%Y-%m-%d %H:00:00'));
    IF DATE_FORMAT(OLD.started_at, '%Y-%m-%d %H') <>
       DATE_FORMAT(NEW.started_at, '%Y-%m-%d %H') THEN
      INSERT INTO analytics_dirty (hour)
      VALUES (DATE_FORMAT(OLD.started_at, '%Y-%m-%d %H:00:00'));
    END IF;
  END IF;
END;

CREATE TRIGGER tr_calls_analytics_del AFTER DELETE ON calls FOR EACH ROW
  INSERT INTO analytics_dirty (hour)
  VALUES (DATE_FORMAT(OLD.started_at, '%Y-%m-%d %H:00:00'));

-- Folds the oldest p_max_hours dirty hours: recomputes their summary rows
-- from the calls and deletes the dirty rows it read, in one transaction.
-- One folder at a time (a named lock, waited for up to p_wait seconds; the
-- worker passes 0 and tries again later). READ COMMITTED: every dirty row
-- read was committed with its call's change, so the recompute, a later
-- statement, sees that change; the calls are read without locks (the
-- ingest never waits for a fold). A change committed meanwhile leaves its
-- own dirty row, folded next time. Answers one row: hours folded (-1: the
-- lock was busy), and whether dirty rows are left.
CREATE OR REPLACE PROCEDURE cb_analytics_fold(p_max_hours INT UNSIGNED,
                                              p_wait INT)
BEGIN
  DECLARE v_n INT DEFAULT 0;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    DROP TEMPORARY TABLE IF EXISTS cb_fold_hours, cb_fold_ids;
    DO RELEASE_LOCK('callboard.analytics_fold');
    RESIGNAL;
  END;
  IF COALESCE(GET_LOCK('callboard.analytics_fold', p_wait), 0) = 0 THEN
    SELECT -1 AS folded, 1 AS pending;
  ELSE
    DROP TEMPORARY TABLE IF EXISTS cb_fold_hours, cb_fold_ids;
    CREATE TEMPORARY TABLE cb_fold_hours (hour DATETIME NOT NULL PRIMARY KEY)
      ENGINE=MEMORY;
    CREATE TEMPORARY TABLE cb_fold_ids (id BIGINT UNSIGNED NOT NULL
      PRIMARY KEY) ENGINE=MEMORY;
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    START TRANSACTION;
    INSERT INTO cb_fold_hours (hour)
      SELECT DISTINCT hour FROM analytics_dirty ORDER BY hour
      LIMIT p_max_hours;
    SET v_n = ROW_COUNT();
    INSERT INTO cb_fold_ids (id)
      SELECT d.id FROM cb_fold_hours h
      JOIN analytics_dirty d ON d.hour = h.hour;
    DELETE a FROM analytics_hours a JOIN cb_fold_hours h ON a.hour = h.hour;
    DELETE w FROM analytics_waits w JOIN cb_fold_hours h ON w.hour = h.hour;
    INSERT INTO analytics_hours (hour, direction, integration_id, our_number,
                                 store_id, manager_id, answered, missed,
                                 other, talk_sum, talk_max)
      SELECT h.hour, c.direction, c.integration_id, c.our_number,
             COALESCE(c.store_id, 0), COALESCE(c.manager_id, 0),
             SUM(c.result = 'answered'),
             SUM(c.result IN ('missed', 'no_answer', 'busy')),
             SUM(c.result NOT IN ('answered', 'missed', 'no_answer', 'busy')),
             SUM(IF(c.result = 'answered', c.talk_seconds, 0)),
             MAX(IF(c.result = 'answered', c.talk_seconds, 0))
      FROM cb_fold_hours h
      JOIN calls c FORCE INDEX (ix_calls_analytics)
        ON c.started_at >= h.hour AND c.started_at < h.hour + INTERVAL 1 HOUR
      GROUP BY h.hour, c.direction, c.integration_id, c.our_number,
               COALESCE(c.store_id, 0), COALESCE(c.manager_id, 0);
    INSERT INTO analytics_waits (hour, integration_id, our_number, store_id,
                                 manager_id, wait_seconds, calls)
      SELECT h.hour, c.integration_id, c.our_number, COALESCE(c.store_id, 0),
             COALESCE(c.manager_id, 0), LEAST(c.wait_seconds, 3600), COUNT(*)
      FROM cb_fold_hours h
      JOIN calls c FORCE INDEX (ix_calls_analytics)
        ON c.started_at >= h.hour AND c.started_at < h.hour + INTERVAL 1 HOUR
      WHERE c.direction = 'in' AND c.result = 'answered'
      GROUP BY h.hour, c.integration_id, c.our_number, COALESCE(c.store_id, 0),
               COALESCE(c.manager_id, 0), LEAST(c.wait_seconds, 3600);
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
    COMMIT;
    DROP TEMPORARY TABLE cb_fold_hours, cb_fold_ids;
    DO RELEASE_LOCK('callboard.analytics_fold');
    SELECT v_n AS folded,
           EXISTS (SELECT 1 FROM analytics_dirty) AS pending;
  END IF;
END;

-- Every hour that has calls is out of date until folded: the worker folds
-- them in batches after this migration (a page meanwhile reads the calls
-- for a range that still has dirty hours).
INSERT INTO analytics_dirty (hour)
  SELECT DISTINCT DATE_FORMAT(started_at, '%Y-%m-%d %H:00:00') FROM calls;
