// The worker takes jobs in batches (tools/worker.c run_batch): database-only
// jobs (call.new, call.ended) run inside the transaction that picked them and
// are marked done with it; network jobs are marked running and run one by one.
// These tests put jobs straight into the queue, in one transaction, so that
// they land in one batch, and check what the worker made of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sendCall, jobDone, freshPhone, waitUntil, sql } from '../lib/automation.js';

async function jobsState(keys) {
  const rows = await sql(
    `SELECT dedupe_key, state, attempts, COALESCE(last_error, '') FROM jobs WHERE dedupe_key IN (${keys.map(() => '?').join(', ')})`,
    keys,
  );
  return new Map(rows.map(([k, state, attempts, err]) => [k, { state, attempts: Number(attempts), err }]));
}

// Queues jobs in ONE statement with the same run_at, so one pick sees them together.
async function queue(jobs) {
  const tag = `wb-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
  const rows = jobs.map((j, i) => ({ ...j, key: `${tag}:${i}` }));
  await sql(
    `INSERT INTO jobs (kind, payload, call_id, dedupe_key, run_at, max_attempts) VALUES ${rows.map(() => '(?, ?, ?, ?, UTC_TIMESTAMP(3), ?)').join(', ')}`,
    rows.flatMap((r) => [r.kind, r.payload, r.callId ?? null, r.key, r.maxAttempts ?? 8]),
  );
  return rows.map((r) => r.key);
}

test('a batch of call jobs: each done once, attempts counted, and a failing job fails alone', async () => {
  // Real calls whose call.ended jobs already ran: running them again is harmless (the
  // missed-call task joins the open one), so the batch has real work to do.
  const calls = [];
  for (let i = 0; i < 3; i++) {
    const c = await sendCall(freshPhone(), { kind: 'answered' });
    await jobDone(c.id);
    calls.push(c);
  }
  const keys = await queue([
    ...calls.map((c) => ({ kind: 'call.ended', payload: JSON.stringify({ call_id: c.id }), callId: c.id })),
    { kind: 'call.ended', payload: '{"no_call_id": true}' },
    ...calls.map((c) => ({ kind: 'call.new', payload: JSON.stringify({ call_id: c.id }), callId: c.id })),
  ]);
  const bad = keys[3];
  const st = await waitUntil(async () => {
    const m = await jobsState(keys);
    return [...m.values()].every((j) => j.state === 'done' || j.state === 'failed') ? m : null;
  }, 'the queued jobs to finish', 30000);
  for (const k of keys) {
    if (k === bad) continue;
    assert.equal(st.get(k).state, 'done', `${k}: ${JSON.stringify(st.get(k))}`);
    assert.equal(st.get(k).attempts, 1, `${k} ran once: ${JSON.stringify(st.get(k))}`);
    assert.equal(st.get(k).err, '');
  }
  // A payload no retry can fix: failed at once, with the reason, after one attempt.
  assert.equal(st.get(bad).state, 'failed');
  assert.equal(st.get(bad).attempts, 1);
  assert.match(st.get(bad).err, /payload has no call_id/);
});

test('a job of an unknown kind in a batch is failed visibly, the rest of the batch is done', async () => {
  const c = await sendCall(freshPhone(), { kind: 'answered' });
  await jobDone(c.id);
  const keys = await queue([
    { kind: 'call.ended', payload: JSON.stringify({ call_id: c.id }), callId: c.id },
    { kind: 'no.such.kind', payload: '{}', maxAttempts: 1 },
    { kind: 'call.new', payload: JSON.stringify({ call_id: c.id }), callId: c.id },
  ]);
  const st = await waitUntil(async () => {
    const m = await jobsState(keys);
    return [...m.values()].every((j) => j.state === 'done' || j.state === 'failed') ? m : null;
  }, 'the queued jobs to finish', 30000);
  assert.equal(st.get(keys[0]).state, 'done');
  assert.equal(st.get(keys[2]).state, 'done');
  assert.equal(st.get(keys[1]).state, 'failed');
  assert.match(st.get(keys[1]).err, /unknown job kind 'no.such.kind'/);
});
