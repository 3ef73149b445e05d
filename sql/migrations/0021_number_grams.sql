-- "Number contains" at index speed (issue 20): every 4-digit run of a
-- call's client number, as a row of call_number_grams, so that a fragment of
-- 4 or more digits is a range of this table's primary key, newest first, and
-- not a scan of calls with LIKE '%...%'.
--
-- Shape (measured at 1,000,000 calls, docs/schema.md "contains"):
--   gram        the 4 digits as a number, read in client_digits_rev's order
--               (reversed digits): "...2646..." is gram 6462. 4 and not 3:
--               10,000 grams instead of 1,000 make a 4-digit fragment an
--               exact range (no post-filter) and a longer one ten times
--               fewer candidates; 5 would make the common 4-digit search a
--               fallback. Shorter fragments: lib/db/call.h CALL_GRAM_LEN.
--   started_at  copied from the call, so that the range is already in the
--               history's order (started_at DESC, id DESC) and a page stops
--               after LIMIT rows, keyset cursor included.
--   call_id     calls.id.
-- No secondary index and no foreign key (either would be one more B-tree
-- write per gram on the ingest path): rows are found and removed by their
-- whole primary key, which the triggers below recompute from OLD.
--
-- Exactly once: the rows of a call are a function of (client_digits_rev,
-- started_at, id), kept by triggers in the transaction that writes the call
-- (cb_ingest_call's upsert, relinks, the demo's bulk insert, anything else):
-- no C path can forget them. A number repeating a run ("0000000") stores it
-- once (DISTINCT). tests/http/calls_contains.test.js compares the table with
-- a recomputation after a mixed ingest (duplicates, reorders, relinks).
-- Only client numbers: our line numbers are few and are found through
-- ix_calls_our_number_started (lib/db/call.c), external ids are not digits.
CREATE TABLE call_number_grams (
  gram       SMALLINT UNSIGNED NOT NULL,
  started_at DATETIME(3) NOT NULL,
  call_id    BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (gram, started_at, call_id)
) ENGINE=InnoDB;

-- The grams of one number, as a derived table over the SEQUENCE engine
-- (built into MariaDB): one INSERT ... SELECT per call, not a loop.
CREATE TRIGGER tr_calls_grams_ins AFTER INSERT ON calls FOR EACH ROW
  INSERT INTO call_number_grams (gram, started_at, call_id)
  SELECT DISTINCT CAST(SUBSTRING(NEW.client_digits_rev, s.seq, 4) AS UNSIGNED),
         NEW.started_at, NEW.id
  FROM seq_1_to_29 s
  WHERE s.seq <= CHAR_LENGTH(NEW.client_digits_rev) - 3
    AND SUBSTRING(NEW.client_digits_rev, s.seq, 4) REGEXP '^[0-9]{4}$';

-- Most updates (state, result, times of an ongoing call) touch neither the
-- number nor the start: one comparison. Otherwise the old rows go by their
-- primary key (a loop of point deletes: a DELETE ... IN (subquery) would
-- scan) and the new ones come as on insert.
CREATE TRIGGER tr_calls_grams_upd AFTER UPDATE ON calls FOR EACH ROW
BEGIN
  DECLARE i INT DEFAULT 1;
  IF NOT (OLD.client_digits_rev <=> NEW.client_digits_rev
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
    SELECT DISTINCT CAST(SUBSTRING(NEW.client_digits_rev, s.seq, 4) AS UNSIGNED),
           NEW.started_at, NEW.id
    FROM seq_1_to_29 s
    WHERE s.seq <= CHAR_LENGTH(NEW.client_digits_rev) - 3
      AND SUBSTRING(NEW.client_digits_rev, s.seq, 4) REGEXP '^[0-9]{4}$';
  END IF;
END;

CREATE TRIGGER tr_calls_grams_del AFTER DELETE ON calls FOR EACH ROW
BEGIN
  DECLARE i INT DEFAULT 1;
  WHILE i <= CHAR_LENGTH(OLD.client_digits_rev) - 3 DO
    IF SUBSTRING(OLD.client_digits_rev, i, 4) REGEXP '^[0-9]{4}$' THEN
      DELETE FROM call_number_grams
      WHERE gram = CAST(SUBSTRING(OLD.client_digits_rev, i, 4) AS UNSIGNED)
        AND started_at = OLD.started_at AND call_id = OLD.id;
    END IF;
    SET i = i + 1;
  END WHILE;
END;

-- The calls stored before this migration.
INSERT INTO call_number_grams (gram, started_at, call_id)
SELECT DISTINCT CAST(SUBSTRING(c.client_digits_rev, s.seq, 4) AS UNSIGNED),
       c.started_at, c.id
FROM calls c JOIN seq_1_to_29 s
  ON s.seq <= CHAR_LENGTH(c.client_digits_rev) - 3
WHERE SUBSTRING(c.client_digits_rev, s.seq, 4) REGEXP '^[0-9]{4}$';
