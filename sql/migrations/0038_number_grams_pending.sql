-- The grams of a new call are written after its commit, in sorted batches
-- (issue 20: ingest may lose at most 10 % of its rate to the index).
--
-- Measured before (docs/performance.md "Number contains", session 12):
-- bench/webhook.sh lost about 30 % of its rate to 0035's insert trigger,
-- whose nine-odd InnoDB row inserts per new call land on nine different
-- pages of call_number_grams (one per gram, at the end of its range) inside
-- every ingest transaction. Here the ingest writes one row per new call
-- instead, to call_grams_pending (at the end of its primary key: the call
-- ids grow), and the worker drains that table about every second
-- (cb_call_grams_drain, lib/db/call.c db_call_grams_drain): one
-- INSERT ... SELECT of a batch's grams sorted by the key, its pending rows
-- deleted, in one transaction.
--
-- Exactly once: a call with a number of 4 digits or more is either pending
-- or has its grams, never both and never neither, in every committed state:
--   * the insert trigger queues the call in the call's own transaction, so
--     no commit order can lose it;
--   * the drain takes shared locks on its batch's calls before it reads
--     them, so a change of a call's number or start either committed before
--     (the drain computes the new grams) or waits for the drain's commit
--     (then the update trigger deletes the grams the drain wrote and queues
--     the call again);
--   * the search ("contains", lib/db/call.c db_call_contains_from) reads the
--     grams' range plus a LIKE over the pending calls, so a call is found
--     the moment it is committed, and once.
-- tests/http/calls_grams_pending.test.js holds a call pending while it
-- searches; calls_grams_shapes and calls_grams_bulk compare the drained
-- rows with a recomputation and with cb_call_grams_fill.
CREATE TABLE call_grams_pending (
  call_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (call_id)
) ENGINE=InnoDB;

DROP TRIGGER tr_calls_grams_ins;
DROP TRIGGER tr_calls_grams_upd;
DROP TRIGGER tr_calls_grams_del;

-- Not INSERT IGNORE anywhere here: its warning 1062 would reach
-- cb_ingest_call's duplicate handler.
CREATE TRIGGER tr_calls_grams_ins AFTER INSERT ON calls FOR EACH ROW
BEGIN
  IF @cb_grams_bulk IS NULL AND CHAR_LENGTH(NEW.client_digits_rev) >= 4 THEN
    INSERT INTO call_grams_pending (call_id) VALUES (NEW.id);
  END IF;
END;

-- The number or the start changed (rare: a number learnt on a later event,
-- an earlier start): the old rows go by their primary key (none when the
-- call is still pending) and the call is queued again.
CREATE TRIGGER tr_calls_grams_upd AFTER UPDATE ON calls FOR EACH ROW
BEGIN
  DECLARE i INT DEFAULT 1;
  IF @cb_grams_bulk IS NULL AND NOT (OLD.client_digits_rev <=> NEW.client_digits_rev
          AND OLD.started_at <=> NEW.started_at AND OLD.id <=> NEW.id) THEN
    WHILE i <= CHAR_LENGTH(OLD.client_digits_rev) - 3 DO
      IF SUBSTRING(OLD.client_digits_rev, i, 4) REGEXP '^[0-9]{4}$' THEN
        DELETE FROM call_number_grams
        WHERE gram = CAST(SUBSTRING(OLD.client_digits_rev, i, 4) AS UNSIGNED)
          AND started_at = OLD.started_at AND call_id = OLD.id;
      END IF;
      SET i = i + 1;
    END WHILE;
    IF OLD.id <> NEW.id THEN
      DELETE FROM call_grams_pending WHERE call_id = OLD.id;
    END IF;
    IF CHAR_LENGTH(NEW.client_digits_rev) >= 4 THEN
      INSERT INTO call_grams_pending (call_id) VALUES (NEW.id)
        ON DUPLICATE KEY UPDATE call_id = call_id;
    END IF;
  END IF;
END;

CREATE TRIGGER tr_calls_grams_del AFTER DELETE ON calls FOR EACH ROW
BEGIN
  DECLARE i INT DEFAULT 1;
  IF @cb_grams_bulk IS NULL THEN
    DELETE FROM call_grams_pending WHERE call_id = OLD.id;
  END IF;
  WHILE @cb_grams_bulk IS NULL AND i <= CHAR_LENGTH(OLD.client_digits_rev) - 3 DO
    IF SUBSTRING(OLD.client_digits_rev, i, 4) REGEXP '^[0-9]{4}$' THEN
      DELETE FROM call_number_grams
      WHERE gram = CAST(SUBSTRING(OLD.client_digits_rev, i, 4) AS UNSIGNED)
        AND started_at = OLD.started_at AND call_id = OLD.id;
    END IF;
    SET i = i + 1;
  END WHILE;
END;

-- One batch: the oldest p_max pending calls (a consistent read: committed
-- rows only, no lock that an ingest would wait for), then shared locks on
-- those calls (a change in flight is waited for; one that comes later waits
-- for this transaction), their grams in the key's order, and their pending
-- rows deleted. p_n: calls taken. Runs in the caller's transaction
-- (cb_call_grams_drain's, or a test's). The grams' expressions are
-- cb_call_grams_fill's (0033): calls_grams_bulk.test.js holds the two
-- equal.
CREATE PROCEDURE cb_call_grams_drain_batch(IN p_max INT UNSIGNED,
                                           OUT p_n INT UNSIGNED)
  MODIFIES SQL DATA
BEGIN
  DECLARE v_locked INT UNSIGNED DEFAULT 0;
  DROP TEMPORARY TABLE IF EXISTS cb_drain_ids;
  CREATE TEMPORARY TABLE cb_drain_ids (id BIGINT UNSIGNED NOT NULL
    PRIMARY KEY) ENGINE=MEMORY;
  INSERT INTO cb_drain_ids (id)
    SELECT call_id FROM call_grams_pending ORDER BY call_id LIMIT p_max;
  SET p_n = ROW_COUNT();
  IF p_n > 0 THEN
    SELECT COUNT(*) INTO v_locked FROM cb_drain_ids d
      STRAIGHT_JOIN calls c ON c.id = d.id LOCK IN SHARE MODE;
    INSERT IGNORE INTO call_number_grams (gram, started_at, call_id)
    SELECT CAST(SUBSTRING(c.client_digits_rev, s.seq, 4) AS UNSIGNED) AS gram,
           c.started_at, c.id
    FROM cb_drain_ids d STRAIGHT_JOIN calls c ON c.id = d.id
    JOIN seq_1_to_29 s ON s.seq <= CHAR_LENGTH(c.client_digits_rev) - 3
    WHERE SUBSTRING(c.client_digits_rev, s.seq, 4) REGEXP '^[0-9]{4}$'
      AND LOCATE(SUBSTRING(c.client_digits_rev, s.seq, 4), c.client_digits_rev) = s.seq
    ORDER BY 1, 2, 3;
    DELETE p FROM call_grams_pending p JOIN cb_drain_ids d ON p.call_id = d.id;
  END IF;
  DROP TEMPORARY TABLE cb_drain_ids;
END;

-- One batch in a READ COMMITTED transaction of its own (the worker, about
-- every second; lib/db/call.c db_call_grams_drain). Answers one row: calls
-- drained. Two drains at once are safe (the second waits for the first's
-- rows, then finds them gone) and never wait long: a lock held past 5 s
-- (a deadlock, a long transaction on a pending call) rolls this batch back
-- and the error goes to the caller, which tries again later.
CREATE PROCEDURE cb_call_grams_drain(IN p_max INT UNSIGNED)
  MODIFIES SQL DATA
BEGIN
  DECLARE v_n INT UNSIGNED DEFAULT 0;
  DECLARE v_lock_wait INT DEFAULT @@SESSION.innodb_lock_wait_timeout;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    DROP TEMPORARY TABLE IF EXISTS cb_drain_ids;
    SET SESSION innodb_lock_wait_timeout = v_lock_wait;
    RESIGNAL;
  END;
  SET SESSION innodb_lock_wait_timeout = LEAST(v_lock_wait, 5);
  SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
  START TRANSACTION;
  CALL cb_call_grams_drain_batch(p_max, v_n);
  COMMIT;
  SET SESSION innodb_lock_wait_timeout = v_lock_wait;
  SELECT v_n AS drained;
END;

-- The calls stored before this migration have their grams (0021-0035).
