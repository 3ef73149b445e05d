// The grams of every shape of number (sql/migrations/0038: the triggers
// queue a call in call_grams_pending, the drain writes its grams in sorted
// batches): no number, shorter than a gram, exactly one gram, a repeated
// run, the longest E.164 form, one digit more, the column's 32 characters,
// letters. Inserted, renumbered, moved in time and deleted by SQL (the
// triggers, not C, keep the tables), each step drained (as the worker does)
// and compared with a recomputation of 0021's definition.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from '../lib/db.js';

const tag = `gs${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const SHAPES = ['', '123', '1234', '0000000', '12121212', '765432176083',
  '3141592653589793238', '31415926535897932384', '31415926535897932384626433832795',
  '12a45678', '4321-8765'];

// 0021's definition, for this test's calls only.
const RECOMPUTE = `SELECT DISTINCT CAST(SUBSTRING(c.client_digits_rev, s.seq, 4) AS UNSIGNED) AS gram,
    c.started_at, c.id AS call_id
  FROM calls c JOIN seq_1_to_29 s ON s.seq <= CHAR_LENGTH(c.client_digits_rev) - 3
  WHERE c.external_id LIKE CONCAT(?, '-%') AND SUBSTRING(c.client_digits_rev, s.seq, 4) REGEXP '^[0-9]{4}$'
  ORDER BY 1, 2, 3`;
const STORED = `SELECT g.gram, g.started_at, g.call_id FROM call_number_grams g
  JOIN calls c ON c.id = g.call_id WHERE c.external_id LIKE CONCAT(?, '-%') ORDER BY 1, 2, 3`;

async function same(step) {
  await sql('CALL cb_call_grams_drain(100000)');
  const [[pending]] = await sql(`SELECT COUNT(*) FROM call_grams_pending p JOIN calls c ON c.id = p.call_id
    WHERE c.external_id LIKE CONCAT(?, '-%')`, [tag]);
  assert.equal(Number(pending), 0, `${step}: drained`);
  const want = await sql(RECOMPUTE, [tag]);
  const got = await sql(STORED, [tag]);
  assert.deepEqual(got, want, step);
  return want.length;
}

after(async () => {
  await sql("DELETE FROM calls WHERE external_id LIKE CONCAT(?, '-%')", [tag]);
});

test('every shape of number: inserted, renumbered, moved and deleted, the grams equal a recomputation', async () => {
  for (const [i, rev] of SHAPES.entries())
    await sql(`INSERT INTO calls (integration_id, external_id, client_number, client_digits_rev, started_at)
      SELECT id, ?, ?, ?, NOW(3) - INTERVAL ? MINUTE FROM integrations WHERE slug = 'generic'`,
    [`${tag}-${i}`, rev, rev, i]);
  const rows = await same('inserted');
  // the distinct 4-digit runs of each (19 digits: 16, all distinct; 32: 29)
  const runs = (r) => new Set([...r].map((_, k) => r.slice(k, k + 4)).filter((g) => /^\d{4}$/.test(g))).size;
  assert.equal(rows, SHAPES.reduce((n, r) => n + runs(r), 0));
  assert.equal(runs(SHAPES[6]), 16);
  // each number becomes the next shape's (IGNORE must not hide a row)
  await sql(`UPDATE calls c JOIN (SELECT id, client_digits_rev FROM calls WHERE external_id LIKE CONCAT(?, '-%')) n
      ON n.id = (SELECT MIN(id) FROM calls WHERE external_id LIKE CONCAT(?, '-%') AND id > c.id)
    SET c.client_digits_rev = n.client_digits_rev WHERE c.external_id LIKE CONCAT(?, '-%')`, [tag, tag, tag]);
  await same('renumbered');
  await sql("UPDATE calls SET started_at = started_at - INTERVAL 1 DAY WHERE external_id LIKE CONCAT(?, '-%')", [tag]);
  await same('moved in time');
  const [[id]] = await sql('SELECT MIN(id) FROM calls WHERE external_id LIKE CONCAT(?, \'-%\')', [tag]);
  await sql("DELETE FROM calls WHERE external_id LIKE CONCAT(?, '-%')", [tag]);
  const [[left]] = await sql('SELECT COUNT(*) FROM call_number_grams WHERE call_id >= ?', [id]);
  assert.equal(Number(left), 0, 'no grams of deleted calls');
  const [[queued]] = await sql('SELECT COUNT(*) FROM call_grams_pending WHERE call_id >= ? AND call_id < ? + ?',
    [id, id, SHAPES.length]);
  assert.equal(Number(queued), 0, 'no pending rows of deleted calls');
});
