// The bulk fill of call_number_grams (issue 20 item 1, sql/migrations/
// 0033_number_grams_bulk.sql): the demo loads its calls with the grams
// triggers skipped (@cb_grams_bulk) and fills the grams afterwards in one
// sorted INSERT ... SELECT (cb_call_grams_fill). The two ways must give the
// same rows, or "contains" would miss or invent calls after a bulk load:
//  - every call of the stack (the demo's, bulk-filled, and the ones other
//    tests ingested) is copied under new ids twice in one transaction, once
//    with the triggers skipped and cb_call_grams_fill, once row by row
//    through the triggers and a drain of the pending calls they queue
//    (0038, cb_call_grams_drain_batch, in the same transaction); the two
//    sets of grams, and the stack's own grams of the originals (drained
//    first), are the same rows (then ROLLBACK: nothing stays);
//  - a session that does not set @cb_grams_bulk keeps the triggers (the
//    programs never set it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../lib/db.js';

// One mariadb session: the copies, the two fills and the counts, rolled back.
// Copy ids are id + @off; grams are compared as (gram, started_at, id - @off).
const SCRIPT = `
START TRANSACTION;
SET @off = (SELECT MAX(id) FROM calls) + 1000;
SET @n = (SELECT MAX(id) FROM calls);
CREATE TEMPORARY TABLE cg_copy AS SELECT * FROM calls;
UPDATE cg_copy SET id = id + @off, external_id = CONCAT('cg-', external_id);

SET @cb_grams_bulk = 1;
INSERT INTO calls SELECT * FROM cg_copy;
SET @skipped = (SELECT COUNT(*) FROM call_number_grams WHERE call_id > @off);
CALL cb_call_grams_fill(@off + 1, @off + @n);
SET @cb_grams_bulk = NULL;
CREATE TEMPORARY TABLE cg_bulk (PRIMARY KEY (gram, started_at, call_id)) AS
  SELECT gram, started_at, call_id - @off AS call_id FROM call_number_grams WHERE call_id > @off;

DELETE FROM calls WHERE id > @off;
SET @after_delete = (SELECT COUNT(*) FROM call_number_grams WHERE call_id > @off)
  + (SELECT COUNT(*) FROM call_grams_pending WHERE call_id > @off);
INSERT INTO calls SELECT * FROM cg_copy;
SET @queued = (SELECT COUNT(*) FROM call_grams_pending WHERE call_id > @off);
SET @grams_before_drain = (SELECT COUNT(*) FROM call_number_grams WHERE call_id > @off);
CALL cb_call_grams_drain_batch(1000000, @drained);
CREATE TEMPORARY TABLE cg_rows (PRIMARY KEY (gram, started_at, call_id)) AS
  SELECT gram, started_at, call_id - @off AS call_id FROM call_number_grams WHERE call_id > @off;
CREATE TEMPORARY TABLE cg_live (PRIMARY KEY (gram, started_at, call_id)) AS
  SELECT gram, started_at, call_id FROM call_number_grams WHERE call_id <= @n;

SELECT @skipped, @after_delete, @queued, @grams_before_drain, @drained,
  (SELECT COUNT(*) FROM call_grams_pending WHERE call_id > @off),
  (SELECT COUNT(*) FROM cg_bulk), (SELECT COUNT(*) FROM cg_rows), (SELECT COUNT(*) FROM cg_live),
  (SELECT COUNT(*) FROM cg_bulk b LEFT JOIN cg_rows r USING (gram, started_at, call_id) WHERE r.call_id IS NULL),
  (SELECT COUNT(*) FROM cg_rows r LEFT JOIN cg_bulk b USING (gram, started_at, call_id) WHERE b.call_id IS NULL),
  (SELECT COUNT(*) FROM cg_live l LEFT JOIN cg_rows r USING (gram, started_at, call_id) WHERE r.call_id IS NULL),
  (SELECT COUNT(*) FROM cg_rows r LEFT JOIN cg_live l USING (gram, started_at, call_id) WHERE l.call_id IS NULL),
  (SELECT COUNT(DISTINCT call_id) FROM cg_bulk), (SELECT COUNT(*) FROM calls WHERE id <= @n);
ROLLBACK;`;

test('bulk fill: the same grams as the triggers write row by row, for every call of the stack', async () => {
  await sql('CALL cb_call_grams_drain(1000000)');   // the stack's own pending calls
  const [row] = await sql(SCRIPT);
  const [skipped, afterDelete, queued, gramsBeforeDrain, drained, leftPending, bulk, rows, live, bulkOnly, rowsOnly, liveOnly, rowsNotLive, callsWithGrams, calls] =
    row.map(Number);
  assert.equal(skipped, 0, 'with @cb_grams_bulk = 1 the insert trigger wrote grams');
  assert.equal(afterDelete, 0, 'the delete trigger left grams or pending rows behind');
  assert.equal(gramsBeforeDrain, 0, 'the insert trigger wrote grams in the ingest transaction');
  assert.ok(queued >= callsWithGrams && drained >= queued && leftPending === 0,
    `${queued} calls queued, ${drained} drained, ${leftPending} left`);
  assert.ok(calls >= 300 && callsWithGrams >= 0.9 * calls, `${callsWithGrams} of ${calls} calls have grams`);
  assert.ok(bulk > 5 * callsWithGrams, `${bulk} grams for ${callsWithGrams} calls`);
  assert.deepEqual({ bulk, bulkOnly, rowsOnly }, { bulk: rows, bulkOnly: 0, rowsOnly: 0 },
    'cb_call_grams_fill and the triggers differ');
  // the stack's own table: the demo's calls were bulk-filled by sql/demo.sql
  assert.deepEqual({ live, liveOnly, rowsNotLive }, { live: rows, liveOnly: 0, rowsNotLive: 0 },
    'the demo\'s bulk-filled grams differ from the triggers\'');
  const [[left]] = await sql("SELECT COUNT(*) FROM calls WHERE external_id LIKE 'cg-%'");
  assert.equal(Number(left), 0);
});

test('a session that does not say @cb_grams_bulk keeps the triggers', async () => {
  const [[n, grams]] = await sql(`START TRANSACTION;
    SET @off = (SELECT MAX(id) FROM calls) + 1000;
    CREATE TEMPORARY TABLE cg_one AS SELECT * FROM calls WHERE client_digits_rev <> '' ORDER BY id DESC LIMIT 1;
    UPDATE cg_one SET id = id + @off, external_id = CONCAT('cg-', external_id);
    INSERT INTO calls SELECT * FROM cg_one;
    SELECT CHAR_LENGTH(client_digits_rev), (SELECT COUNT(*) FROM call_grams_pending WHERE call_id > @off) FROM cg_one;
    ROLLBACK;`);
  assert.ok(Number(n) >= 4 && Number(grams) === 1, `${grams} pending rows for a number of ${n} digits`);
});
