// Nothing is lost when the database is down (issue 3 §8): events keep
// arriving while MariaDB is stopped; each gets 200; after MariaDB is back
// the worker replays the spool and every acknowledged event is stored once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { postGeneric, callsOf, uid, sleep } from '../lib/generic.js';

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
