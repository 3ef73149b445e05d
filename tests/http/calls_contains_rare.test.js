// "Number contains" driven by the fragment's rarest gram (issue 20 item 2,
// lib/db/call.c db_call_contains_plan): a rare 6-digit fragment whose first
// gram (of the reversed digits: its last four digits) is common must not
// read that gram's whole range. Here 1,200 calls share that gram and one
// call has the fragment; the history page, the CSV and the JSON API must
// find exactly that call, and the server must read far fewer index rows
// than the common range (MariaDB's Handler_read_next + Handler_read_prev,
// the best of three requests, so another program's reads cannot pass it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '../lib/http.js';
import { postGeneric, api } from '../lib/generic.js';
import { sql } from '../lib/db.js';

const DID = '+48223900400';                 // the demo generic line
const tag = `cr${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const COMMON = 1200;
const rev = (s) => [...s].reverse().join('');
// The fragment as typed: six random digits (not starting with 0 or 38),
// chosen in before() so that no other call (the demo's, other tests', the
// common rows below) contains it: the test wants exactly one match.
let F, R, NUMBER;
let c;
const commonRev = (r, i) => `${r.slice(0, 4)}0${String(i).padStart(4, '0')}0893`;

async function pickFragment() {
  for (let tries = 0; tries < 50; tries++) {
    const f = String(400000 + Math.floor(Math.random() * 499999));
    const r = rev(f);
    let clash = false;
    for (let i = 1; i <= COMMON && !clash; i++) clash = commonRev(r, i).includes(r);
    if (clash) continue;
    const [[n]] = await sql("SELECT COUNT(*) FROM calls WHERE client_digits_rev LIKE CONCAT('%', ?, '%')", [r]);
    if (Number(n) === 0) return f;
  }
  throw new Error('no fragment free of other calls in 50 tries');
}

async function readRows() {
  const rows = await sql("SHOW GLOBAL STATUS WHERE Variable_name IN ('Handler_read_next', 'Handler_read_prev')");
  return rows.reduce((n, r) => n + Number(r[1]), 0);
}

// The fewest index rows the server read while get() ran, of three tries.
async function rowsRead(get) {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const r0 = await readRows();
    await get();
    best = Math.min(best, await readRows() - r0);
  }
  return best;
}

before(async () => {
  F = await pickFragment();
  R = rev(F);
  NUMBER = `+38093${F}7`;
  c = new Client();
  await c.login('manager', 'manager');
  const res = await postGeneric({ event: 'call.end', call_id: `${tag}-rare`, direction: 'in', from: NUMBER,
    did: DID, ext: '103', start: Math.floor(Date.now() / 1000) - 3600, end: Math.floor(Date.now() / 1000) - 3500,
    status: 'missed' });
  assert.equal(res.status, 200, res.text_);
  // 1,200 newer calls whose reversed digits start with the fragment's first
  // gram (R[0..4]) and then go on with other digits: the common range.
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result, client_number,
      client_digits_rev, started_at)
    SELECT i.id, CONCAT(?, '-f', s.seq), 'in', 'ended', 'missed',
      CONCAT('+', REVERSE(CONCAT(?, '0', LPAD(s.seq, 4, '0'), '0893'))),
      CONCAT(?, '0', LPAD(s.seq, 4, '0'), '0893'), NOW(3) - INTERVAL s.seq SECOND
    FROM seq_1_to_${COMMON} s JOIN integrations i ON i.slug = 'generic'`, [tag, R.slice(0, 4), R.slice(0, 4)]);
  // their grams written now, as the worker does about every second (0038):
  // the rows read below are the grams', not a LIKE over 1,200 pending calls
  await sql('CALL cb_call_grams_drain(1000000)');
  // and counted, as the worker recounts about every hour (0039): the counts
  // say which gram is rare
  await sql('CALL cb_call_gram_counts_refresh(0)');
});

after(async () => {
  await sql("DELETE FROM calls WHERE external_id LIKE CONCAT(?, '-%')", [tag]);
});

test('a rare fragment with a common first gram: exactly its call, reading far fewer rows than the common range', async (t) => {
  const [[common]] = await sql('SELECT COUNT(*) FROM call_number_grams WHERE gram = ?', [Number(R.slice(0, 4))]);
  assert.ok(Number(common) >= COMMON, `the first gram's range has ${common} rows`);
  const [[want]] = await sql('SELECT id FROM calls WHERE external_id = ?', [`${tag}-rare`]);
  const like = await sql("SELECT id FROM calls WHERE client_digits_rev LIKE CONCAT('%', ?, '%') ORDER BY started_at DESC, id DESC",
    [R]);
  assert.deepEqual(like.map((r) => r[0]), [want], 'the fragment is in that call only');

  let page;
  const read = await rowsRead(async () => {
    const res = await c.get(`/calls?q=${F}&q_mode=contains&format=json`);
    assert.equal(res.status, 200, res.text_);
    page = JSON.parse(res.text_);
  });
  assert.deepEqual(page.calls.map((r) => String(r.id)), [want]);
  assert.ok(read < COMMON / 2, `the history page read ${read} index rows (the common range: ${common})`);

  // a month's range
  const from = new Date(Date.now() - 30 * 86400e3).toISOString().slice(0, 10);
  const month = await rowsRead(async () => {
    const res = await c.get(`/calls?q=${F}&q_mode=contains&from=${from}&format=json`);
    assert.equal(res.status, 200, res.text_);
    assert.deepEqual(JSON.parse(res.text_).calls.map((r) => String(r.id)), [want]);
  });
  assert.ok(month < COMMON / 2, `with a month: ${month} index rows`);

  const csv = await rowsRead(async () => {
    const res = await c.get(`/calls.csv?q=${F}&q_mode=contains`);
    assert.equal(res.status, 200, res.text_);
    assert.equal(res.text_.trim().split('\r\n').length, 2, res.text_);
  });
  assert.ok(csv < COMMON / 2, `the CSV read ${csv} index rows`);

  const viaApi = await rowsRead(async () => {
    const res = await api(`/api/v1/calls?contains=${F}`);
    assert.equal(res.status, 200, res.text_);
    assert.deepEqual(JSON.parse(res.text_).calls.map((r) => String(r.id)), [want]);
  });
  assert.ok(viaApi < COMMON / 2, `the JSON API read ${viaApi} index rows`);
  t.diagnostic(`index rows read: page ${read}, month ${month}, csv ${csv}, api ${viaApi}; common range ${common}`);
});

test('the common gram alone still pages newest first through its range', async () => {
  const frag = rev(R.slice(0, 4));
  const res = await c.get(`/calls?q=${frag}&q_mode=contains&format=json`);
  assert.equal(res.status, 200, res.text_);
  const rows = JSON.parse(res.text_).calls;
  const want = await sql("SELECT id FROM calls WHERE client_digits_rev LIKE CONCAT('%', ?, '%') ORDER BY started_at DESC, id DESC LIMIT 50",
    [R.slice(0, 4)]);
  assert.deepEqual(rows.map((r) => String(r.id)), want.map((r) => r[0]));
});
