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
