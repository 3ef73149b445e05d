// The grams' counts that choose a "contains" search's driving gram (issue
// 20, sql/migrations/0039_number_gram_counts.sql, lib/db/call.c
// db_call_contains_plan): a statistic the worker recounts about every hour
// (cb_call_gram_counts_refresh, tools/worker.c), claimed by one worker per
// period.
//  - a recount equals the rows of call_number_grams per gram, every one of
//    the 10,000 grams (0 for a gram no call has);
//  - a second recount within the period is refused (the claim), one with a
//    period of 0 runs;
//  - the counts drive the search: of a fragment whose grams all have more
//    calls than the old probe counted (256 each, so the first drove), the
//    rarest drives: the page reads its range, not the first gram's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

const tag = `gc${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const rev = (s) => [...s].reverse().join('');
let c;

const refresh = async (maxAge) => Number((await sql('CALL cb_call_gram_counts_refresh(?)', [maxAge]))[0][0]);

// The counts that differ from a recount of call_number_grams.
async function differences() {
  return sql(`SELECT k.gram, k.calls, COALESCE(r.n, 0) FROM call_gram_counts k
    LEFT JOIN (SELECT gram, COUNT(*) AS n FROM call_number_grams GROUP BY gram) r ON r.gram = k.gram
    WHERE k.calls <> COALESCE(r.n, 0)`);
}

before(async () => {
  c = new Client();
  await c.login('manager', 'manager');
});

after(async () => {
  await sql("DELETE FROM calls WHERE external_id LIKE CONCAT(?, '-%')", [tag]);
  await refresh(0);
});

test('a recount equals call_number_grams per gram, for all 10,000 grams', async () => {
  const [[n]] = await sql('SELECT COUNT(*) FROM call_gram_counts');
  assert.equal(Number(n), 10000);
  // another test's calls may be drained between the recount and the check:
  // a few tries, each a fresh recount
  let diff;
  for (let i = 0; i < 5; i++) {
    await sql('CALL cb_call_grams_drain(1000000)');
    assert.equal(await refresh(0), 1, 'a period of 0 recounts');
    diff = await differences();
    if (diff.length === 0) break;
  }
  assert.deepEqual(diff, []);
});

test('one recount per period: a second claim within it is refused', async () => {
  assert.equal(await refresh(0), 1);
  const [[at]] = await sql('SELECT refreshed_at FROM call_gram_counts_state WHERE id = 1');
  assert.equal(await refresh(3600), 0, 'counted less than an hour ago');
  const [[again]] = await sql('SELECT refreshed_at FROM call_gram_counts_state WHERE id = 1');
  assert.equal(again, at, 'a refused claim leaves the time');
});

// Every gram of the fragment above the old probe's cap (256 rows each: the
// first one drove then, whatever the others' counts): the counts see that
// the last is the rarest.
test('the counts choose the driving gram: the rarest, where every gram is common', async () => {
  // Of the reversed digits R: its grams A = R[0..4], B = R[1..5], Z =
  // R[2..6]; 600 calls have A, 400 have B, 300 have Z, one has R.
  const counts = { 0: 600, 1: 400, 2: 300 };
  let frag;
  for (let i = 0; i < 50 && !frag; i++) {
    const f = String(400000 + Math.floor(Math.random() * 499999));
    const r = rev(f);
    const [[n]] = await sql("SELECT COUNT(*) FROM calls WHERE client_digits_rev LIKE CONCAT('%', ?, '%')", [r]);
    const [[z]] = await sql('SELECT MAX(calls) FROM call_gram_counts WHERE gram IN (?, ?, ?)',
      [Number(r.slice(0, 4)), Number(r.slice(1, 5)), Number(r.slice(2, 6))]);
    if (Number(n) === 0 && Number(z) < 20 && !r.includes('5') && new Set([r.slice(0, 4), r.slice(1, 5), r.slice(2, 6)]).size === 3) frag = f;
  }
  assert.ok(frag, 'no free fragment with rare grams in 50 tries');
  const R = rev(frag);
  for (const [at, n] of Object.entries(counts)) {
    const gram = R.slice(Number(at), Number(at) + 4);
    // the gram, then digits that cannot complete the fragment around it
    await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result, client_number,
        client_digits_rev, started_at)
      SELECT i.id, CONCAT(?, '-g', ?, '-', s.seq), 'in', 'ended', 'missed',
        CONCAT('+', REVERSE(CONCAT('55', ?, '55', LPAD(s.seq, 4, '0'), '893'))),
        CONCAT('55', ?, '55', LPAD(s.seq, 4, '0'), '893'), NOW(3) - INTERVAL s.seq SECOND
      FROM seq_1_to_${n} s JOIN integrations i ON i.slug = 'generic'`, [tag, at, gram, gram]);
  }
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result, client_number,
      client_digits_rev, started_at)
    SELECT i.id, CONCAT(?, '-one'), 'in', 'ended', 'missed', CONCAT('+', REVERSE(CONCAT(?, '0893'))),
      CONCAT(?, '0893'), NOW(3) - INTERVAL 2 HOUR FROM integrations i WHERE i.slug = 'generic'`, [tag, R, R]);
  await sql('CALL cb_call_grams_drain(1000000)');
  const [[want]] = await sql('SELECT id FROM calls WHERE external_id = ?', [`${tag}-one`]);
  const like = await sql("SELECT id FROM calls WHERE client_digits_rev LIKE CONCAT('%', ?, '%')", [R]);
  assert.deepEqual(like.map((r) => r[0]), [want], 'the fragment is in that call only');
  const rows = async () => (await sql("SHOW GLOBAL STATUS WHERE Variable_name IN ('Handler_read_next', 'Handler_read_prev')"))
    .reduce((n, r) => n + Number(r[1]), 0);
  const least = async (times) => {
    let best = Infinity;
    for (let i = 0; i < times; i++) {
      const r0 = await rows();
      const res = await c.get(`/calls?q=${frag}&q_mode=contains&format=json`);
      assert.equal(res.status, 200, res.text_);
      assert.deepEqual(JSON.parse(res.text_).calls.map((r) => String(r.id)), [want]);
      best = Math.min(best, await rows() - r0);
    }
    return best;
  };
  // Before the recount the counts of A, B and Z are all under 20: a tie,
  // the first (A) drives. Several pages, so every callboard-calls process
  // keeps a copy of these counts (lib/db/call.c).
  const stale = await least(8);
  assert.ok(stale > 550, `${stale} index rows read with the old counts: A drives`);
  // The recount bumps the kept version (0039): every process reads the
  // counts again, and Z drives: its 301 rows, not A's 601.
  await refresh(0);
  const best = await least(3);
  assert.ok(best > 250 && best < 450, `${best} index rows read (A ${counts[0]}, B ${counts[1]}, Z ${counts[2]})`);
});
