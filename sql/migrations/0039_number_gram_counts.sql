-- How many calls each gram has, so a "contains" of 5 digits or more is
-- driven by its rarest gram (issue 20, lib/db/call.c db_call_contains_plan).
--
-- Until now the search counted each of the fragment's grams in
-- call_number_grams before the list query, up to 256 rows each. At
-- 1,000,000 calls a gram has 845 rows on average (13 to 184,392), so nearly
-- every gram reached the cap, the tie went to the first gram, and the
-- counting itself cost more server time than the page's query (0.21 of
-- 0.75 ms for 6 digits; bench/history.sh: contains6 at 0.71 of the phone
-- search's rate, the target 0.8).
--
-- A statistic, like InnoDB's own index statistics: the worker recounts it
-- about every hour (cb_call_gram_counts_refresh, tools/worker.c), one
-- index-only pass over call_number_grams (2.3 s at 1,000,000 calls), and
-- the demo after its bulk fill. The choice only needs the order of
-- magnitude, so the calls of the last hour need not be in it, and neither
-- ingest nor the drain pays for it. A gram with no row counts 0: the
-- fragment is then in no drained call.
--
-- Each process that searches keeps a copy of the counts (10,000, 40 KB)
-- instead of reading the fragment's counts in a round trip of its own before
-- every page (about a tenth of a "contains" page's rate at 1,000,000 calls).
-- The copy is read again when the version of what processes keep
-- (list_versions, 0008), which the session query returns on every page, is
-- not the copy's; so a recount bumps it in the transaction that writes the
-- counts, and every process's next search plans with the new counts (once
-- an hour every process also reads its other kept lists again: a query
-- each).
CREATE TABLE call_gram_counts (
  gram SMALLINT UNSIGNED NOT NULL,
  calls INT UNSIGNED NOT NULL,
  PRIMARY KEY (gram)
) ENGINE=InnoDB;

-- One row: when the counts were last recounted (the claim of one worker).
CREATE TABLE call_gram_counts_state (
  id TINYINT UNSIGNED NOT NULL,
  refreshed_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;

INSERT INTO call_gram_counts (gram, calls) SELECT seq, 0 FROM seq_0_to_9999;
INSERT INTO call_gram_counts_state (id, refreshed_at)
  VALUES (1, '1970-01-02 00:00:00');

-- Recounts when the last count is at least p_max_age seconds old (0: now);
-- answers one row, 1 when this call recounted. The claim is its own
-- statement (autocommit), so of several workers one recounts per period;
-- a recount that fails is tried again by the next period's claim. The
-- pass is a consistent read (READ COMMITTED): no lock the drain's inserts
-- would wait for; the counts are written from a temporary table in one
-- short transaction.
CREATE PROCEDURE cb_call_gram_counts_refresh(IN p_max_age INT UNSIGNED)
  MODIFIES SQL DATA
BEGIN
  DECLARE v_claimed INT DEFAULT 0;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    DROP TEMPORARY TABLE IF EXISTS cb_gram_counts;
    RESIGNAL;
  END;
  UPDATE call_gram_counts_state SET refreshed_at = UTC_TIMESTAMP(3)
  WHERE id = 1
    AND refreshed_at <= UTC_TIMESTAMP(3) - INTERVAL p_max_age SECOND;
  SET v_claimed = ROW_COUNT();
  IF v_claimed > 0 THEN
    DROP TEMPORARY TABLE IF EXISTS cb_gram_counts;
    CREATE TEMPORARY TABLE cb_gram_counts (
      gram SMALLINT UNSIGNED NOT NULL PRIMARY KEY,
      calls INT UNSIGNED NOT NULL) ENGINE=MEMORY;
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    START TRANSACTION;
    INSERT INTO cb_gram_counts (gram, calls)
      SELECT gram, COUNT(*) FROM call_number_grams GROUP BY gram;
    UPDATE call_gram_counts k LEFT JOIN cb_gram_counts t ON t.gram = k.gram
      SET k.calls = COALESCE(t.calls, 0);
    UPDATE list_versions SET version = version + 1 WHERE id = 1;
    COMMIT;
    DROP TEMPORARY TABLE cb_gram_counts;
  END IF;
  SELECT v_claimed AS refreshed;
END;

CALL cb_call_gram_counts_refresh(0);
