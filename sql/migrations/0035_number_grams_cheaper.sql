-- Cheaper grams on ingest (issue 20 item 1): the insert trigger of
-- call_number_grams without a SEQUENCE scan and a REGEXP per position.
--
-- Measured (mariadbd CPU per call, a loop of ingest-shaped statements: one
-- INSERT and two upserts per call, A B A B; docs/performance.md "grams"):
-- the trigger's invocation and its SQL cost little (a trigger that only
-- sets a variable: no measurable cost); the grams' cost is their InnoDB
-- row inserts (nine rows cost as much as 0033's whole trigger). So the
-- rows stay (one per distinct 4-digit run of the number, as 0021 defines
-- them) and what is around them goes: 0033's INSERT ... SELECT read 29
-- rows of seq_1_to_29 and ran a REGEXP and a LOCATE on each, per call.
--
-- Here a number of 4 to 19 digits (every E.164 number, with its trunk or
-- international prefix) is checked once (digits only) and its grams are
-- one INSERT IGNORE of 16 rows: position k is min(k, length - 3), so the
-- positions past the number's last gram repeat that gram, and a number
-- repeating a run ("0000000") repeats a row, both skipped by IGNORE as
-- duplicates of the primary key (the same set as 0021's DISTINCT). Other
-- numbers (letters, longer) keep 0033's statement. The update and delete
-- triggers stay 0033's: they measured at no cost (the number and the start
-- rarely change after the first event).
--
-- tests/http/calls_contains.test.js "exactly once" compares the table with
-- a recomputation, calls_grams_bulk.test.js the triggers' rows with
-- cb_call_grams_fill's (unchanged: the same rows).

DROP TRIGGER tr_calls_grams_ins;

CREATE TRIGGER tr_calls_grams_ins AFTER INSERT ON calls FOR EACH ROW
BEGIN
  IF @cb_grams_bulk IS NOT NULL OR CHAR_LENGTH(NEW.client_digits_rev) < 4 THEN
    BEGIN END;
  ELSEIF CHAR_LENGTH(NEW.client_digits_rev) <= 19 AND NEW.client_digits_rev NOT REGEXP '[^0-9]' THEN
    INSERT IGNORE INTO call_number_grams (gram, started_at, call_id) VALUES
      (CAST(SUBSTRING(NEW.client_digits_rev, 1, 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(2, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(3, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(4, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(5, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(6, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(7, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(8, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(9, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(10, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(11, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(12, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(13, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(14, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(15, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id),
      (CAST(SUBSTRING(NEW.client_digits_rev, LEAST(16, CHAR_LENGTH(NEW.client_digits_rev) - 3), 4) AS UNSIGNED), NEW.started_at, NEW.id);
  ELSE
    INSERT INTO call_number_grams (gram, started_at, call_id)
    SELECT CAST(SUBSTRING(NEW.client_digits_rev, s.seq, 4) AS UNSIGNED),
           NEW.started_at, NEW.id
    FROM seq_1_to_29 s
    WHERE s.seq <= CHAR_LENGTH(NEW.client_digits_rev) - 3
      AND SUBSTRING(NEW.client_digits_rev, s.seq, 4) REGEXP '^[0-9]{4}$'
      AND LOCATE(SUBSTRING(NEW.client_digits_rev, s.seq, 4), NEW.client_digits_rev) = s.seq;
  END IF;
END;
