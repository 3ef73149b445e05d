// Nothing is lost when the database is down (issue 3 §8): events keep
// arriving while MariaDB is stopped; each gets 200; after MariaDB is back
// the worker replays the spool and every acknowledged event is stored once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { postGeneric, callsOf, uid, sleep, sign } from '../lib/generic.js';
import { BASE } from '../lib/http.js';
import { sql } from '../lib/db.js';

const stack = `${process.env.CB_ROOT}/scripts/stack.sh`;

test('events acknowledged while the database is down are stored once afterwards', async () => {
  const ids = [];
  const now = Math.floor(Date.now() / 1000);
  const send = async (i) => {
    const callId = uid(`spool${i}`);
    ids.push(callId);
    const ev = { event: 'call.end', call_id: callId, direction: 'in', from: '+38067555' + String(1000 + i),
      ext: '101', status: 'answered', start: now - 100, answer: now - 90, end: now, billsec: 90 };
    const res = await postGeneric(ev);
    assert.equal(res.status, 200, res.text_);
    // A provider retry of the same event must not make a second call.
    const again = await postGeneric(ev);
    assert.equal(again.status, 200);
  };
  await send(0); // the hook caches the integration while the database is up
  execFileSync(stack, ['db-stop'], { stdio: 'inherit' });
  try {
    for (let i = 1; i <= 5; i++) await send(i);
  } finally {
    execFileSync(stack, ['db-start'], { stdio: 'inherit' });
  }
  for (let i = 6; i <= 7; i++) await send(i);
  const deadline = Date.now() + 30000;
  let stored = [];
  while (Date.now() < deadline) {
    stored = [];
    for (const id of ids) stored.push(...await callsOf('generic', id));
    if (stored.length === ids.length) break;
    await sleep(500);
  }
  assert.equal(stored.length, ids.length, 'every acknowledged event is stored');
  for (const c of stored) {
    assert.equal(c.result, 'answered');
    assert.equal(c.talk_seconds, 90);
  }
  assert.equal(new Set(stored.map((c) => c.external_id)).size, ids.length, 'no duplicates');
});

// Issue 15 §3: one receive pipeline. The hook and the spool's replay each
// computed the dedupe source of an event without an id in their own way
// (the request URI as sent, against the public URL's part from "/hook/"
// on); they agreed only by accident. A provider that calls `//hook/...`
// (a doubled slash pasted into its panel: nginx routes it the same) showed
// it: the event spooled while the database was down and the same event
// retried live once it was back were stored as two events.
const SPOOL = `${process.env.CB_STATE_DIR}/spool`;


async function spoolEmpty(deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (!existsSync(`${SPOOL}/events.jsonl`) && !existsSync(`${SPOOL}/replaying.jsonl`)) return true;
    await sleep(250);
  }
  return false;
}

test('an event spooled while the database was down and retried live by the provider is stored once', async () => {
  const callId = uid('respool');
  const now = Math.floor(Date.now() / 1000);
  const ev = { event: 'call.end', call_id: callId, direction: 'in', from: '+380675559876', ext: '101',
    status: 'answered', start: now - 60, answer: now - 50, end: now, billsec: 50 };
  const warm = await postGeneric({ ...ev, call_id: uid('warm') }); // the hook caches the integration
  assert.equal(warm.status, 200);
  const body = JSON.stringify(ev);
  const headers = { 'content-type': 'application/json', ...sign(body, undefined, now) };
  const send = () => fetch(`${BASE}//hook/generic`, { method: 'POST', headers, body });
  execFileSync(stack, ['db-stop'], { stdio: 'inherit' });
  try {
    const res = await send();
    assert.equal(res.status, 200, 'acknowledged and spooled');
  } finally {
    execFileSync(stack, ['db-start'], { stdio: 'inherit' });
  }
  // The provider did not see our answer and sends the same bytes again;
  // the worker replays the spool before or after it: either way, one event.
  const again = await send();
  assert.equal(again.status, 200);
  assert.ok(await spoolEmpty(30000), 'the worker replayed the spool');
  const rows = await sql('SELECT COUNT(*) FROM call_events e JOIN calls c ON c.id = e.call_id '
    + "JOIN integrations i ON i.id = c.integration_id WHERE i.slug = 'generic' AND c.external_id = ?", [callId]);
  assert.equal(rows[0][0], '1', 'the event is stored once');
  const calls = await callsOf('generic', callId);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].talk_seconds, 50);
});
