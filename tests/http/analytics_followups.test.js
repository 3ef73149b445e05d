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
//     until it expires.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid, sleep } from '../lib/generic.js';
import { takeLease, giveLease } from '../lib/analytics.js';

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

async function noneDirty() {
  for (let i = 0; i < 100; i++) {
    const [[n]] = await sql(`SELECT (SELECT COUNT(*) FROM analytics_numbers_dirty)
      + (SELECT COUNT(*) FROM analytics_dirty)`);
    if (n === '0') return;
    await sleep(100);
  }
  assert.fail('the dirty tables did not empty in 10 s');
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
    const [[folded]] = await sql('CALL cb_analytics_fold(10, 0)');
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
