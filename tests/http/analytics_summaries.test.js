// The analytics summaries (issue 21 "Speed", migration 0028): hourly rows
// that the counting figures read instead of every call of the range. They
// are kept from analytics_dirty rows written by triggers on calls and folded
// by the worker and the page (cb_analytics_fold). Checked here:
//   - calls changed the ways calls change after ingest (a late end event
//     that turns "ringing" into missed, a stated start that moves a call to
//     another hour, an answer that sets the manager, a reassignment by
//     hand), folded a little at a time, give the same rows as recomputing
//     every hour from scratch;
//   - a report read from the summaries equals the same report read from the
//     calls, every figure (the page reads the calls while a range has hours
//     or numbers it cannot fold: here another folder holds the fold's
//     lease; the follow-up and callers' summaries are 0032's);
//   - the worker folds without any page being opened;
//   - a half-hour zone reads the calls.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid, sleep } from '../lib/generic.js';
import { createUser, uniq } from '../lib/settings.js';
import { takeLease, giveLease, noneDirty } from '../lib/analytics.js';

const DAY = '2026-02-10';
const at = (hm) => Math.floor(Date.parse(`${DAY}T${hm}:00Z`) / 1000);
let admin;

const HOURS_COLS = 'hour, direction, integration_id, our_number, store_id, manager_id, '
  + 'answered, missed, other, talk_sum, talk_max';
const WAITS_COLS = 'hour, integration_id, our_number, store_id, manager_id, wait_seconds, calls';
async function dump() {
  return {
    hours: await sql(`SELECT ${HOURS_COLS} FROM analytics_hours
      ORDER BY hour, direction, integration_id, our_number, store_id, manager_id`),
    waits: await sql(`SELECT ${WAITS_COLS} FROM analytics_waits
      ORDER BY hour, integration_id, our_number, store_id, manager_id, wait_seconds`),
    totals: await sql('SELECT * FROM analytics_hour_totals ORDER BY hour, direction'),
    managers: await sql('SELECT * FROM analytics_hour_managers ORDER BY hour, manager_id'),
    lines: await sql('SELECT * FROM analytics_hour_lines ORDER BY hour, our_number, store_id'),
    hourWaits: await sql('SELECT * FROM analytics_hour_waits ORDER BY hour, wait_seconds'),
  };
}


async function report(c, q) {
  const r = await c.get(`/analytics?${q}&format=json`);
  assert.equal(r.status, 200, `${q}: ${r.status} ${r.text_.slice(0, 300)}`);
  return JSON.parse(r.text_);
}

async function post(ev) {
  const r = await postGeneric(ev);
  assert.equal(r.status, 200, r.text_);
}

before(async () => {
  admin = new Client();
  await admin.login('admin', 'admin');
});

test('summaries folded change by change equal a recompute from scratch', async () => {
  const did = '+48223900400';
  const [[mgr]] = await sql("SELECT id FROM users WHERE login = 'manager'");
  const q = `from=${DAY}&to=${DAY}`;
  const a = uid('sum-a'), b = uid('sum-b'), c = uid('sum-c');
  // A: the end comes first (answered by 101), its start late.
  await post({ event: 'call.end', call_id: a, direction: 'in', from: '+380501110001', did, ext: '101',
    start: at('10:20'), answer: at('10:20') + 5, end: at('10:21'), billsec: 55, status: 'answered' });
  // B: rings in hour 11; C: rings at 12:10.
  await post({ event: 'call.start', call_id: b, direction: 'in', from: '+380501110002', did, start: at('11:50') });
  await post({ event: 'call.start', call_id: c, direction: 'in', from: '+380501110003', did, start: at('12:10') });
  let m = await report(admin, q);
  assert.equal(m.source, 'summaries');
  assert.equal(m.current.in.answered.value >= 1, true);
  // A's late start; B's late end: missed; C's end states an earlier start
  // (11:55): the call moves from hour 12 to hour 11.
  await post({ event: 'call.start', call_id: a, direction: 'in', from: '+380501110001', did, start: at('10:20') });
  await post({ event: 'call.end', call_id: b, direction: 'in', from: '+380501110002', did, start: at('11:50'),
    end: at('11:51'), status: 'canceled' });
  m = await report(admin, q);
  await post({ event: 'call.end', call_id: c, direction: 'in', from: '+380501110003', did, ext: '101',
    start: at('11:55'), answer: at('11:55') + 12, end: at('11:58'), billsec: 168, status: 'answered' });
  const [[cStart]] = await sql('SELECT started_at FROM calls WHERE external_id = ?', [c]);
  assert.match(cStart, /^2026-02-10 11:55/);
  // A person gives A to another manager.
  await sql('UPDATE calls SET manager_id = ? WHERE external_id = ?', [mgr, a]);
  m = await report(admin, q);
  await noneDirty();
  const incremental = await dump();
  // The same hours, every one recomputed from the calls.
  await sql(`DELETE FROM analytics_hours; DELETE FROM analytics_waits;
    DELETE FROM analytics_hour_totals; DELETE FROM analytics_hour_managers;
    DELETE FROM analytics_hour_lines; DELETE FROM analytics_hour_waits;
    INSERT INTO analytics_dirty (hour)
      SELECT DISTINCT DATE_FORMAT(started_at, '%Y-%m-%d %H:00:00') FROM calls;
    CALL cb_analytics_fold(100000, 10)`);
  await noneDirty();
  const scratch = await dump();
  assert.ok(incremental.hours.length > 0);
  assert.deepEqual(incremental, scratch);
  // C moved: its hour 12 row is gone unless other calls are there.
  const [[in12]] = await sql(`SELECT COUNT(*) FROM calls WHERE our_number = ? AND
    started_at >= ? AND started_at < ?`, [did, `${DAY} 12:00:00`, `${DAY} 13:00:00`]);
  const [[sum12]] = await sql(`SELECT COALESCE(SUM(answered + missed + other), 0) FROM analytics_hours
    WHERE hour = ? AND our_number = ?`, [`${DAY} 12:00:00`, did]);
  assert.equal(sum12, in12);
});

// A report's JSON without the fields that say where it came from and how
// long each section took.
function figures(m) {
  const { source, numbers_source, timings_ms, ...rest } = m; // eslint-disable-line no-unused-vars
  return rest;
}

test('a report from the summaries equals the same report from the calls', async () => {
  const q = 'from=2026-01-01&to=2026-12-31';
  const fromSummaries = await report(admin, q);
  assert.equal(fromSummaries.source, 'summaries');
  assert.equal(fromSummaries.numbers_source, 'summaries');
  assert.ok(fromSummaries.followup.missed > 0);
  // Filtered: the full summaries rather than the per-figure tables.
  const [[mgr]] = await sql("SELECT id FROM users WHERE login = 'manager'");
  const qf = `${q}&manager=${mgr}&direction=in`;
  const filteredSummaries = await report(admin, qf);
  assert.equal(filteredSummaries.source, 'summaries');
  assert.equal(filteredSummaries.numbers_source, 'summaries');
  assert.ok(filteredSummaries.current.in.total.value > 0);
  // Another folder holds the fold's lease and an hour of the range and a
  // number are dirty: the page cannot fold them, so it reads the calls.
  await takeLease('summaries-test', 30);
  try {
    await sql("INSERT INTO analytics_dirty (hour) VALUES ('2026-06-01 10:00:00')");
    await sql("INSERT INTO analytics_numbers_dirty (digits) VALUES ('0000000000')");
    const fromCalls = await report(admin, q);
    assert.equal(fromCalls.source, 'calls');
    assert.equal(fromCalls.numbers_source, 'calls');
    assert.deepEqual(figures(fromCalls), figures(fromSummaries));
    const filtered = await report(admin, `${qf}`);
    assert.equal(filtered.source, 'calls');
    assert.equal(filtered.numbers_source, 'calls');
    assert.deepEqual(figures(filtered), figures(filteredSummaries));
  } finally {
    await giveLease('summaries-test');
  }
  await noneDirty();
});

test('the worker folds calls that no page asked for', async () => {
  const [[integ]] = await sql("SELECT id FROM integrations WHERE slug = 'generic'");
  const ext = uniq('sumw');
  const line = `+4822${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result, our_number,
      started_at, talk_seconds, wait_seconds, answered_at)
    VALUES (?, ?, 'in', 'ended', 'answered', ?, '2026-02-11 09:15:00', 33, 4,
      '2026-02-11 09:15:04')`, [integ, ext, line]);
  await noneDirty();
  const [[n, talk]] = await sql(`SELECT SUM(answered), SUM(talk_sum) FROM analytics_hours
    WHERE hour = '2026-02-11 09:00:00' AND our_number = ?`, [line]);
  assert.deepEqual([n, talk], ['1', '33']);
  const [[w]] = await sql(`SELECT calls FROM analytics_waits
    WHERE hour = '2026-02-11 09:00:00' AND our_number = ? AND wait_seconds = 4`, [line]);
  assert.equal(w, '1');
});

test('a half-hour zone reads the calls, with the same totals', async () => {
  const login = uniq('ankol');
  await createUser(admin, { name: 'Kolkata viewer', login, role_id: 1, password: 'long enough pw',
    time_zone: 'Asia/Kolkata' });
  const v = new Client();
  await v.login(login, 'long enough pw');
  const m = await report(v, 'from=2026-01-01&to=2026-12-31');
  assert.equal(m.source, 'calls');
  const u = await report(admin, 'from=2026-01-01&to=2026-12-31');
  assert.equal(u.source, 'summaries');
});

test('new and returning callers: a number with a call before the range returns', async () => {
  const [[integ]] = await sql("SELECT id FROM integrations WHERE slug = 'generic'");
  const line = `+4822${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const n = () => `+38067${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const old = n(), fresh = n();
  const rev = (x) => x.replace(/\D/g, '').split('').reverse().join('');
  for (const [num, at] of [[old, '2025-06-01 10:00:00'], [old, '2026-02-12 10:00:00'],
    [fresh, '2026-02-12 11:00:00']]) {
    await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result, client_number,
        client_digits_rev, our_number, started_at)
      VALUES (?, ?, 'in', 'ended', 'missed', ?, ?, ?, ?)`, [integ, uniq('sumc'), num, rev(num), line, at]);
  }
  const m = await report(admin, `from=2026-02-12&to=2026-02-12&line=${encodeURIComponent(line)}`);
  assert.deepEqual([m.callers.numbers, m.callers.new, m.callers.returning], [2, 1, 1]);
});
