// The follow-up and first-call summaries (issue 21 "Speed", migration 0032):
// per missed incoming call, the first later answered call with its number
// and the delay; per number, its first call. Kept from dirty numbers that
// triggers on calls write in the writer's transaction, folded by the worker
// and the page (cb_analytics_fold, under a lease row instead of GET_LOCK).
// Checked here:
//   - calls changed the ways calls change (a late end event, a missed call
//     then a callback, a callback that arrives before the missed call's end
//     event, a reassignment of the callback, the callback deleted) give,
//     folded a little at a time, the rows a recompute from scratch gives,
//     and the delays and handlers the rule says;
//   - the target is compared when the page reads: changing it changes the
//     classes without any fold;
//   - the fold takes no named lock (Galera refuses GET_LOCK): another
//     session holding the old lock does not stop it; the lease row does,
//     until it expires;
//   - the one-pass (window) fold of 0037 gives the rows of the per-call
//     rule (0032's dependent subquery, run here as the oracle) where a
//     window could go wrong: ties at one millisecond (two answered calls,
//     two missed calls, a missed and an answered call, ids in either
//     order), our answered callback, a failed call between, a number whose
//     only answered call is earlier, a number with hundreds of calls;
//   - a fold batch is bounded by its numbers' calls, and a number with
//     more calls than the bound is a batch of its own.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid, sleep } from '../lib/generic.js';
import { takeLease, giveLease, rev, insertCalls, noneDirty } from '../lib/analytics.js';

const DAY = '2026-04-14';
const at = (hm, s = 0) => Math.floor(Date.parse(`${DAY}T${hm}:00Z`) / 1000) + s;
const rnd = () => String(Math.floor(Math.random() * 1e7)).padStart(7, '0');
let admin;

const FU_COLS = 'started_at, call_id, client_digits_rev, client_number, integration_id, our_number, '
  + 'store_id, manager_id, handled_id, handled_out, handled_manager_id, delay_seconds';
async function dump() {
  return {
    followups: await sql(`SELECT ${FU_COLS} FROM analytics_followups ORDER BY call_id`),
    first: await sql('SELECT client_digits_rev, first_at FROM analytics_first_calls ORDER BY client_digits_rev'),
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

async function followupOf(ext) {
  const rows = await sql(`SELECT f.handled_id, f.handled_out, f.delay_seconds, f.handled_manager_id
    FROM analytics_followups f JOIN calls c ON c.id = f.call_id WHERE c.external_id = ?`, [ext]);
  return rows;
}

async function idOf(ext) {
  const [[id]] = await sql('SELECT id FROM calls WHERE external_id = ?', [ext]);
  return id;
}

before(async () => {
  admin = new Client();
  await admin.login('admin', 'admin');
});

test('follow-ups folded change by change equal a recompute from scratch', async () => {
  const did = `+4822${rnd()}`;
  const n1 = `+38093${rnd()}`, n2 = `+38093${rnd()}`, n3 = `+38093${rnd()}`;
  const [[mgr]] = await sql("SELECT id FROM users WHERE login = 'manager'");
  const [[olena]] = await sql("SELECT id FROM users WHERE login <> 'manager' AND login <> 'admin' ORDER BY id LIMIT 1");
  const m1 = uid('fu-m1'), cb1 = uid('fu-cb1'), m2 = uid('fu-m2'), cb2 = uid('fu-cb2');
  const m3 = uid('fu-m3'), a3 = uid('fu-a3');
  // The page below folds one small batch: nobody else's backlog first.
  await noneDirty(30_000);

  // 1. n1 misses at 09:00 (a late end event: rings first, ends later),
  //    then we call back at 09:07:30.
  await post({ event: 'call.start', call_id: m1, direction: 'in', from: n1, did, start: at('09:00') });
  assert.deepEqual(await followupOf(m1), [], 'still ringing: not a missed call yet');
  await post({ event: 'call.end', call_id: m1, direction: 'in', from: n1, did, start: at('09:00'),
    end: at('09:00', 30), status: 'canceled' });
  await report(admin, `from=${DAY}&to=${DAY}`);   // the page folds
  assert.deepEqual(await followupOf(m1), [[null, '0', null, null]], 'missed, not handled yet');
  await post({ event: 'call.end', call_id: cb1, direction: 'out', from: did, to: n1, did, ext: '101',
    start: at('09:07', 30), answer: at('09:07', 40), end: at('09:09'), billsec: 80, status: 'answered' });
  await noneDirty();
  const cb1Id = await idOf(cb1);
  let [[hId, hOut, delay]] = await followupOf(m1);
  assert.deepEqual([hId, hOut, delay], [cb1Id, '1', '450']);

  // 2. n2: the callback's events arrive before the missed call's end
  //    event (the PBX sent the missed call's end late): while the missed
  //    call rings it has no follow-up; its end makes it missed, handled by
  //    the callback that is already there.
  await post({ event: 'call.start', call_id: m2, direction: 'in', from: n2, did, start: at('10:00') });
  await post({ event: 'call.end', call_id: cb2, direction: 'out', from: did, to: n2, did, ext: '101',
    start: at('10:20'), answer: at('10:20', 5), end: at('10:22'), billsec: 115, status: 'answered' });
  await noneDirty();
  assert.deepEqual(await followupOf(m2), []);
  await post({ event: 'call.end', call_id: m2, direction: 'in', from: n2, did, start: at('10:00'),
    end: at('10:00', 40), status: 'canceled' });
  await noneDirty();
  [[hId, hOut, delay]] = await followupOf(m2);
  assert.deepEqual([hId, hOut, delay], [await idOf(cb2), '1', '1200']);

  // 3. n3 misses, then calls again and is answered (incoming: handled, not
  //    a callback); then a person gives that answered call to another
  //    manager: the handler's manager follows.
  await post({ event: 'call.end', call_id: m3, direction: 'in', from: n3, did, start: at('11:00'),
    end: at('11:00', 20), status: 'canceled' });
  await post({ event: 'call.end', call_id: a3, direction: 'in', from: n3, did, ext: '101',
    start: at('11:50'), answer: at('11:50', 4), end: at('11:53'), billsec: 176, status: 'answered' });
  await sql('UPDATE calls SET manager_id = ? WHERE external_id = ?', [olena, a3]);
  await noneDirty();
  [[hId, hOut, delay]] = await followupOf(m3);
  assert.deepEqual([hId, hOut, delay], [await idOf(a3), '0', '3000']);
  assert.equal((await followupOf(m3))[0][3], olena);
  await sql('UPDATE calls SET manager_id = ? WHERE external_id = ?', [mgr, cb1]);

  // 4. The callback of n1 is deleted: n1's missed call is never handled.
  await sql('DELETE FROM calls WHERE external_id = ?', [cb1]);
  await noneDirty();
  assert.deepEqual((await followupOf(m1)).map((r) => r[0]), [null]);

  // First calls: n1's first call is its missed call.
  const [[first]] = await sql(`SELECT first_at FROM analytics_first_calls
    WHERE client_digits_rev = REVERSE(REPLACE(?, '+', ''))`, [n1]);
  assert.match(first, /^2026-04-14 09:00:00/);

  const incremental = await dump();
  // Every number recomputed from the calls.
  await sql(`DELETE FROM analytics_followups; DELETE FROM analytics_first_calls;
    INSERT INTO analytics_numbers_dirty (digits)
      SELECT DISTINCT client_digits_rev FROM calls WHERE client_digits_rev <> '';
    CALL cb_analytics_fold(100000, 10)`);
  await noneDirty();
  const scratch = await dump();
  assert.ok(incremental.followups.length >= 3);
  assert.deepEqual(incremental, scratch);
});

test('the target is compared when the page reads, not when the calls are folded', async () => {
  const did = `+4822${rnd()}`, n = `+38093${rnd()}`;
  const q = `from=2026-04-15&to=2026-04-15&line=${encodeURIComponent(did)}`;
  const t = (hm) => Math.floor(Date.parse(`2026-04-15T${hm}:00Z`) / 1000);
  await post({ event: 'call.end', call_id: uid('fut-m'), direction: 'in', from: n, did, start: t('09:00'),
    end: t('09:00') + 20, status: 'canceled' });
  await post({ event: 'call.end', call_id: uid('fut-cb'), direction: 'out', from: did, to: n, did, ext: '101',
    start: t('09:20'), answer: t('09:20') + 5, end: t('09:21'), billsec: 55, status: 'answered' });
  await noneDirty();
  const [old] = await sql("SELECT value FROM settings WHERE name = 'analytics.callback_target_minutes'");
  try {
    await sql(`INSERT INTO settings (name, value) VALUES ('analytics.callback_target_minutes', '15')
      ON DUPLICATE KEY UPDATE value = VALUES(value)`);
    let m = await report(admin, q);
    assert.equal(m.numbers_source, 'summaries');
    assert.deepEqual([m.followup.within, m.followup.late, m.followup.median_seconds], [0, 1, 1200]);
    await sql("UPDATE settings SET value = '30' WHERE name = 'analytics.callback_target_minutes'");
    m = await report(admin, q);
    assert.deepEqual([m.followup.within, m.followup.late], [1, 0]);
  } finally {
    if (old) await sql("UPDATE settings SET value = ? WHERE name = 'analytics.callback_target_minutes'", [old[0]]);
    else await sql("DELETE FROM settings WHERE name = 'analytics.callback_target_minutes'");
  }
});

test('the fold takes a lease row, not a named lock (Galera refuses GET_LOCK)', async () => {
  const cnf = `${process.env.CB_STATE_DIR}/mariadb.cnf`;
  // The old lock, held by another session: the fold does not wait for it.
  const holder = spawn('mariadb', [`--defaults-file=${cnf}`, 'callboard', '-e',
    "SELECT GET_LOCK('callboard.analytics_fold', 5); SELECT SLEEP(4);"], { stdio: 'ignore' });
  try {
    await sleep(700);
    // Waiting up to 2 s for the lease: the stack's worker takes it for a
    // moment every second (with 0, meeting it there was a -1: CI, session
    // 15). A fold that waited for the named lock, held 4 s, still gives -1.
    const [[folded]] = await sql('CALL cb_analytics_fold(10, 2)');
    assert.notEqual(folded, '-1', 'the fold waited for a named lock');
  } finally {
    await new Promise((r) => { holder.on('exit', r); });
  }
  const [[named]] = await sql(`SELECT ROUTINE_DEFINITION LIKE '%GET\\_LOCK%'
    FROM information_schema.routines
    WHERE routine_schema = DATABASE() AND routine_name = 'cb_analytics_fold'`);
  assert.equal(named, '0', 'cb_analytics_fold names GET_LOCK');
  // Someone else's lease: busy until it expires.
  await takeLease('test-holder', 30);
  try {
    const [[folded, pending]] = await sql('CALL cb_analytics_fold(10, 0)');
    assert.deepEqual([folded, pending], ['-1', '1']);
    await sql("UPDATE analytics_fold_lease SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE holder = 'test-holder'");
    const [[again]] = await sql('CALL cb_analytics_fold(10, 0)');
    assert.notEqual(again, '-1', 'an expired lease is taken');
  } finally {
    await giveLease('test-holder');
  }
  // The stack's worker folds too and may hold the lease for a moment: a
  // fold that kept it would hold it for 120 s, so wait a few seconds.
  let h = '0';
  for (let i = 0; i < 50 && h !== '1'; i++) {
    if (i) await sleep(100);
    [[h]] = await sql('SELECT holder IS NULL FROM analytics_fold_lease WHERE id = 1');
  }
  assert.equal(h, '1', 'the fold gave the lease back');
});

// The rows worked out from the calls without window functions: per missed
// incoming call, the first answered call of its number (either direction)
// with a later start, in (started_at, id) order (0032's statement).
async function oracle(digits) {
  return sql(`SELECT c.started_at, c.id, c.client_digits_rev, c.client_number, c.integration_id,
      c.our_number, c.store_id, c.manager_id, h.id, COALESCE(h.direction = 'out', 0), h.manager_id,
      TIMESTAMPDIFF(MICROSECOND, c.started_at, h.started_at) DIV 1000000
    FROM calls c
    LEFT JOIN calls h ON h.id = (SELECT a.id FROM calls a
      WHERE a.client_digits_rev = c.client_digits_rev AND a.result = 'answered'
        AND a.started_at > c.started_at
      ORDER BY a.started_at, a.id LIMIT 1)
    WHERE c.direction = 'in' AND c.result IN ('missed', 'no_answer', 'busy')
      AND c.client_digits_rev IN (${digits.map(() => '?').join(', ')})
    ORDER BY c.id`, digits);
}

async function folded(digits) {
  return sql(`SELECT ${FU_COLS} FROM analytics_followups
    WHERE client_digits_rev IN (${digits.map(() => '?').join(', ')}) ORDER BY call_id`, digits);
}

// A busy number's day: `count` calls in an order unrelated to their starts
// (ids and times disagree), on 150 starts a second and a half apart (many
// calls share a millisecond), every result and both directions; the same
// calls every run (a fixed seed).
function busyDay(integ, num, line, day, count) {
  let seed = 20261206;
  const next = (n) => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return (seed >>> 16) % n; };
  const results = ['answered', 'answered', 'missed', 'no_answer', 'busy', 'failed'];
  const list = [];
  for (let i = 0; i < count; i++) {
    const ms = Date.parse(`${day}T08:00:00Z`) + next(150) * 1500;
    const at = new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
    list.push({ integ, num, line, at, dir: next(4) === 0 ? 'out' : 'in', result: results[next(6)] });
  }
  return list;
}

test('the one-pass fold gives the per-call rule\'s rows: ties, callbacks, a busy number', async () => {
  const day = '2026-04-16';
  const line = `+4822${rnd()}`;
  const n1 = `+38093${rnd()}`, n2 = `+38093${rnd()}`, n3 = `+38093${rnd()}`, n4 = `+38093${rnd()}`;
  const digits = [rev(n1), rev(n2), rev(n3), rev(n4)];
  const [[integ]] = await sql("SELECT id FROM integrations WHERE slug = 'generic'");
  const t = (hms) => `${day} ${hms}`;
  const ext = (k) => uid(`fuw-${k}`);
  const x = {};
  for (const k of ['mTieLow', 'm1', 'aOut', 'aIn', 'mTieHigh', 'mTwinA', 'mTwinB', 'a3', 'other',
    'mOut', 'n2a', 'n2m', 'n3a0', 'n3m', 'n3a1']) x[k] = ext(k);
  const c = (k, num, at, f = {}) => ({ integ, ext: x[k], num, line, at: t(at), ...f });
  await insertCalls([
    // n1: a missed call at 09:05:00.500 written before the two answered
    // calls of that millisecond, one after them; neither answered call
    // handles them (not later), the next answered call at 09:30 does.
    c('mTieLow', n1, '09:05:00.500'),
    c('m1', n1, '09:00:00.000'),
    // two answered calls in one millisecond: the lower id handles 09:00,
    // and it is ours calling back.
    c('aOut', n1, '09:05:00.500', { dir: 'out', result: 'answered' }),
    c('aIn', n1, '09:05:00.500', { result: 'answered' }),
    c('mTieHigh', n1, '09:05:00.500', { result: 'no_answer' }),
    // two missed calls in one millisecond: both handled by 09:30.
    c('mTwinA', n1, '09:10:00.250', { result: 'busy' }),
    c('mTwinB', n1, '09:10:00.250'),
    c('a3', n1, '09:30:00.000', { result: 'answered' }),
    // neither a failed call nor our missed call handles anything, nor is
    // a follow-up row.
    c('other', n1, '09:20:00.000', { result: 'failed' }),
    c('mOut', n1, '09:25:00.000', { dir: 'out' }),
    // n2: its only answered call is earlier than its missed call.
    c('n2a', n2, '08:00:00.000', { result: 'answered' }),
    c('n2m', n2, '08:30:00.000'),
    // n3: answered calls only at the missed call's own millisecond, one
    // written before it, one after: never handled.
    c('n3a0', n3, '12:00:00.100', { result: 'answered' }),
    c('n3m', n3, '12:00:00.100'),
    c('n3a1', n3, '12:00:00.100', { dir: 'out', result: 'answered' }),
  ]);
  // n4: hundreds of calls, and a missed call after the last answer.
  await insertCalls([...busyDay(integ, n4, line, day, 400),
    { integ, num: n4, line, at: t('20:00:00.000') }]);
  await noneDirty();

  const rows = await folded(digits);
  assert.deepEqual(rows, await oracle(digits));
  const byExt = Object.fromEntries(await sql(`SELECT external_id, id FROM calls
    WHERE external_id IN (${Object.keys(x).map(() => '?').join(', ')})`, Object.values(x)));
  const ids = Object.fromEntries(Object.entries(x).map(([k, e]) => [k, byExt[e]]));
  const of = (k) => {
    const r = rows.find((row) => row[1] === ids[k]);
    return r && [r[8], r[9], r[11]];
  };
  assert.deepEqual(of('m1'), [ids.aOut, '1', '300'], 'the lower id of a tie, our callback');
  for (const k of ['mTieLow', 'mTieHigh']) {
    assert.deepEqual(of(k), [ids.a3, '0', '1499'], `${k}: an answer of its own millisecond is not later`);
  }
  assert.deepEqual(of('mTwinA'), [ids.a3, '0', '1199']);
  assert.deepEqual(of('mTwinB'), [ids.a3, '0', '1199']);
  assert.equal(of('other'), undefined);
  assert.equal(of('mOut'), undefined);
  assert.deepEqual(of('n2m'), [null, '0', null], 'only an earlier answered call: never handled');
  assert.deepEqual(of('n3m'), [null, '0', null], 'answered in its own millisecond: never handled');
  const busy = rows.filter((r) => r[2] === rev(n4));
  assert.ok(busy.length > 100, `the busy number's missed calls: ${busy.length}`);
  assert.ok(busy.filter((r) => r[8] !== null).length > 100, 'handled');
  assert.equal(busy.at(-1)[8], null, 'the last missed call: never handled');

  // The same again refolded from scratch.
  await sql(`DELETE FROM analytics_followups WHERE client_digits_rev IN (${digits.map(() => '?').join(', ')});
    INSERT INTO analytics_numbers_dirty (digits) VALUES ${digits.map(() => '(?)').join(', ')}`,
  [...digits, ...digits]);
  await noneDirty();
  assert.deepEqual(await folded(digits), rows);
});

test('a fold batch is bounded by its numbers\' calls; a busier number is a batch alone', async () => {
  const line = `+4822${rnd()}`;
  const small1 = `+38094${rnd()}`, big = `+38094${rnd()}`, small2 = `+38094${rnd()}`;
  const [[integ]] = await sql("SELECT id FROM integrations WHERE slug = 'generic'");
  await insertCalls([
    ...[1, 2, 3].map((s) => ({ integ, num: small1, line, at: `2026-04-17 08:00:0${s}.000` })),
    ...busyDay(integ, big, line, '2026-04-17', 300),
    ...[1, 2].map((s) => ({ integ, num: small2, line, at: `2026-04-17 09:00:0${s}.000` })),
  ]);
  await noneDirty();
  // In a transaction rolled back at the end: only these three numbers are
  // dirty, in this order (small1 oldest), for the pick alone (no fold).
  // 20 x p_max_hours dirty rows, and at most 50 x p_max_hours calls.
  const pick = (tag, h) => `CALL cb_analytics_fold_pick(${h});
    SELECT '${tag}', n.digits FROM cb_fold_numbers n JOIN analytics_numbers_dirty d
      ON d.digits = n.digits GROUP BY n.digits ORDER BY MIN(d.id);`;
  const rows = await sql(`SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    START TRANSACTION;
    DELETE FROM analytics_numbers_dirty;
    INSERT INTO analytics_numbers_dirty (digits) VALUES (?), (?), (?);
    ${pick('1h', 1)} ${pick('7h', 7)}
    DELETE FROM analytics_numbers_dirty WHERE digits = ?;
    ${pick('1h-big-first', 1)} ${pick('10h', 10)}
    ROLLBACK;`, [rev(small1), rev(big), rev(small2), rev(small1)]);
  const picked = (tag) => rows.filter((r) => r[0] === tag).map((r) => r[1]);
  assert.deepEqual(picked('1h'), [rev(small1)], '3 calls, then 300 would pass 50');
  assert.deepEqual(picked('7h'), [rev(small1), rev(big), rev(small2)], '305 calls within 350');
  assert.deepEqual(picked('1h-big-first'), [rev(big)], 'the first number, over the bound, alone');
  assert.deepEqual(picked('10h'), [rev(big), rev(small2)]);
});
