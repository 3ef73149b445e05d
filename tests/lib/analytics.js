// The analytics fold's lease (migration 0032: analytics_fold_lease, the
// row cb_analytics_fold takes instead of GET_LOCK): tests hold it as
// another folder would, to see what a page does while it cannot fold.
import assert from 'node:assert/strict';
import { sql } from './db.js';

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
