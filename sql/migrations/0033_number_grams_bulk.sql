-- Bulk loads of calls fill call_number_grams in one step (issue 20 item 1).
--
-- 0021's triggers write a call's grams row by row, in the call's own
-- transaction: right for ingest, but a demo of 1,000,000 calls (sql/demo.sql,
-- bench/history.sh) then does ~9,000,000 random inserts into the grams'
-- primary key, one trigger call per row. Here a session that sets
-- @cb_grams_bulk = 1 skips the triggers, and calls cb_call_grams_fill
-- afterwards, which computes the same rows in one INSERT ... SELECT sorted by
-- the primary key (appends instead of random page splits).
--
-- Only a session that says so skips them: the programs never set user
-- variables (prepared statements only), so ingest, relinks and edits keep
-- the triggers. tests/http/calls_contains.test.js "bulk fill" checks that
-- the bulk rows of the demo's calls equal what the triggers write for the
-- same calls inserted one by one.
--
-- The grams of a number are written twice on purpose (one row in the
-- triggers, a range of calls in the procedure: the trigger cannot afford a
-- join), with the same expressions; the test above holds them equal.
-- 0021's DISTINCT (a number repeating a run stores it once) is "the run's
-- first position" (LOCATE) in both: a DISTINCT is a temporary table, one
-- per new call in the ingest transaction, and an on-disk one over the
-- millions of rows of a bulk fill.

DROP TRIGGER tr_calls_grams_ins;
DROP TRIGGER tr_calls_grams_upd;
DROP TRIGGER tr_calls_grams_del;

CREATE TRIGGER tr_calls_grams_ins AFTER INSERT ON calls FOR EACH ROW
  INSERT INTO call_number_grams (gram, started_at, call_id)
  SELECT CAST(SUBSTRING(NEW.client_digits_rev, s.seq, 4) AS UNSIGNED),
         NEW.started_at, NEW.id
  FROM seq_1_to_29 s
  WHERE @cb_grams_bulk IS NULL
    AND s.seq <= CHAR_LENGTH(NEW.client_digits_rev) - 3
    AND SUBSTRING(NEW.client_digits_rev, s.seq, 4) REGEXP '^[0-9]{4}$'
    AND LOCATE(SUBSTRING(NEW.client_digits_rev, s.seq, 4), NEW.client_digits_rev) = s.seq;

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
    INSERT INTO call_number_grams (gram, started_at, call_id)
    SELECT CAST(SUBSTRING(NEW.client_digits_rev, s.seq, 4) AS UNSIGNED),
           NEW.started_at, NEW.id
    FROM seq_1_to_29 s
    WHERE s.seq <= CHAR_LENGTH(NEW.client_digits_rev) - 3
      AND SUBSTRING(NEW.client_digits_rev, s.seq, 4) REGEXP '^[0-9]{4}$'
      AND LOCATE(SUBSTRING(NEW.client_digits_rev, s.seq, 4), NEW.client_digits_rev) = s.seq;
  END IF;
END;

CREATE TRIGGER tr_calls_grams_del AFTER DELETE ON calls FOR EACH ROW
BEGIN
  DECLARE i INT DEFAULT 1;
  WHILE @cb_grams_bulk IS NULL AND i <= CHAR_LENGTH(OLD.client_digits_rev) - 3 DO
    IF SUBSTRING(OLD.client_digits_rev, i, 4) REGEXP '^[0-9]{4}$' THEN
      DELETE FROM call_number_grams
      WHERE gram = CAST(SUBSTRING(OLD.client_digits_rev, i, 4) AS UNSIGNED)
        AND started_at = OLD.started_at AND call_id = OLD.id;
    END IF;
    SET i = i + 1;
  END WHILE;
END;

-- The grams of calls p_first..p_last (ids), which must have none yet (a
-- bulk load that skipped the triggers), in chunks of 50,000 calls: each one
-- statement sorted in the primary key's order (appends, not page splits;
-- a chunk's rows go at the end of each gram's range, calls being loaded in
-- time order). The sort of a join needs a temporary table: 450,000 rows
-- stay in memory with 64 MB (the session's own limits, put back after); the
-- whole million would go to an on-disk table in tmpdir, the shared /tmp.
CREATE PROCEDURE cb_call_grams_fill(IN p_first BIGINT UNSIGNED,
                                    IN p_last BIGINT UNSIGNED)
BEGIN
  DECLARE v_from BIGINT UNSIGNED DEFAULT p_first;
  DECLARE v_heap BIGINT UNSIGNED DEFAULT @@SESSION.max_heap_table_size;
  DECLARE v_tmp BIGINT UNSIGNED DEFAULT @@SESSION.tmp_table_size;
  SET SESSION max_heap_table_size = 67108864, tmp_table_size = 67108864;
  WHILE v_from <= p_last DO
    INSERT INTO call_number_grams (gram, started_at, call_id)
    SELECT CAST(SUBSTRING(c.client_digits_rev, s.seq, 4) AS UNSIGNED) AS gram,
           c.started_at, c.id
    FROM calls c JOIN seq_1_to_29 s
      ON s.seq <= CHAR_LENGTH(c.client_digits_rev) - 3
    WHERE c.id BETWEEN v_from AND LEAST(p_last, v_from + 49999)
      AND SUBSTRING(c.client_digits_rev, s.seq, 4) REGEXP '^[0-9]{4}$'
      AND LOCATE(SUBSTRING(c.client_digits_rev, s.seq, 4), c.client_digits_rev) = s.seq
    ORDER BY 1, 2, 3;
    SET v_from = v_from + 50000;
  END WHILE;
  SET SESSION max_heap_table_size = v_heap, tmp_table_size = v_tmp;
END;
