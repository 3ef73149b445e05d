-- The gram counts kept per process (issue 20, lib/db/call.c
-- db_call_contains_plan): each process that searches "contains" keeps a
-- copy of call_gram_counts (10,000 counts, 40 KB) instead of reading the
-- fragment's counts in a round trip of its own before every page (about a
-- tenth of a "contains" page's rate at 1,000,000 calls). The copy is read
-- again when the version of what processes keep (list_versions, 0008),
-- which the session query returns on every page, is not the copy's, so a
-- recount bumps it in the transaction that writes the counts: every
-- process's next search plans with the new counts. Once an hour every
-- process also reads its other kept lists again (one query each).
CREATE OR REPLACE PROCEDURE cb_call_gram_counts_refresh(IN p_max_age INT UNSIGNED)
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
