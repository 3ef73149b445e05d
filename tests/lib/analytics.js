// Helpers of the analytics tests: the fold's lease (migration 0032:
// analytics_fold_lease, the row cb_analytics_fold takes instead of
// GET_LOCK), which tests hold as another folder would, to see what a page
// does while it cannot fold; and call rows written straight to the table.
import assert from 'node:assert/strict';
import { sql } from './db.js';
import { uid } from './generic.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Takes the lease for `holder` for `seconds`, waiting while a folder (the
// worker, a page) has it.
export async function takeLease(holder, seconds) {
  for (let i = 0; i < 100; i++) {
    await sql(`UPDATE analytics_fold_lease SET holder = ?,
      expires_at = UTC_TIMESTAMP(6) + INTERVAL ? SECOND
      WHERE id = 1 AND expires_at < UTC_TIMESTAMP(6)`, [holder, seconds]);
    const [[mine]] = await sql('SELECT holder = ? FROM analytics_fold_lease WHERE id = 1', [holder]);
    if (mine === '1') return;
    await sleep(100);
  }
  assert.fail('the analytics fold lease stayed taken for 10 s');
}

export async function giveLease(holder) {
  await sql(`UPDATE analytics_fold_lease SET holder = NULL, expires_at = '1970-01-02 00:00:00'
    WHERE holder = ?`, [holder]);
}

// Waits until the fold has caught up: both dirty tables (0028's hours,
// 0032's numbers) empty. A test that leaves a backlog behind makes the
// next one's page fold someone else's numbers first (a page folds one
// small batch), so every test that writes calls ends with this.
export async function noneDirty(ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const [[n]] = await sql(`SELECT (SELECT COUNT(*) FROM analytics_numbers_dirty)
      + (SELECT COUNT(*) FROM analytics_dirty)`);
    if (n === '0') return;
    if (Date.now() > until) assert.fail(`the dirty tables did not empty in ${ms / 1000} s`);
    await sleep(100);
  }
}

// calls.client_digits_rev of a number: its digits, reversed.
export const rev = (x) => x.replace(/\D/g, '').split('').reverse().join('');

// Call rows written straight to the table in one statement, in the list's
// order (ids ascending): the ingest cannot give two calls one millisecond.
// Each: integ, num, line, at ('YYYY-MM-DD hh:mm:ss.fff', UTC), and
// optionally ext, dir ('in'), result ('missed'), mgr, store.
export async function insertCalls(list) {
  const row = '(?, ?, ?, \'ended\', ?, ?, ?, ?, ?, ?, ?)';
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result,
      client_number, client_digits_rev, our_number, started_at, manager_id, store_id)
    VALUES ${list.map(() => row).join(', ')}`, list.flatMap((f) => [f.integ, f.ext ?? uid('an'),
    f.dir ?? 'in', f.result ?? 'missed', f.num, rev(f.num), f.line, f.at, f.mgr ?? null,
    f.store ?? null]));
}
