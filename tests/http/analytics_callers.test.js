// New versus returning callers from analytics_callers (issue 21 "Speed",
// migration 0034): per incoming call with a number, the start of the
// number's previous incoming call (overall and per filter value) and the
// number's first call of any direction, so "distinct callers of a range" is
// a count of the range's calls whose previous call is before it. Checked
// here:
//   - the rows, folded change by change as calls change (events out of
//     order, two calls of a number at the same millisecond, a call moved to
//     another number, two calls merged into one, a reassignment), equal a
//     recompute from scratch and an independent recompute from the calls;
//   - the figure equals the distinct numbers of the calls (the page's
//     reading of the calls, and counts worked out by hand) unfiltered,
//     under each filter and under two at once;
//   - a report that runs past its time limit answers 503 with a reason,
//     and the next report runs normally.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid, sleep } from '../lib/generic.js';
import { takeLease, giveLease, rev, insertCalls, noneDirty } from '../lib/analytics.js';

const DAY = '2026-05-20';
const rnd = () => String(Math.floor(Math.random() * 1e7)).padStart(7, '0');
const at = (day, hm) => Math.floor(Date.parse(`${day}T${hm}:00Z`) / 1000);
const marks = (list) => list.map(() => '?').join(', ');
let admin, integ, asterisk, mgr, olena, store;

const COLS = 'started_at, call_id, client_digits_rev, integration_id, our_number, store_id, '
  + 'manager_id, first_at, prev_at, prev_manager_at, prev_line_at, prev_integration_at, prev_store_at';

async function dump(digits) {
  return sql(`SELECT ${COLS} FROM analytics_callers WHERE client_digits_rev IN (${marks(digits)})
    ORDER BY call_id`, digits);
}

// The same rows worked out from the calls without window functions: the
// previous incoming call in (started_at, id) order, with the same value of
// each filter column (<=>: no store is a value too).
async function oracle(digits) {
  const prev = (same) => `(SELECT a.started_at FROM calls a
    WHERE a.client_digits_rev = c.client_digits_rev AND a.direction = 'in' ${same}
      AND (a.started_at < c.started_at OR (a.started_at = c.started_at AND a.id < c.id))
    ORDER BY a.started_at DESC, a.id DESC LIMIT 1)`;
  return sql(`SELECT c.started_at, c.id, c.client_digits_rev, c.integration_id, c.our_number,
      c.store_id, c.manager_id,
      (SELECT MIN(a.started_at) FROM calls a WHERE a.client_digits_rev = c.client_digits_rev),
      ${prev('')}, ${prev('AND a.manager_id <=> c.manager_id')},
      ${prev('AND a.our_number <=> c.our_number')},
      ${prev('AND a.integration_id <=> c.integration_id')},
      ${prev('AND a.store_id <=> c.store_id')}
    FROM calls c WHERE c.direction = 'in' AND c.client_digits_rev IN (${marks(digits)})
    ORDER BY c.id`, digits);
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

const insertCall = (f) => insertCalls([{ integ, ...f }]);

before(async () => {
  admin = new Client();
  await admin.login('admin', 'admin');
  [[integ]] = await sql("SELECT id FROM integrations WHERE slug = 'generic'");
  [[asterisk]] = await sql("SELECT id FROM integrations WHERE slug = 'asterisk'");
  [[mgr]] = await sql("SELECT id FROM users WHERE login = 'manager'");
  [[olena]] = await sql(`SELECT id FROM users WHERE login NOT IN ('manager', 'admin')
    ORDER BY id LIMIT 1`);
  const s = await sql('SELECT id FROM stores ORDER BY id LIMIT 1');
  store = s.length ? s[0][0] : null;
});

test('callers rows folded change by change equal a recompute from scratch and from the calls',
  async () => {
    const line = `+4822${rnd()}`;
    const n1 = `+38095${rnd()}`, n2 = `+38095${rnd()}`, n3 = `+38095${rnd()}`;
    const day = '2026-05-12';
    const digits = [rev(n1), rev(n2), rev(n3)];
    // n1: the end event first, then its start (out of order), then a
    // callback out and a second incoming call, answered by 101.
    const m1 = uid('clr-m1');
    await post({ event: 'call.end', call_id: m1, direction: 'in', from: n1, did: line,
      start: at(day, '09:00'), end: at(day, '09:00') + 30, status: 'canceled' });
    await post({ event: 'call.start', call_id: m1, direction: 'in', from: n1, did: line,
      start: at(day, '09:00') });
    await post({ event: 'call.end', call_id: uid('clr-o1'), direction: 'out', from: line, to: n1,
      did: line, ext: '101', start: at(day, '08:30'), answer: at(day, '08:30') + 5,
      end: at(day, '08:31'), billsec: 55, status: 'answered' });
    await post({ event: 'call.end', call_id: uid('clr-a1'), direction: 'in', from: n1, did: line,
      ext: '101', start: at(day, '10:00'), answer: at(day, '10:00') + 4, end: at(day, '10:02'),
      billsec: 116, status: 'answered' });
    await noneDirty();
    // n2: two incoming calls at the same millisecond (one order: the id
    // decides), one with a store, one through another integration.
    const tie1 = uid('clr-t1'), tie2 = uid('clr-t2');
    await insertCall({ ext: tie1, num: n2, line, at: `${day} 11:00:00.250`, mgr, store });
    await insertCall({ ext: tie2, num: n2, line, at: `${day} 11:00:00.250`, mgr: olena,
      integ: asterisk });
    await insertCall({ num: n2, line, at: `${day} 12:00:00`, mgr });
    await noneDirty();
    let folded = await dump(digits);
    assert.deepEqual(folded, await oracle(digits));
    const [[t2]] = await sql('SELECT id FROM calls WHERE external_id = ?', [tie2]);
    const tieRow = folded.find((r) => r[1] === t2);
    assert.equal(tieRow[8], `${day} 11:00:00.250`, 'the later id of a tie follows the earlier');
    // A call moved to another number (a corrected number), a reassignment,
    // and a merge (two rows of one call: the later one goes, its start
    // moves to the earlier).
    await sql(`UPDATE calls SET client_number = ?, client_digits_rev = ? WHERE external_id = ?`,
      [n3, rev(n3), tie1]);
    await sql('UPDATE calls SET manager_id = ? WHERE external_id = ?', [olena, m1]);
    await sql('DELETE FROM calls WHERE external_id = ?', [tie2]);
    await sql(`UPDATE calls SET started_at = ? WHERE client_digits_rev = ? AND started_at = ?`,
      [`${day} 08:00:00`, rev(n2), `${day} 12:00:00`]);
    await noneDirty();
    folded = await dump(digits);
    assert.deepEqual(folded, await oracle(digits));
    assert.equal(folded.filter((r) => r[2] === rev(n3)).length, 1, 'the moved call is n3\'s');
    // n1's first call is the outgoing one; its incoming calls follow it.
    const n1Rows = folded.filter((r) => r[2] === rev(n1));
    assert.deepEqual(n1Rows.map((r) => r[7]), [`${day} 08:30:00.000`, `${day} 08:30:00.000`]);
    assert.deepEqual(n1Rows.map((r) => r[8]), [null, `${day} 09:00:00.000`]);
    // Every number recomputed from scratch gives the same rows.
    const incremental = await sql(`SELECT ${COLS} FROM analytics_callers ORDER BY call_id`);
    await sql(`DELETE FROM analytics_callers;
      INSERT INTO analytics_numbers_dirty (digits)
        SELECT DISTINCT client_digits_rev FROM calls WHERE client_digits_rev <> '';
      CALL cb_analytics_fold(100000, 10)`);
    await noneDirty();
    assert.deepEqual(await sql(`SELECT ${COLS} FROM analytics_callers ORDER BY call_id`),
      incremental);
  });

// [numbers, new, returning] of a report.
const callers = (m) => [m.callers.numbers, m.callers.new, m.callers.returning];

test('the callers figure equals the distinct numbers of the calls, under every filter', async () => {
  const l1 = `+4822${rnd()}`, l2 = `+4822${rnd()}`;
  const n = () => `+38096${rnd()}`;
  const n1 = n(), n2 = n(), n3 = n(), n4 = n(), n5 = n();
  const d = (hm) => `${DAY} ${hm}:00`;
  // n1: returning (a call a month before), three calls in the day over
  // two lines and two managers.
  await insertCall({ num: n1, line: l2, at: '2026-04-20 10:00:00', mgr: olena });
  await insertCall({ num: n1, line: l1, at: d('09:00'), mgr });
  await insertCall({ num: n1, line: l1, at: d('10:00'), mgr: olena });
  await insertCall({ num: n1, line: l2, at: d('11:00'), mgr, integ: asterisk });
  // n2: new (its outgoing call is inside the range).
  await insertCall({ num: n2, line: l1, at: d('08:00'), dir: 'out', result: 'answered', mgr });
  await insertCall({ num: n2, line: l1, at: d('12:00'), mgr, store });
  // n3: returning through an outgoing call ten days before.
  await insertCall({ num: n3, line: l2, at: '2026-05-10 12:00:00', dir: 'out', result: 'answered' });
  await insertCall({ num: n3, line: l2, at: d('13:00'), mgr: olena, store });
  // n4: new, two calls at the same millisecond on the two lines.
  await insertCall({ num: n4, line: l1, at: d('14:00'), mgr });
  await insertCall({ num: n4, line: l2, at: d('14:00'), mgr: olena });
  // n5: not in the range (the days around it).
  await insertCall({ num: n5, line: l1, at: '2026-05-19 12:00:00', mgr });
  await insertCall({ num: n5, line: l1, at: '2026-05-21 12:00:00', mgr });
  await noneDirty();
  const q = `from=${DAY}&to=${DAY}`;
  const L1 = `line=${encodeURIComponent(l1)}`, L2 = `line=${encodeURIComponent(l2)}`;
  // Worked out by hand.
  const expect = [
    [L1, [3, 2, 1]],                          // n1, n2, n4
    [L2, [3, 1, 2]],                          // n1, n3, n4
    [`${L1}&manager=${mgr}`, [3, 2, 1]],      // two filters: n1 09:00, n2, n4
    [`${L2}&manager=${olena}`, [2, 1, 1]],    // n3, n4
    [`${L1}&direction=out`, [0, 0, 0]],       // only incoming calls count
    [`${L1}&direction=in`, [3, 2, 1]],
  ];
  const queries = [...expect.map(([f]) => f), '', `manager=${mgr}`, `manager=${olena}`,
    `integration=${asterisk}`, `integration=${integ}`, `integration=${asterisk}&${L2}`,
    ...(store ? [`store=${store}`, `store=${store}&${L2}`] : [])];
  const summaries = {};
  for (const f of queries) {
    const m = await report(admin, `${q}&${f}`);
    assert.equal(m.numbers_source, 'summaries', f);
    summaries[f] = callers(m);
  }
  for (const [f, want] of expect) assert.deepEqual(summaries[f], want, f);
  // The page's reading of the calls (another folder holds the lease and a
  // number is dirty, so the page cannot use the summaries) agrees.
  await takeLease('callers-test', 60);
  try {
    await sql("INSERT INTO analytics_numbers_dirty (digits) VALUES ('0000000000')");
    for (const f of queries) {
      const m = await report(admin, `${q}&${f}`);
      assert.equal(m.numbers_source, 'calls', f);
      assert.deepEqual(callers(m), summaries[f], f);
    }
  } finally {
    await giveLease('callers-test');
  }
  await noneDirty();
});

test('a report past its time limit answers 503 with a reason, and the next one runs', async () => {
  const name = 'analytics.time_limit_seconds';
  const [old] = await sql('SELECT value FROM settings WHERE name = ?', [name]);
  // Another folder holds the lease and a number waits: the page's fold
  // waits for the lease (2 s), longer than the report may take.
  await takeLease('limit-test', 60);
  try {
    await sql(`INSERT INTO settings (name, value) VALUES (?, '1')
      ON DUPLICATE KEY UPDATE value = VALUES(value)`, [name]);
    await sql("INSERT INTO analytics_numbers_dirty (digits) VALUES ('0000000000')");
    const t0 = Date.now();
    const r = await admin.get(`/analytics?from=${DAY}&to=${DAY}`);
    assert.equal(r.status, 503, r.text_.slice(0, 300));
    assert.match(r.text_, /took too long and was stopped/);
    assert.ok(Date.now() - t0 < 4000, `answered after ${Date.now() - t0} ms`);
    const j = await admin.get(`/analytics?from=${DAY}&to=${DAY}&format=json`);
    assert.equal(j.status, 503);
    assert.match(JSON.parse(j.text_).error.message, /Choose a shorter range/);
  } finally {
    if (old) await sql('UPDATE settings SET value = ? WHERE name = ?', [old[0], name]);
    else await sql('DELETE FROM settings WHERE name = ?', [name]);
    await giveLease('limit-test');
  }
  await noneDirty();
  // The same connection, its limit back to none: a normal report.
  const m = await report(admin, `from=${DAY}&to=${DAY}`);
  assert.ok(m.timings_ms.daily >= 0);
});
