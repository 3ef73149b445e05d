// "Number contains" of a call whose grams are not written yet (issue 20,
// sql/migrations/0038_number_grams_pending.sql): the ingest queues a new
// call in call_grams_pending and the worker writes its grams about a second
// later; the search reads the grams plus a LIKE over the pending calls
// (lib/db/call.c db_call_contains_from), so a call is found the moment it
// is committed, and once:
//  - held pending: a call's row is locked by another transaction, so no
//    drain can take it (the drain locks a call before it reads it); the
//    history, the CSV and the JSON API find it, with no gram written; once
//    the lock is gone and the call drained, they find it once;
//  - through the hook: a new call is found by a fragment at once, and after
//    the drain still once, with its grams equal to a recomputation;
//  - a fragment of both a drained call and a pending one: the page's first
//    query reads only the grams and asks in a column whether a pending call
//    matches (the probe); it does, so the page is read again with the
//    pending calls: both calls, newest first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '../lib/http.js';
import { postGeneric, api, sleep } from '../lib/generic.js';
import { sql } from '../lib/db.js';

const DID = '+48223900400';                 // the demo generic line
const tag = `gp${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const rev = (s) => [...s].reverse().join('');
let c;

// Six digits no call contains yet (the test wants exactly its own calls).
async function freshFragment() {
  for (let tries = 0; tries < 50; tries++) {
    const f = String(400000 + Math.floor(Math.random() * 499999));
    const [[n]] = await sql("SELECT COUNT(*) FROM calls WHERE client_digits_rev LIKE CONCAT('%', ?, '%')", [rev(f)]);
    if (Number(n) === 0) return f;
  }
  throw new Error('no free fragment in 50 tries');
}

// The ids the history page, the CSV and the JSON API give for a fragment.
async function found(frag) {
  const page = await c.get(`/calls?q=${frag}&q_mode=contains&format=json`);
  assert.equal(page.status, 200, page.text_);
  const csv = await c.get(`/calls.csv?q=${frag}&q_mode=contains`);
  assert.equal(csv.status, 200, csv.text_);
  const viaApi = await api(`/api/v1/calls?contains=${frag}`);
  assert.equal(viaApi.status, 200, viaApi.text_);
  return {
    page: JSON.parse(page.text_).calls.map((r) => String(r.id)),
    csv: csv.text_.trim().split('\r\n').length - 1,
    api: JSON.parse(viaApi.text_).calls.map((r) => String(r.id)),
  };
}

const grams = async (id) => Number((await sql('SELECT COUNT(*) FROM call_number_grams WHERE call_id = ?', [id]))[0][0]);
const pending = async (id) => Number((await sql('SELECT COUNT(*) FROM call_grams_pending WHERE call_id = ?', [id]))[0][0]);

before(async () => {
  c = new Client();
  await c.login('manager', 'manager');
});

after(async () => {
  await sql("DELETE FROM calls WHERE external_id LIKE CONCAT(?, '-%')", [tag]);
});

test('a call held pending is found by contains before its grams exist, and once after the drain', async () => {
  const frag = await freshFragment();
  const number = `+38093${frag}5`;
  // the call, committed with neither grams nor a pending row (a bulk
  // load's session skips the triggers), then queued by hand below while its
  // row is locked: the state between an ingest's commit and the drain
  await sql(`SET @cb_grams_bulk = 1;
    INSERT INTO calls (integration_id, external_id, direction, state, result, client_number, client_digits_rev, started_at)
      SELECT id, ?, 'in', 'ended', 'missed', ?, ?, NOW(3) - INTERVAL 5 MINUTE FROM integrations WHERE slug = 'generic';
    SET @cb_grams_bulk = NULL`, [`${tag}-held`, number, rev(number.slice(1))]);
  const [[id]] = await sql('SELECT id FROM calls WHERE external_id = ?', [`${tag}-held`]);
  assert.deepEqual((await found(frag)).page, [], 'neither grams nor pending: not found (a bulk load must fill)');

  const holder = sql('START TRANSACTION; SELECT id FROM calls WHERE id = ? FOR UPDATE; SELECT SLEEP(3); COMMIT', [id]);
  await sleep(500);
  await sql('INSERT INTO call_grams_pending (call_id) VALUES (?)', [id]);
  await sleep(300);   // the worker's drain, if it runs now, waits for the lock
  const held = await found(frag);
  assert.equal(await grams(id), 0, 'no drain could write its grams');
  assert.equal(await pending(id), 1);
  assert.deepEqual(held, { page: [id], csv: 1, api: [id] }, 'found while pending');
  await holder;

  await sql('CALL cb_call_grams_drain(1000000)');
  assert.equal(await pending(id), 0);
  // one row per distinct 4-digit run: a fragment that repeats a run of the
  // number has fewer than 9 (0.4 % of the fragments drawn: CI, session 15)
  const digits = rev(number.slice(1));
  const runs = new Set([...Array(digits.length - 3).keys()].map((i) => digits.slice(i, i + 4))).size;
  assert.equal(await grams(id), runs, 'drained: its grams are written');
  assert.deepEqual(await found(frag), { page: [id], csv: 1, api: [id] }, 'found once after the drain');
});

test('a call from the hook is found at once and, drained, still once with the grams of a recomputation', async () => {
  const frag = await freshFragment();
  const number = `+38067${frag}1`;
  const res = await postGeneric({ event: 'call.end', call_id: `${tag}-hook`, direction: 'in', from: number,
    did: DID, ext: '103', start: Math.floor(Date.now() / 1000) - 120, end: Math.floor(Date.now() / 1000) - 60,
    status: 'missed' });
  assert.equal(res.status, 200, res.text_);
  const [[id]] = await sql('SELECT id FROM calls WHERE external_id = ?', [`${tag}-hook`]);
  assert.deepEqual(await found(frag), { page: [id], csv: 1, api: [id] }, 'found at once');
  await sql('CALL cb_call_grams_drain(1000000)');
  assert.equal(await pending(id), 0);
  const [[missing, extra]] = await sql(`SELECT
      (SELECT COUNT(*) FROM (SELECT DISTINCT CAST(SUBSTRING(client_digits_rev, s.seq, 4) AS UNSIGNED) AS gram, started_at, id
         FROM calls JOIN seq_1_to_29 s ON s.seq <= CHAR_LENGTH(client_digits_rev) - 3 WHERE id = ?) r
       LEFT JOIN call_number_grams g ON g.gram = r.gram AND g.started_at = r.started_at AND g.call_id = r.id
       WHERE g.call_id IS NULL),
      (SELECT COUNT(*) FROM call_number_grams g JOIN calls c ON c.id = g.call_id WHERE g.call_id = ?
       AND (g.started_at <> c.started_at OR LOCATE(LPAD(g.gram, 4, '0'), c.client_digits_rev) = 0))`, [id, id]);
  assert.deepEqual([Number(missing), Number(extra)], [0, 0], 'the grams equal a recomputation');
  assert.deepEqual(await found(frag), { page: [id], csv: 1, api: [id] }, 'found once after the drain');
});

test('a fragment of a drained call and of a pending one: the probe says so and the page has both, newest first', async () => {
  const frag = await freshFragment();
  const insert = (ext, number, minutes) => sql(`INSERT INTO calls (integration_id, external_id, direction, state,
      result, client_number, client_digits_rev, started_at)
    SELECT id, ?, 'in', 'ended', 'missed', ?, ?, NOW(3) - INTERVAL ? MINUTE FROM integrations WHERE slug = 'generic'`,
  [ext, number, rev(number.slice(1)), minutes]);
  const older = `+38093${frag}7`, newer = `+38050${frag}3`;
  await insert(`${tag}-drained`, older, 10);
  await sql('CALL cb_call_grams_drain(1000000)');
  const [[drained]] = await sql('SELECT id FROM calls WHERE external_id = ?', [`${tag}-drained`]);
  assert.equal(await pending(drained), 0);
  assert.deepEqual((await found(frag)).page, [drained], 'the drained call alone');

  await sql(`SET @cb_grams_bulk = 1;
    INSERT INTO calls (integration_id, external_id, direction, state, result, client_number, client_digits_rev, started_at)
      SELECT id, ?, 'in', 'ended', 'missed', ?, ?, NOW(3) - INTERVAL 5 MINUTE FROM integrations WHERE slug = 'generic';
    SET @cb_grams_bulk = NULL`, [`${tag}-pending`, newer, rev(newer.slice(1))]);
  const [[held]] = await sql('SELECT id FROM calls WHERE external_id = ?', [`${tag}-pending`]);
  const holder = sql('START TRANSACTION; SELECT id FROM calls WHERE id = ? FOR UPDATE; SELECT SLEEP(3); COMMIT', [held]);
  await sleep(500);
  await sql('INSERT INTO call_grams_pending (call_id) VALUES (?)', [held]);
  await sleep(300);
  const both = await found(frag);
  assert.equal(await grams(held), 0, 'still pending');
  assert.deepEqual(both, { page: [held, drained], csv: 2, api: [held, drained] }, 'both, the pending one first');
  await holder;
});
